"""Where independent tasks run: this process, local processes, any Executor, or a Dask cluster.

One vocabulary for every place that farms out work (the parameter sweeps of
:mod:`sf_dynamics.workflows.executor`, the trajectory batches of the shot
methods ``twa``, ``maxwell_bloch`` and ``jumps``):

* ``None`` or ``"serial"``: in this process;
* ``"processes"``: local worker processes (``spawn`` start method), one per core;
* a :class:`concurrent.futures.Executor`: used as is;
* a ``dask.distributed.Client``, or a scheduler address such as
  ``"tcp://10.0.0.5:8786"`` (a client is opened and closed here): the cluster.

Dask is imported only when a cluster is asked for.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import multiprocessing as mp
import os

__all__ = ["is_dask_client", "spawn_pool", "terminate_pool", "check_executor", "ordered_map"]


def is_dask_client(obj) -> bool:
    """Whether ``obj`` is a ``dask.distributed.Client`` (checked without importing dask)."""
    return type(obj).__name__ == "Client" and hasattr(obj, "map") and hasattr(obj, "gather")


def spawn_pool(workers):
    """A ProcessPoolExecutor of ``workers`` processes started with ``spawn``.

    Forking a process whose numba/OpenMP threads are running can crash the child, hence ``spawn``.
    """
    return cf.ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn"))


def terminate_pool(pool):
    """End a ProcessPoolExecutor now: cancel what is pending and terminate its worker processes."""
    processes = list(getattr(pool, "_processes", {}).values()) if getattr(pool, "_processes", None) else []
    for process in processes:
        with contextlib.suppress(Exception):
            process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)


def check_executor(executor, *, name="executor"):
    """Validate an executor argument; returns it unchanged.

    Raises
    ------
    ValueError
        Naming ``name`` and the accepted kinds.
    """
    if isinstance(executor, str):
        # a scheduler address names its port ("tcp://host:8786", "host:8786"); any other word is a typo
        if executor in ("serial", "processes") or ":" in executor:
            return executor
        raise ValueError(f"{name} must be 'serial', 'processes' or a Dask scheduler address such as "
                         f"'tcp://127.0.0.1:8786', got {executor!r}")
    if executor is None or is_dask_client(executor) or isinstance(executor, cf.Executor):
        return executor
    raise ValueError(f"{name} must be None, 'serial', 'processes', a concurrent.futures.Executor, "
                     f"a dask.distributed.Client or a scheduler address string, got {executor!r}")


@contextlib.contextmanager
def ordered_map(function, tasks, executor=None):
    """Run ``function(task)`` for every task on ``executor``; yields an iterator of the values in task order.

    All tasks are submitted at once (except in this process, where each runs when the iterator reaches
    it). Leaving the block early (an error, Ctrl-C) cancels what has not started; local worker
    processes are terminated.

    Parameters
    ----------
    function : callable
        Module-level (picklable) function of one argument, for any executor but the serial one.
    tasks : sequence
        Picklable arguments.
    executor : see the module docstring

    Raises
    ------
    ValueError
        For an unknown executor.
    """
    check_executor(executor)
    tasks = list(tasks)
    if executor is None or executor == "serial":
        yield (function(task) for task in tasks)
        return
    if isinstance(executor, cf.Executor):
        futures = [executor.submit(function, task) for task in tasks]
        try:
            yield (future.result() for future in futures)
        finally:
            for future in futures:
                future.cancel()
        return
    if executor == "processes":
        pool = spawn_pool(max(1, min(len(tasks), os.cpu_count() or 1)))
        futures = [pool.submit(function, task) for task in tasks]
        finished = False
        try:
            yield (future.result() for future in futures)
            finished = True
        finally:
            if finished and all(future.done() for future in futures):
                pool.shutdown(wait=True)
            else:
                terminate_pool(pool)
        return
    client, own = executor, False
    if isinstance(executor, str):
        from dask.distributed import Client

        client, own = Client(executor), True
    futures = client.map(function, tasks, pure=False)
    try:
        yield (future.result() for future in futures)
    finally:
        client.cancel([future for future in futures if not future.done()])
        if own:
            client.close()
