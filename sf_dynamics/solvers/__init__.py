"""Solvers, one module per approximation level.

Each module provides ``NAME``, ``OPTIONS`` (accepted keyword options and
their meaning), ``unsupported_reason(ensemble, initial)`` (a sentence, or
None when the method can simulate that problem) and
``solve(ensemble, times, initial, **options) -> Result``.
"""

from . import cumulant, dicke, exact, jumps, maxwell_bloch, meanfield, permutational, twa
from ._options import COMMON_OPTIONS

__all__ = ["METHODS", "COMMON_OPTIONS"]

#: registered methods, in order of preference for ``method="auto"``
METHODS = {
    dicke.NAME: dicke,
    permutational.NAME: permutational,
    exact.NAME: exact,
    cumulant.NAME: cumulant,
    meanfield.NAME: meanfield,
    twa.NAME: twa,
    jumps.NAME: jumps,
    maxwell_bloch.NAME: maxwell_bloch,
}
