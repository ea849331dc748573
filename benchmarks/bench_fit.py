"""Benchmark of the fluence-series fit: the cost of one model evaluation against N_c, and whole fits.

Problem: four synthetic streak traces (excitation probabilities 0.55, 0.65, 0.8, 0.95; 800 bins of 1 ps; Gaussian
IRF of 8 ps; Poisson counts with a peak of ~900 per bin), from the fit's own forward model with collective share
0.3 of a 210 ps radiative rate, dephasing 0.01/ps and half of the NCs in domains.

1. Model evaluation: ``series_model`` (the emission of every trace from one adjoint integration of the
   permutational ladder equations) against the peer, one forward permutational solve per trace
   (``solvers.permutational.solve``, the route before), both on one numba thread in the same run. Agreement: the
   largest difference relative to the peak.
2. Whole fits: ``fit_fluence_series`` over N_c ranges (``LOW-HIGH@TRUE``: synthetic series with true N_c TRUE;
   without ``@``, ``--true-size``): the wall time, the fitted N_c, and for every free parameter whether the true
   value lies in the reported 95 % profile-likelihood interval (excess deviance <= 4).
3. ``--per-point``: where the time of each whole fit goes: every profile point's wall time, its domain solves
   (model evaluations with new rates; the rest is the IRF convolution and lmfit) and their time, in fit order.

Usage::

    python benchmarks/bench_fit.py [--sizes 10 60 200 400] [--fits 2-60@40 2-1000@400] [--true-size 40] [--quick]
    python benchmarks/bench_fit.py --sizes --fits 2-1000@400 --per-point
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _peers import speedup

import sf_dynamics as sf
from sf_dynamics.kernels.jit import single_threaded
from sf_dynamics.solvers.permutational import product_emission, solve
from sf_dynamics.workflows.fit_series import fit_fluence_series, series_model
from sf_dynamics.workflows.fit_series.forward_model import simulation_grid

TIMES = np.arange(-20.0, 780.0, 1.0)
PROBABILITIES = np.array([0.55, 0.65, 0.8, 0.95])
RATE = 1.0 / 210.0
TRUTH = dict(collective_decay=0.3 * RATE, dephasing=0.01, coupled_fraction=0.5, amplitude=3e4, t0=0.0,
             irf_fwhm=8.0, background=0.0, radiative_rate=RATE)


def evaluation_row(n):
    start = time.perf_counter()
    series_model(TIMES, PROBABILITIES, domain_size=n, **TRUTH)
    own = time.perf_counter() - start
    grid = simulation_grid(TIMES, 600, 0.0, 8.0, None)
    ens = sf.Ensemble(n, collective_decay=TRUTH["collective_decay"], decay=RATE - TRUTH["collective_decay"],
                      dephasing=TRUTH["dephasing"])
    mine = product_emission(ens, grid, PROBABILITIES)
    start = time.perf_counter()
    with single_threaded():
        peer = np.array([solve(ens, grid, sf.ProductState(float(p)), tol=1e-8).intensity for p in PROBABILITIES])
    peer_time = time.perf_counter() - start
    agree = float(np.max(np.abs(mine - peer)) / np.max(peer))
    return n, own, peer_time, agree


def fit_row(low, high, true_n, seed=1):
    mean = series_model(TIMES, PROBABILITIES, domain_size=true_n, **TRUTH)
    counts = np.random.default_rng(seed).poisson(mean)
    start = time.perf_counter()
    fit = fit_fluence_series((TIMES, counts), probabilities=PROBABILITIES, domain_sizes=(low, high),
                             background=False, allow_undetermined=True)
    return time.perf_counter() - start, fit


class PointTimer:
    """Times every profile point of the fits that run inside it, and the domain solves each one makes."""

    def __init__(self):
        from sf_dynamics.workflows.fit_series import fit as fit_module
        from sf_dynamics.workflows.fit_series import forward_model

        self.rows, self.solves = [], []
        self._patched = [(forward_model.DomainCache, "coupled"), (fit_module.FluenceSeriesFit, "fit_at")]
        self._saved = [getattr(owner, name) for owner, name in self._patched]

    def __enter__(self):
        coupled, fit_at = self._saved
        timer = self

        def timed_coupled(cache, n, collective, decay, dephasing):
            fresh = (int(n), float(collective), float(decay), float(dephasing)) not in cache.store
            start = time.perf_counter()
            rows = coupled(cache, n, collective, decay, dephasing)
            if fresh:
                timer.solves.append(time.perf_counter() - start)
            return rows

        def timed_fit_at(series, n, previous, hold=None, report=True):
            first, start = len(timer.solves), time.perf_counter()
            out = fit_at(series, n, previous, hold, report)
            made = timer.solves[first:]
            timer.rows.append((n, "alternative" if hold else "profile", time.perf_counter() - start, len(made),
                               sum(made), out[0]))
            return out

        self._patched[0][0].coupled, self._patched[1][0].fit_at = timed_coupled, timed_fit_at
        return self

    def __exit__(self, *exc):
        for (owner, name), saved in zip(self._patched, self._saved):
            setattr(owner, name, saved)

    def table(self):
        lines = ["| # | N_c | kind | wall time (s) | domain solves | their time (s) | deviance |",
                 "|---|---|---|---|---|---|---|"]
        for index, (n, kind, wall, count, solve_time, dev) in enumerate(self.rows, 1):
            lines.append(f"| {index} | {n} | {kind} | {wall:.1f} | {count} | {solve_time:.1f} | {dev:.2f} |")
        total = sum(row[2] for row in self.rows)
        lines.append(f"\n{len(self.rows)} fits, {total:.0f} s; domain solves {len(self.solves)}, "
                     f"{sum(self.solves):.0f} s ({sum(self.solves) / max(total, 1e-300):.0%})")
        return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10, 60, 200, 400])
    parser.add_argument("--fits", nargs="*", default=["2-60@40", "2-1000@400"])
    parser.add_argument("--true-size", type=int, default=40)
    parser.add_argument("--quick", action="store_true", help="sizes 10 60 200, one fit over 2-60")
    parser.add_argument("--per-point", action="store_true", help="time every profile point and its domain solves")
    args = parser.parse_args(argv)
    sizes, fits = (args.sizes, args.fits) if not args.quick else ([10, 60, 200], ["2-60"])
    series_model(TIMES, PROBABILITIES, domain_size=10, **TRUTH)     # compile
    if sizes:
        print("**model evaluation** (4 traces, 600 simulation points)\n")
        print("| N_c | series_model (s) | peer: a forward solve per trace (s) | speed-up | agreement |")
        print("|---|---|---|---|---|")
    for n in sizes:
        n, own, peer, agree = evaluation_row(n)
        print(f"| {n} | {own:.3g} | {peer:.3g} | {speedup(peer / own)} | {agree:.1e} |", flush=True)
    if fits:
        print("\n**whole fits** (4 traces of 800 bins; 95 % intervals: excess deviance <= 4)\n")
        print("| N_c range | true N_c | wall time (s) | fitted N_c (68 %; 95 %) | true values in 95 % intervals | "
              "verdict |")
        print("|---|---|---|---|---|---|")
        for text in fits:
            span, _, true_text = text.partition("@")
            low, high = (int(v) for v in span.split("-"))
            true_n = int(true_text) if true_text else args.true_size
            if args.per_point:
                with PointTimer() as timer:
                    took, fit = fit_row(low, high, true_n)
            else:
                took, fit = fit_row(low, high, true_n)
            verdict = next((line.split(":", 1)[1].strip() for line in fit.summary().splitlines()
                            if line.startswith("verdict")), "")
            if fit.domain_interval is None:
                print(f"| {low}-{high} | {true_n} | {took:.3g} | not reported | - | {verdict} |", flush=True)
            else:
                print(f"| {low}-{high} | {true_n} | {took:.3g} | {coverage(fit, true_n)} | {verdict} |", flush=True)
            if args.per_point:
                print(f"\n**profile points of the {low}-{high} fit**\n\n{timer.table()}\n", flush=True)


def coverage(fit, true_n):
    """'N (lo-hi; lo95-hi95) | k of m inside [names outside]' for the fitted N_c and every free parameter."""
    truth = dict(TRUTH, domain_size=true_n)
    lo, hi = fit.domain_interval
    lo95, hi95 = fit.interval("domain_size", 4.0)
    inside, outside = 0, []
    for name in fit.params:
        if name not in truth or fit.errors.get(name, 0.0) == 0.0 and name != "domain_size":
            continue
        a, b = fit.interval(name, 4.0)
        if a <= truth[name] <= b:
            inside += 1
        else:
            outside.append(f"{name} {truth[name]:.3g} not in {a:.3g}-{b:.3g}")
    total = inside + len(outside)
    return (f"{fit.params['domain_size']} ({lo}-{hi}; {lo95}-{hi95}) | {inside} of {total}"
            + (f" ({'; '.join(outside)})" if outside else ""))

if __name__ == "__main__":
    main()
