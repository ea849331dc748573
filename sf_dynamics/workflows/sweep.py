"""Parameter sweeps that keep every finished point, and the two temperature sweeps.

The sweeps run their points through :func:`sf_dynamics.workflows.executor.execute`: in
this process, on local processes (the default), on any
:class:`concurrent.futures.Executor`, or on a Dask cluster (a
``dask.distributed.Client`` or a scheduler address such as
``"tcp://10.0.0.5:8786"``). With ``out=`` every finished point is written to
its own file in that folder as it completes, a failing point is recorded
with its temperature and error while the others go on, a rerun with the
same folder computes only missing or failed points (``resume=True``), and
Ctrl-C cancels pending points, ends running workers and raises
:class:`~sf_dynamics.workflows.executor.SweepInterrupted` with what finished saved.
The folder is locked while the sweep runs (:func:`sf_dynamics._io.folder_lock`):
a second sweep on it is refused at once with
:class:`~sf_dynamics._io.FolderInUseError`, naming the process that holds it.

Temperature sweeps:

* :func:`dynamic_temperature_sweep`: time dynamics (permutational for
  identical all-to-all emitters, cumulant otherwise) with the phonon
  dephasing gamma_phi(T) of :mod:`sf_dynamics.thermal`, reporting tau_D(T),
  tau_SF(T), the peak and the temperature where the burst disappears;
* :func:`thermal_sweep`: thermal-equilibrium enhancement <Gamma>_T / gamma of
  a superlattice, disorder realisations spread over the executor.

Both return :class:`xarray.Dataset` objects with a per-point ``status``
("computed", "resumed", "failed", "missing") and NaN where a point has no
value; :func:`save_dataset` writes them as netCDF and CSV.
"""

from __future__ import annotations

import contextlib
import json

import numpy as np

from .._io import folder_lock
from .._validation import check_positive_int, check_real
from ..analysis import SF_THRESHOLD
from ..model.linewidth import LinewidthModel, check_temperatures
from ..model.timescales import burst_window_ps
from .executor import PointStore, SweepError, SweepInterrupted, execute

__all__ = [
    "run_points",
    "dynamic_temperature_sweep",
    "thermal_sweep",
    "save_dataset",
    "SF_THRESHOLD",
    "burst_vanishing_temperature",
    "SweepError",
    "SweepInterrupted",
    "WINDOW_DELAYS",
]

#: the default window of :func:`dynamic_temperature_sweep` holds this many delay scales ln N / (N Gamma_c)
#: (:func:`~sf_dynamics.model.timescales.burst_window_ps`)
WINDOW_DELAYS = 8.0


def run_points(function, points, *, executor=None, progress=None, desc="sweep", labels=None, store=None):
    """Evaluate ``function(point)`` for every point, in order, and return the values.

    Parameters
    ----------
    function : callable
        A module-level (picklable) function of one argument.
    points : sequence
        The sweep points (picklable).
    executor : None, "serial", "processes", concurrent.futures.Executor, dask Client or str
        See :func:`sf_dynamics.workflows.executor.execute`.
    progress : bool or None
        Progress reporting (None: on an interactive terminal).
    labels : sequence of str, optional
        Names of the points in error messages.
    store : str or Path, optional
        Folder keeping every finished point (and resuming from it).

    Returns
    -------
    list
        ``[function(p) for p in points]``.

    Raises
    ------
    SweepError
        If points failed (after every other point finished and was stored);
        the message names the failing points and their errors.
    SweepInterrupted
        On Ctrl-C.
    FolderInUseError
        If another process is running a sweep on ``store``.
    """
    with _locked(store, "store"):
        run = execute(function, points, executor=executor, progress=progress, desc=desc, labels=labels,
                      store=store)
    if not run.complete:
        raise SweepError(run)
    return run.values


def _locked(folder, parameter):
    """The lock of a sweep's point folder while it runs (nothing to lock without one)."""
    folder = getattr(folder, "folder", folder)         # a PointStore or its folder
    return contextlib.nullcontext() if folder is None else folder_lock(folder, parameter=parameter)


def _run_stored(function, specs, *, out, resume, **kwargs):
    """Run the points with ``out`` (if any) locked as their store; without ``resume`` its old points go first."""
    with _locked(out, "out"):
        store = PointStore(out) if out is not None else None
        if store is not None and not resume:
            for old in store.folder.glob("point-*"):
                old.unlink()
        return execute(function, specs, store=store, **kwargs)


