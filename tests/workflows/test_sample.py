"""The sample model: domains and uncoupled NCs add up per NC, with exact limits and photon conservation."""

import numpy as np
import pytest
from scipy.integrate import trapezoid

import sf_dynamics as sf
from sf_dynamics.workflows.sample import Sample


def test_uncoupled_ncs_decay_exponentially_and_every_photon_is_emitted():
    sample = Sample(domain_sizes=[20, 60], domain_weights=[3.0, 1.0], coupled_fraction=0.3,
                    collective_decay=0.3, decay=0.7, dephasing=0.5)
    times = np.linspace(0, 25, 5001)
    ds = sample.traces(times, p=0.8)
    np.testing.assert_allclose(ds["uncoupled"].values, 0.8 * np.exp(-times), rtol=1e-12)
    # no non-radiative loss: each NC emits its p photons, in domains and outside
    for name in ("coupled", "uncoupled", "total"):
        assert trapezoid(ds[name].values, times) == pytest.approx(0.8, rel=1e-3)
    # domains of 20 and 60 NCs, 3:1 in number: 60 : 60 NCs, equal shares
    np.testing.assert_allclose(sample.nc_share, [0.5, 0.5])
    np.testing.assert_allclose(ds["coupled"].values, ds["by_size"].values.mean(axis=0))


def test_a_sample_of_one_domain_size_is_that_domain_per_nc():
    sample = Sample(domain_sizes=50, coupled_fraction=1.0, collective_decay=1.0, decay=0.1, dephasing=0.2)
    times = np.linspace(0, 0.5, 51)
    ds = sample.traces(times, p=0.9)
    ens = sf.Ensemble(50, collective_decay=1.0, decay=0.1, dephasing=0.2)
    ref = sf.simulate(ens, times, method="permutational", initial=sf.ProductState(0.9))
    np.testing.assert_allclose(ds["total"].values, ref.intensity / 50, rtol=1e-12)
    # the burst sits on top of the uncoupled decay when half the NCs are outside domains
    mixed = Sample(domain_sizes=50, coupled_fraction=0.5, collective_decay=1.0, decay=0.1, dephasing=0.2)
    both = mixed.traces(times, p=0.9)
    np.testing.assert_allclose(both["total"].values, 0.5 * ds["total"].values + 0.5 * both["uncoupled"].values)


def test_bad_samples_are_refused():
    with pytest.raises(ValueError, match="domain_sizes"):
        Sample(domain_sizes=[1, 10])
    with pytest.raises(ValueError, match="domain_weights"):
        Sample(domain_sizes=[10, 20], domain_weights=[1.0])
    with pytest.raises(ValueError, match="coupled_fraction"):
        Sample(coupled_fraction=1.5)
    with pytest.raises(ValueError, match="decay"):
        Sample(decay=-1.0)
    with pytest.raises(ValueError, match="p"):
        Sample(domain_sizes=10).traces([0, 1], p=1.2)


def _spectra_sample():
    return Sample(domain_sizes=[10, 20], coupled_fraction=0.4, collective_decay=0.03, decay=0.05, dephasing=0.02)


def test_sample_spectra_keep_every_photon_and_put_the_lines_where_they_belong():
    from sf_dynamics.units import MEV_TO_RAD_PER_PS

    sample = _spectra_sample()
    energy = np.linspace(-40.0, 40.0, 8001)
    times = np.arange(0.0, 200.0, 0.25)
    ds = sample.spectra(energy, times, p=0.8, coupled_shift_meV=-1.5, inhomogeneous_fwhm_meV=2.0)
    a = ds.attrs
    # every NC emits its p photons (collective + local = p; uncoupled p), within the windows' truncation
    assert a["photons_coupled"] == pytest.approx(0.8, rel=2e-3)
    assert a["photons_uncoupled"] == pytest.approx(0.8, rel=2e-3)
    assert trapezoid(ds["total"].values, energy) == pytest.approx(0.8, rel=2e-3)
    # the collective photons are those of G1(t, 0) of each domain, weighted by the NC shares
    photons = []
    for size in (10, 20):
        ens = sf.Ensemble(size, collective_decay=0.03, decay=0.05, dephasing=0.02)
        corr = sf.spectra.first_order(ens, times, times, detector="collective", initial=sf.ProductState(0.8))
        photons.append(corr.attrs["photons"] / size)
        # the line of one size is the spectrum of its G1, moved by the shift, per NC and per meV
        inside = np.nonzero(np.abs(energy + 1.5) < 6.0)[0][::25]         # within the band of the delay step
        line = sf.spectra.spectrum(corr, (energy[inside] + 1.5) * MEV_TO_RAD_PER_PS).values / size
        np.testing.assert_allclose(ds["collective_by_size"].sel(domain_size=size).values[inside],
                                   line * MEV_TO_RAD_PER_PS / (2 * np.pi), rtol=1e-10, atol=1e-14)
    assert a["photons_collective"] == pytest.approx(sample.nc_share @ np.array(photons), rel=2e-3)
    # the coupled line sits at the shift and is narrower than the spread of uncoupled NCs, whose line is the
    # Voigt of the homogeneous FWHM hbar (Gamma_1 + 2 gamma_phi) and the 2 meV Gaussian
    assert a["coupled_peak_meV"] == pytest.approx(-1.5, abs=2 * (energy[1] - energy[0]))
    assert a["coupled_fwhm_meV"] < a["uncoupled_fwhm_meV"]
    homogeneous = (0.08 + 0.04) / MEV_TO_RAD_PER_PS
    f_l, f_g = homogeneous, 2.0
    voigt = 0.5346 * f_l + np.sqrt(0.2166 * f_l**2 + f_g**2)       # Olivero-Longbothum, 0.02 % accurate
    assert a["uncoupled_fwhm_meV"] == pytest.approx(voigt, rel=2e-3)
    narrow = sample.spectra(energy, times, p=0.8)
    assert narrow.attrs["uncoupled_fwhm_meV"] == pytest.approx(homogeneous, rel=5e-3)


