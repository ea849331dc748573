"""`permutational` against `exact` (N <= 8) and QuTiP piqs (N = 20-40); the collective g2(t)."""

import numpy as np
import pytest
import qutip
from qutip import piqs

import sf_dynamics as sf
from sf_dynamics import CoherentSpinState, DickeState, Ensemble, simulate
from tests.helpers import assert_physical, max_relative_difference, piqs_intensity

ALL_PROCESSES = dict(collective_decay=1.0, decay=0.15, dephasing=0.35, pumping=0.08)


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 6, 7, pytest.param(8, marks=pytest.mark.slow)])
def test_matches_exact_with_all_four_processes(n):
    ens = Ensemble(n, **ALL_PROCESSES)
    times = np.linspace(0, 4.0, 41)
    perm = simulate(ens, times, method="permutational")
    ref = simulate(ens, times, method="exact")
    assert max_relative_difference(perm.intensity, ref.intensity) < 1e-6
    assert max_relative_difference(perm.excitation, ref.excitation) < 1e-6
    assert_physical(perm)


@pytest.mark.parametrize("initial", [DickeState(1, 1), DickeState(2, 0), DickeState(3, -1), "ground"])
def test_dicke_and_ground_initial_states_match_exact(initial):
    ens = Ensemble(6, **ALL_PROCESSES)
    times = np.linspace(0, 3.0, 31)
    perm = simulate(ens, times, method="permutational", initial=initial)
    ref = simulate(ens, times, method="exact", initial=initial)
    assert max_relative_difference(perm.intensity, ref.intensity) < 1e-6
    assert max_relative_difference(perm.excitation, ref.excitation) < 1e-6


@pytest.mark.parametrize("n", [2, 3, 4, 5, 6])
def test_coherent_spin_state_matches_exact_including_dipole(n):
    ens = Ensemble(n, collective_decay=1.0, decay=0.1, dephasing=0.3, pumping=0.05, detunings=[0.8] * n)
    css = CoherentSpinState(2.0, phi=0.7)
    times = np.linspace(0, 3.0, 31)
    perm = simulate(ens, times, method="permutational", initial=css)
    ref = simulate(ens, times, method="exact", initial=css)
    assert max_relative_difference(perm.intensity, ref.intensity) < 1e-6
    assert max_relative_difference(perm.data["coherence"], ref.data["coherence"]) < 1e-6
    assert_physical(perm)


@pytest.mark.parametrize("n", [20, pytest.param(40, marks=pytest.mark.slow)])
def test_matches_qutip_piqs(n, burst_times):
    # piqs computes its rates in single precision: agreement ~1e-6 at best
    ens = Ensemble(n, collective_decay=1.0, decay=0.1, dephasing=0.5, pumping=0.02)
    times = burst_times(n, points=81)
    perm = simulate(ens, times, method="permutational")
    assert max_relative_difference(perm.intensity, piqs_intensity(ens, times)) < 1e-5
    assert_physical(perm)


def test_detuned_identical_emitters_only_rotate_the_dipole():
    base = Ensemble(5, collective_decay=1.0, dephasing=0.2)
    shifted = base.replace(detunings=[1.3] * 5)
    times = np.linspace(0, 2, 21)
    css = CoherentSpinState(1.0)
    a = simulate(base, times, method="permutational", initial=css)
    b = simulate(shifted, times, method="permutational", initial=css)
    np.testing.assert_allclose(a.intensity, b.intensity, rtol=1e-12)
    np.testing.assert_allclose(b.data["coherence"], a.data["coherence"] * np.exp(-1.3j * times), atol=1e-7)


def test_large_n_burst_is_physical_and_fast_enough_for_the_suite(burst_times):
    n = 300
    ens = Ensemble(n, collective_decay=1.0, decay=0.1, dephasing=0.5)
    res = simulate(ens, burst_times(n, points=101), method="permutational")
    assert_physical(res)
    assert res.info["leaked_probability"] <= 1e-10
    # dephasing and local decay slow the burst: tau_D * N Gamma / ln N > 1
    from sf_dynamics.analysis import buildup_time

    assert buildup_time(res) * n / np.log(n) > 1.0


