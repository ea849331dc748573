"""Fused numba kernels of Runge-Kutta stages on large state vectors (explicit and stiff integrators).

For the per-emitter cumulant state (~3 n^2 numbers) a Runge-Kutta step is
memory bound outside the right-hand side: every stage forms
y + h sum_j a_j K_j. These kernels do each such combination, the weighted
RMS error norm, the stage slope of a singly diagonally implicit method and
the L1 norm in one pass without temporaries. Each parallel kernel has a
serial twin for small states (see :mod:`.jit`).
"""

from __future__ import annotations

import math

import numba as nb

from .jit import serial_twin

__all__ = ["combine_stages", "scaled_error_norm", "stage_slope", "l1_norm", "hermite", "combine_stages_serial",
           "scaled_error_norm_serial", "stage_slope_serial", "hermite_serial"]

_JIT = dict(cache=True)


@nb.njit(parallel=True, **_JIT)
def combine_stages(y, stages, weights, h, out):
    """out = y + h * sum_j weights[j] * stages[j] (j < len(weights)), one pass.

    Parameters
    ----------
    y : ndarray, shape (m,)
    stages : ndarray, shape (s, m)
        Stage derivatives K_j.
    weights : ndarray, shape (r,), r <= s
    h : float
        Step (ps).
    out : ndarray, shape (m,)
        Written in place (may not alias ``stages``; may alias ``y``).
    """
    count = weights.size
    for i in nb.prange(y.size):
        acc = 0.0
        for j in range(count):
            acc += weights[j] * stages[j, i]
        out[i] = y[i] + h * acc


@nb.njit(parallel=True, **_JIT)
def scaled_error_norm(y, y_new, stages, error_weights, h, rtol, atol):
    """RMS of h sum_j E_j K_j / (atol + rtol max(|y|, |y_new|)) over all components.

    Parameters
    ----------
    y, y_new : ndarray, shape (m,)
        State at the start and at the end of the step.
    stages : ndarray, shape (s, m)
    error_weights : ndarray, shape (s,)
        Difference of the two embedded solutions' weights.
    h, rtol : float
    atol : ndarray, shape (m,)
        Absolute tolerance of each component.
    """
    count = error_weights.size
    total = 0.0
    for i in nb.prange(y.size):
        err = 0.0
        for j in range(count):
            err += error_weights[j] * stages[j, i]
        scale = atol[i] + rtol * max(abs(y[i]), abs(y_new[i]))
        ratio = h * err / scale
        total += ratio * ratio
    return math.sqrt(total / y.size)


@nb.njit(parallel=True, **_JIT)
def stage_slope(out, stage_value, rhs, inv_h_gamma):
    """out = (stage_value - rhs) / (h gamma): the stage derivative M Y of a singly diagonally implicit step."""
    n = stage_value.shape[0]
    for i in nb.prange(n):
        out[i] = (stage_value[i] - rhs[i]) * inv_h_gamma


@nb.njit(**_JIT)
def l1_norm(x):
    """sum_i |x_i|."""
    total = 0.0
    for i in range(x.shape[0]):
        total += abs(x[i])
    return total


@nb.njit(parallel=True, **_JIT)
def hermite(out, y0, y1, f0, f1, theta, h):
    """out = cubic Hermite interpolant at t0 + theta h of y (values y0, y1 and slopes f0, f1 at the step ends)."""
    h00 = (1.0 + 2.0 * theta) * (1.0 - theta) ** 2
    h01 = theta * theta * (3.0 - 2.0 * theta)
    h10 = theta * (1.0 - theta) ** 2 * h
    h11 = theta * theta * (theta - 1.0) * h
    for i in nb.prange(out.shape[0]):
        out[i] = h00 * y0[i] + h01 * y1[i] + h10 * f0[i] + h11 * f1[i]


combine_stages_serial = serial_twin(combine_stages)
hermite_serial = serial_twin(hermite)
scaled_error_norm_serial = serial_twin(scaled_error_norm)
stage_slope_serial = serial_twin(stage_slope)