def test_sample_spectra_warn_when_the_window_cuts_the_collective_emission():
    sample = _spectra_sample()
    with pytest.warns(UserWarning, match="extend times"):
        sample.spectra(np.linspace(-4.0, 4.0, 401), np.arange(0.0, 10.0, 0.25), p=0.8)


def test_sample_spectra_refuse_bad_grids():
    sample = _spectra_sample()
    times = np.arange(0.0, 10.0, 0.1)
    with pytest.raises(ValueError, match="energy_meV"):
        sample.spectra([0.0, 1.0, 3.0], times)
    with pytest.raises(ValueError, match="inhomogeneous_fwhm_meV"):
        sample.spectra(np.linspace(-1, 1, 11), times, inhomogeneous_fwhm_meV=-1.0)
    with pytest.raises(ValueError, match="p"):
        sample.spectra(np.linspace(-1, 1, 11), times, p=-0.1)


def _burst_sample():
    return Sample(domain_sizes=30, coupled_fraction=0.6, collective_decay=1.0, decay=0.2, dephasing=0.3,
                  cross_section_cm2=2e-14)


def test_bands_split_the_emission_into_the_collective_line_and_the_rest():
    sample = _burst_sample()
    times = np.linspace(0, 2, 201)
    ds = sample.traces(times, p=0.9)
    res = sf.simulate(sample.domain(30), times, method="permutational", initial=sf.ProductState(0.9))
    # the collective line is Gamma_c <J+ J->, the solver's own collective rate
    np.testing.assert_allclose(ds["collective"].values * 30, res.data["collective_rate"], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ds["coupled_band"] + ds["uncoupled_band"], ds["total"], rtol=1e-12)


def test_burst_threshold_is_where_the_burst_test_flips():
    sample = _burst_sample()
    times = np.linspace(0, 6, 601)
    found = sample.burst_threshold(times, xtol=1e-4)
    p = found["probability"]
    # a point-like domain needs inversion; the test fails just below and holds just above
    assert 0.5 < p < 1.0
    assert not sample.burst(times, p=p - 0.01)["burst"] and sample.burst(times, p=p + 0.01)["burst"]
    # the fluence is the inverse of the absorption law
    assert sample.excitation_probability(found["fluence_uJ_cm2"])[0] == pytest.approx(p, rel=1e-12)
    # independent NCs (no collective channel) never pass the test
    lone = Sample(domain_sizes=30, collective_decay=0.0, decay=1.2, dephasing=0.3)
    assert np.isnan(lone.burst_threshold(times)["probability"])


def test_fluence_series_applies_the_burst_test_and_brackets_the_same_threshold():
    sample = _burst_sample()
    times = np.linspace(0, 6, 601)
    fluences = sample.fluence(np.array([0.3, 0.6, 0.8, 0.95]))
    ds = sample.fluence_series(fluences, times, irf_fwhm=0.1, progress=False)
    burst = ds["burst"].values.astype(bool)
    assert np.array_equal(np.isfinite(ds["tau_d"].values), burst)
    assert np.all(ds["peak_over_incoherent"].values[burst] >= 1.5)
    assert np.all(ds["peak_over_incoherent"].values[~burst] < 1.5)
    # the threshold from the series' bracket is the one found from scratch (both to xtol = 1e-3 in p)
    alone = sample.burst_threshold(times)
    assert ds.attrs["threshold_probability"] == pytest.approx(alone["probability"], abs=2e-3)
    for name in ("recorded", "recorded_coupled_band", "recorded_uncoupled_band"):
        assert ds[name].attrs["irf_fwhm_ps"] == 0.1


def test_temperature_sets_the_dephasing_through_the_linewidth_model():
    from sf_dynamics.model.linewidth import LinewidthModel, dephasing_rate

    sample = _burst_sample()
    warm = sample.with_temperature(40.0)
    assert warm.temperature_K == 40.0
    assert warm.dephasing == pytest.approx(dephasing_rate([40.0], LinewidthModel(), radiative_rate=1.2)[0])
    assert warm.collective_decay == sample.collective_decay
    with pytest.raises(ValueError, match="temperature_K"):
        sample.with_temperature(0.0)
    with pytest.raises(ValueError, match="cross_section_cm2"):
        Sample(cross_section_cm2=0.0)
    with pytest.raises(ValueError, match="one domain size"):
        Sample(domain_sizes=[10, 20]).temperature_sweep([4.0, 10.0], np.linspace(0, 1, 11))
