"""Progress of a fluence-series fit: its run time estimated before it starts, and one report per N_c point.

The cost of the fit is the domain solves of the N_c profile: each profile point is an lmfit fit whose
evaluations need a new solve of the domain (``permutational``) whenever a rate changes. Before the fit starts,
one model evaluation (a solve and the convolution) is timed at every N_c of the coarse grid and multiplied by
the evaluations planned: :data:`SOLVES_PER_FIT` per point, for the grid and for :data:`WALK_POINTS` further
points around the best N_c (at the median cost of the grid). The numbers come from fits of synthetic series
(3 traces of 120 bins, 7 grid points over N_c = 2-60: 15-76 solves per point, median 24; 13 walk points);
the estimate is good to a factor of about two.
"""

from __future__ import annotations

import sys
import time

import numpy as np

__all__ = ["SOLVES_PER_FIT", "WALK_POINTS", "coarse_grid", "estimate_run_time", "walk_estimate",
           "ProfileProgress"]

#: domain solves (model evaluations with new rates) of one lmfit fit at one N_c
SOLVES_PER_FIT = 30
#: N_c points the walk around the best one typically adds to the coarse grid
WALK_POINTS = 13
#: how the message says to widen the search
WIDEN = ("widen the N_c search with domain_sizes=(low, high) (command line: --domain-sizes LOW HIGH); "
         "an evaluation costs more at larger N_c: on a 2-core machine ~0.007 s at N_c = 10, ~0.014 s at 60, ~0.06 s "
         "at 200 and ~0.3 s at 400 (benchmarks/bench_fit.py)")


def coarse_grid(domain_sizes, grid_points):
    """The coarse geometric grid of N_c the profile starts from.

    Parameters
    ----------
    domain_sizes : (int, int)
        Search range of N_c.
    grid_points : int
        Points of the grid (at least 3 are used).

    Returns
    -------
    ndarray of int
        The distinct N_c of the grid, ascending.
    """
    lo_n, hi_n = domain_sizes
    return np.unique(np.round(np.geomspace(lo_n, hi_n, max(int(grid_points), 3))).astype(int))


def estimate_run_time(series, grid):
    """Time one model evaluation at each N_c of the grid and multiply by the evaluations the fit plans.

    Parameters
    ----------
    series : FluenceSeriesFit
        The fit, before its profile.
    grid : ndarray of int
        The coarse grid of N_c.

    Returns
    -------
    dict
        ``seconds`` (the estimate), ``evaluation`` (seconds of one evaluation at each grid N_c), ``fits``
        (planned profile points) and ``text`` (the estimate in one line, with how to widen the search).
    """
    series.start_values(int(grid[0]), None)     # untimed: the one-off costs of a first evaluation
    series.cache.store.clear()
    cost = []
    for n in grid:
        start = time.perf_counter()
        values = series.start_values(int(n), None)
        if "amplitude" in series.p0 or "amplitude" in series.fixed:    # start_values did not evaluate the model
            series.record(int(n), values)
        cost.append(time.perf_counter() - start)
    cost = np.array(cost)
    seconds = SOLVES_PER_FIT * (float(cost.sum()) + WALK_POINTS * float(np.median(cost)))
    fits = len(grid) + WALK_POINTS
    lo_n, hi_n = series.domain_sizes
    text = (f"estimated run time ~{_duration(seconds)} (N_c = {lo_n}-{hi_n}: {len(grid)} grid points and "
            f"~{WALK_POINTS} more around the best, ~{SOLVES_PER_FIT} model evaluations each; one evaluation took "
            f"{cost.min():.2g}-{cost.max():.2g} s); {WIDEN}")
    return {"seconds": seconds, "evaluation": dict(zip(grid.tolist(), cost.tolist())), "fits": fits, "text": text}


def walk_estimate(series, grid, seconds):
    """After the coarse grid: the time the walk around the best N_c will take, from the grid's own fits.

    Parameters
    ----------
    series : FluenceSeriesFit
        The fit, its coarse grid done.
    grid : ndarray of int
        The coarse grid of N_c.
    seconds : dict
        Seconds each grid point took to fit, by N_c.

    Returns
    -------
    str
        One line: the grid's time and the walk's expected time (:data:`WALK_POINTS` fits at the cost of the
        grid point nearest the best N_c).
    """
    best = int(min(grid, key=lambda n: series.results[int(n)][0]))
    walk = WALK_POINTS * seconds[best]
    return (f"coarse grid done in {_duration(sum(seconds.values()))}; the walk around N_c = {best} needs "
            f"~{WALK_POINTS} more fits, ~{_duration(walk)}")


def _duration(seconds):
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


class ProfileProgress:
    """One report per fitted N_c with its deviance: a tqdm bar on a terminal, a plain line per point in a log.

    Parameters
    ----------
    show : bool
        Report at all.
    planned : int
        The profile points expected (the bar's total; the walk may need more or fewer).
    stream : file-like, optional
        Where the lines go (default ``sys.stderr``).
    """

    def __init__(self, show, planned, stream=None):
        self.stream = sys.stderr if stream is None else stream
        self.show, self.count, self.start = bool(show), 0, time.perf_counter()
        self.bar = None
        if self.show and self.stream.isatty():
            from tqdm.auto import tqdm

            self.bar = tqdm(total=planned, desc="N_c profile", unit="fit", file=self.stream, leave=False)

    def message(self, text):
        """Print one line (above the bar on a terminal)."""
        if not self.show:
            return
        if self.bar is not None:
            self.bar.write(text, file=self.stream)
        else:
            print(text, file=self.stream, flush=True)

    def point(self, n, deviance):
        """Report one fitted profile point: its N_c and its deviance."""
        self.count += 1
        if not self.show:
            return
        if self.bar is not None:
            self.bar.set_postfix_str(f"N_c = {n}, deviance {deviance:.1f}")
            self.bar.update()
        else:
            print(f"N_c = {n}: deviance {deviance:.2f} (point {self.count}, {time.perf_counter() - self.start:.0f} s)",
                  file=self.stream, flush=True)

    def close(self):
        """Close the bar; the elapsed time (s)."""
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        return time.perf_counter() - self.start
