"""The :class:`Result` every solver returns: one labelled :class:`xarray.Dataset`, saved and loaded whole.

A Result holds its traces in an xarray Dataset with named dimensions:
``time`` (ps, from the excitation at t = 0) for every time series, ``emitter``
(per-emitter populations), ``class`` (spectral classes), ``polarization``
(x, y, z of triplet nanocrystals), ``single_shot`` (the single-shot traces
kept by sampling methods) and ``shot`` (one value per trajectory: delays,
peaks, half-emission times, photons per channel). Units are variable
attributes; the method, its parameters, the solver diagnostics and the
provenance (version, date, options, seed) are dataset attributes.

:meth:`Result.save` writes it to netCDF and :meth:`Result.load` reads it
back bit for bit, shot variables and nested diagnostics included. Files are
written atomically (a temporary file renamed into place only after the
write succeeded) and refuse to replace an existing file unless
``overwrite=True``. The CSV export (:meth:`Result.to_csv`) keeps the 1-D
traces with a header holding the row count and a CRC-32 checksum, so
:meth:`Result.from_csv` detects a truncated or edited file.
"""

from __future__ import annotations

import io
import json
import zlib
from collections.abc import MutableMapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ._io import atomic_path, flat_attrs, jsonable, provenance, write_netcdf

__all__ = ["Result", "QutipStyleResult", "DATA_DIMS", "SHOT_VARIABLES"]

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

#: named dimensions of the multi-dimensional time series (first axis: time)
DATA_DIMS = {
    "populations": ("time", "emitter"),
    "class_populations": ("time", "class"),
    "intensity_by_polarization": ("time", "polarization"),
    "single_shots": ("time", "single_shot"),
}

#: per-trajectory quantities of the sampling methods (dimension ``shot``), with their units
SHOT_VARIABLES = {
    "shot_delays": "ps",
    "shot_peaks": "photons/ps",
    "shot_half_times": "ps",
    "photons_collective": "photons",
    "photons_local": "photons",
    "shot_photons": "photons",
}

_CSV_MAGIC = "# sf_dynamics result: "
_ROLE = "sf_role"           # variable attribute: "trace" (time series) or "shot" (per trajectory)
_COMPLEX = "sf_complex"     # attribute of the real part of a complex variable split for netCDF
_JSON_ATTRS = ("parameters", "info", "provenance")
#: info entries of an interrupted sampling run that every file states beside the provenance
_COMPLETION = ("partial", "trajectories_done", "trajectories_requested")
_RESERVED = frozenset({"time", "intensity", "excitation"})


@dataclass
class QutipStyleResult:
    """A :class:`Result` laid out as QuTiP's solver result (see :meth:`Result.to_qutip`)."""

    times: list
    expect: list
    e_data: dict
    states: list
    stats: dict
    solver: str


