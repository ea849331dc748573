"""Writes that cannot crash or mix: a full disk, an unwritable folder, two runs on one folder, killed runs, and
the provenance every written file carries.

Fault scenarios run in subprocesses: a file-size limit (RLIMIT_FSIZE, with SIGXFSZ ignored so that a write past
it fails with EFBIG as on a full disk) and SIGKILL at a chosen point of a run. Each case asserts a clear error
naming the file or the option, or the exact files expected (compared byte for byte with the earlier run's).
"""

import datetime
import importlib
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from sf_dynamics import Result, __version__
from sf_dynamics._io import (
    LOCK_NAME,
    FolderInUseError,
    clean_stale_partials,
    output_folder,
    write_text,
)
from sf_dynamics.cli import main

SIMULATE = ["simulate", "--n", "10", "--collective-decay", "0.5", "--points", "21"]


def python(code, *args, timeout=300):
    """Run ``code`` in a fresh interpreter; its CompletedProcess."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code), *map(str, args)], capture_output=True,
                          text=True, timeout=timeout, env=env)


def start(code, *args):
    """Start ``code`` in a fresh interpreter and wait for its first line on stdout (it says it got there)."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    proc = subprocess.Popen([sys.executable, "-c", textwrap.dedent(code), *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    line = proc.stdout.readline()
    if not line:
        proc.wait(timeout=60)
        raise AssertionError(f"the helper process ended early: {proc.stderr.read()[-2000:]}")
    return proc, line.strip()


def contents(folder):
    """The visible files of a folder and their bytes."""
    return {p.name: p.read_bytes() for p in Path(folder).iterdir() if p.is_file() and not p.name.startswith(".")}


def hidden(folder):
    return sorted(p.name for p in Path(folder).iterdir() if p.name.startswith("."))


# -- a full disk -----------------------------------------------------------------------------------------------------
DISK_FULL = """
    import gc, json, resource, signal, sys
    from pathlib import Path
    import numpy as np, xarray as xr
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sf_dynamics import Result
    from sf_dynamics._io import save_figure, write_text
    from sf_dynamics.workflows.sweep import save_dataset

    folder = Path(sys.argv[1])
    t = np.linspace(0.0, 10.0, 4000)
    res = Result(t, np.sin(t) ** 2, np.cos(t) ** 2, "permutational", {"n": 10}, data={"coherence": np.sin(t)})
    ds = xr.Dataset({"intensity": ("time", np.sin(t) ** 2)}, coords={"time": t})
    fig = plt.figure(figsize=(8, 6))
    plt.plot(t, np.sin(t))
    small = Result([0.0, 1.0], [1.0, 0.5], [1.0, 0.4], "permutational", {"n": 2})    # the earlier files
    small.save(folder / "result.nc")
    small.to_csv(folder / "result.csv")
    save_dataset(ds.isel(time=slice(0, 3)), folder / "sweep")
    write_text(folder / "notes.txt", "earlier")
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)     # past the limit a write fails with EFBIG instead of killing
    resource.setrlimit(resource.RLIMIT_FSIZE, (16384, 16384))
    writes = {"result.nc": lambda: res.save(folder / "result.nc", overwrite=True),
              "result.csv": lambda: res.to_csv(folder / "result.csv", overwrite=True),
              "sweep.nc": lambda: save_dataset(ds, folder / "sweep", overwrite=True),
              "figure.png": lambda: save_figure(fig, folder / "figure.png", dpi=300),
              "notes.txt": lambda: write_text(folder / "notes.txt", "x" * 100000, overwrite=True)}
    outcome = {}
    for name, write in writes.items():
        try:
            write()
            outcome[name] = "written"
        except OSError as exc:
            outcome[name] = str(exc)
        gc.collect()                  # a failed HDF5 file used to crash here, when its store was collected
    print(json.dumps(outcome))
"""


