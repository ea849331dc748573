"""Explicit adaptive ODE integration that records observables, not states.

The cumulant state of n emitters holds ~3 n^2 numbers, so storing it at
every output time (``solve_ivp(t_eval=...)``) would not fit in memory for
n ~ 10^3. Here the solver steps with a Runge-Kutta method and evaluates the
observables at the output times from each step's dense output.

Methods: SciPy's ``DOP853``, ``RK45`` and ``RK23`` classes, and ``DOPRI5``,
the same Dormand-Prince 5(4) pair as ``RK45`` stepped here with fused numba
stage combinations, stages written in place by the right-hand side and, for
affine observables, dense output of the observables alone (its cost does
not grow with the number of output times). ``DOPRI5`` is the method for
states of 10^6-10^7 numbers, where SciPy's steps spend as long moving
memory as the right-hand side spends computing.
"""

from __future__ import annotations

import time as _time

import numpy as np
from scipy import integrate

from .._resources import DEFAULT_MAX_STEPS
from .._validation import check_choice, check_positive_int, check_tolerance
from ..kernels import stages as ks
from ..kernels.jit import pick

__all__ = ["integrate_observed", "EXPLICIT_METHODS"]

EXPLICIT_METHODS = {"RK45": integrate.RK45, "DOP853": integrate.DOP853, "RK23": integrate.RK23, "DOPRI5": None}


def integrate_observed(rhs, y0, times, observe, *, method="DOP853", rtol=1e-7, atol=1e-10, progress=None,
                       first_step=None, inplace=False, affine_observables=False, max_steps=DEFAULT_MAX_STEPS):
    """Integrate dy/dt = rhs(t, y) and return observe(y) at every output time.

    Parameters
    ----------
    rhs : callable
        ``rhs(t, y) -> dy/dt`` (new array), or ``rhs(t, y, out)`` writing
        dy/dt into ``out`` if ``inplace``.
    y0 : ndarray
        Initial state (real).
    times : ndarray
        Strictly increasing output times (ps); integration starts at times[0].
    observe : callable
        ``observe(y) -> 1-D array`` of observables.
    method : {"DOP853", "RK45", "RK23", "DOPRI5"}
        SciPy explicit Runge-Kutta method, or the fused Dormand-Prince 5(4)
        stepper of this module.
    rtol : float
        Relative local error tolerance.
    atol : float or ndarray
        Absolute tolerance (per component if an array).
    progress : tqdm-like or None
        Advanced by one per output time reached.
    first_step : float, optional
        Initial step (ps); chosen automatically by default.
    inplace : bool
        Signature of ``rhs`` (see above).
    affine_observables : bool
        Declare ``observe`` affine in y (observe(a y1 + b y2) = a observe(y1)
        + b observe(y2) + (1 - a - b) observe(0)). ``DOPRI5`` then
        interpolates the observables instead of the state.
    max_steps : int
        Step budget: a RuntimeError names it when the integration needs more.

    Returns
    -------
    observables : ndarray, shape (len(times), n_obs)
    info : dict
        ``steps``, ``rhs_evaluations``, ``wall_time`` (s).
    """
    check_choice("integrator", method, EXPLICIT_METHODS)
    rtol = check_tolerance("rtol", rtol)
    if np.ndim(atol) == 0:
        atol = check_tolerance("atol", atol)
    max_steps = check_positive_int("max_steps", max_steps)
    if method == "DOPRI5":
        return _integrate_dopri5(rhs, y0, times, observe, rtol, atol, progress, first_step, inplace,
                                 affine_observables, max_steps)
    if inplace:
        rhs = _returning(rhs)
    start = _time.perf_counter()
    first = np.asarray(observe(y0))
    out = np.empty((len(times), first.size), dtype=first.dtype)
    out[0] = first
    if len(times) == 1:
        return out, {"steps": 0, "rhs_evaluations": 0, "wall_time": 0.0}
    solver = EXPLICIT_METHODS[method](rhs, float(times[0]), y0, float(times[-1]), rtol=rtol, atol=atol,
                                      first_step=first_step)
    next_index = 1
    steps = 0
    while next_index < len(times):
        if steps >= max_steps:
            raise RuntimeError(_budget_message(max_steps, solver.t, times))
        message = solver.step()
        if solver.status == "failed":
            raise RuntimeError(f"the ODE integration failed at t = {solver.t:g} ps: {message}")
        steps += 1
        if solver.t >= times[next_index] or solver.status == "finished":
            dense = solver.dense_output()
            while next_index < len(times) and (times[next_index] <= solver.t or solver.status == "finished"):
                t = times[next_index]
                y = solver.y if t == solver.t else dense(t)
                out[next_index] = observe(y)
                next_index += 1
                if progress is not None:
                    progress.update(1)
    info = {"steps": steps, "rhs_evaluations": solver.nfev, "wall_time": _time.perf_counter() - start}
    return out, info


