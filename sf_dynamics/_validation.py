"""Input checks shared by the public constructors and solvers.

Every check raises :class:`ValueError` whose message starts with the
parameter's name and states the allowed range, so a user can see at once
which argument to change.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = [
    "check_rate",
    "check_positive_int",
    "check_real",
    "check_times",
    "check_real_array",
    "check_choice",
    "check_tolerance",
    "check_seed",
]


def check_rate(name: str, value) -> float:
    """Return ``value`` as a float after checking it is a finite rate >= 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a real number >= 0 (1/ps), got {value!r}")
    value = float(value)
    if not np.isfinite(value) or value < 0.0:
        raise ValueError(f"{name} must be finite and >= 0 (1/ps), got {value!r}")
    return value


def check_real(name: str, value, *, low=None, high=None, low_open=False) -> float:
    """Return ``value`` as a float after checking it is finite and within bounds."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if low is not None and (value < low or (low_open and value == low)):
        op = ">" if low_open else ">="
        raise ValueError(f"{name} must be {op} {low}, got {value!r}")
    if high is not None and value > high:
        raise ValueError(f"{name} must be <= {high}, got {value!r}")
    return value


def check_positive_int(name: str, value, *, minimum: int = 1, maximum: int | None = None) -> int:
    """Return ``value`` as an int after checking ``minimum <= value <= maximum`` (booleans are refused)."""
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if not isinstance(value, numbers.Integral):
        if isinstance(value, numbers.Real) and float(value).is_integer() and np.isfinite(value):
            value = int(value)
        else:
            raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    value = int(value)
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be an integer <= {maximum}, got {value}")
    return value


def check_seed(seed) -> int:
    """An integer seed in [0, 2**63); ValueError naming ``seed`` otherwise."""
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise ValueError(f"seed must be an integer, got {seed!r}")
    seed = int(seed)
    if not 0 <= seed < 2**63:
        raise ValueError(f"seed must be an integer in [0, 2**63), got {seed}")
    return seed


def check_times(times, name: str = "times") -> np.ndarray:
    """Return ``times`` (ps) as a float64 array, checking it is 1-D, finite,
    starts at t >= 0 and is strictly increasing."""
    try:
        arr = np.asarray(times, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a 1-D array of real times (ps): {exc}") from None
    if arr.ndim != 1 or arr.size < 2:
        raise ValueError(f"{name} must be a 1-D array with at least 2 times (ps), got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    if arr[0] < 0.0:
        raise ValueError(f"{name} must start at t >= 0 ps (t = 0 is the excitation), got {arr[0]}")
    if np.any(np.diff(arr) <= 0.0):
        raise ValueError(f"{name} must be strictly increasing")
    return arr


def check_real_array(name: str, values, *, shape=None, nonnegative=False) -> np.ndarray:
    """Return ``values`` as a finite float64 array, optionally of a given shape."""
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be an array of real numbers: {exc}") from None
    if shape is not None and arr.shape != tuple(shape):
        raise ValueError(f"{name} must have shape {tuple(shape)}, got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    if nonnegative and np.any(arr < 0):
        raise ValueError(f"{name} must be >= 0")
    return arr


def check_choice(name: str, value, allowed) -> str:
    """Check that ``value`` is one of ``allowed`` (strings)."""
    if value not in allowed:
        raise ValueError(f"{name} must be one of {sorted(allowed)}, got {value!r}")
    return value


def check_tolerance(name: str, value) -> float:
    """Check a solver tolerance: a finite float in (0, 1)."""
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be a real number in (0, 1), got {value!r}")
    value = check_real(name, value, low=0.0, low_open=True)
    if value >= 1.0:
        raise ValueError(f"{name} must be in (0, 1), got {value!r}")
    return value
