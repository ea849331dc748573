"""`cumulant`: equation level against the exact Lindbladian, then trajectories against
`exact` and `permutational`, spectral classes against emitters one by one."""

import numpy as np
import pytest
import qutip

from sf_dynamics import CoherentSpinState, DickeState, Ensemble, analysis, simulate
from sf_dynamics.geometry.lattice import Superlattice
from sf_dynamics.model.spectrum import Spectrum
from sf_dynamics.solvers import cumulant
from tests.helpers import (
    assert_physical,
    exact_derivative,
    max_relative_difference,
    moments,
    phase_invariant,
    random_ensemble,
)


def compare_equations(ensemble, rho):
    n = ensemble.n
    drho = exact_derivative(ensemble, rho)
    ref_n, ref_c, ref_cor = moments(drho, n)
    pops, coh, cor = moments(rho, n)
    dn, dc, dcor = cumulant.derivatives(ensemble, pops, coh, cor)
    off = ~np.eye(n, dtype=bool)
    np.testing.assert_allclose(dn, ref_n, atol=1e-12)
    np.testing.assert_allclose(dc[off], ref_c[off], atol=1e-12)
    np.testing.assert_allclose(dcor[off], ref_cor[off], atol=1e-12)


@pytest.mark.parametrize("seed", range(3))
def test_equations_are_exact_for_two_emitters_in_any_phase_invariant_state(seed):
    rng = np.random.default_rng(seed)
    ens = random_ensemble(2, rng)
    rho = phase_invariant(qutip.rand_dm([2, 2], seed=seed), 2)
    compare_equations(ens, rho)


@pytest.mark.parametrize("seed", range(3))
def test_equations_are_exact_for_three_emitters_without_three_body_cumulants(seed):
    # a correlated pair (1, 2) times an independent third emitter: all third-order cumulants vanish
    rng = np.random.default_rng(10 + seed)
    ens = random_ensemble(3, rng)
    pair = phase_invariant(qutip.rand_dm([2, 2], seed=seed), 2)
    single = phase_invariant(qutip.rand_dm([2], seed=100 + seed), 1)
    compare_equations(ens, qutip.tensor(pair, single))


def test_equations_are_exact_for_product_states_with_dipoles():
    # coherent product states: <s+ s- s^z> = C s exactly, so the phase-invariant closure is exact
    rng = np.random.default_rng(7)
    ens = random_ensemble(3, rng)
    kets = [qutip.Qobj(rng.normal(size=2) + 1j * rng.normal(size=2)).unit() for _ in range(3)]
    compare_equations(ens, qutip.ket2dm(qutip.tensor(kets)))


#: documented bound: second order at n = 4-6 (small inhomogeneous ensembles), max |dI| / max I
SMALL_N_BOUND = 0.08


@pytest.mark.parametrize("n", [4, 5, 6])
def test_small_inhomogeneous_ensembles_against_exact(n):
    rng = np.random.default_rng(n)
    ens = Ensemble(n, collective_decay=1.0, decay=0.1, dephasing=0.2, detunings=rng.normal(0, 0.5, n))
    times = np.linspace(0, 6.0 / n + 2.0, 61)
    cum = simulate(ens, times, method="cumulant")
    ref = simulate(ens, times, method="exact")
    err = max_relative_difference(cum.intensity, ref.intensity)
    assert err < SMALL_N_BOUND, err
    assert max_relative_difference(cum.excitation, ref.excitation) < SMALL_N_BOUND
    assert_physical(cum, atol=1e-6)


def test_geometry_coupled_pair_is_exact():
    # two emitters: no three-body terms, so the cumulant trajectory is exact
    rng = np.random.default_rng(3)
    ens = random_ensemble(2, rng)
    times = np.linspace(0, 4, 41)
    for initial in ["excited", CoherentSpinState(1.2, 0.4)]:
        cum = simulate(ens, times, method="cumulant", initial=initial, rtol=1e-10, atol=1e-12)
        ref = simulate(ens, times, method="exact", initial=initial)
        assert max_relative_difference(cum.intensity, ref.intensity) < 1e-7


