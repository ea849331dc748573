"""Incoherent exciton transfer between NCs from the same dipole couplings that make them superradiant.

When the optical coherence of each NC decays much faster than the coupling between them
(|Omega_ij| << |Delta_ij + i Gamma_ij|), a coherent coupling becomes a hop (Haken, Strobl & Reineker;
docs/physics.md, "Exciton transport"): an exciton on NC i moves to NC j at

    k_ij = 2 V_ij^2 Gamma_ij / (Delta_ij^2 + Gamma_ij^2) = 2 pi V_ij^2 L_ij(Delta_ij),

with V_ij^2 the dipole-dipole coupling Omega (Green's tensor, near field ~ r^-3) squared and averaged over
the bright sublevel the exciton occupies (summed over the ones it reaches), Delta_ij the energy mismatch
(rad/ps), Gamma_ij = Gamma_i + Gamma_j the sum of both NCs' coherence decay rates (homogeneous FWHM / 2
hbar each) and L the Lorentzian overlap of normalised lineshapes. A species with an absorption
continuum above its band edge (``Species.continuum_per_meV``) adds the overlap of the donor's line with
it for downhill hops (how energy flows from small to large NCs). This is Foerster's rate with the
spectral overlap of two homogeneous lines; averaged over Gaussian inhomogeneous lines of FWHM W_i, W_j
the Lorentzian becomes a Voigt profile (``average_disorder=True``). Uphill hops carry the Boltzmann
factor exp(-(E_j - E_i) / k_B T) (detailed balance); downhill ones keep the symmetric rate.
"""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import scipy.sparse as sp
from scipy.special import voigt_profile

from .._validation import check_real, check_real_array
from ..units import HBAR_MEV_PS, K_B_MEV_PER_K, MEV_TO_RAD_PER_PS
from .sites import as_sites

__all__ = ["TransferRates", "transfer_rates", "haken_strobl_rate", "forster_rate", "hopping_validity",
           "DEFAULT_CUTOFF_NEIGHBOURS", "COHERENT_RATIO"]

#: default cutoff of the pair search, in nearest-neighbour distances: the r^-6 rate beyond it is < 7e-5 of
#: the nearest neighbour's
DEFAULT_CUTOFF_NEIGHBOURS = 5.0
#: pairs with |V| / |Delta + i Gamma| above this are in the coherent (delocalised) regime: warned about
COHERENT_RATIO = 0.5
_FWHM_TO_SIGMA = 1.0 / (2.0 * np.sqrt(2.0 * np.log(2.0)))


def haken_strobl_rate(coupling, detuning, coherence_decay):
    """Incoherent hopping rate 2 V^2 Gamma / (Delta^2 + Gamma^2) (1/ps).

    Parameters
    ----------
    coupling : array_like
        Coherent coupling V (rad/ps).
    detuning : array_like
        Energy mismatch Delta of the two sites (rad/ps).
    coherence_decay : array_like
        Gamma, the sum of both sites' coherence decay rates (1/ps), > 0.
    """
    v, d, g = (np.asarray(x, dtype=float) for x in (coupling, detuning, coherence_decay))
    if np.any(g <= 0):
        raise ValueError("coherence_decay must be > 0 (1/ps)")
    return 2.0 * v**2 * g / (d**2 + g**2)


def forster_rate(distance_nm, forster_radius_nm, donor_lifetime_ps):
    """Foerster's rate (1/tau_D) (R_0 / r)^6 (1/ps) for a donor of lifetime tau_D (ps)."""
    r = check_real_array("distance_nm", distance_nm)
    if np.any(r <= 0):
        raise ValueError("distance_nm must be > 0")
    r0 = check_real("forster_radius_nm", forster_radius_nm, low=0.0)
    tau = check_real("donor_lifetime_ps", donor_lifetime_ps, low=0.0, low_open=True)
    return (r0 / r) ** 6 / tau


def hopping_validity(coupling, detuning, coherence_decay, inhomogeneous_sigma=0.0):
    """|V| / sqrt(Delta^2 + Gamma^2 + sigma^2): the hopping picture needs it << 1."""
    v, d, g, s = (np.asarray(x, dtype=float) for x in (coupling, detuning, coherence_decay, inhomogeneous_sigma))
    return np.abs(v) / np.sqrt(d**2 + g**2 + s**2)


