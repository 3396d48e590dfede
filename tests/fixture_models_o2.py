"""The order-2 reference models of ``tests/reference`` written by hand as JAX functions.

Each builder transcribes one ``.mod`` file: the ``var`` order, the ``model`` block (residual =
left-hand side minus right-hand side), the ``steady_state_model`` block and the ``shocks``
block. Parameters that the ``.mod`` computes from other parameters in its parameter block are
computed inside the residual and steady-state functions from the primitive ones, so that
derivatives with respect to a primitive parameter move them as Dynare would.

Kept independent of any ``.mod`` importer on purpose: these are the models the order-2
solver, the pruning code and their benchmarks are checked against.
"""

from __future__ import annotations

import json
import pathlib

import jax.numpy as jnp
import numpy as np

import jaxmacro as jm

REFERENCE = pathlib.Path(__file__).resolve().parent / "reference"


def load_fixture(name: str, order: int = 2) -> dict:
    """The Dynare decision-rule JSON of model `name` (``tests/reference/<name>/dr_order<k>.json``)."""
    with open(REFERENCE / name / f"dr_order{order}.json") as fh:
        return json.load(fh)


# ---------------------------------------------------------------------------------------------
# rbc and rbc_crra
# ---------------------------------------------------------------------------------------------


def _rbc_ss(p):
    k = (p.alpha / (1 / p.beta - 1 + p.delta)) ** (1 / (1 - p.alpha))
    y = k**p.alpha
    inv = p.delta * k
    return {"c": y - inv, "k": k, "y": y, "inv": inv, "z": 0.0 * k}


def _rbc_res(lag, cur, lead, e, p):
    return [
        1 / cur.c
        - p.beta
        * (1 / lead.c)
        * (p.alpha * jnp.exp(lead.z) * cur.k ** (p.alpha - 1) + 1 - p.delta),
        cur.y - jnp.exp(cur.z) * lag.k**p.alpha,
        cur.k - (1 - p.delta) * lag.k - cur.inv,
        cur.y - cur.c - cur.inv,
        cur.z - p.rho * lag.z - e.e,
    ]


def rbc() -> jm.Model:
    """``rbc.mod``: stochastic growth, log utility."""
    return jm.Model(
        _rbc_res,
        variables=("c", "k", "y", "inv", "z"),
        shocks=("e",),
        params=dict(alpha=0.36, beta=0.99, delta=0.025, rho=0.95, sigma=0.01),
        shock_cov=lambda p: jnp.reshape(p.sigma**2, (1, 1)),
        steady_state=_rbc_ss,
        name="rbc",
    )


def _rbc_crra_res(lag, cur, lead, e, p):
    return [
        cur.c ** (-p.gam)
        - p.beta
        * lead.c ** (-p.gam)
        * (p.alpha * jnp.exp(lead.z) * cur.k ** (p.alpha - 1) + 1 - p.delta),
        cur.y - jnp.exp(cur.z) * lag.k**p.alpha,
        cur.k - (1 - p.delta) * lag.k - cur.inv,
        cur.y - cur.c - cur.inv,
        cur.z - p.rho * lag.z - e.e,
    ]


def rbc_crra() -> jm.Model:
    """``rbc_crra.mod``: stochastic growth, CRRA utility (γ = 2)."""
    return jm.Model(
        _rbc_crra_res,
        variables=("c", "k", "y", "inv", "z"),
        shocks=("e",),
        params=dict(alpha=0.36, beta=0.99, delta=0.025, rho=0.95, sigma=0.01, gam=2.0),
        shock_cov=lambda p: jnp.reshape(p.sigma**2, (1, 1)),
        steady_state=_rbc_ss,
        name="rbc_crra",
    )


# ---------------------------------------------------------------------------------------------
# two-country models
# ---------------------------------------------------------------------------------------------


def _two_country_cov(p):
    s2 = p.sigma**2
    return jnp.stack([jnp.stack([s2, p.corr12 * s2]), jnp.stack([p.corr12 * s2, s2])])


