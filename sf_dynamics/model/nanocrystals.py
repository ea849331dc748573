"""Nanocrystals with a bright triplet exciton: one ground state, three orthogonal dipoles.

Each lead-halide perovskite NC i has a ground state |g> and three bright
sublevels |x>, |y>, |z> (orthogonal transition dipoles along the NC axes,
fine-structure energies eps_alpha), and holds at most one exciton. With
sigma_{i alpha} = |g><alpha|_i and dipoles indexed x = 3 i + alpha, the master
equation is the two-level one of docs/conventions.md over dipoles:

    drho/dt = -i[H, rho] + sum_xy Gamma_xy (sigma_y rho sigma_x^+ - 1/2 {sigma_x^+ sigma_y, rho})
              + 2 gamma_phi sum_{i alpha} D[|alpha><alpha|_i] rho
    H = sum_{i alpha} (delta_i + eps_alpha) |alpha><alpha|_i + sum_{x != y, different NCs} Omega_xy sigma_x^+ sigma_y

The dephasing term makes every optical coherence <sigma_{i alpha}> decay at
gamma_phi (as for two-level emitters) and the coherence between two
sublevels of one NC at 2 gamma_phi. The three dipoles of one NC do not couple
to each other (Omega = 0 on the NC's 3 x 3 block).
"""

from __future__ import annotations

import numpy as np

from .._validation import check_frequencies, check_positive_int, check_rate, check_real_array
from .ensemble import check_coupling_matrices, check_emitter_arrays, check_lattice
from .protocol import Frozen

__all__ = ["NanocrystalEnsemble", "POLARIZATIONS"]

#: labels of the three bright sublevels / dipoles of a nanocrystal
POLARIZATIONS = ("x", "y", "z")


