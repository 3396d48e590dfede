"""`jm.euler_errors`: errors of the equilibrium conditions by quadrature along a simulated path,
against closed forms (q_t = E_t exp(x_{t+1}) with iid x: the order-1 rule misses E exp(ε) by
1 − exp(σ²/2), the order-2 rule by 1 + σ²/2 − exp(σ²/2)), and the order ranking on the RBC."""

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxmacro as jm

SIG = 0.05


def _model():
    def res(lag, cur, lead, sh, p):
        return [cur.x - p.rho * lag.x - sh.e, cur.q - jnp.exp(lead.x)]

    return jm.Model(
        res,
        variables=("x", "q"),
        shocks=("e",),
        params=dict(rho=0.0, sig=SIG),
        shock_cov=lambda p: jnp.reshape(p.sig**2, (1, 1)),
        steady_state=lambda p: {"x": 0.0 * p.rho, "q": 1.0 + 0.0 * p.rho},
        equations=("law of motion", "pricing"),
    )


MODEL = _model()
KEY = jax.random.PRNGKey(0)


def test_closed_forms_at_orders_1_and_2():
    s2 = SIG**2
    e1 = jm.euler_errors(jm.solve(MODEL), KEY, periods=50, nodes=7)
    assert e1.equations == ("law of motion", "pricing") and e1.quadrature == "gauss-hermite 7"
    np.testing.assert_allclose(np.asarray(e1.errors[:, 0]), 0.0, atol=1e-15)
    np.testing.assert_allclose(np.asarray(e1.errors[:, 1]), 1 - np.exp(s2 / 2), rtol=1e-10)
    e2 = jm.euler_errors(jm.solve(MODEL, order=2), KEY, periods=50, nodes=7)
    np.testing.assert_allclose(np.asarray(e2.errors[:, 1]), 1 + s2 / 2 - np.exp(s2 / 2), rtol=1e-6)
    assert float(e2.log10_mean[1]) < float(e1.log10_mean[1]) - 2
    assert "pricing" in e2.report()


def test_monomial_rule_when_the_grid_is_too_large():
    e = jm.euler_errors(jm.solve(MODEL), KEY, periods=20, max_points=1)
    assert e.quadrature == "monomial"  # ±σ: E exp(ε) ≈ cosh σ
    np.testing.assert_allclose(np.asarray(e.errors[:, 1]), 1 - np.cosh(SIG), rtol=1e-12)


def test_rbc_second_order_is_more_accurate():
    m = jm.models.rbc()
    e1 = jm.euler_errors(jm.solve(m), KEY, periods=300)
    e2 = jm.euler_errors(jm.solve(m, order=2), KEY, periods=300)
    assert np.all(np.isfinite(np.asarray(e1.log10_mean)))
    assert float(jnp.max(e2.log10_mean)) < float(jnp.max(e1.log10_mean))


def test_failed_solution_and_bad_options():
    bad = jm.solve(MODEL, {"rho": 1.5}, throw=False)
    out = jm.euler_errors(bad, KEY, periods=10, throw=False)
    assert np.all(np.isnan(np.asarray(out.errors)))
    with pytest.raises(Exception, match="Blanchard-Kahn"):
        jm.euler_errors(bad, KEY, periods=10)
    with pytest.raises(ValueError, match="periods"):
        jm.euler_errors(jm.solve(MODEL), KEY, periods=0)


# ------------------------------------------------------------------------------------------
# Coefficient matching (`jm.expansion_residuals`) and the σ²z terms (`jm.premia_feedback`)
# ------------------------------------------------------------------------------------------


