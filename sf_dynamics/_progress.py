"""Progress bars for long runs (tqdm), silent for small problems."""

from __future__ import annotations

import contextlib

__all__ = ["progress_bar"]

#: work (state size x output times) above which ``progress=None`` shows a bar
AUTO_THRESHOLD = 5e8


class _Silent:
    def update(self, n=1):
        pass


@contextlib.contextmanager
def progress_bar(progress, *, total: int, size: int = 1, desc: str = ""):
    """Yield an object with ``update(n)``: a tqdm bar or a silent stand-in.

    ``progress`` True/False forces the bar on/off; None shows it on an
    interactive terminal when ``size * total`` exceeds :data:`AUTO_THRESHOLD`.
    """
    import sys

    if progress is None:
        show = size * total > AUTO_THRESHOLD and sys.stderr.isatty()
    else:
        show = bool(progress)
    if not show:
        yield _Silent()
        return
    from tqdm.auto import tqdm

    bar = tqdm(total=total, desc=desc, unit="t", leave=False)
    try:
        yield bar
    finally:
        bar.close()
