"""The full model of method ``"exact"`` as QuTiP operators: Hamiltonian, jump channels, observables, collapse
operators, detector fields and weights, initial density matrices, and its generator on one excitation-difference
sector (:mod:`sf_dynamics.solvers._sectors`)."""

from __future__ import annotations

import numpy as np

from ...model.states import (
    CoherentSpinState,
    DensityMatrix,
    DickeState,
    Excited,
    Ground,
    ProductState,
    TripletExcitation,
)
from .._sectors import Channel, SectorGenerator

__all__ = ["lowering_operators", "build_model", "model_channels", "sector_generator", "initial_density_matrix",
           "expectation_rows", "detector_channels"]


def lowering_operators(n, levels=2):
    """sigma- of every emitter (two-level: destroy(2), |1> excited) or, for
    ``levels=4``, sigma_{i alpha} = |0><alpha+1| of every NC dipole (index 3 i + alpha)."""
    import qutip

    eye = qutip.qeye(levels)
    local = [qutip.destroy(2)] if levels == 2 else [qutip.basis(4, 0) * qutip.basis(4, a + 1).dag() for a in range(3)]
    ops = []
    for i in range(n):
        for op in local:
            factors = [eye] * n
            factors[i] = op
            ops.append(qutip.tensor(factors))
    return ops


def build_model(ensemble):
    """Hamiltonian, collapse operators and observables of the full model.

    Returns
    -------
    hamiltonian : qutip.Qobj
    collapse : list of qutip.Qobj
    observables : dict of str -> qutip.Qobj
        ``intensity`` (sum_ij Gamma_ij s+_i s-_j), ``excitation``
        (sum_i s+_i s-_i), ``lowering`` (J- = sum_i s-_i) and, for two-level
        emitters with a collective channel, ``collective`` (J+ J-) and
        ``pairs`` (J+ J+ J- J-).
    """
    hamiltonian, channels, observables = model_channels(ensemble)
    return hamiltonian, _collapse_operators(channels), observables


def _eigen_fields(weights, operators):
    """(lambda_k, sum_d v_dk S_d) for the eigenpairs of a Hermitian weight matrix W = sum_k lambda_k v_k v_k^dag
    with lambda_k above 1e-14 max|W| (the others are round-off of a positive semi-definite W)."""
    lam, vec = np.linalg.eigh(weights)
    scale = max(float(np.max(np.abs(weights))), 1e-300)
    vec = vec.real if np.isrealobj(weights) else vec
    return [(float(lam[k]), sum((c * op for c, op in zip(vec[:, k], operators) if c != 0), start=0 * operators[0]))
            for k in range(len(operators)) if lam[k] > 1e-14 * scale]


def _collapse_operators(channels):
    """Collapse operators of jump channels: sqrt(w_d) S_d for independent processes, else sqrt(lambda_k)
    sum_d v_dk S_d from the eigen-decomposition W = sum_k lambda_k v_k v_k^T (W real symmetric)."""
    collapse = []
    for ops, weights in channels:
        if np.count_nonzero(weights - np.diag(np.diag(weights))) == 0:      # independent processes
            collapse.extend(np.sqrt(w) * op for w, op in zip(np.diag(weights), ops) if w > 0)
            continue
        collapse.extend(np.sqrt(lam) * field for lam, field in _eigen_fields(weights, ops))
    return collapse


