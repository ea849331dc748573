"""Record and compare the numeric outputs and wall times of every method, to prove a refactoring changed nothing.

A fixed set of small problems (:data:`CASES`) runs through the public front doors only --
:func:`sf_dynamics.simulate`, :func:`sf_dynamics.spectra.first_order`,
:func:`sf_dynamics.statistics.second_order` and :func:`sf_dynamics.statistics.photon_counts` -- with
explicit seeds for every sampling method, so that two runs of the same code give the same arrays bit for
bit. ``record`` saves every numeric output of every case to an ``.npz`` file, with the wall time of each
run of each case; ``compare`` checks a later recording against an earlier one, array by array.

What is recorded, under keys ``<case>/<name>``:

* a :class:`~sf_dynamics.Result`: ``times``, ``intensity``, ``excitation``, ``data/<key>`` for every
  numeric array of ``result.data`` and ``info/<key>`` for every entry of ``result.info`` that is a number
  or a numeric array (the per-shot arrays of the sampling methods, such as ``shot_delays``, included);
* an :class:`xarray.Dataset`: ``var/<name>`` for every data variable, ``coord/<name>`` for every numeric
  coordinate and ``attr/<name>`` for every numeric attribute.

Strings are never recorded, nor wall-clock timings: an info or attribute entry is taken for one, and
skipped, when its key contains ``wall``, ``elapsed`` or ``seconds``, or contains ``time`` and its value is
a scalar (``shot_half_times``, an array, is kept). Besides the arrays, the file holds
``__time__/<case>`` (the wall time of each of the ``--repeat`` runs of the front-door call, s; the system
is built outside the timed region), ``__error__/<case>`` for a case that raised (its arrays are then
absent) and ``__meta__/<name>`` (package location, git commit, versions, date).

``compare`` prints, per case, the number of arrays, how many are bit-identical (same dtype, shape and
bytes), the largest relative difference max|a - b| / max(max|a|, tiny) over its arrays (NaN equals NaN;
a changed shape or NaN pattern counts as infinite), the best wall time before and after and their
ratio. It exits with status 1 when an array of BEFORE differs by more than ``--rtol`` (default 1e-12)
or is missing in AFTER; keys found only in AFTER are listed (new outputs are allowed) and do not fail.
Wall times are reported, not judged, unless ``--fail-slower`` is given.

Usage
-----
Record a baseline from a pinned commit (a git worktree, so that edits in the working tree cannot
reach it), then the working tree, and compare::

    git worktree add /tmp/sf_baseline <commit>
    cd /tmp && PYTHONPATH=/tmp/sf_baseline python /work/main/benchmarks/compare_results.py \\
        record /tmp/baseline.npz --repeat 2
    python benchmarks/compare_results.py record /tmp/after.npz --repeat 2
    python benchmarks/compare_results.py compare /tmp/baseline.npz /tmp/after.npz

``record`` prints the location of the imported package first; check that it is the intended tree
(``--package-root DIR`` puts DIR first on ``sys.path``). ``list`` prints the cases; ``record --only
CASE ...`` records some of them.

The arrays do not depend on the load of the machine; the wall times do, by far more than 5 % on a shared
machine. For a speed verdict record BEFORE and AFTER back to back under the same load (re-record the
baseline from its worktree: its arrays must still equal the first baseline's), with ``--repeat 5`` or
more, and read the ratios of the cases that take 0.1 s or more; ``--fail-slower 0.05`` makes a slower
case fail.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import os
import platform
import subprocess
import sys
import time
import warnings
from collections.abc import Callable

import numpy as np

__all__ = [
    "CASES",
    "case",
    "flatten",
    "run_case",
    "record",
    "load",
    "relative_difference",
    "bit_identical",
    "compare",
    "main",
]

#: relative tolerance of ``compare`` (max|a - b| / max|a| per array)
RTOL = 1e-12
#: name -> setup function; a setup builds the system and returns the zero-argument front-door call to time
CASES: dict[str, Callable[[], Callable[[], object]]] = {}
_WALL_CLOCK_WORDS = ("wall", "elapsed", "seconds")
_TINY = np.finfo(float).tiny


def case(function):
    """Register a case under the function's name (the order of registration is the order of the runs)."""
    CASES[function.__name__] = function
    return function


