"""The matrix-free sector generator of `exact` against QuTiP's full Liouvillian, block by block."""

import numpy as np
import pytest
import qutip

from sf_dynamics import NanocrystalEnsemble
from sf_dynamics.geometry import nanocrystals_at
from sf_dynamics.solvers import exact
from sf_dynamics.solvers._sectors import Channel, SectorGenerator, excitation_numbers
from sf_dynamics.solvers.exact.model import sector_generator
from tests.helpers import random_ensemble
from tests.helpers.qutip_model import independent_liouvillian, independent_triplet_liouvillian


def _full_and_sector(ensemble, q):
    # the full Liouvillian is the one written term by term in the tests, not the package's model
    build = independent_triplet_liouvillian if ensemble.emitter_type == "triplet" else independent_liouvillian
    with qutip.CoreOptions(default_dtype="csr"):
        liouvillian, _, _ = build(ensemble)
        full = liouvillian.to("csr").data_as("csr_matrix")
        h, channels, _ = exact.model_channels(ensemble)
        sector = sector_generator(ensemble, h, channels, q)
    return full, sector, int(h.shape[0])


def _sector_matrix(n, levels, q, rng):
    dim = levels**n
    exc = excitation_numbers(n, levels)
    x = rng.normal(size=(dim, dim)) + 1j * rng.normal(size=(dim, dim))
    x[exc[:, None] - exc[None, :] != q] = 0.0
    return x


def triplet_chain(n, seed):
    """n nanocrystals on a slightly disordered chain (0.12 wavelengths apart): Green's-tensor Gamma and Omega."""
    rng = np.random.default_rng(seed)
    pos = np.column_stack([np.arange(n) * 0.12, rng.normal(0, 0.03, n), rng.normal(0, 0.03, n)])
    return nanocrystals_at(pos, wavelength=1.0, gamma=1.0, dephasing=0.2, fine_structure=(0.0, 0.4, -0.3),
                           detunings=rng.normal(0, 0.3, n))


ENSEMBLES = {
    # detunings, Gamma and Omega matrices, local and collective decay, dephasing, pumping
    "two-level n=4": lambda: random_ensemble(4, np.random.default_rng(3)),
    "two-level n=5": lambda: random_ensemble(5, np.random.default_rng(5)),
    # geometry-coupled triplets with fine structure, detunings and dephasing
    "triplet n=3": lambda: triplet_chain(3, seed=3),
    "triplet n=2 point-like": lambda: NanocrystalEnsemble(2, decay=0.3, collective_decay=1.0, dephasing=0.1,
                                                          fine_structure=(0.0, 0.2, -0.1)),
}


@pytest.mark.parametrize("q", [0, -1, 1])
@pytest.mark.parametrize("name", list(ENSEMBLES))
def test_the_sector_generator_equals_the_full_liouvillian(name, q):
    ens = ENSEMBLES[name]()
    levels = 4 if ens.emitter_type == "triplet" else 2
    full, sector, dim = _full_and_sector(ens, q)
    rng = np.random.default_rng(7)
    x = _sector_matrix(ens.n, levels, q, rng)
    expected = (full @ x.ravel(order="F")).reshape(dim, dim, order="F")
    got = sector.unpack(sector.apply(sector.pack(x)), dim)
    assert np.max(np.abs(got - expected)) < 1e-13 * np.max(np.abs(expected))
    # the sector is closed: L leaves nothing outside it
    exc = excitation_numbers(ens.n, levels)
    assert not np.any(expected[exc[:, None] - exc[None, :] != q])
    # adjoint under the Frobenius product, and the trace
    y = rng.normal(size=sector.dimension) + 1j * rng.normal(size=sector.dimension)
    v = sector.pack(x)
    lhs, rhs = np.vdot(y, sector.apply(v)), np.vdot(sector.adjoint().apply(y), v)
    assert abs(lhs - rhs) < 1e-12 * abs(lhs)
    ket, bra = np.arange(dim * dim) % dim, np.arange(dim * dim) // dim
    inside = exc[ket] - exc[bra] == q
    assert sector.dimension == int(np.count_nonzero(inside))
    assert sector.trace() == pytest.approx(full.diagonal()[inside].sum(), rel=1e-12)
    # expectation rows: Tr(O X) for an operator O from the bra's excitation numbers to the ket's
    o = rng.normal(size=(dim, dim)) + 1j * rng.normal(size=(dim, dim))
    assert sector.row(o) @ v == pytest.approx(np.trace(o @ x), rel=1e-12)


def test_channels_that_are_not_of_dipole_form_are_refused():
    import scipy.sparse as sp

    n, levels = 2, 2
    lower = sp.csr_matrix(np.array([[0, 1], [0, 0]], dtype=complex))
    eye = sp.identity(2, format="csr")
    s0, s1 = sp.kron(lower, eye).tocsr(), sp.kron(eye, lower).tocsr()
    h = sp.csr_matrix((4, 4), dtype=complex)
    with pytest.raises(ValueError, match="at most one entry per row"):
        SectorGenerator(h, [Channel((s0 + s1,), np.eye(1))], n, levels)
    with pytest.raises(ValueError, match="mixes excitation changes"):
        SectorGenerator(h, [Channel((s0 + s0.T,), np.eye(1))], n, levels)
    with pytest.raises(ValueError, match="conserve the excitation number"):
        SectorGenerator((s0 + s0.T).tocsr(), [], n, levels)
