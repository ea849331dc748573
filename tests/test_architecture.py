"""The architecture is enforced: import contracts, lint, the option tables, no side effects on import."""

import ast
import importlib
import json
import os
import pkgutil
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import sf_dynamics as sf
from sf_dynamics.methods.protocol import SHARED_OPTIONS

ROOT = Path(__file__).resolve().parents[1]


def _tool(name):
    path = shutil.which(name) or str(Path(sys.executable).parent / name)
    if not Path(path).exists():
        pytest.fail(f"{name} is a test dependency (pip install -e '.[test]') but is not installed")
    return path


def test_import_contracts_hold():
    run = subprocess.run([_tool("lint-imports")], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "0 broken" in run.stdout


def test_ruff_is_clean():
    run = subprocess.run([_tool("ruff"), "check", "."], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-4000:]


def _documented_tables():
    text = (ROOT / "docs" / "methods.md").read_text(encoding="utf-8")
    tables, current = {}, None
    for line in text.splitlines():
        heading = re.match(r"^### `(\w+)`", line)
        if heading:
            current = tables.setdefault(heading.group(1), {})
            continue
        if line.startswith("## "):
            current = tables.setdefault("__shared__", {}) if "Shared option names" in line else None
            continue
        row = re.match(r"^\| `(\w+)` \| (.*) \|$", line)
        if row and current is not None:
            current[row.group(1)] = row.group(2)
    return tables


def test_option_tables_in_the_docs_are_the_methods_options():
    tables = _documented_tables()
    assert tables.pop("__shared__") == SHARED_OPTIONS
    assert sorted(tables) == sorted(sf.available_methods())
    for method, table in tables.items():
        assert table == {k: v.replace("|", "/") for k, v in sf.method_options(method).items()}, method


def test_import_changes_no_process_wide_setting():
    code = ("import json, os, numba; env = dict(os.environ); threads = numba.get_num_threads();"
            "import sf_dynamics; print(json.dumps([env == dict(os.environ), threads == numba.get_num_threads()]))")
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "NUMBA_NUM_THREADS")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == [True, True]


def test_every_module_declares_its_public_names():
    missing = []
    for info in pkgutil.walk_packages(sf.__path__, "sf_dynamics."):
        module = importlib.import_module(info.name)
        if not hasattr(module, "__all__"):
            missing.append(info.name)
            continue
        missing += [f"{info.name}.{name}" for name in module.__all__ if not hasattr(module, name)]
    assert not missing


def test_tests_import_no_other_test_module():
    offenders = []
    for path in (ROOT / "tests").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{path.name}: {n}" for n in names if re.search(r"(^|\.)test_\w+", n)]
    assert not offenders


def _is_private(part):
    return part.startswith("_") and not (part.startswith("__") and part.endswith("__"))


def _cross_private_imports(path):
    """``module:line imports target`` for each import of a private module or name of another subpackage.

    A private component (``_name``, not a dunder) belongs to the dotted name before it: a module or package.
    Its owner's subpackage (``sf_dynamics.<first part>``, or the root-level module itself) is the only
    one that may import it; private modules directly in ``sf_dynamics`` (``_validation``, ...) serve all.
    """
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    package = parts if path.name == "__init__.py" else parts[:-1]
    module = ".".join(parts)
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            source = ".".join(base + ([node.module] if node.module else []))
            targets = [f"{source}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            continue
        for target in targets:
            names = target.split(".")
            private = [i for i, part in enumerate(names) if _is_private(part)]
            if names[0] != "sf_dynamics" or not private:
                continue
            owner = names[: private[0]]
            if len(owner) > 1 and owner[:2] != parts[:2]:
                found.append(f"{module}:{node.lineno} imports {target}")
    return found


def test_no_module_imports_a_private_module_or_name_of_another_subpackage():
    offenders = [hit for path in sorted((ROOT / "sf_dynamics").rglob("*.py")) for hit in _cross_private_imports(path)]
    assert not offenders, "\n".join(offenders)


def test_the_version_is_the_same_in_the_package_the_readme_and_the_citation_file():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    citation = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    assert f"Version {sf.__version__} " in readme.splitlines()[2]
    assert f'version: "{sf.__version__}"' in citation
    assert "BSD 3-Clause" in (ROOT / "LICENSE").read_text(encoding="utf-8")
