"""Dipole-dipole couplings from the free-space dyadic Green's tensor.

For transition dipoles d_i (unit vectors) at positions r_i in a medium of
refractive index n_r, with k = 2 pi n_r / lambda and single-dipole radiative
rate gamma (docs/physics.md; e.g. Lehmberg, PRA 2, 883 (1970); the form used
by CollectiveSpins.jl):

    Gamma_ij = (3 gamma / 2) [ (sin kr/kr + cos kr/(kr)^2 - sin kr/(kr)^3) (d_i . d_j)
                             - (sin kr/kr + 3 cos kr/(kr)^2 - 3 sin kr/(kr)^3) (d_i . r)(d_j . r) ]
    Omega_ij = (3 gamma / 4) [ (-cos kr/kr + sin kr/(kr)^2 + cos kr/(kr)^3) (d_i . d_j)
                             - (-cos kr/kr + 3 sin kr/(kr)^2 + 3 cos kr/(kr)^3) (d_i . r)(d_j . r) ]

with r the unit vector from i to j. Dipoles at exactly the same position
share a site (the three orthogonal dipoles of one nanocrystal): Gamma_ij =
gamma (d_i . d_j) and Omega_ij = 0. Limits: kr -> 0 gives Gamma_ij -> gamma
d_i . d_j and the static dipole-dipole coupling Omega_ij -> (3 gamma / 4)
[d_i.d_j - 3 (d_i.r)(d_j.r)] / (kr)^3.

Separations between different sites below ``min_separation`` (default
10^-3 of the wavelength in the medium, where |Omega| would exceed ~10^6
gamma and the point-dipole model has long failed) are rejected, naming the
pair, instead of returning couplings that are meaningless or overflow.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .._resources import check_memory
from .._validation import check_positive_int, check_real, check_real_array

__all__ = ["green_couplings", "grid_couplings", "green_kernel", "MIN_SEPARATION_WAVELENGTHS"]

#: default smallest separation of two sites, in wavelengths in the medium (lambda / n_r)
MIN_SEPARATION_WAVELENGTHS = 1e-3
#: pairs evaluated per block (bounds the temporaries of green_couplings to ~250 MB)
_PAIRS_PER_BLOCK = 2_000_000


def green_kernel(separations, dip_a, dip_b, *, k, gamma, min_separation=0.0):
    """Gamma and Omega between dipoles dip_a and dip_b for arrays of separations.

    Parameters
    ----------
    separations : ndarray, shape (..., 3)
        Vectors r_j - r_i (same unit as 1/k); zero vectors are same-site pairs.
    dip_a, dip_b : ndarray, broadcastable to separations
        Unit dipole vectors.
    k : float
        Wavenumber 2 pi n / lambda.
    gamma : float
        Single-dipole rate (1/ps).
    min_separation : float
        Smallest allowed non-zero separation (same unit as ``separations``).

    Returns
    -------
    gamma_ab, omega_ab : ndarray, shape (...)
        (Same-site: gamma (d_a . d_b) and 0.)

    Raises
    ------
    ValueError
        If a non-zero separation is below ``min_separation``.
    """
    sep = np.asarray(separations, dtype=float)
    dist = np.linalg.norm(sep, axis=-1)
    same = dist == 0
    close = ~same & (dist < min_separation)
    if np.any(close):
        index = np.unravel_index(int(np.argmax(close)), close.shape)
        raise ValueError(
            f"positions: separation {float(dist[index]):.3g} (index {tuple(int(i) for i in index)}) is below the "
            f"minimum {min_separation:.3g} between different sites; place dipoles of one site at exactly the same "
            "position, or lower min_separation"
        )
    safe = np.where(same, 1.0, dist)
    unit = sep / safe[..., None]
    x = k * safe
    sin, cos = np.sin(x), np.cos(x)
    dip_a = np.asarray(dip_a, dtype=float)
    dip_b = np.asarray(dip_b, dtype=float)
    dd = np.sum(dip_a * dip_b, axis=-1)
    proj = np.sum(dip_a * unit, axis=-1) * np.sum(dip_b * unit, axis=-1)
    dd = np.broadcast_to(dd, dist.shape)
    g_par = sin / x + cos / x**2 - sin / x**3
    g_perp = sin / x + 3 * cos / x**2 - 3 * sin / x**3
    o_par = -cos / x + sin / x**2 + cos / x**3
    o_perp = -cos / x + 3 * sin / x**2 + 3 * cos / x**3
    gamma_ab = np.where(same, gamma * dd, 1.5 * gamma * (g_par * dd - g_perp * proj))
    omega_ab = np.where(same, 0.0, 0.75 * gamma * (o_par * dd - o_perp * proj))
    return gamma_ab, omega_ab


def _checked_optics(dip, wavelength, gamma, refractive_index):
    """Unit dipoles, wavenumber k = 2 pi n / lambda and gamma, validated (ValueError naming the parameter)."""
    norms = np.linalg.norm(dip, axis=1)
    if np.any(norms == 0):
        raise ValueError(f"dipoles must be non-zero vectors (dipole {int(np.argmin(norms))} is zero)")
    wavelength = check_real("wavelength", wavelength, low=0.0, low_open=True)
    gamma = check_real("gamma", gamma, low=0.0)
    refractive_index = check_real("refractive_index", refractive_index, low=0.0, low_open=True)
    return dip / norms[:, None], 2.0 * np.pi * refractive_index / wavelength, gamma


def green_couplings(positions, dipoles, *, wavelength, gamma, refractive_index=1.0, min_separation=None):
    """Decay and coherent-coupling matrices of point dipoles.

    Parameters
    ----------
    positions : array_like, shape (m, 3)
        Dipole positions (any length unit, the same as ``wavelength``).
        Dipoles at exactly the same position share a site.
    dipoles : array_like, shape (m, 3)
        Dipole orientations (normalised here; must be non-zero).
    wavelength : float
        Vacuum emission wavelength (same length unit), > 0.
    gamma : float
        Radiative rate of one dipole (1/ps), >= 0.
    refractive_index : float
        Refractive index of the surrounding medium (> 0); k = 2 pi n / lambda.
    min_separation : float, optional
        Smallest allowed distance between different sites (length unit);
        default 10^-3 wavelength / refractive_index.

    Returns
    -------
    gamma_matrix : ndarray, shape (m, m)
        Gamma_ij (1/ps), symmetric positive semi-definite, diagonal gamma.
    omega_matrix : ndarray, shape (m, m)
        Omega_ij (rad/ps), symmetric, zero diagonal.

    Raises
    ------
    ValueError
        For bad shapes or values, two different sites closer than
        ``min_separation`` (the pair is named), or matrices larger than the
        free memory (regular lattices: use the FFT operators of
        :mod:`sf_dynamics.geometry.operator`).
    """
    pos = check_real_array("positions", positions)
    dip = check_real_array("dipoles", dipoles)
    if pos.ndim != 2 or pos.shape[1] != 3 or pos.shape[0] < 1:
        raise ValueError(f"positions must have shape (m, 3) with m >= 1, got {pos.shape}")
    if dip.shape != pos.shape:
        raise ValueError(f"dipoles must have the shape of positions {pos.shape}, got {dip.shape}")
    dip, k, gamma = _checked_optics(dip, wavelength, gamma, refractive_index)
    if min_separation is None:
        min_separation = MIN_SEPARATION_WAVELENGTHS * wavelength / refractive_index
    min_separation = check_real("min_separation", min_separation, low=0.0)
    m = pos.shape[0]
    rows = max(1, min(m, _PAIRS_PER_BLOCK // m))
    check_memory(2.0 * 8.0 * m * m + 20.0 * 8.0 * rows * m, parameter="positions",
                 what=f"the dense {m} x {m} Gamma and Omega matrices",
                 alternative="for regular lattices sf_dynamics.geometry.operator.LatticeOperator multiplies by them "
                             "with FFTs in O(m) memory (thermal route='matrix-free')")
    gamma_m = np.empty((m, m))
    omega_m = np.empty((m, m))
    for first in range(0, m, rows):
        block = slice(first, min(first + rows, m))
        sep = pos[None, :, :] - pos[block, None, :]
        try:
            g, w = green_kernel(sep, dip[block, None, :], dip[None, :, :], k=k, gamma=gamma,
                                min_separation=min_separation)
        except ValueError as exc:
            dist = np.linalg.norm(sep, axis=-1)
            close = (dist > 0) & (dist < min_separation)
            i, j = np.unravel_index(int(np.argmax(close)), close.shape)
            raise ValueError(
                f"positions: sites {first + int(i)} and {int(j)} are {float(dist[i, j]):.3g} apart, below the "
                f"minimum separation {min_separation:.3g} (10^-3 wavelength in the medium by default); dipoles "
                "of one site must have exactly the same position"
            ) from exc
        gamma_m[block] = g
        omega_m[block] = w
    gamma_m = 0.5 * (gamma_m + gamma_m.T)
    omega_m = 0.5 * (omega_m + omega_m.T)
    return gamma_m, omega_m


def grid_couplings(shape, spacing, dipoles, *, wavelength, gamma, refractive_index=1.0):
    """Decay and coherent-coupling matrices of a regular grid of sites, each holding the same dipoles.

    The coupling of two dipoles depends only on the displacement of their
    sites, so the kernel is evaluated once on the (2 s - 1) displacements per
    axis and spread into the dense matrices (multilevel Toeplitz): O(m^2)
    copies instead of O(m^2) Green's-tensor evaluations. The result equals
    :func:`green_couplings` of the same dipoles to rounding (1e-13 relative).

    Parameters
    ----------
    shape : sequence of 3 int
        Sites along x, y, z (each >= 1); site (i, j, l) is at (i, j, l) * spacing,
        numbered in C order (l fastest).
    spacing : array_like, shape (3,)
        Lattice constants along x, y, z (length unit of ``wavelength``), > 0.
    dipoles : array_like, shape (p, 3)
        Dipole orientations of every site (normalised here; non-zero); dipole
        ``alpha`` of site ``s`` has index ``s * p + alpha``.
    wavelength, gamma, refractive_index : float
        As in :func:`green_couplings`.

    Returns
    -------
    gamma_matrix, omega_matrix : ndarray, shape (m, m)
        m = p * prod(shape); Gamma_ij (1/ps) and Omega_ij (rad/ps).

    Raises
    ------
    ValueError
        For bad shapes or values, a spacing below the minimum separation
        (10^-3 wavelength in the medium), or matrices larger than the free memory.
    """
    shape = tuple(check_positive_int("shape", s) for s in np.atleast_1d(shape))
    if len(shape) != 3:
        raise ValueError(f"shape must have 3 entries (sites along x, y, z), got {len(shape)}")
    spacing = check_real_array("spacing", np.atleast_1d(spacing))
    if spacing.size == 1:
        spacing = np.repeat(spacing, 3)
    if spacing.shape != (3,) or np.any(spacing <= 0):
        raise ValueError(f"spacing must be one number or 3, each > 0, got {spacing.tolist()}")
    dip = check_real_array("dipoles", np.atleast_2d(dipoles))
    if dip.ndim != 2 or dip.shape[1] != 3 or dip.shape[0] < 1:
        raise ValueError(f"dipoles must have shape (p, 3) with p >= 1, got {dip.shape}")
    dip, k, gamma = _checked_optics(dip, wavelength, gamma, refractive_index)
    min_separation = MIN_SEPARATION_WAVELENGTHS * wavelength / refractive_index
    if float(spacing[[ax for ax in range(3) if shape[ax] > 1]].min(initial=np.inf)) < min_separation:
        raise ValueError(f"spacing {spacing.tolist()} is below the minimum separation {min_separation:.3g} of "
                         "different sites (10^-3 wavelength in the medium)")
    sites, p = int(np.prod(shape)), dip.shape[0]
    m = sites * p
    check_memory(2.0 * 8.0 * m * m, parameter="shape", what=f"the dense {m} x {m} Gamma and Omega matrices",
                 alternative="sf_dynamics.geometry.operator.LatticeOperator multiplies by them with FFTs in O(m) "
                             "memory (thermal route='matrix-free')")
    axes = [np.arange(-(s - 1), s) for s in shape]
    disp = np.stack(np.meshgrid(*axes, indexing="ij"), -1) * spacing
    gamma_m = np.empty((sites, p, sites, p))
    omega_m = np.empty((sites, p, sites, p))
    for a in range(p):
        for b in range(a, p):
            kernels = green_kernel(disp, dip[a], dip[b], k=k, gamma=gamma, min_separation=min_separation)
            for kernel, out in zip(kernels, (gamma_m, omega_m)):
                # W[u, v] = K[u + v] over windows of the lattice's shape; M[x, x'] = K[x' - x + s - 1] = W[s-1-x, x']
                block = sliding_window_view(kernel, shape)[::-1, ::-1, ::-1]
                for first, second in {(a, b), (b, a)}:   # K_ab = K_ba: the dyadic is symmetric
                    out[:, first, :, second].reshape(shape + shape)[...] = block
    return gamma_m.reshape(m, m), omega_m.reshape(m, m)
