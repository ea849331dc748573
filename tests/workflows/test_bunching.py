"""The bunching series: its numbers are the solvers' g2, its references are exact, bad input is refused."""

import numpy as np
import pytest

import sf_dynamics as sf
from sf_dynamics.workflows.sample import Sample


def test_series_reports_the_solvers_g2_and_exact_uncoupled_references():
    sample = Sample(domain_sizes=40)
    d = sf.workflows.bunching_series([10.0, 40.0], sample, points=151)
    assert list(d["excited"].values) == sorted(d["excited"].values)
    n = 40
    for k, p in enumerate(d["probability"].values):
        assert p == pytest.approx(sample.excitation_probability(d["fluence"].values[k])[0])
        ens = sf.Ensemble(n, collective_decay=d.attrs["collective_decay"], decay=d.attrs["decay"],
                          dephasing=d.attrs["dephasing"])
        res = sf.simulate(ens, d["time"].values, method="permutational", initial=sf.ProductState(p))
        peak = np.argmax(res.data["collective_rate"])
        assert float(d["g2_peak"][k]) == pytest.approx(res.data["g2"][peak], rel=1e-9)
        assert float(d["g2_zero_delay"][k]) == pytest.approx(sf.statistics.zero_delay_g2(res), rel=1e-9)
        # binomial photon numbers of independent NCs and their chaotic field in one mode
        assert float(d["g2_pulse_uncoupled"][k]) == pytest.approx(1 - 1 / n, rel=1e-6)
        assert float(d["g2_mode_uncoupled"][k]) == pytest.approx(2 * (1 - 1 / n))
    # the collective channel is bunched, and less so than chaotic light
    assert np.all((d["g2_peak"].values > 1) & (d["g2_peak"].values < d["g2_mode_uncoupled"].values))


def test_exact_shots_give_the_same_series_within_sampling():
    kwargs = dict(points=151)
    sample = Sample(domain_sizes=40)
    exact = sf.workflows.bunching_series([30.0], sample, **kwargs)
    shots = sf.workflows.bunching_series([30.0], sample, method="jumps", trajectories=3000, seed=2, **kwargs)
    # within five standard errors of the sampled values
    assert float(shots["g2_pulse"][0]) == pytest.approx(float(exact["g2_pulse"][0]),
                                                         abs=5 * float(shots["g2_pulse_sem"][0]))
    # g2 at the exact peak time (the sampled argmax moves with the noise; its standard error is that of the
    # sampled peak, a neighbouring time)
    k = int(np.argmax(exact["collective_rate"].values[0]))
    assert float(shots["g2"][0, k]) == pytest.approx(float(exact["g2_peak"][0]), abs=5 * float(shots["g2_peak_sem"][0]))


def test_bad_series_are_refused():
    with pytest.raises(ValueError, match="strictly increasing"):
        sf.workflows.bunching_series([3.0, 1.0])
    with pytest.raises(ValueError, match="method must be one of"):
        sf.workflows.bunching_series([1.0], method="twa")
    with pytest.raises(ValueError, match="collective_decay"):
        sf.workflows.bunching_series([1.0], Sample(domain_sizes=10, collective_decay=0.0, decay=0.1))
    with pytest.raises(ValueError, match="one domain size"):
        sf.workflows.bunching_series([1.0], Sample(domain_sizes=[10, 20]))
    with pytest.raises(ValueError, match="efficiency"):
        sf.workflows.bunching_series([1.0], efficiency=1.5)
