"""``sf-dynamics fit``: the global fit of a measured fluence series (domain size, T2, coupled fraction)."""

from __future__ import annotations

import argparse

import numpy as np

from ..workflows.fit_series.fit import DEFAULT_DOMAIN_SIZES
from .flags import integer, out_folder, probability, real

__all__ = ["FIT_FILES", "add_parser", "run"]

FIT_FILES = ["parameters.json", "summary.txt", "fit.png", "fit.nc", "fit.csv", "model.csv"]


def add_parser(sub):
    """Add ``sf-dynamics fit`` and its flags to the subcommands ``sub``.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The subcommands of the ``sf-dynamics`` parser.
    """
    fit = sub.add_parser(
        "fit",
        help="fit a fluence series of measured traces: domain size N_c, dephasing/T2, coupled fraction, time zero",
        description="Global fit of streak-camera traces (one CSV/text file per pump fluence, columns time and "
        "counts, one time base) with coherent domains of N_c NCs beside uncoupled NCs, each NC excited with "
        "probability p(F) = 1 - exp(-sigma F / E_ph): maximum Poisson likelihood for counts, profile likelihood "
        "over N_c. N_c is reported only when two no-SF alternatives are rejected by likelihood-ratio tests at "
        "p < 1e-3: one fluence-independent trace shape, and independent emitters (no collective channel) with the "
        "same IRF; otherwise the verdict is 'no SF detected' and the files hold the numbers. Prints the estimated "
        "run time before the fit and one line per N_c point. Writes parameters.json, summary.txt, fit.png (data "
        "vs model, N_c profile), fit.nc/csv, model.csv.",
    )
    fit.add_argument("traces", nargs="+", help="trace files, one per fluence (time, counts)")
    fit.add_argument("--fluences", type=real(0.0), nargs="+", help="pump fluence of each trace (uJ/cm^2)")
    fit.add_argument("--probabilities", type=probability(), nargs="+",
                     help="instead of --fluences: excitation probability per NC of each trace, [0, 1]")
    fit.add_argument("--cross-section", type=real(0.0, open_below=True), default=5e-14,
                     help="absorption cross-section in cm^2 at the pump wavelength, turning --fluences into "
                          "excitation probabilities (default 5e-14, an assumed CsPbBr3 value: give yours)")
    fit.add_argument("--photon-energy", type=real(0.0, open_below=True), default=3.1,
                     help="pump photon energy in eV (default 3.1, 400 nm)")
    fit.add_argument("--lifetime", type=real(0.0, open_below=True), default=210.0,
                     help="single-NC radiative lifetime in ps, held fixed (default 210)")
    fit.add_argument("--fit-lifetime", action="store_true", help="fit the single-NC radiative lifetime as well")
    fit.add_argument("--irf-fwhm", type=real(0.0, open_below=True), default=None,
                     help="FWHM in ps of a Gaussian IRF, held fixed (default: fitted)")
    fit.add_argument("--irf", default=None, help="a measured IRF file (time, value) at the traces' time step")
    fit.add_argument("--background", action=argparse.BooleanOptionalAction, default=None,
                     help="fit a constant background per bin (default: when the bins before the rise hold counts)")
    fit.add_argument("--domain-sizes", type=integer(2), nargs=2, default=list(DEFAULT_DOMAIN_SIZES),
                     metavar=("LOW", "HIGH"),
                     help=f"search range of N_c (default {DEFAULT_DOMAIN_SIZES[0]} {DEFAULT_DOMAIN_SIZES[1]}, ~200 s "
                          "on 2 cores for four traces of 800 bins; 2 60 took 7 s); widen it when the fit says the "
                          "N_c interval reaches the upper bound: a model evaluation costs ~0.014 s at N_c = 60, "
                          "~0.06 s at 200 and ~0.3 s at 400, and the fit needs ~30 per N_c point (the estimate "
                          "printed before the fit gives the total)")
    fit.add_argument("--grid-points", type=integer(3), default=7, help="coarse N_c grid before the walk (default 7)")
    fit.add_argument("--points", type=integer(20), default=600, help="simulation grid points (default 600)")
    fit.add_argument("--time-unit-ps", type=real(0.0, open_below=True), default=None,
                     help="picoseconds per time unit of the files (1000 for ns; default: the unit the header "
                          "names, e.g. time_ns, else ps)")
    fit.add_argument("--allow-undetermined", action="store_true",
                     help="write the results even when the data do not determine a parameter")
    fit.add_argument("--quiet", action="store_true",
                     help="no run-time estimate and no progress (a bar on a terminal, a line per N_c point otherwise)")
    fit.add_argument("--out", default="sf_fit", help="output folder (default ./sf_fit)")
    fit.add_argument("--overwrite", action="store_true", help="replace files of an earlier fit in --out")
    fit.set_defaults(func=run)


