"""Report section 1, the fluence series: exact traces of a coherent domain at eight pump fluences, as a streak
camera records them, with tau_D, the sech^2 fit of tau_SF and their scaling with the excited NCs.
"""

from __future__ import annotations

import numpy as np

from ...analysis.fitting import R2_POOR
from .parameters import PARAMETERS, excited_nanocrystals, nc_rates

__all__ = ["fluence_section"]


def _tau_sf_cell(fit):
    """The tau_SF table cell: value ± error, or why the sech^2 fit was not used."""
    if fit["fit_ok"]:
        return f"{fit['tau_sf']:.3g} ± {fit['tau_sf_error']:.2g}"
    return "not fitted: " + "; ".join(fit["fit_problems"][:1])


def fluence_section(doc, out, quick, overwrite):
    """Section 1: a coherent domain at eight pump fluences through the streak camera; tau_D, tau_SF and their scaling.

    Parameters
    ----------
    doc : Document
        The report being written; the section adds its text, figures and the ``facts`` later sections quote.
    out : Path
        Output folder.
    quick : bool
        Smaller sizes (for tests and a first look).
    overwrite : bool
        Replace files of an earlier report.
    """
    import matplotlib.pyplot as plt

    from ... import analysis
    from ..._io import save_dataset, save_figure
    from ...analysis.detector_response import streak_camera
    from ...model import Ensemble
    from ...plotting import plot_stacked_traces, plot_streak
    from ...simulate import simulate
    from ..fluence import fit_power_law

    irf = PARAMETERS["irf_fwhm"][0]
    gamma, share, dephasing = nc_rates()
    domain = PARAMETERS["domain_nanocrystals"][0]
    fluences = np.geomspace(1.0, 30.0, 5 if quick else 8)
    excited = excited_nanocrystals(fluences)
    times = np.linspace(0.0, 150.0, 751)
    ideal, recorded, rows = [], [], []
    for n in excited:
        ens = Ensemble(int(n), collective_decay=share * gamma, decay=(1 - share) * gamma, dephasing=dephasing)
        res = simulate(ens, times, method="permutational")
        _, seen = streak_camera(times, res.intensity, irf)
        ideal.append(res.intensity)
        recorded.append(seen)
        true = analysis.burst_summary(res)
        # the burst test needs the exact trace (the IRF lowers the recorded rate at t = 0); fit what is recorded
        fit = analysis.burst_summary(times, seen, irf_fwhm=irf, slow=True, threshold=0.0) if true["burst"] else \
            {"tau_sf": float("nan"), "tau_sf_error": float("nan"), "fit_ok": False, "fit_problems": ["no burst"]}
        rows.append((true, fit))
    ds_vars = {
        "excited": ("fluence", excited),
        "tau_d": ("fluence", [r[0]["tau_d"] for r in rows], {"units": "ps"}),
        "tau_sf_fit": ("fluence", [r[1]["tau_sf"] for r in rows], {"units": "ps"}),
        "tau_sf_fit_error": ("fluence", [r[1]["tau_sf_error"] for r in rows], {"units": "ps"}),
        "peak": ("fluence", [r[0]["peak"] for r in rows], {"units": "photons/ps"}),
        "peak_over_initial": ("fluence", [r[0]["peak_over_initial"] for r in rows]),
        "intensity": (("fluence", "time"), np.array(ideal), {"units": "photons/ps"}),
        "recorded": (("fluence", "time"), np.array(recorded), {"units": "photons/ps", "irf_fwhm_ps": irf}),
    }
    import xarray as xr

    ds = xr.Dataset(ds_vars, coords={"fluence": ("fluence", fluences, {"units": "uJ/cm^2"}),
                                     "time": ("time", times, {"units": "ps"})},
                    attrs={"method": "permutational", "domain_nanocrystals": domain, "irf_fwhm_ps": irf})
    save_dataset(ds, out / "fluence_series", overwrite=overwrite, method="permutational",
                 command="sf-dynamics report")
    ax = plot_stacked_traces(times, np.array(recorded), labels=[f"{f:.3g} uJ/cm2, N = {n}" for f, n in
                                                                 zip(fluences, excited)])
    ax.set_title(f"recorded through a {irf:g} ps IRF", fontsize=9)
    save_figure(ax.figure, out / "fluence_traces.png", overwrite=overwrite)
    ax = plot_streak(times, fluences, np.array(recorded), ylabel=r"fluence ($\mu$J/cm$^2$)", normalise_rows=True,
                     colorbar_label="emission / its maximum")
    ax.set_yscale("log")
    save_figure(ax.figure, out / "fluence_streak.png", overwrite=overwrite)
    good = np.array([r[1]["fit_ok"] for r in rows])
    tau_sf = np.array([r[1]["tau_sf"] for r in rows])
    tau_d = np.array([r[0]["tau_d"] for r in rows])
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), constrained_layout=True)
    axes[0].plot(fluences, tau_d, "o-", label=r"$\tau_D$ (exact trace)")
    axes[0].errorbar(fluences[good], tau_sf[good], yerr=np.array([r[1]["tau_sf_error"] for r in rows])[good],
                     fmt="s-", label=r"$\tau_{SF}$ (fit of the recorded trace)")
    axes[0].set_xscale("log")
    axes[0].set_yscale("log")
    axes[0].set_xlabel(r"fluence ($\mu$J/cm$^2$)")
    axes[0].set_ylabel("time (ps)")
    axes[0].legend(frameon=False, fontsize=8)
    law = "fewer than three bursts with an unflagged sech^2 fit: no power law"
    if good.sum() >= 3:
        p, err, c = fit_power_law(excited[good], tau_sf[good])
        axes[1].loglog(excited[good], tau_sf[good], "s", color="C1")
        axes[1].loglog(excited[good], c * excited[good].astype(float) ** p, "k--", label=f"N^{p:.2f}")
        axes[1].legend(frameon=False)
        law = (f"tau_SF ~ N^{p:.2f} ± {err:.2f} over the {int(good.sum())} bursts whose sech^2 fit is unflagged "
               f"(R^2 >= {R2_POOR}, no parameter at a bound or with an error above its value; ideal: -1)")
    axes[1].set_xlabel("excited NCs N")
    axes[1].set_ylabel(r"$\tau_{SF}$ (ps)")
    save_figure(fig, out / "fluence_scaling.png", overwrite=overwrite)
    table = "\n".join(
        f"| {f:.3g} | {n} | {r[0]['peak_over_initial']:.3g} | "
        f"{format(r[0]['tau_d'], '.3g') if r[0]['burst'] else 'no burst'} | "
        f"{_tau_sf_cell(r[1])} |"
        for f, n, r in zip(fluences, excited, rows))
    doc.text(f"""
## 1. Fluence series

A point-like coherent domain of {domain} NCs; the pump excites each NC with probability 1 - exp(-sigma j)
(sigma = {PARAMETERS['absorption_cross_section'][0]:g} cm^2, j the photon fluence), giving N excited NCs.
Each NC decays at 1/{PARAMETERS['radiative_lifetime'][0]:g} ps, {share:.0%} of it into the common mode;
dephasing {dephasing:.4g} /ps (T2 = {PARAMETERS['coherence_time'][0]:g} ps). Traces are exact (`permutational`)
and are shown as a streak camera with a {irf:g} ps Gaussian instrument response records them; tau_SF comes
from a sech^2 + slow-decay fit of the recorded trace with that response.

| fluence (uJ/cm^2) | excited N | peak / initial rate | tau_D (ps) | tau_SF (ps), fit |
|---|---|---|---|---|
{table}

A burst is counted when the delayed maximum exceeds 1.5 times the emission rate at excitation. Scaling: {law}.
""")
    doc.facts.update(fluences=fluences, excited=excited, tau_d=tau_d,
                     tau_sf_last=tau_sf[-1] if good[-1] else float("nan"))
    doc.figure("fluence_traces.png", f"Recorded traces ({irf:g} ps IRF), normalised, one per fluence.")
    doc.figure("fluence_streak.png", "Streak image: recorded emission versus time and fluence, each row normalised.")
    doc.figure("fluence_scaling.png", "Delay and SF time versus fluence; tau_SF versus the number of excited NCs.")
