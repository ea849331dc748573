"""Emission spectra from first-order correlations.

The time-integrated spectrum of a detected field is

    S(omega) = 2 Re int dt int_0^tau_max dtau e^{-i omega tau} G1(t, tau),

normalised so that int S domega / 2 pi = int G1(t, 0) dt, the photons
emitted into the detector (photons per rad/ps, per 2 pi). omega (rad/ps) is
measured from the reference transition: positive is blue (higher energy),
negative red. The frequency resolution is 2 pi / tau_max and the band
|omega| < pi / dtau; both are reported.
"""

from __future__ import annotations

import numpy as np

from .._validation import is_uniform
from ..units import HBAR_MEV_PS

__all__ = ["spectrum", "time_resolved_spectrum", "shot_spectra", "normalized_g1", "HC_MEV_NM", "WAVELENGTH_RANGE_NM"]

#: accepted reference wavelengths (nm): ultraviolet to mid-infrared; a value in micrometres typed as nm
#: (0.515) is refused instead of giving wavelengths a thousand times too short
WAVELENGTH_RANGE_NM = (100.0, 20000.0)

#: h c in meV nm (energy <-> vacuum wavelength)
HC_MEV_NM = 1239841.984


def _frequency_coords(omega, center_wavelength_nm):
    """omega (rad/ps) with hbar omega in meV and, given the reference wavelength, the vacuum wavelength."""
    from .._validation import check_real

    energy = omega * HBAR_MEV_PS
    coords = {"omega": ("omega", omega, {"units": "rad/ps"}),
              "energy_meV": ("omega", energy, {"units": "meV", "long_name": "hbar omega from the reference"})}
    if center_wavelength_nm is not None:
        lam0 = check_real("center_wavelength_nm", center_wavelength_nm, low=WAVELENGTH_RANGE_NM[0],
                          high=WAVELENGTH_RANGE_NM[1])
        coords["wavelength_nm"] = ("omega", HC_MEV_NM / (HC_MEV_NM / lam0 + energy), {"units": "nm"})
    return coords


def _fft_size(points, oversample):
    from .._validation import check_positive_int

    oversample = check_positive_int("oversample", oversample)
    return int(2 ** np.ceil(np.log2(oversample * points)))


def _integrated(correlation):
    if not hasattr(correlation, "data_vars") or "g1" not in correlation or "tau" not in correlation.coords:
        raise ValueError("correlation must be the Dataset of sf_dynamics.spectra.first_order (variables g1 on "
                         f"time and tau), got {type(correlation).__name__}")
    times = correlation["time"].values
    g1 = correlation["g1"].values
    if not np.all(np.isfinite(g1)):
        raise ValueError("correlation: G1 holds NaN or infinite values; the spectrum would be undefined")
    if correlation["tau"].size < 2:
        raise ValueError("correlation: at least two delays are needed for a spectrum")
    if times.size < 2:
        return g1[0] * 1.0
    from scipy.integrate import trapezoid

    return trapezoid(g1, times, axis=0)


def normalized_g1(correlation):
    """Time-integrated first-order coherence g1(tau) = int G1(t, tau) dt / int G1(t, 0) dt (complex).

    Parameters
    ----------
    correlation : xarray.Dataset
        From :func:`sf_dynamics.spectra.first_order`.

    Returns
    -------
    xarray.DataArray
        Complex g1 over ``tau`` (ps); |g1(0)| = 1.
    """
    import xarray as xr

    bar = _integrated(correlation)
    if not abs(bar[0]) > 0:
        raise ValueError("correlation: no photons were detected (G1(t, 0) = 0), g1 is undefined")
    return xr.DataArray(bar / bar[0].real, dims=("tau",), coords={"tau": correlation["tau"]}, name="g1",
                        attrs={"long_name": "time-integrated first-order coherence"})