@dataclasses.dataclass(frozen=True)
class TransferRates:
    """Exciton hopping rates between NCs, and each NC's decay.

    Attributes
    ----------
    matrix : scipy.sparse.csr_matrix, shape (n, n)
        matrix[i, j] = rate of a hop from NC i to NC j (1/ps); zero diagonal.
    decay, radiative : ndarray, shape (n,)
        Total and radiative exciton decay rate of each NC (1/ps).
    positions_nm : ndarray, shape (n, 3)
    energies_meV : ndarray, shape (n,)
        Exciton energy of each NC (meV).
    species_index : ndarray of int, shape (n,)
    species_names : tuple of str
    temperature_K : float or None
    info : dict
        How the rates were made (cutoff, coherence decay, validity of the hopping picture, ...).
    """

    matrix: sp.csr_matrix
    decay: np.ndarray
    radiative: np.ndarray
    positions_nm: np.ndarray
    energies_meV: np.ndarray
    species_index: np.ndarray
    species_names: tuple
    temperature_K: float | None = None
    info: dict = dataclasses.field(default_factory=dict)

    def __post_init__(self):
        n = self.positions_nm.shape[0]
        if self.matrix.shape != (n, n):
            raise ValueError(f"matrix must have shape ({n}, {n}), got {self.matrix.shape}")
        if self.matrix.nnz and (self.matrix.data.min() < 0 or not np.all(np.isfinite(self.matrix.data))):
            raise ValueError("matrix: hopping rates must be finite and >= 0 (1/ps)")
        if np.any(self.matrix.diagonal() != 0):
            raise ValueError("matrix: the diagonal (a hop from an NC to itself) must be zero")
        for name in ("decay", "radiative", "energies_meV", "species_index"):
            if np.shape(getattr(self, name)) != (n,):
                raise ValueError(f"{name} must have shape ({n},), got {np.shape(getattr(self, name))}")
        if np.any(self.radiative < 0) or np.any(self.radiative > self.decay * (1 + 1e-12)):
            raise ValueError("radiative must be >= 0 and <= decay (1/ps)")

    @property
    def n(self) -> int:
        """Number of NCs."""
        return self.positions_nm.shape[0]

    def out_rates(self) -> np.ndarray:
        """Total hopping rate out of each NC (1/ps)."""
        return np.asarray(self.matrix.sum(axis=1)).ravel()

    def species_rate(self, source: str, target: str) -> float:
        """Mean total hopping rate (1/ps) from one NC of species ``source`` to all NCs of species ``target``.

        Raises
        ------
        ValueError
            A species name the rates do not have (the known ones are named).
        """
        index = {name: k for k, name in enumerate(self.species_names)}
        for name in (source, target):
            if name not in index:
                raise ValueError(f"species {name!r} unknown; the rates have {list(self.species_names)}")
        rows = self.species_index == index[source]
        cols = self.species_index == index[target]
        return float(np.asarray(self.matrix[rows][:, cols].sum(axis=1)).mean()) if np.any(rows) else 0.0

    def generator(self) -> sp.csr_matrix:
        """A with dP/dt = A P for the site populations P: hops in, hops out and decay."""
        return (self.matrix.T - sp.diags(self.out_rates() + self.decay)).tocsr()

    @classmethod
    def from_matrix(cls, positions_nm, matrix, *, decay=0.0, radiative=None, energies_meV=None, species_index=None,
                    species_names=("sites",), temperature_K=None):
        """Rates given directly (a model lattice, a test): ``matrix[i, j]`` the hop i -> j (1/ps)."""
        pos = check_real_array("positions_nm", positions_nm)
        if pos.ndim != 2 or pos.shape[1] != 3:
            raise ValueError(f"positions_nm must have shape (n, 3), got {pos.shape}")
        n = pos.shape[0]
        m = sp.csr_matrix(matrix, dtype=float)
        decay = np.broadcast_to(check_real_array("decay", decay, nonnegative=True), (n,)).copy()
        radiative = decay.copy() if radiative is None else np.broadcast_to(
            check_real_array("radiative", radiative, nonnegative=True), (n,)).copy()
        energies = np.zeros(n) if energies_meV is None else check_real_array("energies_meV", energies_meV, shape=(n,))
        index = np.zeros(n, dtype=np.int64) if species_index is None else np.asarray(species_index, dtype=np.int64)
        return cls(m, decay, radiative, pos, energies, index, tuple(species_names), temperature_K)

    @classmethod
    def nearest_neighbour(cls, lattice, rate, *, decay=0.0, radiative=None):
        """Hops at ``rate`` (1/ps) between nearest neighbours of a regular lattice only (a model, for tests)."""
        from scipy.spatial import cKDTree

        sites = as_sites(lattice)
        rate = check_real("rate", rate, low=0.0)
        pos = sites.positions_nm
        d, _ = cKDTree(pos).query(pos, k=2)
        a = float(d[:, 1].min())
        pairs = cKDTree(pos).query_pairs(r=a * (1 + 1e-6), output_type="ndarray")
        rows = np.concatenate([pairs[:, 0], pairs[:, 1]])
        cols = np.concatenate([pairs[:, 1], pairs[:, 0]])
        m = sp.csr_matrix((np.full(rows.size, rate), (rows, cols)), shape=(sites.n, sites.n))
        return cls.from_matrix(pos, m, decay=decay, radiative=radiative, energies_meV=sites.energies_meV,
                               species_index=sites.species_index, species_names=tuple(s.name for s in sites.species))


