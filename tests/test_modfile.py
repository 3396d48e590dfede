"""Dynare .mod import (jaxmacro.compat): fixtures against Dynare 5.3, round trips against
hand-written models, auxiliary variables, the shocks block, macros, transformations, and
errors with line and column for malformed, unsupported and hostile input."""

import importlib.util
import json
import pathlib

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxmacro as jm
from jaxmacro.compat import ModError, build_model, load_mod, parse_mod, to_dynare, to_json_dict

REFERENCE = pathlib.Path(__file__).resolve().parent / "reference"
HAVE_ORDER2 = importlib.util.find_spec("jaxmacro._perturbation._second_order") is not None

# (fixture folder, macro definitions, order-1 fixture, order-2 fixture or None)
CASES = {
    "rbc": ("rbc", {}, "dr_order1.json", "dr_order2.json"),
    "rbc_crra": ("rbc_crra", {}, "dr_order1.json", "dr_order2.json"),
    "two_country_bond": ("two_country_bond", {}, "dr_order1.json", "dr_order2.json"),
    "two_country_complete": ("two_country_complete", {}, "dr_order1.json", "dr_order2.json"),
    "sgu2003_soe": ("sgu2003_soe", {}, "dr_order1.json", "dr_order2.json"),
    "fvgq20": ("fvgq20", {}, "dr_order1.json", "dr_order2.json"),
    "lucas_trees_ds_calib1": ("lucas_trees_ds", {"CALIB": 1}, "dr_order1.json", None),
    "lucas_trees_ds_calib2": ("lucas_trees_ds", {"CALIB": 2}, "dr_order1_calib2.json", None),
}
ORDER1_KEYS = ["ys", "order_var", "state_var", "ghx", "ghu", "endo_names", "exo_names"]
ORDER2_KEYS = [
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


@pytest.fixture(scope="module")
def imported():
    """Each fixture model imported once per module (the ORDER macro only sets stoch_simul)."""
    cache = {}

    def get(case):
        if case not in cache:
            folder, defines, _, _ = CASES[case]
            cache[case] = load_mod(REFERENCE / folder / f"{folder}.mod", defines=defines)
        return cache[case]

    return get


def _check_against(dr: dict, ref: dict, keys, atol: float):
    assert list(dr) == keys  # exactly these keys, in this order
    for k in ("order_var", "state_var", "endo_names", "exo_names"):
        assert dr[k] == ref[k], k
    for k in keys:
        if k in ("order_var", "state_var", "endo_names", "exo_names"):
            continue
        a, b = np.asarray(dr[k], dtype=float), np.asarray(ref[k], dtype=float)
        assert a.shape == b.shape, k
        np.testing.assert_allclose(a, b, rtol=0, atol=atol, err_msg=k)


# ------------------------------------------------------------------ against Dynare
@pytest.mark.parametrize("case", list(CASES))
def test_order1_matches_dynare(imported, case):
    folder, _, fx1, _ = CASES[case]
    model = imported(case)
    sol = jm.solve(model, order=1)
    dr = json.loads(json.dumps(to_json_dict(sol)))  # exactly what the command line writes
    ref = json.loads((REFERENCE / folder / fx1).read_text())
    _check_against(dr, ref, ORDER1_KEYS, atol=1e-9)
    # the layout: state_var is the predetermined + mixed block of order_var
    assert dr["state_var"] == dr["order_var"][ref["nstatic"] : ref["nstatic"] + ref["nspred"]]


@pytest.mark.skipif(not HAVE_ORDER2, reason="jaxmacro._second_order not available yet")
@pytest.mark.parametrize("case", [c for c, v in CASES.items() if v[3] is not None])
def test_order2_matches_dynare(imported, case):
    folder, _, _, fx2 = CASES[case]
    sol = jm.solve(imported(case), order=2)
    dr = json.loads(json.dumps(to_json_dict(sol)))
    ref = json.loads((REFERENCE / folder / fx2).read_text())
    _check_against(dr, ref, ORDER2_KEYS, atol=1e-8)


def test_fixture_parameters_and_covariance(imported):
    """Parameter block (incl. derived parameters) and Sigma_e as Dynare computed them."""
    for case in ("fvgq20", "lucas_trees_ds_calib2", "two_country_bond"):
        folder, _, fx1, _ = CASES[case]
        ref = json.loads((REFERENCE / folder / fx1).read_text())
        m = imported(case)
        assert list(m.param_names) == ref["param_names"]
        np.testing.assert_allclose(
            [m.default_params[p] for p in m.param_names], ref["params"], rtol=1e-14, atol=0
        )
        np.testing.assert_allclose(
            np.asarray(m.shock_covariance(m.param_vector())), ref["Sigma_e"], rtol=1e-14, atol=1e-18
        )


# ------------------------------------------------------------------ round trips
def _rbc_by_hand():
    def residuals(lag, cur, lead, u, p):
        return [
            1 / cur.c
            - p.beta
            * (1 / lead.c)
            * (p.alpha * jnp.exp(lead.z) * cur.k ** (p.alpha - 1) + 1 - p.delta),
            cur.y - jnp.exp(cur.z) * lag.k**p.alpha,
            cur.k - ((1 - p.delta) * lag.k + cur.inv),
            cur.y - (cur.c + cur.inv),
            cur.z - (p.rho * lag.z + u.e),
        ]

    def steady_state(p):
        k = (p.alpha / (1 / p.beta - 1 + p.delta)) ** (1 / (1 - p.alpha))
        y = k**p.alpha
        inv = p.delta * k
        return {"z": 0.0 * k, "k": k, "y": y, "inv": inv, "c": y - inv}

    return jm.Model(
        residuals,
        variables=("c", "k", "y", "inv", "z"),
        shocks=("e",),
        params=dict(alpha=0.36, beta=0.99, delta=0.025, rho=0.95, sigma=0.01),
        shock_cov=lambda p: jnp.reshape(p.sigma**2, (1, 1)),
        steady_state=steady_state,
        name="rbc_by_hand",
    )


def _two_country_bond_by_hand():
    def residuals(lag, cur, lead, u, p):
        mu = lambda c: c ** (-p.gam)  # noqa: E731
        return [
            mu(cur.c1)
            - p.beta
            * mu(lead.c1)
            * (p.alpha * jnp.exp(lead.z1) * cur.k1 ** (p.alpha - 1) + 1 - p.delta),
            mu(cur.c2)
            - p.beta
            * mu(lead.c2)
            * (p.alpha * jnp.exp(lead.z2) * cur.k2 ** (p.alpha - 1) + 1 - p.delta),
            cur.y1 - jnp.exp(cur.z1) * lag.k1**p.alpha,
            cur.y2 - jnp.exp(cur.z2) * lag.k2**p.alpha,
            cur.k1 - ((1 - p.delta) * lag.k1 + cur.inv1),
            cur.k2 - ((1 - p.delta) * lag.k2 + cur.inv2),
            cur.z1 - (p.rho * lag.z1 + p.rho12 * lag.z2 + u.e1),
            cur.z2 - (p.rho * lag.z2 + p.rho12 * lag.z1 + u.e2),
            mu(cur.c1) * (cur.q + p.phi * cur.b1) - p.beta * mu(lead.c1),
            mu(cur.c2) * (cur.q - p.phi * cur.b1) - p.beta * mu(lead.c2),
            cur.c1 + cur.inv1 + cur.q * cur.b1 + (p.phi / 2) * cur.b1**2 - (cur.y1 + lag.b1),
            cur.c2 + cur.inv2 - cur.q * cur.b1 + (p.phi / 2) * cur.b1**2 - (cur.y2 - lag.b1),
            cur.nx1 - (cur.y1 - cur.c1 - cur.inv1),
        ]

    def steady_state(p):
        k = (p.alpha / (1 / p.beta - 1 + p.delta)) ** (1 / (1 - p.alpha))
        y = k**p.alpha
        inv = p.delta * k
        zero = 0.0 * k
        return dict(
            c1=y - inv,
            c2=y - inv,
            k1=k,
            k2=k,
            inv1=inv,
            inv2=inv,
            y1=y,
            y2=y,
            z1=zero,
            z2=zero,
            b1=zero,
            q=p.beta + zero,
            nx1=zero,
        )

    def cov(p):
        v = p.sigma**2
        c = p.corr12 * v
        return jnp.array([[v, c], [c, v]])

    return jm.Model(
        residuals,
        variables=(
            "c1",
            "c2",
            "k1",
            "k2",
            "inv1",
            "inv2",
            "y1",
            "y2",
            "z1",
            "z2",
            "b1",
            "q",
            "nx1",
        ),
        shocks=("e1", "e2"),
        params=dict(
            alpha=0.36,
            beta=0.99,
            delta=0.025,
            rho=0.95,
            rho12=0.025,
            sigma=0.01,
            corr12=0.25,
            gam=2.0,
            phi=0.001,
        ),
        shock_cov=cov,
        steady_state=steady_state,
        name="two_country_bond_by_hand",
    )


@pytest.mark.parametrize(
    "case, by_hand", [("rbc", _rbc_by_hand), ("two_country_bond", _two_country_bond_by_hand)]
)
def test_round_trip_against_hand_written(imported, case, by_hand):
    m_mod, m_hand = imported(case), by_hand()
    assert m_mod.variables == m_hand.variables and m_mod.shocks == m_hand.shocks
    assert m_mod.param_names == m_hand.param_names
    assert m_mod.default_params == m_hand.default_params
    assert m_mod.structure == m_hand.structure  # static/pred/both/fwrd and incidence
    order = 2 if HAVE_ORDER2 and case == "rbc" else 1
    a, b = jm.solve(m_mod, order=order), jm.solve(m_hand, order=order)
    fields = ["steady_state", "shock_cov", "g_x", "g_u"]
    fields += ["g_xx", "g_xu", "g_uu", "g_ss"] if order == 2 else []
    for f in fields:
        np.testing.assert_allclose(getattr(a, f), getattr(b, f), rtol=1e-12, atol=1e-14, err_msg=f)


def test_equal_files_give_equal_models(imported):
    m1 = imported("rbc")
    m2 = load_mod(REFERENCE / "rbc" / "rbc.mod", defines={"ORDER": 1})
    assert m1 == m2 and hash(m1) == hash(m2)  # jitted front doors reuse the compiled code
    assert m1 != imported("rbc_crra")


# ------------------------------------------------------------------ transformations
def test_jit_vmap_grad_on_imported_model(imported):
    m, hand = imported("rbc"), _rbc_by_hand()
    betas = jnp.array([0.97, 0.98, 0.99])

    def g_ck(model, beta):  # response of c to k(-1)
        beta = jnp.asarray(beta)  # an array, not a Python float: one compilation for all values
        return jm.solve(model, {"beta": beta}, throw=False).g_x[0, 0]

    batched = jax.jit(jax.vmap(lambda b: g_ck(m, b)))(betas)
    looped = jnp.stack([g_ck(m, b) for b in betas])
    np.testing.assert_allclose(batched, looped, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(looped, [g_ck(hand, b) for b in betas], rtol=1e-12, atol=1e-14)
    grad = jax.grad(lambda b: g_ck(m, b))(0.98)
    h = 1e-6
    fd = (g_ck(m, 0.98 + h) - g_ck(m, 0.98 - h)) / (2 * h)
    np.testing.assert_allclose(grad, fd, rtol=1e-5)


DERIVED_MOD = """
var c k z;
varexo e;
parameters alpha rr beta delta rho sigma;
alpha = 0.36; rr = 0.01;
beta = 1/(1 + rr);   // derived from rr
delta = 0.025; rho = 0.95; sigma = 0.01;
model;
  1/c = beta/c(+1)*(alpha*exp(z(+1))*k^(alpha-1) + 1 - delta);
  c + k = (1-delta)*k(-1) + exp(z)*k(-1)^alpha;
  z = rho*z(-1) + e;
end;
steady_state_model;
  z = 0;
  k = (alpha/(1/beta - 1 + delta))^(1/(1-alpha));
  c = k^alpha - delta*k;
end;
shocks; var e; stderr sigma; end;
"""


def test_derived_parameters_fixed_or_follow():
    mod = parse_mod(DERIVED_MOD)
    fixed, follow = build_model(mod), build_model(mod, derived_params="follow")
    assert fixed.param_names == ("alpha", "rr", "beta", "delta", "rho", "sigma")
    assert follow.param_names == ("alpha", "rr", "delta", "rho", "sigma")
    edited = build_model(mod, {"rr": 0.02})  # as if the file said rr = 0.02: beta follows
    assert edited.default_params["beta"] == 1 / 1.02

    def k_ss(model, rr):
        return jm.steady_state(model, {"rr": jnp.asarray(rr)}).value[1]

    np.testing.assert_allclose(k_ss(follow, 0.02), jm.steady_state(edited).value[1], rtol=1e-14)
    np.testing.assert_allclose(k_ss(fixed, 0.02), k_ss(fixed, 0.01), rtol=1e-14)  # beta stays
    d = jax.grad(lambda r: k_ss(follow, r))(0.01)
    h = 1e-6
    fd = (k_ss(follow, 0.01 + h) - k_ss(follow, 0.01 - h)) / (2 * h)
    np.testing.assert_allclose(d, fd, rtol=1e-6)
    assert d < 0  # a higher interest rate means a lower capital stock


# ------------------------------------------------------------------ language features
AUX_MOD = """
var y x c;
varexo e u;
parameters rho a;
rho = 0.5; a = 0.3;
model;
  x = rho*x(-1) + 0.1*x(-3) + e + 0.5*e(-2);
  y = 0.5*y(+2) + x(-2) + 0.2*x;
  c = 0.9*c(-1) + a*y(+1) + u;
end;
shocks; var e; stderr 1; var u; stderr 1; end;
"""

AUX_BY_HAND = """
var y x c ylead1 xlag1 xlag2 elag0 elag1;
varexo e u;
parameters rho a;
rho = 0.5; a = 0.3;
model;
  x = rho*x(-1) + 0.1*xlag2(-1) + e + 0.5*elag1(-1);
  y = 0.5*ylead1(+1) + xlag1(-1) + 0.2*x;
  c = 0.9*c(-1) + a*y(+1) + u;
  ylead1 = y(+1);
  xlag1 = x(-1);
  xlag2 = xlag1(-1);
  elag0 = e;
  elag1 = elag0(-1);
end;
shocks; var e; stderr 1; var u; stderr 1; end;
"""


def _irf(dr, shock, periods=8):
    """Impulse responses (declaration order) from a Dynare-layout order-1 rule."""
    ov, sv, names = dr["order_var"], dr["state_var"], dr["endo_names"]
    pos = {v: i for i, v in enumerate(ov)}
    k = dr["exo_names"].index(shock)
    x = np.zeros(len(sv))
    out = []
    for t in range(periods):
        u = np.zeros(len(dr["exo_names"]))
        if t == 0:
            u[k] = 1.0
        y_ov = dr["ghx"] @ x + dr["ghu"] @ u
        y = {v: y_ov[pos[v]] for v in names}
        out.append([y[v] for v in ("y", "x", "c")])
        x = np.array([y[v] for v in sv])
    return np.array(out)


def test_long_leads_and_lags_become_auxiliary_variables():
    m = build_model(parse_mod(AUX_MOD))
    assert m.variables == (
        "y",
        "x",
        "c",
        "AUX_ENDO_LEAD_0_1",
        "AUX_ENDO_LAG_1_1",
        "AUX_ENDO_LAG_1_2",
        "AUX_EXO_LAG_3_0",
        "AUX_EXO_LAG_3_1",
    )
    hand = build_model(parse_mod(AUX_BY_HAND))
    a, b = to_dynare(jm.solve(m)), to_dynare(jm.solve(hand))
    for shock in ("e", "u"):
        np.testing.assert_allclose(_irf(a, shock), _irf(b, shock), rtol=1e-12, atol=1e-13)
    # the AR(3) part: x responds 1, rho, rho^2 + 0.5, ...
    ir = _irf(a, "e")[:, 1]
    np.testing.assert_allclose(ir[:4], [1.0, 0.5, 0.25 + 0.5, 0.5 * 0.75 + 0.1], rtol=1e-12)


THREE_AR1 = """
    var a b c;
    varexo e1 e2 e3;
    parameters s r;
    s = 0.1; r = 0.5;
    model;
      a = 0.5*a(-1) + e1;
      b = 0.5*b(-1) + e2;
      c = 0.5*c(-1) + e3;
    end;
"""


def test_shocks_block_forms():
    src = (
        THREE_AR1
        + """
    shocks;
      var e1; stderr 2*s;
      var e2 = 0.09;
      var e3; stderr s;
      corr e1, e2 = r;
      var e1, e3 = 0.001;
    end;
    """
    )
    m = build_model(parse_mod(src))
    S = np.asarray(m.shock_covariance(m.param_vector()))
    want = np.array(
        [[0.04, 0.5 * 0.2 * 0.3, 0.001], [0.5 * 0.2 * 0.3, 0.09, 0.0], [0.001, 0.0, 0.01]]
    )
    np.testing.assert_allclose(S, want, rtol=1e-14, atol=1e-17)
    S2 = np.asarray(m.shock_covariance(m.param_vector({"s": 0.2})))  # depends on parameters
    assert S2[0, 0] == pytest.approx(0.16) and S2[2, 2] == pytest.approx(0.04)


def test_old_sigma_e_syntax():
    """Dynare's legacy ``Sigma_e = [...]``: a triangle of the covariance matrix in varexo
    order, rows separated by ';', entries by spaces or ','; lower (first row of one entry)
    or upper (last row of one entry); it replaces the whole matrix, entries may use
    parameters, and a later shocks block changes single entries."""
    head = THREE_AR1 + "shocks; var e1; stderr 7; end;\n"
    want = np.array([[0.04, 0.001, 0.002], [0.001, 0.09, -0.003], [0.002, -0.003, 0.01]])
    lower = head + "Sigma_e = [ (2*s)^2 ; 0.001, 0.09 ; 0.002, -0.003, s^2 ];\n"
    upper = head + "Sigma_e = [ (2*s)^2 0.001 0.002; 0.09, -0.003; s^2 ];\n"
    for src in (lower, upper):
        m = build_model(parse_mod(src))
        S = np.asarray(m.shock_covariance(m.param_vector()))
        np.testing.assert_allclose(S, want, rtol=1e-14, atol=1e-17)
        S2 = np.asarray(m.shock_covariance(m.param_vector({"s": 0.2})))
        assert S2[0, 0] == pytest.approx(0.16) and S2[2, 2] == pytest.approx(0.04)
    later = build_model(parse_mod(lower + "shocks; var e2 = 0.5; end;\n"))
    S = np.asarray(later.shock_covariance(later.param_vector()))
    assert S[1, 1] == 0.5 and S[0, 0] == pytest.approx(0.04) and S[1, 2] == -0.003


VAREXO_DET = """var y k;
varexo e;
varexo_det g;
parameters alpha beta;
alpha = 0.3; beta = 0.5;
model;
  y = alpha*k(-1) + exp(0.1*y(+1))*0.1 + e + g + 0.5*g(+1) + g(-2);
  k = beta*k(-1) + y;
end;
initval; y = 0; k = 0; g = 0; end;
shocks;
  var e; stderr 0.1;
  var g;
  periods 1:9;
  values 0.2;
end;
stoch_simul(order=2);
"""


def test_varexo_det_held_at_steady_state():
    """``varexo_det``: stoch_simul's rules hold a deterministic exogenous variable at its
    steady state (0) at every lead and lag, so ghx, ghu and the order-2 terms are those of
    the model without it; its path in the shocks block is skipped, not a shock."""
    mod = parse_mod(VAREXO_DET)
    assert mod.exogenous == ("e",) and mod.exogenous_det == ("g",)
    assert any("deterministic exogenous variable 'g'" in s.what for s in mod.skipped)
    without = VAREXO_DET.replace("varexo_det g;\n", "").replace(" + g + 0.5*g(+1) + g(-2)", "")
    without = without.replace(" g = 0;", "").replace("var g;\n  periods 1:9;\n  values 0.2;\n", "")
    a = to_dynare(jm.solve(build_model(mod), order=2))
    b = to_dynare(jm.solve(build_model(parse_mod(without)), order=2))
    assert a["exo_names"] == b["exo_names"] == ["e"]
    for key in ("ys", "ghx", "ghu", "ghxx", "ghxu", "ghuu", "ghs2"):
        np.testing.assert_allclose(a[key], b[key], rtol=1e-13, atol=1e-15, err_msg=key)


def test_parameter_declared_twice_warns_as_dynare():
    """Dynare 5.3 warns 'Symbol beta declared twice.' and keeps one symbol; a name declared
    again with another kind stays an error."""
    src = BASE.replace("parameters alpha beta;", "parameters alpha, beta,\n alpha;")
    mod = parse_mod(src, filename="twice.mod")
    assert mod.parameters == ("alpha", "beta")
    assert any("twice.mod, line 4, column 2: 'alpha' is declared twice" in w for w in mod.warnings)
    build_model(mod)


def test_locals_tags_functions_initval_and_numerical_steady_state():
    src = """
    // a model with no steady_state_model: initval is the guess
    var y k;   /* two variables */
    varexo e;
    parameters alpha beta delta;
    alpha = 0.3; beta = 0.96; delta = 0.1;
    model;
      # mpk = alpha*exp(0)*k^(alpha-1);
      [name = 'euler']
      1/y = beta/y(+1)*(mpk + 1 - delta) + 0*normcdf(0) + 0*erf(0)*max(1, 2)*min(0, 1);
      [name='resources']
      k = (1-delta)*k(-1) + k(-1)^alpha*exp(e) - y + 0*abs(sign(-1))*sqrt(4)*log10(10)*ln(1);
    end;
    initval;
      k = 3;
      y = k^alpha - delta*k;
    end;
    steady;
    check;
    stoch_simul(order=1, irf=0, nograph) y k;
    """
    mod = parse_mod(src)
    assert mod.order == 1
    m = build_model(mod)
    assert m.equations == ("euler", "resources")
    assert m.guess[1] == 3.0 and m.guess[0] == pytest.approx(3**0.3 - 0.3)
    sol = jm.solve(m)
    k = (0.3 / (1 / 0.96 - 1 + 0.1)) ** (1 / 0.7)
    np.testing.assert_allclose(sol.steady_state, [k**0.3 - 0.1 * k, k], rtol=1e-10)


def test_steady_state_operator():
    src = """
    var x y;
    varexo e;
    parameters rho m;
    rho = 0.9; m = 2;
    model;
      x = (1-rho)*m + rho*x(-1) + e;
      y = x - STEADY_STATE(x) + exp(STEADY_STATE(log(x)));
    end;
    steady_state_model;
      x = m;
      tmp = m;
      y = tmp;
    end;
    """
    m = build_model(parse_mod(src))
    sol = jm.solve(m, {"m": 3.0})
    np.testing.assert_allclose(sol.steady_state, [3.0, 3.0], rtol=1e-14)
    np.testing.assert_allclose(sol.g_u[:, 0], [1.0, 1.0], rtol=1e-14)


def test_operator_precedence_and_syntax_variants():
    """Dynare's grammar: ^ binds tighter than unary minus; comparisons give 1 or 0."""
    src = """
    var c $c$ (long_name='consumption'), k;
    varexo e;
    parameters a b d f g h i;
    a = -2^2;        % Matlab-style comment
    b = 2^-1*4;
    d = 1 - 2 - 3;
    f = 12/2/3;
    g = (1 < 2) + (2 == 2) + (3 != 3) + (1 >= 2);
    h = +3 * -2;
    i = normcdf(0) + normpdf(0, 0, 1) + log(exp(1))*ln(1) + max(1, 2)*min(3, 4) + log10(100);
    model(linear);
      c = 0.5*c(1) + k;
      k = 0.9*k(-1) + e;
    end;
    """
    p = build_model(parse_mod(src)).default_params
    want = dict(
        a=-4.0, b=2.0, d=-4.0, f=2.0, g=2.0, h=-6.0, i=0.5 + 1 / np.sqrt(2 * np.pi) + 6.0 + 2.0
    )
    assert p == pytest.approx(want, rel=1e-15)


def test_macros_and_substitution():
    src = """@#define N = 2
@#ifndef SCALE
@#define SCALE = 10
@#endif
var x;
varexo e;
parameters rho s;
@#if N == 2 && SCALE > 5
rho = 0.@{N};
@#elseif N == 3
rho = 0.3;
@#else
rho = 0.9;
@#endif
s = @{SCALE} / 100;
model;
  x = rho*x(-1) + s*e;
end;
"""
    m = build_model(parse_mod(src))
    assert m.default_params == {"rho": 0.2, "s": 0.1}
    m = build_model(parse_mod(src, defines={"SCALE": 1}))
    assert m.default_params == {"rho": 0.9, "s": 0.01}
    mod = parse_mod(src, defines={"SCALE": 100})
    assert mod.macro_variables == {"N": 2.0, "SCALE": 100}
    # a column after a substitution is reported in the original line
    with pytest.raises(ModError) as e:
        parse_mod(src.replace("s = @{SCALE} / 100;", "s = @{SCALE} / zz;"))
    assert (e.value.line, e.value.column) == (15, 16)


# ------------------------------------------------------------------ errors
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


def _with(old, new):
    assert old in BASE
    return BASE.replace(old, new)


# (description, source, line, column, fragment of the message)
MALFORMED = [
    (
        "unbalanced parentheses",
        _with("y = alpha*k(-1) + e;", "y = (alpha*k(-1) + e;"),
        7,
        23,
        "opened at line 7, column 7",
    ),
    (
        "closing parenthesis too many",
        _with("y = alpha*k(-1) + e;", "y = alpha*k(-1)) + e;"),
        7,
        18,
        "')'",
    ),
    ("unknown variable", _with("y = alpha*k(-1) + e;", "y = alpha*w(-1) + e;"), 7, 13, "'w'"),
    ("missing semicolon", _with("alpha = 0.3;", "alpha = 0.3"), 5, 1, "missing ';'"),
    (
        "optimal policy is refused",
        BASE + "ramsey_model(planner_discount=0.99);\n",
        10,
        1,
        "optimal policy",
    ),
    (
        "undefined name from MATLAB code",
        _with("beta = 0.9;", "b0 = [0.9];\nbeta = b0;"),
        6,
        8,
        "MATLAB code at line 5",
    ),
    (
        "set_param_value before stoch_simul",
        BASE + "set_param_value('beta', b);\nstoch_simul(order=1);\n",
        10,
        1,
        "set_param_value",
    ),
    (
        "MATLAB transpose in a Dynare statement",
        _with("alpha = 0.3;", "alpha = x';"),
        4,
        9,
        "unknown variable or parameter 'x'",
    ),
    ("unknown function", _with("alpha*k(-1)", "foo(k(-1))"), 7, 7, "unknown function 'foo'"),
    (
        "parameter used before its value",
        _with("alpha = 0.3;", "alpha = beta;"),
        4,
        9,
        "before it is given a value",
    ),
    ("non-integer lag", _with("k = beta*k(-1)", "k = beta*k(-1.5)"), 8, 15, "integer"),
    ("chained power", _with("alpha*k(-1)", "alpha^2^k(-1)"), 7, 14, "parentheses"),
    ("wrong number of equations", _with("  k = beta*k(-1) + y;\n", ""), 6, 1, "1 equations for 2"),
    ("unterminated comment", BASE + "/* no end\n", 10, 1, "unterminated comment"),
    (
        "missing end of block",
        BASE.replace("end;\n", ""),
        9,
        1,
        "missing 'end;' of the model block opened at line 6",
    ),
    (
        "unexpected character",
        _with("alpha = 0.3;", "alpha = 0.3 ? 1;"),
        4,
        13,
        "unexpected character '?'",
    ),
    ("unsupported stoch_simul option", BASE + "stoch_simul(order=1, foo=2);\n", 10, 22, "'foo'"),
    ("order 0", BASE + "stoch_simul(order=0);\n", 10, 13, "positive integer"),
    ("lag too long", _with("k = beta*k(-1)", "k = beta*k(-1000000)"), 8, 15, "longer than"),
    (
        "400-digit lag",
        _with("k = beta*k(-1)", "k = beta*k(-" + "9" * 400 + ")"),
        8,
        15,
        "longer than",
    ),
    (
        "nesting too deep",
        _with("alpha*k(-1)", "(" * 500 + "k(-1)" + ")" * 500),
        7,
        207,
        "nested more than 200",
    ),
    (
        "assignment to a variable",
        _with("beta = 0.9;", "beta = 0.9;\ny = 2;"),
        6,
        1,
        "endogenous variable 'y'",
    ),
    ("missing @#endif", "@#if 1\n" + BASE, 1, 1, "@#endif"),
    ("unknown macro variable", "@#if FOO == 1\n@#endif\n" + BASE, 1, 6, "'FOO'"),
    ("unsupported macro directive", '@#include "other.mod"\n' + BASE, 1, 1, "@#include"),
    ("unknown shock in shocks block", BASE + "shocks;\nvar z; stderr 1;\nend;\n", 11, 5, "'z'"),
    (
        "deterministic shocks",
        BASE + "shocks;\nvar e;\nperiods 1;\nvalues 0.1;\nend;\n",
        12,
        1,
        "deterministic",
    ),
    (
        "Sigma_e row of the wrong length",
        BASE.replace("varexo e;", "varexo e u;") + "Sigma_e = [ 1 ; 0.1 2 0.3 ];\n",
        10,
        17,
        "row 2 of Sigma_e has 3 entries; the lower triangle needs 2",
    ),
    (
        "Sigma_e not a triangle",
        BASE.replace("varexo e;", "varexo e u;") + "Sigma_e = [ 1 2 ; 0.1 2 ];\n",
        10,
        1,
        "Sigma_e must be a triangle",
    ),
    ("Sigma_e of the wrong size", BASE + "Sigma_e = [ 1 ; 0 1 ];\n", 10, 1, "Sigma_e is 2x2"),
    ("Sigma_e not closed", BASE + "Sigma_e = [ 1 ;\n", 10, 1, "never closed"),
    (
        "Sigma_e with a variable",
        BASE + "Sigma_e = [ y ];\n",
        10,
        13,
        "cannot appear in the shocks block",
    ),
    (
        "varexo_det given a variance",
        BASE.replace("varexo e;", "varexo e;\nvarexo_det g;") + "shocks;\nvar g; stderr 1;\nend;\n",
        12,
        5,
        "deterministic exogenous variable (varexo_det): it has no variance",
    ),
    (
        "varexo_det path without values",
        BASE.replace("varexo e;", "varexo e;\nvarexo_det g;")
        + "shocks;\nvar g;\nperiods 1;\nend;\n",
        14,
        1,
        "expected 'values'",
    ),
    (
        "varexo_det with a non-zero steady state",
        BASE.replace("varexo e;", "varexo e;\nvarexo_det g;").replace("+ e;", "+ e + g;")
        + "initval;\ng = 0.5;\nend;\n",
        12,
        1,
        "non-zero steady state for the deterministic exogenous 'g'",
    ),
    (
        "declared twice with another kind",
        BASE.replace("parameters alpha beta;", "parameters alpha beta e;"),
        3,
        23,
        "'e' is already declared as exogenous variable",
    ),
]


@pytest.mark.parametrize("desc, src, line, col, fragment", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_input_names_line_and_column(desc, src, line, col, fragment):
    with pytest.raises(ModError) as e:
        build_model(parse_mod(src, filename="bad.mod"))
    err = e.value
    assert (err.line, err.column) == (line, col), str(err)
    assert fragment in str(err)
    assert str(err).startswith(f"bad.mod, line {line}, column {col}: ")
    assert "\n" not in str(err)
    assert isinstance(err, ValueError)


STEADY_NUMERIC = """var y z;
varexo e u;
parameters rho zbar;
rho = 0.8; zbar = 2;
model;
  z = 0.5*zbar + 0.5*z(-1) + u;
  y = (1 - rho)*steady_state(z) + rho*y(-1) + e;
end;
initval; y = 1; z = 1; end;
"""


def test_steady_state_operator_without_steady_state_model():
    # Dynare's static model reads STEADY_STATE(x) as x (so y = z = zbar); in the dynamic model
    # it is a constant: y does not respond to u.
    m = build_model(parse_mod(STEADY_NUMERIC))
    sol = jm.solve(m, order=1)
    np.testing.assert_allclose(np.asarray(sol.steady_state), [2.0, 2.0], atol=1e-12)
    dr = to_dynare(sol)
    row = {v: i for i, v in enumerate(dr["order_var"])}
    col = {v: i for i, v in enumerate(dr["state_var"])}
    assert abs(dr["ghx"][row["y"]][col["y"]] - 0.8) < 1e-12
    np.testing.assert_allclose(dr["ghu"][row["y"]], [1.0, 0.0], atol=1e-12)
    # differentiable: d ybar / d zbar = 1 through the numerical steady state
    g = jax.grad(lambda th: jm.solve(m, th, order=1).steady_state[0])(jnp.asarray([0.8, 2.0]))
    np.testing.assert_allclose(np.asarray(g), [0.0, 1.0], atol=1e-10)


@pytest.mark.parametrize(
    "src, line, col",
    [
        (_with("alpha*k(-1)", "__import__('os').system('touch /tmp/jaxmacro_pwned')"), 7, 7),
        (_with("alpha = 0.3;", "alpha = eval('1');"), 4, 9),
        (_with("alpha = 0.3;", "alpha = ().__class__;"), 4, 10),
        (_with("alpha = 0.3;", "alpha = exp.__globals__;"), 4, 9),
        ('@#define X = __import__("os")\n' + BASE, 1, 14),
    ],
)
def test_hostile_input_is_a_parse_error(src, line, col):
    marker = pathlib.Path("/tmp/jaxmacro_pwned")
    with pytest.raises(ModError) as e:
        build_model(parse_mod(src))
    assert (e.value.line, e.value.column) == (line, col), str(e.value)
    assert not marker.exists()


def test_unknown_override_and_unassigned_parameter():
    with pytest.raises(ValueError, match="unknown parameter"):
        build_model(parse_mod(BASE), {"gamma": 1.0})
    with pytest.raises(ModError) as e:
        build_model(parse_mod(_with("beta = 0.9;\n", "")))
    assert (e.value.line, e.value.column) == (3, 18)
    build_model(
        parse_mod(_with("beta = 0.9;\n", "")), {"beta": 0.5}
    )  # an override gives it a value


def test_to_dynare_rejects_batched_solutions(imported):
    sol = jm.solve(imported("rbc"))
    batched = jax.tree_util.tree_map(lambda x: jnp.stack([x, x]), sol)
    with pytest.raises(ValueError, match="single solution"):
        to_dynare(batched)
