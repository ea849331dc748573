"""Fluence series and the sf-dynamics report: text and figures state what was computed."""

import re

import numpy as np
import pytest

from sf_dynamics import __version__, fluence
from sf_dynamics import fluence as fluence_module
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
    import json

    import xarray as xr
    from PIL import Image

    for name in REPORT_FILES:
        assert (report / name).stat().st_size > 200, name
    text = (report / "report.md").read_text()
    assert f"sf_dynamics {__version__}" in text and "written 20" in text and "seed 0" in text
    for heading in ("Fluence series", "The two emission bands", "Ringing", "Photon bunching",
                    "Thermal decoherence", "Data files"):
        assert heading in text
    # every data file and figure records the package version and the seed
    for name in REPORT_FILES:
        path = report / name
        if path.suffix == ".csv":
            first = path.read_text().splitlines()[0]
            assert f'"sf_dynamics_version": "{__version__}"' in first and '"seed": 0' in first, name
        elif path.suffix == ".nc":
            with xr.open_dataset(path) as ds:
                assert ds.attrs["provenance_sf_dynamics_version"] == __version__ and ds.attrs["provenance_seed"] == 0
        elif path.suffix == ".png":
            meta = json.loads(Image.open(path).text["Description"])
            assert meta["sf_dynamics_version"] == __version__ and meta["seed"] == 0, name


@pytest.mark.slow
def test_report_threshold_is_the_samples_own(report):
    """The report's threshold fluence is the one a Sample with the same parameters finds with partial inversion."""
    import xarray as xr

    from sf_dynamics.workflows.sample import Sample

    with xr.open_dataset(report / "fluence_series.nc") as ds:
        shown = float(ds.attrs["threshold_fluence_uJ_cm2"])
        times = ds["time"].values
        burst = ds["burst"].values.astype(bool)
        fluence = ds["fluence"].values
    # the defaults of the parameter table, typed in: 300 NCs per domain, 210 ps, 30 % collective, 6 K
    sample = Sample(domain_sizes=300, coupled_fraction=0.5, collective_decay=0.3 / 210.0, decay=0.7 / 210.0,
                    cross_section_cm2=5e-14, photon_energy_eV=3.1).with_temperature(6.0)
    # bracketed by the series' last fluence without and first with a burst (the test of those points is
    # checked against the burst column below)
    p = fluence_module.excitation_probability(fluence, cross_section_cm2=5e-14)
    first = int(np.argmax(burst))
    from sf_dynamics.workflows.report.fluence_section import SHOTS_QUICK

    own = sample.burst_threshold(times, bracket=(p[first - 1], p[first]), method="jumps", trajectories=SHOTS_QUICK,
                                 seed=0)
    # both to 1e-3 in p; dF/dp = 1 / (sigma' (1 - p)) turns that into a fluence tolerance
    tolerance = 2e-3 / (5e-14 * 1e-6 * fluence_module.EV_PER_JOULE / 3.1 * (1 - own["probability"]))
    assert shown == pytest.approx(own["fluence_uJ_cm2"], abs=tolerance)
    # and the series' burst column changes there
    assert np.all(fluence[burst] > shown) and np.all(fluence[~burst] < shown)
    text = (report / "report.md").read_text()
    assert f"**{shown:.3g} uJ/cm^2**" in text


