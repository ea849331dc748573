"""1D Maxwell-Bloch propagation through an extended slab (method ``"maxwell_bloch"``).

The slab (:class:`sf_dynamics.Slab`) is cut into slices; in retarded time
each slice is driven by the forward field of the slices upstream
(equations in :mod:`sf_dynamics.kernels.class_spins`). This shows what a
point-like model cannot: for a large optical depth the burst rings
(Burnham-Chiao), with lobe zeros that in the linear regime follow the zeros
of J1, and the delay grows like (T_R / 4) [ln sqrt(2 pi N)]^2 instead of
T_R ln N.

Initiation:

* ``"noise"`` (default): truncated-Wigner sampling, one classical spin per
  slice and spectral class, with the vacuum noise of the forward mode and
  local noise; averaged over ``trajectories`` with single shots kept
  (quantum-noise initiation of the right strength, ~2 / sqrt(N) per slice);
* ``"tipping"``: deterministic mean field, every emitter tipped from its
  initial state by ``seed_angle`` (default 2 / sqrt(N_slice)); with one slice
  this is the ``meanfield`` method.

``intensity`` is the total photon emission rate (all modes, docs/conventions.md);
``data["forward_intensity"]`` is the flux leaving the exit face.
"""

from __future__ import annotations

import time as _time

import numpy as np

from .._resources import DEFAULT_MAX_STEPS, check_memory
from .._validation import check_positive_int, check_real, check_tolerance
from ..integrate.explicit import integrate_observed
from ..kernels import class_spins as km
from ..model.states import CoherentSpinState, Excited, Ground, ProductState
from ..model.timescales import fastest_rate
from ..result import Result
from ._sampling import (
    ClassSpinRows,
    check_seed,
    check_shots,
    package_shots,
    record_grid,
    sample_rows,
    shot_correlation,
    spin_z_start,
    time_schedule,
)

#: trajectories per kernel call at most (fewer for long runs, so Ctrl-C is honoured soon between calls)
BLOCK = 256

__all__ = ["NAME", "unsupported_reason", "solve", "first_order_correlation"]

NAME = "maxwell_bloch"


def unsupported_reason(ensemble, initial):
    """Only a Slab propagates."""
    if ensemble.emitter_type != "slab":
        return "it needs an extended sf_dynamics.Slab (length, slices, forward decay)"
    if isinstance(initial, ProductState):
        initial = initial.simplest()
    if isinstance(initial, ProductState):
        if initial.coherence > 0 or not initial.uniform:
            return "it takes an incoherent ProductState with one p (noise initiation); this one is not"
        return None
    if not isinstance(initial, (Excited, Ground, CoherentSpinState)):
        return "it starts from product states (excited, ground or a coherent spin state)"
    return None


def _counts(slab):
    det, weights = slab.classes()
    per_slice = slab.n / slab.slices
    counts = np.tile(per_slice * weights, (slab.slices, 1))
    return np.asarray(det, dtype=np.float64), counts


def _solve_tipping(slab, times, initial, seed_angle, rtol, atol, max_steps):
    det, counts = _counts(slab)
    nz, k = counts.shape
    if isinstance(initial, ProductState):
        raise ValueError("initial: a partially inverted ProductState has no dipole to tip; use initiation='noise'")
    if isinstance(initial, CoherentSpinState) and initial.theta > 0:
        state = initial
    elif isinstance(initial, Ground):
        state = CoherentSpinState(np.pi)
    else:
        theta = 2.0 / np.sqrt(slab.n / slab.slices) if seed_angle is None else check_real(
            "seed_angle", seed_angle, low=0.0, high=np.pi)
        state = CoherentSpinState(theta, getattr(initial, "phi", 0.0))
    beta0 = complex(np.conj(state.upper_amplitude) * state.lower_amplitude)
    pop0 = abs(state.upper_amplitude) ** 2
    size = nz * k
    y0 = np.concatenate([np.full(size, beta0.real), np.full(size, beta0.imag), np.full(size, pop0)])
    gf, gamma0 = slab.forward_decay, slab.forward_decay + slab.decay

    def rhs(t, y):
        beta = (y[:size] + 1j * y[size : 2 * size]).reshape(nz, k)
        n = y[2 * size :].reshape(nz, k)
        dbeta = np.empty_like(beta)
        dn = np.empty_like(n)
        km.slice_meanfield_rhs(beta, n, counts, det, gf, gamma0, slab.dephasing, dbeta, dn)
        return np.concatenate([dbeta.real.ravel(), dbeta.imag.ravel(), dn.ravel()])

    def observe(y):
        beta = (y[:size] + 1j * y[size : 2 * size]).reshape(nz, k)
        return km.slice_meanfield_observables(beta, y[2 * size :].reshape(nz, k), counts, gf, gamma0)

    obs, info = integrate_observed(rhs, y0, times, observe, rtol=rtol, atol=atol, max_steps=max_steps)
    info.update(initiation="tipping", seed_angle=float(state.theta))
    return obs[:, 0], obs[:, 1], obs[:, 2], {}, info


