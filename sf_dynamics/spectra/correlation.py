"""First-order two-time correlations G1(t, tau) of the detected field, at every level that has them.

G1(t, tau) = sum_k w_k <E+_k(t + tau) E-_k(t)> by the quantum regression
theorem, with the Liouvillian of the one-time dynamics (all processes,
detunings, Gamma_ij, Omega_ij, triplet sublevels). ``G1(t, 0)`` is the
detected photon rate (photons/ps). Sign convention: in the frame rotating at
the reference transition, an emitter detuned by +Delta gives G1 ~ e^{+i Delta
tau}, i.e. a line at omega = +Delta (blue) in :func:`~sf_dynamics.spectra.spectrum`.
"""

from __future__ import annotations

import warnings

import numpy as np

from .._validation import check_times
from ..model import Ensemble, NanocrystalEnsemble
from ..model.states import as_initial_state
from ..solvers import cumulant, cumulant_correlation, exact, permutational
from ..solvers._options import check_common
from .detectors import DETECTORS, FarField

__all__ = ["first_order", "DETECTORS", "CORRELATION_METHODS", "CoherenceWindowWarning", "check_taus"]

#: methods with two-time correlations, in order of preference for method="auto"
CORRELATION_METHODS = ("permutational", "exact", "cumulant")
_MODULES = {"exact": exact, "permutational": permutational, "cumulant": cumulant}


class CoherenceWindowWarning(UserWarning):
    """The delay window is too short for the correlation to decay (the spectrum is then truncated)."""


def check_taus(taus) -> np.ndarray:
    """Delays tau (ps): finite, starting at 0, strictly increasing and equally spaced (FFT-ready)."""
    taus = check_times(taus, name="taus")  # also refuses fewer than two delays
    if taus[0] != 0.0:
        raise ValueError(f"taus must start at 0 (the equal-time value), got taus[0] = {taus[0]:g} ps")
    step = np.diff(taus)
    if np.max(np.abs(step - step[0])) > 1e-9 * step[0]:
        raise ValueError("taus must be equally spaced (the spectrum is a Fourier transform over tau)")
    return taus


def _choose(system, initial, detector, method):
    reasons = {}
    for name in CORRELATION_METHODS if method == "auto" else (method,):
        reason = _MODULES[name].unsupported_reason(system, initial)
        if reason is None and name == "permutational" and detector != "collective":
            reason = "it detects the collective channel only (detector='collective')"
        if reason is None and name == "cumulant" and system.emitter_type != "two-level":
            reason = "its two-time correlations are for two-level emitters (nanocrystals: 'exact', n <= 4)"
        if reason is None and name == "cumulant" and isinstance(detector, FarField) and system.spectrum is not None:
            reason = "a far-field detector needs per-emitter amplitudes, but this ensemble is a continuous spectrum"
        if reason is None:
            return name
        reasons[name] = reason
    raise ValueError("no method can compute this correlation: " + "; ".join(f"{k}: {v}" for k, v in reasons.items()))


