"""The FA / PI / FI model as [`jaxmacro.Model`][]s: equilibrium conditions in levels (logs).

Every variable is a log level (``k`` = log K_{t+1}, chosen at t; ``w`` = log cum-dividend
wealth at the start of t; ``p`` = log ex-dividend t-equity price; ``v`` = log value of the
n-equity in tradables, Q^n P^n; ``rb`` = log gross bond (or, under fa, shadow) rate known at t;
``ptil`` = log ADR price of the foreign t-equity valued with the home IMRS, eq. (38)).
Foreign variables carry an ``h`` suffix (the paper's hats). Autodiff linearises the system; the
paper's log-linear (Appendix A) matrices are typed only in the tests, to check it.

Households: log utility over a CES basket, so expenditure E = (1-β)W and the IMRS is
M_{t+1} = β E_t / E_{t+1} exactly (spec L1-L3). Each t-firm discounts with its own country's
IMRS under every menu (eqs. 24-25).

- **fa**: two closed economies; W = P + D + V + Q^n Y^n country by country (A^t = A^n = 1),
  C^t = D^t, and the shadow bond rate priced with the domestic IMRS.
- **pi / fi**: home wealth is the one wealth state (a unit root): W_t = βW_{t-1}[R_{t-1} +
  ᾱ'(R^χ_t - R_{t-1})] with the zero-order shares ᾱ (only ᾱ enters first-order wealth
  dynamics); foreign wealth is pinned by world wealth W + Ŵ = Σ(P + D) (bond market clearing,
  eq. A10); traded goods clear. Pricing: home t-equity, foreign t-equity (foreign IMRS under
  pi, home IMRS under fi, where both hold it: first-order equivalent) and one bond Euler
  equation per country; the n-equity Euler equations follow from the budgets (log utility).
- **fi_ds**: fi written for [`jaxmacro.portfolio`][]: home portfolio income from the two
  t-equities is the zero-variance input ξ (``W_t = βW_{t-1}[R_{t-1}(1 + ξ_t) + ᾱ^n(R^n_t -
  R_{t-1})]``, so the DS position α̃ is the share of W^c), excess returns ``rx1`` = r^t -
  r_{t-1}, ``rx2`` = r^t̂ - r_{t-1} and the marginal-utility differential ``mud`` = e - ê.

Auxiliary variables (definitions, dated t): realised log returns ``ret_t``, ``ret_th``,
``ret_n``, ``ret_nh``, ``ret_f`` (= rb_{t-1}), ``ret_w``, ``ret_wh``, ``ret_adr``; log IMRS
``m``, ``mh``; log real exchange rate ``q`` = ln P - ln P̂ (CPI ratio, eq. 23) and ``dq``.
"""

from __future__ import annotations

import functools

import jax.numpy as jnp

import jaxmacro as jm

from ._params import steady_state

CONFIGS = ("fa", "pi", "fi")
#: The paper's Table 1 calibration (the defaults of [`EHParams`][]).
DEFAULTS = dict(
    beta=0.99,
    delta=0.02,
    theta=0.36,
    elasticity=0.74,
    lambda_n=0.5,
    rho_t=0.78,
    rho_n=0.99,
    sigma=0.01,
)

_COUNTRY = ("zt", "zn", "k", "d", "ct", "qn", "e", "w", "p", "v")
_AUX = (
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
    "q",
    "dq",
)
_SHOCKS = ("et", "eth", "en", "enh")


def _variables(config: str) -> tuple[str, ...]:
    home = _COUNTRY
    foreign = tuple(v + "h" for v in _COUNTRY)
    base = home + foreign + ("rb",) + (("rbh",) if config == "fa" else ()) + ("ptil",) + _AUX
    if config in ("fi_ds", "fi_c"):
        base = base + ("rx1", "rx2", "mud")
    return base


def _cpi(qn, phi, lam_n):
    lam_t = 1.0 - lam_n
    return (lam_t + lam_n * qn ** (phi / (phi - 1.0))) ** ((phi - 1.0) / phi)


def _shares(p, config):
    """Home zero-order shares (t, t̂, n) used in the home budget."""
    g = steady_state(p)["gamma"]
    if config == "pi":
        return g, 0.0 * g, 1.0 - g
    return g / 2, g / 2, 1.0 - g  # fi


