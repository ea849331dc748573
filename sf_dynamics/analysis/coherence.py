"""First-order coherence time from g1(tau).

Two definitions, both equal to T2 for an exponentially decaying g1 = e^{-tau/T2}
(one emitter: T2 = 2 / (Gamma + 2 gamma_phi)):

* ``"integral"`` (Mandel & Wolf, Optical Coherence and Quantum Optics, 1995):
  tau_c = int_{-inf}^{inf} |g1(tau)|^2 dtau = 2 int_0^inf |g1|^2 dtau, the
  quantity a Michelson interferometer's fringe-visibility area measures;
* ``"1/e"``: the first delay at which the visibility |g1| falls to 1/e
  (linear interpolation between delays).
"""

from __future__ import annotations

import numpy as np

from .._validation import check_real_array, check_times

__all__ = ["coherence_time", "COHERENCE_DEFINITIONS"]

COHERENCE_DEFINITIONS = ("integral", "1/e")


def coherence_time(taus, g1=None, *, definition="integral"):
    """Coherence time (ps) of a first-order coherence g1(tau).

    Parameters
    ----------
    taus : array_like or xarray.DataArray
        Delays (ps) from 0, strictly increasing; or a DataArray of g1 over a
        ``tau`` coordinate (e.g. :func:`sf_dynamics.spectra.normalized_g1`).
    g1 : array_like, optional
        g1 at the delays (complex or real), normalised or not (it is divided
        by |g1(0)|).
    definition : {"integral", "1/e"}
        See the module docstring.

    Returns
    -------
    float
        tau_c in ps; NaN for "1/e" when |g1| stays above 1/e in the window.

    Raises
    ------
    ValueError
        For mismatched shapes, delays not starting at 0, g1(0) = 0, or an
        unknown definition.
    """
    if g1 is None:
        if hasattr(taus, "data_vars"):
            raise ValueError("coherence_time takes g1 over tau, not a correlation Dataset: pass "
                             "sf.spectra.normalized_g1(correlation)")
        if not hasattr(taus, "coords") or "tau" not in taus.coords:
            raise ValueError("coherence_time needs (taus, g1) arrays or a g1 DataArray with a 'tau' coordinate")
        g1 = np.asarray(taus.values)
        taus = taus["tau"].values
    taus = check_times(taus, name="taus")
    if taus[0] != 0.0:
        raise ValueError(f"taus must start at 0, got {taus[0]:g} ps")
    g1 = np.asarray(g1)
    if g1.shape != taus.shape:
        raise ValueError(f"g1 must have the shape of taus {taus.shape}, got {g1.shape}")
    magnitude = check_real_array("|g1|", np.abs(g1))
    if not magnitude[0] > 0:
        raise ValueError("g1(0) must be nonzero")
    visibility = magnitude / magnitude[0]
    if definition == "integral":
        squared = visibility**2
        return float(2.0 * np.sum(0.5 * (squared[1:] + squared[:-1]) * np.diff(taus)))
    if definition == "1/e":
        below = np.nonzero(visibility < np.exp(-1.0))[0]
        if below.size == 0:
            return float("nan")
        k = int(below[0])
        return float(np.interp(np.exp(-1.0), [visibility[k], visibility[k - 1]], [taus[k], taus[k - 1]]))
    raise ValueError(f"definition must be one of {list(COHERENCE_DEFINITIONS)}, got {definition!r}")
