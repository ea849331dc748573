"""The peers' side of the two-time benchmarks: one problem built in QuTiP (full space) and in QuTiP piqs.

Problem: collective decay, local decay and dephasing (``RATES``), all emitters excited at t = 0, on
``grids(n)``: 11 times over 2 ln(N)/N and 101 delays over 4 ln(N)/N + 2 ps.
"""

from __future__ import annotations

import numpy as np

RATES = dict(collective_decay=1.0, decay=0.1, dephasing=0.5)
QUTIP_OPTIONS = {"atol": 1e-10, "rtol": 1e-8, "nsteps": 10**6}


def speedup(ratio):
    """A speed-up as printed in the tables: one decimal below 10 (0.4x, 2.5x), whole numbers above."""
    return f"{ratio:.1f}x" if ratio < 10 else f"{ratio:.0f}x"


def grids(n, nt=11, ntau=101):
    return np.linspace(0, 2 * np.log(n) / n, nt), np.linspace(0, 4 * np.log(n) / n + 2.0, ntau)


def full_space(n):
    """(Hamiltonian, collapse operators, initial state, J-) on the 2^n space, written from destroy/tensor."""
    import qutip

    sm = [qutip.tensor([qutip.destroy(2) if k == i else qutip.qeye(2) for k in range(n)]) for i in range(n)]
    jm = sum(sm[1:], start=sm[0])
    c_ops = [np.sqrt(RATES["collective_decay"]) * jm] + [np.sqrt(RATES["decay"]) * s for s in sm]
    c_ops += [np.sqrt(RATES["dephasing"] / 2) * (2 * s.dag() * s - 1) for s in sm]
    rho0 = qutip.ket2dm(qutip.tensor([qutip.basis(2, 1)] * n))
    return 0 * jm.dag() * jm, c_ops, rho0, jm


def piqs_dicke(n):
    """(Liouvillian, initial state, J+, J-) of QuTiP piqs (its 'dephasing' is 2 gamma_phi)."""
    from qutip import piqs

    system = piqs.Dicke(n, emission=RATES["decay"], dephasing=2 * RATES["dephasing"],
                        collective_emission=RATES["collective_decay"])
    return system.liouvillian(), piqs.excited(n), piqs.jspin(n, "+"), piqs.jspin(n, "-")
