"""Zhang (2019), Section 5.2: the extended model calibrated to the US (home) and China (foreign).

**Reconstruction.** The paper's Appendix H (the full extended model) is missing from the text;
this module implements a reconstruction from the paper's Section 5.2 equations, which
reproduces every closed form the paper states. Portfolio outputs are labelled "reconstruction".

Two countries, one good, Weil (1989) OLG demography (ñ = 1+n), log utility, common β. Income
per capita Y_t = exp(y_t) splits into financial income (the yield of trees, y_k, plus the value
of new trees d_t = n z_1t) and a non-tradable, non-financial endowment y_l:

    y_lt = (1-δ) Y_t - κ e_t,        y_kt + n z_1t = δ Y_t + κ e_t,

so total income y_k + y_l + d = Y_t. The redistributive shock e_t = µ_d e_{t-1} + σ_d ε_dt moves
income from labour to capital with loading κ (the missing Appendix H leaves it open; our reconstruction:
κ = 0.4934 reproduces the paper's α = -0.85 for 1999-2017); y_t = µ y_{t-1} + σ ε_t. Financial
development δ > δ* makes the home country supply more assets and become the debtor. Trees are
owned by existing households (new-borns own only human wealth). Equations (foreign analogous,
with δ*, e*, y*; levels for incomes, human wealth h and NFA w, logs otherwise):

    r_1t z_{1,t-1} = δ Y_t + κ e_t + z_1t                      (= y_kt + ñ z_1t)
    h_t = y_lt + E_t h_{t+1} / r̄,     c^n_t = (1-β) h_t         (human wealth at the steady-state
                                                                  rate r̄; "market": / r_{2,t+1})
    E_t[c_{t+1} - (n/ñ) c^n_{t+1} - (β/ñ) c_t r_{2,t+1}] = 0   (OLG Euler)
    ñ w_t = r_2t w_{t-1} + ξ_t + y_kt + y_lt - c_t              (home budget; ξ ≡ α(r_1 - r_2))
    c_t + c*_t = y_kt + y_lt + y*_kt + y*_lt,   E_t[r_{1,t+1} - r_{2,t+1}] = 0
    c^o_t = c_t - (n/ñ) c^n_t,   rx = log r_1 - log r_2,   cd = log c^o - log c^{o*}

Autodiff linearises these equations. The Devereux–Sutherland portfolio
([`jaxmacro.portfolio`][]) solves E[(ĉ^o - ĉ^{o*}) r̂x] = 0; α = α̃/r.

**Steady state** (closed form, y = 1; [`steady_state`][]): δ̄ = (δ+δ*)/2, r = (1 + nδ̄)/β,
z_1 = δ/(r-1), z_2 = δ*/(r-1), w = (δ̄-δ)/((1-δ̄)(r-1)) = -w*, τ = τ* = rβ/ñ,
c = y_k + y_l + (r-ñ)w. **Calibration inversion** ([`invert_targets`][]):
δ̄ = K/Y·(r-1), β = (1+nδ̄)/r, δ - δ* = 2·NFA·(1-δ̄)(r-1).

**Table 4 decomposition** (Eq. 14, reconstructed; exact): with q = ñ/r, PV_t(x) =
Σ_i q^i E_t x_{t+i}, K = cc*/((c+c*)r), ∆y_k = PV(dy_k)/c - PV(dy*_k)/c* (∆y_l alike),
∆c^n = PV(ĉ^n) - PV(ĉ^{n*}), all covariances of innovations at the optimal portfolio,

    α = -K cov(∆y_k, r̂x)/var(r̂x)                  self-hedging
        -K cov(∆y_l, r̂x)/var(r̂x)                  hedging non-financial income (NFI)
        -w cov(PV r̂_2, r̂x)/var(r̂x)                hedging net external income (NFA)
        +K (1-τ)/(1-β) cov(∆c^n, r̂x)/var(r̂x)       demographic term.

The foreign position α* = α*_2 = α - w has the same self, NFI and demographic terms and the NFA
term -w* cov(PV r̂_1, r̂*x)/var = (home NFA term) - w.

**Accounting** (Table 5): home GA = w - α, GL = -α; local shares s_H = (z_1 + α)/z_1,
s_F = (z_2 + α - w)/z_2.
"""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array

