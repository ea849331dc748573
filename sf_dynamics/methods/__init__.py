"""Every approximation level behind one protocol, and the one front door to all of them.

* :mod:`~sf_dynamics.methods.protocol`: :class:`Method` (options, capabilities, refusal reasons,
  one run function per quantity), :class:`Options`, :class:`Problem`;
* :mod:`~sf_dynamics.methods.registry`: the registered methods in order of preference for
  ``method="auto"``; :func:`register` adds one;
* :mod:`~sf_dynamics.methods.frontdoor`: :func:`run`, which validates, chooses, integrates from t = 0
  and records the provenance for every quantity;
* :mod:`~sf_dynamics.methods.quantities`: each quantity's own inputs and how its output is assembled;
  :mod:`~sf_dynamics.methods.raw`: the raw outputs the run functions return;
* the levels: :mod:`~sf_dynamics.methods.ladders` (``dicke``, ``permutational``, ``jumps``),
  :mod:`~sf_dynamics.methods.full_space` (``exact``), :mod:`~sf_dynamics.methods.moments`
  (``cumulant``, ``meanfield``), :mod:`~sf_dynamics.methods.phase_space` (``twa``, ``maxwell_bloch``).
"""

from .frontdoor import build_options, choose, methods_supporting, run
from .full_space import Exact
from .ladders import Dicke, Jumps, Permutational
from .moments import Cumulant, Meanfield
from .phase_space import TWA, MaxwellBloch
from .protocol import QUANTITIES, Method, Options, Problem, option
from .registry import METHODS, capable, get_method, register, unregister

__all__ = ["METHODS", "QUANTITIES", "Method", "Options", "Problem", "option", "register", "unregister",
           "get_method", "capable", "run", "choose", "build_options", "methods_supporting"]

for _level in (Dicke, Permutational, Exact, Cumulant, Meanfield, TWA, Jumps, MaxwellBloch):
    register(_level())
del _level
