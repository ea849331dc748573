"""Energy funnelling into a burst: donor NCs hand their excitons to a superradiant acceptor domain.

Model (docs/physics.md, "Funnelling into superfluorescence"): N_D donors (decay gamma_D, independent)
and a point-like domain of N_A identical acceptors (collective decay Gamma_c D[J_-], local decay gamma,
dephasing (gamma_phi / 2) D[s_z]), every donor-acceptor pair joined by the incoherent hop

    L_da = sqrt(k) s+_a s-_d      (an exciton moves from donor d to acceptor a if a is empty).

* :func:`funnel_exact` integrates the full Lindblad master equation (QuTiP, 2^(N_D + N_A) states; up to
  10 emitters);
* :func:`funnel_cumulant` integrates its second-order cumulant equations (any N: O(1) variables),
  the same closure as the ``cumulant`` method: populations n_D, n_A, the acceptor coherence
  C = <s+_a s-_a'>, and the population correlations N_AA, N_DD, N_DA; third-order cumulants are
  dropped (<n n n> -> sum of pair products - 2 n n n; <n_d s+_a s-_a'> -> n_D C). The hop creates no
  coherence; it removes donor population at k (n_D - N_DA) per acceptor, feeds the acceptor, and
  dephases the acceptor coherence at k N_D n_D / 2 per side (the time-dependent pump it is).

For one donor and one acceptor the cumulant equations are exact (N_DA stays 0).
"""

from __future__ import annotations

import numpy as np
import xarray as xr
from scipy.integrate import solve_ivp

from .._io import provenance
from .._validation import check_positive_int, check_real, check_times
from ..kernels import cumulant as kc

__all__ = ["funnel_cumulant", "funnel_exact", "EXACT_MAX_EMITTERS"]

#: largest N_D + N_A of funnel_exact (2^10 states, a 10^6-element Liouvillian row space)
EXACT_MAX_EMITTERS = 10


def _check(donors, acceptors, transfer_rate, donor_decay, donor_radiative, collective_decay, decay, dephasing,
           donor_excitation, acceptor_excitation, times):
    nd = check_positive_int("donors", donors)
    na = check_positive_int("acceptors", acceptors)
    k = check_real("transfer_rate", transfer_rate, low=0.0)
    gd = check_real("donor_decay", donor_decay, low=0.0)
    gdr = gd if donor_radiative is None else check_real("donor_radiative", donor_radiative, low=0.0, high=gd)
    rates = {name: check_real(name, value, low=0.0) for name, value in
             (("collective_decay", collective_decay), ("decay", decay), ("dephasing", dephasing))}
    pd = check_real("donor_excitation", donor_excitation, low=0.0, high=1.0)
    pa = check_real("acceptor_excitation", acceptor_excitation, low=0.0, high=1.0)
    return nd, na, k, gd, gdr, rates, pd, pa, check_times(times)


def _dataset(times, nd, na, n_d, n_a, donor_emission, acceptor_emission, method, params):
    data = {
        "donor_excitation": ("time", n_d, {"long_name": "excitation probability of one donor"}),
        "acceptor_excitation": ("time", n_a, {"long_name": "excitation probability of one acceptor"}),
        "donor_emission": ("time", donor_emission, {"units": "photons/ps", "long_name": "donor band PL"}),
        "acceptor_emission": ("time", acceptor_emission, {"units": "photons/ps", "long_name": "acceptor band PL"}),
    }
    meta = provenance(method=method, **params)
    return xr.Dataset(data, coords={"time": ("time", times, {"units": "ps"})},
                      attrs={k: (v if isinstance(v, (int, float, str)) else str(v)) for k, v in meta.items()})