def model_channels(ensemble):
    """Hamiltonian, jump channels and observables of the full model.

    Returns
    -------
    hamiltonian : qutip.Qobj
    channels : list of (list of qutip.Qobj, ndarray)
        Dipole operators S_d and the weight matrix W of each jump process, sum_de W_de S_d rho S_e^dag: the
        decay matrix Gamma with the lowering operators; dephasing (gamma_phi / 2 with sigma_z of each
        emitter, or 2 gamma_phi with each nanocrystal level's projector, so that every optical coherence
        decays at gamma_phi); pumping (rate times the identity, with the raising operators).
    observables : dict of str -> qutip.Qobj
        As for :func:`build_model`.
    """
    import qutip

    triplet = ensemble.emitter_type == "triplet"
    sm = lowering_operators(ensemble.n, 4 if triplet else 2)
    n = len(sm)  # emitters, or dipoles of the nanocrystals
    sp = [op.dag() for op in sm]
    number = [sp[i] * sm[i] for i in range(n)]
    zero = 0.0 * number[0]
    energies = ensemble.onsite_energies() if triplet else ensemble.detunings
    hamiltonian = sum((float(d) * number[i] for i, d in enumerate(energies)), start=zero)
    omega = ensemble.omega_matrix()
    hamiltonian += sum(
        (float(omega[i, j]) * sp[i] * sm[j] for i in range(n) for j in range(n) if i != j and omega[i, j] != 0),
        start=zero,
    )
    gamma = ensemble.gamma_matrix()
    channels = [(sm, np.asarray(gamma, dtype=float))]
    if ensemble.dephasing > 0 and triplet:
        # 2 gamma_phi D[|alpha><alpha|]: every optical coherence decays at gamma_phi
        channels.append((number, 2.0 * ensemble.dephasing * np.eye(n)))
    elif ensemble.dephasing > 0:
        identity = qutip.qeye(number[0].dims[0])
        channels.append(([2.0 * op - identity for op in number], ensemble.dephasing / 2.0 * np.eye(n)))
    if not triplet and ensemble.pumping > 0:
        channels.append((sp, ensemble.pumping * np.eye(n)))
    intensity = sum(
        (float(gamma[i, j]) * sp[i] * sm[j] for i in range(n) for j in range(n) if gamma[i, j] != 0), start=zero
    )
    lowering = sum(sm)
    observables = {"intensity": intensity, "excitation": sum(number), "lowering": lowering}
    if not triplet and ensemble.collective_decay > 0:
        raising = lowering.dag()
        observables["collective"] = raising * lowering                           # <J+ J->
        observables["pairs"] = raising * raising * lowering * lowering           # <J+ J+ J- J->
    if triplet:
        for a, label in enumerate("xyz"):
            observables[f"intensity_{label}"] = sum(
                (0.5 * float(gamma[x, y]) * (sp[x] * sm[y] + sp[y] * sm[x])
                 for x in range(a, n, 3) for y in range(n) if gamma[x, y] != 0),
                start=zero,
            )
    return hamiltonian, channels, observables


def sector_generator(ensemble, hamiltonian, channels, q=0):
    """The model's generator on the excitation-difference sector q (matrix-free)."""
    levels = 4 if ensemble.emitter_type == "triplet" else 2
    return SectorGenerator(_csr(hamiltonian), [Channel(tuple(_csr(op) for op in ops), weights)
                                               for ops, weights in channels], ensemble.n, levels, q)


def _csr(op):
    return op.to("csr").data_as("csr_matrix")


def _product_density_matrix(n, initial, levels):
    """The product of the single-emitter states of a ProductState (ground first, then the excited level(s))."""
    import qutip

    p = initial.probabilities(n)
    shares = np.array(initial.sublevels) if levels == 4 else np.ones(1)
    factors = []
    for pk in p:
        # coherence c mixes the pure state sqrt(1 - p) |g> + e^{-i phi} sqrt(p w_a) |a> (weight c) with the
        # incoherent one (weight 1 - c): positive for every c in [0, 1]
        upper = np.sqrt(pk * shares)
        c = initial.coherence
        rho = np.zeros((levels, levels), dtype=np.complex128)
        rho[0, 0] = 1.0 - pk
        rho[1:, 1:] = c * np.outer(upper, upper) + (1 - c) * np.diag(pk * shares)
        rho[1:, 0] = c * np.sqrt(1.0 - pk) * upper * np.exp(-1j * initial.phi)
        rho[0, 1:] = np.conj(rho[1:, 0])
        factors.append(qutip.Qobj(rho))
    return qutip.tensor(factors)


def _triplet_density_matrix(n, initial):
    import qutip

    if isinstance(initial, ProductState):
        return _product_density_matrix(n, initial, 4)
    if isinstance(initial, Ground):
        pops = (0.0, 0.0, 0.0)
    else:
        pops = (initial if isinstance(initial, TripletExcitation) else TripletExcitation()).populations
    local = qutip.Qobj(np.diag([1.0 - sum(pops), *pops]))
    return qutip.tensor([local] * n)