#: documented accuracy of second order for tau_D against the exact solution (docs/validation.md)
TAU_D_BOUND = 0.06


@pytest.mark.parametrize("n", [50, 200, pytest.param(1000, marks=pytest.mark.slow)])
def test_identical_emitters_against_permutational(n, burst_times):
    ens = Ensemble(n, collective_decay=1.0, decay=0.1, dephasing=0.5)
    times = burst_times(n, points=301)
    cum = simulate(ens, times, method="cumulant")
    ref = simulate(ens, times, method="permutational")
    tau_err = analysis.buildup_time(cum) / analysis.buildup_time(ref) - 1
    peak_err = analysis.peak_intensity(cum) / analysis.peak_intensity(ref) - 1
    assert abs(tau_err) < TAU_D_BOUND, tau_err
    # second order misses the shot-to-shot delay spread: it lies above the exact ensemble average but
    # below the classical single-shot limit, the mean-field maximum Gamma_c N^2 / 4 plus the incoherent
    # emission N Gamma_ii (an analytic bound, Gross & Haroche 1982)
    cum_peak, ref_peak = analysis.peak_intensity(cum), analysis.peak_intensity(ref)
    assert ref_peak < cum_peak < 0.25 * n**2 * ens.collective_decay + n * ens.single_emitter_decay, peak_err
    assert_physical(cum, atol=1e-6)


def test_symmetric_dicke_start_matches_permutational_early_decay():
    n = 30
    ens = Ensemble(n, collective_decay=1.0)
    times = np.linspace(0, 0.02, 11)
    cum = simulate(ens, times, method="cumulant", initial=DickeState(n / 2, 0))
    ref = simulate(ens, times, method="dicke", initial=DickeState(n / 2, 0))
    # same initial moments, hence the same intensity and slope at t = 0
    assert cum.intensity[0] == pytest.approx(ref.intensity[0], rel=1e-12)
    assert max_relative_difference(cum.intensity, ref.intensity) < 0.01


def test_spectral_classes_equal_emitters_one_by_one():
    counts = np.array([3, 1, 2, 4])
    det = np.array([-0.8, -0.1, 0.3, 1.1])
    spec = Spectrum.from_samples(det, counts)
    ens = Ensemble(10, collective_decay=1.0, decay=0.05, dephasing=0.2, pumping=0.01, spectrum=spec)
    times = np.linspace(0, 2.0, 81)
    by_class = simulate(ens, times, method="cumulant", engine="classes", rtol=1e-10, atol=1e-12)
    by_emitter = simulate(ens, times, method="cumulant", engine="emitters", rtol=1e-10, atol=1e-12)
    assert by_class.info["variables"] < by_emitter.info["variables"]
    assert max_relative_difference(by_class.intensity, by_emitter.intensity) < 1e-8
    # class populations equal the populations of each class's emitters
    per_emitter = by_emitter.data["populations"]
    np.testing.assert_allclose(by_class.data["class_populations"][:, 0], per_emitter[:, 0], atol=1e-8)
    np.testing.assert_allclose(by_class.data["class_populations"][:, 3], per_emitter[:, 9], atol=1e-8)


def test_a_million_emitters_in_101_classes():
    n = 10**6  # N Gamma = 1 /ps, Gaussian inhomogeneous width 0.3 rad/ps
    ens = Ensemble(n, collective_decay=1e-6, dephasing=0.02, spectrum=Spectrum.gaussian(fwhm=0.3, classes=101))
    times = np.linspace(0, 40.0, 201)
    res = simulate(ens, times, method="cumulant")
    assert res.info["variables"] == 101 + 3 * 101**2
    assert_physical(res, atol=1e-6)
    assert analysis.buildup_time(res) > 0


