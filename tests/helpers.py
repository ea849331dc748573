"""Assertion helpers shared by the tests."""

import numpy as np


def assert_physical(result, *, atol=1e-9):
    """Invariants every method must satisfy: I >= 0, 0 <= excitation <= N, trace 1."""
    n = result.n
    scale = max(1.0, float(np.max(np.abs(result.intensity))))
    assert np.all(result.intensity >= -atol * scale), "intensity must be >= 0"
    assert np.all(result.excitation >= -atol * n), "excitation must be >= 0"
    assert np.all(result.excitation <= n * (1 + atol)), "excitation must be <= N"
    if "trace" in result.data:
        np.testing.assert_allclose(result.data["trace"], 1.0, atol=1e-8)
    assert np.all(np.isfinite(result.intensity)) and np.all(np.isfinite(result.excitation))


def max_relative_difference(a, b):
    """max |a - b| / max |b|: the agreement measure of traces used throughout."""
    a = np.asarray(a)
    b = np.asarray(b)
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))
