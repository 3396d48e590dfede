"""Pruned second-order system: simulation, GIRFs, closed-form moments (against Lyapunov, Dynare
and long simulations), parameter gradients, vmap over parameter batches, compile-once."""

from __future__ import annotations

import functools
import json

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from fixture_models_o2 import MODELS, REFERENCE

import jaxmacro as jm
from jaxmacro import girf, pruned_moments, simulate_pruned, stochastic_steady_state
from jaxmacro._linalg import count_inside, solve_discrete_lyapunov


@functools.cache
def built(name):
    return MODELS[name]()


@functools.cache
def solved(name, order, sigma=None):
    params = None if sigma is None else {"sigma": sigma}
    return jm.solve(built(name), params, order=order)


def draws(sol, key, shape):
    L = jnp.linalg.cholesky(sol.shock_cov)
    return jax.random.normal(key, shape + (L.shape[0],)) @ L.T


# ------------------------------------------------------------------------------------------
# Order 1: the pruned-moment code reduces to the Lyapunov solution (and Dynare's moments)
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["rbc", "two_country_bond"])
def test_order1_moments_match_lyapunov_and_dynare(name):
    sol = solved(name, 1)
    mom = pruned_moments(sol, lags=2)
    A, B = sol.transition
    V = solve_discrete_lyapunov(A, B @ sol.shock_cov @ B.T)
    Vy = sol.g_x @ V @ sol.g_x.T + sol.g_u @ sol.shock_cov @ sol.g_u.T
    np.testing.assert_allclose(mom.cov, Vy, rtol=1e-10, atol=1e-16)
    np.testing.assert_allclose(mom.mean, sol.steady_state, rtol=0, atol=0)
    ac1 = sol.g_x @ (A @ V @ sol.g_x.T + B @ sol.shock_cov @ sol.g_u.T)
    np.testing.assert_allclose(mom.autocov[0], ac1, rtol=1e-10, atol=1e-16)
    d = json.loads((REFERENCE / name / "moments_order1.json").read_text())
    idx = [sol.variables.index(v) for v in d["var_names"]]
    ref = np.asarray(d["variance"])
    np.testing.assert_allclose(
        np.asarray(mom.cov)[np.ix_(idx, idx)], ref, rtol=1e-9, atol=1e-9 * np.abs(ref).max()
    )
    # the order-2 formulas with the second-order terms switched off give the same numbers
    zero = {
        k: jnp.zeros_like(getattr(solved(name, 2), k)) for k in ("g_xx", "g_xu", "g_uu", "g_ss")
    }
    sol2_lin = eqx.tree_at(
        lambda s: (s.g_xx, s.g_xu, s.g_uu, s.g_ss),
        solved(name, 2),
        tuple(zero[k] for k in ("g_xx", "g_xu", "g_uu", "g_ss")),
    )
    mom2 = pruned_moments(sol2_lin, lags=2)
    np.testing.assert_allclose(mom2.cov, mom.cov, rtol=1e-9, atol=1e-16)
    np.testing.assert_allclose(mom2.autocov, mom.autocov, rtol=1e-9, atol=1e-16)
    np.testing.assert_allclose(mom2.mean, mom.mean, rtol=0, atol=1e-14)


@pytest.mark.parametrize("method", ["kron", "doubling"])
def test_lyapunov_kernel(method):
    rng = np.random.default_rng(0)
    A = rng.standard_normal((6, 6))
    A *= 0.99 / np.max(np.abs(np.linalg.eigvals(A)))
    Q = rng.standard_normal((6, 6))
    Q = Q @ Q.T
    V = solve_discrete_lyapunov(jnp.asarray(A), jnp.asarray(Q), method=method)
    np.testing.assert_allclose(V, A @ np.asarray(V) @ A.T + Q, rtol=1e-10, atol=1e-10)
    # the exact eigenvalue count inside a disk (spectral radius 0.99)
    assert float(count_inside(jnp.asarray(A), 0.995)[0]) == 6
    assert float(count_inside(jnp.asarray(A), 0.985)[0]) < 6
    # reverse mode through the solve (transpose solve) matches forward mode
    f = lambda a: jnp.sum(solve_discrete_lyapunov(a, jnp.asarray(Q), method=method) ** 2)  # noqa: E731
    g = jax.grad(f)(jnp.asarray(A))
    dA = jnp.asarray(rng.standard_normal((6, 6)))
    np.testing.assert_allclose(jnp.vdot(g, dA), jax.jvp(f, (jnp.asarray(A),), (dA,))[1], rtol=1e-9)