def _noise_trajectories(slab, times, initial, trajectories, seed, dt, max_steps, progress, record_field=False,
                        executor=None):
    """Noise-initiated trajectories: per-trajectory (total, forward, excitation, field) arrays and run facts.

    ``field`` (with ``record_field``) is the classical exit-face amplitude sqrt(Gamma_f) sum_j B_j of each
    trajectory (shape (M, nt), else (M, 0)).
    """
    partial = isinstance(initial, ProductState) and initial.uniform and initial.coherence == 0
    if not (isinstance(initial, Excited) or partial):
        raise ValueError("initial: the noise initiation starts from the inverted slab ('excited') or a partially "
                         "inverted one (an incoherent ProductState with one p); use initiation='tipping' for "
                         "other states")
    z0, spread = spin_z_start(float(np.mean(initial.p)) if partial else 1.0)
    trajectories = check_positive_int("trajectories", trajectories, minimum=2)
    seed = check_seed(seed)
    max_steps = check_positive_int("max_steps", max_steps)
    det, counts = _counts(slab)
    if counts.min() < 1.0:
        raise ValueError("slices hold less than one emitter per spectral class: use fewer slices or classes")
    check_memory((4.0 + 2.0 * record_field) * 8.0 * trajectories * len(times), parameter="trajectories",
                 what=f"{trajectories} trajectories of {len(times)} output times",
                 alternative="use fewer trajectories or output times")
    gf = slab.forward_decay
    rate = fastest_rate(slab.n * gf + gf + slab.decay, dephasing=slab.dephasing)  # detunings: exact rotations
    dt_max = 0.02 / rate
    if dt is not None:
        dt = check_real("dt", dt, low=0.0, low_open=True)
        dt_max = min(dt_max, dt)
    steps, dts = time_schedule(times, dt_max, max_steps=max_steps, system=slab, dt=dt)
    runner = ClassSpinRows(seed, (z0, 0.0, 0.0), counts, det, (gf, slab.decay, slab.dephasing, 0.0), steps, dts,
                           spread, record_field)
    out, done, partial = sample_rows(runner, total=trajectories, block=runner.block(BLOCK), executor=executor,
                                     progress=progress, size=counts.size * float(steps.sum()) / 100.0, desc=NAME,
                                     unit="traj", what="trajectories")
    facts = {"initiation": "noise", "trajectories": done, "trajectories_requested": trajectories,
             "trajectories_done": done, "partial": partial, "seed": seed, "dt": float(dts.max()),
             "steps": int(steps.sum())}
    return out["total"], out["forward"], out["excitation"], np.sqrt(gf) * out["field"], facts


def _solve_noise(slab, times, initial, trajectories, seed, dt, shots, max_steps, progress, executor):
    total, forward, excitation, _, facts = _noise_trajectories(slab, times, initial, trajectories, seed, dt,
                                                               max_steps, progress, executor=executor)
    done = facts["trajectories_done"]
    gf = slab.forward_decay
    # single shots: classical forward-field intensity Gamma_f |B|^2 = forward estimator + Gamma_f (N/2 - excitation)
    shot = forward + gf * (0.5 * slab.n - excitation)
    shots = min(check_shots(shots, facts["trajectories_requested"]), done)
    mean, data, shot_info = package_shots(times, total, shot, keep=shots, extra={"forward_intensity": forward})
    forward_mean = data.pop("forward_intensity")
    return mean, forward_mean, excitation.mean(axis=0), data, {**facts, **shot_info}


