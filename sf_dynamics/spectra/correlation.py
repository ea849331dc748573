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
from ..model import Ensemble, NanocrystalEnsemble, Slab
from ..model.states import as_initial_state
from ..solvers import cumulant, cumulant_correlation, exact, maxwell_bloch, permutational, twa
from ..solvers._options import check_common, first_capable
from .detectors import DETECTORS, FarField

__all__ = ["first_order", "DETECTORS", "CORRELATION_METHODS", "CoherenceWindowWarning", "check_taus"]

#: methods with two-time correlations, in order of preference for method="auto" (``twa`` is never chosen
#: automatically: it samples, and a deterministic method covers every ensemble it can run)
CORRELATION_METHODS = ("permutational", "exact", "cumulant", "maxwell_bloch", "twa")
_MODULES = {"exact": exact, "permutational": permutational, "cumulant": cumulant, "twa": twa,
            "maxwell_bloch": maxwell_bloch}
#: methods that sample trajectories, and the options only they take
SHOT_METHODS = ("twa", "maxwell_bloch")
SHOT_OPTIONS = ("trajectories", "seed", "shots", "engine", "dt")


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


def _detector_reason(name, system, detector):
    """Why method ``name`` cannot compute this detector's field (None if it can)."""
    if name == "maxwell_bloch":
        return None if detector == "forward" else "it detects the exit-face field only (detector='forward')"
    if detector == "forward":
        return "detector 'forward' is the exit-face field of a Slab (method 'maxwell_bloch')"
    if name == "twa":
        if detector == "total":
            return ("it records one classical field per trajectory: the collective channel or a far-field "
                    "direction, not 'total' (every decay channel of Gamma)")
        if isinstance(detector, FarField) and system.spectrum is not None:
            return "a far-field detector needs per-emitter amplitudes, but this ensemble is a continuous spectrum"
    return None