# ------------------------------------------------------------------------------------------
# Closed-form pruned moments vs a long pruned simulation
# ------------------------------------------------------------------------------------------

SIGMA_BIG = 0.04  # rbc_crra with large shocks: sizeable second-order effects


def test_pruned_moments_match_long_simulation():
    sol = solved("rbc_crra", 2, SIGMA_BIG)
    mom = jax.jit(lambda s: pruned_moments(s, lags=1))(sol)
    R, T, burn = 64, 20_000, 2_000
    eps = draws(sol, jax.random.PRNGKey(7), (R, T + burn))
    sims = jax.jit(jax.vmap(lambda e: simulate_pruned(sol, e, burn=burn).values))(eps)
    sims = np.asarray(sims)  # R independent chains x T x n
    # Chain-level statistics; their spread across the R independent chains gives the
    # sampling error of the pooled estimate, whatever the persistence.
    m = sims.mean(axis=1)
    dev = sims - sims.mean(axis=(0, 1))
    v = np.einsum("rti,rtj->rij", dev, dev) / T
    a = np.einsum("rti,rtj->rij", dev[:, 1:], dev[:, :-1]) / (T - 1)
    zmax = 4.5  # 3 statistics x 5 variables x up to 5 entries: a 4.5-sigma band
    for est, ref, what in (
        (m, mom.mean, "mean"),
        (v, mom.cov, "cov"),
        (a, mom.autocov[0], "autocov"),
    ):
        se = est.std(axis=0, ddof=1) / np.sqrt(R)
        err = est.mean(axis=0) - np.asarray(ref)
        live = se > 1e-14 * np.abs(np.asarray(ref)).max()
        assert np.all(np.abs(err[live]) < zmax * se[live]), (
            what,
            (err / np.where(live, se, 1))[live],
        )
        if what == "mean":
            mean_se = se
    # the test has power: the risk correction of the mean is many standard errors away from ȳ
    shift = np.asarray(mom.mean - sol.steady_state)
    k = sol.variables.index("k")
    assert abs(shift[k]) > 20 * mean_se[k]
    # ... and the order-1 moments would be rejected
    mom1 = pruned_moments(solved("rbc_crra", 1, SIGMA_BIG))
    assert abs(float(mom1.mean[k]) - m[:, k].mean()) > 20 * mean_se[k]


# ------------------------------------------------------------------------------------------
# Simulation, GIRFs, stochastic steady state
# ------------------------------------------------------------------------------------------


def test_order1_simulation_and_girf_reduce_to_linear():
    sol = solved("two_country_bond", 1)
    eps = draws(sol, jax.random.PRNGKey(1), (50,))
    ours = simulate_pruned(sol, eps)
    ref = jm.simulate(sol, None, periods=50, shocks=eps)
    np.testing.assert_allclose(ours.values, ref.values, rtol=1e-13, atol=1e-13)
    for shock in sol.shocks:
        np.testing.assert_allclose(
            girf(sol, shock, 30).values,
            jm.impulse_response(sol, shock, periods=30).values,
            atol=1e-15,
        )


