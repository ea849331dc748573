"""``sf-dynamics bunching``: photon bunching against pump fluence, and exact shots at the highest."""

from __future__ import annotations

import numpy as np

from .flags import integer, out_folder, probability, real

__all__ = ["BUNCHING_FILES", "add_parser", "run"]

BUNCHING_FILES = ["bunching.csv", "bunching.nc", "bunching.png", "shots.csv", "shots.nc", "shots.png"]


def add_parser(sub):
    """Add ``sf-dynamics bunching`` and its flags to the subcommands ``sub``.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The subcommands of the ``sf-dynamics`` parser.
    """
    bun = sub.add_parser(
        "bunching",
        help="photon bunching against pump fluence: g2 of the burst, shot delays, photons per pulse",
        description="For each pump fluence (each NC of a domain excited with probability p(F) = 1 - exp(-sigma F / "
        "E_ph), the others left in the ground state), the collective "
        "channel's equal-time g2 at the peak, the zero-delay g2 of a pulsed Hanbury Brown-Twiss setup with fast "
        "detectors, the per-pulse g2 of slow detectors with collection efficiencies, and independent NCs for "
        "reference; exact single shots at the highest fluence (delays, half-emission times, photon numbers). "
        "Defaults: a 200-NC CsPbBr3-like domain (210 ps lifetime, 30 %% into the collective channel, T2 ~ 80 ps); "
        "--temperature sets the dephasing from the linewidth model instead.",
    )
    bun.add_argument("--fluences", type=real(0.0, open_below=True), nargs="+", default=[1.0, 3.0, 10.0, 30.0],
                     help="pump fluences in uJ/cm^2 (default 1 3 10 30)")
    bun.add_argument("--nanocrystals", type=integer(2), default=200, help="NCs in the coherent domain (default 200)")
    bun.add_argument("--cross-section", type=real(0.0, open_below=True), default=5e-14,
                     help="absorption cross-section in cm^2 at 400 nm (default 5e-14)")
    bun.add_argument("--collective-decay", type=real(0.0, open_below=True), default=0.3 / 210.0,
                     help="collective decay rate Gamma_c in 1/ps (default 0.3/210)")
    bun.add_argument("--decay", type=real(), default=0.7 / 210.0, help="local decay rate in 1/ps (default 0.7/210)")
    bun.add_argument("--dephasing", type=real(), default=0.0101, help="dephasing rate in 1/ps (default 0.0101)")
    bun.add_argument("--temperature", type=real(0.0, open_below=True), default=None,
                     help="temperature in K: the dephasing from the linewidth model (replaces --dephasing)")
    bun.add_argument("--efficiency", type=probability(open_below=True), default=0.1,
                     help="detection probability of a collective-channel photon, (0, 1] (default 0.1)")
    bun.add_argument("--local-efficiency", type=probability(), default=0.01,
                     help="detection probability of a local-channel photon, [0, 1] (default 0.01)")
    bun.add_argument("--method", choices=["permutational", "jumps"], default="permutational",
                     help="exact populations (default) or exact shots for the series")
    bun.add_argument("--trajectories", type=integer(2), default=2000, help="exact shots (default 2000)")
    bun.add_argument("--seed", type=integer(0), default=0, help="seed of the shots (default 0)")
    bun.add_argument("--points", type=integer(5), default=401, help="output times (default 401)")
    bun.add_argument("--out", default="sf_bunching", help="output folder (default ./sf_bunching)")
    bun.add_argument("--overwrite", action="store_true", help="replace files of an earlier run in --out")
    bun.set_defaults(func=run)


