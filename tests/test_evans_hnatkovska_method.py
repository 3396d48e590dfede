"""`jm.evans_hnatkovska`: state-dependent portfolios from the σ²ŝ portfolio conditions solved by
Newton on the order-2 solution, checked against a second algorithm (the Devereux–Sutherland
2010 closed form, `jm.portfolio_dynamics`), the complete-markets closed form, and the defining
property (the conditional covariance of D and r̂x has no state slope at the solution, and a
clear one away from it)."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from helpers import RTOL_FD, central_difference
from test_portfolio_dynamics import (
    DYN,
    DYN_CALIB,
    DYN_STATES,
    closed_form_gamma,
    dyn_pd,
    full,
)

import jaxmacro as jm

GAMMAS = {s: f"g_{s}" for s in DYN_STATES}
TRACES = []


def _count(p, ybar):
    TRACES.append(1)
    return 1.0 + 0.0 * p.bet


def eh(**over):
    return jm.evans_hnatkovska(
        DYN, full(DYN, **over), gamma_params=GAMMAS, sdf="cdiff", scale=_count, throw=False
    )


@pytest.mark.parametrize("complete", [False, True], ids=["incomplete", "complete"])
def test_equals_ds_dynamics_and_closed_form(complete):
    over = dict(DYN_CALIB, sdt=0.0, corr13=0.0) if complete else DYN_CALIB
    out, pd = eh(**over), dyn_pd(**over)
    assert jm.result_name(out.result) == "successful"
    assert float(out.residual) < 1e-10 and 1 <= int(out.iterations) <= 5
    big = np.max(np.abs(np.asarray(pd.gamma)))
    np.testing.assert_allclose(np.asarray(out.alpha_x), np.asarray(pd.gamma), atol=1e-8 * big)
    np.testing.assert_allclose(np.asarray(out.alpha_bar), np.asarray(pd.alpha_tilde), rtol=1e-10)
    if complete:
        states = ("nfa", "y1", "y2", "p1", "p2")
        exact = np.asarray(closed_form_gamma(over["bet"], states))
        got = np.asarray([out.alpha_x[0, DYN.states.index(s)] for s in states])
        np.testing.assert_allclose(got, exact, atol=1e-9 * np.max(np.abs(exact)))
    # Σ_x of the excess return and the premia are those of the order-2 solution it returns
    cm = jm.conditional_moments(out.solution, variables=("rx", "cdiff"), shocks=("e1", "e2", "e3"))
    np.testing.assert_allclose(np.asarray(out.sigma_x[0, 0]), np.asarray(cm.cov_x[0, 0]))
    np.testing.assert_allclose(float(out.premia0[0]), -float(cm.cov0[1, 0]))


def test_condition_holds_at_the_solution_and_fails_away_from_it():
    """Independent of the Newton internals: put α_x into the model's parameters, solve at
    order 2 and measure the state slope of Cov_t(D, r̂x) with `jm.conditional_moments`."""
    out = eh(**DYN_CALIB)
    shocks = ("e1", "e2", "e3")

    def slope(alpha_x):
        g = {f"g_{s}": float(alpha_x[i]) for i, s in enumerate(DYN.states)}
        p = full(DYN, **DYN_CALIB, atil=float(out.alpha_bar[0]), **g)
        sol = jm.solve(DYN, p, order=2)
        cm = jm.conditional_moments(sol, variables=("cdiff", "rx"), shocks=shocks)
        return np.asarray(cm.cov_x[0, 1]) / float(cm.cov0[1, 1])

    at = np.asarray(out.alpha_x[0])
    assert np.max(np.abs(slope(at))) < 1e-10
    off = at.copy()
    off[0] += 0.05
    assert np.max(np.abs(slope(off))) > 1e-4


def test_vmap_equals_loop_failed_point_and_jit_once():
    bets = [0.95, 0.97, 0.97]
    rhoy = [0.8, 0.8, 1.5]  # the last point is explosive
    stacked = {
        k: jnp.stack([full(DYN, **dict(DYN_CALIB, bet=b, rhoy=r))[k] for b, r in zip(bets, rhoy)])
        for k in DYN.param_names
    }
    TRACES.clear()
    batch = jax.vmap(
        lambda q: jm.evans_hnatkovska(DYN, q, gamma_params=GAMMAS, scale=_count, throw=False)
    )(stacked)
    assert len(TRACES) == 1
    names = [jm.result_name(jax.tree.map(lambda x: x[i], batch.result)) for i in range(3)]
    assert names == ["successful", "successful", "bk_no_stable_solution"]
    assert np.all(np.isnan(np.asarray(batch.alpha_x[2])))
    for i in range(2):
        one = eh(**dict(DYN_CALIB, bet=bets[i], rhoy=rhoy[i]))
        np.testing.assert_allclose(
            np.asarray(batch.alpha_x[i]), np.asarray(one.alpha_x), rtol=1e-10
        )
    TRACES.clear()
    for b in (0.955, 0.965):
        eh(**dict(DYN_CALIB, bet=b))
    assert len(TRACES) == 0  # same structure: compiled once, no retrace


def test_grad_equals_finite_differences():
    base = full(DYN, **DYN_CALIB)

    def f(b):
        q = dict(base, bet=b)
        return jm.evans_hnatkovska(DYN, q, gamma_params=GAMMAS).alpha_x[0, 0]

    b0 = jnp.asarray(DYN_CALIB["bet"])
    g = float(jax.grad(f)(b0))
    np.testing.assert_allclose(g, float(central_difference(f, b0, 1e-5)), rtol=RTOL_FD)


def test_errors():
    p = full(DYN, **DYN_CALIB)
    with pytest.raises(ValueError, match="'c1' is not a state"):
        jm.evans_hnatkovska(DYN, p, gamma_params={"c1": "g_nfa"})
    with pytest.raises(ValueError, match="unknown parameter 'g_zz'"):
        jm.evans_hnatkovska(DYN, p, gamma_params={"nfa": "g_zz"})
    with pytest.raises(ValueError, match="used twice"):
        jm.evans_hnatkovska(DYN, p, gamma_params={"nfa": "g_nfa", "y1": "g_nfa"})
    with pytest.raises(ValueError, match="unknown variable 'm'"):
        jm.evans_hnatkovska(DYN, p, gamma_params=GAMMAS, sdf="m")
    with pytest.raises(ValueError, match="one mapping"):
        jm.evans_hnatkovska(DYN, p, gamma_params=[GAMMAS, GAMMAS])
    with pytest.raises(ValueError, match="unknown equation 'goods'"):
        jm.evans_hnatkovska(DYN, p, gamma_params=GAMMAS, first_order_equations=["goods"])


# ------------------------------------------------------------------------------------------
# Verification by coefficient matching, the law of motion (27), complete markets
# ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def eh_incomplete():
    return eh(**DYN_CALIB)


def test_verify_holds_at_the_solution_and_fails_off_it(eh_incomplete):
    """`verify` expands every condition on [1, z, vech(zz')] and σ², σ²z by quadrature of the
    rule (not through conditional_moments or Newton): < 1e-10 at the solution; the portfolio
    condition's σ²z block, the equations' σ² and vech blocks each fail when their part of the
    solution is perturbed."""
    out = eh_incomplete
    ex = out.verify()
    assert float(ex.max_residual) < 1e-10
    assert ex.conditions[-1] == "cov(cdiff,rx)" and ex.kinds[-1] == "covariance"
    assert "max held" in ex.report()
    # a second-order solution does not zero the equations' σ²z block (g_σσx is third order)
    assert float(np.max(np.abs(np.asarray(ex.sigma2_x[:-1])))) > 1e-4
    # α_x off its root: the σ²z block of the portfolio condition
    g = {f"g_{s}": float(out.alpha_x[0, i]) for i, s in enumerate(DYN.states)}
    g["g_nfa"] += 0.05
    off = jm.solve(DYN, full(DYN, **DYN_CALIB, atil=float(out.alpha_bar[0]), **g), order=2)
    ex_off = jm.expansion_residuals(off, covariances=[("cdiff", "rx")])
    assert float(np.max(np.abs(np.asarray(ex_off.sigma2_x[-1])))) > 1e-3
    assert float(ex_off.max_residual) > 1e-3
    # a wrong precautionary constant (σ² block) or wrong curvature (vech block)
    sol = out.solution
    bad_ss = eqx.tree_at(lambda s: s.g_ss, sol, sol.g_ss.at[0].add(1e-3))
    bad_xx = eqx.tree_at(lambda s: s.g_xx, sol, sol.g_xx * 1.01)
    assert float(jm.expansion_residuals(bad_ss).max_residual) > 1e-5
    assert float(jm.expansion_residuals(bad_xx).max_residual) > 1e-5
    # an order-1 solution holds 1 and z only, and the σ² portfolio condition (ᾱ)
    sol1 = jm.solve(DYN, full(DYN, **DYN_CALIB, atil=float(out.alpha_bar[0])), order=1)
    ex1 = jm.expansion_residuals(sol1, covariances=[("cdiff", "rx")])
    assert float(ex1.max_residual) < 1e-10
    assert float(np.max(np.abs(np.asarray(ex1.xx[:-1])))) > 1e-2  # not held at order 1
    with pytest.raises(ValueError, match="unknown variable 'm'"):
        jm.expansion_residuals(sol, covariances=[("m", "rx")])


def test_state_space_27_against_closed_forms(eh_incomplete):
    """A and S(X) of X_{t+1} = A X_t + U, X = [1, x, vech(xx')], against the pruned
    second-order formulas built from g_x, g_u, g_xx, g_uu, g_σσ and conditional_moments."""
    sol = eh_incomplete.solution
    ss = eh_incomplete.state_space()
    st = np.asarray(DYN.structure.states)
    ns = len(st)
    assert ss.labels[: ns + 2] == ("1",) + tuple(DYN.states) + (f"{DYN.states[0]}*{DYN.states[0]}",)
    Hx, Hxx = np.asarray(sol.g_x)[st], np.asarray(sol.g_xx)[st]
    Huu, Hss = np.asarray(sol.g_uu)[st], np.asarray(sol.g_ss)[st]
    Om = np.asarray(sol.shock_cov)
    cm = jm.conditional_moments(sol, variables=list(DYN.states))
    S0, Sx = np.asarray(cm.cov0), np.asarray(cm.cov_x)
    A = np.asarray(ss.A)
    mu0 = 0.5 * (Hss + Huu @ Om.reshape(-1))
    x = np.random.default_rng(0).normal(size=ns) * 0.1
    X = np.asarray(ss.X(jnp.asarray(x)))
    iu, ju = np.triu_indices(ns)
    m = Hx @ x
    tol = dict(atol=1e-14)
    # E_t x_{t+1} = μ0 + H_x x + ½ H_xx (x⊗x)
    np.testing.assert_allclose(A[1 : 1 + ns] @ X, mu0 + m + 0.5 * Hxx @ np.kron(x, x), **tol)
    # E_t vech(x_{t+1}x_{t+1}') = vech(H_x x x'H_x' + Σ_0 + μ0 m' + m μ0' + Σ_x x)
    Exx = np.outer(m, m) + S0 + np.outer(mu0, m) + np.outer(m, mu0) + Sx @ x
    np.testing.assert_allclose(A[1 + ns :] @ X, Exx[iu, ju], **tol)
    np.testing.assert_allclose(A[0], np.eye(len(X))[0])
    # S(X): Cov_t(x_{t+1}) = Σ_0 + Σ_x x; Cov_t(x_a, x_b x_c) = Σ_ab m_c + Σ_ac m_b
    S = np.asarray(ss.S(jnp.asarray(x)))
    np.testing.assert_allclose(S[1 : 1 + ns, 1 : 1 + ns], S0 + Sx @ x, **tol)
    C = np.einsum("ab,c->abc", S0, m) + np.einsum("ac,b->abc", S0, m)
    np.testing.assert_allclose(S[1 : 1 + ns, 1 + ns :], C[:, iu, ju], **tol)
    assert np.max(np.abs(S[1 + ns :, 1 + ns :])) == 0.0  # σ²x², σ⁴: dropped


def test_complete_markets_risk_sharing_in_simulation():
    """With the transfer shut (σ_τ = 0) one excess return spans the two output shocks: the
    SDF differential has no innovation at σ² and σ²x (states the economy visits) and is
    constant along a simulated (pruned) path, while consumption moves."""
    out = eh(**dict(DYN_CALIB, sdt=0.0, corr13=0.0))
    sol = out.solution
    cm = jm.conditional_moments(sol, shocks=("e1", "e2", "e3"))
    i = DYN.variables.index("cdiff")
    visited = [DYN.states.index(s) for s in DYN.states if s != "tau"]  # τ stays at 0
    assert np.max(np.abs(np.asarray(cm.cov0[i]))) < 1e-15
    assert np.max(np.abs(np.asarray(cm.cov_x[i][:, visited]))) < 1e-14
    path = np.asarray(jm.simulate(sol, jax.random.PRNGKey(0), periods=2000).values)
    assert np.std(path[:, i]) < 1e-13
    assert np.std(path[:, DYN.variables.index("c1")]) > 1e-2
    assert float(out.verify().max_residual) < 1e-10


def test_state_space_vmap_and_grad(eh_incomplete):
    """eh_state_space under vmap equals a loop, and its gradient equals finite differences
    (a precautionary constant of A and a conditional variance in S_0)."""
    atil = float(eh_incomplete.alpha_bar[0])
    base = full(DYN, **DYN_CALIB, atil=atil)

    def stats(bet):
        sol = jm.solve(DYN, dict(base, bet=bet), order=2)
        ss = jm.eh_state_space(sol)
        return jnp.stack([ss.A[5, 0], ss.S0[5, 5]])  # p1: precautionary constant, variance

    bets = jnp.asarray([0.965, 0.97])
    batch = jax.vmap(stats)(bets)
    for i in range(2):
        np.testing.assert_allclose(np.asarray(batch[i]), np.asarray(stats(bets[i])), rtol=1e-12)
    b0 = jnp.asarray(DYN_CALIB["bet"])
    for k in range(2):
        g = float(jax.grad(lambda b: stats(b)[k])(b0))
        fd = float(central_difference(lambda b: stats(b)[k], b0, 1e-5))
        np.testing.assert_allclose(g, fd, rtol=RTOL_FD)


def test_premia_feedback_zeroes_every_sigma2_z_block(eh_incomplete):
    """With premia feedback the σ²z block of every equation is held too (< 1e-10), the
    positions and conditional moments are those without it (the feedback enters covariances
    at σ⁴ only), and the risk-adjusted rule simulates."""
    fb = jm.evans_hnatkovska(
        DYN, full(DYN, **DYN_CALIB), gamma_params=GAMMAS, sdf="cdiff", premia_feedback=True
    )
    ex = fb.verify()
    assert ex.sigma_z and float(ex.max_residual) < 1e-10
    assert float(np.max(np.abs(np.asarray(fb.g_ssz)))) > 1e-3  # the terms are not trivial
    np.testing.assert_allclose(np.asarray(fb.alpha_x), np.asarray(eh_incomplete.alpha_x))
    np.testing.assert_allclose(np.asarray(fb.premia_x), np.asarray(eh_incomplete.premia_x))
    np.testing.assert_allclose(np.asarray(fb.g_ssz), np.asarray(jm.premia_feedback(fb.solution)))
    assert not np.any(np.asarray(eh_incomplete.g_ssz))
    assert eh_incomplete.risk_adjusted_solution is eh_incomplete.solution
    path = jm.simulate(fb.risk_adjusted_solution, jax.random.PRNGKey(1), periods=200).values
    assert np.all(np.isfinite(np.asarray(path)))


@pytest.mark.slow  # a third EH compile; linearize_equations is covered fast in test_euler_errors
def test_mixed_order_variant(eh_incomplete):
    """EH's mixed-order variant: goods clearing held to first order
    (`first_order_equations`, [`jm.linearize_equations`]); the positions solve the portfolio
    conditions of that model (= DS 2010 on it), verify holds, and its curvature differs."""
    p = full(DYN, **DYN_CALIB)
    goods = DYN.equations[9]  # e^c1 + e^c2 = e^y1 + e^y2
    out = jm.evans_hnatkovska(
        DYN, p, gamma_params=GAMMAS, sdf="cdiff", first_order_equations=[goods]
    )
    assert float(out.residual) < 1e-10 and float(out.verify().max_residual) < 1e-10
    mixed = jm.linearize_equations(DYN, [goods])
    pd = jm.portfolio_dynamics(mixed, p)
    big = np.max(np.abs(np.asarray(pd.gamma)))
    np.testing.assert_allclose(np.asarray(out.alpha_x), np.asarray(pd.gamma), atol=1e-8 * big)
    # the goods-clearing curvature is gone: the precautionary terms move
    diff = np.asarray(out.solution.g_ss - eh_incomplete.solution.g_ss)
    assert np.max(np.abs(diff)) > 1e-8
