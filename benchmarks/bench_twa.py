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
3. ``lattice``: per-emitter TWA on regular superlattices up to 10^4 dipoles:
   setting up the ensemble (grid couplings and Cholesky check against the
   pairwise Green's tensor and the lowest eigenvalue), dense BLAS coupling sums
   against zero-padded FFTs (``coupling="fft"``): one step's sums, and whole
   runs of one block over 100 steps.
4. ``validity``: TWA by N (10 to 1000), both engines, with and without local
   processes: burst errors, the late-time excitation against the exact one,
   and the end of the validity window (info["valid_until_ps"]) in units of tau_D.
5. ``large``: the 100 x 100 square superlattice (10^4 single z dipoles, 12 nm spacing at 515 nm): set-up,
   time per step of a block of 128 trajectories with the FFT coupling sums by FFTW (pyFFTW, extra ``fast``)
   and by scipy.fft (the route without pyFFTW), alternating on one set-up with the same seed, their agreement, and
   the projected time of 1000 trajectories to 2 ln(n) / Gamma_max.
6. ``step``: the default time step (spectral radius of Omega) against the
   former one (largest row sum of |Omega|) and half of it on a 4^3 cubic
   superlattice: averaged intensities in standard errors.
8. ``fraction``: the emitters engine's default step fraction (``twa.EMITTER_STEP_FRACTION``) against others:
   a 16 x 16 square superlattice (one z dipole per NC, 12 nm at 515 nm; Omega-dominated fastest rate) and 200
   identical emitters on the emitters engine (collective decay 1, local decay 0.1, dephasing 0.5;
   Gamma-dominated), 2048 trajectories per fraction (quick: 256), independent seeds, against the smallest
   fraction (0.01, half the former default): averaged intensity in combined standard errors.
7. ``run``: the whole run on the 100 x 100 square superlattice as a user makes it: 1000 trajectories to
   2 ln(n) / Gamma_max at the default step (wall time, set-up included, against the goal of 600 s), and the
   same at half the default step with 256 trajectories (another seed): the averaged intensity of the two in
   units of their combined standard error (quick: a 32 x 32 lattice, 256 and 128 trajectories).

Usage::

    python benchmarks/bench_twa.py [--only speed accuracy validity lattice large step run fraction]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _peers import speedup

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


#: (kind, size) of the regular lattices (one z dipole per NC, 12 nm spacing at 515 nm) of the lattice section
PRODUCT_LATTICES = [("chain", 512), ("chain", 1024), ("chain", 4096), ("square", (32, 32)), ("square", (48, 48)),
                    ("square", (64, 64)), ("square", (100, 100)), ("cubic", (10, 10, 10)), ("cubic", (13, 13, 13)),
                    ("cubic", (16, 16, 16)), ("cubic", (22, 22, 22))]
RUN_LATTICES = [("square", (32, 32)), ("square", (64, 64)), ("square", (100, 100)), ("cubic", (16, 16, 16))]
QUICK_PRODUCT_LATTICES = [("chain", 1024), ("square", (32, 32)), ("cubic", (10, 10, 10))]
QUICK_RUN_LATTICES = [("square", (32, 32))]
SETUP_LATTICES = [("square", (64, 64)), ("square", (100, 100)), ("cubic", (16, 16, 16))]
QUICK_SETUP_LATTICES = [("square", (32, 32))]


def _label(kind, size):
    return f"{kind} {'x'.join(map(str, np.atleast_1d(size)))}"


def _best(function, repeats=3):
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        out = function()
        best = min(best, time.perf_counter() - start)
    return best, out


def _field_timings(lattice, operator):
    """(dense time, FFT time, agreement) of the field (Gamma/2 + i Omega) beta for 128 trajectories."""
    g, w = lattice.couplings()
    half = 0.5 * g
    np.fill_diagonal(half, 0.0)
    rng = np.random.default_rng(0)
    beta = rng.standard_normal((lattice.n, 128)) + 1j * rng.standard_normal((lattice.n, 128))
    columns = beta.view(np.float64)   # the dense route's real n x 256 products

    def dense_field():
        return (half @ columns).view(np.complex128) + 1j * (w @ columns).view(np.complex128)

    t_dense, field = _best(dense_field)
    t_fft, field_fft = _best(lambda: operator.offsite_field(beta))
    return t_dense, t_fft, float(np.abs(field - field_fft).max() / np.abs(field).max())


def _former_step(g, w, lam):
    """The twa default step before it followed the spectral radius of Omega: its largest row sum of |Omega|."""
    from sf_dynamics.model.timescales import fastest_rate, largest_row_sum
    from sf_dynamics.solvers import twa

    return twa.STEP_FRACTION / fastest_rate(lam, frequency=largest_row_sum(w), decay=float(np.max(np.diag(g))))


def bench_lattice(quick=False):
    """Per-emitter TWA on regular superlattices: dense BLAS coupling sums against FFT (coupling="fft").

    1. Setting up the ensemble (``Superlattice.nanocrystal_ensemble``): the coupling matrices from one Green's
       kernel per site displacement against the pairwise Green's tensor, and the whole check of Gamma
       (symmetry, positive semi-definite by a shifted Cholesky factorisation) against its lowest eigenvalue alone.
    2. One evaluation of the coupling field (Gamma/2 + i Omega) beta for a block of 128 trajectories: two real
       n x n times n x 256 products (dense) or one forward and one inverse complex FFT; best of three.
    3. Whole runs of 128 trajectories (one block) over 100 steps of the default length (``twa.default_step``:
       0.02 / (lambda_max(Gamma) + max |eigenvalue of Omega| + gamma)), both routes with the same seed; the
       agreement is the largest difference of the averaged intensity over its maximum. The FFT route's set-up
       is the time of a one-step run, its time per step the rest of the 100-step run over 99. A burst needs the
       steps of the window 2 ln(n) / Gamma_max (also given for the former step rule, the largest row sum of
       |Omega| in place of its spectral radius); the last column is set-up plus that many steps of 1000
       trajectories (1000 / 128 blocks).
    """
    import warnings

    from sf_dynamics.geometry import Superlattice, green_couplings
    from sf_dynamics.geometry.operator import LatticeOperator
    from sf_dynamics.model.ensemble import check_coupling_matrices
    from sf_dynamics.solvers import twa
    from sf_dynamics.solvers.twa import noise_factor

    print("| lattice | dipoles | pairwise Green's tensor (s) | grid couplings (s) | agreement | lowest eigenvalue "
          "(s) | Gamma check (s) | ensemble (s) |")
    print("|---|---|---|---|---|---|---|---|")
    for kind, size in (QUICK_SETUP_LATTICES if quick else SETUP_LATTICES):
        lattice = Superlattice.build(kind, size, dipole=[0, 0, 1.0])
        start = time.perf_counter()
        pairwise = green_couplings(lattice.dipole_positions(), lattice.dipole_directions(),
                                   wavelength=lattice.wavelength_nm, gamma=lattice.gamma,
                                   refractive_index=lattice.refractive_index)
        t_pairwise = time.perf_counter() - start
        start = time.perf_counter()
        grid = lattice.couplings()
        t_grid = time.perf_counter() - start
        agree = max(float(np.abs(a - b).max() / np.abs(b).max()) for a, b in zip(grid, pairwise))
        del pairwise
        start = time.perf_counter()
        np.linalg.eigvalsh(grid[0])
        t_eig = time.perf_counter() - start
        start = time.perf_counter()
        check_coupling_matrices(lattice.n, grid[0])
        t_chol = time.perf_counter() - start
        del grid
        start = time.perf_counter()
        lattice.nanocrystal_ensemble()
        t_ens = time.perf_counter() - start
        print(f"| {_label(kind, size)} | {lattice.n} | {t_pairwise:.1f} | {t_grid:.2f} | {agree:.1e} | {t_eig:.1f} | "
              f"{t_chol:.1f} | {t_ens:.1f} |", flush=True)

    print()
    print("| lattice | dipoles | dense field (s) | FFT field (s) | speed-up | agreement |")
    print("|---|---|---|---|---|---|")
    for kind, size in (QUICK_PRODUCT_LATTICES if quick else PRODUCT_LATTICES):
        lattice = Superlattice.build(kind, size, dipole=[0, 0, 1.0])
        t_dense, t_fft, agree = _field_timings(lattice, LatticeOperator(lattice))
        print(f"| {_label(kind, size)} | {lattice.n} | {t_dense:.3f} | {t_fft:.3f} | {speedup(t_dense / t_fft)} | "
              f"{agree:.1e} |", flush=True)
    print()
    print("| lattice | dipoles | noise rank | dense run (s) | FFT run (s) | speed-up | agreement | FFT set-up (s) | "
          "FFT per step (s) | steps to 2 ln(n) / Gamma_max (former rule) | FFT, 1000 trajectories to 2 ln(n) / "
          "Gamma_max (s, scaled) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for kind, size in (QUICK_RUN_LATTICES if quick else RUN_LATTICES):
        lattice = Superlattice.build(kind, size, dipole=[0, 0, 1.0])
        ens = lattice.nanocrystal_ensemble()
        g, w = ens.gamma_matrix(), ens.omega_matrix()
        lam = noise_factor(g)[1]
        dt = twa.default_step(ens, "emitters")
        former = _former_step(g, w, lam)
        runs = {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for coupling, steps in (("dense", 100), ("fft", 100), ("fft-setup", 1)):
                runs[coupling] = timed(ens, np.linspace(0.0, steps * dt, min(steps, 10) + 1), trajectories=128,
                                       coupling=coupling.split("-")[0], dt=dt, seed=1)
        (t_dense, dense), (t_fft, fft), (t_one, one) = runs["dense"], runs["fft"], runs["fft-setup"]
        agree = np.abs(dense.intensity - fft.intensity).max() / np.abs(dense.intensity).max()
        per_step = (t_fft - t_one) / (fft.info["steps"] - one.info["steps"])
        setup = t_one - per_step
        burst = int(np.ceil(2 * np.log(lattice.n) / lam / dt))
        burst_former = int(np.ceil(2 * np.log(lattice.n) / lam / former))
        scaled = setup + per_step * burst * 1000 / 128
        print(f"| {_label(kind, size)} | {lattice.n} | {fft.info['noise_rank']} | {t_dense:.1f} | {t_fft:.1f} | "
              f"{speedup(t_dense / t_fft)} | {agree:.1e} | {setup:.1f} | {per_step:.3f} | {burst} ({burst_former}) | "
              f"{scaled:.0f} |", flush=True)
        del ens, g, w


def bench_large(quick=False, steps=10, repeats=3):
    """1000 trajectories on the 100 x 100 square superlattice: FFTW against scipy.fft coupling sums, projected.

    Set-up is a whole one-step run of 128 trajectories (couplings, noise factor, step, FFT operator). The time
    per step is that of one block of 128 trajectories over 1 + ``steps`` default steps less a one-step block
    (quick: a 48 x 48 lattice), on one set-up, alternating the transforms ``repeats`` times (the machine is
    shared: the best of each is kept): scipy.fft (the route without pyFFTW) and FFTW with one and two threads.
    The agreement is the largest difference of the blocks' intensity estimators against scipy.fft's over its
    maximum (same seed: rounding only). The projection is set-up plus the steps to 2 ln(n) / Gamma_max of
    1000 / 128 blocks, against the goal of 600 s.
    """
    import os
    import warnings

    from sf_dynamics.geometry import Superlattice
    from sf_dynamics.geometry import operator as lattice_operator
    from sf_dynamics.solvers import twa
    from sf_dynamics.solvers._lattice import lattice_operator as make_operator

    fftw = lattice_operator.pyfftw
    size = (48, 48) if quick else (100, 100)
    lattice = Superlattice.build("square", size, dipole=[0, 0, 1.0])
    ens = lattice.nanocrystal_ensemble()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dt = twa.default_step(ens, "emitters")
        setup, _ = timed(ens, np.linspace(0.0, dt, 2), trajectories=128, coupling="fft", dt=dt, seed=1,
                         progress=False)
    model, _, rate, factor = twa._step(ens, "emitters")
    operator = make_operator(ens, "fft", twa.FFT_MIN_DIPOLES)
    burst = int(np.ceil(2 * np.log(lattice.n) / factor[1] / dt))

    def block(count):
        engine = twa.EmitterEngine(model, 1, 1.0, 0.0, 0.0, np.array([count]), np.array([dt]), operator=operator,
                                   factor=factor)
        rows = [np.zeros((128, 2)) for _ in range(3)]
        start = time.perf_counter()
        engine.run_block(0, 128, *rows)
        return time.perf_counter() - start, rows[0][:, -1]

    variants = {"scipy.fft": (None, 2)}
    if fftw is not None:
        variants.update({"FFTW, 2 threads": (fftw, 2), "FFTW, 1 thread": (fftw, 1)})
    best, estimators = {name: np.inf for name in variants}, {}
    try:
        for _ in range(repeats):
            for name, (module, workers) in variants.items():
                lattice_operator.pyfftw, operator.workers = module, workers
                operator._plans.clear()
                block(1)   # plans
                one, _ = block(1)
                run, estimators[name] = block(steps + 1)
                best[name] = min(best[name], (run - one) / steps)
    finally:
        lattice_operator.pyfftw, operator.workers = fftw, 2
    ref = estimators["scipy.fft"]
    print(f"load average {os.getloadavg()[0]:.1f} (2 cores); {burst} steps of {dt:.3g} ps to 2 ln(n) / Gamma_max; "
          f"set-up {setup:.1f} s\n")
    print("| lattice | dipoles | transforms | per step, 128 trajectories (s) | agreement with scipy.fft | "
          "1000 trajectories to 2 ln(n) / Gamma_max (s, projected) |")
    print("|---|---|---|---|---|---|")
    for name, per_step in best.items():
        agree = np.abs(estimators[name] - ref).max() / np.abs(ref).max()
        print(f"| {_label('square', size)} | {lattice.n} | {name} | {per_step:.3f} | {agree:.1e} | "
              f"{setup + per_step * burst * 1000 / 128:.0f} |", flush=True)


def bench_step(quick=False):
    """The default step (spectral radius of Omega) against the former one (row sums of |Omega|) and half of it.

    A 4 x 4 x 4 cubic superlattice (one z dipole per NC, 12 nm at 515 nm), 4096 trajectories (quick: 512) over
    2.5 ln(n) / lambda_max(Gamma), independent seeds; the averaged intensity of each step against the half
    former step in units of the combined standard error (r.m.s. and largest over the 201 output times).
    """
    import warnings

    from sf_dynamics.geometry import Superlattice
    from sf_dynamics.solvers import twa

    lattice = Superlattice.build("cubic", (4, 4, 4), dipole=[0, 0, 1.0])
    ens = lattice.nanocrystal_ensemble()
    g, w = ens.gamma_matrix(), ens.omega_matrix()
    lam = float(np.linalg.eigvalsh(g)[-1])
    former = _former_step(g, w, lam)
    times = np.linspace(0, 2.5 * np.log(lattice.n) / lam, 201)
    trajectories = 512 if quick else 4096
    runs = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for seed, (name, dt) in enumerate((("default", None), ("former", former), ("former / 2", former / 2))):
            runs[name] = timed(ens, times, trajectories=trajectories, seed=100 + seed, dt=dt, progress=False)
    print(f"{trajectories} trajectories; default step {twa.default_step(ens):.3g} ps, former {former:.3g} ps\n")
    print("| step | steps | wall time (s) | intensity vs former / 2: r.m.s. (SE) | largest (SE) | largest / peak | "
          "excitation: largest / n |")
    print("|---|---|---|---|---|---|---|")
    ref = runs["former / 2"][1]
    for name, (wall, res) in runs.items():
        if name == "former / 2":
            print(f"| {name} | {res.info['steps']} | {wall:.0f} | - | - | - | - |")
            continue
        diff = res.intensity - ref.intensity
        sigma = np.sqrt(res.data["intensity_sem"] ** 2 + ref.data["intensity_sem"] ** 2)
        print(f"| {name} | {res.info['steps']} | {wall:.0f} | {np.sqrt(np.mean((diff / sigma) ** 2)):.2f} | "
              f"{np.max(np.abs(diff) / sigma):.1f} | {np.abs(diff).max() / ref.intensity.max():.1%} | "
              f"{np.abs(res.excitation - ref.excitation).max() / lattice.n:.2%} |", flush=True)


def bench_run(quick=False):
    """1000 trajectories on the 100 x 100 square superlattice, and the check against half the step."""
    import os
    import warnings

    from sf_dynamics.geometry import Superlattice
    from sf_dynamics.solvers import twa

    side, many, few = (32, 256, 128) if quick else (100, 1000, 256)
    lattice = Superlattice.build("square", (side, side), dipole=[0, 0, 1.0])
    start = time.perf_counter()
    ens = lattice.nanocrystal_ensemble()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dt = twa.default_step(ens, "emitters")
        _, _, _, factor = twa._step(ens, "emitters")
        times = np.linspace(0.0, 2 * np.log(lattice.n) / factor[1], 101)
        load = os.getloadavg()[0]
        run = sf.simulate(ens, times, method="twa", trajectories=many, seed=1, progress=False)
        wall = time.perf_counter() - start
        half_start = time.perf_counter()
        half = sf.simulate(ens, times, method="twa", trajectories=few, seed=2, dt=dt / 2, progress=False)
        half_wall = time.perf_counter() - half_start
    diff = run.intensity - half.intensity
    sigma = np.sqrt(run.data["intensity_sem"] ** 2 + half.data["intensity_sem"] ** 2)
    inside = sigma > 0
    rms = float(np.sqrt(np.mean((diff[inside] / sigma[inside]) ** 2)))
    worst = float(np.max(np.abs(diff[inside]) / sigma[inside]))
    print(f"load average {load:.1f} (2 cores) at the start; window 2 ln(n) / Gamma_max = {times[-1]:.4g} ps, "
          f"101 output times; coupling {run.info.get('coupling')}, noise rank {run.info.get('noise_rank')}\n")
    print("| lattice | dipoles | trajectories | step (ps) | steps | wall time incl. set-up (s) | goal 600 s | "
          "vs half step: r.m.s. (SE) | largest (SE) | peak, default step | peak, half step |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    goal = "-" if quick else "met" if wall <= 600 else "missed"
    print(f"| {_label('square', (side, side))} | {lattice.n} | {many} (half step: {few}, {half_wall:.0f} s) | "
          f"{run.info['dt']:.3g} | {run.info['steps']} | {wall:.0f} | {goal} | "
          f"{rms:.2f} | {worst:.1f} | {run.intensity.max():.4g} +- {run.data['intensity_sem'].max():.2g} | "
          f"{half.intensity.max():.4g} +- {half.data['intensity_sem'].max():.2g} |", flush=True)


def bench_fraction(quick=False, fractions=(0.01, 0.02, 0.05, 0.1, 0.2, 0.4)):
    """Averaged intensity at several step fractions of the emitters engine against the smallest one."""
    import warnings

    from sf_dynamics.geometry import Superlattice
    from sf_dynamics.solvers import twa

    trajectories = 256 if quick else 2048
    lattice = Superlattice.build("square", (16, 16), dipole=[0, 0, 1.0])
    cases = {"square 16x16 (Omega-dominated)": lattice.nanocrystal_ensemble(),
             "200 identical, emitters engine (Gamma-dominated)": sf.Ensemble(200, collective_decay=1.0, decay=0.1,
                                                                            dephasing=0.5)}
    print(f"{trajectories} trajectories per fraction, 101 output times over 2 ln(n) / Gamma_max (identical: "
          "2.5 ln(N) / N Gamma_c)\n")
    print("| problem | step fraction | steps | wall time (s) | peak | r.m.s. (SE) | largest (SE) | largest / peak |")
    print("|---|---|---|---|---|---|---|---|")
    saved = twa.EMITTER_STEP_FRACTION
    try:
        for label, ens in cases.items():
            lam = float(np.linalg.eigvalsh(ens.gamma_matrix())[-1])
            times = np.linspace(0.0, (2.0 if "square" in label else 2.5) * np.log(ens.n) / lam, 101)
            runs = {}
            for seed, fraction in enumerate(fractions):
                twa.EMITTER_STEP_FRACTION = fraction
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    runs[fraction] = timed(ens, times, trajectories=trajectories, seed=11 + seed, engine="emitters",
                                           progress=False)
            ref = runs[min(fractions)][1]
            for fraction, (wall, res) in runs.items():
                diff = res.intensity - ref.intensity
                sigma = np.sqrt(res.data["intensity_sem"] ** 2 + ref.data["intensity_sem"] ** 2)
                inside = sigma > 0
                rms = np.sqrt(np.mean((diff[inside] / sigma[inside]) ** 2))
                worst = np.max(np.abs(diff[inside]) / sigma[inside])
                print(f"| {label} | {fraction:g} | {res.info['steps']} | {wall:.0f} | {res.intensity.max():.4g} | "
                      f"{rms:.2f} | {worst:.1f} | {np.abs(diff).max() / ref.intensity.max():.1%} |", flush=True)
    finally:
        twa.EMITTER_STEP_FRACTION = saved


SECTIONS = {"speed": bench_speed, "accuracy": bench_accuracy, "validity": bench_validity, "lattice": bench_lattice,
            "large": bench_large, "step": bench_step, "run": bench_run, "fraction": bench_fraction}


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
