"""`meanfield`: equations against the exact Lindbladian on product states, the classical
Dicke burst (docs/physics.md) and classes against emitters one by one."""

import numpy as np
import pytest
import qutip

from sf_dynamics import CoherentSpinState, DickeState, Ensemble, analysis, simulate
from sf_dynamics.model.spectrum import Spectrum
from sf_dynamics.solvers import meanfield
from tests.helpers import assert_physical, exact_derivative, max_relative_difference, random_ensemble
from tests.helpers.qutip_model import lowering


def test_equations_equal_the_exact_derivative_on_product_states():
    rng = np.random.default_rng(5)
    ens = random_ensemble(3, rng)
    kets = [qutip.Qobj(rng.normal(size=2) + 1j * rng.normal(size=2)).unit() for _ in range(3)]
    rho = qutip.ket2dm(qutip.tensor(kets))
    sm = lowering(3)
    beta = np.array([qutip.expect(op, rho) for op in sm])
    pops = np.array([qutip.expect(op.dag() * op, rho) for op in sm]).real
    drho = exact_derivative(ens, rho)
    dbeta, dn = meanfield.derivatives(ens, beta, pops)
    np.testing.assert_allclose(dbeta, [qutip.expect(op, drho) for op in sm], atol=1e-12)
    np.testing.assert_allclose(dn, [qutip.expect(op.dag() * op, drho).real for op in sm], atol=1e-12)


@pytest.fixture(scope="module")
def classical_burst():
    n = 10**5
    res = simulate(Ensemble(n, collective_decay=1.0), np.linspace(0, 2.0 * np.log(n) / n, 4001), method="meanfield")
    return n, res


def test_seeded_burst_follows_the_gross_haroche_delay(classical_burst):
    n, res = classical_burst
    t_r = 1.0 / n
    theta0 = meanfield.default_seed_angle(n)
    assert analysis.buildup_time(res) == pytest.approx(t_r * np.log(4 / theta0**2), rel=0.02)


def test_seeded_burst_is_a_sech2_with_fwhm_3p53_tr_and_peak_n2_over_4(classical_burst):
    n, res = classical_burst
    t_r = 1.0 / n
    assert analysis.pulse_fwhm(res) == pytest.approx(3.53 * t_r, rel=0.02)
    assert analysis.peak_per_n_squared(res) == pytest.approx(0.25, rel=0.02)
    fit = analysis.fit_sech2(res)
    assert fit.params["tau_sf"] == pytest.approx(t_r, rel=0.02)
    assert fit.residual_rms < 0.01 * fit.params["amplitude"]


def test_without_seed_the_inverted_state_only_decays_independently():
    ens = Ensemble(50, collective_decay=1.0, decay=0.5)
    times = np.linspace(0, 2, 21)
    res = simulate(ens, times, method="meanfield", seed_angle=0.0)
    np.testing.assert_allclose(res.excitation, 50 * np.exp(-1.5 * times), rtol=1e-7)


def test_classes_equal_emitters_one_by_one():
    spec = Spectrum.from_samples([-0.5, 0.0, 0.7], [2, 3, 1])
    ens = Ensemble(6, collective_decay=1.0, decay=0.1, dephasing=0.2, pumping=0.02, spectrum=spec)
    times = np.linspace(0, 3, 61)
    a = simulate(ens, times, method="meanfield", engine="classes", seed_angle=0.3)
    b = simulate(ens, times, method="meanfield", engine="emitters", seed_angle=0.3)
    assert max_relative_difference(a.intensity, b.intensity) < 1e-8
    assert_physical(a, atol=1e-7)


def test_coherent_spin_state_needs_no_seed():
    ens = Ensemble(20, collective_decay=1.0)
    res = simulate(ens, np.linspace(0, 0.5, 51), method="meanfield", initial=CoherentSpinState(np.pi / 2))
    assert res.parameters["seed_angle"] == pytest.approx(np.pi / 2)
    # a half-inverted coherent state radiates at once at the superradiant rate ~ N^2 Gamma / 4
    assert res.intensity[0] == pytest.approx(1.0 * 20 * 0.5 + 1.0 * 20 * 19 * 0.25, rel=1e-12)


def test_bad_inputs():
    t = np.linspace(0, 1, 3)
    ens = Ensemble(200, collective_decay=1.0)
    with pytest.raises(ValueError, match="seed_angle"):
        simulate(ens, t, method="meanfield", seed_angle=-0.1)
    with pytest.raises(ValueError, match="product states.*methods that can"):
        simulate(ens, t, method="meanfield", initial=DickeState(100, 0))
    with pytest.raises(ValueError, match="integrator"):
        simulate(ens, t, method="meanfield", integrator="Euler")


def test_few_emitters_refuse_the_default_seed_and_name_the_exact_methods():
    t = np.linspace(0, 3, 31)
    with pytest.raises(ValueError, match="n = 1.*'exact'.*'twa'"):
        simulate(Ensemble(1, collective_decay=1.0), t, method="meanfield")
    with pytest.warns(UserWarning, match="not small"):
        simulate(Ensemble(40, collective_decay=1.0), t, method="meanfield")
    # without a seed a single emitter decays exponentially from excitation 1
    res = simulate(Ensemble(1, collective_decay=1.0), t, method="meanfield", seed_angle=0.0)
    np.testing.assert_allclose(res.excitation, np.exp(-t), rtol=1e-7)
