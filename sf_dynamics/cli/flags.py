"""The flags shared by the commands: ranged number types, the default ensemble, the output folder.

Every command runs inside :func:`out_folder`: the ``--out`` folder is created, checked writable and locked
before any computation (a second run on the same folder is refused at once, naming the process that holds it),
files of an earlier run are refused without ``--overwrite``, and the run's files are renamed into place
together when it ends (:func:`sf_dynamics._io.output_folder`).
"""

from __future__ import annotations

import argparse
import math

__all__ = ["DEFAULTS", "default_end_time", "integer", "real", "probability", "add_ensemble_flags",
           "ensemble_from_flags", "out_folder"]

#: Defaults: a point-like cluster of 100 CsPbBr3-like nanocrystals, each with a
#: 210 ps radiative lifetime (Utzat et al., Science 363, 1068 (2019)) radiating
#: into the common (collective) channel, with dephasing 0.01 /ps (T2 ~ 80 ps).
DEFAULTS = {
    "n": 100,
    "collective_decay": 1.0 / 210.0,
    "decay": 0.0,
    "dephasing": 0.01,
    "pumping": 0.0,
}


def default_end_time(ensemble) -> float:
    """A window (ps) that holds the burst: 6 ln(N) / (N Gamma_c), else 5 / Gamma_ii.

    Parameters
    ----------
    ensemble : Ensemble
        The simulated ensemble (rates in 1/ps).

    Returns
    -------
    float
        End time (ps); 100 ps for an ensemble that neither decays nor is pumped.
    """
    rate = ensemble.collective_decay
    if rate > 0 and ensemble.n > 1:
        window = 6.0 * max(math.log(ensemble.n), 1.0) / (ensemble.n * rate)
        if ensemble.decay > 0:
            window = min(window, 5.0 / ensemble.decay) if ensemble.n * rate < ensemble.decay else window
        return window
    single = ensemble.single_emitter_decay + ensemble.pumping
    return 5.0 / single if single > 0 else 100.0


# -- flag types: each names the allowed range; argparse adds the flag's name --------------------------
def integer(minimum):
    """An argparse type: an integer >= ``minimum`` (the message names the range).

    Parameters
    ----------
    minimum : int
        Smallest allowed value.

    Returns
    -------
    callable
        ``parse(text) -> int``, raising :class:`argparse.ArgumentTypeError` outside the range.
    """

    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be an integer >= {minimum}, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be an integer >= {minimum}, got {value}")
        return value

    parse.__name__ = "integer"
    return parse


def real(minimum=0.0, *, open_below=False):
    """An argparse type: a finite real number >= ``minimum`` (> with ``open_below``).

    Parameters
    ----------
    minimum : float
        Lower bound (in the unit of the flag).
    open_below : bool
        Exclude the bound itself.

    Returns
    -------
    callable
        ``parse(text) -> float``, raising :class:`argparse.ArgumentTypeError` outside the range.
    """

    def parse(text):
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a real number, got {text!r}") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"must be finite, got {text!r}")
        if value < minimum or (open_below and value == minimum):
            raise argparse.ArgumentTypeError(f"must be {'>' if open_below else '>='} {minimum:g}, got {value:g}")
        return value

    parse.__name__ = "number"
    return parse


def probability(*, open_below=False):
    """An argparse type: a probability in [0, 1] ((0, 1] with ``open_below``).

    Parameters
    ----------
    open_below : bool
        Exclude 0.

    Returns
    -------
    callable
        ``parse(text) -> float``, raising :class:`argparse.ArgumentTypeError` outside the range.
    """

    def parse(text):
        value = real(0.0, open_below=open_below)(text)
        if value > 1.0:
            raise argparse.ArgumentTypeError(f"must be a probability {'(0' if open_below else '[0'}, 1], got {value:g}")
        return value

    parse.__name__ = "probability"
    return parse


def add_ensemble_flags(parser):
    """Add the flags of the default two-level ensemble (simulate, spectrum): N and its rates in 1/ps.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The command's parser.
    """
    parser.add_argument("--n", type=integer(1), default=DEFAULTS["n"], help="number of emitters (default 100)")
    parser.add_argument("--collective-decay", type=real(), default=DEFAULTS["collective_decay"],
                        help="collective decay rate Gamma_c in 1/ps (default 1/210)")
    parser.add_argument("--decay", type=real(), default=DEFAULTS["decay"],
                        help="local decay rate in 1/ps (default 0)")
    parser.add_argument("--dephasing", type=real(), default=DEFAULTS["dephasing"],
                        help="pure dephasing rate gamma_phi in 1/ps (default 0.01)")
    parser.add_argument("--pumping", type=real(), default=DEFAULTS["pumping"],
                        help="local pumping rate in 1/ps (default 0)")


def ensemble_from_flags(args):
    """The :class:`~sf_dynamics.Ensemble` of the flags added by :func:`add_ensemble_flags`.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed flags.

    Returns
    -------
    Ensemble
    """
    from ..model import Ensemble

    return Ensemble(args.n, decay=args.decay, collective_decay=args.collective_decay, dephasing=args.dephasing,
                    pumping=args.pumping)


def out_folder(args, names):
    """The ``--out`` folder of a run: created, writable and locked now; its files replaced together at the end.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed flags (``out``, ``overwrite``).
    names : list of str
        Files the command writes there.

    Returns
    -------
    context manager
        Yields the :class:`~sf_dynamics._io.OutputFolder` (``folder / "name"`` is the path to write).

    Raises
    ------
    ValueError
        If ``--out`` or one of its parents is a file.
    FileExistsError
        If the folder holds one of ``names`` and ``--overwrite`` is not given.
    OSError
        If the folder cannot be created or written, or another run holds it
        (:class:`~sf_dynamics._io.FolderInUseError`).
    """
    from .._io import output_folder

    return output_folder(args.out, names, overwrite=args.overwrite, parameter="--out")
