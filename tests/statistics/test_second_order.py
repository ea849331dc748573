"""G2(t, tau) and g2(t) against QuTiP's correlation functions on independent models, piqs, and textbook values."""

import numpy as np
import pytest
import qutip

import sf_dynamics as sf
from tests.helpers import green_ensemble
from tests.helpers.qutip_model import excited_ket, independent_liouvillian

OPTS = {"atol": 1e-12, "rtol": 1e-10, "nsteps": 10**6}


def reference_g2(ensemble, times, taus, weights):
    """sum_ijkl w_ij w_kl <s+_i(t) s+_k s-_l(t + tau) s-_j(t)> from qutip.correlation_3op_2t."""
    liou, sp, sm = independent_liouvillian(ensemble)
    rho0 = qutip.ket2dm(excited_ket(ensemble.n))
    # sum_ij w_ij s+_i X s-_j = sum_k lam_k E+_k X E-_k with E-_k = sum_j v_jk s-_j (w = V diag(lam) V^T)
    lam, vec = np.linalg.eigh(weights)
    fields = [(lk, sum(vec[j, k] * sm[j] for j in range(ensemble.n))) for k, lk in enumerate(lam) if lk > 1e-12]
    rate = sum(lk * f.dag() * f for lk, f in fields)
    out = np.zeros((len(times), len(taus)), dtype=complex)
    for lk, f in fields:
        out += lk * qutip.correlation_3op_2t(liou, rho0, times, taus, [], f.dag(), rate, f, options=OPTS)
    return out



@pytest.mark.parametrize("n", [2, 3, 4, 5, 6])
def test_exact_collective_channel_equals_qutip_correlation_3op_2t(n):
    ens = sf.Ensemble(n, collective_decay=1.0, decay=0.2, dephasing=0.1, pumping=0.05, detunings=np.full(n, 0.4))
    times, taus = np.linspace(0, 1.2, 4), np.linspace(0, 1.5, 16)
    ours = sf.statistics.second_order(ens, times, taus, method="exact")
    ref = reference_g2(ens, times, taus, np.full((n, n), 1.0))
    assert np.abs(ref.imag).max() < 1e-9 * np.abs(ref).max()
    assert np.abs(ours["G2"].values - ref.real).max() < 1e-6 * np.abs(ref).max()


@pytest.mark.parametrize("ensemble", [green_ensemble(3, 0), green_ensemble(4, 1)], ids=["n3-green", "n4-green"])
def test_exact_total_detector_with_coupling_matrices_equals_qutip(ensemble):
    times, taus = np.linspace(0, 1.5, 4), np.linspace(0, 2.0, 21)
    ours = sf.statistics.second_order(ensemble, times, taus, method="exact", detector="total")
    ref = reference_g2(ensemble, times, taus, ensemble.gamma_matrix())
    assert np.abs(ours["G2"].values - ref.real).max() < 1e-6 * np.abs(ref).max()


def test_exact_far_field_detector_equals_qutip():
    pos = np.column_stack([np.arange(3) * 0.15, [0.0, 0.05, -0.03], np.zeros(3)])
    dip = np.tile([0, 0, 1.0], (3, 1))
    g, w = sf.geometry.green_couplings(pos, dip, wavelength=1.0, gamma=1.0)
    ens = sf.Ensemble(3, gamma_matrix=g, omega_matrix=w, dephasing=0.1, detunings=[0.3, -0.2, 0.0])
    direction = np.array([0.6, 0.8, 0.0])
    detector = sf.spectra.FarField(direction, [0.0, 0.0, 1.0], pos, 1.0, dipoles=dip)
    times, taus = np.linspace(0, 1.0, 3), np.linspace(0, 1.0, 11)
    ours = sf.statistics.second_order(ens, times, taus, method="exact", detector=detector)
    # the field written out from its definition (sqrt(3 / 8 pi) e^{-i k.r} e.d), not from the package
    amp = [np.sqrt(3 / (8 * np.pi)) * np.exp(-2j * np.pi * direction @ r) * (np.array([0, 0, 1.0]) @ d)
           for r, d in zip(pos, dip)]
    liou, sp, sm = independent_liouvillian(ens)
    field = sum(complex(a) * s for a, s in zip(amp, sm))
    ref = qutip.correlation_3op_2t(liou, qutip.ket2dm(excited_ket(3)), times, taus, [], field.dag(),
                                   field.dag() * field, field, options=OPTS)
    assert np.abs(ours["G2"].values - ref.real).max() < 1e-6 * np.abs(ref).max()


@pytest.mark.parametrize("n", [2, 4, 6])
def test_permutational_equals_exact_with_every_process(n):
    ens = sf.Ensemble(n, collective_decay=1.0, decay=0.15, dephasing=0.2, pumping=0.03, detunings=np.full(n, -0.3))
    times, taus = np.linspace(0, 1.5, 6), np.linspace(0, 2.0, 41)
    a = sf.statistics.second_order(ens, times, taus, method="permutational")
    b = sf.statistics.second_order(ens, times, taus, method="exact")
    assert np.abs(a["G2"].values - b["G2"].values).max() < 1e-6 * np.abs(b["G2"].values).max()
    np.testing.assert_allclose(a["intensity"].values, b["intensity"].values, rtol=1e-6)