# ---------------------------------------------------------------------------------------------------------------
# systems (built outside the timed region)


def _sf():
    import sf_dynamics

    return sf_dynamics


def _small_detuned():
    """Four two-level emitters with different detunings, collective and local decay, dephasing."""
    return _sf().Ensemble(4, collective_decay=1.0, decay=0.1, dephasing=0.2, detunings=[0.0, 0.4, -0.3, 0.8])


def _identical(n):
    """n identical emitters: collective decay 1, local decay 0.1, dephasing 0.5 (1/ps)."""
    return _sf().Ensemble(n, collective_decay=1.0, decay=0.1, dephasing=0.5)


def _broad():
    """2000 emitters, a Gaussian line of FWHM 0.5 rad/ps in 31 spectral classes."""
    sf = _sf()
    return sf.Ensemble(2000, collective_decay=1e-3, dephasing=0.05, spectrum=sf.Spectrum.gaussian(0.5, classes=31))


def _cubic(side, spacing):
    """Positions (units of the wavelength) of a side^3 cubic lattice."""
    axis = spacing * np.arange(side)
    return np.stack(np.meshgrid(axis, axis, axis, indexing="ij"), -1).reshape(-1, 3)


def _lattice(side, spacing=0.1, dephasing=0.05):
    """side^3 dipoles along z on a cubic lattice, free-space Green's-tensor Gamma and Omega (gamma = 1/ps)."""
    sf = _sf()
    pos = _cubic(side, spacing)
    g, w = sf.geometry.green_couplings(pos, np.tile([0.0, 0.0, 1.0], (len(pos), 1)), wavelength=1.0, gamma=1.0)
    return sf.Ensemble(len(pos), gamma_matrix=g, omega_matrix=w, dephasing=dephasing), pos


def _chain(n=5, spacing=0.15):
    """n dipoles along z in a chain along x, Green's-tensor couplings, detunings and dephasing."""
    sf = _sf()
    pos = np.zeros((n, 3))
    pos[:, 0] = spacing * np.arange(n)
    dipoles = np.tile([0.0, 0.0, 1.0], (n, 1))
    g, w = sf.geometry.green_couplings(pos, dipoles, wavelength=1.0, gamma=1.0)
    ens = sf.Ensemble(n, gamma_matrix=g, omega_matrix=w, dephasing=0.1, detunings=0.1 * np.arange(n))
    return ens, pos, dipoles


def _nanocrystals(positions):
    """Triplet nanocrystals at ``positions`` (units of the wavelength), fine structure 0, 0.3, 0.6 rad/ps."""
    return _sf().geometry.nanocrystals_at(positions, wavelength=1.0, gamma=1.0, dephasing=0.1,
                                         fine_structure=(0.0, 0.3, 0.6))


def _slab():
    """A slab of 10^4 emitters in 10 slices: forward rate 10^-3, other modes 10^-2, dephasing 10^-2 (1/ps)."""
    return _sf().Slab(1e4, 1e-3, decay=1e-2, dephasing=1e-2, slices=10)


def _quiet(**options):
    return {"progress": False, **options}


# ---------------------------------------------------------------------------------------------------------------
# cases: sf.simulate, one or more per method


@case
def sim_dicke():
    sf = _sf()
    ens = sf.Ensemble(50, collective_decay=1.0)
    times = np.linspace(0.0, 0.4, 201)
    return lambda: sf.simulate(ens, times, method="dicke", **_quiet())


@case
def sim_dicke_css_offset():
    sf = _sf()
    ens = sf.Ensemble(50, collective_decay=1.0)
    times = np.linspace(0.02, 0.4, 96)   # does not start at 0: the front door integrates from 0
    state = sf.CoherentSpinState(0.5, 0.2)
    return lambda: sf.simulate(ens, times, method="dicke", initial=state, **_quiet())


