"""Benchmark of the ``exact`` method: the q = 0 sector against the full Liouvillian and QuTiP's mesolve.

N two-level emitters with collective decay 1, local decay 0.2, dephasing 0.3 and detunings (all processes
but pumping), excited at t = 0, 31 output times over 3 / N. Three routes in the same run:

* ``exact`` as it is now: only the q = 0 sector (dimension C(2N, N)), built block by block;
* the full route it replaces: QuTiP's Liouvillian on the 4^N space and the same matrix-exponential action;
* the peer: ``qutip.mesolve`` on the full space (up to ``--mesolve-max``).

Agreement: the largest difference of the intensity relative to its peak, against the full route.

Usage::

    python benchmarks/bench_exact.py [--sizes 6 8 9 10] [--mesolve-max 8]
"""

from __future__ import annotations

import argparse
import time
from math import comb

import numpy as np
import qutip

import sf_dynamics as sf
from sf_dynamics.solvers import exact


def ensemble(n):
    rng = np.random.default_rng(n)
    return sf.Ensemble(n, collective_decay=1.0, decay=0.2, dephasing=0.3, detunings=rng.normal(0.0, 0.5, n))


def full_route(ens, times):
    """The previous route: QuTiP's full Liouvillian and expm_multiply (what exact did before the sectors)."""
    with qutip.CoreOptions(default_dtype="csr"):
        hamiltonian, collapse, obs = exact.build_model(ens)
        rho0 = exact.initial_density_matrix(ens.n, sf.model.states.Excited())
        liouvillian = qutip.liouvillian(hamiltonian, collapse).to("csr").data_as("csr_matrix")
        rows = exact._expectation_rows([obs["intensity"]])
    vec0 = qutip.operator_to_vector(rho0).full().ravel()
    out, _ = exact._propagate(liouvillian, vec0, times, rows)
    return np.real(out[:, 0])


def mesolve_route(ens, times):
    with qutip.CoreOptions(default_dtype="csr"):
        hamiltonian, collapse, obs = exact.build_model(ens)
        rho0 = exact.initial_density_matrix(ens.n, sf.model.states.Excited())
        res = qutip.mesolve(hamiltonian, rho0, times, collapse, e_ops=[obs["intensity"]],
                            options={"atol": 1e-10, "rtol": 1e-8, "nsteps": 10**6})
    return np.real(res.expect[0])


def sector_route(ens, times):
    return sf.simulate(ens, times, method="exact")


def timed(func, *args):
    start = time.perf_counter()
    out = func(*args)
    return out, time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[6, 8, 9, 10])
    parser.add_argument("--mesolve-max", type=int, default=8)
    args = parser.parse_args(argv)
    print("| N | q = 0 dim | 4^N | exact, q = 0 sector (s) | full Liouvillian (s) | speed-up | QuTiP mesolve (s) | "
          "speed-up | agreement (sector vs full) |")
    print("|---|---|---|---|---|---|---|---|---|")
    sf.simulate(ensemble(3), np.linspace(0, 1, 5), method="exact")           # imports and caches warm
    for n in args.sizes:
        ens = ensemble(n)
        times = np.linspace(0.0, 3.0 / n, 31)
        res, t_sector = timed(sector_route, ens, times)
        full, t_full = timed(full_route, ens, times)
        agreement = float(np.max(np.abs(res.intensity - full)) / np.max(full))
        if n <= args.mesolve_max:
            _, t_me = timed(mesolve_route, ens, times)
            me_cells = f"{t_me:.2f} | {t_me / t_sector:.1f}x"
        else:
            me_cells = "not run | "
        print(f"| {n} | {comb(2 * n, n)} | {4 ** n} | {t_sector:.2f} | {t_full:.2f} | {t_full / t_sector:.1f}x | "
              f"{me_cells} | {agreement:.1e} |", flush=True)


if __name__ == "__main__":
    main()
