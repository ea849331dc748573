"""Temperature-dependent homogeneous linewidth and the pure-dephasing rate it implies.

Homogeneous linewidth (FWHM, meV; Rudin, Reinecke & Segall 1990; docs/physics.md)

    Gamma_hom(T) = Gamma_0 + sigma T + Gamma_LO / (exp(E_LO / k_B T) - 1)

and, since an optical coherence decays at FWHM / (2 hbar) = gamma / 2 + gamma_phi,

    gamma_phi(T) = max(Gamma_hom(T) / (2 hbar) - gamma / 2, 0).

An input of the simulations (the dephasing rate of a system at a temperature), so it lives with the
systems; :mod:`sf_dynamics.thermal` re-exports it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validation import check_real, check_real_array
from ..units import HBAR_MEV_PS, K_B_MEV_PER_K

__all__ = ["LinewidthModel", "TabulatedLinewidth", "dephasing_rate", "check_temperatures"]


def check_temperatures(temperatures_K) -> np.ndarray:
    """Temperatures (K) as a 1-D float array, each finite and > 0."""
    t = np.atleast_1d(check_real_array("temperatures_K", temperatures_K))
    if t.ndim != 1 or t.size < 1:
        raise ValueError("temperatures_K must be a 1-D array of temperatures (K)")
    if np.any(t <= 0):
        raise ValueError(f"temperatures_K must be > 0 K, got min {t.min()}")
    return t


@dataclass(frozen=True)
class LinewidthModel:
    """Homogeneous linewidth Gamma_hom(T) = Gamma_0 + sigma T + Gamma_LO / (exp(E_LO / k T) - 1) (FWHM, meV).

    The defaults are CsPbBr3-like values -- adjustable starting points, not
    fitted constants: Gamma_0 = 0.0165 meV (the 80 ps single-QD coherence
    time of Utzat 2019), sigma = 6 ueV/K (acoustic phonons,
    literature range 5-30 ueV/K; with it the 5 K width, 46 ueV, is close to
    the 54 ueV ensemble value of Becker 2018), Gamma_LO = 40 meV and
    E_LO = 18 meV (Froehlich LO phonon, literature ranges 30-90 and 16-19 meV,
    unconfirmed).
    """

    gamma0_meV: float = 0.0165
    sigma_meV_per_K: float = 0.006
    gamma_lo_meV: float = 40.0
    e_lo_meV: float = 18.0

    def __post_init__(self):
        for name in ("gamma0_meV", "sigma_meV_per_K", "gamma_lo_meV"):
            check_real(name, getattr(self, name), low=0.0)
        check_real("e_lo_meV", self.e_lo_meV, low=0.0, low_open=True)

    def fwhm_meV(self, temperatures_K):
        """Homogeneous FWHM (meV) at each temperature (K)."""
        t = check_temperatures(temperatures_K)
        x = self.e_lo_meV / (K_B_MEV_PER_K * t)
        bose = np.where(x < 700, 1.0 / np.expm1(np.minimum(x, 700)), 0.0)
        return self.gamma0_meV + self.sigma_meV_per_K * t + self.gamma_lo_meV * bose


class TabulatedLinewidth:
    """A measured homogeneous FWHM (meV) versus temperature (K), interpolated linearly.

    Parameters
    ----------
    temperatures_K, fwhm_meV : array_like
        Strictly increasing temperatures and the FWHM there (>= 0).
    """

    def __init__(self, temperatures_K, fwhm_meV):
        t = check_temperatures(temperatures_K)
        w = check_real_array("fwhm_meV", fwhm_meV, shape=t.shape, nonnegative=True)
        if t.size < 2 or np.any(np.diff(t) <= 0):
            raise ValueError("temperatures_K must hold at least 2 strictly increasing values")
        self.temperatures_K, self.values = t, w

    def fwhm_meV(self, temperatures_K):
        t = check_temperatures(temperatures_K)
        if np.any(t < self.temperatures_K[0]) or np.any(t > self.temperatures_K[-1]):
            raise ValueError(
                f"temperatures_K outside the table [{self.temperatures_K[0]}, {self.temperatures_K[-1]}] K"
            )
        return np.interp(t, self.temperatures_K, self.values)


def dephasing_rate(temperatures_K, linewidth=None, *, radiative_rate=0.0):
    """Pure dephasing rate gamma_phi(T) (1/ps) from a homogeneous linewidth model.

    Parameters
    ----------
    temperatures_K : array_like
        Temperatures (K), > 0.
    linewidth : LinewidthModel, TabulatedLinewidth or callable, optional
        Anything with ``fwhm_meV(T)``, or a function T -> FWHM (meV).
        Default: :class:`LinewidthModel` with its CsPbBr3-like defaults.
    radiative_rate : float
        gamma (1/ps): the radiative part of the coherence decay, removed so
        that gamma/2 + gamma_phi = FWHM / (2 hbar).

    Returns
    -------
    ndarray
        gamma_phi (1/ps), clipped at 0.
    """
    t = check_temperatures(temperatures_K)
    model = LinewidthModel() if linewidth is None else linewidth
    fwhm = model.fwhm_meV(t) if hasattr(model, "fwhm_meV") else np.asarray(model(t), dtype=float)
    fwhm = check_real_array("linewidth", fwhm, shape=t.shape, nonnegative=True)
    rate = check_real("radiative_rate", radiative_rate, low=0.0)
    return np.maximum(fwhm / (2.0 * HBAR_MEV_PS) - 0.5 * rate, 0.0)