def test_unequal_detunings_are_refused_with_a_hint():
    ens = Ensemble(4, collective_decay=1.0, detunings=[0, 0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="identical emitters.*methods that can: exact"):
        simulate(ens, np.linspace(0, 1, 3), method="permutational")


@pytest.mark.parametrize("tol", [0.0, 1.0, -1e-6, np.nan])
def test_tolerance_is_validated(tol):
    with pytest.raises(ValueError, match="tol"):
        simulate(Ensemble(3, collective_decay=1.0), np.linspace(0, 1, 3), method="permutational", tol=tol)


def test_ladder_truncation_is_controlled_by_the_leaked_probability(monkeypatch, burst_times):
    from sf_dynamics.solvers import permutational
    from sf_dynamics.solvers.permutational import evolution

    n = 120
    ens = Ensemble(n, collective_decay=1.0, decay=0.3, dephasing=1.0, pumping=0.05)
    times = burst_times(n, periods=8, points=81)
    full = permutational.evolve_ladders(ens, times, sf.Excited(), n_ladders=n // 2 + 1,
                                        method_name="permutational")
    # start from far too few ladders: the leak check must grow them until the leak is negligible
    monkeypatch.setattr(evolution, "initial_ladder_count", lambda *args: 2)
    auto = simulate(ens, times, method="permutational")
    assert auto.info["ladder_attempts"] > 1
    assert auto.info["ladders"] < n // 2 + 1
    assert auto.info["leaked_probability"] <= permutational.LADDER_LEAK_TOL
    assert max_relative_difference(auto.intensity, full.intensity) < 1e-8


# -- equal-time second-order coherence of the collective channel ---------------------------------------------
@pytest.mark.parametrize("n", [2, 7, 50])
def test_g2_of_the_inverted_dicke_state_is_two_minus_two_over_n(n):
    res = sf.simulate(sf.Ensemble(n, collective_decay=1.0), [0.0, 0.1], method="permutational")
    assert abs(res.data["g2"][0] - 2 * (1 - 1 / n)) < 1e-12


def test_g2_of_permutational_and_exact_equal_qutip_on_an_independent_model():
    from tests.helpers.qutip_model import excited_ket, independent_liouvillian

    ens = sf.Ensemble(4, collective_decay=1.0, decay=0.3, dephasing=0.2, pumping=0.1)
    times = np.linspace(0, 2, 9)
    liou, sp, sm = independent_liouvillian(ens)
    jm = sum(sm[1:], start=sm[0])
    ref = qutip.mesolve(liou, qutip.ket2dm(excited_ket(4)), times,
                        e_ops=[jm.dag() * jm, jm.dag() * jm.dag() * jm * jm],
                        options={"atol": 1e-12, "rtol": 1e-10})
    expected = np.real(ref.expect[1]) / np.real(ref.expect[0]) ** 2
    for method in ("permutational", "exact"):
        res = sf.simulate(ens, times, method=method, **({"rtol": 1e-10} if method == "permutational" else {}))
        np.testing.assert_allclose(res.data["g2"], expected, rtol=1e-6)
        np.testing.assert_allclose(res.data["pair_rate"], np.real(ref.expect[1]), rtol=1e-6)


def test_g2_equals_qutip_piqs_at_n20():
    n = 20
    ens = sf.Ensemble(n, collective_decay=1.0, decay=0.1, dephasing=0.2)
    times = np.linspace(0, 0.6, 7)
    system = piqs.Dicke(n, emission=ens.decay, dephasing=2 * ens.dephasing, collective_emission=1.0)
    jp, jm = piqs.jspin(n, "+"), piqs.jspin(n, "-")
    ref = qutip.mesolve(system.liouvillian(), piqs.excited(n), times, e_ops=[jp * jm, jp * jp * jm * jm],
                        options={"atol": 1e-12, "rtol": 1e-10})
    res = sf.simulate(ens, times, method="permutational", rtol=1e-10)
    # piqs computes its rates in single precision
    np.testing.assert_allclose(res.data["g2"], np.real(ref.expect[1]) / np.real(ref.expect[0]) ** 2, rtol=1e-5)


def test_g2_is_undefined_while_the_collective_channel_is_dark():
    res = sf.simulate(sf.Ensemble(5, collective_decay=1.0), [0.0, 1.0], initial="ground", method="permutational")
    assert np.all(np.isnan(res.data["g2"]))


@pytest.mark.parametrize("n", [3, 4, 6])
def test_product_emission_of_several_starts_equals_the_exact_solver(n):
    """One dense propagator for every excitation probability = the full-space exact method, all processes."""
    from sf_dynamics.solvers.permutational import product_emission

    ens = sf.Ensemble(n, collective_decay=0.8, decay=0.3, dephasing=0.4, pumping=0.05)
    times = np.linspace(0.0, 3.0, 31)
    probs = [0.0, 0.35, 0.7, 1.0]
    batch = product_emission(ens, times, probs)
    for p, row in zip(probs, batch):
        ref = sf.simulate(ens, times, method="exact", initial=sf.ProductState(p)).intensity
        np.testing.assert_allclose(row, ref, rtol=0, atol=1e-9 * max(ref.max(), 1.0))


@pytest.mark.parametrize("n", [4, 5])
def test_adjoint_emission_of_every_start_equals_the_exact_solver(n):
    """One backward integration of the intensity observable serves every product start (unequal grid: no
    propagator), against the full-space exact method with all processes."""
    from sf_dynamics.solvers.permutational import excitation_emission, product_emission

    ens = sf.Ensemble(n, collective_decay=0.8, decay=0.3, dephasing=0.4, pumping=0.05)
    times = np.array([0.0, 0.2, 0.5, 0.6, 1.3, 2.0, 3.0])
    probs = [0.0, 0.35, 0.7, 1.0]
    batch = product_emission(ens, times, probs, tol=1e-10)
    for p, row in zip(probs, batch):
        ref = sf.simulate(ens, times, method="exact", initial=sf.ProductState(p)).intensity
        np.testing.assert_allclose(row, ref, rtol=0, atol=1e-8 * max(ref.max(), 1.0))
    per_start = excitation_emission(ens, times, tol=1e-10)
    excited = sf.simulate(ens, times, method="exact").intensity
    np.testing.assert_allclose(per_start[0], excited, rtol=0, atol=1e-8 * excited.max())


def test_product_emission_integrates_the_adjoint_on_unequal_grids_and_large_n():
    from sf_dynamics.solvers.permutational import DENSE_PROPAGATOR_STATES, product_emission, stored_states

    ens = sf.Ensemble(12, collective_decay=0.5, decay=0.2, dephasing=0.3)
    times = np.array([0.0, 0.1, 0.3, 0.4, 1.0, 1.5])
    batch = product_emission(ens, times, [0.6, 0.9])
    for p, row in zip([0.6, 0.9], batch):
        ref = sf.simulate(ens, times, method="permutational", initial=sf.ProductState(p), tol=1e-8).intensity
        np.testing.assert_allclose(row, ref, rtol=1e-7)   # two integrations at step tolerance 1e-8
    big = 40
    assert stored_states(big, big // 2 + 1) > DENSE_PROPAGATOR_STATES
    ens = sf.Ensemble(big, collective_decay=0.05, decay=0.02, dephasing=0.03)
    grid = np.linspace(0, 2, 21)
    uniform = product_emission(ens, grid, [0.8])[0]
    ref = sf.simulate(ens, grid, method="permutational", initial=sf.ProductState(0.8), tol=1e-8).intensity
    np.testing.assert_allclose(uniform, ref, rtol=1e-7)
    with pytest.raises(ValueError, match="probabilities"):
        product_emission(ens, grid, [1.2])
