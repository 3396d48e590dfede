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
from helpers import ar1_model

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


def test_indeterminate_nk_without_states_is_bk_indeterminate():
    """Taylor coefficient below one: one stable eigenvalue and no states. Determinate iff
    φ > 1 (the Taylor principle with no output response): a grid around one, each point
    successful with the closed-form impact or bk_indeterminate with NaN numbers (under vmap,
    a failing point leaves its neighbours alone)."""
    phis = np.array([0.0, 0.5, 0.9, 0.99, 1.01, 1.1, 1.5, 3.0, 10.0])
    sols = jax.vmap(lambda phi: jm.solve(_nk(), {"phi": phi}, throw=False))(jnp.asarray(phis))
    for i, (phi, name) in enumerate(zip(phis, _names(sols.result))):
        if phi > 1:
            assert name == "successful", phi
            np.testing.assert_allclose(np.asarray(sols.g_u[i]), _nk_impact(phi), rtol=1e-10)
        else:
            assert name == "bk_indeterminate", phi
            assert np.all(np.isnan(np.asarray(sols.g_u[i])))
    with pytest.raises(Exception, match="indeterminacy"):
        jm.solve(_nk(), {"phi": 0.5})


def test_purely_static_model_solves():
    for order in (1, 2):
        sol = jm.solve(_static(), order=order)
        assert jm.result_name(sol.result) == "successful"
        np.testing.assert_allclose(np.asarray(sol.g_u), [[1.5], [3.0]], rtol=1e-12)
    mo = jm.moments(jm.solve(_static()))
    np.testing.assert_allclose(np.asarray(mo.std), [0.015, 0.03], rtol=1e-10)


def test_singular_static_block_is_not_successful():
    """Two dependent static equations: F_0 is singular, so g_u is not finite. It was reported
    `successful` with g_u = ±inf; now a rank failure with NaN numbers."""

    def res(lag, cur, lead, sh, p):
        return [cur.a + cur.b - sh.e, p.k * (cur.a + cur.b)]

    m = jm.Model(
        res,
        variables=("a", "b"),
        shocks=("e",),
        params=dict(k=2.0),
        steady_state=lambda p: {"a": 0.0 * p.k, "b": 0.0 * p.k},
        name="dependent",
    )
    sol = jm.solve(m, throw=False)
    assert jm.result_name(sol.result) == "bk_rank_failure"
    assert np.all(np.isnan(np.asarray(sol.g_u)))


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
    factor = jax.jit(shock_factor)
    np.testing.assert_allclose(
        np.asarray(factor(jnp.asarray(cov))), np.linalg.cholesky(cov), rtol=1e-12
    )
    # badly scaled but definite: the tiny variance is kept, not rounded to zero
    tiny = np.asarray(factor(jnp.diag(jnp.array([1e-4, 1e-20, 1.0, 1.0]))))
    np.testing.assert_allclose(np.diagonal(tiny), [1e-2, 1e-10, 1.0, 1.0], rtol=1e-12)
    # rank one, and finite gradients through a zero-variance entry
    v = jnp.array([1.0, 2.0, 0.0, 0.0])
    L = factor(jnp.outer(v, v))
    np.testing.assert_allclose(np.asarray(L @ L.T), np.outer(v, v), atol=1e-14)
    g = jax.jit(jax.grad(lambda c: shock_factor(c).sum()))(jnp.outer(v, v))
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
@pytest.mark.parametrize("bad", [0.0, -2.0, 2.0, 5.0, float("nan"), float("inf")])
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
        with pytest.raises(ValueError, match=r"qz_criterium must be a finite number in \(0, 2\)"):
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


