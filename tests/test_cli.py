"""The sf-dynamics command: outputs, flags checked when read, no silent overwrites, one-line errors."""

import subprocess
import sys

import numpy as np
import pytest

import sf_dynamics as sf
from sf_dynamics import Result, fluence
from sf_dynamics.cli import main

pytestmark = pytest.mark.e2e


def test_simulate_writes_csv_netcdf_and_png_and_prints_observables(tmp_path, capsys):
    code = main(["simulate", "--n", "30", "--collective-decay", "0.05", "--dephasing", "0.02",
                 "--points", "121", "--out", str(tmp_path)])
    assert code == 0
    out = capsys.readouterr().out
    assert "tau_D" in out and "tau_SF" in out and "peak" in out
    res = Result.from_csv(tmp_path / "trace.csv")
    assert res.n == 30 and res.times.size == 121
    assert res.provenance["method"] == "permutational"
    assert (tmp_path / "trace.png").stat().st_size > 1000
    assert (tmp_path / "trace.nc").stat().st_size > 1000
    assert np.all(res.intensity >= 0)


def test_spectrum_writes_spectrum_g1_and_figure_and_prints_the_line(tmp_path, capsys):
    import xarray as xr

    code = main(["spectrum", "--n", "40", "--collective-decay", "0.05", "--dephasing", "0.02", "--points", "81",
                 "--out", str(tmp_path)])
    assert code == 0
    out = capsys.readouterr().out
    assert "line FWHM" in out and "tau_c" in out and "permutational" in out
    spectrum = xr.load_dataset(tmp_path / "spectrum.nc")
    g1 = xr.load_dataset(tmp_path / "g1.nc")
    assert spectrum["spectrogram"].dims == ("time", "filter_omega")
    assert abs(float(g1["g1_abs"][0]) - 1.0) < 1e-12
    # the printed photon number is the spectrum's integral (sum rule) and the file's provenance names the method
    photons = float(out.split("photons")[1].split()[0])
    integral = float(spectrum["spectrum"].sum()) * float(spectrum["omega"][1] - spectrum["omega"][0]) / (2 * np.pi)
    assert abs(integral / photons - 1) < 2e-3
    assert spectrum.attrs["provenance_method"] == "permutational"
    assert (tmp_path / "spectrum.png").stat().st_size > 1000 and (tmp_path / "g1.csv").exists()


def test_bunching_writes_the_series_the_shots_and_figures(tmp_path, capsys):
    import xarray as xr

    code = main(["bunching", "--fluences", "2", "8", "--nanocrystals", "30", "--points", "101", "--trajectories",
                 "300", "--out", str(tmp_path)])
    assert code == 0
    out = capsys.readouterr().out
    assert "g2 peak" in out and "exact shots" in out
    series = xr.load_dataset(tmp_path / "bunching.nc")
    shots = xr.load_dataset(tmp_path / "shots.nc")
    assert series.sizes["fluence"] == 2 and series.attrs["provenance_command"] == "sf-dynamics bunching"
    # independent NCs, all photons counted: the photon number is binomial, g2 = 1 - 1/N for the 30 NCs
    np.testing.assert_allclose(series["g2_pulse_uncoupled"].values, 1 - 1 / 30, rtol=1e-6)
    # the pump law of the sample: p(F) = 1 - exp(-sigma F / E_ph)
    np.testing.assert_allclose(series["probability"].values, fluence.excitation_probability([2.0, 8.0],
                                                                                            cross_section_cm2=5e-14))
    assert shots.sizes["shot"] == 300 and abs(float(shots["probability"].sum()) - 1) < 1e-12
    assert (tmp_path / "bunching.png").stat().st_size > 1000 and (tmp_path / "shots.png").stat().st_size > 1000


