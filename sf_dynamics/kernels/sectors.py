"""Blocks of a Lindblad generator applied without building it: the excitation-number sectors of ``exact``.

A block X of the density matrix (ket states of one excitation number, bra states of another, both
listed in the product basis) is a dense row-major matrix. The generator acts on it through

* a coherent part X -> A X + X B^dag with sparse (CSR) A and B (the non-Hermitian -i H - K / 2 of the
  ket's and the bra's excitation numbers), :func:`coherent`;
* jump parts X -> sum_{d, e} W_de S_d Y S_e^dag, where every S_d has at most one entry per row (a lowering,
  raising or projecting operator of one dipole in the product basis) and Y is the block the jumps come
  from. Each row a of S_d is stored as (dipole d, source column, value): a general W visits only the
  dipoles present in the row of a and of b, :func:`gather_pairs`; a diagonal W pairs each dipole with
  itself only, :func:`gather_diagonal`.
"""

from __future__ import annotations

import numba as nb
import numpy as np

__all__ = ["coherent", "gather_pairs", "gather_diagonal"]


@nb.njit(parallel=True, cache=True)
def coherent(x, a_ptr, a_col, a_val, b_ptr, b_col, b_val, out):
    """out = A x + x B^dag for CSR matrices A (rows of x) and B (columns of x); x and out (rows, cols) complex."""
    rows, cols = x.shape
    for a in nb.prange(rows):
        for b in range(cols):
            out[a, b] = 0.0
        for p in range(a_ptr[a], a_ptr[a + 1]):
            k = a_col[p]
            g = a_val[p]
            for b in range(cols):
                out[a, b] += g * x[k, b]
        for b in range(cols):
            acc = 0.0j
            for p in range(b_ptr[b], b_ptr[b + 1]):
                acc += x[a, b_col[p]] * np.conj(b_val[p])
            out[a, b] += acc


@nb.njit(parallel=True, cache=True)
def gather_pairs(y, k_ptr, k_dip, k_src, k_val, b_ptr, b_dip, b_src, b_val, weights, out):
    """out[a, b] += sum over the entries p of row a and r of row b of W[d_p, d_r] v_p conj(v_r) y[s_p, s_r].

    ``k_*`` are the rows of the ket-side operators (CSR over the rows of out: dipole, source row of y,
    value), ``b_*`` those of the bra side (source column of y); weights is W (dipoles x dipoles, complex).
    """
    rows, cols = out.shape
    for a in nb.prange(rows):
        for p in range(k_ptr[a], k_ptr[a + 1]):
            wrow = weights[k_dip[p]]
            yrow = y[k_src[p]]
            acc_row = k_val[p]
            for b in range(cols):
                acc = 0.0j
                for r in range(b_ptr[b], b_ptr[b + 1]):
                    acc += wrow[b_dip[r]] * np.conj(b_val[r]) * yrow[b_src[r]]
                out[a, b] += acc_row * acc


@nb.njit(parallel=True, cache=True)
def gather_diagonal(y, k_src, k_val, b_src, b_val, weights, out):
    """out[a, b] += sum_d w_d v_d(a) conj(v_d(b)) y[s_d(a), s_d(b)] for a diagonal W.

    ``k_src``/``k_val`` (dipoles, rows of out) give the source row and value of each dipole's operator in
    row a (source -1: no entry), ``b_src``/``b_val`` (dipoles, columns of out) the same on the bra side;
    weights (dipoles,) complex.
    """
    rows, cols = out.shape
    dipoles = weights.shape[0]
    for a in nb.prange(rows):
        for d in range(dipoles):
            s = k_src[d, a]
            if s < 0:
                continue
            c = weights[d] * k_val[d, a]
            yrow = y[s]
            bs = b_src[d]
            bv = b_val[d]
            for b in range(cols):
                t = bs[b]
                if t >= 0:
                    out[a, b] += c * np.conj(bv[b]) * yrow[t]
