"""Memory and work of a problem, estimated before any method allocates: one refusal for every front door.

The front door (:func:`sf_dynamics.methods.frontdoor.run`, behind :func:`sf_dynamics.simulate`,
``spectra.first_order``, ``statistics.second_order`` and ``statistics.photon_counts``) calls :func:`check`
with the chosen method, the problem and the method's options once the inputs are valid and before the
method runs. Every method reports

* :meth:`~sf_dynamics.methods.protocol.Method.memory_estimate`: an :class:`Estimate` of the bytes of its
  largest simultaneous need, naming the input that sets it. The default, :func:`output_estimate`, is the
  output: output times x delays x the values stored per point (measured with ``tracemalloc``: ~350 bytes
  per output time of an evolution, the integrator's records and the Result; ~50 bytes per (time, delay)
  point of a deterministic two-time correlation, ~150 with a sampling method's standard errors and shot
  fields). Methods with internal states add them (:func:`combine`): the Dicke-ladder populations of
  ``dicke`` and ``permutational`` (:func:`ladder_estimate`) and the rate table over every ladder of ``jumps``
  (:func:`jump_table_estimate`);
* :meth:`~sf_dynamics.methods.protocol.Method.work_estimate`: a lower bound of the integrator steps, where
  one is known (the ladder integrator stops at every output time: :func:`output_steps`), checked against
  the method's ``max_steps``.

A refusal is the :class:`ValueError` of :func:`sf_dynamics._resources.check_memory` or
``check_step_budget``: "<parameter>: <what> needs about X GiB of memory, but this machine has Y free;
<alternative>". Guards that need the method's own set-up (trajectory arrays, per-emitter models, the exact
solver's sector vectors, step budgets from the fastest rate) stay in the solvers and run before those
allocate.
"""

from __future__ import annotations

from dataclasses import dataclass

from .._resources import check_memory, check_step_budget
from ..model.states import CoherentSpinState, ProductState

__all__ = ["Estimate", "check", "combine", "output_estimate", "ladder_estimate", "jump_table_estimate",
           "output_steps", "BYTES_PER_TIME", "BYTES_PER_POINT", "BYTES_PER_SAMPLED_POINT", "JUMP_TABLE_ROWS"]

#: bytes per output time of an evolution or a photon count (measured 350: the integrator's records and the Result)
BYTES_PER_TIME = 400.0
#: bytes per (time, delay) point of a two-time correlation (measured 48-54: G1 or G2 and its copies)
BYTES_PER_POINT = 64.0
#: the same with a sampling method's standard error and shot fields (measured 143-152 for twa)
BYTES_PER_SAMPLED_POINT = 160.0
#: float64 rows per ladder of the jump rates: the 9 rows of ``dicke_basis.ladder_prefactors`` and the
#: temporaries it builds them from
JUMP_TABLE_ROWS = 16


@dataclass(frozen=True)
class Estimate:
    """An amount a computation needs (bytes, or integrator steps), the input that sets it and what to do instead.

    Attributes
    ----------
    amount : float
        Bytes (memory) or time steps (work).
    parameter : str
        The input that sets the amount (named first in a refusal).
    what : str
        What needs it, e.g. "G1 on 11 output times x 1e+08 delays".
    alternative : str or None
        What can do the job instead (appended to a refusal).
    """

    amount: float
    parameter: str
    what: str
    alternative: str | None = None


def combine(*estimates) -> Estimate:
    """The needs of one computation held at once: their sum, named by the largest (None entries are skipped)."""
    parts = [e for e in estimates if e is not None]
    largest = max(parts, key=lambda e: e.amount)
    return Estimate(sum(e.amount for e in parts), largest.parameter, largest.what, largest.alternative)


