"""Back from data: a global fit of a measured fluence series of streak-camera traces.

The model is the sample of :class:`~sf_dynamics.workflows.sample.Sample` with one domain size: a fraction f
of the NCs sits in coherent domains of N_c identical, point-like coupled NCs, the rest emit independently.
The pump leaves each NC excited with probability p_k (one value per trace; from the fluence by Poisson
absorption, :func:`~sf_dynamics.workflows.fluence.excitation_probability`, or given directly). Per NC
of the sample the emission rate is

    R_k(s) = f c_k(s; N_c, Gamma_c, Gamma_1 - Gamma_c, gamma_phi) + (1 - f) p_k Gamma_1 e^{-Gamma_1 s},

s the time since the excitation, c_k the exact emission per NC of a domain in the product state of
excitation probability p_k (``permutational`` method: exact for identical NCs with collective decay
Gamma_c, local decay Gamma_1 - Gamma_c and pure dephasing gamma_phi), Gamma_1 the single-NC radiative
rate. The detector records

    y_k(t) = A (IRF * R_k)(t - t0) + b,

with a Gaussian IRF of fitted (or given) FWHM or a measured IRF, time zero t0, one amplitude A (counts
per bin per photon/ps per NC, the same for every trace: one setup) and an optional constant background b.

All traces are fitted at once. Photon counts are fitted by maximum Poisson likelihood (minimum deviance,
as in :func:`sf_dynamics.analysis.fitting.fit_model` with ``sigma="poisson"``); other data by least
squares. The integer domain size is profiled: at each N_c lmfit fits the continuous parameters
(warm-started from the neighbouring N_c), the profile deviance D(N_c) is walked outward from its minimum,
and the 68 % interval of N_c is where D - D_min <= 1 (Wilks). The one-sigma errors of the continuous
parameters combine the covariance at the best N_c with half the spread of their best values over that
interval. A fit whose N_c interval reaches the upper search bound, whose profile is flat, or whose
parameters have no finite error is refused (:class:`UndeterminedFitError`) unless
``allow_undetermined=True``.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .._validation import check_real, check_real_array
from ..analysis.fitting import FitQualityWarning, convolve_gaussian_profile, deviance_residuals, load_trace
from .fluence import excitation_probability

__all__ = ["fit_fluence_series", "SeriesFit", "UndeterminedFitError", "series_model", "read_series"]

#: continuous parameters of the model, in the order of the fit
PARAMETERS = ("collective_share", "dephasing", "coupled_fraction", "amplitude", "t0", "irf_fwhm", "background",
              "radiative_rate")
#: profile deviance above its minimum where the walk in N_c stops (beyond the 99.7 % level of 9)
WALK_STOP = 10.0
#: a reduced Poisson deviance above this marks a poor fit (counts that are not photon counts, or a wrong model)
_POOR_FIT = 3.0


class UndeterminedFitError(ValueError):
    """The data cannot determine a parameter of the fit (the message names it and says why)."""


@dataclass
class SeriesFit:
    """Outcome of :func:`fit_fluence_series`.

    Attributes
    ----------
    params : dict
        Best values: ``domain_size`` N_c (integer), ``collective_decay`` Gamma_c (1/ps),
        ``collective_share`` Gamma_c / Gamma_1, ``collective_rate`` N_c Gamma_c (1/ps, the superradiant rate of
        a fully inverted domain), ``dephasing`` gamma_phi (1/ps), ``t2`` = 1 / (Gamma_1 / 2 + gamma_phi) (ps),
        ``coupled_fraction``, ``amplitude``, ``t0`` (ps), ``irf_fwhm`` (ps; NaN with a measured IRF),
        ``background``, ``radiative_rate`` Gamma_1 (1/ps).
    errors : dict
        One-sigma errors (0 for fixed parameters); ``domain_size`` has none, see ``domain_interval``.
    domain_interval : (int, int)
        The 68 % profile-likelihood interval of N_c (D - D_min <= 1).
    profile : dict
        ``domain_size`` (evaluated N_c, ascending), ``deviance`` (profile D) and the best value of every
        continuous parameter at each N_c.
    probabilities : ndarray
        Excitation probability per NC of each trace.
    times, data, model : ndarray
        Data times (ps), measured traces (k, nt) and the fitted model on them.
    fluences : ndarray or None
        Pump fluences (uJ/cm^2) of the traces, when given.
    deviance, dof : float, int
        Minimum Poisson deviance, or for least squares the sum of squared residuals in units of the largest
        sample (the profile is then scaled by the residual variance D_min / dof), and degrees of freedom.
    statistic : str
        "poisson" or "least_squares".
    quality : dict
        ``verdict`` ("good", "poor" or "undetermined") and ``problems`` (sentences).
    fixed : dict
        Parameters held fixed and their values.
    lmfit_result : lmfit.minimizer.MinimizerResult
        The fit at the best N_c.
    """

    params: dict
    errors: dict
    domain_interval: tuple
    profile: dict
    probabilities: np.ndarray
    times: np.ndarray
    data: np.ndarray
    model: np.ndarray
    fluences: object
    deviance: float
    dof: int
    statistic: str
    quality: dict = field(default_factory=dict)
    fixed: dict = field(default_factory=dict)
    lmfit_result: object = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        """True when the verdict is "good"."""
        return self.quality.get("verdict") == "good"

    def interval(self, name, level=1.0):
        """Profile-likelihood interval of a parameter: excess deviance <= ``level`` (1: 68 %, 4: 95 %, 9: 99.7 %).

        For ``domain_size`` the connected run of integers around the best N_c where the interpolated profile
        stays within the level (as ``domain_interval`` at level 1); for a continuous
        parameter the union over N_c of its quadratic intervals theta_N +- sigma_N sqrt(level - excess_N).
        Levels above the walk's stop (:data:`WALK_STOP`) are not covered by the evaluated profile.
        """
        excess = np.asarray(self.profile["excess"])
        if name == "domain_size":
            return _interval(np.asarray(self.profile["domain_size"]), excess, self.params["domain_size"], level)
        if f"{name}_sigma" not in self.profile:
            raise ValueError(f"name must be a fitted parameter, one of {sorted(self.errors)}, got {name!r}")
        return _union_interval(np.asarray(self.profile[name]), np.asarray(self.profile[f"{name}_sigma"]), excess,
                               level)

    def summary(self) -> str:
        """A plain-text table of the fitted parameters with their errors and the fit's verdict."""
        lo, hi = self.domain_interval
        lines = [f"global fit of {self.data.shape[0]} traces ({self.statistic}): deviance {self.deviance:.1f} "
                 f"for {self.dof} degrees of freedom (reduced {self.deviance / max(self.dof, 1):.3f})",
                 f"{'domain_size':>18} = {self.params['domain_size']:d}  (68 % interval {lo} - {hi})"]
        units = {"collective_decay": "1/ps", "collective_rate": "1/ps", "dephasing": "1/ps", "t2": "ps", "t0": "ps",
                 "irf_fwhm": "ps", "radiative_rate": "1/ps"}
        for name in ("collective_decay", "collective_share", "collective_rate", "dephasing", "t2", "coupled_fraction",
                     "amplitude", "t0", "irf_fwhm", "background", "radiative_rate"):
            value, err = self.params[name], self.errors.get(name, 0.0)
            note = "fixed" if name in self.fixed else f"+- {err:.3g}"
            lines.append(f"{name:>18} = {value:.5g} {units.get(name, ''):5} {note}")
        problems = "; ".join(self.quality.get("problems", [])) or "none"
        lines.append(f"verdict: {self.quality.get('verdict')} (problems: {problems})")
        return "\n".join(lines)

    def to_dataset(self):
        """Data, model and the N_c profile as an :class:`xarray.Dataset` (parameters and errors as attributes)."""
        import xarray as xr

        coords = {"trace": np.arange(self.data.shape[0]), "time": ("time", self.times, {"units": "ps"}),
                  "domain_size": self.profile["domain_size"]}
        data = {"data": (("trace", "time"), self.data), "model": (("trace", "time"), self.model),
                "probability": ("trace", self.probabilities),
                "profile_deviance": ("domain_size", self.profile["deviance"])}
        if self.fluences is not None:
            data["fluence"] = ("trace", np.asarray(self.fluences), {"units": "uJ/cm^2"})
        attrs = {**{k: float(v) for k, v in self.params.items()},
                 **{f"{k}_error": float(v) for k, v in self.errors.items()},
                 "domain_interval": list(self.domain_interval), "deviance": self.deviance, "dof": self.dof,
                 "statistic": self.statistic, "verdict": self.quality.get("verdict", ""),
                 "problems": "; ".join(self.quality.get("problems", [])), "fixed": sorted(self.fixed)}
        return xr.Dataset(data, coords=coords, attrs=attrs)


