"""Resource and time guards: every over-sized or endless request is refused before it allocates or runs,
with a ValueError that names the parameter, the estimate, the free memory and what can do the job."""

import numpy as np
import pytest

import sf_dynamics as sf
from sf_dynamics import _resources, fitting, geometry, thermal
from sf_dynamics.geometry.lattice import Superlattice


@pytest.fixture
def eight_gib(monkeypatch):
    """Make the guards see 8 GiB free whatever this machine has."""
    monkeypatch.setenv(_resources.MEMORY_LIMIT_VARIABLE, str(8 * 2**30))


def burst_window(n):
    return np.linspace(0.0, 5 * np.log(n) / n, 51)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: sf.simulate(sf.Ensemble(10**6, collective_decay=1.0, decay=0.1), burst_window(10**6),
                             method="permutational"), r"n: method 'permutational'.*free; pure collective decay"),
        (lambda: sf.simulate(sf.Ensemble(10**8, collective_decay=1.0), burst_window(10**8), method="dicke"),
         r"n: method 'dicke'.*free"),
        (lambda: sf.simulate(sf.Ensemble(50_000, collective_decay=1e-3, detunings=np.linspace(-1, 1, 50_000)),
                             np.linspace(0, 1, 11), method="cumulant", engine="emitters"), r"n: method 'cumulant'"),
        (lambda: sf.simulate(sf.Ensemble(50_000, collective_decay=1e-3, detunings=np.linspace(-1, 1, 50_000)),
                             np.linspace(0, 1, 11), method="twa", engine="emitters"), r"n: per-emitter TWA"),
        (lambda: geometry.green_couplings(np.random.default_rng(0).random((50_000, 3)) * 1e3,
                                          np.tile([0, 0, 1.0], (50_000, 1)), wavelength=1.0, gamma=1.0),
         r"positions: the dense 50000 x 50000.*matrix-free"),
        (lambda: thermal.thermal_superradiance(Superlattice.cubic(40, 40, 40), [5.0]),
         r"lattice: dense diagonalisation.*route='matrix-free'"),
        (lambda: sf.simulate(sf.Ensemble(100, collective_decay=1.0), np.linspace(0, 1, 11), method="twa",
                             trajectories=10**12), r"trajectories: 1000000000000 trajectories"),
    ],
    ids=["permutational-1e6", "dicke-1e8", "cumulant-emitters-5e4", "twa-emitters-5e4", "green-5e4",
         "thermal-dense-40cubed", "twa-1e12-trajectories"],
)
def test_memory_guards_refuse_before_allocating(eight_gib, call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize(
    "method, ensemble, times, match",
    [
        ("cumulant", sf.Ensemble(4, collective_decay=1.0, detunings=[1e9, 0, 0, 0]), np.linspace(0, 10, 11),
         r"detunings: max \|detunings\| = 1e\+09 rad/ps, the fastest rate"),
        ("cumulant", sf.Ensemble(100, collective_decay=1.0), np.linspace(0, 1e12, 11), "times: a window .*max_steps"),
        ("meanfield", sf.Ensemble(100, collective_decay=1.0), np.linspace(0, 1e12, 11), "times: .*max_steps"),
        ("twa", sf.Ensemble(100, collective_decay=1.0), np.linspace(0, 1e12, 11), "times: .*max_steps"),
        ("twa", sf.Ensemble(100, collective_decay=1.0, pumping=1e8), np.linspace(0, 0.5, 11), "pumping: .*max_steps"),
        ("exact", sf.Ensemble(4, collective_decay=1.0, pumping=1e6), np.linspace(0, 10, 11),
         "pumping: .*Liouvillian of norm .* max_steps"),
        ("exact", sf.Ensemble(3, collective_decay=1.0, detunings=[1e8, 0, 0]), np.linspace(0, 1, 11),
         "detunings: .*max_steps"),
    ],
)
def test_step_budgets_refuse_endless_runs(method, ensemble, times, match):
    with pytest.raises(ValueError, match=match):
        sf.simulate(ensemble, times, method=method)


def test_huge_rates_in_the_exact_ladder_solvers_give_the_physical_answer():
    # Gamma_c = 1e12 /ps (the largest rate a system takes): the burst is over after ~1e-12 ps; the stiff solver
    # lands on the ground state
    for method in ("dicke", "permutational"):
        res = sf.simulate(sf.Ensemble(10, collective_decay=1e12), np.linspace(0, 1, 11), method=method)
        assert res.intensity[0] == pytest.approx(1e13)
        assert np.all(res.excitation[1:] < 1e-6) and np.all(np.isfinite(res.intensity))


def test_step_budget_can_be_raised_explicitly():
    ens = sf.Ensemble(100, collective_decay=1.0)
    times = np.linspace(0, 10, 11)
    with pytest.raises(ValueError, match="max_steps = 50"):
        sf.simulate(ens, times, method="twa", max_steps=50, trajectories=4)
    res = sf.simulate(ens, times, method="twa", max_steps=10**6, trajectories=4)
    assert res.info["steps"] > 50


def test_irf_width_far_outside_the_data_is_refused():
    t = np.linspace(0, 50, 201)
    y = fitting.sech2_model(t, 20.0, 2.0, 1.0)
    for irf in (1e-9, 1e9):
        with pytest.raises(ValueError, match="irf_fwhm"):
            fitting.fit_sech2(t, y, irf_fwhm=irf)


def test_messages_name_the_free_memory(eight_gib):
    assert _resources.available_memory_bytes() <= 8 * 2**30
    with pytest.raises(ValueError, match="8 GiB free"):
        _resources.check_memory(1e12, parameter="n", what="a test")
