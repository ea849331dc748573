"""Temperature: the phonon dephasing model and thermal-equilibrium superradiance.

* homogeneous linewidth Gamma_hom(T) and the dephasing rate gamma_phi(T), re-exported from
  :mod:`sf_dynamics.model.linewidth` (an input of the simulations, it lives with the systems);
* :mod:`.equilibrium`: <Gamma>_T / gamma of superlattices (dense), disorder averages, characteristic
  temperatures;
* :mod:`.kpm`: the matrix-free route (FFT products, Chebyshev moments, random probes);
* :mod:`.photoluminescence`: the weak-excitation PL spectrum at T (coupled and uncoupled lines, the
  collective shift) and the bright state.
"""

from ..model.linewidth import LinewidthModel, TabulatedLinewidth, check_temperatures, dephasing_rate
from .equilibrium import (
    ThermalCurve,
    characteristic_temperatures,
    combine_realizations,
    high_temperature_coefficient,
    single_excitation_spectrum,
    thermal_average_rate,
    thermal_superradiance,
)
from .kpm import thermal_rate_kpm
from .photoluminescence import bright_state, photoluminescence

__all__ = [
    "LinewidthModel",
    "TabulatedLinewidth",
    "dephasing_rate",
    "check_temperatures",
    "single_excitation_spectrum",
    "thermal_average_rate",
    "high_temperature_coefficient",
    "ThermalCurve",
    "thermal_superradiance",
    "characteristic_temperatures",
    "combine_realizations",
    "thermal_rate_kpm",
    "photoluminescence",
    "bright_state",
]
