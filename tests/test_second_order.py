"""Second-order perturbation: Dynare fixtures, certainty equivalence, the structured Sylvester
solver on a 40-equation model, and implicit parameter derivatives against finite differences."""

from __future__ import annotations

import functools
import json

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from fixture_models_o2 import MODELS, load_fixture
from helpers import REFERENCE

import jaxmacro as jm
from jaxmacro._linalg import kron_apply, solve_sylvester_kron_power
from jaxmacro._perturbation import second_order_terms

ORDER2_FIXTURES = tuple(MODELS)
TOL_SECOND = 1e-8  # relative to max(1, |Dynare value|)
TOL_FIRST = 1e-9


@functools.cache
def built(name):
    return MODELS[name]()


@functools.cache
def solved(name):
    return jm.solve(built(name), order=2)


def dynare_layout2(sol, d):
    """Our solution in Dynare's layout: rows order_var, state columns state_var."""
    rows = [sol.variables.index(v) for v in d["order_var"]]
    cols = [sol.states.index(v) for v in d["state_var"]]
    ns, ne = len(sol.states), len(sol.shocks)
    pxx = [i * ns + j for i in cols for j in cols]
    pxu = [i * ne + k for i in cols for k in range(ne)]
    a = lambda x: np.asarray(x)[rows]  # noqa: E731
    return dict(
        ghx=a(sol.g_x)[:, cols],
        ghu=a(sol.g_u),
        ghxx=a(sol.g_xx)[:, pxx],
        ghxu=a(sol.g_xu)[:, pxu],
        ghuu=a(sol.g_uu),
        ghs2=a(sol.g_ss),
    )


def rel_err(ours, ref):
    ref = np.asarray(ref, dtype=float)
    return float(np.max(np.abs(ours - ref) / np.maximum(1.0, np.abs(ref))))


# ------------------------------------------------------------------------------------------
# Dynare
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ORDER2_FIXTURES)
def test_order2_matches_dynare(name):
    d = load_fixture(name)
    sol = solved(name)
    assert jm.result_name(sol.result) == "successful"
    ys = np.asarray(sol.steady_state)[[sol.variables.index(v) for v in d["endo_names"]]]
    assert rel_err(ys, d["ys"]) < 1e-12
    ours = dynare_layout2(sol, d)
    for key in ("ghx", "ghu"):
        assert rel_err(ours[key], d[key]) < TOL_FIRST, key
    for key in ("ghxx", "ghxu", "ghuu", "ghs2"):
        assert rel_err(ours[key], d[key]) < TOL_SECOND, key
    # the Hessian blocks are symmetric, as Dynare's (to its rounding)
    ns = len(sol.states)
    G = np.asarray(sol.g_xx).reshape(-1, ns, ns)
    np.testing.assert_array_equal(G, np.swapaxes(G, 1, 2))


