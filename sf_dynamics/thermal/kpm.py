"""Thermal traces of regular superlattices by the kernel-polynomial method.

<Gamma>_T = Tr(Gamma e^{-H/kT}) / Tr(e^{-H/kT}) is evaluated with Chebyshev
moments: with H = a x + c scaled into [-1, 1], the moments
mu_k = r^T T_k(x) r and nu_k = (Gamma r)^T T_k(x) r of random +-1 probes r
(Hutchinson trace estimation) give every temperature at once,
e^{-beta a x} = I_0(beta a) + 2 sum_k (-1)^k I_k(beta a) T_k(x) (modified
Bessel functions). With ``probes="exact"`` the unit vectors are used and the
traces are exact up to the Chebyshev truncation. Products with H and Gamma
are the FFT convolutions of :class:`sf_dynamics.geometry.LatticeOperator`.
"""

from __future__ import annotations

import numpy as np

from .._validation import check_positive_int
from ..geometry.operator import LatticeOperator
from ..units import K_B_MEV_PER_K, MEV_TO_RAD_PER_PS
from .chebyshev import chebyshev_vectors, exponential_coefficients, exponential_terms, scaled_hamiltonian

__all__ = ["thermal_rate_kpm"]


def _chebyshev_moments(op, n_mom, n_probe, exact, seed, batch, center, half):
    """mu_k = r^T T_k(x) r and nu_k = (Gamma r)^T T_k(x) r per probe, x = (H - center) / half."""
    m = op.m
    x = scaled_hamiltonian(op, center, half)
    rng = np.random.default_rng(seed)
    mu = np.zeros((n_probe, n_mom))
    nu = np.zeros((n_probe, n_mom))
    for start in range(0, n_probe, batch):
        stop = min(start + batch, n_probe)
        if exact:
            r = np.zeros((m, stop - start))
            r[np.arange(start, stop), np.arange(stop - start)] = 1.0
        else:
            r = rng.choice([-1.0, 1.0], size=(m, stop - start))
        gr = op.decay(r)
        for kk, t in enumerate(chebyshev_vectors(x, r, n_mom)):
            mu[start:stop, kk] = np.einsum("ij,ij->j", r, t)
            nu[start:stop, kk] = np.einsum("ij,ij->j", gr, t)
    return mu, nu


def thermal_rate_kpm(lattice, temperatures_K, *, probes=16, moments=None, seed=0, batch=8, workers=2):
    """<Gamma>_T (1/ps) of a regular lattice by FFT products and Chebyshev moments.

    Parameters
    ----------
    lattice : Superlattice
        Regular, no positional disorder.
    temperatures_K : ndarray
        Temperatures (K), > 0.
    probes : int or "exact"
        Number of random +-1 probe vectors, or the m unit vectors (exact traces).
    moments : int, optional
        Chebyshev moments; default enough for the lowest temperature
        (beta a + 6 (beta a)^(1/3) + 30, with a the spectral half-width from
        :meth:`LatticeOperator.spectral_range`).
    seed : int
        Seed of the probes.
    batch : int
        Probe vectors per FFT batch.

    Returns
    -------
    rate : ndarray
        <Gamma>_T (1/ps).
    sem : ndarray
        Statistical error of the probe average (jackknife; 0 for exact).
    coefficient : float
        Exact high-T coefficient C (K).
    """
    op = LatticeOperator(lattice, workers=workers)
    t = np.asarray(temperatures_K, dtype=float)
    beta = 1.0 / (K_B_MEV_PER_K * t * MEV_TO_RAD_PER_PS)
    # H = half x + center with spec(x) in [-1, 1]; Boltzmann factors are taken relative to the lower
    # edge, e^{-beta (H - E_lo)} = e^{-beta half (x + 1)}, so no term of the series is exponentially large
    e_lo, e_hi = op.spectral_range()
    half = 0.5 * (e_hi - e_lo) + 1e-12
    center = 0.5 * (e_hi + e_lo)
    x_max = float(beta.max() * half)
    n_mom = exponential_terms(x_max) if moments is None else check_positive_int("moments", moments)
    m = op.m
    exact = isinstance(probes, str)
    if exact and probes != "exact":
        raise ValueError(f"probes must be a positive integer or 'exact', got {probes!r}")
    n_probe = m if exact else check_positive_int("probes", probes)
    # |r^T T_k(x) r| <= |r|^2 holds only if spec(x) lies in [-1, 1]: if a moment breaks it, the
    # Lanczos range missed part of the spectrum; widen it and start again
    for _attempt in range(8):
        mu, nu = _chebyshev_moments(op, n_mom, n_probe, exact, seed, batch, center, half)
        if np.all(np.abs(mu) <= (1.0 + 1e-9) * mu[:, :1]):
            break
        half *= 1.25
        x_max = float(beta.max() * half)
        if moments is None:
            n_mom = exponential_terms(x_max)
    else:
        raise RuntimeError("could not enclose the spectrum of H for the Chebyshev expansion")
    coeff = exponential_coefficients(n_mom, beta * half)
    z = mu @ coeff.T  # (probes, T)
    num = nu @ coeff.T
    rate = num.sum(axis=0) / z.sum(axis=0)
    if exact or n_probe < 2:
        sem = np.zeros_like(rate)
    else:
        jack = (num.sum(axis=0)[None, :] - num) / (z.sum(axis=0)[None, :] - z)
        sem = np.sqrt((n_probe - 1) / n_probe * np.sum((jack - jack.mean(axis=0)) ** 2, axis=0))
    return rate, sem, op.high_temperature_coefficient()
