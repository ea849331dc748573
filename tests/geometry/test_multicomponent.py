"""Multicomponent superlattices: preset geometry, contact checks, species parameters."""

import numpy as np
import pytest
from scipy.spatial.distance import pdist

from sf_dynamics.geometry import MulticomponentSuperlattice, Species

BIG = Species("17.6 nm", 17.6, 2.38, 100.0, inhomogeneous_fwhm_meV=20.0)
SMALL = Species("5.3 nm", 5.3, 2.65, 300.0, inhomogeneous_fwhm_meV=40.0)


@pytest.mark.parametrize("preset, species, per_cell", [
    ("NaCl", {"A": BIG, "B": SMALL}, {"17.6 nm": 4, "5.3 nm": 4}),
    ("AlB2", {"A": BIG, "B": SMALL}, {"17.6 nm": 1, "5.3 nm": 2}),
    ("ABO3", {"A": BIG, "B": SMALL, "O": SMALL}, {"17.6 nm": 1, "5.3 nm": 4}),
])
def test_presets_have_their_stoichiometry_and_touch_at_the_ligand_gap(preset, species, per_cell):
    lattice = MulticomponentSuperlattice.build(preset, 3, species, ligand_gap_nm=2.0, seed=0)
    assert lattice.counts() == {name: 27 * c for name, c in per_cell.items()}
    # the closest pair is exactly at contact + gap (the default lattice constant)
    pos, edges = lattice.positions_nm, lattice.edges_nm
    i, j = np.triu_indices(lattice.n, 1)
    surface = np.linalg.norm(pos[i] - pos[j], axis=1) - 0.5 * (edges[i] + edges[j])
    assert surface.min() == pytest.approx(2.0, rel=1e-9)


def test_nacl_geometry_is_rock_salt():
    sp = Species("s", 4.0, 2.4, 200.0)
    lattice = MulticomponentSuperlattice.build("NaCl", 2, {"A": sp, "B": sp}, lattice_constant_nm=10.0,
                                               ligand_gap_nm=1.0, energy_disorder=False)
    d = pdist(lattice.positions_nm)
    assert d.min() == pytest.approx(5.0)            # A-B nearest neighbours at a/2
    assert np.sum(np.isclose(d, 5.0)) == 144        # simple cubic of 64 sites with spacing a/2: 3 * 4 * 4 * 3


def test_species_parameters_per_nc():
    lattice = MulticomponentSuperlattice.build("AlB2", 2, {"A": BIG, "B": SMALL}, energy_disorder=False)
    big = lattice.species_index == lattice.species.index(BIG)
    assert np.allclose(lattice.energies_meV[big], 2380.0) and np.allclose(lattice.energies_meV[~big], 2650.0)
    assert np.allclose(lattice.radiative_rates[big], 1 / 100.0)
    disordered = MulticomponentSuperlattice.build("AlB2", 6, {"A": BIG, "B": SMALL}, seed=1)
    spread = np.std(disordered.energies_meV[disordered.species_index == 1])
    assert spread == pytest.approx(40.0 / 2.3548, rel=0.15)   # 432 samples: relative sem of a std ~ 3.4 %


@pytest.mark.parametrize("call, match", [
    (lambda: MulticomponentSuperlattice.build("CsCl", 2, {"A": BIG, "B": SMALL}), "preset"),
    (lambda: MulticomponentSuperlattice.build("NaCl", 2, {"A": BIG}), "missing"),
    (lambda: MulticomponentSuperlattice.build("NaCl", 2, {"A": BIG, "B": SMALL}, lattice_constant_nm=20.0),
     "overlap"),
    (lambda: MulticomponentSuperlattice.build("NaCl", 2, {"A": BIG, "B": SMALL}, lattice_constant_nm=-5.0),
     "lattice_constant_nm"),
    (lambda: MulticomponentSuperlattice.build("NaCl", 2, {"A": BIG, "B": SMALL}, ligand_gap_nm=-1.0),
     "ligand_gap_nm"),
    (lambda: Species("x", -1.0, 2.4, 100.0), "edge_nm"),
    (lambda: Species("x", 5.0, 24.0, 100.0), "energy_eV"),
    (lambda: MulticomponentSuperlattice([[0, 0, 0], [3, 0, 0]], [0, 1], [BIG, SMALL]), "overlap"),
])
def test_bad_multicomponent_inputs(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_one_species_couplings_equal_the_superlattice_ones():
    import sf_dynamics as sf
    from sf_dynamics.transport import as_sites

    lattice = sf.Superlattice.square(3, 2)   # (static disorder would shift each NC's k by E_i / E: 4e-4 per meV)
    mine = as_sites(lattice).nanocrystal_ensemble(dephasing=0.1, reference_energy_meV=0.0)
    theirs = lattice.nanocrystal_ensemble(dephasing=0.1)
    np.testing.assert_allclose(mine.gamma_matrix(), theirs.gamma_matrix(), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(mine.omega_matrix(), theirs.omega_matrix(), rtol=1e-10, atol=1e-12)


@pytest.mark.slow
def test_mixed_sizes_feed_the_coherent_solvers():
    import sf_dynamics as sf

    lattice = MulticomponentSuperlattice.build("AlB2", (2, 1, 1), {"A": BIG, "B": SMALL}, energy_disorder=False)
    system = lattice.nanocrystal_ensemble(dephasing=0.01)
    assert system.n == lattice.n
    g = system.gamma_matrix()
    assert np.allclose(np.diag(g)[::3], lattice.radiative_rates)
    result = sf.simulate(system, np.linspace(0, 50, 11), method="cumulant")
    assert result.excitation[0] == pytest.approx(lattice.n) and result.excitation[-1] < lattice.n
