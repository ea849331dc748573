"""Superfluorescence observables of an intensity trace.

Every function takes either a :class:`~sf_dynamics.Result` or a pair
``(times, intensity)`` of 1-D arrays (times in ps, intensity in photons/ps)
and states the definition it computes. Conventions (docs/conventions.md):

* build-up (delay) time tau_D: time of the intensity maximum after t = 0;
* SF time tau_SF: from the sech^2 fit I = A sech^2((t - tau_D) / (2 tau_SF));
  its FWHM is 4 arccosh(sqrt 2) tau_SF = 3.525 tau_SF.

A trace still rising at its last time (its maximum is the last sample) has no maximum inside the window:
its tau_D, peak (and the burst's tau_SF) are not measured. Every function here then returns NaN for them
with a :class:`~sf_dynamics.statistics.BurstWindowWarning` naming ``times``, as
:func:`delay_statistics` leaves such shots out.

:func:`delay_statistics` is :func:`sf_dynamics.statistics.delay_statistics`, re-exported (one implementation).
"""

from __future__ import annotations

import numpy as np

from .._validation import check_real_array
from .._warnings import warn_caller
from ..kernels.peaks import parabolic_vertex
from ..statistics.delays import BurstWindowWarning, delay_statistics
from .fitting import FitQualityWarning, fit_sech2

__all__ = [
    "SECH2_FWHM_PER_TAU_SF",
    "buildup_time",
    "peak_intensity",
    "pulse_fwhm",
    "superradiant_enhancement",
    "peak_per_n_squared",
    "delay_statistics",
    "peak_statistics",
    "delay_spread_theory",
    "burst_summary",
    "SF_THRESHOLD",
    "class_emission",
]

#: FWHM of sech^2(t / (2 tau)) in units of tau: 4 arccosh(sqrt(2)) = 3.5255
SECH2_FWHM_PER_TAU_SF = 4.0 * np.arccosh(np.sqrt(2.0))


def _trace(result_or_times, intensity=None):
    """Return (times, intensity) float arrays from a Result or two arrays."""
    if intensity is None:
        if not hasattr(result_or_times, "intensity"):
            raise ValueError("pass a Result, or times and intensity arrays")
        times, intensity = result_or_times.times, result_or_times.intensity
    else:
        times = result_or_times
    times = check_real_array("times", times)
    intensity = check_real_array("intensity", intensity)
    if times.ndim != 1 or times.size < 3:
        raise ValueError(f"times must be a 1-D array with at least 3 samples, got shape {times.shape}")
    if intensity.shape != times.shape:
        raise ValueError(f"intensity must have the shape of times {times.shape}, got {intensity.shape}")
    if np.any(np.diff(times) <= 0):
        raise ValueError("times must be strictly increasing")
    return times, intensity


def _parabolic_peak(times, intensity):
    """Vertex (t, I) of the parabola through the maximum sample and its neighbours, and the sample index."""
    i = int(np.argmax(intensity))
    t, y = parabolic_vertex(times, intensity, i)
    return float(t), float(y), i


def _rising_at_end(times, intensity, what):
    """Whether the maximum is the last sample (the trace still rises there); warns naming ``times`` if so."""
    if int(np.argmax(intensity)) < times.size - 1:
        return False
    warn_caller(f"times: the intensity is still rising at the last time ({times[-1]:.4g} ps), so the window ends "
                f"before its maximum: {what} not measured (NaN); extend times", BurstWindowWarning)
    return True


def buildup_time(result_or_times, intensity=None) -> float:
    """Build-up (delay) time tau_D (ps): the time of the intensity maximum.

    The maximum sample and its two neighbours are fitted with a parabola and
    the time of its vertex is returned, so tau_D is resolved below the
    sampling step. A maximum at the first sample (no delayed burst, e.g.
    incoherent decay) gives ``times[0]``; a maximum at the last sample (the
    trace still rises where the window ends) gives NaN with a
    :class:`~sf_dynamics.statistics.BurstWindowWarning`.
    """
    times, intensity = _trace(result_or_times, intensity)
    if _rising_at_end(times, intensity, "tau_D is"):
        return float("nan")
    return _parabolic_peak(times, intensity)[0]


def peak_intensity(result_or_times, intensity=None) -> float:
    """Peak photon emission rate (photons/ps), interpolated like :func:`buildup_time` (NaN, with a warning, for a
    trace still rising at its last time)."""
    times, intensity = _trace(result_or_times, intensity)
    if _rising_at_end(times, intensity, "the peak is"):
        return float("nan")
    return _parabolic_peak(times, intensity)[1]


