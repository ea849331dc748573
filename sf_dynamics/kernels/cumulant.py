"""Numba kernels of the second-order (phase-invariant) cumulant and mean-field equations.

Two-level emitters, the master equation of docs/conventions.md with a general decay matrix
Gamma, coherent coupling Omega (zero diagonal), detunings delta, dephasing
gamma_phi ((gamma_phi / 2) D[s_z]) and pumping P. Variables:

* n_k = <s+_k s-_k> (excited population),
* C_kl = <s+_k s-_l> (k != l, Hermitian),
* N_kl = <n_k n_l> (k != l, symmetric),

with three-body cumulants dropped: <s+_i s-_l s^z_k> -> C_il s_k and
<s+_j s-_k n_l> -> C_jk n_l (s_k = 2 n_k - 1). With G = Gamma/2 - i Omega
(zero diagonal) the equations are

    dn_k/dt  = -Gamma_kk n_k - F_k + P (1 - n_k),
               F_k = sum_{j != k} (Gamma_kj Re C_kj - 2 Omega_kj Im C_kj)
    dC_kl/dt = [i(delta_k - delta_l) - (Gamma_kk + Gamma_ll)/2 - 2 gamma_phi - P] C_kl
               + Gamma_kl (2 N_kl - (n_k + n_l)/2) + i Omega_kl (n_l - n_k)
               + s_k sum_{i != k,l} G_ki C_il + s_l sum_{j != k,l} C_kj conj(G_jl)
    dN_kl/dt = -(Gamma_kk + Gamma_ll + 2P) N_kl + P (n_k + n_l)
               - (F_k - Gamma_kl Re C_kl + 2 Omega_kl Im C_kl) n_l
               - (F_l - Gamma_kl Re C_kl - 2 Omega_kl Im C_kl) n_k

Per emitter the two third-site sums are one matrix product X = G C (with
C_kk = n_k), done by BLAS; these kernels do the O(n^2) element-wise rest.
For K spectral classes with identical coupling (Gamma_ij = Gamma_c, i != j;
Gamma_ii = Gamma_c + gamma; Omega = 0) the same equations hold per class
pair, with the sums over other emitters weighted by the class counts.

Mean field (first order, product states) evolves beta_k = <s-_k> and n_k:

    dbeta_k/dt = (-i delta_k - Gamma_kk/2 - gamma_phi - P/2) beta_k
                 + s_k sum_{j != k} (Gamma_kj / 2 + i Omega_kj) beta_j
    dn_k/dt    = -Gamma_kk n_k - 2 Re(conj(beta_k) sum_{j != k} (Gamma_kj/2 + i Omega_kj) beta_j) + P (1 - n_k)
"""

from __future__ import annotations

import numba as nb
import numpy as np

__all__ = ["emitter_pair_rhs", "class_pair_rhs", "class_intensity", "class_meanfield_rhs", "class_sum"]

_JIT = dict(cache=True)


_TILE = 64  # square tiles of the pair loop: the transposed reads X_lk stay in cache