from ..internal import RESULTS, Model, PortfolioSolution, params_vector, steady_state_impl
from ._scaffold import (
    build_params,
    cached_builder,
    check_option,
    discounted_state_sums,
    ds_statistics,
    full_params,
)

__all__ = [
    "HUMAN_WEALTH",
    "DEFAULT_PARAMS",
    "PERIODS",
    "TARGETS",
    "KAPPA",
    "PAPER_TABLE4",
    "PAPER_TABLE5_MODEL",
    "PAPER_TABLE5_DATA",
    "PAPER_TABLE6",
    "SPEC_INVERSION",
    "Extended",
    "extended",
    "invert_targets",
    "steady_state",
    "steady_state_moments",
    "portfolio_moments",
    "wedges",
    "apply_wedge",
    "zhang2019_extended",
]

HUMAN_WEALTH = ("steady_state_rate", "market")
PERIODS = ("1999-2017", "1999-2008", "2009-2017")

#: Table 5 "Average" rows: r (percent), home NFA/GDP (signed: the US is the debtor; the paper
#: averages absolute values), Capital/GDP.
TARGETS = {
    "1999-2017": {"r": 2.66, "nfa_home": -0.20, "capital_gdp": 3.74},
    "1999-2008": {"r": 3.11, "nfa_home": -0.15, "capital_gdp": 3.37},
    "2009-2017": {"r": 2.16, "nfa_home": -0.26, "capital_gdp": 4.16},
}

#: Redistributive-shock loadings (our reconstruction): κ reproducing the paper's α per period.
KAPPA = {"1999-2017": 0.4934, "1999-2008": 0.541, "2009-2017": 0.429}

#: The closed-form inversion (β, δ, δ*) of the three target sets.
SPEC_INVERSION = {
    "1999-2017": (0.975058, 0.104275, 0.094693),
    "1999-2008": (0.970854, 0.108983, 0.100631),
    "2009-2017": (0.979744, 0.094969, 0.084737),
}

#: Table 4 (whole period) as printed.
PAPER_TABLE4 = {
    "alpha": -0.850,
    "alpha_star": -0.650,
    "self_hedging": -1.866,
    "nfi_hedging": 1.200,
    "nfa_hedging_home": -0.110,
    "nfa_hedging_foreign": 0.091,
    "demographic": -0.073,
}

#: Table 5 MODEL rows: (r %, GA, GL, NFA, Capital/GDP, local share) for home and foreign.
PAPER_TABLE5_MODEL = {
    "1999-2017": {
        "home": (2.66, 0.65, 0.85, -0.20, 3.93, 0.78),
        "foreign": (2.66, 0.85, 0.65, 0.20, 3.56, 0.82),
    },
    "1999-2008": {
        "home": (3.11, 0.52, 0.67, -0.15, 3.51, 0.81),
        "foreign": (3.11, 0.67, 0.52, 0.15, 3.24, 0.84),
    },
    "2009-2017": {
        "home": (2.15, 0.86, 1.12, -0.26, 4.39, 0.74),
        "foreign": (2.15, 1.12, 0.86, 0.26, 3.92, 0.78),
    },
}

#: Table 5 DATA rows (US = home, China = foreign): same columns.
PAPER_TABLE5_DATA = {
    "1999-2017": {
        "home": (2.98, 1.11, 1.36, -0.25, 4.20, 0.68),
        "foreign": (2.33, 0.55, 0.39, 0.16, 3.29, 0.88),
    },
    "1999-2008": {
        "home": (4.04, 0.86, 1.05, -0.18, 3.76, 0.72),
        "foreign": (2.18, 0.49, 0.37, 0.12, 2.97, 0.88),
    },
    "2009-2017": {
        "home": (1.80, 1.39, 1.71, -0.32, 4.68, 0.64),
        "foreign": (2.51, 0.62, 0.42, 0.19, 3.65, 0.88),
    },
}

