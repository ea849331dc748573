"""The fits of burst and ringing traces: sech^2 (+ slow decay), Burnham-Chiao and Rainò-style.

Each builds its starting values from the trace and calls :func:`~sf_dynamics.analysis.fitting.core.fit_model`;
multi-parameter models start from simpler pre-fits, and from several starts where the cost has several minima
(the ringing of Burnham-Chiao), keeping the best.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy.signal import find_peaks

from ..instrument import check_irf_fwhm
from .core import fit_model, trace_data
from .goodness import sample_sigma
from .models import J1_FIRST, SECH2_FWHM_PER_TAU, burnham_chiao_model, raino_model, sech2_model
from .result import FitQualityWarning, warn_if_poor

__all__ = ["RAINO_NAMES", "fit_sech2", "fit_burnham_chiao", "fit_raino"]

#: parameters of :func:`fit_raino`, in the order of :func:`~sf_dynamics.analysis.fitting.models.raino_model`
RAINO_NAMES = ["amplitude", "tau_d", "tau_sf", "modulation", "tau_ring", "period", "amplitude_slow", "tau_slow"]


def _peak_guess(t, y):
    i = int(np.argmax(y))
    half = 0.5 * y[i]
    above = np.nonzero(y >= half)[0]
    width = max(t[above[-1]] - t[above[0]], 3 * np.min(np.diff(t)))
    return t[i], width, y[i]


def _sech2_bounds(t, slow):
    span = t[-1] - t[0]
    bounds = {"tau_d": (t[0] - span, t[-1] + span), "tau_sf": (1e-9 * span, 10 * span), "amplitude": (0.0, np.inf)}
    if slow:
        bounds.update(amplitude_slow=(0.0, np.inf), tau_slow=(1e-6 * span, 1e4 * span))
    return bounds


def fit_sech2(data, intensity=None, *, sigma=None, background=False, slow=False, t0=0.0, irf_fwhm=None,
              window=None, fixed=None, p0=None, strict=False):
    """Fit A sech^2((t - tau_D) / (2 tau_SF)) [+ background] [+ slow decay from t0].

    Parameters
    ----------
    data, intensity
        A Result, (times, intensity) arrays, or a trace file.
    sigma : array_like, "poisson", "unweighted" or None
        The noise model (see :func:`~sf_dynamics.analysis.fitting.core.fit_model`): by default Poisson for
        non-negative integer data, none (verdict "untested") for other data.
    background : bool
        Fit a constant background.
    slow : bool
        Add the slow decay A_slow e^{-(t - t0) / tau_slow} of uncoupled emitters (t > t0).
    t0 : float
        Excitation time (ps) where the slow component starts (fixed).
    irf_fwhm : float, optional
        Gaussian IRF FWHM (ps).
    window : (float, float), optional
    fixed, p0 : dict, optional
        Parameters to hold fixed / starting values, by name.
    strict : bool
        Raise on a poor fit instead of warning.

    Returns
    -------
    FitResult
        Keys tau_d, tau_sf (ps), amplitude (, background) (, amplitude_slow, tau_slow).

    Raises
    ------
    ValueError
        For unusable data or options (see :func:`~sf_dynamics.analysis.fitting.core.fit_model`);
        :class:`~sf_dynamics.analysis.fitting.result.FitQualityError` with ``strict=True`` and a poor fit.
    """
    t, y = trace_data(data, intensity)
    t_peak, width, peak = _peak_guess(t, y)
    names = ["tau_d", "tau_sf", "amplitude"] + (["background"] if background else []) + (
        ["amplitude_slow", "tau_slow"] if slow else [])
    start = {"tau_d": t_peak, "tau_sf": width / SECH2_FWHM_PER_TAU, "amplitude": peak}
    if background:
        start["background"] = float(np.min(y[: max(3, y.size // 20)]))
    if slow:
        tail = y[t > t_peak + 3 * width]
        start["amplitude_slow"] = max(float(np.median(tail)) if tail.size else 0.0, 1e-3 * peak)
        start["tau_slow"] = 2.0 * (t[-1] - t[0])
    start.update(p0 or {})
    bounds = _sech2_bounds(t, slow)
    if background:
        bounds["background"] = (-np.inf, np.inf)

    def model(tt, *values, irf_fwhm=None, t0=0.0):
        v = dict(zip(names, values))
        return sech2_model(tt, v["tau_d"], v["tau_sf"], v["amplitude"], v.get("background", 0.0),
                           v.get("amplitude_slow", 0.0), v.get("tau_slow", np.inf), t0, irf_fwhm=irf_fwhm)

    model.__name__ = "sech2"
    return fit_model(model, names, (t, y), start, sigma=sigma, bounds=bounds, fixed=fixed, irf_fwhm=irf_fwhm,
                     window=window, strict=strict, constants={"t0": t0})


def _noise_level(y):
    """Robust estimate of white noise on a trace: median absolute second difference / sqrt(6)."""
    d2 = np.diff(y, 2)
    return float(1.4826 * np.median(np.abs(d2)) / np.sqrt(6.0)) if d2.size else 0.0


def _first_zero_guess(t, y, i0):
    """Time of the first clear intensity minimum after the maximum (None if there is none)."""
    minima, _ = find_peaks(-y[i0:], prominence=max(4.0 * _noise_level(y), 1e-6 * float(y[i0])))
    return t[i0 + minima[0]] if minima.size else None


def fit_burnham_chiao(data, intensity=None, *, sigma=None, irf_fwhm=None, window=None, t2_guess=None, fixed=None,
                      p0=None, strict=False):
    """Fit the Burnham-Chiao ringing form; keys amplitude, t0 (ps), b (1/ps), t2 (ps).

    Starts: t0 just before the first sample above half the maximum, b from
    the first intensity minimum (j_{1,1}^2 / (4 b) = 3.67 / b after t0), and
    T2 on a logarithmic grid from the lobe spacing to ten record lengths (the
    cost has separate minima in T2 for long records); the three starts of
    lowest cost are optimised and the best fit is returned. Without an IRF
    the model jumps at t0, so t0 is held between the sample before the rise
    and the first sample of the rise (within which the fit is smooth).

    Parameters
    ----------
    data, intensity
        A Result, (times, intensity) arrays, or a trace file.
    sigma : array_like, "poisson", "unweighted" or None
        The noise model (see :func:`~sf_dynamics.analysis.fitting.core.fit_model`): by default Poisson for
        non-negative integer data, none (verdict "untested") for other data.
    irf_fwhm : float, optional
        Gaussian IRF FWHM (ps).
    window : (float, float), optional
        Fit only samples with window[0] <= t <= window[1] (ps).
    t2_guess : float, optional
        A single starting T2 (ps) instead of the logarithmic grid.
    fixed, p0 : dict, optional
        Parameters to hold fixed / starting values, by name.
    strict : bool
        Raise on a poor fit instead of warning.

    Returns
    -------
    FitResult
        Keys amplitude, t0 (ps), b (1/ps), t2 (ps).

    Raises
    ------
    ValueError
        For unusable data, a window with fewer than 6 samples or bad options;
        :class:`~sf_dynamics.analysis.fitting.result.FitQualityError` with ``strict=True`` and a poor fit.
    RuntimeError
        When no start converges.
    """
    t, y = trace_data(data, intensity)
    if window is not None:
        sel = (t >= window[0]) & (t <= window[1])
        t, y = t[sel], y[sel]
        if t.size < 6:
            raise ValueError(f"window {tuple(window)} holds too few samples")
        sigma = sigma if isinstance(sigma, str) or sigma is None else np.asarray(sigma)[sel]
    irf = check_irf_fwhm(irf_fwhm, t)
    i0 = int(np.argmax(y))
    rise = int(np.argmax(y >= 0.5 * y[i0]))
    dt = float(np.min(np.diff(t)))
    record = t[-1] - t[0]
    bounds = {"amplitude": (0.0, np.inf), "b": (1e-6 / record, 1e6 / dt), "t2": (1e-3 * dt, 1e4 * record)}
    if irf is None:
        lo = t[rise - 1] if rise > 0 else t[0] - dt
        bounds["t0"] = (lo, t[rise] - 1e-9 * dt)
        t0 = 0.5 * (lo + t[rise])
    else:
        bounds["t0"] = (t[0] - record, t[-1])
        t0 = t[rise] - 0.5 * irf
    zero = _first_zero_guess(t, y, i0)
    first_zero = zero if zero is not None else t[i0] + 0.2 * (t[-1] - t[i0])
    b_guess = J1_FIRST / max(first_zero - t0, dt)
    names = ["amplitude", "t0", "b", "t2"]
    t2_starts = [t2_guess] if t2_guess is not None else list(np.geomspace(max(4.0 / b_guess, 2 * dt), 10 * record, 8))
    sig = sample_sigma(sigma, y)
    weight = 1.0 if sig is None else 1.0 / sig
    starts = []
    for b_scale in (1.0, 0.7, 1.4):
        for t2 in t2_starts:
            start = {"amplitude": float(y[i0]), "t0": t0, "b": b_scale * b_guess, "t2": float(t2)}
            start.update(p0 or {})
            start.update(fixed or {})
            curve = burnham_chiao_model(t, *[start[k] for k in names], irf_fwhm=irf)
            # the amplitude enters linearly: start from its least-squares value for this shape
            scale = float(np.sum(curve * y * weight**2) / max(np.sum((curve * weight) ** 2), 1e-300))
            if "amplitude" not in (fixed or {}) and scale > 0:
                start["amplitude"] *= scale
                curve = curve * scale
            cost = float(np.sum(((curve - y) * weight) ** 2))
            starts.append((cost, start))
    starts.sort(key=lambda item: item[0])
    best = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitQualityWarning)
        for _, start in starts[:3]:
            try:
                fit = fit_model(burnham_chiao_model, names, (t, y), start, sigma=sigma, bounds=bounds, fixed=fixed,
                                irf_fwhm=irf, interval_bounds=("t0",) if irf is None else ())
            except (RuntimeError, FloatingPointError):
                continue
            if best is None or fit.reduced_chi2 < best.reduced_chi2:
                best = fit
    if best is None:
        raise RuntimeError("the Burnham-Chiao fit did not converge from any start")
    return warn_if_poor(best, "burnham_chiao", strict)


def fit_raino(data, intensity=None, *, sigma=None, irf_fwhm=None, window=None, t0=0.0, p0=None, fixed=None,
              strict=False):
    """Fit the Rainò-style model; keys amplitude, tau_d, tau_sf, modulation, tau_ring, period,
    amplitude_slow, tau_slow (ps, intensity units).

    The fit starts from a pre-fit of the burst and the slow decay without
    modulation (:func:`fit_sech2` with ``slow=True``); the modulation is then
    freed from a few starting depths and periods (from the residual's first
    extrema), keeping the best. ``fixed={"modulation": 0.0}`` fits a trace
    without ringing (tau_ring and period are then held too), so the free
    modulation cannot trade against the amplitude.

    Parameters
    ----------
    data, intensity
        A Result, (times, intensity) arrays, or a trace file.
    sigma : array_like, "poisson", "unweighted" or None
        The noise model (see :func:`~sf_dynamics.analysis.fitting.core.fit_model`): by default Poisson for
        non-negative integer data, none (verdict "untested") for other data.
    irf_fwhm : float, optional
        Gaussian IRF FWHM (ps).
    window : (float, float), optional
        Fit only samples with window[0] <= t <= window[1] (ps).
    t0 : float
        Excitation time (ps) where the slow component starts (fixed).
    p0 : dict or sequence, optional
        Starting values by name (the burst and slow-decay ones seed the pre-fit; all of
        :data:`RAINO_NAMES` replace the modulation starts), or a sequence in the order of :data:`RAINO_NAMES`.
    fixed : dict, optional
        Parameters to hold fixed, by name.
    strict : bool
        Raise on a poor fit instead of warning.

    Returns
    -------
    FitResult
        Keys of :data:`RAINO_NAMES` (ps, intensity units).

    Raises
    ------
    ValueError
        For unusable data or options;
        :class:`~sf_dynamics.analysis.fitting.result.FitQualityError` with ``strict=True`` and a poor fit.
    RuntimeError
        When no start converges.
    """
    t, y = trace_data(data, intensity)
    if window is not None:
        sel = (t >= window[0]) & (t <= window[1])
        t, y = t[sel], y[sel]
        sigma = sigma if isinstance(sigma, str) or sigma is None else np.asarray(sigma)[sel]
    fixed = dict(fixed or {})
    if fixed.get("modulation", None) == 0.0:
        fixed.setdefault("tau_ring", 1.0)
        fixed.setdefault("period", 1.0)
    span = t[-1] - t[0]
    dt = float(np.min(np.diff(t)))
    bounds = {"amplitude": (0.0, np.inf), "tau_d": (t[0], t[-1]), "tau_sf": (1e-9 * span, 10 * span),
              "modulation": (0.0, 1.0), "tau_ring": (dt, 100 * span), "period": (2 * dt, 10 * span),
              "amplitude_slow": (0.0, np.inf), "tau_slow": (1e-3 * span, 1e4 * span)}

    def model(tt, *values, irf_fwhm=None, t0=0.0):
        return raino_model(tt, *values, t0=t0, irf_fwhm=irf_fwhm)

    model.__name__ = "raino"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitQualityWarning)
        pre_fixed = {k: v for k, v in fixed.items() if k in ("tau_d", "tau_sf", "amplitude", "amplitude_slow",
                                                             "tau_slow")}
        pre_start = {k: v for k, v in (p0 or {}).items() if k in ("tau_d", "tau_sf", "amplitude", "amplitude_slow",
                                                                    "tau_slow")} if isinstance(p0, dict) else None
        pre = fit_sech2(t, y, sigma=sigma, slow=True, t0=t0, irf_fwhm=irf_fwhm, fixed=pre_fixed, p0=pre_start)
        base = {k: pre.params[k] for k in ("amplitude", "tau_d", "tau_sf", "amplitude_slow", "tau_slow")}
        width = SECH2_FWHM_PER_TAU * base["tau_sf"]
        starts = []
        if isinstance(p0, (list, tuple, np.ndarray)):
            starts.append(dict(zip(RAINO_NAMES, p0)))
        elif isinstance(p0, dict) and set(p0) >= set(RAINO_NAMES):
            starts.append(dict(p0))
        else:
            for depth in (0.2, 0.5):
                for period in (1.5 * width, 3.0 * width, 6.0 * width):
                    starts.append({**base, "modulation": depth, "tau_ring": 2.0 * period, "period": period})
        best = None
        for start in starts:
            for key, value in fixed.items():
                start[key] = value
            try:
                fit = fit_model(model, RAINO_NAMES, (t, y), start, sigma=sigma, bounds=bounds, fixed=fixed,
                                irf_fwhm=irf_fwhm, constants={"t0": t0})
            except (RuntimeError, FloatingPointError):
                continue
            if best is None or fit.reduced_chi2 < best.reduced_chi2:
                best = fit
    if best is None:
        raise RuntimeError("the Rainò-style fit did not converge from any start")
    return warn_if_poor(best, "raino", strict)
