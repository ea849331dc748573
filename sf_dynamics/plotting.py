"""Matplotlib figures of simulation results (analysis never solves; this never computes physics)."""

from __future__ import annotations

import numpy as np

__all__ = [
    "plot_trace",
    "save_figure",
    "plot_enhancement",
    "plot_temperature_sweep",
    "plot_stacked_traces",
    "plot_streak",
    "plot_fluence_series",
    "plot_spectrum",
    "plot_g1",
    "plot_g2",
    "plot_delay_histogram",
    "plot_bunching_series",
    "plot_photon_number",
    "plot_shot_statistics",
    "plot_series_fit",
]


def _with_labels(items, labels, noun):
    """(list of items, one label each): a single item becomes a list; labels default to None."""
    items = items if isinstance(items, (list, tuple)) else [items]
    labels = labels or [None] * len(items)
    if len(labels) != len(items):
        raise ValueError(f"labels must have one entry per {noun} ({len(items)}), got {len(labels)}")
    return items, labels


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
        sem = result.data["intensity_sem"]
        ax.fill_between(result.times, (result.intensity - sem) * scale, (result.intensity + sem) * scale, alpha=0.3,
                        label="± 1 standard error")
    if np.any(result.intensity < 0):
        ax.text(0.02, 0.02, "values below 0: sampling noise of the trajectory average\n(the estimator is unbiased, "
                "not positive; see the standard-error band)", transform=ax.transAxes, fontsize=7, color="0.3")
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


def save_figure(ax, path, dpi=150, *, overwrite=False, **fields):
    """Save the figure holding ``ax`` to ``path`` (PNG/PDF by extension) atomically and close it.

    A PNG records the package version, the date and ``fields`` (seed, parameters, ...) in its text chunks
    (:func:`sf_dynamics._io.save_figure`).

    Raises
    ------
    FileExistsError
        If ``path`` exists and ``overwrite`` is False.
    OSError
        If the file could not be written (the message names it; nothing is left behind).
    """
    from ._io import save_figure as save

    return save(ax.figure, path, overwrite=overwrite, dpi=dpi, **fields)


def plot_enhancement(datasets, *, labels=None, ax=None):
    """Thermal-equilibrium enhancement <Gamma>_T / gamma versus T (log-log), one curve per dataset.

    Parameters
    ----------
    datasets : xarray.Dataset or list of them
        From :func:`sf_dynamics.workflows.sweep.thermal_sweep` (or ThermalCurve.to_xarray()).
    labels : list of str, optional
    ax : matplotlib Axes, optional
    """
    import matplotlib.pyplot as plt

    if not isinstance(datasets, (list, tuple)):
        datasets = [datasets]
    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 4.0), constrained_layout=True)
    for i, ds in enumerate(datasets):
        t = ds["temperature"].values
        e = ds["enhancement"].values
        err = ds["enhancement_sem"].values if "enhancement_sem" in ds else None
        line, = ax.plot(t, e, "o-", ms=3, label=labels[i] if labels else None)
        if err is not None and np.any(err > 0):
            ax.fill_between(t, e - err, e + err, color=line.get_color(), alpha=0.2)
    ax.axhline(1.0, color="0.5", ls=":", lw=1)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("temperature (K)")
    ax.set_ylabel(r"$\langle\Gamma\rangle_T / \gamma$")
    if labels:
        ax.legend(frameon=False, fontsize=8)
    return ax


