"""Estimation from a `.mod` file (issue 15 item 3): varobs, estimated_params (both forms, every
prior shape), measurement errors in the shocks block, estimation(...) options, and the loglik
and estimate commands against Dynare 5.3's log-likelihood (tests/reference/estimation)."""

import json
import math
import shutil
import warnings

import numpy as np
import pytest
from conftest import REFERENCE

import jaxmacro as jm
from jaxmacro.__main__ import main
from jaxmacro.compat import (
    ModError,
    ModWarning,
    estimation_data,
    estimation_problem,
    load_estimation,
    parse_mod,
)

REF = REFERENCE / "estimation"
LOGLIK = json.loads((REF / "loglik.json").read_text())

# A small linear model: two AR(1) processes, y observed with a measurement error.
BASE = """var y z w;
varexo e u;
parameters rho a b c d f g;
rho = 0.9; a = 0.5; b = 0.3; c = 0.2; d = 1; f = 0.5; g = 0.1;
model(linear);
  z = rho*z(-1) + e;
  w = a*w(-1) + u;
  y = z + b*w;
end;
steady_state_model; z = 0; w = 0; y = 0; end;
shocks;
  var e; stderr 0.01;
  var u; stderr 0.02;
  corr e, u = 0.1;
  var y; stderr 0.005;
end;
"""
N_BASE = BASE.count("\n")

BAYES = (
    BASE
    + """varobs y w;
estimated_params;
  rho, beta_pdf, 0.8, 0.1;
  a, 0.4, normal_pdf, 0.5, 0.2;
  b, 0.3, 0, 1, gamma_pdf, 0.4, 0.2;
  c, gamma_pdf, 0.5, 0.2, 0.1;
  d, uniform_pdf, , , 0, 2;
  f, uniform_pdf, 1, 0.2;
  stderr e, inv_gamma_pdf, 0.01, inf;
  stderr u, 0.02, inv_gamma1_pdf, 0.02, 0.01;
  corr e, u, 0.1, , , beta_pdf, 0, 0.3, -1, 1;
  stderr y, inv_gamma_pdf, 0.005, Inf;
  g, 0.1, normal_pdf, 0, 1, , , 0.5;
end;
estimated_params_init;
  a, 0.45;
end;
estimation(datafile='none.csv', first_obs=1, mh_replic=0, mode_compute=4);
"""
)

ML = (
    BASE
    + """varobs y w;
estimated_params;
  rho, 0.9, 0, 1;
  a, 0.5;
  b, 0.3, 0.1, inf;
  stderr e, 0.012;
  corr e, u, 0.1;
  stderr y, 0.004;
end;
"""
)


def _data(n_obs=2, T=40):
    return np.random.default_rng(3).normal(size=(T, n_obs)) * 0.02


def _problem(text, data=None, **kw):
    mod = parse_mod(text, filename="test.mod")
    return estimation_problem(mod, _data() if data is None else data, return_warnings=True, **kw)


def _err(capsys):
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return [ln for ln in err.splitlines() if ln.strip()]


# ------------------------------------------------------------------ against Dynare


@pytest.mark.parametrize("name", ["rbc", "two_country_bond"])
def test_loglik_command_equals_dynare(name, tmp_path, capsys):
    out = tmp_path / "ll.json"
    assert main(["loglik", str(REF / LOGLIK[name]["mod"]), "--json", str(out), "-q"]) == 0
    assert _err(capsys) == []
    got = json.loads(out.read_text())
    ref = LOGLIK[name]
    ll = got["loglik"]
    assert abs(ll - ref["loglik_dynare_default"]) <= 1e-6 * abs(ref["loglik_dynare_default"])
    assert abs(ll - ref["loglik_exact_filter"]) <= 1e-9 * abs(ref["loglik_exact_filter"])
    assert got["observables"] == ref["observables"] and got["params"] == {"rho": 0.95}
    assert got["nobs"] == 120 if name == "rbc" else 150


def test_measurement_errors_from_the_shocks_block():
    mod = parse_mod((REF / "two_country_bond_est.mod").read_text(), filename="x.mod")
    est = mod.estimation
    assert est.observables == ("y1", "c2", "nx1", "inv1")
    assert [m.names[0] for m in est.measurement_errors] == list(est.observables)
    assert all(m.kind == "stderr" for m in est.measurement_errors)
    problem, _ = estimation_problem(mod, _data(4, 10), return_warnings=True)
    me = LOGLIK["two_country_bond"]["measurement_error_std"]
    assert dict(problem.measurement_error) == dict(zip(est.observables, me))
    # the model's shocks are the varexo ones only: Σ as in the file
    S = np.asarray(problem.model.shock_covariance(problem.model.param_vector()))
    np.testing.assert_allclose(S, 1e-4 * np.array([[1, 0.25], [0.25, 1]]), rtol=1e-14)
    # a variance (var y = v) is a std of sqrt(v)
    text = BASE.replace("var y; stderr 0.005;", "var y = 0.0004;") + "varobs y w;\n"
    p2, _ = _problem(text)
    assert p2.measurement_error == {"y": pytest.approx(0.02, rel=1e-14)}


