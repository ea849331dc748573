"""Reading measured traces: the text and CSV files instruments and spreadsheets write."""

from __future__ import annotations

import codecs
from pathlib import Path

import numpy as np

from .._validation import check_real

__all__ = ["load_trace"]


def _decode(raw: bytes, path) -> str:
    if raw.startswith(codecs.BOM_UTF16_LE) or raw.startswith(codecs.BOM_UTF16_BE):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _split(line: str, delimiter):
    return line.split() if delimiter is None else line.split(delimiter)


def _sniff(line: str):
    """(delimiter, decimal) of a data line: ';' or tab with decimal commas, ',' , or whitespace."""
    if ";" in line:
        return ";", ","
    if "\t" in line:
        return "\t", ","
    if "," in line:
        return ",", "."
    return None, ","


#: time units a header may name for the time column, in ps
HEADER_TIME_UNITS = {"fs": 1e-3, "ps": 1.0, "ns": 1e3, "us": 1e6, "µs": 1e6, "μs": 1e6, "ms": 1e9}


def _header_unit(cell):
    """Picoseconds per unit named in a header cell ("time_ns", "Zeit (µs)", "t [ps]"), or None."""
    import re

    words = re.split(r"[\s_()\[\]/,;:]+", cell.strip().strip('"').lower())
    found = {HEADER_TIME_UNITS[w] for w in words if w in HEADER_TIME_UNITS}
    return found.pop() if len(found) == 1 else None


def load_trace(path, *, time_column=0, intensity_column=1, delimiter="auto", decimal="auto", time_unit_ps=None,
               skip_header=None):
    """Read (times in ps, intensity) from a text/CSV file.

    Handles what instruments and spreadsheets write: a UTF-8 byte-order mark,
    UTF-16 or latin-1 text, comma / semicolon / tab / whitespace separated
    columns, decimal commas (with ';' or tab separators), '#' comment lines
    and a non-numeric header line.

    Parameters
    ----------
    path : str or Path
        The file.
    time_column, intensity_column : int
        Zero-based column indices.
    delimiter : str, None or "auto"
        Column separator; None = whitespace; "auto" (default) detects it
        from the first data line.
    decimal : {".", ",", "auto"}
        Decimal mark; "auto" takes ',' when the separator is ';', tab or
        whitespace and the numbers contain commas.
    time_unit_ps : float, optional
        Picoseconds per time unit of the file (1000 for ns). Default: the unit the header names for the time
        column (fs, ps, ns, us/µs, ms as in "time_ns", "Zeit (µs)", "t [ps]"), else ps. A value that
        contradicts the header is refused.
    skip_header : int, optional
        Lines to skip after comments; default: 1 if the first line is not
        numeric, else 0.

    Returns
    -------
    times : ndarray (ps), strictly increasing
    intensity : ndarray

    Raises
    ------
    ValueError
        For a missing file, a directory, an empty or header-only file, a
        column index out of range, a non-numeric value or a row with another number of columns (the line is
        named), a time unit that contradicts the header, or times that do not increase.
    """
    path = Path(path)
    if not path.exists():
        raise ValueError(f"path {str(path)!r} does not exist")
    if path.is_dir():
        raise ValueError(f"path {str(path)!r} is a directory, not a trace file")
    unit = None if time_unit_ps is None else check_real("time_unit_ps", time_unit_ps, low=0.0, low_open=True)
    text = _decode(path.read_bytes(), path)
    numbered = [(i + 1, ln.strip()) for i, ln in enumerate(text.splitlines())]
    lines = [(k, ln) for k, ln in numbered if ln and not ln.startswith("#")]
    if not lines:
        raise ValueError(f"path {str(path)!r} holds no data rows (empty or comments only)")
    # the separator from a line in the middle of the data: not the header, not a last line cut short
    probe = lines[len(lines) // 2][1]
    auto_delim, auto_decimal = _sniff(probe)
    delim = auto_delim if delimiter == "auto" else delimiter
    if decimal == "auto":
        decimal = auto_decimal if delim in (";", "\t", None) and "," in probe else "."
    if decimal not in (".", ","):
        raise ValueError(f"decimal must be '.', ',' or 'auto', got {decimal!r}")

    def parse(line):
        cells = [c.strip().strip('"') for c in _split(line, delim)]
        if decimal == ",":
            cells = [c.replace(",", ".") for c in cells]
        return [float(c) for c in cells if c != ""]

    if skip_header is None:
        try:
            parse(lines[0][1])
            skip_header = 0
        except ValueError:
            skip_header = 1
    rows = []
    for number, line in lines[skip_header:]:
        try:
            rows.append(parse(line))
        except ValueError:
            raise ValueError(f"path {str(path)!r}, line {number}: not a row of numbers: {line[:60]!r}") from None
    if not rows:
        raise ValueError(f"path {str(path)!r} holds a header but no data rows")
    counts = [len(r) for r in rows]
    width = max(set(counts), key=counts.count)
    for (number, line), count in zip(lines[skip_header:], counts):
        if count != width:
            raise ValueError(f"path {str(path)!r}, line {number}: {count} values where the other rows have {width} "
                             f"(a ragged or cut row): {line[:60]!r}")
    for name, col in (("time_column", time_column), ("intensity_column", intensity_column)):
        if isinstance(col, bool) or not isinstance(col, (int, np.integer)) or not -width <= col < width:
            raise ValueError(f"{name} = {col!r} is out of range: {str(path)!r} has {width} columns")
    header = _split(lines[skip_header - 1][1], delim) if skip_header else []
    named = _header_unit(header[time_column]) if -len(header) <= time_column < len(header) else None
    if unit is None:
        unit = named if named is not None else 1.0
    elif named is not None and not np.isclose(unit, named, rtol=1e-12):
        raise ValueError(f"time_unit_ps = {unit:g} contradicts the header of {str(path)!r}, whose time column "
                         f"is in units of {named:g} ps")
    table = np.array(rows, dtype=np.float64)
    t = table[:, time_column] * unit
    y = table[:, intensity_column]
    if not np.all(np.isfinite(t)) or not np.all(np.isfinite(y)):
        raise ValueError(f"path {str(path)!r} holds non-finite values (nan or inf)")
    if t.size >= 2 and np.any(np.diff(t) <= 0):
        raise ValueError(f"path {str(path)!r}: the times (column {time_column}) must be strictly increasing")
    return t, y
