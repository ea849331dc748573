"""Exact single shots of identical emitters (method ``"jumps"``): photon-counting quantum trajectories.

From a start diagonal in the Dicke basis (excited, ground, a Dicke state
|j, m>) the permutation-invariant master equation is a continuous-time
Markov chain on (j, m) (:mod:`sf_dynamics.kernels.jumps`, with the rates of
the ``permutational`` solver). Each trajectory is sampled exactly: it is
one shot of a photon-counting experiment, with its collective- and
local-channel photons. Its trace is the conditional emission rate; the
average over trajectories converges to the master equation (no
approximation beyond sampling), so these are the exact shot-to-shot
statistics that ``twa`` approximates. The Result has the layout of
``twa``: averages with standard errors, a sample of single shots, and the
delay and peak of every shot.
"""

from __future__ import annotations

import time as _time

import numpy as np

from .._resources import check_memory
from .._validation import check_positive_int
from ..model.states import DickeState, Excited, Ground, ProductState
from ..result import Result
from . import permutational
from ._sampling import (
    check_seed,
    check_shots,
    half_emission_times,
    package_shots,
    ratio_of_means,
    run_stoppable,
    sample_rows,
    trajectories_per_call,
    trajectory_seeds,
)

__all__ = ["NAME", "unsupported_reason", "solve", "DEFAULT_TRAJECTORIES", "block_size"]

NAME = "jumps"
DEFAULT_TRAJECTORIES = 1000
#: trajectories per kernel call at most (fewer for large N: :func:`block_size`)
BLOCK = 1024
#: wall seconds per jump of one trajectory on one core, an over-estimate (measured 30-60 ns on 2 cores)
SECONDS_PER_JUMP = 6e-8


def unsupported_reason(ensemble, initial):
    """Identical emitters (the conditions of ``permutational``) from a start diagonal in the Dicke basis."""
    state = permutational.ladder_state(initial)
    diagonal = isinstance(state, (Excited, Ground, DickeState)) or (
        isinstance(state, ProductState) and state.coherence == 0)
    if not diagonal:
        return ("it samples starts diagonal in the Dicke basis (excited, ground, a Dicke state, an incoherent "
                "ProductState); coherent states need 'permutational' (exact averages) or 'twa' (shots)")
    return permutational.unsupported_reason(ensemble, initial)


def _start(n, initial):
    """(ladder l = N/2 - j, row k = N/2 - m) of a diagonal start, and p of a product start (-1 otherwise)."""
    initial = permutational.ladder_state(initial)
    if isinstance(initial, ProductState):
        return 0, 0, float(np.atleast_1d(initial.p)[0])
    return (*_fixed_start(n, initial), -1.0)


def _fixed_start(n, initial):
    if isinstance(initial, Ground):
        return 0, n
    if isinstance(initial, DickeState):
        return int(round(n / 2 - initial.j)), int(round(n / 2 - initial.m))
    return 0, 0


def block_size(n):
    """Shots per kernel call: about CALL_SECONDS of work (about N jumps per shot), at most :data:`BLOCK`."""
    return trajectories_per_call(SECONDS_PER_JUMP * (n + 1.0), largest=BLOCK)


class _JumpRows:
    """Samples shots first .. first + count - 1 (picklable, for any executor).

    Returns fewer rows when Ctrl-C stopped the kernel (:func:`run_stoppable`): the shots finished before the
    first unfinished one.
    """

    def __init__(self, seed, n, l0, k0, p_start, prefactors, collective_decay, decay, times):
        self.seed, self.n, self.start = seed, n, (l0, k0, p_start)
        self.prefactors, self.rates, self.times = prefactors, (collective_decay, decay), times

    def __call__(self, first, count):
        from ..kernels.jumps import sample_jumps

        nt = self.times.size
        out = {key: np.zeros((count, nt)) for key in ("intensity", "excitation", "pairs", "counted")}
        out["photons"] = np.zeros((count, 2))
        finished = np.zeros(count, dtype=np.uint8)
        run_stoppable(sample_jumps, trajectory_seeds(self.seed, first, count), self.n, *self.start, self.prefactors,
                      *self.rates, self.times, out["intensity"], out["excitation"], out["pairs"], out["counted"],
                      out["photons"], finished)
        if not finished.all():
            done = int(np.argmin(finished))   # the first unfinished shot
            out = {key: value[:done] for key, value in out.items()}
        return out


