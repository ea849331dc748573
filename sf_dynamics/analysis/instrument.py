"""The instrument response: Gaussian FWHM <-> sigma and the convolutions of a trace with a response.

Times are in ps throughout. A Gaussian instrument response function (IRF) is given by its full width at
half maximum, FWHM = :data:`FWHM_PER_SIGMA` sigma = 2 sqrt(2 ln 2) sigma (the one definition of the
package, :data:`sf_dynamics.model.spectrum.FWHM_PER_SIGMA`).

Three convolutions live here. They compute different things, for different callers, and are kept apart
on purpose (merging them would change the numbers of each caller):

* **anchored quadrature** (:func:`convolve_anchored`, and its checked forms :func:`convolve_gaussian`,
  :func:`convolve_gaussian_profile`): a model component, a function of the time since its own anchor
  (burst centre, excitation time), convolved with a Gaussian IRF by a midpoint sum on a grid fixed
  *relative to that anchor*, step sigma / 8, truncated at :data:`KERNEL_SIGMAS` sigma, evaluated directly at
  the data times. The result is a smooth function of the anchor (a grid fixed in absolute time would make
  it a sawtooth, and a fit would stall). Used by the trace fits of :mod:`sf_dynamics.analysis.fitting`.
* **measured response, continuous** (:func:`convolve_measured`): the same idea for a measured IRF taken
  piecewise linear between its samples, the component sampled at step / 4 relative to its anchor. Used by
  the fluence-series fit :mod:`sf_dynamics.workflows.fit_series`.
* **sampled convolution** (:func:`sampled_gaussian_irf`, :func:`convolve_sampled`): a trace given on an
  equally spaced grid that starts at the excitation, convolved *on that grid* with a sampled kernel
  (Gaussian truncated at 6 sigma, or a measured response) normalised to unit sum, the trace continued with
  its last value beyond the window. This is what a streak camera records of a simulated trace
  (:func:`sf_dynamics.analysis.detector_response.streak_camera`); it is not smooth in a time shift.
"""

from __future__ import annotations

import math

import numpy as np

from .._validation import check_real, check_real_array
from ..model.spectrum import FWHM_PER_SIGMA

__all__ = [
    "FWHM_PER_SIGMA",
    "KERNEL_SIGMAS",
    "SAMPLED_KERNEL_SIGMAS",
    "fwhm_to_sigma",
    "sigma_to_fwhm",
    "check_irf_fwhm",
    "irf_reach",
    "convolve_anchored",
    "convolve_gaussian",
    "convolve_gaussian_profile",
    "convolve_measured",
    "sampled_gaussian_irf",
    "convolve_sampled",
]

#: the anchored Gaussian kernel is truncated at this many standard deviations (weight beyond: < 1e-14)
KERNEL_SIGMAS = 8.0
#: the sampled Gaussian kernel of the streak camera is truncated at this many standard deviations
SAMPLED_KERNEL_SIGMAS = 6.0


def fwhm_to_sigma(fwhm):
    """Standard deviation of a Gaussian of the given full width at half maximum.

    Parameters
    ----------
    fwhm : float or ndarray
        Full width at half maximum (any unit, e.g. ps or meV).

    Returns
    -------
    float or ndarray
        sigma = fwhm / (2 sqrt(2 ln 2)), in the unit of ``fwhm``.
    """
    return fwhm / FWHM_PER_SIGMA


def sigma_to_fwhm(sigma):
    """Full width at half maximum of a Gaussian of standard deviation ``sigma``.

    Parameters
    ----------
    sigma : float or ndarray
        Standard deviation (any unit).

    Returns
    -------
    float or ndarray
        FWHM = 2 sqrt(2 ln 2) sigma, in the unit of ``sigma``.
    """
    return sigma * FWHM_PER_SIGMA