@pytest.mark.slow
def test_report_spectrum_section_states_its_data(report):
    import xarray as xr

    from sf_dynamics.workflows.signatures import ensemble_coherence_time

    text = (report / "report.md").read_text()
    with xr.open_dataset(report / "spectrum.nc") as ds:
        coupled, uncoupled = ds.attrs["coherence_time_coupled_ps"], ds.attrs["coherence_time_uncoupled_ps"]
        step = float(ds["energy_meV"][1] - ds["energy_meV"][0])
        photons = float(ds["collective"].sum()) * step
    # the uncoupled band: the closed form for a 20 meV Gaussian spread of lines of T2 = 1 / (Gamma_1 / 2 + gamma_phi)
    from sf_dynamics.model.linewidth import dephasing_rate

    t2 = 1 / (0.5 / 210 + dephasing_rate([6.0], radiative_rate=1 / 210)[0])
    assert uncoupled == pytest.approx(ensemble_coherence_time(20.0, t2), rel=2e-2)
    assert f"| {coupled:.3g} | {uncoupled:.3g} |" in text
    assert 0 < photons < 1.0   # the collective line holds part of each domain NC's photon


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
        ratio = ds["peak_over_incoherent"].values
        tau_d = ds["tau_d"].values
        prob = ds["probability"].values
    # no delay is reported where there is no burst, and every reported delay is in the table
    assert np.all(np.isnan(tau_d[ratio < 1.5]))
    section = text[text.index("## 1."):text.index("## 2.")]
    rows = re.findall(r"^\| [\d.]+ \| ([\d.]+) \| ([\d.]+) \| ([^|]+) \|", section, flags=re.M)
    assert len(rows) == ratio.size
    for (shown_p, shown_ratio, shown_delay), p, r, d in zip(rows, prob, ratio, tau_d):
        assert float(shown_p) == pytest.approx(p, abs=1e-3)
        assert float(shown_ratio) == pytest.approx(r, rel=1e-2)
        assert ("no burst" in shown_delay) == bool(np.isnan(d))
    # ringing: the sentence about the average follows the lobes measured on the recorded average
    ringing = np.loadtxt(report / "ringing.csv", delimiter=",", skiprows=3)
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
    rows = re.findall(r"^\| ([\d.]+) \| ([\d.]+) \| (yes|no) \| ([\d.]+) ± [\d.]+ \| ([\d.]+) \| ([\d.]+) ± [\d.]+ \| "
                      r"([\d.]+) \|", section, flags=re.M)
    with xr.open_dataset(report / "bunching.nc") as ds:
        assert len(rows) == ds.sizes["fluence"]
        for row, p, burst, peak, mode, pulse, lone in zip(
                rows, ds["probability"].values, ds["burst"].values, ds["g2_peak"].values,
                ds["g2_mode_uncoupled"].values, ds["g2_pulse"].values, ds["g2_pulse_uncoupled"].values):
            assert float(row[1]) == pytest.approx(p, abs=1e-3) and (row[2] == "yes") == bool(burst)
            assert float(row[3]) == pytest.approx(peak, abs=1e-3) and float(row[4]) == pytest.approx(mode, abs=1e-3)
            assert float(row[5]) == pytest.approx(pulse, abs=1e-4) and float(row[6]) == pytest.approx(lone, abs=1e-4)
    # the verdict sentence is the data's
    assert ("does not discriminate" in section) != ("g2 discriminates with" in section)


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
def test_report_signatures_are_stated_tests_on_the_runs_of_the_report(report):
    """Each signature row states measurement, criterion, baseline and verdict, and quotes the saved numbers."""
    import xarray as xr

    from sf_dynamics.workflows.signatures import REPORTED, band_decay_time

    text = (report / "report.md").read_text()
    section = text[text.index("## 6."):text.index("## Data files")]
    rows = re.findall(r"^\| ([^|]+) \| [^|]+ \| ([^|]+) \| ([^|]+) \| ([^|]+) \| ([^|]+) \| ([^|]+) \|$", section,
                      flags=re.M)
    assert [r[0] for r in rows[1:]] == [entry[0] for entry in REPORTED.values()]
    cells = {r[0]: r for r in rows[1:]}
    for name, measured, criterion, baseline, value, verdict in rows[1:]:
        assert measured.strip() and criterion.strip() and baseline.strip() and value.strip()
        assert re.match(r"\*\*(present|absent|not applicable)\*\*", verdict), name
    with xr.open_dataset(report / "fluence_series.nc") as ds:
        times, irf = ds["time"].values, float(ds["recorded"].attrs["irf_fwhm_ps"])
        fast = band_decay_time(times, ds["recorded_coupled_band"].values[-1], irf)["tau"]
        slow = band_decay_time(times, ds["recorded_uncoupled_band"].values[-1], irf)["tau"]
        tau_d = ds["tau_d"].values
    accel = float(re.match(r"\s*([\d.]+) ±", cells["accelerated decay"][4]).group(1))
    assert accel == pytest.approx(slow / fast, rel=5e-3)
    bursts = tau_d[np.isfinite(tau_d)]
    first, last = map(float, re.search(r"tau_D ([\d.]+) -> ([\d.]+) ps", cells["delay shortening with fluence"][4])
                      .groups())
    assert (first, last) == (pytest.approx(bursts[0], rel=5e-3), pytest.approx(bursts[-1], rel=5e-3))
    with xr.open_dataset(report / "spectrum.nc") as ds:
        gain = float(re.match(r"\s*([\d.]+)-fold", cells["first-order coherence time"][4]).group(1))
        assert gain == pytest.approx(ds.attrs["coherence_time_coupled_ps"] / ds.attrs["coherence_time_uncoupled_ps"],
                                     rel=5e-3)
    # a point-like sample is not expected to ring, and the row says so instead of quoting the slab as its own
    assert "not applicable" in cells["Burnham-Chiao ringing"][5]