# -- reading a series ----------------------------------------------------------------------------------
def read_series(traces, *, time_unit_ps=1.0):
    """A fluence series of traces as (times, data): one time base, one row per trace.

    Parameters
    ----------
    traces : sequence of paths, sequence of (times, values) pairs, or (times, 2-D array)
        Trace files (read by :func:`sf_dynamics.analysis.traces.load_trace`), pairs of arrays, or one time
        array with a (k, nt) array of values.
    time_unit_ps : float
        Picoseconds per time unit of files.

    Returns
    -------
    times : ndarray, shape (nt,)
    data : ndarray, shape (k, nt)

    Raises
    ------
    ValueError
        For no traces, an empty file or trace, traces of different time bases, unequally spaced or
        non-increasing times, or non-finite values.
    """
    if isinstance(traces, tuple) and len(traces) == 2 and np.ndim(traces[0]) == 1 and np.ndim(traces[1]) == 2:
        times = check_real_array("times", traces[0])
        rows = [check_real_array("traces", row) for row in np.asarray(traces[1], dtype=float)]
        pairs = [(times, row) for row in rows]
    else:
        if isinstance(traces, (str, Path)) or not hasattr(traces, "__len__") or len(traces) == 0:
            raise ValueError("traces must be a non-empty sequence of trace files or (times, values) pairs")
        pairs = []
        for i, item in enumerate(traces):
            if isinstance(item, (str, Path)):
                pairs.append(load_trace(item, time_unit_ps=time_unit_ps))
            else:
                try:
                    t, y = item
                except (TypeError, ValueError):
                    raise ValueError(f"traces[{i}] must be a file path or a (times, values) pair") from None
                pairs.append((check_real_array(f"traces[{i}] times", t), check_real_array(f"traces[{i}] values", y)))
    times = np.asarray(pairs[0][0], dtype=float)
    for i, (t, y) in enumerate(pairs):
        t, y = np.asarray(t, dtype=float), np.asarray(y, dtype=float)
        if t.ndim != 1 or t.size < 10 or y.shape != t.shape:
            raise ValueError(f"traces[{i}] must hold at least 10 samples with one value per time, got times "
                             f"{t.shape} and values {y.shape}")
        if t.shape != times.shape or np.max(np.abs(t - times)) > 1e-9 * max(np.ptp(times), 1.0):
            raise ValueError(f"traces[{i}] has a different time base from traces[0]: all traces of a series must "
                             "share their times (one streak-camera setting); resample them first")
    step = np.diff(times)
    if np.any(step <= 0) or np.max(np.abs(step - step[0])) > 1e-6 * step[0]:
        raise ValueError("traces: the times must be equally spaced and increasing (streak-camera bins)")
    return times, np.array([np.asarray(y, dtype=float) for _, y in pairs])


