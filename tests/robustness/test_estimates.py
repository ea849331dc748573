"""Estimate, then allocate; name the input that sets a size.

Every front door (``simulate``, ``spectra.first_order``, ``statistics.second_order``,
``statistics.photon_counts``, the systems' constructors, the CLI) refuses a problem whose memory or step
count cannot be afforded before the method runs, naming the parameter that sets it; an absurd rate is
refused at the system; a full-space state must have the tensor factors of its emitters; every option of the
fluence-series fit is checked; ``spectrum`` and ``check_taus`` say what is wrong with their input.

The free memory the guards see is capped with ``SF_DYNAMICS_MEMORY_LIMIT`` so that nothing depends on this
machine, and the method's run function is replaced by one that fails the test: a refusal must come before
any work.
"""

import numpy as np
import pytest

import sf_dynamics as sf
from sf_dynamics import _resources
from sf_dynamics._validation import MAX_RATE, is_uniform
from sf_dynamics.methods import ladders, quantities
from sf_dynamics.workflows.fit_series import fit_fluence_series, read_series

GIB = 2**30


def limit(monkeypatch, nbytes):
    """Make the guards see ``nbytes`` free whatever this machine has."""
    monkeypatch.setenv(_resources.MEMORY_LIMIT_VARIABLE, str(int(nbytes)))


def never_run(monkeypatch, method_class, runner):
    """Replace a method's run function by one that fails: a refusal must come before it."""
    def run(self, problem, options):
        raise AssertionError(f"{method_class.__name__}.{runner} ran before the refusal")
    monkeypatch.setattr(method_class, runner, run)


# -- 1. memory and work estimated before anything is allocated --------------------------------------------


@pytest.mark.parametrize("make, match", [
    (lambda: sf.Ensemble(10**12, collective_decay=1e-12), r"^n: the detunings of n = 1000000000000 emitters"),
    (lambda: sf.NanocrystalEnsemble(10**12, decay=1e-3), r"^n: the detunings of n = 1000000000000 nanocrystals"),
])
def test_a_system_too_large_to_hold_is_refused_at_construction(monkeypatch, make, match):
    limit(monkeypatch, 8 * GIB)
    with pytest.raises(ValueError, match=match + r".* needs about 7.28 TiB of memory, but this machine has 8 GiB"):
        make()