def _returning(rhs_into):
    def rhs(t, y):
        out = np.empty_like(y)
        rhs_into(t, y, out)
        return out

    return rhs


class _Dopri5:
    """Dormand-Prince 5(4) tableau (SciPy's RK45 coefficients) and step control constants."""

    A = integrate.RK45.A
    B = integrate.RK45.B
    C = integrate.RK45.C
    E = integrate.RK45.E
    P = integrate.RK45.P
    STAGES = integrate.RK45.n_stages
    ERROR_EXPONENT = -1.0 / (integrate.RK45.error_estimator_order + 1)
    SAFETY, MIN_FACTOR, MAX_FACTOR = 0.9, 0.2, 10.0


def _real_view(rhs, y0, observe, atol):
    """Run a problem on a float64 state; a complex one on the view of its state as (re, im) pairs.

    ``rhs`` is in place; returns the (rhs, y, observe, atol) of the real problem.
    """
    if not np.iscomplexobj(y0):
        return rhs, np.array(y0, dtype=np.float64), observe, atol
    y0 = np.ascontiguousarray(y0, dtype=np.complex128)

    def rhs_real(t, y, out):
        rhs(t, y.view(np.complex128), out.view(np.complex128))

    atol = np.repeat(np.broadcast_to(atol, y0.shape), 2) if np.ndim(atol) else atol
    return rhs_real, y0.view(np.float64).copy(), (lambda y: observe(y.view(np.complex128))), atol


def _initial_step(rhs, t0, y0, f0, rtol, atol, span):
    """Hairer-Norsett-Wanner starting step for a 5th-order method."""
    scale = atol + rtol * np.abs(y0)
    d0 = float(np.sqrt(np.mean((y0 / scale) ** 2)))
    d1 = float(np.sqrt(np.mean((f0 / scale) ** 2)))
    h0 = 1e-6 if d0 < 1e-5 or d1 < 1e-5 else 0.01 * d0 / d1
    h0 = min(h0, span)
    f1 = np.empty_like(y0)
    rhs(t0 + h0, y0 + h0 * f0, f1)
    d2 = float(np.sqrt(np.mean(((f1 - f0) / scale) ** 2))) / h0
    if d1 <= 1e-15 and d2 <= 1e-15:
        h1 = max(1e-6, h0 * 1e-3)
    else:
        h1 = (0.01 / max(d1, d2)) ** (1.0 / 5.0)
    return min(100 * h0, h1, span)


def _budget_message(max_steps, t, times):
    return (f"max_steps: the integration used its budget of {max_steps} steps at t = {t:.4g} ps of "
            f"{times[-1]:.4g} ps; the problem is stiffer or longer than expected (a large rate, detuning or time "
            "window): raise max_steps, shorten the window, or use a method made for it")


