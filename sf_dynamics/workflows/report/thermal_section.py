"""Report section 5, thermal decoherence: the equilibrium enhancement of a cubic superlattice against
temperature, and the report's Sample across temperature with phonon dephasing and the burst test of section 1.
"""

from __future__ import annotations

import numpy as np

__all__ = ["thermal_section"]


def thermal_section(doc, ctx):
    """Section 5: equilibrium enhancement of a superlattice against temperature and the dynamical sweep.

    Parameters
    ----------
    doc : Document
        The report being written; the section adds its text, figures and the ``facts`` later sections quote.
    ctx : Context
        Folder, inputs and the report's Sample.
    """
    from ...plotting import plot_enhancement, plot_temperature_sweep
    from ..sweep import thermal_sweep

    quick, inputs = ctx.quick, ctx.inputs
    temps = np.geomspace(0.5, 300.0, 10 if quick else 16)
    size = (4, 4, 4) if quick else (6, 6, 6)
    a = inputs["lattice_constant"]
    curves = []
    for w in (0.0, 0.5):
        ds = thermal_sweep("cubic", size, temps, realizations=1 if w == 0 else 2, energy_disorder_meV=w,
                           lattice_constant_nm=a, executor="serial", seed=ctx.seed, progress=False)
        ctx.save_dataset(ds, f"thermal_W{w:g}meV", method="thermal dense")
        curves.append(ds)
    ctx.save_figure(plot_enhancement(curves, labels=["W = 0", "W = 0.5 meV"]).figure, "thermal_enhancement.png")
    p = float(doc.facts["probability"][-1])
    shots = 500 if quick else 2000
    dyn = ctx.sample.temperature_sweep(np.linspace(4.0, 100.0, 7 if quick else 13), doc.facts["times"], p=p,
                                       method="jumps", method_options={"trajectories": shots, "seed": ctx.seed},
                                       executor="serial", progress=False)
    ctx.save_dataset(dyn, "dynamic_sweep", method=dyn.attrs.get("method"))
    ctx.save_figure(plot_temperature_sweep(dyn)[0].figure, "dynamic_sweep.png")
    a0, a1 = curves[0].attrs, curves[1].attrs
    shape = "x".join(map(str, size))
    doc.text(f"""
## 5. Thermal decoherence

Thermal-equilibrium superradiance of a simple cubic {shape} superlattice of triplet NCs (a = {a:g} nm,
lambda = {inputs['wavelength']:g} nm): the enhancement <Gamma>_T / gamma is {a0['low_t_enhancement']:.3g} at
{temps[0]:g} K (the lowest single-excitation states are dark), reaches {a0['max_enhancement']:.3f} at
{a0['t_max']:.3g} K and crosses 1 at {a0['t_cross']:.3g} K; with W = 0.5 meV energy disorder:
{a1['low_t_enhancement']:.3g} at {temps[0]:g} K, maximum {a1['max_enhancement']:.3f}. High-T law
1 + {a0['high_t_coefficient_K']:.3g} K / T.
""")
    doc.figure("thermal_enhancement.png", "Equilibrium enhancement <Gamma>_T / gamma versus temperature.")
    vanish = dyn.attrs["t_sf_vanishes_K"]
    vanish_text = (f"the burst test fails from ~{vanish:.3g} K on (interpolated between the sweep points)"
                   if np.isfinite(vanish) else "the burst survives the whole sweep")
    doc.text(f"""
The sample of section 1 at its highest fluence (p = {p:.3f}) from {float(dyn['temperature'][0]):g} to
{float(dyn['temperature'][-1]):g} K: the domains of {dyn.attrs['n']} NCs with phonon dephasing gamma_phi(T) from the
same linewidth model that sets the report's dephasing at {inputs['temperature']:g} K, sampled exactly ({shots}
shots of `jumps` per temperature, seed {ctx.seed}), and the burst test of section 1 ({dyn.attrs['criterion']}):
tau_D = {float(dyn['tau_d'][0]):.3g} ps at {float(dyn['temperature'][0]):g} K; {vanish_text}. tau_D and tau_SF are
not shown where the test fails.
""")
    doc.facts.update(vanish_K=vanish, sweep_n=dyn.attrs["n"], sweep_t_max=float(dyn["temperature"][-1]),
                     sweep_t_min=float(dyn["temperature"][0]))
    doc.figure("dynamic_sweep.png", "The sample across temperature: tau_D (where the burst test holds) and tau_SF "
                                    "(where its sech^2 fit is good), peak over the rate at excitation, and the "
                                    "normalised emission map.")