def _choose(system, initial, detector, method):
    def reason(name):
        why = _MODULES[name].unsupported_reason(system, initial) or _detector_reason(name, system, detector)
        if why is None and name == "permutational" and detector != "collective":
            why = "it detects the collective channel only (detector='collective')"
        if why is None and name == "cumulant" and isinstance(detector, FarField) and system.spectrum is not None:
            why = "a far-field detector needs per-emitter amplitudes, but this ensemble is a continuous spectrum"
        return why

    candidates = [name for name in CORRELATION_METHODS if name != "twa"] if method == "auto" else [method]
    return first_capable(candidates, reason, "no method can compute this correlation")


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
        ``rtol`` (permutational default 1e-8, cumulant 1e-7), ``atol``
        (cumulant, default 1e-10), ``progress``, ``max_steps``; for the
        sampling methods also ``trajectories``, ``seed``, ``shots``, ``dt``
        and (``twa``) ``engine``, as in their one-time solvers.

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
    import xarray as xr
    from scipy.integrate import trapezoid

    if not isinstance(system, (Ensemble, NanocrystalEnsemble, Slab)):
        raise ValueError(f"system must be an Ensemble, NanocrystalEnsemble or Slab, got {type(system).__name__}")
    times = check_times(times)
    taus = check_taus(taus)
    if not isinstance(detector, FarField) and (not isinstance(detector, str) or detector not in DETECTORS):
        raise ValueError(f"detector must be one of {list(DETECTORS)} or a FarField, got {detector!r}")
    # field amplitudes per dipole of a far-field detector (checks that positions and dipoles match the system)
    amplitudes = detector.amplitudes(system) if isinstance(detector, FarField) else None
    if (detector == "forward") != (system.emitter_type == "slab"):
        raise ValueError("detector 'forward' is the exit-face field of a Slab, and a Slab has only it; got "
                         f"detector {detector!r} for a {type(system).__name__}")
    if detector == "collective" and (system.emitter_type != "two-level" or system.collective_decay <= 0):
        raise ValueError("detector 'collective' needs two-level emitters with collective_decay > 0; use 'total'")
    if not isinstance(method, str) or method not in ("auto", *CORRELATION_METHODS):
        raise ValueError(f"method must be one of {['auto', *CORRELATION_METHODS]}, got {method!r}")
    options = {**(options or {}), **kwargs}
    accepted = ["rtol", "atol", "progress", "max_steps", *SHOT_OPTIONS]
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        raise ValueError(f"unknown option(s) {unknown}; accepted: {accepted}")
    check_common(options)
    initial = as_initial_state(initial, system)
    name = _choose(system, initial, detector, method)
    misplaced = sorted(set(options) & set(SHOT_OPTIONS)) if name not in SHOT_METHODS else []
    if misplaced:
        raise ValueError(f"option(s) {misplaced} apply to the sampling methods {list(SHOT_METHODS)} only, "
                         f"not to {name!r}")
    extra = {}
    run_times = times if times[0] == 0.0 else np.concatenate([[0.0], times])
    if name == "exact":
        g1 = exact.first_order_correlation(
            system, run_times, taus, initial, detector if amplitudes is None else amplitudes,
            progress=options.get("progress"))
    elif name == "cumulant":
        g1 = cumulant_correlation.first_order_correlation(
            system, run_times, taus, initial, detector if amplitudes is None else "total", amplitudes=amplitudes,
            rtol=options.get("rtol") or 1e-7, atol=options.get("atol") or 1e-10,
            progress=options.get("progress"), max_steps=options.get("max_steps", 1_000_000))
    elif name in SHOT_METHODS:
        shot_options = {key: options[key] for key in (*SHOT_OPTIONS, "progress", "max_steps") if key in options}
        g1, extra = _MODULES[name].first_order_correlation(
            system, run_times, taus, initial, detector if amplitudes is None else amplitudes, **shot_options)
    else:
        g1 = permutational.first_order_correlation(
            system, run_times, taus, initial, detector, tol=options.get("rtol") or 1e-8,
            progress=options.get("progress"), max_steps=options.get("max_steps", 1_000_000))
    if run_times is not times:
        g1 = g1[1:]
        if "g1_sem" in extra:
            extra["g1_sem"] = extra["g1_sem"][1:]
    integrated = trapezoid(g1, times, axis=0)   # check_times guarantees at least two times
    decayed = float(abs(integrated[-1]) / max(abs(integrated[0]), 1e-300))
    if decayed > 0.05:
        warnings.warn(f"the time-integrated |G1| at the last delay ({taus[-1]:g} ps) is still {decayed:.0%} of its "
                      "value at tau = 0: extend taus, or the spectrum is truncated (broadened, with ripples)",
                      CoherenceWindowWarning, stacklevel=2)
    intensity = np.real(g1[:, 0])
    variables = {"g1": (("time", "tau"), g1, {"units": "photons/ps", "long_name": "G1(t, tau)"}),
                 "intensity": ("time", intensity, {"units": "photons/ps"})}
    coords = {"time": ("time", times, {"units": "ps"}), "tau": ("tau", taus, {"units": "ps"})}
    shot_attrs = {}
    if name in SHOT_METHODS:
        variables["g1_sem"] = (("time", "tau"), extra["g1_sem"],
                               {"units": "photons/ps", "long_name": "standard error of the mean of G1"})
        variables["shot_field"] = (("shot", "record_time"), extra["shot_field"],
                                   {"units": "sqrt(photons/ps)",
                                    "long_name": "classical field amplitude of single shots (Weyl symbol)"})
        coords["record_time"] = ("record_time", extra["record_time"], {"units": "ps"})
        shot_attrs = {key: extra[key] for key in ("trajectories_done", "partial", "engine", "dt") if key in extra}
        shot_attrs["partial"] = int(shot_attrs.get("partial", False))
    return xr.Dataset(
        variables,
        coords=coords,
        attrs={**shot_attrs, "method": name,
               "detector": detector.describe() if isinstance(detector, FarField) else detector,
               "initial": initial.describe(),
               "photons": float(trapezoid(intensity, times)),
               "tau_step_ps": float(taus[1] - taus[0]),
               "resolution_rad_per_ps": float(2 * np.pi / taus[-1]),
               "nyquist_rad_per_ps": float(np.pi / (taus[1] - taus[0])),
               "decayed_to": decayed},
    )
