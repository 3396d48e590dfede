"""Consumers of a solution (`jaxmacro._dynamics`): the one unit-root rule, order-awareness of
moments, simulation and impulse responses, and shock validation.

References: closed forms (AR(1) variance), SciPy's Lyapunov solver, a NumPy pruned recursion
written here from the textbook formulas, and the exact unit roots of portfolio models.
"""

import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.linalg
from helpers import ar1_model

import jaxmacro as jm
from jaxmacro._linalg import count_inside, has_unit_root
from jaxmacro.models import lucas_trees_ds, rbc, two_country_bond

RHOS = [0.99, 0.997, 0.999, 0.9999]
SIGMA = 0.01


@functools.cache
def _models():
    return {"ar1": ar1_model(SIGMA), "rbc": rbc()}


# ------------------------------------------------------------------ the unit-root rule
@pytest.mark.parametrize("rho", RHOS)
def test_high_persistence_ar1_against_closed_form(rho):
    """Defect: AR(1) with ρ = 0.997 was flagged `unit_root` (renormalised squaring test)."""
    mo = jm.moments(jm.solve(_models()["ar1"], {"rho": rho}))
    assert jm.result_name(mo.result) == "successful"
    np.testing.assert_allclose(float(mo.std[0]), SIGMA / np.sqrt(1 - rho**2), rtol=1e-9)
    np.testing.assert_allclose(float(mo.autocorr[0, 0]), rho, rtol=1e-10)


@pytest.mark.parametrize("rho", RHOS)
def test_high_persistence_rbc_against_scipy(rho):
    m = _models()["rbc"]
    sol = jm.solve(m, {"rho": rho})
    mo = jm.moments(sol)
    assert jm.result_name(mo.result) == "successful"
    A, B = (np.asarray(x) for x in sol.transition)
    Vs = scipy.linalg.solve_discrete_lyapunov(A, B @ np.asarray(sol.shock_cov) @ B.T)
    gx, gu = np.asarray(sol.g_x), np.asarray(sol.g_u)
    V = gx @ Vs @ gx.T + gu @ np.asarray(sol.shock_cov) @ gu.T
    np.testing.assert_allclose(np.asarray(mo.cov), V, rtol=1e-7, atol=1e-14)
    # the same solution at order 2: the pruned moments exist too
    mo2 = jm.moments(jm.solve(m, {"rho": rho}, order=2), lags=1)
    assert jm.result_name(mo2.result) == "successful"
    assert np.all(np.isfinite(np.asarray(mo2.cov)))


def test_rbc_unit_root_and_explosive_tfp_flagged():
    m = _models()["rbc"]
    mo = jm.moments(jm.solve(m, {"rho": 1.0}), throw=False)
    assert jm.result_name(mo.result) == "unit_root"
    assert np.all(np.isnan(np.asarray(mo.std)))


@pytest.mark.parametrize(
    "build",
    [lambda: two_country_bond(phi=0.0), lucas_trees_ds],
    ids=["bond_no_adjustment_cost", "lucas"],
)
def test_true_unit_roots_flagged(build):
    """Relative wealth has an exact unit root (the bond model without its portfolio adjustment
    cost φ): moments do not exist. (lucas_trees_ds returned `successful` with std(nfa) = 3.3e6
    under the old rule.)"""
    sol = jm.solve(build())
    assert jm.result_name(sol.result) == "successful"
    mo = jm.moments(sol, throw=False)
    assert jm.result_name(mo.result) == "unit_root"
    assert np.all(np.isnan(np.asarray(mo.cov)))
    with pytest.raises(Exception, match="unit circle"):
        jm.moments(sol)
    assert jm.result_name(jm.stochastic_steady_state(sol, throw=False).result) == "unit_root"


def test_unit_root_rule_threshold_and_non_normality():
    """The rule is exact: a highly non-normal stable matrix is not flagged, a root within
    1e-6 of the circle is, whatever the off-diagonal size."""
    for off in (0.0, 1.0, 1e3):
        A = jnp.array([[0.9999, off], [0.0, 0.5]])
        assert not bool(has_unit_root(A))
        B = jnp.array([[1.0 - 1e-7, off], [0.0, 0.5]])
        assert bool(has_unit_root(B))
    rng = np.random.default_rng(1)
    for _ in range(5):
        M = rng.standard_normal((6, 6))
        ev = np.abs(np.linalg.eigvals(M))
        r = float(np.median(ev))
        assert float(count_inside(jnp.asarray(M), r * (1 + 1e-3))[0]) == np.sum(ev < r * (1 + 1e-3))
    # vmapped: each point judged on its own
    As = jnp.stack([jnp.diag(jnp.array([0.99, 0.5])), jnp.diag(jnp.array([1.0, 0.5]))])
    np.testing.assert_array_equal(np.asarray(jax.vmap(has_unit_root)(As)), [False, True])


# ------------------------------------------------------------------ order-awareness
@functools.cache
def _rbc2():
    return jm.solve(rbc(gamma=2.0, sigma=0.04), order=2)


def _numpy_pruned(sol, u):
    """Pruned second-order simulation from the formulas (Kim et al. 2008), in NumPy."""
    gx, gu = np.asarray(sol.g_x), np.asarray(sol.g_u)
    gxx, gxu, guu, gss = (np.asarray(x) for x in (sol.g_xx, sol.g_xu, sol.g_uu, sol.g_ss))
    s = np.asarray(sol.state_index)
    ns = gx.shape[1]
    xf, xs = np.zeros(ns), np.zeros(ns)
    out = []
    for ut in u:
        yf = gx @ xf + gu @ ut
        ys = (
            gx @ xs
            + 0.5 * gxx @ np.kron(xf, xf)
            + gxu @ np.kron(xf, ut)
            + 0.5 * guu @ np.kron(ut, ut)
            + 0.5 * gss
        )
        out.append(np.asarray(sol.steady_state) + yf + ys)
        xf, xs = yf[s], ys[s]
    return np.array(out)


