"""Issue 14: `.mod` files as their authors write them, against Dynare 5.3 fixtures and
closed forms: MATLAB code in the file, encodings and line endings, several stoch_simul,
orders above 2, parameters calibrated in steady_state_model, predetermined_variables,
steady_state(), leads on shocks, mod-file local variables, leads >= 2 inside nonlinear
expressions at order 2 (defect 1), linear models whose initval already solves a singular
static system (defect 2), and the bounds of issue 16 items 7-8."""

import json
import pathlib
import warnings

import jax
import numpy as np
import pytest

import jaxmacro as jm
from jaxmacro.compat import ModError, ModWarning, build_model, load_mod, parse_mod, to_dynare
from jaxmacro.compat._ast import Endo, to_source
from jaxmacro.compat._source import decode

REFERENCE = pathlib.Path(__file__).resolve().parent / "reference"


def compare_declared(sol, ref: dict, order: int, atol: float):
    """Rules of the declared variables (rows) on the states (columns, matched by name; Dynare
    names lead auxiliaries differently, but those are never states) against a fixture."""
    dr = to_dynare(sol)
    n_decl = ref["orig_endo_nbr"]
    decl = ref["endo_names"][:n_decl]
    assert sorted(dr["state_var"]) == sorted(ref["state_var"])
    ours_r = {v: i for i, v in enumerate(dr["order_var"])}
    ref_r = {v: i for i, v in enumerate(ref["order_var"])}
    sv = ref["state_var"]
    ours_c = [dr["state_var"].index(s) for s in sv]
    ys_ours = dict(zip(dr["endo_names"], np.asarray(dr["ys"])))
    for v, y in zip(ref["endo_names"][:n_decl], ref["ys"]):
        assert abs(ys_ours[v] - y) <= atol * max(1, abs(y)), v
    ri = [ours_r[v] for v in decl]
    rr = [ref_r[v] for v in decl]
    np.testing.assert_allclose(
        np.asarray(dr["ghx"])[ri][:, ours_c],
        np.asarray(ref["ghx"])[rr],
        rtol=atol,
        atol=atol,
        err_msg="ghx",
    )
    np.testing.assert_allclose(
        np.asarray(dr["ghu"])[ri], np.asarray(ref["ghu"])[rr], rtol=atol, atol=atol, err_msg="ghu"
    )
    if order >= 2:
        ns, ne = len(sv), len(ref["exo_names"])
        pair = [a * ns + b for a in ours_c for b in ours_c]
        pxu = [a * ne + k for a in ours_c for k in range(ne)]
        np.testing.assert_allclose(
            np.asarray(dr["ghxx"])[ri][:, pair],
            np.asarray(ref["ghxx"])[rr],
            rtol=atol,
            atol=atol,
            err_msg="ghxx",
        )
        np.testing.assert_allclose(
            np.asarray(dr["ghxu"])[ri][:, pxu],
            np.asarray(ref["ghxu"])[rr],
            rtol=atol,
            atol=atol,
            err_msg="ghxu",
        )
        np.testing.assert_allclose(
            np.asarray(dr["ghuu"])[ri],
            np.asarray(ref["ghuu"])[rr],
            rtol=atol,
            atol=atol,
            err_msg="ghuu",
        )
        np.testing.assert_allclose(
            np.asarray(dr["ghs2"])[ri],
            np.asarray(ref["ghs2"])[rr],
            rtol=atol,
            atol=atol,
            err_msg="ghs2",
        )


# ------------------------------------------------------------------ defect 1
def test_lead_two_inside_a_power_matches_dynare_at_order_2():
    """c(+2) inside (c(+2)/c)^(-sigma): Dynare makes the whole power an auxiliary variable.
    Substituting c(+2) alone (the importer before this fix) agrees at order 1 but gives
    ghs2 of q2 of the wrong sign (-9.1e-3 against Dynare's 4.7e-3: fails this test)."""
    ref = json.loads((REFERENCE / "lead2_product" / "dr_order2.json").read_text())
    model = load_mod(REFERENCE / "lead2_product" / "lead2_product.mod")
    assert len(model.variables) == len(ref["endo_names"])
    compare_declared(jm.solve(model, order=2), ref, 2, 1e-8)


