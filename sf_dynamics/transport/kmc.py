"""Kinetic Monte Carlo of excitons on the same rates as the rate equation.

Single excitons (``annihilation=False``) walk independently, so their average converges to the rate
equation (:func:`~sf_dynamics.transport.rate_equation.populations`) with sampling error ~ 1/sqrt(M);
the Datasets carry standard errors. With ``annihilation=True`` all excitons walk at once and one that
hops onto an occupied NC is lost (exciton-exciton annihilation, the dominant non-linear loss at high
fluence), which no linear rate equation describes.
"""

from __future__ import annotations

import numpy as np

from .._io import draw_seed
from .._resources import check_memory
from .._validation import check_positive_int, check_seed, check_times
from ..kernels import kmc as kk
from .observables import moments_dataset
from .rate_equation import _initial
from .rates import TransferRates

__all__ = ["kinetic_monte_carlo"]


def _csr(rates: TransferRates):
    m = rates.matrix.tocsr()
    m.sort_indices()
    cumulative = np.empty_like(m.data)
    for start, stop in zip(m.indptr[:-1], m.indptr[1:]):
        cumulative[start:stop] = np.cumsum(m.data[start:stop])
    return m.indptr.astype(np.int64), m.indices.astype(np.int64), cumulative


def kinetic_monte_carlo(rates: TransferRates, initial, times, *, excitons=1000, seed=None, annihilation=False,
                        store_sites=False):
    """Sample exciton walks and return their moments with standard errors.

    Parameters
    ----------
    rates : TransferRates
    initial : int or array_like, shape (n,)
        A start site, or populations from which start sites are drawn (normalised to a distribution; with
        annihilation, on distinct sites while there are enough).
    times : array_like
        Output times (ps), increasing, from t >= 0.
    excitons : int
        Number of walks (>= 1); with annihilation, the excitons present at once.
    seed : int, optional
        Seed (recorded in the Dataset; drawn and recorded when None).
    annihilation : bool
        Walk all excitons together with annihilation on encounter.
    store_sites : bool
        Also return the site of every exciton at every time (``exciton_site``, -1 when gone).

    Returns
    -------
    xarray.Dataset
        As the rate equation's (``population`` per initial exciton, ``msd``, ``mean_energy``, bands) plus
        ``population_sem`` and ``msd_sem``, and ``fate`` counts in the attributes (radiative,
        nonradiative, annihilated).

    Raises
    ------
    ValueError
        Bad inputs, or a record larger than the free memory.
    """
    if not isinstance(rates, TransferRates):
        raise ValueError(f"rates must be TransferRates, got {type(rates).__name__}")
    p0 = _initial(rates, initial)
    t = check_times(times)
    m = check_positive_int("excitons", excitons)
    seed = check_seed(draw_seed(seed))
    check_memory(8.0 * m * t.size * 2, parameter="excitons", what=f"the sites of {m} excitons at {t.size} times",
                 alternative="use fewer excitons or times")
    rng = np.random.default_rng(seed)
    distinct = annihilation and m <= np.count_nonzero(p0)   # excitons placed together would annihilate at once
    starts = rng.choice(rates.n, size=m, p=p0 / p0.sum(), replace=not distinct).astype(np.int64)
    indptr, indices, cumulative = _csr(rates)
    out_rate = rates.out_rates()
    sites = np.empty((m, t.size), dtype=np.int64)
    fate = np.zeros(m, dtype=np.int64)
    if annihilation:
        kk.interacting_walks(indptr, indices, cumulative, out_rate, rates.decay, rates.radiative, starts, t, seed,
                             sites, fate)
    else:
        seeds = rng.integers(0, 2**31 - 1, size=m)
        kk.independent_walks(indptr, indices, cumulative, out_rate, rates.decay, rates.radiative, starts, t, seeds,
                             sites, fate)
    alive = sites >= 0
    # populations per site (time x site), normalised per initial exciton
    pops = np.zeros((t.size, rates.n))
    for k in range(t.size):
        pops[k] = np.bincount(sites[alive[:, k], k], minlength=rates.n) / m
    r0 = p0 @ rates.positions_nm / p0.sum()
    r2 = np.sum((rates.positions_nm - r0) ** 2, axis=1)
    d2 = np.where(alive, r2[np.where(alive, sites, 0)], np.nan)
    count = alive.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        msd_sem = np.nanstd(d2, axis=0, ddof=1) / np.sqrt(count) if m > 1 else np.full(t.size, np.nan)
    frac = count / m
    sem = {"population": np.sqrt(frac * (1 - frac) / m), "msd": np.where(count > 1, msd_sem, np.nan)}
    ds = moments_dataset(rates, t, pops, p0, method="kinetic Monte Carlo" + (" with annihilation" if annihilation
                                                                               else ""), sem=sem)
    if store_sites:
        ds["exciton_site"] = (("exciton", "time"), sites)
    ds.attrs.update({"excitons": m, "seed": seed, "radiative_decays": int(np.sum(fate == 1)),
                     "nonradiative_decays": int(np.sum(fate == 2)), "annihilated": int(np.sum(fate == 3))})
    return ds
