"""Benchmark of the two-time correlations behind the spectra: speed-up over QuTiP and scaling.

1. ``peers``: G1(t, tau) of the collective channel Gamma_c <J+(t + tau) J-(t)>, compared with QuTiP's
   ``correlation_2op_2t`` on the same problem measured in the same run:
   (a) ``exact`` against QuTiP on the full 2^N space (Lindbladian from ``qutip.liouvillian``), N = 3-6;
   (b) ``permutational`` against QuTiP piqs (Dicke Liouvillian) + ``correlation_2op_2t``, N = 10-40.
   Problem: collective decay 1, local decay 0.1, dephasing 0.5, excited at t = 0, 11 times over
   2 ln(N)/N and 101 delays over 4 ln(N)/N + 2 ps. Agreement = max |G1 - G1_peer| / max |G1_peer|.
2. ``scaling``: the spectrum of N identical emitters with local decay and dephasing (same rates), 21 times
   over 8 ln(N)/N and 401 delays over 3 ln(N)/N (N < 5000) or 2 ln(N)/N (larger N), where the time-integrated
   G1 has fallen below 1 % of its tau = 0 value (the "G1 left" column; ``permutational``, collective
   channel, rtol 1e-5), of N = 10^6 emitters in K = 101 spectral classes (Gaussian line of FWHM 0.5 N
   Gamma_c, ``cumulant``; delays over 2 ln(N)/N), and of 1000 dipoles on a 10 x 10 x 10 cubic lattice
   (spacing 0.25 wavelengths, along z, free-space Green's-tensor Gamma and Omega, dephasing 0.5) seen in one
   far-field direction
   (``cumulant`` per emitter; 21 times over 12 ln(n)/lambda_max, 201 delays over 4 ln(n)/lambda_max with
   lambda_max the largest decay-matrix eigenvalue).
3. ``approximations``: the approximate methods against ``permutational`` on the same problem (same rates,
   collective channel, 41 times over 16 ln(N)/N, 81 delays over 8 ln(N)/N): ``cumulant`` (second order),
   ``twa`` (2000 trajectories, class spin) and ``maxwell_bloch`` (one slice = a point-like ensemble, 2000
   trajectories). Errors: max |G1 - G1_exact| / max |G1_exact|, and the relative errors of the line FWHM, the
   coherence time and the photon number.

Usage::

    python benchmarks/bench_spectra.py [--only peers scaling approximations] [--scaling-n 100 1000 10000]
        [--lattice-side 10] [--approximation-n 100 1000]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _peers import QUTIP_OPTIONS, RATES, full_space, grids, piqs_dicke, speedup

import sf_dynamics as sf
from sf_dynamics.kernels.peaks import peak_fwhm


def ours(n, method):
    times, taus = grids(n)
    start = time.perf_counter()
    corr = sf.spectra.first_order(sf.Ensemble(n, **RATES), times, taus, method=method, detector="collective")
    return time.perf_counter() - start, corr["g1"].values


def qutip_full(n):
    import qutip

    times, taus = grids(n)
    start = time.perf_counter()
    hamiltonian, c_ops, rho0, jm = full_space(n)
    g1 = qutip.correlation_2op_2t(hamiltonian, rho0, times, taus, c_ops, jm.dag(), jm, options=QUTIP_OPTIONS)
    return time.perf_counter() - start, RATES["collective_decay"] * g1


def qutip_piqs(n):
    import qutip

    times, taus = grids(n)
    start = time.perf_counter()
    liouvillian, rho0, jp, jm = piqs_dicke(n)
    g1 = qutip.correlation_2op_2t(liouvillian, rho0, times, taus, [], jp, jm, options=QUTIP_OPTIONS)
    return time.perf_counter() - start, RATES["collective_decay"] * g1


def agreement(a, b):
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


def bench_peers():
    print("| method | N | ours (s) | QuTiP (s) | speed-up | agreement |")
    print("|---|---|---|---|---|---|")
    for method, peer, sizes in (("exact", qutip_full, (3, 4, 5, 6)), ("permutational", qutip_piqs, (10, 20, 40))):
        for n in sizes:
            t_ours, g_ours = ours(n, method)
            t_peer, g_peer = peer(n)
            print(f"| {method} | {n} | {t_ours:.3f} | {t_peer:.2f} | {speedup(t_peer / t_ours)} | "
                  f"{agreement(g_ours, g_peer):.1e} |", flush=True)


def _summary(corr):
    spec = sf.spectra.spectrum(corr, oversample=8)
    tau_c = sf.analysis.coherence_time(sf.spectra.normalized_g1(corr))
    photons = f"{spec.attrs['photons']:.5g} / {corr.attrs['photons']:.5g}"
    return (f"{peak_fwhm(spec['omega'].values, spec.values):.4g} | {tau_c:.4g} | {photons} | "
            f"{corr.attrs['decayed_to']:.1e}")


def lattice_dipoles(side, spacing=0.25):
    """side^3 dipoles along z on a cubic lattice (spacing in wavelengths): ensemble, positions, dipoles."""
    axis = np.arange(side) * spacing
    positions = np.array(np.meshgrid(axis, axis, axis, indexing="ij")).reshape(3, -1).T
    dipoles = np.tile([0.0, 0.0, 1.0], (side**3, 1))
    gamma, omega = sf.geometry.green_couplings(positions, dipoles, wavelength=1.0, gamma=1.0)
    return sf.Ensemble(side**3, gamma_matrix=gamma, omega_matrix=omega, dephasing=0.5), positions, dipoles


def bench_scaling(sizes=(100, 1000, 10_000), lattice_side=10):
    print("| method | N | times x delays | wall time (s) | line FWHM (rad/ps) | tau_c (ps) | sum rule: "
          "int S / photons | G1 left |")
    print("|---|---|---|---|---|---|---|---|")
    for n in sizes:
        delays = (3 if n < 5000 else 2) * np.log(n) / n
        times, taus = np.linspace(0, 8 * np.log(n) / n, 21), np.linspace(0, delays, 401)
        start = time.perf_counter()
        corr = sf.spectra.first_order(sf.Ensemble(n, **RATES), times, taus, detector="collective", rtol=1e-5)
        wall = time.perf_counter() - start
        print(f"| permutational | {n} | 21 x 401 | {wall:.1f} | {_summary(corr)} |", flush=True)
    n = 10**6
    spectrum = sf.Spectrum.gaussian(fwhm=0.5 * n * RATES["collective_decay"], classes=101)
    ens = sf.Ensemble(n, spectrum=spectrum, **RATES)
    times, taus = np.linspace(0, 8 * np.log(n) / n, 21), np.linspace(0, 2 * np.log(n) / n, 401)
    start = time.perf_counter()
    corr = sf.spectra.first_order(ens, times, taus, method="cumulant", detector="collective")
    wall = time.perf_counter() - start
    print(f"| cumulant, 101 classes | {n} | 21 x 401 | {wall:.1f} | {_summary(corr)} |", flush=True)
    if lattice_side:
        ens, positions, dipoles = lattice_dipoles(lattice_side)
        largest = float(np.linalg.eigvalsh(ens.gamma_matrix())[-1])
        times = np.linspace(0, 12 * np.log(ens.n) / largest, 21)
        taus = np.linspace(0, 4 * np.log(ens.n) / largest, 201)
        detector = sf.spectra.FarField([1.0, 0.0, 0.0], [0.0, 0.0, 1.0], positions, 1.0, dipoles=dipoles)
        start = time.perf_counter()
        corr = sf.spectra.first_order(ens, times, taus, method="cumulant", detector=detector)
        wall = time.perf_counter() - start
        print(f"| cumulant, lattice dipoles, far field | {ens.n} | 21 x 201 | {wall:.1f} | {_summary(corr)} |",
              flush=True)


def _line(corr):
    spec = sf.spectra.spectrum(corr, oversample=8)
    return (peak_fwhm(spec["omega"].values, spec.values),
            sf.analysis.coherence_time(sf.spectra.normalized_g1(corr)), corr.attrs["photons"])


def bench_approximations(sizes=(100, 1000)):
    print("| method | N | wall time (s) | max G1 error / max G1 | line FWHM | tau_c | photons |")
    print("|---|---|---|---|---|---|---|")
    for n in sizes:
        window = 16 * np.log(n) / n
        times, taus = np.linspace(0, window, 41), np.linspace(0, window / 2, 81)
        ens = sf.Ensemble(n, **RATES)
        start = time.perf_counter()
        ref = sf.spectra.first_order(ens, times, taus, method="permutational", detector="collective")
        wall = time.perf_counter() - start
        exact_line = _line(ref)
        print(f"| permutational (reference) | {n} | {wall:.2f} | - | {exact_line[0]:.4g} rad/ps | "
              f"{exact_line[1]:.4g} ps | {exact_line[2]:.5g} |", flush=True)
        runs = {"cumulant": (ens, {}), "twa": (ens, {"trajectories": 2000}),
                "maxwell_bloch": (sf.Slab(n, forward_decay=RATES["collective_decay"], decay=RATES["decay"],
                                          dephasing=RATES["dephasing"], slices=1), {"trajectories": 2000})}
        for method, (system, options) in runs.items():
            start = time.perf_counter()
            corr = sf.spectra.first_order(system, times, taus, method=method,
                                          detector="forward" if method == "maxwell_bloch" else "collective",
                                          **options)
            wall = time.perf_counter() - start
            error = agreement(corr["g1"].values, ref["g1"].values)
            line = _line(corr)
            rel = " | ".join(f"{100 * (a / b - 1):+.1f} %" for a, b in zip(line, exact_line))
            print(f"| {method} | {n} | {wall:.2f} | {error:.2g} | {rel} |", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="*", choices=["peers", "scaling", "approximations"],
                        default=["peers", "scaling", "approximations"])
    parser.add_argument("--scaling-n", type=int, nargs="*", default=[100, 1000, 10_000])
    parser.add_argument("--approximation-n", type=int, nargs="*", default=[100, 1000])
    parser.add_argument("--lattice-side", type=int, default=10, help="dipoles per lattice edge (0: skip the row)")
    args = parser.parse_args(argv)
    ours(4, "exact")
    ours(10, "permutational")  # compile outside the timings
    if "peers" in args.only:
        print("\n## peers\n")
        bench_peers()
    if "scaling" in args.only:
        print("\n## scaling\n")
        bench_scaling(args.scaling_n, args.lattice_side)
    if "approximations" in args.only:
        print("\n## approximations\n")
        bench_approximations(args.approximation_n)


if __name__ == "__main__":
    main()
