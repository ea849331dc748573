"""Weak-excitation photoluminescence of a superlattice at temperature T, and its bright state.

One exciton thermalised among the eigenstates |k> of the single-excitation Hamiltonian H = diag(E) + Omega
(rho = e^{-H / k_B T} / Z) emits, by the quantum regression theorem with the master equation of
docs/conventions.md (H_eff = H - i Gamma/2; pure dephasing gamma_phi damps every coherence with the ground
state alike),

    S(omega) = 2 Re int_0^inf dtau e^{i omega tau} e^{-gamma_phi tau} Tr[Gamma e^{-i H_eff tau} rho]
             = -2 Im Tr[Gamma (omega + i gamma_phi - H_eff)^{-1} rho],

normalised so that int S domega / 2 pi = Tr[Gamma rho] = <Gamma>_T (photons/ps per excitation). Where the
radiative couplings <k|Gamma|l> between eigenstates are small against their spacing it is the sum of
Lorentzians p_k Gamma_k L_k(omega - E_k) of FWHM Gamma_k + 2 gamma_phi (Gamma_k = <k|Gamma|k>); where they
are not (superradiant widths comparable to the band), those lines mix and that sum is wrong by tens of
percent. The dense route diagonalises H - i Gamma/2, the matrix-free route propagates probe vectors under it
(Chebyshev series, FFT products). The uncoupled line is the same for the dipoles without Omega (each at its
own energy with width gamma). The difference of the two peaks is the collective (dipole-dipole) shift of the
coupled line; its sign and size depend on the lattice (size, spacing, orientation): it is computed, not
assumed.
"""

from __future__ import annotations

import numpy as np

from .._resources import check_memory
from .._validation import check_positive_int, check_rate, check_real, check_real_array
from ..kernels.peaks import parabolic_vertex, peak_fwhm
from ..model.linewidth import check_temperatures
from ..units import HBAR_MEV_PS
from .chebyshev import (
    chebyshev_vectors,
    exponential_coefficients,
    exponential_terms,
    propagation_coefficients,
    propagation_plan,
    scaled_hamiltonian,
)
from .equilibrium import _kt_rad_per_ps, single_excitation_spectrum

__all__ = ["photoluminescence", "bright_state"]


def bright_state(lattice):
    """Energy (rad/ps) and radiative width (1/ps) of the brightest single-excitation state.

    Parameters
    ----------
    lattice : Superlattice or tuple (energies, Gamma, Omega)

    Returns
    -------
    energy, width : float
    """
    energies, widths = single_excitation_spectrum(lattice)
    k = int(np.argmax(widths))
    return float(energies[k]), float(widths[k])


def _lines(omega, centres, areas, fwhm):
    half = 0.5 * fwhm
    # area a at centre c: a * 2 * (half) / ((omega - c)^2 + half^2) integrates to a over domega / 2 pi
    out = np.zeros(omega.size)
    for start in range(0, centres.size, 2048):
        c, a, h = centres[start:start + 2048], areas[start:start + 2048], half[start:start + 2048]
        out += (a * 2.0 * h / ((omega[:, None] - c) ** 2 + h**2)).sum(axis=1)
    return out


def _check_grid(omega):
    omega = check_real_array("omega", omega)
    if omega.ndim != 1 or omega.size < 3 or np.any(np.diff(omega) <= 0):
        raise ValueError("omega must be a 1-D, strictly increasing grid of at least 3 frequencies")
    return omega


def _peak(omega, values):
    """Line centre: the parabolic vertex through the largest sample and its neighbours."""
    return float(parabolic_vertex(omega, values, int(np.argmax(values)))[0])


