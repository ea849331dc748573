"""Weak-excitation photoluminescence of a superlattice at temperature T, and its bright state.

With one excitation thermalised among the single-excitation eigenstates |k>
(energies E_k, radiative widths Gamma_k = <k|Gamma|k> from
:func:`~sf_dynamics.thermal.equilibrium.single_excitation_spectrum`), the
emitted spectrum is

    S(omega) = sum_k p_k Gamma_k L_k(omega),  p_k = e^{-E_k / k_B T} / Z,

with L_k a Lorentzian at E_k of FWHM Gamma_k + 2 gamma_phi, normalised to
int L_k domega / 2 pi = 1, so int S domega / 2 pi = <Gamma>_T (photons/ps
per excitation). The uncoupled line is the same sum for the dipoles without
Omega (each at its own energy with width gamma). The difference of the two
peaks is the collective (dipole-dipole) shift of the coupled line; its sign
and size depend on the lattice (size, spacing, orientation): it is computed,
not assumed.
"""

from __future__ import annotations

import numpy as np

from .._validation import check_positive_int, check_rate, check_real, check_real_array
from ..kernels.peaks import parabolic_vertex, peak_fwhm
from ..model.linewidth import check_temperatures
from ..units import HBAR_MEV_PS
from .chebyshev import chebyshev_vectors, exponential_coefficients, exponential_terms, scaled_hamiltonian
from .equilibrium import _kt_rad_per_ps, single_excitation_spectrum

__all__ = ["photoluminescence", "bright_state"]


def bright_state(lattice):
    """Energy (rad/ps) and radiative width (1/ps) of the brightest single-excitation state.

    Parameters
    ----------
    lattice : Superlattice or tuple (energies, Gamma, Omega)

    Returns
    -------
    energy, width : float
    """
    energies, widths = single_excitation_spectrum(lattice)
    k = int(np.argmax(widths))
    return float(energies[k]), float(widths[k])


def _lines(omega, centres, areas, fwhm):
    half = 0.5 * fwhm
    # area a at centre c: a * 2 * (half) / ((omega - c)^2 + half^2) integrates to a over domega / 2 pi
    out = np.zeros(omega.size)
    for start in range(0, centres.size, 2048):
        c, a, h = centres[start:start + 2048], areas[start:start + 2048], half[start:start + 2048]
        out += (a * 2.0 * h / ((omega[:, None] - c) ** 2 + h**2)).sum(axis=1)
    return out


def _peak(omega, values):
    """Line centre: the parabolic vertex through the largest sample and its neighbours."""
    return float(parabolic_vertex(omega, values, int(np.argmax(values)))[0])


