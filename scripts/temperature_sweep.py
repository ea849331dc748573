"""Temperature sweeps of superfluorescence: thermal-equilibrium enhancement and dynamics.

Runs, with defaults that finish in about a minute on 2 cores:

1. the thermal-equilibrium enhancement <Gamma>_T / gamma of 6x6x6 simple
   cubic superlattices of CsPbBr3-like triplet NCs (a = 12 nm, lambda = 515 nm,
   210 ps lifetime) for disorder W = 0, 0.5, 2 meV (4 realisations each),
   and of a 20-NC chain of single dipoles along its axis (superradiant
   state at the band bottom), 0.5-300 K;
2. the dynamics of N = 200 emitters in a point-like domain with the phonon
   dephasing gamma_phi(T) of the default linewidth model, 4-100 K:
   tau_D(T), tau_SF(T), peak(T) and the temperature where the burst vanishes.

Writes netCDF + CSV files and PNG figures into the output folder, and prints
a summary with the wall time; each sweep is announced on stderr as it starts,
with a bar over its points (``--quiet``: none). Usage::

    python scripts/temperature_sweep.py [--out sweep_output] [--executor serial|processes|tcp://host:8786] [--quiet]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sf_dynamics.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(["sweep", *sys.argv[1:]]))
