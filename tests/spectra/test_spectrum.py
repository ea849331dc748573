"""Spectra and coherence times: analytic lines, sum rules, doublets, bad input."""

import numpy as np
import pytest
from scipy.optimize import curve_fit

import sf_dynamics as sf
from sf_dynamics.spectra import CoherenceWindowWarning


def test_one_emitter_gives_a_lorentzian_of_fwhm_gamma_plus_two_gamma_phi():
    gamma, phi, delta = 0.5, 0.25, -0.7
    ens = sf.Ensemble(1, decay=gamma, dephasing=phi, detunings=[delta])
    corr = sf.spectra.first_order(ens, np.linspace(0, 20, 201), np.linspace(0, 40, 2001))
    spec = sf.spectra.spectrum(corr, oversample=16)
    omega, s = spec["omega"].values, spec.values
    assert omega[np.argmax(s)] == pytest.approx(delta, abs=0.01)
    half = s > s.max() / 2
    fwhm = omega[half][-1] - omega[half][0]
    assert fwhm == pytest.approx(gamma + 2 * phi, rel=0.02)
    # photons: the emitted number on the time window, and the sum rule of the spectrum
    photons = 1 - np.exp(-gamma * 20)
    assert corr.attrs["photons"] == pytest.approx(photons, rel=1e-3)
    assert spec.attrs["photons"] == pytest.approx(corr.attrs["photons"], rel=1e-3)
    g1 = sf.spectra.normalized_g1(corr)
    t2 = 2 / (gamma + 2 * phi)
    assert sf.analysis.coherence_time(g1) == pytest.approx(t2, rel=1e-3)
    assert sf.analysis.coherence_time(g1, definition="1/e") == pytest.approx(t2, rel=1e-3)


def test_two_coupled_dipoles_give_the_doublet_at_plus_minus_omega12():
    """One excitation in |eg> + |ge>: symmetric state at +Omega12 with width gamma + Gamma12, antisymmetric at
    -Omega12 with gamma - Gamma12 (each half the photons)."""
    import qutip

    g12, w12, gamma = 0.3, 1.5, 1.0
    ens = sf.Ensemble(2, gamma_matrix=[[gamma, g12], [g12, gamma]], omega_matrix=[[0, w12], [w12, 0]])
    up, down = qutip.basis(2, 1), qutip.basis(2, 0)
    start = (qutip.tensor(up, down) * qutip.tensor(up, down).dag() + qutip.tensor(down, up) *
             qutip.tensor(down, up).dag()) / 2   # incoherent: half in each of |eg>, |ge>
    corr = sf.spectra.first_order(ens, np.linspace(0, 30, 151), np.linspace(0, 30, 601), initial=start)
    spec = sf.spectra.spectrum(corr, oversample=16)
    omega, s = spec["omega"].values, spec.values

    def doublet(w, a1, c1, w1, a2, c2, w2):
        return sum(a * (wd / 2) ** 2 / ((w - c) ** 2 + (wd / 2) ** 2) for a, c, wd in ((a1, c1, w1), (a2, c2, w2)))

    band = np.abs(omega) < 8
    fit, _ = curve_fit(doublet, omega[band], s[band], p0=[s.max(), 1.0, 1.0, s.max(), -1.0, 1.0])
    assert fit[[1, 4]] == pytest.approx([w12, -w12], abs=0.01)
    assert np.abs(fit[[2, 5]]) == pytest.approx([gamma + g12, gamma - g12], rel=0.01)
    # equal photon numbers in the two lines: area ~ amplitude x width
    assert fit[0] * abs(fit[2]) == pytest.approx(fit[3] * abs(fit[5]), rel=0.01)
    assert spec.attrs["photons"] == pytest.approx(corr.attrs["photons"], rel=2e-3)


@pytest.mark.parametrize("method", ["exact", "permutational"])
def test_sum_rule_holds_for_superfluorescence(method):
    ens = sf.Ensemble(6, collective_decay=1.0, dephasing=0.3, detunings=np.full(6, 0.4))
    corr = sf.spectra.first_order(ens, np.linspace(0, 8, 81), np.linspace(0, 20, 401), method=method,
                                  detector="collective")
    spec = sf.spectra.spectrum(corr, center_wavelength_nm=515.0)
    assert spec.attrs["photons"] == pytest.approx(corr.attrs["photons"], rel=1e-3)
    peak = spec["omega"].values[np.argmax(spec.values)]
    assert peak == pytest.approx(0.4, abs=0.05)
    assert spec["wavelength_nm"].values[np.argmax(spec.values)] < 515.0   # blue-detuned line: shorter wavelength