def _kpm_coupled(op, band, t, omega, probes, moments, seed):
    """Coupled PL without diagonalisation, by Chebyshev moments of the thermally weighted emission.

    S(omega) = 2 pi sum_k p_k Gamma_k delta(omega - E_k) = 2 pi Tr[Gamma e^{-beta H} delta(omega - H)] / Z.
    With phi = e^{-beta (H - E_lo) / 2} r for random +-1 probes r (the exponential itself a Chebyshev
    series with Bessel coefficients), Tr[Gamma e^{-beta H} T_k(x)] is estimated by (Gamma phi)^T T_k(x) phi
    and Z by |phi|^2; the delta functions are resolved with the Jackson kernel (Weisse et al., Rev. Mod. Phys.
    78, 275 (2006)). The Boltzmann factor is inside the trace, so the kernel's tails are not amplified below
    the band edge. ``op`` is the lattice's LatticeOperator, ``band`` its spectral range. Returns the spectrum
    and the kernel's resolution (rad/ps).
    """
    e_lo, e_hi = band
    half = 0.5 * (e_hi - e_lo) + 1e-12
    center = 0.5 * (e_hi + e_lo)
    beta = 1.0 / _kt_rad_per_ps(np.array([t]))[0]
    scaled = scaled_hamiltonian(op, center, half)

    # e^{-beta (H - E_lo) / 2} = e^{-b (x + 1)}, b = beta half / 2: sum_j (2 - delta_j0) (-1)^j ive(j, b) T_j(x)
    b = 0.5 * beta * half
    n_exp = exponential_terms(b)
    exp_coeff = exponential_coefficients(n_exp, b)
    rng = np.random.default_rng(seed)
    nu = np.zeros(moments)
    z = 0.0
    count = op.m if probes == "exact" else probes
    for start in range(0, count, 8):
        stop = min(count, start + 8)
        if probes == "exact":
            r = np.zeros((op.m, stop - start))
            r[np.arange(start, stop), np.arange(stop - start)] = 1.0
        else:
            r = rng.choice([-1.0, 1.0], size=(op.m, stop - start))
        terms = chebyshev_vectors(scaled, r, n_exp)
        phi = exp_coeff[0] * next(terms)
        for c, term in zip(exp_coeff[1:], terms):
            phi = phi + c * term
        z += float(np.sum(phi * phi))
        gphi = op.decay(phi)
        for k, term in enumerate(chebyshev_vectors(scaled, phi, moments)):
            nu[k] += float(np.sum(gphi * term))
    kk = np.arange(moments)
    q = np.pi / (moments + 1)
    jackson = ((moments - kk + 1) * np.cos(q * kk) + np.sin(q * kk) / np.tan(q)) / (moments + 1)
    inside = np.abs(omega - center) < half
    x = (omega[inside] - center) / half
    density = np.zeros(omega.size)
    density[inside] = np.polynomial.chebyshev.chebval(x, jackson * np.where(kk == 0, 1.0, 2.0) * nu) / (
        np.pi * np.sqrt(1 - x * x) * half)
    return 2 * np.pi * np.maximum(density, 0.0) / z, float(np.pi * half / moments)


