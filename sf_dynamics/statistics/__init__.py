"""Photon statistics: second-order coherence, photons per pulse, shot-to-shot delays.

* :func:`second_order`: the two-time intensity correlation G2(t, tau) and the equal-time g2(t)
  (``permutational``: collective channel, any N; ``exact``: any detector, n <= 12);
* :func:`g2`: g2(t) carried by a Result (exact for ``permutational``/``dicke``/``exact``, sampled for
  ``jumps``, a classical-intensity estimate for ``twa``);
* :func:`zero_delay_g2`: the zero-delay g2 of pulsed Hanbury Brown-Twiss with fast detectors;
* :func:`photon_counts`: mean, <n(n - 1)> and integrated g2 of the photons detected per pulse with
  collection efficiencies, and (shots) their distribution; :func:`shot_counts` the same from a ``jumps`` or
  ``twa`` Result already at hand;
* :func:`delay_statistics`, :func:`gumbel_delay_law`, :func:`gumbel_density`: single-shot delays and
  the Gumbel law of pure collective decay; shots the time window cuts are left out with a
  :class:`BurstWindowWarning` (:func:`window_cuts`).
"""

from .counting import COUNTING_METHODS, photon_counts, shot_counts
from .delays import BurstWindowWarning, delay_statistics, gumbel_delay_law, gumbel_density, window_cuts
from .second_order import SECOND_ORDER_METHODS, g2, second_order, zero_delay_g2

__all__ = ["second_order", "g2", "zero_delay_g2", "photon_counts", "shot_counts", "delay_statistics",
           "gumbel_delay_law", "gumbel_density", "window_cuts", "BurstWindowWarning", "SECOND_ORDER_METHODS",
           "COUNTING_METHODS"]