def _encode(value):
    """JSON-ready form of a diagnostics value that :func:`_decode` turns back into the same value and type."""
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value):
            return {k: _encode(v) for k, v in value.items()}
        return {"__items__": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if isinstance(value, tuple):
        return {"__tuple__": [_encode(v) for v in value]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, np.ndarray):
        parts = [value.real.ravel().tolist(), value.imag.ravel().tolist()] if np.iscomplexobj(value) else (
            value.ravel().tolist())
        return {"__ndarray__": parts, "dtype": str(value.dtype), "shape": list(value.shape)}
    if isinstance(value, np.generic):
        return {"__scalar__": _encode(value.item()), "dtype": str(value.dtype)}
    if isinstance(value, complex):
        return {"__complex__": [value.real, value.imag]}
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    return repr(value)


def _decode(value):
    if isinstance(value, dict):
        if "__ndarray__" in value:
            dtype, shape = np.dtype(value["dtype"]), value.get("shape")
            if dtype.kind == "c":
                real, imag = value["__ndarray__"]
                arr = (np.asarray(real, dtype=np.float64) + 1j * np.asarray(imag, dtype=np.float64)).astype(dtype)
            else:
                arr = np.asarray(value["__ndarray__"], dtype=dtype)
            return arr.reshape(shape) if shape is not None else arr
        if "__scalar__" in value:
            return np.dtype(value["dtype"]).type(_decode(value["__scalar__"]))
        if "__complex__" in value:
            return complex(*value["__complex__"])
        if "__tuple__" in value:
            return tuple(_decode(v) for v in value["__tuple__"])
        if "__items__" in value:
            return {_decode(k): _decode(v) for k, v in value["__items__"]}
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def _units(key):
    return SHOT_VARIABLES.get(key) or _UNITS.get(key, _UNITS.get(key.split("_")[0], ""))


def _trace_dims(key, ndim):
    if ndim == 1:
        return ("time",)
    dims = DATA_DIMS.get(key)
    if dims is None or len(dims) != ndim:
        raise ValueError(f"data[{key!r}]: a {ndim}-D time series needs named dimensions; known: {DATA_DIMS}")
    return dims


def _trace_variable(key, value, nt):
    if key in _RESERVED or key in SHOT_VARIABLES:
        raise ValueError(f"data[{key!r}]: {key!r} is not a further time series (reserved: "
                         f"{sorted(_RESERVED)}; per-shot arrays go in info)")
    arr = np.asarray(value)
    if arr.shape[:1] != (nt,):
        raise ValueError(f"data[{key!r}] must have {nt} rows (one per time), got shape {arr.shape}")
    return _trace_dims(key, arr.ndim), arr, {"units": _units(key), _ROLE: "trace"}


def _shot_variable(key, value):
    arr = np.asarray(value)
    if arr.ndim != 1:
        raise ValueError(f"info[{key!r}] must hold one value per shot (1-D), got shape {arr.shape}")
    return "shot", arr, {"units": _units(key), _ROLE: "shot"}


class _Traces(MutableMapping):
    """``result.data``: the time series beyond intensity and excitation, read from and written to the Dataset."""

    def __init__(self, result):
        self._result = result

    def _names(self):
        return [k for k, v in self._result.dataset.variables.items() if v.attrs.get(_ROLE) == "trace"]

    def __getitem__(self, key):
        if key not in self._names():
            raise KeyError(key)
        return self._result.dataset[key].values

    def __setitem__(self, key, value):
        self._result._set_trace(key, value)

    def __delitem__(self, key):
        if key not in self._names():
            raise KeyError(key)
        self._result.dataset = self._result.dataset.drop_vars(key)

    def __iter__(self):
        return iter(self._names())

    def __len__(self):
        return len(self._names())

    def __repr__(self):
        return f"data({self._names()})"


class _Info(MutableMapping):
    """``result.info``: solver diagnostics (dataset attribute) and per-shot arrays (variables on ``shot``)."""

    def __init__(self, result):
        self._result = result

    @property
    def _scalars(self):
        return self._result.dataset.attrs["info"]

    def _shots(self):
        return [k for k, v in self._result.dataset.variables.items() if v.attrs.get(_ROLE) == "shot"]

    def __getitem__(self, key):
        if key in self._shots():
            return self._result.dataset[key].values
        return self._scalars[key]

    def __setitem__(self, key, value):
        if key in SHOT_VARIABLES:
            self._result._set_shot(key, value)
        else:
            self._scalars[key] = value

    def __delitem__(self, key):
        if key in self._shots():
            self._result.dataset = self._result.dataset.drop_vars(key)
        else:
            del self._scalars[key]

    def __iter__(self):
        return iter([*self._scalars, *self._shots()])

    def __len__(self):
        return len(self._scalars) + len(self._shots())

    def __repr__(self):
        return repr(dict(self))


class Result:
    """Time traces of one simulation, its single shots and the parameters that produced them.

    Parameters
    ----------
    times, intensity, excitation : array_like, shape (nt,)
        Output times (ps), photon emission rate (photons/ps) and number of excitations.
    method : str
        Name of the solver.
    parameters : dict
        Ensemble parameters, initial state and solver settings used.
    data : dict of str -> array_like, optional
        Further time series (first axis time); multi-dimensional ones need a
        named layout in :data:`DATA_DIMS`.
    info : dict, optional
        Solver diagnostics; the per-shot arrays named in :data:`SHOT_VARIABLES`
        become variables on the ``shot`` dimension.
    provenance : dict, optional
    states : list of qutip.Qobj, optional
        Density matrices at the output times (``exact`` with ``store_states``;
        kept in memory only, not saved).

    Attributes
    ----------
    dataset : xarray.Dataset
        Everything above, labelled (see the module docstring).
    times, intensity, excitation : ndarray
    data : mapping
        Time series by name (``coherence``, ``g2``, ``intensity_sem``, ``single_shots``, ...).
    info : mapping
        Diagnostics (wall time in s, steps, ...) and per-shot arrays (``shot_delays``, ...).
    parameters, provenance : dict

    Raises
    ------
    ValueError
        When a series does not have one row per time, or a multi-dimensional
        series has no named layout.
    """

    def __init__(self, times, intensity, excitation, method, parameters, data=None, info=None, provenance=None,
                 states=None):
        import xarray as xr

        times = np.asarray(times, dtype=np.float64)
        intensity = np.asarray(intensity, dtype=np.float64)
        excitation = np.asarray(excitation, dtype=np.float64)
        nt = times.shape[0]
        if intensity.shape != (nt,) or excitation.shape != (nt,):
            raise ValueError(
                "intensity and excitation must have the shape of times "
                f"{(nt,)}, got {intensity.shape} and {excitation.shape}"
            )
        variables = {"intensity": ("time", intensity, {"units": _UNITS["intensity"]}),
                     "excitation": ("time", excitation, {"units": _UNITS["excitation"]})}
        for key, value in (data or {}).items():
            variables[key] = _trace_variable(key, value, nt)
        scalars = {}
        for key, value in (info or {}).items():
            if key in SHOT_VARIABLES:
                variables[key] = _shot_variable(key, value)
            else:
                scalars[key] = value
        self.dataset = xr.Dataset(variables, coords={"time": ("time", times, {"units": "ps"})},
                                  attrs={"method": str(method), "parameters": dict(parameters), "info": scalars,
                                         "provenance": dict(provenance or {})})
        if states is not None and len(states) != nt:
            raise ValueError(f"states must hold one state per time ({nt}), got {len(states)}")
        self.states = None if states is None else list(states)

    # -- the Dataset's parts ------------------------------------------------------
    def _set_trace(self, key, value):
        self.dataset[key] = _trace_variable(key, value, self.times.shape[0])

    def _set_shot(self, key, value):
        self.dataset[key] = _shot_variable(key, value)

    @property
    def times(self) -> np.ndarray:
        """Output times (ps), measured from the excitation at t = 0."""
        return self.dataset["time"].values

    @property
    def intensity(self) -> np.ndarray:
        """Photon emission rate I(t) = sum_ij Gamma_ij <s+_i s-_j> (photons/ps)."""
        return self.dataset["intensity"].values

    @property
    def excitation(self) -> np.ndarray:
        """Number of excitations sum_i <s+_i s-_i>."""
        return self.dataset["excitation"].values

    @property
    def method(self) -> str:
        """Name of the solver that produced the result."""
        return self.dataset.attrs["method"]

    @property
    def parameters(self) -> dict:
        """Ensemble parameters, initial state and solver settings used."""
        return self.dataset.attrs["parameters"]

    @property
    def provenance(self) -> dict:
        """Package version, creation date (UTC), method, options and seed."""
        return self.dataset.attrs["provenance"]

    @provenance.setter
    def provenance(self, value):
        self.dataset.attrs["provenance"] = dict(value or {})

    @property
    def data(self) -> _Traces:
        """Time series beyond intensity and excitation, by name (arrays whose first axis is time)."""
        return _Traces(self)

    @property
    def info(self) -> _Info:
        """Solver diagnostics and per-shot arrays (``shot_delays``, ``shot_peaks``, ...)."""
        return _Info(self)

    @property
    def expect(self) -> dict:
        """Every stored observable by name (``intensity``, ``excitation`` and each ``data`` entry), as in QuTiP's
        ``result.e_data``: arrays whose first axis is time."""
        return {"intensity": self.intensity, "excitation": self.excitation, **dict(self.data)}

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
        names = sorted(self.data)
        extra = f", data={names}" if names else ""
        shots = self.dataset.sizes.get("shot")
        extra += f", shots={shots}" if shots else ""
        return (
            f"Result(method={self.method!r}, n={self.parameters.get('n')}, "
            f"nt={self.times.size}, t=[{self.times[0]:g}, {self.times[-1]:g}] ps{extra})"
        )

    def take_times(self, index) -> Result:
        """A Result restricted to the output times selected by ``index`` (slice, int array or mask).

        Every time series is cut along ``time``; per-shot variables, parameters,
        info and provenance are kept (copies of the dicts).
        """
        positions = np.arange(self.times.size)[index]
        if np.ndim(positions) != 1 or np.size(positions) < 1:
            raise ValueError("index must select a non-empty 1-D set of output times")
        out = object.__new__(Result)
        out.dataset = self.dataset.isel(time=positions)
        out.dataset.attrs = {key: dict(value) if isinstance(value, dict) else value
                             for key, value in self.dataset.attrs.items()}
        out.states = None if self.states is None else [self.states[i] for i in positions]
        return out

    # -- export -----------------------------------------------------------------
    def _metadata(self) -> dict:
        meta = {"method": self.method, "parameters": jsonable(self.parameters), "provenance": jsonable(
            self.provenance or provenance(method=self.method))}
        scalars = self.dataset.attrs["info"]
        if "partial" in scalars:        # an interrupted run says so in every file, with how far it got
            meta["completion"] = {key: jsonable(scalars[key]) for key in _COMPLETION if key in scalars}
        return meta

    def to_xarray(self):
        """The result as a labelled :class:`xarray.Dataset` (a copy) with flat attributes.

        Dimensions as in the module docstring; the internal bookkeeping
        attributes are dropped, parameters and provenance become flat attributes
        (nested values as JSON, provenance keys prefixed ``provenance_``); a
        sampling run's ``partial`` flag and trajectory counts from its info
        are attributes too (``partial`` as 0 or 1).
        """
        ds = self.dataset.copy()
        for var in ds.data_vars.values():
            var.attrs = {k: v for k, v in var.attrs.items() if k != _ROLE}
        meta = self._metadata()
        ds.attrs = {"method": self.method, **flat_attrs(meta["parameters"]),
                    **flat_attrs(meta["provenance"], prefix="provenance_")}
        for key, value in meta.get("completion", {}).items():
            ds.attrs[key] = int(value) if isinstance(value, bool) else value
        return ds

    def save(self, path, *, overwrite=False) -> Path:
        """Write the whole result to a netCDF file (atomically); :meth:`load` reads it back bit for bit.

        Complex series are stored as ``<key>_real`` / ``<key>_imag``;
        parameters, diagnostics and provenance as JSON attributes (and flat
        attributes for other readers). Stored density matrices are not saved.

        The file is built in memory and written with plain file I/O
        (:func:`sf_dynamics._io.write_netcdf`): a full disk raises OSError
        naming ``path`` and leaves no file.

        Raises
        ------
        FileExistsError
            If ``path`` exists and ``overwrite`` is False.
        OSError
            If the file could not be written (disk full, no permission).
        """
        import xarray as xr

        flat = self.to_xarray()
        variables = {}
        for name, var in flat.data_vars.items():      # in order; a complex series as two real ones in its place
            attrs = dict(var.attrs)
            if _ROLE in self.dataset[name].attrs:
                attrs[_ROLE] = self.dataset[name].attrs[_ROLE]
            if np.iscomplexobj(var.values):
                variables[f"{name}_real"] = (var.dims, var.values.real, {**attrs, _COMPLEX: name})
                variables[f"{name}_imag"] = (var.dims, var.values.imag, {"units": attrs.get("units", "")})
            else:
                variables[name] = (var.dims, var.values, attrs)
        ds = xr.Dataset(variables, coords=flat.coords, attrs=flat.attrs)
        ds.attrs["sf_method"] = self.method
        for key in _JSON_ATTRS:
            ds.attrs[f"sf_{key}_json"] = json.dumps(_encode(self.dataset.attrs[key]))
        return write_netcdf(ds, path, overwrite=overwrite)

    def to_netcdf(self, path, *, overwrite=False) -> Path:
        """Alias of :meth:`save` (netCDF with every series, shots and provenance)."""
        return self.save(path, overwrite=overwrite)

    @classmethod
    def load(cls, path) -> Result:
        """Read a file written by :meth:`save` (or :meth:`to_netcdf`): the same Result, bit for bit.

        Raises
        ------
        ValueError
            If the file is not a saved Result.
        """
        import xarray as xr

        path = Path(path)
        if not path.is_file():
            raise ValueError(f"path {str(path)!r} is not a file")
        with xr.open_dataset(path) as stored:
            ds = stored.load()
        if "sf_method" not in ds.attrs or not all(f"sf_{key}_json" in ds.attrs for key in _JSON_ATTRS):
            raise ValueError(f"path {str(path)!r} is not a netCDF file written by Result.save")
        attrs = {key: _decode(json.loads(ds.attrs[f"sf_{key}_json"])) for key in _JSON_ATTRS}
        out = object.__new__(cls)
        out.states = None
        variables = {}
        for name, var in ds.data_vars.items():
            if name.endswith("_imag") and name[:-5] + "_real" in ds and _COMPLEX in ds[name[:-5] + "_real"].attrs:
                continue
            attrs_v = dict(var.attrs)
            values = var.values
            if _COMPLEX in attrs_v:
                base = attrs_v.pop(_COMPLEX)
                values = values + 1j * ds[base + "_imag"].values
                name = base
            variables[name] = (var.dims, values, attrs_v)
        out.dataset = xr.Dataset(variables, coords={"time": ("time", ds["time"].values, {"units": "ps"})},
                                 attrs={"method": str(ds.attrs["sf_method"]), **attrs})
        return out

    def to_csv(self, path, *, overwrite=False) -> Path:
        """Write the 1-D traces to a CSV file (atomically) with a metadata header.

        Columns: ``time_ps``, ``intensity``, ``excitation`` and every 1-D
        entry of :attr:`data` (complex ones as ``<key>_real``, ``<key>_imag``).
        The first line holds the method, parameters, provenance, the
        ``completion`` of an interrupted sampling run (``partial``,
        ``trajectories_done``, ``trajectories_requested``), the number of data
        rows, a CRC-32 of the table and the names of 2-D data and shot
        variables that a CSV cannot hold (write those with :meth:`save`).
        Read back with :meth:`from_csv`.

        Raises
        ------
        FileExistsError
            If ``path`` exists and ``overwrite`` is False.
        OSError
            If the file could not be written (disk full, no permission).
        """
        cols = {"intensity": self.intensity, "excitation": self.excitation}
        for key, value in self.data.items():
            if value.ndim != 1:
                continue
            if np.iscomplexobj(value):
                cols[f"{key}_real"], cols[f"{key}_imag"] = value.real, value.imag
            else:
                cols[key] = value
        buffer = io.StringIO()
        buffer.write(",".join(["time_ps", *cols]) + "\n")
        np.savetxt(buffer, np.column_stack([self.times, *cols.values()]), delimiter=",", fmt="%.17g")
        table = buffer.getvalue()
        meta = self._metadata()
        meta["rows"] = int(self.times.size)
        meta["crc32"] = zlib.crc32(table.encode("utf-8"))
        not_in_csv = {key: list(var.shape) for key, var in self.dataset.data_vars.items()
                      if var.dims != ("time",)}
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
                   info=meta.get("completion"), provenance=meta.get("provenance"))