# ------------------------------------------------------------------ a replication-style file
def test_replication_style_file_matches_dynare():
    path = REFERENCE / "realworld" / "realworld.mod"
    raw = path.read_bytes()
    assert b"\r\n" in raw and b"\xe8" in raw  # Latin-1 bytes, Windows line endings
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        model = load_mod(path)
    msgs = [str(x.message) for x in w if issubclass(x.category, ModWarning)]
    text = " | ".join(msgs)
    assert "2 stoch_simul" in text and "options_.nograph" in text
    assert "skipped" in text and "verbatim" in text and "varobs" in text
    assert "steady_state_model gives no value for ylog" in text
    ref = json.loads((REFERENCE / "realworld" / "dr_order2.json").read_text())
    mod = parse_mod(decode(raw)[0], filename=str(path))
    assert mod.order == 2 and mod.stoch_simul_count == 2 and mod.local_names == ("betta_local",)
    assert mod.predetermined == ("k",)
    # psi is calibrated in steady_state_model; rho = 0.9 is set between the stoch_simul
    assert model.default_params["rho"] == 0.9 and model.default_params["beta"] == 0.99
    sol = jm.solve(model, order=2)
    compare_declared(sol, ref, 2, 1e-8)
    # the calibrated psi (Dynare's M_.params after steady) is what the dynamic model uses
    P = ref["params"][ref["param_names"].index("psi")]
    from jaxmacro.compat._build import ModResiduals

    spec = model.residuals.spec
    assert isinstance(model.residuals, ModResiduals)
    eff = spec.effective_params(spec.full_params(np.asarray(model.param_vector())))
    assert abs(float(eff["psi"]) - P) < 1e-12


def test_parameters_set_in_steady_state_model_are_differentiable():
    """d ghx / d nbar through psi(nbar) computed in steady_state_model: finite differences."""
    model = load_mod(REFERENCE / "realworld" / "realworld.mod")
    i = model.param_names.index("nbar")
    th = np.asarray(model.param_vector(), dtype=float)

    def f(t):
        return jm.solve(model, t, order=1).g_x[0, 0]

    g = float(jax.grad(f)(th)[i])
    h = 1e-6
    e = np.zeros_like(th)
    e[i] = h
    fd = (float(f(th + e)) - float(f(th - e))) / (2 * h)
    assert abs(g - fd) <= 1e-6 * max(1.0, abs(fd))


# ------------------------------------------------------------------ MATLAB code, statements
BASE = """var y k;
varexo e;
parameters alpha beta;
alpha = 0.3;
beta = 0.9;
model;
  y = alpha*k(-1) + e;
  k = beta*k(-1) + y;
end;
"""


def _parse(src, **kw):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        mod = parse_mod(src, filename="f.mod", **kw)
    return mod, w


@pytest.mark.parametrize(
    "junk",
    [
        "x = oo_.dr.ghx';",  # transpose (was: unterminated string)
        "c = {1, 'a'}; d = c{1};",  # cell array (was: unexpected character '{')
        "f = @(x) x.^2; g = f(2);",  # function handle
        "fprintf('%s\\n', 'done'); disp(\"x\")",
        "for i = 1:3\n  disp(i);\nend",
        "if x > 0, disp('a'), else disp('b'), end",
        "[a, b] = deal(1, 2);",
        "M = [1 2; 3 4]';\nv = M(:, 1) ...\n   + 1;",
    ],
)
def test_matlab_code_is_skipped_not_run(junk):
    mod, _ = _parse(BASE + "stoch_simul(order=1);\n" + junk + "\n")
    assert mod.skipped and all("MATLAB" in s.what for s in mod.skipped)
    assert mod.stoch_simul == {"order": "1"}
    first = BASE.count("\n") + 2
    assert mod.skipped[0].lines[0] == first


def test_matlab_before_stoch_simul_that_changes_parameters_is_an_error():
    with pytest.raises(ModError, match="M_.params"):
        parse_mod(BASE + "M_.params(1) = 0.5;\nstoch_simul(order=1);\n")
    # after the last stoch_simul it changes nothing: skipped
    mod = parse_mod(BASE + "stoch_simul(order=1);\nM_.params(1) = 0.5;\n")
    assert mod.skipped[0].lines == (11, 11)


def test_mod_file_local_variables_and_unused_parameters():
    src = BASE.replace("beta = 0.9;", "b0 = 0.8 + 0.1;\nbeta = b0;").replace(
        "parameters alpha beta;", "parameters alpha beta unused;"
    )
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        m = build_model(parse_mod(src))
    assert m.default_params["beta"] == pytest.approx(0.9, abs=1e-15)
    assert "b0" not in m.param_names
    assert any("'unused' has no value and is not used" in str(x.message) for x in w)


def test_several_stoch_simul_and_orders_above_two():
    src = BASE + "stoch_simul(order=1);\nalpha = 0.5;\nstoch_simul(order=3, irf=0);\nalpha = 0.7;\n"
    mod, _ = _parse(src)
    assert mod.order == 3 and mod.stoch_simul_count == 2
    assert any("order=3" in x for x in mod.warnings)
    m = build_model(mod)
    assert m.default_params["alpha"] == 0.5  # the assignment after the last stoch_simul is not