def _two_country_ss_common(p):
    k = (p.alpha / (1 / p.beta - 1 + p.delta)) ** (1 / (1 - p.alpha))
    y = k**p.alpha
    inv = p.delta * k
    c = y - inv
    zero = 0.0 * k
    return dict(c1=c, c2=c, k1=k, k2=k, inv1=inv, inv2=inv, y1=y, y2=y, z1=zero, z2=zero, nx1=zero)


def _bond_res(lag, cur, lead, e, p):
    g = p.gam
    return [
        cur.c1 ** (-g)
        - p.beta
        * lead.c1 ** (-g)
        * (p.alpha * jnp.exp(lead.z1) * cur.k1 ** (p.alpha - 1) + 1 - p.delta),
        cur.c2 ** (-g)
        - p.beta
        * lead.c2 ** (-g)
        * (p.alpha * jnp.exp(lead.z2) * cur.k2 ** (p.alpha - 1) + 1 - p.delta),
        cur.y1 - jnp.exp(cur.z1) * lag.k1**p.alpha,
        cur.y2 - jnp.exp(cur.z2) * lag.k2**p.alpha,
        cur.k1 - (1 - p.delta) * lag.k1 - cur.inv1,
        cur.k2 - (1 - p.delta) * lag.k2 - cur.inv2,
        cur.z1 - p.rho * lag.z1 - p.rho12 * lag.z2 - e.e1,
        cur.z2 - p.rho * lag.z2 - p.rho12 * lag.z1 - e.e2,
        cur.c1 ** (-g) * (cur.q + p.phi * cur.b1) - p.beta * lead.c1 ** (-g),
        cur.c2 ** (-g) * (cur.q - p.phi * cur.b1) - p.beta * lead.c2 ** (-g),
        cur.c1 + cur.inv1 + cur.q * cur.b1 + (p.phi / 2) * cur.b1**2 - cur.y1 - lag.b1,
        cur.c2 + cur.inv2 - cur.q * cur.b1 + (p.phi / 2) * cur.b1**2 - cur.y2 + lag.b1,
        cur.nx1 - (cur.y1 - cur.c1 - cur.inv1),
    ]


def _bond_ss(p):
    out = _two_country_ss_common(p)
    out.update(b1=0.0 * p.beta, q=p.beta)
    return out


def two_country_bond() -> jm.Model:
    """``two_country_bond.mod``: two-country growth, one bond with a quadratic position cost."""
    return jm.Model(
        _bond_res,
        variables=(
            "c1",
            "c2",
            "k1",
            "k2",
            "inv1",
            "inv2",
            "y1",
            "y2",
            "z1",
            "z2",
            "b1",
            "q",
            "nx1",
        ),
        shocks=("e1", "e2"),
        params=dict(
            alpha=0.36,
            beta=0.99,
            delta=0.025,
            rho=0.95,
            rho12=0.025,
            sigma=0.01,
            corr12=0.25,
            gam=2.0,
            phi=0.001,
        ),
        shock_cov=_two_country_cov,
        steady_state=_bond_ss,
        name="two_country_bond",
    )


def _complete_res(lag, cur, lead, e, p):
    g = p.gam
    return [
        cur.c1 ** (-g)
        - p.beta
        * lead.c1 ** (-g)
        * (p.alpha * jnp.exp(lead.z1) * cur.k1 ** (p.alpha - 1) + 1 - p.delta),
        cur.c2 ** (-g)
        - p.beta
        * lead.c2 ** (-g)
        * (p.alpha * jnp.exp(lead.z2) * cur.k2 ** (p.alpha - 1) + 1 - p.delta),
        cur.y1 - jnp.exp(cur.z1) * lag.k1**p.alpha,
        cur.y2 - jnp.exp(cur.z2) * lag.k2**p.alpha,
        cur.k1 - (1 - p.delta) * lag.k1 - cur.inv1,
        cur.k2 - (1 - p.delta) * lag.k2 - cur.inv2,
        cur.z1 - p.rho * lag.z1 - p.rho12 * lag.z2 - e.e1,
        cur.z2 - p.rho * lag.z2 - p.rho12 * lag.z1 - e.e2,
        cur.c1 - cur.c2,
        cur.c1 + cur.c2 + cur.inv1 + cur.inv2 - cur.y1 - cur.y2,
        cur.nx1 - (cur.y1 - cur.c1 - cur.inv1),
    ]


