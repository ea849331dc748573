"""Multicomponent nanocrystal superlattices: binary lattices of NCs of different sizes and energies.

Binary superlattices self-assemble from NCs of two sizes into structures known from atomic crystals
(Boles, Engel & Talapin, Chem. Rev. 116, 11220 (2016); for CsPbBr3 NCs: Cherniukh et al., Nature 593,
535 (2021)). A :class:`Species` holds what differs between the components -- NC edge (nm), exciton
energy
(eV), radiative lifetime (ps), non-radiative rate, homogeneous linewidth versus temperature and
inhomogeneous width -- and :class:`MulticomponentSuperlattice` places NCs of each species on the
sublattices of a preset (:data:`PRESETS`) or at user-given positions.

Presets (fractional coordinates of the conventional cell; labels name the sublattices):

* ``"NaCl"`` -- rock salt, cubic cell a: A on the fcc sites, B on the octahedral holes (8 NCs per cell);
* ``"AlB2"`` -- hexagonal cell a, c: A at (0, 0, 0), B at (1/3, 2/3, 1/2) and (2/3, 1/3, 1/2), the
  honeycomb layers of small NCs between triangular layers of large ones;
* ``"ABO3"`` -- cubic perovskite, cell a: A at the corner, B at the body centre, O at the three face
  centres (for NC perovskite-type lattices B and O are often the same small NCs: map both labels to one
  species).

The lattice constant defaults to the smallest value at which every pair of NCs keeps the ligand gap
between their surfaces (NCs treated as spheres of diameter equal to their edge, a conservative contact
criterion for cubes of any orientation). Geometry is exact; which preset a real sample forms is for
the experiment to say.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from .._validation import check_positive_int, check_real, check_real_array
from ..model.linewidth import LinewidthModel

__all__ = ["Species", "MulticomponentSuperlattice", "PRESETS", "EV_NM"]

#: hc in eV nm (CODATA 2018): the photon energy (eV) of a vacuum wavelength lambda (nm) is EV_NM / lambda
EV_NM = 1239.841984

#: preset -> (cell vectors in units of a (rows), {label: fractional positions})
PRESETS = {
    "NaCl": (np.eye(3), {
        "A": [[0, 0, 0], [0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]],
        "B": [[0.5, 0, 0], [0, 0.5, 0], [0, 0, 0.5], [0.5, 0.5, 0.5]],
    }),
    "AlB2": (None, {   # hexagonal: built from c_over_a
        "A": [[0, 0, 0]],
        "B": [[1 / 3, 2 / 3, 0.5], [2 / 3, 1 / 3, 0.5]],
    }),
    "ABO3": (np.eye(3), {
        "A": [[0, 0, 0]],
        "B": [[0.5, 0.5, 0.5]],
        "O": [[0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]],
    }),
}


@dataclasses.dataclass(frozen=True)
class Species:
    """One kind of NC in a superlattice.

    Parameters
    ----------
    name : str
        Label in outputs (e.g. "5.3 nm", "donor").
    edge_nm : float
        NC edge length (nm), > 0.
    energy_eV : float
        Exciton (emission) energy (eV), in [0.5, 6].
    lifetime_ps : float
        Radiative lifetime of one bright dipole (ps), > 0.
    nonradiative_rate : float
        Non-radiative decay rate of the exciton (1/ps), >= 0.
    linewidth : LinewidthModel or object with ``fwhm_meV(T)``
        Homogeneous FWHM (meV) versus temperature (K); sets the coherence decay of the transfer rates.
    inhomogeneous_fwhm_meV : float
        FWHM (meV) of the Gaussian spread of this species' exciton energies (size dispersion), >= 0.
    dipole : "triplet" or array_like of shape (3,)
        Three orthogonal bright dipoles, or one dipole direction.
    continuum_per_meV : float
        Absorption above the band edge, per meV, relative to the band-edge line's integrated strength
        (>= 0; default 0: the NC absorbs only at its emission line). Weakly confined (large) NCs absorb
        strongly at the energies of smaller NCs' excitons, which is what lets energy flow downhill by
        hundreds of meV; e.g. 0.02/meV puts the band-edge strength into every 50 meV of continuum.
    continuum_onset_meV : float
        Where the continuum starts above the band edge (meV), >= 0.
    """

    name: str
    edge_nm: float
    energy_eV: float
    lifetime_ps: float
    nonradiative_rate: float = 0.0
    linewidth: object = dataclasses.field(default_factory=LinewidthModel)
    inhomogeneous_fwhm_meV: float = 0.0
    dipole: object = "triplet"
    continuum_per_meV: float = 0.0
    continuum_onset_meV: float = 0.0

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"name must be a non-empty string, got {self.name!r}")
        check_real("edge_nm", self.edge_nm, low=0.0, low_open=True)
        check_real("energy_eV", self.energy_eV, low=0.5, high=6.0)
        check_real("lifetime_ps", self.lifetime_ps, low=0.0, low_open=True)
        check_real("nonradiative_rate", self.nonradiative_rate, low=0.0)
        check_real("inhomogeneous_fwhm_meV", self.inhomogeneous_fwhm_meV, low=0.0)
        check_real("continuum_per_meV", self.continuum_per_meV, low=0.0)
        check_real("continuum_onset_meV", self.continuum_onset_meV, low=0.0)
        if not hasattr(self.linewidth, "fwhm_meV"):
            raise ValueError("linewidth must have a method fwhm_meV(temperatures_K), e.g. LinewidthModel()")
        if isinstance(self.dipole, str):
            if self.dipole != "triplet":
                raise ValueError(f"dipole must be 'triplet' or a 3-vector, got {self.dipole!r}")
        else:
            d = check_real_array("dipole", self.dipole, shape=(3,))
            if not np.any(d):
                raise ValueError("dipole must be a non-zero 3-vector")

    @property
    def radiative_rate(self) -> float:
        """Radiative rate of one bright dipole (1/ps)."""
        return 1.0 / self.lifetime_ps

    @property
    def wavelength_nm(self) -> float:
        """Vacuum emission wavelength (nm)."""
        return EV_NM / self.energy_eV

    def directions(self) -> np.ndarray:
        """Unit dipole directions of one NC, shape (p, 3)."""
        if isinstance(self.dipole, str):
            return np.eye(3)
        d = np.asarray(self.dipole, dtype=float)
        return (d / np.linalg.norm(d))[None, :]


def _cell(preset, c_over_a):
    vectors, sites = PRESETS[preset]
    if vectors is None:   # hexagonal
        vectors = np.array([[1.0, 0.0, 0.0], [-0.5, np.sqrt(3) / 2, 0.0], [0.0, 0.0, c_over_a]])
    return np.asarray(vectors, dtype=float), {k: np.asarray(v, dtype=float) for k, v in sites.items()}


def _min_distance(points_a, points_b, cell, same):
    """Smallest distance (units of a) between sublattices a and b over neighbouring cells."""
    shifts = np.stack(np.meshgrid(*(np.arange(-1, 2),) * 3, indexing="ij"), -1).reshape(-1, 3) @ cell
    ra = points_a @ cell
    rb = (points_b @ cell)[:, None, :] + shifts[None, :, :]
    d = np.linalg.norm(ra[:, None, None, :] - rb[None, :, :, :], axis=-1)
    if same:
        d = d[d > 1e-12]
    return float(d.min())


class MulticomponentSuperlattice:
    """NCs of several species at fixed positions (nm).

    Use :meth:`build` for a preset binary lattice, or the constructor for any positions.

    Parameters
    ----------
    positions_nm : array_like, shape (n, 3)
        NC centres (nm).
    species_index : array_like of int, shape (n,)
        Index into ``species`` of every NC.
    species : sequence of Species
        The components.
    refractive_index : float
        Of the medium between the NCs (ligands, matrix), > 0.
    ligand_gap_nm : float
        Smallest surface-to-surface gap allowed between two NCs (nm), >= 0; closer NCs are refused.
    energy_offsets_meV : array_like, shape (n,), optional
        Static offsets of each NC's exciton energy from its species' energy (a disorder realisation).

    Raises
    ------
    ValueError
        Mismatched shapes, an index outside the species list, or two NCs closer than contact (the pair
        and their species are named).
    """

    def __init__(self, positions_nm, species_index, species, *, refractive_index=1.0, ligand_gap_nm=0.0,
                 energy_offsets_meV=None, shape=None, preset=None):
        pos = check_real_array("positions_nm", positions_nm)
        if pos.ndim != 2 or pos.shape[1] != 3 or pos.shape[0] < 1:
            raise ValueError(f"positions_nm must have shape (n, 3) with n >= 1, got {pos.shape}")
        species = tuple(species)
        if not species or not all(isinstance(s, Species) for s in species):
            raise ValueError("species must be a non-empty sequence of Species")
        index = np.asarray(species_index)
        if index.shape != (pos.shape[0],) or not np.issubdtype(index.dtype, np.integer):
            raise ValueError(f"species_index must be {pos.shape[0]} integers (one per NC), got {index.shape} "
                             f"{index.dtype}")
        if index.min() < 0 or index.max() >= len(species):
            raise ValueError(f"species_index must lie in [0, {len(species) - 1}], got [{index.min()}, {index.max()}]")
        self.positions_nm = pos
        self.species_index = index.astype(np.int64)
        self.species = species
        self.refractive_index = check_real("refractive_index", refractive_index, low=0.0, low_open=True)
        self.ligand_gap_nm = check_real("ligand_gap_nm", ligand_gap_nm, low=0.0)
        n = pos.shape[0]
        self.energy_offsets_meV = (np.zeros(n) if energy_offsets_meV is None
                                   else check_real_array("energy_offsets_meV", energy_offsets_meV, shape=(n,)))
        if len({len(sp.directions()) for sp in species}) > 1:
            raise ValueError("species: all species need the same number of bright dipoles per NC (all 'triplet' or "
                             "all one dipole)")
        self.shape = shape
        self.preset = preset
        self._check_contacts()

    def _check_contacts(self):
        from scipy.spatial import cKDTree

        pos, radius = self.positions_nm, 0.5 * self.edges_nm
        if pos.shape[0] < 2:
            return
        reach = 2.0 * float(radius.max()) + self.ligand_gap_nm
        pairs = cKDTree(pos).query_pairs(r=reach, output_type="ndarray")
        if pairs.size == 0:
            return
        dist = np.linalg.norm(pos[pairs[:, 0]] - pos[pairs[:, 1]], axis=1)
        need = radius[pairs[:, 0]] + radius[pairs[:, 1]] + self.ligand_gap_nm
        bad = dist < need * (1 - 1e-9)
        if np.any(bad):
            k = int(np.argmax(need - dist))
            i, j = (int(v) for v in pairs[k])
            raise ValueError(
                f"positions_nm: NCs {i} ({self.species[self.species_index[i]].name}) and {j} "
                f"({self.species[self.species_index[j]].name}) overlap: centres {dist[k]:.3g} nm apart, but their "
                f"edges and the ligand gap need {need[k]:.3g} nm; use a larger lattice constant or smaller NCs"
            )

    # -- constructors -------------------------------------------------------------
    @classmethod
    def build(cls, preset, cells, species, *, lattice_constant_nm=None, c_over_a=1.0, ligand_gap_nm=2.0,
              refractive_index=1.0, energy_disorder=True, seed=None):
        """A preset binary superlattice of ``cells`` conventional cells.

        Parameters
        ----------
        preset : {"NaCl", "AlB2", "ABO3"}
            Structure type (:data:`PRESETS`).
        cells : int or tuple of 3 int
            Conventional cells along the three cell vectors (an int: the same along all three; use
            (nx, ny, 1) for a monolayer-like slab).
        species : dict
            Sublattice label -> :class:`Species` (every label of the preset; one species may fill several).
        lattice_constant_nm : float, optional
            Cell edge a (nm); default the smallest a at which every NC pair keeps ``ligand_gap_nm`` between
            surfaces.
        c_over_a : float
            c / a of the hexagonal AlB2 cell, > 0.
        ligand_gap_nm : float
            Surface-to-surface gap (nm) of the closest pair at the default a; the contact check at any a.
        refractive_index : float
            Of the medium.
        energy_disorder : bool
            Draw each NC's energy offset from its species' inhomogeneous Gaussian (FWHM ->
            sigma = FWHM / 2.3548); False keeps every NC at its species' energy.
        seed : int, optional
            Seed of the disorder realisation.

        Raises
        ------
        ValueError
            Unknown preset (the known ones are named), a sublattice label without a species, a lattice
            constant at which NCs overlap, bad cell counts.
        """
        if preset not in PRESETS:
            raise ValueError(f"preset must be one of {sorted(PRESETS)}, got {preset!r}")
        cells = (cells,) * 3 if np.ndim(cells) == 0 else tuple(cells)
        if len(cells) != 3:
            raise ValueError(f"cells must be one integer or 3, got {cells}")
        cells = tuple(check_positive_int("cells", c) for c in cells)
        c_over_a = check_real("c_over_a", c_over_a, low=0.0, low_open=True)
        gap = check_real("ligand_gap_nm", ligand_gap_nm, low=0.0)
        cell, sites = _cell(preset, c_over_a)
        if not isinstance(species, dict):
            raise ValueError(f"species must be a dict {{label: Species}} with the labels {sorted(sites)}")
        missing = sorted(set(sites) - set(species))
        extra = sorted(set(species) - set(sites))
        if missing or extra:
            raise ValueError(f"species: the {preset} preset has the sublattices {sorted(sites)}; "
                             f"missing {missing}, unknown {extra}")
        kinds = []
        for label in sites:
            if not isinstance(species[label], Species):
                raise ValueError(f"species[{label!r}] must be a Species, got {type(species[label]).__name__}")
            if species[label] not in kinds:
                kinds.append(species[label])
        if lattice_constant_nm is None:
            need = 0.0
            labels = list(sites)
            for i, la in enumerate(labels):
                for lb in labels[i:]:
                    contact = 0.5 * (species[la].edge_nm + species[lb].edge_nm) + gap
                    need = max(need, contact / _min_distance(sites[la], sites[lb], cell, la == lb))
            a = need
        else:
            a = check_real("lattice_constant_nm", lattice_constant_nm, low=0.0, low_open=True)
        grid = np.stack(np.meshgrid(*(np.arange(c) for c in cells), indexing="ij"), -1).reshape(-1, 3)
        positions, index = [], []
        for label, frac in sites.items():
            pts = (grid[:, None, :] + frac[None, :, :]).reshape(-1, 3) @ cell * a
            positions.append(pts)
            index.append(np.full(pts.shape[0], kinds.index(species[label])))
        pos, idx = np.concatenate(positions), np.concatenate(index)
        order = np.lexsort(pos.T[::-1])
        pos, idx = pos[order], idx[order]
        offsets = None
        if energy_disorder:
            rng = np.random.default_rng(seed)
            sigma = np.array([s.inhomogeneous_fwhm_meV for s in kinds])[idx] / (2.0 * np.sqrt(2.0 * np.log(2.0)))
            offsets = rng.normal(0.0, 1.0, pos.shape[0]) * sigma
        out = cls(pos, idx, kinds, refractive_index=refractive_index, ligand_gap_nm=gap * (1 - 1e-9),
                  energy_offsets_meV=offsets, shape=cells, preset=preset)
        out.lattice_constant_nm = float(a)
        return out

    # -- per-NC arrays ------------------------------------------------------------
    @property
    def n(self) -> int:
        """Number of NCs."""
        return self.positions_nm.shape[0]

    def _per_nc(self, attribute):
        return np.array([getattr(s, attribute) for s in self.species], dtype=float)[self.species_index]

    @property
    def edges_nm(self) -> np.ndarray:
        """NC edge (nm) of every NC."""
        return self._per_nc("edge_nm")

    @property
    def energies_meV(self) -> np.ndarray:
        """Exciton energy (meV) of every NC: species energy + offset."""
        return 1e3 * self._per_nc("energy_eV") + self.energy_offsets_meV

    @property
    def radiative_rates(self) -> np.ndarray:
        """Radiative rate of one bright dipole (1/ps) of every NC."""
        return 1.0 / self._per_nc("lifetime_ps")

    @property
    def nonradiative_rates(self) -> np.ndarray:
        """Non-radiative exciton decay rate (1/ps) of every NC."""
        return self._per_nc("nonradiative_rate")

    @property
    def dipoles_per_nc(self) -> int:
        """Bright dipoles of one NC (3 for the triplet, else 1; the same for every species)."""
        return len(self.species[0].directions())

    def wavenumbers(self) -> np.ndarray:
        """k_i = 2 pi n_r / lambda_i (1/nm) of every NC's emission."""
        return 2.0 * np.pi * self.refractive_index * self.energies_meV / (1e3 * EV_NM)

    def pair_couplings(self, first, second):
        """Gamma and Omega between the bright dipoles of NC pairs at different sites.

        Each pair (first[q], second[q]) gets the Green's tensor (:func:`~sf_dynamics.geometry.green_kernel`)
        at the geometric-mean wavenumber k_ref of the sample, scaled to the two NCs' dipole strengths:
        Gamma by sqrt(gamma_i gamma_j), Omega by sqrt(gamma_i gamma_j) (k_ref^2 / (k_i k_j))^(3/2) -- exact in
        the near field, where Omega ~ d_i d_j / r^3 and |d|^2 ~ gamma / k^3, and exact at any distance
        within one species; between species only the far-field phase uses k_ref (such pairs are detuned by
        the species' energy difference anyway).

        Parameters
        ----------
        first, second : array_like of int, shape (q,)
            NC indices; the two NCs of a pair must differ.

        Returns
        -------
        gamma, omega : ndarray, shape (q, p, p)
            1/ps and rad/ps; [q, a, b] couples dipole a of ``first[q]`` to dipole b of ``second[q]``.
        """
        from .green import green_kernel

        i, j = np.asarray(first, dtype=np.int64), np.asarray(second, dtype=np.int64)
        if i.shape != j.shape or np.any(i == j):
            raise ValueError("first, second: equal-length index arrays of two different NCs per pair")
        k_site = self.wavenumbers()
        k_ref = float(np.exp(np.mean(np.log(k_site))))
        sep = self.positions_nm[j] - self.positions_nm[i]
        gam = self.radiative_rates
        strength = np.sqrt(gam[i] * gam[j])
        near = strength * (k_ref**2 / (k_site[i] * k_site[j])) ** 1.5
        p = self.dipoles_per_nc
        gamma = np.zeros((i.size, p, p))
        omega = np.zeros((i.size, p, p))
        si, sj = self.species_index[i], self.species_index[j]
        for a_sp in np.unique(si):
            for b_sp in np.unique(sj):
                rows = np.flatnonzero((si == a_sp) & (sj == b_sp))
                for a, u in enumerate(self.species[a_sp].directions()):
                    for b, w in enumerate(self.species[b_sp].directions()):
                        g, o = green_kernel(sep[rows], u, w, k=k_ref, gamma=1.0)
                        gamma[rows, a, b] = g * strength[rows]
                        omega[rows, a, b] = o * near[rows]
        return gamma, omega

    def nanocrystal_ensemble(self, *, dephasing=0.0, reference_energy_meV=None):
        """The mixed-size sample as a dynamical model for every solver that takes coupling matrices.

        Parameters
        ----------
        dephasing : float
            Pure dephasing rate gamma_phi (1/ps) of every optical coherence.
        reference_energy_meV : float, optional
            The rotating frame (meV); default the mean NC energy. Each NC's detuning is its energy minus it.

        Returns
        -------
        NanocrystalEnsemble (triplet species) or Ensemble (one dipole)
            Gamma and Omega over all dipoles from :meth:`pair_couplings`; each NC's own dipoles decay at its
            species' rate and do not couple to each other.
        """
        from .._resources import check_memory
        from ..model import Ensemble, NanocrystalEnsemble
        from ..units import MEV_TO_RAD_PER_PS

        p, n = self.dipoles_per_nc, self.n
        check_memory(2.0 * 8.0 * (p * n) ** 2 * 3, parameter="positions_nm",
                     what=f"dense couplings of {p * n} dipoles", alternative="use sf_dynamics.transport for "
                     "incoherent transfer in large samples")
        i, j = np.triu_indices(n, 1)
        g, o = self.pair_couplings(i, j)
        gamma = np.zeros((n, p, n, p))
        omega = np.zeros((n, p, n, p))
        gamma[i, :, j, :], omega[i, :, j, :] = g, o
        gamma[j, :, i, :], omega[j, :, i, :] = g.transpose(0, 2, 1), o.transpose(0, 2, 1)
        gamma[np.arange(n), :, np.arange(n), :] = self.radiative_rates[:, None, None] * np.eye(p)[None]
        ref = float(np.mean(self.energies_meV)) if reference_energy_meV is None else check_real(
            "reference_energy_meV", reference_energy_meV)
        detunings = (self.energies_meV - ref) * MEV_TO_RAD_PER_PS
        gm, om = gamma.reshape(n * p, n * p), omega.reshape(n * p, n * p)
        if p == 3:
            return NanocrystalEnsemble(n, dephasing=dephasing, detunings=detunings, gamma_matrix=gm, omega_matrix=om)
        return Ensemble(n, dephasing=dephasing, detunings=detunings, gamma_matrix=gm, omega_matrix=om)

    def counts(self) -> dict:
        """NCs per species name."""
        return {s.name: int(np.sum(self.species_index == k)) for k, s in enumerate(self.species)}

    def __repr__(self) -> str:
        kind = self.preset or "positions"
        parts = ", ".join(f"{name}: {c}" for name, c in self.counts().items())
        a = f", a={self.lattice_constant_nm:.3g} nm" if getattr(self, "lattice_constant_nm", None) else ""
        return f"MulticomponentSuperlattice({kind}, n={self.n} ({parts}){a})"
