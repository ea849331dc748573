"""Report section 5, thermal decoherence: the equilibrium enhancement of a cubic superlattice against
temperature, and the dynamical temperature sweep with phonon dephasing.
"""

from __future__ import annotations

import numpy as np

from .parameters import PARAMETERS, nc_rates

__all__ = ["thermal_section"]


def thermal_section(doc, out, quick, overwrite):
    """Section 5: equilibrium enhancement of a superlattice against temperature and the dynamical sweep.

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
    from ..._io import save_dataset, save_figure
    from ...plotting import plot_enhancement, plot_temperature_sweep
    from ..sweep import dynamic_temperature_sweep, thermal_sweep

    temps = np.geomspace(0.5, 300.0, 10 if quick else 16)
    size = (4, 4, 4) if quick else (6, 6, 6)
    a = PARAMETERS["lattice_constant"][0]
    curves = []
    for w in (0.0, 0.5):
        ds = thermal_sweep("cubic", size, temps, realizations=1 if w == 0 else 2, energy_disorder_meV=w,
                           lattice_constant_nm=a, executor="serial")
        save_dataset(ds, out / f"thermal_W{w:g}meV", overwrite=overwrite, method="thermal dense",
                     command="sf-dynamics report")
        curves.append(ds)
    save_figure(plot_enhancement(curves, labels=["W = 0", "W = 0.5 meV"]).figure, out / "thermal_enhancement.png",
                overwrite=overwrite)
    gamma, share, _ = nc_rates()
    dyn = dynamic_temperature_sweep(np.linspace(4.0, 100.0, 7 if quick else 13),
                                    n=150 if quick else int(PARAMETERS["domain_nanocrystals"][0]),
                                    collective_decay=share * gamma, decay=(1 - share) * gamma, executor="serial")
    save_dataset(dyn, out / "dynamic_sweep", overwrite=overwrite, method=dyn.attrs.get("method"),
                 command="sf-dynamics report")
    save_figure(plot_temperature_sweep(dyn)[0].figure, out / "dynamic_sweep.png", overwrite=overwrite)
    a0, a1 = curves[0].attrs, curves[1].attrs
    shape = "x".join(map(str, size))
    doc.text(f"""
## 5. Thermal decoherence

Thermal-equilibrium superradiance of a simple cubic {shape} superlattice of triplet NCs (a = {a:g} nm,
lambda = {PARAMETERS['wavelength'][0]:g} nm): the enhancement <Gamma>_T / gamma is {a0['low_t_enhancement']:.3g} at
{temps[0]:g} K (the lowest single-excitation states are dark), reaches {a0['max_enhancement']:.3f} at
{a0['t_max']:.3g} K and crosses 1 at {a0['t_cross']:.3g} K; with W = 0.5 meV energy disorder:
{a1['low_t_enhancement']:.3g} at {temps[0]:g} K, maximum {a1['max_enhancement']:.3f}. High-T law
1 + {a0['high_t_coefficient_K']:.3g} K / T.
""")
    doc.figure("thermal_enhancement.png", "Equilibrium enhancement <Gamma>_T / gamma versus temperature.")
    vanish = dyn.attrs["t_sf_vanishes_K"]
    vanish_text = (f"the burst vanishes (peak < {dyn.attrs['sf_threshold']} x the rate at excitation) at "
                   f"~{vanish:.3g} K" if np.isfinite(vanish) else "the burst survives the whole sweep")
    doc.text(f"""
Dynamics of {dyn.attrs['n']} fully inverted NCs in a point-like domain with the rates of section 1 and phonon
dephasing gamma_phi(T) (linewidth model of `sf_dynamics.thermal`): tau_D = {float(dyn['tau_d'][0]):.3g} ps at
{float(dyn['temperature'][0]):g} K; {vanish_text}.
tau_D and tau_SF are not shown where there is no burst.
""")
    doc.facts.update(vanish_K=vanish, sweep_n=dyn.attrs["n"], sweep_t_max=float(dyn["temperature"][-1]))
    doc.figure("dynamic_sweep.png", "Dynamical temperature sweep: tau_D (where a burst exists) and tau_SF (where its "
                                    "sech^2 fit is good), peak over the rate at excitation, and the normalised "
                                    "emission map.")
