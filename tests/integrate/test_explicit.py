"""Observable-recording Runge-Kutta integration (sf_dynamics.integrate.explicit)."""

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from sf_dynamics.integrate.explicit import integrate_observed


def _damped_rotation(t, y):
    """Linear, time-dependent test system with a known solution."""
    x, p = y[0::2], y[1::2]
    out = np.empty_like(y)
    out[0::2] = -0.2 * (1 + t) * x + 3.0 * p
    out[1::2] = -3.0 * x - 0.2 * (1 + t) * p
    return out


def _damped_rotation_exact(times, x0, p0):
    decay = np.exp(-0.2 * (times + times**2 / 2))
    return decay * (x0 * np.cos(3 * times) + p0 * np.sin(3 * times))


@pytest.mark.parametrize("affine", [False, True])
def test_dopri5_matches_the_analytic_solution_at_every_output_time(affine):
    times = np.linspace(0.0, 4.0, 53)
    y0 = np.array([1.0, 0.0, 0.3, -0.7])
    obs, info = integrate_observed(_damped_rotation, y0, times, lambda y: y[[0, 2]] + 2.0, method="DOPRI5",
                                   rtol=1e-10, atol=1e-12, affine_observables=affine)
    assert np.max(np.abs(obs[:, 0] - 2.0 - _damped_rotation_exact(times, 1.0, 0.0))) < 1e-8
    assert np.max(np.abs(obs[:, 1] - 2.0 - _damped_rotation_exact(times, 0.3, -0.7))) < 1e-8
    assert info["rhs_evaluations"] > 6 * info["steps"]
    assert np.array_equal(y0, [1.0, 0.0, 0.3, -0.7])  # the initial state is not overwritten


def test_dopri5_takes_the_same_steps_as_scipy_rk45():
    # same Dormand-Prince pair and step control: the step counts agree closely
    times = np.linspace(0.0, 4.0, 9)
    y0 = np.array([1.0, 0.0])
    _, ours = integrate_observed(_damped_rotation, y0, times, lambda y: y, method="DOPRI5", rtol=1e-7, atol=1e-10)
    ref = solve_ivp(_damped_rotation, (0, 4), y0, method="RK45", rtol=1e-7, atol=1e-10)
    assert abs(ours["steps"] - (len(ref.t) - 1)) <= 0.1 * len(ref.t)


def test_dopri5_in_place_complex_right_hand_side():
    rate = -0.3 + 2.0j
    times = np.linspace(0.0, 5.0, 21)

    def rhs(t, y, out):
        np.multiply(rate, y, out=out)

    y0 = np.array([1.0 + 0.0j, 0.5j])
    obs, _ = integrate_observed(rhs, y0, times, lambda y: np.array([y[0].real, y[1].imag]), method="DOPRI5",
                                rtol=1e-10, atol=1e-12, inplace=True, affine_observables=True)
    assert np.max(np.abs(obs[:, 0] - np.exp(rate * times).real)) < 1e-8
    assert np.max(np.abs(obs[:, 1] - (0.5j * np.exp(rate * times)).imag)) < 1e-8


@pytest.mark.parametrize("method", ["DOPRI5", "RK45", "DOP853"])
def test_in_place_and_returning_right_hand_sides_agree(method):
    times = np.linspace(0.0, 2.0, 5)
    y0 = np.array([1.0, 0.0])

    def rhs_into(t, y, out):
        out[:] = _damped_rotation(t, y)

    a, _ = integrate_observed(_damped_rotation, y0, times, lambda y: y, method=method)
    b, _ = integrate_observed(rhs_into, y0, times, lambda y: y, method=method, inplace=True)
    assert np.array_equal(a, b)


def test_unknown_integrator_is_rejected_by_name():
    with pytest.raises(ValueError, match="integrator"):
        integrate_observed(_damped_rotation, np.ones(2), np.linspace(0, 1, 3), lambda y: y, method="Euler")


def test_dopri5_reports_a_blow_up_instead_of_returning_garbage():
    # dy/dt = y^2 from y = 1 diverges at t = 1
    with pytest.raises(RuntimeError, match="t ="):
        integrate_observed(lambda t, y: y**2, np.ones(1), np.linspace(0.0, 2.0, 5), lambda y: y, method="DOPRI5")
