"""What an instrument records: simulated traces seen through a detector.

:func:`streak_camera` convolves a simulated emission-rate trace with the
Gaussian instrument response function (IRF) of a streak camera (or any
time-correlated detector) and, optionally, integrates it into time bins, so
that what is plotted or fitted is what the instrument would show. The trace
is zero before the excitation at its first time and is continued with its
last value beyond the end of the window (the end effect is below the last
value times the IRF's tail).
"""

from __future__ import annotations

import numpy as np

from .._validation import check_real, check_real_array

__all__ = ["streak_camera", "FWHM_PER_SIGMA"]

FWHM_PER_SIGMA = 2.0 * np.sqrt(2.0 * np.log(2.0))


def streak_camera(times, values, irf_fwhm, *, time_bin=None):
    """A trace as a streak camera with a Gaussian IRF of FWHM ``irf_fwhm`` (ps) records it.

    Parameters
    ----------
    times : array_like, shape (nt,)
        Equally spaced times (ps), the first the excitation.
    values : array_like, shape (nt,) or (nt, k)
        Emission rate(s) (photons/ps) at those times; columns are separate traces.
    irf_fwhm : float
        FWHM of the instrument response (ps), > 0.
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
    fwhm = check_real("irf_fwhm", irf_fwhm, low=0.0, low_open=True)
    if fwhm > record:
        raise ValueError(f"irf_fwhm = {fwhm:g} ps exceeds the record length {record:g} ps")
    sigma = fwhm / FWHM_PER_SIGMA
    reach = int(np.ceil(6.0 * sigma / h))
    offsets = np.arange(-reach, reach + 1) * h
    kernel = np.exp(-0.5 * (offsets / sigma) ** 2)
    kernel /= kernel.sum()
    column = y.reshape(t.size, -1)
    padded = np.concatenate([np.zeros((reach, column.shape[1])), column,
                             np.repeat(column[-1:], reach, axis=0)])
    out = np.stack([np.convolve(padded[:, c], kernel, mode="valid") for c in range(column.shape[1])], axis=1)
    out = out.reshape(y.shape)
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
