"""Numba kernels of the truncated-Wigner (TWA) trajectories with dissipative noise.

Each two-level emitter k is a classical spin: a complex dipole beta_k (the
Weyl symbol of s-_k) and an inversion z_k (of s^z_k). The initial values
are sampled from the discrete Wigner distribution of spin 1/2 (DTWA:
s_x, s_y = +-1, so |beta|^2 = 1/2). Between samples of the noise the drift
is the mean-field one; the noise terms are fixed by requiring that the
averaged equations of the first and second moments equal the exact ones
(DESIGN.md master equation), which in particular restores the spontaneous-
emission source Gamma_kl z_k z_l / 2 of <s+_k s-_l> that noiseless classical
spins miss:

    d beta_k = [-i delta_k - Gamma_kk/2 - P/2] beta_k dt
               + z_k sum_{j != k} (Gamma_kj/2 + i Omega_kj) beta_j dt
               + z_k (d eta_k + d eta^P_k)                       (decay and pumping noise)
               + dephasing: beta_k -> beta_k exp(i sqrt(2 gamma_phi) dW_k)
    d z_k    = [-Gamma_kk (1 + z_k) + P (1 - z_k)] dt
               - 4 Re(conj(beta_k) sum_{j != k} (Gamma_kj/2 + i Omega_kj) beta_j) dt

with complex Gaussian increments <d eta_k^* d eta_l> = Gamma_kl dt / 2 and
<d eta^P_k^* d eta^P_l> = P delta_kl dt / 2. The noise keeps the Wigner
spin length <|beta_k|^2> = 1/2 under decay, pumping and dephasing.

Class spins (identical coupling Gamma_c off-diagonal, Gamma_0 diagonal, no
Omega; integrated by :func:`sf_dynamics.kernels.maxwell_bloch.mb_trajectories`
with a single slice): one classical spin per spectral class a, B_a = sum_{k in a} beta_k
and the class-mean inversion z_a, closed with z_k -> z_a and
sum_{k in a} |beta_k|^2 -> N_a / 2:

    dB_a = [-i delta_a - Gamma_0/2 - gamma_phi - P/2] B_a dt + z_a (Gamma_c/2) (N_a B - B_a) dt
           + z_a [sqrt(Gamma_c/2) N_a dxi + sqrt(gamma/2 N_a) dxi_a + sqrt(P/2 N_a) dxi^P_a]
           + sqrt(gamma_phi N_a) dxi^phi_a
    dz_a = [-Gamma_0 (1 + z_a) + P (1 - z_a)] dt - (2 Gamma_c / N_a) Re(conj(B_a) B - N_a/2) dt

(B = sum_a B_a, dxi a noise common to all classes: the collective channel).
Its initial moments and early growth equal the exact ones; for one class it
is the collective-spin TWA of identical emitters.

Integration: split steps. The coherent rotation by the detuning and the
dephasing phase kicks are applied exactly; the rest by a stochastic Heun
(predictor-corrector) step with the noise drawn once per step. Each
trajectory re-seeds the thread's generator with seed + trajectory index, so
results do not depend on how trajectories are distributed over threads.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

__all__ = ["emitter_trajectories", "trajectory_peaks"]


@nb.njit(inline="always", cache=True)
def _cnormal(scale):
    """Circular complex Gaussian with <|x|^2> = scale^2."""
    return scale * math.sqrt(0.5) * complex(np.random.normal(), np.random.normal())


@nb.njit(parallel=True, cache=True)
def emitter_trajectories(n_traj, seed, z0, rot_theta, rot_phi, gamma, omega, noise_factor,
                         det, dephasing, pumping, dt, n_steps, record_every, intensity_out, excitation_out):
    """Per-emitter DTWA trajectories with general Gamma (n x n) and Omega.

    ``noise_factor`` F (n x n) with F F^T = Gamma / 2 gives the correlated
    decay noise d eta = F dxi. The initial spins point along z0 (+1 excited,
    -1 ground) with Wigner-sampled transverse components, then are rotated by
    ``rot_theta`` about y and ``rot_phi`` about z (a coherent spin state).
    Writes the intensity and excitation of every trajectory at every
    ``record_every`` step into (n_traj, n_rec) arrays.
    """
    n = det.shape[0]
    n_rec = intensity_out.shape[1]
    coupling = np.empty((n, n), dtype=np.complex128)
    for k in range(n):
        for j in range(n):
            coupling[k, j] = 0.0 if j == k else 0.5 * gamma[k, j] + 1j * omega[k, j]
    diag = np.empty(n)
    for k in range(n):
        diag[k] = gamma[k, k]
    ct, st = math.cos(rot_theta), math.sin(rot_theta)
    for traj in nb.prange(n_traj):
        np.random.seed(seed + traj)
        beta = np.empty(n, dtype=np.complex128)
        z = np.empty(n)
        for k in range(n):
            sx = 1.0 if np.random.random() < 0.5 else -1.0
            sy = 1.0 if np.random.random() < 0.5 else -1.0
            sz = z0
            # rotate (sx, sy, sz) about y by theta, then about z by phi
            x1 = ct * sx + st * sz
            z1 = -st * sx + ct * sz
            x2 = math.cos(rot_phi) * x1 - math.sin(rot_phi) * sy
            y2 = math.sin(rot_phi) * x1 + math.cos(rot_phi) * sy
            beta[k] = 0.5 * complex(x2, -y2)
            z[k] = z1
        v = np.empty(n, dtype=np.complex128)
        bp = np.empty(n, dtype=np.complex128)
        zp = np.empty(n)
        dbeta = np.empty(n, dtype=np.complex128)
        dz = np.empty(n)
        noise = np.empty(n, dtype=np.complex128)
        xi = np.empty(n, dtype=np.complex128)
        sq_dt = math.sqrt(dt)
        rec = 0
        for step in range(n_steps + 1):
            if step % record_every == 0 and rec < n_rec:
                inten = 0.0
                exc = 0.0
                for k in range(n):
                    nk = 0.5 * (1.0 + z[k])
                    exc += nk
                    inten += diag[k] * nk
                    acc = 0.0j
                    for j in range(n):
                        if j != k:
                            acc += gamma[k, j] * beta[j]
                    inten += (np.conj(beta[k]) * acc).real
                intensity_out[traj, rec] = inten
                excitation_out[traj, rec] = exc
                rec += 1
            if step == n_steps:
                break
            # exact rotations: detuning and dephasing phase kicks
            for k in range(n):
                phase = -det[k] * dt
                if dephasing > 0.0:
                    phase += math.sqrt(2.0 * dephasing) * sq_dt * np.random.normal()
                beta[k] *= complex(math.cos(phase), math.sin(phase))
            # noise increments for this step: decay (correlated), pumping (independent)
            for k in range(n):
                xi[k] = _cnormal(sq_dt)
            for k in range(n):
                acc = 0.0j
                for j in range(n):
                    acc += noise_factor[k, j] * xi[j]
                if pumping > 0.0:
                    acc += _cnormal(math.sqrt(0.5 * pumping) * sq_dt)
                noise[k] = acc
            # Heun predictor
            for k in range(n):
                acc = 0.0j
                for j in range(n):
                    acc += coupling[k, j] * beta[j]
                v[k] = acc
            for k in range(n):
                dbeta[k] = (-0.5 * diag[k] - 0.5 * pumping) * beta[k] + z[k] * v[k]
                dz[k] = -diag[k] * (1.0 + z[k]) + pumping * (1.0 - z[k]) - 4.0 * (np.conj(beta[k]) * v[k]).real
                bp[k] = beta[k] + dt * dbeta[k] + z[k] * noise[k]
                zp[k] = z[k] + dt * dz[k]
            # corrector
            for k in range(n):
                acc = 0.0j
                for j in range(n):
                    acc += coupling[k, j] * bp[j]
                v[k] = acc
            for k in range(n):
                db2 = (-0.5 * diag[k] - 0.5 * pumping) * bp[k] + zp[k] * v[k]
                dz2 = -diag[k] * (1.0 + zp[k]) + pumping * (1.0 - zp[k]) - 4.0 * (np.conj(bp[k]) * v[k]).real
                beta[k] = beta[k] + 0.5 * dt * (dbeta[k] + db2) + 0.5 * (z[k] + zp[k]) * noise[k]
                z[k] = z[k] + 0.5 * dt * (dz[k] + dz2)


@nb.njit(parallel=True, cache=True)
def trajectory_peaks(times, traces):
    """Time and height of each trace's maximum (parabolic refinement), arrays of shape (n_traj,)."""
    n_traj, nt = traces.shape
    t_peak = np.empty(n_traj)
    h_peak = np.empty(n_traj)
    for r in nb.prange(n_traj):
        i = 0
        best = traces[r, 0]
        for s in range(1, nt):
            if traces[r, s] > best:
                best = traces[r, s]
                i = s
        t_peak[r] = times[i]
        h_peak[r] = best
        if 0 < i < nt - 1:
            y0, y1, y2 = traces[r, i - 1], traces[r, i], traces[r, i + 1]
            h = times[i + 1] - times[i]
            denom = y0 - 2.0 * y1 + y2
            if denom < 0.0 and abs(times[i] - times[i - 1] - h) <= 1e-9 * h:
                shift = 0.5 * (y0 - y2) / denom
                t_peak[r] = times[i] + shift * h
                h_peak[r] = y1 - 0.25 * (y0 - y2) * shift
    return t_peak, h_peak
