"""Symmetric Dicke ladder (method ``"dicke"``): pure collective decay, O(N).

From a state of the symmetric ladder j = n/2 (fully excited, |n/2, m>, or a
coherent spin state), pure collective decay Gamma_c D[J-] keeps the state in
that ladder, where |j, m> decays to |j, m-1> at Gamma_c (j+m)(j-m+1)
(Dicke 1954). This is the permutation-invariant solver restricted to one
ladder, so it reaches N = 10^6 emitters. A common detuning only rotates the
phase of <J->.
"""

from __future__ import annotations

from ..states import CoherentSpinState, DickeState, Excited, Ground
from .permutational import evolve_ladders

__all__ = ["NAME", "OPTIONS", "unsupported_reason", "solve"]

NAME = "dicke"
OPTIONS = {"tol": "local L1 error per step (default 1e-6)", "progress": "show a progress bar (default: auto)"}


def unsupported_reason(ensemble, initial):
    """Why the Dicke ladder cannot represent ``ensemble`` from ``initial`` (None if it can)."""
    if getattr(ensemble, "emitter_type", "two-level") != "two-level":
        return "it handles two-level emitters only (use 'cumulant', or 'exact' for n <= 4 nanocrystals)"
    local = [name for name in ("decay", "dephasing", "pumping") if getattr(ensemble, name) > 0]
    if local:
        return f"it has pure collective decay only, but the ensemble has local {', '.join(local)}"
    if ensemble.has_coupling_matrices:
        return "it needs identical all-to-all coupling, but the ensemble has coupling matrices (geometry)"
    if not ensemble.is_identical:
        return "it needs identical emitters (all detunings equal), but the detunings differ"
    if isinstance(initial, DickeState) and initial.j != ensemble.n / 2:
        return f"it holds the symmetric ladder j = n/2 = {ensemble.n / 2:g} only, not j = {initial.j:g}"
    if not isinstance(initial, (Excited, Ground, DickeState, CoherentSpinState)):
        return f"initial state {initial!r} is not in the symmetric ladder"
    return None


def solve(ensemble, times, initial, *, tol=1e-6, progress=None):
    """Simulate pure collective (Dicke) decay on the symmetric ladder.

    Parameters
    ----------
    ensemble : Ensemble
        Identical emitters with ``collective_decay`` only (no local decay,
        dephasing or pumping).
    times : ndarray
        Output times (ps).
    initial : state
        Excited, Ground, DickeState(n/2, m) or CoherentSpinState.
    tol : float
        Local L1 error per integrator step (default 1e-6).
    progress : bool or None
        Show a progress bar; None shows one for large problems.

    Returns
    -------
    Result
    """
    return evolve_ladders(ensemble, times, initial, n_ladders=1, method_name=NAME, tol=tol, progress=progress)
