"""Photons counted per pulse: mean, second factorial moment and the integrated g2 of a slow detector.

A Hanbury Brown-Twiss setup with detectors slower than the pulse compares
coincidences within one pulse to those between pulses: the ratio is the
integrated g2 = <n(n - 1)> / <n>^2 of the photon number n detected per pulse.
Each emitted photon of the collective channel is detected with probability
eta (``efficiency``), each of the local channel with eta_l
(``local_efficiency``), independently: <n> = eta <n_c> + eta_l <n_l> and
<n(n - 1)> = eta^2 <n_c(n_c - 1)> + 2 eta eta_l <n_c n_l> + eta_l^2
<n_l(n_l - 1)>. For one channel eta cancels in g2 (binomial thinning keeps
factorial moments' ratios); mixing channels does not.
"""

from __future__ import annotations

import numpy as np

from .._validation import check_real, check_times
from ..model import Ensemble
from ..model.states import as_initial_state
from ..solvers import exact, jumps, permutational
from ..solvers._options import check_common, first_capable
from ..solvers._sampling import ratio_of_means

__all__ = ["photon_counts", "shot_counts", "COUNTING_METHODS"]

#: methods of photon_counts, in order of preference for method="auto"
COUNTING_METHODS = ("permutational", "exact", "jumps", "twa")
_SAMPLING = ("jumps", "twa")


def _check_efficiency(name, value, *, allow_zero):
    value = check_real(name, value)
    if not (0.0 < value <= 1.0 or (allow_zero and value == 0.0)):
        allowed = "[0, 1]" if allow_zero else "(0, 1]"
        raise ValueError(f"{name} must be in {allowed} (a detection probability), got {value!r}")
    return value


def _choose(system, initial, method):
    modules = {"permutational": permutational, "exact": exact, "jumps": jumps}
    # twa states its own conditions when it runs (simulate)
    return first_capable(("permutational", "exact") if method == "auto" else (method,),
                         lambda name: None if name == "twa" else modules[name].unsupported_reason(system, initial),
                         "no method can count these photons")


