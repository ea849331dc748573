"""Report section 1, the fluence series: the report's Sample at a series of pump fluences as a streak camera
records it, the burst test at each fluence, the threshold fluence from the same test, tau_D where there is a
burst, the sech^2 fit of tau_SF and its scaling with the inversion.
"""

from __future__ import annotations

import numpy as np

from ...analysis.fitting import R2_POOR

__all__ = ["fluence_section", "report_fluences", "REPORT_TIMES", "SHOTS", "SHOTS_QUICK"]

#: the report's time grid (ps) from the excitation: it holds the slowest burst near threshold
REPORT_TIMES = (0.0, 200.0, 401)
#: exact shots (``jumps``) per excitation: the sampled average's standard error is ~1/sqrt(shots) of the rate
SHOTS, SHOTS_QUICK = 4000, 1000


def report_fluences(quick):
    """The fluences (uJ/cm^2) of the series: from below to well above the burst threshold of the defaults."""
    return np.geomspace(3.0, 40.0, 5 if quick else 8)


def _tau_sf_cell(fit):
    """The tau_SF table cell: value ± error, or why the sech^2 fit was not used."""
    if fit["fit_ok"]:
        return f"{fit['tau_sf']:.3g} ± {fit['tau_sf_error']:.2g}"
    return "not fitted: " + "; ".join(fit["fit_problems"][:1])


