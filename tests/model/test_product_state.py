"""Partially inverted product states: the state, its Dicke-ladder decomposition, and every method that takes it."""

import numpy as np
import pytest
import qutip
from scipy.special import comb

import sf_dynamics as sf
from sf_dynamics.kernels.jumps import sample_product_start
from sf_dynamics.solvers.permutational import initial_sectors, product_ladder_weights

RATES = dict(collective_decay=1.0, decay=0.2, dephasing=0.1, pumping=0.05)


@pytest.mark.parametrize("n", [3, 10, 101, 1000])
@pytest.mark.parametrize("p", [0.2, 0.5, 0.9])
def test_the_ladder_decomposition_sums_to_one(n, p):
    weights = product_ladder_weights(n, p)
    assert weights.sum() == pytest.approx(1.0, abs=1e-11)
    if n <= 101:
        pop, _ = initial_sectors(n, n // 2 + 1, sf.ProductState(p))
        assert pop.sum() == pytest.approx(1.0, abs=1e-11)


STATES = {"p0.3": sf.ProductState(0.3), "p0.75": sf.ProductState(0.75),
          "coherent": sf.ProductState(0.6, coherence=1.0, phi=0.4)}


@pytest.mark.parametrize("n,name", [(4, "p0.3"), (4, "p0.75"), (4, "coherent"), (6, "p0.3"), (6, "p0.75"),
                                    (6, "coherent"), (8, "p0.75")])
def test_permutational_equals_the_full_product_density_matrix(n, name):
    state = STATES[name]
    ens = sf.Ensemble(n, **RATES)
    times = np.linspace(0, 3, 31)
    a = sf.simulate(ens, times, method="permutational", initial=state, rtol=1e-9)
    b = sf.simulate(ens, times, method="exact", initial=state)
    assert np.abs(a.intensity - b.intensity).max() < 1e-7 * b.intensity.max()
    np.testing.assert_allclose(a.excitation, b.excitation, atol=1e-8)
    np.testing.assert_allclose(a.data["g2"], b.data["g2"], rtol=1e-6)
    assert a.excitation[0] == pytest.approx(n * 0.3 if state.p == 0.3 else n * state.p)


def test_permutational_equals_piqs_at_n20():
    from qutip import piqs

    n, p = 20, 0.7
    ens = sf.Ensemble(n, collective_decay=1.0, decay=0.1, dephasing=0.3)
    times = np.linspace(0, 0.6, 31)
    # the product state in piqs' Dicke basis, whose diagonal carries the degeneracy of each ladder
    weights = {}
    for l in range(n // 2 + 1):
        j = n / 2 - l
        copies = comb(n, l, exact=True) - (comb(n, l - 1, exact=True) if l else 0)
        for m in np.arange(-j, j + 1):
            weights[(j, m, m)] = copies * p ** (n / 2 + m) * (1 - p) ** (n / 2 - m)
    rho0 = piqs.dicke_basis(n, weights)
    system = piqs.Dicke(n, emission=0.1, dephasing=0.6, collective_emission=1.0)   # piqs dephasing = 2 gamma_phi
    jz, jpjm = piqs.jspin(n, "z"), piqs.jspin(n, "+") * piqs.jspin(n, "-")
    res = qutip.mesolve(system.liouvillian(), rho0, times, e_ops=[jz, jpjm],
                        options={"atol": 1e-12, "rtol": 1e-10})
    ref = np.real(res.expect[1]) + 0.1 * (n / 2 + np.real(res.expect[0]))
    ours = sf.simulate(ens, times, method="permutational", initial=sf.ProductState(p), rtol=1e-9)
    assert np.abs(ours.intensity - ref).max() < 1e-6 * ref.max()


def test_full_inversion_is_the_excited_state_and_no_burst_below_half_inversion():
    ens = sf.Ensemble(200, collective_decay=1.0)
    times = np.linspace(0, 0.15, 151)
    full = sf.simulate(ens, times, method="permutational", initial=sf.ProductState(1.0))
    excited = sf.simulate(ens, times, method="permutational")
    np.testing.assert_array_equal(full.intensity, excited.intensity)
    below = sf.simulate(ens, times, method="permutational", initial=sf.ProductState(0.4))
    above = sf.simulate(ens, times, method="permutational", initial=sf.ProductState(0.8))
    # a point-like sample bursts only when inverted: below p = 1/2 the emission only decays
    assert np.argmax(below.intensity) == 0 and np.all(np.diff(below.intensity) <= 1e-9 * below.intensity[0])
    assert above.intensity.max() > 3 * above.intensity[0]


def test_exact_shots_start_from_the_ladder_decomposition_and_average_to_permutational():
    import numba as nb

    @nb.njit
    def draws(count, n, p, seed):
        np.random.seed(seed)  # noqa: NPY002 - numba seeds its own stream this way
        out = np.empty((count, 2), dtype=np.int64)
        for i in range(count):
            out[i] = sample_product_start(n, p)
        return out

    n, p, count = 6, 0.35, 100_000
    pop, _ = initial_sectors(n, n // 2 + 1, sf.ProductState(p))
    offsets = np.concatenate([[0], np.cumsum([min(k, n - k, n // 2) + 1 for k in range(n + 1)])])
    seen = np.zeros_like(pop)
    for l, k in draws(count, n, p, 1):
        seen[offsets[k] + l] += 1
    z = (seen / count - pop) / np.sqrt(pop * (1 - pop) / count)
    assert np.abs(z).max() < 5
    ens = sf.Ensemble(20, collective_decay=1.0, decay=0.2, dephasing=0.1)
    times = np.linspace(0, 1.5, 31)
    shots = sf.simulate(ens, times, method="jumps", initial=sf.ProductState(0.8), trajectories=6000, seed=3)
    exact = sf.simulate(ens, times, method="permutational", initial=sf.ProductState(0.8))
    z = (shots.intensity - exact.intensity)[1:] / shots.data["intensity_sem"][1:]
    assert np.abs(z).max() < 4


def test_cumulant_takes_one_p_per_emitter_and_is_exact_for_independent_emitters():
    times = np.linspace(0, 4, 41)
    state = sf.ProductState([0.9, 0.5, 0.7, 0.2])
    independent = sf.Ensemble(4, decay=1.0, dephasing=0.2)
    a = sf.simulate(independent, times, method="cumulant", initial=state, rtol=1e-10, atol=1e-12)
    b = sf.simulate(independent, times, method="exact", initial=state)
    assert np.abs(a.intensity - b.intensity).max() < 1e-8
    # two coupled emitters (Gamma and Omega matrices, detunings, all local processes) have no three-body
    # cumulant: second order is exact for them from a partly coherent product start too
    from tests.helpers import random_ensemble

    coupled = random_ensemble(2, np.random.default_rng(4))
    state = sf.ProductState([0.9, 0.5], coherence=0.5, phi=0.2)
    a = sf.simulate(coupled, times, method="cumulant", initial=state, rtol=1e-10, atol=1e-12)
    b = sf.simulate(coupled, times, method="exact", initial=state)
    assert np.abs(a.intensity - b.intensity).max() < 1e-8 * b.intensity.max()
    # five coupled emitters: the start is a product, so t = 0 is exact whatever the closure
    coupled = sf.Ensemble(5, collective_decay=0.5, decay=0.3, dephasing=0.2, detunings=[0.1, -0.2, 0.3, 0, 0.05])
    state = sf.ProductState([0.9, 0.5, 0.7, 0.2, 1.0], coherence=0.5, phi=0.2)
    a = sf.simulate(coupled, times[:2], method="cumulant", initial=state)
    b = sf.simulate(coupled, times[:2], method="exact", initial=state)
    assert a.intensity[0] == pytest.approx(b.intensity[0], rel=1e-12)
    with pytest.raises(ValueError, match="engine='emitters'"):
        sf.simulate(coupled, times, method="cumulant", initial=sf.ProductState([0.9, 0.5, 0.7, 0.2, 1.0]),
                    engine="classes")


def test_nanocrystals_share_the_exciton_between_sublevels():
    ncs = sf.geometry.nanocrystals_at(np.array([[0, 0, 0], [0.15, 0.05, 0]]), wavelength=1.0, gamma=1.0,
                                      dephasing=0.2)
    times = np.linspace(0, 4, 41)
    state = sf.ProductState(0.6, sublevels=(0.5, 0.3, 0.2))
    a = sf.simulate(ncs, times, method="cumulant", initial=state)
    b = sf.simulate(ncs, times, method="cumulant", initial=sf.TripletExcitation((0.3, 0.18, 0.12)))
    np.testing.assert_array_equal(a.intensity, b.intensity)
    c = sf.simulate(ncs, times, method="exact", initial=state)
    assert np.abs(a.intensity - c.intensity).max() < 1e-6 * c.intensity.max()


def test_bad_product_states_and_methods_that_cannot_take_them_are_refused():
    for p in (-0.1, 1.2, [0.5, 2.0]):
        with pytest.raises(ValueError, match=r"p must be in \[0, 1\]"):
            sf.ProductState(p)
    with pytest.raises(ValueError, match="p"):
        sf.ProductState(np.nan)
    with pytest.raises(ValueError, match="coherence"):
        sf.ProductState(0.5, coherence=1.5)
    with pytest.raises(ValueError, match="sublevels must sum to 1"):
        sf.ProductState(0.5, sublevels=(0.5, 0.5, 0.5))
    ens = sf.Ensemble(20, collective_decay=1.0)
    with pytest.raises(ValueError, match="mixes Dicke ladders"):
        sf.simulate(ens, [0, 1], method="dicke", initial=sf.ProductState(0.7))
    with pytest.raises(ValueError, match="no dipole to seed it"):
        sf.simulate(ens, [0, 1], method="meanfield", initial=sf.ProductState(0.7))
    with pytest.raises(ValueError, match="no non-negative discrete Wigner"):
        sf.simulate(ens, [0, 1], method="twa", initial=sf.ProductState(0.7, coherence=0.3))
    slab = sf.Slab(1e4, 1e-3, decay=1e-2, slices=4)
    with pytest.raises(ValueError, match="no dipole to tip"):
        sf.simulate(slab, [0, 1], method="maxwell_bloch", initiation="tipping", initial=sf.ProductState(0.7))
    with pytest.raises(ValueError, match="not permutation invariant"):
        sf.simulate(sf.Ensemble(3, collective_decay=1.0), [0, 1], method="permutational",
                    initial=sf.ProductState([0.2, 0.5, 0.7]))
    with pytest.raises(ValueError, match="3 probabilities given for n = 4"):
        sf.simulate(sf.Ensemble(4, collective_decay=1.0), [0, 1], method="exact",
                    initial=sf.ProductState([0.2, 0.5, 0.7]))
    with pytest.raises(ValueError, match="partly coherent"):
        sf.simulate(ens, [0, 1], method="permutational", initial=sf.ProductState(0.7, coherence=0.5))


def test_twa_samples_the_partial_inversion_and_an_inverted_sample_bursts():
    # the measured accuracy of the burst against permutational (tau_D, peak) is in docs/validation.md
    n, p = 200, 0.8
    ens = sf.Ensemble(n, collective_decay=1.0, decay=0.1, dephasing=0.2)
    times = np.linspace(0, 12 * np.log(n) / n, 81)
    res = sf.simulate(ens, times, method="twa", initial=sf.ProductState(p), trajectories=1000, seed=1)
    assert res.excitation[0] == pytest.approx(n * p, abs=4 * res.data["excitation_sem"][0])
    # above p = 1/2 a point-like sample bursts (as permutational does, above)
    assert res.intensity.max() > 3 * res.intensity[0] and np.argmax(res.intensity) > 0


def test_twa_is_exact_for_independent_emitters_from_a_partial_inversion():
    # without coupling each classical spin decays like its quantum one: I(t) = N p gamma e^{-gamma t}, up to the
    # sampling error of the start
    n, p, gamma = 50, 0.6, 1.0
    ens = sf.Ensemble(n, decay=gamma, dephasing=0.2)
    times = np.linspace(0, 3, 31)
    res = sf.simulate(ens, times, method="twa", engine="emitters", initial=sf.ProductState(p), trajectories=1000,
                      seed=1)
    expected = n * p * gamma * np.exp(-gamma * times)
    assert np.all(np.abs(res.intensity - expected) <= 4 * res.data["intensity_sem"] + 1e-9 * expected[0])
    assert np.all(np.abs(res.excitation - expected / gamma) <= 4 * res.data["excitation_sem"] + 1e-9 * n)


def test_twa_with_one_p_per_emitter_uses_per_emitter_spins():
    state = sf.ProductState(np.linspace(0.5, 1.0, 50))
    res = sf.simulate(sf.Ensemble(50, collective_decay=1.0, decay=0.1), np.linspace(0, 0.1, 6), method="twa",
                      initial=state, trajectories=256, seed=1)
    assert res.info["engine"] == "emitters"
    assert res.excitation[0] == pytest.approx(37.5, abs=4 * res.data["excitation_sem"][0])


def test_maxwell_bloch_noise_initiation_takes_the_partial_inversion():
    slab = sf.Slab(1e5, 1e-3 / 210, decay=1 / 210, dephasing=0.01, slices=20)
    times = np.linspace(0, 60, 301)
    high = sf.simulate(slab, times, method="maxwell_bloch", initial=sf.ProductState(0.9), trajectories=40, seed=1)
    low = sf.simulate(slab, times, method="maxwell_bloch", initial=sf.ProductState(0.45), trajectories=40, seed=1)
    assert high.excitation[0] == pytest.approx(0.9e5, rel=1e-3)
    # an absorbing slab (p < 1/2) does not amplify: its forward emission never exceeds the start's
    assert low.data["forward_intensity"].max() < 2 * low.data["forward_intensity"][0] + 1e-9 * high.intensity.max()
    assert high.data["forward_intensity"].max() > 100 * low.data["forward_intensity"].max()


def test_thermal_sublevel_shares_follow_boltzmann():
    shares = sf.ProductState.thermal_sublevels([0.0, 0.5, 1.5], 4.0)
    kt = 0.08617333262 * 4.0
    expected = np.exp(-np.array([0.0, 0.5, 1.5]) / kt)
    np.testing.assert_allclose(shares, expected / expected.sum(), rtol=1e-12)
    assert sf.ProductState(0.5, sublevels=shares).sublevels == pytest.approx(shares)
    with pytest.raises(ValueError, match="temperature_K"):
        sf.ProductState.thermal_sublevels([0.0, 0.5, 1.5], 0.0)


def test_simplifications_keep_what_the_state_means():
    # nanocrystals: p = 1 keeps the sublevel shares (a TripletExcitation), not the equal split of 'excited'
    ncs = sf.geometry.nanocrystals_at(np.array([[0, 0, 0], [0.15, 0.05, 0]]), wavelength=1.0, gamma=1.0)
    times = np.linspace(0, 1, 5)
    full = sf.simulate(ncs, times, method="exact", initial=sf.ProductState(1.0, sublevels=(1.0, 0.0, 0.0)))
    almost = sf.simulate(ncs, times, method="exact", initial=sf.ProductState(1 - 1e-9, sublevels=(1.0, 0.0, 0.0)))
    np.testing.assert_allclose(full.data["intensity_by_polarization"], almost.data["intensity_by_polarization"],
                               rtol=1e-6, atol=1e-9)
    assert full.data["intensity_by_polarization"][0, 1:].max() == 0.0
    # one p per emitter must match n, also when every p is the same
    with pytest.raises(ValueError, match="2 probabilities given for n = 5"):
        sf.simulate(sf.Ensemble(5, collective_decay=1.0), [0, 1], method="permutational",
                    initial=sf.ProductState((0.3, 0.3)))
    with pytest.raises(ValueError, match="2 probabilities given for n = 5"):
        sf.simulate(sf.Ensemble(5, collective_decay=1.0), [0, 1], initial=sf.ProductState((1.0, 1.0)))


def test_cumulant_gives_g2_only_for_starts_without_pair_correlations():
    ens = sf.Ensemble(100, collective_decay=1.0)
    times = np.linspace(0, 0.05, 6)
    assert "g2" not in sf.simulate(ens, times, method="cumulant", initial=sf.CoherentSpinState(np.pi / 2)).data
    assert "g2" not in sf.simulate(ens, times, method="cumulant", initial=sf.DickeState(50, 0)).data
    res = sf.simulate(ens, times, method="cumulant", initial=sf.ProductState(0.8))
    exact = sf.simulate(ens, times, method="permutational", initial=sf.ProductState(0.8))
    assert res.data["g2"][0] == pytest.approx(exact.data["g2"][0], rel=1e-9)


def test_p_per_spectral_class_is_spread_over_the_emitters_of_each_class():
    """Classes ordered by detuning; the class engine, the emitter engine and exact take the same start."""
    spec = sf.Spectrum.from_samples([0.5, -0.5, 0.0], [2, 3, 1])      # given out of order on purpose
    ens = sf.Ensemble(6, collective_decay=0.2, decay=0.1, dephasing=0.1, spectrum=spec)
    times = np.linspace(0.0, 10.0, 41)
    state = sf.ProductState([0.9, 0.6, 0.3], per_class=True)          # detunings -0.5, 0, 0.5
    by_hand = sf.ProductState(tuple(np.select([ens.detunings < 0, ens.detunings == 0], [0.9, 0.6], 0.3)))
    exact = sf.simulate(ens, times, method="exact", initial=state)
    exact_hand = sf.simulate(ens, times, method="exact", initial=by_hand)
    np.testing.assert_allclose(exact.intensity, exact_hand.intensity, rtol=1e-12)
    classes = sf.simulate(ens, times, method="cumulant", initial=state, engine="classes")
    emitters = sf.simulate(ens, times, method="cumulant", initial=state, engine="emitters")
    assert classes.info["engine"] == "classes"
    np.testing.assert_allclose(classes.intensity, emitters.intensity, rtol=0, atol=1e-7 * emitters.intensity.max())
    np.testing.assert_allclose(classes.intensity, exact.intensity, rtol=0, atol=5e-3 * exact.intensity.max())
    assert classes.excitation[0] == pytest.approx(3 * 0.9 + 1 * 0.6 + 2 * 0.3, rel=1e-12)
    # the same p in every class is the scalar ProductState
    same = sf.simulate(ens, times, method="exact", initial=sf.ProductState([0.7, 0.7, 0.7], per_class=True))
    np.testing.assert_allclose(same.intensity, sf.simulate(ens, times, method="exact",
                                                           initial=sf.ProductState(0.7)).intensity, rtol=1e-12)


def test_p_per_class_with_fractional_weights_runs_on_the_class_engine_only():
    ens = sf.Ensemble(1000, collective_decay=0.002, decay=0.001, dephasing=0.01,
                      spectrum=sf.Spectrum.gaussian(0.5, classes=5))
    p = np.array([0.2, 0.5, 0.9, 0.5, 0.2])
    times = np.linspace(0.0, 5.0, 11)
    res = sf.simulate(ens, times, method="cumulant", initial=sf.ProductState(p, per_class=True))
    assert res.info["engine"] == "classes"
    assert res.excitation[0] == pytest.approx(1000 * p @ ens.spectral_classes()[1], rel=1e-12)
    with pytest.raises(ValueError, match="per spectral class"):
        sf.ProductState(p, per_class=True).probabilities(1000)
    with pytest.raises(ValueError, match="2 per-class probabilities given for 5 spectral classes"):
        sf.simulate(ens, times, method="cumulant", initial=sf.ProductState([0.2, 0.5], per_class=True))
    with pytest.raises(ValueError, match="per_class=True needs one probability per spectral class"):
        sf.ProductState(0.5, per_class=True)
