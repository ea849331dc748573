"""sf_dynamics: superfluorescence of quantum-emitter ensembles.

Build an :class:`Ensemble`, run :func:`simulate` with a method
(``dicke``, ``permutational``, ``exact``, ``cumulant``, ``meanfield``), and analyse the returned
:class:`Result` with :mod:`sf_dynamics.analysis`. Units: ps, 1/ps, rad/ps
(see :mod:`sf_dynamics.units`).
"""

import os as _os

# numba's OpenMP threads must not spin-wait after a parallel region: on small machines they would
# steal the cores that the BLAS matrix products of the next step need (set before numba starts them)
_os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from . import analysis, geometry, units  # noqa: E402
from .nanocrystals import NanocrystalEnsemble, TripletExcitation
from .result import Result
from .simulate import available_methods, methods_supporting, simulate
from .slab import Slab
from .states import CoherentSpinState, DickeState, Excited, Ground
from .spectrum import Spectrum
from .system import Ensemble

__version__ = "0.1.0"

__all__ = [
    "Ensemble",
    "Spectrum",
    "NanocrystalEnsemble",
    "TripletExcitation",
    "Slab",
    "simulate",
    "available_methods",
    "methods_supporting",
    "Result",
    "Excited",
    "Ground",
    "DickeState",
    "CoherentSpinState",
    "analysis",
    "geometry",
    "units",
    "__version__",
]
