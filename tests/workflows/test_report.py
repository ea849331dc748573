"""Fluence series and the sf-dynamics report: text and figures state what was computed."""

import re

import numpy as np
import pytest

from sf_dynamics import __version__, fluence
from sf_dynamics.cli import main
from sf_dynamics.workflows.report import REPORT_FILES

pytestmark = pytest.mark.e2e


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


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    assert main(["report", "--quick", "--quiet", "--out", str(out)]) == 0
    return out


@pytest.mark.slow
def test_report_writes_every_file_with_provenance(report):
    for name in REPORT_FILES:
        assert (report / name).stat().st_size > 200, name
    text = (report / "report.md").read_text()
    assert f"sf_dynamics {__version__}" in text and "written 20" in text
    for heading in ("Fluence series", "Spectrum and first-order coherence", "Ringing", "Photon bunching",
                    "Thermal decoherence", "Data files"):
        assert heading in text
    assert "sf_dynamics_version" in (report / "fluence_series.csv").read_text().splitlines()[0]


@pytest.mark.slow
def test_report_spectrum_section_states_its_data(report):
    import xarray as xr

    text = (report / "report.md").read_text()
    assert "Spectrum and first-order coherence" in text
    with xr.open_dataset(report / "spectrum.nc") as ds:
        single, coupled = ds.attrs["coherence_time_single_ps"], ds.attrs["coherence_time_coupled_ps"]
        photons = float(ds["coupled"].sum() * (ds["omega"][1] - ds["omega"][0]) / (2 * np.pi))
    assert single == pytest.approx(80.0, rel=0.02)      # one NC: tau_c = T2, the input coherence time
    assert f"| {coupled:.3g} | {single:.3g} |" in text
    assert photons > 1.0   # the collective channel carries the burst's photons


@pytest.mark.slow
def test_report_html_is_rendered_markdown_with_captions_links_and_version(report):
    page = (report / "report.html").read_text()
    assert page.count("<figure>") == page.count("<figcaption>") >= 6
    assert "<table>" in page and '<a href="fluence_series.nc">' in page
    assert __version__ in page
    assert "![" not in page and "|---|" not in page  # no raw Markdown left


@pytest.mark.slow
def test_report_text_agrees_with_its_data(report):
    import xarray as xr

    text = (report / "report.md").read_text()
    with xr.open_dataset(report / "fluence_series.nc") as ds:
        ratio = ds["peak_over_initial"].values
        tau_d = ds["tau_d"].values
    # no delay is reported where there is no burst, and every reported delay is in the table
    assert np.all(np.isnan(tau_d[ratio < 1.5]))
    section = text[text.index("## 1."):text.index("## 2.")]
    rows = re.findall(r"^\| [\d.]+ \| \d+ \| ([\d.]+) \| ([^|]+) \|", section, flags=re.M)
    assert len(rows) == ratio.size
    for (shown_ratio, shown_delay), r, d in zip(rows, ratio, tau_d):
        assert float(shown_ratio) == pytest.approx(r, rel=1e-2)
        assert ("no burst" in shown_delay) == bool(np.isnan(d))
    # ringing: the sentence about the average follows the lobes measured on the recorded average
    ringing = np.loadtxt(report / "ringing.csv", delimiter=",", skiprows=2)
    from sf_dynamics.analysis.fitting import detect_ringing

    lobes = detect_ringing(ringing[:, 0], ringing[:, 3], min_prominence=0.02)["lobes"]
    assert ("does not wash the ringing out" in text) == (lobes >= 2)
    # a poor Burnham-Chiao fit is never presented as a result
    sentence = text[text.index("## 3."):text.index("## 4.")]
    if "does not describe" not in sentence:
        assert "R^2" in sentence


@pytest.mark.slow
def test_report_bunching_table_is_its_data(report):
    import xarray as xr

    text = (report / "report.md").read_text()
    section = text[text.index("## 4."):text.index("## 5.")]
    rows = re.findall(r"^\| ([\d.]+) \| (\d+) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \|", section, flags=re.M)
    with xr.open_dataset(report / "bunching.nc") as ds:
        assert len(rows) == ds.sizes["fluence"]
        for row, n, peak, fast, pulse in zip(rows, ds["excited"].values, ds["g2_peak"].values,
                                             ds["g2_zero_delay"].values, ds["g2_pulse"].values):
            assert int(row[1]) == n
            assert float(row[2]) == pytest.approx(peak, abs=1e-3) and float(row[3]) == pytest.approx(fast, abs=1e-3)
            assert float(row[4]) == pytest.approx(pulse, abs=1e-4)
        assert np.all(ds["g2_peak"].values > 1.0)   # the sentence "every burst is bunched" is the data's


