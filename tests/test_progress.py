"""Progress reporting: tqdm on a terminal, plain lines (no carriage returns) in logs."""

import io
import sys

from sf_dynamics import _progress


def test_logs_get_plain_lines_per_stage_and_per_ten_percent(monkeypatch):
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    with _progress.progress_bar(True, total=3, desc="report", unit="stage") as bar:
        for name in ("a", "b", "c"):
            bar.set_description(f"report: {name}")
            bar.update(1)
    with _progress.progress_bar(True, total=1000, desc="twa", unit="traj") as bar:
        for _ in range(100):
            bar.update(10)
    text = stream.getvalue()
    assert "\r" not in text
    assert "report: b: started" in text and "report: c: done (3/3 stage)" in text
    assert sum("twa:" in line for line in text.splitlines()) == 10


def test_automatic_progress_is_silent_for_small_problems(monkeypatch):
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    with _progress.progress_bar(None, total=10, size=1) as bar:
        bar.update(10)
    assert stream.getvalue() == ""
