"""The Chebyshev propagator of the matrix-free PL route against scipy's matrix exponential and Bessel functions."""

import numpy as np
import pytest
from scipy.linalg import expm
from scipy.special import jv

from sf_dynamics.thermal.chebyshev import (
    bessel_table,
    chebyshev_vectors,
    ellipse_growth,
    propagation_block,
    propagation_coefficients,
    propagation_plan,
)


def _non_hermitian(m, half, kappa, seed):
    """A - i G/2 with spec(A) in [-half, half] and G >= 0 of largest eigenvalue 4 kappa (a decaying propagator)."""
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((m, m))
    a = a + a.T
    a *= 0.9 * half / np.abs(np.linalg.eigvalsh(a)).max()
    g = rng.standard_normal((m, m))
    g = g @ g.T
    g *= 4.0 * kappa / np.linalg.eigvalsh(g).max()
    return a - 0.5j * g


@pytest.mark.parametrize("kappa", [0.0, 0.2, 3.0, 30.0])
def test_blocks_of_the_series_propagate_like_the_matrix_exponential(kappa):
    # x = (B + i kappa) / scale has its numerical range in [-half, half] x i[-kappa, kappa] / scale: the plan's
    # blocks e^{-kappa dt} sum_k c_k T_k(x), chained, give e^{-i B t} over several blocks (scipy's expm as the
    # reference, 1e-9 of the vector)
    half = 2.0
    op = _non_hermitian(30, half, kappa, seed=1)
    scale, a, terms = propagation_plan(half, kappa)
    x = (op + 1j * kappa * np.eye(30)) / scale
    coeff = propagation_coefficients(terms, a) * np.exp(-kappa * a / scale)
    v = np.random.default_rng(2).standard_normal((30, 2)) + 0j
    psi = v
    for _ in range(3):
        psi = sum(c * t for c, t in zip(coeff, chebyshev_vectors(lambda u: x @ u, psi, terms)))
    exact = expm(-1j * op * 3 * a / scale) @ v
    assert np.abs(psi - exact).max() <= 1e-9 * np.abs(v).max()


def test_propagation_plan_and_growth():
    assert ellipse_growth(0.3) == pytest.approx(1.0)
    # a point on the ellipse with semi-axes cosh(u), sinh(u) has growth e^u
    u = 0.4
    assert ellipse_growth(np.cosh(u) * np.cos(1.0) + 1j * np.sinh(u) * np.sin(1.0)) == pytest.approx(np.exp(u))
    scale, a, terms = propagation_plan(5.0, 0.0)
    assert scale == 5.0 and terms > a
    # a large imaginary extent costs more products per unit time
    assert propagation_plan(5.0, 10.0)[0] * propagation_plan(5.0, 10.0)[2] / propagation_plan(5.0, 10.0)[1] > (
        scale * terms / a)
    with pytest.raises(ValueError, match="half"):
        propagation_plan(0.0, 1.0)
    with pytest.raises(ValueError, match="growth"):
        propagation_block(0.5)


def test_bessel_table_equals_scipy():
    x = np.concatenate([[0.0, 1e-8, 0.3], np.linspace(0.5, 300.0, 120)])
    k = np.arange(400)
    np.testing.assert_allclose(bessel_table(400, x), jv(k[None, :], x[:, None]), rtol=0, atol=1e-13)
    with pytest.raises(ValueError, match="x must be"):
        bessel_table(3, [-1.0])
