"""Truncated-Wigner sampling with dissipative noise (method ``"twa"``): single shots and their average.

A superfluorescent burst starts from quantum noise, so its delay fluctuates
from shot to shot. Each TWA trajectory evolves classical spins sampled from
the Wigner distribution of the initial state under stochastic equations
whose drift is mean field and whose noise restores the quantum fluctuations
of decay, dephasing and pumping (equations in :mod:`sf_dynamics.kernels.twa`;
in the spirit of the discrete TWA with collective dissipation of Mink &
Fleischhauer, arXiv:2305.19829, and the collective-spin TWA of Huber,
Kirton & Rabl, SciPost Phys. 10, 045 (2021)). Averages over trajectories
approximate the ensemble average (both tau_D and the peak, unlike second-order
cumulants); single trajectories are the shots, whose delay and peak
distributions the Result carries.

Validity (docs/validation.md has the measured table): TWA is a large-N
method. It refuses n < 8 and warns below 50 emitters. Its classical spins
feel the vacuum fluctuations of the others; with one spin per emitter
(``emitters`` engine) this drives the averaged excitation below zero after
the burst. The result marks that time, ``info["valid_until_ps"]`` (the first
time the averaged excitation leaves [0, N] by more than three standard
errors), and warns. The ground state without pumping is a fixed point of the
master equation and is returned dark without sampling.

Engines:

* ``classes`` (default for identical coupling): one classical spin per
  spectral class (identical emitters: one collective spin), O(K) per step,
  any N. The closure assumes many emitters per class: classes of a
  continuous line holding less than one emitter are lumped into their
  neighbour towards the centre (``info["merged_tail_emitters"]``);
* ``emitters`` (default with coupling matrices, and for n <= 2000 when a
  class holds fewer than 20 emitters): every emitter, general Gamma and
  Omega, O(n^2) per step and trajectory, trajectories advanced in batches
  whose coupling sums are BLAS matrix products (:mod:`._twa_emitters`), or
  O(n log n) zero-padded FFTs on a regular lattice (option ``coupling``);
  the decay noise uses a low-rank factor of Gamma (its significant
  eigenvalues only).
"""

from __future__ import annotations

import time as _time

import numpy as np
from scipy.integrate import trapezoid
from scipy.sparse.linalg import ArpackNoConvergence, eigsh

from .._resources import DEFAULT_MAX_STEPS, check_memory
from .._validation import check_positive_int, check_real
from .._warnings import warn_caller
from ..model.states import CoherentSpinState, Excited, Ground, ProductState
from ..model.timescales import fastest_rate, largest_row_sum
from ..result import Result
from ._lattice import check_coupling, lattice_operator
from ._models import ClassModel, EmitterModel, choose_engine, engine_for_start
from ._sampling import (
    ClassSpinRows,
    check_seed,
    check_shots,
    package_shots,
    record_grid,
    sample_rows,
    shot_correlation,
    spin_z_start,
    time_schedule,
)
from ._twa_emitters import BLOCK, EmitterEngine, noise_factor
from .estimators import ratio_of_means

__all__ = ["NAME", "unsupported_reason", "solve", "first_order_correlation", "DEFAULT_TRAJECTORIES",
           "TWAValidityWarning", "MIN_EMITTERS", "WARN_EMITTERS", "FFT_MIN_DIPOLES", "default_step",
           "largest_frequency", "STEP_FRACTION", "EMITTER_STEP_FRACTION", "DENSE_SPECTRUM_MAX", "noise_factor"]

NAME = "twa"
DEFAULT_TRAJECTORIES = 1000


#: TWA is a large-N method: below MIN_EMITTERS it refuses (the exact methods run there), below WARN_EMITTERS it warns
MIN_EMITTERS = 8
WARN_EMITTERS = 50


class TWAValidityWarning(UserWarning):
    """The truncated-Wigner average left its documented regime (see Result.info['valid_until_ps'])."""


