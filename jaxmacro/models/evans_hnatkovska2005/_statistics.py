"""Stage B portfolio dynamics, capital flows, simulation and statistics.

All derived series are computed **in levels** from a path of the model's log levels (a
simulation, or ``steady state + ε·IRF``), so that the identities of the paper hold exactly:
the flow decompositions (28)-(29), B_t/R_t - B_{t-1} = α^b_t W^c_t - R_{t-1}α^b_{t-1}W^c_{t-1},
and the two current-account definitions of footnote 4. The first-order content of a derived
series (e.g. a flow impulse response) is its `jax.jvp` at the steady-state path
([`linear_response`][]).

Portfolio shares (Stage B): n-equity shares by clearing, α^n = V/W^c; under pi α^t = P/W^c
and the bond share is the residual; under fi the t-equity split solves, period by period,
market clearing P = α^t W^c + α̂^t Ŵ^c (and for P̂) together with the Euler-equation
difference at the constant Σ0, Σ^{TT}(α_T - α̂_T) = -Σ^{Tn} α^n + Σ^{Tn̂} α̂^n̂.
"""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array

import jaxmacro as jm

from ._params import steady_state
from ._solution import EHSolution


def _cols(esol: EHSolution, Y):
    vars_ = esol.solution.model.variables
    return {v: Y[..., i] for i, v in enumerate(vars_)}


def shares(esol: EHSolution, c):
    """Portfolio shares of W^c at each date from the log levels `c` (dict of arrays): Stage B
    for a first-order solution, the Evans–Hnatkovska positions for a Stage C fi solution.

    Returns (home, foreign), each a dict with keys t, th, n, b (b = bond share = 1 - rest).
    """
    ex = jnp.exp
    beta = esol.params.beta
    Wc, Wch = beta * ex(c["w"]), beta * ex(c["wh"])
    P, Ph, V, Vh = ex(c["p"]), ex(c["ph"]), ex(c["v"]), ex(c["vh"])
    an, anh = V / Wc, Vh / Wch
    zero = 0.0 * an
    if esol.config == "fi" and getattr(esol, "eh", None) is not None:
        # Stage C: the Evans–Hnatkovska positions, foreign shares by clearing
        at, ath = esol.t_equity_positions(c)
        home = dict(t=at, th=ath, n=an)
        foreign = dict(t=(P - at * Wc) / Wch, th=(Ph - ath * Wc) / Wch, n=anh)
    elif esol.config == "fi":
        S = esol.sigma0
        X = jnp.linalg.solve(
            S[:2, :2],
            -S[:2, 2:3] * an[None] + S[:2, 3:4] * anh[None]
            if an.ndim == 0
            else (-S[:2, 2, None] * an.reshape(1, -1) + S[:2, 3, None] * anh.reshape(1, -1)),
        )
        X = X.reshape((2,) + an.shape)
        at = (P + X[0] * Wch) / (Wc + Wch)
        ath = (Ph + X[1] * Wch) / (Wc + Wch)
        home = dict(t=at, th=ath, n=an)
        foreign = dict(t=at - X[0], th=ath - X[1], n=anh)
    else:  # fa, pi: own equities only, held by clearing (A^t = A^n = 1)
        home = dict(t=P / Wc, th=zero, n=an)
        foreign = dict(t=zero, th=Ph / Wch, n=anh)
    for h in (home, foreign):
        h["b"] = 1.0 - h["t"] - h["th"] - h["n"]
    return home, foreign


