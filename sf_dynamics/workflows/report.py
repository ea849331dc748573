"""The ``sf-dynamics report``: a CsPbBr3-like superlattice from a fluence series to thermal decoherence.

On built-in defaults (literature values or stated assumptions, listed in
the report's parameter table) it writes into one folder:

1. ``fluence_series.{csv,nc}``, ``fluence_traces.png``, ``fluence_streak.png``,
   ``fluence_scaling.png``: a coherent domain of 300 NCs at eight pump
   fluences, simulated exactly (``permutational``) and seen through a
   streak camera with a 2 ps instrument response; tau_D, tau_SF (sech^2 fit
   with the IRF) and their scaling with the number of excited NCs;
2. ``spectrum.{csv,nc,png}``, ``spectrogram.png``: the domain's collective G1(t, tau)
   at the highest fluence (``permutational``), its spectrum and first-order
   coherence time against one NC, the spectrogram behind a spectrometer,
   and the weak-excitation PL of a superlattice with its coupled-line shift;
3. ``ringing.{csv,png}``: the noise-initiated Maxwell-Bloch burst of an
   optically thick slab, recorded through the same 2 ps response, its
   lobes and a Burnham-Chiao fit (flagged when poor), and the linear
   (weak-pulse) regime where the Burnham-Chiao form is exact;
4. ``thermal_*.{csv,nc}``, ``thermal_enhancement.png``, ``dynamic_sweep.*``:
   the thermal-decoherence summary (equilibrium enhancement of a 6x6x6
   superlattice, dynamical temperature sweep with tau_D masked where the
   burst has vanished);
5. a table of the five signatures of Rainò et al. (2018), reported against simulated
   (:mod:`sf_dynamics.workflows.signatures`);
6. ``report.md`` and ``report.html`` (rendered with markdown-it-py: figures
   with captions, links to the data files, package version and date).

Every number in the text is computed in the run that writes it.
"""

from __future__ import annotations

import html
import time
import warnings
from pathlib import Path

import numpy as np

from ..kernels.peaks import peak_fwhm

__all__ = ["write_report", "REPORT_FILES", "PARAMETERS"]

#: files the report writes (an existing one is replaced only with overwrite=True)
REPORT_FILES = [
    "report.md", "report.html", "fluence_series.csv", "fluence_series.nc", "fluence_traces.png",
    "fluence_streak.png", "fluence_scaling.png", "ringing.csv", "ringing.png", "thermal_W0meV.nc",
    "thermal_W0meV.csv", "thermal_W0.5meV.nc", "thermal_W0.5meV.csv", "thermal_enhancement.png",
    "dynamic_sweep.nc", "dynamic_sweep.csv", "dynamic_sweep.png", "spectrum.csv", "spectrum.nc", "spectrum.png",
    "spectrogram.png", "bunching.csv", "bunching.nc", "bunching.png", "shots.png",
]

#: the report's physical inputs: value, unit, source or status
PARAMETERS = {
    "radiative_lifetime": (210.0, "ps", "single CsPbBr3-type QD at cryogenic temperature (Utzat et al., Science 363, "
                                       "1068 (2019))"),
    "coherence_time": (80.0, "ps", "single-QD optical coherence time, same source; gives dephasing 0.0101 /ps"),
    "collective_fraction": (0.3, "", "share of each NC's emission into the common mode of a point-like domain "
                                     "(assumption)"),
    "domain_nanocrystals": (300, "NCs", "coherently coupled domain (assumption; literature estimates of the "
                                        "coupled fraction span 1e-7 to 1e-3 of a superlattice)"),
    "pump_photon_energy": (3.1, "eV", "400 nm pump (typical)"),
    "absorption_cross_section": (5e-14, "cm^2", "per NC at the pump wavelength (literature range 1e-14 to 1e-13, "
                                                "assumption)"),
    "collection_efficiency": (0.1, "", "detection probability of a collective-channel photon (assumption; "
                                       "local-channel photons: a tenth of it)"),
    "irf_fwhm": (2.0, "ps", "streak-camera instrument response (typical; adjustable)"),
    "slab_nanocrystals": (4e5, "NCs", "excited NCs of an extended, pencil-shaped sample (assumption)"),
    "forward_fraction": (1e-3, "", "share of emission into the end-fire mode, 3 lambda^2 / (8 pi A) (assumption)"),
    "lattice_constant": (12.0, "nm", "9.5 nm cubes + 2.5 nm ligands (literature range, unconfirmed)"),
    "wavelength": (515.0, "nm", "CsPbBr3 emission (literature range 510-520 nm)"),
    "inhomogeneous_fwhm": (20.0, "meV", "spread of the uncoupled NCs' line energies, the width of their ensemble "
                                        "line (assumption, for the coherence-time reference of section 6)"),
}


