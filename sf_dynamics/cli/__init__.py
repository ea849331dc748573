"""Command-line interface: ``sf-dynamics report``, ``simulate``, ``spectrum``, ``bunching``, ``fit`` and ``sweep``.

Every flag is checked when it is read: a bad value stops the command with
argparse's one-line message naming the flag (exit code 2). Output folders
are never overwritten silently: a folder that already holds the files a
command writes is refused unless ``--overwrite`` is given. Problems with the
output (a file in the way, no permission, a full disk) end in a one-line
``sf-dynamics: error: ...`` message, not a traceback.

One module per command (``<name>_command``: its output files, ``add_parser`` and ``run``), the shared flag
types, default ensemble and output-folder check in :mod:`.flags`; :func:`main` is the console entry point
``sf_dynamics.cli:main``, and ``python -m sf_dynamics.cli`` runs it too.
"""

from __future__ import annotations

import argparse
import sys

from . import bunching_command, fit_command, report_command, simulate_command, spectrum_command, sweep_command
from .bunching_command import BUNCHING_FILES as BUNCHING_FILES
from .fit_command import FIT_FILES as FIT_FILES
from .flags import DEFAULTS as DEFAULTS
from .flags import default_end_time
from .spectrum_command import SPECTRUM_FILES as SPECTRUM_FILES
from .sweep_command import SWEEP_FILES as SWEEP_FILES

__all__ = ["main", "build_parser", "default_end_time"]

#: the commands, in the order ``sf-dynamics --help`` lists them
COMMANDS = (report_command, simulate_command, spectrum_command, bunching_command, fit_command, sweep_command)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``sf-dynamics``: one subcommand per module of :data:`COMMANDS`.

    Returns
    -------
    argparse.ArgumentParser
    """
    parser = argparse.ArgumentParser(
        prog="sf-dynamics", description="Superfluorescence dynamics of quantum-emitter ensembles."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.add_parser(sub)
    return parser


def main(argv=None) -> int:
    """Entry point of the ``sf-dynamics`` console command.

    Parameters
    ----------
    argv : list of str, optional
        The arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 on success, 1 when a sweep finished with failed points (their
        summary is printed; the others are saved), 2 for bad input or output
        problems (a one-line message on stderr), 130 after Ctrl-C (finished
        sweep points are kept for a resume).

    Raises
    ------
    SystemExit
        Through argparse (code 2) for bad flags, and for ``--help``.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    from ..workflows.executor import SweepInterrupted

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
