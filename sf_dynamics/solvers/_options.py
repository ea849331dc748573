"""One option vocabulary for every method.

Every method accepts the :data:`COMMON_OPTIONS` (``rtol``, ``atol``,
``progress``, ``seed``, ``max_steps``) with the same meaning, plus its own
(``engine``, ``trajectories``, ...). A method declares what each option does
for it in its ``OPTIONS`` dict; an option that cannot act on a method (a seed
for a deterministic solver, a tolerance for an exact propagation) is declared
with :func:`no_effect` and is accepted, recorded in the provenance and not
passed on.
"""

from __future__ import annotations

__all__ = ["COMMON_OPTIONS", "EXECUTOR_OPTION", "no_effect", "has_effect", "declare", "check_common", "first_capable"]

#: the shared vocabulary and its meaning for every method
COMMON_OPTIONS = {
    "rtol": "relative tolerance of the time integration",
    "atol": "absolute tolerance of the time integration",
    "progress": "progress bar: True, False, or None (default: shown for long runs)",
    "seed": "integer seed of all random draws (a run is reproducible from it)",
    "max_steps": "largest number of integrator steps; a run that would exceed it is refused beforehand or "
                 "stopped with an error naming the option",
}

#: the ``executor`` option of the shot methods (twa, maxwell_bloch noise shots, jumps)
EXECUTOR_OPTION = ("where the trajectory blocks run: None (this process, default), 'processes', a "
                   "concurrent.futures.Executor, a dask Client or a scheduler address; the result is the same bit "
                   "for bit")

_NO_EFFECT = "no effect: "


def no_effect(reason: str) -> str:
    """Description of a common option that does not act on a method (accepted for a uniform interface)."""
    return _NO_EFFECT + reason


def has_effect(description: str) -> bool:
    """Whether an option with this description is passed on to the solver."""
    return not description.startswith(_NO_EFFECT)


def declare(**descriptions: str) -> dict[str, str]:
    """A method's ``OPTIONS``: the common options first, then its own, each with its meaning.

    Raises
    ------
    TypeError
        If a common option is not declared (every method must say what each one does).
    """
    missing = [name for name in COMMON_OPTIONS if name not in descriptions]
    if missing:
        raise TypeError(f"a method must declare every common option; missing {missing}")
    common = {name: descriptions[name] for name in COMMON_OPTIONS}
    return {**common, **{k: v for k, v in descriptions.items() if k not in COMMON_OPTIONS}}


def check_common(options: dict) -> None:
    """Validate the values of the common options, whether or not they act on the method.

    Raises
    ------
    ValueError
        Naming the option and its allowed values.
    """
    from .._validation import check_positive_int, check_tolerance
    from ._sampling import check_seed

    for name in ("rtol", "atol"):
        if options.get(name) is not None:
            check_tolerance(name, options[name])
    if "progress" in options and options["progress"] not in (None, True, False):
        raise ValueError(f"progress must be True, False or None, got {options['progress']!r}")
    if "seed" in options:
        check_seed(options["seed"])
    if "max_steps" in options:
        check_positive_int("max_steps", options["max_steps"])


def first_capable(candidates, reason, what):
    """The first of ``candidates`` (method names) for which ``reason(name)`` is None.

    Raises
    ------
    ValueError
        ``"<what>: name: reason; ..."`` when none can.
    """
    reasons = {}
    for name in candidates:
        why = reason(name)
        if why is None:
            return name
        reasons[name] = why
    raise ValueError(f"{what}: " + "; ".join(f"{k}: {v}" for k, v in reasons.items()))
