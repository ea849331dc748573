"""Weak-excitation PL: the bright state against a diagonalisation written here, the dimer, sum rule, shift."""

import numpy as np
import pytest

from sf_dynamics import thermal
from sf_dynamics.geometry import Superlattice
from sf_dynamics.units import HBAR_MEV_PS


def test_bright_state_of_a_small_lattice_equals_a_direct_diagonalisation():
    lat = Superlattice.cubic(3, 3, 2, lattice_constant_nm=0.03 * 515.0, nc_edge_nm=5.0)
    g, w = lat.couplings()
    h = np.diag(lat.dipole_energies()) + w
    vals, vecs = np.linalg.eigh(h)
    rates = np.array([vecs[:, k] @ g @ vecs[:, k] for k in range(vals.size)])
    energy, width = thermal.bright_state(lat)
    k = int(np.argmax(rates))
    assert energy == pytest.approx(vals[k], abs=1e-12 * np.abs(vals).max())
    assert width == pytest.approx(rates[k], rel=1e-10)


def test_the_parallel_dimer_radiates_from_its_symmetric_state_at_plus_omega12():
    lat = Superlattice.chain(2, lattice_constant_nm=40.0, nc_edge_nm=9.0, dipole=[0, 0, 1.0])
    g, w = lat.couplings()
    energy, width = thermal.bright_state(lat)
    assert energy == pytest.approx(w[0, 1], rel=1e-10)
    assert width == pytest.approx(g[0, 0] + g[0, 1], rel=1e-10)
    cold = thermal.photoluminescence(lat, 1e-3)
    assert cold.attrs["coupled_peak_meV"] == pytest.approx(min(w[0, 1], -w[0, 1]) * HBAR_MEV_PS, abs=1e-4)


def test_spectra_integrate_to_the_thermal_rate_and_report_the_shift():
    lat = Superlattice.cubic(3, 3, 3, lattice_constant_nm=0.025 * 515.0, nc_edge_nm=5.0)
    omega = np.linspace(-400, 400, 400_001)
    pl = thermal.photoluminescence(lat, 20.0, omega=omega, dephasing=0.01)
    rate = thermal.thermal_average_rate(*thermal.single_excitation_spectrum(lat), [20.0])[0]
    step = omega[1] - omega[0]
    assert pl["coupled"].values.sum() * step / (2 * np.pi) == pytest.approx(rate, rel=2e-3)
    assert pl["uncoupled"].values.sum() * step / (2 * np.pi) == pytest.approx(lat.gamma, rel=2e-3)
    assert pl.attrs["uncoupled_peak_meV"] == pytest.approx(0.0, abs=1e-6)
    assert pl.attrs["shift_meV"] == pytest.approx(pl.attrs["coupled_peak_meV"])
    assert pl.attrs["enhancement"] == pytest.approx(rate / lat.gamma, rel=1e-10)


def test_bad_input():
    lat = Superlattice.chain(2, lattice_constant_nm=40.0, nc_edge_nm=9.0, dipole=[0, 0, 1.0])
    with pytest.raises(ValueError, match="temperatures"):
        thermal.photoluminescence(lat, -1.0)
    with pytest.raises(ValueError, match="omega"):
        thermal.photoluminescence(lat, 10.0, omega=[0.0, 1.0, 0.5])
    with pytest.raises(ValueError, match="dephasing"):
        thermal.photoluminescence(lat, 10.0, dephasing=-1.0)


@pytest.mark.slow
def test_matrix_free_route_equals_the_diagonalisation_with_exact_traces():
    # Chebyshev moments of Tr[Gamma e^{-beta H} T_k(H)] with unit-vector probes: only the kernel's resolution differs
    lat = Superlattice.cubic(4, 4, 3, lattice_constant_nm=12.0, nc_edge_nm=9.0)

    def both(dephasing):
        dense = thermal.photoluminescence(lat, 6.0, dephasing=dephasing)
        kpm = thermal.photoluminescence(lat, 6.0, dephasing=dephasing, route="kpm", probes="exact",
                                        omega=dense.omega.values)
        return dense, kpm

    def pointwise(dense, kpm):
        return np.abs(kpm["coupled"].values - dense["coupled"].values).max() / dense["coupled"].values.max()

    dense, kpm = both(1.0)
    assert kpm.attrs["coupled_peak_meV"] == pytest.approx(dense.attrs["coupled_peak_meV"],
                                                          abs=kpm.attrs["kernel_resolution_meV"])
    # pointwise, the kpm route gives every line the width gamma + 2 gamma_phi instead of its own Gamma_k + 2 gamma_phi:
    # a relative width error (Gamma_k - gamma) / (Gamma_k + 2 gamma_phi), first order in 1/gamma_phi, so doubling the
    # dephasing halves the difference, up to the next order (allowed 20 %); measured values in docs/validation.md
    ratio = pointwise(dense, kpm) / pointwise(*both(2.0))
    assert 1.6 < ratio < 2.4, ratio
    step = dense.omega.values[1] - dense.omega.values[0]
    assert kpm["coupled"].values.sum() * step == pytest.approx(dense["coupled"].values.sum() * step, rel=5e-3)
    assert kpm.attrs["enhancement"] == pytest.approx(dense.attrs["enhancement"], rel=5e-3)
    with pytest.raises(ValueError, match="route"):
        thermal.photoluminescence(lat, 6.0, route="lanczos")
