"""The one-time solve of the ladder methods (``permutational`` and ``dicke``): SDIRK4 on the population and
coherence sectors with the ladder count grown until the leak is negligible; emission of several product starts
at once."""

from __future__ import annotations

import numpy as np

from ..._progress import progress_bar
from ..._resources import DEFAULT_MAX_STEPS
from ..._validation import check_positive_int, check_real, check_tolerance
from ...integrate.stiff import integrate_linear
from ...kernels import dicke_basis as kb
from ...kernels.jit import single_threaded
from ...model.states import CoherentSpinState, ProductState
from ...result import Result
from ..coherence import collective_pair_rate, equal_time_g2
from .capabilities import NAME, unsupported_reason
from .ladders import (
    LADDER_LEAK_TOL,
    _check_memory,
    generator_matrix,
    initial_ladder_count,
    initial_sectors,
    ladder_rates,
    ladder_state,
    sector_solver,
    stored_states,
)

__all__ = ["step_tolerance", "evolve_ladders", "solve", "DENSE_PROPAGATOR_STATES", "product_emission",
           "excitation_emission"]


#: progress work of one stored state per output time (units of :data:`~sf_dynamics._progress.AUTO_THRESHOLD`;
#: SDIRK4 stages and banded solves: N = 3000, 557797 states, 400 output times took 100 s)
_WORK_PER_STATE = 20


def _ladders(count):
    return f"{count} ladder{'s' if count != 1 else ''}"


def _integrate_sectors(ensemble, times, initial, n_ladders, tol, bar, max_steps):
    """Evolve the q = 0 (and, for coherent starts, q = 1) sectors on n_ladders ladders."""
    n = ensemble.n
    rates = ladder_rates(ensemble)
    pop0, coh0 = initial_sectors(n, n_ladders, initial)
    solve0, off0, lmax0, pre0 = sector_solver(n, n_ladders, 0, rates, 0.0, tol)
    stiffness = kb.max_loss_rate(n, off0, lmax0, pre0, rates)
    obs0, info = integrate_linear(
        solve0, pop0, times, lambda p: kb.diagonal_observables(p, n, off0, lmax0),
        tol=tol, stiffness=stiffness, progress=bar, max_steps=max_steps,
    )
    coherence = np.zeros(len(times), dtype=np.complex128)
    if coh0 is not None:
        shift = -1j * ensemble.common_detuning
        solve1, off1, lmax1, _ = sector_solver(n, n_ladders, 1, rates, shift, tol)
        obs1, info1 = integrate_linear(
            solve1, coh0, times, lambda c: np.array([kb.lowering_expectation(c, n, off1, lmax1)]),
            tol=tol, stiffness=stiffness, progress=bar, max_steps=max_steps,
        )
        coherence = obs1[:, 0]
        info = {key: info[key] + info1[key] for key in info}
    info.update(states=int(pop0.size), sectors=1 if coh0 is None else 2, ladders=n_ladders)
    return obs0, coherence, info


def step_tolerance(rtol=None, atol=None, tol=None) -> float:
    """The SDIRK4 local L1 error bound from the common options (``tol`` is the alias of ``rtol``)."""
    if tol is not None and rtol is not None:
        raise ValueError("give rtol or its alias tol, not both")
    rtol = check_tolerance("rtol" if tol is None else "tol", 1e-6 if rtol is None and tol is None else
                           (tol if tol is not None else rtol))
    atol = 0.0 if atol is None else check_real("atol", atol, low=0.0)
    return check_tolerance("rtol + atol", rtol + atol)


