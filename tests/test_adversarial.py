"""Adversarial inputs (issue 16): each ends in a named error, a RESULTS code or a correct answer,
quickly; never a hang, a CLI traceback, or `successful` with a wrong number.

The first part holds one regression test per defect (models without states, singular shock
covariances, float32 inputs, `qz_criterium`, parse messages); the last part generates small
hostile inputs and checks the outcome class of each. Models are built once per module and
CLI calls run in process, so the module stays fast on a loaded machine.
"""

import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxmacro as jm
from jaxmacro._dynamics._shocks import shock_factor
from jaxmacro.compat import ModError, parse_mod


def _names(result):
    """Result names of a batched RESULTS member."""
    n = result._value.shape[0]
    return [jm.result_name(jax.tree.map(lambda x: x[i], result)) for i in range(n)]


# ------------------------------------------------------------------ models
def _nk_residuals(lag, cur, lead, sh, p):
    """Three-equation New Keynesian model: IS curve, Phillips curve, Taylor rule (no states)."""
    return [
        cur.y - lead.y + (cur.i - lead.pi) / p.sig - sh.ed,
        cur.pi - p.beta * lead.pi - p.kap * cur.y,
        cur.i - p.phi * cur.pi - sh.em,
    ]


@functools.cache
def _nk():
    return jm.Model(
        _nk_residuals,
        variables=("y", "pi", "i"),
        shocks=("ed", "em"),
        params=dict(sig=1.0, beta=0.99, kap=0.1, phi=1.5),
        shock_cov={"ed": 0.01, "em": 0.01},
        steady_state=lambda p: {"y": 0.0 * p.phi, "pi": 0.0 * p.phi, "i": 0.0 * p.phi},
        name="nk3",
    )


@functools.cache
def _static():
    def res(lag, cur, lead, sh, p):
        return [cur.a - p.k * sh.e, cur.b - 2.0 * cur.a]

    return jm.Model(
        res,
        variables=("a", "b"),
        shocks=("e",),
        params=dict(k=1.5),
        shock_cov={"e": 0.01},
        steady_state=lambda p: {"a": 0.0 * p.k, "b": 0.0 * p.k},
        name="static",
    )


def _nk_impact(phi, sig=1.0, kap=0.1):
    """Closed form: with iid shocks and no states, E_t x_{t+1} = 0, so y = (ed - em/σ)/(1 + φκ/σ)."""
    d = 1.0 + phi * kap / sig
    y = np.array([1.0, -1.0 / sig]) / d
    pi = kap * y
    i = phi * pi + np.array([0.0, 1.0])
    return np.stack([y, pi, i])


# ------------------------------------------------------------------ item 4: no state variables
def test_forward_looking_nk_without_states_solves():
    sol = jm.solve(_nk())
    assert jm.result_name(sol.result) == "successful"
    assert sol.g_x.shape == (3, 0)
    np.testing.assert_allclose(np.asarray(sol.g_u), _nk_impact(1.5), rtol=1e-12, atol=1e-14)
    # consumers: moments (iid, so std = |g_u| σ), IRF (impact then zero), simulation
    mo = jm.moments(sol)
    std = np.sqrt((_nk_impact(1.5) ** 2).sum(axis=1)) * 0.01
    np.testing.assert_allclose(np.asarray(mo.std), std, rtol=1e-10)
    irf = jm.impulse_response(sol, "ed", periods=3)
    np.testing.assert_allclose(np.asarray(irf.values)[0], 0.01 * _nk_impact(1.5)[:, 0], rtol=1e-12)
    np.testing.assert_array_equal(np.asarray(irf.values)[1:], 0.0)
    sim = jm.simulate(sol, jax.random.PRNGKey(0), periods=5)
    assert np.all(np.isfinite(np.asarray(sim.values)))
    # derivatives too: d g_u[y, ed] / d phi = -κ/σ / (1 + φκ/σ)²
    dg = jax.grad(lambda phi: jm.solve(_nk(), {"phi": phi}).g_u[0, 0])(1.5)
    np.testing.assert_allclose(dg, -0.1 / 1.15**2, rtol=1e-10)


