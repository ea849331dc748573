"""Instruments: a spectrometer's resolution and a Michelson interferometer's visibility, checked analytically."""

import numpy as np
import pytest
import xarray as xr

import sf_dynamics as sf
from sf_dynamics.analysis.detector_response import C_UM_PER_PS, FWHM_PER_SIGMA


def gaussian_line(energy, fwhm):
    sigma = fwhm / FWHM_PER_SIGMA
    return np.exp(-0.5 * (energy / sigma) ** 2) / (sigma * np.sqrt(2 * np.pi))


def test_spectrometer_widens_a_gaussian_line_in_quadrature_and_keeps_its_photons():
    energy = np.linspace(-5, 5, 2001)
    line = xr.DataArray(gaussian_line(energy, 0.4), coords={"energy_meV": energy}, dims="energy_meV")
    seen = sf.analysis.spectrometer(line, 0.3)
    np.testing.assert_allclose(seen.values, gaussian_line(energy, np.hypot(0.4, 0.3)), atol=1e-6)
    assert np.trapezoid(seen.values, energy) == pytest.approx(1.0, rel=1e-6)
    assert seen.attrs["resolution_meV"] == 0.3
    # a resolution as wide as half the window (a kernel longer than the spectrum) still keeps the grid
    wide = sf.analysis.spectrometer(line, 5.0)
    assert wide.shape == line.shape
    np.testing.assert_allclose(wide.values, gaussian_line(energy, np.hypot(0.4, 5.0)), atol=1e-3)


def test_michelson_visibility_of_one_emitter_is_its_coherence_decay():
    gamma, phi = 0.8, 0.35
    corr = sf.spectra.first_order(sf.Ensemble(1, decay=gamma, dephasing=phi), np.linspace(0, 8, 161),
                                  np.linspace(0, 12, 241))
    g1 = sf.spectra.normalized_g1(corr)
    path = np.array([0.0, 300.0, 1000.0, 2500.0])   # micrometres
    expected = np.exp(-(gamma / 2 + phi) * path / C_UM_PER_PS)
    np.testing.assert_allclose(sf.analysis.michelson_visibility(g1, path), expected, atol=2e-3)


def test_streak_camera_with_a_measured_response():
    from sf_dynamics.analysis.detector_response import streak_camera

    times = np.linspace(0, 50, 1001)
    step = times[1] - times[0]
    trace = np.exp(-(((times - 20) / 2) ** 2))
    # a Gaussian given as samples is the Gaussian IRF
    sigma = 3.0 / FWHM_PER_SIGMA
    offsets = np.arange(-int(np.ceil(6 * sigma / step)), int(np.ceil(6 * sigma / step)) + 1) * step
    _, gaussian = streak_camera(times, trace, 3.0)
    _, measured = streak_camera(times, trace, irf=np.exp(-0.5 * (offsets / sigma) ** 2))
    np.testing.assert_allclose(measured, gaussian, atol=1e-14)
    # a causal exponential tail of 1 ps delays the trace's centroid by its mean, 1 ps, and keeps its area
    _, tailed = streak_camera(times, trace, irf=np.exp(-np.arange(300) * step / 1.0))
    shift = np.sum(times * tailed) / np.sum(tailed) - np.sum(times * trace) / np.sum(trace)
    assert shift == pytest.approx(1.0, abs=0.03)
    assert np.sum(tailed) == pytest.approx(np.sum(trace), rel=1e-6)
    with pytest.raises(ValueError, match="either irf_fwhm"):
        streak_camera(times, trace)
    with pytest.raises(ValueError, match="either irf_fwhm"):
        streak_camera(times, trace, 2.0, irf=[1.0])
    with pytest.raises(ValueError, match="irf"):
        streak_camera(times, trace, irf=[0.0, 0.0])
    with pytest.raises(ValueError, match="irf"):
        streak_camera(times, trace, irf=[1.0, -0.5])


def test_instruments_refuse_bad_input():
    energy = np.linspace(-1, 1, 11)
    line = xr.DataArray(np.ones(11), coords={"energy_meV": energy}, dims="energy_meV")
    with pytest.raises(ValueError, match="resolution_meV"):
        sf.analysis.spectrometer(line, 0.0)
    with pytest.raises(ValueError, match="exceeds the spectral window"):
        sf.analysis.spectrometer(line, 5.0)
    with pytest.raises(ValueError, match="energy_meV"):
        sf.analysis.spectrometer(xr.DataArray(np.ones(3)), 0.1)
    g1 = xr.DataArray(np.exp(-np.linspace(0, 1, 11)), coords={"tau": np.linspace(0, 1, 11)}, dims="tau")
    with pytest.raises(ValueError, match="beyond the largest delay"):
        sf.analysis.michelson_visibility(g1, [1e6])
    with pytest.raises(ValueError, match="path_difference_um"):
        sf.analysis.michelson_visibility(g1, [-1.0])
