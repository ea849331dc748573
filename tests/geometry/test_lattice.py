import numpy as np
import pytest

from sf_dynamics import NanocrystalEnsemble
from sf_dynamics.geometry.lattice import Superlattice
from sf_dynamics.units import MEV_TO_RAD_PER_PS


def test_cubic_lattice_geometry_and_couplings():
    lat = Superlattice.cubic(3, 2, 2, nc_edge_nm=9.0, ligand_gap_nm=3.0)
    assert lat.n == 12 and lat.lattice_constant_nm == 12.0
    np.testing.assert_allclose(lat.size_nm, [24.0, 12.0, 12.0])
    g, w = lat.couplings()
    assert g.shape == (36, 36)
    # Gamma_ii = gamma, the three dipoles of one NC do not couple
    np.testing.assert_allclose(np.diag(g), 1 / 210.0)
    block = g[:3, :3] - np.diag(np.diag(g[:3, :3]))
    np.testing.assert_allclose(block, 0.0, atol=1e-15)
    np.testing.assert_allclose(w[:3, :3], 0.0, atol=1e-15)


def test_static_dipole_limit_of_nearest_neighbours():
    # k a << 1: Omega between parallel z dipoles of neighbours along x -> (3 gamma / 4) / (k a)^3
    lat = Superlattice.chain(2, lattice_constant_nm=1.0, nc_edge_nm=0.5, dipole=[0, 0, 1.0], wavelength_nm=500.0)
    g, w = lat.couplings()
    ka = lat.k_times_spacing()
    assert w[0, 1] == pytest.approx(0.75 * lat.gamma / ka**3, rel=1e-3)


def test_disorder_is_reproducible_and_has_the_requested_width():
    a = Superlattice.cubic(10, 10, 10, energy_disorder_meV=0.8, position_disorder_nm=0.3, seed=4)
    b = Superlattice.cubic(10, 10, 10, energy_disorder_meV=0.8, position_disorder_nm=0.3, seed=4)
    np.testing.assert_array_equal(a.energies, b.energies)
    assert np.std(a.energies) / MEV_TO_RAD_PER_PS == pytest.approx(0.8, rel=0.1)
    clean = Superlattice.cubic(10, 10, 10)
    assert np.std(a.positions_nm - clean.positions_nm) == pytest.approx(0.3, rel=0.1)


def test_lattice_feeds_the_dynamics():
    lat = Superlattice.square(2, 2, energy_disorder_meV=0.1, seed=1, fine_structure=(0.0, 0.2, 0.4))
    ens = lat.nanocrystal_ensemble(dephasing=0.05)
    assert isinstance(ens, NanocrystalEnsemble) and ens.n == 4
    np.testing.assert_allclose(ens.onsite_energies(), lat.dipole_energies())
    single = Superlattice.chain(3, dipole=[1, 0, 0]).nanocrystal_ensemble()
    assert single.n == 3 and single.has_coupling_matrices


@pytest.mark.parametrize(
    "make, name",
    [
        (lambda: Superlattice.build("hexagonal", (2, 2)), "kind"),
        (lambda: Superlattice.cubic(2, 2, 2, lattice_constant_nm=-1.0), "lattice_constant_nm"),
        (lambda: Superlattice.cubic(2, 2, 2, lattice_constant_nm=5.0, nc_edge_nm=9.0), "lattice_constant_nm"),
        (lambda: Superlattice.cubic(2, 2, 2, wavelength_nm=0.0), "wavelength_nm"),
        (lambda: Superlattice.cubic(2, 2, 2, lifetime_ps=-1.0), "lifetime_ps"),
        (lambda: Superlattice.cubic(2, 2, 2, energy_disorder_meV=-0.1), "energy_disorder_meV"),
        (lambda: Superlattice.square(0, 2), "size"),
        (lambda: Superlattice.build("cubic", (2, 2)), "size"),
        (lambda: Superlattice.chain(3, dipole=[0, 0, 0]), "dipole"),
    ],
)
def test_bad_inputs(make, name):
    with pytest.raises(ValueError, match=name):
        make()


def test_positional_disorder_may_not_make_nanocrystals_overlap():
    # the same rule as for the lattice constant: NCs (cubes of the given edge) may not interpenetrate
    with pytest.raises(ValueError, match="position_disorder_nm.*NCs \\d+ and \\d+ overlap"):
        Superlattice.cubic(4, 4, 4, position_disorder_nm=20.0, seed=0)
    small = Superlattice.cubic(4, 4, 4, position_disorder_nm=0.3, seed=0)
    assert small.n == 64
    with pytest.raises(ValueError, match="overlap"):
        Superlattice.from_positions([[0, 0, 0], [5.0, 0, 0]], nc_edge_nm=9.5)