@case
def sim_permutational():
    sf = _sf()
    ens = sf.Ensemble(10, collective_decay=1.0, decay=0.1, dephasing=0.5, pumping=0.05)
    times = np.linspace(0.0, 3.0, 151)
    return lambda: sf.simulate(ens, times, method="permutational", **_quiet())


@case
def sim_permutational_css():
    sf = _sf()
    ens = _identical(10)
    times = np.linspace(0.0, 3.0, 151)
    state = sf.CoherentSpinState(0.7, 0.3)
    return lambda: sf.simulate(ens, times, method="permutational", initial=state, **_quiet())


@case
def sim_permutational_product():
    sf = _sf()
    ens = _identical(10)
    times = np.linspace(0.0, 3.0, 151)
    state = sf.ProductState(0.8)
    return lambda: sf.simulate(ens, times, method="permutational", initial=state, **_quiet())


@case
def sim_permutational_large():
    sf = _sf()
    ens = _identical(100)
    times = np.linspace(0.0, 5 * np.log(100) / 100, 201)
    return lambda: sf.simulate(ens, times, method="permutational", **_quiet())


@case
def sim_exact():
    sf = _sf()
    ens = _small_detuned()
    times = np.linspace(0.0, 6.0, 61)
    return lambda: sf.simulate(ens, times, method="exact", **_quiet())


@case
def sim_exact_geometry_offset():
    sf = _sf()
    ens, _, _ = _chain()
    times = np.linspace(0.5, 8.0, 76)   # does not start at 0
    return lambda: sf.simulate(ens, times, method="exact", **_quiet())


@case
def sim_exact_nanocrystals():
    sf = _sf()
    ncs = _nanocrystals([[0.0, 0.0, 0.0], [0.2, 0.0, 0.0]])
    times = np.linspace(0.0, 5.0, 51)
    return lambda: sf.simulate(ncs, times, method="exact", **_quiet())


@case
def sim_cumulant_classes():
    sf = _sf()
    ens = _broad()
    times = np.linspace(0.0, 20.0, 201)
    return lambda: sf.simulate(ens, times, method="cumulant", **_quiet())


@case
def sim_cumulant_geometry():
    sf = _sf()
    ens, _ = _lattice(3)
    times = np.linspace(0.0, 10.0, 101)
    return lambda: sf.simulate(ens, times, method="cumulant", **_quiet())


@case
def sim_cumulant_nanocrystals():
    sf = _sf()
    ncs = _nanocrystals(_cubic(2, 0.1))
    times = np.linspace(0.0, 8.0, 81)
    return lambda: sf.simulate(ncs, times, method="cumulant", **_quiet())


@case
def sim_meanfield_classes():
    sf = _sf()
    ens = _broad()
    times = np.linspace(0.0, 20.0, 201)
    return lambda: sf.simulate(ens, times, method="meanfield", **_quiet())


@case
def sim_meanfield_geometry():
    sf = _sf()
    ens, _ = _lattice(3)
    times = np.linspace(0.0, 10.0, 101)
    return lambda: sf.simulate(ens, times, method="meanfield", **_quiet())


@case
def sim_twa():
    sf = _sf()
    ens = _identical(200)
    times = np.linspace(0.0, 0.2, 101)
    return lambda: sf.simulate(ens, times, method="twa", trajectories=256, seed=1, **_quiet())


@case
def sim_twa_geometry():
    sf = _sf()
    ens, _ = _lattice(3, spacing=0.3, dephasing=0.1)   # 27 dipoles (twa warns below 50); closer is far slower
    times = np.linspace(0.0, 2.0, 81)
    return lambda: sf.simulate(ens, times, method="twa", trajectories=256, seed=2, **_quiet())


@case
def sim_jumps():
    sf = _sf()
    ens = _identical(20)
    times = np.linspace(0.0, 1.5, 151)
    return lambda: sf.simulate(ens, times, method="jumps", trajectories=1000, seed=1, **_quiet())


