"""Benchmark of exciton transport on a 100 x 100 NC monolayer (10^4 sites): the rate equation and kinetic Monte
Carlo to 1 ns.

Problem: CsPbBr3-like NCs (package defaults: 9.5 nm edge, 2.5 nm ligand gap, 515 nm, 210 ps lifetime) on a square
monolayer with Gaussian energy disorder of FWHM 20 meV (seed 1), hopping rates from
``sf_dynamics.transport.transfer_rates`` at 300 K and at 77 K (narrower lines: faster resonant hops, a stiffer
problem), excitons starting in a Gaussian spot of FWHM 4 spacings at the centre, 101 output times over 1 ns.

1. Rate equation: ``transport.populations`` (the sparse action of the matrix exponential) against peers on the
   same generator A, measured in the same run: ``scipy.integrate.solve_ivp`` with BDF and the sparse Jacobian A
   (300 K only: its sparse LU factorisations take minutes at any temperature), and with the explicit DOP853;
   both at rtol 1e-8, atol 1e-14. Agreement: the largest relative difference of the surviving population and of
   the MSD over the output times.
2. Kinetic Monte Carlo: ``transport.kinetic_monte_carlo`` with 10^4 independent excitons on the same rates
   (numba compiled before timing). Agreement: the largest |MSD - MSD_rate equation| / standard error over the
   output times (and the same for the population): of 100 independent standard normal values the largest |z|
   exceeds 3 with probability 24 % (the times are correlated: less). Hops per exciton: the expected number, from
   the rate equation's site populations, int sum_i P_i(t) k_i dt over the 1 ns (trapezoid on the output times).

Usage::

    python benchmarks/bench_transport.py [--side 100] [--quick]
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
from _peers import speedup
from scipy.integrate import solve_ivp

from sf_dynamics import transport
from sf_dynamics.analysis.instrument import FWHM_PER_SIGMA
from sf_dynamics.geometry import Superlattice
from sf_dynamics.transport.observables import moments_dataset

INHOMOGENEOUS_FWHM_MEV = 20.0
TIMES = np.linspace(0.0, 1000.0, 101)
TOLERANCES = {"rtol": 1e-8, "atol": 1e-14}


def problem(side, temperature_K):
    """Rates on a side x side monolayer and the initial spot populations."""
    lattice = Superlattice.square(side, side, energy_disorder_meV=INHOMOGENEOUS_FWHM_MEV / FWHM_PER_SIGMA, seed=1)
    with warnings.catch_warnings():   # none at 77 K and above; the count is in rates.info
        warnings.filterwarnings("ignore", message=r"transfer_rates: \d+ of \d+ NC pairs", category=RuntimeWarning)
        rates = transport.transfer_rates(lattice, temperature_K)
    return rates, transport.gaussian_spot(lattice, 4 * lattice.lattice_constant_nm)


def timed(func, *args, **kwargs):
    start = time.perf_counter()
    out = func(*args, **kwargs)
    return out, time.perf_counter() - start


def peer(rates, initial, method):
    """The same rate equation by solve_ivp (``method``), as the moments Dataset of the package's route."""
    a = rates.generator().tocsc()
    options = {"jac": a} if method == "BDF" else {}
    sol = solve_ivp(lambda _t, y: a @ y, (TIMES[0], TIMES[-1]), initial, method=method, t_eval=TIMES,
                    **TOLERANCES, **options)
    if not sol.success:
        raise RuntimeError(f"solve_ivp {method}: {sol.message}")
    return moments_dataset(rates, TIMES, sol.y.T, initial)


def relative(ours, theirs):
    return max(float(np.max(np.abs(ours[k].values[1:] - theirs[k].values[1:]) / np.abs(theirs[k].values[1:])))
               for k in ("population", "msd"))


def standard_errors(sample, exact, key):
    z = (sample[key].values[1:] - exact[key].values[1:]) / sample[f"{key}_sem"].values[1:]
    return float(np.nanmax(np.abs(z)))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--side", type=int, default=100, help="NCs along each axis of the monolayer")
    parser.add_argument("--excitons", type=int, default=10**4, help="kinetic Monte Carlo walks")
    parser.add_argument("--quick", action="store_true", help="a 50 x 50 monolayer (the quick class of run_all.py)")
    args = parser.parse_args(argv)
    side = 50 if args.quick else args.side
    warm, spot = problem(5, 300.0)
    transport.kinetic_monte_carlo(warm, spot, TIMES[:3], excitons=4, seed=0)     # numba compilation
    print("\n## rate equation\n")
    print("| monolayer | T (K) | NCs | max escape rate (1/ps) | populations (s) | peer | peer (s) | speed-up | "
          "agreement |")
    print("|---|---|---|---|---|---|---|---|---|")
    exact = {}
    for temperature in (300.0, 77.0):
        rates, initial = problem(side, temperature)
        ours, t_ours = timed(transport.populations, rates, initial, TIMES, store_sites=True)
        exact[temperature] = (rates, initial, ours, t_ours)
        for method in (("BDF", "DOP853") if temperature == 300.0 else ("DOP853",)):
            theirs, t_peer = timed(peer, rates, initial, method)
            label = "solve_ivp BDF, sparse Jacobian" if method == "BDF" else "solve_ivp DOP853"
            print(f"| {side} x {side} | {temperature:g} | {rates.n} | {rates.out_rates().max():.2g} | {t_ours:.1f} | "
                  f"{label} | {t_peer:.1f} | {speedup(t_peer / t_ours)} | {relative(ours, theirs):.1e} |", flush=True)
    print("\n## kinetic Monte Carlo\n")
    print("| monolayer | T (K) | excitons | hops per exciton | KMC (s) | rate equation (s) | MSD: largest |z| | "
          "population: largest |z| |")
    print("|---|---|---|---|---|---|---|---|")
    for temperature, (rates, initial, ours, t_ours) in exact.items():
        sample, t_kmc = timed(transport.kinetic_monte_carlo, rates, initial, TIMES, excitons=args.excitons, seed=1)
        hops = float(np.trapezoid(ours["site_population"].values @ rates.out_rates(), TIMES))
        print(f"| {side} x {side} | {temperature:g} | {args.excitons} | {hops:.0f} | {t_kmc:.2f} | {t_ours:.1f} | "
              f"{standard_errors(sample, ours, 'msd'):.2f} | {standard_errors(sample, ours, 'population'):.2f} |",
              flush=True)
    print("\nz = (KMC - rate equation) / KMC standard error at each of the 100 output times after t = 0; hops per "
          "exciton expected from the rate equation.")


if __name__ == "__main__":
    main()
