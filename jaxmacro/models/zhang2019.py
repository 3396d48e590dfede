"""Zhang (2019), "Country portfolios under global imbalances", EER 119: the baseline model.

Two-country, one-good OLG endowment economy (Weil 1989 demography, population growth ñ = 1+n,
log utility) in which the countries differ only in patience, β < β* (home impatient, a debtor).
Each country's endowment y_t is a tree (equity) with AR(1) log endowment
log y_t = µ log y_{t-1} + σ ε_t. Portfolios are solved by Devereux–Sutherland (2011)
([`jaxmacro.portfolio`][]): the portfolio condition is E[(ĉ^o - ĉ^{o*}) r̂x] = 0 on the
consumption of the *old* (already existing) cohorts.

**Equations** (per capita; variables are logs, ``y`` = log y_t etc., except the net foreign
assets ``w`` (a level, chosen at the end of t: the paper's w_{t+1}) and ``xi``, the DS input):

    y_t = µ y_{t-1} + σ ε_t;              y*_t = µ y*_{t-1} + σ ε*_t
    r_1t z_{1,t-1} = y_t + z_1t;          r_2t z_{2,t-1} = y*_t + z_2t
    E_t[c_{t+1} - (n/ñ) c^n_{t+1} - (β/ñ) c_t r_{2,t+1}] = 0     (OLG Euler; foreign with β*)
    ñ w_t = r_2t w_{t-1} + ξ_t + y_t - c_t                          (home budget; ξ ≡ α(r_1 - r_2))
    c_t + c*_t = y_t + y*_t;              E_t[r_{1,t+1} - r_{2,t+1}] = 0
    c^o_t = c_t - (n/ñ) c^n_t;    rx_t = log r_1t - log r_2t;    cd_t = log c^o_t - log c^o*_t

and the new-borns' consumption c^n_t = (1-β) h_t, with human wealth h_t valued either

- ``newborn_wealth="steady_state_rate"`` (the paper's Eq. 7, variant P): h_t = y_t + E_t h_{t+1}/r̄ at
  the constant steady-state rate r̄ (a function of the parameters, not a variable). This
  reproduces the paper's Table 2.
- ``newborn_wealth="market"`` (the consistent variant C): h_t = y_t + z_1t, the own tree at
  market value. Then the portfolio is exactly the market portfolio, α = (w - z/ñ)/2, and there
  is no home bias once holdings are counted per head of the payoff-date population.

**Closed-form steady state** (y = y* = 1; [`steady_state`][]): r is the smaller root of
2ββ*r² - (1+ñ)(β+β*)r + 2ñ = 0, w = (rβ-1)/((ñ-rβ)(r-1)) = -w*, z = 1/(r-1), τ = rβ/ñ,
c = 1 + (r-ñ)w, c* = 1 - (r-ñ)w. In the symmetric case (β = β*, n = 0) w is 0/0 and is set to 0;
τ = τ* = 1 puts an exact unit root in the NFA, which the first-order solver counts as stable
(Dynare's qz_criterium = 1 + 1e-6), so the symmetric column is solved like the others and gives
Lucas full diversification α = -z/2.

The DS position is α̃ = α r (the input ξ linearises to α r r̂x), so α = α̃ / r.

Known errors of the paper:
two printed cells of Table 2 disagree with the model in their last digit (c* in column 4 is
1.3579, printed 1.35; α[4] in column 5 is 0.20346, printed 0.204).
"""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array

from ..internal import RESULTS, Model, PortfolioSolution
from ._scaffold import (
    build_params,
    cached_builder,
    check_option,
    discounted_state_sums,
    ds_statistics,
    full_params,
)

__all__ = [
    "NEWBORN_WEALTH",
    "DEFAULT_PARAMS",
    "TABLE2_COLUMNS",
    "PAPER_TABLE2",
    "steady_state",
    "zhang2019",
    "baseline",
    "Baseline",
    "impulse_responses",
]

NEWBORN_WEALTH = ("steady_state_rate", "market")
DEFAULT_PARAMS = dict(beta=0.96, beta_star=0.97, n=0.01, mu=0.95, sigma=1.0)

