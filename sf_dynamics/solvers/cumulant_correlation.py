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

import functools

import numpy as np

from .._progress import progress_bar
from .._resources import check_memory
from ..integrate.explicit import integrate_observed
from ..kernels.jit import single_threaded
from ._models import ClassModel, EmitterModel, check_explicit_run, choose_engine
from .cumulant import _class_problem, _coupling_product, _emitter_problem, _triplet_problem

__all__ = ["first_order_correlation"]

#: Runge-Kutta method of the regression runs (see sf_dynamics.integrate.explicit)
INTEGRATOR = "DOP853"


def _class_parts(model, initial, n_total, detector, amplitudes):
    if amplitudes is not None:
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

    arange = np.arange(k)
    pair_detect = model.counts[:, None] * pair_weight

    def g_rhs(y, g):
        s = 2.0 * y[:k] - 1.0
        self_, pair = g[:k], g[k:].reshape(k, k, -1)
        diagonal = pair[arange, arange]
        # sum_c (others_c - e [c = b]) P_cb and sum_c (thirds_c - e ([c = a] + [c = b])) P_cb, in O(K^2)
        d_self = damping[:, None] * self_ + (s * half)[:, None] * (np.tensordot(model.others, pair, axes=1)
                                                                   - model.exclude * diagonal)
        thirds = np.tensordot(model.thirds, pair, axes=1)[None] - model.exclude * (pair + diagonal[None])
        d_pair = damping[:, None, None] * pair + (s * half)[:, None, None] * (self_[None] + thirds)
        return np.concatenate([d_self, d_pair.reshape(k * k, -1)])

    def detect(g):
        self_, pair = g[:k], g[k:].reshape(k, k, -1)
        return self_weight * (model.counts @ self_) + model.gamma_c * np.tensordot(pair_detect, pair, axes=2)

    return y0, rhs, start, g_rhs, detect, k + kk


def _passive_columns(weights, amplitudes):
    """(start columns, detect, columns) for g = (rows, columns): the l index of g_kl is a spectator in tau.

    A rank-one detector, W_kl = conj(a_k) a_l (collective channel, far field), needs only v = g a (one column):
    G1 = conj(a) . v. Otherwise every column is carried and G1 = sum_kl W_kl g_kl. ``detect`` takes g of shape
    (rows, columns, c) for c start times at once.
    """
    if amplitudes is not None:
        amplitudes = np.asarray(amplitudes, dtype=np.complex128)
        return (lambda c: (c @ amplitudes)[:, None]), (lambda g: np.conj(amplitudes) @ g[:, 0, :]), 1
    return (lambda c: c), (lambda g: np.tensordot(weights, g, axes=2)), weights.shape[0]


def _emitter_parts(model, initial, amplitudes):
    size = model.size
    nn = size * size
    y0, rhs, _ = _emitter_problem(model, initial)
    half_gamma = model.half_offdiagonal_gamma()
    omega = model.omega if model.has_omega else None
    diff = half_gamma - omega if omega is not None else None
    damping = (1j * model.detunings - 0.5 * np.diag(model.gamma) - model.dephasing - 0.5 * model.pumping)
    columns, detect_columns, cols = _passive_columns(model.gamma, amplitudes)

    def start(y):
        c = (y[size : size + nn] + 1j * y[size + nn : size + 2 * nn]).reshape(size, size)
        return np.ascontiguousarray(columns(c)).ravel()

    def g_rhs(y, g):
        s = 2.0 * y[:size] - 1.0
        batch = g.shape[1]
        g = g.reshape(size, cols * batch)
        xr, xi = _coupling_product(half_gamma, omega, diff, np.ascontiguousarray(g.real),
                                   np.ascontiguousarray(g.imag))
        return (damping[:, None] * g + s[:, None] * (xr + 1j * xi)).reshape(size * cols, batch)

    def detect(g):
        return detect_columns(g.reshape(size, cols, -1))

    return y0, rhs, start, g_rhs, detect, size * cols


