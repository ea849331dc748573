"""Physical bounds every run must keep, checked by the front door after the run.

The bounds (design notes, "Invariants"):

* the photon emission rate I(t) >= 0;
* the excitation sum_i <s+_i s-_i> between 0 and N: N emitters; for triplet nanocrystals N nanocrystals (one
  exciton each at most, summed over its three sublevels); for a slab its N emitters;
* the trace of the density matrix 1 where the method keeps one (``data["trace"]`` of ``exact``,
  ``permutational`` and ``dicke``).

What counts as a violation:

* **Deterministic methods** (an integrator with ``rtol``/``atol``, or none): a bound broken by more than
  :data:`ROUND_OFF` (relative: of the peak intensity, of N, of the trace 1) plus the method's ``atol`` (the
  level below which its integrator cannot tell a value from zero; the variables are per-emitter
  expectation values or probabilities, so ``atol`` is already relative; ``rtol`` bounds the error
  relative to each value, which near a bound, a value near zero, is below ``atol``). Up to :data:`GROSS` it warns
  (:class:`InvariantWarning`) naming the options to tighten; beyond it the result is not even
  qualitatively right, and it is refused (ValueError) when the run's ``rtol``/``atol`` are looser than the
  method's defaults. At the defaults a violation only warns: the second-order ``cumulant`` closure is not
  positivity preserving, so a converged run may go slightly negative; the warning names both causes.
* **Sampling methods** (``twa``, ``jumps``, ``maxwell_bloch`` with its noise initiation; its mean-field
  ``tipping`` initiation is deterministic): the averages carry standard errors, and a
  mean within sampling noise of a bound is no violation (the truncated-Wigner intensity estimator is
  negative within noise where the emission is dark). A violation is a mean beyond the bound by more than
  the Student-t quantile of the same one-sided false-alarm probability as 5 standard errors of a normal
  mean (:data:`SAMPLING_SIGMAS`; more for a handful of trajectories, whose standard error is itself
  uncertain); it warns naming ``dt`` and ``trajectories``. Where ``twa`` has already flagged its own
  validity (``info["valid_until_ps"]``, with a TWAValidityWarning) only the times before are checked.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from .._warnings import warn_caller

__all__ = ["check", "violations", "InvariantWarning", "ROUND_OFF", "GROSS", "SAMPLING_SIGMAS"]

#: relative round-off allowed on every bound: double precision accumulated over up to ~10^6 steps and
#: ~10^7 ladder states (measured violations of the exact methods at their defaults: below 2e-12)
ROUND_OFF = 1e-9
#: a bound broken by more than this share of its scale (peak intensity, N, trace 1) makes the result
#: qualitatively wrong (what is read off a trace, tau_D, the peak, the photons, to a few per cent is then
#: not there): refused when the tolerances were loosened
GROSS = 0.05
#: standard errors of a normal mean beyond which a sampled average is outside sampling noise
SAMPLING_SIGMAS = 5.0

#: what, besides a loose integration, can break a bound, per method
_CAUSES = {
    "cumulant": ("or, if it persists at tighter tolerances, the second-order cumulant closure, which does not "
                 "keep the intensity and populations within their bounds (compare with 'permutational' or "
                 "'exact')"),
}


class InvariantWarning(RuntimeWarning):
    """A result leaves a physical bound (intensity >= 0, 0 <= excitation <= N, trace 1) beyond its tolerance."""


def _sampling_quantile(trajectories):
    """Standard errors with the one-sided false-alarm probability of SAMPLING_SIGMAS for a normal mean."""
    from scipy.special import ndtr, stdtrit

    return float(-stdtrit(trajectories - 1, ndtr(-SAMPLING_SIGMAS)))


def violations(times, intensity, excitation=None, n=None, trace=None, *, intensity_sem=None, excitation_sem=None,
               allowance=0.0, sigmas=0.0):
    """The bounds a trace breaks, each by how much (relative to its scale) and where.

    Parameters
    ----------
    times : ndarray (ps)
    intensity : ndarray (photons/ps)
    excitation : ndarray, optional
    n : float, optional
        Upper bound of the excitation (emitters or nanocrystals).
    trace : ndarray, optional
        Trace of the density matrix.
    intensity_sem, excitation_sem : ndarray, optional
        Standard errors of sampled averages.
    allowance : float
        Relative violation allowed on top of :data:`ROUND_OFF`.
    sigmas : float
        Standard errors allowed for sampled averages.

    Returns
    -------
    list of dict
        One per broken bound: ``bound`` (text), ``amount`` (relative to ``scale``), ``scale`` (text),
        ``time`` (ps, where it is largest) and ``sigmas`` (how many standard errors, sampled averages).
    """
    found = []

    def test(bound, excess, scale, name, sem=None):
        slack = (ROUND_OFF + allowance) * scale
        noise = 0.0 if sem is None else sigmas * np.asarray(sem, dtype=float)
        beyond = excess - noise - slack
        if excess.size == 0 or not np.max(beyond) > 0:
            return
        k = int(np.argmax(beyond))
        item = {"bound": bound, "amount": float(excess[k] / scale), "scale": name, "time": float(times[k])}
        if sem is not None:
            item["sigmas"] = float(excess[k] / sem[k]) if sem[k] > 0 else float("inf")
        found.append(item)

    intensity = np.asarray(intensity, dtype=float)
    peak = float(np.max(np.abs(intensity), initial=0.0))
    if peak > 0:
        test("intensity >= 0", -intensity, peak, "of the peak intensity", intensity_sem)
    if excitation is not None and n:
        excitation = np.asarray(excitation, dtype=float)
        test("excitation >= 0", -excitation, float(n), "of N", excitation_sem)
        test(f"excitation <= N = {n:g}", excitation - n, float(n), "of N", excitation_sem)
    if trace is not None:
        test("trace = 1", np.abs(np.asarray(trace, dtype=float) - 1.0), 1.0, "of 1")
    return found


def _tolerances(typed):
    """The run's tolerance options that exist, and those looser than the method's defaults."""
    given, loose = {}, []
    for f in dataclasses.fields(typed):
        if f.name in ("rtol", "atol", "tol") and getattr(typed, f.name) is not None:
            given[f.name] = getattr(typed, f.name)
            if f.default is not None and given[f.name] > f.default:
                loose.append(f.name)
    return given, loose


def _describe(method, items):
    parts = []
    for item in items:
        where = f"at t = {item['time']:.4g} ps"
        noise = f", {item['sigmas']:.3g} standard errors" if "sigmas" in item else ""
        parts.append(f"{item['bound']} is broken by {100 * item['amount']:.3g} % {item['scale']} {where}{noise}")
    return f"{method.name}: " + "; ".join(parts)


def _sampling(out, method, typed):
    times = out.times
    data, info = out.data, out.info
    keep = slice(None)
    valid = info.get("valid_until_ps")
    if valid is not None:
        keep = times <= valid
    sem = {key: np.asarray(data[key])[keep] for key in ("intensity_sem", "excitation_sem") if key in data}
    trajectories = info.get("trajectories_done", info.get("trajectories"))
    if not trajectories or trajectories < 2:     # no standard error to judge by
        return
    excitation = out.excitation[keep] if "excitation_sem" in sem else None
    found = violations(times[keep], out.intensity[keep], excitation, float(out.parameters.get("n", 0.0)),
                       intensity_sem=sem["intensity_sem"],
                       excitation_sem=sem.get("excitation_sem"), sigmas=_sampling_quantile(trajectories))
    if found:
        step = " a smaller time step (dt) or" if any(f.name == "dt" for f in dataclasses.fields(typed)) else ""
        warn_caller(f"{_describe(method, found)}: beyond the sampling noise of {trajectories} trajectories; "
                    f"use{step} more trajectories", InvariantWarning)


def check(out, method, typed):
    """Warn about, or refuse, a run whose result leaves a physical bound (see the module notes).

    Parameters
    ----------
    out : Result or xarray.Dataset
        The front door's output (a Dataset is checked for a non-negative ``intensity`` when the method
        is deterministic).
    method : Method
    typed : Options
        The options the run used.

    Raises
    ------
    ValueError
        For a bound broken by more than :data:`GROSS` of its scale after the tolerances were loosened,
        naming them.

    Warns
    -----
    InvariantWarning
        For a smaller violation, or one at the default tolerances.
    """
    is_result = hasattr(out, "excitation") and hasattr(out, "parameters")
    if method.sampling and not (is_result and "intensity_sem" not in out.data):
        if is_result:       # (sampled correlations carry no standard error of G1(t, 0) to judge by)
            _sampling(out, method, typed)
        return
    given, loose = _tolerances(typed)
    allowance = float(given.get("atol", 0.0) or 0.0)
    if is_result:
        trace = out.data["trace"] if "trace" in out.data else None
        found = violations(out.times, out.intensity, out.excitation, float(out.parameters.get("n", 0.0)), trace,
                           allowance=allowance)
    elif "intensity" in getattr(out, "data_vars", {}) and out["intensity"].dims == ("time",):
        found = violations(out["time"].values, out["intensity"].values, allowance=allowance)
    else:
        return
    if not found:
        return
    text = _describe(method, found)
    settings = ", ".join(f"{k} = {v:g}" for k, v in given.items())
    gross = max(item["amount"] for item in found) > GROSS
    if gross and loose:
        defaults = {f.name: f.default for f in dataclasses.fields(typed)}
        raise ValueError(f"{text}: the result is wrong beyond {GROSS:.0%} of the bound's scale because the "
                         f"integration is too loose ({', '.join(f'{k} = {given[k]:g}' for k in loose)}; defaults "
                         f"{', '.join(f'{k} = {defaults[k]:g}' for k in loose)}): tighten {' and '.join(loose)}")
    advice = f"tighten {' and '.join(given)} ({settings})" if given else "report it: this method should keep it"
    cause = _CAUSES.get(method.name, "")
    warn_caller(f"{text}: beyond round-off and the integrator's tolerance; {advice}{' ' + cause if cause else ''}",
                InvariantWarning)