def photon_counts(system, times, *, method="auto", efficiency=1.0, local_efficiency=0.0, initial="excited",
                  options=None, **kwargs):
    """Statistics of the photons detected per pulse from the excitation (t = 0) to times[-1], with the integrated g2.

    Parameters
    ----------
    system : Ensemble
        Two-level emitters with collective decay (``exact`` also counts the
        total emission of any ensemble: ``efficiency`` then applies to every
        photon).
    times : array_like
        Times (ps) >= 0: photons are counted from the excitation at t = 0 to
        times[-1]; deterministic methods also report every earlier time as a
        gate end.
    method : {"auto", "permutational", "exact", "jumps", "twa"}
        ``permutational`` (exact, identical emitters, any N; the counting
        hierarchy), ``exact`` (n <= 12), ``jumps`` (exact shots: adds the
        photon-number distribution; sampling error), ``twa`` (approximate:
        the classical intensity of all channels integrated over the gate, W,
        per trajectory, with <n(n - 1)> = eta^2 <W^2> (Mandel's
        photodetection formula); needs local_efficiency = efficiency when
        decay > 0). ``auto`` takes the first of
        permutational/exact that can.
    efficiency : float
        eta in (0, 1]: probability that a photon of the collective channel is
        detected (``exact`` with coupling matrices: of any photon).
    local_efficiency : float
        eta_l in [0, 1]: the collected fraction of local-channel photons
        (emitted independently by each emitter at the rate ``decay``).
    initial : str or state
    options, **kwargs
        ``rtol`` (permutational, default 1e-8), ``progress``, ``max_steps``;
        for ``jumps`` and ``twa`` also ``trajectories`` and ``seed``.

    Returns
    -------
    xarray.Dataset
        Scalars ``mean_count`` (<n>), ``factorial_moment`` (<n(n - 1)>) and ``g2``
        of the whole gate; deterministic methods add ``gated_mean_count`` and
        ``gated_g2`` over ``time`` (counting in [0, t]); sampling
        methods add ``mean_count_sem``, ``g2_sem``, ``probability`` and
        ``poisson`` (the Poisson law of the same mean) over ``photons``
        (histogram of the detected number per shot; for ``jumps`` the
        detected photons are drawn binomially from each shot's emitted ones
        with the run's seed, while the moments use the exact thinning
        formula), and the photons ``emitted_collective`` and
        ``emitted_local`` per ``shot``. Attributes: ``method``,
        ``efficiency``, ``local_efficiency``, ``gate_ps``, ``initial``.

    Raises
    ------
    ValueError
        For efficiencies outside their range or with nothing to detect, bad
        times, an unknown, duplicated or misplaced option, a local efficiency
        with twa that differs from efficiency, or a problem the method cannot represent.
    """
    import xarray as xr

    if not isinstance(system, Ensemble):
        raise ValueError(f"system must be an Ensemble, got {type(system).__name__}")
    times = check_times(times)
    efficiency = _check_efficiency("efficiency", efficiency, allow_zero=False)
    local_efficiency = _check_efficiency("local_efficiency", local_efficiency, allow_zero=True)
    if not isinstance(method, str) or method not in ("auto", *COUNTING_METHODS):
        raise ValueError(f"method must be one of {['auto', *COUNTING_METHODS]}, got {method!r}")
    duplicated = sorted(set(options or {}) & set(kwargs))
    if duplicated:
        raise ValueError(f"option(s) {duplicated} given twice (in options and as keywords)")
    options = {**(options or {}), **kwargs}
    accepted = {"rtol", "progress", "max_steps", "trajectories", "seed"}
    unknown = sorted(set(options) - accepted)
    if unknown:
        raise ValueError(f"unknown option(s) {unknown}; accepted: {sorted(accepted)}")
    check_common(options)
    initial = as_initial_state(initial, system)
    if not system.has_coupling_matrices and not (system.collective_decay > 0 or (system.decay > 0 and local_efficiency
                                                                                  > 0)):
        raise ValueError("efficiency, local_efficiency: nothing is detected (efficiency counts collective-channel "
                         "photons, but collective_decay = 0; local_efficiency counts local ones and is 0 or decay = 0)")
    name = _choose(system, initial, method)
    misplaced = sorted(set(options) & {"trajectories", "seed"}) if name not in _SAMPLING else []
    if misplaced:
        raise ValueError(f"option(s) {misplaced} apply to the sampling methods {list(_SAMPLING)} only, not {name!r}")
    attrs = {"method": name, "efficiency": efficiency, "local_efficiency": local_efficiency,
             "gate_ps": float(times[-1]), "initial": initial.describe()}
    coords = {"time": ("time", times, {"units": "ps", "long_name": "gate end (counting from the excitation at 0)"})}
    if name in _SAMPLING:
        return _sampled(system, times, initial, name, efficiency, local_efficiency, options).assign_attrs(attrs)
    # photons are counted from the excitation at t = 0 (the package's time origin) up to each time
    run_times = times if times[0] == 0.0 else np.concatenate([[0.0], times])
    if name == "permutational":
        moments = permutational.counting_moments(
            system, run_times, initial, efficiency=efficiency, local_efficiency=local_efficiency,
            tol=options.get("rtol") or 1e-8, progress=options.get("progress"),
            max_steps=options.get("max_steps", 1_000_000))
    else:
        detector = "total" if system.has_coupling_matrices else "collective"
        if detector == "total" and local_efficiency > 0:
            raise ValueError("local_efficiency: with coupling matrices the channels are not separable; every "
                             "photon is counted with efficiency (give local_efficiency=0)")
        moments = exact.counting_moments(system, run_times, initial, detector, efficiency=efficiency,
                                         local_efficiency=local_efficiency, progress=options.get("progress"))
        attrs["detector"] = detector
    if run_times is not times:
        moments = moments[1:]
    mean, factorial = moments[:, 0], moments[:, 1]
    gated = np.where(mean > 1e-300, factorial / np.where(mean > 1e-300, mean, 1.0) ** 2, np.nan)
    variables = {
        "mean_count": ((), mean[-1], {"units": "photons", "long_name": "<n> detected per pulse"}),
        "factorial_moment": ((), factorial[-1], {"units": "photons^2", "long_name": "<n(n - 1)>"}),
        "g2": ((), gated[-1], {"units": "1", "long_name": "integrated g2 = <n(n - 1)> / <n>^2"}),
        "gated_mean_count": ("time", mean, {"units": "photons", "long_name": "<n> detected in [times[0], t]"}),
        "gated_g2": ("time", gated, {"units": "1", "long_name": "integrated g2 of the gate [times[0], t]"}),
    }
    return xr.Dataset(variables, coords=coords, attrs=attrs)


