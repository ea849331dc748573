"""Hopping rates: the Haken-Strobl limit of the full Lindblad dimer, the r^-6 law, detailed balance."""

import warnings

import numpy as np
import pytest
import qutip

import sf_dynamics as sf
from sf_dynamics import transport as tr
from sf_dynamics.geometry import MulticomponentSuperlattice, Species
from sf_dynamics.units import HBAR_MEV_PS


def _dimer_transfer_rate(v, delta, dephasing, decay=0.0):
    """Population relaxation rate of one excitation on two detuned, dephased emitters (full Lindblad).

    H = delta/2 (|2><2| - |1><1|) + v (|1><2| + |2><1|) in the one-excitation space; each site's
    coherence decays at gamma_phi through sqrt(2 gamma_phi) |i><i| (no decay: excitation conserved).
    The rate equation predicts P1 - P2 ~ exp(-2 k t); the slowest non-zero Liouvillian eigenvalue is -2 k
    plus corrections of relative order (v / |delta + i Gamma|)^2.
    """
    h = qutip.Qobj(np.array([[-delta / 2, v], [v, delta / 2]]))
    c_ops = [np.sqrt(2 * dephasing) * qutip.projection(2, i, i) for i in range(2)]
    eig = np.sort(np.abs(np.real(qutip.liouvillian(h, c_ops).eigenenergies())))
    return eig[1] / 2.0


@pytest.mark.parametrize("delta", [0.0, 3.0])
def test_dimer_lindblad_converges_to_haken_strobl_rate(delta):
    v = 0.2
    errors = []
    for dephasing in (2.0, 4.0, 8.0, 16.0):
        gamma_tot = 2 * dephasing          # sum of the two coherence decay rates
        exact = _dimer_transfer_rate(v, delta, dephasing)
        k = tr.haken_strobl_rate(v, delta, gamma_tot)
        errors.append(abs(exact - k) / k)
    errors = np.array(errors)
    # second order in v / Gamma: at delta = 0 the slow Liouvillian eigenvalue is (Gamma/2)(1 - sqrt(1 - 16 v^2/Gamma^2))
    # = 2k (1 + 4 v^2 / Gamma^2 + ...), so the error falls 4x per doubling of Gamma once Gamma >> delta
    order = np.log2(errors[-2] / errors[-1])
    assert order == pytest.approx(2.0, abs=0.2)
    assert errors[-1] < 5 * tr.hopping_validity(v, delta, 32.0) ** 2


def test_rates_follow_r6_and_forster_radius():
    """Two triplet NCs in the near field: k = 2 V^2 / Gamma with V^2 = 2 (3 gamma / 4)^2 / (k r)^6 (the isotropic
    average of (d_a.d_b - 3 (d_a.r)(d_b.r))^2 over the 3 x 3 sublevels, divided by the 3 initial ones), up to
    relative corrections of order (k r)^2; hence k(r) = (1/tau)(R0/r)^6 with one Foerster radius R0."""
    sp = Species("NC", 5.0, 2.4, 200.0)
    distances = np.array([6.0, 8.5, 12.0])
    rates, coherence = [], None
    for d in distances:
        lattice = MulticomponentSuperlattice([[0, 0, 0], [d, 0, 0]], [0, 0], [sp])
        r = tr.transfer_rates(lattice, 300.0, cutoff_nm=100.0)
        rates.append(r.matrix[0, 1])
        coherence = 2 * r.info["coherence_decay_per_ps"]["NC"]
    rates = np.array(rates)
    kr = 2 * np.pi * distances / (1239.841984 / 2.4)
    near = 2 * 2 * (0.75 / 200.0) ** 2 / kr**6 / coherence
    assert np.all(np.abs(rates / near - 1) < kr**2)
    r0 = distances[0] * (rates[0] * 200.0) ** (1 / 6)
    np.testing.assert_allclose(tr.forster_rate(distances, r0, 200.0), rates, rtol=float(kr.max() ** 2))


def test_symmetric_rates_without_detailed_balance_and_boltzmann_ratio_with_it():
    small = Species("small", 5.3, 2.60, 300.0)
    big = Species("big", 12.0, 2.45, 150.0)
    lattice = MulticomponentSuperlattice([[0, 0, 0], [12, 0, 0]], [0, 1], [small, big])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        sym = tr.transfer_rates(lattice, 300.0, detailed_balance=False).matrix.toarray()
        db = tr.transfer_rates(lattice, 300.0).matrix.toarray()
    assert sym[0, 1] == pytest.approx(sym[1, 0], rel=1e-12)
    kt = 300.0 * sf.units.K_B_MEV_PER_K
    assert db[1, 0] / db[0, 1] == pytest.approx(np.exp(-150.0 / kt), rel=1e-10)   # uphill by 150 meV
    assert db[0, 1] == pytest.approx(sym[0, 1], rel=1e-12)                         # downhill unchanged


