"""Exact photon-counting trajectories: the chain's rates are the permutational generator; shots average to it."""

import numpy as np
import pytest

import sf_dynamics as sf
from sf_dynamics.kernels import dicke_basis as kb
from sf_dynamics.kernels.jumps import TRANSITIONS, outflow_rates
from sf_dynamics.solvers.permutational import generator_matrix
from sf_dynamics.solvers.permutational.ladders import ladder_rates

ALL_PROCESSES = dict(collective_decay=1.0, decay=0.3, dephasing=0.4, pumping=0.2)


@pytest.mark.parametrize("n", [1, 4, 5, 8])
def test_jump_rates_are_the_permutational_generator(n):
    ens = sf.Ensemble(n, **ALL_PROCESSES)
    generator = generator_matrix(ens, 0)
    offsets, lmax = kb.sector_layout(n, n // 2 + 1, 0)
    rates = ladder_rates(ens)
    pre = kb.ladder_prefactors(n, n // 2 + 1, rates[0], rates[1], rates[3], rates[2])
    chain = np.zeros_like(generator)
    out = np.empty(9)
    for k in range(n + 1):
        for l in range(lmax[k] + 1):
            outflow_rates(n, l, k, pre, rates[0], out)
            for i in np.flatnonzero(out > 0):
                l2, k2 = l + TRANSITIONS[i, 0], k + TRANSITIONS[i, 1]
                assert 0 <= k2 <= n and 0 <= l2 <= lmax[k2]
                chain[offsets[k2] + l2, offsets[k] + l] += out[i]
    off_diagonal = generator - np.diag(np.diag(generator))
    np.testing.assert_allclose(chain, off_diagonal, atol=1e-12)
    np.testing.assert_allclose(-np.diag(generator), chain.sum(axis=0), atol=1e-12)   # a rate matrix


@pytest.mark.parametrize("n, rates, initial", [
    (10, ALL_PROCESSES, "excited"),
    (10, dict(collective_decay=1.0), sf.DickeState(4, 2)),
    (200, dict(collective_decay=1.0, decay=0.1, dephasing=0.5), "excited"),
])
def test_shot_average_equals_permutational(n, rates, initial):
    ens = sf.Ensemble(n, **rates)
    times = np.linspace(0, 6 * np.log(n) / n + 0.5 / n, 31)
    ref = sf.simulate(ens, times, method="permutational", initial=initial, rtol=1e-10)
    res = sf.simulate(ens, times, method="jumps", initial=initial, trajectories=4000, seed=11)
    # where the emission is at least 1 % of its peak: in the subradiant tail the mean comes from rare bright
    # shots, whose spread a finite sample underestimates (the standard error stops being a fair yardstick)
    live = ref.intensity >= 0.01 * ref.intensity.max()
    for key, exact in (("intensity", ref.intensity), ("excitation", ref.excitation)):
        ours = res.intensity if key == "intensity" else res.excitation
        sem = res.data[f"{key}_sem"]
        assert np.all((np.abs(ours - exact) <= 4 * sem + 1e-9 * np.max(exact))[live]), key
    assert res.data["single_shots"].shape == (31, 20) and len(res.info["shot_delays"]) == 4000


def test_two_emitters_photon_counting_by_hand():
    # |1,1> -> |1,0>: collective 2 Gc, local gamma; -> |0,0> (dark): local gamma; |1,0> -> ground: 2 Gc or gamma
    gc, gamma = 1.0, 0.5
    ens = sf.Ensemble(2, collective_decay=gc, decay=gamma)
    res = sf.simulate(ens, [0.0, 60.0], method="jumps", trajectories=20000, seed=2)
    collective = res.info["photons_collective"]
    both = (2 * gc / (2 * gc + 2 * gamma)) * (2 * gc / (2 * gc + gamma))
    assert np.all(collective + res.info["photons_local"] == 2)
    assert abs(np.mean(collective == 2) - both) < 4 * np.sqrt(both * (1 - both) / 20000)


def test_delays_follow_the_gumbel_law_for_pure_collective_decay():
    n = 10**4
    res = sf.simulate(sf.Ensemble(n, collective_decay=1.0), np.linspace(0, 3 * np.log(n) / n, 301),
                      method="jumps", trajectories=3000, seed=4)
    delays = res.info["shot_delays"]
    mean, spread = (np.log(n) + np.euler_gamma) / n, np.pi / np.sqrt(6) / n
    step = 3 * np.log(n) / n / 300
    assert abs(delays.mean() - mean) < 4 * spread / np.sqrt(3000) + step
    # the sample standard deviation of m draws has the relative standard error sqrt((kurtosis excess + 2) / 4m),
    # and the Gumbel law's kurtosis excess is 12/5: within 4 of those (7.7 % for 3000 shots)
    assert abs(delays.std() / spread - 1) < 4 * np.sqrt((12 / 5 + 2) / (4 * 3000))


def test_seeds_reproduce_and_prefixes_agree():
    ens = sf.Ensemble(30, **ALL_PROCESSES)
    times = np.linspace(0, 1, 11)
    a = sf.simulate(ens, times, method="jumps", trajectories=40, seed=7, shots=40)
    b = sf.simulate(ens, times, method="jumps", trajectories=80, seed=7, shots=80)
    np.testing.assert_array_equal(a.data["single_shots"], b.data["single_shots"][:, :40])


def test_bad_starts_and_options_are_refused():
    ens = sf.Ensemble(10, collective_decay=1.0)
    with pytest.raises(ValueError, match="diagonal in the Dicke basis"):
        sf.simulate(ens, [0, 1], method="jumps", initial=sf.CoherentSpinState(1.0))
    with pytest.raises(ValueError, match="trajectories"):
        sf.simulate(ens, [0, 1], method="jumps", trajectories=1)
    with pytest.raises(ValueError, match="seed"):
        sf.simulate(ens, [0, 1], method="jumps", seed=1.5)
    with pytest.raises(ValueError, match="identical"):
        sf.simulate(sf.Ensemble(10, collective_decay=1.0, detunings=np.linspace(0, 1, 10)), [0, 1], method="jumps")


def test_shot_g2_equals_the_permutational_g2_within_four_standard_errors():
    ens = sf.Ensemble(20, collective_decay=1.0, decay=0.3, dephasing=0.1)
    times = np.linspace(0, 1.0, 41)
    shots = sf.simulate(ens, times, method="jumps", trajectories=8000, seed=12)
    exact = sf.simulate(ens, times, method="permutational", rtol=1e-9)
    bright = exact.data["pair_rate"] > 0.01 * exact.data["pair_rate"].max()
    assert shots.data["g2"][0] == pytest.approx(2 * (1 - 1 / 20), rel=1e-12)   # every shot starts in |N/2, N/2>
    z = (shots.data["g2"] - exact.data["g2"])[1:][bright[1:]] / shots.data["g2_sem"][1:][bright[1:]]
    assert np.max(np.abs(z)) < 4
    z = (shots.data["pair_rate"] - exact.data["pair_rate"])[1:] / np.maximum(shots.data["pair_rate_sem"][1:], 1e-300)
    assert np.max(np.abs(z[bright[1:]])) < 4


@pytest.mark.slow
def test_half_emission_time_of_one_emitter_is_its_photon_time():
    gamma = 2.0
    times = np.linspace(0, 10, 2001)
    res = sf.simulate(sf.Ensemble(1, decay=gamma), times, method="jumps", trajectories=20000, seed=4)
    half = res.info["shot_half_times"]
    # one photon, emitted at an exponential time: the half crossing lies inside its output interval
    assert np.nanmean(half) == pytest.approx(1 / gamma, abs=4 / gamma / np.sqrt(half.size) + (times[1] - times[0]))


def test_shot_delays_do_not_depend_on_the_time_unit():
    # for even N the Dicke ladder's m = 1 and m = 0 rates are equal; the delay is the first time a shot's rate
    # reaches its maximum, so the same process in another time unit gives the same delays (to rounding)
    t = np.linspace(0, 3, 1501)

    def delays(rate, seed=1):
        ens = sf.Ensemble(10, collective_decay=rate)
        res = sf.simulate(ens, t / rate, method="jumps", trajectories=500, seed=seed, progress=False)
        return rate * res.info["shot_delays"]

    reference = delays(1.0)
    for rate in (0.7, 3.0):
        np.testing.assert_allclose(delays(rate), reference, rtol=1e-12, atol=1e-12)
    # and in distribution with independent shots (two-sample Kolmogorov-Smirnov)
    from scipy.stats import ks_2samp

    assert ks_2samp(delays(0.7, seed=2), reference).pvalue > 0.01