@pytest.mark.slow
def test_partial_inversion_keeps_the_unexcited_nanocrystals_and_sets_a_threshold():
    f = np.geomspace(2, 60, 6)
    p = fluence.excitation_probability(f, cross_section_cm2=5e-14)
    photons = f * 1e-6 * fluence.EV_PER_JOULE / 3.1
    np.testing.assert_allclose(p, 1 - np.exp(-5e-14 * photons), rtol=1e-12)
    ds = fluence.fluence_series(f, nanocrystals=200, inversion="partial", collective_decay=1.0 / 210.0, decay=0.0,
                                dephasing=0.0, method="permutational")
    np.testing.assert_allclose(ds["excited"].values, 200 * p)
    assert ds.attrs["inversion"] == "partial"
    # a point-like domain bursts only when inverted (p > 1/2); the model of full inversion bursts at every fluence
    assert np.all(np.isnan(ds["tau_d"].values[p < 0.45])) and np.all(np.isfinite(ds["tau_d"].values[p > 0.7]))
    full = fluence.fluence_series(f, nanocrystals=200, collective_decay=1.0 / 210.0, decay=0.0, dephasing=0.0,
                                  method="permutational")
    assert np.all(np.isfinite(full["tau_d"].values))
    with pytest.raises(ValueError, match="inversion must be"):
        fluence.fluence_series(f, inversion="half")
    with pytest.raises(ValueError, match="cross_section_cm2"):
        fluence.fluence_series(f, inversion="partial", excited_per_fluence=3.0)


@pytest.mark.slow
def test_report_signatures_table_quotes_the_runs_of_the_report(report):
    """Each simulated signature is the number the earlier sections computed and saved."""
    import xarray as xr

    from sf_dynamics.workflows.report import PARAMETERS
    from sf_dynamics.workflows.signatures import REPORTED

    text = (report / "report.md").read_text()
    section = text[text.index("## 6."):text.index("## Data files")]
    rows = re.findall(r"^\| ([^|]+) \| [^|]+ \| [^|]+ \| ([^|]+) \| [^|]* \|$", section, flags=re.M)
    assert [name for name, _ in rows[1:]] == [entry[0] for entry in REPORTED.values()]
    cells = dict(rows[1:])
    with xr.open_dataset(report / "fluence_series.nc") as ds:
        tau_sf, tau_d = float(ds["tau_sf_fit"][-1]), ds["tau_d"].values
    accel = float(re.match(r"([\d.]+)-fold", cells["accelerated decay"]).group(1))
    assert accel == pytest.approx(PARAMETERS["radiative_lifetime"][0] / tau_sf, rel=5e-3)
    bursts = tau_d[np.isfinite(tau_d)]
    delay = cells["delay shortening with fluence"]
    first, last = map(float, re.match(r"tau_D ([\d.]+) -> ([\d.]+) ps", delay).groups())
    assert (first, last) == (pytest.approx(bursts[0], rel=5e-3), pytest.approx(bursts[-1], rel=5e-3))
    assert first > last                                        # the delay shortens with fluence
    with xr.open_dataset(report / "bunching.nc") as ds:
        low, high = map(float, re.search(r"([\d.]+) - ([\d.]+)", cells["photon bunching"]).groups())
        peaks = ds["g2_peak"].values
        assert low == pytest.approx(float(peaks.min()), rel=5e-3) and high == pytest.approx(float(peaks.max()),
                                                                                            rel=5e-3)
    with xr.open_dataset(report / "spectrum.nc") as ds:
        gain = float(re.search(r"; ([\d.]+)-fold vs one NC", cells["first-order coherence time"]).group(1))
        assert gain == pytest.approx(ds.attrs["coherence_time_coupled_ps"] / ds.attrs["coherence_time_single_ps"],
                                     rel=3e-2)


def test_signature_table_and_ensemble_coherence_time():
    from scipy.integrate import quad

    from sf_dynamics.units import HBAR_MEV_PS
    from sf_dynamics.workflows.signatures import ensemble_coherence_time, signature_table

    # tau_c = 2 int |g1|^2 of g1 = e^{-tau/T2} e^{-(s tau)^2/2}, by quadrature
    width, t2 = 1.5, 40.0
    s = width / (2 * np.sqrt(2 * np.log(2)) * HBAR_MEV_PS)
    ref = 2 * quad(lambda tau: np.exp(-2 * tau / t2 - (s * tau) ** 2), 0, np.inf)[0]
    assert ensemble_coherence_time(width, t2) == pytest.approx(ref, rel=1e-10)
    assert ensemble_coherence_time(0.0, t2) == t2
    table = signature_table({"bunching": ("1.2", "shots")})
    assert "| photon bunching | g2 > 1 |" in table and table.count("not simulated") == 6
    with pytest.raises(ValueError, match="unknown signatures"):
        signature_table({"lasing": ("x", "")})
    with pytest.raises(ValueError, match="t2_ps"):
        ensemble_coherence_time(1.0, 0.0)
