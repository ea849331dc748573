"""Shot-to-shot delay statistics and the Gumbel law of pure collective decay."""

from __future__ import annotations

import numpy as np

from .._validation import check_positive_int, check_rate

__all__ = ["gumbel_delay_law", "gumbel_density", "delay_statistics"]


def gumbel_delay_law(n, collective_decay):
    """Mean and standard deviation (ps) of the delay of N fully inverted emitters under pure collective decay.

    For large N the burst starts when the first photons, emitted at rates
    N Gamma_c, 2(N - 1) Gamma_c, 3(N - 2) Gamma_c, ..., have built the collective
    dipole; the delay is t_D = (ln N - ln X) / (N Gamma_c) with X exponential,
    a Gumbel law: mean (ln N + gamma_E) / (N Gamma_c), standard deviation
    (pi / sqrt 6) / (N Gamma_c) (Haake et al., Phys. Rev. A 20, 2047 (1979);
    Polder, Schuurmans & Vrehen, Phys. Rev. A 19, 1192 (1979)).

    Parameters
    ----------
    n : int
        Emitters, >= 2.
    collective_decay : float
        Gamma_c (1/ps), > 0.

    Returns
    -------
    (float, float)
    """
    n = check_positive_int("n", n, minimum=2)
    rate = check_rate("collective_decay", collective_decay)
    if rate <= 0:
        raise ValueError(f"collective_decay must be > 0 (1/ps), got {collective_decay!r}")
    scale = 1.0 / (n * rate)
    return (np.log(n) + np.euler_gamma) * scale, np.pi / np.sqrt(6.0) * scale


def gumbel_density(t, n, collective_decay):
    """Probability density (1/ps) of the delay t (ps) of the Gumbel law of :func:`gumbel_delay_law`."""
    gumbel_delay_law(n, collective_decay)   # validates
    x = n * collective_decay * np.asarray(t, dtype=np.float64) - np.log(n)
    return n * collective_decay * np.exp(-x - np.exp(-x))


def delay_statistics(result, *, bins=40):
    """Histogram and moments of the single-shot delays of a sampling Result (``jumps``, ``twa``).

    Parameters
    ----------
    result : Result
        With ``info["shot_delays"]`` (time of each shot's maximum) and, for
        ``jumps``, ``info["shot_half_times"]`` (half-emission time).
    bins : int
        Histogram bins (>= 2), over the range of the delays.

    Returns
    -------
    xarray.Dataset
        ``delay`` and (if present) ``half_time`` per ``shot`` (ps);
        ``density`` (1/ps) at the bin ``centre`` (ps); for pure collective
        decay from full inversion (no local processes, ``initial`` excited)
        ``gumbel``, the density of :func:`gumbel_density` on a fine grid
        ``gumbel_time`` (ps) for comparison; attributes ``mean_ps``,
        ``std_ps``, ``relative_spread``, ``bin_width_ps`` and ``method``.

    Raises
    ------
    ValueError
        When the result has no shot delays (not a sampling method).
    """
    import xarray as xr

    bins = check_positive_int("bins", bins, minimum=2)
    if "shot_delays" not in result.info:
        raise ValueError(f"result: method {result.method!r} has no single shots; use 'jumps' (exact) or 'twa'")
    delays = np.asarray(result.info["shot_delays"], dtype=np.float64)
    density, edges = np.histogram(delays, bins=bins, density=True)
    variables = {"delay": ("shot", delays, {"units": "ps", "long_name": "time of the shot's maximum"}),
                 "density": ("centre", density, {"units": "1/ps"})}
    if "shot_half_times" in result.info:
        variables["half_time"] = ("shot", np.asarray(result.info["shot_half_times"]),
                                  {"units": "ps", "long_name": "time when half of the shot's photons were out"})
    mean, std = float(delays.mean()), float(delays.std(ddof=1))
    coords = {"centre": ("centre", 0.5 * (edges[1:] + edges[:-1]), {"units": "ps"})}
    params = result.parameters
    pure = (params.get("collective_decay", 0) > 0 and params.get("initial") == "excited" and result.n >= 2
            and all(params.get(key, 0) == 0 for key in ("decay", "dephasing", "pumping")))
    if pure:
        grid = np.linspace(edges[0], edges[-1], 201)
        coords["gumbel_time"] = ("gumbel_time", grid, {"units": "ps"})
        variables["gumbel"] = ("gumbel_time", gumbel_density(grid, result.n, params["collective_decay"]),
                               {"units": "1/ps", "long_name": "Gumbel law of pure collective decay"})
    return xr.Dataset(variables, coords=coords,
                      attrs={"mean_ps": mean, "std_ps": std, "relative_spread": std / mean, "method": result.method,
                             "bin_width_ps": float(edges[1] - edges[0])})