def test_signature_table_and_ensemble_coherence_time():
    from scipy.integrate import quad

    from sf_dynamics.units import HBAR_MEV_PS
    from sf_dynamics.workflows.signatures import ensemble_coherence_time

    # tau_c = 2 int |g1|^2 of g1 = e^{-tau/T2} e^{-(s tau)^2/2}, by quadrature
    width, t2 = 1.5, 40.0
    s = width / (2 * np.sqrt(2 * np.log(2)) * HBAR_MEV_PS)
    ref = 2 * quad(lambda tau: np.exp(-2 * tau / t2 - (s * tau) ** 2), 0, np.inf)[0]
    assert ensemble_coherence_time(width, t2) == pytest.approx(ref, rel=1e-10)
    assert ensemble_coherence_time(0.0, t2) == t2
    with pytest.raises(ValueError, match="t2_ps"):
        ensemble_coherence_time(1.0, 0.0)


def test_band_decay_time_measures_both_bands_alike():
    from scipy.special import erfc

    from sf_dynamics.analysis.fitting import sech2_model
    from sf_dynamics.workflows.signatures import band_decay_time

    t = np.linspace(0, 200, 2001)
    irf, tau = 2.0, 37.0
    s = irf / (2 * np.sqrt(2 * np.log(2)))
    # an exponential switched on at 5 ps and convolved with the Gaussian IRF (closed form)
    x = t - 5.0
    trace = 0.5 * np.exp(s**2 / (2 * tau**2) - x / tau) * erfc((s / tau - x / s) / np.sqrt(2))
    assert band_decay_time(t, trace, irf)["tau"] == pytest.approx(tau, rel=1e-6)
    # a sech^2 burst's tail tends to exp(-t / tau_SF) from above: fitted from its peak the decay is slower
    burst = sech2_model(t, 40.0, 3.0, 1.0)
    assert 3.0 < band_decay_time(t, burst, 0.0)["tau"] < 2 * 3.0


def test_signature_tests_table_states_each_test():
    from sf_dynamics.workflows.signatures import SignatureTest, signature_tests

    table = signature_tests({"bunching": SignatureTest("g2 per pulse", "above 1", "binomial 0.99", "1.01", True),
                             "ringing": SignatureTest("lobes", "two", "one", "1", None, "point-like")})
    assert "| photon bunching | g2 > 1 | g2 per pulse | above 1 | binomial 0.99 | 1.01 | **present** |" in table
    assert "**not applicable**: point-like" in table and table.count("not simulated") == 5
    with pytest.raises(ValueError, match="unknown signatures"):
        signature_tests({"lasing": SignatureTest("", "", "", "", True)})


def test_report_takes_the_sample_from_options_and_config(tmp_path, monkeypatch, capsys):
    import sf_dynamics.workflows.report as report_pkg
    from sf_dynamics.workflows.report import read_config, report_inputs

    with pytest.raises(SystemExit):
        main(["report", "--help"])
    help_text = capsys.readouterr().out
    for flag in ("--nanocrystals", "--temperature", "--collective-fraction", "--coupled-fraction", "--seed",
                 "--config", "--cross-section"):
        assert flag in help_text
    config = tmp_path / "sample.toml"
    config.write_text("nanocrystals = 120\ntemperature = 20.0\nseed = 4\n")
    seen = {}

    def fake_write_report(out, **kwargs):
        seen.update(kwargs)
        return tmp_path / "report.md"

    monkeypatch.setattr(report_pkg, "write_report", fake_write_report)
    assert main(["report", "--quiet", "--out", str(tmp_path / "r"), "--config", str(config), "--seed", "7"]) == 0
    inputs = seen["inputs"]
    assert inputs["nanocrystals"] == 120 and inputs["temperature"] == 20.0 and inputs.seed == 7
    assert set(inputs.given) == {"nanocrystals", "temperature", "seed"}
    sample = inputs.sample()
    assert sample.sizes == (120,) and sample.temperature_K == 20.0
    assert "given (option or config file)" in inputs.table()
    assert read_config(config) == {"nanocrystals": 120, "temperature": 20.0, "seed": 4}
    with pytest.raises(ValueError, match="'coupled_fraction' must be in"):
        report_inputs({"coupled_fraction": 1.5})
    with pytest.raises(ValueError, match="unknown report input"):
        report_inputs({"domain_size": 3})
    with pytest.raises(ValueError, match="must be an integer"):
        report_inputs({"nanocrystals": 12.5})