def run(args) -> int:
    """Fit the traces of the flags, print the summary and write the results.

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
    from ..analysis.traces import load_trace
    from ..workflows.fit_series import read_series

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
    with out_folder(args, FIT_FILES) as out:
        lines = _fit(args, out, times, data, irf)
    print("\n".join(lines))
    return 0


def _fit(args, out, times, data, irf):
    """The fit of :func:`run` inside its locked folder, and its files: the lines to print."""
    import json

    import matplotlib

    matplotlib.use("Agg")
    from .._io import jsonable, provenance, save_dataset, save_figure, write_text
    from ..plotting import plot_series_fit
    from ..workflows.fit_series import fit_fluence_series
    from ..workflows.fit_series.alternatives import BOOTSTRAP_SEED
    from ..workflows.fit_series.result import PARAMETER_UNITS

    background = "auto" if args.background is None else args.background
    fit = fit_fluence_series((times, data), args.fluences, probabilities=args.probabilities,
                             cross_section_cm2=args.cross_section, photon_energy_eV=args.photon_energy,
                             radiative_lifetime_ps=None if args.fit_lifetime else args.lifetime,
                             irf_fwhm=args.irf_fwhm, irf=irf, background=background,
                             domain_sizes=tuple(args.domain_sizes), grid_points=args.grid_points, points=args.points,
                             allow_undetermined=args.allow_undetermined, progress=not args.quiet)
    settings = {"fluences": args.fluences, "probabilities": args.probabilities,
                "cross_section_cm2": args.cross_section, "photon_energy_eV": args.photon_energy,
                "radiative_lifetime_ps": None if args.fit_lifetime else args.lifetime, "irf_fwhm": args.irf_fwhm,
                "irf": args.irf, "background": background,
                "domain_sizes": list(args.domain_sizes), "grid_points": args.grid_points, "points": args.points,
                "time_unit_ps": args.time_unit_ps}
    fields = {"command": "sf-dynamics fit", "traces": [str(t) for t in args.traces], "seed": BOOTSTRAP_SEED,
              "settings": settings}
    meta = provenance(**fields)
    alternatives = {key: ({k: v for k, v in value.items() if k != "model"} if isinstance(value, dict) else value)
                    for key, value in fit.alternatives.items()}
    record = {"parameters": fit.params, "errors": fit.errors, "units": PARAMETER_UNITS,
              "domain_interval_68": list(fit.domain_interval) if fit.domain_interval else None,
              "deviance": fit.deviance, "dof": fit.dof, "statistic": fit.statistic, "quality": fit.quality,
              "no_sf_alternatives": alternatives, "fixed": sorted(fit.fixed), "probabilities": fit.probabilities,
              "fluences": fit.fluences, "provenance": meta}
    stamp = "# " + json.dumps(jsonable(meta)) + "\n"        # the provenance line of the text files
    paths = [write_text(out / "parameters.json", json.dumps(jsonable(record), indent=2), overwrite=args.overwrite),
             write_text(out / "summary.txt", stamp + fit.summary() + "\n", overwrite=args.overwrite)]
    paths += list(save_dataset(fit.to_dataset(), out / "fit", overwrite=args.overwrite, **fields))
    header = ["time_ps"] + [f"{kind}_{k}" for k in range(fit.data.shape[0]) for kind in ("data", "model")]
    columns = [fit.times] + [row for k in range(fit.data.shape[0]) for row in (fit.data[k], fit.model[k])]
    table = "\n".join(",".join(f"{v:.10g}" for v in line) for line in np.column_stack(columns))
    paths.append(write_text(out / "model.csv", stamp + ",".join(header) + "\n" + table + "\n",
                            overwrite=args.overwrite))
    figure = plot_series_fit(fit)[0].figure if fit.sf_detected else _no_sf_figure(fit)
    paths.append(save_figure(figure, out / "fit.png", overwrite=args.overwrite, **fields))
    return [fit.summary(), *(f"wrote {path}" for path in paths)]


def _no_sf_figure(fit):
    """Data against the accepted no-SF model per trace (N_c is not reported, so there is no N_c panel)."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 3.8), constrained_layout=True)
    for k in range(fit.data.shape[0]):
        colour = f"C{k % 10}"
        ax.plot(fit.times, fit.data[k], ".", ms=2.5, color=colour, alpha=0.6)
        ax.plot(fit.times, fit.model[k], "-", lw=1.2, color=colour, label=f"p = {fit.probabilities[k]:.2f}")
    accepted = fit.alternatives[fit.quality["accepted"]]
    ax.set_title(f"no SF detected: {accepted['description']} (p = {accepted['p_value']:.2g})", fontsize="medium")
    ax.set_xlabel("time (ps)")
    ax.set_ylabel("counts per bin" if fit.statistic == "poisson" else "signal")
    ax.legend(frameon=False, fontsize="small")
    return fig