def _triplet_parts(ensemble, initial, amplitudes):
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
    columns, detect_columns, cols = _passive_columns(gamma, amplitudes)

    def start(y):
        return np.ascontiguousarray(columns(y[:mm].reshape(m, m))).ravel()

    def g_rhs(y, g):
        c = y[:mm].reshape(m, m)
        energies = c.reshape(n, 3, n, 3)[np.arange(n), :, np.arange(n), :]              # E_i, (n, 3, 3)
        inversion = energies - (1.0 - np.trace(energies, axis1=1, axis2=2).real)[:, None, None] * np.eye(3)
        batch = g.shape[1]
        g = g.reshape(m, cols * batch)
        xr, xi = _coupling_product(half_off, omega if use_omega else None, diff, np.ascontiguousarray(g.real),
                                   np.ascontiguousarray(g.imag))
        blocked = g.reshape(n, 3, cols * batch)
        coupled = (xr + 1j * xi).reshape(n, 3, cols * batch)
        return (np.matmul(local, blocked) + np.matmul(inversion, coupled)).reshape(m * cols, batch)

    def detect(g):
        return detect_columns(g.reshape(m, cols, -1))

    return y0, rhs, start, g_rhs, detect, m * cols, atol_scale


def first_order_correlation(ensemble, times, taus, initial, detector="total", *, amplitudes=None, engine="auto",
                            rtol=1e-7, atol=1e-10, progress=None, max_steps=1_000_000):
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
    amplitudes : ndarray of complex, shape (n,) or (3n,), optional
        Field amplitudes a_k of a far-field detector, W_kl = conj(a_k) a_l
        (per-emitter engine, nanocrystals); overrides ``detector``. A rank-one
        W (this, or the collective channel on the per-emitter engine)
        propagates only the vector g a instead of the n x n matrix g.
    engine : {"auto", "classes", "emitters"}
        Two-level emitters: as in method ``cumulant`` (a far field needs ``emitters``).
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
        if amplitudes is None and detector != "total":
            raise ValueError(f"detector {detector!r}: nanocrystals detect 'total' or a far-field direction")
        y0, rhs, start, g_rhs, detect, g_size, scale = _triplet_parts(ensemble, initial, amplitudes)
        one_atol = atol * scale
        g_atol = np.full(g_size, atol / max(ensemble.n, 1))
    else:
        engine = choose_engine(ensemble, "emitters" if amplitudes is not None and engine == "auto" else engine)
        if engine == "classes":
            model = ClassModel.from_ensemble(ensemble)
            y0, rhs, start, g_rhs, detect, g_size = _class_parts(model, initial, ensemble.n, detector, amplitudes)
        else:
            model = EmitterModel.from_ensemble(ensemble)
            if amplitudes is None and detector == "collective":
                amplitudes = np.full(model.size, np.sqrt(ensemble.collective_decay))
            y0, rhs, start, g_rhs, detect, g_size = _emitter_parts(model, initial, amplitudes)
        one_atol = np.full(y0.size, atol / max(ensemble.n, 1))
        one_atol[: model.size] = atol
        g_atol = np.full(2 * g_size, atol / max(ensemble.n, 1))
    one = y0.size
    # a complex one-time state (nanocrystals) carries g as it is; a real one carries its real and imaginary parts
    joint = np.iscomplexobj(y0)
    # carry the g columns of all start times in one run when together they are smaller than the one-time state
    # (rank-one detectors per emitter: the run is dominated by the n^2 moments, integrated once); otherwise one
    # regression run per start time (spectral classes, n x n g), each with the one-time moments alongside
    together = 2 * g_size * len(times) <= one
    width = len(times) if together else 1
    variables = (2 if joint else 1) * one + 2 * g_size * width
    check_explicit_run(ensemble, np.array([0.0, times[-1] + taus[-1]]), variables, method="cumulant",
                       max_steps=max_steps)
    check_memory(8.0 * variables * 14 + 8.0 * one * (0 if together else len(times)), parameter="times",
                 what=f"second-order correlations at {len(times)} start times", alternative="fewer output times")
    out = np.zeros((len(times), len(taus)), dtype=np.complex128)
    advance = functools.partial(_advance, rhs, g_rhs, detect, joint=joint, one_atol=one_atol, g_atol=g_atol,
                                rtol=rtol, max_steps=max_steps)
    # BLAS products alternate with numba kernels: numba on the calling thread (see kernels.jit.single_threaded;
    # measured: 4 NCs 13 s threaded, 0.2 s serial; 10^6 emitters in 101 classes 22 s and 21 s)
    with progress_bar(progress, total=len(times), size=variables * 50, desc="cumulant G1") as bar, \
            single_threaded():
        if together:
            points, owners = _observation_schedule(times, taus)
            y, columns = y0, np.zeros((g_size, 0), dtype=np.complex128)
            for i, t in enumerate(times):
                if i > 0:
                    y, columns = advance(y, columns, times[i - 1], t, points, owners, out)
                columns = np.concatenate([columns, start(y)[:, None]], axis=1)
                out[i, 0] = detect(columns[:, -1:])[0]
                bar.update(1)
            advance(y, columns, times[-1], times[-1] + taus[-1], points, owners, out)
        else:
            states, _ = integrate_observed(rhs, y0, times, lambda y: y.copy(), method=INTEGRATOR, rtol=rtol,
                                           atol=one_atol, max_steps=max_steps)
            delays = [[(0, j)] for j in range(1, len(taus))]   # point j - 1 (t + tau_j) fills column j of the row
            for i, (t, y) in enumerate(zip(times, states)):
                column = start(y)[:, None]
                row = out[i : i + 1]
                row[0, 0] = detect(column)[0]
                advance(y, column, t, t + taus[-1], t + taus[1:], delays, row)
                bar.update(1)
    return out


