"""The protocol every system class follows, and the immutability they share.

A *system* is what :func:`sf_dynamics.simulate` takes: :class:`~sf_dynamics.model.Ensemble`
(two-level emitters), :class:`~sf_dynamics.model.NanocrystalEnsemble` (bright triplet
excitons) or :class:`~sf_dynamics.model.Slab` (an extended sample for propagation).
Solvers rely only on the members listed in :class:`System`; each solver's
``unsupported_reason`` then asks for what it needs beyond them (per-emitter
detunings, coupling matrices, ...). Every system is validated in its
constructor (with :mod:`sf_dynamics._validation`) and immutable afterwards:
``replace(...)`` (Ensemble) or a new constructor call makes a changed copy.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

__all__ = ["System", "Frozen", "EMITTER_TYPES"]

#: the kinds of system
EMITTER_TYPES = ("two-level", "triplet", "slab")


@runtime_checkable
class System(Protocol):
    """What every system provides to the solvers.

    Attributes
    ----------
    n : int or float
        Number of emitters (nanocrystals for ``"triplet"``).
    emitter_type : {"two-level", "triplet", "slab"}
    dephasing : float
        Pure-dephasing rate gamma_phi (1/ps).
    is_identical : bool
        True when the emitters are interchangeable (permutation-invariant methods apply).
    has_coupling_matrices : bool
        True when general Gamma_ij / Omega_ij (geometry) are given.
    single_emitter_decay : float
        Mean radiative rate of one emitter (1/ps).
    """

    n: int
    emitter_type: str
    dephasing: float
    is_identical: bool
    has_coupling_matrices: bool
    single_emitter_decay: float

    def parameters(self) -> dict:
        """The system's parameters as a plain dict (for results and files)."""


class Frozen:
    """Mixin: attributes can be set in ``__init__`` only (call ``_freeze()`` at its end)."""

    def _freeze(self):
        object.__setattr__(self, "_frozen", True)

    def __setattr__(self, name, value):
        if getattr(self, "_frozen", False):
            raise AttributeError(f"{type(self).__name__} is immutable: build a new one with the changed {name}")
        object.__setattr__(self, name, value)

    def __delattr__(self, name):
        raise AttributeError(f"{type(self).__name__} is immutable")
