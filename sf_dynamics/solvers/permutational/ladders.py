"""The Dicke ladders of the permutation-invariant model: ladder weights of a start, its packed sectors, the
rates and sector generators (direct shifted solves of :mod:`sf_dynamics.kernels.dicke_basis`), the number of
ladders kept and the memory they take."""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln, xlogy

from ..._resources import check_memory
from ...kernels import dicke_basis as kb
from ...model.states import CoherentSpinState, DickeState, Excited, Ground, ProductState

__all__ = ["ladder_state", "product_ladder_weights", "initial_sectors", "sector_solver", "generator_matrix",
           "ladder_rates", "LADDER_LEAK_TOL", "initial_ladder_count", "BYTES_PER_STATE", "stored_states", "ladder_need",
           "LADDER_VECTORS"]


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


def sector_solver(n, n_ladders, q, rates, shift, tol, transpose=False, real=False):
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
    rates = ladder_rates(ensemble)
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


def ladder_rates(ensemble):
    """The rates of the ladder generator, [collective decay, decay, pumping, dephasing] (1/ps)."""
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


#: bytes per stored population (integrator stages, shifted-solve factors, prefactors; measured 185 at N = 10^6)
BYTES_PER_STATE = 200.0


def stored_states(n: int, n_ladders: int) -> int:
    """Populations kept for n emitters on the n_ladders ladders nearest j = n/2: L (n + 1) - L (L - 1)."""
    lad = min(n_ladders, n // 2 + 1)
    return int(lad * (n + 1) - lad * (lad - 1))


#: population vectors of each kind of ladder solve (multiples of :data:`BYTES_PER_STATE` per state): the
#: populations alone, with the q = 1 sector of a coherent start or a two-time correlation, and the three
#: vectors of the counting hierarchy (each with its integrator stages)
LADDER_VECTORS = {"populations": 1.0, "coherent": 3.0, "counting": 6.0}


def ladder_need(n, n_ladders, method_name, vectors=1.0):
    """Memory a ladder solve needs: (bytes, what needs it, what can do the job instead).

    Parameters
    ----------
    n : int
        Emitters.
    n_ladders : int
        Ladders kept (j = n/2, n/2 - 1, ...).
    method_name : str
        The method, for the message.
    vectors : float
        Population vectors kept (:data:`LADDER_VECTORS`).
    """
    states = stored_states(n, n_ladders)
    alternative = ("pure collective decay stays on the symmetric ladder (method 'dicke', O(N)); 'cumulant' or "
                   "'twa' (class engines) handle large N with local processes" if method_name != "dicke" else
                   "'cumulant' or 'twa' (class engines) hold O(1) variables for identical emitters")
    what = f"method '{method_name}' with N = {n} on {min(n_ladders, n // 2 + 1)} ladders ({states:.3g} states)"
    return BYTES_PER_STATE * states * vectors, what, alternative


def _check_memory(n, n_ladders, coherent, method_name):
    estimate, what, alternative = ladder_need(n, n_ladders, method_name,
                                              LADDER_VECTORS["coherent" if coherent else "populations"])
    check_memory(estimate, parameter="n", what=what, alternative=alternative)


def _lowering_pairs(n, offsets):
    """Row k (m = n/2 - k), ladder l (j = n/2 - l) and (j + m)(j - m + 1) of every state of a sector layout."""
    rows = np.repeat(np.arange(n + 1), np.diff(offsets))
    ladders = np.arange(offsets[-1]) - offsets[rows]
    j, m = 0.5 * n - ladders, 0.5 * n - rows
    return rows, ladders, np.maximum((j + m) * (j - m + 1.0), 0.0)
