"""Exciton populations under hopping and decay: the rate (Pauli master) equation on the NC sites.

    dP_i/dt = sum_j k_ji P_j - (sum_j k_ij + kappa_i) P_i,

with k the hopping rates (:class:`~sf_dynamics.transport.rates.TransferRates`) and kappa_i the decay
(radiative + non-radiative). Linear, so P(t) = exp(A t) P(0) is computed exactly (to the solver's
tolerance): up to :data:`DENSE_SITES` sites with dense propagators exp(A h), beyond with the sparse action
of the matrix exponential (Al-Mohy & Higham 2011,
:func:`scipy.sparse.linalg.expm_multiply`) -- no time step to choose. Steady states under a constant
source S solve A P = -S (sparse LU).

Outputs are :class:`xarray.Dataset` s of the moments experiments measure (:mod:`.observables`), and
the site populations when asked.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg
import scipy.sparse.linalg as spla

from .._resources import check_memory
from .._validation import check_real_array, check_times, is_uniform
from .observables import moments_dataset
from .rates import TransferRates

__all__ = ["populations", "steady_state", "DENSE_SITES"]

#: up to this many sites the propagator exp(A h) is formed densely (exact for any h; 2000 sites: 32 MB)
DENSE_SITES = 2000


def _initial(rates: TransferRates, initial):
    n = rates.n
    if isinstance(initial, (int, np.integer)) and not isinstance(initial, bool):
        if not 0 <= int(initial) < n:
            raise ValueError(f"initial: site index must be in [0, {n - 1}], got {initial}")
        p0 = np.zeros(n)
        p0[int(initial)] = 1.0
        return p0
    p0 = check_real_array("initial", initial, shape=(n,), nonnegative=True)
    if not p0.sum() > 0:
        raise ValueError("initial: the populations must not all be zero")
    return p0


def populations(rates: TransferRates, initial, times, *, store_sites=False):
    """Site populations from ``initial`` at ``times`` by the rate equation.

    Parameters
    ----------
    rates : TransferRates
    initial : int or array_like, shape (n,)
        A site index (one exciton there) or initial populations (e.g. :func:`gaussian_spot`), >= 0.
    times : array_like
        Output times (ps), increasing, from t >= 0.
    store_sites : bool
        Also return the populations of every site (``site_population``, dims time x site).

    Returns
    -------
    xarray.Dataset
        The moments of :func:`~sf_dynamics.transport.observables.moments_dataset` (population, emission,
        MSD, mean energy, per-species populations and emission).

    Raises
    ------
    ValueError
        Bad ``initial`` or ``times``, or stored populations larger than the free memory.
    """
    if not isinstance(rates, TransferRates):
        raise ValueError(f"rates must be TransferRates, got {type(rates).__name__}")
    p0 = _initial(rates, initial)
    t = check_times(times)
    check_memory(8.0 * rates.n * t.size * (2 if store_sites else 1) + 24.0 * rates.matrix.nnz, parameter="times",
                 what=f"populations of {rates.n} sites at {t.size} times", alternative="use fewer times")
    a = rates.generator()
    out = np.empty((t.size, rates.n))
    if rates.n <= DENSE_SITES:
        # dense propagators exp(A h), one per distinct step h: exact at any time span (the work of
        # expm_multiply grows with ||A|| t), and a uniform grid needs one
        dense, current, propagators = a.toarray(), p0, {}
        for k, h in enumerate(np.diff(np.concatenate([[0.0], t]))):
            if h > 0:
                key = round(h / t[-1], 9)
                if key not in propagators:
                    propagators = {key: scipy.linalg.expm(dense * h)} if len(propagators) > 8 else {
                        **propagators, key: scipy.linalg.expm(dense * h)}
                current = propagators[key] @ current
            out[k] = current
    else:
        current = spla.expm_multiply(a, p0, start=0.0, stop=t[0], num=2, endpoint=True)[-1] if t[0] > 0 else p0
        if t.size > 2 and is_uniform(t):
            out[:] = spla.expm_multiply(a, current, start=0.0, stop=t[-1] - t[0], num=t.size, endpoint=True)
        else:
            out[0] = current
            for k, h in enumerate(np.diff(t)):
                out[k + 1] = spla.expm_multiply(a * h, out[k])
    np.maximum(out, 0.0, out=out)       # round-off below zero
    return moments_dataset(rates, t, out, p0, store_sites=store_sites, method="rate equation (expm_multiply)")


def steady_state(rates: TransferRates, source):
    """Populations under a constant exciton source: solve A P = -S.

    Parameters
    ----------
    rates : TransferRates
        With every NC decaying (decay > 0), else no steady state exists.
    source : array_like, shape (n,)
        Excitons created per ps on each NC (>= 0), e.g. ``rate * gaussian_spot(...)``.

    Returns
    -------
    ndarray, shape (n,)
        Steady populations; the emission profile is ``rates.radiative * P``.

    Raises
    ------
    ValueError
        A source of the wrong shape or negative, or an NC without decay.
    """
    s = check_real_array("source", source, shape=(rates.n,), nonnegative=True)
    if np.any(rates.decay <= 0):
        raise ValueError("rates: every NC needs a decay rate > 0 for a steady state under a source")
    a = rates.generator().tocsc()
    p = spla.spsolve(-a, s)
    return np.maximum(np.asarray(p).ravel(), 0.0)

