import numpy as np
import pytest

import sf_dynamics as sf
from sf_dynamics import Ensemble, available_methods, methods_supporting, simulate


def test_auto_picks_the_cheapest_exact_method():
    t = np.linspace(0, 1, 5)
    assert simulate(Ensemble(5, collective_decay=1.0), t).method == "dicke"
    assert simulate(Ensemble(5, collective_decay=1.0, decay=0.1), t).method == "permutational"
    assert simulate(Ensemble(3, collective_decay=1.0, detunings=[0, 1, 2]), t).method == "exact"


def test_methods_supporting_lists_capable_methods():
    assert methods_supporting(Ensemble(4, collective_decay=1.0))[:3] == ["dicke", "permutational", "exact"]
    assert methods_supporting(Ensemble(40, collective_decay=1.0, dephasing=0.1)) == [
        "permutational", "cumulant", "meanfield", "twa", "jumps"]
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
        simulate(ens, t, method="permutational", tolerance=1e-3)
    with pytest.raises(ValueError, match="ensemble"):
        simulate({"n": 2}, t)
    with pytest.raises(ValueError, match="initial"):
        simulate(ens, t, initial="inverted")


def test_no_method_for_large_inhomogeneous_ensembles_is_explained():
    ens = Ensemble(13, collective_decay=1.0, detunings=np.linspace(0, 1, 13))
    with pytest.raises(ValueError, match="n <= 12"):
        simulate(ens, np.linspace(0, 1, 3), method="exact")


def _time_origin_cases():
    from sf_dynamics import NanocrystalEnsemble, Slab

    return [
        ("dicke", Ensemble(30, collective_decay=1.0), {}),
        ("permutational", Ensemble(12, collective_decay=1.0, decay=0.2, dephasing=0.3), {}),
        ("exact", Ensemble(4, collective_decay=1.0, decay=0.2, detunings=[0, 0.3, -0.2, 0.5]), {}),
        ("cumulant", Ensemble(40, collective_decay=1.0, dephasing=0.2), {"rtol": 1e-10, "atol": 1e-12}),
        ("cumulant", NanocrystalEnsemble(3, collective_decay=1.0, decay=0.2), {"rtol": 1e-10, "atol": 1e-12}),
        ("meanfield", Ensemble(200, collective_decay=1.0), {"rtol": 1e-10, "atol": 1e-12}),
        ("maxwell_bloch", Slab(1e4, 1e-4, decay=1e-3, slices=5), {"initiation": "tipping", "rtol": 1e-10}),
    ]


@pytest.mark.parametrize("method, ensemble, options", _time_origin_cases(),
                         ids=[c[0] + str(i) for i, c in enumerate(_time_origin_cases())])
def test_the_excitation_is_at_t0_whatever_the_first_output_time(method, ensemble, options):
    # a grid starting at t1 > 0 reports the trajectory of the excitation at t = 0 from t1 on
    full = np.linspace(0.0, 0.3, 31) * (1.0 if method != "maxwell_bloch" else 1e3)
    late = full[10:]
    a = simulate(ensemble, late, method=method, **options)
    b = simulate(ensemble, full, method=method, **options)
    np.testing.assert_array_equal(a.times, late)
    np.testing.assert_allclose(a.intensity, b.intensity[10:], rtol=1e-6, atol=1e-9 * b.intensity.max())
    np.testing.assert_allclose(a.excitation, b.excitation[10:], rtol=1e-6, atol=1e-9 * b.excitation.max())
    assert a.excitation[0] < b.excitation[0]  # the emitters have already radiated


def test_the_time_origin_of_shot_based_methods_within_their_standard_error():
    ens = Ensemble(2000, collective_decay=1.0)
    full = np.linspace(0.0, 3 * np.log(2000) / 2000, 61)
    a = simulate(ens, full[20:], method="twa", trajectories=400, seed=3)
    b = simulate(ens, full, method="twa", trajectories=400, seed=4)
    sem = np.hypot(a.data["intensity_sem"], b.data["intensity_sem"][20:])
    assert np.all(np.abs(a.intensity - b.intensity[20:]) < 4 * sem + 1e-9)
    assert a.excitation[0] < 0.99 * 2000