def _parameter_table():
    rows = "\n".join(f"| {name.replace('_', ' ')} | {value:g} {unit} | {source} |"
                     for name, (value, unit, source) in PARAMETERS.items())
    return "| input | value | source or status |\n|---|---|---|\n" + rows


class _Doc:
    """Report blocks: Markdown text and figures with captions, rendered to Markdown and HTML."""

    def __init__(self):
        self.blocks = []
        self.figures = 0
        self.facts = {}      # numbers a later section (the signatures table) quotes

    def text(self, markdown):
        self.blocks.append(("text", markdown.strip() + "\n"))

    def figure(self, name, caption):
        self.figures += 1
        self.blocks.append(("figure", name, f"Figure {self.figures}. {caption}"))

    def markdown(self):
        parts = []
        for block in self.blocks:
            if block[0] == "text":
                parts.append(block[1])
            else:
                parts.append(f"![{block[2]}]({block[1]})\n\n*{block[2]}*\n")
        return "\n".join(parts)

    def html(self, title):
        from markdown_it import MarkdownIt

        md = MarkdownIt("commonmark").enable("table")
        body = []
        for block in self.blocks:
            if block[0] == "text":
                body.append(md.render(block[1]))
            else:
                src, caption = html.escape(block[1]), html.escape(block[2])
                body.append(f'<figure><a href="{src}"><img src="{src}" alt="{caption}"></a>'
                            f"<figcaption>{caption}</figcaption></figure>")
        style = ("body{font-family:sans-serif;max-width:960px;margin:auto;line-height:1.45}"
                 "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px}"
                 "figure{margin:1.5em 0}img{max-width:100%}figcaption{font-size:90%;color:#444}")
        return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
                f"<style>{style}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n")


def _nc_rates():
    """(gamma, collective share, dephasing) of one NC from the parameter table (1/ps)."""
    gamma = 1.0 / PARAMETERS["radiative_lifetime"][0]
    return gamma, PARAMETERS["collective_fraction"][0], 1.0 / PARAMETERS["coherence_time"][0] - 0.5 * gamma


def _excited(fluences):
    """Excited NCs (at least one) of the coherent domain at the given fluences (uJ/cm^2)."""
    from .fluence import excited_emitters

    return np.maximum(np.round(excited_emitters(
        np.asarray(fluences, dtype=float), nanocrystals=PARAMETERS["domain_nanocrystals"][0],
        cross_section_cm2=PARAMETERS["absorption_cross_section"][0],
        photon_energy_eV=PARAMETERS["pump_photon_energy"][0])).astype(int), 1)


def _tau_sf_cell(fit):
    """The tau_SF table cell: value ± error, or why the sech^2 fit was not used."""
    if fit["fit_ok"]:
        return f"{fit['tau_sf']:.3g} ± {fit['tau_sf_error']:.2g}"
    return "not fitted: " + "; ".join(fit["fit_problems"][:1])


