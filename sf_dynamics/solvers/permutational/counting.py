"""Photon-counting moments of method ``"permutational"``: the counting hierarchy on three population
vectors."""

from __future__ import annotations

import numpy as np

from ..._progress import progress_bar
from ..._resources import DEFAULT_MAX_STEPS, check_memory
from ...integrate.stiff import integrate_linear
from ...kernels import dicke_basis as kb
from .capabilities import NAME
from .ladders import (
    LADDER_VECTORS,
    _lowering_pairs,
    initial_ladder_count,
    initial_sectors,
    ladder_need,
    ladder_rates,
    sector_solver,
)

__all__ = ["counting_moments"]


def counting_moments(ensemble, times, initial, *, efficiency=1.0, local_efficiency=0.0, tol=1e-8, progress=None,
                     max_steps=DEFAULT_MAX_STEPS):
    """Mean and second factorial moment of the photons counted in [times[0], t], exactly.

    Photons of the collective channel are counted with probability
    ``efficiency`` and those of the local channel with ``local_efficiency``
    (independently: binomial thinning). With the counted-jump superoperator
    K = eta_c K_c + eta_l K_l, the counting hierarchy d rho_0/dt = L rho_0,
    d rho_k/dt = L rho_k + K rho_{k-1} gives <n> = Tr rho_1 and <n(n - 1)> =
    2 Tr rho_2 (the factorial moments of the counting generating function;
    equivalently 2 int int G2 over the gate with G2 of the counted channels).
    For a diagonal start every rho_k stays diagonal in the Dicke basis: the
    three population vectors are integrated together with SDIRK4 (block
    lower-triangular stages, each a direct solve of the population sector).

    Parameters
    ----------
    ensemble : Ensemble
        Identical emitters (the conditions of :func:`solve`).
    times : ndarray
        Gate ends (ps); counting starts at times[0].
    initial : state
    efficiency, local_efficiency : float
        Detection probabilities of a collective- and of a local-channel photon, in [0, 1].
    tol, progress, max_steps
        As for :func:`first_order_correlation`.

    Returns
    -------
    ndarray of float64, shape (len(times), 2)
        <n> and <n(n - 1)> of the counted photons.
    """
    from ...kernels.jumps import TRANSITIONS, emission_rates

    n = ensemble.n
    count = initial_ladder_count(ensemble, times, initial)
    rates = ladder_rates(ensemble)
    estimate, what, _ = ladder_need(n, count, NAME, LADDER_VECTORS["counting"])
    check_memory(estimate, parameter="n", what=f"{what}: three population vectors (counting hierarchy)",
                 alternative="method 'jumps' samples the photon counts with O(shots) memory")
    pop0, _ = initial_sectors(n, count, initial)
    solve0, off0, lmax0, pre0 = sector_solver(n, count, 0, rates, 0.0, tol)
    stiffness = kb.max_loss_rate(n, off0, lmax0, pre0, rates)
    counted = _counted_jumps(n, count, off0, lmax0, pre0, rates, efficiency, local_efficiency, emission_rates,
                             TRANSITIONS)
    scale = float(max(1, n))   # rho_k scaled by scale^-k: the three blocks have comparable norms
    counted = counted / scale
    size = pop0.size

    def solve(alpha, rhs, x):
        for block in range(3):
            part = slice(block * size, (block + 1) * size)
            b = rhs[part] if block == 0 else rhs[part] + alpha * (counted @ x[(block - 1) * size : block * size])
            solve0(alpha, b, x[part])

    y0 = np.concatenate([pop0, np.zeros(2 * size)])
    with progress_bar(progress, total=len(times) - 1, size=3 * size, desc="permutational counting") as bar:
        moments, _ = integrate_linear(
            solve, y0, times, lambda y: np.array([y[size : 2 * size].sum(), y[2 * size :].sum()]),
            tol=tol, stiffness=stiffness, max_steps=max_steps, progress=bar)
    return np.column_stack([scale * moments[:, 0], 2.0 * scale * scale * moments[:, 1]])


def _counted_jumps(n, count, offsets, lmax, pre, rates, efficiency, local_efficiency, emission_rates, transitions):
    """Sparse K = eta_c K_c + eta_l K_l on the population sector: the photon-emitting transitions only."""
    from scipy import sparse

    size = offsets[-1]
    out = np.zeros((size, 4))
    emission_rates(n, offsets, lmax, pre, float(rates[0]), out)
    rows, ladders, _ = _lowering_pairs(n, offsets)
    weights = np.array([efficiency, local_efficiency, local_efficiency, local_efficiency])
    targets, sources, values = [], [], []
    for i in range(4):
        dl, dk = int(transitions[i, 0]), int(transitions[i, 1])
        new_row, new_ladder = rows + dk, ladders + dl
        ok = (out[:, i] > 0) & (new_row <= n) & (new_ladder >= 0)
        ok[ok] &= new_ladder[ok] <= lmax[new_row[ok]]   # jumps out of the kept ladders are lost (leak)
        if weights[i] > 0 and np.any(ok):
            targets.append(offsets[new_row[ok]] + new_ladder[ok])
            sources.append(np.flatnonzero(ok))
            values.append(weights[i] * out[ok, i])
    if not targets:
        return sparse.csr_matrix((size, size))
    return sparse.csr_matrix((np.concatenate(values), (np.concatenate(targets), np.concatenate(sources))),
                             shape=(size, size))
