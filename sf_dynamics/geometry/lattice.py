"""Nanocrystal superlattices from physical inputs, with disorder.

A :class:`Superlattice` places NCs on a simple cubic (nx x ny x nz), square
(nx x ny) or chain lattice, or at user-given positions, each with the three
orthogonal dipoles of the bright triplet (or one dipole of a given
orientation). Inputs are laboratory quantities, converted at the boundary:

* lattice constant a (nm) -- or NC edge + ligand gap (a = edge + gap);
* vacuum emission wavelength (nm) and refractive index of the medium;
* single-NC radiative lifetime (ps): every bright dipole decays at 1/lifetime;
* static energy disorder: Gaussian transition energies of standard deviation
  W (meV), e.g. from size dispersion; positional disorder (nm); fine structure.

The couplings (Green's tensor, :func:`sf_dynamics.geometry.green_couplings`)
feed the dynamics (:meth:`Superlattice.nanocrystal_ensemble`) and the
thermal-equilibrium analysis (:mod:`sf_dynamics.thermal`).

Default values marked "[literature range, adjustable]" are typical of
CsPbBr3 NC superlattices (docs/physics.md, partly unconfirmed):
they are starting points, not fitted numbers.
"""

from __future__ import annotations

import numpy as np

from .._io import draw_seed
from .._validation import check_positive_int, check_real, check_real_array
from ..model import Ensemble, NanocrystalEnsemble
from ..units import MEV_TO_RAD_PER_PS
from .green import green_couplings, grid_couplings

__all__ = ["Superlattice", "nanocrystals_at", "LATTICE_KINDS", "DEFAULT_WAVELENGTH_NM", "DEFAULT_LIFETIME_PS"]

#: CsPbBr3 emission wavelength (nm) [literature range 510-520 nm, adjustable]
DEFAULT_WAVELENGTH_NM = 515.0
#: single-NC radiative lifetime at cryogenic temperature (ps) [Utzat 2019: 210 ps; range 100-400 ps]
DEFAULT_LIFETIME_PS = 210.0
#: NC edge (nm) and ligand gap (nm) [literature range 9-10 nm and 2-3 nm, adjustable]
DEFAULT_EDGE_NM = 9.5
DEFAULT_GAP_NM = 2.5
#: lattice kinds understood by :meth:`Superlattice.build`
LATTICE_KINDS = ("cubic", "square", "chain")


def nanocrystals_at(positions, *, wavelength, gamma, refractive_index=1.0, dephasing=0.0,
                    fine_structure=(0.0, 0.0, 0.0), detunings=None, axes=None):
    """Nanocrystals with a bright triplet at given positions, coupled through the Green's tensor.

    Parameters
    ----------
    positions : array_like, shape (n, 3)
        NC centres (same length unit as ``wavelength``, e.g. units of the wavelength or nm).
    wavelength : float
        Vacuum emission wavelength.
    gamma : float
        Radiative rate of one dipole (1/ps).
    refractive_index : float
        Refractive index of the medium.
    dephasing, fine_structure, detunings
        As for :class:`~sf_dynamics.NanocrystalEnsemble` (1/ps, rad/ps).
    axes : array_like, shape (n, 3, 3), optional
        Rows are each NC's x, y, z dipole directions (default: the lab axes).

    Returns
    -------
    NanocrystalEnsemble
        With the Green's-tensor Gamma and Omega over its 3n dipoles (the dipoles of
        one NC share a site: gamma delta_ab, no coupling).
    """
    pos = check_real_array("positions", positions)
    if pos.ndim != 2 or pos.shape[1] != 3:
        raise ValueError(f"positions must have shape (n, 3), got {pos.shape}")
    n = pos.shape[0]
    ax = np.broadcast_to(np.eye(3), (n, 3, 3)) if axes is None else check_real_array("axes", axes, shape=(n, 3, 3))
    g, w = green_couplings(np.repeat(pos, 3, axis=0), ax.reshape(3 * n, 3), wavelength=wavelength, gamma=gamma,
                           refractive_index=refractive_index)
    return NanocrystalEnsemble(n, dephasing=dephasing, fine_structure=fine_structure, detunings=detunings,
                               gamma_matrix=g, omega_matrix=w)


