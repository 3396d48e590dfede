"""Core engine: model validation, steady state, first-order solution, moments, IRFs."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from helpers import (
    RTOL_FD,
    central_difference,
    count_compiles,
    dynare_layout,
    load_fixture,
    qz_first_order,
)

import jaxmacro as jm
from jaxmacro.models import lucas_trees_ds_n, rbc, two_country_bond

MODELS = {
    "rbc": lambda: rbc(),
    "rbc_crra": lambda: rbc(gamma=2.0),
    "two_country_bond": lambda: two_country_bond(),
}


@pytest.fixture(scope="module")
def built():
    return {k: f() for k, f in MODELS.items()}


# ------------------------------------------------------------------ against Dynare
@pytest.mark.parametrize("name", list(MODELS))
def test_order1_matches_dynare(built, name):
    m = built[name]
    fx = load_fixture(name)
    sol = jm.solve(m)
    # structure: Dynare's DR order and state_var
    order_var = [m.variables[i] for i in m.structure.order_var]
    assert order_var == fx["order_var"]
    assert list(m.states) == fx["state_var"]
    ys = dict(zip(fx["endo_names"], fx["ys"]))
    np.testing.assert_allclose(
        np.asarray(sol.steady_state), [ys[v] for v in m.variables], rtol=1e-12, atol=1e-12
    )
    gx, gu = dynare_layout(sol, fx)
    np.testing.assert_allclose(gx, np.array(fx["ghx"]), rtol=0, atol=1e-9)
    np.testing.assert_allclose(gu, np.array(fx["ghu"]), rtol=0, atol=1e-9)
    assert int(sol.n_stable) == len(m.states)


@pytest.mark.parametrize("name", list(MODELS))
def test_moments_match_dynare(built, name):
    m = built[name]
    fx = load_fixture(name, "moments_order1.json")
    mo = jm.moments(jm.solve(m))
    idx = [m.variables.index(v) for v in fx["var_names"]]
    V = np.asarray(mo.cov)[np.ix_(idx, idx)]
    ref = np.array(fx["variance"])
    np.testing.assert_allclose(V, ref, rtol=1e-9, atol=1e-14)


# ------------------------------------------------------------------ closed forms
def _brock_mirman():
    def res(lag, cur, lead, sh, p):
        return [
            jnp.exp(-cur.lc)
            - p.beta * jnp.exp(-lead.lc) * p.alpha * jnp.exp(lead.z + (p.alpha - 1) * cur.lk),
            jnp.exp(cur.lc) + jnp.exp(cur.lk) - jnp.exp(cur.z + p.alpha * lag.lk),
            cur.z - p.rho * lag.z - sh.e,
        ]

    def ss(p):
        lk = jnp.log(p.alpha * p.beta) / (1 - p.alpha)
        return {"lc": jnp.log(1 - p.alpha * p.beta) + p.alpha * lk, "lk": lk, "z": 0.0 * lk}

    return jm.Model(
        res,
        variables=("lc", "lk", "z"),
        shocks=("e",),
        params={"alpha": 0.3, "beta": 0.95, "rho": 0.9},
        steady_state=ss,
        shock_cov={"e": 0.02},
        name="brock_mirman",
    )


def test_brock_mirman_closed_form():
    """Log utility, full depreciation: k' = αβ e^z k^α, linear in logs, so order 1 is exact."""
    m = _brock_mirman()
    for alpha, beta, rho in [(0.3, 0.95, 0.9), (0.36, 0.99, 0.5), (0.5, 0.9, 0.0)]:
        sol = jm.solve(m, {"alpha": alpha, "beta": beta, "rho": rho})
        i = {v: k for k, v in enumerate(m.variables)}
        s = {v: k for k, v in enumerate(m.states)}
        gx, gu = np.asarray(sol.g_x), np.asarray(sol.g_u)
        assert np.isclose(sol.steady_state[i["lk"]], np.log(alpha * beta) / (1 - alpha), rtol=1e-14)
        for v in ("lk", "lc"):
            assert np.isclose(gx[i[v], s["lk"]], alpha, atol=1e-13)
            assert np.isclose(gx[i[v], s["z"]], rho, atol=1e-13)
            assert np.isclose(gu[i[v], 0], 1.0, atol=1e-13)


