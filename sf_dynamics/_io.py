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

__all__ = ["atomic_path", "check_writable", "provenance", "jsonable", "flat_attrs", "write_text", "save_figure",
           "save_dataset"]


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

    from ._version import __version__

    out = {
        "sf_dynamics_version": __version__,
        "created_utc": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "numpy": np.__version__,
    }
    out.update({k: jsonable(v) for k, v in fields.items()})
    return out


def write_text(path, text: str, *, overwrite: bool = False, parameter: str = "path") -> Path:
    """Write a text file atomically (UTF-8)."""
    with atomic_path(path, overwrite=overwrite, parameter=parameter) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def save_figure(fig, path, *, overwrite: bool = False, dpi: int = 130, **fields) -> Path:
    """Save a matplotlib figure atomically (format from the suffix) and close it.

    A PNG carries the provenance (package version, date and ``fields`` such as seed or command) as text
    chunks: ``Software`` and ``Description`` (JSON), readable with PIL's ``Image.open(path).text``.
    """
    import json

    import matplotlib.pyplot as plt

    path = Path(path)
    kind = path.suffix.lstrip(".") or "png"
    meta = None
    if kind == "png":
        info = provenance(**fields)
        meta = {"Software": f"sf_dynamics {info['sf_dynamics_version']}", "Description": json.dumps(info)}
    try:
        with atomic_path(path, overwrite=overwrite) as tmp:
            fig.savefig(tmp, dpi=dpi, format=kind, metadata=meta)
    finally:
        plt.close(fig)
    return path


def save_dataset(dataset, path_stem, *, overwrite: bool = False, **fields):
    """Write ``<stem>.nc`` (netCDF, every variable) and ``<stem>.csv`` (the 1-D variables), atomically.

    Both carry the provenance (package version, date and ``fields`` such as
    method, options, seed): netCDF attributes, and a ``#`` comment line at
    the top of the CSV, which also names the multi-dimensional variables
    that only the netCDF file holds.

    Returns
    -------
    (Path, Path)

    Raises
    ------
    FileExistsError
        If a target exists and ``overwrite`` is False.
    """
    import json

    import numpy as np

    stem = Path(path_stem)
    nc_path = stem.parent / (stem.name + ".nc")
    csv_path = stem.parent / (stem.name + ".csv")
    for target in (nc_path, csv_path):
        check_writable(target, overwrite=overwrite, parameter="path_stem")
    meta = provenance(**fields)
    clean = dataset.copy()
    attrs = {}
    for key, value in {**dataset.attrs, **{f"provenance_{k}": v for k, v in meta.items()}}.items():
        value = jsonable(value)
        if isinstance(value, float) and not np.isfinite(value):
            value = "nan"
        elif isinstance(value, bool) or value is None:
            value = str(value)
        elif isinstance(value, (list, dict)):
            value = json.dumps(value)
        attrs[key] = value
    clean.attrs = attrs
    with atomic_path(nc_path, overwrite=overwrite) as tmp:
        clean.to_netcdf(tmp)
    dim = next(iter(dataset.dims))
    one_d = [name for name, var in dataset.data_vars.items() if var.dims == (dim,)]
    others = {name: list(var.dims) for name, var in dataset.data_vars.items() if var.dims != (dim,)}
    header = {"provenance": meta, "attributes": {k: jsonable(v) for k, v in dataset.attrs.items()}}
    if others:
        header["in_netcdf_only"] = {"file": nc_path.name, "variables": others}
    with atomic_path(csv_path, overwrite=overwrite) as tmp:
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            fh.write("# sf_dynamics dataset: " + json.dumps(header) + "\n")
            dataset[one_d].to_dataframe().to_csv(fh)
    return nc_path, csv_path
