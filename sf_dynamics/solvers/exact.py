"""The full 2^N (4^n) density-matrix master equation, sector by sector (method ``"exact"``).

The ground truth of sf_dynamics for small ensembles (n <= 12 two-level emitters, n <= 5 triplet
nanocrystals): any detunings, the general decay matrix Gamma_ij and coherent coupling Omega_ij, local
dephasing and pumping. Emitter i's lowering operator is ``qutip.destroy(2)`` on factor i (|1> = excited).
The model's operators are built with QuTiP (:func:`model_channels`); every process conserves the
difference q of the ket's and the bra's excitation numbers, so the Liouvillian is block diagonal in q and
each sector is propagated on its own, matrix-free (:mod:`sf_dynamics.solvers._sectors`), with the exact
matrix-exponential action. Only the full density matrix of a start with coherences between excitation
numbers (``store_states``) takes QuTiP's full Liouvillian (n <= 10; 4 nanocrystals), with collapse
operators sqrt(lambda_k) sum_i v_ki s-_i from Gamma = sum_k lambda_k v_k v_k^T.
"""

from __future__ import annotations

import contextlib
import time as _time

import numpy as np

from .._progress import progress_bar
from ..model.states import (
    CoherentSpinState,
    DensityMatrix,
    DickeState,
    Excited,
    Ground,
    ProductState,
    TripletExcitation,
)
from ..result import Result
from ._coherence import collective_pair_rate, equal_time_g2
from ._options import declare, no_effect
from ._sectors import MATERIALISED_MAX, Channel, SectorGenerator, excitation_numbers

__all__ = ["NAME", "OPTIONS", "MAX_EMITTERS", "MAX_NANOCRYSTALS", "unsupported_reason", "solve", "build_model",
           "model_channels", "initial_density_matrix", "detector_channels", "first_order_correlation",
           "second_order_correlation", "counting_moments"]

NAME = "exact"
#: largest number of two-level emitters (the q = 0 sector has C(2n, n) amplitudes: 2 704 156 at n = 12)
MAX_EMITTERS = 12
#: largest number of triplet nanocrystals (q = 0 sector: 304 300 amplitudes at n = 5)
MAX_NANOCRYSTALS = 5
#: limits of ``store_states=True`` for a start with coherences between excitation numbers, which keeps the
#: full density matrix and so propagates the full 4^n (16^n) Liouvillian
MAX_FULL_EMITTERS = 10
MAX_FULL_NANOCRYSTALS = 4
DEFAULT_MAX_PRODUCTS = 1_000_000
#: output times propagated together by one expm_multiply call
_TIME_BLOCK = 25
OPTIONS = declare(
    rtol=no_effect("the matrix-exponential action is accurate to round-off"),
    atol=no_effect("the matrix-exponential action is accurate to round-off"),
    progress="progress bar over the output times (default: shown for long runs)",
    seed=no_effect("deterministic"),
    max_steps=f"largest number of matrix-vector products of the propagation (default {DEFAULT_MAX_PRODUCTS:.0e})",
    store_states="keep the density matrix at every output time in result.states (qutip.Qobj; default False)",
)


def unsupported_reason(ensemble, initial):
    """Why the full-space solver cannot run ``ensemble`` (None if it can)."""
    if ensemble.emitter_type == "slab":
        return "an extended slab propagates: use method 'maxwell_bloch'"
    levels = 4 if ensemble.emitter_type == "triplet" else 2
    if isinstance(initial, DensityMatrix) and initial.levels_for(ensemble.n) != levels:
        return (f"the density matrix has dimension {initial.dimension}, but {ensemble.n} "
                f"{'nanocrystals need 4' if levels == 4 else 'two-level emitters need 2'}^{ensemble.n} = "
                f"{levels**ensemble.n}")
    if ensemble.emitter_type == "triplet":
        if not isinstance(initial, (Excited, Ground, TripletExcitation, ProductState, DensityMatrix)):
            return ("nanocrystals start from 'excited', 'ground', a TripletExcitation, a ProductState or a density "
                    "matrix")
        return _size_reason(ensemble.n, levels, "nanocrystals", MAX_NANOCRYSTALS)
    if not ensemble.has_emitter_detunings:
        return "it needs per-emitter detunings, but the spectrum has fractional class weights"
    return _size_reason(ensemble.n, levels, "emitters", MAX_EMITTERS)


def _size_reason(n, levels, noun, largest):
    if n > largest:
        return (f"the {levels}^n density matrix is limited to n <= {largest} {noun} (its excitation-number sectors), "
                f"got n = {n}")
    return None