def unsupported_reason(ensemble, initial):
    """TWA samples product initial states of two-level emitters, N >= 8."""
    if ensemble.emitter_type != "two-level":
        return "it handles two-level emitters only"
    if isinstance(initial, ProductState):
        initial = initial.simplest()
    if isinstance(initial, ProductState) and initial.coherence > 0:
        return ("a partly coherent ProductState has no non-negative discrete Wigner sampling here (coherence 0 "
                "or 1 only); 'cumulant' and 'exact' take it")
    if not isinstance(initial, (Excited, Ground, CoherentSpinState, ProductState)):
        return "it samples product states only (excited, ground, a ProductState or a coherent spin state)"
    if ensemble.n < MIN_EMITTERS:
        return (f"it is a large-N method and refuses n < {MIN_EMITTERS} (got n = {ensemble.n}): its vacuum "
                "fluctuations dominate a few emitters; the exact methods run there")
    return None


def _validity(times, excitation, sem, n):
    """First time (ps) at which the averaged excitation leaves [0, N] by more than 3 standard errors, or None.

    The truncated-Wigner spins feel the vacuum fluctuations of all the others; after the burst this can
    drive the averaged excitation below zero (most visibly with one spin per emitter), which the exact
    dynamics forbids. From that time on the averages are outside the method's validity.
    """
    bad = (excitation < -3.0 * sem - 1e-9 * n) | (excitation > n + 3.0 * sem + 1e-9 * n)
    return float(times[int(np.argmax(bad))]) if np.any(bad) else None


def _dark(ensemble, times, initial, trajectories, seed, engine):
    """The ground state without pumping is a fixed point of the master equation: it stays dark."""
    nt = len(times)
    zeros = np.zeros(nt)
    params = ensemble.parameters()
    params.update(initial=initial.describe(), engine=engine, trajectories=trajectories, seed=seed)
    info = {"engine": engine, "trajectories": trajectories, "trajectories_done": trajectories, "partial": False,
            "exact_fixed_point": True, "valid_until_ps": float(times[-1]), "shot_delays": np.zeros(0),
            "shot_peaks": np.zeros(0), "tau_d_sem": 0.0, "peak_sem": 0.0, "wall_time": 0.0}
    data = {"intensity_sem": zeros.copy(), "excitation_sem": zeros.copy(), "single_shots": np.zeros((nt, 0))}
    return Result(times, zeros, zeros.copy(), NAME, params, data=data, info=info)


#: smallest class that the class-spin closure (z_k -> z_a) represents well; smaller classes are
#: simulated one emitter at a time when the ensemble is small enough
MIN_CLASS_SIZE = 20
#: largest n for which ``engine="auto"`` falls back to emitters one by one
MAX_AUTO_EMITTERS = 2000


def _twa_engine(ensemble, engine):
    if engine != "auto":
        return choose_engine(ensemble, engine)
    if ensemble.has_coupling_matrices:
        return "emitters"
    _, weights, counts = ensemble.spectral_classes()
    smallest = counts.min() if counts is not None else ensemble.n * weights.min()
    if smallest < MIN_CLASS_SIZE and ensemble.n <= MAX_AUTO_EMITTERS and ensemble.has_emitter_detunings:
        return "emitters"
    return "classes"


def _merge_small_classes(model: ClassModel):
    """Lump classes holding less than one emitter into their neighbour towards the line centre.

    The class-spin closure needs at least one emitter per class; the tails of a
    continuous line in many classes can hold less. Returns the merged model
    and the number of emitters moved.
    """
    counts = model.counts.copy()
    det = model.detunings
    order = np.argsort(det)
    keep = np.ones(counts.size, dtype=bool)
    moved = 0.0
    for sequence in (order, order[::-1]):
        carry = 0.0
        for pos, idx in enumerate(sequence):
            counts[idx] += carry
            carry = 0.0
            if counts[idx] < 1.0 and pos < sequence.size - 1 and keep[idx]:
                carry = counts[idx]
                moved += carry
                counts[idx] = 0.0
                keep[idx] = False
            else:
                break
    if not np.any(~keep):
        return model, 0.0
    total = model.counts.sum()
    sel = keep
    new_counts = counts[sel]
    return ClassModel(
        detunings=det[sel],
        counts=new_counts,
        others=new_counts * (total - 1) / total,
        thirds=new_counts * (total - 2) / total,
        exclude=model.exclude,
        gamma0=model.gamma0,
        gamma_c=model.gamma_c,
        dephasing=model.dephasing,
        pumping=model.pumping,
    ), moved


