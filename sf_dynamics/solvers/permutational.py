"""Exact permutation-invariant master equation (method ``"permutational"``).

Identical two-level emitters with collective decay, local decay, local pure
dephasing and local pumping (docs/conventions.md). The Liouvillian is
block diagonal in the total cooperation number j and conserves q = m - m'
(see :mod:`sf_dynamics.kernels.dicke_basis`): the populations (q = 0,
O(N^2) states) give the intensity and excitation; for initial states with
coherences (a coherent spin state) the q = 1 sector is also evolved and gives
the collective dipole <J->. The stiff linear system is integrated with the
L-stable SDIRK4 of :mod:`sf_dynamics.integrate.stiff`, whose implicit stages are
direct O(size) solves.
"""

from __future__ import annotations

import numba as nb
import numpy as np
from scipy.special import gammaln, xlogy

from .._progress import progress_bar
from .._resources import DEFAULT_MAX_STEPS, check_memory
from .._validation import check_positive_int, check_real, check_tolerance
from ..integrate.stiff import integrate_linear
from ..kernels import dicke_basis as kb
from ..model.states import CoherentSpinState, DickeState, Excited, Ground, ProductState
from ..result import Result
from ._coherence import collective_pair_rate, equal_time_g2
from ._options import COMMON_OPTIONS, declare, no_effect

__all__ = ["NAME", "OPTIONS", "unsupported_reason", "solve", "initial_sectors", "generator_matrix", "ladder_state",
           "product_ladder_weights", "product_emission", "DENSE_PROPAGATOR_STATES",
           "first_order_correlation", "second_order_correlation", "counting_moments"]

NAME = "permutational"
#: the options of both ladder methods (``dicke`` shares them)
OPTIONS = declare(
    rtol="local error per SDIRK4 step in the L1 norm of the populations, relative to their sum 1 (default 1e-6; "
         "the intensity's global error relative to its peak is typically below 1e-7)",
    atol="added to rtol (the populations sum to 1, so the step bound is rtol + atol; default 0)",
    progress=COMMON_OPTIONS["progress"],
    seed=no_effect("deterministic"),
    max_steps=f"largest number of SDIRK4 steps (default {DEFAULT_MAX_STEPS})",
    tol="alias of rtol (earlier name); give one of the two",
)


def unsupported_reason(ensemble, initial):
    """Why this method cannot simulate ``ensemble`` from ``initial`` (None if it can)."""
    if ensemble.emitter_type != "two-level":
        return "it handles two-level emitters only (use 'cumulant', or 'exact' for n <= 5 nanocrystals)"
    if ensemble.has_coupling_matrices:
        return "it needs identical all-to-all coupling, but the ensemble has coupling matrices (geometry)"
    if not ensemble.is_identical:
        return "it needs identical emitters (all detunings equal), but the detunings differ"
    if isinstance(initial, ProductState):
        if not initial.uniform:
            return "a ProductState with one p per emitter is not permutation invariant (use 'exact' or 'cumulant')"
        if 0 < initial.coherence < 1 and 0 < float(np.atleast_1d(initial.p)[0]) < 1:
            return ("a partly coherent ProductState has coherences of every order between the Dicke ladders, "
                    "which this solver does not store (coherence 0 or 1 only; 'exact', 'cumulant' take any)")
        return None
    if not isinstance(initial, (Excited, Ground, DickeState, CoherentSpinState)):
        return f"initial state {initial!r} is not permutation invariant"
    return None


def ladder_state(initial):
    """A ProductState in the terms the ladder methods store (:meth:`ProductState.simplest`); others unchanged."""
    return initial.simplest() if isinstance(initial, ProductState) else initial


def _log_ladder_copies(n, ladders):
    """log d_j, the copies of ladder l = n/2 - j among n emitters: d_j = n! (2j + 1) / ((n/2 + j + 1)! (n/2 - j)!)."""
    return gammaln(n + 1) + np.log(n - 2 * ladders + 1.0) - gammaln(n - ladders + 2) - gammaln(ladders + 1)


