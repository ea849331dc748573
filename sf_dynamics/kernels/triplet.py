"""Numba kernel of the second-order cumulant equations for triplet nanocrystals.

Variables (dipoles indexed x = 3 i + alpha, P_{i,ab} = |a><b|_i,
sigma_{i a} = |g><a|_i, E_i[a, b] = <P_{i,ab}>, g_i = 1 - tr E_i):

* C[x, y] = <sigma_x^+ sigma_y> (3n x 3n, Hermitian); the 3 x 3 diagonal
  blocks are the excited-state density matrices E_i;
* W[i, j, a, b, c, d] = <P_{i,ab} P_{j,cd}> for i != j.

With G = Gamma/2 - i Omega, X = G' C (G' without the NC blocks, one BLAS
product), and three-body cumulants dropped:

    dE_i = i[eps_i, E_i] - 2 gamma_phi E_i^(off-diag) - {Gamma^ii, E_i}/2 + T_i,
        T_i[a,b] = -(X[ia, ib] + conj X[ib, ia])
    dC_ij[al,be] = (i(eps_ial - eps_jbe) - 2 gamma_phi) C_ij - (Gamma^ii C_ij + C_ij Gamma^jj)/2 [al,be]
        + sum_{mu nu} Gamma[j mu, i nu] W_ij[al nu, mu be]
        - sum_mu G[j mu, i al] (E_j[mu,be] - sum_e W_ij[e e, mu be])
        - sum_nu conj G[j be, i nu] (E_i[al,nu] - sum_e W_ij[al nu, e e])
        + sum_nu (E_i[al,nu] - delta g_i) Z[nu,be],     Z = X[i., j.] - G[i., j.] E_j
        + sum_mu Z'[al,mu] (E_j[mu,be] - delta g_j),    Z' = conj X[j., i.]^T - E_i conj G[i., j.]
    dW_ij[ab,cd] = (i(eps_ia - eps_ib + eps_jc - eps_jd) - 2 gamma_phi ([a!=b] + [c!=d])) W_ij[ab,cd]
        - local decay of both NCs (Gamma^ii, Gamma^jj acting on the P indices)
        + T_i^(j)[a,b] E_j[c,d] + E_i[a,b] T_j^(i)[c,d]

where T_i^(j) is T_i without the terms of NC j. For a single sublevel these
reduce to the two-level equations of :mod:`sf_dynamics.kernels.cumulant`.
"""

from __future__ import annotations

import numba as nb
import numpy as np

__all__ = ["triplet_pair_rhs", "triplet_observables"]


@nb.njit(cache=True)
def _onsite_T(X, n):
    t = np.empty((n, 3, 3), dtype=np.complex128)
    for i in range(n):
        for a in range(3):
            for b in range(3):
                t[i, a, b] = -(X[3 * i + a, 3 * i + b] + np.conj(X[3 * i + b, 3 * i + a]))
    return t


