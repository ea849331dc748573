"""The excitation-conserving sector of a Lindblad generator, built block by block without the full Liouvillian.

Every process of the model (decay channels lower the excitation number by one, pumping raises it, dephasing
and the Hamiltonian keep it) moves the ket and the bra of rho together, so the difference q of their
excitation numbers is conserved and the Liouvillian is block diagonal in q. A start without coherences
between excitation numbers (excited, ground, Dicke states, incoherent products, triplet excitations) lives
in q = 0: the blocks rho_m = P_m rho P_m of m excitations on both sides, of total dimension
sum_m dim(P_m)^2 (C(2n, n) for n two-level emitters instead of 4^n). On them

    d rho_m / dt = G_m rho_m + rho_m G_m^dag + sum_k C_k[m, m'] rho_m' C_k[m, m']^dag,   G = -i H - K / 2,

K = sum_k C_k^dag C_k, with m' = m - (excitation change of C_k). With column stacking,
vec(A X B) = (B^T kron A) vec(X), so the diagonal blocks are I kron G_m + conj(G_m) kron I and the jump
blocks conj(C_k[m, m']) kron C_k[m, m'].
"""

from __future__ import annotations

import numpy as np

__all__ = ["excitation_numbers", "ZeroSector"]


def excitation_numbers(n: int, levels: int) -> np.ndarray:
    """Excitation number (emitters not in their ground level 0) of every product basis state."""
    index = np.arange(levels**n)
    digits = (index[:, None] // levels ** np.arange(n)[None, :]) % levels
    return np.count_nonzero(digits, axis=1)


class ZeroSector:
    """The q = 0 sector: its generator, the packing of rho into it, and expectation rows of conserving operators.

    Parameters
    ----------
    hamiltonian : scipy.sparse matrix
        H on the product space (conserves the excitation number).
    collapse : list of scipy.sparse matrices
        Collapse operators, each changing the excitation number by one fixed amount.
    n, levels : int
        Emitters and levels per emitter (2, or 4 for triplet nanocrystals).

    Raises
    ------
    ValueError
        If H or a collapse operator does not have a definite excitation change (never for this model).
    """

    def __init__(self, hamiltonian, collapse, n: int, levels: int):
        import scipy.sparse as sp

        exc = excitation_numbers(n, levels)
        self.groups = [np.flatnonzero(exc == m) for m in range(n + 1)]
        sizes = np.array([g.size**2 for g in self.groups])
        self.offsets = np.concatenate([[0], np.cumsum(sizes)])
        self.dimension = int(self.offsets[-1])
        h = sp.csr_matrix(hamiltonian)
        ops = [sp.csr_matrix(c) for c in collapse]
        changes = [self._change(h, exc, "hamiltonian")] + [self._change(c, exc, "collapse operator") for c in ops]
        if changes[0] not in (0, None):
            raise ValueError("hamiltonian: it must conserve the excitation number")
        k = sum((c.conj().T @ c for c in ops), start=sp.csr_matrix(h.shape, dtype=complex))
        g = (-1j * h - 0.5 * k).tocsr()
        blocks = [[None] * (n + 1) for _ in range(n + 1)]
        for m, idx in enumerate(self.groups):
            gm = g[idx][:, idx]
            eye = sp.identity(idx.size, dtype=complex, format="csr")
            blocks[m][m] = sp.kron(eye, gm, format="csr") + sp.kron(gm.conj(), eye, format="csr")
        for op, change in zip(ops, changes[1:]):
            if change is None:                      # a zero operator
                continue
            for m, idx in enumerate(self.groups):
                src = m - change                     # C maps m - change excitations onto m
                if not 0 <= src <= n:
                    continue
                block = op[idx][:, self.groups[src]]
                if block.nnz == 0:
                    continue
                term = sp.kron(block.conj(), block, format="csr")
                blocks[m][src] = term if blocks[m][src] is None else blocks[m][src] + term
        self.generator = sp.bmat(blocks, format="csr", dtype=complex)

    @staticmethod
    def _change(op, exc, name):
        coo = op.tocoo()
        keep = coo.data != 0
        if not np.any(keep):
            return None
        diff = np.unique(exc[coo.row[keep]] - exc[coo.col[keep]])
        if diff.size != 1:
            raise ValueError(f"{name}: it mixes excitation changes {diff.tolist()}; no single sector holds it")
        return int(diff[0])

    def pack(self, rho: np.ndarray) -> np.ndarray:
        """vec(rho_m) of every m, concatenated (column stacking)."""
        return np.concatenate([rho[np.ix_(g, g)].ravel(order="F") for g in self.groups]).astype(complex)

    def unpack(self, vec: np.ndarray, dim: int) -> np.ndarray:
        """The full density matrix of a sector vector (zero between different excitation numbers)."""
        rho = np.zeros((dim, dim), dtype=complex)
        for m, g in enumerate(self.groups):
            block = vec[self.offsets[m]: self.offsets[m + 1]].reshape(g.size, g.size, order="F")
            rho[np.ix_(g, g)] = block
        return rho

    def row(self, operator) -> np.ndarray:
        """o with Tr(O rho) = o @ pack(rho) for an excitation-conserving operator O."""
        import scipy.sparse as sp

        o = sp.csr_matrix(operator)
        return np.concatenate([o[g][:, g].toarray().ravel(order="C") for g in self.groups])