def test_steady_state_lowercase_params_with_leads_shock_leads_and_uppercase_parameters():
    src = (
        BASE.replace("parameters", "PARAMETERS")
        .replace("beta = 0.9;", "beta = 0.5;")
        .replace(
            "y = alpha*k(-1) + e;", "y = alpha(+1)*k(-1) + e + 0*e(+1) + 0*(y - steady_state(y));"
        )
    )
    m = build_model(parse_mod(src))
    sol = jm.solve(m, order=1)
    dr = to_dynare(sol)
    r = {v: i for i, v in enumerate(dr["order_var"])}
    c = {v: i for i, v in enumerate(dr["state_var"])}
    # y = alpha k(-1) + e, k = beta k(-1) + y: closed form
    assert abs(dr["ghx"][r["y"]][c["k"]] - 0.3) < 1e-12
    assert abs(dr["ghx"][r["k"]][c["k"]] - 0.8) < 1e-12
    assert abs(dr["ghu"][r["k"]][0] - 1.0) < 1e-12


@pytest.mark.parametrize(
    "data, ok",
    [
        (b"\xef\xbb\xbf" + BASE.encode(), True),  # UTF-8 byte-order mark
        (BASE.replace("\n", "\r\n").encode(), True),  # Windows line endings
        (b"// Mod\xe8le \x96 cp1252\n" + BASE.encode(), True),  # Latin-1 / cp1252 comment
        (b"// \x81\x8d undefined in cp1252\n" + BASE.encode(), True),
        (b"\x00\x01\x02binary", False),
    ],
)
def test_encodings(data, ok):
    if ok:
        text, _ = decode(data, "f.mod")
        assert parse_mod(text).endogenous == ("y", "k")
    else:
        with pytest.raises(ModError, match="NUL"):
            decode(data, "f.mod")


# ------------------------------------------------------------------ defect 2
PRICE_LEVEL = """var p pi;
varexo e;
parameters rho;
rho = 0.5;
model(linear);
  pi = p - p(-1);
  pi = rho*pi(-1) + e;
end;
initval; p = 0; pi = 0; end;
"""


def test_linear_model_whose_initval_solves_a_singular_static_system():
    """The static Jacobian is singular (the price level is indeterminate); Dynare accepts
    the initval that solves it. Closed form: pi = rho pi(-1) + e, p = p(-1) + pi."""
    m = build_model(parse_mod(PRICE_LEVEL))
    sol = jm.solve(m, order=1)
    assert bool(sol.ok)
    dr = to_dynare(sol)
    r = {v: i for i, v in enumerate(dr["order_var"])}
    c = {v: i for i, v in enumerate(dr["state_var"])}
    np.testing.assert_allclose(dr["ghx"][r["pi"]][c["pi"]], 0.5, atol=1e-12)
    np.testing.assert_allclose(dr["ghx"][r["p"]][c["p"]], 1.0, atol=1e-12)
    np.testing.assert_allclose(dr["ghx"][r["p"]][c["pi"]], 0.5, atol=1e-12)


# ------------------------------------------------------------------ bounds (issue 16 items 7-8)
@pytest.mark.parametrize(
    "src, fragment",
    [
        (
            BASE.replace(
                "k = beta*k(-1) + y;", "k = beta*k(-1) + y + " + " + ".join(["0*y"] * 600) + ";"
            ),
            "nested more than",
        ),
        (
            "".join(
                f"@#define S{i} = S{i - 1} + S{i - 1}\n" if i else '@#define S0 = "ab"\n'
                for i in range(60)
            )
            + BASE,
            "longer than",
        ),
        (BASE.replace("alpha = 0.3;", "alpha = 1/0;"), "evaluates to inf"),
        ("@#define X = " + "(" * 400 + "1" + ")" * 400 + "\n" + BASE, "nested too deeply"),
    ],
)
def test_hostile_input_is_bounded_and_named(src, fragment):
    with pytest.raises(ModError, match=fragment):
        build_model(parse_mod(src))


def test_substitution_before_any_directive_and_defines():
    src = (
        "var y k;\nvarexo e;\nparameters alpha beta;\nalpha = @{A};\nbeta = 0.9;\n"
        + BASE.split("beta = 0.9;\n")[1]
    )
    mod = parse_mod(src, defines={"A": 0.25})
    assert build_model(mod).default_params["alpha"] == 0.25
    with pytest.raises(ModError, match="unknown macro variable 'A'"):
        parse_mod(src)