def _check_no_overlap(positions_nm, edge_nm):
    """Raise ValueError if two NCs (axis-aligned cuboids of the given edges) overlap, naming the pair."""
    from scipy.spatial import cKDTree

    if positions_nm.shape[0] < 2:
        return
    tree = cKDTree(positions_nm)
    pairs = tree.query_pairs(r=float(np.max(edge_nm)) * (1 - 1e-12), p=np.inf, output_type="ndarray")
    if pairs.size == 0:
        return
    delta = np.abs(positions_nm[pairs[:, 0]] - positions_nm[pairs[:, 1]])
    overlap = np.all(delta < edge_nm[None, :] * (1 - 1e-12), axis=1)
    if np.any(overlap):
        i, j = pairs[int(np.argmax(overlap))]
        d = float(np.linalg.norm(positions_nm[i] - positions_nm[j]))
        raise ValueError(
            f"position_disorder_nm / positions_nm: NCs {int(i)} and {int(j)} overlap (centres {d:.3g} nm apart, "
            f"edge {np.round(edge_nm, 3).tolist()} nm); use a smaller position disorder or a larger lattice constant"
        )


class Superlattice:
    """NCs with bright-triplet (or single) dipoles at fixed positions.

    Use the constructors :meth:`cubic`, :meth:`square`, :meth:`chain`,
    :meth:`from_positions` or :meth:`build`.

    Attributes
    ----------
    positions_nm : ndarray, shape (n, 3)
        NC centres (nm), including positional disorder.
    dipole : {"triplet"} or ndarray of shape (3,)
        Three orthogonal dipoles per NC along x, y, z, or one unit dipole.
    wavelength_nm, refractive_index, lifetime_ps : float
    energies : ndarray, shape (n,)
        Static transition-energy offsets of the NCs (rad/ps).
    fine_structure : ndarray, shape (3,)
        Sublevel energies of the triplet (rad/ps).
    shape : tuple or None
        Lattice dimensions (None for user positions).
    lattice_constant_nm : float, tuple of 3 floats or None
        (a_x, a_y, a_z) for anisotropic lattices of cuboid NCs.
    seed : int or None
        Seed of the disorder drawn by :meth:`build` (None for a lattice without drawn disorder).
    """

    seed = None

    def __init__(self, positions_nm, *, dipole="triplet", wavelength_nm=DEFAULT_WAVELENGTH_NM, refractive_index=1.0,
                 lifetime_ps=DEFAULT_LIFETIME_PS, energies=None, fine_structure=(0.0, 0.0, 0.0), shape=None,
                 lattice_constant_nm=None, nc_edge_nm=None):
        pos = check_real_array("positions_nm", positions_nm)
        if pos.ndim != 2 or pos.shape[1] != 3 or pos.shape[0] < 1:
            raise ValueError(f"positions_nm must have shape (n, 3) with n >= 1, got {pos.shape}")
        self.positions_nm = pos
        if isinstance(dipole, str):
            if dipole != "triplet":
                raise ValueError(f"dipole must be 'triplet' or a 3-vector, got {dipole!r}")
            self.dipole = "triplet"
        else:
            d = check_real_array("dipole", dipole, shape=(3,))
            if not np.any(d):
                raise ValueError("dipole must be a non-zero 3-vector")
            self.dipole = d / np.linalg.norm(d)
        self.wavelength_nm = check_real("wavelength_nm", wavelength_nm, low=0.0, low_open=True)
        self.refractive_index = check_real("refractive_index", refractive_index, low=0.0, low_open=True)
        self.lifetime_ps = check_real("lifetime_ps", lifetime_ps, low=0.0, low_open=True)
        n = pos.shape[0]
        self.energies = np.zeros(n) if energies is None else check_real_array("energies", energies, shape=(n,))
        self.fine_structure = check_real_array("fine_structure", fine_structure, shape=(3,))
        self.shape = shape
        self.lattice_constant_nm = lattice_constant_nm
        self.nc_edge_nm = nc_edge_nm
        if nc_edge_nm is not None:
            _check_no_overlap(pos, np.broadcast_to(np.asarray(nc_edge_nm, dtype=float), (3,)))

    # -- constructors -------------------------------------------------------------
    @classmethod
    def build(cls, kind, size, *, lattice_constant_nm=None, nc_edge_nm=DEFAULT_EDGE_NM, ligand_gap_nm=DEFAULT_GAP_NM,
              energy_disorder_meV=0.0, position_disorder_nm=0.0, seed=None, **physics):
        """A regular superlattice of NCs.

        Parameters
        ----------
        kind : {"cubic", "square", "chain"}
            Simple cubic (size = (nx, ny, nz)), square 2D (size = (nx, ny), in
            the xy plane) or chain along x (size = n).
        size : int or tuple of int
            Number of NCs along each axis.
        lattice_constant_nm : float or 3 floats, optional
            Centre-to-centre distance a (nm), or (a_x, a_y, a_z); default
            nc_edge_nm + ligand_gap_nm.
        nc_edge_nm : float or 3 floats
            NC edge length (nm), or (e_x, e_y, e_z) for cuboid NCs (e.g. the
            1.2 x 1.2 x 1 oblate cuboids of Krieg 2021); the lattice constant
            must be >= the edge along every axis.
        ligand_gap_nm : float
            Ligand shell between NC surfaces (nm), >= 0.
        energy_disorder_meV : float
            Standard deviation W (meV) of the Gaussian static energy disorder.
        position_disorder_nm : float
            Standard deviation (nm) of Gaussian displacements of each centre.
        seed : int, optional
            Seed of the disorder realisation; without one a seed is drawn (only when there is disorder) and
            kept as ``lattice.seed``, so the realisation can be built again.
        **physics
            ``dipole``, ``wavelength_nm``, ``refractive_index``, ``lifetime_ps``,
            ``fine_structure`` (rad/ps) as for the constructor.
        """
        if kind not in LATTICE_KINDS:
            raise ValueError(f"kind must be one of {list(LATTICE_KINDS)}, got {kind!r}")
        dims = {"cubic": 3, "square": 2, "chain": 1}[kind]
        size = (size,) if np.ndim(size) == 0 else tuple(size)
        if len(size) != dims:
            raise ValueError(f"size of a {kind} lattice needs {dims} integers, got {size}")
        size = tuple(check_positive_int("size", s) for s in size)
        edge = np.broadcast_to(check_real_array("nc_edge_nm", nc_edge_nm), (3,)).astype(float)
        if np.any(edge <= 0):
            raise ValueError(f"nc_edge_nm must be > 0, got {nc_edge_nm!r}")
        gap = check_real("ligand_gap_nm", ligand_gap_nm, low=0.0)
        if lattice_constant_nm is None:
            a = edge + gap
        else:
            a = np.broadcast_to(check_real_array("lattice_constant_nm", lattice_constant_nm), (3,)).astype(float)
            if np.any(a <= 0):
                raise ValueError(f"lattice_constant_nm must be > 0, got {lattice_constant_nm!r}")
        if np.any(a[:dims] < edge[:dims]):
            raise ValueError(
                f"lattice_constant_nm = {a[:dims].tolist()} is smaller than the NC edge {edge[:dims].tolist()} nm: "
                "the NCs would overlap"
            )
        grid = np.stack(np.meshgrid(*(np.arange(s) for s in size), indexing="ij"), -1).reshape(-1, dims)
        pos = np.zeros((grid.shape[0], 3))
        pos[:, :dims] = grid * a[:dims]
        a = float(a[0]) if np.all(a == a[0]) else tuple(float(v) for v in a)
        edge = float(edge[0]) if np.all(edge == edge[0]) else tuple(float(v) for v in edge)
        sigma_r = check_real("position_disorder_nm", position_disorder_nm, low=0.0)
        w = check_real("energy_disorder_meV", energy_disorder_meV, low=0.0)
        if sigma_r > 0 or w > 0:
            seed = draw_seed(seed)
        rng = np.random.default_rng(seed)
        if sigma_r > 0:
            pos = pos + rng.normal(0.0, sigma_r, pos.shape)
        energies = rng.normal(0.0, w, pos.shape[0]) * MEV_TO_RAD_PER_PS if w > 0 else None
        padded = size + (1,) * (3 - dims)
        lattice = cls(pos, energies=energies, shape=padded, lattice_constant_nm=a, nc_edge_nm=edge, **physics)
        lattice.seed = seed
        return lattice

    @classmethod
    def cubic(cls, nx, ny, nz, **kwargs):
        """Simple cubic nx x ny x nz superlattice (see :meth:`build`)."""
        return cls.build("cubic", (nx, ny, nz), **kwargs)

    @classmethod
    def square(cls, nx, ny, **kwargs):
        """Square 2D nx x ny superlattice in the xy plane (see :meth:`build`)."""
        return cls.build("square", (nx, ny), **kwargs)

    @classmethod
    def chain(cls, n, **kwargs):
        """Chain of n NCs along x (see :meth:`build`)."""
        return cls.build("chain", n, **kwargs)

    @classmethod
    def from_positions(cls, positions_nm, **physics):
        """NCs at user-given centres (nm)."""
        return cls(positions_nm, **physics)

    # -- derived quantities -------------------------------------------------------
    @property
    def n(self) -> int:
        """Number of NCs."""
        return self.positions_nm.shape[0]

    @property
    def dipoles_per_nc(self) -> int:
        return 3 if self.is_triplet else 1

    @property
    def is_triplet(self) -> bool:
        return isinstance(self.dipole, str)

    @property
    def gamma(self) -> float:
        """Radiative rate of one dipole (1/ps), 1 / lifetime."""
        return 1.0 / self.lifetime_ps

    @property
    def size_nm(self) -> np.ndarray:
        """Extent of the NC centres along x, y, z (nm)."""
        return np.ptp(self.positions_nm, axis=0)

    def dipole_positions(self) -> np.ndarray:
        """Positions (nm) of every dipole, shape (n * dipoles_per_nc, 3)."""
        return np.repeat(self.positions_nm, self.dipoles_per_nc, axis=0)

    def dipole_directions(self) -> np.ndarray:
        """Unit dipole vectors, shape (n * dipoles_per_nc, 3) (x, y, z per NC for triplets)."""
        if self.is_triplet:
            return np.tile(np.eye(3), (self.n, 1))
        return np.tile(self.dipole, (self.n, 1))

    def dipole_energies(self) -> np.ndarray:
        """Static energy of every dipole (rad/ps): NC offset + fine structure."""
        if self.is_triplet:
            return (self.energies[:, None] + self.fine_structure[None, :]).ravel()
        return self.energies.copy()

    def couplings(self):
        """Green's-tensor (Gamma, Omega) over all dipoles (1/ps, rad/ps), dense.

        Regular lattices spread the kernel of each site displacement into the matrices
        (:func:`~sf_dynamics.geometry.green.grid_couplings`, O(m) kernel evaluations for m dipoles).
        """
        if self.is_regular:
            dips = np.eye(3) if self.is_triplet else self.dipole[None, :]
            return grid_couplings(self.shape, self.spacing_nm, dips, wavelength=self.wavelength_nm,
                                  gamma=self.gamma, refractive_index=self.refractive_index)
        return green_couplings(self.dipole_positions(), self.dipole_directions(), wavelength=self.wavelength_nm,
                               gamma=self.gamma, refractive_index=self.refractive_index)

    @property
    def is_regular(self) -> bool:
        """True for a grid without positional disorder (its couplings are block-Toeplitz: FFT products apply)."""
        if self.shape is None or self.lattice_constant_nm is None:
            return False
        a = self.spacing_nm
        grid = np.stack(np.meshgrid(*(np.arange(s) for s in self.shape), indexing="ij"), -1).reshape(-1, 3) * a
        return bool(np.allclose(self.positions_nm - self.positions_nm[0], grid,
                                atol=1e-9 * max(float(a.max()), 1.0), rtol=0.0))

    @property
    def spacing_nm(self) -> np.ndarray:
        """Lattice constants (a_x, a_y, a_z) in nm (regular lattices)."""
        if self.lattice_constant_nm is None:
            raise ValueError("the lattice constant is defined for regular lattices only")
        return np.broadcast_to(np.asarray(self.lattice_constant_nm, dtype=float), (3,)).copy()

    def k_times_spacing(self):
        """k a = 2 pi n a / lambda (the lattice constant over the reduced wavelength); per axis if anisotropic."""
        ka = 2 * np.pi * self.refractive_index * self.spacing_nm / self.wavelength_nm
        return float(ka[0]) if np.all(ka == ka[0]) else ka

    def nanocrystal_ensemble(self, *, dephasing=0.0):
        """The superlattice as a dynamical model: NanocrystalEnsemble (triplets) or Ensemble (one dipole).

        Parameters
        ----------
        dephasing : float
            Pure dephasing rate gamma_phi (1/ps) of every optical coherence.
        """

        g, w = self.couplings()
        lattice = self if self.is_regular else None   # lets solvers multiply by Gamma and Omega with FFTs
        if self.is_triplet:
            return NanocrystalEnsemble(self.n, dephasing=dephasing, fine_structure=self.fine_structure,
                                       detunings=self.energies, gamma_matrix=g, omega_matrix=w, lattice=lattice)
        return Ensemble(self.n, dephasing=dephasing, detunings=self.energies, gamma_matrix=g, omega_matrix=w,
                        lattice=lattice)

    def __repr__(self) -> str:
        kind = "x".join(map(str, self.shape)) if self.shape is not None else "positions"
        dip = "triplet" if self.is_triplet else f"dipole {np.round(self.dipole, 3).tolist()}"
        a = f", a={self.lattice_constant_nm} nm" if self.lattice_constant_nm is not None else ""
        return (f"Superlattice({kind}, n={self.n}, {dip}{a}, lambda={self.wavelength_nm:g} nm, "
                f"n_r={self.refractive_index:g}, lifetime={self.lifetime_ps:g} ps)")
