"""System description: an ensemble of two-level emitters and its rates.

The master equation (DESIGN.md, binding) for n two-level emitters is::

    drho/dt = -i[H, rho] + sum_ij Gamma_ij (s-_j rho s+_i - 1/2 {s+_i s-_j, rho})
              + (gamma_phi / 2) sum_i D[sz_i] rho + P sum_i D[s+_i] rho
    H = sum_i delta_i s+_i s-_i

with ``Gamma_ij = collective_decay + decay * delta_ij``. All rates are in
1/ps, detunings in rad/ps (see :mod:`sf_dynamics.units`).
"""

from __future__ import annotations

import numpy as np

from ._validation import check_positive_int, check_rate, check_real_array

__all__ = ["Ensemble"]


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

    __slots__ = ("_n", "_decay", "_collective_decay", "_dephasing", "_pumping", "_detunings")

    def __init__(self, n, decay=0.0, collective_decay=0.0, dephasing=0.0, pumping=0.0, detunings=None):
        self._n = check_positive_int("n", n)
        self._decay = check_rate("decay", decay)
        self._collective_decay = check_rate("collective_decay", collective_decay)
        self._dephasing = check_rate("dephasing", dephasing)
        self._pumping = check_rate("pumping", pumping)
        if detunings is None:
            det = np.zeros(self._n)
        else:
            det = check_real_array("detunings", detunings)
            if det.ndim == 0:
                raise ValueError(
                    f"detunings must be an array of length n = {self._n} (rad/ps), one per emitter; "
                    "got a scalar"
                )
            if det.shape != (self._n,):
                raise ValueError(
                    f"detunings must have length n = {self._n} (one per emitter, rad/ps), got shape {det.shape}"
                )
        det = det.copy()
        det.setflags(write=False)
        self._detunings = det

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
        """Per-emitter detunings delta_i (rad/ps), read-only array of shape (n,)."""
        return self._detunings

    # -- derived quantities -----------------------------------------------------
    @property
    def is_identical(self) -> bool:
        """True if all emitters share one detuning (permutation invariance)."""
        return bool(np.all(self._detunings == self._detunings[0]))

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
        """Total radiative rate Gamma_ii = collective_decay + decay (1/ps) of one emitter."""
        return self._collective_decay + self._decay

    def gamma_matrix(self) -> np.ndarray:
        """Decay matrix Gamma_ij = collective_decay + decay * delta_ij (1/ps), shape (n, n)."""
        g = np.full((self._n, self._n), self._collective_decay)
        g[np.diag_indices(self._n)] += self._decay
        return g

    def parameters(self) -> dict:
        """The ensemble's parameters as a plain dict (for metadata and files)."""
        out = {
            "n": self._n,
            "decay": self._decay,
            "collective_decay": self._collective_decay,
            "dephasing": self._dephasing,
            "pumping": self._pumping,
        }
        if self.is_identical:
            out["detuning"] = float(self._detunings[0])
        else:
            out["detuning_mean"] = float(np.mean(self._detunings))
            out["detuning_std"] = float(np.std(self._detunings))
        return out

    def replace(self, **changes) -> "Ensemble":
        """Return a copy with some parameters changed (validated again)."""
        kwargs = dict(
            n=self._n,
            decay=self._decay,
            collective_decay=self._collective_decay,
            dephasing=self._dephasing,
            pumping=self._pumping,
            detunings=self._detunings,
        )
        if "n" in changes and "detunings" not in changes and self.is_identical:
            kwargs["detunings"] = np.full(int(changes["n"]), self._detunings[0])
        kwargs.update(changes)
        return Ensemble(**kwargs)

    def __repr__(self) -> str:
        parts = [f"n={self._n}"]
        for name in ("decay", "collective_decay", "dephasing", "pumping"):
            value = getattr(self, name)
            if value:
                parts.append(f"{name}={value:g}")
        if np.any(self._detunings != 0):
            if self.is_identical:
                parts.append(f"detuning={self._detunings[0]:g}")
            else:
                parts.append(f"detunings=<spread {np.std(self._detunings):g} rad/ps>")
        return f"Ensemble({', '.join(parts)})"

    def __eq__(self, other) -> bool:
        if not isinstance(other, Ensemble):
            return NotImplemented
        return self.parameters() == other.parameters() and np.array_equal(self._detunings, other._detunings)

    __hash__ = None
