"""Fits of measured or simulated decay traces (lmfit), ringing detection and trace files.

Models (time t in ps, intensity in any unit; each can be convolved with a
Gaussian instrument response function, IRF, of given FWHM):

* :func:`sech2_model`: an SF burst A sech^2((t - tau_D) / (2 tau_SF)), with
  an optional constant background and an optional slow component
  A_slow e^{-(t - t0) / tau_slow} for t > t0 (uncoupled NCs excited at t0);
* :func:`burnham_chiao_model`: coherent ringing of an optically thick
  sample, A e^{-2 (t - t0) / T2} [J1(2 sqrt(b (t - t0))) / sqrt(b (t - t0))]^2
  for t > t0 (intensity zeros at t0 + j_{1,k}^2 / (4 b): 3.67 / b, 12.31 / b, ...);
* :func:`raino_model`: the Rainò-style trace, a delayed burst, its damped
  modulation and the slow decay of uncoupled NCs,
  A sech^2((t - tau_D) / (2 tau_SF)) [1 + m e^{-(t - tau_D)_+ / tau_r} cos(2 pi (t - tau_D) / P)]
  + A_slow e^{-(t - t0) / tau_slow} Theta(t - t0).

IRF convolution
---------------
A model that switches on at t0 has a step there; convolving it on a fixed
time grid would make the result a sawtooth in t0, and a fit would stall.
Here every model is a sum of components, each a function of the time since
its own anchor (tau_D or t0), and the convolution with the Gaussian IRF is a
midpoint sum on a grid fixed *relative to that anchor*, evaluated directly
at the data times: the result is a smooth function of every parameter.
The grid step h = sigma / 8 depends only on the IRF, so generating a trace
with ``irf_fwhm`` and fitting it with the same ``irf_fwhm`` use exactly the
same model.

Fits
----
All fits use lmfit (trust-region least squares with bounds). Parameters can
be fixed (``fixed={"modulation": 0.0}``) or started elsewhere (``p0``);
multi-parameter models start from simpler pre-fits and several starts where
the cost has several minima (the ringing of Burnham-Chiao). Each fit
returns a :class:`FitResult` with values, one-sigma errors, covariance,
reduced chi^2, R^2, the lmfit result (for reports and confidence intervals)
and a quality verdict: a poor fit warns (:class:`FitQualityWarning`), or
raises with ``strict=True``. Data without a usable signal (constant, no
positive sample, too few points) raise a ValueError. Trace files are read
by :func:`sf_dynamics.analysis.traces.load_trace`.

Modules
-------
* :mod:`.models`: the trace models and their components;
* :mod:`.result`: :class:`FitResult`, :class:`FitQualityWarning`, :class:`FitQualityError`;
* :mod:`.goodness`: sample errors, Poisson deviance residuals, the quality verdict;
* :mod:`.core`: :func:`fit_model`, the fit of any model to a trace;
* :mod:`.fits`: :func:`fit_sech2`, :func:`fit_burnham_chiao`, :func:`fit_raino`;
* :mod:`.ringing`: :func:`detect_ringing`.

The IRF convolutions are in :mod:`sf_dynamics.analysis.instrument` (re-exported here).
"""

from ..instrument import FWHM_PER_SIGMA as FWHM_PER_SIGMA
from ..instrument import convolve_gaussian, convolve_gaussian_profile
from ..traces import load_trace
from .core import fit_model
from .fits import RAINO_NAMES as RAINO_NAMES
from .fits import fit_burnham_chiao, fit_raino, fit_sech2
from .goodness import GOODNESS_ALPHA as GOODNESS_ALPHA
from .goodness import LOCATION_PARAMETERS as LOCATION_PARAMETERS
from .goodness import R2_POOR as R2_POOR
from .goodness import chi2_test, deviance_residuals, deviance_test, poisson_sigma
from .models import J1_FIRST as J1_FIRST
from .models import SECH2_FWHM_PER_TAU as SECH2_FWHM_PER_TAU
from .models import burnham_chiao_model, raino_model, sech2_model
from .result import FitQualityError, FitQualityWarning, FitResult
from .ringing import detect_ringing

__all__ = [
    "FitResult",
    "FitQualityWarning",
    "FitQualityError",
    "load_trace",
    "sech2_model",
    "burnham_chiao_model",
    "raino_model",
    "fit_model",
    "fit_sech2",
    "fit_burnham_chiao",
    "fit_raino",
    "detect_ringing",
    "convolve_gaussian",
    "convolve_gaussian_profile",
    "deviance_residuals",
    "deviance_test",
    "chi2_test",
    "poisson_sigma",
]
