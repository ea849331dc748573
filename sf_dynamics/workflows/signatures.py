"""The five superfluorescence signatures of Rainò et al. (2018): what was reported, and what the model gives.

Rainò et al., Nature 563, 671 (2018) identified superfluorescence in CsPbX3 nanocrystal superlattices by
(the abstract's words) dynamically red-shifted emission, a more than 20-fold accelerated radiative decay, a
first-order coherence time extended by more than a factor of four, photon bunching, and delayed emission
pulses with Burnham-Chiao ringing at high excitation density, with a delay that depends on the excitation
intensity. :data:`REPORTED` holds these with their sources; :class:`SignatureTest` states one of them as a
test on a simulated sample (how it was measured, the criterion, the no-SF baseline that fails it, the numbers
and the verdict), and :func:`signature_tests` tabulates them beside the reported values (the report's
section 6, ``sf-dynamics report``, and ``notebooks/raino_signatures.ipynb``). :func:`band_decay_time` and
:func:`uncoupled_g1` measure the two emission bands as an experiment does.

:func:`ensemble_coherence_time` gives the first-order coherence time of uncoupled NCs whose lines are spread
by an inhomogeneous (Gaussian) distribution: the reference a Michelson measurement of the uncoupled emission
of a film sees, as opposed to the homogeneous T2 of one NC.
"""

from __future__ import annotations

import numpy as np

from .._validation import check_real, check_real_array
from ..analysis.instrument import FWHM_PER_SIGMA

__all__ = ["REPORTED", "SignatureTest", "signature_tests", "ensemble_coherence_time",
           "uncoupled_g1", "band_decay_time", "DECAY_FLOOR"]

#: :func:`band_decay_time` fits the decay from the maximum plus two IRF widths down to this share of the maximum
DECAY_FLOOR = 0.05

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


class SignatureTest:
    """One signature as a stated test: how it was measured, the criterion, the baseline that fails it, the numbers.

    Parameters
    ----------
    measured : str
        The quantity as the simulated experiment measures it.
    criterion : str
        What must hold for the signature to count as present.
    baseline : str
        The simulated no-superfluorescence baseline and its value (it fails the criterion).
    value : str
        The simulated value.
    passed : bool or None
        Whether the criterion holds; None when the test does not apply (``reading`` says why).
    reading : str
        How to read it (where the model cannot reach a reported value, why).
    """

    def __init__(self, measured, criterion, baseline, value, passed, reading=""):
        self.measured, self.criterion, self.baseline = measured, criterion, baseline
        self.value, self.passed, self.reading = value, passed, reading

    @property
    def verdict(self) -> str:
        """"present", "absent" or "not applicable"."""
        return {True: "present", False: "absent", None: "not applicable"}[self.passed]


def signature_tests(tests):
    """A Markdown table of signature tests: reported value, measurement, criterion, baseline, simulated, verdict.

    Parameters
    ----------
    tests : dict
        key of :data:`REPORTED` -> :class:`SignatureTest`. Keys left out are listed as "not simulated".

    Returns
    -------
    str

    Raises
    ------
    ValueError
        For a key that is not a signature of :data:`REPORTED`.
    """
    unknown = sorted(set(tests) - set(REPORTED))
    if unknown:
        raise ValueError(f"tests: unknown signatures {unknown}; known: {sorted(REPORTED)}")
    rows = ["| signature | reported | measured as | criterion | no-SF baseline | simulated | verdict |",
            "|---|---|---|---|---|---|---|"]
    for key, (name, reported, _) in REPORTED.items():
        test = tests.get(key)
        if test is None:
            rows.append(f"| {name} | {reported} | not simulated | | | | |")
            continue
        verdict = f"**{test.verdict}**" + (f": {test.reading}" if test.reading else "")
        rows.append(f"| {name} | {reported} | {test.measured} | {test.criterion} | {test.baseline} | {test.value} | "
                    f"{verdict} |")
    return "\n".join(rows)