def _lowering_operators(n, levels=2):
    """sigma- of every emitter (two-level: destroy(2), |1> excited) or, for
    ``levels=4``, sigma_{i alpha} = |0><alpha+1| of every NC dipole (index 3 i + alpha)."""
    import qutip

    eye = qutip.qeye(levels)
    local = [qutip.destroy(2)] if levels == 2 else [qutip.basis(4, 0) * qutip.basis(4, a + 1).dag() for a in range(3)]
    ops = []
    for i in range(n):
        for op in local:
            factors = [eye] * n
            factors[i] = op
            ops.append(qutip.tensor(factors))
    return ops


def build_model(ensemble):
    """Hamiltonian, collapse operators and observables of the full model.

    Returns
    -------
    hamiltonian : qutip.Qobj
    collapse : list of qutip.Qobj
    observables : dict of str -> qutip.Qobj
        ``intensity`` (sum_ij Gamma_ij s+_i s-_j), ``excitation``
        (sum_i s+_i s-_i), ``lowering`` (J- = sum_i s-_i) and, for two-level
        emitters with a collective channel, ``collective`` (J+ J-) and
        ``pairs`` (J+ J+ J- J-).
    """
    hamiltonian, channels, observables = model_channels(ensemble)
    return hamiltonian, _collapse_operators(channels), observables


def _eigen_fields(weights, operators):
    """(lambda_k, sum_d v_dk S_d) for the eigenpairs of a Hermitian weight matrix W = sum_k lambda_k v_k v_k^dag
    with lambda_k above 1e-14 max|W| (the others are round-off of a positive semi-definite W)."""
    lam, vec = np.linalg.eigh(weights)
    scale = max(float(np.max(np.abs(weights))), 1e-300)
    vec = vec.real if np.isrealobj(weights) else vec
    return [(float(lam[k]), sum((c * op for c, op in zip(vec[:, k], operators) if c != 0), start=0 * operators[0]))
            for k in range(len(operators)) if lam[k] > 1e-14 * scale]


def _collapse_operators(channels):
    """Collapse operators of jump channels: sqrt(w_d) S_d for independent processes, else sqrt(lambda_k)
    sum_d v_dk S_d from the eigen-decomposition W = sum_k lambda_k v_k v_k^T (W real symmetric)."""
    collapse = []
    for ops, weights in channels:
        if np.count_nonzero(weights - np.diag(np.diag(weights))) == 0:      # independent processes
            collapse.extend(np.sqrt(w) * op for w, op in zip(np.diag(weights), ops) if w > 0)
            continue
        collapse.extend(np.sqrt(lam) * field for lam, field in _eigen_fields(weights, ops))
    return collapse


def model_channels(ensemble):
    """Hamiltonian, jump channels and observables of the full model.

    Returns
    -------
    hamiltonian : qutip.Qobj
    channels : list of (list of qutip.Qobj, ndarray)
        Dipole operators S_d and the weight matrix W of each jump process, sum_de W_de S_d rho S_e^dag: the
        decay matrix Gamma with the lowering operators; dephasing (gamma_phi / 2 with sigma_z of each
        emitter, or 2 gamma_phi with each nanocrystal level's projector, so that every optical coherence
        decays at gamma_phi); pumping (rate times the identity, with the raising operators).
    observables : dict of str -> qutip.Qobj
        As for :func:`build_model`.
    """
    import qutip

    triplet = ensemble.emitter_type == "triplet"
    sm = _lowering_operators(ensemble.n, 4 if triplet else 2)
    n = len(sm)  # emitters, or dipoles of the nanocrystals
    sp = [op.dag() for op in sm]
    number = [sp[i] * sm[i] for i in range(n)]
    zero = 0.0 * number[0]
    energies = ensemble.onsite_energies() if triplet else ensemble.detunings
    hamiltonian = sum((float(d) * number[i] for i, d in enumerate(energies)), start=zero)
    omega = ensemble.omega_matrix()
    hamiltonian += sum(
        (float(omega[i, j]) * sp[i] * sm[j] for i in range(n) for j in range(n) if i != j and omega[i, j] != 0),
        start=zero,
    )
    gamma = ensemble.gamma_matrix()
    channels = [(sm, np.asarray(gamma, dtype=float))]
    if ensemble.dephasing > 0 and triplet:
        # 2 gamma_phi D[|alpha><alpha|]: every optical coherence decays at gamma_phi
        channels.append((number, 2.0 * ensemble.dephasing * np.eye(n)))
    elif ensemble.dephasing > 0:
        identity = qutip.qeye(number[0].dims[0])
        channels.append(([2.0 * op - identity for op in number], ensemble.dephasing / 2.0 * np.eye(n)))
    if not triplet and ensemble.pumping > 0:
        channels.append((sp, ensemble.pumping * np.eye(n)))
    intensity = sum(
        (float(gamma[i, j]) * sp[i] * sm[j] for i in range(n) for j in range(n) if gamma[i, j] != 0), start=zero
    )
    lowering = sum(sm)
    observables = {"intensity": intensity, "excitation": sum(number), "lowering": lowering}
    if not triplet and ensemble.collective_decay > 0:
        raising = lowering.dag()
        observables["collective"] = raising * lowering                           # <J+ J->
        observables["pairs"] = raising * raising * lowering * lowering           # <J+ J+ J- J->
    if triplet:
        for a, label in enumerate("xyz"):
            observables[f"intensity_{label}"] = sum(
                (0.5 * float(gamma[x, y]) * (sp[x] * sm[y] + sp[y] * sm[x])
                 for x in range(a, n, 3) for y in range(n) if gamma[x, y] != 0),
                start=zero,
            )
    return hamiltonian, channels, observables


