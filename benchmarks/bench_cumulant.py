"""Benchmark of the moment methods (cumulant, meanfield) and their accuracy.

Tables printed (2-core machine, one run):

1. ``classes``: N identical-coupling emitters with a Gaussian line of FWHM
   0.5 N Gamma in K = 101 spectral classes and dephasing 0.1 N Gamma, over
   5 ln N / (N Gamma): wall time versus N.
2. ``geometry``: n two-level dipoles (along z) on a simple cubic lattice of
   spacing 0.1 lambda with free-space Green's-tensor Gamma and Omega (full
   n x n matrices), from the inverted state over 3 ln n / Gamma_max (about
   3 tau_D, Gamma_max the largest eigenvalue of Gamma), 101 output times,
   fused Dormand-Prince 5(4) (the default integrator) at rtol 1e-4: wall
   time versus n, and the largest deviation of the intensity (relative to
   its peak) from a DOP853 run at rtol 1e-8 (an independent integrator at a
   10^4 times tighter tolerance; not timed). The model itself is a
   few-percent approximation, so rtol 1e-4 is ample.
3. ``triplet``: n nanocrystals with three orthogonal dipoles each (x, y, z)
   on a simple cubic lattice of spacing 0.1 lambda (3n x 3n matrices), from
   the isotropic excited state, same window, rtol 1e-4.
4. ``coupling``: one product X = (Gamma/2 - i Omega) C of the n x n
   coherence matrix on regular superlattices (chain, square, cubic; one
   dipole along z per NC, CsPbBr3-like spacing 12 nm at 515 nm), dense BLAS
   route against the FFT route in the same run, with their agreement; then
   whole runs (``coupling="dense"`` and ``"fft"``) of triplet lattices from
   ``Superlattice.nanocrystal_ensemble``.
The accuracy of cumulant, meanfield and twa side by side is in bench_twa.py.

Usage::

    python benchmarks/bench_cumulant.py                    # everything
    python benchmarks/bench_cumulant.py --only classes geometry
    python benchmarks/bench_cumulant.py --max-dipoles 1000  # lattices up to 1000 dipoles
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import sf_dynamics as sf
from sf_dynamics import analysis
from sf_dynamics.geometry import green_couplings


def cubic_lattice(shape, spacing):
    idx = np.stack(np.meshgrid(*(np.arange(s) for s in shape), indexing="ij"), -1).reshape(-1, 3)
    return idx * spacing


def bench_classes(sizes=(10**3, 10**4, 10**5, 10**6), classes=101):
    print("| N | K | wall time (s) | RHS evaluations | tau_D N Gamma | peak / (N^2 Gamma) |")
    print("|---|---|---|---|---|---|")
    for n in sizes:
        gamma = 1.0 / n  # N Gamma = 1 /ps
        ens = sf.Ensemble(n, collective_decay=gamma, dephasing=0.1,
                          spectrum=sf.Spectrum.gaussian(0.5, classes=classes))
        times = np.linspace(0, 5 * np.log(n), 401)
        start = time.perf_counter()
        res = sf.simulate(ens, times, method="cumulant")
        wall = time.perf_counter() - start
        print(f"| {n} | {classes} | {wall:.2f} | {res.info['rhs_evaluations']} | "
              f"{analysis.buildup_time(res):.3f} | {analysis.peak_intensity(res) / n:.4f} |", flush=True)


GEOMETRY_SHAPES = ((5, 5, 4), (10, 5, 5), (10, 10, 5), (10, 10, 10), (20, 10, 10))
TRIPLET_SHAPES = ((3, 3, 3), (5, 5, 4), (5, 5, 8), (8, 8, 8))


def bench_geometry(shapes=GEOMETRY_SHAPES, rtol=1e-4,
                   reference_rtol=1e-8):
    print("| n | lattice | Gamma_max / gamma | wall time (s) | RHS evaluations | s per RHS | "
          "tau_D Gamma_max / ln n | max deviation from rtol 1e-8 |")
    print("|---|---|---|---|---|---|---|---|")
    for shape in shapes:
        pos = cubic_lattice(shape, 0.1)
        n = len(pos)
        g, w = green_couplings(pos, np.tile([0.0, 0.0, 1.0], (n, 1)), wavelength=1.0, gamma=1.0)
        lam = float(np.linalg.eigvalsh(g)[-1])
        ens = sf.Ensemble(n, gamma_matrix=g, omega_matrix=w)
        times = np.linspace(0, 3 * np.log(n) / lam, 101)
        start = time.perf_counter()
        res = sf.simulate(ens, times, method="cumulant", rtol=rtol, atol=1e-6)
        wall = time.perf_counter() - start
        ref = sf.simulate(ens, times, method="cumulant", rtol=reference_rtol, atol=1e-10, integrator="DOP853")
        deviation = np.max(np.abs(res.intensity - ref.intensity)) / np.max(ref.intensity)
        nfev = res.info["rhs_evaluations"]
        print(f"| {n} | {'x'.join(map(str, shape))} | {lam:.1f} | {wall:.1f} | {nfev} | {wall / nfev:.3f} | "
              f"{analysis.buildup_time(res) * lam / np.log(n):.2f} | {deviation:.1e} |", flush=True)


def bench_triplet(shapes=TRIPLET_SHAPES):
    print("| NCs | dipoles | wall time (s) | RHS evaluations | s per RHS |")
    print("|---|---|---|---|---|")
    for shape in shapes:
        pos = cubic_lattice(shape, 0.1)
        ens = sf.geometry.nanocrystals_at(pos, wavelength=1.0, gamma=1.0)
        lam = float(np.linalg.eigvalsh(ens.gamma_matrix())[-1])
        times = np.linspace(0, 3 * np.log(3 * len(pos)) / lam, 101)
        start = time.perf_counter()
        res = sf.simulate(ens, times, method="cumulant", rtol=1e-4, atol=1e-6)
        wall = time.perf_counter() - start
        nfev = res.info["rhs_evaluations"]
        print(f"| {len(pos)} | {3 * len(pos)} | {wall:.1f} | {nfev} | {wall / nfev:.3f} |", flush=True)


COUPLING_SHAPES = (("chain", 256), ("chain", 1024), ("chain", 4096), ("square", (16, 16)), ("square", (32, 32)),
                   ("square", (64, 64)), ("cubic", (8, 8, 8)), ("cubic", (12, 12, 12)), ("cubic", (16, 16, 16)),
                   ("cubic", (20, 20, 20)))
COUPLING_RUNS = ((4, 4, 4),)


def _best(function, args, repeats):
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        value = function(*args)
        best = min(best, time.perf_counter() - start)
    return best, value


def bench_coupling(shapes=COUPLING_SHAPES, runs=COUPLING_RUNS):
    from sf_dynamics.geometry.lattice import Superlattice
    from sf_dynamics.geometry.operator import LatticeOperator
    from sf_dynamics.solvers import cumulant

    print("| lattice | dipoles | dense product (s) | FFT product (s) | speed-up | agreement |")
    print("|---|---|---|---|---|---|")
    rng = np.random.default_rng(0)
    for kind, size in shapes:
        lattice = Superlattice.build(kind, size, dipole=[0.0, 0.0, 1.0])
        m = lattice.n
        g, w = lattice.couplings()
        half = 0.5 * g
        np.fill_diagonal(half, 0.0)
        a = rng.standard_normal((m, m))
        cr = a + a.T
        a = rng.standard_normal((m, m))
        ci = a - a.T
        del a
        op = LatticeOperator(lattice)
        repeats = 3 if m <= 2000 else 1
        t_fft, (fr, fi) = _best(op.offsite_product, (cr, ci), repeats)
        t_dense, (dr, di) = _best(cumulant._coupling_product, (half, w, half - w, cr, ci), repeats)
        scale = max(np.max(np.abs(dr)), np.max(np.abs(di)))
        agreement = max(np.max(np.abs(fr - dr)), np.max(np.abs(fi - di))) / scale
        shape = "x".join(map(str, np.atleast_1d(size)))
        print(f"| {kind} {shape} | {m} | {t_dense:.3f} | {t_fft:.3f} | {t_dense / t_fft:.1f}x | {agreement:.1e} |",
              flush=True)
    print()
    print("| triplet lattice | dipoles | dense run (s) | FFT run (s) | speed-up | RHS evaluations | agreement |")
    print("|---|---|---|---|---|---|---|")
    for shape in runs:
        ens = Superlattice.cubic(*shape).nanocrystal_ensemble()
        lam = float(np.linalg.eigvalsh(ens.gamma_matrix())[-1])
        times = np.linspace(0, 3 * np.log(ens.n_dipoles) / lam, 101)
        walls = {}
        for route in ("dense", "fft"):
            start = time.perf_counter()
            walls[route] = (sf.simulate(ens, times, method="cumulant", rtol=1e-4, atol=1e-6, coupling=route),
                            time.perf_counter() - start)
        (dense, t_dense), (fft, t_fft) = walls["dense"], walls["fft"]
        agreement = np.max(np.abs(dense.intensity - fft.intensity)) / np.max(dense.intensity)
        print(f"| {'x'.join(map(str, shape))} | {ens.n_dipoles} | {t_dense:.1f} | {t_fft:.1f} | "
              f"{t_dense / t_fft:.1f}x | {dense.info['rhs_evaluations']} | {agreement:.1e} |", flush=True)


SECTIONS = {"classes": bench_classes, "geometry": bench_geometry, "triplet": bench_triplet,
            "coupling": bench_coupling}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="*", choices=sorted(SECTIONS), default=list(SECTIONS))
    parser.add_argument("--max-dipoles", type=int, default=None,
                        help="skip geometry and triplet lattices with more dipoles than this")
    parser.add_argument("--max-coupling-dipoles", type=int, default=None,
                        help="skip coupling-product lattices with more dipoles than this (default: --max-dipoles)")
    args = parser.parse_args(argv)
    sf.simulate(sf.Ensemble(3, collective_decay=1.0), np.linspace(0, 1, 3), method="cumulant")  # compile
    limit = args.max_dipoles or np.inf
    sizes = {"classes": {},
             "geometry": {"shapes": tuple(s for s in GEOMETRY_SHAPES if np.prod(s) <= limit)},
             "triplet": {"shapes": tuple(s for s in TRIPLET_SHAPES if 3 * np.prod(s) <= limit)},
             "coupling": {"shapes": tuple(s for s in COUPLING_SHAPES
                                          if np.prod(s[1]) <= (args.max_coupling_dipoles or limit)),
                          "runs": tuple(s for s in COUPLING_RUNS if 3 * np.prod(s) <= limit)}}
    for name in args.only:
        print(f"\n## {name}\n")
        SECTIONS[name](**sizes[name])


if __name__ == "__main__":
    main()
