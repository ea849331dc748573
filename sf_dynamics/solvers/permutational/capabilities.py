"""What method ``"permutational"`` can run: its name and :func:`unsupported_reason`."""

from __future__ import annotations

import numpy as np

from ...model.states import CoherentSpinState, DickeState, Excited, Ground, ProductState

__all__ = ["NAME", "unsupported_reason"]

NAME = "permutational"


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
