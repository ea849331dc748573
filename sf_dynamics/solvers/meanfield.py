"""First-order (mean-field) dynamics (method ``"meanfield"``).

Every emitter stays in a product state described by its dipole
beta_k = <s-_k> and population n_k (equations in
:mod:`sf_dynamics.kernels.cumulant`). The fully inverted state is a fixed
point of these equations (no dipole, no emission beyond independent decay):
superfluorescence starts from quantum fluctuations that mean field does not
contain. It therefore needs a **seed**: unless the initial state already has
a dipole (a coherent spin state with theta > 0), every emitter is tipped
from its initial state by the angle ``seed_angle``, by default
theta_0 = 2 / sqrt(N), the effective quantum initial angle of Gross &
Haroche (docs/physics.md: t_D = T_R ln(4 / theta_0^2) = T_R ln N).

Mean field gives single-shot classical bursts (peak N^2 Gamma / 4, sech^2
shape); it is qualitative for ensemble averages.

Few emitters: the default seed 2 / sqrt(N) is a small rotation only for
large N. Below N = 16 (theta_0 > 0.5 rad) the method refuses to apply it,
since the seed itself would remove a large part of the excitation (N = 1:
the start would hold 0.29 excitations instead of 1); between 16 and 100
emitters (theta_0 > 0.2 rad) it warns. Use ``exact`` or ``permutational``
(exact) or ``twa`` there, or pass ``seed_angle`` explicitly.
"""

from __future__ import annotations

import numpy as np

from .._progress import progress_bar
from .._resources import DEFAULT_MAX_STEPS
from .._validation import check_positive_int, check_real, check_tolerance
from .._warnings import warn_caller
from ..integrate.explicit import integrate_observed
from ..kernels import cumulant as kc
from ..model.states import CoherentSpinState, Excited, Ground, ProductState
from ..result import Result
from ._models import ClassModel, EmitterModel, check_explicit_run, choose_engine

__all__ = ["NAME", "unsupported_reason", "solve", "default_seed_angle", "derivatives"]

NAME = "meanfield"


#: below this N the default seed is refused; below WARN_BELOW_N it warns
REFUSE_BELOW_N = 16
WARN_BELOW_N = 100


def default_seed_angle(n: int) -> float:
    """theta_0 = 2 / sqrt(N): the effective initial tipping angle of quantum noise."""
    return 2.0 / np.sqrt(n)


def unsupported_reason(ensemble, initial):
    """Mean field needs product initial states."""
    if ensemble.emitter_type != "two-level":
        return "it handles two-level emitters only (use 'cumulant', or 'exact' for n <= 5 nanocrystals)"
    if isinstance(initial, ProductState):
        initial = initial.simplest()
    if isinstance(initial, ProductState):
        return ("mean field evolves one Bloch vector per emitter, and a partially inverted, incoherent "
                "ProductState has no dipole to seed it (a fully coherent one is a CoherentSpinState); 'twa', "
                "'jumps', 'permutational', 'cumulant' and 'exact' take it")
    if not isinstance(initial, (Excited, Ground, CoherentSpinState)):
        return "it represents product states only (excited, ground or a coherent spin state)"
    return None


def _initial_bloch(initial, n, seed_angle):
    """(beta, population) of every emitter at t = 0, seeded if the state has no dipole."""
    if isinstance(initial, Ground):
        return 0.0j, 0.0
    if isinstance(initial, CoherentSpinState) and initial.theta > 0:
        return complex(np.conj(initial.upper_amplitude) * initial.lower_amplitude), abs(initial.upper_amplitude) ** 2
    if seed_angle is None:
        theta = default_seed_angle(n)
        if n < REFUSE_BELOW_N:
            raise ValueError(
                f"n = {n}: the default meanfield seed theta_0 = 2 / sqrt(N) = {theta:.2g} rad is not a small tipping "
                f"angle below N = {REFUSE_BELOW_N}; use method 'exact' or 'permutational' (exact), 'twa', or pass "
                "seed_angle explicitly"
            )
        if n < WARN_BELOW_N:

            warn_caller(
                f"meanfield: the default seed theta_0 = 2 / sqrt(N) = {theta:.2g} rad for N = {n} is not small; the "
                "burst is qualitative (exact methods: 'exact', 'permutational')", UserWarning)
    else:
        theta = check_real("seed_angle", seed_angle, low=0.0, high=np.pi)
    state = CoherentSpinState(theta, getattr(initial, "phi", 0.0))
    return complex(np.conj(state.upper_amplitude) * state.lower_amplitude), abs(state.upper_amplitude) ** 2


def _class_problem(model: ClassModel, beta0, pop0):
    k = model.size
    y0 = np.concatenate([np.full(k, beta0.real), np.full(k, beta0.imag), np.full(k, pop0)])

    def rhs(t, y):
        dy = np.empty_like(y)
        kc.class_meanfield_rhs(y[:k], y[k : 2 * k], y[2 * k :], model.detunings, model.others, model.exclude,
                               model.gamma0, model.gamma_c, model.dephasing, model.pumping,
                               dy[:k], dy[k : 2 * k], dy[2 * k :])
        return dy

    def observe(y):
        beta = y[:k] + 1j * y[k : 2 * k]
        n = y[2 * k :]
        # sum over ordered pairs of Re conj(beta_a) beta_b: sum_b (others_b - e delta_ab) beta_b per class a
        pair_sum = np.real(np.conj(beta) * (model.others @ beta - model.exclude * beta))
        intensity = model.gamma0 * (model.counts @ n) + model.gamma_c * (model.counts @ pair_sum)
        return np.concatenate([[intensity, model.counts @ n], n])

    return y0, rhs, observe


