"""The method protocol: a problem, a method's typed options, and what a method can compute.

Every approximation level is one :class:`Method` subclass. It declares

* ``name`` and its options as a frozen dataclass (a subclass of :class:`Options`)
  whose fields carry their defaults and a one-line meaning (:func:`option`);
  an option that cannot act for a method does not exist for it;
* what it computes: a method supports a quantity when it defines the run
  function of :data:`RUNNERS` for it (``evolve``, ``first_order``,
  ``second_order``, ``photon_counts``), each with one signature
  ``run(problem, options)`` and one return type (:class:`~sf_dynamics.Result`
  for the evolution, an :class:`xarray.Dataset` on ``time`` (and ``tau``) for the
  others);
* ``reason(problem)``: the sentence saying why it cannot represent the problem,
  or None;
* ``memory_estimate(problem, options)`` and ``work_estimate(problem, options)``:
  what it will need (:mod:`sf_dynamics.methods.estimates`), checked before it runs.

The front door (:mod:`sf_dynamics.methods.frontdoor`) validates the inputs,
chooses a method for ``method="auto"``, integrates from the excitation at
t = 0 and records the provenance, once for every quantity.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from . import estimates

__all__ = ["QUANTITIES", "RUNNERS", "SHARED_OPTIONS", "PROGRESS_DOC", "SEED_DOC", "EXECUTOR_DOC", "Problem", "Options",
           "option", "Method", "acts_on"]

#: the quantities a method may compute, with their meaning
QUANTITIES = {
    "evolution": "time evolution: intensity, excitation and the method's other traces (a Result)",
    "first_order": "first-order two-time correlation G1(t, tau) of a detected field",
    "second_order": "second-order two-time correlation G2(t, tau) of a detected intensity",
    "photon_counts": "photons detected per pulse: mean, second factorial moment, integrated g2",
}
#: option names shared by several methods, with the one meaning they have wherever they exist
SHARED_OPTIONS = {
    "rtol": "relative tolerance of the time integration",
    "atol": "absolute tolerance of the time integration",
    "progress": "progress bar: True, False, or None (default: shown for long runs)",
    "seed": "integer seed of all random draws (a run is reproducible from it)",
    "max_steps": "largest number of integrator steps; a run that would exceed it is refused beforehand or "
                 "stopped with an error naming the option",
    "trajectories": "number of sampled trajectories (shots)",
    "shots": "number of single-shot traces kept in the result",
    "executor": "where trajectory blocks run (this process, local processes, a concurrent.futures executor, Dask); "
                "the result is the same bit for bit",
}
#: the meanings that several methods' options share word for word
PROGRESS_DOC = SHARED_OPTIONS["progress"]
SEED_DOC = "integer seed (default 0): trajectory r uses the stream SeedSequence(seed, spawn_key=(r,))"
EXECUTOR_DOC = ("where the trajectory blocks run: None (this process, default), 'processes', a "
                "concurrent.futures.Executor, a dask Client or a scheduler address; the result is the same bit for "
                "bit")
#: the run function of a method for each quantity
RUNNERS = {"evolution": "evolve", "first_order": "first_order", "second_order": "second_order",
           "photon_counts": "photon_counts"}


@dataclass(frozen=True)
class Problem:
    """One quantity of one system, ready to run (validated by the front door).

    Attributes
    ----------
    quantity : str
        A key of :data:`QUANTITIES`.
    system : System
        Ensemble, NanocrystalEnsemble or Slab (any class following ``model.protocol.System``).
    times : ndarray
        Integration times (ps), starting at the excitation t = 0, strictly increasing.
    initial : InitialState
    taus : ndarray or None
        Delays (ps) of the two-time correlations: 0, dtau, 2 dtau, ...
    detector : str, FarField or None
        What is detected (two-time correlations).
    efficiency, local_efficiency : float
        Detection probabilities of the collective and local channels (photon counting).
    """

    quantity: str
    system: Any
    times: np.ndarray
    initial: Any
    taus: np.ndarray | None = None
    detector: Any = None
    efficiency: float = 1.0
    local_efficiency: float = 0.0

    @property
    def field(self):
        """The detector as the solvers take it: a name, or the per-dipole amplitudes of a far-field detector."""
        if self.detector is None or isinstance(self.detector, str):
            return self.detector
        return self.detector.amplitudes(self.system)


def option(default, doc: str, *, acts_on: tuple[str, ...] | None = None):
    """A field of an :class:`Options` dataclass: its default and its one-line meaning.

    Parameters
    ----------
    default
        Default value (None: the method's default, which ``doc`` states).
    doc : str
        What the option does for this method (shown by ``method_options`` and in docs/methods.md).
    acts_on : tuple of str, optional
        The quantities it acts on (default: every quantity the method computes).
    """
    return field(default=default, metadata={"doc": doc, "acts_on": acts_on})


def acts_on(options_class, name: str, quantity: str) -> bool:
    """Whether option ``name`` of ``options_class`` acts on ``quantity``."""
    fields = {f.name: f for f in dataclasses.fields(options_class)}
    scope = fields[name].metadata.get("acts_on")
    return scope is None or quantity in scope


@dataclass(frozen=True)
class Options:
    """Base of every method's options: validates the values of the shared option names.

    Raises
    ------
    ValueError
        Naming the option and its allowed values (``rtol``/``atol`` positive and
        finite, ``progress`` True/False/None, ``seed`` a non-negative integer,
        ``max_steps`` a positive integer).
    """

    def __post_init__(self):
        from .._validation import check_positive_int, check_seed, check_tolerance

        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}   # no deep copies
        for name in ("rtol", "atol", "tol"):
            if values.get(name) is not None:
                check_tolerance(name, values[name])
        if "progress" in values and values["progress"] not in (None, True, False):
            raise ValueError(f"progress must be True, False or None, got {values['progress']!r}")
        if "seed" in values:
            check_seed(values["seed"])
        if values.get("max_steps") is not None:
            check_positive_int("max_steps", values["max_steps"])

    @classmethod
    def describe(cls) -> dict[str, str]:
        """Option name -> its meaning for this method, in declaration order (with the quantities it is limited to)."""
        out = {}
        for f in dataclasses.fields(cls):
            scope = f.metadata.get("acts_on")
            only = f" ({', '.join(q.replace('_', ' ') for q in scope)} only)" if scope else ""
            out[f.name] = f.metadata["doc"] + only
        return out

    def pick(self, *names) -> dict:
        """The named options as keywords for a solver function."""
        return {name: getattr(self, name) for name in names}


class Method:
    """One approximation level: its options, what it computes, and why it cannot compute a problem.

    Subclasses set ``name`` and ``Options``, define ``reason(problem)`` and
    one or more run functions (``evolve``, ``first_order``, ``second_order``,
    ``photon_counts``), and are registered with
    :func:`sf_dynamics.methods.register`.
    """

    name: ClassVar[str] = ""
    Options: ClassVar[type[Options]] = Options
    #: quantities for which ``method="auto"`` may choose this method (default: every one it computes)
    auto: ClassVar[tuple[str, ...] | None] = None
    #: whether the method samples trajectories (its results carry standard errors and shots)
    sampling: ClassVar[bool] = False

    def supports(self, quantity: str) -> bool:
        """Whether the method computes ``quantity`` at all."""
        return callable(getattr(self, RUNNERS[quantity], None))

    def chosen_by_auto(self, quantity: str) -> bool:
        """Whether ``method="auto"`` may choose this method for ``quantity``."""
        return self.supports(quantity) and (self.auto is None or quantity in self.auto)

    def capabilities(self) -> tuple[str, ...]:
        """The quantities the method computes."""
        return tuple(q for q in QUANTITIES if self.supports(q))

    def reason(self, problem: Problem) -> str | None:
        """Why the method cannot compute ``problem`` (None if it can); subclasses refine it."""
        return None

    def memory_estimate(self, problem: Problem, options: Options):
        """Bytes of the largest simultaneous need of computing ``problem`` (an :class:`~.estimates.Estimate`).

        The default is the output arrays (:func:`~sf_dynamics.methods.estimates.output_estimate`); a method
        with large internal states adds them. The front door refuses the problem before the method runs
        when this does not fit in memory.
        """
        return estimates.output_estimate(problem, sampling=self.sampling)

    def work_estimate(self, problem: Problem, options: Options):
        """A lower bound of the integrator steps ``problem`` takes (an Estimate, checked against the method's
        ``max_steps``), or None where none is known (the default)."""
        return None

    def refusal(self, problem: Problem) -> str | None:
        """:meth:`reason`, with a system class that lacks an attribute the method reads refused by name."""
        try:
            return self.reason(problem)
        except AttributeError as exc:
            return (f"it reads {exc.name!r} of the system, which {type(problem.system).__name__} does not have"
                    if exc.name else f"it cannot read this system ({exc})")

    def unsupported_reason(self, system, initial, quantity: str = "evolution", detector=None) -> str | None:
        """The sentence saying why the method cannot compute ``quantity`` for this system and start, or None."""
        if not self.supports(quantity):
            return f"it does not compute the {QUANTITIES[quantity].split(':')[0]}"
        return self.refusal(Problem(quantity, system, np.zeros(1), initial, detector=detector))

    def __repr__(self) -> str:
        return f"<method {self.name!r}: {', '.join(self.capabilities())}>"
