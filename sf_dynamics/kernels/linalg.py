"""Small fused vector kernels used by the stiff integrator (numba, cache=True)."""

from __future__ import annotations

import numba as nb
import numpy as np

__all__ = ["combine", "stage_slope", "l1_norm"]


@nb.njit(cache=True, parallel=True)
def combine(out, y, stages, coefficients, count):
    """out = y + sum_{s < count} coefficients[s] * stages[s]  (one pass)."""
    n = y.shape[0]
    for i in nb.prange(n):
        acc = y[i]
        for s in range(count):
            acc += coefficients[s] * stages[s, i]
        out[i] = acc


@nb.njit(cache=True, parallel=True)
def stage_slope(out, stage_value, rhs, inv_h_gamma):
    """out = (stage_value - rhs) / (h gamma): the stage derivative M Y."""
    n = stage_value.shape[0]
    for i in nb.prange(n):
        out[i] = (stage_value[i] - rhs[i]) * inv_h_gamma


@nb.njit(cache=True)
def l1_norm(x):
    """sum_i |x_i|."""
    total = 0.0
    for i in range(x.shape[0]):
        total += abs(x[i])
    return total


def as_stage_array(n_stages: int, size: int, dtype) -> np.ndarray:
    """Allocate the (n_stages, size) stage-derivative storage."""
    return np.zeros((n_stages, size), dtype=dtype)