@pytest.mark.slow
def test_convergence_in_the_number_of_classes():
    n = 2000
    spec_width = 1.0  # rad/ps, comparable to N Gamma = 2 /ps; window 15 ps needs K >~ 40
    values = []
    for k in (41, 61, 81, 121):
        ens = Ensemble(n, collective_decay=1e-3, spectrum=Spectrum.gaussian(spec_width, classes=k))
        res = simulate(ens, np.linspace(0, 15.0, 601), method="cumulant")
        values.append((analysis.buildup_time(res), analysis.peak_intensity(res)))
    values = np.array(values)
    changes = np.abs(np.diff(values, axis=0)) / values[1:]
    assert np.all(changes[-1] < 0.01), changes
    assert np.all(changes[-1] <= changes[0] + 1e-12), changes


@pytest.mark.slow
def test_sf_is_suppressed_when_broadening_or_dephasing_exceeds_n_gamma():
    n, gamma = 1000, 1e-3  # N Gamma = 1 /ps; incoherent emission rate N Gamma = 1 photon/ps
    times = np.linspace(0, 30.0, 601)

    def peak_and_delay(**kwargs):
        res = simulate(Ensemble(n, collective_decay=gamma, **kwargs), times, method="cumulant")
        return analysis.peak_intensity(res), analysis.buildup_time(res)

    coherent_peak, coherent_delay = peak_and_delay()
    for key, make, widths in (
        ("dephasing", lambda w: dict(dephasing=w), (0.1, 0.5, 2.0, 20.0)),
        ("spectrum", lambda w: dict(spectrum=Spectrum.gaussian(w, classes=161)), (0.2, 1.0, 3.0)),
    ):
        peaks, delays = zip(*(peak_and_delay(**make(w)) for w in widths))
        assert np.all(np.diff(peaks) < 0), (key, peaks)
        assert delays[0] > coherent_delay
        assert peaks[0] > 0.2 * coherent_peak
        # far beyond N Gamma the burst is gone: the peak falls to a few times the incoherent N Gamma
        assert peaks[-1] < 5.0 * n * gamma, (key, peaks)


@pytest.mark.parametrize(
    "kwargs, name",
    [
        (dict(gamma_matrix=[[1.0, 0.5], [0.2, 1.0]]), "gamma_matrix"),
        (dict(gamma_matrix=[[1.0, 2.0], [2.0, 1.0]]), "gamma_matrix"),
        (dict(gamma_matrix=np.eye(3)), "gamma_matrix"),
        (dict(omega_matrix=[[0.0, 1.0], [0.5, 0.0]]), "omega_matrix"),
        (dict(omega_matrix=[[1.0, 1.0], [1.0, 0.0]]), "omega_matrix"),
        (dict(omega_matrix=[[0.0, 1j], [1j, 0.0]]), "omega_matrix"),
        (dict(gamma_matrix=[[np.nan, 0], [0, 1]]), "gamma_matrix"),
    ],
)
def test_bad_coupling_matrices(kwargs, name):
    with pytest.raises(ValueError, match=name):
        Ensemble(2, **kwargs)


@pytest.mark.parametrize(
    "make, name",
    [
        (lambda: Spectrum.gaussian(-1.0), "fwhm"),
        (lambda: Spectrum.lorentzian(1.0, classes=0), "classes"),
        (lambda: Spectrum.from_samples([0.0, 1.0], [1.0]), "weights"),
        (lambda: Spectrum.from_samples([0.0, np.nan]), "detunings"),
        (lambda: Spectrum.from_samples([0.0, 1.0], [-1.0, 2.0]), "weights"),
        (lambda: Ensemble(5, spectrum=Spectrum.from_samples([0, 1], [2, 2])), "spectrum counts"),
        (lambda: Ensemble(2, detunings=[0, 1], spectrum=Spectrum.gaussian(1.0)), "exclusive"),
    ],
)
def test_bad_spectra(make, name):
    with pytest.raises(ValueError, match=name):
        make()