def _sector_generator(ensemble, hamiltonian, channels, q=0):
    """The model's generator on the excitation-difference sector q (matrix-free)."""
    levels = 4 if ensemble.emitter_type == "triplet" else 2
    return SectorGenerator(_csr(hamiltonian), [Channel(tuple(_csr(op) for op in ops), weights)
                                               for ops, weights in channels], ensemble.n, levels, q)


def _csr(op):
    return op.to("csr").data_as("csr_matrix")


def _product_density_matrix(n, initial, levels):
    """The product of the single-emitter states of a ProductState (ground first, then the excited level(s))."""
    import qutip

    p = initial.probabilities(n)
    shares = np.array(initial.sublevels) if levels == 4 else np.ones(1)
    factors = []
    for pk in p:
        # coherence c mixes the pure state sqrt(1 - p) |g> + e^{-i phi} sqrt(p w_a) |a> (weight c) with the
        # incoherent one (weight 1 - c): positive for every c in [0, 1]
        upper = np.sqrt(pk * shares)
        c = initial.coherence
        rho = np.zeros((levels, levels), dtype=np.complex128)
        rho[0, 0] = 1.0 - pk
        rho[1:, 1:] = c * np.outer(upper, upper) + (1 - c) * np.diag(pk * shares)
        rho[1:, 0] = c * np.sqrt(1.0 - pk) * upper * np.exp(-1j * initial.phi)
        rho[0, 1:] = np.conj(rho[1:, 0])
        factors.append(qutip.Qobj(rho))
    return qutip.tensor(factors)


def _triplet_density_matrix(n, initial):
    import qutip

    if isinstance(initial, ProductState):
        return _product_density_matrix(n, initial, 4)
    if isinstance(initial, Ground):
        pops = (0.0, 0.0, 0.0)
    else:
        pops = (initial if isinstance(initial, TripletExcitation) else TripletExcitation()).populations
    local = qutip.Qobj(np.diag([1.0 - sum(pops), *pops]))
    return qutip.tensor([local] * n)


def initial_density_matrix(n, initial, emitter_type="two-level"):
    """The initial state as a qutip density matrix on the 2^n (or 4^n) space."""
    import qutip

    if isinstance(initial, DensityMatrix):
        levels = 4 if emitter_type == "triplet" else 2
        if initial.levels_for(n) != levels:
            raise ValueError(f"initial: dimension {initial.dimension} does not match {levels}^{n}")
        return qutip.Qobj(initial.matrix, dims=[[levels] * n, [levels] * n])
    if emitter_type == "triplet":
        return _triplet_density_matrix(n, initial)

    up, down = qutip.basis(2, 1), qutip.basis(2, 0)
    if isinstance(initial, Excited):
        return qutip.ket2dm(qutip.tensor([up] * n))
    if isinstance(initial, Ground):
        return qutip.ket2dm(qutip.tensor([down] * n))
    if isinstance(initial, CoherentSpinState):
        single = initial.upper_amplitude * up + initial.lower_amplitude * down
        return qutip.ket2dm(qutip.tensor([single] * n))
    if isinstance(initial, ProductState):
        return _product_density_matrix(n, initial, 2)
    if isinstance(initial, DickeState):
        initial.validate_for(n)
        # projector onto the (j, m) eigenspace of J^2 and J_z, normalised
        sm = _lowering_operators(n)
        jm = sum(sm)
        jz = sum(op.dag() * op for op in sm) - n / 2.0
        j2 = (jm.dag() * jm + jz * jz - jz).full()
        jzd = np.real(np.diag(jz.full()))
        target_j2 = initial.j * (initial.j + 1.0)
        sel = np.abs(jzd - initial.m) < 1e-9
        block = j2[np.ix_(sel, sel)]
        w, v = np.linalg.eigh(block)
        keep = np.abs(w - target_j2) < 1e-8
        basis = np.zeros((2**n, int(keep.sum())), dtype=complex)
        basis[sel] = v[:, keep]
        rho = basis @ basis.conj().T / keep.sum()
        dims = [[2] * n, [2] * n]
        return qutip.Qobj(rho, dims=dims)
    raise ValueError(f"unsupported initial state {initial!r}")


def _expectation_rows(operators):
    """Row vectors o with Tr(O rho) = o @ vec(rho) (QuTiP column stacking)."""
    import qutip

    return np.array([qutip.operator_to_vector(op.dag()).full().ravel().conj() for op in operators])


