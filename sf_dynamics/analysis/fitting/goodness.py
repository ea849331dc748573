"""Likelihood and goodness of a trace fit: sample errors, Poisson deviance residuals and the quality verdict."""

from __future__ import annotations

import numpy as np

from ..._validation import check_real_array

__all__ = ["R2_POOR", "GOODNESS_ALPHA", "LOCATION_PARAMETERS", "poisson_sigma", "resolve_sigma", "sample_sigma",
           "deviance_residuals", "quality_verdict", "deviance_test", "chi2_test", "goodness_of_fit"]

#: verdict thresholds: R^2 below R2_POOR, or a goodness-of-fit p-value below GOODNESS_ALPHA (a misfit this
#: large has a chance under 0.1 % from counting statistics alone, about 3.1 standard deviations)
R2_POOR = 0.9
GOODNESS_ALPHA = 1e-3
#: above this mean count a bin's deviance is chi^2 with one degree of freedom to O(1/mu^2)
_LARGE_COUNT = 30.0
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


def resolve_sigma(sigma, y):
    """The noise model of a trace fit: what its ``sigma`` option means for the samples ``y``.

    With ``sigma=None`` the noise model follows from the data: samples that are all non-negative integers are
    taken as photon counts (Poisson, as ``sigma="poisson"``); other data have no noise model, and the fit's
    verdict is then "untested". Integer data with a negative sample are not counts (a background was
    subtracted, or an offset added): they raise instead of silently switching to least squares.

    Parameters
    ----------
    sigma : array_like, "poisson", "unweighted" or None
        Errors per sample, "poisson" (photon counts), "unweighted" (least squares without a noise model, also
        for integer data), or None (from the data, as above).
    y : ndarray
        The samples.

    Returns
    -------
    spec : ndarray, "poisson" or None
        The errors per sample, "poisson", or None (no noise model).
    noise : str
        The noise model in words, for the fit's quality note.

    Raises
    ------
    ValueError
        For another string, an array of another shape, an error <= 0, ``sigma="poisson"`` on data that are not
        non-negative integers, or ``sigma=None`` on integer data with a negative sample.
    """
    integers = bool(np.all(y == np.round(y)))
    if sigma is None:
        if integers and np.any(y < 0):
            raise ValueError(
                f"intensity: the samples are integers but {int(np.sum(y < 0))} of them are negative (smallest "
                f"{float(np.min(y)):g}), so they are not photon counts and the Poisson noise model that integer data "
                "get by default does not apply; give sigma=<one-sigma error per sample> (for background-subtracted "
                "counts: sqrt of the raw counts), or sigma='unweighted' for least squares without a goodness-of-fit "
                "test")
        if integers:
            return "poisson", "Poisson counts (assumed: the samples are non-negative integers; pass sigma if not)"
        return None, "none (non-integer data without sigma)"
    if isinstance(sigma, str):
        if sigma == "unweighted":
            return None, "none (sigma='unweighted')"
        if sigma != "poisson":
            raise ValueError(f"sigma must be an array, 'poisson', 'unweighted' or None, got {sigma!r}")
        if np.any(y < 0) or not integers:
            raise ValueError("sigma='poisson' needs photon counts: non-negative integers")
        return "poisson", "Poisson counts (sigma='poisson')"
    sigma = check_real_array("sigma", sigma, shape=y.shape)
    if np.any(sigma <= 0):
        raise ValueError("sigma must be > 0 for every sample")
    return sigma, "Gaussian errors given per sample (sigma)"


def sample_sigma(sigma, y):
    """The one-sigma errors of the samples ``y`` under a fit's ``sigma`` option (:func:`resolve_sigma`).

    Parameters
    ----------
    sigma : array_like, "poisson", "unweighted" or None
        As in :func:`resolve_sigma`.
    y : ndarray
        The samples.

    Returns
    -------
    ndarray or None
        Errors of the shape of ``y`` (:func:`poisson_sigma` for counts), or None without a noise model.

    Raises
    ------
    ValueError
        As :func:`resolve_sigma`.
    """
    spec, _ = resolve_sigma(sigma, y)
    if spec is None:
        return None
    if isinstance(spec, str):
        return poisson_sigma(y)
    return spec


def deviance_test(mu, deviance, fitted):
    """Goodness of fit of a Poisson deviance: its p-value if the model (expectations ``mu``) is right.

    A bin's deviance d(k; mu) = 2 (mu - k + k ln(k / mu)) is chi^2 with one degree of freedom only for
    large counts; for mu <= 30 its mean and variance are summed exactly over the Poisson law of k, above
    that they are 1 + 1/(6 mu) and 2 + 1/mu (the first corrections of the large-count expansion). The
    fitted parameters lower the expected total by one each; the total of many bins is then compared with
    a gamma law of that mean and variance (one-sided: only a deviance too large is a misfit).

    Parameters
    ----------
    mu : array_like
        Model expectation per bin (counts) at the best fit.
    deviance : float
        The fit's total deviance.
    fitted : int
        Number of fitted parameters.

    Returns
    -------
    p_value, z : float
        Upper-tail probability and the deviance's distance from its expectation in standard deviations.
    """
    from scipy.special import gammaln, xlogy
    from scipy.stats import gamma

    mu = np.maximum(np.asarray(mu, dtype=np.float64).ravel(), 1e-12)
    small = mu <= _LARGE_COUNT
    mean = np.sum(1.0 + 1.0 / (6.0 * mu[~small]))
    var = np.sum(2.0 + 1.0 / mu[~small])
    if np.any(small):
        m = mu[small][:, None]
        k = np.arange(int(_LARGE_COUNT + 12.0 * np.sqrt(_LARGE_COUNT) + 25.0))[None, :]
        pmf = np.exp(xlogy(k, m) - m - gammaln(k + 1.0))
        d = 2.0 * (m - k + xlogy(k, k) - xlogy(k, m))
        first = np.sum(pmf * d, axis=1)
        mean += np.sum(first)
        var += np.sum(np.sum(pmf * d * d, axis=1) - first**2)
    mean = max(mean - fitted, 1e-12)
    var = max(var, 1e-300)
    z = (float(deviance) - mean) / np.sqrt(var)
    # a gamma law of that mean and variance keeps the right skew of a sum of chi^2-like terms
    return float(gamma.sf(float(deviance), mean * mean / var, scale=var / mean)), float(z)


