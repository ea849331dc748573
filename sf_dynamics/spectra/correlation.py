"""First-order two-time correlations G1(t, tau) of the detected field, at every level that has them.

G1(t, tau) = sum_k w_k <E+_k(t + tau) E-_k(t)> by the quantum regression
theorem, with the Liouvillian of the one-time dynamics (all processes,
detunings, Gamma_ij, Omega_ij, triplet sublevels). ``G1(t, 0)`` is the
detected photon rate (photons/ps). Sign convention: in the frame rotating at
the reference transition, an emitter detuned by +Delta gives G1 ~ e^{+i Delta
tau}, i.e. a line at omega = +Delta (blue) in :func:`~sf_dynamics.spectra.spectrum`.
"""

from __future__ import annotations

from ..methods import capable, frontdoor
from ..methods.quantities import CoherenceWindowWarning, check_taus
from ..model.field_detectors import DETECTORS

__all__ = ["first_order", "DETECTORS", "CORRELATION_METHODS", "CoherenceWindowWarning", "check_taus"]

#: methods with two-time correlations (``twa`` is never chosen by ``auto``: it samples, and a deterministic method
#: covers every ensemble it can run)
CORRELATION_METHODS = tuple(capable("first_order"))


def first_order(system, times, taus, *, method="auto", detector="total", initial="excited", options=None,
                **kwargs):
    """G1(t, tau) of the detected field, with the emitted intensity, as an xarray Dataset.

    Parameters
    ----------
    system : Ensemble, NanocrystalEnsemble or Slab
    times : array_like
        Output times t (ps), >= 0, strictly increasing; the system is excited at t = 0.
    taus : array_like
        Delays tau (ps): 0, dtau, 2 dtau, ... (equally spaced).
    method : {"auto", "permutational", "exact", "cumulant", "maxwell_bloch", "twa"}
        ``permutational`` (identical emitters, collective channel),
        ``exact`` (n <= 12 emitters, n <= 5 nanocrystals, any detector),
        ``cumulant`` (any number of two-level emitters: spectral classes, or
        per emitter with coupling matrices; triplet nanocrystals; second
        order, see docs/validation.md for its errors), ``maxwell_bloch`` (a
        Slab's exit-face field, noise-initiated trajectories) or ``twa``
        (truncated-Wigner trajectories: collective channel or far field;
        never chosen by ``auto``); ``auto`` takes the first that can.
    detector : {"total", "collective", "forward"} or FarField
        See :data:`DETECTORS`; a :class:`~sf_dynamics.spectra.FarField`
        gives photons/ps/sr in one direction and polarisation (``exact``,
        ``cumulant`` per emitter and for nanocrystals, ``twa`` per emitter).
    initial : str or state
    options, **kwargs
        The method's options that act on correlations (``docs/methods.md``):
        ``rtol`` (permutational default 1e-8, cumulant 1e-7), ``atol``
        (cumulant), ``progress``, ``max_steps``, ``engine``; for the sampling
        methods ``trajectories``, ``seed``, ``shots``, ``dt``, ``executor``.

    Returns
    -------
    xarray.Dataset
        ``g1`` (complex, photons/ps, dims (time, tau)), ``intensity``
        (G1(t, 0), photons/ps) and attributes ``method``, ``detector``,
        ``photons`` (emitted into the detector over the time window),
        ``tau_step_ps``, ``resolution_rad_per_ps`` (2 pi / tau_max),
        ``nyquist_rad_per_ps`` (pi / dtau) and ``decayed_to`` (|G1(tau_max)| / |G1(0)|
        of the time-integrated correlation). Sampling methods add ``g1_sem``
        (standard error of the mean) and ``shot_field`` (single shots' classical
        field over ``record_time``, for :func:`~sf_dynamics.spectra.shot_spectra`)
        and the attributes ``trajectories_done`` and ``partial``.

    Raises
    ------
    ValueError
        For bad times or delays, an unknown detector or method, a detector the
        system does not have (collective without collective decay, forward
        without a Slab), options of a sampling method given to another, or a
        problem no correlation method can represent.

    Warns
    -----
    CoherenceWindowWarning
        When the time-integrated |G1| has not decayed below 5 % of its
        tau = 0 value at the last delay.
    """
    return frontdoor.run("first_order", system, times, method=method, initial=initial, options=options,
                         kwargs=kwargs, taus=taus, detector=detector)
