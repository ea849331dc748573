"""Numba kernels: the hot loops, leaves of the package (they import only numpy, numba and each other).

* ``dicke_basis``: Liouvillian of the permutation-invariant master equation in the Dicke basis;
* ``cumulant``, ``triplet``: right-hand sides of the second-order cumulant equations;
* ``twa``, ``class_spins``: truncated-Wigner and Maxwell-Bloch trajectories;
* ``stages``: Runge-Kutta stage combinations and error norms (serial twins in ``jit``);
* ``peaks``: sub-sample peak location;
* ``jumps``: exact photon-counting trajectories (the Dicke-basis populations as a Markov chain);
* ``lagged``: lagged products of sampled fields (two-time correlations of trajectories);
* ``sectors``: the Lindblad generator of ``exact`` applied block by block on an excitation-difference sector.
"""

__all__: list[str] = []