def test_engine_choice_is_validated():
    ens = Ensemble(3, collective_decay=1.0, gamma_matrix=np.eye(3))
    with pytest.raises(ValueError, match="engine"):
        simulate(ens, np.linspace(0, 1, 3), method="cumulant", engine="classes")
    with pytest.raises(ValueError, match="engine"):
        simulate(ens, np.linspace(0, 1, 3), method="cumulant", engine="pairs")


def test_collective_pair_moment_is_the_closure_summed_index_by_index():
    import itertools

    rng = np.random.default_rng(3)

    def by_hand(c, p, pops):
        """sum over i != j, k != l of the closed four-point function, one index tuple at a time."""
        total = 0.0
        for i, j, k, l in itertools.product(range(len(p)), repeat=4):
            if i == j or k == l:
                continue
            distinct = len({i, j, k, l})
            if distinct == 4:
                total += c[i, k] * c[j, l] + c[i, l] * c[j, k]
            elif distinct == 3:
                shared = ({i, j} & {k, l}).pop()
                total += p[shared] * c[j if i == shared else i, l if k == shared else k]
            else:
                total += pops[i, j]
        return total.real

    # two classes of 3 and 2 emitters, block-constant moments, against the 5 emitters one by one
    counts, labels = np.array([3.0, 2.0]), np.array([0, 0, 0, 1, 1])
    a = rng.normal(size=(2, 2)) + 1j * rng.normal(size=(2, 2))
    c = a + a.conj().T
    p, pops = rng.random(2), rng.random((2, 2))
    pops = pops + pops.T
    rate, pairs = cumulant.collective_pair_moment(counts, p, c.real, c.imag, pops)
    assert pairs == pytest.approx(by_hand(c[np.ix_(labels, labels)], p[labels], pops[np.ix_(labels, labels)]),
                                  rel=1e-12)
    expected_rate = counts @ p + sum(counts[x] * (counts[y] - (x == y)) * c[x, y].real for x in range(2)
                                     for y in range(2))
    assert rate == pytest.approx(expected_rate, rel=1e-12)


def test_cumulant_g2_starts_at_the_textbook_value_and_is_exact_for_two_emitters():
    for n in (10, 1000):
        res = simulate(Ensemble(n, collective_decay=1.0, decay=0.1), np.linspace(0, 8 * np.log(n) / n, 81),
                       method="cumulant", rtol=1e-9, atol=1e-12)
        assert res.data["g2"][0] == pytest.approx(2 * (1 - 1 / n), rel=1e-9)
    # two emitters: the pair moment <n_1 n_2> is one of the variables, no closure is involved
    ens = Ensemble(2, collective_decay=1.0, decay=0.1, dephasing=0.2)
    times = np.linspace(0, 4, 41)
    res = simulate(ens, times, method="cumulant", rtol=1e-10, atol=1e-12)
    exact = simulate(ens, times, method="permutational", rtol=1e-10)
    np.testing.assert_allclose(res.data["g2"], exact.data["g2"], rtol=1e-6)


def test_cumulant_g2_at_the_burst_tends_to_the_gaussian_value_as_one_over_n():
    # the closure factorises the four-point function as for a Gaussian (thermal) field: where the coherences
    # carry the emission, g2 = 2 - O(1/N); so N (2 - g2) at the peak tends to a constant and the distance to 2
    # shrinks tenfold from N = 100 to 1000, up to the O(1/N^2) term (allowed 20 %). The exact burst is nearly
    # coherent instead (g2 ~ 1.1, docs/validation.md).
    distance = []
    for n in (100, 1000):
        ens = Ensemble(n, collective_decay=1.0, decay=0.1)
        res = simulate(ens, np.linspace(0, 8 * np.log(n) / n, 161), method="cumulant", rtol=1e-9, atol=1e-12)
        distance.append(2.0 - res.data["g2"][np.argmax(res.intensity)])
    assert distance[1] > 0
    assert 8.0 < distance[0] / distance[1] < 12.0, distance


# -- FFT products on regular lattices ------------------------------------------------------------------------
def _lattice_run(ensemble, coupling, times):
    return simulate(ensemble, times, method="cumulant", coupling=coupling)


