"""Symmetric Dicke ladder (method ``"dicke"``): pure collective decay, O(N).

From a state of the symmetric ladder j = n/2 (fully excited, |n/2, m>, or a
coherent spin state), pure collective decay Gamma_c D[J-] keeps the state in
that ladder, where |j, m> decays to |j, m-1> at Gamma_c (j+m)(j-m+1)
(Dicke 1954). This is the permutation-invariant solver restricted to one
ladder, so it reaches N = 10^6 emitters. A common detuning only rotates the
phase of <J->.
"""

from __future__ import annotations

from ..model.states import CoherentSpinState, DickeState, Excited, Ground, ProductState
from .permutational import evolve_ladders, ladder_state, step_tolerance

__all__ = ["NAME", "unsupported_reason", "solve"]

NAME = "dicke"


def unsupported_reason(ensemble, initial):
    """Why the Dicke ladder cannot represent ``ensemble`` from ``initial`` (None if it can)."""
    if ensemble.emitter_type != "two-level":
        return "it handles two-level emitters only (use 'cumulant', or 'exact' for n <= 5 nanocrystals)"
    local = [name for name in ("decay", "dephasing", "pumping") if getattr(ensemble, name) > 0]
    if local:
        return f"it has pure collective decay only, but the ensemble has local {', '.join(local)}"
    if ensemble.has_coupling_matrices:
        return "it needs identical all-to-all coupling, but the ensemble has coupling matrices (geometry)"
    if not ensemble.is_identical:
        return "it needs identical emitters (all detunings equal), but the detunings differ"
    initial = ladder_state(initial)
    if isinstance(initial, ProductState):
        return ("a partially inverted product state mixes Dicke ladders j < n/2; it holds j = n/2 only (use "
                "'permutational', which decomposes it exactly)")
    if isinstance(initial, DickeState) and initial.j != ensemble.n / 2:
        return f"it holds the symmetric ladder j = n/2 = {ensemble.n / 2:g} only, not j = {initial.j:g}"
    if not isinstance(initial, (Excited, Ground, DickeState, CoherentSpinState)):
        return f"initial state {initial!r} is not in the symmetric ladder"
    return None


def solve(ensemble, times, initial, *, rtol=None, atol=None, tol=None, progress=None, max_steps=None):
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
    rtol, atol, tol : float, optional
        Local L1 error per integrator step, rtol + atol (default 1e-6);
        ``tol`` is the alias of ``rtol``.
    progress : bool or None
        Show a progress bar; None shows one for large problems.
    max_steps : int, optional
        Largest number of SDIRK4 steps (default 10^6).

    Returns
    -------
    Result
    """
    extra = {} if max_steps is None else {"max_steps": max_steps}
    return evolve_ladders(ensemble, times, initial, n_ladders=1, method_name=NAME,
                          tol=step_tolerance(rtol, atol, tol), progress=progress, **extra)
