"""The no-SF alternatives a fluence-series fit must reject before it reports a domain size.

Superfluorescence shows in a fluence series as a trace *shape* that changes with the excitation: the burst
comes earlier and faster at higher fluence. Two explanations without it are fitted to the same data:

(a) **one fluence-independent shape** (``shared_shape``): every trace is the same free shape s(t) with its own
    amplitude, y_k(t) = a_k s(t) (+ the background b when the fit has one): K + T - 1 (+1) parameters for K
    traces of T bins. It holds every no-SF explanation whose shape does not depend on fluence (uncoupled
    emitters, any instrument response, any fixed burst-like shape). It is nested in the saturated model (a free
    mean per bin), so its deviance is the likelihood-ratio statistic of "the shape does not depend on fluence",
    on N - K - T + 1 (-1) degrees of freedom. Counts are fitted by maximum Poisson likelihood (closed form
    a_k s_t = row_k col_t / total without a background; EM with one), and the statistic is calibrated by a
    conditional parametric bootstrap: :data:`BOOTSTRAP_DRAWS` series drawn from the fitted shape with each
    time bin's total over the traces kept (multinomial with the fitted shares: the total is the sufficient
    statistic of s(t), so the free shape drops out, as in the classical test of homogeneity), refitted (a
    fitted background held at its value, conservative by about one unit of deviance), and a gamma law of
    their mean and variance for the tail. The chi^2 law is too wide for hundreds of low-count bins each with
    its own parameter, and a plain Poisson bootstrap from the fitted means too narrow (P(p < 0.05) = 0.55 at
    10 counts per peak).
(b) **independent emitters** (``independent``): the fit's own forward model without the collective channel,
    Gamma_c = 0 (coupled fraction 0; N_c, gamma_phi and f then have no effect), with the same instrument
    response, time zero, amplitude, background and radiative rate. It is nested in the SF model, and the
    likelihood-ratio statistic D_indep - D_SF is compared with chi^2 on the number of parameters the SF model
    adds (collective share, dephasing, coupled fraction, N_c, less those held fixed). The reference is
    approximate: Gamma_c = 0 lies on the boundary and N_c, gamma_phi and f are not identified under it.

The SF fit reports N_c only when both are rejected at p < :data:`DETECTION_ALPHA`. Least-squares fits (data
that are not counts) use the SF fit's residual variance as the noise level: (a) compares the shape's sum of
squares with chi^2, (b) is an F test; both approximate. AIC (deviance + 2 k for counts, N ln(RSS / N) + 2 k for
least squares, up to a constant common to the three models) is reported for information, not used in the
decision: (a) and the SF model are not nested, and with T free shape parameters AIC favours the SF model even
on series of one fixed shape.
"""

from __future__ import annotations

import math

import numpy as np

from ...analysis.fitting import deviance_residuals

__all__ = ["DETECTION_ALPHA", "BOOTSTRAP_DRAWS", "BOOTSTRAP_SEED", "shared_shape", "shape_test", "no_sf_alternatives"]

#: a no-SF alternative is rejected when its likelihood-ratio p-value is below this (about 3.1 sigma)
DETECTION_ALPHA = 1e-3
#: parametric-bootstrap draws that calibrate the shared-shape statistic
BOOTSTRAP_DRAWS = 200
#: seed of the bootstrap draws (a fit is reproducible; its files record it)
BOOTSTRAP_SEED = 0
_EM_TOL = 1e-10
_EM_ITERATIONS = 20000


def shared_shape(data, background=None, *, poisson=True):
    """Best fit of one fluence-independent shape with a free amplitude per trace: y_k(t) = a_k s(t) + b.

    Parameters
    ----------
    data : ndarray, shape (..., K, T)
        Traces (counts per bin, or any signal for least squares); leading axes are independent series.
    background : float or None
        A background held at this value (counts per bin), or None to fit one (b >= 0).
    poisson : bool
        Maximum Poisson likelihood (closed form without a background, EM with one); else least squares
        (rank-one SVD, alternating with the background).

    Returns
    -------
    ndarray
        The fitted means, shape of ``data``.
    """
    y = np.asarray(data, dtype=float)
    fit_b = background is None
    b = np.zeros(y.shape[:-2]) + (0.0 if fit_b else float(background))
    if not poisson:
        return _shared_shape_lsq(y, b, fit_b)
    return _shared_shape_poisson(y, b, fit_b, _EM_TOL)[0]


