"""The report's physical inputs (value, unit, source or status), the options that change them, and the one
:class:`~sf_dynamics.workflows.sample.Sample` every section builds its predictions from.

Every input has a built-in default with its source; ``sf-dynamics report --<name> value`` or a config file
(TOML or JSON, the same names) replaces it, and the report's parameter table then says "given" instead of
the source. Rates follow from the inputs: Gamma_1 = 1 / radiative lifetime, Gamma_c = collective fraction x
Gamma_1, gamma = Gamma_1 - Gamma_c, and the pure dephasing at the temperature from the homogeneous linewidth
model (:class:`~sf_dynamics.model.linewidth.LinewidthModel`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = ["PARAMETERS", "DESCRIPTIONS", "SAMPLE_INPUTS", "ReportInputs", "report_inputs", "read_config"]

#: the report's physical inputs: name -> (default, unit, source or status)
PARAMETERS = {
    "radiative_lifetime": (210.0, "ps", "single CsPbBr3-type QD at cryogenic temperature (Utzat et al., Science 363, "
                                       "1068 (2019))"),
    "temperature": (6.0, "K", "cryostat temperature of the superfluorescence experiments (Rainò et al. 2018); "
                              "sets the dephasing through the linewidth model (Gamma_0 = 16.5 ueV from the 80 ps "
                              "single-QD coherence time of Utzat et al. 2019, acoustic and LO phonon terms, "
                              "docs/physics.md)"),
    "collective_fraction": (0.3, "", "share of each NC's emission into the common mode of a point-like domain "
                                     "(assumption)"),
    "nanocrystals": (300, "NCs", "NCs of a coherently coupled domain (assumption; literature estimates of the "
                                 "coupled fraction span 1e-7 to 1e-3 of a superlattice)"),
    "coupled_fraction": (0.5, "", "share of the NCs in the probed spot that sit in coherent domains; the rest "
                                  "emit on their own (assumption)"),
    "pump_photon_energy": (3.1, "eV", "400 nm pump (typical)"),
    "cross_section": (5e-14, "cm^2", "absorption cross-section per NC at the pump wavelength (literature range "
                                     "1e-14 to 1e-13, assumption)"),
    "collection_efficiency": (0.1, "", "detection probability of a collective-channel photon (assumption; "
                                       "local-channel photons: a tenth of it)"),
    "irf_fwhm": (2.0, "ps", "streak-camera instrument response (typical; adjustable)"),
    "inhomogeneous_fwhm": (20.0, "meV", "spread of the uncoupled NCs' line energies, the width of their ensemble "
                                        "line (assumption)"),
    "slab_nanocrystals": (4e5, "NCs", "excited NCs of an extended, pencil-shaped sample (assumption)"),
    "forward_fraction": (1e-3, "", "share of emission into the end-fire mode, 3 lambda^2 / (8 pi A) (assumption)"),
    "lattice_constant": (12.0, "nm", "9.5 nm cubes + 2.5 nm ligands (literature range, unconfirmed)"),
    "wavelength": (515.0, "nm", "CsPbBr3 emission (literature range 510-520 nm)"),
    "seed": (0, "", "seed of every random draw of the report (shots, noise); recorded in each file"),
}

#: what each input is, in a few words (the option help)
DESCRIPTIONS = {
    "radiative_lifetime": "radiative lifetime of one NC, 1 / Gamma_1",
    "temperature": "sample temperature; sets the pure dephasing through the linewidth model",
    "collective_fraction": "share Gamma_c / Gamma_1 of each NC's emission into its domain's common mode",
    "nanocrystals": "NCs per coherent domain N_c",
    "coupled_fraction": "share of the NCs that sit in coherent domains",
    "pump_photon_energy": "pump photon energy E_ph",
    "cross_section": "absorption cross-section sigma per NC at the pump: p(F) = 1 - exp(-sigma F / E_ph)",
    "collection_efficiency": "detection probability of a collective-channel photon",
    "irf_fwhm": "FWHM of the streak camera's Gaussian response",
    "inhomogeneous_fwhm": "FWHM of the spread of the uncoupled NCs' line energies",
    "slab_nanocrystals": "excited NCs of the ringing slab (section 3)",
    "forward_fraction": "share of a slab NC's emission into the end-fire mode",
    "lattice_constant": "superlattice constant (dipole-dipole shift, thermal enhancement)",
    "wavelength": "emission wavelength",
    "seed": "seed of every random draw",
}

#: inputs that define the :class:`Sample` (the rest set the detection, the slab and the lattice)
SAMPLE_INPUTS = ("radiative_lifetime", "temperature", "collective_fraction", "nanocrystals", "coupled_fraction",
                 "pump_photon_energy", "cross_section", "inhomogeneous_fwhm")

#: allowed range of each input: (low, high, low open)
_RANGES = {
    "radiative_lifetime": (0.0, np.inf, True), "temperature": (0.0, np.inf, True),
    "collective_fraction": (0.0, 1.0, True), "nanocrystals": (2, 10**5, False), "coupled_fraction": (0.0, 1.0, False),
    "pump_photon_energy": (0.0, np.inf, True), "cross_section": (0.0, np.inf, True),
    "collection_efficiency": (0.0, 1.0, True), "irf_fwhm": (0.0, np.inf, True),
    "inhomogeneous_fwhm": (0.0, np.inf, False), "slab_nanocrystals": (1.0, np.inf, False),
    "forward_fraction": (0.0, 1.0, True), "lattice_constant": (0.0, np.inf, True), "wavelength": (0.0, np.inf, True),
    "seed": (0, 2**32 - 1, False),
}
_INTEGERS = ("nanocrystals", "seed")


def _checked(name, value):
    """``value`` of input ``name`` as a number in its allowed range (ValueError naming both otherwise)."""
    low, high, low_open = _RANGES[name]
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"report input {name!r} must be a number, got {value!r}") from None
    bad_low = number <= low if low_open else number < low
    if not np.isfinite(number) or bad_low or number > high:
        bracket = "(" if low_open else "["
        raise ValueError(f"report input {name!r} must be in {bracket}{low:g}, {high:g}] "
                         f"({PARAMETERS[name][1] or 'dimensionless'}), got {value!r}")
    if name in _INTEGERS:
        if number != round(number):
            raise ValueError(f"report input {name!r} must be an integer, got {value!r}")
        return int(round(number))
    return number


@dataclass(frozen=True)
class ReportInputs:
    """The values the report runs on: the defaults of :data:`PARAMETERS` with the given ones replaced.

    Attributes
    ----------
    values : dict
        name -> value (units of :data:`PARAMETERS`).
    given : tuple of str
        Names the user set (option or config file).
    """

    values: dict
    given: tuple = field(default=())

    def __getitem__(self, name):
        return self.values[name]

    @property
    def seed(self) -> int:
        """The seed of every random draw of the report."""
        return int(self.values["seed"])

    def rates(self):
        """(Gamma_1, Gamma_c, gamma) of one NC (1/ps) from the lifetime and the collective fraction."""
        gamma1 = 1.0 / self.values["radiative_lifetime"]
        share = self.values["collective_fraction"]
        return gamma1, share * gamma1, (1.0 - share) * gamma1

    def sample(self):
        """The report's :class:`~sf_dynamics.workflows.sample.Sample`, dephasing at the report's temperature."""
        from ..sample import Sample

        _, collective, decay = self.rates()
        base = Sample(domain_sizes=int(self.values["nanocrystals"]), coupled_fraction=self.values["coupled_fraction"],
                      collective_decay=collective, decay=decay, dephasing=0.0,
                      cross_section_cm2=self.values["cross_section"],
                      photon_energy_eV=self.values["pump_photon_energy"],
                      inhomogeneous_fwhm_meV=self.values["inhomogeneous_fwhm"])
        return base.with_temperature(self.values["temperature"])

    def table(self) -> str:
        """The parameter table (Markdown): input, value with unit, source or status ("given" when set)."""
        rows = []
        for name, (_, unit, source) in PARAMETERS.items():
            shown = "given (option or config file)" if name in self.given else source
            rows.append(f"| {name.replace('_', ' ')} | {self.values[name]:g} {unit} | {shown} |")
        sample = self.sample()
        rows.append(f"| dephasing (derived) | {sample.dephasing:.4g} /ps | linewidth model at "
                    f"{self.values['temperature']:g} K (T2 = {sample.coherence_time_ps:.3g} ps) |")
        return "| input | value | source or status |\n|---|---|---|\n" + "\n".join(rows)


def read_config(path) -> dict:
    """The inputs of a config file: TOML (``.toml``) or JSON, a flat table of :data:`PARAMETERS` names.

    Raises
    ------
    ValueError
        For another suffix, a file that does not parse, or a name that is not a report input.
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix == ".toml":
            import tomllib

            data = tomllib.loads(text)
        elif path.suffix == ".json":
            data = json.loads(text)
        else:
            raise ValueError(f"config: {str(path)!r} must end in .toml or .json")
    except (ValueError, json.JSONDecodeError) as exc:
        raise ValueError(f"config: cannot read {str(path)!r}: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError(f"config: {str(path)!r} must hold a table of report inputs")
    return {key.replace("-", "_"): value for key, value in data.items()}


def report_inputs(given=None) -> ReportInputs:
    """The report's inputs: :data:`PARAMETERS` defaults, replaced by ``given`` (name -> value).

    Parameters
    ----------
    given : dict, optional
        Values to use instead of the defaults (names of :data:`PARAMETERS`, dashes allowed).

    Returns
    -------
    ReportInputs

    Raises
    ------
    ValueError
        For an unknown name or a value outside its range.
    """
    given = {key.replace("-", "_"): value for key, value in (given or {}).items() if value is not None}
    unknown = sorted(set(given) - set(PARAMETERS))
    if unknown:
        raise ValueError(f"unknown report input(s) {unknown}; known: {sorted(PARAMETERS)}")
    values = {name: _checked(name, given.get(name, default)) for name, (default, _, _) in PARAMETERS.items()}
    return ReportInputs(values=values, given=tuple(name for name in PARAMETERS if name in given))

