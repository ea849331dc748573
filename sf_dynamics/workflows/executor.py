"""Run independent points (a parameter sweep) on an executor without losing finished work.

:func:`execute` evaluates a module-level function on a list of points: in this
process (``executor="serial"``), on local processes (the default, one per
core), on any :class:`concurrent.futures.Executor`, or on a Dask cluster
(a ``dask.distributed.Client`` or a scheduler address such as
``"tcp://10.0.0.5:8786"``). It guarantees:

* **no finished point is lost**: with a :class:`PointStore`, every point is
  written to its own file (atomically) as soon as it finishes;
* **failures are recorded, not fatal**: a point that raises is recorded with
  its label (e.g. "T = 40 K") and error, and the others go on; a worker
  process that dies (segmentation fault, ``os._exit``) takes only its point:
  the remaining points are rerun one at a time in fresh processes, so the
  point that kills its worker is identified and marked failed;
* **resume**: a rerun with the same store computes only the points that are
  missing or failed (points are matched by a hash of their parameters);
* **Ctrl-C**: pending points are cancelled at once, running worker processes
  are terminated (a Dask cluster's tasks cancelled), and
  :class:`SweepInterrupted` (a KeyboardInterrupt) carries the partial
  :class:`SweepRun`; everything finished before is in the store. A point is
  whole or not computed: a sampling method interrupted inside a point does not
  return its finished part there;
* **no process left behind**: local workers end with the main process, also
  when it is killed (SIGKILL); SIGTERM terminates them and raises
  ``SystemExit(143)``;
* **corrupt point files** (a truncated or empty ``point-*.npz``, e.g. from a
  full disk or a copy cut short) are named in a :class:`CorruptPointWarning`,
  renamed ``*.npz.corrupt`` and computed again.

In the serial mode a point that kills the process kills the sweep (there is
no separate worker); finished points are still in the store.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .._executors import (
    check_executor,
    is_dask_client,
    spawn_pool,
    terminate_on_sigterm,
    terminate_pool,
    whole_tasks,
)
from .._io import clean_stale_partials

__all__ = ["execute", "PointStore", "SweepRun", "PointFailure", "SweepInterrupted", "SweepError", "point_key",
           "CorruptPointWarning"]


class CorruptPointWarning(RuntimeWarning):
    """A stored point could not be read (truncated, empty or damaged file): renamed ``*.corrupt``, computed again."""


@dataclass
class PointFailure:
    """A point that did not finish: its index, label and what happened."""

    index: int
    label: str
    error: str

    def __str__(self) -> str:
        return f"{self.label}: {self.error}"


@dataclass
class SweepRun:
    """Outcome of :func:`execute`.

    Attributes
    ----------
    values : list
        The function's value for every point (None where it did not finish).
    status : list of str
        Per point: "computed", "resumed" (read from the store), "failed" or "missing" (not run: interrupted).
    failures : list of PointFailure
    interrupted : bool
        True when Ctrl-C stopped the run.
    store : str or None
        Folder of the point files.
    """

    values: list
    status: list
    failures: list = field(default_factory=list)
    interrupted: bool = False
    store: str | None = None

    @property
    def complete(self) -> bool:
        """True when every point has a value."""
        return all(s in ("computed", "resumed") for s in self.status)

    def summary(self) -> str:
        """One line: how many points were computed, resumed, failed or are missing, and why."""
        counts = {name: self.status.count(name) for name in ("computed", "resumed", "failed", "missing")}
        text = f"{len(self.status)} points: " + ", ".join(f"{v} {k}" for k, v in counts.items() if v)
        if self.store:
            text += f" (stored in {self.store})"
        if self.failures:
            text += "; failed: " + "; ".join(str(f) for f in self.failures[:3])
            if len(self.failures) > 3:
                text += f"; ... ({len(self.failures)} in all)"
        if self.interrupted:
            text += "; interrupted"
        return text


class SweepInterrupted(KeyboardInterrupt):
    """Ctrl-C during :func:`execute`; ``.run`` holds the partial :class:`SweepRun`."""

    def __init__(self, run):
        super().__init__(run.summary())
        self.run = run


class SweepError(RuntimeError):
    """Raised (after saving) when points failed and the caller asked for strictness; ``.run`` holds the outcome."""

    def __init__(self, run):
        super().__init__(run.summary())
        self.run = run


def _canonical(value):
    """A JSON-able, deterministic description of a point (for its hash)."""
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in sorted(value.items(), key=lambda item: str(item[0]))}
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    if isinstance(value, np.ndarray):
        return {"array": hashlib.sha256(np.ascontiguousarray(value).tobytes()).hexdigest(), "shape": value.shape,
                "dtype": str(value.dtype)}
    if isinstance(value, (np.integer, np.floating, np.bool_)):
        return value.item()
    if isinstance(value, float):
        return repr(value)
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if callable(value) and not hasattr(value, "__dict__"):
        return f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', repr(value))}"
    state = getattr(value, "__dict__", None)
    if state is None and hasattr(value, "__slots__"):
        state = {name: getattr(value, name) for name in value.__slots__ if hasattr(value, name)}
    if state is not None:
        return {"type": type(value).__qualname__, "state": _canonical(dict(state))}
    return repr(value)


def point_key(point) -> str:
    """A 16-hex-digit hash of a point's parameters (resume matches points by it)."""
    text = json.dumps(_canonical(point), sort_keys=True, default=repr)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


