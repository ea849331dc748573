"""Second- and third-order cumulant expansion (method ``"cumulant"``).

Phase-invariant second order for two-level emitters: populations n_k, pair
coherences C_kl = <s+_k s-_l> and population correlations N_kl = <n_k n_l>
(equivalently <s^z_k s^z_l> = 4 N_kl - 2 n_k - 2 n_l + 1); three-body
cumulants are dropped (equations in :mod:`sf_dynamics.kernels.cumulant`).
Starting from the inverted state the pair coherences grow from the
spontaneous-emission source term Gamma_kl (2 N_kl - (n_k + n_l)/2), so no
seed is needed.

Two engines:

* ``classes`` (default without coupling matrices): K spectral classes of
  identical-coupling emitters, O(K^2) per step for any N (10^6 emitters in
  K = 101 classes take seconds);
* ``emitters`` (default with coupling matrices): every emitter with the
  general n x n Gamma and Omega; one n x n complex matrix product per step.

Accuracy (docs/validation.md; tested in tests/solvers/test_cumulant.py):
second order places tau_D within a few per cent of the exact result at
N >~ 50 but overshoots the ensemble-averaged peak by 20-30 % because it misses
the shot-to-shot spread of the delay (use ``twa`` for shot statistics).
``order=3`` (class engine, :mod:`._cumulant_third`) keeps the three-emitter moments: exact for three
emitters, better than second order for a few, but at N = 40-1000 it puts the averaged peak 18-35 % low and
tau_D 14-17 % early (docs/physics.md, third-order cumulants; benchmarks/bench_cumulant_order.py).
"""

from __future__ import annotations

import contextlib

import numpy as np

from .._progress import progress_bar
from .._resources import DEFAULT_MAX_STEPS
from .._validation import check_positive_int, check_tolerance
from .._warnings import warn_caller
from ..integrate.explicit import integrate_observed
from ..kernels import cumulant as kc
from ..kernels import triplet as kt
from ..kernels.jit import single_threaded
from ..model.states import (
    CoherentSpinState,
    DickeState,
    Excited,
    Ground,
    ProductState,
    TripletExcitation,
)
from ..result import Result
from . import _cumulant_third, _lattice
from ._lattice import COUPLINGS, check_coupling
from ._models import (
    ClassModel,
    EmitterModel,
    check_explicit_run,
    choose_engine,
    engine_for_start,
    symmetric_moments,
)
from .coherence import equal_time_g2

__all__ = ["NAME", "unsupported_reason", "solve", "derivatives", "triplet_derivatives",
           "collective_pair_moment", "fft_pays", "COUPLINGS", "FFT_MIN_DIPOLES"]

NAME = "cumulant"


def unsupported_reason(ensemble, initial):
    """Why the cumulant expansion cannot start from ``initial`` (None if it can)."""
    if ensemble.emitter_type == "slab":
        return "an extended slab propagates: use method 'maxwell_bloch'"
    if ensemble.emitter_type not in ("two-level", "triplet"):
        return f"it handles two-level emitters and triplet nanocrystals, not {ensemble.emitter_type!r} systems"
    if ensemble.emitter_type == "triplet":
        if isinstance(initial, ProductState) and (initial.coherence or not initial.uniform):
            return ("nanocrystals start from an incoherent ProductState with one p for all NCs (the same as a "
                    "TripletExcitation); a coherent or per-NC one needs 'exact'")
        if not isinstance(initial, (Excited, Ground, TripletExcitation, ProductState)):
            return "nanocrystals start from 'excited', 'ground', a TripletExcitation or a ProductState"
        return None
    if isinstance(initial, DickeState) and initial.j != ensemble.n / 2:
        return "it starts from symmetric Dicke states |n/2, m> only"
    if not isinstance(initial, (Excited, Ground, CoherentSpinState, DickeState, ProductState)):
        return f"initial state {initial!r} is not supported"
    return None