# ------------------------------------------------------------------ degenerate shapes and sizes
def test_model_without_shocks_and_length_options():
    def res(lag, cur, lead, sh, p):
        return [cur.x - p.rho * lag.x]

    m = jm.Model(res, variables=("x",), shocks=(), params=dict(rho=0.5), name="noshock")
    sol = jm.solve(m)
    assert sol.shock_cov.shape == (0, 0)
    mo = jm.moments(sol)  # was a shape error: Σ of a model without shocks had shape (0,)
    np.testing.assert_array_equal(np.asarray(mo.std), 0.0)
    sim = jm.simulate(sol, jax.random.PRNGKey(0), periods=3, initial=jnp.array([1.0]))
    np.testing.assert_allclose(np.asarray(sim.values)[:, 0], [0.5, 0.25, 0.125], rtol=1e-12)
    # lengths are validated outside jit (JAX failed inside its compiler on negative lengths)
    with pytest.raises(ValueError, match="`periods` must be an integer >= 1"):
        jm.impulse_response(jm.solve(_static()), 0, periods=0)
    with pytest.raises(ValueError, match="`periods` must be an integer >= 0"):
        jm.simulate(sol, jax.random.PRNGKey(0), periods=-3)
    with pytest.raises(ValueError, match="`burn` must be"):
        jm.simulate(sol, jax.random.PRNGKey(0), burn=-1)
    with pytest.raises(ValueError, match="`lags` must be"):
        jm.moments(sol, lags=-1)
    with pytest.raises(TypeError, match="`periods` must be an integer"):
        jm.simulate(sol, jax.random.PRNGKey(0), periods=2.5)


# ------------------------------------------------------------------ generated inputs
_AR1 = ar1_model()


def test_generated_ar1_parameters_right_or_flagged():
    """Persistence at, near and beyond the unit circle, and non-finite values: a successful
    point has the closed-form rule and variance; any other point is flagged with NaN numbers."""
    eps = 1e-9
    rhos = [0.0, 0.5, -0.9, 0.9999, 1 - 1e-7, 1.0, -1.0, 1 + eps, 1.5, -3.0, 1e300, np.nan]
    rhos += [np.inf, -np.inf]
    rho = jnp.asarray(rhos)

    def point(r):
        sol = jm.solve(_AR1, {"rho": r}, throw=False)
        return sol, jm.moments(sol, throw=False)

    sols, mos = jax.vmap(point)(rho)
    names, mnames = _names(sols.result), _names(mos.result)
    for i, r in enumerate(rhos):
        gx, std = float(sols.g_x[i, 0, 0]), float(mos.std[i, 0])
        if names[i] == "successful":
            assert abs(r) <= 1 + 1e-6, (r, names[i])
            assert gx == pytest.approx(r, rel=1e-12, abs=1e-14)
            if mnames[i] == "successful":
                assert abs(r) < 1 - 1e-6
                assert std == pytest.approx(0.01 / np.sqrt(1 - r * r), rel=1e-8)
            else:
                assert mnames[i] == "unit_root" and np.isnan(std)
        else:
            assert not (abs(r) < 1 - 1e-6), (r, names[i])  # stationary points must succeed
            assert np.isnan(gx) and np.isnan(std) and mnames[i] == names[i]


def _corr_model():
    def res(lag, cur, lead, sh, p):
        return [cur.x - 0.5 * lag.x - sh.e, cur.z - 0.5 * lag.z - sh.u]

    def cov(p):
        v = 1e-4
        return jnp.array([[v, p.c * v], [p.c * v, v]])

    return jm.Model(
        res,
        variables=("x", "z"),
        shocks=("e", "u"),
        params=dict(c=0.0),
        shock_cov=cov,
        steady_state=lambda p: {"x": 0.0 * p.c, "z": 0.0 * p.c},
        name="corr",
    )


def test_generated_correlations_right_or_flagged():
    """Correlations inside, on and outside [-1, 1] (and NaN): valid ones, singular ±1 included,
    give finite impulse responses with the Cholesky impact; the others a RESULTS code."""
    cs = [-1.0, -0.5, 0.0, 0.7, 1.0, 1.0 + 1e-6, 2.0, -5.0, np.nan]
    m = _corr_model()

    def point(c):
        sol = jm.solve(m, {"c": c}, throw=False)
        return sol, jm.impulse_response(sol, "e", periods=2).values

    sols, irfs = jax.vmap(point)(jnp.asarray(cs))
    for i, (c, name) in enumerate(zip(cs, _names(sols.result))):
        if abs(c) <= 1:
            assert name == "successful", c
            np.testing.assert_allclose(np.asarray(irfs[i, 0]), [0.01, 0.01 * c], rtol=1e-10)
        else:
            expected = "nonfinite_model" if np.isnan(c) else "invalid_shock_covariance"
            assert name == expected, c
            assert np.all(np.isnan(np.asarray(irfs[i])))


