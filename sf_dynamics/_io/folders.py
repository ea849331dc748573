"""Output folders: a lock per folder, the files of one run renamed into place together, stale temporaries removed.

See the package docstring of :mod:`sf_dynamics._io`. A run (:class:`OutputFolder`) collects the finished
temporaries that :func:`sf_dynamics._io.files.atomic_path` hands it (``.<name>.ready.<pid>.partial``) and, when
it ends without error, writes a journal of the renames (``.sf_dynamics.commit.<pid>.json``), renames, and removes
the journal; :func:`output_folder` completes any journal a killed run left before it starts.
"""

from __future__ import annotations

import contextlib
import datetime
import errno
import json
import os
import re
import signal
import sys
import threading
from pathlib import Path

try:    # POSIX record locks; without them (Windows) folders are not locked
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None

__all__ = ["LOCK_NAME", "FolderInUseError", "OutputFolder", "clean_stale_partials", "folder_lock", "output_folder"]

#: the lock file of a folder in use (removed when its run ends; the lock itself dies with the process)
LOCK_NAME = ".sf_dynamics.lock"
_JOURNAL = ".sf_dynamics.commit.{pid}.json"
_JOURNAL_PATTERN = re.compile(r"^\.sf_dynamics\.commit\.(\d+)\.json$")
_PARTIAL_PATTERN = re.compile(r"^\.?.+\.(\d+)\.partial$")   # hidden file temporaries, and point files
_FULL_DISK = (errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC))
_NO_LOCKS = (errno.ENOLCK, errno.EOPNOTSUPP, getattr(errno, "ENOTSUP", errno.EOPNOTSUPP))

_GUARD = threading.RLock()
_LOCKS = {}      # resolved folder -> [file descriptor, count, pid]
_RUNS = {}       # resolved folder -> OutputFolder of this process


class FolderInUseError(BlockingIOError):
    """Another process holds the lock of the output folder."""


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
    """Remove the temporaries (``.<name>.<pid>.partial``, ``point-*.npz.<pid>.partial``) that killed processes left.

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
            if exc.errno in _NO_LOCKS:      # a file system without record locks: run unlocked, and say so
                import warnings

                warnings.warn(f"{parameter}: the file system of {str(folder)!r} has no file locks; a second run "
                              "on this folder would not be refused", RuntimeWarning, stacklevel=4)
                return fd
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
        replaces = self.overwrite and bool(names)       # a run that wrote nothing replaces nothing
        stale = [n for n in self.names if n not in names and (self.path / n).exists()] if replaces else []
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
        # from here on the set is committed: its temporaries belong to the journal (if a rename fails, the next
        # run in the folder completes it), and Ctrl-C waits until the renames are done
        self._pending = {}
        with _signals_deferred():
            _apply_journal(self.path, record)
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


