"""One decision for "equally spaced" (``_validation.is_uniform``): grids read from files take the fast paths.

A grid written with 12 digits (``np.round(np.linspace(0, T, 201), 12)``) differs from the ideal one by
round-off of ~1e-11 of a step for a T like 100/3 ps; it must be propagated in blocks as the ideal grid is,
and give the same trace.
"""

import numpy as np
import pytest

import sf_dynamics as sf
from sf_dynamics._validation import UNIFORM_RTOL, is_uniform

#: window lengths whose steps T/200 have no short decimal form, so that rounding moves every time
WINDOWS = [100 / 3, 1 / 0.07, 2 * np.pi]


def rounded_grid(span, points=201):
    return np.round(np.linspace(0.0, span, points), 12)


@pytest.mark.parametrize("span", WINDOWS)
def test_grids_rounded_to_12_digits_are_uniform(span):
    grid = rounded_grid(span)
    steps = np.diff(grid)
    assert np.max(np.abs(steps - steps[0])) > 1e-12 * steps[0]   # the old exact test refused them
    assert is_uniform(grid) and is_uniform(np.linspace(0.0, span, 201))
    assert is_uniform(grid, step=span / 200)


def test_irregular_grids_are_not_uniform():
    assert UNIFORM_RTOL == 1e-9
    grid = np.linspace(0.0, 10.0, 101)
    moved = grid.copy()
    moved[50] += 1e-7 * 0.1   # one time off by 1e-7 of a step
    assert not is_uniform(moved)
    assert is_uniform(moved, rtol=1e-6)
    piecewise = np.concatenate([np.linspace(0, 1, 11), np.linspace(1.2, 3, 10)])
    assert not is_uniform(piecewise)
    assert not is_uniform([0.0]) and not is_uniform([1.0, 1.0]) and not is_uniform([2.0, 1.0])
    assert not is_uniform(grid, step=0.1 * (1 + 1e-6))
    with pytest.raises(ValueError, match="rtol"):
        is_uniform(grid, rtol=0.0)
    with pytest.raises(ValueError, match="1-D"):
        is_uniform(np.zeros((2, 2)))


def _count_blocks(monkeypatch):
    from sf_dynamics.solvers.exact import propagation

    calls = []
    original = propagation._Propagator.states

    def counted(self, vec, step, count):
        calls.append((step, count))
        return original(self, vec, step, count)

    monkeypatch.setattr(propagation._Propagator, "states", counted)
    return calls


@pytest.mark.parametrize("span", WINDOWS)
def test_exact_propagates_a_rounded_grid_in_blocks_with_the_same_result(monkeypatch, span):
    from sf_dynamics.solvers.exact.propagation import _TIME_BLOCK

    ens = sf.Ensemble(4, decay=0.05, collective_decay=0.1, dephasing=0.2)
    calls = _count_blocks(monkeypatch)
    ideal = sf.simulate(ens, np.linspace(0.0, span, 201), method="exact", progress=False)
    blocks = len(calls)
    assert blocks == int(np.ceil(200 / _TIME_BLOCK))
    rounded = sf.simulate(ens, rounded_grid(span), method="exact", progress=False)
    assert len(calls) == 2 * blocks   # the fast path: as many blocks as for the ideal grid
    scale = ideal.intensity.max()
    np.testing.assert_allclose(rounded.intensity, ideal.intensity, rtol=0, atol=1e-10 * scale)
    np.testing.assert_allclose(rounded.excitation, ideal.excitation, rtol=0, atol=1e-10 * ens.n)


def test_exact_goes_block_by_block_on_a_piecewise_uniform_grid(monkeypatch):
    ens = sf.Ensemble(3, decay=0.1, collective_decay=0.2, dephasing=0.1)
    fine, coarse = np.round(np.linspace(0, 1, 11), 12), np.round(np.linspace(4 / 3, 10, 27), 12)
    calls = _count_blocks(monkeypatch)
    result = sf.simulate(ens, np.concatenate([fine, coarse]), method="exact", progress=False)
    # 10 steps of 0.1, one of 1/3 (the 1 -> 4/3 interval, equal to the coarse step), 26 of 1/3
    assert [count for _, count in calls] == [10, 25, 2]
    pieces = [sf.simulate(ens, grid, method="exact", progress=False).intensity for grid in (fine, coarse)]
    np.testing.assert_allclose(result.intensity, np.concatenate(pieces), rtol=1e-10)


def test_product_emission_uses_its_dense_propagator_on_a_rounded_grid(monkeypatch):
    from sf_dynamics.solvers.permutational import evolution, product_emission

    ens = sf.Ensemble(6, collective_decay=0.3, decay=0.1, dephasing=0.2)
    ideal = product_emission(ens, np.linspace(0.0, 100 / 3, 201), [0.5, 0.9])

    def refused(*args, **kwargs):
        raise AssertionError("product_emission left its uniform-grid path")

    monkeypatch.setattr(evolution, "solve", refused)
    rounded = product_emission(ens, rounded_grid(100 / 3), [0.5, 0.9])
    np.testing.assert_allclose(rounded, ideal, rtol=0, atol=1e-10 * ideal.max())


def test_delays_read_from_a_file_are_accepted():
    from sf_dynamics.methods.quantities import check_taus

    taus = rounded_grid(100 / 3)
    np.testing.assert_array_equal(check_taus(taus), taus)
    with pytest.raises(ValueError, match="equally spaced"):
        check_taus(np.array([0.0, 0.1, 0.3]))
