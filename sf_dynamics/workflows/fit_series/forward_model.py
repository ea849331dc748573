"""The forward model of the fluence-series fit: what the detector records for given parameters.

Per NC of the sample the emission rate is R_k(s) = f c_k(s) + (1 - f) p_k Gamma_1 e^{-Gamma_1 s} (s the
time since the excitation, c_k the exact emission per NC of a domain in the product state of excitation
probability p_k), and the detector records y_k(t) = A (IRF * R_k)(t - t0) + b; see
:mod:`sf_dynamics.workflows.fit_series`.
"""

from __future__ import annotations

import numpy as np

from ..._validation import check_real, check_real_array
from ...analysis.instrument import convolve_gaussian_profile, convolve_measured, irf_reach

__all__ = ["T0_LEAD", "MODEL_TOL", "DomainCache", "sample_rates", "record", "simulation_grid", "series_model"]

#: the fit lets t0 go this share of the record before the first time, and the Gaussian IRF's FWHM up to it
T0_LEAD = 0.1
#: step tolerance of the domain emission. Measured on the benchmark series (4 traces of 800 bins, peak ~900
#: counts, N_c = 400; benchmarks/bench_fit.py): against tol 1e-8 the model's largest error is 8e-6 of the peak and
#: the Poisson deviance moves by 0.005 (tol 1e-6: 8e-8 and 1e-4), far below the resolution of 0.1 the profile's
#: excess-deviance levels (1 and 4) need, while a model evaluation takes 2.2x less time than at 1e-6
MODEL_TOL = 1e-4


class DomainCache:
    """Domain emission per NC on the simulation grid, memoised by (N_c, rates): one solve per rate set.

    Parameters
    ----------
    grid : ndarray
        Simulation times (ps) from the excitation (:func:`simulation_grid`).
    probabilities : ndarray
        Excitation probability per NC of each trace.
    """

    def __init__(self, grid, probabilities):
        self.grid = grid
        self.probabilities = probabilities
        self.store = {}

    def coupled(self, n, collective, decay, dephasing):
        """Emission per NC (photons/ps) of a domain of ``n`` NCs on the grid, one row per trace.

        Parameters
        ----------
        n : int
            NCs per domain.
        collective, decay, dephasing : float
            Gamma_c, local decay (clipped at 0) and gamma_phi (1/ps).

        Returns
        -------
        list of ndarray
            One row per excitation probability.
        """
        key = (int(n), float(collective), float(decay), float(dephasing))
        if key not in self.store:
            from ...model import Ensemble
            from ...solvers.permutational import product_emission

            ens = Ensemble(int(n), collective_decay=collective, decay=max(decay, 0.0), dephasing=dephasing)
            rows = list(product_emission(ens, self.grid, self.probabilities, tol=MODEL_TOL) / n)
            if len(self.store) > 64:
                self.store.clear()
            self.store[key] = rows
        return self.store[key]


def sample_rates(cache, n, values):
    """Per-trace callables R_k(s) (photons/ps per NC), zero for s < 0.

    Parameters
    ----------
    cache : DomainCache
        The domain emission of the series.
    n : int
        NCs per domain.
    values : dict
        ``radiative_rate`` Gamma_1 (1/ps), ``collective_share`` Gamma_c / Gamma_1, ``dephasing`` (1/ps) and
        ``coupled_fraction``.

    Returns
    -------
    list of callable
        ``R_k(s)`` for an array of times s (ps) since the excitation, one per trace.
    """
    rate = values["radiative_rate"]
    collective = values["collective_share"] * rate
    coupled = cache.coupled(n, collective, rate - collective, values["dephasing"])
    f = values["coupled_fraction"]
    grid = cache.grid

    def make(row, p):
        def profile(s):
            s = np.asarray(s, dtype=float)
            inside = s >= 0
            sc = np.where(inside, s, 0.0)
            out = f * np.interp(sc, grid, row) + (1.0 - f) * p * rate * np.exp(-rate * sc)
            return np.where(inside, out, 0.0)
        return profile

    return [make(row, p) for row, p in zip(coupled, cache.probabilities)]