def _coherence_decay(sites, temperature_K):
    """Gamma_i = homogeneous FWHM(T) / 2 hbar of every NC (1/ps), at least half its population decay."""
    per_species = np.array([float(s.linewidth.fwhm_meV(temperature_K)[0]) for s in sites.species])
    gamma = per_species[sites.species_index] / (2.0 * HBAR_MEV_PS)
    return np.maximum(gamma, 0.5 * (sites.radiative_rates + sites.nonradiative_rates))


def _pair_couplings(sites, pairs):
    """V^2 (rad/ps)^2 of every pair: |Omega|^2 summed over final and averaged over initial bright dipoles."""
    _, omega = sites.pair_couplings(pairs[:, 0], pairs[:, 1])
    return np.sum(omega**2, axis=(1, 2)) / sites.dipoles_per_nc


def _continuum_overlap(sites, source, target, excess, sigma):
    """Overlap (per rad/ps) of the source's line with the target's absorption continuum: rho Phi((excess - onset) / s).

    ``excess`` = (E_source - E_target) / hbar (rad/ps); the target absorbs rho (per rad/ps) above its onset; the
    source line's inhomogeneous spread ``sigma`` (rad/ps) smooths the step (a Gaussian CDF; a step when 0).
    """
    from scipy.special import ndtr

    rho = np.array([s.continuum_per_meV for s in sites.species])[sites.species_index[target]] * HBAR_MEV_PS
    if not np.any(rho):
        return np.zeros(excess.shape)
    onset = np.array([s.continuum_onset_meV for s in sites.species])[sites.species_index[target]] * MEV_TO_RAD_PER_PS
    above = excess - onset
    smooth = np.where(sigma > 0, ndtr(above / np.where(sigma > 0, sigma, 1.0)), (above > 0).astype(float))
    return rho * smooth


