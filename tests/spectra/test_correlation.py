"""G1(t, tau) against QuTiP's own correlation functions on an independent model, analytic limits, sum rules."""

import numpy as np
import pytest
import qutip

import sf_dynamics as sf
from tests.helpers import green_ensemble
from tests.helpers.qutip_model import excited_ket, independent_liouvillian, independent_triplet_liouvillian

# Accuracy tests compare G1 on short delay windows; whether the window is long enough for a spectrum is
# tested separately in test_spectrum.py.
pytestmark = pytest.mark.filterwarnings("ignore::sf_dynamics.spectra.CoherenceWindowWarning")


def reference_g1(ensemble, times, taus, initial_ket, detector="total"):
    """sum_ij w_ij <s+_i(t + tau) s-_j(t)> from qutip.correlation_2op_2t on a Liouvillian written term by term."""
    n = ensemble.n
    liou, sp, sm = independent_liouvillian(ensemble)
    gamma = ensemble.gamma_matrix()
    weights = gamma if detector == "total" else np.full((n, n), ensemble.collective_decay)
    rho0 = qutip.ket2dm(initial_ket)
    opts = {"atol": 1e-12, "rtol": 1e-10, "nsteps": 10**6}
    out = np.zeros((len(times), len(taus)), dtype=complex)
    for i in range(n):
        for j in range(n):
            if weights[i, j]:
                out += weights[i, j] * qutip.correlation_2op_2t(liou, rho0, times, taus, [], sp[i], sm[j],
                                                                options=opts)
    return out



@pytest.mark.parametrize("ensemble", [
    sf.Ensemble(2, collective_decay=1.0, decay=0.3, dephasing=0.2, detunings=[0.4, -0.3]),
    sf.Ensemble(3, collective_decay=0.7, decay=0.2, dephasing=0.1, pumping=0.05, detunings=[0.5, 0.0, -0.8]),
    green_ensemble(3, 0),
    green_ensemble(4, 1),
], ids=["n2-detuned", "n3-pumped", "n3-green", "n4-green"])
def test_exact_equals_qutip_correlation_functions(ensemble):
    times, taus = np.linspace(0, 2.0, 6), np.linspace(0, 3.0, 31)
    ours = sf.spectra.first_order(ensemble, times, taus, method="exact")
    ref = reference_g1(ensemble, times, taus, excited_ket(ensemble.n))
    scale = np.abs(ref).max()
    assert np.abs(ours["g1"].values - ref).max() < 1e-6 * scale
    np.testing.assert_allclose(ours["intensity"].values,
                               sf.simulate(ensemble, times, method="exact").intensity, atol=1e-9 * scale)


def test_two_triplet_nanocrystals_equal_qutip_on_an_independent_four_level_model():
    pos = np.array([[0.0, 0.0, 0.0], [0.12, 0.05, 0.0]])
    ens = sf.geometry.nanocrystals_at(pos, wavelength=1.0, gamma=1.0, dephasing=0.15,
                                      fine_structure=(-0.3, 0.0, 0.4), detunings=[0.2, -0.1])
    times, taus = np.linspace(0, 2.0, 5), np.linspace(0, 3.0, 31)
    # one exciton per NC, an incoherent mixture of its three sublevels (weights 0.5, 0.3, 0.2)
    start = sf.TripletExcitation(populations=(0.5, 0.3, 0.2))
    ours = sf.spectra.first_order(ens, times, taus, method="exact", initial=start)
    liou, sp, sm = independent_triplet_liouvillian(ens)
    one = qutip.Qobj(np.diag([0.0, 0.5, 0.3, 0.2]))
    rho0 = qutip.tensor([one, one])
    gamma = ens.gamma_matrix()
    ref = np.zeros((len(times), len(taus)), dtype=complex)
    opts = {"atol": 1e-12, "rtol": 1e-10, "nsteps": 10**6}
    for x in range(6):
        for y in range(6):
            if gamma[x, y]:
                ref += gamma[x, y] * qutip.correlation_2op_2t(liou, rho0, times, taus, [], sp[x], sm[y],
                                                              options=opts)
    assert np.abs(ours["g1"].values - ref).max() < 1e-6 * np.abs(ref).max()


