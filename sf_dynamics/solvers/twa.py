"""Truncated-Wigner sampling with dissipative noise (method ``"twa"``): single shots and their average.

A superfluorescent burst starts from quantum noise, so its delay fluctuates
from shot to shot. Each TWA trajectory evolves classical spins sampled from
the Wigner distribution of the initial state under stochastic equations
whose drift is mean field and whose noise restores the quantum fluctuations
of decay, dephasing and pumping (equations in :mod:`sf_dynamics.kernels.twa`;
in the spirit of the discrete TWA with collective dissipation of Mink &
Fleischhauer, arXiv:2305.19829, and the collective-spin TWA of Huber,
Kirton & Rabl, SciPost Phys. 10, 045 (2021)). Averages over trajectories
approximate the ensemble average (both tau_D and the peak, unlike second-order
cumulants); single trajectories are the shots, whose delay and peak
distributions the Result carries.

Engines:

* ``classes`` (default for identical coupling): one classical spin per
  spectral class (identical emitters: one collective spin), O(K) per step,
  any N. The closure assumes many emitters per class: classes of a
  continuous line holding less than one emitter are lumped into their
  neighbour towards the centre (``info["merged_tail_emitters"]``);
* ``emitters`` (default with coupling matrices, and for n <= 2000 when a
  class holds fewer than 20 emitters): every emitter, general Gamma and
  Omega, O(n^2) per step and trajectory, trajectories advanced in batches
  whose coupling sums are BLAS matrix products (:mod:`._twa_emitters`).
"""

from __future__ import annotations

import numbers
import time as _time

import numpy as np

from .._progress import progress_bar
from .._validation import check_positive_int, check_real
from ..kernels import twa as kt
from ..result import Result
from ..states import CoherentSpinState, Excited, Ground
from ._models import ClassModel, EmitterModel, choose_engine
from ._twa_emitters import emitter_trajectories

__all__ = ["NAME", "OPTIONS", "unsupported_reason", "solve", "DEFAULT_TRAJECTORIES"]

NAME = "twa"
DEFAULT_TRAJECTORIES = 1000
OPTIONS = {
    "trajectories": f"number of trajectories (default {DEFAULT_TRAJECTORIES})",
    "seed": "integer seed of the random numbers (default 0): equal seeds give equal results",
    "engine": "'auto' (default), 'classes' or 'emitters'",
    "dt": "time step (ps); default 0.02 / (fastest rate), refined to divide the output spacing",
    "shots": "number of single-shot traces kept in data['single_shots'] (default min(20, trajectories))",
    "batches": "batches for the statistical errors of tau_D and the peak (default 10)",
    "progress": "progress bar over trajectories of the per-emitter engine (default: auto for long runs)",
}


def unsupported_reason(ensemble, initial):
    """TWA samples product initial states of two-level emitters."""
    if getattr(ensemble, "emitter_type", "two-level") != "two-level":
        return "it handles two-level emitters only"
    if not isinstance(initial, (Excited, Ground, CoherentSpinState)):
        return "it samples product states only (excited, ground or a coherent spin state)"
    return None


#: smallest class that the class-spin closure (z_k -> z_a) represents well; smaller classes are
#: simulated one emitter at a time when the ensemble is small enough
MIN_CLASS_SIZE = 20
#: largest n for which ``engine="auto"`` falls back to emitters one by one
MAX_AUTO_EMITTERS = 2000


def _twa_engine(ensemble, engine):
    if engine != "auto":
        return choose_engine(ensemble, engine)
    if ensemble.has_coupling_matrices:
        return "emitters"
    _, weights, counts = ensemble.spectral_classes()
    smallest = counts.min() if counts is not None else ensemble.n * weights.min()
    if smallest < MIN_CLASS_SIZE and ensemble.n <= MAX_AUTO_EMITTERS and ensemble.has_emitter_detunings:
        return "emitters"
    return "classes"


