"""Warnings attributed to the user's line: the first caller outside the package.

The solvers sit several calls below the public functions (``simulate`` -> front door -> method ->
solver), and the depth differs between routes, so a fixed ``stacklevel`` would point into the package
on some of them. :func:`warn_caller` walks the stack to the first frame whose module is not part of
``sf_dynamics`` and attributes the warning there, so the user's warning filters and the reported line
are those of their own code.
"""

from __future__ import annotations

import sys
import warnings

__all__ = ["warn_caller"]


def warn_caller(message, category=UserWarning) -> None:
    """Issue ``message`` as a ``category`` warning attributed to the first caller outside sf_dynamics."""
    frame = sys._getframe(1)
    level = 2       # stacklevel 2: the function that called warn_caller
    while frame is not None and (frame.f_globals.get("__name__") or "").partition(".")[0] == "sf_dynamics":
        frame = frame.f_back
        level += 1
    warnings.warn(message, category, stacklevel=level - 1 if frame is None else level)
