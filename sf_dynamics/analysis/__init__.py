"""What experiments measure, from a trace or a Result: observables, fits, trace files, detectors.

* :mod:`.observables`: tau_D, the peak, FWHM, the burst test and summary, shot statistics;
* :mod:`.fitting`: sech^2, Burnham-Chiao and Rainò-style fits (lmfit) with instrument response, quality
  verdicts, ringing detection; owns :class:`FitResult`;
* :mod:`.traces`: reading measured trace files;
* :mod:`.instrument`: the instrument response: FWHM <-> sigma and the IRF convolutions;
* :mod:`.detector_response`: a simulated trace as a streak camera records it, a spectrometer, a Michelson;
* :mod:`.coherence`: the first-order coherence time from g1(tau).

Everything here works on arrays or :class:`~sf_dynamics.Result` objects; nothing here simulates.
"""

from . import coherence, detector_response, fitting, instrument, observables, traces
from .coherence import COHERENCE_DEFINITIONS, coherence_time
from .detector_response import michelson_visibility, spectrometer, streak_camera
from .fitting import (
    FitQualityError,
    FitQualityWarning,
    FitResult,
    burnham_chiao_model,
    convolve_gaussian,
    detect_ringing,
    fit_burnham_chiao,
    fit_model,
    fit_raino,
    fit_sech2,
    poisson_sigma,
    raino_model,
    sech2_model,
)
from .observables import (
    SECH2_FWHM_PER_TAU_SF,
    SF_THRESHOLD,
    buildup_time,
    burst_summary,
    class_emission,
    delay_spread_theory,
    delay_statistics,
    peak_intensity,
    peak_per_n_squared,
    peak_statistics,
    pulse_fwhm,
    superradiant_enhancement,
)
from .traces import load_trace

sech2 = sech2_model

__all__ = [
    "observables",
    "fitting",
    "traces",
    "instrument",
    "detector_response",
    "buildup_time",
    "peak_intensity",
    "pulse_fwhm",
    "burst_summary",
    "SF_THRESHOLD",
    "SECH2_FWHM_PER_TAU_SF",
    "superradiant_enhancement",
    "peak_per_n_squared",
    "delay_statistics",
    "peak_statistics",
    "delay_spread_theory",
    "class_emission",
    "FitResult",
    "FitQualityWarning",
    "FitQualityError",
    "fit_model",
    "fit_sech2",
    "fit_burnham_chiao",
    "fit_raino",
    "sech2",
    "sech2_model",
    "burnham_chiao_model",
    "raino_model",
    "convolve_gaussian",
    "poisson_sigma",
    "detect_ringing",
    "load_trace",
    "streak_camera",
    "spectrometer",
    "michelson_visibility",
    "coherence",
    "coherence_time",
    "COHERENCE_DEFINITIONS",
]