@contextlib.contextmanager
def _seeded_estimates():
    """Fixed seed for scipy's norm estimates inside expm_multiply (they draw from NumPy's global generator).

    The number of Taylor terms depends on the estimates; seeding makes a run repeat bit for bit, and the
    caller's global random state is restored afterwards.
    """
    state = np.random.get_state()  # noqa: NPY002 - scipy's onenormest draws from the legacy global generator
    np.random.seed(0)  # noqa: NPY002
    try:
        yield
    finally:
        np.random.set_state(state)  # noqa: NPY002


def _one_norm(liouvillian):
    """||L||_1: exact for a sparse matrix, scipy's estimate for a matrix-free sector generator."""
    from scipy.sparse.linalg import LinearOperator, onenormest
    from scipy.sparse.linalg import norm as sparse_norm

    if isinstance(liouvillian, LinearOperator):
        with _seeded_estimates():
            return float(onenormest(liouvillian))
    return float(sparse_norm(liouvillian, 1))


def _work(liouvillian):
    """Multiply-adds of one product with the generator (for the progress bar's decision)."""
    return float(getattr(liouvillian, "work", None) or liouvillian.nnz)


def _check_memory(dimension, hilbert_dim, stored_states, *, extra_vectors=0):
    """Refuse a run whose propagation vectors (a block of output states and the Taylor series' work vectors),
    ``extra_vectors`` kept sector vectors (states at every output time) and stored full density matrices would
    not fit in memory."""
    from .._resources import check_memory

    vectors = (_TIME_BLOCK + 12 + extra_vectors) * dimension * 16.0
    if stored_states:
        check_memory(vectors + stored_states * hilbert_dim**2 * 16.0, parameter="store_states",
                     what=f"propagating {dimension} amplitudes and keeping {stored_states} density matrices of "
                          f"dimension {hilbert_dim}", alternative="store_states=False")
    else:
        check_memory(vectors, parameter="times" if extra_vectors else "n",
                     what=f"propagating {dimension} amplitudes" + (f" and keeping {extra_vectors} sector vectors "
                                                                   "(states at the output times)"
                                                                   if extra_vectors else ""),
                     alternative="fewer output times" if extra_vectors else "fewer emitters")


#: generators of at most this dimension are propagated with a dense matrix exponential per time step
DENSE_PROPAGATOR_MAX = 300


class _Propagator:
    """States exp(L k h) v, k = 0 .. count, for a generator L (sparse matrix or LinearOperator).

    Small generators (dimension <= :data:`DENSE_PROPAGATOR_MAX`): the dense exp(L h) of each step length
    (scipy's scaling and squaring Pade), applied count times. Larger ones: scipy's ``expm_multiply``
    (truncated Taylor series with scaling, accurate to double precision), its norm estimates seeded.
    """

    def __init__(self, liouvillian):
        self.liouvillian = liouvillian
        small = liouvillian.shape[0] <= DENSE_PROPAGATOR_MAX and hasattr(liouvillian, "toarray")
        self.dense = liouvillian.toarray() if small else None
        self._steps = {}

    def states(self, vec, step, count):
        if self.dense is None:
            from scipy.sparse.linalg import expm_multiply

            with _seeded_estimates():
                return expm_multiply(self.liouvillian, vec, start=0.0, stop=count * step, num=count + 1,
                                     endpoint=True, traceA=getattr(self.liouvillian, "trace_value", None))
        from scipy.linalg import expm

        propagator = self._steps.get(float(step))
        if propagator is None:
            propagator = self._steps[float(step)] = expm(step * self.dense)
        out = np.empty((count + 1, vec.size), dtype=np.complex128)
        out[0] = vec
        for k in range(count):
            out[k + 1] = propagator @ out[k]
        return out


def _propagate(liouvillian, vec0, times, rows, *, block=None, keep_states=False, bar=None):
    """Expectation values rows @ exp(L (t - t0)) vec0 at every output time.

    Propagates (:class:`_Propagator`) on blocks of equally spaced times, or
    interval by interval on an irregular grid. With ``keep_states`` the
    vectorised states at every time are returned as well.
    """
    propagator = _Propagator(liouvillian)
    block = block or _TIME_BLOCK
    out = np.empty((len(times), rows.shape[0]), dtype=complex)
    out[0] = rows @ vec0
    kept = [vec0] if keep_states else None
    vec = vec0
    steps = np.diff(times)
    i = 0
    while i < len(steps):
        j = i + 1
        while j < len(steps) and j - i < block and abs(steps[j] - steps[i]) <= 1e-12 * abs(steps[i]):
            j += 1
        count = j - i
        states = propagator.states(vec, steps[i], count)
        out[i + 1 : j + 1] = states[1:] @ rows.T
        if keep_states:
            kept.extend(states[1:])
        vec = states[-1]
        if bar is not None:
            bar.update(count)
        i = j
    return out, kept


