"""Every code block of the README runs as written.

Python blocks are executed one by one, each in a fresh namespace and an empty folder (each block is
self-contained). In bash blocks every ``sf-dynamics`` command is run as written; ``pip install`` lines are
what the CI entry point itself runs. Blocks of other languages (the package layout) are not code.
"""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"

pytestmark = pytest.mark.docs


def blocks(language):
    tokens = MarkdownIt("commonmark").parse(README.read_text(encoding="utf-8"))
    found = [(t.map[0] + 1, t.content) for t in tokens if t.type == "fence" and t.info.strip() == language]
    return found


def test_the_readme_has_runnable_blocks():
    assert len(blocks("python")) >= 5
    assert any("pytest" in code for _, code in blocks("bash"))


@pytest.mark.slow
@pytest.mark.parametrize("line, code", blocks("python"), ids=[f"line{line}" for line, _ in blocks("python")])
def test_python_block_runs(line, code, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    # run as a script is run (python block.py): a block guarded by if __name__ == "__main__" runs too
    exec(compile(code, f"README.md:{line}", "exec"), {"__name__": "__main__"})


def commands():
    out = []
    for line, code in blocks("bash"):
        for text in code.splitlines():
            text = text.split("#", 1)[0].strip()
            for part in text.split("&&"):
                part = part.strip()
                if part.startswith("sf-dynamics"):
                    out.append((line, part))
    return out


@pytest.mark.slow
@pytest.mark.e2e
@pytest.mark.parametrize("line, command", commands(), ids=[f"line{line}" for line, _ in commands()])
def test_bash_commands_run(line, command, tmp_path):
    argv = shlex.split(command)
    env = dict(os.environ, MPLBACKEND="Agg")
    proc = subprocess.run([sys.executable, "-m", "sf_dynamics.cli", *argv[1:]], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert re.search(r"wrote", proc.stdout)


def test_the_performance_tables_are_the_benchmark_results():
    """No number of the README's performance tables is typed by hand: they are benchmarks/results/full.json."""
    root = README.parent
    done = subprocess.run([sys.executable, str(root / "benchmarks" / "run_all.py"), "--check"], cwd=root,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert README.read_text(encoding="utf-8").count("<!-- benchmark:") >= 9


def test_every_readme_image_exists_and_has_a_regeneration_run():
    """The README shows exactly the figures scripts/readme_figures.py regenerates, and each file exists."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("readme_figures", ROOT / "scripts" / "readme_figures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    shown = re.findall(r"!\[[^\]]*\]\(docs/([^)]+)\)", README.read_text(encoding="utf-8"))
    assert sorted(shown) == sorted(module.FIGURES)
    for name in shown:
        assert (ROOT / "docs" / name).stat().st_size > 1000, name
