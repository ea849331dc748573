import numpy as np
import pytest

from sf_dynamics import units


def test_meV_rad_per_ps_round_trip_and_design_value():
    # docs/conventions.md: 1 meV = 1.519267 rad/ps
    assert units.meV_to_rad_per_ps(1.0) == pytest.approx(1.519267, rel=1e-6)
    x = np.array([0.1, 3.0, 25.0])
    np.testing.assert_allclose(units.rad_per_ps_to_meV(units.meV_to_rad_per_ps(x)), x, rtol=1e-14)


def test_kelvin_thermal_energies_from_references():
    # k_B T = 0.517 meV at 6 K, 25.85 meV at 300 K (k_B = 0.08617 meV/K)
    assert units.kelvin_to_meV(6.0) == pytest.approx(0.517, abs=1e-3)
    assert units.kelvin_to_meV(300.0) == pytest.approx(25.85, abs=1e-2)
    assert units.meV_to_kelvin(units.kelvin_to_meV(45.0)) == pytest.approx(45.0)


def test_time_and_rate_conversions():
    assert units.ns_to_ps(0.21) == pytest.approx(210.0)
    assert units.ps_to_ns(210.0) == pytest.approx(0.21)
    # 210 ps lifetime -> 4.76 / ns
    assert units.lifetime_to_rate(210.0) * 1e3 == pytest.approx(4.76, abs=0.01)
    assert units.rate_to_lifetime(units.lifetime_to_rate(80.0)) == pytest.approx(80.0)


def test_linewidth_to_coherence_rate_matches_t2_rule():
    # T2 [ps] = 1.3164 / FWHM [meV]; Becker 2018: T2 = 24.5 ps <-> 54 ueV
    rate = units.fwhm_meV_to_rate(0.054)
    assert 1.0 / rate == pytest.approx(1.3164 / 0.054, rel=1e-4)
    assert units.rate_to_fwhm_meV(1 / 24.5) == pytest.approx(0.0537, abs=5e-4)


@pytest.mark.parametrize("bad", [0.0, -1.0, np.nan])
def test_lifetime_and_rate_reject_nonpositive(bad):
    with pytest.raises(ValueError, match="lifetime_ps"):
        units.lifetime_to_rate(bad)
    with pytest.raises(ValueError, match="rate_per_ps"):
        units.rate_to_lifetime(bad)
