"""The options of a fluence-series fit, checked before anything is read or fitted.

Every option of :func:`~sf_dynamics.workflows.fit_series.fit_fluence_series` and of
:class:`~sf_dynamics.workflows.fit_series.fit.FluenceSeriesFit` that the traces do not determine is checked
here, each refusal a :class:`ValueError` naming the option and its allowed values: a ``grid_points=0``
would otherwise run as 3, a ``time_unit_ps=nan`` with arrays be ignored, a ``domain_sizes=(2.5, 60)``
start at 2.
"""

from __future__ import annotations

import numpy as np

from ..._validation import check_positive_int, check_real

__all__ = ["check_fit_options", "check_domain_sizes", "check_flag", "check_background", "check_parameter_dict",
           "MIN_GRID_POINTS", "MIN_POINTS"]

#: fewest points of the coarse N_c grid (a minimum needs a point on each side)
MIN_GRID_POINTS = 3
#: fewest simulation times over the record (the ``--points`` flag of ``sf-dynamics fit`` has the same floor)
MIN_POINTS = 20


def check_flag(name, value) -> bool:
    """``value`` as a bool; True, False (or numpy booleans) only.

    Raises
    ------
    ValueError
        Naming ``name`` for anything else (a string "no" is not False).
    """
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def check_background(background):
    """``background``: True, False or "auto"."""
    if isinstance(background, str) and background == "auto":
        return background
    if not isinstance(background, (bool, np.bool_)):
        raise ValueError(f"background must be True, False or 'auto', got {background!r}")
    return bool(background)


def check_domain_sizes(domain_sizes) -> tuple[int, int]:
    """The N_c search range: a pair (low, high) of integers, 2 <= low < high.

    Raises
    ------
    ValueError
        Naming ``domain_sizes`` for another length, non-integers, values below 2 or low >= high.
    """
    pair = tuple(domain_sizes) if isinstance(domain_sizes, (tuple, list, np.ndarray)) else None
    if pair is None or len(pair) != 2:
        raise ValueError(f"domain_sizes must be a pair (low, high) of integers >= 2, got {domain_sizes!r}")
    try:
        low, high = (check_positive_int("domain_sizes", v, minimum=2) for v in pair)
    except ValueError:
        raise ValueError(f"domain_sizes must be a pair (low, high) of integers >= 2, got {domain_sizes!r}"
                         ) from None
    if high <= low:
        raise ValueError(f"domain_sizes must have low < high, got {domain_sizes!r}")
    return low, high


def check_parameter_dict(name, values, known) -> dict:
    """``fixed`` or ``p0``: a dict of known parameter names to finite real values (None: empty).

    Raises
    ------
    ValueError
        For another type, an unknown name (listing the known ones) or a value that is not a finite number.
    """
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise ValueError(f"{name} must be a dict of parameter names to values, got {type(values).__name__}")
    out = {}
    for key, value in values.items():
        if key not in known:
            raise ValueError(f"{name}: unknown parameter {key!r}; the model has {known}")
        out[key] = check_real(f"{name}[{key!r}]", value)
    return out


def check_fit_options(*, grid_points, points, allow_undetermined, progress, photon_energy_eV, time_unit_ps=None):
    """The options of :func:`~sf_dynamics.workflows.fit_series.fit_fluence_series` that no trace decides.

    Parameters
    ----------
    grid_points : int
        Coarse N_c grid, an integer >= :data:`MIN_GRID_POINTS`.
    points : int
        Simulation times, an integer >= :data:`MIN_POINTS`.
    allow_undetermined, progress : bool
    photon_energy_eV : float
        Pump photon energy (eV), finite and > 0 (checked with or without fluences).
    time_unit_ps : float or None
        Picoseconds per time unit of the traces: finite and > 0.

    Returns
    -------
    dict
        The checked values by name (``time_unit_ps`` only when given).

    Raises
    ------
    ValueError
        Naming the first option out of its range.
    """
    out = {"grid_points": check_positive_int("grid_points", grid_points, minimum=MIN_GRID_POINTS),
           "points": check_positive_int("points", points, minimum=MIN_POINTS),
           "allow_undetermined": check_flag("allow_undetermined", allow_undetermined),
           "progress": check_flag("progress", progress),
           "photon_energy_eV": check_real("photon_energy_eV", photon_energy_eV, low=0.0, low_open=True)}
    if time_unit_ps is not None:
        out["time_unit_ps"] = check_real("time_unit_ps", time_unit_ps, low=0.0, low_open=True)
    return out