def plot_temperature_sweep(dataset, *, axes=None):
    """tau_D, tau_SF and peak / incoherent versus T, plus the intensity map, of a dynamic sweep.

    Returns the array of 3 Axes.
    """
    import matplotlib.pyplot as plt

    if axes is None:
        _, axes = plt.subplots(1, 3, figsize=(12, 3.6), constrained_layout=True)
    t = dataset["temperature"].values
    axes[0].plot(t, dataset["tau_d"].values, "o-", label=r"$\tau_D$")
    axes[0].plot(t, dataset["tau_sf"].values, "s-", label=r"$\tau_{SF}$")
    axes[0].set_xlabel("temperature (K)")
    axes[0].set_ylabel("time (ps)")
    axes[0].legend(frameon=False)
    axes[1].semilogy(t, dataset["peak_over_incoherent"].values, "o-")
    axes[1].axhline(dataset.attrs.get("sf_threshold", 1.5), color="0.5", ls=":")
    vanish = dataset.attrs.get("t_sf_vanishes_K", float("nan"))
    if np.isfinite(vanish):
        axes[1].axvline(vanish, color="C3", ls="--", label=f"burst vanishes ~{vanish:.0f} K")
        axes[1].legend(frameon=False, fontsize=8)
    axes[1].set_xlabel("temperature (K)")
    axes[1].set_ylabel("peak / incoherent rate")
    inten = dataset["intensity"].values
    norm = inten / np.max(inten, axis=1, keepdims=True)
    times = dataset["time"].values
    image = axes[2].imshow(norm, aspect="auto", origin="lower", extent=[times[0], times[-1], 0, len(t)],
                           cmap="magma", vmin=0.0, vmax=1.0)
    axes[2].figure.colorbar(image, ax=axes[2], label="emission / its maximum")
    axes[2].set_yticks(np.arange(len(t)) + 0.5, [f"{v:.3g}" for v in t], fontsize=7)
    axes[2].set_xlabel("time (ps)")
    axes[2].set_ylabel("temperature (K)")
    axes[2].set_title("normalised emission", fontsize=9)
    return axes


def plot_stacked_traces(times, traces, labels=None, *, ax=None, offset=1.1):
    """Normalised traces stacked with a vertical offset (one per row of ``traces``)."""
    import matplotlib.pyplot as plt

    traces = np.atleast_2d(np.asarray(traces, dtype=float))
    if ax is None:
        _, ax = plt.subplots(figsize=(5.0, 1.0 + 0.6 * len(traces)), constrained_layout=True)
    for i, tr in enumerate(traces):
        norm = tr / np.max(tr) if np.max(tr) > 0 else tr
        ax.plot(times, norm + i * offset, lw=1.5)
        if labels is not None:
            ax.text(times[-1], i * offset + 0.3, str(labels[i]), ha="right", fontsize=8)
    ax.set_yticks([])
    ax.set_xlabel("time (ps)")
    ax.set_ylabel("normalised intensity (offset)")
    return ax


def plot_streak(times, axis_values, image, *, ax=None, ylabel="wavelength (nm)", normalise_rows=False, log=False,
                colorbar_label="intensity (arb.)"):
    """Render an (axis value x time) image like a streak camera (time horizontal)."""
    import matplotlib.pyplot as plt
    from matplotlib.colors import LogNorm

    img = np.asarray(image, dtype=float)
    if img.shape == (len(times), len(axis_values)):
        img = img.T
    if normalise_rows:
        img = img / np.maximum(img.max(axis=1, keepdims=True), 1e-300)
    if ax is None:
        _, ax = plt.subplots(figsize=(6.0, 3.8), constrained_layout=True)
    norm = LogNorm(vmin=max(img.max() * 1e-3, 1e-300), vmax=img.max()) if log else None
    mesh = ax.pcolormesh(times, axis_values, np.clip(img, 1e-300, None) if log else img, shading="auto",
                         cmap="inferno", norm=norm)
    ax.figure.colorbar(mesh, ax=ax, label=colorbar_label)
    ax.set_xlabel("time (ps)")
    ax.set_ylabel(ylabel)
    return ax


