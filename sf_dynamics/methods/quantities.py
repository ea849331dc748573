"""What each quantity needs besides times and a system, and how its raw output becomes the public one.

:func:`check_inputs` validates a quantity's own inputs (delays, detector,
efficiencies) before any method is chosen; :func:`finish` turns a method's raw
output on the integration times (which start at the excitation, t = 0) into
the public result on the requested times, with the attributes every method
shares. Both are called by the front door only.
"""

from __future__ import annotations

import numpy as np

from .._validation import check_times, is_uniform
from .._warnings import warn_caller
from ..model.field_detectors import DETECTORS, FarField
from .counting import check_efficiency, equal_time_g2

__all__ = ["check_inputs", "finish", "check_taus", "check_efficiency", "CoherenceWindowWarning", "DECAYED_SHARE"]


class CoherenceWindowWarning(UserWarning):
    """The delay window is too short for the correlation to decay (the spectrum is then truncated)."""


#: largest share of its tau = 0 value the time-integrated |G1| may keep at the last delay without a warning
DECAYED_SHARE = 0.05


def check_taus(taus) -> np.ndarray:
    """Delays tau (ps): finite, starting at 0, strictly increasing and equally spaced (FFT-ready).

    Raises
    ------
    ValueError
        Naming ``taus`` and what is wrong.
    """
    taus = check_times(taus, name="taus")  # also refuses fewer than two delays
    if taus[0] != 0.0:
        raise ValueError(f"taus must start at 0 (the equal-time value), got taus[0] = {taus[0]:g} ps")
    if not is_uniform(taus):
        raise ValueError("taus must be equally spaced (the spectrum is a Fourier transform over tau)")
    return taus


def _check_detector(system, detector, quantity):
    named = DETECTORS if quantity == "first_order" else {k: v for k, v in DETECTORS.items() if k != "forward"}
    if not isinstance(detector, FarField) and (not isinstance(detector, str) or detector not in named):
        raise ValueError(f"detector must be one of {list(named)} or a FarField, got {detector!r}")
    if isinstance(detector, FarField):
        detector.amplitudes(system)    # checks that positions and dipoles match the system
    if (detector == "forward") != (system.emitter_type == "slab") and quantity == "first_order":
        raise ValueError("detector 'forward' is the exit-face field of a Slab, and a Slab has only it; got "
                         f"detector {detector!r} for a {type(system).__name__}")
    if detector == "collective" and (system.emitter_type != "two-level" or getattr(system, "collective_decay", 0) <= 0):
        raise ValueError("detector 'collective' needs two-level emitters with collective_decay > 0; use 'total'")


def check_inputs(quantity, system, **inputs) -> dict:
    """The quantity's own inputs, validated (keywords of :class:`~sf_dynamics.methods.protocol.Problem`).

    Raises
    ------
    ValueError
        For bad delays, an unknown or impossible detector, efficiencies out of
        range or with nothing to detect, or an input the quantity does not take.
    """
    allowed = {"evolution": (), "first_order": ("taus", "detector"), "second_order": ("taus", "detector"),
               "photon_counts": ("efficiency", "local_efficiency")}[quantity]
    extra = sorted(set(inputs) - set(allowed))
    if extra:
        raise ValueError(f"{quantity} takes no input(s) {extra}")
    if quantity in ("first_order", "second_order"):
        inputs["taus"] = check_taus(inputs["taus"])
        _check_detector(system, inputs["detector"], quantity)
    if quantity == "photon_counts":
        inputs["efficiency"] = check_efficiency("efficiency", inputs["efficiency"], allow_zero=False)
        inputs["local_efficiency"] = check_efficiency("local_efficiency", inputs["local_efficiency"],
                                                      allow_zero=True)
        if system.emitter_type != "two-level":
            raise ValueError(f"system must be an Ensemble of two-level emitters, got {type(system).__name__}")
        collective, local = getattr(system, "collective_decay", 0.0), getattr(system, "decay", 0.0)
        if not system.has_coupling_matrices and not (
                collective > 0 or (local > 0 and inputs["local_efficiency"] > 0)):
            raise ValueError("efficiency, local_efficiency: nothing is detected (efficiency counts collective-channel "
                             "photons, but collective_decay = 0; local_efficiency counts local ones and is 0 or "
                             "decay = 0)")
    return inputs


