"""Time scales of a system: the window that holds the burst and the fastest rate of its equations.

Burst window. N inverted emitters with collective decay Gamma_c radiate
their burst after the delay tau_D ~ ln N / (N Gamma_c) (Dicke 1954; Gross &
Haroche, Phys. Rep. 93, 301 (1982): t_D = T_R ln(4 / theta_0^2) with
T_R = 1 / (N Gamma_c) and theta_0^2 ~ 4 / N; the shot-to-shot mean is the
Gumbel law (ln N + gamma_E) / (N Gamma_c) of
:func:`sf_dynamics.statistics.gumbel_delay_law`), and the pulse is a few
T_R wide. A window of ``factor`` ln N / (N Gamma_c) therefore holds the
delay ``factor`` times over: the burst and its tail for factors of ~6 and
more. :func:`burst_window_ps` is that window, used wherever a default time
grid is chosen; N Gamma_c may be replaced by the rate of the brightest
collective mode (the largest eigenvalue of Gamma) for a geometry.

Fastest rate. Explicit time steppers take steps of a fraction of the
inverse of the fastest rate of the equations of motion, and step budgets are
estimated from it. :func:`fastest_rate` adds its parts in one fixed order
(coupling, frequency, pumping, dephasing, local decay), so that every caller
gets the same number for the same parts; :func:`largest_row_sum` is the
Gershgorin bound max_i sum_j |M_ij| on the spectral radius of a coupling
matrix.

Blame. When a stepper would need more steps than its budget, the refusal
names what to change (:func:`step_culprit`): the step count is the window
times the fastest rate, and a window holding more than :data:`TAIL_CONSTANTS`
time constants of the slowest rate of the system holds nothing but a tail
below e^-100 of it, so the window (``times``) is blamed then; otherwise the
window is needed and the parameter that sets the fastest rate
(:func:`rate_parts`: a detuning of 1e9 rad/ps beside a burst of 4 /ps) is.
"""

from __future__ import annotations

import numpy as np

__all__ = ["burst_window_ps", "fastest_rate", "largest_row_sum", "rate_parts", "step_culprit", "DEFAULT_BURST_DELAYS",
           "TAIL_CONSTANTS"]

#: default ``factor`` of :func:`burst_window_ps`: the window holds this many ln N / (N Gamma_c)
DEFAULT_BURST_DELAYS = 8.0
#: a window longer than this many time constants 1 / rate of a system's slowest rate holds only a tail e^-100
TAIL_CONSTANTS = 100.0


def burst_window_ps(n, collective_rate, *, factor=DEFAULT_BURST_DELAYS, min_log=0.0) -> float:
    """A time window (ps) long enough for the burst of ``n`` inverted emitters: factor ln N / (N Gamma_c).

    Parameters
    ----------
    n : int or float
        Number of emitters N; values below 2 count as 2 (ln 1 = 0 would make the window empty).
    collective_rate : float
        The collective rate N Gamma_c (1/ps), > 0; for a geometry, the rate of the brightest collective
        mode (the largest eigenvalue of Gamma), or the width of the brightest single-excitation state.
    factor : float
        Window length in units of the delay scale ln N / (N Gamma_c) (default 8).
    min_log : float
        Lower bound on ln N (e.g. 1.0: a few emitters still get a window of factor / (N Gamma_c)).

    Returns
    -------
    float
        ``factor * max(ln N, min_log) / collective_rate`` (ps).
    """
    return factor * max(np.log(max(n, 2)), min_log) / collective_rate


def fastest_rate(coupling, *, frequency=0.0, pumping=0.0, dephasing=0.0, decay=0.0) -> float:
    """An upper estimate (1/ps) of the fastest rate of a system's equations of motion.

    Parameters
    ----------
    coupling : float
        Rate of the collective coupling (1/ps): N Gamma_c + Gamma_ii for identical coupling, the largest
        eigenvalue or the largest row sum of |Gamma| (plus that of |Omega|) for a geometry.
    frequency : float
        Largest angular frequency that the stepper resolves (rad/ps): detunings, the spectral radius of
        Omega; 0 where they are integrated exactly (as rotations).
    pumping : float
        Incoherent pumping rate P (1/ps).
    dephasing : float
        Pure-dephasing rate gamma_phi (1/ps); coherences decay at 2 gamma_phi (docs/conventions.md).
    decay : float
        Largest local decay rate Gamma_ii (1/ps) when it is not part of ``coupling``.

    Returns
    -------
    float
        coupling + frequency + pumping + 2 dephasing + decay, added in this order.
    """
    return coupling + frequency + pumping + 2.0 * dephasing + decay


