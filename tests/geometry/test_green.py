import numpy as np
import pytest

from sf_dynamics.geometry import Superlattice, green_couplings, grid_couplings


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
    for r in (1.2e-3, 2e-3):
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


@pytest.mark.parametrize("separation", [1e-11, 1e-13, 5e-4])
def test_nearly_coincident_sites_are_rejected_naming_the_pair(separation):
    pos = np.array([[0, 0, 0], [0.3, 0, 0], [0.3 + separation, 0, 0]])
    with pytest.raises(ValueError, match="positions: sites 1 and 2 are .* apart, below the minimum"):
        green_couplings(pos, np.tile([0, 0, 1.0], (3, 1)), wavelength=1.0, gamma=1.0)
    # the minimum is a stated, adjustable length
    g, w = green_couplings(pos, np.tile([0, 0, 1.0], (3, 1)), wavelength=1.0, gamma=1.0,
                           min_separation=0.1 * separation)
    assert np.all(np.isfinite(w))


def test_blocked_evaluation_equals_a_direct_formula():
    # the matrices are built in row blocks; compare with the dyadic formula written out here
    rng = np.random.default_rng(3)
    pos = rng.random((7, 3))
    dip = rng.normal(size=(7, 3))
    dip /= np.linalg.norm(dip, axis=1)[:, None]
    g, w = green_couplings(pos, dip, wavelength=1.3, gamma=0.7, refractive_index=1.1)
    k = 2 * np.pi * 1.1 / 1.3
    i, j = 2, 5
    r = pos[j] - pos[i]
    x = k * np.linalg.norm(r)
    u = r / np.linalg.norm(r)
    dd, pp = dip[i] @ dip[j], (dip[i] @ u) * (dip[j] @ u)
    g_ref = 1.5 * 0.7 * ((np.sin(x) / x + np.cos(x) / x**2 - np.sin(x) / x**3) * dd
                         - (np.sin(x) / x + 3 * np.cos(x) / x**2 - 3 * np.sin(x) / x**3) * pp)
    w_ref = 0.75 * 0.7 * ((-np.cos(x) / x + np.sin(x) / x**2 + np.cos(x) / x**3) * dd
                          - (-np.cos(x) / x + 3 * np.sin(x) / x**2 + 3 * np.cos(x) / x**3) * pp)
    assert g[i, j] == pytest.approx(g_ref, rel=1e-12)
    assert w[i, j] == pytest.approx(w_ref, rel=1e-12)


@pytest.mark.parametrize("kind, size, options", [
    ("chain", (9,), dict(dipole=[1.0, 1.0, 0.0])),
    ("square", (5, 4), dict(dipole=[0.0, 0.0, 1.0], lattice_constant_nm=(12.0, 15.0, 11.0))),
    ("cubic", (3, 2, 4), dict(dipole=[0.3, -0.2, 1.0])),
    ("cubic", (2, 3, 2), {}),   # triplets: three orthogonal dipoles per site
])
def test_grid_couplings_equal_the_pairwise_green_tensor(kind, size, options):
    lattice = Superlattice.build(kind, size, **options)
    pairwise = green_couplings(lattice.dipole_positions(), lattice.dipole_directions(),
                               wavelength=lattice.wavelength_nm, gamma=lattice.gamma,
                               refractive_index=lattice.refractive_index)
    assert lattice.is_regular   # couplings() takes the grid route
    for grid, reference in zip(lattice.couplings(), pairwise):
        np.testing.assert_allclose(grid, reference, rtol=0, atol=1e-13 * np.abs(reference).max())
        np.testing.assert_array_equal(grid, grid.T)


@pytest.mark.parametrize("kwargs, name", [
    (dict(shape=(2, 2)), "shape"),
    (dict(shape=(2, 0, 1)), "shape"),
    (dict(spacing=(1.0, -1.0, 1.0)), "spacing"),
    (dict(shape=(2.7, 1, 1)), "shape"),
    (dict(spacing=1e-6), "spacing .* below the minimum separation"),
    (dict(spacing=(0.1, 0.1)), "spacing"),
    (dict(dipoles=[[0.0, 0.0, 0.0]]), "dipoles"),
    (dict(dipoles=[1.0, 0.0]), "dipoles"),
    (dict(dipoles=np.zeros((0, 3))), "dipoles"),
    (dict(wavelength=0.0), "wavelength"),
])
def test_grid_couplings_bad_inputs(kwargs, name):
    args = dict(shape=(2, 2, 1), spacing=0.1, dipoles=[[0.0, 0.0, 1.0]], wavelength=1.0, gamma=1.0) | kwargs
    with pytest.raises(ValueError, match=name):
        grid_couplings(args.pop("shape"), args.pop("spacing"), args.pop("dipoles"), **args)
