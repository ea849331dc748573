"""The full 2^N (4^n) density-matrix master equation, sector by sector (method ``"exact"``).

The ground truth of sf_dynamics for small ensembles (n <= 12 two-level emitters, n <= 5 triplet
nanocrystals): any detunings, the general decay matrix Gamma_ij and coherent coupling Omega_ij, local
dephasing and pumping. Emitter i's lowering operator is ``qutip.destroy(2)`` on factor i (|1> = excited).
The model's operators are built with QuTiP (:func:`model_channels`); every process conserves the
difference q of the ket's and the bra's excitation numbers, so the Liouvillian is block diagonal in q and
each sector is propagated on its own, matrix-free (:mod:`sf_dynamics.solvers._sectors`), with the exact
matrix-exponential action. Only the full density matrix of a start with coherences between excitation
numbers (``store_states``) takes QuTiP's full Liouvillian (n <= 10; 4 nanocrystals), with collapse
operators sqrt(lambda_k) sum_i v_ki s-_i from Gamma = sum_k lambda_k v_k v_k^T.
"""

from .capabilities import DEFAULT_MAX_PRODUCTS as DEFAULT_MAX_PRODUCTS
from .capabilities import MAX_EMITTERS, MAX_NANOCRYSTALS, NAME, unsupported_reason
from .capabilities import MAX_FULL_EMITTERS as MAX_FULL_EMITTERS
from .capabilities import MAX_FULL_NANOCRYSTALS as MAX_FULL_NANOCRYSTALS
from .correlations import first_order_correlation, second_order_correlation
from .counting import counting_moments
from .model import build_model, detector_channels, initial_density_matrix, model_channels
from .propagation import DENSE_PROPAGATOR_MAX as DENSE_PROPAGATOR_MAX
from .propagation import solve

__all__ = ["NAME", "MAX_EMITTERS", "MAX_NANOCRYSTALS", "unsupported_reason", "solve", "build_model",
           "model_channels", "initial_density_matrix", "detector_channels", "first_order_correlation",
           "second_order_correlation", "counting_moments"]
