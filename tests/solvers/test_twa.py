"""`twa`: averaged trajectories against the exact solvers, statistics of the shots."""

import numpy as np
import pytest

from sf_dynamics import CoherentSpinState, DickeState, Ensemble, analysis, simulate
from sf_dynamics.geometry import Superlattice, green_couplings
from sf_dynamics.model.spectrum import Spectrum
from sf_dynamics.solvers._twa_emitters import BLOCK as BATCH
from sf_dynamics.solvers._twa_emitters import noise_factor
from tests.helpers import max_relative_difference

#: acceptance: averaged TWA within 5 % of the exact solution in tau_D and peak (N = 100-1000); the test
#: allows in addition three standard errors of the finite trajectory sample (reported by the solver)
SYSTEMATIC = 0.05


def grid(n, periods=4.0, points=241):
    return np.linspace(0, periods * np.log(n) / n, points)


def compare(n, trajectories, **rates):
    ens = Ensemble(n, collective_decay=1.0, **rates)
    times = grid(n)
    twa = simulate(ens, times, method="twa", trajectories=trajectories, seed=1)
    ref = simulate(ens, times, method="permutational")
    t_ref, p_ref = analysis.buildup_time(ref), analysis.peak_intensity(ref)
    tau_err = abs(analysis.buildup_time(twa) - t_ref) / t_ref
    peak_err = abs(analysis.peak_intensity(twa) - p_ref) / p_ref
    tau_tol = SYSTEMATIC + 3 * twa.info["tau_d_sem"] / t_ref
    peak_tol = SYSTEMATIC + 3 * twa.info["peak_sem"] / p_ref
    return tau_err, tau_tol, peak_err, peak_tol, twa, ref


@pytest.mark.parametrize("n", [100, 1000])
@pytest.mark.parametrize("rates", [{}, dict(decay=0.1, dephasing=0.5)], ids=["collective", "local"])
def test_average_matches_permutational(n, rates):
    tau_err, tau_tol, peak_err, peak_tol, twa, ref = compare(n, 2000, **rates)
    assert tau_err < tau_tol, (tau_err, tau_tol)
    assert peak_err < peak_tol, (peak_err, peak_tol)


def test_small_n_and_per_emitter_engine_against_permutational():
    # 50 emitters one by one (general-matrix engine) with local processes
    tau_err, tau_tol, peak_err, peak_tol, *_ = compare(50, 1000, decay=0.1, dephasing=0.2)
    assert tau_err < tau_tol, (tau_err, tau_tol)
    assert peak_err < peak_tol, (peak_err, peak_tol)
    ens = Ensemble(50, collective_decay=1.0, decay=0.1, dephasing=0.2)
    times = grid(50, points=121)
    by_emitter = simulate(ens, times, method="twa", engine="emitters", trajectories=400, seed=3)
    ref = simulate(ens, times, method="permutational")
    assert abs(analysis.buildup_time(by_emitter) / analysis.buildup_time(ref) - 1) < 0.1
    assert abs(analysis.peak_intensity(by_emitter) / analysis.peak_intensity(ref) - 1) < 0.1


#: documented accuracy of TWA at its smallest size, n = 8 (docs/validation.md): tau_D and the peak within 8 %,
#: the averaged trace within 15 % of the peak inside its validity window
SMALL_N_BURST, SMALL_N_TRACE = 0.08, 0.15


def check_small(twa, ref, times):
    valid = times <= twa.info["valid_until_ps"]
    assert valid.sum() > len(times) // 3
    assert abs(analysis.buildup_time(twa) / analysis.buildup_time(ref) - 1) < SMALL_N_BURST
    assert abs(analysis.peak_intensity(twa) / analysis.peak_intensity(ref) - 1) < SMALL_N_BURST
    assert max_relative_difference(twa.intensity[valid], ref.intensity[valid]) < SMALL_N_TRACE