#: Table 2 columns (β, β*, n); µ = 0.95 throughout.
TABLE2_COLUMNS = (
    (0.96, 0.96, 0.0),
    (0.96, 0.965, 0.01),
    (0.96, 0.97, 0.01),
    (0.96, 0.975, 0.01),
    (0.96, 0.98, 0.01),
)

#: Table 2 as printed in the paper: row -> (values of the five columns, printed decimals).
#: ``None`` marks a cell printed as "-" (τ, τ* in the symmetric column).
PAPER_TABLE2 = {
    "tau": ((None, 0.987, 0.983, 0.978, 0.974), 3),
    "tau_star": ((None, 0.992, 0.993, 0.994, 0.994), 3),
    "w": ((0.0, -6.37, -12.47, -18.59, -25.67), 2),
    "r": ((1.042, 1.038, 1.034, 1.029, 1.024), 3),
    "z": ((24.0, 26.108, 29.414, 34.184, 41.10), (0, 3, 3, 3, 2)),
    "c": ((1.0, 0.82, 0.70, 0.64, 0.63), 2),
    "c_star": ((1.0, 1.18, 1.30, 1.35, 1.37), 2),
    "alpha": ((-12.0, -16.106, -20.773, -26.146, -33.012), (0, 3, 3, 3, 3)),
    "alpha_1": ((-12.0, -13.054, -14.707, -17.092, -20.550), (0, 3, 3, 3, 3)),
    "alpha_2": ((0.0, -3.183, -6.221, -9.247, -12.720), (0, 3, 3, 3, 3)),
    "alpha_3": ((0.0, 0.002, 0.009, 0.025, 0.054), (0, 3, 3, 3, 3)),
    "alpha_4": ((0.0, 0.129, 0.146, 0.169, 0.204), (0, 3, 3, 3, 3)),
    "cov_r2_rx": ((-0.2066, -0.1880, -0.1634, -0.1356, -0.1062), 4),
    "cov_r1_rxstar": ((-0.2066, -0.1883, -0.1642, -0.1369, -0.1081), 4),
    "var_rx": ((0.4132, 0.3763, 0.3276, 0.2725, 0.2143), 4),
    "trade_effect": ((0.5, 0.575, 0.625, 0.645, 0.637), (1, 3, 3, 3, 3)),
    "tt_effect": ((0.0, -1.653, -3.349, -5.172, -7.378), (0, 3, 3, 3, 3)),
    "val_effect": ((-5.6818, -7.182, -8.607, -9.835, -10.959), (4, 3, 3, 3, 3)),
    "home_bias_ratio": ((0.5, 0.5068, 0.5101, 0.5154, 0.5242), (1, 4, 4, 4, 4)),
}

_VARIABLES = (
    "y",
    "y_star",
    "z1",
    "z2",
    "r1",
    "r2",
    "c",
    "c_star",
    "w",
    "co",
    "co_star",
    "rx",
    "cn",
    "cn_star",
    "cd",
)
_SHOCKS = ("eps", "eps_star", "xi")
_EQUATIONS = (
    "endowment",
    "endowment_star",
    "return1",
    "return2",
    "newborn",
    "newborn_star",
    "euler",
    "euler_star",
    "budget",
    "goods",
    "equal_returns",
    "old",
    "old_star",
    "rx",
    "cd",
)


