"""Devereux–Sutherland zero-order portfolios (jaxmacro._portfolio) on Lucas-tree economies.

Oracles: Dynare 5.3 decision rules and DS loadings of ``tests/reference/lucas_trees_ds`` and the
closed form α̃ = -1/(2(1-β)) (PEERS.md, T-P1), with its N-country version (T-P2).
"""

import json
import pathlib

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from helpers import RTOL_FD, central_difference

import jaxmacro as jm
from jaxmacro._portfolio import portfolio, portfolio_from_solution
from jaxmacro.models.lucas_trees import closed_form_alpha_tilde, lucas_trees_ds, lucas_trees_ds_n

FIXTURES = pathlib.Path(__file__).resolve().parent / "reference" / "lucas_trees_ds"
MODEL = lucas_trees_ds()
PARAMS = ("bet", "gam", "theta", "rhoy", "sd1", "sd2", "corr12")
BATCH = 6  # one batch size for every vmapped call: one compilation


def full(**overrides):
    """Every parameter as a float array, so that all calls share one compiled function."""
    p = {**MODEL.default_params, **overrides}
    return {k: jnp.asarray(float(v)) for k, v in p.items()}


TRACES = []  # _levels runs only while the portfolio front door is traced


def _levels(p, ybar):
    """α in units of the good: α̃ β Ȳ (Ȳ = e^{y1} = 1)."""
    TRACES.append(1)
    return p.bet * jnp.exp(ybar.y1)


def _random_params(rng, size=BATCH):
    return {
        "atil": np.zeros(size),
        "bet": rng.uniform(0.9, 0.995, size),
        "gam": rng.uniform(0.5, 10.0, size),
        "theta": rng.uniform(0.1, 0.9, size),
        "rhoy": rng.uniform(0.0, 0.98, size),
        "sd1": rng.uniform(0.002, 0.05, size),
        "sd2": rng.uniform(0.002, 0.05, size),
        "corr12": rng.uniform(-0.8, 0.8, size),
    }


