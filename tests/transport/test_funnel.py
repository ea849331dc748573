"""Funnelling: the cumulant equations against the exact donor-acceptor master equation and analytic rates."""

import numpy as np
import pytest

from sf_dynamics.transport import funnel_cumulant, funnel_exact

KW = dict(donor_decay=0.02, collective_decay=0.05, decay=0.01)


def test_pair_follows_the_analytic_rate_equations():
    """One donor, one acceptor, one exciton: P_D = e^{-(k+g_D) t}, P_A = k/(g_A-k-g_D) (e^{-(k+g_D)t} - e^{-g_A t})."""
    t = np.linspace(0, 60, 61)
    k, gd, ga = 0.1, 0.02, 0.06
    nd = np.exp(-(k + gd) * t)
    na = k / (ga - (k + gd)) * (np.exp(-(k + gd) * t) - np.exp(-ga * t))
    for solver in (funnel_exact, funnel_cumulant):
        ds = solver(1, 1, t, transfer_rate=k, **KW)
        np.testing.assert_allclose(ds["donor_excitation"].values, nd, atol=1e-6)
        np.testing.assert_allclose(ds["acceptor_excitation"].values, na, atol=1e-6)
        np.testing.assert_allclose(ds["acceptor_emission"].values, ga * na, atol=1e-7)


def _error(nd, na, **kw):
    t = np.linspace(0, 80, 81)
    args = dict(transfer_rate=0.2 / na, **{**KW, **kw})
    exact, approx = funnel_exact(nd, na, t, **args), funnel_cumulant(nd, na, t, **args)
    return float(np.max(np.abs(exact["acceptor_emission"] - approx["acceptor_emission"]))
                 / np.max(exact["acceptor_emission"]))


def test_closure_error_shrinks_with_size():
    """The dropped three-body cumulants are O(1/N^2) of the pair ones: the error must fall at least ~1/N."""
    independent = dict(collective_decay=0.0, decay=0.06)
    e2, e3 = _error(2, 2, **independent), _error(3, 3, **independent)
    assert e3 < e2 * (2 / 3)
    assert _error(3, 3) < _error(2, 2)       # with the collective decay of the acceptors too


def test_funnelling_delays_the_acceptor_burst_and_shortens_the_donor_band():
    t = np.linspace(0, 300, 601)
    base = dict(donor_decay=0.01, collective_decay=0.004, decay=0.005)
    alone = funnel_cumulant(200, 100, t, transfer_rate=0.0, acceptor_excitation=1.0, **base)
    fed = funnel_cumulant(200, 100, t, transfer_rate=0.002, acceptor_excitation=0.0, **base)
    # the donor band decays faster with the acceptors present
    assert fed["donor_excitation"].values[100] < alone["donor_excitation"].values[100]
    # acceptors excited by transfer burst later than acceptors excited directly
    assert t[np.argmax(fed["acceptor_emission"].values)] > t[np.argmax(alone["acceptor_emission"].values)]
    # the fed burst is superradiant: its peak exceeds the independent emission of the same excitation
    peak = fed["acceptor_emission"].max().item()
    independent = 100 * (0.004 + 0.005) * fed["acceptor_excitation"].max().item()
    assert peak > 3 * independent


@pytest.mark.parametrize("kwargs, match", [
    (dict(transfer_rate=-1.0), "transfer_rate"),
    (dict(transfer_rate=0.1, donor_excitation=1.5), "donor_excitation"),
    (dict(transfer_rate=0.1, donor_radiative=1.0), "donor_radiative"),
])
def test_bad_funnel_inputs(kwargs, match):
    with pytest.raises(ValueError, match=match):
        funnel_cumulant(2, 2, [0, 1], **{**KW, **kwargs})


def test_exact_refuses_large_systems():
    with pytest.raises(ValueError, match="funnel_cumulant"):
        funnel_exact(6, 6, [0, 1], transfer_rate=0.1, **KW)
