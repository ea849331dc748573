"""Thermal-equilibrium superradiance of superlattices (docs/physics.md).

In the single-excitation manifold of a superlattice, H = diag(E) + Omega
(Hermitian part of the effective Hamiltonian H - i Gamma/2) has eigenstates
psi_j with energies E_j and radiative widths Gamma_j = <psi_j|Gamma|psi_j>.
An exciton thermalised among them decays at

    <Gamma>_T = sum_j Gamma_j exp(-E_j / k_B T) / sum_j exp(-E_j / k_B T)
              = Tr(Gamma exp(-H / k_B T)) / Tr(exp(-H / k_B T)),

and the superradiant enhancement is <Gamma>_T / gamma. Limits: <Gamma>_T ->
Tr Gamma / m = gamma as T -> infinity; the lowest state's width as T -> 0;
to first order in 1/T, <Gamma>_T = gamma - Cov(E_j, Gamma_j) / (k_B T), with
Cov(E, Gamma) = Tr(H Gamma)/m - (Tr H / m)(Tr Gamma / m) known without
diagonalising. The dense route diagonalises H; the matrix-free route
(:mod:`sf_dynamics.thermal.kpm`) evaluates the traces with Chebyshev
moments and random probes, products with H and Gamma done by FFT.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .._resources import check_memory
from .._validation import check_positive_int, check_real_array
from ..kernels.peaks import parabolic_vertex
from ..model.linewidth import check_temperatures
from ..units import K_B_MEV_PER_K, MEV_TO_RAD_PER_PS

__all__ = [
    "single_excitation_spectrum",
    "thermal_average_rate",
    "high_temperature_coefficient",
    "ThermalCurve",
    "thermal_superradiance",
    "characteristic_temperatures",
    "combine_realizations",
]


def single_excitation_spectrum(lattice, *, non_hermitian=False):
    """Energies (rad/ps) and radiative widths (1/ps) of the single-excitation states (dense).

    Parameters
    ----------
    lattice : Superlattice
        Or a tuple (energies, Gamma, Omega) over dipoles.
    non_hermitian : bool
        Diagonalise H - i Gamma/2 instead (widths = -2 Im of its eigenvalues);
        the two agree when the widths are small against the level spacing.

    Returns
    -------
    energies : ndarray, sorted ascending
    widths : ndarray
    """
    m = len(lattice[0]) if isinstance(lattice, tuple) else lattice.n * lattice.dipoles_per_nc
    check_memory(6.0 * 8.0 * m * m, parameter="lattice",
                 what=f"dense diagonalisation of the {m} x {m} single-excitation Hamiltonian",
                 alternative="regular lattices: thermal_superradiance(..., route='matrix-free') needs O(m) memory")
    if isinstance(lattice, tuple):
        e, g, w = lattice
        e = np.asarray(e, dtype=float)
    else:
        g, w = lattice.couplings()
        e = lattice.dipole_energies()
    h = w + np.diag(e)
    if non_hermitian:
        vals = np.linalg.eigvals(h - 0.5j * g)
        order = np.argsort(vals.real)
        return vals.real[order], -2.0 * vals.imag[order]
    energies, vecs = np.linalg.eigh(h)
    widths = np.einsum("ij,ik,kj->j", vecs, g, vecs, optimize=True)
    return energies, widths


def _kt_rad_per_ps(temperatures_K):
    return K_B_MEV_PER_K * temperatures_K * MEV_TO_RAD_PER_PS


def thermal_average_rate(energies, widths, temperatures_K):
    """<Gamma>_T (1/ps): Boltzmann average of the widths at each temperature (K)."""
    e = np.asarray(energies, dtype=float)
    g = np.asarray(widths, dtype=float)
    t = check_temperatures(temperatures_K)
    beta = 1.0 / _kt_rad_per_ps(t)
    weights = np.exp(-np.outer(beta, e - e.min()))
    return (weights @ g) / weights.sum(axis=1)


def high_temperature_coefficient(energies, widths, gamma):
    """C (K) of the high-T law <Gamma>_T / gamma - 1 = C / T + O(1/T^2), from the spectrum.

    C = -Cov_j(E_j, Gamma_j) / (gamma k_B), exact first-order coefficient
    (energies in rad/ps, widths and gamma in 1/ps).
    """
    e = np.asarray(energies, dtype=float)
    g = np.asarray(widths, dtype=float)
    cov = np.mean((e - e.mean()) * (g - g.mean()))
    return float(-cov / (gamma * K_B_MEV_PER_K * MEV_TO_RAD_PER_PS))


@dataclass
class ThermalCurve:
    """Superradiant enhancement <Gamma>_T / gamma versus temperature.

    Attributes
    ----------
    temperatures_K : ndarray
    enhancement : ndarray
        Mean over disorder realisations.
    sem : ndarray
        Standard error of the mean over realisations (and probes, matrix-free).
    gamma : float
        Single-dipole rate (1/ps).
    high_t_coefficient : float
        Exact first-order coefficient C (K): enhancement - 1 ~ C / T.
    realizations : ndarray, shape (R, nT)
    route : str
    info : dict
    """

    temperatures_K: np.ndarray
    enhancement: np.ndarray
    sem: np.ndarray
    gamma: float
    high_t_coefficient: float
    realizations: np.ndarray
    route: str
    info: dict = field(default_factory=dict)

    def characteristic(self):
        """See :func:`characteristic_temperatures`."""
        return characteristic_temperatures(self.temperatures_K, self.enhancement)

    def to_xarray(self):
        import xarray as xr

        return xr.Dataset(
            {
                "enhancement": ("temperature", self.enhancement),
                "enhancement_sem": ("temperature", self.sem),
                "realization_enhancement": (("realization", "temperature"), self.realizations),
            },
            coords={"temperature": ("temperature", self.temperatures_K, {"units": "K"})},
            attrs={"gamma_per_ps": self.gamma, "high_t_coefficient_K": self.high_t_coefficient, "route": self.route,
                   **{k: v for k, v in self.info.items() if isinstance(v, (int, float, str))}},
        )


def thermal_superradiance(lattice, temperatures_K, *, realizations=1, seed=0, route="dense", **route_options):
    """<Gamma>_T / gamma of a superlattice versus temperature, disorder-averaged.

    Parameters
    ----------
    lattice : Superlattice or callable
        A lattice, or ``make(seed) -> Superlattice`` drawing one disorder
        realisation (e.g. ``lambda s: Superlattice.cubic(6, 6, 6,
        energy_disorder_meV=0.5, seed=s)``).
    temperatures_K : array_like
        Temperatures (K), > 0.
    realizations : int
        Number of disorder realisations (seeds seed, seed + 1, ...); must be
        1 for a fixed lattice.
    seed : int
        First seed: realisation r draws its disorder (callable ``lattice``) and,
        on the matrix-free route, its random probes from seed + r.
    route : {"dense", "matrix-free"}
        Dense diagonalisation, or FFT products + Chebyshev moments + random
        probes (:func:`sf_dynamics.thermal.kpm.thermal_rate_kpm`, regular
        lattices without positional disorder).
    **route_options
        Options of the matrix-free route (``probes``, ``moments``, ``workers``).

    Returns
    -------
    ThermalCurve
    """
    t = check_temperatures(temperatures_K)
    realizations = check_positive_int("realizations", realizations)
    if route not in ("dense", "matrix-free"):
        raise ValueError(f"route must be 'dense' or 'matrix-free', got {route!r}")
    if not callable(lattice) and realizations != 1:
        raise ValueError("realizations > 1 needs a callable make(seed) -> Superlattice to draw the disorder")
    rows, sems, coeffs = [], [], []
    gamma = None
    for r in range(realizations):
        lat = lattice(seed + r) if callable(lattice) else lattice
        gamma = lat.gamma
        if route == "dense":
            energies, widths = single_excitation_spectrum(lat)
            rows.append(thermal_average_rate(energies, widths, t) / gamma)
            sems.append(np.zeros_like(t))
            coeffs.append(high_temperature_coefficient(energies, widths, gamma))
        else:
            from .kpm import thermal_rate_kpm

            rate, err, coeff = thermal_rate_kpm(lat, t, seed=seed + r, **route_options)
            rows.append(rate / gamma)
            sems.append(err / gamma)
            coeffs.append(coeff)
    rows = np.array(rows)
    mean, sem = combine_realizations(rows, np.array(sems))
    return ThermalCurve(
        temperatures_K=t,
        enhancement=mean,
        sem=sem,
        gamma=float(gamma),
        high_t_coefficient=float(np.mean(coeffs)),
        realizations=rows,
        route=route,
        info={"n_dipoles": int(lat.n * lat.dipoles_per_nc)},
    )


def combine_realizations(values, probe_sems):
    """Mean over disorder realisations and its standard error.

    Parameters
    ----------
    values : array_like, shape (realizations, temperatures)
        <Gamma>_T / gamma of each realisation.
    probe_sems : array_like, same shape
        Standard error of each value from its own estimator (random probes of
        the matrix-free route; zeros for dense diagonalisation).

    Returns
    -------
    mean, sem : ndarray, shape (temperatures,)
        The mean over realisations, and the standard error combining the
        probe errors (sqrt(sum s_r^2) / R) with the spread between
        realisations (sample standard deviation / sqrt(R), zero for R = 1),
        added in quadrature (conservative: the spread already contains part
        of the probe noise).

    Raises
    ------
    ValueError
        If the shapes differ or no realisation is given.
    """
    values = np.atleast_2d(np.asarray(values, dtype=np.float64))
    probe_sems = np.atleast_2d(np.asarray(probe_sems, dtype=np.float64))
    if values.shape != probe_sems.shape:
        raise ValueError(f"probe_sems must have the shape of values {values.shape}, got {probe_sems.shape}")
    r = values.shape[0]
    if r < 1:
        raise ValueError("values needs at least one realisation")
    probe = np.sqrt(np.mean(probe_sems**2, axis=0) / r)
    spread = values.std(axis=0, ddof=1) / np.sqrt(r) if r > 1 else np.zeros(values.shape[1])
    return values.mean(axis=0), np.sqrt(probe**2 + spread**2)


def characteristic_temperatures(temperatures_K, enhancement):
    """Characteristic points of an enhancement curve E(T) = <Gamma>_T / gamma.

    Definitions (the curve need not be monotonic):

    * ``t_max``, ``max_enhancement``: the temperature of the largest E on the
      grid (parabolic refinement in ln T) and that value;
    * ``t_cross``: the lowest temperature where E crosses 1 (from either
      side), linearly interpolated; NaN if it never does;
    * ``t_half``: above t_max, the temperature where the excess E - 1 has
      fallen to half of its maximum (the thermal-decoherence scale of the
      enhancement); NaN if not reached or if max E <= 1;
    * ``low_t_enhancement``: E at the lowest temperature.
    """
    t = check_temperatures(temperatures_K)
    e = check_real_array("enhancement", enhancement, shape=t.shape)
    if t.size >= 2 and np.any(np.diff(t) <= 0):
        raise ValueError("temperatures_K must be strictly increasing")
    i = int(np.argmax(e))
    # the sample i is the largest, so the parabola through it and its neighbours opens downwards
    log_t_max, e_max = parabolic_vertex(np.log(t), e, i)
    t_max, e_max = float(np.exp(log_t_max)), float(e_max)
    above = e - 1.0
    t_cross = float("nan")
    for k in range(t.size - 1):
        if above[k] == 0.0:
            t_cross = float(t[k])
            break
        if above[k] * above[k + 1] < 0:
            t_cross = float(np.interp(0.0, sorted([above[k], above[k + 1]]),
                                      [t[k], t[k + 1]] if above[k] < above[k + 1] else [t[k + 1], t[k]]))
            break
    t_half = float("nan")
    if e_max > 1.0:
        half = 0.5 * (e_max - 1.0)
        for k in range(i, t.size - 1):
            if above[k] >= half > above[k + 1]:
                t_half = float(np.interp(half, [above[k + 1], above[k]], [t[k + 1], t[k]]))
                break
    return {"t_max": t_max, "max_enhancement": e_max, "t_cross": t_cross, "t_half": t_half,
            "low_t_enhancement": float(e[0])}
