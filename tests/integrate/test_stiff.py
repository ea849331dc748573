import numpy as np
import pytest
from scipy.linalg import expm, solve

from sf_dynamics.integrate.stiff import SDIRK4, integrate_linear


def test_sdirk4_stability_function_is_order_four_and_l_stable():
    for z in [1e-2, -1e-2, 2e-2j]:
        err = abs(SDIRK4.stability_function(z) - np.exp(z))
        assert err < 2e-3 * abs(z) ** 5
    assert abs(SDIRK4.stability_function(-1e12)) < 1e-9
    assert np.allclose(SDIRK4.a.sum(axis=1), [0.25, 0.75, 11 / 20, 0.5, 1.0])


def test_integrate_linear_matches_matrix_exponential_on_a_stiff_system():
    rng = np.random.default_rng(0)
    # a stiff Markov generator: rates from 1 to 1e6
    n = 6
    rates = np.logspace(0, 6, n)
    m = np.zeros((n, n))
    for i in range(n - 1):
        m[i + 1, i] = rates[i]
        m[i, i] -= rates[i]
    m[0, n - 1] += 0.5
    m[n - 1, n - 1] -= 0.5
    y0 = rng.random(n)
    y0 /= y0.sum()
    times = np.linspace(0, 3, 7)

    def solve_shifted(alpha, rhs, x):
        x[:] = solve(np.eye(n) - alpha * m, rhs)

    obs, info = integrate_linear(solve_shifted, y0, times, lambda y: y.copy(), tol=1e-10, stiffness=1e6)
    exact = np.array([expm(m * t) @ y0 for t in times])
    np.testing.assert_allclose(obs, exact, atol=1e-9)
    assert info["steps"] > 0


def test_dense_output_interpolates_between_steps_to_the_step_accuracy():
    # a damped oscillation beside a stiff decay, sampled far more densely than the steps the tolerance needs
    m = np.array([[-0.3, 2.0, 0.0], [-2.0, -0.3, 0.0], [0.0, 50.0, -1e4]])
    y0 = np.array([1.0, 0.0, 0.0])
    times = np.linspace(0, 6, 2001)

    def solve_shifted(alpha, rhs, x):
        x[:] = solve(np.eye(3) - alpha * m, rhs)

    dense, info = integrate_linear(solve_shifted, y0, times, lambda y: y.copy(), tol=1e-9, stiffness=1e4,
                                   dense=True)
    _, clipped = integrate_linear(solve_shifted, y0, times, lambda y: y.copy(), tol=1e-9, stiffness=1e4)
    exact = np.array([expm(m * t) @ y0 for t in times])
    assert np.abs(dense - exact).max() < 1e-6
    assert info["steps"] < clipped["steps"] / 2  # steps follow the tolerance, not the 2000 outputs


def test_integrate_linear_reports_step_limit():
    def solve_shifted(alpha, rhs, x):
        x[:] = rhs / (1 + alpha)

    with pytest.raises(RuntimeError, match="max_steps"):
        integrate_linear(solve_shifted, np.ones(2), np.array([0.0, 100.0]), lambda y: y, tol=1e-12, max_steps=3)