def evolve_ladders(ensemble, times, initial, *, n_ladders, method_name, tol=1e-6, progress=None,
                   max_steps=DEFAULT_MAX_STEPS):
    """Shared driver of the ``permutational`` and ``dicke`` methods.

    ``n_ladders="auto"`` keeps only the ladders j = n/2, n/2 - 1, ... that
    local processes can reach within ``times`` (:func:`initial_ladder_count`)
    and doubles their number until the probability that left them is below
    :data:`LADDER_LEAK_TOL`; the dropped ladders then change any observable by
    less than that fraction of its largest value.
    """
    tol = check_tolerance("tol", tol)
    max_steps = check_positive_int("max_steps", max_steps)
    n = ensemble.n
    full = n // 2 + 1
    adaptive = n_ladders == "auto"
    count = initial_ladder_count(ensemble, times, initial) if adaptive else n_ladders
    count = check_positive_int("n_ladders", count, maximum=full)
    attempts = 0
    coherent = isinstance(ladder_state(initial), CoherentSpinState) and ladder_state(initial).theta > 0
    # a coherent start evolves the q = 1 sector after q = 0: each counts its output times
    total = (2 if coherent else 1) * (len(times) - 1)
    with progress_bar(progress, total=total, size=_WORK_PER_STATE * stored_states(n, count),
                      desc=f"{method_name} ({_ladders(count)})") as bar:
        while True:
            _check_memory(n, count, coherent, method_name)
            obs0, coherence, info = _integrate_sectors(ensemble, times, initial, count, tol, bar, max_steps)
            attempts += 1
            leaked = 1.0 - float(obs0[-1, 0])
            if not adaptive or count == full or leaked <= LADDER_LEAK_TOL:
                break
            count = min(full, 2 * count)
            bar.set_description(f"{method_name} (again on {_ladders(count)})")
            bar.reset()
    trace, jz, jpjm, pairs = obs0[:, 0], obs0[:, 1], obs0[:, 2], obs0[:, 3]
    excitation = n / 2.0 + jz
    intensity = ensemble.collective_decay * jpjm + ensemble.decay * excitation
    # equal-time second-order coherence of the collective channel, <J+ J+ J- J-> / <J+ J->^2 (undefined when dark)
    g2 = equal_time_g2(pairs, jpjm)
    pair_rate = collective_pair_rate(pairs, ensemble.collective_decay)
    params = ensemble.parameters()
    params.update(initial=initial.describe(), tol=tol)
    info.update(ladder_attempts=attempts, leaked_probability=max(leaked, 0.0))
    return Result(
        times,
        intensity,
        excitation,
        method_name,
        params,
        data={"coherence": coherence, "trace": trace, "g2": g2, "pair_rate": pair_rate,
              "collective_rate": ensemble.collective_decay * jpjm},
        info=info,
    )


def solve(ensemble, times, initial, *, rtol=None, atol=None, tol=None, progress=None, max_steps=DEFAULT_MAX_STEPS):
    """Simulate identical emitters with the exact permutation-invariant master equation.

    Parameters
    ----------
    ensemble : Ensemble
        Identical emitters (equal detunings); all four processes allowed.
    times : ndarray
        Output times (ps), strictly increasing.
    initial : state
        Excited, Ground, DickeState or CoherentSpinState.
    rtol, atol, tol : float, optional
        Local L1 error per integrator step, rtol + atol (default 1e-6; the
        global error of the intensity relative to its peak is typically
        below 1e-7); ``tol`` is the alias of ``rtol``.
    progress : bool or None
        Show a progress bar; None shows one for large problems.
    max_steps : int
        Largest number of SDIRK4 steps.

    Returns
    -------
    Result
        ``intensity``, ``excitation``, and ``data["coherence"]`` (<J->),
        ``data["trace"]`` (total probability), ``data["g2"]`` (equal-time
        second-order coherence of the collective channel, <J+ J+ J- J-> /
        <J+ J->^2; NaN while <J+ J-> = 0), ``data["pair_rate"]``
        (Gamma_c^2 <J+ J+ J- J->, photon pairs/ps^2) and
        ``data["collective_rate"]`` (Gamma_c <J+ J->, photons/ps).
    """
    return evolve_ladders(ensemble, times, initial, n_ladders="auto", method_name=NAME,
                          tol=step_tolerance(rtol, atol, tol), progress=progress, max_steps=max_steps)


#: largest number of population states for which :func:`product_emission` uses one dense propagator
DENSE_PROPAGATOR_STATES = 300


def product_emission(ensemble, times, probabilities, *, tol=1e-8):
    """Emission rate I(t) (photons/ps) from product starts of several excitation probabilities at once.

    The population generator M (q = 0 sector, all ladders) does not depend on the start, so on an equally
    spaced grid one propagator P = e^{M h} (dense, scipy's ``expm``) advances every start together: one
    matrix product per time step for all probabilities. This is the inner loop of a fit over a fluence
    series (:func:`sf_dynamics.workflows.fit_series.fit_fluence_series`). Above
    :data:`DENSE_PROPAGATOR_STATES` states, or on an unequal grid, the intensity observable is integrated
    backwards once (:func:`excitation_emission`) and weighted for each start: the cost of one solve for any
    number of probabilities (N = 200, four probabilities, one numba thread: 5.5 s by four forward solves, 0.67 s).

    Parameters
    ----------
    ensemble : Ensemble
        Identical two-level emitters (the conditions of :func:`solve`).
    times : array_like
        Output times (ps), strictly increasing, from the excitation at times[0].
    probabilities : array_like
        Excitation probability per emitter of each start, in [0, 1].
    tol : float
        Step tolerance of the fallback :func:`solve`.

    Returns
    -------
    ndarray, shape (len(probabilities), len(times))

    Raises
    ------
    ValueError
        For probabilities outside [0, 1], or an ensemble the method cannot take.
    """
    from scipy.linalg import expm

    from ..._validation import check_real_array, check_times, is_uniform

    times = check_times(times)
    prob = np.atleast_1d(check_real_array("probabilities", probabilities))
    if prob.ndim != 1 or np.any((prob < 0) | (prob > 1)):
        raise ValueError(f"probabilities must be a 1-D array of values in [0, 1], got {probabilities!r}")
    reason = unsupported_reason(ensemble, ProductState(0.5))
    if reason:
        raise ValueError(f"method '{NAME}' cannot simulate this ensemble: {reason}")
    n = ensemble.n
    full = n // 2 + 1
    if not is_uniform(times) or stored_states(n, full) > DENSE_PROPAGATOR_STATES:
        return _product_emission_adjoint(ensemble, times, prob, tol)
    offsets, lmax = kb.sector_layout(n, full, 0)
    size = offsets[-1]
    starts = np.empty((size, prob.size))
    for i, p in enumerate(prob):
        starts[:, i] = initial_sectors(n, full, ProductState(float(p)))[0]
    # intensity = Gamma_c <J+ J-> + gamma (n/2 trace + <J_z>): a row of weights on the populations
    unit = np.eye(size)
    moments = np.array([kb.diagonal_observables(unit[:, i], n, offsets, lmax) for i in range(size)])
    weights = ensemble.collective_decay * moments[:, 2] + ensemble.decay * (0.5 * n * moments[:, 0] + moments[:, 1])
    step = (times[-1] - times[0]) / (times.size - 1)   # the mean step: the last time is met exactly
    propagator = expm(generator_matrix(ensemble, 0, full) * float(step))
    out = np.empty((prob.size, times.size))
    state = starts
    out[:, 0] = weights @ state
    for i in range(1, times.size):
        state = propagator @ state
        out[:, i] = weights @ state
    return out


