"""Per-emitter truncated-Wigner trajectories in blocks (engine ``emitters`` of method ``twa``).

Every trajectory carries n classical spins (beta_k, z_k). A block of up to
:data:`BLOCK` trajectories is held as n x B arrays, so each step's
couplings sum_j (Gamma_kj/2 + i Omega_kj) beta_j and correlated decay noise
sum_j F_kj dxi_j (F F^T = Gamma/2) are real matrix products with n x 2B
blocks (BLAS), and the rest is done by the element-wise numba kernels of
:mod:`sf_dynamics.kernels.twa` (equations there).

Regular lattices (``coupling="fft"``): the field (Gamma/2 + i Omega) beta
comes from zero-padded FFTs of the whole block (one forward and one inverse
complex transform,
:meth:`sf_dynamics.geometry.operator.LatticeOperator.offsite_field`) instead
of the two n x n products; it stands in the place of (Gamma/2) beta with a
zero Omega beta (the kernels need only their sum, and the observables' sum
sum_k conj(beta_k) (Gamma/2 beta)_k is real-part equal to it since beta^dag
Omega beta is real). The noise factor F is low rank in either route
(:func:`noise_factor`): Gamma of a lattice a few wavelengths across has far
fewer significant eigenvalues than dipoles, so the noise product costs
n r << n^2 per trajectory and step.

Random numbers: block b draws from its own stream (NumPy PCG64 seeded by
``SeedSequence(seed, spawn_key=(2**32 + b,))``) and always draws the noise
of a full block, of which the first B columns are used. Trajectory r is
therefore the same whatever the total number of trajectories (a run of M
is a prefix of a run of 2M), the number of threads or the worker that
runs its block.
"""

from __future__ import annotations

import numpy as np

from .._executors import interrupt_pending
from ..kernels import twa as kt
from ..kernels.jit import single_threaded
from ._models import EmitterModel
from ._sampling import block_seed_sequence

__all__ = ["BLOCK", "EmitterEngine", "noise_factor", "NOISE_RTOL", "DIRECT_FACTOR_MAX"]

#: trajectories advanced together (columns of the matrix products); fixed, it defines the random streams
BLOCK = 128


#: eigenvalues of Gamma below NOISE_RTOL times the largest carry no noise (covariance error at most that per mode)
NOISE_RTOL = 1e-12
#: up to this size the noise factor comes from a full eigendecomposition, above it from a randomised range finder
DIRECT_FACTOR_MAX = 2000


def _truncated(lam, vec, rtol):
    lam_max = float(lam[-1]) if lam.size else 0.0
    keep = lam > rtol * lam_max
    return np.ascontiguousarray(vec[:, keep] * np.sqrt(lam[keep] / 2.0)), lam_max


def noise_factor(gamma, rtol=NOISE_RTOL, direct_max=DIRECT_FACTOR_MAX):
    """Low-rank real factor F of the decay noise, F F^T = Gamma / 2 without the eigenvalues below rtol * max.

    Small matrices (n <= ``direct_max``) are diagonalised; larger ones are
    sketched: Gamma (Gamma G) for a seeded Gaussian G of growing width, an
    orthonormal basis Q of it, and the eigenpairs of Q^T Gamma Q (Halko,
    Martinsson & Tropp, SIAM Rev. 53, 217 (2011), with one power iteration).
    The sketch is accepted when it holds more columns than kept eigenvalues
    and reproduces Gamma on four seeded probe vectors to 10 rtol of the
    largest eigenvalue; otherwise its width doubles, and beyond n / 3 the full
    eigendecomposition is used.

    Parameters
    ----------
    gamma : ndarray, shape (n, n)
        Symmetric positive semi-definite decay matrix (1/ps).
    rtol : float
        Relative eigenvalue threshold.
    direct_max : int
        Largest n diagonalised directly.

    Returns
    -------
    factor : ndarray, shape (n, r)
        Columns sqrt(lambda / 2) v of the kept eigenpairs, in ascending order of lambda.
    lam_max : float
        Largest eigenvalue of Gamma (1/ps).
    """
    n = gamma.shape[0]
    if n > direct_max:
        rng = np.random.default_rng(0)
        probes = rng.standard_normal((n, 4))
        target = gamma @ probes
        width = 64
        while width <= n // 3:
            basis = np.linalg.qr(gamma @ rng.standard_normal((n, width)))[0]
            basis = np.linalg.qr(gamma @ basis)[0]
            lam, small = np.linalg.eigh(basis.T @ (gamma @ basis))
            factor, lam_max = _truncated(lam, basis @ small, rtol)
            error = np.linalg.norm(2.0 * factor @ (factor.T @ probes) - target, axis=0)
            limit = (10.0 * rtol + 1e-13 * np.sqrt(n)) * lam_max * np.linalg.norm(probes, axis=0)
            if factor.shape[1] < width - 8 and np.all(error <= limit):
                return factor, lam_max
            width *= 2
    lam, vec = np.linalg.eigh(gamma)
    return _truncated(lam, vec, rtol)


