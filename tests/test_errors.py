"""Bad input gets a clear error (outside jit) or a RESULTS code (inside jit): shock covariances
and the numbers of a failed point."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxmacro as jm


def _two_shock_model(shock_cov, **params):
    def res(lag, cur, lead, sh, p):
        return [cur.x - p.rho * lag.x - sh.e, cur.z - p.rho * lag.z - sh.u]

    return jm.Model(
        res,
        variables=("x", "z"),
        shocks=("e", "u"),
        params=dict(rho=0.5, s=0.01, c=0.3, **params),
        shock_cov=shock_cov,
        steady_state=lambda p: {"x": 0.0 * p.rho, "z": 0.0 * p.rho},
    )


@pytest.mark.parametrize(
    "cov, match",
    [
        ([[-1e-4, 0.0], [0.0, 1e-4]], "variance of shock 'e' is negative"),
        ([[1e-4, 2e-4], [2e-4, 1e-4]], "correlation of shocks 'e' and 'u' is 2"),
        ([[1e-4, 1e-5], [0.0, 1e-4]], "symmetric"),
        ([[1.0, np.nan], [np.nan, 1.0]], "non-finite"),
    ],
)
def test_invalid_constant_covariance_rejected_at_build(cov, match):
    with pytest.raises(ValueError, match=match):
        _two_shock_model(cov)


def test_not_semidefinite_covariance_rejected():
    """Pairwise correlations in [-1, 1] that cannot hold together (0.9, 0.9, -0.9)."""

    def res(lag, cur, lead, sh, p):
        return [cur.a - sh.e1, cur.b - sh.e2, cur.c - sh.e3]

    C = np.array([[1.0, 0.9, 0.9], [0.9, 1.0, -0.9], [0.9, -0.9, 1.0]])
    with pytest.raises(ValueError, match="not positive semidefinite"):
        jm.Model(
            res,
            variables=("a", "b", "c"),
            shocks=("e1", "e2", "e3"),
            params=dict(k=1.0),
            shock_cov=C,
            steady_state=lambda p: {"a": 0.0, "b": 0.0, "c": 0.0},
        )


def test_negative_standard_deviation_rejected():
    with pytest.raises(ValueError, match="standard deviation of shock 'u'"):
        _two_shock_model({"e": 0.01, "u": -0.01})


def test_zero_variance_shock_allowed():
    m = _two_shock_model([[1e-4, 0.0], [0.0, 0.0]])
    assert jm.result_name(jm.solve(m).result) == "successful"


def _param_cov(p):
    v = p.s**2
    return jnp.array([[v, p.c * v], [p.c * v, v]])


def test_parameter_dependent_covariance():
    with pytest.raises(ValueError, match="at the default parameters"):
        _two_shock_model(lambda p: jnp.array([[p.s, 0.0], [0.0, -p.s]]))
    m = _two_shock_model(_param_cov)
    # inside jit / vmap: a correlation of 2 is a RESULTS code, its neighbours are unaffected
    cs = jnp.array([0.3, 2.0, -0.5])
    sols = jax.vmap(lambda c: jm.solve(m, {"c": c}, throw=False))(cs)
    names = [jm.result_name(jax.tree.map(lambda x: x[i], sols.result)) for i in range(3)]
    assert names == ["successful", "invalid_shock_covariance", "successful"]
    one = jm.solve(m, {"c": 0.3})
    np.testing.assert_array_equal(np.asarray(sols.g_u[0]), np.asarray(one.g_u))
    assert np.all(np.isnan(np.asarray(sols.g_u[1])))
    with pytest.raises(Exception, match="not a covariance matrix"):
        jm.solve(m, {"c": 2.0})


def test_failed_point_has_nan_numbers():
    """The numbers of a failed point are NaN, its steady state included."""
    m = _two_shock_model([[1e-4, 0.0], [0.0, 1e-4]])
    bad = jm.solve(m, {"rho": 1.5}, throw=False)
    assert jm.result_name(bad.result) == "bk_no_stable_solution"
    assert np.all(np.isnan(np.asarray(bad.steady_state)))
    assert np.all(np.isnan(np.asarray(bad.g_x)))


def _numerical_steady_state_model():
    """x = ρ x₋₁ + (1-ρ) log(1 + x) + e: steady state x̄ = 0 reached by Newton from x = 5 in
    several steps (no analytic steady state)."""

    def res(lag, cur, lead, sh, p):
        return [cur.x - p.rho * lag.x - (1 - p.rho) * jnp.log1p(cur.x) - sh.e]

    return jm.Model(
        res,
        variables=("x",),
        shocks=("e",),
        params=dict(rho=0.9),
        shock_cov=[[1e-4]],
        guess={"x": 5.0},
    )


def test_options_mean_the_same_in_every_front_door():
    """`max_steps` is the steady-state root-finder step limit wherever a steady state is solved;
    `qz_max_steps` the spectral step limit of the first-order solver; the names, defaults and
    meaning are shared by `solve`, `perturb`, `portfolio` and `portfolio_dynamics`."""
    import inspect

    m = _numerical_steady_state_model()
    assert jm.result_name(jm.steady_state(m, max_steps=1, throw=False).result) == (
        "steady_state_failed"
    )
    assert jm.result_name(jm.solve(m, max_steps=1, throw=False).result) == "steady_state_failed"
    ok = jm.solve(m)
    np.testing.assert_allclose(ok.steady_state, [0.0], atol=1e-12)
    assert jm.result_name(jm.solve(m, qz_max_steps=1, throw=False).result) == (
        "perturbation_not_converged"
    )
    ss = jm.steady_state(m)
    bad = jm.perturb(m, ss, qz_max_steps=1, throw=False)
    assert jm.result_name(bad.result) == "perturbation_not_converged"
    with pytest.raises(Exception, match="qz_max_steps"):
        jm.perturb(m, ss, qz_max_steps=1)

    def defaults(f):
        sig = inspect.signature(f).parameters
        keys = ("guess", "steady_state_solver", "qz_criterium", "qz_max_steps", "max_steps")
        return {k: sig[k].default for k in keys if k in sig}, sig["throw"].default

    ref = defaults(jm.solve)
    assert len(ref[0]) == 5 and ref[1] is True
    for f in (jm.portfolio, jm.portfolio_dynamics):
        assert defaults(f) == ref, f.__name__
    assert defaults(jm.perturb) == ({"qz_criterium": 1.0 + 1e-6, "qz_max_steps": 80}, True)
    assert inspect.signature(jm.steady_state).parameters["max_steps"].default == 100
