"""sf_dynamics: superfluorescence of quantum-emitter ensembles.

Build a system (:class:`Ensemble`, :class:`NanocrystalEnsemble`, :class:`Slab`,
or a :class:`Superlattice`'s dynamical model), run :func:`simulate` with a
method, and analyse the returned :class:`Result` with :mod:`sf_dynamics.analysis`.
Units: ps, 1/ps, rad/ps (see :mod:`sf_dynamics.units`).

The package reads as its data flow (see ``docs/architecture.md``):
``model`` -> ``geometry`` -> ``solvers`` (with ``integrate`` and numba
``kernels``) -> ``result`` -> ``analysis`` / ``thermal`` -> ``workflows`` ->
``plotting``, ``cli``. Importing it changes no process-wide setting.
"""

from . import analysis, geometry, model, spectra, statistics, thermal, transport, units, workflows
from ._version import __version__
from .analysis import detector_response as detectors
from .analysis import fitting
from .geometry import Superlattice
from .geometry import lattice as lattice
from .model import (
    CoherentSpinState,
    DickeState,
    Ensemble,
    Excited,
    Ground,
    NanocrystalEnsemble,
    ProductState,
    Slab,
    Spectrum,
    TripletExcitation,
)
from .result import Result
from .simulate import available_methods, method_options, methods_supporting, simulate
from .workflows import executor, fluence, sweep

__all__ = [
    "Ensemble",
    "Spectrum",
    "NanocrystalEnsemble",
    "TripletExcitation",
    "Slab",
    "Superlattice",
    "simulate",
    "available_methods",
    "methods_supporting",
    "method_options",
    "Result",
    "Excited",
    "Ground",
    "DickeState",
    "CoherentSpinState",
    "ProductState",
    "model",
    "geometry",
    "analysis",
    "thermal",
    "transport",
    "spectra",
    "statistics",
    "workflows",
    "units",
    "fitting",
    "detectors",
    "lattice",
    "sweep",
    "fluence",
    "executor",
    "__version__",
]