def pulse_fwhm(result_or_times, intensity=None) -> float:
    """Full width at half maximum of the burst (ps).

    The half-maximum crossings on both sides of the maximum are located by
    linear interpolation between samples. Returns NaN when the trace does
    not fall below half its maximum on both sides (no complete burst in the
    window, e.g. a decay that is already maximal at t = 0).
    """
    times, intensity = _trace(result_or_times, intensity)
    t_peak, i_peak, ip = _parabolic_peak(times, intensity)
    half = 0.5 * i_peak
    left = np.nonzero(intensity[: ip + 1] < half)[0]
    right = np.nonzero(intensity[ip:] < half)[0]
    if left.size == 0 or right.size == 0:
        return float("nan")
    a = left[-1]
    b = ip + right[0]
    t_left = np.interp(half, [intensity[a], intensity[a + 1]], [times[a], times[a + 1]])
    t_right = np.interp(half, [intensity[b], intensity[b - 1]], [times[b], times[b - 1]])
    return float(t_right - t_left)


def superradiant_enhancement(result, *, n=None, single_emitter_rate=None) -> float:
    """Peak emission rate divided by that of n independent emitters at t = 0.

    enhancement = I_peak / (n * Gamma_ii), with Gamma_ii = collective_decay
    + decay the single-emitter radiative rate (1/ps). Pure Dicke
    superfluorescence from the inverted state gives ~0.2 n (ensemble
    averaged), independent emitters give 1.

    Parameters
    ----------
    result : Result
        A simulation result (``n`` and the rates are read from its
        parameters unless given).
    n : int, optional
        Number of emitters.
    single_emitter_rate : float, optional
        Gamma_ii (1/ps).
    """
    params = getattr(result, "parameters", {})
    n = params.get("n") if n is None else n
    if single_emitter_rate is None:
        single_emitter_rate = params.get("collective_decay", 0.0) + params.get("decay", 0.0)
    if not n or not single_emitter_rate or single_emitter_rate <= 0:
        raise ValueError("n and single_emitter_rate must be known and > 0 to compute the enhancement")
    return peak_intensity(result) / (n * single_emitter_rate)


def peak_per_n_squared(result, *, collective_decay=None) -> float:
    """Peak intensity / (Gamma_c N^2): 1/4 in mean field, ~0.196 ensemble-averaged (Dicke)."""
    params = result.parameters
    rate = params["collective_decay"] if collective_decay is None else collective_decay
    if rate <= 0:
        raise ValueError("collective_decay must be > 0")
    return peak_intensity(result) / (rate * params["n"] ** 2)


def _shot_values(result, key):
    values = getattr(result, "info", {}).get(key)
    if values is None:
        raise ValueError(f"result has no {key!r}: shot statistics need a shot-resolved method (method='twa')")
    values = np.asarray(values, dtype=np.float64)
    if values.size < 2:
        raise ValueError(f"{key} needs at least 2 trajectories")
    return values


def _statistics(values, bins):
    counts, edges = np.histogram(values, bins=bins)
    mean = float(values.mean())
    std = float(values.std(ddof=1))
    return {
        "mean": mean,
        "std": std,
        "relative_spread": std / mean if mean != 0 else float("nan"),
        "sem": std / np.sqrt(values.size),
        "histogram": (counts, edges),
        "values": values,
    }


def peak_statistics(result, bins=30) -> dict:
    """Shot-to-shot statistics of each shot's peak emission rate (photons/ps).

    A shot still rising at the last time (or, for a window starting after the excitation, largest at its
    first time) has not shown its peak inside the window: it is left out with a
    :class:`~sf_dynamics.statistics.BurstWindowWarning`, and refused when they are the majority (as in
    :func:`delay_statistics`).

    Parameters
    ----------
    result : Result
        From a shot-resolved method (``twa``), whose ``info["shot_peaks"]`` holds one peak per trajectory.
    bins : int or sequence
        Histogram bins (numpy.histogram).

    Returns
    -------
    dict
        ``mean`` and ``std`` (photons/ps), ``relative_spread`` = std / mean, ``sem`` (standard error of the
        mean), ``histogram`` (counts, edges) and the ``values`` of the shots used, ``cut`` (shots left out).

    Raises
    ------
    ValueError
        Without shot peaks, or naming ``times`` when the window cuts most shots.
    """
    from ..statistics.delays import MOST_CUT, window_cuts

    peaks = _shot_values(result, "shot_peaks")
    times = result.times
    at_start, at_end = window_cuts(times, result.info["shot_delays"])
    cut = at_end | (at_start & (times[0] > 0))
    if cut.any():
        cause = (f"times: the window {times[0]:.4g}-{times[-1]:.4g} ps cuts {int(cut.sum())} of {peaks.size} shots "
                 "before or after their maximum")
        if cut.mean() > MOST_CUT or peaks.size - cut.sum() < 2:
            raise ValueError(f"{cause}; their peaks are not measured: extend times")
        warn_caller(f"{cause}; they are left out of the peak statistics: extend times", BurstWindowWarning)
    out = _statistics(peaks[~cut], bins)
    out["cut"] = int(cut.sum())
    return out