def solve(ensemble, times, initial, *, max_steps=DEFAULT_MAX_PRODUCTS, progress=None, store_states=False):
    """Integrate the full master equation on the 2^n (4^n) space, sector by sector.

    The operators come from :func:`model_channels` (QuTiP). Every process
    conserves the difference q of the ket's and the bra's excitation numbers,
    so the Liouvillian is block diagonal in q. Populations and coherences
    within one excitation number (q = 0, dimension C(2n, n) instead of 4^n
    for two-level emitters) give every observable but <J->, which reads the
    q = 1 sector; a start without coherences between excitation numbers
    (excited, ground, Dicke, incoherent product, triplet excitation) has
    none there and evolves on q = 0 only, a coherent one on q = 0 and q = 1.
    The sector generators are applied matrix-free
    (:class:`~sf_dynamics.solvers._sectors.SectorGenerator`). Only
    ``store_states`` with a coherent start propagates QuTiP's full
    Liouvillian. The state is propagated exactly with the matrix
    exponential action (scipy ``expm_multiply``), so the only error is
    floating-point round-off.

    Parameters
    ----------
    ensemble : Ensemble or NanocrystalEnsemble
        n <= 12 two-level emitters or n <= 5 nanocrystals.
    times : ndarray
        Output times (ps).
    initial : state
        Excited, Ground, DickeState, CoherentSpinState, TripletExcitation, or a
        :class:`~sf_dynamics.model.states.DensityMatrix` / ``qutip.Qobj`` of
        the full space (ordering in :mod:`sf_dynamics.model.states`).
    max_steps : int
        Budget of matrix-vector products; the propagation needs about
        ||L||_1 x window of them (a pumping rate of 10^6 /ps over 10 ps would
        need ~10^8), and is refused beforehand when that exceeds the budget.
    progress : bool or None
        Progress bar over the output times.
    store_states : bool
        Keep the density matrix (``qutip.Qobj``) at every output time in
        ``result.states``.

    Returns
    -------
    Result
        With ``data["coherence"]`` (<J->) and ``data["trace"]``.

    Raises
    ------
    ValueError
        When the propagation would exceed ``max_steps`` products or the memory, or ``store_states`` asks for the
        full density matrix of a coherent start beyond n = 10 emitters (4 nanocrystals).
    """
    import qutip

    start = _time.perf_counter()
    levels = 4 if ensemble.emitter_type == "triplet" else 2
    if not isinstance(store_states, (bool, np.bool_)):
        raise ValueError(f"store_states must be True or False, got {store_states!r}")
    with qutip.CoreOptions(default_dtype="csr"):
        hamiltonian, channels, obs = model_channels(ensemble)
        rho0 = initial_density_matrix(ensemble.n, initial, ensemble.emitter_type)
        identity = qutip.qeye(rho0.dims[0])
        names = ["intensity", "excitation", "lowering"] + [k for k in ("intensity_x", "intensity_y", "intensity_z",
                                                                        "collective", "pairs") if k in obs]
        rho_full = rho0.full()
        exc = excitation_numbers(ensemble.n, levels)
        zero_sector = not np.any(rho_full[exc[:, None] != exc[None, :]])
        largest = MAX_FULL_NANOCRYSTALS if levels == 4 else MAX_FULL_EMITTERS
        if store_states and not zero_sector and ensemble.n > largest:
            raise ValueError(f"store_states: the full density matrix of a start with coherences between excitation "
                             f"numbers needs the full Liouvillian, limited to n <= {largest}, got n = {ensemble.n} "
                             "(without store_states every observable comes from the q = 0 and q = 1 sectors)")
        # runs: (generator, initial vector, rows, columns of the expectations they give)
        if zero_sector or not store_states:
            # populations and coherences within one excitation number (q = 0) give every observable but <J->;
            # <J-> reads the q = 1 sector, evolved on its own when the start has coherences there
            sector = _sector_generator(ensemble, hamiltonian, channels, 0)
            others = [k for k in range(len(names)) if names[k] != "lowering"]
            runs = [(sector, sector.pack(rho_full),
                     np.array([sector.row(_csr(obs[names[k]])) for k in others] + [sector.row(_csr(identity))]),
                     [*others, len(names)])]
            if not zero_sector:
                raised = _sector_generator(ensemble, hamiltonian, channels, 1)
                runs.append((raised, raised.pack(rho_full), raised.row(_csr(obs["lowering"]))[None, :],
                             [names.index("lowering")]))
            runs = [(gen.operator(), vec, rows, columns) for gen, vec, rows, columns in runs]
        else:   # the full density matrix at every output time, coherences between excitation numbers included
            full = _csr(qutip.liouvillian(hamiltonian, _collapse_operators(channels)))
            runs = [(full, qutip.operator_to_vector(rho0).full().ravel(),
                     _expectation_rows([obs[k] for k in names] + [identity]), list(range(len(names) + 1)))]
    from .._resources import check_step_budget
    from .._validation import check_positive_int

    max_steps = check_positive_int("max_steps", max_steps)
    span = float(times[-1] - times[0])
    l_norm = max(_one_norm(run[0]) for run in runs)
    check_step_budget(l_norm * span, parameter="times", max_steps=max_steps,
                      what=f"propagating a Liouvillian of norm {l_norm:.3g} /ps over {span:.3g} ps "
                           "(matrix-vector products)",
                      alternative="shorten the window or lower the largest rate or detuning")
    dim = int(rho0.shape[0])
    _check_memory(max(run[0].shape[0] for run in runs), dim, len(times) if store_states else 0)
    expect = np.zeros((len(times), len(names) + 1), dtype=complex)
    kept = None
    with progress_bar(progress, total=len(runs) * (len(times) - 1), size=_work(runs[0][0]), desc=NAME) as bar:
        for liouvillian, vec0, rows, columns in runs:
            values, kept = _propagate(liouvillian, vec0, np.asarray(times), rows, keep_states=bool(store_states),
                                      bar=bar)
            expect[:, columns] = values
    states = None
    if kept is not None:
        states = [qutip.Qobj(sector.unpack(v, dim) if zero_sector else v.reshape(dim, dim, order="F"), dims=rho0.dims)
                  for v in kept]
    params = ensemble.parameters()
    params.update(initial=initial.describe())
    data = {"coherence": expect[:, 2], "trace": np.real(expect[:, -1])}
    if ensemble.emitter_type == "triplet":
        data["intensity_by_polarization"] = np.real(expect[:, 3:6])
    elif "pairs" in obs:
        # equal-time second-order coherence of the collective channel (as method 'permutational')
        collective, pairs = np.real(expect[:, 3]), np.real(expect[:, 4])
        data["g2"] = equal_time_g2(pairs, collective)
        data["pair_rate"] = collective_pair_rate(pairs, ensemble.collective_decay)
        data["collective_rate"] = np.float64(ensemble.collective_decay) * collective
    return Result(
        times,
        np.real(expect[:, 0]),
        np.real(expect[:, 1]),
        NAME,
        params,
        data=data,
        info={"wall_time": _time.perf_counter() - start, "hilbert_dim": dim,
              "liouville_dim": int(sum(run[0].shape[0] for run in runs)),
              "sector": "q = 0" if zero_sector else "q = 0, 1" if not store_states else "full"},
        states=states,
    )


