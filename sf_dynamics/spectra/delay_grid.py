"""Whether the delays of G1 resolve the line: the delay step (the Nyquist band) and the delay window.

A spectrum is the Fourier transform of the time-integrated G1 over the delays tau_k = k dtau, k = 0 ... K.

* **Step.** The discrete transform is periodic in omega with period 2 pi / dtau: it sees the band
  |omega| < B = pi / dtau and folds every photon emitted outside the band back into it (aliasing: a line
  broader than the band comes out flat, its width set by the band). Around the periodic band, a line and
  its replica meet a distance B from its peak, where the computed spectrum holds both tails. The tails of
  a line fall at least as fast as a Lorentzian's (1 / omega^2: the line of any finite-lifetime emitter),
  and a 1 / omega^2 tail holds beyond B as many photons per side as B times its density at B. So the share
  of the photons folded back in is about B S(peak + B) / (2 pi) over the photons, that is the mean |S| in
  the tenth of the band nearest the meeting point over twice the mean |S| on the band (exact for a
  Lorentzian, Gamma / (pi B) for FWHM Gamma; an overestimate for faster tails; 1/2 for a line much broader
  than the band). Above :data:`ALIASING_SHARE` an :class:`AliasingWarning` is issued: a Lorentzian warns
  from Gamma ~ 0.16 B, i.e. dtau > 0.5 / Gamma.
* **Window.** G1 cut at the last delay while the time-integrated |G1| is still a share f of its
  tau = 0 value changes the spectrum by up to ~f of its peak (ripples and a broadening to the resolution
  2 pi / tau_max). Above :data:`TRUNCATION_SHARE` a
  :class:`~sf_dynamics.spectra.CoherenceWindowWarning` is issued (the criterion of
  :func:`~sf_dynamics.spectra.first_order`).
"""

from __future__ import annotations

import numpy as np

from .._warnings import warn_caller
from ..methods.quantities import DECAYED_SHARE, CoherenceWindowWarning

__all__ = ["AliasingWarning", "ALIASING_SHARE", "TRUNCATION_SHARE", "aliased_share", "check_delay_grid"]

#: largest estimated share of the photons folded back into the Nyquist band (:func:`aliased_share`)
ALIASING_SHARE = 0.05
#: largest |G1(tau_max)| / |G1(0)| (time-integrated) allowed at the last delay
TRUNCATION_SHARE = DECAYED_SHARE


class AliasingWarning(RuntimeWarning):
    """The delay step is too coarse for the line: photons outside the band pi / dtau are folded into it."""


def aliased_share(integrated, taus):
    """Estimated share of the spectrum's photons folded back into the band pi / dtau (see the module notes).

    Parameters
    ----------
    integrated : ndarray, complex, shape (K + 1,)
        The time-integrated G1 at the delays.
    taus : ndarray
        Equally spaced delays from 0 (ps).

    Returns
    -------
    float
        Mean |S| within B / 10 of the point a band B = pi / dtau away from the peak, over twice the mean |S|
        on the band: 0 for a resolved line, 1/2 for a flat (fully aliased) one; NaN without photons.
    """
    dtau = float(taus[1] - taus[0])
    weights = np.full(taus.size, dtau)
    weights[0] = weights[-1] = 0.5 * dtau
    size = int(2 ** np.ceil(np.log2(2 * taus.size)))
    values = 2.0 * np.fft.fft(weights * integrated, n=size).real     # S on the full period of the band
    band = np.pi / dtau
    omega = 2 * np.pi * np.fft.fftfreq(size, d=dtau)
    distance = np.mod(omega - omega[int(np.argmax(values))] + band, 2 * band) - band
    level = float(np.mean(np.abs(values)))
    if not level > 0:
        return float("nan")
    return float(np.mean(np.abs(values[np.abs(distance) >= 0.9 * band])) / (2.0 * level))


def check_delay_grid(integrated, taus) -> None:
    """Warn when the delays do not resolve the line (step: aliasing; window: truncation).

    Parameters
    ----------
    integrated : ndarray, complex
        The time-integrated G1 at the delays.
    taus : ndarray
        Equally spaced delays from 0 (ps).

    Warns
    -----
    AliasingWarning
        When more than :data:`ALIASING_SHARE` of the photons are estimated to be folded back into the band.
    CoherenceWindowWarning
        When |G1| at the last delay is still more than :data:`TRUNCATION_SHARE` of its value at tau = 0.
    """
    dtau = float(taus[1] - taus[0])
    share = aliased_share(integrated, taus)
    if share > ALIASING_SHARE:
        warn_caller(f"taus: the delay step {dtau:.4g} ps sees the band |omega| < pi / dtau = {np.pi / dtau:.4g} "
                    f"rad/ps, but pi / dtau from its peak (where the line meets its alias) the spectrum is still "
                    f"{2 * share:.0%} of its mean level: about {share:.0%} of its photons lie beyond the band and "
                    "are folded back into it: the "
                    "line is aliased, its shape and width are wrong; use a smaller delay step", AliasingWarning)
    start = abs(integrated[0])
    left = float(abs(integrated[-1]) / start) if start > 0 else 0.0
    if left > TRUNCATION_SHARE:
        warn_caller(f"taus: at the last delay ({taus[-1]:.4g} ps) the time-integrated |G1| is still {left:.0%} "
                    "of its value at tau = 0: the spectrum is truncated (broadened to the resolution "
                    f"2 pi / tau_max = {2 * np.pi / taus[-1]:.3g} rad/ps, with ripples); extend taus",
                    CoherenceWindowWarning)
