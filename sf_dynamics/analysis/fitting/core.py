"""The least-squares / Poisson-likelihood fit of one model to one trace (lmfit), and the trace input it takes."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from ..._validation import check_real, check_real_array
from ..instrument import check_irf_fwhm
from ..traces import load_trace
from .goodness import deviance_residuals, goodness_of_fit, poisson_sigma, quality_verdict, resolve_sigma
from .result import FitQualityError, FitQualityWarning, FitResult

__all__ = ["fit_model", "trace_data"]


def trace_data(data, intensity=None):
    """The (times, intensity) arrays of a fit's ``data`` argument, checked.

    Parameters
    ----------
    data : Result, (times, intensity), path to a trace file, or times
        A :class:`~sf_dynamics.Result` (its ``times`` and ``intensity``), a pair of arrays, a trace file
        (:func:`sf_dynamics.analysis.traces.load_trace`), or the times with ``intensity``.
    intensity : array_like, optional
        The intensity when ``data`` holds the times.

    Returns
    -------
    times, intensity : ndarray
        Times (ps), strictly increasing, and the intensity (unit of the data).

    Raises
    ------
    ValueError
        For another kind of ``data``, fewer than 5 samples, mismatched shapes, times not strictly increasing,
        no positive sample or a constant intensity.
    """
    if isinstance(data, (str, Path)):
        t, y = load_trace(data)
    elif intensity is not None:
        t, y = data, intensity
    elif hasattr(data, "intensity"):
        t, y = data.times, data.intensity
    else:
        try:
            t, y = data
        except (TypeError, ValueError):
            raise ValueError("data must be a Result, a (times, intensity) pair or a trace file path") from None
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
    if not np.any(y > 0):
        raise ValueError("intensity has no positive sample: there is no emission to fit")
    if np.ptp(y) == 0:
        raise ValueError("intensity is constant: there is no burst or decay to fit")
    return t, y


def fit_model(model, names, data, p0, *, intensity=None, sigma=None, bounds=None, fixed=None, irf_fwhm=None,
              window=None, strict=False, constants=None, interval_bounds=()):
    """Least-squares fit (lmfit) of ``model(t, *params, irf_fwhm=...)`` to a trace.

    Parameters
    ----------
    model : callable
        ``model(t, *values, irf_fwhm=None, **constants)`` with values in the order of ``names``.
    names : sequence of str
        Parameter names.
    data : Result, (times, intensity), path to a trace file, or times with ``intensity``
    p0 : sequence or dict
        Initial values (in ``names`` order, or by name).
    sigma : array_like, "poisson", "unweighted" or None
        The noise model, which the goodness-of-fit test and the verdict rest on
        (:func:`~sf_dynamics.analysis.fitting.goodness.resolve_sigma`).
        Errors per sample: least squares weighted by them, chi^2 test on n - k
        degrees of freedom. "poisson": the samples are photon counts, and the fit
        maximises the Poisson likelihood (it minimises the deviance, whose
        residuals replace (y - model) / sigma; reduced chi^2 is then deviance /
        dof), tested by :func:`~sf_dynamics.analysis.fitting.goodness.deviance_test`.
        None (default): "poisson" when every sample is a non-negative integer
        (the result's ``quality["noise"]`` says it was assumed), else no noise
        model: unweighted, errors scaled by the residual variance, verdict
        "untested". "unweighted": no noise model even for integer data.
    bounds : dict of name -> (low, high), optional
    fixed : dict of name -> value, optional
        Parameters held at the given values.
    irf_fwhm : float, optional
        FWHM (ps) of a Gaussian instrument response convolved with the model.
    window : (float, float), optional
        Fit only samples with window[0] <= t <= window[1].
    strict : bool
        Raise :class:`FitQualityError` instead of warning when the verdict is poor.
    constants : dict, optional
        Keyword arguments passed to ``model`` unchanged.
    interval_bounds : sequence of str
        Parameters whose bounds are a sampling interval (not physical limits):
        a value at such a bound is not reported as a problem.

    Returns
    -------
    FitResult

    Raises
    ------
    ValueError
        For unusable data, unknown parameter names or bad options, ``sigma="poisson"`` on data that are not
        non-negative integers, integer data with a negative sample and no ``sigma`` (not counts: give their
        errors or ``sigma="unweighted"``); :class:`FitQualityError` (a ValueError) with ``strict=True`` and a poor
        fit.
    """
    import lmfit

    t, y = trace_data(data, intensity)
    spec, noise = resolve_sigma(sigma, y)
    poisson = isinstance(spec, str)
    sig = poisson_sigma(y) if poisson else spec
    if window is not None:
        lo, hi = (check_real("window", w) for w in window)
        sel = (t >= lo) & (t <= hi)
        if sel.sum() < len(names) + 2:
            raise ValueError(f"window {tuple(window)} holds {int(sel.sum())} samples, too few for {len(names)} "
                             "parameters")
        t, y = t[sel], y[sel]
        sig = sig[sel] if sig is not None else None
    irf = check_irf_fwhm(irf_fwhm, t)
    names = list(names)
    start = dict(zip(names, p0)) if not isinstance(p0, dict) else dict(p0)
    fixed = dict(fixed or {})
    bounds = dict(bounds or {})
    for name in list(fixed) + list(bounds) + list(start):
        if name not in names:
            raise ValueError(f"unknown parameter {name!r}; the model has {names}")
    missing = [name for name in names if name not in start and name not in fixed]
    if missing:
        raise ValueError(f"p0 lacks starting values for {missing}")
    params = lmfit.Parameters()
    for name in names:
        lo, hi = bounds.get(name, (-np.inf, np.inf))
        if name in fixed:
            params.add(name, value=check_real(name, fixed[name]), vary=False)
            continue
        value = float(start[name])
        value = min(max(value, lo), hi)
        params.add(name, value=value, min=lo, max=hi)
    if len(y) <= sum(p.vary for p in params.values()):
        raise ValueError(f"times: {len(y)} samples cannot determine {sum(p.vary for p in params.values())} "
                         "parameters")
    constants = dict(constants or {})
    weight = 1.0 / sig if sig is not None else 1.0

    def curve(values, tt):
        return model(tt, *[values[name] for name in names], irf_fwhm=irf, **constants)

    def residual(p):
        values = p.valuesdict()
        if poisson:
            return -deviance_residuals(curve(values, t), y)
        return (curve(values, t) - y) * weight

    minimizer = lmfit.Minimizer(residual, params, scale_covar=sig is None, nan_policy="raise")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        out = minimizer.minimize(method="least_squares", max_nfev=20000)
    best = {name: float(out.params[name].value) for name in names}
    varied = [name for name in names if out.params[name].vary]
    errors = {}
    for name in names:
        if not out.params[name].vary:
            errors[name] = 0.0
        else:
            err = out.params[name].stderr
            errors[name] = float(err) if err is not None and np.isfinite(err) else float("nan")
    cov = np.asarray(out.covar) if out.covar is not None else np.full((len(varied), len(varied)), np.nan)
    mu = curve(best, t)
    resid = y - mu
    dof = max(t.size - len(varied), 1)
    scaled = deviance_residuals(mu, y) if poisson else resid * weight
    chi2 = float(np.sum(scaled**2) / dof)
    ss_tot = float(np.sum((y - y.mean()) ** 2))
    r2 = 1.0 - float(np.sum(resid**2)) / ss_tot if ss_tot > 0 else float("nan")
    checked = {k: v for k, v in bounds.items() if k not in interval_bounds}
    goodness = goodness_of_fit(spec, mu, scaled, len(varied), noise)
    quality = quality_verdict(best, errors, varied, checked, r2, bool(out.success), out.message, goodness)

    frozen = dict(best)

    def evaluate(tt, _values=frozen):  # noqa: B006 - the fitted values, bound once, read only
        tt = np.asarray(tt, dtype=float)
        return model(tt, *[_values[name] for name in names], irf_fwhm=irf, **constants) if irf is None else (
            _model_on(model, names, _values, irf, constants, tt))

    result = FitResult(params=best, errors=errors, covariance=cov, residual_rms=float(np.sqrt(np.mean(resid**2))),
                       reduced_chi2=chi2, model=evaluate, r_squared=r2, quality=quality, varied=varied,
                       lmfit_result=out)
    if quality["verdict"] == "poor":
        text = f"{getattr(model, '__name__', 'model')} fit is poor: " + "; ".join(quality["problems"])
        if strict:
            raise FitQualityError(text)
        warnings.warn(text, FitQualityWarning, stacklevel=3)
    return result


def _model_on(model, names, values, irf, constants, tt):
    """Evaluate an IRF-convolved fitted model on any time grid (the IRF validity check needs >= 2 points)."""
    if tt.size < 2:
        return model(tt, *[values[name] for name in names], irf_fwhm=None, **constants)
    return model(tt, *[values[name] for name in names], irf_fwhm=irf, **constants)
