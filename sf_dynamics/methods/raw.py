"""The raw outputs of the run functions on the integration times (t = 0 first), one builder per quantity.

The front door (:func:`sf_dynamics.methods.quantities.finish`) turns them into the public Datasets:
it drops the t = 0 row of a grid that starts later and adds what every method shares.
"""

from __future__ import annotations

import xarray as xr

__all__ = ["g1_dataset", "pairs_dataset", "moments_dataset"]


def g1_dataset(g1, taus, extra=None):
    """First-order output: G1(t, tau); with ``extra`` (a sampling method's) its standard error and the shots' field.

    Parameters
    ----------
    g1 : ndarray of complex, shape (times, taus)
        G1 (photons/ps).
    taus : ndarray
        Delays (ps).
    extra : dict, optional
        ``g1_sem``, ``shot_field`` (shots, records), ``record_time`` (ps) and run facts
        (``trajectories_done``, ``partial``, ``engine``, ``dt``).
    """
    variables = {"g1": (("time", "tau"), g1)}
    coords = {"tau": ("tau", taus, {"units": "ps"})}
    attrs = {}
    if extra is not None:
        variables["g1_sem"] = (("time", "tau"), extra["g1_sem"],
                               {"units": "photons/ps", "long_name": "standard error of the mean of G1"})
        variables["shot_field"] = (("shot", "record_time"), extra["shot_field"],
                                   {"units": "sqrt(photons/ps)",
                                    "long_name": "classical field amplitude of single shots (Weyl symbol)"})
        coords["record_time"] = ("record_time", extra["record_time"], {"units": "ps"})
        attrs = {key: extra[key] for key in ("trajectories_done", "partial", "engine", "dt") if key in extra}
        attrs["partial"] = int(attrs.get("partial", False))
    return xr.Dataset(variables, coords=coords, attrs=attrs)


def pairs_dataset(pairs, rate, taus):
    """Second-order output: G2(t, tau) (pairs/ps^2) and the detected photon rate (photons/ps)."""
    return xr.Dataset({"G2": (("time", "tau"), pairs, {"units": "pairs/ps^2", "long_name": "G2(t, tau)"}),
                       "intensity": ("time", rate, {"units": "photons/ps", "long_name": "detected photon rate"})},
                      coords={"tau": ("tau", taus, {"units": "ps"})})


def moments_dataset(moments, **attrs):
    """Counting output: <n> and <n(n - 1)> counted in [0, t], from rows (mean, factorial moment)."""
    return xr.Dataset({"gated_mean_count": ("time", moments[:, 0]),
                       "gated_factorial_moment": ("time", moments[:, 1])}, attrs=attrs)
