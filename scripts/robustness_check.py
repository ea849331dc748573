"""Feed bad and edge-case inputs through sf_dynamics' public API and command line; count the outcomes.

Every case states what a careful library must do with it: raise a clear error (a ValueError, or an
OSError subclass for file problems, whose message names the given parameter) or return a valid result.
The outcomes are counted as

* clear error: the expected exception type, naming the parameter;
* crash: any other exception, or an error that does not name the parameter;
* hang: no answer within the time limit (the worker process is ended and restarted);
* silent: no error where one was expected, or a result with non-finite or unphysical values.

Usage::

    python scripts/robustness_check.py [--timeout 60] [--verbose]

Exit status 0 only when there are no crashes, hangs or silent results. The test suite runs it.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import sys
import tempfile
import time
import traceback
from pathlib import Path

import numpy as np

ERROR, RESULT = "error", "result"


def _cases():
    """(name, expectation, parameter named in the message, callable) for every case."""
    import sf_dynamics as sf
    from sf_dynamics import detectors, fitting, fluence, geometry, thermal, units
    from sf_dynamics.cli import main
    from sf_dynamics.geometry.lattice import Superlattice
    from sf_dynamics.model import linewidth
    from sf_dynamics.model.states import CoherentSpinState, DickeState

    t = np.linspace(0, 1, 11)
    ens = sf.Ensemble(20, collective_decay=1.0)
    big = sf.Ensemble(200, collective_decay=1.0)
    cases = []

    def case(name, param, call, expect=ERROR):
        cases.append((name, expect, param, call))

    # -- Ensemble parameters -------------------------------------------------------------------
    for value in (0, -1, 1.5, "a", True, float("nan"), None):
        case(f"Ensemble(n={value!r})", "n", lambda v=value: sf.Ensemble(v))
    for name in ("decay", "collective_decay", "dephasing", "pumping"):
        for value in (-1.0, float("nan"), float("inf"), "x"):
            case(f"Ensemble({name}={value!r})", name, lambda n=name, v=value: sf.Ensemble(3, **{n: v}))
    case("detunings of wrong length", "detunings", lambda: sf.Ensemble(3, detunings=[0, 1]))
    case("detunings with nan", "detunings", lambda: sf.Ensemble(2, detunings=[0, np.nan]))
    case("detunings scalar", "detunings", lambda: sf.Ensemble(2, detunings=0.5))
    case("detunings 2-D", "detunings", lambda: sf.Ensemble(2, detunings=[[0, 1]]))
    case("gamma_matrix not symmetric", "gamma_matrix", lambda: sf.Ensemble(2, gamma_matrix=[[1, 0.5], [0.2, 1]]))
    case("gamma_matrix not PSD", "gamma_matrix", lambda: sf.Ensemble(2, gamma_matrix=[[1, 2], [2, 1]]))
    case("gamma_matrix wrong shape", "gamma_matrix", lambda: sf.Ensemble(2, gamma_matrix=np.eye(3)))
    case("omega_matrix complex", "omega_matrix", lambda: sf.Ensemble(2, omega_matrix=[[0, 1j], [1j, 0]]))
    case("omega_matrix diagonal", "omega_matrix", lambda: sf.Ensemble(2, omega_matrix=[[1, 0], [0, 0]]))
    case("spectrum not a Spectrum", "spectrum", lambda: sf.Ensemble(3, spectrum=[1, 2, 3]))
    case("spectrum and detunings", "exclusive",
         lambda: sf.Ensemble(2, detunings=[0, 1], spectrum=sf.Spectrum.gaussian(1.0)))
    case("Spectrum negative fwhm", "fwhm", lambda: sf.Spectrum.gaussian(-1.0))
    case("Spectrum zero classes", "classes", lambda: sf.Spectrum.lorentzian(1.0, classes=0))
    case("Spectrum weights mismatch", "weights", lambda: sf.Spectrum.from_samples([0, 1], [1.0]))
    case("Spectrum negative weights", "weights", lambda: sf.Spectrum.from_samples([0, 1], [-1, 2]))

    # -- simulate ------------------------------------------------------------------------------------
    for times, param in (([0, 1, 0.5], "times"), ([0, np.nan, 1], "times"), ([[0, 1]], "times"), ([1.0], "times"),
                         ([-1, 0, 1], "times"), ("abc", "times"), ([], "times"), ([0, np.inf], "times")):
        case(f"simulate(times={times!r})", param, lambda tt=times: sf.simulate(ens, tt))
    case("unknown method", "method", lambda: sf.simulate(ens, t, method="magic"))
    case("method not a string", "method", lambda: sf.simulate(ens, t, method=3))
    case("unknown option", "unknown option", lambda: sf.simulate(ens, t, method="permutational", tolerance=1e-3))
    case("unknown initial", "initial", lambda: sf.simulate(ens, t, initial="inverted"))
    case("ensemble not an Ensemble", "ensemble", lambda: sf.simulate({"n": 2}, t))
    case("DickeState bad j", "j", lambda: DickeState(0.3, 0.3))
    case("DickeState bad m", "m", lambda: DickeState(1, 2))
    case("DickeState j above n/2", "DickeState", lambda: sf.simulate(ens, t, initial=DickeState(30, 0)))
    case("CoherentSpinState theta > pi", "theta", lambda: CoherentSpinState(4.0))
    case("method cannot represent", "cannot simulate",
         lambda: sf.simulate(sf.Ensemble(4, collective_decay=1, detunings=[0, 1, 2, 3]), t, method="permutational"))
    case("exact above 12 emitters", "n <= 12", lambda: sf.simulate(sf.Ensemble(13, collective_decay=1), t,
                                                                     method="exact"))
    case("tol out of range", "tol", lambda: sf.simulate(ens, t, method="permutational", tol=2.0))
    case("rtol zero", "rtol", lambda: sf.simulate(big, t, method="cumulant", rtol=0.0))
    case("atol nan", "atol", lambda: sf.simulate(big, t, method="cumulant", atol=float("nan")))
    case("integrator unknown", "integrator", lambda: sf.simulate(big, t, method="cumulant", integrator="Euler"))
    case("engine unknown", "engine", lambda: sf.simulate(big, t, method="cumulant", engine="pairs"))
    case("max_steps zero", "max_steps", lambda: sf.simulate(big, t, method="cumulant", max_steps=0))
    case("meanfield seed_angle negative", "seed_angle", lambda: sf.simulate(big, t, method="meanfield",
                                                                            seed_angle=-0.1))
    case("meanfield N = 1", "n = 1", lambda: sf.simulate(sf.Ensemble(1, collective_decay=1), t, method="meanfield"))
    for options, param in ((dict(trajectories=0), "trajectories"), (dict(trajectories=1), "trajectories"),
                           (dict(trajectories=1.5), "trajectories"), (dict(seed=-1), "seed"),
                           (dict(seed=1.5), "seed"), (dict(seed="a"), "seed"), (dict(dt=-1.0), "dt"),
                           (dict(shots=10, trajectories=5), "shots"), (dict(batches=1), "batches"),
                           (dict(engine="pairs"), "engine")):
        case(f"twa {options}", param, lambda o=options: sf.simulate(big, t, method="twa", **o))
    slab = sf.Slab(1e4, 1e-4, slices=5)
    case("Slab n below 1", "n", lambda: sf.Slab(0.5, 1.0))
    case("Slab forward_decay 0", "forward_decay", lambda: sf.Slab(10, 0.0))
    case("Slab slices 0", "slices", lambda: sf.Slab(10, 1.0, slices=0))
    case("maxwell_bloch initiation", "initiation", lambda: sf.simulate(slab, t, method="maxwell_bloch",
                                                                       initiation="laser"))
    case("maxwell_bloch on an Ensemble", "Slab", lambda: sf.simulate(ens, t, method="maxwell_bloch"))
    case("NanocrystalEnsemble intra-NC omega", "omega_matrix",
         lambda: sf.NanocrystalEnsemble(2, omega_matrix=np.pad([[0, 1], [1, 0]], (0, 4))))
    case("NanocrystalEnsemble fine_structure", "fine_structure", lambda: sf.NanocrystalEnsemble(2,
                                                                                               fine_structure=(0, 1)))
    case("TripletExcitation sum > 1", "populations", lambda: sf.TripletExcitation((0.5, 0.5, 0.5)))
    case("exact with 6 NCs", "n <= 5", lambda: sf.simulate(sf.NanocrystalEnsemble(6, decay=1.0), t, method="exact"))

    # -- resource and time guards ----------------------------------------------------------------------------
    case("permutational N = 1e6 with local decay", "n",
         lambda: sf.simulate(sf.Ensemble(10**6, collective_decay=1.0, decay=0.1), np.linspace(0, 1, 11),
                             method="permutational"))
    case("twa 1e12 trajectories", "trajectories", lambda: sf.simulate(big, t, method="twa", trajectories=10**12))
    case("cumulant detuning 1e300", "detunings",
         lambda: sf.simulate(sf.Ensemble(4, collective_decay=1, detunings=[1e300, 0, 0, 0]), t, method="cumulant"))
    case("cumulant detuning 1e9", "detunings",
         lambda: sf.simulate(sf.Ensemble(4, collective_decay=1, detunings=[1e9, 0, 0, 0]), t, method="cumulant"))
    case("cumulant window 1e12 ps", "times", lambda: sf.simulate(big, np.linspace(0, 1e12, 11), method="cumulant"))
    case("twa window 1e12 ps", "times", lambda: sf.simulate(big, np.linspace(0, 1e12, 11), method="twa"))
    case("exact pumping 1e6", "pumping", lambda: sf.simulate(sf.Ensemble(4, collective_decay=1.0, pumping=1e6),
                                                           np.linspace(0, 10, 11), method="exact"))
    case("twa rates 1e300", "collective_decay",
         lambda: sf.simulate(sf.Ensemble(10, collective_decay=1e300), t, method="twa"))
    case("twa dt 1e-12", "dt", lambda: sf.simulate(big, t, method="twa", dt=1e-12))
    case("green 5e4 positions", "positions",
         lambda: geometry.green_couplings(np.random.default_rng(0).random((50_000, 3)), np.ones((50_000, 3)),
                                          wavelength=1.0, gamma=1.0))
    case("dense thermal 40^3", "lattice", lambda: thermal.thermal_superradiance(Superlattice.cubic(40, 40, 40), [5.0]))
    case("dicke rates 1e12 (physical answer)", None,
         lambda: sf.simulate(sf.Ensemble(10, collective_decay=1e12), t, method="dicke"), RESULT)
    case("permutational tiny window (valid)", None,
         lambda: sf.simulate(ens, np.linspace(0, 1e-12, 3), method="permutational"), RESULT)

    # -- geometry and lattices -------------------------------------------------------------------------------
    case("green positions 2 columns", "positions", lambda: geometry.green_couplings(np.zeros((2, 2)), np.zeros((2, 2)),
                                                                                   wavelength=1, gamma=1))
    case("green zero dipole", "dipoles", lambda: geometry.green_couplings(np.zeros((1, 3)), np.zeros((1, 3)),
                                                                         wavelength=1, gamma=1))
    case("green negative wavelength", "wavelength",
         lambda: geometry.green_couplings(np.zeros((1, 3)), np.ones((1, 3)), wavelength=-1, gamma=1))
    for separation in (1e-11, 1e-13):
        case(f"green coincident sites {separation}", "positions",
             lambda s=separation: geometry.green_couplings([[0, 0, 0], [s, 0, 0]], [[0, 0, 1], [0, 0, 1]],
                                                           wavelength=1.0, gamma=1.0))
    case("lattice kind", "kind", lambda: Superlattice.build("hexagonal", (2, 2)))
    case("lattice size 0", "size", lambda: Superlattice.square(0, 2))
    case("lattice constant below edge", "lattice_constant_nm",
         lambda: Superlattice.cubic(2, 2, 2, lattice_constant_nm=5.0, nc_edge_nm=9.0))
    case("lattice overlapping disorder", "position_disorder_nm",
         lambda: Superlattice.cubic(3, 3, 3, position_disorder_nm=20.0, seed=0))
    case("lattice negative disorder", "energy_disorder_meV", lambda: Superlattice.cubic(2, 2, 2,
                                                                                        energy_disorder_meV=-0.1))
    case("lattice zero dipole", "dipole", lambda: Superlattice.chain(3, dipole=[0, 0, 0]))

    # -- thermal --------------------------------------------------------------------------------------------
    small = Superlattice.cubic(2, 2, 2)
    case("thermal negative temperature", "temperatures_K", lambda: thermal.thermal_superradiance(small, [-1.0]))
    case("thermal route", "route", lambda: thermal.thermal_superradiance(small, [1.0], route="magic"))
    case("thermal realizations without callable", "realizations",
         lambda: thermal.thermal_superradiance(small, [1.0], realizations=2))
    case("thermal probes string", "probes", lambda: thermal.thermal_superradiance(small, [1.0], route="matrix-free",
                                                                                  probes="many"))
    case("linewidth e_lo zero", "e_lo_meV", lambda: linewidth.LinewidthModel(e_lo_meV=0.0))
    case("dephasing_rate negative T", "temperatures_K", lambda: linewidth.dephasing_rate([-1.0]))
    case("tabulated negative width", "fwhm_meV", lambda: linewidth.TabulatedLinewidth([1, 2], [1.0, -1.0]))
    case("matrix-free with disorder", "positional",
         lambda: thermal.thermal_superradiance(Superlattice.cubic(2, 2, 2, position_disorder_nm=0.1, seed=1), [1.0],
                                               route="matrix-free"))

    # -- fits and traces ---------------------------------------------------------------------------------------
    tf = np.linspace(0, 60, 121)
    good = fitting.sech2_model(tf, 20.0, 2.0, 100.0)
    for name, values, param in (("zeros", np.zeros(121), "intensity"), ("constant", np.full(121, 2.0), "intensity"),
                                ("negative", -np.ones(121), "intensity")):
        for fit in (fitting.fit_sech2, fitting.fit_burnham_chiao, fitting.fit_raino):
            case(f"{fit.__name__} on {name}", param, lambda f=fit, v=values: f(tf, v))
    case("fit three points", "times", lambda: fitting.fit_sech2([0, 1, 2], [1, 2, 1]))
    case("fit irf 1e-9", "irf_fwhm", lambda: fitting.fit_sech2(tf, good, irf_fwhm=1e-9))
    case("fit irf 1e9", "irf_fwhm", lambda: fitting.fit_sech2(tf, good, irf_fwhm=1e9))
    case("fit negative sigma", "sigma", lambda: fitting.fit_sech2(tf, good, sigma=-np.ones(121)))
    case("fit poisson on non-counts", "poisson", lambda: fitting.fit_sech2(tf, good + 0.5, sigma="poisson"))
    case("fit unknown fixed parameter", "unknown parameter", lambda: fitting.fit_sech2(tf, good, fixed={"x": 1}))
    case("fit window too small", "window", lambda: fitting.fit_sech2(tf, good, window=(0, 1)))
    case("fit strict on noise", "poor", lambda: fitting.fit_sech2(tf, np.random.default_rng(0).normal(5, 1, 121),
                                                                  strict=True))
    folder = Path(tempfile.mkdtemp())
    files = {"empty.csv": "", "header.csv": "time,counts\n", "text.csv": "0,1\n1,x\n2,3\n",
             "decreasing.csv": "0,1\n2,2\n1,3\n"}
    for name, content in files.items():
        (folder / name).write_text(content)
        case(f"load_trace {name}", "path", lambda p=folder / name: fitting.load_trace(p))
    (folder / "ok.csv").write_text("0,1\n1,2\n2,3\n")
    case("load_trace column out of range", "intensity_column",
         lambda: fitting.load_trace(folder / "ok.csv", intensity_column=4))
    case("load_trace directory", "path", lambda: fitting.load_trace(folder))
    case("load_trace missing", "path", lambda: fitting.load_trace(folder / "missing.csv"))
    case("load_trace BOM (valid)", None, lambda: _bom_file(folder, fitting), RESULT)
    case("load_trace semicolons and decimal commas (valid)", None, lambda: _semicolon_file(folder, fitting), RESULT)

    # -- files ---------------------------------------------------------------------------------------------------
    res = sf.simulate(ens, t, method="dicke")
    res.to_csv(folder / "trace.csv")
    case("to_csv over an existing file", "overwrite", lambda: res.to_csv(folder / "trace.csv"))
    case("to_netcdf into a directory", "path", lambda: res.to_netcdf(folder))
    truncated = folder / "truncated.csv"
    truncated.write_text((folder / "trace.csv").read_text()[:300])
    case("from_csv truncated", "path", lambda: sf.Result.from_csv(truncated))
    case("from_csv foreign", "path", lambda: sf.Result.from_csv(folder / "ok.csv"))

    # -- command line -------------------------------------------------------------------------------------------
    for argv, flag in ((["simulate", "--n", "0"], "--n"), (["simulate", "--points", "1"], "--points"),
                       (["simulate", "--t-max", "inf"], "--t-max"), (["simulate", "--dephasing", "-1"], "--dephasing"),
                       (["simulate", "--method", "magic"], "--method"), (["sweep", "--temperatures", "-3"],
                                                                          "--temperatures"),
                       (["report", "--out", str(folder / "trace.csv")], "--out")):
        case(f"cli {' '.join(argv)}", flag, lambda a=argv: _cli(main, a, folder))

    # -- fluence, units, detectors ------------------------------------------------------------------------------------
    case("fluence negative", "fluence",
         lambda: fluence.excited_emitters([-1.0], nanocrystals=10, excited_per_fluence=1))
    case("fluence both models", "either", lambda: fluence.excited_emitters([1.0], nanocrystals=10))
    case("fluence series not increasing", "fluences", lambda: fluence.fluence_series([2.0, 1.0]))
    case("lifetime zero", "lifetime_ps", lambda: units.lifetime_to_rate(0.0))
    case("rate negative", "rate_per_ps", lambda: units.rate_to_lifetime(-1.0))
    case("streak uneven times", "times", lambda: detectors.streak_camera([0, 1, 3], [1, 2, 3], 1.0))
    case("streak irf too wide", "irf_fwhm", lambda: detectors.streak_camera(tf, good, 1e3))
    case("streak shape mismatch", "values", lambda: detectors.streak_camera(tf, good[:10], 1.0))
    return cases


def _bom_file(folder, fitting):
    path = folder / "bom.csv"
    path.write_text("\ufefftime,counts\n0,1\n1,2\n2,3\n", encoding="utf-8")
    t, y = fitting.load_trace(path)
    assert t.size == 3 and y[0] == 1.0
    return t


def _semicolon_file(folder, fitting):
    path = folder / "semi.csv"
    path.write_bytes("Zeit;Zählrate\n0,5;1,25\n1,5;2,5\n".encode("latin-1"))
    t, y = fitting.load_trace(path)
    assert np.allclose(t, [0.5, 1.5]) and np.allclose(y, [1.25, 2.5])
    return t


class _CliError(ValueError):
    pass


def _cli(main, argv, folder):
    """Run the command line; a bad flag must end with exit code 2 and a message naming it."""
    import contextlib
    import io

    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            code = main([*argv, *([] if "--out" in argv else ["--out", str(folder / "cli_out")])])
        except SystemExit as exc:
            code = exc.code
    text = err.getvalue()
    if code == 2 and "Traceback" not in text:
        raise _CliError(text.strip().splitlines()[-1])  # the one-line message (after argparse's usage lines)
    return code


def _valid(value):
    """A returned value is acceptable when its arrays are finite (and a Result's invariants hold)."""
    intensity = getattr(value, "intensity", None)
    if intensity is not None:
        return bool(np.all(np.isfinite(intensity)) and np.all(np.isfinite(value.excitation)))
    return True


def _worker(indices, conn):
    cases = _cases()
    for i in indices:
        name, expect, param, call = cases[i]
        conn.send(("start", i))
        try:
            value = call()
        except (ValueError, OSError) as exc:
            text = str(exc)
            clear = expect == ERROR and (param is None or param in text)
            conn.send(("done", i, "clear error" if clear else "crash", f"{type(exc).__name__}: {text[:160]}"))
            continue
        except Exception as exc:  # noqa: BLE001 - any other exception is a crash by definition
            conn.send(("done", i, "crash", f"{type(exc).__name__}: {str(exc)[:160]} "
                                            f"{traceback.format_exc(limit=2)[-200:]}"))
            continue
        ok = expect == RESULT and _valid(value)
        conn.send(("done", i, "valid result" if ok else "silent", "" if ok else f"returned {type(value).__name__}"))
    conn.send(("finished",))


def run(timeout=60.0, verbose=False):
    """Run every case; return {outcome: [case names]}."""
    count = len(_cases())
    pending = list(range(count))
    outcomes = {"clear error": [], "valid result": [], "crash": [], "hang": [], "silent": []}
    context = mp.get_context("spawn")
    while pending:
        parent, child = context.Pipe()
        proc = context.Process(target=_worker, args=(pending, child), daemon=True)
        proc.start()
        current, started = None, time.monotonic()
        done = set()
        while True:
            if parent.poll(0.5):
                message = parent.recv()
                if message[0] == "start":
                    current, started = message[1], time.monotonic()
                elif message[0] == "done":
                    _, i, outcome, detail = message
                    name = _cases_names()[i]
                    outcomes[outcome].append(name)
                    done.add(i)
                    if verbose or outcome not in ("clear error", "valid result"):
                        print(f"{outcome:12s} {name}: {detail}", flush=True)
                    current = None
                else:
                    break
            elif current is not None and time.monotonic() - started > timeout:
                outcomes["hang"].append(_cases_names()[current])
                print(f"{'hang':12s} {_cases_names()[current]}: no answer in {timeout:g} s", flush=True)
                done.add(current)
                proc.kill()
                break
            elif not proc.is_alive():
                if current is not None:
                    outcomes["crash"].append(_cases_names()[current])
                    done.add(current)
                break
        proc.join(timeout=5)
        pending = [i for i in pending if i not in done]
    return outcomes


_NAMES = None


def _cases_names():
    global _NAMES
    if _NAMES is None:
        _NAMES = [c[0] for c in _cases()]
    return _NAMES


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds before a case counts as a hang")
    parser.add_argument("--verbose", action="store_true", help="print every case")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    outcomes = run(args.timeout, args.verbose)
    total = sum(len(v) for v in outcomes.values())
    plural = {"crash": "crashes", "hang": "hangs", "silent": "silent results", "clear error": "clear errors",
              "valid result": "valid results"}
    print(f"{total} inputs in {time.perf_counter() - start:.0f} s: " + ", ".join(
        f"{len(v)} {plural[k] if len(v) != 1 else k}" for k, v in outcomes.items()))
    bad = len(outcomes["crash"]) + len(outcomes["hang"]) + len(outcomes["silent"])
    return 0 if bad == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
