"""Second-order coherence: the two-time intensity correlation G2(t, tau) and the equal-time g2(t)."""

from __future__ import annotations

import numpy as np

from ..methods import capable, frontdoor

__all__ = ["second_order", "g2", "zero_delay_g2", "SECOND_ORDER_METHODS"]

#: methods with the two-time G2, in order of preference for method="auto"
SECOND_ORDER_METHODS = tuple(capable("second_order"))


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
        The method's options that act on correlations: ``rtol`` (permutational,
        default 1e-8), ``progress``, ``max_steps`` (``docs/methods.md``).

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
    return frontdoor.run("second_order", system, times, method=method, initial=initial, options=options,
                         kwargs=kwargs, taus=taus, detector=detector)


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
