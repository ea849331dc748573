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
