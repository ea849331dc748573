"""Photon bunching against pump fluence: g2 of the superfluorescent burst, coupled and uncoupled.

For each fluence, the N NCs of a domain of a :class:`~sf_dynamics.workflows.sample.Sample`, each excited
with probability p(F) (partial inversion, the sample's pump law), radiate into the collective channel and
locally; the series reports what three
Hanbury Brown-Twiss variants would measure on the collective channel: the equal-time g2 at the
burst's peak, the zero-delay g2 of fast detectors (:func:`~sf_dynamics.statistics.zero_delay_g2`)
and the per-pulse g2 of slow detectors with collection efficiencies
(:func:`~sf_dynamics.statistics.photon_counts`). The uncoupled reference is the same number of
independent NCs with the same excitation (no collective channel; each decays at Gamma_c + gamma): all
their photons counted with the same efficiency (binomial numbers, per-pulse g2 < 1), and their field summed
into one mode, chaotic, g2 = 2 (1 - 1/N).
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


def bunching_series(fluences_uJ_cm2, sample=None, *, efficiency=0.1, local_efficiency=0.01, method="permutational",
                    window_ps=None, points=401, progress=None, **method_options):
    """g2 of the collective channel at each pump fluence, with the uncoupled band under the same detection.

    Parameters
    ----------
    fluences_uJ_cm2 : array_like
        Strictly increasing pump fluences (uJ/cm^2).
    sample : Sample, optional
        The sample (:class:`~sf_dynamics.workflows.sample.Sample`, one domain size): its domain size, rates and
        pump law p(F). Each NC of a domain is excited with probability p(F) (partial inversion). Default
        ``Sample()``.
    efficiency, local_efficiency : float
        Detection probabilities of collective- and local-channel photons (slow-detector g2), in [0, 1].
    method : {"permutational", "jumps"}
        Exact populations (O(N^2) states with local processes: N of a few hundred) or exact shots
        (any N; ``trajectories`` and ``seed`` in ``method_options``, default 2000 and 0).
    window_ps : float, optional
        Time window (default: 12 ln N / (N Gamma_c), at most 5 / (Gamma_c + gamma)).
    points : int
        Output times.
    progress : bool or None
        Progress bar over fluences.

    Returns
    -------
    xarray.Dataset
        On ``fluence``: ``probability`` p(F), ``excited`` (mean excited NCs of a domain, N p), ``burst`` (the
        burst test of :meth:`Sample.burst <sf_dynamics.workflows.sample.Sample.burst>` on the domain's emission),
        ``g2_peak`` (and ``g2_peak_sem``, 0 for exact populations), ``g2_zero_delay``, ``g2_pulse`` (and
        ``g2_pulse_sem``) and ``photons_detected`` (coupled), ``g2_pulse_uncoupled`` (as many independent NCs
        with the same excitation, all photons counted with ``efficiency``), ``g2_mode_uncoupled`` (their field
        in one mode: chaotic, 2 (1 - 1/N)); on (fluence, time): ``g2`` (equal-time) and ``collective_rate``
        (photons/ps). Attributes: the sample's parameters and ``method``.

    Raises
    ------
    ValueError
        For bad fluences or efficiencies, a sample of several domain sizes, no collective decay, or an unknown
        method.
    """
    import xarray as xr

    from .. import statistics
    from .._io import jsonable
    from .._progress import progress_bar
    from ..analysis import burst_summary
    from ..model import Ensemble, ProductState
    from ..simulate import simulate
    from .sample import Sample

    f = np.atleast_1d(check_real_array("fluences_uJ_cm2", fluences_uJ_cm2, nonnegative=True))
    if f.size < 1 or np.any(np.diff(f) <= 0):
        raise ValueError("fluences_uJ_cm2 must be strictly increasing")
    if method not in BUNCHING_METHODS:
        raise ValueError(f"method must be one of {list(BUNCHING_METHODS)}, got {method!r}")
    sample = Sample() if sample is None else sample
    if not isinstance(sample, Sample) or len(sample.sizes) != 1:
        raise ValueError(f"sample must be a Sample with one domain size, got {sample!r}")
    collective_decay = check_real("collective_decay of the sample", sample.collective_decay, low=0.0, low_open=True)
    check_real("efficiency", efficiency, low=0.0, high=1.0)
    check_real("local_efficiency", local_efficiency, low=0.0, high=1.0)
    n = sample.sizes[0]
    prob = sample.excitation_probability(f)
    points = check_positive_int("points", points, minimum=5)
    if window_ps is None:
        window_ps = min(burst_window_ps(n, n * collective_decay, factor=WINDOW_DELAYS), 5.0 / sample.radiative_rate)
    times = np.linspace(0.0, check_real("window_ps", window_ps, low=0.0, low_open=True), points)
    options = {"trajectories": 2000, "seed": 0} if method == "jumps" else {}
    options.update(method_options)
    ens = sample.domain(n)
    # independent NCs: dephasing does not change when they emit, so the reference leaves it out
    uncoupled = Ensemble(n, decay=sample.radiative_rate)
    rows = []
    with progress_bar(progress, total=f.size, size=float(n) ** 2 * f.size, desc="bunching") as bar:
        for p in prob:
            start = "excited" if p == 1.0 else ProductState(float(p))
            res = simulate(ens, times, method=method, initial=start, **options)
            rate = np.asarray(res.data["collective_rate"])
            k = int(np.argmax(rate))
            if method == "jumps":   # the shots at hand carry their photons
                pulse = statistics.shot_counts(res, efficiency=efficiency, local_efficiency=local_efficiency)
            else:
                pulse = statistics.photon_counts(ens, times, method=method, initial=start, efficiency=efficiency,
                                                 local_efficiency=local_efficiency, **options)
            reference = statistics.photon_counts(uncoupled, times, method=method, initial=start,
                                                 efficiency=efficiency, local_efficiency=efficiency, **options)
            sem = res.data["g2_sem"][k] if "g2_sem" in res.data else 0.0
            rows.append({"g2": np.asarray(res.data["g2"]), "rate": rate, "g2_peak": float(res.data["g2"][k]),
                         "g2_peak_sem": float(sem), "g2_zero_delay": statistics.zero_delay_g2(res),
                         "g2_pulse": float(pulse["g2"]),
                         "g2_pulse_sem": float(pulse["g2_sem"]) if "g2_sem" in pulse else 0.0,
                         "photons": float(pulse["mean_count"]), "g2_pulse_uncoupled": float(reference["g2"]),
                         "burst": burst_summary(times, res.intensity)["burst"]})
            bar.update(1)
    per_fluence = lambda key: np.array([row[key] for row in rows])  # noqa: E731
    attrs = {k: jsonable(v) for k, v in sample.parameters().items() if v is not None}
    attrs.update(method=method, nanocrystals=n, efficiency=float(efficiency),
                 local_efficiency=float(local_efficiency))
    return xr.Dataset(
        {
            "probability": ("fluence", prob, {"long_name": "excitation probability per NC p(F)"}),
            "excited": ("fluence", n * prob, {"long_name": "mean excited NCs of a domain N p"}),
            "burst": ("fluence", per_fluence("burst").astype(np.int8)),
            "g2_peak": ("fluence", per_fluence("g2_peak"), {"long_name": "equal-time g2 at the collective peak"}),
            "g2_peak_sem": ("fluence", per_fluence("g2_peak_sem")),
            "g2_zero_delay": ("fluence", per_fluence("g2_zero_delay"),
                              {"long_name": "zero-delay g2, pulsed HBT with fast detectors"}),
            "g2_pulse": ("fluence", per_fluence("g2_pulse"),
                         {"long_name": "per-pulse g2 = <n(n-1)>/<n>^2, slow detectors"}),
            "g2_pulse_sem": ("fluence", per_fluence("g2_pulse_sem")),
            "photons_detected": ("fluence", per_fluence("photons"), {"units": "photons per pulse"}),
            "g2_pulse_uncoupled": ("fluence", per_fluence("g2_pulse_uncoupled"),
                                   {"long_name": "per-pulse g2 of as many independent NCs (all photons)"}),
            "g2_mode_uncoupled": ("fluence", np.full(f.size, 2.0 * (1.0 - 1.0 / n)),
                                  {"long_name": "g2 of independent NCs' field summed into one mode (chaotic)"}),
            "g2": (("fluence", "time"), np.array([row["g2"] for row in rows]), {"long_name": "equal-time g2(t)"}),
            "collective_rate": (("fluence", "time"), np.array([row["rate"] for row in rows]),
                                {"units": "photons/ps"}),
        },
        coords={"fluence": ("fluence", f, {"units": "uJ/cm^2"}), "time": ("time", times, {"units": "ps"})},
        attrs=attrs,
    )


def shot_statistics(ensemble, times, *, efficiency, local_efficiency, trajectories, seed, executor=None,
                    initial="excited"):
    """Exact single shots (method ``jumps``): their delay statistics and the photons detected per pulse.

    ``executor`` says where the shots run (see the ``jumps`` method); the result does not depend on it.
    ``initial`` is the start of every shot (default fully inverted; a ProductState for a partial excitation).

    Returns
    -------
    (xarray.Dataset, xarray.Dataset)
        :func:`~sf_dynamics.statistics.delay_statistics` and :func:`~sf_dynamics.statistics.shot_counts`
        of the same shots.
    """
    from .. import statistics
    from ..simulate import simulate

    shots = simulate(ensemble, times, method="jumps", trajectories=trajectories, seed=seed, executor=executor,
                     initial=initial)
    return (statistics.delay_statistics(shots),
            statistics.shot_counts(shots, efficiency=efficiency, local_efficiency=local_efficiency))