def test_simulation_components_and_rule():
    """The pruned path is ȳ + first + second; its first step is Dynare's order-2 formula."""
    sol = solved("two_country_bond", 2)
    eps = draws(sol, jax.random.PRNGKey(2), (40,))
    xf0 = 0.01 * jnp.arange(1.0, 6.0)
    y, first, second = simulate_pruned(sol, eps, initial=xf0, components=True)
    np.testing.assert_allclose(
        y.values, sol.steady_state + first.values + second.values, atol=1e-14
    )
    u = eps[0]
    y0 = (
        sol.steady_state
        + sol.g_x @ xf0
        + sol.g_u @ u
        + 0.5 * (sol.g_xx @ jnp.kron(xf0, xf0) + sol.g_uu @ jnp.kron(u, u) + sol.g_ss)
        + sol.g_xu @ jnp.kron(xf0, u)
    )
    np.testing.assert_allclose(y.values[0], y0, rtol=1e-14)
    # first-order part equals the linear simulation
    lin = simulate_pruned(solved("two_country_bond", 1), eps, initial=xf0)
    np.testing.assert_allclose(sol.steady_state + first.values, lin.values, rtol=1e-12, atol=1e-14)


def test_girf_matches_monte_carlo():
    """Closed-form GIRF = E[y | u_0 = δ] − E[y], estimated with antithetic common draws."""
    sol = solved("rbc_crra", 2, SIGMA_BIG)
    periods, R = 12, 4000
    xf0 = jnp.array([0.5, 0.02])  # away from the steady state: the x^f⊗δ term matters
    g = girf(sol, "e", periods, size=2.0, initial=xf0)
    e = draws(sol, jax.random.PRNGKey(3), (R, periods))
    e = jnp.concatenate([e, -e])  # antithetic
    delta = 2.0 * jnp.sqrt(sol.shock_cov[0, 0])

    def diff(ep):
        shocked = simulate_pruned(sol, ep.at[0, 0].set(delta), initial=xf0).values
        base = simulate_pruned(sol, ep, initial=xf0).values
        return shocked - base

    D = np.asarray(jax.jit(jax.vmap(diff))(e))
    # pair the antithetic draws: independent pair means
    P = 0.5 * (D[:R] + D[R:])
    se = P.std(axis=0, ddof=1) / np.sqrt(R)
    err = P.mean(axis=0) - np.asarray(g.values)
    # (pairs cancel the terms linear in the draws exactly, so z's error is rounding only)
    tol = 4.5 * se + 1e-12 * np.abs(np.asarray(g.values)).max()
    assert np.all(np.abs(err) <= tol), err / (se + 1e-300)
    # second order matters here: the GIRF is not the linear IRF and not symmetric in δ
    lin = girf(solved("rbc_crra", 1, SIGMA_BIG), "e", periods, size=2.0).values
    neg = girf(sol, "e", periods, size=-2.0, initial=xf0).values
    k = sol.variables.index("k")
    assert np.max(np.abs(np.asarray(g.values)[:, k] - lin[:, k])) > 50 * se[:, k].max()
    assert np.max(np.abs(np.asarray(g.values + neg)[:, k])) > 50 * se[:, k].max()


def test_stochastic_steady_state():
    sol = solved("rbc_crra", 2, SIGMA_BIG)
    sss = stochastic_steady_state(sol)
    path = simulate_pruned(sol, jnp.zeros((4000, 1))).values
    np.testing.assert_allclose(path[-1], sss.value, rtol=1e-12)
    # precautionary saving: more capital than in the deterministic steady state
    assert float(sss["k"]) > float(sol.steady_state[sol.variables.index("k")])
    np.testing.assert_array_equal(
        stochastic_steady_state(solved("rbc_crra", 1, SIGMA_BIG)).value,
        solved("rbc_crra", 1, SIGMA_BIG).steady_state,
    )


def test_unit_root_is_flagged():
    def res(lag, cur, lead, e, p):
        return [cur.x - lag.x - e.e, cur.y - (cur.x + p.a * cur.x**2) - p.b * lead.y]

    model = jm.Model(
        res,
        variables=("x", "y"),
        shocks=("e",),
        params=dict(a=0.5, b=0.5),
        shock_cov={"e": 0.01},
        steady_state=lambda p: {"x": 0.0 * p.a, "y": 0.0 * p.a},
    )
    sol = jm.solve(model, order=2)
    mom = pruned_moments(sol, throw=False)
    assert jm.result_name(mom.result) == "unit_root"
    assert np.all(np.isnan(np.asarray(mom.cov)))
    with pytest.raises(Exception, match="unit"):
        pruned_moments(sol)


