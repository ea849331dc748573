"""Two-time correlations of the collective channel for method ``"permutational"`` by the quantum regression
theorem, in adjoint form: G1(t, tau) and G2(t, tau)."""

from __future__ import annotations

import numba as nb
import numpy as np

from ..._progress import progress_bar
from ..._resources import DEFAULT_MAX_STEPS, check_memory
from ...integrate.stiff import integrate_linear
from ...kernels import dicke_basis as kb
from .capabilities import NAME
from .ladders import _check_memory, _lowering_pairs, initial_ladder_count, initial_sectors, ladder_rates, sector_solver

__all__ = ["first_order_correlation", "second_order_correlation"]


def first_order_correlation(ensemble, times, taus, initial, detector="collective", *, tol=1e-8, progress=None,
                            max_steps=DEFAULT_MAX_STEPS):
    """Collective-channel G1(t, tau) = Gamma_c <J+(t + tau) J-(t)> by the quantum regression theorem.

    Only the q = -1 part of J- rho(t) contributes to Tr[J+ (.)], and it comes
    from the populations of rho(t) (q = 0). Its Hermitian conjugate
    y(t) = rho(t) J+ lies in the q = 1 sector, with elements p(j, m) sqrt((j +
    m)(j - m + 1)), and G1 = Gamma_c conj(l0 . e^{M1 tau} y(t)) with l0 the
    coefficients of <J-> and M1 the q = 1 generator of the one-time
    coherences. Instead of one propagation per output time, the row vector
    l(tau) = e^{M1^T tau} l0 is propagated once over the delays (adjoint
    form, transposed direct solves) and contracted with y(t) at every t: two
    SDIRK4 runs in all.

    Parameters
    ----------
    ensemble : Ensemble
        Identical emitters (the same conditions as :func:`solve`).
    times, taus : ndarray
        Output times t (ps, times[0] = 0 is the excitation) and delays tau (ps, from 0).
    initial : state
    detector : {"collective"}
        The collective channel only: the local channels sum_i <s+_i(t + tau) s-_i(t)>
        leave the permutation-invariant sectors.
    tol : float
        Local L1 error per SDIRK4 step (relative).
    progress : bool or None
    max_steps : int

    Returns
    -------
    ndarray of complex128, shape (len(times), len(taus))

    Raises
    ------
    ValueError
        For a detector other than "collective".
    MemoryError
        When the populations at every output time would not fit in memory.
    """
    n = ensemble.n
    count = _correlation_ladders(ensemble, times, taus, initial, detector)
    off0, _ = kb.sector_layout(n, count, 0)
    off1, _ = kb.sector_layout(n, count, 1)
    rows, ladders, amplitude = _lowering_pairs(n, off1)
    # y(t) = rho(t) J+ in the q = 1 sector: element (j, m; j, m - 1) = p(j, m) sqrt((j + m)(j - m + 1)), which
    # also are the coefficients of <J-> there
    raise_amp = np.sqrt(amplitude)
    out, _ = _regression(ensemble, times, taus, initial, count, 1, off0[rows] + ladders, None, raise_amp,
                         raise_amp, tol=tol, progress=progress, max_steps=max_steps, desc="permutational G1")
    phase = ensemble.collective_decay * np.exp(1j * ensemble.common_detuning * np.asarray(taus))
    return out * phase[None, :]


