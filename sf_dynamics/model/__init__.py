"""Systems and initial states: what is simulated.

:class:`Ensemble` (two-level emitters), :class:`NanocrystalEnsemble` (bright
triplet excitons), :class:`Slab` (an extended sample), :class:`Spectrum`
(inhomogeneous broadening in spectral classes) and the initial states; all
follow :class:`~sf_dynamics.model.protocol.System` and are immutable.
"""

from .ensemble import Ensemble, check_coupling_matrices
from .nanocrystals import POLARIZATIONS, NanocrystalEnsemble
from .protocol import System
from .slab import Slab
from .spectrum import Spectrum
from .states import (
    CoherentSpinState,
    DickeState,
    Excited,
    Ground,
    ProductState,
    TripletExcitation,
    as_initial_state,
)

__all__ = [
    "Ensemble",
    "NanocrystalEnsemble",
    "Slab",
    "Spectrum",
    "System",
    "Excited",
    "Ground",
    "DickeState",
    "CoherentSpinState",
    "ProductState",
    "TripletExcitation",
    "as_initial_state",
    "check_coupling_matrices",
    "POLARIZATIONS",
]
