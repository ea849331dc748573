"""Benchmark of exact photon-counting shots (method ``jumps``) and of TWA's delay statistics against them.

1. ``speed``: wall time of M shots of N emitters (pure collective decay, and with local decay 0.1 and dephasing
   0.5 per Gamma_c), 201 output times over 3 ln(N)/N.
2. ``delays``: mean and relative spread of the shot delays (time of each shot's maximum) from ``jumps``
   (exact) and ``twa`` (class spin, 2000 trajectories), same rates with local decay and dephasing, N =
   10^2-10^4, and the Gumbel law of pure collective decay for reference.

Usage::

    python benchmarks/bench_jumps.py [--only speed delays]
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np

import sf_dynamics as sf

LOCAL = dict(collective_decay=1.0, decay=0.1, dephasing=0.5)


def grid(n, points=201, span=3.0):
    return np.linspace(0, span * np.log(n) / n, points)


def bench_speed(quick=False):
    print("| N | shots | processes | wall time (s) |")
    print("|---|---|---|---|")
    for n, shots in ((10**4, 10**3), (10**5, 10**3)) if quick else ((10**4, 10**4), (10**6, 10**3)):
        for label, rates in (("collective", dict(collective_decay=1.0)), ("+ local decay, dephasing", LOCAL)):
            start = time.perf_counter()
            sf.simulate(sf.Ensemble(n, **rates), grid(n), method="jumps", trajectories=shots, seed=1)
            print(f"| {n} | {shots} | {label} | {time.perf_counter() - start:.1f} |", flush=True)


def bench_delays(sizes=(100, 1000, 10_000)):
    print("| N | jumps mean tau_D (1/N Gamma_c) | twa mean | jumps relative spread | twa relative spread | "
          "Gumbel (pure collective) mean, spread |")
    print("|---|---|---|---|---|---|")
    for n in sizes:
        ens = sf.Ensemble(n, **LOCAL)
        times = grid(n, points=601, span=6.0)
        exact = sf.simulate(ens, times, method="jumps", trajectories=4000, seed=1).info["shot_delays"]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            twa = sf.simulate(ens, times, method="twa", trajectories=2000, seed=1).info["shot_delays"]
        gumbel_mean, gumbel_spread = np.log(n) + np.euler_gamma, np.pi / np.sqrt(6)
        print(f"| {n} | {exact.mean() * n:.3f} | {twa.mean() * n:.3f} | {exact.std() / exact.mean():.3f} | "
              f"{twa.std() / twa.mean():.3f} | {gumbel_mean:.3f}, {gumbel_spread / gumbel_mean:.3f} |", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="*", choices=["speed", "delays"], default=["speed", "delays"])
    parser.add_argument("--quick", action="store_true", help="smaller problems (the quick class of run_all.py)")
    args = parser.parse_args(argv)
    sf.simulate(sf.Ensemble(10, collective_decay=1.0), grid(10), method="jumps", trajectories=4)  # compile
    if "speed" in args.only:
        print("\n## speed\n")
        bench_speed(quick=args.quick)
    if "delays" in args.only:
        print("\n## delays\n")
        bench_delays((100, 1000) if args.quick else (100, 1000, 10_000))


if __name__ == "__main__":
    main()
