"""The moment-closure levels: ``cumulant`` (second or third order) and ``meanfield`` (first order, seeded)."""

from __future__ import annotations

from dataclasses import dataclass

from .._resources import DEFAULT_MAX_STEPS
from ..model.field_detectors import FarField
from ..solvers import cumulant, cumulant_correlation, meanfield
from .protocol import PROGRESS_DOC, Method, Options, option
from .raw import g1_dataset

__all__ = ["Cumulant", "Meanfield", "CumulantOptions", "MeanfieldOptions"]

_EVOLUTION = ("evolution",)
_CONTINUUM = "a far-field detector needs per-emitter amplitudes, but this ensemble is a continuous spectrum"


@dataclass(frozen=True)
class CumulantOptions(Options):
    rtol: float = option(1e-7, "relative tolerance of the Runge-Kutta integrator (default 1e-7)")
    atol: float = option(1e-10, "absolute tolerance (default 1e-10)")
    progress: bool | None = option(None, PROGRESS_DOC)
    max_steps: int = option(DEFAULT_MAX_STEPS, f"largest number of integrator steps (default {DEFAULT_MAX_STEPS})")
    engine: str = option("auto", "'auto' (default), 'classes' or 'emitters'")
    integrator: str | None = option(None, "'DOPRI5' (default for per-emitter and nanocrystal engines), 'DOP853' "
                                          "(default for spectral classes), 'RK45' or 'RK23'", acts_on=_EVOLUTION)
    coupling: str = option("auto", "products with Gamma and Omega per emitter: 'auto' (default: FFTs where they are "
                                   "measured faster), 'dense' (BLAS) or 'fft' (regular lattices from "
                                   "Superlattice.nanocrystal_ensemble)", acts_on=_EVOLUTION)
    order: int = option(2, "closure order: 2 (default; three-emitter cumulants dropped) or 3 (three-emitter moments "
                           "kept, four-emitter cumulants dropped; spectral classes only, warns when the moments leave "
                           "the bounds of a quantum state)", acts_on=_EVOLUTION)


class Cumulant(Method):
    """Cumulant expansion (order 2; order 3 for spectral classes): classes, per emitter with geometry, triplet NCs."""

    name = cumulant.NAME
    Options = CumulantOptions

    def reason(self, problem):
        why = cumulant.unsupported_reason(problem.system, problem.initial)
        if why is None and problem.quantity == "first_order":
            if isinstance(problem.detector, FarField) and problem.system.spectrum is not None:
                why = _CONTINUUM
        return why

    def evolve(self, problem, options):
        return cumulant.solve(problem.system, problem.times, problem.initial,
                              **options.pick("engine", "rtol", "atol", "integrator", "progress", "max_steps",
                                             "coupling", "order"))

    def first_order(self, problem, options):
        amplitudes = problem.field if isinstance(problem.detector, FarField) else None
        g1 = cumulant_correlation.first_order_correlation(
            problem.system, problem.times, problem.taus, problem.initial,
            problem.detector if amplitudes is None else "total", amplitudes=amplitudes,
            **options.pick("engine", "rtol", "atol", "progress", "max_steps"))
        return g1_dataset(g1, problem.taus)


@dataclass(frozen=True)
class MeanfieldOptions(Options):
    rtol: float = option(1e-8, "relative tolerance (default 1e-8)")
    atol: float = option(1e-12, "absolute tolerance (default 1e-12)")
    progress: bool | None = option(None, PROGRESS_DOC)
    max_steps: int = option(DEFAULT_MAX_STEPS, f"largest number of integrator steps (default {DEFAULT_MAX_STEPS})")
    seed_angle: float | None = option(None, "tipping angle theta_0 (rad) of the seed; default 2 / sqrt(N)")
    engine: str = option("auto", "'auto' (default), 'classes' or 'emitters'")
    integrator: str = option("DOP853", "'DOP853' (default), 'RK45' or 'RK23'")


class Meanfield(Method):
    """First order: classical dipoles seeded by a tipping angle (single-shot classical bursts)."""

    name = meanfield.NAME
    Options = MeanfieldOptions

    def reason(self, problem):
        return meanfield.unsupported_reason(problem.system, problem.initial)

    def evolve(self, problem, options):
        return meanfield.solve(problem.system, problem.times, problem.initial,
                               **options.pick("seed_angle", "engine", "rtol", "atol", "integrator", "progress",
                                              "max_steps"))