@case
def sim_maxwell_bloch_noise():
    sf = _sf()
    slab = _slab()
    times = np.linspace(0.0, 5.0, 101)
    return lambda: sf.simulate(slab, times, method="maxwell_bloch", initiation="noise", trajectories=8, seed=1,
                               **_quiet())


@case
def sim_maxwell_bloch_tipping():
    sf = _sf()
    slab = _slab()
    times = np.linspace(0.0, 5.0, 101)
    return lambda: sf.simulate(slab, times, method="maxwell_bloch", initiation="tipping", **_quiet())


# ---------------------------------------------------------------------------------------------------------------
# cases: first-order correlations G1(t, tau)


@case
def g1_permutational():
    sf = _sf()
    ens = _identical(10)
    times, taus = np.linspace(0.0, 1.5, 16), np.linspace(0.0, 6.0, 121)
    return lambda: sf.spectra.first_order(ens, times, taus, method="permutational", detector="collective",
                                          **_quiet())


@case
def g1_permutational_offset():
    sf = _sf()
    ens = _identical(10)
    times, taus = np.linspace(0.1, 1.5, 15), np.linspace(0.0, 6.0, 121)   # times do not start at 0
    return lambda: sf.spectra.first_order(ens, times, taus, method="permutational", detector="collective",
                                          **_quiet())


@case
def g1_exact():
    sf = _sf()
    ens = _small_detuned()
    times, taus = np.linspace(0.0, 3.0, 11), np.linspace(0.0, 10.0, 101)
    return lambda: sf.spectra.first_order(ens, times, taus, method="exact", detector="total", **_quiet())


@case
def g1_exact_farfield():
    sf = _sf()
    ens, pos, dipoles = _chain()
    detector = sf.spectra.FarField(direction=[0.0, 1.0, 0.0], polarization=[0.0, 0.0, 1.0], positions=pos,
                                   wavelength=1.0, dipoles=dipoles)
    times, taus = np.linspace(0.0, 3.0, 11), np.linspace(0.0, 10.0, 101)
    return lambda: sf.spectra.first_order(ens, times, taus, method="exact", detector=detector, **_quiet())


@case
def g1_cumulant_classes():
    sf = _sf()
    ens = sf.Ensemble(200, collective_decay=0.01, dephasing=0.2, spectrum=sf.Spectrum.gaussian(0.3, classes=11))
    times, taus = np.linspace(0.0, 6.0, 7), np.linspace(0.0, 20.0, 101)
    return lambda: sf.spectra.first_order(ens, times, taus, method="cumulant", detector="total", **_quiet())


@case
def g1_cumulant_geometry():
    sf = _sf()
    ens, _ = _lattice(2, dephasing=0.2)
    times, taus = np.linspace(0.0, 4.0, 5), np.linspace(0.0, 15.0, 76)
    return lambda: sf.spectra.first_order(ens, times, taus, method="cumulant", detector="total", **_quiet())


@case
def g1_twa():
    sf = _sf()
    ens = _identical(200)
    grid = np.linspace(0.0, 0.15, 31)
    return lambda: sf.spectra.first_order(ens, grid, grid, method="twa", detector="collective", trajectories=128,
                                          seed=1, **_quiet())


@case
def g1_maxwell_bloch():
    sf = _sf()
    slab = _slab()
    times, taus = np.linspace(0.0, 4.0, 21), np.linspace(0.0, 4.0, 41)
    return lambda: sf.spectra.first_order(slab, times, taus, method="maxwell_bloch", detector="forward",
                                          trajectories=8, seed=1, **_quiet())


# ---------------------------------------------------------------------------------------------------------------
# cases: second-order correlations G2(t, tau)


@case
def g2_permutational():
    sf = _sf()
    ens = _identical(10)
    times, taus = np.linspace(0.0, 1.5, 16), np.linspace(0.0, 2.0, 41)
    return lambda: sf.statistics.second_order(ens, times, taus, method="permutational", detector="collective",
                                              **_quiet())


