"""Thermal-equilibrium superradiance: exact limits, the two routes, the dephasing model."""

import numpy as np
import pytest

from sf_dynamics import thermal
from sf_dynamics.geometry.lattice import Superlattice
from sf_dynamics.geometry.operator import LatticeOperator
from sf_dynamics.units import MEV_TO_RAD_PER_PS


def small_cube():
    return Superlattice.cubic(3, 3, 3, lattice_constant_nm=0.025 * 515.0, nc_edge_nm=5.0)


def test_high_temperature_limit_is_gamma_and_low_temperature_limit_is_the_lowest_state():
    lat = small_cube()
    energies, widths = thermal.single_excitation_spectrum(lat)
    rates = thermal.thermal_average_rate(energies, widths, [1e-3, 1e7])
    assert rates[1] == pytest.approx(lat.gamma, rel=1e-5)
    # T -> 0: the width of the lowest level (averaged over its degenerate states: cubic symmetry)
    lowest = energies - energies[0] < 1e-9 * np.ptp(energies)
    gap = (energies[~lowest][0] - energies[0]) / MEV_TO_RAD_PER_PS
    assert gap > 1e-3
    assert rates[0] == pytest.approx(np.mean(widths[lowest]), rel=1e-6)


def test_two_dipoles_reproduce_the_analytic_pair_eigenvalues():
    lat = Superlattice.chain(2, lattice_constant_nm=40.0, nc_edge_nm=9.0, dipole=[0, 0, 1.0])
    g, w = lat.couplings()
    energies, widths = thermal.single_excitation_spectrum(lat)
    # symmetric / antisymmetric states: E = +-Omega_12, Gamma = gamma +- Gamma_12
    omega, g12 = w[0, 1], g[0, 1]
    order = np.argsort([omega, -omega])
    np.testing.assert_allclose(energies, np.sort([omega, -omega]), rtol=1e-12)
    np.testing.assert_allclose(widths, np.array([lat.gamma + g12, lat.gamma - g12])[order], rtol=1e-10)
    nh_e, nh_w = thermal.single_excitation_spectrum(lat, non_hermitian=True)
    np.testing.assert_allclose(nh_e, energies, rtol=1e-10)
    np.testing.assert_allclose(nh_w, widths, rtol=1e-10)


def test_cube_is_non_monotonic_and_chain_is_superradiant_at_low_temperature():
    temps = np.geomspace(0.3, 1000, 40)
    cube = thermal.thermal_superradiance(small_cube(), temps)
    marks = cube.characteristic()
    # lowest states of a simple cubic lattice of triplets are dark: below 1 at low T, maximum inside
    assert marks["low_t_enhancement"] < 0.1
    assert temps[0] < marks["t_cross"] < marks["t_max"] < temps[-1]
    # the maximum against an independent evaluation written here: eigenstates of diag(E) + Omega from
    # the Green's tensor, widths <psi|Gamma|psi>, Boltzmann average on a fine temperature grid
    lat = small_cube()
    g, w = lat.couplings()
    energies, vectors = np.linalg.eigh(w + np.diag(lat.dipole_energies()))
    widths = np.einsum("ij,ik,kj->j", vectors, g, vectors)
    fine = np.geomspace(temps[0], temps[-1], 4000)
    beta = 1.0 / (0.08617333262 * fine * MEV_TO_RAD_PER_PS)
    weights = np.exp(-np.outer(beta, energies - energies.min()))
    curve = (weights @ widths) / weights.sum(axis=1) / lat.gamma
    assert marks["max_enhancement"] == pytest.approx(curve.max(), rel=2e-3)
    assert marks["t_max"] == pytest.approx(fine[np.argmax(curve)], rel=0.1)
    assert curve.max() > 1.0
    chain_lattice = Superlattice.chain(20, lattice_constant_nm=0.05 * 515.0, nc_edge_nm=9.0, dipole=[1, 0, 0])
    chain = thermal.thermal_superradiance(chain_lattice, np.geomspace(0.01, 1000, 40))
    # J-type chain: the superradiant state is at the band bottom; at T -> 0 the enhancement is its width
    g, w = chain_lattice.couplings()
    energies, vectors = np.linalg.eigh(w)
    lowest_width = vectors[:, 0] @ g @ vectors[:, 0] / chain_lattice.gamma
    brightest = np.max(np.einsum("ij,ik,kj->j", vectors, g, vectors)) / chain_lattice.gamma
    assert lowest_width > 10 and lowest_width == pytest.approx(brightest, rel=1e-12)
    assert chain.enhancement[0] == pytest.approx(lowest_width, rel=1e-6)
    assert np.all(np.diff(chain.enhancement) < 0)


