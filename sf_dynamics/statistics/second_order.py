"""Second-order coherence: the two-time intensity correlation G2(t, tau) and the equal-time g2(t)."""

from __future__ import annotations

import numpy as np

from .._validation import check_times
from ..model import Ensemble, NanocrystalEnsemble
from ..model.states import as_initial_state
from ..solvers import exact, permutational
from ..solvers._coherence import equal_time_g2
from ..solvers._options import check_common, first_capable
from ..spectra import DETECTORS, FarField, check_taus

__all__ = ["second_order", "g2", "zero_delay_g2", "SECOND_ORDER_METHODS"]

#: methods with the two-time G2, in order of preference for method="auto"
SECOND_ORDER_METHODS = ("permutational", "exact")
_MODULES = {"permutational": permutational, "exact": exact}


def _choose(system, initial, detector, method):
    def reason(name):
        why = _MODULES[name].unsupported_reason(system, initial)
        if why is None and name == "permutational" and detector != "collective":
            why = "it detects the collective channel only (detector='collective')"
        return why

    return first_capable(SECOND_ORDER_METHODS if method == "auto" else (method,), reason,
                         "no method can compute this correlation")


def second_order(system, times, taus, *, method="auto", detector="collective", initial="excited", options=None,
                 **kwargs):
    """G2(t, tau) of the detected intensity by the quantum regression theorem, as an xarray Dataset.

    G2(t, tau) = sum_kl w_k w_l <E+_k(t) E+_l(t + tau) E-_l(t + tau) E-_k(t)>: the
    rate of photon pairs, one detected at t and one at t + tau (pairs/ps^2).
    Its equal-time normalisation g2(t) = G2(t, 0) / I(t)^2 is 2 for thermal
    light, 1 for a coherent field, and 2 (1 - 1/N) for N fully inverted
    emitters at t = 0 (the Dicke state |N/2, N/2>).

    Parameters
    ----------
    system : Ensemble or NanocrystalEnsemble
    times : array_like
        Times t of the first photon (ps), >= 0, strictly increasing; excitation at t = 0.
    taus : array_like
        Delays (ps): 0, dtau, 2 dtau, ... (equally spaced).
    method : {"auto", "permutational", "exact"}
        ``permutational``: identical emitters, collective channel, any N;
        ``exact``: n <= 12 emitters (n <= 5 nanocrystals), any detector.
    detector : {"collective", "total"} or FarField
        As in :func:`sf_dynamics.spectra.first_order` (default: the collective channel).
    initial : str or state
    options, **kwargs
        ``rtol`` (permutational, default 1e-8), ``progress``, ``max_steps``.

    Returns
    -------
    xarray.Dataset
        ``G2`` (pairs/ps^2, dims (time, tau)), ``intensity`` (detected photon
        rate I(t), photons/ps) and ``g2`` (G2(t, 0) / I(t)^2, NaN while dark);
        attributes ``method``, ``detector``, ``initial``.

    Raises
    ------
    ValueError
        For bad times or delays, an unknown method or detector, an option
        that does not exist, or a problem neither method can represent.
    """
    import xarray as xr

    if not isinstance(system, (Ensemble, NanocrystalEnsemble)):
        raise ValueError(f"system must be an Ensemble or NanocrystalEnsemble, got {type(system).__name__}")
    times = check_times(times)
    taus = check_taus(taus)
    if not isinstance(detector, FarField) and (detector not in DETECTORS or detector == "forward"):
        raise ValueError(f"detector must be 'collective', 'total' or a FarField, got {detector!r}")
    if detector == "collective" and (system.emitter_type != "two-level" or system.collective_decay <= 0):
        raise ValueError("detector 'collective' needs two-level emitters with collective_decay > 0; use 'total'")
    if not isinstance(method, str) or method not in ("auto", *SECOND_ORDER_METHODS):
        raise ValueError(f"method must be one of {['auto', *SECOND_ORDER_METHODS]}, got {method!r}")
    duplicated = sorted(set(options or {}) & set(kwargs))
    if duplicated:
        raise ValueError(f"option(s) {duplicated} given twice (in options and as keywords)")
    options = {**(options or {}), **kwargs}
    unknown = sorted(set(options) - {"rtol", "progress", "max_steps"})
    if unknown:
        raise ValueError(f"unknown option(s) {unknown}; accepted: ['rtol', 'progress', 'max_steps']")
    check_common(options)
    initial = as_initial_state(initial, system)
    name = _choose(system, initial, detector, method)
    run_times = times if times[0] == 0.0 else np.concatenate([[0.0], times])
    if name == "exact":
        field = detector.amplitudes(system) if isinstance(detector, FarField) else detector
        pairs, rate = exact.second_order_correlation(system, run_times, taus, initial, field,
                                                     progress=options.get("progress"))
    else:
        pairs, rate = permutational.second_order_correlation(
            system, run_times, taus, initial, detector, tol=options.get("rtol") or 1e-8,
            progress=options.get("progress"), max_steps=options.get("max_steps", 1_000_000))
    if run_times is not times:
        pairs, rate = pairs[1:], rate[1:]
    return xr.Dataset(
        {"G2": (("time", "tau"), pairs, {"units": "pairs/ps^2", "long_name": "G2(t, tau)"}),
         "intensity": ("time", rate, {"units": "photons/ps", "long_name": "detected photon rate"}),
         "g2": ("time", equal_time_g2(pairs[:, 0], rate),
                {"units": "1", "long_name": "equal-time second-order coherence g2(t)"})},
        coords={"time": ("time", times, {"units": "ps"}), "tau": ("tau", taus, {"units": "ps"})},
        attrs={"method": name, "detector": detector.describe() if isinstance(detector, FarField) else detector,
               "initial": initial.describe()},
    )