def _shared_shape_poisson(y, b, fit_b, tol):
    """Maximum Poisson likelihood of a_k s_t + b: closed form for b = 0, else EM to a relative deviance step
    ``tol``; returns the means and the background (fitted, or as given)."""
    if fit_b:   # start the background below the quietest bin, where the shape can still rise
        b = 0.5 * np.min(np.mean(y, axis=-2), axis=-1)
    if not fit_b and not np.any(b):
        total = np.maximum(y.sum(axis=(-2, -1)), 1e-300)[..., None, None]
        return y.sum(axis=-1)[..., :, None] * y.sum(axis=-2)[..., None, :] / total, b
    signal = np.maximum(y - b[..., None, None], 0.0) + 1e-9
    a, s = signal.sum(axis=-1), signal.sum(axis=-2) / signal.sum(axis=(-2, -1))[..., None]
    previous = np.full(y.shape[:-2], np.inf)
    for _ in range(_EM_ITERATIONS):
        # EM: split each count into its expected shape and background parts, refit each (closed forms)
        shape = a[..., :, None] * s[..., None, :]
        ratio = y / np.maximum(shape + b[..., None, None], 1e-300)
        part = shape * ratio
        total = np.maximum(part.sum(axis=(-2, -1)), 1e-300)
        a, s = part.sum(axis=-1), part.sum(axis=-2) / total[..., None]
        if fit_b:
            b = b * ratio.sum(axis=(-2, -1)) / (y.shape[-2] * y.shape[-1])
        dev = _deviance(a[..., :, None] * s[..., None, :] + b[..., None, None], y)
        if np.all(previous - dev <= tol * np.maximum(dev, 1.0)):
            break
        previous = dev
    return a[..., :, None] * s[..., None, :] + b[..., None, None], b


def _deviance(mu, y):
    """Poisson deviance of each series of a stack (..., K, T)."""
    mu = np.maximum(mu, 1e-300)
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(y > 0, y * np.log(y / mu), 0.0)
    return 2.0 * np.sum(mu - y + term, axis=(-2, -1))


def _shared_shape_lsq(y, b, fit_b):
    """Least-squares rank-one fit a s^T + b (alternating the background and the leading singular pair)."""
    for _ in range(200 if fit_b else 1):
        u, w, vt = np.linalg.svd(y - b[..., None, None], full_matrices=False)
        rank_one = w[..., :1, None] * u[..., :, :1] * vt[..., :1, :]
        if fit_b:
            b = np.maximum(np.mean(y - rank_one, axis=(-2, -1)), 0.0)
    return rank_one + b[..., None, None]


def _conditional_draws(data, mu):
    """Bootstrap series of the fitted shape given each time bin's total over the traces (its sufficient statistic).

    The counts of one bin, given their total n_t, are multinomial with the fitted shares mu_kt / sum_k mu_kt;
    drawing them so removes the free shape s(t) from the law of the statistic (the classical conditional test of
    homogeneity), which a plain Poisson bootstrap from the fitted means gets wrong when bins hold few counts.
    """
    totals = np.rint(data.sum(axis=0)).astype(np.int64)
    column = mu.sum(axis=0, keepdims=True)
    shares = np.where(column > 0, mu / np.where(column > 0, column, 1.0), 1.0 / mu.shape[0])
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    draws = rng.multinomial(totals, shares.T, size=(BOOTSTRAP_DRAWS, totals.size))   # (draws, T, K)
    return np.swapaxes(draws, -1, -2).astype(float)


