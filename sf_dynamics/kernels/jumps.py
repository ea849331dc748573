"""Exact photon-counting trajectories of identical emitters: the Dicke-basis populations as a Markov chain.

From a state diagonal in the Dicke basis the permutation-invariant master
equation keeps the populations p(j, m) on their own (the q = 0 sector of
:mod:`sf_dynamics.kernels.dicke_basis`), and their generator is a rate
matrix: a continuous-time Markov chain on (j, m). Its transitions from
(j, m), with the prefactors of :func:`~sf_dynamics.kernels.dicke_basis.ladder_prefactors`
(the same rates the ``permutational`` solver integrates):

* emission, m -> m - 1: collective Gamma_c (j + m)(j - m + 1) on the same
  ladder (a collective-channel photon) and local decay to j, j - 1, j + 1
  (a local-channel photon);
* pumping, m -> m + 1, to j, j - 1, j + 1;
* dephasing, m fixed, to j - 1 and j + 1.

Each trajectory is sampled exactly (Gillespie: exponential waiting time
for the total rate, then one transition with probability proportional to
its rate). Its record at the output times is the conditional emission rate
Gamma_c (j + m)(j - m + 1) + gamma (N/2 + m) and the excitation N/2 + m,
constant between jumps; averaged over trajectories both equal the master
equation's values.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np
from numba.core import types
from numba.extending import intrinsic

__all__ = ["outflow_rates", "sample_jumps", "sample_product_start", "emission_rates", "TRANSITIONS",
           "STOP_CHECK_JUMPS"]

#: transitions in the order of :func:`outflow_rates`: (ladder change dl, row change dk, photon channel)
#: with l = N/2 - j, k = N/2 - m, channel 1 collective, 2 local, 0 none
TRANSITIONS = np.array([
    [0, 1, 1],    # collective emission, same ladder
    [0, 1, 2],    # local decay, same ladder
    [1, 1, 2],    # local decay, j -> j - 1
    [-1, 1, 2],   # local decay, j -> j + 1
    [0, -1, 0],   # pumping, same ladder
    [1, -1, 0],   # pumping, j -> j - 1
    [-1, -1, 0],  # pumping, j -> j + 1
    [1, 0, 0],    # dephasing, j -> j - 1
    [-1, 0, 0],   # dephasing, j -> j + 1
], dtype=np.int64)


@nb.njit(cache=True, inline="always")
def outflow_rates(n, l, k, pre, collective, out):
    """Rates (1/ps) of the nine transitions out of ladder l, row k into ``out``; returns their sum."""
    half = 0.5 * n
    j = half - l
    m = half - k
    same = (j + m) * (j - m + 1.0)
    local_same = pre[0, l] - collective  # _E_SAME minus the collective part
    out[0] = collective * same
    out[1] = local_same * same
    out[2] = pre[1, l] * (j + m) * (j + m - 1.0)
    out[3] = pre[2, l] * (j - m + 1.0) * (j - m + 2.0) if l >= 1 else 0.0
    out[4] = pre[5, l] * (j - m) * (j + m + 1.0)
    out[5] = pre[6, l] * (j - m) * (j - m - 1.0)
    out[6] = pre[7, l] * (j + m + 1.0) * (j + m + 2.0) if l >= 1 else 0.0
    out[7] = pre[3, l] * (j * j - m * m)
    out[8] = pre[4, l] * ((j + 1.0) * (j + 1.0) - m * m) if l >= 1 else 0.0
    total = 0.0
    for i in range(9):
        if out[i] < 0.0:  # round-off at the edges of a ladder
            out[i] = 0.0
        total += out[i]
    return total


@nb.njit(cache=True, inline="always")
def _log_binomial(n, k):
    return math.lgamma(n + 1.0) - math.lgamma(k + 1.0) - math.lgamma(n - k + 1.0)


@nb.njit(cache=True)
def sample_product_start(n, p):
    """(l, k) of one draw from the product state with excitation probability p (the trajectory's stream).

    The excitation number is Binomial(n, p); given e excitations, ladder l carries the weight d_l = C(n, l)
    - C(n, l - 1) for l <= min(e, n - e), whose cumulative sum is C(n, l): l is the first with C(n, l) >= u
    C(n, min(e, n - e)), found by bisection on log C.
    """
    excitations = np.random.binomial(n, p)
    top = min(excitations, n - excitations)
    target = math.log(1.0 - np.random.random()) + _log_binomial(n, top)
    lo, hi = 0, top
    while lo < hi:
        mid = (lo + hi) // 2
        if _log_binomial(n, mid) >= target:
            hi = mid
        else:
            lo = mid + 1
    return lo, n - excitations


#: jumps between two looks at the stop flag of :func:`sample_jumps`
STOP_CHECK_JUMPS = 4096


@intrinsic
def _read_flag(typingctx, flags):
    """flags[0] of an int64 array, read from memory at every call: another thread may set it meanwhile.

    An atomic (relaxed) load; a plain one is hoisted out of the loops by the compiler and never sees the change.
    """
    if not (isinstance(flags, types.Array) and flags.dtype == types.int64):
        return None

    def codegen(context, builder, signature, args):
        array = context.make_array(signature.args[0])(context, builder, args[0])
        return builder.load_atomic(array.data, ordering="monotonic", align=8)

    return types.int64(flags), codegen


@nb.njit(parallel=True, cache=True, nogil=True)
def sample_jumps(seeds, n, l0, k0, p_start, pre, collective, local, times, intensity_out, excitation_out,
                 pairs_out, counted_out, photons_out, finished_out, stop):
    """Sample one trajectory per seed from (l0, k0); record at ``times`` (the first is the start).

    With ``p_start`` >= 0 each trajectory first draws its start from the product state with excitation
    probability p_start (:func:`sample_product_start`) instead.

    intensity_out, excitation_out : (n_traj, n_times) conditional emission rate and excitation.
    pairs_out : (n_traj, n_times) conditional collective pair rate Gamma_c^2 <J+ J+ J- J-> in the shot's
        Dicke state, Gamma_c^2 (j + m)(j - m + 1)(j + m - 1)(j - m + 2) (its average is G2(t, 0)).
    counted_out : (n_traj, n_times) photons emitted (both channels) up to each output time.
    photons_out : (n_traj, 2) collective- and local-channel photons emitted up to times[-1].
    finished_out : (n_traj,) uint8, set to 1 for each trajectory sampled to times[-1].
    stop : (1,) int64; once another thread sets stop[0] != 0 (Ctrl-C), trajectories not yet started are
        skipped and running ones end within STOP_CHECK_JUMPS jumps, unfinished (the GIL is released).
    """
    half = 0.5 * n
    nt = times.size
    for traj in nb.prange(seeds.size):
        finished_out[traj] = 0
        if _read_flag(stop) != 0:
            continue
        np.random.seed(seeds[traj])
        rates = np.empty(9)
        l, k = l0, k0
        if p_start >= 0.0:
            l, k = sample_product_start(n, p_start)
        t = times[0]
        index = 0
        photons_c = 0.0
        photons_l = 0.0
        jumps = 0
        while index < nt:
            jumps += 1
            if jumps % STOP_CHECK_JUMPS == 0 and _read_flag(stop) != 0:
                break
            total = outflow_rates(n, l, k, pre, collective, rates)
            j = half - l
            m = half - k
            rate_now = collective * (j + m) * (j - m + 1.0) + local * (half + m)
            pairs_now = collective * collective * (j + m) * (j - m + 1.0) * max(j + m - 1.0, 0.0) * (j - m + 2.0)
            t_next = t - math.log(1.0 - np.random.random()) / total if total > 0.0 else np.inf
            while index < nt and times[index] < t_next:
                intensity_out[traj, index] = rate_now
                excitation_out[traj, index] = half + m
                pairs_out[traj, index] = pairs_now
                counted_out[traj, index] = photons_c + photons_l
                index += 1
            if index == nt:
                break
            pick = np.random.random() * total
            chosen = 8
            acc = 0.0
            for i in range(9):
                acc += rates[i]
                if pick < acc:
                    chosen = i
                    break
            while rates[chosen] == 0.0:  # pick == total to round-off: the last non-zero transition
                chosen -= 1
            l += TRANSITIONS[chosen, 0]
            k += TRANSITIONS[chosen, 1]
            if TRANSITIONS[chosen, 2] == 1:
                photons_c += 1.0
            elif TRANSITIONS[chosen, 2] == 2:
                photons_l += 1.0
            t = t_next
        photons_out[traj, 0] = photons_c
        photons_out[traj, 1] = photons_l
        finished_out[traj] = 1 if index == nt else 0


@nb.njit(cache=True)
def emission_rates(n, offsets, lmax, pre, collective, out):
    """Rates of the photon-emitting transitions 0-3 of :data:`TRANSITIONS` out of every stored (j, m).

    ``offsets``, ``lmax``: the q = 0 layout of :func:`~sf_dynamics.kernels.dicke_basis.sector_layout`;
    ``out`` (size, 4) receives the rates (1/ps) of state offsets[k] + l in row offsets[k] + l.
    """
    rates = np.empty(9)
    for k in range(n + 1):
        for l in range(lmax[k] + 1):
            outflow_rates(n, l, k, pre, collective, rates)
            for i in range(4):
                out[offsets[k] + l, i] = rates[i]