def steady_state(beta, beta_star, n) -> dict[str, Array]:
    """Closed-form non-stochastic steady state (y = y* = 1); jit/vmap/grad-safe.

    Returns a dict with r, w, w_star, z, tau, tau_star, c, c_star, cn, cn_star (new-born
    consumption), co, co_star (old cohorts' consumption) and phi = (1-β)/(cτ) + (1-β*)/(c*τ*).
    The discriminant is written as (2+n)²(β-β*)² + 4ββ*n² (no cancellation; zero exactly in the
    symmetric case, where r = 1/β), and w = 0 when |ñ - rβ| < 1e-12 (spec R.1).
    """
    beta, beta_star, n = jnp.asarray(beta), jnp.asarray(beta_star), jnp.asarray(n)
    nt = 1.0 + n
    b = (1.0 + nt) * (beta + beta_star)
    disc = (2.0 + n) ** 2 * (beta - beta_star) ** 2 + 4.0 * beta * beta_star * n**2
    pos = disc > 0
    sq = jnp.where(pos, jnp.sqrt(jnp.where(pos, disc, 1.0)), 0.0)
    r = 4.0 * nt / (b + sq)  # the smaller root, written without cancellation
    z = 1.0 / (r - 1.0)
    tau, tau_star = r * beta / nt, r * beta_star / nt
    den = nt - r * beta
    sym = jnp.abs(den) < 1e-12
    w = jnp.where(sym, 0.0, (r * beta - 1.0) / (jnp.where(sym, 1.0, den) * (r - 1.0)))
    c = 1.0 + (r - nt) * w
    c_star = 1.0 - (r - nt) * w
    cn = (1.0 - beta) * r / (r - 1.0)
    cn_star = (1.0 - beta_star) * r / (r - 1.0)
    co = c - (n / nt) * cn
    co_star = c_star - (n / nt) * cn_star
    phi = (1.0 - beta) / (c * tau) + (1.0 - beta_star) / (c_star * tau_star)
    return dict(
        r=r,
        w=w,
        w_star=-w,
        z=z,
        tau=tau,
        tau_star=tau_star,
        c=c,
        c_star=c_star,
        cn=cn,
        cn_star=cn_star,
        co=co,
        co_star=co_star,
        phi=phi,
    )


def _model_steady_state(p):
    s = steady_state(p.beta, p.beta_star, p.n)
    zero = 0.0 * s["r"]
    return dict(
        y=zero,
        y_star=zero,
        z1=jnp.log(s["z"]),
        z2=jnp.log(s["z"]),
        r1=jnp.log(s["r"]),
        r2=jnp.log(s["r"]),
        c=jnp.log(s["c"]),
        c_star=jnp.log(s["c_star"]),
        w=s["w"],
        co=jnp.log(s["co"]),
        co_star=jnp.log(s["co_star"]),
        rx=zero,
        cn=jnp.log(s["cn"]),
        cn_star=jnp.log(s["cn_star"]),
        cd=jnp.log(s["co"]) - jnp.log(s["co_star"]),
    )


def _common(lag, cur, lead, sh, p):
    e = jnp.exp
    nt = 1.0 + p.n
    return [
        cur.y - p.mu * lag.y - p.sigma * sh.eps,
        cur.y_star - p.mu * lag.y_star - p.sigma * sh.eps_star,
        e(cur.r1) * e(lag.z1) - e(cur.y) - e(cur.z1),
        e(cur.r2) * e(lag.z2) - e(cur.y_star) - e(cur.z2),
    ], [
        e(lead.c) - (p.n / nt) * e(lead.cn) - (p.beta / nt) * e(cur.c) * e(lead.r2),
        e(lead.c_star)
        - (p.n / nt) * e(lead.cn_star)
        - (p.beta_star / nt) * e(cur.c_star) * e(lead.r2),
        nt * cur.w - e(cur.r2) * lag.w - sh.xi - e(cur.y) + e(cur.c),
        e(cur.c) + e(cur.c_star) - e(cur.y) - e(cur.y_star),
        e(lead.r1) - e(lead.r2),
        e(cur.co) - e(cur.c) + (p.n / nt) * e(cur.cn),
        e(cur.co_star) - e(cur.c_star) + (p.n / nt) * e(cur.cn_star),
        cur.rx - (cur.r1 - cur.r2),
        cur.cd - (cur.co - cur.co_star),
    ]


def _residuals_steady_state_rate(lag, cur, lead, sh, p):
    """Variant P: c^n_t = (1-β) y_t + E_t c^n_{t+1} / r̄, r̄ the steady-state rate (a parameter)."""
    e = jnp.exp
    head, tail = _common(lag, cur, lead, sh, p)
    rbar = steady_state(p.beta, p.beta_star, p.n)["r"]
    newborn = [
        e(cur.cn) - (1.0 - p.beta) * e(cur.y) - e(lead.cn) / rbar,
        e(cur.cn_star) - (1.0 - p.beta_star) * e(cur.y_star) - e(lead.cn_star) / rbar,
    ]
    return head + newborn + tail


def _residuals_market(lag, cur, lead, sh, p):
    """Variant C: c^n_t = (1-β)(y_t + z_1t), the own tree valued at market prices."""
    e = jnp.exp
    head, tail = _common(lag, cur, lead, sh, p)
    newborn = [
        e(cur.cn) - (1.0 - p.beta) * (e(cur.y) + e(cur.z1)),
        e(cur.cn_star) - (1.0 - p.beta_star) * (e(cur.y_star) + e(cur.z2)),
    ]
    return head + newborn + tail