def delay_spread_theory(n):
    """Relative delay spread Delta t_D / t_D ~ (pi / sqrt 6) / ln N ~ 1.28 / ln N.

    Quantum initiation makes theta_0^2 exponentially distributed, so
    ln theta_0^2 is Gumbel-distributed with standard deviation pi / sqrt 6,
    while t_D ~ T_R ln N (docs/physics.md; a large-N estimate).
    """
    n = np.asarray(n, dtype=np.float64)
    if np.any(n <= 1):
        raise ValueError("n must be > 1")
    return (np.pi / np.sqrt(6.0)) / np.log(n)


#: a trace counts as a superfluorescent burst when its delayed maximum exceeds the emission rate at the
#: excitation (the incoherent rate N Gamma_ii for an inverted start) by this factor
SF_THRESHOLD = 1.5


def burst_summary(result_or_times, intensity=None, *, irf_fwhm=None, slow=False, threshold=SF_THRESHOLD) -> dict:
    """The observables of one burst, with the burst test applied before anything is fitted.

    Parameters
    ----------
    result_or_times, intensity
        A Result, or times (ps) and intensity (photons/ps).
    irf_fwhm : float, optional
        Fit the sech^2 convolved with a Gaussian IRF of this FWHM (ps) (for
        traces seen through a detector).
    slow : bool
        Fit a slow decay beside the burst (:func:`fit_sech2` with ``slow=True``).
    threshold : float
        The burst test: the maximum comes after the first sample and is at
        least ``threshold`` times the first sample (the emission at t = 0).

    Returns
    -------
    dict
        ``burst`` (bool), ``tau_d`` (ps; NaN without a burst), ``peak``
        (photons/ps), ``initial`` (the emission at the first time),
        ``peak_over_initial``, ``fwhm`` (ps), ``tau_sf`` and ``tau_sf_error``
        (ps, sech^2 fit; NaN without a burst or when the fit is poor),
        ``fit_ok`` and ``fit_problems``. A trace still rising at its last
        time passes the burst test on its largest sample (``peak`` and
        ``peak_over_initial`` are then lower bounds) but its ``tau_d``,
        ``fwhm`` and ``tau_sf`` are NaN, with a
        :class:`~sf_dynamics.statistics.BurstWindowWarning` naming ``times``.
    """
    import warnings

    times, values = _trace(result_or_times, intensity)
    t_peak, peak, _ = _parabolic_peak(times, values)
    initial = float(values[0])
    ratio = peak / initial if initial > 0 else float("inf")
    burst = bool(t_peak > times[0] and ratio >= threshold)
    out = {"burst": burst, "tau_d": t_peak if burst else float("nan"), "peak": peak, "initial": initial,
           "peak_over_initial": ratio, "fwhm": float("nan"), "tau_sf": float("nan"), "tau_sf_error": float("nan"),
           "fit_ok": False, "fit_problems": ["no burst"] if not burst else []}
    if burst and _rising_at_end(times, values, "the burst's tau_D and tau_SF are"):
        out.update(tau_d=float("nan"), fit_problems=["the window ends before the maximum (extend times)"])
        return out
    if not burst:
        return out
    out["fwhm"] = pulse_fwhm(times, values)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FitQualityWarning)
            fit = fit_sech2(times, values, irf_fwhm=irf_fwhm, slow=slow)
    except (ValueError, RuntimeError) as exc:
        out["fit_problems"] = [str(exc)]
        return out
    out["fit_ok"] = fit.ok
    out["fit_problems"] = fit.quality["problems"]
    if fit.ok:
        out["tau_sf"] = fit.params["tau_sf"]
        out["tau_sf_error"] = fit.errors["tau_sf"]
    return out


def class_emission(result):
    """Emission of each spectral class versus time: -d(N_a n_a)/dt (photons/ps), from a classes-engine result.

    The rate at which class a loses excitation (class populations of the
    ``cumulant`` or ``meanfield`` classes engines times the class counts); it
    is not a measured spectrum (that needs two-time correlations), but shows
    which frequencies radiate when.

    Returns
    -------
    detunings : ndarray, shape (K,)
        Class detunings (rad/ps).
    emission : ndarray, shape (nt, K)
        Non-negative emission rate of each class (photons/ps).

    Raises
    ------
    ValueError
        If the result has no class populations.
    """
    if "class_populations" not in getattr(result, "data", {}) or "class_detunings" not in result.parameters:
        raise ValueError("result: class emission needs class populations (cumulant or meanfield, classes engine)")
    det = np.asarray(result.parameters["class_detunings"], dtype=float)
    counts = np.asarray(result.parameters["class_counts"], dtype=float)
    pops = result.data["class_populations"] * counts[None, :]
    return det, np.clip(-np.gradient(pops, result.times, axis=0), 0.0, None)
