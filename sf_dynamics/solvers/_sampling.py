"""Helpers shared by the shot-based methods (``twa``, ``maxwell_bloch`` noise initiation).

* seeds: every trajectory r draws its random numbers from a stream derived
  from (seed, r) by :class:`numpy.random.SeedSequence`, so different seeds
  give independent streams, and results depend neither on the number of
  threads or workers nor on the total trajectory count (a run of M
  trajectories is a prefix of a run of 2M);
* the time schedule: fixed steps inside each output interval, so any
  strictly increasing output grid (starting at the excitation, t = 0) is
  recorded exactly at its times;
* where the trajectories run (:func:`sample_rows`): in chunks of whole
  blocks, in this process or on local processes or a Dask cluster
  (``executor=``); each trajectory's numbers depend only on (seed, r), so the
  results are identical bit for bit whatever the executor and the number of
  its workers;
* Ctrl-C: in this process a block lasts about :data:`CALL_SECONDS`
  (:func:`trajectories_per_call`); the first Ctrl-C lets the block in progress
  finish (a kernel that can stop inside a block, :func:`run_stoppable`, keeps
  its finished trajectories) and the run returns every finished trajectory,
  flagged ``partial`` with a RuntimeWarning; a second Ctrl-C stops at once.
  On an executor the first Ctrl-C stops at once, keeping the finished chunks;
* shot packaging: trajectory averages, standard errors, single-shot traces
  and per-shot delays and peaks, in the same layout for every method.

Two-time correlations of shots
------------------------------
A detected field E- = sum_k c_k s-_k has, in each trajectory, the classical
amplitude a_r(t) = sum_k c_k beta_k. Recorded on a uniform grid with the
delay step, the trajectory average of conj(a(t + tau)) a(t) is the
*symmetrically* ordered correlation C(t, tau) = <{E+(t + tau), E-(t)}>/2,
not the normally ordered G1(t, tau) = <E+(t + tau) E-(t)> that a detector
measures. They differ by half the commutator <[E-(t), E+(t + tau)]>, a
response function. At tau = 0 it is known exactly: G1(t, 0) is the
normally ordered intensity, estimated per trajectory like the intensity
(:func:`shot_correlation` receives it). For tau > 0 the commutator is
assumed to decay in tau like C itself, i.e. every row is rescaled,
G1(t, tau) = C(t, tau) G1(t, 0) / C(t, 0). This is exact for independent
emitters (both orderings of s+(t + tau) s-(t) obey the same linear
regression equation in tau) and at tau = 0; for a superfluorescent burst the
commutator is O(1/N) of C near the peak. The measured error against the
exact ``permutational`` G1 is in docs/validation.md.

What a single shot is
---------------------
Each trajectory carries classical spins (Weyl symbols beta_k, z_k). Its
*single-shot trace* is the emission rate of those classical dipoles,
I_r(t) = sum_ij Gamma_ij Re(conj(beta_i) beta_j) >= 0 (Gamma is positive
semi-definite), the classical field intensity of that realisation. The
quantum intensity is estimated by the trajectory average of
I_r + sum_i Gamma_ii (n_i - 1/2), which removes the symmetric-ordering
(vacuum) part of |beta_i|^2: single shots therefore start at half the
incoherent rate (N Gamma / 2 at t = 0) and keep a vacuum floor N Gamma / 2
after the burst, negligible against a burst peak of ~N^2 Gamma / 4. The
per-trajectory estimator can be negative (a Weyl symbol of a positive
operator need not be positive); its average is non-negative within its
standard error in the documented regime of validity.
"""

from __future__ import annotations

import os
import threading

import numpy as np

from .._executors import check_executor, deferred_interrupt, ordered_map, partial_allowed
from .._validation import check_seed
from .._warnings import warn_caller
from .estimators import ratio_of_means

__all__ = ["check_seed", "check_shots", "sample_rows", "ClassSpinRows", "time_schedule", "trajectory_seeds",
           "block_seed_sequence", "run_blocks", "package_shots", "batch_errors", "ratio_of_means",
           "half_emission_times", "record_grid", "shot_correlation", "spin_z_start", "CALL_SECONDS",
           "trajectories_per_call", "run_stoppable"]

#: seconds one kernel call in this process should last at most (Ctrl-C is honoured between calls)
CALL_SECONDS = 0.5
#: seconds between two looks for a noted Ctrl-C while a stoppable kernel runs (:func:`run_stoppable`)
STOP_POLL_S = 0.05
#: wall seconds per trajectory, step and (slice, class) cell of the class-spin kernel, an over-estimate
#: (measured 70-90 ns on 2 cores)
CLASS_SPIN_SECONDS = 1e-7