def test_indeterminate_nk_without_states_is_bk_indeterminate():
    """Taylor coefficient below one: one stable eigenvalue and no states."""
    phis = jnp.array([1.5, 0.5, 2.0])
    sols = jax.vmap(lambda phi: jm.solve(_nk(), {"phi": phi}, throw=False))(phis)
    assert _names(sols.result) == ["successful", "bk_indeterminate", "successful"]
    assert np.all(np.isnan(np.asarray(sols.g_u[1])))
    np.testing.assert_allclose(np.asarray(sols.g_u[2]), _nk_impact(2.0), rtol=1e-12, atol=1e-14)
    with pytest.raises(Exception, match="indeterminacy"):
        jm.solve(_nk(), {"phi": 0.5})


def test_purely_static_model_solves():
    for order in (1, 2):
        sol = jm.solve(_static(), order=order)
        assert jm.result_name(sol.result) == "successful"
        np.testing.assert_allclose(np.asarray(sol.g_u), [[1.5], [3.0]], rtol=1e-12)
    mo = jm.moments(jm.solve(_static()))
    np.testing.assert_allclose(np.asarray(mo.std), [0.015, 0.03], rtol=1e-10)


# ------------------------------------------------------------------ item 5: singular covariances
def _three_shock_model(cov):
    def res(lag, cur, lead, sh, p):
        return [cur.x - p.rho * lag.x - sh.e, cur.z - p.rho * lag.z - sh.u, cur.w - sh.v]

    return jm.Model(
        res,
        variables=("x", "z", "w"),
        shocks=("e", "u", "v"),
        params=dict(rho=0.5),
        shock_cov=cov,
        steady_state=lambda p: {"x": 0.0 * p.rho, "z": 0.0 * p.rho, "w": 0.0 * p.rho},
    )


def test_perfectly_correlated_shocks_give_finite_irfs_and_draws():
    """Σ singular with non-zero variances (e and u perfectly correlated, v variance 0)."""
    cov = np.array([[1e-4, 1e-4, 0.0], [1e-4, 1e-4, 0.0], [0.0, 0.0, 0.0]])
    sol = jm.solve(_three_shock_model(cov))
    e = np.asarray(jm.impulse_response(sol, "e", periods=3).values)
    np.testing.assert_allclose(e[:, 0], [0.01, 0.005, 0.0025], rtol=1e-12)
    np.testing.assert_allclose(e[:, 1], e[:, 0], rtol=1e-12)  # u moves with e
    np.testing.assert_array_equal(np.asarray(jm.impulse_response(sol, "u", periods=3).values), 0)
    np.testing.assert_array_equal(np.asarray(jm.impulse_response(sol, "v", periods=3).values), 0)
    sim = np.asarray(jm.simulate(sol, jax.random.PRNGKey(0), periods=50).values)
    assert np.all(np.isfinite(sim))
    np.testing.assert_allclose(sim[:, 0], sim[:, 1], rtol=1e-12)


def test_shock_factor_is_cholesky_when_definite():
    rng = np.random.default_rng(0)
    A = rng.normal(size=(4, 4))
    cov = A @ A.T * 1e-4
    np.testing.assert_allclose(
        np.asarray(shock_factor(jnp.asarray(cov))), np.linalg.cholesky(cov), rtol=1e-12
    )
    # badly scaled but definite: the tiny variance is kept, not rounded to zero
    tiny = np.asarray(shock_factor(jnp.diag(jnp.array([1e-4, 1e-20]))))
    np.testing.assert_allclose(np.diagonal(tiny), [1e-2, 1e-10], rtol=1e-12)
    # rank one, and finite gradients through a zero-variance entry
    v = jnp.array([1.0, 2.0, 0.0])
    L = shock_factor(jnp.outer(v, v))
    np.testing.assert_allclose(np.asarray(L @ L.T), np.outer(v, v), atol=1e-14)
    g = jax.grad(lambda c: shock_factor(c).sum())(jnp.outer(v, v))
    assert np.all(np.isfinite(np.asarray(g)))


