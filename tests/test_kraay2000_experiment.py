"""Smoke runs of experiments/kraay2000_country_portfolios.py (quick mode and point mode)."""

import json
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "experiments" / "kraay2000_country_portfolios.py"
POINT_KEYS = {
    "k", "k_star", "e", "e_star", "l", "r", "rho", "rho_star", "v", "v_star", "f_over_a",
    "f_star_over_a_star", "regime",
}  # fmt: skip


def _run(*args, timeout=120):
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def test_quick_run(tmp_path):
    out = tmp_path / "results.json"
    figs = tmp_path / "figs"
    proc = _run("--quick", "--json", str(out), "--figures", str(figs))
    assert "Table 5" in proc.stdout and "Table 6" in proc.stdout and "Base case" in proc.stdout
    res = json.loads(out.read_text())
    for key in ("table5_sigma0", "table5_sigma005", "table6_v_star", "table6_ev_over_a_star"):
        assert res["tables"][key]["max_abs_diff"] <= 6e-4, key
    assert res["tables"]["tables_all_solved"]
    assert abs(res["base_case"]["North NFA f/a (%)"] - 10.56) < 0.01
    for name in ("figure7.png", "figure8.png", "figure9.png"):
        assert (figs / name).stat().st_size > 10_000
    assert res["simulation"]["n_failed"] == 0


def test_point_mode(tmp_path):
    out = tmp_path / "point.json"
    proc = _run(
        "--point", "--gamma", "0.2", "--sigma", "0.05", "--alpha", "0.02", "--lam", "0.2",
        "--delta", "0.02", "--theta", "0.04", "--wealth-share", "0.8", "--json", str(out),
    )  # fmt: skip
    printed = json.loads(proc.stdout)
    written = json.loads(out.read_text())
    assert printed == written
    assert set(written) == POINT_KEYS
    assert written["regime"] == [False, True]
    # Base case of spec §4.4.
    for key, ref, tol in (
        ("k", 0.715527, 1e-6),
        ("e", 0.0, 0.0),
        ("e_star", 0.042105, 1e-6),
        ("l", 0.050128, 1e-6),
        ("v_star", 0.815691, 1e-6),
        ("f_over_a", 0.1056, 1e-4),
    ):
        assert abs(written[key] - ref) <= tol, key
    # Table 6 cell (gamma=0.2, alpha=0.02) with the normalised theta and lambda -> 0.
    proc = _run(
        "--point", "--gamma", "0.2", "--sigma", "0.05", "--alpha", "0.02", "--lam", "0.001",
        "--delta", "0.02", "--theta", "0.04", "--wealth-share", "0.8", "--theta-mode", "avg_return_4pct",
    )  # fmt: skip
    cell = json.loads(proc.stdout)
    assert abs(cell["v_star"] - 0.763) <= 6e-4 and abs(cell["f_over_a"] - 0.110) <= 6e-4
