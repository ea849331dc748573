"""The frequency domain: two-time correlations, spectra and first-order coherence.

* :func:`first_order`: G1(t, tau) of a detected field by the quantum regression theorem
  (``exact``: any detector; ``permutational``: the collective channel; ``cumulant``: second order, any
  number of two-level emitters; ``twa`` and ``maxwell_bloch``: averaged over sampled trajectories,
  with single shots), as an xarray Dataset;
* :class:`FarField`: a detector in one direction and polarisation (photons/ps/sr);
* :func:`spectrum`: the time-integrated spectrum S(omega), in rad/ps, meV and nm; it warns when the delays
  do not resolve the line (:class:`AliasingWarning`, :class:`CoherenceWindowWarning`: :mod:`.delay_grid`);
* :func:`time_resolved_spectrum`: the physical spectrum S(t, omega) through a filter (a streak camera
  behind a spectrometer);
* :func:`shot_spectra`: spectra of the single shots of a sampling method;
* :func:`normalized_g1`: the time-integrated first-order coherence g1(tau), whose coherence time
  :func:`sf_dynamics.analysis.coherence_time` measures.
"""

from ..model.field_detectors import FarField
from .correlation import CORRELATION_METHODS, DETECTORS, CoherenceWindowWarning, check_taus, first_order
from .delay_grid import AliasingWarning
from .spectrum import HC_MEV_NM, normalized_g1, shot_spectra, spectrum, time_resolved_spectrum

__all__ = ["first_order", "FarField", "spectrum", "time_resolved_spectrum", "shot_spectra", "normalized_g1",
           "DETECTORS",
           "CORRELATION_METHODS", "CoherenceWindowWarning", "AliasingWarning", "check_taus", "HC_MEV_NM"]