def solve(slab, times, initial, *, initiation="noise", trajectories=200, seed=0, seed_angle=None, dt=None,
          shots=None, rtol=1e-8, atol=1e-12, max_steps=DEFAULT_MAX_STEPS, progress=None, executor=None):
    """Propagate superfluorescence through a slab.

    Parameters
    ----------
    slab : Slab
    times : ndarray
        Output times (ps), retarded time at the exit face; equally spaced for
        the noise initiation.
    initial : state
        Excited (default) or an incoherent ProductState with one p (noise initiation: the spins' s_z are
        drawn with p), Ground or CoherentSpinState (tipping initiation).
    initiation : {"noise", "tipping"}
    trajectories, seed, dt, shots
        Noise initiation (see the twa method).
    seed_angle : float, optional
        Tipping angle of the mean-field initiation.
    rtol, atol : float
        Tolerances of the mean-field ('tipping') integration.
    executor : None, "serial", "processes", concurrent.futures.Executor, dask Client or str
        Where the noise trajectories run (see the twa method); the result is the same bit for bit.

    Returns
    -------
    Result
        ``intensity`` (all modes), ``excitation``, ``data["forward_intensity"]``
        (exit face) and, for the noise initiation, standard errors, single
        shots and per-shot delays / peaks of the forward pulse.
    """
    start = _time.perf_counter()
    rtol = check_tolerance("rtol", rtol)
    atol = check_tolerance("atol", atol)
    if initiation == "tipping":
        total, forward, excitation, data, info = _solve_tipping(slab, times, initial, seed_angle, rtol, atol, max_steps)
    elif initiation == "noise":
        total, forward, excitation, data, info = _solve_noise(slab, times, initial, trajectories, seed, dt, shots,
                                                              max_steps, progress, executor)
    else:
        raise ValueError(f"initiation must be 'noise' or 'tipping', got {initiation!r}")
    data["forward_intensity"] = forward
    params = slab.parameters()
    params.update(initial=initial.describe(), initiation=initiation)
    info["wall_time"] = _time.perf_counter() - start
    return Result(times, total, excitation, NAME, params, data=data, info=info)


def first_order_correlation(slab, times, taus, initial, detector="forward", *, trajectories=200, seed=0, dt=None,
                            shots=None, progress=None, max_steps=DEFAULT_MAX_STEPS, executor=None):
    """G1(t, tau) of the exit-face field, per shot and averaged over noise-initiated trajectories.

    The classical exit-face amplitude a(t) = sqrt(Gamma_f) sum_j B_j (retarded
    time) of each trajectory is recorded on a uniform grid with the delay
    step; its lagged products averaged over trajectories, with the ordering
    correction of :mod:`sf_dynamics.solvers._sampling` (the normally ordered
    G1(t, 0) is the forward-intensity estimator), give G1 = Gamma_f <E+(t +
    tau) E-(t)> of the forward mode (photons/ps).

    Parameters
    ----------
    slab : Slab
    times, taus : ndarray
        Output (retarded) times (ps) and equally spaced delays (ps, from 0).
    initial : state
        Excited (the noise initiation; the deterministic 'tipping' start has no fluctuations to correlate).
    detector : {"forward"}
    trajectories, seed, dt, progress, max_steps, executor
        As in :func:`solve` (noise initiation).
    shots : int, optional
        Single-shot fields kept (default min(20, trajectories)).

    Returns
    -------
    g1 : ndarray of complex128, shape (len(times), len(taus))
    extra : dict
        ``g1_sem``, ``shot_field`` (shots, records; sqrt(photons/ps)), ``record_time`` (ps) and run facts.

    Raises
    ------
    ValueError
        For a detector other than "forward", a start other than 'excited', or bad options.
    """
    if detector != "forward":
        raise ValueError(f"detector: maxwell_bloch detects the exit-face field ('forward'), got {detector!r}")
    grid, _ = record_grid(times, taus)
    total, forward, excitation, field, facts = _noise_trajectories(slab, grid, initial, trajectories, seed, dt,
                                                                   max_steps, progress, record_field=True,
                                                                   executor=executor)
    shots = min(check_shots(shots, facts["trajectories_requested"]), facts["trajectories_done"])
    g1, sem = shot_correlation(grid, field, forward, times, len(taus))
    return g1, {"g1_sem": sem, "shot_field": field[:shots].copy(), "record_time": grid, **facts}