# ------------------------------------------------------------------------------------------
# Gradients, vmap, compile-once
# ------------------------------------------------------------------------------------------


def _moment_loss(model):
    def loss(theta):
        sol = jm.solve(model, theta, order=2, throw=False)
        mom = pruned_moments(sol, lags=1, throw=False)
        k, c = model.variables.index("k"), model.variables.index("c")
        return (
            jnp.log(mom.std[c]) ** 2
            + (mom.mean[k] - 40.0) ** 2 * 1e-2
            + mom.autocorr[0, c] ** 2
            + 1e3 * mom.cov[k, c]
        )

    return loss


def test_grad_of_pruned_moment_loss_matches_finite_differences():
    model = built("rbc_crra")
    loss = jax.jit(_moment_loss(model))
    theta = model.param_vector().at[model.param_names.index("sigma")].set(SIGMA_BIG)
    g = np.asarray(jax.jit(jax.grad(_moment_loss(model)))(theta))
    h = 1e-5
    for i, name in enumerate(model.param_names):
        step = h * theta[i]
        fd = float((loss(theta.at[i].add(step)) - loss(theta.at[i].add(-step))) / (2 * step))
        assert abs(g[i] - fd) <= 1e-5 * abs(fd), (name, g[i], fd)


def test_vmap_over_1000_parameter_points():
    """vmap of solve + pruned moments + GIRF over 1,000 points equals a loop (on a subset);
    a failing point (explosive TFP, ρ = 1.05) is flagged and does not poison the batch."""
    model = built("rbc")
    N = 1000
    rng = np.random.default_rng(0)
    theta0 = model.param_vector()
    thetas = np.tile(np.asarray(theta0), (N, 1))
    ib, ir, isg = (model.param_names.index(p) for p in ("beta", "rho", "sigma"))
    thetas[:, ib] = rng.uniform(0.97, 0.995, N)
    thetas[:, ir] = rng.uniform(0.5, 0.97, N)
    thetas[:, isg] = rng.uniform(0.005, 0.02, N)
    bad = 123
    thetas[bad, ir] = 1.05
    thetas = jnp.asarray(thetas)

    def one(theta):
        sol = jm.solve(model, theta, order=2, throw=False)
        mom = pruned_moments(sol, lags=1, throw=False)
        irf = girf(sol, "e", 8).values
        return sol.g_xx, sol.g_ss, mom.mean, mom.cov, irf, mom.result._value

    batched = jax.jit(jax.vmap(one))(thetas)
    codes = np.asarray(batched[-1])
    ok_code = int(jm.RESULTS.successful._value)
    assert codes[bad] != ok_code
    assert np.all(np.delete(codes, bad) == ok_code)
    for x in batched[:-1]:
        x = np.asarray(x)
        assert np.all(np.isnan(x[bad]))
        assert np.all(np.isfinite(np.delete(x, bad, axis=0)))
    single = jax.jit(one)
    for i in (0, 1, 500, bad - 1, bad + 1, N - 1):
        ref = single(thetas[i])
        for x, r in zip(batched[:-1], ref[:-1]):
            np.testing.assert_allclose(np.asarray(x)[i], r, rtol=1e-10, atol=1e-14)


def test_jit_traces_once():
    model = built("rbc")

    @jax.jit
    @eqx.debug.assert_max_traces(max_traces=1)
    def f(theta):
        sol = jm.solve(model, theta, order=2, throw=False)
        mom = pruned_moments(sol, lags=2, throw=False)
        return mom.std, girf(sol, "e", 10).values, stochastic_steady_state(sol, throw=False).value

    theta = model.param_vector()
    for beta in (0.98, 0.985, 0.99):
        out = f(theta.at[model.param_names.index("beta")].set(beta))
        assert all(np.all(np.isfinite(np.asarray(o))) for o in out)
