"""The command line on real-world files (issue 14) and its failure contract (issue 16
item 9): one line on stderr, exit 1 (cannot solve) or 2 (bad input), never a traceback."""

import json
import pathlib

import numpy as np
import pytest

from jaxmacro.__main__ import main

REFERENCE = pathlib.Path(__file__).resolve().parent / "reference"
REALWORLD = REFERENCE / "realworld" / "realworld.mod"
LINEAR = """var x;
varexo e;
parameters rho;
rho = 0.5;
model(linear);
  x = rho*x(-1) + e;
end;
shocks; var e; stderr 0.01; end;
stoch_simul(order=3, irf=0);
figure; plot(oo_.dr.ghx');
"""


def _err(capsys):
    err = capsys.readouterr().err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert "Traceback" not in err
    return lines


def test_solve_replication_style_file_matches_dynare(tmp_path, capsys):
    out = tmp_path / "dr.json"
    assert main(["solve", str(REALWORLD), "--order", "1", "--json", str(out), "-q"]) == 0
    ref = json.loads((REFERENCE / "realworld" / "dr_order2.json").read_text())
    got = json.loads(out.read_text())
    for v, y in zip(ref["endo_names"][: ref["orig_endo_nbr"]], ref["ys"]):
        assert abs(got["ys"][got["endo_names"].index(v)] - y) < 1e-9
    assert _err(capsys) == []  # --quiet: no warnings either


def test_order_three_is_solved_at_two_with_a_warning(tmp_path, capsys):
    f = tmp_path / "lin.mod"
    f.write_text(LINEAR)
    out = tmp_path / "dr.json"
    assert main(["solve", str(f), "--json", str(out)]) == 0
    lines = _err(capsys)
    assert any("order=3" in ln for ln in lines) and any("skipped 1" in ln for ln in lines)
    got = json.loads(out.read_text())
    assert "ghs2" in got  # order 2
    np.testing.assert_allclose(got["ghx"], [[0.5]], atol=1e-14)  # closed form


def test_check_reports_parsed_skipped_steady_state_and_bk(capsys):
    assert main(["check", str(REALWORLD)]) == 0
    out = capsys.readouterr().out
    assert "SKIPPED (11)" in out and "verbatim" in out and "MATLAB code 'close all'" in out
    assert "predetermined_variables k" in out and "1 mod-file local variable" in out
    assert "STEADY STATE: successful" in out and "BLANCHARD-KAHN" in out and "verified" in out


def test_check_names_singular_equations(tmp_path, capsys):
    f = tmp_path / "sing.mod"
    f.write_text(
        "var p q;\nvarexo e;\nmodel;\n  p = p(-1) + e;\n  q = 2*q(-1) + p;\nend;\n"
        "initval; p = 1; q = 1; end;\n"
    )
    assert main(["check", str(f)]) == 1
    out = capsys.readouterr().out
    assert "singular" in out and "equation 1" in out


@pytest.mark.parametrize(
    "setup, args, status, fragment",
    [
        (
            lambda d: (d / "bin.mod").write_bytes(b"\x00\x01binary"),
            ["solve", "{d}/bin.mod"],
            2,
            "NUL",
        ),
        (
            lambda d: (d / "m.mod").write_text(LINEAR),
            ["solve", "{d}/m.mod", "--param", "rho=nan"],
            2,
            "finite",
        ),
        (
            lambda d: (d / "m.mod").write_text(LINEAR),
            ["solve", "{d}/m.mod", "--json", "{d}/no/such/dir/x.json"],
            2,
            "cannot write",
        ),
        (
            lambda d: (d / "m.mod").write_text(
                "var x;\nvarexo e;\nparameters a;\na = 1;\nmodel;\n"
                "x = a*x(-1)" + " + 0*x" * 700 + " + e;\nend;\n"
            ),
            ["solve", "{d}/m.mod"],
            2,
            "nested more than",
        ),
        (
            lambda d: (d / "m.mod").write_text(
                "var x;\nvarexo e;\nmodel;\nx = x(-1000000) + e;\nend;\n"
            ),
            ["solve", "{d}/m.mod"],
            2,
            "longer than",
        ),
    ],
)
def test_failures_are_one_line_with_the_right_status(
    tmp_path, capsys, setup, args, status, fragment
):
    setup(tmp_path)
    argv = [a.format(d=tmp_path) for a in args]
    assert main(argv) == status
    lines = [ln for ln in _err(capsys) if not ln.startswith("jaxmacro: warning: ")]
    assert len(lines) == 1 and lines[0].startswith("jaxmacro: error: ") and fragment in lines[0]


def test_portfolio_json_to_missing_directory(tmp_path, capsys):
    mod = REFERENCE / "lucas_trees_ds" / "lucas_trees_ds.mod"
    status = main(
        [
            "portfolio",
            str(mod),
            "--excess-returns",
            "rx",
            "--differential",
            "cdiff",
            "--xi",
            "zeta",
            "-D",
            "CALIB=1",
            "--json",
            str(tmp_path / "no" / "x.json"),
            "-q",
        ]
    )
    assert status == 2
    lines = _err(capsys)
    assert len(lines) == 1 and "cannot write" in lines[0]