def solve(ensemble, times, initial, *, trajectories=DEFAULT_TRAJECTORIES, seed=0, shots=None, batches=10,
          progress=None, executor=None):
    """Sample exact photon-counting trajectories and average them.

    Parameters
    ----------
    ensemble : Ensemble
        Identical two-level emitters (collective and local decay, dephasing, pumping, a common detuning).
    times : ndarray
        Strictly increasing output times (ps), the first the excitation.
    initial : state
        Excited, Ground, DickeState or an incoherent ProductState (each shot draws its (j, m) from the
        product's ladder decomposition).
    trajectories : int
        Number of shots M >= 2.
    seed : int
        Trajectory r draws from SeedSequence(seed, spawn_key=(r,)): results depend neither on the thread
        count nor on M (a run of M shots is a prefix of a run of 2M).
    shots, batches, progress, executor
        As for ``twa``: the shots are the same bit for bit whatever the executor.

    Returns
    -------
    Result
        ``intensity`` and ``excitation`` (trajectory averages, exact in the limit), ``data``:
        ``intensity_sem``, ``excitation_sem``, ``single_shots`` (nt, shots; conditional emission rate,
        photons/ps), ``pair_rate`` (Gamma_c^2 <J+ J+ J- J->, pairs/ps^2) and ``g2`` (equal-time second-order
        coherence of the collective channel, pair rate over the squared collective rate; NaN while dark),
        with ``pair_rate_sem`` and ``g2_sem`` (delta method), ``collective_rate`` (photons/ps); ``info``:
        ``shot_delays``, ``shot_peaks``,
        ``shot_half_times`` (when half of the shot's photons up to the last time were emitted, linear
        between output times), ``photons_collective`` and ``photons_local`` (per shot, emitted up to the
        last time), ``tau_d_sem``, ``peak_sem``, ``partial``.

    Ctrl-C ends the run within a fraction of a second at any N (the kernel stops inside a shot) and returns
    the shots finished so far, ``info['partial']`` True with a RuntimeWarning; a second Ctrl-C stops at once.

    Raises
    ------
    ValueError
        For bad options.
    KeyboardInterrupt
        On Ctrl-C before two shots finished (nothing to average).
    """
    from ..kernels import dicke_basis as kb
    from .permutational.ladders import ladder_rates

    trajectories = check_positive_int("trajectories", trajectories, minimum=2)
    seed = check_seed(seed)
    shots = check_shots(shots, trajectories)
    batches = min(check_positive_int("batches", batches, minimum=2), trajectories)
    n = ensemble.n
    nt = len(times)
    check_memory(5.0 * 8.0 * trajectories * nt, parameter="trajectories",
                 what=f"{trajectories} shots of {nt} output times", alternative="use fewer shots or output times")
    start = _time.perf_counter()
    rates = ladder_rates(ensemble)
    pre = kb.ladder_prefactors(n, n // 2 + 1, rates[0], rates[1], rates[3], rates[2])
    l0, k0, p_start = _start(n, initial)
    times = np.asarray(times, dtype=np.float64)
    runner = _JumpRows(seed, n, l0, k0, p_start, pre, float(ensemble.collective_decay), float(ensemble.decay),
                       times)
    out, done, partial = sample_rows(runner, total=trajectories, block=block_size(n), executor=executor,
                                     progress=progress, size=float(n) * trajectories / 50.0, desc=NAME, unit="shot",
                                     what="shots")
    intensity, excitation, photons, pairs, counted = (out[key] for key in ("intensity", "excitation", "photons",
                                                                           "pairs", "counted"))
    mean, data, shot_info = package_shots(times, intensity, intensity, keep=min(shots, done),
                                          batches=min(batches, done),
                                          extra={"excitation": excitation, "pair_rate": pairs})
    collective = intensity - float(ensemble.decay) * excitation   # the shots' collective-channel rates
    data["g2"], data["g2_sem"] = ratio_of_means(pairs, collective, power=2)
    data["collective_rate"] = collective.mean(axis=0)
    shot_info["shot_half_times"] = half_emission_times(times, counted, photons.sum(axis=1))
    params = ensemble.parameters()
    params.update(initial=initial.describe(), trajectories=done, seed=seed)
    info = {"trajectories": done, "trajectories_requested": trajectories, "trajectories_done": done,
            "partial": partial, "photons_collective": photons[:, 0], "photons_local": photons[:, 1],
            "wall_time": _time.perf_counter() - start, **shot_info}
    excitation_mean = data.pop("excitation")
    return Result(times, mean, excitation_mean, NAME, params, data=data, info=info)
