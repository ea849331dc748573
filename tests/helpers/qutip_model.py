"""An independent full-space QuTiP model of an ensemble, written term by term from destroy/tensor.

Nothing here calls the package's model code (``solvers.exact.model`` and the like): the operators and the
Liouvillian are written from the master equation of docs/conventions.md and the ensemble's public
parameters, so a test comparing a solver with this model compares two independent builds.
"""

import numpy as np
import qutip

__all__ = ["independent_liouvillian", "excited_ket", "independent_triplet_liouvillian", "lowering",
           "decay_matrix", "coupling_matrix"]


def lowering(n):
    """sigma- of each of n two-level emitters (destroy(2): |1> = excited), as 2^n operators."""
    return [qutip.tensor([qutip.destroy(2) if k == i else qutip.qeye(2) for k in range(n)]) for i in range(n)]


def _scalar_decay(ensemble, size, block):
    """Gamma_c (between dipoles of the same polarisation, any emitters) + gamma delta_xy, from the two rates."""
    return np.kron(np.full((ensemble.n, ensemble.n), ensemble.collective_decay), np.eye(block)) \
        + ensemble.decay * np.eye(size)


def decay_matrix(ensemble):
    """Gamma over the dipoles: Gamma_c + gamma delta_ij from the ensemble's rates, or, when it carries a
    geometry's coupling matrices, its full public decay matrix (the matrices are data, not model code)."""
    block = 3 if ensemble.emitter_type == "triplet" else 1
    if ensemble.has_coupling_matrices:
        return np.array(ensemble.gamma_matrix(), dtype=float)
    return _scalar_decay(ensemble, block * ensemble.n, block)


def coupling_matrix(ensemble):
    """Omega over the dipoles: the geometry's matrix if the ensemble has one, else zero."""
    size = (3 if ensemble.emitter_type == "triplet" else 1) * ensemble.n
    return np.array(ensemble.omega_matrix(), dtype=float) if ensemble.has_coupling_matrices else np.zeros((size, size))


def independent_liouvillian(ensemble):
    """Liouvillian, sigma+ and sigma- operators of a two-level ensemble (detunings, Gamma_ij, Omega_ij, local
    dephasing and pumping), built without the package's own model code."""
    n = ensemble.n
    sm = lowering(n)
    sp = [op.dag() for op in sm]
    omega = coupling_matrix(ensemble)
    ham = sum((d * sp[i] * sm[i] for i, d in enumerate(ensemble.detunings)), start=0 * sp[0] * sm[0])
    ham += sum((omega[i, j] * sp[i] * sm[j] for i in range(n) for j in range(n) if i != j and omega[i, j]),
               start=0 * ham)
    liou = -1j * (qutip.spre(ham) - qutip.spost(ham))
    gamma = decay_matrix(ensemble)
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


def independent_triplet_liouvillian(ensemble):
    """Liouvillian and the 3n lowering operators |g><alpha|_i of triplet nanocrystals (4 levels each: g, x, y, z),
    written from the master equation of the nanocrystal model (Gamma over dipoles, Omega between NCs, on-site
    energies delta_i + eps_alpha, 2 gamma_phi D[|alpha><alpha|])."""
    n = ensemble.n

    def local(op, i):
        return qutip.tensor([op if k == i else qutip.qeye(4) for k in range(n)])

    sm = [local(qutip.basis(4, 0) * qutip.basis(4, a + 1).dag(), i) for i in range(n) for a in range(3)]
    proj = [local(qutip.basis(4, a + 1).proj(), i) for i in range(n) for a in range(3)]
    sp = [op.dag() for op in sm]
    energies = (ensemble.detunings[:, None] + ensemble.fine_structure[None, :]).ravel()
    omega = coupling_matrix(ensemble)
    ham = sum((e * p for e, p in zip(energies, proj)), start=0 * proj[0])
    ham += sum((omega[x, y] * sp[x] * sm[y] for x in range(3 * n) for y in range(3 * n) if omega[x, y]),
               start=0 * ham)
    liou = -1j * (qutip.spre(ham) - qutip.spost(ham))
    gamma = decay_matrix(ensemble)
    for x in range(3 * n):
        for y in range(3 * n):
            if gamma[x, y]:
                prod = sp[x] * sm[y]
                liou += gamma[x, y] * (qutip.sprepost(sm[y], sp[x]) - 0.5 * qutip.spre(prod) - 0.5 * qutip.spost(prod))
    for p in proj:
        liou += 2 * ensemble.dephasing * qutip.lindblad_dissipator(p)
    return liou, sp, sm
