"""Progress of long runs: tqdm on a terminal, plain lines in a log, silence for small problems.

Two reporters share the same rules:

* :func:`progress_bar` counts the steps of one computation (output times, trajectories, sweep points);
* :func:`stages` names the stages of a long command or script (one per sweep, table row, size ...).

``progress`` is True (report), False (silent) or None (automatic: a computation reports when its work
``size * total`` exceeds :data:`AUTO_THRESHOLD`, about ten seconds on a 2-core machine). Where the output
goes decides the form: on a terminal a tqdm bar; written to a file, a pipe or a notebook (a log), plain lines
without carriage returns, each with the seconds since the start.
"""

from __future__ import annotations

import contextlib
import sys
import time

__all__ = ["progress_bar", "stages", "AUTO_THRESHOLD"]

#: work (``size`` x ``total``; for the solvers about 5e7 units a second on one core) above which
#: ``progress=None`` reports: runs of roughly ten seconds and more
AUTO_THRESHOLD = 5e8


def _elapsed(start):
    return f"[{time.perf_counter() - start:.0f} s]"


class _Silent:
    def update(self, n=1):
        pass

    def set_description(self, text):
        pass

    def reset(self, total=None):
        pass


class _LogLines:
    """Progress for a log file or pipe: plain lines (no carriage-return frames).

    Small totals (<= 10, e.g. the stages of a report) get a line per step;
    larger ones a line per 10 %. ``set_description`` announces a new stage;
    ``reset`` starts the count again (a computation that restarts).
    """

    def __init__(self, total, desc, unit, stream):
        self.total, self.desc, self.unit, self.stream = max(int(total), 1), desc, unit, stream
        self.count = 0
        self.next_mark = 10
        self.start = time.perf_counter()

    def _line(self, text):
        print(f"{text} {_elapsed(self.start)}", file=self.stream, flush=True)

    def update(self, n=1):
        if n <= 0:
            return
        self.count += n
        if self.total <= 10:
            self._line(f"{self.desc}: done ({self.count}/{self.total} {self.unit})")
            return
        percent = 100.0 * self.count / self.total
        if percent >= self.next_mark:
            self._line(f"{self.desc}: {int(percent)}% ({self.count}/{self.total} {self.unit})")
            while self.next_mark <= percent:
                self.next_mark += 10

    def set_description(self, text):
        self.desc = text
        if self.total <= 10:
            self._line(f"{text}: started")

    def reset(self, total=None):
        if total is not None:
            self.total = max(int(total), 1)
        self.count, self.next_mark = 0, 10
        self._line(f"{self.desc}: restarted")


def _shown(progress, work):
    """Whether to report: True/False as given; None when ``work`` exceeds :data:`AUTO_THRESHOLD`."""
    if progress is None:
        return work > AUTO_THRESHOLD
    return bool(progress)


@contextlib.contextmanager
def progress_bar(progress, *, total: int, size: float = 1, desc: str = "", unit: str = "t"):
    """Yield an object with ``update(n)``, ``set_description(text)`` and ``reset()``: a tqdm bar, plain log
    lines, or a silent stand-in.

    Parameters
    ----------
    progress : bool or None
        True/False force the report on/off; None reports when ``size * total`` exceeds
        :data:`AUTO_THRESHOLD` (a run of roughly ten seconds or more).
    total : int
        Steps of the computation (output times, trajectories, points).
    size : float
        Work of one step, in the units of :data:`AUTO_THRESHOLD` (about 5e7 a second).
    desc : str
        Name of the computation, shown before the count.
    unit : str
        Name of a step.

    Yields
    ------
    object
        On a terminal a tqdm bar; written to a file, pipe or notebook a line per 10 % (per step for
        totals up to 10), with the seconds since the start; silent when not reporting.
    """
    if not _shown(progress, size * total):
        yield _Silent()
        return
    if not sys.stderr.isatty():
        yield _LogLines(total, desc, unit, sys.stderr)
        return
    from tqdm.auto import tqdm

    bar = tqdm(total=total, desc=desc, unit=unit, leave=False)
    try:
        yield bar
    finally:
        bar.close()


class _SilentStages:
    def start(self, name):
        pass


class _StageLines:
    """A line as each stage starts ("desc [k/n] name: started [t s]") and one at the end."""

    def __init__(self, total, desc, stream):
        self.total, self.desc, self.stream = total, desc, stream
        self.count = 0
        self.begin = time.perf_counter()

    def start(self, name):
        self.count += 1
        of = f"/{self.total}" if self.total else ""
        print(f"{self.desc} [{self.count}{of}] {name}: started {_elapsed(self.begin)}", file=self.stream, flush=True)

    def close(self, stopped=False):
        if stopped:
            print(f"{self.desc}: stopped in stage {self.count} {_elapsed(self.begin)}", file=self.stream, flush=True)
        elif self.count:
            print(f"{self.desc}: done, {self.count} stages {_elapsed(self.begin)}", file=self.stream, flush=True)


class _StageBar:
    """A tqdm bar over the stages, its description the running stage."""

    def __init__(self, total, desc):
        from tqdm.auto import tqdm

        self.desc, self.count = desc, 0
        self.bar = tqdm(total=total, desc=desc, unit="stage", leave=False)

    def start(self, name):
        if self.count:
            self.bar.update(1)
        self.count += 1
        self.bar.set_description(f"{self.desc}: {name}")

    def close(self, stopped=False):
        if self.count and not stopped:
            self.bar.update(1)
        self.bar.close()


@contextlib.contextmanager
def stages(progress, *, total: int | None = None, desc: str = ""):
    """Name the stages of a long run as they start: ``reporter.start(name)`` begins a stage (ending the last).

    Parameters
    ----------
    progress : bool or None
        False: silent; True or None: report (a run that has stages is long by construction).
    total : int, optional
        Stages expected (shown as k/total; a tqdm bar needs it).
    desc : str
        Name of the run (the command or script).

    Yields
    ------
    object
        With ``start(name)``. On a terminal a tqdm bar over the stages (its description the running stage,
        elapsed time and estimate of the rest); in a log a line as each stage starts and one at the end (or
        where an exception stopped the run), with the seconds since the start; silent when ``progress`` is
        False.
    """
    if progress is not None and not progress:
        yield _SilentStages()
        return
    reporter = _StageBar(total, desc) if sys.stderr.isatty() else _StageLines(total, desc, sys.stderr)
    try:
        yield reporter
    except BaseException:
        reporter.close(stopped=True)
        raise
    reporter.close()
