"""Inhomogeneous broadening: a distribution of transition frequencies in K classes.

A :class:`Spectrum` holds K class detunings delta_a (rad/ps) and their
probabilities w_a (summing to 1). An :class:`~sf_dynamics.Ensemble` of N
emitters with a spectrum places N w_a emitters in class a; the cumulant and
mean-field solvers then evolve one set of variables per class (and per pair
of classes), so the cost depends on K, not on N.

Discretisations
---------------
:meth:`Spectrum.gaussian` and :meth:`Spectrum.lorentzian` place K classes on
an equally spaced grid (spacing Delta) over +- ``span`` FWHM around the
centre; each class carries the probability of its bin (the few per cent of a
Lorentzian's tails beyond the span are dropped and the rest renormalised).
:meth:`Spectrum.from_samples` takes user-given detunings and weights (a
measured PL line, or integer emitter counts).

Choosing K
----------
A comb of classes with spacing Delta rephases: the free-induction decay
sum_a w_a exp(-i delta_a t) returns at the **recurrence time**
T_rec = 2 pi / Delta, where the discrete model stops describing a continuous
line. Choose K so that T_rec exceeds the simulated window (with margin):
K >~ 2 span FWHM T / (2 pi) · 2. The solvers warn when the window is longer
than T_rec / 2. Within that limit, tau_D and the peak converge quickly in K
(tests/solvers/test_cumulant.py; README).
"""

from __future__ import annotations

import numpy as np

from .._validation import check_frequencies, check_positive_int, check_real, check_real_array
from .._warnings import warn_caller

__all__ = ["Spectrum", "FWHM_PER_SIGMA"]

#: FWHM of a Gaussian in units of its standard deviation, 2 sqrt(2 ln 2)
FWHM_PER_SIGMA = 2.0 * np.sqrt(2.0 * np.log(2.0))


class Spectrum:
    """K spectral classes: detunings (rad/ps) and probabilities.

    Parameters
    ----------
    detunings : array_like, shape (K,)
        Class detunings delta_a (rad/ps), finite.
    weights : array_like, shape (K,)
        Non-negative class weights (probabilities after normalisation, or
        integer emitter counts).
    kind : str
        A label for the distribution ("gaussian", "lorentzian", "samples").
    """

    __slots__ = ("_detunings", "_weights", "_counts", "kind", "width", "spacing")

    def __init__(self, detunings, weights, kind="samples", width=float("nan"), spacing=float("nan")):
        det = check_frequencies("detunings", check_real_array("detunings", detunings))
        w = check_real_array("weights", weights, nonnegative=True)
        if det.ndim != 1 or det.size < 1:
            raise ValueError(f"detunings must be a 1-D array with K >= 1 classes, got shape {det.shape}")
        if w.shape != det.shape:
            raise ValueError(f"weights must have the shape of detunings {det.shape}, got {w.shape}")
        total = w.sum()
        if not total > 0:
            raise ValueError("weights must have a positive sum")
        self._counts = w.copy() if np.all(w == np.round(w)) else None
        self._detunings = det.copy()
        self._weights = w / total
        for arr in (self._detunings, self._weights):
            arr.setflags(write=False)
        self.kind = kind
        self.width = width
        self.spacing = spacing

    # -- constructors -----------------------------------------------------------
    @classmethod
    def _grid(cls, kind, cdf, fwhm, classes, center, span):
        fwhm = check_real("fwhm", fwhm, low=0.0)
        classes = check_positive_int("classes", classes)
        center = check_real("center", center)
        span = check_real("span", span, low=0.0, low_open=True)
        if fwhm == 0.0 or classes == 1:
            return cls([center], [1.0], kind=kind, width=fwhm)
        edges = np.linspace(-span * fwhm, span * fwhm, classes + 1)
        weights = np.diff(cdf(edges))
        nodes = center + 0.5 * (edges[1:] + edges[:-1])
        return cls(nodes, weights, kind=kind, width=fwhm, spacing=float(edges[1] - edges[0]))

    @classmethod
    def gaussian(cls, fwhm, classes=101, center=0.0, span=2.0):
        """Gaussian line of full width at half maximum ``fwhm`` (rad/ps) in K equally spaced classes.

        Parameters
        ----------
        fwhm : float
            Full width at half maximum (rad/ps), >= 0; 0 gives one class.
        classes : int
            Number of classes K >= 1.
        center : float
            Line centre (rad/ps).
        span : float
            The grid covers centre +- span * FWHM (default 2, i.e. +- 4.7
            standard deviations).
        """
        from scipy.special import ndtr

        sigma = float(fwhm) / FWHM_PER_SIGMA if np.isfinite(fwhm) and fwhm > 0 else 1.0
        return cls._grid("gaussian", lambda x: ndtr(x / sigma), fwhm, classes, center, span)

    @classmethod
    def lorentzian(cls, fwhm, classes=101, center=0.0, span=10.0):
        """Lorentzian line of full width at half maximum ``fwhm`` (rad/ps) in K equally spaced classes.

        The grid covers centre +- span * FWHM (default 10); the 3 % of the
        line beyond it is dropped and the rest renormalised.
        """
        half = 0.5 * float(fwhm) if np.isfinite(fwhm) and fwhm > 0 else 1.0
        return cls._grid("lorentzian", lambda x: np.arctan(x / half) / np.pi, fwhm, classes, center, span)

    @classmethod
    def from_samples(cls, detunings, weights=None):
        """User-given class detunings (rad/ps) with weights (default: equal)."""
        det = np.atleast_1d(np.asarray(detunings, dtype=float))
        weights = np.ones(det.shape) if weights is None else weights
        return cls(det, weights, kind="samples")

    # -- properties -------------------------------------------------------------
    @property
    def detunings(self) -> np.ndarray:
        """Class detunings delta_a (rad/ps)."""
        return self._detunings

    @property
    def weights(self) -> np.ndarray:
        """Class probabilities w_a (sum 1)."""
        return self._weights

    @property
    def integer_counts(self):
        """The weights as given when they were integers (emitter counts), else None."""
        return self._counts

    @property
    def classes(self) -> int:
        """Number of classes K."""
        return self._detunings.size

    @property
    def recurrence_time(self) -> float:
        """2 pi / class spacing (ps): beyond it the discrete comb rephases (inf for one class, nan for samples)."""
        if self.classes == 1:
            return float("inf")
        return 2.0 * np.pi / self.spacing if np.isfinite(self.spacing) else float("nan")

    def check_window(self, duration: float) -> None:
        """Warn if a simulation window (ps) exceeds half the recurrence time."""

        rec = self.recurrence_time
        if np.isfinite(rec) and duration > 0.5 * rec:
            warn_caller(
                f"the simulated window ({duration:g} ps) exceeds half the recurrence time of the "
                f"{self.classes} spectral classes ({rec:g} ps): the discrete line rephases; increase classes "
                f"to >= {int(np.ceil(self.classes * 2 * duration / rec))}",
            )

    def mean(self) -> float:
        """Mean detuning (rad/ps)."""
        return float(self._weights @ self._detunings)

    def std(self) -> float:
        """Standard deviation of the detunings (rad/ps)."""
        return float(np.sqrt(self._weights @ (self._detunings - self.mean()) ** 2))

    def __repr__(self) -> str:
        width = f", fwhm={self.width:g} rad/ps" if np.isfinite(self.width) else ""
        return f"Spectrum({self.kind}, K={self.classes}{width})"
