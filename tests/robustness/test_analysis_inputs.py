"""Honest analysis inputs and physical bounds after loose runs.

* spectra: a delay step too coarse for the line (aliasing) and a delay window too short (truncation) warn;
* delays, build-up times and peaks of traces the time window cuts are left out, NaN or refused, naming ``times``;
* every run keeps intensity >= 0, 0 <= excitation <= N and trace 1, or says which option to tighten.
"""

import warnings

import numpy as np
import pytest

import sf_dynamics as sf
from sf_dynamics.kernels.peaks import peak_fwhm
from sf_dynamics.methods import invariants
from sf_dynamics.methods.registry import METHODS
from sf_dynamics.result import Result
from sf_dynamics.spectra import AliasingWarning, CoherenceWindowWarning
from sf_dynamics.statistics import BurstWindowWarning

#: one emitter: Lorentzian line of FWHM gamma + 2 gamma_phi = 12.8 rad/ps
GAMMA, PHI = 0.8, 6.0
FWHM = GAMMA + 2 * PHI


def _line(dtau, window=4.0):
    ens = sf.Ensemble(1, decay=GAMMA, dephasing=PHI)
    return sf.spectra.first_order(ens, np.linspace(0, 6, 61), np.arange(0.0, window + dtau / 2, dtau))


def test_a_delay_step_too_coarse_for_the_line_warns_naming_taus_and_the_band():
    coarse = _line(2.0)         # band pi / 2 = 1.57 rad/ps for a 12.8 rad/ps line
    with pytest.warns(AliasingWarning, match=r"taus: the delay step 2 ps .* pi / dtau = 1\.571 rad/ps"):
        spec = sf.spectra.spectrum(coarse)
    assert peak_fwhm(spec["omega"].values, spec.values) < 0.3 * FWHM      # what the warning is about
    # resolved: a step of 0.02 ps (band 157 rad/ps = 12 FWHM) gives the line's own width, without a warning
    with warnings.catch_warnings():
        warnings.simplefilter("error", AliasingWarning)
        spec = sf.spectra.spectrum(_line(0.02), oversample=8)
    assert peak_fwhm(spec["omega"].values, spec.values) == pytest.approx(FWHM, rel=0.02)


def test_the_aliasing_criterion_is_the_lorentzian_tail_beyond_the_band_not_the_width():
    # a Lorentzian of FWHM Gamma folds Gamma / (pi B) of its photons into a band B = pi / dtau: 5 % at B = 6.4 Gamma
    ens = sf.Ensemble(1, decay=1.0)
    for ratio, warns in ((3.0, True), (20.0, False)):
        dtau = np.pi / (ratio * 1.0)
        corr = sf.spectra.first_order(ens, np.linspace(0, 10, 101), np.arange(0, 30, dtau))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            sf.spectra.spectrum(corr)
        assert any(issubclass(w.category, AliasingWarning) for w in caught) == warns, ratio
    # a Gaussian line (inhomogeneous, FWHM 1 rad/ps) as broad as 0.64 of the band folds ~1e-4 of its photons: silent
    ens = sf.Ensemble(50, decay=0.02, spectrum=sf.Spectrum.gaussian(1.0, classes=41))
    corr = sf.spectra.first_order(ens, np.linspace(0, 10, 11), np.arange(0, 30, 2.0), method="cumulant")
    with warnings.catch_warnings():
        warnings.simplefilter("error", AliasingWarning)
        sf.spectra.spectrum(corr)


def test_a_delay_window_shorter_than_the_coherence_warns_in_the_spectrum_too():
    ens = sf.Ensemble(1, decay=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CoherenceWindowWarning)       # the correlation's own warning
        corr = sf.spectra.first_order(ens, np.linspace(0, 1, 3), np.linspace(0, 1, 11))
    with pytest.warns(CoherenceWindowWarning, match=r"taus: at the last delay \(1 ps\) .* 95%"):
        sf.spectra.spectrum(corr)       # |G1(1 ps)| / |G1(0)| = exp(-0.05) = 95 %


ENSEMBLE = sf.Ensemble(100, collective_decay=0.3)      # burst at ~0.17 ps
GRID = np.linspace(0, 0.6, 121)


def test_delays_of_a_window_that_ends_before_the_burst_are_refused_naming_times():
    res = sf.simulate(ENSEMBLE, GRID[:11], method="jumps", trajectories=200, seed=1)      # 0.05 ps window
    with pytest.raises(ValueError, match=r"times: the window 0-0\.05 ps cuts .* still rising at the last time"):
        sf.statistics.delay_statistics(res)


