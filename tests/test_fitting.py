"""Fits recover known parameters from synthetic noisy traces within their reported uncertainty."""

import numpy as np
import pytest

from sf_dynamics import fitting


def noisy(model, t, params, noise, seed):
    rng = np.random.default_rng(seed)
    clean = model(t, *params)
    return clean + rng.normal(0.0, noise, t.size)


def assert_within_errors(fit, truth, n_sigma=4.0):
    for key, value in truth.items():
        assert abs(fit.params[key] - value) < n_sigma * fit.errors[key], (key, fit.params[key], value, fit.errors[key])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_burnham_chiao_fit(seed):
    t = np.linspace(0, 60, 600)
    truth = dict(amplitude=10.0, t0=2.0, b=0.5, t2=40.0)
    y = noisy(fitting.burnham_chiao_model, t, list(truth.values()), 0.02, seed)
    fit = fitting.fit_burnham_chiao(t, y, sigma=np.full(t.size, 0.02))
    assert_within_errors(fit, truth)
    assert fit.reduced_chi2 == pytest.approx(1.0, abs=0.25)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_raino_fit_with_instrument_response(seed):
    t = np.linspace(0, 150, 750)
    truth = dict(amplitude=8.0, tau_d=30.0, tau_sf=3.0, modulation=0.5, tau_ring=15.0, period=12.0,
                 amplitude_slow=0.6, tau_slow=200.0)
    irf = 2.0
    clean = fitting.convolve_gaussian(lambda g: fitting.raino_model(g, *truth.values()), t, irf)
    y = clean + np.random.default_rng(seed).normal(0.0, 0.03, t.size)
    fit = fitting.fit_raino(t, y, sigma=np.full(t.size, 0.03), irf_fwhm=irf,
                            p0=[7.0, 29.0, 3.5, 0.4, 12.0, 11.0, 0.5, 150.0])
    assert_within_errors(fit, truth)
    assert fit.r_squared > 0.99


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sech2_fit_with_background_and_irf(seed):
    t = np.linspace(0, 40, 400)
    truth = dict(tau_d=15.0, tau_sf=1.5, amplitude=4.0, background=0.2)
    clean = fitting.convolve_gaussian(lambda g: fitting.sech2_model(g, *truth.values()), t, 1.0)
    y = clean + np.random.default_rng(seed).normal(0.0, 0.02, t.size)
    fit = fitting.fit_sech2(t, y, sigma=np.full(t.size, 0.02), background=True, irf_fwhm=1.0)
    assert_within_errors(fit, truth)


def test_irf_convolution_preserves_area_and_broadens():
    t = np.linspace(-20, 20, 2001)
    narrow = fitting.sech2_model(t, 0.0, 0.5, 1.0)
    broad = fitting.convolve_gaussian(lambda g: fitting.sech2_model(g, 0.0, 0.5, 1.0), t, 3.0)
    assert np.trapezoid(broad, t) == pytest.approx(np.trapezoid(narrow, t), rel=1e-4)
    assert broad.max() < narrow.max()


def test_fit_reads_a_csv_file(tmp_path):
    t = np.linspace(0, 40, 300)
    y = fitting.sech2_model(t, 12.0, 2.0, 5.0)
    path = tmp_path / "trace.csv"
    path.write_text("time_ns,counts\n" + "\n".join(f"{a / 1000},{b}" for a, b in zip(t, y)))
    tt, yy = fitting.load_trace(path, time_unit_ps=1000.0)
    np.testing.assert_allclose(tt, t, rtol=1e-12)
    fit = fitting.fit_sech2(tt, yy)
    assert fit.params["tau_sf"] == pytest.approx(2.0, rel=1e-6)


def test_ringing_detection_finds_the_bessel_lobes():
    t = np.linspace(0, 60, 3000)
    y = fitting.burnham_chiao_model(t, 1.0, 0.0, 1.0, 1e6)
    ring = fitting.detect_ringing(t, y, min_prominence=1e-4)
    assert ring["lobes"] >= 3
    from scipy.special import jn_zeros

    zeros = jn_zeros(1, 2) ** 2 / 4.0
    np.testing.assert_allclose(ring["minimum_times"][:2], zeros, rtol=2e-3)
    assert ring["modulation_depth"] == pytest.approx(1.0, abs=1e-3)
    single = fitting.detect_ringing(t, fitting.sech2_model(t, 20, 2, 1))
    assert single["lobes"] == 1 and single["modulation_depth"] == 0.0


@pytest.mark.parametrize(
    "times, values, name",
    [
        ([], [], "times"),
        ([0, 1, 2, 3, 4, 5], [1, 2, np.nan, 1, 0, 0], "intensity"),
        ([0, 1, 2, 2, 4, 5], [1, 2, 3, 1, 0, 0], "times"),
        ([0, 1, 2], [1, 2, 1], "times"),
    ],
)
def test_bad_data(times, values, name):
    with pytest.raises(ValueError, match=name):
        fitting.fit_sech2(times, values)
    with pytest.raises(ValueError, match=name):
        fitting.fit_burnham_chiao(times, values)