# -- class engine --------------------------------------------------------------
def _class_problem(model: ClassModel, initial, n_total):
    k = model.size
    per_class = initial.class_probabilities(k) if isinstance(initial, ProductState) else None
    if per_class is not None:   # one p per class: n_a = p_a, C_ab = b_a b_b (b = <s->, one phase), N_ab = p_a p_b
        b = initial.coherence * np.sqrt(per_class * (1.0 - per_class))
        y0 = np.concatenate([per_class, np.outer(b, b).ravel(), np.zeros(k * k),
                             np.outer(per_class, per_class).ravel()])
    else:
        p, c, q = symmetric_moments(initial, n_total)
        y0 = np.concatenate([np.full(k, p), np.full(k * k, c), np.zeros(k * k), np.full(k * k, q)])

    def unpack(y):
        kk = k * k
        return y[:k], y[k : k + kk].reshape(k, k), y[k + kk : k + 2 * kk].reshape(k, k), y[k + 2 * kk :].reshape(k, k)

    def rhs(t, y):
        dy = np.empty_like(y)
        n, cr, ci, npop = unpack(y)
        dn, dcr, dci, dnp = unpack(dy)
        kc.class_pair_rhs(n, cr, ci, npop, model.detunings, model.others, model.thirds, model.exclude,
                          model.gamma0, model.gamma_c, model.dephasing, model.pumping, dn, dcr, dci, dnp)
        return dy

    counts = np.asarray(model.counts, dtype=np.float64)

    def observe(y):
        n, cr, ci, npop = unpack(y)
        intensity = kc.class_intensity(n, cr, model.counts, model.others, model.exclude, model.gamma0, model.gamma_c)
        return np.concatenate([[intensity, model.counts @ n], n, collective_pair_moment(counts, n, cr, ci, npop)])

    return y0, rhs, observe


def collective_pair_moment(counts, n, cr, ci, npop):
    """<J+ J-> and <J+ J+ J- J-> of the collective channel in the second-order closure.

    With first moments zero (the closure is phase invariant), the four-point
    function of distinct emitters factorises into pair correlations,
    <s+_i s+_j s-_k s-_l> -> C_ik C_jl + C_il C_jk; one shared emitter leaves
    <n_x s+_y s-_z> -> n_x C_yz (three-body cumulants dropped, as in the
    equations), two give <n_x n_y> = N_xy. Summed over distinct indices
    (inclusion-exclusion over block-constant class matrices):
    <J+J+J-J-> = 2 A + 4 sum_x n_x (S - r_x - conj r_x) + 2 sum_{x != y} N_xy, with S = sum_{i != k} C_ik, r_x
    the row sums and A = S^2 - sum_x (r_x^2 + 2 |r_x|^2 + conj r_x^2) + sum_{i != k} (C_ik^2 + |C_ik|^2). Exact
    at t = 0 for starts without pair correlations (excited, ground, incoherent products); a coherent or Dicke
    start keeps its dipole in C and the factorisation double counts it. Its error during the burst is
    measured in docs/validation.md.

    Parameters
    ----------
    counts : ndarray (K,)
        Emitters per class (ones per emitter).
    n, cr, ci, npop : ndarray
        Populations (K,), Re and Im of C (K, K) and N (K, K) between distinct emitters of the classes.

    Returns
    -------
    (float, float)
    """
    pairs = counts[:, None] * (counts[None, :] - np.eye(counts.size))   # ordered distinct emitter pairs
    c = cr + 1j * ci
    total = float(np.sum(pairs * cr))
    rows = c @ counts - np.diag(c)          # sum over the other emitters, for one emitter of each class
    s = np.sum(pairs * c)
    a = (s * s - counts @ (rows * rows + 2 * np.abs(rows) ** 2 + np.conj(rows) ** 2)
         + np.sum(pairs * (c * c + np.abs(c) ** 2)))
    b = counts @ (n * (s - rows - np.conj(rows)))
    pair_moment = float(np.real(2 * a + 4 * b)) + 2 * float(np.sum(pairs * npop))
    return float(counts @ n) + total, pair_moment


