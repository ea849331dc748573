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

from .._validation import check_real, check_real_array, check_times, is_uniform
from ..analysis.instrument import FWHM_PER_SIGMA
from ..analysis.observables import SF_THRESHOLD
from ..kernels.peaks import peak_fwhm
from .fluence import excitation_probability, fluence_for_probability

__all__ = ["Sample", "burst_criterion"]


def burst_criterion(threshold=SF_THRESHOLD) -> str:
    """The burst test in words, as every output that applies it states it."""
    return (f"burst: the domains' emission peaks after the excitation at >= {threshold:g} x its rate at the "
            "excitation (the rate of independent NCs with the same excitation, which only decays)")


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
        an uncoupled NC decays at Gamma_c + gamma (its radiative rate). :meth:`with_temperature` sets the
        dephasing from a temperature through the homogeneous linewidth model.
    cross_section_cm2 : float
        Absorption cross-section of one NC at the pump wavelength (cm^2), > 0: the pump of fluence F excites an
        NC with probability p(F) = 1 - exp(-sigma F / E_ph) (:meth:`excitation_probability`).
    photon_energy_eV : float
        Pump photon energy E_ph (eV), > 0.
    inhomogeneous_fwhm_meV : float
        FWHM of the spread of the uncoupled NCs' line energies (meV), >= 0 (their ensemble line in
        :meth:`spectra`).
    temperature_K : float or None
        The temperature the dephasing was derived from (set by :meth:`with_temperature`; None when the
        dephasing was given directly). Recorded, not used.

    Raises
    ------
    ValueError
        For domain sizes below 2, weights that do not match the sizes or are negative, a fraction outside
        [0, 1], negative rates, a cross-section or photon energy <= 0, or a negative width or temperature.
    """

    domain_sizes: object = 200
    domain_weights: object = None
    coupled_fraction: float = 0.5
    collective_decay: float = 0.3 / 210.0
    decay: float = 0.7 / 210.0
    dephasing: float = 0.0101
    cross_section_cm2: float = 5e-14
    photon_energy_eV: float = 3.1
    inhomogeneous_fwhm_meV: float = 0.0
    temperature_K: object = None
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
        check_real("cross_section_cm2", self.cross_section_cm2, low=0.0, low_open=True)
        check_real("photon_energy_eV", self.photon_energy_eV, low=0.0, low_open=True)
        check_real("inhomogeneous_fwhm_meV", self.inhomogeneous_fwhm_meV, low=0.0)
        if self.temperature_K is not None:
            check_real("temperature_K", self.temperature_K, low=0.0, low_open=True)
        object.__setattr__(self, "_sizes", tuple(int(s) for s in sizes))
        object.__setattr__(self, "_weights", tuple(float(w) for w in weights / weights.sum()))

    @property
    def radiative_rate(self) -> float:
        """Gamma_1 = Gamma_c + gamma (1/ps): the decay rate of an uncoupled NC."""
        return self.collective_decay + self.decay

    @property
    def coherence_time_ps(self) -> float:
        """T2 = 1 / (Gamma_1 / 2 + gamma_phi) (ps): the homogeneous coherence time of one NC."""
        return 1.0 / (0.5 * self.radiative_rate + self.dephasing)

    @property
    def sizes(self) -> tuple:
        """The domain sizes (NCs per domain) as a tuple of int."""
        return self._sizes

    def parameters(self) -> dict:
        """Every parameter of the sample as plain values (for provenance and tables)."""
        return {"domain_sizes": list(self._sizes), "domain_weights": list(self._weights),
                "coupled_fraction": self.coupled_fraction, "collective_decay": self.collective_decay,
                "decay": self.decay, "dephasing": self.dephasing, "cross_section_cm2": self.cross_section_cm2,
                "photon_energy_eV": self.photon_energy_eV, "inhomogeneous_fwhm_meV": self.inhomogeneous_fwhm_meV,
                "temperature_K": self.temperature_K}

    def with_temperature(self, temperature_K, linewidth=None):
        """The same sample at ``temperature_K``: dephasing gamma_phi(T) from the homogeneous linewidth model.

        Parameters
        ----------
        temperature_K : float
            Temperature (K), > 0.
        linewidth : LinewidthModel, TabulatedLinewidth or callable, optional
            Homogeneous FWHM(T) (default :class:`~sf_dynamics.model.linewidth.LinewidthModel`); the radiative
            part Gamma_1 / 2 of the coherence decay is removed (:func:`~sf_dynamics.model.linewidth.dephasing_rate`).

        Returns
        -------
        Sample

        Raises
        ------
        ValueError
            For a temperature that is not > 0, or a linewidth model that gives a negative width.
        """
        from dataclasses import replace

        from ..model.linewidth import dephasing_rate

        temp = check_real("temperature_K", temperature_K, low=0.0, low_open=True)
        rate = float(dephasing_rate([temp], linewidth, radiative_rate=self.radiative_rate)[0])
        return replace(self, dephasing=rate, temperature_K=temp)

    def excitation_probability(self, fluence_uJ_cm2):
        """p(F) = 1 - exp(-sigma F / E_ph): the probability that the pump left an NC excited (Poisson absorption).

        Parameters
        ----------
        fluence_uJ_cm2 : array_like
            Pump fluences (uJ/cm^2), >= 0.

        Returns
        -------
        ndarray
        """
        return excitation_probability(fluence_uJ_cm2, cross_section_cm2=self.cross_section_cm2,
                                      photon_energy_eV=self.photon_energy_eV)

    def fluence(self, probability):
        """The pump fluence (uJ/cm^2) that excites an NC with ``probability`` (inverse of p(F)); inf at p = 1."""
        return fluence_for_probability(probability, cross_section_cm2=self.cross_section_cm2,
                                       photon_energy_eV=self.photon_energy_eV)

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
            ``total`` (per NC of the sample) and ``by_size`` (domain size, time) per domain NC;
            ``collective`` (the domains' common-mode emission per domain NC) and the two emission bands a
            spectrometer separates, per NC of the sample: ``coupled_band`` (the collective line of the domains)
            and ``uncoupled_band`` (the single-NC line: uncoupled NCs plus the local emission of domain NCs);
            attributes the sample's parameters.

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
        by_size, collective = [], []
        for size in self._sizes:
            res = simulate(self.domain(size), times, method=method, initial=start, **options)
            by_size.append(np.asarray(res.intensity) / size)
            # I = Gamma_c <J+ J-> + gamma sum_i <s+_i s-_i>: the local part is gamma times the excitation
            collective.append((np.asarray(res.intensity) - self.decay * np.asarray(res.excitation)) / size)
        by_size = np.array(by_size)
        coupled = self.nc_share @ by_size
        collective = self.nc_share @ np.array(collective)
        rate = self.radiative_rate
        uncoupled = p * rate * np.exp(-rate * times)
        f = self.coupled_fraction
        total = f * coupled + (1.0 - f) * uncoupled
        unit = {"units": "photons/ps per NC"}
        band = {"units": "photons/ps per NC of the sample"}
        return xr.Dataset(
            {"coupled": ("time", coupled, unit), "uncoupled": ("time", uncoupled, unit),
             "total": ("time", total, unit), "by_size": (("domain_size", "time"), by_size, unit),
             "collective": ("time", collective, unit),
             "coupled_band": ("time", f * collective, band),
             "uncoupled_band": ("time", (1.0 - f) * uncoupled + f * (coupled - collective), band)},
            coords={"time": ("time", times, {"units": "ps"}), "domain_size": ("domain_size", list(self._sizes))},
            attrs={"coupled_fraction": self.coupled_fraction, "p": p, "method": method,
                   "collective_decay": self.collective_decay, "decay": self.decay, "dephasing": self.dephasing,
                   "domain_weights": list(self._weights)},
        )

    def burst(self, times, *, p=1.0, method="permutational", threshold=SF_THRESHOLD, **options):
        """The burst test on the domains' emission after an excitation p: is there superfluorescence?

        Criterion (:func:`~sf_dynamics.analysis.burst_summary`): the emission per domain NC has its maximum after
        the excitation, at least ``threshold`` times its value at the excitation. For the product state the
        pump leaves, that value is p Gamma_1 per NC, the rate of the same excitation without any coupling:
        the baseline of independent NCs, which decays from its start and fails the test.

        Parameters
        ----------
        times : array_like
            Output times (ps) from the excitation; they must hold the burst.
        p : float
            Excitation probability per NC, [0, 1].
        method : str
            Method for the domains (see :meth:`traces`).
        threshold : float
            Peak over the rate at excitation that counts as a burst (> 1).

        Returns
        -------
        dict
            The keys of :func:`~sf_dynamics.analysis.burst_summary` for the coupled emission per domain NC
            (``burst``, ``tau_d`` (ps, NaN without a burst), ``peak_over_initial``...), and ``criterion`` (text).

        Raises
        ------
        ValueError
            For bad times, p outside [0, 1] or a threshold <= 1.
        """
        from ..analysis import burst_summary

        threshold = check_real("threshold", threshold, low=1.0, low_open=True)
        ds = self.traces(times, p=p, method=method, **options)
        out = burst_summary(ds["time"].values, ds["coupled"].values, threshold=threshold)
        out["criterion"] = burst_criterion(threshold)
        return out

    def burst_threshold(self, times, *, method="permutational", threshold=SF_THRESHOLD, xtol=1e-3, bracket=None,
                        **options):
        """The lowest excitation (probability and pump fluence) at which the domains pass the burst test.

        The ratio peak / rate at excitation of :meth:`burst` grows with p; the crossing of ``threshold`` is
        bracketed between p = 1 and a p that fails (a point-like domain cannot burst below p = 1/2, where it is
        not inverted) and found by Brent's method to ``xtol`` in p.

        Parameters
        ----------
        times : array_like
            Output times (ps) from the excitation; they must hold the burst near threshold, which is slower.
        method, threshold, options
            As in :meth:`burst`.
        xtol : float
            Accuracy of the threshold probability, > 0.
        bracket : (float, float), optional
            Probabilities known to fail and to pass the test (e.g. neighbouring points of a fluence series);
            saves the evaluations that find them.

        Returns
        -------
        dict
            ``probability`` and ``fluence_uJ_cm2`` at the threshold (NaN when even p = 1 gives no burst; 0 when
            every excitation does), ``criterion`` (text) and ``evaluations``.

        Raises
        ------
        ValueError
            For bad times, a threshold <= 1 or xtol <= 0.
        """
        from scipy.optimize import brentq

        xtol = check_real("xtol", xtol, low=0.0, low_open=True)
        calls = []

        def excess(p):
            calls.append(p)
            ratio = self.burst(times, p=p, method=method, threshold=threshold, **options)["peak_over_initial"]
            return float(np.log(max(ratio, 1e-300)) - np.log(threshold))

        def found(p):
            fluence = float("nan") if np.isnan(p) else float(self.fluence(p))
            return {"criterion": burst_criterion(threshold), "probability": p, "fluence_uJ_cm2": fluence,
                    "evaluations": len(calls)}

        if bracket is not None:
            low, high = (check_real("bracket", b, low=0.0, high=1.0) for b in bracket)
            if not low < high:
                raise ValueError(f"bracket must be (failing p, passing p) with failing < passing, got {bracket!r}")
            return found(float(brentq(excess, low, high, xtol=xtol)))
        if excess(1.0) < 0:
            return found(float("nan"))
        low = 0.5
        while excess(low) >= 0:
            if low < 1e-6:
                return found(0.0)
            low /= 10.0
        return found(float(brentq(excess, low, 1.0, xtol=xtol)))

    def fluence_series(self, fluences_uJ_cm2, times, *, irf_fwhm=None, method="permutational",
                       threshold=SF_THRESHOLD, find_threshold=True, progress=None, **options):
        """What a streak camera records from the sample at each pump fluence, with the burst test applied.

        Each fluence excites every NC with probability p(F) (:meth:`excitation_probability`); NCs the pump
        missed stay in the ground state, inside domains and outside (partial inversion).

        Parameters
        ----------
        fluences_uJ_cm2 : array_like
            Pump fluences (uJ/cm^2), >= 0, strictly increasing.
        times : array_like
            Equally spaced output times (ps) from the excitation.
        irf_fwhm : float, optional
            FWHM (ps) of a Gaussian instrument response; adds ``recorded`` (the sample's emission through it).
        method, threshold, options
            As in :meth:`burst`.
        find_threshold : bool
            Also locate the threshold excitation (:meth:`burst_threshold`, about ten more simulations).
        progress : bool, optional
            One step per fluence (None: on a terminal for long runs).

        Returns
        -------
        xarray.Dataset
            On ``fluence``: ``probability`` p(F), ``burst`` (0/1), ``tau_d`` (ps; NaN without a burst),
            ``peak_over_incoherent`` (the test's ratio), ``peak`` (photons/ps per domain NC); on (fluence, time):
            ``coupled``, ``uncoupled``, ``total``, ``coupled_band``, ``uncoupled_band`` (see :meth:`traces`) and,
            with ``irf_fwhm``, ``recorded`` (the total through the response) and ``recorded_coupled_band``,
            ``recorded_uncoupled_band`` (each band through it, as behind a spectral filter). Attributes: the
            sample's parameters, ``criterion``, ``threshold_probability`` and ``threshold_fluence_uJ_cm2``.

        Raises
        ------
        ValueError
            For fluences that are negative or not increasing, bad times or IRF.
        """
        import xarray as xr

        from .._io import jsonable
        from .._progress import progress_bar
        from ..analysis import burst_summary
        from ..analysis.detector_response import streak_camera

        f = np.atleast_1d(check_real_array("fluences_uJ_cm2", fluences_uJ_cm2, nonnegative=True))
        if f.ndim != 1 or f.size < 1 or np.any(np.diff(f) <= 0):
            raise ValueError("fluences_uJ_cm2 must be a 1-D array of strictly increasing fluences")
        times = check_times(times)
        threshold = check_real("threshold", threshold, low=1.0, low_open=True)
        prob = self.excitation_probability(f)
        rows = []
        with progress_bar(progress, total=f.size, size=10, desc="fluence series", unit="fluence") as bar:
            for fluence, p in zip(f, prob):
                bar.set_description(f"fluence series: {fluence:.3g} uJ/cm^2")
                ds = self.traces(times, p=float(p), method=method, **options)
                rows.append((ds, burst_summary(times, ds["coupled"].values, threshold=threshold)))
                bar.update(1)
        unit = {"units": "photons/ps per NC"}
        data = {
            "probability": ("fluence", prob, {"long_name": "excitation probability per NC p(F)"}),
            "burst": ("fluence", np.array([r[1]["burst"] for r in rows], dtype=np.int8)),
            "tau_d": ("fluence", np.array([r[1]["tau_d"] for r in rows]), {"units": "ps"}),
            "peak_over_incoherent": ("fluence", np.array([r[1]["peak_over_initial"] for r in rows])),
            "peak": ("fluence", np.array([r[1]["peak"] for r in rows]), unit),
        }
        for name in ("coupled", "uncoupled", "total", "coupled_band", "uncoupled_band"):
            data[name] = (("fluence", "time"), np.array([r[0][name].values for r in rows]), unit)
        if irf_fwhm is not None:
            for name, seen_name in (("total", "recorded"), ("coupled_band", "recorded_coupled_band"),
                                    ("uncoupled_band", "recorded_uncoupled_band")):
                _, seen = streak_camera(times, data[name][1].T, irf_fwhm)
                data[seen_name] = (("fluence", "time"), np.asarray(seen).T, dict(unit, irf_fwhm_ps=float(irf_fwhm)))
        attrs = {k: jsonable(v) for k, v in self.parameters().items() if v is not None}
        attrs.update(criterion=burst_criterion(threshold), sf_threshold=threshold, method=method)
        if find_threshold:
            ratio = np.log(np.maximum(data["peak_over_incoherent"][1], 1e-300)) - np.log(threshold)
            change = np.nonzero((ratio[:-1] < 0) & (ratio[1:] >= 0))[0]
            bracket = (float(prob[change[0]]), float(prob[change[0] + 1])) if change.size else None
            found = self.burst_threshold(times, method=method, threshold=threshold, bracket=bracket, **options)
            attrs.update(threshold_probability=found["probability"], threshold_fluence_uJ_cm2=found["fluence_uJ_cm2"])
        return xr.Dataset(data, coords={"fluence": ("fluence", f, {"units": "uJ/cm^2"}),
                                        "time": ("time", times, {"units": "ps"})}, attrs=attrs)

    def temperature_sweep(self, temperatures_K, times, *, p=1.0, linewidth=None, **options):
        """The domains' burst across temperature: dephasing gamma_phi(T) from the linewidth model, the same test.

        Parameters
        ----------
        temperatures_K : array_like
            Strictly increasing temperatures (K), > 0.
        times : array_like
            Equally spaced times (ps) from 0; the window and number of points of the sweep.
        p : float
            Excitation probability per NC, (0, 1].
        linewidth : optional
            Homogeneous FWHM(T) model (default :class:`~sf_dynamics.model.linewidth.LinewidthModel`), the one
            :meth:`with_temperature` uses.
        options
            Passed to :func:`~sf_dynamics.workflows.sweep.dynamic_temperature_sweep` (executor, progress,
            out...).

        Returns
        -------
        xarray.Dataset
            The sweep (``tau_d`` NaN where the burst test fails; ``t_sf_vanishes_K``), with the sample's
            parameters in its attributes.

        Raises
        ------
        ValueError
            For a sample of several domain sizes (sweep one :meth:`domain` at a time), or bad inputs.
        """
        from .._io import jsonable
        from .sweep import dynamic_temperature_sweep

        if len(self._sizes) != 1:
            raise ValueError(f"temperature_sweep needs one domain size, the sample has {list(self._sizes)}")
        times = check_times(times)
        ds = dynamic_temperature_sweep(temperatures_K, n=self._sizes[0], collective_decay=self.collective_decay,
                                       decay=self.decay, linewidth=linewidth, window_ps=float(times[-1]),
                                       points=times.size, excitation=p, **options)
        ds.attrs.update({k: jsonable(v) for k, v in self.parameters().items()
                         if v is not None and k not in ("dephasing", "temperature_K")})
        ds.attrs["criterion"] = burst_criterion(ds.attrs["sf_threshold"])
        return ds

    def spectra(self, energy_meV, times, *, p=1.0, coupled_shift_meV=0.0, inhomogeneous_fwhm_meV=None,
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
        inhomogeneous_fwhm_meV : float, optional
            FWHM of the spread of uncoupled NCs' line centres (meV), >= 0; default the sample's.
        method : str
            Correlation method for the domains (default exact ``permutational``); ``options`` go to
            :func:`sf_dynamics.spectra.first_order`.

        Returns
        -------
        xarray.Dataset
            On ``energy_meV``: ``coupled`` (per domain NC), ``collective`` (its collective-channel part;
            ``collective_by_size`` per domain size), ``uncoupled`` (per uncoupled NC) and ``total`` (per NC of
            the sample), photons per meV; the two bands a spectrometer separates, per NC of the sample:
            ``coupled_band`` (the domains' collective line) and ``uncoupled_band`` (the rest: uncoupled NCs and
            the local emission of domain NCs); ``g1_collective`` on ``tau`` (the times as delays): the time-integrated
            first-order coherence of the collective line, as a Michelson interferometer sees it;
            attributes: photons per NC of each, the peak and FWHM (meV) of the coupled (collective) line, the
            FWHM of the uncoupled line and ``collective_coherence_time_ps`` (integral definition of
            :func:`~sf_dynamics.analysis.coherence_time`).

        Raises
        ------
        ValueError
            For an unequal energy grid, energies beyond the band of the delay step, p outside [0, 1], a negative
            inhomogeneous width, or bad times.
        """
        import xarray as xr
        from scipy.special import voigt_profile

        from ..analysis import coherence_time
        from ..model import ProductState
        from ..spectra import first_order, normalized_g1, spectrum
        from ..units import MEV_TO_RAD_PER_PS

        energy = check_real_array("energy_meV", energy_meV)
        step = np.diff(energy)
        if energy.ndim != 1 or energy.size < 3 or np.any(step <= 0) or not is_uniform(energy):
            raise ValueError("energy_meV must be an equally spaced, increasing grid of at least 3 energies")
        times = check_times(times)
        p = check_real("p", p, low=0.0, high=1.0)
        shift = check_real("coupled_shift_meV", coupled_shift_meV)
        width = check_real("inhomogeneous_fwhm_meV", self.inhomogeneous_fwhm_meV if inhomogeneous_fwhm_meV is None
                           else inhomogeneous_fwhm_meV, low=0.0)
        homogeneous = (self.radiative_rate + 2.0 * self.dephasing) / MEV_TO_RAD_PER_PS       # FWHM in meV
        # Lorentzian (half width gamma) of the homogeneous line, with the Gaussian spread for uncoupled NCs
        uncoupled = p * voigt_profile(energy, width / FWHM_PER_SIGMA, homogeneous / 2.0)
        per_mev = MEV_TO_RAD_PER_PS / (2.0 * np.pi)            # photons per (rad/ps) -> photons per meV
        collective, photons, g1 = [], [], []
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
            g1.append(normalized_g1(corr).values if photons[-1] > 0 else np.zeros(times.size, complex))
        by_size = collective
        collective = self.nc_share @ np.array(collective)
        weights = self.nc_share * np.array(photons)
        g1_collective = (weights @ np.array(g1)) / weights.sum() if weights.sum() > 0 else np.zeros(times.size)
        local = max(p - float(self.nc_share @ np.array(photons)), 0.0)
        coupled = collective + local * uncoupled / max(p, 1e-300)
        f = self.coupled_fraction
        total = f * coupled + (1.0 - f) * uncoupled
        unit = {"units": "photons/meV per NC"}
        band = {"units": "photons/meV per NC of the sample"}

        def area(y):
            return float(np.sum(y) * step[0])

        return xr.Dataset(
            {"coupled": ("energy_meV", coupled, unit), "collective": ("energy_meV", collective, unit),
             "collective_by_size": (("domain_size", "energy_meV"), np.array(by_size), unit),
             "uncoupled": ("energy_meV", uncoupled, unit), "total": ("energy_meV", total, unit),
             "coupled_band": ("energy_meV", f * collective, band),
             "uncoupled_band": ("energy_meV", total - f * collective, band),
             "g1_collective": ("tau", g1_collective, {"long_name": "time-integrated g1 of the collective line"})},
            coords={"energy_meV": ("energy_meV", energy, {"units": "meV"}),
                    "domain_size": ("domain_size", list(self._sizes)), "tau": ("tau", times, {"units": "ps"})},
            attrs={"p": p, "coupled_shift_meV": shift, "inhomogeneous_fwhm_meV": width, "method": method,
                   "homogeneous_fwhm_meV": homogeneous, "photons_coupled": area(coupled),
                   "photons_collective": area(collective), "photons_uncoupled": area(uncoupled),
                   "collective_coherence_time_ps": (float(coherence_time(times, g1_collective))
                                                    if weights.sum() > 0 else float("nan")),
                   "coupled_peak_meV": float(energy[np.argmax(collective)]) if collective.any() else float("nan"),
                   "coupled_fwhm_meV": float(peak_fwhm(energy, collective)) if collective.any() else float("nan"),
                   "uncoupled_fwhm_meV": float(peak_fwhm(energy, uncoupled)) if p > 0 else float("nan")},
        )