class PointStore:
    """One file per finished point in a folder: ``point-<index>-<hash>.npz``; failures in ``.error.json``.

    Values are dicts of numbers, strings and arrays (or tuples of them);
    they are written atomically (temporary file, then rename).
    """

    def __init__(self, folder):
        self.folder = Path(folder)
        if self.folder.exists() and not self.folder.is_dir():
            raise ValueError(f"store: {str(self.folder)!r} is a file, not a folder")
        self.folder.mkdir(parents=True, exist_ok=True)
        clean_stale_partials(self.folder, prefix="point-")    # temporaries of point files a killed run left

    def _path(self, index, key, suffix):
        return self.folder / f"point-{index:05d}-{key}{suffix}"

    def load(self, index, key):
        """The stored value of a point, or None (also for an unreadable file, moved aside with a warning).

        A file that cannot be read as a stored point (truncated, empty, damaged) is renamed
        ``<name>.corrupt`` and named in a :class:`CorruptPointWarning`; the point is then computed again.

        Raises
        ------
        OSError
            When an unreadable point file cannot be moved aside (the message names it).
        """
        path = self._path(index, key, ".npz")
        if not path.exists():
            return None
        try:
            with np.load(path, allow_pickle=False) as data:
                items = {name: data[name] for name in data.files}
            kind = str(items.pop("__kind__"))
            values = {name: (arr.item() if arr.ndim == 0 else arr) for name, arr in items.items()}
            if kind == "tuple":
                return tuple(values[f"item{i}"] for i in range(len(values)))
            if kind != "dict":
                raise ValueError(f"unknown kind {kind!r}")
            return values
        except PermissionError as exc:
            raise PermissionError(f"store: cannot read the point file {str(path)!r}: {exc}") from exc
        except Exception as exc:  # noqa: BLE001 - any unreadable file: BadZipFile, EOFError, ValueError, KeyError
            return self._set_aside(path, exc)

    def _set_aside(self, path, exc):
        """Rename an unreadable point file ``*.corrupt`` with a warning naming it; returns None."""
        from .._warnings import warn_caller

        aside = path.with_name(path.name + ".corrupt")
        try:
            os.replace(path, aside)
        except OSError as move:
            raise OSError(f"store: the point file {str(path)!r} is unreadable ({_describe(exc)}) and cannot be "
                          f"moved aside ({move}); delete it to compute the point again") from exc
        warn_caller(f"store: the point file {str(path)!r} is unreadable ({_describe(exc)}); moved to "
                    f"{aside.name!r}, the point is computed again", CorruptPointWarning)
        return None

    def save(self, index, key, value):
        """Write a point's value (dict or tuple) atomically; removes an earlier failure record."""
        if isinstance(value, dict):
            arrays, kind = {str(k): np.asarray(v) for k, v in value.items()}, "dict"
        elif isinstance(value, (tuple, list)):
            arrays, kind = {f"item{i}": np.asarray(v) for i, v in enumerate(value)}, "tuple"
        else:
            arrays, kind = {"item0": np.asarray(value)}, "tuple"
        for name, arr in arrays.items():
            if arr.dtype == object:
                raise ValueError(f"store: entry {name!r} of point {index} is not a number, string or array")
        path = self._path(index, key, ".npz")
        tmp = path.with_name(path.name + f".{os.getpid()}.partial")
        try:
            with open(tmp, "wb") as fh:
                np.savez(fh, __kind__=np.asarray(kind), **arrays)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        with contextlib.suppress(FileNotFoundError):
            self._path(index, key, ".error.json").unlink()

    def save_failure(self, index, key, label, error, point=None):
        """Record why a point failed (its label, error text and parameters)."""
        record = {"index": index, "label": label, "error": error, "parameters": _canonical(point)}
        path = self._path(index, key, ".error.json")
        path.write_text(json.dumps(record, indent=1, default=repr), encoding="utf-8")

    def failures(self):
        """The failure records in the folder."""
        return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(self.folder.glob("*.error.json"))]