@nb.njit(parallel=True, **_JIT)
def emitter_pair_rhs(n, Cr, Ci, Np, Xr, Xi, gamma, omega, det, dephasing, pumping, dn, dCr, dCi, dNp):
    """Element-wise part of the per-emitter cumulant equations.

    ``X = G C`` (split in real and imaginary parts) must be computed before,
    with G = Gamma/2 - i Omega on the off-diagonal and C_kk = n_k. Writes the
    derivatives of n, C (real/imag) and N (the diagonals of dC and dN hold dn).
    Each pair k < l is evaluated once and mirrored, so dC is exactly
    Hermitian and dN exactly symmetric; the loop runs over square tiles
    (upper triangle in parallel) so that the transposed reads stay in cache.
    """
    size = n.shape[0]
    flux = np.empty(size)
    for k in range(size):
        flux[k] = 2.0 * Xr[k, k]
        dn[k] = -gamma[k, k] * n[k] - flux[k] + pumping * (1.0 - n[k])
        dCr[k, k] = dn[k]
        dCi[k, k] = 0.0
        dNp[k, k] = dn[k]
    tiles = (size + _TILE - 1) // _TILE
    rows = np.empty(tiles * (tiles + 1) // 2, dtype=np.int64)
    cols = np.empty_like(rows)
    pair = 0
    for row in range(tiles):
        for col in range(row, tiles):
            rows[pair] = row
            cols[pair] = col
            pair += 1
    for index in nb.prange(rows.size):
        row = rows[index]
        col = cols[index]
        k_end = min(size, (row + 1) * _TILE)
        l_end = min(size, (col + 1) * _TILE)
        for k in range(row * _TILE, k_end):
            nk = n[k]
            sk = 2.0 * nk - 1.0
            gkk = gamma[k, k]
            for l in range(max(col * _TILE, k + 1), l_end):
                nl = n[l]
                sl = 2.0 * nl - 1.0
                g = gamma[k, l]
                w = omega[k, l]
                cr = Cr[k, l]
                ci = Ci[k, l]
                decay = -0.5 * (gkk + gamma[l, l]) - 2.0 * dephasing - pumping
                dd = det[k] - det[l]
                # linear terms: [i dd + decay] C
                re = decay * cr - dd * ci
                im = decay * ci + dd * cr
                re += g * (2.0 * Np[k, l] - 0.5 * (nk + nl))
                im += w * (nl - nk)
                # s_k (X_kl - G_kl n_l), G_kl = g/2 - i w
                re += sk * (Xr[k, l] - 0.5 * g * nl)
                im += sk * (Xi[k, l] + w * nl)
                # s_l (conj(X_lk) - n_k conj(G_kl)), conj(G_kl) = g/2 + i w
                re += sl * (Xr[l, k] - 0.5 * g * nk)
                im += sl * (-Xi[l, k] - w * nk)
                dCr[k, l] = re
                dCr[l, k] = re
                dCi[k, l] = im
                dCi[l, k] = -im
                value = (
                    -(gkk + gamma[l, l] + 2.0 * pumping) * Np[k, l]
                    + pumping * (nk + nl)
                    - (flux[k] - g * cr + 2.0 * w * ci) * nl
                    - (flux[l] - g * cr - 2.0 * w * ci) * nk
                )
                dNp[k, l] = value
                dNp[l, k] = value


@nb.njit(**_JIT)
def class_pair_rhs(n, Cr, Ci, Np, det, others, thirds, exclude, gamma0, gamma_c, dephasing, pumping,
                   dn, dCr, dCi, dNp):
    """Cumulant equations for K spectral classes with identical coupling (O(K^2)).

    C_ab and N_ab are the correlations of two *different* emitters in classes
    a and b (a = b included). Sums over the other emitters j != k seen from
    an emitter of class a count ``others[b] - exclude * (a == b)`` emitters of
    class b; sums over a third emitter i != k, l count ``thirds[c] -
    exclude * ((c == a) + (c == b))``. With integer class counts, others =
    thirds = counts and exclude = 1 (exact grouping of identical emitters);
    for a continuous spectrum others = (N - 1) w, thirds = (N - 2) w and
    exclude = 0.
    """
    k_cls = n.shape[0]
    # third-site coherence sums S_b = sum_c thirds_c C_cb, R_a = sum_c thirds_c Re C_ac
    sr = np.zeros(k_cls)
    si = np.zeros(k_cls)
    flux = np.zeros(k_cls)
    for b in range(k_cls):
        for c in range(k_cls):
            sr[b] += thirds[c] * Cr[c, b]
            si[b] += thirds[c] * Ci[c, b]
            flux[b] += (others[c] - exclude * (c == b)) * Cr[b, c]
        flux[b] *= gamma_c
        dn[b] = -gamma0 * n[b] - flux[b] + pumping * (1.0 - n[b])
    half = 0.5 * gamma_c
    for a in range(k_cls):
        sa = 2.0 * n[a] - 1.0
        for b in range(k_cls):
            sb = 2.0 * n[b] - 1.0
            cr = Cr[a, b]
            ci = Ci[a, b]
            decay = -gamma0 - 2.0 * dephasing - pumping
            dd = det[a] - det[b]
            re = decay * cr - dd * ci + gamma_c * (2.0 * Np[a, b] - 0.5 * (n[a] + n[b]))
            im = decay * ci + dd * cr
            # s_a * Gamma_c/2 * sum_{i != k,l} C_il  = S_b - e C_ab - e C_bb
            re += sa * half * (sr[b] - exclude * (cr + Cr[b, b]))
            im += sa * half * (si[b] - exclude * (ci + Ci[b, b]))
            # s_b * Gamma_c/2 * sum_{j != k,l} C_kj = conj(S_a) - e C_aa - e C_ab
            re += sb * half * (sr[a] - exclude * (Cr[a, a] + cr))
            im += sb * half * (-si[a] - exclude * (Ci[a, a] + ci))
            dCr[a, b] = re
            dCi[a, b] = im
            third_a = gamma_c * (sr[a] - exclude * (Cr[a, a] + cr))
            third_b = gamma_c * (sr[b] - exclude * (Cr[b, b] + cr))
            dNp[a, b] = (
                -2.0 * (gamma0 + pumping) * Np[a, b]
                + pumping * (n[a] + n[b])
                - third_a * n[b]
                - third_b * n[a]
            )


@nb.njit(**_JIT)
def class_intensity(n, Cr, counts, others, exclude, gamma0, gamma_c):
    """Photon emission rate of K classes: Gamma_0 sum_a N_a n_a + Gamma_c sum_{pairs} Re C."""
    k_cls = n.shape[0]
    total = 0.0
    for a in range(k_cls):
        total += gamma0 * counts[a] * n[a]
        pair = 0.0
        for b in range(k_cls):
            pair += (others[b] - exclude * (a == b)) * Cr[a, b]
        total += gamma_c * counts[a] * pair
    return total


@nb.njit(**_JIT)
def class_meanfield_rhs(br, bi, n, det, others, exclude, gamma0, gamma_c, dephasing, pumping, dbr, dbi, dn):
    """Mean-field equations for K classes with identical coupling (O(K^2))."""
    k_cls = n.shape[0]
    half = 0.5 * gamma_c
    for a in range(k_cls):
        vr = 0.0
        vi = 0.0
        for b in range(k_cls):
            weight = others[b] - exclude * (a == b)
            vr += weight * br[b]
            vi += weight * bi[b]
        vr *= half
        vi *= half
        sa = 2.0 * n[a] - 1.0
        lin = -0.5 * gamma0 - dephasing - 0.5 * pumping
        # (-i delta + lin) beta + s v
        dbr[a] = lin * br[a] + det[a] * bi[a] + sa * vr
        dbi[a] = lin * bi[a] - det[a] * br[a] + sa * vi
        dn[a] = -gamma0 * n[a] - 2.0 * (br[a] * vr + bi[a] * vi) + pumping * (1.0 - n[a])


@nb.njit(**_JIT)
def class_sum(weights, moment, axis):
    """sum_e weights[e] moment[e, x, y] (axis 0) or moment[x, e, y] (axis 1) of a (K, K, M) array.

    The sum over the class of a new emitter in the generated third-order equations
    (:mod:`.cumulant_generated`): O(K^2 M).
    """
    k_cls, size = moment.shape[0], moment.shape[2]
    out = np.zeros((k_cls, size), dtype=np.complex128)
    for x in range(k_cls):
        for y in range(size):
            for e in range(k_cls):
                out[x, y] += weights[e] * (moment[e, x, y] if axis == 0 else moment[x, e, y])
    return out
