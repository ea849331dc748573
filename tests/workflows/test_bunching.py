"""The bunching series: its numbers are the solvers' g2, its references are exact, bad input is refused."""

import numpy as np
import pytest

import sf_dynamics as sf


def test_series_reports_the_solvers_g2_and_exact_uncoupled_references():
    d = sf.workflows.bunching_series([10.0, 40.0], nanocrystals=40, points=151)
    assert list(d["excited"].values) == sorted(d["excited"].values)
    for k, n in enumerate(d["excited"].values):
        ens = sf.Ensemble(int(n), collective_decay=d.attrs["collective_decay"], decay=d.attrs["decay"],
                          dephasing=d.attrs["dephasing"])
        res = sf.simulate(ens, d["time"].values, method="permutational")
        peak = np.argmax(res.data["collective_rate"])
        assert float(d["g2_peak"][k]) == pytest.approx(res.data["g2"][peak], rel=1e-9)
        assert float(d["g2_zero_delay"][k]) == pytest.approx(sf.statistics.zero_delay_g2(res), rel=1e-9)
        # binomial photon numbers of independent NCs and their chaotic field in one mode
        assert float(d["g2_pulse_uncoupled"][k]) == pytest.approx(1 - 1 / n, rel=1e-6)
        assert float(d["g2_mode_uncoupled"][k]) == pytest.approx(2 * (1 - 1 / n))
    # the burst is bunched, and less so than chaotic light
    assert np.all((d["g2_peak"].values > 1) & (d["g2_peak"].values < d["g2_mode_uncoupled"].values))


def test_exact_shots_give_the_same_series_within_sampling():
    kwargs = dict(nanocrystals=40, points=151)
    exact = sf.workflows.bunching_series([3.0], **kwargs)
    shots = sf.workflows.bunching_series([3.0], method="jumps", trajectories=3000, seed=2, **kwargs)
    assert float(shots["g2_pulse"][0]) == pytest.approx(float(exact["g2_pulse"][0]), abs=0.03)
    assert float(shots["g2_peak"][0]) == pytest.approx(float(exact["g2_peak"][0]), abs=0.1)


def test_bad_series_are_refused():
    with pytest.raises(ValueError, match="strictly increasing"):
        sf.workflows.bunching_series([3.0, 1.0])
    with pytest.raises(ValueError, match="method must be one of"):
        sf.workflows.bunching_series([1.0], method="twa")
    with pytest.raises(ValueError, match="collective_decay"):
        sf.workflows.bunching_series([1.0], collective_decay=0.0)