def _rotation(initial):
    """(z0, theta, phi): spins start along z0 and are rotated by theta about y, phi about z.

    A partially inverted ProductState starts with s_z = +-1 at random: z0 = 2p - 1 is the mean (used
    by the class engine with the spread of :func:`_spread`).
    """
    if isinstance(initial, Ground):
        return -1.0, 0.0, 0.0
    if isinstance(initial, CoherentSpinState):
        return 1.0, float(initial.theta), float(initial.phi)
    if isinstance(initial, ProductState):
        return spin_z_start(float(np.mean(initial.p)))[0], 0.0, 0.0
    return 1.0, 0.0, 0.0


def _spread(initial):
    """Spread sqrt(1 - z0^2) = 2 sqrt(p (1 - p)) of one emitter's s_z in a ProductState (0 otherwise)."""
    return spin_z_start(float(np.mean(initial.p)))[1] if isinstance(initial, ProductState) else 0.0


#: trajectories of the class engine per kernel call at most (fewer for long runs: between two calls Ctrl-C is
#: honoured)
CLASS_BLOCK = 256


def _class_estimators(spins, model):
    """twa's per-trajectory arrays from the class-spin kernel's (:class:`ClassSpinRows`)."""
    half = 0.5 * float(model.counts.sum())
    out = {"estimator": spins["total"], "excitation": spins["excitation"],
           "shot": spins["total"] + model.gamma0 * (half - spins["excitation"])}
    # collective channel: amplitude sqrt(Gamma_c) B, normally ordered Gamma_c (|B|^2 + J_z)
    out["field"] = spins["field"] * np.sqrt(model.gamma_c)
    out["normal"] = (np.abs(out["field"]) ** 2 + model.gamma_c * (spins["excitation"] - half)
                     if out["field"].shape[1] else np.zeros_like(out["field"], dtype=np.float64))
    return out


#: a long first block (estimated above SPLIT_SECONDS) runs its first FIRST_PIECE trajectories on their own (the
#: same random numbers), so that Ctrl-C soon has finished trajectories to return; costs about a third of a block
FIRST_PIECE = 16
SPLIT_SECONDS = 4.0
#: wall seconds per unit of per-emitter work (emitter x (noise rank + coupling cost) x step), an estimate
#: (measured 0.7-1.6 ns on 2 cores)
EMITTER_UNIT_SECONDS = 1e-9


def _pieces(first, count, split):
    """(block, offset, size) runs of trajectories first .. first + count - 1: whole blocks, the first split
    after FIRST_PIECE if ``split``."""
    for start in range(first, first + count, BLOCK):
        size = min(BLOCK, first + count - start)
        if split and start == 0 and size > FIRST_PIECE:
            yield 0, 0, FIRST_PIECE
            yield 0, FIRST_PIECE, size - FIRST_PIECE
        else:
            yield start // BLOCK, 0, size


