"""Files that are never half-written, output folders whose files are replaced together, and provenance.

Single files. :func:`atomic_path` yields a temporary path beside the target
(``.<name>.<pid>.partial``); the target appears (``os.replace``, atomic on
one file system) only after the writer finished without error, so a full
disk or an interrupted run leaves either the old file or none, never a
truncated one. A failed write raises :class:`OSError` naming the target and
leaves no temporary behind. Existing files are refused unless
``overwrite=True``.

netCDF. :func:`write_netcdf` serialises the dataset in memory and writes the
bytes with plain file I/O, so a full disk is an ordinary :class:`OSError`.
(Written straight to disk through HDF5, it crashed: HDF5 writes while it
closes a file, and when that write fails the library keeps a file identifier
it can no longer close; the next touch of it, the garbage collection of the
failed store, is a segmentation fault. h5py/h5py#914 and #2160 describe it;
the netCDF4 library goes through the same HDF5 close.)

Folders. :func:`output_folder` is the folder of one run: it creates the
folder and locks it (:func:`folder_lock`, which is also the check that it
can be written, before any computation), recovers or removes what a killed
run left there, refuses files of an earlier run unless ``overwrite``, and
collects every file the run writes into it as a finished temporary. Only
when the run ends without error are they renamed into place, together: a
journal listing the renames is written first, so a run killed during the
renames is completed by the next run in the folder, and a run that fails or
is killed earlier leaves the earlier set untouched. A second run on a locked
folder is refused at once (:class:`FolderInUseError`, naming the folder and
the process holding it).
"""

from __future__ import annotations

import contextlib
import datetime
import errno
import json
import os
import platform
import re
import signal
import sys
import threading
from pathlib import Path

try:    # POSIX record locks; without them (Windows) folders are not locked
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None

__all__ = ["atomic_path", "check_writable", "provenance", "jsonable", "flat_attrs", "write_text", "save_figure",
           "save_dataset", "write_netcdf", "draw_seed", "folder_lock", "output_folder", "OutputFolder",
           "FolderInUseError", "clean_stale_partials", "LOCK_NAME"]

#: the lock file of a folder in use (removed when its run ends; the lock itself dies with the process)
LOCK_NAME = ".sf_dynamics.lock"
_JOURNAL = ".sf_dynamics.commit.{pid}.json"
_JOURNAL_PATTERN = re.compile(r"^\.sf_dynamics\.commit\.(\d+)\.json$")
_PARTIAL_PATTERN = re.compile(r"^\..+\.(\d+)\.partial$")
_FULL_DISK = (errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC))

_GUARD = threading.RLock()
_LOCKS = {}      # resolved folder -> [file descriptor, count, pid]
_RUNS = {}       # resolved folder -> OutputFolder of this process


class FolderInUseError(BlockingIOError):
    """Another process holds the lock of the output folder."""


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


def _os_error(code, message, cls=None) -> OSError:
    """An OSError (the subclass of its errno: PermissionError, ...) whose text is ``message`` alone."""
    cls = cls or (type(OSError(code, "")) if code is not None else OSError)
    err = cls(message)
    err.errno = code
    return err


def _write_error(path, exc, parameter) -> OSError:
    """The OSError of a failed write: the target named, the reason, and what was left (nothing)."""
    reason = exc.strerror or str(exc)
    if exc.errno in _FULL_DISK:
        reason += " (the disk is full or a file-size limit was reached)"
    return _os_error(exc.errno, f"{parameter}: could not write {str(path)!r}: {reason}; nothing was written "
                                "there (an earlier file of that name is unchanged)")


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:         # exists, owned by someone else
        return True
    return True


def clean_stale_partials(folder, prefix: str = "") -> list:
    """Remove the temporaries (``.<name>.<pid>.partial``) that killed processes left in ``folder``.

    Only temporaries whose process is gone are removed (a running writer's are kept).

    Parameters
    ----------
    folder : str or Path
    prefix : str
        Only names starting with it (``".trace.csv."`` for the temporaries of one file).

    Returns
    -------
    list of str
        The names removed.
    """
    removed = []
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return removed
    for entry in entries:
        match = _PARTIAL_PATTERN.match(entry.name)
        if match and entry.name.startswith(prefix) and not _pid_alive(int(match.group(1))):
            with contextlib.suppress(FileNotFoundError, IsADirectoryError):
                os.unlink(entry.path)
                removed.append(entry.name)
    return removed


