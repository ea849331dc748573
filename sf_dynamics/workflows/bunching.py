"""Photon bunching against pump fluence: g2 of the superfluorescent burst, coupled and uncoupled.

For each fluence, N(F) excited emitters (:func:`~sf_dynamics.workflows.fluence.excited_emitters`,
fully inverted) radiate into the collective channel and locally; the series reports what three
Hanbury Brown-Twiss variants would measure on the collective channel: the equal-time g2 at the
burst's peak, the zero-delay g2 of fast detectors (:func:`~sf_dynamics.statistics.zero_delay_g2`)
and the per-pulse g2 of slow detectors with collection efficiencies
(:func:`~sf_dynamics.statistics.photon_counts`). The uncoupled reference is the same number of
independent NCs (no collective channel; each decays at Gamma_c + gamma): all their photons,
counted with the same efficiency, give the per-pulse g2 = 1 - 1/N (photon number fixed at N),
and their field summed into one mode is chaotic, g2 = 2 (1 - 1/N).
"""

from __future__ import annotations

import numpy as np

from .._validation import check_positive_int, check_real, check_real_array
from ..model.timescales import burst_window_ps

__all__ = ["bunching_series", "shot_statistics", "BUNCHING_METHODS", "WINDOW_DELAYS"]

#: methods of the series: exact populations (ladders) or exact shots
BUNCHING_METHODS = ("permutational", "jumps")
#: the default window holds this many delay scales ln N / (N Gamma_c) of the fewest emitters
#: (:func:`~sf_dynamics.model.timescales.burst_window_ps`), at most 5 / (Gamma_c + gamma)
WINDOW_DELAYS = 12.0


