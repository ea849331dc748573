"""The dephasing-vs-temperature model, kept importable here: it lives in :mod:`sf_dynamics.model.linewidth`."""

from ..model.linewidth import LinewidthModel, TabulatedLinewidth, check_temperatures, dephasing_rate

__all__ = ["LinewidthModel", "TabulatedLinewidth", "dephasing_rate", "check_temperatures"]