def _active_run(folder):
    """The OutputFolder of this process collecting the files of ``folder``, if any."""
    if not _RUNS:
        return None
    run = _RUNS.get(str(Path(folder).resolve()))
    return run if run is not None and run.pid == os.getpid() else None


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


def draw_seed(seed=None) -> int:
    """``seed`` if given, else a fresh seed drawn from the operating system's entropy, in [0, 2**32).

    Record what this returns: a run started without a seed is reproduced by passing it back.
    """
    if seed is not None:
        return seed
    import numpy as np

    return int(np.random.SeedSequence().entropy % 2**32)


# -- folders: a lock per output folder, the files of one run replaced together ---------------------------------
def _folder(path, parameter) -> Path:
    """``path`` as an existing folder (created with its parents), or a clear error naming ``parameter``."""
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"{parameter}: {str(folder)!r} is a file, not a folder")
    for parent in folder.parents:
        if parent.exists():
            if not parent.is_dir():
                raise ValueError(f"{parameter}: {str(parent)!r} is a file, so the folder {str(folder)!r} cannot be "
                                 "created")
            break
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _os_error(exc.errno, f"{parameter}: cannot create the folder {str(folder)!r}: {exc.strerror}") from None
    return folder


def _holder(fd) -> str:
    """Who holds a lock, from the lock file's record."""
    try:
        record = json.loads(os.pread(fd, 4096, 0).decode("utf-8") or "{}")
    except (OSError, ValueError):
        record = {}
    if "pid" not in record:
        return "a process that is starting"
    return f"pid {record['pid']}, since {record.get('since', '?')}: {record.get('command', '?')}"


def _acquire(folder, parameter) -> int:
    lock = folder / LOCK_NAME
    for _ in range(10):
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise _os_error(exc.errno, f"{parameter}: cannot write into the folder {str(folder)!r}: "
                                     f"{exc.strerror}") from None
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            holder = _holder(fd)
            os.close(fd)
            if exc.errno in (errno.EACCES, errno.EAGAIN):
                message = (f"{parameter}: the folder {str(folder)!r} is in use by another sf_dynamics run "
                           f"({holder}); wait for it to end or choose another folder")
                raise _os_error(errno.EBUSY, message, FolderInUseError) from None
            raise _os_error(exc.errno, f"{parameter}: cannot lock the folder {str(folder)!r}: {exc.strerror}") from None
        try:        # the previous holder may have removed the file after we opened it: hold the one at the path
            current = os.path.samestat(os.fstat(fd), os.stat(lock))
        except FileNotFoundError:
            current = False
        if current:
            break
        os.close(fd)
    else:  # pragma: no cover
        raise _os_error(errno.EBUSY, f"{parameter}: cannot lock the folder {str(folder)!r} (its lock file keeps "
                                   "changing)")
    record = {"pid": os.getpid(), "since": datetime.datetime.now().isoformat(timespec="seconds"),
              "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]])[:300] if sys.argv else "python"}
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(record).encode("utf-8"), 0)
    except OSError as exc:
        _release(folder, fd)
        raise _os_error(exc.errno, f"{parameter}: cannot write into the folder {str(folder)!r}: "
                                 f"{exc.strerror}") from None
    return fd


def _release(folder, fd):
    with contextlib.suppress(OSError):      # removed while still held: a waiting opener sees it replaced
        os.unlink(folder / LOCK_NAME)
    os.close(fd)