def bunching_series(fluences_uJ_cm2, *, nanocrystals=200, cross_section_cm2=5e-14, photon_energy_eV=3.1,
                    excited_per_fluence=None, collective_decay=0.3 / 210.0, decay=0.7 / 210.0, dephasing=0.0101,
                    efficiency=0.1, local_efficiency=0.01, method="permutational", window_ps=None, points=401,
                    progress=None, **method_options):
    """g2 of the collective channel at each pump fluence, with the uncoupled reference.

    Parameters
    ----------
    fluences_uJ_cm2 : array_like
        Strictly increasing pump fluences (uJ/cm^2).
    nanocrystals, cross_section_cm2, photon_energy_eV, excited_per_fluence
        The fluence model of :func:`~sf_dynamics.workflows.fluence.excited_emitters`.
    collective_decay, decay, dephasing : float
        Gamma_c, gamma and gamma_phi (1/ps); defaults as in
        :func:`~sf_dynamics.workflows.fluence.fluence_series`.
    efficiency, local_efficiency : float
        Detection probabilities of collective- and local-channel photons (slow-detector g2).
    method : {"permutational", "jumps"}
        Exact populations (O(N^2) states with local processes: N of a few hundred) or exact shots
        (any N; ``trajectories`` and ``seed`` in ``method_options``, default 2000 and 0).
    window_ps : float, optional
        Time window (default: 12 ln N / (N Gamma_c) for the fewest emitters, at most 5 / (Gamma_c + gamma)).
    points : int
        Output times.
    progress : bool or None
        Progress bar over fluences.

    Returns
    -------
    xarray.Dataset
        On ``fluence``: ``excited`` (N), ``g2_peak``, ``g2_zero_delay``, ``g2_pulse`` and
        ``photons_detected`` (coupled), ``g2_pulse_uncoupled``, ``g2_mode_uncoupled``; on
        (fluence, time): ``g2`` (equal-time) and ``collective_rate`` (photons/ps). Attributes: the
        parameters and ``method``.

    Raises
    ------
    ValueError
        For bad fluences, rates, efficiencies or an unknown method.
    """
    import xarray as xr

    from .. import statistics
    from .._progress import progress_bar
    from ..model import Ensemble
    from ..simulate import simulate
    from .fluence import excited_emitters

    f = np.atleast_1d(check_real_array("fluences_uJ_cm2", fluences_uJ_cm2, nonnegative=True))
    if f.size < 1 or np.any(np.diff(f) <= 0):
        raise ValueError("fluences_uJ_cm2 must be strictly increasing")
    if method not in BUNCHING_METHODS:
        raise ValueError(f"method must be one of {list(BUNCHING_METHODS)}, got {method!r}")
    collective_decay = check_real("collective_decay", collective_decay, low=0.0, low_open=True)
    n_exc = excited_emitters(f, nanocrystals=nanocrystals, cross_section_cm2=None if excited_per_fluence else
                             cross_section_cm2, photon_energy_eV=photon_energy_eV,
                             excited_per_fluence=excited_per_fluence)
    counts = np.maximum(np.round(n_exc).astype(int), 2)
    points = check_positive_int("points", points, minimum=5)
    if window_ps is None:
        fewest = counts.min()
        window_ps = min(burst_window_ps(fewest, fewest * collective_decay, factor=WINDOW_DELAYS),
                        5.0 / (collective_decay + decay))
    times = np.linspace(0.0, check_real("window_ps", window_ps, low=0.0, low_open=True), points)
    options = {"trajectories": 2000, "seed": 0} if method == "jumps" else {}
    options.update(method_options)
    rows = []
    with progress_bar(progress, total=len(counts), size=float(counts.max()) ** 2 * len(counts),
                      desc="bunching") as bar:
        for n in counts:
            ens = Ensemble(int(n), collective_decay=collective_decay, decay=decay, dephasing=dephasing)
            res = simulate(ens, times, method=method, **options)
            rate = np.asarray(res.data["collective_rate"])
            if method == "jumps":   # the shots at hand carry their photons
                pulse = statistics.shot_counts(res, efficiency=efficiency, local_efficiency=local_efficiency)
            else:
                pulse = statistics.photon_counts(ens, times, method=method, efficiency=efficiency,
                                                 local_efficiency=local_efficiency, **options)
            # independent NCs: dephasing does not change when they emit, so the reference leaves it out
            uncoupled = Ensemble(int(n), decay=collective_decay + decay)
            reference = statistics.photon_counts(uncoupled, times, method=method, efficiency=efficiency,
                                                 local_efficiency=efficiency, **options)
            rows.append({"g2": np.asarray(res.data["g2"]), "rate": rate,
                         "g2_peak": float(res.data["g2"][np.argmax(rate)]),
                         "g2_zero_delay": statistics.zero_delay_g2(res),
                         "g2_pulse": float(pulse["g2"]), "photons": float(pulse["mean_count"]),
                         "g2_pulse_uncoupled": float(reference["g2"])})
            if bar is not None:
                bar.update(1)
    per_fluence = lambda key: np.array([row[key] for row in rows])  # noqa: E731
    return xr.Dataset(
        {
            "excited": ("fluence", counts, {"long_name": "excited emitters N"}),
            "g2_peak": ("fluence", per_fluence("g2_peak"), {"long_name": "equal-time g2 at the collective peak"}),
            "g2_zero_delay": ("fluence", per_fluence("g2_zero_delay"),
                              {"long_name": "zero-delay g2, pulsed HBT with fast detectors"}),
            "g2_pulse": ("fluence", per_fluence("g2_pulse"),
                         {"long_name": "per-pulse g2 = <n(n-1)>/<n>^2, slow detectors"}),
            "photons_detected": ("fluence", per_fluence("photons"), {"units": "photons per pulse"}),
            "g2_pulse_uncoupled": ("fluence", per_fluence("g2_pulse_uncoupled"),
                                   {"long_name": "per-pulse g2 of as many independent NCs (all photons)"}),
            "g2_mode_uncoupled": ("fluence", 2.0 * (1.0 - 1.0 / counts),
                                  {"long_name": "g2 of independent NCs' field summed into one mode (chaotic)"}),
            "g2": (("fluence", "time"), np.array([row["g2"] for row in rows]), {"long_name": "equal-time g2(t)"}),
            "collective_rate": (("fluence", "time"), np.array([row["rate"] for row in rows]),
                                {"units": "photons/ps"}),
        },
        coords={"fluence": ("fluence", f, {"units": "uJ/cm^2"}), "time": ("time", times, {"units": "ps"})},
        attrs={"method": method, "nanocrystals": float(nanocrystals), "collective_decay": collective_decay,
               "decay": float(decay), "dephasing": float(dephasing), "efficiency": float(efficiency),
               "local_efficiency": float(local_efficiency)},
    )


def shot_statistics(ensemble, times, *, efficiency, local_efficiency, trajectories, seed, executor=None):
    """Exact single shots (method ``jumps``): their delay statistics and the photons detected per pulse.

    ``executor`` says where the shots run (see the ``jumps`` method); the result does not depend on it.

    Returns
    -------
    (xarray.Dataset, xarray.Dataset)
        :func:`~sf_dynamics.statistics.delay_statistics` and :func:`~sf_dynamics.statistics.shot_counts`
        of the same shots.
    """
    from .. import statistics
    from ..simulate import simulate

    shots = simulate(ensemble, times, method="jumps", trajectories=trajectories, seed=seed, executor=executor)
    return (statistics.delay_statistics(shots),
            statistics.shot_counts(shots, efficiency=efficiency, local_efficiency=local_efficiency))
