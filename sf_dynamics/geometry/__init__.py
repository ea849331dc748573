"""Where the emitters are: Green's-tensor couplings, nanocrystal superlattices, FFT lattice operators.

* :func:`green_couplings`, :func:`green_kernel`: the free-space dyadic Green's tensor (one formula);
  :func:`grid_couplings`: its dense matrices on a regular grid from one kernel per displacement;
* :class:`Superlattice`: NC lattices from nm / meV inputs, disorder, couplings, and their dynamical
  model; :func:`nanocrystals_at`: nanocrystals at given positions in units of the wavelength;
* :class:`MulticomponentSuperlattice`, :class:`Species`: binary (NaCl, AlB2, ABO3) and any mixed-size NC
  lattices, each species with its own size, energy, lifetime and linewidth;
* :class:`LatticeOperator`: products with Omega and Gamma of a regular lattice by FFT.
"""

from .green import MIN_SEPARATION_WAVELENGTHS, green_couplings, green_kernel, grid_couplings
from .lattice import LATTICE_KINDS, Superlattice, nanocrystals_at
from .multicomponent import PRESETS, MulticomponentSuperlattice, Species
from .operator import LatticeOperator

__all__ = [
    "green_couplings",
    "green_kernel",
    "grid_couplings",
    "MIN_SEPARATION_WAVELENGTHS",
    "Superlattice",
    "nanocrystals_at",
    "LATTICE_KINDS",
    "LatticeOperator",
    "MulticomponentSuperlattice",
    "Species",
    "PRESETS",
]
