"""Shutdown and interruption lose nothing and leave nothing behind.

* killing a sweep's main process (SIGKILL, SIGTERM) leaves no worker process and no resource tracker;
* Ctrl-C during a sampling run acts within a second at any N and returns the finished shots, flagged
  ``partial`` in ``info``, in the provenance and with a RuntimeWarning; with nothing finished, a
  KeyboardInterrupt that says so; inside a sweep point, Ctrl-C ends the sweep and the point is not stored;
* a truncated or empty resume point is named, moved aside and computed again.

The fault scenarios run in subprocesses (kill, kill -9, SIGINT); in-process Ctrl-C is a real SIGINT sent to
this process while the run is inside a block.
"""

import contextlib
import signal
import subprocess
import sys
import textwrap
import threading
import time
import warnings
from pathlib import Path

import numpy as np
import psutil
import pytest

import sf_dynamics as sf
from sf_dynamics.kernels import jumps as jump_kernels
from sf_dynamics.solvers import jumps as jump_solver
from sf_dynamics.solvers import twa
from sf_dynamics.workflows import executor
from tests.helpers import sweep_points

ROOT = Path(__file__).resolve().parents[2]
#: a killed sweep's processes must be gone within this time (the workers poll their parent every 0.5 s)
GONE_WITHIN_S = 10.0
#: an interrupted run must return within this time of Ctrl-C (it checks every 0.05 s, blocks last ~0.5 s)
PROMPT_S = 5.0


# -- helpers ------------------------------------------------------------------------------------------------------
@pytest.fixture
def ctrl_c():
    """Python's own SIGINT handler for the test (a shell may start the suite with SIGINT ignored); restored after."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def _alive(pids):
    """The pids among ``pids`` that still run (a zombie waiting for its new parent to reap it counts as gone)."""
    alive = []
    for pid in pids:
        with contextlib.suppress(psutil.NoSuchProcess):
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                alive.append(pid)
    return alive


def _wait_for_workers(proc, count, timeout=120.0):
    """Descendants of ``proc`` once ``count`` pool workers run (the resource tracker among them)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()[1][-2000:]
        family = psutil.Process(proc.pid).children(recursive=True)
        with contextlib.suppress(psutil.NoSuchProcess):
            if sum("spawn_main" in " ".join(p.cmdline()) for p in family) >= count:
                return family
        time.sleep(0.1)
    raise AssertionError("the sweep did not start its workers")


def _assert_all_gone(family):
    deadline = time.monotonic() + GONE_WITHIN_S
    while _alive([p.pid for p in family]) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = _alive([p.pid for p in family])
    for pid in left:   # never leave them behind, even when the test fails
        with contextlib.suppress(psutil.NoSuchProcess):
            psutil.Process(pid).kill()
    assert not left, f"processes left behind: {left}"


SWEEP_SCRIPT = textwrap.dedent("""
    import sys
    sys.path.insert(0, {root!r})
    from sf_dynamics.workflows import executor
    from tests.helpers import sweep_points
    executor.execute(sweep_points.slow, range(400), executor="processes", store={store!r})
""")


def _start_sweep(tmp_path):
    script = SWEEP_SCRIPT.format(root=str(ROOT), store=str(tmp_path / "points"))
    return subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


# -- workers end with their parent --------------------------------------------------------------------------------
def _wait_for_points(folder, proc, timeout=120.0):
    """Until a point is stored (the workers run their points)."""
    deadline = time.monotonic() + timeout
    while not list(folder.glob("point-*.npz")):
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()[1][-2000:]
        time.sleep(0.05)


def test_kill_9_of_a_sweep_leaves_no_worker_and_no_resource_tracker(tmp_path):
    proc = _start_sweep(tmp_path)
    family = _wait_for_workers(proc, 2)
    assert any("resource_tracker" in " ".join(p.cmdline()) for p in family)
    _wait_for_points(tmp_path / "points", proc)
    proc.kill()
    proc.communicate()
    _assert_all_gone(family)


@pytest.mark.slow
def test_sigterm_of_a_sweep_terminates_its_workers_and_exits_143(tmp_path):
    proc = _start_sweep(tmp_path)
    family = _wait_for_workers(proc, 2)
    _wait_for_points(tmp_path / "points", proc)
    proc.terminate()
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err[-2000:]
    _assert_all_gone(family)
    # every point finished before is stored whole (written atomically)
    for path in (tmp_path / "points").glob("point-*.npz"):
        index = int(path.name.split("-")[1])
        assert np.load(path)["value"] == float(index * index)


