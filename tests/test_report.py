"""Fluence series, plots and the sf-dynamics report."""

import numpy as np
import pytest

from sf_dynamics import fluence
from sf_dynamics.cli import main


def test_excited_emitters_saturate_and_validate():
    n = fluence.excited_emitters([0.0, 1.0, 1e4], nanocrystals=100, cross_section_cm2=5e-14)
    assert n[0] == 0 and n[2] == pytest.approx(100)
    # sigma j << 1: linear in fluence, sigma F / E_ph photons per NC
    photons = 1e-6 * fluence.EV_PER_JOULE / 3.1
    assert n[1] == pytest.approx(100 * 5e-14 * photons, rel=0.1)
    assert fluence.excited_emitters([10.0], nanocrystals=100, excited_per_fluence=3.0)[0] == 30.0
    with pytest.raises(ValueError, match="either"):
        fluence.excited_emitters([1.0], nanocrystals=10)
    with pytest.raises(ValueError, match="fluence"):
        fluence.excited_emitters([-1.0], nanocrystals=10, excited_per_fluence=1.0)


def test_fluence_series_recovers_the_superfluorescence_power_laws():
    ds = fluence.fluence_series(np.geomspace(1, 30, 5), nanocrystals=400, excited_per_fluence=12.0,
                                collective_decay=1.0 / 210.0, decay=0.0, dephasing=0.0, method="dicke")
    # pure Dicke: tau_SF ~ 1/N and peak ~ N^2 up to logarithmic corrections
    assert ds.attrs["tau_sf_exponent"] == pytest.approx(-1.0, abs=0.12)
    assert ds.attrs["peak_exponent"] == pytest.approx(2.0, abs=0.12)
    assert np.all(np.diff(ds["tau_d"].values) < 0)  # the delay shortens with fluence


def test_power_law_fit():
    x = np.array([1.0, 2.0, 4.0, 8.0])
    p, err, c = fluence.fit_power_law(x, 3.0 * x**-1.5)
    assert p == pytest.approx(-1.5) and c == pytest.approx(3.0)


def test_report_writes_markdown_html_figures_and_data(tmp_path, capsys):
    assert main(["report", "--quick", "--quiet", "--out", str(tmp_path)]) == 0
    text = (tmp_path / "report.md").read_text()
    for heading in ("Fluence series", "Ringing", "Thermal decoherence"):
        assert heading in text
    for name in ("fluence_series.png", "ringing.png", "streak_wavelength.png", "thermal_enhancement.png",
                 "dynamic_sweep.png", "fluence_series.csv", "ringing.csv", "report.html"):
        assert (tmp_path / name).stat().st_size > 200, name
    assert "<img" in (tmp_path / "report.html").read_text()