# ------------------------------------------------------------------ nonstationary models
def test_trend_var_and_deflator_errors_are_named():
    head = "var g;\ntrend_var(growth_factor=g) A;\n"
    ok = (
        head + "var(deflator=A) y;\nvarexo e;\nparameters r;\nr = 0.5;\nmodel;\n"
        "g = 1.01 + e;\ny = A(-1)*y(-1)^r/A;\nend;\n"
    )
    mod = parse_mod(ok, filename="f.mod")
    assert mod.endogenous == ("g", "y")  # A is not a variable of the stationary model
    # Y = y*A; A(-1) = A/g; then A = 1 (Dynare's stationary form)
    eq = mod.equations[1]
    assert to_source(eq.lhs) == "(y * 1.0)"
    assert to_source(eq.rhs) == "(((1.0 / g) * ((y(-1) * (1.0 / g)) ^ r)) / 1.0)"
    for bad, fragment, line in [
        (head + "var(log) y;\n", "option 'log' of 'var' is not supported", 3),
        (head + "var(deflator=A) y;\nsteady_state_model;\nA = 1;\nend;\n", "trend variable", 5),
        (head + "parameters b;\nb = A;\n", "trend variable 'A' can only appear", 4),
        ("trend_var(rate=0.1) A;\n", "trend_var takes the option growth_factor", 1),
    ]:
        with pytest.raises(ModError, match=fragment) as e:
            parse_mod(bad, filename="f.mod")
        assert e.value.line == line and "f.mod" in str(e.value)


def test_expectation_operator_is_an_auxiliary_variable():
    src = BASE.replace("y = alpha*k(-1) + e;", "y = alpha*EXPECTATION(-1)(k(+1)) + e;")
    mod = parse_mod(src, filename="f.mod")
    assert len(mod.expectation_aux) == 1
    name, d = mod.expectation_aux[0]
    assert name.startswith("AUX_EXPECT_LAG_1_")
    # AUX = k(+1) moved one period ahead: AUX_t = k(t+2), used as AUX(-1) = E_{t-1} k(t+1)
    assert d == Endo("k", 2)
    model = build_model(mod)
    assert name in model.variables


# ------------------------------------------------------------------ the conformance corpus
CORPUS = REFERENCE / "dynare_testsuite"


def _corpus_report():
    import importlib.util

    spec = importlib.util.spec_from_file_location("corpus_report", CORPUS / "report.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _corpus():
    sel = json.loads((CORPUS / "selection.json").read_text())
    recorded = json.loads((CORPUS / "results.json").read_text())
    return sel, recorded


def test_corpus_recorded_results_meet_the_acceptance():
    """results.json (written by report.py; the slow test below re-derives every entry) covers
    every file Dynare 5.3 solved. Over the files whose reference steady state is accurate to
    1e-8 (report.ACCURATE): >= 90 % pass at order 1, >= 80 % at order 2, and every other
    outcome is a refusal naming file, line and column (no mismatch, no crash). The files
    Dynare solved more loosely are run too: no crash there either."""
    sel, recorded = _corpus()
    report = _corpus_report()
    solved = sorted(n for n, e in sel.items() if e.get("dynare") == "solved")
    assert sorted(recorded) == solved
    for n in solved:
        assert (CORPUS / "mod" / f"{n}.mod").exists() and (CORPUS / "ref" / f"{n}.json").exists()
    c = report.counts(recorded)
    assert c["order1"][0] >= 0.90 * c["order1"][1] and c["order1"][1] >= 50, c
    assert c["order2"][0] >= 0.80 * c["order2"][1], c
    for n, r in recorded.items():
        accurate = report.reference_residual(n) < report.ACCURATE
        for key, x in r.items():
            assert "/work/" not in x["why"] and "Traceback" not in x["why"], (n, x)
            if x["status"] == "refused":
                assert f"{n}.mod, line " in x["why"] and ", column " in x["why"], (n, x)
            elif x["status"] != "pass":
                assert not accurate and x["status"] == "mismatch", (n, key, x)


# a fast subset in the default run: trend_var/deflator, EXPECTATION(k), a named refusal
CORPUS_FAST = ["fs2000_nonstationary", "expectations__expectation_ss", "fs2000_ssfile"]


@pytest.mark.parametrize("name", CORPUS_FAST)
def test_corpus_subset_through_the_command_line(name):
    _, recorded = _corpus()
    got = _corpus_report().run_one(name, orders=(1,))
    assert got["order1"]["status"] == recorded[name]["order1"]["status"], got


@pytest.mark.slow
def test_corpus_every_file_as_recorded():
    """Every selected file through `python -m jaxmacro solve` (one process per solve: many
    models compiled in one pytest-xdist worker thread crashed XLA's compiler) at order 1 and
    2 (where Dynare solved order 2): the outcome of each is the one recorded in results.json."""
    sel, recorded = _corpus()
    report = _corpus_report()
    for name in sorted(recorded):
        got = report.run_one(name, subprocess=True)
        for key, x in recorded[name].items():
            assert got[key]["status"] == x["status"], (name, key, got[key], x)
