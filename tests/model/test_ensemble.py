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
