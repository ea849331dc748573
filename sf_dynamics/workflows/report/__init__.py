"""The ``sf-dynamics report``: one CsPbBr3-like superlattice sample from a fluence series to thermal decoherence.

Every section simulates the same :class:`~sf_dynamics.workflows.sample.Sample` (coherent domains of N_c NCs
beside uncoupled NCs, partial inversion p(F) from the absorption law, dephasing at the temperature from the
linewidth model), built from the inputs of :mod:`.parameters` (built-in defaults with their sources, replaced
by command-line options or a config file). It writes into one folder:

1. ``fluence_series.{csv,nc}``, ``fluence_traces.png``, ``fluence_streak.png``, ``fluence_scaling.png``: the
   sample at a series of pump fluences as a streak camera records it, the burst test at each fluence and the
   threshold fluence from the same test, tau_D where there is a burst, tau_SF (sech^2 fit with the IRF) and its
   scaling with the inversion;
2. ``spectrum.{csv,nc,png}``: the time-integrated PL of the two bands (coupled: the domains' collective line;
   uncoupled: the single-NC line with its inhomogeneous spread) and each band's first-order coherence as a
   Michelson interferometer sees it;
3. ``ringing.{csv,png}``: the noise-initiated Maxwell-Bloch burst of an optically thick slab recorded through
   the same response, its lobes and a Burnham-Chiao fit (flagged when poor), and the linear regime where the
   Burnham-Chiao form is exact;
4. ``bunching.{csv,nc,png}``, ``shots.png``: g2 of the coupled band against the uncoupled band under the same
   detection, from exact shots;
5. ``thermal_*.{csv,nc}``, ``thermal_enhancement.png``, ``dynamic_sweep.*``: the equilibrium enhancement of a
   superlattice, and the sample across temperature with the burst test of section 1;
6. the signatures of Rainò et al. (2018), each a stated test (measurement, criterion, no-SF baseline, numbers,
   verdict; :mod:`sf_dynamics.workflows.signatures`);
7. ``report.md`` and ``report.html`` (markdown-it-py: figures with captions, links to the data files).

Every number in the text is computed in the run that writes it; every file records the package version, the
seed and the inputs (CSV: a ``#`` line; netCDF: attributes; PNG: text chunks).

One module per section (:mod:`.fluence_section`, :mod:`.spectrum_section`, :mod:`.ringing_section`,
:mod:`.bunching_section`, :mod:`.thermal_section`, :mod:`.signatures_section`), the inputs in
:mod:`.parameters`, and the assembly and rendering in :mod:`.document`.
"""

from .document import REPORT_FILES, write_report
from .parameters import PARAMETERS, ReportInputs, read_config, report_inputs

__all__ = ["write_report", "REPORT_FILES", "PARAMETERS", "ReportInputs", "report_inputs", "read_config"]
