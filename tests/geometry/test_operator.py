"""FFT products of regular superlattices equal the dense Green's-tensor matrices, on every lattice shape."""

import numpy as np
import pytest

from sf_dynamics.geometry.lattice import Superlattice
from sf_dynamics.geometry.operator import LatticeOperator

LATTICES = {
    "cubic triplets": lambda: Superlattice.cubic(3, 4, 2, energy_disorder_meV=1.0, seed=1),
    "chain": lambda: Superlattice.chain(9, dipole=[0.0, 0.3, 1.0]),
    "square": lambda: Superlattice.square(4, 5, dipole=[1.0, 1.0, 0.0]),
    "square triplets along y": lambda: Superlattice.build("square", (1, 6)),
    "anisotropic cuboids": lambda: Superlattice.cubic(2, 3, 3, nc_edge_nm=(10.0, 10.0, 8.0)),
    "one NC": lambda: Superlattice.cubic(1, 1, 1),
}


def _offsite(matrix, p):
    out = matrix.copy()
    for i in range(matrix.shape[0] // p):
        out[p * i : p * i + p, p * i : p * i + p] = 0.0
    return out


@pytest.mark.parametrize("name", list(LATTICES))
def test_products_equal_the_dense_matrices(name):
    lattice = LATTICES[name]()
    op = LatticeOperator(lattice)
    gamma, omega = lattice.couplings()
    rng = np.random.default_rng(3)
    v = rng.standard_normal((op.m, 4))
    scale = np.abs(gamma).max()
    np.testing.assert_allclose(op.decay(v), gamma @ v, rtol=0, atol=1e-13 * scale * op.m)
    np.testing.assert_allclose(op.coherent(v), omega @ v, rtol=0, atol=1e-13 * max(np.abs(omega).max(), 1) * op.m)
    # the cumulant's product: off-site (Gamma/2 - i Omega) times a Hermitian matrix
    a = rng.standard_normal((op.m, op.m)) + 1j * rng.standard_normal((op.m, op.m))
    c = a + a.conj().T
    exact = (_offsite(0.5 * gamma, lattice.dipoles_per_nc) - 1j * omega) @ c
    xr, xi = op.offsite_product(np.ascontiguousarray(c.real), np.ascontiguousarray(c.imag), batch=5)
    tol = 1e-13 * max(np.abs(exact).max(), 1.0)
    np.testing.assert_allclose(xr, exact.real, rtol=0, atol=tol)
    np.testing.assert_allclose(xi, exact.imag, rtol=0, atol=tol)
    # the truncated-Wigner field: off-site (Gamma/2 + i Omega) times complex columns
    beta = rng.standard_normal((op.m, 3)) + 1j * rng.standard_normal((op.m, 3))
    field = (_offsite(0.5 * gamma, lattice.dipoles_per_nc) + 1j * omega) @ beta
    np.testing.assert_allclose(op.offsite_field(beta), field, rtol=0,
                               atol=1e-13 * max(np.abs(field).max(), 1.0) * op.m)


def test_transforms_are_as_short_as_the_convolution_allows():
    op = LatticeOperator(Superlattice.build("square", (16, 9)))
    assert op.fft_shape[2] == 1                     # no padding across a single plane
    assert op.fft_shape[0] >= 31 and op.fft_shape[1] >= 17
    assert op.fft_shape[0] <= 36 and op.fft_shape[1] <= 20


def test_positional_disorder_is_refused():
    lattice = Superlattice.cubic(2, 2, 2, position_disorder_nm=0.1, seed=1)
    assert not lattice.is_regular
    with pytest.raises(ValueError, match="positional disorder"):
        LatticeOperator(lattice)


@pytest.mark.parametrize("name", ["cubic triplets", "square", "chain"])
def test_the_field_of_a_block_does_not_depend_on_the_blocks_before(name):
    # the transforms reuse their buffers (FFTW plans per block width): each call must start from zero padding
    lattice = LATTICES[name]()
    op = LatticeOperator(lattice)
    gamma, omega = lattice.couplings()
    field_matrix = _offsite(0.5 * gamma, lattice.dipoles_per_nc) + 1j * omega
    rng = np.random.default_rng(4)
    for width in (5, 2, 5, 5):
        beta = rng.standard_normal((op.m, width)) + 1j * rng.standard_normal((op.m, width))
        field = field_matrix @ beta
        out = np.full_like(beta, np.nan)
        assert op.offsite_field(beta, out=out) is out
        np.testing.assert_allclose(out, field, rtol=0, atol=1e-13 * max(np.abs(field).max(), 1.0) * op.m)
