"""Two-time first-order correlations of the second-order cumulant expansion (method ``"cumulant"``).

g_kl(t, tau) = <s+_k(t + tau) s-_l(t)> obeys, in tau, the equation of motion
of <s+_k>, with every expectation <X(t + tau)> replaced by <X(t + tau) s-_l(t)>
(quantum regression theorem). The three-operator correlation
<s^z_k s+_j (t + tau) s-_l(t)> that the coupling produces is closed at second
order as s_k(t + tau) g_jl(t, tau), with s_k = 2 n_k - 1 the one-time
inversion at t + tau (the closure of the one-time equations, carried to
two times; e.g. Plankensteiner, Hotter and Ritsch, SciPost Phys. Codebases 4
(2022), on the correlation functions of cumulant expansions). With
G = Gamma/2 - i Omega (zero diagonal):

    d g_kl / d tau = (i delta_k - Gamma_kk/2 - gamma_phi - P/2) g_kl + s_k(t + tau) sum_{j != k} G_kj g_jl,
    g_kl(t, 0) = <s+_k s-_l>(t) (= n_k for k = l).

The one-time moments are integrated alongside from t, so s_k(t + tau) is
the expansion's own inversion. For K spectral classes with identical
coupling the same equations hold for the same-emitter correlation S_a
(k = l in class a) and the pair correlation P_ab (k in a, l in b, k != l):

    dS_b/dtau   = D_b S_b + s_b Gamma_c/2 sum_c (others_c - e [c = b]) P_cb
    dP_ab/dtau  = D_a P_ab + s_a Gamma_c/2 [S_b + sum_c (thirds_c - e ([c = a] + [c = b])) P_cb]

(counts, others, thirds and e as in :func:`sf_dynamics.kernels.cumulant.class_pair_rhs`).

Triplet nanocrystals (dipoles x = (i, alpha), sigma-_x = |g><alpha|_i, the
one-time variables of :mod:`sf_dynamics.kernels.triplet`): in the equation of
sigma+_{i alpha} the coupling enters through [sigma-_{i alpha}, sigma+_{i nu}] =
delta_{alpha nu} |g><g|_i - |nu><alpha|_i, closed at second order with the
excited-state density matrix E_i(t + tau) and the ground population
g_i = 1 - tr E_i:

    d g[i alpha, y] / dtau = (i eps_{i alpha} - gamma_phi) g[i alpha, y] - (1/2) sum_nu Gamma^{ii}_{alpha nu} g[i nu, y]
                             + sum_nu (E_i[alpha, nu] - delta_{alpha nu} g_i)(t + tau) (G' g)[i nu, y],
    g(t, 0) = C(t) (3n x 3n, the NC blocks are the E_i),

with G' = Gamma/2 - i Omega without the NC blocks; for one sublevel these are
the two-level equations above.
"""

from __future__ import annotations

import contextlib

import numpy as np

from .._progress import progress_bar
from .._resources import check_memory
from ..integrate.explicit import integrate_observed
from ..kernels._jit import single_threaded
from ._models import ClassModel, EmitterModel, check_explicit_run, choose_engine
from .cumulant import _class_problem, _coupling_product, _emitter_problem, _triplet_problem

__all__ = ["first_order_correlation"]


def _class_parts(model, initial, n_total, detector, weights):
    if weights is not None:
        raise ValueError("detector: a far-field detector needs per-emitter amplitudes (engine 'emitters'), but "
                         "this ensemble runs in spectral classes; give it per-emitter detunings")
    k = model.size
    kk = k * k
    y0, rhs, _ = _class_problem(model, initial, n_total)
    pair_weight = model.others[None, :] - model.exclude * np.eye(k)          # (others_b - e [a = b])
    damping = 1j * model.detunings - 0.5 * model.gamma0 - model.dephasing - 0.5 * model.pumping
    half = 0.5 * model.gamma_c
    self_weight = model.gamma_c if detector == "collective" else model.gamma0

    def start(y):
        cr, ci = y[k : k + kk].reshape(k, k), y[k + kk : k + 2 * kk].reshape(k, k)
        return np.concatenate([y[:k].astype(np.complex128), (cr + 1j * ci).ravel()])

    def g_rhs(y, g):
        s = 2.0 * y[:k] - 1.0
        self_, pair = g[:k], g[k:].reshape(k, k)
        diagonal = np.diagonal(pair)
        # sum_c (others_c - e [c = b]) P_cb and sum_c (thirds_c - e ([c = a] + [c = b])) P_cb, in O(K^2)
        d_self = damping * self_ + s * half * (model.others @ pair - model.exclude * diagonal)
        thirds = (model.thirds @ pair)[None, :] - model.exclude * (pair + diagonal[None, :])
        d_pair = damping[:, None] * pair + (s * half)[:, None] * (self_[None, :] + thirds)
        return np.concatenate([d_self, d_pair.ravel()])

    def detect(g):
        self_, pair = g[:k], g[k:].reshape(k, k)
        return self_weight * (model.counts @ self_) + model.gamma_c * np.sum(model.counts[:, None] * pair_weight
                                                                               * pair)

    return y0, rhs, start, g_rhs, detect, k + kk


