"""Excitation-fluence series: how tau_D, tau_SF and the peak scale with the number of excited NCs.

A pump pulse of fluence F (uJ/cm^2) at photon energy E_ph excites each NC
with probability p(F) = 1 - exp(-sigma j), j = F / E_ph the photon fluence:
the number of photons an NC absorbs is Poisson with mean sigma j, and an NC
that absorbed two or more relaxes to one band-edge exciton before the burst
(multi-excitons decay by Auger recombination within tens of ps, faster than
tau_D at the fluences of interest; assumed). Two models of the domain of
N_NC nanocrystals:

* ``inversion="full"``: N(F) = N_NC p(F) fully excited emitters and nothing
  else (the unexcited NCs are left out of the model);
* ``inversion="partial"``: all N_NC NCs, each excited with probability p(F)
  (:class:`~sf_dynamics.model.states.ProductState`): the unexcited NCs stay
  in the ground state and absorb, so the burst depends on the inversion 2p - 1,
  and a point-like domain shows no burst below p = 1/2.

Alternatively give a fixed number of excited emitters per uJ/cm^2 (full inversion only).

Superfluorescence theory (point-like sample): tau_SF = T_R ~ 1/N and
peak ~ N^2 (:func:`fluence_series` fits both power laws); tau_D ~ T_R ln N.
"""

from __future__ import annotations

import numpy as np

from .._validation import check_positive_int, check_real, check_real_array
from ..model.timescales import burst_window_ps

__all__ = ["excitation_probability", "fluence_for_probability", "excited_emitters", "fluence_series", "fit_power_law",
           "EV_PER_JOULE", "WINDOW_DELAYS"]

#: electronvolts per joule
EV_PER_JOULE = 1.0 / 1.602176634e-19
#: the default window of :func:`fluence_series` holds this many delay scales max(ln N, 1) / (N Gamma_c) of the
#: fewest emitters (:func:`~sf_dynamics.model.timescales.burst_window_ps`), at most 5 / (Gamma_c + gamma)
WINDOW_DELAYS = 6.0


def excitation_probability(fluence_uJ_cm2, *, cross_section_cm2, photon_energy_eV=3.1):
    """Probability p(F) = 1 - exp(-sigma F / E_ph) that an NC holds an exciton after the pump (Poisson absorption).

    Parameters
    ----------
    fluence_uJ_cm2 : array_like
        Pump fluences (uJ/cm^2), >= 0.
    cross_section_cm2 : float
        Absorption cross-section (cm^2), > 0.
    photon_energy_eV : float
        Pump photon energy (eV), > 0.

    Returns
    -------
    ndarray
    """
    f = np.atleast_1d(check_real_array("fluence_uJ_cm2", fluence_uJ_cm2, nonnegative=True))
    sigma = check_real("cross_section_cm2", cross_section_cm2, low=0.0, low_open=True)
    e_ph = check_real("photon_energy_eV", photon_energy_eV, low=0.0, low_open=True)
    return -np.expm1(-sigma * f * 1e-6 * EV_PER_JOULE / e_ph)


def fluence_for_probability(probability, *, cross_section_cm2, photon_energy_eV=3.1):
    """Pump fluence (uJ/cm^2) exciting an NC with ``probability``: the inverse of :func:`excitation_probability`.

    Parameters
    ----------
    probability : array_like
        Excitation probabilities, in [0, 1] (1 needs an infinite fluence).
    cross_section_cm2, photon_energy_eV : float
        As in :func:`excitation_probability`.

    Returns
    -------
    ndarray

    Raises
    ------
    ValueError
        For probabilities outside [0, 1] or a cross-section or photon energy <= 0.
    """
    p = np.asarray(check_real_array("probability", probability), dtype=float)
    if np.any((p < 0) | (p > 1)):
        raise ValueError(f"probability must be in [0, 1], got {probability!r}")
    sigma = check_real("cross_section_cm2", cross_section_cm2, low=0.0, low_open=True)
    e_ph = check_real("photon_energy_eV", photon_energy_eV, low=0.0, low_open=True)
    with np.errstate(divide="ignore"):
        return -np.log1p(-p) * e_ph / (sigma * 1e-6 * EV_PER_JOULE)


