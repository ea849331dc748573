"""Fits of measured or simulated decay traces (lmfit), ringing detection and trace files.

Models (time t in ps, intensity in any unit; each can be convolved with a
Gaussian instrument response function, IRF, of given FWHM):

* :func:`sech2_model`: an SF burst A sech^2((t - tau_D) / (2 tau_SF)), with
  an optional constant background and an optional slow component
  A_slow e^{-(t - t0) / tau_slow} for t > t0 (uncoupled NCs excited at t0);
* :func:`burnham_chiao_model`: coherent ringing of an optically thick
  sample, A e^{-2 (t - t0) / T2} [J1(2 sqrt(b (t - t0))) / sqrt(b (t - t0))]^2
  for t > t0 (intensity zeros at t0 + j_{1,k}^2 / (4 b): 3.67 / b, 12.31 / b, ...);
* :func:`raino_model`: the Rainò-style trace, a delayed burst, its damped
  modulation and the slow decay of uncoupled NCs,
  A sech^2((t - tau_D) / (2 tau_SF)) [1 + m e^{-(t - tau_D)_+ / tau_r} cos(2 pi (t - tau_D) / P)]
  + A_slow e^{-(t - t0) / tau_slow} Theta(t - t0).

IRF convolution
---------------
A model that switches on at t0 has a step there; convolving it on a fixed
time grid would make the result a sawtooth in t0, and a fit would stall.
Here every model is a sum of components, each a function of the time since
its own anchor (tau_D or t0), and the convolution with the Gaussian IRF is a
midpoint sum on a grid fixed *relative to that anchor*, evaluated directly
at the data times: the result is a smooth function of every parameter.
The grid step h = sigma / 8 depends only on the IRF, so generating a trace
with ``irf_fwhm`` and fitting it with the same ``irf_fwhm`` use exactly the
same model.

Fits
----
All fits use lmfit (trust-region least squares with bounds). Parameters can
be fixed (``fixed={"modulation": 0.0}``) or started elsewhere (``p0``);
multi-parameter models start from simpler pre-fits and several starts where
the cost has several minima (the ringing of Burnham-Chiao). Each fit
returns a :class:`FitResult` with values, one-sigma errors, covariance,
reduced chi^2, R^2, the lmfit result (for reports and confidence intervals)
and a quality verdict: a poor fit warns (:class:`FitQualityWarning`), or
raises with ``strict=True``. Data without a usable signal (constant, no
positive sample, too few points) raise a ValueError. Trace files are read
by :func:`sf_dynamics.analysis.traces.load_trace`.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy.signal import find_peaks
from scipy.special import j1

from .._validation import check_real, check_real_array
from ..kernels.peaks import parabolic_vertex
from .traces import load_trace

__all__ = [
    "FitResult",
    "FitQualityWarning",
    "FitQualityError",
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
    "convolve_gaussian_profile",
    "deviance_residuals",
    "poisson_sigma",
]

FWHM_PER_SIGMA = 2.0 * math.sqrt(2.0 * math.log(2.0))
#: FWHM of sech^2(t / (2 tau)) in units of tau: 4 arccosh(sqrt(2)) = 3.5255
SECH2_FWHM_PER_TAU = 4.0 * np.arccosh(np.sqrt(2.0))
#: first zero of J1 squared over 4: the first Burnham-Chiao intensity zero is at t0 + J1_FIRST / b
J1_FIRST = 3.8317059702075125**2 / 4.0
#: Gaussian IRF kernel truncated at this many standard deviations (weight beyond: < 1e-14)
_KERNEL_SIGMAS = 8.0
#: verdict thresholds
R2_POOR = 0.9
CHI2_POOR = 3.0


class FitQualityWarning(UserWarning):
    """A fit converged to parameters that do not describe the data well (see FitResult.quality)."""


class FitQualityError(ValueError):
    """Raised instead of :class:`FitQualityWarning` when a fit is called with ``strict=True``."""


@dataclass
class FitResult:
    """Outcome of a least-squares fit of a model to a trace.

    Attributes
    ----------
    params : dict
        Best-fit values of every parameter (fixed ones included).
    errors : dict
        One-standard-deviation uncertainties of the varied parameters (from
        the covariance; scaled by the reduced chi^2 when no ``sigma`` was
        given); 0 for fixed parameters, NaN where they could not be estimated.
    covariance : ndarray
        Covariance of the varied parameters (order of ``varied``).
    residual_rms : float
        Root-mean-square residual of the fit.
    reduced_chi2 : float
        Sum of squared (weighted) residuals per degree of freedom.
    model : callable
        ``model(t)`` evaluates the fitted curve (IRF included).
    r_squared : float
        Coefficient of determination 1 - SS_res / SS_tot.
    quality : dict
        ``verdict`` ("good" or "poor") and ``problems`` (list of sentences).
    varied : list of str
        Names of the varied parameters.
    lmfit_result : lmfit.minimizer.MinimizerResult
        The full lmfit result (``lmfit.fit_report(fit.lmfit_result)``,
        ``lmfit.conf_interval`` for profile-likelihood intervals).
    """

    params: dict
    errors: dict
    covariance: np.ndarray
    residual_rms: float
    reduced_chi2: float
    model: object = field(repr=False)
    r_squared: float = float("nan")
    quality: dict = field(default_factory=dict)
    varied: list = field(default_factory=list)
    lmfit_result: object = field(default=None, repr=False)

    def __getitem__(self, key):
        return self.params[key]

    @property
    def ok(self) -> bool:
        """True when the quality verdict is "good"."""
        return self.quality.get("verdict") == "good"

    def report(self) -> str:
        """A text report: lmfit's fit report plus the quality verdict."""
        import lmfit

        text = lmfit.fit_report(self.lmfit_result) if self.lmfit_result is not None else repr(self.params)
        problems = "; ".join(self.quality.get("problems", [])) or "none"
        return f"{text}\n[[Quality]]\n    verdict: {self.quality.get('verdict')}\n    problems: {problems}"


