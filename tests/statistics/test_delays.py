"""Shot delays: the Gumbel law as a distribution, delay statistics of exact shots, refusals."""

import numpy as np
import pytest
from scipy.integrate import quad

import sf_dynamics as sf


def test_gumbel_density_is_normalised_with_the_stated_mean_and_spread():
    n, rate = 500, 0.7
    mean, std = sf.statistics.gumbel_delay_law(n, rate)
    density = lambda t: sf.statistics.gumbel_density(t, n, rate)  # noqa: E731
    lo, hi = mean - 15 * std, mean + 40 * std
    assert quad(density, lo, hi, limit=200)[0] == pytest.approx(1.0, abs=1e-9)
    assert quad(lambda t: t * density(t), lo, hi, limit=200)[0] == pytest.approx(mean, rel=1e-9)
    second = quad(lambda t: (t - mean) ** 2 * density(t), lo, hi, limit=200)[0]
    assert np.sqrt(second) == pytest.approx(std, rel=1e-8)
    assert mean == pytest.approx((np.log(n) + np.euler_gamma) / (n * rate))


def test_delay_statistics_of_exact_shots_follow_the_gumbel_law_at_large_n():
    n = 10_000
    ens = sf.Ensemble(n, collective_decay=1.0)
    res = sf.simulate(ens, np.linspace(0, 20 / n, 801), method="jumps", trajectories=3000, seed=2)
    stats = sf.statistics.delay_statistics(res, bins=30)
    mean, std = sf.statistics.gumbel_delay_law(n, 1.0)
    # the maximum of the emission rate comes ~ (ln N + gamma_E) / N Gamma_c after the start, like the Gumbel mean
    assert stats.attrs["mean_ps"] == pytest.approx(mean, rel=0.03)
    assert stats.attrs["std_ps"] == pytest.approx(std, rel=0.06)
    assert np.sum(stats["density"].values) * stats.attrs["bin_width_ps"] == pytest.approx(1.0)
    # half-emission times: after the maximum's delay on average, with the same spread (the burst is one shape)
    half = stats["half_time"].values
    assert np.all(np.isfinite(half))
    assert np.std(half) == pytest.approx(std, rel=0.08)


def test_delay_statistics_refuse_results_without_shots_and_bad_bins():
    ens = sf.Ensemble(20, collective_decay=1.0)
    with pytest.raises(ValueError, match="no single shots"):
        sf.statistics.delay_statistics(sf.simulate(ens, [0, 1], method="permutational"))
    res = sf.simulate(ens, np.linspace(0, 1, 11), method="jumps", trajectories=10)
    with pytest.raises(ValueError, match="bins"):
        sf.statistics.delay_statistics(res, bins=1)
    with pytest.raises(ValueError, match="collective_decay must be > 0"):
        sf.statistics.gumbel_delay_law(10, 0.0)
    with pytest.raises(ValueError, match="n"):
        sf.statistics.gumbel_delay_law(1, 1.0)


def test_one_delay_statistics_with_counts_edges_and_the_standard_error():
    assert sf.analysis.delay_statistics is sf.statistics.delay_statistics
    ens = sf.Ensemble(200, collective_decay=1.0)
    res = sf.simulate(ens, np.linspace(0, 0.2, 201), method="jumps", trajectories=200, seed=3)
    stats = sf.statistics.delay_statistics(res)
    delays = res.info["shot_delays"]
    assert stats.sizes["centre"] == sf.statistics.delays.DELAY_BINS
    density, edges = np.histogram(delays, bins=sf.statistics.delays.DELAY_BINS, density=True)
    np.testing.assert_array_equal(stats["density"].values, density)
    np.testing.assert_array_equal(stats["edge"].values, edges)
    np.testing.assert_array_equal(stats["count"].values, np.histogram(delays, bins=edges)[0])
    assert stats.attrs["sem_ps"] == pytest.approx(np.std(delays, ddof=1) / np.sqrt(delays.size))
    assert stats.attrs["relative_spread"] == pytest.approx(stats.attrs["std_ps"] / stats.attrs["mean_ps"])
    fixed = sf.statistics.delay_statistics(res, edges[::4])
    np.testing.assert_array_equal(fixed["edge"].values, edges[::4])
    assert fixed["count"].values.sum() == delays.size
    with pytest.raises(ValueError, match="bins"):
        sf.statistics.delay_statistics(res, [0.1, 0.05, 0.2])