def product_ladder_weights(n: int, p: float) -> np.ndarray:
    """Probability of each ladder l = n/2 - j (l = 0 .. n // 2) in the product state with excitation probability p.

    The k-excitation subspace holds d_j copies of each ladder j >= |k - n/2|, d_j = C(n, l) - C(n, l - 1)
    = n! (2j + 1) / ((n/2 + j + 1)! (n/2 - j)!), and every state in it has the weight p^k (1 - p)^(n - k);
    summed over m = -j .. j this is a geometric series in r = p / (1 - p).
    """
    ladders = np.arange(n // 2 + 1)
    j = 0.5 * n - ladders
    log_d = _log_ladder_copies(n, ladders)
    if p in (0.0, 1.0):
        out = np.zeros(ladders.size)
        out[0] = 1.0
        return out
    log_r = abs(np.log(p) - np.log1p(-p))            # the sum over m is symmetric in r <-> 1/r
    if log_r == 0.0:
        log_sum = np.log(2 * j + 1)
    else:
        # sum_{m=-j}^{j} r^m = r^j (1 - r^-(2j+1)) / (1 - 1/r) for r > 1
        log_sum = j * log_r + np.log(-np.expm1(-(2 * j + 1) * log_r)) - np.log(-np.expm1(-log_r))
    return np.exp(log_d + 0.5 * n * (np.log(p) + np.log1p(-p)) + log_sum)


def initial_sectors(n: int, n_ladders: int, initial):
    """Initial q = 0 populations and (if any) q = 1 coherences in packed storage.

    Returns
    -------
    populations : ndarray of float64
    coherences : ndarray of complex128 or None
        None when the state has no coherence between neighbouring m.
    """
    initial = ladder_state(initial)
    off0, lmax0 = kb.sector_layout(n, n_ladders, 0)
    pop = np.zeros(off0[-1])
    coh = None
    if isinstance(initial, Excited):
        pop[off0[0]] = 1.0
    elif isinstance(initial, Ground):
        pop[off0[n]] = 1.0
    elif isinstance(initial, DickeState):
        initial.validate_for(n)
        k = int(round(n / 2 - initial.m))
        l = int(round(n / 2 - initial.j))
        if l >= n_ladders:
            raise ValueError(
                f"initial DickeState j={initial.j} is outside the ladders kept by this method (j = n/2 only)"
            )
        pop[off0[k] + l] = 1.0
    elif isinstance(initial, ProductState):
        # an incoherent product: population of (j, m) = d_j p^(n/2 + m) (1 - p)^(n/2 - m), all ladders
        p = float(np.atleast_1d(initial.p)[0])
        rows = np.repeat(np.arange(n + 1), np.diff(off0))
        ladders = np.arange(off0[-1]) - off0[rows]
        pop[:] = np.exp(_log_ladder_copies(n, ladders) + xlogy(n - rows, p) + xlogy(rows, 1.0 - p))
    elif isinstance(initial, CoherentSpinState):
        # |psi> = sum_m c_m |n/2, m>, c_m = sqrt(C(n, n/2+m)) a^(n/2+m) b^(n/2-m)
        excitations = np.arange(n, -1, -1)  # n/2 + m for k = 0..n
        a, b = abs(initial.upper_amplitude), abs(initial.lower_amplitude)
        with np.errstate(divide="ignore"):
            log_mag = 0.5 * (gammaln(n + 1) - gammaln(excitations + 1) - gammaln(n - excitations + 1))
            log_mag = log_mag + excitations * np.log(a) + (n - excitations) * np.log(b)
        mag = np.exp(log_mag)
        pop[off0[:-1][: n + 1]] = mag**2
        off1, lmax1 = kb.sector_layout(n, n_ladders, 1)
        coh = np.zeros(off1[-1], dtype=np.complex128)
        # rho_{m, m-1} = c_m conj(c_{m-1}) = |c_m||c_{m-1}| exp(-i phi); row k has m = n/2 - k
        rows = np.arange(n)
        coh[off1[rows]] = mag[rows] * mag[rows + 1] * np.exp(-1j * initial.phi)
        if not np.any(coh):
            coh = None
    else:  # pragma: no cover - guarded by unsupported_reason
        raise ValueError(f"unsupported initial state {initial!r}")
    return pop, coh


def _sector_solver(n, n_ladders, q, rates, shift, tol, transpose=False, real=False):
    """Return solve(alpha, rhs, x) for (I - alpha M) x = rhs on sector q (M^T with ``transpose``).

    The within-row factorisation is cached for the last alpha (the SDIRK
    stages of one step share it). The transposed solves propagate row
    vectors (observables) backwards: d l / d tau = M^T l. Without a shift
    (common detuning) every sector's generator is real: ``real`` then solves
    in real arithmetic (for real right-hand sides).
    """
    offsets, lmax = kb.sector_layout(n, n_ladders, q)
    pre = kb.ladder_prefactors(n, n_ladders, rates[0], rates[1], rates[3], rates[2])
    inner_tol = min(1e-14, tol * 1e-3)
    if real and shift != 0:
        raise ValueError("a shifted (detuned) sector is complex")
    dtype = np.complex128 if q and not real else np.float64
    size = offsets[-1]
    sub, cp, winv = (np.empty(size, dtype=dtype) for _ in range(3))
    table = kb.row_coupling_table(q, n, offsets, lmax, pre, rates[2] > 0.0, transpose)
    cached = [None]

    def solve(alpha, rhs, x):
        if cached[0] != alpha:
            kb.factorize_shifted(alpha, q, n, offsets, lmax, pre, rates, shift, sub, cp, winv, transpose)
            cached[0] = alpha
        sweeps = kb.solve_shifted(x, rhs, alpha, q, n, offsets, lmax, table, rates[2], sub, cp, winv, inner_tol,
                                  10_000, transpose)
        if sweeps < 0:
            raise RuntimeError(
                "the pumping Gauss-Seidel iteration did not converge in 10000 sweeps; "
                "pumping is too strong for this solver (try a smaller t grid spacing)"
            )

    return solve, offsets, lmax, pre


def generator_matrix(ensemble, q: int = 0, n_ladders: int | None = None):
    """The sector-q generator M as a dense matrix (for tests and small n).

    Columns are built by applying the numba kernel to unit vectors, so the
    matrix is exactly the operator the solver integrates.
    """
    n = ensemble.n
    n_ladders = n // 2 + 1 if n_ladders is None else n_ladders
    rates = _rates(ensemble)
    shift = -1j * ensemble.common_detuning if q else 0.0
    offsets, lmax = kb.sector_layout(n, n_ladders, q)
    pre = kb.ladder_prefactors(n, n_ladders, rates[0], rates[1], rates[3], rates[2])
    size = offsets[-1]
    dtype = np.complex128 if q else np.float64
    mat = np.zeros((size, size), dtype=dtype)
    unit = np.zeros(size, dtype=dtype)
    col = np.zeros(size, dtype=dtype)
    for i in range(size):
        unit[:] = 0
        unit[i] = 1
        kb.apply_generator(unit, col, q, n, offsets, lmax, pre, rates, shift)
        mat[:, i] = col
    return mat


def _rates(ensemble):
    return np.array(
        [ensemble.collective_decay, ensemble.decay, ensemble.pumping, ensemble.dephasing], dtype=np.float64
    )


#: probability allowed to leave the kept ladders (the truncation error bound)
LADDER_LEAK_TOL = 1e-10


def initial_ladder_count(ensemble, times, initial) -> int:
    """Ladders to keep so that leaving them is very unlikely within ``times``.

    Only local processes change j, each by one; their number up to time T
    is at most Poisson-distributed with mean mu = N (gamma + gamma_phi + P) T.
    Keep the initial ladder plus mu + 8 sqrt(mu) + 16 below it (the leak is
    measured afterwards and the count doubled if it was not enough).
    """
    n = ensemble.n
    full = n // 2 + 1
    initial = ladder_state(initial)
    start = int(round(n / 2 - initial.j)) if isinstance(initial, DickeState) else 0
    if isinstance(initial, ProductState):   # ladders holding all but LADDER_LEAK_TOL / 100 of the start
        weights = product_ladder_weights(n, float(np.atleast_1d(initial.p)[0]))
        tail = np.cumsum(weights[::-1])[::-1]          # probability of ladders l and beyond
        start = int(np.count_nonzero(tail > LADDER_LEAK_TOL / 100)) - 1
    mu = n * (ensemble.decay + ensemble.dephasing + ensemble.pumping) * float(times[-1] - times[0])
    return int(min(full, start + 1 + np.ceil(mu + 8.0 * np.sqrt(mu) + 16.0)))


def _integrate_sectors(ensemble, times, initial, n_ladders, tol, bar, max_steps):
    """Evolve the q = 0 (and, for coherent starts, q = 1) sectors on n_ladders ladders."""
    n = ensemble.n
    rates = _rates(ensemble)
    pop0, coh0 = initial_sectors(n, n_ladders, initial)
    solve0, off0, lmax0, pre0 = _sector_solver(n, n_ladders, 0, rates, 0.0, tol)
    stiffness = kb.max_loss_rate(n, off0, lmax0, pre0, rates)
    obs0, info = integrate_linear(
        solve0, pop0, times, lambda p: kb.diagonal_observables(p, n, off0, lmax0),
        tol=tol, stiffness=stiffness, progress=bar, max_steps=max_steps,
    )
    coherence = np.zeros(len(times), dtype=np.complex128)
    if coh0 is not None:
        shift = -1j * ensemble.common_detuning
        solve1, off1, lmax1, _ = _sector_solver(n, n_ladders, 1, rates, shift, tol)
        obs1, info1 = integrate_linear(
            solve1, coh0, times, lambda c: np.array([kb.lowering_expectation(c, n, off1, lmax1)]),
            tol=tol, stiffness=stiffness, progress=bar, max_steps=max_steps,
        )
        coherence = obs1[:, 0]
        info = {key: info[key] + info1[key] for key in info}
    info.update(states=int(pop0.size), sectors=1 if coh0 is None else 2, ladders=n_ladders)
    return obs0, coherence, info


#: bytes per stored population (integrator stages, shifted-solve factors, prefactors; measured 185 at N = 10^6)
BYTES_PER_STATE = 200.0


def stored_states(n: int, n_ladders: int) -> int:
    """Populations kept for n emitters on the n_ladders ladders nearest j = n/2: L (n + 1) - L (L - 1)."""
    lad = min(n_ladders, n // 2 + 1)
    return int(lad * (n + 1) - lad * (lad - 1))


def _check_memory(n, n_ladders, coherent, method_name):
    states = stored_states(n, n_ladders)
    estimate = BYTES_PER_STATE * states * (3.0 if coherent else 1.0)
    alternative = ("pure collective decay stays on the symmetric ladder (method 'dicke', O(N)); 'cumulant' or "
                   "'twa' (class engines) handle large N with local processes" if method_name != "dicke" else
                   "'cumulant' or 'twa' (class engines) hold O(1) variables for identical emitters")
    check_memory(estimate, parameter="n",
                 what=f"method '{method_name}' with N = {n} on {min(n_ladders, n // 2 + 1)} ladders "
                      f"({states:.3g} states)", alternative=alternative)


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
    with progress_bar(progress, total=len(times) - 1, size=count * (n + 1), desc=method_name) as bar:
        while True:
            _check_memory(n, count, coherent, method_name)
            obs0, coherence, info = _integrate_sectors(ensemble, times, initial, count, tol, bar, max_steps)
            attempts += 1
            leaked = 1.0 - float(obs0[-1, 0])
            if not adaptive or count == full or leaked <= LADDER_LEAK_TOL:
                break
            count = min(full, 2 * count)
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
    :data:`DENSE_PROPAGATOR_STATES` states, or on an unequal grid, each start is evolved by :func:`solve`.

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

    from .._validation import check_real_array, check_times

    times = check_times(times)
    prob = np.atleast_1d(check_real_array("probabilities", probabilities))
    if prob.ndim != 1 or np.any((prob < 0) | (prob > 1)):
        raise ValueError(f"probabilities must be a 1-D array of values in [0, 1], got {probabilities!r}")
    reason = unsupported_reason(ensemble, ProductState(0.5))
    if reason:
        raise ValueError(f"method '{NAME}' cannot simulate this ensemble: {reason}")
    n = ensemble.n
    full = n // 2 + 1
    step = np.diff(times)
    uniform = step.size > 0 and np.max(np.abs(step - step[0])) <= 1e-9 * step[0]
    if not uniform or stored_states(n, full) > DENSE_PROPAGATOR_STATES:
        return np.array([solve(ensemble, times, ProductState(float(p)), tol=tol).intensity for p in prob])
    offsets, lmax = kb.sector_layout(n, full, 0)
    size = offsets[-1]
    starts = np.empty((size, prob.size))
    for i, p in enumerate(prob):
        starts[:, i] = initial_sectors(n, full, ProductState(float(p)))[0]
    # intensity = Gamma_c <J+ J-> + gamma (n/2 trace + <J_z>): a row of weights on the populations
    unit = np.eye(size)
    moments = np.array([kb.diagonal_observables(unit[:, i], n, offsets, lmax) for i in range(size)])
    weights = ensemble.collective_decay * moments[:, 2] + ensemble.decay * (0.5 * n * moments[:, 0] + moments[:, 1])
    propagator = expm(generator_matrix(ensemble, 0, full) * float(step[0]))
    out = np.empty((prob.size, times.size))
    state = starts
    out[:, 0] = weights @ state
    for i in range(1, times.size):
        state = propagator @ state
        out[:, i] = weights @ state
    return out


def first_order_correlation(ensemble, times, taus, initial, detector="collective", *, tol=1e-8, progress=None,
                            max_steps=DEFAULT_MAX_STEPS):
    """Collective-channel G1(t, tau) = Gamma_c <J+(t + tau) J-(t)> by the quantum regression theorem.

    Only the q = -1 part of J- rho(t) contributes to Tr[J+ (.)], and it comes
    from the populations of rho(t) (q = 0). Its Hermitian conjugate
    y(t) = rho(t) J+ lies in the q = 1 sector, with elements p(j, m) sqrt((j +
    m)(j - m + 1)), and G1 = Gamma_c conj(l0 . e^{M1 tau} y(t)) with l0 the
    coefficients of <J-> and M1 the q = 1 generator of the one-time
    coherences. Instead of one propagation per output time, the row vector
    l(tau) = e^{M1^T tau} l0 is propagated once over the delays (adjoint
    form, transposed direct solves) and contracted with y(t) at every t: two
    SDIRK4 runs in all.

    Parameters
    ----------
    ensemble : Ensemble
        Identical emitters (the same conditions as :func:`solve`).
    times, taus : ndarray
        Output times t (ps, times[0] = 0 is the excitation) and delays tau (ps, from 0).
    initial : state
    detector : {"collective"}
        The collective channel only: the local channels sum_i <s+_i(t + tau) s-_i(t)>
        leave the permutation-invariant sectors.
    tol : float
        Local L1 error per SDIRK4 step (relative).
    progress : bool or None
    max_steps : int

    Returns
    -------
    ndarray of complex128, shape (len(times), len(taus))

    Raises
    ------
    ValueError
        For a detector other than "collective".
    MemoryError
        When the populations at every output time would not fit in memory.
    """
    n = ensemble.n
    count = _correlation_ladders(ensemble, times, taus, initial, detector)
    off0, _ = kb.sector_layout(n, count, 0)
    off1, _ = kb.sector_layout(n, count, 1)
    rows, ladders, amplitude = _lowering_pairs(n, off1)
    # y(t) = rho(t) J+ in the q = 1 sector: element (j, m; j, m - 1) = p(j, m) sqrt((j + m)(j - m + 1)), which
    # also are the coefficients of <J-> there
    raise_amp = np.sqrt(amplitude)
    out, _ = _regression(ensemble, times, taus, initial, count, 1, off0[rows] + ladders, None, raise_amp,
                         raise_amp, tol=tol, progress=progress, max_steps=max_steps, desc="permutational G1")
    phase = ensemble.collective_decay * np.exp(1j * ensemble.common_detuning * np.asarray(taus))
    return out * phase[None, :]


def second_order_correlation(ensemble, times, taus, initial, detector="collective", *, tol=1e-8, progress=None,
                             max_steps=DEFAULT_MAX_STEPS):
    """Collective-channel G2(t, tau) = Gamma_c^2 <J+(t) J+J-(t + tau) J-(t)> by the quantum regression theorem.

    G2 = Gamma_c^2 Tr[J+ J- e^{L tau}(J- rho(t) J+)]. Only the populations of
    rho(t) reach the trace (every process conserves q), and J- rho J+ moves
    the population p(j, m) to (j, m - 1) with the factor (j + m)(j - m + 1),
    the eigenvalue of J+ J-. As for :func:`first_order_correlation`, the row of
    J+ J- eigenvalues is propagated once over the delays with the transposed
    q = 0 generator (a common detuning drops out) and contracted with the
    moved populations at every t.

    Parameters
    ----------
    ensemble, times, taus, initial, detector, tol, progress, max_steps
        As for :func:`first_order_correlation`.

    Returns
    -------
    G2 : ndarray of float64, shape (len(times), len(taus))
        Photon pairs/ps^2; G2(t, 0) is ``data["pair_rate"]`` of :func:`solve`.
    rate : ndarray of float64, shape (len(times),)
        The collective-channel photon rate Gamma_c <J+ J-> (photons/ps).

    Raises
    ------
    ValueError
        For a detector other than "collective".
    MemoryError
        When the populations at every output time would not fit in memory.
    """
    n = ensemble.n
    count = _correlation_ladders(ensemble, times, taus, initial, detector)
    off0, _ = kb.sector_layout(n, count, 0)
    rows, ladders, amplitude = _lowering_pairs(n, off0)
    keep = amplitude > 0   # J- annihilates m = -j
    source = off0[rows[keep]] + ladders[keep]
    target = off0[rows[keep] + 1] + ladders[keep]
    out, moved = _regression(ensemble, times, taus, initial, count, 0, source, target, amplitude[keep], amplitude,
                             tol=tol, progress=progress, max_steps=max_steps, desc="permutational G2")
    rate = float(ensemble.collective_decay)
    return np.real(out) * rate * rate, rate * moved   # the moved populations sum to <J+ J->


def counting_moments(ensemble, times, initial, *, efficiency=1.0, local_efficiency=0.0, tol=1e-8, progress=None,
                     max_steps=DEFAULT_MAX_STEPS):
    """Mean and second factorial moment of the photons counted in [times[0], t], exactly.

    Photons of the collective channel are counted with probability
    ``efficiency`` and those of the local channel with ``local_efficiency``
    (independently: binomial thinning). With the counted-jump superoperator
    K = eta_c K_c + eta_l K_l, the counting hierarchy d rho_0/dt = L rho_0,
    d rho_k/dt = L rho_k + K rho_{k-1} gives <n> = Tr rho_1 and <n(n - 1)> =
    2 Tr rho_2 (the factorial moments of the counting generating function;
    equivalently 2 int int G2 over the gate with G2 of the counted channels).
    For a diagonal start every rho_k stays diagonal in the Dicke basis: the
    three population vectors are integrated together with SDIRK4 (block
    lower-triangular stages, each a direct solve of the population sector).

    Parameters
    ----------
    ensemble : Ensemble
        Identical emitters (the conditions of :func:`solve`).
    times : ndarray
        Gate ends (ps); counting starts at times[0].
    initial : state
    efficiency, local_efficiency : float
        Detection probabilities of a collective- and of a local-channel photon, in [0, 1].
    tol, progress, max_steps
        As for :func:`first_order_correlation`.

    Returns
    -------
    ndarray of float64, shape (len(times), 2)
        <n> and <n(n - 1)> of the counted photons.
    """
    from ..kernels.jumps import TRANSITIONS, emission_rates

    n = ensemble.n
    count = initial_ladder_count(ensemble, times, initial)
    rates = _rates(ensemble)
    pop0, _ = initial_sectors(n, count, initial)
    _check_memory(n, count, False, NAME)
    check_memory(3 * 2 * BYTES_PER_STATE * pop0.size, parameter="n",
                 what=f"three population vectors of {pop0.size} states (counting hierarchy)",
                 alternative="method 'jumps' samples the photon counts with O(shots) memory")
    solve0, off0, lmax0, pre0 = _sector_solver(n, count, 0, rates, 0.0, tol)
    stiffness = kb.max_loss_rate(n, off0, lmax0, pre0, rates)
    counted = _counted_jumps(n, count, off0, lmax0, pre0, rates, efficiency, local_efficiency, emission_rates,
                             TRANSITIONS)
    scale = float(max(1, n))   # rho_k scaled by scale^-k: the three blocks have comparable norms
    counted = counted / scale
    size = pop0.size

    def solve(alpha, rhs, x):
        for block in range(3):
            part = slice(block * size, (block + 1) * size)
            b = rhs[part] if block == 0 else rhs[part] + alpha * (counted @ x[(block - 1) * size : block * size])
            solve0(alpha, b, x[part])

    y0 = np.concatenate([pop0, np.zeros(2 * size)])
    with progress_bar(progress, total=len(times) - 1, size=3 * size, desc="permutational counting") as bar:
        moments, _ = integrate_linear(
            solve, y0, times, lambda y: np.array([y[size : 2 * size].sum(), y[2 * size :].sum()]),
            tol=tol, stiffness=stiffness, max_steps=max_steps, progress=bar)
    return np.column_stack([scale * moments[:, 0], 2.0 * scale * scale * moments[:, 1]])


def _counted_jumps(n, count, offsets, lmax, pre, rates, efficiency, local_efficiency, emission_rates, transitions):
    """Sparse K = eta_c K_c + eta_l K_l on the population sector: the photon-emitting transitions only."""
    from scipy import sparse

    size = offsets[-1]
    out = np.zeros((size, 4))
    emission_rates(n, offsets, lmax, pre, float(rates[0]), out)
    rows, ladders, _ = _lowering_pairs(n, offsets)
    weights = np.array([efficiency, local_efficiency, local_efficiency, local_efficiency])
    targets, sources, values = [], [], []
    for i in range(4):
        dl, dk = int(transitions[i, 0]), int(transitions[i, 1])
        new_row, new_ladder = rows + dk, ladders + dl
        ok = (out[:, i] > 0) & (new_row <= n) & (new_ladder >= 0)
        ok[ok] &= new_ladder[ok] <= lmax[new_row[ok]]   # jumps out of the kept ladders are lost (leak)
        if weights[i] > 0 and np.any(ok):
            targets.append(offsets[new_row[ok]] + new_ladder[ok])
            sources.append(np.flatnonzero(ok))
            values.append(weights[i] * out[ok, i])
    if not targets:
        return sparse.csr_matrix((size, size))
    return sparse.csr_matrix((np.concatenate(values), (np.concatenate(targets), np.concatenate(sources))),
                             shape=(size, size))


def _correlation_ladders(ensemble, times, taus, initial, detector):
    """Ladders a two-time correlation of the collective channel needs over times[-1] + taus[-1]."""
    if detector != "collective":
        raise ValueError(f"detector: method 'permutational' detects the collective channel (J-) only, got "
                         f"{detector!r}; the total emission with local decay needs method 'exact' (n <= 12)")
    return initial_ladder_count(ensemble, np.array([0.0, float(times[-1]) + float(taus[-1])]), initial)


def _lowering_pairs(n, offsets):
    """Row k (m = n/2 - k), ladder l (j = n/2 - l) and (j + m)(j - m + 1) of every state of a sector layout."""
    rows = np.repeat(np.arange(n + 1), np.diff(offsets))
    ladders = np.arange(offsets[-1]) - offsets[rows]
    j, m = 0.5 * n - ladders, 0.5 * n - rows
    return rows, ladders, np.maximum((j + m) * (j - m + 1.0), 0.0)


def _regression(ensemble, times, taus, initial, count, q, source, target, factor, observable, *, tol, progress,
                max_steps, desc):
    """Tr[O e^{M_q tau} y(t)] for y(t) = populations of rho(t) moved by J- (or by J- and J+) into sector q.

    ``y[target] = p(t)[source] * factor`` (``target`` None: y = p[source] * factor, the whole q = 1
    sector); O's coefficients ``observable`` are propagated backwards once (transposed solves, real
    arithmetic) and contracted with y(t) at every output time. Returns the (times, taus) array and the
    sum of y(t) at every time.
    """
    n = ensemble.n
    rates = _rates(ensemble)
    pop0, _ = initial_sectors(n, count, initial)
    _check_memory(n, count, True, NAME)
    size = observable.size
    check_memory(8.0 * size * (len(times) + 1), parameter="times",
                 what=f"populations at {len(times)} output times ({size} states each)",
                 alternative="fewer output times")
    solve0, off0, lmax0, pre0 = _sector_solver(n, count, 0, rates, 0.0, tol)
    stiffness = kb.max_loss_rate(n, off0, lmax0, pre0, rates)

    def moved(p):
        if target is None:
            return p[source] * factor
        y = np.zeros(size)
        y[target] = p[source] * factor
        return y

    with progress_bar(progress, total=len(times) + len(taus) - 2, size=pop0.size * 2, desc=desc) as bar:
        states, _ = integrate_linear(solve0, pop0, times, moved, tol=tol, stiffness=stiffness, max_steps=max_steps,
                                     progress=bar, dense=True)
        # the observable row is collected in blocks and contracted with every y(t) at once (each array read
        # once per block); the common detuning commutes with every process, so the row is propagated without
        # it in real arithmetic (the caller adds its phase)
        solve_q, *_ = _sector_solver(n, count, q, rates, 0.0, tol, transpose=True, real=True)
        block = np.empty((max(1, min(len(taus), 2**28 // (8 * states.shape[1]))), states.shape[1]))
        filled, contracted = [0], []

        def collect(row=None):
            if row is not None:
                block[filled[0]] = row
                filled[0] += 1
            if filled[0] == len(block) or (row is None and filled[0]):
                contracted.append(kb.contract_rows(block[: filled[0]], states, nb.get_num_threads()))
                filled[0] = 0
            return np.zeros(0)

        integrate_linear(solve_q, observable, taus, collect, tol=tol, stiffness=stiffness, max_steps=max_steps,
                         progress=bar, dense=True)
        collect()
    return np.ascontiguousarray(np.concatenate(contracted).T), states.sum(axis=1)
