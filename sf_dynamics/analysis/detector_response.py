"""Detector response: what an instrument records of a simulated quantity.

* :func:`streak_camera` convolves a simulated emission-rate trace with the
  Gaussian instrument response function (IRF) of a streak camera (or any
  time-correlated detector) and, optionally, integrates it into time bins, so
  that what is plotted or fitted is what the instrument would show. The trace
  is zero before the excitation at its first time and is continued with its
  last value beyond the end of the window (the end effect is below the last
  value times the IRF's tail); the convolution itself is
  :func:`sf_dynamics.analysis.instrument.convolve_sampled`.
* :func:`spectrometer` convolves a spectrum with the Gaussian resolution of a
  spectrometer (FWHM in meV).
* :func:`michelson_visibility`: the fringe visibility of a Michelson
  interferometer against its path difference, |g1(tau)| at tau = path / c.
* Hanbury Brown-Twiss: :func:`sf_dynamics.statistics.photon_counts` (slow
  detectors, collection efficiency) and :func:`sf_dynamics.statistics.zero_delay_g2`.
"""

from __future__ import annotations

import numpy as np

from .._validation import check_real, check_real_array
from .instrument import FWHM_PER_SIGMA, convolve_sampled, fwhm_to_sigma, sampled_gaussian_irf

__all__ = ["streak_camera", "spectrometer", "michelson_visibility", "FWHM_PER_SIGMA", "C_UM_PER_PS"]

#: speed of light (micrometres per picosecond)
C_UM_PER_PS = 299.792458


def streak_camera(times, values, irf_fwhm=None, *, irf=None, time_bin=None):
    """A trace as a streak camera with a Gaussian IRF of FWHM ``irf_fwhm`` (ps), or a measured IRF, records it.

    Parameters
    ----------
    times : array_like, shape (nt,)
        Equally spaced times (ps), the first the excitation.
    values : array_like, shape (nt,) or (nt, k)
        Emission rate(s) (photons/ps) at those times; columns are separate traces.
    irf_fwhm : float, optional
        FWHM of a Gaussian instrument response (ps), > 0.
    irf : array_like, optional
        Instead of ``irf_fwhm``: a measured response sampled at the step of ``times`` (e.g. the recorded
        scattered pump pulse), >= 0 with a positive sum; it is normalised, and its maximum marks zero delay.
    time_bin : float, optional
        Width (ps) of the detector's time bins; the convolved trace is
        averaged over bins [t0 + i w, t0 + (i + 1) w) and the bin centres
        are returned.

    Returns
    -------
    times : ndarray
        The input times, or the bin centres.
    recorded : ndarray
        The convolved (and binned) trace(s), same units.

    Raises
    ------
    ValueError
        For unequal spacing, mismatched shapes, or an IRF / bin outside
        (0, record length].
    """
    t = check_real_array("times", times)
    y = check_real_array("values", values)
    if t.ndim != 1 or t.size < 3:
        raise ValueError(f"times must be a 1-D array of at least 3 times, got shape {t.shape}")
    if y.shape[0] != t.size or y.ndim > 2:
        raise ValueError(f"values must have shape ({t.size},) or ({t.size}, k), got {y.shape}")
    step = np.diff(t)
    if np.any(step <= 0) or np.max(np.abs(step - step[0])) > 1e-9 * step[0]:
        raise ValueError("times must be equally spaced and increasing for the detector convolution")
    h = float(step[0])
    record = float(t[-1] - t[0])
    if (irf_fwhm is None) == (irf is None):
        raise ValueError("give either irf_fwhm (a Gaussian response, ps) or irf (a measured response array)")
    if irf is None:
        fwhm = check_real("irf_fwhm", irf_fwhm, low=0.0, low_open=True)
        if fwhm > record:
            raise ValueError(f"irf_fwhm = {fwhm:g} ps exceeds the record length {record:g} ps")
        kernel, zero = sampled_gaussian_irf(fwhm, h)
    else:
        kernel = check_real_array("irf", irf, nonnegative=True)
        if kernel.ndim != 1 or kernel.size > t.size or not kernel.sum() > 0:
            raise ValueError(f"irf must be a 1-D non-negative response with a positive sum, at most as long as "
                             f"times ({t.size} samples), got shape {kernel.shape}")
        zero = int(np.argmax(kernel))                    # the sample of zero delay
    out = convolve_sampled(y, kernel, zero)
    if time_bin is None:
        return t.copy(), out
    width = check_real("time_bin", time_bin, low=0.0, low_open=True)
    per_bin = max(1, int(round(width / h)))
    if per_bin * 2 > t.size:
        raise ValueError(f"time_bin = {width:g} ps leaves fewer than 2 bins in the record")
    bins = t.size // per_bin
    trimmed = out[: bins * per_bin].reshape(bins, per_bin, *out.shape[1:]).mean(axis=1)
    centres = t[0] + (np.arange(bins) + 0.5) * per_bin * h
    return centres, trimmed


