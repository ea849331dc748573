"""Matplotlib figures of simulation results (analysis never solves; this never computes physics)."""

from __future__ import annotations

import numpy as np

__all__ = ["plot_trace", "save_figure"]


def plot_trace(result, *, ax=None, fit=None, label=None, normalise=False, show_excitation=True):
    """Plot the emission rate of a Result (and optionally its sech^2 fit).

    Parameters
    ----------
    result : Result
        Simulation result.
    ax : matplotlib Axes, optional
        Axes to draw into (a new figure is made otherwise).
    fit : FitResult, optional
        A fit from :func:`sf_dynamics.analysis.fit_sech2`, drawn dashed.
    label : str, optional
        Legend label (default: the method name).
    normalise : bool
        Divide the intensity by its maximum.
    show_excitation : bool
        Draw the excitation number on a twin axis.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6.0, 4.0), constrained_layout=True)
    scale = 1.0 / np.max(result.intensity) if normalise and np.max(result.intensity) > 0 else 1.0
    ax.plot(result.times, result.intensity * scale, lw=2, label=label or result.method)
    if "intensity_sem" in result.data:
        sem = result.data["intensity_sem"] * scale
        ax.fill_between(result.times, (result.intensity - sem) * scale, (result.intensity + sem) * scale, alpha=0.3)
    if fit is not None:
        ax.plot(result.times, fit.model(result.times) * scale, "k--", lw=1, label="sech$^2$ fit")
    ax.set_xlabel("time (ps)")
    ax.set_ylabel("emission rate (normalised)" if normalise else "emission rate (photons/ps)")
    if show_excitation:
        twin = ax.twinx()
        twin.plot(result.times, result.excitation, color="0.6", lw=1)
        twin.set_ylabel("excitation", color="0.4")
        twin.set_ylim(0, max(result.n, 1) * 1.02)
    ax.legend(loc="upper right", frameon=False)
    return ax


def save_figure(ax, path, dpi=150):
    """Save the figure holding ``ax`` to ``path`` (PNG/PDF by extension) and close it."""
    import matplotlib.pyplot as plt

    fig = ax.figure
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
    return path
