"""Serial twins of parallel kernels, and the size above which the parallel one pays.

A parallel numba kernel starts its worker threads on every call; for small
arrays that costs more than the work (the permutational solver at N = 40 is
three times faster with serial stage updates). :func:`serial_twin` compiles
the same Python function without ``parallel`` under its own name (so the
two never share an on-disk cache entry), and :func:`pick` returns the one
to use for a given amount of work. Nothing here changes process-wide
settings: the thread count stays the user's (``numba.set_num_threads``),
except inside :func:`single_threaded`, which restores it on exit.
"""

from __future__ import annotations

import contextlib
import types

import numba as nb

__all__ = ["serial_twin", "pick", "single_threaded", "PARALLEL_MIN_WORK"]

#: elements of work per call from which the parallel kernel is used
PARALLEL_MIN_WORK = 50_000


def serial_twin(kernel, **flags):
    """A serial (``parallel=False``) compilation of a parallel numba kernel's Python function."""
    func = kernel.py_func
    copy = types.FunctionType(func.__code__, func.__globals__, func.__name__ + "_serial", func.__defaults__,
                              func.__closure__)
    copy.__qualname__ = func.__qualname__ + "_serial"
    copy.__module__ = func.__module__
    copy.__doc__ = func.__doc__
    return nb.njit(cache=True, **flags)(copy)


def pick(parallel, serial, work):
    """The parallel kernel when ``work`` (elements per call) reaches PARALLEL_MIN_WORK and numba has threads."""
    return parallel if work >= PARALLEL_MIN_WORK and nb.get_num_threads() > 1 else serial


@contextlib.contextmanager
def single_threaded():
    """Run numba's parallel kernels on the calling thread only, for the duration of the block.

    For loops that alternate element-wise numba kernels with BLAS matrix
    products (dense-coupling cumulant right-hand sides, per-emitter TWA
    batches): numba's worker threads keep spinning after each parallel
    region and take the cores from BLAS's own threads (measured: per-emitter
    TWA, n = 60, 256 trajectories, 384 s with two numba threads and 15 s with
    one). BLAS keeps its threads. ``numba.set_num_threads`` is per calling
    thread; the previous value is restored on exit.
    """
    previous = nb.get_num_threads()
    nb.set_num_threads(1)
    try:
        yield
    finally:
        nb.set_num_threads(previous)
