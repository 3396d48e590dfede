"""Parameter transforms: maps between a parameter's natural domain and the real line.

Gradient-based calibration ([`jaxmacro.calibrate`][]) optimises over unconstrained values u and
evaluates the model at x = T(u). Each transform is a small frozen `eqx.Module` with

    forward(u) = x    (R -> domain),        inverse(x) = u    (domain -> R),

both elementwise, differentiable and vmappable:

| transform | domain | x = T(u) |
|---|---|---|
| [`jaxmacro.Identity`][] | R | u |
| [`jaxmacro.Positive`][]`(lower=0)` | (lower, ∞) | lower + exp(u) |
| [`jaxmacro.UnitInterval`][] | (0, 1) | 1 / (1 + exp(-u)) |
| [`jaxmacro.Bounded`][]`(lo, hi)` | (lo, hi) | lo + (hi - lo) / (1 + exp(-u)) |

A parameter whose step would leave its economic domain (β > 1, δ < 0) cannot be proposed by the
optimiser at all; failures that remain (no steady state, Blanchard–Kahn) are handled by the
calibration loop. [`jaxmacro.as_transform`][] turns the shorthand ``None`` / ``"real"``,
``"positive"``, ``"unit"`` and ``(lower, upper)`` into transforms.
"""

from __future__ import annotations

import abc

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

__all__ = ["AbstractTransform", "Identity", "Positive", "UnitInterval", "Bounded", "as_transform"]


class AbstractTransform(eqx.Module):
    """A bijection between the real line and a parameter's domain (elementwise)."""

    @abc.abstractmethod
    def forward(self, u):
        """Unconstrained value u -> parameter x."""

    @abc.abstractmethod
    def inverse(self, x):
        """Parameter x -> unconstrained value u (the inverse of `forward`)."""

    @abc.abstractmethod
    def contains(self, x) -> bool:
        """Whether the (concrete) value x lies strictly inside the domain."""


class Identity(AbstractTransform):
    """x = u: no constraint."""

    def forward(self, u):
        return u

    def inverse(self, x):
        return x

    def contains(self, x) -> bool:
        return bool(np.all(np.isfinite(x)))


class Positive(AbstractTransform):
    """x = lower + exp(u), domain (lower, ∞). **Arguments:** `lower` (default 0), static."""

    lower: float = eqx.field(static=True, default=0.0)

    def forward(self, u):
        return self.lower + jnp.exp(u)

    def inverse(self, x):
        return jnp.log(x - self.lower)

    def contains(self, x) -> bool:
        x = np.asarray(x, dtype=float)
        return bool(np.all(np.isfinite(x) & (x > self.lower)))


class UnitInterval(AbstractTransform):
    """x = 1/(1 + e^{-u}) (logistic), domain (0, 1); inverse logit(x) = log x - log(1 - x)."""

    def forward(self, u):
        return jax.nn.sigmoid(u)

    def inverse(self, x):
        return jnp.log(x) - jnp.log1p(-x)

    def contains(self, x) -> bool:
        x = np.asarray(x, dtype=float)
        return bool(np.all(np.isfinite(x) & (x > 0) & (x < 1)))


class Bounded(AbstractTransform):
    """x = lower + (upper - lower)·σ(u), σ the logistic function; domain (lower, upper).

    **Arguments:** `lower`, `upper` (floats, static, lower < upper).
    """

    lower: float = eqx.field(static=True)
    upper: float = eqx.field(static=True)

    def __init__(self, lower: float, upper: float):
        lower, upper = float(lower), float(upper)
        if not (np.isfinite(lower) and np.isfinite(upper) and lower < upper):
            raise ValueError(f"Bounded needs finite lower < upper, got ({lower}, {upper})")
        self.lower = lower
        self.upper = upper

    def forward(self, u):
        return self.lower + (self.upper - self.lower) * jax.nn.sigmoid(u)

    def inverse(self, x):
        s = (x - self.lower) / (self.upper - self.lower)
        return jnp.log(s) - jnp.log1p(-s)

    def contains(self, x) -> bool:
        x = np.asarray(x, dtype=float)
        return bool(np.all(np.isfinite(x) & (x > self.lower) & (x < self.upper)))


def to_natural(transforms, u):
    """θ_i = T_i(u_i): natural values of the free parameters from unconstrained ones."""
    return jnp.stack([t.forward(u[i]) for i, t in enumerate(transforms)])


def to_unconstrained(transforms, x):
    """u_i = T_i⁻¹(θ_i): the inverse of `to_natural`."""
    return jnp.stack([t.inverse(x[i]) for i, t in enumerate(transforms)])


def with_free(fixed, names, x) -> dict:
    """The full parameter mapping: `fixed`, with the free `names` set to the values `x`."""
    p = dict(fixed)
    p.update({n: x[i] for i, n in enumerate(names)})
    return p


def as_transform(spec) -> AbstractTransform:
    """A transform from a shorthand.

    ``None``, ``"real"``, ``"identity"`` -> [`jaxmacro.Identity`][]; ``"positive"`` ->
    [`jaxmacro.Positive`][]; ``"unit"``, ``"unit_interval"`` -> [`jaxmacro.UnitInterval`][];
    a pair ``(lower, upper)`` -> [`jaxmacro.Bounded`][]; a transform is returned unchanged.
    """
    if spec is None:
        return Identity()
    if isinstance(spec, AbstractTransform):
        return spec
    if isinstance(spec, str):
        key = spec.lower().replace("-", "_")
        if key in ("real", "identity", "none"):
            return Identity()
        if key == "positive":
            return Positive()
        if key in ("unit", "unit_interval"):
            return UnitInterval()
        raise ValueError(
            f"unknown transform {spec!r}; use 'real', 'positive', 'unit', a pair (lower, upper) "
            "or a jaxmacro transform object"
        )
    if isinstance(spec, (tuple, list)) and len(spec) == 2:
        return Bounded(*spec)
    raise TypeError(f"cannot interpret {spec!r} as a parameter transform")
