"""Shot-to-shot delay statistics and the Gumbel law of pure collective decay."""

from __future__ import annotations

import numpy as np

from .._validation import check_positive_int, check_rate, check_real_array
from .._warnings import warn_caller

__all__ = ["gumbel_delay_law", "gumbel_density", "delay_statistics", "window_cuts", "BurstWindowWarning",
           "DELAY_BINS", "MOST_CUT"]

#: default number of histogram bins of :func:`delay_statistics`
DELAY_BINS = 40
#: share of shots cut by the window above which :func:`delay_statistics` refuses (a majority: the statistics of
#: the rest would describe the earliest or latest shots only)
MOST_CUT = 0.5


class BurstWindowWarning(RuntimeWarning):
    """The time window cuts a burst: its maximum is at the window's first or last time, so its delay is unknown."""


def window_cuts(times, delays):
    """Which shots the window cuts: maximum at the first time (start) or at the last time (end).

    A shot whose maximum is at the last output time was still rising there: its burst comes after the
    window, and the delay read is the window's end. A shot whose maximum is at the first time has no
    delayed burst inside the window (the window starts after it, the shot has not yet jumped, or it never
    bursts), and the delay read is the window's start. Neither is a delay of a burst.

    Parameters
    ----------
    times : ndarray
        Output times (ps).
    delays : ndarray
        Time of each shot's maximum (ps), the sample itself at the first and last time
        (:func:`sf_dynamics.kernels.peaks.trace_maxima`).

    Returns
    -------
    (ndarray of bool, ndarray of bool)
        Cut at the start, cut at the end.
    """
    times = np.asarray(times, dtype=np.float64)
    delays = np.asarray(delays, dtype=np.float64)
    return delays <= times[0], delays >= times[-1]


def gumbel_delay_law(n, collective_decay):
    """Mean and standard deviation (ps) of the delay of N fully inverted emitters under pure collective decay.

    For large N the burst starts when the first photons, emitted at rates
    N Gamma_c, 2(N - 1) Gamma_c, 3(N - 2) Gamma_c, ..., have built the collective
    dipole; the delay is t_D = (ln N - ln X) / (N Gamma_c) with X exponential,
    a Gumbel law: mean (ln N + gamma_E) / (N Gamma_c), standard deviation
    (pi / sqrt 6) / (N Gamma_c) (Haake et al., Phys. Rev. A 20, 2047 (1979);
    Polder, Schuurmans & Vrehen, Phys. Rev. A 19, 1192 (1979)).

    Parameters
    ----------
    n : int
        Emitters, >= 2.
    collective_decay : float
        Gamma_c (1/ps), > 0.

    Returns
    -------
    (float, float)
    """
    n = check_positive_int("n", n, minimum=2)
    rate = check_rate("collective_decay", collective_decay)
    if rate <= 0:
        raise ValueError(f"collective_decay must be > 0 (1/ps), got {collective_decay!r}")
    scale = 1.0 / (n * rate)
    return (np.log(n) + np.euler_gamma) * scale, np.pi / np.sqrt(6.0) * scale


def gumbel_density(t, n, collective_decay):
    """Probability density (1/ps) of the delay t (ps) of the Gumbel law of :func:`gumbel_delay_law`."""
    gumbel_delay_law(n, collective_decay)   # validates
    x = n * collective_decay * np.asarray(t, dtype=np.float64) - np.log(n)
    return n * collective_decay * np.exp(-x - np.exp(-x))


