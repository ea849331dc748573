"""``sf-dynamics report``: the report on a CsPbBr3-like superlattice."""

from __future__ import annotations

from .flags import prepare_folder

__all__ = ["add_parser", "run"]


def add_parser(sub):
    """Add ``sf-dynamics report`` and its flags to the subcommands ``sub``.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The subcommands of the ``sf-dynamics`` parser.
    """
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
    from ..workflows.report import REPORT_FILES, write_report

    prepare_folder(args.out, REPORT_FILES, args.overwrite)
    path = write_report(args.out, progress=not args.quiet, quick=args.quick, overwrite=True)
    print(f"wrote {path} and {path.with_suffix('.html')} (figures, CSV and netCDF beside them)")
    return 0