def check_irf_fwhm(irf_fwhm, times):
    """Validate a Gaussian IRF's FWHM against the sampling of the data it is applied to.

    Parameters
    ----------
    irf_fwhm : float or None
        FWHM (ps) of the Gaussian response; None for no response.
    times : array_like
        Sample times (ps), increasing.

    Returns
    -------
    float or None
        The FWHM (ps), or None.

    Raises
    ------
    ValueError
        For a FWHM that is not > 0, below 1 % of the smallest sampling step, or above 10 times the record.
    """
    if irf_fwhm is None:
        return None
    fwhm = check_real("irf_fwhm", irf_fwhm, low=0.0, low_open=True)
    times = np.asarray(times, dtype=float)
    if times.size >= 2:
        spacing = float(np.min(np.diff(times)))
        record = float(times[-1] - times[0])
        if fwhm < 0.01 * spacing:
            raise ValueError(
                f"irf_fwhm = {fwhm:g} ps is below 1 % of the sampling step ({spacing:g} ps): an instrument "
                "response that narrow cannot be seen in these data; omit irf_fwhm"
            )
        if fwhm > 10.0 * record:
            raise ValueError(
                f"irf_fwhm = {fwhm:g} ps exceeds 10 times the record length ({record:g} ps): the trace would "
                "be a copy of the instrument response; check the unit (ps) of irf_fwhm"
            )
    return fwhm


def irf_reach(irf_fwhm, irf, step):
    """How far (ps) an instrument response reaches before zero delay.

    Parameters
    ----------
    irf_fwhm : float
        FWHM (ps) of a Gaussian response (used when ``irf`` is None).
    irf : array_like or None
        A measured response sampled at ``step``.
    step : float
        Sampling step (ps) of ``irf``.

    Returns
    -------
    float
        :data:`KERNEL_SIGMAS` sigma of the Gaussian (computed as 8 FWHM / 2.355), or the measured response's
        length, ``len(irf) * step`` (ps).
    """
    if irf is not None:
        return float(np.size(irf) * step)
    return KERNEL_SIGMAS * float(irf_fwhm) / FWHM_PER_SIGMA


def convolve_anchored(times, anchor, profile, fwhm, *, step_at_anchor):
    """Gaussian-IRF convolution of ``profile(s)``, s = t - anchor, evaluated at ``times`` (no input checks).

    Midpoint sum on the grid s_k = (k + 1/2) h, h = sigma / 8, fixed relative to the anchor (k >= 0 only
    when the component is zero before its anchor), so the result is smooth in the anchor. The profile is
    evaluated once per grid node; each data time sums the nodes within :data:`KERNEL_SIGMAS` sigma.

    Parameters
    ----------
    times : array_like
        Times (ps) at which the convolution is evaluated.
    anchor : float
        Time (ps) the component's profile is measured from.
    profile : callable
        ``profile(s)`` for an array of times s (ps) since the anchor.
    fwhm : float
        FWHM (ps) of the Gaussian response, > 0 (not checked).
    step_at_anchor : bool
        The component is zero before its anchor.

    Returns
    -------
    ndarray
        The convolved component at ``times`` (unit of the profile).
    """
    sigma = fwhm_to_sigma(fwhm)
    h = sigma / 8.0
    x = np.asarray(times, dtype=float) - anchor
    reach = KERNEL_SIGMAS * sigma
    width = int(np.ceil(2.0 * reach / h)) + 2
    first = np.floor((x - reach) / h - 0.5).astype(np.int64)
    k_min = int(first.min())
    nodes = np.arange(k_min, int(first.max()) + width, dtype=np.int64)
    values = profile((nodes + 0.5) * h)
    if step_at_anchor:
        values = np.where(nodes >= 0, values, 0.0)
    k = first[:, None] + np.arange(width)[None, :]
    weights = np.exp(-0.5 * ((x[:, None] - (k + 0.5) * h) / sigma) ** 2)
    return (weights * values[k - k_min]).sum(axis=1) * (h / (math.sqrt(2.0 * math.pi) * sigma))


def convolve_gaussian(func, times, fwhm):
    """func(t) convolved with a unit-area Gaussian of the given FWHM (ps), evaluated at ``times``.

    The quadrature grid is anchored at t = 0 (see :func:`convolve_anchored`); ``func`` must accept arrays.

    Parameters
    ----------
    func : callable
        ``func(t)`` for an array of times t (ps).
    times : array_like
        Times (ps) at which the convolution is evaluated.
    fwhm : float
        FWHM (ps) of the Gaussian, > 0.

    Returns
    -------
    ndarray
        The convolution at ``times`` (unit of ``func``).

    Raises
    ------
    ValueError
        For non-finite times or a FWHM that is not > 0.
    """
    times = check_real_array("times", times)
    fwhm = check_real("fwhm", fwhm, low=0.0, low_open=True)
    return convolve_anchored(times, 0.0, func, fwhm, step_at_anchor=False)