@case
def g2_exact_offset():
    sf = _sf()
    ens = _small_detuned()
    times, taus = np.linspace(0.2, 3.0, 8), np.linspace(0.0, 4.0, 41)   # times do not start at 0
    return lambda: sf.statistics.second_order(ens, times, taus, method="exact", detector="total", **_quiet())


# ---------------------------------------------------------------------------------------------------------------
# cases: photons per pulse


@case
def counts_permutational():
    sf = _sf()
    ens = _identical(20)
    times = np.linspace(0.0, 3.0, 31)
    return lambda: sf.statistics.photon_counts(ens, times, method="permutational", efficiency=0.8,
                                               local_efficiency=0.1, **_quiet())


@case
def counts_permutational_offset():
    sf = _sf()
    ens = _identical(20)
    times = np.linspace(0.3, 3.0, 28)   # does not start at 0
    return lambda: sf.statistics.photon_counts(ens, times, method="permutational", efficiency=0.8,
                                               local_efficiency=0.1, **_quiet())


@case
def counts_exact():
    sf = _sf()
    ens = _small_detuned()
    times = np.linspace(0.0, 6.0, 31)
    return lambda: sf.statistics.photon_counts(ens, times, method="exact", efficiency=0.7, local_efficiency=0.2,
                                               **_quiet())


@case
def counts_jumps():
    sf = _sf()
    ens = _identical(20)
    times = np.linspace(0.0, 3.0, 61)
    return lambda: sf.statistics.photon_counts(ens, times, method="jumps", efficiency=0.8, local_efficiency=0.1,
                                               trajectories=1000, seed=1, **_quiet())


@case
def counts_twa():
    sf = _sf()
    ens = _identical(200)
    times = np.linspace(0.0, 0.3, 61)
    return lambda: sf.statistics.photon_counts(ens, times, method="twa", efficiency=0.5, local_efficiency=0.5,
                                               trajectories=256, seed=1, **_quiet())


# ---------------------------------------------------------------------------------------------------------------
# recording


def _is_numeric(value) -> bool:
    if isinstance(value, (bool, int, float, complex, np.bool_, np.number)):
        return True
    return isinstance(value, np.ndarray) and value.dtype.kind in "biufc"


def _is_wall_clock(key: str, value) -> bool:
    """Whether an info or attribute entry is a wall-clock timing (never compared: it changes run to run)."""
    low = key.lower()
    return any(word in low for word in _WALL_CLOCK_WORDS) or ("time" in low and np.ndim(value) == 0)


def _numeric_entries(mapping, prefix, out, skipped):
    for key, value in mapping.items():
        if not _is_numeric(value):
            continue
        if _is_wall_clock(str(key), value):
            skipped.append(f"{prefix}{key}")
            continue
        out[f"{prefix}{key}"] = np.array(value)


def flatten(output) -> tuple[dict[str, np.ndarray], list[str]]:
    """Every numeric output of a Result or xarray Dataset, by name; and the names skipped as wall-clock timings."""
    arrays: dict[str, np.ndarray] = {}
    skipped: list[str] = []
    if hasattr(output, "data_vars"):   # xarray.Dataset
        for name, variable in output.data_vars.items():
            arrays[f"var/{name}"] = np.array(variable.values)
        for name, coord in output.coords.items():
            values = np.array(coord.values)
            if values.dtype.kind in "biufc":
                arrays[f"coord/{name}"] = values
        _numeric_entries(output.attrs, "attr/", arrays, skipped)
        return arrays, skipped
    for name in ("times", "intensity", "excitation"):
        arrays[name] = np.array(getattr(output, name))
    for name, value in (output.data or {}).items():
        values = np.asarray(value)
        if values.dtype.kind in "biufc":
            arrays[f"data/{name}"] = np.array(values)
    _numeric_entries(output.info or {}, "info/", arrays, skipped)
    return arrays, skipped


def _same(first: dict, second: dict) -> bool:
    return first.keys() == second.keys() and all(bit_identical(first[k], second[k]) for k in first)


