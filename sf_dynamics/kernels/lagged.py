"""Lagged products of sampled fields: two-time correlations averaged over trajectories."""

from __future__ import annotations

import numba as nb
import numpy as np

__all__ = ["lagged_products", "rescaled_lagged_error"]


@nb.njit(parallel=True, cache=True)
def lagged_products(field, rows, lags):
    """Mean and mean square of conj(a_r(k + j)) a_r(k) over trajectories r.

    Parameters
    ----------
    field : ndarray of complex128, shape (records, M)
        Amplitude of each of M trajectories on a uniform time grid (trajectories contiguous).
    rows, lags : int
        Start indices k < rows and lags j < lags; needs records >= rows + lags - 1.

    Returns
    -------
    ndarray of complex128, shape (rows, lags)
    """
    m = field.shape[1]
    mean = np.empty((rows, lags), dtype=np.complex128)
    for k in nb.prange(rows):
        for j in range(lags):
            acc = 0.0j
            for r in range(m):
                acc += np.conj(field[k + j, r]) * field[k, r]
            mean[k, j] = acc / m
    return mean


@nb.njit(parallel=True, cache=True)
def rescaled_lagged_error(field, normal, scale, ratio, target):
    """Standard error of G[k, j] = scale[k] C[k, j], scale[k] = <e(k)> / C[k, 0], by the delta method.

    With p_r = conj(a_r(k + j)) a_r(k), q_r = |a_r(k)|^2 and e_r = normal[k, r],
    the estimator is linearised into per-trajectory terms
    x_r = scale p_r + ratio (e_r - scale q_r), ratio = C[k, j] / C[k, 0], whose
    mean is ``target`` = G[k, j]; returns sqrt(sum_r |x_r - G|^2 / (M (M - 1))).
    field (records, M) complex, normal (rows, M) real, scale (rows,), ratio and target (rows, lags).
    """
    m = field.shape[1]
    rows, lags = target.shape
    out = np.empty((rows, lags))
    for k in nb.prange(rows):
        for j in range(lags):
            acc = 0.0
            for r in range(m):
                a = field[k, r]
                x = (scale[k] * np.conj(field[k + j, r]) * a
                     + ratio[k, j] * (normal[k, r] - scale[k] * (a.real * a.real + a.imag * a.imag)) - target[k, j])
                acc += x.real * x.real + x.imag * x.imag
            out[k, j] = np.sqrt(acc / (m * max(m - 1, 1)))
    return out
