"""Estimators over sampled trajectories, shared by the shot-based methods and the photon statistics.

Public: :mod:`sf_dynamics.statistics` applies :func:`ratio_of_means` to detected photon numbers, the
``twa`` and ``jumps`` methods to the pair and photon rates of their trajectories.
"""

from __future__ import annotations

import numpy as np

__all__ = ["ratio_of_means"]


def ratio_of_means(numerator, denominator, *, power=1):
    """mean(numerator) / mean(denominator)**power per column, with its standard error (delta method).

    Parameters
    ----------
    numerator, denominator : ndarray (M, nt)
        Per-trajectory estimators.
    power : int

    Returns
    -------
    ratio, sem : ndarray (nt,)
        NaN where the mean denominator is not positive.
    """
    count = numerator.shape[0]
    a, b = numerator.mean(axis=0), denominator.mean(axis=0)
    ok = b > 1e-300
    safe = np.where(ok, b, 1.0)
    ratio = np.where(ok, a / safe**power, np.nan)
    # var(a/b^p) ~ [var a - 2 p r cov(a, b) b^(p-1) + p^2 r^2 b^(2p-2) var b] / b^(2p) with r = a / b^p
    da, db = numerator - a, denominator - b
    var_a = np.einsum("ij,ij->j", da, da) / max(count - 1, 1)
    var_b = np.einsum("ij,ij->j", db, db) / max(count - 1, 1)
    cov = np.einsum("ij,ij->j", da, db) / max(count - 1, 1)
    r = np.where(ok, ratio, 0.0)
    var = (var_a - 2 * power * r * cov * safe ** (power - 1) + power**2 * r**2 * safe ** (2 * power - 2) * var_b)
    sem = np.where(ok, np.sqrt(np.maximum(var, 0.0) / count) / safe**power, np.nan)
    return ratio, sem
