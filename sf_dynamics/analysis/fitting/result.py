"""The outcome of a trace fit (:class:`FitResult`) and the warning and error of a poor one."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

__all__ = ["FitResult", "FitQualityWarning", "FitQualityError", "warn_if_poor"]


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
        ``verdict`` ("good": goodness of fit tested and passed; "untested": no noise model, nothing else
        wrong; "poor"), ``problems`` (list of sentences), ``note`` (what the verdict rests on, with its
        numbers), ``noise`` (the noise model, and whether it was assumed from integer data), the test:
        ``statistic`` ("Poisson deviance", "chi^2" or None), ``value`` (its total), ``dof`` (samples minus
        fitted parameters), ``p_value`` (None when untested) and ``test`` (one sentence).
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
        """True when no check found a problem: the verdict is "good" (goodness of fit tested) or "untested"
        (no noise model, so only R^2, bounds and errors were checked)."""
        return self.quality.get("verdict") in ("good", "untested")

    def report(self) -> str:
        """A text report: lmfit's fit report plus the quality verdict."""
        import lmfit

        text = lmfit.fit_report(self.lmfit_result) if self.lmfit_result is not None else repr(self.params)
        problems = "; ".join(self.quality.get("problems", [])) or "none"
        q = self.quality
        return (f"{text}\n[[Quality]]\n    verdict: {q.get('verdict')}\n    noise model: {q.get('noise')}\n"
                f"    goodness of fit: {q.get('test')}\n    problems: {problems}")


def warn_if_poor(fit, name, strict):
    """Warn or raise for a poor multi-start fit (the individual starts were silenced).

    Called directly by the public fit function, so that the warning points at its caller.

    Parameters
    ----------
    fit : FitResult
        The best fit over the starts.
    name : str
        The model's name, for the message.
    strict : bool
        Raise instead of warning.

    Returns
    -------
    FitResult
        ``fit``, unchanged.

    Raises
    ------
    FitQualityError
        With ``strict=True`` when the verdict is "poor".
    """
    if fit.quality["verdict"] == "poor":
        text = f"{name} fit is poor: " + "; ".join(fit.quality["problems"])
        if strict:
            raise FitQualityError(text)
        warnings.warn(text, FitQualityWarning, stacklevel=3)
    return fit