# -- models -------------------------------------------------------------------------------
def _sech2(s, tau_sf):
    x = np.clip(s / (2.0 * tau_sf), -350.0, 350.0)
    return 1.0 / np.cosh(x) ** 2


def _bessel_ratio(u):
    """[J1(2u) / u], with its small-u series."""
    safe = np.where(u > 1e-8, u, 1.0)
    return np.where(u > 1e-8, j1(2.0 * safe) / safe, 1.0 - 0.5 * u * u)


def _irf_step(times, fwhm):
    """Quadrature step of the IRF convolution: sigma / 8 (sigma = FWHM / 2.355)."""
    sigma = fwhm / FWHM_PER_SIGMA
    return sigma, sigma / 8.0


def _convolved(times, anchor, profile, fwhm, *, step_at_anchor):
    """Gaussian-IRF convolution of profile(s), s = t - anchor, evaluated at ``times``.

    Midpoint sum on the grid s_k = (k + 1/2) h fixed relative to the anchor
    (k >= 0 only when the component is zero before its anchor), so the
    result is smooth in the anchor. The profile is evaluated once per grid
    node; each data time sums the nodes within 8 sigma.
    """
    sigma, h = _irf_step(times, fwhm)
    x = np.asarray(times, dtype=float) - anchor
    reach = _KERNEL_SIGMAS * sigma
    width = int(np.ceil(2.0 * reach / h)) + 2
    first = np.floor((x - reach) / h - 0.5).astype(np.int64)
    k_min = int(first.min())
    nodes = np.arange(k_min, int(first.max()) + width, dtype=np.int64)
    values = profile((nodes + 0.5) * h)
    if step_at_anchor:
        values = np.where(nodes >= 0, values, 0.0)
    k = first[:, None] + np.arange(width)[None, :]
    weights = np.exp(-0.5 * ((x[:, None] - (k + 0.5) * h) / sigma) ** 2)
    return (weights * values[k - k_min]).sum(axis=1) * (h / (math.sqrt(2.0 * math.pi) * sigma))


