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
    "is_uniform",
    "UNIFORM_RTOL",
    "MAX_RATE",
    "check_frequencies",
]

#: relative tolerance of :func:`is_uniform`: a grid whose every step is within 1e-9 of the mean step (relative)
#: is equally spaced. Times read from a text file (e.g. ``np.round(np.linspace(0, T, 201), 12)``) differ from
#: the ideal grid by round-off far below it; treating them as t0 + k h moves an output time by at most
#: ~1e-9 x (points per block) of a step, below the accuracy of every method.
UNIFORM_RTOL = 1e-9
#: largest rate (1/ps) or angular frequency (rad/ps) a system may hold. hbar x 1e12 /ps is 0.66 GeV, beyond the
#: width or energy of any electromagnetic transition of an emitter (nuclear gamma lines lie below ~20 MeV,
#: 3e10 rad/ps; optical ones near 4e3 rad/ps), where the rotating-wave two-level model would hold anyway: a
#: larger value is a unit slip (1/s or Hz typed for 1/ps), and would only make every time stepper refuse.
MAX_RATE = 1e12


def check_rate(name: str, value) -> float:
    """Return ``value`` as a float after checking it is a finite rate in [0, :data:`MAX_RATE`] (1/ps)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a real number >= 0 (1/ps), got {value!r}")
    value = float(value)
    if not np.isfinite(value) or value < 0.0:
        raise ValueError(f"{name} must be finite and >= 0 (1/ps), got {value!r}")
    if value > MAX_RATE:
        raise ValueError(f"{name} must be in [0, {MAX_RATE:g}] (1/ps), got {value!r}: rates are in 1/ps (1e12 /ps "
                         "is a width of 0.66 GeV; 1/s is 1e-12 /ps)")
    return value


def check_frequencies(name: str, values, *, unit: str = "rad/ps") -> np.ndarray:
    """``values`` (an array already checked finite) after checking every |value| <= :data:`MAX_RATE`.

    Raises
    ------
    ValueError
        Naming ``name``, the largest |value| and the allowed range.
    """
    arr = np.asarray(values)
    largest = max(float(arr.max()), -float(arr.min())) if arr.size else 0.0    # no |arr| copy of a large matrix
    if largest > MAX_RATE:
        raise ValueError(f"{name} must lie within +-{MAX_RATE:g} {unit}, got a value of magnitude {largest:.3g}: "
                         f"the unit is {unit} (1 meV = 1.519 rad/ps; 1e12 rad/ps is 0.66 GeV)")
    return values


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


def is_uniform(times, rtol: float = UNIFORM_RTOL, *, step: float | None = None) -> bool:
    """Whether ``times`` are equally spaced: the one decision behind every uniform-grid fast path and check.

    Parameters
    ----------
    times : array_like
        Increasing times (ps), or any 1-D grid (delays, energies).
    rtol : float
        Relative tolerance (default :data:`UNIFORM_RTOL` = 1e-9): every step may differ from the reference
        step h by at most ``rtol * h``. Round-off of times written with 12 significant digits passes; a
        grid that is only piecewise uniform does not.
    step : float, optional
        The reference step h (same unit as ``times``); by default the mean step
        (times[-1] - times[0]) / (len(times) - 1), so a grid accepted here ends where t0 + k h ends.

    Returns
    -------
    bool
        False for fewer than two times, a non-positive reference step or any step off by more than
        ``rtol * h`` plus the round-off of the times themselves (4 ulp of the largest |t|: a
        ``np.linspace`` of 2e7 points has steps off by ~2e-9 h from rounding alone); True otherwise.

    Raises
    ------
    ValueError
        If ``times`` is not one-dimensional or ``rtol`` is not in (0, 1).
    """
    rtol = check_tolerance("rtol", rtol)
    t = np.asarray(times, dtype=np.float64)
    if t.ndim != 1:
        raise ValueError(f"times must be 1-D, got shape {t.shape}")
    if t.size < 2:
        return False
    h = (float(t[-1]) - float(t[0])) / (t.size - 1) if step is None else float(step)
    if not np.isfinite(h) or h <= 0.0:
        return False
    rounding = 4.0 * np.finfo(np.float64).eps * max(abs(float(t[0])), abs(float(t[-1])))
    return bool(np.max(np.abs(np.diff(t) - h)) <= rtol * h + rounding)