def check_shots(shots, trajectories: int) -> int:
    """Single-shot traces to keep: default min(20, trajectories); ValueError naming ``shots`` outside [0, M]."""
    from .._validation import check_positive_int

    if shots is None:
        return min(20, trajectories)
    return check_positive_int("shots", shots, minimum=0, maximum=trajectories)


def trajectories_per_call(seconds_per_trajectory, *, largest):
    """Trajectories per kernel call in this process: about :data:`CALL_SECONDS` of work, so Ctrl-C acts soon.

    At least one per core (each call runs its trajectories on numba's threads), at most ``largest``.
    """
    count = int(CALL_SECONDS / max(float(seconds_per_trajectory), 1e-12))
    return int(min(largest, max(count, os.cpu_count() or 1)))


def run_stoppable(kernel, *args):
    """``kernel(*args, stop)``: a nogil numba kernel that ends its trajectories early once ``stop[0]`` is set.

    Where Ctrl-C is deferred (this process's main thread, :func:`sf_dynamics._executors.deferred_interrupt`)
    the kernel runs on a helper thread while this one waits, and a Ctrl-C sets ``stop[0]``: the call returns
    within one check of the kernel, with the trajectories it finished marked by the kernel. Elsewhere it
    runs here. numba's thread count is the caller's.
    """
    import numba

    stop = np.zeros(1, dtype=np.int64)
    if not (threading.current_thread() is threading.main_thread() and partial_allowed()):
        kernel(*args, stop)
        return
    with deferred_interrupt() as noted:
        threads, errors = numba.get_num_threads(), []

        def target():
            try:
                numba.set_num_threads(threads)
                kernel(*args, stop)
            except BaseException as exc:  # noqa: BLE001 - raised again in the calling thread
                errors.append(exc)

        helper = threading.Thread(target=target, name="sf-dynamics-kernel", daemon=True)
        helper.start()
        try:
            while helper.is_alive():
                helper.join(STOP_POLL_S)
                if noted():
                    stop[0] = 1
        except BaseException:   # a second Ctrl-C: the kernel stops at its next check, before this returns
            stop[0] = 1
            helper.join()
            raise
    if errors:
        raise errors[0]


def run_blocks(blocks, *, total, progress, size, desc, unit, what, defer=True):
    """Run trajectory blocks with a progress bar; Ctrl-C keeps the blocks finished so far.

    Parameters
    ----------
    blocks : iterable of (first, count)
        Yields after running trajectories first .. first + count - 1 (in order); a block that yields fewer
        than it was given was stopped by Ctrl-C (:func:`run_stoppable`) and ends the run.
    total : int
        Trajectories requested.
    progress, size, desc, unit
        Of :func:`sf_dynamics._progress.progress_bar`.
    what : str
        Plural noun for the warning ("trajectories", "shots").
    defer : bool
        Whether a first Ctrl-C lets the block in progress finish (blocks run in this process) rather than
        stopping at once (blocks run elsewhere).

    Returns
    -------
    (done, partial) : (int, bool)
        Trajectories finished, and whether Ctrl-C ended the run early (a RuntimeWarning says so).

    Raises
    ------
    KeyboardInterrupt
        On Ctrl-C before two trajectories finished (nothing to average), or inside
        :func:`sf_dynamics._executors.whole_tasks` (a sweep point is whole or not computed); the message says
        how many had finished.
    """
    import contextlib

    from .._progress import progress_bar

    done, partial = 0, False
    with progress_bar(progress, total=total, size=size, desc=desc, unit=unit) as bar, \
            (deferred_interrupt(desc) if defer else contextlib.nullcontext(lambda: False)) as noted:
        try:
            for first, count in blocks:
                done = first + count
                bar.update(count)
                if noted():
                    break
            if done < total:
                raise KeyboardInterrupt
        except KeyboardInterrupt:
            if hasattr(blocks, "close"):
                blocks.close()   # ends the block runner now (local worker processes are terminated)
            if done < 2 or not partial_allowed():
                reason = "fewer than two to average" if done < 2 else "a sweep point is kept only whole"
                raise KeyboardInterrupt(f"{desc} interrupted with {done} of {total} {what} finished ({reason}); "
                                        "nothing returned") from None
            partial = True
            warn_caller(f"{desc} interrupted: returning the average of the {done} {what} finished (of "
                        f"{total}); info['partial'] is True", RuntimeWarning)
    return done, partial


