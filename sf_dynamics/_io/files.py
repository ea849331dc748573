"""Single files written atomically: a temporary beside the target, renamed into place after a clean write.

See the package docstring of :mod:`sf_dynamics._io`.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

from .folders import _active_run, _together, _write_error, clean_stale_partials
from .provenance import jsonable, provenance

__all__ = ["check_writable", "atomic_path", "write_netcdf", "write_text", "save_figure", "save_dataset"]


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

    Inside an :func:`output_folder` run on the folder of ``path`` the finished
    file waits for the end of the run and is renamed into place with the run's
    other files. On any exception the temporary file is removed and ``path`` is
    left as it was; an OSError of the writer (disk full, no permission) is
    raised again naming ``path``. Stale temporaries of ``path`` left by killed
    processes are removed first.

    Raises
    ------
    FileExistsError
        If ``path`` exists and ``overwrite`` is False.
    OSError
        If the file could not be written (the message names ``path``).
    """
    path = check_writable(path, overwrite=overwrite, parameter=parameter)
    path.parent.mkdir(parents=True, exist_ok=True)
    clean_stale_partials(path.parent, prefix=f".{path.name}.")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        try:
            yield tmp
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            run = _active_run(path.parent)
            if run is not None:
                run._defer(tmp, path)
            else:
                os.replace(tmp, path)
        except OSError as exc:
            raise _write_error(path, exc, parameter) from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _write_file(path, data, *, overwrite, parameter):
    with atomic_path(path, overwrite=overwrite, parameter=parameter) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(data)
    return Path(path)


def write_netcdf(dataset, path, *, overwrite: bool = False, parameter: str = "path") -> Path:
    """Write an :class:`xarray.Dataset` to a netCDF-4 file atomically; a full disk raises, never crashes.

    The file is built in memory (h5netcdf; HDF5 never touches the disk) and
    written with plain file I/O through :func:`atomic_path`, so a failed write
    is an OSError naming ``path`` and leaves no file (see the module
    docstring for the crash this avoids). The bytes are held in memory once,
    beside the dataset.

    Raises
    ------
    FileExistsError
        If ``path`` exists and ``overwrite`` is False.
    OSError
        If the file could not be written (disk full, no permission), naming ``path``.
    """
    import io

    check_writable(path, overwrite=overwrite, parameter=parameter)
    dask = sys.modules.get("dask")
    # with a Dask client running, xarray would lock the in-memory target through the scheduler, which cannot name it
    local = dask.config.set(scheduler="synchronous") if dask is not None else contextlib.nullcontext()
    buffer = io.BytesIO()
    with local:
        try:
            dataset.to_netcdf(buffer, engine="h5netcdf")
            payload = buffer.getbuffer()
        except (ValueError, TypeError):     # an xarray that cannot write h5netcdf to a file object: netCDF-3 bytes
            payload = dataset.to_netcdf()
    return _write_file(path, payload, overwrite=overwrite, parameter=parameter)


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
    dim = next(iter(dataset.dims))
    one_d = [name for name, var in dataset.data_vars.items() if var.dims == (dim,)]
    others = {name: list(var.dims) for name, var in dataset.data_vars.items() if var.dims != (dim,)}
    header = {"provenance": meta, "attributes": {k: jsonable(v) for k, v in dataset.attrs.items()}}
    if others:
        header["in_netcdf_only"] = {"file": nc_path.name, "variables": others}
    stem.parent.mkdir(parents=True, exist_ok=True)
    with _together(stem.parent, parameter="path_stem"):       # the pair is replaced together or not at all
        write_netcdf(clean, nc_path, overwrite=overwrite, parameter="path_stem")
        with atomic_path(csv_path, overwrite=overwrite, parameter="path_stem") as tmp:
            with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
                fh.write("# sf_dynamics dataset: " + json.dumps(header) + "\n")
                dataset[one_d].to_dataframe().to_csv(fh)
    return nc_path, csv_path
