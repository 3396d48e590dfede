"""Textbook models used in examples and tests."""

import jax.numpy as jnp

from ..internal import Model


def _rbc_residuals(lag, cur, lead, shocks, p):
    mu = lambda c: c ** (-p.gamma)  # noqa: E731
    return [
        mu(cur.c)
        - p.beta * mu(lead.c) * (p.alpha * jnp.exp(lead.z) * cur.k ** (p.alpha - 1) + 1 - p.delta),
        cur.y - jnp.exp(cur.z) * lag.k**p.alpha,
        cur.k - (1 - p.delta) * lag.k - cur.inv,
        cur.y - cur.c - cur.inv,
        cur.z - p.rho * lag.z - shocks.e,
    ]


def _rbc_steady_state(p):
    k = (p.alpha / (1 / p.beta - 1 + p.delta)) ** (1 / (1 - p.alpha))
    y = k**p.alpha
    inv = p.delta * k
    return {"c": y - inv, "k": k, "y": y, "inv": inv, "z": 0.0 * k}


def _rbc_cov(p):
    return jnp.reshape(p.sigma**2, (1, 1))


def rbc(**params) -> Model:
    """Stochastic growth model (Dynare timing; ``tests/reference/rbc``), CRRA utility.

    Equations: c^{-γ} = β E[c'^{-γ}(α e^{z'} k^{α-1} + 1 - δ)]; y = e^z k_{-1}^α;
    k = (1-δ) k_{-1} + inv; y = c + inv; z = ρ z_{-1} + e, e ~ N(0, σ²).
    Defaults: α = 0.36, β = 0.99, δ = 0.025, ρ = 0.95, σ = 0.01, γ = 1 (log utility).
    """
    defaults = dict(alpha=0.36, beta=0.99, delta=0.025, rho=0.95, sigma=0.01, gamma=1.0)
    defaults.update(params)
    return Model(
        _rbc_residuals,
        variables=("c", "k", "y", "inv", "z"),
        shocks=("e",),
        params=defaults,
        shock_cov=_rbc_cov,  # module-level, so rbc() built twice is the same compiled model
        steady_state=_rbc_steady_state,
        equations=("euler", "technology", "capital", "goods", "tfp"),
        name="rbc",
    )
