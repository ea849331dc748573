"""Parameter sweeps on an executor, and the two temperature sweeps.

:func:`run_points` evaluates a module-level function on a list of points:
in this process (``executor="serial"``), on local processes (the default,
one per core), on any :class:`concurrent.futures.Executor`, or on a Dask
cluster (pass a ``dask.distributed.Client`` or a scheduler address such as
``"tcp://10.0.0.5:8786"``), so a group can run a large sweep on its cluster
with the same call.

Temperature sweeps:

* :func:`dynamic_temperature_sweep`: time dynamics (permutational for
  identical all-to-all emitters, cumulant otherwise) with the phonon
  dephasing gamma_phi(T) of :mod:`sf_dynamics.thermal`, reporting tau_D(T),
  tau_SF(T), the peak and the temperature where the burst disappears;
* :func:`thermal_sweep`: thermal-equilibrium enhancement <Gamma>_T / gamma of
  a superlattice, disorder realisations spread over the executor.

Both return :class:`xarray.Dataset` objects; :func:`save_dataset` writes
them as netCDF and CSV.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing as mp
import os

import numpy as np

from ._validation import check_positive_int, check_real
from .analysis import SF_THRESHOLD
from .thermal import LinewidthModel, check_temperatures, dephasing_rate

__all__ = [
    "run_points",
    "dynamic_temperature_sweep",
    "thermal_sweep",
    "save_dataset",
    "SF_THRESHOLD",
    "burst_vanishing_temperature",
]



def _is_dask_client(obj) -> bool:
    return type(obj).__name__ == "Client" and hasattr(obj, "map") and hasattr(obj, "gather")


def run_points(function, points, *, executor=None, progress=None, desc="sweep"):
    """Evaluate ``function(point)`` for every point, in order.

    Parameters
    ----------
    function : callable
        A module-level (picklable) function of one argument.
    points : sequence
        The sweep points (picklable).
    executor : None, "serial", "processes", concurrent.futures.Executor,
               dask.distributed.Client or str
        None or "processes": local processes (one per core); "serial": this
        process; an Executor: used as is; a Dask Client, or a scheduler
        address string: the Dask cluster.
    progress : bool or None
        tqdm progress bar (None: on an interactive terminal).

    Returns
    -------
    list
        ``[function(p) for p in points]``.
    """
    from ._progress import progress_bar

    points = list(points)
    results = [None] * len(points)
    client = None
    if isinstance(executor, str) and executor not in ("serial", "processes"):
        from dask.distributed import Client

        client = Client(executor)
        executor = client
    try:
        with progress_bar(progress, total=len(points), size=10**9, desc=desc) as bar:
            if executor == "serial" or len(points) <= 1:
                for i, p in enumerate(points):
                    results[i] = function(p)
                    bar.update(1)
            elif _is_dask_client(executor):
                futures = executor.map(function, points, pure=False)
                for i, fut in enumerate(futures):
                    results[i] = fut.result()
                    bar.update(1)
            else:
                own = executor is None or executor == "processes"
                # "spawn": forking a process whose numba/OpenMP threads are running can crash the child
                pool = cf.ProcessPoolExecutor(max_workers=min(len(points), os.cpu_count() or 1),
                                              mp_context=mp.get_context("spawn")) if own else executor
                if not isinstance(pool, cf.Executor):
                    raise ValueError(
                        "executor must be None, 'serial', 'processes', a concurrent.futures.Executor, "
                        f"a dask.distributed.Client or a scheduler address, got {executor!r}"
                    )
                try:
                    futures = {pool.submit(function, p): i for i, p in enumerate(points)}
                    for fut in cf.as_completed(futures):
                        results[futures[fut]] = fut.result()
                        bar.update(1)
                finally:
                    if own:
                        pool.shutdown()
    finally:
        if client is not None:
            client.close()
    return results


# -- dynamic sweep ------------------------------------------------------------------
def _dynamic_point(spec):
    """One temperature of the dynamic sweep (module level: runs in worker processes)."""
    from . import analysis
    from .simulate import simulate
    from .spectrum import Spectrum
    from .system import Ensemble
    from .units import MEV_TO_RAD_PER_PS

    times = np.linspace(0.0, spec["window_ps"], spec["points"])
    if spec.get("lattice") is not None:
        ens = spec["lattice"].nanocrystal_ensemble(dephasing=spec["dephasing"])
        method = "cumulant"
    else:
        fwhm = spec["inhomogeneous_fwhm_meV"] * MEV_TO_RAD_PER_PS
        spectrum = Spectrum.gaussian(fwhm, classes=spec["classes"]) if fwhm > 0 else None
        ens = Ensemble(spec["n"], decay=spec["decay"], collective_decay=spec["collective_decay"],
                       dephasing=spec["dephasing"], spectrum=spectrum)
        method = "permutational" if spectrum is None else "cumulant"
    if spec["method"] != "auto":
        method = spec["method"]
    res = simulate(ens, times, method=method)
    summary = analysis.burst_summary(res)
    return {
        "tau_d": summary["tau_d"],
        "tau_sf": summary["tau_sf"],
        "peak": summary["peak"],
        "incoherent": summary["initial"],
        "peak_over_incoherent": summary["peak_over_initial"],
        "sf": summary["burst"],
        "intensity": res.intensity,
        "method": method,
    }


def burst_vanishing_temperature(temperatures_K, peak_over_incoherent, threshold=SF_THRESHOLD):
    """Lowest temperature (K) where the peak / incoherent ratio falls below ``threshold``.

    Interpolated linearly in ln(ratio) (the ratio falls roughly exponentially
    with the dephasing) between the two sweep points that bracket the
    crossing; NaN if the burst survives the whole sweep, the first
    temperature if there is none at all. Its accuracy is set by the grid:
    refine the temperatures near the crossing for a sharper value.
    """
    t = check_temperatures(temperatures_K)
    r = np.asarray(peak_over_incoherent, dtype=float)
    below = np.nonzero(r < threshold)[0]
    if below.size == 0:
        return float("nan")
    k = int(below[0])
    if k == 0:
        return float(t[0])
    logs = np.log(np.maximum([r[k], r[k - 1]], 1e-300))
    return float(np.interp(np.log(threshold), logs, [t[k], t[k - 1]]))


def dynamic_temperature_sweep(temperatures_K, *, n=200, collective_decay=1.0 / 210.0, decay=0.0,
                              inhomogeneous_fwhm_meV=0.0, classes=41, lattice=None, linewidth=None,
                              window_ps=None, points=401, method="auto", executor=None, progress=None):
    """Superfluorescence dynamics across temperature with phonon dephasing gamma_phi(T).

    Parameters
    ----------
    temperatures_K : array_like
        Temperatures (K), > 0, increasing.
    n : int
        Number of emitters (all-to-all coupling; ignored with ``lattice``).
    collective_decay, decay : float
        Collective and local radiative rates (1/ps); default: 210 ps lifetime,
        all emission collective (point-like domain).
    inhomogeneous_fwhm_meV : float
        Gaussian inhomogeneous FWHM (meV) in ``classes`` spectral classes
        (0: identical emitters, solved exactly with ``permutational``).
    lattice : Superlattice, optional
        Use this superlattice's Green's-tensor couplings instead (cumulant).
    linewidth : LinewidthModel, TabulatedLinewidth or callable, optional
        Homogeneous FWHM(T); default :class:`~sf_dynamics.thermal.LinewidthModel`.
    window_ps : float, optional
        Simulated window (ps); default 8 ln N / (N Gamma_c).
    points : int
        Output times.
    method : str
        "auto" (permutational / cumulant as above) or any method name.
    executor, progress
        See :func:`run_points`.

    Returns
    -------
    xarray.Dataset
        Variables on ``temperature``: ``dephasing`` (1/ps), ``tau_d``,
        ``tau_sf`` (ps; NaN where the burst has vanished), ``peak`` and ``incoherent`` (photons/ps),
        ``peak_over_incoherent``, ``sf`` (burst present: delayed maximum at
        least SF_THRESHOLD times the incoherent rate) and ``intensity`` on
        (temperature, time). Attribute ``t_sf_vanishes_K``: see
        :func:`burst_vanishing_temperature`.
    """
    import xarray as xr

    t = check_temperatures(temperatures_K)
    if t.size >= 2 and np.any(np.diff(t) <= 0):
        raise ValueError("temperatures_K must be strictly increasing")
    n = check_positive_int("n", n)
    check_real("collective_decay", collective_decay, low=0.0)
    check_real("decay", decay, low=0.0)
    check_real("inhomogeneous_fwhm_meV", inhomogeneous_fwhm_meV, low=0.0)
    if lattice is not None:
        radiative = lattice.gamma
        count = lattice.n * lattice.dipoles_per_nc
        if window_ps is None:
            lam = float(np.linalg.eigvalsh(lattice.couplings()[0])[-1])
            window_ps = 8.0 * np.log(max(count, 2)) / lam
    else:
        radiative = collective_decay + decay
        if window_ps is None:
            rate = n * collective_decay if collective_decay > 0 else max(decay, 1e-12)
            window_ps = 8.0 * np.log(max(n, 2)) / rate
    window_ps = check_real("window_ps", window_ps, low=0.0, low_open=True)
    gphi = dephasing_rate(t, linewidth if linewidth is not None else LinewidthModel(), radiative_rate=radiative)
    specs = [
        dict(n=n, collective_decay=collective_decay, decay=decay, inhomogeneous_fwhm_meV=inhomogeneous_fwhm_meV,
             classes=classes, lattice=lattice, dephasing=float(g), window_ps=window_ps, points=points, method=method)
        for g in gphi
    ]
    rows = run_points(_dynamic_point, specs, executor=executor, progress=progress, desc="temperature sweep")
    times = np.linspace(0.0, window_ps, points)
    ratio = np.array([r["peak_over_incoherent"] for r in rows])
    ds = xr.Dataset(
        {
            "dephasing": ("temperature", gphi, {"units": "1/ps"}),
            "tau_d": ("temperature", [r["tau_d"] for r in rows], {"units": "ps"}),
            "tau_sf": ("temperature", [r["tau_sf"] for r in rows], {"units": "ps"}),
            "peak": ("temperature", [r["peak"] for r in rows], {"units": "photons/ps"}),
            "incoherent": ("temperature", [r["incoherent"] for r in rows], {"units": "photons/ps"}),
            "peak_over_incoherent": ("temperature", ratio),
            "sf": ("temperature", np.array([r["sf"] for r in rows], dtype=np.int8)),
            "intensity": (("temperature", "time"), np.array([r["intensity"] for r in rows]), {"units": "photons/ps"}),
        },
        coords={"temperature": ("temperature", t, {"units": "K"}), "time": ("time", times, {"units": "ps"})},
        attrs={
            "t_sf_vanishes_K": burst_vanishing_temperature(t, ratio),
            "sf_threshold": SF_THRESHOLD,
            "n": n if lattice is None else lattice.n,
            "method": rows[0]["method"],
            "inhomogeneous_fwhm_meV": inhomogeneous_fwhm_meV,
        },
    )
    return ds


# -- thermal-equilibrium sweep ---------------------------------------------------------
def _thermal_point(spec):
    from .lattice import Superlattice
    from .thermal import thermal_superradiance

    lat = Superlattice.build(spec["kind"], spec["size"], seed=spec["seed"], **spec["lattice"])
    curve = thermal_superradiance(lat, spec["temperatures"], route=spec["route"], **spec["route_options"])
    return curve.enhancement, curve.sem, curve.high_t_coefficient


def thermal_sweep(kind, size, temperatures_K, *, realizations=4, seed=0, route="dense", executor=None,
                  progress=None, route_options=None, **lattice_options):
    """Thermal-equilibrium enhancement of a superlattice, disorder realisations in parallel.

    Parameters
    ----------
    kind, size
        As for :meth:`sf_dynamics.lattice.Superlattice.build`.
    temperatures_K : array_like
        Temperatures (K).
    realizations : int
        Disorder realisations (seeds seed, seed + 1, ...).
    route : {"dense", "matrix-free"}
    executor, progress
        See :func:`run_points`.
    route_options : dict, optional
        Matrix-free options (probes, moments).
    **lattice_options
        Superlattice.build options (lattice_constant_nm, energy_disorder_meV, ...).

    Returns
    -------
    xarray.Dataset
        ``enhancement`` (mean), ``enhancement_sem`` and per-realisation values
        on ``temperature``; attributes: the characteristic temperatures of
        the mean curve (see :func:`sf_dynamics.thermal.characteristic_temperatures`)
        and the high-T coefficient (K).
    """
    import xarray as xr

    from .thermal import characteristic_temperatures

    t = check_temperatures(temperatures_K)
    realizations = check_positive_int("realizations", realizations)
    specs = [dict(kind=kind, size=size, seed=seed + r, lattice=lattice_options, temperatures=t, route=route,
                  route_options=route_options or {}) for r in range(realizations)]
    rows = run_points(_thermal_point, specs, executor=executor, progress=progress, desc="thermal sweep")
    values = np.array([r[0] for r in rows])
    probe_sem = np.sqrt(np.mean(np.array([r[1] for r in rows]) ** 2, axis=0) / realizations)
    spread = values.std(axis=0, ddof=1) / np.sqrt(realizations) if realizations > 1 else np.zeros_like(t)
    mean = values.mean(axis=0)
    marks = characteristic_temperatures(t, mean)
    return xr.Dataset(
        {
            "enhancement": ("temperature", mean),
            "enhancement_sem": ("temperature", np.sqrt(probe_sem**2 + spread**2)),
            "realization_enhancement": (("realization", "temperature"), values),
        },
        coords={"temperature": ("temperature", t, {"units": "K"})},
        attrs={**{f"{k}": v for k, v in marks.items()}, "high_t_coefficient_K": float(np.mean([r[2] for r in rows])),
               "kind": kind, "size": str(size), "route": route,
               **{k: v for k, v in lattice_options.items() if isinstance(v, (int, float, str))}},
    )


def save_dataset(dataset, path_stem, *, overwrite=False, **fields):
    """Write ``<stem>.nc`` (netCDF) and ``<stem>.csv`` (1-D variables) atomically, with provenance.

    See :func:`sf_dynamics._io.save_dataset`; ``fields`` (method, options,
    seed, ...) are recorded beside the package version and date.
    """
    from ._io import save_dataset as _save

    return _save(dataset, path_stem, overwrite=overwrite, **fields)
