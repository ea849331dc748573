"""The ``sf-dynamics report``: a CsPbBr3-like superlattice from a fluence series to thermal decoherence.

On built-in defaults (literature values or stated assumptions, listed in
the report's parameter table) it writes into one folder:

1. ``fluence_series.{csv,nc}``, ``fluence_traces.png``, ``fluence_streak.png``,
   ``fluence_scaling.png``: a coherent domain of 300 NCs at eight pump
   fluences, simulated exactly (``permutational``) and seen through a
   streak camera with a 2 ps instrument response; tau_D, tau_SF (sech^2 fit
   with the IRF) and their scaling with the number of excited NCs;
2. ``spectrum.{csv,nc,png}``, ``spectrogram.png``: the domain's collective G1(t, tau)
   at the highest fluence (``permutational``), its spectrum and first-order
   coherence time against one NC, the spectrogram behind a spectrometer,
   and the weak-excitation PL of a superlattice with its coupled-line shift;
3. ``ringing.{csv,png}``: the noise-initiated Maxwell-Bloch burst of an
   optically thick slab, recorded through the same 2 ps response, its
   lobes and a Burnham-Chiao fit (flagged when poor), and the linear
   (weak-pulse) regime where the Burnham-Chiao form is exact;
4. ``thermal_*.{csv,nc}``, ``thermal_enhancement.png``, ``dynamic_sweep.*``:
   the thermal-decoherence summary (equilibrium enhancement of a 6x6x6
   superlattice, dynamical temperature sweep with tau_D masked where the
   burst has vanished);
5. a table of the five signatures of Rainò et al. (2018), reported against simulated
   (:mod:`sf_dynamics.workflows.signatures`);
6. ``report.md`` and ``report.html`` (rendered with markdown-it-py: figures
   with captions, links to the data files, package version and date).

Every number in the text is computed in the run that writes it.

One module per section (:mod:`.fluence_section`, :mod:`.spectrum_section`, :mod:`.ringing_section`,
:mod:`.bunching_section`, :mod:`.thermal_section`, :mod:`.signatures_section`), the inputs in
:mod:`.parameters`, and the assembly and rendering in :mod:`.document`.
"""

from .document import REPORT_FILES, write_report
from .parameters import PARAMETERS

__all__ = ["write_report", "REPORT_FILES", "PARAMETERS"]