def test_sylvester_kron_and_doubling_agree():
    """The Kronecker and doubling solvers give the same g_xx on two_country_bond (5 states,
    a near-unit root from the bond position) and on a random stable problem."""
    model = built("two_country_bond")
    sol = solved("two_country_bond")
    ss = jm.steady_state(model)
    out = {}
    for method in ("kron", "doubling"):
        f = jax.jit(
            lambda gx, gu, c, m=method: second_order_terms(model, ss, gx, gu, c, sylvester=m)
        )
        terms, result = f(sol.g_x, sol.g_u, sol.shock_cov)
        assert jm.result_name(result) == "successful"
        out[method] = terms
    for k in ("g_xx", "g_xu", "g_uu", "g_ss"):
        np.testing.assert_allclose(out["kron"][k], out["doubling"][k], rtol=1e-10, atol=1e-10)

    rng = np.random.default_rng(0)
    A = rng.standard_normal((4, 4))
    A *= 0.97 / np.max(np.abs(np.linalg.eigvals(A)))
    K = rng.standard_normal((3, 3))
    K *= 0.9 / np.max(np.abs(np.linalg.eigvals(K)))
    D = rng.standard_normal((3, 16))
    X1 = solve_sylvester_kron_power(jnp.asarray(K), jnp.asarray(A), jnp.asarray(D), method="kron")
    X2 = solve_sylvester_kron_power(
        jnp.asarray(K), jnp.asarray(A), jnp.asarray(D), method="doubling"
    )
    ref = np.linalg.solve(np.eye(48) + np.kron(K, np.kron(A, A).T), D.reshape(-1)).reshape(3, 16)
    np.testing.assert_allclose(X1, ref, rtol=1e-11, atol=1e-11)
    np.testing.assert_allclose(X2, ref, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(X2 + K @ kron_apply(np.asarray(X2), A, A), D, atol=1e-12)


# ------------------------------------------------------------------------------------------
# Certainty equivalence, linear models
# ------------------------------------------------------------------------------------------


def test_certainty_equivalence():
    """With Σ = 0: g_σσ = 0, g_x equals the order-1 rule, and g_xx/g_xu/g_uu do not move."""
    model = built("rbc")
    sol0 = jm.solve(model, {"sigma": 0.0}, order=2)
    sol1 = jm.solve(model, {"sigma": 0.0}, order=1)
    sol = solved("rbc")
    np.testing.assert_array_equal(np.asarray(sol0.g_ss), 0.0)
    np.testing.assert_allclose(sol0.g_x, sol1.g_x, rtol=0, atol=1e-14)
    np.testing.assert_allclose(sol0.g_u, sol1.g_u, rtol=0, atol=1e-14)
    for k in ("g_xx", "g_xu", "g_uu"):
        np.testing.assert_allclose(getattr(sol0, k), getattr(sol, k), rtol=1e-12, atol=1e-14)
    assert np.max(np.abs(np.asarray(sol.g_ss))) > 0


def _linear_model():
    def res(lag, cur, lead, e, p):
        return [
            cur.pi - (p.beta * lead.pi + p.kappa * cur.x + cur.a),
            cur.x - (lead.x - p.s * (cur.i - lead.pi)),
            cur.i - (p.rho_i * lag.i + p.phi_pi * cur.pi + p.phi_x * cur.x + e.e_i),
            cur.a - (p.rho_a * lag.a + e.e_a),
        ]

    return jm.Model(
        res,
        variables=("pi", "x", "i", "a"),
        shocks=("e_a", "e_i"),
        params=dict(beta=0.99, kappa=0.1, s=1.0, rho_i=0.7, phi_pi=1.5, phi_x=0.1, rho_a=0.9),
        shock_cov={"e_a": 0.01, "e_i": 0.0025},
        guess=dict(pi=0.0, x=0.0, i=0.0, a=0.0),
        name="linear_nk",
    )


def test_linear_model_has_no_second_order_terms():
    sol = jm.solve(_linear_model(), order=2)
    assert jm.result_name(sol.result) == "successful"
    for k in ("g_xx", "g_xu", "g_uu", "g_ss"):
        np.testing.assert_array_equal(np.asarray(getattr(sol, k)), 0.0)


# ------------------------------------------------------------------------------------------
# Independent check of the second-order equations, and a 40-equation model
# ------------------------------------------------------------------------------------------


def second_order_equation_residuals(sol):
    """Residuals of the second-order conditions, from the full quadratic rule by autodiff.

    ψ(ŝ, u) = f(ȳ + S'ŝ, y(ŝ, u), y(s'(ŝ, u), 0), u) with y the quadratic rule without g_σσ
    must have a zero Hessian at 0 (the (ŝ,u) blocks at σ = 0), and
    d²/dσ² E f(ȳ, y(0,0,σ), y(s'(σ), σε, σ), 0) = χ_σσ + tr(χ_ww Σ) must vanish. This uses
    none of the solver's linear algebra. Returns (max |Hessian|, max |σσ residual|, scale).
    """
    model = sol.model
    n, ns, ne = len(sol.variables), len(sol.states), len(sol.shocks)
    s = np.asarray(model.structure.states)
    ybar, theta, Sigma = sol.steady_state, sol.params, sol.shock_cov

    def rule(x, u, sig):
        return (
            sol.g_x @ x
            + sol.g_u @ u
            + 0.5
            * (
                sol.g_xx @ jnp.kron(x, x)
                + 2 * sol.g_xu @ jnp.kron(x, u)
                + sol.g_uu @ jnp.kron(u, u)
                + sol.g_ss * sig**2
            )
        )

    def psi(z):
        x, u = z[:ns], z[ns:]
        y = rule(x, u, 0.0)
        yp = rule(y[s], jnp.zeros(ne), 0.0)
        return model.evaluate(ybar.at[s].add(x), ybar + y, ybar + yp, u, theta)

    def chi(sig, w):
        y = rule(jnp.zeros(ns), jnp.zeros(ne), sig)
        yp = rule(y[s], w, sig)
        return model.evaluate(ybar, ybar + y, ybar + yp, jnp.zeros(ne), theta)

    @jax.jit
    def check():
        H = jax.hessian(psi)(jnp.zeros(ns + ne))
        c_ss = jax.hessian(chi, argnums=0)(0.0, jnp.zeros(ne))
        c_ww = jax.hessian(chi, argnums=1)(0.0, jnp.zeros(ne))
        r_ss = c_ss + jnp.einsum("ikl,kl->i", c_ww, Sigma)
        return H, r_ss, jnp.max(jnp.abs(c_ww)) + 1.0

    H, r_ss, scale = check()
    scale = float(scale)
    return float(jnp.max(jnp.abs(H))), float(jnp.max(jnp.abs(r_ss))), scale, n


def test_second_order_conditions_hold_on_fixture():
    h, r, scale, _ = second_order_equation_residuals(solved("sgu2003_soe"))
    assert h < 1e-9 * scale and r < 1e-12 * scale


def multi_country(N=8):
    """N-country complete-markets growth model: 5N equations, 2N states, N correlated shocks."""
    names = [f"{v}{i}" for i in range(N) for v in ("c", "k", "y", "inv", "z")]

    def res(lag, cur, lead, e, p):
        g = p.gam
        zbar_lag = sum(lag[f"z{j}"] for j in range(N)) / N
        out = []
        for i in range(N):
            c, k, y, inv, z = (f"{v}{i}" for v in ("c", "k", "y", "inv", "z"))
            out.append(
                cur[c] ** (-g)
                - p.beta
                * lead[c] ** (-g)
                * (p.alpha * jnp.exp(lead[z]) * cur[k] ** (p.alpha - 1) + 1 - p.delta)
            )
            out.append(cur[y] - jnp.exp(cur[z]) * lag[k] ** p.alpha)
            out.append(cur[k] - (1 - p.delta) * lag[k] - cur[inv])
            out.append(cur[z] - (p.rho * lag[z] + p.spill * (zbar_lag - lag[z]) + e[f"e{i}"]))
            if i == 0:
                out.append(sum(cur[f"c{j}"] + cur[f"inv{j}"] - cur[f"y{j}"] for j in range(N)))
            else:
                out.append(cur[c] - cur["c0"])
        return out

    def ss(p):
        k = (p.alpha / (1 / p.beta - 1 + p.delta)) ** (1 / (1 - p.alpha))
        y = k**p.alpha
        out = {}
        for i in range(N):
            out.update(
                {
                    f"c{i}": y - p.delta * k,
                    f"k{i}": k,
                    f"y{i}": y,
                    f"inv{i}": p.delta * k,
                    f"z{i}": 0.0 * k,
                }
            )
        return out

    def cov(p):
        return p.sigma**2 * ((1 - p.corr) * jnp.eye(N) + p.corr * jnp.ones((N, N)))

    return jm.Model(
        res,
        variables=names,
        shocks=tuple(f"e{i}" for i in range(N)),
        params=dict(
            alpha=0.36, beta=0.99, delta=0.025, rho=0.95, spill=0.02, sigma=0.01, corr=0.3, gam=2.0
        ),
        shock_cov=cov,
        steady_state=ss,
        name=f"multi_country_{N}",
    )


def test_structured_solver_on_40_equation_model():
    """5N = 40 equations, 16 states, 16 forward-looking: the Kronecker system would be
    4096 × 4096; the doubling solver never forms it. The second-order conditions hold."""
    model = multi_country(8)
    assert len(model.variables) == 40 and len(model.states) == 16
    nf = len(model.structure.forward)
    assert nf * 16**2 > 400  # the "auto" path is the doubling solver
    sol = jm.solve(model, order=2)
    h, r, scale, _ = second_order_equation_residuals(sol)
    assert h < 1e-9 * scale, h
    assert r < 1e-12 * scale, r
    # symmetric countries: country 0's TFP block mirrors country 1's
    assert np.max(np.abs(np.asarray(sol.g_ss))) > 0


# ------------------------------------------------------------------------------------------
# Implicit derivatives vs finite differences
# ------------------------------------------------------------------------------------------


def _terms_fn(model, method):
    def f(theta):
        sol = jm.solve(model, theta, order=1, throw=False)
        ss = jm.steady_state(model, theta, throw=False)
        terms, _ = second_order_terms(model, ss, sol.g_x, sol.g_u, sol.shock_cov, sylvester=method)
        return jnp.concatenate([terms[k].reshape(-1) for k in ("g_xx", "g_xu", "g_uu", "g_ss")])

    return f


@pytest.mark.parametrize("method", ["kron", "doubling"])
def test_second_order_derivatives_match_finite_differences(method):
    """Forward- and reverse-mode Jacobians of every second-order coefficient w.r.t. every
    parameter (rbc_crra) match central finite differences (relative step 1e-5), to 1e-5 of
    the largest entry; both Sylvester paths are differentiated implicitly."""
    model = built("rbc_crra")
    f = jax.jit(_terms_fn(model, method))
    theta = model.param_vector()
    J_fwd, J_rev = jax.jit(lambda t: (jax.jacfwd(f)(t), jax.jacrev(f)(t)))(theta)
    h = 1e-5
    for i in range(theta.shape[0]):
        e = jnp.zeros_like(theta).at[i].set(theta[i])  # relative step in parameter i
        fd = np.asarray((f(theta + h * e) - f(theta - h * e)) / (2 * h))
        atol = 1e-5 * float(np.max(np.abs(fd)))
        assert atol > 0, model.param_names[i]
        np.testing.assert_allclose(np.asarray(J_fwd)[:, i] * theta[i], fd, rtol=0, atol=atol)
        np.testing.assert_allclose(np.asarray(J_rev)[:, i] * theta[i], fd, rtol=0, atol=atol)


# ------------------------------------------------------------------------------------------
# The forward-mode derivative rules of the model derivatives (jaxmacro/_derivatives.py)
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["rbc", "two_country_bond"])
def test_model_derivative_rules_match_plain_autodiff(name):
    """`composite_hessian` and `model_jacobian` carry custom JVP rules (forward mode in (ȳ, θ),
    so that reverse mode compiles fast). Their values equal T' H T with H from `jax.hessian`,
    and their JVPs and VJPs equal those of JAX's own rules applied to the plain functions."""
    from jaxmacro._perturbation import (
        composite_hessian,
        model_jacobian,
        plain_jacobian,
        split_v,
    )
    from jaxmacro._perturbation._derivatives import _hessian_zeta

    model = built(name)
    theta = model.param_vector()
    ybar = jm.steady_state(model, theta).value
    layout = model.structure
    nv = split_v(layout, model.n_shocks)[3].stop
    rng = np.random.default_rng(3)
    T = jnp.asarray(rng.standard_normal((nv, 5)))

    # values: against the full Hessian of f in v, from jax.hessian (reverse-over-forward)
    s, f = np.asarray(layout.states), np.asarray(layout.forward)
    sl = split_v(layout, model.n_shocks)

    def f_v(v):
        return model.evaluate(
            ybar.at[s].add(v[sl[0]]), ybar + v[sl[1]], ybar.at[f].add(v[sl[2]]), v[sl[3]], theta
        )

    Hfull = jax.hessian(f_v)(jnp.zeros(nv))
    Hz = composite_hessian(model, layout, ybar, theta, T)
    np.testing.assert_allclose(
        Hz, jnp.einsum("az,iab,bw->izw", T, Hfull, T), rtol=1e-10, atol=1e-10
    )
    np.testing.assert_allclose(
        model_jacobian(model, layout, ybar, theta),
        jax.jacrev(f_v)(jnp.zeros(nv)),
        rtol=1e-12,
        atol=1e-12,
    )

    # JVP and VJP against JAX's rules on the plain functions
    dy = jnp.asarray(rng.standard_normal(ybar.shape)) * 1e-2
    dth = jnp.asarray(rng.standard_normal(theta.shape)) * 1e-2
    dT = jnp.asarray(rng.standard_normal(T.shape))
    W = jnp.asarray(rng.standard_normal(Hz.shape))
    pairs = [
        (
            lambda y, th, T: composite_hessian(model, layout, y, th, T),
            lambda y, th, T: _hessian_zeta(model, layout, y, th, T),
        ),
        (
            lambda y, th, T: model_jacobian(model, layout, y, th) * jnp.sum(T),
            lambda y, th, T: plain_jacobian(model, layout, y, th) * jnp.sum(T),
        ),
    ]
    for custom, plain in pairs:
        _, t1 = jax.jvp(custom, (ybar, theta, T), (dy, dth, dT))
        _, t2 = jax.jvp(plain, (ybar, theta, T), (dy, dth, dT))
        np.testing.assert_allclose(t1, t2, rtol=1e-9, atol=1e-9 * float(jnp.max(jnp.abs(t2))))
        out = custom(ybar, theta, T)
        Wk = W if out.shape == W.shape else jnp.asarray(rng.standard_normal(out.shape))
        g1 = jax.grad(lambda *a: jnp.sum(Wk * custom(*a)), argnums=(0, 1, 2))(ybar, theta, T)
        g2 = jax.grad(lambda *a: jnp.sum(Wk * plain(*a)), argnums=(0, 1, 2))(ybar, theta, T)
        for a, b in zip(g1, g2):
            np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9 * float(jnp.max(jnp.abs(b))))


