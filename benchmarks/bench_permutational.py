"""Benchmark: `permutational` versus QuTiP piqs on the same problem, then our scaling.

Problem (the QuTiP piqs recipe): N identical emitters, collective decay 1, local
decay 0.1, dephasing gamma_phi = 0.5 (piqs "dephasing" = 2 gamma_phi = 1),
fully excited at t = 0, 201 output times over 5 ln(N) / N.

Peers measured in the same run:
* piqs mesolve: ``Dicke(...).liouvillian()`` + ``qutip.mesolve`` (atol 1e-10, rtol 1e-8, needed to resolve
  1e-7 agreement), and at QuTiP's default tolerances,
* piqs pisolve: ``Dicke(...).pisolve`` (the diagonal ``Pim`` path, scipy odeint).

Agreement = max |I_ours - I_peer| / max I_peer for the photon emission rate
I = Gamma_c <J+J-> + gamma (N/2 + <J_z>). Times are the best of three runs for anything under a second
(ours and the peers alike), a single run otherwise.

Usage::

    python benchmarks/bench_permutational.py                 # N = 10..60 vs piqs, own scaling to 10^4
    python benchmarks/bench_permutational.py --own 100 1000  # shorter own-scaling list
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from sf_dynamics import Ensemble, simulate

RATES = dict(collective_decay=1.0, decay=0.1, dephasing=0.5)
#: tolerances that let mesolve resolve 1e-6 agreements (its defaults, rtol 1e-6, drift to ~5e-5 at N = 60)
MESOLVE_OPTIONS = {"atol": 1e-10, "rtol": 1e-8}


def grid(n):
    return np.linspace(0.0, 5.0 * np.log(n) / n, 201)


def ours(n):
    ens = Ensemble(n, **RATES)
    start = time.perf_counter()
    res = simulate(ens, grid(n), method="permutational")
    return time.perf_counter() - start, res


def best(run, n):
    """(time, result) of run(n): the fastest of three runs when one takes under a second."""
    elapsed, result = run(n)
    if elapsed < 1.0:
        elapsed = min([elapsed] + [run(n)[0] for _ in range(2)])
    return elapsed, result


def piqs_mesolve_default(n):
    return piqs_mesolve(n, options={})


def piqs_mesolve(n, options=None):
    import qutip
    from qutip import piqs

    start = time.perf_counter()
    system = piqs.Dicke(n, emission=RATES["decay"], dephasing=2 * RATES["dephasing"],
                        collective_emission=RATES["collective_decay"])
    jz = piqs.jspin(n, "z")
    jpjm = piqs.jspin(n, "+") * piqs.jspin(n, "-")
    res = qutip.mesolve(system.liouvillian(), piqs.excited(n), grid(n), e_ops=[jz, jpjm],
                        options=MESOLVE_OPTIONS if options is None else options)
    elapsed = time.perf_counter() - start
    return elapsed, _intensity(n, np.real(res.expect[0]), np.real(res.expect[1]))


def piqs_pisolve(n):
    import qutip
    from qutip import piqs

    start = time.perf_counter()
    system = piqs.Dicke(n, emission=RATES["decay"], dephasing=2 * RATES["dephasing"],
                        collective_emission=RATES["collective_decay"])
    res = system.pisolve(piqs.excited(n), grid(n))
    elapsed = time.perf_counter() - start
    jz = piqs.jspin(n, "z")
    jpjm = piqs.jspin(n, "+") * piqs.jspin(n, "-")
    ez = np.array([qutip.expect(jz, s) for s in res.states])
    ejj = np.array([qutip.expect(jpjm, s) for s in res.states])
    return elapsed, _intensity(n, ez, ejj)


def _intensity(n, jz, jpjm):
    return RATES["collective_decay"] * jpjm + RATES["decay"] * (n / 2 + jz)


def agreement(a, b):
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--peer", type=int, nargs="*", default=[10, 20, 40, 60], help="N compared with piqs")
    parser.add_argument("--own", type=int, nargs="*", default=[100, 1000, 10_000], help="N for own scaling")
    args = parser.parse_args(argv)

    ours(8)  # compile (numba cache) outside the timings
    if args.peer:
        print("| N | states | ours (s) | piqs mesolve (s) | speed-up | agreement | mesolve, default tolerances (s) "
              "| speed-up | agreement | piqs pisolve (s) | speed-up | agreement |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for n in args.peer:
        t_ours, res = best(ours, n)
        t_me, i_me = best(piqs_mesolve, n)
        t_md, i_md = best(piqs_mesolve_default, n)
        t_pi, i_pi = best(piqs_pisolve, n)
        print(f"| {n} | {res.info['states']} | {t_ours:.3f} | {t_me:.2f} | {t_me / t_ours:.0f}x | "
              f"{agreement(res.intensity, i_me):.1e} | {t_md:.2f} | {t_md / t_ours:.0f}x | "
              f"{agreement(res.intensity, i_md):.1e} | {t_pi:.2f} | {t_pi / t_ours:.0f}x | "
              f"{agreement(res.intensity, i_pi):.1e} |", flush=True)
    if args.peer:
        print()
    print("| N | states | ours (s) | integrator steps | peak / N^2 | tau_D N Gamma / ln N |")
    print("|---|---|---|---|---|---|")
    from sf_dynamics import analysis

    for n in args.own:
        t_ours, res = ours(n)
        print(f"| {n} | {res.info['states']} | {t_ours:.2f} | {res.info['steps']} | "
              f"{analysis.peak_per_n_squared(res):.4f} | {analysis.buildup_time(res) * n / np.log(n):.3f} |",
              flush=True)


if __name__ == "__main__":
    main()