def test_average_disorder_is_the_voigt_mean_of_realised_rates():
    """The ensemble-mean rate equals the mean of the homogeneous rate over Gaussian energy offsets."""
    sp = Species("NC", 8.0, 2.4, 200.0, inhomogeneous_fwhm_meV=30.0)
    pos = [[0, 0, 0], [11, 0, 0]]
    lattice = MulticomponentSuperlattice(pos, [0, 0], [sp])
    mean = tr.transfer_rates(lattice, 200.0, average_disorder=True, detailed_balance=False).matrix[0, 1]
    sigma = 30.0 / 2.3548200450309493
    rng = np.random.default_rng(3)
    samples = []
    for _ in range(4000):
        off = rng.normal(0, sigma, 2)
        real = MulticomponentSuperlattice(pos, [0, 0], [sp], energy_offsets_meV=off)
        samples.append(tr.transfer_rates(real, 200.0, detailed_balance=False).matrix[0, 1])
    samples = np.array(samples)
    assert abs(samples.mean() - mean) < 3 * samples.std() / np.sqrt(samples.size)


def test_coherent_regime_is_warned():
    lattice = sf.Superlattice.chain(4)
    with pytest.warns(RuntimeWarning, match="partly delocalised"):
        r = tr.transfer_rates(lattice, 4.0)
    assert r.info["coherent_pairs"] > 0


def test_coherence_decay_is_the_homogeneous_half_width():
    lattice = sf.Superlattice.chain(3)
    r = tr.transfer_rates(lattice, 300.0)
    fwhm = sf.model.linewidth.LinewidthModel().fwhm_meV(300.0)[0]
    assert r.info["coherence_decay_per_ps"]["NC"] == pytest.approx(fwhm / (2 * HBAR_MEV_PS), rel=1e-12)


@pytest.mark.parametrize("kwargs, match", [
    ({"temperature_K": -1.0}, "temperature_K"),
    ({"temperature_K": 300.0, "cutoff_nm": 0.0}, "cutoff_nm"),
])
def test_bad_rate_inputs(kwargs, match):
    with pytest.raises(ValueError, match=match):
        tr.transfer_rates(sf.Superlattice.chain(3), **kwargs)


def test_unknown_geometry_refused():
    with pytest.raises(ValueError, match="lattice must be"):
        tr.transfer_rates(np.zeros((3, 3)), 300.0)


def test_absorption_continuum_opens_downhill_transfer():
    """Small (2.60 eV) to large (2.40 eV) NCs: without the large NC's continuum the 200 meV mismatch leaves only the
    Lorentzian tail; with continuum rho above its band edge the rate is 2 pi V^2 rho (the step fully passed), and the
    uphill rate is the downhill one times exp(-200 meV / k_B T)."""
    small = Species("small", 5.3, 2.60, 300.0)
    plain = Species("large", 12.0, 2.40, 150.0)
    absorbing = Species("large", 12.0, 2.40, 150.0, continuum_per_meV=0.02, continuum_onset_meV=50.0)
    pos = [[0, 0, 0], [11, 0, 0]]
    rates, gamma = {}, {}
    for big in (plain, absorbing):
        lattice = MulticomponentSuperlattice(pos, [0, 1], [small, big])
        r = tr.transfer_rates(lattice, 300.0)
        rates[big], gamma[big] = r.matrix.toarray(), sum(r.info["coherence_decay_per_ps"].values())
    delta = 200.0 / HBAR_MEV_PS
    lorentz = gamma[plain] / np.pi / (delta**2 + gamma[plain] ** 2)
    v2 = rates[plain][0, 1] / (2 * np.pi * lorentz)
    continuum = rates[absorbing][0, 1] - rates[plain][0, 1]
    assert continuum == pytest.approx(2 * np.pi * v2 * 0.02 * HBAR_MEV_PS, rel=1e-9)
    assert rates[absorbing][0, 1] > 30 * rates[plain][0, 1]      # the Lorentzian tail of a 60 meV wide line at 300 K
    kt = 300.0 * sf.units.K_B_MEV_PER_K
    assert rates[absorbing][1, 0] / rates[absorbing][0, 1] == pytest.approx(np.exp(-200.0 / kt), rel=1e-9)