def _residuals(config, lag, cur, lead, sh, p, gamma_states=()):
    ex = jnp.exp
    ss = steady_state(p)
    beta, delta, theta = p.beta, p.delta, p.theta
    phi, kappa = ss["phi"], ss["kappa"]
    lam_n = p.lambda_n
    lam_t = 1.0 - lam_n
    res = []

    def country(h):
        s = "h" if h else ""
        g = lambda x, name: getattr(x, name + s)  # noqa: E731
        own_rb = g(cur, "rb") if config == "fa" else cur.rb
        zt, zn = g(cur, "zt"), g(cur, "zn")
        Kp, K = ex(g(cur, "k")), ex(g(lag, "k"))
        D, Ct, Qn = ex(g(cur, "d")), ex(g(cur, "ct")), ex(g(cur, "qn"))
        Yn = kappa * ex(zn)
        Mp = beta * ex(g(cur, "e") - g(lead, "e"))  # own IMRS M_{t+1}
        return [
            g(cur, "zt") - p.rho_t * g(lag, "zt") - g(sh, "et"),
            g(cur, "zn") - p.rho_n * g(lag, "zn") - g(sh, "en"),
            Kp - (1.0 - delta) * K - ex(zt) * K**theta + D,  # capital accumulation (2)
            # firm Euler (24)/(25), own-country IMRS
            Mp * (theta * ex(g(lead, "zt")) * Kp ** (theta - 1.0) + 1.0 - delta) - 1.0,
            Qn - (lam_n / lam_t) ** (1.0 - phi) * (Yn / Ct) ** (phi - 1.0),  # (A1), C^n = Y^n
            ex(g(cur, "e")) - Ct - Qn * Yn,  # expenditure
            ex(g(cur, "e")) - (1.0 - beta) * ex(g(cur, "w")),  # (L1) log utility
            Mp * ex(own_rb) - 1.0,  # bond Euler (own shadow rate under fa)
        ]

    def gross(x, name, div):
        return ex(getattr(x, name)) + div

    def div_n(x, s):
        return ex(getattr(x, "qn" + s)) * kappa * ex(getattr(x, "zn" + s))

    Rt = lambda x: gross(x, "p", ex(x.d))  # noqa: E731
    Rth = lambda x: gross(x, "ph", ex(x.dh))  # noqa: E731
    Rn = lambda x: gross(x, "v", div_n(x, ""))  # noqa: E731
    Rnh = lambda x: gross(x, "vh", div_n(x, "h"))  # noqa: E731
    M = beta * ex(cur.e - lead.e)
    Mh = beta * ex(cur.eh - lead.eh)

    res += country(False) + country(True)
    if config == "fa":
        res += [
            ex(cur.w) - Rt(cur) - Rn(cur),  # W = P + D + V + Q^n Y^n (A^t = A^n = 1)
            ex(cur.wh) - Rth(cur) - Rnh(cur),
            cur.ct - cur.d,  # balanced trade (15)
            cur.cth - cur.dh,
            M * Rt(lead) / ex(cur.p) - 1.0,  # t-equity Euler (19b)
            Mh * Rth(lead) / ex(cur.ph) - 1.0,
        ]
    else:
        world = Rt(cur) + Rth(cur) + Rn(cur) + Rnh(cur)
        Rb = ex(lag.rb)
        if config == "fi_ds":
            a_n = 1.0 - steady_state(p)["gamma"]
            budget = ex(cur.w) - beta * ex(lag.w) * (
                Rb * (1.0 + sh.xi) + a_n * (Rn(cur) / ex(lag.v) - Rb)
            )
        elif config in ("pi_c", "fi_c"):
            # exact budget in levels: the own n-equity (and, under pi, the own t-equity) is
            # held by market clearing, share V/W^c (P/W^c) of the wealth carried from t-1
            Wc_lag = beta * ex(lag.w)
            inc = Rb + (ex(lag.v) / Wc_lag) * (Rn(cur) / ex(lag.v) - Rb)
            if config == "pi_c":
                inc = inc + (ex(lag.p) / Wc_lag) * (Rt(cur) / ex(lag.p) - Rb)
            else:  # fi: the two t-equity positions ᾱ + α_x ŝ_{t-1} and the DS input ξ
                ss = _steady_state_values(config, p)
                pos = [
                    getattr(p, f"at{j}")
                    + sum(p[f"g{j}_{s}"] * (lag[s] - ss[s]) for s in gamma_states)
                    for j in (1, 2)
                ]
                inc = (
                    inc
                    + Rb * sh.xi
                    + pos[0] * (Rt(cur) / ex(lag.p) - Rb)
                    + pos[1] * (Rth(cur) / ex(lag.ph) - Rb)
                )
            budget = ex(cur.w) - Wc_lag * inc
        else:
            a_t, a_th, a_n = _shares(p, config)
            budget = ex(cur.w) - beta * ex(lag.w) * (
                Rb
                + a_t * (Rt(cur) / ex(lag.p) - Rb)
                + a_th * (Rth(cur) / ex(lag.ph) - Rb)
                + a_n * (Rn(cur) / ex(lag.v) - Rb)
            )
        # the foreign t-equity: foreign IMRS under pi; under fi both hold it (home IMRS used,
        # first-order equivalent; the difference is the portfolio condition)
        # (Stage C, fi_c: the foreign firm discounts with its own IMRS, eqs. 24-25; home's
        # Euler equation for it is then the portfolio condition, and P̂ = P̃ is a check)
        Mth = Mh if config in ("pi", "pi_c", "fi_c") else M
        res += [
            budget,
            ex(cur.w) + ex(cur.wh) - world,  # world wealth (bond market clearing, A10)
            ex(cur.ct) + ex(cur.cth) - ex(cur.d) - ex(cur.dh),  # traded goods (12)
            M * Rt(lead) / ex(cur.p) - 1.0,
            Mth * Rth(lead) / ex(cur.ph) - 1.0,
        ]
    # ADR (38): foreign t-dividends valued with the home IMRS
    res.append(M * (ex(lead.ptil) + ex(lead.dh)) / ex(cur.ptil) - 1.0)
    # auxiliary definitions
    lb = jnp.log(beta)
    rbh_lag = lag.rbh if config == "fa" else lag.rb
    res += [
        cur.ret_t - (jnp.log(Rt(cur)) - lag.p),
        cur.ret_th - (jnp.log(Rth(cur)) - lag.ph),
        cur.ret_n - (jnp.log(Rn(cur)) - lag.v),
        cur.ret_nh - (jnp.log(Rnh(cur)) - lag.vh),
        cur.ret_f - lag.rb,
        cur.ret_w - (cur.w - lag.w - lb),  # (L2): W_t = β R^w_t W_{t-1}
        cur.ret_wh - (cur.wh - lag.wh - lb),
        cur.ret_adr - (jnp.log(ex(cur.ptil) + ex(cur.dh)) - lag.ptil),
        cur.m - (lb + lag.e - cur.e),
        cur.mh - (lb + lag.eh - cur.eh),
        cur.q - (jnp.log(_cpi(ex(cur.qn), phi, lam_n)) - jnp.log(_cpi(ex(cur.qnh), phi, lam_n))),
        cur.dq - (cur.q - lag.q),
    ]
    del rbh_lag
    if config in ("fi_ds", "fi_c"):
        res += [
            cur.rx1 - (cur.ret_t - lag.rb),
            cur.rx2 - (cur.ret_th - lag.rb),
            cur.mud - (cur.e - cur.eh),
        ]
    return res


