"""`exact` against an independent full-space QuTiP model written here."""

import numpy as np
import pytest
import qutip

from sf_dynamics import CoherentSpinState, DickeState, Ensemble, simulate
from sf_dynamics.solvers import exact
from tests.helpers import assert_physical, max_relative_difference
from tests.helpers.qutip_model import excited_ket, independent_liouvillian, lowering


def reference_trace(ensemble, times, initial_ket):
    """Integrate the independent Lindbladian with qutip.mesolve."""
    n = ensemble.n
    liou, sp, sm = independent_liouvillian(ensemble)
    gamma = ensemble.gamma_matrix()
    intensity_op = sum(gamma[i, j] * sp[i] * sm[j] for i in range(n) for j in range(n))
    number = sum(sp[i] * sm[i] for i in range(n))
    res = qutip.mesolve(
        liou,
        qutip.ket2dm(initial_ket),
        times,
        e_ops=[intensity_op, number],
        options={"atol": 1e-12, "rtol": 1e-10, "nsteps": 10**6},
    )
    return np.real(res.expect[0]), np.real(res.expect[1])


@pytest.mark.parametrize("n", [2, 3, 4, 5, 6])
@pytest.mark.parametrize("inhomogeneous", [False, True])
def test_exact_matches_independent_qutip_model(n, inhomogeneous):
    rng = np.random.default_rng(n)
    if inhomogeneous:
        ens = Ensemble(n, decay=0.2, collective_decay=1.0, dephasing=0.4, pumping=0.05,
                       detunings=rng.normal(0, 1.5, n))
    else:
        ens = Ensemble(n, decay=0.2, collective_decay=1.0)
    times = np.linspace(0, 3.0, 31)
    res = simulate(ens, times, method="exact")
    ref_i, ref_x = reference_trace(ens, times, excited_ket(n))
    assert max_relative_difference(res.intensity, ref_i) < 1e-8
    assert max_relative_difference(res.excitation, ref_x) < 1e-8
    assert_physical(res)


def test_exact_coherent_spin_state_matches_reference_product_state():
    ens = Ensemble(3, collective_decay=1.0, dephasing=0.2, detunings=[0.0, 0.5, -0.7])
    css = CoherentSpinState(1.1, phi=0.3)
    single = css.upper_amplitude * qutip.basis(2, 1) + css.lower_amplitude * qutip.basis(2, 0)
    times = np.linspace(0, 2.0, 21)
    res = simulate(ens, times, method="exact", initial=css)
    ref_i, ref_x = reference_trace(ens, times, qutip.tensor([single] * 3))
    assert max_relative_difference(res.intensity, ref_i) < 1e-8
    # <s-> of each emitter at t = 0
    expected = 3 * np.cos(0.55) * np.sin(0.55) * np.exp(-0.3j)
    assert res.data["coherence"][0] == pytest.approx(expected, abs=1e-12)


def test_exact_dicke_initial_state_has_right_quantum_numbers():
    n = 4
    rho = exact.initial_density_matrix(n, DickeState(1, 0))
    sm = lowering(n)
    jm = sum(sm)
    jz = sum(op.dag() * op for op in sm) - n / 2
    j2 = jm.dag() * jm + jz * jz - jz
    assert qutip.expect(j2, rho) == pytest.approx(2.0)
    assert qutip.expect(jz, rho) == pytest.approx(0.0, abs=1e-12)
    assert rho.tr() == pytest.approx(1.0)


def test_exact_refuses_more_than_twelve_emitters_and_full_states_of_coherent_starts_beyond_ten():
    with pytest.raises(ValueError, match="n <= 12 emitters"):
        simulate(Ensemble(13, collective_decay=1.0), np.linspace(0, 1, 3), method="exact")
    with pytest.raises(ValueError, match="store_states: .*coherences between excitation numbers.*n <= 10"):
        simulate(Ensemble(11, collective_decay=1.0), np.linspace(0, 1, 3), method="exact",
                 initial=CoherentSpinState(0.5), store_states=True)
    from sf_dynamics import NanocrystalEnsemble, ProductState

    with pytest.raises(ValueError, match="n <= 5 nanocrystals"):
        simulate(NanocrystalEnsemble(6, collective_decay=1.0), np.linspace(0, 1, 3), method="exact")
    with pytest.raises(ValueError, match="store_states: .*n <= 4"):
        simulate(NanocrystalEnsemble(5, collective_decay=1.0), np.linspace(0, 1, 3), method="exact",
                 initial=ProductState(0.5, coherence=1.0), store_states=True)


# -- QuTiP interoperability ------------------------------------------------------------------------------------
def test_qobj_initial_states_equal_the_named_ones():
    import sf_dynamics as sf

    ens = sf.Ensemble(3, collective_decay=1.0, decay=0.2, dephasing=0.1)
    t = np.linspace(0, 2, 21)
    named = sf.simulate(ens, t, method="exact", initial="excited")
    ket = qutip.tensor([qutip.basis(2, 1)] * 3)
    for state in (ket, qutip.ket2dm(ket)):
        res = sf.simulate(ens, t, method="exact", initial=state)
        np.testing.assert_allclose(res.intensity, named.intensity, atol=1e-12)
    ncs = sf.NanocrystalEnsemble(2, decay=0.3, collective_decay=1.0, dephasing=0.1)
    local = qutip.Qobj(np.diag([0.0, 1 / 3, 1 / 3, 1 / 3]))
    a = sf.simulate(ncs, t, method="exact", initial=qutip.tensor(local, local))
    b = sf.simulate(ncs, t, method="exact")
    np.testing.assert_allclose(a.intensity, b.intensity, atol=1e-12)