def g2(result):
    """Equal-time second-order coherence g2(t) of the collective channel from a Result.

    ``permutational``, ``dicke`` and ``exact`` compute it exactly from the
    state; ``jumps`` averages the pair rate of its Dicke-state shots (exact up
    to sampling, with a standard error); ``twa`` gives the classical-intensity
    estimate <I^2> / <I>^2 of its trajectories (docs/physics.md states the
    approximation and its measured error).

    Parameters
    ----------
    result : Result

    Returns
    -------
    xarray.Dataset
        ``g2`` (dims time) and, for sampling methods, ``g2_sem``.

    Raises
    ------
    ValueError
        When the result carries no g2 (another method, or no collective channel).
    """
    import xarray as xr

    if "g2" not in result.data:
        raise ValueError(f"result: method {result.method!r} does not compute g2 (methods that do: permutational, "
                         "dicke, exact (two-level emitters with collective decay), jumps, twa)")
    variables = {"g2": ("time", np.asarray(result.data["g2"]), {"units": "1"})}
    if "g2_sem" in result.data:
        variables["g2_sem"] = ("time", np.asarray(result.data["g2_sem"]),
                               {"units": "1", "long_name": "standard error of the mean"})
    return xr.Dataset(variables, coords={"time": ("time", np.asarray(result.times), {"units": "ps"})},
                      attrs={"method": result.method})


def zero_delay_g2(result):
    """g2(tau = 0) of a pulsed Hanbury Brown-Twiss measurement with fast detectors, collective channel.

    Under pulsed excitation the coincidence histogram has a peak at zero
    delay, of height proportional to int G2(t, 0) dt, and side peaks (photons
    of different pulses) of height int I(t)^2 dt; their ratio is
    int G2(t, 0) dt / int I(t)^2 dt over the result's times (trapezoid rule).
    The field of N independent emitters in incoherent states, summed into one
    mode, is chaotic: 2 (1 - 1/N) at every time; a superfluorescent burst is
    bunched less (its peak is nearly coherent). (With detectors slower than
    the pulse, the areas are compared instead:
    :func:`~sf_dynamics.statistics.photon_counts`.)

    Parameters
    ----------
    result : Result
        From ``permutational``, ``dicke``, ``exact`` (collective decay),
        ``jumps`` or ``cumulant`` (classes engine).

    Returns
    -------
    float

    Raises
    ------
    ValueError
        When the result has no pair rate, or emits nothing into the collective channel.
    """
    from scipy.integrate import trapezoid

    if "pair_rate" not in result.data or "collective_rate" not in result.data:
        raise ValueError(f"result: method {result.method!r} has no collective pair rate (methods that do: "
                         "permutational, dicke, exact, jumps, cumulant with spectral classes)")
    times = np.asarray(result.times)
    side = trapezoid(np.asarray(result.data["collective_rate"]) ** 2, times)
    if not side > 0:
        raise ValueError("result: no collective-channel emission over its times")
    return float(trapezoid(np.asarray(result.data["pair_rate"]), times) / side)
