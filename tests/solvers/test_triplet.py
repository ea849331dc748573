"""Triplet nanocrystals: `exact` (4^n) and `cumulant`, equation level and trajectories."""

import numpy as np
import pytest
import qutip

from sf_dynamics import NanocrystalEnsemble, TripletExcitation, simulate
from sf_dynamics.geometry import nanocrystals_at
from sf_dynamics.solvers import cumulant
from tests.helpers import assert_physical, max_relative_difference
from tests.helpers.qutip_model import independent_triplet_liouvillian


def lattice_ensemble(n, spacing=0.12, dephasing=0.2, fine=(0.0, 0.4, -0.3), seed=0):
    rng = np.random.default_rng(seed)
    pos = np.column_stack([np.arange(n) * spacing, rng.normal(0, 0.03, n), rng.normal(0, 0.03, n)])
    return nanocrystals_at(pos, wavelength=1.0, gamma=1.0, dephasing=dephasing, fine_structure=fine,
                           detunings=rng.normal(0, 0.3, n))


def excitation_number(n):
    """Excitons per basis state of n four-level NCs (|0> = ground)."""
    digits = np.array(np.unravel_index(np.arange(4**n), [4] * n))
    return (digits > 0).sum(axis=0)


def random_phase_invariant_state(n, seed):
    rho = qutip.rand_dm([4] * n, seed=seed)
    k = excitation_number(n)
    return qutip.Qobj(rho.full() * (k[:, None] == k[None, :]), dims=rho.dims)


def triplet_moments(rho, n, sm):
    m = 3 * n
    c = np.array([[qutip.expect(sm[x].dag() * sm[y], rho) for y in range(m)] for x in range(m)])
    w = np.zeros((n, n, 3, 3, 3, 3), dtype=complex)
    proj = [[[sm[3 * i + a].dag() * sm[3 * i + b] for b in range(3)] for a in range(3)] for i in range(n)]
    for i in range(n):
        for j in range(n):
            if i != j:
                for a, b, cc, d in np.ndindex(3, 3, 3, 3):
                    w[i, j, a, b, cc, d] = qutip.expect(proj[i][a][b] * proj[j][cc][d], rho)
    return c, w


@pytest.mark.parametrize("seed", [0, 1])
def test_equations_equal_the_exact_derivative_for_two_nanocrystals(seed):
    ens = lattice_ensemble(2, seed=seed)
    rho = random_phase_invariant_state(2, seed)
    liouvillian, _, sm = independent_triplet_liouvillian(ens)
    drho = liouvillian(rho)
    c, w = triplet_moments(rho, 2, sm)
    ref_dc, ref_dw = triplet_moments(drho, 2, sm)
    dc, dw = cumulant.triplet_derivatives(ens, c, w)
    np.testing.assert_allclose(dc, ref_dc, atol=1e-12)
    np.testing.assert_allclose(dw[0, 1], ref_dw[0, 1], atol=1e-12)
    np.testing.assert_allclose(dw[1, 0], ref_dw[1, 0], atol=1e-12)


def test_two_nanocrystal_trajectory_is_exact():
    ens = lattice_ensemble(2)
    times = np.linspace(0, 3, 31)
    for initial in ("excited", TripletExcitation((0.8, 0.1, 0.0))):
        cum = simulate(ens, times, method="cumulant", initial=initial, rtol=1e-10, atol=1e-12)
        ref = simulate(ens, times, method="exact", initial=initial)
        assert max_relative_difference(cum.intensity, ref.intensity) < 1e-7
        np.testing.assert_allclose(cum.data["intensity_by_polarization"], ref.data["intensity_by_polarization"],
                                   atol=1e-7 * ref.intensity.max())
        np.testing.assert_allclose(ref.data["intensity_by_polarization"].sum(axis=1), ref.intensity, rtol=1e-10)


#: documented accuracy of second order for 3-4 geometry-coupled NCs (max |dI| / max I; docs/validation.md)
NC_BOUND = 0.02


@pytest.mark.parametrize("n", [3, 4])
def test_small_superlattice_against_exact(n):
    ens = lattice_ensemble(n, seed=n)
    times = np.linspace(0, 3, 31)
    cum = simulate(ens, times, method="cumulant")
    ref = simulate(ens, times, method="exact")
    err = max_relative_difference(cum.intensity, ref.intensity)
    assert err < NC_BOUND, err
    assert_physical(ref)
    assert_physical(cum, atol=1e-6)


def test_point_like_triplets_reduce_to_three_independent_dicke_ensembles():
    # collective decay acts within each polarisation: with polarised excitation only x radiates
    ens = NanocrystalEnsemble(6, collective_decay=1.0)
    times = np.linspace(0, 2, 41)
    tight = dict(rtol=1e-10, atol=1e-12)
    res = simulate(ens, times, method="cumulant", initial=TripletExcitation((1.0, 0.0, 0.0)), **tight)
    np.testing.assert_allclose(res.data["intensity_by_polarization"][:, 1:], 0.0, atol=1e-12)
    from sf_dynamics import Ensemble

    two_level = simulate(Ensemble(6, collective_decay=1.0), times, method="cumulant", **tight)
    assert max_relative_difference(res.intensity, two_level.intensity) < 1e-7


def test_bad_nanocrystal_inputs():
    with pytest.raises(ValueError, match="omega_matrix"):
        w = np.zeros((6, 6))
        w[0, 1] = w[1, 0] = 1.0  # dipoles x and y of NC 0
        NanocrystalEnsemble(2, omega_matrix=w)
    with pytest.raises(ValueError, match="fine_structure"):
        NanocrystalEnsemble(2, fine_structure=(0, 1))
    with pytest.raises(ValueError, match="populations"):
        TripletExcitation((0.5, 0.5, 0.5))
    with pytest.raises(ValueError, match="n <= 5 nanocrystals"):
        simulate(NanocrystalEnsemble(6, decay=1.0), np.linspace(0, 1, 3), method="exact")
    with pytest.raises(ValueError, match="two-level emitters only"):
        simulate(NanocrystalEnsemble(3, decay=1.0), np.linspace(0, 1, 3), method="permutational")
    with pytest.raises(ValueError, match="gamma_matrix"):
        NanocrystalEnsemble(2, gamma_matrix=np.eye(3))
