"""Helpers shared by the shot-based methods (``twa``, ``maxwell_bloch`` noise initiation).

* seeds: every trajectory r draws its random numbers from a stream derived
  from (seed, r) by :class:`numpy.random.SeedSequence`, so different seeds
  give independent streams, and results depend neither on the number of
  threads or workers nor on the total trajectory count (a run of M
  trajectories is a prefix of a run of 2M);
* the time schedule: fixed steps inside each output interval, so any
  strictly increasing output grid (starting at the excitation, t = 0) is
  recorded exactly at its times;
* shot packaging: trajectory averages, standard errors, single-shot traces
  and per-shot delays and peaks, in the same layout for every method.

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

import numbers

import numpy as np

__all__ = ["check_seed", "time_schedule", "trajectory_seeds", "block_seed_sequence", "package_shots",
           "batch_errors"]


def check_seed(seed) -> int:
    """An integer seed in [0, 2**63); ValueError naming ``seed`` otherwise."""
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise ValueError(f"seed must be an integer, got {seed!r}")
    seed = int(seed)
    if not 0 <= seed < 2**63:
        raise ValueError(f"seed must be an integer in [0, 2**63), got {seed}")
    return seed


def trajectory_seeds(seed: int, first: int, count: int) -> np.ndarray:
    """32-bit seeds of trajectories first, ..., first + count - 1: SeedSequence(seed, spawn_key=(r,))."""
    return np.array([np.random.SeedSequence(seed, spawn_key=(r,)).generate_state(1, np.uint32)[0]
                     for r in range(first, first + count)], dtype=np.uint32)


def block_seed_sequence(seed: int, block: int) -> np.random.SeedSequence:
    """The SeedSequence of trajectory block ``block`` (per-emitter engine: one stream per block)."""
    return np.random.SeedSequence(seed, spawn_key=(2**32 + block,))


def time_schedule(times, dt_max, *, max_steps):
    """Fixed steps inside each output interval: (steps per interval, step per interval).

    Every interval (t_i, t_{i+1}] is cut into ceil((t_{i+1} - t_i) / dt_max)
    equal steps, so the trajectories are recorded exactly at the output
    times, for any strictly increasing grid.

    Raises
    ------
    ValueError
        If the steps would exceed ``max_steps`` (naming ``times``).
    """
    from .._resources import check_step_budget

    spans = np.diff(np.asarray(times, dtype=np.float64))
    with np.errstate(over="ignore", divide="ignore"):
        counts = np.maximum(1.0, np.ceil(spans / dt_max - 1e-9))
    check_step_budget(float(np.sum(counts)), parameter="times", max_steps=max_steps,
                      what=f"a window of {times[-1] - times[0]:.3g} ps at steps of {dt_max:.3g} ps "
                           "(0.02 / fastest rate)",
                      alternative="shorten the window")
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