class _EmitterRows:
    """Runs per-emitter trajectories first .. first + count - 1 block by block (picklable).

    The trajectories of a block advance together; on Ctrl-C (noted in this process) the rows of the runs
    finished before are returned, fewer than ``count``.
    """

    def __init__(self, engine, field_columns, split=False):
        self.engine, self.field_columns, self.split = engine, field_columns, split

    def __call__(self, first, count):
        out = {key: np.zeros((count, self.engine.records)) for key in ("estimator", "shot", "excitation")}
        out["field"] = np.zeros((count, self.field_columns), dtype=np.complex128)
        out["normal"] = np.zeros((count, self.field_columns))
        done = 0
        for block, offset, size in _pieces(first, count, self.split):
            rows = slice(done, done + size)
            try:
                self.engine.run_block(block, size, *(out[key][rows] for key in ("estimator", "shot", "excitation",
                                                                              "field", "normal")), offset=offset)
            except KeyboardInterrupt:
                if done == 0:
                    raise
                return {key: value[:done] for key, value in out.items()}
            done += size
        return out


#: smallest number of dipoles from which coupling="auto" takes FFT coupling sums, by lattice dimensionality
#: (measured per step on a 2-core machine with benchmarks/bench_twa.py --only lattice)
FFT_MIN_DIPOLES = {1: 512, 2: 2304, 3: 4096}
#: the default step of the ``classes`` engine is this fraction of the inverse fastest rate (:func:`default_step`)
STEP_FRACTION = 0.02
#: the same for the ``emitters`` engine. Measured against half of the former fraction 0.02 (0.01; benchmarks/
#: bench_twa.py, docs/validation.md): 16 x 16 square superlattice (Omega-dominated rate), 2048 trajectories per
#: step: 0.02, 0.05, 0.1, 0.2 within 2.2 standard errors at all 101 output times (peaks 24.7-25.6 against 25.4),
#: 0.4 off by 7.8 (peak +10 %); 200 identical emitters on this engine (Gamma-dominated), 2048 trajectories: 0.2
#: within 2.0. Heun's error on the fast coherent rotation grows as the fourth power of the step, so 0.2 keeps it
#: below the sampling error of 10^3 trajectories while taking 10x fewer steps than 0.02
EMITTER_STEP_FRACTION = 0.2
#: largest number of emitters whose Omega spectrum (for the time step) is found by dense diagonalisation
DENSE_SPECTRUM_MAX = 256


def _step(ensemble, engine):
    """(model, emitters merged into neighbouring classes, fastest rate in 1/ps, noise factor or None)."""
    merged, factor = 0.0, None
    if engine == "classes":
        model, merged = _merge_small_classes(ClassModel.from_ensemble(ensemble))
        if model.counts.min() < 1.0:
            raise ValueError("engine 'classes' needs at least one emitter per spectral class; use fewer classes")
        # detunings and dephasing kicks are exact rotations: they do not limit the step
        rate = fastest_rate(ensemble.n * model.gamma_c + model.gamma0, pumping=model.pumping,
                            dephasing=model.dephasing)
    else:
        model = EmitterModel.from_ensemble(ensemble)
        factor = noise_factor(model.gamma)
        rate = fastest_rate(factor[1], frequency=largest_frequency(model.omega), pumping=model.pumping,
                            decay=float(np.max(np.diag(model.gamma))))
    return model, merged, rate, factor


def default_step(ensemble, engine="auto"):
    """The default largest time step of a ``twa`` run, in ps: a fraction of the inverse fastest rate.

    The fraction is :data:`EMITTER_STEP_FRACTION` (0.2) for the ``emitters`` engine and :data:`STEP_FRACTION`
    (0.02) for the ``classes`` engine.

    The fastest rate (1/ps) is, for the ``emitters`` engine, lambda_max(Gamma) + max |eigenvalue of Omega|
    + max Gamma_ii + P; for the ``classes`` engine N Gamma_c + gamma_0 + P + 2 gamma_phi (detunings and
    dephasing kicks of the emitters engine are exact rotations and do not limit the step). A run refines the
    step to divide each output interval; ``dt=`` can only make it smaller.

    Parameters
    ----------
    ensemble : Ensemble
        Two-level emitters (the systems ``twa`` accepts).
    engine : {"auto", "classes", "emitters"}
        As in :func:`solve`; "auto" resolves as for an excited start. A start with one excitation
        probability per emitter and a far-field detector of :func:`first_order_correlation` run on the
        ``emitters`` engine: pass it explicitly for those.

    Returns
    -------
    float
        Time step (ps); ``inf`` for a system with no rates (a run then takes a hundredth of its window).

    Raises
    ------
    ValueError
        For an ensemble ``twa`` does not take, an unknown engine or one the ensemble does not support.
    """
    if getattr(ensemble, "emitter_type", None) != "two-level":
        raise ValueError("ensemble: twa handles two-level emitters only (an Ensemble)")
    engine = _twa_engine(ensemble, engine)
    _, _, rate, _ = _step(ensemble, engine)
    return _fraction(engine) / rate if rate > 0 else float("inf")


