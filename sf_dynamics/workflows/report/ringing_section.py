"""Report section 3, ringing at high excitation: the noise-initiated Maxwell-Bloch burst of an optically thick
slab through the streak camera's response, its lobes, a Burnham-Chiao fit, and the linear regime.
"""

from __future__ import annotations

import warnings

import numpy as np

__all__ = ["ringing_section"]


def ringing_section(doc, ctx):
    """Section 3: the noise-initiated Maxwell-Bloch burst of a slab through the IRF, its lobes and Burnham-Chiao fits.

    Parameters
    ----------
    doc : Document
        The report being written; the section adds its text, figures and the ``facts`` later sections quote.
    ctx : Context
        Folder, inputs and the report's Sample.
    """
    import json

    import matplotlib.pyplot as plt

    from ..._io import provenance, write_text
    from ...analysis.detector_response import streak_camera
    from ...analysis.fitting import FitQualityWarning, detect_ringing, fit_burnham_chiao
    from ...model import CoherentSpinState, Slab
    from ...simulate import simulate

    inputs, quick = ctx.inputs, ctx.quick
    irf = inputs["irf_fwhm"]
    gamma, dephasing = ctx.sample.radiative_rate, ctx.sample.dephasing
    n_slab = inputs["slab_nanocrystals"]
    mu = inputs["forward_fraction"]
    slab = Slab(n_slab, mu * gamma, decay=(1 - mu) * gamma, dephasing=dephasing, slices=40)
    times = np.linspace(0.0, 60.0, 1201)
    mb = simulate(slab, times, method="maxwell_bloch", trajectories=60 if quick else 200, seed=ctx.seed)
    average = mb.data["forward_intensity"]
    shots = mb.data["single_shots"]
    _, average_seen = streak_camera(times, average, irf)
    _, shots_seen = streak_camera(times, shots[:, :3], irf)
    ring_avg = detect_ringing(times, average_seen, min_prominence=0.02)
    ring_shot = detect_ringing(times, shots_seen[:, 0], min_prominence=0.02)
    i0 = int(np.argmax(shots_seen[:, 0]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitQualityWarning)
        try:
            bc = fit_burnham_chiao(times, shots_seen[:, 0], irf_fwhm=irf,
                                   window=(times[i0] - 3 * irf, times[-1]))
        except (RuntimeError, ValueError):
            bc = None
        weak = simulate(slab, np.linspace(0.0, 60.0, 1201), method="maxwell_bloch", initiation="tipping",
                        initial=CoherentSpinState(np.pi - 0.01))
        weak_fwd = weak.data["forward_intensity"]
        _, weak_seen = streak_camera(weak.times, weak_fwd, irf)
        bc_lin = fit_burnham_chiao(weak.times, weak_seen, irf_fwhm=irf)
    table = np.column_stack([times, average, mb.data["forward_intensity_sem"], average_seen, shots[:, 0],
                             shots_seen[:, 0]])
    header = ("# " + json.dumps(provenance(**ctx.provenance(method="maxwell_bloch"))) + "\n"
              "# sf_dynamics report: Maxwell-Bloch slab, forward (exit-face) emission in photons/ps; *_recorded: "
              f"convolved with a {irf:g} ps Gaussian IRF\n"
              "time_ps,average,average_sem,average_recorded,single_shot,single_shot_recorded\n")
    rows = "\n".join(",".join(f"{v:.10g}" for v in row) for row in table)
    write_text(ctx.out / "ringing.csv", header + rows + "\n", overwrite=ctx.overwrite)
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), constrained_layout=True)
    ax = axes[0]
    ax.plot(times, average_seen, lw=2, label=f"average of {mb.info['trajectories']} shots (recorded)")
    for k in range(shots_seen.shape[1]):
        ax.plot(times, shots_seen[:, k], lw=0.8, alpha=0.8, label="single shots (recorded)" if k == 0 else None)
    if bc is not None:
        style = "k--" if bc.ok else "k:"
        ax.plot(times[i0 - int(3 * irf / (times[1] - times[0])):],
                bc.model(times[i0 - int(3 * irf / (times[1] - times[0])):]), style,
                label=f"Burnham-Chiao fit, shot 1 (R² = {bc.r_squared:.2f}{'' if bc.ok else ', poor'})")
    ax.set_yscale("log")
    ax.set_ylim(average_seen.max() * 1e-3, shots_seen.max() * 3)
    ax.set_xlabel("retarded time (ps)")
    ax.set_ylabel("exit-face emission (photons/ps)")
    ax.set_title("superfluorescence from the inverted slab", fontsize=9)
    ax.legend(frameon=False, fontsize=7)
    ax = axes[1]
    ax.plot(weak.times, weak_seen, lw=2, label="weak pulse, absorbing slab (recorded)")
    ax.plot(weak.times, bc_lin.model(weak.times), "k--", label=f"Burnham-Chiao fit (R² = {bc_lin.r_squared:.4f})")
    ax.set_yscale("log")
    ax.set_ylim(weak_seen.max() * 1e-5, weak_seen.max() * 3)
    ax.set_xlabel("retarded time (ps)")
    ax.set_title("linear regime (free-induction decay)", fontsize=9)
    ax.legend(frameon=False, fontsize=7)
    ctx.save_figure(fig, "ringing.png")

    def lobes(ring):
        times_text = ", ".join(f"{v:.3g}" for v in ring["lobe_times"][:4])
        return f"{ring['lobes']} lobe{'s' if ring['lobes'] != 1 else ''} (at {times_text} ps)"

    average_text = (f"The recorded average keeps {lobes(ring_avg)} with modulation depth "
                    f"{ring_avg['modulation_depth']:.2f}: the shot-to-shot delay jitter is smaller than the lobe "
                    "spacing here, so averaging over shots does not wash the ringing out."
                    if ring_avg["lobes"] >= 2 else
                    f"The recorded average shows {lobes(ring_avg)}: the delay jitter between shots washes the "
                    "ringing out of the average.")
    if bc is None:
        bc_text = "The Burnham-Chiao fit of the recorded single shot did not converge."
    elif bc.ok:
        bc_text = (f"A Burnham-Chiao fit of the recorded single shot (with the IRF) gives b = {bc.params['b']:.3g} ± "
                   f"{bc.errors['b']:.2g} /ps, R^2 = {bc.r_squared:.3f}.")
    else:
        bc_text = ("The Burnham-Chiao form does not describe the nonlinear superfluorescent lobes of the recorded "
                   f"single shot (fit R^2 = {bc.r_squared:.2f}; flagged: {'; '.join(bc.quality['problems'][:2])}); "
                   "it is drawn dotted and not used.")
    linear_quality = bc_lin.quality["note"] if bc_lin.ok else "flagged: " + "; ".join(bc_lin.quality["problems"][:2])
    doc.text(f"""
## 3. Ringing at high excitation

An extended slab of {n_slab:.0e} excited NCs in 40 slices emitting {mu:g} of their rate into the end-fire mode:
T_R = {slab.superradiance_time:.3g} ps, optical depth alpha L = {slab.optical_depth:.3g}. The burst starts from
quantum noise (truncated Wigner, {mb.info['trajectories']} shots) and is recorded through the {irf:g} ps response.
A recorded single shot shows {lobes(ring_shot)}. {average_text} {bc_text}
In the linear regime (a weak pulse of area 0.01 on the same slab in its ground state) the Burnham-Chiao form is
exact: the fit of the recorded trace gives b = {bc_lin.params['b']:.4g} ± {bc_lin.errors['b']:.2g} /ps (R^2 =
{bc_lin.r_squared:.4f}; {linear_quality}).
""")
    doc.facts.update(ringing_lobes_shot=ring_shot["lobes"], ringing_lobes_average=ring_avg["lobes"],
                     slab_nanocrystals=n_slab, slab_optical_depth=slab.optical_depth)
    doc.figure("ringing.png", f"Left: exit-face emission recorded through a {irf:g} ps IRF, shot average and three "
                              "single shots. Right: the linear (free-induction) regime with its Burnham-Chiao fit.")
