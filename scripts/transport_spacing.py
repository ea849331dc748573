"""Exciton diffusion coefficient D and diffusion length L = sqrt(D tau) of CsPbBr3-like NC solids versus the
ligand gap between the NCs, at several temperatures.

Model (every number stated; all of them options):

* NCs: 9.5 nm cubes (the package default; CsPbBr3 NCs of 8-10 nm), three orthogonal bright dipoles each,
  emission 515 nm, radiative lifetime of a bright dipole 210 ps (single CsPbBr3 NC at cryogenic temperature,
  Utzat et al. 2019), quantum yield 1 (so the exciton lifetime is tau = 210 ps), refractive index 1 (the
  package convention: the measured lifetime is the one in the medium; at fixed lifetime the near-field
  coupling scales as n^-3 and the rates as n^-6);
* geometry: a square monolayer of lattice constant a = edge + gap, ligand gap (surface to surface) from 1 to
  20 nm (a simple cubic film has the same nearest-neighbour D = k a^2 and more neighbours beyond; it is not
  computed here: its MSD would need the in-plane part, the spot being uniform across the film);
* static energy disorder: Gaussian NC energies of FWHM 20 meV (sigma 8.5 meV), one realisation (seed 1),
  a typical inhomogeneous width of size-selected CsPbBr3 NC ensembles [unconfirmed];
* homogeneous linewidth versus temperature: the package's ``LinewidthModel`` (FWHM 0.05, 3.3, 14 and 42 meV
  at 6, 77, 150 and 300 K);
* hopping rates: ``sf_dynamics.transport.transfer_rates`` (Haken-Strobl / Foerster rates from the
  Green's-tensor couplings, each NC's realised energy, detailed balance at T, pairs within 5 spacings);
* dynamics: the rate equation (``populations``) from a Gaussian spot of FWHM 4 spacings at the centre, to
  2 tau; D from a straight-line fit of MSD(t) = MSD(0) + 2 d D t over tau / 10 to 2 tau (21-420 ps);
  the exponent alpha of MSD(t) - MSD(0) ~ t^alpha over the same window tells diffusion (alpha = 1) from
  trapping in the disorder (alpha < 1), where D is a window average;
* one disorder realisation (``--seed``): at 6 K, where excitons are trapped, D changes by tens of per cent from
  one realisation to the next (5 seeds at a 1 nm gap: 0.015-0.023 cm^2/s), at 300 K by ~1 %;
* L = sqrt(D tau) (the decay length of the steady profile under a point source; sqrt(2 d D tau), the rms
  displacement during tau, is in the saved data as ``rms_length_nm``).

The lattice is sized for each point so that its half width holds 3 standard deviations of the exciton cloud
at the last time (the reflecting edge then lowers the MSD by < 1 %): from the median hop rate, checked against
the computed MSD and enlarged if short, up to ``--max-side``; the data record the side and whether the check
passed. Points whose fastest escape rate times the last time exceeds 5000 (the delocalised pairs at 6 K)
keep to 43 x 43 NCs, where the propagator is dense (the sparse exponential action would take minutes).

Lifetime and temperature. The bright-dipole strength sets both the hop rates and the radiative decay. At room
temperature excitons of real NCs also occupy dark and higher states, so the radiative lifetime is a few ns
and the Foerster rate (the donor's emission) is smaller by the same bright fraction: D falls, tau grows, and
L = sqrt(D tau) is unchanged (k_F tau_D = Phi_D (R_0' / r)^6 does not depend on tau_D). D at 300 K is
therefore an upper bound; L is the model's prediction. L scales as sqrt(quantum yield).

Coherent regime. At 6 K the homogeneous lines (0.05 meV) are far narrower than the coupling V of nearest
neighbours (1.6 meV at a 1 nm gap, 0.6 meV at 5 nm, 0.07 meV at 20 nm), so pairs of NCs closer in energy than
about 2V are delocalised dimers, not hopping pairs: ``transfer_rates`` warns (up to ~40 % of the
nearest-neighbour bonds at a 1 nm gap). Their number is in the table and the data; the warning is not
repeated per point. Such pairs exchange fast either way; transport at 6 K is set by the downhill hops into
low-energy NCs, where excitons stay (alpha 0.5-0.8): D there is the hopping model's, with that caveat.

Literature (as stated in the review this project follows, not confirmed against the paper; not a test
target): close-packed, ordered CsPbBr3 NC superlattices reach diffusion lengths up to ~200 nm (Penzo et al.,
ACS 2024, room-temperature PL profiles), and films whose NCs are >= 20 nm apart show strongly suppressed
transfer. Everything else printed is a model prediction.

Usage::

    python scripts/transport_spacing.py [--out sf_output/transport_spacing] [--overwrite] [--quick] [--quiet]
                                        [--gaps 1 2 3 5 7 10 15 20] [--temperatures 6 77 150 300]
                                        [--inhomogeneous-fwhm 20] [--lifetime 210] [--seed 1] ...

Writes ``transport_spacing.nc`` (every point, with the MSD curves), ``transport_spacing.csv`` (the table) and
``transport_spacing.png`` (D and L against the gap), each with its provenance. About 45 s on 2 cores,
``--quick`` (3 gaps, 2 temperatures, at most 61 x 61 NCs) about 6 s.
"""