@pytest.mark.slow
@pytest.mark.e2e
def test_kill_9_of_the_sweep_command_leaves_nothing_behind(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "sf_dynamics.cli", "sweep", "--kind", "dynamic", "--temperatures",
                             "6", "--n", "400", "--out", str(tmp_path / "out"), "--quiet"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    family = _wait_for_workers(proc, 2)
    time.sleep(2.0)   # the workers are computing
    proc.kill()
    proc.communicate()
    _assert_all_gone(family)


# -- a corrupt resume point ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("damage", ["truncated", "empty"])
def test_a_corrupt_resume_point_is_named_moved_aside_and_computed_again(damage, tmp_path):
    first = executor.execute(sweep_points.fails_at_three, range(6), executor="serial", store=tmp_path)
    assert first.status.count("computed") == 5
    path = sorted(tmp_path.glob("point-00002-*.npz"))[0]
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2] if damage == "truncated" else b"")
    with pytest.warns(executor.CorruptPointWarning, match=path.name):
        second = executor.execute(sweep_points.slow, range(6), executor="serial", store=tmp_path)
    assert second.status == ["resumed", "resumed", "computed", "computed", "resumed", "resumed"]
    assert [v["value"] for v in second.values] == [float(x * x) for x in range(6)]
    assert (tmp_path / (path.name + ".corrupt")).read_bytes() == data[: len(data) // 2] * (damage == "truncated")
    # the recomputed point is whole: a third run reads every point without a warning
    with warnings.catch_warnings():
        warnings.simplefilter("error", executor.CorruptPointWarning)
        third = executor.execute(sweep_points.slow, range(6), executor="serial", store=tmp_path)
    assert third.status == ["resumed"] * 6


# -- Ctrl-C during sampling ---------------------------------------------------------------------------------------
JUMPS = sf.Ensemble(5000, collective_decay=2e-4, decay=1e-3)
JUMP_TIMES = np.linspace(0.0, 40.0, 21)


#: shots per kernel call in the tests: 1e7 jumps, 0.15 s or more on 2 cores
CALL = 2000


def _interrupt_inside_second_call(monkeypatch):
    """SIGINT once the second kernel call of jumps finished its first shot (the first call is whole).

    Returns the shots of each call and a list that receives the time the signal was sent.
    """
    monkeypatch.setattr(jump_solver, "block_size", lambda n: CALL)
    kernel, calls, sent = jump_kernels.sample_jumps, [], []

    def sampled(*args):
        calls.append(len(args[0]))
        if len(calls) == 2:
            finished = args[-2]

            def fire():
                while not finished[0]:
                    time.sleep(0.001)
                sent.append(time.monotonic())
                signal.raise_signal(signal.SIGINT)

            threading.Thread(target=fire, daemon=True).start()
        kernel(*args)

    monkeypatch.setattr(jump_kernels, "sample_jumps", sampled)
    return calls, sent


def test_ctrl_c_during_jumps_returns_the_finished_shots_flagged_partial(ctrl_c, monkeypatch):
    sf.simulate(JUMPS, JUMP_TIMES, method="jumps", trajectories=4, seed=1)   # compiled before the clock runs
    calls, sent = _interrupt_inside_second_call(monkeypatch)
    requested = 10 * CALL
    with pytest.warns(RuntimeWarning, match="jumps interrupted: returning the average of the"):
        res = sf.simulate(JUMPS, JUMP_TIMES, method="jumps", trajectories=requested, seed=1)
    assert time.monotonic() - sent[0] < PROMPT_S
    done = res.info["trajectories_done"]
    assert res.info["partial"] is True and res.provenance["partial"] is True
    # the second call was stopped inside: its shots finished before the first unfinished one are kept
    assert calls[0] < done < calls[0] + calls[1] < requested
    assert res.info["shot_delays"].shape == (done,)
    # the finished shots are those of an uninterrupted run of as many shots (shot r depends on (seed, r) only)
    monkeypatch.undo()
    whole = sf.simulate(JUMPS, JUMP_TIMES, method="jumps", trajectories=done, seed=1)
    np.testing.assert_array_equal(res.intensity, whole.intensity)
    assert whole.info["partial"] is False and whole.provenance["partial"] is False
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler   # Ctrl-C is the user's again


def test_the_jumps_kernel_stops_inside_its_block_and_marks_the_finished_shots():
    from sf_dynamics.kernels import dicke_basis
    from sf_dynamics.solvers._sampling import trajectory_seeds

    n, count = 2000, 64
    pre = dicke_basis.ladder_prefactors(n, n // 2 + 1, 5e-4, 1e-3, 0.0, 0.0)
    times = np.linspace(0.0, 40.0, 11)

    def run(stop_value):
        arrays = [np.zeros((count, times.size)) for _ in range(4)]
        photons, finished = np.zeros((count, 2)), np.zeros(count, dtype=np.uint8)
        jump_kernels.sample_jumps(trajectory_seeds(3, 0, count), n, 0, 0, -1.0, pre, 5e-4, 1e-3, times, *arrays,
                                  photons, finished, np.array([stop_value], dtype=np.int64))
        return arrays, photons, finished

    arrays, photons, finished = run(0)
    assert finished.all() and (photons.sum(axis=1) > 0).all()
    _, photons, finished = run(1)   # stopped before any shot started
    assert not finished.any() and not photons.any()


def test_ctrl_c_before_two_shots_finished_says_so(ctrl_c, monkeypatch):
    kernel = jump_kernels.sample_jumps

    def sampled(*args):
        signal.raise_signal(signal.SIGINT)   # noted before the first block's shots start: none finishes
        time.sleep(0.2)
        kernel(*args)

    monkeypatch.setattr(jump_kernels, "sample_jumps", sampled)
    with pytest.raises(KeyboardInterrupt, match="jumps interrupted with 0 of 500 shots finished"):
        sf.simulate(JUMPS, JUMP_TIMES, method="jumps", trajectories=500, seed=1)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def _lattice(n=24):
    pos = np.c_[np.arange(n) * 0.2, np.zeros(n), np.zeros(n)]
    g, w = sf.geometry.green_couplings(pos, np.tile([0.0, 0.0, 1.0], (n, 1)), wavelength=1.0, gamma=1.0)
    return sf.Ensemble(n, gamma_matrix=g, omega_matrix=w, dephasing=0.1)


def _interrupt_at_piece(monkeypatch, piece):
    """SIGINT as the per-emitter engine starts its ``piece``-th run of trajectories (0: the first)."""
    run_block, seen = twa.EmitterEngine.run_block, []

    def run(self, *args, **kwargs):
        seen.append(kwargs.get("offset", 0))
        if len(seen) == piece + 1:
            signal.raise_signal(signal.SIGINT)
        return run_block(self, *args, **kwargs)

    monkeypatch.setattr(twa.EmitterEngine, "run_block", run)
    monkeypatch.setattr(twa, "SPLIT_SECONDS", 0.0)   # a long first block: its first trajectories run alone


def test_per_emitter_twa_interrupted_in_its_first_block_returns_its_first_trajectories(ctrl_c, monkeypatch):
    _interrupt_at_piece(monkeypatch, 1)
    times = np.linspace(0.0, 2.0, 11)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", twa.TWAValidityWarning)
        with pytest.warns(RuntimeWarning, match="twa interrupted"):
            res = sf.simulate(_lattice(), times, method="twa", trajectories=300, seed=4)
        assert res.info["partial"] is True and res.provenance["partial"] is True
        assert res.info["trajectories_done"] == twa.FIRST_PIECE
        monkeypatch.undo()
        whole = sf.simulate(_lattice(), times, method="twa", trajectories=twa.FIRST_PIECE, seed=4)
    # the same trajectories as a run of as many (the block's random numbers are drawn whole)
    np.testing.assert_allclose(res.intensity, whole.intensity, rtol=1e-12)


def test_per_emitter_twa_interrupted_before_any_trajectory_finished_says_so(ctrl_c, monkeypatch):
    _interrupt_at_piece(monkeypatch, 0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", twa.TWAValidityWarning)
        with pytest.raises(KeyboardInterrupt, match="twa interrupted with 0 of 300 trajectories finished"):
            sf.simulate(_lattice(), np.linspace(0.0, 2.0, 11), method="twa", trajectories=300, seed=4)


def _jumps_point(seed):
    res = sf.simulate(JUMPS, JUMP_TIMES, method="jumps", trajectories=10 * CALL, seed=seed)
    return {"peak": float(res.intensity.max())}


def test_ctrl_c_inside_a_serial_sweep_point_ends_the_sweep_without_storing_the_point(ctrl_c, monkeypatch,
                                                                                         tmp_path):
    sf.simulate(JUMPS, JUMP_TIMES, method="jumps", trajectories=4, seed=1)
    _interrupt_inside_second_call(monkeypatch)
    with pytest.raises(executor.SweepInterrupted) as caught:
        executor.execute(_jumps_point, [1, 2], executor="serial", store=tmp_path)
    assert caught.value.run.status == ["missing", "missing"]
    assert not list(tmp_path.glob("point-*"))


# -- Ctrl-C from outside: subprocesses ----------------------------------------------------------------------------
SIGINT_SCRIPT = textwrap.dedent("""
    import signal, sys, time, warnings
    import numpy as np
    # a shell starts background jobs with SIGINT ignored, and Python keeps an ignored SIGINT: restore Ctrl-C
    signal.signal(signal.SIGINT, signal.default_int_handler)
    sys.path.insert(0, {root!r})
    import sf_dynamics as sf
    {system}
    warnings.simplefilter("ignore")
    start = time.perf_counter()
    sf.simulate(system, times, method={method!r}, trajectories={warmup}, seed=0)
    print("START", time.perf_counter() - start, flush=True)
    res = sf.simulate(system, times, method={method!r}, trajectories={trajectories}, seed=0)
    print("RESULT", res.info["partial"], res.provenance["partial"], res.info["trajectories_done"], flush=True)
""")


def _ctrl_c_subprocess(system, method, trajectories, warmup, wait):
    """SIGINT ``wait(t)`` seconds into a run, t the time of a warm-up run of ``warmup`` trajectories.

    Returns the seconds from SIGINT to the end of the process and the trajectories returned.
    """
    script = SIGINT_SCRIPT.format(root=str(ROOT), system=system, method=method, trajectories=trajectories,
                                  warmup=warmup)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        words = proc.stdout.readline().split()
        assert words[:1] == ["START"], proc.stderr.read()[-2000:]
        time.sleep(wait(float(words[1])))
        proc.send_signal(signal.SIGINT)
        sent = time.monotonic()
        out, err = proc.communicate(timeout=300)
        returned = time.monotonic()
    finally:
        if proc.poll() is None:   # never leave a large run behind
            proc.kill()
            proc.communicate()
    words = out.split()
    assert words[:3] == ["RESULT", "True", "True"], out + err[-2000:]
    assert "Ctrl-C: ending" in err
    return returned - sent, int(words[3])


@pytest.mark.slow
def test_ctrl_c_during_jumps_at_a_million_emitters_acts_within_seconds():
    # each shot is ~10^6 jumps; Ctrl-C took 73 s to act (a block of 1024 shots) and returned nothing
    system = "system = sf.Ensemble(10**6, collective_decay=1e-6, decay=1e-3); times = np.linspace(0, 110, 101)"
    latency, done = _ctrl_c_subprocess(system, "jumps", 2000, warmup=2, wait=lambda warm: 5.0)
    assert latency < PROMPT_S + 2.0   # includes the interpreter's exit
    assert 2 <= done < 2000


@pytest.mark.slow
def test_ctrl_c_during_per_emitter_twa_returns_its_first_trajectories():
    # a block of 128 trajectories (~10 s here) advances together: its first FIRST_PIECE run alone, and Ctrl-C
    # sent while the rest of the block runs (the warm-up of FIRST_PIECE measures when) returns them
    system = ("pos = np.c_[np.arange(200) * 0.2, np.zeros(200), np.zeros(200)]\n"
              "g, w = sf.geometry.green_couplings(pos, np.tile([0.0, 0.0, 1.0], (200, 1)), wavelength=1.0, "
              "gamma=1.0)\n"
              "system = sf.Ensemble(200, gamma_matrix=g, omega_matrix=w, dephasing=0.1); "
              "times = np.linspace(0, 40, 21)")   # long enough (~4000 steps) for a block to take ~10 s
    latency, done = _ctrl_c_subprocess(system, "twa", 300, warmup=twa.FIRST_PIECE, wait=lambda warm: 1.6 * warm)
    assert latency < PROMPT_S + 2.0
    assert done == twa.FIRST_PIECE


def test_point_store_removes_temporaries_of_dead_runs(tmp_path):
    import os

    from sf_dynamics.workflows.executor import PointStore

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / f"point-00001-abc.npz.{int(dead.stdout)}.partial"
    live = tmp_path / f"point-00002-abc.npz.{os.getpid()}.partial"
    stale.write_bytes(b"x")
    live.write_bytes(b"x")
    PointStore(tmp_path)
    assert not stale.exists() and live.exists()