def excited_emitters(fluence_uJ_cm2, *, nanocrystals, cross_section_cm2=None, photon_energy_eV=3.1,
                     excited_per_fluence=None):
    """Number of excited emitters in a domain of ``nanocrystals`` NCs.

    Parameters
    ----------
    fluence_uJ_cm2 : array_like
        Pump fluences (uJ/cm^2), >= 0.
    nanocrystals : float
        NCs in the coherently coupled domain.
    cross_section_cm2 : float, optional
        Absorption cross-section (cm^2) at the pump wavelength; CsPbBr3 NCs of
        ~10 nm at 400 nm: of order 1e-14 - 1e-13 cm^2 (literature range,
        adjustable).
    photon_energy_eV : float
        Pump photon energy (default 3.1 eV, 400 nm).
    excited_per_fluence : float, optional
        Instead of a cross-section: excited emitters per uJ/cm^2 (linear,
        capped at ``nanocrystals``).
    """
    f = np.atleast_1d(check_real_array("fluence_uJ_cm2", fluence_uJ_cm2, nonnegative=True))
    n_nc = check_real("nanocrystals", nanocrystals, low=1.0)
    if (cross_section_cm2 is None) == (excited_per_fluence is None):
        raise ValueError("give either cross_section_cm2 or excited_per_fluence")
    if excited_per_fluence is not None:
        k = check_real("excited_per_fluence", excited_per_fluence, low=0.0, low_open=True)
        return np.minimum(k * f, n_nc)
    return n_nc * excitation_probability(f, cross_section_cm2=cross_section_cm2, photon_energy_eV=photon_energy_eV)


def fit_power_law(x, y):
    """Fit y = c x^p in log-log; returns (p, error of p, c)."""
    x = check_real_array("x", x)
    y = check_real_array("y", y)
    sel = (x > 0) & (y > 0) & np.isfinite(x) & np.isfinite(y)
    if sel.sum() < 3:
        raise ValueError("need at least 3 positive points for a power-law fit")
    coef, cov = np.polyfit(np.log(x[sel]), np.log(y[sel]), 1, cov=True)
    return float(coef[0]), float(np.sqrt(cov[0, 0])), float(np.exp(coef[1]))