def chi2_test(chi2_total, dof) -> float:
    """Goodness of fit of a chi^2 with given errors: the upper-tail probability of ``chi2_total`` on ``dof``.

    Parameters
    ----------
    chi2_total : float
        Sum of squared weighted residuals.
    dof : int
        Degrees of freedom (samples minus fitted parameters).

    Returns
    -------
    float
        The p-value.
    """
    from scipy.stats import chi2

    return float(chi2.sf(chi2_total, dof))


def goodness_of_fit(spec, mu, residuals, fitted, noise):
    """The goodness-of-fit test of a trace fit under its noise model.

    Parameters
    ----------
    spec : ndarray, "poisson" or None
        The resolved noise model (:func:`resolve_sigma`).
    mu : ndarray
        The fitted model at the samples.
    residuals : ndarray
        Deviance residuals (Poisson) or weighted residuals (given errors).
    fitted : int
        Number of fitted parameters.
    noise : str
        The noise model in words.

    Returns
    -------
    dict
        ``statistic`` ("Poisson deviance", "chi^2" or None without a noise model), ``value`` (its total),
        ``dof`` (samples minus fitted parameters), ``p_value`` (None untested), ``noise`` and ``test`` (the
        test in one sentence, its numbers included).
    """
    total = float(np.sum(np.asarray(residuals) ** 2))
    dof = max(int(np.size(mu)) - int(fitted), 1)
    if spec is None:
        return {"statistic": None, "value": total, "dof": dof, "p_value": None, "noise": noise,
                "test": "none: without a noise model the goodness of fit cannot be tested"}
    if isinstance(spec, str):
        p_value, z = deviance_test(mu, total, fitted)
        test = (f"Poisson deviance {total:.1f} on {dof} degrees of freedom, {z:+.1f} standard deviations from its "
                f"expectation under the fitted model: p = {p_value:.3g}")
        return {"statistic": "Poisson deviance", "value": total, "dof": dof, "p_value": p_value, "noise": noise,
                "test": test}
    p_value = chi2_test(total, dof)
    return {"statistic": "chi^2", "value": total, "dof": dof, "p_value": p_value, "noise": noise,
            "test": f"chi^2 {total:.1f} on {dof} degrees of freedom: p = {p_value:.3g}"}


def quality_verdict(params, errors, varied, bounds, r2, success, message, goodness):
    """The quality verdict of a fit: "good" (tested), "untested" (no noise model) or "poor" with the reasons.

    Parameters
    ----------
    params, errors : dict
        Best values and one-sigma errors by name.
    varied : list of str
        The varied parameters.
    bounds : dict of name -> (low, high)
        Bounds whose reach marks a problem (sampling intervals left out).
    r2 : float
        R^2.
    success : bool
        The optimiser converged.
    message : str
        The optimiser's message.
    goodness : dict
        From :func:`goodness_of_fit`; its p-value (if any) below :data:`GOODNESS_ALPHA` makes the fit poor.

    Returns
    -------
    dict
        ``verdict`` ("good": the goodness-of-fit test passed and nothing else is wrong; "untested": no
        noise model, so the goodness of fit could not be tested, nothing else wrong; "poor"), ``problems``
        (sentences), ``note`` (what the verdict rests on: criterion and numbers), and from ``goodness``:
        ``p_value``, ``statistic``, ``value``, ``dof``, ``noise`` and ``test``.
    """
    problems = []
    p_value = goodness["p_value"]
    if not success:
        problems.append(f"the optimiser did not converge ({message})")
    if not np.isfinite(r2) or r2 < R2_POOR:
        problems.append(f"R^2 = {r2:.3g} < {R2_POOR}: the model does not describe the data")
    if p_value is not None and p_value < GOODNESS_ALPHA:
        reduced = goodness["value"] / goodness["dof"]
        problems.append(f"{goodness['test']} < {GOODNESS_ALPHA:g} (reduced {reduced:.3g}; noise model: "
                        f"{goodness['noise']}): a misfit this large is not counting noise, the model does not "
                        "describe the data")
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
    quality = {"problems": problems, **goodness}
    if problems:
        return {"verdict": "poor", **quality, "note": "; ".join(problems)}
    if p_value is None:
        return {"verdict": "untested", **quality,
                "note": f"verdict unavailable without a noise model ({goodness['noise']}): R^2 = {r2:.3g} >= "
                        f"{R2_POOR}, bounds and errors checked, goodness of fit not tested (pass sigma='poisson' for "
                        "photon counts or sigma=<errors per sample>)"}
    return {"verdict": "good", **quality,
            "note": f"goodness of fit: {goodness['test']} >= {GOODNESS_ALPHA:g} (poor below; noise model: "
                    f"{goodness['noise']}); R^2 = {r2:.3g} >= {R2_POOR}"}


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