def _integrate_dopri5(rhs, y0, times, observe, rtol, atol, progress, first_step, inplace, affine, max_steps):
    tab = _Dopri5
    rhs, y, observe, atol = _real_view(rhs if inplace else _inplace(rhs), y0, observe, atol)
    atol = np.ascontiguousarray(np.broadcast_to(np.asarray(atol, dtype=np.float64), y.shape))
    start = _time.perf_counter()
    first = np.asarray(observe(y), dtype=np.float64)
    out = np.empty((len(times), first.size))
    out[0] = first
    if len(times) == 1:
        return out, {"steps": 0, "rhs_evaluations": 0, "wall_time": 0.0}
    offset = np.asarray(observe(np.zeros_like(y)), dtype=np.float64) if affine else None
    stages = np.empty((tab.STAGES + 1, y.size))
    combine_stages = pick(ks.combine_stages, ks.combine_stages_serial, y.size * tab.STAGES)
    scaled_error_norm = pick(ks.scaled_error_norm, ks.scaled_error_norm_serial, y.size * tab.STAGES)
    y_new = np.empty_like(y)
    work = np.empty_like(y)
    t, t_end = float(times[0]), float(times[-1])
    rhs(t, y, stages[0])
    nfev = 1
    if first_step is None:
        h_abs = _initial_step(rhs, t, y, stages[0], rtol, atol, t_end - t)
        nfev += 1
    else:
        h_abs = float(first_step)
    next_index, steps = 1, 0
    while next_index < len(times):
        if steps >= max_steps:
            raise RuntimeError(_budget_message(max_steps, t, times))
        rejected = False
        while True:
            if h_abs < 10 * np.spacing(max(abs(t), 1e-300)):
                raise RuntimeError(f"the ODE integration failed at t = {t:g} ps: step size below round-off")
            h = min(h_abs, t_end - t)
            for s in range(1, tab.STAGES):
                combine_stages(y, stages, tab.A[s, :s], h, work)
                rhs(t + tab.C[s] * h, work, stages[s])
            combine_stages(y, stages, tab.B, h, y_new)
            rhs(t + h, y_new, stages[tab.STAGES])
            nfev += tab.STAGES
            error = scaled_error_norm(y, y_new, stages, tab.E, h, rtol, atol)
            if not np.isfinite(error):
                raise RuntimeError(f"the ODE integration failed at t = {t:g} ps: non-finite state")
            if error < 1.0:
                factor = tab.MAX_FACTOR if error == 0 else min(tab.MAX_FACTOR, tab.SAFETY * error**tab.ERROR_EXPONENT)
                h_abs *= min(1.0, factor) if rejected else factor
                break
            h_abs *= max(tab.MIN_FACTOR, tab.SAFETY * error**tab.ERROR_EXPONENT)
            rejected = True
        t_new = t + h if t + h < t_end else t_end
        steps += 1
        if next_index < len(times) and times[next_index] <= t_new:
            next_index = _record_step(out, next_index, times, t, h, t_new, y, y_new, stages, observe, offset, work,
                                      progress, combine_stages)
        t = t_new
        y, y_new = y_new, y
        stages[0] = stages[tab.STAGES]
    return out, {"steps": steps, "rhs_evaluations": nfev, "wall_time": _time.perf_counter() - start}


def _inplace(rhs_returning):
    def rhs(t, y, out):
        out[:] = rhs_returning(t, y)

    return rhs


def _record_step(out, index, times, t, h, t_new, y, y_new, stages, observe, offset, work, progress,
                 combine_stages=ks.combine_stages):
    """Observables at the output times inside (t, t_new] from the step's quartic interpolant."""
    tab = _Dopri5
    base = stage_obs = None
    if offset is not None:
        base = np.asarray(observe(y), dtype=np.float64)
        stage_obs = np.array([np.asarray(observe(k), dtype=np.float64) - offset for k in stages])
    while index < len(times) and times[index] <= t_new:
        if times[index] == t_new:
            out[index] = observe(y_new)
        else:
            theta = (times[index] - t) / h
            weights = tab.P @ np.cumprod(np.full(tab.P.shape[1], theta))
            if offset is not None:
                out[index] = base + h * weights @ stage_obs
            else:
                combine_stages(y, stages, weights, h, work)
                out[index] = observe(work)
        index += 1
        if progress is not None:
            progress.update(1)
    return index