def test_expansion_and_sigma2_z_terms_against_closed_forms():
    """q_t = E_t exp(x_{t+1}) = exp(ρx_t + s²/2): at order 2 every held block vanishes, the
    σ²z block of the pricing equation is −½s²ρ ∂x_t/∂z = −½s²ρ(ρ, 1), and the σ²z terms that
    zero it are g_ssz[q] = s²ρ(ρ, 1) (the law of motion has none)."""
    rho = 0.8
    sol = jm.solve(MODEL, {"rho": rho}, order=2)
    ex = jm.expansion_residuals(sol)
    assert ex.z == ("x(-1)", "e") and ex.conditions == ("law of motion", "pricing")
    assert float(ex.max_residual) < 1e-12
    np.testing.assert_allclose(
        np.asarray(ex.sigma2_x[1]), -0.5 * SIG**2 * rho * np.array([rho, 1.0]), rtol=1e-10
    )
    G = jm.premia_feedback(sol)
    np.testing.assert_allclose(np.asarray(G[1]), SIG**2 * rho * np.array([rho, 1.0]), rtol=1e-10)
    np.testing.assert_allclose(np.asarray(G[0]), 0.0, atol=1e-16)
    ex_fb = jm.expansion_residuals(sol, g_ssz=G)
    assert ex_fb.sigma_z and float(ex_fb.max_residual) < 1e-12
    assert float(jm.expansion_residuals(sol, g_ssz=0.5 * G).max_residual) > 1e-4
    with pytest.raises(ValueError, match="g_ssz"):
        jm.expansion_residuals(sol, g_ssz=G[:, :1])
    with pytest.raises(ValueError, match="order-2"):
        jm.premia_feedback(jm.solve(MODEL, {"rho": rho}, order=1))


def test_sigma2_z_terms_vmap_jit_grad():
    """vmap over ρ equals a loop, one trace; grad equals the closed form d(s²ρ²)/dρ = 2s²ρ."""

    def g(rho):
        return jm.premia_feedback(jm.solve(MODEL, {"rho": rho}, order=2, throw=False), throw=False)

    rhos = jnp.asarray([0.3, 0.8, 1.2])  # the last is explosive: flagged as NaN
    batch = jax.vmap(g)(rhos)
    for i in range(2):
        np.testing.assert_allclose(np.asarray(batch[i]), np.asarray(g(rhos[i])), rtol=1e-12)
    assert np.all(np.isnan(np.asarray(batch[2])))
    d = jax.grad(lambda r: g(r)[1, 0])(jnp.asarray(0.8))
    np.testing.assert_allclose(float(d), 2 * SIG**2 * 0.8, rtol=1e-8)


def test_linearized_equations_hold_to_first_order():
    """Holding the pricing equation to first order, q_t = 1 + E_t x_{t+1}: the first-order rule
    is unchanged, the curvature and the precautionary term of q vanish (full model:
    q_t = exp(ρ²x_{t-1} + ρu_t + s²/2): g_xx[q] = ρ⁴, g_σσ[q] = s²), the expansion of the mixed model holds, and that of the full
    equations on the mixed rule shows the truncation in the σ² and vech blocks."""
    rho = 0.8
    mixed = jm.linearize_equations(MODEL, ["pricing"])
    assert jm.linearize_equations(MODEL, ["pricing"]) == mixed  # one compile per selection
    full_sol = jm.solve(MODEL, {"rho": rho}, order=2)
    mix_sol = jm.solve(mixed, {"rho": rho}, order=2)
    np.testing.assert_allclose(np.asarray(mix_sol.g_x), np.asarray(full_sol.g_x), rtol=1e-12)
    np.testing.assert_allclose(float(full_sol.g_xx[1, 0]), rho**4, rtol=1e-10)
    np.testing.assert_allclose(float(full_sol.g_ss[1]), SIG**2, rtol=1e-10)
    assert abs(float(mix_sol.g_xx[1, 0])) < 1e-14 and abs(float(mix_sol.g_ss[1])) < 1e-14
    assert float(jm.expansion_residuals(mix_sol).max_residual) < 1e-12
    on_full = dataclasses.replace(mix_sol, model=MODEL)  # the full equations, mixed rule
    ex = jm.expansion_residuals(on_full)
    np.testing.assert_allclose(float(ex.sigma2[1]), -0.5 * SIG**2, rtol=1e-10)
    # grad through the mixed model (its expansion point depends on θ): d(ρ²)/dρ = 2ρ
    f = lambda r: jm.solve(mixed, {"rho": r}, order=2).g_x[1, 0]  # noqa: E731
    np.testing.assert_allclose(float(jax.grad(f)(jnp.asarray(rho))), 2 * rho, rtol=1e-10)
    with pytest.raises(ValueError, match="unknown equation 'price'"):
        jm.linearize_equations(MODEL, ["price"])
    with pytest.raises(ValueError, match="out of range"):
        jm.linearize_equations(MODEL, [2])
    no_ss = jm.Model(
        lambda lag, cur, lead, sh, p: [cur.x - p.r * lag.x - sh.e],
        variables=("x",),
        shocks=("e",),
        params=dict(r=0.5),
    )
    with pytest.raises(ValueError, match="analytic steady state"):
        jm.linearize_equations(no_ss, [0])
