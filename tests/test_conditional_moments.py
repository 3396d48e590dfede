"""`jm.conditional_moments`: innovation loadings Γ(ŝ) = Γ_0 + Σ Γ_i ŝ_i and conditional
covariances Σ_t = Σ_0 + Σ Σ_{x,i} ŝ_i against closed forms (the quadrature oracle on a portfolio
model is in test_portfolio_dynamics.py), under jit / vmap / grad, and its errors."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from helpers import RTOL_FD, RTOL_SOLVE, central_difference

import jaxmacro as jm

RHO, A, S2 = 0.9, 0.3, 1e-4


def _model():
    """x_t = ρ x_{t-1} + exp(a x_{t-1}) e_t, z_t = x_t + c e2_t: the volatility of x_{t+1} moves
    with x_t. Second order: g_u[x, e] = 1, g_xu[x, (x, e)] = a, so Var_t(x_{t+1}) =
    s2 (1 + 2 a x_t) + O(x², σ⁴)."""

    def res(lag, cur, lead, sh, p):
        return [
            cur.x - p.rho * lag.x - jnp.exp(p.a * lag.x) * sh.e,
            cur.z - cur.x - p.c * sh.e2,
        ]

    return jm.Model(
        res,
        variables=("x", "z"),
        shocks=("e", "e2"),
        params=dict(rho=RHO, a=A, c=0.5, s2=S2),
        shock_cov=lambda p: jnp.diag(jnp.stack([p.s2, 4 * p.s2])),
        steady_state=lambda p: {"x": 0.0 * p.rho, "z": 0.0 * p.rho},
    )


MODEL = _model()


@pytest.fixture(scope="module")
def sol2():
    return jm.solve(MODEL, order=2)


def test_closed_form(sol2):
    cm = jm.conditional_moments(sol2, variables=("x", "z"))
    assert cm.states == ("x",) and cm.shocks == ("e", "e2")
    # Γ_0 = g_u; Γ_x on e: a for x and z (z inherits x's loading), 0 on e2
    np.testing.assert_allclose(cm.loading0, [[1.0, 0.0], [1.0, 0.5]], rtol=RTOL_SOLVE)
    np.testing.assert_allclose(cm.loading_x[:, 0, :], [[A, 0.0], [A, 0.0]], rtol=RTOL_SOLVE)
    np.testing.assert_allclose(cm.cov0, [[S2, S2], [S2, S2 + 0.25 * 4 * S2]], rtol=RTOL_SOLVE)
    np.testing.assert_allclose(cm.cov_x[:, :, 0], 2 * A * S2 * np.ones((2, 2)), rtol=RTOL_SOLVE)
    s = 0.02
    at = jm.conditional_moments(sol2, {"x": s}, variables="x")
    np.testing.assert_allclose(float(at.cov[0, 0]), S2 * (1 + 2 * A * s), rtol=RTOL_SOLVE)
    np.testing.assert_allclose(float(at.loading[0, 0]), 1 + A * s, rtol=RTOL_SOLVE)
    np.testing.assert_allclose(at.cov_at(jnp.array([s])), at.cov, rtol=RTOL_SOLVE)


def test_function_of_variables(sol2):
    """f = exp(x_{t+1}): Γ(s) = exp(x(s, 0)) (1 + a s), so Γ_1 = ρ + a (x̄ = 0, g_xx = 0)."""
    cm = jm.conditional_moments(sol2, variables=lambda y: jnp.exp(y.x), names=("X",), shocks="e")
    assert cm.variables == ("X",) and cm.shocks == ("e",)
    np.testing.assert_allclose(float(cm.loading0[0, 0]), 1.0, rtol=RTOL_SOLVE)
    np.testing.assert_allclose(float(cm.loading_x[0, 0, 0]), RHO + A, rtol=RTOL_SOLVE)
    np.testing.assert_allclose(float(cm.cov_x[0, 0, 0]), 2 * (RHO + A) * S2, rtol=RTOL_SOLVE)


def test_order_one_has_no_state_dependence():
    cm = jm.conditional_moments(jm.solve(MODEL, order=1), {"x": 0.05})
    np.testing.assert_array_equal(np.asarray(cm.loading_x), 0.0)
    np.testing.assert_allclose(cm.cov, cm.cov0, rtol=0)


def test_vmap_over_states_equals_loop_and_jit_once(sol2):
    states = jnp.linspace(-0.05, 0.05, 7)[:, None]
    f = jax.jit(lambda s: jm.conditional_moments(sol2, s, variables="x", throw=False).cov[0, 0])
    batch = jax.vmap(f)(states)
    loop = np.array([float(f(s)) for s in states])
    np.testing.assert_allclose(np.asarray(batch), loop, rtol=1e-14)
    np.testing.assert_allclose(loop, S2 * (1 + 2 * A * np.asarray(states[:, 0])), rtol=1e-10)
    traces = []

    def g(s):
        traces.append(1)
        return jm.conditional_moments(sol2, s, variables="x", throw=False).cov[0, 0]

    gj = jax.jit(g)
    for s in states:
        gj(s)
    assert len(traces) == 1


def test_grad_in_parameters_equals_closed_form_and_fd():
    def slope(a):
        sol = jm.solve(MODEL, {"a": a}, order=2)
        return jm.conditional_moments(sol, variables="x").cov_x[0, 0, 0]

    g = float(jax.grad(slope)(A))
    np.testing.assert_allclose(g, 2 * S2, rtol=1e-9)  # d(2 a s2)/da
    np.testing.assert_allclose(g, float(central_difference(slope, A, 1e-4)), rtol=RTOL_FD)


def test_vmap_over_parameters_and_failed_point():
    a = jnp.array([0.1, 0.3, 0.5])
    rho = jnp.array([0.9, 1.5, 0.9])  # the middle point is explosive

    def one(a, r):
        sol = jm.solve(MODEL, {"a": a, "rho": r}, order=2, throw=False)
        cm = jm.conditional_moments(sol, variables="x", throw=False)
        return cm.cov_x[0, 0, 0], cm.result

    cov_x, res = jax.vmap(one)(a, rho)
    names = [jm.result_name(jax.tree.map(lambda x: x[i], res)) for i in range(3)]
    assert names == ["successful", "bk_no_stable_solution", "successful"]
    assert np.isnan(float(cov_x[1]))
    np.testing.assert_allclose(np.asarray(cov_x)[[0, 2]], 2 * np.array([0.1, 0.5]) * S2, rtol=1e-10)
    with pytest.raises(Exception, match="Blanchard-Kahn"):
        jm.conditional_moments(jm.solve(MODEL, {"rho": 1.5}, order=2, throw=False))


def test_errors(sol2):
    with pytest.raises(ValueError, match="unknown variable 'y'"):
        jm.conditional_moments(sol2, variables=("x", "y"))
    with pytest.raises(ValueError, match="'z' is not a state"):
        jm.conditional_moments(sol2, {"z": 0.1})
    with pytest.raises(ValueError, match="vector of 1 entries"):
        jm.conditional_moments(sol2, [0.1, 0.2])
    with pytest.raises(ValueError, match="unknown shock 'u'"):
        jm.conditional_moments(sol2, shocks=("u",))
    with pytest.raises(ValueError, match="`names` has 2 entries"):
        jm.conditional_moments(sol2, variables=lambda y: y.x, names=("a", "b"))