# ------------------------------------------------------------------------------------------
# Dynare fixtures
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fname, calib", [("dr_order1.json", 0), ("dr_order1_calib2.json", 1)])
def test_lucas_trees_matches_dynare(fname, calib):
    d = json.loads((FIXTURES / fname).read_text())
    ds = json.loads((FIXTURES / "ds.json").read_text())["calibrations"][calib]
    assert tuple(d["endo_names"]) == MODEL.variables
    assert tuple(d["exo_names"]) == MODEL.shocks
    params = full(**dict(zip(d["param_names"], d["params"])))
    ps = portfolio(MODEL, params, scale=_levels)
    sol = ps.solution
    assert sol.ok and ps.ok
    assert int(sol.n_stable) == d["nspred"] == len(MODEL.states)
    assert MODEL.states == tuple(d["state_var"])
    ov = [MODEL.variables.index(v) for v in d["order_var"]]
    sv = [MODEL.states.index(v) for v in d["state_var"]]
    np.testing.assert_allclose(np.asarray(sol.steady_state), d["ys"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(np.asarray(sol.shock_cov), d["Sigma_e"], rtol=0, atol=1e-15)
    np.testing.assert_allclose(np.asarray(sol.g_x)[ov][:, sv], d["ghx"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(np.asarray(sol.g_u)[ov], d["ghu"], rtol=0, atol=1e-9)
    # DS loadings and position (ds.json)
    np.testing.assert_allclose(np.asarray(ps.sigma), ds["Sigma"], rtol=0, atol=1e-15)
    np.testing.assert_allclose(np.asarray(ps.R1), ds["R1"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(np.asarray(ps.R2), ds["R2"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(np.asarray(ps.D1)[0, 0], ds["D1"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(np.asarray(ps.D2), ds["D2"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(np.asarray(ps.alpha_tilde), ds["alpha_tilde"], rtol=1e-12)
    np.testing.assert_allclose(np.asarray(ps.alpha), ds["alpha_levels"], rtol=1e-12)
    np.testing.assert_allclose(np.asarray(ps.alpha_tilde), ds["closed_form"], rtol=1e-12)
    # stage-2 check: at α̃ the excess return is uncorrelated with the MU differential
    assert abs(float(ps.rx_mu_cov[0, 0])) < 1e-17
    # the loadings are the g_u entries; portfolio_from_solution gives the same
    ps2 = portfolio_from_solution(sol, scale=_levels)
    np.testing.assert_allclose(np.asarray(ps2.alpha), np.asarray(ps.alpha), rtol=1e-14)


def test_stage_two_with_alpha_in_the_model():
    """Putting α̃ into the model (atil) removes the covariance of rx with the differential."""
    ps = portfolio(MODEL, full(), scale=_levels)
    at = float(ps.alpha_tilde[0])
    ps2 = portfolio(MODEL, full(atil=at), scale=_levels)
    g = ps2.solution.g_u[:, :2]
    rx, cd = MODEL.variables.index("rx"), MODEL.variables.index("cdiff")
    cov = g[rx] @ ps2.sigma @ g[cd]
    assert abs(float(cov)) < 1e-17
    np.testing.assert_allclose(np.asarray(ps2.impact[rx]), np.asarray(ps.impact[rx]), atol=1e-12)


# ------------------------------------------------------------------------------------------
# Closed form T-P1, vmapped; gradients
# ------------------------------------------------------------------------------------------


def test_closed_form_vmapped(rng):
    p = {k: jnp.asarray(v) for k, v in _random_params(rng).items()}
    ps = jax.vmap(lambda q: portfolio(MODEL, q, scale=_levels, throw=False))(p)
    assert bool(jnp.all(ps.result == jm.RESULTS.successful))
    exact = closed_form_alpha_tilde(p["bet"])
    np.testing.assert_allclose(np.asarray(ps.alpha_tilde[:, 0]), np.asarray(exact), rtol=1e-10)
    # the equilibrium excess return is uncorrelated with the MU differential
    scale = np.asarray(ps.rx_cov[:, 0, 0])
    assert np.all(np.abs(np.asarray(ps.rx_mu_cov[:, 0, 0])) <= 1e-10 * scale)


def test_closed_form_gradient():
    p = full(bet=0.97, gam=3.0, theta=0.25, rhoy=0.7, sd1=0.02, sd2=0.01, corr12=0.4)
    g = jax.grad(lambda q: portfolio(MODEL, q, scale=_levels).alpha_tilde[0])(p)
    np.testing.assert_allclose(float(g["bet"]), -1 / (2 * (1 - 0.97) ** 2), rtol=1e-9)
    for k in PARAMS[1:]:
        assert abs(float(g[k])) < 1e-9, (k, g[k])


def test_grad_matches_finite_differences():
    """grad of a loss mixing α̃, loadings and covariances against central differences."""

    def loss(q):
        ps = portfolio(MODEL, q, scale=_levels)
        return ps.alpha_tilde[0] + 10 * ps.R2[0, 0] + 3 * ps.D2[0, 1] + 1e4 * ps.rx_cov[0, 0]

    p0 = dict(bet=0.97, gam=3.0, theta=0.25, rhoy=0.7, sd1=0.02, sd2=0.01, corr12=0.4)
    g = jax.grad(loss)(full(**p0))
    for k in PARAMS:
        h = 1e-5 * max(1.0, abs(p0[k]))
        fd = central_difference(lambda x: float(loss(full(**{**p0, k: x}))), p0[k], h)  # noqa: B023
        np.testing.assert_allclose(float(g[k]), fd, rtol=RTOL_FD, atol=1e-7, err_msg=k)


# ------------------------------------------------------------------------------------------
# N countries (T-P2)
# ------------------------------------------------------------------------------------------


def _n_country(n):
    rx = [f"rx{i}" for i in range(1, n)]
    mu = [f"cdiff{i}" for i in range(1, n)]
    xi = [f"zeta{i}" for i in range(1, n)]
    return dict(excess_returns=rx, mu_differential=mu, xi_shocks=xi)


@pytest.mark.slow
def test_n_country_steinberg():
    """T-P2: N = 7, γ = 1, θ = 1/3, β = 1/1.04, ρ = 0.91 I, Σ = 0.06 I."""
    n = 7
    model = lucas_trees_ds_n(n)
    ps = portfolio(model, **_n_country(n))
    beta = 1 / 1.04
    A = np.asarray(ps.alpha_tilde)
    assert A.shape == (n - 1, n - 1)
    expected = (1 / n - np.eye(n - 1)) / (1 - beta)
    np.testing.assert_allclose(A, expected, rtol=1e-10)
    np.testing.assert_allclose(A[0, 1], 3.7142857142857, rtol=1e-10)  # 1/(7(1-β))
    # shares of the trees: s_ii = -11/7 (own), s_ij = 3/7 (theta = 1/3)
    theta = 1 / 3
    shares = A * (1 - beta) / theta + np.eye(n - 1)
    np.testing.assert_allclose(np.diag(shares), -11 / 7, rtol=1e-10)
    np.testing.assert_allclose(shares[~np.eye(n - 1, dtype=bool)], 3 / 7, rtol=1e-10)
    assert np.max(np.abs(np.asarray(ps.rx_mu_cov))) < 1e-12


N3_PARAMS = dict(bet=0.95, gam=4.0, theta=0.3, rhoy=0.6, sd=0.02, corr=0.35)


def test_n_country_correlated_shocks():
    """N = 3 with correlated shocks: α̃_ij = (1/N - δ_ij)/(1-β)."""
    n = 3
    model = lucas_trees_ds_n(n)
    p = {k: jnp.asarray(v) for k, v in N3_PARAMS.items()}
    ps = portfolio(model, p, **_n_country(n))
    expected = (1 / n - np.eye(n - 1)) / (1 - 0.95)
    np.testing.assert_allclose(np.asarray(ps.alpha_tilde), expected, rtol=1e-10)
    assert np.max(np.abs(np.asarray(ps.rx_mu_cov))) < 1e-12 * np.max(np.asarray(ps.rx_cov))


@pytest.mark.slow
def test_n_country_gradient():
    """dα̃_ij/dβ = (1/N - δ_ij)/(1-β)², the other gradients are zero (N = 3)."""
    n = 3
    model = lucas_trees_ds_n(n)
    p = {k: jnp.asarray(v) for k, v in N3_PARAMS.items()}
    g = jax.grad(lambda q: portfolio(model, q, **_n_country(n)).alpha_tilde[0, 1])(p)
    np.testing.assert_allclose(float(g["bet"]), 1 / (n * (1 - 0.95) ** 2), rtol=1e-8)
    for k in ("gam", "theta", "rhoy", "sd", "corr"):
        assert abs(float(g[k])) < 1e-8, (k, g[k])


# ------------------------------------------------------------------------------------------
# Failures, transformations, argument checks
# ------------------------------------------------------------------------------------------


def test_singular_portfolio_is_flagged():
    # no risk at all: R2 Σ R2' = 0, the portfolio is undetermined
    ps = portfolio(MODEL, full(sd1=0.0, sd2=0.0), scale=_levels, throw=False)
    assert ps.result == jm.RESULTS.portfolio_singular
    assert np.isnan(float(ps.alpha_tilde[0]))
    with pytest.raises(Exception, match="singular"):
        portfolio(MODEL, full(sd1=0.0, sd2=0.0), scale=_levels)


def test_vmap_equals_loop_and_failed_point_is_isolated(rng):
    p = _random_params(rng)
    p["sd1"][2] = 0.0
    p["sd2"][2] = 0.0  # singular point
    batch = jax.vmap(lambda q: portfolio(MODEL, q, scale=_levels, throw=False))(
        {k: jnp.asarray(v) for k, v in p.items()}
    )
    for i in range(BATCH):
        one = portfolio(MODEL, full(**{k: v[i] for k, v in p.items()}), scale=_levels, throw=False)
        assert int(batch.result._value[i]) == int(one.result._value)
        for field in ("alpha_tilde", "alpha", "R2", "D2", "impact", "rx_cov"):
            x, y = np.asarray(getattr(batch, field)[i]), np.asarray(getattr(one, field))
            tol = 1e-12 * max(1.0, np.nanmax(np.abs(y), initial=0.0))
            np.testing.assert_allclose(x, y, rtol=0, atol=tol, err_msg=field)
    codes = np.asarray(batch.result._value)
    assert codes[2] == int(jm.RESULTS.portfolio_singular._value)
    assert np.all(np.delete(codes, 2) == int(jm.RESULTS.successful._value))
    assert np.all(np.isfinite(np.delete(np.asarray(batch.alpha_tilde[:, 0]), 2)))


def test_jit_traces_once():
    """New parameter values never retrace: at most one trace for three calls (zero if an
    earlier test compiled it already), also inside a user's jitted function."""
    before = len(TRACES)
    for b in (0.951, 0.961, 0.971):
        ps = portfolio(MODEL, full(bet=b), scale=_levels)
        np.testing.assert_allclose(float(ps.alpha[0]), b * closed_form_alpha_tilde(b), rtol=1e-10)
    assert len(TRACES) - before <= 1
    outer_traces = []

    @eqx.filter_jit
    def outer(q):
        outer_traces.append(1)
        return portfolio(MODEL, q, scale=_levels).alpha

    for b in (0.95, 0.96):
        outer(full(bet=b))
    assert len(outer_traces) == 1
    assert len(TRACES) - before <= 1


def test_argument_checks():
    with pytest.raises(ValueError, match="unknown variable"):
        portfolio(MODEL, full(), excess_returns=("nope",))
    with pytest.raises(ValueError, match="unknown shock"):
        portfolio(MODEL, full(), xi_shocks=("nope",))
    with pytest.raises(ValueError, match="one marginal-utility differential per"):
        portfolio(MODEL, full(), mu_differential=("cdiff", "rx"))