@contextlib.contextmanager
def folder_lock(path, *, parameter: str = "out"):
    """Hold the exclusive lock of the folder ``path`` (created if needed) while the block runs.

    The lock is a POSIX record lock on ``<path>/.sf_dynamics.lock``, which
    holds the pid, start time and command of its holder. The operating system
    releases it when the process ends however it ends (a killed run never
    blocks the next), and worker processes do not inherit it. Taking it is
    also the check that the folder can be written. Re-entrant within one
    process.

    Yields
    ------
    Path
        The folder.

    Raises
    ------
    FolderInUseError
        If another process holds the lock (the message names the folder and that process).
    ValueError
        If ``path`` or one of its parents is a file.
    OSError
        If the folder cannot be created or written (the message names ``parameter``).
    """
    folder = _folder(path, parameter)
    if fcntl is None:  # pragma: no cover
        yield folder
        return
    key = str(folder.resolve())
    with _GUARD:
        held = _LOCKS.get(key)
        if held is not None and held[2] == os.getpid():
            held[1] += 1
        else:
            _LOCKS[key] = held = [_acquire(folder, parameter), 1, os.getpid()]
    try:
        yield folder
    finally:
        with _GUARD:
            held[1] -= 1
            if held[1] == 0:
                _LOCKS.pop(key, None)
                _release(folder, held[0])


def _fsync_folder(folder):
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _apply_journal(folder, record):
    """Carry out a commit record: rename each finished temporary into place, remove the files no longer in the
    set (idempotent: a record applied twice gives the same folder)."""
    for ready, name in record["rename"]:
        with contextlib.suppress(FileNotFoundError):
            os.replace(folder / ready, folder / name)
    for name in record["remove"]:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(folder / name)
    _fsync_folder(folder)


def _recover(folder) -> list:
    """Complete the commits of runs killed during their renames, then remove stale temporaries (under the lock)."""
    done = []
    for entry in list(os.scandir(folder)):
        match = _JOURNAL_PATTERN.match(entry.name)
        if match and int(match.group(1)) != os.getpid():
            try:
                record = json.loads(Path(entry.path).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                record = None
            if record is not None:
                _apply_journal(folder, record)
                done.extend(name for _, name in record["rename"])
            with contextlib.suppress(FileNotFoundError):
                os.unlink(entry.path)
    clean_stale_partials(folder)
    return done


@contextlib.contextmanager
def _signals_deferred():
    """Hold back Ctrl-C and termination signals while a set of files is renamed into place."""
    blocked = {getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)}
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, blocked)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


class OutputFolder:
    """The output folder of one run (see :func:`output_folder`).

    Attributes
    ----------
    path : Path
        The folder.
    names : tuple of str
        The files a run of this kind writes there.
    overwrite : bool
        Whether an earlier run's files may be replaced.
    recovered : list of str
        Files a killed earlier run had finished and this run put into place on entry.
    """

    def __init__(self, path, names, overwrite, parameter):
        self.path = Path(path)
        self.names = tuple(names)
        self.overwrite = bool(overwrite)
        self.parameter = parameter
        self.pid = os.getpid()
        self.recovered = []
        self._pending = {}      # target name -> finished temporary (Path)

    def __truediv__(self, name) -> Path:
        return self.path / name

    def __fspath__(self) -> str:
        return os.fspath(self.path)

    @property
    def written(self) -> list:
        """Names of the files this run has written so far (renamed into place when it ends)."""
        return list(self._pending)

    def check(self, names=None, overwrite=None):
        """Refuse the run if the folder holds one of ``names`` (default: :attr:`names`) and not ``overwrite``."""
        overwrite = self.overwrite if overwrite is None else overwrite
        present = [n for n in (self.names if names is None else names)
                   if (self.path / n).exists() and n not in self._pending]
        if present and not overwrite:
            flag = "--overwrite" if self.parameter.startswith("--") else "overwrite=True"
            raise FileExistsError(f"{self.parameter}: {str(self.path)!r} already holds {', '.join(present[:3])}"
                                  f"{' ...' if len(present) > 3 else ''} (files of an earlier run); pass {flag} to "
                                  "replace them")

    def _defer(self, tmp, target):
        ready = target.with_name(f".{target.name}.ready.{self.pid}.partial")
        os.replace(tmp, ready)
        self._pending[target.name] = ready

    def _discard(self):
        for ready in self._pending.values():
            with contextlib.suppress(FileNotFoundError):
                ready.unlink()
        self._pending.clear()

    def _commit(self):
        names = set(self._pending)
        stale = [n for n in self.names if n not in names and (self.path / n).exists()] if self.overwrite else []
        if not self._pending and not stale:
            return
        record = {"pid": self.pid, "rename": [[ready.name, name] for name, ready in self._pending.items()],
                  "remove": stale}
        journal = self.path / _JOURNAL.format(pid=self.pid)
        tmp = journal.with_name(f"{journal.name}.{self.pid}.partial")
        try:
            with open(tmp, "w", encoding="utf-8") as fh:
                json.dump(record, fh)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, journal)
        except OSError as exc:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
            raise _write_error(journal, exc, self.parameter) from exc
        _fsync_folder(self.path)
        with _signals_deferred():       # from here on the set is committed: complete it before any Ctrl-C acts
            _apply_journal(self.path, record)
            self._pending.clear()
            with contextlib.suppress(FileNotFoundError):
                journal.unlink()


