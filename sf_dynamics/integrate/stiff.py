"""Adaptive L-stable integrator for stiff linear systems dy/dt = M y.

The permutation-invariant and Dicke-ladder generators are stiff (the fastest
collective rate grows as N^2 while the burst lasts ~ln N / N), but the
shifted systems (I - alpha M) x = b can be solved directly in O(size)
(see :mod:`sf_dynamics.kernels.dicke_basis`). A singly diagonally implicit
Runge-Kutta method needs exactly such solves with a single alpha per step.

Method: the 5-stage, order-4, L-stable SDIRK of Hairer & Wanner (Solving
Ordinary Differential Equations II, Sect. IV.6, Table 6.5; gamma = 1/4)
with its embedded order-3 solution for step-size control. For a probability
vector the error is measured in the L1 norm (total-variation distance),
which bounds the error of every bounded observable.
"""

from __future__ import annotations

import time as _time

import numpy as np

from ..kernels import stages as ks
from ..kernels.jit import pick

__all__ = ["SDIRK4", "integrate_linear"]


class SDIRK4:
    """Butcher tableau of the L-stable SDIRK4 (Hairer & Wanner, gamma = 1/4)."""

    gamma = 0.25
    a = np.array(
        [
            [0.25, 0, 0, 0, 0],
            [0.5, 0.25, 0, 0, 0],
            [17 / 50, -1 / 25, 0.25, 0, 0],
            [371 / 1360, -137 / 2720, 15 / 544, 0.25, 0],
            [25 / 24, -49 / 48, 125 / 16, -85 / 12, 0.25],
        ]
    )
    b = a[-1].copy()
    b_embedded = np.array([59 / 48, -17 / 96, 225 / 32, -85 / 12, 0.0])
    order = 4
    embedded_order = 3

    @classmethod
    def stability_function(cls, z):
        """R(z) = 1 + z b^T (I - z A)^{-1} 1 (R(z) - e^z = O(z^5), R(-inf) = 0)."""
        z = complex(z)
        n = cls.a.shape[0]
        w = np.linalg.solve(np.eye(n) - z * cls.a, np.ones(n))
        return 1 + z * cls.b @ w


def integrate_linear(
    solve,
    y0: np.ndarray,
    times: np.ndarray,
    observe,
    *,
    tol: float = 1e-9,
    first_step: float | None = None,
    stiffness: float = 0.0,
    max_steps: int = 1_000_000,
    progress=None,
    dense: bool = False,
):
    """Integrate dy/dt = M y through the output ``times`` with SDIRK4.

    Parameters
    ----------
    solve : callable
        ``solve(alpha, rhs, x)`` overwrites ``x`` (holding an initial guess)
        with the solution of (I - alpha M) x = rhs.
    y0 : ndarray
        State at ``times[0]`` (float64 or complex128).
    times : ndarray
        Strictly increasing output times (ps).
    observe : callable
        ``observe(y)`` returns a 1-D array of observables recorded at every
        output time (full states are not stored).
    tol : float
        Local error per step in the L1 norm, relative to the L1 norm of y.
    first_step : float, optional
        Initial step (ps); by default ``tol**0.25 / stiffness`` capped by the
        first output interval.
    stiffness : float
        Largest decay rate of M (1/ps), used for the default first step.
    max_steps : int
        Abort (RuntimeError) after this many attempted steps.
    progress : tqdm-like or None
        Updated by one per output time.
    dense : bool
        Steps are not shortened to land on every output time; outputs inside
        a step are the cubic Hermite interpolant of y and M y at its ends
        (the method is stiffly accurate, so M y at a step end is its last
        stage slope; the interpolation error is O(h^4), the order of the
        local error). Worth it when outputs are denser than the steps the
        tolerance needs. The last step may end beyond ``times[-1]``.

    Returns
    -------
    observables : ndarray, shape (len(times), n_obs)
    info : dict
        ``steps``, ``rejected`` and ``wall_time`` (s).
    """
    tab = SDIRK4
    n_st = tab.a.shape[0]
    y = np.array(y0, copy=True)
    stages = np.zeros((n_st, y.size), dtype=y.dtype)
    rhs = np.empty_like(y)
    value = np.empty_like(y)
    err_vec = np.empty_like(y)
    zero = np.zeros_like(y)
    err_coef = tab.b - tab.b_embedded
    # small states: serial kernels (starting threads would cost more than the work)
    combine = pick(ks.combine_stages, ks.combine_stages_serial, y.size * n_st)
    stage_slope = pick(ks.stage_slope, ks.stage_slope_serial, y.size)
    l1_norm = ks.l1_norm
    start = _time.perf_counter()

    records = [np.asarray(observe(y))]
    t = float(times[0])
    span = float(times[-1] - times[0])
    if first_step is None:
        first_step = tol**0.25 / stiffness if stiffness > 0 else span / 100.0
    h = min(first_step, float(times[1] - times[0]))
    steps = rejected = 0
    start_value, start_slope, between = (np.empty_like(y) for _ in range(3)) if dense else (None, None, None)
    hermite = pick(ks.hermite, ks.hermite_serial, y.size)
    have_slope = False  # M y at the start of the step is known after the first accepted step
    k = 1
    while k < len(times):
        if steps + rejected >= max_steps:
            raise RuntimeError(
                f"integration stopped after {max_steps} steps at t = {t:g} ps; raise max_steps or the tolerance"
            )
        target = float(times[-1]) if have_slope else float(times[k])
        remaining = target - t
        clipped = h >= remaining
        h_try = remaining if clipped else h
        hg = h_try * tab.gamma
        for i in range(n_st):
            combine(y, stages, h_try * tab.a[i, :i].astype(y.dtype), 1.0, rhs)
            if i == 0:
                value[:] = y  # initial guess for iterative solves
            solve(hg, rhs, value)
            stage_slope(stages[i], value, rhs, 1.0 / hg)
        combine(zero, stages, h_try * err_coef.astype(y.dtype), 1.0, err_vec)
        scale = max(l1_norm(value), 1e-300)
        err = l1_norm(err_vec) / (tol * scale)
        if err <= 1.0 or h_try < 1e-14 * max(span, 1.0):
            t_start = t
            t = target if clipped else t + h_try
            if dense:
                start_value[:] = y
            y[:] = value
            steps += 1
            factor = min(5.0, max(0.2, 0.9 * (max(err, 1e-10)) ** (-1.0 / (tab.embedded_order + 1))))
            h = max(h, h_try * factor) if clipped else h_try * factor
            while k < len(times) and times[k] <= t:
                if times[k] == t or not have_slope:
                    records.append(np.asarray(observe(y)))
                else:  # cubic Hermite between the step ends
                    hermite(between, start_value, y, start_slope, stages[n_st - 1],
                            (float(times[k]) - t_start) / h_try, h_try)
                    records.append(np.asarray(observe(between)))
                k += 1
                if progress is not None:
                    progress.update(1)
            if dense:
                start_slope[:] = stages[n_st - 1]  # stiffly accurate: M y(t) of the new step start
                have_slope = True
        else:
            rejected += 1
            h = h_try * max(0.2, 0.9 * err ** (-1.0 / (tab.embedded_order + 1)))
    info = {"steps": steps, "rejected": rejected, "wall_time": _time.perf_counter() - start}
    return np.array(records), info