@pytest.mark.slow
def test_small_inhomogeneous_ensemble_against_exact():
    rng = np.random.default_rng(2)
    n = 8
    ens = Ensemble(n, collective_decay=1.0, decay=0.1, dephasing=0.2, detunings=rng.normal(0, 0.5, n))
    times = np.linspace(0, 3, 61)
    with pytest.warns(UserWarning, match="n = 8 < 50"):
        twa = simulate(ens, times, method="twa", trajectories=4000, seed=5)
    assert twa.info["engine"] == "emitters"
    check_small(twa, simulate(ens, times, method="exact"), times)


@pytest.mark.slow
def test_geometry_couplings_against_exact():
    # 8 dipoles 0.15 lambda apart: Green's-tensor Gamma and Omega, dephasing; 3000 trajectories run in
    # blocks of 128 (the last one partial)
    pos = 0.15 * np.array([[i, j, 0] for i in range(4) for j in range(2)], float)
    g, w = green_couplings(pos, np.tile([0, 0, 1.0], (8, 1)), wavelength=1.0, gamma=1.0)
    ens = Ensemble(8, gamma_matrix=g, omega_matrix=w, dephasing=0.2)
    times = np.linspace(0, 6 * np.log(8) / np.linalg.eigvalsh(g)[-1], 61)
    ref = simulate(ens, times, method="exact")
    twa = simulate(ens, times, method="twa", trajectories=3000, seed=2)
    assert 3000 % BATCH != 0
    check_small(twa, ref, times)
    again = simulate(ens, times, method="twa", trajectories=3000, seed=2)
    assert np.array_equal(twa.intensity, again.intensity)
    assert np.array_equal(twa.info["shot_delays"], again.info["shot_delays"])


def test_few_emitters_are_refused_and_the_ground_state_stays_dark():
    with pytest.raises(ValueError, match="refuses n < 8.*methods that can: dicke, permutational, exact"):
        simulate(Ensemble(6, collective_decay=1.0), np.linspace(0, 1, 11), method="twa")
    for engine in ("classes", "emitters"):
        res = simulate(Ensemble(20, collective_decay=1.0, decay=0.1), np.linspace(0, 5, 21), method="twa",
                       initial="ground", engine=engine)
        assert np.all(res.intensity == 0) and np.all(res.excitation == 0) and res.info["exact_fixed_point"]


@pytest.mark.slow
def test_the_validity_window_marks_the_post_burst_drift_of_single_emitter_spins():
    # one classical spin per emitter feels the vacuum noise of all the others: after the burst the averaged
    # excitation drifts below zero; the result says from when on it is outside the method's validity
    n = 60
    ens = Ensemble(n, collective_decay=1.0)
    times = np.linspace(0, 8 * np.log(n) / n + 3.0, 61)
    with pytest.warns(UserWarning, match="leaves \\[0, N\\]"):
        res = simulate(ens, times, method="twa", engine="emitters", trajectories=256, seed=1)
    ref = simulate(ens, times, method="permutational")
    cut = res.info["valid_until_ps"]
    assert analysis.buildup_time(ref) < cut < times[-1]
    assert np.all(res.excitation[times < cut] > -3 * res.data["excitation_sem"][times < cut] - 1e-9)


def test_statistical_error_falls_as_one_over_sqrt_trajectories():
    ens = Ensemble(200, collective_decay=1.0)
    times = grid(200, points=81)
    small = simulate(ens, times, method="twa", trajectories=250, seed=7)
    large = simulate(ens, times, method="twa", trajectories=4000, seed=7)
    ratio = np.median(small.data["intensity_sem"][1:] / large.data["intensity_sem"][1:])
    # expected sqrt(4000 / 250) = 4; the sample std itself fluctuates by ~1/sqrt(2 * 250) = 4.5 %
    assert ratio == pytest.approx(4.0, rel=0.15)