def two_country_complete() -> jm.Model:
    """``two_country_complete.mod``: two-country growth, complete markets (c1 = c2)."""
    return jm.Model(
        _complete_res,
        variables=("c1", "c2", "k1", "k2", "inv1", "inv2", "y1", "y2", "z1", "z2", "nx1"),
        shocks=("e1", "e2"),
        params=dict(
            alpha=0.36,
            beta=0.99,
            delta=0.025,
            rho=0.95,
            rho12=0.025,
            sigma=0.01,
            corr12=0.25,
            gam=2.0,
        ),
        shock_cov=_two_country_cov,
        steady_state=_two_country_ss_common,
        name="two_country_complete",
    )


# ---------------------------------------------------------------------------------------------
# sgu2003_soe (c, h, y, inv, k, lam in logs)
# ---------------------------------------------------------------------------------------------


def _sgu_beta(p):
    return 1 / (1 + p.rstar)


def _sgu_res(lag, cur, lead, e, p):
    beta = _sgu_beta(p)
    ex = jnp.exp
    adj = (p.phi / 2) * (ex(cur.k) - ex(lag.k)) ** 2
    return [
        cur.d - ((1 + lag.r) * lag.d - ex(cur.y) + ex(cur.c) + ex(cur.inv) + adj),
        ex(cur.y) - ex(cur.a) * ex(lag.k) ** p.alpha * ex(cur.h) ** (1 - p.alpha),
        ex(cur.k) - (ex(cur.inv) + (1 - p.delta) * ex(lag.k)),
        ex(cur.lam) - beta * (1 + cur.r) * ex(lead.lam),
        ex(cur.lam) - (ex(cur.c) - ex(cur.h) ** p.omega / p.omega) ** (-p.gamma),
        ex(cur.h) ** (p.omega - 1) - (1 - p.alpha) * ex(cur.y) / ex(cur.h),
        ex(cur.lam) * (1 + p.phi * (ex(cur.k) - ex(lag.k)))
        - beta
        * ex(lead.lam)
        * (p.alpha * ex(lead.y) / ex(cur.k) + 1 - p.delta + p.phi * (ex(lead.k) - ex(cur.k))),
        cur.a - (p.rho * lag.a + e.e),
        cur.r - (p.rstar + p.psi2 * (ex(cur.d - p.dbar) - 1)),
        cur.tb_y - (1 - (ex(cur.c) + ex(cur.inv) + adj) / ex(cur.y)),
        cur.ca_y - (lag.d - cur.d) / ex(cur.y),
    ]


def _sgu_ss(p):
    log, ex = jnp.log, jnp.exp
    r = p.rstar
    d = p.dbar
    a = 0.0 * p.rstar
    h = log(
        ((1 - p.alpha) * (p.alpha / (p.rstar + p.delta)) ** (p.alpha / (1 - p.alpha)))
        ** (1 / (p.omega - 1))
    )
    k = h + log((p.alpha / (p.rstar + p.delta)) ** (1 / (1 - p.alpha)))
    y = p.alpha * k + (1 - p.alpha) * h
    inv = log(p.delta) + k
    c = log(ex(y) - ex(inv) - p.rstar * p.dbar)
    lam = -p.gamma * log(ex(c) - ex(h) ** p.omega / p.omega)
    tb_y = 1 - (ex(c) + ex(inv)) / ex(y)
    return dict(d=d, c=c, h=h, y=y, inv=inv, k=k, a=a, lam=lam, tb_y=tb_y, ca_y=0.0 * a, r=r)