def _fluence_section(doc, out, quick, overwrite):
    import matplotlib.pyplot as plt

    from .. import analysis
    from .._io import save_dataset, save_figure
    from ..analysis.detector_response import streak_camera
    from ..model import Ensemble
    from ..plotting import plot_stacked_traces, plot_streak
    from ..simulate import simulate
    from .fluence import fit_power_law

    irf = PARAMETERS["irf_fwhm"][0]
    gamma, share, dephasing = _nc_rates()
    domain = PARAMETERS["domain_nanocrystals"][0]
    fluences = np.geomspace(1.0, 30.0, 5 if quick else 8)
    excited = _excited(fluences)
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
    law = "fewer than three bursts with a good fit: no power law"
    if good.sum() >= 3:
        p, err, c = fit_power_law(excited[good], tau_sf[good])
        axes[1].loglog(excited[good], tau_sf[good], "s", color="C1")
        axes[1].loglog(excited[good], c * excited[good].astype(float) ** p, "k--", label=f"N^{p:.2f}")
        axes[1].legend(frameon=False)
        law = f"tau_SF ~ N^{p:.2f} ± {err:.2f} over the {int(good.sum())} bursts with a good fit (ideal: -1)"
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


def _spectrum_section(doc, out, quick, overwrite):
    import matplotlib.pyplot as plt
    import xarray as xr

    from .. import analysis, spectra, thermal
    from .._io import save_dataset, save_figure
    from ..geometry import Superlattice
    from ..model import Ensemble
    from ..plotting import plot_g1, plot_streak
    from ..units import HBAR_MEV_PS

    gamma, share, dephasing = _nc_rates()
    wavelength = PARAMETERS["wavelength"][0]
    fluence = 30.0   # the highest fluence of the series
    n = int(_excited([fluence])[0])
    step, window = (1.0, 100.0) if quick else (0.5, 150.0)
    grid = np.arange(0.0, window + step / 2, step)
    domain = Ensemble(n, collective_decay=share * gamma, decay=(1 - share) * gamma, dephasing=dephasing)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", spectra.CoherenceWindowWarning)
        corr = spectra.first_order(domain, grid, grid, detector="collective")
    single = spectra.first_order(Ensemble(1, decay=gamma, dephasing=dephasing), np.linspace(0, 10 / gamma, 11),
                                 np.arange(0.0, 12 * PARAMETERS["coherence_time"][0], step))
    coupled_spec = spectra.spectrum(corr, center_wavelength_nm=wavelength, oversample=8)
    single_spec = spectra.spectrum(single, omega=coupled_spec["omega"].values, center_wavelength_nm=wavelength)
    g1_coupled, g1_single = spectra.normalized_g1(corr), spectra.normalized_g1(single)
    tc_coupled, tc_single = analysis.coherence_time(g1_coupled), analysis.coherence_time(g1_single)
    filter_fwhm = 1.0  # rad/ps: 0.66 meV spectrometer resolution, 1 ps time resolution
    gram = spectra.time_resolved_spectrum(corr, filter_fwhm, center_wavelength_nm=wavelength)
    lattice = Superlattice.cubic(*(3, 3, 3) if quick else (6, 6, 6),
                                 lattice_constant_nm=PARAMETERS["lattice_constant"][0])
    pl = thermal.photoluminescence(lattice, 6.0, dephasing=dephasing)
    energy = coupled_spec["energy_meV"].values
    width = {k: peak_fwhm(energy, v) for k, v in (("coupled", coupled_spec.values), ("single", single_spec.values))}
    ds = xr.Dataset(
        {"coupled": ("omega", coupled_spec.values, {"units": "photons per (rad/ps)"}),
         "single_nc": ("omega", single_spec.values, {"units": "photons per (rad/ps)"})},
        coords={"omega": ("omega", coupled_spec["omega"].values, {"units": "rad/ps"}),
                "energy_meV": ("omega", energy, {"units": "meV"}),
                "wavelength_nm": ("omega", coupled_spec["wavelength_nm"].values, {"units": "nm"})},
        attrs={"excited": n, "coherence_time_coupled_ps": tc_coupled, "coherence_time_single_ps": tc_single})
    save_dataset(ds, out / "spectrum", overwrite=overwrite, method="permutational", command="sf-dynamics report")
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.6), constrained_layout=True)
    for spec, label in ((coupled_spec, f"coupled domain, N = {n} (collective channel)"),
                        (single_spec, "one NC")):
        axes[0].plot(spec["energy_meV"], spec.values / spec.values.max(), label=label)
    axes[0].set_xlim(-8 * max(width.values()), 8 * max(width.values()))
    axes[0].set_xlabel("energy from the NC line (meV)")
    axes[0].set_ylabel("spectrum / its maximum")
    axes[0].legend(frameon=False, fontsize=8)
    plot_g1([g1_coupled, g1_single], labels=["coupled domain", "one NC"], ax=axes[1])
    axes[1].set_xlim(0, 4 * tc_single)
    for key, label in (("coupled", "superlattice (coupled)"), ("uncoupled", "uncoupled NCs")):
        axes[2].plot(pl["energy_meV"], pl[key] / pl[key].max(), label=label)
    axes[2].set_xlim(pl.attrs["coupled_peak_meV"] - 4, 4)
    axes[2].set_xlabel("energy from the NC line (meV)")
    axes[2].legend(frameon=False, fontsize=8)
    save_figure(fig, out / "spectrum.png", overwrite=overwrite)
    keep = np.abs(gram["energy_meV"].values) <= 6 * max(width.values()) + 1.0
    ax = plot_streak(gram["time"].values, gram["wavelength_nm"].values[keep], gram.values.T[keep],
                     colorbar_label="filtered emission (photons/ps per rad/ps)")
    save_figure(ax.figure, out / "spectrogram.png", overwrite=overwrite)
    doc.text(f"""
## 2. Spectrum and first-order coherence

The domain of section 1 at {fluence:g} uJ/cm^2 (N = {n} excited NCs): G1(t, tau) of the collective channel by
the quantum regression theorem (`permutational`, exact), its time-integrated spectrum, and the spectrogram a
streak camera behind a spectrometer of {filter_fwhm * HBAR_MEV_PS:.2g} meV resolution records (Eberly-Wodkiewicz
physical spectrum; the filter also sets a {1 / filter_fwhm:g} ps time resolution).

| | coupled domain | one NC |
|---|---|---|
| line FWHM (meV) | {width['coupled']:.3g} | {width['single']:.3g} |
| coherence time tau_c = int abs(g1)^2 dtau (ps) | {tc_coupled:.3g} | {tc_single:.3g} |

The burst broadens the line of the point-like domain (its photons leave within ~tau_SF) and shortens its
first-order coherence time to {tc_coupled / tc_single:.2g} times the single-NC value: in this model the
coherence-time gain reported for superlattices does not come from a burst of a point-like domain. A
point-like domain also has no dipole-dipole shift. The shift comes from the lattice: a
{'x'.join(str(s) for s in lattice.shape)} superlattice (lattice constant {PARAMETERS['lattice_constant'][0]:g} nm)
with one thermalised exciton at 6 K emits its coupled line {pl.attrs['shift_meV']:+.2f} meV from the uncoupled
line (FWHM {pl.attrs['coupled_fwhm_meV']:.2g} meV against {pl.attrs['uncoupled_fwhm_meV']:.2g} meV); its size
grows with the lattice (`python scripts/red_shift.py`).
""")
    doc.facts.update(coherence_coupled=tc_coupled, coherence_single=tc_single, shift_meV=pl.attrs["shift_meV"],
                     lattice_shape=lattice.shape, coherence_fluence=fluence, coherence_excited=n)
    doc.figure("spectrum.png", "Left: time-integrated spectra of the coupled domain and of one NC; middle: "
                               "first-order coherence abs(g1(tau)); right: weak-excitation PL of the superlattice "
                               "at 6 K, coupled and uncoupled.")
    doc.figure("spectrogram.png", "Spectrogram of the burst: filtered emission versus time and wavelength.")