def test_result_records_provenance():
    res = simulate(Ensemble(5, collective_decay=1.0), np.linspace(0, 1, 5), method="permutational", tol=1e-7)
    assert res.provenance["method"] == "permutational"
    assert res.provenance["options"] == {"tol": 1e-7}
    assert "sf_dynamics_version" in res.provenance and "created_utc" in res.provenance


# -- one option vocabulary -------------------------------------------------------------------------------------
@pytest.mark.filterwarnings("ignore::sf_dynamics.solvers.twa.TWAValidityWarning")
def test_each_method_takes_exactly_its_own_options_and_checks_their_values():
    ens = sf.Ensemble(8, collective_decay=1.0, decay=0.1)
    t = np.linspace(0, 1.0, 11)
    for method in ("permutational", "exact", "cumulant", "meanfield", "twa"):
        accepted = sf.method_options(method)
        opts = {k: v for k, v in {"rtol": 1e-6, "atol": 1e-9, "progress": False, "seed": 3,
                                  "max_steps": 10**6}.items() if k in accepted}
        if method == "meanfield":
            opts["seed_angle"] = 0.3
        if method == "twa":
            opts["trajectories"] = 16
        res = sf.simulate(ens, t, method=method, options=opts)
        assert res.provenance["options"] == opts
        for name, bad in (("seed", -1), ("rtol", 2.0), ("progress", "yes")):
            # a bad value is refused naming the option; an option the method does not have, naming what it has
            with pytest.raises(ValueError, match=name if name in accepted else "accepted: "):
                sf.simulate(ens, t, method=method, **{name: bad})
    with pytest.raises(ValueError, match=r"unknown option\(s\) \['seed'\] for method 'exact'.*sampling methods"):
        sf.simulate(ens, t, method="exact", seed=3)
    assert sf.simulate(ens, t, method="twa", trajectories=16, seed=3).provenance["seed"] == 3


def test_options_dict_and_keywords_combine_but_never_repeat():
    ens = sf.Ensemble(6, collective_decay=1.0)
    t = np.linspace(0, 1.0, 11)
    a = sf.simulate(ens, t, method="permutational", options={"rtol": 1e-9})
    b = sf.simulate(ens, t, method="permutational", rtol=1e-9)
    np.testing.assert_array_equal(a.intensity, b.intensity)
    with pytest.raises(ValueError, match="both"):
        sf.simulate(ens, t, method="permutational", options={"rtol": 1e-9}, rtol=1e-8)
    with pytest.raises(ValueError, match="options must be a dict"):
        sf.simulate(ens, t, method="permutational", options=[("rtol", 1e-9)])
    with pytest.raises(ValueError, match=r"unknown option\(s\) \['tolerance'\].*rtol"):
        sf.simulate(ens, t, method="permutational", tolerance=1e-9)


def test_tol_is_the_alias_of_rtol_for_the_ladder_methods():
    ens = sf.Ensemble(30, collective_decay=1.0)
    t = np.linspace(0, 0.5, 51)
    for method in ("dicke", "permutational"):
        a = sf.simulate(ens, t, method=method, tol=1e-8)
        b = sf.simulate(ens, t, method=method, rtol=1e-8)
        np.testing.assert_array_equal(a.intensity, b.intensity)
        with pytest.raises(ValueError, match="not both"):
            sf.simulate(ens, t, method=method, tol=1e-8, rtol=1e-8)


def test_max_steps_stops_the_ladder_methods_with_a_clear_error():
    ens = sf.Ensemble(200, collective_decay=1.0, decay=0.5)
    with pytest.raises((ValueError, RuntimeError), match="max_steps"):
        sf.simulate(ens, np.linspace(0, 5, 11), method="permutational", max_steps=3)


def test_method_options_lists_only_what_acts_on_the_method():
    assert list(sf.method_options("exact")) == ["progress", "max_steps", "store_states"]
    assert "seed" in sf.method_options("twa") and "rtol" not in sf.method_options("twa")
    with pytest.raises(ValueError, match="method must be one of"):
        sf.method_options("magic")
