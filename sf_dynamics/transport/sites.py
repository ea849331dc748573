"""The NCs that exchange excitons: any superlattice the package builds, seen as sites with species.

Transfer rates and dynamics work on a :class:`~sf_dynamics.geometry.MulticomponentSuperlattice`;
:func:`as_sites` turns a single-component :class:`~sf_dynamics.geometry.Superlattice` into one (one
species, its lifetime, its wavelength as exciton energy, its static energy offsets), so every geometry
takes the same path.
"""

from __future__ import annotations

import numpy as np

from .._validation import check_real
from ..geometry import MulticomponentSuperlattice, Species, Superlattice
from ..geometry.multicomponent import EV_NM
from ..model.linewidth import LinewidthModel
from ..units import HBAR_MEV_PS

__all__ = ["as_sites", "gaussian_spot", "point_source"]


def as_sites(lattice, *, linewidth=None, nonradiative_rate=0.0) -> MulticomponentSuperlattice:
    """A superlattice as transport sites.

    Parameters
    ----------
    lattice : Superlattice or MulticomponentSuperlattice
        The NCs. A Superlattice becomes one species named "NC" (fine structure must be zero: the
        transfer rates sum over degenerate bright sublevels).
    linewidth : object with ``fwhm_meV(T)``, optional
        Homogeneous linewidth model of a Superlattice's NCs (default :class:`LinewidthModel`); not used
        for a MulticomponentSuperlattice, whose species carry their own.
    nonradiative_rate : float
        Non-radiative exciton decay (1/ps) of a Superlattice's NCs.

    Raises
    ------
    ValueError
        Anything else than the two lattice types, or a Superlattice with fine structure.
    """
    if isinstance(lattice, MulticomponentSuperlattice):
        return lattice
    if not isinstance(lattice, Superlattice):
        raise ValueError(f"lattice must be a Superlattice or MulticomponentSuperlattice, got {type(lattice).__name__}")
    if np.any(lattice.fine_structure != 0):
        raise ValueError("lattice: transfer rates need degenerate bright sublevels; build the Superlattice with "
                         "fine_structure=(0, 0, 0)")
    energy_eV = EV_NM / lattice.wavelength_nm
    species = Species("NC", edge_nm=float(np.max(lattice.nc_edge_nm or 1e-6)), energy_eV=energy_eV,
                      lifetime_ps=lattice.lifetime_ps,
                      nonradiative_rate=check_real("nonradiative_rate", nonradiative_rate, low=0.0),
                      linewidth=LinewidthModel() if linewidth is None else linewidth,
                      dipole="triplet" if lattice.is_triplet else lattice.dipole)
    out = MulticomponentSuperlattice(lattice.positions_nm, np.zeros(lattice.n, dtype=np.int64), [species],
                                     refractive_index=lattice.refractive_index,
                                     energy_offsets_meV=lattice.energies * HBAR_MEV_PS, shape=lattice.shape)
    out.lattice_constant_nm = lattice.lattice_constant_nm
    return out


def gaussian_spot(lattice, fwhm_nm, *, center_nm=None) -> np.ndarray:
    """Initial exciton populations under a Gaussian excitation spot, normalised to one exciton.

    Parameters
    ----------
    lattice : Superlattice or MulticomponentSuperlattice
    fwhm_nm : float
        Spot FWHM (nm) in the plane of the lattice (the spot is a 2D Gaussian in x and y; z is ignored,
        the spot being a focused beam along z), > 0.
    center_nm : array_like of 2 or 3 floats, optional
        Spot centre (nm); default the centroid of the NCs.

    Returns
    -------
    ndarray, shape (n,)
        Populations summing to 1 (absorption per NC taken equal).
    """
    sites = as_sites(lattice)
    fwhm = check_real("fwhm_nm", fwhm_nm, low=0.0, low_open=True)
    pos = sites.positions_nm
    centre = pos.mean(axis=0) if center_nm is None else np.resize(np.asarray(center_nm, dtype=float), 3)
    sigma = fwhm / (2.0 * np.sqrt(2.0 * np.log(2.0)))
    r2 = np.sum((pos[:, :2] - centre[:2]) ** 2, axis=1)
    weight = np.exp(-0.5 * r2 / sigma**2)
    return weight / weight.sum()


def point_source(lattice, *, center_nm=None) -> np.ndarray:
    """One exciton on the NC closest to ``center_nm`` (default: the centroid), as populations."""
    sites = as_sites(lattice)
    pos = sites.positions_nm
    centre = pos.mean(axis=0) if center_nm is None else np.resize(np.asarray(center_nm, dtype=float), 3)
    out = np.zeros(sites.n)
    out[int(np.argmin(np.sum((pos - centre) ** 2, axis=1)))] = 1.0
    return out