class NanocrystalEnsemble(Frozen):
    """n nanocrystals, each with a bright triplet (3 orthogonal dipoles, one exciton at most).

    Parameters
    ----------
    n : int
        Number of nanocrystals (NCs), >= 1.
    decay : float
        Radiative rate gamma of each dipole (1/ps), the on-NC diagonal of
        Gamma. Default 0.
    collective_decay : float
        Point-like collective channel Gamma_c (1/ps): Gamma_{i a, j b} +=
        Gamma_c delta_ab for all NCs i, j (dipoles of the same polarisation
        radiate into the same modes). Default 0.
    dephasing : float
        Pure dephasing gamma_phi (1/ps) of each optical coherence. Default 0.
    fine_structure : sequence of 3 floats
        Energies (rad/ps) of the |x>, |y>, |z> sublevels relative to the NC's
        transition frequency. Default (0, 0, 0).
    detunings : array_like, shape (n,), optional
        Per-NC transition-frequency offsets delta_i (rad/ps), e.g. from size
        dispersion. Default 0.
    gamma_matrix : array_like, shape (3n, 3n), optional
        Extra decay matrix over dipoles (index 3 i + alpha), e.g. from
        :func:`sf_dynamics.geometry.green_couplings`; symmetric positive
        semi-definite.
    omega_matrix : array_like, shape (3n, 3n), optional
        Coherent dipole-dipole coupling (rad/ps); symmetric, zero on the
        3 x 3 block of each NC.
    lattice : Superlattice, optional
        The regular superlattice (no positional disorder) whose Green's-tensor
        couplings ``gamma_matrix`` and ``omega_matrix`` are: solvers may then
        multiply by them with FFTs (``cumulant``'s ``coupling`` option). Set by
        :meth:`sf_dynamics.geometry.Superlattice.nanocrystal_ensemble`; needs both matrices.

    Notes
    -----
    NCs at given positions, coupled through the Green's tensor:
    :func:`sf_dynamics.geometry.nanocrystals_at` (positions in units of a
    wavelength) or :class:`sf_dynamics.geometry.Superlattice` (nm).
    Immutable after construction.
    """

    emitter_type = "triplet"

    def __init__(self, n, decay=0.0, collective_decay=0.0, dephasing=0.0, fine_structure=(0.0, 0.0, 0.0),
                 detunings=None, *, gamma_matrix=None, omega_matrix=None, lattice=None):
        self.n = check_positive_int("n", n)
        self.decay = check_rate("decay", decay)
        self.collective_decay = check_rate("collective_decay", collective_decay)
        self.dephasing = check_rate("dephasing", dephasing)
        fs = check_frequencies("fine_structure", check_real_array("fine_structure", fine_structure, shape=(3,)))
        self.fine_structure = fs.copy()
        if detunings is None:
            check_emitter_arrays(self.n, "nanocrystals")
            self.detunings = np.zeros(self.n)
        else:
            self.detunings = check_frequencies("detunings", check_real_array("detunings", detunings,
                                                                             shape=(self.n,))).copy()
        self._gamma, self._omega = check_coupling_matrices(3 * self.n, gamma_matrix, omega_matrix)
        self.lattice = check_lattice(lattice, gamma_matrix, omega_matrix, 3 * self.n)
        if self._omega is not None:
            blocks = self._omega.reshape(self.n, 3, self.n, 3)[np.arange(self.n), :, np.arange(self.n), :]
            if np.any(blocks != 0):
                raise ValueError("omega_matrix must vanish on each NC's 3 x 3 block: "
                                 "the dipoles of one NC do not couple")
        for arr in (self.fine_structure, self.detunings):
            arr.setflags(write=False)
        self._freeze()

    # -- derived quantities -----------------------------------------------------
    @property
    def n_dipoles(self) -> int:
        """Number of dipoles, 3 n."""
        return 3 * self.n

    @property
    def has_coupling_matrices(self) -> bool:
        return self._gamma is not None or self._omega is not None

    @property
    def is_identical(self) -> bool:
        """Triplet NCs are never handled by the permutation-invariant two-level solvers."""
        return False

    def gamma_matrix(self) -> np.ndarray:
        """Decay matrix over dipoles (1/ps), shape (3n, 3n), index 3 i + alpha."""
        m = 3 * self.n
        g = np.kron(np.full((self.n, self.n), self.collective_decay), np.eye(3))
        g[np.diag_indices(m)] += self.decay
        if self._gamma is not None:
            g = g + self._gamma
        return g

    def omega_matrix(self) -> np.ndarray:
        """Coherent coupling over dipoles (rad/ps), shape (3n, 3n)."""
        if self._omega is None:
            return np.zeros((3 * self.n, 3 * self.n))
        return self._omega.copy()

    def onsite_energies(self) -> np.ndarray:
        """delta_i + eps_alpha (rad/ps) of every dipole, shape (3n,)."""
        return (self.detunings[:, None] + self.fine_structure[None, :]).ravel()

    @property
    def single_emitter_decay(self) -> float:
        """Mean radiative rate of one dipole, mean of the diagonal of Gamma (1/ps)."""
        return float(np.mean(np.diag(self.gamma_matrix())))

    def parameters(self) -> dict:
        out = {
            "n": self.n,
            "emitter_type": self.emitter_type,
            "decay": self.decay,
            "collective_decay": self.collective_decay,
            "dephasing": self.dephasing,
            "fine_structure": self.fine_structure.tolist(),
            "detuning_mean": float(np.mean(self.detunings)),
            "detuning_std": float(np.std(self.detunings)),
            "single_emitter_decay": self.single_emitter_decay,
        }
        if self.has_coupling_matrices:
            out["coupling_matrices"] = True
        if self.lattice is not None:
            out["lattice"] = repr(self.lattice)
        return out

    def __repr__(self) -> str:
        parts = [f"n={self.n}"]
        for name in ("decay", "collective_decay", "dephasing"):
            if getattr(self, name):
                parts.append(f"{name}={getattr(self, name):g}")
        if np.any(self.fine_structure):
            parts.append(f"fine_structure={self.fine_structure.tolist()}")
        if self.has_coupling_matrices:
            parts.append("coupling matrices")
        return f"NanocrystalEnsemble({', '.join(parts)})"
