"""Parameters and closed-form deterministic steady state of the Evans–Hnatkovska (2005) model."""

from __future__ import annotations

import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array, ArrayLike, Float


def _float(x) -> Array:
    return jnp.asarray(x, dtype=jnp.result_type(float))


class EHParams(eqx.Module):
    r"""Parameters of the FA / PI / FI model (paper Table 1).

    **Arguments:**

    - `beta`: quarterly discount factor (0.99).
    - `delta`: quarterly depreciation (0.02).
    - `theta`: capital exponent in traded production $Y = Z K^\theta$ (0.36).
    - `elasticity`: intratemporal elasticity $1/(1-\phi)$ between t and n goods (0.74).
    - `lambda_n`: CES weight on nontraded goods (0.5); the traded weight is
      $\lambda_t = 1 - \lambda_n$ (the paper's robustness case is λn = 0.75, λt = 0.25).
    - `rho_t`, `rho_n`: AR(1) coefficients of log traded / nontraded productivity (0.78, 0.99).
    - `sigma`: standard deviation of each of the four independent innovations (0.01).

    The nontraded scale κ is not a parameter: it is the steady-state tradable dividend
    D̄ = K̄^θ - δK̄, a function of (β, δ, θ) only, so it stays fixed when λ changes.
    Every field is a float array; a batch of `EHParams` (leading axis) goes through `jax.vmap`.
    """

    beta: Float[Array, ""]
    delta: Float[Array, ""]
    theta: Float[Array, ""]
    elasticity: Float[Array, ""]
    lambda_n: Float[Array, ""]
    rho_t: Float[Array, ""]
    rho_n: Float[Array, ""]
    sigma: Float[Array, ""]

    def __init__(
        self,
        beta: ArrayLike = 0.99,
        delta: ArrayLike = 0.02,
        theta: ArrayLike = 0.36,
        elasticity: ArrayLike = 0.74,
        lambda_n: ArrayLike = 0.5,
        rho_t: ArrayLike = 0.78,
        rho_n: ArrayLike = 0.99,
        sigma: ArrayLike = 0.01,
    ):
        self.beta = _float(beta)
        self.delta = _float(delta)
        self.theta = _float(theta)
        self.elasticity = _float(elasticity)
        self.lambda_n = _float(lambda_n)
        self.rho_t = _float(rho_t)
        self.rho_n = _float(rho_n)
        self.sigma = _float(sigma)

    def as_dict(self) -> dict[str, Array]:
        return {k: getattr(self, k) for k in PARAM_NAMES}


PARAM_NAMES = ("beta", "delta", "theta", "elasticity", "lambda_n", "rho_t", "rho_n", "sigma")


def steady_state(p) -> dict[str, Array]:
    """Closed-form symmetric deterministic steady state, in levels.

    `p` is an [`EHParams`][] or anything with the same attributes (e.g. a `Named`). Returns K,
    Y (traded output), D (traded dividend = C^t), kappa, Qn, E (expenditure), gamma (traded
    expenditure share), W (cum-dividend wealth), Wc = βW, P (t-equity price), V (n-equity value
    Q^n P^n), R (gross rate 1/β), gdp = Y + Q^n κ, gdp_tradables_only = Y + κ, phi, lambda_t.
    """
    beta, delta, theta = p.beta, p.delta, p.theta
    phi = 1.0 - 1.0 / p.elasticity
    lam_n = p.lambda_n
    lam_t = 1.0 - lam_n
    K = (theta / (1.0 / beta - 1.0 + delta)) ** (1.0 / (1.0 - theta))
    Y = K**theta
    D = Y - delta * K
    kappa = D
    Qn = (lam_n / lam_t) ** (1.0 - phi) * (kappa / D) ** (phi - 1.0)
    E = D + Qn * kappa
    W = E / (1.0 - beta)
    P = beta * D / (1.0 - beta)
    V = beta * Qn * kappa / (1.0 - beta)
    return dict(
        K=K,
        Y=Y,
        D=D,
        kappa=kappa,
        Qn=Qn,
        E=E,
        gamma=D / E,
        W=W,
        Wc=beta * W,
        P=P,
        V=V,
        R=1.0 / beta,
        gdp=Y + Qn * kappa,
        gdp_tradables_only=Y + kappa,
        phi=phi,
        lambda_t=lam_t,
    )


def analytic_alpha(p, config: str):
    """Analytic zero-order shares of home and foreign wealth W^c.

    Order: [home t-equity, foreign t-equity, home n-equity, foreign n-equity]; bond share is
    1 - sum. fa and pi: (γ, 0, 1-γ, 0) / (0, γ, 0, 1-γ); fi: (γ/2, γ/2, 1-γ, 0) / mirror.
    The n-share 1-γ = λn^{1-φ} / (λn^{1-φ} + λt^{1-φ}) when C̄^n = C̄^t.
    """
    g = steady_state(p)["gamma"]
    z = 0.0 * g
    if config in ("fa", "pi"):
        return jnp.stack([g, z, 1 - g, z]), jnp.stack([z, g, z, 1 - g])
    if config == "fi":
        return jnp.stack([g / 2, g / 2, 1 - g, z]), jnp.stack([g / 2, g / 2, z, 1 - g])
    raise ValueError(f"config must be 'fa', 'pi' or 'fi', got {config!r}")