def test_rbc_steady_state_gradient_analytic():
    m = rbc()
    alpha, delta, beta = 0.36, 0.025, 0.99
    k = lambda b: jm.steady_state(m, {"beta": b})["k"]  # noqa: E731
    g = jax.grad(k)(beta)
    kbar = (alpha / (1 / beta - 1 + delta)) ** (1 / (1 - alpha))
    exact = kbar / (1 - alpha) * (1 / beta**2) / (1 / beta - 1 + delta)
    assert np.isclose(g, exact, rtol=1e-12)


def test_numerical_steady_state_and_implicit_gradient():
    """A model without analytic steady state: Newton + implicit derivative equal the closed form."""
    base = rbc()
    m = jm.Model(
        base.residuals,
        variables=base.variables,
        shocks=base.shocks,
        params=base.default_params,
        shock_cov=base.shock_cov_fn,
        guess={"c": 2.5, "k": 35.0, "y": 3.5, "inv": 1.0, "z": 0.0},
    )
    ss = jm.steady_state(m)
    ref = jm.steady_state(base)
    np.testing.assert_allclose(ss.value, ref.value, rtol=1e-12, atol=1e-14)
    g = jax.grad(lambda b: jm.steady_state(m, {"beta": b})["k"])(0.99)
    g_ref = jax.grad(lambda b: jm.steady_state(base, {"beta": b})["k"])(0.99)
    assert np.isclose(g, g_ref, rtol=1e-9)
    sol = jm.solve(m)
    np.testing.assert_allclose(sol.g_x, jm.solve(base).g_x, atol=1e-10)


# ------------------------------------------------------------------ against QZ
def _linear_model(A0, A1, A2, D):
    n, ne = A1.shape[0], D.shape[1]
    names = tuple(f"x{i}" for i in range(n))
    shocks = tuple(f"e{i}" for i in range(ne))
    A0, A1, A2, D = (jnp.asarray(a) for a in (A0, A1, A2, D))

    def res(lag, cur, lead, sh, p):
        return A0 @ lag.values + A1 @ cur.values + A2 @ lead.values + D @ sh.values + 0 * p.dummy

    return jm.Model(
        res,
        variables=names,
        shocks=shocks,
        params={"dummy": 0.0},
        steady_state=lambda p: {v: 0.0 * p.dummy for v in names},
    )


def test_random_models_against_scipy_qz():
    rng = np.random.default_rng(7)
    checked = 0
    for trial in range(200):
        n = int(rng.integers(3, 8))
        A0, A1, A2 = (rng.standard_normal((n, n)) for _ in range(3))
        # static, predetermined and forward-looking variables via zero columns
        lagged = rng.random(n) < 0.6
        leaded = rng.random(n) < 0.6
        A0[:, ~lagged] = 0
        A2[:, ~leaded] = 0
        A1 += 3 * np.eye(n) * rng.standard_normal()
        if not lagged.any():
            continue
        P, n_stable = qz_first_order(A0, A1, A2)
        if n_stable != n:
            continue
        D = rng.standard_normal((n, 2))
        m = _linear_model(A0, A1, A2, D)
        sol = jm.solve(m, throw=False)
        assert jm.result_name(sol.result) == "successful", (trial, jm.result_message(sol.result))
        states = list(m.structure.states)
        np.testing.assert_allclose(
            np.asarray(sol.g_x), P[:, states], atol=1e-9 * max(1, np.abs(P).max())
        )
        Q = -np.linalg.solve(A1 + A2 @ P, D)
        np.testing.assert_allclose(np.asarray(sol.g_u), Q, atol=1e-9 * max(1, np.abs(Q).max()))
        checked += 1
        if checked >= 8:
            break
    assert checked >= 8


# ------------------------------------------------------------------ unit roots / BK
def _toy(**p):
    """x_t = a E x_{t+1} + k_t;  k_t = ρ k_{t-1} + e_t.  Determinate iff |a| < 1 and |ρ| < 1."""

    def res(lag, cur, lead, sh, p):
        return [cur.x - p.a * lead.x - cur.k, cur.k - p.rho * lag.k - sh.e]

    return jm.Model(
        res,
        variables=("x", "k"),
        shocks=("e",),
        params={"a": 0.5, "rho": 0.9, **p},
        steady_state=lambda p: {"x": 0.0 * p.a, "k": 0.0 * p.a},
        name="toy",
    )


