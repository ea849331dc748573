"""A superlattice sample: coherently coupled domains beside NCs that emit on their own.

What a streak camera sees from a superlattice is the sum of two populations: NCs inside coherent domains
(a distribution of domain sizes), whose emission is collective, and NCs outside them (or detuned beyond the
collective width), which decay independently. :class:`Sample` holds the domain-size distribution, the
fraction of NCs in domains and the single-NC rates; :meth:`Sample.traces` simulates every domain size with
the same initial excitation probability p and returns the emission per NC of both populations and their
sum, the fast burst on the slow single-NC decay of Rainò et al., Nature 563, 671 (2018).
:meth:`Sample.spectra` gives the time-integrated spectra: the narrow (optionally red-shifted) coupled line
beside the broad line of uncoupled NCs, whose centres spread over an inhomogeneous width.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from .._validation import check_real, check_real_array, check_times
from ..analysis.instrument import FWHM_PER_SIGMA
from ..kernels.peaks import peak_fwhm

__all__ = ["Sample"]


@dataclass(frozen=True)
class Sample:
    """Coherent domains of NCs plus uncoupled NCs, with CsPbBr3-like defaults (rates in 1/ps).

    Parameters
    ----------
    domain_sizes : int or sequence of int
        NCs per coherent domain (>= 2), one size or several.
    domain_weights : sequence of float, optional
        Relative number of domains of each size (default equal); the share of NCs in domains of size s is
        proportional to weight x s.
    coupled_fraction : float
        Fraction of all NCs that sit in domains, in [0, 1].
    collective_decay, decay, dephasing : float
        Per NC: Gamma_c (into the domain's common mode), local decay gamma, pure dephasing gamma_phi (1/ps);
        an uncoupled NC decays at Gamma_c + gamma (its radiative rate).

    Raises
    ------
    ValueError
        For domain sizes below 2, weights that do not match the sizes or are negative, a fraction outside
        [0, 1], or negative rates.
    """

    domain_sizes: object = 200
    domain_weights: object = None
    coupled_fraction: float = 0.5
    collective_decay: float = 0.3 / 210.0
    decay: float = 0.7 / 210.0
    dephasing: float = 0.0101
    _sizes: tuple = field(init=False, repr=False)
    _weights: tuple = field(init=False, repr=False)

    def __post_init__(self):
        sizes = np.atleast_1d(check_real_array("domain_sizes", self.domain_sizes))
        if sizes.ndim != 1 or np.any(sizes < 2) or np.any(sizes != np.round(sizes)):
            raise ValueError(f"domain_sizes must be integers >= 2 (NCs per domain), got {self.domain_sizes!r}")
        if self.domain_weights is None:
            weights = np.ones(sizes.size)
        else:
            weights = np.atleast_1d(check_real_array("domain_weights", self.domain_weights, nonnegative=True))
            if weights.shape != sizes.shape or weights.sum() <= 0:
                raise ValueError(f"domain_weights must have one non-negative entry per domain size ({sizes.size}) "
                                 f"and a positive sum, got {self.domain_weights!r}")
        check_real("coupled_fraction", self.coupled_fraction, low=0.0, high=1.0)
        for name in ("collective_decay", "decay", "dephasing"):
            check_real(name, getattr(self, name), low=0.0)
        if self.collective_decay + self.decay <= 0:
            raise ValueError("collective_decay + decay must be > 0 (an NC must radiate)")
        object.__setattr__(self, "_sizes", tuple(int(s) for s in sizes))
        object.__setattr__(self, "_weights", tuple(float(w) for w in weights / weights.sum()))

    @property
    def nc_share(self) -> np.ndarray:
        """Share of the domain NCs that sit in domains of each size (weight x size, normalised)."""
        share = np.array(self._weights) * np.array(self._sizes)
        return share / share.sum()

    def domain(self, size):
        """The point-like domain of ``size`` NCs with the sample's rates (an :class:`~sf_dynamics.Ensemble`)."""
        from ..model import Ensemble

        return Ensemble(int(size), collective_decay=self.collective_decay, decay=self.decay, dephasing=self.dephasing)

    def traces(self, times, *, p=1.0, method="permutational", **options):
        """Emission per NC (photons/ps) of the domains, of the uncoupled NCs, and of the sample.

        Parameters
        ----------
        times : array_like
            Output times (ps), from the excitation at 0.
        p : float
            Probability that the pump left an NC excited (a :class:`~sf_dynamics.model.states.ProductState`).
        method : str
            Method for the domains (identical NCs: ``permutational`` exact, ``jumps`` exact shots, ``twa``,
            ``cumulant``); ``options`` go to :func:`sf_dynamics.simulate`.

        Returns
        -------
        xarray.Dataset
            ``coupled`` (per domain NC), ``uncoupled`` (per uncoupled NC: p Gamma_1 e^{-Gamma_1 t}),
            ``total`` (per NC of the sample) and ``by_size`` (domain size, time) per domain NC; attributes
            the sample's parameters.

        Raises
        ------
        ValueError
            For bad times, p outside [0, 1], or a method that cannot take the domains.
        """
        import xarray as xr

        from ..model import ProductState
        from ..simulate import simulate

        times = check_times(times)
        p = check_real("p", p, low=0.0, high=1.0)
        start = ProductState(p)
        by_size = []
        for size in self._sizes:
            res = simulate(self.domain(size), times, method=method, initial=start, **options)
            by_size.append(np.asarray(res.intensity) / size)
        by_size = np.array(by_size)
        coupled = self.nc_share @ by_size
        rate = self.collective_decay + self.decay
        uncoupled = p * rate * np.exp(-rate * times)
        total = self.coupled_fraction * coupled + (1.0 - self.coupled_fraction) * uncoupled
        unit = {"units": "photons/ps per NC"}
        return xr.Dataset(
            {"coupled": ("time", coupled, unit), "uncoupled": ("time", uncoupled, unit),
             "total": ("time", total, unit), "by_size": (("domain_size", "time"), by_size, unit)},
            coords={"time": ("time", times, {"units": "ps"}), "domain_size": ("domain_size", list(self._sizes))},
            attrs={"coupled_fraction": self.coupled_fraction, "p": p, "method": method,
                   "collective_decay": self.collective_decay, "decay": self.decay, "dephasing": self.dephasing,
                   "domain_weights": list(self._weights)},
        )

    def spectra(self, energy_meV, times, *, p=1.0, coupled_shift_meV=0.0, inhomogeneous_fwhm_meV=0.0,
                method="permutational", **options):
        """Time-integrated emission spectra per NC: the coupled line of the domains and the uncoupled line.

        * Domains: the collective channel's spectrum from G1(t, tau) of each domain size
          (:func:`sf_dynamics.spectra.first_order`, detector "collective"), moved by ``coupled_shift_meV`` (the
          dipole-dipole shift of the superlattice, which a point-like domain lacks: e.g. from
          :func:`sf_dynamics.thermal.photoluminescence`): the narrow coupled line.
        * Independent emission: uncoupled NCs emit p photons each on a Voigt line, the homogeneous Lorentzian of
          FWHM hbar (Gamma_1 + 2 gamma_phi) convolved with a Gaussian spread of line centres of FWHM
          ``inhomogeneous_fwhm_meV``. The photons domain NCs emit into their local channels (p minus the
          collective photons per NC) are independent emission too and are given the same line (an
          approximation: the model does not resolve the local channel's spectrum inside a domain).

        Parameters
        ----------
        energy_meV : array_like
            Equally spaced photon energies (meV) from the single-NC line (negative: red).
        times : array_like
            Equally spaced times from 0 (ps), used both as emission times t and delays tau of G1; they should
            hold the domains' collective emission (a CoherenceWindowWarning says when they do not).
        p : float
            Excitation probability per NC, [0, 1].
        coupled_shift_meV : float
            Shift of the coupled line (meV; negative = red shift).
        inhomogeneous_fwhm_meV : float
            FWHM of the spread of uncoupled NCs' line centres (meV), >= 0.
        method : str
            Correlation method for the domains (default exact ``permutational``); ``options`` go to
            :func:`sf_dynamics.spectra.first_order`.

        Returns
        -------
        xarray.Dataset
            On ``energy_meV``: ``coupled`` (per domain NC), ``collective`` (its collective-channel part;
            ``collective_by_size`` per domain size), ``uncoupled`` (per uncoupled NC) and ``total`` (per NC of
            the sample), photons per meV;
            attributes: photons per NC of each, the peak and FWHM (meV) of the coupled (collective) line and the
            FWHM of the uncoupled line.

        Raises
        ------
        ValueError
            For an unequal energy grid, energies beyond the band of the delay step, p outside [0, 1], a negative
            inhomogeneous width, or bad times.
        """
        import xarray as xr
        from scipy.special import voigt_profile

        from ..model import ProductState
        from ..spectra import first_order, spectrum
        from ..units import MEV_TO_RAD_PER_PS

        energy = check_real_array("energy_meV", energy_meV)
        step = np.diff(energy)
        if energy.ndim != 1 or energy.size < 3 or np.any(step <= 0) or np.ptp(step) > 1e-9 * step[0]:
            raise ValueError("energy_meV must be an equally spaced, increasing grid of at least 3 energies")
        times = check_times(times)
        p = check_real("p", p, low=0.0, high=1.0)
        shift = check_real("coupled_shift_meV", coupled_shift_meV)
        width = check_real("inhomogeneous_fwhm_meV", inhomogeneous_fwhm_meV, low=0.0)
        rate = self.collective_decay + self.decay
        homogeneous = (rate + 2.0 * self.dephasing) / MEV_TO_RAD_PER_PS       # FWHM in meV
        # Lorentzian (half width gamma) of the homogeneous line, with the Gaussian spread for uncoupled NCs
        uncoupled = p * voigt_profile(energy, width / FWHM_PER_SIGMA, homogeneous / 2.0)
        per_mev = MEV_TO_RAD_PER_PS / (2.0 * np.pi)            # photons per (rad/ps) -> photons per meV
        collective, photons = [], []
        for size in self._sizes:
            corr = first_order(self.domain(size), times, times, method=method, detector="collective",
                               initial=ProductState(p), **options)
            rate = np.asarray(corr["intensity"].values)
            if rate.max() > 0 and rate[-1] > 1e-3 * rate.max():
                share = rate[-1] / rate.max()
                warnings.warn(f"times: the collective emission of the {size}-NC domains is still {share:.1%} of "
                              "its peak at the end of the window; the photons after it are missing from the "
                              "coupled line and counted as local emission: extend times", UserWarning,
                              stacklevel=2)
            omega = (energy - shift) * MEV_TO_RAD_PER_PS
            band = np.abs(omega) <= np.pi / float(times[1] - times[0])
            line = np.zeros_like(energy)
            if band.any():
                line[band] = spectrum(corr, omega[band]).values * per_mev / size
            collective.append(line)
            photons.append(float(corr.attrs["photons"]) / size)
        by_size = collective
        collective = self.nc_share @ np.array(collective)
        local = max(p - float(self.nc_share @ np.array(photons)), 0.0)
        coupled = collective + local * uncoupled / max(p, 1e-300)
        total = self.coupled_fraction * coupled + (1.0 - self.coupled_fraction) * uncoupled
        unit = {"units": "photons/meV per NC"}

        def area(y):
            return float(np.sum(y) * step[0])

        return xr.Dataset(
            {"coupled": ("energy_meV", coupled, unit), "collective": ("energy_meV", collective, unit),
             "collective_by_size": (("domain_size", "energy_meV"), np.array(by_size), unit),
             "uncoupled": ("energy_meV", uncoupled, unit), "total": ("energy_meV", total, unit)},
            coords={"energy_meV": ("energy_meV", energy, {"units": "meV"}),
                    "domain_size": ("domain_size", list(self._sizes))},
            attrs={"p": p, "coupled_shift_meV": shift, "inhomogeneous_fwhm_meV": width, "method": method,
                   "homogeneous_fwhm_meV": homogeneous, "photons_coupled": area(coupled),
                   "photons_collective": area(collective), "photons_uncoupled": area(uncoupled),
                   "coupled_peak_meV": float(energy[np.argmax(collective)]) if collective.any() else float("nan"),
                   "coupled_fwhm_meV": float(peak_fwhm(energy, collective)) if collective.any() else float("nan"),
                   "uncoupled_fwhm_meV": float(peak_fwhm(energy, uncoupled)) if p > 0 else float("nan")},
        )