@pytest.mark.parametrize(
    "argv, flag",
    [
        (["simulate", "--n", "0"], "--n"),
        (["bunching", "--local-efficiency", "1.5"], "--local-efficiency"),
        (["bunching", "--efficiency", "0"], "--efficiency"),
        (["simulate", "--points", "1"], "--points"),
        (["simulate", "--t-max", "inf"], "--t-max"),
        (["simulate", "--t-max", "-2"], "--t-max"),
        (["simulate", "--dephasing", "nan"], "--dephasing"),
        (["simulate", "--decay", "-1"], "--decay"),
        (["simulate", "--method", "magic"], "--method"),
        (["sweep", "--temperatures", "-3"], "--temperatures"),
        (["spectrum", "--wavelength", "0"], "--wavelength"),
        (["spectrum", "--filter-fwhm", "-1"], "--filter-fwhm"),
        (["spectrum", "--method", "maxwell_bloch"], "--method"),
        (["sweep", "--n", "x"], "--n"),
    ],
)
def test_a_bad_flag_value_names_the_flag(tmp_path, capsys, argv, flag):
    with pytest.raises(SystemExit) as exc:
        main([*argv, "--out", str(tmp_path / "out")])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert f"argument {flag}" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_outputs_are_not_overwritten_without_the_flag(tmp_path, capsys):
    argv = ["simulate", "--n", "10", "--collective-decay", "0.5", "--points", "21", "--out", str(tmp_path)]
    assert main(argv) == 0
    before = (tmp_path / "trace.csv").read_bytes()
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("sf-dynamics: error: --out") and "--overwrite" in err and err.count("\n") == 1
    assert (tmp_path / "trace.csv").read_bytes() == before
    assert main([*argv, "--overwrite"]) == 0


def test_out_problems_are_one_line_errors(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["simulate", "--n", "10", "--points", "21", "--out", str(blocker)]) == 2
    err = capsys.readouterr().err
    assert "is a file" in err and err.count("\n") == 1
    assert main(["simulate", "--n", "10", "--points", "21", "--out", str(blocker / "below")]) == 2
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.slow
def test_console_script_help():
    proc = subprocess.run([sys.executable, "-m", "sf_dynamics.cli", "simulate", "--help"],
                          capture_output=True, text=True, check=True)
    assert "--collective-decay" in proc.stdout and "--overwrite" in proc.stdout
    for command in ("report", "sweep"):
        text = subprocess.run([sys.executable, "-m", "sf_dynamics.cli", command, "--help"], capture_output=True,
                              text=True, check=True).stdout
        # no run-time claims in the help: measured times live in the README's performance section
        assert "minute" not in text and "seconds" not in text


def test_sweep_command_writes_netcdf_csv_and_figures(tmp_path, capsys):
    import xarray as xr

    code = main(["sweep", "--kind", "dynamic", "--temperatures", "4", "--n", "40", "--executor", "serial",
                 "--collective-fraction", "0.5", "--lifetime", "100", "--excitation", "0.9", "--out", str(tmp_path)])
    assert code == 0
    out = capsys.readouterr().out
    assert "burst" in out and "50% collective" in out and "p = 0.9" in out
    for name in ("dynamic_sweep.nc", "dynamic_sweep.csv", "dynamic_sweep.png"):
        assert (tmp_path / name).stat().st_size > 100
    assert "sf_dynamics_version" in (tmp_path / "dynamic_sweep.csv").read_text().splitlines()[0]
    # the domain the flags describe: 40 NCs, Gamma_c = 0.5 / 100 ps, excited with p = 0.9
    ds = xr.load_dataset(tmp_path / "dynamic_sweep.nc")
    assert ds.attrs["excitation"] == 0.9 and ds.attrs["n"] == 40
    ens = sf.Ensemble(40, collective_decay=0.005, decay=0.005, dephasing=float(ds["dephasing"][0]))
    ref = sf.simulate(ens, ds["time"].values, method="permutational", initial=sf.ProductState(0.9))
    np.testing.assert_allclose(ds["intensity"].values[0], ref.intensity, rtol=1e-9, atol=1e-12 * ref.intensity.max())
