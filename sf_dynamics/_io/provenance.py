"""The provenance every output carries (package version, date, the run's fields) and values files can store."""

from __future__ import annotations

import datetime
import platform

__all__ = ["jsonable", "flat_attrs", "provenance", "draw_seed"]


def jsonable(value):
    """A JSON- and netCDF-attribute-friendly version of ``value`` (numbers, strings, lists, dicts)."""
    import numpy as np

    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return value.tolist() if value.size <= 64 else f"<array shape {value.shape}>"
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    return repr(value)


def flat_attrs(fields, prefix: str = "") -> dict:
    """Dataset attributes that netCDF can store: numbers and strings as they are, the rest (bools, None,
    lists, dicts) as JSON text; keys prefixed with ``prefix``."""
    import json

    out = {}
    for key, value in fields.items():
        value = jsonable(value)
        out[f"{prefix}{key}"] = value if isinstance(value, (int, float, str)) and not isinstance(value, bool) else (
            json.dumps(value))
    return out


def provenance(**fields) -> dict:
    """Package version, UTC date, Python/NumPy versions and the given fields (method, options, seed, ...)."""
    import numpy as np

    from .._version import __version__

    out = {
        "sf_dynamics_version": __version__,
        "created_utc": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "numpy": np.__version__,
    }
    out.update({k: jsonable(v) for k, v in fields.items()})
    return out


def draw_seed(seed=None) -> int:
    """``seed`` if given, else a fresh seed drawn from the operating system's entropy, in [0, 2**32).

    Record what this returns: a run started without a seed is reproduced by passing it back.
    """
    if seed is not None:
        return seed
    import numpy as np

    return int(np.random.SeedSequence().entropy % 2**32)
