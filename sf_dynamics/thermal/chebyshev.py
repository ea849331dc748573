"""The Chebyshev core of the kernel-polynomial routes (:mod:`.kpm`, :mod:`.photoluminescence`).

With H scaled into [-1, 1], x = (H - center) / half, the vectors T_k(x) v follow the three-term recursion
T_0 v = v, T_1 v = x v, T_{k+1} v = 2 x T_k v - T_{k-1} v, one product with H per term; a Boltzmann factor
is the Chebyshev series e^{-b (x + 1)} = sum_k (2 - delta_k0) (-1)^k e^{-b} I_k(b) T_k(x) (modified Bessel
functions, scaled by e^{-b}: every term stays below 1), which needs about b + 6 b^(1/3) + 30 terms
(Weisse et al., Rev. Mod. Phys. 78, 275 (2006)). A propagator is the series e^{-i a x} = sum_k (2 - delta_k0)
(-i)^k J_k(a) T_k(x) (Bessel functions J_k), which holds for a non-Hermitian x as well; there |T_k(x)| may grow
geometrically, so the propagation goes in blocks short enough to keep that growth bounded
(:func:`propagation_block`).
"""

from __future__ import annotations

import numpy as np
from scipy.special import ive, jv

__all__ = [
    "bessel_table",
    "chebyshev_vectors",
    "ellipse_growth",
    "exponential_coefficients",
    "exponential_terms",
    "propagation_block",
    "propagation_plan",
    "propagation_coefficients",
    "scaled_hamiltonian",
]


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


