"""Two-country one-good growth model with a single bond (``tests/reference/two_country_bond``)."""

import jax.numpy as jnp

from ..internal import Model


def _residuals(lag, cur, lead, shocks, p):
    mu1, mu2 = cur.c1 ** (-p.gam), cur.c2 ** (-p.gam)
    mu1p, mu2p = lead.c1 ** (-p.gam), lead.c2 ** (-p.gam)
    mpk = lambda z, k: p.alpha * jnp.exp(z) * k ** (p.alpha - 1) + 1 - p.delta  # noqa: E731
    return [
        mu1 - p.beta * mu1p * mpk(lead.z1, cur.k1),
        mu2 - p.beta * mu2p * mpk(lead.z2, cur.k2),
        cur.y1 - jnp.exp(cur.z1) * lag.k1**p.alpha,
        cur.y2 - jnp.exp(cur.z2) * lag.k2**p.alpha,
        cur.k1 - (1 - p.delta) * lag.k1 - cur.inv1,
        cur.k2 - (1 - p.delta) * lag.k2 - cur.inv2,
        cur.z1 - p.rho * lag.z1 - p.rho12 * lag.z2 - shocks.e1,
        cur.z2 - p.rho * lag.z2 - p.rho12 * lag.z1 - shocks.e2,
        mu1 * (cur.q + p.phi * cur.b1) - p.beta * mu1p,
        mu2 * (cur.q - p.phi * cur.b1) - p.beta * mu2p,
        cur.c1 + cur.inv1 + cur.q * cur.b1 + p.phi / 2 * cur.b1**2 - cur.y1 - lag.b1,
        cur.c2 + cur.inv2 - cur.q * cur.b1 + p.phi / 2 * cur.b1**2 - cur.y2 + lag.b1,
        cur.nx1 - (cur.y1 - cur.c1 - cur.inv1),
    ]


def _steady_state(p):
    k = (p.alpha / (1 / p.beta - 1 + p.delta)) ** (1 / (1 - p.alpha))
    y = k**p.alpha
    inv = p.delta * k
    c = y - inv
    zero = 0.0 * k
    return dict(
        c1=c,
        c2=c,
        k1=k,
        k2=k,
        inv1=inv,
        inv2=inv,
        y1=y,
        y2=y,
        z1=zero,
        z2=zero,
        b1=zero,
        q=p.beta + zero,
        nx1=zero,
    )


def _cov(p):
    v = p.sigma**2
    return jnp.array([[v, p.corr12 * v], [p.corr12 * v, v]])


def two_country_bond(**params) -> Model:
    """Two-country growth model, incomplete markets (one real bond), CRRA utility.

    Each country i: c_i^{-γ} = β E[c_i'^{-γ}(α e^{z_i'} k_i^{α-1} + 1 - δ)], y_i = e^{z_i}
    k_{i,-1}^α, k_i = (1-δ)k_{i,-1} + inv_i; TFP z_i = ρ z_{i,-1} + ρ12 z_{j,-1} + e_i with
    corr(e_1, e_2) = corr12. Bond price q, position b1 (country 2 holds -b1), adjustment cost
    (φ/2) b1² (the Schmitt-Grohé–Uribe closing device): c_i^{-γ}(q ± φ b1) = β E c_i'^{-γ};
    budgets c_i + inv_i ± q b1 + (φ/2) b1² = y_i ± b1_{-1}; nx1 = y1 - c1 - inv1.
    Defaults: α = .36, β = .99, δ = .025, ρ = .95, ρ12 = .025, σ = .01, corr12 = .25, γ = 2,
    φ = .001.
    """
    defaults = dict(
        alpha=0.36,
        beta=0.99,
        delta=0.025,
        rho=0.95,
        rho12=0.025,
        sigma=0.01,
        corr12=0.25,
        gam=2.0,
        phi=0.001,
    )
    defaults.update(params)
    return Model(
        _residuals,
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
        params=defaults,
        shock_cov=_cov,
        steady_state=_steady_state,
        equations=(
            "euler_k1",
            "euler_k2",
            "tech1",
            "tech2",
            "capital1",
            "capital2",
            "tfp1",
            "tfp2",
            "euler_b1",
            "euler_b2",
            "budget1",
            "budget2",
            "nx1",
        ),
        name="two_country_bond",
    )