def detector_channels(ensemble, detector):
    """The detected fields of ``detector`` as (weight, E-) pairs of full-space operators.

    The eigen-decomposition W = sum_k lambda_k v_k v_k^dag of the detector's
    dipole weight matrix (:func:`_detector_weights`), fields sum_i v_ki s-_i
    with weights lambda_k: ``"total"``, W = Gamma (photons into all modes);
    ``"collective"``, W = Gamma_c 1 1^T (the field J- / sqrt(n) with weight
    n Gamma_c); an array of complex amplitudes a_i (one per dipole),
    W = a a^dag (the field along a with weight |a|^2).
    """
    sm = _lowering_operators(ensemble.n, _levels(ensemble))
    channels = _eigen_fields(_detector_weights(ensemble, detector), sm)
    return channels or [(0.0, 0 * sm[0])]


def _detector_weights(ensemble, detector):
    """The detector as a dipole weight matrix W: detected jumps sum_de W_de S_d rho S_e^dag (W = Gamma for
    ``"total"``, Gamma_c 1 1^T for ``"collective"``, a a^dag for field amplitudes a); its eigen-fields are
    :func:`detector_channels`."""
    if not isinstance(detector, str):
        amplitudes = np.asarray(detector, dtype=np.complex128)
        return np.outer(amplitudes, np.conj(amplitudes))
    if detector == "collective":
        return float(ensemble.collective_decay) * np.ones((ensemble.n, ensemble.n))
    return np.asarray(ensemble.gamma_matrix(), dtype=float)


def _correlation_setup(ensemble, initial, sectors, detector):
    """Sector generators (q in ``sectors``), the q = 0 part of the initial state, the identity, the dipole
    operators and the detector's (weight, E-) channels (None without a detector), operators as scipy CSR
    matrices.

    QuTiP builds the operators in one CoreOptions block (entering one costs tens of milliseconds).
    """
    import qutip

    with qutip.CoreOptions(default_dtype="csr"):
        hamiltonian, channels, _ = model_channels(ensemble)
        rho0 = initial_density_matrix(ensemble.n, initial, ensemble.emitter_type)
        identity = _csr(qutip.qeye(rho0.dims[0]))
        dipoles = tuple(_csr(op) for op in _lowering_operators(ensemble.n, _levels(ensemble)))
        fields = None if detector is None else [(w, _csr(op)) for w, op in detector_channels(ensemble, detector)]
    generators = {q: _sector_generator(ensemble, hamiltonian, channels, q) for q in sectors}
    return generators, generators[0].pack(rho0.full()), identity, dipoles, fields