def _gamma_tail(value, draws):
    """Upper tail of ``value`` under a gamma law with the mean and variance of ``draws``."""
    from scipy.stats import gamma

    mean, var = float(np.mean(draws)), float(np.var(draws, ddof=1))
    if mean <= 0 or var <= 0:
        return float(value <= mean), 0.0
    return float(gamma.sf(value, mean * mean / var, scale=var / mean)), (value - mean) / math.sqrt(var)


def shape_test(data, background=None, *, noise_variance=None):
    """Alternative (a): the best fluence-independent shape and the likelihood-ratio test of it.

    Parameters
    ----------
    data : ndarray, shape (K, T)
        The traces: photon counts, or any signal with ``noise_variance``.
    background : float or None
        A background held at this value (per bin), or None to fit one.
    noise_variance : float, optional
        For least squares: the noise variance of a sample (data units squared); None for Poisson counts.

    Returns
    -------
    dict
        ``description``, ``deviance`` (Poisson deviance, or the sum of squares in units of the noise
        variance), ``parameters`` (K + T - 1, +1 with a fitted background), ``dof`` and ``test_dof`` (samples
        minus parameters), ``statistic`` and ``statistic_name``, ``p_value``, ``against``, ``test`` (one
        sentence with the numbers) and ``model`` (the fitted traces).
    """
    from scipy.stats import chi2

    poisson = noise_variance is None
    k, nt = data.shape
    params = k + nt - 1 + (background is None)
    dof = max(data.size - params, 1)
    if poisson:
        y = np.asarray(data, dtype=float)
        fixed_b = 0.0 if background is None else float(background)
        mu, b = _shared_shape_poisson(y, np.array(fixed_b), background is None, _EM_TOL)
        dev = float(np.sum(deviance_residuals(mu, y) ** 2))
        draws = _conditional_draws(y, mu)
        # the refits hold the background at its fitted value (EM in b is slow; ~1 unit of deviance, conservative)
        boot = _deviance(_shared_shape_poisson(draws, np.full(BOOTSTRAP_DRAWS, float(b)), False, 1e-8)[0], draws)
        p_value, z = _gamma_tail(dev, boot)
        test = (f"likelihood ratio against a free mean per bin (nested): deviance {dev:.1f} on {dof} degrees of "
                f"freedom, {z:+.1f} standard deviations from its mean {np.mean(boot):.1f} over {BOOTSTRAP_DRAWS} "
                f"draws of the fitted shape with each bin's total kept (conditional parametric bootstrap, gamma "
                f"tail): p = {p_value:.3g}")
    else:
        mu = shared_shape(data, background, poisson=False)
        dev = float(np.sum((mu - data) ** 2) / noise_variance)
        p_value = float(chi2.sf(dev, dof))
        test = (f"sum of squares {dev:.1f} in units of the SF fit's residual variance on {dof} degrees of freedom "
                f"against chi^2 (approximate, no noise model): p = {p_value:.3g}")
    return {"description": "one fluence-independent shape: y_k(t) = a_k s(t)" + (" + b" if background is None
                                                                                else ""),
            "deviance": dev, "parameters": params, "dof": dof, "statistic": dev, "test_dof": dof,
            "statistic_name": "likelihood ratio" if poisson else "sum of squares / residual variance",
            "p_value": p_value, "against": "a free mean per bin", "test": test, "model": mu}