def test_simulate_is_pruned_at_order_2():
    """Defect: `simulate` read only g_x, g_u of an order-2 solution."""
    sol = _rbc2()
    u = np.asarray(jax.random.normal(jax.random.PRNGKey(0), (60, 1))) * 0.04
    path = jm.simulate(sol, None, periods=60, shocks=u)
    np.testing.assert_allclose(
        np.asarray(path.values), _numpy_pruned(sol, u), rtol=1e-10, atol=1e-12
    )
    np.testing.assert_array_equal(
        np.asarray(path.values), np.asarray(jm.simulate_pruned(sol, u).values)
    )


def test_moments_are_pruned_at_order_2():
    """Defect: `moments` returned first-order numbers for an order-2 solution. The pruned mean
    includes the risk correction; reference: the mean of the pruned system from its formulas,
    with SciPy's Lyapunov solver for V_f = Var x^f:
    E x^s = (I − A)⁻¹ ½ (H_xx vec V_f + H_uu vec Σ + H_σσ),
    E y = ȳ + g_x E x^s + ½ (g_xx vec V_f + g_uu vec Σ + g_σσ)."""
    sol = _rbc2()
    mo = jm.moments(sol, lags=1)
    assert mo.order == 2
    gx, gu = np.asarray(sol.g_x), np.asarray(sol.g_u)
    gxx, guu, gss = (np.asarray(x) for x in (sol.g_xx, sol.g_uu, sol.g_ss))
    s = np.asarray(sol.state_index)
    A, B, S = gx[s], gu[s], np.asarray(sol.shock_cov)
    Vf = scipy.linalg.solve_discrete_lyapunov(A, B @ S @ B.T)
    Exs = np.linalg.solve(
        np.eye(len(s)) - A, 0.5 * (gxx[s] @ Vf.ravel() + guu[s] @ S.ravel() + gss[s])
    )
    Ey = np.asarray(sol.steady_state) + gx @ Exs + 0.5 * (gxx @ Vf.ravel() + guu @ S.ravel() + gss)
    np.testing.assert_allclose(np.asarray(mo.mean), Ey, rtol=1e-9)
    k = sol.variables.index("k")
    assert abs(float(mo.mean[k] - sol.steady_state[k])) > 1e-3  # not the first-order mean
    np.testing.assert_allclose(np.asarray(mo.state_mean), Exs, rtol=1e-9)


def test_impulse_response_is_girf_at_order_2():
    """Defect: `impulse_response` was first order for an order-2 solution. At order 2 it is the
    GIRF: with common random numbers, E[y | δ] − E[y] from simulations."""
    sol = _rbc2()
    irf = jm.impulse_response(sol, "e", periods=12)
    np.testing.assert_array_equal(np.asarray(irf.values), np.asarray(jm.girf(sol, "e", 12).values))
    # independent: the pruned recursion with and without the impulse on top of zero shocks
    # (expectation of the quadratic terms: u0 = δ vs u0 = 0 with E u0 u0' = Σ)
    d = float(np.sqrt(sol.shock_cov[0, 0]))
    u_hit = np.zeros((12, 1))
    u_hit[0, 0] = d
    base = np.zeros((12, 1))
    # GIRF_0 = g_u δ + ½ g_uu (δδ' − Σ): the deterministic part at zero shocks differs by ½ g_uu Σ
    gap = _numpy_pruned(sol, u_hit) - _numpy_pruned(sol, base)
    corr = 0.5 * np.asarray(sol.g_uu)[:, 0] * float(sol.shock_cov[0, 0])
    np.testing.assert_allclose(np.asarray(irf.values)[0], gap[0] - corr, rtol=1e-10, atol=1e-13)
    # A one-s.d. impulse from the steady state has δδ' = Σ, so its GIRF equals the linear IRF;
    # a two-s.d. impulse does not (responses are not linear in the size at order 2).
    lin = jm.solve(rbc(gamma=2.0, sigma=0.04))
    irf2 = jm.impulse_response(sol, "e", periods=12, size=2.0)
    lin2 = jm.impulse_response(lin, "e", periods=12, size=2.0)
    assert np.max(np.abs(np.asarray(irf2.values) - np.asarray(lin2.values))) > 1e-4
    np.testing.assert_allclose(
        np.asarray(irf.values),
        np.asarray(jm.impulse_response(lin, "e", periods=12).values),
        rtol=1e-12,
        atol=1e-14,
    )


# ------------------------------------------------------------------ shocks
def test_shock_index_validated():
    sol = jm.solve(rbc())
    with pytest.raises(ValueError, match="out of range"):
        jm.impulse_response(sol, 7)
    with pytest.raises(ValueError, match="unknown shock"):
        jm.impulse_response(sol, "nope")
    np.testing.assert_array_equal(
        np.asarray(jm.impulse_response(sol, 0).values),
        np.asarray(jm.impulse_response(sol, "e").values),
    )


def test_zero_variance_shock_has_zero_response_not_nan():
    """The DS setup: ξ has variance 0. Its impulse is zero; draws and other IRFs are finite."""
    sol = jm.solve(lucas_trees_ds())
    zero = jm.impulse_response(sol, "zeta", periods=5)
    np.testing.assert_array_equal(np.asarray(zero.values), 0.0)
    e1 = jm.impulse_response(sol, "e1", periods=5)
    assert np.all(np.isfinite(np.asarray(e1.values)))
    sim = jm.simulate(sol, jax.random.PRNGKey(0), periods=20)
    assert np.all(np.isfinite(np.asarray(sim.values)))
