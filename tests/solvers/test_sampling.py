"""Shot methods on an executor: the trajectories split into seeded blocks give the same result bit for bit on
local processes, on a user's Executor and on a Dask LocalCluster with 2 workers as in this process."""

import concurrent.futures as cf
import multiprocessing as mp
import warnings

import numpy as np
import pytest

import sf_dynamics as sf
from sf_dynamics.solvers import maxwell_bloch, twa
from sf_dynamics.solvers._sampling import EXECUTOR_TASKS, sample_rows


def _lattice_ensemble():
    pos = np.c_[np.arange(12) * 0.2, np.zeros(12), np.zeros(12)]
    g, w = sf.geometry.green_couplings(pos, np.tile([0.0, 0.0, 1.0], (12, 1)), wavelength=1.0, gamma=1.0)
    return sf.Ensemble(12, gamma_matrix=g, omega_matrix=w, dephasing=0.1)


CASES = {
    # (system, times, method, options): trajectories span several blocks, the last one partial
    "twa classes": (sf.Ensemble(80, collective_decay=0.02, decay=0.002, dephasing=0.05), np.linspace(0, 25, 51),
                    "twa", {"trajectories": 700}),
    "twa emitters": (_lattice_ensemble(), np.linspace(0, 3, 31), "twa", {"trajectories": 300}),
    "maxwell_bloch": (sf.Slab(2e4, 5e-4, decay=0.005, slices=4), np.linspace(0, 30, 61),
                      "maxwell_bloch", {"trajectories": 300}),
    "jumps": (sf.Ensemble(40, collective_decay=0.02, decay=0.004), np.linspace(0, 30, 61), "jumps",
              {"trajectories": 2500}),
}


def _run(case, executor):
    system, times, method, options = CASES[case]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", twa.TWAValidityWarning)
        return sf.simulate(system, times, method=method, seed=7, executor=executor, **options)


def _assert_identical(a, b):
    np.testing.assert_array_equal(a.intensity, b.intensity)
    np.testing.assert_array_equal(a.excitation, b.excitation)
    for key, value in a.data.items():
        np.testing.assert_array_equal(value, b.data[key], err_msg=key)
    np.testing.assert_array_equal(a.info["shot_delays"], b.info["shot_delays"])
    assert a.info["trajectories_done"] == b.info["trajectories_done"]


SPREAD = ["twa classes", "twa emitters", "jumps"]


@pytest.fixture(scope="module")
def serial_results():
    return {case: _run(case, None) for case in SPREAD}


@pytest.fixture(scope="module")
def pool():
    """A user's executor: 2 spawned worker processes, shared by the tests of this module."""
    with cf.ProcessPoolExecutor(max_workers=2, mp_context=mp.get_context("spawn")) as executor:
        yield executor


def test_local_processes_equal_this_process_bit_for_bit(serial_results):
    _assert_identical(_run("twa classes", "processes"), serial_results["twa classes"])


@pytest.mark.parametrize("case", SPREAD)
def test_a_users_executor_equals_this_process_bit_for_bit(case, serial_results, pool):
    _assert_identical(_run(case, pool), serial_results[case])


@pytest.mark.parametrize("case", SPREAD)
def test_a_dask_cluster_of_two_workers_equals_this_process_bit_for_bit(case, serial_results, dask_client):
    _assert_identical(_run(case, dask_client), serial_results[case])


def test_noise_initiated_slabs_on_an_executor(pool):
    _assert_identical(_run("maxwell_bloch", pool), _run("maxwell_bloch", "serial"))


def test_correlations_of_shots_run_on_an_executor(pool):
    system, _, _, _ = CASES["twa classes"]
    times, taus = np.linspace(0, 20, 5), np.linspace(0, 4, 9)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", twa.TWAValidityWarning)
        here = twa.first_order_correlation(system, times, taus, sf.Excited(), trajectories=300, seed=2)
        there = twa.first_order_correlation(system, times, taus, sf.Excited(), trajectories=300, seed=2,
                                            executor=pool)
    np.testing.assert_array_equal(here[0], there[0])
    slab = CASES["maxwell_bloch"][0]
    here = maxwell_bloch.first_order_correlation(slab, times, taus, sf.Excited(), trajectories=40, seed=2)
    there = maxwell_bloch.first_order_correlation(slab, times, taus, sf.Excited(), trajectories=40, seed=2,
                                                  executor=pool)
    np.testing.assert_array_equal(here[0], there[0])


def _rows(first, count):
    if first % 7:
        raise AssertionError(f"a chunk starts inside a block: {first}")
    return {"index": np.arange(first, first + count, dtype=float)[:, None], "count": np.full((count, 1), count)}


def test_rows_arrive_in_order_in_chunks_of_whole_blocks(pool):
    out, done, partial = sample_rows(_rows, total=1000, block=7, executor=pool)
    assert (done, partial) == (1000, False)
    np.testing.assert_array_equal(out["index"][:, 0], np.arange(1000))
    chunks = np.unique(out["count"])
    assert len(np.unique(out["index"][:, 0] // chunks.max())) <= EXECUTOR_TASKS   # at most 32 tasks
    serial, _, _ = sample_rows(_rows, total=1000, block=7)
    assert serial["count"].max() == 7   # in this process: one block at a time


def test_an_unknown_executor_is_refused_by_name():
    system, times, method, options = CASES["jumps"]
    with pytest.raises(ValueError, match="executor must be None, 'serial', 'processes'"):
        sf.simulate(system, times, method=method, executor=4, **options)
    with pytest.raises(ValueError, match="unknown option"):
        sf.simulate(system, times, method="cumulant", executor="processes")
