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

from .._validation import check_rate, check_real_array
from ..kernels.peaks import parabolic_vertex
from ..units import HBAR_MEV_PS
from .equilibrium import _kt_rad_per_ps, single_excitation_spectrum
from .linewidth import check_temperatures

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


def _fwhm(omega, values):
    above = np.nonzero(values >= values.max() / 2)[0]
    return float(omega[above[-1]] - omega[above[0]])


def photoluminescence(lattice, temperature_K, omega=None, *, dephasing=0.0):
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

    Returns
    -------
    xarray.Dataset
        ``coupled`` and ``uncoupled`` spectra over ``omega`` (coordinate
        ``energy_meV``); attributes ``coupled_peak_meV``, ``uncoupled_peak_meV``,
        ``shift_meV`` (coupled - uncoupled; negative = red), ``coupled_fwhm_meV``,
        ``uncoupled_fwhm_meV``, ``enhancement`` (<Gamma>_T / gamma),
        ``bright_state_meV`` and ``bright_width_over_gamma``.
    """
    import xarray as xr

    t = float(check_temperatures([temperature_K])[0])
    dephasing = check_rate("dephasing", dephasing)
    g, w = lattice.couplings()
    e = lattice.dipole_energies()
    energies, widths = single_excitation_spectrum((e, g, w))
    gamma = float(np.mean(np.diag(g)))
    p = np.exp(-(energies - energies.min()) / _kt_rad_per_ps(np.array([t]))[0])
    p /= p.sum()
    if omega is None:
        span = np.ptp(np.concatenate([energies, e])) + 20 * (gamma + 2 * dephasing + widths.max())
        middle = 0.5 * (min(energies.min(), e.min()) + max(energies.max(), e.max()))
        omega = np.linspace(middle - span / 2, middle + span / 2, 4001)
    omega = check_real_array("omega", omega)
    if omega.ndim != 1 or omega.size < 3 or np.any(np.diff(omega) <= 0):
        raise ValueError("omega must be a 1-D, strictly increasing grid of at least 3 frequencies")
    coupled = _lines(omega, energies, p * widths, np.maximum(widths, 0.0) + 2 * dephasing)
    uncoupled = _lines(omega, e, np.full(e.size, gamma / e.size), np.full(e.size, gamma + 2 * dephasing))
    bright_e, bright_w = energies[int(np.argmax(widths))], widths.max()
    peaks = {k: _peak(omega, v) * HBAR_MEV_PS for k, v in (("coupled", coupled), ("uncoupled", uncoupled))}
    return xr.Dataset(
        {"coupled": ("omega", coupled, {"units": "photons/ps per (rad/ps)"}),
         "uncoupled": ("omega", uncoupled, {"units": "photons/ps per (rad/ps)"})},
        coords={"omega": ("omega", omega, {"units": "rad/ps"}),
                "energy_meV": ("omega", omega * HBAR_MEV_PS, {"units": "meV"})},
        attrs={"temperature_K": t, "coupled_peak_meV": peaks["coupled"], "uncoupled_peak_meV": peaks["uncoupled"],
               "shift_meV": peaks["coupled"] - peaks["uncoupled"],
               "coupled_fwhm_meV": _fwhm(omega, coupled) * HBAR_MEV_PS,
               "uncoupled_fwhm_meV": _fwhm(omega, uncoupled) * HBAR_MEV_PS,
               "enhancement": float(p @ widths / gamma), "bright_state_meV": float(bright_e * HBAR_MEV_PS),
               "bright_width_over_gamma": float(bright_w / gamma), "dipoles": int(e.size)},
    )