def _merge_small_classes(model: ClassModel):
    """Lump classes holding less than one emitter into their neighbour towards the line centre.

    The class-spin closure needs at least one emitter per class; the tails of a
    continuous line in many classes can hold less. Returns the merged model
    and the number of emitters moved.
    """
    counts = model.counts.copy()
    det = model.detunings
    order = np.argsort(det)
    keep = np.ones(counts.size, dtype=bool)
    moved = 0.0
    for sequence in (order, order[::-1]):
        carry = 0.0
        for pos, idx in enumerate(sequence):
            counts[idx] += carry
            carry = 0.0
            if counts[idx] < 1.0 and pos < sequence.size - 1 and keep[idx]:
                carry = counts[idx]
                moved += carry
                counts[idx] = 0.0
                keep[idx] = False
            else:
                break
    if not np.any(~keep):
        return model, 0.0
    total = model.counts.sum()
    sel = keep
    new_counts = counts[sel]
    return ClassModel(
        detunings=det[sel],
        counts=new_counts,
        others=new_counts * (total - 1) / total,
        thirds=new_counts * (total - 2) / total,
        exclude=model.exclude,
        gamma0=model.gamma0,
        gamma_c=model.gamma_c,
        dephasing=model.dephasing,
        pumping=model.pumping,
    ), moved


def _check_seed(seed):
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise ValueError(f"seed must be an integer, got {seed!r}")
    seed = int(seed)
    if not 0 <= seed < 2**31:
        raise ValueError(f"seed must be an integer in [0, 2**31), got {seed}")
    return seed


def _output_grid(times, dt_max):
    """Steps per output interval for equally spaced times."""
    spacing = np.diff(times)
    if np.max(np.abs(spacing - spacing[0])) > 1e-9 * spacing[0]:
        raise ValueError("times must be equally spaced for method 'twa' (trajectories are recorded on a fixed grid)")
    every = max(1, int(np.ceil(spacing[0] / dt_max)))
    return every, spacing[0] / every


def _rotation(initial):
    """(z0, theta, phi): spins start along z0 and are rotated by theta about y, phi about z."""
    if isinstance(initial, Ground):
        return -1.0, 0.0, 0.0
    if isinstance(initial, CoherentSpinState):
        return 1.0, float(initial.theta), float(initial.phi)
    return 1.0, 0.0, 0.0


def _batch_errors(times, traces, batches):
    """Standard errors of tau_D and of the peak of the averaged trace, from batch means."""
    from ..analysis import buildup_time, peak_intensity

    groups = np.array_split(np.arange(traces.shape[0]), batches)
    t_d = [buildup_time(times, traces[g].mean(axis=0)) for g in groups]
    peaks = [peak_intensity(times, traces[g].mean(axis=0)) for g in groups]
    scale = 1.0 / np.sqrt(len(groups))
    return float(np.std(t_d, ddof=1) * scale), float(np.std(peaks, ddof=1) * scale)