def run_case(name: str, repeat: int = 1):
    """Run case ``name`` ``repeat`` times; return its arrays (last run), wall times, skipped keys, warnings and
    whether every run gave the same arrays bit for bit."""
    call = CASES[name]()
    times, arrays, reproducible, caught = [], None, True, []
    for _ in range(repeat):
        gc.collect()
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            start = time.perf_counter()
            output = call()
            times.append(time.perf_counter() - start)
        caught = sorted({f"{w.category.__name__}: {str(w.message)[:100]}" for w in seen})
        current, skipped = flatten(output)
        if arrays is not None and not _same(arrays, current):
            reproducible = False
        arrays = current
    return arrays, np.array(times), skipped, caught, reproducible


def _git_commit(path: str) -> tuple[str, str]:
    """Commit of the git tree holding ``path`` and whether its package folder has uncommitted changes."""
    try:
        commit = subprocess.run(["git", "-C", path, "rev-parse", "HEAD"], capture_output=True, text=True,
                                check=True, timeout=30).stdout.strip()
        dirty = subprocess.run(["git", "-C", path, "status", "--porcelain", "--", "."], capture_output=True,
                               text=True, check=True, timeout=30).stdout.strip()
        return commit, "dirty" if dirty else "clean"
    except (OSError, subprocess.SubprocessError):
        return "unknown", "unknown"


def _meta(repeat: int) -> dict[str, str]:
    import scipy

    sf = _sf()
    package = os.path.dirname(os.path.abspath(sf.__file__))
    commit, state = _git_commit(package)
    versions = {"numpy": np.__version__, "scipy": scipy.__version__}
    for module in ("numba", "xarray", "qutip"):
        try:
            versions[module] = __import__(module).__version__
        except ImportError:
            versions[module] = "absent"
    return {"package": package, "version": getattr(sf, "__version__", "?"), "commit": commit,
            "package_tree": state, "repeat": str(repeat),
            "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "python": platform.python_version(), "machine": f"{platform.machine()} {os.cpu_count()} cores",
            **versions}


def record(path: str, repeat: int = 1, only=None) -> int:
    """Run the cases and save their arrays and wall times to ``path`` (.npz); return the number of failed cases."""
    names = list(CASES) if not only else list(only)
    unknown = sorted(set(names) - set(CASES))
    if unknown:
        raise SystemExit(f"unknown case(s) {unknown}; `list` prints them")
    meta = _meta(repeat)
    print(f"sf_dynamics {meta['version']} from {meta['package']} (commit {meta['commit']}, "
          f"{meta['package_tree']}); best of {repeat}", flush=True)
    store: dict[str, np.ndarray] = {f"__meta__/{k}": np.array(v) for k, v in meta.items()}
    failed, total = 0, 0.0
    print(f"{'case':32s} {'arrays':>6s} {'best (s)':>9s} {'runs (s)':>20s}  notes", flush=True)
    for name in names:
        try:
            arrays, times, skipped, caught, reproducible = run_case(name, repeat)
        except Exception as error:   # recorded, so that compare reports the case's arrays as missing
            failed += 1
            store[f"__error__/{name}"] = np.array(f"{type(error).__name__}: {error}")
            print(f"{name:32s} ERROR {type(error).__name__}: {error}", flush=True)
            continue
        store.update({f"{name}/{key}": value for key, value in arrays.items()})
        store[f"__time__/{name}"] = times
        total += times.min()
        notes = [] if reproducible else ["NOT REPRODUCIBLE between runs"]
        notes += [f"skipped {', '.join(skipped)}"] if skipped else []
        notes += [f"warned {len(caught)}x: {caught[0]}"] if caught else []
        runs = " ".join(f"{t:.3f}" for t in times)
        print(f"{name:32s} {len(arrays):6d} {times.min():9.3f} {runs:>20s}  {'; '.join(notes)}", flush=True)
    print(f"{len(names) - failed} of {len(names)} cases recorded, {total:.1f} s (sum of best times) -> {path}")
    np.savez_compressed(path, **store)
    return failed


# ---------------------------------------------------------------------------------------------------------------
# comparing