def _describe(exc) -> str:
    return f"{type(exc).__name__}: {exc}"


def _run_local_processes(function, points, todo, finish, fail):
    with terminate_on_sigterm():
        _run_pool(function, points, todo, finish, fail)


def _run_pool(function, points, todo, finish, fail):
    pending = list(todo)
    workers = min(len(pending), os.cpu_count() or 1)
    pool = spawn_pool(workers)
    broken = False
    try:
        futures = {pool.submit(function, points[i]): i for i in pending}
        for fut in cf.as_completed(futures):
            i = futures[fut]
            try:
                value = fut.result()
            except cf.process.BrokenProcessPool:
                broken = True
                break
            except Exception as exc:  # noqa: BLE001 - a failing point is recorded, not fatal
                fail(i, _describe(exc))
            else:
                finish(i, value)
            pending.remove(i)
    except BaseException:
        terminate_pool(pool)
        raise
    if broken:
        terminate_pool(pool)
        # a worker died: rerun each unfinished point alone, so the one that kills its worker is found
        for i in list(pending):
            single = spawn_pool(1)
            try:
                value = single.submit(function, points[i]).result()
            except cf.process.BrokenProcessPool:
                fail(i, "the worker process died while computing this point")
            except Exception as exc:  # noqa: BLE001
                fail(i, _describe(exc))
            else:
                finish(i, value)
            finally:
                terminate_pool(single)
    else:
        pool.shutdown(wait=True)


def _run_executor(pool, function, points, todo, finish, fail):
    futures = {pool.submit(function, points[i]): i for i in todo}
    try:
        for fut in cf.as_completed(futures):
            i = futures[fut]
            try:
                value = fut.result()
            except Exception as exc:  # noqa: BLE001
                fail(i, _describe(exc))
            else:
                finish(i, value)
    except BaseException:
        for fut in futures:
            fut.cancel()
        raise


def _run_dask(client, function, points, todo, finish, fail):
    from dask.distributed import KilledWorker, as_completed

    futures = client.map(function, [points[i] for i in todo], pure=False)
    index = {fut.key: i for fut, i in zip(futures, todo)}
    killed = []
    try:
        for fut in as_completed(futures):
            i = index[fut.key]
            try:
                value = fut.result()
            except KilledWorker:
                killed.append(i)
            except Exception as exc:  # noqa: BLE001
                fail(i, _describe(exc))
            else:
                finish(i, value)
    except BaseException:
        client.cancel(futures)
        raise
    # A dying worker takes every task it was processing with it, and the scheduler gives up on a task after
    # a few such deaths even when another task killed the worker. Each of those points is run again alone:
    # only a point that kills its worker by itself fails.
    for i in killed:
        single = client.submit(function, points[i], pure=False)
        try:
            value = single.result()
        except Exception as exc:  # noqa: BLE001 - includes KilledWorker
            fail(i, _describe(exc) if not isinstance(exc, KilledWorker) else
                 "the worker process died while computing this point (Dask KilledWorker)")
        else:
            finish(i, value)


