import subprocess
import sys

import numpy as np

from sf_dynamics import Result
from sf_dynamics.cli import main


def test_simulate_writes_csv_and_png_and_prints_observables(tmp_path, capsys):
    code = main(["simulate", "--n", "30", "--collective-decay", "0.05", "--dephasing", "0.02",
                 "--points", "121", "--out", str(tmp_path)])
    assert code == 0
    out = capsys.readouterr().out
    assert "tau_D" in out and "tau_SF" in out and "peak" in out
    res = Result.from_csv(tmp_path / "trace.csv")
    assert res.n == 30 and res.times.size == 121
    assert (tmp_path / "trace.png").stat().st_size > 1000
    assert np.all(res.intensity >= 0)


def test_bad_option_exits_with_message(tmp_path, capsys):
    code = main(["simulate", "--n", "0", "--out", str(tmp_path)])
    assert code == 2
    assert "n must be an integer >= 1" in capsys.readouterr().err


def test_console_script_help():
    proc = subprocess.run([sys.executable, "-m", "sf_dynamics.cli", "simulate", "--help"],
                          capture_output=True, text=True, check=True)
    assert "--collective-decay" in proc.stdout


def test_sweep_command_writes_netcdf_csv_and_figures(tmp_path, capsys):
    code = main(["sweep", "--kind", "dynamic", "--temperatures", "4", "--n", "40", "--executor", "serial",
                 "--out", str(tmp_path)])
    assert code == 0
    out = capsys.readouterr().out
    assert "burst vanishes" in out
    for name in ("dynamic_sweep.nc", "dynamic_sweep.csv", "dynamic_sweep.png"):
        assert (tmp_path / name).stat().st_size > 100
