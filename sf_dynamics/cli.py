"""Command-line interface: ``sf-dynamics report``, ``simulate``, ``spectrum``, ``bunching``, ``fit`` and ``sweep``.

Every flag is checked when it is read: a bad value stops the command with
argparse's one-line message naming the flag (exit code 2). Output folders
are never overwritten silently: a folder that already holds the files a
command writes is refused unless ``--overwrite`` is given. Problems with the
output (a file in the way, no permission, a full disk) end in a one-line
``sf-dynamics: error: ...`` message, not a traceback.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np

__all__ = ["main", "build_parser", "default_end_time"]

#: Defaults: a point-like cluster of 100 CsPbBr3-like nanocrystals, each with a
#: 210 ps radiative lifetime (Utzat et al., Science 363, 1068 (2019)) radiating
#: into the common (collective) channel, with dephasing 0.01 /ps (T2 ~ 80 ps).
DEFAULTS = {
    "n": 100,
    "collective_decay": 1.0 / 210.0,
    "decay": 0.0,
    "dephasing": 0.01,
    "pumping": 0.0,
}


def default_end_time(ensemble) -> float:
    """A window (ps) that holds the burst: 6 ln(N) / (N Gamma_c), else 5 / Gamma_ii."""
    rate = ensemble.collective_decay
    if rate > 0 and ensemble.n > 1:
        window = 6.0 * max(math.log(ensemble.n), 1.0) / (ensemble.n * rate)
        if ensemble.decay > 0:
            window = min(window, 5.0 / ensemble.decay) if ensemble.n * rate < ensemble.decay else window
        return window
    single = ensemble.single_emitter_decay + ensemble.pumping
    return 5.0 / single if single > 0 else 100.0


# -- flag types: each names the allowed range; argparse adds the flag's name --------------------------
def _integer(minimum):
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be an integer >= {minimum}, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be an integer >= {minimum}, got {value}")
        return value

    parse.__name__ = "integer"
    return parse


def _real(minimum=0.0, *, open_below=False):
    def parse(text):
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a real number, got {text!r}") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"must be finite, got {text!r}")
        if value < minimum or (open_below and value == minimum):
            raise argparse.ArgumentTypeError(f"must be {'>' if open_below else '>='} {minimum:g}, got {value:g}")
        return value

    parse.__name__ = "number"
    return parse


def _probability(*, open_below=False):
    def parse(text):
        value = _real(0.0, open_below=open_below)(text)
        if value > 1.0:
            raise argparse.ArgumentTypeError(f"must be a probability {'(0' if open_below else '[0'}, 1], got {value:g}")
        return value

    parse.__name__ = "probability"
    return parse


def _add_ensemble_flags(parser):
    """The flags of the default two-level ensemble (simulate, spectrum)."""
    parser.add_argument("--n", type=_integer(1), default=DEFAULTS["n"], help="number of emitters (default 100)")
    parser.add_argument("--collective-decay", type=_real(), default=DEFAULTS["collective_decay"],
                        help="collective decay rate Gamma_c in 1/ps (default 1/210)")
    parser.add_argument("--decay", type=_real(), default=DEFAULTS["decay"],
                        help="local decay rate in 1/ps (default 0)")
    parser.add_argument("--dephasing", type=_real(), default=DEFAULTS["dephasing"],
                        help="pure dephasing rate gamma_phi in 1/ps (default 0.01)")
    parser.add_argument("--pumping", type=_real(), default=DEFAULTS["pumping"],
                        help="local pumping rate in 1/ps (default 0)")


def _ensemble(args):
    """The Ensemble of the flags added by :func:`_add_ensemble_flags`."""
    from .model import Ensemble

    return Ensemble(args.n, decay=args.decay, collective_decay=args.collective_decay, dephasing=args.dephasing,
                    pumping=args.pumping)


def _prepare_folder(path, names, overwrite):
    """Create the output folder; refuse if it already holds one of ``names`` and not ``overwrite``."""
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out: {str(out)!r} is a file, not a folder")
    present = [name for name in names if (out / name).exists()]
    if present and not overwrite:
        raise FileExistsError(f"--out: {str(out)!r} already holds {', '.join(present[:3])}"
                              f"{' ...' if len(present) > 3 else ''}; pass --overwrite to replace")
    out.mkdir(parents=True, exist_ok=True)
    return out


def _simulate_command(args) -> int:
    import warnings

    import matplotlib

    matplotlib.use("Agg")
    from . import analysis
    from ._io import save_figure
    from .analysis.fitting import FitQualityWarning
    from .plotting import plot_trace
    from .simulate import simulate

    out = _prepare_folder(args.out, ["trace.csv", "trace.nc", "trace.png"], args.overwrite)
    ensemble = _ensemble(args)
    t_max = args.t_max if args.t_max is not None else default_end_time(ensemble)
    times = np.linspace(0.0, t_max, args.points)
    result = simulate(ensemble, times, method=args.method)
    tau_d = analysis.buildup_time(result)
    peak = analysis.peak_intensity(result)
    lines = [
        f"ensemble      {ensemble!r}",
        f"method        {result.method}",
        f"tau_D         {tau_d:.4g} ps   (time of the intensity maximum)",
        f"peak          {peak:.4g} photons/ps",
    ]
    fit = None
    if tau_d > times[0] and np.isfinite(analysis.pulse_fwhm(result)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FitQualityWarning)
            fit = analysis.fit_sech2(result)
        verdict = "" if fit.ok else f"   [poor fit: {'; '.join(fit.quality['problems'])}]"
        lines.append(f"tau_SF        {fit.params['tau_sf']:.4g} +- {fit.errors['tau_sf']:.2g} ps   "
                     f"(sech^2 fit, FWHM = 3.53 tau_SF, R^2 = {fit.r_squared:.3f}){verdict}")
    else:
        lines.append("tau_SF        n/a (no delayed burst: the emission is largest at t = 0)")
    if ensemble.single_emitter_decay > 0:
        lines.append(f"enhancement   {analysis.superradiant_enhancement(result):.4g}   (peak / (N Gamma_ii))")
    csv_path = result.to_csv(out / "trace.csv", overwrite=args.overwrite)
    nc_path = result.to_netcdf(out / "trace.nc", overwrite=args.overwrite)
    ax = plot_trace(result, fit=fit)
    ax.set_title(f"N = {ensemble.n}, {result.method}")
    png_path = save_figure(ax.figure, out / "trace.png", overwrite=args.overwrite)
    lines += [f"wrote         {csv_path}", f"wrote         {nc_path}", f"wrote         {png_path}"]
    print("\n".join(lines))
    return 0


SPECTRUM_FILES = ["spectrum.csv", "spectrum.nc", "g1.csv", "g1.nc", "spectrum.png"]


def _spectrum_command(args) -> int:
    import warnings

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import xarray as xr

    from . import analysis, spectra
    from ._io import save_dataset, save_figure
    from .kernels.peaks import peak_fwhm
    from .plotting import plot_g1, plot_spectrum, plot_streak
    from .units import HBAR_MEV_PS

    out = _prepare_folder(args.out, SPECTRUM_FILES, args.overwrite)
    ensemble = _ensemble(args)
    t_max = args.t_max if args.t_max is not None else 1.5 * default_end_time(ensemble)
    grid = np.linspace(0.0, t_max, args.points)
    detector = "collective" if ensemble.collective_decay > 0 else "total"
    options = {"trajectories": args.trajectories} if args.method == "twa" else {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", spectra.CoherenceWindowWarning)
        corr = spectra.first_order(ensemble, grid, grid, method=args.method, detector=detector, **options)
    spec = spectra.spectrum(corr, center_wavelength_nm=args.wavelength, oversample=8)
    g1 = spectra.normalized_g1(corr)
    energy = spec["energy_meV"].values
    fwhm_mev = peak_fwhm(energy, spec.values)
    filter_fwhm = args.filter_fwhm if args.filter_fwhm is not None else fwhm_mev / HBAR_MEV_PS
    gram = spectra.time_resolved_spectrum(corr, filter_fwhm, center_wavelength_nm=args.wavelength)
    tau_c = analysis.coherence_time(g1)
    tau_e = analysis.coherence_time(g1, definition="1/e")
    single_rate = ensemble.single_emitter_decay + 2 * ensemble.dephasing + ensemble.pumping
    single_tc = 2.0 / single_rate if single_rate > 0 else float("inf")
    lines = [
        f"ensemble      {ensemble!r}",
        f"method        {corr.attrs['method']}, detector {corr.attrs['detector']}",
        f"photons       {corr.attrs['photons']:.5g} detected over 0-{t_max:.4g} ps",
        f"line peak     {float(spec['energy_meV'][int(spec.argmax())]):+.4g} meV from the transition "
        f"({float(spec['wavelength_nm'][int(spec.argmax())]):.4f} nm)",
        f"line FWHM     {fwhm_mev:.4g} meV (one emitter: {single_rate * HBAR_MEV_PS:.4g} meV)",
        f"tau_c         {tau_c:.4g} ps = int abs(g1)^2 dtau; 1/e visibility {tau_e:.4g} ps; "
        f"one emitter 2/(Gamma + 2 gamma_phi) = {single_tc:.4g} ps (ratio {tau_c / single_tc:.3g})",
        f"resolution    {corr.attrs['resolution_rad_per_ps'] * HBAR_MEV_PS:.3g} meV (2 pi / tau_max); band "
        f"+-{corr.attrs['nyquist_rad_per_ps'] * HBAR_MEV_PS:.3g} meV; spectrogram filter "
        f"{filter_fwhm * HBAR_MEV_PS:.3g} meV ({1 / filter_fwhm:.3g} ps)",
    ]
    lines += [f"warning       {w.message}" for w in caught if issubclass(w.category, spectra.CoherenceWindowWarning)]
    fields = {"method": corr.attrs["method"], "command": "sf-dynamics spectrum"}
    # the spectrogram (time x filter frequency) goes into the netCDF file beside the spectrum
    gram_vars = gram.rename({"omega": "filter_omega", "energy_meV": "filter_energy_meV",
                             "wavelength_nm": "filter_wavelength_nm"})
    spec_ds = spec.to_dataset().assign(spectrogram=gram_vars.variable)
    spec_ds = spec_ds.assign_coords({name: gram_vars[name] for name in ("time", "filter_omega", "filter_energy_meV",
                                                                        "filter_wavelength_nm")})
    spec_ds.attrs = {"filter_fwhm_rad_per_ps": filter_fwhm, "detector": corr.attrs["detector"]}
    paths = list(save_dataset(spec_ds, out / "spectrum", overwrite=args.overwrite, **fields))
    g1_ds = xr.Dataset({"g1_abs": ("tau", np.abs(g1.values)), "g1_real": ("tau", g1.values.real),
                        "g1_imag": ("tau", g1.values.imag)}, coords={"tau": corr["tau"]},
                       attrs={"coherence_time_ps": tau_c, "coherence_time_1e_ps": tau_e})
    paths += list(save_dataset(g1_ds, out / "g1", overwrite=args.overwrite, **fields))
    fig, axes = plt.subplots(1, 3, figsize=(14, 3.6), constrained_layout=True)
    plot_spectrum(spec, ax=axes[0], axis="wavelength_nm")
    keep = np.abs(energy - float(spec["energy_meV"][int(spec.argmax())])) <= 5 * fwhm_mev
    axes[0].set_xlim(spec["wavelength_nm"].values[keep].min(), spec["wavelength_nm"].values[keep].max())
    plot_g1(g1, ax=axes[1])
    axes[1].set_xlim(0, min(float(corr["tau"][-1]), 6 * (tau_e if np.isfinite(tau_e) else tau_c)))
    band = np.abs(gram["energy_meV"].values) <= 5 * fwhm_mev + filter_fwhm * HBAR_MEV_PS
    plot_streak(gram["time"].values, gram["wavelength_nm"].values[band], gram.values.T[band], ax=axes[2],
                colorbar_label="photons/ps per rad/ps")
    fig.suptitle(f"N = {ensemble.n}, {corr.attrs['method']}, {detector} channel")
    paths.append(save_figure(fig, out / "spectrum.png", overwrite=args.overwrite))
    lines += [f"wrote         {path}" for path in paths]
    print("\n".join(lines))
    return 0


BUNCHING_FILES = ["bunching.csv", "bunching.nc", "bunching.png", "shots.csv", "shots.nc", "shots.png"]


def _bunching_command(args) -> int:
    import matplotlib

    matplotlib.use("Agg")
    import xarray as xr

    from ._io import save_dataset, save_figure
    from .model import Ensemble
    from .plotting import plot_bunching_series, plot_shot_statistics
    from .workflows.bunching import bunching_series, shot_statistics

    out = _prepare_folder(args.out, BUNCHING_FILES, args.overwrite)
    fluences = np.array(sorted(args.fluences), dtype=float)
    options = {"trajectories": args.trajectories, "seed": args.seed} if args.method == "jumps" else {}
    series = bunching_series(fluences, nanocrystals=args.nanocrystals, cross_section_cm2=args.cross_section,
                             collective_decay=args.collective_decay, decay=args.decay, dephasing=args.dephasing,
                             efficiency=args.efficiency, local_efficiency=args.local_efficiency, method=args.method,
                             points=args.points, progress=False, **options)
    fields = {"method": args.method, "command": "sf-dynamics bunching"}
    paths = list(save_dataset(series, out / "bunching", overwrite=args.overwrite, **fields))
    axes = plot_bunching_series(series)
    paths.append(save_figure(axes[0].figure, out / "bunching.png", overwrite=args.overwrite))
    # exact single shots at the highest fluence: delays, half-emission times and detected photon numbers
    n = int(series["excited"].values[-1])
    ensemble = Ensemble(n, collective_decay=args.collective_decay, decay=args.decay, dephasing=args.dephasing)
    times = series["time"].values
    delays, counts = shot_statistics(ensemble, times, efficiency=args.efficiency,
                                     local_efficiency=args.local_efficiency, trajectories=args.trajectories,
                                     seed=args.seed)
    shot_ds = xr.Dataset({"delay": ("shot", delays["delay"].values, {"units": "ps"}),
                          "half_time": ("shot", delays["half_time"].values, {"units": "ps"}),
                          "emitted_collective": ("shot", counts["emitted_collective"].values, {"units": "photons"}),
                          "emitted_local": ("shot", counts["emitted_local"].values, {"units": "photons"}),
                          "probability": ("photons", counts["probability"].values,
                                          {"long_name": "P(n) of detected photons per pulse"})},
                         coords={"shot": np.arange(delays.sizes["shot"]), "photons": counts["photons"].values},
                         attrs={"excited": n, "g2_pulse": float(counts["g2"]), "g2_pulse_sem": float(counts["g2_sem"]),
                                "mean_delay_ps": delays.attrs["mean_ps"], "std_delay_ps": delays.attrs["std_ps"]})
    paths += list(save_dataset(shot_ds, out / "shots", overwrite=args.overwrite, method="jumps",
                               command="sf-dynamics bunching", seed=args.seed, trajectories=args.trajectories))
    fig = plot_shot_statistics(delays, counts, title=f"N = {n}: exact shots ({args.trajectories})")
    paths.append(save_figure(fig, out / "shots.png", overwrite=args.overwrite))
    lines = [f"{'fluence':>9} {'N':>6} {'g2 peak':>8} {'g2(0) fast':>10} {'g2 pulse':>9} {'uncoupled':>9} "
             f"{'photons':>8}"]
    for i, fluence in enumerate(fluences):
        lines.append(f"{fluence:9.4g} {int(series['excited'][i]):6d} {float(series['g2_peak'][i]):8.4f} "
                     f"{float(series['g2_zero_delay'][i]):10.4f} {float(series['g2_pulse'][i]):9.4f} "
                     f"{float(series['g2_pulse_uncoupled'][i]):9.4f} {float(series['photons_detected'][i]):8.4g}")
    lines.append(f"shots at N = {n}: delay {delays.attrs['mean_ps']:.4g} +- {delays.attrs['std_ps']:.3g} ps, "
                 f"per-pulse g2 {float(counts['g2']):.4f} +- {float(counts['g2_sem']):.4f} (exact shots)")
    lines += [f"wrote {path}" for path in paths]
    print("\n".join(lines))
    return 0


SWEEP_FILES = ["thermal_cubic_W0meV.nc", "thermal_chain20.nc", "thermal_enhancement.png", "dynamic_sweep.nc",
               "dynamic_sweep.png"]


def _sweep_command(args) -> int:
    import matplotlib

    matplotlib.use("Agg")

    from ._io import save_figure
    from .plotting import plot_enhancement, plot_temperature_sweep
    from .workflows.sweep import dynamic_temperature_sweep, save_dataset, thermal_sweep

    out = _prepare_folder(args.out, SWEEP_FILES, args.overwrite)
    executor = args.executor
    points = out / "points"
    lines = []
    incomplete = []
    if args.kind in ("thermal", "both"):
        temps = np.geomspace(0.5, 300.0, args.temperatures)
        curves, labels = [], []
        for w in (0.0, 0.5, 2.0):
            ds = thermal_sweep("cubic", (6, 6, 6), temps, realizations=1 if w == 0 else 4, energy_disorder_meV=w,
                               lattice_constant_nm=12.0, executor=executor, out=points / f"thermal_W{w:g}meV",
                               resume=args.resume)
            if not ds.attrs["complete"]:
                incomplete.append(f"thermal W = {w:g} meV: {ds.attrs['summary']}")
            save_dataset(ds, out / f"thermal_cubic_W{w:g}meV", overwrite=args.overwrite, method="thermal dense",
                         command="sf-dynamics sweep")
            curves.append(ds)
            labels.append(f"cubic 6x6x6 triplets, W = {w:g} meV")
            lines.append(f"cubic 6x6x6, W = {w:g} meV: max enhancement {ds.attrs['max_enhancement']:.3f} at "
                         f"{ds.attrs['t_max']:.3g} K, crosses 1 at {ds.attrs['t_cross']:.3g} K, "
                         f"low-T {ds.attrs['low_t_enhancement']:.3g}, "
                         f"high-T law 1 + {ds.attrs['high_t_coefficient_K']:.3g} K / T")
        chain = thermal_sweep("chain", 20, temps, realizations=1, dipole=[1.0, 0.0, 0.0], lattice_constant_nm=12.0,
                              executor="serial", out=points / "thermal_chain20", resume=args.resume)
        save_dataset(chain, out / "thermal_chain20", overwrite=args.overwrite, method="thermal dense",
                     command="sf-dynamics sweep")
        curves.append(chain)
        labels.append("chain of 20, dipoles along the axis")
        lines.append(f"chain of 20 (J-type): enhancement {chain.attrs['low_t_enhancement']:.3g} at "
                     f"{temps[0]:g} K, half-excess temperature {chain.attrs['t_half']:.3g} K")
        ax = plot_enhancement(curves, labels=labels)
        save_figure(ax.figure, out / "thermal_enhancement.png", overwrite=args.overwrite)
    if args.kind in ("dynamic", "both"):
        temps = np.linspace(4.0, 100.0, args.temperatures)
        ds = dynamic_temperature_sweep(temps, n=args.n, executor=executor, out=points / "dynamic",
                                       resume=args.resume)
        if not ds.attrs["complete"]:
            incomplete.append(f"dynamic sweep: {ds.attrs['summary']}")
        save_dataset(ds, out / "dynamic_sweep", overwrite=args.overwrite, method=ds.attrs.get("method"),
                     command="sf-dynamics sweep")
        axes = plot_temperature_sweep(ds)
        save_figure(axes[0].figure, out / "dynamic_sweep.png", overwrite=args.overwrite)
        vanish = ds.attrs["t_sf_vanishes_K"]
        where = (f"burst vanishes at ~{vanish:.3g} K (peak < {ds.attrs['sf_threshold']} x incoherent rate)"
                 if np.isfinite(vanish) else "the burst survives the whole sweep")
        lines.append(f"dynamics, N = {args.n}: tau_D({temps[0]:g} K) = {float(ds['tau_d'][0]):.3g} ps, {where}")
    lines.append(f"wrote {out}/")
    lines.extend(f"incomplete: {text}" for text in incomplete)
    print("\n".join(lines))
    return 1 if incomplete else 0


FIT_FILES = ["parameters.json", "summary.txt", "fit.png", "fit.nc", "fit.csv", "model.csv"]


def _fit_command(args) -> int:
    import json

    import matplotlib

    matplotlib.use("Agg")
    from ._io import jsonable, provenance, save_dataset, save_figure, write_text
    from .analysis.traces import load_trace
    from .plotting import plot_series_fit
    from .workflows.fit_series import fit_fluence_series, read_series

    if (args.fluences is None) == (args.probabilities is None):
        raise ValueError("give --fluences (with --cross-section) or --probabilities, one value per trace")
    count = len(args.fluences if args.fluences is not None else args.probabilities)
    if count != len(args.traces):
        raise ValueError(f"--fluences/--probabilities: {count} values for {len(args.traces)} trace files")
    if args.irf is not None and args.irf_fwhm is not None:
        raise ValueError("--irf and --irf-fwhm: give one instrument response, not both")
    times, data = read_series(args.traces, time_unit_ps=args.time_unit_ps)
    irf = None
    if args.irf is not None:
        irf_t, irf = load_trace(args.irf, time_unit_ps=args.time_unit_ps)
        step = times[1] - times[0]
        if np.max(np.abs(np.diff(irf_t) - step)) > 1e-6 * step:
            raise ValueError(f"--irf: {args.irf!r} must be sampled at the time step of the traces ({step:g} ps)")
    out = _prepare_folder(args.out, FIT_FILES, args.overwrite)
    background = "auto" if args.background is None else args.background
    fit = fit_fluence_series((times, data), args.fluences, probabilities=args.probabilities,
                             cross_section_cm2=args.cross_section, photon_energy_eV=args.photon_energy,
                             radiative_lifetime_ps=None if args.fit_lifetime else args.lifetime,
                             irf_fwhm=args.irf_fwhm, irf=irf, background=background,
                             domain_sizes=tuple(args.domain_sizes), grid_points=args.grid_points, points=args.points,
                             allow_undetermined=args.allow_undetermined, progress=not args.quiet)
    fields = {"command": "sf-dynamics fit", "traces": [str(t) for t in args.traces]}
    record = {"parameters": fit.params, "errors": fit.errors, "domain_interval_68": list(fit.domain_interval),
              "deviance": fit.deviance, "dof": fit.dof, "statistic": fit.statistic, "quality": fit.quality,
              "fixed": sorted(fit.fixed), "probabilities": fit.probabilities,
              "fluences": fit.fluences, "provenance": provenance(**fields)}
    paths = [write_text(out / "parameters.json", json.dumps(jsonable(record), indent=2), overwrite=args.overwrite),
             write_text(out / "summary.txt", fit.summary() + "\n", overwrite=args.overwrite)]
    paths += list(save_dataset(fit.to_dataset(), out / "fit", overwrite=args.overwrite, **fields))
    header = ["time_ps"] + [f"{kind}_{k}" for k in range(fit.data.shape[0]) for kind in ("data", "model")]
    columns = [fit.times] + [row for k in range(fit.data.shape[0]) for row in (fit.data[k], fit.model[k])]
    table = "\n".join(",".join(f"{v:.10g}" for v in line) for line in np.column_stack(columns))
    paths.append(write_text(out / "model.csv", ",".join(header) + "\n" + table + "\n", overwrite=args.overwrite))
    axes = plot_series_fit(fit)
    paths.append(save_figure(axes[0].figure, out / "fit.png", overwrite=args.overwrite))
    print(fit.summary())
    print("\n".join(f"wrote {path}" for path in paths))
    return 0


def _report_command(args) -> int:
    from .workflows.report import REPORT_FILES, write_report

    _prepare_folder(args.out, REPORT_FILES, args.overwrite)
    path = write_report(args.out, progress=not args.quiet, quick=args.quick, overwrite=True)
    print(f"wrote {path} and {path.with_suffix('.html')} (figures, CSV and netCDF beside them)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``sf-dynamics``."""
    from .solvers import METHODS

    parser = argparse.ArgumentParser(
        prog="sf-dynamics", description="Superfluorescence dynamics of quantum-emitter ensembles."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    rep = sub.add_parser(
        "report",
        help="report on a CsPbBr3-like superlattice: fluence series, ringing, thermal decoherence",
        description="Runs on built-in CsPbBr3-like defaults: a pump-fluence series with power-law fits, a "
        "ringing Maxwell-Bloch burst seen through a 2 ps streak-camera response with a Burnham-Chiao fit, and the "
        "thermal-decoherence sweeps; writes report.md / report.html with figures and data (the README lists the "
        "measured run time).",
    )
    rep.add_argument("--out", default="sf_report", help="output folder (default ./sf_report)")
    rep.add_argument("--quick", action="store_true", help="smaller sizes (for tests and a first look)")
    rep.add_argument("--quiet", action="store_true", help="no progress lines")
    rep.add_argument("--overwrite", action="store_true", help="replace the files of an earlier report")
    rep.set_defaults(func=_report_command)
    sim = sub.add_parser(
        "simulate",
        help="simulate one ensemble; print tau_D, tau_SF, peak; write trace.csv, trace.nc and trace.png",
        description="Simulate an ensemble of two-level emitters from the fully excited state. "
        "Defaults: 100 CsPbBr3-like nanocrystals (210 ps radiative lifetime, collective channel, "
        "dephasing 0.01/ps).",
    )
    _add_ensemble_flags(sim)
    sim.add_argument("--method", default="auto", choices=["auto", *METHODS],
                     help="solver (default auto: the first that can represent the ensemble)")
    sim.add_argument("--t-max", type=_real(0.0, open_below=True), default=None,
                     help="end time in ps (default: 6 ln N / (N Gamma_c))")
    sim.add_argument("--points", type=_integer(5), default=401, help="number of output times, >= 5 (default 401)")
    sim.add_argument("--out", default="sf_output", help="output folder (default ./sf_output)")
    sim.add_argument("--overwrite", action="store_true", help="replace trace.* files already in --out")
    sim.set_defaults(func=_simulate_command)
    spe = sub.add_parser(
        "spectrum",
        help="emission spectrum, first-order coherence and spectrogram of one ensemble (CSV, netCDF, PNG)",
        description="G1(t, tau) by the quantum regression theorem, the time-integrated spectrum (meV and nm), "
        "the coherence time and the spectrogram a streak camera behind a spectrometer records. Defaults: the "
        "ensemble of 'simulate' (100 CsPbBr3-like nanocrystals, collective channel) at 515 nm.",
    )
    _add_ensemble_flags(spe)
    spe.add_argument("--method", default="auto", choices=["auto", "permutational", "exact", "cumulant", "twa"],
                     help="correlation method (default auto: permutational for identical emitters)")
    spe.add_argument("--trajectories", type=_integer(2), default=1000, help="twa trajectories (default 1000)")
    spe.add_argument("--t-max", type=_real(0.0, open_below=True), default=None,
                     help="time and delay window in ps (default 9 ln N / (N Gamma_c))")
    spe.add_argument("--points", type=_integer(5), default=201,
                     help="times and delays on the same grid, >= 5 (default 201)")
    spe.add_argument("--wavelength", type=_real(0.0, open_below=True), default=515.0,
                     help="wavelength of the emitter transition in nm (default 515, CsPbBr3)")
    spe.add_argument("--filter-fwhm", type=_real(0.0, open_below=True), default=None,
                     help="spectrometer filter FWHM of the spectrogram in rad/ps (default: the line width)")
    spe.add_argument("--out", default="sf_spectrum", help="output folder (default ./sf_spectrum)")
    spe.add_argument("--overwrite", action="store_true", help="replace files of an earlier run in --out")
    spe.set_defaults(func=_spectrum_command)
    bun = sub.add_parser(
        "bunching",
        help="photon bunching against pump fluence: g2 of the burst, shot delays, photons per pulse",
        description="For each pump fluence (excited NCs from Poisson absorption in a domain), the collective "
        "channel's equal-time g2 at the peak, the zero-delay g2 of a pulsed Hanbury Brown-Twiss setup with fast "
        "detectors, the per-pulse g2 of slow detectors with collection efficiencies, and independent NCs for "
        "reference; exact single shots at the highest fluence (delays, half-emission times, photon numbers). "
        "Defaults: a 200-NC CsPbBr3-like domain (210 ps lifetime, 30 %% into the collective channel, T2 ~ 80 ps).",
    )
    bun.add_argument("--fluences", type=_real(0.0, open_below=True), nargs="+", default=[1.0, 3.0, 10.0, 30.0],
                     help="pump fluences in uJ/cm^2 (default 1 3 10 30)")
    bun.add_argument("--nanocrystals", type=_integer(2), default=200, help="NCs in the coherent domain (default 200)")
    bun.add_argument("--cross-section", type=_real(0.0, open_below=True), default=5e-14,
                     help="absorption cross-section in cm^2 at 400 nm (default 5e-14)")
    bun.add_argument("--collective-decay", type=_real(0.0, open_below=True), default=0.3 / 210.0,
                     help="collective decay rate Gamma_c in 1/ps (default 0.3/210)")
    bun.add_argument("--decay", type=_real(), default=0.7 / 210.0, help="local decay rate in 1/ps (default 0.7/210)")
    bun.add_argument("--dephasing", type=_real(), default=0.0101, help="dephasing rate in 1/ps (default 0.0101)")
    bun.add_argument("--efficiency", type=_probability(open_below=True), default=0.1,
                     help="detection probability of a collective-channel photon, (0, 1] (default 0.1)")
    bun.add_argument("--local-efficiency", type=_probability(), default=0.01,
                     help="detection probability of a local-channel photon, [0, 1] (default 0.01)")
    bun.add_argument("--method", choices=["permutational", "jumps"], default="permutational",
                     help="exact populations (default) or exact shots for the series")
    bun.add_argument("--trajectories", type=_integer(2), default=2000, help="exact shots (default 2000)")
    bun.add_argument("--seed", type=_integer(0), default=0, help="seed of the shots (default 0)")
    bun.add_argument("--points", type=_integer(5), default=401, help="output times (default 401)")
    bun.add_argument("--out", default="sf_bunching", help="output folder (default ./sf_bunching)")
    bun.add_argument("--overwrite", action="store_true", help="replace files of an earlier run in --out")
    bun.set_defaults(func=_bunching_command)
    fit = sub.add_parser(
        "fit",
        help="fit a fluence series of measured traces: domain size N_c, dephasing/T2, coupled fraction, time zero",
        description="Global fit of streak-camera traces (one CSV/text file per pump fluence, columns time and "
        "counts, one time base) with coherent domains of N_c NCs beside uncoupled NCs, each NC excited with "
        "probability p(F) = 1 - exp(-sigma F / E_ph): maximum Poisson likelihood for counts, profile likelihood "
        "over N_c. Writes parameters.json, summary.txt, fit.png (data vs model, N_c profile), fit.nc/csv, model.csv.",
    )
    fit.add_argument("traces", nargs="+", help="trace files, one per fluence (time, counts)")
    fit.add_argument("--fluences", type=_real(0.0), nargs="+", help="pump fluence of each trace (uJ/cm^2)")
    fit.add_argument("--probabilities", type=_probability(), nargs="+",
                     help="instead of --fluences: excitation probability per NC of each trace, [0, 1]")
    fit.add_argument("--cross-section", type=_real(0.0, open_below=True), default=5e-14,
                     help="absorption cross-section in cm^2 at the pump wavelength, turning --fluences into "
                          "excitation probabilities (default 5e-14, an assumed CsPbBr3 value: give yours)")
    fit.add_argument("--photon-energy", type=_real(0.0, open_below=True), default=3.1,
                     help="pump photon energy in eV (default 3.1, 400 nm)")
    fit.add_argument("--lifetime", type=_real(0.0, open_below=True), default=210.0,
                     help="single-NC radiative lifetime in ps, held fixed (default 210)")
    fit.add_argument("--fit-lifetime", action="store_true", help="fit the single-NC radiative lifetime as well")
    fit.add_argument("--irf-fwhm", type=_real(0.0, open_below=True), default=None,
                     help="FWHM in ps of a Gaussian IRF, held fixed (default: fitted)")
    fit.add_argument("--irf", default=None, help="a measured IRF file (time, value) at the traces' time step")
    fit.add_argument("--background", action=argparse.BooleanOptionalAction, default=None,
                     help="fit a constant background per bin (default: when the bins before the rise hold counts)")
    fit.add_argument("--domain-sizes", type=_integer(2), nargs=2, default=[2, 200], metavar=("LOW", "HIGH"),
                     help="search range of N_c (default 2 200)")
    fit.add_argument("--grid-points", type=_integer(3), default=7, help="coarse N_c grid before the walk (default 7)")
    fit.add_argument("--points", type=_integer(20), default=600, help="simulation grid points (default 600)")
    fit.add_argument("--time-unit-ps", type=_real(0.0, open_below=True), default=1.0,
                     help="picoseconds per time unit of the files (1000 for ns; default 1)")
    fit.add_argument("--allow-undetermined", action="store_true",
                     help="write the results even when the data do not determine a parameter")
    fit.add_argument("--quiet", action="store_true", help="no progress lines")
    fit.add_argument("--out", default="sf_fit", help="output folder (default ./sf_fit)")
    fit.add_argument("--overwrite", action="store_true", help="replace files of an earlier fit in --out")
    fit.set_defaults(func=_fit_command)
    sweep = sub.add_parser(
        "sweep",
        help="temperature sweeps: thermal-equilibrium enhancement and SF dynamics vs T (netCDF, CSV, PNG)",
        description="Thermal-equilibrium superradiant enhancement of CsPbBr3-like superlattices and the "
        "dynamical temperature sweep with phonon dephasing.",
    )
    sweep.add_argument("--kind", choices=["thermal", "dynamic", "both"], default="both")
    sweep.add_argument("--temperatures", type=_integer(2), default=12, help="number of temperatures, >= 2 (default 12)")
    sweep.add_argument("--n", type=_integer(2), default=200, help="emitters in the dynamic sweep (default 200)")
    sweep.add_argument("--executor", default="processes",
                       help="'processes' (default), 'serial', or a Dask scheduler address tcp://host:port")
    sweep.add_argument("--out", default="sweep_output", help="output folder (default ./sweep_output)")
    sweep.add_argument("--overwrite", action="store_true", help="replace files of an earlier sweep in --out")
    sweep.add_argument("--resume", action=argparse.BooleanOptionalAction, default=True,
                       help="reuse the points an earlier (interrupted or failed) run left in --out/points: compute "
                            "only missing and failed ones (default: on)")
    sweep.set_defaults(func=_sweep_command)
    return parser


def main(argv=None) -> int:
    """Entry point of the ``sf-dynamics`` console command.

    Returns 0 on success, 1 when a sweep finished with failed points (their
    summary is printed; the others are saved), 2 for bad input or output
    problems (a one-line message on stderr), 130 after Ctrl-C (finished
    sweep points are kept for a resume), and exits through argparse (code 2)
    for bad flags.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    from .workflows.executor import SweepInterrupted

    try:
        return args.func(args)
    except (ValueError, OSError) as exc:
        print(f"sf-dynamics: error: {exc}", file=sys.stderr)
        return 2
    except SweepInterrupted as exc:
        print(f"sf-dynamics: interrupted: {exc.run.summary()}; run the same command again to resume",
              file=sys.stderr)
        return 130
    except KeyboardInterrupt:
        print("sf-dynamics: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
