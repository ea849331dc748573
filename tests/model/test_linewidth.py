"""The dephasing-vs-temperature model: Gamma_hom(T), gamma_phi(T), tables and functions, refusals."""

import numpy as np
import pytest

from sf_dynamics import thermal
from sf_dynamics.model import linewidth
from sf_dynamics.units import HBAR_MEV_PS


def test_linewidth_model_and_dephasing_rate():
    model = linewidth.LinewidthModel(gamma0_meV=0.1, sigma_meV_per_K=0.01, gamma_lo_meV=40.0, e_lo_meV=18.0)
    fwhm = model.fwhm_meV([5.0, 300.0])
    assert fwhm[0] == pytest.approx(0.1 + 0.05, rel=1e-6)  # LO term frozen out at 5 K
    bose = 1 / np.expm1(18.0 / (0.08617333262 * 300))
    assert fwhm[1] == pytest.approx(0.1 + 3.0 + 40.0 * bose)
    rate = linewidth.dephasing_rate([5.0], model, radiative_rate=0.01)
    assert rate[0] == pytest.approx(0.15 / (2 * HBAR_MEV_PS) - 0.005)
    table = linewidth.TabulatedLinewidth([4, 50, 100], [0.1, 1.0, 5.0])
    assert linewidth.dephasing_rate([27.0], table)[0] == pytest.approx(0.55 / (2 * HBAR_MEV_PS))
    assert linewidth.dephasing_rate([10.0], lambda t: 0.2 * np.ones_like(t))[0] == pytest.approx(
        0.2 / (2 * HBAR_MEV_PS))


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: linewidth.dephasing_rate([-1.0]), "temperatures_K"),
        (lambda: linewidth.LinewidthModel(e_lo_meV=0.0), "e_lo_meV"),
        (lambda: linewidth.TabulatedLinewidth([1, 2], [1.0, -1.0]), "fwhm_meV"),
    ],
)
def test_bad_inputs(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_the_former_homes_re_export_the_model():
    from sf_dynamics.thermal import linewidth as former

    for name in linewidth.__all__:
        assert getattr(thermal, name) is getattr(linewidth, name)
        assert getattr(former, name) is getattr(linewidth, name)
