"""``sf-dynamics report``: the report on a CsPbBr3-like superlattice."""

from __future__ import annotations

from .flags import out_folder

__all__ = ["add_parser", "run"]


def add_parser(sub):
    """Add ``sf-dynamics report`` and its flags to the subcommands ``sub``.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The subcommands of the ``sf-dynamics`` parser.
    """
    from ..workflows.report.parameters import DESCRIPTIONS, PARAMETERS, SAMPLE_INPUTS

    rep = sub.add_parser(
        "report",
        help="report on a CsPbBr3-like superlattice sample: fluence series, bands, bunching, ringing, temperature",
        description="Simulates one superlattice sample (coherent domains beside uncoupled NCs, partial inversion "
        "by the pump, dephasing at the temperature from the linewidth model) through a pump-fluence series, the "
        "spectra and coherence of its two emission bands, photon bunching, a ringing Maxwell-Bloch slab and a "
        "temperature sweep, and tests each Rainò signature against a no-SF baseline; writes report.md / "
        "report.html with figures and data. Every input below has a built-in default with its source; set it "
        "with its option or in a --config file (TOML or JSON, the same names with underscores).",
    )
    rep.add_argument("--out", default="sf_report", help="output folder (default ./sf_report)")
    rep.add_argument("--config", default=None, help="TOML or JSON file of report inputs (options override it)")
    sample = rep.add_argument_group("the sample")
    other = rep.add_argument_group("detection, slab and lattice")
    for name, (default, unit, _) in PARAMETERS.items():
        group = sample if name in SAMPLE_INPUTS else other
        kind = int if name in ("nanocrystals", "seed") else float
        flag = "--" + name.replace("_", "-")
        group.add_argument(flag, dest=name, type=kind, default=None, metavar=unit or "X",
                           help=f"{DESCRIPTIONS[name]} (default {default:g}{' ' + unit if unit else ''})")
    rep.add_argument("--quick", action="store_true", help="smaller sizes (for tests and a first look)")
    rep.add_argument("--quiet", action="store_true", help="no progress lines")
    rep.add_argument("--overwrite", action="store_true", help="replace the files of an earlier report")
    rep.set_defaults(func=run)


def run(args) -> int:
    """Write the report into ``--out``.

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
    from ..workflows.report import PARAMETERS, REPORT_FILES, read_config, report_inputs, write_report

    given = read_config(args.config) if args.config else {}
    given.update({name: getattr(args, name) for name in PARAMETERS if getattr(args, name) is not None})
    inputs = report_inputs(given)
    with out_folder(args, REPORT_FILES):       # checked and locked now; the report's files replaced together
        path = write_report(args.out, progress=not args.quiet, quick=args.quick, overwrite=args.overwrite,
                            inputs=inputs)
    print(f"wrote {path} and {path.with_suffix('.html')} (figures, CSV and netCDF beside them)")
    return 0
