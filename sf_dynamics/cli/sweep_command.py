"""``sf-dynamics sweep``: thermal-equilibrium enhancement and SF dynamics against temperature."""

from __future__ import annotations

import argparse

import numpy as np

from ..workflows.report.parameters import PARAMETERS
from .flags import integer, out_folder, probability, real

__all__ = ["SWEEP_FILES", "add_parser", "run"]

#: the files a sweep writes into --out (its resumable points go to --out/points)
SWEEP_FILES = [f"{stem}.{suffix}" for stem in ("thermal_cubic_W0meV", "thermal_cubic_W0.5meV", "thermal_cubic_W2meV",
                                              "thermal_chain20", "dynamic_sweep") for suffix in ("nc", "csv")]
SWEEP_FILES += ["thermal_enhancement.png", "dynamic_sweep.png"]
#: seed of the first disorder realisation of the thermal sweeps (realisation r uses THERMAL_SEED + r)
THERMAL_SEED = 0


def add_parser(sub):
    """Add ``sf-dynamics sweep`` and its flags to the subcommands ``sub``.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The subcommands of the ``sf-dynamics`` parser.
    """
    sweep = sub.add_parser(
        "sweep",
        help="temperature sweeps: thermal-equilibrium enhancement and SF dynamics vs T (netCDF, CSV, PNG)",
        description="Thermal-equilibrium superradiant enhancement of CsPbBr3-like superlattices and the "
        "dynamical temperature sweep of a point-like domain with phonon dephasing from the linewidth model; the "
        "domain's defaults are the report's sample (where the burst vanishes depends on each of them).",
    )
    sweep.add_argument("--kind", choices=["thermal", "dynamic", "both"], default="both")
    sweep.add_argument("--temperatures", type=integer(2), default=12, help="number of temperatures, >= 2 (default 12)")
    sweep.add_argument("--n", type=integer(2), default=int(PARAMETERS["nanocrystals"][0]),
                       help="NCs of the point-like domain of the dynamic sweep (default "
                            f"{PARAMETERS['nanocrystals'][0]}, the report's)")
    sweep.add_argument("--lifetime", type=real(0.0, open_below=True), default=PARAMETERS["radiative_lifetime"][0],
                       help=f"radiative lifetime 1/Gamma_1 of one NC in ps (default "
                            f"{PARAMETERS['radiative_lifetime'][0]:g})")
    sweep.add_argument("--collective-fraction", type=probability(open_below=True),
                       default=PARAMETERS["collective_fraction"][0],
                       help="share Gamma_c / Gamma_1 of each NC's emission into the domain's common mode, (0, 1] "
                            f"(default {PARAMETERS['collective_fraction'][0]:g}, the report's)")
    sweep.add_argument("--excitation", type=probability(open_below=True), default=1.0,
                       help="probability p that the pump left each NC excited, (0, 1] (default 1: fully inverted; "
                            "below 1 the product state p, the others in the ground state)")
    sweep.add_argument("--executor", default="processes",
                       help="'processes' (default), 'serial', or a Dask scheduler address tcp://host:port")
    sweep.add_argument("--out", default="sweep_output", help="output folder (default ./sweep_output)")
    sweep.add_argument("--overwrite", action="store_true", help="replace files of an earlier sweep in --out")
    sweep.add_argument("--resume", action=argparse.BooleanOptionalAction, default=True,
                       help="reuse the points an earlier (interrupted or failed) run left in --out/points: compute "
                            "only missing and failed ones (default: on)")
    sweep.add_argument("--quiet", action="store_true",
                       help="no progress (by default each sweep is announced on stderr as it starts, with a bar "
                            "over its points: tqdm on a terminal, plain lines in a log)")
    sweep.set_defaults(func=run)


def run(args) -> int:
    """Run the sweeps (resumable), print their summary and wall time and write them.

    Each sweep is a stage announced on stderr (:func:`sf_dynamics._progress.stages`), with a bar over its
    points, unless ``--quiet`` is given. ``--out`` is checked and locked before the first point (a second
    sweep on the same folder is refused at once); the finished points are kept in ``--out/points`` as they
    come, the result files replaced together at the end.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed flags.

    Returns
    -------
    int
        Exit code: 1 when points failed, else 0.

    Raises
    ------
    ValueError, OSError
        For inconsistent flags or output problems (:func:`sf_dynamics.cli.main` prints them in one line).
    """
    import time

    import matplotlib

    matplotlib.use("Agg")

    from .._progress import stages

    start = time.perf_counter()
    thermal = args.kind in ("thermal", "both")
    dynamic = args.kind in ("dynamic", "both")
    progress = False if args.quiet else None    # the sweeps' bars over their points
    with out_folder(args, SWEEP_FILES) as out:
        with stages(not args.quiet, total=4 * thermal + dynamic, desc="sf-dynamics sweep") as stage:
            lines, incomplete = _thermal(args, out, progress, stage) if thermal else ([], [])
            if dynamic:
                stage.start(f"dynamics, N = {args.n}")
                lines += _dynamic(args, out, progress, incomplete)
    lines.append(f"wrote {out.path}/ ({time.perf_counter() - start:.0f} s)")
    lines.extend(f"incomplete: {text}" for text in incomplete)
    print("\n".join(lines))
    return 1 if incomplete else 0