def _dense_poles(lattice, t):
    """Poles and residues of the coupled PL by diagonalisation (dense route).

    S(omega) = -2 Im Tr[Gamma (omega + i gamma_phi - H_eff)^{-1} rho] with rho = e^{-beta H} / Z from the
    eigenstates of H (``eigh``) and H_eff = H - i Gamma/2 = R diag(lambda) R^{-1} (``eig``), so
    S = -2 Im sum_n c_n / (omega + i gamma_phi - lambda_n), c_n = (R^{-1} rho Gamma R)_nn: Lorentzians of FWHM
    -2 Im lambda_n + 2 gamma_phi with dispersive parts, sum_n c_n = Tr[rho Gamma] = <Gamma>_T.

    Returns
    -------
    poles : ndarray, complex (rad/ps)
    residues : ndarray, complex (1/ps)
    rate : float
        <Gamma>_T (1/ps).
    energies, widths : ndarray
        Eigenvalues of H (rad/ps) and <k|Gamma|k> (1/ps).

    Raises
    ------
    ValueError
        If the matrices do not fit in memory.
    RuntimeError
        If the eigenvectors of H_eff are too ill-conditioned for the residues to obey their sum rule.
    """
    m = lattice.n * lattice.dipoles_per_nc
    check_memory(8.0 * 16.0 * m * m, parameter="lattice",
                 what=f"non-Hermitian diagonalisation of the {m} x {m} single-excitation Hamiltonian",
                 alternative="regular lattices: photoluminescence(..., route='kpm') needs O(m) memory")
    g, w = lattice.couplings()
    h = w + np.diag(lattice.dipole_energies())
    energies, vecs = np.linalg.eigh(h)
    widths = np.einsum("ij,ik,kj->j", vecs, g, vecs, optimize=True)
    p = np.exp(-(energies - energies.min()) / _kt_rad_per_ps(np.array([t]))[0])
    p /= p.sum()
    poles, right = np.linalg.eig(h - 0.5j * g)
    residues = np.einsum("ij,ji->i", np.linalg.solve(right, (vecs * p) @ (vecs.T @ g)), right)
    rate = float(p @ widths)
    if not abs(residues.sum() - rate) <= 1e-8 * float(np.abs(residues).sum()):
        raise RuntimeError("the eigenvectors of H - i Gamma/2 are too ill-conditioned for the dense route "
                           f"(sum rule off by {abs(residues.sum() - rate):.3g} 1/ps); use route='kpm'")
    return poles, residues, rate, energies, widths


def _pole_lines(omega, poles, residues, dephasing):
    """-2 Im sum_n c_n / (omega + i gamma_phi - lambda_n) on the grid (rad/ps)."""
    out = np.zeros(omega.size)
    for start in range(0, poles.size, 2048):
        c, lam = residues[start:start + 2048], poles[start:start + 2048] - 1j * dephasing
        out -= 2.0 * np.imag(c / (omega[:, None] - lam)).sum(axis=1)
    return out


def _largest_rate(op):
    """Largest eigenvalue of Gamma (1/ps): Lanczos on the FFT products (a dense matrix below 64 dipoles)."""
    if op.m <= 64:
        return float(np.linalg.eigvalsh(op.decay(np.eye(op.m)))[-1])
    from scipy.sparse.linalg import LinearOperator, eigsh

    lin = LinearOperator((op.m, op.m), matvec=lambda v: op.decay(v.reshape(-1, 1))[:, 0], dtype=np.float64)
    # Ritz values lie below the largest eigenvalue; 1e-3 is well inside the 2 % margin the caller adds
    return float(eigsh(lin, k=1, which="LA", tol=1e-3, return_eigenvectors=False)[0])


def _probe_block(m, start, stop, exact, rng):
    """Probe columns start..stop-1: unit vectors (exact traces) or random +-1 entries."""
    if exact:
        r = np.zeros((m, stop - start))
        r[np.arange(start, stop), np.arange(stop - start)] = 1.0
        return r
    return rng.choice([-1.0, 1.0], size=(m, stop - start))


