"""Per-emitter truncated-Wigner trajectories in batches (engine ``emitters`` of method ``twa``).

Every trajectory carries n classical spins (beta_k, z_k). A batch of B
trajectories is held as n x B arrays, so each step's couplings
sum_j (Gamma_kj/2 + i Omega_kj) beta_j and correlated decay noise
sum_j F_kj dxi_j (F F^T = Gamma/2) are real n x n times n x 2B matrix
products (BLAS), and the rest is done by the element-wise numba kernels of
:mod:`sf_dynamics.kernels.twa` (equations there). Random numbers come from
NumPy's PCG64 generator seeded with (seed, first trajectory of the batch),
so results depend only on the seed, the trajectory count and the batch size.
"""

from __future__ import annotations

import numpy as np

from ..kernels import twa as kt
from ._models import EmitterModel

__all__ = ["BATCH", "emitter_trajectories"]

#: trajectories advanced together (columns of the matrix products)
BATCH = 128


def _initial_spins(rng, n, batch, z0, theta, phi):
    """Discrete-Wigner samples s_x, s_y = +-1 along z0, rotated by theta about y then phi about z."""
    sx = rng.integers(0, 2, size=(n, batch)) * 2.0 - 1.0
    sy = rng.integers(0, 2, size=(n, batch)) * 2.0 - 1.0
    x1 = np.cos(theta) * sx + np.sin(theta) * z0
    z1 = -np.sin(theta) * sx + np.cos(theta) * z0
    x2 = np.cos(phi) * x1 - np.sin(phi) * sy
    y2 = np.sin(phi) * x1 + np.cos(phi) * sy
    return np.ascontiguousarray(0.5 * (x2 - 1j * y2)), np.ascontiguousarray(z1)


def _real_columns(array):
    """View an (n, B) complex array as (n, 2B) float64 (re, im interleaved)."""
    return array.view(np.float64)


def emitter_trajectories(model: EmitterModel, trajectories, seed, z0, theta, phi, dt, n_steps, every,
                         intensity, excitation, batch=BATCH, progress=None):
    """Run ``trajectories`` per-emitter TWA trajectories and record their traces.

    Parameters
    ----------
    model : EmitterModel
        Gamma (n x n, symmetric PSD), Omega, detunings, dephasing, pumping.
    trajectories : int
    seed : int
    z0, theta, phi : float
        Initial spins along z0 (+1 excited, -1 ground), rotated by theta about
        y and phi about z (a coherent spin state).
    dt : float
        Time step (ps).
    n_steps, every : int
        Steps in total; record every ``every`` steps.
    intensity, excitation : ndarray, shape (trajectories, n_records)
        Filled in place (photons/ps and excited emitters).
    batch : int
        Trajectories per batch.
    progress : object with ``update(n)``, optional
        Advanced by the batch size after each batch.
    """
    n = model.size
    decay = np.ascontiguousarray(np.diag(model.gamma))
    half_gamma = np.ascontiguousarray(model.half_offdiagonal_gamma())
    omega = np.ascontiguousarray(model.omega) if model.has_omega else None
    lam, vec = np.linalg.eigh(model.gamma)
    noise_factor = np.ascontiguousarray(vec * np.sqrt(np.clip(lam, 0.0, None) / 2.0))
    phase_per_step = np.ascontiguousarray(-model.detunings * dt)
    kick_scale = np.sqrt(2.0 * model.dephasing * dt)
    pump_scale = np.sqrt(0.25 * model.pumping * dt)  # sqrt(P dt / 2) per complex increment, sqrt(1/2) per part
    for first in range(0, trajectories, batch):
        size = min(batch, trajectories - first)
        rng = np.random.default_rng([seed, first])
        beta, z = _initial_spins(rng, n, size, z0, theta, phi)
        shape = (n, size)
        work = {name: np.empty(shape, dtype=np.complex128) for name in ("gb", "ob", "noise", "xi", "db", "bp")}
        dz, zp, kicks, pump = np.empty(shape), np.empty(shape), np.zeros(shape), np.empty((n, 2 * size))
        if omega is None:
            work["ob"][:] = 0.0
        xi_real = _real_columns(work["xi"])

        def products(state):
            np.matmul(half_gamma, _real_columns(state), out=_real_columns(work["gb"]))
            if omega is not None:
                np.matmul(omega, _real_columns(state), out=_real_columns(work["ob"]))

        rotate = kick_scale > 0.0 or bool(np.any(phase_per_step))
        record = 0
        for step in range(n_steps + 1):
            fresh = step % every == 0
            if fresh:
                products(beta)
                kt.batch_observables(beta, z, work["gb"], decay, intensity[first : first + size, record],
                                     excitation[first : first + size, record])
                record += 1
            if step == n_steps:
                break
            if rotate:  # exact phase rotation: detuning and dephasing kicks
                if kick_scale > 0.0:
                    rng.standard_normal(out=kicks)
                kt.rotate_phases(beta, phase_per_step, kicks, kick_scale)
                fresh = False
            if not fresh:
                products(beta)
            # decay noise F dxi with <|dxi|^2> = dt, plus independent pumping noise
            rng.standard_normal(out=xi_real)
            xi_real *= np.sqrt(0.5 * dt)
            np.matmul(noise_factor, xi_real, out=_real_columns(work["noise"]))
            if pump_scale > 0.0:
                rng.standard_normal(out=pump)
                pump *= pump_scale
                _real_columns(work["noise"])[:] += pump
            kt.heun_predictor(beta, z, work["gb"], work["ob"], work["noise"], decay, model.pumping, dt,
                              work["db"], dz, work["bp"], zp)
            products(work["bp"])
            kt.heun_corrector(beta, z, work["bp"], zp, work["gb"], work["ob"], work["noise"], decay,
                              model.pumping, dt, work["db"], dz)
        if progress is not None:
            progress.update(size)
