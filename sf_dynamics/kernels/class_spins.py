"""Numba kernels of classical spins per spectral class in slices along z (retarded time).

The same kernels serve the 1D Maxwell-Bloch method (many slices) and the
class-spin truncated-Wigner method (one slice: Gamma_f = Gamma_c).

Slice j (upstream to downstream) holds K spectral classes of N_ja emitters.
In retarded time each emitter is driven by the forward field of all
upstream slices and, symmetrised, half of its own slice (cascaded coupling
Gamma_f; the emitter's own contribution excluded):

    D_j = Gamma_f (sum_{j' < j} B_j' + B_j / 2),    B_j = sum_a N_ja beta_ja

Mean field (deterministic, seeded):

    dbeta_ja = (-i delta_a - Gamma_0/2 - gamma_phi) beta_ja + s_ja (D_j - Gamma_f beta_ja / 2)
    dn_ja    = -Gamma_0 n_ja - 2 Re(conj(beta_ja) (D_j - Gamma_f beta_ja / 2))

(Gamma_0 = Gamma_f + gamma), so that the excitation lost equals the photons
emitted, Gamma_0 sum N n + Gamma_f (|sum_j B_j|^2 - sum N |beta|^2), exactly;
with one slice these are the mean-field equations of N emitters with
collective decay Gamma_f.

Noise-initiated (truncated Wigner, one classical spin per slice and class,
as in :mod:`sf_dynamics.kernels.twa`): B_ja = N_ja beta_ja with
<|B_ja|^2> = N_ja / 2 initially, the vacuum noise of the forward mode common
to all slices (cascaded channel), local decay and dephasing noise per class.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

__all__ = ["slice_meanfield_rhs", "slice_meanfield_observables", "class_spin_trajectories"]


@nb.njit(inline="always", cache=True)
def _cnormal(scale):
    """Circular complex Gaussian with <|x|^2> = scale^2."""
    return scale * math.sqrt(0.5) * complex(np.random.normal(), np.random.normal())


@nb.njit(cache=True)
def _drives(b, counts, gf):
    """D_j for every slice from the per-emitter dipoles b (Nz, K)."""
    nz, k_cls = b.shape
    drive = np.empty(nz, dtype=np.complex128)
    upstream = 0.0j
    for j in range(nz):
        bj = 0.0j
        for a in range(k_cls):
            bj += counts[j, a] * b[j, a]
        drive[j] = gf * (upstream + 0.5 * bj)
        upstream += bj
    return drive


@nb.njit(cache=True)
def slice_meanfield_rhs(beta, n, counts, det, gf, gamma0, dephasing, dbeta, dn):
    """Mean-field Maxwell-Bloch right-hand side; beta (Nz, K) complex, n (Nz, K)."""
    nz, k_cls = beta.shape
    drive = _drives(beta, counts, gf)
    for j in range(nz):
        for a in range(k_cls):
            v = drive[j] - 0.5 * gf * beta[j, a]
            s = 2.0 * n[j, a] - 1.0
            dbeta[j, a] = (-1j * det[a] - 0.5 * gamma0 - dephasing) * beta[j, a] + s * v
            dn[j, a] = -gamma0 * n[j, a] - 2.0 * (np.conj(beta[j, a]) * v).real


@nb.njit(cache=True)
def slice_meanfield_observables(beta, n, counts, gf, gamma0):
    """(total intensity, forward intensity, excitation) of a mean-field state."""
    nz, k_cls = beta.shape
    total_b = 0.0j
    self_terms = 0.0
    exc = 0.0
    for j in range(nz):
        for a in range(k_cls):
            total_b += counts[j, a] * beta[j, a]
            self_terms += counts[j, a] * abs(beta[j, a]) ** 2
            exc += counts[j, a] * n[j, a]
    coherent = gf * (abs(total_b) ** 2 - self_terms)
    out = np.empty(3)
    out[0] = gamma0 * exc + coherent
    out[1] = gf * exc + coherent
    out[2] = exc
    return out


@nb.njit(cache=True)
def _record(b, z, counts, gf, gamma0, half_total, total_out, forward_out, excitation_out, field_out, traj, rec):
    nz, k_cls = b.shape
    tot_b = 0.0j
    exc = 0.0
    for j in range(nz):
        for a in range(k_cls):
            tot_b += b[j, a]
            exc += 0.5 * (1.0 + z[j, a]) * counts[j, a]
    coherent = gf * (abs(tot_b) ** 2 - half_total)
    total_out[traj, rec] = gamma0 * exc + coherent
    forward_out[traj, rec] = gf * exc + coherent
    excitation_out[traj, rec] = exc
    if field_out.shape[1] > 0:
        field_out[traj, rec] = tot_b


@nb.njit(parallel=True, cache=True)
def class_spin_trajectories(seeds, z0, rot_theta, rot_phi, counts, det, gf, local, dephasing, pumping, steps, dts,
                            total_out, forward_out, excitation_out, field_out, z_spread=0.0):
    """Noise-initiated trajectories of class spins in slices (Heun steps).

    counts (Nz, K) emitters per slice and class; with one slice this is the
    class-spin TWA of identical-coupling emitters (Gamma_f = Gamma_c). The
    initial spins point along z0 (+1 inverted, -1 ground) with Wigner
    transverse fluctuations (Gaussian sums of +-1 components, <|B|^2> = N/2)
    and are rotated by rot_theta about y and rot_phi about z. With ``z_spread``
    > 0 each emitter's s_z is +-1 at random with mean z0 (a partially inverted
    product state, s_z = +1 with probability (1 + z0)/2, z_spread = sqrt(1 -
    z0^2)): a class sum gets the Gaussian spread z_spread sqrt(N_a). Trajectory r
    draws its random numbers from the stream seeded with seeds[r]. Output
    interval i is crossed in steps[i] steps of dts[i] ps. Records the
    intensity estimator (all modes), the exit-face forward estimator and the
    excitation at the start and after every interval, (n_traj, intervals + 1),
    and, if ``field_out`` has columns (else pass shape (n_traj, 0)), the
    classical exit-face field sum_ja B_ja (its Weyl symbol, in units of one
    emitter's dipole; the forward field amplitude is sqrt(Gamma_f) times it).
    """
    nz, k_cls = counts.shape
    gamma0 = gf + local
    n_traj = seeds.size
    half_total = 0.0
    for j in range(nz):
        for a in range(k_cls):
            half_total += 0.5 * counts[j, a]
    ct, st = math.cos(rot_theta), math.sin(rot_theta)
    cp, sp = math.cos(rot_phi), math.sin(rot_phi)
    for traj in nb.prange(n_traj):
        np.random.seed(seeds[traj])
        b = np.empty((nz, k_cls), dtype=np.complex128)
        z = np.empty((nz, k_cls))
        for j in range(nz):
            for a in range(k_cls):
                na = counts[j, a]
                sx = math.sqrt(na) * np.random.normal()
                sy = math.sqrt(na) * np.random.normal()
                sz = z0 * na
                if z_spread > 0.0:   # Gaussian sum of na spins, kept within the na spins' range
                    sz = min(max(sz + z_spread * math.sqrt(na) * np.random.normal(), -na), na)
                x1 = ct * sx + st * sz
                z1 = -st * sx + ct * sz
                b[j, a] = 0.5 * complex(cp * x1 - sp * sy, -(sp * x1 + cp * sy))
                z[j, a] = z1 / na
        bp = np.empty_like(b)
        zp = np.empty_like(z)
        db = np.empty_like(b)
        dz = np.empty_like(z)
        noise = np.empty_like(b)
        dephase = np.zeros_like(b)
        drive = np.empty(nz, dtype=np.complex128)
        _record(b, z, counts, gf, gamma0, half_total, total_out, forward_out, excitation_out, field_out, traj, 0)
        for interval in range(steps.size):
            dt = dts[interval]
            sq_dt = math.sqrt(dt)
            for _step in range(steps[interval]):
                for a in range(k_cls):
                    phase = -det[a] * dt
                    rot = complex(math.cos(phase), math.sin(phase))
                    for j in range(nz):
                        b[j, a] *= rot
                common = _cnormal(sq_dt)
                for j in range(nz):
                    for a in range(k_cls):
                        na = counts[j, a]
                        # collective (common to all slices), and local decay + pumping (independent) noise
                        noise[j, a] = math.sqrt(0.5 * gf) * na * common
                        if local + pumping > 0.0:
                            noise[j, a] += _cnormal(math.sqrt(0.5 * (local + pumping) * na) * sq_dt)
                        if dephasing > 0.0:
                            dephase[j, a] = _cnormal(math.sqrt(dephasing * na) * sq_dt)
                for stage in range(2):
                    src_b = b if stage == 0 else bp
                    src_z = z if stage == 0 else zp
                    upstream = 0.0j
                    for j in range(nz):
                        bj = 0.0j
                        for a in range(k_cls):
                            bj += src_b[j, a]
                        drive[j] = gf * (upstream + 0.5 * bj)
                        upstream += bj
                    for j in range(nz):
                        for a in range(k_cls):
                            na = counts[j, a]
                            drift_b = ((-0.5 * gamma0 - dephasing - 0.5 * pumping) * src_b[j, a]
                                       + src_z[j, a] * (na * drive[j] - 0.5 * gf * src_b[j, a]))
                            drift_z = (-gamma0 * (1.0 + src_z[j, a]) + pumping * (1.0 - src_z[j, a])
                                       - (4.0 / na) * ((np.conj(src_b[j, a]) * drive[j]).real - 0.25 * gf * na))
                            if stage == 0:
                                db[j, a] = drift_b
                                dz[j, a] = drift_z
                                bp[j, a] = b[j, a] + dt * drift_b + z[j, a] * noise[j, a] + dephase[j, a]
                                zp[j, a] = z[j, a] + dt * drift_z
                            else:
                                b[j, a] = (b[j, a] + 0.5 * dt * (db[j, a] + drift_b)
                                           + 0.5 * (z[j, a] + zp[j, a]) * noise[j, a] + dephase[j, a])
                                z[j, a] = z[j, a] + 0.5 * dt * (dz[j, a] + drift_z)
            _record(b, z, counts, gf, gamma0, half_total, total_out, forward_out, excitation_out, field_out,
                    traj, interval + 1)
