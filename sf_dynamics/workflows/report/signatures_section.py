"""Report section 6: the signatures of Rainò et al. (2018), each a stated test on the report's one Sample.

Each row says how the simulated experiment measured the quantity, the criterion, the simulated no-SF baseline
that fails it, the numbers and the verdict.
"""

from __future__ import annotations

import numpy as np

__all__ = ["signatures_section", "signature_results"]


def _acceleration(facts, irf):
    """Decay times of the two recorded bands at the highest fluence (same IRF, same fit) and their ratio."""
    from ..signatures import band_decay_time

    series = facts["series"]
    times = series["time"].values
    coupled = band_decay_time(times, series["recorded_coupled_band"].values[-1], irf)
    uncoupled = band_decay_time(times, series["recorded_uncoupled_band"].values[-1], irf)
    ratio = uncoupled["tau"] / coupled["tau"]
    error = ratio * np.hypot(uncoupled["tau_error"] / uncoupled["tau"], coupled["tau_error"] / coupled["tau"])
    return coupled, uncoupled, ratio, error


def signature_results(facts, irf):
    """The signature tests (key of :data:`~sf_dynamics.workflows.signatures.REPORTED` -> SignatureTest).

    Parameters
    ----------
    facts : dict
        The numbers sections 1-5 computed (``Document.facts``).
    irf : float
        FWHM (ps) of the streak camera's response.

    Returns
    -------
    dict
    """
    from ..signatures import DECAY_FLOOR, SignatureTest
    from .bunching_section import SIGMA_LEVEL

    f = facts
    tests = {}
    shift, ratio_w = f["shift_meV"], f["width_ratio"]
    tests["red_shift"] = SignatureTest(
        "time-integrated PL of the two bands at the highest fluence (section 2)",
        "coupled band below the uncoupled band by more than its own FWHM, and narrower",
        "uncoupled NCs: shift 0, width ratio 1",
        f"shift {shift:+.3g} meV, width ratio {ratio_w:.3g}",
        bool(shift < -f["coupled_fwhm"] and ratio_w < 1),
        "the shift is the superlattice's weak-excitation shift, placed on the collective line; a point-like "
        "domain's burst has none of its own")
    coupled, uncoupled, accel, accel_err = _acceleration(f, irf)
    tests["acceleration"] = SignatureTest(
        f"exponential fit of each band's recorded decay (same {irf:g} ps IRF; from the peak + 2 IRF widths to "
        f"{DECAY_FLOOR:.0%} of the peak), highest fluence",
        f"tau(uncoupled) / tau(coupled) > 1 by more than {SIGMA_LEVEL:g} fit errors",
        f"independent NCs: both bands decay at Gamma_1, ratio 1 (uncoupled band here: {uncoupled['tau']:.3g} ps)",
        f"{accel:.3g} ± {accel_err:.2g}-fold ({uncoupled['tau']:.3g} / {coupled['tau']:.3g} ps)",
        bool(accel - 1 > SIGMA_LEVEL * accel_err),
        "the coupled band's decay follows the burst's width (tau_SF), which shortens as the inversion grows")
    tc_c, tc_u = f["coherence_coupled"], f["coherence_uncoupled"]
    tests["coherence"] = SignatureTest(
        "tau_c = int abs(g1)^2 of each band in a Michelson interferometer (section 2)",
        "tau_c(coupled) / tau_c(uncoupled) > 1",
        "uncoupled band alone: ratio 1; its tau_c is set by the inhomogeneous spread",
        f"{tc_c / tc_u:.3g}-fold ({tc_c:.3g} / {tc_u:.2g} ps)",
        bool(tc_c > tc_u),
        "the gain is against the inhomogeneous ensemble line, not against one NC")
    b = f["bunching"]
    tests["bunching"] = SignatureTest(
        "g2 of each band under the same detection: fast HBT at the peak; photon counting per pulse (section 4)",
        f"coupled g2 above 1 and above the uncoupled band's by more than {SIGMA_LEVEL:g} standard errors",
        "uncoupled band: chaotic in one mode (2 (1 - 1/N)), binomial per pulse (1 - 1/N)",
        "; ".join(f"{name}: {min(r[0] for r in rows):.4g} to {max(r[0] for r in rows):.4g} vs {rows[0][2]:.4g}"
                  for name, rows in (("fast", b["fast"]), ("per pulse", b["pulse"])) if rows) or "no burst",
        bool(b["discriminates"]) if b["bursts"] else None,
        ("; ".join(f"{'fast HBT' if k == 'fast' else 'per pulse'}: {n} of {b['bursts']} bursts"
                   for k, n in b["discriminates"].items()) if b["discriminates"] else
         "g2 does not discriminate SF from uncoupled light here") if b["bursts"] else "no burst to test")
    bursts = np.isfinite(f["tau_d"])
    tau_d = f["tau_d"][bursts]
    threshold = f["threshold_fluence"]
    shortening = bool(bursts.sum() >= 2 and np.all(np.diff(tau_d) < 0))
    tests["delay"] = SignatureTest(
        "tau_D of the domains' emission at each fluence, only where the burst test holds (section 1)",
        "a burst above a threshold fluence, tau_D shortening with fluence",
        "independent NCs: peak / rate at excitation = 1 at every fluence, no burst",
        (f"threshold {threshold:.3g} uJ/cm^2; tau_D {tau_d[0]:.3g} -> {tau_d[-1]:.3g} ps" if bursts.any() else
         "no burst"),
        shortening, "" if shortening else "fewer than two bursts, or tau_D does not shorten")
    tests["ringing"] = SignatureTest(
        "lobes of the recorded burst", "two or more lobes in a single shot",
        "a point-like domain: one lobe",
        f"slab of section 3 (alpha L = {f['slab_optical_depth']:.3g}): {f['ringing_lobes_shot']} lobes per shot, "
        f"{f['ringing_lobes_average']} in the average",
        None,
        "not expected for this sample: its domains are point-like, and ringing needs propagation through an "
        "optically thick sample (the slab of section 3 is a different, extended sample)")
    vanish = f["vanish_K"]
    tests["temperature"] = SignatureTest(
        "the burst test of section 1 across temperature at the highest fluence (section 5)",
        f"a burst at {f['sweep_t_min']:g} K that the test stops finding as the dephasing grows",
        "no burst at any temperature",
        f"{vanish:.3g} K" if np.isfinite(vanish) else f"burst survives to {f['sweep_t_max']:g} K",
        bool(np.isfinite(vanish) and vanish > f["sweep_t_min"]),
        "the value depends on the domain size, the excitation and the linewidth model, all stated above")
    return tests


def signatures_section(doc, ctx):
    """Section 6: the Rainò signatures, each a stated test on the numbers of sections 1-5.

    Parameters
    ----------
    doc : Document
        The report being written; the section adds its text.
    ctx : Context
        Folder, inputs and the report's Sample.
    """
    from ..signatures import signature_tests

    tests = signature_results(doc.facts, ctx.inputs["irf_fwhm"])
    doc.facts["signatures"] = tests
    doc.text(f"""
## 6. The signatures: each a stated test on the same sample

Every row is computed from the one sample of this report (inputs at the top) the way the experiment measures
it, with the criterion, the simulated baseline without superfluorescence that fails it, and the verdict.
Reported values are Rainò et al., Nature 563, 671 (2018) for CsPbX3 superlattices.

{signature_tests(tests)}
""")
