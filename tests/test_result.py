import numpy as np
import pytest

from sf_dynamics import Result


def _result():
    t = np.linspace(0, 2, 5)
    data = {"coherence": (1 + 2j) * t, "trace": np.ones(5)}
    return Result(t, t**2, 3 - t, "permutational", {"n": 3, "collective_decay": 1.0, "initial": "excited"}, data)


def test_csv_round_trip(tmp_path):
    res = _result()
    path = res.to_csv(tmp_path / "sub" / "trace.csv")
    back = Result.from_csv(path)
    np.testing.assert_array_equal(back.times, res.times)
    np.testing.assert_array_equal(back.intensity, res.intensity)
    np.testing.assert_array_equal(back.excitation, res.excitation)
    np.testing.assert_array_equal(back.data["coherence"], res.data["coherence"])
    assert back.method == "permutational" and back.parameters == res.parameters


def test_from_csv_rejects_foreign_files(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(ValueError, match="path"):
        Result.from_csv(path)


def test_to_xarray_has_time_coordinate_units_and_attrs():
    ds = _result().to_xarray()
    assert ds["time"].attrs["units"] == "ps"
    assert ds["intensity"].attrs["units"] == "photons/ps"
    assert ds.attrs["method"] == "permutational" and ds.attrs["n"] == 3
    np.testing.assert_allclose(ds["intensity"].values, np.linspace(0, 2, 5) ** 2)


def test_shape_mismatch_is_rejected():
    with pytest.raises(ValueError, match="intensity"):
        Result([0, 1], [1, 2, 3], [1, 2], "x", {"n": 1})
    with pytest.raises(ValueError, match="data"):
        Result([0, 1], [1, 2], [1, 2], "x", {"n": 1}, data={"extra": [1.0]})


def test_csv_header_records_provenance_rows_checksum_and_2d_data(tmp_path):
    res = _result()
    res.data["single_shots"] = np.ones((5, 3))
    path = res.to_csv(tmp_path / "trace.csv")
    header = path.read_text().splitlines()[0]
    for word in ("sf_dynamics_version", "created_utc", '"rows": 5', "crc32", "single_shots", "to_netcdf"):
        assert word in header, word


def test_existing_files_are_not_overwritten_unless_asked(tmp_path):
    res = _result()
    path = res.to_csv(tmp_path / "trace.csv")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        res.to_csv(path)
    res.to_csv(path, overwrite=True)
    nc = res.to_netcdf(tmp_path / "trace.nc")
    with pytest.raises(FileExistsError, match="overwrite"):
        res.to_netcdf(nc)


def test_truncated_or_edited_csv_is_detected(tmp_path):
    t = np.linspace(0, 3, 3001)
    res = Result(t, np.exp(-t), 2 * np.exp(-t), "dicke", {"n": 2})
    path = res.to_csv(tmp_path / "trace.csv")
    text = path.read_text()
    path.write_text(text[: len(text) // 4])  # what a full disk used to leave behind
    with pytest.raises(ValueError, match="damaged or truncated"):
        Result.from_csv(path)
    path.write_text(text.replace("0.5", "0.6", 1))
    with pytest.raises(ValueError, match="damaged"):
        Result.from_csv(path)


def test_a_failed_write_leaves_no_file(tmp_path, monkeypatch):
    import errno

    from sf_dynamics._io import files

    def disk_full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space"):
        _result().to_csv(tmp_path / "trace.csv")
    assert list(tmp_path.iterdir()) == []


def test_netcdf_holds_two_dimensional_data_and_provenance(tmp_path):
    import xarray as xr

    res = _result()
    res.data["single_shots"] = np.arange(15.0).reshape(5, 3)
    res.provenance = {"sf_dynamics_version": "x", "seed": 7}
    path = res.to_netcdf(tmp_path / "trace.nc")
    with xr.open_dataset(path) as ds:
        np.testing.assert_array_equal(ds["single_shots"].values, res.data["single_shots"])
        np.testing.assert_array_equal(ds["coherence_imag"].values, res.data["coherence"].imag)
        assert ds.attrs["provenance_seed"] == 7 and ds.attrs["method"] == "permutational"


def test_take_times_cuts_every_series():
    res = _result()
    cut = res.take_times(slice(2, None))
    np.testing.assert_array_equal(cut.times, res.times[2:])
    np.testing.assert_array_equal(cut.data["coherence"], res.data["coherence"][2:])


def _same(a, b):
    """Recursive bit-for-bit equality of saved values (arrays, dicts, lists, numbers, NaN included)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, (np.ndarray, float, complex, np.floating)):
        a, b = np.asarray(a), np.asarray(b)
        return a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")
    return a == b


def _round_trip_cases():
    import sf_dynamics as sf

    ens = sf.Ensemble(6, collective_decay=1.0, decay=0.1, dephasing=0.2)
    detuned = sf.Ensemble(3, collective_decay=1.0, detunings=[0.0, 0.5, -0.5])
    return {
        "dicke": (sf.Ensemble(20, collective_decay=1.0), {}),
        "permutational": (ens, {}),
        "exact": (detuned, {}),
        "cumulant": (sf.Ensemble(50, collective_decay=0.02, detunings=np.linspace(-0.1, 0.1, 50)), {}),
        "meanfield": (sf.Ensemble(50, collective_decay=0.02, detunings=np.linspace(-0.1, 0.1, 50)), {}),
        "twa": (sf.Ensemble(20, collective_decay=1.0), {"trajectories": 200, "seed": 4}),
        "jumps": (sf.Ensemble(20, collective_decay=1.0, decay=0.1), {"trajectories": 1000, "seed": 5}),
        "maxwell_bloch": (sf.Slab(400, 0.01, decay=0.005, slices=8),
                          {"trajectories": 16, "seed": 6}),
    }


@pytest.mark.parametrize("method", ["dicke", "permutational", "exact", "cumulant", "meanfield", "twa", "jumps",
                                    "maxwell_bloch"])
def test_a_saved_result_loads_back_bit_for_bit_shots_included(tmp_path, method):
    import sf_dynamics as sf

    system, options = _round_trip_cases()[method]
    res = sf.simulate(system, np.linspace(0.05, 3.0, 31), method=method, **options)
    back = Result.load(res.save(tmp_path / f"{method}.nc"))
    assert set(back.dataset.data_vars) == set(res.dataset.data_vars)
    for name, var in res.dataset.data_vars.items():
        assert back.dataset[name].dims == var.dims and back.dataset[name].attrs == var.attrs, name
        assert _same(var.values, back.dataset[name].values), name
    np.testing.assert_array_equal(back.times, res.times)
    for part in ("parameters", "provenance"):
        assert _same(getattr(res, part), getattr(back, part)), part
    assert _same(dict(res.info), dict(back.info))
    assert back.method == method and "populations_dim1" not in back.dataset.dims
    if method in ("jumps", "twa"):
        assert back.dataset.sizes["shot"] == options["trajectories"]
        np.testing.assert_array_equal(back.info["shot_delays"], res.info["shot_delays"])
        assert back.dataset["shot_delays"].attrs["units"] == "ps"


def test_load_refuses_a_netcdf_file_that_is_not_a_result(tmp_path):
    import xarray as xr

    path = tmp_path / "other.nc"
    xr.Dataset({"a": ("x", np.arange(3.0))}).to_netcdf(path)
    with pytest.raises(ValueError, match="not a netCDF file written by Result.save"):
        Result.load(path)


def test_saved_diagnostics_keep_their_types_shapes_and_order(tmp_path):
    t = np.linspace(0, 1, 6)
    parameters = {"n": 2, "method": "not the method", "offsets": (0, 0, 1), "scale": np.float32(0.1),
                  "empty": np.zeros((0, 3)), "by_class": {1: "a", 2: "b"}, "name": "CsPbBr₃"}
    info = {"shot_delays": np.arange(4.0), "partial": True, "note": None, "drift": float("nan"), "z": 1 + 2j}
    res = Result(t, t, t, "toy", parameters, {"coherence": t * 1j, "trace": t, "g2": t}, info)
    back = Result.load(res.save(tmp_path / "r.nc"))
    assert back.method == "toy" and list(back.data) == list(res.data)
    assert _same(back.parameters, res.parameters) and _same(dict(back.info), dict(res.info))
    assert list(back.dataset.data_vars) == list(res.dataset.data_vars)


def test_take_times_copies_the_metadata_and_reserved_names_are_refused():
    res = _result()
    cut = res.take_times(slice(2, None))
    cut.info["note"] = 1
    cut.parameters["n"] = 99
    assert "note" not in res.info and res.parameters["n"] == 3
    for name in ("time", "intensity", "excitation", "shot_delays"):
        with pytest.raises(ValueError, match="not a further time series"):
            res.data[name] = np.zeros(5)
