"""Helpers shared by the tests: physical invariants, agreement measures and independent reference models.

The reference models here are written for the tests, from QuTiP's operators,
not from the solvers under test or their model builders (exact moments of a
density matrix, the Lindblad derivative of the Liouvillian written term by term
in qutip_model.py, QuTiP piqs).
"""

import numpy as np
import qutip
from qutip import piqs

from sf_dynamics import Ensemble
from tests.helpers.qutip_model import independent_liouvillian, lowering


def assert_physical(result, *, atol=1e-9):
    """Invariants every method must satisfy: I >= 0, 0 <= excitation <= N, trace 1."""
    n = result.n
    scale = max(1.0, float(np.max(np.abs(result.intensity))))
    assert np.all(result.intensity >= -atol * scale), "intensity must be >= 0"
    assert np.all(result.excitation >= -atol * n), "excitation must be >= 0"
    assert np.all(result.excitation <= n * (1 + atol)), "excitation must be <= N"
    if "trace" in result.data:
        np.testing.assert_allclose(result.data["trace"], 1.0, atol=1e-8)
    assert np.all(np.isfinite(result.intensity)) and np.all(np.isfinite(result.excitation))


def max_relative_difference(a, b):
    """max |a - b| / max |b|: the agreement measure of traces used throughout."""
    a = np.asarray(a)
    b = np.asarray(b)
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


def random_ensemble(n, rng, omega=True):
    a = rng.normal(size=(n, n))
    gamma = a @ a.T / n  # symmetric positive semi-definite
    w = rng.normal(size=(n, n))
    w = 0.5 * (w + w.T)
    np.fill_diagonal(w, 0.0)
    return Ensemble(n, decay=0.3, collective_decay=0.2, dephasing=0.4, pumping=0.15,
                    detunings=rng.normal(size=n), gamma_matrix=gamma, omega_matrix=w if omega else None)


def green_ensemble(n, seed):
    """n dipoles along x (0.15 wavelengths apart, jittered) with their Green's couplings, dephasing, pumping and
    random detunings: a small, fully general two-level ensemble."""
    from sf_dynamics import geometry

    rng = np.random.default_rng(seed)
    pos = np.column_stack([np.arange(n) * 0.15, rng.normal(0, 0.05, n), rng.normal(0, 0.05, n)])
    g, w = geometry.green_couplings(pos, np.tile([0, 0, 1.0], (n, 1)), wavelength=1.0, gamma=1.0)
    return Ensemble(n, gamma_matrix=g, omega_matrix=w, dephasing=0.2, pumping=0.05,
                    detunings=rng.normal(0, 0.5, n))


def phase_invariant(rho, n):
    """Keep only the elements between states of equal excitation number (U(1) average)."""
    counts = np.array([bin(i).count("1") for i in range(2**n)])
    mask = counts[:, None] == counts[None, :]
    return qutip.Qobj(rho.full() * mask, dims=rho.dims)


def moments(rho, n):
    """n_k, C_kl, N_kl of a 2^n density matrix (|1> = excited, emitter k the k-th tensor factor)."""
    sm = lowering(n)
    num = [op.dag() * op for op in sm]
    pops = np.array([qutip.expect(num[k], rho) for k in range(n)]).real
    coh = np.array([[qutip.expect(sm[k].dag() * sm[l], rho) for l in range(n)] for k in range(n)])
    cor = np.array([[qutip.expect(num[k] * num[l], rho) for l in range(n)] for k in range(n)]).real
    return pops, coh, cor


def exact_derivative(ensemble, rho):
    """drho/dt = L rho with the Liouvillian written term by term in tests/helpers/qutip_model.py (not the
    package's model code)."""
    liouvillian, _, _ = independent_liouvillian(ensemble)
    return liouvillian(rho)


def piqs_intensity(ensemble, times):
    """Intensity from QuTiP piqs (Dicke Liouvillian + mesolve); piqs 'dephasing' = 2 gamma_phi."""
    n = ensemble.n
    system = piqs.Dicke(
        n,
        emission=ensemble.decay,
        dephasing=2 * ensemble.dephasing,
        pumping=ensemble.pumping,
        collective_emission=ensemble.collective_decay,
    )
    jz = piqs.jspin(n, "z")
    jpjm = piqs.jspin(n, "+") * piqs.jspin(n, "-")
    res = qutip.mesolve(system.liouvillian(), piqs.excited(n), times, e_ops=[jz, jpjm],
                        options={"atol": 1e-12, "rtol": 1e-10})
    excitation = n / 2 + np.real(res.expect[0])
    return ensemble.collective_decay * np.real(res.expect[1]) + ensemble.decay * excitation
