"""The permutation-invariant levels: ``dicke``, ``permutational`` and ``jumps``.

All three work on the Dicke ladders |j, m> of identical emitters
(:mod:`sf_dynamics.solvers.permutational`): ``dicke`` keeps the symmetric ladder
of pure collective decay, ``permutational`` integrates the exact
permutation-invariant master equation, ``jumps`` samples its photon-counting
trajectories from Dicke-diagonal starts.
"""

from __future__ import annotations

from dataclasses import dataclass

from .._resources import DEFAULT_MAX_STEPS
from ..solvers import dicke, jumps, permutational
from . import estimates
from .counting import shot_counts
from .protocol import EXECUTOR_DOC, PROGRESS_DOC, SEED_DOC, Method, Options, option
from .raw import g1_dataset, moments_dataset, pairs_dataset

__all__ = ["Dicke", "Permutational", "Jumps", "DickeOptions", "PermutationalOptions", "JumpsOptions"]

_EVOLUTION = ("evolution",)
#: tolerance of the ladder correlation and counting hierarchies when rtol (tol) is not given
CORRELATION_TOL = 1e-8


@dataclass(frozen=True)
class PermutationalOptions(Options):
    rtol: float | None = option(
        None, "local error per SDIRK4 step in the L1 norm of the populations, relative to their sum 1 (default "
              "1e-6 for the evolution, 1e-8 for correlations and counting; the intensity's global error relative "
              "to its peak is typically below 1e-7)")
    atol: float | None = option(None, "added to rtol (the populations sum to 1, so the step bound is rtol + atol; "
                                      "default 0)", acts_on=_EVOLUTION)
    tol: float | None = option(None, "alias of rtol (earlier name); give one of the two")
    progress: bool | None = option(None, PROGRESS_DOC)
    max_steps: int = option(DEFAULT_MAX_STEPS, f"largest number of SDIRK4 steps (default {DEFAULT_MAX_STEPS})")

    def correlation_tol(self) -> float:
        """The step tolerance of the correlation and counting hierarchies (rtol, its alias tol, or 1e-8)."""
        if self.rtol is not None and self.tol is not None:
            raise ValueError("rtol and tol are aliases: give one of the two")
        return self.rtol or self.tol or CORRELATION_TOL


@dataclass(frozen=True)
class DickeOptions(PermutationalOptions):
    """The options of the Dicke ladder: those of ``permutational`` for its evolution."""

    rtol: float | None = option(
        None, "local error per SDIRK4 step in the L1 norm of the populations, relative to their sum 1 (default "
              "1e-6; the intensity's global error relative to its peak is typically below 1e-7)")


class Permutational(Method):
    """Exact permutation-invariant master equation of identical emitters (O(N^2) ladder states)."""

    name = permutational.NAME
    Options = PermutationalOptions

    def reason(self, problem):
        why = permutational.unsupported_reason(problem.system, problem.initial)
        if why is None and problem.quantity in ("first_order", "second_order") and problem.detector != "collective":
            why = "it detects the collective channel only (detector='collective')"
        return why

    def memory_estimate(self, problem, options):
        return estimates.ladder_estimate(problem, self.name)

    def work_estimate(self, problem, options):
        # the evolution and the counting hierarchy stop at every output time (correlations interpolate)
        return estimates.output_steps(problem) if problem.quantity in ("evolution", "photon_counts") else None

    def evolve(self, problem, options):
        return permutational.solve(problem.system, problem.times, problem.initial,
                                   **options.pick("rtol", "atol", "tol", "progress", "max_steps"))

    def first_order(self, problem, options):
        g1 = permutational.first_order_correlation(
            problem.system, problem.times, problem.taus, problem.initial, problem.detector,
            tol=options.correlation_tol(), progress=options.progress, max_steps=options.max_steps)
        return g1_dataset(g1, problem.taus)

    def second_order(self, problem, options):
        pairs, rate = permutational.second_order_correlation(
            problem.system, problem.times, problem.taus, problem.initial, problem.detector,
            tol=options.correlation_tol(), progress=options.progress, max_steps=options.max_steps)
        return pairs_dataset(pairs, rate, problem.taus)

    def photon_counts(self, problem, options):
        moments = permutational.counting_moments(
            problem.system, problem.times, problem.initial, efficiency=problem.efficiency,
            local_efficiency=problem.local_efficiency, tol=options.correlation_tol(), progress=options.progress,
            max_steps=options.max_steps)
        return moments_dataset(moments)


class Dicke(Method):
    """Symmetric Dicke ladder j = N/2 of pure collective decay (O(N))."""

    name = dicke.NAME
    Options = DickeOptions

    def reason(self, problem):
        return dicke.unsupported_reason(problem.system, problem.initial)

    def memory_estimate(self, problem, options):
        return estimates.ladder_estimate(problem, self.name)

    def work_estimate(self, problem, options):
        return estimates.output_steps(problem)     # the ladder integrator stops at every output time

    def evolve(self, problem, options):
        return dicke.solve(problem.system, problem.times, problem.initial,
                           **options.pick("rtol", "atol", "tol", "progress", "max_steps"))


@dataclass(frozen=True)
class JumpsOptions(Options):
    trajectories: int = option(jumps.DEFAULT_TRAJECTORIES,
                               f"number of trajectories (shots), >= 2 (default {jumps.DEFAULT_TRAJECTORIES})")
    seed: int = option(0, SEED_DOC)
    shots: int | None = option(None, "number of single-shot traces kept in data['single_shots'] (default min(20, "
                                     "trajectories))", acts_on=_EVOLUTION)
    batches: int = option(10, "batches for the statistical errors of tau_D and the peak (default 10)",
                          acts_on=_EVOLUTION)
    progress: bool | None = option(None, "progress bar over trajectories (default: shown for long runs)")
    executor: object = option(None, EXECUTOR_DOC)


class Jumps(Method):
    """Exact photon-counting trajectories of the permutation-invariant master equation (shots)."""

    name = jumps.NAME
    Options = JumpsOptions
    auto = _EVOLUTION
    sampling = True

    def reason(self, problem):
        return jumps.unsupported_reason(problem.system, problem.initial)

    def memory_estimate(self, problem, options):
        return estimates.combine(estimates.output_estimate(problem, sampling=True),
                                 estimates.jump_table_estimate(problem))

    def evolve(self, problem, options):
        return jumps.solve(problem.system, problem.times, problem.initial,
                           **options.pick("trajectories", "seed", "shots", "batches", "progress", "executor"))

    def photon_counts(self, problem, options):
        result = jumps.solve(problem.system, problem.times, problem.initial,
                             **options.pick("trajectories", "seed", "progress", "executor"))
        return shot_counts(result, efficiency=problem.efficiency, local_efficiency=problem.local_efficiency)
