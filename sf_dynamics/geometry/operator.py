"""Matrix-free single-excitation operators of regular superlattices (FFT products with Omega and Gamma).

On a regular lattice the Green's-tensor coupling between dipoles depends only
on the displacement between their NCs (and the two polarisations), so
products with Omega or Gamma are discrete convolutions: zero-padded FFTs of
size 2 n_x x 2 n_y x 2 n_z make them O(m log m) in time and O(m) in memory
for m dipoles, where the dense matrices would need O(m^2). The thermal
traces built on these products are in :mod:`sf_dynamics.thermal.kpm`.
"""

from __future__ import annotations

import numpy as np
from scipy import fft

from ..units import K_B_MEV_PER_K, MEV_TO_RAD_PER_PS
from .green import green_kernel

__all__ = ["LatticeOperator"]


class LatticeOperator:
    """FFT products with Omega and Gamma of a regular Superlattice (no positional disorder).

    Parameters
    ----------
    lattice : Superlattice
        Built by ``Superlattice.build``/``cubic``/``square``/``chain`` with
        ``position_disorder_nm = 0``.
    workers : int
        Threads of scipy.fft.
    """

    def __init__(self, lattice, workers=2):
        if lattice.shape is None or lattice.lattice_constant_nm is None:
            raise ValueError("lattice must be regular (built on a grid) for the matrix-free route")
        shape = tuple(lattice.shape)
        a = lattice.spacing_nm
        grid = np.stack(np.meshgrid(*(np.arange(s) for s in shape), indexing="ij"), -1).reshape(-1, 3) * a
        offset = lattice.positions_nm[0]
        if not np.allclose(lattice.positions_nm - offset, grid, atol=1e-9 * max(float(a.max()), 1.0)):
            raise ValueError("lattice has positional disorder: the matrix-free route needs a regular lattice")
        self.shape = shape
        self.p = lattice.dipoles_per_nc
        self.m = lattice.n * self.p
        self.workers = workers
        self.fft_shape = tuple(2 * s for s in shape)
        self.energies = lattice.dipole_energies()
        k = 2 * np.pi * lattice.refractive_index / lattice.wavelength_nm
        dips = np.eye(3) if lattice.is_triplet else lattice.dipole[None, :]
        # displacement grid (circular): index i <-> displacement i (i < L/2) or i - L
        axes = [np.fft.fftfreq(L, 1.0 / L) for L in self.fft_shape]
        disp = np.stack(np.meshgrid(*axes, indexing="ij"), -1) * a
        valid = np.ones(self.fft_shape, dtype=bool)
        for ax, (L, s) in enumerate(zip(self.fft_shape, shape)):
            idx = np.abs(np.fft.fftfreq(L, 1.0 / L))
            shp = [1, 1, 1]
            shp[ax] = L
            valid &= (idx <= s - 1).reshape(shp)
        self._kernel_hat = {}
        self._pair_sum = 0.0  # sum over ordered dipole pairs i != j of Omega_ij Gamma_ij
        counts = np.ones(self.fft_shape)
        for ax, (L, s) in enumerate(zip(self.fft_shape, shape)):
            idx = np.abs(np.fft.fftfreq(L, 1.0 / L))
            shp = [1, 1, 1]
            shp[ax] = L
            counts = counts * np.clip(s - idx, 0, None).reshape(shp)
        self.row_bound = 0.0
        rows = np.zeros(self.p)
        for al in range(self.p):
            for be in range(al, self.p):
                g, w = green_kernel(disp, dips[al], dips[be], k=k, gamma=lattice.gamma)
                g = np.where(valid, g, 0.0)
                w = np.where(valid, w, 0.0)
                self._kernel_hat[(al, be)] = (fft.rfftn(w, workers=workers), fft.rfftn(g, workers=workers))
                mult = 1 if al == be else 2
                self._pair_sum += mult * float(np.sum(counts * w * g))
                rows[al] += np.abs(w).sum()
                if al != be:
                    rows[be] += np.abs(w).sum()
        self.row_bound = float(rows.max())
        self.gamma = lattice.gamma

    def _apply(self, vectors, which):
        """Products of Omega (which=0) or Gamma (which=1) with the columns of ``vectors`` (m, R)."""
        r = vectors.shape[1]
        v = vectors.reshape(*self.shape, self.p, r)
        v = np.moveaxis(v, (3, 4), (0, 1))  # (p, R, nx, ny, nz)
        padded = np.zeros((self.p, r) + self.fft_shape)
        padded[:, :, : self.shape[0], : self.shape[1], : self.shape[2]] = v
        vhat = fft.rfftn(padded, axes=(2, 3, 4), workers=self.workers)
        out = np.empty((self.p, r) + self.shape)
        for al in range(self.p):
            acc = np.zeros_like(vhat[0])
            for be in range(self.p):
                key = (al, be) if al <= be else (be, al)
                acc += self._kernel_hat[key][which][None] * vhat[be]
            full = fft.irfftn(acc, s=self.fft_shape, axes=(1, 2, 3), workers=self.workers)
            out[al] = full[:, : self.shape[0], : self.shape[1], : self.shape[2]]
        return np.moveaxis(out, (0, 1), (3, 4)).reshape(self.m, r)

    def hamiltonian(self, vectors):
        """(diag(E) + Omega) @ vectors, vectors of shape (m, R) (rad/ps)."""
        return self.energies[:, None] * vectors + self._apply(vectors, 0)

    def decay(self, vectors):
        """Gamma @ vectors (1/ps)."""
        return self._apply(vectors, 1)

    def spectral_bound(self) -> float:
        """b with spec(H) inside [-b, b]: max |E| + largest row sum of |Omega| (rad/ps)."""
        return float(np.max(np.abs(self.energies))) + self.row_bound

    def spectral_range(self, iterations=100, seed=1):
        """(E_min, E_max) of H (rad/ps), enclosing the spectrum.

        Lanczos with full reorthogonalisation from a random vector gives Ritz
        values inside the spectrum; each end is pushed out by its Ritz residual
        (a rigorous bound for a symmetric matrix: some eigenvalue lies within
        the residual) plus 1 % of the range, and clipped to the Gershgorin-type
        bound.
        """
        rng = np.random.default_rng(seed)
        steps = min(iterations, self.m)
        basis = np.zeros((self.m, steps + 1))
        q = rng.standard_normal(self.m)
        basis[:, 0] = q / np.linalg.norm(q)
        alpha = np.zeros(steps)
        beta = np.zeros(steps)
        used = steps
        for j in range(steps):
            w = self.hamiltonian(basis[:, j : j + 1])[:, 0]
            alpha[j] = basis[:, j] @ w
            w -= basis[:, : j + 1] @ (basis[:, : j + 1].T @ w)
            w -= basis[:, : j + 1] @ (basis[:, : j + 1].T @ w)
            beta[j] = np.linalg.norm(w)
            if beta[j] < 1e-12 * max(abs(alpha[j]), 1.0):
                used = j + 1
                break
            basis[:, j + 1] = w / beta[j]
        tri = np.diag(alpha[:used]) + np.diag(beta[: used - 1], 1) + np.diag(beta[: used - 1], -1)
        theta, vec = np.linalg.eigh(tri)
        resid = np.abs(beta[used - 1] * vec[-1, :])
        lo, hi = theta[0] - resid[0], theta[-1] + resid[-1]
        margin = 0.01 * (hi - lo) + 1e-12
        bound = self.spectral_bound()
        return max(lo - margin, -bound), min(hi + margin, bound)

    def high_temperature_coefficient(self) -> float:
        """C (K) of <Gamma>_T / gamma - 1 ~ C / T: -Cov(E, Gamma) / (gamma k_B) = -Tr'(Omega Gamma) / (m gamma k_B)."""
        return float(-self._pair_sum / self.m / (self.gamma * K_B_MEV_PER_K * MEV_TO_RAD_PER_PS))
