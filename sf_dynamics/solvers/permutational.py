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
from scipy.special import gammaln

from .._progress import progress_bar
from .._resources import DEFAULT_MAX_STEPS, check_memory
from .._validation import check_positive_int, check_real, check_tolerance
from ..integrate.stiff import integrate_linear
from ..kernels import dicke_basis as kb
from ..model.states import CoherentSpinState, DickeState, Excited, Ground
from ..result import Result
from ._options import COMMON_OPTIONS, declare, no_effect

__all__ = ["NAME", "OPTIONS", "unsupported_reason", "solve", "initial_sectors", "generator_matrix",
           "first_order_correlation"]

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
        return "it handles two-level emitters only (use 'cumulant', or 'exact' for n <= 4 nanocrystals)"
    if ensemble.has_coupling_matrices:
        return "it needs identical all-to-all coupling, but the ensemble has coupling matrices (geometry)"
    if not ensemble.is_identical:
        return "it needs identical emitters (all detunings equal), but the detunings differ"
    if not isinstance(initial, (Excited, Ground, DickeState, CoherentSpinState)):
        return f"initial state {initial!r} is not permutation invariant"
    return None


def initial_sectors(n: int, n_ladders: int, initial):
    """Initial q = 0 populations and (if any) q = 1 coherences in packed storage.

    Returns
    -------
    populations : ndarray of float64
    coherences : ndarray of complex128 or None
        None when the state has no coherence between neighbouring m.
    """
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
    start = int(round(n / 2 - initial.j)) if isinstance(initial, DickeState) else 0
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
    coherent = isinstance(initial, CoherentSpinState) and initial.theta > 0
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
    with np.errstate(over="ignore"):   # (pairs / jpjm) / jpjm: no overflow of jpjm^2 at huge rates
        g2 = np.divide(np.divide(pairs, jpjm, out=np.zeros(len(times)), where=jpjm > 1e-300), jpjm,
                       out=np.full(len(times), np.nan), where=jpjm > 1e-300)
        rate = np.float64(ensemble.collective_decay)
        pair_rate = np.where(pairs > 0, rate * (rate * pairs), 0.0)   # beyond float64 at Gamma_c ~ 1e300: inf
    params = ensemble.parameters()
    params.update(initial=initial.describe(), tol=tol)
    info.update(ladder_attempts=attempts, leaked_probability=max(leaked, 0.0))
    return Result(
        times,
        intensity,
        excitation,
        method_name,
        params,
        data={"coherence": coherence, "trace": trace, "g2": g2, "pair_rate": pair_rate},
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
        <J+ J->^2; NaN while <J+ J-> = 0) and ``data["pair_rate"]``
        (Gamma_c^2 <J+ J+ J- J->, photon pairs/ps^2).
    """
    return evolve_ladders(ensemble, times, initial, n_ladders="auto", method_name=NAME,
                          tol=step_tolerance(rtol, atol, tol), progress=progress, max_steps=max_steps)


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
    if detector != "collective":
        raise ValueError(f"detector: method 'permutational' detects the collective channel (J-) only, got "
                         f"{detector!r}; the total emission with local decay needs method 'exact' (n <= 10)")
    n = ensemble.n
    count = initial_ladder_count(ensemble, np.array([0.0, float(times[-1]) + float(taus[-1])]), initial)
    rates = _rates(ensemble)
    pop0, _ = initial_sectors(n, count, initial)
    _check_memory(n, count, True, NAME)
    check_memory(8.0 * pop0.size * (len(times) + 1), parameter="times",
                 what=f"populations at {len(times)} output times ({pop0.size} states each)",
                 alternative="fewer output times")
    solve0, off0, lmax0, pre0 = _sector_solver(n, count, 0, rates, 0.0, tol)
    stiffness = kb.max_loss_rate(n, off0, lmax0, pre0, rates)
    off1, _ = kb.sector_layout(n, count, 1)
    half = 0.5 * n
    rows = np.repeat(np.arange(n), np.diff(off1[: n + 1]))
    ladders = np.arange(off1[n]) - off1[rows]
    j, m = half - ladders, half - rows
    raise_amp = np.sqrt(np.maximum((j + m) * (j - m + 1.0), 0.0))  # also the coefficients of <J-> in q = 1
    source = off0[rows] + ladders
    with progress_bar(progress, total=len(times) + len(taus) - 2, size=pop0.size * 2,
                      desc="permutational G1") as bar:
        populations, _ = integrate_linear(solve0, pop0, times, lambda p: p[source] * raise_amp, tol=tol,
                                          stiffness=stiffness, max_steps=max_steps, progress=bar, dense=True)
        # populations[k] = y(t_k) = rho(t_k) J+ in the q = 1 sector (real); l(tau) is collected in blocks
        # and contracted with all of them at once (each array read once per block)
        # the common detuning commutes with every process: l(tau) is propagated without it (real arithmetic,
        # twice as fast as complex) and G1 multiplied by its phase e^{i delta tau} at the end
        solve1, *_ = _sector_solver(n, count, 1, rates, 0.0, tol, transpose=True, real=True)
        block = np.empty((max(1, min(len(taus), 2**28 // (8 * populations.shape[1]))), populations.shape[1]))
        filled, contracted = [0], []

        def collect(row=None):
            if row is not None:
                block[filled[0]] = row
                filled[0] += 1
            if filled[0] == len(block) or (row is None and filled[0]):
                contracted.append(kb.contract_rows(block[: filled[0]], populations, nb.get_num_threads()))
                filled[0] = 0
            return np.zeros(0)

        integrate_linear(solve1, raise_amp, taus, collect, tol=tol, stiffness=stiffness, max_steps=max_steps,
                         progress=bar, dense=True)
        collect()
    phase = ensemble.collective_decay * np.exp(1j * ensemble.common_detuning * np.asarray(taus))
    return np.ascontiguousarray(np.concatenate(contracted).T) * phase[None, :]