def sgu2003_soe() -> jm.Model:
    """``sgu2003_soe.mod``: Schmitt-Grohé–Uribe (2003) Model 2 (debt-elastic interest rate)."""
    return jm.Model(
        _sgu_res,
        variables=("d", "c", "h", "y", "inv", "k", "a", "lam", "tb_y", "ca_y", "r"),
        shocks=("e",),
        params=dict(
            gamma=2.0,
            omega=1.455,
            alpha=0.32,
            phi=0.028,
            rstar=0.04,
            delta=0.1,
            rho=0.42,
            sig_e=0.0129,
            psi2=0.000742,
            dbar=0.7442,
        ),
        shock_cov=lambda p: jnp.reshape(p.sig_e**2, (1, 1)),
        steady_state=_sgu_ss,
        name="sgu2003_soe",
    )


# ---------------------------------------------------------------------------------------------
# fvgq20: 31 equations
# ---------------------------------------------------------------------------------------------

FVGQ20_VARIABLES = (
    "c", "xinv", "Pi", "w", "R", "yd", "vp", "Pistar", "u", "q", "lam", "muz", "r", "l", "mc",
    "g1", "g2", "k", "d", "vphi", "muI", "muA", "mshock", "g",
    "ob_muz", "ob_Pi", "ob_R", "ob_dw", "ob_dy", "ob_l", "ob_mu",
)  # fmt: skip

FVGQ20_PARAMS = dict(
    beta=0.998,
    h=0.97,
    vartheta=1.17,
    kappa=9.51,
    alpha=0.21,
    thetap=0.82,
    chi=0.63,
    gammaR=0.77,
    gammay=0.19,
    gammaPi=1.29,
    Pibar=1.01,
    rhod=0.12,
    rhophi=0.93,
    rhog=0.95,
    gbar=0.3,
    sig_A=float(np.exp(-3.97)),
    sig_d=float(np.exp(-1.51)),
    sig_phi=float(np.exp(-2.36)),
    sig_mu=float(np.exp(-5.43)),
    sig_m=float(np.exp(-5.85)),
    sig_g=float(np.exp(-3.0)),
    LambdaMu=3.4e-3,
    LambdaA=2.8e-3,
    delta=0.025,
    epsilon=10.0,
    Phi_fc=0.0,
    gamma2=0.001,
)


def fvgq20_derived(p) -> dict:
    """The parameter-block expressions of ``fvgq20.mod`` (steady-state objects, ψ, γ1)."""
    ex = jnp.exp
    beta, alpha, thetap, chi, eps, Pibar = p.beta, p.alpha, p.thetap, p.chi, p.epsilon, p.Pibar
    LambdaYd = (p.LambdaA + alpha * p.LambdaMu) / (1 - alpha)
    Lambdax = ex(LambdaYd)
    muz_ss = ex(LambdaYd)
    muI_ss = ex(p.LambdaMu)
    muA_ss = ex(p.LambdaA)
    gamma1 = muz_ss * muI_ss / beta - (1 - p.delta)
    Rbar = Pibar * muz_ss / beta
    Pistar_ss = ((1 - thetap * Pibar ** (-(1 - eps) * (1 - chi))) / (1 - thetap)) ** (1 / (1 - eps))
    vp_ss = (1 - thetap) / (1 - thetap * Pibar ** ((1 - chi) * eps)) * Pistar_ss ** (-eps)
    mc_ss = (
        (1 - beta * thetap * Pibar ** ((1 - chi) * eps))
        / (1 - beta * thetap * Pibar ** (-(1 - eps) * (1 - chi)))
        * (eps - 1)
        / eps
        * Pistar_ss
    )
    w_ss = (1 - alpha) * (mc_ss * (alpha / gamma1) ** alpha) ** (1 / (1 - alpha))
    k_ss = alpha / (1 - alpha) * w_ss / gamma1 * muz_ss * muI_ss
    yd_ss = (muA_ss / muz_ss * k_ss**alpha - p.Phi_fc) / vp_ss
    x_ss = (muz_ss * muI_ss - (1 - p.delta)) / (muz_ss * muI_ss) * k_ss
    c_ss = (1 - p.gbar) * yd_ss - x_ss
    lam_ss = (1 - p.h * beta / muz_ss) / (1 - p.h / muz_ss) / c_ss
    psi = w_ss * lam_ss
    g_ss = p.gbar * yd_ss
    den = 1 - beta * thetap * Pibar ** (-(1 - eps) * (1 - chi))
    g1_ss = lam_ss * yd_ss / den * (eps - 1) / eps * Pistar_ss
    g2_ss = lam_ss * yd_ss / den * Pistar_ss
    return dict(
        LambdaYd=LambdaYd,
        Lambdax=Lambdax,
        muz_ss=muz_ss,
        muI_ss=muI_ss,
        muA_ss=muA_ss,
        gamma1=gamma1,
        Rbar=Rbar,
        Pistar_ss=Pistar_ss,
        vp_ss=vp_ss,
        mc_ss=mc_ss,
        w_ss=w_ss,
        k_ss=k_ss,
        yd_ss=yd_ss,
        x_ss=x_ss,
        c_ss=c_ss,
        lam_ss=lam_ss,
        psi=psi,
        g_ss=g_ss,
        g1_ss=g1_ss,
        g2_ss=g2_ss,
    )


