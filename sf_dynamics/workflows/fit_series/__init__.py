"""Back from data: a global fit of a measured fluence series of streak-camera traces.

The model is the sample of :class:`~sf_dynamics.workflows.sample.Sample` with one domain size: a fraction f
of the NCs sits in coherent domains of N_c identical, point-like coupled NCs, the rest emit independently.
The pump leaves each NC excited with probability p_k (one value per trace; from the fluence by Poisson
absorption, :func:`~sf_dynamics.workflows.fluence.excitation_probability`, or given directly). Per NC
of the sample the emission rate is

    R_k(s) = f c_k(s; N_c, Gamma_c, Gamma_1 - Gamma_c, gamma_phi) + (1 - f) p_k Gamma_1 e^{-Gamma_1 s},

s the time since the excitation, c_k the exact emission per NC of a domain in the product state of
excitation probability p_k (``permutational`` method: exact for identical NCs with collective decay
Gamma_c, local decay Gamma_1 - Gamma_c and pure dephasing gamma_phi), Gamma_1 the single-NC radiative
rate. The detector records

    y_k(t) = A (IRF * R_k)(t - t0) + b,

with a Gaussian IRF of fitted (or given) FWHM or a measured IRF, time zero t0, one amplitude A (counts
per bin per photon/ps per NC, the same for every trace: one setup) and an optional constant background b.

All traces are fitted at once. Photon counts are fitted by maximum Poisson likelihood (minimum deviance,
as in :func:`sf_dynamics.analysis.fitting.fit_model` with ``sigma="poisson"``); other data by least
squares. The integer domain size is profiled: at each N_c lmfit fits the continuous parameters
(warm-started from the neighbouring N_c), the profile deviance D(N_c) is walked outward from its minimum,
and the 68 % interval of N_c is where D - D_min <= 1 (Wilks). The one-sigma errors of the continuous
parameters combine the covariance at the best N_c with half the spread of their best values over that
interval. A fit whose N_c interval reaches the upper search bound, whose profile is flat, or whose
parameters have no finite error is refused (:class:`UndeterminedFitError`) unless
``allow_undetermined=True``.

No SF without evidence: the fit reports N_c only when it beats two no-SF alternatives fitted to the same
traces, each rejected by a likelihood-ratio test at p < 1e-3 (:mod:`.alternatives`): one fluence-independent
trace shape (a free shape with a free amplitude per trace; tested against a free mean per bin, calibrated by
a parametric bootstrap), and independent emitters (the same model with Gamma_c = 0 and the same IRF; tested
against the SF fit, chi^2 on the parameters the SF model adds). Otherwise the result's verdict is "no SF
detected", N_c is not reported, and the numbers of both tests are in ``SeriesFit.alternatives``, its summary
and the files of ``sf-dynamics fit``.

The run time is estimated before the fit (``progress=True``: one model evaluation timed at each N_c of the
coarse grid, times the evaluations planned) and each N_c point is reported with its deviance
(:mod:`.progress`). The default N_c range is 2-1000, about 200 s on a 2-core machine for four traces of 800 bins.

Modules: :mod:`.reading` (:func:`read_series`), :mod:`.forward_model` (:func:`series_model` and the model the
fit evaluates), :mod:`.fit` (:class:`~.fit.FluenceSeriesFit`, :func:`fit_fluence_series`), :mod:`.starting`
(probabilities, starting values, derived parameters), :mod:`.alternatives` (the no-SF alternatives and their
tests), :mod:`.progress` (run-time estimate, progress per N_c point), :mod:`.result` (:class:`SeriesFit`,
:class:`UndeterminedFitError`, the profile intervals), :mod:`.arguments` (the options' ranges). The instrument-response
convolutions are :mod:`sf_dynamics.analysis.instrument`.
"""

from .alternatives import DETECTION_ALPHA as DETECTION_ALPHA
from .fit import DEFAULT_DOMAIN_SIZES as DEFAULT_DOMAIN_SIZES
from .fit import PARAMETERS as PARAMETERS
from .fit import WALK_STOP as WALK_STOP
from .fit import FluenceSeriesFit, fit_fluence_series
from .forward_model import series_model
from .reading import read_series
from .result import SeriesFit, UndeterminedFitError

__all__ = ["fit_fluence_series", "SeriesFit", "UndeterminedFitError", "series_model", "read_series",
           "FluenceSeriesFit"]
