"""The global fit of a fluence series: :class:`FluenceSeriesFit` and its wrapper :func:`fit_fluence_series`.

All traces are fitted at once (see :mod:`sf_dynamics.workflows.fit_series`). The integer domain size N_c
is profiled: at each N_c lmfit fits the continuous parameters (warm-started from the neighbouring N_c),
the profile deviance D(N_c) is walked outward from its minimum, and the intervals and the verdict are read
from that profile.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from ..._validation import check_real, check_real_array
from ...analysis.fitting import GOODNESS_ALPHA, FitQualityWarning, deviance_residuals, deviance_test
from ..fluence import excitation_probability
from .forward_model import T0_LEAD, DomainCache, record, simulation_grid
from .reading import read_series
from .result import SeriesFit, UndeterminedFitError, domain_size_interval, excess_deviance, union_interval

__all__ = ["PARAMETERS", "WALK_STOP", "FluenceSeriesFit", "fit_fluence_series"]

#: continuous parameters of the model, in the order of the fit
PARAMETERS = ("collective_share", "dephasing", "coupled_fraction", "amplitude", "t0", "irf_fwhm", "background",
              "radiative_rate")
#: profile deviance above its minimum where the walk in N_c stops (beyond the 99.7 % level of 9)
WALK_STOP = 10.0
#: the names a user may fix or start (``collective_decay`` is fitted as ``collective_share``)
USER_PARAMETERS = ("collective_decay", "dephasing", "coupled_fraction", "amplitude", "t0", "irf_fwhm", "background",
                   "radiative_rate")


class FluenceSeriesFit:
    """The global fit of one fluence series: model evaluation, the profile over N_c, intervals and verdict.

    The constructor checks the options and sets up the fit (statistic, bounds, fixed parameters, starting
    guesses, the cache of domain solves); :meth:`profile` fits every N_c it needs, :meth:`estimates` reads
    the best values and their intervals from the profile, :meth:`verdict` judges them and :meth:`result`
    assembles the :class:`~sf_dynamics.workflows.fit_series.result.SeriesFit`.
    :func:`fit_fluence_series` runs these steps in that order.

    Parameters
    ----------
    times : ndarray, shape (nt,)
        Equally spaced detector times (ps) (:func:`~sf_dynamics.workflows.fit_series.reading.read_series`).
    data : ndarray, shape (k, nt)
        The measured traces.
    probabilities : ndarray, shape (k,)
        Excitation probability per NC of each trace, in [0, 1].
    fluences : ndarray or None
        Pump fluences (uJ/cm^2) of the traces, kept for the result.
    radiative_lifetime_ps, irf_fwhm, irf, background, fixed, p0, domain_sizes, statistic, points, progress
        As in :func:`fit_fluence_series`.

    Attributes
    ----------
    poisson : bool
        Fit by Poisson likelihood (else least squares).
    fixed, bounds : dict
        Parameters held fixed (in the fit's names) and the bounds of every parameter.
    active : list of str
        The continuous parameters of the fit (``irf_fwhm`` only without a measured IRF).
    dof : int
        Degrees of freedom (samples minus varied parameters and N_c).
    results : dict
        N_c -> (deviance, best values with ``*_sigma`` errors, lmfit result), filled by :meth:`profile`.

    Raises
    ------
    ValueError
        For a bad statistic, non-counts with ``statistic="poisson"``, traces without a positive sample, a bad
        ``domain_sizes``, unknown parameter names, both ``irf`` and ``irf_fwhm``, a bad measured IRF, fixed
        values outside their ranges, or a fixed ``collective_decay`` without a fixed radiative rate.
    """

    def __init__(self, times, data, probabilities, *, fluences=None, radiative_lifetime_ps=210.0, irf_fwhm=None,
                 irf=None, background="auto", fixed=None, p0=None, domain_sizes=(2, 200), statistic="auto",
                 points=600, progress=False):
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
            raise ValueError(f"domain_sizes must be a pair (low, high) of integers >= 2, got {domain_sizes!r}"
                             ) from None
        if hi_n <= lo_n:
            raise ValueError(f"domain_sizes must have low < high, got {domain_sizes!r}")
        fixed = dict(fixed or {})
        p0 = dict(p0 or {})
        for name in list(fixed) + list(p0):
            if name not in USER_PARAMETERS:
                raise ValueError(f"unknown parameter {name!r}; the model has {USER_PARAMETERS}")
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
        guess = _guesses(times, data, probabilities, rate0)
        if background == "auto":       # dark counts before the rise: fit them, else hold the background at 0
            early = data[:, times < guess["t0"] - 3.0 * step]
            background = bool(early.size and early.mean() > 0)
        if not background:
            fixed.setdefault("background", 0.0)
        bounds = {"collective_share": (0.0, 1.0), "dephasing": (0.0, 10.0 / step), "coupled_fraction": (0.0, 1.0),
                  "amplitude": (0.0, np.inf), "t0": (float(times[0]) - T0_LEAD * span, float(times[-1])),
                  "irf_fwhm": (0.25 * step, T0_LEAD * span), "background": (0.0, np.inf),
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
        self.times, self.data, self.probabilities, self.fluences = times, data, probabilities, fluences
        self.poisson, self.domain_sizes, self.irf, self.progress = poisson, (lo_n, hi_n), irf, progress
        self.fixed, self.p0, self.bounds, self.rate0, self.guess = fixed, p0, bounds, rate0, guess
        self.active = [name for name in PARAMETERS if not (name == "irf_fwhm" and irf is not None)]
        self.cache = DomainCache(simulation_grid(times, points, bounds["t0"][0], bounds["irf_fwhm"][1], irf),
                                 probabilities)
        self.flat = data.ravel()
        self.scale = float(np.max(data))
        n_varied = sum(1 for name in self.active if name not in fixed) + 1
        self.dof = max(self.flat.size - n_varied, 1)
        self.results = {}

    # -- the model ------------------------------------------------------------------------------------------
    def record(self, n, values):
        """The model of every trace at domain size ``n`` and parameter ``values`` (counts, shape (k, nt))."""
        return record(self.cache, n, values, self.times, self.irf)

    def residual(self, n):
        """The residual function of lmfit at domain size ``n``: deviance residuals or scaled differences."""
        def residual(params):
            mu = self.record(n, params.valuesdict()).ravel()
            if self.poisson:
                return -deviance_residuals(mu, self.flat)
            return (mu - self.flat) / self.scale
        return residual

    def start_values(self, n, previous):
        """Starting values at domain size ``n``: from the data's guesses, or warm from ``previous`` = (N_c, best).

        Parameters
        ----------
        n : int
            Domain size.
        previous : (int, dict) or None
            A neighbouring N_c and its best values; None for the first fit.

        Returns
        -------
        dict
            A value for every continuous parameter.
        """
        fixed, p0 = self.fixed, self.p0
        if previous is None:
            guess = self.guess
            values = {"collective_share": _share_guess(n, guess), "dephasing": guess["rate"],
                      "coupled_fraction": 0.5, "amplitude": 1.0, "t0": guess["t0"], "irf_fwhm": guess["irf_fwhm"],
                      "background": guess["background"], "radiative_rate": self.rate0}
            values.update(p0)
            values.update(fixed)
            if "amplitude" not in p0 and "amplitude" not in fixed:     # a linear first guess of the amplitude
                shape = self.record(n, dict(values, amplitude=1.0, background=0.0))
                values["amplitude"] = max(float(np.sum(self.data - values["background"]) / max(shape.sum(), 1e-300)),
                                          1e-300)
            return values
        n_prev, values = previous
        values = dict(values)
        if "collective_share" not in fixed:   # keep N Gamma_c: the burst's time scale
            values["collective_share"] = float(np.clip(values["collective_share"] * n_prev / n, 1e-6, 1.0))
        return values

    # -- the likelihood profile over N_c --------------------------------------------------------------------
    def fit_at(self, n, previous):
        """Fit the continuous parameters at domain size ``n``.

        Parameters
        ----------
        n : int
            Domain size.
        previous : (int, dict) or None
            Warm start (see :meth:`start_values`).

        Returns
        -------
        deviance : float
            Sum of squared residuals (the Poisson deviance, or scaled least squares).
        best : dict
            Best values, their one-sigma errors (``*_sigma``) and the derived ``collective_decay``,
            ``collective_rate`` and ``t2``.
        out : lmfit.minimizer.MinimizerResult
        """
        import lmfit

        values = self.start_values(n, previous)
        params = lmfit.Parameters()
        for name in self.active:
            lo, hi = self.bounds[name]
            if name in self.fixed:
                params.add(name, value=float(self.fixed[name]), vary=False)
            else:
                params.add(name, value=float(np.clip(values[name], lo, hi)), min=lo, max=hi)
        minimizer = lmfit.Minimizer(self.residual(n), params, scale_covar=not self.poisson, nan_policy="raise")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            out = minimizer.minimize(method="least_squares", max_nfev=400)
        best = {name: float(out.params[name].value) for name in self.active}
        if self.irf is not None:
            best["irf_fwhm"] = float("nan")
        dev = float(np.sum(np.asarray(out.residual) ** 2))
        sigma = {}
        for name in self.active:
            err = out.params[name].stderr if out.params[name].vary else 0.0
            sigma[name] = float(err) if err is not None and np.isfinite(err) else float("nan")
        if self.irf is not None:
            sigma["irf_fwhm"] = 0.0
        best = _derived(n, best, sigma)
        if self.progress:
            print(f"N_c = {n}: deviance {dev:.2f}", flush=True)
        return dev, best, out

    def excess(self, dev, d_min):
        """Profile deviance above ``d_min`` in units of one sigma^2 (see :func:`.result.excess_deviance`)."""
        return excess_deviance(dev, d_min, self.poisson, self.dof)

    def profile(self, grid_points=7):
        """Fit a coarse geometric grid of N_c, warm-started upward, then walk the integers around the best.

        Parameters
        ----------
        grid_points : int
            Points of the coarse grid (at least 3 are used).

        Returns
        -------
        dict
            :attr:`results`, N_c -> (deviance, best values, lmfit result).
        """
        lo_n, hi_n = self.domain_sizes
        grid = np.unique(np.round(np.geomspace(lo_n, hi_n, max(int(grid_points), 3))).astype(int))
        previous = None
        for n in grid:
            self.results[int(n)] = self.fit_at(int(n), previous)
            previous = (int(n), self.results[int(n)][1])
        self._walk(-1)
        self._walk(+1)
        self._walk(-1)
        return self.results

    def _walk(self, direction):
        """Fit N_c outward from the best one (steps 1, 2, 3, 4, 5, 8, ...) until the excess passes WALK_STOP."""
        results = self.results
        lo_n, hi_n = self.domain_sizes
        offsets = np.unique(np.round(1.4 ** np.arange(40)).astype(int))
        while True:
            best_n = min(results, key=lambda m: results[m][0])
            d_min = results[best_n][0]
            for off in offsets:
                n = best_n + direction * int(off)
                if n < lo_n or n > hi_n:
                    return
                if n not in results:
                    results[n] = self.fit_at(n, (best_n, results[best_n][1]))
                if min(results, key=lambda m: results[m][0]) != best_n:
                    break                             # a better N_c: walk again from it
                if self.excess(results[n][0], d_min) > WALK_STOP:
                    return
            else:
                return

    # -- intervals and verdict ------------------------------------------------------------------------------
    def estimates(self):
        """Best values and errors from the profile: N_c with its 68 % interval, the continuous parameters.

        The errors of the continuous parameters combine the quadratic interval at each N_c with the spread of
        their best values over the N_c within the 68 % level (:func:`.result.union_interval`).

        Returns
        -------
        dict
            ``n_best``, ``deviance`` (its minimum), ``best`` (values at the best N_c), ``lmfit_result``,
            ``interval`` (of N_c), ``profile`` (the table of :attr:`SeriesFit.profile`), ``params``,
            ``errors`` and ``fixed`` (with ``collective_decay`` when the share was fixed).
        """
        results = self.results
        sizes = np.array(sorted(results))
        devs = np.array([results[m][0] for m in sizes])
        n_best = int(sizes[np.argmin(devs)])
        dev_min, best, out = results[n_best]
        excess = self.excess(devs, dev_min)
        interval = domain_size_interval(sizes, excess, n_best)
        names = [name for name in best if not name.endswith("_sigma")]
        profile = {"domain_size": sizes, "deviance": devs, "excess": excess,
                   **{name: np.array([results[m][1][name] for m in sizes]) for name in names},
                   **{f"{name}_sigma": np.array([results[m][1][f"{name}_sigma"] for m in sizes]) for name in names}}
        params = {"domain_size": n_best, **{name: best[name] for name in names}}
        fixed = dict(self.fixed)
        errors = {}
        for name in names:
            lo, hi = union_interval(profile[name], profile[f"{name}_sigma"], excess, 1.0)
            errors[name] = 0.0 if name in fixed else (hi - lo) / 2.0
        if self.irf is not None:
            errors["irf_fwhm"] = 0.0
        if "collective_share" in fixed:
            fixed["collective_decay"] = params["collective_decay"]
        return {"n_best": n_best, "deviance": dev_min, "best": best, "lmfit_result": out, "interval": interval,
                "profile": profile, "params": params, "errors": errors, "fixed": fixed,
                "model": self.record(n_best, best)}

    def verdict(self, estimates):
        """What the fit cannot determine, and other problems.

        Parameters
        ----------
        estimates : dict
            From :meth:`estimates`.

        Returns
        -------
        problems : list of str
            Every problem (a poor reduced deviance, then the undetermined ones).
        undetermined : list of str
            Parameters the data do not determine, and why: a flat N_c profile, an N_c interval at a search
            bound, an error that could not be estimated or exceeds its value.
        """
        lo_n, hi_n = self.domain_sizes
        fixed, errors, params = self.fixed, estimates["errors"], estimates["params"]
        excess, sizes = estimates["profile"]["excess"], estimates["profile"]["domain_size"]
        interval = estimates["interval"]
        problems, undetermined = [], []
        if np.ptp(excess) < 1.0:
            undetermined.append(f"domain_size: the profile deviance changes by {np.ptp(excess):.2g} < 1 over N_c = "
                                f"{sizes.min()}-{sizes.max()}; the data do not fix the domain size (fix "
                                "collective_decay or add fluences above threshold)")
        elif interval[1] >= hi_n:
            undetermined.append(f"domain_size: its 68 % interval reaches the upper search bound {hi_n} "
                                "(raise domain_sizes, or the data cannot bound N_c from above)")
        elif interval[0] <= lo_n and lo_n > 2:
            undetermined.append(f"domain_size: its 68 % interval reaches the lower search bound {lo_n} (lower it)")
        for name in self.active:
            if name not in fixed and name != "background" and not np.isfinite(errors[name]):
                undetermined.append(f"{name}: its error could not be estimated (the data do not constrain it)")
        for name in ("collective_share", "coupled_fraction", "amplitude"):
            if name not in fixed and np.isfinite(errors[name]) and errors[name] > abs(params[name]):
                undetermined.append(f"{name} = {params[name]:.3g} +- {errors[name]:.2g}: the error exceeds the "
                                    "value")
        reduced = estimates["deviance"] / self.dof
        if self.poisson:
            p_value, z = deviance_test(estimates["model"], estimates["deviance"], self.flat.size - self.dof)
            estimates["p_value"] = p_value
            if p_value < GOODNESS_ALPHA:
                problems.append(f"deviance {estimates['deviance']:.1f} on {self.dof} degrees of freedom (reduced "
                                f"{reduced:.3g}) lies {z:.1f} standard deviations above what counting statistics "
                                f"give (p = {p_value:.2g} < {GOODNESS_ALPHA:g}): the model does not describe the "
                                "data")
        problems += undetermined
        return problems, undetermined

    def result(self, estimates, problems, undetermined):
        """The :class:`~sf_dynamics.workflows.fit_series.result.SeriesFit` of :meth:`estimates` and :meth:`verdict`.

        Parameters
        ----------
        estimates : dict
            From :meth:`estimates`.
        problems, undetermined : list of str
            From :meth:`verdict`.

        Returns
        -------
        SeriesFit
        """
        params = estimates["params"]
        verdict = "undetermined" if undetermined else ("poor" if problems else "good")
        model = estimates["model"]
        return SeriesFit(params=params, errors=estimates["errors"], domain_interval=estimates["interval"],
                         profile=estimates["profile"], probabilities=self.probabilities, times=self.times,
                         data=self.data, model=model, fluences=self.fluences, deviance=estimates["deviance"],
                         dof=self.dof, statistic="poisson" if self.poisson else "least_squares",
                         quality={"verdict": verdict, "problems": problems, "p_value": estimates.get("p_value")},
                         fixed={name: params[name] for name in estimates["fixed"] if name in params},
                         lmfit_result=estimates["lmfit_result"])


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
    times, data = read_series(traces, time_unit_ps=time_unit_ps)
    fl, prob = _probabilities(data.shape[0], fluences, probabilities, cross_section_cm2, photon_energy_eV)
    series = FluenceSeriesFit(times, data, prob, fluences=fl, radiative_lifetime_ps=radiative_lifetime_ps,
                              irf_fwhm=irf_fwhm, irf=irf, background=background, fixed=fixed, p0=p0,
                              domain_sizes=domain_sizes, statistic=statistic, points=points, progress=progress)
    series.profile(grid_points)
    estimates = series.estimates()
    problems, undetermined = series.verdict(estimates)
    fit = series.result(estimates, problems, undetermined)
    if undetermined and not allow_undetermined:
        raise UndeterminedFitError("the series does not determine the fit: " + "; ".join(undetermined))
    if problems:
        warnings.warn("fit_fluence_series: " + "; ".join(problems), FitQualityWarning, stacklevel=2)
    return fit


def _probabilities(k, fluences, probabilities, cross_section_cm2, photon_energy_eV):
    """(fluences or None, excitation probability per NC) of ``k`` traces, from fluences or given directly."""
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
    return fl, prob


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