@nb.njit(parallel=True, cache=True)
def triplet_pair_rhs(C, W, X, G, gamma, eps, dephasing, dC, dW):
    """Write dC (3n x 3n) and dW (n, n, 3, 3, 3, 3) of the triplet cumulant equations.

    dW[i, i] is set to zero (unused).
    """
    n = W.shape[0]
    # on-NC decay blocks diagonal (orthogonal dipoles): local decay of W is then a scalar per entry
    diagonal_blocks = True
    for i in range(n):
        for a in range(3):
            for b in range(3):
                if a != b and gamma[3 * i + a, 3 * i + b] != 0.0:
                    diagonal_blocks = False
    t_all = _onsite_T(X, n)
    ground = np.empty(n)
    for i in range(n):
        tr = 0.0
        for a in range(3):
            tr += C[3 * i + a, 3 * i + a].real
        ground[i] = 1.0 - tr
    for i in nb.prange(n):
        ei = C[3 * i : 3 * i + 3, 3 * i : 3 * i + 3]
        gi = gamma[3 * i : 3 * i + 3, 3 * i : 3 * i + 3]
        tr_i = np.empty((3, 3), dtype=np.complex128)
        tr_j = np.empty((3, 3), dtype=np.complex128)
        z = np.empty((3, 3), dtype=np.complex128)
        zp = np.empty((3, 3), dtype=np.complex128)
        ti = np.empty((3, 3), dtype=np.complex128)
        tj = np.empty((3, 3), dtype=np.complex128)
        dW[i, i] = 0.0
        # single-NC block
        for a in range(3):
            for b in range(3):
                val = (1j * (eps[3 * i + a] - eps[3 * i + b])) * ei[a, b]
                if a != b:
                    val -= 2.0 * dephasing * ei[a, b]
                for m in range(3):
                    val -= 0.5 * (gi[a, m] * ei[m, b] + ei[a, m] * gi[m, b])
                dC[3 * i + a, 3 * i + b] = val + t_all[i, a, b]
        for j in range(n):
            if j == i:
                continue
            ej = C[3 * j : 3 * j + 3, 3 * j : 3 * j + 3]
            gj = gamma[3 * j : 3 * j + 3, 3 * j : 3 * j + 3]
            w = W[i, j]
            # traces of W over one NC's sublevel pair: sum_e W[e e, c d] and sum_e W[a b, e e]
            tr_i[:, :] = 0.0
            tr_j[:, :] = 0.0
            for e in range(3):
                for p in range(3):
                    for r in range(3):
                        tr_i[p, r] += w[e, e, p, r]
                        tr_j[p, r] += w[p, r, e, e]
            for p in range(3):
                for r in range(3):
                    acc = X[3 * i + p, 3 * j + r]
                    accp = np.conj(X[3 * j + r, 3 * i + p])
                    for m in range(3):
                        acc -= G[3 * i + p, 3 * j + m] * ej[m, r]
                        accp -= ei[p, m] * np.conj(G[3 * i + m, 3 * j + r])
                    z[p, r] = acc
                    zp[p, r] = accp
            for al in range(3):
                for be in range(3):
                    cij = C[3 * i + al, 3 * j + be]
                    val = (1j * (eps[3 * i + al] - eps[3 * j + be]) - 2.0 * dephasing) * cij
                    for m in range(3):
                        val -= 0.5 * (gi[al, m] * C[3 * i + m, 3 * j + be] + C[3 * i + al, 3 * j + m] * gj[m, be])
                    for mu in range(3):
                        for nu in range(3):
                            val += gamma[3 * j + mu, 3 * i + nu] * w[al, nu, mu, be]
                    for mu in range(3):
                        val -= G[3 * j + mu, 3 * i + al] * (ej[mu, be] - tr_i[mu, be])
                    for nu in range(3):
                        val -= np.conj(G[3 * j + be, 3 * i + nu]) * (ei[al, nu] - tr_j[al, nu])
                    for nu in range(3):
                        fac = ei[al, nu] - (ground[i] if al == nu else 0.0)
                        val += fac * z[nu, be]
                    for mu in range(3):
                        fac = ej[mu, be] - (ground[j] if mu == be else 0.0)
                        val += zp[al, mu] * fac
                    dC[3 * i + al, 3 * j + be] = val
            # third-NC sources without NC j (for i) and without NC i (for j)
            for a in range(3):
                for b in range(3):
                    acc_i = t_all[i, a, b]
                    acc_j = t_all[j, a, b]
                    for m in range(3):
                        acc_i += G[3 * j + m, 3 * i + a] * C[3 * j + m, 3 * i + b] + np.conj(
                            G[3 * i + b, 3 * j + m]) * C[3 * i + a, 3 * j + m]
                        acc_j += G[3 * i + m, 3 * j + a] * C[3 * i + m, 3 * j + b] + np.conj(
                            G[3 * j + b, 3 * i + m]) * C[3 * j + a, 3 * i + m]
                    ti[a, b] = acc_i
                    tj[a, b] = acc_j
            for a in range(3):
                for b in range(3):
                    for c in range(3):
                        for d in range(3):
                            phase = eps[3 * i + a] - eps[3 * i + b] + eps[3 * j + c] - eps[3 * j + d]
                            val = (1j * phase) * w[a, b, c, d]
                            off = (a != b) + (c != d)
                            if off:
                                val -= 2.0 * dephasing * off * w[a, b, c, d]
                            if diagonal_blocks:
                                val -= 0.5 * (gi[a, a] + gi[b, b] + gj[c, c] + gj[d, d]) * w[a, b, c, d]
                            else:
                                for m in range(3):
                                    val -= 0.5 * (gi[m, a] * w[m, b, c, d] + gi[b, m] * w[a, m, c, d]
                                                  + gj[m, c] * w[a, b, m, d] + gj[d, m] * w[a, b, c, m])
                            val += ti[a, b] * ej[c, d] + ei[a, b] * tj[c, d]
                            dW[i, j, a, b, c, d] = val


@nb.njit(cache=True)
def triplet_observables(C, gamma):
    """(intensity, excitation, intensity_x, intensity_y, intensity_z) of a triplet state."""
    m = C.shape[0]
    out = np.zeros(5)
    for x in range(m):
        for y in range(m):
            val = gamma[x, y] * C[x, y].real
            out[0] += val
            out[2 + x % 3] += val
        out[1] += C[x, x].real
    return out