def _steady_state_values(config, p):
    s = steady_state(p)
    lb = jnp.log(p.beta)
    z = 0.0 * lb
    one = {
        "zt": z,
        "zn": z,
        "k": jnp.log(s["K"]),
        "d": jnp.log(s["D"]),
        "ct": jnp.log(s["D"]),
        "qn": jnp.log(s["Qn"]),
        "e": jnp.log(s["E"]),
        "w": jnp.log(s["W"]),
        "p": jnp.log(s["P"]),
        "v": jnp.log(s["V"]),
    }
    out = dict(one)
    out.update({k + "h": v for k, v in one.items()})
    out["rb"] = -lb
    if config == "fa":
        out["rbh"] = -lb
    out["ptil"] = jnp.log(s["P"])
    out.update(
        ret_t=-lb,
        ret_th=-lb,
        ret_n=-lb,
        ret_nh=-lb,
        ret_f=-lb,
        ret_w=-lb,
        ret_wh=-lb,
        ret_adr=-lb,
        m=lb,
        mh=lb,
        q=z,
        dq=z,
    )
    if config in ("fi_ds", "fi_c"):
        out.update(rx1=z, rx2=z, mud=z)
    return out


def _shock_cov(config, p):
    s2 = p.sigma**2
    cov = s2 * jnp.eye(4)
    if config in ("fi_ds", "fi_c"):
        cov = jnp.zeros((5, 5)).at[:4, :4].set(cov)
    return cov


