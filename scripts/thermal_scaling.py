"""Scaling of thermal-equilibrium superradiance with size N, NC shape and disorder W.

For simple cubic superlattices of triplet NCs (lambda 515 nm, 210 ps
lifetime, 2.5 nm ligand gap) of L^3 NCs, with cube NCs (9.5 nm) or oblate
cuboids (11.4 x 11.4 x 9.5 nm, the 1.2 x 1.2 x 1 aspect of Krieg 2021), and
Gaussian energy disorder W, prints the characteristic temperatures of
<Gamma>_T / gamma (definitions in sf_dynamics.thermal.characteristic_temperatures)
and the exact high-T coefficient C (K), disorder-averaged (dense route).

Usage::

    python scripts/thermal_scaling.py [--sizes 3 4 5 6 7] [--realizations 3] [--quiet]

Each row is a stage announced on stderr as it starts (a bar on a terminal), with a bar over its sweep points.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from sf_dynamics._progress import stages
from sf_dynamics.workflows.sweep import thermal_sweep

SHAPES = {"cube 9.5 nm": 9.5, "cuboid 11.4x11.4x9.5 nm": (11.4, 11.4, 9.5)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[3, 4, 5, 6, 7])
    parser.add_argument("--disorder", type=float, nargs="*", default=[0.0, 0.5, 2.0], help="W values (meV)")
    parser.add_argument("--realizations", type=int, default=3)
    parser.add_argument("--quiet", action="store_true", help="no progress lines (stages and sweep bars) on stderr")
    args = parser.parse_args(argv)
    temps = np.geomspace(0.3, 1000, 60)
    start = time.perf_counter()
    print("| NCs | NC shape | W (meV) | low-T enhancement | max enhancement | t_max (K) | t_cross (K) | "
          "t_half (K) | C (K) |")
    print("|---|---|---|---|---|---|---|---|---|")
    rows = len(SHAPES) * len(args.disorder) * len(args.sizes)
    with stages(not args.quiet, total=rows, desc="thermal scaling") as stage:
        for shape, edge in SHAPES.items():
            for w in args.disorder:
                for size in args.sizes:
                    stage.start(f"{size**3} NCs, {shape}, W = {w:g} meV")
                    ds = thermal_sweep("cubic", (size, size, size), temps,
                                       realizations=1 if w == 0 else args.realizations, energy_disorder_meV=w,
                                       nc_edge_nm=edge, ligand_gap_nm=2.5, progress=False if args.quiet else None)
                    a = ds.attrs
                    print(f"| {size**3} | {shape} | {w:g} | {a['low_t_enhancement']:.3g} | "
                          f"{a['max_enhancement']:.4f} | {a['t_max']:.3g} | {a['t_cross']:.3g} | {a['t_half']:.3g} | "
                          f"{a['high_t_coefficient_K']:.3g} |", flush=True)
    print(f"\n{rows} rows in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
