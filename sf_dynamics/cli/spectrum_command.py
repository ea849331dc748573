"""``sf-dynamics spectrum``: spectrum, first-order coherence and spectrogram of one ensemble."""

from __future__ import annotations

import numpy as np

from .flags import add_ensemble_flags, default_end_time, ensemble_from_flags, integer, out_folder, real

__all__ = ["SPECTRUM_FILES", "add_parser", "run"]

SPECTRUM_FILES = ["spectrum.csv", "spectrum.nc", "g1.csv", "g1.nc", "spectrum.png"]


def add_parser(sub):
    """Add ``sf-dynamics spectrum`` and its flags to the subcommands ``sub``.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The subcommands of the ``sf-dynamics`` parser.
    """
    spe = sub.add_parser(
        "spectrum",
        help="emission spectrum, first-order coherence and spectrogram of one ensemble (CSV, netCDF, PNG)",
        description="G1(t, tau) by the quantum regression theorem, the time-integrated spectrum (meV and nm), "
        "the coherence time and the spectrogram a streak camera behind a spectrometer records. Defaults: the "
        "ensemble of 'simulate' (100 CsPbBr3-like nanocrystals, collective channel) at 515 nm.",
    )
    add_ensemble_flags(spe)
    spe.add_argument("--method", default="auto", choices=["auto", "permutational", "exact", "cumulant", "twa"],
                     help="correlation method (default auto: permutational for identical emitters)")
    spe.add_argument("--trajectories", type=integer(2), default=1000, help="twa trajectories (default 1000)")
    spe.add_argument("--t-max", type=real(0.0, open_below=True), default=None,
                     help="time and delay window in ps (default 9 ln N / (N Gamma_c))")
    spe.add_argument("--points", type=integer(5), default=201,
                     help="times and delays on the same grid, >= 5 (default 201)")
    spe.add_argument("--wavelength", type=real(0.0, open_below=True), default=515.0,
                     help="wavelength of the emitter transition in nm (default 515, CsPbBr3)")
    spe.add_argument("--filter-fwhm", type=real(0.0, open_below=True), default=None,
                     help="spectrometer filter FWHM of the spectrogram in rad/ps (default: the line width)")
    spe.add_argument("--out", default="sf_spectrum", help="output folder (default ./sf_spectrum)")
    spe.add_argument("--overwrite", action="store_true", help="replace files of an earlier run in --out")
    spe.set_defaults(func=run)


def run(args) -> int:
    """Compute G1, the spectrum, g1 and the spectrogram of the flags' ensemble, print and write them.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed flags.

    Returns
    -------
    int
        Exit code: 0.

    Raises
    ------
    ValueError, OSError
        For inconsistent flags or output problems (:func:`sf_dynamics.cli.main` prints them in one line).
    """
    with out_folder(args, SPECTRUM_FILES) as out:
        lines = _spectrum(args, out)
    print("\n".join(lines))
    return 0


def _spectrum(args, out):
    """The run of :func:`run` inside its locked folder: the lines to print."""
    import json
    import warnings

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import xarray as xr

    from .. import analysis, spectra
    from .._io import save_dataset, save_figure
    from ..kernels.peaks import peak_fwhm
    from ..plotting import plot_g1, plot_spectrum, plot_streak
    from ..units import HBAR_MEV_PS

    ensemble = ensemble_from_flags(args)
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
    seed = corr.attrs.get("provenance_seed")      # the sampling method's seed (JSON null for the others)
    fields = {"method": corr.attrs["method"], "command": "sf-dynamics spectrum", "ensemble": ensemble.parameters(),
              "initial": "excited", "detector": detector, "seed": json.loads(seed) if isinstance(seed, str) else seed,
              "options": options, "points": args.points, "t_max_ps": t_max, "wavelength_nm": args.wavelength}
    if "partial" in corr.attrs:
        fields.update(partial=bool(corr.attrs["partial"]), trajectories_done=corr.attrs.get("trajectories_done"))
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
    paths.append(save_figure(fig, out / "spectrum.png", overwrite=args.overwrite, **fields))
    lines += [f"wrote         {path}" for path in paths]
    return lines