def test_a_single_excited_emitter_decays_alone_without_coupling():
    import sf_dynamics as sf

    ens = sf.Ensemble(3, decay=0.7)
    psi = qutip.tensor(qutip.basis(2, 1), qutip.basis(2, 0), qutip.basis(2, 0))
    t = np.linspace(0, 3, 31)
    res = sf.simulate(ens, t, method="exact", initial=psi, store_states=True)
    np.testing.assert_allclose(res.excitation, np.exp(-0.7 * t), atol=1e-12)
    first = res.states[-1].ptrace(0)
    assert res.states[0].dims == [[2, 2, 2], [2, 2, 2]]
    assert abs(first[1, 1] - np.exp(-0.7 * 3)) < 1e-12
    assert all(abs(rho.tr() - 1) < 1e-12 for rho in res.states)
    q = res.to_qutip()
    assert q.times == list(t) and len(q.states) == t.size
    np.testing.assert_array_equal(q.e_data["excitation"], res.expect["excitation"])


@pytest.mark.parametrize(("state", "message"), [
    (qutip.basis(8, 0) * 2, "normalised"),
    (qutip.Qobj(np.diag([0.5, 0.6, 0, 0, 0, 0, 0, 0])), "trace 1"),
    (qutip.Qobj(np.diag([1.5, -0.5, 0, 0, 0, 0, 0, 0])), "positive semidefinite"),
    (qutip.basis(8, 0).dag(), "ket or a density matrix"),
])
def test_invalid_qutip_states_are_refused(state, message):
    import sf_dynamics as sf

    with pytest.raises(ValueError, match=message):
        sf.simulate(sf.Ensemble(3, decay=1.0), np.linspace(0, 1, 5), method="exact", initial=state)


def test_a_state_of_the_wrong_dimension_or_for_another_method_is_refused():
    import sf_dynamics as sf

    psi = qutip.tensor([qutip.basis(2, 1)] * 2)
    with pytest.raises(ValueError, match="dimension 4"):
        sf.simulate(sf.Ensemble(3, decay=1.0), np.linspace(0, 1, 5), method="exact", initial=psi)
    with pytest.raises(ValueError, match="methods that can: exact"):
        sf.simulate(sf.Ensemble(2, decay=1.0), np.linspace(0, 1, 5), method="permutational", initial=psi)


@pytest.mark.parametrize("n", [3, 4, 5])
def test_the_zero_sector_evolution_equals_the_full_independent_model(n):
    """Coupling matrices, detunings, dephasing, pumping and a per-emitter product start: the q = 0 sector only
    (dimension C(2n, n)), against mesolve of the independent full Liouvillian, states included."""
    from math import comb

    from sf_dynamics import ProductState
    from tests.helpers import random_ensemble

    rng = np.random.default_rng(10 + n)
    ens = random_ensemble(n, rng)
    p = rng.uniform(0.2, 1.0, n)
    times = np.linspace(0, 2.0, 21)
    res = simulate(ens, times, method="exact", initial=ProductState(tuple(p)), store_states=True)
    assert res.info["sector"] == "q = 0" and res.info["liouville_dim"] == comb(2 * n, n)
    liou, sp, sm = independent_liouvillian(ens)
    gamma = ens.gamma_matrix()
    rho0 = qutip.tensor([qutip.Qobj(np.diag([1 - pk, pk])) for pk in p])
    intensity_op = sum(gamma[i, j] * sp[i] * sm[j] for i in range(n) for j in range(n))
    ref = qutip.mesolve(liou, rho0, times, e_ops=[intensity_op],
                        options={"atol": 1e-12, "rtol": 1e-10, "store_states": True})
    assert max_relative_difference(res.intensity, np.real(ref.expect[0])) < 1e-8
    assert np.max(np.abs(res.states[-1].full() - ref.states[-1].full())) < 1e-8
    np.testing.assert_allclose(res.data["coherence"], 0.0)
    # a start with coherences between excitation numbers: q = 0 and q = 1 sectors, or the full Liouvillian when
    # every state is kept; both give the same observables, <J-> included
    css = simulate(ens, times, method="exact", initial=CoherentSpinState(1.0))
    full = simulate(ens, times, method="exact", initial=CoherentSpinState(1.0), store_states=True)
    assert css.info["sector"] == "q = 0, 1" and css.info["liouville_dim"] == comb(2 * n, n) + comb(2 * n, n - 1)
    assert full.info["sector"] == "full" and full.info["liouville_dim"] == 4**n
    assert max_relative_difference(css.intensity, full.intensity) < 1e-10
    assert max_relative_difference(css.data["coherence"], full.data["coherence"]) < 1e-10
    assert np.max(np.abs(full.data["coherence"])) > 0.1


def test_nine_identical_emitters_on_the_sector_equal_the_permutational_method():
    """N = 9 (48 620 sector amplitudes, matrix-free): all four processes on identical emitters, where the
    permutation-invariant Dicke-basis method is exact and shares no code with the sector (N = 10 and 12 in
    benchmarks/bench_exact.py)."""
    n = 9
    ens = Ensemble(n, collective_decay=1.0, decay=0.2, dephasing=0.3, pumping=0.02)
    times = np.linspace(0.0, 3.0 / n, 7)
    res = simulate(ens, times, method="exact")
    ref = simulate(ens, times, method="permutational", rtol=1e-10, atol=1e-12)
    assert res.info["liouville_dim"] == 48_620
    assert max_relative_difference(res.intensity, ref.intensity) < 1e-6
    assert max_relative_difference(res.excitation, ref.excitation) < 1e-6
    np.testing.assert_allclose(res.data["g2"], ref.data["g2"], rtol=1e-5)
