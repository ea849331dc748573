"""Assembling the report: Markdown blocks and figures rendered to ``report.md`` and ``report.html``.

:func:`write_report` runs the sections in order (one module each: :mod:`.fluence_section`,
:mod:`.spectrum_section`, :mod:`.ringing_section`, :mod:`.bunching_section`, :mod:`.thermal_section`,
:mod:`.signatures_section`) on one :class:`Document`, then adds the introduction with the parameter table and
the list of data files, and writes both renderings.
"""

from __future__ import annotations

import html
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from .bunching_section import bunching_section
from .fluence_section import fluence_section
from .parameters import ReportInputs, report_inputs
from .ringing_section import ringing_section
from .signatures_section import signatures_section
from .spectrum_section import spectrum_section
from .thermal_section import thermal_section

__all__ = ["REPORT_FILES", "Document", "Context", "write_report"]

#: files the report writes (an existing one is replaced only with overwrite=True)
REPORT_FILES = [
    "report.md", "report.html", "fluence_series.csv", "fluence_series.nc", "fluence_traces.png",
    "fluence_streak.png", "fluence_scaling.png", "ringing.csv", "ringing.png", "thermal_W0meV.nc",
    "thermal_W0meV.csv", "thermal_W0.5meV.nc", "thermal_W0.5meV.csv", "thermal_enhancement.png",
    "dynamic_sweep.nc", "dynamic_sweep.csv", "dynamic_sweep.png", "spectrum.csv", "spectrum.nc", "spectrum.png",
    "bunching.csv", "bunching.nc", "bunching.png", "shots.png",
]


class Document:
    """Report blocks: Markdown text and figures with captions, rendered to Markdown and HTML.

    Attributes
    ----------
    blocks : list of tuple
        ``("text", markdown)`` or ``("figure", file name, caption)``, in order.
    figures : int
        Figures so far (their captions are numbered).
    facts : dict
        Numbers a later section (the signatures table) quotes.
    """

    def __init__(self):
        self.blocks = []
        self.figures = 0
        self.facts = {}      # numbers a later section (the signatures table) quotes

    def text(self, markdown):
        """Add a block of Markdown text."""
        self.blocks.append(("text", markdown.strip() + "\n"))

    def figure(self, name, caption):
        """Add the figure file ``name`` (beside the report) with a numbered caption."""
        self.figures += 1
        self.blocks.append(("figure", name, f"Figure {self.figures}. {caption}"))

    def markdown(self):
        """The blocks as one Markdown text (figures as images with their caption below)."""
        parts = []
        for block in self.blocks:
            if block[0] == "text":
                parts.append(block[1])
            else:
                parts.append(f"![{block[2]}]({block[1]})\n\n*{block[2]}*\n")
        return "\n".join(parts)

    def html(self, title):
        """The blocks as a standalone HTML page (markdown-it-py, CommonMark with tables) titled ``title``."""
        from markdown_it import MarkdownIt

        md = MarkdownIt("commonmark").enable("table")
        body = []
        for block in self.blocks:
            if block[0] == "text":
                body.append(md.render(block[1]))
            else:
                src, caption = html.escape(block[1]), html.escape(block[2])
                body.append(f'<figure><a href="{src}"><img src="{src}" alt="{caption}"></a>'
                            f"<figcaption>{caption}</figcaption></figure>")
        style = ("body{font-family:sans-serif;max-width:960px;margin:auto;line-height:1.45}"
                 "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px}"
                 "figure{margin:1.5em 0}img{max-width:100%}figcaption{font-size:90%;color:#444}")
        return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
                f"<style>{style}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n")


@dataclass
class Context:
    """What every section of one report shares: the folder, the inputs, the Sample and the section timings.

    Attributes
    ----------
    out : Path
        Output folder.
    quick : bool
        Smaller sizes (for tests and a first look).
    overwrite : bool
        Replace files of an earlier report.
    inputs : ReportInputs
        The values the report runs on.
    """

    out: Path
    quick: bool
    overwrite: bool
    inputs: ReportInputs
    timings: dict = field(default_factory=dict)

    def __post_init__(self):
        self.sample = self.inputs.sample()

    @property
    def seed(self) -> int:
        """The seed of the report's random draws."""
        return self.inputs.seed

    def provenance(self, **fields) -> dict:
        """The fields every file of the report records: command, seed, the inputs, and ``fields``."""
        return {"command": "sf-dynamics report", "seed": self.seed, "quick": self.quick,
                "report_inputs": json.dumps(self.inputs.values), **fields}

    def save_dataset(self, dataset, stem, *, method, **fields):
        """Write ``stem``.nc and ``stem``.csv into the folder with the report's provenance."""
        from ..._io import save_dataset

        return save_dataset(dataset, self.out / stem, overwrite=self.overwrite,
                            **self.provenance(method=method, **fields))

    def save_figure(self, fig, name, **fields):
        """Write the figure ``name`` into the folder (PNG text chunks hold the report's provenance)."""
        from ..._io import save_figure

        return save_figure(fig, self.out / name, overwrite=self.overwrite, **self.provenance(**fields))