def _shock_cov(p):
    s2 = p.sigma**2
    z = 0.0 * s2
    return jnp.array([[s2, z, z], [z, s2, z], [z, z, z]])


def _check_newborn(newborn_wealth):
    check_option(newborn_wealth, NEWBORN_WEALTH, "newborn_wealth")


_build = cached_builder(
    {"steady_state_rate": _residuals_steady_state_rate, "market": _residuals_market},
    "zhang2019",
    variables=_VARIABLES,
    shocks=_SHOCKS,
    shock_cov=_shock_cov,
    steady_state=_model_steady_state,
    equations=_EQUATIONS,
)


def zhang2019(newborn_wealth: str = "steady_state_rate", **params) -> Model:
    """The baseline model of Zhang (2019) as a [`jaxmacro.Model`][] (see the module docstring).

    **Arguments:**

    - `newborn_wealth`: ``"steady_state_rate"`` (the paper's Eq. 7, reproduces Table 2) or
      ``"market"`` (the internally consistent valuation).
    - `params`: defaults for beta (0.96), beta_star (0.97), n (0.01), mu (0.95) and sigma (1;
      the portfolio does not depend on it, the paper's covariances use σ = 1).

    Variables: y, y_star, z1, z2, r1, r2, c, c_star, w, co, co_star, rx, cn, cn_star, cd (logs
    except w, rx = r1 - r2 and cd = co - co_star); shocks eps, eps_star, xi (ξ, zero variance).
    """
    _check_newborn(newborn_wealth)
    return _build(newborn_wealth, build_params(params, DEFAULT_PARAMS))


class Baseline(eqx.Module):
    """The baseline model's steady state, DS portfolio and the statistics of the paper's Table 2.

    All fields are scalars (or small vectors) at one parameter point; under `vmap` they gain a
    leading axis. Units as the paper: positions and NFA per head (of the payoff-date
    population), in units of steady-state GDP; covariances for σ = 1 per unit shock variance
    (they scale with σ²).

    **Fields:**

    - `beta`, `beta_star`, `n`, `mu`: the parameters.
    - `r`, `w`, `z`, `tau`, `tau_star`, `c`, `c_star`, `phi`: closed-form steady state.
    - `alpha`: the DS position in the home equity (net of the home tree, per head); `alpha_star`
      = α - w, the foreign position in its own equity (α*_2).
    - `alpha_1` … `alpha_4`: Eq. (12) decomposition (self-hedging, current and future net
      portfolio returns, demographic term); they sum to `alpha`.
    - `alpha_star_2`: the foreign NFA-hedging term, α*[2] = α[2] - w.
    - `cov_r2_rx`, `cov_r1_rxstar`, `var_rx`: cov(r̂_2, r̂x), cov(r̂_1, r̂*x) with r̂*x = -r̂x,
      var(r̂x), at the optimal portfolio.
    - `trade_effect`, `tt_effect`, `val_effect`: impact responses of the three terms of Eq. (13)
      (TB, intertemporal terms of trade (r w/ñ) r̂_2, valuation (r α/ñ) r̂x) to a unit home shock.
    - `home_bias_ratio`: (z + α)/(z + w), the paper's measure; `home_bias_consistent`:
      (z/ñ + α)/(z/ñ + w), holdings counted per head of the payoff-date population.
    - `zeta_r1`, `zeta_r2`, `zeta_srn`, `zeta_cd`: impact responses (to ε, ε*) of r̂_1, r̂_2, the
      discounted sum of expected future rates Σ^rn_{t+1} and ĉ^D = ĉ^o - ĉ^{o*}.
    - `decomposition_error`: |α[1]+…+α[4] - α| (zero up to rounding).
    - `portfolio`: the [`jaxmacro.PortfolioSolution`][] (first-order solution, loadings, impact
      matrix at the optimal portfolio).
    - `result`: [`jaxmacro.RESULTS`][]; failed points are NaN.
    """

    beta: Array
    beta_star: Array
    n: Array
    mu: Array
    r: Array
    w: Array
    z: Array
    tau: Array
    tau_star: Array
    c: Array
    c_star: Array
    phi: Array
    alpha: Array
    alpha_star: Array
    alpha_1: Array
    alpha_2: Array
    alpha_3: Array
    alpha_4: Array
    alpha_star_2: Array
    cov_r2_rx: Array
    cov_r1_rxstar: Array
    var_rx: Array
    trade_effect: Array
    tt_effect: Array
    val_effect: Array
    home_bias_ratio: Array
    home_bias_consistent: Array
    zeta_r1: Array
    zeta_r2: Array
    zeta_srn: Array
    zeta_cd: Array
    decomposition_error: Array
    portfolio: PortfolioSolution
    result: RESULTS

    #: keys of the experiment's JSON output, in order
    JSON_KEYS = (
        "beta",
        "beta_star",
        "n",
        "mu",
        "r",
        "w",
        "z",
        "tau",
        "tau_star",
        "c",
        "c_star",
        "alpha",
        "alpha_1",
        "alpha_2",
        "alpha_3",
        "alpha_4",
        "cov_r2_rx",
        "cov_r1_rxstar",
        "var_rx",
        "trade_effect",
        "tt_effect",
        "val_effect",
        "home_bias_ratio",
    )