def test_estimate_command_writes_estimates_and_standard_errors(tmp_path, capsys):
    out = tmp_path / "est.json"
    argv = ["estimate", str(REF / "rbc_est.mod"), "--max-steps", "3", "--json", str(out), "-q"]
    assert main(argv) == 0
    got = json.loads(out.read_text())
    assert got["method"] == "maximum_likelihood" and got["steps"] <= 3
    assert set(got["estimates"]) == {"rho"} and 0.8 < got["estimates"]["rho"] < 1
    assert got["std_errors"]["rho"] is None or got["std_errors"]["rho"] > 0
    assert got["log_likelihood"] >= LOGLIK["rbc"]["loglik_exact_filter"] - 1e-6


# ------------------------------------------------------------------ parsing both forms


def test_bayesian_form_every_prior_shape():
    problem, notes = _problem(BAYES)
    p = problem.priors
    assert problem.names == (
        "rho",
        "a",
        "b",
        "c",
        "d",
        "f",
        "stderr_e",
        "stderr_u",
        "corr_e_u",
        "stderr_y",
        "g",
    )
    assert problem.labels[6:10] == ("stderr e", "stderr u", "corr e, u", "stderr y")
    by_hand = {
        "rho": jm.Beta(0.8, 0.1),
        "a": jm.Normal(0.5, 0.2),
        "b": jm.Gamma(0.4, 0.2),
        "c": jm.Gamma(0.5, 0.2, lower=0.1),
        "d": jm.Uniform(0.0, 2.0),
        "f": jm.Uniform(1 - math.sqrt(3) * 0.2, 1 + math.sqrt(3) * 0.2),
        "stderr_e": jm.InvGamma(0.01, math.inf),
        "stderr_u": jm.InvGamma(0.02, 0.01),
        "corr_e_u": jm.Beta(0.0, 0.3, -1.0, 1.0),
        "stderr_y": jm.InvGamma(0.005, math.inf),
        "g": jm.Normal(0.0, 1.0),
    }
    for n, pr in by_hand.items():
        assert type(p[n]) is type(pr) and p[n] == pr, n
    # INITIAL_VALUE, estimated_params_init, else the prior mean
    start = {"rho": 0.8, "a": 0.45, "b": 0.3, "c": 0.5, "d": 1.0, "f": 1.0, "g": 0.1}
    start |= {"stderr_e": 0.01, "stderr_u": 0.02, "corr_e_u": 0.1, "stderr_y": 0.005}
    assert dict(problem.start) == pytest.approx(start, rel=1e-14)
    assert problem.bayesian and problem.measurement_error == {"y": "stderr_y"}
    # bounds tighter than the prior's support are reported; mh_replic/mode_compute silent
    assert any("bounds [0, 1] of b" in n for n in notes)
    assert not any("mh_replic" in n or "mode_compute" in n for n in notes)
    # the estimated shock moments are parameters of the model: Σ at the start values
    m = problem.model
    S = np.asarray(m.shock_covariance(m.param_vector()))
    np.testing.assert_allclose(S, [[1e-4, 0.1 * 0.01 * 0.02], [0.1 * 0.01 * 0.02, 4e-4]], 1e-14)
    # one likelihood: the library's, at the start values
    r = problem.evaluate()
    x = {n: problem.start[n] for n in problem.names if n in m.param_names}
    me = {"y": 0.005}
    ll = jm.log_likelihood(jm.solve(m, x), problem.data, ["y", "w"], measurement_error=me)
    lp = sum(float(pr.logpdf(start[n])) for n, pr in by_hand.items())
    assert r["loglik"] == pytest.approx(float(ll), rel=1e-12)
    assert r["log_prior"] == pytest.approx(lp, rel=1e-12)


