"""Matrix-free single-excitation operators of regular superlattices and thermal traces.

On a regular lattice the Green's-tensor coupling between dipoles depends only
on the displacement between their NCs (and the two polarisations), so
products with Omega or Gamma are discrete convolutions: zero-padded FFTs of
size 2 n_x x 2 n_y x 2 n_z make them O(m log m) in time and O(m) in memory
for m dipoles, where the dense matrices would need O(m^2).

The thermal average <Gamma>_T = Tr(Gamma e^{-H/kT}) / Tr(e^{-H/kT}) is then
evaluated with the kernel-polynomial method: with H = a x + c scaled into
[-1, 1], the Chebyshev moments mu_k = r^T T_k(x) r and nu_k = (Gamma r)^T
T_k(x) r of random +-1 probes r (Hutchinson trace estimation) give every
temperature at once, e^{-beta a x} = I_0(beta a) + 2 sum_k (-1)^k I_k(beta a)
T_k(x) (modified Bessel functions). With ``probes="exact"`` the unit vectors
are used and the traces are exact up to the Chebyshev truncation.
"""

from __future__ import annotations

import numpy as np
from scipy import fft
from scipy.special import ive

from ._validation import check_positive_int
from .geometry import green_kernel
from .units import K_B_MEV_PER_K, MEV_TO_RAD_PER_PS

__all__ = ["LatticeOperator", "thermal_rate_kpm"]


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


def _chebyshev_moments(op, n_mom, n_probe, exact, seed, batch, center, half):
    """mu_k = r^T T_k(x) r and nu_k = (Gamma r)^T T_k(x) r per probe, x = (H - center) / half."""
    m = op.m
    rng = np.random.default_rng(seed)
    mu = np.zeros((n_probe, n_mom))
    nu = np.zeros((n_probe, n_mom))
    for start in range(0, n_probe, batch):
        stop = min(start + batch, n_probe)
        if exact:
            r = np.zeros((m, stop - start))
            r[np.arange(start, stop), np.arange(stop - start)] = 1.0
        else:
            r = rng.choice([-1.0, 1.0], size=(m, stop - start))
        gr = op.decay(r)
        t_prev = r
        t_cur = (op.hamiltonian(r) - center * r) / half
        mu[start:stop, 0] = np.einsum("ij,ij->j", r, r)
        nu[start:stop, 0] = np.einsum("ij,ij->j", gr, r)
        if n_mom > 1:
            mu[start:stop, 1] = np.einsum("ij,ij->j", r, t_cur)
            nu[start:stop, 1] = np.einsum("ij,ij->j", gr, t_cur)
        for kk in range(2, n_mom):
            t_next = 2.0 * (op.hamiltonian(t_cur) - center * t_cur) / half - t_prev
            mu[start:stop, kk] = np.einsum("ij,ij->j", r, t_next)
            nu[start:stop, kk] = np.einsum("ij,ij->j", gr, t_next)
            t_prev, t_cur = t_cur, t_next
    return mu, nu


def thermal_rate_kpm(lattice, temperatures_K, *, probes=16, moments=None, seed=0, batch=8, workers=2):
    """<Gamma>_T (1/ps) of a regular lattice by FFT products and Chebyshev moments.

    Parameters
    ----------
    lattice : Superlattice
        Regular, no positional disorder.
    temperatures_K : ndarray
        Temperatures (K), > 0.
    probes : int or "exact"
        Number of random +-1 probe vectors, or the m unit vectors (exact traces).
    moments : int, optional
        Chebyshev moments; default enough for the lowest temperature
        (beta a + 6 (beta a)^(1/3) + 30, with a the spectral half-width from
        :meth:`LatticeOperator.spectral_range`).
    seed : int
        Seed of the probes.
    batch : int
        Probe vectors per FFT batch.

    Returns
    -------
    rate : ndarray
        <Gamma>_T (1/ps).
    sem : ndarray
        Statistical error of the probe average (jackknife; 0 for exact).
    coefficient : float
        Exact high-T coefficient C (K).
    """
    op = LatticeOperator(lattice, workers=workers)
    t = np.asarray(temperatures_K, dtype=float)
    beta = 1.0 / (K_B_MEV_PER_K * t * MEV_TO_RAD_PER_PS)
    # H = half x + center with spec(x) in [-1, 1]; Boltzmann factors are taken relative to the lower
    # edge, e^{-beta (H - E_lo)} = e^{-beta half (x + 1)}, so no term of the series is exponentially large
    e_lo, e_hi = op.spectral_range()
    half = 0.5 * (e_hi - e_lo) + 1e-12
    center = 0.5 * (e_hi + e_lo)
    x_max = float(beta.max() * half)
    n_mom = int(np.ceil(x_max + 6.0 * x_max ** (1.0 / 3.0) + 30)) if moments is None else check_positive_int(
        "moments", moments)
    m = op.m
    exact = isinstance(probes, str)
    if exact and probes != "exact":
        raise ValueError(f"probes must be a positive integer or 'exact', got {probes!r}")
    n_probe = m if exact else check_positive_int("probes", probes)
    # |r^T T_k(x) r| <= |r|^2 holds only if spec(x) lies in [-1, 1]: if a moment breaks it, the
    # Lanczos range missed part of the spectrum; widen it and start again
    for _attempt in range(8):
        mu, nu = _chebyshev_moments(op, n_mom, n_probe, exact, seed, batch, center, half)
        if np.all(np.abs(mu) <= (1.0 + 1e-9) * mu[:, :1]):
            break
        half *= 1.25
        x_max = float(beta.max() * half)
        if moments is None:
            n_mom = int(np.ceil(x_max + 6.0 * x_max ** (1.0 / 3.0) + 30))
    else:
        raise RuntimeError("could not enclose the spectrum of H for the Chebyshev expansion")
    kk = np.arange(n_mom)
    coeff = np.where(kk == 0, 1.0, 2.0)[None, :] * ((-1.0) ** kk)[None, :] * ive(kk[None, :], (beta * half)[:, None])
    z = mu @ coeff.T  # (probes, T)
    num = nu @ coeff.T
    rate = num.sum(axis=0) / z.sum(axis=0)
    if exact or n_probe < 2:
        sem = np.zeros_like(rate)
    else:
        jack = (num.sum(axis=0)[None, :] - num) / (z.sum(axis=0)[None, :] - z)
        sem = np.sqrt((n_probe - 1) / n_probe * np.sum((jack - jack.mean(axis=0)) ** 2, axis=0))
    return rate, sem, op.high_temperature_coefficient()
