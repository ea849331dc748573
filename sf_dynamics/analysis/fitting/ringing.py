"""Ringing detection: the lobes of a trace, their times and heights, and the modulation depth."""

from __future__ import annotations

import numpy as np
from scipy.signal import find_peaks

from ..._validation import check_real
from ...kernels.peaks import parabolic_vertex
from .core import trace_data

__all__ = ["detect_ringing"]


def detect_ringing(data, intensity=None, *, min_prominence=0.02):
    """Lobes of a ringing trace.

    A lobe is a local maximum whose prominence exceeds ``min_prominence``
    times the global maximum. Returns a dict with ``lobes`` (count),
    ``lobe_times`` and ``lobe_heights``, ``minimum_times`` (the intensity
    minima between successive lobes) and ``modulation_depth`` = (I_2 - I_min)
    / I_2 for the first minimum and the second lobe (0 without ringing, 1 for
    a true zero).

    Parameters
    ----------
    data, intensity
        A Result, (times, intensity) arrays, or a trace file.
    min_prominence : float
        Smallest lobe prominence, as a share of the global maximum, >= 0.

    Returns
    -------
    dict
        ``lobes``, ``lobe_times`` (ps), ``lobe_heights``, ``minimum_times`` (ps), ``modulation_depth``.

    Raises
    ------
    ValueError
        For unusable data or a negative ``min_prominence``.
    """
    t, y = trace_data(data, intensity)
    check_real("min_prominence", min_prominence, low=0.0)
    peaks, _ = find_peaks(y, prominence=min_prominence * float(np.max(y)))
    if y[0] == np.max(y) and (peaks.size == 0 or peaks[0] != 0):
        peaks = np.concatenate([[0], peaks]).astype(int)  # a decay that starts at its maximum
    minima = [a + int(np.argmin(y[a : b + 1])) for a, b in zip(peaks[:-1], peaks[1:])]
    depth = 0.0
    if len(peaks) >= 2:
        depth = float((y[peaks[1]] - max(y[minima[0]], 0.0)) / y[peaks[1]])
    return {
        "lobes": int(len(peaks)),
        "lobe_times": np.array([parabolic_vertex(t, y, i)[0] for i in peaks]),
        "lobe_heights": y[peaks],
        "minimum_times": np.array([parabolic_vertex(t, y, i)[0] for i in minima]),
        "modulation_depth": depth,
    }