def test_reproducible_with_a_seed():
    ens = Ensemble(100, collective_decay=1.0, dephasing=0.2)
    times = grid(100, points=41)
    a = simulate(ens, times, method="twa", trajectories=50, seed=11)
    b = simulate(ens, times, method="twa", trajectories=50, seed=11)
    c = simulate(ens, times, method="twa", trajectories=50, seed=12)
    np.testing.assert_array_equal(a.intensity, b.intensity)
    assert not np.array_equal(a.intensity, c.intensity)


def test_delay_spread_falls_with_n_like_the_gumbel_law():
    spreads = []
    for n in (100, 1000, 10_000, 100_000):
        res = simulate(Ensemble(n, collective_decay=1.0), grid(n, periods=3.0, points=301), method="twa",
                       trajectories=2000, seed=n)
        stats = analysis.delay_statistics(res)
        spreads.append(stats.attrs["relative_spread"])
        # within 30 % of (pi / sqrt 6) / ln N, a large-N estimate
        assert stats.attrs["relative_spread"] == pytest.approx(float(analysis.delay_spread_theory(n)), rel=0.3)
    assert np.all(np.diff(spreads) < 0), spreads


def test_single_shots_are_sech2_bursts():
    n = 10_000
    res = simulate(Ensemble(n, collective_decay=1.0), grid(n, periods=3.0, points=401), method="twa",
                   trajectories=20, seed=3, shots=5)
    for shot in res.data["single_shots"].T:
        fit = analysis.fit_sech2(res.times, shot)
        assert fit.residual_rms < 0.03 * fit.params["amplitude"]
        # a single shot reaches the classical N^2 / 4, above the averaged 0.196 N^2
        assert fit.params["amplitude"] / n**2 == pytest.approx(0.25, rel=0.1)


def test_spectral_classes_run_at_large_n():
    n = 10**6
    ens = Ensemble(n, collective_decay=1e-6, dephasing=0.05, spectrum=Spectrum.gaussian(0.3, classes=41))
    res = simulate(ens, np.linspace(0, 40, 201), method="twa", trajectories=200, seed=0)
    assert res.info["engine"] == "classes"
    assert np.all(res.intensity > 0)
    assert analysis.buildup_time(res) > 0


@pytest.mark.parametrize(
    "options, name",
    [
        (dict(trajectories=0), "trajectories"),
        (dict(trajectories=1), "trajectories"),
        (dict(seed=1.5), "seed"),
        (dict(seed="a"), "seed"),
        (dict(seed=-1), "seed"),
        (dict(dt=-1.0), "dt"),
        (dict(shots=10, trajectories=5), "shots"),
    ],
)
def test_bad_options(options, name):
    with pytest.raises(ValueError, match=name):
        simulate(Ensemble(10, collective_decay=1.0), np.linspace(0, 1, 11), method="twa", **options)


def test_unsupported_initial_state():
    ens = Ensemble(10, collective_decay=1.0)
    with pytest.raises(ValueError, match="product states"):
        simulate(ens, np.linspace(0, 1, 11), method="twa", initial=DickeState(5, 0))


def test_coherent_spin_state_start_has_the_right_initial_dipole_emission():
    n = 400
    ens = Ensemble(n, collective_decay=1.0)
    css = CoherentSpinState(np.pi / 2)
    res = simulate(ens, np.linspace(0, 0.01, 11), method="twa", trajectories=2000, seed=2, initial=css)
    exact_i0 = n * 0.5 + n * (n - 1) * 0.25  # Gamma_0 n/2 + Gamma_c N(N-1) |beta|^2
    assert res.intensity[0] == pytest.approx(exact_i0, abs=4 * res.data["intensity_sem"][0])


