"""Peak helpers: the half-maximum width of the main peak."""

import numpy as np
import pytest

from sf_dynamics.kernels.peaks import peak_fwhm


def test_peak_fwhm_of_a_lorentzian_ignores_a_side_peak_and_interpolates():
    x = np.linspace(-10, 10, 2001)
    main = 1.0 / (1 + (x / 0.5) ** 2)                    # FWHM 1
    side = 0.45 / (1 + ((x - 4) / 0.2) ** 2)             # a side line below half of the main peak
    assert peak_fwhm(x, main) == pytest.approx(1.0, abs=1e-4)
    assert peak_fwhm(x, main + side) == pytest.approx(1.0, abs=2e-3)
    assert peak_fwhm(x, np.ones_like(x)) == pytest.approx(20.0)   # never falls to half: the whole grid