def _ringing_section(doc, out, quick, overwrite):
    import matplotlib.pyplot as plt

    from .._io import save_figure, write_text
    from ..analysis.detector_response import streak_camera
    from ..analysis.fitting import FitQualityWarning, detect_ringing, fit_burnham_chiao
    from ..model import CoherentSpinState, Slab
    from ..simulate import simulate

    irf = PARAMETERS["irf_fwhm"][0]
    gamma, _, dephasing = _nc_rates()
    n_slab = PARAMETERS["slab_nanocrystals"][0]
    mu = PARAMETERS["forward_fraction"][0]
    slab = Slab(n_slab, mu * gamma, decay=(1 - mu) * gamma, dephasing=dephasing, slices=40)
    times = np.linspace(0.0, 60.0, 1201)
    mb = simulate(slab, times, method="maxwell_bloch", trajectories=60 if quick else 200, seed=1)
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
    header = ("# sf_dynamics report: Maxwell-Bloch slab, forward (exit-face) emission in photons/ps; *_recorded: "
              f"convolved with a {irf:g} ps Gaussian IRF\n"
              "time_ps,average,average_sem,average_recorded,single_shot,single_shot_recorded\n")
    rows = "\n".join(",".join(f"{v:.10g}" for v in row) for row in table)
    write_text(out / "ringing.csv", header + rows + "\n", overwrite=overwrite)
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
    save_figure(fig, out / "ringing.png", overwrite=overwrite)

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
    doc.text(f"""
## 3. Ringing at high excitation

An extended slab of {n_slab:.0e} excited NCs in 40 slices emitting {mu:g} of their rate into the end-fire mode:
T_R = {slab.superradiance_time:.3g} ps, optical depth alpha L = {slab.optical_depth:.3g}. The burst starts from
quantum noise (truncated Wigner, {mb.info['trajectories']} shots) and is recorded through the {irf:g} ps response.
A recorded single shot shows {lobes(ring_shot)}. {average_text} {bc_text}
In the linear regime (a weak pulse of area 0.01 on the same slab in its ground state) the Burnham-Chiao form is
exact: the fit of the recorded trace gives b = {bc_lin.params['b']:.4g} ± {bc_lin.errors['b']:.2g} /ps (R^2 =
{bc_lin.r_squared:.4f}, {'good' if bc_lin.ok else 'flagged: ' + '; '.join(bc_lin.quality['problems'][:2])}).
""")
    doc.facts.update(ringing_lobes_shot=ring_shot["lobes"], ringing_lobes_average=ring_avg["lobes"],
                     slab_nanocrystals=n_slab)
    doc.figure("ringing.png", f"Left: exit-face emission recorded through a {irf:g} ps IRF, shot average and three "
                              "single shots. Right: the linear (free-induction) regime with its Burnham-Chiao fit.")