# -- emitter engine ------------------------------------------------------------
def _emitter_problem(model: EmitterModel, initial, operator=None):
    size = model.size
    if isinstance(initial, ProductState):   # per emitter: n_k = p_k, C_kl = conj(b_k) b_l, N_kl = p_k p_l
        pk, bk = initial.probabilities(size), initial.lowering(size)
        c0 = np.outer(np.conj(bk), bk)
        np.fill_diagonal(c0, pk)
        np0 = np.outer(pk, pk)
        np.fill_diagonal(np0, pk)
        y0 = np.concatenate([pk, c0.real.ravel(), c0.imag.ravel(), np0.ravel()])
    else:
        p, c, q = symmetric_moments(initial, size)
        cr0 = np.full((size, size), c)
        np.fill_diagonal(cr0, p)
        np0 = np.full((size, size), q)
        np.fill_diagonal(np0, p)
        y0 = np.concatenate([np.full(size, p), cr0.ravel(), np.zeros(size * size), np0.ravel()])
    half_gamma = model.half_offdiagonal_gamma()
    omega = model.omega
    use_omega = model.has_omega
    diff_matrix = half_gamma - omega if use_omega else None
    nn = size * size

    def unpack(y):
        return (y[:size], y[size : size + nn].reshape(size, size), y[size + nn : size + 2 * nn].reshape(size, size),
                y[size + 2 * nn :].reshape(size, size))

    def rhs(t, y, dy=None):
        dy = np.empty_like(y) if dy is None else dy
        n, cr, ci, npop = unpack(y)
        dn, dcr, dci, dnp = unpack(dy)
        # X = G C with G = Gamma/2 - i Omega (zero diagonal), C_kk = n_k
        if operator is not None:
            xr, xi = operator.offsite_product(cr, ci)
        else:
            xr, xi = _coupling_product(half_gamma, omega if use_omega else None, diff_matrix, cr, ci)
        kc.emitter_pair_rhs(n, cr, ci, npop, xr, xi, model.gamma, omega, model.detunings, model.dephasing,
                            model.pumping, dn, dcr, dci, dnp)
        return dy

    def observe(y):
        n, cr, _, _ = unpack(y)
        intensity = float(np.sum(model.gamma * cr))
        return np.concatenate([[intensity, n.sum()], n])

    return y0, rhs, observe


# -- coupling products: dense (BLAS) or FFT on a regular lattice ----------------------------------------
#: smallest number of dipoles from which "auto" takes the FFT products, by lattice dimensionality (measured
#: per right-hand side on a 2-core machine with benchmarks/bench_cumulant.py --only coupling)
FFT_MIN_DIPOLES = {1: 1024, 2: 2048, 3: 8000}


def fft_pays(lattice) -> bool:
    """Whether FFT products beat dense BLAS products for this regular lattice (:data:`FFT_MIN_DIPOLES`)."""
    return _lattice.fft_pays(lattice, FFT_MIN_DIPOLES)


def _lattice_operator(ensemble, coupling):
    return _lattice.lattice_operator(ensemble, coupling, FFT_MIN_DIPOLES)


# -- triplet nanocrystals -------------------------------------------------------
def _coupling_product(half_gamma, omega, diff, cr, ci):
    """X = (Gamma/2 - i Omega) (C_r + i C_i) with three real matrix products (Karatsuba)."""
    if omega is None:
        return half_gamma @ cr, half_gamma @ ci
    ac = half_gamma @ cr
    bd = omega @ ci
    xi = diff @ (cr + ci)
    xi -= ac
    xi += bd
    return ac + bd, xi