def _levels(ensemble):
    return 4 if ensemble.emitter_type == "triplet" else 2


def first_order_correlation(ensemble, times, taus, initial, detector="total", *, progress=None):
    """Two-time field correlation G1(t, tau) = sum_k w_k <E+_k(t + tau) E-_k(t)> by the quantum regression theorem.

    Every process conserves q = (excitations of the ket) - (excitations of the bra): rho(t) is needed only in
    its q = 0 sector and E- rho(t) only in q = -1 (the sector Tr[E+ .] reads). rho(t) is propagated on q = 0;
    for every detected channel the row of E+ is propagated once over the delays with the transposed q = -1
    generator (Heisenberg picture) and G1 = Tr[E+ e^{L tau}(E- rho(t))] for every t at once (exact to round-off).

    Parameters
    ----------
    ensemble : Ensemble or NanocrystalEnsemble
    times, taus : ndarray
        Output times t (ps, from the excitation) and delays tau >= 0 (ps).
    initial : state
    detector : {"total", "collective"} or ndarray
        See :func:`detector_channels`.
    progress : bool or None

    Returns
    -------
    ndarray of complex128, shape (len(times), len(taus))
        In photons/ps at tau = 0 (G1(t, 0) is the detected photon rate).
    """
    generators, vec0, identity, _, channels = _correlation_setup(ensemble, initial, (0, -1), detector)
    populations, lowered = generators[0], generators[-1]
    _check_memory(populations.dimension, 0, 0, extra_vectors=2 * len(times))
    _, states = _propagate(populations.operator(), vec0, np.asarray(times), populations.row(identity)[None, :],
                           keep_states=True)
    transposed = lowered.operator(transpose=True)
    out = np.zeros((len(times), len(taus)), dtype=np.complex128)
    with progress_bar(progress, total=len(channels) * (len(taus) - 1),
                      size=_work(transposed) * len(taus) * len(channels), desc="exact G1") as bar:
        for weight, field in channels:
            lower = lowered.left_multiplier(field, populations)
            moved = np.column_stack([lower(vec) for vec in states])    # E- rho(t), one column per time
            # Tr[E+ e^{L tau} X] = (row e^{L tau}) X: one row propagated with L^T serves every time t
            for first, rows in _adjoint_rows(transposed, lowered.row(field.conj().T), np.asarray(taus), bar=bar):
                out[:, first : first + len(rows)] += weight * (rows @ moved).T
    return out


def second_order_correlation(ensemble, times, taus, initial, detector="total", *, progress=None):
    """Intensity correlation G2(t, tau) = sum_kl w_k w_l <E+_k(t) E+_l(t + tau) E-_l(t + tau) E-_k(t)>.

    By the quantum regression theorem G2 = Tr[O e^{L tau}(sum_k w_k E-_k rho(t)
    E+_k)] with O = sum_l w_l E+_l E-_l, the detected photon rate: rho(t) and
    the moved states live in the q = 0 sector; the row of O is propagated once
    with the transposed generator (exact to round-off).

    Parameters
    ----------
    ensemble, times, taus, initial, detector, progress
        As for :func:`first_order_correlation`.

    Returns
    -------
    G2 : ndarray of float64, shape (len(times), len(taus))
        Detected photon pairs/ps^2 (delay tau after a photon at t).
    rate : ndarray of float64, shape (len(times),)
        The detected photon rate sum_l w_l <E+_l E-_l> (photons/ps).
    """
    generators, vec0, _, dipoles, channels = _correlation_setup(ensemble, initial, (0,), detector)
    populations = generators[0]
    rate_op = sum((w * (op.conj().T @ op) for w, op in channels), start=0 * (channels[0][1].conj().T @ channels[0][1]))
    rate_row = populations.row(rate_op.tocsr())
    _check_memory(populations.dimension, 0, 0, extra_vectors=2 * len(times))
    rate, states = _propagate(populations.operator(), vec0, np.asarray(times), rate_row[None, :], keep_states=True)
    jumps = SectorGenerator.jumps([Channel(dipoles, _detector_weights(ensemble, detector))], ensemble.n,
                                  _levels(ensemble), 0)
    moved = np.column_stack([jumps.apply(vec) for vec in states])    # sum_k w_k E-_k rho(t) E+_k
    transposed = populations.operator(transpose=True)
    out = np.zeros((len(times), len(taus)))
    with progress_bar(progress, total=len(taus) - 1, size=_work(transposed) * len(taus), desc="exact G2") as bar:
        for first, rows in _adjoint_rows(transposed, rate_row, np.asarray(taus), bar=bar):
            out[:, first : first + len(rows)] = np.real(rows @ moved).T
    return out, np.real(rate[:, 0])


