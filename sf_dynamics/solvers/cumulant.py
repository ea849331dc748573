"""Second-order cumulant expansion (method ``"cumulant"``).

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

Accuracy (PEERS.md section 2; measured in tests/solvers/test_cumulant.py):
second order places tau_D within a few per cent of the exact result at
N >~ 50 but overshoots the ensemble-averaged peak by 20-30 % because it misses
the shot-to-shot spread of the delay (use ``twa`` for shot statistics).
"""

from __future__ import annotations

import numpy as np

from .._progress import progress_bar
from ..kernels import cumulant as kc
from ..ode import integrate_observed
from ..result import Result
from ..states import CoherentSpinState, DickeState, Excited, Ground
from ._models import ClassModel, EmitterModel, choose_engine, symmetric_moments

__all__ = ["NAME", "OPTIONS", "unsupported_reason", "solve", "derivatives"]

NAME = "cumulant"
OPTIONS = {
    "engine": "'auto' (default), 'classes' or 'emitters'",
    "rtol": "relative tolerance of the Runge-Kutta integrator (default 1e-7)",
    "atol": "absolute tolerance (default 1e-10)",
    "integrator": "'DOP853' (default), 'RK45' or 'RK23'",
    "progress": "show a progress bar (default: auto)",
}


def unsupported_reason(ensemble, initial):
    """Why the cumulant expansion cannot start from ``initial`` (None if it can)."""
    if isinstance(initial, DickeState) and initial.j != ensemble.n / 2:
        return "it starts from symmetric Dicke states |n/2, m> only"
    if not isinstance(initial, (Excited, Ground, CoherentSpinState, DickeState)):
        return f"initial state {initial!r} is not supported"
    return None


# -- class engine --------------------------------------------------------------
def _class_problem(model: ClassModel, initial, n_total):
    k = model.size
    p, c, q = symmetric_moments(initial, n_total)
    y0 = np.concatenate([np.full(k, p), np.full(k * k, c), np.zeros(k * k), np.full(k * k, q)])

    def unpack(y):
        return y[:k], y[k : k + k * k].reshape(k, k), y[k + k * k : k + 2 * k * k].reshape(k, k), y[k + 2 * k * k :].reshape(k, k)

    def rhs(t, y):
        dy = np.empty_like(y)
        n, cr, ci, npop = unpack(y)
        dn, dcr, dci, dnp = unpack(dy)
        kc.class_pair_rhs(n, cr, ci, npop, model.detunings, model.others, model.thirds, model.exclude,
                          model.gamma0, model.gamma_c, model.dephasing, model.pumping, dn, dcr, dci, dnp)
        return dy

    def observe(y):
        n, cr, _, _ = unpack(y)
        intensity = kc.class_intensity(n, cr, model.counts, model.others, model.exclude, model.gamma0, model.gamma_c)
        return np.concatenate([[intensity, model.counts @ n], n])

    return y0, rhs, observe


# -- emitter engine ------------------------------------------------------------
def _emitter_problem(model: EmitterModel, initial):
    size = model.size
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

    def rhs(t, y):
        dy = np.empty_like(y)
        n, cr, ci, npop = unpack(y)
        dn, dcr, dci, dnp = unpack(dy)
        # X = G C with G = Gamma/2 - i Omega (zero diagonal), C_kk = n_k
        if use_omega:
            # three real products (Karatsuba): (A - iB)(C + iD) = AC + BD + i[(A - B)(C + D) - AC + BD]
            ac = half_gamma @ cr
            bd = omega @ ci
            xr = ac + bd
            xi = diff_matrix @ (cr + ci)
            xi -= ac
            xi += bd
        else:
            xr = half_gamma @ cr
            xi = half_gamma @ ci
        kc.emitter_pair_rhs(n, cr, ci, npop, xr, xi, model.gamma, omega, model.detunings, model.dephasing,
                            model.pumping, dn, dcr, dci, dnp)
        return dy

    def observe(y):
        n, cr, _, _ = unpack(y)
        intensity = float(np.sum(model.gamma * cr))
        return np.concatenate([[intensity, n.sum()], n])

    return y0, rhs, observe


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


def solve(ensemble, times, initial, *, engine="auto", rtol=1e-7, atol=1e-10, integrator="DOP853", progress=None):
    """Simulate an ensemble with the second-order cumulant expansion.

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
    integrator : {"DOP853", "RK45", "RK23"}
        SciPy Runge-Kutta method.
    progress : bool or None
        Progress bar (None: automatic for large problems).

    Returns
    -------
    Result
        ``data["class_populations"]`` (classes engine, shape (nt, K)) or
        ``data["populations"]`` (emitters engine, shape (nt, n)): the excited
        population of one emitter of each class / of each emitter.
    """
    engine = choose_engine(ensemble, engine)
    if ensemble.spectrum is not None:
        ensemble.spectrum.check_window(float(times[-1] - times[0]))
    if engine == "classes":
        model = ClassModel.from_ensemble(ensemble)
        y0, rhs, observe = _class_problem(model, initial, ensemble.n)
        key = "class_populations"
    else:
        model = EmitterModel.from_ensemble(ensemble)
        y0, rhs, observe = _emitter_problem(model, initial)
        key = "populations"
    # pair quantities enter the intensity multiplied by ~N^2: their absolute tolerance is atol / N so that
    # the intensity error stays below atol times the incoherent level N Gamma
    pair_atol = np.full(y0.size, atol / max(ensemble.n, 1))
    pair_atol[: model.size] = atol
    with progress_bar(progress, total=len(times) - 1, size=y0.size * 50, desc=NAME) as bar:
        obs, info = integrate_observed(rhs, y0, times, observe, method=integrator, rtol=rtol, atol=pair_atol,
                                       progress=bar)
    params = ensemble.parameters()
    params.update(initial=initial.describe(), engine=engine, rtol=rtol, atol=atol, integrator=integrator)
    if engine == "classes":
        params["class_detunings"] = model.detunings.tolist()
        params["class_counts"] = model.counts.tolist()
    info.update(engine=engine, variables=int(y0.size))
    return Result(times, obs[:, 0], obs[:, 1], NAME, params, data={key: obs[:, 2:]}, info=info)