def first_order(system, times, taus, *, method="auto", detector="total", initial="excited", options=None,
                **kwargs):
    """G1(t, tau) of the detected field, with the emitted intensity, as an xarray Dataset.

    Parameters
    ----------
    system : Ensemble or NanocrystalEnsemble
    times : array_like
        Output times t (ps), >= 0, strictly increasing; the system is excited at t = 0.
    taus : array_like
        Delays tau (ps): 0, dtau, 2 dtau, ... (equally spaced).
    method : {"auto", "permutational", "exact", "cumulant"}
        ``permutational`` (identical emitters, collective channel),
        ``exact`` (n <= 10 emitters, n <= 4 nanocrystals, any detector) or
        ``cumulant`` (two-level emitters of any number: spectral classes, or
        per emitter with coupling matrices; second order, see
        docs/validation.md for its errors); ``auto`` takes the first that can.
    detector : {"total", "collective"} or FarField
        See :data:`DETECTORS`; a :class:`~sf_dynamics.spectra.FarField`
        gives photons/ps/sr in one direction and polarisation (``exact``,
        and ``cumulant`` per emitter).
    initial : str or state
    options, **kwargs
        ``rtol`` (permutational default 1e-8, cumulant 1e-7), ``atol``
        (cumulant, default 1e-10), ``progress``, ``max_steps``.

    Returns
    -------
    xarray.Dataset
        ``g1`` (complex, photons/ps, dims (time, tau)), ``intensity``
        (G1(t, 0), photons/ps) and attributes ``method``, ``detector``,
        ``photons`` (emitted into the detector over the time window),
        ``tau_step_ps``, ``resolution_rad_per_ps`` (2 pi / tau_max),
        ``nyquist_rad_per_ps`` (pi / dtau) and ``decayed_to`` (|G1(tau_max)| / |G1(0)|
        of the time-integrated correlation).

    Raises
    ------
    ValueError
        For bad times or delays, an unknown detector or method, a detector the
        system does not have (collective without collective decay), or a
        problem no correlation method can represent.

    Warns
    -----
    CoherenceWindowWarning
        When the time-integrated |G1| has not decayed below 5 % of its
        tau = 0 value at the last delay.
    """
    import xarray as xr
    from scipy.integrate import trapezoid

    if not isinstance(system, (Ensemble, NanocrystalEnsemble)):
        raise ValueError(f"system must be an Ensemble or NanocrystalEnsemble, got {type(system).__name__}")
    times = check_times(times)
    taus = check_taus(taus)
    if not isinstance(detector, FarField) and (not isinstance(detector, str) or detector not in DETECTORS):
        raise ValueError(f"detector must be one of {list(DETECTORS)} or a FarField, got {detector!r}")
    # field amplitudes per dipole of a far-field detector (checks that positions and dipoles match the system)
    amplitudes = detector.amplitudes(system) if isinstance(detector, FarField) else None
    if detector == "collective" and (system.emitter_type != "two-level" or system.collective_decay <= 0):
        raise ValueError("detector 'collective' needs two-level emitters with collective_decay > 0; use 'total'")
    if not isinstance(method, str) or method not in ("auto", *CORRELATION_METHODS):
        raise ValueError(f"method must be one of {['auto', *CORRELATION_METHODS]}, got {method!r}")
    options = {**(options or {}), **kwargs}
    unknown = sorted(set(options) - {"rtol", "atol", "progress", "max_steps"})
    if unknown:
        raise ValueError(f"unknown option(s) {unknown}; accepted: ['rtol', 'atol', 'progress', 'max_steps']")
    check_common(options)
    initial = as_initial_state(initial)
    name = _choose(system, initial, detector, method)
    run_times = times if times[0] == 0.0 else np.concatenate([[0.0], times])
    if name == "exact":
        g1 = exact.first_order_correlation(
            system, run_times, taus, initial, detector if amplitudes is None else amplitudes,
            progress=options.get("progress"))
    elif name == "cumulant":
        g1 = cumulant_correlation.first_order_correlation(
            system, run_times, taus, initial, detector if amplitudes is None else "total",
            weights=None if amplitudes is None else np.conj(amplitudes)[:, None] * amplitudes[None, :],
            rtol=options.get("rtol") or 1e-7, atol=options.get("atol") or 1e-10,
            progress=options.get("progress"), max_steps=options.get("max_steps", 1_000_000))
    else:
        g1 = permutational.first_order_correlation(
            system, run_times, taus, initial, detector, tol=options.get("rtol") or 1e-8,
            progress=options.get("progress"), max_steps=options.get("max_steps", 1_000_000))
    if run_times is not times:
        g1 = g1[1:]
    integrated = trapezoid(g1, times, axis=0)   # check_times guarantees at least two times
    decayed = float(abs(integrated[-1]) / max(abs(integrated[0]), 1e-300))
    if decayed > 0.05:
        warnings.warn(f"the time-integrated |G1| at the last delay ({taus[-1]:g} ps) is still {decayed:.0%} of its "
                      "value at tau = 0: extend taus, or the spectrum is truncated (broadened, with ripples)",
                      CoherenceWindowWarning, stacklevel=2)
    intensity = np.real(g1[:, 0])
    return xr.Dataset(
        {"g1": (("time", "tau"), g1, {"units": "photons/ps", "long_name": "G1(t, tau)"}),
         "intensity": ("time", intensity, {"units": "photons/ps"})},
        coords={"time": ("time", times, {"units": "ps"}), "tau": ("tau", taus, {"units": "ps"})},
        attrs={"method": name, "detector": detector.describe() if isinstance(detector, FarField) else detector,
               "initial": initial.describe(),
               "photons": float(trapezoid(intensity, times)),
               "tau_step_ps": float(taus[1] - taus[0]),
               "resolution_rad_per_ps": float(2 * np.pi / taus[-1]),
               "nyquist_rad_per_ps": float(np.pi / (taus[1] - taus[0])),
               "decayed_to": decayed},
    )