def _triplet_problem(ensemble, initial, operator=None):
    n = ensemble.n
    m = 3 * n
    gamma = np.ascontiguousarray(ensemble.gamma_matrix())
    omega = ensemble.omega_matrix()
    g_full = 0.5 * gamma - 1j * omega
    half_off = 0.5 * gamma.copy()
    for i in range(n):
        half_off[3 * i : 3 * i + 3, 3 * i : 3 * i + 3] = 0.0
    use_omega = bool(np.any(omega))
    diff = half_off - omega if use_omega else None
    eps = ensemble.onsite_energies()
    if isinstance(initial, ProductState):   # incoherent, one p: an exciton shared by the sublevels
        initial = TripletExcitation(tuple(float(np.atleast_1d(initial.p)[0]) * w for w in initial.sublevels))
    pops = np.zeros(3) if isinstance(initial, Ground) else np.asarray(
        (initial if isinstance(initial, TripletExcitation) else TripletExcitation()).populations)
    c0 = np.zeros((m, m), dtype=np.complex128)
    for i in range(n):
        c0[3 * i : 3 * i + 3, 3 * i : 3 * i + 3] = np.diag(pops)
    e0 = np.diag(pops).astype(np.complex128)
    w0 = np.broadcast_to(np.einsum("ab,cd->abcd", e0, e0), (n, n, 3, 3, 3, 3)).copy()
    y0 = np.concatenate([c0.ravel(), w0.ravel()])
    mm = m * m

    def unpack(y):
        return y[:mm].reshape(m, m), y[mm:].reshape(n, n, 3, 3, 3, 3)

    def rhs(t, y, dy=None):
        c, w = unpack(y)
        if operator is not None:
            xr, xi = operator.offsite_product(np.ascontiguousarray(c.real), np.ascontiguousarray(c.imag))
        else:
            xr, xi = _coupling_product(half_off, omega if use_omega else None, diff, c.real.copy(), c.imag.copy())
        dy = np.empty_like(y) if dy is None else dy
        dc, dw = unpack(dy)
        kt.triplet_pair_rhs(c, w, xr + 1j * xi, g_full, gamma, eps, ensemble.dephasing, dc, dw)
        return dy

    def observe(y):
        c, _ = unpack(y)
        return kt.triplet_observables(c, gamma)

    # pair quantities enter the intensity ~n^2 times: absolute tolerance atol / n for them
    atol_scale = np.full(y0.size, 1.0 / n)
    nc_block = np.kron(np.eye(n, dtype=bool), np.ones((3, 3), dtype=bool))
    atol_scale[:mm][nc_block.ravel()] = 1.0
    return y0, rhs, observe, atol_scale


def derivatives(ensemble, populations, coherences, correlations):
    """Right-hand side of the per-emitter cumulant equations at one state.

    Parameters
    ----------
    ensemble : Ensemble
        With per-emitter detunings (any coupling).
    populations : array_like, shape (n,)
        n_k = <s+_k s-_k>.
    coherences : array_like, shape (n, n)
        C_kl = <s+_k s-_l> (Hermitian; the diagonal is ignored).
    correlations : array_like, shape (n, n)
        N_kl = <n_k n_l> (symmetric; the diagonal is ignored).

    Returns
    -------
    dn : ndarray, shape (n,)
    dC : ndarray, shape (n, n), complex (diagonal = dn)
    dN : ndarray, shape (n, n) (diagonal = dn)
    """
    model = EmitterModel.from_ensemble(ensemble)
    size = model.size
    c = np.array(coherences, dtype=complex)
    np.fill_diagonal(c, populations)
    y = np.concatenate([np.asarray(populations, float), c.real.ravel(), c.imag.ravel(),
                        np.asarray(correlations, float).ravel()])
    _, rhs, _ = _emitter_problem(model, Excited())
    dy = rhs(0.0, y)
    nn = size * size
    dc = dy[size : size + nn].reshape(size, size) + 1j * dy[size + nn : size + 2 * nn].reshape(size, size)
    return dy[:size], dc, dy[size + 2 * nn :].reshape(size, size)


