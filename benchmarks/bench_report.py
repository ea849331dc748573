"""Benchmark of the report: ``sf-dynamics report`` on its defaults, as a user runs it, with the time per section.

The command runs in a fresh process (numba's compiled kernels come from the cache of earlier runs, as on a
user's second run; a first run after installation also compiles them) into a temporary folder. Printed: the
wall time of the whole command, the time per section read from the report's provenance line, the machine's
load average before and after, and the goal (60 s on defaults on a quiet machine). ``--quick`` times the
report's fast variant (``--quick``: smaller sizes, the one the test suite runs).

Usage::

    python benchmarks/bench_report.py [--quick] [--repeats 1]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL_SECONDS = 60.0


def run_report(quick=False):
    """(wall time in s, {section: seconds}) of one ``sf-dynamics report`` run into a temporary folder."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "sf_report"
        command = [sys.executable, "-m", "sf_dynamics.cli", "report", "--out", str(out), "--quiet"]
        if quick:
            command.append("--quick")
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - start
        if done.returncode != 0:
            sys.stderr.write(done.stderr)
            raise SystemExit(f"sf-dynamics report failed with return code {done.returncode}")
        text = (out / "report.md").read_text(encoding="utf-8")
    line = re.search(r"Time per section: (.*?)\.\s*$", text, re.M)
    sections = {}
    if line:
        for item in line.group(1).split(", "):
            name, seconds, _ = item.rsplit(" ", 2)
            sections[name] = float(seconds)
    return wall, sections


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="the report's fast variant (--quick)")
    parser.add_argument("--repeats", type=int, default=1, help="runs; the table lists each")
    args = parser.parse_args(argv)
    variant = "quick" if args.quick else "defaults"
    rows = []
    for _ in range(max(1, args.repeats)):
        before = os.getloadavg()[0]
        wall, sections = run_report(args.quick)
        rows.append((before, os.getloadavg()[0], wall, sections))
    names = list(rows[0][3])
    print(f"`sf-dynamics report --quiet{' --quick' if args.quick else ''}` ({variant}); goal {GOAL_SECONDS:.0f} s "
          "on defaults on a quiet machine; section times (whole seconds) from the report's provenance line\n")
    print("| variant | load before / after | wall time (s) | " + " | ".join(f"{n} (s)" for n in names) + " | goal |")
    print("|---|---|---|" + "---|" * len(names) + "---|")
    for before, after, wall, sections in rows:
        verdict = "met" if wall <= GOAL_SECONDS else "missed"
        print(f"| {variant} | {before:.1f} / {after:.1f} | {wall:.1f} | "
              + " | ".join(f"{sections.get(n, float('nan')):.0f}" for n in names) + f" | {verdict} |", flush=True)


if __name__ == "__main__":
    main()
