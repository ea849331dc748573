"""What method ``"permutational"`` can run: its name, the options of both ladder methods and
:func:`unsupported_reason`."""

from __future__ import annotations

import numpy as np

from ..._resources import DEFAULT_MAX_STEPS
from ...model.states import CoherentSpinState, DickeState, Excited, Ground, ProductState
from .._options import COMMON_OPTIONS, declare, no_effect

__all__ = ["NAME", "OPTIONS", "unsupported_reason"]

NAME = "permutational"
#: the options of both ladder methods (``dicke`` shares them)
OPTIONS = declare(
    rtol="local error per SDIRK4 step in the L1 norm of the populations, relative to their sum 1 (default 1e-6; "
         "the intensity's global error relative to its peak is typically below 1e-7)",
    atol="added to rtol (the populations sum to 1, so the step bound is rtol + atol; default 0)",
    progress=COMMON_OPTIONS["progress"],
    seed=no_effect("deterministic"),
    max_steps=f"largest number of SDIRK4 steps (default {DEFAULT_MAX_STEPS})",
    tol="alias of rtol (earlier name); give one of the two",
)


def unsupported_reason(ensemble, initial):
    """Why this method cannot simulate ``ensemble`` from ``initial`` (None if it can)."""
    if ensemble.emitter_type != "two-level":
        return "it handles two-level emitters only (use 'cumulant', or 'exact' for n <= 5 nanocrystals)"
    if ensemble.has_coupling_matrices:
        return "it needs identical all-to-all coupling, but the ensemble has coupling matrices (geometry)"
    if not ensemble.is_identical:
        return "it needs identical emitters (all detunings equal), but the detunings differ"
    if isinstance(initial, ProductState):
        if not initial.uniform:
            return "a ProductState with one p per emitter is not permutation invariant (use 'exact' or 'cumulant')"
        if 0 < initial.coherence < 1 and 0 < float(np.atleast_1d(initial.p)[0]) < 1:
            return ("a partly coherent ProductState has coherences of every order between the Dicke ladders, "
                    "which this solver does not store (coherence 0 or 1 only; 'exact', 'cumulant' take any)")
        return None
    if not isinstance(initial, (Excited, Ground, DickeState, CoherentSpinState)):
        return f"initial state {initial!r} is not permutation invariant"
    return None
