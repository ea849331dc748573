"""Resource guards: refuse a computation before it allocates more memory than the machine has.

Every solver and analysis that allocates arrays growing faster than its
input estimates the bytes it will need and calls :func:`check_memory`
before allocating. The refusal is a :class:`ValueError` that names the
parameter that sets the size, the estimate, the memory this machine has
free and the method or route that can do the job instead, so a user sees
at once what to change. Integrators get a step budget in the same spirit
(:func:`check_step_budget`).
"""

from __future__ import annotations

import os

__all__ = [
    "available_memory_bytes",
    "format_bytes",
    "check_memory",
    "check_step_budget",
    "MEMORY_FRACTION",
    "DEFAULT_MAX_STEPS",
]

#: fraction of the free memory a single computation may plan to use
MEMORY_FRACTION = 0.8
#: default step budget of the time integrators (a clear error instead of an endless run)
DEFAULT_MAX_STEPS = 1_000_000
#: environment variable that caps the memory the guards assume free (bytes; for tests and shared machines)
MEMORY_LIMIT_VARIABLE = "SF_DYNAMICS_MEMORY_LIMIT"


def available_memory_bytes() -> int:
    """Memory (bytes) the operating system reports as available for new allocations.

    Reads ``MemAvailable`` from ``/proc/meminfo`` (Linux), else asks psutil,
    else the physical page count. The environment variable
    ``SF_DYNAMICS_MEMORY_LIMIT`` (bytes) caps the value.
    """
    free = None
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    free = int(line.split()[1]) * 1024
                    break
    except OSError:
        free = None
    if free is None:
        try:
            import psutil

            free = int(psutil.virtual_memory().available)
        except ImportError:
            try:
                free = int(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
            except (ValueError, OSError, AttributeError):
                free = 2**62
    limit = os.environ.get(MEMORY_LIMIT_VARIABLE)
    if limit:
        try:
            free = min(free, int(float(limit)))
        except ValueError:
            pass
    return free


def format_bytes(count: float) -> str:
    """A byte count for people: '1.8 TiB', '340 MiB'."""
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if abs(value) < 1024.0 or unit == "PiB":
            return f"{value:.3g} {unit}"
        value /= 1024.0
    return f"{value:.3g} EiB"  # pragma: no cover


def check_memory(estimate_bytes: float, *, parameter: str, what: str, alternative: str | None = None) -> None:
    """Raise ValueError if ``estimate_bytes`` exceeds the usable free memory.

    Parameters
    ----------
    estimate_bytes : float
        Bytes the computation will allocate (its largest simultaneous need).
    parameter : str
        The input that sets the size (named first in the message).
    what : str
        What needs the memory, e.g. "the per-emitter cumulant state of n = 50000 emitters".
    alternative : str, optional
        A method or route that can do the job, appended to the message.

    Raises
    ------
    ValueError
        When the estimate exceeds :data:`MEMORY_FRACTION` of the free memory.
    """
    free = available_memory_bytes()
    if not estimate_bytes <= MEMORY_FRACTION * free:
        hint = f"; {alternative}" if alternative else ""
        raise ValueError(
            f"{parameter}: {what} needs about {format_bytes(estimate_bytes)} of memory, but this machine has "
            f"{format_bytes(free)} free{hint}"
        )


def check_step_budget(steps: float, *, parameter: str, what: str, max_steps: int, alternative: str | None = None):
    """Raise ValueError if an estimated number of time steps exceeds ``max_steps``.

    Parameters
    ----------
    steps : float
        Estimated steps (e.g. fastest rate x time window / stability limit).
    parameter : str
        The input that sets the count (times, a rate, ...).
    what : str
        Why so many steps are needed.
    max_steps : int
        The budget (solver option ``max_steps``).
    alternative : str, optional
        What to change instead.
    """
    if not steps <= max_steps:
        hint = f"; {alternative}" if alternative else ""
        raise ValueError(
            f"{parameter}: {what} needs about {steps:.3g} time steps, more than max_steps = {max_steps}{hint} "
            "(or raise max_steps)"
        )
