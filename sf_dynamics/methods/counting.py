"""Photons per pulse from the shots of a sampling method, and the equal-time g2 of pair and photon rates.

Each emitted photon of the collective channel is detected with probability
eta (``efficiency``), each of the local channel with eta_l
(``local_efficiency``), independently: <n> = eta <n_c> + eta_l <n_l> and
<n(n - 1)> = eta^2 <n_c(n_c - 1)> + 2 eta eta_l <n_c n_l> + eta_l^2
<n_l(n_l - 1)> (binomial thinning keeps factorial moments). A classical
intensity integrated over the gate, W, is detected as Poisson counts given W
(Mandel's photodetection formula): <n(n - 1)> = eta^2 <W^2>.
"""

from __future__ import annotations

import numpy as np

from .._validation import check_real
from ..solvers.coherence import equal_time_g2
from ..solvers.estimators import ratio_of_means

__all__ = ["shot_counts", "check_efficiency", "equal_time_g2", "SHOT_COUNTING_METHODS"]

#: methods whose Results carry photons per shot
SHOT_COUNTING_METHODS = ("jumps", "twa")


def check_efficiency(name, value, *, allow_zero):
    """A detection probability in (0, 1] (or [0, 1] with ``allow_zero``).

    Raises
    ------
    ValueError
        Naming the parameter and its range.
    """
    value = check_real(name, value)
    if not (0.0 < value <= 1.0 or (allow_zero and value == 0.0)):
        allowed = "[0, 1]" if allow_zero else "(0, 1]"
        raise ValueError(f"{name} must be in {allowed} (a detection probability), got {value!r}")
    return value


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
        ``mean_count`` (<n>), ``mean_count_sem``, ``factorial_moment`` (<n(n - 1)>), ``g2`` and ``g2_sem``
        of the whole gate, ``probability`` and ``poisson`` (the Poisson law of the same mean) over
        ``photons`` (histogram of the detected number per shot), and the photons ``emitted_collective``
        and ``emitted_local`` per ``shot``.

    Raises
    ------
    ValueError
        For a result of another method, or efficiencies outside their range.
    """
    import xarray as xr
    from scipy.stats import poisson

    efficiency = check_efficiency("efficiency", efficiency, allow_zero=False)
    local_efficiency = check_efficiency("local_efficiency", local_efficiency, allow_zero=True)
    if result.method not in SHOT_COUNTING_METHODS:
        raise ValueError(f"result: photons per shot come from the methods {list(SHOT_COUNTING_METHODS)}, got "
                         f"{result.method!r}")
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