def _bunching_section(doc, out, quick, overwrite):
    from .._io import save_dataset, save_figure
    from ..model import Ensemble
    from ..plotting import plot_bunching_series, plot_shot_statistics
    from .bunching import bunching_series, shot_statistics

    gamma, share, dephasing = _nc_rates()
    eta = PARAMETERS["collection_efficiency"][0]
    shots = 600 if quick else 4000
    fluences = np.geomspace(1.0, 30.0, 4 if quick else 6)
    series = bunching_series(
        fluences, nanocrystals=PARAMETERS["domain_nanocrystals"][0],
        cross_section_cm2=PARAMETERS["absorption_cross_section"][0],
        photon_energy_eV=PARAMETERS["pump_photon_energy"][0], collective_decay=share * gamma,
        decay=(1 - share) * gamma, dephasing=dephasing, efficiency=eta, local_efficiency=0.1 * eta,
        method="jumps", trajectories=shots, seed=1, progress=False)
    save_dataset(series, out / "bunching", overwrite=overwrite, method="jumps", command="sf-dynamics report")
    save_figure(plot_bunching_series(series)[0].figure, out / "bunching.png", overwrite=overwrite)
    n = int(series["excited"].values[-1])
    ensemble = Ensemble(n, collective_decay=share * gamma, decay=(1 - share) * gamma, dephasing=dephasing)
    times = series["time"].values
    delays, counts = shot_statistics(ensemble, times, efficiency=eta, local_efficiency=0.1 * eta,
                                     trajectories=shots, seed=2)
    save_figure(plot_shot_statistics(delays, counts), out / "shots.png", overwrite=overwrite)
    rows = "\n".join(
        f"| {f:.3g} | {int(series['excited'][k])} | {float(series['g2_peak'][k]):.3f} | "
        f"{float(series['g2_zero_delay'][k]):.3f} | {float(series['g2_pulse'][k]):.4f} | "
        f"{float(series['g2_mode_uncoupled'][k]):.3f} | {float(series['g2_pulse_uncoupled'][k]):.4f} |"
        for k, f in enumerate(fluences))
    peak, chaotic = series["g2_peak"].values, series["g2_mode_uncoupled"].values
    if np.all((peak > 1) & (peak < chaotic)):
        trend = ("Every burst is bunched (g2 > 1) but less than chaotic light"
                 + (": at the lowest fluence the collective channel is nearly noise-like, and as the excitation "
                    "grows the peak of the burst comes closer to coherent light (g2 = 1)."
                    if np.all(np.diff(peak) < 0) else "."))
    else:
        trend = f"The peak g2 ranges from {peak.min():.3g} to {peak.max():.3g}."
    pulse_spread = float(np.max(np.abs(series["g2_pulse"].values - 1)))
    doc.text(f"""
## 4. Photon bunching

The domain of section 1, sampled exactly photon by photon (method `jumps`, {shots} shots per fluence: the
Dicke-basis populations as a Markov chain, no approximation beyond sampling). Three Hanbury Brown-Twiss
quantities of the collective channel: the equal-time g2 at the burst's peak, the zero-delay g2 of a pulsed
measurement with fast detectors (int G2(t, 0) dt over int I(t)^2 dt), and the per-pulse g2 = <n(n-1)>/<n>^2 of
slow detectors, collecting each collective-channel photon with probability {eta:g} and each local-channel photon
with {0.1 * eta:g}. For comparison, as many independent NCs: their fields summed into one mode are chaotic light,
and their photons counted per pulse are binomial.

| fluence (uJ/cm^2) | excited NCs | g2 at peak | g2(0), fast | g2 per pulse | uncoupled: one mode | per pulse |
|---|---|---|---|---|---|---|
{rows}

{trend} The per-pulse g2 stays within {pulse_spread:.2g} of 1: with full inversion the number of photons per
pulse is nearly fixed, and only the share the collected channel receives fluctuates. At N = {n} the exact
shots have delays of {delays.attrs['mean_ps']:.3g} ± {delays.attrs['std_ps']:.2g} ps (time of the maximum;
relative spread {delays.attrs['relative_spread']:.2f}).
""")
    doc.facts.update(g2_peak=peak, g2_excited=series["excited"].values)
    doc.figure("bunching.png", "Left: equal-time g2(t) of the collective channel at each fluence; right: the three "
                               "g2 against fluence with the uncoupled references.")
    doc.figure("shots.png", f"Exact single shots at N = {n}: delay (time of maximum) and half-emission-time "
                            "histograms, and the distribution of photons detected per pulse against the Poisson law "
                            "of the same mean.")