def load(path: str) -> dict[str, np.ndarray]:
    """All arrays of a recording, by key."""
    with np.load(path, allow_pickle=False) as data:
        return {key: data[key] for key in data.files}


def bit_identical(a, b) -> bool:
    """Same dtype, shape and bytes."""
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def relative_difference(before, after) -> float:
    """max|before - after| / max(max|before|, tiny); NaN equals NaN; inf for a changed shape or NaN pattern."""
    a, b = np.asarray(before), np.asarray(after)
    if a.shape != b.shape:
        return float("inf")
    if a.size == 0:
        return 0.0
    kind = np.complex128 if "c" in (a.dtype.kind, b.dtype.kind) else np.float64
    a, b = a.astype(kind), b.astype(kind)
    nan_a, nan_b = np.isnan(a), np.isnan(b)
    if np.any(nan_a != nan_b):
        return float("inf")
    with np.errstate(invalid="ignore", over="ignore"):
        equal = (a == b) | nan_a
        if np.all(equal):
            return 0.0
        diff = np.abs(a[~equal] - b[~equal])
        if not np.all(np.isfinite(diff)):
            return float("inf")
        finite = np.abs(a[np.isfinite(a)])
        scale = finite.max() if finite.size else 0.0
        return float(diff.max() / max(scale, _TINY))


def _why(before, after) -> str:
    """What changed beyond the values: shape, dtype or NaN pattern (empty if nothing)."""
    if before.shape != after.shape:
        return f" (shape {before.shape} -> {after.shape})"
    notes = [] if before.dtype == after.dtype else [f"dtype {before.dtype} -> {after.dtype}"]
    if before.dtype.kind in "fc" and after.dtype.kind in "fc" and np.any(np.isnan(before) != np.isnan(after)):
        notes.append(f"NaN at {int(np.sum(np.isnan(before) != np.isnan(after)))} more or fewer places")
    return f" ({', '.join(notes)})" if notes else ""


def _cases_of(data: dict) -> dict[str, list[str]]:
    """Case -> its array names (without the case prefix), in recorded order."""
    cases: dict[str, list[str]] = {}
    for key in data:
        head, _, rest = key.partition("/")
        if head.startswith("__"):
            if head in ("__time__", "__error__"):
                cases.setdefault(rest, [])
            continue
        cases.setdefault(head, []).append(rest)
    return cases


def _best(data, name):
    times = data.get(f"__time__/{name}")
    return float(np.min(times)) if times is not None and times.size else float("nan")


