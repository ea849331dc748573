"""The report's physical inputs (value, unit, source or status) and the rates and excitations derived from them."""

from __future__ import annotations

import numpy as np

__all__ = ["PARAMETERS", "parameter_table", "nc_rates", "excited_nanocrystals"]

#: the report's physical inputs: value, unit, source or status
PARAMETERS = {
    "radiative_lifetime": (210.0, "ps", "single CsPbBr3-type QD at cryogenic temperature (Utzat et al., Science 363, "
                                       "1068 (2019))"),
    "coherence_time": (80.0, "ps", "single-QD optical coherence time, same source; gives dephasing 0.0101 /ps"),
    "collective_fraction": (0.3, "", "share of each NC's emission into the common mode of a point-like domain "
                                     "(assumption)"),
    "domain_nanocrystals": (300, "NCs", "coherently coupled domain (assumption; literature estimates of the "
                                        "coupled fraction span 1e-7 to 1e-3 of a superlattice)"),
    "pump_photon_energy": (3.1, "eV", "400 nm pump (typical)"),
    "absorption_cross_section": (5e-14, "cm^2", "per NC at the pump wavelength (literature range 1e-14 to 1e-13, "
                                                "assumption)"),
    "collection_efficiency": (0.1, "", "detection probability of a collective-channel photon (assumption; "
                                       "local-channel photons: a tenth of it)"),
    "irf_fwhm": (2.0, "ps", "streak-camera instrument response (typical; adjustable)"),
    "slab_nanocrystals": (4e5, "NCs", "excited NCs of an extended, pencil-shaped sample (assumption)"),
    "forward_fraction": (1e-3, "", "share of emission into the end-fire mode, 3 lambda^2 / (8 pi A) (assumption)"),
    "lattice_constant": (12.0, "nm", "9.5 nm cubes + 2.5 nm ligands (literature range, unconfirmed)"),
    "wavelength": (515.0, "nm", "CsPbBr3 emission (literature range 510-520 nm)"),
    "inhomogeneous_fwhm": (20.0, "meV", "spread of the uncoupled NCs' line energies, the width of their ensemble "
                                        "line (assumption, for the coherence-time reference of section 6)"),
}


def parameter_table():
    """The parameter table of the report (Markdown): input, value with unit, source or status."""
    rows = "\n".join(f"| {name.replace('_', ' ')} | {value:g} {unit} | {source} |"
                     for name, (value, unit, source) in PARAMETERS.items())
    return "| input | value | source or status |\n|---|---|---|\n" + rows


def nc_rates():
    """(gamma, collective share, dephasing) of one NC from the parameter table (1/ps, -, 1/ps)."""
    gamma = 1.0 / PARAMETERS["radiative_lifetime"][0]
    return gamma, PARAMETERS["collective_fraction"][0], 1.0 / PARAMETERS["coherence_time"][0] - 0.5 * gamma


def excited_nanocrystals(fluences):
    """Excited NCs (at least one) of the coherent domain at the given fluences (uJ/cm^2).

    Parameters
    ----------
    fluences : array_like
        Pump fluences (uJ/cm^2).

    Returns
    -------
    ndarray of int
        Excited NCs of the domain of ``PARAMETERS["domain_nanocrystals"]``, by Poisson absorption.
    """
    from ..fluence import excited_emitters

    return np.maximum(np.round(excited_emitters(
        np.asarray(fluences, dtype=float), nanocrystals=PARAMETERS["domain_nanocrystals"][0],
        cross_section_cm2=PARAMETERS["absorption_cross_section"][0],
        photon_energy_eV=PARAMETERS["pump_photon_energy"][0])).astype(int), 1)
