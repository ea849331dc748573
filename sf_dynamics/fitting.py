"""Fits of measured or simulated decay traces, and ringing detection.

Models (time t in ps; each can be convolved with a Gaussian instrument
response of given FWHM before fitting):

* :func:`fit_sech2`: an SF burst, A sech^2((t - tau_D) / (2 tau_SF)) (+ background).
* :func:`fit_burnham_chiao`: coherent ringing of an optically thick sample,
  A exp(-2 (t - t0) / T2) [J1(2 sqrt(b (t - t0))) / sqrt(b (t - t0))]^2 for
  t > t0 (REFERENCES.md 3.5; intensity zeros at t0 + j_{1,k}^2 / (4 b)).
* :func:`fit_raino`: the Rainò-style trace: a delayed burst, its damped
  (ringing) modulation and the slow decay of uncoupled NCs,
  A sech^2((t - tau_D) / (2 tau_SF)) [1 + m e^{-(t - tau_D)_+ / tau_r} cos(2 pi (t - tau_D) / P)]
  + A_slow e^{-(t - t0)_+ / tau_slow}.

Every fit returns a :class:`~sf_dynamics.analysis.FitResult` with parameter
values, one-sigma errors, the covariance, reduced chi^2 and R^2. Data can be
a Result, a (times, intensity) pair, or a CSV file (:func:`load_trace`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy.optimize import curve_fit
from scipy.signal import find_peaks
from scipy.special import j1

from ._validation import check_real, check_real_array

__all__ = [
    "load_trace",
    "sech2_model",
    "burnham_chiao_model",
    "raino_model",
    "fit_model",
    "fit_sech2",
    "fit_burnham_chiao",
    "fit_raino",
    "detect_ringing",
    "convolve_gaussian",
]


def load_trace(path, *, time_column=0, intensity_column=1, delimiter=",", time_unit_ps=1.0, skip_header=None):
    """Read (times in ps, intensity) from a text/CSV file.

    Lines starting with '#' are comments; a non-numeric first line is taken
    as a header. ``time_unit_ps`` converts the file's time unit (e.g. 1000
    for ns).
    """
    path = Path(path)
    if not path.exists():
        raise ValueError(f"path {str(path)!r} does not exist")
    with path.open(encoding="utf-8") as fh:
        lines = [ln for ln in fh if ln.strip() and not ln.lstrip().startswith("#")]
    if skip_header is None:
        try:
            [float(x) for x in lines[0].split(delimiter)]
            skip_header = 0
        except ValueError:
            skip_header = 1
    table = np.loadtxt(lines[skip_header:], delimiter=delimiter, ndmin=2)
    return table[:, time_column] * time_unit_ps, table[:, intensity_column]


def _data(data, intensity=None):
    if isinstance(data, (str, Path)):
        t, y = load_trace(data)
    elif intensity is not None:
        t, y = data, intensity
    elif hasattr(data, "intensity"):
        t, y = data.times, data.intensity
    else:
        t, y = data
    t = check_real_array("times", t)
    y = check_real_array("intensity", y)
    if t.ndim != 1 or t.size == 0:
        raise ValueError("times must be a non-empty 1-D array")
    if y.shape != t.shape:
        raise ValueError(f"intensity must have the shape of times {t.shape}, got {y.shape}")
    if t.size < 5:
        raise ValueError(f"times: at least 5 samples are needed for a fit, got {t.size}")
    if np.any(np.diff(t) <= 0):
        raise ValueError("times must be strictly increasing")
    return t, y


def convolve_gaussian(func, times, fwhm):
    """func(t) convolved with a unit-area Gaussian of the given FWHM (ps), evaluated at ``times``."""
    sigma = fwhm / (2.0 * np.sqrt(2.0 * np.log(2.0)))
    step = min(np.min(np.diff(times)) / 2.0, sigma / 8.0) if times.size > 1 else sigma / 8.0
    pad = 5.0 * sigma
    grid = np.arange(times[0] - pad, times[-1] + pad + step, step)
    kern_t = np.arange(-pad, pad + step / 2, step)
    kernel = np.exp(-0.5 * (kern_t / sigma) ** 2)
    kernel /= kernel.sum()
    smooth = np.convolve(func(grid), kernel, mode="same")
    return np.interp(times, grid, smooth)


def sech2_model(t, tau_d, tau_sf, amplitude, background=0.0):
    """amplitude sech^2((t - tau_d) / (2 tau_sf)) + background."""
    x = (np.asarray(t, dtype=float) - tau_d) / (2.0 * tau_sf)
    return amplitude / np.cosh(np.clip(x, -350, 350)) ** 2 + background


def burnham_chiao_model(t, amplitude, t0, b, t2):
    """amplitude exp(-2 (t - t0) / t2) [J1(2 sqrt(b s)) / sqrt(b s)]^2 for s = t - t0 > 0, else 0."""
    s = np.clip(np.asarray(t, dtype=float) - t0, 0.0, None)
    u = np.sqrt(b * s)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(u > 1e-8, j1(2.0 * u) / np.where(u > 1e-8, u, 1.0), 1.0 - 0.5 * u * u)
    out = amplitude * np.exp(-2.0 * s / t2) * ratio**2
    return np.where(np.asarray(t) > t0, out, 0.0)


def raino_model(t, amplitude, tau_d, tau_sf, modulation, tau_ring, period, amplitude_slow, tau_slow, t0=0.0):
    """Delayed burst x (1 + damped modulation) + slow uncoupled decay (see module docstring)."""
    t = np.asarray(t, dtype=float)
    after = np.clip(t - tau_d, 0.0, None)
    ring = 1.0 + modulation * np.exp(-after / tau_ring) * np.cos(2.0 * np.pi * (t - tau_d) / period)
    slow = amplitude_slow * np.exp(-np.clip(t - t0, 0.0, None) / tau_slow) * (t >= t0)
    return sech2_model(t, tau_d, tau_sf, amplitude) * ring + slow


def fit_model(model, names, data, p0, *, intensity=None, sigma=None, bounds=None, irf_fwhm=None, window=None):
    """Least-squares fit of ``model(t, *params)`` (optionally IRF-convolved) to a trace.

    Parameters
    ----------
    model : callable
    names : sequence of str
        Parameter names (in model order).
    data : Result, (times, intensity), path to a CSV file, or times with ``intensity``
    p0 : sequence
        Initial values.
    sigma : array_like, optional
        One-sigma errors of the samples (absolute errors in the result);
        without it the errors are scaled by the residual variance.
    bounds : (lower, upper), optional
    irf_fwhm : float, optional
        FWHM (ps) of a Gaussian instrument response convolved with the model.
    window : (float, float), optional
        Fit only samples with window[0] <= t <= window[1].

    Returns
    -------
    FitResult
    """
    from .analysis import FitResult

    t, y = _data(data, intensity)
    if sigma is not None:
        sigma = check_real_array("sigma", sigma, shape=t.shape)
        if np.any(sigma <= 0):
            raise ValueError("sigma must be > 0 for every sample")
    if window is not None:
        sel = (t >= window[0]) & (t <= window[1])
        if sel.sum() < len(p0) + 1:
            raise ValueError(f"window {window} holds too few samples")
        t, y = t[sel], y[sel]
        sigma = sigma[sel] if sigma is not None else None
    if irf_fwhm is not None:
        irf = check_real("irf_fwhm", irf_fwhm, low=0.0, low_open=True)

        def fitted(tt, *p):
            return convolve_gaussian(lambda g: model(g, *p), tt, irf)
    else:
        fitted = model
    popt, pcov = curve_fit(fitted, t, y, p0=p0, sigma=sigma, absolute_sigma=sigma is not None,
                           bounds=bounds if bounds is not None else (-np.inf, np.inf), maxfev=50000)
    resid = y - fitted(t, *popt)
    weights = 1.0 if sigma is None else 1.0 / sigma
    dof = max(t.size - len(popt), 1)
    errs = np.sqrt(np.clip(np.diag(pcov), 0.0, np.inf))
    ss_tot = float(np.sum((y - y.mean()) ** 2))

    def evaluate(tt, _p=tuple(popt)):
        return fitted(np.asarray(tt, dtype=float), *_p)

    result = FitResult(
        params=dict(zip(names, map(float, popt))),
        errors=dict(zip(names, map(float, errs))),
        covariance=pcov,
        residual_rms=float(np.sqrt(np.mean(resid**2))),
        reduced_chi2=float(np.sum((resid * weights) ** 2) / dof),
        model=evaluate,
        r_squared=1.0 - float(np.sum(resid**2)) / ss_tot if ss_tot > 0 else float("nan"),
    )
    return result


def _peak_guess(t, y):
    i = int(np.argmax(y))
    half = 0.5 * y[i]
    above = np.nonzero(y >= half)[0]
    width = max(t[above[-1]] - t[above[0]], 3 * np.min(np.diff(t)))
    return t[i], width, y[i]


def fit_sech2(data, intensity=None, *, sigma=None, background=False, irf_fwhm=None, window=None):
    """Fit A sech^2((t - tau_D) / (2 tau_SF)) [+ background]; keys tau_d, tau_sf (ps), amplitude (, background)."""
    t, y = _data(data, intensity)
    t_peak, width, peak = _peak_guess(t, y)
    names = ["tau_d", "tau_sf", "amplitude"] + (["background"] if background else [])
    p0 = [t_peak, width / 3.5255, peak] + ([0.0] if background else [])
    lower = [-np.inf, 1e-12, 0.0] + ([-np.inf] if background else [])
    upper = [np.inf] * len(names)
    return fit_model(sech2_model, names, (t, y), p0, sigma=sigma, bounds=(lower, upper), irf_fwhm=irf_fwhm,
                     window=window)


def fit_burnham_chiao(data, intensity=None, *, sigma=None, irf_fwhm=None, window=None, t2_guess=None):
    """Fit the Burnham-Chiao ringing form; keys amplitude, t0 (ps), b (1/ps), t2 (ps).

    The initial b comes from the first intensity minimum (j_{1,1}^2 / (4 b) = 3.67 / b after t0).
    """
    t, y = _data(data, intensity)
    i0 = int(np.argmax(y))
    t0 = t[i0] - 0.5 * np.min(np.diff(t))
    noise = float(np.std(np.diff(y)) / np.sqrt(2.0))
    minima, _ = find_peaks(-y[i0:], prominence=max(4.0 * noise, 1e-6 * float(y[i0])))
    first_zero = t[i0 + minima[0]] if minima.size else t[i0] + 0.2 * (t[-1] - t[i0])
    b_guess = 3.6705 / max(first_zero - t0, 1e-12)
    t2 = t2_guess if t2_guess is not None else (t[-1] - t0)
    bounds = ([0.0, t[0] - (t[-1] - t[0]), 1e-12, 1e-12], [np.inf, t[-1], np.inf, np.inf])
    best = None
    for scale in (1.0, 0.7, 1.4):  # a few starts: the ringing makes the cost multi-modal in b
        try:
            fit = fit_model(burnham_chiao_model, ["amplitude", "t0", "b", "t2"], (t, y), [y[i0], t0, scale * b_guess, t2],
                            sigma=sigma, bounds=bounds, irf_fwhm=irf_fwhm, window=window)
        except RuntimeError:
            continue
        if best is None or fit.reduced_chi2 < best.reduced_chi2:
            best = fit
    if best is None:
        raise RuntimeError("the Burnham-Chiao fit did not converge from any start")
    return best


def fit_raino(data, intensity=None, *, sigma=None, irf_fwhm=None, window=None, t0=0.0, p0=None):
    """Fit the Rainò-style model; keys amplitude, tau_d, tau_sf, modulation, tau_ring, period,
    amplitude_slow, tau_slow (ps, photons/ps)."""
    t, y = _data(data, intensity)
    t_peak, width, peak = _peak_guess(t, y)
    names = ["amplitude", "tau_d", "tau_sf", "modulation", "tau_ring", "period", "amplitude_slow", "tau_slow"]
    if p0 is None:
        tail = y[t > t_peak + 3 * width]
        p0 = [peak, t_peak, width / 3.5255, 0.3, 2 * width, 2 * width, max(float(tail.mean()) if tail.size else 0.0,
                                                                            1e-3 * peak), 10 * (t[-1] - t[0])]
    lower = [0.0, t[0], 1e-12, 0.0, 1e-12, 1e-12, 0.0, 1e-12]
    upper = [np.inf, t[-1], np.inf, 1.0, np.inf, np.inf, np.inf, np.inf]

    def model(tt, *p):
        return raino_model(tt, *p, t0=t0)

    return fit_model(model, names, (t, y), p0, sigma=sigma, bounds=(lower, upper), irf_fwhm=irf_fwhm, window=window)


def detect_ringing(data, intensity=None, *, min_prominence=0.02):
    """Lobes of a ringing trace.

    A lobe is a local maximum whose prominence exceeds ``min_prominence``
    times the global maximum. Returns a dict with ``lobes`` (count),
    ``lobe_times`` and ``lobe_heights``, ``minimum_times`` (the intensity
    minima between successive lobes) and ``modulation_depth`` = (I_2 - I_min)
    / I_2 for the first minimum and the second lobe (0 without ringing, 1 for
    a true zero).
    """
    t, y = _data(data, intensity)
    check_real("min_prominence", min_prominence, low=0.0)
    peaks, _ = find_peaks(y, prominence=min_prominence * float(np.max(y)))
    if y[0] == np.max(y) and (peaks.size == 0 or peaks[0] != 0):
        peaks = np.concatenate([[0], peaks]).astype(int)  # a decay that starts at its maximum
    minima = [a + int(np.argmin(y[a : b + 1])) for a, b in zip(peaks[:-1], peaks[1:])]
    depth = 0.0
    if len(peaks) >= 2:
        depth = float((y[peaks[1]] - max(y[minima[0]], 0.0)) / y[peaks[1]])
    return {
        "lobes": int(len(peaks)),
        "lobe_times": np.array([_vertex(t, y, i)[0] for i in peaks]),
        "lobe_heights": y[peaks],
        "minimum_times": np.array([_vertex(t, y, i)[0] for i in minima]),
        "modulation_depth": depth,
    }


def _vertex(t, y, i):
    """Vertex of the parabola through samples i-1, i, i+1 (the sample itself at an edge)."""
    if i <= 0 or i >= t.size - 1:
        return float(t[i]), float(y[i])
    a, b, c = np.polyfit(t[i - 1 : i + 2] - t[i], y[i - 1 : i + 2], 2)
    if a == 0:
        return float(t[i]), float(y[i])
    dx = float(np.clip(-b / (2 * a), t[i - 1] - t[i], t[i + 1] - t[i]))
    return float(t[i] + dx), float(c + b * dx + a * dx * dx)