def _emitter_problem(model: EmitterModel, beta0, pop0):
    size = model.size
    y0 = np.concatenate([np.full(size, beta0.real), np.full(size, beta0.imag), np.full(size, pop0)])
    coupling = model.half_offdiagonal_gamma() + 1j * model.omega  # Gamma/2 + i Omega, zero diagonal
    diag_gamma = np.diag(model.gamma).copy()
    linear = -1j * model.detunings - 0.5 * diag_gamma - model.dephasing - 0.5 * model.pumping

    def rhs(t, y):
        beta = y[:size] + 1j * y[size : 2 * size]
        n = y[2 * size :]
        v = coupling @ beta
        dbeta = linear * beta + (2.0 * n - 1.0) * v
        dn = -diag_gamma * n - 2.0 * np.real(np.conj(beta) * v) + model.pumping * (1.0 - n)
        return np.concatenate([dbeta.real, dbeta.imag, dn])

    def observe(y):
        beta = y[:size] + 1j * y[size : 2 * size]
        n = y[2 * size :]
        off = model.gamma - np.diag(diag_gamma)
        intensity = diag_gamma @ n + float(np.real(np.conj(beta) @ (off @ beta)))
        return np.concatenate([[intensity, n.sum()], n])

    return y0, rhs, observe


def derivatives(ensemble, dipoles, populations):
    """Right-hand side of the per-emitter mean-field equations.

    Parameters
    ----------
    ensemble : Ensemble
        With per-emitter detunings (any coupling).
    dipoles : array_like of complex, shape (n,)
        beta_k = <s-_k>.
    populations : array_like, shape (n,)
        n_k = <s+_k s-_k>.

    Returns
    -------
    dbeta : ndarray of complex, shape (n,)
    dn : ndarray, shape (n,)
    """
    model = EmitterModel.from_ensemble(ensemble)
    size = model.size
    beta = np.asarray(dipoles, dtype=complex)
    _, rhs, _ = _emitter_problem(model, 0j, 0.0)
    dy = rhs(0.0, np.concatenate([beta.real, beta.imag, np.asarray(populations, float)]))
    return dy[:size] + 1j * dy[size : 2 * size], dy[2 * size :]


def solve(ensemble, times, initial, *, seed_angle=None, engine="auto", rtol=1e-8, atol=1e-12, integrator="DOP853",
          progress=None, max_steps=DEFAULT_MAX_STEPS):
    """Simulate an ensemble in mean field (product states, classical dipoles).

    Parameters
    ----------
    ensemble : Ensemble
        Two-level emitters (classes engine for identical coupling with any
        spectrum; emitters engine for coupling matrices).
    times : ndarray
        Output times (ps).
    initial : state
        Excited (seeded), Ground or CoherentSpinState.
    seed_angle : float, optional
        Tipping angle theta_0 (rad) applied when the initial state has no
        dipole; default 2 / sqrt(N).
    engine, rtol, atol, integrator, progress, max_steps
        As for the cumulant method.

    Returns
    -------
    Result
    """
    engine = choose_engine(ensemble, engine)
    max_steps = check_positive_int("max_steps", max_steps)
    rtol = check_tolerance("rtol", rtol)
    atol = check_tolerance("atol", atol)
    size = ensemble.spectral_classes()[0].size if engine == "classes" else ensemble.n
    check_explicit_run(ensemble, times, 3 * size + (0 if engine == "classes" else 6 * size**2 // 16), method=NAME,
                       max_steps=max_steps)
    if ensemble.spectrum is not None:
        ensemble.spectrum.check_window(float(times[-1] - times[0]))
    beta0, pop0 = _initial_bloch(initial, ensemble.n, seed_angle)
    if engine == "classes":
        model = ClassModel.from_ensemble(ensemble)
        y0, rhs, observe = _class_problem(model, beta0, pop0)
        key = "class_populations"
    else:
        model = EmitterModel.from_ensemble(ensemble)
        y0, rhs, observe = _emitter_problem(model, beta0, pop0)
        key = "populations"
    with progress_bar(progress, total=len(times) - 1, size=y0.size * 50, desc=NAME) as bar:
        obs, info = integrate_observed(rhs, y0, times, observe, method=integrator, rtol=rtol, atol=atol,
                                       progress=bar, max_steps=max_steps)
    params = ensemble.parameters()
    params.update(initial=initial.describe(), engine=engine, rtol=rtol, atol=atol, integrator=integrator,
                  seed_angle=float(np.arccos(2 * pop0 - 1)) if pop0 > 0 else 0.0)
    if engine == "classes":
        params["class_detunings"] = model.detunings.tolist()
        params["class_counts"] = model.counts.tolist()
    info.update(engine=engine, variables=int(y0.size))
    return Result(times, obs[:, 0], obs[:, 1], NAME, params, data={key: obs[:, 2:]}, info=info)
