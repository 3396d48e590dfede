"""The command line: ``python -m jaxmacro solve MODEL.mod ...``."""

import importlib.util
import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

from jaxmacro.__main__ import main

REFERENCE = pathlib.Path(__file__).resolve().parent / "reference"
HAVE_ORDER2 = importlib.util.find_spec("jaxmacro._perturbation._second_order") is not None
KEYS1 = ["ys", "order_var", "state_var", "ghx", "ghu", "endo_names", "exo_names"]
KEYS2 = [
    "ys",
    "order_var",
    "state_var",
    "ghx",
    "ghu",
    "ghxx",
    "ghxu",
    "ghuu",
    "ghs2",
    "endo_names",
    "exo_names",
]

EXPLOSIVE = """var x;
varexo e;
parameters rho;
rho = 1.5;
model;
  x = rho*x(-1) + e;
end;
shocks; var e; stderr 0.01; end;
"""
NO_STEADY_STATE = """var x;
varexo e;
model;
  x*x + 1 = 0.5*x(-1) + e;
end;
initval; x = 1; end;
"""


def run_cli(*args):
    env = dict(os.environ, JAX_PLATFORMS="cpu")
    return subprocess.run(
        [sys.executable, "-m", "jaxmacro", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def compare(out: dict, ref: dict, keys, atol):
    assert list(out) == keys
    for k in keys:
        if k in ("order_var", "state_var", "endo_names", "exo_names"):
            assert out[k] == ref[k], k
            assert all(isinstance(x, str) for x in out[k])
        else:
            np.testing.assert_allclose(
                np.asarray(out[k]), np.asarray(ref[k]), rtol=0, atol=atol, err_msg=k
            )


def last_line(stderr: str) -> str:
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    return lines[-1] if lines else ""


def test_subprocess_solve_writes_dynare_json(tmp_path):
    out = tmp_path / "rbc.json"
    r = run_cli("solve", REFERENCE / "rbc" / "rbc.mod", "--order", 1, "--json", out)
    assert r.returncode == 0, r.stderr
    for section in (
        "STEADY STATE",
        "BLANCHARD-KAHN",
        "rank condition verified",
        "POLICY AND TRANSITION FUNCTIONS",
        "k(-1)",
    ):
        assert section in r.stdout
    ref = json.loads((REFERENCE / "rbc" / "dr_order1.json").read_text())
    compare(json.loads(out.read_text()), ref, KEYS1, atol=1e-9)


@pytest.mark.skipif(not HAVE_ORDER2, reason="jaxmacro._second_order not available yet")
def test_order2_json(tmp_path, capsys):
    out = tmp_path / "rbc2.json"
    assert (
        main(["solve", str(REFERENCE / "rbc" / "rbc.mod"), "--order", "2", "--json", str(out)]) == 0
    )
    assert "k(-1),z(-1)" in capsys.readouterr().out  # second-order rows of the table
    ref = json.loads((REFERENCE / "rbc" / "dr_order2.json").read_text())
    compare(json.loads(out.read_text()), ref, KEYS2, atol=1e-8)


def test_subprocess_parse_error(tmp_path):
    bad = tmp_path / "bad.mod"
    bad.write_text(EXPLOSIVE.replace("rho*x(-1)", "rho*x(-1"))
    r = run_cli("solve", bad, "--json", tmp_path / "out.json")
    assert r.returncode == 2
    msg = last_line(r.stderr)
    assert msg.startswith("jaxmacro: error: parse error: ")
    assert "line 6, column 16" in msg and "')'" in msg
    assert not (tmp_path / "out.json").exists()
    assert r.stdout == ""


def test_subprocess_blanchard_kahn_failure(tmp_path):
    path = tmp_path / "explosive.mod"
    path.write_text(EXPLOSIVE)
    r = run_cli("solve", path, "--order", 1, "--json", tmp_path / "out.json")
    assert r.returncode == 1
    msg = last_line(r.stderr)
    assert msg.startswith("jaxmacro: error: model 'explosive' cannot be solved: ")
    assert "Blanchard-Kahn" in msg
    assert not (tmp_path / "out.json").exists()


# In-process runs of main(): same code, no interpreter start-up.
def test_defines_and_file_order(tmp_path, capsys):
    """-DCALIB=2 picks the second calibration; the order comes from the file (ORDER=1)."""
    out = tmp_path / "ds.json"
    path = REFERENCE / "lucas_trees_ds" / "lucas_trees_ds.mod"
    assert main(["solve", str(path), "-DCALIB=2", "--json", str(out), "--quiet"]) == 0
    assert capsys.readouterr().out == ""
    ref = json.loads((REFERENCE / "lucas_trees_ds" / "dr_order1_calib2.json").read_text())
    compare(json.loads(out.read_text()), ref, KEYS1, atol=1e-9)


def test_param_override(tmp_path, capsys):
    out = tmp_path / "rbc.json"
    args = [
        "solve",
        str(REFERENCE / "rbc" / "rbc.mod"),
        "-D",
        "ORDER=1",
        "--param",
        "beta=0.98",
        "--json",
        str(out),
    ]
    assert main(args) == 0
    assert "MODEL rbc" in capsys.readouterr().out
    d = json.loads(out.read_text())
    assert list(d) == KEYS1
    k = (0.36 / (1 / 0.98 - 1 + 0.025)) ** (1 / (1 - 0.36))
    assert d["ys"][d["endo_names"].index("k")] == pytest.approx(k, rel=1e-13)


def test_no_steady_state(tmp_path, capsys):
    path = tmp_path / "nss.mod"
    path.write_text(NO_STEADY_STATE)
    assert main(["solve", str(path), "--order", "1"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("jaxmacro: error: model 'nss' cannot be solved: steady_state")
    assert "\n" not in err


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["--param", "gamma=2"], "unknown parameter 'gamma'"),
        (["--param", "beta"], "expected NAME=VALUE"),
        (["--param", "beta=abc"], "not a number"),
        (["-D", "1X=2"], "not a valid macro variable name"),
    ],
)
def test_bad_arguments(capsys, args, fragment):
    rc = main(["solve", str(REFERENCE / "rbc" / "rbc.mod"), *args])
    assert rc == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("jaxmacro: error: ") and fragment in err and "\n" not in err


def test_missing_file(tmp_path, capsys):
    assert main(["solve", str(tmp_path / "nope.mod")]) == 2
    assert "cannot read" in capsys.readouterr().err
