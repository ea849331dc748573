import numpy as np
import pytest

from sf_dynamics import CoherentSpinState, DickeState
from sf_dynamics.model.states import Excited, as_initial_state


def test_named_states():
    assert isinstance(as_initial_state("excited"), Excited)
    assert as_initial_state("Ground").describe() == "ground"
    with pytest.raises(ValueError, match="initial"):
        as_initial_state("inverted")
    with pytest.raises(ValueError, match="initial"):
        as_initial_state(3)


def test_coherent_spin_state_amplitudes():
    css = CoherentSpinState(np.pi / 2, phi=0.4)
    assert abs(css.upper_amplitude) ** 2 == pytest.approx(0.5)
    assert abs(css.lower_amplitude) ** 2 == pytest.approx(0.5)
    assert np.angle(css.lower_amplitude) == pytest.approx(0.4)


@pytest.mark.parametrize("theta", [-0.1, 4.0, np.nan])
def test_css_rejects_bad_theta(theta):
    with pytest.raises(ValueError, match="theta"):
        CoherentSpinState(theta)


@pytest.mark.parametrize("j, m, name", [(1.25, 0.25, "j"), (1.0, 2.0, "m"), (1.0, 0.5, "m"), (-1.0, 0.0, "j")])
def test_dicke_state_rejects_bad_quantum_numbers(j, m, name):
    with pytest.raises(ValueError, match=name):
        DickeState(j, m)


def test_dicke_state_must_exist_for_n():
    with pytest.raises(ValueError, match="j=2"):
        DickeState(2, 0).validate_for(3)
    DickeState(1.5, 0.5).validate_for(3)
