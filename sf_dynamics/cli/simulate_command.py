"""``sf-dynamics simulate``: one ensemble, its tau_D, tau_SF and peak; trace.csv, trace.nc, trace.png."""

from __future__ import annotations

import numpy as np

from .flags import add_ensemble_flags, default_end_time, ensemble_from_flags, integer, out_folder, real

__all__ = ["SIMULATE_FILES", "add_parser", "run"]

SIMULATE_FILES = ["trace.csv", "trace.nc", "trace.png"]


def add_parser(sub):
    """Add ``sf-dynamics simulate`` and its flags to the subcommands ``sub``.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The subcommands of the ``sf-dynamics`` parser.
    """
    from ..methods import METHODS

    sim = sub.add_parser(
        "simulate",
        help="simulate one ensemble; print tau_D, tau_SF, peak; write trace.csv, trace.nc and trace.png",
        description="Simulate an ensemble of two-level emitters from the fully excited state. "
        "Defaults: 100 CsPbBr3-like nanocrystals (210 ps radiative lifetime, collective channel, "
        "dephasing 0.01/ps).",
    )
    add_ensemble_flags(sim)
    sim.add_argument("--method", default="auto", choices=["auto", *METHODS],
                     help="solver (default auto: the first that can represent the ensemble)")
    sim.add_argument("--t-max", type=real(0.0, open_below=True), default=None,
                     help="end time in ps (default: 6 ln N / (N Gamma_c))")
    sim.add_argument("--points", type=integer(5), default=401, help="number of output times, >= 5 (default 401)")
    sim.add_argument("--out", default="sf_output", help="output folder (default ./sf_output)")
    sim.add_argument("--overwrite", action="store_true", help="replace trace.* files already in --out")
    sim.add_argument("--quiet", action="store_true",
                     help="no progress (by default a long solve shows its progress on stderr: a bar on a "
                          "terminal, a line per 10 %% in a log)")
    sim.set_defaults(func=run)


def run(args) -> int:
    """Simulate the ensemble of the flags, print its observables and wall time and write its trace.

    A solve of more than ~10 s reports its progress on stderr (the solver's bar, named after the method;
    :mod:`sf_dynamics._progress`) unless ``--quiet`` is given. The ``--out`` folder is checked and locked
    before the solve and its three files replaced together at the end (:func:`.flags.out_folder`).

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
    with out_folder(args, SIMULATE_FILES) as out:
        lines = _simulate(args, out)
    print("\n".join(lines))
    return 0


def _simulate(args, out):
    """The run of :func:`run` inside its locked folder: the lines to print."""
    import time
    import warnings

    import matplotlib

    matplotlib.use("Agg")
    from .. import analysis
    from .._io import save_figure
    from ..analysis.fitting import FitQualityWarning
    from ..plotting import plot_trace
    from ..simulate import simulate

    ensemble = ensemble_from_flags(args)
    t_max = args.t_max if args.t_max is not None else default_end_time(ensemble)
    times = np.linspace(0.0, t_max, args.points)
    start = time.perf_counter()
    result = simulate(ensemble, times, method=args.method, progress=False if args.quiet else None)
    solved = time.perf_counter() - start
    tau_d = analysis.buildup_time(result)
    peak = analysis.peak_intensity(result)
    cut = not np.isfinite(tau_d)      # the maximum sits at the window's end: the burst is not inside it
    lines = [
        f"ensemble      {ensemble!r}",
        f"method        {result.method}",
        (f"tau_D         n/a (the emission still rises at t = {times[-1]:.4g} ps: the window cuts the burst; "
         "raise --t-max)") if cut else f"tau_D         {tau_d:.4g} ps   (time of the intensity maximum)",
        f"peak          {peak:.4g} photons/ps" if np.isfinite(peak) else "peak          n/a (cut by the window)",
    ]
    if result.info.get("partial"):
        lines.insert(2, f"PARTIAL       interrupted: {result.info.get('trajectories_done', '?')} of "
                        f"{result.info.get('trajectories_requested', '?')} trajectories (flagged in every file)")
    fit = None
    if cut:
        lines.append("tau_SF        n/a (the window cuts the burst)")
    elif tau_d > times[0] and np.isfinite(analysis.pulse_fwhm(result)):
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
    fields = {**result.provenance, "command": "sf-dynamics simulate", "parameters": result.parameters}
    if "partial" in result.info:
        fields["partial"] = result.info["partial"]
    png_path = save_figure(ax.figure, out / "trace.png", overwrite=args.overwrite, **fields)
    lines += [f"wrote         {csv_path}", f"wrote         {nc_path}", f"wrote         {png_path}",
              f"time          {time.perf_counter() - start:.3g} s   ({result.method} {solved:.3g} s)"]
    return lines