def spectrometer(spectrum, resolution_meV):
    """A spectrum (:func:`sf_dynamics.spectra.spectrum`) as a spectrometer of Gaussian resolution records it.

    Parameters
    ----------
    spectrum : xarray.DataArray
        With an ``energy_meV`` coordinate along its last dimension, equally spaced.
    resolution_meV : float
        FWHM of the instrument's line (meV), > 0 and below the spectral window.

    Returns
    -------
    xarray.DataArray
        The convolved spectrum on the same grid; its integral is kept (the line is zero outside the window).

    Raises
    ------
    ValueError
        Without an equally spaced ``energy_meV`` coordinate, or for a resolution outside (0, window].
    """
    if "energy_meV" not in getattr(spectrum, "coords", {}):
        raise ValueError("spectrum must be a DataArray with an energy_meV coordinate (sf_dynamics.spectra.spectrum)")
    energy = np.asarray(spectrum["energy_meV"].values, dtype=np.float64)
    step = np.diff(energy)
    if energy.size < 3 or np.max(np.abs(step - step[0])) > 1e-6 * abs(step[0]):
        raise ValueError("spectrum: the energy_meV coordinate must be equally spaced")
    fwhm = check_real("resolution_meV", resolution_meV, low=0.0, low_open=True)
    if fwhm > abs(energy[-1] - energy[0]):
        raise ValueError(f"resolution_meV = {fwhm:g} exceeds the spectral window {abs(energy[-1] - energy[0]):g} meV")
    sigma = fwhm_to_sigma(fwhm) / abs(step[0])
    reach = int(np.ceil(6.0 * sigma))
    kernel = np.exp(-0.5 * (np.arange(-reach, reach + 1) / sigma) ** 2)
    kernel /= kernel.sum()
    if spectrum.dims[-1] != spectrum["energy_meV"].dims[0]:
        raise ValueError("spectrum: energy_meV must be the coordinate of its last dimension")
    values = np.apply_along_axis(lambda row: np.convolve(row, kernel)[reach: reach + row.size], -1,
                                 spectrum.values)
    out = spectrum.copy(data=values)
    out.attrs = {**spectrum.attrs, "resolution_meV": fwhm}
    return out


def michelson_visibility(g1, path_difference_um):
    """Fringe visibility of a Michelson interferometer: |g1(tau)| at tau = path difference / c.

    Parameters
    ----------
    g1 : xarray.DataArray
        The time-integrated first-order coherence over ``tau`` (ps),
        :func:`sf_dynamics.spectra.normalized_g1` (1 at tau = 0).
    path_difference_um : array_like
        Optical path differences (micrometres), >= 0, within c times the largest delay.

    Returns
    -------
    ndarray
        Visibilities in [0, 1] (linear interpolation of |g1|).

    Raises
    ------
    ValueError
        For negative path differences or ones beyond the delays of ``g1``.
    """
    path = np.atleast_1d(check_real_array("path_difference_um", path_difference_um, nonnegative=True))
    taus = np.asarray(g1["tau"].values, dtype=np.float64)
    delay = path / C_UM_PER_PS
    if np.any(delay > taus[-1] * (1 + 1e-12)):
        raise ValueError(f"path_difference_um reaches {path.max():g} um, beyond the largest delay of g1 "
                         f"({taus[-1]:g} ps = {taus[-1] * C_UM_PER_PS:g} um)")
    return np.interp(delay, taus, np.abs(np.asarray(g1.values)))