def _thermal(args, out, progress, stage):
    """The thermal-equilibrium sweeps (three disorders of a 6x6x6 lattice, a chain), one stage each: (lines,
    incomplete)."""
    from .._io import save_figure
    from ..plotting import plot_enhancement
    from ..workflows.sweep import save_dataset, thermal_sweep

    points = out / "points"
    lines, incomplete = [], []
    fields = {"command": "sf-dynamics sweep", "method": "thermal dense", "lattice_constant_nm": 12.0}
    temps = np.geomspace(0.5, 300.0, args.temperatures)
    curves, labels = [], []
    for w in (0.0, 0.5, 2.0):
        stage.start(f"thermal 6x6x6, W = {w:g} meV")
        realizations = 1 if w == 0 else 4
        ds = thermal_sweep("cubic", (6, 6, 6), temps, realizations=realizations, energy_disorder_meV=w,
                           lattice_constant_nm=12.0, executor=args.executor, out=points / f"thermal_W{w:g}meV",
                           resume=args.resume, progress=progress, seed=THERMAL_SEED)
        if not ds.attrs["complete"]:
            incomplete.append(f"thermal W = {w:g} meV: {ds.attrs['summary']}")
        save_dataset(ds, out / f"thermal_cubic_W{w:g}meV", overwrite=args.overwrite, **fields,
                     lattice="cubic 6x6x6", energy_disorder_meV=w, seed=THERMAL_SEED,
                     seeds=list(range(THERMAL_SEED, THERMAL_SEED + realizations)))
        curves.append(ds)
        labels.append(f"cubic 6x6x6 triplets, W = {w:g} meV")
        lines.append(f"cubic 6x6x6, W = {w:g} meV: max enhancement {ds.attrs['max_enhancement']:.3f} at "
                     f"{ds.attrs['t_max']:.3g} K, crosses 1 at {ds.attrs['t_cross']:.3g} K, "
                     f"low-T {ds.attrs['low_t_enhancement']:.3g}, "
                     f"high-T law 1 + {ds.attrs['high_t_coefficient_K']:.3g} K / T")
    stage.start("thermal chain of 20")
    chain = thermal_sweep("chain", 20, temps, realizations=1, dipole=[1.0, 0.0, 0.0], lattice_constant_nm=12.0,
                          executor="serial", out=points / "thermal_chain20", resume=args.resume, progress=progress,
                          seed=THERMAL_SEED)
    save_dataset(chain, out / "thermal_chain20", overwrite=args.overwrite, **fields, lattice="chain of 20, dipoles "
                 "along the axis", seed=THERMAL_SEED)
    curves.append(chain)
    labels.append("chain of 20, dipoles along the axis")
    lines.append(f"chain of 20 (J-type): enhancement {chain.attrs['low_t_enhancement']:.3g} at "
                 f"{temps[0]:g} K, half-excess temperature {chain.attrs['t_half']:.3g} K")
    ax = plot_enhancement(curves, labels=labels)
    save_figure(ax.figure, out / "thermal_enhancement.png", overwrite=args.overwrite, **fields, seed=THERMAL_SEED,
                temperatures_K=temps, curves=labels)
    return lines, incomplete


def _dynamic(args, out, progress, incomplete):
    """The dynamical temperature sweep of N emitters: its summary lines (a failed run appended to
    ``incomplete``)."""
    from .._io import save_figure
    from ..plotting import plot_temperature_sweep
    from ..workflows.sweep import dynamic_temperature_sweep, save_dataset

    temps = np.linspace(4.0, 100.0, args.temperatures)
    gamma_1 = 1.0 / args.lifetime
    ds = dynamic_temperature_sweep(temps, n=args.n, collective_decay=args.collective_fraction * gamma_1,
                                   decay=(1.0 - args.collective_fraction) * gamma_1, excitation=args.excitation,
                                   executor=args.executor, out=out / "points" / "dynamic", resume=args.resume,
                                   progress=progress)
    if not ds.attrs["complete"]:
        incomplete.append(f"dynamic sweep: {ds.attrs['summary']}")
    fields = {"command": "sf-dynamics sweep", "method": ds.attrs.get("method"), "seed": None,    # deterministic
              "n": args.n, "lifetime_ps": args.lifetime, "collective_fraction": args.collective_fraction,
              "excitation": args.excitation, "temperatures_K": temps}
    save_dataset(ds, out / "dynamic_sweep", overwrite=args.overwrite, **fields)
    axes = plot_temperature_sweep(ds)
    save_figure(axes[0].figure, out / "dynamic_sweep.png", overwrite=args.overwrite, **fields)
    vanish = ds.attrs["t_sf_vanishes_K"]
    where = (f"burst vanishes at ~{vanish:.3g} K (peak < {ds.attrs['sf_threshold']} x incoherent rate)"
             if np.isfinite(vanish) else "the burst survives the whole sweep")
    return [f"dynamics, N = {args.n} NCs, lifetime {args.lifetime:g} ps, {args.collective_fraction:.0%} collective, "
            f"p = {args.excitation:g}: tau_D({temps[0]:g} K) = {float(ds['tau_d'][0]):.3g} ps, {where}"]
