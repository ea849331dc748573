"""Time steppers: stiff linear systems (:mod:`.stiff`, SDIRK4) and explicit observed integration
(:mod:`.explicit`, Dormand-Prince and SciPy's Runge-Kutta methods)."""

from .explicit import EXPLICIT_METHODS, integrate_observed
from .stiff import SDIRK4, integrate_linear

__all__ = ["integrate_linear", "SDIRK4", "integrate_observed", "EXPLICIT_METHODS"]