def solve(ensemble, times, initial, *, trajectories=DEFAULT_TRAJECTORIES, seed=0, engine="auto", dt=None, shots=None,
          batches=10, progress=None):
    """Sample truncated-Wigner trajectories and average them.

    Parameters
    ----------
    ensemble : Ensemble
        Two-level emitters (any spectrum with identical coupling, or coupling
        matrices).
    times : ndarray
        Equally spaced output times (ps).
    initial : state
        Excited, Ground or CoherentSpinState.
    trajectories : int
        Number of trajectories M >= 2.
    seed : int
        Seed of the random numbers; equal seeds (and trajectory counts) give
        equal results.
    engine : {"auto", "classes", "emitters"}
    dt : float, optional
        Largest time step (ps).
    shots : int, optional
        Single-shot traces kept (<= trajectories; default min(20, trajectories)).
    batches : int
        Batches for the statistical errors of tau_D and the peak (2..M).
    progress : bool or None
        Progress bar over the trajectories of the per-emitter engine (None:
        shown on a terminal for long runs).

    Returns
    -------
    Result
        ``intensity`` and ``excitation`` are trajectory averages; ``data``
        holds ``intensity_sem`` and ``excitation_sem`` (standard errors of
        the mean, 1/sqrt(M)) and ``single_shots`` (nt, shots); ``info``
        holds ``shot_delays`` and ``shot_peaks`` (per trajectory: time and
        height of its maximum), ``tau_d_sem`` and ``peak_sem``.
    """
    trajectories = check_positive_int("trajectories", trajectories, minimum=2)
    seed = _check_seed(seed)
    shots = min(20, trajectories) if shots is None else check_positive_int("shots", shots, minimum=0,
                                                                            maximum=trajectories)
    batches = min(check_positive_int("batches", batches, minimum=2), trajectories)
    engine = _twa_engine(ensemble, engine)
    if ensemble.spectrum is not None:
        ensemble.spectrum.check_window(float(times[-1] - times[0]))
    z0, theta, phi = _rotation(initial)
    start = _time.perf_counter()
    merged = 0.0
    if engine == "classes":
        model, merged = _merge_small_classes(ClassModel.from_ensemble(ensemble))
        if model.counts.min() < 1.0:
            raise ValueError("engine 'classes' needs at least one emitter per spectral class; use fewer classes")
        rate = ensemble.n * model.gamma_c + model.gamma0 + model.pumping + 2 * model.dephasing
    else:
        model = EmitterModel.from_ensemble(ensemble)
        lam = float(np.linalg.eigvalsh(model.gamma)[-1])
        rate = lam + float(np.max(np.abs(model.omega).sum(axis=1))) + model.pumping + float(np.max(np.diag(model.gamma)))
    dt_max = 0.02 / rate if rate > 0 else (times[-1] - times[0]) / 100.0
    if dt is not None:
        dt_max = min(dt_max, check_real("dt", dt, low=0.0, low_open=True))
    every, step = _output_grid(times, dt_max)
    n_steps = every * (len(times) - 1)
    intensity = np.zeros((trajectories, len(times)))
    excitation = np.zeros((trajectories, len(times)))
    if engine == "classes":
        # the class-spin TWA is the Maxwell-Bloch trajectory kernel with a single slice (Gamma_f = Gamma_c)
        from ..kernels.maxwell_bloch import mb_trajectories

        mb_trajectories(trajectories, seed, z0, theta, phi, model.counts[None, :], model.detunings, model.gamma_c,
                        model.gamma0 - model.gamma_c, model.dephasing, model.pumping, step, n_steps, every,
                        intensity, np.empty_like(intensity), excitation)
    else:
        with progress_bar(progress, total=trajectories, size=model.size**2 * n_steps // 100, desc=NAME) as bar:
            emitter_trajectories(model, trajectories, seed, z0, theta, phi, step, n_steps, every, intensity,
                                 excitation, progress=bar)
    delays, peaks = kt.trajectory_peaks(np.asarray(times, dtype=np.float64), intensity)
    tau_sem, peak_sem = _batch_errors(times, intensity, batches)
    root = np.sqrt(trajectories)
    params = ensemble.parameters()
    params.update(initial=initial.describe(), engine=engine, trajectories=trajectories, seed=seed, dt=step)
    info = {
        "engine": engine,
        "merged_tail_emitters": merged,
        "trajectories": trajectories,
        "steps": n_steps,
        "dt": step,
        "wall_time": _time.perf_counter() - start,
        "shot_delays": delays,
        "shot_peaks": peaks,
        "tau_d_sem": tau_sem,
        "peak_sem": peak_sem,
    }
    data = {
        "intensity_sem": intensity.std(axis=0, ddof=1) / root,
        "excitation_sem": excitation.std(axis=0, ddof=1) / root,
        "single_shots": intensity[:shots].T.copy(),
    }
    return Result(times, intensity.mean(axis=0), excitation.mean(axis=0), NAME, params, data=data, info=info)