def test_shots_the_window_cuts_are_left_out_and_the_others_keep_their_delays():
    full = sf.simulate(ENSEMBLE, GRID, method="jumps", trajectories=400, seed=1)
    short = sf.simulate(ENSEMBLE, GRID[:50], method="jumps", trajectories=400, seed=1)    # ends at 0.245 ps
    with pytest.warns(BurstWindowWarning, match=r"times: .* cuts \d+ of 400 shots"):
        stats = sf.statistics.delay_statistics(short)
    whole = sf.statistics.delay_statistics(full)
    assert whole.attrs["shots_used"] == 400                    # the long window holds every burst
    cut = stats["cut"].values
    assert 0 < cut.sum() < 200 and stats.attrs["shots_used"] == 400 - cut.sum()
    # the same shots (one seed per trajectory): a cut shot peaks after the short window, the others where they did
    longer = full.info["shot_delays"]
    assert np.all(longer[cut] > GRID[48])
    np.testing.assert_array_equal(stats["delay"].values[~cut], longer[~cut])
    assert np.all(np.isnan(stats["delay"].values[cut]))
    assert stats.attrs["mean_ps"] == pytest.approx(np.mean(longer[~cut]))


def test_a_zero_delay_from_a_maximum_at_the_first_time_is_a_cut_too():
    # two emitters: the rates 2 Gamma of both ladder steps are equal, no shot rises above its start
    res = sf.simulate(sf.Ensemble(2, collective_decay=1.0), np.linspace(0, 5, 51), method="jumps",
                      trajectories=50, seed=0)
    assert np.all(res.info["shot_delays"] == 0.0)
    with pytest.raises(ValueError, match=r"times: .* 50 largest at the first time"):
        sf.statistics.delay_statistics(res)


def test_build_up_time_and_peak_of_a_trace_still_rising_are_nan_naming_times():
    t = np.linspace(0, 10, 41)
    burst = sf.analysis.sech2(t, 4.1, 0.7, 3.0)
    assert sf.analysis.buildup_time(t, burst) == pytest.approx(4.1, abs=0.02)
    rising = t < 4.0                                           # the window ends before the maximum
    for function in (sf.analysis.buildup_time, sf.analysis.peak_intensity):
        with pytest.warns(BurstWindowWarning, match="times: the intensity is still rising"):
            assert np.isnan(function(t[rising], burst[rising]))
    with pytest.warns(BurstWindowWarning, match="times"):
        summary = sf.analysis.burst_summary(t[rising], 0.1 + burst[rising])
    assert summary["burst"] and np.isnan(summary["tau_d"]) and np.isnan(summary["tau_sf"])
    assert sf.analysis.buildup_time(t, np.exp(-t)) == 0.0      # a decay is largest at the excitation: tau_D = 0


def test_peak_statistics_leave_out_shots_still_rising_at_the_window_end():
    short = sf.simulate(ENSEMBLE, GRID[:50], method="jumps", trajectories=400, seed=1)
    cut = short.info["shot_delays"] >= GRID[49]
    with pytest.warns(BurstWindowWarning, match="times"):
        stats = sf.analysis.peak_statistics(short)
    assert stats["cut"] == cut.sum() and stats["values"].size == 400 - cut.sum()
    np.testing.assert_array_equal(stats["values"], short.info["shot_peaks"][~cut])


def test_a_loose_cumulant_run_is_refused_naming_rtol():
    # rtol = 0.5 drives the intensity to -74 % of its peak and the excitation to -4.9 N
    with pytest.raises(ValueError, match=r"cumulant: intensity >= 0 is broken .* tighten rtol"):
        sf.simulate(sf.Ensemble(20, collective_decay=1.0), np.linspace(0, 1, 101), method="cumulant", rtol=0.5)


def _result(intensity, excitation, method, n=10, data=None, info=None):
    times = np.linspace(0, 1, len(intensity))
    return Result(times, intensity, excitation, method, {"n": n}, data=data, info=info)


def test_small_violations_warn_naming_the_tolerances_and_the_closure_gross_ones_are_refused_when_loosened():
    options = METHODS["cumulant"].Options
    small = _result([0.0, 2.0, 5.0, 1.0, -0.1], [10, 9, 5, 2, 1], "cumulant")    # -2 % of the peak
    with pytest.warns(invariants.InvariantWarning, match=r"2 % of the peak intensity .* tighten rtol and atol .* "
                                                         r"closure"):
        invariants.check(small, METHODS["cumulant"], options(rtol=1e-3))
    gross = _result([0.0, 2.0, 5.0, 1.0, -1.0], [10, 9, 5, 2, -1], "cumulant")    # -20 % of the peak, -10 % of N
    with pytest.raises(ValueError, match="tighten rtol"):
        invariants.check(gross, METHODS["cumulant"], options(rtol=0.1))
    with pytest.warns(invariants.InvariantWarning, match="closure"):        # default tolerances: warn only
        invariants.check(gross, METHODS["cumulant"], options())
    within = _result([0.0, 2.0, 5.0, 1.0, -1e-11], [10, 9, 5, 2, 1], "cumulant")   # below atol = 1e-10
    with warnings.catch_warnings():
        warnings.simplefilter("error", invariants.InvariantWarning)
        invariants.check(within, METHODS["cumulant"], options())


