"""Scan: superfluorescence suppressed by dephasing or inhomogeneous broadening beyond ~N Gamma.

Runs the cumulant method for N = 1000 emitters (N Gamma = 1 /ps) while the pure
dephasing rate gamma_phi, or the FWHM of a Gaussian inhomogeneous line, grows
from 0.01 to 10 N Gamma, and plots the peak emission rate (in units of the
incoherent N Gamma) and the delay tau_D. SF survives while the width is below
~N Gamma; beyond it the peak falls to the incoherent level and the delayed
maximum disappears.

Usage::

    python scripts/suppression_scan.py [--out docs/suppression_scan.png] [--quiet]

About 6 minutes on 2 cores (the inhomogeneous lines of the largest widths take most of it); each of the 20
runs is announced on stderr as it starts (a bar on a terminal), with the solver's bar for the long ones.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np

import sf_dynamics as sf
from sf_dynamics import analysis
from sf_dynamics._progress import stages


def scan(widths, n=1000, window=25.0, points=501, progress=True):
    """Peak and tau_D against the dephasing rate and the inhomogeneous FWHM (both in 1/ps, N Gamma = 1/ps).

    Two stages per width (dephasing, then the inhomogeneous line, whose class count grows with the width:
    the last ones take minutes); ``progress`` False silences the stage lines and the solvers' bars.
    """
    gamma = 1.0 / n
    times = np.linspace(0, window, points)
    rows = []
    solver = None if progress else False   # the solvers' own bars for their long runs
    with stages(progress, total=2 * len(widths), desc="suppression scan") as stage:
        for w in widths:
            stage.start(f"dephasing {w:.3g} N Gamma")
            dep = sf.simulate(sf.Ensemble(n, collective_decay=gamma, dephasing=w), times, method="cumulant",
                              progress=solver)
            # enough classes that the comb does not rephase within the window (recurrence 2 pi / spacing)
            classes = int(max(41, np.ceil(2.2 * 4 * w * window / (2 * np.pi))))
            stage.start(f"inhomogeneous FWHM {w:.3g} N Gamma ({classes} classes)")
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                inh = sf.simulate(sf.Ensemble(n, collective_decay=gamma,
                                              spectrum=sf.Spectrum.gaussian(w, classes=classes)), times,
                                  method="cumulant", progress=solver)
            rows.append((w, analysis.peak_intensity(dep), analysis.buildup_time(dep),
                         analysis.peak_intensity(inh), analysis.buildup_time(inh), classes))
    return np.array(rows)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default="docs/suppression_scan.png")
    parser.add_argument("--quiet", action="store_true", help="no progress lines (stages and solver bars) on stderr")
    args = parser.parse_args(argv)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    widths = np.geomspace(0.01, 10, 10)
    start = time.perf_counter()
    table = scan(widths, progress=not args.quiet)
    print("| width / (N Gamma) | peak / (N Gamma), dephasing | tau_D (ps), dephasing | "
          "peak / (N Gamma), inhomogeneous | tau_D (ps), inhomogeneous | classes |")
    print("|---|---|---|---|---|---|")
    for row in table:
        print(f"| {row[0]:.3g} | {row[1]:.3g} | {row[2]:.3g} | {row[3]:.3g} | {row[4]:.3g} | {int(row[5])} |")
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.6), constrained_layout=True)
    ax1.loglog(table[:, 0], table[:, 1], "o-", label=r"dephasing $\gamma_\phi$")
    ax1.loglog(table[:, 0], table[:, 3], "s-", label="inhomogeneous FWHM")
    ax1.axhline(1.0, color="0.5", ls=":", label=r"incoherent $N\Gamma$")
    ax1.axhline(0.25 * 1000, color="0.5", ls="--", label=r"mean-field $N^2\Gamma/4$")
    ax1.set_xlabel(r"width / $N\Gamma$")
    ax1.set_ylabel(r"peak emission rate / $N\Gamma$")
    ax1.legend(frameon=False, fontsize=8)
    ax2.semilogx(table[:, 0], table[:, 2], "o-", label=r"dephasing $\gamma_\phi$")
    ax2.semilogx(table[:, 0], table[:, 4], "s-", label="inhomogeneous FWHM")
    ax2.set_xlabel(r"width / $N\Gamma$")
    ax2.set_ylabel(r"$\tau_D$ (ps), $N\Gamma$ = 1/ps")
    ax2.legend(frameon=False, fontsize=8)
    fig.suptitle("N = 1000, second-order cumulants: SF dies when the width exceeds ~NΓ", fontsize=10)
    from sf_dynamics.plotting import save_figure

    save_figure(ax1, args.out, dpi=130, overwrite=True, command="scripts/suppression_scan.py", widths_per_ps=widths,
                method="cumulant", n=1000)
    print(f"wrote {args.out} ({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