def test_blanchard_kahn_codes():
    m = _toy()
    cases = {
        (0.5, 0.9): "successful",
        (1.5, 0.9): "bk_indeterminate",
        (0.5, 1.5): "bk_no_stable_solution",
    }
    for (a, rho), name in cases.items():
        sol = jm.solve(m, {"a": a, "rho": rho}, throw=False)
        assert jm.result_name(sol.result) == name
    sol = jm.solve(m, {"a": 0.5, "rho": 0.9})
    # closed form: x = k / (1 - a ρ)
    assert np.isclose(sol.g_u[0, 0], 1 / (1 - 0.45), rtol=1e-13)
    with pytest.raises(Exception, match="indeterminacy"):
        jm.solve(m, {"a": 1.5, "rho": 0.9})
    with pytest.raises(Exception, match="no stable solution"):
        jm.solve(m, {"a": 0.5, "rho": 1.5})


def test_unit_root_counted_stable_like_dynare():
    m = _toy()
    sol = jm.solve(m, {"rho": 1.0})
    assert int(sol.n_stable) == 1
    assert np.isclose(sol.g_x[1, 0], 1.0, atol=1e-12)
    assert np.isclose(sol.g_u[0, 0], 1 / (1 - 0.5), rtol=1e-10)
    # with a criterion strictly inside the circle the unit root is explosive
    bad = jm.solve(m, {"rho": 1.0}, qz_criterium=1 - 1e-6, throw=False)
    assert jm.result_name(bad.result) == "bk_no_stable_solution"
    # unconditional moments do not exist: flagged, NaN
    mo = jm.moments(sol, throw=False)
    assert jm.result_name(mo.result) == "unit_root"
    assert np.all(np.isnan(mo.cov))
    with pytest.raises(Exception, match="unit circle"):
        jm.moments(sol)  # throw=True is the default of every front door


# ------------------------------------------------------------------ transformations
def test_jit_traces_once():
    count = {"n": 0}
    base = rbc()

    def res(*a):
        count["n"] += 1
        return base.residuals(*a)

    m = jm.Model(
        res,
        variables=base.variables,
        shocks=base.shocks,
        params=base.default_params,
        shock_cov=base.shock_cov_fn,
        steady_state=base.steady_state_fn,
    )
    jm.solve(m, {"beta": 0.99})
    after_first = count["n"]
    for b in (0.98, 0.985, 0.97):
        jm.solve(m, {"beta": b})
    assert count["n"] == after_first  # no retracing for new values
    f = eqx.filter_jit(eqx.debug.assert_max_traces(lambda p: jm.solve(m, p).g_x, max_traces=1))
    for b in (0.98, 0.985, 0.97):
        f({"beta": jnp.asarray(b)})


def test_same_model_built_twice_compiles_once():
    """A library model built again (same equations, same defaults) is the same static model, so
    its solve is not compiled again (rbc's covariance was a fresh lambda per call); nor is it for
    another form of the parameters (None, a subset of names, Python or NumPy numbers)."""
    jm.solve(rbc())
    with count_compiles() as n:
        jm.solve(rbc(), {"beta": 0.98})
        jm.solve(rbc(), {"beta": np.float64(0.97), "rho": 0.9})
        jm.solve(rbc(), np.asarray(rbc().param_defaults))
    assert n[0] == 0
    jm.steady_state(rbc())
    with count_compiles() as n:
        jm.steady_state(rbc(), {"alpha": 0.3})
    assert n[0] == 0
    assert rbc() == rbc() and hash(rbc()) == hash(rbc())
    assert lucas_trees_ds_n(3) == lucas_trees_ds_n(3)
    assert hash(lucas_trees_ds_n(3)) == hash(lucas_trees_ds_n(3))
    assert rbc(gamma=2.0) != rbc()  # numeric defaults are static: a new default is a new model