def bessel_table(count, x):
    """J_k(x) for k < count at every x >= 0 (rows), by Miller's backward recurrence.

    J_{k-1} = (2k / x) J_k - J_{k+1} from an order N above both ``count`` and x (where J_N is negligible),
    normalised by J_0 + 2 sum_k J_2k = 1, rescaled on the way against overflow: one pass for all x, far
    faster than scipy's jv at high orders (Numerical Recipes, section 6.5).

    Raises
    ------
    ValueError
        If an x is negative or not finite.
    """
    x = np.atleast_1d(np.asarray(x, dtype=np.float64))
    if not np.all(np.isfinite(x)) or np.any(x < 0):
        raise ValueError("x must be finite and >= 0")
    out = np.zeros((x.size, count))
    zero = x == 0.0
    xs = np.where(zero, 1.0, x)
    top = max(count, int(np.ceil(x.max()))) + 1
    order = 2 * ((top + int(np.sqrt(160.0 * top)) + 20) // 2)
    above, current = np.zeros(x.size), np.full(x.size, 1e-30)
    norm = np.zeros(x.size)
    for k in range(order, 0, -1):
        above, current = current, (2.0 * k / xs) * current - above  # current: J_{k-1}
        if k - 1 < count:
            out[:, k - 1] = current
        norm += (2.0 if (k - 1) % 2 == 0 and k > 1 else 0.0) * current + (current if k == 1 else 0.0)
        big = np.abs(current) > 1e200
        if np.any(big):
            for arr in (above, current, norm):
                arr[big] *= 1e-200
            out[big] *= 1e-200
    out /= norm[:, None]
    out[zero] = 0.0
    if count:
        out[zero, 0] = 1.0
    return out


def propagation_coefficients(count, a):
    """(2 - delta_k0) (-i)^k J_k(a) for k < count: the series e^{-i a x} = sum_k c_k T_k(x).

    The series holds for any complex x (the exponential is entire), so it propagates under a non-Hermitian
    x as well. ``a`` >= 0 a float, or an array (one row of coefficients per value).
    """
    phase = np.where(np.arange(count) == 0, 1.0, 2.0) * (-1j) ** np.arange(count)
    table = phase[None, :] * bessel_table(count, a)
    return table[0] if np.ndim(a) == 0 else table


def ellipse_growth(x) -> float:
    """max |x +- sqrt(x^2 - 1)| (>= 1) at a complex x: |T_k(x)| grows at most as its k-th power.

    On the segment [-1, 1] it is 1; off it, x lies on the ellipse with foci +-1 of that parameter.
    """
    root = np.sqrt(complex(x) ** 2 - 1.0)
    return float(max(abs(x + root), abs(x - root)))


#: block steps a tried by :func:`propagation_block`
_STEPS = (0.5, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 16.0, 24.0, 32.0, 48.0, 64.0, 96.0, 128.0, 192.0, 256.0, 384.0)


def propagation_block(growth, *, limit=1e8, tolerance=1e-15):
    """Step a = half dt and terms K of one Chebyshev propagation block when |T_k(x)| <= growth^k.

    Each block evaluates e^{-i a x} v with K terms, the k-th of size at most |J_k(a)| growth^k: the block is
    kept short enough that no term exceeds ``limit`` (the round-off of the recursion is amplified by at most
    that), and K is the first k > a from which every term is below ``tolerance`` (past k > a the Bessel
    functions fall faster than growth^k rises). Of the steps a = 0.5, 1, 2, 3, 4, 6, 8, ..., 384 (factors
    4/3 and 3/2 in turn) the one with the largest a / K (the progress per product with x) is taken.

    Returns
    -------
    a : float
        Step in units of 1 / half (the block advances the time by a / half ps).
    terms : int
        K, the products with x per block.

    Raises
    ------
    ValueError
        If ``growth`` < 1 or so large that no step of at least a = 0.5 keeps every term below ``limit``.
    """
    if not growth >= 1.0:
        raise ValueError(f"growth must be >= 1, got {growth!r}")
    best = None
    for a in _STEPS:
        k = np.arange(int(np.ceil(a)) + 400)
        with np.errstate(over="ignore", invalid="ignore"):
            size = np.abs(jv(k, a)) * np.exp(k * np.log(growth))
        small = size < tolerance
        above = np.nonzero(~small)[0]
        # the first k from which every later term is below the tolerance
        if above[-1] == k.size - 1 or not np.max(size[: above[-1] + 1]) <= limit:
            break
        terms = int(above[-1] + 1)
        if best is None or a / terms > best[0] / best[1]:
            best = (float(a), terms)
    if best is None:
        raise ValueError(f"growth {growth:.3g} per Chebyshev term is too large for a stable propagation step")
    return best


def propagation_plan(half, kappa):
    """Scale, step and terms of a Chebyshev propagator for spectra in [-half, half] x i[-kappa, kappa].

    The operator is scaled as x = (A - center) / scale; its numerical range then lies in the rectangle
    [-half, half] x i[-kappa, kappa] / scale, on which |T_k(x)| <= (1 + sqrt 2) growth^k (Crouzeix), growth
    the ellipse parameter of the rectangle's corner. A scale above ``half`` lowers the growth and lengthens the
    blocks at the cost of more terms per unit time; of scales 1 to 8 times ``half`` the one with the fewest
    products per ps is taken (``scale = half`` without an imaginary part).

    Returns
    -------
    scale : float
        (rad/ps).
    a : float
        Block step in units of 1 / scale (the block advances the time by a / scale ps).
    terms : int
        Products with x per block (plus one).

    Raises
    ------
    ValueError
        If ``half`` <= 0 or ``kappa`` < 0.
    """
    if not half > 0.0 or not kappa >= 0.0:
        raise ValueError(f"half must be > 0 and kappa >= 0, got {half!r} and {kappa!r}")
    best = None
    for factor in (1.0, 1.05, 1.1, 1.2, 1.3, 1.4, 1.6, 2.0, 2.5, 3.0, 4.0, 6.0, 8.0):
        scale = factor * half
        try:
            a, terms = propagation_block(ellipse_growth(complex(half, kappa) / scale))
        except ValueError:
            continue
        if best is None or scale * terms / a < best[0] * best[2] / best[1]:
            best = (scale, a, terms)
        if kappa == 0.0:
            break
    if best is None:
        raise ValueError(f"no stable Chebyshev propagation for kappa / half = {kappa / half:.3g}")
    return best