def second_order_correlation(ensemble, times, taus, initial, detector="collective", *, tol=1e-8, progress=None,
                             max_steps=DEFAULT_MAX_STEPS):
    """Collective-channel G2(t, tau) = Gamma_c^2 <J+(t) J+J-(t + tau) J-(t)> by the quantum regression theorem.

    G2 = Gamma_c^2 Tr[J+ J- e^{L tau}(J- rho(t) J+)]. Only the populations of
    rho(t) reach the trace (every process conserves q), and J- rho J+ moves
    the population p(j, m) to (j, m - 1) with the factor (j + m)(j - m + 1),
    the eigenvalue of J+ J-. As for :func:`first_order_correlation`, the row of
    J+ J- eigenvalues is propagated once over the delays with the transposed
    q = 0 generator (a common detuning drops out) and contracted with the
    moved populations at every t.

    Parameters
    ----------
    ensemble, times, taus, initial, detector, tol, progress, max_steps
        As for :func:`first_order_correlation`.

    Returns
    -------
    G2 : ndarray of float64, shape (len(times), len(taus))
        Photon pairs/ps^2; G2(t, 0) is ``data["pair_rate"]`` of :func:`solve`.
    rate : ndarray of float64, shape (len(times),)
        The collective-channel photon rate Gamma_c <J+ J-> (photons/ps).

    Raises
    ------
    ValueError
        For a detector other than "collective".
    MemoryError
        When the populations at every output time would not fit in memory.
    """
    n = ensemble.n
    count = _correlation_ladders(ensemble, times, taus, initial, detector)
    off0, _ = kb.sector_layout(n, count, 0)
    rows, ladders, amplitude = _lowering_pairs(n, off0)
    keep = amplitude > 0   # J- annihilates m = -j
    source = off0[rows[keep]] + ladders[keep]
    target = off0[rows[keep] + 1] + ladders[keep]
    out, moved = _regression(ensemble, times, taus, initial, count, 0, source, target, amplitude[keep], amplitude,
                             tol=tol, progress=progress, max_steps=max_steps, desc="permutational G2")
    rate = float(ensemble.collective_decay)
    return np.real(out) * rate * rate, rate * moved   # the moved populations sum to <J+ J->


def _correlation_ladders(ensemble, times, taus, initial, detector):
    """Ladders a two-time correlation of the collective channel needs over times[-1] + taus[-1]."""
    if detector != "collective":
        raise ValueError(f"detector: method 'permutational' detects the collective channel (J-) only, got "
                         f"{detector!r}; the total emission with local decay needs method 'exact' (n <= 12)")
    return initial_ladder_count(ensemble, np.array([0.0, float(times[-1]) + float(taus[-1])]), initial)


def _regression(ensemble, times, taus, initial, count, q, source, target, factor, observable, *, tol, progress,
                max_steps, desc):
    """Tr[O e^{M_q tau} y(t)] for y(t) = populations of rho(t) moved by J- (or by J- and J+) into sector q.

    ``y[target] = p(t)[source] * factor`` (``target`` None: y = p[source] * factor, the whole q = 1
    sector); O's coefficients ``observable`` are propagated backwards once (transposed solves, real
    arithmetic) and contracted with y(t) at every output time. Returns the (times, taus) array and the
    sum of y(t) at every time.
    """
    n = ensemble.n
    rates = ladder_rates(ensemble)
    _check_memory(n, count, True, NAME)
    pop0, _ = initial_sectors(n, count, initial)
    size = observable.size
    check_memory(8.0 * size * (len(times) + 1), parameter="times",
                 what=f"populations at {len(times)} output times ({size} states each)",
                 alternative="fewer output times")
    solve0, off0, lmax0, pre0 = sector_solver(n, count, 0, rates, 0.0, tol)
    stiffness = kb.max_loss_rate(n, off0, lmax0, pre0, rates)

    def moved(p):
        if target is None:
            return p[source] * factor
        y = np.zeros(size)
        y[target] = p[source] * factor
        return y

    with progress_bar(progress, total=len(times) + len(taus) - 2, size=pop0.size * 2, desc=desc) as bar:
        states, _ = integrate_linear(solve0, pop0, times, moved, tol=tol, stiffness=stiffness, max_steps=max_steps,
                                     progress=bar, dense=True)
        # the observable row is collected in blocks and contracted with every y(t) at once (each array read
        # once per block); the common detuning commutes with every process, so the row is propagated without
        # it in real arithmetic (the caller adds its phase)
        solve_q, *_ = sector_solver(n, count, q, rates, 0.0, tol, transpose=True, real=True)
        block = np.empty((max(1, min(len(taus), 2**28 // (8 * states.shape[1]))), states.shape[1]))
        filled, contracted = [0], []

        def collect(row=None):
            if row is not None:
                block[filled[0]] = row
                filled[0] += 1
            if filled[0] == len(block) or (row is None and filled[0]):
                contracted.append(kb.contract_rows(block[: filled[0]], states, nb.get_num_threads()))
                filled[0] = 0
            return np.zeros(0)

        integrate_linear(solve_q, observable, taus, collect, tol=tol, stiffness=stiffness, max_steps=max_steps,
                         progress=bar, dense=True)
        collect()
    return np.ascontiguousarray(np.concatenate(contracted).T), states.sum(axis=1)