def run(args) -> int:
    """Run the bunching series and the exact shots, print the table and write the files.

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
    with out_folder(args, BUNCHING_FILES) as out:
        lines = _bunching(args, out)
    print("\n".join(lines))
    return 0


def _bunching(args, out):
    """The run of :func:`run` inside its locked folder: the lines to print."""
    import matplotlib

    matplotlib.use("Agg")
    import xarray as xr

    from .._io import save_dataset, save_figure
    from ..model import ProductState
    from ..plotting import plot_bunching_series, plot_shot_statistics
    from ..workflows.bunching import bunching_series, shot_statistics
    from ..workflows.sample import Sample

    fluences = np.array(sorted(args.fluences), dtype=float)
    options = {"trajectories": args.trajectories, "seed": args.seed} if args.method == "jumps" else {}
    sample = Sample(domain_sizes=args.nanocrystals, collective_decay=args.collective_decay, decay=args.decay,
                    dephasing=args.dephasing, cross_section_cm2=args.cross_section)
    if args.temperature is not None:
        sample = sample.with_temperature(args.temperature)
    series = bunching_series(fluences, sample, efficiency=args.efficiency, local_efficiency=args.local_efficiency,
                             method=args.method, points=args.points, progress=False, **options)
    fields = {"method": args.method, "command": "sf-dynamics bunching", "seed": args.seed,
              "trajectories": args.trajectories if args.method == "jumps" else None, "sample": _sample_fields(args)}
    paths = list(save_dataset(series, out / "bunching", overwrite=args.overwrite, **fields))
    axes = plot_bunching_series(series)
    paths.append(save_figure(axes[0].figure, out / "bunching.png", overwrite=args.overwrite, **fields))
    # exact single shots at the highest fluence: delays, half-emission times and detected photon numbers
    n = args.nanocrystals
    p = float(series["probability"].values[-1])
    times = series["time"].values
    delays, counts = shot_statistics(sample.domain(n), times, efficiency=args.efficiency,
                                     local_efficiency=args.local_efficiency, trajectories=args.trajectories,
                                     seed=args.seed, initial=ProductState(p))
    shot_ds = xr.Dataset({"delay": ("shot", delays["delay"].values, {"units": "ps"}),
                          "half_time": ("shot", delays["half_time"].values, {"units": "ps"}),
                          **({"cut": ("shot", delays["cut"].values.astype(np.int8),
                                      {"long_name": "1: the window cuts this shot's burst (no delay)"})}
                             if "cut" in delays else {}),
                          "emitted_collective": ("shot", counts["emitted_collective"].values, {"units": "photons"}),
                          "emitted_local": ("shot", counts["emitted_local"].values, {"units": "photons"}),
                          "probability": ("photons", counts["probability"].values,
                                          {"long_name": "P(n) of detected photons per pulse"})},
                         coords={"shot": np.arange(delays.sizes["shot"]), "photons": counts["photons"].values},
                         attrs={"nanocrystals": n, "probability": p, "g2_pulse": float(counts["g2"]),
                                "g2_pulse_sem": float(counts["g2_sem"]),
                                "mean_delay_ps": delays.attrs["mean_ps"], "std_delay_ps": delays.attrs["std_ps"]})
    shot_fields = {**fields, "method": "jumps", "trajectories": args.trajectories, "probability": p}
    paths += list(save_dataset(shot_ds, out / "shots", overwrite=args.overwrite, **shot_fields))
    fig = plot_shot_statistics(delays, counts, title=f"N = {n}, p = {p:.3f}: exact shots ({args.trajectories})")
    paths.append(save_figure(fig, out / "shots.png", overwrite=args.overwrite, **shot_fields))
    lines = [f"{'fluence':>9} {'p':>6} {'burst':>5} {'g2 peak':>8} {'g2(0) fast':>10} {'g2 pulse':>9} {'uncoupled':>9} "
             f"{'photons':>8}"]
    for i, fluence in enumerate(fluences):
        lines.append(f"{fluence:9.4g} {float(series['probability'][i]):6.3f} "
                     f"{'yes' if series['burst'][i] else 'no':>5} {float(series['g2_peak'][i]):8.4f} "
                     f"{float(series['g2_zero_delay'][i]):10.4f} {float(series['g2_pulse'][i]):9.4f} "
                     f"{float(series['g2_pulse_uncoupled'][i]):9.4f} {float(series['photons_detected'][i]):8.4g}")
    lines.append(f"shots at N = {n}, p = {p:.3f}: delay {delays.attrs['mean_ps']:.4g} +- "
                 f"{delays.attrs['std_ps']:.3g} ps, "
                 f"per-pulse g2 {float(counts['g2']):.4f} +- {float(counts['g2_sem']):.4f} (exact shots)")
    lines += [f"wrote {path}" for path in paths]
    return lines


def _sample_fields(args):
    """The domain and detection the flags describe, as every file records them."""
    names = ("fluences", "nanocrystals", "cross_section", "collective_decay", "decay", "dephasing", "temperature",
             "efficiency", "local_efficiency", "points")
    return {name: getattr(args, name) for name in names}
