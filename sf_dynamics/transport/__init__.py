"""Exciton transport between NCs: hopping rates from the dipole couplings, rate equations, kinetic Monte
Carlo, and what transport experiments measure.

* :func:`transfer_rates`: Haken-Strobl-Reineker / Foerster hopping rates from the Green's-tensor
  couplings of any geometry (regular, disordered, multicomponent), with temperature-dependent linewidths
  and detailed balance; :class:`TransferRates` (sparse);
* :func:`populations`, :func:`steady_state`: the rate equation on the sites (matrix exponential action,
  sparse solve); :func:`kinetic_monte_carlo`: single excitons or many with annihilation;
* :func:`diffusion_coefficient`, :func:`diffusion_length`, :func:`radial_profile`: MSD, D, L and PL
  profiles; :func:`gaussian_spot`, :func:`point_source`: initial populations;
* :func:`funnel_cumulant`, :func:`funnel_exact`: donors feeding a superradiant acceptor domain (energy
  funnelling into superfluorescence), second-order cumulants at any size, the full master equation for
  up to 10 NCs.

Units: nm, ps, 1/ps, meV (docs/physics.md, "Exciton transport").
"""

from .funnel import funnel_cumulant, funnel_exact
from .kmc import kinetic_monte_carlo
from .observables import (
    NM2_PER_PS_TO_CM2_PER_S,
    diffusion_coefficient,
    diffusion_length,
    lattice_dimensions,
    radial_profile,
)
from .rate_equation import populations, steady_state
from .rates import TransferRates, forster_rate, haken_strobl_rate, hopping_validity, transfer_rates
from .sites import as_sites, gaussian_spot, point_source

__all__ = [
    "TransferRates",
    "transfer_rates",
    "haken_strobl_rate",
    "forster_rate",
    "hopping_validity",
    "populations",
    "steady_state",
    "kinetic_monte_carlo",
    "funnel_cumulant",
    "funnel_exact",
    "diffusion_coefficient",
    "diffusion_length",
    "lattice_dimensions",
    "radial_profile",
    "NM2_PER_PS_TO_CM2_PER_S",
    "as_sites",
    "gaussian_spot",
    "point_source",
]