from __future__ import annotations

import argparse
import math
import time
import warnings
from pathlib import Path

import numpy as np
import xarray as xr

from sf_dynamics import transport
from sf_dynamics._progress import stages
from sf_dynamics.analysis.instrument import FWHM_PER_SIGMA
from sf_dynamics.geometry import Superlattice

EDGE_NM = 9.5
WAVELENGTH_NM = 515.0
LIFETIME_PS = 210.0
INHOMOGENEOUS_FWHM_MEV = 20.0
GAPS_NM = (1.0, 2.0, 3.0, 5.0, 7.0, 10.0, 15.0, 20.0)
TEMPERATURES_K = (6.0, 77.0, 150.0, 300.0)
QUICK_GAPS_NM = (1.0, 5.0, 20.0)
QUICK_TEMPERATURES_K = (6.0, 300.0)
#: spot FWHM in lattice spacings; fit window and last time in lifetimes; half width of the lattice in standard
#: deviations of the exciton cloud at the last time
SPOT_SPACINGS = 4.0
WINDOW_LIFETIMES = (0.1, 2.0)
MARGIN_SIGMAS = 3.0
MAX_SIDE = 121
#: above this largest-escape-rate x last-time product the sparse exponential action costs minutes (it grows with
#: ||A|| t): such points (delocalised pairs at 6 K exchange at ~100/ps) keep to the dense propagators' size
STIFF_LIMIT = 5000.0
QUICK_MAX_SIDE = 61
#: stated in the review (Penzo et al., ACS 2024), not confirmed against the paper
LITERATURE = {"close_packed_diffusion_length_nm": 200.0, "suppressed_spacing_nm": 20.0,
              "source": "Penzo et al., ACS 2024, as stated in the review; not confirmed against the paper"}
COMMAND = "scripts/transport_spacing.py"
FILES = ("transport_spacing.nc", "transport_spacing.csv", "transport_spacing.png")


def build_lattice(side, gap_nm, *, edge_nm=EDGE_NM, inhomogeneous_fwhm_meV=INHOMOGENEOUS_FWHM_MEV, seed=1,
                  lifetime_ps=LIFETIME_PS, refractive_index=1.0):
    """A ``side`` x ``side`` square monolayer of NCs ``gap_nm`` apart, with Gaussian energy disorder."""
    return Superlattice.build("square", (side, side), nc_edge_nm=edge_nm, ligand_gap_nm=gap_nm, seed=seed,
                              energy_disorder_meV=inhomogeneous_fwhm_meV / FWHM_PER_SIGMA, lifetime_ps=lifetime_ps,
                              wavelength_nm=WAVELENGTH_NM, refractive_index=refractive_index)