def _fraction(engine):
    """The default step times the fastest rate of an engine."""
    return EMITTER_STEP_FRACTION if engine == "emitters" else STEP_FRACTION


def largest_frequency(omega):
    """Spectral radius max |eigenvalue| of the symmetric coupling matrix Omega (rad/ps).

    The fastest coherent mode the time step has to resolve. Dense eigenvalues up to
    ``DENSE_SPECTRUM_MAX`` emitters; above, Lanczos (ARPACK) to 1e-3 with a 1 % margin. Never above the
    largest row sum of |Omega| (Gershgorin's bound, which on a 3D superlattice is several times larger:
    the near-field sums of the rows do not add up in any one mode).
    """
    omega = np.asarray(omega, dtype=np.float64)
    rows = largest_row_sum(omega)
    if rows == 0.0:
        return 0.0
    if omega.shape[0] <= DENSE_SPECTRUM_MAX:
        return min(rows, float(np.max(np.abs(np.linalg.eigvalsh(omega)))))
    try:
        # a random start: the uniform vector of a mirror-symmetric lattice has no weight on antisymmetric modes
        start = np.random.default_rng(0).standard_normal(omega.shape[0])
        value = eigsh(omega, k=1, which="LM", tol=1e-3, return_eigenvectors=False, v0=start)[0]
    except ArpackNoConvergence:
        return rows
    return min(rows, 1.01 * abs(float(value)))


def _sample(ensemble, times, initial, *, trajectories, seed, engine, dt, progress, max_steps, field=None,
            executor=None, coupling="auto"):
    """Run the trajectories; per-trajectory arrays (M_done, nt) and run facts.

    ``field``: None, or the amplitudes c_k (n,) of a detected field E- = sum_k c_k s-_k (emitters engine) or
    "collective" (sqrt(Gamma_c) J-, any engine): then ``out["field"]`` holds its classical amplitude per
    trajectory and ``out["normal"]`` the per-trajectory estimator of the normally ordered <E+ E->.
    """
    z0, theta, phi = _rotation(initial)
    n_times = len(times)
    model, merged, rate, factor = _step(ensemble, engine)
    operator = None if engine == "classes" else lattice_operator(ensemble, coupling, FFT_MIN_DIPOLES)
    dt_max = _fraction(engine) / rate if rate > 0 else (times[-1] - times[0]) / 100.0
    if dt is not None:
        dt = check_real("dt", dt, low=0.0, low_open=True)
        dt_max = min(dt_max, dt)
    steps, dts = time_schedule(times, dt_max, max_steps=max_steps, system=ensemble, dt=dt)
    columns = 0 if field is None else n_times
    per_step = model.size * (factor[0].shape[1] + (np.log2(model.size) if operator is not None else model.size)) \
        if engine == "emitters" else model.size
    work = per_step * float(steps.sum())
    if engine == "classes":
        # class spins in a single slice (Gamma_f = Gamma_c): the kernel the Maxwell-Bloch method uses with many
        runner = ClassSpinRows(seed, (z0, theta, phi), model.counts[None, :], model.detunings,
                               (model.gamma_c, model.gamma0 - model.gamma_c, model.dephasing, model.pumping), steps,
                               dts, _spread(initial), field is not None)
        block = runner.block(CLASS_BLOCK)
    else:
        amplitudes = None
        if field is not None:
            amplitudes = np.full(ensemble.n, np.sqrt(ensemble.collective_decay) + 0j) if isinstance(field, str) \
                else np.asarray(field, dtype=np.complex128)
        probability = initial.probabilities(ensemble.n) if isinstance(initial, ProductState) else None
        runner = _EmitterRows(EmitterEngine(model, seed, z0, theta, phi, steps, dts, amplitudes, probability,
                                            operator=operator, factor=factor), columns,
                              split=BLOCK * work * EMITTER_UNIT_SECONDS > SPLIT_SECONDS)
        block = BLOCK
    out, done, partial = sample_rows(runner, total=trajectories, block=block, executor=executor, progress=progress,
                                     size=work / 100.0, desc=NAME, unit="traj", what="trajectories")
    if engine == "classes":
        out = _class_estimators(out, model)
    facts = {"engine": engine, "merged_tail_emitters": merged, "trajectories": done,
             "trajectories_requested": trajectories, "trajectories_done": done, "partial": partial,
             "steps": int(steps.sum()), "dt": float(dts.max())}
    if engine == "emitters":
        facts.update(coupling="dense" if operator is None else "fft", noise_rank=int(factor[0].shape[1]))
    return out, facts


