"""Shared fixtures for the test suite."""

import numpy as np
import pytest


@pytest.fixture
def burst_times():
    """Return a function giving a time grid covering the burst of N emitters."""

    def make(n, collective=1.0, periods=5.0, points=121):
        return np.linspace(0.0, periods * max(np.log(n), 1.0) / (n * collective), points)

    return make


@pytest.fixture(scope="session")
def dask_client():
    """A Dask client on a LocalCluster of 2 worker processes (one thread each), shared by the suite."""
    distributed = pytest.importorskip("dask.distributed")
    import cloudpickle

    from tests.helpers import sweep_points

    cloudpickle.register_pickle_by_value(sweep_points)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as c:
        with distributed.Client(c) as client:
            yield client