def fluence_series(fluences_uJ_cm2, *, nanocrystals=1000, cross_section_cm2=5e-14, photon_energy_eV=3.1,
                   excited_per_fluence=None, collective_decay=0.3 / 210.0, decay=0.7 / 210.0, dephasing=0.0101,
                   inhomogeneous_fwhm_meV=0.0, method=None, window_ps=None, points=601, inversion="full",
                   **method_options):
    """Simulate the SF burst at each pump fluence and fit the power laws.

    With ``inversion="full"`` each fluence gives N(F) fully excited emitters
    (:func:`excited_emitters`, rounded); with ``inversion="partial"`` the
    domain keeps all its NCs, each excited with probability p(F)
    (:func:`excitation_probability`). Point-like domain with the given rates
    (defaults: CsPbBr3-like 210 ps radiative lifetime, 30 % of it into the
    collective channel, T2 = 80 ps). ``method`` (default "twa" for full
    inversion: the trajectory average, accurate in tau_D and peak to a few per
    cent at N >~ 100 and fast; "jumps" for partial inversion: exact shots;
    "permutational" is exact for identical emitters but slower with local
    processes at N ~ 10^3). ``method_options`` go to
    :func:`sf_dynamics.simulate` (e.g. trajectories). Without a burst (below
    threshold) tau_d and tau_sf are NaN.

    Returns
    -------
    xarray.Dataset
        On ``fluence``: ``excited`` (N; the mean number N_NC p for partial
        inversion), ``probability`` (p(F); 1 for full inversion), ``tau_d``,
        ``tau_sf`` (ps, sech^2 fit), ``peak`` (photons/ps), and
        ``intensity`` on (fluence, time). Attributes: fitted exponents
        ``tau_sf_exponent`` (expected -1) and ``peak_exponent`` (expected 2)
        versus N (partial inversion: versus the inversion N (2p - 1), over the
        fluences with a burst), with their errors, and ``inversion``.

    Raises
    ------
    ValueError
        For bad fluences or rates, an unknown inversion, or partial inversion
        with ``excited_per_fluence`` or an inhomogeneous line.
    """
    import xarray as xr

    from .. import analysis
    from ..model import Ensemble, ProductState, Spectrum
    from ..simulate import simulate
    from ..units import MEV_TO_RAD_PER_PS

    f = np.atleast_1d(check_real_array("fluences_uJ_cm2", fluences_uJ_cm2, nonnegative=True))
    if f.size < 1 or np.any(np.diff(f) <= 0):
        raise ValueError("fluences_uJ_cm2 must be strictly increasing")
    if inversion not in ("full", "partial"):
        raise ValueError(f"inversion must be 'full' or 'partial', got {inversion!r}")
    partial = inversion == "partial"
    if partial and (excited_per_fluence is not None or inhomogeneous_fwhm_meV):
        raise ValueError("inversion='partial' needs cross_section_cm2 (not excited_per_fluence) and identical "
                         "emitters (inhomogeneous_fwhm_meV = 0)")
    method = method or ("jumps" if partial else "twa")
    if partial:
        prob = excitation_probability(f, cross_section_cm2=cross_section_cm2, photon_energy_eV=photon_energy_eV)
        domain = int(round(check_real("nanocrystals", nanocrystals, low=1.0)))
        counts = np.full(f.size, domain)
        n_exc = domain * prob
    else:
        n_exc = excited_emitters(f, nanocrystals=nanocrystals, cross_section_cm2=None if excited_per_fluence else
                                 cross_section_cm2, photon_energy_eV=photon_energy_eV,
                                 excited_per_fluence=excited_per_fluence)
        counts = np.maximum(np.round(n_exc).astype(int), 1)
        prob = np.ones(f.size)
    points = check_positive_int("points", points, minimum=5)
    if window_ps is None:
        smallest = max(int(round(n_exc.min())), 1) if partial else counts.min()
        window_ps = (burst_window_ps(smallest, smallest * collective_decay, factor=WINDOW_DELAYS, min_log=1.0)
                     if collective_decay > 0 else 1e3)
        window_ps = min(window_ps, 5.0 / (collective_decay + decay))
    times = np.linspace(0.0, check_real("window_ps", window_ps, low=0.0, low_open=True), points)
    fwhm = inhomogeneous_fwhm_meV * MEV_TO_RAD_PER_PS
    rows = []
    for n, p in zip(counts, prob):
        spectrum = Spectrum.gaussian(fwhm, classes=41) if fwhm > 0 else None
        ens = Ensemble(int(n), collective_decay=collective_decay, decay=decay, dephasing=dephasing, spectrum=spectrum)
        options = dict(trajectories=400, seed=0) if method in ("twa", "jumps") else {}
        options.update(method_options)
        start = ProductState(float(p)) if partial else "excited"
        res = simulate(ens, times, method=method, initial=start, **options)
        summary = analysis.burst_summary(res)
        rows.append((summary["tau_d"], summary["tau_sf"], summary["peak"], res.intensity, res.method))
    tau_d = np.array([r[0] for r in rows])
    tau_sf = np.array([r[1] for r in rows])
    peak = np.array([r[2] for r in rows])
    attrs = {"method": rows[0][4], "nanocrystals": float(nanocrystals), "collective_decay": collective_decay,
             "decay": decay, "dephasing": dephasing, "inversion": inversion}
    # with partial inversion the burst scales with the inversion N (2p - 1), and only where there is one
    bursts = np.isfinite(tau_d)
    scale = np.where(bursts, counts * (2 * prob - 1), np.nan) if partial else counts
    for name, values in (("tau_sf", tau_sf), ("peak", np.where(bursts, peak, np.nan) if partial else peak)):
        try:
            p, err, _ = fit_power_law(scale, values)
        except ValueError:
            p, err = float("nan"), float("nan")
        attrs[f"{name}_exponent"] = p
        attrs[f"{name}_exponent_error"] = err
    return xr.Dataset(
        {
            "excited": ("fluence", n_exc if partial else counts),
            "probability": ("fluence", prob, {"long_name": "excitation probability per NC p(F)"}),
            "tau_d": ("fluence", tau_d, {"units": "ps"}),
            "tau_sf": ("fluence", tau_sf, {"units": "ps"}),
            "peak": ("fluence", peak, {"units": "photons/ps"}),
            "intensity": (("fluence", "time"), np.array([r[3] for r in rows]), {"units": "photons/ps"}),
        },
        coords={"fluence": ("fluence", f, {"units": "uJ/cm^2"}), "time": ("time", times, {"units": "ps"})},
        attrs=attrs,
    )
