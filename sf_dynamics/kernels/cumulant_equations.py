"""Derivation of the class cumulant equations at second and third order, and the numba code they become.

Two-level emitters in K spectral classes with identical all-to-all coupling (the master equation of
docs/conventions.md with Gamma_ij = Gamma_c + gamma delta_ij, Omega = 0, detunings delta_a, dephasing
(gamma_phi / 2) D[s_z], pumping P D[s+]). The variables are the moments of products of single-emitter
operators {s+, s-, n} on *distinct* emitters with as many s+ as s- (phase invariance: every other moment
is zero), one emitter per class index:

* order 2: n_a, C_ab = <s+_k s-_l>, N_ab = <n_k n_l>;
* order 3: also T_abc = <s+_k s-_l n_m> and P_abc = <n_k n_l n_m> (k, l, m distinct).

The derivation is mechanical: the Heisenberg adjoint Lindbladian

    L'(A) = i[H, A] + Gamma_c/2 (J+ [A, J-] + [J+, A] J-) + sum_i (gamma D'[s-_i] + gamma_phi/2 D'[s^z_i]
            + P D'[s+_i]) (A),   D'[L](A) = L' A L - {L' L, A} / 2

acts on a product A of single-emitter operators on a set S of distinct emitters. The local terms map each
factor to a single-emitter operator; the collective term multiplies one factor by s+ or s- from an emitter
of S, or brings in s+ or s- of a new emitter i outside S. Products on one emitter reduce with the 2 x 2
algebra (s+ s- = n, s- s+ = 1 - n, n s+ = s+, s+ n = 0, ...). The sum over the new emitter runs over the
classes d with the multiplicity of class d outside S (counts_d minus the members of S in class d, the
``exclude`` term; ``others``, ``thirds``, ``fourths`` for |S| = 1, 2, 3). Moments on more emitters than the
order are closed by setting their joint cumulant to zero (sum over the set partitions into at least two
blocks, -(-1)^(b-1) (b-1)! per partition); blocks with unequal numbers of s+ and s- vanish. In each closed
product the new emitter sits in exactly one factor, so its class sum is precomputed (O(K^3) per right-hand
side at third order, O(K^2) at second).

Running this module writes the numba kernels to :mod:`sf_dynamics.kernels.cumulant_generated`::

    python -m sf_dynamics.kernels.cumulant_equations
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = ["equations", "closure", "kernel_source", "write_kernels", "VARIABLES"]

MATRICES = {  # basis |e> = 0, |g> = 1
    "1": np.eye(2),
    "p": np.array([[0.0, 1.0], [0.0, 0.0]]),   # s+ = |e><g|
    "m": np.array([[0.0, 0.0], [1.0, 0.0]]),   # s- = |g><e|
    "n": np.array([[1.0, 0.0], [0.0, 0.0]]),   # n = |e><e|
}
_CHARGE = {"1": 0, "p": 1, "m": -1, "n": 0}
_SZ = np.diag([1.0, -1.0])
#: the variables of each order: name, operators of its emitters (classes a, b, c in this order)
VARIABLES = {2: (("n", "n"), ("C", "pm"), ("N", "nn")), 3: (("n", "n"), ("C", "pm"), ("N", "nn"),
                                                                ("T", "pmn"), ("P", "nnn"))}
_SYMBOLS = "abc"
_NEW = "d"
_WEIGHTS = {1: "others", 2: "thirds", 3: "fourths"}


def _decompose(matrix):
    """A 2 x 2 matrix as {op: coefficient} in the basis 1, s+, s-, n."""
    one = matrix[1, 1]
    parts = {"1": one, "p": matrix[0, 1], "m": matrix[1, 0], "n": matrix[0, 0] - one}
    return {op: complex(c) for op, c in parts.items() if abs(c) > 1e-15}


def _local_maps(matrix):
    """The local terms of L' on one emitter's operator: {parameter: matrix}."""
    p, m, n = MATRICES["p"], MATRICES["m"], MATRICES["n"]
    return {
        "det": 1j * (n @ matrix - matrix @ n),
        "g": p @ matrix @ m - 0.5 * (n @ matrix + matrix @ n),
        "gphi": 0.5 * (_SZ @ matrix @ _SZ - matrix),
        "P": m @ matrix @ p - 0.5 * (m @ p @ matrix + matrix @ m @ p),
    }


def _adjoint_lindbladian(ops):
    """L' of the product ``ops`` (one operator per emitter of S, then '1' for a new emitter).

    Returns [(parameter, coefficient, tuple of 2 x 2 matrices)], parameter one of 'Gc', 'g', 'gphi', 'P',
    ('det', slot).
    """
    mats = [MATRICES[o].astype(complex) for o in ops] + [MATRICES["1"].astype(complex)]
    size = len(ops)
    terms = []
    for s in range(size):
        for param, image in _local_maps(mats[s]).items():
            key = ("det", s) if param == "det" else param
            terms.append((key, 1.0, tuple(mats[:s] + [image] + mats[s + 1 :])))
    p, m = MATRICES["p"], MATRICES["m"]
    for j in range(size):   # Gamma_c/2 J+ [A, s-_j]: s+ of any emitter (S or new) on the left
        commutator = mats[:j] + [mats[j] @ m - m @ mats[j]] + mats[j + 1 :]
        for i in range(size + 1):
            terms.append(("Gc", 0.5, tuple(commutator[:i] + [p @ commutator[i]] + commutator[i + 1 :])))
    for i in range(size):   # Gamma_c/2 [s+_i, A] J-: s- of any emitter on the right
        commutator = mats[:i] + [p @ mats[i] - mats[i] @ p] + mats[i + 1 :]
        for j in range(size + 1):
            terms.append(("Gc", 0.5, tuple(commutator[:j] + [commutator[j] @ m] + commutator[j + 1 :])))
    return terms


def _expand(matrices):
    """A product of 2 x 2 matrices as {ops tuple: coefficient}."""
    out = {(): 1.0 + 0j}
    for mat in matrices:
        parts = _decompose(mat)
        out = {key + (op,): c * cp for key, c in out.items() for op, cp in parts.items()}
    return out


def _reference(sites):
    """The variable holding the moment of ``sites`` [(symbol, op)], all of them non-identity, charge 0."""
    ops = "".join(sorted(op for _, op in sites))
    by_op = {op: [s for s, o in sites if o == op] for op in "pmn"}
    if ops == "n":
        return ("n", tuple(by_op["n"]))
    if ops == "mp":
        return ("C", (by_op["p"][0], by_op["m"][0]))
    if ops == "nn":
        return ("N", tuple(sorted(by_op["n"])))
    if ops == "mnp":
        return ("T", (by_op["p"][0], by_op["m"][0], by_op["n"][0]))
    if ops == "nnn":
        return ("P", tuple(sorted(by_op["n"])))
    raise ValueError(f"no variable holds the moment {sites}")


def _partitions(items):
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for part in _partitions(rest):
        yield [[first], *part]
        for index in range(len(part)):
            yield part[:index] + [[first, *part[index]]] + part[index + 1 :]


def _moment(sites, order):
    """The moment of ``sites`` as a polynomial {tuple of references: coefficient}: a variable up to
    ``order`` emitters, the closure above."""
    if sum(_CHARGE[op] for _, op in sites) != 0:
        return {}
    if not sites:
        return {(): 1.0}
    if len(sites) <= order:
        return {(_reference(sites),): 1.0}
    return closure(sites, order)


def closure(sites, order):
    """Moment of ``sites`` with its joint cumulant set to zero, in the moments of fewer emitters.

    E[1..m] = kappa_m - sum over the partitions into b >= 2 blocks of (-1)^(b-1) (b-1)! prod E[block]
    with kappa_m = 0 (the standard moment-cumulant relation, with the one-block term removed).
    """
    out = {}
    for part in _partitions(list(sites)):
        if len(part) < 2:
            continue
        weight = (-1.0) ** len(part) * float(np.prod(range(1, len(part))))
        product = {(): weight}
        for block in part:
            factor = _moment(block, order)
            product = {tuple(sorted(k1 + k2)): c1 * c2 for k1, c1 in product.items() for k2, c2 in factor.items()}
            if not product:
                break
        for key, c in product.items():
            out[key] = out.get(key, 0.0) + c
    return {k: c for k, c in out.items() if abs(c) > 1e-14}


def equations(order):
    """The right-hand sides of ``order`` (2 or 3): {variable: {(parameter, references): coefficient}}.

    References are (name, symbols) with the symbols a, b, c of the variable's emitters and d for the new
    emitter, summed over its classes (at most one reference per product holds it).
    """
    if order not in VARIABLES:
        raise ValueError(f"order must be 2 or 3, got {order!r}")
    result = {}
    for name, ops in VARIABLES[order]:
        symbols = _SYMBOLS[: len(ops)] + _NEW
        rhs = {}
        for param, coef, matrices in _adjoint_lindbladian(ops):
            if isinstance(param, tuple):
                param = ("det", symbols[param[1]])
            for key, c in _expand(matrices).items():
                sites = [(symbols[i], op) for i, op in enumerate(key) if op != "1"]
                for refs, cm in _moment(sites, order).items():
                    entry = (param, refs)
                    rhs[entry] = rhs.get(entry, 0.0) + coef * c * cm
        result[name] = {k: c for k, c in rhs.items() if abs(c) > 1e-13}
    return result


# -- code emission -------------------------------------------------------------------------------------
def _ref_code(ref):
    name, syms = ref
    return f"{name}[{', '.join(syms)}]"


def _sum_name(ref, weight):
    name, syms = ref
    return f"s{name}{syms.index(_NEW)}_{weight}"


def _factor_code(ref, size):
    """A reference as code; with the new emitter d: its class sum minus the members of S (``ex``)."""
    name, syms = ref
    if _NEW not in syms:
        return _ref_code(ref)
    rest = [s for s in syms if s != _NEW]
    summed = f"{_sum_name(ref, _WEIGHTS[size])}[{', '.join(rest)}]" if rest else _sum_name(ref, _WEIGHTS[size])
    excluded = " + ".join(_ref_code((name, tuple(s if s != _NEW else x for s in syms))) for x in _SYMBOLS[:size])
    return f"({summed} - ex * ({excluded}))"


def _coefficient_code(param, c):
    c = complex(c)
    number = repr(round(c.real, 14)) if abs(c.imag) < 1e-14 else f"({c.real!r} + {c.imag!r}j)"
    names = {"Gc": "gc", "g": "g", "gphi": "gphi", "P": "pump"}
    factor = f"det[{param[1]}]" if isinstance(param, tuple) else names[param]
    return f"{number} * {factor}"


def _sum_lines(sums):
    lines = []
    for array, (ref, weight) in sorted({_sum_name(ref, weight): (ref, weight) for ref, weight in sums}.items()):
        name, syms = ref
        axis = syms.index(_NEW)
        if len(syms) == 3:
            lines.append(f"    {array} = _class_sum({weight}, {name}, {axis})")
        elif len(syms) == 2:
            lines.append(f"    {array} = _class_sum({weight}, {name}.reshape(k_cls, k_cls, 1), {axis})[:, 0]")
        else:   # the new emitter always brings s+ or s- (collective term): never a lone population
            raise ValueError(f"unexpected class sum of {ref}")
    return lines


def kernel_source(order):
    """Numba source of ``class_rhs_order{order}`` from :func:`equations`."""
    eqs = equations(order)
    names = [name for name, _ in VARIABLES[order]]
    sums = set()
    bodies = []
    for name, ops in VARIABLES[order]:
        size = len(ops)
        syms = _SYMBOLS[:size]
        lines = []
        for depth, s in enumerate(syms):
            lines.append("    " * (depth + 1) + f"for {s} in range(k_cls):")
        pad = "    " * (size + 1)
        lines.append(f"{pad}acc = 0j")
        for (param, refs), c in sorted(eqs[name].items(), key=str):
            factors = [_factor_code(r, size) for r in refs] or ["1.0"]
            sums.update((r, _WEIGHTS[size]) for r in refs if _NEW in r[1])
            lines.append(f"{pad}acc += {_coefficient_code(param, c)} * {' * '.join(factors)}")
        real = "" if name in ("C", "T") else ".real"
        lines.append(f"{pad}d{name}[{', '.join(syms)}] = acc{real}")
        bodies.extend(lines)
    weights = ", ".join(_WEIGHTS[s] for s in range(1, order + 1))
    args = f"{', '.join(names)}, det, {weights}, ex, gc, g, gphi, pump, {', '.join('d' + n for n in names)}"
    head = [
        "",
        "",
        "@nb.njit(cache=True)",
        f"def class_rhs_order{order}({args}):",
        f'    """Order-{order} class cumulant equations (generated by cumulant_equations.py; do not edit)."""',
        "    k_cls = n.shape[0]",
    ]
    return "\n".join(head + _sum_lines(sums) + bodies) + "\n"


def write_kernels(path=None, orders=(3,)):
    """Write the generated kernels of ``orders`` to ``path`` (default: cumulant_generated.py here).

    The package runs order 3 from the generated file and order 2 from the hand-written
    :func:`~sf_dynamics.kernels.cumulant.class_pair_rhs` (the tests check that both agree).
    """
    path = Path(path) if path is not None else Path(__file__).with_name("cumulant_generated.py")
    names = ", ".join(f'"class_rhs_order{order}"' for order in orders)
    header = ('"""Class cumulant equations generated by :mod:`.cumulant_equations`.\n\n'
              "Do not edit: run ``python -m sf_dynamics.kernels.cumulant_equations`` to regenerate. Arguments:\n"
              "moments n (K,), C (K, K) complex, N (K, K), T (K, K, K) complex, P (K, K, K) of distinct emitters\n"
              "of the classes; detunings det (rad/ps); class multiplicities of a new emitter others, thirds,\n"
              "fourths minus ex per member of the class among the emitters already taken; Gamma_c = gc,\n"
              "local decay g, dephasing gphi, pumping pump (1/ps); outputs d<name> of the same shapes.\n"
              f'"""\n\nimport numba as nb\n\n'
              "from sf_dynamics.kernels.cumulant import class_sum as _class_sum\n\n"
              f'__all__ = [{names}]\n')
    text = header + "".join(kernel_source(order) for order in orders)
    path.write_text(text)
    return path


if __name__ == "__main__":
    print(write_kernels())
