"""Benchmark of the truncated-Wigner method: speed, and accuracy next to the other approximations.

1. ``speed``: wall time for 10^4 trajectories of (a) N = 10^3 identical
   emitters (one collective spin), (b) N = 10^6 emitters in K = 101 spectral
   classes, (c) n = 500 emitters with full Green's-tensor matrices (cubic
   lattice, spacing 0.1 lambda) -- (c) is timed on 512 trajectories (four
   batches of 128) and scaled (batches are independent: the cost is linear).
2. ``accuracy``: tau_D and averaged-peak errors of cumulant, meanfield and
   twa (2000 trajectories) against the exact permutational solution, N = 50,
   200, 1000, collective decay 1, local decay 0.1, dephasing 0.5; the TWA
   entries carry their standard errors.
3. ``validity``: TWA by N (10 to 1000), both engines, with and without local
   processes: burst errors, the late-time excitation against the exact one,
   and the end of the validity window (info["valid_until_ps"]) in units of tau_D.

Usage::

    python benchmarks/bench_twa.py [--only speed accuracy validity]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import sf_dynamics as sf
from sf_dynamics import analysis
from sf_dynamics.geometry import green_couplings


def timed(ens, times, **options):
    start = time.perf_counter()
    res = sf.simulate(ens, times, method="twa", **options)
    return time.perf_counter() - start, res


def bench_speed(quick=False):
    print("| problem | trajectories | steps | wall time (s) | time for 10^4 trajectories (s) |")
    print("|---|---|---|---|---|")
    n = 1000
    ens = sf.Ensemble(n, collective_decay=1.0, decay=0.1, dephasing=0.5)
    wall, res = timed(ens, np.linspace(0, 4 * np.log(n) / n, 241), trajectories=10_000)
    print(f"| N = 10^3 identical (collective spin) | 10000 | {res.info['steps']} | {wall:.1f} | {wall:.1f} |",
          flush=True)
    ens = sf.Ensemble(10**6, collective_decay=1e-6, dephasing=0.1, spectrum=sf.Spectrum.gaussian(0.5, classes=101))
    shots = 1000 if quick else 10_000
    wall, res = timed(ens, np.linspace(0, 60, 241), trajectories=shots)
    print(f"| N = 10^6 in K = 101 classes | {shots} | {res.info['steps']} | {wall:.1f} | {wall * 10_000 / shots:.1f}"
          f"{' (scaled)' if quick else ''} |", flush=True)
    depth = 2 if quick else 5
    pos = 0.1 * np.stack(np.meshgrid(np.arange(10), np.arange(10), np.arange(depth), indexing="ij"), -1).reshape(-1, 3)
    g, w = green_couplings(pos, np.tile([0, 0, 1.0], (len(pos), 1)), wavelength=1.0, gamma=1.0)
    lam = float(np.linalg.eigvalsh(g)[-1])
    ens = sf.Ensemble(len(pos), gamma_matrix=g, omega_matrix=w)
    wall, res = timed(ens, np.linspace(0, 3 * np.log(len(pos)) / lam, 101), trajectories=512)
    print(f"| n = {len(pos)} emitters, full matrices | 512 | {res.info['steps']} | {wall:.1f} | "
          f"{wall * 10_000 / 512:.0f} (scaled) |", flush=True)


def bench_accuracy(sizes=(50, 200, 1000), quick=False):
    sizes = sizes[:2] if quick else sizes
    print("| N | method | tau_D error | averaged-peak error |")
    print("|---|---|---|---|")
    for n in sizes:
        ens = sf.Ensemble(n, collective_decay=1.0, decay=0.1, dephasing=0.5)
        times = np.linspace(0, 4 * np.log(n) / n, 401)
        ref = sf.simulate(ens, times, method="permutational")
        t_ref, p_ref = analysis.buildup_time(ref), analysis.peak_intensity(ref)
        for method in ("cumulant", "meanfield", "twa"):
            options = dict(trajectories=2000, seed=1) if method == "twa" else {}
            res = sf.simulate(ens, times, method=method, **options)
            tau = f"{analysis.buildup_time(res) / t_ref - 1:+.1%}"
            peak = f"{analysis.peak_intensity(res) / p_ref - 1:+.1%}"
            if method == "twa":
                tau += f" ± {res.info['tau_d_sem'] / t_ref:.1%}"
                peak += f" ± {res.info['peak_sem'] / p_ref:.1%}"
            print(f"| {n} | {method} | {tau} | {peak} |", flush=True)


def bench_validity(sizes=(10, 20, 50, 100, 1000), quick=False):
    """TWA against the exact permutational solution by N: early burst, peak, late tail, validity window.

    Collective decay 1 with and without local decay 0.1 and dephasing 0.5, fully excited, window
    8 ln N / N + 3 (well past the burst), 2000 trajectories (1024 for the per-emitter engine).
    """
    import warnings

    sizes = sizes[:3] if quick else sizes
    print("| N | local processes | engine | tau_D error | peak error | late excitation: TWA / exact | "
          "valid until / tau_D |")
    print("|---|---|---|---|---|---|---|")
    for n in sizes:
        for local in (False, True):
            rates = dict(decay=0.1, dephasing=0.5) if local else {}
            ens = sf.Ensemble(n, collective_decay=1.0, **rates)
            times = np.linspace(0, 8 * np.log(n) / n + 3.0, 241)
            ref = sf.simulate(ens, times, method="permutational")
            t_ref, p_ref = analysis.buildup_time(ref), analysis.peak_intensity(ref)
            for engine in ("classes", "emitters"):
                if engine == "emitters" and n > 100:
                    continue
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    res = sf.simulate(ens, times, method="twa", engine=engine, seed=1,
                                      trajectories=2000 if engine == "classes" else 1024)
                valid = res.info["valid_until_ps"]
                window = "whole window" if valid >= times[-1] else f"{valid / t_ref:.1f}"
                print(f"| {n} | {'yes' if local else 'no'} | {engine} | "
                      f"{analysis.buildup_time(res) / t_ref - 1:+.1%} | "
                      f"{analysis.peak_intensity(res) / p_ref - 1:+.1%} | "
                      f"{res.excitation[-1]:.2f} / {ref.excitation[-1]:.2f} | {window} |", flush=True)


SECTIONS = {"speed": bench_speed, "accuracy": bench_accuracy, "validity": bench_validity}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="*", choices=sorted(SECTIONS), default=list(SECTIONS))
    parser.add_argument("--quick", action="store_true", help="smaller problems (the quick class of run_all.py)")
    args = parser.parse_args(argv)
    sf.simulate(sf.Ensemble(20, collective_decay=1.0), np.linspace(0, 0.5, 11), method="twa", trajectories=4)
    sf.simulate(sf.Ensemble(8, collective_decay=1.0, gamma_matrix=np.eye(8)), np.linspace(0, 0.5, 11), method="twa",
                trajectories=4)
    for name in args.only:
        print(f"\n## {name}\n")
        SECTIONS[name](quick=args.quick)


if __name__ == "__main__":
    main()
