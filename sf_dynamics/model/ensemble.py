"""System description: an ensemble of two-level emitters and its rates.

The master equation (docs/conventions.md) for n two-level emitters is::

    drho/dt = -i[H, rho] + sum_ij Gamma_ij (s-_j rho s+_i - 1/2 {s+_i s-_j, rho})
              + (gamma_phi / 2) sum_i D[sz_i] rho + P sum_i D[s+_i] rho
    H = sum_i delta_i s+_i s-_i

with ``Gamma_ij = collective_decay + decay * delta_ij``. All rates are in
1/ps, detunings in rad/ps (see :mod:`sf_dynamics.units`).
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import lapack

from .._resources import check_memory
from .._validation import check_frequencies, check_positive_int, check_rate, check_real_array
from .spectrum import Spectrum

__all__ = ["Ensemble", "check_coupling_matrices", "check_lattice", "check_emitter_arrays"]

#: relative tolerance of the symmetry and positive-semidefiniteness checks of Gamma
MATRIX_TOL = 1e-10


#: edge of the tiles in which :func:`_symmetrise` visits a matrix and its transpose (fits the L2 cache)
_TILE = 256


def _symmetrise(matrix):
    """Replace the square ``matrix`` by (M + M^T) / 2 in place; return max |M_ij - M_ji| (its asymmetry).

    Works tile by tile so that the transposed reads stay in cache (a plain M - M.T on a 10^4 x 10^4
    matrix is several times slower).
    """
    n = matrix.shape[0]
    worst = 0.0
    for first in range(0, n, _TILE):
        rows = slice(first, first + _TILE)
        for second in range(first, n, _TILE):
            cols = slice(second, second + _TILE)
            upper, lower = matrix[rows, cols], matrix[cols, rows].T
            worst = max(worst, float(np.max(np.abs(upper - lower))))
            mean = 0.5 * (upper + lower)
            matrix[rows, cols] = mean
            matrix[cols, rows] = mean.T
    return worst


def _above(matrix, bound):
    """True if every eigenvalue of the symmetric ``matrix`` exceeds ``bound`` (< 0).

    A Cholesky factorisation of matrix - bound * 1 exists exactly then; it costs a sixth of the
    eigenvalue decomposition (n^3 / 3 flops), which matters for the 10^4-dipole matrices of a superlattice.
    """
    scale = max(float(np.max(np.abs(matrix))), 1e-300)
    # scaled to unit size: on lattice matrices (~1e-3 1/ps, low rank) the unscaled factorisation runs ~9x slower
    shifted = matrix / scale - (bound / scale) * np.eye(matrix.shape[0])
    return lapack.dpotrf(shifted, lower=1, overwrite_a=1, clean=0)[1] == 0


def check_emitter_arrays(n, kind="emitters"):
    """Refuse a system of ``n`` emitters whose per-emitter detunings (8 bytes each) would not fit in memory.

    Raises
    ------
    ValueError
        Naming ``n``, the bytes needed and the memory free (:func:`sf_dynamics._resources.check_memory`).
    """
    check_memory(8.0 * n, parameter="n", what=f"the detunings of n = {n} {kind}, one number each",
                 alternative="simulate fewer emitters with the same collective rate N Gamma_c (the burst's "
                             "delay then changes only as ln N)")


def check_coupling_matrices(size, gamma_matrix=None, omega_matrix=None, *, names=("gamma_matrix", "omega_matrix")):
    """Validate a decay matrix Gamma and a coherent coupling matrix Omega.

    Gamma must be real, finite, of shape (size, size), symmetric and positive
    semi-definite (eigenvalues >= -1e-10 max|Gamma| size); Omega real, finite,
    symmetric with a zero diagonal (on-site energies are detunings).
    Returns read-only float64 copies (None stays None).
    """
    out = []
    if gamma_matrix is not None:
        g = check_frequencies(names[0], check_real_array(names[0], gamma_matrix, shape=(size, size)).copy(),
                              unit="1/ps")
        scale = max(float(np.max(np.abs(g))), 1e-300)
        if _symmetrise(g) > MATRIX_TOL * scale:
            raise ValueError(f"{names[0]} must be symmetric (Gamma_ij = Gamma_ji)")
        if not _above(g, -MATRIX_TOL * scale * size):
            lowest = float(np.linalg.eigvalsh(g)[0])
            raise ValueError(
                f"{names[0]} must be positive semi-definite (a physical decay matrix); "
                f"its lowest eigenvalue is {lowest:.3g}"
            )
        g.setflags(write=False)
        out.append(g)
    else:
        out.append(None)
    if omega_matrix is not None:
        w = np.asarray(omega_matrix)
        if np.iscomplexobj(w):
            raise ValueError(f"{names[1]} must be real (rad/ps)")
        w = check_frequencies(names[1], check_real_array(names[1], w, shape=(size, size)).copy())
        scale = max(float(np.max(np.abs(w))), 1e-300)
        if _symmetrise(w) > MATRIX_TOL * scale:
            raise ValueError(f"{names[1]} must be symmetric (Omega_ij = Omega_ji)")
        if np.any(np.diag(w) != 0):
            raise ValueError(f"{names[1]} must have a zero diagonal: put on-site energies into detunings")
        w.setflags(write=False)
        out.append(w)
    else:
        out.append(None)
    return tuple(out)


def check_lattice(lattice, gamma_matrix, omega_matrix, size):
    """Validate the ``lattice`` argument of a system (None, or a regular lattice carrying both matrices).

    Raises
    ------
    ValueError
        If the matrices are missing or the lattice is not regular or does not hold ``size`` dipoles.
    """
    if lattice is None:
        return None
    if gamma_matrix is None or omega_matrix is None:
        raise ValueError("lattice needs the gamma_matrix and omega_matrix of its couplings")
    if getattr(lattice, "shape", None) is None or not getattr(lattice, "is_regular", False):
        raise ValueError("lattice must be a regular Superlattice (built on a grid, no positional disorder)")
    if lattice.n * lattice.dipoles_per_nc != size:
        raise ValueError(f"lattice holds {lattice.n * lattice.dipoles_per_nc} dipoles, the matrices {size}")
    return lattice


class Ensemble:
    """An ensemble of ``n`` two-level emitters radiating into a common field.

    Parameters
    ----------
    n : int
        Number of emitters, ``n >= 1``.
    decay : float, optional
        Independent radiative decay rate gamma of each emitter (1/ps), the
        ``gamma * delta_ij`` part of Gamma_ij. Default 0.
    collective_decay : float, optional
        Rate Gamma_c (1/ps) of the all-to-all collective channel
        ``Gamma_c D[J-]``, i.e. the constant part of Gamma_ij (point-like
        sample, Dicke limit). Default 0.
    dephasing : float, optional
        Pure-dephasing rate gamma_phi (1/ps) of the term
        ``(gamma_phi / 2) D[sz_i]``: a single emitter's coherence decays at
        ``(decay + collective_decay) / 2 + gamma_phi``. QuTiP piqs calls
        ``2 * gamma_phi`` "dephasing". Default 0.
    pumping : float, optional
        Incoherent local pumping rate P (1/ps) of ``P D[s+_i]``. Default 0.
    detunings : array_like of shape (n,), optional
        Transition-frequency offset delta_i of each emitter from the
        reference frequency (rad/ps). Default: all zero.
    gamma_matrix : array_like of shape (n, n), optional
        Extra decay matrix (1/ps), e.g. from a geometry; added to
        ``collective_decay + decay * delta_ij``. Symmetric, positive
        semi-definite.
    omega_matrix : array_like of shape (n, n), optional
        Coherent (dipole-dipole) coupling Omega_ij (rad/ps) of
        H = sum_{i != j} Omega_ij s+_i s-_j. Real, symmetric, zero diagonal.
    spectrum : Spectrum, optional
        Inhomogeneous broadening: the n emitters are spread over the
        spectrum's K classes (n w_a in class a). Excludes ``detunings``.
    lattice : Superlattice, optional
        The regular superlattice (no positional disorder) whose Green's-tensor
        couplings ``gamma_matrix`` and ``omega_matrix`` are: solvers may then
        multiply by them with FFTs (``cumulant``'s ``coupling`` option). Set by
        :meth:`sf_dynamics.geometry.Superlattice.nanocrystal_ensemble`; needs both matrices.

    Notes
    -----
    Each emitter's total radiative rate is ``Gamma_ii = collective_decay +
    decay``; the photon emission rate is ``I = sum_ij Gamma_ij <s+_i s-_j>``.

    Examples
    --------
    >>> from sf_dynamics import Ensemble
    >>> ens = Ensemble(100, collective_decay=1 / 210, dephasing=0.01)
    >>> ens.is_identical
    True
    """

    emitter_type = "two-level"

    __slots__ = ("_n", "_decay", "_collective_decay", "_dephasing", "_pumping", "_detunings", "_gamma", "_omega",
                 "_spectrum", "_lattice")

    def __init__(
        self,
        n,
        decay=0.0,
        collective_decay=0.0,
        dephasing=0.0,
        pumping=0.0,
        detunings=None,
        *,
        gamma_matrix=None,
        omega_matrix=None,
        spectrum=None,
        lattice=None,
    ):
        self._n = check_positive_int("n", n)
        self._decay = check_rate("decay", decay)
        self._collective_decay = check_rate("collective_decay", collective_decay)
        self._dephasing = check_rate("dephasing", dephasing)
        self._pumping = check_rate("pumping", pumping)
        self._gamma, self._omega = check_coupling_matrices(self._n, gamma_matrix, omega_matrix)
        self._lattice = check_lattice(lattice, gamma_matrix, omega_matrix, self._n)
        self._spectrum = None
        if spectrum is not None:
            if not isinstance(spectrum, Spectrum):
                raise ValueError(f"spectrum must be an sf_dynamics.Spectrum, got {type(spectrum).__name__}")
            if detunings is not None:
                raise ValueError("detunings and spectrum are exclusive: give per-emitter detunings or a spectrum")
            counts = spectrum.integer_counts
            if counts is not None and spectrum.classes > 1 and counts.sum() != self._n:
                raise ValueError(
                    f"spectrum counts sum to {int(counts.sum())} emitters but n = {self._n}: "
                    "integer weights are emitter counts and must add up to n"
                )
            self._spectrum = spectrum
        if (gamma_matrix is not None or omega_matrix is not None) and self._spectrum is not None:
            if self._spectrum.classes > 1 and self._spectrum.integer_counts is None:
                raise ValueError(
                    "spectrum with fractional class weights cannot be combined with per-emitter coupling "
                    "matrices: give per-emitter detunings instead"
                )
        if detunings is None:
            det = self._expand_spectrum()
        else:
            det = check_frequencies("detunings", check_real_array("detunings", detunings))
            if det.ndim == 0:
                raise ValueError(
                    f"detunings must be an array of length n = {self._n} (rad/ps), one per emitter; "
                    "got a scalar"
                )
            if det.shape != (self._n,):
                raise ValueError(
                    f"detunings must have length n = {self._n} (one per emitter, rad/ps), got shape {det.shape}"
                )
        if det is not None:
            det = det.copy() if detunings is not None else det
            det.setflags(write=False)
        self._detunings = det

    def _expand_spectrum(self):
        """Per-emitter detunings of a spectrum (None if its class counts are fractional)."""
        spec = self._spectrum
        if spec is None or spec.classes == 1 or spec.integer_counts is not None:
            check_emitter_arrays(self._n)
        if spec is None:
            return np.zeros(self._n)
        if spec.classes == 1:
            return np.full(self._n, spec.detunings[0])
        if spec.integer_counts is None:
            return None
        return np.repeat(spec.detunings, spec.integer_counts.astype(np.int64))

    # -- read-only attributes -------------------------------------------------
    @property
    def n(self) -> int:
        """Number of emitters."""
        return self._n

    @property
    def decay(self) -> float:
        """Independent decay rate gamma (1/ps)."""
        return self._decay

    @property
    def collective_decay(self) -> float:
        """Collective (Dicke) decay rate Gamma_c (1/ps)."""
        return self._collective_decay

    @property
    def dephasing(self) -> float:
        """Pure-dephasing rate gamma_phi (1/ps)."""
        return self._dephasing

    @property
    def pumping(self) -> float:
        """Incoherent pumping rate P (1/ps)."""
        return self._pumping

    @property
    def detunings(self) -> np.ndarray:
        """Per-emitter detunings delta_i (rad/ps), read-only array of shape (n,).

        Raises
        ------
        ValueError
            If the ensemble is described by a spectrum with fractional class
            weights (only class-based methods apply; see :meth:`spectral_classes`).
        """
        if self._detunings is None:
            raise ValueError(
                "this ensemble is described by spectral classes with fractional weights: "
                "per-emitter detunings are not defined (use spectral_classes())"
            )
        return self._detunings

    @property
    def spectrum(self):
        """The :class:`~sf_dynamics.Spectrum` given at construction, or None."""
        return self._spectrum

    @property
    def has_coupling_matrices(self) -> bool:
        """True if a gamma_matrix or omega_matrix (geometry) was given."""
        return self._gamma is not None or self._omega is not None

    @property
    def lattice(self):
        """The regular Superlattice the coupling matrices come from, or None."""
        return self._lattice

    @property
    def has_emitter_detunings(self) -> bool:
        """True if per-emitter detunings are defined (see :attr:`detunings`)."""
        return self._detunings is not None

    # -- derived quantities -----------------------------------------------------
    @property
    def is_identical(self) -> bool:
        """True if the emitters are interchangeable: one detuning, no coupling matrices."""
        if self.has_coupling_matrices or self._detunings is None:
            return False
        return bool(np.all(self._detunings == self._detunings[0]))

    def spectral_classes(self):
        """Emitters grouped by detuning.

        Returns
        -------
        detunings : ndarray, shape (K,)
            Class detunings (rad/ps).
        weights : ndarray, shape (K,)
            Fraction of the emitters in each class (sum 1).
        counts : ndarray of int64 or None
            Emitters per class when these are integers, else None.
        """
        if self._spectrum is not None and self._detunings is None:
            return self._spectrum.detunings, self._spectrum.weights, None
        values, counts = np.unique(self._detunings, return_counts=True)
        return values, counts / self._n, counts.astype(np.int64)

    @property
    def common_detuning(self) -> float:
        """The shared detuning (rad/ps) of identical emitters.

        Raises
        ------
        ValueError
            If the emitters have different detunings.
        """
        if not self.is_identical:
            raise ValueError("detunings differ between emitters: the ensemble has no common detuning")
        return float(self._detunings[0])

    @property
    def single_emitter_decay(self) -> float:
        """Single-emitter radiative rate Gamma_ii (1/ps): collective_decay + decay (+ mean diag of gamma_matrix)."""
        extra = float(np.mean(np.diag(self._gamma))) if self._gamma is not None else 0.0
        return self._collective_decay + self._decay + extra

    def gamma_matrix(self) -> np.ndarray:
        """Decay matrix Gamma_ij = collective_decay + decay * delta_ij (+ gamma_matrix) (1/ps), shape (n, n)."""
        g = np.full((self._n, self._n), self._collective_decay)
        g[np.diag_indices(self._n)] += self._decay
        if self._gamma is not None:
            g += self._gamma
        return g

    def omega_matrix(self) -> np.ndarray:
        """Coherent coupling Omega_ij (rad/ps), shape (n, n); zeros if none was given."""
        if self._omega is None:
            return np.zeros((self._n, self._n))
        return self._omega.copy()

    def parameters(self) -> dict:
        """The ensemble's parameters as a plain dict (for metadata and files)."""
        out = {
            "n": self._n,
            "decay": self._decay,
            "collective_decay": self._collective_decay,
            "dephasing": self._dephasing,
            "pumping": self._pumping,
        }
        if self._spectrum is not None:
            out["spectrum"] = repr(self._spectrum)
            out["detuning_mean"] = self._spectrum.mean()
            out["detuning_std"] = self._spectrum.std()
        elif np.all(self._detunings == self._detunings[0]):
            out["detuning"] = float(self._detunings[0])
        else:
            out["detuning_mean"] = float(np.mean(self._detunings))
            out["detuning_std"] = float(np.std(self._detunings))
        if self.has_coupling_matrices:
            out["coupling_matrices"] = True
            out["single_emitter_decay"] = self.single_emitter_decay
        if self._lattice is not None:
            out["lattice"] = repr(self._lattice)
        return out

    def replace(self, **changes) -> Ensemble:
        """Return a copy with some parameters changed (validated again)."""
        kwargs = dict(
            n=self._n,
            decay=self._decay,
            collective_decay=self._collective_decay,
            dephasing=self._dephasing,
            pumping=self._pumping,
            gamma_matrix=self._gamma,
            omega_matrix=self._omega,
        )
        if self._spectrum is not None:
            kwargs["spectrum"] = self._spectrum
        else:
            kwargs["detunings"] = self._detunings
        if "n" in changes and "detunings" not in changes and "spectrum" not in changes and self._spectrum is None:
            if np.all(self._detunings == self._detunings[0]):
                kwargs["detunings"] = np.full(int(changes["n"]), self._detunings[0])
        if "spectrum" in changes:
            kwargs.pop("detunings", None)
        if "detunings" in changes:
            kwargs.pop("spectrum", None)
        if self._lattice is not None and not ({"n", "gamma_matrix", "omega_matrix"} & set(changes)):
            kwargs["lattice"] = self._lattice
        kwargs.update(changes)
        return Ensemble(**kwargs)

    def __repr__(self) -> str:
        parts = [f"n={self._n}"]
        for name in ("decay", "collective_decay", "dephasing", "pumping"):
            value = getattr(self, name)
            if value:
                parts.append(f"{name}={value:g}")
        if self._spectrum is not None:
            parts.append(f"spectrum={self._spectrum!r}")
        elif np.any(self._detunings != 0):
            if np.all(self._detunings == self._detunings[0]):
                parts.append(f"detuning={self._detunings[0]:g}")
            else:
                parts.append(f"detunings=<spread {np.std(self._detunings):g} rad/ps>")
        if self.has_coupling_matrices:
            parts.append("coupling matrices")
        return f"Ensemble({', '.join(parts)})"

    def __eq__(self, other) -> bool:
        if not isinstance(other, Ensemble):
            return NotImplemented
        same_matrices = all(
            (a is None and b is None) or (a is not None and b is not None and np.array_equal(a, b))
            for a, b in ((self._gamma, other._gamma), (self._omega, other._omega))
        )
        same_det = (self._detunings is None and other._detunings is None) or (
            self._detunings is not None and other._detunings is not None
            and np.array_equal(self._detunings, other._detunings)
        )
        return self.parameters() == other.parameters() and same_matrices and same_det

    __hash__ = None
