"""Benchmark: thermal-equilibrium enhancement <Gamma>_T / gamma at 5 temperatures.

* dense: 10 x 10 x 10 simple cubic lattice of triplet NCs (3000 dipoles),
  full diagonalisation;
* matrix-free: the same lattice with exact traces (cross-check of the FFT +
  Chebyshev route against dense), then 32^3 and 64^3 lattices (98 304 and
  786 432 dipoles) with random probes.

CsPbBr3-like inputs: lattice constant 12 nm, lambda 515 nm, 210 ps lifetime.

Usage::

    python benchmarks/bench_thermal.py [--largest 64] [--probes 8]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from sf_dynamics import thermal
from sf_dynamics.geometry.lattice import Superlattice

TEMPS = np.array([2.0, 5.0, 20.0, 80.0, 300.0])


def row(label, dipoles, wall, curve):
    values = " | ".join(f"{e:.4f} ± {s:.4f}" if s > 0 else f"{e:.4f}" for e, s in zip(curve.enhancement, curve.sem))
    print(f"| {label} | {dipoles} | {wall:.1f} | {values} |", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--largest", type=int, default=64, help="edge of the largest matrix-free lattice")
    parser.add_argument("--probes", type=int, default=8, help="random probes of the matrix-free route")
    parser.add_argument("--quick", action="store_true",
                        help="a 6^3 lattice for the dense cross-check (the quick class of run_all.py)")
    args = parser.parse_args(argv)
    edge = 6 if args.quick else 10
    print("| lattice / route | dipoles | wall time (s) | " + " | ".join(f"{t:g} K" for t in TEMPS) + " |")
    print("|---|---|---|" + "---|" * len(TEMPS))
    lat = Superlattice.cubic(edge, edge, edge, lattice_constant_nm=12.0)
    start = time.perf_counter()
    dense = thermal.thermal_superradiance(lat, TEMPS)
    row(f"{edge}^3, dense", 3 * edge**3, time.perf_counter() - start, dense)
    start = time.perf_counter()
    exact = thermal.thermal_superradiance(lat, TEMPS, route="matrix-free", probes="exact", batch=64)
    row(f"{edge}^3, matrix-free, exact traces", 3 * edge**3, time.perf_counter() - start, exact)
    for edge in sorted({32, args.largest}):
        lat = Superlattice.cubic(edge, edge, edge, lattice_constant_nm=12.0)
        start = time.perf_counter()
        curve = thermal.thermal_superradiance(lat, TEMPS, route="matrix-free", probes=args.probes)
        row(f"{edge}^3, matrix-free, {args.probes} probes", 3 * edge**3, time.perf_counter() - start, curve)
    print(f"\nLargest relative difference of the dense and matrix-free (exact traces) routes: "
          f"{np.max(np.abs(exact.enhancement / dense.enhancement - 1)):.1e}.")


if __name__ == "__main__":
    main()