def test_permutational_equals_piqs_with_qutip_correlation_3op_2t_at_n20():
    from qutip import piqs

    n = 20
    ens = sf.Ensemble(n, collective_decay=1.0, decay=0.1, dephasing=0.5)
    times, taus = np.linspace(0, 0.3, 4), np.linspace(0, 0.4, 21)
    system = piqs.Dicke(n, emission=0.1, dephasing=1.0, collective_emission=1.0)   # piqs dephasing = 2 gamma_phi
    jp, jm = piqs.jspin(n, "+"), piqs.jspin(n, "-")
    ref = qutip.correlation_3op_2t(system.liouvillian(), piqs.excited(n), times, taus, [], jp, jp * jm, jm,
                                   options=OPTS)
    ours = sf.statistics.second_order(ens, times, taus, method="permutational")
    assert np.abs(ours["G2"].values - ref.real).max() < 1e-6 * np.abs(ref).max()


@pytest.mark.parametrize("n,method", [(2, "exact"), (5, "exact"), (10, "permutational"), (1000, "permutational")])
def test_fully_inverted_emitters_start_with_g2_two_times_one_minus_one_over_n(n, method):
    ens = sf.Ensemble(n, collective_decay=1.0, decay=0.2)
    d = sf.statistics.second_order(ens, [0.0, 0.1 / n], [0.0, 0.05 / n], method=method)
    assert d["g2"].values[0] == pytest.approx(2 * (1 - 1 / n), rel=1e-10)


def test_equal_time_g2_is_the_one_time_g2_of_the_result():
    ens = sf.Ensemble(30, collective_decay=1.0, decay=0.1, dephasing=0.05)
    times = np.linspace(0, 0.5, 11)
    d = sf.statistics.second_order(ens, times, [0.0, 0.01])
    res = sf.simulate(ens, times, method="permutational", rtol=1e-10)
    g2 = sf.statistics.g2(res)
    np.testing.assert_allclose(d["g2"].values, g2["g2"].values, rtol=1e-6)
    np.testing.assert_allclose(d["G2"].values[:, 0], res.data["pair_rate"], rtol=1e-6)


def test_one_emitter_never_emits_two_photons_at_once_and_independent_emitters_factorise():
    one = sf.statistics.second_order(sf.Ensemble(1, collective_decay=0.7), np.linspace(0, 2, 5),
                                     np.linspace(0, 3, 7), method="exact")
    assert np.abs(one["G2"].values[:, 0]).max() < 1e-14
    # two independent emitters, total detector: G2(t, tau) = 2 gamma P_e(t) gamma P_e(t + tau) (the other emitter)
    gamma = 0.8
    ens = sf.Ensemble(2, decay=gamma)
    times, taus = np.linspace(0, 2, 5), np.linspace(0, 3, 7)
    two = sf.statistics.second_order(ens, times, taus, method="exact", detector="total")
    t_plus = times[:, None] + taus[None, :]
    expected = 2 * gamma * np.exp(-gamma * times)[:, None] * gamma * np.exp(-gamma * t_plus)
    assert np.abs(two["G2"].values - expected).max() < 1e-10


def test_independent_emitters_seen_through_one_far_field_mode_are_chaotic():
    n = 3
    pos = np.column_stack([np.arange(n) * 0.37, np.zeros(n), np.zeros(n)])
    dip = np.tile([0, 0, 1.0], (n, 1))
    ens = sf.Ensemble(n, decay=1.0, dephasing=0.3)
    detector = sf.spectra.FarField([1.0, 0.0, 0.0], [0.0, 0.0, 1.0], pos, 1.0, dipoles=dip)
    d = sf.statistics.second_order(ens, np.linspace(0, 3, 7), [0.0, 0.1], method="exact", detector=detector)
    np.testing.assert_allclose(d["g2"].values, 2 * (1 - 1 / n), rtol=1e-9)


def test_zero_delay_g2_integrates_the_pair_rate_over_the_squared_rate():
    ens = sf.Ensemble(6, collective_decay=1.0, decay=0.2)
    times = np.linspace(0, 3, 121)
    res = sf.simulate(ens, times, method="permutational", rtol=1e-9)
    exact = sf.simulate(ens, times, method="exact")
    assert sf.statistics.zero_delay_g2(res) == pytest.approx(sf.statistics.zero_delay_g2(exact), rel=1e-6)
    assert 1.0 < sf.statistics.zero_delay_g2(res) < 2.0
    with pytest.raises(ValueError, match="no collective pair rate"):
        sf.statistics.zero_delay_g2(sf.simulate(sf.Ensemble(20, collective_decay=1.0), times, method="meanfield"))


def test_g2_of_results_without_it_and_bad_arguments_are_refused():
    ens = sf.Ensemble(4, collective_decay=1.0)
    with pytest.raises(ValueError, match="does not compute g2"):
        sf.statistics.g2(sf.simulate(sf.Ensemble(20, collective_decay=1.0), [0, 1], method="meanfield"))
    with pytest.raises(ValueError, match="detector"):
        sf.statistics.second_order(ens, [0, 1], [0, 1], detector="forward")
    with pytest.raises(ValueError, match="collective_decay > 0"):
        sf.statistics.second_order(sf.Ensemble(3, decay=1.0), [0, 1], [0, 1])
    with pytest.raises(ValueError, match="method must be one of"):
        sf.statistics.second_order(ens, [0, 1], [0, 1], method="cumulant")
    with pytest.raises(ValueError, match="unknown option"):
        sf.statistics.second_order(ens, [0, 1], [0, 1], trajectories=10)
    with pytest.raises(ValueError, match="taus must start at 0"):
        sf.statistics.second_order(ens, [0, 1], [0.5, 1])
    with pytest.raises(ValueError, match="'permutational' cannot compute this correlation: it detects the collective"):
        sf.statistics.second_order(ens, [0, 1], [0, 1], method="permutational", detector="total")
    with pytest.raises(ValueError, match="system must be"):
        sf.statistics.second_order("four emitters", [0, 1], [0, 1])
