"""Run every benchmark of a size class, write the results as JSON, and regenerate the README's tables from it.

Size classes:

* ``quick``: smaller problems (each script's ``--quick`` or reduced sizes), under 10 minutes on 2 cores;
* ``full``: the problems the README reports (each script's defaults, or the arguments listed in ``SUITE``).

Each benchmark runs in its own process (one at a time, so timings do not compete); its printed Markdown tables
are kept verbatim with the command, its wall time and the machine's facts in
``benchmarks/results/<class>.json``. The README's performance section holds one generated block per benchmark
between ``<!-- benchmark:NAME -->`` and ``<!-- /benchmark:NAME -->``; ``--readme`` rewrites the blocks from the
``full`` results (no number there is typed by hand), and ``--check`` fails if the README differs from them.

Usage::

    python benchmarks/run_all.py --class quick             # run, write benchmarks/results/quick.json
    python benchmarks/run_all.py --class full --readme     # run, write full.json, regenerate the README tables
    python benchmarks/run_all.py --only exact twa --class full --readme   # rerun some, keep the others
    python benchmarks/run_all.py --only waits --class full --readme      # fit at N_c ~ 10^3, TWA 10^4, report
    python benchmarks/run_all.py --check                   # README tables == benchmarks/results/full.json
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
README = ROOT / "README.md"

#: name -> (script, arguments of the quick class, arguments of the full class); None: not in that class
SUITE = {
    "permutational": ("bench_permutational.py", ["--peer", "10", "20", "40", "--own", "100", "1000"], []),
    "spectra": ("bench_spectra.py", ["--only", "scaling", "approximations", "--scaling-n", "100", "1000",
                                     "--approximation-n", "100", "--lattice-side", "0"], []),
    "statistics": ("bench_statistics.py", ["--quick"], []),
    "twa": ("bench_twa.py", ["--only", "speed", "lattice", "--quick"], ["--only", "speed", "lattice"]),
    "jumps": ("bench_jumps.py", ["--quick"], []),
    "thermal": ("bench_thermal.py", ["--quick", "--largest", "16", "--probes", "4"], ["--largest", "32"]),
    "exact": ("bench_exact.py", ["--sizes", "6", "8", "--triplets", "3", "--identical", "8"], []),
    "cumulant": ("bench_cumulant.py", ["--max-dipoles", "300"], ["--max-dipoles", "1000",
                                                                  "--max-coupling-dipoles", "8000"]),
    "permutational_large": ("bench_permutational.py", None, ["--peer", "--own", "100000"]),
    "transport": ("bench_transport.py", ["--quick"], []),
    "fit": ("bench_fit.py", ["--quick"], ["--sizes", "10", "60", "200", "400", "--fits", "2-60@40", "2-1000@400"]),
    "twa_large": ("bench_twa.py", ["--only", "large", "run", "--quick"], ["--only", "large", "run"]),
    "report": ("bench_report.py", ["--quick"], []),
    "cumulant_order": ("bench_cumulant_order.py", ["--quick"], []),
}
#: the benchmarks of the waiting times users meet (fit at N_c ~ 10^3, TWA on 10^4 dipoles, the report):
#: ``python benchmarks/run_all.py --class full --only waits --readme`` reruns these and rewrites their README rows
GROUPS = {"waits": ["fit", "twa_large", "report"]}


def machine() -> dict:
    """Facts of this machine and of the libraries the timings depend on."""
    import numba
    import numpy
    import qutip
    import scipy

    model = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = None
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError, AttributeError):
        pass
    return {"cpu": model, "cores": os.cpu_count(), "memory_GiB": round(memory, 1) if memory else None,
            "system": platform.platform(), "python": platform.python_version(), "numpy": numpy.__version__,
            "scipy": scipy.__version__, "numba": numba.__version__, "qutip": qutip.__version__}


def run(name, size_class) -> dict:
    """Run one benchmark in a fresh process; its command, output, wall time and return code."""
    script, quick, full = SUITE[name]
    args = quick if size_class == "quick" else full
    command = [sys.executable, str(HERE / script), *args]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
    return {"command": " ".join(["python", f"benchmarks/{script}", *args]), "output": done.stdout,
            "wall_time_s": round(wall, 1), "returncode": done.returncode,
            "date": datetime.date.today().isoformat()}


def render(name, record) -> str:
    """The README block of one benchmark: its command and date, then its tables as printed."""
    lines = [f"`{record['command']}` (run {record['date']} by `python benchmarks/run_all.py --class full`, "
             f"{record['wall_time_s']:.0f} s in all):", ""]
    for line in record["output"].strip().splitlines():
        heading = re.match(r"^#+\s*(.+)$", line)
        lines.append(f"**{heading.group(1)}**" if heading else line)
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def render_machine(facts) -> str:
    return (f"Machine of the tables below: {facts['cpu']}, {facts['cores']} cores, {facts['memory_GiB']} GiB, "
            f"{facts['system']}; Python {facts['python']}, NumPy {facts['numpy']}, SciPy {facts['scipy']}, "
            f"numba {facts['numba']}, QuTiP {facts['qutip']}.")


def _block(name):
    return re.compile(rf"(<!-- benchmark:{re.escape(name)} -->)(.*?)(<!-- /benchmark:{re.escape(name)} -->)", re.S)


def regenerate(text, results) -> str:
    """The README text with every generated block rewritten from ``results`` (the full class)."""
    blocks = {"machine": render_machine(results["machine"])}
    blocks.update({name: render(name, record) for name, record in results["benchmarks"].items()})
    for name, body in blocks.items():
        pattern = _block(name)
        if not pattern.search(text):
            raise SystemExit(f"README.md has no block <!-- benchmark:{name} --> ... <!-- /benchmark:{name} -->")
        text = pattern.sub(lambda m, body=body: m.group(1) + "\n" + body + "\n" + m.group(3), text)
    return text


def load(size_class) -> dict:
    path = RESULTS / f"{size_class}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {"benchmarks": {}}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--class", dest="size_class", choices=["quick", "full"], default=None,
                        help="run the benchmarks of this size class")
    parser.add_argument("--only", nargs="+", choices=sorted(SUITE) + sorted(GROUPS), default=None,
                        help="run only these (a group name stands for its benchmarks)")
    parser.add_argument("--readme", action="store_true", help="rewrite the README's blocks from full.json")
    parser.add_argument("--check", action="store_true", help="exit 1 if the README differs from full.json")
    args = parser.parse_args(argv)
    if args.size_class:
        results = load(args.size_class)
        results["machine"] = machine()
        results["class"] = args.size_class
        failed = []
        names = [member for name in args.only or list(SUITE) for member in GROUPS.get(name, [name])]
        for name in names:
            if SUITE[name][1 if args.size_class == "quick" else 2] is None:
                continue
            print(f"{name} ...", flush=True)
            record = run(name, args.size_class)
            print(f"  {record['wall_time_s']:.1f} s, return code {record['returncode']}", flush=True)
            if record["returncode"] != 0:
                failed.append(name)
                continue
            results["benchmarks"][name] = record
            RESULTS.mkdir(exist_ok=True)
            tmp = RESULTS / f"{args.size_class}.json.partial"
            tmp.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
            tmp.replace(RESULTS / f"{args.size_class}.json")
        total = sum(r["wall_time_s"] for r in results["benchmarks"].values())
        print(f"{args.size_class}: {len(results['benchmarks'])} benchmarks, {total:.0f} s; failed: {failed or 'none'}")
        if failed:
            sys.exit(1)
    if args.readme or args.check:
        full = load("full")
        if not full["benchmarks"]:
            raise SystemExit("benchmarks/results/full.json is missing: run --class full first")
        text = README.read_text(encoding="utf-8")
        new = regenerate(text, full)
        if args.check:
            if new != text:
                raise SystemExit("README.md performance tables differ from benchmarks/results/full.json: "
                                 "run python benchmarks/run_all.py --readme")
            print("README.md tables match benchmarks/results/full.json")
        else:
            README.write_text(new, encoding="utf-8")
            print("README.md tables regenerated from benchmarks/results/full.json")


if __name__ == "__main__":
    main()