def execute(function, points, *, executor=None, progress=None, desc="sweep", labels=None, store=None):
    """Evaluate ``function(point)`` for every point, keeping every finished value.

    Parameters
    ----------
    function : callable
        A module-level (picklable) function of one argument.
    points : sequence
        The sweep points (picklable).
    executor : None, "serial", "processes", concurrent.futures.Executor, dask Client or str
        None or "processes": local processes (one per core); "serial": this
        process; an Executor: used as is; a Dask Client, or a scheduler
        address string: the Dask cluster.
    progress : bool or None
        Progress reporting (None: on an interactive terminal).
    desc : str
        Label of the progress bar.
    labels : sequence of str, optional
        How each point is named in failure messages (default "point i").
    store : PointStore, str or Path, optional
        Folder where each finished point is written at once; points already
        there are read instead of computed (resume).

    Returns
    -------
    SweepRun

    Raises
    ------
    SweepInterrupted
        On Ctrl-C, after cancelling pending points and ending running workers;
        ``.run`` holds what finished.
    ValueError
        For an unknown executor.
    """
    from .._progress import progress_bar

    points = list(points)
    count = len(points)
    labels = [f"point {i}" for i in range(count)] if labels is None else [str(label) for label in labels]
    if len(labels) != count:
        raise ValueError(f"labels must have one entry per point ({count}), got {len(labels)}")
    if store is not None and not isinstance(store, PointStore):
        store = PointStore(store)
    run = SweepRun(values=[None] * count, status=["missing"] * count, store=str(store.folder) if store else None)
    keys = [point_key(p) for p in points] if store is not None else [None] * count
    todo = []
    for i in range(count):
        value = store.load(i, keys[i]) if store is not None else None
        if value is not None:
            run.values[i], run.status[i] = value, "resumed"
        else:
            todo.append(i)
    check_executor(executor)
    client = None
    if isinstance(executor, str) and executor not in ("serial", "processes"):
        from dask.distributed import Client

        client = Client(executor)
        executor = client
    try:
        with progress_bar(progress, total=count, size=10**9, desc=desc, unit="point") as bar:
            bar.update(count - len(todo))

            def finish(i, value):
                if store is not None:
                    store.save(i, keys[i], value)
                run.values[i], run.status[i] = value, "computed"
                bar.update(1)

            def fail(i, message):
                run.failures.append(PointFailure(i, labels[i], message))
                run.status[i] = "failed"
                if store is not None:
                    store.save_failure(i, keys[i], labels[i], message, points[i])
                bar.update(1)

            try:
                if not todo:
                    pass
                elif executor == "serial" or (len(todo) == 1 and executor in (None, "processes")):
                    with whole_tasks():   # Ctrl-C inside a point ends the sweep; the point is not stored
                        for i in todo:
                            try:
                                value = function(points[i])
                            except Exception as exc:  # noqa: BLE001
                                fail(i, _describe(exc))
                            else:
                                finish(i, value)
                elif is_dask_client(executor):
                    _run_dask(executor, function, points, todo, finish, fail)
                elif executor is None or executor == "processes":
                    _run_local_processes(function, points, todo, finish, fail)
                else:
                    _run_executor(executor, function, points, todo, finish, fail)
            except KeyboardInterrupt:
                run.interrupted = True
                raise SweepInterrupted(run) from None
    finally:
        if client is not None:
            client.close()
    run.failures.sort(key=lambda f: f.index)
    return run
