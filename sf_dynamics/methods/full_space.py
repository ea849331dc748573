"""The full density-matrix level ``exact``: the reference every other level is tested against."""

from __future__ import annotations

from dataclasses import dataclass

from ..solvers import exact
from .protocol import Method, Options, option
from .raw import g1_dataset, moments_dataset, pairs_dataset

__all__ = ["Exact", "ExactOptions"]


@dataclass(frozen=True)
class ExactOptions(Options):
    progress: bool | None = option(None, "progress bar over the output times (default: shown for long runs)")
    max_steps: int = option(exact.DEFAULT_MAX_PRODUCTS,
                            f"largest number of matrix-vector products of the propagation (default "
                            f"{exact.DEFAULT_MAX_PRODUCTS:.0e})", acts_on=("evolution",))
    store_states: bool = option(False, "keep the density matrix at every output time in result.states "
                                       "(qutip.Qobj; default False)", acts_on=("evolution",))


class Exact(Method):
    """The full master equation on 2^n (4^n) states, sector by sector (n <= 12 emitters, 5 nanocrystals)."""

    name = exact.NAME
    Options = ExactOptions

    def reason(self, problem):
        return exact.unsupported_reason(problem.system, problem.initial)

    def evolve(self, problem, options):
        return exact.solve(problem.system, problem.times, problem.initial,
                           **options.pick("max_steps", "progress", "store_states"))

    def first_order(self, problem, options):
        g1 = exact.first_order_correlation(problem.system, problem.times, problem.taus, problem.initial,
                                           problem.field, progress=options.progress)
        return g1_dataset(g1, problem.taus)

    def second_order(self, problem, options):
        pairs, rate = exact.second_order_correlation(problem.system, problem.times, problem.taus, problem.initial,
                                                     problem.field, progress=options.progress)
        return pairs_dataset(pairs, rate, problem.taus)

    def photon_counts(self, problem, options):
        system = problem.system
        detector = "total" if system.has_coupling_matrices else "collective"
        if detector == "total" and problem.local_efficiency > 0:
            raise ValueError("local_efficiency: with coupling matrices the channels are not separable; every "
                             "photon is counted with efficiency (give local_efficiency=0)")
        moments = exact.counting_moments(system, problem.times, problem.initial, detector,
                                         efficiency=problem.efficiency, local_efficiency=problem.local_efficiency,
                                         progress=options.progress)
        return moments_dataset(moments, detector=detector)
