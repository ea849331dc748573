"""Numba kernels for the permutation-invariant master equation in the Dicke basis.

The density matrix of n identical two-level emitters under permutation
invariant dynamics is block diagonal in the total cooperation number j and
is represented by the elements rho_{j,m,m'} (each already summed over the
degenerate copies of the ladder j, so that sum_{j,m} rho_{j,m,m} = 1).
Collective decay, local decay, local dephasing and local pumping all
conserve q = m - m', so the Liouvillian splits into independent sectors
q = 0 (populations), q = 1 (the coherences that carry <J->), ...

Storage (one sector, ``q >= 0``): the element (j, m, m - q) with
``m = n/2 - k`` and ``j = n/2 - l`` lives at ``x[offsets[k] + l]`` for
``0 <= l <= lmax[k]``; rows k hold the states of one m, ordered by j
descending. All rates are float64 and written in the rate convention of
docs/conventions.md (dephasing gamma_phi with (gamma_phi/2) D[s_z]).

The transition rates (Chase & Geremia, PRA 78, 052101 (2008); Shammah et
al., PRA 98, 063815 (2018), appendix) from a source (J, M, M') are:

* collective + local emission to (J, M-1, M'-1):
  sqrt(A(J,M) A(J,M')) [Gamma_c + gamma (n/2+1) / (2J(J+1))],
  A(J,M) = (J+M)(J-M+1);
* local emission to (J-1, M-1, M'-1):
  gamma (n/2+J+1) / (2J(2J+1)) sqrt(B(J,M) B(J,M')), B = (J+M)(J+M-1);
* local emission to (J+1, M-1, M'-1):
  gamma (n/2-J) / (2(J+1)(2J+1)) sqrt(D(J,M) D(J,M')), D = (J-M+1)(J-M+2);
* dephasing to (J-1, M, M'): gamma_phi (n/2+J+1) / (J(2J+1)) sqrt(E(J,M) E(J,M')),
  E = J^2 - M^2; to (J+1, M, M'): gamma_phi (n/2-J) / ((J+1)(2J+1))
  sqrt(F(J,M) F(J,M')), F = (J+1)^2 - M^2;
* pumping: the emission rates with M -> -M, M' -> -M' and m raised by one.

and the diagonal rate is
-[Gamma_c/2 (2J(J+1) - M(M-1) - M'(M'-1)) + gamma/2 (n + M + M')
  + P/2 (n - M - M') + gamma_phi (n/2 - M M' (n/2+1) / (J(J+1)))]
- i delta (M - M').
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

__all__ = [
    "sector_layout",
    "ladder_prefactors",
    "apply_generator",
    "factorize_shifted",
    "solve_shifted",
    "row_coupling_table",
    "diagonal_observables",
    "lowering_expectation",
    "max_loss_rate",
    "contract_rows",
]

_JIT = dict(cache=True, nogil=True, fastmath=False)

# indices into the prefactor table returned by ladder_prefactors
_E_SAME, _E_DOWN, _E_UP, _D_DOWN, _D_UP, _P_SAME, _P_DOWN, _P_UP, _PHI_MM = range(9)


def sector_layout(n: int, n_ladders: int, q: int):
    """Offsets and row lengths of the packed storage of sector ``q``.

    Parameters
    ----------
    n : int
        Number of emitters.
    n_ladders : int
        Number of ladders kept, counted from the symmetric one j = n/2
        (``n // 2 + 1`` for the full problem, 1 for the Dicke ladder).
    q : int
        Coherence order m - m' (>= 0).

    Returns
    -------
    offsets : ndarray of int64, shape (n + 2,)
        Start of row k; ``offsets[-1]`` is the total number of elements.
    lmax : ndarray of int64, shape (n + 1,)
        Largest l (smallest j) stored in row k, -1 for an empty row.
    """
    k = np.arange(n + 1, dtype=np.int64)
    lmax = np.minimum.reduce([np.full(n + 1, n_ladders - 1), k, n - k, k + q, n - k - q])
    lmax = np.where(k + q <= n, lmax, -1).astype(np.int64)
    offsets = np.zeros(n + 2, dtype=np.int64)
    np.cumsum(lmax + 1, out=offsets[1:])
    return offsets, lmax


def ladder_prefactors(n: int, n_ladders: int, collective: float, local: float, dephasing: float, pumping: float):
    """Per-ladder rate prefactors, shape (9, n_ladders), float64 (see module docstring)."""
    l = np.arange(n_ladders, dtype=np.float64)
    j = n / 2.0 - l
    half = n / 2.0
    with np.errstate(divide="ignore", invalid="ignore"):
        jj1 = np.where(j > 0, 1.0 / (j * (j + 1.0)), 0.0)
        down = np.where(j > 0, (half + j + 1.0) / (j * (2.0 * j + 1.0)), 0.0)
    up = (half - j) / ((j + 1.0) * (2.0 * j + 1.0))
    table = np.empty((9, n_ladders), dtype=np.float64)
    table[_E_SAME] = collective + local * (half + 1.0) * jj1 / 2.0
    table[_E_DOWN] = local * down / 2.0
    table[_E_UP] = local * up / 2.0
    table[_D_DOWN] = dephasing * down
    table[_D_UP] = dephasing * up
    table[_P_SAME] = pumping * (half + 1.0) * jj1 / 2.0
    table[_P_DOWN] = pumping * down / 2.0
    table[_P_UP] = pumping * up / 2.0
    table[_PHI_MM] = dephasing * (half + 1.0) * jj1
    return table


@nb.njit(inline="always", **_JIT)
def _pair(a, b, diagonal):
    """sqrt(f(m) f(m')) of a rate factor f; exactly f(m) on the population sector."""
    if diagonal:
        return a
    p = a * b
    return math.sqrt(p) if p > 0.0 else 0.0


@nb.njit(inline="always", **_JIT)
def _loss_rate(n, j, m, mp, pre_phi_mm, collective, local, pumping, dephasing):
    """Minus the real diagonal generator element of (j, m, mp) (>= 0 for q = 0)."""
    loss = 0.5 * collective * (2.0 * j * (j + 1.0) - m * (m - 1.0) - mp * (mp - 1.0))
    loss += 0.5 * local * (n + m + mp) + 0.5 * pumping * (n - m - mp)
    return loss + dephasing * 0.5 * n - m * mp * pre_phi_mm


@nb.njit(inline="always", **_JIT)
def _inflow_factors(j, ms, mps, diagonal):
    """Rate polynomials of the three transitions from the row m = ms, m' = mps
    into ladder j: from the same ladder, from j + 1 and from j - 1.

    They multiply the prefactor rows _E_SAME/_E_DOWN/_E_UP (emission, source
    row m + 1) or, with (ms, mps) -> (-ms, -mps), _P_SAME/_P_DOWN/_P_UP
    (pumping, source row m - 1).
    """
    return _inflow_same(j, ms, mps, diagonal), _inflow_down(j, ms, mps, diagonal), _inflow_up(j, ms, mps, diagonal)


@nb.njit(inline="always", **_JIT)
def _inflow_same(j, ms, mps, diagonal):
    return _pair((j + ms) * (j - ms + 1.0), (j + mps) * (j - mps + 1.0), diagonal)


@nb.njit(inline="always", **_JIT)
def _inflow_down(j, ms, mps, diagonal):
    js = j + 1.0
    return _pair((js + ms) * (js + ms - 1.0), (js + mps) * (js + mps - 1.0), diagonal)


@nb.njit(inline="always", **_JIT)
def _inflow_up(j, ms, mps, diagonal):
    js = j - 1.0
    return _pair((js - ms + 1.0) * (js - ms + 2.0), (js - mps + 1.0) * (js - mps + 2.0), diagonal)


@nb.njit(inline="always", **_JIT)
def _add_row_inflow(acc, x, base_s, lm_s, lm, half, ms, mps, pre, i_same, i_down, i_up, diagonal, scale):
    """acc[l] += scale * (inflow into ladder l from the row m = ms, m' = mps).

    Ladders beyond ``lm_s`` do not exist in the source row.
    """
    for l in range(lm + 1):
        same, down, up = _inflow_factors(half - l, ms, mps, diagonal)
        total = 0.0 * acc[l]
        if l <= lm_s:
            total += pre[i_same, l] * same * x[base_s + l]
        if l >= 1 and l - 1 <= lm_s:
            total += pre[i_down, l - 1] * down * x[base_s + l - 1]
        if l + 1 <= lm_s:
            total += pre[i_up, l + 1] * up * x[base_s + l + 1]
        acc[l] += scale * total


@nb.njit(**_JIT)
def row_coupling_table(q, n, offsets, lmax, pre, with_pumping, transpose):
    """Coefficients coupling each row to its neighbour rows, for the shifted solves.

    Row k (fixed m) of M couples to row k - 1 through emission and to row
    k + 1 through pumping; in M^T (``transpose``) to row k + 1 through
    emission and to row k - 1 through pumping. For the element (k, l) the
    coupling is ``c0 x[b + l] + c- x[b + l - 1] + c+ x[b + l + 1]`` with b
    the start of the coupled row. Returns float64, shape (3, size) (emission
    c0, c-, c+) or (6, size) with pumping appended. The coefficients do not
    depend on the step, so the solves only multiply and add.
    """
    half = 0.5 * n
    diagonal = q == 0
    width = pre.shape[1]
    table = np.zeros((6 if with_pumping else 3, offsets[-1]))
    for k in range(lmax.shape[0]):
        m = half - k
        mp = m - q
        for process in range(2 if with_pumping else 1):
            if process == 0:
                i_same, i_down, i_up = _E_SAME, _E_DOWN, _E_UP
                ms = m if transpose else m + 1.0
                mps = mp if transpose else mp + 1.0
            else:
                i_same, i_down, i_up = _P_SAME, _P_DOWN, _P_UP
                ms = -m if transpose else 1.0 - m
                mps = -mp if transpose else 1.0 - mp
            row = 3 * process
            for l in range(lmax[k] + 1):
                i = offsets[k] + l
                j = half - l
                table[row, i] = pre[i_same, l] * _inflow_same(j, ms, mps, diagonal)
                if transpose:  # ladder l of this row feeds ladders l, l + 1 (down) and l - 1 (up) of the other
                    table[row + 2, i] = pre[i_down, l] * _inflow_down(j - 1.0, ms, mps, diagonal)
                    if l >= 1:
                        table[row + 1, i] = pre[i_up, l] * _inflow_up(j + 1.0, ms, mps, diagonal)
                else:  # ladder l receives from ladders l, l - 1 (down) and l + 1 (up) of the other row
                    if l >= 1:
                        table[row + 1, i] = pre[i_down, l - 1] * _inflow_down(j, ms, mps, diagonal)
                    if l + 1 < width:
                        table[row + 2, i] = pre[i_up, l + 1] * _inflow_up(j, ms, mps, diagonal)
    return table


@nb.njit(inline="always", **_JIT)
def _add_coupled_row(acc, x, base_o, lm_o, lm, table, row, base, scale):
    """acc[l] += scale * (c0 x[base_o + l] + c- x[base_o + l - 1] + c+ x[base_o + l + 1]), ladders of x up to lm_o."""
    for l in range(lm + 1):
        i = base + l
        total = 0.0 * acc[l]
        if l <= lm_o:
            total += table[row, i] * x[base_o + l]
        if l >= 1 and l - 1 <= lm_o:
            total += table[row + 1, i] * x[base_o + l - 1]
        if l + 1 <= lm_o:
            total += table[row + 2, i] * x[base_o + l + 1]
        acc[l] += scale * total


@nb.njit(inline="always", **_JIT)
def _deph_from_higher_ladder(half, l, m, mp, pre, diagonal):
    """Dephasing rate from ladder l-1 (j+1) into ladder l (same m)."""
    js = half - (l - 1)
    return pre[_D_DOWN, l - 1] * _pair(js * js - m * m, js * js - mp * mp, diagonal)


@nb.njit(inline="always", **_JIT)
def _deph_from_lower_ladder(half, l, m, mp, pre, diagonal):
    """Dephasing rate from ladder l+1 (j-1) into ladder l (same m)."""
    js = half - l  # (j-1) + 1
    return pre[_D_UP, l + 1] * _pair(js * js - m * m, js * js - mp * mp, diagonal)


@nb.njit(**_JIT)
def _neighbour_rows(k, lmax, offsets, with_pumping):
    last = lmax.shape[0] - 1
    lm_above = lmax[k - 1] if k >= 1 else -1
    base_above = offsets[k - 1] if k >= 1 else 0
    lm_below = lmax[k + 1] if (with_pumping and k < last) else -1
    base_below = offsets[k + 1] if k < last else 0
    return lm_above, base_above, lm_below, base_below


@nb.njit(**_JIT)
def apply_generator(x, out, q, n, offsets, lmax, pre, rates, shift):
    """out = M x for sector q (M: the Liouvillian restricted to the sector).

    ``rates`` = (collective, local, pumping, dephasing) in 1/ps; ``shift``
    is -i delta for q != 0 (the detuning phase), 0 for q = 0.
    """
    collective, local, pumping, dephasing = rates[0], rates[1], rates[2], rates[3]
    diagonal = q == 0
    half = 0.5 * n
    acc = np.zeros(lmax.max() + 1, dtype=out.dtype)
    for k in range(lmax.shape[0]):
        lm = lmax[k]
        if lm < 0:
            continue
        m = half - k
        mp = m - q
        base = offsets[k]
        lm_above, base_above, lm_below, base_below = _neighbour_rows(k, lmax, offsets, pumping > 0.0)
        for l in range(lm + 1):
            j = half - l
            loss = _loss_rate(n, j, m, mp, pre[_PHI_MM, l], collective, local, pumping, dephasing)
            a = (shift * q - loss) * x[base + l]
            if l >= 1:
                a += _deph_from_higher_ladder(half, l, m, mp, pre, diagonal) * x[base + l - 1]
            if l + 1 <= lm:
                a += _deph_from_lower_ladder(half, l, m, mp, pre, diagonal) * x[base + l + 1]
            acc[l] = a
        if lm_above >= 0:
            _add_row_inflow(acc, x, base_above, lm_above, lm, half, m + 1.0, mp + 1.0, pre,
                            _E_SAME, _E_DOWN, _E_UP, diagonal, 1.0)
        if lm_below >= 0:
            _add_row_inflow(acc, x, base_below, lm_below, lm, half, 1.0 - m, 1.0 - mp, pre,
                            _P_SAME, _P_DOWN, _P_UP, diagonal, 1.0)
        for l in range(lm + 1):
            out[base + l] = acc[l]


@nb.njit(**_JIT)
def factorize_shifted(alpha, q, n, offsets, lmax, pre, rates, shift, sub, cp, winv, transpose=False):
    """Thomas-algorithm factors of the within-row blocks of I - alpha M (or of its transpose).

    Each row (fixed m) of I - alpha M is tridiagonal in j (dephasing couples
    j to j +- 1). Fills, per stored element, ``sub`` (coupling to ladder
    l-1), ``cp`` (the modified super-diagonal) and ``winv`` (inverse pivot),
    which :func:`solve_shifted` reuses for every right-hand side with the
    same ``alpha``. With ``transpose`` the blocks of (I - alpha M)^T are
    factored (sub- and super-diagonal exchanged).
    """
    collective, local, pumping, dephasing = rates[0], rates[1], rates[2], rates[3]
    diagonal = q == 0
    half = 0.5 * n
    detune = 1.0 - alpha * shift * q
    for k in range(lmax.shape[0]):
        lm = lmax[k]
        m = half - k
        mp = m - q
        base = offsets[k]
        for l in range(lm + 1):
            i = base + l
            j = half - l
            d = detune + alpha * _loss_rate(n, j, m, mp, pre[_PHI_MM, l], collective, local, pumping, dephasing)
            c = 0.0
            if l + 1 <= lm:
                if transpose:  # (M^T)[l, l+1] = M[l+1, l]
                    c = -alpha * _deph_from_higher_ladder(half, l + 1, m, mp, pre, diagonal)
                else:
                    c = -alpha * _deph_from_lower_ladder(half, l, m, mp, pre, diagonal)
            if l >= 1:
                if transpose:  # (M^T)[l, l-1] = M[l-1, l]
                    a = -alpha * _deph_from_lower_ladder(half, l - 1, m, mp, pre, diagonal)
                else:
                    a = -alpha * _deph_from_higher_ladder(half, l, m, mp, pre, diagonal)
                w = 1.0 / (d - a * cp[i - 1])
                sub[i] = a
            else:
                w = 1.0 / d
                sub[i] = 0.0
            cp[i] = c * w
            winv[i] = w


@nb.njit(**_JIT)
def _sweep(x, b, alpha, q, n, offsets, lmax, table, with_pumping, sub, cp, winv, r, upward, transpose):
    """One block Gauss-Seidel sweep over the rows of (I - alpha M) x = b (or of its transpose).

    Row k (fixed m) is solved exactly (factored tridiagonal system in j)
    with the other rows' current values: emission from row k-1 and, when
    ``with_pumping``, pumping from row k+1 (``transpose``: emission to row
    k+1, pumping to row k-1; ``table`` from :func:`row_coupling_table` with
    the same flag, and the factors from :func:`factorize_shifted` with it).
    Rows run k = 0, 1, ... (m descending) unless ``upward``.
    """
    nt = lmax.shape[0]
    for step in range(nt):
        k = nt - 1 - step if upward else step
        lm = lmax[k]
        if lm < 0:
            continue
        base = offsets[k]
        for l in range(lm + 1):
            r[l] = b[base + l]
        for process in range(2 if with_pumping else 1):
            # emission couples to the row of higher m (k - 1), pumping to k + 1; the transpose reverses both
            ks = k - 1 if (process == 0) != transpose else k + 1
            if ks < 0 or ks >= nt or lmax[ks] < 0:
                continue
            _add_coupled_row(r, x, offsets[ks], lmax[ks], lm, table, 3 * process, base, alpha)
        prev = 0.0 * r[0]
        for l in range(lm + 1):
            i = base + l
            prev = (r[l] - sub[i] * prev) * winv[i]
            r[l] = prev
        x[base + lm] = r[lm]
        for l in range(lm - 1, -1, -1):
            x[base + l] = r[l] - cp[base + l] * x[base + l + 1]


@nb.njit(**_JIT)
def solve_shifted(x, b, alpha, q, n, offsets, lmax, table, pumping, sub, cp, winv, tol, max_sweeps, transpose=False):
    """Solve (I - alpha M) x = b (or, with ``transpose``, (I - alpha M)^T x = b) in place; returns the sweep count.

    ``sub``, ``cp``, ``winv`` come from :func:`factorize_shifted` with the
    same ``alpha`` and ``table`` from :func:`row_coupling_table`, both with
    the same ``transpose``. Without pumping, rows are solved once from m =
    n/2 downwards (emission only lowers m, so the system is block
    lower-triangular with tridiagonal blocks in j): an exact O(size) direct
    solve; the transpose is block upper-triangular and solved from m = -n/2
    upwards. With pumping, symmetric block Gauss-Seidel sweeps are repeated
    until the L1 change is below ``tol`` times the L1 norm of x; I - alpha M
    is a nonsingular M-matrix, so the iteration converges. ``x`` holds the
    initial guess on entry. Returns -1 if ``max_sweeps`` did not suffice.
    """
    r = np.empty(lmax.max() + 1, dtype=x.dtype)
    if pumping == 0.0:
        _sweep(x, b, alpha, q, n, offsets, lmax, table, False, sub, cp, winv, r, transpose, transpose)
        return 1
    old = x.copy()
    for sweep in range(1, max_sweeps + 1):
        _sweep(x, b, alpha, q, n, offsets, lmax, table, True, sub, cp, winv, r, transpose, transpose)
        _sweep(x, b, alpha, q, n, offsets, lmax, table, True, sub, cp, winv, r, not transpose, transpose)
        change = 0.0
        norm = 0.0
        for i in range(x.shape[0]):
            change += abs(x[i] - old[i])
            norm += abs(x[i])
            old[i] = x[i]
        if change <= tol * norm:
            return sweep
    return -1


@nb.njit(**_JIT)
def diagonal_observables(p, n, offsets, lmax):
    """Trace, <J_z>, <J+ J-> and <J+ J+ J- J-> of the population sector (q = 0).

    J- J- |j, m> = sqrt((j + m)(j - m + 1)(j + m - 1)(j - m + 2)) |j, m - 2>, so the normally ordered
    second moment of the collective field is diagonal in the Dicke basis.

    Returns a float64 array (trace, <J_z>, <J+ J->, <J+ J+ J- J->).
    """
    half = 0.5 * n
    trace = 0.0
    jz = 0.0
    jpjm = 0.0
    pairs = 0.0
    for k in range(n + 1):
        m = half - k
        base = offsets[k]
        for l in range(lmax[k] + 1):
            j = half - l
            v = p[base + l]
            one = (j + m) * (j - m + 1.0)
            trace += v
            jz += m * v
            jpjm += one * v
            pairs += one * (j + m - 1.0) * (j - m + 2.0) * v
    out = np.empty(4)
    out[0] = trace
    out[1] = jz
    out[2] = jpjm
    out[3] = pairs
    return out


@nb.njit(**_JIT)
def lowering_expectation(c, n, offsets, lmax):
    """<J-> = sum rho_{j,m,m-1} sqrt((j+m)(j-m+1)) from the q = 1 sector."""
    half = 0.5 * n
    total = 0.0j
    for k in range(n + 1):
        m = half - k
        base = offsets[k]
        for l in range(lmax[k] + 1):
            j = half - l
            total += c[base + l] * math.sqrt((j + m) * (j - m + 1.0))
    return total


@nb.njit(**_JIT)
def max_loss_rate(n, offsets, lmax, pre, rates):
    """Largest |diagonal rate| of the population sector (1/ps): the stiffness scale."""
    half = 0.5 * n
    best = 0.0
    for k in range(n + 1):
        m = half - k
        for l in range(lmax[k] + 1):
            j = half - l
            r = _loss_rate(n, j, m, m, pre[_PHI_MM, l], rates[0], rates[1], rates[2], rates[3])
            if r > best:
                best = r
    return best


@nb.njit(parallel=True, cache=True)
def contract_rows(rows, vectors, workers):
    """out[b, k] = sum_i rows[b, i] * vectors[k, i]: complex rows against real vectors (numba, not BLAS).

    Used inside the SDIRK loops, where a BLAS call would start BLAS threads
    that compete with numba's spinning workers. The sum runs over cache-sized
    chunks of i, so each array is read once; every worker sums its own share
    of the chunks (``workers``: numba's thread count).
    """
    count, size = rows.shape[0], rows.shape[1]
    width = vectors.shape[0]
    chunk = 2048
    chunks = (size + chunk - 1) // chunk
    workers = max(1, min(workers, chunks))
    partial = np.zeros((workers, count, width), dtype=np.complex128)
    for w in nb.prange(workers):
        for c in range(w, chunks, workers):
            start = c * chunk
            stop = min(size, start + chunk)
            for b in range(count):
                for k in range(width):
                    re = 0.0
                    im = 0.0
                    for i in range(start, stop):
                        v = vectors[k, i]
                        re += rows[b, i].real * v
                        im += rows[b, i].imag * v
                    partial[w, b, k] += re + 1j * im
    out = np.zeros((count, width), dtype=np.complex128)
    for w in range(workers):
        out += partial[w]
    return out
