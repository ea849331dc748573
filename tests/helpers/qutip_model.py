"""An independent full-space QuTiP model of an ensemble, written term by term from destroy/tensor."""

import qutip

__all__ = ["independent_liouvillian", "excited_ket"]


def independent_liouvillian(ensemble):
    """Liouvillian, sigma+ and sigma- operators of a two-level ensemble (detunings, Gamma_ij, Omega_ij, local
    dephasing and pumping), built without the package's own model code."""
    n = ensemble.n
    sm = [qutip.tensor([qutip.destroy(2) if k == i else qutip.qeye(2) for k in range(n)]) for i in range(n)]
    sp = [op.dag() for op in sm]
    omega = ensemble.omega_matrix()
    ham = sum((d * sp[i] * sm[i] for i, d in enumerate(ensemble.detunings)), start=0 * sp[0] * sm[0])
    ham += sum((omega[i, j] * sp[i] * sm[j] for i in range(n) for j in range(n) if i != j and omega[i, j]),
               start=0 * ham)
    liou = -1j * (qutip.spre(ham) - qutip.spost(ham))
    gamma = ensemble.gamma_matrix()
    for i in range(n):
        for j in range(n):
            if gamma[i, j]:
                prod = sp[i] * sm[j]
                liou += gamma[i, j] * (qutip.sprepost(sm[j], sp[i]) - 0.5 * qutip.spre(prod) - 0.5 * qutip.spost(prod))
        sz = sp[i] * sm[i] - sm[i] * sp[i]
        liou += ensemble.dephasing / 2 * qutip.lindblad_dissipator(sz)
        liou += ensemble.pumping * qutip.lindblad_dissipator(sp[i])
    return liou, sp, sm


def excited_ket(n):
    """All n emitters excited (|1> = excited)."""
    return qutip.tensor([qutip.basis(2, 1)] * n)
