"""The Chebyshev core of the kernel-polynomial routes (:mod:`.kpm`, :mod:`.photoluminescence`).

With H scaled into [-1, 1], x = (H - center) / half, the vectors T_k(x) v follow the three-term recursion
T_0 v = v, T_1 v = x v, T_{k+1} v = 2 x T_k v - T_{k-1} v, one product with H per term; a Boltzmann factor
is the Chebyshev series e^{-b (x + 1)} = sum_k (2 - delta_k0) (-1)^k e^{-b} I_k(b) T_k(x) (modified Bessel
functions, scaled by e^{-b}: every term stays below 1), which needs about b + 6 b^(1/3) + 30 terms
(Weisse et al., Rev. Mod. Phys. 78, 275 (2006)).
"""

from __future__ import annotations

import numpy as np
from scipy.special import ive

__all__ = ["chebyshev_vectors", "exponential_coefficients", "exponential_terms", "scaled_hamiltonian"]


def scaled_hamiltonian(op, center, half):
    """x v = (H v - center v) / half for vectors v of shape (m, R), H the lattice operator's Hamiltonian."""

    def apply(v):
        return (op.hamiltonian(v) - center * v) / half

    return apply


def chebyshev_vectors(apply_x, start, count):
    """Yield T_k(x) start for k = 0, ..., count - 1, by the three-term recursion.

    ``apply_x`` multiplies by x (spectrum inside [-1, 1]); ``count - 1`` products in all.
    """
    if count < 1:
        return
    prev = start
    yield prev
    if count < 2:
        return
    cur = apply_x(start)
    yield cur
    for _ in range(2, count):
        prev, cur = cur, 2.0 * apply_x(cur) - prev
        yield cur


def exponential_terms(b) -> int:
    """Terms of the Chebyshev series of e^{-b (x + 1)} to keep for b (the largest one): b + 6 b^(1/3) + 30."""
    return int(np.ceil(b + 6.0 * b ** (1.0 / 3.0) + 30))


def exponential_coefficients(count, b):
    """(2 - delta_k0) (-1)^k ive(k, b) for k < count: the series e^{-b (x + 1)} = sum_k c_k T_k(x).

    ``b`` a float, or an array (one row of coefficients per value).
    """
    k = np.arange(count)
    b = np.asarray(b, dtype=np.float64)
    if b.ndim == 0:
        return np.where(k == 0, 1.0, 2.0) * (-1.0) ** k * ive(k, b)
    return np.where(k == 0, 1.0, 2.0)[None, :] * ((-1.0) ** k)[None, :] * ive(k[None, :], b[:, None])
