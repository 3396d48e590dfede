"""The demo (`make demo`) runs and writes its plots and summary."""

import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_demo_runs(tmp_path):
    p = subprocess.run(
        [
            sys.executable,
            str(ROOT / "experiments" / "demo.py"),
            "--out",
            str(tmp_path),
            "--periods",
            "12",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert p.returncode == 0, p.stderr[-3000:]
    for f in ("irf_two_country.png", "moments_grid.png", "summary.txt"):
        assert (tmp_path / f).stat().st_size > 1000
    text = (tmp_path / "summary.txt").read_text()
    assert "60 solved successfully" in text
    assert "Blanchard-Kahn: 5 stable" in text