def initial_density_matrix(n, initial, emitter_type="two-level"):
    """The initial state as a qutip density matrix on the 2^n (or 4^n) space."""
    import qutip

    if isinstance(initial, DensityMatrix):
        levels = 4 if emitter_type == "triplet" else 2
        if initial.levels_for(n) != levels:
            raise ValueError(f"initial: {initial.expected_dims(n, levels)}")
        return qutip.Qobj(initial.matrix, dims=[[levels] * n, [levels] * n])
    if emitter_type == "triplet":
        return _triplet_density_matrix(n, initial)

    up, down = qutip.basis(2, 1), qutip.basis(2, 0)
    if isinstance(initial, Excited):
        return qutip.ket2dm(qutip.tensor([up] * n))
    if isinstance(initial, Ground):
        return qutip.ket2dm(qutip.tensor([down] * n))
    if isinstance(initial, CoherentSpinState):
        single = initial.upper_amplitude * up + initial.lower_amplitude * down
        return qutip.ket2dm(qutip.tensor([single] * n))
    if isinstance(initial, ProductState):
        return _product_density_matrix(n, initial, 2)
    if isinstance(initial, DickeState):
        initial.validate_for(n)
        # projector onto the (j, m) eigenspace of J^2 and J_z, normalised
        sm = lowering_operators(n)
        jm = sum(sm)
        jz = sum(op.dag() * op for op in sm) - n / 2.0
        j2 = (jm.dag() * jm + jz * jz - jz).full()
        jzd = np.real(np.diag(jz.full()))
        target_j2 = initial.j * (initial.j + 1.0)
        sel = np.abs(jzd - initial.m) < 1e-9
        block = j2[np.ix_(sel, sel)]
        w, v = np.linalg.eigh(block)
        keep = np.abs(w - target_j2) < 1e-8
        basis = np.zeros((2**n, int(keep.sum())), dtype=complex)
        basis[sel] = v[:, keep]
        rho = basis @ basis.conj().T / keep.sum()
        dims = [[2] * n, [2] * n]
        return qutip.Qobj(rho, dims=dims)
    raise ValueError(f"unsupported initial state {initial!r}")


def expectation_rows(operators):
    """Row vectors o with Tr(O rho) = o @ vec(rho) (QuTiP column stacking)."""
    import qutip

    return np.array([qutip.operator_to_vector(op.dag()).full().ravel().conj() for op in operators])


def detector_channels(ensemble, detector):
    """The detected fields of ``detector`` as (weight, E-) pairs of full-space operators.

    The eigen-decomposition W = sum_k lambda_k v_k v_k^dag of the detector's
    dipole weight matrix (:func:`_detector_weights`), fields sum_i v_ki s-_i
    with weights lambda_k: ``"total"``, W = Gamma (photons into all modes);
    ``"collective"``, W = Gamma_c 1 1^T (the field J- / sqrt(n) with weight
    n Gamma_c); an array of complex amplitudes a_i (one per dipole),
    W = a a^dag (the field along a with weight |a|^2).
    """
    sm = lowering_operators(ensemble.n, _levels(ensemble))
    channels = _eigen_fields(_detector_weights(ensemble, detector), sm)
    return channels or [(0.0, 0 * sm[0])]


def _detector_weights(ensemble, detector):
    """The detector as a dipole weight matrix W: detected jumps sum_de W_de S_d rho S_e^dag (W = Gamma for
    ``"total"``, Gamma_c 1 1^T for ``"collective"``, a a^dag for field amplitudes a); its eigen-fields are
    :func:`detector_channels`."""
    if not isinstance(detector, str):
        amplitudes = np.asarray(detector, dtype=np.complex128)
        return np.outer(amplitudes, np.conj(amplitudes))
    if detector == "collective":
        return float(ensemble.collective_decay) * np.ones((ensemble.n, ensemble.n))
    return np.asarray(ensemble.gamma_matrix(), dtype=float)


def _levels(ensemble):
    return 4 if ensemble.emitter_type == "triplet" else 2