def _statistics(ps: PortfolioSolution, p) -> Baseline:
    sol = ps.solution
    V = {v: i for i, v in enumerate(_VARIABLES)}
    st = steady_state(p["beta"], p["beta_star"], p["n"])
    r, w, z, tau, tau_s = st["r"], st["w"], st["z"], st["tau"], st["tau_star"]
    c, c_s, phi = st["c"], st["c_star"], st["phi"]
    beta, beta_s, n = p["beta"], p["beta_star"], p["n"]
    nt = 1.0 + n
    q = nt / r
    X0 = ps.impact  # n_vars x 2: responses to (ε, ε*) at the optimal portfolio
    Sig = ps.sigma
    cov = lambda a, b: a @ Sig @ b  # noqa: E731
    # discounted sums of expected future values: PV_{t+1}(v) = Σ_i q^i E_t v_{t+1+i}
    fut = discounted_state_sums(sol, X0, q)  # (I - qA)^{-1} s_t
    pv_next = lambda v: sol.g_x[V[v]] @ fut  # noqa: E731
    rx, r1, r2 = X0[V["rx"]], X0[V["r1"]], X0[V["r2"]]
    var_rx = cov(rx, rx)
    srn = pv_next("r2")
    alpha = ps.alpha[0]
    a2 = -w * cov(r2, rx) / var_rx
    a3 = -(nt * w / r) * cov(srn, rx) / var_rx
    k, ks = (1.0 - tau) / tau, (1.0 - tau_s) / tau_s
    pv_y = X0[V["y"]] + q * pv_next("y")
    pv_ys = X0[V["y_star"]] + q * pv_next("y_star")
    cd1 = (
        (1.0 - beta) / (c * tau) * pv_y
        - (1.0 - beta_s) / (c_s * tau_s) * pv_ys
        - (k * q * pv_next("cn") - ks * q * pv_next("cn_star"))
    )
    cd4 = -(k * X0[V["cn"]] - ks * X0[V["cn_star"]])
    a1 = -cov(cd1, rx) / (r * phi * var_rx)
    a4 = -cov(cd4, rx) / (r * phi * var_rx)
    e1 = X0[:, 0]
    tt = (r * w / nt) * e1[V["r2"]]
    val = (r * alpha / nt) * e1[V["rx"]]
    tb = (e1[V["y"]] - e1[V["y_star"]] - (c * e1[V["c"]] - c_s * e1[V["c_star"]])) / (2.0 * nt)
    zn = z / nt
    return Baseline(
        beta=beta,
        beta_star=beta_s,
        n=n,
        mu=p["mu"],
        r=r,
        w=w,
        z=z,
        tau=tau,
        tau_star=tau_s,
        c=c,
        c_star=c_s,
        phi=phi,
        alpha=alpha,
        alpha_star=alpha - w,
        alpha_1=a1,
        alpha_2=a2,
        alpha_3=a3,
        alpha_4=a4,
        alpha_star_2=a2 - w,
        cov_r2_rx=cov(r2, rx),
        cov_r1_rxstar=-cov(r1, rx),
        var_rx=var_rx,
        trade_effect=tb,
        tt_effect=tt,
        val_effect=val,
        home_bias_ratio=(z + alpha) / (z + w),
        home_bias_consistent=(zn + alpha) / (zn + w),
        zeta_r1=r1,
        zeta_r2=r2,
        zeta_srn=srn,
        zeta_cd=X0[V["cd"]],
        decomposition_error=jnp.abs(a1 + a2 + a3 + a4 - alpha),
        portfolio=ps,
        result=ps.result,
    )


