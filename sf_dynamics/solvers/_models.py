"""Rate data of two-level ensembles in the two forms the moment solvers use.

* :class:`ClassModel`: K spectral classes with identical all-to-all coupling
  (Gamma_ij = collective_decay, i != j; Gamma_ii = collective_decay + decay;
  no Omega). Costs O(K^2) per step whatever N is.
* :class:`EmitterModel`: one emitter at a time with general n x n Gamma and
  Omega (geometry). Costs one n x n matrix product per step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..model.states import CoherentSpinState, DickeState, Excited, Ground, ProductState
from ..model.timescales import fastest_rate as _rate_bound
from ..model.timescales import largest_row_sum, step_culprit

__all__ = ["ClassModel", "EmitterModel", "choose_engine", "engine_for_start", "symmetric_moments", "ENGINES"]

ENGINES = ("auto", "classes", "emitters")


@dataclass
class ClassModel:
    """K classes of identical-coupling emitters (see kernels.cumulant.class_pair_rhs)."""

    detunings: np.ndarray  # (K,) rad/ps
    counts: np.ndarray  # (K,) emitters per class (may be fractional)
    others: np.ndarray  # (K,) other emitters per class seen from one emitter
    thirds: np.ndarray  # (K,) third emitters per class seen from a pair
    exclude: float  # 1 for integer counts, 0 for a continuous spectrum
    gamma0: float  # Gamma_ii (1/ps)
    gamma_c: float  # Gamma_ij, i != j (1/ps)
    dephasing: float
    pumping: float

    @classmethod
    def from_ensemble(cls, ensemble):
        det, weights, counts = ensemble.spectral_classes()
        n = ensemble.n
        if counts is not None:
            c = counts.astype(np.float64)
            others, thirds, exclude = c, c, 1.0
        else:
            c = n * weights
            others, thirds, exclude = (n - 1) * weights, max(n - 2, 0) * weights, 0.0
        return cls(
            detunings=np.asarray(det, dtype=np.float64),
            counts=np.asarray(c, dtype=np.float64),
            others=np.asarray(others, dtype=np.float64),
            thirds=np.asarray(thirds, dtype=np.float64),
            exclude=exclude,
            gamma0=ensemble.collective_decay + ensemble.decay,
            gamma_c=ensemble.collective_decay,
            dephasing=ensemble.dephasing,
            pumping=ensemble.pumping,
        )

    @property
    def size(self) -> int:
        return self.detunings.size


@dataclass
class EmitterModel:
    """n emitters with general coupling matrices."""

    gamma: np.ndarray  # (n, n) 1/ps
    omega: np.ndarray  # (n, n) rad/ps, zero diagonal
    detunings: np.ndarray  # (n,)
    dephasing: float
    pumping: float

    @classmethod
    def from_ensemble(cls, ensemble):
        return cls(
            gamma=np.ascontiguousarray(ensemble.gamma_matrix()),
            omega=np.ascontiguousarray(ensemble.omega_matrix()),
            detunings=np.asarray(ensemble.detunings, dtype=np.float64),
            dephasing=ensemble.dephasing,
            pumping=ensemble.pumping,
        )

    @property
    def size(self) -> int:
        return self.detunings.size

    def half_offdiagonal_gamma(self) -> np.ndarray:
        g = 0.5 * self.gamma
        np.fill_diagonal(g, 0.0)
        return g

    @property
    def has_omega(self) -> bool:
        return bool(np.any(self.omega))


def choose_engine(ensemble, engine: str) -> str:
    """Resolve ``engine`` ("auto", "classes", "emitters") for an ensemble, or raise ValueError."""
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {list(ENGINES)}, got {engine!r}")
    if engine == "auto":
        return "emitters" if ensemble.has_coupling_matrices else "classes"
    if engine == "classes" and ensemble.has_coupling_matrices:
        raise ValueError("engine 'classes' needs identical all-to-all coupling; this ensemble has coupling matrices")
    if engine == "emitters" and not ensemble.has_emitter_detunings:
        raise ValueError("engine 'emitters' needs per-emitter detunings; this spectrum has fractional class weights")
    return engine


def engine_for_start(initial, engine: str, *, per_class: bool = False) -> str:
    """``engine``, or "emitters" when the start is a ProductState with one p per emitter.

    With ``per_class`` the class engine takes one p per spectral class (a ProductState given per class), so
    only a start that differs within a class needs the emitter engine.

    Raises
    ------
    ValueError
        If ``engine`` is "classes" and the start needs the emitter engine.
    """
    if not isinstance(initial, ProductState) or initial.uniform:
        return engine
    if per_class and (initial.per_class or initial.class_p is not None):
        return engine
    if engine == "classes":
        raise ValueError("engine: a ProductState with one p per emitter needs engine='emitters' (the class engine "
                         "holds one p per spectral class)")
    return "emitters"


def symmetric_moments(initial, n):
    """(n_k, C_kl, N_kl) of an initial state that is the same for every emitter and pair.

    Excited, ground, coherent spin states (products) and the symmetric Dicke
    states |n/2, m> (C_kl = (<J+J-> - K) / (n (n-1)), N_kl = K(K-1) / (n(n-1))
    with K = n/2 + m excitations).
    """
    if isinstance(initial, Excited):
        return 1.0, 0.0, 1.0
    if isinstance(initial, Ground):
        return 0.0, 0.0, 0.0
    if isinstance(initial, CoherentSpinState):
        p = abs(initial.upper_amplitude) ** 2
        return p, p * abs(initial.lower_amplitude) ** 2, p * p
    if isinstance(initial, ProductState):   # one p: C_kl = |<s-_k>|^2, N_kl = p^2
        p = float(np.atleast_1d(initial.p)[0])
        return p, initial.coherence**2 * p * (1.0 - p), p * p
    if isinstance(initial, DickeState):
        initial.validate_for(n)
        if initial.j != n / 2:
            raise ValueError("moment solvers start from symmetric Dicke states |n/2, m> only")
        k = n / 2 + initial.m
        if n < 2:
            return k, 0.0, 0.0
        j, m = initial.j, initial.m
        pairs = n * (n - 1.0)
        return k / n, ((j + m) * (j - m + 1.0) - k) / pairs, k * (k - 1.0) / pairs
    raise ValueError(f"unsupported initial state {initial!r}")


#: bytes per state variable of an explicit Runge-Kutta run: state, stages (<= 13 copies), tolerances, work
BYTES_PER_VARIABLE = 8.0 * 16


def fastest_rate(ensemble) -> float:
    """An upper estimate (1/ps) of the fastest rate of the moment equations: detunings, couplings, processes.

    :func:`sf_dynamics.model.timescales.fastest_rate` of the largest row sums of |Gamma| and |Omega| (or
    N Gamma_c + gamma), the largest detuning, the pumping of two-level emitters and the dephasing.
    """
    if ensemble.has_coupling_matrices:
        coupling = largest_row_sum(ensemble.gamma_matrix()) + largest_row_sum(ensemble.omega_matrix())
    else:
        coupling = ensemble.n * ensemble.collective_decay + ensemble.decay
    if ensemble.emitter_type == "triplet":
        detuning = float(np.max(np.abs(ensemble.onsite_energies())))
    else:
        det, _, _ = ensemble.spectral_classes()
        detuning = float(np.max(np.abs(det)))
    pumping = ensemble.pumping if ensemble.emitter_type == "two-level" else 0.0  # nanocrystals are not pumped
    return _rate_bound(coupling, frequency=detuning, pumping=pumping, dephasing=ensemble.dephasing)


def check_explicit_run(ensemble, times, variables, *, method, max_steps, stability=6.0, parameter="n",
                       alternative=None):
    """Refuse an explicit integration whose memory or step count cannot be afforded.

    ``parameter`` and ``alternative`` name what made the memory grow and what needs less (defaults: the
    number of emitters; spectral classes or ``twa``).

    The step count is at least (fastest rate x window) / stability (the
    stability limit of the Runge-Kutta method, ~6 for DOP853): a detuning of
    1e9 rad/ps or a window of 1e12 ps is refused before a step is taken, naming
    the detunings or the times (:func:`~sf_dynamics.model.timescales.step_culprit`).
    """
    from .._resources import check_memory, check_step_budget

    check_memory(BYTES_PER_VARIABLE * variables, parameter=parameter,
                 what=f"method '{method}' with {variables:.3g} variables",
                 alternative=alternative or ("spectral classes (identical coupling) need O(K^2) variables; 'twa' "
                                             "needs O(n) per trajectory"))
    span = float(times[-1] - times[0])
    rate = fastest_rate(ensemble)
    if not rate * span / stability <= max_steps:
        culprit, reason, alternative = step_culprit(ensemble, span)
        check_step_budget(rate * span / stability, parameter=culprit, max_steps=max_steps,
                          what=f"{reason} with explicit Runge-Kutta steps of ~{stability:g} / {rate:.3g} ps",
                          alternative=alternative)