@contextlib.contextmanager
def _together(folder, names=(), *, overwrite=False, parameter="path"):
    """Files written into ``folder`` inside the block are renamed into place together at its end (or all
    discarded on an exception); joins the run of an enclosing :func:`output_folder`."""
    outer = _active_run(folder)
    if outer is not None:
        yield outer
        return
    key = str(Path(folder).resolve())
    run = OutputFolder(folder, names, overwrite, parameter)
    with _GUARD:
        _RUNS[key] = run
    try:
        try:
            yield run
        except BaseException:
            run._discard()
            raise
        run._commit()
    finally:
        with _GUARD:
            if _RUNS.get(key) is run:
                del _RUNS[key]
        run._discard()


@contextlib.contextmanager
def output_folder(path, names=(), *, overwrite: bool = False, parameter: str = "out"):
    """The output folder of one run: checked and locked before any computation, its files replaced together.

    On entry: the folder is created (with its parents) and locked
    (:func:`folder_lock`: a second run on it is refused at once; taking the
    lock is also the check that it can be written); the renames of a run
    killed while committing are completed and temporaries of killed runs
    removed; then, unless ``overwrite``, a folder holding one of ``names`` is
    refused. Inside the block every file written into the folder through
    :func:`atomic_path` (and so :func:`write_text`, :func:`save_figure`,
    :func:`save_dataset`, :func:`write_netcdf`, ``Result.save``/``to_csv``)
    waits as a finished temporary. On a normal exit they are renamed into
    place together (and, with ``overwrite``, files of ``names`` that this run
    did not write are removed, so the folder holds one run's set): a journal
    of the renames is written first, so a run killed during them is completed
    by the next run in the folder. On an exception (an error, Ctrl-C) the
    temporaries are removed and the earlier files stay as they were; a folder
    this call created is removed again if it is left empty.

    A nested call on the same folder in the same process joins the outer run.

    Parameters
    ----------
    path : str or Path
        The folder.
    names : sequence of str
        The files a run writes there (refused when present and not ``overwrite``).
    overwrite : bool
        Replace the files of an earlier run.
    parameter : str
        The option or argument that named the folder (``--out``), quoted in every refusal.

    Yields
    ------
    OutputFolder
        ``folder / "name"`` is the path to write; ``folder.written`` the names written so far.

    Raises
    ------
    FolderInUseError
        If another run holds the folder.
    FileExistsError
        If the folder holds one of ``names`` and ``overwrite`` is False.
    ValueError, OSError
        If the folder cannot be created or written (naming ``parameter``).
    """
    existed = Path(path).is_dir()
    try:
        with folder_lock(path, parameter=parameter) as folder:
            outer = _active_run(folder)
            if outer is not None:
                outer.check(names, overwrite)
                yield outer
                return
            recovered = _recover(folder)
            with _together(folder, names, overwrite=overwrite, parameter=parameter) as run:
                run.recovered = recovered
                run.check()
                yield run
    finally:
        if not existed:
            with contextlib.suppress(OSError):      # a folder this run created and left empty
                Path(path).rmdir()


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
