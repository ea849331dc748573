"""The sample model: domains and uncoupled NCs add up per NC, with exact limits and photon conservation."""

import numpy as np
import pytest
from scipy.integrate import trapezoid

import sf_dynamics as sf
from sf_dynamics.workflows.sample import Sample


def test_uncoupled_ncs_decay_exponentially_and_every_photon_is_emitted():
    sample = Sample(domain_sizes=[20, 60], domain_weights=[3.0, 1.0], coupled_fraction=0.3,
                    collective_decay=0.3, decay=0.7, dephasing=0.5)
    times = np.linspace(0, 25, 5001)
    ds = sample.traces(times, p=0.8)
    np.testing.assert_allclose(ds["uncoupled"].values, 0.8 * np.exp(-times), rtol=1e-12)
    # no non-radiative loss: each NC emits its p photons, in domains and outside
    for name in ("coupled", "uncoupled", "total"):
        assert trapezoid(ds[name].values, times) == pytest.approx(0.8, rel=1e-3)
    # domains of 20 and 60 NCs, 3:1 in number: 60 : 60 NCs, equal shares
    np.testing.assert_allclose(sample.nc_share, [0.5, 0.5])
    np.testing.assert_allclose(ds["coupled"].values, ds["by_size"].values.mean(axis=0))


def test_a_sample_of_one_domain_size_is_that_domain_per_nc():
    sample = Sample(domain_sizes=50, coupled_fraction=1.0, collective_decay=1.0, decay=0.1, dephasing=0.2)
    times = np.linspace(0, 0.5, 51)
    ds = sample.traces(times, p=0.9)
    ens = sf.Ensemble(50, collective_decay=1.0, decay=0.1, dephasing=0.2)
    ref = sf.simulate(ens, times, method="permutational", initial=sf.ProductState(0.9))
    np.testing.assert_allclose(ds["total"].values, ref.intensity / 50, rtol=1e-12)
    # the burst sits on top of the uncoupled decay when half the NCs are outside domains
    mixed = Sample(domain_sizes=50, coupled_fraction=0.5, collective_decay=1.0, decay=0.1, dephasing=0.2)
    both = mixed.traces(times, p=0.9)
    np.testing.assert_allclose(both["total"].values, 0.5 * ds["total"].values + 0.5 * both["uncoupled"].values)


def test_bad_samples_are_refused():
    with pytest.raises(ValueError, match="domain_sizes"):
        Sample(domain_sizes=[1, 10])
    with pytest.raises(ValueError, match="domain_weights"):
        Sample(domain_sizes=[10, 20], domain_weights=[1.0])
    with pytest.raises(ValueError, match="coupled_fraction"):
        Sample(coupled_fraction=1.5)
    with pytest.raises(ValueError, match="decay"):
        Sample(decay=-1.0)
    with pytest.raises(ValueError, match="p"):
        Sample(domain_sizes=10).traces([0, 1], p=1.2)
