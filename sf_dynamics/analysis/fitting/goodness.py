"""Likelihood and goodness of a trace fit: sample errors, Poisson deviance residuals and the quality verdict."""

from __future__ import annotations

import numpy as np

from ..._validation import check_real_array

__all__ = ["R2_POOR", "CHI2_POOR", "LOCATION_PARAMETERS", "poisson_sigma", "sample_sigma", "deviance_residuals",
           "quality_verdict"]

#: verdict thresholds
R2_POOR = 0.9
CHI2_POOR = 3.0
#: parameters that locate a feature in time or offset it: a value near zero is no sign of a poor fit
LOCATION_PARAMETERS = ("t0", "tau_d", "background")


def poisson_sigma(counts):
    """One-sigma errors of photon counts: sqrt(max(counts, 1)).

    Parameters
    ----------
    counts : array_like
        Photon counts per sample.

    Returns
    -------
    ndarray
        The errors (counts).

    Raises
    ------
    ValueError
        For non-finite counts.
    """
    counts = check_real_array("counts", counts)
    return np.sqrt(np.maximum(counts, 1.0))


def sample_sigma(sigma, y):
    """The one-sigma errors of the samples ``y`` from a fit's ``sigma`` option.

    Parameters
    ----------
    sigma : array_like, "poisson" or None
        Errors per sample, "poisson" for :func:`poisson_sigma` of ``y``, or None (unweighted).
    y : ndarray
        The samples.

    Returns
    -------
    ndarray or None
        Errors of the shape of ``y``, or None.

    Raises
    ------
    ValueError
        For another string, an array of another shape, or an error <= 0.
    """
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


def quality_verdict(params, errors, varied, bounds, r2, chi2, weighted, success, message):
    """The quality verdict of a fit: "good", or "poor" with the sentences that say why.

    Parameters
    ----------
    params, errors : dict
        Best values and one-sigma errors by name.
    varied : list of str
        The varied parameters.
    bounds : dict of name -> (low, high)
        Bounds whose reach marks a problem (sampling intervals left out).
    r2, chi2 : float
        R^2 and the reduced chi^2 (or deviance per degree of freedom).
    weighted : bool
        The samples had errors (chi^2 is then compared with :data:`CHI2_POOR`).
    success : bool
        The optimiser converged.
    message : str
        The optimiser's message.

    Returns
    -------
    dict
        ``verdict`` ("good" or "poor") and ``problems`` (list of sentences).
    """
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
    """Poisson deviance residuals sign(y - mu) sqrt(2 (mu - y + y ln(y / mu))); sum of squares = deviance.

    Parameters
    ----------
    mu : ndarray
        Model expectation per sample (counts); floored at 1e-12 of the largest count.
    y : ndarray
        Observed counts.

    Returns
    -------
    ndarray
        The residuals, shape of ``y``.
    """
    mu = np.maximum(mu, 1e-12 * max(float(np.max(y)), 1.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(y > 0, y * np.log(y / mu), 0.0)
    return np.sign(y - mu) * np.sqrt(np.maximum(2.0 * (mu - y + term), 0.0))
