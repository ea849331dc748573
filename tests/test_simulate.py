import numpy as np
import pytest

from sf_dynamics import Ensemble, available_methods, methods_supporting, simulate


def test_auto_picks_the_cheapest_exact_method():
    t = np.linspace(0, 1, 5)
    assert simulate(Ensemble(5, collective_decay=1.0), t).method == "dicke"
    assert simulate(Ensemble(5, collective_decay=1.0, decay=0.1), t).method == "permutational"
    assert simulate(Ensemble(3, collective_decay=1.0, detunings=[0, 1, 2]), t).method == "exact"


def test_methods_supporting_lists_capable_methods():
    assert methods_supporting(Ensemble(4, collective_decay=1.0))[:3] == ["dicke", "permutational", "exact"]
    assert methods_supporting(Ensemble(40, collective_decay=1.0, dephasing=0.1)) == [
        "permutational", "cumulant", "meanfield", "twa"]
    assert set(available_methods()) >= {"dicke", "permutational", "exact", "cumulant", "meanfield", "twa"}


def test_auto_uses_the_cumulant_expansion_beyond_exact_methods():
    ens = Ensemble(50, collective_decay=1.0, detunings=np.linspace(-1, 1, 50))
    assert simulate(ens, np.linspace(0, 0.2, 5)).method == "cumulant"


@pytest.mark.parametrize(
    "times, match",
    [
        ([0.0, 1.0, 0.5], "strictly increasing"),
        ([0.0, np.nan, 1.0], "finite"),
        ([[0.0, 1.0]], "1-D"),
        ([1.0], "at least 2"),
        ([-1.0, 0.0, 1.0], "t >= 0"),
        ("abc", "times"),
    ],
)
def test_bad_times(times, match):
    with pytest.raises(ValueError, match=match):
        simulate(Ensemble(2, collective_decay=1.0), times)


def test_unknown_method_and_option_and_ensemble_type():
    t = np.linspace(0, 1, 3)
    ens = Ensemble(2, collective_decay=1.0)
    with pytest.raises(ValueError, match="method must be one of"):
        simulate(ens, t, method="magic")
    with pytest.raises(ValueError, match="method must be a string"):
        simulate(ens, t, method=3)
    with pytest.raises(ValueError, match="unknown option"):
        simulate(ens, t, method="permutational", atol=1e-3)
    with pytest.raises(ValueError, match="ensemble"):
        simulate({"n": 2}, t)
    with pytest.raises(ValueError, match="initial"):
        simulate(ens, t, initial="inverted")


def test_no_method_for_large_inhomogeneous_ensembles_is_explained():
    ens = Ensemble(12, collective_decay=1.0, detunings=np.linspace(0, 1, 12))
    with pytest.raises(ValueError, match="n <= 10"):
        simulate(ens, np.linspace(0, 1, 3), method="exact")
