"""`python -m jaxmacro portfolio` reproduces Dynare's Devereux-Sutherland fixture (ds.json)."""

import json
import subprocess
import sys

import numpy as np
import pytest
from helpers import REFERENCE

DS = json.loads((REFERENCE / "lucas_trees_ds" / "ds.json").read_text())


@pytest.mark.parametrize("cal", DS["calibrations"], ids=lambda c: f"calib{c['calib']}")
def test_portfolio_cli_matches_ds_json(cal, tmp_path):
    out = tmp_path / "ds.json"
    cmd = [
        sys.executable,
        "-m",
        "jaxmacro",
        "portfolio",
        str(REFERENCE / "lucas_trees_ds" / "lucas_trees_ds.mod"),
        "--excess-returns",
        "rx",
        "--differential",
        "cdiff",
        "--xi",
        "zeta",
        "-D",
        f"CALIB={cal['calib']}",
        "--json",
        str(out),
    ]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr
    got = json.loads(out.read_text())
    assert sorted(got) == ["D1", "D2", "R1", "R2", "alpha_tilde"]
    for k in ("alpha_tilde", "R1", "R2", "D1", "D2"):
        ref = np.atleast_2d(np.asarray(cal[k], dtype=float))
        np.testing.assert_allclose(np.atleast_2d(got[k]), ref, rtol=1e-9, atol=1e-12, err_msg=k)


def test_portfolio_cli_unknown_variable(tmp_path):
    cmd = [
        sys.executable,
        "-m",
        "jaxmacro",
        "portfolio",
        str(REFERENCE / "lucas_trees_ds" / "lucas_trees_ds.mod"),
        "--excess-returns",
        "rxx",
        "--differential",
        "cdiff",
        "--xi",
        "zeta",
    ]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert p.returncode != 0
    assert "rxx" in p.stderr and len(p.stderr.strip().splitlines()) == 1
