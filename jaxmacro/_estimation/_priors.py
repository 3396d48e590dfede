"""Prior distributions in Dynare's shapes and parametrisation (mean and standard deviation).

| class | Dynare | parameters | support | default transform |
|---|---|---|---|---|
| `Normal(mean, std)` | `normal_pdf` | mean, std | R | identity |
| `Beta(mean, std, lower=0, upper=1)` | `beta_pdf` | mean, std (of the generalised beta on [lower, upper]) | (lower, upper) | logistic |
| `Gamma(mean, std, lower=0)` | `gamma_pdf` | mean, std (of x) | (lower, ∞) | log |
| `InvGamma(mean, std=inf, lower=0)` | `inv_gamma_pdf` (type 1) | mean, std of x; std=inf gives ν = 2 | (lower, ∞) | log |
| `Uniform(lower, upper)` | `uniform_pdf` | bounds | (lower, upper) | logistic |

Each is an `eqx.Module` with `logpdf(x)` (differentiable, −∞ outside the support), `mean`,
`std` and `transform` (a [`jaxmacro.AbstractTransform`][] onto the support, used by
[`jaxmacro.estimate`][] and [`jaxmacro.sample_posterior`][]). Shape parameters are computed
from (mean, std) at construction, with Dynare's formulas (``inverse_gamma_specification`` for the
inverse gamma).
"""

from __future__ import annotations

import math

import equinox as eqx
import jax.numpy as jnp
import numpy as np

# --- library-internal imports (one block, for the merge) ---------------------------------
from .._calibration import AbstractTransform, Bounded, Identity, Positive

# ------------------------------------------------------------------------------------------

__all__ = ["AbstractPrior", "Normal", "Beta", "Gamma", "InvGamma", "Uniform"]


class AbstractPrior(eqx.Module):
    def logpdf(self, x):
        raise NotImplementedError

    @property
    def transform(self) -> AbstractTransform:
        raise NotImplementedError


def _check(mean, std):
    mean, std = float(mean), float(std)
    if not (np.isfinite(mean) and std > 0):
        raise ValueError(f"prior needs a finite mean and a positive std, got ({mean}, {std})")
    return mean, std


class Normal(AbstractPrior):
    """Normal prior N(mean, std²)."""

    mean: float = eqx.field(static=True)
    std: float = eqx.field(static=True)

    def __init__(self, mean, std):
        self.mean, self.std = _check(mean, std)

    def logpdf(self, x):
        z = (x - self.mean) / self.std
        return -0.5 * z**2 - math.log(self.std) - 0.5 * math.log(2 * math.pi)

    @property
    def transform(self):
        return Identity()


class Beta(AbstractPrior):
    """Generalised beta on [lower, upper] with the given mean and std (Dynare's ``beta_pdf``)."""

    mean: float = eqx.field(static=True)
    std: float = eqx.field(static=True)
    lower: float = eqx.field(static=True)
    upper: float = eqx.field(static=True)
    a: float = eqx.field(static=True)
    b: float = eqx.field(static=True)

    def __init__(self, mean, std, lower=0.0, upper=1.0):
        self.mean, self.std = _check(mean, std)
        self.lower, self.upper = float(lower), float(upper)
        w = self.upper - self.lower
        mu, s = (self.mean - self.lower) / w, self.std / w
        k = mu * (1 - mu) / s**2 - 1
        if not (0 < mu < 1 and k > 0):
            raise ValueError(
                f"no beta distribution on [{lower}, {upper}] has mean {mean} and std {std}"
            )
        self.a, self.b = mu * k, (1 - mu) * k

    def logpdf(self, x):
        w = self.upper - self.lower
        y = (x - self.lower) / w
        inside = (y > 0) & (y < 1)
        ys = jnp.where(inside, y, 0.5)
        lp = (
            (self.a - 1) * jnp.log(ys)
            + (self.b - 1) * jnp.log1p(-ys)
            - (math.lgamma(self.a) + math.lgamma(self.b) - math.lgamma(self.a + self.b))
            - math.log(w)
        )
        return jnp.where(inside, lp, -jnp.inf)

    @property
    def transform(self):
        return Bounded(self.lower, self.upper)