def largest_row_sum(matrix) -> float:
    """max_i sum_j |M_ij| of a square matrix: Gershgorin's bound on its spectral radius."""
    return float(np.max(np.abs(matrix).sum(axis=1)))


def rate_parts(system) -> dict[str, float]:
    """The rates (1/ps) and angular frequencies (rad/ps) of a system's equations, by the parameter setting each.

    Parameters
    ----------
    system : Ensemble, NanocrystalEnsemble or Slab
        Any class following the System protocol (missing attributes count as 0).

    Returns
    -------
    dict
        Parameter name -> its part of the fastest rate: ``collective_decay`` (N Gamma_c; ``forward_decay``
        N Gamma_f of a Slab), ``decay``, ``dephasing`` (2 gamma_phi), ``pumping``, ``detunings`` (max |delta|),
        ``fine_structure``, and the largest row sums of ``gamma_matrix`` and ``omega_matrix``.
    """
    n = float(getattr(system, "n", 1))
    parts = {"collective_decay": n * float(getattr(system, "collective_decay", 0.0)),
             "forward_decay": n * float(getattr(system, "forward_decay", 0.0)),
             "decay": float(getattr(system, "decay", 0.0)), "dephasing": 2.0 * float(getattr(system, "dephasing", 0.0)),
             "pumping": float(getattr(system, "pumping", 0.0) if system.emitter_type == "two-level" else 0.0)}
    if system.emitter_type == "triplet":
        parts["detunings"] = float(np.max(np.abs(system.detunings)))
        parts["fine_structure"] = float(np.max(np.abs(system.fine_structure)))
    elif system.emitter_type == "two-level":
        parts["detunings"] = float(np.max(np.abs(system.spectral_classes()[0])))
    elif getattr(system, "spectrum", None) is not None:
        parts["spectrum"] = float(np.max(np.abs(system.spectrum.detunings)))
    if getattr(system, "has_coupling_matrices", False):
        own = parts["collective_decay"] + parts["decay"]
        parts["gamma_matrix"] = max(largest_row_sum(system.gamma_matrix()) - own, 0.0)
        parts["omega_matrix"] = largest_row_sum(system.omega_matrix())
    return {name: value for name, value in parts.items() if value > 0}


def step_culprit(system, span) -> tuple[str, str, str]:
    """The input to change when a time stepper needs too many steps over a window of ``span`` ps.

    Parameters
    ----------
    system : System
        The system integrated.
    span : float
        Length of the window (ps).

    Returns
    -------
    parameter : str
        ``"times"`` when the window holds more than :data:`TAIL_CONSTANTS` time constants of the system's
        slowest rate (or the system has no rate), else the parameter of the fastest part (:func:`rate_parts`).
    reason : str
        The numbers behind the choice, for the refusal's message.
    alternative : str
        What to change.
    """
    parts = rate_parts(system)
    shorten = "shorten the window (times)"
    if not parts:
        return "times", f"a window of {span:.3g} ps", shorten
    fastest = max(parts, key=parts.get)
    slowest = min(parts.values())
    if span * slowest > TAIL_CONSTANTS:
        return "times", (f"a window of {span:.3g} ps, {span * slowest:.3g} time constants of the slowest rate of "
                         f"the system ({slowest:.3g} /ps),"), shorten
    unit = "rad/ps" if fastest in ("detunings", "fine_structure", "spectrum", "omega_matrix") else "/ps"
    return fastest, (f"{_LABELS.get(fastest, fastest)} = {parts[fastest]:.3g} {unit}, the fastest rate (the slowest is "
                     f"{slowest:.3g} /ps), over a window of {span:.3g} ps"), \
        f"check {fastest} (rates in 1/ps, frequencies in rad/ps: 1 meV = 1.519 rad/ps) or {shorten}"


#: how :func:`step_culprit` names a part of :func:`rate_parts`
_LABELS = {"collective_decay": "N x collective_decay", "forward_decay": "N x forward_decay",
           "dephasing": "2 x dephasing", "detunings": "max |detunings|", "fine_structure": "max |fine_structure|",
           "spectrum": "max |spectrum detunings|", "gamma_matrix": "the largest row sum of gamma_matrix",
           "omega_matrix": "the largest row sum of omega_matrix"}