#: Table 6: wedges and local shares (data 99-08, data 09-17, model cases (i), (ii), (iii)).
PAPER_TABLE6 = {
    "wedge": {"home": 1.4558, "foreign": 0.7659},
    "home": {"data_1999_2008": 0.72, "data_2009_2017": 0.64, "i": 0.70, "ii": 0.70, "iii": 0.63},
    "foreign": {"data_1999_2008": 0.88, "data_2009_2017": 0.88, "i": 0.88, "ii": 0.88, "iii": 0.83},
}

DEFAULT_PARAMS = dict(
    beta=SPEC_INVERSION["1999-2017"][0],
    delta=SPEC_INVERSION["1999-2017"][1],
    delta_star=SPEC_INVERSION["1999-2017"][2],
    kappa=KAPPA["1999-2017"],
    n=0.01,
    mu=0.91,
    mu_d=0.91,
    sigma=1.0,
    sigma_d=1.0,
)

_VARIABLES = (
    "y",
    "y_star",
    "e",
    "e_star",
    "z1",
    "z2",
    "r1",
    "r2",
    "yk",
    "yk_star",
    "yl",
    "yl_star",
    "h",
    "h_star",
    "cn",
    "cn_star",
    "c",
    "c_star",
    "w",
    "co",
    "co_star",
    "rx",
    "cd",
)
_SHOCKS = ("eps", "eps_star", "eps_d", "eps_d_star", "xi")
_EQUATIONS = (
    "income",
    "income_star",
    "redistribution",
    "redistribution_star",
    "return1",
    "return2",
    "financial_income",
    "financial_income_star",
    "labour_income",
    "labour_income_star",
    "human_wealth",
    "human_wealth_star",
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


def steady_state(beta, delta, delta_star, n=0.01) -> dict[str, Array]:
    """Closed-form steady state of the extended model (y = y* = 1); jit/vmap/grad-safe.

    Returns r (gross), delta_bar, w, w_star, z1, z2, tau (= tau_star), yk, yk_star, yl,
    yl_star, h, h_star, cn, cn_star (new-borns' consumption), c, c_star, co, co_star and
    K = cc*/((c+c*)r).
    """
    beta, delta, delta_star, n = (jnp.asarray(x) for x in (beta, delta, delta_star, n))
    nt = 1.0 + n
    dbar = 0.5 * (delta + delta_star)
    r = (1.0 + n * dbar) / beta
    z1, z2 = delta / (r - 1.0), delta_star / (r - 1.0)
    w = (dbar - delta) / ((1.0 - dbar) * (r - 1.0))
    tau = r * beta / nt
    yk, yk_s = delta - n * z1, delta_star - n * z2
    yl, yl_s = 1.0 - delta, 1.0 - delta_star
    c = yk + yl + (r - nt) * w
    c_s = yk_s + yl_s - (r - nt) * w
    h, h_s = r * yl / (r - 1.0), r * yl_s / (r - 1.0)
    cn, cn_s = (1.0 - beta) * h, (1.0 - beta) * h_s
    co, co_s = c - (n / nt) * cn, c_s - (n / nt) * cn_s
    return dict(
        r=r,
        delta_bar=dbar,
        w=w,
        w_star=-w,
        z1=z1,
        z2=z2,
        tau=tau,
        tau_star=tau,
        yk=yk,
        yk_star=yk_s,
        yl=yl,
        yl_star=yl_s,
        h=h,
        h_star=h_s,
        cn=cn,
        cn_star=cn_s,
        c=c,
        c_star=c_s,
        co=co,
        co_star=co_s,
        K=c * c_s / ((c + c_s) * r),
    )


def invert_targets(r, nfa_home, capital_gdp, n=0.01) -> dict[str, Array]:
    """Closed-form calibration: (β, δ, δ*) hitting r (percent), home NFA/GDP, K/Y.

    δ̄ = K/Y·(r-1), β = (1+nδ̄)/r, δ - δ* = -2·w·(1-δ̄)(r-1), δ = δ̄ + (δ-δ*)/2 (w = nfa_home
    < 0 for a debtor home country, so δ > δ*).
    """
    rg = 1.0 + jnp.asarray(r) / 100.0
    dbar = capital_gdp * (rg - 1.0)
    beta = (1.0 + n * dbar) / rg
    gap = -2.0 * nfa_home * (1.0 - dbar) * (rg - 1.0)
    return dict(beta=beta, delta=dbar + 0.5 * gap, delta_star=dbar - 0.5 * gap)


def _model_steady_state(p):
    s = steady_state(p.beta, p.delta, p.delta_star, p.n)
    zero = 0.0 * s["r"]
    lg = jnp.log
    return dict(
        y=zero,
        y_star=zero,
        e=zero,
        e_star=zero,
        z1=lg(s["z1"]),
        z2=lg(s["z2"]),
        r1=lg(s["r"]),
        r2=lg(s["r"]),
        yk=s["yk"],
        yk_star=s["yk_star"],
        yl=s["yl"],
        yl_star=s["yl_star"],
        h=s["h"],
        h_star=s["h_star"],
        cn=lg(s["cn"]),
        cn_star=lg(s["cn_star"]),
        c=lg(s["c"]),
        c_star=lg(s["c_star"]),
        w=s["w"],
        co=lg(s["co"]),
        co_star=lg(s["co_star"]),
        rx=zero,
        cd=lg(s["co"]) - lg(s["co_star"]),
    )


def _residuals(lag, cur, lead, sh, p, human_wealth):
    e = jnp.exp
    nt = 1.0 + p.n
    Y, Ys = e(cur.y), e(cur.y_star)
    if human_wealth == "steady_state_rate":
        rbar = steady_state(p.beta, p.delta, p.delta_star, p.n)["r"]
        disc, disc_s = 1.0 / rbar, 1.0 / rbar
    else:
        disc, disc_s = e(-lead.r2), e(-lead.r2)
    return [
        cur.y - p.mu * lag.y - p.sigma * sh.eps,
        cur.y_star - p.mu * lag.y_star - p.sigma * sh.eps_star,
        cur.e - p.mu_d * lag.e - p.sigma_d * sh.eps_d,
        cur.e_star - p.mu_d * lag.e_star - p.sigma_d * sh.eps_d_star,
        e(cur.r1) * e(lag.z1) - (p.delta * Y + p.kappa * cur.e + e(cur.z1)),
        e(cur.r2) * e(lag.z2) - (p.delta_star * Ys + p.kappa * cur.e_star + e(cur.z2)),
        cur.yk + p.n * e(cur.z1) - (p.delta * Y + p.kappa * cur.e),
        cur.yk_star + p.n * e(cur.z2) - (p.delta_star * Ys + p.kappa * cur.e_star),
        cur.yl - ((1.0 - p.delta) * Y - p.kappa * cur.e),
        cur.yl_star - ((1.0 - p.delta_star) * Ys - p.kappa * cur.e_star),
        cur.h - cur.yl - disc * lead.h,
        cur.h_star - cur.yl_star - disc_s * lead.h_star,
        e(cur.cn) - (1.0 - p.beta) * cur.h,
        e(cur.cn_star) - (1.0 - p.beta) * cur.h_star,
        e(lead.c) - (p.n / nt) * e(lead.cn) - (p.beta / nt) * e(cur.c) * e(lead.r2),
        e(lead.c_star) - (p.n / nt) * e(lead.cn_star) - (p.beta / nt) * e(cur.c_star) * e(lead.r2),
        nt * cur.w - e(cur.r2) * lag.w - sh.xi - cur.yk - cur.yl + e(cur.c),
        e(cur.c) + e(cur.c_star) - cur.yk - cur.yl - cur.yk_star - cur.yl_star,
        e(lead.r1) - e(lead.r2),
        e(cur.co) - e(cur.c) + (p.n / nt) * e(cur.cn),
        e(cur.co_star) - e(cur.c_star) + (p.n / nt) * e(cur.cn_star),
        cur.rx - (cur.r1 - cur.r2),
        cur.cd - (cur.co - cur.co_star),
    ]


def _residuals_ss_rate(lag, cur, lead, sh, p):
    return _residuals(lag, cur, lead, sh, p, "steady_state_rate")


def _residuals_market(lag, cur, lead, sh, p):
    return _residuals(lag, cur, lead, sh, p, "market")


def _shock_cov(p):
    z = 0.0 * p.sigma
    s2, d2 = p.sigma**2, p.sigma_d**2
    return jnp.array(
        [[s2, z, z, z, z], [z, s2, z, z, z], [z, z, d2, z, z], [z, z, z, d2, z], [z, z, z, z, z]]
    )


def _check(human_wealth):
    check_option(human_wealth, HUMAN_WEALTH, "human_wealth")


_build = cached_builder(
    {"steady_state_rate": _residuals_ss_rate, "market": _residuals_market},
    "zhang2019_extended",
    variables=_VARIABLES,
    shocks=_SHOCKS,
    shock_cov=_shock_cov,
    steady_state=_model_steady_state,
    equations=_EQUATIONS,
)


def zhang2019_extended(human_wealth: str = "steady_state_rate", **params) -> Model:
    """The extended model of Zhang (2019, §5.2) as a [`jaxmacro.Model`][] (module docstring).

    **Arguments:**

    - `human_wealth`: ``"steady_state_rate"`` (new-borns discount labour income at the constant
      steady-state rate, like the paper's Eq. 7; default) or ``"market"`` (at r_{2,t+1}).
    - `params`: defaults for beta, delta, delta_star (the 1999-2017 calibration), kappa
      (0.4934), n (0.01), mu = mu_d (0.91), sigma = sigma_d (1; the portfolio is scale-free
      when the two are equal).

    Variables: y, y_star, e, e_star, z1, z2, r1, r2, c, c_star, cn, cn_star, co, co_star (logs),
    yk, yk_star, yl, yl_star, h, h_star, w (levels), rx = r1 - r2, cd = co - co_star. Shocks:
    eps, eps_star (income), eps_d, eps_d_star (redistributive), xi (DS input, zero variance).
    """
    _check(human_wealth)
    return _build(human_wealth, build_params(params, DEFAULT_PARAMS))


# ------------------------------------------------------------------------------------------
# Portfolio, decomposition and accounting
# ------------------------------------------------------------------------------------------


class Extended(eqx.Module):
    """Steady state, DS portfolio, Table 4 decomposition and Table 5 accounting (reconstruction).

    **Fields** (scalars at one parameter point; batched under vmap):

    - `beta`, `delta`, `delta_star`, `kappa`, `n`, `mu`: parameters.
    - `r` (gross), `w` (home NFA/GDP), `z1`, `z2` (capital/GDP), `c`, `c_star`, `tau`, `K`.
    - `alpha`: home position in its own equity net of its trees (GL = -α); `alpha_star` = α - w.
    - `self_hedging`, `nfi_hedging`, `nfa_hedging_home`, `nfa_hedging_foreign`, `demographic`:
      Eq. (14); home terms sum to α, foreign ones (NFA term foreign) to α*.
    - `ga_gdp`, `gl_gdp`: home gross assets w - α and liabilities -α (foreign: swapped).
    - `local_share_home` (z1 + α)/z1, `local_share_foreign` (z2 + α - w)/z2.
    - `var_rx`: var(r̂x) at the optimal portfolio (σ = 1 units).
    - `decomposition_error`: |sum of home terms - α|.
    - `portfolio`: the [`jaxmacro.PortfolioSolution`][]; `result`: [`jaxmacro.RESULTS`][].
    """

    beta: Array
    delta: Array
    delta_star: Array
    kappa: Array
    n: Array
    mu: Array
    r: Array
    w: Array
    z1: Array
    z2: Array
    c: Array
    c_star: Array
    tau: Array
    K: Array
    alpha: Array
    alpha_star: Array
    self_hedging: Array
    nfi_hedging: Array
    nfa_hedging_home: Array
    nfa_hedging_foreign: Array
    demographic: Array
    ga_gdp: Array
    gl_gdp: Array
    local_share_home: Array
    local_share_foreign: Array
    var_rx: Array
    decomposition_error: Array
    portfolio: PortfolioSolution
    result: RESULTS

    @property
    def r_percent(self):
        return 100.0 * (self.r - 1.0)

    @property
    def nfa_gdp(self):
        """|w|: the size of the (symmetric) imbalance, the Table 5 'Average' NFA."""
        return jnp.abs(self.w)

    @property
    def capital_gdp(self):
        """Average capital/GDP (z1 + z2)/2."""
        return 0.5 * (self.z1 + self.z2)


def _statistics(ps: PortfolioSolution, p) -> Extended:
    sol = ps.solution
    V = {v: i for i, v in enumerate(_VARIABLES)}
    st = steady_state(p["beta"], p["delta"], p["delta_star"], p["n"])
    r, w, z1, z2, tau, K = st["r"], st["w"], st["z1"], st["z2"], st["tau"], st["K"]
    c, c_s, beta = st["c"], st["c_star"], p["beta"]
    q = (1.0 + p["n"]) / r
    X0 = ps.impact
    Sig = ps.sigma
    cov = lambda a, b: a @ Sig @ b  # noqa: E731
    fut = discounted_state_sums(sol, X0, q)
    pv = lambda v: X0[V[v]] + q * sol.g_x[V[v]] @ fut  # noqa: E731  PV_t, innovation part
    rx = X0[V["rx"]]
    var = cov(rx, rx)
    dyk = pv("yk") / c - pv("yk_star") / c_s
    dyl = pv("yl") / c - pv("yl_star") / c_s
    dcn = pv("cn") - pv("cn_star")
    self_h = -K * cov(dyk, rx) / var
    nfi = -K * cov(dyl, rx) / var
    nfa_h = -w * cov(pv("r2"), rx) / var
    nfa_f = w * cov(pv("r1"), -rx) / var  # -w* cov(PV r1, r*x), w* = -w, r*x = -rx
    demog = K * (1.0 - tau) / (1.0 - beta) * cov(dcn, rx) / var
    alpha = ps.alpha[0]
    return Extended(
        beta=beta,
        delta=p["delta"],
        delta_star=p["delta_star"],
        kappa=p["kappa"],
        n=p["n"],
        mu=p["mu"],
        r=r,
        w=w,
        z1=z1,
        z2=z2,
        c=c,
        c_star=c_s,
        tau=tau,
        K=K,
        alpha=alpha,
        alpha_star=alpha - w,
        self_hedging=self_h,
        nfi_hedging=nfi,
        nfa_hedging_home=nfa_h,
        nfa_hedging_foreign=nfa_f,
        demographic=demog,
        ga_gdp=w - alpha,
        gl_gdp=-alpha,
        local_share_home=(z1 + alpha) / z1,
        local_share_foreign=(z2 + alpha - w) / z2,
        var_rx=var,
        decomposition_error=jnp.abs(self_h + nfi + nfa_h + demog - alpha),
        portfolio=ps,
        result=ps.result,
    )


def _default_model():
    """The default-option model, built (once) eagerly even when first requested inside a trace."""
    with jax.ensure_compile_time_eval():
        return zhang2019_extended()


def _full_params(params) -> dict:
    return full_params(params, DEFAULT_PARAMS)


def _extended_core(model, p) -> Extended:
    return ds_statistics(model, p, _statistics)


@eqx.filter_jit
def _extended_jit(model, p):
    return _extended_core(model, p)


def extended(
    params=None, *, human_wealth: str = "steady_state_rate", throw: bool = True
) -> Extended:
    """Solve the extended model at `params`: steady state, DS portfolio, Table 4 and 5 numbers.

    **Arguments:**

    - `params`: mapping with any of beta, delta, delta_star, kappa, n, mu, mu_d, sigma,
      sigma_d (defaults: the 1999-2017 calibration, κ = 0.4934). Values may be traced, batched
      (``jax.vmap``) and differentiated (``jax.grad`` flows through the steady state, the
      first-order solution and the DS formula).
    - `human_wealth` (keyword-only): ``"steady_state_rate"`` or ``"market"``.
    - `throw`: raise on failure, or flag it in `result` with NaN numbers.

    **Returns:** a [`jaxmacro.models.zhang2019_extended.Extended`][].
    """
    _check(human_wealth)
    out = _extended_jit(zhang2019_extended(human_wealth), _full_params(params))
    if throw:
        out = out.result.error_if(out, out.result != RESULTS.successful)
    return out


# ------------------------------------------------------------------------------------------
# Moment functions for jaxmacro.calibrate
# ------------------------------------------------------------------------------------------


def steady_state_moments(params) -> tuple[dict, RESULTS]:
    """Calibration moments from the (verified) steady state, ``(moments, result)``.

    Moments: r in percent (100(r-1)), nfa_home = w (home NFA/GDP, signed), nfa_gdp = |w| and
    capital_gdp = (z1 + z2)/2, the Table 5 'Average' targets. Target the *signed* home NFA
    (-0.20: the US is the debtor) to identify δ > δ*: |w| alone is symmetric in (δ, δ*), and a
    calibration on it may return the mirror image (home the creditor) — a two-point
    identification failure that [`jaxmacro.calibrate_multistart`][] exposes.

    Computed as [`jaxmacro.steady_state`][] with ``throw=False`` (the analytic steady
    state is checked against the model equations), so a parameter point without a valid steady
    state (r <= 1, a negative price) comes back as a failed `result`. For
    [`jaxmacro.calibrate`][].
    """
    model = _default_model()
    p = _full_params(params)
    # jaxmacro.steady_state(model, p, throw=False) without its jit boundary: inlined, the
    # unused derivative of the residual check is pruned (reverse-mode compile 8 s -> 1.5 s)
    ss = steady_state_impl(model, params_vector(model, p), None, None, 1e-12, 100)
    y = dict(zip(model.variables, ss.value))
    z1, z2, r = jnp.exp(y["z1"]), jnp.exp(y["z2"]), jnp.exp(y["r1"])
    ok = (ss.result == RESULTS.successful) & (r > 1.0) & (p["delta"] > 0) & (p["delta_star"] > 0)
    result = RESULTS.where(
        ok | (ss.result != RESULTS.successful), ss.result, RESULTS.steady_state_failed
    )
    mom = {
        "r": 100.0 * (r - 1.0),
        "nfa_home": y["w"],
        "nfa_gdp": jnp.abs(y["w"]),
        "capital_gdp": 0.5 * (z1 + z2),
    }
    return mom, result


def portfolio_moments(params) -> tuple[dict, RESULTS]:
    """Steady-state moments plus the portfolio: alpha, alpha_star, gl_gdp, ga_gdp, local shares.

    Runs the DS portfolio ([`extended`][] with ``throw=False``); for calibrating κ (or
    everything jointly) with [`jaxmacro.calibrate`][].
    """
    mom, result = steady_state_moments(params)
    out = _extended_core(_default_model(), _full_params(params))
    result = RESULTS.where(result == RESULTS.successful, out.result, result)
    mom = dict(
        mom,
        alpha=out.alpha,
        alpha_star=out.alpha_star,
        gl_gdp=out.gl_gdp,
        ga_gdp=out.ga_gdp,
        local_share_home=out.local_share_home,
        local_share_foreign=out.local_share_foreign,
    )
    return mom, result


# ------------------------------------------------------------------------------------------
# Table 6: portfolio wedges
# ------------------------------------------------------------------------------------------


def wedges(share_data_home, share_data_foreign, share_model_home, share_model_foreign):
    """Inferred Table 6 wedges: wedge_i = (1 - s_i^data)/(1 - s_i^model)."""
    return (
        (1.0 - share_data_home) / (1.0 - share_model_home),
        (1.0 - share_data_foreign) / (1.0 - share_model_foreign),
    )


def apply_wedge(share_model, wedge):
    """Local share with a wedge on the foreign-held fraction: 1 - wedge·(1 - s^model)."""
    return 1.0 - wedge * (1.0 - share_model)
