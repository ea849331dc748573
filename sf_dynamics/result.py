"""The :class:`Result` every solver returns, with xarray, netCDF and CSV export.

Files are written atomically (a temporary file renamed into place only
after the write succeeded) and refuse to replace an existing file unless
``overwrite=True``. Every file records the provenance of the result:
package version, creation date, method, options and seed. The CSV header
also stores the number of data rows and a CRC-32 checksum of the table, so
:meth:`Result.from_csv` detects a truncated or edited file instead of
reading part of it.
"""

from __future__ import annotations

import io
import json
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ._io import atomic_path, jsonable, provenance

__all__ = ["Result", "QutipStyleResult"]

_UNITS = {
    "time": "ps",
    "intensity": "photons/ps",
    "excitation": "excitations",
    "coherence": "dimensionless (<J->)",
    "single": "photons/ps",
    "populations": "excitation probability",
    "class": "excitation probability",
    "forward": "photons/ps",
    "trace": "probability",
    "g2": "dimensionless (collective channel, equal time)",
    "pair": "photon pairs/ps^2 (Gamma_c^2 <J+ J+ J- J->)",
    "collective": "photons/ps (Gamma_c <J+ J->)",
}

_CSV_MAGIC = "# sf_dynamics result: "


@dataclass
class QutipStyleResult:
    """A :class:`Result` laid out as QuTiP's solver result (see :meth:`Result.to_qutip`)."""

    times: list
    expect: list
    e_data: dict
    states: list
    stats: dict
    solver: str


