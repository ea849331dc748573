"""Exact permutation-invariant master equation (method ``"permutational"``).

Identical two-level emitters with collective decay, local decay, local pure
dephasing and local pumping (docs/conventions.md). The Liouvillian is
block diagonal in the total cooperation number j and conserves q = m - m'
(see :mod:`sf_dynamics.kernels.dicke_basis`): the populations (q = 0,
O(N^2) states) give the intensity and excitation; for initial states with
coherences (a coherent spin state) the q = 1 sector is also evolved and gives
the collective dipole <J->. The stiff linear system is integrated with the
L-stable SDIRK4 of :mod:`sf_dynamics.integrate.stiff`, whose implicit stages are
direct O(size) solves.
"""

from .capabilities import NAME, unsupported_reason
from .correlations import first_order_correlation, second_order_correlation
from .counting import counting_moments
from .evolution import DENSE_PROPAGATOR_STATES, excitation_emission, product_emission, solve
from .evolution import evolve_ladders as evolve_ladders
from .evolution import step_tolerance as step_tolerance
from .ladders import BYTES_PER_STATE as BYTES_PER_STATE
from .ladders import LADDER_LEAK_TOL as LADDER_LEAK_TOL
from .ladders import LADDER_VECTORS as LADDER_VECTORS
from .ladders import generator_matrix, initial_sectors, ladder_state, product_ladder_weights
from .ladders import initial_ladder_count as initial_ladder_count
from .ladders import ladder_need as ladder_need
from .ladders import stored_states as stored_states

__all__ = ["NAME", "unsupported_reason", "solve", "initial_sectors", "generator_matrix", "ladder_state",
           "product_ladder_weights", "product_emission", "excitation_emission", "DENSE_PROPAGATOR_STATES",
           "first_order_correlation", "second_order_correlation", "counting_moments"]