def _first_order(raw, problem, times, name):
    from scipy.integrate import trapezoid

    raw = raw.assign_coords(time=("time", times, {"units": "ps"}))
    taus = problem.taus
    g1 = raw["g1"].values
    integrated = trapezoid(g1, times, axis=0)   # check_times guarantees at least two times
    decayed = float(abs(integrated[-1]) / max(abs(integrated[0]), 1e-300))
    if decayed > DECAYED_SHARE:
        warn_caller(f"the time-integrated |G1| at the last delay ({taus[-1]:g} ps) is still {decayed:.0%} of its "
                    "value at tau = 0: extend taus, or the spectrum is truncated (broadened, with ripples)",
                    CoherenceWindowWarning)
    intensity = np.real(g1[:, 0])
    raw["g1"].attrs.update(units="photons/ps", long_name="G1(t, tau)")
    raw["intensity"] = ("time", intensity, {"units": "photons/ps"})
    detector = problem.detector
    return raw.assign_attrs({
        "method": name, "detector": detector.describe() if isinstance(detector, FarField) else detector,
        "initial": problem.initial.describe(), "photons": float(trapezoid(intensity, times)),
        "tau_step_ps": float(taus[1] - taus[0]), "resolution_rad_per_ps": float(2 * np.pi / taus[-1]),
        "nyquist_rad_per_ps": float(np.pi / (taus[1] - taus[0])), "decayed_to": decayed})


def _second_order(raw, problem, times, name):
    raw = raw.assign_coords(time=("time", times, {"units": "ps"}))
    pairs, rate = raw["G2"].values, raw["intensity"].values
    raw["g2"] = ("time", equal_time_g2(pairs[:, 0], rate),
                 {"units": "1", "long_name": "equal-time second-order coherence g2(t)"})
    detector = problem.detector
    return raw.assign_attrs(method=name, initial=problem.initial.describe(),
                            detector=detector.describe() if isinstance(detector, FarField) else detector)


def _photon_counts(raw, problem, times, name):
    attrs = {"method": name, "efficiency": problem.efficiency, "local_efficiency": problem.local_efficiency,
             "gate_ps": float(times[-1]), "initial": problem.initial.describe()}
    if "time" not in raw.dims:      # sampled: moments per shot, no gate ends
        return raw.assign_attrs({**attrs, **raw.attrs})
    mean, factorial = raw["gated_mean_count"].values, raw["gated_factorial_moment"].values
    gated = np.where(mean > 1e-300, factorial / np.where(mean > 1e-300, mean, 1.0) ** 2, np.nan)
    import xarray as xr

    variables = {
        "mean_count": ((), mean[-1], {"units": "photons", "long_name": "<n> detected per pulse"}),
        "factorial_moment": ((), factorial[-1], {"units": "photons^2", "long_name": "<n(n - 1)>"}),
        "g2": ((), gated[-1], {"units": "1", "long_name": "integrated g2 = <n(n - 1)> / <n>^2"}),
        "gated_mean_count": ("time", mean, {"units": "photons", "long_name": "<n> detected in [times[0], t]"}),
        "gated_g2": ("time", gated, {"units": "1", "long_name": "integrated g2 of the gate [times[0], t]"}),
    }
    coords = {"time": ("time", times, {"units": "ps", "long_name": "gate end (counting from the excitation at 0)"})}
    return xr.Dataset(variables, coords=coords, attrs={**attrs, **raw.attrs})


def _evolution(result, problem, times, name):
    return result


_FINISH = {"evolution": _evolution, "first_order": _first_order, "second_order": _second_order,
           "photon_counts": _photon_counts}


def finish(quantity, raw, problem, times, name):
    """The public result of ``quantity`` on the requested ``times`` from a method's raw output.

    ``raw`` holds the integration times ``problem.times`` (t = 0 first); when
    the requested times do not start at 0 its first row is dropped.

    Warns
    -----
    CoherenceWindowWarning
        First-order correlations whose time-integrated |G1| has not decayed
        below 5 % of its tau = 0 value at the last delay.
    """
    if problem.times is not times:      # the integration added t = 0 in front of the requested times
        if quantity == "evolution":
            raw = raw.take_times(slice(1, None))
            raw.info["integrated_from_ps"] = 0.0
        elif "time" in raw.dims:        # (sampled photon counts hold no time axis)
            raw = raw.isel(time=slice(1, None))
    return _FINISH[quantity](raw, problem, times, name)
