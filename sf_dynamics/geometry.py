"""Dipole-dipole couplings from the free-space dyadic Green's tensor.

For transition dipoles d_i (unit vectors) at positions r_i in a medium of
refractive index n_r, with k = 2 pi n_r / lambda and single-dipole radiative
rate gamma (REFERENCES.md section 2b; CollectiveSpins.jl uses the same form):

    Gamma_ij = (3 gamma / 2) [ (sin kr/kr + cos kr/(kr)^2 - sin kr/(kr)^3) (d_i . d_j)
                             - (sin kr/kr + 3 cos kr/(kr)^2 - 3 sin kr/(kr)^3) (d_i . r)(d_j . r) ]
    Omega_ij = (3 gamma / 4) [ (-cos kr/kr + sin kr/(kr)^2 + cos kr/(kr)^3) (d_i . d_j)
                             - (-cos kr/kr + 3 sin kr/(kr)^2 + 3 cos kr/(kr)^3) (d_i . r)(d_j . r) ]

with r the unit vector from i to j. Dipoles at the same site (the three
orthogonal dipoles of one nanocrystal) have Gamma_ij = gamma (d_i . d_j) and
Omega_ij = 0. Limits: kr -> 0 gives Gamma_ij -> gamma d_i . d_j and the
static dipole-dipole coupling Omega_ij -> (3 gamma / 4) [d_i.d_j - 3 (d_i.r)(d_j.r)] / (kr)^3.
"""

from __future__ import annotations

import numpy as np

from ._validation import check_real, check_real_array

__all__ = ["green_couplings", "green_kernel"]


def green_kernel(separations, dip_a, dip_b, *, k, gamma):
    """Gamma and Omega between dipoles dip_a and dip_b for arrays of separations.

    Parameters
    ----------
    separations : ndarray, shape (..., 3)
        Vectors r_j - r_i (same unit as 1/k); zero vectors are same-site pairs.
    dip_a, dip_b : ndarray, shape (3,) or broadcastable to separations
        Unit dipole vectors.
    k : float
        Wavenumber 2 pi n / lambda.
    gamma : float
        Single-dipole rate (1/ps).

    Returns
    -------
    gamma_ab, omega_ab : ndarray, shape (...)
        (Same-site: gamma (d_a . d_b) and 0.)
    """
    sep = np.asarray(separations, dtype=float)
    dist = np.linalg.norm(sep, axis=-1)
    same = dist == 0
    safe = np.where(same, 1.0, dist)
    unit = sep / safe[..., None]
    x = k * safe
    sin, cos = np.sin(x), np.cos(x)
    dd = np.sum(np.broadcast_to(dip_a, sep.shape) * np.broadcast_to(dip_b, sep.shape), axis=-1)
    proj = np.sum(dip_a * unit, axis=-1) * np.sum(dip_b * unit, axis=-1)
    g_par = sin / x + cos / x**2 - sin / x**3
    g_perp = sin / x + 3 * cos / x**2 - 3 * sin / x**3
    o_par = -cos / x + sin / x**2 + cos / x**3
    o_perp = -cos / x + 3 * sin / x**2 + 3 * cos / x**3
    gamma_ab = np.where(same, gamma * dd, 1.5 * gamma * (g_par * dd - g_perp * proj))
    omega_ab = np.where(same, 0.0, 0.75 * gamma * (o_par * dd - o_perp * proj))
    return gamma_ab, omega_ab


def green_couplings(positions, dipoles, *, wavelength, gamma, refractive_index=1.0):
    """Decay and coherent-coupling matrices of point dipoles.

    Parameters
    ----------
    positions : array_like, shape (m, 3)
        Dipole positions (any length unit, the same as ``wavelength``).
        Several dipoles may share a site.
    dipoles : array_like, shape (m, 3)
        Dipole orientations (normalised here; must be non-zero).
    wavelength : float
        Vacuum emission wavelength (same length unit), > 0.
    gamma : float
        Radiative rate of one dipole (1/ps), >= 0.
    refractive_index : float
        Refractive index of the surrounding medium (> 0); k = 2 pi n / lambda.

    Returns
    -------
    gamma_matrix : ndarray, shape (m, m)
        Gamma_ij (1/ps), symmetric positive semi-definite, diagonal gamma.
    omega_matrix : ndarray, shape (m, m)
        Omega_ij (rad/ps), symmetric, zero diagonal.
    """
    pos = check_real_array("positions", positions)
    dip = check_real_array("dipoles", dipoles)
    if pos.ndim != 2 or pos.shape[1] != 3:
        raise ValueError(f"positions must have shape (m, 3), got {pos.shape}")
    if dip.shape != pos.shape:
        raise ValueError(f"dipoles must have the shape of positions {pos.shape}, got {dip.shape}")
    norms = np.linalg.norm(dip, axis=1)
    if np.any(norms == 0):
        raise ValueError("dipoles must be non-zero vectors")
    dip = dip / norms[:, None]
    wavelength = check_real("wavelength", wavelength, low=0.0, low_open=True)
    gamma = check_real("gamma", gamma, low=0.0)
    refractive_index = check_real("refractive_index", refractive_index, low=0.0, low_open=True)
    k = 2.0 * np.pi * refractive_index / wavelength

    sep = pos[None, :, :] - pos[:, None, :]
    dist = np.linalg.norm(sep, axis=-1)
    same = dist < 1e-12 * max(float(dist.max()), 1.0)
    safe = np.where(same, 1.0, dist)
    unit = sep / safe[..., None]
    x = k * safe
    sin, cos = np.sin(x), np.cos(x)
    dd = dip @ dip.T
    d_r_i = np.einsum("ik,ijk->ij", dip, unit)
    d_r_j = np.einsum("jk,ijk->ij", dip, unit)
    proj = d_r_i * d_r_j
    g_par = sin / x + cos / x**2 - sin / x**3
    g_perp = sin / x + 3 * cos / x**2 - 3 * sin / x**3
    o_par = -cos / x + sin / x**2 + cos / x**3
    o_perp = -cos / x + 3 * sin / x**2 + 3 * cos / x**3
    gamma_m = 1.5 * gamma * (g_par * dd - g_perp * proj)
    omega_m = 0.75 * gamma * (o_par * dd - o_perp * proj)
    gamma_m = np.where(same, gamma * dd, gamma_m)
    omega_m = np.where(same, 0.0, omega_m)
    gamma_m = 0.5 * (gamma_m + gamma_m.T)
    omega_m = 0.5 * (omega_m + omega_m.T)
    return gamma_m, omega_m