def _sampled(system, times, initial, name, efficiency, local_efficiency, options):
    """Moments, their standard errors and the detected-photon histogram from shots."""
    from ..simulate import simulate

    run = {key: options[key] for key in ("trajectories", "seed", "progress") if key in options}
    if name == "twa" and system.decay > 0 and local_efficiency != efficiency:
        raise ValueError("local_efficiency: method 'twa' detects its classical intensity of all channels, so "
                         f"it needs local_efficiency = efficiency ({efficiency:g}) when decay > 0; use 'jumps' "
                         "or 'permutational' to count the channels separately")
    result = simulate(system, times, method=name, initial=initial, **run)
    return shot_counts(result, efficiency=efficiency, local_efficiency=local_efficiency)


def shot_counts(result, *, efficiency=1.0, local_efficiency=0.0):
    """Photons detected per pulse from the shots of a ``jumps`` or ``twa`` Result (over its times).

    ``jumps``: the exact factorial moments of each shot's collective- and local-channel photons thinned
    with ``efficiency`` and ``local_efficiency``, and a histogram of binomial draws (random stream
    (seed, 2)); ``twa``: Mandel's formula on each trajectory's classical photon number W (all channels,
    counted with ``efficiency``) and Poisson draws given W.

    Parameters
    ----------
    result : Result
    efficiency, local_efficiency : float
        Detection probabilities, in (0, 1] and [0, 1].

    Returns
    -------
    xarray.Dataset
        The sampled variables of :func:`photon_counts` (``mean_count`` ... ``emitted_local``).

    Raises
    ------
    ValueError
        For a result of another method, or efficiencies outside their range.
    """
    import xarray as xr
    from scipy.stats import poisson

    efficiency = _check_efficiency("efficiency", efficiency, allow_zero=False)
    local_efficiency = _check_efficiency("local_efficiency", local_efficiency, allow_zero=True)
    if result.method not in _SAMPLING:
        raise ValueError(f"result: photons per shot come from the methods {list(_SAMPLING)}, got {result.method!r}")
    if result.method == "twa":
        photons = np.asarray(result.info["shot_photons"])     # classical W per trajectory
        emitted_c, emitted_l = photons, np.zeros_like(photons)
        detected = efficiency * photons
        factorial = efficiency**2 * photons**2
    else:
        emitted_c = np.asarray(result.info["photons_collective"])
        emitted_l = np.asarray(result.info["photons_local"])
        detected = efficiency * emitted_c + local_efficiency * emitted_l
        factorial = (efficiency**2 * emitted_c * (emitted_c - 1) + 2 * efficiency * local_efficiency * emitted_c
                     * emitted_l + local_efficiency**2 * emitted_l * (emitted_l - 1))
    g2, g2_sem = (v[0] for v in ratio_of_means(factorial[:, None], detected[:, None], power=2))
    count = detected.size
    rng = np.random.default_rng([int(result.parameters.get("seed", 0)), 2])   # not the shots' streams (seed, r)
    if result.method == "jumps":
        draws = rng.binomial(emitted_c.astype(np.int64), efficiency) + rng.binomial(emitted_l.astype(np.int64),
                                                                                    local_efficiency)
    else:   # photodetection of a classical intensity: Poisson counts given W
        draws = rng.poisson(detected)
    histogram = np.bincount(draws) / count
    variables = {
        "mean_count": ((), detected.mean(), {"units": "photons", "long_name": "<n> detected per pulse"}),
        "mean_count_sem": ((), detected.std(ddof=1) / np.sqrt(count), {"units": "photons"}),
        "factorial_moment": ((), factorial.mean(), {"units": "photons^2", "long_name": "<n(n - 1)>"}),
        "g2": ((), g2, {"units": "1", "long_name": "integrated g2 = <n(n - 1)> / <n>^2"}),
        "g2_sem": ((), g2_sem, {"units": "1", "long_name": "standard error of g2 (delta method)"}),
        "probability": ("photons", histogram, {"units": "1", "long_name": "P(n) of the detected photons"}),
        "poisson": ("photons", poisson.pmf(np.arange(histogram.size), detected.mean()),
                    {"units": "1", "long_name": "Poisson distribution of the same mean (coherent light)"}),
        "emitted_collective": ("shot", emitted_c, {"units": "photons", "long_name": (
            "collective-channel photons per shot (twa: classical photons of all channels)")}),
        "emitted_local": ("shot", emitted_l, {"units": "photons"}),
    }
    coords = {"photons": ("photons", np.arange(histogram.size)), "shot": ("shot", np.arange(count))}
    return xr.Dataset(variables, coords=coords)
