"""Workflows built on the solvers: sweeps that keep every point, fluence series, the report.

* :mod:`.executor`: run independent points serially, on processes or on Dask, without losing work;
* :mod:`.sweep`: temperature sweeps (dynamics with gamma_phi(T), thermal equilibrium);
* :mod:`.fluence`: pump fluence -> excited NCs -> tau_D, tau_SF, peak;
* :mod:`.sample`: coherent domains plus uncoupled NCs, their emission per NC;
* :mod:`.bunching`: pump fluence -> g2 of the burst (equal-time, fast and slow HBT), coupled and uncoupled;
* :mod:`.fit_series`: measured traces of a fluence series -> domain size, T2, coupled fraction (global fit);
* :mod:`.report`: the ``sf-dynamics report``.
"""

from . import bunching, executor, fit_series, fluence, report, sample, sweep
from .bunching import bunching_series
from .executor import PointStore, SweepError, SweepInterrupted, SweepRun, execute
from .fit_series import SeriesFit, UndeterminedFitError, fit_fluence_series, read_series, series_model
from .fluence import excitation_probability, excited_emitters, fit_power_law, fluence_series
from .sample import Sample
from .sweep import dynamic_temperature_sweep, run_points, save_dataset, thermal_sweep

__all__ = [
    "executor",
    "sweep",
    "fluence",
    "bunching",
    "sample",
    "Sample",
    "report",
    "execute",
    "PointStore",
    "SweepRun",
    "SweepError",
    "SweepInterrupted",
    "run_points",
    "dynamic_temperature_sweep",
    "thermal_sweep",
    "save_dataset",
    "fluence_series",
    "excitation_probability",
    "bunching_series",
    "excited_emitters",
    "fit_power_law",
    "fit_series",
    "fit_fluence_series",
    "series_model",
    "read_series",
    "SeriesFit",
    "UndeterminedFitError",
]