def _checked(ensemble, times, trajectories, seed, engine, max_steps, initial=None):
    trajectories = check_positive_int("trajectories", trajectories, minimum=2)
    seed = check_seed(seed)
    max_steps = check_positive_int("max_steps", max_steps)
    engine = _twa_engine(ensemble, engine_for_start(initial, engine))
    if ensemble.spectrum is not None:
        ensemble.spectrum.check_window(float(times[-1] - times[0]))
    n_times = len(times)
    if engine == "emitters":
        check_memory(10.0 * 8.0 * ensemble.n**2 + 5.0 * 8.0 * trajectories * n_times, parameter="n",
                     what=f"per-emitter TWA of n = {ensemble.n} emitters ({trajectories} trajectories, "
                          f"{n_times} times)",
                     alternative="the class engine (engine='classes') holds one spin per spectral class for "
                                 "identical coupling")
    else:
        check_memory(6.0 * 8.0 * trajectories * n_times, parameter="trajectories",
                     what=f"{trajectories} trajectories of {n_times} output times",
                     alternative="use fewer trajectories or output times")
    return trajectories, seed, engine, max_steps


def _warn_small(n):
    if n < WARN_EMITTERS:
        warn_caller(f"twa with n = {n} < {WARN_EMITTERS} emitters: the burst (tau_D, peak) is "
                    "reliable to ~8 %, the tail after it is not; the exact methods ('exact' n <= 12, "
                    "'permutational' for identical emitters) are preferable", TWAValidityWarning)


