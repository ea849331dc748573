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


def load_trace(path, *, time_column=0, intensity_column=1, delimiter="auto", decimal="auto", time_unit_ps=1.0,
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
    time_unit_ps : float
        Picoseconds per time unit of the file (1000 for ns).
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
        column index out of range, a non-numeric value (the line is named) or
        times that do not increase.
    """
    path = Path(path)
    if not path.exists():
        raise ValueError(f"path {str(path)!r} does not exist")
    if path.is_dir():
        raise ValueError(f"path {str(path)!r} is a directory, not a trace file")
    unit = check_real("time_unit_ps", time_unit_ps, low=0.0, low_open=True)
    text = _decode(path.read_bytes(), path)
    numbered = [(i + 1, ln.strip()) for i, ln in enumerate(text.splitlines())]
    lines = [(k, ln) for k, ln in numbered if ln and not ln.startswith("#")]
    if not lines:
        raise ValueError(f"path {str(path)!r} holds no data rows (empty or comments only)")
    auto_delim, auto_decimal = _sniff(lines[-1][1])
    delim = auto_delim if delimiter == "auto" else delimiter
    if decimal == "auto":
        decimal = auto_decimal if delim in (";", "\t", None) and "," in lines[-1][1] else "."
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
    width = min(len(r) for r in rows)
    for name, col in (("time_column", time_column), ("intensity_column", intensity_column)):
        if isinstance(col, bool) or not isinstance(col, (int, np.integer)) or not -width <= col < width:
            raise ValueError(f"{name} = {col!r} is out of range: {str(path)!r} has {width} columns")
    table = np.array([r[:width] for r in rows], dtype=np.float64)
    t = table[:, time_column] * unit
    y = table[:, intensity_column]
    if not np.all(np.isfinite(t)) or not np.all(np.isfinite(y)):
        raise ValueError(f"path {str(path)!r} holds non-finite values (nan or inf)")
    if t.size >= 2 and np.any(np.diff(t) <= 0):
        raise ValueError(f"path {str(path)!r}: the times (column {time_column}) must be strictly increasing")
    return t, y