@pytest.mark.parametrize("engine, n", [("classes", 1000), pytest.param("emitters", 100, marks=pytest.mark.slow)])
def test_single_shots_are_classical_field_intensities_and_the_average_is_nonnegative_within_its_error(engine, n):
    # README regime: collective decay with local decay and dephasing, window well past the burst
    ens = Ensemble(n, collective_decay=1.0 / n, decay=0.1 / n, dephasing=0.5 / n)
    times = np.linspace(0, 40, 201)
    res = simulate(ens, times, method="twa", trajectories=600, seed=1, engine=engine, shots=600)
    # a single shot is sum_ij Gamma_ij Re(conj(beta_i) beta_j) >= 0 (Gamma positive semi-definite)
    assert np.all(res.data["single_shots"] >= -1e-9 * res.data["single_shots"].max())
    # the trajectory average of the estimator is unbiased, not positive: negative values are sampling
    # noise, within its standard error
    z = res.intensity / res.data["intensity_sem"]
    assert np.all(z > -4.0), z.min()
    assert np.mean(z < -2.0) < 0.05
    # shots start at half the incoherent rate and carry the vacuum floor N Gamma / 2 after the burst
    gamma_ii = ens.single_emitter_decay
    assert np.mean(res.data["single_shots"][0]) == pytest.approx(0.5 * n * gamma_ii, rel=0.15)


# -- random streams ---------------------------------------------------------------------------
def test_adjacent_seeds_give_independent_averages():
    # seeds s and s + 1 used to share all but one trajectory; now their averages differ like independent
    # samples: (mean_s - mean_{s+1}) / sqrt(se_s^2 + se_{s+1}^2) has unit spread
    ens = Ensemble(300, collective_decay=1.0)
    times = grid(300, points=41)
    peak_index = 14
    z = []
    for s in range(0, 16, 2):
        a = simulate(ens, times, method="twa", trajectories=200, seed=s)
        b = simulate(ens, times, method="twa", trajectories=200, seed=s + 1)
        se = np.hypot(a.data["intensity_sem"], b.data["intensity_sem"])
        z.append((a.intensity[peak_index] - b.intensity[peak_index]) / se[peak_index])
    spread = float(np.sqrt(np.mean(np.square(z))))
    assert 0.4 < spread < 1.8, z


@pytest.mark.parametrize("engine, n", [("classes", 200), ("emitters", 20)])
def test_a_run_of_m_trajectories_is_a_prefix_of_a_run_of_2m(engine, n):
    ens = Ensemble(n, collective_decay=1.0, decay=0.1, dephasing=0.2)
    times = grid(n, points=41)
    small = simulate(ens, times, method="twa", trajectories=150, seed=4, engine=engine, shots=150)
    large = simulate(ens, times, method="twa", trajectories=300, seed=4, engine=engine, shots=300)
    np.testing.assert_allclose(large.data["single_shots"][:, :150], small.data["single_shots"], rtol=1e-9,
                               atol=1e-12 * small.data["single_shots"].max())
    np.testing.assert_allclose(large.info["shot_delays"][:150], small.info["shot_delays"], rtol=1e-9)


def test_results_do_not_depend_on_the_number_of_threads():
    import numba

    ens = Ensemble(500, collective_decay=1.0, dephasing=0.3)
    times = grid(500, points=31)
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = simulate(ens, times, method="twa", trajectories=300, seed=9)
    finally:
        numba.set_num_threads(before)
    many = simulate(ens, times, method="twa", trajectories=300, seed=9)
    np.testing.assert_array_equal(one.intensity, many.intensity)


TWA_SIGINT_SCRIPT = """
import signal, sys, time
import numpy as np
# a shell starts background jobs with SIGINT ignored, and Python keeps an ignored SIGINT: restore Ctrl-C
signal.signal(signal.SIGINT, signal.default_int_handler)
sys.path.insert(0, {root!r})
import sf_dynamics as sf
ens = sf.Ensemble(10**6, collective_decay=1e-6, dephasing=0.05, spectrum=sf.Spectrum.gaussian(0.3, classes=101))
print("START", flush=True)
res = sf.simulate(ens, np.linspace(0, 40, 201), method="twa", trajectories=200_000, seed=0)
print("PARTIAL", res.info["partial"], res.info["trajectories_done"], flush=True)
"""


