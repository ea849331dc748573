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
"""

from __future__ import annotations

import numpy as np

__all__ = ["burst_window_ps", "fastest_rate", "largest_row_sum", "DEFAULT_BURST_DELAYS"]

#: default ``factor`` of :func:`burst_window_ps`: the window holds this many ln N / (N Gamma_c)
DEFAULT_BURST_DELAYS = 8.0


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