def _thermal_section(doc, out, quick, overwrite):
    from .._io import save_dataset, save_figure
    from ..plotting import plot_enhancement, plot_temperature_sweep
    from .sweep import dynamic_temperature_sweep, thermal_sweep

    temps = np.geomspace(0.5, 300.0, 10 if quick else 16)
    size = (4, 4, 4) if quick else (6, 6, 6)
    a = PARAMETERS["lattice_constant"][0]
    curves = []
    for w in (0.0, 0.5):
        ds = thermal_sweep("cubic", size, temps, realizations=1 if w == 0 else 2, energy_disorder_meV=w,
                           lattice_constant_nm=a, executor="serial")
        save_dataset(ds, out / f"thermal_W{w:g}meV", overwrite=overwrite, method="thermal dense",
                     command="sf-dynamics report")
        curves.append(ds)
    save_figure(plot_enhancement(curves, labels=["W = 0", "W = 0.5 meV"]).figure, out / "thermal_enhancement.png",
                overwrite=overwrite)
    gamma, share, _ = _nc_rates()
    dyn = dynamic_temperature_sweep(np.linspace(4.0, 100.0, 7 if quick else 13),
                                    n=150 if quick else int(PARAMETERS["domain_nanocrystals"][0]),
                                    collective_decay=share * gamma, decay=(1 - share) * gamma, executor="serial")
    save_dataset(dyn, out / "dynamic_sweep", overwrite=overwrite, method=dyn.attrs.get("method"),
                 command="sf-dynamics report")
    save_figure(plot_temperature_sweep(dyn)[0].figure, out / "dynamic_sweep.png", overwrite=overwrite)
    a0, a1 = curves[0].attrs, curves[1].attrs
    shape = "x".join(map(str, size))
    doc.text(f"""
## 5. Thermal decoherence

Thermal-equilibrium superradiance of a simple cubic {shape} superlattice of triplet NCs (a = {a:g} nm,
lambda = {PARAMETERS['wavelength'][0]:g} nm): the enhancement <Gamma>_T / gamma is {a0['low_t_enhancement']:.3g} at
{temps[0]:g} K (the lowest single-excitation states are dark), reaches {a0['max_enhancement']:.3f} at
{a0['t_max']:.3g} K and crosses 1 at {a0['t_cross']:.3g} K; with W = 0.5 meV energy disorder:
{a1['low_t_enhancement']:.3g} at {temps[0]:g} K, maximum {a1['max_enhancement']:.3f}. High-T law
1 + {a0['high_t_coefficient_K']:.3g} K / T.
""")
    doc.figure("thermal_enhancement.png", "Equilibrium enhancement <Gamma>_T / gamma versus temperature.")
    vanish = dyn.attrs["t_sf_vanishes_K"]
    vanish_text = (f"the burst vanishes (peak < {dyn.attrs['sf_threshold']} x the rate at excitation) at "
                   f"~{vanish:.3g} K" if np.isfinite(vanish) else "the burst survives the whole sweep")
    doc.text(f"""
Dynamics of {dyn.attrs['n']} fully inverted NCs in a point-like domain with the rates of section 1 and phonon
dephasing gamma_phi(T) (linewidth model of `sf_dynamics.thermal`): tau_D = {float(dyn['tau_d'][0]):.3g} ps at
{float(dyn['temperature'][0]):g} K; {vanish_text}.
tau_D and tau_SF are not shown where there is no burst.
""")
    doc.facts.update(vanish_K=vanish, sweep_n=dyn.attrs["n"], sweep_t_max=float(dyn["temperature"][-1]))
    doc.figure("dynamic_sweep.png", "Dynamical temperature sweep: tau_D (where a burst exists) and tau_SF (where its "
                                    "sech^2 fit is good), peak over the rate at excitation, and the normalised "
                                    "emission map.")