def test_a_full_disk_raises_names_the_file_leaves_nothing_and_the_process_lives(tmp_path):
    """Every writer (Result netCDF and CSV, the sweep's netCDF + CSV pair, a figure, a text file) at a file-size
    limit: OSError naming the file, the earlier file of that name unchanged, no temporary, exit code 0 (it was a
    segmentation fault after "File too large" for netCDF)."""
    proc = python(DISK_FULL, tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    outcome = json.loads(proc.stdout.splitlines()[-1])
    for name, message in outcome.items():
        assert f"could not write '{tmp_path / name}'" in message and "File too large" in message, (name, message)
    # only the earlier files, as they were: the small Result loads back whole, the pair is the 3-point one
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt", "result.csv", "result.nc", "sweep.csv",
                                                           "sweep.nc"]
    assert (tmp_path / "notes.txt").read_text() == "earlier"
    np.testing.assert_array_equal(Result.load(tmp_path / "result.nc").intensity, [1.0, 0.5])
    np.testing.assert_array_equal(Result.from_csv(tmp_path / "result.csv").excitation, [1.0, 0.4])
    import xarray as xr

    assert xr.load_dataset(tmp_path / "sweep.nc").sizes["time"] == 3
    assert (tmp_path / "sweep.csv").read_text().count("\n") == 1 + 1 + 3     # provenance, header, 3 rows


@pytest.mark.e2e
def test_a_full_disk_during_simulate_overwrite_keeps_the_earlier_set(tmp_path):
    """The new trace.csv fits under the limit, trace.nc does not: the run ends with a one-line error naming
    trace.nc and the folder holds the earlier run's three files, byte for byte."""
    assert main([*SIMULATE, "--n", "12", "--out", str(tmp_path)]) == 0
    earlier = contents(tmp_path)
    proc = python("""
        import resource, signal, sys
        from sf_dynamics.cli import main
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (10000, 10000))
        sys.exit(main(sys.argv[1:]))
    """, *SIMULATE, "--overwrite", "--out", tmp_path)
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert proc.stderr.startswith(f"sf-dynamics: error: path: could not write '{tmp_path / 'trace.nc'}'")
    assert proc.stderr.count("\n") == 1 and "File too large" in proc.stderr
    assert contents(tmp_path) == earlier and hidden(tmp_path) == []


# -- an unwritable folder, files of an earlier run: refused before any computation ------------------------------------
@pytest.fixture(scope="module")
def traces(tmp_path_factory):
    """Three small count traces of a fluence series (the fit command's input)."""
    from sf_dynamics.workflows.fit_series import series_model

    times = np.arange(0.0, 240.0, 2.0)
    model = series_model(times, [0.65, 0.8, 1.0], radiative_rate=1 / 200, points=200, domain_size=12,
                         collective_decay=0.004, dephasing=0.005, coupled_fraction=0.6, amplitude=20000.0, t0=15.0,
                         irf_fwhm=5.0)
    counts = np.random.default_rng(11).poisson(model)
    folder = tmp_path_factory.mktemp("traces")
    files = []
    for k, row in enumerate(counts):
        path = folder / f"trace_{k}.csv"
        path.write_text("time_ps,counts\n" + "\n".join(f"{t:g},{c:d}" for t, c in zip(times, row)))
        files.append(str(path))
    return files


def command_argv(name, traces):
    """Small runs of every command (their flags as the other CLI tests use them)."""
    return {
        "simulate": ["simulate", "--n", "10", "--collective-decay", "0.5", "--points", "21", "--method", "jumps"],
        "spectrum": ["spectrum", "--n", "8", "--collective-decay", "0.5", "--points", "21", "--method", "twa",
                     "--trajectories", "40"],
        "bunching": ["bunching", "--fluences", "2", "8", "--nanocrystals", "30", "--points", "101", "--trajectories",
                     "100", "--seed", "5"],
        "fit": ["fit", *traces, "--probabilities", "0.65", "0.8", "1.0", "--lifetime", "200", "--domain-sizes", "4",
                "12", "--grid-points", "3", "--points", "100", "--quiet", "--allow-undetermined"],
        "sweep": ["sweep", "--kind", "both", "--temperatures", "2", "--n", "10", "--executor", "serial", "--quiet"],
        "report": ["report", "--quick", "--quiet", "--seed", "3"],
    }[name]


