"""Generated class cumulant equations: the checked-in kernels are the generator's output, order 2 is the
hand-written second-order kernel, and order 3 is the exact Lindblad derivative of the moments (2^N density
matrices from QuTiP operators) for N = 3 (no four-emitter moments) and for N = 4 on states whose
fourth-order cumulants vanish."""

import importlib.util
import itertools
from pathlib import Path

import numpy as np
import pytest
import qutip

from sf_dynamics import Ensemble
from sf_dynamics.kernels import cumulant as kc
from sf_dynamics.kernels import cumulant_equations, cumulant_generated
from tests.helpers import exact_derivative, phase_invariant
from tests.helpers.qutip_model import lowering

RATES = dict(decay=0.3, collective_decay=0.7, dephasing=0.4, pumping=0.15)


def test_checked_in_kernels_are_the_generator_output(tmp_path):
    fresh = cumulant_equations.write_kernels(tmp_path / "kernels.py").read_text()
    assert fresh == Path(cumulant_generated.__file__).read_text()


@pytest.fixture(scope="module")
def order_two(tmp_path_factory):
    path = cumulant_equations.write_kernels(tmp_path_factory.mktemp("generated") / "order_two.py", orders=(2,))
    spec = importlib.util.spec_from_file_location("order_two", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.class_rhs_order2


@pytest.mark.parametrize("continuous", [False, True])
def test_order_two_is_the_hand_written_second_order_kernel(order_two, continuous):
    rng = np.random.default_rng(3)
    k = 4
    n = rng.uniform(0, 1, k)
    c = rng.normal(size=(k, k)) + 1j * rng.normal(size=(k, k))
    c = c + c.conj().T
    npop = rng.uniform(0, 1, (k, k))
    npop = npop + npop.T
    det = rng.normal(size=k)
    if continuous:
        w = rng.uniform(0.1, 1, k)
        w /= w.sum()
        others, thirds, ex = 99 * w, 98 * w, 0.0
    else:
        others = thirds = rng.integers(1, 5, k).astype(float)
        ex = 1.0
    gc, g, gphi, pump = 0.7, 0.3, 0.4, 0.15
    ref = [np.empty(k), np.empty((k, k)), np.empty((k, k)), np.empty((k, k))]
    kc.class_pair_rhs(n, c.real.copy(), c.imag.copy(), npop, det, others, thirds, ex, gc + g, gc, gphi, pump, *ref)
    out = [np.empty(k), np.empty((k, k), complex), np.empty((k, k))]
    order_two(n, c, npop, det, others, thirds, ex, gc, g, gphi, pump, *out)
    np.testing.assert_allclose(out[0], ref[0], atol=1e-12)
    np.testing.assert_allclose(out[1], ref[1] + 1j * ref[2], atol=1e-12)
    np.testing.assert_allclose(out[2], ref[3], atol=1e-12)


# -- order 3 against the exact Lindbladian -----------------------------------------------------------------
def _operators(n):
    sm = [op.full() for op in lowering(n)]
    return {"p": [op.conj().T for op in sm], "m": sm, "n": [op.conj().T @ op for op in sm]}


def class_moments(rho, classes):
    """n, C, N, T, P of the classes from one set of distinct representative emitters per class tuple
    (tuples without enough emitters stay zero)."""
    rho = rho.full() if isinstance(rho, qutip.Qobj) else rho
    ops = _operators(len(classes))
    k = max(classes) + 1
    members = [[i for i, c in enumerate(classes) if c == a] for a in range(k)]
    out = {"n": np.zeros(k), "C": np.zeros((k, k), complex), "N": np.zeros((k, k)),
           "T": np.zeros((k, k, k), complex), "P": np.zeros((k, k, k))}
    layout = {"n": "n", "C": "pm", "N": "nn", "T": "pmn", "P": "nnn"}
    for name, word in layout.items():
        for tup in itertools.product(range(k), repeat=len(word)):
            sites = _representatives(members, tup)
            if sites is None:
                continue
            product = np.eye(rho.shape[0])
            for site, op in zip(sites, word):
                product = product @ ops[op][site]
            value = np.trace(rho @ product)
            out[name][tup] = value if name in ("C", "T") else value.real
    return out


def _representatives(members, tup):
    used = []
    for a in tup:
        free = [i for i in members[a] if i not in used]
        if not free:
            return None
        used.append(free[0])
    return used


def third_order_rhs(moments, classes, det):
    counts = np.bincount(classes).astype(float)
    k = counts.size
    out = [np.empty(k), np.empty((k, k), complex), np.empty((k, k)), np.empty((k, k, k), complex),
           np.empty((k, k, k))]
    gc, g = RATES["collective_decay"], RATES["decay"]
    cumulant_generated.class_rhs_order3(moments["n"], moments["C"], moments["N"], moments["T"], moments["P"],
                                        np.asarray(det, float), counts, counts, counts, 1.0, gc, g,
                                        RATES["dephasing"], RATES["pumping"], *out)
    return dict(zip("nCNTP", out))


def compare_third_order(rho, classes, det):
    ensemble = Ensemble(len(classes), detunings=[det[c] for c in classes], **RATES)
    drho = exact_derivative(ensemble, qutip.Qobj(rho, dims=[[2] * len(classes)] * 2))
    exact = class_moments(drho, classes)
    got = third_order_rhs(class_moments(rho, classes), classes, det)
    k = max(classes) + 1
    members = [[i for i, c in enumerate(classes) if c == a] for a in range(k)]
    for name in "nCNTP":
        rank = exact[name].ndim
        mask = np.array([_representatives(members, tup) is not None
                         for tup in itertools.product(range(k), repeat=rank)]).reshape((k,) * rank)
        np.testing.assert_allclose(got[name][mask], exact[name][mask], atol=1e-12, err_msg=name)


def cumulant_state(classes, seed):
    """A phase-invariant 2^N operator with random cumulants of up to three emitters (depending on the classes
    and operators only, Hermitian) and none of four: rho = sum over words of <word> x its dual operator."""
    rng = np.random.default_rng(seed)
    n = len(classes)
    table = {}
    swap = {"p": "m", "m": "p", "n": "n"}

    def cumulant(block):
        key = tuple(sorted((classes[s], op) for s, op in block))
        if len(block) == 1:
            return table.setdefault(key, rng.uniform(0.2, 0.8)) if key[0][1] == "n" else 0.0
        if len(block) > 3 or sum((op == "p") - (op == "m") for _, op in block):
            return 0.0
        mirror = tuple(sorted((c, swap[op]) for c, op in key))
        if key not in table:
            value = 0.1 * rng.normal() + (0.1j * rng.normal() if mirror != key else 0)
            table[key] = value
            table[mirror] = np.conj(value)
        return table[key]

    def moment(block):
        return sum(np.prod([cumulant([block[i] for i in part]) for part in partition])
                   for partition in _set_partitions(list(range(len(block)))))

    dual = {"1": np.diag([0.0, 1.0]), "n": np.diag([1.0, -1.0]), "p": qutip.destroy(2).full(),
            "m": qutip.create(2).full()}   # tr(dual(o) o') = delta: |1> = excited
    rho = np.zeros((2**n, 2**n), complex)
    for word in itertools.product("1pmn", repeat=n):
        value = moment([(s, op) for s, op in enumerate(word) if op != "1"]) if set(word) != {"1"} else 1.0
        term = np.ones((1, 1))
        for op in word:
            term = np.kron(term, dual[op])
        rho += value * term
    return rho


def _set_partitions(items):
    if len(items) <= 1:
        yield [items] if items else []
        return
    for rest in _set_partitions(items[1:]):
        yield [[items[0]], *rest]
        for i in range(len(rest)):
            yield [*rest[:i], [items[0], *rest[i]], *rest[i + 1:]]


@pytest.mark.parametrize("classes", [(0, 0, 0), (0, 1, 2), (0, 0, 1), (0, 0, 0, 0), (0, 0, 1, 1),
                                     (0, 1, 2, 3), (0, 1, 1, 1)])
def test_third_order_is_the_exact_derivative_without_fourth_order_cumulants(classes):
    det = np.array([0.0, 1.3, -0.7, 2.1])
    rho = cumulant_state(classes, seed=len(classes) + sum(classes))
    np.testing.assert_allclose(np.trace(rho), 1.0, atol=1e-14)
    compare_third_order(rho, list(classes), det)


@pytest.mark.parametrize("seed", range(3))
def test_third_order_is_exact_for_three_emitters_in_any_phase_invariant_state(seed):
    rho = phase_invariant(qutip.rand_dm([2, 2, 2], seed=seed), 3).full()
    compare_third_order(rho, [0, 1, 2], np.array([0.4, -1.1, 2.0]))
