"""Parameters of the Kraay–Loayza–Servén–Ventura (2000) North–South model."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, ArrayLike, Float


def _float(x) -> Array:
    return jnp.asarray(x, dtype=jnp.result_type(float))


class KraayParams(eqx.Module):
    r"""Parameters of the "Country Portfolios" model (NBER WP 7795, July 2000).

    Defaults are the paper's base case (Sec. II.4): $\gamma = 0.2$, $\sigma = 0.05$,
    $\alpha = 0.02$, $\lambda = 0.2$, $\delta = 0.02$, $\theta = 0.04$.

    Technology: net output per unit of capital is $\pi\,dt + \sigma\,d\omega$ with
    $\pi = \theta k^{-\gamma}$ in the North and $\pi^* = \theta^* k^{*\,-\gamma}$ in the South.

    **Arguments:**

    - `gamma`: strength of diminishing returns $\gamma \in [0, 1]$ ($0$ = AK).
    - `sigma`: North production-risk s.d. $\sigma \ge 0$.
    - `alpha`: crisis intensity $\alpha \ge 0$ (normal $\to$ crisis).
    - `lam`: cost $\lambda \in [0, 1)$ of repossessing one unit of equity after default.
    - `delta`: rate of time preference $\delta$ (= consumption/wealth ratio).
    - `theta`: North productivity $\theta > 0$. Under `theta_mode="avg_return_4pct"` it is the
      targeted average return to capital instead (see [`jaxmacro.models.kraay2000.equilibrium`][]).
    - `sigma_star`: South production-risk s.d. (keyword only; defaults to `sigma`).
    - `theta_star`: South productivity (keyword only; defaults to `theta`).
    - `beta`: crisis exit intensity $\beta$ (keyword only). Not given in the paper; it does not
      affect any normal-time quantity (log utility) and is used only by
      [`jaxmacro.models.kraay2000.simulate`][]. Default $0.1$ (ten-year crises).

    Every field is stored as a floating-point JAX array, so a `KraayParams` whose leaves carry a
    leading batch dimension can be passed through `jax.vmap`.
    """

    gamma: Float[Array, ""]
    sigma: Float[Array, ""]
    alpha: Float[Array, ""]
    lam: Float[Array, ""]
    delta: Float[Array, ""]
    theta: Float[Array, ""]
    sigma_star: Float[Array, ""]
    theta_star: Float[Array, ""]
    beta: Float[Array, ""]

    def __init__(
        self,
        gamma: ArrayLike = 0.2,
        sigma: ArrayLike = 0.05,
        alpha: ArrayLike = 0.02,
        lam: ArrayLike = 0.2,
        delta: ArrayLike = 0.02,
        theta: ArrayLike = 0.04,
        *,
        sigma_star: ArrayLike | None = None,
        theta_star: ArrayLike | None = None,
        beta: ArrayLike = 0.1,
    ):
        self.gamma = _float(gamma)
        self.sigma = _float(sigma)
        self.alpha = _float(alpha)
        self.lam = _float(lam)
        self.delta = _float(delta)
        self.theta = _float(theta)
        self.sigma_star = self.sigma if sigma_star is None else _float(sigma_star)
        self.theta_star = self.theta if theta_star is None else _float(theta_star)
        self.beta = _float(beta)


def params_valid(p: KraayParams) -> Array:
    """Traceable check of the parameter domain (used for result codes under jit)."""
    return (
        (p.gamma >= 0)
        & (p.gamma <= 1)
        & (p.sigma >= 0)
        & (p.sigma_star >= 0)
        & (p.alpha >= 0)
        & (p.lam >= 0)
        & (p.lam < 1)
        & (p.theta > 0)
        & (p.theta_star > 0)
        & (p.beta >= 0)
        & jnp.isfinite(p.delta)
    )


def _is_concrete(x) -> bool:
    return not isinstance(x, jax.core.Tracer)


def check_params(p: KraayParams) -> None:
    """Raise `ValueError` for concrete (non-traced) parameters outside the model's domain."""
    checks = [
        ("gamma", lambda v: (v >= 0) & (v <= 1), "0 <= gamma <= 1"),
        ("sigma", lambda v: v >= 0, "sigma >= 0"),
        ("sigma_star", lambda v: v >= 0, "sigma_star >= 0"),
        ("alpha", lambda v: v >= 0, "alpha >= 0"),
        ("lam", lambda v: (v >= 0) & (v < 1), "0 <= lam < 1"),
        ("theta", lambda v: v > 0, "theta > 0"),
        ("theta_star", lambda v: v > 0, "theta_star > 0"),
        ("beta", lambda v: v >= 0, "beta >= 0"),
        ("delta", np.isfinite, "finite delta"),
    ]
    for name, ok, msg in checks:
        value = getattr(p, name)
        if _is_concrete(value):
            v = np.asarray(value)
            if not np.all(ok(v)):
                raise ValueError(f"KraayParams.{name}={v!r} is invalid: the model needs {msg}.")
