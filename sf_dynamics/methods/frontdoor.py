"""The one front door: every quantity of every method is validated, chosen, run and recorded here.

:func:`run` is what :func:`sf_dynamics.simulate`, :func:`sf_dynamics.spectra.first_order`,
:func:`sf_dynamics.statistics.second_order` and :func:`sf_dynamics.statistics.photon_counts`
call. In order, once for every quantity:

1. the system (anything following :class:`sf_dynamics.model.protocol.System`), the
   times, the initial state and the quantity's own inputs (delays, detector,
   efficiencies: :mod:`sf_dynamics.methods.quantities`) are validated;
2. the method is looked up by name, or chosen for ``method="auto"`` as the first
   registered method whose ``reason`` is None (a refusal names the methods that can);
3. the options are built into the method's typed options (an option the method does
   not have is refused, naming the ones it accepts);
   the memory and steps it needs are estimated (:mod:`sf_dynamics.methods.estimates`)
   and a problem that cannot be afforded is refused before anything is allocated;
4. the system is integrated from its excitation at t = 0 (a first output time
   t > 0 is reached from 0 and the t = 0 row dropped afterwards);
5. the provenance (version, date, method, options, seed, initial state) is recorded.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from .._io import flat_attrs, provenance
from .._validation import check_times
from ..model.protocol import System
from ..model.states import as_initial_state
from . import estimates, invariants, quantities
from .protocol import QUANTITIES, RUNNERS, Problem, acts_on
from .registry import METHODS, get_method

__all__ = ["run", "choose", "build_options", "methods_supporting"]

#: how a refusal names what was asked, per quantity
_ASKED = {"evolution": "simulate this ensemble", "first_order": "compute this correlation",
          "second_order": "compute this correlation", "photon_counts": "count these photons"}


def _asked(quantity):
    return _ASKED.get(quantity, f"compute the {quantity.replace('_', ' ')}")


def _capable(problem: Problem, skip=None) -> list[str]:
    """Names of the registered methods (but ``skip``) that can compute ``problem``."""
    return [name for name, m in METHODS.items()
            if name != skip and m.supports(problem.quantity) and m.refusal(problem) is None]


def methods_supporting(system, initial="excited", quantity="evolution", detector=None) -> list[str]:
    """Names of the registered methods that can compute ``quantity`` for ``system`` from ``initial``."""
    initial = as_initial_state(initial, system)
    if detector is None and quantity in ("first_order", "second_order"):
        detector = "total" if quantity == "first_order" else "collective"     # the public defaults
    return _capable(Problem(quantity, system, np.zeros(1), initial, detector=detector))


def choose(problem: Problem, named=None):
    """The method object that computes ``problem``: ``named`` (a Method), or the first capable one (None: "auto").

    Raises
    ------
    ValueError
        When no method, or the named one, can compute the problem (naming the methods that can).
    """
    quantity = problem.quantity
    if named is None:
        reasons = {}
        for name, candidate in METHODS.items():
            if not candidate.chosen_by_auto(quantity):
                continue
            why = candidate.refusal(problem)
            if why is None:
                return candidate
            reasons[name] = why
        if quantity == "evolution":
            raise ValueError(f"no method can simulate {problem.system!r} from {problem.initial.describe()}")
        raise ValueError(f"no method can {_asked(quantity)}: " + "; ".join(f"{k}: {v}" for k, v in reasons.items()))
    why = named.refusal(problem)
    if why is not None:
        others = _capable(problem, skip=named.name)
        hint = f"; methods that can: {', '.join(others)}" if others else ""
        raise ValueError(f"method {named.name!r} cannot {_asked(quantity)}: {why}{hint}")
    return named


def build_options(method, quantity: str, options, kwargs):
    """The method's typed options from a dict and keywords (given once each).

    Raises
    ------
    ValueError
        For options given twice, a non-dict ``options``, an option the method
        does not have or that does not act on ``quantity`` (naming the accepted
        ones and the methods that have it), or a bad value.
    """
    if options is None:
        options = {}
    if not isinstance(options, dict):
        raise ValueError(f"options must be a dict of option names to values, got {type(options).__name__}")
    repeated = sorted(set(options) & set(kwargs))
    if repeated:
        raise ValueError(f"option(s) {repeated} given twice, both in options= and as keywords; give each once")
    given = {**options, **kwargs}
    fields = [f.name for f in dataclasses.fields(method.Options)]
    accepted = [name for name in fields if acts_on(method.Options, name, quantity)]
    unknown = sorted(set(given) - set(accepted))
    if unknown:
        owners = sorted({name for name, m in METHODS.items() if m.supports(quantity) and name != method.name
                         and set(unknown) <= {f.name for f in dataclasses.fields(m.Options)}
                         and all(acts_on(m.Options, n, quantity) for n in unknown)})
        kind = "the sampling methods" if owners and all(METHODS[o].sampling for o in owners) else "the methods"
        where = f" (they apply to {kind} {owners} only)" if owners else ""
        scope = "" if quantity == "evolution" else f" ({quantity.replace('_', ' ')})"
        raise ValueError(f"unknown option(s) {unknown} for method {method.name!r}{scope}{where}; "
                         f"accepted: {accepted}")
    return method.Options(**given)


def _check_system(system, parameter):
    if not isinstance(system, System):
        raise ValueError(f"{parameter} must be an sf_dynamics.Ensemble, NanocrystalEnsemble or Slab (a System), "
                         f"got {type(system).__name__}")


def run(quantity, system, times, *, method="auto", initial="excited", options=None, kwargs=None, parameter="system",
        **inputs):
    """Compute ``quantity`` of ``system`` with ``method``: the one path of every public front door.

    Parameters
    ----------
    quantity : {"evolution", "first_order", "second_order", "photon_counts"}
    system : System
        Ensemble, NanocrystalEnsemble, Slab, or any class following the System protocol.
    times : array_like
        Output times (ps) >= 0, strictly increasing; the excitation is at t = 0.
    method : str
        A registered method's name or ``"auto"``.
    initial : str or state
    options : dict, optional
    kwargs : dict, optional
        Options given as keywords (merged with ``options``, each given once).
    parameter : str
        Name of the system argument in error messages.
    **inputs
        The quantity's own inputs: ``taus``, ``detector`` (two-time correlations),
        ``efficiency``, ``local_efficiency`` (photon counting).

    Returns
    -------
    Result or xarray.Dataset
        A Result for the evolution, a Dataset for the other quantities.

    Raises
    ------
    ValueError
        For invalid inputs, an unknown method or option, or a problem the method cannot compute.
    """
    if quantity not in QUANTITIES:
        raise ValueError(f"quantity must be one of {list(QUANTITIES)}, got {quantity!r}")
    _check_system(system, parameter)
    times = check_times(times)
    inputs = quantities.check_inputs(quantity, system, **inputs)
    named = None if isinstance(method, str) and method.lower() == "auto" else get_method(method, quantity)
    initial = as_initial_state(initial, system)
    if hasattr(initial, "validate_for") and system.emitter_type == "two-level":
        initial.validate_for(system.n)
    # the excitation is at t = 0 whatever the first output time: integrate from 0, report the requested times
    run_times = times if times[0] == 0.0 else np.concatenate([[0.0], times])
    problem = Problem(quantity, system, run_times, initial, **inputs)
    chosen = choose(problem, named)
    typed = build_options(chosen, quantity, options, kwargs or {})
    estimates.check(chosen, problem, typed)     # memory and steps, before the method allocates anything
    raw = getattr(chosen, RUNNERS[quantity])(problem, typed)
    out = quantities.finish(quantity, raw, problem, times, chosen.name)
    invariants.check(out, chosen, typed)
    record = provenance(method=chosen.name, options={**(options or {}), **(kwargs or {})},
                        initial=initial.describe(), seed=getattr(typed, "seed", None))
    record["partial"] = bool((out.info if quantity == "evolution" else out.attrs).get("partial", False))  # Ctrl-C
    if quantity == "evolution":
        out.provenance = record
    else:   # flat attributes that netCDF can store, as a Result's file has them
        out.attrs.update(flat_attrs(record, prefix="provenance_"))
    return out
