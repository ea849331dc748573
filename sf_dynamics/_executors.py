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

How runs stop:

* local worker processes end with the process that started them: on Linux the
  kernel kills them when it dies (``PR_SET_PDEATHSIG``), elsewhere (and as a
  fallback) a daemon thread in each worker notices the change of its parent
  process id within :data:`PARENT_POLL_S` seconds; they ignore Ctrl-C, which
  their parent handles (it terminates them, keeping what they finished);
  while a pool runs, SIGTERM of the main process raises
  ``SystemExit(143)`` in it, so the pool is terminated on the way out
  (:func:`terminate_on_sigterm`);
* work done in blocks in this process (trajectory blocks) keeps the block in
  progress on Ctrl-C: inside :func:`deferred_interrupt` a first Ctrl-C is only
  noted (:func:`interrupt_pending`), the running block finishes and the run
  returns what is finished; a second Ctrl-C raises at once;
* inside :func:`whole_tasks` (a sweep's points run in this process) Ctrl-C is
  never deferred and no partial result is returned: a point is either whole or
  not computed.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import contextvars
import multiprocessing as mp
import os
import signal
import sys
import threading
import time

__all__ = ["is_dask_client", "spawn_pool", "terminate_pool", "check_executor", "ordered_map", "PARENT_POLL_S",
           "terminate_on_sigterm", "deferred_interrupt", "interrupt_pending", "whole_tasks", "partial_allowed"]

#: seconds between a worker's checks that the process which started it is still alive
PARENT_POLL_S = 0.5
#: seconds terminate_pool waits for each terminated worker to be gone
TERMINATE_WAIT_S = 5.0
_PR_SET_PDEATHSIG = 1


def is_dask_client(obj) -> bool:
    """Whether ``obj`` is a ``dask.distributed.Client`` (checked without importing dask)."""
    return type(obj).__name__ == "Client" and hasattr(obj, "map") and hasattr(obj, "gather")


def _watch_parent(parent):
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_S)
    os._exit(1)


def _end_with_parent(parent):
    """Initializer of every local worker: it ends when ``parent`` (the process that started it) ends.

    Ctrl-C is left to the parent. On Linux the kernel sends SIGKILL at the parent's death (a worker busy in a
    numba kernel cannot run Python code); everywhere a daemon thread polls the parent's pid.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    if os.getppid() != parent:   # the parent died before the line above
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), name="sf-dynamics-parent-watch", daemon=True).start()


def spawn_pool(workers):
    """A ProcessPoolExecutor of ``workers`` processes started with ``spawn``; they end with this process.

    Forking a process whose numba/OpenMP threads are running can crash the child, hence ``spawn``. The
    workers ignore Ctrl-C (this process terminates them) and die with this process, even by SIGKILL.
    """
    return cf.ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn"),
                                  initializer=_end_with_parent, initargs=(os.getpid(),))


def terminate_pool(pool):
    """End a ProcessPoolExecutor now: cancel what is pending, terminate its worker processes and reap them."""
    processes = list(getattr(pool, "_processes", {}).values()) if getattr(pool, "_processes", None) else []
    for process in processes:
        with contextlib.suppress(Exception):
            process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(Exception):
            process.join(TERMINATE_WAIT_S)
            if process.is_alive():
                process.kill()


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def terminate_on_sigterm():
    """Inside the block, SIGTERM raises ``SystemExit(143)`` in the main thread (so local workers are terminated).

    Nothing changes outside the main thread or when SIGTERM already has a handler; the previous one is
    restored on exit.
    """
    if not _in_main_thread() or signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        yield
        return

    def terminated(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


_WHOLE_TASKS = contextvars.ContextVar("sf_dynamics_whole_tasks", default=False)
_NOTED = []   # one flag per active deferred_interrupt, innermost last


@contextlib.contextmanager
def whole_tasks():
    """Inside the block Ctrl-C raises at once and runs return no partial results (a sweep point is whole)."""
    token = _WHOLE_TASKS.set(True)
    try:
        yield
    finally:
        _WHOLE_TASKS.reset(token)


def partial_allowed() -> bool:
    """False inside :func:`whole_tasks`: an interrupted run must raise instead of returning its finished part."""
    return not _WHOLE_TASKS.get()


def interrupt_pending() -> bool:
    """Whether a Ctrl-C was noted by the innermost :func:`deferred_interrupt` (poll it between steps)."""
    return bool(_NOTED and _NOTED[-1][0])


@contextlib.contextmanager
def deferred_interrupt(what="the run"):
    """Inside the block a first Ctrl-C is noted, not raised; yields a callable telling whether one was noted.

    The caller checks it between blocks of work (long Python loops poll :func:`interrupt_pending`) and
    stops, keeping the finished blocks; a second Ctrl-C raises KeyboardInterrupt at once. Nothing is deferred
    outside the main thread, inside :func:`whole_tasks`, or when SIGINT does not have Python's default
    handler (ignored, or the user's own); the previous handler is restored on exit.

    Parameters
    ----------
    what : str
        Named in the line printed on stderr at the first Ctrl-C.
    """
    if _NOTED and _in_main_thread():   # nested: the outer block's handler notes Ctrl-C
        yield interrupt_pending
        return
    flag = [False]
    if (not _in_main_thread() or not partial_allowed()
            or signal.getsignal(signal.SIGINT) is not signal.default_int_handler):
        yield lambda: flag[0]
        return

    def note(signum, frame):
        if flag[0]:
            raise KeyboardInterrupt
        flag[0] = True
        with contextlib.suppress(Exception):
            print(f"\nCtrl-C: ending {what}, keeping what is finished (Ctrl-C again to stop at once)",
                  file=sys.stderr, flush=True)

    signal.signal(signal.SIGINT, note)
    _NOTED.append(flag)
    try:
        yield lambda: flag[0]
    finally:
        _NOTED.remove(flag)
        signal.signal(signal.SIGINT, signal.default_int_handler)


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
    it). Leaving the block early (an error, Ctrl-C, SIGTERM) cancels what has not started; local worker
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
        with terminate_on_sigterm():
            pool = spawn_pool(max(1, min(len(tasks), os.cpu_count() or 1)))
            futures, finished = [], False
            try:
                futures = [pool.submit(function, task) for task in tasks]
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