@functools.cache
def model(config: str) -> jm.Model:
    """The model for `config` in ``("fa", "pi", "fi", "fi_ds")`` as a [`jaxmacro.Model`][].

    Parameters are the fields of [`EHParams`][] (defaults: the paper's Table 1). Shocks
    ``et, eth, en, enh`` (innovations of log Z^t, Ẑ^t, Z^n, Ẑ^n, variance σ²); ``fi_ds`` adds
    the zero-variance DS input ``xi``. See the module docstring for the variables.
    """
    if config not in CONFIGS + ("fi_ds",):
        raise ValueError(f"config must be one of {CONFIGS + ('fi_ds',)}, got {config!r}")
    return jm.Model(
        functools.partial(_residuals, config),
        variables=_variables(config),
        shocks=_SHOCKS + (("xi",) if config == "fi_ds" else ()),
        params=dict(DEFAULTS),
        shock_cov=functools.partial(_shock_cov, config),
        steady_state=functools.partial(_steady_state_values, config),
        name=f"evans_hnatkovska2005_{config}",
    )


def _build_c(config: str, gamma_states: tuple[str, ...]) -> jm.Model:
    params = dict(DEFAULTS)
    if config == "fi_c":
        params.update(at1=0.0, at2=0.0)
        params.update({f"g{j}_{s}": 0.0 for j in (1, 2) for s in gamma_states})
    return jm.Model(
        functools.partial(_residuals, config, gamma_states=gamma_states),
        variables=_variables(config),
        shocks=_SHOCKS + (("xi",) if config == "fi_c" else ()),
        params=params,
        shock_cov=functools.partial(_shock_cov, config),
        steady_state=functools.partial(_steady_state_values, config),
        name=f"evans_hnatkovska2005_{config}",
    )


@functools.cache
def stage_c_model(config: str) -> jm.Model:
    """The model of `config` written for the second-order (Stage C) solution.

    Every budget is exact in levels, so that its second-order expansion carries the
    conditional heteroskedasticity of wealth:

    - ``fa``: [`model`][] itself (W = P + D + V + Q^n Y^n country by country is exact).
    - ``pi``: home carries from t-1 the clearing shares P/W^c and V/W^c of its own equities
      and the residual bond (``W_t = W^c_{t-1}[R_{t-1} + (P/W^c)_{t-1}(R^t_t - R_{t-1}) +
      (V/W^c)_{t-1}(R^n_t - R_{t-1})]``); the foreign t-firm discounts with the foreign IMRS.
    - ``fi``: the own n-equity by clearing as under pi; the two t-equity positions (shares of
      W^c) are ``at1 + Σ_s g1_s ŝ_{t-1}`` and ``at2 + Σ_s g2_s ŝ_{t-1}`` (ŝ the deviation of
      every state of the model from its steady state), plus the Devereux–Sutherland
      zero-variance input ``xi`` (shock cov 0) and the variables ``rx1``, ``rx2`` (excess
      t-equity returns over the bond) and ``mud`` (= e - ê, the log marginal-utility
      differential): the form [`jaxmacro.evans_hnatkovska`][] solves. Each t-firm discounts
      with its own country's IMRS (spec §6.7), so home's Euler equation for the foreign
      t-equity is the portfolio condition and P̂ = P̃ (eq. 38) is a check of it.
    """
    if config not in CONFIGS:
        raise ValueError(f"config must be one of {CONFIGS}, got {config!r}")
    if config == "fa":
        return model("fa")
    if config == "pi":
        return _build_c("pi_c", ())
    states = _build_c("fi_c", ()).states  # the g terms add no state: they use existing lags
    return _build_c("fi_c", tuple(states))


#: Stage C variants: "full" (every equation at second order) and EH's mixed order, with the
#: "real" equations held to first order — capital accumulation (2), the intratemporal condition
#: (A1) with C^n = Y^n, expenditure and the consumption rule (L1), in each country, and traded
#: goods clearing (12) (fa: balanced trade (15)) — the rest ("financial": Euler equations,
#: budgets, prices, returns) at second order. Indices into the residuals of stage_c_model.
STAGE_C_VARIANTS = ("full", "eh_mixed")
_REAL_COUNTRY = (2, 4, 5, 6)  # within each country's 8 equations (home 0-7, foreign 8-15)


def eh_mixed_equations(config: str) -> tuple[int, ...]:
    """Indices of the equations held to first order in EH's mixed-order variant of `config`."""
    if config not in CONFIGS:
        raise ValueError(f"config must be one of {CONFIGS}, got {config!r}")
    own = _REAL_COUNTRY + tuple(8 + i for i in _REAL_COUNTRY)
    return own + ((18, 19) if config == "fa" else (18,))


def stage_c_gamma_params(m: jm.Model) -> list[dict[str, str]]:
    """For the fi Stage C model: state -> parameter of each t-equity position's α_x."""
    return [{s: f"g{j}_{s}" for s in m.states if f"g{j}_{s}" in m.param_names} for j in (1, 2)]