_BASE_MOD = """var y k z;
varexo e;
parameters alpha beta rho;
alpha = 0.3;
beta = 0.9;
rho = 0.5;
model;
  z = rho*z(-1) + e;
  k = beta*k(-1) + alpha*y;
  y = exp(z) + 0.1*k(+1);
end;
initval; y = 1; k = 1; z = 0; end;
shocks; var e; stderr 0.01; end;
stoch_simul(order=1, irf=0);
"""
_PIECES = [
    *("var varexo parameters model end shocks steady_state_model initval stderr corr".split()),
    *(";", "(", ")", "=", "+", "*", "^", "/", "-", "(-1)", "(+1)", "#", "[", "]", "'", '"'),
    *("1e308", "nan", "inf", "0", "e", "y", "k", "@#define", "@{X}", "%", "//", "/*", "*/"),
    *("...", "\x00", "é", "\t", "\r\n", "(" * 300, "z(-100000)", "@#for i in 1:9"),
]


def _mutations(n, seed=0):
    import random
    import re

    tok = re.compile(r"\w+|[^\w\s]|\s+")
    rng = random.Random(seed)
    for _ in range(n):
        src = _BASE_MOD
        for _ in range(rng.randrange(1, 4)):
            toks = tok.findall(src) or [" "]
            i, op = rng.randrange(len(toks)), rng.randrange(5)
            if op == 0:
                del toks[i]
            elif op == 1:
                toks.insert(i, rng.choice(_PIECES))
            elif op == 2:
                toks[i] = rng.choice(_PIECES)
            elif op == 3:
                j = rng.randrange(len(toks))
                toks[i], toks[j] = toks[j], toks[i]
            else:
                toks = toks[:i]
            src = "".join(toks)
        yield src


def test_generated_mod_files_parse_or_fail_by_name():
    """Seeded token mutations of a small `.mod` file (deletions, insertions of keywords,
    operators, huge lags, deep nesting, control bytes, swaps, truncations): each is a model
    or a `ModError` with a line, within seconds. Never another exception."""
    import time
    import warnings

    from jaxmacro.compat import build_model

    outcomes = {"model": 0, "ModError": 0}
    for src in _mutations(60):
        t0 = time.perf_counter()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                build_model(parse_mod(src, filename="gen.mod"))
            outcomes["model"] += 1
        except ModError as e:
            assert "gen.mod" in str(e) and "line" in str(e), str(e)
            outcomes["ModError"] += 1
        assert time.perf_counter() - t0 < 20, src
    assert outcomes["ModError"] > 0 and outcomes["model"] > 0


@pytest.mark.parametrize(
    "edit, args, status, fragment",
    [
        (None, ["--param", "rho"], 2, "--param"),
        (None, ["--param", "rho=abc"], 2, "rho"),
        (None, ["--param", "nope=1"], 2, "nope"),
        (None, ["--param", "rho=inf"], 2, "finite"),
        (("irf=0", "irf=0, qz_criterium=5"), [], 2, "qz_criterium"),
        (("varexo e;", "varexo e"), [], 2, "missing ';'"),
        (("rho = 0.5;", "rho = 1.5;"), [], 1, "bk_no_stable_solution"),
        (("+ 0.1*k(+1)", "+ 0.1*k(+1) + 1/(y-y)"), [], 1, "non-finite residual"),
    ],
)
def test_generated_cli_inputs_exit_cleanly(tmp_path, capsys, edit, args, status, fragment):
    """The command line on edited files and hostile arguments, in process: exit status 0, 1
    (cannot solve) or 2 (bad input) and, on failure, one line on stderr, never a traceback."""
    from jaxmacro.__main__ import main

    src = _BASE_MOD if edit is None else _BASE_MOD.replace(*edit)
    assert edit is None or src != _BASE_MOD
    f = tmp_path / "gen.mod"
    f.write_text(src)
    assert main(["solve", str(f), "-q", *args]) == status
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [ln for ln in err.splitlines() if ln.strip() and "warning" not in ln]
    if status:
        assert len(lines) == 1 and lines[0].startswith("jaxmacro: error: "), err
        assert fragment is None or fragment in lines[0], err