@pytest.mark.parametrize("build", [
    lambda: Superlattice.square(4, 3, dipole=[0.0, 0.0, 1.0], energy_disorder_meV=0.3, seed=2, lifetime_ps=100.0),
    lambda: Superlattice.cubic(3, 2, 2, energy_disorder_meV=0.5, seed=1, lifetime_ps=100.0,
                               fine_structure=(0.0, 0.5, 1.0)),
], ids=["two-level square", "triplet cubic"])
def test_fft_and_dense_coupling_routes_agree(build):
    lattice = build()
    ens = lattice.nanocrystal_ensemble(dephasing=0.01)
    times = np.linspace(0.0, 8.0, 9)   # the coherences have grown: the coupling products carry the dynamics
    dense = _lattice_run(ens, "dense", times)
    fft = _lattice_run(ens, "fft", times)
    assert (dense.info["coupling"], fft.info["coupling"]) == ("dense", "fft")
    np.testing.assert_allclose(fft.intensity, dense.intensity, rtol=0, atol=1e-10 * dense.intensity.max())
    np.testing.assert_allclose(fft.excitation, dense.excitation, rtol=0, atol=1e-10 * dense.excitation.max())
    # small lattices: "auto" keeps the BLAS products (measured faster below cumulant.FFT_MIN_DIPOLES)
    assert _lattice_run(ens, "auto", times[:3]).info["coupling"] == "dense"


def test_fft_coupling_needs_a_regular_lattice_as_built():
    times = np.linspace(0.0, 1.0, 3)
    disordered = Superlattice.cubic(2, 2, 1, position_disorder_nm=0.2, seed=1, dipole=[0, 0, 1.0])
    ens = disordered.nanocrystal_ensemble()
    assert ens.lattice is None
    with pytest.raises(ValueError, match="coupling 'fft' needs .* regular"):
        _lattice_run(ens, "fft", times)
    regular = Superlattice.cubic(2, 2, 1, dipole=[0, 0, 1.0]).nanocrystal_ensemble()
    with pytest.raises(ValueError, match="no decay or collective_decay"):
        _lattice_run(regular.replace(decay=0.1), "fft", times)
    other = Superlattice.cubic(2, 2, 1, dipole=[0, 0, 1.0], lattice_constant_nm=20.0)
    g, w = regular.gamma_matrix(), regular.omega_matrix()
    mismatched = Ensemble(4, gamma_matrix=g, omega_matrix=w, lattice=other)
    with pytest.raises(ValueError, match="differ from the ensemble's gamma_matrix"):
        _lattice_run(mismatched, "fft", times)
    with pytest.raises(ValueError, match="coupling must be one of"):
        _lattice_run(regular, "sparse", times)


def test_an_ensemble_keeps_its_lattice_only_while_the_matrices_are_its_own():
    lattice = Superlattice.cubic(2, 2, 1, dipole=[0, 0, 1.0])
    ens = lattice.nanocrystal_ensemble()
    assert ens.lattice is lattice and "lattice" in ens.parameters()
    assert ens.replace(dephasing=0.3).lattice is lattice
    assert ens.replace(n=5, gamma_matrix=None, omega_matrix=None).lattice is None
    g, w = ens.gamma_matrix(), ens.omega_matrix()
    with pytest.raises(ValueError, match="needs the gamma_matrix and omega_matrix"):
        Ensemble(4, gamma_matrix=g, lattice=lattice)
    with pytest.raises(ValueError, match="holds 4 dipoles"):
        Ensemble(3, gamma_matrix=g[:3, :3], omega_matrix=w[:3, :3], lattice=lattice)
    with pytest.raises(ValueError, match="regular Superlattice"):
        Ensemble(4, gamma_matrix=g, omega_matrix=w, lattice=Superlattice.cubic(2, 2, 1, position_disorder_nm=0.2,
                                                                               seed=1, dipole=[0, 0, 1.0]))
