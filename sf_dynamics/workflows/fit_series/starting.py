"""Inputs and starting values of the fluence-series fit: excitation probabilities, guesses from the data, and the
parameters derived from the fitted ones (Gamma_c, N_c Gamma_c, T2)."""

from __future__ import annotations

import math

import numpy as np

from ..._validation import check_real_array
from ..fluence import excitation_probability

__all__ = ["probabilities_of", "guesses", "share_guess", "derived"]


def probabilities_of(k, fluences, probabilities, cross_section_cm2, photon_energy_eV):
    """(fluences or None, excitation probability per NC) of ``k`` traces, from fluences or given directly.

    Parameters
    ----------
    k : int
        Number of traces.
    fluences : array_like or None
        Pump fluences (uJ/cm^2), one per trace.
    probabilities : array_like or None
        Excitation probabilities per NC, one per trace, in [0, 1] (instead of fluences).
    cross_section_cm2, photon_energy_eV : float
        Absorption cross-section (cm^2) and pump photon energy (eV), for fluences.

    Returns
    -------
    fluences : ndarray or None
    probabilities : ndarray, shape (k,)

    Raises
    ------
    ValueError
        For both or neither of fluences and probabilities, a count unlike ``k``, fluences without a
        cross-section, or probabilities outside [0, 1].
    """
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


def guesses(times, data, probabilities, rate):
    """Starting values from the data: time zero from the earliest rise, IRF from the sampling, burst time.

    Parameters
    ----------
    times : ndarray
        Detector times (ps), equally spaced.
    data : ndarray, shape (k, nt)
        The traces.
    probabilities : ndarray
        Excitation probability per NC of each trace.
    rate : float
        Single-NC radiative rate (1/ps).

    Returns
    -------
    dict
        ``t0`` (ps), ``irf_fwhm`` (ps), ``background`` (per bin), ``t_peak`` (ps after t0 of the strongest
        trace's maximum), ``p_max`` and ``rate`` (1/ps).
    """
    step = float(times[1] - times[0])
    base = np.median(data[:, : max(3, times.size // 50)], axis=1)
    height = np.maximum(data.max(axis=1) - base, 1e-300)
    rises = [times[np.argmax((row - b) / h > 0.1)] for row, b, h in zip(data, base, height)]
    t0 = float(min(rises))
    k = int(np.argmax(probabilities))
    t_peak = float(times[np.argmax(data[k])])
    return {"t0": t0, "irf_fwhm": 3.0 * step, "background": float(max(np.median(base), 0.0)),
            "t_peak": max(t_peak - t0, 2.0 * step), "p_max": float(probabilities[k]), "rate": rate}


def share_guess(n, guess):
    """Gamma_c / Gamma_1 that puts the burst of the strongest trace near its observed peak.

    Parameters
    ----------
    n : int
        Domain size.
    guess : dict
        From :func:`guesses`.

    Returns
    -------
    float
        The share, in [0.02, 0.98] (0.5 below inversion).
    """
    inversion = 2.0 * guess["p_max"] - 1.0
    if inversion <= 0.05:
        return 0.5
    collective = max(math.log(n), 1.0) / (n * inversion * guess["t_peak"])
    return float(np.clip(collective / guess["rate"], 0.02, 0.98))


def derived(n, best, sigma):
    """Best values and one-sigma errors at one N_c, with Gamma_c, N_c Gamma_c and T2 derived from them.

    Parameters
    ----------
    n : int
        Domain size.
    best, sigma : dict
        Best values and one-sigma errors of the continuous parameters (1/ps, ps, ...).

    Returns
    -------
    dict
        ``best`` with ``*_sigma`` errors, ``collective_decay`` (1/ps), ``collective_rate`` (1/ps) and ``t2`` (ps),
        each with its error.
    """
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
