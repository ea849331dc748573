"""Progress reporting: tqdm on a terminal, plain lines (no carriage returns) in logs."""

import io
import sys

import pytest

from sf_dynamics import _progress


def test_logs_get_plain_lines_per_stage_and_per_ten_percent(monkeypatch):
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    with _progress.progress_bar(True, total=3, desc="report", unit="stage") as bar:
        for name in ("a", "b", "c"):
            bar.set_description(f"report: {name}")
            bar.update(1)
    with _progress.progress_bar(True, total=1000, desc="twa", unit="traj") as bar:
        for _ in range(100):
            bar.update(10)
    text = stream.getvalue()
    assert "\r" not in text
    assert "report: b: started" in text and "report: c: done (3/3 stage)" in text
    assert sum("twa:" in line for line in text.splitlines()) == 10


def test_automatic_progress_is_silent_for_small_problems(monkeypatch):
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    with _progress.progress_bar(None, total=10, size=1) as bar:
        bar.update(10)
    assert stream.getvalue() == ""


def test_update_by_nothing_prints_nothing_and_reset_counts_again(monkeypatch):
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    with _progress.progress_bar(True, total=3, desc="sweep", unit="point") as bar:
        bar.update(0)   # no resumed points
        assert stream.getvalue() == ""
        bar.update(3)
        bar.reset()
        bar.update(3)
    assert "sweep: restarted" in stream.getvalue() and "(3/3 point)" in stream.getvalue()


def test_automatic_progress_reports_large_problems_in_logs_too(monkeypatch):
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    with _progress.progress_bar(None, total=10, size=_progress.AUTO_THRESHOLD, desc="solver") as bar:
        bar.update(10)
    with _progress.progress_bar(False, total=10, size=_progress.AUTO_THRESHOLD, desc="quiet") as bar:
        bar.update(10)
    text = stream.getvalue()
    assert "solver: done (10/10 t)" in text and "quiet" not in text


def test_stages_give_a_line_per_stage_with_its_time_and_silence_when_off(monkeypatch):
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    with _progress.stages(True, total=2, desc="scan") as stage:
        stage.start("first")
        stage.start("second")
    lines = stream.getvalue().splitlines()
    assert lines == ["scan [1/2] first: started [0 s]", "scan [2/2] second: started [0 s]",
                     "scan: done, 2 stages [0 s]"]
    with _progress.stages(False, total=2, desc="silent") as stage:
        stage.start("first")
    assert "silent" not in stream.getvalue()
    try:
        with _progress.stages(None, desc="stopped") as stage:
            stage.start("only")
            raise KeyboardInterrupt
    except KeyboardInterrupt:
        pass
    assert stream.getvalue().splitlines()[-1] == "stopped: stopped in stage 1 [0 s]"


def test_a_permutational_run_of_minutes_reports_by_default_a_small_one_does_not(monkeypatch):
    """N = 3000 (`sf-dynamics simulate --n 3000`: 199 ladders, 400 output times, ~100 s): work far above the
    threshold; N = 10 stays silent."""
    import numpy as np

    import sf_dynamics as sf
    from sf_dynamics.solvers.permutational import evolution
    from sf_dynamics.solvers.permutational.ladders import stored_states

    assert evolution._WORK_PER_STATE * stored_states(3000, 199) * 400 > 5 * _progress.AUTO_THRESHOLD
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    sf.simulate(sf.Ensemble(10, collective_decay=0.1, dephasing=0.1), np.linspace(0, 1, 5), progress=None)
    assert stream.getvalue() == ""


def test_permutational_progress_starts_again_when_the_ladders_are_doubled(monkeypatch):
    import numpy as np

    import sf_dynamics as sf
    from sf_dynamics.solvers.permutational import evolution

    monkeypatch.setattr(evolution, "initial_ladder_count", lambda *args: 1)
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    ens = sf.Ensemble(12, collective_decay=0.2, decay=0.2, dephasing=0.3)
    result = sf.simulate(ens, np.linspace(0, 4, 21), method="permutational", progress=True)
    assert result.info["ladder_attempts"] > 1
    text = stream.getvalue()
    assert "permutational (1 ladder): 100%" in text and "again on 2 ladders" in text
    assert all(int(line.split("% ")[0].split()[-1]) <= 100 for line in text.splitlines() if "%" in line)
    quiet = io.StringIO()
    monkeypatch.setattr(sys, "stderr", quiet)
    sf.simulate(ens, np.linspace(0, 4, 21), method="permutational", progress=False)
    assert quiet.getvalue() == ""


def _script(name):
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "scripts" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"script_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_simulate_command_shows_the_solver_progress_unless_quiet(monkeypatch, tmp_path, capsys):
    from sf_dynamics.cli import main

    monkeypatch.setattr(_progress, "AUTO_THRESHOLD", 0)   # every run counts as long
    argv = ["simulate", "--n", "10", "--collective-decay", "0.5", "--points", "21", "--overwrite"]
    assert main([*argv, "--out", str(tmp_path / "a")]) == 0
    captured = capsys.readouterr()
    assert "permutational (" in captured.err and "100%" in captured.err
    assert "\ntime   " in captured.out and "(permutational " in captured.out.split("\ntime   ")[1]
    assert main([*argv, "--out", str(tmp_path / "b"), "--quiet"]) == 0
    assert capsys.readouterr().err == ""


def test_sweep_command_names_its_stages_unless_quiet(tmp_path, capsys):
    from sf_dynamics.cli import main

    argv = ["sweep", "--kind", "dynamic", "--temperatures", "2", "--n", "4", "--executor", "serial", "--overwrite"]
    assert main([*argv, "--out", str(tmp_path / "a")]) == 0
    err = capsys.readouterr().err
    assert "sf-dynamics sweep [1/1] dynamics, N = 4: started" in err and "temperature sweep: done (2/2 point)" in err
    assert "sf-dynamics sweep: done, 1 stages" in err
    assert main([*argv, "--out", str(tmp_path / "b"), "--quiet"]) == 0
    assert capsys.readouterr().err == ""


def test_suppression_scan_announces_each_run(capsys):
    scan = _script("suppression_scan").scan
    table = scan([0.5], n=20, window=6.0, points=11, progress=True)
    err = capsys.readouterr().err
    assert table.shape == (1, 6)
    assert "suppression scan [1/2] dephasing 0.5 N Gamma: started" in err
    assert "suppression scan [2/2] inhomogeneous FWHM 0.5 N Gamma (41 classes): started" in err
    scan([0.5], n=20, window=6.0, points=11, progress=False)
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("name, argv, stages, summary", [
    ("thermal_scaling", ["--sizes", "2", "--disorder", "0"],
     ["thermal scaling [1/2] 8 NCs, cube 9.5 nm, W = 0 meV: started", "thermal scaling: done, 2 stages"], "2 rows in"),
    ("red_shift", ["--sizes", "2", "--probes", "2"],
     ["red shift [1/2] size 8 NCs, dense: started", "red shift [2/2] size 8 NCs, kpm: started"], "s in all"),
])
def test_thermal_scaling_and_red_shift_announce_their_rows(capsys, name, argv, stages, summary):
    _script(name).main(argv)
    captured = capsys.readouterr()
    assert all(line in captured.err for line in stages) and summary in captured.out
    _script(name).main([*argv, "--quiet"])
    assert capsys.readouterr().err == ""