def _emitter_parts(model, initial, collective, detector, weights):
    size = model.size
    nn = size * size
    y0, rhs, _ = _emitter_problem(model, initial)
    half_gamma = model.half_offdiagonal_gamma()
    omega = model.omega if model.has_omega else None
    diff = half_gamma - omega if omega is not None else None
    damping = (1j * model.detunings - 0.5 * np.diag(model.gamma) - model.dephasing - 0.5 * model.pumping)
    if weights is None:
        weights = np.full((size, size), collective) if detector == "collective" else model.gamma
    weights = np.asarray(weights)

    def start(y):
        return (y[size : size + nn] + 1j * y[size + nn : size + 2 * nn]).astype(np.complex128)

    def g_rhs(y, g):
        s = 2.0 * y[:size] - 1.0
        g = g.reshape(size, size)
        xr, xi = _coupling_product(half_gamma, omega, diff, np.ascontiguousarray(g.real),
                                   np.ascontiguousarray(g.imag))
        return (damping[:, None] * g + s[:, None] * (xr + 1j * xi)).ravel()

    def detect(g):
        return np.sum(weights * g.reshape(size, size))

    return y0, rhs, start, g_rhs, detect, nn


def _triplet_parts(ensemble, initial, detector, weights):
    n = ensemble.n
    m = 3 * n
    mm = m * m
    y0, rhs, _, atol_scale = _triplet_problem(ensemble, initial)
    gamma = ensemble.gamma_matrix()
    omega = ensemble.omega_matrix()
    blocks = np.kron(np.eye(n, dtype=bool), np.ones((3, 3), dtype=bool))
    half_off = np.where(blocks, 0.0, 0.5 * gamma)
    use_omega = bool(np.any(omega))
    diff = half_off - omega if use_omega else None
    # local part L = blockdiag(diag(i eps - gamma_phi) - Gamma^ii / 2), (n, 3, 3)
    local = -0.5 * gamma.reshape(n, 3, n, 3)[np.arange(n), :, np.arange(n), :].astype(np.complex128)
    local[:, np.arange(3), np.arange(3)] += (1j * ensemble.onsite_energies() - ensemble.dephasing).reshape(n, 3)
    if weights is None:
        if detector != "total":
            raise ValueError(f"detector {detector!r}: nanocrystals detect 'total' or a far-field direction")
        weights = gamma
    weights = np.asarray(weights)

    def start(y):
        return y[:mm].copy()

    def g_rhs(y, g):
        c = y[:mm].reshape(m, m)
        energies = c.reshape(n, 3, n, 3)[np.arange(n), :, np.arange(n), :]              # E_i, (n, 3, 3)
        inversion = energies - (1.0 - np.trace(energies, axis1=1, axis2=2).real)[:, None, None] * np.eye(3)
        g = g.reshape(m, m)
        xr, xi = _coupling_product(half_off, omega if use_omega else None, diff, np.ascontiguousarray(g.real),
                                   np.ascontiguousarray(g.imag))
        blocked = g.reshape(n, 3, m)
        coupled = (xr + 1j * xi).reshape(n, 3, m)
        return (np.matmul(local, blocked) + np.matmul(inversion, coupled)).ravel()

    def detect(g):
        return np.sum(weights * g.reshape(m, m))

    return y0, rhs, start, g_rhs, detect, mm, atol_scale


