"""The five superfluorescence signatures of Rainò et al. (2018): what was reported, and what the model gives.

Rainò et al., Nature 563, 671 (2018) identified superfluorescence in CsPbX3 nanocrystal superlattices by
(the abstract's words) dynamically red-shifted emission, a more than 20-fold accelerated radiative decay, a
first-order coherence time extended by more than a factor of four, photon bunching, and delayed emission
pulses with Burnham-Chiao ringing at high excitation density, with a delay that depends on the excitation
intensity. :data:`REPORTED` holds these with their sources; :func:`signature_table` sets simulated values
(computed by the report, ``sf-dynamics report``, or the notebook ``notebooks/raino_signatures.ipynb``)
beside them, with the model's reading where it cannot reach a reported value.

:func:`ensemble_coherence_time` gives the first-order coherence time of uncoupled NCs whose lines are spread
by an inhomogeneous (Gaussian) distribution: the reference a Michelson measurement of the uncoupled emission
of a film sees, as opposed to the homogeneous T2 of one NC.
"""

from __future__ import annotations

import numpy as np

from .._validation import check_real
from ..analysis.instrument import FWHM_PER_SIGMA

__all__ = ["REPORTED", "signature_table", "ensemble_coherence_time"]

#: key -> (signature, reported value, source)
REPORTED = {
    "red_shift": ("red-shifted coupled line", "dynamically red-shifted emission (size of the shift not confirmed "
                  "here)", "Rainò et al., Nature 563, 671 (2018), abstract"),
    "acceleration": ("accelerated decay", "more than 20-fold (arXiv version: more than ten-fold)",
                     "Rainò et al. (2018), abstract"),
    "coherence": ("first-order coherence time", "extended more than 4-fold", "Rainò et al. (2018), abstract"),
    "bunching": ("photon bunching", "g2 > 1", "Rainò et al. (2018), abstract"),
    "delay": ("delay shortening with fluence", "delay depends on the excitation intensity",
              "Rainò et al. (2018), abstract and CERN Indico talk abstract (2019)"),
    "ringing": ("Burnham-Chiao ringing", "at high excitation density", "Rainò et al. (2018), abstract"),
    "temperature": ("temperature where the burst vanishes", "SF below 45 K (giant CsPbBr3 NCs; Rainò 2018's own "
                    "temperature not confirmed here)", "Kobiyama, Rainò et al., arXiv:2410.04938 (2024)"),
}


def signature_table(simulated):
    """A Markdown table "reported vs simulated".

    Parameters
    ----------
    simulated : dict
        key of :data:`REPORTED` -> (simulated value as text, reading: how it was obtained, and why it differs
        where it does). Keys left out are listed as "not simulated".

    Returns
    -------
    str

    Raises
    ------
    ValueError
        For a key that is not a signature of :data:`REPORTED`.
    """
    unknown = sorted(set(simulated) - set(REPORTED))
    if unknown:
        raise ValueError(f"simulated: unknown signatures {unknown}; known: {sorted(REPORTED)}")
    rows = ["| signature | reported | source | simulated | reading |", "|---|---|---|---|---|"]
    for key, (name, reported, source) in REPORTED.items():
        value, reading = simulated.get(key, ("not simulated", ""))
        rows.append(f"| {name} | {reported} | {source} | {value} | {reading} |")
    return "\n".join(rows)


def ensemble_coherence_time(inhomogeneous_fwhm_meV, t2_ps):
    """Coherence time tau_c = 2 int_0^inf |g1(tau)|^2 dtau (ps) of uncoupled NCs with a Gaussian spread of lines.

    g1(tau) = exp(-tau / T2) exp(-(s tau)^2 / 2), s = W / (2 sqrt(2 ln 2) hbar) (rad/ps): each NC's coherence
    decays at 1 / T2, and their different frequencies dephase the sum. Closed form
    tau_c = (sqrt(pi) / s) e^{x^2} erfc(x), x = 1 / (s T2) (the "integral" definition of
    :func:`sf_dynamics.analysis.coherence_time`); it is T2 without spread and sqrt(pi) / s when the spread
    dominates.

    Parameters
    ----------
    inhomogeneous_fwhm_meV : float
        FWHM W of the distribution of NC line energies (meV), >= 0.
    t2_ps : float
        Homogeneous coherence time T2 of one NC (ps), > 0.

    Returns
    -------
    float
        tau_c (ps).
    """
    from scipy.special import erfcx

    from ..units import HBAR_MEV_PS

    width = check_real("inhomogeneous_fwhm_meV", inhomogeneous_fwhm_meV, low=0.0)
    t2 = check_real("t2_ps", t2_ps, low=0.0, low_open=True)
    if width == 0.0:
        return t2
    s = width / (FWHM_PER_SIGMA * HBAR_MEV_PS)
    return float(np.sqrt(np.pi) / s * erfcx(1.0 / (s * t2)))
