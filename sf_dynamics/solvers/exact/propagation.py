"""The one-time solve of method ``"exact"``: exact propagation with the matrix-exponential action, sector by
sector, its step budget and memory checks."""

from __future__ import annotations

import contextlib
import time as _time

import numpy as np

from ..._progress import progress_bar
from ..._validation import is_uniform
from ...result import Result
from .._sectors import excitation_numbers
from ..coherence import collective_pair_rate, equal_time_g2
from .capabilities import DEFAULT_MAX_PRODUCTS, MAX_FULL_EMITTERS, MAX_FULL_NANOCRYSTALS, NAME
from .model import _collapse_operators, _csr, expectation_rows, initial_density_matrix, model_channels, sector_generator

__all__ = ["DENSE_PROPAGATOR_MAX", "propagate", "solve"]

#: output times propagated together by one expm_multiply call
_TIME_BLOCK = 25


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
    from ..._resources import check_memory

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


def propagate(liouvillian, vec0, times, rows, *, block=None, keep_states=False, bar=None):
    """Expectation values rows @ exp(L (t - t0)) vec0 at every output time.

    Propagates (:class:`_Propagator`) on blocks of up to ``block`` equally spaced times (equal steps as
    decided by :func:`~sf_dynamics._validation.is_uniform`, 1e-9 relative, so times read from a file
    are one grid), each block with its mean step so that it ends exactly at its last time; an irregular
    grid goes interval by interval. With ``keep_states`` the vectorised states at every time are returned
    as well.
    """
    propagator = _Propagator(liouvillian)
    block = block or _TIME_BLOCK
    out = np.empty((len(times), rows.shape[0]), dtype=complex)
    out[0] = rows @ vec0
    kept = [vec0] if keep_states else None
    vec = vec0
    last = len(times) - 1
    uniform = is_uniform(times)
    i = 0
    while i < last:
        j = min(i + block, last) if uniform else i + 1
        while not uniform and j < last and j - i < block and is_uniform(times[i : j + 2]):
            j += 1
        count = j - i
        states = propagator.states(vec, (times[j] - times[i]) / count, count)
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
            sector = sector_generator(ensemble, hamiltonian, channels, 0)
            others = [k for k in range(len(names)) if names[k] != "lowering"]
            runs = [(sector, sector.pack(rho_full),
                     np.array([sector.row(_csr(obs[names[k]])) for k in others] + [sector.row(_csr(identity))]),
                     [*others, len(names)])]
            if not zero_sector:
                raised = sector_generator(ensemble, hamiltonian, channels, 1)
                runs.append((raised, raised.pack(rho_full), raised.row(_csr(obs["lowering"]))[None, :],
                             [names.index("lowering")]))
            runs = [(gen.operator(), vec, rows, columns) for gen, vec, rows, columns in runs]
        else:   # the full density matrix at every output time, coherences between excitation numbers included
            full = _csr(qutip.liouvillian(hamiltonian, _collapse_operators(channels)))
            runs = [(full, qutip.operator_to_vector(rho0).full().ravel(),
                     expectation_rows([obs[k] for k in names] + [identity]), list(range(len(names) + 1)))]
    from ..._resources import check_step_budget
    from ..._validation import check_positive_int
    from ...model.timescales import step_culprit

    max_steps = check_positive_int("max_steps", max_steps)
    span = float(times[-1] - times[0])
    l_norm = max(_one_norm(run[0]) for run in runs)
    if not l_norm * span <= max_steps:
        culprit, reason, alternative = step_culprit(ensemble, span)
        check_step_budget(l_norm * span, parameter=culprit, max_steps=max_steps,
                          what=f"{reason}: propagating a Liouvillian of norm {l_norm:.3g} /ps (matrix-vector "
                               "products)", alternative=alternative)
    dim = int(rho0.shape[0])
    _check_memory(max(run[0].shape[0] for run in runs), dim, len(times) if store_states else 0)
    expect = np.zeros((len(times), len(names) + 1), dtype=complex)
    kept = None
    with progress_bar(progress, total=len(runs) * (len(times) - 1), size=_work(runs[0][0]), desc=NAME) as bar:
        for liouvillian, vec0, rows, columns in runs:
            values, kept = propagate(liouvillian, vec0, np.asarray(times), rows, keep_states=bool(store_states),
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
