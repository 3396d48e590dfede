"""Devereux–Sutherland (2010) portfolio dynamics (jaxmacro._portfolio._ds_dynamics).

Oracles, each independent of the γ formula:

1. **Closed form** (two-country Lucas trees, any β, γ, θ, ρ_y, Σ). Full risk sharing holds from
   t+1 on for *any* state at t (two assets span the two endowment shocks), with a constant Pareto
   weight λ_t. Matching the portfolio payoff at t+1 to home's share of world wealth gives the
   exact equilibrium position in tree 1, in goods,

       α1_t = (λ_t - 1) P1_t / θ,     λ_t = (θ nfa_t + P1_t) / (P1_t + P2_t),

   i.e. constant *shares* (s11 = (λ - 1 + θ)/θ, the Baxter–Jermann s11 = -1/2 at λ = 1/2 and
   θ = 1/3) whose *value* moves with the price, and a weight λ that moves with wealth. In DS
   units (α̃ = α1/(βȲ), Ȳ = 1) and linearised in the states (nfa, y1, y2, p1, p2) at t:

       α_t - α̃ = (α̃/2)(p̂1 + p̂2) + nfa/(2β),      α̃ = -1/(2(1-β)),

   so γ = (1/(2β), 0, 0, -1/(4(1-β)), -1/(4(1-β))) — independent of γ, θ, ρ_y and Σ (symmetric
   or not, i.i.d. or persistent endowments). The position is NOT constant (γ ≠ 0): constant
   shares, moving prices and wealth (PEERS.md §4's caveat).
2. **The defining property**, checked on the model with the time-varying position written into
   the budget constraint (α_{t-1} = α̃ + γ'ŝ_{t-1}, solved again at order 2): the conditional
   covariance Cov_t(D_{t+1}, r̂x_{t+1}), computed by Gauss–Hermite quadrature of the full order-2
   rule at a given state ŝ_t, has zero state derivative (central differences in ŝ), and it
   does not with γ = 0. Done on a model with an extra, unspanned income-transfer shock
   (incomplete markets: no closed form for α̃ or γ) and on its complete-markets special case.
3. jax.grad against central finite differences; vmap against a loop; jit traces once.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from helpers import central_difference

import jaxmacro as jm
from jaxmacro._portfolio import PortfolioDynamics, portfolio_dynamics
from jaxmacro.models.lucas_trees import lucas_trees_ds

LUCAS = lucas_trees_ds()
CALIB2 = dict(bet=0.99, gam=5.0, theta=0.2, rhoy=0.5, sd1=0.02, sd2=0.01, corr12=0.3)
BATCH = 4


def full(model, **overrides):
    """Every parameter as a float array: one pytree structure, so one compilation."""
    p = {**model.default_params, **overrides}
    return {k: jnp.asarray(float(v)) for k, v in p.items()}


def closed_form_gamma(bet, states):
    """γ of the two-country Lucas tree economy (module docstring), in `states` order."""
    g = {
        "nfa": 1.0 / (2.0 * bet),
        "y1": 0.0 * bet,
        "y2": 0.0 * bet,
        "p1": -1.0 / (4.0 * (1.0 - bet)),
        "p2": -1.0 / (4.0 * (1.0 - bet)),
    }
    return jnp.stack([jnp.asarray(g[s]) for s in states], axis=-1)


# ------------------------------------------------------------------------------------------
# A Lucas-tree economy with a time-varying position in the budget and an unspanned transfer
# ------------------------------------------------------------------------------------------

DYN_STATES = ("nfa", "y1", "y2", "p1", "p2", "tau")


def _dyn_residuals(lag, cur, lead, sh, p):
    e = jnp.exp
    sdf1 = p.bet * e(-p.gam * (lead.c1 - cur.c1))
    pbar = jnp.log(p.bet * p.theta / (1 - p.bet))
    ss = dict(nfa=0.0, y1=0.0, y2=0.0, p1=pbar, p2=pbar, tau=0.0)
    # position held from t-1 to t: α̃ + γ'ŝ_{t-1} (DS units; g_* are the γ entries)
    pos = p.atil + sum(p[f"g_{s}"] * (lag[s] - ss[s]) for s in DYN_STATES)
    return [
        cur.y1 - p.rhoy * lag.y1 - sh.e1,
        cur.y2 - p.rhoy * lag.y2 - sh.e2,
        cur.tau - p.rhot * lag.tau - sh.e3,
        e(cur.p1) - sdf1 * (e(lead.p1) + p.theta * e(lead.y1)),
        e(cur.p2) - sdf1 * (e(lead.p2) + p.theta * e(lead.y2)),
        e(cur.r1) - (e(cur.p1) + p.theta * e(cur.y1)) / e(lag.p1),
        e(cur.r2) - (e(cur.p2) + p.theta * e(cur.y2)) / e(lag.p2),
        1.0 - p.bet * e(-p.gam * (lead.c2 - cur.c2)) * e(lead.r2),
        cur.nfa
        - (
            e(cur.r2) * lag.nfa
            + e(cur.y1)
            + cur.tau
            - e(cur.c1)
            + p.bet * pos * (e(cur.r1) - e(cur.r2))
            + sh.zeta
        ),
        e(cur.c1) + e(cur.c2) - e(cur.y1) - e(cur.y2),
        cur.cdiff - p.gam * (cur.c1 - cur.c2),
        cur.rx - (cur.r1 - cur.r2),
    ]


def _dyn_steady_state(p):
    zero = 0.0 * p.bet
    p1 = jnp.log(p.bet * p.theta / (1 - p.bet))
    return dict(
        y1=zero,
        y2=zero,
        tau=zero,
        c1=zero,
        c2=zero,
        p1=p1,
        p2=p1,
        r1=-jnp.log(p.bet),
        r2=-jnp.log(p.bet),
        nfa=zero,
        cdiff=zero,
        rx=zero,
    )


def _dyn_cov(p):
    c12 = p.corr12 * p.sd1 * p.sd2
    c13 = p.corr13 * p.sd1 * p.sdt
    z = 0.0 * p.sd1
    return jnp.array(
        [[p.sd1**2, c12, c13, z], [c12, p.sd2**2, z, z], [c13, z, p.sdt**2, z], [z, z, z, z]]
    )


DYN = jm.Model(
    _dyn_residuals,
    variables=("y1", "y2", "tau", "c1", "c2", "p1", "p2", "r1", "r2", "nfa", "cdiff", "rx"),
    shocks=("e1", "e2", "e3", "zeta"),
    params=dict(
        bet=0.96,
        gam=2.0,
        theta=1 / 3,
        rhoy=0.9,
        sd1=0.01,
        sd2=0.01,
        corr12=0.0,
        rhot=0.7,
        sdt=0.01,
        corr13=0.0,
        atil=0.0,
        **{f"g_{s}": 0.0 for s in DYN_STATES},
    ),
    shock_cov=_dyn_cov,
    steady_state=_dyn_steady_state,
    name="lucas_trees_transfer_dynamic_portfolio",
)
DYN_CALIB = dict(
    bet=0.97,
    gam=3.0,
    theta=0.3,
    rhoy=0.8,
    sd1=0.02,
    sd2=0.012,
    corr12=0.25,
    rhot=0.6,
    sdt=0.015,
    corr13=-0.4,
)

TRACES = []


def _count(p, ybar):
    """Scale 1; runs only while portfolio_dynamics is traced (compile counter)."""
    TRACES.append(1)
    return 1.0 + 0.0 * p.bet


def dyn_pd(**over):
    return portfolio_dynamics(DYN, full(DYN, **over), scale=_count, throw=False)


# ------------------------------------------------------------------------------------------
# Conditional covariance by quadrature of the order-2 rule (oracle 2)
# ------------------------------------------------------------------------------------------


def _rule(sol, s_hat, u):
    """y_{t+1} - ȳ from the order-2 rule at state ŝ and shocks u (numpy, u of shape (m, n_u))."""
    gx, gu = np.asarray(sol.g_x), np.asarray(sol.g_u)
    gxx, gxu, guu, gss = (np.asarray(a) for a in (sol.g_xx, sol.g_xu, sol.g_uu, sol.g_ss))
    ss = np.kron(s_hat, s_hat)
    su = np.einsum("a,mb->mab", s_hat, u).reshape(len(u), -1)
    uu = np.einsum("ma,mb->mab", u, u).reshape(len(u), -1)
    return (gx @ s_hat + gss / 2 + gxx @ ss / 2)[None] + u @ gu.T + su @ gxu.T + uu @ guu.T / 2


def conditional_cov(sol, s_hat, x_var, y_var, shocks, n_nodes=5):
    """Cov_t(x_{t+1}, y_{t+1}) at state ŝ by Gauss–Hermite quadrature over the given shocks."""
    model = sol.model
    idx = [model.shocks.index(s) for s in shocks]
    S = np.asarray(sol.shock_cov)[np.ix_(idx, idx)]
    w_eig, V = np.linalg.eigh(S)
    L = V * np.sqrt(np.clip(w_eig, 0.0, None))
    z, w = np.polynomial.hermite_e.hermegauss(n_nodes)
    w = w / w.sum()
    grids = np.meshgrid(*[z] * len(idx), indexing="ij")
    Z = np.stack([g.ravel() for g in grids], axis=1)
    W = np.prod(np.meshgrid(*[w] * len(idx), indexing="ij"), axis=0).ravel()
    u = np.zeros((len(Z), model.n_shocks))
    u[:, idx] = Z @ L.T
    y = _rule(sol, s_hat, u)
    a, b = y[:, model.variables.index(x_var)], y[:, model.variables.index(y_var)]
    ma, mb = W @ a, W @ b
    return W @ ((a - ma) * (b - mb))


def cov_state_slope(sol, x_var, y_var, shocks, h=0.05):
    """∂Cov_t/∂ŝ_a for every state a (central differences; exact: the covariance is quadratic)."""
    ns = len(sol.model.states)
    out = np.zeros(ns)
    for a in range(ns):
        e = np.zeros(ns)
        e[a] = h
        out[a] = (
            conditional_cov(sol, e, x_var, y_var, shocks)
            - conditional_cov(sol, -e, x_var, y_var, shocks)
        ) / (2 * h)
    return out


# ------------------------------------------------------------------------------------------
# Oracle 1: closed form on the library's Lucas-tree model
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "over",
    [dict(), dict(rhoy=0.0), CALIB2, dict(CALIB2, rhoy=0.0)],
    ids=["symmetric-persistent", "symmetric-iid", "asymmetric-persistent", "asymmetric-iid"],
)
def test_lucas_closed_form(over):
    pd = portfolio_dynamics(LUCAS, full(LUCAS, **over))
    assert isinstance(pd, PortfolioDynamics) and bool(pd.ok)
    assert pd.states == LUCAS.states == ("nfa", "y1", "y2", "p1", "p2")
    bet = float(full(LUCAS, **over)["bet"])
    np.testing.assert_allclose(np.asarray(pd.alpha_tilde), [-1 / (2 * (1 - bet))], rtol=1e-12)
    exact = np.asarray(closed_form_gamma(bet, pd.states))[None]
    np.testing.assert_allclose(
        np.asarray(pd.gamma), exact, rtol=0, atol=1e-10 * np.max(np.abs(exact))
    )
    by_state = pd.gamma_by_state()
    np.testing.assert_allclose(np.asarray(by_state["nfa"]), [1 / (2 * bet)], rtol=1e-10)
    # stage-2 diagnostic: the augmented model satisfies the zero-order condition
    scale = float((pd.R2 @ pd.sigma @ pd.R2.T)[0, 0])
    assert abs(float(pd.rx_mu_cov[0, 0])) <= 1e-12 * scale
    # R5, D5 are the g_xu blocks (kron(state, shock) columns)
    sol = pd.solution
    ns, nu = len(sol.states), len(sol.shocks)
    irx = sol.variables.index("rx")
    np.testing.assert_array_equal(
        np.asarray(pd.R5[0]), np.asarray(sol.g_xu[irx]).reshape(ns, nu)[:, :2]
    )


def test_lucas_vmap_equals_loop_and_closed_form(rng):
    batch = {
        "bet": rng.uniform(0.9, 0.99, BATCH),
        "gam": rng.uniform(0.5, 8.0, BATCH),
        "theta": rng.uniform(0.15, 0.8, BATCH),
        "rhoy": rng.uniform(0.0, 0.95, BATCH),
        "sd1": rng.uniform(0.005, 0.03, BATCH),
        "sd2": rng.uniform(0.005, 0.03, BATCH),
        "corr12": rng.uniform(-0.6, 0.6, BATCH),
        "atil": np.zeros(BATCH),
    }
    batch = {k: jnp.asarray(v) for k, v in batch.items()}
    pdv = jax.vmap(lambda q: portfolio_dynamics(LUCAS, q, throw=False))(batch)
    assert bool(jnp.all(pdv.result == jm.RESULTS.successful))
    exact = np.asarray(closed_form_gamma(batch["bet"], LUCAS.states))
    np.testing.assert_allclose(
        np.asarray(pdv.gamma[:, 0]), exact, rtol=0, atol=1e-10 * np.max(np.abs(exact))
    )
    for i in range(BATCH):
        pi = portfolio_dynamics(LUCAS, full(LUCAS, **{k: v[i] for k, v in batch.items()}))
        np.testing.assert_allclose(
            np.asarray(pdv.gamma[i]), np.asarray(pi.gamma), rtol=1e-10, atol=1e-12
        )
        np.testing.assert_allclose(
            np.asarray(pdv.alpha_tilde[i]), np.asarray(pi.alpha_tilde), rtol=1e-12
        )


# ------------------------------------------------------------------------------------------
# Oracle 2: the defining property, on the model with the time-varying position
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("complete", [False, True], ids=["incomplete", "complete"])
def test_conditional_covariance_vanishes_to_first_order(complete):
    over = dict(DYN_CALIB, sdt=0.0, corr13=0.0) if complete else DYN_CALIB
    pd = dyn_pd(**over)
    assert bool(pd.ok)
    assert pd.states == DYN.states and set(pd.states) == set(DYN_STATES)
    at = float(pd.alpha_tilde[0])
    gam = {f"g_{s}": float(pd.gamma[0, i]) for i, s in enumerate(pd.states)}
    shocks = ("e1", "e2", "e3")
    # the order-2 solutions with α_t = α̃ (γ = 0: the augmented model) and α_t = α̃ + γ'ŝ
    # (portfolio_dynamics' stage 2 of the model with the g_* parameters set: atil = α̃)
    sol0 = pd.solution
    pd1 = dyn_pd(**over, **gam)
    sol1 = pd1.solution
    np.testing.assert_allclose(float(sol1.param("atil")), at, rtol=1e-13)
    assert float(sol0.param("g_nfa")) == 0.0 and float(sol1.param("g_nfa")) == gam["g_nfa"]
    slope0 = cov_state_slope(sol0, "cdiff", "rx", shocks)
    slope1 = cov_state_slope(sol1, "cdiff", "rx", shocks)
    # at ŝ = 0 the covariance is zero up to O(σ⁴) in both (the zero-order condition)
    var_rx = conditional_cov(sol1, np.zeros(len(pd.states)), "rx", "rx", shocks)
    c0 = conditional_cov(sol1, np.zeros(len(pd.states)), "cdiff", "rx", shocks)
    assert abs(c0) < 1e-3 * var_rx
    # γ = 0 leaves a first-order state dependence; the DS γ removes it (to rounding)
    big = np.max(np.abs(slope0))
    assert big > 1e-2 * var_rx
    np.testing.assert_allclose(slope1, 0.0, rtol=0, atol=1e-9 * big)
    # the first-order rule is unchanged by γ (the position enters at second order), and the DS
    # formula applied to the model that already has the time-varying position asks for no more
    np.testing.assert_allclose(np.asarray(sol1.g_u), np.asarray(sol0.g_u), atol=1e-13)
    np.testing.assert_allclose(np.asarray(pd1.gamma), 0.0, atol=1e-9 * np.max(np.abs(pd.gamma)))
    if complete:
        # complete markets: the closed form for the tree states, as in the library model
        exact = closed_form_gamma(over["bet"], ("nfa", "y1", "y2", "p1", "p2"))
        got = np.asarray([gam[f"g_{s}"] for s in ("nfa", "y1", "y2", "p1", "p2")])
        np.testing.assert_allclose(
            got, np.asarray(exact), rtol=0, atol=1e-9 * np.max(np.abs(exact))
        )
    else:
        # incomplete markets: away from full-risk-sharing values (a non-trivial case)
        assert abs(at + 1 / (2 * (1 - over["bet"]))) > 1e-3


def test_conditional_moments_equal_quadrature():
    """`jm.conditional_moments` (Σ_x = Γ_0ΩΓ_i' + Γ_iΩΓ_0' from autodiff of the rule) equals the
    state slope of the conditional covariance by Gauss–Hermite quadrature of the order-2 rule
    (oracle 2), for every pair of the DS rows; and the DS (2010) R5, D5 are its Γ_i."""
    pd = dyn_pd(**DYN_CALIB)
    sol = pd.solution
    shocks = ("e1", "e2", "e3")
    names = ("cdiff", "rx")
    cm = jm.conditional_moments(sol, variables=names, shocks=shocks)
    assert cm.states == sol.states and cm.variables == names
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            slope = cov_state_slope(sol, a, b, shocks)
            big = max(np.max(np.abs(slope)), 1e-300)
            np.testing.assert_allclose(np.asarray(cm.cov_x[i, j]), slope, rtol=0, atol=1e-8 * big)
    # Σ_0 against the quadrature at ŝ = 0 (they differ by the O(σ⁴) variance of ½g_uu(u⊗u))
    var0 = conditional_cov(sol, np.zeros(len(sol.states)), "rx", "rx", shocks)
    np.testing.assert_allclose(float(cm.cov0[1, 1]), var0, rtol=1e-3)
    np.testing.assert_allclose(np.asarray(pd.R5), np.asarray(cm.loading_x[1:]), rtol=1e-13)
    np.testing.assert_allclose(np.asarray(pd.D5), np.asarray(cm.loading_x[:1]), rtol=1e-13)


# ------------------------------------------------------------------------------------------
# Differentiability and compilation
# ------------------------------------------------------------------------------------------

GRAD_PARAMS = ("bet", "gam", "theta", "rhoy", "sd1", "sd2", "corr12", "rhot", "sdt", "corr13")
WEIGHTS = np.array([0.3, -1.1, 0.7, 0.05, -0.02, 0.4])


def _scalar(pd):
    return jnp.sum(pd.gamma[0] * WEIGHTS) + 0.1 * pd.alpha_tilde[0]


def test_grad_matches_finite_differences():
    p0 = full(DYN, **DYN_CALIB)
    g = jax.jit(jax.grad(lambda q: _scalar(portfolio_dynamics(DYN, q, scale=_count, throw=False))))(
        p0
    )
    for name in GRAD_PARAMS:
        x = float(p0[name])
        h = 1e-5 * max(abs(x), 0.1)
        fd = central_difference(lambda v: float(_scalar(dyn_pd(**{**DYN_CALIB, name: v}))), x, h)  # noqa: B023
        np.testing.assert_allclose(float(g[name]), fd, rtol=2e-6, atol=1e-7, err_msg=name)
    assert float(g["atil"]) == 0.0  # the position parameter is overwritten by the solver


def test_jit_traces_once():
    dyn_pd(**DYN_CALIB)
    n = len(TRACES)
    assert n >= 1
    a = dyn_pd(**{**DYN_CALIB, "gam": 2.5})
    b = dyn_pd(**{**DYN_CALIB, "bet": 0.95, "sdt": 0.02})
    assert len(TRACES) == n
    assert bool(a.ok) and bool(b.ok)
    assert not np.allclose(np.asarray(a.gamma), np.asarray(b.gamma))


def test_errors_and_failure_reporting():
    with pytest.raises(ValueError, match="position parameter"):
        portfolio_dynamics(LUCAS, alpha_param="nope")
    with pytest.raises(ValueError, match="unknown variable"):
        portfolio_dynamics(LUCAS, excess_returns=("nope",))
    # a singular point (no risk: Σ = 0) is reported, with NaN outputs, not raised
    pd = dyn_pd(**{**DYN_CALIB, "sd1": 0.0, "sd2": 0.0, "sdt": 0.0})
    assert not bool(pd.ok)
    assert jm.result_name(pd.result) == "portfolio_singular"
    assert np.all(np.isnan(np.asarray(pd.gamma)))
