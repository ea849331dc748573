"""A superlattice sample: coherently coupled domains beside NCs that emit on their own.

What a streak camera sees from a superlattice is the sum of two populations: NCs inside coherent domains
(a distribution of domain sizes), whose emission is collective, and NCs outside them (or detuned beyond the
collective width), which decay independently. :class:`Sample` holds the domain-size distribution, the
fraction of NCs in domains and the single-NC rates; :meth:`Sample.traces` simulates every domain size with
the same initial excitation probability p and returns the emission per NC of both populations and their
sum, the fast burst on the slow single-NC decay of Rainò et al., Nature 563, 671 (2018).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .._validation import check_real, check_real_array, check_times

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

        from ..model import Ensemble, ProductState
        from ..simulate import simulate

        times = check_times(times)
        p = check_real("p", p, low=0.0, high=1.0)
        start = ProductState(p)
        by_size = []
        for size in self._sizes:
            ens = Ensemble(size, collective_decay=self.collective_decay, decay=self.decay, dephasing=self.dephasing)
            res = simulate(ens, times, method=method, initial=start, **options)
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
