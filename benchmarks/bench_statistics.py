"""Benchmark of photon statistics: G2(t, tau) against QuTiP, photons per pulse, and the approximations' g2.

1. ``peers``: the collective-channel intensity correlation G2(t, tau) = Gamma_c^2 <J+(t) J+J-(t + tau) J-(t)>,
   compared with QuTiP's ``correlation_3op_2t`` on the same problem measured in the same run:
   (a) ``exact`` against QuTiP on the full 2^N space (Lindbladian from ``qutip.liouvillian``), N = 3-6;
   (b) ``permutational`` against QuTiP piqs (Dicke Liouvillian) + ``correlation_3op_2t``, N = 10-40.
   Problem: collective decay 1, local decay 0.1, dephasing 0.5, excited at t = 0, 11 times over 2 ln(N)/N and
   101 delays over 4 ln(N)/N + 2 ps. Agreement = max |G2 - G2_peer| / max |G2_peer|.
2. ``counting``: the per-pulse g2 of the collective channel (efficiency 0.1, local channel 0.01) from the
   counting hierarchy (``permutational``) and from 10^4 exact shots (``jumps``), with local decay competing
   with the burst (gamma = N Gamma_c / 10, dephasing 0.5), gate 12 ln(N)/N; the difference in units of the
   shots' standard error.
3. ``approximations``: equal-time g2 of pure collective decay from ``twa`` (4000 trajectories, class spin) and
   ``cumulant`` (classes) against ``permutational``: at the peak of the collective rate and the largest relative
   error where the pair rate is above 1 % of its maximum (101 times over 10 ln(N)/N); TWA's per-pulse g2 and
   photon number (Mandel's formula on its classical intensities) against the counting hierarchy.

Usage::

    python benchmarks/bench_statistics.py [--only peers counting approximations]
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
from _peers import QUTIP_OPTIONS, RATES, full_space, grids, piqs_dicke, speedup

import sf_dynamics as sf


def ours(n, method):
    times, taus = grids(n)
    start = time.perf_counter()
    corr = sf.statistics.second_order(sf.Ensemble(n, **RATES), times, taus, method=method)
    return time.perf_counter() - start, corr["G2"].values


def qutip_full(n):
    import qutip

    times, taus = grids(n)
    start = time.perf_counter()
    hamiltonian, c_ops, rho0, jm = full_space(n)
    g2 = qutip.correlation_3op_2t(hamiltonian, rho0, times, taus, c_ops, jm.dag(), jm.dag() * jm, jm,
                                  options=QUTIP_OPTIONS)
    return time.perf_counter() - start, RATES["collective_decay"] ** 2 * np.real(g2)


def qutip_piqs(n):
    import qutip

    times, taus = grids(n)
    start = time.perf_counter()
    liouvillian, rho0, jp, jm = piqs_dicke(n)
    g2 = qutip.correlation_3op_2t(liouvillian, rho0, times, taus, [], jp, jp * jm, jm,
                                  options=QUTIP_OPTIONS)
    return time.perf_counter() - start, RATES["collective_decay"] ** 2 * np.real(g2)


def peers(quick=False):
    print("| method | peer | N | ours (s) | peer (s) | speed-up | agreement |")
    print("|---|---|---|---|---|---|---|")
    sf.statistics.second_order(sf.Ensemble(3, **RATES), *grids(3, 3, 5), method="exact")       # compile/warm
    sf.statistics.second_order(sf.Ensemble(10, **RATES), *grids(10, 3, 5), method="permutational")
    cases = (("exact", qutip_full, (3, 4, 5) if quick else (3, 4, 5, 6)),
             ("permutational", qutip_piqs, (10, 20) if quick else (10, 20, 40)))
    for method, peer, sizes in cases:
        for n in sizes:
            t_ours, g2 = ours(n, method)
            t_peer, ref = peer(n)
            agreement = np.abs(g2 - ref).max() / np.abs(ref).max()
            name = "QuTiP full space" if method == "exact" else "QuTiP piqs"
            print(f"| {method} | {name} + correlation_3op_2t | {n} | {t_ours:.3f} | {t_peer:.2f} | "
                  f"{speedup(t_peer / t_ours)} | {agreement:.1e} |", flush=True)


def counting(quick=False):
    print("| N | hierarchy g2 | time (s) | 10^4 shots g2 +- SE | time (s) | difference (SE) |")
    print("|---|---|---|---|---|---|")
    for n in (100,) if quick else (100, 1000):
        ens = sf.Ensemble(n, collective_decay=1.0, decay=0.1 * n, dephasing=0.5)
        times = np.linspace(0, 12 * np.log(n) / n, 201)
        start = time.perf_counter()
        exact = sf.statistics.photon_counts(ens, times, efficiency=0.1, local_efficiency=0.01, rtol=1e-7)
        t_exact = time.perf_counter() - start
        start = time.perf_counter()
        shots = sf.statistics.photon_counts(ens, times, method="jumps", efficiency=0.1, local_efficiency=0.01,
                                            trajectories=10_000, seed=1)
        t_shots = time.perf_counter() - start
        diff = (float(shots["g2"]) - float(exact["g2"])) / float(shots["g2_sem"])
        print(f"| {n} | {float(exact['g2']):.5f} | {t_exact:.2f} | {float(shots['g2']):.5f} +- "
              f"{float(shots['g2_sem']):.1e} | {t_shots:.2f} | {diff:+.1f} |", flush=True)


def approximations(quick=False):
    print("| method | N | g2 at the peak (exact) | max relative error (bright) | per-pulse g2 (exact) | photons |")
    print("|---|---|---|---|---|---|")
    for n in (100,) if quick else (100, 1000):
        ens = sf.Ensemble(n, collective_decay=1.0)
        times = np.linspace(0, 10 * np.log(n) / n, 101)
        exact = sf.simulate(ens, times, method="permutational", rtol=1e-9)
        peak = int(np.argmax(exact.data["collective_rate"]))
        bright = exact.data["pair_rate"] > 0.01 * exact.data["pair_rate"].max()
        counts = sf.statistics.photon_counts(ens, times)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            twa = sf.simulate(ens, times, method="twa", trajectories=4000, seed=1)
            twa_counts = sf.statistics.photon_counts(ens, times, method="twa", trajectories=4000, seed=1)
        cum = sf.simulate(ens, times, method="cumulant", rtol=1e-9, atol=1e-12)
        for name, res in (("twa", twa), ("cumulant", cum)):
            error = np.max(np.abs(res.data["g2"] - exact.data["g2"])[bright] / exact.data["g2"][bright])
            pulse = (f"{float(twa_counts['g2']):.4f} ({float(counts['g2']):.4f})" if name == "twa" else "-")
            photons = (f"{float(twa_counts['mean_count']) / float(counts['mean_count']) - 1:+.1%}"
                       if name == "twa" else "-")
            print(f"| {name} | {n} | {res.data['g2'][peak]:.3f} ({exact.data['g2'][peak]:.3f}) | {error:.2f} | "
                  f"{pulse} | {photons} |", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="+", choices=["peers", "counting", "approximations"],
                        default=["peers", "counting", "approximations"])
    parser.add_argument("--quick", action="store_true", help="smaller problems (the quick class of run_all.py)")
    args = parser.parse_args()
    for name in args.only:
        print(f"\n## {name}\n", flush=True)
        globals()[name](quick=args.quick)


if __name__ == "__main__":
    main()
