"""Sweeps keep every finished point: a failing point, a worker that dies and Ctrl-C lose nothing, and a resumed
run equals an uninterrupted one, on local processes, serially and on a Dask LocalCluster."""

import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from sf_dynamics import executor, sweep
from sf_dynamics.model.linewidth import TabulatedLinewidth
from tests.helpers import sweep_points

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_run_points_keeps_order_on_every_executor():
    points = list(range(7))
    assert sweep.run_points(sweep_points.square, points, executor="serial") == [p * p for p in points]
    assert sweep.run_points(sweep_points.square, points) == [p * p for p in points]


@pytest.mark.parametrize("where", ["serial", pytest.param("processes", marks=pytest.mark.slow), "dask"])
def test_a_failing_point_is_recorded_and_the_others_are_kept(where, tmp_path, request):
    target = request.getfixturevalue("dask_client") if where == "dask" else where
    labels = [f"T = {10 * p} K" for p in range(6)]
    run = executor.execute(sweep_points.fails_at_three, range(6), executor=target, labels=labels, store=tmp_path)
    assert run.status == ["computed"] * 3 + ["failed"] + ["computed"] * 2
    assert [v["value"] for i, v in enumerate(run.values) if i != 3] == [0.0, 1.0, 4.0, 16.0, 25.0]
    assert "T = 30 K: ValueError: point 3 is broken" in run.summary()
    assert len(list(tmp_path.glob("point-*.npz"))) == 5
    record = executor.PointStore(tmp_path).failures()[0]
    assert record["label"] == "T = 30 K" and "broken" in record["error"]
    with pytest.raises(executor.SweepError, match="T = 30 K"):
        sweep.run_points(sweep_points.fails_at_three, range(6), executor=target, labels=labels)


@pytest.mark.slow
@pytest.mark.parametrize("where", ["processes", "dask"])
def test_a_dying_worker_takes_only_its_point(where, tmp_path, request):
    target = request.getfixturevalue("dask_client") if where == "dask" else where
    run = executor.execute(sweep_points.dies_at_three, range(6), executor=target, store=tmp_path)
    assert run.status[3] == "failed" and run.status.count("computed") == 5
    assert [v["value"] for i, v in enumerate(run.values) if i != 3] == [0.0, 1.0, 4.0, 16.0, 25.0]


def test_resume_computes_only_missing_and_failed_points(tmp_path):
    first = executor.execute(sweep_points.fails_at_three, range(6), executor="serial", store=tmp_path)
    assert first.status.count("failed") == 1
    # the same points (matched by the hash of their parameters) with a function that now succeeds
    second = executor.execute(sweep_points.slow, range(6), executor="serial", store=tmp_path)
    assert second.status == ["resumed"] * 3 + ["computed"] + ["resumed"] * 2
    assert second.complete and second.values[3]["value"] == 9.0


def test_a_temperature_with_a_bad_linewidth_fails_alone_and_is_named(tmp_path):
    table = TabulatedLinewidth([4.0, 30.0, 100.0], [0.02, 0.4, 3.0])
    temps = np.array([5.0, 20.0, 150.0, 60.0])  # 150 K lies outside the table
    ds = sweep.dynamic_temperature_sweep(np.sort(temps), n=40, linewidth=table, executor="serial", out=tmp_path)
    assert list(ds["status"].values) == ["computed", "computed", "computed", "failed"]
    assert "T = 150 K" in ds.attrs["failures"] and "temperatures_K outside the table" in ds.attrs["failures"]
    assert np.isnan(ds["tau_d"].values[-1]) and np.isfinite(ds["peak"].values[:3]).all()
    with pytest.raises(sweep.SweepError, match="T = 150 K"):
        sweep.dynamic_temperature_sweep(np.sort(temps), n=40, linewidth=table, executor="serial", strict=True)


SIGINT_SCRIPT = textwrap.dedent("""
    import sys
    sys.path.insert(0, {root!r})
    from sf_dynamics import executor
    from tests.helpers import sweep_points
    try:
        executor.execute(sweep_points.slow, range(40), executor={where!r}, store={store!r})
    except executor.SweepInterrupted as exc:
        print("INTERRUPTED", exc.run.status.count("computed"), flush=True)
        sys.exit(130)
""")


@pytest.mark.slow
@pytest.mark.parametrize("where", ["serial", "processes"])
def test_ctrl_c_stops_promptly_and_keeps_what_finished(where, tmp_path):
    store = tmp_path / "points"
    script = SIGINT_SCRIPT.format(root=str(ROOT), where=where, store=str(store))
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while len(list(store.glob("point-*.npz"))) < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    sent = time.monotonic()
    out, err = proc.communicate(timeout=60)
    assert time.monotonic() - sent < 10, "the sweep did not stop promptly"
    assert proc.returncode == 130, err[-2000:]
    saved = len(list(store.glob("point-*.npz")))
    assert int(out.split()[-1]) == saved and 3 <= saved < 40
    # a resumed run computes only the rest and equals an uninterrupted one
    resumed = executor.execute(sweep_points.slow, range(40), executor="processes", store=store)
    assert resumed.status.count("resumed") == saved and resumed.complete
    assert [v["value"] for v in resumed.values] == [float(x * x) for x in range(40)]


@pytest.mark.e2e
def test_interrupted_cli_sweep_resumes_to_the_same_dataset(tmp_path):
    import xarray as xr

    from sf_dynamics.cli import main

    argv = ["sweep", "--kind", "dynamic", "--temperatures", "5", "--n", "40", "--executor", "serial"]
    reference = tmp_path / "reference"
    assert main([*argv, "--out", str(reference)]) == 0
    partial = tmp_path / "partial"
    # an interrupted run of the same domain (the command's defaults: 210 ps, 30 % collective, inverted): only the
    # first two temperatures were saved
    gamma_1 = 1.0 / 210.0   # rates formed as the command forms them, so the points' keys match
    first = sweep.dynamic_temperature_sweep(np.linspace(4.0, 100.0, 5), n=40, collective_decay=0.3 * gamma_1,
                                            decay=(1.0 - 0.3) * gamma_1, executor="serial",
                                            out=partial / "points" / "dynamic")
    for path in sorted((partial / "points" / "dynamic").glob("point-0000[234]-*.npz")):
        path.unlink()
    assert first.attrs["complete"]
    assert main([*argv, "--out", str(partial)]) == 0
    with xr.open_dataset(reference / "dynamic_sweep.nc") as a, xr.open_dataset(partial / "dynamic_sweep.nc") as b:
        for name in ("tau_d", "peak", "intensity", "dephasing"):
            np.testing.assert_array_equal(a[name].values, b[name].values)
        assert list(b["status"].values) == ["resumed", "resumed", "computed", "computed", "computed"]


def test_bad_executor():
    with pytest.raises(ValueError, match="executor"):
        sweep.run_points(sweep_points.square, [1, 2], executor=42)