def output_estimate(problem, *, sampling=False) -> Estimate:
    """The output of ``problem``: output times x delays x the bytes stored per point.

    Parameters
    ----------
    problem : Problem
        The validated problem (its ``times`` start at the excitation).
    sampling : bool
        A sampling method (standard errors and shot fields beside a two-time correlation).

    Returns
    -------
    Estimate
        Named ``times``, ``taus`` or ``times, taus``, whichever sets the size.
    """
    nt = len(problem.times)
    fewer_times = "use fewer output times (a burst is resolved by a few hundred)"
    if problem.taus is None:
        return Estimate(BYTES_PER_TIME * nt, "times", f"a result on {nt} output times", fewer_times)
    ntau = len(problem.taus)
    per_point = BYTES_PER_SAMPLED_POINT if sampling and problem.quantity == "first_order" else BYTES_PER_POINT
    fewer_taus = ("use fewer delays: the spectrum's resolution is 2 pi / taus[-1] and its band pi / (taus[1] - "
                  "taus[0]), so a coarser or shorter delay grid may do")
    if ntau > 10 * nt:
        parameter, alternative = "taus", fewer_taus
    elif nt > 10 * ntau:
        parameter, alternative = "times", fewer_times
    else:
        parameter, alternative = "times, taus", f"{fewer_times}, or {fewer_taus}"
    name = "G1" if problem.quantity == "first_order" else "G2"
    return Estimate(per_point * nt * ntau + BYTES_PER_TIME * nt, parameter,
                    f"{name} on {nt} output times x {ntau} delays", alternative)


def _coherent(initial) -> bool:
    return isinstance(initial, CoherentSpinState) and initial.theta > 0


def ladder_estimate(problem, method_name) -> Estimate:
    """The output and the Dicke-ladder populations a ``dicke`` or ``permutational`` computation holds.

    The ladders are those its solver keeps first (``dicke``: j = n/2 only; ``permutational``: the ladders
    local processes reach within the window, :func:`~sf_dynamics.solvers.permutational.initial_ladder_count`;
    a ProductState start counts one, a lower bound that needs no O(N) work); population vectors as
    :data:`~sf_dynamics.solvers.permutational.LADDER_VECTORS` (the coherent sector of a coherent start or a
    two-time correlation, the three vectors of photon counting).
    """
    from ..solvers import permutational

    system, initial, quantity = problem.system, problem.initial, problem.quantity
    if method_name == "dicke" or isinstance(permutational.ladder_state(initial), ProductState):
        count = 1
    else:
        window = problem.times
        if problem.taus is not None:      # a correlation reaches times[-1] + taus[-1]
            window = [0.0, float(problem.times[-1]) + float(problem.taus[-1])]
        count = permutational.initial_ladder_count(system, window, initial)
    kind = {"photon_counts": "counting", "first_order": "coherent", "second_order": "coherent"}.get(
        quantity, "coherent" if _coherent(initial) else "populations")
    amount, what, alternative = permutational.ladder_need(system.n, count, method_name,
                                                          permutational.LADDER_VECTORS[kind])
    return combine(output_estimate(problem), Estimate(amount, "n", what, alternative))


def jump_table_estimate(problem) -> Estimate:
    """The jump rates of every ladder j = n/2 .. 0 that ``jumps`` tabulates before sampling (O(N))."""
    n = problem.system.n
    ladders = n // 2 + 1
    return Estimate(8.0 * JUMP_TABLE_ROWS * ladders, "n",
                    f"method 'jumps' with N = {n}: the jump rates of its {ladders} Dicke ladders",
                    "'cumulant' or 'twa' (class engines) hold O(1) variables for identical emitters")


def output_steps(problem) -> Estimate:
    """Integrator steps at least: one per output interval (for an integrator that stops at every output time)."""
    intervals = len(problem.times) - 1
    return Estimate(float(intervals), "times", f"{len(problem.times)} output times (a step each at least)",
                    "use fewer output times")


def check(method, problem, options) -> None:
    """Refuse ``problem`` before ``method`` runs if its memory or step estimate cannot be afforded.

    Parameters
    ----------
    method : Method
        The chosen method.
    problem : Problem
        The validated problem.
    options : Options
        The method's typed options (``max_steps`` bounds the work estimate where the method has it).

    Raises
    ------
    ValueError
        Naming the parameter that sets the size, the estimate, the memory free (or the step budget) and an
        alternative.
    """
    memory = method.memory_estimate(problem, options)
    check_memory(memory.amount, parameter=memory.parameter, what=memory.what, alternative=memory.alternative)
    work = method.work_estimate(problem, options)
    max_steps = getattr(options, "max_steps", None)
    if work is not None and max_steps is not None:
        check_step_budget(work.amount, parameter=work.parameter, what=work.what, max_steps=max_steps,
                          alternative=work.alternative)