def test_vmap_equals_loop_and_failures_are_isolated():
    m = _toy()
    a = jnp.array([0.2, 0.5, 1.5, 0.7, 0.9])  # 1.5 is indeterminate
    sols = jax.vmap(lambda a: jm.solve(m, {"a": a}, throw=False))(a)
    ok = np.asarray(sols.result == jm.RESULTS.successful)
    assert ok.tolist() == [True, True, False, True, True]
    for i, ai in enumerate(a):
        s = jm.solve(m, {"a": ai}, throw=False)
        if ok[i]:
            np.testing.assert_allclose(sols.g_x[i], s.g_x, rtol=1e-14, atol=1e-15)
            np.testing.assert_allclose(sols.g_u[i], s.g_u, rtol=1e-14, atol=1e-15)
    assert np.all(np.isnan(sols.g_u[2]))

    m2 = two_country_bond()
    betas = jnp.linspace(0.95, 0.995, 7)
    vs = jax.vmap(lambda b: jm.solve(m2, {"beta": b}).g_x)(betas)
    for i, b in enumerate(betas):
        np.testing.assert_allclose(vs[i], jm.solve(m2, {"beta": b}).g_x, rtol=1e-13, atol=1e-14)


@pytest.mark.parametrize("param", ["beta", "rho", "phi", "corr12"])
def test_grad_of_moment_matches_finite_differences(param):
    m = two_country_bond()
    p0 = m.default_params

    def f(x):
        mo = jm.moments(jm.solve(m, {**p0, param: x}), lags=2)
        return mo.std[m.variables.index("nx1")] + mo.autocorr[1, m.variables.index("c1")]

    x0 = p0[param]
    g = jax.grad(f)(x0)
    h = 1e-5 * max(abs(x0), 1e-2)
    fd = central_difference(f, x0, h)
    assert np.isclose(g, fd, rtol=RTOL_FD, atol=1e-10), (g, fd)


def test_grad_of_decision_rule_matches_finite_differences():
    m = rbc(gamma=2.0)
    f = lambda a: (
        jnp.sum(jm.solve(m, {"alpha": a}).g_x ** 2) + jnp.sum(jm.solve(m, {"alpha": a}).g_u)
    )  # noqa: E731
    g = jax.grad(f)(0.36)
    fd = central_difference(f, 0.36, 1e-6)
    assert np.isclose(g, fd, rtol=1e-6)
    # forward mode agrees with reverse mode
    assert np.isclose(jax.jacfwd(f)(0.36), g, rtol=1e-10)


# ------------------------------------------------------------------ IRFs, simulation
def test_irf_and_simulation_consistent():
    m = two_country_bond()
    sol = jm.solve(m)
    irf = jm.impulse_response(sol, "e1", periods=20)
    L = np.linalg.cholesky(np.asarray(sol.shock_cov))
    shocks = np.zeros((20, 2))
    shocks[0] = L[:, 0]
    sim = jm.simulate(sol, None, periods=20, shocks=shocks)
    np.testing.assert_allclose(sim.values - sol.steady_state, irf.values, atol=1e-14)
    # z1 follows its VAR(1): z1_t = ρ z1_{t-1} + ρ12 z2_{t-1}
    z1, z2 = np.asarray(irf.z1), np.asarray(irf.z2)
    np.testing.assert_allclose(z1[1:], 0.95 * z1[:-1] + 0.025 * z2[:-1], atol=1e-15)
    with pytest.raises(ValueError, match="unknown shock"):
        jm.impulse_response(sol, "e3")


def test_simulated_covariance_matches_lyapunov(getkey):
    m = rbc()
    sol = jm.solve(m)
    sims = jax.vmap(lambda k: jm.simulate(sol, k, periods=400, burn=200).values)(
        jax.random.split(getkey(), 200)
    )
    x = np.asarray(sims).reshape(-1, 5)
    mo = jm.moments(sol)
    i = m.variables.index("z")
    # sampling error of a variance from 200 x 400 autocorrelated draws: a few percent
    assert np.isclose(x[:, i].var(), mo.cov[i, i], rtol=0.05)