def spectrum(correlation, omega=None, *, center_wavelength_nm=None, oversample=4):
    """Time-integrated emission spectrum S(omega) from G1(t, tau).

    Parameters
    ----------
    correlation : xarray.Dataset
        From :func:`sf_dynamics.spectra.first_order`.
    omega : array_like, optional
        Angular frequencies (rad/ps) from the reference transition. Default:
        the FFT grid of the delays, zero-padded ``oversample`` times, over
        |omega| < pi / dtau.
    center_wavelength_nm : float, optional
        Vacuum wavelength of the reference transition; adds a ``wavelength_nm`` coordinate.
    oversample : int
        Zero padding of the default grid (interpolates; the resolution stays 2 pi / tau_max).

    Returns
    -------
    xarray.DataArray
        S over ``omega`` (rad/ps) with coordinates ``energy_meV`` (hbar omega)
        and, if given a centre, ``wavelength_nm``; attributes ``photons``
        (int S domega / 2 pi on the grid), ``resolution_rad_per_ps`` and
        ``nyquist_rad_per_ps``.

    Raises
    ------
    ValueError
        For a correlation that is not from :func:`~sf_dynamics.spectra.first_order` or holds NaN, non-finite or
        decreasing omega, frequencies beyond the band pi / dtau, or a centre wavelength outside
        :data:`WAVELENGTH_RANGE_NM`.

    Warns
    -----
    AliasingWarning
        When the delay step is too coarse for the line: more than 5 % of the photons lie farther than half
        the band pi / dtau from the peak (criterion in :mod:`sf_dynamics.spectra.delay_grid`).
    CoherenceWindowWarning
        When the delays end before G1 has decayed below 5 % of its tau = 0 value (truncation).
    """
    import xarray as xr

    from .._validation import check_real_array
    from .delay_grid import check_delay_grid

    bar = _integrated(correlation)
    taus = correlation["tau"].values
    check_delay_grid(bar, taus)
    dtau = float(taus[1] - taus[0])
    weights = np.full(taus.size, dtau)
    weights[0] = weights[-1] = 0.5 * dtau
    nyquist = np.pi / dtau
    if omega is None:
        size = _fft_size(taus.size, oversample)
        padded = np.zeros(size, dtype=np.complex128)
        padded[: taus.size] = weights * bar
        values = 2.0 * np.real(np.fft.fft(padded))  # sum_k w_k G_k e^{-i omega_p tau_k}
        omega = 2 * np.pi * np.fft.fftfreq(size, d=dtau)
        order = np.argsort(omega)
        omega, values = omega[order], values[order]
    else:
        omega = check_real_array("omega", omega)
        if omega.ndim != 1:
            raise ValueError(f"omega must be 1-D, got shape {omega.shape}")
        if omega.size > 1 and np.any(np.diff(omega) <= 0):
            raise ValueError("omega must be strictly increasing (rad/ps)")
        if np.any(np.abs(omega) > nyquist * (1 + 1e-12)):
            raise ValueError(f"omega must lie within the band |omega| <= pi / dtau = {nyquist:.4g} rad/ps "
                             "(shorter delay steps widen it)")
        values = np.empty(omega.size)
        for start in range(0, omega.size, 256):
            block = omega[start : start + 256]
            values[start : start + 256] = 2.0 * np.real(np.exp(-1j * np.outer(block, taus)) @ (weights * bar))
    coords = _frequency_coords(omega, center_wavelength_nm)
    if omega.size < 2:
        photons = float("nan")
    elif is_uniform(omega):
        photons = float(np.sum(values) * (omega[-1] - omega[0]) / (omega.size - 1) / (2 * np.pi))
    else:   # an uneven grid: the trapezoid rule
        from scipy.integrate import trapezoid

        photons = float(trapezoid(values, omega) / (2 * np.pi))
    return xr.DataArray(values, dims=("omega",), coords=coords, name="spectrum",
                        attrs={"units": "photons per (rad/ps)", "photons": photons,
                               "resolution_rad_per_ps": float(2 * np.pi / taus[-1]),
                               "nyquist_rad_per_ps": nyquist, "detector": correlation.attrs.get("detector")})


