"""1D Maxwell-Bloch: single-slice limit, energy conservation, Burnham-Chiao zeros, delay law, ringing."""

import numpy as np
import pytest
from scipy.special import jn_zeros

import sf_dynamics as sf
from sf_dynamics import analysis, fitting
from tests.helpers import max_relative_difference


def test_one_slice_without_propagation_is_mean_field():
    n = 200
    slab = sf.Slab(n, 1.0, decay=0.1, dephasing=0.2, slices=1)
    times = np.linspace(0, 5 * np.log(n) / n, 301)
    mb = sf.simulate(slab, times, method="maxwell_bloch", initiation="tipping")
    mf = sf.simulate(sf.Ensemble(n, collective_decay=1.0, decay=0.1, dephasing=0.2), times, method="meanfield",
                     seed_angle=2 / np.sqrt(n))
    assert max_relative_difference(mb.intensity, mf.intensity) < 1e-9
    np.testing.assert_allclose(mb.excitation, mf.excitation, rtol=1e-9)


@pytest.mark.parametrize("initiation", ["tipping", "noise"])
def test_emitted_photons_equal_the_lost_excitation(initiation):
    from scipy.integrate import cumulative_simpson

    slab = sf.Slab(1e5, 1e-5, decay=2e-6, dephasing=0.01, slices=20)
    times = np.linspace(0, 60 * slab.superradiance_time, 6001)
    res = sf.simulate(slab, times, method="maxwell_bloch", initiation=initiation, trajectories=20, rtol=1e-10)
    emitted = cumulative_simpson(res.intensity, x=times, initial=0.0)
    lost = res.excitation[0] - res.excitation
    # photons emitted = excitation lost, exactly in the equations; here to the quadrature error of the
    # sampled trace (Simpson, 6001 samples) and, for the noise initiation, the Heun step error
    tolerance = 1e-6 if initiation == "tipping" else 2e-4
    assert np.max(np.abs(emitted - lost)) < tolerance * slab.n
    assert np.all(res.data["forward_intensity"] <= res.intensity + 1e-9 * res.intensity.max())


def test_linear_regime_ringing_zeros_follow_the_bessel_j1_zeros():
    # a weak pulse (area 0.01) on an absorbing, optically thick slab: free-induction decay rings
    slab = sf.Slab(1e6, 1e-5, dephasing=0.05, slices=400)
    b = slab.n * slab.forward_decay
    times = np.linspace(0, 40 / b, 4001)
    res = sf.simulate(slab, times, method="maxwell_bloch", initiation="tipping",
                      initial=sf.CoherentSpinState(np.pi - 0.01))
    ring = fitting.detect_ringing(times, res.data["forward_intensity"], min_prominence=1e-6)
    zeros = ring["minimum_times"][:3]
    expected = jn_zeros(1, 3) ** 2
    np.testing.assert_allclose(zeros[1:] / zeros[0], expected[1:] / expected[0], rtol=2e-3)
    # the Burnham-Chiao form fits the trace and returns b = N Gamma_f and T2 = 1 / (Gamma_f/2 + gamma_phi)
    fit = fitting.fit_burnham_chiao(times, res.data["forward_intensity"])
    assert fit.params["b"] == pytest.approx(b, rel=0.01)
    assert fit.params["t2"] == pytest.approx(slab.coherence_time, rel=0.02)


def test_delay_grows_like_the_propagation_law_not_like_ln_n():
    ratios, delays = [], []
    for n in (1e4, 1e6, 1e8):
        slab = sf.Slab(n, 1.0 / n, slices=50)
        t_r = slab.superradiance_time
        times = np.linspace(0, 50 * t_r, 1001)
        res = sf.simulate(slab, times, method="maxwell_bloch", trajectories=100, seed=1)
        tau = analysis.buildup_time(times, res.data["forward_intensity"]) / t_r
        delays.append(tau)
        ratios.append(tau / (0.25 * np.log(np.sqrt(2 * np.pi * n)) ** 2))
    # (T_R / 4) [ln sqrt(2 pi N)]^2 (Gross & Haroche), approached from above as N grows
    assert np.all(np.array(ratios) > 1.0) and np.all(np.array(ratios) < 1.6), ratios
    assert ratios[0] > ratios[1] > ratios[2]
    # much faster than the point-like T_R ln N: the increase per decade of N grows
    assert delays[2] - delays[1] > delays[1] - delays[0] > 2 * np.log(100)


def test_noise_initiated_shots_ring_in_a_thick_slab():
    slab = sf.Slab(1e4, 1e-4, slices=50)
    t_r = slab.superradiance_time
    times = np.linspace(0, 60 * t_r, 1201)
    res = sf.simulate(slab, times, method="maxwell_bloch", trajectories=20, shots=5, seed=2)
    rings = [fitting.detect_ringing(times, shot, min_prominence=0.05) for shot in res.data["single_shots"].T]
    assert all(r["lobes"] >= 2 for r in rings)
    # deep ringing (the field nearly vanishes between lobes) in most shots
    assert sum(r["modulation_depth"] > 0.5 for r in rings) >= 4
    assert res.info["shot_delays"].shape == (20,)


@pytest.mark.parametrize(
    "make, name",
    [
        (lambda: sf.Slab(0.5, 1.0), "n"),
        (lambda: sf.Slab(10, -1.0), "forward_decay"),
        (lambda: sf.Slab(10, 1.0, length_um=-2.0), "length_um"),
        (lambda: sf.Slab(10, 1.0, slices=0), "slices"),
        (lambda: sf.Slab.from_density(-1.0, 1.0, area_um2=1.0, wavelength_nm=515, lifetime_ps=210), "density"),
        (lambda: sf.Slab.from_density(1.0, -1.0, area_um2=1.0, wavelength_nm=515, lifetime_ps=210), "length_um"),
        (lambda: sf.Slab.from_density(1.0, 1.0, area_um2=1e-4, wavelength_nm=515, lifetime_ps=210), "area_um2"),
        (lambda: sf.Slab.from_optical_depth(-3.0, 100, dephasing=0.1), "optical_depth"),
    ],
)
def test_bad_slab_inputs(make, name):
    with pytest.raises(ValueError, match=name):
        make()


def test_method_choice_and_options():
    slab = sf.Slab(100, 0.01, slices=4)
    times = np.linspace(0, 10, 11)
    with pytest.raises(ValueError, match="maxwell_bloch"):
        sf.simulate(slab, times, method="cumulant")
    with pytest.raises(ValueError, match="Slab"):
        sf.simulate(sf.Ensemble(5, collective_decay=1.0), times, method="maxwell_bloch")
    with pytest.raises(ValueError, match="initiation"):
        sf.simulate(slab, times, method="maxwell_bloch", initiation="magic")
    assert sf.simulate(slab, times).method == "maxwell_bloch"
    od = sf.Slab.from_optical_depth(20.0, 1e6, dephasing=0.1)
    assert od.optical_depth == pytest.approx(20.0)