def rates_at(lattice, temperature_K, quantum_yield=1.0):
    """Hopping rates at ``temperature_K``; the coherent-regime warning is silenced (its count is in ``info``)."""
    nonradiative = (1.0 / quantum_yield - 1.0) / lattice.lifetime_ps
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"transfer_rates: \d+ of \d+ NC pairs", category=RuntimeWarning)
        return transport.transfer_rates(lattice, temperature_K, nonradiative_rate=nonradiative)


def hop_diffusion(rates, statistic=np.median):
    """Short-time diffusion coefficient of each NC of a monolayer, sum_j k_ij |r_ij|^2 / 4 (nm^2/ps), reduced by
    ``statistic`` over the NCs at least the longest hop from the lattice's edge (all NCs if none is)."""
    m = rates.matrix.tocoo()
    pos = rates.positions_nm
    r2 = np.sum((pos[m.row] - pos[m.col]) ** 2, axis=1)
    per_site = np.bincount(m.row, weights=m.data * r2, minlength=rates.n) / 4.0
    lo, hi = pos.min(axis=0), pos.max(axis=0)
    extended = hi - lo > 0
    cutoff = float(np.sqrt(r2.max())) if r2.size else 0.0      # the longest hop
    inside = np.all((pos[:, extended] - lo[extended] >= cutoff) & (hi[extended] - pos[:, extended] >= cutoff), axis=1)
    return float(statistic(per_site[inside] if inside.any() else per_site))


def side_for(sigma_nm, spacing_nm, *, margin=MARGIN_SIGMAS, minimum=11, maximum=101):
    """Odd number of NCs along an axis whose half width holds ``margin`` standard deviations ``sigma_nm`` of the
    exciton cloud, within [minimum, maximum]."""
    side = min(max(2 * math.ceil(margin * sigma_nm / spacing_nm) + 1, minimum), maximum)
    return int(side if side % 2 else side - 1)


def lattice_side(diffusion_nm2_per_ps, t_max_ps, spacing_nm, spot_fwhm_nm, **limits):
    """:func:`side_for` the cloud that starts as the Gaussian spot and spreads with D until ``t_max_ps``: per
    axis sigma^2 = sigma_spot^2 + 2 D t."""
    sigma = math.sqrt((spot_fwhm_nm / FWHM_PER_SIGMA) ** 2 + 2.0 * diffusion_nm2_per_ps * t_max_ps)
    return side_for(sigma, spacing_nm, **limits)


def msd_exponent(dataset, window):
    """alpha of MSD(t) - MSD(0) ~ t^alpha (log-log least squares over ``window``, ps); NaN without growth."""
    t = dataset["time"].values
    growth = dataset["msd"].values - dataset["msd"].values[0]
    keep = (t >= window[0]) & (t <= window[1]) & (growth > 0) & np.isfinite(growth)
    if keep.sum() < 3:
        return float("nan")
    return float(np.polyfit(np.log(t[keep]), np.log(growth[keep]), 1)[0])