def test_order2_forward_mode_jacobian_matches_reverse():
    """Forward mode through an order-2 solve (the custom JVP rules) equals reverse mode."""
    model = built("two_country_bond")
    theta = model.param_vector()

    def terms(th):
        sol = jm.solve(model, th, order=2)
        return jnp.concatenate([sol.g_xx.ravel(), sol.g_ss.ravel()])

    Jf = jax.jacfwd(terms)(theta)
    Jr = jax.jacrev(terms)(theta)
    np.testing.assert_allclose(Jf, Jr, rtol=1e-9, atol=1e-9 * float(jnp.max(jnp.abs(Jr))))


def test_sylvester_residual_reported_with_its_threshold():
    """An order-2 solution reports its Sylvester residual over the threshold (<= 1 passes); a
    Sylvester solve stopped early fails with `second_order_failed` and a ratio above 1, and the
    message names the residual instead of blaming a unit root."""
    from jaxmacro._results import RESULTS

    model = jm.models.rbc()
    sol = jm.solve(model, order=2)
    assert 0.0 <= float(sol.second_order_residual) <= 1.0
    assert jm.solve(model).second_order_residual is None
    ss = jm.steady_state(model)
    _, ok = second_order_terms(model, ss, sol.g_x, sol.g_u, sol.shock_cov, sylvester="doubling")
    assert ok == RESULTS.successful
    terms, bad = second_order_terms(
        model, ss, sol.g_x, sol.g_u, sol.shock_cov, sylvester="doubling", max_steps=1
    )
    assert bad == RESULTS.second_order_failed
    assert float(terms["second_order_residual"]) > 1.0
    assert "second_order_residual" in RESULTS[bad]


