"""Benchmark of the ``exact`` method: the matrix-free q = 0 sector against the full Liouvillian, QuTiP's mesolve
and, for identical emitters, the permutational method.

Three tables, every route measured in the same run:

1. N two-level emitters with collective decay 1, local decay 0.2, dephasing 0.3 and detunings (all processes
   but pumping), excited at t = 0, 31 output times over 3 / N:
   * ``exact`` as it is now: only the q = 0 sector (dimension C(2N, N)), applied matrix-free;
   * the full route: QuTiP's Liouvillian on the 4^N space and the same matrix-exponential action
     (up to ``--full-max``: it takes minutes at N = 10 and grows about sixfold per emitter);
   * the peer: ``qutip.mesolve`` on the full space (up to ``--mesolve-max``).
   Agreement: the largest difference of the intensity relative to its peak, against the full route.
2. n triplet nanocrystals on a disordered chain 0.12 wavelengths apart (Green's-tensor Gamma and Omega, fine
   structure, detunings, dephasing), excited, 31 times over 3 / gamma: the q = 0 sector against the full
   Liouvillian (up to ``--triplet-full-max``).
3. Identical emitters (no detunings) with all four processes, where the permutation-invariant method is exact
   and shares no code with ``exact``: the independent check at the largest sizes.

Usage::

    python benchmarks/bench_exact.py [--sizes 6 8 9 10 11 12] [--full-max 10] [--mesolve-max 8]
                                     [--triplets 3 4 5] [--triplet-full-max 4] [--identical 10 12]
"""

from __future__ import annotations

import argparse
import time
from math import comb

import numpy as np
import qutip

import sf_dynamics as sf
from sf_dynamics.geometry import nanocrystals_at
from sf_dynamics.solvers import exact
from sf_dynamics.solvers.exact.model import expectation_rows
from sf_dynamics.solvers.exact.propagation import propagate


def ensemble(n):
    rng = np.random.default_rng(n)
    return sf.Ensemble(n, collective_decay=1.0, decay=0.2, dephasing=0.3, detunings=rng.normal(0.0, 0.5, n))


def triplet_chain(n):
    rng = np.random.default_rng(n)
    pos = np.column_stack([np.arange(n) * 0.12, rng.normal(0, 0.03, n), rng.normal(0, 0.03, n)])
    return nanocrystals_at(pos, wavelength=1.0, gamma=1.0, dephasing=0.2, fine_structure=(0.0, 0.4, -0.3),
                           detunings=rng.normal(0, 0.3, n))


def full_route(ens, times):
    """QuTiP's full Liouvillian and expm_multiply (what exact did before the sectors)."""
    with qutip.CoreOptions(default_dtype="csr"):
        hamiltonian, collapse, obs = exact.build_model(ens)
        rho0 = exact.initial_density_matrix(ens.n, sf.model.states.Excited(), ens.emitter_type)
        liouvillian = qutip.liouvillian(hamiltonian, collapse).to("csr").data_as("csr_matrix")
        rows = expectation_rows([obs["intensity"]])
    vec0 = qutip.operator_to_vector(rho0).full().ravel()
    out, _ = propagate(liouvillian, vec0, times, rows)
    return np.real(out[:, 0])


def mesolve_route(ens, times):
    with qutip.CoreOptions(default_dtype="csr"):
        hamiltonian, collapse, obs = exact.build_model(ens)
        rho0 = exact.initial_density_matrix(ens.n, sf.model.states.Excited())
        res = qutip.mesolve(hamiltonian, rho0, times, collapse, e_ops=[obs["intensity"]],
                            options={"atol": 1e-10, "rtol": 1e-8, "nsteps": 10**6})
    return np.real(res.expect[0])


def timed(func, *args, **kwargs):
    start = time.perf_counter()
    out = func(*args, **kwargs)
    return out, time.perf_counter() - start


def agreement(a, b):
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


def two_level_table(sizes, full_max, mesolve_max):
    print("| N | q = 0 dim | 4^N | exact, q = 0 sector (s) | full Liouvillian (s) | speed-up | QuTiP mesolve (s) | "
          "speed-up | agreement (sector vs full) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for n in sizes:
        ens = ensemble(n)
        times = np.linspace(0.0, 3.0 / n, 31)
        res, t_sector = timed(sf.simulate, ens, times, method="exact")
        if n <= full_max:
            full, t_full = timed(full_route, ens, times)
            full_cells = f"{t_full:.2f} | {t_full / t_sector:.1f}x"
            agree = f"{agreement(res.intensity, full):.1e}"
        else:
            full_cells, agree = "not run | ", ""
        if n <= mesolve_max:
            _, t_me = timed(mesolve_route, ens, times)
            me_cells = f"{t_me:.2f} | {t_me / t_sector:.1f}x"
        else:
            me_cells = "not run | "
        print(f"| {n} | {comb(2 * n, n)} | {4 ** n} | {t_sector:.2f} | {full_cells} | {me_cells} | {agree} |",
              flush=True)


def triplet_table(sizes, full_max):
    print()
    print("| NCs | q = 0 dim | 16^n | exact, q = 0 sector (s) | full Liouvillian (s) | speed-up | "
          "agreement (sector vs full) |")
    print("|---|---|---|---|---|---|---|")
    for n in sizes:
        ens = triplet_chain(n)
        times = np.linspace(0.0, 3.0, 31)
        res, t_sector = timed(sf.simulate, ens, times, method="exact")
        if n <= full_max:
            full, t_full = timed(full_route, ens, times)
            cells = f"{t_full:.2f} | {t_full / t_sector:.1f}x | {agreement(res.intensity, full):.1e}"
        else:
            cells = "not run | | "
        print(f"| {n} | {res.info['liouville_dim']} | {16 ** n} | {t_sector:.2f} | {cells} |", flush=True)


def identical_table(sizes):
    print()
    print("| N (identical) | exact, q = 0 sector (s) | permutational (s) | agreement of intensity | "
          "agreement of g2 |")
    print("|---|---|---|---|---|")
    for n in sizes:
        ens = sf.Ensemble(n, collective_decay=1.0, decay=0.2, dephasing=0.3, pumping=0.02)
        times = np.linspace(0.0, 3.0 / n, 31)
        res, t_exact = timed(sf.simulate, ens, times, method="exact")
        ref, t_perm = timed(sf.simulate, ens, times, method="permutational", rtol=1e-10, atol=1e-12)
        print(f"| {n} | {t_exact:.2f} | {t_perm:.2f} | {agreement(res.intensity, ref.intensity):.1e} | "
              f"{agreement(res.data['g2'], ref.data['g2']):.1e} |", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[6, 8, 9, 10, 11, 12])
    parser.add_argument("--full-max", type=int, default=10)
    parser.add_argument("--mesolve-max", type=int, default=8)
    parser.add_argument("--triplets", type=int, nargs="*", default=[3, 4, 5])
    parser.add_argument("--triplet-full-max", type=int, default=4)
    parser.add_argument("--identical", type=int, nargs="*", default=[10, 12])
    args = parser.parse_args(argv)
    sf.simulate(ensemble(3), np.linspace(0, 1, 5), method="exact")           # imports and caches warm
    sf.simulate(sf.Ensemble(3, collective_decay=1.0), np.linspace(0, 1, 5), method="permutational")
    if args.sizes:
        two_level_table(args.sizes, args.full_max, args.mesolve_max)
    if args.triplets:
        triplet_table(args.triplets, args.triplet_full_max)
    if args.identical:
        identical_table(args.identical)


if __name__ == "__main__":
    main()
