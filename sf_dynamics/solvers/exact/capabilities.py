"""What method ``"exact"`` can run: its name, size limits and :func:`unsupported_reason`."""

from __future__ import annotations

from ...model.states import DensityMatrix, Excited, Ground, ProductState, TripletExcitation

__all__ = ["NAME", "MAX_EMITTERS", "MAX_NANOCRYSTALS", "MAX_FULL_EMITTERS", "MAX_FULL_NANOCRYSTALS",
           "DEFAULT_MAX_PRODUCTS", "unsupported_reason"]

NAME = "exact"
#: largest number of two-level emitters (the q = 0 sector has C(2n, n) amplitudes: 2 704 156 at n = 12)
MAX_EMITTERS = 12
#: largest number of triplet nanocrystals (q = 0 sector: 304 300 amplitudes at n = 5)
MAX_NANOCRYSTALS = 5
#: limits of ``store_states=True`` for a start with coherences between excitation numbers, which keeps the
#: full density matrix and so propagates the full 4^n (16^n) Liouvillian
MAX_FULL_EMITTERS = 10
MAX_FULL_NANOCRYSTALS = 4
DEFAULT_MAX_PRODUCTS = 1_000_000


def unsupported_reason(ensemble, initial):
    """Why the full-space solver cannot run ``ensemble`` (None if it can)."""
    if ensemble.emitter_type == "slab":
        return "an extended slab propagates: use method 'maxwell_bloch'"
    levels = 4 if ensemble.emitter_type == "triplet" else 2
    if isinstance(initial, DensityMatrix) and initial.levels_for(ensemble.n) != levels:
        return initial.expected_dims(ensemble.n, levels)
    if ensemble.emitter_type == "triplet":
        if not isinstance(initial, (Excited, Ground, TripletExcitation, ProductState, DensityMatrix)):
            return ("nanocrystals start from 'excited', 'ground', a TripletExcitation, a ProductState or a density "
                    "matrix")
        return _size_reason(ensemble.n, levels, "nanocrystals", MAX_NANOCRYSTALS)
    if not ensemble.has_emitter_detunings:
        return "it needs per-emitter detunings, but the spectrum has fractional class weights"
    return _size_reason(ensemble.n, levels, "emitters", MAX_EMITTERS)


def _size_reason(n, levels, noun, largest):
    if n > largest:
        return (f"the {levels}^n density matrix is limited to n <= {largest} {noun} (its excitation-number sectors), "
                f"got n = {n}")
    return None
