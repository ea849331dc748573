"""The time evolution of a system: :func:`simulate`, and which methods can run it."""

from __future__ import annotations

from .methods import METHODS, frontdoor, get_method

__all__ = ["simulate", "available_methods", "methods_supporting", "method_options"]


def available_methods() -> list[str]:
    """Names of all registered methods."""
    return list(METHODS)


def methods_supporting(ensemble, initial="excited") -> list[str]:
    """Names of the methods that can simulate ``ensemble`` from ``initial``."""
    return frontdoor.methods_supporting(ensemble, initial, "evolution")


def method_options(method: str) -> dict[str, str]:
    """The options ``method`` accepts, each with its meaning and default (the table in ``docs/methods.md``).

    Raises
    ------
    ValueError
        For an unknown method.
    """
    return get_method(method).Options.describe()


def simulate(ensemble, times, method="auto", initial="excited", *, options=None, **kwargs):
    """Simulate the emission of an ensemble and return a :class:`~sf_dynamics.Result`.

    Parameters
    ----------
    ensemble : Ensemble, NanocrystalEnsemble or Slab
        The emitters (two-level, or triplet nanocrystals) and their rates
        (1/ps) and detunings (rad/ps); any class following the System protocol.
    times : array_like
        Strictly increasing output times (ps), t >= 0. The ensemble is
        always excited at t = 0 and integrated from there; the result holds
        the requested times only.
    method : str
        ``"dicke"`` (symmetric ladder, pure collective decay, O(N)),
        ``"permutational"`` (exact, identical emitters, O(N^2) states),
        ``"exact"`` (full density matrix, sector by sector, n <= 12; n <= 5
        nanocrystals), ``"cumulant"`` (second-order cumulants, large and
        inhomogeneous ensembles, geometry), ``"meanfield"`` (first order,
        seeded), ``"twa"`` (truncated Wigner: single shots and their average),
        ``"jumps"`` (exact photon-counting shots), ``"maxwell_bloch"`` (1D
        propagation through a :class:`~sf_dynamics.Slab`), any registered
        method, or ``"auto"`` (default): the first that can represent the problem.
    initial : str or state
        ``"excited"`` (default), ``"ground"``, :class:`~sf_dynamics.DickeState`,
        :class:`~sf_dynamics.CoherentSpinState`, :class:`~sf_dynamics.ProductState`,
        for nanocrystals :class:`~sf_dynamics.TripletExcitation`, or for ``exact``
        a ``qutip.Qobj`` of the full space (ordering in :mod:`sf_dynamics.model.states`).
    options : dict, optional
        Options as a dict (QuTiP style); may be combined with keyword options but not repeat one.
    **kwargs
        The method's options (:func:`method_options`, ``docs/methods.md``); an
        option the method does not have is refused.

    Returns
    -------
    Result

    Raises
    ------
    ValueError
        For invalid times, an unknown method or option, or a method that
        cannot represent the ensemble (the message names the methods that can).

    Examples
    --------
    >>> import numpy as np
    >>> from sf_dynamics import Ensemble, simulate
    >>> res = simulate(Ensemble(20, collective_decay=1.0), np.linspace(0, 0.6, 61), method="dicke")
    >>> round(float(res.excitation[0]), 6)
    20.0
    """
    return frontdoor.run("evolution", ensemble, times, method=method, initial=initial, options=options,
                         kwargs=kwargs, parameter="ensemble")