# -- the model ------------------------------------------------------------------------------------------
class _DomainCache:
    """Domain emission per NC on the simulation grid, memoised by (N_c, rates): one solve per rate set."""

    def __init__(self, grid, probabilities):
        self.grid = grid
        self.probabilities = probabilities
        self.store = {}

    def coupled(self, n, collective, decay, dephasing):
        key = (int(n), float(collective), float(decay), float(dephasing))
        if key not in self.store:
            from ..model import Ensemble
            from ..solvers.permutational import product_emission

            ens = Ensemble(int(n), collective_decay=collective, decay=max(decay, 0.0), dephasing=dephasing)
            rows = list(product_emission(ens, self.grid, self.probabilities) / n)
            if len(self.store) > 64:
                self.store.clear()
            self.store[key] = rows
        return self.store[key]


def _sample_rate(cache, n, values):
    """Per-trace callables R_k(s) (photons/ps per NC), zero for s < 0."""
    rate = values["radiative_rate"]
    collective = values["collective_share"] * rate
    coupled = cache.coupled(n, collective, rate - collective, values["dephasing"])
    f = values["coupled_fraction"]
    grid = cache.grid

    def make(row, p):
        def profile(s):
            s = np.asarray(s, dtype=float)
            inside = s >= 0
            sc = np.where(inside, s, 0.0)
            out = f * np.interp(sc, grid, row) + (1.0 - f) * p * rate * np.exp(-rate * sc)
            return np.where(inside, out, 0.0)
        return profile

    return [make(row, p) for row, p in zip(coupled, cache.probabilities)]


def _record(cache, n, values, times, irf):
    """What the detector records for every trace: A (IRF * R_k)(t - t0) + b, shape (k, nt)."""
    profiles = _sample_rate(cache, n, values)
    t0 = values["t0"]
    if irf is None:
        rows = [convolve_gaussian_profile(times, t0, prof, values["irf_fwhm"]) for prof in profiles]
    else:
        rows = [_convolve_measured(times, t0, prof, irf) for prof in profiles]
    return values["amplitude"] * np.array(rows) + values["background"]


