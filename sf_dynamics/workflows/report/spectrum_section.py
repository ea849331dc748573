"""Report section 2, spectrum and first-order coherence: the domain's collective G1(t, tau) at the highest
fluence, its spectrum and coherence time against one NC, the spectrogram, and the weak-excitation PL of a
superlattice with its coupled-line shift.
"""

from __future__ import annotations

import warnings

import numpy as np

from ...kernels.peaks import peak_fwhm
from .parameters import PARAMETERS, excited_nanocrystals, nc_rates

__all__ = ["spectrum_section"]


def spectrum_section(doc, out, quick, overwrite):
    """Section 2: G1, spectrum, coherence time and spectrogram of the domain; PL of a superlattice.

    Parameters
    ----------
    doc : Document
        The report being written; the section adds its text, figures and the ``facts`` later sections quote.
    out : Path
        Output folder.
    quick : bool
        Smaller sizes (for tests and a first look).
    overwrite : bool
        Replace files of an earlier report.
    """
    import matplotlib.pyplot as plt
    import xarray as xr

    from ... import analysis, spectra, thermal
    from ..._io import save_dataset, save_figure
    from ...geometry import Superlattice
    from ...model import Ensemble
    from ...plotting import plot_g1, plot_streak
    from ...units import HBAR_MEV_PS

    gamma, share, dephasing = nc_rates()
    wavelength = PARAMETERS["wavelength"][0]
    fluence = 30.0   # the highest fluence of the series
    n = int(excited_nanocrystals([fluence])[0])
    step, window = (1.0, 100.0) if quick else (0.5, 150.0)
    grid = np.arange(0.0, window + step / 2, step)
    domain = Ensemble(n, collective_decay=share * gamma, decay=(1 - share) * gamma, dephasing=dephasing)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", spectra.CoherenceWindowWarning)
        corr = spectra.first_order(domain, grid, grid, detector="collective")
    single = spectra.first_order(Ensemble(1, decay=gamma, dephasing=dephasing), np.linspace(0, 10 / gamma, 11),
                                 np.arange(0.0, 12 * PARAMETERS["coherence_time"][0], step))
    coupled_spec = spectra.spectrum(corr, center_wavelength_nm=wavelength, oversample=8)
    single_spec = spectra.spectrum(single, omega=coupled_spec["omega"].values, center_wavelength_nm=wavelength)
    g1_coupled, g1_single = spectra.normalized_g1(corr), spectra.normalized_g1(single)
    tc_coupled, tc_single = analysis.coherence_time(g1_coupled), analysis.coherence_time(g1_single)
    filter_fwhm = 1.0  # rad/ps: 0.66 meV spectrometer resolution, 1 ps time resolution
    gram = spectra.time_resolved_spectrum(corr, filter_fwhm, center_wavelength_nm=wavelength)
    lattice = Superlattice.cubic(*(3, 3, 3) if quick else (6, 6, 6),
                                 lattice_constant_nm=PARAMETERS["lattice_constant"][0])
    pl = thermal.photoluminescence(lattice, 6.0, dephasing=dephasing)
    energy = coupled_spec["energy_meV"].values
    width = {k: peak_fwhm(energy, v) for k, v in (("coupled", coupled_spec.values), ("single", single_spec.values))}
    ds = xr.Dataset(
        {"coupled": ("omega", coupled_spec.values, {"units": "photons per (rad/ps)"}),
         "single_nc": ("omega", single_spec.values, {"units": "photons per (rad/ps)"})},
        coords={"omega": ("omega", coupled_spec["omega"].values, {"units": "rad/ps"}),
                "energy_meV": ("omega", energy, {"units": "meV"}),
                "wavelength_nm": ("omega", coupled_spec["wavelength_nm"].values, {"units": "nm"})},
        attrs={"excited": n, "coherence_time_coupled_ps": tc_coupled, "coherence_time_single_ps": tc_single})
    save_dataset(ds, out / "spectrum", overwrite=overwrite, method="permutational", command="sf-dynamics report")
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.6), constrained_layout=True)
    for spec, label in ((coupled_spec, f"coupled domain, N = {n} (collective channel)"),
                        (single_spec, "one NC")):
        axes[0].plot(spec["energy_meV"], spec.values / spec.values.max(), label=label)
    axes[0].set_xlim(-8 * max(width.values()), 8 * max(width.values()))
    axes[0].set_xlabel("energy from the NC line (meV)")
    axes[0].set_ylabel("spectrum / its maximum")
    axes[0].legend(frameon=False, fontsize=8)
    plot_g1([g1_coupled, g1_single], labels=["coupled domain", "one NC"], ax=axes[1])
    axes[1].set_xlim(0, 4 * tc_single)
    for key, label in (("coupled", "superlattice (coupled)"), ("uncoupled", "uncoupled NCs")):
        axes[2].plot(pl["energy_meV"], pl[key] / pl[key].max(), label=label)
    axes[2].set_xlim(pl.attrs["coupled_peak_meV"] - 4, 4)
    axes[2].set_xlabel("energy from the NC line (meV)")
    axes[2].legend(frameon=False, fontsize=8)
    save_figure(fig, out / "spectrum.png", overwrite=overwrite)
    keep = np.abs(gram["energy_meV"].values) <= 6 * max(width.values()) + 1.0
    ax = plot_streak(gram["time"].values, gram["wavelength_nm"].values[keep], gram.values.T[keep],
                     colorbar_label="filtered emission (photons/ps per rad/ps)")
    save_figure(ax.figure, out / "spectrogram.png", overwrite=overwrite)
    doc.text(f"""
## 2. Spectrum and first-order coherence

The domain of section 1 at {fluence:g} uJ/cm^2 (N = {n} excited NCs): G1(t, tau) of the collective channel by
the quantum regression theorem (`permutational`, exact), its time-integrated spectrum, and the spectrogram a
streak camera behind a spectrometer of {filter_fwhm * HBAR_MEV_PS:.2g} meV resolution records (Eberly-Wodkiewicz
physical spectrum; the filter also sets a {1 / filter_fwhm:g} ps time resolution).

| | coupled domain | one NC |
|---|---|---|
| line FWHM (meV) | {width['coupled']:.3g} | {width['single']:.3g} |
| coherence time tau_c = int abs(g1)^2 dtau (ps) | {tc_coupled:.3g} | {tc_single:.3g} |

The burst broadens the line of the point-like domain (its photons leave within ~tau_SF) and shortens its
first-order coherence time to {tc_coupled / tc_single:.2g} times the single-NC value: in this model the
coherence-time gain reported for superlattices does not come from a burst of a point-like domain. A
point-like domain also has no dipole-dipole shift. The shift comes from the lattice: a
{'x'.join(str(s) for s in lattice.shape)} superlattice (lattice constant {PARAMETERS['lattice_constant'][0]:g} nm)
with one thermalised exciton at 6 K emits its coupled line {pl.attrs['shift_meV']:+.2f} meV from the uncoupled
line (FWHM {pl.attrs['coupled_fwhm_meV']:.2g} meV against {pl.attrs['uncoupled_fwhm_meV']:.2g} meV); its size
grows with the lattice (`python scripts/red_shift.py`).
""")
    doc.facts.update(coherence_coupled=tc_coupled, coherence_single=tc_single, shift_meV=pl.attrs["shift_meV"],
                     lattice_shape=lattice.shape, coherence_fluence=fluence, coherence_excited=n)
    doc.figure("spectrum.png", "Left: time-integrated spectra of the coupled domain and of one NC; middle: "
                               "first-order coherence abs(g1(tau)); right: weak-excitation PL of the superlattice "
                               "at 6 K, coupled and uncoupled.")
    doc.figure("spectrogram.png", "Spectrogram of the burst: filtered emission versus time and wavelength.")