def test_the_command_line_refuses_a_huge_ensemble_in_one_line(monkeypatch, tmp_path, capsys):
    from sf_dynamics.cli import main

    limit(monkeypatch, 8 * GIB)
    code = main(["simulate", "--n", "1000000000000", "--out", str(tmp_path / "out"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("sf-dynamics: error: n: ") and "Traceback" not in err
    assert not (tmp_path / "out" / "trace.csv").exists()


def test_jumps_refuses_the_rate_table_of_every_ladder(monkeypatch):
    # N = 10^9 would need 64 GB for the rates of its 5e8 ladders; the same path at N = 10^7 under 256 MiB
    limit(monkeypatch, 256 * 2**20)
    never_run(monkeypatch, ladders.Jumps, "evolve")
    ensemble = sf.Ensemble(10**7, collective_decay=1e-7)
    with pytest.raises(ValueError, match=r"^n: method 'jumps' with N = 10000000: the jump rates of its 5000001 "
                                         r"Dicke ladders needs about 610 MiB"):
        sf.simulate(ensemble, np.linspace(0, 100, 11), method="jumps", trajectories=2)


def test_photon_counts_with_local_decay_refuse_the_ladders_of_a_million_emitters(monkeypatch):
    limit(monkeypatch, 8 * GIB)
    never_run(monkeypatch, ladders.Permutational, "photon_counts")
    ensemble = sf.Ensemble(10**6, collective_decay=1e-6, decay=1e-3)
    with pytest.raises(ValueError, match=r"^n: method 'permutational' with N = 1000000 on \d+ ladders .* TiB of "
                                         r"memory.*'dicke'"):
        sf.statistics.photon_counts(ensemble, np.linspace(0, 100, 11), local_efficiency=0.5)


def test_first_order_refuses_a_delay_grid_too_long_to_store(monkeypatch):
    # taus = np.arange(10**8) * 0.125 asked for 66 GiB; the same path with 10^6 delays under 64 MiB
    limit(monkeypatch, 64 * 2**20)
    from sf_dynamics.methods import full_space

    never_run(monkeypatch, full_space.Exact, "first_order")
    with pytest.raises(ValueError, match=r"^taus: G1 on 11 output times x 1000000 delays needs about 6\d\d MiB .*"
                                         r"fewer delays"):
        sf.spectra.first_order(sf.Ensemble(3, collective_decay=0.1), np.linspace(0, 10, 11),
                               taus=np.arange(10**6) * 0.125, method="exact")


def test_second_order_refuses_a_hundred_thousand_times_and_delays(monkeypatch):
    limit(monkeypatch, 8 * GIB)
    never_run(monkeypatch, ladders.Permutational, "second_order")
    with pytest.raises(ValueError, match=r"^times, taus: G2 on 100000 output times x 100000 delays needs about "
                                         r"596 GiB"):
        sf.statistics.second_order(sf.Ensemble(10, collective_decay=0.1), np.linspace(0, 10, 10**5),
                                   taus=np.arange(10**5) * 0.1)


def test_dicke_refuses_more_output_times_than_steps_or_memory(monkeypatch):
    never_run(monkeypatch, ladders.Dicke, "evolve")
    ensemble = sf.Ensemble(10, collective_decay=0.1)
    times = np.linspace(0, 10, 2 * 10**6 + 1)
    limit(monkeypatch, 8 * GIB)       # fits in memory, but the ladder integrator stops at every output time
    with pytest.raises(ValueError, match=r"^times: 2000001 output times \(a step each at least\) needs about "
                                         r"2e\+06 time steps, more than max_steps = 1000000; use fewer output times"):
        sf.simulate(ensemble, times, method="dicke")
    limit(monkeypatch, 256 * 2**20)   # 2e8 times asked for 75 GiB; 2e6 under 256 MiB
    with pytest.raises(ValueError, match=r"^times: a result on 2000001 output times needs about 763 MiB"):
        sf.simulate(ensemble, times, method="dicke", max_steps=10**7)


def test_estimates_leave_ordinary_runs_alone(monkeypatch):
    limit(monkeypatch, 1 * GIB)
    ensemble = sf.Ensemble(20, collective_decay=1.0)
    times = np.linspace(0, 1.2, 121)
    exact = sf.simulate(ensemble, times, method="dicke")
    counts = sf.statistics.photon_counts(ensemble, times)
    # every emitter radiates one photon through the collective channel (efficiency 1)
    assert float(counts["mean_count"]) == pytest.approx(20 - float(exact.excitation[-1]), rel=1e-6)


# -- 2. absurd rates refused at the system; a step budget blames what made it explode ------------------------


@pytest.mark.parametrize("make, match", [
    (lambda: sf.Ensemble(10, collective_decay=1e300), r"collective_decay must be in \[0, 1e\+12\] \(1/ps\)"),
    (lambda: sf.Ensemble(10, decay=float("inf")), r"decay must be finite"),
    (lambda: sf.Ensemble(4, collective_decay=1.0, detunings=[1e300, 0, 0, 0]), r"detunings must lie within \+-1e\+12"),
    (lambda: sf.Ensemble(2, gamma_matrix=[[1e13, 0], [0, 1e13]]), r"gamma_matrix must lie within \+-1e\+12 1/ps"),
    (lambda: sf.NanocrystalEnsemble(2, decay=1.0, fine_structure=(0, 0, 1e13)), r"fine_structure must lie within"),
    (lambda: sf.Spectrum([0.0, 2e12], [1, 1]), r"detunings must lie within"),
    (lambda: sf.Slab(1e6, 1e300), r"forward_decay must be in \[0, 1e\+12\]"),
])
def test_absurd_rates_are_refused_at_the_system(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_the_largest_rate_gives_the_physical_answer():
    # Gamma_c = MAX_RATE: the burst is over within ~1e-12 ps; the ladder lands on the ground state
    res = sf.simulate(sf.Ensemble(10, collective_decay=MAX_RATE), np.linspace(0, 1, 11), method="dicke")
    assert res.intensity[0] == pytest.approx(10 * MAX_RATE)
    assert np.all(res.excitation[1:] < 1e-6)


@pytest.mark.parametrize("method, make, times, options, match", [
    ("cumulant", lambda: sf.Ensemble(4, collective_decay=1.0, detunings=[1e9, 0, 0, 0]), np.linspace(0, 10, 11), {},
     r"^detunings: max \|detunings\| = 1e\+09 rad/ps, the fastest rate .* check detunings"),
    ("twa", lambda: sf.Ensemble(100, collective_decay=1.0), np.linspace(0, 1, 11), {"dt": 1e-12},
     r"^dt: steps of dt = 1e-12 ps over a window of 1 ps needs about 1e\+12 time steps"),
    ("maxwell_bloch", lambda: sf.Slab(1e6, 1e-3), np.linspace(0, 1, 11), {"dt": 1e-12}, r"^dt: steps of dt = 1e-12"),
    ("exact", lambda: sf.Ensemble(4, collective_decay=1.0, pumping=1e6), np.linspace(0, 10, 11), {},
     r"^pumping: pumping = 1e\+06 /ps, the fastest rate .*Liouvillian"),
    ("twa", lambda: sf.Ensemble(100, collective_decay=1.0), np.linspace(0, 1e12, 11), {},
     r"^times: a window of 1e\+12 ps, 1e\+14 time constants of the slowest rate"),
])
def test_a_step_budget_names_the_input_that_made_it_explode(method, make, times, options, match):
    with pytest.raises(ValueError, match=match):
        sf.simulate(make(), times, method=method, **options)


# -- 3. a full-space state must have the tensor factors of its emitters --------------------------------------


def test_exact_refuses_a_state_split_into_other_factors():
    qutip = pytest.importorskip("qutip")
    ensemble = sf.Ensemble(4, collective_decay=1.0)
    times = np.linspace(0, 1, 11)
    wrong = qutip.tensor(qutip.basis(4, 1), qutip.basis(4, 0))          # dimension 16, dims [[4, 4]]
    with pytest.raises(ValueError, match=r"initial density matrix has dims \[\[4, 4\]\] .* need dims "
                                         r"\[\[2, 2, 2, 2\]\]"):
        sf.simulate(ensemble, times, method="exact", initial=wrong)
    with pytest.raises(ValueError, match=r"need dims \[\[4, 4\]\]"):       # 2 nanocrystals are 4 x 4, not 2^4
        sf.simulate(sf.NanocrystalEnsemble(2, decay=1.0), times, method="exact",
                    initial=qutip.tensor([qutip.basis(2, 1)] * 4))
    # the emitters' own factors, or one factor in the documented ordering, give the inverted start
    reference = sf.simulate(ensemble, times, method="permutational")
    for state in (qutip.tensor([qutip.basis(2, 1)] * 4), qutip.basis(16, 15)):
        res = sf.simulate(ensemble, times, method="exact", initial=state)
        np.testing.assert_allclose(res.intensity, reference.intensity, rtol=1e-5, atol=1e-8)


# -- 4. every option of the fluence-series fit is checked ----------------------------------------------------


@pytest.fixture(scope="module")
def series():
    times = np.arange(200) * 2.0
    data = np.random.default_rng(0).poisson(50 * np.exp(-times / 100) * (times > 10), size=(3, 200))
    return times, data


@pytest.mark.parametrize("options, match", [
    ({"grid_points": 0}, r"grid_points must be an integer >= 3, got 0"),
    ({"grid_points": 2.5}, r"grid_points must be an integer >= 3"),
    ({"time_unit_ps": float("nan")}, r"time_unit_ps must be finite"),
    ({"time_unit_ps": 0.0}, r"time_unit_ps must be > 0"),
    ({"points": 5}, r"points must be an integer >= 20"),
    ({"background": "no"}, r"background must be True, False or 'auto'"),
    ({"progress": "yes"}, r"progress must be True or False"),
    ({"allow_undetermined": None}, r"allow_undetermined must be True or False"),
    ({"domain_sizes": (2.5, 60)}, r"domain_sizes must be a pair \(low, high\) of integers >= 2"),
    ({"domain_sizes": (2, 30, 60)}, r"domain_sizes must be a pair"),
    ({"fixed": {"dephasing": float("nan")}}, r"fixed\['dephasing'\] must be finite"),
    ({"p0": {"coupled_fraction": 1.5}}, r"p0\['coupled_fraction'\] must be <= 1"),
    ({"p0": [("t0", 1.0)]}, r"p0 must be a dict"),
    ({"photon_energy_eV": 0.0}, r"photon_energy_eV must be > 0"),
])
def test_fit_options_out_of_range_are_refused(series, options, match):
    with pytest.raises(ValueError, match=match):
        fit_fluence_series(series, probabilities=[0.2, 0.5, 0.8], **options)


def test_time_unit_converts_time_arrays_too(series):
    times, data = series
    in_ns = read_series((times / 1000.0, data), time_unit_ps=1000.0)[0]
    np.testing.assert_allclose(in_ns, times, rtol=1e-12)
    pairs = read_series([(times / 1000.0, row) for row in data], time_unit_ps=1000.0)[0]
    np.testing.assert_allclose(pairs, times, rtol=1e-12)


# -- 5. clear errors for the wrong kind of input and for long delay grids ------------------------------------


@pytest.mark.parametrize("call", [
    lambda: sf.spectra.spectrum(np.zeros(5)),
    lambda: sf.spectra.time_resolved_spectrum(np.zeros(5), filter_fwhm=1.0),
    lambda: sf.spectra.normalized_g1(np.zeros(5)),
])
def test_spectra_of_an_array_name_what_they_need(call):
    with pytest.raises(ValueError, match="correlation must be the Dataset of sf_dynamics.spectra.first_order"):
        call()


def test_long_linspace_delays_are_equally_spaced():
    taus = np.linspace(0.0, 100.0, 2 * 10**7)     # steps off by ~1.5e-9 of a step from rounding alone
    assert is_uniform(taus)
    assert quantities.check_taus(taus) is not None
    moved = taus.copy()
    moved[10**7] += 1e-6 * (taus[1] - taus[0])      # one delay off by 1e-6 of a step is not round-off
    assert not is_uniform(moved)
    with pytest.raises(ValueError, match="taus must be equally spaced"):
        quantities.check_taus(moved)