def first_order_correlation(ensemble, times, taus, initial, detector="total", *, weights=None, rtol=1e-7,
                            atol=1e-10, progress=None, max_steps=1_000_000):
    """G1(t, tau) = sum_kl W_kl g_kl(t, tau) of the second-order cumulant expansion.

    Parameters
    ----------
    ensemble : Ensemble or NanocrystalEnsemble
        Two-level emitters (class engine for identical coupling, per-emitter
        engine with coupling matrices) or triplet nanocrystals (3n x 3n g).
    times, taus : ndarray
        Output times t (ps, times[0] = 0 is the excitation) and delays tau (ps, from 0).
    initial : state
    detector : {"total", "collective"}
        W = Gamma (photons into all modes) or Gamma_c (the J- channel; two-level emitters).
    weights : ndarray, shape (n, n), optional
        An explicit W (far-field detectors, per-emitter engine); overrides ``detector``.
    rtol, atol : float
        Tolerances of the Runge-Kutta integrator (atol scaled by 1/N on pair quantities).
    progress : bool or None
    max_steps : int
        Step budget per run.

    Returns
    -------
    ndarray of complex128, shape (len(times), len(taus))

    Raises
    ------
    ValueError
        A far-field detector on the class engine, or the collective detector for nanocrystals.
    """
    if ensemble.emitter_type == "triplet":
        engine = "nanocrystals"
        y0, rhs, start, g_rhs, detect, g_size, scale = _triplet_parts(ensemble, initial, detector, weights)
        one_atol = atol * scale
        g_atol = np.full(g_size, atol / max(ensemble.n, 1))
    else:
        engine = choose_engine(ensemble, "emitters" if weights is not None else "auto")
        if engine == "classes":
            model = ClassModel.from_ensemble(ensemble)
            y0, rhs, start, g_rhs, detect, g_size = _class_parts(model, initial, ensemble.n, detector, weights)
        else:
            model = EmitterModel.from_ensemble(ensemble)
            y0, rhs, start, g_rhs, detect, g_size = _emitter_parts(model, initial, ensemble.collective_decay,
                                                                     detector, weights)
        one_atol = np.full(y0.size, atol / max(ensemble.n, 1))
        one_atol[: model.size] = atol
        g_atol = np.full(2 * g_size, atol / max(ensemble.n, 1))
    one = y0.size
    # a complex one-time state (nanocrystals) carries g as it is; a real one carries its real and imaginary parts
    joint = np.iscomplexobj(y0)
    variables = (2 if joint else 1) * one + 2 * g_size
    check_explicit_run(ensemble, np.array([0.0, times[-1] + taus[-1]]), variables, method="cumulant",
                       max_steps=max_steps)
    check_memory(8.0 * variables * (len(times) + 12), parameter="times",
                 what=f"cumulant moments at {len(times)} output times", alternative="fewer output times")
    aug_atol = np.concatenate([one_atol, g_atol])

    def split(z):
        return z[one:] if joint else z[one : one + g_size] + 1j * z[one + g_size :]

    def join(y, g):
        return np.concatenate([y, g] if joint else [y, g.real, g.imag])

    def aug_rhs(t, z):
        y = z[:one]
        return join(rhs(t, y), g_rhs(y, split(z)))

    def observe(z):
        return np.array([detect(split(z))])

    # BLAS products alternate with numba kernels: numba on the calling thread (see kernels._jit.single_threaded;
    # measured for 4 NCs: 13 s threaded, 0.2 s serial)
    threads = single_threaded() if engine in ("emitters", "nanocrystals") else contextlib.nullcontext()
    out = np.zeros((len(times), len(taus)), dtype=np.complex128)
    with progress_bar(progress, total=len(times) * len(taus), size=(one + 2 * g_size) * 50 * len(times),
                      desc="cumulant G1") as bar, threads:
        states, _ = integrate_observed(rhs, y0, times, lambda y: y.copy(), method="DOP853", rtol=rtol,
                                       atol=one_atol, max_steps=max_steps)
        for i, (t, y) in enumerate(zip(times, states)):
            z0 = join(y, start(y))
            obs, _ = integrate_observed(aug_rhs, z0, t + taus, observe, method="DOP853", rtol=rtol, atol=aug_atol,
                                        max_steps=max_steps)
            out[i] = obs[:, 0]
            bar.update(len(taus))
    return out