class Gamma(AbstractPrior):
    """Gamma prior on (lower, ∞) with the given mean and std (Dynare's ``gamma_pdf``)."""

    mean: float = eqx.field(static=True)
    std: float = eqx.field(static=True)
    lower: float = eqx.field(static=True)
    k: float = eqx.field(static=True)
    theta: float = eqx.field(static=True)

    def __init__(self, mean, std, lower=0.0):
        self.mean, self.std = _check(mean, std)
        self.lower = float(lower)
        m = self.mean - self.lower
        if m <= 0:
            raise ValueError("gamma prior: the mean must exceed the lower bound")
        self.k, self.theta = m**2 / self.std**2, self.std**2 / m

    def logpdf(self, x):
        y = x - self.lower
        inside = y > 0
        ys = jnp.where(inside, y, 1.0)
        lp = (
            (self.k - 1) * jnp.log(ys)
            - ys / self.theta
            - math.lgamma(self.k)
            - self.k * math.log(self.theta)
        )
        return jnp.where(inside, lp, -jnp.inf)

    @property
    def transform(self):
        return Positive(self.lower)


def _ig1_moments(s, nu):
    m = math.sqrt(s / 2) * math.exp(math.lgamma((nu - 1) / 2) - math.lgamma(nu / 2))
    var = s / (nu - 2) - m**2 if nu > 2 else math.inf
    return m, var


def inverse_gamma_specification(mean, std):
    """(s, ν) of Dynare's type-1 inverse gamma with the given mean and std (std=inf: ν = 2)."""
    if not np.isfinite(std):
        nu = 2.0
        return 2 * mean**2 * math.exp(2 * (math.lgamma(nu / 2) - math.lgamma((nu - 1) / 2))), nu
    # s is eliminated by the mean, s = 2 mean² (Γ(ν/2)/Γ((ν-1)/2))², so var/mean² depends on
    # ν alone and decreases in ν: bisection on ν > 2.
    target = (std / mean) ** 2

    def ratio(nu):
        s = 2 * mean**2 * math.exp(2 * (math.lgamma(nu / 2) - math.lgamma((nu - 1) / 2)))
        m, var = _ig1_moments(s, nu)
        return var / m**2

    lo, hi = 2.0 + 1e-12, 1e7
    if not (ratio(hi) < target < ratio(lo)):
        raise ValueError(f"no type-1 inverse gamma has mean {mean} and std {std}")
    for _ in range(300):
        mid = math.sqrt(lo * hi) if hi / lo > 1.5 else 0.5 * (lo + hi)
        if ratio(mid) > target:
            lo = mid
        else:
            hi = mid
    nu = 0.5 * (lo + hi)
    return 2 * mean**2 * math.exp(2 * (math.lgamma(nu / 2) - math.lgamma((nu - 1) / 2))), nu


class InvGamma(AbstractPrior):
    """Type-1 inverse gamma (Dynare's ``inv_gamma_pdf``), the usual prior of a shock std.

    Density ∝ x^{-(ν+1)} exp(-s / (2x²)) on (lower, ∞); (s, ν) from (mean, std) as Dynare's
    ``inverse_gamma_specification``; ``std=inf`` (Dynare's ``inv_gamma_pdf, m, inf``) gives ν = 2.
    """

    mean: float = eqx.field(static=True)
    std: float = eqx.field(static=True)
    lower: float = eqx.field(static=True)
    s: float = eqx.field(static=True)
    nu: float = eqx.field(static=True)

    def __init__(self, mean, std=math.inf, lower=0.0):
        mean, std, lower = float(mean), float(std), float(lower)
        if not (mean > lower and std > 0):
            raise ValueError(
                f"inverse gamma prior needs mean > lower and std > 0, got ({mean}, {std})"
            )
        self.mean, self.std, self.lower = mean, std, lower
        self.s, self.nu = inverse_gamma_specification(mean - lower, std)

    def logpdf(self, x):
        y = x - self.lower
        inside = y > 0
        ys = jnp.where(inside, y, 1.0)
        lp = (
            math.log(2)
            - math.lgamma(self.nu / 2)
            + (self.nu / 2) * math.log(self.s / 2)
            - (self.nu + 1) * jnp.log(ys)
            - self.s / (2 * ys**2)
        )
        return jnp.where(inside, lp, -jnp.inf)

    @property
    def transform(self):
        return Positive(self.lower)


class Uniform(AbstractPrior):
    """Uniform prior on (lower, upper)."""

    lower: float = eqx.field(static=True)
    upper: float = eqx.field(static=True)

    def __init__(self, lower, upper):
        self.lower, self.upper = float(lower), float(upper)
        if not self.lower < self.upper:
            raise ValueError("uniform prior needs lower < upper")

    @property
    def mean(self):
        return 0.5 * (self.lower + self.upper)

    @property
    def std(self):
        return (self.upper - self.lower) / math.sqrt(12)

    def logpdf(self, x):
        inside = (x > self.lower) & (x < self.upper)
        return jnp.where(inside, -math.log(self.upper - self.lower), -jnp.inf)

    @property
    def transform(self):
        return Bounded(self.lower, self.upper)
