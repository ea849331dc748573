"""Far-field detectors: the angular integral gives the Green's-tensor decay matrix; exact G1 against QuTiP."""

import numpy as np
import pytest
import qutip

import sf_dynamics as sf
from tests.helpers.qutip_model import excited_ket, independent_liouvillian

pytestmark = pytest.mark.filterwarnings("ignore::sf_dynamics.spectra.CoherenceWindowWarning")


def geometry(n, seed):
    rng = np.random.default_rng(seed)
    pos = np.column_stack([np.arange(n) * 0.2, rng.normal(0, 0.1, n), rng.normal(0, 0.1, n)])
    dip = rng.normal(size=(n, 3))
    dip /= np.linalg.norm(dip, axis=1)[:, None]
    return pos, dip


def transverse_pair(direction):
    helper = np.array([1.0, 0.0, 0.0]) if abs(direction[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
    e1 = np.cross(direction, helper)
    e1 /= np.linalg.norm(e1)
    return e1, np.cross(direction, e1)


def test_far_field_over_all_directions_and_polarisations_is_the_green_decay_matrix():
    pos, dip = geometry(4, 0)
    gamma, _ = sf.geometry.green_couplings(pos, dip, wavelength=1.0, gamma=0.7)
    ens = sf.Ensemble(4, gamma_matrix=gamma)
    x, wx = np.polynomial.legendre.leggauss(48)     # cos(theta)
    phis = np.linspace(0, 2 * np.pi, 96, endpoint=False)
    total = np.zeros((4, 4), dtype=complex)
    for c, w in zip(x, wx):
        s = np.sqrt(1 - c * c)
        for phi in phis:
            k = np.array([s * np.cos(phi), s * np.sin(phi), c])
            for e in transverse_pair(k):
                a = sf.spectra.FarField(k, e, pos, 1.0, dipoles=dip).amplitudes(ens)
                total += w * (2 * np.pi / len(phis)) * np.conj(a)[:, None] * a[None, :]
    np.testing.assert_allclose(total, gamma, atol=1e-10)


def test_exact_far_field_g1_equals_qutip_with_the_field_written_out():
    n = 3
    pos, dip = geometry(n, 1)
    g, w = sf.geometry.green_couplings(pos, dip, wavelength=1.0, gamma=1.0)
    ens = sf.Ensemble(n, gamma_matrix=g, omega_matrix=w, dephasing=0.1, detunings=[0.3, -0.2, 0.0])
    direction, pol = np.array([0.0, 0.6, 0.8]), np.array([1.0, 0.0, 0.0])
    detector = sf.spectra.FarField(direction, pol, pos, 1.0, dipoles=dip)
    times, taus = np.linspace(0, 2, 5), np.linspace(0, 3, 31)
    ours = sf.spectra.first_order(ens, times, taus, method="exact", detector=detector)
    liou, sp, sm = independent_liouvillian(ens)
    amp = [np.sqrt(3 / (8 * np.pi)) * np.exp(-2j * np.pi * direction @ r) * (pol @ d) for r, d in zip(pos, dip)]
    field = sum(a * op for a, op in zip(amp, sm))
    ref = qutip.correlation_2op_2t(liou, qutip.ket2dm(excited_ket(n)), times, taus, [], field.dag(), field,
                                   options={"atol": 1e-12, "rtol": 1e-10, "nsteps": 10**6})
    assert np.abs(ours["g1"].values - ref).max() < 1e-6 * np.abs(ref).max()
    assert "far field" in ours.attrs["detector"]


def test_cumulant_far_field_is_exact_for_independent_emitters():
    n = 3
    pos, dip = geometry(n, 2)
    ens = sf.Ensemble(n, decay=1.0, dephasing=0.2, detunings=[0.5, 0.0, -0.4])
    detector = sf.spectra.FarField([0, 0, 1.0], [0, 1.0, 0], pos, 1.0, dipoles=dip)
    times, taus = np.linspace(0, 2, 5), np.linspace(0, 6, 61)
    a = sf.spectra.first_order(ens, times, taus, method="cumulant", detector=detector, rtol=1e-10, atol=1e-12)
    b = sf.spectra.first_order(ens, times, taus, method="exact", detector=detector)
    assert np.abs(a["g1"].values - b["g1"].values).max() < 1e-7 * np.abs(b["g1"].values).max()


def test_far_field_of_nanocrystals_uses_their_three_dipoles():
    pos = np.array([[0.0, 0.0, 0.0], [0.3, 0.0, 0.0]])
    ens = sf.geometry.nanocrystals_at(pos, wavelength=1.0, gamma=1.0)
    a = sf.spectra.FarField([0, 0, 1.0], [1.0, 0, 0], pos, 1.0).amplitudes(ens)
    assert a.shape == (6,)
    np.testing.assert_allclose(np.abs(a), np.sqrt(3 / (8 * np.pi)) * np.array([1, 0, 0, 1, 0, 0]), atol=1e-15)


def test_bad_far_field_detectors_are_refused():
    pos, dip = geometry(3, 3)
    with pytest.raises(ValueError, match="perpendicular"):
        sf.spectra.FarField([0, 0, 1.0], [0, 0.1, 1.0], pos, 1.0, dipoles=dip)
    with pytest.raises(ValueError, match="direction"):
        sf.spectra.FarField([0, 0, 0], [1.0, 0, 0], pos, 1.0, dipoles=dip)
    with pytest.raises(ValueError, match="positions"):
        sf.spectra.FarField([0, 0, 1.0], [1.0, 0, 0], pos[:, :2], 1.0)
    with pytest.raises(ValueError, match="wavelength"):
        sf.spectra.FarField([0, 0, 1.0], [1.0, 0, 0], pos, -1.0)
    ens = sf.Ensemble(3, collective_decay=1.0, decay=0.1)
    t = np.linspace(0, 1, 3)
    with pytest.raises(ValueError, match="needs their dipoles"):
        sf.spectra.first_order(ens, t, [0, 1], detector=sf.spectra.FarField([0, 0, 1.0], [1.0, 0, 0], pos, 1.0))
    with pytest.raises(ValueError, match="4 positions but the system has 3"):
        sf.spectra.first_order(ens, t, [0, 1], detector=sf.spectra.FarField([0, 0, 1.0], [1.0, 0, 0],
                                                                            np.zeros((4, 3)), 1.0))
    detector = sf.spectra.FarField([0, 0, 1.0], [1.0, 0, 0], pos, 1.0, dipoles=dip)
    with pytest.raises(ValueError, match="collective channel only"):
        sf.spectra.first_order(ens, t, [0, 1], method="permutational", detector=detector)
