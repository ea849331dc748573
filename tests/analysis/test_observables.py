import numpy as np
import pytest

from sf_dynamics import analysis


def test_buildup_time_and_peak_interpolate_between_samples():
    t = np.linspace(0, 10, 41)  # spacing 0.25
    tau_d, tau_sf, amp = 4.1, 0.7, 3.0
    y = analysis.sech2(t, tau_d, tau_sf, amp)
    assert analysis.buildup_time(t, y) == pytest.approx(tau_d, abs=0.02)
    assert analysis.peak_intensity(t, y) == pytest.approx(amp, rel=5e-3)


def test_fwhm_of_sech2_is_3p53_tau_sf():
    t = np.linspace(0, 20, 4001)
    y = analysis.sech2(t, 8.0, 1.3, 1.0)
    assert analysis.pulse_fwhm(t, y) == pytest.approx(analysis.SECH2_FWHM_PER_TAU_SF * 1.3, rel=1e-4)
    assert analysis.SECH2_FWHM_PER_TAU_SF == pytest.approx(3.5255, abs=1e-4)


def test_fwhm_is_nan_without_a_complete_burst():
    t = np.linspace(0, 5, 100)
    assert np.isnan(analysis.pulse_fwhm(t, np.exp(-t)))
    assert analysis.buildup_time(t, np.exp(-t)) == 0.0


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_fit_sech2_recovers_parameters_within_reported_errors(seed):
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 30, 300)
    truth = dict(tau_d=12.0, tau_sf=2.0, amplitude=5.0)
    noise = 0.05
    y = analysis.sech2(t, **truth) + rng.normal(0, noise, t.size)
    fit = analysis.fit_sech2(t, y, sigma=np.full(t.size, noise))
    for key, value in truth.items():
        assert abs(fit.params[key] - value) < 4 * fit.errors[key], key
    assert fit.reduced_chi2 == pytest.approx(1.0, abs=0.3)


def test_fit_window_and_model():
    t = np.linspace(0, 30, 301)
    y = analysis.sech2(t, 10.0, 1.5, 2.0)
    fit = analysis.fit_sech2(t, y, window=(5, 15))
    np.testing.assert_allclose(fit.model(t), y, atol=1e-6)
    assert fit["tau_sf"] == pytest.approx(1.5, rel=1e-6)


@pytest.mark.parametrize(
    "times, values, name",
    [
        ([0, 1, 1, 2], [1, 2, 3, 4], "times"),
        ([0, 1, 2, 3], [1, np.nan, 3, 4], "intensity"),
        ([0, 1, 2, 3], [1, 2, 3], "intensity"),
        ([0, 1], [1, 2], "times"),
    ],
)
def test_bad_traces_are_rejected(times, values, name):
    with pytest.raises(ValueError, match=name):
        analysis.buildup_time(times, values)


def test_enhancement_reads_parameters():
    class Fake:
        times = np.linspace(0, 4, 401)
        intensity = analysis.sech2(times, 2.0, 0.3, 50.0)
        parameters = {"n": 100, "collective_decay": 0.4, "decay": 0.1}

    assert analysis.superradiant_enhancement(Fake()) == pytest.approx(50.0 / (100 * 0.5), rel=1e-6)
    with pytest.raises(ValueError, match="single_emitter_rate"):
        analysis.superradiant_enhancement(Fake(), single_emitter_rate=0.0)
