"""Trace models of the fits: sech^2 burst, Burnham-Chiao ringing and the Rainò-style trace.

Time t in ps, intensity in any unit. Every model is a sum of components, each ``(anchor, profile,
step_at_anchor)``: a function of the time since its own anchor (tau_D or t0), optionally zero before it.
With an instrument response of FWHM ``irf_fwhm`` each component is convolved by
:func:`sf_dynamics.analysis.instrument.convolve_anchored` on a grid fixed relative to its anchor, so the
model is a smooth function of every parameter (see :mod:`sf_dynamics.analysis.fitting`).
"""

from __future__ import annotations

import numpy as np
from scipy.special import j1

from ..instrument import check_irf_fwhm, convolve_anchored

__all__ = [
    "SECH2_FWHM_PER_TAU",
    "J1_FIRST",
    "sech2_model",
    "burnham_chiao_model",
    "raino_model",
    "evaluate_components",
]

#: FWHM of sech^2(t / (2 tau)) in units of tau: 4 arccosh(sqrt(2)) = 3.5255
SECH2_FWHM_PER_TAU = 4.0 * np.arccosh(np.sqrt(2.0))
#: first zero of J1 squared over 4: the first Burnham-Chiao intensity zero is at t0 + J1_FIRST / b
J1_FIRST = 3.8317059702075125**2 / 4.0


def _sech2(s, tau_sf):
    x = np.clip(s / (2.0 * tau_sf), -350.0, 350.0)
    return 1.0 / np.cosh(x) ** 2


def _bessel_ratio(u):
    """[J1(2u) / u], with its small-u series."""
    safe = np.where(u > 1e-8, u, 1.0)
    return np.where(u > 1e-8, j1(2.0 * safe) / safe, 1.0 - 0.5 * u * u)


def evaluate_components(components, t, irf_fwhm):
    """Sum of model components at times ``t``, IRF-convolved if a FWHM is given.

    Parameters
    ----------
    components : list of (float, callable, bool)
        ``(anchor, profile, step_at_anchor)``: the anchor time (ps), ``profile(s)`` of the time s (ps) since
        it, and whether the component is zero before the anchor.
    t : array_like
        Times (ps).
    irf_fwhm : float or None
        FWHM (ps) of the Gaussian instrument response, already validated; None for none.

    Returns
    -------
    ndarray
        The model at ``t`` (intensity unit of the profiles).
    """
    t = np.asarray(t, dtype=float)
    total = np.zeros_like(t)
    for anchor, profile, step in components:
        if irf_fwhm is None:
            s = t - anchor
            values = profile(s)
            total += np.where(s > 0, values, 0.0) if step else values
        else:
            total += convolve_anchored(t, anchor, profile, irf_fwhm, step_at_anchor=step)
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

    Returns
    -------
    ndarray
        The model at ``t`` (unit of the amplitudes).

    Raises
    ------
    ValueError
        For an ``irf_fwhm`` that the sampling of ``t`` cannot resolve or that exceeds 10 records.
    """
    return evaluate_components(_sech2_components(tau_d, tau_sf, amplitude, background, amplitude_slow, tau_slow,
                                                 t0), t, check_irf_fwhm(irf_fwhm, t))


def _bc_profile(amplitude, b, t2):
    def profile(s):
        s = np.clip(s, 0.0, None)
        return amplitude * np.exp(-2.0 * s / t2) * _bessel_ratio(np.sqrt(b * s)) ** 2

    return profile


def burnham_chiao_model(t, amplitude, t0, b, t2, *, irf_fwhm=None):
    """A e^{-2 s / T2} [J1(2 sqrt(b s)) / sqrt(b s)]^2 for s = t - t0 > 0, else 0 (IRF-convolved if given).

    Parameters
    ----------
    t : array_like
        Times (ps).
    amplitude : float
        Height A at t0.
    t0 : float
        Start of the emission (ps).
    b : float
        Ringing rate (1/ps): intensity zeros at t0 + j_{1,k}^2 / (4 b).
    t2 : float
        Dephasing time T2 (ps).
    irf_fwhm : float, optional
        FWHM (ps) of a Gaussian instrument response.

    Returns
    -------
    ndarray
        The model at ``t`` (unit of the amplitude).

    Raises
    ------
    ValueError
        For an ``irf_fwhm`` that the sampling of ``t`` cannot resolve or that exceeds 10 records.
    """
    return evaluate_components([(t0, _bc_profile(amplitude, b, t2), True)], t, check_irf_fwhm(irf_fwhm, t))


def _raino_components(amplitude, tau_d, tau_sf, modulation, tau_ring, period, amplitude_slow, tau_slow, t0):
    def burst(s):
        ring = 1.0 + modulation * np.exp(-np.clip(s, 0.0, None) / tau_ring) * np.cos(2.0 * np.pi * s / period)
        return amplitude * _sech2(s, tau_sf) * ring

    return [(tau_d, burst, False), _slow_component(amplitude_slow, tau_slow, t0)]


def raino_model(t, amplitude, tau_d, tau_sf, modulation, tau_ring, period, amplitude_slow, tau_slow, t0=0.0, *,
                irf_fwhm=None):
    """Delayed burst x (1 + damped modulation) + slow uncoupled decay from t0.

    A sech^2((t - tau_D) / (2 tau_SF)) [1 + m e^{-(t - tau_D)_+ / tau_r} cos(2 pi (t - tau_D) / P)]
    + A_slow e^{-(t - t0) / tau_slow} Theta(t - t0).

    Parameters
    ----------
    t : array_like
        Times (ps).
    amplitude, amplitude_slow : float
        Burst and slow-component heights.
    tau_d, tau_sf : float
        Burst centre and SF time (ps).
    modulation : float
        Modulation depth m.
    tau_ring, period : float
        Damping time tau_r and period P of the modulation (ps).
    tau_slow : float
        Slow decay time (ps).
    t0 : float
        Excitation time (ps) where the slow component switches on.
    irf_fwhm : float, optional
        FWHM (ps) of a Gaussian instrument response.

    Returns
    -------
    ndarray
        The model at ``t`` (unit of the amplitudes).

    Raises
    ------
    ValueError
        For an ``irf_fwhm`` that the sampling of ``t`` cannot resolve or that exceeds 10 records.
    """
    return evaluate_components(_raino_components(amplitude, tau_d, tau_sf, modulation, tau_ring, period,
                                                 amplitude_slow, tau_slow, t0), t, check_irf_fwhm(irf_fwhm, t))
