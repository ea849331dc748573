"""The spacing study of exciton transport (scripts/transport_spacing.py): its own logic against exact results.

The package's transport (rates, rate equation, D, L) is tested in tests/transport; here: the hop-sum diffusion
coefficient, the lattice sizing, the MSD exponent, the suppression gap, that a point without disorder recovers
D exactly, that the coherent-regime warning is counted instead of repeated, the command's files and its refusals.
"""

import importlib.util
import json
import warnings
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import sf_dynamics as sf
from sf_dynamics import transport as tr

PATH = Path(__file__).resolve().parents[1] / "scripts" / "transport_spacing.py"


@pytest.fixture(scope="module")
def study():
    spec = importlib.util.spec_from_file_location("transport_spacing", PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_hop_sum_of_nearest_neighbour_hops_is_ka2(study):
    """sum_j k r^2 / 2d = 4 k a^2 / 4 for every NC away from the edge."""
    lattice = sf.Superlattice.square(15, 15)
    rates = tr.TransferRates.nearest_neighbour(lattice, 0.3)
    a = lattice.lattice_constant_nm
    assert study.hop_diffusion(rates) == pytest.approx(0.3 * a**2, rel=1e-12)
    assert study.hop_diffusion(rates, np.mean) == pytest.approx(0.3 * a**2, rel=1e-12)


def test_lattice_side_is_the_smallest_odd_side_holding_the_cloud(study):
    d, t, a, spot = 2.0, 400.0, 12.0, 48.0
    sigma = np.sqrt((spot / 2.3548200450309493) ** 2 + 2 * d * t)
    side = study.lattice_side(d, t, a, spot, maximum=1001)
    assert side % 2 == 1
    assert (side - 1) / 2 * a >= study.MARGIN_SIGMAS * sigma > (side - 3) / 2 * a
    assert study.lattice_side(d, t, a, spot, maximum=20) == 19          # clipped to the largest odd side
    assert study.lattice_side(0.0, 0.0, a, 1.0) == 11                    # at least the minimum


@pytest.mark.parametrize("alpha", [0.5, 1.0])
def test_msd_exponent_of_a_power_law(study, alpha):
    t = np.linspace(0.0, 400.0, 41)
    ds = xr.Dataset({"msd": ("time", 50.0 + 3.0 * t**alpha)}, coords={"time": t})
    assert study.msd_exponent(ds, (20.0, 400.0)) == pytest.approx(alpha, abs=1e-9)


def test_suppression_gap_interpolates_log_length_over_spacing(study):
    """L / a = e at a 1 nm gap and 1/e at 11 nm: log(L / a) crosses 0 half way, at 6 nm."""
    ds = xr.Dataset({"gap_nm": ("point", [11.0, 1.0]), "spacing_nm": ("point", [20.0, 10.0]),
                     "temperature_K": ("point", [300.0, 300.0]),
                     "diffusion_length_nm": ("point", [20.0 / np.e, 10.0 * np.e])})
    assert study.suppression_gap(ds, 300.0) == pytest.approx(6.0, rel=1e-12)
    assert np.isnan(study.suppression_gap(ds.assign(diffusion_length_nm=("point", [30.0, 40.0])), 300.0))


@pytest.mark.parametrize("quantum_yield", [1.0, 0.5])
def test_point_without_disorder_recovers_the_hop_sum(study, quantum_yield):
    """Identical NCs: every NC away from the edge has the same hops and no drift, so MSD(t) - MSD(0) = 4 D0 t
    exactly with D0 the hop sum; the lattice's edge at >= 3 standard deviations lowers the MSD by < 1 %.
    L = sqrt(D tau) with tau = quantum yield x lifetime; no disorder, no red shift."""
    row, ds = study.study_point(5.0, 300.0, inhomogeneous_fwhm_meV=0.0, quantum_yield=quantum_yield)
    assert row["edge_ok"]
    assert row["diffusion_nm2_per_ps"] == pytest.approx(row["hop_diffusion_nm2_per_ps"], rel=0.01)
    assert row["msd_exponent"] == pytest.approx(1.0, abs=0.01)
    assert row["diffusion_length_nm"] == pytest.approx(np.sqrt(row["diffusion_nm2_per_ps"] * quantum_yield * 210.0),
                                                       rel=1e-12)
    assert row["rms_length_nm"] == pytest.approx(2.0 * row["diffusion_length_nm"], rel=1e-12)
    assert abs(row["red_shift_meV"]) < 1e-9
    assert row["coherent_pairs"] == 0
    assert ds["time"].values[-1] == pytest.approx(2 * quantum_yield * 210.0)


def test_coherent_pairs_are_counted_and_not_warned_per_point(study):
    lattice = study.build_lattice(11, 5.0)
    with pytest.warns(RuntimeWarning, match="NC pairs have"):
        tr.transfer_rates(lattice, 6.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        row, _ = study.study_point(5.0, 6.0)
    assert row["coherent_pairs"] > 0 and row["max_coupling_ratio"] > 0.5


def test_command_writes_data_table_and_figure_with_provenance(study, tmp_path, capsys):
    out = tmp_path / "run"
    study.main(["--gaps", "15", "20", "--temperatures", "300", "--out", str(out), "--quiet"])
    printed = capsys.readouterr().out
    assert printed.count("| 300 |") == 2 and "Literature [stated, not confirmed]" in printed
    with xr.open_dataset(out / "transport_spacing.nc") as ds:
        assert ds.sizes["point"] == 2 and ds["msd"].dims == ("point", "time")
        assert ds.attrs["literature_close_packed_diffusion_length_nm"] == 200.0
        assert ds.attrs["provenance_command"] == study.COMMAND and ds.attrs["inhomogeneous_fwhm_meV"] == 20.0
        lengths = ds["diffusion_length_nm"].values
    assert lengths[1] < lengths[0]                                   # farther apart, shorter transport
    header = (out / "transport_spacing.csv").read_text().splitlines()[0]
    assert json.loads(header.split(":", 1)[1])["provenance"]["seed"] == 1
    from PIL import Image

    with Image.open(out / "transport_spacing.png") as image:
        assert json.loads(image.text["Description"])["command"] == study.COMMAND
    with pytest.raises(FileExistsError, match="--out|transport_spacing"):
        study.main(["--gaps", "20", "--temperatures", "300", "--out", str(out), "--quiet"])


@pytest.mark.parametrize("argv, option", [
    (["--quantum-yield", "0"], "--quantum-yield"), (["--quantum-yield", "1.5"], "--quantum-yield"),
    (["--lifetime", "-1"], "--lifetime"), (["--edge", "nan"], "--edge"), (["--gaps", "-1"], "--gaps"),
    (["--temperatures", "0"], "--temperatures"), (["--inhomogeneous-fwhm", "-2"], "--inhomogeneous-fwhm"),
    (["--max-side", "5"], "--max-side"), (["--refractive-index", "0"], "--refractive-index"),
])
def test_bad_options_are_refused_naming_them(study, tmp_path, capsys, argv, option):
    with pytest.raises(SystemExit):
        study.main([*argv, "--out", str(tmp_path / "x"), "--quiet"])
    assert option in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