# ------------------------------------------------------------------------------------------
# The σ²z block of the conditions against Dynare 5.3's order-3 ghxss, ghuss, ghxuu
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["rbc", "lucas_trees_ds"])
def test_sigma2_z_block_against_dynare_order3(name):
    """Dynare's third-order σ² terms, put into our order-2 rule as y += ½σ²(ghxss x + ghuss u),
    leave in the σ²z block of E_t f (`jm.expansion_residuals`) exactly the one third-order
    term an order-2 rule lacks: the state dependence of next period's Jensen term,
    ½ f_+ ghxuu (ŝ_t ⊗ vec Ω) with ŝ_t = H z. So `jm.premia_feedback` (σ²z terms that zero
    the block for the order-2 rule) differs from ghxss by the response to that term; where it
    vanishes (ghxuu = 0, the closed form in test_euler_errors) the two are equal."""
    d = json.loads((REFERENCE / "order3" / name / "dr_order3.json").read_text())
    if name == "rbc":
        model = built("rbc")
    else:
        from jaxmacro.models.lucas_trees import lucas_trees_ds

        model = lucas_trees_ds()
    params = {k: float(v) for k, v in zip(d["param_names"], d["params"]) if k in model.param_names}
    sol = jm.solve(model, params, order=2)
    rows = [d["order_var"].index(v) for v in sol.variables]  # Dynare row of each variable
    cols = [d["state_var"].index(v) for v in sol.states]
    ns, ne = len(sol.states), len(sol.shocks)
    assert tuple(d["exo_names"]) == tuple(sol.shocks)
    ghxss = np.asarray(d["ghxss"])[rows][:, cols]
    ghuss = np.asarray(d["ghuss"])[rows]
    assert np.max(np.abs(ghxss)) > 1e-6  # a non-trivial reference
    G = jnp.asarray(np.concatenate([ghxss, ghuss], axis=1))
    got = np.asarray(jm.expansion_residuals(sol, g_ssz=G).sigma2_x)
    # the missing term: ½ f_+ ghxuu (H z ⊗ vec Ω), H = state rows of [g_x, g_u]
    ghxuu = np.asarray(d["ghxuu"]).reshape(-1, ns, ne, ne)[rows][:, cols]
    Om = np.asarray(d["Sigma_e"]).reshape(ne, ne)
    jensen = np.einsum("rsab,ab->rs", ghxuu, Om)  # n x ns
    st = np.asarray(model.structure.states)
    H = np.concatenate([np.asarray(sol.g_x)[st], np.asarray(sol.g_u)[st]], axis=1)
    ybar, u0 = sol.steady_state, jnp.zeros(ne)
    f_p = np.asarray(jax.jacfwd(lambda y: model.evaluate(ybar, ybar, y, u0, sol.params))(ybar))
    missing = 0.5 * f_p @ jensen @ H
    assert np.max(np.abs(missing)) > 1e-8
    scale = np.max(np.abs(missing))
    np.testing.assert_allclose(got, -missing, atol=1e-8 * scale)