def baseline(
    params=None, *, newborn_wealth: str = "steady_state_rate", throw: bool = True
) -> Baseline:
    """Solve the baseline model at `params` and compute everything in the paper's Table 2.

    Runs [`jaxmacro.portfolio`][] on [`zhang2019`][] (first-order solution with ξ as an input,
    DS formula, α = α̃/r), then the decomposition of Eq. (12) in its present-value form (exact
    in both variants; under ``"steady_state_rate"`` α[1] = -z/2 and α[4] = nz/(2ñ)), the
    covariances, the external-adjustment effects of Eq. (13) and the home-bias ratios.

    **Arguments:**

    - `params`: mapping with any of beta, beta_star, n, mu, sigma (defaults: the benchmark
      column, β = 0.96, β* = 0.97, n = 0.01, µ = 0.95, σ = 1). Values may be traced or batched:
      ``jax.vmap(lambda b: baseline({"beta_star": b}, throw=False))(betas)`` solves a grid in
      one call, and ``jax.grad`` of any field flows through the steady state, the first-order
      solution and the DS formula.
    - `newborn_wealth` (keyword-only): ``"steady_state_rate"`` (paper) or ``"market"``.
    - `throw`: raise on failure, or flag it in `result` with NaN numbers (use under vmap).

    **Returns:** a [`jaxmacro.models.zhang2019.Baseline`][].
    """
    _check_newborn(newborn_wealth)
    model = zhang2019(newborn_wealth)
    out = _baseline_jit(model, full_params(params, DEFAULT_PARAMS))
    if throw:  # outside the jitted core: throw=True and False share one compilation
        out = out.result.error_if(out, out.result != RESULTS.successful)
    return out


@eqx.filter_jit
def _baseline_jit(model, p):
    return ds_statistics(model, p, _statistics)


def impulse_responses(
    b: Baseline, periods: int = 40, *, shock: int = 0, with_portfolio: bool = True
) -> dict[str, Array]:
    """Responses to a unit shock (0: home ε, 1: foreign ε*) for t = 0 … periods-1 (Figure 4).

    With ``with_portfolio=True`` the impact includes the feedback of the optimal portfolio's
    income (X0 = g_u[:, ε] + g_u[:, ξ] H); with False, α = 0 is imposed (impact g_u[:, ε]).
    Afterwards both follow the first-order dynamics (E_t r̂x_{t+1} = 0, so ξ = 0 from t = 1).

    **Returns:** a dict with every model variable (log deviations; ``w`` a level deviation, at
    the end of period t, i.e. the paper's ŵ_{t+1}) plus ``tb``, ``tt``, ``val`` (the terms of
    Eq. (13)) and ``shock`` (the innovation).
    """
    ps = b.portfolio
    sol = ps.solution
    s_idx = jnp.asarray(sol.model.structure.states)
    ie = jnp.asarray(shock)
    if with_portfolio:
        x0 = ps.impact[:, shock]
    else:
        x0 = sol.g_u[:, ie]
    alpha = b.alpha if with_portfolio else 0.0 * b.alpha

    def step(x, _):
        x_next = sol.g_x @ x[s_idx]
        return x_next, x

    _, path = jax.lax.scan(step, x0, None, length=periods)
    V = {v: i for i, v in enumerate(_VARIABLES)}
    nt = 1.0 + b.n
    out = {v: path[:, i] for v, i in V.items()}
    out["tt"] = (b.r * b.w / nt) * out["r2"]
    out["val"] = (b.r * alpha / nt) * out["rx"]
    out["tb"] = (out["y"] - out["y_star"] - (b.c * out["c"] - b.c_star * out["c_star"])) / (2 * nt)
    out["shock"] = jnp.zeros(periods).at[0].set(1.0)
    return out
