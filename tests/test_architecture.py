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
from sf_dynamics.solvers import COMMON_OPTIONS

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
            current = tables.setdefault("__common__", {}) if "common options" in line else None
            continue
        row = re.match(r"^\| `(\w+)` \| (.*) \|$", line)
        if row and current is not None:
            current[row.group(1)] = row.group(2)
    return tables


def test_option_tables_in_the_docs_are_the_solvers_options():
    tables = _documented_tables()
    assert tables.pop("__common__") == COMMON_OPTIONS
    assert sorted(tables) == sorted(sf.available_methods())
    for method, table in tables.items():
        assert table == {k: v.replace("|", "/") for k, v in sf.method_options(method).items()}, method


def test_every_method_accepts_the_common_options():
    for method in sf.available_methods():
        assert list(sf.method_options(method))[: len(COMMON_OPTIONS)] == list(COMMON_OPTIONS)


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
