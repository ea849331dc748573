"""Figures refuse labels that do not match what they plot."""

import numpy as np
import pytest
import xarray as xr

from sf_dynamics.plotting import plot_g1


def test_plot_g1_draws_one_line_per_coherence_and_checks_its_labels():
    import matplotlib

    matplotlib.use("Agg")
    tau = np.linspace(0.0, 10.0, 51)
    g1 = xr.DataArray(np.exp(-tau / 3.0), dims=("tau",), coords={"tau": tau})
    ax = plot_g1([g1, g1 ** 2], labels=["T2 = 3 ps", "T2 = 1.5 ps"])
    assert len(ax.lines) == 3                       # two coherences and the 1/e guide
    with pytest.raises(ValueError, match="labels must have one entry per g1"):
        plot_g1([g1, g1], labels=["only one"])