def _convolve_measured(times, anchor, profile, irf):
    """Convolution with a measured IRF (sampled at the step of ``times``, zero delay at its maximum).

    The response is taken piecewise linear between its samples and the component is sampled on a grid
    fixed relative to its anchor (step / 4, midpoints, zero before the anchor), so that the record is a
    continuous function of the anchor, as the Gaussian route of
    :func:`~sf_dynamics.analysis.fitting.convolve_gaussian_profile`.
    """
    step = float(times[1] - times[0])
    lags = (np.arange(irf.size) - int(np.argmax(irf))) * step
    density = irf / (float(np.sum(irf) - 0.5 * (irf[0] + irf[-1])) * step)   # integrates to 1 (trapezoid)
    h = step / 4.0
    x = np.asarray(times, dtype=float) - anchor
    k_lo = max(int(np.floor((x.min() - lags[-1]) / h)) - 1, 0)
    k_hi = int(np.ceil((x.max() - lags[0]) / h)) + 1
    if k_hi < k_lo:
        return np.zeros_like(x)
    nodes = (np.arange(k_lo, k_hi + 1) + 0.5) * h
    weights = np.interp(x[:, None] - nodes[None, :], lags, density, left=0.0, right=0.0)
    return (weights @ profile(nodes)) * h


def series_model(times, probabilities, *, domain_size, collective_decay, dephasing, coupled_fraction, amplitude,
                 t0=0.0, irf_fwhm=None, irf=None, background=0.0, radiative_rate=1.0 / 210.0, points=600):
    """The model of :func:`fit_fluence_series`: what the detector records for each excitation probability.

    Parameters
    ----------
    times : array_like
        Equally spaced detector times (ps).
    probabilities : array_like
        Excitation probability per NC of each trace, in [0, 1].
    domain_size : int
        NCs per coherent domain N_c, >= 2.
    collective_decay, dephasing, radiative_rate : float
        Gamma_c, gamma_phi and the single-NC radiative rate Gamma_1 >= Gamma_c (1/ps).
    coupled_fraction : float
        Fraction f of NCs in domains, [0, 1].
    amplitude, background : float
        Counts per bin per photon/ps per NC, and a constant per bin.
    t0 : float
        Time zero (ps) on the detector's time axis.
    irf_fwhm : float, optional
        FWHM (ps) of a Gaussian instrument response; or ``irf``, a measured response sampled at the time step.
    points : int
        Simulation grid points over the record.

    Returns
    -------
    ndarray, shape (k, nt)

    Raises
    ------
    ValueError
        For parameters outside their ranges.
    """
    times = check_real_array("times", times)
    probabilities = np.atleast_1d(check_real_array("probabilities", probabilities))
    if np.any((probabilities < 0) | (probabilities > 1)):
        raise ValueError(f"probabilities must lie in [0, 1], got {probabilities}")
    n = int(check_real("domain_size", domain_size, low=2.0))
    rate = check_real("radiative_rate", radiative_rate, low=0.0, low_open=True)
    collective = check_real("collective_decay", collective_decay, low=0.0, high=rate)
    values = {"collective_share": collective / rate, "dephasing": check_real("dephasing", dephasing, low=0.0),
              "coupled_fraction": check_real("coupled_fraction", coupled_fraction, low=0.0, high=1.0),
              "amplitude": check_real("amplitude", amplitude, low=0.0), "t0": check_real("t0", t0),
              "irf_fwhm": None if irf_fwhm is None else check_real("irf_fwhm", irf_fwhm, low=0.0, low_open=True),
              "background": check_real("background", background), "radiative_rate": rate}
    if (irf_fwhm is None) == (irf is None):
        raise ValueError("give either irf_fwhm (a Gaussian response, ps) or irf (a measured response array)")
    cache = _DomainCache(_grid(times, points, values["t0"], irf_fwhm, irf), probabilities)
    return _record(cache, n, values, times, irf)


#: the fit lets t0 go this share of the record before the first time, and the Gaussian IRF's FWHM up to it
_T0_LEAD = 0.1


def _grid(times, points, t0, irf_fwhm, irf):
    """Simulation times from the excitation to the last data time seen from the earliest t0 the fit allows (or
    ``t0``, if earlier), plus the reach of the widest IRF it allows: one grid for the fit and the model."""
    step = float(times[1] - times[0])
    span = float(times[-1] - times[0])
    earliest = min(float(t0), float(times[0]) - _T0_LEAD * span)
    reach = _reach(max(irf_fwhm or 0.0, _T0_LEAD * span), irf, step)
    return np.linspace(0.0, 1.02 * (float(times[-1]) - earliest) + reach, int(points))


def _reach(irf_fwhm, irf, step):
    """How far (ps) the instrument response reaches before zero delay: 8 sigma, or the measured IRF's length."""
    if irf is not None:
        return float(np.size(irf) * step)
    return 8.0 * float(irf_fwhm) / (2.0 * np.sqrt(2.0 * np.log(2.0)))