def solve(ensemble, times, initial, *, trajectories=DEFAULT_TRAJECTORIES, seed=0, engine="auto", dt=None, shots=None,
          batches=10, progress=None, max_steps=DEFAULT_MAX_STEPS, executor=None, coupling="auto"):
    """Sample truncated-Wigner trajectories and average them.

    Parameters
    ----------
    ensemble : Ensemble
        Two-level emitters (any spectrum with identical coupling, or coupling
        matrices).
    times : ndarray
        Strictly increasing output times (ps), the first the excitation
        (``simulate`` prepends t = 0 when needed).
    initial : state
        Excited, Ground, CoherentSpinState or an incoherent ProductState (s_z = +-1 drawn with p).
    trajectories : int
        Number of trajectories M >= 2.
    seed : int
        Seed of the random numbers: trajectory r draws from the stream
        SeedSequence(seed, spawn_key=(r,)) (class engine) or that of its
        block of 128 (per-emitter engine), so a run of M trajectories is a
        prefix of a run of 2M, and results depend neither on the thread count
        nor on M.
    engine : {"auto", "classes", "emitters"}
    dt : float, optional
        Largest time step (ps); default 0.2 (emitters engine) or 0.02 (classes) / (fastest rate), see
        :func:`default_step`.
    shots : int, optional
        Single-shot traces kept (<= trajectories; default min(20, trajectories)).
    batches : int
        Batches for the statistical errors of tau_D and the peak (2..M).
    progress : bool or None
        Progress bar over trajectories (None: shown on a terminal for long runs).
    max_steps : int
        Largest number of time steps per trajectory.
    executor : None, "serial", "processes", concurrent.futures.Executor, dask Client or str
        Where the trajectory blocks run: this process (None, the default: numba and BLAS already use
        every core), local processes, an Executor, a Dask cluster (a Client or a scheduler address). The
        result is identical bit for bit whatever the executor.
    coupling : {"auto", "dense", "fft"}
        Coupling sums of the per-emitter engine: dense n x n products (BLAS),
        or zero-padded FFT convolutions on a regular lattice (an ensemble from
        :meth:`Superlattice.nanocrystal_ensemble` without positional disorder).
        "auto" takes the FFTs from the sizes where they were measured faster
        (:data:`FFT_MIN_DIPOLES`). Both give the same trajectories to rounding.

    Returns
    -------
    Result
        ``intensity`` and ``excitation`` are trajectory averages of the
        estimators (see :mod:`sf_dynamics.solvers._sampling`); ``data`` holds
        ``intensity_sem`` and ``excitation_sem`` (standard errors of the mean,
        1/sqrt(M)) and ``single_shots`` (nt, shots): the classical field
        intensity of single trajectories, >= 0, and ``g2`` with ``g2_sem``:
        the classical-intensity estimate <I^2> / <I>^2 of the equal-time
        second-order coherence (approximate; of all channels, the collective
        one when decay = 0); ``info`` holds ``shot_delays`` and
        ``shot_peaks`` (time and height of each shot's maximum),
        ``shot_photons`` (each trajectory's classical intensity integrated
        over ``times``), ``tau_d_sem``, ``peak_sem`` and ``partial`` (True when the
        run was interrupted with Ctrl-C and averages only the trajectories
        finished, ``trajectories_done``).

    Raises
    ------
    ValueError
        For bad options, or when the run would exceed ``max_steps`` or the
        free memory.
    """
    trajectories, seed, engine, max_steps = _checked(ensemble, times, trajectories, seed, engine, max_steps,
                                                     initial)
    check_coupling(coupling)
    shots = check_shots(shots, trajectories)
    batches = min(check_positive_int("batches", batches, minimum=2), trajectories)
    if isinstance(initial, Ground) and ensemble.pumping == 0:
        return _dark(ensemble, times, initial, trajectories, seed, engine)
    _warn_small(ensemble.n)
    start = _time.perf_counter()
    out, facts = _sample(ensemble, times, initial, trajectories=trajectories, seed=seed, engine=engine, dt=dt,
                         progress=progress, max_steps=max_steps, executor=executor, coupling=coupling)
    done = facts["trajectories_done"]
    mean, data, shot_info = package_shots(times, out["estimator"], out["shot"], keep=min(shots, done),
                                          batches=min(batches, done), extra={"excitation": out["excitation"]})
    params = ensemble.parameters()
    params.update(initial=initial.describe(), engine=engine, trajectories=done, seed=seed, dt=facts["dt"])
    if "coupling" in facts:
        params["coupling"] = facts["coupling"]
    info = {**facts, "wall_time": _time.perf_counter() - start, **shot_info}
    excitation_mean = data.pop("excitation")
    # classical-field statistics of the shots (approximate: docs/physics.md, "Photon statistics")
    data["g2"], data["g2_sem"] = ratio_of_means(out["shot"] ** 2, out["shot"], power=2)
    info["shot_photons"] = trapezoid(out["shot"], times, axis=1)
    invalid = _validity(times, excitation_mean, data["excitation_sem"], ensemble.n)
    info["valid_until_ps"] = float(times[-1]) if invalid is None else invalid
    if invalid is not None:
        warn_caller(f"twa: from t = {invalid:.4g} ps the averaged excitation leaves [0, N] by more than 3 "
                    "standard errors (vacuum-fluctuation drift of the truncated-Wigner spins): averages after "
                    "that time are outside the method's validity (info['valid_until_ps'])", TWAValidityWarning)
    return Result(times, mean, excitation_mean, NAME, params, data=data, info=info)