def compare(before_path: str, after_path: str, rtol: float = RTOL, slower: float | None = None) -> int:
    """Print the table comparing two recordings; return 1 if an array differs beyond ``rtol`` or is missing.

    With ``slower`` (e.g. 0.05) a case whose best time grew by more than that fraction also fails.
    """
    before, after = load(before_path), load(after_path)
    for label, data, path in (("before", before, before_path), ("after", after, after_path)):
        meta = {k.split("/", 1)[1]: str(v) for k, v in data.items() if k.startswith("__meta__/")}
        print(f"{label:6s} {path}: sf_dynamics {meta.get('version', '?')} from {meta.get('package', '?')}, "
              f"commit {meta.get('commit', '?')[:12]} ({meta.get('package_tree', '?')}), "
              f"best of {meta.get('repeat', '?')}, {meta.get('created', '?')}")
    cases_before, cases_after = _cases_of(before), _cases_of(after)
    header = (f"{'case':32s} {'arrays':>6s} {'identical':>9s} {'max rel diff':>12s} {'before (s)':>10s} "
              f"{'after (s)':>10s} {'ratio':>6s}")
    print(header)
    print("-" * len(header))
    failures, added, slow = [], [], []
    n_arrays = n_identical = 0
    worst = 0.0
    sum_before = sum_after = 0.0
    for name in list(cases_before) + [c for c in cases_after if c not in cases_before]:
        keys_before, keys_after = cases_before.get(name, []), cases_after.get(name, [])
        for where, data in (("before", before), ("after", after)):
            if f"__error__/{name}" in data:
                failures.append(f"{name}: raised {where}: {data[f'__error__/{name}']}")
        identical, largest = 0, 0.0
        for key in keys_before:
            full = f"{name}/{key}"
            if full not in after:
                failures.append(f"{full}: missing in AFTER")
                largest = float("inf")
                continue
            same = bit_identical(before[full], after[full])
            identical += same
            rel = 0.0 if same else relative_difference(before[full], after[full])
            if rel > rtol:
                failures.append(f"{full}: relative difference {rel:.3g}{_why(before[full], after[full])}")
            largest = max(largest, rel)
        added += [f"{name}/{key}" for key in keys_after if key not in set(keys_before)]
        t_before, t_after = _best(before, name), _best(after, name)
        ratio = t_after / t_before if t_before > 0 else float("nan")
        if name in cases_before and np.isfinite(t_before) and np.isfinite(t_after):
            sum_before, sum_after = sum_before + t_before, sum_after + t_after
        if slower is not None and ratio > 1.0 + slower:
            slow.append(f"{name}: {ratio:.3f}x")
        n_arrays, n_identical, worst = n_arrays + len(keys_before), n_identical + identical, max(worst, largest)
        shown = "new" if not keys_before else f"{largest:12.3g}"
        print(f"{name:32s} {len(keys_before):6d} {identical:9d} {shown:>12s} {t_before:10.3f} {t_after:10.3f} "
              f"{ratio:6.3f}")
    if added:
        print(f"\nnew in AFTER (allowed, {len(added)}):")
        for key in added:
            print(f"  {key}")
    if failures:
        print(f"\nfailures ({len(failures)}):")
        for line in failures:
            print(f"  {line}")
    if slow:
        print(f"\nslower than {1 + slower:.2f}x ({len(slow)}):")
        for line in slow:
            print(f"  {line}")
    total_ratio = sum_after / sum_before if sum_before > 0 else float("nan")
    verdict = "FAIL" if failures or slow else "PASS"
    print(f"\n{verdict}: {len(cases_before)} cases, {n_arrays} arrays, {n_identical} bit-identical, largest relative "
          f"difference {worst:.3g} (tolerance {rtol:g}), {len(failures)} failure(s), {len(added)} new key(s); "
          f"total best time {sum_before:.2f} s -> {sum_after:.2f} s (ratio {total_ratio:.3f})")
    return 1 if failures or slow else 0


# ---------------------------------------------------------------------------------------------------------------
# command line


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    rec = sub.add_parser("record", help="run the cases and save their outputs and wall times")
    rec.add_argument("out", help="output file (.npz)")
    rec.add_argument("--repeat", type=int, default=2, help="runs per case; the best wall time is compared "
                                                           "(default 2)")
    rec.add_argument("--only", nargs="+", metavar="CASE", help="record these cases only")
    rec.add_argument("--package-root", metavar="DIR", help="import sf_dynamics from DIR (put first on sys.path)")
    cmp = sub.add_parser("compare", help="compare two recordings; exit status 1 on a difference")
    cmp.add_argument("before")
    cmp.add_argument("after")
    cmp.add_argument("--rtol", type=float, default=RTOL, help=f"relative tolerance per array (default {RTOL:g})")
    cmp.add_argument("--fail-slower", type=float, default=None, metavar="FRACTION",
                     help="also fail when a case's best time grew by more than FRACTION (e.g. 0.05)")
    sub.add_parser("list", help="print the cases")
    args = parser.parse_args(argv)
    if args.command == "list":
        for name in CASES:
            print(name)
        return 0
    if args.command == "compare":
        return compare(args.before, args.after, rtol=args.rtol, slower=args.fail_slower)
    if args.repeat < 1:
        parser.error("--repeat must be >= 1")
    if args.package_root:
        sys.path.insert(0, os.path.abspath(args.package_root))
    return 1 if record(args.out, repeat=args.repeat, only=args.only) else 0


if __name__ == "__main__":
    sys.exit(main())
