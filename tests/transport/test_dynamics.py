"""Rate equation and kinetic Monte Carlo against exact lattice random-walk results."""

import numpy as np
import pytest
from scipy.special import k0

import sf_dynamics as sf
from sf_dynamics import transport as tr


@pytest.mark.parametrize("kind, size", [("chain", 401), ("square", (61, 61))])
def test_rate_equation_msd_is_2dka2t(kind, size):
    """Nearest-neighbour rate k per neighbour: d MSD/dt = 2 d k a^2 exactly while the walk is far from the edges."""
    lattice = sf.Superlattice.build(kind, size)
    k = 0.3
    rates = tr.TransferRates.nearest_neighbour(lattice, k, decay=0.01)
    a = lattice.lattice_constant_nm
    t = np.linspace(0.0, 40.0, 9)   # rms reach sqrt(2 d k t) < 7 sites, the edge is 30 sites away
    ds = tr.populations(rates, tr.point_source(lattice), t)
    d = ds.attrs["dimensions"]
    np.testing.assert_allclose(ds["msd"].values, 2 * d * k * a**2 * t, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(ds["population"].values, np.exp(-0.01 * t), rtol=1e-6)
    coef, err = tr.diffusion_coefficient(ds)
    assert coef == pytest.approx(k * a**2, rel=1e-6)


def test_kinetic_monte_carlo_matches_rate_equation_within_sampling_error():
    lattice = sf.Superlattice.square(41, 41)
    rates = tr.TransferRates.nearest_neighbour(lattice, 0.2, decay=0.02, radiative=0.015)
    t = np.linspace(0.0, 50.0, 6)
    exact = tr.populations(rates, tr.point_source(lattice), t)
    sample = tr.kinetic_monte_carlo(rates, tr.point_source(lattice), t, excitons=4000, seed=7)
    for key in ("msd", "population"):
        sem = sample[f"{key}_sem"].values[1:]
        z = (sample[key].values[1:] - exact[key].values[1:]) / sem
        assert np.all(np.abs(z) < 4.0), (key, z)    # 5 points: P(any |z| > 4) ~ 3e-4
    fates = sample.attrs["radiative_decays"] + sample.attrs["nonradiative_decays"]
    assert fates == pytest.approx(4000 * (1 - np.exp(-0.02 * 50)), abs=4 * np.sqrt(4000 * 0.25))


def test_steady_profile_under_point_source_is_k0():
    """2D: D lap n - n / tau + S delta = 0 gives n ~ K0(r / L), L = sqrt(D tau) = a sqrt(k tau); lattice
    corrections are O((a / L)^2) = 2.5e-3 for L = 20 a."""
    n_side = 241
    lattice = sf.Superlattice.square(n_side, n_side)
    a = lattice.lattice_constant_nm
    k, tau = 1.0, 400.0
    rates = tr.TransferRates.nearest_neighbour(lattice, k, decay=1 / tau)
    source = tr.point_source(lattice)
    p = tr.steady_state(rates, source)
    length = tr.diffusion_length(k * a**2, tau)
    assert length == pytest.approx(20 * a)
    centre = int(np.argmax(source))
    row = np.arange(3, 60)                  # sites along +x from the source: 3 to 60 spacings
    values = p[centre + row * n_side]
    model = k0(row * a / length)
    ratio = values / model
    np.testing.assert_allclose(ratio / ratio[0], 1.0, rtol=0.01)


def test_detailed_balance_relaxes_to_boltzmann():
    rng = np.random.default_rng(2)
    sp = sf.geometry.Species("NC", 8.0, 2.4, 200.0)
    lattice = sf.geometry.MulticomponentSuperlattice.build("NaCl", 2, {"A": sp, "B": sp}, energy_disorder=False)
    offsets = rng.normal(0, 15.0, lattice.n)
    lattice = sf.geometry.MulticomponentSuperlattice(lattice.positions_nm, lattice.species_index, lattice.species,
                                                     energy_offsets_meV=offsets)
    temperature = 150.0
    rates = tr.transfer_rates(lattice, temperature, cutoff_nm=40.0)
    closed = tr.TransferRates.from_matrix(rates.positions_nm, rates.matrix, energies_meV=rates.energies_meV,
                                          temperature_K=temperature)   # no decay
    t = np.array([0.0, 1e6])
    ds = tr.populations(closed, 0, t, store_sites=True)
    boltzmann = np.exp(-(rates.energies_meV - rates.energies_meV.min()) / (sf.units.K_B_MEV_PER_K * temperature))
    np.testing.assert_allclose(ds["site_population"].values[-1], boltzmann / boltzmann.sum(), rtol=1e-6,
                               atol=1e-12)


def test_annihilation_loses_excitons_only_when_dense():
    lattice = sf.Superlattice.square(30, 30)
    rates = tr.TransferRates.nearest_neighbour(lattice, 0.5, decay=0.001)
    t = np.linspace(0, 20, 5)
    sparse = tr.kinetic_monte_carlo(rates, np.ones(lattice.n), t, excitons=2, seed=1, annihilation=True)
    dense = tr.kinetic_monte_carlo(rates, np.ones(lattice.n), t, excitons=600, seed=1, annihilation=True)
    assert dense.attrs["annihilated"] > 100
    assert dense["population"].values[-1] < 0.8 * sparse["population"].values[-1]


@pytest.mark.parametrize("call, match", [
    (lambda r: tr.populations(r, 10**6, [0, 1]), "initial"),
    (lambda r: tr.populations(r, -np.ones(4), [0, 1]), "initial"),
    (lambda r: tr.populations(r, 0, [1, 0]), "times"),
    (lambda r: tr.kinetic_monte_carlo(r, 0, [0, 1], excitons=0), "excitons"),
    (lambda r: tr.steady_state(r, np.ones(3)), "source"),
])
def test_bad_dynamics_inputs(call, match):
    rates = tr.TransferRates.nearest_neighbour(sf.Superlattice.chain(4), 0.1, decay=0.01)
    with pytest.raises(ValueError, match=match):
        call(rates)


def test_spot_spreads_and_red_shifts_in_a_disordered_lattice():
    lattice = sf.Superlattice.square(30, 30, energy_disorder_meV=15.0, seed=4)
    rates = tr.transfer_rates(lattice, 300.0)
    t = np.linspace(0, 300, 7)
    ds = tr.populations(rates, tr.gaussian_spot(lattice, 60.0), t)
    assert np.all(np.diff(ds["msd"].values) > 0)
    assert ds["mean_energy"].values[-1] < ds["mean_energy"].values[0] - 1.0   # excitons settle on low NCs
    profile = tr.radial_profile(lattice.positions_nm, ds["emission"].values[-1] * 0 + rates.radiative
                                * tr.steady_state(rates, tr.gaussian_spot(lattice, 60.0)))
    assert profile["profile"].values[0] > profile["profile"].values[5]