def fluence_section(doc, ctx):
    """Section 1: the Sample at a series of pump fluences through the streak camera; threshold, tau_D, tau_SF.

    Parameters
    ----------
    doc : Document
        The report being written; the section adds its text, figures and the ``facts`` later sections quote.
    ctx : Context
        Folder, inputs and the report's Sample.
    """
    import matplotlib.pyplot as plt

    from ... import analysis
    from ...plotting import plot_stacked_traces, plot_streak
    from ..fluence import fit_power_law

    sample, inputs = ctx.sample, ctx.inputs
    irf = inputs["irf_fwhm"]
    n = sample.sizes[0]
    fluences = report_fluences(ctx.quick)
    times = np.linspace(*REPORT_TIMES)
    shots = SHOTS_QUICK if ctx.quick else SHOTS
    series = sample.fluence_series(fluences, times, irf_fwhm=irf, progress=False, method="jumps",
                                   trajectories=shots, seed=ctx.seed)
    prob = series["probability"].values
    recorded = series["recorded"].values
    fits = []
    for k in range(fluences.size):
        if series["burst"].values[k]:
            # the burst test uses the exact emission of the domains (the IRF lowers the recorded rate at t = 0);
            # tau_SF is fitted to what the streak camera records: burst + slow decay of the uncoupled NCs
            fits.append(analysis.burst_summary(times, recorded[k], irf_fwhm=irf, slow=True, threshold=0.0))
        else:
            fits.append({"tau_sf": float("nan"), "tau_sf_error": float("nan"), "fit_ok": False,
                         "fit_problems": ["no burst"]})
    series["tau_sf_fit"] = ("fluence", np.array([f["tau_sf"] for f in fits]), {"units": "ps"})
    series["tau_sf_fit_error"] = ("fluence", np.array([f["tau_sf_error"] for f in fits]), {"units": "ps"})
    series["inversion"] = ("fluence", n * (2 * prob - 1), {"long_name": "inversion of a domain N (2p - 1)"})
    ctx.save_dataset(series, "fluence_series", method=series.attrs["method"])
    ax = plot_stacked_traces(times, recorded, labels=[f"{f:.3g} uJ/cm2, p = {p:.2f}" for f, p in
                                                      zip(fluences, prob)])
    ax.set_title(f"the sample recorded through a {irf:g} ps IRF", fontsize=9)
    ctx.save_figure(ax.figure, "fluence_traces.png")
    ax = plot_streak(times, fluences, recorded, ylabel=r"fluence ($\mu$J/cm$^2$)", normalise_rows=True,
                     colorbar_label="emission / its maximum")
    ax.set_yscale("log")
    ctx.save_figure(ax.figure, "fluence_streak.png")
    good = np.array([f["fit_ok"] for f in fits])
    tau_sf = series["tau_sf_fit"].values
    tau_d = series["tau_d"].values
    threshold = series.attrs["threshold_fluence_uJ_cm2"]
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), constrained_layout=True)
    axes[0].plot(fluences, tau_d, "o-", label=r"$\tau_D$ (domains, where the burst test holds)")
    axes[0].errorbar(fluences[good], tau_sf[good], yerr=series["tau_sf_fit_error"].values[good],
                     fmt="s-", label=r"$\tau_{SF}$ (fit of the recorded trace)")
    if np.isfinite(threshold):
        axes[0].axvline(threshold, color="0.5", ls=":", label="burst threshold")
    axes[0].set_xscale("log")
    axes[0].set_yscale("log")
    axes[0].set_xlabel(r"fluence ($\mu$J/cm$^2$)")
    axes[0].set_ylabel("time (ps)")
    axes[0].legend(frameon=False, fontsize=8)
    inversion = series["inversion"].values
    law = "fewer than three bursts with an unflagged sech^2 fit: no power law"
    if good.sum() >= 3:
        p, err, c = fit_power_law(inversion[good], tau_sf[good])
        axes[1].loglog(inversion[good], tau_sf[good], "s", color="C1")
        axes[1].loglog(inversion[good], c * inversion[good] ** p, "k--", label=f"$N(2p-1)^{{{p:.2f}}}$")
        axes[1].legend(frameon=False)
        law = (f"tau_SF ~ [N (2p - 1)]^{p:.2f} ± {err:.2f} over the {int(good.sum())} bursts whose sech^2 fit is "
               f"unflagged (R^2 >= {R2_POOR}, no parameter at a bound or with an error above its value; ideal: -1)")
    axes[1].set_xlabel("inversion of a domain N (2p - 1)")
    axes[1].set_ylabel(r"$\tau_{SF}$ (ps)")
    ctx.save_figure(fig, "fluence_scaling.png")
    ratio = series["peak_over_incoherent"].values
    table = "\n".join(
        f"| {f:.3g} | {p:.3f} | {r:.3g} | {format(d, '.3g') if np.isfinite(d) else 'no burst'} | "
        f"{_tau_sf_cell(fit)} |"
        for f, p, r, d, fit in zip(fluences, prob, ratio, tau_d, fits))
    threshold_text = (f"**{threshold:.3g} uJ/cm^2** (p = {series.attrs['threshold_probability']:.3f}), found by "
                      "bisection on p with the same test" if np.isfinite(threshold) else
                      "not reached: even full excitation gives no burst")
    doc.text(f"""
## 1. Fluence series

The sample at {fluences.size} pump fluences: every NC is excited with probability p(F) = 1 - exp(-sigma F / E_ph)
(sigma = {sample.cross_section_cm2:g} cm^2, E_ph = {sample.photon_energy_eV:g} eV); NCs the pump missed stay in the
ground state and absorb. Domains of {n} NCs are sampled exactly ({shots} shots of `{series.attrs['method']}` per
excitation, seed {ctx.seed}: the Dicke-basis populations as a Markov chain); the uncoupled NCs
({1 - sample.coupled_fraction:.0%} of all) decay at 1/{inputs['radiative_lifetime']:g} ps. The streak camera records
the sum through a {irf:g} ps Gaussian instrument response; tau_SF comes from a sech^2 + slow-decay fit of that
record with the same response.

Burst test ({series.attrs['criterion']}): the ratio in the table. Threshold fluence: {threshold_text}.

| fluence (uJ/cm^2) | p(F) | peak / rate at excitation | tau_D (ps) | tau_SF (ps), fit |
|---|---|---|---|---|
{table}

Scaling: {law}.
""")
    doc.facts.update(fluences=fluences, probability=prob, tau_d=tau_d, tau_sf=tau_sf, tau_sf_good=good,
                     threshold_fluence=threshold, threshold_probability=series.attrs["threshold_probability"],
                     criterion=series.attrs["criterion"], times=times, series=series)
    doc.figure("fluence_traces.png", f"Recorded traces ({irf:g} ps IRF), normalised, one per fluence.")
    doc.figure("fluence_streak.png", "Streak image: recorded emission versus time and fluence, each row normalised.")
    doc.figure("fluence_scaling.png", "Delay and SF time versus fluence (threshold dotted); tau_SF versus the "
                                      "inversion of a domain.")
