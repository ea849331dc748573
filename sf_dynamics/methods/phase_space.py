"""The sampling levels on classical fields: ``twa`` (truncated Wigner) and ``maxwell_bloch`` (1D propagation)."""

from __future__ import annotations

from dataclasses import dataclass

from .._resources import DEFAULT_MAX_STEPS
from ..model.field_detectors import FarField
from ..solvers import maxwell_bloch, twa
from .counting import shot_counts
from .protocol import EXECUTOR_DOC, SEED_DOC, Method, Options, option
from .raw import g1_dataset

__all__ = ["TWA", "MaxwellBloch", "TWAOptions", "MaxwellBlochOptions"]

_EVOLUTION = ("evolution",)
_SHOTS = "number of single-shot traces kept (default min(20, trajectories))"


@dataclass(frozen=True)
class TWAOptions(Options):
    trajectories: int = option(twa.DEFAULT_TRAJECTORIES,
                               f"number of trajectories (default {twa.DEFAULT_TRAJECTORIES})")
    seed: int = option(0, SEED_DOC)
    progress: bool | None = option(None, "progress bar over trajectories (default: shown for long runs)")
    max_steps: int = option(DEFAULT_MAX_STEPS,
                            f"largest number of time steps per trajectory (default {DEFAULT_MAX_STEPS})")
    engine: str = option("auto", "'auto' (default), 'classes' or 'emitters'")
    dt: float | None = option(None, "largest time step (ps); default 0.2 / (fastest rate) on the emitters engine, "
                                    "0.02 / (fastest rate) on the classes engine (twa.default_step), refined to "
                                    "divide each output interval")
    shots: int | None = option(None, _SHOTS, acts_on=("evolution", "first_order"))
    batches: int = option(10, "batches for the statistical errors of tau_D and the peak (default 10)",
                          acts_on=_EVOLUTION)
    executor: object = option(None, EXECUTOR_DOC)
    coupling: str = option("auto", "coupling sums of the per-emitter engine: 'auto' (default: FFTs where they are "
                                   "measured faster), 'dense' (BLAS) or 'fft' (regular lattices from "
                                   "Superlattice.nanocrystal_ensemble)")


class TWA(Method):
    """Truncated-Wigner sampling with dissipative noise: single shots and their average."""

    name = twa.NAME
    Options = TWAOptions
    auto = _EVOLUTION      # it samples; a deterministic method covers every correlation it can compute
    sampling = True

    def reason(self, problem):
        why = twa.unsupported_reason(problem.system, problem.initial)
        if why is None and problem.quantity == "first_order":
            if problem.detector == "total":
                why = ("it records one classical field per trajectory: the collective channel or a far-field "
                       "direction, not 'total' (every decay channel of Gamma)")
            elif isinstance(problem.detector, FarField) and problem.system.spectrum is not None:
                why = "a far-field detector needs per-emitter amplitudes, but this ensemble is a continuous spectrum"
        return why

    def evolve(self, problem, options):
        return twa.solve(problem.system, problem.times, problem.initial,
                         **options.pick("trajectories", "seed", "engine", "dt", "shots", "batches", "progress",
                                        "max_steps", "executor", "coupling"))

    def first_order(self, problem, options):
        g1, extra = twa.first_order_correlation(
            problem.system, problem.times, problem.taus, problem.initial, problem.field,
            **options.pick("trajectories", "seed", "engine", "dt", "shots", "progress", "max_steps", "executor",
                           "coupling"))
        return g1_dataset(g1, problem.taus, extra)

    def photon_counts(self, problem, options):
        system = problem.system
        if system.decay > 0 and problem.local_efficiency != problem.efficiency:
            raise ValueError("local_efficiency: method 'twa' detects its classical intensity of all channels, so "
                             f"it needs local_efficiency = efficiency ({problem.efficiency:g}) when decay > 0; use "
                             "'jumps' or 'permutational' to count the channels separately")
        result = self.evolve(problem, options)
        return shot_counts(result, efficiency=problem.efficiency, local_efficiency=problem.local_efficiency)


@dataclass(frozen=True)
class MaxwellBlochOptions(Options):
    rtol: float = option(1e-8, "relative tolerance of the 'tipping' integration (default 1e-8)", acts_on=_EVOLUTION)
    atol: float = option(1e-12, "absolute tolerance of the 'tipping' integration (default 1e-12)",
                         acts_on=_EVOLUTION)
    progress: bool | None = option(None, "progress bar over trajectories of the noise initiation (default: auto)")
    seed: int = option(0, "integer seed of the noise initiation (default 0)")
    max_steps: int = option(DEFAULT_MAX_STEPS, f"largest number of time steps (default {DEFAULT_MAX_STEPS})")
    initiation: str = option("noise", "'noise' (truncated Wigner, default) or 'tipping' (deterministic mean field)",
                             acts_on=_EVOLUTION)
    trajectories: int = option(200, "noise realisations (default 200)")
    seed_angle: float | None = option(None, "tipping angle (rad) of the 'tipping' initiation; default 2 / sqrt(N "
                                            "per slice)", acts_on=_EVOLUTION)
    dt: float | None = option(None, "largest time step (ps) of the noise initiation")
    shots: int | None = option(None, _SHOTS)
    executor: object = option(None, EXECUTOR_DOC + " (noise initiation)")


class MaxwellBloch(Method):
    """1D Maxwell-Bloch propagation through a Slab, mean-field or quantum-noise initiated."""

    name = maxwell_bloch.NAME
    Options = MaxwellBlochOptions
    sampling = True

    def reason(self, problem):
        why = maxwell_bloch.unsupported_reason(problem.system, problem.initial)
        if why is None and problem.quantity == "first_order" and problem.detector != "forward":
            why = "it detects the exit-face field only (detector='forward')"
        return why

    def evolve(self, problem, options):
        return maxwell_bloch.solve(problem.system, problem.times, problem.initial,
                                   **options.pick("initiation", "trajectories", "seed", "seed_angle", "dt", "shots",
                                                  "rtol", "atol", "max_steps", "progress", "executor"))

    def first_order(self, problem, options):
        g1, extra = maxwell_bloch.first_order_correlation(
            problem.system, problem.times, problem.taus, problem.initial, problem.detector,
            **options.pick("trajectories", "seed", "dt", "shots", "progress", "max_steps", "executor"))
        return g1_dataset(g1, problem.taus, extra)