def _signatures_section(doc, out, quick, overwrite):
    from .signatures import ensemble_coherence_time, signature_table

    f = doc.facts
    tau_1 = PARAMETERS["radiative_lifetime"][0]
    t2 = PARAMETERS["coherence_time"][0]
    width = PARAMETERS["inhomogeneous_fwhm"][0]
    bursts = np.isfinite(f["tau_d"])
    tc_ensemble = ensemble_coherence_time(width, t2)
    simulated = {
        "red_shift": (f"{f['shift_meV']:+.2f} meV",
                      f"weak-excitation PL of a {'x'.join(map(str, f['lattice_shape']))} superlattice at 6 K "
                      "(section 2); a point-like domain has no dipole-dipole shift, and the shift grows with the "
                      "lattice (`scripts/red_shift.py`)"),
        "acceleration": (f"{tau_1 / f['tau_sf_last']:.3g}-fold" if np.isfinite(f["tau_sf_last"]) else "no fit",
                         f"single-NC lifetime {tau_1:g} ps over tau_SF = {f['tau_sf_last']:.3g} ps of the recorded "
                         f"burst at N = {int(f['excited'][-1])} (section 1); it grows as N Gamma_c"),
        "coherence": (f"{f['coherence_coupled'] / tc_ensemble:.3g}-fold vs the uncoupled ensemble (its {width:g} meV "
                      "spread assumed); "
                      f"{f['coherence_coupled'] / f['coherence_single']:.2g}-fold vs one NC",
                      f"tau_c of the burst {f['coherence_coupled']:.3g} ps (N = {f['coherence_excited']}, section 2) "
                      f"against uncoupled NCs with a {width:g} meV spread of lines ({tc_ensemble:.3g} ps, assumed "
                      f"width) and against one NC's T2 = {f['coherence_single']:.3g} ps: the gain is reached against "
                      "an inhomogeneous ensemble, not against a single NC, whose coherence outlasts a fast burst"),
        "bunching": (f"g2 at the peak {np.min(f['g2_peak']):.3g} - {np.max(f['g2_peak']):.3g}",
                     f"exact shots, N = {int(np.min(f['g2_excited']))} - {int(np.max(f['g2_excited']))} "
                     "(section 4); between coherent light (1) and chaotic light (2 - 2/N)"),
        "delay": ((f"tau_D {f['tau_d'][bursts][0]:.3g} -> {f['tau_d'][bursts][-1]:.3g} ps" if bursts.any() else
                   "no burst"),
                  (f"from {f['fluences'][bursts][0]:.3g} to {f['fluences'][bursts][-1]:.3g} uJ/cm^2 (section 1): "
                   "tau_D ~ ln N / (N Gamma_c)" if bursts.any() else "")),
        "ringing": (f"{f['ringing_lobes_shot']} lobes in a single shot, {f['ringing_lobes_average']} in the average",
                    f"Maxwell-Bloch slab of {f['slab_nanocrystals']:.0e} excited NCs (section 3); a point-like "
                    "domain does not ring: ringing needs propagation through an optically thick sample"),
        "temperature": ((f"{f['vanish_K']:.3g} K" if np.isfinite(f["vanish_K"]) else
                         f"burst survives to {f['sweep_t_max']:g} K"),
                        f"point-like domain of {f['sweep_n']} NCs with phonon dephasing gamma_phi(T) (section 5)"),
    }
    doc.text(f"""
## 6. The five signatures: reported and simulated

One parameter set (the table at the top) and the runs of sections 1-5, side by side with what Rainò et al.
report for CsPbX3 superlattices. Where the model does not reach a reported value, the reading says why.

{signature_table(simulated)}
""")


