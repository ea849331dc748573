"""Files that are never half-written, and the provenance every output carries.

:func:`atomic_path` yields a temporary path beside the target; the target
appears (``os.replace``, atomic on one file system) only after the writer
finished without error, so a full disk or an interrupted run leaves either
the old file or none, never a truncated one. Existing files are refused
unless ``overwrite=True``.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import platform
from pathlib import Path

__all__ = ["atomic_path", "check_writable", "provenance", "jsonable"]


def check_writable(path, *, overwrite: bool, parameter: str = "path") -> Path:
    """Return ``path`` as a Path after checking it may be written.

    Raises
    ------
    FileExistsError
        If the file exists and ``overwrite`` is False.
    ValueError
        If ``path`` is a directory or its parent is a file.
    """
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"{parameter}: {str(path)!r} is a directory, expected a file name")
    if path.exists() and not overwrite:
        raise FileExistsError(f"{parameter}: {str(path)!r} exists; pass overwrite=True to replace it")
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise ValueError(f"{parameter}: {str(parent)!r} is a file, so {str(path)!r} cannot be created")
            break
    return path


@contextlib.contextmanager
def atomic_path(path, *, overwrite: bool = False, parameter: str = "path"):
    """Yield a temporary path; on success it replaces ``path`` atomically.

    On any exception the temporary file is removed and ``path`` is left as
    it was.
    """
    path = check_writable(path, overwrite=overwrite, parameter=parameter)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


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


def provenance(**fields) -> dict:
    """Package version, UTC date, Python/NumPy versions and the given fields (method, options, seed, ...)."""
    import numpy as np

    from . import __version__

    out = {
        "sf_dynamics_version": __version__,
        "created_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "numpy": np.__version__,
    }
    out.update({k: jsonable(v) for k, v in fields.items()})
    return out
