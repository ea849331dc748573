"""Numba kernels of kinetic Monte Carlo for excitons hopping on sites (Gillespie's direct method).

Rates are a CSR matrix (``indptr``, ``indices``, ``cumulative``: the running sum of each row's hopping
rates) plus a decay rate per site. Each kernel records, at the output ``times``, the site of every
exciton (-1 once it is gone) and each exciton's fate (0 alive at the end, 1 radiative decay,
2 non-radiative decay, 3 annihilated).
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

__all__ = ["independent_walks", "interacting_walks"]

_JIT = dict(cache=True)


@nb.njit(**_JIT)
def _pick_neighbour(indptr, indices, cumulative, site, target):
    """The neighbour j of ``site`` whose cumulative rate first exceeds ``target`` (binary search)."""
    lo = indptr[site]
    hi = indptr[site + 1] - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if cumulative[mid] > target:
            hi = mid
        else:
            lo = mid + 1
    return indices[lo]


@nb.njit(parallel=True, **_JIT)
def independent_walks(indptr, indices, cumulative, out_rate, decay, radiative, starts, times, seeds, sites_out,
                      fate_out):
    """One exciton per entry of ``starts``, each walking alone (no interaction); parallel over excitons."""
    nt = times.size
    for e in nb.prange(starts.size):
        np.random.seed(seeds[e])
        site = starts[e]
        t = 0.0
        k = 0
        fate = 0
        while k < nt:
            total = out_rate[site] + decay[site]
            t_next = t - math.log(1.0 - np.random.random()) / total if total > 0.0 else np.inf
            while k < nt and times[k] < t_next:
                sites_out[e, k] = site
                k += 1
            if k >= nt:
                break
            t = t_next
            u = np.random.random() * total
            if u < decay[site]:
                fate = 1 if u < radiative[site] else 2
                while k < nt:
                    sites_out[e, k] = -1
                    k += 1
                break
            site = _pick_neighbour(indptr, indices, cumulative, site, u - decay[site])
        fate_out[e] = fate


@nb.njit(**_JIT)
def _fenwick_add(tree, index, delta):
    i = index + 1
    while i < tree.size:
        tree[i] += delta
        i += i & (-i)


@nb.njit(**_JIT)
def _fenwick_find(tree, target):
    """Smallest index whose prefix sum exceeds ``target``."""
    pos = 0
    step = 1
    while step * 2 < tree.size:
        step *= 2
    while step > 0:
        nxt = pos + step
        if nxt < tree.size and tree[nxt] <= target:
            pos = nxt
            target -= tree[nxt]
        step //= 2
    return pos


@nb.njit(**_JIT)
def interacting_walks(indptr, indices, cumulative, out_rate, decay, radiative, starts, times, seed, sites_out,
                      fate_out):
    """All excitons at once; a hop onto an occupied site annihilates the arriving exciton (one survives).

    Excitons that start on the same site annihilate at t = 0 down to one. One global event queue
    (a Fenwick tree over the excitons' total rates, O(log M) per event).
    """
    np.random.seed(seed)
    m = starts.size
    nt = times.size
    n_sites = out_rate.size
    occupant = np.full(n_sites, -1, np.int64)
    site_of = starts.copy()
    rate = np.zeros(m)
    tree = np.zeros(m + 1)
    alive = 0
    for e in range(m):
        s = starts[e]
        if occupant[s] >= 0:
            site_of[e] = -1
            fate_out[e] = 3
            continue
        occupant[s] = e
        rate[e] = out_rate[s] + decay[s]
        _fenwick_add(tree, e, rate[e])
        alive += 1
    t = 0.0
    k = 0
    total = rate.sum()
    while k < nt:
        t_next = t - math.log(1.0 - np.random.random()) / total if total > 1e-300 and alive > 0 else np.inf
        while k < nt and times[k] < t_next:
            for e in range(m):
                sites_out[e, k] = site_of[e]
            k += 1
        if k >= nt:
            break
        t = t_next
        e = _fenwick_find(tree, np.random.random() * total)
        if e >= m or rate[e] <= 0.0:
            total = 0.0
            for q in range(m):
                total += rate[q]
            continue
        s = site_of[e]
        u = np.random.random() * rate[e]
        gone = False
        if u < decay[s]:
            fate_out[e] = 1 if u < radiative[s] else 2
            gone = True
            occupant[s] = -1
        else:
            j = _pick_neighbour(indptr, indices, cumulative, s, u - decay[s])
            occupant[s] = -1
            if occupant[j] >= 0:
                fate_out[e] = 3
                gone = True
            else:
                occupant[j] = e
                site_of[e] = j
                new = out_rate[j] + decay[j]
                _fenwick_add(tree, e, new - rate[e])
                total += new - rate[e]
                rate[e] = new
        if gone:
            site_of[e] = -1
            _fenwick_add(tree, e, -rate[e])
            total -= rate[e]
            rate[e] = 0.0
            alive -= 1
            if alive == 0:
                total = 0.0
