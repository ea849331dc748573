"""Report section 6: the five signatures of Rainò et al. (2018), reported against what sections 1-5 simulated.
"""

from __future__ import annotations

import numpy as np

from .parameters import PARAMETERS

__all__ = ["signatures_section"]


def signatures_section(doc, out, quick, overwrite):
    """Section 6: the five Rainò signatures, reported against the numbers of sections 1-5.

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
    from ..signatures import ensemble_coherence_time, signature_table

    f = doc.facts
    tau_1 = PARAMETERS["radiative_lifetime"][0]
    t2 = PARAMETERS["coherence_time"][0]
    width = PARAMETERS["inhomogeneous_fwhm"][0]
    bursts = np.isfinite(f["tau_d"])
    tc_ensemble = ensemble_coherence_time(width, t2)
    simulated = {
        "red_shift": (f"{f['shift_meV']:+.2f} meV",
                      f"weak-excitation PL of a {'x'.join(map(str, f['lattice_shape']))} superlattice at 6 K "
                      "(section 2); a point-like domain has no dipole-dipole shift, and the shift grows with the "
                      "lattice (`scripts/red_shift.py`)"),
        "acceleration": (f"{tau_1 / f['tau_sf_last']:.3g}-fold" if np.isfinite(f["tau_sf_last"]) else "no fit",
                         f"single-NC lifetime {tau_1:g} ps over tau_SF = {f['tau_sf_last']:.3g} ps of the recorded "
                         f"burst at N = {int(f['excited'][-1])} (section 1); it grows as N Gamma_c"),
        "coherence": (f"{f['coherence_coupled'] / tc_ensemble:.3g}-fold vs the uncoupled ensemble (its {width:g} meV "
                      "spread assumed); "
                      f"{f['coherence_coupled'] / f['coherence_single']:.2g}-fold vs one NC",
                      f"tau_c of the burst {f['coherence_coupled']:.3g} ps (N = {f['coherence_excited']}, section 2) "
                      f"against uncoupled NCs with a {width:g} meV spread of lines ({tc_ensemble:.3g} ps, assumed "
                      f"width) and against one NC's T2 = {f['coherence_single']:.3g} ps: the gain is reached against "
                      "an inhomogeneous ensemble, not against a single NC, whose coherence outlasts a fast burst"),
        "bunching": (f"g2 at the peak {np.min(f['g2_peak']):.3g} - {np.max(f['g2_peak']):.3g}",
                     f"exact shots, N = {int(np.min(f['g2_excited']))} - {int(np.max(f['g2_excited']))} "
                     "(section 4); between coherent light (1) and chaotic light (2 - 2/N)"),
        "delay": ((f"tau_D {f['tau_d'][bursts][0]:.3g} -> {f['tau_d'][bursts][-1]:.3g} ps" if bursts.any() else
                   "no burst"),
                  (f"from {f['fluences'][bursts][0]:.3g} to {f['fluences'][bursts][-1]:.3g} uJ/cm^2 (section 1): "
                   "tau_D ~ ln N / (N Gamma_c)" if bursts.any() else "")),
        "ringing": (f"{f['ringing_lobes_shot']} lobes in a single shot, {f['ringing_lobes_average']} in the average",
                    f"Maxwell-Bloch slab of {f['slab_nanocrystals']:.0e} excited NCs (section 3); a point-like "
                    "domain does not ring: ringing needs propagation through an optically thick sample"),
        "temperature": ((f"{f['vanish_K']:.3g} K" if np.isfinite(f["vanish_K"]) else
                         f"burst survives to {f['sweep_t_max']:g} K"),
                        f"point-like domain of {f['sweep_n']} NCs with phonon dephasing gamma_phi(T) (section 5)"),
    }
    doc.text(f"""
## 6. The five signatures: reported and simulated

One parameter set (the table at the top) and the runs of sections 1-5, side by side with what Rainò et al.
report for CsPbX3 superlattices. Where the model does not reach a reported value, the reading says why.

{signature_table(simulated)}
""")
