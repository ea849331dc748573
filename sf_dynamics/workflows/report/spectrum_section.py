"""Report section 2, the two emission bands as a spectrometer and a Michelson interferometer see them: the
Sample's time-integrated PL at the highest fluence (the domains' collective line, red-shifted by the
superlattice's dipole-dipole coupling, beside the uncoupled NCs' inhomogeneous line) and the first-order
coherence g1(tau) of each band.
"""

from __future__ import annotations

import warnings

import numpy as np

__all__ = ["spectrum_section"]

#: speed of light (mm/ps): path difference of a Michelson interferometer per ps of delay
C_MM_PER_PS = 0.299792458


def spectrum_section(doc, ctx):
    """Section 2: PL of the two bands (shift and width ratio) and their coherence times (ratio).

    Parameters
    ----------
    doc : Document
        The report being written; the section adds its text, figures and the ``facts`` later sections quote.
    ctx : Context
        Folder, inputs and the report's Sample.
    """
    import matplotlib.pyplot as plt

    from ... import analysis, spectra, thermal
    from ...geometry import Superlattice
    from ..signatures import uncoupled_g1

    sample, inputs = ctx.sample, ctx.inputs
    p = float(doc.facts["probability"][-1])
    fluence = float(doc.facts["fluences"][-1])
    step, window = 2.0, 150.0
    grid = np.arange(0.0, window + step / 2, step)
    lattice = Superlattice.cubic(*(3, 3, 3) if ctx.quick else (6, 6, 6), lattice_constant_nm=inputs["lattice_constant"])
    pl = thermal.photoluminescence(lattice, inputs["temperature"], dephasing=sample.dephasing)
    shift = float(pl.attrs["shift_meV"])
    energy = np.arange(-3.0 * inputs["inhomogeneous_fwhm"], 3.0 * inputs["inhomogeneous_fwhm"], 0.01)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", spectra.CoherenceWindowWarning)
        bands = sample.spectra(energy, grid, p=p, coupled_shift_meV=shift)
    coupled_band, uncoupled_band = bands["coupled_band"].values, bands["uncoupled_band"].values
    peak_c = float(energy[np.argmax(coupled_band)])
    peak_u = float(energy[np.argmax(uncoupled_band)])
    fwhm_c, fwhm_u = bands.attrs["coupled_fwhm_meV"], bands.attrs["uncoupled_fwhm_meV"]
    taus = np.concatenate([[0.0], np.geomspace(1e-3, window, 400)])
    g1_u = uncoupled_g1(taus, inputs["inhomogeneous_fwhm"], sample.coherence_time_ps)
    tc_u = analysis.coherence_time(taus, g1_u)
    tc_c = bands.attrs["collective_coherence_time_ps"]
    bands.attrs.update(coherence_time_coupled_ps=tc_c, coherence_time_uncoupled_ps=tc_u, fluence_uJ_cm2=fluence,
                       lattice_shift_meV=shift, coupled_band_peak_meV=peak_c, uncoupled_band_peak_meV=peak_u)
    ctx.save_dataset(bands, "spectrum", method=bands.attrs["method"])
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), constrained_layout=True)
    axes[0].plot(energy, coupled_band, label=f"coupled band (domains, collective line), FWHM {fwhm_c:.2g} meV")
    axes[0].plot(energy, uncoupled_band, label=f"uncoupled band (single-NC line), FWHM {fwhm_u:.3g} meV")
    axes[0].set_yscale("log")
    axes[0].set_ylim(max(uncoupled_band.max(), coupled_band.max()) * 1e-4, None)
    axes[0].set_xlabel("energy from the NC line (meV)")
    axes[0].set_ylabel("photons / meV per NC")
    axes[0].legend(frameon=False, fontsize=8)
    g1_c = np.abs(bands["g1_collective"].values)
    axes[1].semilogx(grid[1:] * C_MM_PER_PS, g1_c[1:], label=f"coupled band, tau_c = {tc_c:.3g} ps")
    axes[1].semilogx(taus[1:] * C_MM_PER_PS, np.abs(g1_u[1:]), label=f"uncoupled band, tau_c = {tc_u:.2g} ps")
    axes[1].set_xlabel("Michelson path difference (mm)")
    axes[1].set_ylabel(r"$|g^{(1)}|$")
    axes[1].legend(frameon=False, fontsize=8)
    ctx.save_figure(fig, "spectrum.png")
    doc.text(f"""
## 2. The two emission bands: spectrum and first-order coherence

The sample at {fluence:.3g} uJ/cm^2 (p = {p:.3f}), time-integrated. The coupled band is the domains' collective
emission, from G1(t, tau) by the quantum regression theorem (`{bands.attrs['method']}`); a point-like domain has no
dipole-dipole shift, so the line is placed at the shift of the lowest bright states of a
{'x'.join(str(s) for s in lattice.shape)} superlattice (a = {inputs['lattice_constant']:g} nm), its thermalised
weak-excitation PL at {inputs['temperature']:g} K: {shift:+.3g} meV (an input of this spectrum, not a result of the
burst; it grows with the lattice, `python scripts/red_shift.py`). The uncoupled band holds the uncoupled NCs and
the local emission of domain NCs: the homogeneous line ({bands.attrs['homogeneous_fwhm_meV']:.2g} meV) spread by
the {inputs['inhomogeneous_fwhm']:g} meV inhomogeneous distribution.

| | coupled band | uncoupled band | ratio |
|---|---|---|---|
| peak (meV from the NC line) | {peak_c:+.3g} | {peak_u:+.3g} | shift {peak_c - peak_u:+.3g} meV |
| FWHM (meV) | {fwhm_c:.3g} | {fwhm_u:.3g} | {fwhm_c / fwhm_u:.3g} |
| coherence time tau_c = int abs(g1)^2 dtau (ps) | {tc_c:.3g} | {tc_u:.3g} | {tc_c / tc_u:.3g} |

A Michelson interferometer resolves both coherence times with path differences from
{taus[1] * C_MM_PER_PS * 1e3:.2g} um to {window * C_MM_PER_PS:.3g} mm (delays {taus[1]:g} to {window:g} ps): the
uncoupled band's g1 is the analytic one of a Gaussian spread of lines, the coupled band's is simulated on
{step:g} ps steps, well below its coherence time.
""")
    doc.facts.update(shift_meV=peak_c - peak_u, width_ratio=fwhm_c / fwhm_u, coupled_fwhm=fwhm_c,
                     coherence_coupled=tc_c, coherence_uncoupled=tc_u, coherence_fluence=fluence,
                     lattice_shape=lattice.shape, lattice_shift_meV=shift)
    doc.figure("spectrum.png", "Left: time-integrated PL of the two bands (log scale); right: first-order coherence "
                               "abs(g1) of each band against the Michelson path difference.")
