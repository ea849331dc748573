"""The :class:`Result` every solver returns, with xarray and CSV export."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

__all__ = ["Result"]

_UNITS = {
    "time": "ps",
    "intensity": "photons/ps",
    "excitation": "excitations",
    "coherence": "dimensionless (<J->)",
}


class Result:
    """Time traces of one simulation and the parameters that produced them.

    Attributes
    ----------
    times : ndarray, shape (nt,)
        Output times (ps).
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
    """

    def __init__(self, times, intensity, excitation, method, parameters, data=None, info=None):
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

    def to_xarray(self):
        """Return the traces as an :class:`xarray.Dataset` on a ``time`` coordinate (ps).

        Multi-dimensional entries of :attr:`data` keep their extra axes as
        dimensions named ``<key>_dim1``, ...; parameters go into ``attrs``.
        """
        import xarray as xr

        variables = {
            "intensity": ("time", self.intensity, {"units": _UNITS["intensity"]}),
            "excitation": ("time", self.excitation, {"units": _UNITS["excitation"]}),
        }
        for key, value in self.data.items():
            dims = ("time",) + tuple(f"{key}_dim{i}" for i in range(1, value.ndim))
            variables[key] = (dims, value, {"units": _UNITS.get(key.split("_")[0], "")})
        attrs = {"method": self.method}
        for key, value in self.parameters.items():
            attrs[key] = value if isinstance(value, (int, float, str)) else json.dumps(value, default=str)
        return xr.Dataset(variables, coords={"time": ("time", self.times, {"units": "ps"})}, attrs=attrs)

    def to_csv(self, path) -> Path:
        """Write the 1-D traces to a CSV file with ``# key: value`` metadata lines.

        Columns: ``time_ps``, ``intensity``, ``excitation`` and every 1-D
        entry of :attr:`data` (complex ones as ``<key>_real``, ``<key>_imag``).
        Read back with :meth:`from_csv`.
        """
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        cols = self._columns()
        header_meta = {"method": self.method, "parameters": self.parameters}
        with path.open("w", encoding="utf-8") as fh:
            fh.write(f"# sf_dynamics result: {json.dumps(header_meta, default=str)}\n")
            fh.write(",".join(["time_ps", *cols]) + "\n")
            table = np.column_stack([self.times, *cols.values()])
            np.savetxt(fh, table, delimiter=",", fmt="%.17g")
        return path

    @classmethod
    def from_csv(cls, path) -> "Result":
        """Read a file written by :meth:`to_csv`."""
        path = Path(path)
        with path.open(encoding="utf-8") as fh:
            first = fh.readline()
            if not first.startswith("# sf_dynamics result: "):
                raise ValueError(f"path {str(path)!r} is not a CSV written by Result.to_csv")
            meta = json.loads(first[len("# sf_dynamics result: ") :])
            names = fh.readline().strip().split(",")
            table = np.loadtxt(fh, delimiter=",", ndmin=2)
        cols = {name: table[:, i] for i, name in enumerate(names)}
        data = {}
        for name in names[3:]:
            if name.endswith("_real") and name[:-5] + "_imag" in cols:
                data[name[:-5]] = cols[name] + 1j * cols[name[:-5] + "_imag"]
            elif not (name.endswith("_imag") and name[:-5] + "_real" in cols):
                data[name] = cols[name]
        return cls(cols["time_ps"], cols["intensity"], cols["excitation"], meta["method"], meta["parameters"], data)
