"""The solvers: the numerical core of each approximation level.

One module (or subpackage) per level: ``dicke``, ``permutational``, ``exact``,
``cumulant`` (with ``cumulant_correlation``), ``meanfield``, ``twa``, ``jumps``,
``maxwell_bloch``. Each provides ``NAME``, ``unsupported_reason(system,
initial)`` and ``solve(system, times, initial, **options) -> Result``, and the
levels with two-time quantities their ``first_order_correlation``,
``second_order_correlation`` and ``counting_moments``. Users reach them through
:mod:`sf_dynamics.methods`, where each level's options, capabilities and the
one front door live.
"""

from . import cumulant, cumulant_correlation, dicke, exact, jumps, maxwell_bloch, meanfield, permutational, twa

__all__ = ["cumulant", "cumulant_correlation", "dicke", "exact", "jumps", "maxwell_bloch", "meanfield",
           "permutational", "twa"]