# -- guesses ----------------------------------------------------------------------------------------------
def _guesses(times, data, probabilities, rate):
    """Starting values from the data: time zero from the earliest rise, IRF from the sampling, burst time."""
    step = float(times[1] - times[0])
    base = np.median(data[:, : max(3, times.size // 50)], axis=1)
    height = np.maximum(data.max(axis=1) - base, 1e-300)
    rises = [times[np.argmax((row - b) / h > 0.1)] for row, b, h in zip(data, base, height)]
    t0 = float(min(rises))
    k = int(np.argmax(probabilities))
    t_peak = float(times[np.argmax(data[k])])
    return {"t0": t0, "irf_fwhm": 3.0 * step, "background": float(max(np.median(base), 0.0)),
            "t_peak": max(t_peak - t0, 2.0 * step), "p_max": float(probabilities[k]), "rate": rate}


def _share_guess(n, guess):
    """Gamma_c / Gamma_1 that puts the burst of the strongest trace near its observed peak."""
    inversion = 2.0 * guess["p_max"] - 1.0
    if inversion <= 0.05:
        return 0.5
    collective = max(math.log(n), 1.0) / (n * inversion * guess["t_peak"])
    return float(np.clip(collective / guess["rate"], 0.02, 0.98))


# -- the fit ----------------------------------------------------------------------------------------------
def fit_fluence_series(traces, fluences=None, *, probabilities=None, cross_section_cm2=None, photon_energy_eV=3.1,
                       radiative_lifetime_ps=210.0, irf_fwhm=None, irf=None, background="auto", fixed=None,
                       p0=None, domain_sizes=(2, 200), grid_points=7, statistic="auto", points=600,
                       time_unit_ps=1.0, allow_undetermined=False, progress=False):
    """Fit a series of measured traces (one per pump fluence) with the coupled + uncoupled sample model.

    Parameters
    ----------
    traces : sequence of paths or (times, values) pairs, or (times, (k, nt) array)
        The measured traces, one per fluence, on one equally spaced time base (ps).
    fluences : array_like, optional
        Pump fluence of each trace (uJ/cm^2); with ``cross_section_cm2`` gives p(F) = 1 - e^{-sigma F / E_ph}.
    probabilities : array_like, optional
        Instead of fluences: the excitation probability per NC of each trace, in [0, 1].
    cross_section_cm2, photon_energy_eV : float
        Absorption cross-section (cm^2) and pump photon energy (eV), for ``fluences``.
    radiative_lifetime_ps : float or None
        Single-NC radiative lifetime 1 / Gamma_1 (ps), e.g. measured on isolated NCs; held fixed. None fits
        Gamma_1 as well (the slow tail of the uncoupled NCs determines it).
    irf_fwhm : float, optional
        FWHM (ps) of a Gaussian IRF, held fixed; by default it is fitted.
    irf : array_like, optional
        A measured IRF sampled at the time step of the traces (held fixed; no Gaussian IRF then).
    background : bool or "auto"
        Fit a constant background per bin (dark counts); "auto" (default) fits one when the bins before the
        rise hold counts, else holds it at 0.
    fixed : dict, optional
        Further parameters held at given values (checked against their ranges): any of ``collective_decay``
        (1/ps, <= Gamma_1; needs ``radiative_lifetime_ps``), ``dephasing``, ``coupled_fraction``, ``amplitude``,
        ``t0``, ``background``.
    p0 : dict, optional
        Starting values of continuous parameters (same names).
    domain_sizes : (int, int)
        Search range of the domain size N_c, 2 <= low < high.
    grid_points : int
        Coarse grid of N_c (geometric) before the integer walk around the best one.
    statistic : {"auto", "poisson", "least_squares"}
        "poisson" for photon counts (non-negative integers; "auto" picks it for such data).
    points : int
        Simulation grid points over the record (resolution of the model before the IRF).
    time_unit_ps : float
        Picoseconds per time unit of trace files.
    allow_undetermined : bool
        Return an undetermined fit (verdict "undetermined", a warning) instead of raising.
    progress : bool
        Print each N_c as it is fitted.

    Returns
    -------
    SeriesFit

    Raises
    ------
    ValueError
        For traces that do not form a series (see :func:`read_series`), a number of fluences or probabilities
        unlike the number of traces, probabilities outside [0, 1], bad ranges or unknown parameter names.
    UndeterminedFitError
        When the data cannot determine N_c (flat profile, or its interval reaches the upper search bound) or a
        varied parameter (no finite error), unless ``allow_undetermined``.
    """
    import lmfit

    times, data = read_series(traces, time_unit_ps=time_unit_ps)
    k = data.shape[0]
    if (fluences is None) == (probabilities is None):
        raise ValueError("give either fluences (with cross_section_cm2) or probabilities, one per trace")
    if fluences is not None:
        fl = np.atleast_1d(check_real_array("fluences", fluences, nonnegative=True))
        if fl.shape != (k,):
            raise ValueError(f"fluences must hold one value per trace: {k} traces, {fl.size} fluences")
        if cross_section_cm2 is None:
            raise ValueError("fluences need cross_section_cm2 (cm^2) to give the excitation probability")
        prob = excitation_probability(fl, cross_section_cm2=cross_section_cm2, photon_energy_eV=photon_energy_eV)
    else:
        fl = None
        prob = np.atleast_1d(check_real_array("probabilities", probabilities))
        if prob.shape != (k,):
            raise ValueError(f"probabilities must hold one value per trace: {k} traces, {prob.size} probabilities")
        if np.any((prob < 0) | (prob > 1)):
            raise ValueError(f"probabilities must lie in [0, 1], got {prob}")
    if statistic not in ("auto", "poisson", "least_squares"):
        raise ValueError(f"statistic must be 'auto', 'poisson' or 'least_squares', got {statistic!r}")
    counts = bool(np.all(data >= 0) and np.all(data == np.round(data)))
    if statistic == "poisson" and not counts:
        raise ValueError("statistic='poisson' needs photon counts: non-negative integers in every trace")
    poisson = counts if statistic == "auto" else statistic == "poisson"
    if not np.any(data > 0):
        raise ValueError("traces hold no positive sample: there is no emission to fit")
    try:
        lo_n, hi_n = (int(check_real("domain_sizes", v, low=2.0)) for v in domain_sizes)
    except TypeError:
        raise ValueError(f"domain_sizes must be a pair (low, high) of integers >= 2, got {domain_sizes!r}") from None
    if hi_n <= lo_n:
        raise ValueError(f"domain_sizes must have low < high, got {domain_sizes!r}")
    fixed = dict(fixed or {})
    p0 = dict(p0 or {})
    names = ("collective_decay", "dephasing", "coupled_fraction", "amplitude", "t0", "irf_fwhm", "background",
             "radiative_rate")
    for name in list(fixed) + list(p0):
        if name not in names:
            raise ValueError(f"unknown parameter {name!r}; the model has {names}")
    if irf is not None and irf_fwhm is not None:
        raise ValueError("give irf_fwhm (Gaussian, fixed) or irf (measured), not both")
    if irf is not None:
        irf = check_real_array("irf", irf, nonnegative=True)
        if irf.ndim != 1 or irf.size < 3 or not irf[1:-1].sum() > 0:
            raise ValueError(f"irf must be a 1-D non-negative response of at least 3 samples with a positive "
                             f"interior, got {irf!r}"[:200])
    if radiative_lifetime_ps is not None:
        fixed["radiative_rate"] = 1.0 / check_real("radiative_lifetime_ps", radiative_lifetime_ps, low=0.0,
                                                     low_open=True)
    if irf_fwhm is not None:
        fixed["irf_fwhm"] = check_real("irf_fwhm", irf_fwhm, low=0.0, low_open=True)
    step = float(times[1] - times[0])
    span = float(times[-1] - times[0])
    rate0 = fixed.get("radiative_rate", p0.get("radiative_rate", 1.0 / 210.0))
    guess = _guesses(times, data, prob, rate0)
    if background == "auto":       # dark counts before the rise: fit them, else hold the background at 0
        early = data[:, times < guess["t0"] - 3.0 * step]
        background = bool(early.size and early.mean() > 0)
    if not background:
        fixed.setdefault("background", 0.0)
    bounds = {"collective_share": (0.0, 1.0), "dephasing": (0.0, 10.0 / step), "coupled_fraction": (0.0, 1.0),
              "amplitude": (0.0, np.inf), "t0": (float(times[0]) - _T0_LEAD * span, float(times[-1])),
              "irf_fwhm": (0.25 * step, _T0_LEAD * span), "background": (0.0, np.inf),
              "radiative_rate": (1e-3 / span, 10.0 / step)}
    for name, value in fixed.items():
        if name == "collective_decay":
            continue
        lo, hi = bounds[name]
        check_real(name, value, low=lo, high=hi if np.isfinite(hi) else None)
    if "collective_decay" in fixed:
        if "radiative_rate" not in fixed:
            raise ValueError("fixed collective_decay needs a fixed single-NC rate: give radiative_lifetime_ps")
        fixed["collective_share"] = check_real("collective_decay", fixed.pop("collective_decay"), low=0.0,
                                               high=fixed["radiative_rate"]) / fixed["radiative_rate"]
    if "collective_decay" in p0:
        p0["collective_share"] = p0.pop("collective_decay") / rate0
    active = [name for name in PARAMETERS if not (name == "irf_fwhm" and irf is not None)]
    cache = _DomainCache(_grid(times, points, bounds["t0"][0], bounds["irf_fwhm"][1], irf), prob)
    flat = data.ravel()
    scale = float(np.max(data))

    def residual_fn(n):
        def residual(params):
            mu = _record(cache, n, params.valuesdict(), times, irf).ravel()
            if poisson:
                return -deviance_residuals(mu, flat)
            return (mu - flat) / scale
        return residual

    def start_values(n, previous):
        if previous is None:
            values = {"collective_share": _share_guess(n, guess), "dephasing": guess["rate"],
                      "coupled_fraction": 0.5, "amplitude": 1.0, "t0": guess["t0"], "irf_fwhm": guess["irf_fwhm"],
                      "background": guess["background"], "radiative_rate": rate0}
            values.update(p0)
            values.update(fixed)
            if "amplitude" not in p0 and "amplitude" not in fixed:     # a linear first guess of the amplitude
                shape = _record(cache, n, dict(values, amplitude=1.0, background=0.0), times, irf)
                values["amplitude"] = max(float(np.sum(data - values["background"]) / max(shape.sum(), 1e-300)),
                                          1e-300)
            return values
        n_prev, values = previous
        values = dict(values)
        if "collective_share" not in fixed:   # keep N Gamma_c: the burst's time scale
            values["collective_share"] = float(np.clip(values["collective_share"] * n_prev / n, 1e-6, 1.0))
        return values

    def fit_at(n, previous):
        values = start_values(n, previous)
        params = lmfit.Parameters()
        for name in active:
            lo, hi = bounds[name]
            if name in fixed:
                params.add(name, value=float(fixed[name]), vary=False)
            else:
                params.add(name, value=float(np.clip(values[name], lo, hi)), min=lo, max=hi)
        minimizer = lmfit.Minimizer(residual_fn(n), params, scale_covar=not poisson, nan_policy="raise")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            out = minimizer.minimize(method="least_squares", max_nfev=400)
        best = {name: float(out.params[name].value) for name in active}
        if irf is not None:
            best["irf_fwhm"] = float("nan")
        dev = float(np.sum(np.asarray(out.residual) ** 2))
        sigma = {}
        for name in active:
            err = out.params[name].stderr if out.params[name].vary else 0.0
            sigma[name] = float(err) if err is not None and np.isfinite(err) else float("nan")
        if irf is not None:
            sigma["irf_fwhm"] = 0.0
        best = _derived(n, best, sigma)
        if progress:
            print(f"N_c = {n}: deviance {dev:.2f}", flush=True)
        return dev, best, out

    n_varied = sum(1 for name in active if name not in fixed) + 1
    dof = max(flat.size - n_varied, 1)
    # coarse geometric grid, warm-started upward, then the integer walk around the best N_c
    results = {}
    grid = np.unique(np.round(np.geomspace(lo_n, hi_n, max(int(grid_points), 3))).astype(int))
    previous = None
    for n in grid:
        results[int(n)] = fit_at(int(n), previous)
        previous = (int(n), results[int(n)][1])

    def walk(direction):
        offsets = np.unique(np.round(1.4 ** np.arange(40)).astype(int))
        while True:
            best_n = min(results, key=lambda m: results[m][0])
            d_min = results[best_n][0]
            for off in offsets:
                n = best_n + direction * int(off)
                if n < lo_n or n > hi_n:
                    return
                if n not in results:
                    results[n] = fit_at(n, (best_n, results[best_n][1]))
                if min(results, key=lambda m: results[m][0]) != best_n:
                    break                             # a better N_c: walk again from it
                if _excess(results[n][0], d_min, poisson, dof) > WALK_STOP:
                    return
            else:
                return

    walk(-1)
    walk(+1)
    walk(-1)
    sizes = np.array(sorted(results))
    devs = np.array([results[m][0] for m in sizes])
    n_best = int(sizes[np.argmin(devs)])
    dev_min, best, out = results[n_best]
    excess = _excess(devs, dev_min, poisson, dof)
    interval = _interval(sizes, excess, n_best)

    # errors: the profile-likelihood interval over N_c and the continuous parameters (quadratic at each N_c)
    names = [name for name in best if not name.endswith("_sigma")]
    profile = {"domain_size": sizes, "deviance": devs, "excess": excess,
               **{name: np.array([results[m][1][name] for m in sizes]) for name in names},
               **{f"{name}_sigma": np.array([results[m][1][f"{name}_sigma"] for m in sizes]) for name in names}}
    params = {"domain_size": n_best, **{name: best[name] for name in names}}
    errors = {}
    for name in names:
        lo, hi = _union_interval(profile[name], profile[f"{name}_sigma"], excess, 1.0)
        errors[name] = 0.0 if name in fixed else (hi - lo) / 2.0
    if irf is not None:
        errors["irf_fwhm"] = 0.0
    if "collective_share" in fixed:
        fixed["collective_decay"] = params["collective_decay"]
    model = _record(cache, n_best, best, times, irf)

    problems, undetermined = [], []
    if np.ptp(excess) < 1.0:
        undetermined.append(f"domain_size: the profile deviance changes by {np.ptp(excess):.2g} < 1 over N_c = "
                            f"{sizes.min()}-{sizes.max()}; the data do not fix the domain size (fix collective_decay "
                            "or add fluences above threshold)")
    elif interval[1] >= hi_n:
        undetermined.append(f"domain_size: its 68 % interval reaches the upper search bound {hi_n} "
                            "(raise domain_sizes, or the data cannot bound N_c from above)")
    elif interval[0] <= lo_n and lo_n > 2:
        undetermined.append(f"domain_size: its 68 % interval reaches the lower search bound {lo_n} (lower it)")
    for name in active:
        if name not in fixed and name != "background" and not np.isfinite(errors[name]):
            undetermined.append(f"{name}: its error could not be estimated (the data do not constrain it)")
    for name in ("collective_share", "coupled_fraction", "amplitude"):
        if name not in fixed and np.isfinite(errors[name]) and errors[name] > abs(params[name]):
            undetermined.append(f"{name} = {params[name]:.3g} +- {errors[name]:.2g}: the error exceeds the value")
    reduced = dev_min / dof
    if poisson and reduced > _POOR_FIT:
        problems.append(f"reduced deviance {reduced:.3g} > {_POOR_FIT}: the model does not describe the data")
    problems += undetermined
    verdict = "undetermined" if undetermined else ("poor" if problems else "good")
    fit = SeriesFit(params=params, errors=errors, domain_interval=interval,
                    profile=profile,
                    probabilities=prob, times=times, data=data, model=model, fluences=fl, deviance=dev_min, dof=dof,
                    statistic="poisson" if poisson else "least_squares",
                    quality={"verdict": verdict, "problems": problems},
                    fixed={name: params[name] for name in fixed if name in params}, lmfit_result=out)
    if undetermined and not allow_undetermined:
        raise UndeterminedFitError("the series does not determine the fit: " + "; ".join(undetermined))
    if problems:
        warnings.warn("fit_fluence_series: " + "; ".join(problems), FitQualityWarning, stacklevel=2)
    return fit


def _derived(n, best, sigma):
    """Best values and one-sigma errors at one N_c, with Gamma_c, N_c Gamma_c and T2 derived from them."""
    out = dict(best)
    out.update({f"{name}_sigma": value for name, value in sigma.items()})
    rate, s_rate = best["radiative_rate"], sigma.get("radiative_rate", 0.0)
    share, s_share = best["collective_share"], sigma["collective_share"]
    out["collective_decay"] = share * rate
    out["collective_decay_sigma"] = math.hypot(s_share * rate, share * s_rate)
    out["collective_rate"] = n * out["collective_decay"]
    out["collective_rate_sigma"] = n * out["collective_decay_sigma"]
    out["t2"] = 1.0 / (rate / 2.0 + best["dephasing"])
    out["t2_sigma"] = out["t2"] ** 2 * math.hypot(sigma["dephasing"], s_rate / 2.0)
    return out


def _union_interval(values, sigmas, excess, level):
    """Profile interval {theta : min over N_c of excess_N + ((theta - theta_N) / sigma_N)^2 <= level}."""
    inside = excess <= level
    if not np.any(inside):
        return float("nan"), float("nan")
    half = sigmas[inside] * np.sqrt(level - excess[inside])
    return float(np.min(values[inside] - half)), float(np.max(values[inside] + half))


def _excess(dev, d_min, poisson, dof):
    """Profile deviance above the minimum, in units of one sigma^2 (least squares: scaled by the variance d_min/dof)."""
    if poisson:
        return dev - d_min
    return (dev - d_min) / max(d_min / dof, 1e-300)


def _interval(sizes, excess, n_best, level=1.0):
    """Interval of N_c: the connected run of integers around the best where the interpolated excess is <= level."""
    fine = np.arange(int(sizes.min()), int(sizes.max()) + 1)
    inside = fine[np.interp(fine, sizes, excess) <= level]
    # the connected run around the best value
    lo = hi = n_best
    while lo - 1 in inside:
        lo -= 1
    while hi + 1 in inside:
        hi += 1
    return int(lo), int(hi)
