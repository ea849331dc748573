"""Matrix-free single-excitation operators of regular superlattices (FFT products with Omega and Gamma).

On a regular lattice the Green's-tensor coupling between dipoles depends only
on the displacement between their NCs (and the two polarisations), so
products with Omega or Gamma are discrete convolutions: zero-padded FFTs
(length at least 2 n - 1 along every axis with n > 1, the next fast length)
make them O(m log m) in time and O(m) in memory for m dipoles, where the
dense matrices would need O(m^2). The transforms are pruned: the forward one
skips the zero padding axis by axis, the inverse one computes only the lattice
part. The truncated-Wigner field (:meth:`LatticeOperator.offsite_field`) transforms
whole trajectory blocks laid out trajectory-major (contiguous lattices), with
FFTW plans when pyFFTW is installed (``pip install sf-dynamics[fast]``),
otherwise with scipy.fft. The thermal traces built on these products are in
:mod:`sf_dynamics.thermal.kpm`; the cumulant expansion multiplies its n x n
coherence matrix with :meth:`LatticeOperator.offsite_product`.
"""

from __future__ import annotations

import threading

import numpy as np
from scipy import fft

try:  # FFTW through pyFFTW (optional extra "fast"): the truncated-Wigner field transforms about twice as fast
    import pyfftw
