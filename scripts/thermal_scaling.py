"""Scaling of thermal-equilibrium superradiance with size N, NC shape and disorder W.

For simple cubic superlattices of triplet NCs (lambda 515 nm, 210 ps
lifetime, 2.5 nm ligand gap) of L^3 NCs, with cube NCs (9.5 nm) or oblate
cuboids (11.4 x 11.4 x 9.5 nm, the 1.2 x 1.2 x 1 aspect of Krieg 2021), and
Gaussian energy disorder W, prints the characteristic temperatures of
<Gamma>_T / gamma (definitions in sf_dynamics.thermal.characteristic_temperatures)
and the exact high-T coefficient C (K), disorder-averaged (dense route).

Usage::

    python scripts/thermal_scaling.py [--sizes 3 4 5 6 7] [--realizations 3]
"""

from __future__ import annotations

import argparse

import numpy as np

from sf_dynamics.workflows.sweep import thermal_sweep

SHAPES = {"cube 9.5 nm": 9.5, "cuboid 11.4x11.4x9.5 nm": (11.4, 11.4, 9.5)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[3, 4, 5, 6, 7])
    parser.add_argument("--disorder", type=float, nargs="*", default=[0.0, 0.5, 2.0], help="W values (meV)")
    parser.add_argument("--realizations", type=int, default=3)
    args = parser.parse_args(argv)
    temps = np.geomspace(0.3, 1000, 60)
    print("| NCs | NC shape | W (meV) | low-T enhancement | max enhancement | t_max (K) | t_cross (K) | "
          "t_half (K) | C (K) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for shape, edge in SHAPES.items():
        for w in args.disorder:
            for size in args.sizes:
                ds = thermal_sweep("cubic", (size, size, size), temps, realizations=1 if w == 0 else args.realizations,
                                   energy_disorder_meV=w, nc_edge_nm=edge, ligand_gap_nm=2.5)
                a = ds.attrs
                print(f"| {size**3} | {shape} | {w:g} | {a['low_t_enhancement']:.3g} | {a['max_enhancement']:.4f} | "
                      f"{a['t_max']:.3g} | {a['t_cross']:.3g} | {a['t_half']:.3g} | {a['high_t_coefficient_K']:.3g} |",
                      flush=True)


if __name__ == "__main__":
    main()
