"""The outcome of a fluence-series fit (:class:`SeriesFit`) and the profile-likelihood intervals it reads."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["PARAMETER_UNITS", "SeriesFit", "UndeterminedFitError", "excess_deviance", "domain_size_interval",
           "union_interval"]

#: the unit of each parameter of a series fit (written beside the values in parameters.json and summaries)
PARAMETER_UNITS = {
    "domain_size": "NCs per coherent domain", "collective_decay": "1/ps", "collective_share": "1",
    "collective_rate": "1/ps", "dephasing": "1/ps", "t2": "ps", "coupled_fraction": "1",
    "amplitude": "counts per bin per (photon/ps) per NC", "t0": "ps", "irf_fwhm": "ps",
    "background": "counts per bin", "radiative_rate": "1/ps",
}


class UndeterminedFitError(ValueError):
    """The data cannot determine a parameter of the fit (the message names it and says why)."""


@dataclass
class SeriesFit:
    """Outcome of :func:`fit_fluence_series`.

    Attributes
    ----------
    params : dict
        Best values: ``domain_size`` N_c (integer; None when no SF is detected), ``collective_decay`` Gamma_c (1/ps),
        ``collective_share`` Gamma_c / Gamma_1, ``collective_rate`` N_c Gamma_c (1/ps, the superradiant rate of
        a fully inverted domain), ``dephasing`` gamma_phi (1/ps), ``t2`` = 1 / (Gamma_1 / 2 + gamma_phi) (ps),
        ``coupled_fraction``, ``amplitude``, ``t0`` (ps), ``irf_fwhm`` (ps; NaN with a measured IRF),
        ``background``, ``radiative_rate`` Gamma_1 (1/ps).
    errors : dict
        One-sigma errors (0 for fixed parameters); ``domain_size`` has none, see ``domain_interval``.
    domain_interval : (int, int) or None
        The 68 % profile-likelihood interval of N_c (D - D_min <= 1); None when no SF is detected.
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
        ``verdict`` ("good", "poor", "undetermined" or "no SF detected"), ``problems`` (sentences), ``note``
        (what the verdict rests on), ``p_value`` and ``test`` (the SF fit's goodness of fit), ``undetermined``;
        with no SF detected also ``accepted`` (the alternative whose parameters and model the result holds).
    fixed : dict
        Parameters held fixed and their values.
    lmfit_result : lmfit.minimizer.MinimizerResult
        The fit at the best N_c.
    alternatives : dict
        The no-SF alternatives and their tests (:func:`~sf_dynamics.workflows.fit_series.alternatives.
        no_sf_alternatives`): ``shared_shape`` (one fluence-independent shape) and ``independent`` (Gamma_c = 0),
        each with ``deviance``, ``parameters``, ``dof``, ``p_value``, ``rejected``, ``aic``, ``test`` and
        ``model``; ``sf`` (the SF fit's deviance, parameters, dof, aic), ``alpha``, ``criterion`` and
        ``sf_detected``.
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
    alternatives: dict = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        """True when the verdict is "good"."""
        return self.quality.get("verdict") == "good"

    @property
    def sf_detected(self) -> bool:
        """True when both no-SF alternatives were rejected, so N_c is reported."""
        return self.quality.get("verdict") != "no SF detected"

    def interval(self, name, level=1.0):
        """Profile-likelihood interval of a parameter: excess deviance <= ``level`` (1: 68 %, 4: 95 %, 9: 99.7 %).

        For ``domain_size`` the connected run of integers around the best N_c where the interpolated profile
        stays within the level (as ``domain_interval`` at level 1); for a continuous
        parameter the union over N_c of its quadratic intervals theta_N +- sigma_N sqrt(level - excess_N).
        Levels above the walk's stop (:data:`~sf_dynamics.workflows.fit_series.fit.WALK_STOP`) are not covered
        by the evaluated profile.

        Parameters
        ----------
        name : str
            ``domain_size`` or a fitted continuous parameter (a key of ``errors``).
        level : float
            Excess deviance that bounds the interval.

        Returns
        -------
        (float, float) or (int, int)
            Lower and upper end (unit of the parameter; integers for ``domain_size``).

        Raises
        ------
        ValueError
            For a name that is not a fitted parameter, or any name when no SF was detected (the profile belongs
            to a model the data do not prefer).
        """
        if not self.sf_detected:
            raise ValueError("no SF detected: the N_c profile and its intervals are not reported (see "
                             "quality['problems'] and alternatives)")
        excess = np.asarray(self.profile["excess"])
        if name == "domain_size":
            return domain_size_interval(np.asarray(self.profile["domain_size"]), excess, self.params["domain_size"],
                                   level)
        if f"{name}_sigma" not in self.profile:
            raise ValueError(f"name must be a fitted parameter, one of {sorted(self.errors)}, got {name!r}")
        return union_interval(np.asarray(self.profile[name]), np.asarray(self.profile[f"{name}_sigma"]), excess,
                              level)

    def summary(self) -> str:
        """A plain-text table of the fitted parameters with their errors, the no-SF alternatives and the verdict."""
        shown = ("collective_decay", "collective_rate", "dephasing", "t2", "t0", "irf_fwhm", "radiative_rate")
        units = {name: PARAMETER_UNITS[name] for name in shown}
        if self.sf_detected:
            lo, hi = self.domain_interval
            lines = [f"global fit of {self.data.shape[0]} traces ({self.statistic}): deviance {self.deviance:.1f} "
                     f"for {self.dof} degrees of freedom (reduced {self.deviance / max(self.dof, 1):.3f})",
                     f"{'domain_size':>18} = {self.params['domain_size']:d}  (68 % interval {lo} - {hi})"]
        else:
            accepted = self.quality.get("accepted", "")
            lines = [f"global fit of {self.data.shape[0]} traces ({self.statistic}): no SF detected; N_c is not "
                     f"reported. Parameters and model: {self.alternatives.get(accepted, {}).get('description', '')} "
                     "(NaN: not in that model)",
                     f"{'domain_size':>18} = not reported"]
        for name in ("collective_decay", "collective_share", "collective_rate", "dephasing", "t2", "coupled_fraction",
                     "amplitude", "t0", "irf_fwhm", "background", "radiative_rate"):
            value, err = self.params[name], self.errors.get(name, 0.0)
            note = "fixed" if name in self.fixed else f"+- {err:.3g}"
            lines.append(f"{name:>18} = {value:.5g} {units.get(name, ''):5} {note}")
        lines += self.alternatives_text()
        problems = "; ".join(self.quality.get("problems", [])) or "none"
        lines.append(f"verdict: {self.quality.get('verdict')} (problems: {problems})")
        return "\n".join(lines)

    def alternatives_text(self):
        """The no-SF alternatives and their tests, a line each (empty without them).

        Returns
        -------
        list of str
        """
        alt = self.alternatives
        if not alt:
            return []
        lines = [f"no-SF alternatives ({alt['criterion']}):"]
        for key, label in (("shared_shape", "(a)"), ("independent", "(b)")):
            entry = alt[key]
            outcome = "rejected" if entry["rejected"] else "NOT rejected"
            lines.append(f"  {label} {entry['description']}: {entry['parameters']} parameters; {entry['test']} -> "
                         f"{outcome}")
        aic = ", ".join(f"{label} {alt[key]['aic'] - alt['sf']['aic']:+.1f}" for key, label in
                        (("shared_shape", "(a)"), ("independent", "(b)")))
        lines.append(f"  AIC against the SF fit ({alt['sf']['parameters']} parameters), positive favours SF: {aic} "
                     f"[{alt['information_criterion']}]")
        return lines

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
        attrs = {**{k: float("nan") if v is None else float(v) for k, v in self.params.items()},
                 **{f"{k}_error": float(v) for k, v in self.errors.items()},
                 "domain_interval": list(self.domain_interval) if self.domain_interval else "not reported",
                 "deviance": self.deviance, "dof": self.dof,
                 "statistic": self.statistic, "verdict": self.quality.get("verdict", ""),
                 "problems": "; ".join(self.quality.get("problems", [])), "fixed": sorted(self.fixed)}
        for key in ("shared_shape", "independent"):
            if key in self.alternatives:
                entry = self.alternatives[key]
                attrs.update({f"{key}_deviance": entry["deviance"], f"{key}_parameters": entry["parameters"],
                              f"{key}_p_value": entry["p_value"], f"{key}_rejected": int(entry["rejected"]),
                              f"{key}_aic": entry["aic"], f"{key}_test": entry["test"]})
        return xr.Dataset(data, coords=coords, attrs=attrs)


def union_interval(values, sigmas, excess, level):
    """Profile interval {theta : min over N_c of excess_N + ((theta - theta_N) / sigma_N)^2 <= level}.

    Parameters
    ----------
    values, sigmas : ndarray
        Best value and one-sigma error of the parameter at each evaluated N_c.
    excess : ndarray
        Profile deviance above its minimum at each N_c (:func:`excess_deviance`).
    level : float
        Excess deviance that bounds the interval (1: 68 %).

    Returns
    -------
    (float, float)
        Lower and upper end (unit of the parameter); NaN when no N_c lies within the level.
    """
    inside = excess <= level
    if not np.any(inside):
        return float("nan"), float("nan")
    half = sigmas[inside] * np.sqrt(level - excess[inside])
    return float(np.min(values[inside] - half)), float(np.max(values[inside] + half))


def excess_deviance(dev, d_min, poisson, dof):
    """Profile deviance above the minimum, in units of one sigma^2.

    Parameters
    ----------
    dev : float or ndarray
        Deviance (Poisson) or sum of squared scaled residuals (least squares).
    d_min : float
        Its minimum over N_c.
    poisson : bool
        Poisson deviance; else least squares, scaled by the residual variance d_min / dof.
    dof : int
        Degrees of freedom.

    Returns
    -------
    float or ndarray
        The excess (dimensionless).
    """
    if poisson:
        return dev - d_min
    return (dev - d_min) / max(d_min / dof, 1e-300)


def domain_size_interval(sizes, excess, n_best, level=1.0):
    """Interval of N_c: the connected run of integers around the best where the interpolated excess is <= level.

    Parameters
    ----------
    sizes : ndarray
        Evaluated N_c, ascending.
    excess : ndarray
        Profile deviance above its minimum at each of them.
    n_best : int
        The best N_c.
    level : float
        Excess deviance that bounds the interval (1: 68 %).

    Returns
    -------
    (int, int)
        Lowest and highest N_c of the interval.
    """
    fine = np.arange(int(sizes.min()), int(sizes.max()) + 1)
    inside = fine[np.interp(fine, sizes, excess) <= level]
    # the connected run around the best value
    lo = hi = n_best
    while lo - 1 in inside:
        lo -= 1
    while hi + 1 in inside:
        hi += 1
    return int(lo), int(hi)
