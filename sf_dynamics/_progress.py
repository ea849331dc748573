"""Progress bars for long runs: tqdm on a terminal, a few plain lines in logs, silence for small problems."""

from __future__ import annotations

import contextlib
import sys
import time

__all__ = ["progress_bar", "AUTO_THRESHOLD"]

#: work (state size x output times) above which ``progress=None`` shows a bar
AUTO_THRESHOLD = 5e8


class _Silent:
    def update(self, n=1):
        pass

    def set_description(self, text):
        pass


class _LogLines:
    """Progress for a log file or pipe: plain lines (no carriage-return frames).

    Small totals (<= 10, e.g. the stages of a report) get a line per step;
    larger ones a line per 10 %. ``set_description`` announces a new stage.
    """

    def __init__(self, total, desc, unit, stream):
        self.total, self.desc, self.unit, self.stream = max(int(total), 1), desc, unit, stream
        self.count = 0
        self.next_mark = 10
        self.start = time.perf_counter()

    def _line(self, text):
        print(f"{text} [{time.perf_counter() - self.start:.0f} s]", file=self.stream, flush=True)

    def update(self, n=1):
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


@contextlib.contextmanager
def progress_bar(progress, *, total: int, size: float = 1, desc: str = "", unit: str = "t"):
    """Yield an object with ``update(n)``: a tqdm bar, plain log lines, or a silent stand-in.

    ``progress`` True/False forces progress reporting on/off; None reports on
    an interactive terminal when ``size * total`` exceeds :data:`AUTO_THRESHOLD`.
    On a terminal the bar is tqdm's; written to a file or pipe (a log), the
    progress is a line per 10 %.
    """
    interactive = sys.stderr.isatty()
    show = (size * total > AUTO_THRESHOLD and interactive) if progress is None else bool(progress)
    if not show:
        yield _Silent()
        return
    if not interactive:
        yield _LogLines(total, desc, unit, sys.stderr)
        return
    from tqdm.auto import tqdm

    bar = tqdm(total=total, desc=desc, unit=unit, leave=False)
    try:
        yield bar
    finally:
        bar.close()