def test_collective_detector_equals_qutip():
    ens = sf.Ensemble(3, collective_decay=1.0, decay=0.2, dephasing=0.3, detunings=[0.2, 0.2, 0.2])
    times, taus = np.linspace(0, 1.5, 4), np.linspace(0, 4.0, 41)
    ours = sf.spectra.first_order(ens, times, taus, method="exact", detector="collective")
    ref = reference_g1(ens, times, taus, excited_ket(3), detector="collective")
    assert np.abs(ours["g1"].values - ref).max() < 1e-6 * np.abs(ref).max()


@pytest.mark.parametrize("n", [2, 4, 6])
def test_permutational_equals_exact_on_the_collective_channel(n):
    ens = sf.Ensemble(n, collective_decay=1.0, decay=0.1, dephasing=0.2, pumping=0.02, detunings=np.full(n, 0.3))
    times, taus = np.linspace(0, 1.5, 7), np.linspace(0, 3.0, 61)
    a = sf.spectra.first_order(ens, times, taus, method="permutational", detector="collective")
    b = sf.spectra.first_order(ens, times, taus, method="exact", detector="collective")
    assert np.abs(a["g1"].values - b["g1"].values).max() < 1e-6 * np.abs(b["g1"].values).max()


def test_permutational_equals_piqs_with_qutip_correlation_functions_at_n20():
    from qutip import piqs

    n = 20
    ens = sf.Ensemble(n, collective_decay=1.0, decay=0.1, dephasing=0.5)
    times, taus = np.linspace(0, 0.3, 4), np.linspace(0, 0.6, 31)
    system = piqs.Dicke(n, emission=0.1, dephasing=1.0, collective_emission=1.0)
    jp, jm = piqs.jspin(n, "+"), piqs.jspin(n, "-")
    ref = qutip.correlation_2op_2t(system.liouvillian(), piqs.excited(n), times, taus, [], jp, jm,
                                   options={"atol": 1e-12, "rtol": 1e-10, "nsteps": 10**6})
    ours = sf.spectra.first_order(ens, times, taus, method="permutational", detector="collective")
    assert np.abs(ours["g1"].values - ref).max() < 1e-6 * np.abs(ref).max()


def test_one_emitter_is_a_damped_exponential():
    gamma, phi, delta = 0.8, 0.35, 0.6
    ens = sf.Ensemble(1, decay=gamma, dephasing=phi, detunings=[delta])
    times, taus = np.linspace(0, 3, 13), np.linspace(0, 25, 501)
    corr = sf.spectra.first_order(ens, times, taus)
    # the total detector weights by Gamma: G1(t, 0) is the photon rate Gamma * P_e(t)
    expected = gamma * np.exp(-gamma * times)[:, None] * np.exp((1j * delta - gamma / 2 - phi) * taus)[None, :]
    assert np.abs(corr["g1"].values - expected).max() < 1e-10


def test_bad_delays_detectors_and_methods_are_refused():
    ens = sf.Ensemble(3, collective_decay=1.0)
    t = np.linspace(0, 1, 3)
    for taus, match in (([0.1, 0.2], "start at 0"), ([0, 0.1, 0.3], "equally spaced"), ([0, -1], "increasing"),
                        ([0], "at least 2")):
        with pytest.raises(ValueError, match=match):
            sf.spectra.first_order(ens, t, taus)
    with pytest.raises(ValueError, match="detector must be one of"):
        sf.spectra.first_order(ens, t, [0, 1], detector="far field")
    with pytest.raises(ValueError, match="collective_decay > 0"):
        sf.spectra.first_order(sf.Ensemble(3, decay=1.0), t, [0, 1], detector="collective")
    with pytest.raises(ValueError, match="collective channel only"):
        sf.spectra.first_order(sf.Ensemble(30, collective_decay=1.0, decay=0.1), t, [0, 1], method="permutational")
    with pytest.raises(ValueError, match="method must be one of"):
        sf.spectra.first_order(ens, t, [0, 1], method="meanfield")
    with pytest.raises(ValueError, match="two-level"):
        sf.spectra.first_order(sf.NanocrystalEnsemble(2, collective_decay=1.0), t, [0, 1], method="cumulant",
                               detector="collective")
    with pytest.raises(ValueError, match="unknown option"):
        sf.spectra.first_order(ens, t, [0, 1], n_trajectories=3)