def derived(esol: EHSolution, Y) -> dict[str, Array]:
    """Every derived series (flows, shares, returns, IMRS) from a path `Y` (T x n_vars) of log levels.

    Series are dated t = 1 .. T-1 (flows need t-1). Levels are in tradables; ``*_gdp`` are in
    % of GDP_t = Y^t_t + Q^n_t Y^n_t. Keys: bond_flow, equity_flow (P^t ΔA^t), equity_flow_f
    (P̂^t ΔA^t̂, h purchases of f t-equity), their return-chasing (``*_rc``) and rebalancing
    (``*_rb``) parts (28)-(29), ca (footnote 4, income form), ca_flows (sum of flows, the
    exact identity of footnote 4 with first-order-accurate holdings), tb
    (D^t - C^t), gdp, alpha_* shares, the returns, m, mh, adr_gap (100(ln P̂^t - ln P̃^t)) and
    w_rel (ln W - ln Ŵ).
    """
    ex = jnp.exp
    c = _cols(esol, Y)
    s = steady_state(esol.params)
    beta, theta, kappa = esol.params.beta, esol.params.theta, s["kappa"]
    home, foreign = shares(esol, c)
    Wc = beta * ex(c["w"])
    Wch = beta * ex(c["wh"])
    P, Ph, R = ex(c["p"]), ex(c["ph"]), ex(c["rb"])
    D, Dh, Ct = ex(c["d"]), ex(c["dh"]), ex(c["ct"])
    now, lag = slice(1, None), slice(None, -1)
    gdp = ex(c["zt"][now] + theta * c["k"][lag]) + ex(c["qn"][now]) * kappa * ex(c["zn"][now])

    def flow(alpha, price):
        """P ΔA with A = α W^c / P, and (28): return chasing + rebalancing."""
        A = alpha * Wc / price
        f = price[now] * (A[now] - A[lag])
        rc = (alpha[now] - alpha[lag]) * Wc[now]
        rb = (
            alpha[lag] * (Wc[now] - Wc[lag])
            - (price[now] / price[lag] - 1.0) * Wc[lag] * alpha[lag]
        )
        return f, rc, rb

    bond = home["b"][now] * Wc[now] - R[lag] * home["b"][lag] * Wc[lag]
    bond_rc = (home["b"][now] - home["b"][lag]) * Wc[now]
    bond_rb = home["b"][lag] * (Wc[now] - Wc[lag]) - (R[lag] - 1.0) * Wc[lag] * home["b"][lag]
    eq, eq_rc, eq_rb = flow(home["t"], P)
    eqf, _, _ = flow(home["th"], Ph)
    # foreign holdings of h t-equity
    Ah = foreign["t"] * Wch / P
    A_f = home["th"] * Wc / Ph  # home holdings of f t-equity
    tb = D[now] - Ct[now]
    ca = tb + Dh[now] * A_f[lag] - D[now] * Ah[lag]
    ca_flows = eqf - P[now] * (Ah[now] - Ah[lag]) + bond
    out = dict(
        bond_flow=bond,
        bond_flow_rc=bond_rc,
        bond_flow_rb=bond_rb,
        equity_flow=eq,
        equity_flow_rc=eq_rc,
        equity_flow_rb=eq_rb,
        equity_flow_f=eqf,
        equity_liab_flow=-P[now] * (Ah[now] - Ah[lag]),
        ca=ca,
        ca_flows=ca_flows,
        tb=tb,
        gdp=gdp,
        bond_flow_gdp=100 * bond / gdp,
        equity_flow_gdp=100 * eq / gdp,
        ca_gdp=100 * ca / gdp,
        tb_gdp=100 * tb / gdp,
        alpha_t=home["t"][now],
        alpha_th=home["th"][now],
        alpha_n=home["n"][now],
        alpha_b=home["b"][now],
        alpha_f_t=foreign["t"][now],
        alpha_f_th=foreign["th"][now],
        adr_gap=100 * (c["ph"][now] - c["ptil"][now]),
        w_rel=c["w"][now] - c["wh"][now],
        world_pd=(P + Ph + ex(c["v"]) + ex(c["vh"]))[now]
        / (D + Dh + ex(c["qn"] + c["zn"]) * kappa + ex(c["qnh"] + c["znh"]) * kappa)[now],
    )
    if esol.config == "fa":  # no international assets: every flow is zero by definition
        for k in list(out):
            if k.startswith(("bond_flow", "equity_flow", "equity_liab", "ca", "tb")):
                out[k] = 0.0 * out[k]
    for v in (
        "ret_t",
        "ret_th",
        "ret_n",
        "ret_nh",
        "ret_f",
        "ret_w",
        "ret_wh",
        "ret_adr",
        "m",
        "mh",
        "dq",
        "qn",
        "qnh",
        "k",
        "kh",
    ):
        out[v] = c[v][now]
    return out


def linear_response(esol: EHSolution, dY):
    """First-order response of every derived series to a path of log deviations `dY` (T x n):
    the `jax.jvp` of [`derived`][] at the steady-state path."""
    ybar = esol.solution.steady_state
    Y0 = jnp.broadcast_to(ybar, dY.shape)
    _, tangent = jax.jvp(lambda Y: derived(esol, Y), (Y0,), (dY,))
    return tangent


def impulse_responses(esol: EHSolution, shock: str, periods: int = 40):
    """Impulse responses (one s.d.) of the model variables (log deviations, keys ``var_*``)
    and, to first order, of every derived series of [`derived`][] (t = 0 is the impact
    period). All four shocks are computed in one compiled call per configuration and
    `periods`."""
    shocks = esol.solution.model.shocks
    if shock not in shocks:
        raise ValueError(f"unknown shock {shock!r}; declared: {shocks}")
    out = _irf_all(esol, periods)
    i = shocks.index(shock)
    return {k: v[i] for k, v in out.items()}


@eqx.filter_jit
def _irf_all(esol, periods):
    sol = esol.solution
    paths = jnp.stack([jm.impulse_response(sol, s, periods=periods).values for s in sol.shocks])
    zero = jnp.zeros((paths.shape[0], 1, paths.shape[2]), paths.dtype)
    dY = jnp.concatenate([zero, paths], axis=1)
    out = dict(jax.vmap(lambda d: linear_response(esol, d))(dY))
    for i, v in enumerate(sol.model.variables):
        out["var_" + v] = paths[:, :, i]
    return out


class Simulation(eqx.Module):
    """Simulated paths: `paths` (runs x T x n_vars log levels), the configuration solution."""

    esol: EHSolution
    paths: Array
    burn: int = eqx.field(static=True)


@eqx.filter_jit
def _simulate_jit(esol, keys, quarters):
    sim = jax.vmap(lambda k: jm.simulate(esol.solution, k, periods=quarters).values)
    return sim(keys)