def write_report(out="sf_report", *, progress=True, quick=False, overwrite=False, inputs=None):
    """Run the report and return the path of report.md.

    Parameters
    ----------
    out : str or Path
        Output folder.
    progress : bool
        Report each stage (a tqdm bar on a terminal, one line per stage in a log).
    quick : bool
        Smaller sizes (for tests and a first look).
    overwrite : bool
        Replace files of an earlier report in ``out``.
    inputs : ReportInputs or dict, optional
        The report's inputs (:func:`~sf_dynamics.workflows.report.parameters.report_inputs`; a dict of
        name -> value replaces those defaults); default the built-in values.

    Returns
    -------
    Path
        The written ``report.md`` (``report.html`` beside it).

    Raises
    ------
    FileExistsError
        If ``out`` holds report files and ``overwrite`` is False.
    FolderInUseError
        If another run holds ``out`` (:func:`sf_dynamics._io.output_folder`: the folder is checked writable and
        locked before the first section, and the report's files are replaced together when it ends).
    ValueError
        For an unknown input or a value outside its range.
    """
    import matplotlib

    matplotlib.use("Agg")

    from ..._io import output_folder

    inputs = inputs if isinstance(inputs, ReportInputs) else report_inputs(inputs)
    with output_folder(out, REPORT_FILES, overwrite=overwrite, parameter="out") as folder:
        return _write(folder, progress=progress, quick=quick, overwrite=overwrite, inputs=inputs)


def _write(folder, *, progress, quick, overwrite, inputs):
    """The sections and the two renderings, written into the locked ``folder``."""
    from ..._io import provenance, write_text
    from ..._progress import progress_bar
    from ..._version import __version__

    out = folder.path
    start = time.perf_counter()
    doc = Document()
    ctx = Context(out=out, quick=quick, overwrite=overwrite, inputs=inputs)
    stages = [("fluence series", fluence_section), ("spectrum", spectrum_section), ("ringing", ringing_section),
              ("photon bunching", bunching_section), ("thermal decoherence", thermal_section),
              ("signatures", signatures_section)]
    with progress_bar(progress, total=len(stages), desc="sf-dynamics report", unit="stage") as bar:
        for name, section in stages:
            bar.set_description(f"report: {name}")
            began = time.perf_counter()
            section(doc, ctx)
            ctx.timings[name] = time.perf_counter() - began
            bar.update(1)
    elapsed = time.perf_counter() - start
    meta = provenance(**ctx.provenance())
    files = sorted(name for name in folder.written if name in REPORT_FILES and Path(name).suffix in (".csv", ".nc"))
    intro = Document()
    intro.text(f"""
# sf_dynamics report: a CsPbBr3-like nanocrystal superlattice

sf_dynamics {__version__}, written {meta['created_utc']} in {elapsed:.0f} s{' (quick sizes)' if quick else ''},
seed {ctx.seed}. The inputs, with their sources ("given" where an option or config file set them; where a
default is an assumption it says so):

{inputs.table()}

Every section simulates the same sample: coherent domains of {inputs['nanocrystals']} NCs holding
{inputs['coupled_fraction']:.0%} of the NCs, the rest emitting on their own; the pump excites each NC with
probability p(F) = 1 - exp(-sigma F / E_ph) and leaves the others in the ground state (partial inversion).
Time per section: {', '.join(f'{name} {sec:.0f} s' for name, sec in ctx.timings.items())}.
""")
    tail = Document()
    tail.text("## Data files\n\n" + "\n".join(f"* [{name}]({name})" for name in files) +
              "\n\nCSV files start with a `#` line holding the provenance (package version, date, method, seed and "
              "every input of the report); the netCDF files hold the same in their attributes and also the "
              "two-dimensional data, and the figures in their PNG text chunks (`Description`).")
    doc.blocks = intro.blocks + doc.blocks + tail.blocks
    md_path = write_text(out / "report.md", doc.markdown(), overwrite=True)
    write_text(out / "report.html", doc.html("sf_dynamics report"), overwrite=True)
    return md_path
