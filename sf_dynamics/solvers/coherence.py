"""The equal-time second-order coherence of the collective channel from its pair and photon rates.

Public: the solvers fill ``Result.data["g2"]`` with :func:`equal_time_g2`, and
:mod:`sf_dynamics.statistics` computes the same ratio from two-time correlations.
"""

from __future__ import annotations

import numpy as np

__all__ = ["equal_time_g2", "collective_pair_rate"]


def equal_time_g2(pairs, rate):
    """g2 = pairs / rate^2 at every time, without overflow of rate^2; NaN where the rate vanishes.

    ``pairs`` and ``rate`` in matching units: <J+ J+ J- J-> and <J+ J->, or Gamma_c^2 and Gamma_c times them.
    """
    pairs, rate = np.asarray(pairs, dtype=np.float64), np.asarray(rate, dtype=np.float64)
    bright = rate > 1e-300
    safe = np.where(bright, rate, 1.0)
    with np.errstate(over="ignore"):
        return np.where(bright, (pairs / safe) / safe, np.nan)


def collective_pair_rate(pairs, collective_decay):
    """Gamma_c^2 <J+ J+ J- J-> (pairs/ps^2) from the moment, 0 where it is not positive (inf beyond float64)."""
    rate = np.float64(collective_decay)
    with np.errstate(over="ignore"):
        return np.where(pairs > 0, rate * (rate * pairs), 0.0)
