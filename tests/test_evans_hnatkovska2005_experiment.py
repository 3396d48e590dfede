"""Smoke run of experiments/evans_hnatkovska2005.py as a script (fa point mode).

The fi point mode and the short simulation run in-process in tests/test_evans_hnatkovska2005.py
(they reuse that module's compiled solutions, which keeps the suite within its time budget).
"""

import json
import pathlib
import subprocess
import sys

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "experiments" / "evans_hnatkovska2005.py"


def _run(*args, timeout=300):
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def test_point_mode(tmp_path):
    out = tmp_path / "fa.json"
    _run("--point", "--config", "fa", "--json", str(out))
    res = json.loads(out.read_text())
    assert set(res) == {
        "alpha_bar_home",
        "alpha_bar_foreign",
        "transition_eigenvalues",
        "dividend_rule",
        "capital_rule",
    }
    np.testing.assert_allclose(res["dividend_rule"], [0.583792, 0.117748, 0.031021], atol=1e-6)
    np.testing.assert_allclose(res["capital_rule"], [0.972964, 0.076124, -0.001973], atol=1e-6)
    np.testing.assert_allclose(res["transition_eigenvalues"], [0.78, 0.972964, 0.99], atol=1e-6)
    np.testing.assert_allclose(res["alpha_bar_home"], [0.5, 0.0, 0.5, 0.0], atol=1e-12)
