import numpy as np
import pytest

from sf_dynamics.geometry import green_couplings


def test_single_site_and_far_field_limits():
    pos = np.array([[0, 0, 0], [0, 0, 0], [0, 0, 0]], float)
    dip = np.eye(3)
    g, w = green_couplings(pos, dip, wavelength=500.0, gamma=0.2)
    # the three orthogonal dipoles of one nanocrystal: Gamma = gamma delta_ab, no coupling
    np.testing.assert_allclose(g, 0.2 * np.eye(3), atol=1e-15)
    np.testing.assert_allclose(w, 0.0, atol=1e-15)


def test_static_dipole_dipole_limit_and_collective_decay_at_short_distance():
    gamma, lam = 1.0, 1.0
    k = 2 * np.pi
    for r in (1e-3, 2e-3):
        pos = np.array([[0, 0, 0], [r, 0, 0]])
        for dip, orient in ((np.array([[0, 0, 1], [0, 0, 1]]), 1.0), (np.array([[1, 0, 0], [1, 0, 0]]), -2.0)):
            g, w = green_couplings(pos, dip, wavelength=lam, gamma=gamma)
            # Omega -> (3 gamma / 4) (d.d - 3 (d.r)^2) / (kr)^3, Gamma -> gamma d.d
            assert w[0, 1] == pytest.approx(0.75 * gamma * orient / (k * r) ** 3, rel=1e-4)
            assert g[0, 1] == pytest.approx(gamma, rel=1e-4)


def test_matrices_are_symmetric_and_gamma_is_positive_semidefinite():
    rng = np.random.default_rng(1)
    pos = rng.random((40, 3)) * 2.0
    dip = rng.normal(size=(40, 3))
    g, w = green_couplings(pos, dip, wavelength=1.0, gamma=0.5, refractive_index=1.3)
    np.testing.assert_allclose(g, g.T)
    np.testing.assert_allclose(w, w.T)
    assert np.linalg.eigvalsh(g).min() > -1e-10
    np.testing.assert_allclose(np.diag(g), 0.5)
    np.testing.assert_allclose(np.diag(w), 0.0)


def test_far_apart_dipoles_decouple():
    pos = np.array([[0, 0, 0], [0, 0, 1e4]])
    g, w = green_couplings(pos, [[1, 0, 0], [1, 0, 0]], wavelength=1.0, gamma=1.0)
    assert abs(g[0, 1]) < 1e-4 and abs(w[0, 1]) < 1e-4


@pytest.mark.parametrize(
    "kwargs, name",
    [
        (dict(positions=np.zeros((2, 2)), dipoles=np.zeros((2, 2))), "positions"),
        (dict(positions=np.zeros((2, 3)), dipoles=np.zeros((3, 3))), "dipoles"),
        (dict(positions=np.zeros((2, 3)), dipoles=np.zeros((2, 3))), "dipoles"),
        (dict(positions=np.zeros((1, 3)), dipoles=np.ones((1, 3)), wavelength=-1.0), "wavelength"),
        (dict(positions=np.zeros((1, 3)), dipoles=np.ones((1, 3)), gamma=np.nan), "gamma"),
    ],
)
def test_bad_inputs(kwargs, name):
    args = dict(wavelength=1.0, gamma=1.0)
    args.update(kwargs)
    with pytest.raises(ValueError, match=name):
        green_couplings(args.pop("positions"), args.pop("dipoles"), **args)
