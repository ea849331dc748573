"""Excitation-difference sectors of a Lindblad generator, applied block by block without building it.

Every process of the model (decay lowers the excitation number by one, pumping raises it, dephasing and
the Hamiltonian keep it) moves the ket and the bra of rho together, so the difference q of their
excitation numbers is conserved and the Liouvillian is block diagonal in q. A start without coherences
between excitation numbers (excited, ground, Dicke states, incoherent products, triplet excitations) lives
in q = 0: the blocks rho_m = P_m rho P_m of m excitations on both sides, of total dimension
sum_m dim(P_m)^2 (C(2n, n) for n two-level emitters instead of 4^n); a lowered state E- rho lives in
q = -1. On the blocks X_m = P_m X P_{m-q}

    d X_m / dt = G X_m + X_m G^dag + sum_channels sum_{d, e} W_de S_d X_{m-c} S_e^dag,   G = -i H - K / 2,

where a channel is a set of dipole operators S_d of one excitation change c (lowering, raising,
projecting: each has at most one entry per row and column in the product basis) with a weight matrix W
(the decay matrix Gamma for the radiative channels), K = sum W_ed S_d^dag S_e. The collapse operators
sqrt(lambda_k) sum_d v_dk S_d of W = sum_k lambda_k v_k v_k^dag give the same generator; the pair form
needs no diagonalisation and visits only the dipoles that can act on a state.

The generator is applied matrix-free (:mod:`sf_dynamics.kernels.sectors`): memory is a few sector
vectors (N = 12 two-level emitters: 2 704 156 amplitudes, 43 MB each) instead of the Kronecker-built
sparse matrix, and its adjoint (for norm estimates and the Heisenberg picture) is the same form with
G^dag, S_d^dag and conj(W).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..kernels import jit
from ..kernels import sectors as ks

__all__ = ["excitation_numbers", "Channel", "SectorGenerator", "MATERIALISED_MAX"]

#: largest sector (amplitudes) handed to scipy as a sparse matrix instead of a matrix-free operator
MATERIALISED_MAX = 256

_COHERENT = (ks.coherent, jit.serial_twin(ks.coherent))
_PAIRS = (ks.gather_pairs, jit.serial_twin(ks.gather_pairs))
_DIAGONAL = (ks.gather_diagonal, jit.serial_twin(ks.gather_diagonal))


def excitation_numbers(n: int, levels: int) -> np.ndarray:
    """Excitation number (emitters not in their ground level 0) of every product basis state."""
    index = np.arange(levels**n)
    digits = (index[:, None] // levels ** np.arange(n)[None, :]) % levels
    return np.count_nonzero(digits, axis=1)


@dataclass(frozen=True)
class Channel:
    """Jumps sum_{d, e} weights[d, e] S_d rho S_e^dag with dipole operators S_d (scipy sparse, product space)."""

    operators: tuple
    weights: np.ndarray

    def adjoint(self) -> Channel:
        """The channel of the adjoint generator: S_d^dag and conj(W)."""
        return Channel(tuple(op.conj().T.tocsr() for op in self.operators), np.conj(self.weights))


def _real_if_real(values):
    """float64 values when every imaginary part is zero (half the work in the gather kernels), else complex."""
    values = np.asarray(values, dtype=np.complex128)
    return values.real.copy() if not np.any(values.imag) else values


def _conjugated(apply):
    """y -> conj(apply(conj(y)))."""
    return lambda y: np.conj(apply(np.conj(y)))


def _csr_arrays(matrix):
    m = matrix.tocsr()
    m.sort_indices()
    return (m.indptr.astype(np.int64), m.indices.astype(np.int64), m.data.astype(np.complex128))


class _Table:
    """The rows of a channel's dipole operators that land in one excitation number m (local indices)."""

    def __init__(self, operators, excitations, local, target, source):
        # excitations: excitation number of every product state; local: its index among those of its number
        dip, row, col, val = [], [], [], []
        for d, op in enumerate(operators):
            coo = op.tocoo()
            keep = (coo.data != 0) & (excitations[coo.row] == target)
            r, c = coo.row[keep], coo.col[keep]
            if np.any(excitations[c] != source):
                raise ValueError("a channel's operators must change the excitation number by one fixed amount")
            dip.append(np.full(r.size, d))
            row.append(local[r])
            col.append(local[c])
            val.append(coo.data[keep].astype(np.complex128))
        dip, row, col, val = (np.concatenate(v) for v in (dip, row, col, val))
        size = int(np.count_nonzero(excitations == target))
        pairs = row * len(operators) + dip
        if np.unique(pairs).size != pairs.size:
            raise ValueError("every dipole operator of a channel must have at most one entry per row "
                             "in the product basis")
        order = np.lexsort((dip, row))
        self.ptr = np.concatenate([[0], np.cumsum(np.bincount(row, minlength=size))]).astype(np.int64)
        self.dip, self.src, self.val = dip[order].astype(np.int64), col[order].astype(np.int64), val[order]
        self.dense_src = np.full((len(operators), size), -1, dtype=np.int64)
        self.dense_val = np.zeros((len(operators), size), dtype=np.complex128)
        self.dense_src[dip, row] = col
        self.dense_val[dip, row] = val
        # real operators (lowering, raising, sigma_z) take the kernels' real specialisation
        self.val, self.dense_val = _real_if_real(self.val), _real_if_real(self.dense_val)
        self.per_row = dip.size / max(1, size)
        self.diagonal = bool(source == target and np.all(col == row))