def test_maximum_likelihood_form_and_bounds():
    problem, _ = _problem(ML)
    p = problem.priors
    assert not problem.bayesian
    assert p["rho"] == jm.Bounded(0.0, 1.0) and p["a"] is None
    assert p["b"] == jm.Positive(0.1) and p["stderr_e"] == jm.Positive(0.0)
    assert p["corr_e_u"] == jm.Bounded(-1.0, 1.0) and p["stderr_y"] == jm.Positive(0.0)
    assert dict(problem.start) == {
        "rho": 0.9,
        "a": 0.5,
        "b": 0.3,
        "stderr_e": 0.012,
        "corr_e_u": 0.1,
        "stderr_y": 0.004,
    }
    # use_calibration: start from the file's values (the shocks block for stderr/corr)
    cal, _ = _problem(
        ML.replace("a, 0.5;", "a, 0.7;") + "estimated_params_init(use_calibration);\nend;\n"
    )
    assert cal.start["a"] == 0.5 and cal.start["stderr_e"] == pytest.approx(0.01, rel=1e-14)
    assert cal.start["corr_e_u"] == pytest.approx(0.1, rel=1e-12)
    assert cal.start["stderr_y"] == pytest.approx(0.005, rel=1e-14)


def test_sample_options_select_the_rows(tmp_path):
    shutil.copy(REF / "rbc.csv", tmp_path / "rbc.csv")
    text = (REF / "rbc_est.mod").read_text().replace("mode_compute=0", "first_obs=11, nobs=50")
    f = tmp_path / "rbc_est.mod"
    f.write_text(text)
    mod = parse_mod(text, filename=str(f))
    Y = estimation_data(mod)
    full = np.genfromtxt(REF / "rbc.csv", delimiter=",", skip_header=1)
    np.testing.assert_array_equal(Y[:, 0], full[10:60])
    with pytest.raises(ValueError, match="rows 11 to 200"):
        estimation_data(parse_mod(text.replace("nobs=50", "nobs=190"), filename=str(f)))


# ------------------------------------------------------------------ malformed blocks

BAD = [
    ("estimated_params;\n  zeta, 0.5;\nend;\n", 2, 3, "unknown parameter 'zeta'"),
    ("estimated_params;\n  rho, beta_df, 0.5, 0.1;\nend;\n", 2, 8, "unknown prior shape"),
    ("estimated_params;\n  rho, weibull_pdf, 0.5, 0.1;\nend;\n", 2, 8, "Weibull"),
    ("estimated_params;\n  rho, 0.5, 0.1;\nend;\n", 2, 3, "2 field(s) after the name"),
    ("estimated_params;\n  rho, beta_pdf, 0.5;\nend;\n", 2, 8, "1 field(s) after beta_pdf"),
    ("estimated_params;\n  rho, 0.5, beta_pdf, 0.5, 0.1, 1, 2, 3, 4;\nend;\n", 2, 13, "6 field"),
    ("estimated_params;\n  rho, 1, 2, beta_pdf, 0.5, 0.1;\nend;\n", 2, 3, "2 field(s) before"),
    ("estimated_params;\n  d, uniform_pdf, 1, 0.2, 0, 2;\nend;\n", 2, 6, "not both"),
    ("estimated_params;\n  stderr eps, 0.1;\nend;\n", 2, 10, "unknown exogenous variable 'eps'"),
    ("estimated_params;\n  corr e, eps, 0.1;\nend;\n", 2, 11, "unknown exogenous variable"),
    ("estimated_params;\n  stderr z, 0.1;\nend;\n", 2, 3, "not observed"),
    ("estimated_params;\n  y, 0.1;\nend;\n", 2, 3, "not a parameter"),
    ("estimated_params;\n  rho, 0.5;\n  a, normal_pdf, 0, 1;\nend;\n", 3, 3, "mixes"),
    ("estimated_params;\n  rho, 0.5;\n  rho, 0.6;\nend;\n", 3, 3, "estimated twice"),
    ("estimated_params_init;\n  a, 0.5;\nend;\n", 2, 3, "not in an estimated_params"),
    ("estimated_params;\n  rho, 0.5;\n", 3, 1, "missing 'end;'"),
    ("varobs q;\n", 1, 8, "'q' is not declared"),
    ("varobs e;\n", 1, 8, "exogenous"),
]


@pytest.mark.parametrize("snippet, line, col, fragment", BAD)
def test_malformed_blocks_name_line_and_column(snippet, line, col, fragment):
    text = BASE + "varobs y w;\n" + snippet if not snippet.startswith("varobs") else BASE + snippet
    offset = N_BASE + (0 if snippet.startswith("varobs") else 1)
    with pytest.raises(ModError) as ei:
        parse_mod(text, filename="bad.mod")
    e = ei.value
    assert fragment in e.reason, e
    assert (e.line, e.column) == (offset + line, col), e