# ------------------------------------------------------------------ item 6: float64 required
_X64_OFF = r"""
import jax
import jaxmacro as jm
from jaxmacro.models import rbc

calls = {
    "solve": lambda: jm.solve(rbc()),
    "steady_state": lambda: jm.steady_state(rbc()),
    "portfolio": lambda: jm.portfolio(jm.models.lucas_trees_ds()),
    "calibrate": lambda: jm.calibrate(
        lambda p: ({"m": p["a"]}, True), {"m": 1.0}, {"a": 0.5}, free="a", progress=False
    ),
}
for name, call in calls.items():
    try:
        call()
        print(name, "NO ERROR")
    except TypeError as e:
        print(name, "TypeError", 'jax.config.update("jax_enable_x64", True)' in str(e))
print("x64 still off:", not jax.config.read("jax_enable_x64"))
from jaxmacro._calibration._checkpoint import fingerprint

print("digest", fingerprint(rbc()), fingerprint(jm.default_optimizer()))
"""


def test_float32_refused_with_the_line_that_enables_float64():
    """A fresh interpreter with x64 off: every front door names the fix; the library never
    flips the global flag itself."""
    import os
    import subprocess
    import sys

    env = dict(os.environ, JAX_ENABLE_X64="0", JAX_PLATFORMS="cpu")
    out = subprocess.run(
        [sys.executable, "-c", _X64_OFF], env=env, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr[-2000:]
    lines = out.stdout.splitlines()
    for name in ("solve", "steady_state", "portfolio", "calibrate"):
        assert f"{name} TypeError True" in lines, out.stdout
    assert "x64 still off: True" in lines
    # checkpoint identities are the same in another process (no memory addresses in them),
    # so a killed calibration resumes
    from jaxmacro._calibration._checkpoint import fingerprint

    here = f"digest {fingerprint(jm.models.rbc())} {fingerprint(jm.default_optimizer())}"
    assert here in lines, out.stdout


def test_float32_parameters_refused_with_x64_on():
    theta = jnp.asarray(_static().param_vector(), dtype=jnp.float32)
    with pytest.raises(TypeError, match="float32 arrays; jaxmacro needs float64"):
        jm.solve(_static(), theta)


# ------------------------------------------------------------------ item 11: options and messages
@pytest.mark.parametrize("bad", [1.0, 0.5, float("nan"), float("inf"), -2.0])
def test_qz_criterium_validated_in_every_front_door(bad):
    m = _static()
    ss = jm.steady_state(m)
    ds = jm.models.lucas_trees_ds()
    calls = [
        lambda: jm.solve(m, qz_criterium=bad),
        lambda: jm.perturb(m, ss, qz_criterium=bad),
        lambda: jm.portfolio(ds, qz_criterium=bad),
        lambda: jm.portfolio_dynamics(ds, qz_criterium=bad),
    ]
    for call in calls:
        with pytest.raises(ValueError, match="qz_criterium must be a finite number > 1"):
            call()


def test_qz_criterium_type_checked():
    with pytest.raises(TypeError, match="qz_criterium must be a number"):
        jm.solve(_static(), qz_criterium="1.1")


_MOD = """var y;
varexo e;
parameters rho;
rho = 0.5;
model;
y = rho*y(-1) + e;
end;
shocks;
var e = 0.01;
end;
"""


@pytest.mark.parametrize(
    "old, new, match",
    [
        ("varexo e;", "varexo e", r"line 3, column 1: missing ';' at the end of the varexo "),
        ("var y;", "var y", r"line 2, column 1: missing ';' at the end of the var statement"),
        ("+ e;\nend;", "+ e;", r"line 7, column 1: missing 'end;' of the model block opened at"),
        ("0.01;\nend;", "0.01;", r"line \d+, column \d+: missing 'end;' of the shocks block"),
        ("+ e;\nend;", "+ e;\nsteady_state_model;\ny = 0;", r"before 'steady_state_model'"),
    ],
)
def test_parse_messages_say_what_is_missing_and_where(old, new, match):
    text = _MOD.replace(old, new)
    assert text != _MOD
    with pytest.raises(ModError, match=match):
        parse_mod(text, filename="bad.mod")