def transfer_rates(lattice, temperature_K, *, cutoff_nm=None, average_disorder=False, detailed_balance=True,
                   linewidth=None, nonradiative_rate=0.0) -> TransferRates:
    """Hopping rates between every pair of NCs closer than a cutoff (sparse), from the Green's tensor.

    Parameters
    ----------
    lattice : Superlattice or MulticomponentSuperlattice
        The NCs (any geometry the package builds: regular, disordered, binary).
    temperature_K : float
        Sets each species' homogeneous linewidth (coherence decay) and the detailed-balance factor, > 0.
    cutoff_nm : float, optional
        Pairs farther apart are not coupled; default 5 nearest-neighbour distances.
    average_disorder : bool
        False: use each NC's realised energy (its offset). True: use the species' mean energies and average
        the rate over their Gaussian inhomogeneous lines (a Voigt overlap) -- the ensemble-mean rate.
    detailed_balance : bool
        Multiply uphill hops by exp(-(E_j - E_i) / k_B T) (True), or keep the symmetric high-temperature
        rate (False).
    linewidth, nonradiative_rate
        For a single-component Superlattice (see :func:`~sf_dynamics.transport.sites.as_sites`).

    Returns
    -------
    TransferRates
        ``info`` holds the cutoff, the coherence decay per species, and ``max_coupling_ratio`` /
        ``coherent_pairs``: how far the pairs are from the hopping regime.

    Warns
    -----
    RuntimeWarning
        When some pairs have |V| / |Delta + i Gamma| > 0.5 (:data:`COHERENT_RATIO`): their excitons are
        partly delocalised and the hopping rate overstates nothing reliably (use the coherent solvers).

    Raises
    ------
    ValueError
        Bad temperature or cutoff, a geometry type the transport does not know.
    """
    from scipy.spatial import cKDTree

    sites = as_sites(lattice, linewidth=linewidth, nonradiative_rate=nonradiative_rate)
    t = check_real("temperature_K", temperature_K, low=0.0, low_open=True)
    pos = sites.positions_nm
    n = sites.n
    tree = cKDTree(pos)
    if n > 1:
        nn = float(tree.query(pos, k=2)[0][:, 1].min())
    else:
        nn = 1.0
    cutoff = DEFAULT_CUTOFF_NEIGHBOURS * nn if cutoff_nm is None else check_real("cutoff_nm", cutoff_nm, low=0.0,
                                                                                  low_open=True)
    pairs = tree.query_pairs(r=cutoff, output_type="ndarray") if n > 1 else np.zeros((0, 2), dtype=np.int64)
    gamma = _coherence_decay(sites, np.array([t]))
    mean_energy = 1e3 * np.array([s.energy_eV for s in sites.species])[sites.species_index]
    energy = mean_energy if average_disorder else sites.energies_meV
    i, j = pairs[:, 0], pairs[:, 1]
    v2 = _pair_couplings(sites, pairs)
    delta = (energy[j] - energy[i]) * MEV_TO_RAD_PER_PS
    g_ij = gamma[i] + gamma[j]
    sigma = np.zeros(pairs.shape[0])
    if average_disorder:
        w = np.array([s.inhomogeneous_fwhm_meV for s in sites.species])[sites.species_index] * _FWHM_TO_SIGMA
        sigma = np.hypot(w[i], w[j]) * MEV_TO_RAD_PER_PS
    symmetric = 2.0 * np.pi * v2 * voigt_profile(delta, sigma, g_ij)
    downhill_i = _continuum_overlap(sites, i, j, -delta, sigma)    # i -> j into j's continuum (E_i > E_j)
    downhill_j = _continuum_overlap(sites, j, i, delta, sigma)     # j -> i into i's continuum
    ratio = hopping_validity(np.sqrt(v2), delta, g_ij, sigma)
    coherent = int(np.sum(ratio > COHERENT_RATIO))
    if coherent:
        warnings.warn(
            f"transfer_rates: {coherent} of {pairs.shape[0]} NC pairs have |V| / |Delta + i Gamma| > {COHERENT_RATIO} "
            f"(largest {ratio.max():.3g}) at {t:g} K: their excitons are partly delocalised, outside the hopping "
            "(Haken-Strobl / Foerster) regime; the rates there are not reliable -- use the coherent solvers "
            "(sf_dynamics.simulate) for such pairs", RuntimeWarning, stacklevel=2)
    up = delta * HBAR_MEV_PS      # E_j - E_i (meV)
    forward = symmetric + 2.0 * np.pi * v2 * downhill_i
    backward = symmetric + 2.0 * np.pi * v2 * downhill_j
    if detailed_balance:   # the uphill rate is the downhill one times the Boltzmann factor
        kt = K_B_MEV_PER_K * t
        down = np.where(up <= 0, forward, backward)
        forward = np.where(up <= 0, forward, down * np.exp(-up / kt))
        backward = np.where(up > 0, backward, down * np.exp(up / kt))
    rows = np.concatenate([i, j])
    cols = np.concatenate([j, i])
    matrix = sp.csr_matrix((np.concatenate([forward, backward]), (rows, cols)), shape=(n, n))
    decay = sites.radiative_rates + sites.nonradiative_rates
    info = {"model": "Haken-Strobl-Reineker hopping (Foerster limit) from Green's-tensor couplings",
            "cutoff_nm": cutoff, "pairs": int(pairs.shape[0]), "average_disorder": bool(average_disorder),
            "detailed_balance": bool(detailed_balance),
            "coherence_decay_per_ps": {s.name: float(gamma[sites.species_index == k][0])
                                       for k, s in enumerate(sites.species) if np.any(sites.species_index == k)},
            "max_coupling_ratio": float(ratio.max()) if ratio.size else 0.0, "coherent_pairs": coherent}
    return TransferRates(matrix, decay, sites.radiative_rates.copy(), pos.copy(), energy.copy(),
                         sites.species_index.copy(), tuple(s.name for s in sites.species), t, info)
