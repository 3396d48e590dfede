"""Smoke runs of experiments/evans_hnatkovska2005.py: point mode and a short simulation."""

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
    out = tmp_path / "fi.json"
    _run("--point", "--config", "fi", "--lambda-n", "0.75", "--json", str(out))
    res = json.loads(out.read_text())
    assert set(res) == {"alpha_bar_home", "alpha_bar_foreign", "sigma0", "transition_eigenvalues"}
    np.testing.assert_allclose(res["alpha_bar_home"][2], 0.815268, atol=1e-6)
    np.testing.assert_allclose(res["alpha_bar_home"][:2], [0.0924, 0.0924], atol=1e-4)
    assert np.asarray(res["sigma0"]).shape == (4, 4)
    assert abs(res["transition_eigenvalues"][-1] - 1.0) < 1e-6


def test_short_simulation(tmp_path):
    out = tmp_path / "res.json"
    figs = tmp_path / "figs"
    proc = _run(
        "--config",
        "fi",
        "--runs",
        "4",
        "--quarters",
        "200",
        "--json",
        str(out),
        "--figures",
        str(figs),
    )
    for title in ("Table 5", "Table 8", "Table 2", "Table 4", "log IMRS", "Devereux"):
        assert title in proc.stdout
    res = json.loads(out.read_text())
    st = res["statistics"]
    assert 0 < st["fi"]["table2"]["equity"]["std"] < st["fi"]["table2"]["bonds"]["std"]
    np.testing.assert_allclose(res["alpha"]["fi_ds"], [0.25, 0.25, 0.5, 0.0], atol=1e-10)
    for name in ("figure5a.png", "figure5b.png"):
        assert (figs / name).stat().st_size > 10_000