def plot_fluence_series(dataset, *, axes=None):
    """tau_D and tau_SF versus fluence, peak versus excited number with the fitted power laws."""
    import matplotlib.pyplot as plt

    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(10, 3.6), constrained_layout=True)
    f = dataset["fluence"].values
    n = dataset["excited"].values
    axes[0].plot(f, dataset["tau_d"], "o-", label=r"$\tau_D$")
    axes[0].plot(f, dataset["tau_sf"], "s-", label=r"$\tau_{SF}$")
    axes[0].set_xlabel(r"fluence ($\mu$J/cm$^2$)")
    axes[0].set_ylabel("time (ps)")
    axes[0].set_yscale("log")
    axes[0].legend(frameon=False)
    axes[1].loglog(n, dataset["peak"], "o", label="peak")
    p = dataset.attrs.get("peak_exponent", np.nan)
    if np.isfinite(p):
        c = np.exp(np.mean(np.log(dataset["peak"].values) - p * np.log(n)))
        axes[1].loglog(n, c * n**p, "k--", label=f"peak ~ N^{p:.2f}")
    ax2 = axes[1].twinx()
    ax2.loglog(n, dataset["tau_sf"], "s", color="C1", label=r"$\tau_{SF}$")
    q = dataset.attrs.get("tau_sf_exponent", np.nan)
    if np.isfinite(q):
        c = np.exp(np.nanmean(np.log(dataset["tau_sf"].values) - q * np.log(n)))
        ax2.loglog(n, c * n.astype(float)**q, ":", color="C1", label=f"tau_SF ~ N^{q:.2f}")
    ax2.set_ylabel(r"$\tau_{SF}$ (ps)")
    axes[1].set_xlabel("excited emitters N")
    axes[1].set_ylabel("peak (photons/ps)")
    axes[1].legend(frameon=False, loc="upper left", fontsize=8)
    ax2.legend(frameon=False, loc="lower right", fontsize=8)
    return axes


def plot_spectrum(spectra, *, labels=None, ax=None, axis="energy_meV", normalise=False):
    """Plot emission spectra (DataArrays from :func:`sf_dynamics.spectra.spectrum`).

    Parameters
    ----------
    spectra : DataArray or list of DataArray
    labels : list of str, optional
    ax : matplotlib Axes, optional
    axis : {"energy_meV", "omega", "wavelength_nm"}
        The horizontal coordinate (``wavelength_nm`` needs a centre wavelength).
    normalise : bool
        Scale each spectrum to a maximum of 1.

    Returns
    -------
    matplotlib Axes
    """
    import matplotlib.pyplot as plt

    items, labels = _with_labels(spectra, labels, "spectrum")
    names = {"energy_meV": "energy from the transition (meV)", "omega": "omega (rad/ps)",
             "wavelength_nm": "wavelength (nm)"}
    if axis not in names:
        raise ValueError(f"axis must be one of {list(names)}, got {axis!r}")
    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 3.4), constrained_layout=True)
    for spec, label in zip(items, labels):
        if axis not in spec.coords:
            raise ValueError(f"the spectrum has no {axis!r} coordinate (give center_wavelength_nm for nm)")
        y = spec.values / spec.values.max() if normalise else spec.values
        ax.plot(spec[axis].values, y, label=label)
    ax.set_xlabel(names[axis])
    ax.set_ylabel("S (normalised)" if normalise else "S (photons per rad/ps)")
    if any(labels):
        ax.legend(frameon=False)
    return ax


def plot_g1(g1s, *, labels=None, ax=None):
    """Plot |g1(tau)| of time-integrated first-order coherences (:func:`sf_dynamics.spectra.normalized_g1`)."""
    import matplotlib.pyplot as plt

    items, labels = _with_labels(g1s, labels, "g1")
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.2), constrained_layout=True)
    for g1, label in zip(items, labels):
        ax.plot(g1["tau"].values, np.abs(g1.values), label=label)
    ax.axhline(np.exp(-1.0), color="0.6", ls=":", lw=0.8)
    ax.set_xlabel("delay tau (ps)")
    ax.set_ylabel("|g1(tau)|")
    if any(labels):
        ax.legend(frameon=False)
    return ax


