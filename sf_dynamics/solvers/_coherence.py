"""Former home of :mod:`sf_dynamics.solvers.coherence`, re-exported until every importer uses the public module."""

from .coherence import collective_pair_rate, equal_time_g2

__all__ = ["equal_time_g2", "collective_pair_rate"]