def funnel_cumulant(donors, acceptors, times, *, transfer_rate, donor_decay, collective_decay, decay=0.0,
                    dephasing=0.0, donor_radiative=None, donor_excitation=1.0, acceptor_excitation=0.0,
                    rtol=1e-8, atol=1e-10):
    """Donor and acceptor bands of a funnelling sample from the second-order cumulant equations.

    Parameters
    ----------
    donors, acceptors : int
        N_D and N_A (>= 1).
    times : array_like
        Output times (ps), increasing from t >= 0.
    transfer_rate : float
        k, the hop rate of one donor-acceptor pair (1/ps); a donor's total rate into the empty domain is
        N_A k.
    donor_decay : float
        Total decay of a donor exciton (1/ps); ``donor_radiative`` its radiative part (default all).
    collective_decay, decay, dephasing : float
        The acceptor domain's Gamma_c, local gamma and gamma_phi (1/ps), as in :class:`~sf_dynamics.Ensemble`.
    donor_excitation, acceptor_excitation : float
        Excitation probability of each donor and acceptor at t = 0 (incoherent product state), in [0, 1].
    rtol, atol : float
        Integrator tolerances.

    Returns
    -------
    xarray.Dataset
        ``donor_excitation``, ``acceptor_excitation`` (per NC), ``donor_emission``, ``acceptor_emission``
        (photons/ps of each band), with the parameters in the attributes.

    Raises
    ------
    ValueError
        A parameter outside its range (named).
    """
    nd, na, k, gd, gdr, r, pd, pa, t = _check(donors, acceptors, transfer_rate, donor_decay, donor_radiative,
                                              collective_decay, decay, dephasing, donor_excitation,
                                              acceptor_excitation, times)
    gc, g_loc, gphi = r["collective_decay"], r["decay"], r["dephasing"]
    g0 = gc + g_loc
    counts = np.array([float(na)])
    det = np.zeros(1)
    excl = 1.0
    buf = [np.zeros(1), np.zeros((1, 1)), np.zeros((1, 1)), np.zeros((1, 1))]

    def rhs(_t, y):
        n_d, n_a, c, naa, ndd, nda = y
        dn, dcr, dci, dnp = buf
        kc.class_pair_rhs(np.array([n_a]), np.array([[c]]), np.zeros((1, 1)), np.array([[naa]]), det, counts, counts,
                          excl, g0, gc, gphi, 0.0, dn, dcr, dci, dnp)
        t_daa = 2.0 * nda * n_a + naa * n_d - 2.0 * n_d * n_a**2
        t_dda = ndd * n_a + 2.0 * nda * n_d - 2.0 * n_d**2 * n_a
        flow = k * (n_d - nda)                        # one pair's hop rate
        d_nd = -gd * n_d - na * flow
        d_na = dn[0] + nd * flow
        d_c = dcr[0, 0] - k * nd * n_d * c
        d_naa = dnp[0, 0] + 2.0 * k * nd * (nda - t_daa)
        d_ndd = -2.0 * gd * ndd - 2.0 * k * na * (ndd - t_dda)
        d_nda = (-(gd + g0) * nda - gc * (na - 1) * n_d * c - k * (na - 1) * (nda - t_daa)
                 + k * (nd - 1) * (ndd - t_dda))
        return [d_nd, d_na, d_c, d_naa, d_ndd, d_nda]

    y0 = [pd, pa, 0.0, pa * pa, pd * pd, pd * pa]
    fastest = g0 * na + gd + k * max(nd, na) + gphi + 1e-300
    sol = solve_ivp(rhs, (0.0, float(t[-1])), y0, t_eval=t, method="LSODA", rtol=rtol, atol=atol,
                    max_step=max(float(t[-1]) / 50.0, 1.0 / fastest))
    if not sol.success:
        raise RuntimeError(f"funnel_cumulant: the integrator failed ({sol.message}); try a smaller rtol")
    n_d, n_a, c = sol.y[0], sol.y[1], sol.y[2]
    acceptor = na * (g0 * n_a + gc * (na - 1) * c)
    params = dict(donors=nd, acceptors=na, transfer_rate=k, donor_decay=gd, donor_radiative=gdr,
                  collective_decay=gc, decay=g_loc, dephasing=gphi, donor_excitation=pd, acceptor_excitation=pa,
                  rtol=rtol, atol=atol)
    return _dataset(t, nd, na, n_d, n_a, nd * gdr * n_d, acceptor, "funnel second-order cumulant", params)


def funnel_exact(donors, acceptors, times, *, transfer_rate, donor_decay, collective_decay, decay=0.0,
                 dephasing=0.0, donor_radiative=None, donor_excitation=1.0, acceptor_excitation=0.0):
    """The same observables from the full Lindblad master equation (QuTiP ``mesolve``), N_D + N_A <= 10.

    Parameters and returns as :func:`funnel_cumulant`.

    Raises
    ------
    ValueError
        More than :data:`EXACT_MAX_EMITTERS` emitters, or a parameter outside its range.
    """
    import qutip

    nd, na, k, gd, gdr, r, pd, pa, t = _check(donors, acceptors, transfer_rate, donor_decay, donor_radiative,
                                              collective_decay, decay, dephasing, donor_excitation,
                                              acceptor_excitation, times)
    if nd + na > EXACT_MAX_EMITTERS:
        raise ValueError(f"donors + acceptors must be <= {EXACT_MAX_EMITTERS} for the full master equation, got "
                         f"{nd + na}; use funnel_cumulant")
    gc, g_loc, gphi = r["collective_decay"], r["decay"], r["dephasing"]
    total = nd + na

    def op(single, i):
        ops = [qutip.qeye(2)] * total
        ops[i] = single
        return qutip.tensor(ops)

    lower = qutip.destroy(2)          # |1> excited, |0> ground in qutip's basis(2, 1) / basis(2, 0)
    sm = [op(lower, i) for i in range(total)]
    num = [s.dag() * s for s in sm]
    donors_i, acceptors_i = range(nd), range(nd, total)
    jm = sum(sm[a] for a in acceptors_i)
    c_ops = []
    if gc > 0:
        c_ops.append(np.sqrt(gc) * jm)
    for a in acceptors_i:
        if g_loc > 0:
            c_ops.append(np.sqrt(g_loc) * sm[a])
        if gphi > 0:
            c_ops.append(np.sqrt(gphi / 2.0) * (2 * num[a] - 1))
    for d in donors_i:
        if gd > 0:
            c_ops.append(np.sqrt(gd) * sm[d])
        if k > 0:
            c_ops.extend(np.sqrt(k) * sm[a].dag() * sm[d] for a in acceptors_i)
    single = [qutip.Qobj(np.diag([1 - p, p])) for p in [pd] * nd + [pa] * na]
    rho0 = qutip.tensor(single)
    h = 0 * num[0]
    e_ops = [sum(num[d] for d in donors_i) / nd, sum(num[a] for a in acceptors_i) / na,
             gc * jm.dag() * jm + g_loc * sum(num[a] for a in acceptors_i)]
    out = qutip.mesolve(h, rho0, t, c_ops, e_ops=e_ops, options={"atol": 1e-10, "rtol": 1e-8})
    n_d, n_a, acceptor = (np.real(np.asarray(e)) for e in out.expect)
    params = dict(donors=nd, acceptors=na, transfer_rate=k, donor_decay=gd, donor_radiative=gdr,
                  collective_decay=gc, decay=g_loc, dephasing=gphi, donor_excitation=pd, acceptor_excitation=pa)
    return _dataset(t, nd, na, n_d, n_a, nd * gdr * n_d, acceptor, "funnel exact master equation (QuTiP)", params)