def test_excitation_above_n_and_a_lost_trace_warn():
    over = _result([1.0, 1.0, 0.5], [10.0, 10.5, 3.0], "exact", data={"trace": np.ones(3)})
    with pytest.warns(invariants.InvariantWarning, match=r"excitation <= N = 10 is broken by 5 %"):
        invariants.check(over, METHODS["exact"], METHODS["exact"].Options())
    leak = _result([1.0, 1.0, 0.5], [10.0, 8.0, 3.0], "exact", data={"trace": [1.0, 1.0, 0.999]})
    with pytest.warns(invariants.InvariantWarning, match=r"trace = 1 is broken by 0\.1 %"):
        invariants.check(leak, METHODS["exact"], METHODS["exact"].Options())


def test_a_sampled_mean_within_its_noise_of_a_bound_is_no_violation():
    options = METHODS["twa"].Options(trajectories=1000)
    sem = np.full(5, 0.1)
    info = {"trajectories_done": 1000}
    noisy = _result([0.3, 5.0, 2.0, 0.1, -0.3], [10, 8, 4, 1, -0.2], "twa",
                    data={"intensity_sem": sem, "excitation_sem": sem}, info=info)     # 3 standard errors below 0
    with warnings.catch_warnings():
        warnings.simplefilter("error", invariants.InvariantWarning)
        invariants.check(noisy, METHODS["twa"], options)
    biased = _result([0.3, 5.0, 2.0, 0.1, -2.0], [10, 8, 4, 1, 0.0], "twa",
                     data={"intensity_sem": sem, "excitation_sem": sem}, info=info)    # 20 standard errors
    with pytest.warns(invariants.InvariantWarning, match=r"20 standard errors.*\(dt\) or more trajectories"):
        invariants.check(biased, METHODS["twa"], options)


def test_a_handful_of_trajectories_needs_more_standard_errors():
    # the same false-alarm probability as 5 sigma of a normal mean: Student t with trajectories - 1 degrees of freedom
    assert invariants._sampling_quantile(10**6) == pytest.approx(invariants.SAMPLING_SIGMAS, rel=1e-3)
    assert invariants._sampling_quantile(4) > 10 * invariants.SAMPLING_SIGMAS


CASES = [       # (method, system, window in ps: past the burst, options)
    ("dicke", sf.Ensemble(30, collective_decay=1.0), 0.5, {}),
    ("permutational", sf.Ensemble(20, collective_decay=1.0, decay=0.1, dephasing=0.2), 1.0, {}),
    ("exact", sf.Ensemble(4, collective_decay=1.0, decay=0.2), 4.0, {}),
    ("exact", sf.NanocrystalEnsemble(2, decay=0.5, collective_decay=0.5), 10.0, {}),
    ("cumulant", sf.Ensemble(200, collective_decay=0.01, decay=0.01, dephasing=0.1), 25.0, {}),
    ("meanfield", sf.Ensemble(200, collective_decay=0.01, decay=0.01), 25.0, {}),
    ("jumps", sf.Ensemble(20, collective_decay=1.0, decay=0.1), 1.0, {"trajectories": 200}),
    ("twa", sf.Ensemble(100, collective_decay=0.01, decay=0.01), 25.0, {"trajectories": 200}),
]


@pytest.mark.parametrize("method, system, window, options", CASES,
                         ids=[f"{c[0]}-{type(c[1]).__name__}" for c in CASES])
def test_runs_at_their_default_tolerances_keep_every_bound_without_a_word(method, system, window, options):
    with warnings.catch_warnings():
        warnings.simplefilter("error", invariants.InvariantWarning)
        warnings.simplefilter("ignore", UserWarning)           # the methods' own validity remarks
        res = sf.simulate(system, np.linspace(0, window, 81), method=method, **options)
    # excitation <= N: N emitters, or N nanocrystals of one exciton each
    assert np.all(res.excitation <= res.n * (1 + 1e-9))
    if method != "twa":                                        # sampled Wigner averages: within their noise only
        assert np.all(res.intensity >= -1e-9 * res.intensity.max())
        assert np.all(res.excitation >= -1e-9 * res.n)