def record(cache, n, values, times, irf):
    """What the detector records for every trace: A (IRF * R_k)(t - t0) + b.

    Parameters
    ----------
    cache : DomainCache
        The domain emission of the series.
    n : int
        NCs per domain.
    values : dict
        The continuous parameters (:data:`~sf_dynamics.workflows.fit_series.fit.PARAMETERS`); ``irf_fwhm`` (ps)
        is read only without a measured ``irf``.
    times : ndarray
        Detector times (ps), equally spaced.
    irf : ndarray or None
        A measured response sampled at the time step, or None for the Gaussian of ``values["irf_fwhm"]``.

    Returns
    -------
    ndarray, shape (k, nt)
        Counts per bin.
    """
    profiles = sample_rates(cache, n, values)
    t0 = values["t0"]
    if irf is None:
        rows = [convolve_gaussian_profile(times, t0, prof, values["irf_fwhm"]) for prof in profiles]
    else:
        rows = [convolve_measured(times, t0, prof, irf) for prof in profiles]
    return values["amplitude"] * np.array(rows) + values["background"]


def simulation_grid(times, points, t0, irf_fwhm, irf):
    """Simulation times for the fit and the model: one grid for both.

    From the excitation to the last data time seen from the earliest t0 the fit allows (or ``t0``, if
    earlier), plus the reach of the widest IRF it allows.

    Parameters
    ----------
    times : ndarray
        Detector times (ps), equally spaced.
    points : int
        Number of simulation times.
    t0 : float
        Time zero (ps).
    irf_fwhm : float or None
        FWHM (ps) of a Gaussian IRF.
    irf : ndarray or None
        A measured response.

    Returns
    -------
    ndarray
        ``points`` times (ps) from 0.
    """
    step = float(times[1] - times[0])
    span = float(times[-1] - times[0])
    earliest = min(float(t0), float(times[0]) - T0_LEAD * span)
    reach = irf_reach(max(irf_fwhm or 0.0, T0_LEAD * span), irf, step)
    return np.linspace(0.0, 1.02 * (float(times[-1]) - earliest) + reach, int(points))


def series_model(times, probabilities, *, domain_size, collective_decay, dephasing, coupled_fraction, amplitude,
                 t0=0.0, irf_fwhm=None, irf=None, background=0.0, radiative_rate=1.0 / 210.0, points=600):
    """The model of :func:`fit_fluence_series`: what the detector records for each excitation probability.

    Parameters
    ----------
    times : array_like
        Equally spaced detector times (ps).
    probabilities : array_like
        Excitation probability per NC of each trace, in [0, 1].
    domain_size : int
        NCs per coherent domain N_c, >= 2.
    collective_decay, dephasing, radiative_rate : float
        Gamma_c, gamma_phi and the single-NC radiative rate Gamma_1 >= Gamma_c (1/ps).
    coupled_fraction : float
        Fraction f of NCs in domains, [0, 1].
    amplitude, background : float
        Counts per bin per photon/ps per NC, and a constant per bin.
    t0 : float
        Time zero (ps) on the detector's time axis.
    irf_fwhm : float, optional
        FWHM (ps) of a Gaussian instrument response; or ``irf``, a measured response sampled at the time step.
    points : int
        Simulation grid points over the record.

    Returns
    -------
    ndarray, shape (k, nt)

    Raises
    ------
    ValueError
        For parameters outside their ranges.
    """
    times = check_real_array("times", times)
    probabilities = np.atleast_1d(check_real_array("probabilities", probabilities))
    if np.any((probabilities < 0) | (probabilities > 1)):
        raise ValueError(f"probabilities must lie in [0, 1], got {probabilities}")
    n = int(check_real("domain_size", domain_size, low=2.0))
    rate = check_real("radiative_rate", radiative_rate, low=0.0, low_open=True)
    collective = check_real("collective_decay", collective_decay, low=0.0, high=rate)
    values = {"collective_share": collective / rate, "dephasing": check_real("dephasing", dephasing, low=0.0),
              "coupled_fraction": check_real("coupled_fraction", coupled_fraction, low=0.0, high=1.0),
              "amplitude": check_real("amplitude", amplitude, low=0.0), "t0": check_real("t0", t0),
              "irf_fwhm": None if irf_fwhm is None else check_real("irf_fwhm", irf_fwhm, low=0.0, low_open=True),
              "background": check_real("background", background), "radiative_rate": rate}
    if (irf_fwhm is None) == (irf is None):
        raise ValueError("give either irf_fwhm (a Gaussian response, ps) or irf (a measured response array)")
    cache = DomainCache(simulation_grid(times, points, values["t0"], irf_fwhm, irf), probabilities)
    return record(cache, n, values, times, irf)
