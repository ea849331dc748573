"""Reading a fluence series: measured traces on one equally spaced time base, one row per trace."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..._validation import check_real, check_real_array
from ...analysis.traces import load_trace

__all__ = ["read_series"]


def read_series(traces, *, time_unit_ps=None):
    """A fluence series of traces as (times, data): one time base, one row per trace.

    Parameters
    ----------
    traces : sequence of paths, sequence of (times, values) pairs, or (times, 2-D array)
        Trace files (read by :func:`sf_dynamics.analysis.traces.load_trace`), pairs of arrays, or one time
        array with a (k, nt) array of values.
    time_unit_ps : float, optional
        Picoseconds per time unit of the traces, finite and > 0: of files (default the unit their header names,
        else ps; :func:`~sf_dynamics.analysis.traces.load_trace`) and of time arrays (default ps).

    Returns
    -------
    times : ndarray, shape (nt,)
    data : ndarray, shape (k, nt)

    Raises
    ------
    ValueError
        For no traces, an empty file or trace, traces of different time bases, unequally spaced or
        non-increasing times, or non-finite values.
    """
    unit = None if time_unit_ps is None else check_real("time_unit_ps", time_unit_ps, low=0.0, low_open=True)
    scale = 1.0 if unit is None else unit     # arrays are in ps unless a unit is given
    if isinstance(traces, tuple) and len(traces) == 2 and np.ndim(traces[0]) == 1 and np.ndim(traces[1]) == 2:
        times = check_real_array("times", traces[0]) * scale
        rows = [check_real_array("traces", row) for row in np.asarray(traces[1], dtype=float)]
        pairs = [(times, row) for row in rows]
    else:
        if isinstance(traces, (str, Path)) or not hasattr(traces, "__len__") or len(traces) == 0:
            raise ValueError("traces must be a non-empty sequence of trace files or (times, values) pairs")
        pairs = []
        for i, item in enumerate(traces):
            if isinstance(item, (str, Path)):
                pairs.append(load_trace(item, time_unit_ps=time_unit_ps))
            else:
                try:
                    t, y = item
                except (TypeError, ValueError):
                    raise ValueError(f"traces[{i}] must be a file path or a (times, values) pair") from None
                pairs.append((check_real_array(f"traces[{i}] times", t) * scale,
                              check_real_array(f"traces[{i}] values", y)))
    times = np.asarray(pairs[0][0], dtype=float)
    for i, (t, y) in enumerate(pairs):
        t, y = np.asarray(t, dtype=float), np.asarray(y, dtype=float)
        if t.ndim != 1 or t.size < 10 or y.shape != t.shape:
            raise ValueError(f"traces[{i}] must hold at least 10 samples with one value per time, got times "
                             f"{t.shape} and values {y.shape}")
        if t.shape != times.shape or np.max(np.abs(t - times)) > 1e-9 * max(np.ptp(times), 1.0):
            raise ValueError(f"traces[{i}] has a different time base from traces[0]: all traces of a series must "
                             "share their times (one streak-camera setting); resample them first")
    step = np.diff(times)
    if np.any(step <= 0) or np.max(np.abs(step - step[0])) > 1e-6 * step[0]:
        raise ValueError("traces: the times must be equally spaced and increasing (streak-camera bins)")
    return times, np.array([np.asarray(y, dtype=float) for _, y in pairs])