def plot_g2(items, *, labels=None, ax=None):
    """Plot equal-time g2(t) (Datasets from :func:`sf_dynamics.statistics.g2` or ``second_order``).

    Sampled results are drawn with a band of +-1 standard error; dotted lines mark the coherent (1) and
    chaotic (2) values.
    """
    import matplotlib.pyplot as plt

    items, labels = _with_labels(items, labels, "item")
    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 3.4), constrained_layout=True)
    for item, label in zip(items, labels):
        line, = ax.plot(item["time"].values, item["g2"].values, label=label)
        if "g2_sem" in item:
            sem = item["g2_sem"].values
            ax.fill_between(item["time"].values, item["g2"].values - sem, item["g2"].values + sem,
                            color=line.get_color(), alpha=0.25, lw=0)
    for level in (1.0, 2.0):
        ax.axhline(level, color="0.6", ls=":", lw=0.8)
    ax.set_xlabel("time (ps)")
    ax.set_ylabel("g2(t) (equal time)")
    if any(labels):
        ax.legend(frameon=False)
    return ax


def plot_delay_histogram(stats, *, ax=None, half_times=False):
    """Histogram of single-shot delays (:func:`sf_dynamics.statistics.delay_statistics`) with the Gumbel law.

    ``half_times`` adds the histogram of the half-emission times when the statistics carry them.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.2), constrained_layout=True)
    width = stats.attrs["bin_width_ps"]
    ax.bar(stats["centre"].values, stats["density"].values, width=width, color="C0", alpha=0.6,
           label=f"shots ({stats.sizes['shot']}), time of maximum")
    if half_times and "half_time" in stats:
        ax.hist(stats["half_time"].values, bins=stats.sizes["centre"], density=True, histtype="step", color="C2",
                label="half-emission time")
    if "gumbel" in stats:
        ax.plot(stats["gumbel_time"].values, stats["gumbel"].values, color="C3", label="Gumbel law")
    ax.set_xlabel("delay (ps)")
    ax.set_ylabel("probability density (1/ps)")
    ax.legend(frameon=False)
    return ax


#: :func:`plot_bunching_series` draws g2(t) only where the collective rate is above this share of its peak
#: (elsewhere g2 is a ratio of vanishing rates and its noise fills the panel)
G2_RATE_SHARE = 0.05


def plot_bunching_series(dataset, *, axes=None, rate_share=G2_RATE_SHARE):
    """Two panels of :func:`sf_dynamics.workflows.bunching_series`: g2(t) per fluence, and g2 against fluence.

    g2(t) is drawn only where the collective rate is at least ``rate_share`` of its maximum (stated in the
    axis label). Returns the two axes.
    """
    import matplotlib.pyplot as plt

    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(12, 3.8), constrained_layout=True)
    left, right = axes
    prob = dataset["probability"].values if "probability" in dataset else None
    for k, fluence in enumerate(dataset["fluence"].values):
        rate = dataset["collective_rate"].values[k]
        g2 = np.where(rate >= rate_share * rate.max(), dataset["g2"].values[k], np.nan)
        label = f"{fluence:.3g} uJ/cm2" + (f", p = {prob[k]:.2f}" if prob is not None else "")
        left.plot(dataset["time"].values, g2, label=label)
    left.axhline(1.0, color="0.6", ls=":", lw=0.8)
    left.axhline(2.0, color="0.6", ls=":", lw=0.8)
    left.set_ylim(0.0, 2.5)
    left.set_xlabel("time (ps)")
    left.set_ylabel(f"g2(t) (rate >= {rate_share:g} x peak)")
    left.legend(frameon=False, fontsize="small", ncol=2)
    f = dataset["fluence"].values
    for key, label, style in (("g2_peak", "burst, at peak", "o-"),
                              ("g2_zero_delay", "burst, fast HBT", "s-"),
                              ("g2_pulse", "burst, per pulse", "^-"),
                              ("g2_mode_uncoupled", "uncoupled, one mode", "k--"),
                              ("g2_pulse_uncoupled", "uncoupled, per pulse", "k:")):
        right.plot(f, dataset[key].values, style, label=label)
    right.set_xscale("log")
    right.set_xlabel("pump fluence (uJ/cm^2)")
    right.set_ylabel("g2")
    right.legend(frameon=False, fontsize="small", ncol=2)
    return axes


def plot_photon_number(counts, *, ax=None):
    """Distribution of photons detected per pulse (sampled :func:`sf_dynamics.statistics.photon_counts`)."""
    import matplotlib.pyplot as plt

    if "probability" not in counts:
        raise ValueError("counts: no photon-number distribution (use method 'jumps' or 'twa')")
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.2), constrained_layout=True)
    k = counts["photons"].values
    ax.bar(k, counts["probability"].values, width=1.0, color="C0", alpha=0.6,
           label=f"detected per pulse, g2 = {float(counts['g2']):.3f}")
    ax.plot(k, counts["poisson"].values, "k.-", lw=0.8, label=f"Poisson, mean {float(counts['mean_count']):.3g}")
    ax.set_xlabel("photons detected per pulse")
    ax.set_ylabel("probability")
    ax.legend(frameon=False)
    return ax


def plot_shot_statistics(delays, counts, *, title=None):
    """Two panels of single shots: delay and half-emission-time histograms, and photons per pulse.

    ``delays`` from :func:`sf_dynamics.statistics.delay_statistics`, ``counts`` from
    :func:`sf_dynamics.statistics.shot_counts` (or a sampled ``photon_counts``); returns the Figure.
    """
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.6), constrained_layout=True)
    plot_delay_histogram(delays, ax=left, half_times=True)
    if title:
        left.set_title(title)
    plot_photon_number(counts, ax=right)
    return fig


def plot_series_fit(fit, *, axes=None):
    """Data against model per trace, and the profile of the domain size, of a fluence-series fit.

    Parameters
    ----------
    fit : SeriesFit
        From :func:`sf_dynamics.workflows.fit_fluence_series`.
    axes : pair of matplotlib Axes, optional

    Returns
    -------
    pair of Axes
    """
    import matplotlib.pyplot as plt

    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(12, 3.8), constrained_layout=True,
                               gridspec_kw={"width_ratios": [2.2, 1.0]})
    left, right = axes
    for k in range(fit.data.shape[0]):
        colour = f"C{k % 10}"
        label = (f"{fit.fluences[k]:g} uJ/cm^2, p = {fit.probabilities[k]:.2f}" if fit.fluences is not None
                 else f"p = {fit.probabilities[k]:.2f}")
        left.plot(fit.times, fit.data[k], ".", ms=2.5, color=colour, alpha=0.6)
        left.plot(fit.times, fit.model[k], "-", lw=1.2, color=colour, label=label)
    left.set_xlabel("time (ps)")
    left.set_ylabel("counts per bin" if fit.statistic == "poisson" else "signal")
    left.legend(frameon=False, fontsize="small")
    if fit.domain_interval is None:    # verdict "no SF detected": the model drawn is the accepted no-SF one
        left.set_title(f"data (dots) and the accepted no-SF model (lines): {fit.quality['verdict']}",
                       fontsize="medium")
    else:
        left.set_title(f"data (dots) and model (lines): N_c = {fit.params['domain_size']}, "
                       f"T2 = {fit.params['t2']:.3g} ps, f = {fit.params['coupled_fraction']:.2f}", fontsize="medium")
    sizes = np.asarray(fit.profile["domain_size"])
    excess = np.asarray(fit.profile["deviance"]) - fit.deviance
    if fit.statistic != "poisson":
        excess = excess / (fit.deviance / max(fit.dof, 1))
    right.plot(sizes, excess, "o-", ms=3)
    right.axhline(1.0, color="0.5", ls=":", lw=0.8, label="68 % level")
    if fit.domain_interval is not None:
        lo, hi = fit.domain_interval
        right.axvspan(lo - 0.5, hi + 0.5, color="C0", alpha=0.12, label=f"N_c in {lo} - {hi}")
    right.set_yscale("symlog", linthresh=1.0)
    right.set_xlabel("domain size N_c")
    right.set_ylabel("profile deviance above minimum")
    right.legend(frameon=False, fontsize="small")
    return axes