def time_resolved_spectrum(correlation, filter_fwhm, omega=None, *, center_wavelength_nm=None):
    """The physical (Eberly-Wodkiewicz) time-resolved spectrum seen through a Lorentzian filter.

    A filter of FWHM Gamma_f (rad/ps) tuned to omega passes

        S(t, omega) = 2 Gamma_f Re int_0^t dt2 int_0^{t - t2} dtau
                      e^{-Gamma_f (t - t2 - tau / 2)} e^{-i omega tau} G1(t2, tau)

    (Eberly & Wodkiewicz, J. Opt. Soc. Am. 67, 1252 (1977)); int S domega / 2 pi
    is the filtered photon rate Gamma_f int_0^t e^{-Gamma_f (t - t2)} G1(t2, 0) dt2,
    which follows I(t) when Gamma_f is large against its rates of change. The
    resolution in time (1 / Gamma_f) and in frequency (Gamma_f) trade against
    each other; this is what a streak camera behind a spectrometer of that
    resolution records.

    Parameters
    ----------
    correlation : xarray.Dataset
        From :func:`sf_dynamics.spectra.first_order` with times 0, dt, 2 dt, ...
        and delays of the same step covering the time window.
    filter_fwhm : float
        Gamma_f (rad/ps), > 0.
    omega : array_like, optional
        Frequencies (rad/ps) from the reference; default 201 points over the
        band |omega| < min(pi / dt, 10 Gamma_f + the largest |omega| of the time-integrated peak).
    center_wavelength_nm : float, optional
        Adds a ``wavelength_nm`` coordinate.

    Returns
    -------
    xarray.DataArray
        S over (``time``, ``omega``), photons/ps per (rad/ps), with ``energy_meV``
        (and ``wavelength_nm``) coordinates.

    Raises
    ------
    ValueError
        If the grids do not meet the conditions above or the filter width is not positive.
    """
    import xarray as xr

    from .._validation import UNIFORM_RTOL, check_rate, check_real_array, is_uniform

    gf = check_rate("filter_fwhm", filter_fwhm)
    if gf <= 0:
        raise ValueError("filter_fwhm must be > 0 rad/ps")
    _integrated(correlation)    # refuses anything but a first_order Dataset, NaN in G1 and fewer than two delays
    times = correlation["time"].values
    taus = correlation["tau"].values
    g1 = correlation["g1"].values
    dt = float(taus[1] - taus[0])
    if times[0] != 0.0 or not is_uniform(times, step=dt):
        raise ValueError("the correlation's times must be 0, dt, 2 dt, ... with dt equal to the delay step "
                         f"({dt:g} ps) for the time-resolved spectrum")
    if taus[-1] < times[-1] - UNIFORM_RTOL * dt:
        raise ValueError(f"the delays must cover the time window: taus end at {taus[-1]:g} ps, times at "
                         f"{times[-1]:g} ps")
    nyquist = np.pi / dt
    if omega is None:
        omega = np.linspace(-nyquist, nyquist, 201) if gf * 10 > nyquist else None
        if omega is None:
            centre = float(spectrum(correlation).idxmax("omega"))
            half = min(nyquist, 10 * gf + abs(centre))
            omega = np.linspace(-half, half, 201)
    omega = check_real_array("omega", omega)
    if omega.ndim != 1 or np.any(np.abs(omega) > nyquist * (1 + 1e-12)):
        raise ValueError(f"omega must be 1-D within the band |omega| <= pi / dt = {nyquist:.4g} rad/ps")
    nt = times.size
    m = np.arange(min(taus.size, nt))
    weights = np.where(m == 0, 0.5, 1.0) * np.exp(-0.5 * gf * taus[m])  # tau = 0 is the edge of the tau integral
    phases = np.exp(-1j * np.outer(taus[m], omega))  # (m, omega)
    decay = np.exp(-gf * dt)
    out = np.empty((nt, omega.size))
    running = np.zeros(omega.size, dtype=np.complex128)
    for s in range(nt):
        # anti-diagonal t2 + tau = t_s: G1(t_{s-m}, tau_m)
        mm = m[: s + 1]
        diagonal = g1[s - mm, mm] * weights[mm]
        running = decay * running + diagonal @ phases[mm]
        out[s] = 2.0 * gf * dt * dt * running.real
    coords = {"time": correlation["time"], **_frequency_coords(omega, center_wavelength_nm)}
    return xr.DataArray(out, dims=("time", "omega"), coords=coords, name="time_resolved_spectrum",
                        attrs={"units": "photons/ps per (rad/ps)", "filter_fwhm_rad_per_ps": gf,
                               "detector": correlation.attrs.get("detector")})


def shot_spectra(correlation, *, center_wavelength_nm=None, oversample=4):
    """Spectra of single shots, S_r(omega) = |int a_r(t) e^{i omega t} dt|^2 over the record window.

    A single shot of a sampling method (``twa``, ``maxwell_bloch``) is the
    classical field a_r(t) of one trajectory (the Weyl symbol of E-, so it
    includes the vacuum fluctuations: a floor of about half the incoherent
    rate, small against a burst). Its spectrum is normalised like
    :func:`spectrum`: int S_r domega / 2 pi = int |a_r|^2 dt (Parseval). The
    average over shots of these classical spectra is not the quantum
    spectrum (different operator ordering); :func:`spectrum` of the
    correlation is.

    Parameters
    ----------
    correlation : xarray.Dataset
        From :func:`sf_dynamics.spectra.first_order` with a sampling method
        (it carries ``shot_field`` over ``record_time``).
    center_wavelength_nm : float, optional
        Adds a ``wavelength_nm`` coordinate.
    oversample : int
        Zero padding of the FFT grid (the resolution stays 2 pi / record window).

    Returns
    -------
    xarray.DataArray
        S over (``shot``, ``omega``), photons per (rad/ps), with ``energy_meV``
        (and ``wavelength_nm``) coordinates; attribute ``resolution_rad_per_ps``.

    Raises
    ------
    ValueError
        If the correlation has no single shots (a deterministic method, or shots=0).
    """
    import xarray as xr

    if "shot_field" not in correlation or correlation.sizes.get("shot", 0) == 0:
        raise ValueError("correlation: no single shots; use a sampling method ('twa', 'maxwell_bloch') "
                         "with shots >= 1")
    record = correlation["record_time"].values
    field = correlation["shot_field"].values
    step = float(record[1] - record[0])
    weights = np.full(record.size, step)
    weights[0] = weights[-1] = 0.5 * step
    size = _fft_size(record.size, oversample)
    padded = np.zeros((field.shape[0], size), dtype=np.complex128)
    padded[:, : record.size] = field * weights
    # sum_k w_k a_k e^{+i omega_p u_k} with u_k = k step (the record starts at t = 0)
    values = np.abs(size * np.fft.ifft(padded, axis=1)) ** 2
    omega = 2 * np.pi * np.fft.fftfreq(size, d=step)
    order = np.argsort(omega)
    return xr.DataArray(values[:, order], dims=("shot", "omega"),
                        coords=_frequency_coords(omega[order], center_wavelength_nm), name="shot_spectra",
                        attrs={"units": "photons per (rad/ps)",
                               "resolution_rad_per_ps": float(2 * np.pi / (record[-1] - record[0])),
                               "detector": correlation.attrs.get("detector")})
