"""More than 100 bad or edge inputs through the public API and the command line: every one gives a clear
error (naming the parameter) or a valid result; no crash, hang or silent result (scripts/robustness_check.py)."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "robustness_check.py"


@pytest.mark.slow
def test_bad_inputs_give_clear_errors_and_nothing_crashes_hangs_or_passes_silently():
    proc = subprocess.run([sys.executable, str(SCRIPT), "--timeout", "120"], capture_output=True, text=True,
                          timeout=1800)
    summary = proc.stdout.strip().splitlines()[-1]
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    total = int(re.match(r"(\d+) inputs", summary).group(1))
    clear = int(re.search(r"(\d+) clear error", summary).group(1))
    assert total >= 100 and clear >= 100, summary
    for word in ("crashes", "hangs", "silent results"):
        assert f"0 {word}" in summary, summary
