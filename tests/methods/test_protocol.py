"""A new method is one class and one registration line; the front door finds it for every quantity it computes."""

import numpy as np
import pytest
import xarray as xr

import sf_dynamics as sf
from sf_dynamics.methods import Method, Options, register, unregister


class AnalyticPair(Method):
    """Two identical emitters under pure collective decay from |ee>, in closed form.

    On the triplet ladder |1, 1> -> |1, 0> -> |1, -1> both steps happen at 2 Gamma, so
    P_11 = e^{-2 Gamma t}, P_10 = 2 Gamma t e^{-2 Gamma t}, I = 2 Gamma (P_11 + P_10). The collective
    G1(t, tau) = Gamma Tr[J+ e^{L tau}(J- rho(t))] follows from the two coherences of J- rho(t):
    x = sqrt(2) P_11 e^{-2 Gamma tau} and y = sqrt(2) P_10 e^{-Gamma tau} + 2 x(0)(e^{-Gamma tau} -
    e^{-2 Gamma tau}), G1 = sqrt(2) Gamma (x + y).
    """

    name = "analytic_pair"
    Options = Options          # closed forms: no option acts on them

    def reason(self, problem):
        s = problem.system
        ok = (s.emitter_type == "two-level" and s.n == 2 and s.is_identical and not s.has_coupling_matrices
              and s.decay == s.dephasing == s.pumping == 0 and problem.initial.describe() == "excited")
        if ok and problem.quantity == "first_order" and problem.detector != "collective":
            return "it detects the collective channel only"
        return None if ok else "two identical emitters with pure collective decay from 'excited' only"

    @staticmethod
    def _populations(system, t):
        g = system.collective_decay
        return np.exp(-2 * g * t), 2 * g * t * np.exp(-2 * g * t)

    def evolve(self, problem, options):
        g = problem.system.collective_decay
        p11, p10 = self._populations(problem.system, problem.times)
        return sf.Result(problem.times, 2 * g * (p11 + p10), 2 * p11 + p10, self.name,
                         problem.system.parameters())

    def first_order(self, problem, options):
        g = problem.system.collective_decay
        p11, p10 = self._populations(problem.system, problem.times)
        tau = problem.taus[None, :]
        x0, y0 = np.sqrt(2) * p11[:, None], np.sqrt(2) * p10[:, None]
        x = x0 * np.exp(-2 * g * tau)
        y = y0 * np.exp(-g * tau) + 2 * x0 * (np.exp(-g * tau) - np.exp(-2 * g * tau))
        return xr.Dataset({"g1": (("time", "tau"), (np.sqrt(2) * g * (x + y)).astype(complex))})


@pytest.fixture
def pair_method():
    register(AnalyticPair(), position=0)     # first in the order of preference, so "auto" takes it
    yield
    unregister("analytic_pair")


def test_a_registered_method_is_found_by_name_and_by_auto_for_each_quantity(pair_method):
    ens = sf.Ensemble(2, collective_decay=0.7)
    t, taus = np.linspace(0.1, 4.0, 40), np.linspace(0, 6.0, 61)
    reference = sf.simulate(ens, t, method="permutational", rtol=1e-10)
    for method in ("analytic_pair", "auto"):
        res = sf.simulate(ens, t, method=method)
        assert res.method == "analytic_pair" and res.provenance["method"] == "analytic_pair"
        np.testing.assert_allclose(res.intensity, reference.intensity, rtol=1e-7, atol=1e-12)
        np.testing.assert_allclose(res.excitation, reference.excitation, rtol=1e-7, atol=1e-12)
    g1_ref = sf.spectra.first_order(ens, t, taus, method="permutational", detector="collective", rtol=1e-10)
    for method in ("analytic_pair", "auto"):
        g1 = sf.spectra.first_order(ens, t, taus, method=method, detector="collective")
        assert g1.attrs["method"] == "analytic_pair"
        np.testing.assert_allclose(g1["g1"].values, g1_ref["g1"].values, rtol=1e-6, atol=1e-9)
    assert "analytic_pair" in sf.available_methods()
    assert sf.method_options("analytic_pair") == {}


