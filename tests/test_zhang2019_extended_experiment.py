"""Smoke run of experiments/zhang2019_extended.py (--quick), checking its JSON and figures."""

import json
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "experiments" / "zhang2019_extended.py"
KEYS = {
    "beta", "delta", "delta_star", "kappa", "r", "nfa_gdp", "capital_gdp", "alpha", "alpha_star",
    "ga_gdp", "gl_gdp", "local_share_home", "local_share_foreign", "self_hedging", "nfi_hedging",
    "nfa_hedging_home", "nfa_hedging_foreign", "demographic",
}  # fmt: skip
SPEC = {  # spec §4.5 (β, δ, δ*) for the first two target sets (the third row: see
    # test_zhang2019_extended.py::test_spec_row_2009_2017_from_unrounded_targets)
    "1999-2017": (0.975058, 0.104275, 0.094693),
    "1999-2008": (0.970854, 0.108983, 0.100631),
}


def test_quick_run(tmp_path):
    out = tmp_path / "results.json"
    figs = tmp_path / "figs"
    proc = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "--quick",
            "--no-progress",
            "--json",
            str(out),
            "--figures",
            str(figs),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    for section in ("Table 5", "Table 4", "Table 6"):
        assert section in proc.stdout
    res = json.loads(out.read_text())
    for per in ("1999-2017", "1999-2008", "2009-2017"):
        assert KEYS <= set(res[per]), per
    for per, (b, d, ds) in SPEC.items():
        assert res[per]["beta"] == pytest.approx(b, abs=1e-6)
        assert res[per]["delta"] == pytest.approx(d, abs=1e-6)
        assert res[per]["delta_star"] == pytest.approx(ds, abs=1e-6)
    whole = res["1999-2017"]
    assert whole["r"] == pytest.approx(2.66, abs=1e-8)
    assert whole["nfa_gdp"] == pytest.approx(0.20, abs=1e-8)
    assert whole["capital_gdp"] == pytest.approx(3.74, abs=1e-8)
    assert whole["alpha"] == pytest.approx(-0.85, abs=0.03)
    assert whole["self_hedging"] == pytest.approx(-1.866, abs=0.01)
    assert whole["nfi_hedging"] == pytest.approx(1.2, abs=0.03)
    assert whole["nfa_hedging_home"] == pytest.approx(-0.110, abs=0.005)
    assert whole["nfa_hedging_foreign"] == pytest.approx(0.091, abs=0.005)
    assert whole["gl_gdp"] == pytest.approx(-whole["alpha"], abs=1e-12)
    assert round(whole["local_share_home"], 2) == 0.78
    assert round(whole["local_share_foreign"], 2) == 0.82
    for name in ("calibration_convergence.png", "portfolio_decomposition.png"):
        assert (figs / name).stat().st_size > 10_000
