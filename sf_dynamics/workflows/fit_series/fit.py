"""The global fit of a fluence series: :class:`FluenceSeriesFit` and its wrapper :func:`fit_fluence_series`.

All traces are fitted at once (see :mod:`sf_dynamics.workflows.fit_series`). The integer domain size N_c
is profiled: at each N_c lmfit fits the continuous parameters (warm-started from the neighbouring N_c),
the profile deviance D(N_c) is walked outward from its minimum, and the intervals and the verdict are read
from that profile.
"""

from __future__ import annotations

import time
import warnings

import numpy as np

from ..._validation import check_positive_int, check_real, check_real_array
from ...analysis.fitting import GOODNESS_ALPHA, FitQualityWarning, deviance_residuals, deviance_test
from .alternatives import no_sf_alternatives
from .arguments import (
    MIN_GRID_POINTS,
    MIN_POINTS,
    check_background,
    check_domain_sizes,
    check_fit_options,
    check_flag,
    check_parameter_dict,
)
from .forward_model import T0_LEAD, DomainCache, record, simulation_grid
from .progress import ProfileProgress, coarse_grid, estimate_run_time, walk_estimate
from .reading import read_series
from .result import SeriesFit, UndeterminedFitError, domain_size_interval, excess_deviance, union_interval
from .starting import derived, guesses, probabilities_of, share_guess

__all__ = ["PARAMETERS", "WALK_STOP", "DEFAULT_DOMAIN_SIZES", "FluenceSeriesFit", "fit_fluence_series"]

#: continuous parameters of the model, in the order of the fit
PARAMETERS = ("collective_share", "dephasing", "coupled_fraction", "amplitude", "t0", "irf_fwhm", "background",
              "radiative_rate")
