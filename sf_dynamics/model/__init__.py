"""Systems and initial states: what is simulated.

:class:`Ensemble` (two-level emitters), :class:`NanocrystalEnsemble` (bright
triplet excitons), :class:`Slab` (an extended sample), :class:`Spectrum`
(inhomogeneous broadening in spectral classes) and the initial states; all
follow :class:`~sf_dynamics.model.protocol.System` and are immutable.
The inputs that set their rates: the homogeneous linewidth and dephasing rate
against temperature (:mod:`.linewidth`), and their time scales (:mod:`.timescales`:
the window that holds the burst, the fastest rate of the equations).
"""

from .ensemble import Ensemble, check_coupling_matrices
from .linewidth import LinewidthModel, TabulatedLinewidth, check_temperatures, dephasing_rate
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
from .timescales import burst_window_ps

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
    "LinewidthModel",
    "TabulatedLinewidth",
    "dephasing_rate",
    "check_temperatures",
    "burst_window_ps",
]
