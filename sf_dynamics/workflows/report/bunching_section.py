"""Report section 4, photon bunching: g2 of the Sample's coupled band against fluence from exact shots, beside
the uncoupled band under the same detection (fast and slow Hanbury Brown-Twiss), shot delays and photons per
pulse.
"""

from __future__ import annotations

__all__ = ["bunching_section", "bunching_verdict"]

#: a g2 difference counts when it exceeds this many standard errors of the sampled values
SIGMA_LEVEL = 3.0


def bunching_verdict(series):
    """Does g2 tell the coupled band from the uncoupled band under the same detection?

    For each detection (fast HBT at the burst's peak; photon counting per pulse with slow detectors) and each
    fluence with a burst, the coupled band is bunched and more so than the uncoupled band when its g2 exceeds
    both 1 and the uncoupled band's g2 by more than :data:`SIGMA_LEVEL` standard errors of the sampled g2.

    Parameters
    ----------
    series : xarray.Dataset
        From :func:`~sf_dynamics.workflows.bunching.bunching_series`.

    Returns
    -------
    dict
        ``fast`` and ``pulse``: lists of (coupled, its standard error, uncoupled, passes) at the fluences with a
        burst; ``discriminates``: detection -> number of bursts that pass; ``bursts`` (their number).
    """
    burst = series["burst"].values.astype(bool)
    out = {"bursts": int(burst.sum()), "discriminates": {}}
    for name, coupled, sem, uncoupled in (("fast", "g2_peak", "g2_peak_sem", "g2_mode_uncoupled"),
                                          ("pulse", "g2_pulse", "g2_pulse_sem", "g2_pulse_uncoupled")):
        rows = []
        for c, e, u in zip(series[coupled].values[burst], series[sem].values[burst], series[uncoupled].values[burst]):
            rows.append((float(c), float(e), float(u), bool(c - max(u, 1.0) > SIGMA_LEVEL * e)))
        out[name] = rows
        passed = sum(r[3] for r in rows)
        if passed:
            out["discriminates"][name] = passed
    return out


def bunching_section(doc, ctx):
    """Section 4: g2 of the coupled band against fluence from exact shots, the uncoupled band beside it.

    Parameters
    ----------
    doc : Document
        The report being written; the section adds its text, figures and the ``facts`` later sections quote.
    ctx : Context
        Folder, inputs and the report's Sample.
    """
    from ...model import ProductState
    from ...plotting import plot_bunching_series, plot_shot_statistics
    from ..bunching import bunching_series, shot_statistics

    eta = ctx.inputs["collection_efficiency"]
    shots = 600 if ctx.quick else 4000
    fluences = doc.facts["fluences"][-(3 if ctx.quick else 5):]
    series = bunching_series(fluences, ctx.sample, efficiency=eta, local_efficiency=0.1 * eta, method="jumps",
                             trajectories=shots, seed=ctx.seed, progress=False, window_ps=float(doc.facts["times"][-1]))
    ctx.save_dataset(series, "bunching", method="jumps")
    ctx.save_figure(plot_bunching_series(series)[0].figure, "bunching.png")
    n = ctx.sample.sizes[0]
    p = float(series["probability"].values[-1])
    delays, counts = shot_statistics(ctx.sample.domain(n), series["time"].values, efficiency=eta,
                                     local_efficiency=0.1 * eta, trajectories=shots, seed=ctx.seed + 1,
                                     initial=ProductState(p))
    ctx.save_figure(plot_shot_statistics(delays, counts), "shots.png", shot_seed=ctx.seed + 1, trajectories=shots,
                    probability=p)
    rows = "\n".join(
        f"| {f:.3g} | {float(series['probability'][k]):.3f} | {'yes' if series['burst'][k] else 'no'} | "
        f"{float(series['g2_peak'][k]):.3f} ± {float(series['g2_peak_sem'][k]):.3f} | "
        f"{float(series['g2_mode_uncoupled'][k]):.3f} | "
        f"{float(series['g2_pulse'][k]):.4f} ± {float(series['g2_pulse_sem'][k]):.4f} | "
        f"{float(series['g2_pulse_uncoupled'][k]):.4f} |"
        for k, f in enumerate(series["fluence"].values))
    verdict = bunching_verdict(series)
    detections = {"fast": "fast detection at the peak", "pulse": "photon counting per pulse"}
    if verdict["bursts"] == 0:
        reading = "No fluence of the series gives a burst, so there is no coupled band to test."
    elif not verdict["discriminates"]:
        reading = ("**g2 does not discriminate here**: under both detections the coupled band is not more bunched than "
                   "the uncoupled band (whose field in one mode is chaotic light, g2 = 2 (1 - 1/N)), so g2 > 1 alone "
                   "is no evidence of superfluorescence.")
    else:
        passing = " and ".join(f"{detections[k]} at {n} of {verdict['bursts']} bursts"
                               for k, n in verdict["discriminates"].items())
        failing = [detections[k] for k in detections if k not in verdict["discriminates"]]
        reading = (f"g2 discriminates with {passing} (coupled g2 above 1 and above the uncoupled band's by more "
                   f"than {SIGMA_LEVEL:g} standard errors)" + (f"; with {failing[0]} it does not." if failing else "."))
    doc.text(f"""
## 4. Photon bunching

The domains of the sample, sampled exactly photon by photon (method `jumps`, {shots} shots per fluence, seed
{ctx.seed}; each NC excited with probability p(F)). Two Hanbury Brown-Twiss detections of the coupled band (the
collective channel), each beside the uncoupled band under the same detection: fast detectors, the equal-time g2
at the burst's peak against the uncoupled NCs' field in one mode (chaotic light); slow detectors counting photons
per pulse, collecting each collective-channel photon with probability {eta:g}, against as many uncoupled NCs with
the same excitation and efficiency. Test, per detection and burst: the coupled band's g2 exceeds 1 and the
uncoupled band's g2 by more than {SIGMA_LEVEL:g} standard errors.

| fluence (uJ/cm^2) | p(F) | burst | g2 at peak, coupled | one mode, uncoupled | per pulse, coupled | \
per pulse, uncoupled |
|---|---|---|---|---|---|---|
{rows}

{reading} At p = {p:.3f} the exact shots have delays of {delays.attrs['mean_ps']:.3g} ± {delays.attrs['std_ps']:.2g} ps
(first time of the maximum rate; relative spread {delays.attrs['relative_spread']:.2f}).
""")
    doc.facts.update(bunching=verdict, bunching_series=series)
    doc.figure("bunching.png", "Left: equal-time g2(t) of the coupled band at each fluence, drawn where its rate "
                               "exceeds 5 % of the peak; right: the g2 of both detections against fluence, coupled "
                               "and uncoupled.")
    doc.figure("shots.png", f"Exact single shots at p = {p:.3f}: delay and half-emission-time histograms, and the "
                            "distribution of photons detected per pulse against the Poisson law of the same mean.")