def _check_irf(irf_fwhm, times):
    """Validate an IRF FWHM against the sampling of the data."""
    if irf_fwhm is None:
        return None
    fwhm = check_real("irf_fwhm", irf_fwhm, low=0.0, low_open=True)
    times = np.asarray(times, dtype=float)
    if times.size >= 2:
        spacing = float(np.min(np.diff(times)))
        record = float(times[-1] - times[0])
        if fwhm < 0.01 * spacing:
            raise ValueError(
                f"irf_fwhm = {fwhm:g} ps is below 1 % of the sampling step ({spacing:g} ps): an instrument "
                "response that narrow cannot be seen in these data; omit irf_fwhm"
            )
        if fwhm > 10.0 * record:
            raise ValueError(
                f"irf_fwhm = {fwhm:g} ps exceeds 10 times the record length ({record:g} ps): the trace would "
                "be a copy of the instrument response; check the unit (ps) of irf_fwhm"
            )
    return fwhm


def _evaluate(components, t, irf_fwhm):
    """Sum of components (anchor, profile, step_at_anchor) at times t, IRF-convolved if given."""
    t = np.asarray(t, dtype=float)
    total = np.zeros_like(t)
    for anchor, profile, step in components:
        if irf_fwhm is None:
            s = t - anchor
            values = profile(s)
            total += np.where(s > 0, values, 0.0) if step else values
        else:
            total += _convolved(t, anchor, profile, irf_fwhm, step_at_anchor=step)
    return total


def _slow_component(amplitude_slow, tau_slow, t0):
    return (t0, lambda s: amplitude_slow * np.exp(-np.clip(s, 0.0, None) / tau_slow), True)


def _sech2_components(tau_d, tau_sf, amplitude, background, amplitude_slow, tau_slow, t0):
    comps = [(tau_d, lambda s: amplitude * _sech2(s, tau_sf), False)]
    if background:
        comps.append((0.0, lambda s: np.full_like(s, background), False))
    if amplitude_slow:
        comps.append(_slow_component(amplitude_slow, tau_slow, t0))
    return comps


def sech2_model(t, tau_d, tau_sf, amplitude, background=0.0, amplitude_slow=0.0, tau_slow=np.inf, t0=0.0, *,
                irf_fwhm=None):
    """A sech^2((t - tau_d) / (2 tau_sf)) + background + A_slow e^{-(t - t0)/tau_slow} (t > t0), IRF-convolved if given.

    Parameters
    ----------
    t : array_like
        Times (ps).
    tau_d, tau_sf : float
        Burst centre and SF time (ps); FWHM = 3.53 tau_sf.
    amplitude, background, amplitude_slow : float
        Burst height, constant background, slow-component height.
    tau_slow : float
        Slow decay time (ps).
    t0 : float
        Excitation time (ps) where the slow component switches on.
    irf_fwhm : float, optional
        FWHM (ps) of a Gaussian instrument response.
    """
    return _evaluate(_sech2_components(tau_d, tau_sf, amplitude, background, amplitude_slow, tau_slow, t0), t,
                     _check_irf(irf_fwhm, t))


def _bc_profile(amplitude, b, t2):
    def profile(s):
        s = np.clip(s, 0.0, None)
        return amplitude * np.exp(-2.0 * s / t2) * _bessel_ratio(np.sqrt(b * s)) ** 2

    return profile


def burnham_chiao_model(t, amplitude, t0, b, t2, *, irf_fwhm=None):
    """A e^{-2 s / T2} [J1(2 sqrt(b s)) / sqrt(b s)]^2 for s = t - t0 > 0, else 0 (IRF-convolved if given)."""
    return _evaluate([(t0, _bc_profile(amplitude, b, t2), True)], t, _check_irf(irf_fwhm, t))


def _raino_components(amplitude, tau_d, tau_sf, modulation, tau_ring, period, amplitude_slow, tau_slow, t0):
    def burst(s):
        ring = 1.0 + modulation * np.exp(-np.clip(s, 0.0, None) / tau_ring) * np.cos(2.0 * np.pi * s / period)
        return amplitude * _sech2(s, tau_sf) * ring

    return [(tau_d, burst, False), _slow_component(amplitude_slow, tau_slow, t0)]


