"""An extended, optically thick slab for 1D Maxwell-Bloch propagation.

The slab holds N two-level emitters in ``slices`` equal slices along the
propagation axis z. Each emitter radiates into the forward end-fire mode at
the rate ``forward_decay`` Gamma_f (the geometric factor of a pencil-shaped
sample, mu = 3 lambda^2 / (8 pi A n_r^2), times the single-emitter rate) and
into all other modes at ``decay`` gamma. With T_R = 1 / (N Gamma_f) the
Arecchi-Courtens superradiance time and 1 / T2 = (Gamma_f + gamma) / 2 +
gamma_phi the coherence decay rate, the small-signal optical depth (intensity
gain or absorption) of the slab is alpha L = 2 T2 / T_R.
"""

from __future__ import annotations

import numpy as np

from .._validation import check_positive_int, check_rate, check_real
from .protocol import Frozen
from .spectrum import Spectrum

__all__ = ["Slab"]


class Slab(Frozen):
    """N emitters in an extended slab, for ``method="maxwell_bloch"``.

    Parameters
    ----------
    n : int or float
        Number of emitters in the slab (>= 1; may be large, e.g. 1e8).
    forward_decay : float
        Gamma_f (1/ps): single-emitter emission rate into the forward mode.
    decay : float
        gamma (1/ps): emission into all other modes (and non-radiative loss).
    dephasing : float
        gamma_phi (1/ps), as in docs/conventions.md.
    length_um : float
        Slab length L (um), for the z axis of the output.
    slices : int
        Number of slices (>= 1).
    spectrum : Spectrum, optional
        Inhomogeneous broadening (the same in every slice).
    """

    emitter_type = "slab"

    def __init__(self, n, forward_decay, *, decay=0.0, dephasing=0.0, length_um=1.0, slices=100, spectrum=None):
        self.n = check_real("n", n, low=1.0)
        self.forward_decay = check_rate("forward_decay", forward_decay)
        if self.forward_decay <= 0:
            raise ValueError("forward_decay must be > 0 (1/ps)")
        self.decay = check_rate("decay", decay)
        self.dephasing = check_rate("dephasing", dephasing)
        self.length_um = check_real("length_um", length_um, low=0.0, low_open=True)
        self.slices = check_positive_int("slices", slices)
        if spectrum is not None and not isinstance(spectrum, Spectrum):
            raise ValueError(f"spectrum must be an sf_dynamics.Spectrum, got {type(spectrum).__name__}")
        self.spectrum = spectrum
        self._freeze()

    @classmethod
    def from_density(cls, density_per_um3, length_um, *, area_um2, wavelength_nm, lifetime_ps, refractive_index=1.0,
                     dephasing=0.0, slices=100, spectrum=None):
        """A pencil-shaped slab from its emitter density, length and cross-section.

        N = density * area * length; Gamma_f = mu gamma with the geometric
        factor mu = 3 lambda^2 / (8 pi A n_r^2) (docs/physics.md: T_R =
        8 pi tau_sp / (3 rho lambda^2 L)); the rest of the emission, (1 - mu)
        gamma, goes to other modes. Valid for a Fresnel number ~1 and mu < 1.
        """
        rho = check_real("density_per_um3", density_per_um3, low=0.0, low_open=True)
        length = check_real("length_um", length_um, low=0.0, low_open=True)
        area = check_real("area_um2", area_um2, low=0.0, low_open=True)
        lam_um = check_real("wavelength_nm", wavelength_nm, low=0.0, low_open=True) * 1e-3
        gamma = 1.0 / check_real("lifetime_ps", lifetime_ps, low=0.0, low_open=True)
        n_r = check_real("refractive_index", refractive_index, low=0.0, low_open=True)
        mu = 3.0 * lam_um**2 / (8.0 * np.pi * area * n_r**2)
        if mu >= 1.0:
            raise ValueError(f"area_um2 is too small for a pencil-shaped sample: geometric factor mu = {mu:.3g} >= 1")
        return cls(rho * area * length, mu * gamma, decay=(1.0 - mu) * gamma, dephasing=dephasing,
                   length_um=length, slices=slices, spectrum=spectrum)

    @classmethod
    def from_optical_depth(cls, optical_depth, n, *, decay=0.0, dephasing=0.0, length_um=1.0, slices=100,
                           spectrum=None):
        """A slab of N emitters with a given small-signal optical depth alpha L = 2 T2 / T_R.

        Solves alpha L = 2 N Gamma_f / ((Gamma_f + gamma) / 2 + gamma_phi) for Gamma_f.
        """
        od = check_real("optical_depth", optical_depth, low=0.0, low_open=True)
        n = check_real("n", n, low=1.0)
        gamma = check_rate("decay", decay)
        gphi = check_rate("dephasing", dephasing)
        # od = 2 n gf / (gf / 2 + gamma / 2 + gphi)  ->  gf (2 n - od / 2) = od (gamma / 2 + gphi)
        denom = 2.0 * n - 0.5 * od
        if denom <= 0 or gamma / 2 + gphi <= 0:
            raise ValueError("optical_depth needs decay or dephasing > 0 and optical_depth < 4 n")
        return cls(n, od * (0.5 * gamma + gphi) / denom, decay=gamma, dephasing=gphi, length_um=length_um,
                   slices=slices, spectrum=spectrum)

    # -- derived quantities ----------------------------------------------------------
    @property
    def superradiance_time(self) -> float:
        """T_R = 1 / (N Gamma_f) (ps)."""
        return 1.0 / (self.n * self.forward_decay)

    @property
    def coherence_time(self) -> float:
        """T2 = 1 / ((Gamma_f + gamma)/2 + gamma_phi) (ps); inf without decoherence."""
        rate = 0.5 * (self.forward_decay + self.decay) + self.dephasing
        return 1.0 / rate

    @property
    def optical_depth(self) -> float:
        """Small-signal optical depth alpha L = 2 T2 / T_R."""
        return 2.0 * self.coherence_time / self.superradiance_time

    @property
    def single_emitter_decay(self) -> float:
        return self.forward_decay + self.decay

    def classes(self):
        """(detunings, weights) of the spectral classes of every slice."""
        if self.spectrum is None:
            return np.zeros(1), np.ones(1)
        return self.spectrum.detunings, self.spectrum.weights

    def parameters(self) -> dict:
        out = {
            "n": self.n,
            "emitter_type": self.emitter_type,
            "forward_decay": self.forward_decay,
            "decay": self.decay,
            "dephasing": self.dephasing,
            "length_um": self.length_um,
            "slices": self.slices,
            "superradiance_time_ps": self.superradiance_time,
            "optical_depth": self.optical_depth,
            "single_emitter_decay": self.single_emitter_decay,
        }
        if self.spectrum is not None:
            out["spectrum"] = repr(self.spectrum)
        return out

    @property
    def is_identical(self) -> bool:
        return False

    @property
    def has_coupling_matrices(self) -> bool:
        return False

    def __repr__(self) -> str:
        return (f"Slab(n={self.n:g}, forward_decay={self.forward_decay:g}, decay={self.decay:g}, "
                f"dephasing={self.dephasing:g}, slices={self.slices}, T_R={self.superradiance_time:.3g} ps, "
                f"alpha L={self.optical_depth:.3g})")