def excitation_emission(ensemble, times, *, tol=1e-8):
    """Emission rate I_k(t) from the uniform mixture of all states with n - k excitations, for every k at once.

    The intensity is linear in the state, and a product start of excitation probability p is the binomial
    mixture of these starts: I(t; p) = sum_k C(n, k) p^(n-k) (1 - p)^k I_k(t). Instead of evolving each start,
    the intensity observable is evolved backwards once (the adjoint equation dw/dt = M^T w, the same SDIRK4
    and banded solves as the forward one) and projected on every start at each output time:
    I_k(t) = w(t) . e_k. One integration then serves every excitation probability. Steps are chosen by the
    tolerance alone; outputs inside a step are the step's cubic Hermite interpolant (error of the order of the
    local error; N = 400 on 600 times: 3.2 s instead of 6.1 s at tol 1e-8).

    Parameters
    ----------
    ensemble, times
        As for :func:`product_emission`.
    tol : float
        SDIRK4 step tolerance (L1, relative).

    Returns
    -------
    ndarray, shape (n + 1, len(times))
        Row k: photons/ps from the start with n - k excitations (row 0 fully excited).
    """
    from scipy.special import gammaln

    from ..._validation import check_times
    from .ladders import _log_ladder_copies

    times = check_times(times)
    n = ensemble.n
    full = n // 2 + 1
    _check_memory(n, full, False, NAME)
    rates = ladder_rates(ensemble)
    solve_t, off, lmax, pre = sector_solver(n, full, 0, rates, 0.0, tol, transpose=True, real=True)
    rows = np.repeat(np.arange(n + 1), np.diff(off))
    ladders = np.arange(off[-1]) - off[rows]
    # state (row k, ladder l): j = n/2 - l, m = n/2 - k; Gamma_c (j + m)(j - m + 1) + gamma (n/2 + m) photons/ps
    weights = (ensemble.collective_decay * (n - ladders - rows) * (rows - ladders + 1.0)
               + ensemble.decay * (n - rows))
    # the share of the k-row's C(n, k) product states that lie in ladder l: d_l / C(n, k)
    log_binomial = gammaln(n + 1) - gammaln(rows + 1) - gammaln(n - rows + 1)
    share = np.exp(_log_ladder_copies(n, ladders) - log_binomial)
    stiffness = kb.max_loss_rate(n, off, lmax, pre, rates)
    # one thread: the step is bound by the serial banded solves, and numba's OpenMP threads spinning between
    # the stage combinations took the second core (measured, N = 200 with a second process running: 73 s with
    # two threads, 0.7 s with one; quiet: 0.66 s and 0.67 s)
    with single_threaded():
        obs, _ = integrate_linear(solve_t, weights, times - times[0],
                                  lambda w: np.bincount(rows, weights=w * share, minlength=n + 1), tol=tol,
                                  stiffness=stiffness, dense=True)
    return obs.T


def _product_emission_adjoint(ensemble, times, prob, tol):
    """product_emission by one adjoint integration (:func:`excitation_emission`) and binomial weights."""
    from scipy.stats import binom

    n = ensemble.n
    per_start = excitation_emission(ensemble, times, tol=tol)
    k = np.arange(n + 1)
    mix = np.array([binom.pmf(k, n, 1.0 - p) for p in prob])      # row k holds n - k excitations
    return mix @ per_start