def test_a_method_without_a_quantity_is_refused_by_name_and_skipped_by_auto(pair_method):
    ens = sf.Ensemble(2, collective_decay=0.7)
    with pytest.raises(ValueError, match="method must be one of"):
        sf.statistics.second_order(ens, [0, 1], [0, 0.5], method="analytic_pair")
    assert sf.statistics.second_order(ens, [0, 1], [0, 0.5]).attrs["method"] == "permutational"
    with pytest.raises(ValueError, match=r"unknown option\(s\) \['rtol'\] for method 'analytic_pair'"):
        sf.simulate(ens, [0, 1], method="analytic_pair", rtol=1e-6)
    with pytest.raises(ValueError, match="cannot simulate this ensemble: two identical.*methods that can: dicke"):
        sf.simulate(sf.Ensemble(3, collective_decay=0.7), [0, 1], method="analytic_pair")


def test_registration_refuses_duplicates_and_non_methods():
    with pytest.raises(ValueError, match="already registered"):
        register(type("Duplicate", (Method,), {"name": "exact"})())
    with pytest.raises(ValueError, match="Method subclass"):
        register(object())


def test_options_are_typed_and_scoped_to_the_quantity():
    ens = sf.Ensemble(3, collective_decay=1.0)
    with pytest.raises(ValueError, match=r"\['store_states'\] for method 'exact' \(first order\)"):
        sf.spectra.first_order(ens, [0, 1], [0, 0.5], method="exact", store_states=True)
    with pytest.raises(ValueError, match="max_steps"):
        sf.simulate(ens, [0, 1], method="cumulant", max_steps=0)
    assert "evolution only" in sf.method_options("exact")["store_states"]


def test_the_worked_example_of_the_architecture_page_runs_as_written():
    import re
    from pathlib import Path

    page = Path(__file__).resolve().parents[2] / "docs" / "architecture.md"
    blocks = re.findall(r"```python\n(.*?)```", page.read_text(encoding="utf-8"), re.S)
    assert len(blocks) == 1
    try:
        exec(compile(blocks[0], "docs/architecture.md", "exec"), {"__name__": "__docs__"})
    finally:
        unregister("analytic_pair")


def test_every_quantity_records_its_provenance_in_attributes_netcdf_can_store(tmp_path):
    ens = sf.Ensemble(4, collective_decay=1.0, decay=0.1)
    t, taus = np.linspace(0, 2, 5), np.linspace(0, 8, 33)
    outputs = {
        "g1": sf.spectra.first_order(ens, t, taus, method="permutational", detector="collective"),
        "g2": sf.statistics.second_order(ens, t, taus[:5], method="exact"),
        "counts": sf.statistics.photon_counts(ens, t, method="jumps", trajectories=50, seed=2),
    }
    for name, ds in outputs.items():
        assert ds.attrs["provenance_method"] == ds.attrs["method"]
        ds.to_netcdf(tmp_path / f"{name}.nc")      # every attribute is one netCDF can store
    assert outputs["counts"].attrs["provenance_options"] == '{"trajectories": 50, "seed": 2}'


def test_a_system_class_a_method_cannot_read_is_refused_by_it_not_crashed_on():
    class Toy:      # follows the System protocol and nothing more
        n, emitter_type, dephasing, is_identical, has_coupling_matrices = 3, "three-level", 0.0, True, False
        single_emitter_decay = 1.0

        def parameters(self):
            return {"n": 3}

    assert isinstance(Toy(), sf.model.protocol.System)
    assert sf.methods_supporting(Toy()) == []
    with pytest.raises(ValueError, match="no method can simulate"):
        sf.simulate(Toy(), [0, 1])
    with pytest.raises(ValueError, match="method 'exact' cannot simulate this ensemble: it reads"):
        sf.simulate(Toy(), [0, 1], method="exact")