except ImportError:  # pragma: no cover - depends on the installation
    pyfftw = None

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
        if not lattice.is_regular:
            raise ValueError("lattice has positional disorder: the matrix-free route needs a regular lattice")
        shape = tuple(lattice.shape)
        a = lattice.spacing_nm
        self.shape = shape
        self.p = lattice.dipoles_per_nc
        self.m = lattice.n * self.p
        self.workers = workers
        # circular convolution without wrap-around needs L >= 2 s - 1; a single plane needs no padding
        self.fft_shape = tuple(fft.next_fast_len(2 * s - 1, real=True) if s > 1 else 1 for s in shape)
        # the transforms run over the axes the lattice extends along (the real one along the last)
        self._active = tuple(ax for ax in range(3) if shape[ax] > 1) or (2,)
        self._singletons = tuple(ax for ax in range(3) if ax not in self._active)
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
        self._offsite_hat = {}  # (Omega, Gamma / 2) without the on-site (zero displacement) block
        self._field_hat = {}    # full spectrum of Gamma / 2 + i Omega without the on-site block
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
                self._kernel_hat[(al, be)] = (self._kernel_transform(w), self._kernel_transform(g))
                g_off = 0.5 * g
                g_off[0, 0, 0] = 0.0
                w_off = w.copy()
                w_off[0, 0, 0] = 0.0
                self._offsite_hat[(al, be)] = (self._kernel_transform(w_off), self._kernel_transform(g_off))
                self._field_hat[(al, be)] = fft.fftn(np.squeeze(g_off + 1j * w_off, axis=self._singletons),
                                                     workers=self.workers)
                mult = 1 if al == be else 2
                self._pair_sum += mult * float(np.sum(counts * w * g))
                rows[al] += np.abs(w).sum()
                if al != be:
                    rows[be] += np.abs(w).sum()
        self.row_bound = float(rows.max())
        self.gamma = lattice.gamma
        self._plans = {}   # FFTW plans of offsite_field by (thread, columns); not pickled

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_plans"] = {}
        return state

    def _kernel_transform(self, kernel):
        return fft.rfftn(np.squeeze(kernel, axis=self._singletons), workers=self.workers)

    def _forward(self, v, real=True):
        """Transform of (..., s0, s1, s2) arrays zero-padded to fft_shape, axis by axis (pruned).

        Only the axes the lattice extends along are transformed; for real arrays the transform along the
        last of them (contiguous in memory) is the real one, giving half the spectrum.
        """
        lead = v.shape[:-3]
        h = v.reshape(lead + tuple(self.shape[ax] for ax in self._active))
        for offset, ax in enumerate(reversed(self._active), start=1):
            transform = fft.rfft if real and offset == 1 else fft.fft
            h = transform(h, n=self.fft_shape[ax], axis=-offset, workers=self.workers)
        return h

    def _inverse(self, h, real=True):
        """The lattice part (..., s0, s1, s2) of the inverse transform (pruned); real from a half spectrum."""
        count = len(self._active)
        for index, ax in enumerate(self._active):
            axis = index - count
            if real and axis == -1:
                h = fft.irfft(h, n=self.fft_shape[ax], axis=-1, workers=self.workers)
            else:
                h = fft.ifft(h, axis=axis, workers=self.workers)
            h = h[(Ellipsis, slice(0, self.shape[ax])) + (slice(None),) * (-axis - 1)]
        return h.reshape(h.shape[:-count] + self.shape)

    def offsite_field(self, beta, out=None):
        """(Gamma/2 + i Omega) @ beta without the on-site blocks, for complex columns beta of shape (m, R).

        The coupling sums sum_j (Gamma_kj/2 + i Omega_kj) beta_j of truncated-Wigner trajectories: the block
        is laid out trajectory-major and transformed once forward and once back (complex transforms), by
        FFTW when pyFFTW is installed (plans kept per thread and block width), else by scipy.fft (pruned).

        Parameters
        ----------
        beta : ndarray of complex, shape (m, R)
        out : ndarray of complex128, shape (m, R), optional
            Where the field is written (not ``beta`` itself).

        Returns
        -------
        ndarray of complex128, shape (m, R)
        """
        beta = np.asarray(beta, dtype=np.complex128)
        if out is None:
            out = np.empty_like(beta)
        r = beta.shape[1]
        lattice = tuple(self.shape[ax] for ax in self._active)
        columns = np.moveaxis(beta.reshape(lattice + (self.p, r)), (-2, -1), (0, 1))   # (p, R, *lattice) view
        result = np.moveaxis(out.reshape(lattice + (self.p, r)), (-2, -1), (0, 1))
        if pyfftw is None:
            v = np.ascontiguousarray(columns).reshape((self.p, r) + self.shape)
            hats = self._forward(v, real=False)
            for al, acc in enumerate(self._convolve(hats, self._field_hat, None)):
                result[al] = self._inverse(acc, real=False).reshape((r,) + lattice)
            return out
        padded, spectra, forward, inverse, kernels = self._plan(r)
        padded[(slice(None), slice(None)) + tuple(slice(0, s) for s in lattice)] = columns
        for axis, size in enumerate(lattice[:-1]):   # the first (pruned) transform leaves the padding of the
            spectra[(slice(None),) * (2 + axis) + (slice(size, None),)] = 0.0   # others to fill with zeros
        for plan in forward:
            plan()
        if self.p == 1:
            np.multiply(spectra[0], kernels[(0, 0)], out=spectra[0])
        else:
            mixed = self._convolve(spectra, kernels, None)
            for al in range(self.p):
                spectra[al] = mixed[al]
        for plan in inverse:   # unnormalised: the kernels carry 1 / prod(fft_shape)
            plan()
        np.copyto(result, spectra[(slice(None), slice(None)) + tuple(slice(0, s) for s in lattice)])
        return out

    def _plan(self, r):
        """(padded input, spectra, forward plans, inverse plans, scaled kernels) of a block of r columns (FFTW).

        Pruned like :meth:`_forward` and :meth:`_inverse`: one axis at a time, the transform along an axis
        skipping the zero padding of the axes not yet transformed (forward) or the part of the axes already
        transformed back that is not kept (inverse).
        """
        key = (threading.get_ident(), r)
        if key not in self._plans:
            sizes = tuple(self.shape[ax] for ax in self._active)
            shape = (self.p, r) + tuple(self.fft_shape[ax] for ax in self._active)
            count = len(sizes)
            padded = pyfftw.zeros_aligned(shape, dtype=np.complex128)
            spectra = pyfftw.zeros_aligned(shape, dtype=np.complex128)

            def region(cut):
                return (slice(None), slice(None)) + tuple(slice(0, sizes[i]) if cut(i) else slice(None)
                                                          for i in range(count))

            def plan(source, target, axis, direction):
                return pyfftw.FFTW(source, target, axes=(2 + axis,), direction=direction, threads=self.workers,
                                   flags=("FFTW_MEASURE",)).execute

            forward, inverse = [], []
            for axis in reversed(range(count)):
                view = region(lambda i, axis=axis: i < axis)
                forward.append(plan(padded[view] if axis == count - 1 else spectra[view], spectra[view], axis,
                                    "FFTW_FORWARD"))
            for axis in range(count):
                view = region(lambda i, axis=axis: i < axis)
                inverse.append(plan(spectra[view], spectra[view], axis, "FFTW_BACKWARD"))
            padded[...] = 0.0   # planning may write the arrays
            scale = 1.0 / float(np.prod(shape[2:]))
            kernels = {pair: hat * scale for pair, hat in self._field_hat.items()}
            self._plans[key] = (padded, spectra, forward, inverse, kernels)
        return self._plans[key]

    def _convolve(self, hats, kernels, which):
        """sum_beta K[alpha, beta] * hat_beta for each alpha: (p, ...) spectra (K = kernels[pair][which], or
        kernels[pair] itself for which=None)."""
        out = []
        for al in range(self.p):
            acc = 0.0
            for be in range(self.p):
                kernel = kernels[(al, be) if al <= be else (be, al)]
                acc = acc + (kernel if which is None else kernel[which])[None] * hats[be]
            out.append(acc)
        return out

    def _apply(self, vectors, kernels, which, real=True):
        """Products of the kernels (``_kernel_hat`` with which = 0 for Omega, 1 for Gamma, real columns; or
        ``_field_hat``, which = None, complex columns) with the columns of ``vectors`` (m, R)."""
        r = vectors.shape[1]
        v = np.moveaxis(vectors.reshape(*self.shape, self.p, r), (3, 4), (0, 1))  # (p, R, nx, ny, nz)
        hats = self._forward(v, real)
        out = np.empty((self.p, r) + self.shape, dtype=np.float64 if real else np.complex128)
        for al, acc in enumerate(self._convolve(hats, kernels, which)):
            out[al] = self._inverse(acc, real)
        return np.moveaxis(out, (0, 1), (3, 4)).reshape(self.m, r)

    def offsite_product(self, cr, ci, *, batch=256):
        """X = (Gamma/2 - i Omega) C without the on-site blocks, for a Hermitian m x m matrix C = cr + i ci.

        The coupling of different sites only (a site's own dipoles excluded), as the cumulant expansion
        needs it. Uses that C is Hermitian (cr symmetric, ci antisymmetric): the columns of C are read
        as its rows, ``batch`` at a time.

        Parameters
        ----------
        cr, ci : ndarray, shape (m, m)
            Real (symmetric) and imaginary (antisymmetric) parts of C.
        batch : int
            Columns transformed together (memory ~ 5 p batch prod(fft_shape) x 8 bytes).

        Returns
        -------
        (xr, xi) : ndarrays, shape (m, m)
            Real and imaginary parts of X.
        """
        m = self.m
        xr_t = np.empty((m, m))
        xi_t = np.empty((m, m))
        for first in range(0, m, batch):
            rows = slice(first, min(first + batch, m))
            r = rows.stop - first
            # column k of cr is row k of cr; column k of ci is minus row k of ci
            v = np.stack([cr[rows], -ci[rows]])                                    # (2, R, m)
            v = np.moveaxis(v.reshape(2, r, *self.shape, self.p), -1, 0)           # (p, 2, R, nx, ny, nz)
            hats = self._forward(v)
            part_r, part_i = [], []
            for al in range(self.p):
                acc_r, acc_i = 0.0, 0.0
                for be in range(self.p):
                    w_hat, g_hat = self._offsite_hat[(al, be) if al <= be else (be, al)]
                    # Xr = G' cr + W ci, Xi = G' ci - W cr (G' = Gamma/2 off-site, W = Omega)
                    acc_r = acc_r + g_hat * hats[be, 0] + w_hat * hats[be, 1]
                    acc_i = acc_i + g_hat * hats[be, 1] - w_hat * hats[be, 0]
                part_r.append(self._inverse(acc_r))
                part_i.append(self._inverse(acc_i))
            xr_t[rows] = np.moveaxis(np.stack(part_r), 0, -1).reshape(r, m)
            xi_t[rows] = np.moveaxis(np.stack(part_i), 0, -1).reshape(r, m)
        return xr_t.T, xi_t.T

    def hamiltonian(self, vectors):
        """(diag(E) + Omega) @ vectors, vectors of shape (m, R) (rad/ps)."""
        return self.energies[:, None] * vectors + self._apply(vectors, self._kernel_hat, 0)

    def coherent(self, vectors):
        """Omega @ vectors (rad/ps), vectors of shape (m, R)."""
        return self._apply(vectors, self._kernel_hat, 0)

    def decay(self, vectors):
        """Gamma @ vectors (1/ps)."""
        return self._apply(vectors, self._kernel_hat, 1)

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
