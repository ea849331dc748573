"""Two-time correlations of method ``"exact"`` by the quantum regression theorem, in adjoint form: G1(t, tau)
and G2(t, tau) of any detector."""

from __future__ import annotations

import numpy as np

from ..._progress import progress_bar
from .._sectors import Channel, SectorGenerator
from .model import (
    _csr,
    _detector_weights,
    _levels,
    detector_channels,
    initial_density_matrix,
    lowering_operators,
    model_channels,
    sector_generator,
)
from .propagation import _TIME_BLOCK, _check_memory, _Propagator, _work, propagate

__all__ = ["first_order_correlation", "second_order_correlation"]


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
        dipoles = tuple(_csr(op) for op in lowering_operators(ensemble.n, _levels(ensemble)))
        fields = None if detector is None else [(w, _csr(op)) for w, op in detector_channels(ensemble, detector)]
    generators = {q: sector_generator(ensemble, hamiltonian, channels, q) for q in sectors}
    return generators, generators[0].pack(rho0.full()), identity, dipoles, fields


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
    _, states = propagate(populations.operator(), vec0, np.asarray(times), populations.row(identity)[None, :],
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
    rate, states = propagate(populations.operator(), vec0, np.asarray(times), rate_row[None, :], keep_states=True)
    jumps = SectorGenerator.jumps([Channel(dipoles, _detector_weights(ensemble, detector))], ensemble.n,
                                  _levels(ensemble), 0)
    moved = np.column_stack([jumps.apply(vec) for vec in states])    # sum_k w_k E-_k rho(t) E+_k
    transposed = populations.operator(transpose=True)
    out = np.zeros((len(times), len(taus)))
    with progress_bar(progress, total=len(taus) - 1, size=_work(transposed) * len(taus), desc="exact G2") as bar:
        for first, rows in _adjoint_rows(transposed, rate_row, np.asarray(taus), bar=bar):
            out[:, first : first + len(rows)] = np.real(rows @ moved).T
    return out, np.real(rate[:, 0])


def _adjoint_rows(transposed, row, taus, *, bar=None, budget_bytes=2**30):
    """Yield (first index, row @ exp(L tau) for a block of delays) on equally spaced delays from 0.

    The row is propagated with the transposed generator ``transposed`` = L^T (Heisenberg picture), in
    blocks of delays whose stored rows stay under ``budget_bytes``.
    """
    propagator = _Propagator(transposed)
    block = int(max(1, min(_TIME_BLOCK, budget_bytes // (16 * row.size))))
    step = (taus[-1] - taus[0]) / (len(taus) - 1)   # the mean step (delays are equally spaced, is_uniform)
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
