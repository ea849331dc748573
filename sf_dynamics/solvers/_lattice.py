"""Which coupling products a per-emitter solver uses: dense BLAS or FFT on a regular lattice.

An ensemble built by :meth:`sf_dynamics.geometry.Superlattice.nanocrystal_ensemble`
on a regular lattice (no positional disorder) carries it; its Gamma and Omega
are then block-Toeplitz and their products with vectors or matrices are
zero-padded FFT convolutions (:class:`sf_dynamics.geometry.operator.LatticeOperator`).
Each solver states from how many dipoles the FFTs were measured faster than
BLAS for its own products (``thresholds`` by lattice dimensionality).
"""

from __future__ import annotations

import numpy as np

__all__ = ["COUPLINGS", "check_coupling", "fft_pays", "lattice_operator"]

COUPLINGS = ("auto", "dense", "fft")


def check_coupling(coupling):
    """Return ``coupling`` if it is one of :data:`COUPLINGS`, else raise ValueError naming it."""
    if coupling not in COUPLINGS:
        raise ValueError(f"coupling must be one of {list(COUPLINGS)}, got {coupling!r}")
    return coupling


def fft_pays(lattice, thresholds) -> bool:
    """Whether the lattice holds at least ``thresholds[dimensions]`` dipoles (FFTs measured faster there)."""
    dims = sum(1 for s in lattice.shape if s > 1) or 1
    return lattice.n * lattice.dipoles_per_nc >= thresholds[dims]


def lattice_operator(ensemble, coupling, thresholds):
    """The LatticeOperator for coupling "fft" (or "auto" where :func:`fft_pays`), else None.

    Raises
    ------
    ValueError
        For "fft" on an ensemble without a regular lattice, or with decay / collective decay added to the
        lattice's couplings; or when the lattice's products do not reproduce the ensemble's matrices.
    """
    from ..geometry.operator import LatticeOperator

    check_coupling(coupling)
    lattice = getattr(ensemble, "lattice", None)
    eligible = lattice is not None and ensemble.decay == 0 and ensemble.collective_decay == 0
    if coupling == "fft" and not eligible:
        raise ValueError("coupling 'fft' needs an ensemble built by Superlattice.nanocrystal_ensemble on a regular "
                         "lattice (no positional disorder) with no decay or collective_decay added")
    if coupling == "dense" or not eligible or (coupling == "auto" and not fft_pays(lattice, thresholds)):
        return None
    operator = LatticeOperator(lattice)
    probe = np.random.default_rng(0).standard_normal((operator.m, 2))
    for dense, product in ((ensemble.gamma_matrix(), operator.decay), (ensemble.omega_matrix(), operator.coherent)):
        exact = dense @ probe
        if np.max(np.abs(product(probe) - exact)) > 1e-9 * max(float(np.max(np.abs(exact))), 1e-300):
            raise ValueError("lattice: its Green's-tensor couplings differ from the ensemble's gamma_matrix / "
                             "omega_matrix; build the ensemble with Superlattice.nanocrystal_ensemble")
    return operator
