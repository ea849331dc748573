"""What the detector collects: all photons, the collective channel, or one far-field direction and polarisation.

A far-field detector in direction k^ with polarisation e^ sees, per unit
solid angle, the field

    E-(k^, e^) = sum_i a_i s-_i,   a_i = sqrt(3 Gamma_ii / (8 pi)) exp(-i k k^ . r_i) (e^* . d_i),

(k = 2 pi n_r / lambda), so that <E+ E-> is the photon rate per steradian
(photons/ps/sr). For a single dipole this is the familiar (3 Gamma / 8 pi)
|e^* . d|^2 pattern; summed over two polarisations and integrated over all
directions, sum_kl conj(a_k) a_l reproduces the Green's-tensor decay matrix
Gamma_kl (tested), i.e. the ``total`` detector. Positions are needed: a
point-like ensemble without positions has no direction-dependent field.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .._validation import check_real, check_real_array

__all__ = ["FarField", "DETECTORS"]

#: detector names and what they detect (a :class:`FarField` object is the third kind)
DETECTORS = {
    "total": "photons into all modes: sum_ij Gamma_ij <s+_i(t + tau) s-_j(t)> (decay channels of Gamma)",
    "collective": "the collective channel Gamma_c <J+(t + tau) J-(t)> (two-level emitters, collective_decay > 0)",
    "forward": "the exit-face field of a Slab, Gamma_f <E+(t + tau) E-(t)> (method 'maxwell_bloch')",
}


def _unit(name, vector):
    vector = check_real_array(name, vector, shape=(3,))
    norm = float(np.linalg.norm(vector))
    if norm == 0.0:
        raise ValueError(f"{name} must be a non-zero 3-vector")
    return vector / norm


@dataclass(frozen=True)
class FarField:
    """A far-field detector: direction, polarisation, and the emitter positions it needs.

    Parameters
    ----------
    direction : array_like, shape (3,)
        Direction of observation k^ (normalised here).
    polarization : array_like, shape (3,)
        Linear polarisation e^ (normalised here), perpendicular to ``direction``.
    positions : array_like, shape (n, 3)
        Positions of the n emitters or nanocrystals, in the unit of ``wavelength``.
    wavelength : float
        Vacuum emission wavelength (same unit as ``positions``), > 0.
    dipoles : array_like, shape (n, 3) or (3n, 3), optional
        Transition dipoles of two-level emitters (required for them), or of
        the 3n dipoles of nanocrystals (default: each NC's along x, y, z).
    refractive_index : float
        Of the surrounding medium (k = 2 pi n_r / lambda), > 0.

    Raises
    ------
    ValueError
        Zero vectors, a polarisation not perpendicular to the direction,
        non-finite positions or a non-positive wavelength.
    """

    direction: np.ndarray
    polarization: np.ndarray
    positions: np.ndarray
    wavelength: float
    dipoles: np.ndarray | None = None
    refractive_index: float = 1.0
    name: str = field(default="far-field", init=False)

    def __post_init__(self):
        direction = _unit("direction", self.direction)
        polarization = _unit("polarization", self.polarization)
        if abs(float(direction @ polarization)) > 1e-9:
            raise ValueError("polarization must be perpendicular to direction (a transverse far field)")
        positions = check_real_array("positions", self.positions)
        if positions.ndim != 2 or positions.shape[1] != 3:
            raise ValueError(f"positions must have shape (n, 3), got {positions.shape}")
        object.__setattr__(self, "direction", direction)
        object.__setattr__(self, "polarization", polarization)
        object.__setattr__(self, "positions", positions)
        object.__setattr__(self, "wavelength", check_real("wavelength", self.wavelength, low=0.0, low_open=True))
        object.__setattr__(self, "refractive_index",
                           check_real("refractive_index", self.refractive_index, low=0.0, low_open=True))
        if self.dipoles is not None:
            dipoles = check_real_array("dipoles", self.dipoles)
            if dipoles.ndim != 2 or dipoles.shape[1] != 3:
                raise ValueError(f"dipoles must have shape (n, 3), got {dipoles.shape}")
            norms = np.linalg.norm(dipoles, axis=1)
            if np.any(norms == 0):
                raise ValueError("dipoles must be non-zero vectors")
            object.__setattr__(self, "dipoles", dipoles / norms[:, None])

    def describe(self) -> str:
        return (f"far field along {np.round(self.direction, 4).tolist()}, polarisation "
                f"{np.round(self.polarization, 4).tolist()}")

    def amplitudes(self, system) -> np.ndarray:
        """a_i per dipole (sqrt(photons/ps/sr)), shape (n,) or (3n,) for nanocrystals.

        Raises
        ------
        ValueError
            When positions or dipoles do not match the system.
        """
        n = system.n
        if self.positions.shape[0] != n:
            raise ValueError(f"detector: the far-field detector has {self.positions.shape[0]} positions but the "
                             f"system has {n} emitters")
        phase = np.exp(-2j * np.pi * self.refractive_index / self.wavelength * (self.positions @ self.direction))
        gamma = np.diag(system.gamma_matrix())
        if system.emitter_type == "triplet":
            phase = np.repeat(phase, 3)
            if self.dipoles is None:
                projection = np.tile(self.polarization, n)          # dipoles along x, y, z of every NC
            elif self.dipoles.shape[0] != 3 * n:
                raise ValueError(f"detector: {self.dipoles.shape[0]} dipoles for {n} nanocrystals (3 per NC)")
            else:
                projection = self.dipoles @ self.polarization
        elif system.emitter_type == "two-level":
            if self.dipoles is None:
                raise ValueError("detector: a far-field detector of two-level emitters needs their dipoles")
            if self.dipoles.shape[0] != n:
                raise ValueError(f"detector: {self.dipoles.shape[0]} dipoles for {n} emitters")
            projection = self.dipoles @ self.polarization
        else:
            raise ValueError(f"detector: no far-field detector for {system.emitter_type!r} systems")
        return np.sqrt(3.0 * gamma / (8.0 * np.pi)) * phase * projection

