"""`cumulant` with order=3 (spectral classes): exact for three emitters, against `exact` with detuned classes
and `permutational` for identical emitters, its options and its bound check."""

import numpy as np
import pytest

from sf_dynamics import CoherentSpinState, DickeState, Ensemble, NanocrystalEnsemble, method_options, simulate
from sf_dynamics.solvers import _cumulant_third, cumulant
from tests.helpers import max_relative_difference

BURST = dict(decay=0.1, collective_decay=1.0, dephasing=0.5)


@pytest.mark.parametrize("initial", ["excited", DickeState(1.5, 0.5), CoherentSpinState(1.0, 0.3)])
def test_third_order_is_exact_for_three_emitters(initial):
    # no four-emitter moments exist: the closure drops nothing
    ens = Ensemble(3, pumping=0.05, **BURST)
    t = np.linspace(0, 6, 121)
    ref = simulate(ens, t, method="permutational", initial=initial)
    res = simulate(ens, t, method="cumulant", order=3, initial=initial, rtol=1e-10, atol=1e-12)
    assert max_relative_difference(res.intensity, ref.intensity) < 1e-6
    assert max_relative_difference(res.excitation, ref.excitation) < 1e-6


def test_three_detuned_emitters_one_per_class_are_exact():
    ens = Ensemble(3, detunings=[-1.0, 0.2, 1.5], pumping=0.05, **BURST)
    t = np.linspace(0, 6, 121)
    ref = simulate(ens, t, method="exact")
    res = simulate(ens, t, method="cumulant", order=3, rtol=1e-10, atol=1e-12)
    assert res.parameters["class_counts"] == [1.0, 1.0, 1.0]
    assert max_relative_difference(res.intensity, ref.intensity) < 1e-6


@pytest.mark.parametrize("n", [4, 6])
def test_third_order_improves_on_second_order_for_small_detuned_ensembles(n):
    ens = Ensemble(n, detunings=np.repeat([0.5, -0.5], n // 2), **BURST)
    t = np.linspace(0, 4, 201)
    ref = simulate(ens, t, method="exact").intensity
    second = simulate(ens, t, method="cumulant").intensity
    third = simulate(ens, t, method="cumulant", order=3).intensity
    assert max_relative_difference(third, ref) < max_relative_difference(second, ref)


def test_the_averaged_peak_at_n40_lies_between_second_and_third_order():
    # measured (docs/validation.md): second order overshoots the peak, third order undershoots it by a little
    # less; third order's delay is further off (early) than second order's
    ens = Ensemble(40, **BURST)
    t = np.linspace(0, 0.4, 801)
    ref = simulate(ens, t, method="permutational").intensity.max()
    second = simulate(ens, t, method="cumulant").intensity.max()
    third = simulate(ens, t, method="cumulant", order=3).intensity.max()
    assert third < ref < second
    assert abs(third - ref) < abs(second - ref)


@pytest.mark.parametrize("order", [1, 4, "3", 3.0, True, None])
def test_order_is_validated(order):
    with pytest.raises(ValueError, match="order"):
        simulate(Ensemble(4, **BURST), np.linspace(0, 1, 5), method="cumulant", order=order)


def test_third_order_needs_spectral_classes():
    matrices = Ensemble(3, gamma_matrix=np.eye(3) + 0.5, detunings=[0.0, 0.1, 0.2])
    with pytest.raises(ValueError, match="order=3"):
        simulate(matrices, np.linspace(0, 1, 5), method="cumulant", order=3)
    with pytest.raises(ValueError, match="order=3"):
        simulate(Ensemble(4, **BURST), np.linspace(0, 1, 5), method="cumulant", order=3, engine="emitters")
    with pytest.raises(ValueError, match="order=3"):
        cumulant.solve(NanocrystalEnsemble(2), np.linspace(0, 1, 5), "excited", order=3)


def test_order_is_a_listed_option():
    assert "order" in method_options("cumulant")


def test_a_moment_set_outside_the_quantum_states_is_detected_and_warned():
    n = np.array([0.5, 1.02])
    c = np.array([[0.2, 0.8], [0.8, 0.1]], dtype=complex)
    npop = np.full((2, 2), 0.25)
    ppop = np.full((2, 2, 2), 0.1)
    pairs, triples = np.ones((2, 2), bool), np.ones((2, 2, 2), bool)
    # |C_01|^2 = 0.64 > n_0 n_1 = 0.51: Cauchy-Schwarz
    assert _cumulant_third.violation(n, c, npop, ppop, pairs, triples) == pytest.approx(0.64 - 0.51)
    assert _cumulant_third.violation(np.array([0.5, 0.5]), c * 0.1, npop, ppop, pairs, triples) == 0.0
    with pytest.warns(_cumulant_third.ClosureValidityWarning, match="t = 2"):
        cumulant._warn_violation(np.array([1.0, 2.0, 3.0]), np.array([0.0, 0.1, 0.0]))


def test_entries_without_enough_emitters_are_not_checked():
    # two classes of one and two emitters: no triple within one class, no pair within the single emitter
    model = cumulant.ClassModel.from_ensemble(Ensemble(3, detunings=[0.0, 1.0, 1.0], **BURST))
    pairs, triples = _cumulant_third.existing(model, 3)
    np.testing.assert_array_equal(pairs, [[False, True], [True, True]])
    assert triples.sum() == 3 and triples[0, 1, 1] and triples[1, 0, 1] and triples[1, 1, 0]


def test_third_order_beyond_memory_is_refused_naming_the_order_and_the_classes():
    from sf_dynamics import Spectrum

    ens = Ensemble(10**6, collective_decay=1e-6, spectrum=Spectrum.gaussian(0.5, classes=2001))
    with pytest.raises(ValueError, match=r"order: .*K = 2001 spectral classes.*order=2"):
        simulate(ens, np.linspace(0.0, 10.0, 11), method="cumulant", order=3)