def delay_statistics(result, bins=DELAY_BINS):
    """Histogram and moments of the single-shot delays of a sampling Result (``jumps``, ``twa``).

    The one implementation: :func:`sf_dynamics.analysis.delay_statistics` is this function. Shots the
    time window cuts (:func:`window_cuts`: maximum at the first or the last output time) have no measured
    delay: they are left out of the histogram and the moments with a :class:`BurstWindowWarning`, and
    refused when they are more than :data:`MOST_CUT` of the shots.

    Parameters
    ----------
    result : Result
        With ``info["shot_delays"]`` (time of each shot's maximum) and, for
        ``jumps``, ``info["shot_half_times"]`` (half-emission time).
    bins : int or array_like
        Histogram bins (>= 2) over the range of the delays, or the bin edges
        (strictly increasing, >= 3 of them), as in :func:`numpy.histogram`.

    Returns
    -------
    xarray.Dataset
        ``delay`` (NaN for a cut shot), ``cut`` (bool) and (if present) ``half_time`` per ``shot`` (ps);
        ``density`` (1/ps) and ``count`` (shots) at the bin ``centre`` (ps),
        the bin edges in ``edge`` (ps); for pure collective decay from full
        inversion (no local processes, ``initial`` excited) ``gumbel``, the
        density of :func:`gumbel_density` on a fine grid ``gumbel_time`` (ps)
        for comparison; attributes ``mean_ps``, ``std_ps`` (sample standard
        deviation), ``sem_ps`` (standard error of the mean),
        ``relative_spread`` (std / mean, compare
        :func:`sf_dynamics.analysis.delay_spread_theory`; NaN for a zero
        mean), ``bin_width_ps`` (of the first bin), ``method``, ``shots_used``,
        ``shots_cut_at_start`` and ``shots_cut_at_end``; all of the shots that are not cut.

    Raises
    ------
    ValueError
        When the result has no shot delays (not a sampling method, or no shots), for bad bins, or naming
        ``times`` when the window cuts more than :data:`MOST_CUT` of the shots (or leaves fewer than 2).

    Warns
    -----
    BurstWindowWarning
        When the window cuts some shots, saying how many were left out.
    """
    import xarray as xr

    if np.ndim(bins) == 0:
        bins = check_positive_int("bins", bins, minimum=2)
    else:
        bins = check_real_array("bins", bins)
        if bins.ndim != 1 or bins.size < 3 or np.any(np.diff(bins) <= 0):
            raise ValueError("bins must be an integer >= 2 or at least 3 strictly increasing bin edges")
    if "shot_delays" not in result.info:
        raise ValueError(f"result: method {result.method!r} has no single shots; use 'jumps' (exact) or 'twa'")
    delays = np.asarray(result.info["shot_delays"], dtype=np.float64)
    if delays.size == 0:
        raise ValueError(f"result: method {result.method!r} recorded no shots (an exact fixed point or no "
                         "trajectories finished)")
    at_start, at_end = window_cuts(result.times, delays)
    cut = at_start | at_end
    if cut.any():
        window = f"the window {result.times[0]:.4g}-{result.times[-1]:.4g} ps"
        parts, fixes = [], []
        if at_end.any():
            parts.append(f"{int(at_end.sum())} still rising at the last time (the burst comes after the window)")
            fixes.append("extend times")
        if at_start.any():
            parts.append(f"{int(at_start.sum())} largest at the first time (no rise inside the window: their burst "
                         "came before it, comes after it or never comes)")
            if result.times[0] > 0:
                fixes.append("start times at the excitation, 0")
        cause = f"{window} cuts {int(cut.sum())} of {delays.size} shots: {' and '.join(parts)}"
        fix = f"; {' and '.join(fixes)}" if fixes else ""
        if cut.mean() > MOST_CUT or delays.size - cut.sum() < 2:
            raise ValueError(f"times: {cause}; their delays are not measured{fix}")
        warn_caller(f"times: {cause}; they are left out of the delay statistics, which then describe the other "
                    f"{int(delays.size - cut.sum())} shots only{fix}", BurstWindowWarning)
    kept = delays[~cut]
    density, edges = np.histogram(kept, bins=bins, density=True)
    counts, _ = np.histogram(kept, bins=edges)
    variables = {"delay": ("shot", np.where(cut, np.nan, delays),
                           {"units": "ps", "long_name": "time of the shot's maximum (NaN: cut by the window)"}),
                 "cut": ("shot", cut, {"long_name": "maximum at the window's first or last time"}),
                 "density": ("centre", density, {"units": "1/ps"}),
                 "count": ("centre", counts, {"units": "shots"})}
    if "shot_half_times" in result.info:
        variables["half_time"] = ("shot", np.asarray(result.info["shot_half_times"]),
                                  {"units": "ps", "long_name": "time when half of the shot's photons were out"})
    mean, std = float(kept.mean()), float(kept.std(ddof=1))
    coords = {"centre": ("centre", 0.5 * (edges[1:] + edges[:-1]), {"units": "ps"}),
              "edge": ("edge", edges, {"units": "ps"})}
    params = result.parameters
    pure = (params.get("collective_decay", 0) > 0 and params.get("initial") == "excited" and result.n >= 2
            and all(params.get(key, 0) == 0 for key in ("decay", "dephasing", "pumping")))
    if pure:
        grid = np.linspace(edges[0], edges[-1], 201)
        coords["gumbel_time"] = ("gumbel_time", grid, {"units": "ps"})
        variables["gumbel"] = ("gumbel_time", gumbel_density(grid, result.n, params["collective_decay"]),
                               {"units": "1/ps", "long_name": "Gumbel law of pure collective decay"})
    return xr.Dataset(variables, coords=coords,
                      attrs={"mean_ps": mean, "std_ps": std, "sem_ps": std / np.sqrt(kept.size),
                             "relative_spread": std / mean if mean != 0 else float("nan"), "method": result.method,
                             "bin_width_ps": float(edges[1] - edges[0]), "shots_used": int(kept.size),
                             "shots_cut_at_start": int(at_start.sum()), "shots_cut_at_end": int(at_end.sum())})