def _observation_schedule(times, taus):
    """Sorted distinct absolute times s = t_k + tau_j (j >= 1) and, per s, the (k, j) it serves."""
    values = (times[:, None] + taus[None, 1:]).ravel()
    keys = np.stack(np.meshgrid(np.arange(len(times)), np.arange(1, len(taus)), indexing="ij"), axis=-1).reshape(-1, 2)
    order = np.argsort(values, kind="stable")
    values, keys = values[order], keys[order]
    scale = 1e-12 * max(1.0, float(np.max(np.abs(values))))
    new = np.concatenate([[True], np.diff(values) > scale])
    starts = np.flatnonzero(new)
    groups = np.split(keys, starts[1:])
    return values[starts], groups


def _advance(rhs, g_rhs, detect, y, columns, t0, t1, points, owners, out, *, joint, one_atol, g_atol, rtol,
             max_steps):
    """Integrate the one-time state and the g columns from t0 to t1; G1 at the points in (t0, t1] into ``out``.

    ``points`` are sorted absolute times and ``owners[i]`` the (column k, delay index j) entries of ``out``
    that point i fills.
    """
    one, (g_size, batch) = y.size, columns.shape
    lo, hi = np.searchsorted(points, [t0, t1], side="right")
    sample_times = np.concatenate([[t0], points[lo:hi]])
    if t1 > sample_times[-1]:
        sample_times = np.append(sample_times, t1)

    def split(z):
        g = z[one:] if joint else z[one : one + g_size * batch] + 1j * z[one + g_size * batch :]
        return g.reshape(g_size, batch)

    def join(state, g):
        g = g.ravel()
        return np.concatenate([state, g] if joint else [state, g.real, g.imag])

    def aug_rhs(t, z):
        state = z[:one]
        return join(rhs(t, state), g_rhs(state, split(z)))

    final = [None]
    count = [0]

    def observe(z):
        count[0] += 1
        if count[0] == len(sample_times):
            final[0] = z.copy()
        return detect(split(z))

    atol = np.concatenate([one_atol, np.tile(g_atol.reshape(-1 if joint else 2, g_size)[..., None],
                                             (1, 1, batch)).ravel()])
    values, _ = integrate_observed(aug_rhs, join(y, columns), sample_times, observe, method=INTEGRATOR,
                                   rtol=rtol, atol=atol, max_steps=max_steps)
    for row in range(1, hi - lo + 1):   # sample row r is the scheduled point lo + r - 1
        for k, j in owners[lo + row - 1]:
            if k < batch:
                out[k, j] = values[row, k]
    z = final[0]
    return z[:one], split(z)
