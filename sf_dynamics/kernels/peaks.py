"""Peak location below the sampling step: the vertex of a parabola through three samples (numba).

One formula serves the analysis of a single trace (tau_D, peak, ringing
lobes and minima) and the per-shot delays of thousands of trajectories.
"""

from __future__ import annotations

import numba as nb
import numpy as np

__all__ = ["parabolic_vertex", "trace_maxima", "peak_fwhm", "TIE_RTOL"]


@nb.njit(cache=True)
def parabolic_vertex(t, y, i):
    """Vertex (t, y) of the parabola through samples i - 1, i, i + 1 (any spacing).

    At the first or last sample, or for three samples on a straight line,
    the sample itself is returned; the vertex is clipped to the interval of
    the two neighbours.
    """
    if i <= 0 or i >= t.size - 1:
        return t[i], y[i]
    x0 = t[i - 1] - t[i]
    x2 = t[i + 1] - t[i]
    d0 = (y[i - 1] - y[i]) / x0
    d2 = (y[i + 1] - y[i]) / x2
    a = (d2 - d0) / (x2 - x0)
    if a == 0.0:
        return t[i], y[i]
    b = d0 - a * x0
    dx = -b / (2.0 * a)
    dx = min(max(dx, x0), x2)
    return t[i] + dx, y[i] + b * dx + a * dx * dx


#: relative margin by which a later sample must exceed the running maximum to become the peak
TIE_RTOL = 1e-9


@nb.njit(parallel=True, cache=True)
def trace_maxima(times, traces):
    """Time and height of each row's maximum (parabolic refinement), arrays of shape (rows,).

    The peak is the first sample that reaches the row's maximum: a later sample replaces it only if it
    is higher by more than :data:`TIE_RTOL` relative. Rates that are equal in exact arithmetic (the
    Dicke ladder's m = 1 and m = 0 steps of an even N, Gamma (j + m)(j - m + 1)) therefore give the
    same peak whatever the time unit, instead of the one that floating-point rounding favours. A row
    whose last sample reaches its maximum after rising from its first (still rising, or on a plateau,
    where the window ends) gets the last time and sample: its maximum may lie beyond the window.
    """
    rows, nt = traces.shape
    t_peak = np.empty(rows)
    h_peak = np.empty(rows)
    for r in nb.prange(rows):
        best = 0
        for s in range(1, nt):
            if traces[r, s] > traces[r, best] + TIE_RTOL * abs(traces[r, best]):
                best = s
        last = traces[r, nt - 1]
        if last > traces[r, 0] and last >= traces[r, best] - TIE_RTOL * abs(traces[r, best]):
            best = nt - 1
        t_peak[r], h_peak[r] = parabolic_vertex(times, traces[r], best)
    return t_peak, h_peak


def peak_fwhm(x, y):
    """Full width at half maximum of the peak that holds the largest sample (same unit as x).

    The half-maximum crossings are the nearest ones on either side of the
    maximum (side peaks beyond a dip below half are not included), linearly
    interpolated between samples; a peak that does not fall to half within
    the grid is measured to the grid's end.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    top = int(np.argmax(y))
    half = 0.5 * y[top]
    below = np.nonzero(y[:top] < half)[0]
    if below.size:
        i = below[-1]
        left = x[i] + (half - y[i]) * (x[i + 1] - x[i]) / (y[i + 1] - y[i])
    else:
        left = x[0]
    below = np.nonzero(y[top:] < half)[0]
    if below.size:
        i = top + below[0]
        right = x[i - 1] + (y[i - 1] - half) * (x[i] - x[i - 1]) / (y[i - 1] - y[i])
    else:
        right = x[-1]
    return float(right - left)
