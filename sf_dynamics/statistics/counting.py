"""Photons counted per pulse: mean, second factorial moment and the integrated g2 of a slow detector.

A Hanbury Brown-Twiss setup with detectors slower than the pulse compares
coincidences within one pulse to those between pulses: the ratio is the
integrated g2 = <n(n - 1)> / <n>^2 of the photon number n detected per pulse.
Each emitted photon of the collective channel is detected with probability
eta (``efficiency``), each of the local channel with eta_l
(``local_efficiency``), independently: <n> = eta <n_c> + eta_l <n_l> and
<n(n - 1)> = eta^2 <n_c(n_c - 1)> + 2 eta eta_l <n_c n_l> + eta_l^2
<n_l(n_l - 1)>. For one channel eta cancels in g2 (binomial thinning keeps
factorial moments' ratios); mixing channels does not.
"""

from __future__ import annotations

from ..methods import capable, frontdoor
from ..methods.counting import shot_counts

__all__ = ["photon_counts", "shot_counts", "COUNTING_METHODS"]

#: methods of photon_counts, in order of preference for method="auto" (the sampling ones only by name)
COUNTING_METHODS = tuple(capable("photon_counts"))


def photon_counts(system, times, *, method="auto", efficiency=1.0, local_efficiency=0.0, initial="excited",
                  options=None, **kwargs):
    """Statistics of the photons detected per pulse from the excitation (t = 0) to times[-1], with the integrated g2.

    Parameters
    ----------
    system : Ensemble
        Two-level emitters with collective decay (``exact`` also counts the
        total emission of any ensemble: ``efficiency`` then applies to every
        photon).
    times : array_like
        Times (ps) >= 0: photons are counted from the excitation at t = 0 to
        times[-1]; deterministic methods also report every earlier time as a
        gate end.
    method : {"auto", "permutational", "exact", "jumps", "twa"}
        ``permutational`` (exact, identical emitters, any N; the counting
        hierarchy), ``exact`` (n <= 12), ``jumps`` (exact shots: adds the
        photon-number distribution; sampling error), ``twa`` (approximate:
        the classical intensity of all channels integrated over the gate, W,
        per trajectory, with <n(n - 1)> = eta^2 <W^2> (Mandel's
        photodetection formula); needs local_efficiency = efficiency when
        decay > 0). ``auto`` takes the first of
        permutational/exact that can.
    efficiency : float
        eta in (0, 1]: probability that a photon of the collective channel is
        detected (``exact`` with coupling matrices: of any photon).
    local_efficiency : float
        eta_l in [0, 1]: the collected fraction of local-channel photons
        (emitted independently by each emitter at the rate ``decay``).
    initial : str or state
    options, **kwargs
        The method's options that act on counting (``docs/methods.md``):
        ``rtol``, ``max_steps`` (permutational, default rtol 1e-8),
        ``progress``; ``trajectories``, ``seed`` and ``executor`` for ``jumps``
        and ``twa``.

    Returns
    -------
    xarray.Dataset
        Scalars ``mean_count`` (<n>), ``factorial_moment`` (<n(n - 1)>) and ``g2``
        of the whole gate; deterministic methods add ``gated_mean_count`` and
        ``gated_g2`` over ``time`` (counting in [0, t]); sampling
        methods add ``mean_count_sem``, ``g2_sem``, ``probability`` and
        ``poisson`` (the Poisson law of the same mean) over ``photons``
        (histogram of the detected number per shot; for ``jumps`` the
        detected photons are drawn binomially from each shot's emitted ones
        with the run's seed, while the moments use the exact thinning
        formula), and the photons ``emitted_collective`` and
        ``emitted_local`` per ``shot``. Attributes: ``method``,
        ``efficiency``, ``local_efficiency``, ``gate_ps``, ``initial``.

    Raises
    ------
    ValueError
        For efficiencies outside their range or with nothing to detect, bad
        times, an unknown, duplicated or misplaced option, a local efficiency
        with twa that differs from efficiency, or a problem the method cannot represent.
    """
    return frontdoor.run("photon_counts", system, times, method=method, initial=initial, options=options,
                         kwargs=kwargs, efficiency=efficiency, local_efficiency=local_efficiency)