def test_measurement_error_on_an_unobserved_variable():
    text = BASE.replace("var y; stderr 0.005;", "var y; stderr 0.005;\n  var z; stderr 0.1;")
    with pytest.raises(ModError, match="not an observed variable") as ei:
        parse_mod(text + "varobs y w;\n", filename="bad.mod")
    assert ei.value.line == 16 and ei.value.column == 3
    with pytest.raises(ModError, match="correlated measurement errors"):
        parse_mod(
            BASE.replace("corr e, u = 0.1;", "corr y, w = 0.1;") + "varobs y w;\n",
            filename="bad.mod",
        )


def test_bad_prior_and_start_values_name_the_line():
    with pytest.raises(ModError, match="no beta distribution") as ei:
        _problem(BASE + "varobs y w;\nestimated_params;\n  rho, beta_pdf, 0.5, 0.9;\nend;\n")
    assert ei.value.line == N_BASE + 3
    with pytest.raises(ModError, match="outside the bounds"):
        _problem(BASE + "varobs y w;\nestimated_params;\n  rho, 1.5, 0, 1;\nend;\n")
    with pytest.raises(ModError, match="lik_init=3"):
        _problem(ML + "estimation(lik_init=3);\n")
    with pytest.raises(ModError, match="no varobs"):
        _problem(BASE)


# ------------------------------------------------------------------ files around estimation


def test_verbatim_and_matlab_code_around_estimation_import_with_warnings():
    text = (
        BASE
        + """verbatim;
  x = {1, 'a'}; disp(x{1});
end;
varobs y w;
options_.plot_priors = 0;
estimated_params;
  rho, beta_pdf, 0.8, 0.1;
end;
for i = 1:3, disp(i); end
estimation(datafile=none, prefilter=1, mode_compute=0) y;
oo_.posterior_mode.parameters.rho'
"""
    )
    mod = parse_mod(text, filename="around.mod")
    assert mod.estimation.observables == ("y", "w")
    assert {s.what.split()[0] for s in mod.skipped} >= {"Dynare", "MATLAB"}
    problem, notes = estimation_problem(mod, _data(), return_warnings=True)
    assert problem.priors["rho"] == jm.Beta(0.8, 0.1)
    assert any("prefilter=1 is not honoured" in n for n in notes)
    # the replication-style reference file: verbatim, MATLAB, two stoch_simul
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        rw = load_estimation(REFERENCE / "realworld" / "realworld.mod", data=_data(1, 30))
    msgs = " | ".join(str(x.message) for x in w if issubclass(x.category, ModWarning))
    # the estimation statements are used, so not reported as skipped
    assert "verbatim" in msgs and "MATLAB code" in msgs and "'varobs'" not in msgs
    assert rw.priors["rho"] == jm.Beta(0.9, 0.05) and rw.start["rho"] == 0.9


# ------------------------------------------------------------------ command-line failures


def _write(tmp_path, text, name="m.mod"):
    f = tmp_path / name
    f.write_text(text)
    return str(f)


def test_command_line_failures_are_one_line(tmp_path, capsys):
    ml = _write(tmp_path, ML)
    cases = [
        (["loglik", ml, "--data", str(tmp_path / "missing.csv")], 2, "cannot read the data file"),
        (["loglik", ml], 2, "no data file"),
        (["loglik", _write(tmp_path, BASE, "novarobs.mod")], 2, "no varobs"),
        (["estimate", ml, "--data", str(tmp_path / "x.txt")], 2, "CSV"),
    ]
    (tmp_path / "hdr.csv").write_text("y,q\n1,2\n")
    cases.append((["loglik", ml, "--data", str(tmp_path / "hdr.csv")], 2, "no column for"))
    (tmp_path / "x.txt").write_text("y,w\n1,2\n")
    for argv, status, fragment in cases:
        assert main(argv + ["-q"]) == status, argv
        lines = _err(capsys)
        assert len(lines) == 1 and lines[0].startswith("jaxmacro: error: "), lines
        assert fragment in lines[0], lines


def test_loglik_cannot_solve_is_exit_1(tmp_path, capsys):
    # same model and data as the Dynare test (compiled code reused), explosive start value
    shutil.copy(REF / "rbc.csv", tmp_path / "rbc.csv")
    text = (REF / "rbc_est.mod").read_text().replace("rho, 0.95;", "rho, 1.5;")
    f = _write(tmp_path, text, "rbc_est.mod")
    assert main(["loglik", f, "-q"]) == 1
    lines = _err(capsys)
    assert len(lines) == 1 and "no likelihood at the initial values" in lines[0]


def test_check_reports_the_estimation(capsys):
    assert main(["check", str(REF / "two_country_bond_est.mod"), "-q"]) == 0
    out = capsys.readouterr().out
    assert "estimation: varobs y1 c2 nx1 inv1; 1 estimated (rho); 4 measurement error(s)" in out