def triplet_derivatives(ensemble, coherences, correlations):
    """Right-hand side of the triplet cumulant equations at one state.

    Parameters
    ----------
    ensemble : NanocrystalEnsemble
    coherences : array_like, shape (3n, 3n)
        C[x, y] = <sigma_x^+ sigma_y> (3 x 3 NC blocks: the excited-state
        density matrices E_i[a, b] = <|a><b|_i>).
    correlations : array_like, shape (n, n, 3, 3, 3, 3)
        W[i, j, a, b, c, d] = <P_{i,ab} P_{j,cd}> (i != j; i = j ignored).

    Returns
    -------
    dC : ndarray, shape (3n, 3n)
    dW : ndarray, shape (n, n, 3, 3, 3, 3) (zero for i = j)
    """
    y0, rhs, _, _ = _triplet_problem(ensemble, Ground())
    y = np.concatenate([np.asarray(coherences, complex).ravel(), np.asarray(correlations, complex).ravel()])
    dy = rhs(0.0, y)
    m = 3 * ensemble.n
    return dy[: m * m].reshape(m, m), dy[m * m :].reshape(correlations.shape)


def _solve_triplet(ensemble, times, initial, rtol, atol, integrator, progress, max_steps, coupling):
    check_explicit_run(ensemble, times, 2 * 90 * ensemble.n**2, method=NAME, max_steps=max_steps)
    operator = _lattice_operator(ensemble, coupling)
    y0, rhs, observe, atol_scale = _triplet_problem(ensemble, initial, operator)
    # numba's kernel runs on the calling thread: its spinning workers otherwise take the cores from the BLAS
    # products between calls (measured, 31 steps: n = 60 NCs 7.4 s threaded vs 4.8 s serial, n = 150 21.1 vs 18.4)
    with progress_bar(progress, total=len(times) - 1, size=y0.size * 50, desc=NAME) as bar, single_threaded():
        obs, info = integrate_observed(rhs, y0, times, observe, method=integrator or "DOPRI5", rtol=rtol,
                                       atol=atol * atol_scale, progress=bar, inplace=True,
                                       affine_observables=True, max_steps=max_steps)
    params = ensemble.parameters()
    route = "dense" if operator is None else "fft"
    params.update(initial=initial.describe(), engine="nanocrystals", rtol=rtol, atol=atol,
                  integrator=integrator or "DOPRI5", coupling=route)
    info.update(engine="nanocrystals", variables=int(y0.size), coupling=route)
    return Result(times, obs[:, 0], obs[:, 1], NAME, params, data={"intensity_by_polarization": obs[:, 2:5]},
                  info=info)


ORDERS = (2, 3)


def check_order(order, engine):
    """``order`` as an int (2 or 3), or ValueError; order 3 exists for the class engine only."""
    if isinstance(order, bool) or not isinstance(order, (int, np.integer)) or int(order) not in ORDERS:
        raise ValueError(f"order must be 2 or 3, got {order!r}")
    if int(order) == 3 and engine != "classes":
        raise ValueError(f"order=3 is implemented for spectral classes (identical all-to-all coupling) only, not "
                         f"the {engine!r} engine: use order=2 (docs/physics.md, the third-order cumulant "
                         f"expansion, states why)")
    return int(order)


def _warn_violation(times, violation):
    bad = np.flatnonzero(violation > _cumulant_third.VIOLATION_TOLERANCE)
    if bad.size:
        warn_caller(f"the third-order cumulant closure left the bounds of any quantum state from t = "
                    f"{times[bad[0]]:.4g} ps on (largest violation {violation.max():.3g}: populations outside "
                    f"[0, 1] or |C_ab|^2 > n_a n_b); its trajectory is not reliable there: use order=2 or an exact "
                    f"method ('permutational', 'exact')", _cumulant_third.ClosureValidityWarning)