def _matrix_free_coupled(op, band, rate_max, t, omega, probes, dephasing, resolution, seed):
    """Coupled PL without diagonalisation: the emission correlation by Chebyshev propagation of probe vectors.

    S(omega) = 2 Re int_0^inf dtau e^{i omega tau} e^{-gamma_phi tau} C(tau), C(tau) = Tr[Gamma e^{-i H_eff tau} rho]
    with H_eff = H - i Gamma/2 and rho = e^{-beta H} / Z: the quantum-regression spectrum of the thermalised
    exciton, every line with its own radiative width (for Gamma diagonal in the eigenstates of H it is the
    dense route's sum of Lorentzians of FWHM Gamma_k + 2 gamma_phi). With phi = e^{-beta (H - E_lo)/2} r for
    probes r (the exponential a Chebyshev series with Bessel coefficients), C(tau) Z ~ (Gamma phi)^T e^{-i H_eff
    tau} phi and Z ~ |phi|^2. The propagator is a Chebyshev series in X = (H_eff - c + i kappa) / w, kappa =
    max eig(Gamma) / 4, whose numerical range lies in [-1, 1] x i[-kappa/w, kappa/w]; there |T_k(X)| may grow
    (Crouzeix: by at most 1 + sqrt 2 times the ellipse bound), so time advances in blocks
    (:func:`~sf_dynamics.thermal.chebyshev.propagation_plan`), and within a block C(tau) at any tau follows
    from the moments (Gamma phi)^T T_k(X) psi_block. C is sampled at 8 points per shortest period of the
    integrand (trapezoid rule) and cut where e^{-gamma_phi tau} times the resolution window
    exp(-(sigma tau)^2 / 2) (a Gaussian of FWHM ``resolution`` in omega) is below 1e-4. ``op`` is the
    lattice's LatticeOperator, ``band`` the spectral range of H, ``rate_max`` the largest eigenvalue of Gamma.
    Returns the spectrum, <Gamma>_T, its standard error (jackknife over the probes; 0 for exact traces) and
    details.
    """
    e_lo, e_hi = band
    half = 0.5 * (e_hi - e_lo) + 1e-12
    center = 0.5 * (e_hi + e_lo)
    beta = 1.0 / _kt_rad_per_ps(np.array([t]))[0]
    scaled = scaled_hamiltonian(op, center, half)
    # e^{-beta (H - E_lo) / 2} = e^{-b (x + 1)}, b = beta half / 2: sum_j (2 - delta_j0) (-1)^j ive(j, b) T_j(x)
    b = 0.5 * beta * half
    n_exp = exponential_terms(b)
    exp_coeff = exponential_coefficients(n_exp, b)

    kappa = 0.25 * 1.02 * rate_max
    width, a, terms = propagation_plan(half, kappa)
    step = a / width  # ps per block
    shift = center - 1j * kappa

    def apply_x(v):
        return (op.energies[:, None] * v - (0.5j * op.gamma + shift) * v - 1j * op.offsite_field(v)) / width

    sigma = resolution / (2.0 * np.sqrt(2.0 * np.log(2.0)))
    cut = np.log(1e4)
    t_max = np.sqrt(2.0 * cut) / sigma
    if dephasing > 0:
        t_max = min(t_max, cut / dephasing)
    dtau = np.pi / (4.0 * (np.abs(omega - center).max() + half))
    tau = np.arange(int(np.ceil(t_max / dtau)) + 1) * dtau
    blocks = int(tau[-1] // step) + 1

    exact = probes == "exact" or probes >= op.m
    count = op.m if exact else probes
    # columns per batch: the FFT products hold a few (p, columns, fft_shape) complex arrays, ~1 GB at most
    batch = int(np.clip(1e9 // (64 * op.p * np.prod(op.fft_shape)), 1, count))
    rng = np.random.default_rng(seed)
    moments = np.zeros((blocks, terms), dtype=np.complex128)
    prop = propagation_coefficients(terms, a) * np.exp(-kappa * step)
    num, z, square = [], [], 0.0
    for start in range(0, count, batch):
        stop = min(count, start + batch)
        r = _probe_block(op.m, start, stop, exact, rng)
        phi = sum(c * term for c, term in zip(exp_coeff, chebyshev_vectors(scaled, r, n_exp)))
        left = op.decay(phi)
        z.append(np.sum(phi * phi, axis=0))
        num.append(np.sum(left * phi, axis=0))
        square += float(np.sum(left * left))
        psi = phi.astype(np.complex128)
        for block in range(blocks):
            nxt = np.zeros_like(psi)
            for k, term in enumerate(chebyshev_vectors(apply_x, psi, terms)):
                moments[block, k] += np.sum(left * term)
                nxt += prop[k] * term
            psi = nxt
    num, z = np.concatenate(num), np.concatenate(z)
    corr = np.empty(tau.size, dtype=np.complex128)
    which = (tau // step).astype(int)
    for block in range(blocks):
        s = tau[which == block] - block * step
        corr[which == block] = np.exp(-kappa * s) * (propagation_coefficients(terms, width * s) @ moments[block])
    weight = np.full(tau.size, dtau)
    weight[0] *= 0.5
    damped = weight * corr * np.exp(-dephasing * tau - 0.5 * (sigma * tau) ** 2) / z.sum()
    rate = num.sum() / z.sum()
    # Euler-Maclaurin: the trapezoid sum of 2 Re int f, f = e^{i omega tau} D(tau), misses (h^2/6) Re f'(0) =
    # -(h^2/6) (gamma_phi Tr[Gamma rho] + Tr[Gamma^2 rho] / 2), the same at every omega (f'(inf) = 0)
    offset = -dtau**2 / 6.0 * (dephasing * rate + 0.5 * square / z.sum())
    spectrum = np.empty(omega.size)
    for first in range(0, omega.size, 256):
        w = omega[first:first + 256]
        spectrum[first:first + 256] = 2.0 * np.real(np.exp(1j * np.outer(w - center, tau)) @ damped) + offset
    sem = 0.0 if exact or count < 2 else _jackknife(num, z)
    info = {"propagation_time_ps": float(tau[-1]), "products": blocks * (terms - 1) + n_exp - 1,
            "probes": "exact" if exact else str(count)}
    return spectrum, float(rate), float(sem), info


def _jackknife(num, z):
    """Jackknife standard error of sum(num) / sum(z) over the probes (one entry each)."""
    n = num.size
    jack = (num.sum() - num) / (z.sum() - z)
    return float(np.sqrt((n - 1) / n * np.sum((jack - jack.mean()) ** 2)))


def photoluminescence(lattice, temperature_K, omega=None, *, dephasing=0.0, route="dense", probes=16,
                      resolution_meV=None, seed=0):
    """Coupled and uncoupled weak-excitation PL spectra of a superlattice at one temperature.

    Parameters
    ----------
    lattice : Superlattice
    temperature_K : float
        Temperature (K) of the thermalised excitation.
    omega : array_like, optional
        Strictly increasing angular frequencies (rad/ps) from the reference
        transition; default: the single-excitation band padded by 10
        homogeneous FWHM gamma + 2 gamma_phi and the largest radiative width,
        8 points per homogeneous FWHM (4001 to 200001 points).
    dephasing : float
        Pure-dephasing rate gamma_phi (1/ps) broadening every line by 2 gamma_phi.
    route : {"dense", "kpm"}
        ``dense``: diagonalise the single-excitation Hamiltonian (every line
        with its own width Gamma_k + 2 gamma_phi; up to ~10^4 dipoles).
        ``kpm``: regular lattices of any size, by FFT products and Chebyshev
        propagation of probe vectors under H - i Gamma/2 (no eigenvectors):
        the quantum-regression spectrum, every line with its own radiative
        width, seen through a Gaussian window of FWHM ``resolution_meV``. It
        equals the dense sum where the radiative couplings Gamma_kl between
        eigenstates are small against their spacing (docs/physics.md).
    probes : int or "exact"
        ``kpm``: random +-1 probe vectors of the stochastic trace; ``"exact"``
        or at least the number of dipoles m: the m unit vectors (exact traces).
    resolution_meV : float, optional
        ``kpm``: FWHM (meV) of the Gaussian the spectrum is convolved with
        (default: a quarter of the homogeneous FWHM gamma + 2 gamma_phi).
        It sets how long the correlation is propagated when gamma_phi is small.
    seed : int
        ``kpm``: seed of the probes.

    Returns
    -------
    xarray.Dataset
        ``coupled`` and ``uncoupled`` spectra over ``omega`` (coordinate
        ``energy_meV``); attributes ``coupled_peak_meV``, ``uncoupled_peak_meV``,
        ``shift_meV`` (coupled - uncoupled peak; negative = red), ``coupled_fwhm_meV``,
        ``uncoupled_fwhm_meV``, ``enhancement`` (<Gamma>_T / gamma), ``route``;
        dense: ``bright_state_meV`` and ``bright_width_over_gamma``; kpm:
        ``enhancement_sem`` (standard error from the probes, 0 for exact
        traces), ``probes``, ``kernel_resolution_meV``, ``propagation_time_ps``
        and ``products`` (products with H per probe).

    Raises
    ------
    ValueError
        Bad temperature, rate, grid, route, probes or resolution; ``kpm`` on a
        lattice with positional disorder.
    """
    import xarray as xr

    t = float(check_temperatures([temperature_K])[0])
    dephasing = check_rate("dephasing", dephasing)
    if route not in ("dense", "kpm"):
        raise ValueError(f"route must be 'dense' or 'kpm', got {route!r}")
    if omega is not None:
        omega = _check_grid(omega)
    e = lattice.dipole_energies()
    gamma = float(lattice.gamma)
    attrs = {}
    if route == "dense":
        poles, residues, rate, energies, widths = _dense_poles(lattice, t)
        band, extra = (poles.real.min(), poles.real.max()), float(-2.0 * poles.imag.min())
    else:
        from ..geometry.operator import LatticeOperator

        if probes != "exact":
            probes = check_positive_int("probes", probes)
        resolution = (0.25 * (gamma + 2 * dephasing) if resolution_meV is None else
                      check_real("resolution_meV", resolution_meV, low=0.0, low_open=True) / HBAR_MEV_PS)
        op = LatticeOperator(lattice)
        band, extra = op.spectral_range(), _largest_rate(op)
    if omega is None:
        # the band, padded by 10 homogeneous FWHM and the largest radiative width, 8 points per homogeneous FWHM
        lo, hi = min(band[0], e.min()), max(band[1], e.max())
        pad = 10 * (gamma + 2 * dephasing) + extra
        points = np.clip(np.ceil(8 * (hi - lo + 2 * pad) / (gamma + 2 * dephasing)) + 1, 4001, 200_001)
        omega = np.linspace(lo - pad, hi + pad, int(points))
    if route == "dense":
        coupled = _pole_lines(omega, poles, residues, dephasing)
        bright_e, bright_w = energies[int(np.argmax(widths))], widths.max()
        attrs.update(enhancement=rate / gamma, bright_state_meV=float(bright_e * HBAR_MEV_PS),
                     bright_width_over_gamma=float(bright_w / gamma))
    else:
        coupled, rate, sem, info = _matrix_free_coupled(op, band, extra, t, omega, probes, dephasing, resolution,
                                                        seed)
        attrs.update(enhancement=rate / gamma, enhancement_sem=sem / gamma,
                     kernel_resolution_meV=resolution * HBAR_MEV_PS, **info)
    levels, counts = np.unique(e, return_counts=True)
    uncoupled = _lines(omega, levels, gamma * counts / e.size, np.full(levels.size, gamma + 2 * dephasing))
    peaks = {k: _peak(omega, v) * HBAR_MEV_PS for k, v in (("coupled", coupled), ("uncoupled", uncoupled))}
    return xr.Dataset(
        {"coupled": ("omega", coupled, {"units": "photons/ps per (rad/ps)"}),
         "uncoupled": ("omega", uncoupled, {"units": "photons/ps per (rad/ps)"})},
        coords={"omega": ("omega", omega, {"units": "rad/ps"}),
                "energy_meV": ("omega", omega * HBAR_MEV_PS, {"units": "meV"})},
        attrs={"temperature_K": t, "route": route, "coupled_peak_meV": peaks["coupled"],
               "uncoupled_peak_meV": peaks["uncoupled"], "shift_meV": peaks["coupled"] - peaks["uncoupled"],
               "coupled_fwhm_meV": peak_fwhm(omega, coupled) * HBAR_MEV_PS,
               "uncoupled_fwhm_meV": peak_fwhm(omega, uncoupled) * HBAR_MEV_PS, "dipoles": int(e.size), **attrs},
    )
