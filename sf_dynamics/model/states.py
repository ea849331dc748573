"""Initial states understood by the solvers.

* ``"excited"`` / :class:`Excited`: every emitter in its upper level, the
  instantaneous-excitation start of superfluorescence (the default).
* ``"ground"`` / :class:`Ground`: every emitter in its lower level.
* :class:`DickeState`: the collective state |j, m> (j = n/2 is the symmetric,
  superradiant ladder), a mixture over the degenerate copies when j < n/2.
* :class:`CoherentSpinState`: every emitter in cos(theta/2)|e> +
  exp(i phi) sin(theta/2)|g>, i.e. the fully inverted state rotated by a
  resonant pulse of area theta (theta = 0: all excited; theta = pi: ground).
* :class:`ProductState`: each emitter excited with probability p,
  independently (partial inversion by a pump of finite fluence), optionally
  with a coherent part; its collective state mixes Dicke ladders.
* :class:`TripletExcitation`: nanocrystals each holding one exciton, an
  incoherent mixture of the bright sublevels |x>, |y>, |z>.
* :class:`DensityMatrix` (or a ``qutip.Qobj`` passed directly): any state of the
  full space, for method ``"exact"``. Ordering: emitter 0 is the leftmost tensor
  factor; a two-level factor has |0> = ground, |1> = excited (``qutip.destroy(2)``
  lowers it); a nanocrystal factor has |0> = ground, |1>, |2>, |3> = the bright
  sublevels x, y, z.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validation import check_real, check_real_array

__all__ = ["Excited", "Ground", "DickeState", "CoherentSpinState", "ProductState", "TripletExcitation",
           "DensityMatrix", "as_initial_state"]


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


@dataclass(frozen=True)
class ProductState:
    """Every emitter excited with probability p, independently: a partially inverted product state.

    Each emitter is in rho_1 = p |e><e| + (1 - p) |g><g| + (c |e><g| + h.c.)
    with c = <s-> = coherence * sqrt(p (1 - p)) e^{-i phi} (as for a CoherentSpinState); the whole ensemble is the
    product of these. ``coherence = 0`` is what incoherent (Poisson) absorption
    leaves; ``coherence = 1`` is the pure :class:`CoherentSpinState` of the
    same inversion. For nanocrystals, p is the probability of one exciton,
    shared among |x>, |y>, |z> by ``sublevels``.

    Parameters
    ----------
    p : float or sequence of float
        Excitation probability in [0, 1]: one value for every emitter, one
        per emitter (then only the per-emitter methods can take it), or with
        ``per_class`` one per spectral class.
    coherence : float
        Fraction in [0, 1] of the largest coherence sqrt(p (1 - p)) (default 0).
    phi : float
        Phase (rad) of the coherence, as in :class:`CoherentSpinState`; <s-_i> =
        coherence sqrt(p (1 - p)) e^{-i phi} (default 0).
    sublevels : sequence of 3 floats
        Shares of |x>, |y>, |z> in an NC's exciton (>= 0, summing to 1; default
        equal; a thermal split is exp(-E_a / kT) normalised).
    per_class : bool
        ``p`` holds one value per spectral class of the ensemble, in the order of
        ``Ensemble.spectral_classes()`` (increasing detuning): NCs of different
        sizes absorb differently. Taken by the class engine of ``cumulant``
        natively, and by every per-emitter method when the classes hold integer
        numbers of emitters (p is then spread over the emitters).
    class_p : tuple, optional
        Set by :func:`as_initial_state` when it spreads per-class p over the
        emitters: the per-class values, kept for the class engines.
    """

    p: object
    coherence: float = 0.0
    phi: float = 0.0
    sublevels: tuple = (1 / 3, 1 / 3, 1 / 3)
    per_class: bool = False
    class_p: object = None

    def __post_init__(self):
        values = np.atleast_1d(check_real_array("p", self.p))
        if values.ndim != 1 or values.size == 0:
            raise ValueError(f"p must be a number or a 1-D sequence, got shape {values.shape}")
        if np.any((values < 0) | (values > 1)):
            raise ValueError(f"p must be in [0, 1] (an excitation probability), got {self.p!r}")
        object.__setattr__(self, "p", float(values[0]) if np.ndim(self.p) == 0 else tuple(float(v) for v in values))
        check_real("coherence", self.coherence, low=0.0, high=1.0)
        check_real("phi", self.phi)
        shares = check_real_array("sublevels", self.sublevels, shape=(3,), nonnegative=True)
        if abs(float(shares.sum()) - 1.0) > 1e-9:
            raise ValueError(f"sublevels must sum to 1 (shares of the exciton), got {float(shares.sum()):.6g}")
        object.__setattr__(self, "sublevels", tuple(float(v) for v in shares))
        if self.per_class and np.ndim(self.p) == 0:
            raise ValueError("p: per_class=True needs one probability per spectral class (a sequence)")
        if self.class_p is not None:
            object.__setattr__(self, "class_p", tuple(float(v) for v in np.atleast_1d(self.class_p)))

    @staticmethod
    def thermal_sublevels(fine_structure_meV, temperature_K):
        """Boltzmann shares of |x>, |y>, |z> at ``temperature_K`` for sublevel energies ``fine_structure_meV``.

        For ``sublevels=``: an exciton that relaxed among the bright sublevels before the burst.

        Raises
        ------
        ValueError
            For three energies that are not finite or a temperature that is not > 0.
        """
        from ..units import K_B_MEV_PER_K

        energies = check_real_array("fine_structure_meV", fine_structure_meV, shape=(3,))
        kt = check_real("temperature_K", temperature_K, low=0.0, low_open=True) * K_B_MEV_PER_K
        weights = np.exp(-(energies - energies.min()) / kt)
        return tuple(float(w) for w in weights / weights.sum())

    @property
    def uniform(self) -> bool:
        """True when every emitter has the same p."""
        return np.ndim(self.p) == 0 or len(set(self.p)) == 1

    def probabilities(self, n: int) -> np.ndarray:
        """p of each of ``n`` emitters.

        Raises
        ------
        ValueError
            If p is per emitter and its length is not ``n``.
        """
        if np.ndim(self.p) == 0:
            return np.full(n, float(self.p))
        if self.per_class:
            raise ValueError("p is given per spectral class, and the classes do not hold whole numbers of emitters "
                             "(fractional spectrum weights): only the class engine of 'cumulant' takes it")
        if len(self.p) != n:
            raise ValueError(f"p: {len(self.p)} probabilities given for n = {n} emitters")
        return np.asarray(self.p, dtype=np.float64)

    def lowering(self, n: int) -> np.ndarray:
        """<s-_i> of each emitter: coherence sqrt(p (1 - p)) e^{-i phi}."""
        p = self.probabilities(n)
        return self.coherence * np.sqrt(p * (1 - p)) * np.exp(-1j * self.phi)

    def simplest(self, emitter_type="two-level"):
        """The same state in the simplest class a solver knows, for emitters of ``emitter_type``.

        Two-level emitters (or a slab): p = 1 is Excited, p = 0 Ground, coherence 1 a CoherentSpinState.
        Nanocrystals: p = 0 is Ground, p = 1 without coherence the TripletExcitation of ``sublevels``.
        Otherwise, and for one p per emitter, the state itself.
        """
        if not np.ndim(self.p) == 0:
            return self
        p = float(self.p)
        if p == 0.0:
            return Ground()
        if emitter_type == "triplet":
            return TripletExcitation(self.sublevels) if p == 1.0 and self.coherence == 0 else self
        if p == 1.0:
            return Excited()
        if self.coherence == 1.0:
            return CoherentSpinState(2.0 * np.arccos(np.sqrt(p)), self.phi)
        return self

    def class_probabilities(self, classes: int):
        """p of each of ``classes`` spectral classes, or None when p is not given per class.

        Raises
        ------
        ValueError
            If the number of per-class values is not ``classes``.
        """
        values = self.class_p if self.class_p is not None else (self.p if self.per_class else None)
        if values is None:
            return None
        if len(values) != classes:
            raise ValueError(f"p: {len(values)} per-class probabilities given for {classes} spectral classes")
        return np.asarray(values, dtype=np.float64)

    def describe(self) -> str:
        p = f"{self.p:g}" if np.ndim(self.p) == 0 else (
            f"per class {tuple(round(v, 4) for v in self.p)}" if self.per_class else f"per emitter, mean "
                                                                                     f"{np.mean(self.p):.4g}")
        extra = f", coherence={self.coherence:g}, phi={self.phi:g}" if self.coherence else ""
        return f"product(p={p}{extra})"


@dataclass(frozen=True)
class TripletExcitation:
    """Each NC holds one exciton, an incoherent mixture of |x>, |y>, |z>.

    Parameters
    ----------
    populations : sequence of 3 floats
        Probabilities of |x>, |y>, |z> (each >= 0, sum <= 1; the rest stays
        in |g>). Default: 1/3 each (the state ``initial="excited"`` of a
        NanocrystalEnsemble).
    """

    populations: tuple = (1 / 3, 1 / 3, 1 / 3)

    def __post_init__(self):
        p = check_real_array("populations", self.populations, shape=(3,), nonnegative=True)
        check_real("populations sum", float(p.sum()), high=1.0 + 1e-12)
        object.__setattr__(self, "populations", tuple(float(v) for v in p))

    def describe(self) -> str:
        return "triplet(" + ", ".join(f"{v:.3g}" for v in self.populations) + ")"


class DensityMatrix:
    """A state of the full 2^n (two-level) or 4^n (nanocrystal) space, from QuTiP.

    Parameters
    ----------
    state : qutip.Qobj
        A ket (normalised) or a density matrix (Hermitian, trace 1, positive
        semidefinite within 1e-10). Ordering as in the module docstring:
        emitter 0 is the leftmost factor; two-level |1> = excited; nanocrystal
        |0> = ground, |1..3> = x, y, z.

    Raises
    ------
    ValueError
        If ``state`` is not a Qobj ket or operator, or not a valid state.

    Notes
    -----
    Only method ``"exact"`` takes a general state; it checks that the
    dimension is 2^n (4^n) for its system.
    """

    def __init__(self, state):
        if not _is_qobj(state):
            raise ValueError(f"state must be a qutip.Qobj (ket or density matrix), got {type(state).__name__}")
        if state.isket:
            vec = state.full().ravel()
            norm = float(np.vdot(vec, vec).real)
            if not np.all(np.isfinite(vec)) or abs(norm - 1.0) > 1e-8:
                raise ValueError(f"state: a ket must be finite and normalised, got <psi|psi> = {norm:.6g}")
            rho = np.outer(vec, vec.conj())
        elif state.isoper:
            rho = state.full()
            if rho.shape[0] != rho.shape[1] or not np.all(np.isfinite(rho)):
                raise ValueError(f"state: a density matrix must be square and finite, got shape {rho.shape}")
            if not np.allclose(rho, rho.conj().T, atol=1e-10):
                raise ValueError("state: the density matrix must be Hermitian")
            trace = float(np.trace(rho).real)
            if abs(trace - 1.0) > 1e-8:
                raise ValueError(f"state: the density matrix must have trace 1, got {trace:.6g}")
            lowest = float(np.linalg.eigvalsh(rho)[0])
            if lowest < -1e-10:
                raise ValueError(f"state: the density matrix must be positive semidefinite, lowest eigenvalue "
                                 f"{lowest:.3g}")
        else:
            raise ValueError("state must be a ket or a density matrix (qutip.Qobj), not a bra or superoperator")
        self.matrix = np.ascontiguousarray(rho, dtype=np.complex128)
        self.dimension = int(rho.shape[0])
        #: the tensor factors of the state's space (qutip dims of the ket side), e.g. (2, 2, 2, 2)
        self.factors = tuple(int(d) for d in np.ravel(state.dims[0]))

    def levels_for(self, n) -> int | None:
        """Levels per emitter (2 or 4) if the state's space is n factors of that size, else None.

        A state built as one factor of the whole dimension (``qutip.Qobj(array)`` of 2^n or 4^n rows, in the
        ordering of the module docstring) counts as well; one whose factors are another split of the same
        dimension (``qutip.tensor(basis(4, 1), basis(4, 0))`` for four two-level emitters) does not.
        """
        for levels in (2, 4):
            if levels**n == self.dimension and self.factors in ((levels,) * n, (self.dimension,)):
                return levels
        return None

    def expected_dims(self, n, levels) -> str:
        """Why the state does not fit n emitters of ``levels`` levels: its dims and the ones expected."""
        return (f"the initial density matrix has dims {[list(self.factors)]} (dimension {self.dimension}), but {n} "
                f"{'nanocrystals' if levels == 4 else 'two-level emitters'} need dims {[[levels] * n]} "
                f"(dimension {levels}^{n} = {levels**n}), emitter 0 the leftmost factor")

    def describe(self) -> str:
        return f"density matrix (dimension {self.dimension})"

    def __repr__(self) -> str:
        return f"DensityMatrix(dimension={self.dimension}, factors={self.factors})"


def _is_qobj(obj) -> bool:
    return type(obj).__name__ == "Qobj" and type(obj).__module__.startswith("qutip")


_NAMED = {"excited": Excited(), "ground": Ground()}


def _spread_over_classes(state, system):
    """A per-class ProductState for ``system``: one p if all classes agree, per emitter if the counts are whole."""
    import dataclasses

    if not hasattr(system, "spectral_classes"):
        raise ValueError(f"p per spectral class needs an Ensemble with spectral classes, got {type(system).__name__}")
    detunings, _, counts = system.spectral_classes()
    values = state.class_probabilities(detunings.size)
    if np.all(values == values[0]):
        return dataclasses.replace(state, p=float(values[0]), per_class=False)
    if counts is None:
        return state
    per_emitter = values[np.searchsorted(detunings, np.asarray(system.detunings))]
    return dataclasses.replace(state, p=tuple(per_emitter), per_class=False, class_p=tuple(values))


def as_initial_state(initial, system=None):
    """Turn a user's ``initial`` argument into one of the state classes.

    With ``system``, a ProductState is checked against its size (one p per emitter must match n) and
    replaced by its simplest equivalent (:meth:`ProductState.simplest`).
    """
    if isinstance(initial, ProductState):
        if system is None:
            return initial
        if initial.per_class:
            initial = _spread_over_classes(initial, system)
        if np.ndim(initial.p) and not initial.per_class:
            initial.probabilities(system.n)   # one p per emitter must match n
        return initial.simplest(system.emitter_type)
    if isinstance(initial, (Excited, Ground, DickeState, CoherentSpinState, TripletExcitation, DensityMatrix)):
        return initial
    if _is_qobj(initial):
        return DensityMatrix(initial)
    if isinstance(initial, str):
        key = initial.lower()
        if key in _NAMED:
            return _NAMED[key]
        raise ValueError(f"initial must be 'excited', 'ground', a DickeState, a CoherentSpinState, a ProductState, "
                         f"a TripletExcitation or a qutip.Qobj, got {initial!r}")
    raise ValueError(f"initial must be 'excited', 'ground', a DickeState, a CoherentSpinState, a ProductState, "
                     f"a TripletExcitation or a qutip.Qobj, got {type(initial).__name__}")