def _fvgq20_res(lag, cur, lead, e, p):
    q_ = fvgq20_derived(p)
    log = jnp.log
    beta, h, alpha, thetap, chi, eps = p.beta, p.h, p.alpha, p.thetap, p.chi, p.epsilon
    kappa, delta, gamma1, gamma2 = p.kappa, p.delta, q_["gamma1"], p.gamma2
    Lambdax, Rbar = q_["Lambdax"], q_["Rbar"]
    y, yl, yp = cur, lag, lead
    adj_x = y.xinv / yl.xinv * y.muz - Lambdax
    adj_xp = yp.xinv / y.xinv * yp.muz - Lambdax
    return [
        y.d * (y.c - h * yl.c / y.muz) ** (-1)
        - h * beta * yp.d * (yp.c * yp.muz - h * y.c) ** (-1)
        - y.lam,
        q_["psi"] * y.vphi * y.l**p.vartheta - y.w * y.lam,
        y.lam - beta * yp.lam / yp.muz * y.R / yp.Pi,
        y.r - (gamma1 + gamma2 * (y.u - 1)),
        y.q
        - beta
        * yp.lam
        / y.lam
        / yp.muz
        / yp.muI
        * ((1 - delta) * yp.q + yp.r * yp.u - (gamma1 * (yp.u - 1) + gamma2 / 2 * (yp.u - 1) ** 2)),
        y.q * (1 - kappa / 2 * adj_x**2 - kappa * adj_x * y.xinv / yl.xinv * y.muz)
        + beta * yp.q * yp.lam / y.lam / yp.muz * kappa * adj_xp * (yp.xinv / y.xinv * yp.muz) ** 2
        - 1,
        y.g1 - (y.lam * y.mc * y.yd + beta * thetap * (y.Pi**chi / yp.Pi) ** (-eps) * yp.g1),
        y.g2
        - (
            y.lam * y.Pistar * y.yd
            + beta * thetap * (y.Pi**chi / yp.Pi) ** (1 - eps) * y.Pistar / yp.Pistar * yp.g2
        ),
        eps * y.g1 - (eps - 1) * y.g2,
        y.u * yl.k / y.l - alpha / (1 - alpha) * y.w / y.r * y.muz * y.muI,
        y.mc
        - (1 / (1 - alpha)) ** (1 - alpha) * (1 / alpha) ** alpha * y.w ** (1 - alpha) * y.r**alpha,
        1 - (thetap * (yl.Pi**chi / y.Pi) ** (1 - eps) + (1 - thetap) * y.Pistar ** (1 - eps)),
        y.R / Rbar
        - (yl.R / Rbar) ** p.gammaR
        * ((y.Pi / p.Pibar) ** p.gammaPi * ((y.yd / yl.yd * y.muz) / Lambdax) ** p.gammay)
        ** (1 - p.gammaR)
        * y.mshock,
        y.c
        + y.xinv
        + y.g
        + (1 / (y.muz * y.muI)) * (gamma1 * (y.u - 1) + gamma2 / 2 * (y.u - 1) ** 2) * yl.k
        - y.yd,
        y.yd - (y.muA / y.muz * (y.u * yl.k) ** alpha * y.l ** (1 - alpha) - p.Phi_fc) / y.vp,
        y.vp - (thetap * (yl.Pi**chi / y.Pi) ** (-eps) * yl.vp + (1 - thetap) * y.Pistar ** (-eps)),
        y.k * y.muz * y.muI
        - ((1 - delta) * yl.k + y.muz * y.muI * (1 - kappa / 2 * adj_x**2) * y.xinv),
        y.muz - y.muA ** (1 / (1 - alpha)) * y.muI ** (alpha / (1 - alpha)),
        log(y.d) - (p.rhod * log(yl.d) + p.sig_d * e.e_d),
        log(y.vphi) - (p.rhophi * log(yl.vphi) + p.sig_phi * e.e_phi),
        log(y.muI) - (p.LambdaMu + p.sig_mu * e.e_mu),
        log(y.muA) - (p.LambdaA + p.sig_A * e.e_A),
        log(y.mshock) - p.sig_m * e.e_m,
        log(y.g) - (p.rhog * log(yl.g) + (1 - p.rhog) * log(q_["g_ss"]) + p.sig_g * e.e_g),
        y.ob_muz - log(y.muz),
        y.ob_Pi - log(y.Pi),
        y.ob_R - log(y.R),
        y.ob_dw - (log(y.w) - log(yl.w)),
        y.ob_dy - (log(y.yd) - log(yl.yd)),
        y.ob_l - log(y.l),
        y.ob_mu - log(y.muI),
    ]