def study_point(gap_nm, temperature_K, *, lifetime_ps=LIFETIME_PS, quantum_yield=1.0,
                inhomogeneous_fwhm_meV=INHOMOGENEOUS_FWHM_MEV, edge_nm=EDGE_NM, refractive_index=1.0, seed=1,
                max_side=None, points=43):
    """D, L and their diagnostics at one gap and temperature, and the rate equation's Dataset there.

    Returns
    -------
    (dict, xarray.Dataset)
        The row (see :func:`run_study` for the names) and the moments (MSD, mean energy, ...) of the last run.
    """
    start = time.perf_counter()
    max_side = MAX_SIDE if max_side is None else max_side
    spacing = edge_nm + gap_nm
    tau = quantum_yield * lifetime_ps
    times = np.linspace(0.0, WINDOW_LIFETIMES[1] * tau, points)
    window = (WINDOW_LIFETIMES[0] * tau, times[-1])
    spot = SPOT_SPACINGS * spacing
    options = dict(edge_nm=edge_nm, inhomogeneous_fwhm_meV=inhomogeneous_fwhm_meV, seed=seed,
                   lifetime_ps=lifetime_ps, refractive_index=refractive_index)
    probe = rates_at(build_lattice(11, gap_nm, **options), temperature_K, quantum_yield)
    side = lattice_side(hop_diffusion(probe), times[-1], spacing, spot, maximum=max_side)
    dense_side = int(np.sqrt(transport.rate_equation.DENSE_SITES))
    dense_side -= 1 - dense_side % 2                          # odd
    while True:       # ends: the side grows at every pass until the cloud fits or the side reaches max_side
        lattice = build_lattice(side, gap_nm, **options)
        rates = rates_at(lattice, temperature_K, quantum_yield)
        if side > dense_side and rates.out_rates().max() * times[-1] > STIFF_LIMIT:
            side = max_side = dense_side
            continue
        ds = transport.populations(rates, transport.gaussian_spot(lattice, spot), times)
        sigma = math.sqrt(float(ds["msd"].values[-1]) / 2)     # per axis
        edge_ok = MARGIN_SIGMAS * sigma <= 0.5 * (side - 1) * spacing
        if edge_ok or side >= max_side:
            break
        side = max(side_for(1.1 * sigma, spacing, maximum=max_side), side + 2)
    d, d_sem = transport.diffusion_coefficient(ds, window=window, dimensions=2)
    coherent = int(rates.info["coherent_pairs"])
    energy = ds["mean_energy"].values
    row = {"gap_nm": gap_nm, "spacing_nm": spacing, "temperature_K": temperature_K, "side": side,
           "sites": lattice.n, "diffusion_nm2_per_ps": d, "diffusion_sem_nm2_per_ps": d_sem,
           "diffusion_cm2_per_s": d * transport.NM2_PER_PS_TO_CM2_PER_S,
           "hop_diffusion_nm2_per_ps": hop_diffusion(rates, np.mean),
           "msd_exponent": msd_exponent(ds, window),
           "diffusion_length_nm": transport.diffusion_length(max(d, 0.0), tau),
           "rms_length_nm": transport.diffusion_length(max(d, 0.0), tau, dimensions=2),
           "red_shift_meV": float(energy[-1] - energy[0]),
           "coherent_pairs": coherent, "coherent_fraction": coherent / (2 * side * (side - 1)),   # per NN bond
           "max_coupling_ratio": float(rates.info["max_coupling_ratio"]), "edge_ok": bool(edge_ok),
           "wall_s": time.perf_counter() - start}
    return row, ds


def run_study(gaps_nm=GAPS_NM, temperatures_K=TEMPERATURES_K, *, progress=True, **options):
    """Every gap at every temperature, as a Dataset of dimension ``point`` (gap-major).

    Variables: gap_nm, spacing_nm (a = edge + gap), temperature_K, side, sites, diffusion_nm2_per_ps and its
    _sem, diffusion_cm2_per_s, hop_diffusion_nm2_per_ps (mean sum_j k_ij r_ij^2 / 2d, the short-time D of a
    uniform population), msd_exponent, diffusion_length_nm (sqrt(D tau)), rms_length_nm (sqrt(2 d D tau)),
    red_shift_meV (mean emission energy at 2 tau minus at 0), coherent_pairs, coherent_fraction (per
    nearest-neighbour bond), max_coupling_ratio, edge_ok, wall_s; ``msd`` (point, time) in nm^2. The
    attributes hold every parameter, the conventions and the literature values.
    """
    rows, msd = [], []
    with stages(progress, total=len(gaps_nm) * len(temperatures_K), desc="transport spacing") as stage:
        for gap in gaps_nm:
            for temperature in temperatures_K:
                stage.start(f"gap {gap:g} nm, {temperature:g} K")
                row, ds = study_point(float(gap), float(temperature), **options)
                rows.append(row)
                msd.append(ds["msd"].values)
    times = ds["time"].values
    data = {key: ("point", np.array([r[key] for r in rows])) for key in rows[0]}
    data["msd"] = (("point", "time"), np.array(msd), {"units": "nm^2", "long_name": "mean square displacement"})
    out = xr.Dataset(data, coords={"point": np.arange(len(rows)), "time": ("time", times, {"units": "ps"})})
    parameters = dict(lattice="square monolayer", edge_nm=options.get("edge_nm", EDGE_NM),
                      wavelength_nm=WAVELENGTH_NM, lifetime_ps=options.get("lifetime_ps", LIFETIME_PS),
                      quantum_yield=options.get("quantum_yield", 1.0),
                      inhomogeneous_fwhm_meV=options.get("inhomogeneous_fwhm_meV", INHOMOGENEOUS_FWHM_MEV),
                      refractive_index=options.get("refractive_index", 1.0), seed=options.get("seed", 1),
                      spot_fwhm_spacings=SPOT_SPACINGS, fit_window_lifetimes=list(WINDOW_LIFETIMES),
                      linewidth="LinewidthModel() defaults", margin_sigmas=MARGIN_SIGMAS,
                      conventions="L = sqrt(D tau); MSD(t) - MSD(0) = 2 d D t; 1 nm^2/ps = 0.01 cm^2/s")
    out.attrs.update(parameters)
    out.attrs.update({f"literature_{k}": v for k, v in LITERATURE.items()})
    return out


