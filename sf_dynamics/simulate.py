"""The one entry point: :func:`simulate`."""

from __future__ import annotations

import numpy as np

from ._io import provenance
from ._validation import check_times
from .model import Ensemble, NanocrystalEnsemble, Slab
from .model.states import DickeState, as_initial_state
from .solvers import METHODS
from .solvers._options import check_common, has_effect

__all__ = ["simulate", "available_methods", "methods_supporting", "method_options"]


def available_methods() -> list[str]:
    """Names of all registered methods."""
    return list(METHODS)


def methods_supporting(ensemble, initial="excited") -> list[str]:
    """Names of the methods that can simulate ``ensemble`` from ``initial``."""
    initial = as_initial_state(initial, ensemble)
    return [name for name, mod in METHODS.items() if mod.unsupported_reason(ensemble, initial) is None]


def method_options(method: str) -> dict[str, str]:
    """The options ``method`` accepts, each with its meaning for that method.

    The common options (``rtol``, ``atol``, ``progress``, ``seed``,
    ``max_steps``) come first; every method accepts them, and one that cannot
    act on a method says "no effect: ...". The table in ``docs/methods.md``
    is this dict for every method.

    Raises
    ------
    ValueError
        For an unknown method.
    """
    if not isinstance(method, str) or method.lower() not in METHODS:
        raise ValueError(f"method must be one of {list(METHODS)}, got {method!r}")
    return dict(METHODS[method.lower()].OPTIONS)


def _auto_method(ensemble, initial) -> str:
    supported = methods_supporting(ensemble, initial)
    if not supported:
        raise ValueError(f"no method can simulate {ensemble!r} from {initial.describe()}")
    return supported[0]


def simulate(ensemble, times, method="auto", initial="excited", *, options=None, **kwargs):
    """Simulate the emission of an ensemble and return a :class:`~sf_dynamics.Result`.

    Parameters
    ----------
    ensemble : Ensemble or NanocrystalEnsemble
        The emitters (two-level, or triplet nanocrystals) and their rates
        (1/ps) and detunings (rad/ps).
    times : array_like
        Strictly increasing output times (ps), t >= 0. The ensemble is
        always excited at t = 0 and integrated from there; the result holds
        the requested times only (a grid starting at t = 1 ps reports the
        trajectory of an excitation at t = 0 from 1 ps on).
    method : str
        ``"dicke"`` (symmetric ladder, pure collective decay, O(N)),
        ``"permutational"`` (exact, identical emitters, O(N^2) states),
        ``"exact"`` (full 2^N density matrix, sector by sector, n <= 12; 4^n
        for n <= 5 nanocrystals), ``"cumulant"`` (second-order cumulants, large
        and inhomogeneous ensembles, geometry), ``"meanfield"`` (first order,
        seeded), ``"twa"`` (truncated Wigner: single shots and their average),
        ``"maxwell_bloch"`` (1D propagation through a :class:`~sf_dynamics.Slab`),
        or ``"auto"`` (default): the first of these that can represent the
        problem.
    initial : str or state
        ``"excited"`` (default), ``"ground"``, :class:`~sf_dynamics.DickeState`,
        :class:`~sf_dynamics.CoherentSpinState`, for nanocrystals
        :class:`~sf_dynamics.TripletExcitation` ("excited" = 1/3 in each
        sublevel), or for ``exact`` a ``qutip.Qobj`` ket or density matrix of
        the full space (ordering in :mod:`sf_dynamics.model.states`).
    options : dict, optional
        Options as a dict (QuTiP style); may be combined with keyword options
        but not repeat one.
    **kwargs
        Options as keywords. Every method accepts ``rtol``, ``atol``,
        ``progress``, ``seed`` and ``max_steps``, plus its own; see
        :func:`method_options` and ``docs/methods.md``.

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
    if not isinstance(ensemble, (Ensemble, NanocrystalEnsemble, Slab)):
        raise ValueError(
            f"ensemble must be an sf_dynamics.Ensemble, NanocrystalEnsemble or Slab, got {type(ensemble).__name__}"
        )
    times = check_times(times)
    initial = as_initial_state(initial, ensemble)
    if isinstance(initial, DickeState) and ensemble.emitter_type == "two-level":
        initial.validate_for(ensemble.n)
    if not isinstance(method, str):
        raise ValueError(f"method must be a string, one of {['auto', *METHODS]}, got {method!r}")
    key = method.lower()
    if key == "auto":
        key = _auto_method(ensemble, initial)
    if key not in METHODS:
        raise ValueError(f"method must be one of {['auto', *METHODS]}, got {method!r}")
    module = METHODS[key]
    reason = module.unsupported_reason(ensemble, initial)
    if reason is not None:
        others = methods_supporting(ensemble, initial)
        hint = f"; methods that can: {', '.join(others)}" if others else ""
        raise ValueError(f"method {key!r} cannot simulate this ensemble: {reason}{hint}")
    if options is None:
        options = {}
    if not isinstance(options, dict):
        raise ValueError(f"options must be a dict of option names to values, got {type(options).__name__}")
    repeated = sorted(set(options) & set(kwargs))
    if repeated:
        raise ValueError(f"option(s) {repeated} given both in options= and as keywords; give each once")
    options = {**options, **kwargs}
    unknown = sorted(set(options) - set(module.OPTIONS))
    if unknown:
        raise ValueError(f"unknown option(s) {unknown} for method {key!r}; accepted: {list(module.OPTIONS)}")
    check_common(options)
    acting = {k: v for k, v in options.items() if has_effect(module.OPTIONS[k])}
    # the excitation is at t = 0 whatever the first output time: integrate from 0, report the requested times
    run_times = times if times[0] == 0.0 else np.concatenate([[0.0], times])
    result = module.solve(ensemble, run_times, initial, **acting)
    if run_times is not times:
        result = result.take_times(slice(1, None))
        result.info["integrated_from_ps"] = 0.0
    result.provenance = provenance(method=key, options=options, initial=initial.describe(),
                                   seed=options.get("seed"))
    return result