# ------------------------------------------------------------------ bad input
def test_malformed_models():
    good = dict(variables=("x", "k"), shocks=("e",), params={"a": 0.5, "rho": 0.9})

    def res(lag, cur, lead, sh, p):
        return [cur.x - p.a * lead.x - cur.k, cur.k - p.rho * lag.k - sh.e]

    ss = lambda p: {"x": 0.0, "k": 0.0}  # noqa: E731
    jm.Model(res, steady_state=ss, **good)
    with pytest.raises(ValueError, match="returns 1 equations"):
        jm.Model(lambda *a: [res(*a)[0]], steady_state=ss, **good)
    with pytest.raises(ValueError, match="unknown variable .*'kk'"):
        jm.Model(lambda lag, cur, lead, sh, p: [cur.x, cur.kk], steady_state=ss, **good)
    with pytest.raises(ValueError, match="unknown parameter 'gamma'"):
        jm.Model(lambda lag, cur, lead, sh, p: [cur.x * p.gamma, cur.k], steady_state=ss, **good)
    with pytest.raises(ValueError, match="unknown shock 'u'"):
        jm.Model(lambda lag, cur, lead, sh, p: [cur.x + sh.u, cur.k], steady_state=ss, **good)
    with pytest.raises(ValueError, match="duplicate variable name 'x'"):
        jm.Model(res, steady_state=ss, **{**good, "variables": ("x", "x")})
    with pytest.raises(ValueError, match="declared both as variable and parameter"):
        jm.Model(res, steady_state=ss, **{**good, "params": {"a": 0.5, "rho": 0.9, "x": 1.0}})
    with pytest.raises(ValueError, match="parameter 'rho' has non-finite"):
        jm.Model(res, steady_state=ss, **{**good, "params": {"a": 0.5, "rho": float("nan")}})
    with pytest.raises(ValueError, match=r"equation 1 \(eq1\) has non-finite residual"):
        jm.Model(
            lambda lag, cur, lead, sh, p: [res(lag, cur, lead, sh, p)[0], jnp.log(cur.k - 1.0)],
            steady_state=ss,
            **good,
        )
    with pytest.raises(ValueError, match="shock_cov must be 1x1"):
        jm.Model(res, steady_state=ss, shock_cov=np.eye(2), **good)


def test_nan_parameter_is_flagged():
    m = _toy()
    sol = jm.solve(m, {"rho": jnp.nan}, throw=False)
    assert jm.result_name(sol.result) == "nonfinite_model"
    with pytest.raises(ValueError, match="unknown parameter name"):
        jm.solve(m, {"rhoo": 0.3})
    with pytest.raises(Exception, match="Non-finite"):
        jm.solve(m, {"rho": jnp.nan})


def test_wrong_analytic_steady_state_is_reported():
    base = rbc()
    m = jm.Model(
        base.residuals,
        variables=base.variables,
        shocks=base.shocks,
        params=base.default_params,
        shock_cov=base.shock_cov_fn,
        equations=base.equations,
        steady_state=lambda p: {**base.steady_state_fn(p), "c": 2.0},
    )
    ss = jm.steady_state(m, throw=False)
    assert jm.result_name(ss.result) == "steady_state_residual"
    assert ss.worst_equation()[0] in ("euler", "goods")
    with pytest.raises(Exception, match="does not solve the static model"):
        jm.solve(m)


def test_summary_and_names():
    sol = jm.solve(rbc())
    text = sol.summary()
    assert "Blanchard-Kahn: 2 stable" in text and "k(-1)" in text
    ev = sol.eigenvalues()
    np.testing.assert_allclose(sorted(abs(ev)), [0.95, 0.9652763991247394], rtol=1e-10)


@pytest.mark.parametrize("n", [4, 25])
def test_lyapunov_against_scipy_and_finite_differences(n):
    """Kronecker (n <= 20) and doubling (n > 20) paths; implicit derivatives in both modes."""
    import scipy.linalg

    from jaxmacro._linalg import solve_discrete_lyapunov

    rng = np.random.default_rng(n)
    A = rng.standard_normal((n, n))
    A = 0.9 * A / np.max(np.abs(np.linalg.eigvals(A)))
    Q = rng.standard_normal((n, n))
    Q = Q @ Q.T
    V = solve_discrete_lyapunov(jnp.asarray(A), jnp.asarray(Q))
    ref = scipy.linalg.solve_discrete_lyapunov(A, Q)
    np.testing.assert_allclose(V, ref, rtol=1e-10, atol=1e-10 * np.abs(ref).max())
    f = lambda a: jnp.sum(solve_discrete_lyapunov(jnp.asarray(A) * a, jnp.asarray(Q)) ** 2)  # noqa: E731
    fd = central_difference(f, 1.0, 1e-6)
    assert np.isclose(jax.grad(f)(1.0), fd, rtol=1e-6)
    assert np.isclose(jax.jacfwd(f)(1.0), fd, rtol=1e-6)