def _finish_dataset(ds, run, strict):
    """Attach the run's summary and failures to a Dataset; raise SweepError afterwards if asked."""
    ds.attrs["complete"] = int(run.complete)
    ds.attrs["summary"] = run.summary()
    if run.failures:
        ds.attrs["failures"] = json.dumps([{"label": f.label, "error": f.error} for f in run.failures])
    if strict and not run.complete:
        raise SweepError(run)
    return ds


# -- dynamic sweep ------------------------------------------------------------------
def _dynamic_point(spec):
    """One temperature of the dynamic sweep (module level: runs in worker processes)."""
    from .. import analysis
    from ..model import Ensemble, ProductState, Spectrum
    from ..model.linewidth import dephasing_rate
    from ..simulate import simulate
    from ..units import MEV_TO_RAD_PER_PS

    spec = dict(spec)
    spec["dephasing"] = float(dephasing_rate([spec["temperature"]], spec["linewidth"],
                                             radiative_rate=spec["radiative"])[0])

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
    p = spec.get("excitation", 1.0)
    res = simulate(ens, times, method=method, initial="excited" if p == 1.0 else ProductState(p),
                   **spec.get("options", {}))
    summary = analysis.burst_summary(res)
    return {
        "dephasing": spec["dephasing"],
        "tau_d": summary["tau_d"],
        "tau_sf": summary["tau_sf"],
        "peak": summary["peak"],
        "incoherent": summary["initial"],
        "peak_over_incoherent": summary["peak_over_initial"],
        "sf": summary["burst"],
        "intensity": res.intensity,
        "method": method,
        "seed": -1 if res.provenance.get("seed") is None else int(res.provenance["seed"]),   # -1: no random draws
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
                              window_ps=None, points=401, method="auto", excitation=1.0, executor=None, progress=None,
                              out=None, resume=True, strict=False, method_options=None):
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
        Homogeneous FWHM(T); default :class:`~sf_dynamics.model.linewidth.LinewidthModel`.
        Evaluated per temperature: a value that is NaN or negative fails that
        temperature only. Local processes and Dask need a picklable model
        (not a lambda).
    window_ps : float, optional
        Simulated window (ps); default 8 ln N / (N Gamma_c).
    points : int
        Output times.
    method : str
        "auto" (permutational / cumulant as above) or any method name.
    excitation : float
        Probability p that the pump left each emitter excited, (0, 1]: 1 starts fully inverted, below 1 from the
        product state p (:class:`~sf_dynamics.model.states.ProductState`; the burst test then compares the peak
        with the rate N p Gamma_1 of the same excitation). Ignored with ``lattice``, which starts inverted.
    executor, progress
        See :func:`sf_dynamics.workflows.executor.execute`.
    out : str or Path, optional
        Folder keeping every finished temperature as it completes
        (``out/point-*.npz``; failures in ``*.error.json``).
    resume : bool
        With ``out``: read temperatures already there instead of computing them
        (missing and failed ones are computed).
    strict : bool
        Raise :class:`~sf_dynamics.workflows.executor.SweepError` (after saving) when a
        temperature failed, instead of returning the partial Dataset.
    method_options : dict, optional
        Options of the method at every temperature (e.g. ``trajectories`` and ``seed`` of ``jumps``).

    Returns
    -------
    xarray.Dataset
        Variables on ``temperature``: ``dephasing`` (1/ps), ``tau_d``,
        ``tau_sf`` (ps; NaN where the burst has vanished), ``peak`` and
        ``incoherent`` (photons/ps), ``peak_over_incoherent``, ``sf`` (burst
        present: delayed maximum at least SF_THRESHOLD times the rate at
        excitation), ``status`` and ``intensity`` on (temperature, time).
        Failed or missing temperatures hold NaN. Attributes
        ``t_sf_vanishes_K`` (see :func:`burst_vanishing_temperature`, over
        the computed temperatures), ``complete``, ``summary``,
        ``failures`` and, for a sampling method, ``seed`` (the seed its
        shots were drawn from).

    Raises
    ------
    SweepInterrupted
        On Ctrl-C (finished temperatures are in ``out``).
    FolderInUseError
        If another process is running a sweep on ``out``.
    """
    import xarray as xr

    t = check_temperatures(temperatures_K)
    if t.size >= 2 and np.any(np.diff(t) <= 0):
        raise ValueError("temperatures_K must be strictly increasing")
    n = check_positive_int("n", n)
    check_real("collective_decay", collective_decay, low=0.0)
    check_real("decay", decay, low=0.0)
    check_real("inhomogeneous_fwhm_meV", inhomogeneous_fwhm_meV, low=0.0)
    points = check_positive_int("points", points, minimum=5)
    excitation = check_real("excitation", excitation, low=0.0, high=1.0, low_open=True)
    if method != "auto":
        from ..methods.registry import get_method

        get_method(method)          # an unknown name is refused here, not recorded as a failure at every point
    if lattice is not None:
        radiative = lattice.gamma
        count = lattice.n * lattice.dipoles_per_nc
        if window_ps is None:
            lam = float(np.linalg.eigvalsh(lattice.couplings()[0])[-1])
            window_ps = burst_window_ps(count, lam, factor=WINDOW_DELAYS)
    else:
        radiative = collective_decay + decay
        if window_ps is None:
            rate = n * collective_decay if collective_decay > 0 else max(decay, 1e-12)
            window_ps = burst_window_ps(n, rate, factor=WINDOW_DELAYS)
    window_ps = check_real("window_ps", window_ps, low=0.0, low_open=True)
    model = linewidth if linewidth is not None else LinewidthModel()
    specs = [
        dict(n=n, collective_decay=collective_decay, decay=decay, inhomogeneous_fwhm_meV=inhomogeneous_fwhm_meV,
             classes=classes, lattice=lattice, temperature=float(temp), linewidth=model, radiative=radiative,
             window_ps=window_ps, points=points, method=method, excitation=1.0 if lattice is not None else excitation,
             options=dict(method_options or {}))
        for temp in t
    ]
    run = _run_stored(_dynamic_point, specs, out=out, resume=resume, executor=executor, progress=progress,
                      desc="temperature sweep", labels=[f"T = {temp:g} K" for temp in t])
    times = np.linspace(0.0, window_ps, points)
    nan_row = {"dephasing": np.nan, "tau_d": np.nan, "tau_sf": np.nan, "peak": np.nan, "incoherent": np.nan,
               "peak_over_incoherent": np.nan, "sf": False, "intensity": np.full(points, np.nan), "method": ""}
    rows = [r if r is not None else nan_row for r in run.values]
    ratio = np.array([r["peak_over_incoherent"] for r in rows], dtype=float)
    done = np.isfinite(ratio)
    methods = [str(r["method"]) for r in rows if r["method"]]
    seeds = sorted({int(r.get("seed", -1)) for r in run.values if r is not None} - {-1})
    ds = xr.Dataset(
        {
            "dephasing": ("temperature", np.array([r["dephasing"] for r in rows], dtype=float), {"units": "1/ps"}),
            "tau_d": ("temperature", np.array([r["tau_d"] for r in rows], dtype=float), {"units": "ps"}),
            "tau_sf": ("temperature", np.array([r["tau_sf"] for r in rows], dtype=float), {"units": "ps"}),
            "peak": ("temperature", np.array([r["peak"] for r in rows], dtype=float), {"units": "photons/ps"}),
            "incoherent": ("temperature", np.array([r["incoherent"] for r in rows], dtype=float),
                           {"units": "photons/ps"}),
            "peak_over_incoherent": ("temperature", ratio),
            "sf": ("temperature", np.array([bool(r["sf"]) for r in rows], dtype=np.int8)),
            "intensity": (("temperature", "time"), np.array([r["intensity"] for r in rows], dtype=float),
                          {"units": "photons/ps"}),
        },
        coords={"temperature": ("temperature", t, {"units": "K"}), "time": ("time", times, {"units": "ps"})},
        attrs={
            "t_sf_vanishes_K": burst_vanishing_temperature(t[done], ratio[done]) if done.any() else float("nan"),
            "sf_threshold": SF_THRESHOLD,
            "n": n if lattice is None else lattice.n,
            "method": methods[0] if methods else method,
            "inhomogeneous_fwhm_meV": inhomogeneous_fwhm_meV,
            "excitation": excitation if lattice is None else 1.0,
            "collective_decay": float(collective_decay) if lattice is None else float("nan"),
            "decay": float(decay) if lattice is None else float("nan"),
            "window_ps": float(window_ps),
            **({"seed": seeds[0] if len(seeds) == 1 else json.dumps(seeds)} if seeds else {}),
        },
    )
    ds["status"] = ("temperature", np.array(run.status, dtype=str))
    return _finish_dataset(ds, run, strict)


# -- thermal-equilibrium sweep ---------------------------------------------------------
def _thermal_point(spec):
    from ..geometry import Superlattice
    from ..thermal import thermal_superradiance

    lat = Superlattice.build(spec["kind"], spec["size"], seed=spec["seed"], **spec["lattice"])
    curve = thermal_superradiance(lat, spec["temperatures"], route=spec["route"], seed=spec["seed"],
                                  **spec["route_options"])
    return {"enhancement": curve.enhancement, "sem": curve.sem, "coefficient": curve.high_t_coefficient}


def thermal_sweep(kind, size, temperatures_K, *, realizations=4, seed=0, route="dense", executor=None,
                  progress=None, route_options=None, out=None, resume=True, strict=False, **lattice_options):
    """Thermal-equilibrium enhancement of a superlattice, disorder realisations in parallel.

    Parameters
    ----------
    kind, size
        As for :meth:`sf_dynamics.geometry.lattice.Superlattice.build`.
    temperatures_K : array_like
        Temperatures (K).
    realizations : int
        Disorder realisations (seeds seed, seed + 1, ...).
    route : {"dense", "matrix-free"}
    executor, progress
        See :func:`sf_dynamics.workflows.executor.execute`.
    route_options : dict, optional
        Matrix-free options (probes, moments).
    out, resume, strict
        As for :func:`dynamic_temperature_sweep` (one point per realisation);
        the averages use the realisations that finished.
    **lattice_options
        Superlattice.build options (lattice_constant_nm, energy_disorder_meV, ...).

    Returns
    -------
    xarray.Dataset
        ``enhancement`` (mean), ``enhancement_sem`` and per-realisation values
        on ``temperature``; attributes: the characteristic temperatures of
        the mean curve (see :func:`sf_dynamics.thermal.characteristic_temperatures`),
        the high-T coefficient (K) and ``seed`` (realisation r used seed + r).

    Raises
    ------
    FolderInUseError
        If another process is running a sweep on ``out``.
    """
    import xarray as xr

    from ..thermal import characteristic_temperatures, combine_realizations

    t = check_temperatures(temperatures_K)
    realizations = check_positive_int("realizations", realizations)
    specs = [dict(kind=kind, size=size, seed=seed + r, lattice=lattice_options, temperatures=t, route=route,
                  route_options=route_options or {}) for r in range(realizations)]
    run = _run_stored(_thermal_point, specs, out=out, resume=resume, executor=executor, progress=progress,
                      desc="thermal sweep", labels=[f"realisation {r} (seed {seed + r})" for r in range(realizations)])
    rows = [r for r in run.values if r is not None]
    if not rows:
        raise SweepError(run)
    finished = len(rows)
    mean, sem = combine_realizations([r["enhancement"] for r in rows], [r["sem"] for r in rows])
    marks = characteristic_temperatures(t, mean)
    all_values = np.array([r["enhancement"] if r is not None else np.full(t.size, np.nan) for r in run.values])
    ds = xr.Dataset(
        {
            "enhancement": ("temperature", mean),
            "enhancement_sem": ("temperature", sem),
            "realization_enhancement": (("realization", "temperature"), all_values),
            "status": ("realization", np.array(run.status, dtype=str)),
        },
        coords={"temperature": ("temperature", t, {"units": "K"})},
        attrs={**{f"{k}": v for k, v in marks.items()},
               "high_t_coefficient_K": float(np.mean([r["coefficient"] for r in rows])),
               "kind": kind, "size": str(size), "route": route, "realizations_finished": finished, "seed": seed,
               **{k: v for k, v in lattice_options.items() if isinstance(v, (int, float, str))}},
    )
    return _finish_dataset(ds, run, strict)


def save_dataset(dataset, path_stem, *, overwrite=False, **fields):
    """Write ``<stem>.nc`` (netCDF) and ``<stem>.csv`` (1-D variables) atomically, with provenance.

    See :func:`sf_dynamics._io.save_dataset`; ``fields`` (method, options,
    seed, ...) are recorded beside the package version and date.
    """
    from .._io import save_dataset as _save

    return _save(dataset, path_stem, overwrite=overwrite, **fields)
