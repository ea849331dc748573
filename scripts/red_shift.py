"""What the model predicts for the red-shifted coupled line of a superlattice: size and excitation.

1. Size (weak excitation, thermalised single exciton). Simple cubic superlattices of L^3 triplet
   CsPbBr3 NCs (the package defaults: 9.5 nm cubes, 2.5 nm ligand gap, 515 nm, 210 ps single-NC
   lifetime), at temperature T with the homogeneous linewidth of the default linewidth model at that T:
   the coupled PL line (the quantum-regression spectrum of one exciton thermalised among the
   single-excitation eigenstates: every line with its own radiative width) against the uncoupled line, from
   8 to ~10^4 NCs. Dense diagonalisation of H - i Gamma/2 up to 10^3 NCs (about 2 min at 10^3), the
   matrix-free route (FFT products, Chebyshev propagation of random probe vectors) above; the largest dense
   size is also run matrix-free, as a check. The matrix-free spectrum is convolved with a Gaussian of FWHM
   ``--resolution`` (meV), so its FWHM is not listed; its <Gamma>_T carries the standard error of the probe
   average. Its cost grows with the largest radiative width (the superradiant states approach the band width
   from ~10^3 NCs): 8 s at 10^3 NCs, 1.5-5 min at 15^3 (2 shared cores), and several times the products per
   ps of correlation beyond (docs/physics.md).
2. Excitation (the burst; optional, slow). An EDGE^3 lattice of two-level dipoles (all along z, Green's-tensor
   Gamma/Omega, the same spacing and wavelength) starting from the symmetric Dicke state with a fraction
   f of the dipoles excited: the time-integrated spectrum seen by a far-field detector along x, perpendicular
   to the dipoles (polarisation z, along them), at second order (``cumulant`` per emitter, quantum
   regression; a one-direction detector carries n correlations per start time instead of n^2) and its peak
   against the single-excitation bright state. The explicit integration steps are set by Omega (rad/ps) while
   the burst takes hundreds of ps; the wall time of each row is printed.

Usage::

    python scripts/red_shift.py [--sizes 2 3 5 7 10 15 22] [--temperature 6] [--probes 16]
                                [--resolution 0.2] [--excitation EDGE] [--fractions 0.25 0.5 0.75 1.0] [--quiet]

Each row is a stage announced on stderr as it starts (a bar on a terminal); the excitation rows also show
the solver's bar when they are long.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np

import sf_dynamics as sf
from sf_dynamics import thermal
from sf_dynamics._progress import stages
from sf_dynamics.geometry import Superlattice
from sf_dynamics.kernels.peaks import peak_fwhm
from sf_dynamics.model.linewidth import dephasing_rate
from sf_dynamics.model.timescales import burst_window_ps
from sf_dynamics.units import HBAR_MEV_PS

DENSE_LIMIT = 1000  # NCs


def size_table(sizes, temperature, probes, resolution, stage):
    dephasing = float(dephasing_rate([temperature])[0])
    print(f"\n## Size (T = {temperature:g} K, gamma_phi = {dephasing:.3g} 1/ps, homogeneous FWHM "
          f"{2 * dephasing * HBAR_MEV_PS:.3g} meV)\n")
    print("| NCs | route | coupled peak - uncoupled (meV) | coupled FWHM (meV) | uncoupled FWHM (meV) | "
          "<Gamma>_T / gamma | wall (s) |")
    print("|---|---|---|---|---|---|---|")
    rows = []
    for size in sizes:
        lat = Superlattice.cubic(size, size, size)
        routes = ["dense"] if size**3 <= DENSE_LIMIT else ["kpm"]
        if size == max((s for s in sizes if s**3 <= DENSE_LIMIT), default=None):
            routes.append("kpm")  # the largest dense size also runs matrix-free, as a check
        for route in routes:
            stage.start(f"size {size**3} NCs, {route}")
            start = time.perf_counter()
            options = {} if route == "dense" else {"route": "kpm", "probes": probes, "resolution_meV": resolution}
            pl = thermal.photoluminescence(lat, temperature, dephasing=dephasing, **options)
            wall = time.perf_counter() - start
            a = pl.attrs
            if route == "dense":
                fwhm, rate = f"{a['coupled_fwhm_meV']:.3f}", f"{a['enhancement']:.3g}"
            else:
                # the matrix-free spectrum is blurred by the resolution window: its FWHM is not the line's
                fwhm, rate = "-", f"{a['enhancement']:.3g} +- {a['enhancement_sem']:.2g}"
                route = f"kpm ({a['probes']} probes, {a['kernel_resolution_meV']:g} meV)"
            print(f"| {size**3} | {route} | {a['shift_meV']:+.3f} | {fwhm} | "
                  f"{a['uncoupled_fwhm_meV']:.3f} | {rate} | {wall:.1f} |", flush=True)
            rows.append((size**3, route, a["shift_meV"]))
    return rows


def excitation_table(fractions, edge, stage, progress=None):
    lat = Superlattice.cubic(edge, edge, edge)
    positions = lat.positions_nm
    n = len(positions)
    dipoles = np.tile([0.0, 0.0, 1.0], (n, 1))
    gamma = lat.gamma
    g, w = sf.geometry.green_couplings(positions, dipoles, wavelength=lat.wavelength_nm, gamma=gamma,
                                       refractive_index=lat.refractive_index)
    ens = sf.Ensemble(n, gamma_matrix=g, omega_matrix=w)
    energies, widths = thermal.single_excitation_spectrum((np.zeros(n), g, w))
    bright = energies[int(np.argmax(widths))] * HBAR_MEV_PS
    detector = sf.spectra.FarField([1.0, 0.0, 0.0], [0.0, 0.0, 1.0], positions, lat.wavelength_nm, dipoles=dipoles,
                                   refractive_index=lat.refractive_index)
    print(f"\n## Excitation ({n} two-level dipoles along z, spacing {lat.spacing_nm[0]:g} nm; single-excitation "
          f"bright state at {bright:+.3f} meV, {widths.max() / gamma:.1f} gamma; far field along x, "
          "polarisation z)\n")
    print("| excited fraction | photons | spectrum peak (meV) | FWHM (meV) | wall (s) |")
    print("|---|---|---|---|---|")
    window = burst_window_ps(n, gamma * max(widths.max() / gamma, 1.0))   # 8 ln N over the bright-state width
    for f in fractions:
        m = round(f * n) - n / 2
        stage.start(f"excitation {f:g} of {n} dipoles")
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", sf.spectra.CoherenceWindowWarning)
            corr = sf.spectra.first_order(ens, np.linspace(0, window, 11), np.linspace(0, window, 401),
                                          method="cumulant", initial=sf.DickeState(n / 2, m), detector=detector,
                                          progress=progress)
        spec = sf.spectra.spectrum(corr, oversample=8)
        e = spec["energy_meV"].values
        v = spec.values
        print(f"| {f:g} | {corr.attrs['photons']:.4g} | {e[np.argmax(v)]:+.3f} | {peak_fwhm(e, v):.3f} | "
              f"{time.perf_counter() - start:.1f} |", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[2, 3, 5, 7, 10, 15, 22])
    parser.add_argument("--temperature", type=float, default=6.0, help="K")
    parser.add_argument("--probes", type=int, default=16,
                        help="stochastic-trace probes of the matrix-free route (at least 3 L^3: exact traces)")
    parser.add_argument("--resolution", type=float, default=0.2,
                        help="FWHM (meV) of the Gaussian the matrix-free spectrum is convolved with")
    parser.add_argument("--fractions", type=float, nargs="*", default=[0.25, 0.5, 0.75, 1.0])
    parser.add_argument("--excitation", type=int, default=0, metavar="EDGE",
                        help="also run the excitation table on an EDGE^3 dipole lattice (slow: minutes for EDGE = 2)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines (stages and solver bars) on stderr")
    args = parser.parse_args(argv)
    dense = [s for s in args.sizes if s**3 <= DENSE_LIMIT]
    rows = len(args.sizes) + (1 if dense else 0) + (len(args.fractions) if args.excitation else 0)
    start = time.perf_counter()
    with stages(not args.quiet, total=rows, desc="red shift") as stage:
        size_table(args.sizes, args.temperature, args.probes, args.resolution, stage)
        if args.excitation:
            excitation_table(args.fractions, args.excitation, stage, progress=False if args.quiet else None)
    print(f"\n{time.perf_counter() - start:.0f} s in all")


if __name__ == "__main__":
    main()