def uncoupled_g1(taus, inhomogeneous_fwhm_meV, t2_ps):
    """First-order coherence g1(tau) = exp(-tau / T2) exp(-(s tau)^2 / 2) of NCs with a Gaussian spread of lines.

    The Michelson signal of the uncoupled band: each NC's coherence decays at 1 / T2, and the spread of their
    frequencies (FWHM W, s = W / (2 sqrt(2 ln 2) hbar)) dephases the sum (:func:`ensemble_coherence_time` is
    its coherence time).

    Parameters
    ----------
    taus : array_like
        Delays (ps), >= 0.
    inhomogeneous_fwhm_meV : float
        FWHM W of the distribution of line energies (meV), >= 0.
    t2_ps : float
        Homogeneous coherence time (ps), > 0.

    Returns
    -------
    ndarray
        g1 at the delays (real).

    Raises
    ------
    ValueError
        For negative delays or width, or T2 <= 0.
    """
    from ..units import HBAR_MEV_PS

    tau = check_real_array("taus", taus, nonnegative=True)
    width = check_real("inhomogeneous_fwhm_meV", inhomogeneous_fwhm_meV, low=0.0)
    t2 = check_real("t2_ps", t2_ps, low=0.0, low_open=True)
    s = width / (FWHM_PER_SIGMA * HBAR_MEV_PS)
    return np.exp(-tau / t2 - 0.5 * (s * tau) ** 2)


def band_decay_time(times, trace, irf_fwhm):
    """Decay time (ps) of a TRPL trace: an exponential fitted to its decay, as for a measured band.

    The fit window runs from the maximum plus two IRF widths (where the Gaussian response no longer shapes a
    decay: an exponential convolved with it decays at its own rate there) to where the trace has fallen to
    :data:`DECAY_FLOOR` of its maximum, or the end of the record. Model A exp(-t / tau) (lmfit). A single NC
    decays as exp(-Gamma_1 t), and the fit returns 1 / Gamma_1; a sech^2 burst's tail tends to exp(-t / tau_SF)
    from above, so its fitted decay time is longer than tau_SF (by up to ~1.8x without an IRF). Both bands are
    measured the same way, as an experiment fits the decay of each band.

    Parameters
    ----------
    times : array_like
        Equally spaced times (ps).
    trace : array_like
        The recorded band (photons/ps), same shape.
    irf_fwhm : float
        FWHM (ps) of the instrument response the trace was recorded through, >= 0.

    Returns
    -------
    dict
        ``tau`` and ``tau_error`` (ps), ``window`` (ps, ps) and ``fit`` (the :class:`FitResult`).

    Raises
    ------
    ValueError
        For bad arrays, or fewer than 5 samples in the decay window.
    """
    from ..analysis.fitting import fit_model

    t = check_real_array("times", times)
    y = check_real_array("trace", trace, shape=t.shape)
    irf = check_real("irf_fwhm", irf_fwhm, low=0.0)
    k = int(np.argmax(y))
    start = t[k] + 2.0 * irf
    after = np.nonzero((t > start) & (y < DECAY_FLOOR * y[k]))[0]
    stop = t[after[0]] if after.size else t[-1]
    sel = (t >= start) & (t <= stop)
    if sel.sum() < 5:
        raise ValueError(f"trace: only {int(sel.sum())} samples between {start:.3g} and {stop:.3g} ps to fit a decay")
    ts, ys = t[sel], y[sel]
    slope = np.polyfit(ts - ts[0], np.log(np.maximum(ys, 1e-300 + ys.max() * 1e-12)), 1)[0]
    guess = -1.0 / slope if slope < 0 else ts[-1] - ts[0]

    def model(x, amplitude, tau, irf_fwhm=None):
        return amplitude * np.exp(-(x - ts[0]) / tau)

    fit = fit_model(model, ["amplitude", "tau"], (ts, ys), [ys[0], guess],
                    bounds={"amplitude": (0.0, np.inf), "tau": (1e-6, np.inf)})
    return {"tau": fit.params["tau"], "tau_error": fit.errors["tau"], "window": (float(start), float(stop)),
            "fit": fit}


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
