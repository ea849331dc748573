"""Physical constants and unit conversions.

Internal units of sf_dynamics (fixed, see docs/conventions.md):

* time in picoseconds (ps),
* rates in inverse picoseconds (1/ps),
* angular frequencies and detunings in radians per picosecond (rad/ps),
* hbar = 1, so an energy E corresponds to the angular frequency E / hbar.

Constructors that take laboratory quantities (meV, K, ns, nm) convert at the
boundary with the functions below, so every solver sees internal units only.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "HBAR_MEV_PS",
    "K_B_MEV_PER_K",
    "MEV_TO_RAD_PER_PS",
    "meV_to_rad_per_ps",
    "rad_per_ps_to_meV",
    "kelvin_to_meV",
    "meV_to_kelvin",
    "ns_to_ps",
    "ps_to_ns",
    "lifetime_to_rate",
    "rate_to_lifetime",
    "fwhm_meV_to_rate",
    "rate_to_fwhm_meV",
]

#: Reduced Planck constant in meV * ps (CODATA 2018: 6.582119569e-13 meV s).
HBAR_MEV_PS = 0.6582119569
#: Boltzmann constant in meV / K (CODATA 2018: 8.617333262e-2 meV/K).
K_B_MEV_PER_K = 0.08617333262
#: Angular frequency (rad/ps) of an energy of 1 meV: 1 / HBAR_MEV_PS.
MEV_TO_RAD_PER_PS = 1.0 / HBAR_MEV_PS


def meV_to_rad_per_ps(energy_meV):
    """Convert an energy (meV) to an angular frequency (rad/ps), E / hbar."""
    return np.asarray(energy_meV, dtype=np.float64) * MEV_TO_RAD_PER_PS


def rad_per_ps_to_meV(omega):
    """Convert an angular frequency (rad/ps) to an energy (meV), hbar * omega."""
    return np.asarray(omega, dtype=np.float64) * HBAR_MEV_PS


def kelvin_to_meV(temperature_K):
    """Thermal energy k_B T (meV) of a temperature (K)."""
    return np.asarray(temperature_K, dtype=np.float64) * K_B_MEV_PER_K


def meV_to_kelvin(energy_meV):
    """Temperature (K) whose thermal energy k_B T equals ``energy_meV``."""
    return np.asarray(energy_meV, dtype=np.float64) / K_B_MEV_PER_K


def ns_to_ps(time_ns):
    """Convert nanoseconds to picoseconds."""
    return np.asarray(time_ns, dtype=np.float64) * 1.0e3


def ps_to_ns(time_ps):
    """Convert picoseconds to nanoseconds."""
    return np.asarray(time_ps, dtype=np.float64) * 1.0e-3


def lifetime_to_rate(lifetime_ps):
    """Rate (1/ps) of an exponential decay with the given lifetime (ps)."""
    lifetime = np.asarray(lifetime_ps, dtype=np.float64)
    if np.any(~np.isfinite(lifetime)) or np.any(lifetime <= 0):
        raise ValueError(f"lifetime_ps must be finite and > 0, got {lifetime_ps!r}")
    return 1.0 / lifetime


def rate_to_lifetime(rate_per_ps):
    """Lifetime (ps) of an exponential decay with the given rate (1/ps)."""
    rate = np.asarray(rate_per_ps, dtype=np.float64)
    if np.any(~np.isfinite(rate)) or np.any(rate <= 0):
        raise ValueError(f"rate_per_ps must be finite and > 0, got {rate_per_ps!r}")
    return 1.0 / rate


def fwhm_meV_to_rate(fwhm_meV):
    """Decay rate (1/ps) of a coherence whose Lorentzian line has FWHM ``fwhm_meV``.

    A coherence decaying as exp(-r t) gives a Lorentzian of energy FWHM
    2 hbar r, so r = FWHM / (2 hbar); T2 = 1 / r = 2 hbar / FWHM
    (T2 [ps] = 1.3164 / FWHM [meV]).
    """
    return np.asarray(fwhm_meV, dtype=np.float64) / (2.0 * HBAR_MEV_PS)


def rate_to_fwhm_meV(rate_per_ps):
    """Lorentzian FWHM (meV) of a coherence decaying at ``rate_per_ps`` (1/ps)."""
    return 2.0 * HBAR_MEV_PS * np.asarray(rate_per_ps, dtype=np.float64)
