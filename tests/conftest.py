"""Shared fixtures for the test suite."""

import numpy as np
import pytest


@pytest.fixture
def burst_times():
    """Return a function giving a time grid covering the burst of N emitters."""

    def make(n, collective=1.0, periods=5.0, points=121):
        return np.linspace(0.0, periods * max(np.log(n), 1.0) / (n * collective), points)

    return make