#: the function each command computes with (patched to fail: a refusal must come before it is called)
COMPUTE = {
    "simulate": [("sf_dynamics.simulate", "simulate")],
    "spectrum": [("sf_dynamics.spectra", "first_order")],
    "bunching": [("sf_dynamics.workflows.bunching", "bunching_series")],
    "fit": [("sf_dynamics.workflows.fit_series", "fit_fluence_series")],
    "sweep": [("sf_dynamics.workflows.sweep", "thermal_sweep"), ("sf_dynamics.workflows.sweep",
                                                                 "dynamic_temperature_sweep")],
    "report": [("sf_dynamics.workflows.report.document", "fluence_section")],
}


def forbid_computing(monkeypatch, command):
    def computed(*args, **kwargs):
        raise AssertionError(f"{command} computed before its output folder was checked")

    for module, name in COMPUTE[command]:
        monkeypatch.setattr(importlib.import_module(module), name, computed)


def _writable(folder):
    probe = Path(folder) / ".sf_dynamics_probe"
    try:
        probe.touch()
    except OSError:
        return False
    probe.unlink()
    return True


@pytest.fixture
def unwritable(tmp_path):
    """A folder this process cannot write into (for root, which ignores permissions: a kernel folder)."""
    if os.geteuid() != 0:
        folder = tmp_path / "read-only"
        folder.mkdir()
        folder.chmod(0o500)
        yield folder
        folder.chmod(0o700)
        return
    for candidate in ("/sys/kernel", "/proc/self"):
        if Path(candidate).is_dir() and not _writable(candidate):
            yield Path(candidate)
            return
    pytest.skip("no folder here is unwritable for root")


