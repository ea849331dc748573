"""Second- against third-order cumulants (``cumulant``, ``order=2|3``) next to exact references.

1. ``identical``: N identical emitters from full inversion, collective decay Gamma_c = 1, local decay 0.1 and
   dephasing 0.5 per Gamma_c (and pure collective decay), against ``permutational`` (exact): errors of the
   build-up time tau_D (time of the peak), the peak intensity and the photons emitted up to 2 tau_D (exact),
   with wall times; N = 10 to 1000.
2. ``classes``: two spectral classes at +-delta/2 (N/2 emitters each), local decay 0.1 and dephasing 0.5, against
   ``exact`` (full Hilbert space, N <= 8): largest intensity difference over the peak, tau_D and peak errors.
3. ``triplet``: point-like triplet nanocrystals (one ground state, three orthogonal bright dipoles) from the
   isotropic excited state against ``exact``: the cumulant's nanocrystal engine is second order only, so the
   third-order column says so.

The peak and tau_D are read on the output grid refined by a parabola through the three highest samples
(:func:`sf_dynamics.analysis.buildup_time`); the grids have 2001 points over the window.

Usage::

    python benchmarks/bench_cumulant_order.py [--only identical classes triplet] [--quick]
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np

import sf_dynamics as sf
from sf_dynamics import analysis


def _errors(res, ref, photons_until=None):
    """(tau_D error, peak error, photons error) relative to ``ref``."""
    tau, tau_ref = analysis.buildup_time(res), analysis.buildup_time(ref)
    peak, peak_ref = analysis.peak_intensity(res), analysis.peak_intensity(ref)
    out = [tau / tau_ref - 1.0 if tau_ref > 0 else float("nan"), peak / peak_ref - 1.0]
    if photons_until is not None:
        inside = ref.times <= photons_until
        got = np.trapezoid(res.intensity[inside], res.times[inside])
        want = np.trapezoid(ref.intensity[inside], ref.times[inside])
        out.append(got / want - 1.0)
    return out


def _timed(ens, times, method, **options):
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sf.simulate(ens, times, method=method, **options)
    return res, time.perf_counter() - start


def _pct(value):
    return f"{value:+.1%}" if np.isfinite(value) else "no burst (peak at t = 0)"


def bench_identical(sizes=(10, 40, 100, 400, 1000)):
    print("| N | local decay, dephasing (per Gamma_c) | exact tau_D N Gamma_c | order 2: tau_D | peak | "
          "photons to 2 tau_D | order 3: tau_D | peak | photons to 2 tau_D | wall: exact, order 2, order 3 (s) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for decay, dephasing in ((0.1, 0.5), (0.0, 0.0)):
        for n in sizes:
            ens = sf.Ensemble(n, collective_decay=1.0, decay=decay, dephasing=dephasing)
            times = np.linspace(0.0, 3.0 * np.log(n) / n + 1.0 / n, 2001)
            ref, t_ref = _timed(ens, times, "permutational")
            until = 2.0 * analysis.buildup_time(ref)
            cells, walls = [], [t_ref]
            for order in (2, 3):
                res, wall = _timed(ens, times, "cumulant", order=order)
                cells.extend(_pct(e) for e in _errors(res, ref, until))
                walls.append(wall)
            print(f"| {n} | {decay:g}, {dephasing:g} | {analysis.buildup_time(ref) * n:.3f} | {' | '.join(cells)} | "
                  f"{', '.join(f'{w:.2g}' for w in walls)} |", flush=True)


def bench_classes(sizes=(4, 6, 8), detuning=1.0):
    print("| N | classes | detuning (Gamma_c) | order 2: max dI / peak | tau_D | peak | order 3: max dI / peak | "
          "tau_D | peak |")
    print("|---|---|---|---|---|---|---|---|---|")
    for n in sizes:
        ens = sf.Ensemble(n, collective_decay=1.0, decay=0.1, dephasing=0.5,
                          detunings=np.repeat([-detuning / 2, detuning / 2], [n // 2, n - n // 2]))
        times = np.linspace(0.0, 4.0 * np.log(n) / n + 2.0 / n, 2001)
        ref, _ = _timed(ens, times, "exact")
        cells = []
        for order in (2, 3):
            res, _ = _timed(ens, times, "cumulant", order=order)
            diff = np.max(np.abs(res.intensity - ref.intensity)) / ref.intensity.max()
            cells.append(f"{diff:.1%}")
            cells.extend(_pct(e) for e in _errors(res, ref))
        print(f"| {n} | 2 | {detuning:g} | {' | '.join(cells)} |", flush=True)


def bench_triplet(sizes=(3, 4, 5)):
    print("| NCs | order 2: max dI / peak | tau_D | peak | order 3 |")
    print("|---|---|---|---|---|")
    for n in sizes:
        ens = sf.NanocrystalEnsemble(n, collective_decay=1.0, decay=0.1, dephasing=0.5)
        times = np.linspace(0.0, 6.0 / n + 2.0, 201)
        ref, _ = _timed(ens, times, "exact")
        res, _ = _timed(ens, times, "cumulant")
        diff = np.max(np.abs(res.intensity - ref.intensity)) / ref.intensity.max()
        try:
            sf.simulate(ens, times[:3], method="cumulant", order=3)
            third = "available"
        except ValueError:
            third = "refused (nanocrystal engine: second order only)"
        print(f"| {n} | {diff:.1%} | {' | '.join(_pct(e) for e in _errors(res, ref))} | {third} |", flush=True)


SECTIONS = {"identical": bench_identical, "classes": bench_classes, "triplet": bench_triplet}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="*", choices=sorted(SECTIONS), default=list(SECTIONS))
    parser.add_argument("--quick", action="store_true", help="N up to 100, 4-6 emitters, 3-4 NCs")
    args = parser.parse_args(argv)
    sizes = {"identical": (10, 40, 100), "classes": (4, 6), "triplet": (3, 4)} if args.quick else {}
    for name in args.only:
        print(f"\n## {name}\n")
        SECTIONS[name](**({"sizes": sizes[name]} if name in sizes else {}))


if __name__ == "__main__":
    main()