def first_order_correlation(ensemble, times, taus, initial, detector="collective", *,
                            trajectories=DEFAULT_TRAJECTORIES, seed=0, engine="auto", dt=None, shots=None,
                            progress=None, max_steps=DEFAULT_MAX_STEPS, executor=None, coupling="auto"):
    """G1(t, tau) of the collective channel or of a far-field detector, from truncated-Wigner trajectories.

    Each trajectory records its classical field a(t) = sum_k c_k beta_k on a
    uniform grid with the delay step; the average of conj(a(t + tau)) a(t)
    is the symmetrically ordered correlation, turned into the normally
    ordered one as described in :mod:`sf_dynamics.solvers._sampling`
    (exact at tau = 0 and for independent emitters; measured errors in
    docs/validation.md).

    Parameters
    ----------
    ensemble : Ensemble
    times, taus : ndarray
        Output times (ps, from the excitation at 0) and equally spaced delays (ps, from 0).
    initial : state
        Excited, Ground, CoherentSpinState or an incoherent ProductState.
    detector : "collective" or ndarray of complex, shape (n,)
        The collective channel sqrt(Gamma_c) J- (either engine), or far-field amplitudes c_k
        (sqrt(photons/ps/sr); per-emitter engine).
    trajectories, seed, engine, dt, progress, max_steps, executor, coupling
        As in :func:`solve`.
    shots : int, optional
        Single-shot fields kept (default min(20, trajectories)).

    Returns
    -------
    g1 : ndarray of complex128, shape (len(times), len(taus))
    extra : dict
        ``g1_sem`` (standard error of the mean, same shape), ``shot_field``
        (shots, records) the classical field amplitudes of single shots
        (sqrt(photons/ps)), ``record_time`` (records,) in ps, and run facts
        (``trajectories_done``, ``partial``, ``engine``, ``dt``).

    Raises
    ------
    ValueError
        For bad options, or a far-field detector with the class engine.
    """
    grid, _ = record_grid(times, taus)
    trajectories, seed, engine, max_steps = _checked(ensemble, grid, trajectories, seed,
                                                     "emitters" if engine == "auto" and not isinstance(detector, str)
                                                     else engine, max_steps, initial)
    if engine == "classes" and not isinstance(detector, str):
        raise ValueError("engine: a far-field detector needs the per-emitter engine ('emitters'), got 'classes'")
    check_coupling(coupling)
    shots = check_shots(shots, trajectories)
    if isinstance(initial, Ground) and ensemble.pumping == 0:
        zeros = np.zeros((len(times), len(taus)))
        return zeros.astype(np.complex128), {"g1_sem": zeros, "shot_field": np.zeros((0, grid.size), complex),
                                             "record_time": grid, "trajectories_done": trajectories,
                                             "partial": False, "engine": engine, "exact_fixed_point": True}
    _warn_small(ensemble.n)
    out, facts = _sample(ensemble, grid, initial, trajectories=trajectories, seed=seed, engine=engine, dt=dt,
                         progress=progress, max_steps=max_steps, field=detector, executor=executor,
                         coupling=coupling)
    g1, sem = shot_correlation(grid, out["field"], out["normal"], times, len(taus))
    return g1, {"g1_sem": sem, "shot_field": out["field"][:shots].copy(), "record_time": grid, **facts}
