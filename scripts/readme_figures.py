"""Regenerate every figure the README shows, from the runs that produce them.

Usage::

    python scripts/readme_figures.py [--skip-scan] [--quiet]

Runs ``sf-dynamics report`` on its defaults into a temporary folder and copies its figures into ``docs/``, then
runs ``scripts/suppression_scan.py`` (about 6 minutes on 2 cores; ``--skip-scan`` keeps the existing image).
:data:`FIGURES` lists each README image with the run that makes it; ``tests/test_readme.py`` checks that the
README shows exactly these and that each exists.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: README image (under docs/) -> the run that writes it
FIGURES = {
    "fluence_traces.png": "report",
    "fluence_streak.png": "report",
    "ringing.png": "report",
    "bunching.png": "report",
    "thermal_enhancement.png": "report",
    "dynamic_sweep.png": "report",
    "suppression_scan.png": "scripts/suppression_scan.py",
}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--skip-scan", action="store_true", help="keep docs/suppression_scan.png as it is")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    args = parser.parse_args(argv)
    from sf_dynamics.workflows.report import write_report

    docs = ROOT / "docs"
    with tempfile.TemporaryDirectory() as tmp:
        write_report(tmp, progress=not args.quiet)
        for name, source in FIGURES.items():
            if source == "report":
                shutil.copyfile(Path(tmp) / name, docs / name)
                print(f"docs/{name} <- sf-dynamics report", file=sys.stderr)
    if not args.skip_scan:
        command = [sys.executable, str(ROOT / "scripts" / "suppression_scan.py"), "--out",
                   str(docs / "suppression_scan.png")] + (["--quiet"] if args.quiet else [])
        subprocess.run(command, check=True)
        print("docs/suppression_scan.png <- scripts/suppression_scan.py", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