def test_explicit_frequency_grid_and_band_check():
    ens = sf.Ensemble(1, decay=1.0)
    # trapezoid rules in t and tau: relative errors ~ (dt^2 / 12) and (dtau^2 / 12) (omega^2 + 1/4) <= 3e-4 here
    corr = sf.spectra.first_order(ens, np.linspace(0, 10, 201), np.linspace(0, 20, 2001))
    spec = sf.spectra.spectrum(corr, omega=np.linspace(-5, 5, 11))
    lorentz = 2 * 0.5 / (0.25 + np.linspace(-5, 5, 11) ** 2) * (1 - np.exp(-10))
    np.testing.assert_allclose(spec.values, lorentz, rtol=2e-3)
    with pytest.raises(ValueError, match="band"):
        sf.spectra.spectrum(corr, omega=[0.0, 1000.0])


def test_a_short_delay_window_warns():
    with pytest.warns(CoherenceWindowWarning, match="extend taus"):
        sf.spectra.first_order(sf.Ensemble(1, decay=0.1), np.linspace(0, 1, 3), np.linspace(0, 1, 11))


def test_coherence_time_input_checks():
    with pytest.raises(ValueError, match="shape"):
        sf.analysis.coherence_time([0, 1, 2], [1, 0.5])
    with pytest.raises(ValueError, match="start at 0"):
        sf.analysis.coherence_time([1, 2], [1, 0.5])
    with pytest.raises(ValueError, match="definition"):
        sf.analysis.coherence_time([0, 1], [1, 0.5], definition="fwhm")
    assert np.isnan(sf.analysis.coherence_time([0, 1], [1, 0.9], definition="1/e"))


def test_time_resolved_spectrum_passes_the_filtered_photon_rate_and_narrows_to_the_line():
    gamma, phi, delta = 0.5, 0.2, 0.8
    ens = sf.Ensemble(1, decay=gamma, dephasing=phi, detunings=[delta])
    dt = 0.02
    times = np.arange(0, 12 + dt / 2, dt)
    corr = sf.spectra.first_order(ens, times, np.arange(0, 12 + dt / 2, dt))
    gf = 0.4
    omega = np.linspace(-np.pi / dt, np.pi / dt, 4001)
    s = sf.spectra.time_resolved_spectrum(corr, gf, omega=omega)
    rate = corr["intensity"].values
    filtered = np.array([gf * np.sum(np.exp(-gf * (t - times[: k + 1])) * rate[: k + 1]) * dt
                         for k, t in enumerate(times)])
    passed = s.values.sum(axis=1) * (omega[1] - omega[0]) / (2 * np.pi)
    late = times > 2
    np.testing.assert_allclose(passed[late], filtered[late], rtol=0.02)
    assert omega[np.argmax(s.values[-1])] == pytest.approx(delta, abs=0.02)


def test_time_resolved_spectrum_checks_its_grids():
    ens = sf.Ensemble(1, decay=1.0)
    corr = sf.spectra.first_order(ens, np.linspace(0, 5, 11), np.linspace(0, 10, 101))
    with pytest.raises(ValueError, match="delay step"):
        sf.spectra.time_resolved_spectrum(corr, 0.5)
    with pytest.warns(CoherenceWindowWarning):
        corr = sf.spectra.first_order(ens, np.linspace(0, 5, 51), np.linspace(0, 2, 21))
    with pytest.raises(ValueError, match="cover the time window"):
        sf.spectra.time_resolved_spectrum(corr, 0.5)
    with pytest.raises(ValueError, match="filter_fwhm"):
        sf.spectra.time_resolved_spectrum(corr, -1.0)


def test_spectrum_refuses_what_would_give_a_wrong_number():
    ens = sf.Ensemble(1, decay=1.0, dephasing=0.5)
    taus = np.arange(0.0, 20.0, 0.05)
    corr = sf.spectra.first_order(ens, np.linspace(0, 8, 41), taus)
    omega = np.linspace(-20, 20, 801)
    # a decreasing grid would give negative photons; an uneven one is integrated by the trapezoid rule
    with pytest.raises(ValueError, match="strictly increasing"):
        sf.spectra.spectrum(corr, omega[::-1])
    uneven = np.concatenate([np.linspace(-20, 0, 201), np.linspace(0.05, 20, 1000)])
    even = sf.spectra.spectrum(corr, omega).attrs["photons"]
    assert sf.spectra.spectrum(corr, uneven).attrs["photons"] == pytest.approx(even, rel=1e-2)
    with pytest.raises(ValueError, match="center_wavelength_nm"):
        sf.spectra.spectrum(corr, center_wavelength_nm=0.515)      # micrometres typed as nanometres
    with pytest.raises(ValueError, match="first_order"):
        sf.spectra.spectrum(np.zeros(5))
    broken = corr.copy(deep=True)
    broken["g1"][3, 2] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        sf.spectra.spectrum(broken)