class SectorGenerator:
    """The Lindblad generator on the sector q (ket excitations - bra excitations), applied matrix-free.

    Parameters
    ----------
    hamiltonian : scipy.sparse matrix
        H on the product space (conserving the excitation number).
    channels : list of Channel
        The jump processes.
    n, levels : int
        Emitters and levels per emitter (2, or 4 for triplet nanocrystals).
    q : int
        The sector (0: populations and coherences within one excitation number).

    Raises
    ------
    ValueError
        If H mixes excitation numbers or a channel's operators are not of the dipole form.
    """

    def __init__(self, hamiltonian, channels, n: int, levels: int, q: int = 0):
        import scipy.sparse as sp

        h = sp.csr_matrix(hamiltonian, dtype=complex)
        k = sp.csr_matrix(h.shape, dtype=complex)
        for ch in channels:
            ops = [sp.csr_matrix(op, dtype=complex) for op in ch.operators]
            w = np.asarray(ch.weights, dtype=complex)
            for d, e in zip(*np.nonzero(w)):
                k = k + w[e, d] * (ops[d].conj().T @ ops[e])
        self._setup((-1j * h - 0.5 * k).tocsr(), channels, n, levels, q)

    @classmethod
    def jumps(cls, channels, n: int, levels: int, q: int = 0) -> SectorGenerator:
        """The jump map X -> sum_channels sum_de W_de S_d X S_e^dag alone (no coherent part) on sector q."""
        import scipy.sparse as sp

        return cls._from_parts(sp.csr_matrix((levels**n, levels**n), dtype=complex), channels, n, levels, q)

    @classmethod
    def _from_parts(cls, generator, channels, n, levels, q):
        self = cls.__new__(cls)
        self._setup(generator, channels, n, levels, q)
        return self

    def _setup(self, generator, channels, n, levels, q):
        import scipy.sparse as sp

        exc = excitation_numbers(n, levels)
        coo = generator.tocoo()
        if np.any(exc[coo.row[coo.data != 0]] != exc[coo.col[coo.data != 0]]):
            raise ValueError("hamiltonian: it must conserve the excitation number")
        self.n, self.levels, self.q = n, levels, q
        self._g = generator
        self._channels = [Channel(tuple(sp.csr_matrix(op, dtype=complex) for op in ch.operators),
                                  np.asarray(ch.weights, dtype=complex)) for ch in channels]
        self.groups = [np.flatnonzero(exc == m) for m in range(n + 1)]
        local = np.empty(exc.size, dtype=np.int64)
        for g in self.groups:
            local[g] = np.arange(g.size)
        self.kets = [m for m in range(n + 1) if 0 <= m - q <= n]
        self._index = {m: i for i, m in enumerate(self.kets)}   # block of each ket excitation number
        self._matrix = None                                       # the CSR form, built by matrix() on demand
        shapes = [(self.groups[m].size, self.groups[m - q].size) for m in self.kets]
        sizes = np.array([a * b for a, b in shapes], dtype=np.int64)
        self.shapes = shapes
        self.offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self.dimension = int(self.offsets[-1])
        self._blocks_g = [_csr_arrays(generator[g][:, g]) for g in self.groups]
        plans = []   # per channel: (change, tables by target m, weights, diagonal weights or None)
        for ch in self._channels:
            change = self._change(ch.operators, exc)
            if change is None:
                continue
            tables = {}
            for m in range(n + 1):
                if 0 <= m - change <= n:
                    tables[m] = _Table(ch.operators, exc, local, m, m - change)
            w = _real_if_real(ch.weights)
            diag = np.diag(w).copy() if np.count_nonzero(w - np.diag(np.diag(w))) == 0 else None
            plans.append((change, tables, w, diag))
        # elementwise factors of the channels whose operators are diagonal (dephasing); None without them
        self._factors = None
        self._gathers = []
        for change, tables, w, diag in plans:
            if change == 0 and diag is not None and all(t.diagonal for t in tables.values()):
                if self._factors is None:
                    self._factors = [np.zeros(shape, dtype=complex) for shape in shapes]
                for i, m in enumerate(self.kets):
                    tk, tb = tables[m], tables[m - q]
                    self._factors[i] += np.einsum("d,da,db->ab", diag, tk.dense_val, np.conj(tb.dense_val))
            else:
                self._gathers.append((change, tables, w, diag))
        # complex multiply-adds of one application (for progress reporting)
        per_element = 2.0 * generator.nnz / exc.size + sum(
            max(t.per_row for t in tables.values()) ** 2 for _, tables, _, _ in self._gathers)
        self.work = float(self.dimension * per_element)

    @staticmethod
    def _change(operators, exc):
        changes = set()
        for op in operators:
            coo = op.tocoo()
            keep = coo.data != 0
            changes.update(np.unique(exc[coo.row[keep]] - exc[coo.col[keep]]).tolist())
        if len(changes) > 1:
            raise ValueError(f"a channel mixes excitation changes {sorted(changes)}; no single sector holds it")
        return changes.pop() if changes else None

    # -- application -----------------------------------------------------------------------------------------
    def block(self, vec, i):
        """Block i of a sector vector as a (ket, bra) matrix view."""
        return vec[self.offsets[i]: self.offsets[i + 1]].reshape(self.shapes[i])

    def apply(self, vec: np.ndarray) -> np.ndarray:
        """L vec for a sector vector (complex128, length ``dimension``)."""
        vec = np.ascontiguousarray(vec, dtype=np.complex128).reshape(-1)
        out = np.empty_like(vec)
        for i, m in enumerate(self.kets):
            x, o = self.block(vec, i), self.block(out, i)
            work = x.size * 8
            jit.pick(*_COHERENT, work)(x, *self._blocks_g[m], *self._blocks_g[m - self.q], o)
            if self._factors is not None:
                o += self._factors[i] * x
            for change, tables, w, diag in self._gathers:
                j = self._index.get(m - change)
                if j is None or m not in tables or m - self.q not in tables:
                    continue
                y = self.block(vec, j)
                tk, tb = tables[m], tables[m - self.q]
                if diag is not None:
                    jit.pick(*_DIAGONAL, work)(y, tk.dense_src, tk.dense_val, tb.dense_src, tb.dense_val, diag, o)
                else:
                    jit.pick(*_PAIRS, work)(y, tk.ptr, tk.dip, tk.src, tk.val, tb.ptr, tb.dip, tb.src, tb.val,
                                             w, o)
        return out

    def adjoint(self) -> SectorGenerator:
        """The adjoint generator (Frobenius inner product): G^dag, S_d^dag, conj(W) on the same sector."""
        return SectorGenerator._from_parts(self._g.conj().T.tocsr(), [ch.adjoint() for ch in self._channels],
                                           self.n, self.levels, self.q)

    def trace(self) -> complex:
        """Tr L on the sector (the shift expm_multiply centres the generator with)."""
        total = 0.0j
        for i, m in enumerate(self.kets):
            rows, cols = self.shapes[i]
            diag_k = self._g[self.groups[m]][:, self.groups[m]].diagonal()
            diag_b = self._g[self.groups[m - self.q]][:, self.groups[m - self.q]].diagonal()
            total += cols * diag_k.sum() + rows * np.conj(diag_b).sum()
            if self._factors is not None:
                total += self._factors[i].sum()
        for change, tables, w, _ in self._gathers:
            if change != 0:
                continue
            for m in self.kets:
                tk, tb = tables[m], tables[m - self.q]
                on_k = np.where(tk.dense_src == np.arange(tk.dense_src.shape[1]), tk.dense_val, 0).sum(axis=1)
                on_b = np.where(tb.dense_src == np.arange(tb.dense_src.shape[1]), tb.dense_val, 0).sum(axis=1)
                total += on_k @ w @ np.conj(on_b)
        return complex(total)

    def matrix(self):
        """L on the sector as a scipy CSR matrix, its columns the generator applied to the unit vectors (built
        once, then kept: the correlation functions ask for L and L^T of the same sector)."""
        import scipy.sparse as sp

        if self._matrix is None:
            unit = np.zeros(self.dimension, dtype=np.complex128)
            dense = np.empty((self.dimension, self.dimension), dtype=np.complex128)
            for k in range(self.dimension):
                unit[k] = 1.0
                dense[:, k] = self.apply(unit)
                unit[k] = 0.0
            self._matrix = sp.csr_matrix(dense)
        return self._matrix

    def operator(self, transpose: bool = False):
        """L (or its transpose L^T, the Heisenberg picture of rows) for scipy's ``expm_multiply``.

        Sectors of at most :data:`MATERIALISED_MAX` amplitudes are returned as CSR matrices (:meth:`matrix`):
        there a sparse product takes microseconds, less than the Python overhead of one matrix-free product,
        and scipy's norm estimates are exact. Larger ones give a LinearOperator with the adjoint as rmatvec
        and attributes ``trace_value`` (Tr L) and ``work``.
        """
        from scipy.sparse.linalg import LinearOperator

        if self.dimension <= MATERIALISED_MAX:
            matrix = self.matrix()
            return matrix.T.tocsr() if transpose else matrix
        forward, adjoint = self.apply, self.adjoint().apply
        if transpose:   # L^T y = conj(L^dag conj(y)), (L^T)^dag y = conj(L conj(y))
            forward, adjoint = _conjugated(adjoint), _conjugated(forward)
        op = LinearOperator((self.dimension, self.dimension), matvec=forward, rmatvec=adjoint, dtype=np.complex128)
        op.trace_value = self.trace()
        op.work = self.work
        return op

    def left_multiplier(self, operator, source: SectorGenerator):
        """A function X -> O X from sector vectors of ``source`` to this sector's (O of excitation change
        self.q - source.q, e.g. a lowering field E- from q = 0 to q = -1)."""
        import scipy.sparse as sp

        o = sp.csr_matrix(operator, dtype=complex)
        change = self.q - source.q
        pieces = [(i, source._index[m - change], o[self.groups[m]][:, self.groups[m - change]])
                  for i, m in enumerate(self.kets) if m - change in source._index]

        def multiply(vec):
            out = np.zeros(self.dimension, dtype=np.complex128)
            for i, j, block in pieces:
                self.block(out, i)[...] = block @ source.block(vec, j)
            return out

        return multiply

    # -- states and observables -----------------------------------------------------------------------------
    def pack(self, rho: np.ndarray) -> np.ndarray:
        """The sector blocks of a full density matrix (row-major blocks, concatenated)."""
        return np.concatenate([rho[np.ix_(self.groups[m], self.groups[m - self.q])].ravel()
                               for m in self.kets]).astype(np.complex128)

    def unpack(self, vec: np.ndarray, dim: int) -> np.ndarray:
        """The full matrix of a sector vector (zero outside the sector)."""
        rho = np.zeros((dim, dim), dtype=complex)
        for i, m in enumerate(self.kets):
            rho[np.ix_(self.groups[m], self.groups[m - self.q])] = self.block(vec, i)
        return rho

    def row(self, operator) -> np.ndarray:
        """o with Tr(O X) = o @ vec(X) for a sector vector X (O maps the sector's bra excitations to its kets)."""
        import scipy.sparse as sp

        o = sp.csr_matrix(operator)
        return np.concatenate([o[self.groups[m - self.q]][:, self.groups[m]].toarray().T.ravel()
                               for m in self.kets])