def simulate(
    esol: EHSolution, *, runs: int = 100, quarters: int = 500, burn: int = 100, seed: int = 0
) -> Simulation:
    """The paper's simulation design: `runs` independent paths of `quarters` quarters from the initial distribution
    (k = z = 0, equal wealth), as one vmapped `lax.scan`; the first `burn` are dropped by the
    statistics. Fixed seeds: the keys are ``jax.random.split(PRNGKey(seed), runs)``."""
    keys = jax.random.split(jax.random.PRNGKey(seed), runs)
    return Simulation(esol, _simulate_jit(esol, keys, quarters), burn)


def _pool(x, burn):
    return x[:, burn - 1 :].reshape(-1)  # derived series start at t = 1


def _std(x):
    return jnp.std(x)


def _share(flow, comp):
    """CV(flow, comp) / V(flow); NaN when the flow is identically zero (no such market)."""
    f = flow - flow.mean()
    v = jnp.mean(f * f)
    ok = v > 1e-20  # flows in levels are O(1e-2); rounding noise of a zero flow is ~1e-32
    return jnp.where(ok, jnp.mean(f * (comp - comp.mean())) / jnp.where(ok, v, 1.0), jnp.nan)


@eqx.filter_jit
def _statistics(sim: Simulation):
    esol, burn = sim.esol, sim.burn
    d = jax.vmap(lambda Y: derived(esol, Y))(sim.paths)
    pool = {k: _pool(v, burn) for k, v in d.items()}
    an = 400.0
    t5 = dict(
        r_f=an * _std(pool["ret_f"]),
        r_t=an * _std(pool["ret_t"]),
        r_n=an * _std(pool["ret_n"]),
        r_w=an * _std(pool["ret_w"]),
        fx=an * _std(pool["dq"]),
        r_adr=an * _std(pool["ret_adr"]),
    )
    m, mh = pool["m"], pool["mh"]
    imrs = jnp.corrcoef(m, mh)[0, 1]
    x = pool["ret_t"] - pool["ret_th"]
    vx = jnp.var(x)
    t8 = dict(
        std=an * jnp.sqrt(vx),
        dividends=jnp.mean(
            (x - x.mean())
            * (pool["ret_t"] - pool["ret_adr"] - (pool["ret_t"] - pool["ret_adr"]).mean())
        )
        / vx,
        imrs=jnp.mean(
            (x - x.mean())
            * (pool["ret_adr"] - pool["ret_th"] - (pool["ret_adr"] - pool["ret_th"]).mean())
        )
        / vx,
    )
    g = pool["adr_gap"]
    t7 = dict(mean=g.mean(), std=jnp.std(g), min=g.min(), max=g.max(), mean_abs=jnp.abs(g).mean())

    def t2(v):
        return dict(std=jnp.std(v), min=v.min(), max=v.max(), mean_abs=jnp.abs(v).mean())

    t2_ = dict(bonds=t2(pool["bond_flow_gdp"]), equity=t2(pool["equity_flow_gdp"]))
    t4 = dict(
        bonds=dict(
            std=100 * jnp.std(pool["bond_flow"]),
            return_chasing=_share(pool["bond_flow"], pool["bond_flow_rc"]),
            rebalancing=_share(pool["bond_flow"], pool["bond_flow_rb"]),
        ),
        equity=dict(
            std=100 * jnp.std(pool["equity_flow"]),
            return_chasing=_share(pool["equity_flow"], pool["equity_flow_rc"]),
            rebalancing=_share(pool["equity_flow"], pool["equity_flow_rb"]),
        ),
    )
    wr = jnp.max(jnp.abs(d["w_rel"]), axis=1)
    wealth = dict(
        median_max_abs_w_rel=100 * jnp.median(wr), p95_max_abs_w_rel=100 * jnp.percentile(wr, 95.0)
    )
    ca = pool["ca_gdp"]
    caf = pool["ca_flows"]
    t3 = dict(
        std_ca=jnp.std(ca),
        std_ca_flows=jnp.std(100 * caf / pool["gdp"]),
        bonds=_share(caf, pool["bond_flow"]),
        equity_assets=_share(caf, pool["equity_flow_f"]),
        equity_liabilities=_share(caf, pool["equity_liab_flow"]),
    )
    return dict(
        table5=t5,
        imrs_corr=imrs,
        table8=t8,
        table7=t7,
        table2=t2_,
        table4=t4,
        table3=t3,
        wealth=wealth,
        tb_std=jnp.std(pool["tb_gdp"]),
    )


def statistics(sim: Simulation) -> dict:
    """Pooled statistics of a [`Simulation`][]: Table 2 (flows, % of GDP), 3
    (CA decomposition, qualitative), 4 (flows in levels × 100 and their decomposition), 5
    (400 × std of quarterly log returns), 7 (100 (ln P̂^t - ln P̃^t)), 8, the log-IMRS
    correlation and the wealth-neighbourhood diagnostics (median / 95th percentile over runs of
    max_t |ln W - ln Ŵ|, %)."""
    return _statistics(sim)