def counting_moments(ensemble, times, initial, detector="total", *, efficiency=1.0, local_efficiency=0.0,
                     progress=None):
    """Mean and second factorial moment of the photons counted in [times[0], t] (counting hierarchy).

    The counted-jump superoperator is K rho = eta sum_k w_k E-_k rho E+_k over
    the detector's channels, plus (``detector="collective"`` only) eta_l
    gamma sum_i s-_i rho s+_i for the local decay channels; with A = [[L, 0, 0],
    [K, L, 0], [0, K, L]] on three copies of the q = 0 sector the vector
    (rho_0, rho_1, rho_2) is propagated exactly (``expm_multiply``) and
    <n> = Tr rho_1, <n(n - 1)> = 2 Tr rho_2.

    Parameters
    ----------
    ensemble, times, initial, detector
        As for :func:`second_order_correlation`.
    efficiency, local_efficiency : float
        Detection probabilities in [0, 1] (validated by the caller).
    progress : bool or None

    Returns
    -------
    ndarray of float64, shape (len(times), 2)
    """
    import scipy.sparse as sp
    from scipy.sparse.linalg import LinearOperator

    if local_efficiency > 0 and detector != "collective":
        raise ValueError(f"local_efficiency: the local channels are counted beside the collective one only; the "
                         f"detector {detector!r} already holds every channel it sees (give local_efficiency=0)")
    generators, vec0, identity, dipoles, _ = _correlation_setup(ensemble, initial, (0,), None)
    populations = generators[0]
    counted = efficiency * _detector_weights(ensemble, detector)
    if local_efficiency > 0 and ensemble.decay > 0:
        counted = counted + local_efficiency * float(ensemble.decay) * np.eye(ensemble.n)
    jumps = SectorGenerator.jumps([Channel(dipoles, counted)], ensemble.n, _levels(ensemble), 0)
    scale = float(max(1, ensemble.n))   # rho_k scaled by scale^-k (comparable norms)
    size = populations.dimension
    forward, backward = populations.apply, populations.adjoint().apply
    jump, jump_adjoint = jumps.apply, jumps.adjoint().apply

    def matvec(vec):
        x = np.asarray(vec).reshape(-1)
        parts = [x[:size], x[size: 2 * size], x[2 * size:]]
        return np.concatenate([forward(parts[0]), forward(parts[1]) + jump(parts[0]) / scale,
                               forward(parts[2]) + jump(parts[1]) / scale])

    def rmatvec(vec):
        y = np.asarray(vec).reshape(-1)
        parts = [y[:size], y[size: 2 * size], y[2 * size:]]
        return np.concatenate([backward(parts[0]) + jump_adjoint(parts[1]) / scale,
                               backward(parts[1]) + jump_adjoint(parts[2]) / scale, backward(parts[2])])

    if size <= MATERIALISED_MAX:   # small sectors: one sparse matrix (see SectorGenerator.operator)
        generator, jump_matrix = populations.matrix(), jumps.matrix() / scale
        augmented = sp.bmat([[generator, None, None], [jump_matrix, generator, None],
                             [None, jump_matrix, generator]], format="csr")
    else:
        augmented = LinearOperator((3 * size, 3 * size), matvec=matvec, rmatvec=rmatvec, dtype=np.complex128)
        augmented.trace_value = 3.0 * populations.trace()    # block triangular
        augmented.work = 3.0 * populations.work + 2.0 * jumps.work
    start = np.zeros(3 * size, dtype=np.complex128)
    start[:size] = vec0
    trace_row = populations.row(identity)
    rows = np.zeros((2, 3 * size), dtype=np.complex128)
    rows[0, size : 2 * size] = trace_row
    rows[1, 2 * size :] = trace_row
    with progress_bar(progress, total=len(times) - 1, size=_work(augmented), desc="exact counting") as bar:
        moments, _ = _propagate(augmented, start, np.asarray(times), rows, bar=bar)
    moments = np.real(moments)
    return np.column_stack([scale * moments[:, 0], 2.0 * scale * scale * moments[:, 1]])


def _adjoint_rows(transposed, row, taus, *, bar=None, budget_bytes=2**30):
    """Yield (first index, row @ exp(L tau) for a block of delays) on equally spaced delays from 0.

    The row is propagated with the transposed generator ``transposed`` = L^T (Heisenberg picture), in
    blocks of delays whose stored rows stay under ``budget_bytes``.
    """
    propagator = _Propagator(transposed)
    block = int(max(1, min(_TIME_BLOCK, budget_bytes // (16 * row.size))))
    step = taus[1] - taus[0]
    yield 0, row[None, :]
    i = 0
    while i < len(taus) - 1:
        count = min(block, len(taus) - 1 - i)
        rows = propagator.states(row, step, count)
        yield i + 1, rows[1:]
        row = rows[-1]
        i += count
        if bar is not None:
            bar.update(count)