def photoluminescence(lattice, temperature_K, omega=None, *, dephasing=0.0, route="dense", probes=16,
                      moments=None, resolution_meV=None, seed=0):
    """Coupled and uncoupled weak-excitation PL spectra of a superlattice at one temperature.

    Parameters
    ----------
    lattice : Superlattice
    temperature_K : float
        Temperature (K) of the thermalised excitation.
    omega : array_like, optional
        Equally spaced angular frequencies (rad/ps) from the reference transition;
        default: 4001 points over the single-excitation band +- 10 linewidths.
    dephasing : float
        Pure-dephasing rate gamma_phi (1/ps) broadening every line by 2 gamma_phi.
    route : {"dense", "kpm"}
        ``dense``: diagonalise the single-excitation Hamiltonian (every line
        with its own width Gamma_k + 2 gamma_phi; up to ~10^4 dipoles).
        ``kpm``: regular lattices of any size, by FFT products and Chebyshev
        moments of the Gamma-weighted density of states (no eigenvectors;
        lines at the kernel resolution pi (E_max - E_min) / (2 moments), then
        broadened by gamma + 2 gamma_phi; the superradiant width of the
        bright states is not resolved separately).
    probes : int or "exact"
        ``kpm``: random +-1 probe vectors of the stochastic trace.
    moments : int, optional
        ``kpm``: Chebyshev moments (default: enough for ``resolution_meV``,
        at most 20000).
    resolution_meV : float, optional
        ``kpm``: kernel resolution pi (E_max - E_min) / (2 moments) to aim
        for (default: a quarter of the homogeneous FWHM gamma + 2 gamma_phi).
    seed : int
        ``kpm``: seed of the probes.

    Returns
    -------
    xarray.Dataset
        ``coupled`` and ``uncoupled`` spectra over ``omega`` (coordinate
        ``energy_meV``); attributes ``coupled_peak_meV``, ``uncoupled_peak_meV``,
        ``shift_meV`` (coupled - uncoupled; negative = red), ``coupled_fwhm_meV``,
        ``uncoupled_fwhm_meV``, ``enhancement`` (<Gamma>_T / gamma), ``route``,
        and for the dense route ``bright_state_meV`` and ``bright_width_over_gamma``.

    Raises
    ------
    ValueError
        Bad temperature, rate, grid or route; ``kpm`` on a lattice with positional disorder.
    """
    import xarray as xr

    t = float(check_temperatures([temperature_K])[0])
    dephasing = check_rate("dephasing", dephasing)
    if route not in ("dense", "kpm"):
        raise ValueError(f"route must be 'dense' or 'kpm', got {route!r}")
    g, w = (None, None) if route == "kpm" else lattice.couplings()
    e = lattice.dipole_energies()
    gamma = float(lattice.gamma)
    attrs = {}
    if route == "dense":
        energies, widths = single_excitation_spectrum((e, g, w))
        band = (energies.min(), energies.max())
        extra = widths.max()
    else:
        from ..geometry.operator import LatticeOperator

        op = LatticeOperator(lattice)
        band, extra = op.spectral_range(), gamma
    if omega is None:
        span = max(band[1], e.max()) - min(band[0], e.min()) + 20 * (gamma + 2 * dephasing + extra)
        middle = 0.5 * (min(band[0], e.min()) + max(band[1], e.max()))
        omega = np.linspace(middle - span / 2, middle + span / 2, 4001)
    omega = check_real_array("omega", omega)
    if omega.ndim != 1 or omega.size < 3 or np.any(np.diff(omega) <= 0):
        raise ValueError("omega must be a 1-D, strictly increasing grid of at least 3 frequencies")
    if route == "dense":
        p = np.exp(-(energies - energies.min()) / _kt_rad_per_ps(np.array([t]))[0])
        p /= p.sum()
        coupled = _lines(omega, energies, p * widths, np.maximum(widths, 0.0) + 2 * dephasing)
        bright_e, bright_w = energies[int(np.argmax(widths))], widths.max()
        attrs.update(enhancement=float(p @ widths / gamma), bright_state_meV=float(bright_e * HBAR_MEV_PS),
                     bright_width_over_gamma=float(bright_w / gamma))
    else:
        if moments is None:
            target = (0.25 * (gamma + 2 * dephasing) if resolution_meV is None else
                      check_real("resolution_meV", resolution_meV, low=0.0, low_open=True) / HBAR_MEV_PS)
            moments = int(min(20000, np.ceil(np.pi * 0.5 * (band[1] - band[0]) / target) + 50))
        moments = check_positive_int("moments", moments)
        if probes != "exact":
            probes = check_positive_int("probes", probes)
        sticks, resolution = _kpm_coupled(op, band, t, omega, probes, moments, seed)
        step = np.gradient(omega)
        coupled = _lines(omega, omega, sticks * step / (2 * np.pi), np.full(omega.size, gamma + 2 * dephasing))
        attrs.update(enhancement=float(np.sum(sticks * step) / (2 * np.pi) / gamma), moments=moments,
                     probes=str(probes), kernel_resolution_meV=resolution * HBAR_MEV_PS)
    levels, counts = np.unique(e, return_counts=True)
    uncoupled = _lines(omega, levels, gamma * counts / e.size, np.full(levels.size, gamma + 2 * dephasing))
    peaks = {k: _peak(omega, v) * HBAR_MEV_PS for k, v in (("coupled", coupled), ("uncoupled", uncoupled))}
    return xr.Dataset(
        {"coupled": ("omega", coupled, {"units": "photons/ps per (rad/ps)"}),
         "uncoupled": ("omega", uncoupled, {"units": "photons/ps per (rad/ps)"})},
        coords={"omega": ("omega", omega, {"units": "rad/ps"}),
                "energy_meV": ("omega", omega * HBAR_MEV_PS, {"units": "meV"})},
        attrs={"temperature_K": t, "route": route, "coupled_peak_meV": peaks["coupled"],
               "uncoupled_peak_meV": peaks["uncoupled"], "shift_meV": peaks["coupled"] - peaks["uncoupled"],
               "coupled_fwhm_meV": peak_fwhm(omega, coupled) * HBAR_MEV_PS,
               "uncoupled_fwhm_meV": peak_fwhm(omega, uncoupled) * HBAR_MEV_PS, "dipoles": int(e.size), **attrs},
    )