def solve(ensemble, times, initial, *, engine="auto", rtol=1e-7, atol=1e-10, integrator=None, progress=None,
          max_steps=DEFAULT_MAX_STEPS, coupling="auto", order=2):
    """Simulate an ensemble with the second- or third-order cumulant expansion.

    Parameters
    ----------
    ensemble : Ensemble
        Two-level emitters: identical coupling with any spectrum (class
        engine) or general coupling matrices (emitter engine).
    times : ndarray
        Output times (ps).
    initial : state
        Excited, Ground, CoherentSpinState or a symmetric DickeState.
    engine : {"auto", "classes", "emitters"}
        Variables per spectral class (identical coupling) or per emitter.
    rtol, atol : float
        Tolerances of the explicit Runge-Kutta integrator.
    integrator : {"DOPRI5", "DOP853", "RK45", "RK23"}, optional
        Runge-Kutta method (see :mod:`sf_dynamics.integrate.explicit`). Default: DOP853
        for spectral classes (small states, tight tolerances); DOPRI5, the
        fused in-place Dormand-Prince 5(4), for the per-emitter and
        nanocrystal engines, whose states of ~3 n^2 and ~90 n^2 numbers
        make memory traffic and the number of stored stages matter.
    progress : bool or None
        Progress bar (None: automatic for large problems).
    max_steps : int
        Step budget of the integrator; a run that would need more is refused
        before it starts (estimate: fastest rate x window / 6) or stopped.
    coupling : {"auto", "dense", "fft"}
        How the per-emitter and nanocrystal engines multiply the n x n
        coherence matrix by Gamma and Omega: BLAS products with the dense
        matrices (O(n^3) per step), or zero-padded FFT convolutions on a
        regular lattice (O(n^2 log n); the ensemble of
        :meth:`~sf_dynamics.geometry.Superlattice.nanocrystal_ensemble`
        carries its lattice). "auto" takes the FFTs where they are measured
        faster (:func:`fft_pays`). Both give the same result to rounding.
    order : {2, 3}
        Closure order: 2 (default) drops the three-emitter cumulants; 3 keeps the three-emitter moments
        <s+ s- n> and <n n n> and drops the four-emitter cumulants (spectral classes only, O(K^3)
        variables; docs/physics.md). A third-order trajectory whose moments leave the bounds of any
        quantum state warns (:class:`~sf_dynamics.solvers._cumulant_third.ClosureValidityWarning`).

    Returns
    -------
    Result
        ``data["class_populations"]`` (classes engine, shape (nt, K)) or
        ``data["populations"]`` (emitters engine, shape (nt, n)): the excited
        population of one emitter of each class / of each emitter. The
        classes engine with collective decay adds ``data["g2"]``,
        ``data["pair_rate"]`` and ``data["collective_rate"]``, the collective channel's second-order coherence
        with the four-point function factorised into the closure's pair
        correlations (:func:`collective_pair_moment`), for starts without pair
        correlations (excited, ground, an incoherent ProductState): exact at
        t = 0, but it misses the burst's own statistics (measured errors in
        docs/validation.md); use ``permutational`` or ``jumps`` for g2 of
        identical emitters (second order only). At third order ``data["closure_violation"]`` (nt,) holds
        how far the moments are outside the bounds of a quantum state (0 inside). For
        nanocrystals, ``data["intensity_by_polarization"]`` (nt, 3): the
        emission of the x, y and z dipoles, Re sum_y Gamma_xy C_xy over the
        dipoles x of one polarisation (they add up to the intensity).
    """
    max_steps = check_positive_int("max_steps", max_steps)
    rtol = check_tolerance("rtol", rtol)
    atol = check_tolerance("atol", atol)
    check_coupling(coupling)
    if ensemble.emitter_type == "triplet":
        check_order(order, "nanocrystals")
        return _solve_triplet(ensemble, times, initial, rtol, atol, integrator, progress, max_steps, coupling)
    engine = choose_engine(ensemble, engine_for_start(initial, engine, per_class=True))
    order = check_order(order, engine)
    size = ensemble.spectral_classes()[0].size if engine == "classes" else ensemble.n
    second = size + 3 * size**2
    # at third order the memory grows as K^3: the refusal names the order and the classes
    blame = {} if order == 2 else dict(parameter="order", alternative=(
        f"order=3 holds 3K^3 + 3K^2 + K variables for K = {size} spectral classes: use fewer classes or order=2 "
        f"({second:.3g} variables)"))
    check_explicit_run(ensemble, times, _cumulant_third.variables(size) if order == 3 else second, method=NAME,
                       max_steps=max_steps, **blame)
    integrator = integrator or ("DOP853" if engine == "classes" else "DOPRI5")
    if ensemble.spectrum is not None:
        ensemble.spectrum.check_window(float(times[-1] - times[0]))
    if engine == "classes":
        model = ClassModel.from_ensemble(ensemble)
        problem = _cumulant_third.third_order_problem if order == 3 else _class_problem
        y0, rhs, observe = problem(model, initial, ensemble.n)
        key = "class_populations"
    else:
        model = EmitterModel.from_ensemble(ensemble)
        operator = _lattice_operator(ensemble, coupling)
        y0, rhs, observe = _emitter_problem(model, initial, operator)
        key = "populations"
        params_coupling = "dense" if operator is None else "fft"
    # pair quantities enter the intensity multiplied by ~N^2: their absolute tolerance is atol / N so that
    # the intensity error stays below atol times the incoherent level N Gamma
    pair_atol = np.full(y0.size, atol / max(ensemble.n, 1))
    pair_atol[: model.size] = atol
    # per emitter, the right-hand side is BLAS products plus element-wise numba kernels: BLAS gets the cores
    threads = single_threaded() if engine == "emitters" else contextlib.nullcontext()
    with progress_bar(progress, total=len(times) - 1, size=y0.size * 50, desc=NAME) as bar, threads:
        obs, info = integrate_observed(rhs, y0, times, observe, method=integrator, rtol=rtol, atol=pair_atol,
                                       progress=bar, inplace=engine == "emitters",
                                       affine_observables=engine == "emitters", max_steps=max_steps)
    params = ensemble.parameters()
    params.update(initial=initial.describe(), engine=engine, rtol=rtol, atol=atol, integrator=integrator, order=order)
    if engine == "classes":
        params["class_detunings"] = model.detunings.tolist()
        params["class_counts"] = model.counts.tolist()
    else:
        params["coupling"] = params_coupling
        info["coupling"] = params_coupling
    info.update(engine=engine, variables=int(y0.size))
    data = {key: obs[:, 2:]}
    if engine == "classes" and order == 3:
        data[key] = obs[:, 2:-1]
        data["closure_violation"] = obs[:, -1]
        _warn_violation(times, obs[:, -1])
    elif engine == "classes":
        data[key] = obs[:, 2:-2]
        # the factorised four-point function holds only while the start has no pair correlations (excited,
        # ground, an incoherent product); a coherent or Dicke start encodes its dipole in them and would be
        # double counted
        uncorrelated = isinstance(initial, (Excited, Ground)) or (
            isinstance(initial, ProductState) and initial.coherence == 0)
        if model.gamma_c > 0 and uncorrelated:
            # second-order coherence of the collective channel in the closure (docs/validation.md: its error)
            rate, pairs = obs[:, -2], obs[:, -1]
            data["g2"] = equal_time_g2(pairs, rate)
            data["pair_rate"] = model.gamma_c**2 * pairs
            data["collective_rate"] = model.gamma_c * rate
    return Result(times, obs[:, 0], obs[:, 1], NAME, params, data=data, info=info)