def raino_model(t, amplitude, tau_d, tau_sf, modulation, tau_ring, period, amplitude_slow, tau_slow, t0=0.0, *,
                irf_fwhm=None):
    """Delayed burst x (1 + damped modulation) + slow uncoupled decay from t0 (see module docstring)."""
    return _evaluate(_raino_components(amplitude, tau_d, tau_sf, modulation, tau_ring, period, amplitude_slow,
                                       tau_slow, t0), t, _check_irf(irf_fwhm, t))


def convolve_gaussian(func, times, fwhm):
    """func(t) convolved with a unit-area Gaussian of the given FWHM (ps), evaluated at ``times``.

    The quadrature grid is anchored at t = 0 (see the module docstring);
    ``func`` must accept arrays.
    """
    times = check_real_array("times", times)
    fwhm = check_real("fwhm", fwhm, low=0.0, low_open=True)
    return _convolved(times, 0.0, func, fwhm, step_at_anchor=False)


def convolve_gaussian_profile(times, anchor, profile, fwhm):
    """Gaussian-IRF convolution of a component that is zero before ``anchor``, smooth in the anchor.

    Parameters
    ----------
    times : array_like
        Times (ps) at which the convolution is evaluated.
    anchor : float
        Time (ps) at which the component switches on.
    profile : callable
        ``profile(s)``: the component at times s >= 0 since the anchor (vectorised).
    fwhm : float
        FWHM (ps) of the Gaussian response, > 0.

    Returns
    -------
    ndarray
    """
    times = check_real_array("times", times)
    fwhm = check_real("fwhm", fwhm, low=0.0, low_open=True)
    return _convolved(times, float(anchor), profile, fwhm, step_at_anchor=True)


# -- data and quality ----------------------------------------------------------------------
def _data(data, intensity=None):
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


def poisson_sigma(counts):
    """One-sigma errors of photon counts: sqrt(max(counts, 1))."""
    counts = check_real_array("counts", counts)
    return np.sqrt(np.maximum(counts, 1.0))


def _sigma(sigma, y):
    if sigma is None:
        return None
    if isinstance(sigma, str):
        if sigma != "poisson":
            raise ValueError(f"sigma must be an array, 'poisson' or None, got {sigma!r}")
        return poisson_sigma(y)
    sigma = check_real_array("sigma", sigma, shape=y.shape)
    if np.any(sigma <= 0):
        raise ValueError("sigma must be > 0 for every sample")
    return sigma


#: parameters that locate a feature in time or offset it: a value near zero is no sign of a poor fit
LOCATION_PARAMETERS = ("t0", "tau_d", "background")


def _quality(params, errors, varied, bounds, r2, chi2, weighted, success, message):
    problems = []
    if not success:
        problems.append(f"the optimiser did not converge ({message})")
    if not np.isfinite(r2) or r2 < R2_POOR:
        problems.append(f"R^2 = {r2:.3g} < {R2_POOR}: the model does not describe the data")
    if weighted and chi2 > CHI2_POOR:
        problems.append(f"reduced chi^2 = {chi2:.3g} > {CHI2_POOR}: residuals exceed the given errors")
    for name in varied:
        lo, hi = bounds.get(name, (-np.inf, np.inf))
        value, err = params[name], errors[name]
        span = max(abs(value), 1e-300)
        if (np.isfinite(lo) and abs(value - lo) <= 1e-6 * max(span, abs(lo))) or (
                np.isfinite(hi) and abs(hi - value) <= 1e-6 * max(span, abs(hi))):
            problems.append(f"{name} = {value:.4g} sits at its bound")
        if not np.isfinite(err):
            problems.append(f"the error of {name} could not be estimated")
        elif err > abs(value) and name not in LOCATION_PARAMETERS:
            problems.append(f"{name} = {value:.3g} +- {err:.2g}: the error exceeds the value")
    return {"verdict": "good" if not problems else "poor", "problems": problems}