def write_report(out="sf_report", *, progress=True, quick=False, overwrite=False):
    """Run the report and return the path of report.md.

    Parameters
    ----------
    out : str or Path
        Output folder.
    progress : bool
        Report each stage (a tqdm bar on a terminal, one line per stage in a log).
    quick : bool
        Smaller sizes (for tests and a first look).
    overwrite : bool
        Replace files of an earlier report in ``out``.

    Raises
    ------
    FileExistsError
        If ``out`` holds report files and ``overwrite`` is False.
    """
    import matplotlib

    matplotlib.use("Agg")

    from .._io import check_writable, provenance, write_text
    from .._progress import progress_bar
    from .._version import __version__

    out = Path(out)
    for name in REPORT_FILES:
        check_writable(out / name, overwrite=overwrite, parameter="out")
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    doc = _Doc()
    stages = [("fluence series", _fluence_section), ("spectrum", _spectrum_section), ("ringing", _ringing_section),
              ("photon bunching", _bunching_section), ("thermal decoherence", _thermal_section),
              ("signatures", _signatures_section)]
    with progress_bar(progress, total=len(stages), desc="sf-dynamics report", unit="stage") as bar:
        for name, section in stages:
            bar.set_description(f"report: {name}")
            section(doc, out, quick, overwrite)
            bar.update(1)
    elapsed = time.perf_counter() - start
    meta = provenance(command="sf-dynamics report", quick=quick)
    files = sorted(p.name for p in out.iterdir() if p.name in REPORT_FILES and p.suffix in (".csv", ".nc"))
    intro = _Doc()
    intro.text(f"""
# sf_dynamics report: a CsPbBr3-like nanocrystal superlattice

sf_dynamics {__version__}, written {meta['created_utc']} in {elapsed:.0f} s{' (quick sizes)' if quick else ''}.
All inputs are built-in defaults, listed with their sources; where a value is an assumption it says so.

{_parameter_table()}
""")
    tail = _Doc()
    tail.text("## Data files\n\n" + "\n".join(f"* [{name}]({name})" for name in files) +
              "\n\nCSV files start with a `#` line holding the provenance (package version, date, method); the "
              "netCDF files hold the same in their attributes and also the two-dimensional data.")
    doc.blocks = intro.blocks + doc.blocks + tail.blocks
    md_path = write_text(out / "report.md", doc.markdown(), overwrite=True)
    write_text(out / "report.html", doc.html("sf_dynamics report"), overwrite=True)
    return md_path