def convolve_gaussian_profile(times, anchor, profile, fwhm):
    """Gaussian-IRF convolution of a component that is zero before ``anchor``, smooth in the anchor.

    Parameters
    ----------
    times : array_like
        Times (ps) at which the convolution is evaluated.
    anchor : float
        Time (ps) at which the component switches on.
    profile : callable
        ``profile(s)``: the component at times s >= 0 since the anchor (vectorised).
    fwhm : float
        FWHM (ps) of the Gaussian response, > 0.

    Returns
    -------
    ndarray
        The convolved component at ``times`` (unit of the profile).

    Raises
    ------
    ValueError
        For non-finite times or a FWHM that is not > 0.
    """
    times = check_real_array("times", times)
    fwhm = check_real("fwhm", fwhm, low=0.0, low_open=True)
    return convolve_anchored(times, float(anchor), profile, fwhm, step_at_anchor=True)


def convolve_measured(times, anchor, profile, irf):
    """Convolution with a measured IRF (sampled at the step of ``times``, zero delay at its maximum).

    The response is taken piecewise linear between its samples and normalised to unit area (trapezoid);
    the component is sampled on a grid fixed relative to its anchor (step / 4, midpoints, zero before the
    anchor), so that the record is a continuous function of the anchor, as the Gaussian route of
    :func:`convolve_gaussian_profile`. Inputs are not checked.

    Parameters
    ----------
    times : ndarray
        Equally spaced times (ps), at least two.
    anchor : float
        Time (ps) at which the component switches on.
    profile : callable
        ``profile(s)``: the component at times s >= 0 since the anchor (vectorised).
    irf : ndarray
        The measured response, non-negative, sampled at the step of ``times``.

    Returns
    -------
    ndarray
        The convolved component at ``times`` (unit of the profile).
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


def sampled_gaussian_irf(fwhm, step):
    """A Gaussian response sampled at ``step``, truncated at 6 sigma, and the index of its zero delay.

    Parameters
    ----------
    fwhm : float
        FWHM (ps) of the response, > 0 (not checked).
    step : float
        Sampling step (ps).

    Returns
    -------
    kernel : ndarray
        exp(-(k step)^2 / (2 sigma^2)) for k = -r ... r, r = ceil(6 sigma / step) (not normalised).
    zero : int
        Index of zero delay in ``kernel`` (r).
    """
    sigma = fwhm_to_sigma(fwhm)
    reach = int(np.ceil(SAMPLED_KERNEL_SIGMAS * sigma / step))
    kernel = np.exp(-0.5 * (np.arange(-reach, reach + 1) * step / sigma) ** 2)
    return kernel, reach


def convolve_sampled(values, kernel, zero):
    """Discrete convolution of traces on their own grid with a sampled response, as a detector records them.

    ``recorded[i] = sum_k trace[i + zero - k] kernel[k] / sum(kernel)``: the trace is zero before its first
    sample (the excitation) and continued with its last value beyond the window.

    Parameters
    ----------
    values : ndarray, shape (nt,) or (nt, k)
        Trace(s) on an equally spaced grid; columns are separate traces.
    kernel : ndarray
        The response sampled at the grid's step, >= 0 with a positive sum (not checked).
    zero : int
        Index of zero delay in ``kernel``.

    Returns
    -------
    ndarray
        The recorded trace(s), shape of ``values``, same unit.
    """
    kernel = kernel / kernel.sum()
    nt = values.shape[0]
    column = values.reshape(nt, -1)
    extended = np.concatenate([column, np.repeat(column[-1:], zero, axis=0)])
    out = np.stack([np.convolve(extended[:, c], kernel)[zero: zero + nt] for c in range(column.shape[1])],
                   axis=1)
    return out.reshape(values.shape)