#: tasks a non-serial executor receives at most (each a run of whole blocks)
EXECUTOR_TASKS = 32


def _rows(task):
    runner, first, count = task
    return runner(first, count)


def sample_rows(runner, *, total, block, executor=None, progress=None, size=0.0, desc="", unit="traj",
                what="trajectories"):
    """Run trajectories 0 .. total - 1 in chunks of whole blocks, on an executor; keep what finished.

    Parameters
    ----------
    runner : callable
        ``runner(first, count)`` runs trajectories first .. first + count - 1 (``first`` a multiple of
        ``block``) and returns a dict of arrays with ``count`` rows (the same names, widths and dtypes for
        every chunk); picklable for any executor but the serial one.
    total, block : int
        Trajectories requested, and the block that defines the random streams (chunks hold whole blocks).
    executor : see :mod:`sf_dynamics._executors`
        None (this process, one block at a time), "processes", an Executor, a Dask Client or address
        (at most :data:`EXECUTOR_TASKS` chunks).
    progress, size, desc, unit, what
        As for :func:`run_blocks`.

    Returns
    -------
    (out, done, partial) : (dict of ndarray, int, bool)
        The arrays of the first ``done`` trajectories (all, unless Ctrl-C ended the run early: a chunk may
        then return fewer rows, its finished first trajectories).

    Raises
    ------
    KeyboardInterrupt
        See :func:`run_blocks`.
    """
    check_executor(executor)
    out = {}
    blocks = -(-total // block)
    per_task = 1 if executor is None or executor == "serial" else -(-blocks // EXECUTOR_TASKS)
    step = per_task * block
    chunks = [(first, min(step, total - first)) for first in range(0, total, step)]

    def filled():
        with ordered_map(_rows, [(runner, first, count) for first, count in chunks], executor) as values:
            for (first, count), value in zip(chunks, values):
                got = min(len(array) for array in value.values())   # fewer than count: stopped by Ctrl-C
                for key, array in value.items():
                    if key not in out:   # the first chunk gives each array's row layout
                        out[key] = np.zeros((total,) + array.shape[1:], dtype=array.dtype)
                    out[key][first : first + got] = array[:got]
                yield first, got
                if got < count:
                    return

    done, partial = run_blocks(filled(), total=total, progress=progress, size=size, desc=desc, unit=unit,
                               what=what, defer=executor is None or executor == "serial")
    return {key: value[:done] for key, value in out.items()}, done, partial


class ClassSpinRows:
    """Class-spin trajectories first .. first + count - 1: twa's class engine and maxwell_bloch's slices.

    Picklable, for any executor. Returns the kernel's per-trajectory ``total``, ``forward`` and
    ``excitation`` (count, nt) and the classical forward amplitude ``field`` ((count, nt) complex with
    ``record_field``, else (count, 0)); see :func:`sf_dynamics.kernels.class_spins.class_spin_trajectories`.

    Parameters
    ----------
    seed : int
    start : (z0, theta, phi)
        Spins along z0 rotated by theta about y and phi about z.
    counts : ndarray, shape (slices, K)
        Emitters per slice and spectral class.
    detunings : ndarray, shape (K,)
    rates : (gamma_f, local decay, dephasing, pumping)
        1/ps.
    steps, dts : ndarray
        Of :func:`time_schedule`.
    spread : float
        Spread of s_z of a partially inverted start (:func:`spin_z_start`).
    record_field : bool
    """

    def __init__(self, seed, start, counts, detunings, rates, steps, dts, spread, record_field):
        self.seed, self.start, self.counts, self.detunings, self.rates = seed, start, counts, detunings, rates
        self.steps, self.dts, self.spread, self.record_field = steps, dts, spread, record_field

    def block(self, largest):
        """Trajectories per kernel call in this process: about CALL_SECONDS of work, at most ``largest``."""
        return trajectories_per_call(CLASS_SPIN_SECONDS * self.counts.size * float(np.sum(self.steps)),
                                     largest=largest)

    def __call__(self, first, count):
        from ..kernels.class_spins import class_spin_trajectories

        nt = self.steps.size + 1
        out = {key: np.zeros((count, nt)) for key in ("total", "forward", "excitation")}
        out["field"] = np.zeros((count, nt if self.record_field else 0), dtype=np.complex128)
        class_spin_trajectories(trajectory_seeds(self.seed, first, count), *self.start, self.counts, self.detunings,
                                *self.rates, self.steps, self.dts, out["total"], out["forward"], out["excitation"],
                                out["field"], self.spread)
        return out


def spin_z_start(p: float) -> tuple[float, float]:
    """Mean 2p - 1 and spread 2 sqrt(p (1 - p)) of one spin's s_z = +-1 excited with probability p."""
    return 2.0 * p - 1.0, 2.0 * float(np.sqrt(p * (1.0 - p)))


def trajectory_seeds(seed: int, first: int, count: int) -> np.ndarray:
    """32-bit seeds of trajectories first, ..., first + count - 1: SeedSequence(seed, spawn_key=(r,))."""
    return np.array([np.random.SeedSequence(seed, spawn_key=(r,)).generate_state(1, np.uint32)[0]
                     for r in range(first, first + count)], dtype=np.uint32)


def block_seed_sequence(seed: int, block: int) -> np.random.SeedSequence:
    """The SeedSequence of trajectory block ``block`` (per-emitter engine: one stream per block)."""
    return np.random.SeedSequence(seed, spawn_key=(2**32 + block,))


def time_schedule(times, dt_max, *, max_steps, system=None, dt=None):
    """Fixed steps inside each output interval: (steps per interval, step per interval).

    Every interval (t_i, t_{i+1}] is cut into ceil((t_{i+1} - t_i) / dt_max)
    equal steps, so the trajectories are recorded exactly at the output
    times, for any strictly increasing grid.

    Parameters
    ----------
    times : ndarray
        Output times (ps).
    dt_max : float
        Largest step (ps): the smaller of the default step and ``dt``.
    max_steps : int
        Step budget.
    system : System, optional
        The system whose fastest rate set the default step (names the rate a refusal blames).
    dt : float, optional
        The step the user gave (a refusal blames it when it set ``dt_max``).

    Raises
    ------
    ValueError
        If the steps would exceed ``max_steps``, naming ``times`` (a long window or many output times),
        ``dt`` or the rate that set the step (:func:`~sf_dynamics.model.timescales.step_culprit`).
    """
    from .._resources import check_step_budget
    from ..model.timescales import step_culprit

    spans = np.diff(np.asarray(times, dtype=np.float64))
    with np.errstate(over="ignore", divide="ignore"):
        counts = np.maximum(1.0, np.ceil(spans / dt_max - 1e-9))
    total = float(np.sum(counts))
    if not total <= max_steps:
        span = float(times[-1] - times[0])
        if spans.size > max_steps:
            culprit, reason, alternative = "times", f"{times.size} output times (a step each at least)", \
                "use fewer output times"
        elif dt is not None and dt <= dt_max:
            culprit, reason, alternative = "dt", f"steps of dt = {dt:.3g} ps over a window of {span:.3g} ps", \
                "use a larger dt (or none: the default is 0.02 / the fastest rate)"
        elif system is not None:
            culprit, reason, alternative = step_culprit(system, span)
            reason += f" at steps of {dt_max:.3g} ps (0.02 / fastest rate)"
        else:
            culprit, reason, alternative = "times", f"a window of {span:.3g} ps at steps of {dt_max:.3g} ps", \
                "shorten the window"
        check_step_budget(total, parameter=culprit, max_steps=max_steps, what=reason, alternative=alternative)
    steps = counts.astype(np.int64)
    return steps, spans / steps


def batch_errors(times, traces, batches):
    """Standard errors of tau_D and of the peak of the averaged trace, from batch means."""
    from ..kernels.peaks import trace_maxima as trajectory_peaks

    groups = np.array_split(np.arange(traces.shape[0]), batches)
    means = np.array([traces[g].mean(axis=0) for g in groups])
    t_d, peaks = trajectory_peaks(np.asarray(times, dtype=np.float64), means)
    scale = 1.0 / np.sqrt(len(groups))
    return float(np.std(t_d, ddof=1) * scale), float(np.std(peaks, ddof=1) * scale)


def package_shots(times, estimator, shots, *, keep, batches=10, extra=None):
    """Averages, standard errors, a sample of single shots and per-shot delays and peaks.

    Parameters
    ----------
    times : ndarray, shape (nt,)
    estimator : ndarray, shape (M, nt)
        Per-trajectory estimator of the averaged quantity (its mean is the result).
    shots : ndarray, shape (M, nt)
        Single-shot traces (classical field intensity of each trajectory).
    keep : int
        Number of single shots kept in ``data["single_shots"]``.
    batches : int
        Batches for the standard errors of tau_D and the peak.
    extra : dict of str -> ndarray (M, nt), optional
        Further per-trajectory series, averaged with standard errors.

    Returns
    -------
    mean : ndarray (nt,)
    data : dict
        ``intensity_sem`` (or ``<key>_sem``), ``single_shots`` (nt, keep).
    info : dict
        ``shot_delays``, ``shot_peaks`` (time and height of each shot's
        maximum), ``tau_d_sem`` and ``peak_sem`` of the averaged trace.
    """
    from ..kernels.peaks import trace_maxima as trajectory_peaks

    count = estimator.shape[0]
    root = np.sqrt(count)
    mean = estimator.mean(axis=0)
    data = {"intensity_sem": estimator.std(axis=0, ddof=1) / root, "single_shots": shots[:keep].T.copy()}
    for key, values in (extra or {}).items():
        data[key] = values.mean(axis=0)
        data[f"{key}_sem"] = values.std(axis=0, ddof=1) / root
    delays, peaks = trajectory_peaks(np.asarray(times, dtype=np.float64), shots)
    tau_sem, peak_sem = batch_errors(times, estimator, min(batches, count))
    info = {"shot_delays": delays, "shot_peaks": peaks, "tau_d_sem": tau_sem, "peak_sem": peak_sem}
    return mean, data, info


def half_emission_times(times, counted, total):
    """Per shot, the time (ps) at which half of its ``total`` photons had been emitted.

    ``counted`` (M, nt) holds the photons emitted up to each output time; the
    crossing of total/2 is interpolated linearly between output times (NaN for
    shots without photons).
    """
    half = 0.5 * np.asarray(total, dtype=np.float64)
    reached = counted >= half[:, None]
    index = np.argmax(reached, axis=1)
    out = np.full(counted.shape[0], np.nan)
    rows = np.flatnonzero((half > 0) & reached.any(axis=1))
    i = index[rows]
    before = np.maximum(i - 1, 0)
    lo, hi = counted[rows, before], counted[rows, i]
    frac = np.where(hi > lo, (half[rows] - lo) / np.where(hi > lo, hi - lo, 1.0), 1.0)
    out[rows] = times[before] + frac * (times[i] - times[before])
    return out


def record_grid(times, taus):
    """Uniform grid u_k = k dtau on which fields are recorded for G1 at ``times`` and delays ``taus``.

    Returns (grid, rows): grid covers [0, max(times) + max(taus)], and the first ``rows`` points cover
    [0, max(times)].
    """
    step = float(taus[1] - taus[0])
    rows = int(np.ceil(float(times[-1]) / step - 1e-9)) + 1
    return step * np.arange(rows + len(taus) - 1), rows


def shot_correlation(grid, field, normal, times, lags):
    """G1(t, tau) and its standard error from per-trajectory fields on :func:`record_grid`.

    Parameters
    ----------
    grid : ndarray (R,)
        Record times (ps), uniform from 0.
    field : ndarray of complex (M, R)
        Classical field amplitude a_r (sqrt(photons/ps)) of each trajectory.
    normal : ndarray (M, R)
        Per-trajectory estimator of the normally ordered intensity <E+ E-> (photons/ps).
    times : ndarray (nt,)
        Output times t (ps), within [0, grid[rows - 1]].
    lags : int
        Number of delays (tau_j = j * grid step).

    Returns
    -------
    g1, sem : ndarray (nt, lags)
        Complex G1 (photons/ps, ordering as in the module notes) and the standard error of its mean (real).
    """
    from ..kernels.lagged import lagged_products, rescaled_lagged_error

    rows = grid.size - lags + 1
    columns = np.ascontiguousarray(field.T)
    symmetric = lagged_products(columns, rows, lags)
    zero = symmetric[:, 0].real
    scale = np.divide(normal.mean(axis=0)[:rows], zero, out=np.zeros(rows), where=zero > 0)
    ratio = np.divide(symmetric, zero[:, None], out=np.zeros_like(symmetric), where=zero[:, None] > 0)
    mean = symmetric * scale[:, None]
    # error of the rescaled estimator, including the sampling error of the scale (delta method)
    spread = rescaled_lagged_error(columns, np.ascontiguousarray(normal[:, :rows].T), scale, ratio, mean)
    # rows at the output times (linear interpolation between grid rows; exact for times on the grid)
    position = np.clip(np.asarray(times, dtype=np.float64) / (grid[1] - grid[0]), 0.0, rows - 1.0)
    lower = np.minimum(np.floor(position + 1e-9).astype(np.int64), rows - 1)
    upper = np.minimum(lower + 1, rows - 1)
    weight = np.clip(position - lower, 0.0, 1.0)[:, None]
    g1 = (1.0 - weight) * mean[lower] + weight * mean[upper]
    sem = (1.0 - weight) * spread[lower] + weight * spread[upper]
    return g1, sem
