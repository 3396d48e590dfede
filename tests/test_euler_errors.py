"""`jm.euler_errors`: errors of the equilibrium conditions by quadrature along a simulated path,
against closed forms (q_t = E_t exp(x_{t+1}) with iid x: the order-1 rule misses E exp(ε) by
1 − exp(σ²/2), the order-2 rule by 1 + σ²/2 − exp(σ²/2)), and the order ranking on the RBC."""

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
