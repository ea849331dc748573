import numpy as np
import pytest

from sf_dynamics import Ensemble


def test_defaults_and_gamma_matrix():
    ens = Ensemble(3, decay=0.2, collective_decay=1.0)
    assert ens.n == 3 and ens.dephasing == 0.0 and ens.pumping == 0.0
    np.testing.assert_array_equal(ens.detunings, np.zeros(3))
    expected = np.full((3, 3), 1.0) + 0.2 * np.eye(3)
    np.testing.assert_allclose(ens.gamma_matrix(), expected)
    assert ens.single_emitter_decay == pytest.approx(1.2)
    assert ens.is_identical


def test_detunings_are_copied_and_read_only():
    det = np.array([0.0, 0.5])
    ens = Ensemble(2, collective_decay=1.0, detunings=det)
    det[0] = 9.0
    assert ens.detunings[0] == 0.0
    with pytest.raises(ValueError):
        ens.detunings[0] = 1.0
    assert not ens.is_identical
    with pytest.raises(ValueError, match="detunings differ"):
        _ = ens.common_detuning


def test_replace_revalidates_and_keeps_common_detuning():
    ens = Ensemble(4, collective_decay=1.0, detunings=[0.3] * 4)
    bigger = ens.replace(n=6)
    assert bigger.n == 6 and bigger.common_detuning == pytest.approx(0.3)
    with pytest.raises(ValueError, match="dephasing"):
        ens.replace(dephasing=-1.0)


@pytest.mark.parametrize(
    "kwargs, name",
    [
        (dict(n=0), "n"),
        (dict(n=-3), "n"),
        (dict(n=2.5), "n"),
        (dict(n="4"), "n"),
        (dict(n=4, decay=-0.1), "decay"),
        (dict(n=4, collective_decay=np.nan), "collective_decay"),
        (dict(n=4, dephasing=np.inf), "dephasing"),
        (dict(n=4, pumping=-1e-3), "pumping"),
        (dict(n=4, detunings=[0.0, 1.0]), "detunings"),
        (dict(n=2, detunings=[0.0, np.nan]), "detunings"),
        (dict(n=2, detunings=0.3), "detunings"),
        (dict(n=2, detunings=[[0.0, 1.0]]), "detunings"),
    ],
)
def test_bad_inputs_name_the_parameter(kwargs, name):
    with pytest.raises(ValueError, match=name):
        Ensemble(**kwargs)


def test_repr_lists_nonzero_rates():
    text = repr(Ensemble(10, collective_decay=1.0, dephasing=0.5))
    assert "collective_decay=1" in text and "dephasing=0.5" in text and "pumping" not in text


def _with_lowest_eigenvalue(lowest, n=6, seed=3):
    """A symmetric n x n matrix with eigenvalues lowest, 0, ..., 0, 1 (random eigenvectors)."""
    q, _ = np.linalg.qr(np.random.default_rng(seed).standard_normal((n, n)))
    values = np.zeros(n)
    values[0], values[-1] = lowest, 1.0
    return (q * values) @ q.T


@pytest.mark.parametrize("lowest, accepted", [(0.0, True), (-0.5e-10 * 6, True), (-2e-10 * 6, False),
                                              (-1e-3, False)])
def test_gamma_matrix_must_be_positive_semidefinite_to_the_stated_tolerance(lowest, accepted):
    g = _with_lowest_eigenvalue(lowest)
    scale = float(np.max(np.abs(g)))   # the tolerance is 1e-10 max|Gamma| n
    g = _with_lowest_eigenvalue(lowest * scale)
    if accepted:
        assert Ensemble(6, gamma_matrix=g).gamma_matrix().shape == (6, 6)
    else:
        with pytest.raises(ValueError, match=r"gamma_matrix must be positive semi-definite.*lowest eigenvalue is -"):
            Ensemble(6, gamma_matrix=g)


@pytest.mark.parametrize("gamma, omega, message", [
    (np.triu(np.ones((3, 3))), None, "gamma_matrix must be symmetric"),
    (None, np.triu(np.ones((3, 3)), 1), "omega_matrix must be symmetric"),
    (None, np.eye(3), "omega_matrix must have a zero diagonal"),
    (None, 1j * (np.ones((3, 3)) - np.eye(3)), "omega_matrix must be real"),
])
def test_coupling_matrices_are_checked(gamma, omega, message):
    with pytest.raises(ValueError, match=message):
        Ensemble(3, gamma_matrix=gamma, omega_matrix=omega)