@pytest.mark.e2e
@pytest.mark.parametrize("command", list(COMPUTE))
def test_an_unwritable_or_occupied_out_is_refused_before_computing(command, unwritable, tmp_path, traces,
                                                                   monkeypatch, capsys):
    forbid_computing(monkeypatch, command)
    argv = command_argv(command, traces)
    assert main([*argv, "--out", str(unwritable)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"sf-dynamics: error: --out: cannot write into the folder '{unwritable}'"), err
    assert err.count("\n") == 1
    assert main([*argv, "--out", str(unwritable / "run")]) == 2
    assert f"--out: cannot create the folder '{unwritable / 'run'}'" in capsys.readouterr().err
    # a folder holding one file of an earlier run of this command: refused without --overwrite
    files = {"simulate": "trace.nc", "spectrum": "g1.csv", "bunching": "shots.png", "fit": "model.csv",
             "sweep": "dynamic_sweep.csv", "report": "ringing.csv"}
    (tmp_path / files[command]).write_text("earlier")
    assert main([*argv, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"sf-dynamics: error: --out: '{tmp_path}' already holds {files[command]}") and (
        "--overwrite" in err)
    assert contents(tmp_path) == {files[command]: b"earlier"} and hidden(tmp_path) == []


# -- two runs on one folder ------------------------------------------------------------------------------------------
HOLDER = """
    import sys, time
    from sf_dynamics._io import output_folder
    with output_folder(sys.argv[1], parameter="--out"):
        print("holding", flush=True)
        time.sleep(600)
"""


@pytest.mark.e2e
@pytest.mark.parametrize("command", ["simulate", "sweep", "report"])
def test_a_second_run_on_a_folder_in_use_is_refused_at_once(command, tmp_path, traces, monkeypatch, capsys):
    """While a run holds the folder, a second one (even with --overwrite) is refused before computing, naming the
    folder and the pid of the holder; once the holder is killed, the folder is free again."""
    holder, _ = start(HOLDER, tmp_path)
    try:
        with monkeypatch.context() as patch:
            forbid_computing(patch, command)
            assert main([*command_argv(command, traces), "--overwrite", "--out", str(tmp_path)]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"sf-dynamics: error: --out: the folder '{tmp_path}' is in use by another sf_dynamics "
                              f"run (pid {holder.pid}") and err.count("\n") == 1
    finally:
        holder.kill()
        holder.wait()
    assert main([*SIMULATE, "--out", str(tmp_path)]) == 0          # the lock died with its process
    assert sorted(contents(tmp_path)) == ["trace.csv", "trace.nc", "trace.png"] and hidden(tmp_path) == []


SWEEP_HOLDER = """
    import sys, time
    from pathlib import Path
    from sf_dynamics.workflows.sweep import run_points

    def wait(point):
        print("computing", flush=True)
        while not Path(sys.argv[2]).exists():
            time.sleep(0.02)
        return {"value": point}

    run_points(wait, [1.0, 2.0], executor="serial", store=sys.argv[1], progress=False)
"""


def test_two_sweeps_on_one_point_folder_the_second_refuses_at_once(tmp_path):
    """A sweep computing into a point folder holds it: a second sweep there raises FolderInUseError naming the
    folder and the first sweep's pid, without computing or touching its points; after the first one ends, the
    folder is free."""
    from sf_dynamics.workflows.sweep import dynamic_temperature_sweep

    points, release = tmp_path / "points", tmp_path / "release"
    first, _ = start(SWEEP_HOLDER, points, release)
    try:
        with pytest.raises(FolderInUseError, match=rf"out: the folder '{points}' is in use .*\(pid {first.pid}"):
            dynamic_temperature_sweep([10.0, 20.0], n=4, collective_decay=0.1, out=points, executor="serial",
                                      resume=False, progress=False)
    finally:
        release.touch()
        first.wait(timeout=120)
    assert first.returncode == 0, first.stderr.read()[-2000:]
    assert len(list(points.glob("point-*.npz"))) == 2 and LOCK_NAME not in os.listdir(points)
    ds = dynamic_temperature_sweep([10.0, 20.0], n=4, collective_decay=0.1, out=tmp_path / "other",
                                   executor="serial", progress=False)
    assert list(ds["status"].values) == ["computed", "computed"]


# -- killed runs -----------------------------------------------------------------------------------------------------
STALLED_SIMULATE = """
    import sys, time
    import sf_dynamics._io as io

    def stall(*args, **kwargs):          # the figure is the last file: trace.csv and trace.nc are written by now
        print("stalled", flush=True)
        time.sleep(600)

    io.save_figure = stall
    from sf_dynamics.cli import main
    main(sys.argv[1:])
"""


@pytest.mark.e2e
def test_sigkill_during_simulate_overwrite_leaves_the_earlier_set_and_the_next_run_cleans_up(tmp_path):
    assert main([*SIMULATE, "--n", "12", "--out", str(tmp_path)]) == 0
    earlier = contents(tmp_path)
    run, _ = start(STALLED_SIMULATE, *SIMULATE, "--n", "14", "--overwrite", "--out", tmp_path)
    run.send_signal(signal.SIGKILL)
    run.wait()
    # the earlier three files, untouched; the killed run's finished temporaries and its lock file beside them
    assert contents(tmp_path) == earlier
    assert {name.split(".ready.")[0] for name in hidden(tmp_path) if ".ready." in name} == {".trace.csv",
                                                                                          ".trace.nc"}
    # the next run in the folder removes them (their process is gone) and writes its own complete set
    assert main([*SIMULATE, "--n", "16", "--overwrite", "--out", str(tmp_path)]) == 0
    assert hidden(tmp_path) == [] and sorted(contents(tmp_path)) == ["trace.csv", "trace.nc", "trace.png"]
    assert Result.from_csv(tmp_path / "trace.csv").n == 16 and Result.load(tmp_path / "trace.nc").n == 16


KILLED_MID_COMMIT = """
    import os, signal, sys
    from pathlib import Path
    from sf_dynamics._io import output_folder, write_text

    folder, names = Path(sys.argv[1]), ["a.txt", "b.txt", "c.txt"]
    with output_folder(folder, names) as out:
        for name in names:
            write_text(out / name, "earlier " + name)
    replace = os.replace

    def killed_after_the_first(src, dst):       # SIGKILL right after the first file of the new set is in place
        replace(src, dst)
        if not Path(dst).name.startswith("."):
            os.kill(os.getpid(), signal.SIGKILL)

    os.replace = killed_after_the_first
    with output_folder(folder, names, overwrite=True) as out:
        for name in names:
            write_text(out / name, "new " + name, overwrite=True)
"""


def test_a_run_killed_while_renaming_its_set_is_completed_by_the_next_run(tmp_path):
    proc = python(KILLED_MID_COMMIT, tmp_path)
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]
    # killed with a mixed set in the folder: what the journal of the renames is for
    assert {name: text.decode() for name, text in contents(tmp_path).items()} == {
        "a.txt": "new a.txt", "b.txt": "earlier b.txt", "c.txt": "earlier c.txt"}
    assert any(name.startswith(".sf_dynamics.commit.") for name in hidden(tmp_path))     # the journal
    with output_folder(tmp_path, ["a.txt", "b.txt", "c.txt"], overwrite=True) as run:
        assert sorted(run.recovered) == ["a.txt", "b.txt", "c.txt"]
    assert {name: text.decode() for name, text in contents(tmp_path).items()} == {
        name: f"new {name}" for name in ("a.txt", "b.txt", "c.txt")}
    assert hidden(tmp_path) == []


def test_a_failed_run_changes_nothing_and_an_overwrite_leaves_one_runs_set(tmp_path):
    names = ["a.txt", "b.txt", "c.txt"]
    with output_folder(tmp_path, names) as out:
        for name in names:
            write_text(out / name, "first")
    with pytest.raises(RuntimeError, match="stopped"):
        with output_folder(tmp_path, names, overwrite=True) as out:
            write_text(out / "a.txt", "second", overwrite=True)
            raise RuntimeError("stopped")
    assert contents(tmp_path) == dict.fromkeys(names, b"first") and hidden(tmp_path) == []
    # a run that writes only a.txt replaces the earlier set: b.txt and c.txt of the first run do not stay beside it
    with output_folder(tmp_path, names, overwrite=True) as out:
        write_text(out / "a.txt", "third", overwrite=True)
        assert out.written == ["a.txt"] and (tmp_path / "a.txt").read_text() == "first"     # not yet in place
    assert contents(tmp_path) == {"a.txt": b"third"} and hidden(tmp_path) == []
    # a folder the failed run created is removed again
    with pytest.raises(RuntimeError):
        with output_folder(tmp_path / "new", names):
            raise RuntimeError("stopped")
    assert not (tmp_path / "new").exists()


def test_only_temporaries_of_dead_processes_are_removed(tmp_path):
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = int(gone.stdout)
    stale = tmp_path / f".trace.csv.{dead}.partial"
    mine = tmp_path / f".trace.csv.{os.getpid()}.partial"
    stale.write_text("x")
    mine.write_text("y")
    assert clean_stale_partials(tmp_path) == [stale.name]
    assert mine.exists() and not stale.exists()
    stale.write_text("x")
    write_text(tmp_path / "trace.csv", "z")          # a write of that file removes them too
    assert not stale.exists() and (tmp_path / "trace.csv").read_text() == "z"


# -- provenance ------------------------------------------------------------------------------------------------------
def test_a_partial_result_says_so_in_its_csv_header_and_netcdf_attributes(tmp_path):
    import xarray as xr

    res = Result([0.0, 1.0, 2.0], [1.0, 2.0, 1.0], [3.0, 2.0, 1.0], "jumps", {"n": 3, "seed": 4},
                 info={"partial": True, "trajectories_done": 7, "trajectories_requested": 100},
                 provenance={"sf_dynamics_version": __version__, "seed": 4})
    res.to_csv(tmp_path / "r.csv")
    header = json.loads((tmp_path / "r.csv").read_text().splitlines()[0].split(": ", 1)[1])
    assert header["completion"] == {"partial": True, "trajectories_done": 7, "trajectories_requested": 100}
    assert Result.from_csv(tmp_path / "r.csv").info["partial"] is True
    res.save(tmp_path / "r.nc")
    with xr.open_dataset(tmp_path / "r.nc") as ds:
        assert ds.attrs["partial"] == 1 and ds.attrs["trajectories_done"] == 7
    whole = Result([0.0, 1.0], [1.0, 2.0], [3.0, 2.0], "permutational", {"n": 3})
    assert "completion" not in json.loads(whole.to_csv(tmp_path / "w.csv").read_text().split(": ", 1)[1]
                                          .splitlines()[0])


def test_an_unseeded_disordered_lattice_records_the_seed_it_drew():
    from sf_dynamics.geometry import Superlattice

    lattice = Superlattice.cubic(3, 3, 3, energy_disorder_meV=1.0, position_disorder_nm=0.1)
    assert isinstance(lattice.seed, int)
    again = Superlattice.cubic(3, 3, 3, energy_disorder_meV=1.0, position_disorder_nm=0.1, seed=lattice.seed)
    np.testing.assert_array_equal(again.energies, lattice.energies)
    np.testing.assert_array_equal(again.positions_nm, lattice.positions_nm)
    assert Superlattice.cubic(2, 2, 2).seed is None           # nothing drawn, nothing to record


def provenance_of(path):
    """The provenance record a written file carries (CSV/TXT first line, netCDF attributes, PNG text chunk, JSON
    field), with None for a seed netCDF stored as text."""
    import xarray as xr
    from PIL import Image

    if path.suffix in (".csv", ".txt"):
        first = path.read_text().splitlines()[0]
        assert first.startswith("# "), path
        record = json.loads(first[first.index("{"):])
        return record.get("provenance", record)
    if path.suffix == ".nc":
        with xr.open_dataset(path) as ds:
            record = {key[len("provenance_"):]: value for key, value in ds.attrs.items()
                      if key.startswith("provenance_")}
        if isinstance(record.get("seed"), str):
            record["seed"] = json.loads(record["seed"].replace("None", "null"))
        return record
    if path.suffix == ".png":
        return json.loads(Image.open(path).text["Description"])
    if path.suffix == ".json":
        return json.loads(path.read_text())["provenance"]
    raise AssertionError(f"{path.name}: a file kind without provenance")


#: the seed each command's files record (sampling runs: the seed drawn from; the dynamic sweep is deterministic)
SEEDS = {"simulate": 0, "spectrum": 0, "bunching": 5, "fit": 0, "sweep": 0, "report": 3}


@pytest.mark.e2e
@pytest.mark.parametrize("command", [*list(SEEDS)[:-1], pytest.param("report", marks=pytest.mark.slow)])
def test_every_file_a_command_writes_carries_version_date_and_seed(command, tmp_path, traces):
    out = tmp_path / "out"
    assert main([*command_argv(command, traces), "--out", str(out)]) in (0, 1)
    files = sorted(p for p in out.iterdir() if p.is_file())       # (a sweep's points/ hold its resume state)
    assert files and hidden(out) == []
    for path in files:
        if path.suffix in (".md", ".html"):
            text = path.read_text()
            assert f"sf_dynamics {__version__}" in text and "written 20" in text and "seed 3" in text, path.name
            continue
        record = provenance_of(path)
        assert record["sf_dynamics_version"] == __version__, path.name
        assert datetime.datetime.fromisoformat(record["created_utc"]).year >= 2024, path.name
        expected = None if path.name.startswith("dynamic_sweep") and command == "sweep" else SEEDS[command]
        assert "seed" in record and record["seed"] == expected, (path.name, record.get("seed"))
