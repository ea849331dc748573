"""Numba kernels of the truncated-Wigner (TWA) trajectories with dissipative noise.

Each two-level emitter k is a classical spin: a complex dipole beta_k (the
Weyl symbol of s-_k) and an inversion z_k (of s^z_k). The initial values
are sampled from the discrete Wigner distribution of spin 1/2 (DTWA:
s_x, s_y = +-1, so |beta|^2 = 1/2). Between samples of the noise the drift
is the mean-field one; the noise terms are fixed by requiring that the
averaged equations of the first and second moments equal the exact ones
(docs/conventions.md), which in particular restores the spontaneous-
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
Omega; integrated by :func:`sf_dynamics.kernels.class_spins.class_spin_trajectories`
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
(predictor-corrector) step with the noise drawn once per step. Per-emitter
trajectories advance in batches (columns of n x batch arrays), so the
couplings sum_j (Gamma_kj/2 + i Omega_kj) beta_j of a whole batch are real
matrix products done by BLAS; the kernels here are the element-wise rest.
"""

from __future__ import annotations

import math

import numba as nb

__all__ = ["rotate_phases", "heun_predictor", "heun_corrector", "batch_observables"]


@nb.njit(parallel=True, cache=True)
def rotate_phases(beta, phase_per_step, kicks, kick_scale):
    """beta[k, r] *= exp(i (phase_per_step[k] + kick_scale * kicks[k, r])) (detuning and dephasing, exact)."""
    n, batch = beta.shape
    for k in nb.prange(n):
        for r in range(batch):
            phase = phase_per_step[k] + kick_scale * kicks[k, r]
            beta[k, r] *= complex(math.cos(phase), math.sin(phase))


@nb.njit(inline="always", cache=True)
def _field(half_gamma_beta, omega_beta, k, r):
    """v = (Gamma/2 + i Omega) beta from the two real-matrix products."""
    a = half_gamma_beta[k, r]
    b = omega_beta[k, r]
    return complex(a.real - b.imag, a.imag + b.real)


@nb.njit(inline="always", cache=True)
def _drift(beta, z, v, decay, pumping):
    dbeta = (-0.5 * decay - 0.5 * pumping) * beta + z * v
    dz = -decay * (1.0 + z) + pumping * (1.0 - z) - 4.0 * (beta.conjugate() * v).real
    return dbeta, dz


@nb.njit(parallel=True, cache=True)
def heun_predictor(beta, z, half_gamma_beta, omega_beta, noise, decay, pumping, dt,
                   dbeta, dz, beta_pred, z_pred):
    """Euler predictor of the stochastic Heun step for a batch of trajectories (columns).

    ``half_gamma_beta`` and ``omega_beta`` are (Gamma/2) beta and Omega beta
    with zero-diagonal matrices; ``noise`` the decay/pumping increments d eta.
    Stores the drift in ``dbeta``, ``dz`` and the predicted state.
    """
    n, batch = beta.shape
    for k in nb.prange(n):
        for r in range(batch):
            v = _field(half_gamma_beta, omega_beta, k, r)
            db, dzz = _drift(beta[k, r], z[k, r], v, decay[k], pumping)
            dbeta[k, r] = db
            dz[k, r] = dzz
            beta_pred[k, r] = beta[k, r] + dt * db + z[k, r] * noise[k, r]
            z_pred[k, r] = z[k, r] + dt * dzz


@nb.njit(parallel=True, cache=True)
def heun_corrector(beta, z, beta_pred, z_pred, half_gamma_beta, omega_beta, noise, decay, pumping, dt,
                   dbeta, dz):
    """Trapezoidal corrector: updates ``beta`` and ``z`` in place (products taken at the predicted state)."""
    n, batch = beta.shape
    for k in nb.prange(n):
        for r in range(batch):
            v = _field(half_gamma_beta, omega_beta, k, r)
            db2, dz2 = _drift(beta_pred[k, r], z_pred[k, r], v, decay[k], pumping)
            beta[k, r] += 0.5 * dt * (dbeta[k, r] + db2) + 0.5 * (z[k, r] + z_pred[k, r]) * noise[k, r]
            z[k, r] += 0.5 * dt * (dz[k, r] + dz2)


@nb.njit(parallel=True, cache=True)
def batch_observables(beta, z, half_gamma_beta, decay, estimator, shot, excitation):
    """Per trajectory (column): the intensity estimator, the single-shot trace and the excitation.

    estimator = sum_k Gamma_kk n_k + sum_{k != j} Gamma_kj Re(conj(beta_k) beta_j), n_k = (1 + z_k) / 2:
    its trajectory average is the quantum intensity (Weyl symbols of different spins commute);
    shot = sum_kj Gamma_kj Re(conj(beta_k) beta_j) >= 0, the classical field intensity of the
    trajectory (it differs by sum_k Gamma_kk (|beta_k|^2 - n_k), the symmetric-ordering part).
    """
    n, batch = beta.shape
    for r in nb.prange(batch):
        cross = 0.0
        local = 0.0
        vacuum = 0.0
        exc = 0.0
        for k in range(n):
            nk = 0.5 * (1.0 + z[k, r])
            exc += nk
            b = beta[k, r]
            local += decay[k] * nk
            vacuum += decay[k] * (b.real * b.real + b.imag * b.imag)
            cross += 2.0 * (b.conjugate() * half_gamma_beta[k, r]).real
        estimator[r] = local + cross
        shot[r] = vacuum + cross
        excitation[r] = exc
