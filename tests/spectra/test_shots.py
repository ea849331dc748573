"""G1 of the sampling methods (twa, maxwell_bloch): ordering correction, agreement with exact methods, shots."""

import numpy as np
import pytest

import sf_dynamics as sf

pytestmark = [pytest.mark.filterwarnings("ignore::sf_dynamics.spectra.CoherenceWindowWarning"),
              pytest.mark.filterwarnings("ignore::sf_dynamics.solvers.twa.TWAValidityWarning")]


def test_ordering_correction_is_exact_for_independent_emitters():
    # collective channel of (almost) independent emitters: G1 = Gamma_c sum_i <s+_i(t + tau) s-_i(t)>, which the
    # symmetric TWA correlation gets only after the ordering correction (without it G1(0, 0) would be halved).
    # Per-emitter spins: the class engine's closure sum_k |beta_k|^2 -> N/2 is O(1/N) of a burst but not exact
    # for decay without a burst.
    ens = sf.Ensemble(20, collective_decay=1e-6, decay=1.0, dephasing=0.3)
    times, taus = np.linspace(0, 2, 11), np.linspace(0, 3, 16)
    ref = sf.spectra.first_order(ens, times, taus, method="permutational", detector="collective")["g1"].values
    tw = sf.spectra.first_order(ens, times, taus, method="twa", detector="collective", trajectories=1000,
                                engine="emitters")
    diff = np.abs(tw["g1"].values - ref)
    assert np.all(diff <= 4 * tw["g1_sem"].values + 1e-9 * np.abs(ref).max())
    assert tw["g1_sem"].values.max() < 0.05 * np.abs(ref).max()  # the test has power
    assert tw.attrs["method"] == "twa" and tw.attrs["trajectories_done"] == 1000


def test_far_field_of_independent_detuned_emitters_equals_the_exact_cumulant_result():
    n = 10
    rng = np.random.default_rng(3)
    pos = rng.uniform(0, 2, size=(n, 3))
    dip = rng.normal(size=(n, 3))
    dip /= np.linalg.norm(dip, axis=1)[:, None]
    ens = sf.Ensemble(n, decay=1.0, dephasing=0.2, detunings=rng.normal(0, 1.0, n))
    detector = sf.spectra.FarField([0, 0, 1.0], [0, 1.0, 0], pos, 1.0, dipoles=dip)
    times, taus = np.linspace(0, 2, 9), np.linspace(0, 3, 31)
    # for uncoupled emitters the second-order equations are exact (tests/spectra/test_detectors.py)
    ref = sf.spectra.first_order(ens, times, taus, method="cumulant", detector=detector, rtol=1e-9,
                                 atol=1e-12)["g1"].values
    tw = sf.spectra.first_order(ens, times, taus, method="twa", detector=detector, trajectories=1024)
    assert tw.attrs["engine"] == "emitters"
    assert np.all(np.abs(tw["g1"].values - ref) <= 4 * tw["g1_sem"].values + 1e-9 * np.abs(ref).max())


def test_one_slice_maxwell_bloch_is_the_class_spin_twa_and_a_burst_g1_starts_exact():
    # one slice of a slab is a point-like ensemble with collective decay Gamma_f: the same class-spin kernel, so
    # the same numbers from the same seed. The measured error of the burst against permutational is in
    # docs/validation.md.
    n = 200
    ens = sf.Ensemble(n, collective_decay=1.0, decay=0.3, dephasing=0.2)
    slab = sf.Slab(n, forward_decay=1.0, decay=0.3, dephasing=0.2, slices=1)
    window = 16 * np.log(n) / n
    times, taus = np.linspace(0, window, 41), np.linspace(0, window / 2, 41)
    tw = sf.spectra.first_order(ens, times, taus, method="twa", trajectories=500, detector="collective", seed=3)
    mb = sf.spectra.first_order(slab, times, taus, method="maxwell_bloch", trajectories=500, detector="forward",
                                seed=3)
    scale = np.abs(tw["g1"].values).max()
    np.testing.assert_allclose(mb["g1"].values, tw["g1"].values, rtol=0, atol=1e-12 * scale)
    # the excited start is sampled exactly and the ordering correction is exact at tau = 0:
    # G1(0, 0) = Gamma_c <J+ J-> = Gamma_c N within the sampling error
    g1, sem = tw["g1"].values[0, 0], tw["g1_sem"].values[0, 0]
    assert abs(g1 - n * ens.collective_decay) <= 4 * sem
    assert sem < 0.1 * n   # the test has power


def test_single_shot_spectra_obey_parseval_and_are_reproducible():
    ens = sf.Ensemble(100, collective_decay=1.0, decay=0.1)
    times, taus = np.linspace(0, 0.5, 26), np.linspace(0, 0.5, 26)
    a = sf.spectra.first_order(ens, times, taus, method="twa", detector="collective", trajectories=64,
                               shots=3, seed=5)
    b = sf.spectra.first_order(ens, times, taus, method="twa", detector="collective", trajectories=64,
                               shots=3, seed=5)
    np.testing.assert_array_equal(a["shot_field"].values, b["shot_field"].values)
    spectra = sf.spectra.shot_spectra(a, center_wavelength_nm=515.0)
    assert spectra.sizes == {"shot": 3, "omega": spectra.sizes["omega"]} and "wavelength_nm" in spectra.coords
    field, record = a["shot_field"].values, a["record_time"].values
    step = record[1] - record[0]
    weights = np.full(record.size, step)
    weights[[0, -1]] *= 0.5
    domega = float(spectra.omega[1] - spectra.omega[0])
    # discrete Parseval for the trapezoid-weighted transform: sum_p S_p domega / 2 pi = sum_k |w_k a_k|^2 / step
    np.testing.assert_allclose(spectra.sum("omega").values * domega / (2 * np.pi),
                               (np.abs(field * weights) ** 2).sum(axis=1) / step, rtol=1e-10)


def test_sampling_correlations_refuse_what_they_cannot_detect():
    ens = sf.Ensemble(20, collective_decay=1.0, decay=0.1)
    t, taus = np.linspace(0, 1, 3), [0, 0.5]
    with pytest.raises(ValueError, match="not 'total'"):
        sf.spectra.first_order(ens, t, taus, method="twa", detector="total")
    with pytest.raises(ValueError, match="apply to the sampling methods"):
        sf.spectra.first_order(ens, t, taus, method="permutational", detector="collective", trajectories=10)
    with pytest.raises(ValueError, match="exit-face field of a Slab"):
        sf.spectra.first_order(ens, t, taus, detector="forward")
    with pytest.raises(ValueError, match="exit-face field of a Slab"):
        sf.spectra.first_order(sf.Slab(1e4, forward_decay=1e-3), t, taus, detector="collective")
    with pytest.raises(ValueError, match="large-N method"):
        sf.spectra.first_order(sf.Ensemble(4, collective_decay=1.0), t, taus, method="twa", detector="collective")
    deterministic = sf.spectra.first_order(ens, t, taus, method="permutational", detector="collective")
    with pytest.raises(ValueError, match="no single shots"):
        sf.spectra.shot_spectra(deterministic)