def deviance_residuals(mu, y):
    """Poisson deviance residuals sign(y - mu) sqrt(2 (mu - y + y ln(y / mu))); sum of squares = deviance."""
    mu = np.maximum(mu, 1e-12 * max(float(np.max(y)), 1.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(y > 0, y * np.log(y / mu), 0.0)
    return np.sign(y - mu) * np.sqrt(np.maximum(2.0 * (mu - y + term), 0.0))


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
    sigma : array_like or "poisson", optional
        One-sigma errors of the samples (absolute errors in the result).
        "poisson": the samples are photon counts, and the fit maximises the
        Poisson likelihood (it minimises the deviance, whose residuals
        replace (y - model) / sigma; reduced chi^2 is then deviance / dof).
        None: unweighted, errors scaled by the residual variance.
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
        For unusable data, unknown parameter names or bad options;
        :class:`FitQualityError` (a ValueError) with ``strict=True`` and a poor fit.
    """
    import lmfit

    t, y = _data(data, intensity)
    poisson = isinstance(sigma, str) and sigma == "poisson"
    if poisson and (np.any(y < 0) or np.any(y != np.round(y))):
        raise ValueError("sigma='poisson' needs photon counts: non-negative integers")
    sig = _sigma(sigma, y)
    if window is not None:
        lo, hi = (check_real("window", w) for w in window)
        sel = (t >= lo) & (t <= hi)
        if sel.sum() < len(names) + 2:
            raise ValueError(f"window {tuple(window)} holds {int(sel.sum())} samples, too few for {len(names)} "
                             "parameters")
        t, y = t[sel], y[sel]
        sig = sig[sel] if sig is not None else None
    irf = _check_irf(irf_fwhm, t)
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
    resid = y - curve(best, t)
    dof = max(t.size - len(varied), 1)
    scaled = deviance_residuals(curve(best, t), y) if poisson else resid * weight
    chi2 = float(np.sum(scaled**2) / dof)
    ss_tot = float(np.sum((y - y.mean()) ** 2))
    r2 = 1.0 - float(np.sum(resid**2)) / ss_tot if ss_tot > 0 else float("nan")
    checked = {k: v for k, v in bounds.items() if k not in interval_bounds}
    quality = _quality(best, errors, varied, checked, r2, chi2, sig is not None, bool(out.success), out.message)

    frozen = dict(best)

    def evaluate(tt, _values=frozen):  # noqa: B006 - the fitted values, bound once, read only
        tt = np.asarray(tt, dtype=float)
        return model(tt, *[_values[name] for name in names], irf_fwhm=irf, **constants) if irf is None else (
            _model_on(model, names, _values, irf, constants, tt))

    result = FitResult(params=best, errors=errors, covariance=cov, residual_rms=float(np.sqrt(np.mean(resid**2))),
                       reduced_chi2=chi2, model=evaluate, r_squared=r2, quality=quality, varied=varied,
                       lmfit_result=out)
    if quality["verdict"] != "good":
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
    sigma : array_like or "poisson", optional
        Sample errors (see :func:`fit_model`).
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
    """
    t, y = _data(data, intensity)
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
    """
    t, y = _data(data, intensity)
    if window is not None:
        sel = (t >= window[0]) & (t <= window[1])
        t, y = t[sel], y[sel]
        if t.size < 6:
            raise ValueError(f"window {tuple(window)} holds too few samples")
        sigma = sigma if isinstance(sigma, str) or sigma is None else np.asarray(sigma)[sel]
    irf = _check_irf(irf_fwhm, t)
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
    sig = _sigma(sigma, y)
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
    return _finish(best, "burnham_chiao", strict)


def _finish(fit, name, strict):
    """Warn or raise for a poor multi-start fit (the individual starts were silenced)."""
    if fit.quality["verdict"] != "good":
        text = f"{name} fit is poor: " + "; ".join(fit.quality["problems"])
        if strict:
            raise FitQualityError(text)
        warnings.warn(text, FitQualityWarning, stacklevel=3)
    return fit


RAINO_NAMES = ["amplitude", "tau_d", "tau_sf", "modulation", "tau_ring", "period", "amplitude_slow", "tau_slow"]


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
    """
    t, y = _data(data, intensity)
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
    return _finish(best, "raino", strict)


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
        "lobe_times": np.array([parabolic_vertex(t, y, i)[0] for i in peaks]),
        "lobe_heights": y[peaks],
        "minimum_times": np.array([parabolic_vertex(t, y, i)[0] for i in minima]),
        "modulation_depth": depth,
    }
