"""Structure of the Dicke-basis generator and its direct shifted solve."""

from math import comb

import numpy as np
import pytest

from sf_dynamics import Ensemble
from sf_dynamics.kernels import dicke_basis as kb
from sf_dynamics.solvers.permutational import generator_matrix
from sf_dynamics.solvers.permutational.ladders import sector_solver


def test_layout_counts_dicke_states():
    # number of (j, m) states: (N/2 + 1)^2 - (N mod 2)/4 (piqs num_dicke_states)
    for n in range(1, 12):
        offsets, lmax = kb.sector_layout(n, n // 2 + 1, 0)
        assert offsets[-1] == int(round((n / 2 + 1) ** 2 - (n % 2) / 4))


def test_layout_of_the_q1_sector_counts_pairs_m_m_minus_1():
    n = 7
    offsets, _ = kb.sector_layout(n, n // 2 + 1, 1)
    j_values = np.arange(n / 2, -0.1, -1)
    assert offsets[-1] == int(sum(2 * j for j in j_values))


@pytest.mark.parametrize("n", [1, 2, 5, 6])
def test_population_generator_conserves_probability_and_is_a_markov_generator(n):
    ens = Ensemble(n, collective_decay=1.0, decay=0.3, dephasing=0.7, pumping=0.2)
    m = generator_matrix(ens)
    np.testing.assert_allclose(m.sum(axis=0), 0.0, atol=1e-12)
    off_diag = m - np.diag(np.diag(m))
    assert np.all(off_diag >= 0)


def test_symmetric_ladder_rates_are_dicke_rates():
    n = 6
    m = generator_matrix(Ensemble(n, collective_decay=2.0), n_ladders=1)
    j = n / 2
    ms = j - np.arange(n + 1)
    np.testing.assert_allclose(-np.diag(m), 2.0 * (j + ms) * (j - ms + 1))


def test_single_emitter_coherence_decays_at_half_gamma_plus_gamma_phi():
    # docs/conventions.md: a single emitter's coherence decays at gamma/2 + gamma_phi
    ens = Ensemble(1, decay=0.4, dephasing=0.25, detunings=[0.9])
    m = generator_matrix(ens, q=1)
    assert m.shape == (1, 1)
    assert m[0, 0] == pytest.approx(-(0.2 + 0.25) - 0.9j)


@pytest.mark.parametrize("transpose", [False, True])
@pytest.mark.parametrize("pumping", [0.0, 0.3])
@pytest.mark.parametrize("q", [0, 1])
def test_shifted_solve_inverts_i_minus_alpha_m(pumping, q, transpose):
    n = 7
    ens = Ensemble(n, collective_decay=1.0, decay=0.2, dephasing=0.5, pumping=pumping, detunings=[0.3] * n)
    m = generator_matrix(ens, q=q)
    rates = np.array([1.0, 0.2, pumping, 0.5])
    solve, *_ = sector_solver(n, n // 2 + 1, q, rates, -0.3j if q else 0.0, 1e-12, transpose=transpose)
    rng = np.random.default_rng(q)
    dtype = complex if q else float
    b = rng.random(m.shape[0]).astype(dtype)
    x = np.zeros_like(b)
    alpha = 0.37
    solve(alpha, b, x)
    system = np.eye(m.shape[0]) - alpha * m
    np.testing.assert_allclose((system.T if transpose else system) @ x, b, atol=1e-12)


def test_binomial_populations_of_a_coherent_spin_state():
    from sf_dynamics import CoherentSpinState
    from sf_dynamics.solvers.permutational import initial_sectors

    n, theta = 9, 0.8
    pop, coh = initial_sectors(n, n // 2 + 1, CoherentSpinState(theta))
    p_up = np.cos(theta / 2) ** 2
    expected = [comb(n, k) * p_up ** (n - k) * (1 - p_up) ** k for k in range(n + 1)]
    offsets, _ = kb.sector_layout(n, n // 2 + 1, 0)
    np.testing.assert_allclose(pop[offsets[: n + 1]], expected, rtol=1e-12)
    assert pop.sum() == pytest.approx(1.0)
    assert coh is not None