class Result:
    """Time traces of one simulation and the parameters that produced them.

    Attributes
    ----------
    times : ndarray, shape (nt,)
        Output times (ps), measured from the excitation at t = 0.
    intensity : ndarray, shape (nt,)
        Photon emission rate I(t) = sum_ij Gamma_ij <s+_i s-_j> (photons/ps).
    excitation : ndarray, shape (nt,)
        Number of excitations sum_i <s+_i s-_i>.
    method : str
        Name of the solver that produced the result.
    parameters : dict
        Ensemble parameters, initial state and solver settings used.
    data : dict of str -> ndarray
        Further time series a method provides (e.g. ``coherence`` = <J->,
        complex; statistical errors ``intensity_sem`` for sampling methods),
        each of shape (nt,) or (nt, ...).
    info : dict
        Solver diagnostics (wall time in s, number of steps, ...).
    provenance : dict
        Package version, creation date (UTC), method, options and seed.
    states : list of qutip.Qobj or None
        Density matrices at the output times, when a method was asked to store
        them (``exact`` with ``store_states=True``); None otherwise.
    """

    def __init__(self, times, intensity, excitation, method, parameters, data=None, info=None, provenance=None,
                 states=None):
        self.times = np.asarray(times, dtype=np.float64)
        self.intensity = np.asarray(intensity, dtype=np.float64)
        self.excitation = np.asarray(excitation, dtype=np.float64)
        nt = self.times.shape[0]
        if self.intensity.shape != (nt,) or self.excitation.shape != (nt,):
            raise ValueError(
                "intensity and excitation must have the shape of times "
                f"{(nt,)}, got {self.intensity.shape} and {self.excitation.shape}"
            )
        self.method = str(method)
        self.parameters = dict(parameters)
        self.data = {}
        for key, value in (data or {}).items():
            arr = np.asarray(value)
            if arr.shape[:1] != (nt,):
                raise ValueError(f"data[{key!r}] must have {nt} rows (one per time), got shape {arr.shape}")
            self.data[key] = arr
        self.info = dict(info or {})
        self.provenance = dict(provenance or {})
        if states is not None and len(states) != nt:
            raise ValueError(f"states must hold one state per time ({nt}), got {len(states)}")
        self.states = None if states is None else list(states)

    @property
    def expect(self) -> dict:
        """Every stored observable by name (``intensity``, ``excitation`` and each ``data`` entry), as in QuTiP's
        ``result.e_data``: arrays whose first axis is time."""
        return {"intensity": self.intensity, "excitation": self.excitation, **self.data}

    def to_qutip(self) -> QutipStyleResult:
        """The result in the shape of a ``qutip.solver.Result``: ``times``, ``expect`` (list), ``e_data``
        (dict), ``states`` (list, empty unless stored) and ``stats`` (the solver's info)."""
        e_data = self.expect
        return QutipStyleResult(times=list(self.times), expect=list(e_data.values()), e_data=e_data,
                                states=list(self.states or []), stats=dict(self.info),
                                solver=f"sf_dynamics {self.method}")

    @property
    def n(self) -> int:
        """Number of emitters."""
        return int(self.parameters["n"])

    def __getitem__(self, key):
        if key in ("times", "intensity", "excitation"):
            return getattr(self, key)
        return self.data[key]

    def __repr__(self) -> str:
        extra = f", data={sorted(self.data)}" if self.data else ""
        return (
            f"Result(method={self.method!r}, n={self.parameters.get('n')}, "
            f"nt={self.times.size}, t=[{self.times[0]:g}, {self.times[-1]:g}] ps{extra})"
        )

    def take_times(self, index) -> Result:
        """A Result restricted to the output times selected by ``index`` (slice, int array or mask).

        Every time series (intensity, excitation and each entry of ``data``)
        is cut along its first axis; parameters, info and provenance are
        shared.
        """
        times = self.times[index]
        if times.ndim != 1 or times.size < 1:
            raise ValueError("index must select a non-empty 1-D set of output times")
        data = {key: value[index] for key, value in self.data.items()}
        states = None if self.states is None else [self.states[i] for i in np.arange(self.times.size)[index]]
        return Result(times, self.intensity[index], self.excitation[index], self.method, self.parameters, data,
                      self.info, self.provenance, states)

    # -- export -----------------------------------------------------------------
    def _columns(self) -> dict:
        cols = {"intensity": self.intensity, "excitation": self.excitation}
        for key, value in self.data.items():
            if value.ndim != 1:
                continue
            if np.iscomplexobj(value):
                cols[f"{key}_real"] = value.real
                cols[f"{key}_imag"] = value.imag
            else:
                cols[key] = value
        return cols

    def _metadata(self) -> dict:
        return {"method": self.method, "parameters": jsonable(self.parameters), "provenance": jsonable(
            self.provenance or provenance(method=self.method))}

    def to_xarray(self):
        """Return the traces as an :class:`xarray.Dataset` on a ``time`` coordinate (ps).

        Multi-dimensional entries of :attr:`data` keep their extra axes as
        dimensions named ``<key>_dim1``, ... (``shot`` for single shots);
        parameters and provenance go into ``attrs`` (nested values as JSON).
        """
        import xarray as xr

        variables = {
            "intensity": ("time", self.intensity, {"units": _UNITS["intensity"]}),
            "excitation": ("time", self.excitation, {"units": _UNITS["excitation"]}),
        }
        for key, value in self.data.items():
            if key == "single_shots" and value.ndim == 2:
                dims = ("time", "shot")
            else:
                dims = ("time",) + tuple(f"{key}_dim{i}" for i in range(1, value.ndim))
            variables[key] = (dims, value, {"units": _UNITS.get(key.split("_")[0], "")})
        meta = self._metadata()
        attrs = {"method": self.method}
        for source in (meta["parameters"], {f"provenance_{k}": v for k, v in meta["provenance"].items()}):
            for key, value in source.items():
                attrs[key] = value if isinstance(value, (int, float, str)) and not isinstance(value, bool) else (
                    json.dumps(value))
        return xr.Dataset(variables, coords={"time": ("time", self.times, {"units": "ps"})}, attrs=attrs)

    def to_netcdf(self, path, *, overwrite=False) -> Path:
        """Write every time series, 2-D data included, to a netCDF file (atomically).

        Complex series are stored as ``<key>_real`` / ``<key>_imag``.

        Raises
        ------
        FileExistsError
            If ``path`` exists and ``overwrite`` is False.
        """
        ds = self.to_xarray()
        for name in list(ds.data_vars):
            if np.iscomplexobj(ds[name].values):
                ds[f"{name}_real"] = ds[name].real
                ds[f"{name}_imag"] = ds[name].imag
                ds = ds.drop_vars(name)
        with atomic_path(path, overwrite=overwrite) as tmp:
            ds.to_netcdf(tmp)
        return Path(path)

    def to_csv(self, path, *, overwrite=False) -> Path:
        """Write the 1-D traces to a CSV file (atomically) with a metadata header.

        Columns: ``time_ps``, ``intensity``, ``excitation`` and every 1-D
        entry of :attr:`data` (complex ones as ``<key>_real``, ``<key>_imag``).
        The first line holds the method, parameters, provenance, the number
        of data rows, a CRC-32 of the table and the names of 2-D data that a
        CSV cannot hold (write those with :meth:`to_netcdf`). Read back with
        :meth:`from_csv`.

        Raises
        ------
        FileExistsError
            If ``path`` exists and ``overwrite`` is False.
        """
        cols = self._columns()
        buffer = io.StringIO()
        buffer.write(",".join(["time_ps", *cols]) + "\n")
        np.savetxt(buffer, np.column_stack([self.times, *cols.values()]), delimiter=",", fmt="%.17g")
        table = buffer.getvalue()
        meta = self._metadata()
        meta["rows"] = int(self.times.size)
        meta["crc32"] = zlib.crc32(table.encode("utf-8"))
        not_in_csv = {key: list(value.shape) for key, value in self.data.items() if value.ndim != 1}
        if not_in_csv:
            meta["not_in_csv"] = {"arrays": not_in_csv, "note": "multi-dimensional data; use Result.to_netcdf"}
        with atomic_path(path, overwrite=overwrite) as tmp:
            with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(_CSV_MAGIC + json.dumps(meta) + "\n")
                fh.write(table)
        return Path(path)

    @classmethod
    def from_csv(cls, path) -> Result:
        """Read a file written by :meth:`to_csv`, checking its row count and checksum.

        Raises
        ------
        ValueError
            If the file is not such a CSV, or was truncated or altered after
            it was written.
        """
        path = Path(path)
        if not path.is_file():
            raise ValueError(f"path {str(path)!r} is not a file")
        with path.open(encoding="utf-8", newline="") as fh:
            first = fh.readline()
            if not first.startswith(_CSV_MAGIC):
                raise ValueError(f"path {str(path)!r} is not a CSV written by Result.to_csv")
            try:
                meta = json.loads(first[len(_CSV_MAGIC):])
            except json.JSONDecodeError as exc:
                raise ValueError(f"path {str(path)!r}: the metadata line is damaged ({exc})") from None
            table = fh.read()
        if "crc32" in meta and zlib.crc32(table.encode("utf-8")) != meta["crc32"]:
            rows = max(table.count("\n") - 1, 0)
            raise ValueError(
                f"path {str(path)!r} is damaged or truncated: its checksum does not match the header "
                f"({rows} data rows found, {meta.get('rows')} written)"
            )
        lines = table.splitlines()
        names = lines[0].strip().split(",")
        body = np.loadtxt(lines[1:], delimiter=",", ndmin=2)
        if "rows" in meta and body.shape[0] != meta["rows"]:
            raise ValueError(f"path {str(path)!r} holds {body.shape[0]} rows but {meta['rows']} were written")
        cols = {name: body[:, i] for i, name in enumerate(names)}
        data = {}
        for name in names[3:]:
            if name.endswith("_real") and name[:-5] + "_imag" in cols:
                data[name[:-5]] = cols[name] + 1j * cols[name[:-5] + "_imag"]
            elif not (name.endswith("_imag") and name[:-5] + "_real" in cols):
                data[name] = cols[name]
        return cls(cols["time_ps"], cols["intensity"], cols["excitation"], meta["method"], meta["parameters"], data,
                   provenance=meta.get("provenance"))
