"""Temperature sweeps: their physics and files, and the same numbers on local processes, serially and on a real
dask.distributed LocalCluster. The execution engine itself (order, failures, resume, Ctrl-C) is tested in
test_executor.py."""

import numpy as np
import pytest

from sf_dynamics import sweep


@pytest.mark.slow
def test_dynamic_sweep_on_a_dask_cluster_equals_the_local_default(dask_client):
    temps = np.array([5.0, 40.0, 80.0])
    local = sweep.dynamic_temperature_sweep(temps, n=60)
    remote = sweep.dynamic_temperature_sweep(temps, n=60, executor=dask_client)
    for name in ("tau_d", "peak", "peak_over_incoherent", "intensity"):
        np.testing.assert_allclose(remote[name].values, local[name].values, rtol=1e-12)
    assert remote.attrs["t_sf_vanishes_K"] == pytest.approx(local.attrs["t_sf_vanishes_K"])


def test_dynamic_sweep_physics_and_files(tmp_path):
    temps = np.array([5.0, 20.0, 40.0, 45.0, 50.0, 55.0, 60.0, 100.0])
    ds = sweep.dynamic_temperature_sweep(temps, n=100, executor="serial")
    # dephasing grows with T, the burst weakens and finally vanishes
    assert np.all(np.diff(ds["dephasing"].values) > 0)
    assert np.all(np.diff(ds["peak_over_incoherent"].values) < 0)
    assert ds["sf"].values[0] == 1 and ds["sf"].values[-1] == 0
    # tau_D is reported only where there is a burst
    assert np.all(np.isnan(ds["tau_d"].values[ds["sf"].values == 0]))
    # the interpolated vanishing temperature against direct simulations on either side of it
    vanish = ds.attrs["t_sf_vanishes_K"]
    from sf_dynamics import Ensemble, analysis, simulate
    from sf_dynamics.model.linewidth import dephasing_rate

    window = np.linspace(0.0, ds["time"].values[-1], ds["time"].size)
    assert 40.0 < vanish < 60.0
    for temperature, expect_burst in ((vanish - 2.5, True), (vanish + 2.5, False)):
        gphi = dephasing_rate([temperature], radiative_rate=1.0 / 210.0)[0]
        res = simulate(Ensemble(100, collective_decay=1.0 / 210.0, dephasing=gphi), window)
        assert analysis.burst_summary(res)["burst"] == expect_burst, temperature
    nc, csv = sweep.save_dataset(ds, tmp_path / "dyn")
    import xarray as xr

    with xr.open_dataset(nc) as back:
        np.testing.assert_allclose(back["tau_d"].values, ds["tau_d"].values)
    lines = csv.read_text().splitlines()
    assert lines[0].startswith("# sf_dynamics dataset:") and "sf_dynamics_version" in lines[0]
    assert "peak_over_incoherent" in lines[1]
    with pytest.raises(FileExistsError):
        sweep.save_dataset(ds, tmp_path / "dyn")


def test_thermal_sweep_parallel_realisations_equal_serial():
    temps = np.array([1.0, 10.0, 100.0])
    a = sweep.thermal_sweep("cubic", (3, 3, 2), temps, realizations=2, energy_disorder_meV=0.5)
    b = sweep.thermal_sweep("cubic", (3, 3, 2), temps, realizations=2, energy_disorder_meV=0.5, executor="serial")
    np.testing.assert_allclose(a["enhancement"].values, b["enhancement"].values, rtol=1e-12)
    assert np.isfinite(a.attrs["t_max"])


def test_burst_vanishing_temperature_interpolates():
    # linear in ln(ratio): ln 1.5 lies at (ln 2 - ln 1.5) / (ln 2 - ln 1) of the way from 20 K to 30 K
    expected = 20.0 + 10.0 * (np.log(2.0) - np.log(1.5)) / np.log(2.0)
    assert sweep.burst_vanishing_temperature([10, 20, 30], [3.0, 2.0, 1.0]) == pytest.approx(expected)
    assert np.isnan(sweep.burst_vanishing_temperature([10, 20], [3.0, 2.0]))



def test_a_sweep_with_an_unknown_method_or_executor_is_refused_before_it_runs():
    import pytest

    from sf_dynamics.workflows.sweep import dynamic_temperature_sweep

    with pytest.raises(ValueError, match="method must be one of"):
        dynamic_temperature_sweep([4.0, 10.0], n=10, method="bogus", executor="serial")
    with pytest.raises(ValueError, match="Dask scheduler address"):
        dynamic_temperature_sweep([4.0, 10.0], n=10, executor="bogus")
