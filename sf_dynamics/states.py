"""Initial states understood by the solvers.

* ``"excited"`` / :class:`Excited`: every emitter in its upper level, the
  instantaneous-excitation start of superfluorescence (the default).
* ``"ground"`` / :class:`Ground`: every emitter in its lower level.
* :class:`DickeState`: the collective state |j, m> (j = n/2 is the symmetric,
  superradiant ladder), a mixture over the degenerate copies when j < n/2.
* :class:`CoherentSpinState`: every emitter in cos(theta/2)|e> +
  exp(i phi) sin(theta/2)|g>, i.e. the fully inverted state rotated by a
  resonant pulse of area theta (theta = 0: all excited; theta = pi: ground).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import check_real

__all__ = ["Excited", "Ground", "DickeState", "CoherentSpinState", "as_initial_state"]


@dataclass(frozen=True)
class Excited:
    """All emitters excited."""

    name = "excited"

    def describe(self) -> str:
        return "excited"


@dataclass(frozen=True)
class Ground:
    """All emitters in the ground state."""

    name = "ground"

    def describe(self) -> str:
        return "ground"


@dataclass(frozen=True)
class DickeState:
    """Collective Dicke state |j, m>.

    Parameters
    ----------
    j : float
        Total cooperation number, an integer or half-integer with
        ``j_min <= j <= n/2`` (checked against n by the solver).
    m : float
        Collective inversion, ``-j <= m <= j`` with ``j - m`` integer;
        the number of excitations is ``n/2 + m``.
    """

    j: float
    m: float

    def __post_init__(self):
        j = check_real("j", self.j, low=0.0)
        m = check_real("m", self.m)
        if not (2 * j).is_integer():
            raise ValueError(f"j must be an integer or half-integer, got {self.j!r}")
        if abs(m) > j or not (j - m).is_integer():
            raise ValueError(f"m must satisfy -j <= m <= j with j - m integer, got j={self.j!r}, m={self.m!r}")

    def validate_for(self, n: int) -> None:
        """Check that |j, m> exists for ``n`` emitters."""
        if self.j > n / 2 or not (n / 2 - self.j).is_integer():
            raise ValueError(
                f"initial DickeState j={self.j} does not exist for n={n} emitters: "
                f"allowed j = n/2, n/2 - 1, ..., >= 0"
            )

    def describe(self) -> str:
        return f"dicke(j={self.j:g}, m={self.m:g})"


@dataclass(frozen=True)
class CoherentSpinState:
    """Coherent spin state: the inverted state tipped by a pulse of area ``theta``.

    Parameters
    ----------
    theta : float
        Tipping angle (rad) from the fully inverted state, 0 <= theta <= pi.
        Each emitter has excited-state population cos^2(theta/2).
    phi : float, optional
        Azimuthal phase (rad) of the coherence; <s-_i> =
        cos(theta/2) sin(theta/2) exp(-i phi). Default 0.
    """

    theta: float
    phi: float = 0.0

    def __post_init__(self):
        check_real("theta", self.theta, low=0.0, high=np.pi)
        check_real("phi", self.phi)

    @property
    def upper_amplitude(self) -> complex:
        """Amplitude of |e> in each emitter's state."""
        return complex(np.cos(self.theta / 2))

    @property
    def lower_amplitude(self) -> complex:
        """Amplitude of |g> in each emitter's state."""
        return complex(np.sin(self.theta / 2) * np.exp(1j * self.phi))

    def describe(self) -> str:
        return f"css(theta={self.theta:g}, phi={self.phi:g})"


_NAMED = {"excited": Excited(), "ground": Ground()}


def as_initial_state(initial):
    """Turn a user's ``initial`` argument into one of the state classes."""
    from .nanocrystals import TripletExcitation

    if isinstance(initial, (Excited, Ground, DickeState, CoherentSpinState, TripletExcitation)):
        return initial
    if isinstance(initial, str):
        key = initial.lower()
        if key in _NAMED:
            return _NAMED[key]
        raise ValueError(
            f"initial must be 'excited', 'ground', a DickeState, a CoherentSpinState or a TripletExcitation, "
            f"got {initial!r}"
        )
    raise ValueError(
        f"initial must be 'excited', 'ground', a DickeState, a CoherentSpinState or a TripletExcitation, "
        f"got {type(initial).__name__}"
    )