def _independent_test(series, estimates):
    """Alternative (b): independent emitters (Gamma_c = 0) with the same instrument, and the LR test."""
    from scipy.stats import chi2, f

    hold = {"collective_share": 0.0, "coupled_fraction": 0.0, "dephasing": 0.0}
    best = None
    for previous in ((estimates["n_best"], estimates["best"]), None):
        dev, values, out = series.fit_at(2, previous, hold=hold, report=False)
        if best is None or dev < best[0]:
            best = (dev, values, out)
    dev, values, out = best
    sf_params = series.flat.size - series.dof
    params = sum(1 for name in series.active if name not in series.fixed and name not in hold)
    added = max(sf_params - params, 1)
    sf_dev = estimates["deviance"]
    if series.poisson:
        statistic = max(dev - sf_dev, 0.0)
        p_value = float(chi2.sf(statistic, added))
        test = (f"likelihood ratio against the SF fit (nested: Gamma_c = 0): D_indep - D_SF = {statistic:.1f} on "
                f"{added} degrees of freedom (the parameters the SF model adds: collective share, dephasing, coupled "
                f"fraction, N_c, less those held fixed), chi^2 reference (approximate: Gamma_c = 0 is a boundary and "
                f"N_c, dephasing and f are not identified there): p = {p_value:.3g}")
    else:
        statistic = max(dev - sf_dev, 0.0) / added / max(sf_dev / series.dof, 1e-300)
        p_value = float(f.sf(statistic, added, series.dof))
        test = (f"F test against the SF fit (nested: Gamma_c = 0): F = {statistic:.2f} on ({added}, {series.dof}) "
                f"degrees of freedom: p = {p_value:.3g}")
    names = [name for name in series.active if name not in hold]
    return {"description": "independent emitters: Gamma_c = 0, the same IRF, time zero, amplitude and background",
            "deviance": dev, "parameters": params, "dof": max(series.flat.size - params, 1), "statistic": statistic,
            "test_dof": added, "p_value": p_value, "test": test, "against": "the SF fit",
            "statistic_name": "likelihood ratio" if series.poisson else "F",
            "values": {name: values[name] for name in names},
            "errors": {name: values[f"{name}_sigma"] for name in names},
            "model": series.record(2, values)}


def no_sf_alternatives(series, estimates):
    """Fit both no-SF alternatives and test them against the data and the SF fit.

    Parameters
    ----------
    series : FluenceSeriesFit
        The fit, its profile done.
    estimates : dict
        Its :meth:`~sf_dynamics.workflows.fit_series.fit.FluenceSeriesFit.estimates`.

    Returns
    -------
    dict
        ``alpha``, ``criterion`` (the decision in words), ``sf_detected`` (both alternatives rejected),
        ``sf`` (deviance, parameters, dof, aic of the SF fit), and for ``shared_shape`` and ``independent``:
        ``description``, ``deviance``, ``parameters``, ``dof``, ``statistic`` and ``test_dof`` (the
        likelihood-ratio statistic and its degrees of freedom), ``against`` (the model it is tested against),
        ``p_value``, ``rejected``, ``aic``, ``test`` (the test in one sentence with its numbers) and ``model``
        (the fitted traces); ``independent`` also ``values`` and ``errors`` of its parameters.
    """
    sf_params = series.flat.size - series.dof
    out = {"alpha": DETECTION_ALPHA,
           "criterion": f"N_c is reported only when both no-SF alternatives are rejected at p < {DETECTION_ALPHA:g}",
           "information_criterion": ("AIC = deviance + 2 k" if series.poisson else "AIC = N ln(RSS / N) + 2 k")
           + " (up to a constant common to the models; for information, not used in the decision)",
           "sf": {"deviance": estimates["deviance"], "parameters": sf_params, "dof": series.dof}}
    background = None if "background" not in series.fixed else float(series.fixed["background"])
    noise = None if series.poisson else estimates["deviance"] / series.dof * series.scale**2
    out["shared_shape"] = shape_test(series.data, background, noise_variance=noise)
    out["independent"] = _independent_test(series, estimates)
    n = series.flat.size
    # least squares: every sum of squares in units of the SF fit's residual variance (the shape's already is)
    to_noise = {"sf": series.dof / max(estimates["deviance"], 1e-300), "shared_shape": 1.0,
                "independent": series.dof / max(estimates["deviance"], 1e-300)}
    for key in ("sf", "shared_shape", "independent"):
        entry = out[key]
        if series.poisson:
            entry["aic"] = entry["deviance"] + 2.0 * entry["parameters"]
        else:
            rss = max(entry["deviance"] * to_noise[key], 1e-300)
            entry["aic"] = n * math.log(rss / n) + 2.0 * entry["parameters"]
        if key != "sf":
            entry["rejected"] = bool(entry["p_value"] < DETECTION_ALPHA)
    out["sf_detected"] = out["shared_shape"]["rejected"] and out["independent"]["rejected"]
    return out