def test_high_temperature_law_matches_the_exact_first_order_coefficient():
    lat = small_cube()
    temps = np.geomspace(2000, 20000, 8)
    curve = thermal.thermal_superradiance(lat, temps)
    fitted = np.polyfit(1 / temps, curve.enhancement - 1.0, 2)[1]  # coefficient of 1/T
    assert fitted == pytest.approx(curve.high_t_coefficient, rel=1e-3)
    op = LatticeOperator(lat)
    assert op.high_temperature_coefficient() == pytest.approx(curve.high_t_coefficient, rel=1e-9)


def test_matrix_free_route_agrees_with_dense_diagonalisation():
    lat = Superlattice.cubic(4, 3, 3, lattice_constant_nm=0.03 * 515.0, nc_edge_nm=5.0, energy_disorder_meV=0.3,
                             seed=2)
    temps = np.array([1.0, 5.0, 20.0, 100.0])
    dense = thermal.thermal_superradiance(lat, temps)
    free = thermal.thermal_superradiance(lat, temps, route="matrix-free", probes="exact")
    np.testing.assert_allclose(free.enhancement, dense.enhancement, rtol=1e-10)
    # FFT products equal the dense matrices
    op = LatticeOperator(lat)
    g, w = lat.couplings()
    v = np.random.default_rng(0).normal(size=(op.m, 2))
    np.testing.assert_allclose(op.decay(v), g @ v, atol=1e-12)
    np.testing.assert_allclose(op.hamiltonian(v), (w + np.diag(lat.dipole_energies())) @ v, atol=1e-9)


def test_stochastic_probes_agree_within_their_reported_error():
    lat = Superlattice.cubic(6, 6, 6, lattice_constant_nm=0.03 * 515.0, nc_edge_nm=5.0)
    temps = np.array([30.0, 100.0])
    dense = thermal.thermal_superradiance(lat, temps)
    free = thermal.thermal_superradiance(lat, temps, route="matrix-free", probes=24, seed=3)
    assert np.all(np.abs(free.enhancement - dense.enhancement) < 4 * free.sem + 1e-3)
    assert np.all(free.sem > 0)


def test_the_seed_selects_the_random_probes_of_a_fixed_lattice():
    lat = Superlattice.cubic(4, 4, 4, lattice_constant_nm=0.03 * 515.0, nc_edge_nm=5.0)
    temps = np.array([20.0])
    a = thermal.thermal_superradiance(lat, temps, route="matrix-free", probes=4, seed=1)
    b = thermal.thermal_superradiance(lat, temps, route="matrix-free", probes=4, seed=1)
    c = thermal.thermal_superradiance(lat, temps, route="matrix-free", probes=4, seed=2)
    assert a.enhancement[0] == b.enhancement[0]
    assert a.enhancement[0] != c.enhancement[0]


def test_disorder_average_reports_spread():
    curve = thermal.thermal_superradiance(
        lambda s: Superlattice.cubic(3, 3, 2, energy_disorder_meV=1.0, seed=s), [1.0, 10.0], realizations=3)
    assert curve.realizations.shape == (3, 2)
    assert np.all(curve.sem > 0)
    with pytest.raises(ValueError, match="realizations"):
        thermal.thermal_superradiance(small_cube(), [1.0], realizations=2)


def test_characteristic_temperatures_of_a_synthetic_curve():
    t = np.geomspace(1, 1000, 200)
    e = 1 + 2.0 * np.exp(-((np.log(t) - np.log(30)) ** 2)) - 0.9 * np.exp(-t / 3)
    marks = thermal.characteristic_temperatures(t, e)
    assert marks["t_max"] == pytest.approx(30, rel=0.05)
    assert marks["max_enhancement"] == pytest.approx(3.0, rel=0.02)
    assert marks["t_half"] > marks["t_max"]


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: thermal.thermal_superradiance(small_cube(), [0.0]), "temperatures_K"),
        (lambda: thermal.thermal_superradiance(small_cube(), [1.0], route="magic"), "route"),
        (lambda: LatticeOperator(Superlattice.cubic(2, 2, 2, position_disorder_nm=0.1, seed=1)), "positional"),
    ],
)
def test_bad_inputs(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_combine_realizations_adds_probe_and_disorder_errors():
    values = np.array([[1.0, 2.0], [3.0, 2.0], [2.0, 2.0]])
    probes = np.array([[0.3, 0.0], [0.3, 0.0], [0.3, 0.0]])
    mean, sem = thermal.combine_realizations(values, probes)
    np.testing.assert_allclose(mean, [2.0, 2.0])
    spread = np.std([1.0, 3.0, 2.0], ddof=1) / np.sqrt(3)
    np.testing.assert_allclose(sem, [np.hypot(0.3 / np.sqrt(3), spread), 0.0])
    single_mean, single_sem = thermal.combine_realizations(values[:1], probes[:1])
    np.testing.assert_allclose(single_sem, [0.3, 0.0])
    with pytest.raises(ValueError, match="shape"):
        thermal.combine_realizations(values, probes[:2])