def _fvgq20_ss(p):
    q_ = fvgq20_derived(p)
    one = 1.0 + 0.0 * p.beta
    zero = 0.0 * p.beta
    return dict(
        c=q_["c_ss"],
        xinv=q_["x_ss"],
        Pi=p.Pibar * one,
        w=q_["w_ss"],
        R=q_["Rbar"],
        yd=q_["yd_ss"],
        vp=q_["vp_ss"],
        Pistar=q_["Pistar_ss"],
        u=one,
        q=one,
        lam=q_["lam_ss"],
        muz=q_["muz_ss"],
        r=q_["gamma1"],
        l=one,
        mc=q_["mc_ss"],
        g1=q_["g1_ss"],
        g2=q_["g2_ss"],
        k=q_["k_ss"],
        d=one,
        vphi=one,
        muI=q_["muI_ss"],
        muA=q_["muA_ss"],
        mshock=one,
        g=q_["g_ss"],
        ob_muz=q_["LambdaYd"],
        ob_Pi=jnp.log(p.Pibar),
        ob_R=jnp.log(q_["Rbar"]),
        ob_dw=zero,
        ob_dy=zero,
        ob_l=zero,
        ob_mu=p.LambdaMu * one,
    )


def fvgq20() -> jm.Model:
    """``fvgq20.mod``: the medium-scale NK model (31 equations, 11 states, 6 shocks, Σ = I)."""
    return jm.Model(
        _fvgq20_res,
        variables=FVGQ20_VARIABLES,
        shocks=("e_d", "e_phi", "e_mu", "e_A", "e_m", "e_g"),
        params=FVGQ20_PARAMS,
        shock_cov=np.eye(6),
        steady_state=_fvgq20_ss,
        name="fvgq20",
    )


MODELS = {
    "rbc": rbc,
    "rbc_crra": rbc_crra,
    "two_country_bond": two_country_bond,
    "two_country_complete": two_country_complete,
    "sgu2003_soe": sgu2003_soe,
    "fvgq20": fvgq20,
}
