"""Photon-counting moments of method ``"exact"``: the counting hierarchy on three copies of the q = 0 sector."""

from __future__ import annotations

import numpy as np

from ..._progress import progress_bar
from .._sectors import MATERIALISED_MAX, Channel, SectorGenerator
from .correlations import _correlation_setup
from .model import _detector_weights, _levels
from .propagation import _work, propagate

__all__ = ["counting_moments"]


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
        moments, _ = propagate(augmented, start, np.asarray(times), rows, bar=bar)
    moments = np.real(moments)
    return np.column_stack([scale * moments[:, 0], 2.0 * scale * scale * moments[:, 1]])