def _initial_spins(rng, n, cols, z0, theta, phi, probability=None):
    """Discrete-Wigner samples s_x, s_y = +-1 along z0, rotated by theta about y then phi about z.

    ``cols`` (a slice) picks the block's trajectories. With ``probability`` (n,), each s_z is +1 with that
    probability and -1 otherwise (a partially inverted product state; z0 is then not used).
    """
    sx = (rng.integers(0, 2, size=(n, BLOCK)) * 2.0 - 1.0)[:, cols]
    sy = (rng.integers(0, 2, size=(n, BLOCK)) * 2.0 - 1.0)[:, cols]
    if probability is not None:
        z0 = np.where(rng.random((n, BLOCK))[:, cols] < probability[:, None], 1.0, -1.0)
    x1 = np.cos(theta) * sx + np.sin(theta) * z0
    z1 = -np.sin(theta) * sx + np.cos(theta) * z0
    x2 = np.cos(phi) * x1 - np.sin(phi) * sy
    y2 = np.sin(phi) * x1 + np.cos(phi) * sy
    return np.ascontiguousarray(0.5 * (x2 - 1j * y2)), np.ascontiguousarray(z1)


def _real_columns(array):
    """View an (n, B) complex array as (n, 2B) float64 (re, im interleaved)."""
    return array.view(np.float64)