#: profile deviance above its minimum where the walk in N_c stops (beyond the 99.7 % level of 9)
WALK_STOP = 10.0
#: first step of the walk in N_c relative to the best N_c (steps of 1 below N_c = 60): the profile's 68 %
#: interval spans ~+-5 % of N_c even for four traces of ~10^3 counts per bin (benchmarks/bench_fit.py, N_c = 400),
#: so steps of 2.5 % growing 1.4x resolve it with a few fits on each side
WALK_RELATIVE_STEP = 0.025
#: the default search range of N_c, reaching the coherent domains of 10^2-10^3 NCs expected in superlattices:
#: 200 s on a 2-core machine for four traces of 800 bins (2-60: 7 s; benchmarks/bench_fit.py; a model evaluation
#: costs ~0.06 s at N_c = 200, ~0.3 s at 400, ~2 s at 1000; the run-time estimate printed with ``progress=True``
#: says what a range costs)
DEFAULT_DOMAIN_SIZES = (2, 1000)
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
    estimate : dict or None
        The run-time estimate made before the profile (with ``progress``;
        :func:`~sf_dynamics.workflows.fit_series.progress.estimate_run_time`).
    elapsed : float or None
        Seconds the profile took.

    Raises
    ------
    ValueError
        For a bad statistic, non-counts with ``statistic="poisson"``, traces without a positive sample, a bad
        ``domain_sizes``, unknown parameter names, both ``irf`` and ``irf_fwhm``, a bad measured IRF, fixed
        values outside their ranges, or a fixed ``collective_decay`` without a fixed radiative rate.
    """

    def __init__(self, times, data, probabilities, *, fluences=None, radiative_lifetime_ps=210.0, irf_fwhm=None,
                 irf=None, background="auto", fixed=None, p0=None, domain_sizes=DEFAULT_DOMAIN_SIZES,
                 statistic="auto", points=600, progress=False):
        if statistic not in ("auto", "poisson", "least_squares"):
            raise ValueError(f"statistic must be 'auto', 'poisson' or 'least_squares', got {statistic!r}")
        integers = bool(np.all(data == np.round(data)))
        counts = integers and bool(np.all(data >= 0))
        if statistic == "poisson" and not counts:
            raise ValueError("statistic='poisson' needs photon counts: non-negative integers in every trace")
        if statistic == "auto" and integers and not counts:
            raise ValueError(f"traces: the samples are integers but {int(np.sum(data < 0))} are negative (smallest "
                             f"{float(np.min(data)):g}): not photon counts, so the Poisson likelihood integer data get "
                             "by default does not apply; give statistic='least_squares' (for background-subtracted "
                             "counts, better fit the raw counts with background=True)")
        poisson = counts if statistic == "auto" else statistic == "poisson"
        if not np.any(data > 0):
            raise ValueError("traces hold no positive sample: there is no emission to fit")
        lo_n, hi_n = check_domain_sizes(domain_sizes)
        fixed = check_parameter_dict("fixed", fixed, USER_PARAMETERS)
        p0 = check_parameter_dict("p0", p0, USER_PARAMETERS)
        background, progress = check_background(background), check_flag("progress", progress)
        points = check_positive_int("points", points, minimum=MIN_POINTS)
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
        guess = guesses(times, data, probabilities, rate0)
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
        for name, value in p0.items():     # a start outside its range would be moved into it without a word
            lo, hi = (0.0, np.inf) if name == "collective_decay" else bounds[name]
            check_real(f"p0[{name!r}]", value, low=lo, high=hi if np.isfinite(hi) else None)
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
        self.reporter, self.estimate, self.elapsed = ProfileProgress(False, 0), None, None

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

    def start_values(self, n, previous, hold=None):
        """Starting values at domain size ``n``: from the data's guesses, or warm from ``previous`` = (N_c, best).

        Parameters
        ----------
        n : int
            Domain size.
        previous : (int, dict) or None
            A neighbouring N_c and its best values; None for the first fit.
        hold : dict, optional
            Further parameters held at given values (a no-SF alternative).

        Returns
        -------
        dict
            A value for every continuous parameter.
        """
        fixed, p0 = {**self.fixed, **(hold or {})}, self.p0
        if previous is None:
            guess = self.guess
            values = {"collective_share": share_guess(n, guess), "dephasing": guess["rate"],
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
        values.update(hold or {})
        return values

    # -- the likelihood profile over N_c --------------------------------------------------------------------
    def fit_at(self, n, previous, hold=None, report=True):
        """Fit the continuous parameters at domain size ``n``.

        Parameters
        ----------
        n : int
            Domain size.
        previous : (int, dict) or None
            Warm start (see :meth:`start_values`).
        hold : dict, optional
            Further parameters held at given values (a no-SF alternative: ``collective_share=0`` ...).
        report : bool
            Report the point to the progress display (profile points; not the alternatives).

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

        values = self.start_values(n, previous, hold)
        fixed = {**self.fixed, **(hold or {})}
        params = lmfit.Parameters()
        for name in self.active:
            lo, hi = self.bounds[name]
            if name in fixed:
                params.add(name, value=float(fixed[name]), vary=False)
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
        best = derived(n, best, sigma)
        if report:
            self.reporter.point(n, dev)
        return dev, best, out

    def excess(self, dev, d_min):
        """Profile deviance above ``d_min`` in units of one sigma^2 (see :func:`.result.excess_deviance`)."""
        return excess_deviance(dev, d_min, self.poisson, self.dof)

    def profile(self, grid_points=7):
        """Fit a coarse geometric grid of N_c, warm-started upward, then walk around the best.

        The walk starts towards the grid neighbour that fits better (where the minimum lies), then alternates.

        With ``progress`` the run time is estimated first and printed, each point is reported with its
        deviance, the walk's time is estimated after the grid, and the total is printed at the end (stderr).

        Parameters
        ----------
        grid_points : int
            Points of the coarse grid, an integer >= 3.

        Returns
        -------
        dict
            :attr:`results`, N_c -> (deviance, best values, lmfit result).
        """
        grid = coarse_grid(self.domain_sizes, check_positive_int("grid_points", grid_points, minimum=MIN_GRID_POINTS))
        self.estimate = estimate_run_time(self, grid) if self.progress else None
        self.reporter = ProfileProgress(self.progress, self.estimate["fits"] if self.estimate else len(grid))
        if self.estimate:
            self.reporter.message(self.estimate["text"])
        try:
            previous, seconds = None, {}
            for n in grid:
                start = time.perf_counter()
                self.results[int(n)] = self.fit_at(int(n), previous)
                previous, seconds[int(n)] = (int(n), self.results[int(n)][1]), time.perf_counter() - start
            if self.estimate:
                self.reporter.message(walk_estimate(self, grid, seconds))
            first = self._downhill(grid)
            for direction in (first, -first, first, -first):
                self._walk(direction)
        finally:
            self.elapsed = self.reporter.close()
        if self.estimate:
            self.reporter.message(f"N_c profile: {len(self.results)} points in {self.elapsed:.0f} s (estimated "
                                  f"{self.estimate['seconds']:.0f} s)")
        return self.results

    def _downhill(self, grid):
        """+1 or -1: the side of the best coarse-grid N_c whose neighbour fits better (where the minimum lies)."""
        sizes = [int(n) for n in grid]
        best = min(range(len(sizes)), key=lambda i: self.results[sizes[i]][0])
        below = self.results[sizes[best - 1]][0] if best > 0 else np.inf
        above = self.results[sizes[best + 1]][0] if best + 1 < len(sizes) else np.inf
        return +1 if above < below else -1

    def _walk(self, direction):
        """Fit N_c outward from the best one until the excess passes WALK_STOP.

        Offsets grow geometrically (1.4x) from a first step of 1 or :data:`WALK_RELATIVE_STEP` of the best N_c,
        whichever is larger (the profile is smooth on the scale of N_c itself: integer steps at N_c ~ 400 cost
        a fit each and resolve nothing). When a better N_c turns up, the walk continues from it with the stride
        it had reached, one longer (a descent, not a restart at 1); the passes of :meth:`profile` in both
        directions then fill in around the final best.
        """
        results = self.results
        lo_n, hi_n = self.domain_sizes
        stride = 0
        while True:
            best_n = min(results, key=lambda m: results[m][0])
            d_min = results[best_n][0]
            first = max(1, int(round(WALK_RELATIVE_STEP * best_n)))
            offsets = np.unique(np.round(first * 1.4 ** np.arange(40)).astype(int))
            for index in range(stride, offsets.size):
                n = best_n + direction * int(offsets[index])
                if n < lo_n or n > hi_n:
                    return
                if n not in results:
                    results[n] = self.fit_at(n, (best_n, results[best_n][1]))
                if min(results, key=lambda m: results[m][0]) != best_n:
                    stride = index + 1                # a better N_c: walk on from it, one stride longer
                    break
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

    def verdict(self, estimates, alternatives):
        """The fit's verdict: no SF detected, undetermined, poor or good, with the tests it rests on.

        Parameters
        ----------
        estimates : dict
            From :meth:`estimates`.
        alternatives : dict
            From :func:`~sf_dynamics.workflows.fit_series.alternatives.no_sf_alternatives`.

        Returns
        -------
        dict
            ``verdict`` ("no SF detected": a no-SF alternative is not rejected, N_c is not reported;
            "undetermined": the data do not determine a parameter; "poor": the goodness-of-fit test fails;
            "good"), ``problems`` (sentences: the alternatives not rejected, the goodness of fit, the
            undetermined parameters), ``undetermined`` (those alone: a flat N_c profile, an N_c interval at a
            search bound, an error that could not be estimated or exceeds its value), ``p_value`` and ``test``
            (the goodness-of-fit test of the SF fit) and ``note`` (what the verdict rests on).
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
        p_value, test = None, "none: least squares without a noise model"
        if self.poisson:
            p_value, z = deviance_test(estimates["model"], estimates["deviance"], self.flat.size - self.dof)
            test = (f"deviance {estimates['deviance']:.1f} on {self.dof} degrees of freedom (reduced {reduced:.3g}), "
                    f"{z:+.1f} standard deviations from what counting statistics give: p = {p_value:.3g}")
            if p_value < GOODNESS_ALPHA:
                problems.append(f"{test} < {GOODNESS_ALPHA:g}: the model does not describe the data")
        kept = [key for key in ("shared_shape", "independent") if not alternatives[key]["rejected"]]
        refusal = [f"no SF detected: {e['description']} is not rejected ({e['statistic_name']} {e['statistic']:.1f} on "
                   f"{e['test_dof']} degrees of freedom against {e['against']}: p = {e['p_value']:.3g} >= "
                   f"{alternatives['alpha']:g})" for e in (alternatives[key] for key in kept)]
        if kept:
            verdict = "no SF detected"
            note = (f"{alternatives['criterion']}; not rejected: " + ", ".join(kept) + "; N_c is not reported")
        else:
            verdict = "undetermined" if undetermined else ("poor" if problems else "good")
            shape, indep = alternatives["shared_shape"]["p_value"], alternatives["independent"]["p_value"]
            note = (f"both no-SF alternatives rejected (shared shape p = {shape:.3g}, independent emitters p = "
                    f"{indep:.3g} < {alternatives['alpha']:g}); goodness of fit: {test}")
        return {"verdict": verdict, "problems": refusal + problems + undetermined, "undetermined": undetermined,
                "p_value": p_value, "test": test, "note": note}

    def result(self, estimates, quality, alternatives):
        """The :class:`~sf_dynamics.workflows.fit_series.result.SeriesFit` of the estimates, verdict and alternatives.

        With no SF detected, N_c and its interval are not reported (None), the parameters of the SF model
        (collective decay and share, collective rate, dephasing, T2, coupled fraction) are NaN, and the
        instrument parameters and the model are those of the accepted alternative: the independent emitters
        when they are not rejected, else the fluence-independent shape (which has no such parameters: NaN).

        Parameters
        ----------
        estimates : dict
            From :meth:`estimates`.
        quality : dict
            From :meth:`verdict`.
        alternatives : dict
            From :func:`~sf_dynamics.workflows.fit_series.alternatives.no_sf_alternatives`.

        Returns
        -------
        SeriesFit
        """
        params, errors, model = dict(estimates["params"]), dict(estimates["errors"]), estimates["model"]
        interval = estimates["interval"]
        if quality["verdict"] == "no SF detected":
            accepted = "independent" if not alternatives["independent"]["rejected"] else "shared_shape"
            chosen = alternatives[accepted]
            params = {name: self.fixed.get(name, float("nan")) for name in params}
            errors = {name: 0.0 if name in self.fixed else float("nan") for name in errors}
            params["domain_size"], interval, model = None, None, chosen["model"]
            for name, value in chosen.get("values", {}).items():
                params[name] = value
                errors[name] = 0.0 if name in self.fixed else chosen["errors"][name]
            quality = dict(quality, accepted=accepted)
        return SeriesFit(params=params, errors=errors, domain_interval=interval,
                         profile=estimates["profile"], probabilities=self.probabilities, times=self.times,
                         data=self.data, model=model, fluences=self.fluences, deviance=estimates["deviance"],
                         dof=self.dof, statistic="poisson" if self.poisson else "least_squares", quality=quality,
                         fixed={name: estimates["params"][name] for name in estimates["fixed"] if name in params},
                         lmfit_result=estimates["lmfit_result"], alternatives=alternatives)


def fit_fluence_series(traces, fluences=None, *, probabilities=None, cross_section_cm2=None, photon_energy_eV=3.1,
                       radiative_lifetime_ps=210.0, irf_fwhm=None, irf=None, background="auto", fixed=None,
                       p0=None, domain_sizes=DEFAULT_DOMAIN_SIZES, grid_points=7, statistic="auto", points=600,
                       time_unit_ps=None, allow_undetermined=False, progress=False):
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
        Search range of the domain size N_c, 2 <= low < high; default :data:`DEFAULT_DOMAIN_SIZES` (2, 1000),
        ~200 s on a 2-core machine for four traces of 800 bins, (2, 60) ~7 s (a model evaluation grows with N_c:
        ~0.06 s at 200, ~0.3 s at 400; benchmarks/bench_fit.py).
    grid_points : int
        Coarse grid of N_c (geometric) before the walk around the best one; an integer >= 3.
    statistic : {"auto", "poisson", "least_squares"}
        "poisson" for photon counts (non-negative integers; "auto" picks it for such data).
    points : int
        Simulation grid points over the record (resolution of the model before the IRF); an integer >= 20.
    time_unit_ps : float, optional
        Picoseconds per time unit of the traces (finite, > 0; 1000 for ns): of the files (default the unit
        their header names, else ps) and of given time arrays (default ps).
    allow_undetermined : bool
        Return an undetermined fit (verdict "undetermined", a warning) instead of raising.
    progress : bool
        Before the fit, print its estimated run time (one model evaluation timed at each coarse-grid N_c times
        the evaluations planned) and how to widen the N_c search; then report each N_c as it is fitted with
        its deviance (a tqdm bar on a terminal, a line per point otherwise; on stderr).

    Returns
    -------
    SeriesFit
        Its ``alternatives`` hold the two no-SF alternatives and their tests
        (:mod:`~sf_dynamics.workflows.fit_series.alternatives`). When either is not rejected at p < 1e-3 the
        verdict is "no SF detected": the result is returned (with a :class:`FitQualityWarning` giving the
        numbers) but N_c is not reported (``params["domain_size"]`` is None, ``domain_interval`` None, the SF
        parameters NaN, :meth:`SeriesFit.interval` raises), and ``model`` is the accepted alternative's. A
        finding about the data, not a failure of the fit: the numbers are the answer and the command line
        writes them.

    Raises
    ------
    ValueError
        For traces that do not form a series (see :func:`read_series`), a number of fluences or probabilities
        unlike the number of traces, probabilities outside [0, 1], bad ranges or unknown parameter names,
        integer traces with a negative sample and ``statistic="auto"``, or an option out of its range
        (:mod:`~sf_dynamics.workflows.fit_series.arguments`: ``grid_points`` and ``points`` integers >= 3 and
        >= 20, ``time_unit_ps`` finite > 0, flags True or False, ``background`` True, False or "auto").
    UndeterminedFitError
        When the data cannot determine N_c (flat profile, or its interval reaches the upper search bound) or a
        varied parameter (no finite error), unless ``allow_undetermined``.
    """
    checked = check_fit_options(grid_points=grid_points, points=points, time_unit_ps=time_unit_ps,
                                allow_undetermined=allow_undetermined, progress=progress,
                                photon_energy_eV=photon_energy_eV)
    grid_points, allow_undetermined = checked["grid_points"], checked["allow_undetermined"]
    times, data = read_series(traces, time_unit_ps=checked.get("time_unit_ps"))
    fl, prob = probabilities_of(data.shape[0], fluences, probabilities, cross_section_cm2, photon_energy_eV)
    series = FluenceSeriesFit(times, data, prob, fluences=fl, radiative_lifetime_ps=radiative_lifetime_ps,
                              irf_fwhm=irf_fwhm, irf=irf, background=background, fixed=fixed, p0=p0,
                              domain_sizes=domain_sizes, statistic=statistic, points=points, progress=progress)
    series.profile(grid_points)
    estimates = series.estimates()
    alternatives = no_sf_alternatives(series, estimates)
    quality = series.verdict(estimates, alternatives)
    fit = series.result(estimates, quality, alternatives)
    if quality["verdict"] == "undetermined" and not allow_undetermined:
        raise UndeterminedFitError("the series does not determine the fit: " + "; ".join(quality["undetermined"]))
    if quality["problems"]:
        warnings.warn("fit_fluence_series: " + "; ".join(quality["problems"]), FitQualityWarning, stacklevel=2)
    return fit