def suppression_gap(study, temperature_K):
    """Gap (nm) where L = sqrt(D tau) falls to one lattice spacing at ``temperature_K`` (log-linear interpolation
    in L / a between the computed gaps); NaN if L / a does not cross 1 in the computed range."""
    sel = study["temperature_K"].values == temperature_K
    gaps = study["gap_nm"].values[sel]
    ratio = study["diffusion_length_nm"].values[sel] / study["spacing_nm"].values[sel]
    order = np.argsort(gaps)
    gaps, ratio = gaps[order], ratio[order]
    for k in range(gaps.size - 1):
        if ratio[k] >= 1.0 > ratio[k + 1] and ratio[k + 1] > 0:
            f = np.log(ratio[k]) / (np.log(ratio[k]) - np.log(ratio[k + 1]))
            return float(gaps[k] + f * (gaps[k + 1] - gaps[k]))
    return float("nan")


def table(study) -> str:
    """The Markdown table of a study."""
    lines = ["| gap (nm) | a (nm) | T (K) | NCs | D (cm^2/s) | MSD exponent | L = sqrt(D tau) (nm) | L / a | "
             "red shift (meV) | coherent pairs | wall (s) |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    v = {k: study[k].values for k in study.data_vars if k != "msd"}
    for i in range(study.sizes["point"]):
        coherent = f"{v['coherent_pairs'][i]} ({100 * v['coherent_fraction'][i]:.1f} %)" if v["coherent_pairs"][i] \
            else "0"
        edge = "" if v["edge_ok"][i] else " (edge)"
        lines.append(f"| {v['gap_nm'][i]:g} | {v['spacing_nm'][i]:g} | {v['temperature_K'][i]:g} | "
                     f"{v['sites'][i]}{edge} | {v['diffusion_cm2_per_s'][i]:.3g} | {v['msd_exponent'][i]:.2f} | "
                     f"{v['diffusion_length_nm'][i]:.3g} | {v['diffusion_length_nm'][i] / v['spacing_nm'][i]:.2f} | "
                     f"{v['red_shift_meV'][i]:+.2f} | {coherent} | {v['wall_s'][i]:.1f} |")
    return "\n".join(lines)


def summary(study) -> str:
    """Model against literature, in words."""
    temps = np.unique(study["temperature_K"].values)
    hot = float(temps.max())
    sel = study["temperature_K"].values == hot
    gaps, lengths = study["gap_nm"].values[sel], study["diffusion_length_nm"].values[sel]
    lines = [
        f"Literature [stated, not confirmed]: close-packed CsPbBr3 NC superlattices reach L up to "
        f"~{LITERATURE['close_packed_diffusion_length_nm']:g} nm; transfer strongly suppressed at inter-NC spacing "
        f">= {LITERATURE['suppressed_spacing_nm']:g} nm ({LITERATURE['source']}).",
        f"Model [prediction]: at {hot:g} K, L = {lengths[np.argmin(gaps)]:.3g} nm at a {gaps.min():g} nm gap"
        + (f" and {lengths[np.argmax(gaps)]:.3g} nm at a {gaps.max():g} nm gap." if gaps.size > 1 else ".")]
    for t in temps:
        g = suppression_gap(study, float(t))
        lines.append(f"  {t:g} K: L falls below one spacing at a gap of " + (f"{g:.3g} nm" if np.isfinite(g) else
                     "(not within the computed gaps)"))
    if np.any(study["coherent_pairs"].values > 0):
        cold = np.unique(study["temperature_K"].values[study["coherent_pairs"].values > 0])
        lines.append("Coherent regime: at " + ", ".join(f"{t:g}" for t in cold) + " K some NC pairs (column "
                     "'coherent pairs', per nearest-neighbour bond) are delocalised dimers; their hopping rates are "
                     "not reliable (transfer_rates warns), the rest of the lattice sets D there.")
    if not np.all(study["edge_ok"].values):
        lines.append("(edge): the lattice at --max-side holds fewer than 3 standard deviations of the exciton "
                     "cloud at the last time; D there is biased low.")
    return "\n".join(lines)


def plot(study, path, *, overwrite=False, **fields):
    """D and L = sqrt(D tau) against the gap, one curve per temperature, with the literature marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sf_dynamics.plotting import save_figure

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4.0), constrained_layout=True)
    draw(study, ax1, ax2)
    a = study.attrs
    fig.suptitle(f"model: {a['edge_nm']:g} nm CsPbBr3-like NCs, square monolayer, tau = "
                 f"{a['quantum_yield'] * a['lifetime_ps']:g} ps, inhomogeneous FWHM {a['inhomogeneous_fwhm_meV']:g} "
                 f"meV, n = {a['refractive_index']:g} (open symbols: delocalised pairs present)", fontsize=9)
    return save_figure(ax1, path, overwrite=overwrite, command=COMMAND, **fields)


def draw(study, ax_d, ax_l):
    """Draw D (cm^2/s) and L (nm) against the gap on two axes, with the literature statements marked; points
    with delocalised (coherent) pairs are open symbols."""
    temps = study["temperature_K"].values
    for t in np.unique(temps):
        sel = temps == t
        gaps = study["gap_nm"].values[sel]
        coherent = study["coherent_pairs"].values[sel] > 0
        for ax, values in ((ax_d, study["diffusion_cm2_per_s"].values[sel]),
                           (ax_l, study["diffusion_length_nm"].values[sel])):
            line, = ax.plot(gaps, values, "-", label=f"{t:g} K")
            ax.plot(gaps[~coherent], values[~coherent], "o", color=line.get_color())
            ax.plot(gaps[coherent], values[coherent], "o", mfc="none", color=line.get_color())
    first = temps == temps[0]
    gaps, spacing = study["gap_nm"].values[first], study["spacing_nm"].values[first]
    edge = float(study.attrs["edge_nm"])
    ax_l.plot(gaps, spacing, "k:", label="one spacing a = edge + gap")
    ax_l.hlines(LITERATURE["close_packed_diffusion_length_nm"], 0.8, 3.0, color="k", lw=3, alpha=0.4,
                label="close-packed SLs: up to ~200 nm (lit.)")
    top = max(float(gaps.max()), LITERATURE["suppressed_spacing_nm"]) * 1.5
    for ax in (ax_d, ax_l):
        ax.axvspan(LITERATURE["suppressed_spacing_nm"], top, color="C3", alpha=0.15,
                   label="gap >= 20 nm: suppressed (lit.)" if ax is ax_l else None)
        ax.axvline(LITERATURE["suppressed_spacing_nm"] - edge, color="C3", ls="--", lw=1,
                   label="centre spacing 20 nm" if ax is ax_l else None)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlim(0.8, top)
        ax.set_xlabel("ligand gap, surface to surface (nm)")
    ax_d.set_ylabel(r"$D$ (cm$^2$/s)")
    ax_l.set_ylabel(r"$L = \sqrt{D\tau}$ (nm)")
    ax_l.set_ylim(top=1.6 * LITERATURE["close_packed_diffusion_length_nm"])
    ax_d.legend(frameon=False, fontsize=8, title="model", title_fontsize=8)
    ax_l.legend(fontsize=7, loc="upper right", framealpha=0.9)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default="sf_output/transport_spacing", help="output folder")
    parser.add_argument("--overwrite", action="store_true", help="replace the files of an earlier run")
    parser.add_argument("--quick", action="store_true", help="3 gaps, 2 temperatures, smaller lattices (~15 s)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    parser.add_argument("--gaps", type=float, nargs="+", default=None, help="ligand gaps, surface to surface (nm)")
    parser.add_argument("--temperatures", type=float, nargs="+", default=None, help="K")
    parser.add_argument("--edge", type=float, default=EDGE_NM, help="NC edge (nm)")
    parser.add_argument("--inhomogeneous-fwhm", type=float, default=INHOMOGENEOUS_FWHM_MEV,
                        help="FWHM of the Gaussian NC energy disorder (meV)")
    parser.add_argument("--lifetime", type=float, default=LIFETIME_PS,
                        help="radiative lifetime of a bright dipole (ps)")
    parser.add_argument("--quantum-yield", type=float, default=1.0, help="PL quantum yield, in (0, 1]")
    parser.add_argument("--refractive-index", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=1, help="seed of the energy disorder")
    parser.add_argument("--max-side", type=int, default=None, help="largest number of NCs along an axis")
    args = parser.parse_args(argv)
    for option, value in (("--edge", args.edge), ("--lifetime", args.lifetime),
                          ("--refractive-index", args.refractive_index)):
        if not value > 0:
            parser.error(f"{option} must be > 0, got {value}")
    if not args.inhomogeneous_fwhm >= 0:
        parser.error(f"--inhomogeneous-fwhm must be >= 0 meV, got {args.inhomogeneous_fwhm}")
    if not 0 < args.quantum_yield <= 1:
        parser.error(f"--quantum-yield must be in (0, 1], got {args.quantum_yield}")
    gaps = args.gaps or (QUICK_GAPS_NM if args.quick else GAPS_NM)
    temps = args.temperatures or (QUICK_TEMPERATURES_K if args.quick else TEMPERATURES_K)
    if not all(g >= 0 for g in gaps):
        parser.error(f"--gaps must be >= 0 nm (surface to surface), got {gaps}")
    if not all(t > 0 for t in temps):
        parser.error(f"--temperatures must be > 0 K, got {temps}")
    if args.max_side is not None and args.max_side < 11:
        parser.error(f"--max-side must be >= 11 NCs, got {args.max_side}")
    if args.seed < 0:
        parser.error(f"--seed must be >= 0, got {args.seed}")
    max_side = args.max_side or (QUICK_MAX_SIDE if args.quick else MAX_SIDE)
    from sf_dynamics._io import output_folder
    from sf_dynamics.workflows import save_dataset

    start = time.perf_counter()
    with output_folder(args.out, FILES, overwrite=args.overwrite, parameter="--out") as folder:
        study = run_study(gaps, temps, progress=not args.quiet, edge_nm=args.edge,
                          inhomogeneous_fwhm_meV=args.inhomogeneous_fwhm, lifetime_ps=args.lifetime,
                          quantum_yield=args.quantum_yield, refractive_index=args.refractive_index, seed=args.seed,
                          max_side=max_side)
        print(table(study))
        print()
        print(summary(study))
        fields = {k: study.attrs[k] for k in ("lattice", "edge_nm", "lifetime_ps", "quantum_yield",
                                              "inhomogeneous_fwhm_meV", "refractive_index", "seed")}
        save_dataset(study, Path(folder) / "transport_spacing", overwrite=args.overwrite,
                     method="rate equation (transfer_rates + populations)", command=COMMAND, **fields)
        plot(study, Path(folder) / "transport_spacing.png", overwrite=args.overwrite, **fields)
    print(f"\nwrote {args.out}/{{{','.join(FILES)}}} ({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