class EmitterEngine:
    """TWA trajectories of n emitters with general Gamma and Omega, one block at a time.

    Parameters
    ----------
    model : EmitterModel
        Gamma (n x n, symmetric PSD), Omega, detunings, dephasing, pumping.
    seed : int
    z0, theta, phi : float
        Initial spins along z0 (+1 excited, -1 ground), rotated by theta about
        y and phi about z (a coherent spin state).
    steps, dts : ndarray
        Steps and step length (ps) of every output interval
        (:func:`sf_dynamics.solvers._sampling.time_schedule`).
    probability : ndarray, shape (n,), optional
        Excitation probability of each emitter (a partially inverted product state).
    operator : LatticeOperator, optional
        FFT products of a regular lattice for the coupling sums (None: dense BLAS products).
    factor : (ndarray, float), optional
        The :func:`noise_factor` of ``model.gamma`` if already computed.
    amplitudes : ndarray of complex, shape (n,), optional
        c_k of a detected field E- = sum_k c_k s-_k whose classical amplitude
        sum_k c_k beta_k and normally ordered intensity estimator
        |sum_k c_k beta_k|^2 + sum_k |c_k|^2 (n_k - |beta_k|^2) are recorded.
    """

    def __init__(self, model: EmitterModel, seed, z0, theta, phi, steps, dts, amplitudes=None, probability=None,
                 operator=None, factor=None):
        self.model = model
        self.operator = operator
        self.probability = probability
        self.n = model.size
        self.seed = seed
        self.z0, self.theta, self.phi = z0, theta, phi
        self.steps, self.dts = steps, dts
        self.decay = np.ascontiguousarray(np.diag(model.gamma))
        dense = operator is None
        self.half_gamma = np.ascontiguousarray(model.half_offdiagonal_gamma()) if dense else None
        self.omega = np.ascontiguousarray(model.omega) if dense and model.has_omega else None
        self.noise_factor = (noise_factor(model.gamma) if factor is None else factor)[0]
        self.amplitudes = amplitudes

    @property
    def records(self) -> int:
        return self.steps.size + 1

    def run_block(self, block, size, estimator, shot, excitation, field=None, normal=None, offset=0):
        """Run trajectories block * BLOCK + offset ... + offset + size - 1; fill the (size, records) outputs.

        The block's random numbers are drawn whole and the columns offset .. offset + size - 1 used, so a
        trajectory's numbers do not depend on which of its block's trajectories run with it.

        The element-wise kernels run on the calling thread: each step alternates them with BLAS coupling
        products, which get the cores (see :func:`sf_dynamics.kernels.jit.single_threaded`).

        Raises
        ------
        KeyboardInterrupt
            At the first step after a Ctrl-C noted by :func:`sf_dynamics._executors.deferred_interrupt`: the
            block's trajectories advance together, so none of them is finished.
        """
        with single_threaded():
            self._run_block(block, slice(offset, offset + size), estimator, shot, excitation, field, normal)

    def _run_block(self, block, cols, estimator, shot, excitation, field, normal):
        n, model = self.n, self.model
        size = cols.stop - cols.start
        wide = slice(2 * cols.start, 2 * cols.stop)   # columns of the interleaved real and imaginary parts
        rng = np.random.Generator(np.random.PCG64(block_seed_sequence(self.seed, block)))
        beta, z = _initial_spins(rng, n, cols, self.z0, self.theta, self.phi, self.probability)
        shape = (n, size)
        work = {name: np.empty(shape, dtype=np.complex128) for name in ("gb", "ob", "noise", "db", "bp")}
        dz, zp = np.empty(shape), np.empty(shape)
        if self.omega is None:
            work["ob"][:] = 0.0
        noise_real = _real_columns(work["noise"])

        def products(state):
            if self.operator is not None:   # the whole field (Gamma/2 + i Omega) beta in work["gb"], "ob" = 0
                self.operator.offsite_field(state, out=work["gb"])
                return
            np.matmul(self.half_gamma, _real_columns(state), out=_real_columns(work["gb"]))
            if self.omega is not None:
                np.matmul(self.omega, _real_columns(state), out=_real_columns(work["ob"]))

        weights = None if self.amplitudes is None else np.abs(self.amplitudes) ** 2

        def record(index):
            kt.batch_observables(beta, z, work["gb"], self.decay, estimator[:, index], shot[:, index],
                                 excitation[:, index])
            if weights is not None:
                field[:, index] = self.amplitudes @ beta
                normal[:, index] = (np.abs(field[:, index]) ** 2
                                    + weights @ (0.5 * (1.0 + z) - beta.real**2 - beta.imag**2))

        products(beta)
        record(0)
        stale = False  # whether work["gb"], work["ob"] are out of date for beta
        dephasing, pumping = model.dephasing, model.pumping
        rank = self.noise_factor.shape[1]
        for interval in range(self.steps.size):
            dt = float(self.dts[interval])
            phase_per_step = np.ascontiguousarray(-model.detunings * dt)
            kick_scale = np.sqrt(2.0 * dephasing * dt)
            pump_scale = np.sqrt(0.25 * pumping * dt)  # sqrt(P dt / 2) per complex increment, sqrt(1/2) per part
            rotate = kick_scale > 0.0 or bool(np.any(phase_per_step))
            kicks = np.zeros(shape)
            for _ in range(int(self.steps[interval])):
                if interrupt_pending():
                    raise KeyboardInterrupt
                if rotate:  # exact phase rotation: detuning and dephasing kicks
                    if kick_scale > 0.0:
                        kicks = np.ascontiguousarray(rng.standard_normal((n, BLOCK))[:, cols])
                    kt.rotate_phases(beta, phase_per_step, kicks, kick_scale)
                    stale = True
                if stale:
                    products(beta)
                # decay noise F dxi with <|dxi|^2> = dt, plus independent pumping noise: one normal per kept
                # eigenvalue of Gamma and column (the factor's rank; 132 of 10^4 on a 100 x 100 lattice)
                xi = np.ascontiguousarray(rng.standard_normal((rank, 2 * BLOCK))[:, wide])
                xi *= np.sqrt(0.5 * dt)
                np.matmul(self.noise_factor, xi, out=noise_real)
                if pump_scale > 0.0:
                    noise_real += pump_scale * rng.standard_normal((n, 2 * BLOCK))[:, wide]
                kt.heun_predictor(beta, z, work["gb"], work["ob"], work["noise"], self.decay, pumping, dt,
                                  work["db"], dz, work["bp"], zp)
                products(work["bp"])
                kt.heun_corrector(beta, z, work["bp"], zp, work["gb"], work["ob"], work["noise"], self.decay,
                                  pumping, dt, work["db"], dz)
                stale = True
            products(beta)
            stale = False
            record(interval + 1)
