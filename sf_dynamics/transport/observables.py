"""What transport experiments measure, from site populations: MSD, diffusion coefficient and length,
PL profiles, the spectral-diffusion red shift and the band of each species.

Conventions (docs/physics.md, "Exciton transport"):

* MSD(t) = sum_i P_i(t) |r_i - r_0|^2 / sum_i P_i(t) (nm^2), r_0 the centroid of the initial
  populations: the mean square displacement of the surviving excitons, as transient PL microscopy
  measures it (its growth, MSD(t) - MSD(0), for a finite spot);
* a random walk in d dimensions has MSD(t) - MSD(0) = 2 d D t (D in nm^2/ps; 1 nm^2/ps = 0.01 cm^2/s);
* the diffusion length is L = sqrt(D tau), tau the exciton lifetime: the decay length of the steady
  profile under a point source (exp(-|x|/L) in 1D, K_0(r/L) in 2D, exp(-r/L)/r in 3D). Some papers
  quote sqrt(2 d D tau), the root-mean-square displacement during tau: :func:`diffusion_length`
  gives both;
* the mean emission energy weights each NC by its photon emission rate (what a spectrometer sees).
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from .._io import flat_attrs
from .._validation import check_real, check_real_array

__all__ = ["moments_dataset", "diffusion_coefficient", "diffusion_length", "radial_profile", "lattice_dimensions",
           "NM2_PER_PS_TO_CM2_PER_S"]

#: 1 nm^2/ps in cm^2/s
NM2_PER_PS_TO_CM2_PER_S = 1e-2


def lattice_dimensions(positions_nm) -> int:
    """Number of axes along which the NCs extend (1 chain, 2 monolayer, 3 film)."""
    pos = np.asarray(positions_nm, dtype=float)
    extent = np.ptp(pos, axis=0)
    return max(1, int(np.sum(extent > 1e-9 * max(float(extent.max()), 1.0))))


def moments_dataset(rates, times, pops, initial, *, store_sites=False, method="", sem=None):
    """The Dataset of moments of populations ``pops`` (time x site) on the sites of ``rates``."""
    pos, energy, radiative = rates.positions_nm, rates.energies_meV, rates.radiative
    r0 = initial @ pos / initial.sum()
    r2 = np.sum((pos - r0) ** 2, axis=1)
    total = pops.sum(axis=1)
    alive = np.where(total > 0, total, np.nan)
    emission_site = pops * radiative[None, :]
    emission = emission_site.sum(axis=1)
    names = list(rates.species_names)
    onehot = np.zeros((rates.n, len(names)))
    onehot[np.arange(rates.n), rates.species_index] = 1.0
    data = {
        "population": ("time", total, {"units": "excitons", "long_name": "surviving excitons"}),
        "emission": ("time", emission, {"units": "photons/ps", "long_name": "PL intensity"}),
        "msd": ("time", pops @ r2 / alive, {"units": "nm^2", "long_name": "mean square displacement"}),
        "mean_energy": ("time", np.where(emission > 0, emission_site @ energy / np.where(emission > 0, emission, 1),
                                         np.nan), {"units": "meV", "long_name": "mean emission energy"}),
        "species_population": (("time", "species"), pops @ onehot, {"units": "excitons"}),
        "species_emission": (("time", "species"), emission_site @ onehot, {"units": "photons/ps",
                                                                           "long_name": "PL of each band"}),
    }
    if sem is not None:
        for key, value in sem.items():
            data[f"{key}_sem"] = ("time", value, {"long_name": f"standard error of {key}"})
    if store_sites:
        data["site_population"] = (("time", "site"), pops, {"units": "excitons"})
    coords = {"time": ("time", np.asarray(times, dtype=float), {"units": "ps"}), "species": names}
    attrs = {"method": method, "dimensions": lattice_dimensions(pos),
             "temperature_K": np.nan if rates.temperature_K is None else float(rates.temperature_K),
             "initial_centroid_nm": r0.tolist()}
    attrs.update(flat_attrs(rates.info, prefix="rates_"))
    return xr.Dataset(data, coords=coords, attrs=flat_attrs(attrs))


def diffusion_coefficient(dataset, *, window=None, dimensions=None):
    """D (nm^2/ps) and its standard error from a straight-line fit of MSD(t) = MSD(0) + 2 d D t.

    Parameters
    ----------
    dataset : xarray.Dataset
        From :func:`~sf_dynamics.transport.rate_equation.populations` or
        :func:`~sf_dynamics.transport.kmc.kinetic_monte_carlo` (``msd`` and, for sampled data, ``msd_sem``
        used as weights).
    window : (float, float), optional
        Times (ps) to fit; default all.
    dimensions : int, optional
        d; default the dataset's ``dimensions`` attribute.

    Returns
    -------
    (float, float)
        D and its standard error (nm^2/ps); multiply by :data:`NM2_PER_PS_TO_CM2_PER_S` for cm^2/s.
    """
    t = dataset["time"].values
    msd = dataset["msd"].values
    keep = np.isfinite(msd)
    if window is not None:
        lo, hi = (check_real("window", w, low=0.0) for w in window)
        keep &= (t >= lo) & (t <= hi)
    if keep.sum() < 3:
        raise ValueError("window: at least 3 finite MSD points are needed to fit D")
    d = int(dataset.attrs["dimensions"] if dimensions is None else dimensions)
    sigma = dataset["msd_sem"].values[keep] if "msd_sem" in dataset else None
    if sigma is not None:
        sigma = np.where(sigma > 0, sigma, np.min(sigma[sigma > 0]) if np.any(sigma > 0) else 1.0)
    coef, cov = np.polyfit(t[keep], msd[keep], 1, w=None if sigma is None else 1.0 / sigma, cov="unscaled"
                           if sigma is not None else True)
    return float(coef[0] / (2 * d)), float(np.sqrt(cov[0, 0]) / (2 * d))


def diffusion_length(diffusion_nm2_per_ps, lifetime_ps, *, dimensions=None):
    """L = sqrt(D tau) (nm), or sqrt(2 d D tau) (the rms displacement during tau) when ``dimensions`` is given."""
    d = check_real("diffusion_nm2_per_ps", diffusion_nm2_per_ps, low=0.0)
    tau = check_real("lifetime_ps", lifetime_ps, low=0.0, low_open=True)
    factor = 1.0 if dimensions is None else 2.0 * int(dimensions)
    return float(np.sqrt(factor * d * tau))


def radial_profile(positions_nm, values, *, center_nm=None, bin_nm=None, max_radius_nm=None):
    """Azimuthally averaged profile of per-NC ``values`` (e.g. emission) around a centre, in the xy plane.

    Parameters
    ----------
    positions_nm : array_like, shape (n, 3)
    values : array_like, shape (n,) or (time, n)
    center_nm : array_like, optional
        Default: the value-weighted centroid.
    bin_nm : float, optional
        Radial bin width (nm); default the nearest-neighbour distance.
    max_radius_nm : float, optional
        Default the largest distance.

    Returns
    -------
    xarray.Dataset
        ``profile`` (mean value per NC in each ring; dims (time,) radius) and ``count`` (NCs per ring).
    """
    from scipy.spatial import cKDTree

    pos = check_real_array("positions_nm", positions_nm)
    v = check_real_array("values", values)
    if v.shape[-1] != pos.shape[0]:
        raise ValueError(f"values must have {pos.shape[0]} entries along their last axis, got {v.shape}")
    weights = v if v.ndim == 1 else v.sum(axis=0)
    centre = (weights @ pos / weights.sum()) if center_nm is None else np.resize(np.asarray(center_nm, float), 3)
    r = np.hypot(pos[:, 0] - centre[0], pos[:, 1] - centre[1])
    if bin_nm is None:
        bin_nm = float(cKDTree(pos).query(pos, k=2)[0][:, 1].min()) if pos.shape[0] > 1 else 1.0
    width = check_real("bin_nm", bin_nm, low=0.0, low_open=True)
    top = float(r.max()) if max_radius_nm is None else check_real("max_radius_nm", max_radius_nm, low=0.0)
    edges = np.arange(0.0, top + width, width)
    which = np.digitize(r, edges) - 1
    keep = (which >= 0) & (which < edges.size - 1)
    count = np.bincount(which[keep], minlength=edges.size - 1).astype(float)
    flat = v.reshape(-1, pos.shape[0])
    sums = np.stack([np.bincount(which[keep], weights=row[keep], minlength=edges.size - 1) for row in flat])
    profile = np.where(count > 0, sums / np.where(count > 0, count, 1), np.nan)
    centres = 0.5 * (edges[:-1] + edges[1:])
    dims = ("radius",) if v.ndim == 1 else ("time", "radius")
    return xr.Dataset({"profile": (dims, profile.reshape(v.shape[:-1] + (centres.size,))),
                       "count": ("radius", count)}, coords={"radius": ("radius", centres, {"units": "nm"})},
                      attrs={"center_nm": centre.tolist(), "bin_nm": width})
