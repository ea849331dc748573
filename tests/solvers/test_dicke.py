"""`dicke`: the symmetric ladder against `permutational`, piqs and the Dicke-limit laws."""

import numpy as np
import pytest

from sf_dynamics import CoherentSpinState, Ensemble, analysis, simulate
from tests.helpers import assert_physical, max_relative_difference, piqs_intensity


def test_matches_permutational_with_collective_decay_only(burst_times):
    ens = Ensemble(50, collective_decay=1.0)
    times = burst_times(50)
    d = simulate(ens, times, method="dicke")
    p = simulate(ens, times, method="permutational")
    assert max_relative_difference(d.intensity, p.intensity) < 1e-7
    assert_physical(d)


def test_coherent_spin_state_matches_permutational():
    ens = Ensemble(30, collective_decay=1.0, detunings=[0.4] * 30)
    times = np.linspace(0, 0.4, 41)
    css = CoherentSpinState(0.6, 0.2)
    d = simulate(ens, times, method="dicke", initial=css)
    p = simulate(ens, times, method="permutational", initial=css)
    assert max_relative_difference(d.data["coherence"], p.data["coherence"]) < 1e-7


@pytest.mark.slow
def test_peak_matches_piqs_at_n40(burst_times):
    ens = Ensemble(40, collective_decay=1.0)
    times = burst_times(40, points=101)
    d = simulate(ens, times, method="dicke")
    assert max_relative_difference(d.intensity, piqs_intensity(ens, times)) < 1e-5


@pytest.fixture(scope="module")
def dicke_scan():
    out = {}
    for n in (100, 1000, 10_000):
        ens = Ensemble(n, collective_decay=1.0)
        times = np.linspace(0, 2.0 * np.log(n) / n, 401)
        out[n] = simulate(ens, times, method="dicke")
    return out


def test_delay_time_approaches_ln_n_over_n_gamma(dicke_scan):
    # docs/physics.md: t_D = T_R (ln N + O(1)), T_R = 1 / (N Gamma)
    for n, res in dicke_scan.items():
        ratio = analysis.buildup_time(res) * n / np.log(n)
        assert abs(ratio - 1.0) < 0.10, (n, ratio)
    # the O(1) correction shrinks relative to ln N
    ratios = [analysis.buildup_time(r) * n / np.log(n) for n, r in dicke_scan.items()]
    assert ratios[0] > ratios[1] > ratios[2]


def test_averaged_peak_over_n_squared_is_n_independent_and_below_mean_field(dicke_scan):
    values = np.array([analysis.peak_per_n_squared(r) for r in dicke_scan.values()])
    assert np.ptp(values) / values.mean() < 0.02, values
    # shot-to-shot delay fluctuations lower the averaged peak clearly below the single-shot N^2/4
    assert np.all(values < 0.9 * 0.25), values


@pytest.mark.slow
def test_million_emitters():
    n = 10**6
    ens = Ensemble(n, collective_decay=1.0)
    times = np.linspace(0, 1.6 * np.log(n) / n, 41)
    res = simulate(ens, times, method="dicke", tol=1e-4)
    assert_physical(res, atol=1e-6)
    assert abs(analysis.buildup_time(res) * n / np.log(n) - 1.0) < 0.1


def test_local_processes_are_refused_with_a_hint():
    ens = Ensemble(10, collective_decay=1.0, dephasing=0.1)
    with pytest.raises(ValueError, match="local dephasing.*methods that can: permutational, exact"):
        simulate(ens, np.linspace(0, 1, 3), method="dicke")