@pytest.mark.slow
def test_ctrl_c_returns_the_finished_trajectories_promptly():
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    root = str(Path(__file__).resolve().parents[2])
    proc = subprocess.Popen([sys.executable, "-c", TWA_SIGINT_SCRIPT.format(root=root)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "START"
        time.sleep(8.0)
        proc.send_signal(signal.SIGINT)
        sent = time.monotonic()
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:  # never leave a 10^6-emitter run behind
            proc.kill()
            proc.communicate()
    assert time.monotonic() - sent < 6.0, "twa did not return promptly after Ctrl-C"
    words = out.split()
    assert words[:2] == ["PARTIAL", "True"], out + err[-2000:]
    assert 2 <= int(words[2]) < 200_000


@pytest.mark.slow
def test_classical_intensity_g2_equals_the_exact_one_within_its_sampling_error():
    # the start is sampled exactly: g2(0) = 2 (1 - 1/N) within the sampling error; at the burst the
    # semiclassical error is O(1/N), at N = 1000 below the sampling error of 2000 trajectories (measured
    # systematic errors by N in docs/validation.md)
    n = 1000
    ens = Ensemble(n, collective_decay=1.0)
    times = np.linspace(0, 10 * np.log(n) / n, 101)
    res = simulate(ens, times, method="twa", trajectories=2000, seed=1)
    exact = simulate(ens, times, method="permutational", rtol=1e-9)
    g2, sem = res.data["g2"], res.data["g2_sem"]
    assert abs(g2[0] - 2 * (1 - 1 / n)) < 4 * sem[0]
    peak = np.argmax(exact.intensity)
    assert abs(g2[peak] - exact.data["g2"][peak]) < 4 * sem[peak]
    assert sem[peak] < 0.01   # the test has power: 4 standard errors are below 4 % of g2 ~ 1.1
    assert res.info["shot_photons"].shape == (2000,)


# -- regular lattices: FFT coupling sums, low-rank decay noise --------------------------------------------------
@pytest.mark.parametrize("direct_max", [10_000, 100], ids=["eigendecomposition", "randomised sketch"])
def test_the_noise_factor_reproduces_gamma_with_its_significant_eigenvalues(direct_max):
    gamma = Superlattice.cubic(7, 6, 6, dipole=[0.0, 0.0, 1.0]).nanocrystal_ensemble().gamma_matrix()
    factor, lam_max = noise_factor(gamma, direct_max=direct_max)
    exact = np.linalg.eigvalsh(gamma)
    assert lam_max == pytest.approx(exact[-1], rel=1e-12)
    # a lattice about a wavelength across radiates through few modes: the rank is far below n = 252
    assert factor.shape[1] == np.sum(exact > 1e-12 * exact[-1]) < gamma.shape[0] // 4
    np.testing.assert_allclose(2.0 * factor @ factor.T, gamma, rtol=0, atol=1e-11 * lam_max)


def test_a_full_rank_gamma_keeps_every_eigenvalue():
    rng = np.random.default_rng(2)
    a = rng.standard_normal((240, 240))
    gamma = a @ a.T / 240 + 0.1 * np.eye(240)   # well conditioned: the sketch cannot truncate, falls back
    factor, lam_max = noise_factor(gamma, direct_max=100)
    assert factor.shape == (240, 240)
    np.testing.assert_allclose(2.0 * factor @ factor.T, gamma, rtol=0, atol=1e-12 * lam_max)


def test_fft_and_dense_coupling_sums_give_the_same_trajectories():
    lattice = Superlattice.square(5, 4, dipole=[0.0, 0.3, 1.0], energy_disorder_meV=0.3, seed=2, lifetime_ps=100.0,
                                  lattice_constant_nm=30.0)
    ens = lattice.nanocrystal_ensemble(dephasing=0.01)
    times = np.linspace(0.0, 8.0, 9)    # 1.35 / Gamma_max
    runs = {coupling: simulate(ens, times, method="twa", trajectories=150, seed=3, coupling=coupling)
            for coupling in ("dense", "fft")}
    dense, fft = runs["dense"], runs["fft"]
    assert (dense.info["coupling"], fft.info["coupling"]) == ("dense", "fft")
    assert dense.parameters["coupling"] == "dense" and fft.info["noise_rank"] < ens.n
    scale = dense.intensity.max()
    assert scale > 1.3 * dense.intensity[0]   # the coherences have grown: the coupling sums carry the dynamics
    np.testing.assert_allclose(fft.intensity, dense.intensity, rtol=0, atol=1e-10 * scale)
    np.testing.assert_allclose(fft.data["single_shots"], dense.data["single_shots"], rtol=0, atol=1e-10 * scale)
    np.testing.assert_allclose(fft.excitation, dense.excitation, rtol=0, atol=1e-10 * ens.n)
    # small lattices: "auto" keeps the BLAS products (measured faster below twa.FFT_MIN_DIPOLES)
    auto = simulate(ens, times[:3], method="twa", trajectories=4, seed=3)
    assert auto.info["coupling"] == "dense"


def test_fft_coupling_sums_need_a_lattice():
    ens = Ensemble(12, collective_decay=1.0, gamma_matrix=np.eye(12))
    with pytest.raises(ValueError, match="coupling 'fft' needs .* regular"):
        simulate(ens, np.linspace(0, 1, 3), method="twa", trajectories=4, coupling="fft")
    with pytest.raises(ValueError, match="coupling must be one of"):
        simulate(ens, np.linspace(0, 1, 3), method="twa", trajectories=4, coupling="sparse")


@pytest.mark.parametrize("kind, size, overestimate", [("cubic", (4, 4, 4), 1.5), ("cubic", (7, 7, 7), 1.5),
                                                      ("square", (20, 20), 1.0),
                                                      # the fastest mode is odd between the two layers
                                                      ("cubic", (12, 12, 2), 1.2)])
def test_largest_frequency_is_the_spectral_radius_of_omega(kind, size, overestimate):
    from sf_dynamics.solvers.twa import DENSE_SPECTRUM_MAX, largest_frequency

    omega = Superlattice.build(kind, size, dipole=[0, 0, 1.0]).couplings()[1]
    exact = float(np.max(np.abs(np.linalg.eigvalsh(omega))))
    rows = float(np.max(np.abs(omega).sum(axis=1)))
    value = largest_frequency(omega)
    if omega.shape[0] <= DENSE_SPECTRUM_MAX:
        assert value == pytest.approx(exact, rel=1e-12)
    else:   # Lanczos to 1e-3 with a 1 % margin: never below the fastest mode
        assert exact <= value <= 1.012 * exact
    assert value <= rows and rows > overestimate * exact   # the row sums overestimate, most in 3D
    assert largest_frequency(np.zeros((3, 3))) == 0.0


def test_default_step_follows_the_fastest_rate():
    from sf_dynamics.solvers.twa import EMITTER_STEP_FRACTION, STEP_FRACTION, default_step

    lattice = Superlattice.build("cubic", (3, 3, 3), dipole=[0, 0, 1.0])
    ens = lattice.nanocrystal_ensemble()
    g, w = ens.gamma_matrix(), ens.omega_matrix()
    rate = np.linalg.eigvalsh(g)[-1] + np.max(np.abs(np.linalg.eigvalsh(w))) + g[0, 0]
    assert default_step(ens) == pytest.approx(EMITTER_STEP_FRACTION / rate, rel=1e-12)
    identical = Ensemble(100, collective_decay=1.0, decay=0.2, dephasing=0.5)
    assert default_step(identical) == pytest.approx(STEP_FRACTION / (100 * 1.0 + 1.2 + 2 * 0.5), rel=1e-12)
    assert default_step(Ensemble(20)) == np.inf
    with pytest.raises(ValueError, match="engine"):
        default_step(identical, engine="photons")
    with pytest.raises(ValueError, match="two-level"):
        default_step(Superlattice.build("cubic", (2, 2, 2)).nanocrystal_ensemble())
