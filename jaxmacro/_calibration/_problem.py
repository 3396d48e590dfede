"""The calibration problem: parameters <-> unconstrained vector, moments, loss, and its checks."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array

from .._results import RESULTS
from ._transforms import (
    AbstractTransform,
    as_transform,
    to_natural,
    to_unconstrained,
    with_free,
)

# ------------------------------------------------------------------------------------------
# The problem: parameters <-> unconstrained vector, moments, loss
# ------------------------------------------------------------------------------------------


RESULT_ITEM = type(RESULTS.successful)  # the class of enumeration members (RESULTS, optx.RESULTS)


def is_ok(result):
    """Boolean 'successful' for a [`jaxmacro.RESULTS`][] (or `optimistix.RESULTS`) member, a
    boolean, or None."""
    if result is None:
        return jnp.asarray(True)
    if isinstance(result, RESULT_ITEM):
        try:
            return result == RESULTS.successful
        except ValueError:  # a member of a parent enumeration (optimistix.RESULTS)
            return RESULTS.promote(result) == RESULTS.successful
    return jnp.asarray(result, dtype=bool)


class Problem(eqx.Module):
    moment_fn: Callable = eqx.field(static=True)
    free: tuple[str, ...] = eqx.field(static=True)
    transforms: tuple[AbstractTransform, ...]
    moment_names: tuple[str, ...] | None = eqx.field(static=True)
    fixed: dict
    targets: Array
    weights: Array

    def natural(self, u):
        return to_natural(self.transforms, u)

    def unconstrained(self, x):
        return to_unconstrained(self.transforms, x)

    def params(self, x) -> dict:
        return with_free(self.fixed, self.free, x)

    def evaluate(self, x):
        """Moment vector, raw result and ok flag at natural free values x."""
        out = self.moment_fn(self.params(x))
        if isinstance(out, tuple) and len(out) == 2:
            mom, result = out
        else:
            mom, result = out, None
        if self.moment_names is not None:
            if not isinstance(mom, Mapping):
                raise TypeError(
                    "targets were given by name, so `moment_fn` must return a mapping "
                    f"name -> moment; got {type(mom).__name__}"
                )
            missing = [k for k in self.moment_names if k not in mom]
            if missing:
                raise ValueError(
                    f"moment_fn returns no moment(s) {missing}; it returns {sorted(mom)}"
                )
            dt = self.targets.dtype
            m = jnp.stack([jnp.asarray(mom[k], dtype=dt) for k in self.moment_names])
        else:
            if isinstance(mom, Mapping):
                raise TypeError("`moment_fn` returns a mapping, so give the targets as a mapping")
            m = jnp.ravel(jnp.asarray(mom, dtype=self.targets.dtype))
            if m.shape != self.targets.shape:
                raise ValueError(
                    f"moment_fn returns {m.shape[0]} moments but {self.targets.shape[0]} targets "
                    "were given"
                )
        ok = is_ok(result) & jnp.all(jnp.isfinite(m))
        return m, result, ok

    def loss_of(self, m):
        e = m - self.targets
        if self.weights.ndim == 1:
            return 0.5 * jnp.sum(self.weights * e**2)
        return 0.5 * e @ self.weights @ e

    def safe_loss(self, u):
        """L(T(u)), or +∞ where the model fails (used by the optimiser and the line search)."""
        m, _, ok = self.evaluate(self.natural(u))
        loss = self.loss_of(m)
        ok = ok & jnp.isfinite(loss)
        return jnp.where(ok, loss, jnp.inf)


def prepare(moment_fn, targets, params0, free, transforms, weights, dtype):
    if not callable(moment_fn):
        raise TypeError("`moment_fn` must be a function params -> (moments, result)")
    if not isinstance(params0, Mapping):
        raise TypeError(
            "`params0` must be a mapping name -> value (every parameter moment_fn needs)"
        )
    if free is None:
        raise ValueError("name the free parameters: free=('beta', ...)")
    free = (free,) if isinstance(free, str) else tuple(free)
    if not free:
        raise ValueError("`free` is empty: nothing to calibrate")
    if len(set(free)) != len(free):
        raise ValueError(f"duplicate names in free={free}")
    unknown = [n for n in free if n not in params0]
    if unknown:
        raise ValueError(
            f"free parameter(s) {unknown} have no value in params0 ({sorted(params0)})"
        )
    transforms = dict(transforms or {})
    bad = [n for n in transforms if n not in free]
    if bad:
        raise ValueError(f"transforms given for {bad}, which are not free parameters {free}")
    tr = tuple(as_transform(transforms.get(n)) for n in free)

    if isinstance(targets, Mapping):
        names = tuple(targets)
        tvec = np.asarray([float(targets[k]) for k in names], dtype=dtype)
        moment_names = names
    else:
        tvec = np.ravel(np.asarray(targets, dtype=dtype))
        names = tuple(f"m{i}" for i in range(tvec.size))
        moment_names = None
    if tvec.size == 0:
        raise ValueError("no targets")
    if not np.all(np.isfinite(tvec)):
        raise ValueError("targets must be finite")
    if weights is None:
        wvec = 1.0 / np.where(tvec != 0, tvec, 1.0) ** 2
    elif isinstance(weights, Mapping):
        if moment_names is None:
            raise ValueError("weights by name need targets by name")
        unknown = [k for k in weights if k not in names]
        if unknown:
            raise ValueError(f"weights for unknown moment(s) {unknown}")
        default = 1.0 / np.where(tvec != 0, tvec, 1.0) ** 2
        wvec = np.asarray([float(weights.get(k, default[i])) for i, k in enumerate(names)], dtype)
    else:
        wvec = np.asarray(weights, dtype=dtype)
        if wvec.ndim == 0:
            wvec = np.full(tvec.shape, float(wvec), dtype)
        if wvec.shape not in (tvec.shape, (tvec.size, tvec.size)):
            raise ValueError(
                f"weights must have shape ({tvec.size},) or ({tvec.size}, {tvec.size}), got "
                f"{wvec.shape}"
            )
    if not np.all(np.isfinite(wvec)) or (wvec.ndim == 1 and np.any(wvec < 0)):
        raise ValueError("weights must be finite and non-negative")

    fixed = {k: jnp.asarray(v, dtype=dtype) for k, v in params0.items() if k not in free}
    problem = Problem(
        moment_fn=moment_fn,
        free=free,
        transforms=tr,
        moment_names=moment_names,
        fixed=fixed,
        targets=jnp.asarray(tvec),
        weights=jnp.asarray(wvec),
    )
    meta = {
        "free": np.asarray(free),
        "targets": tvec,
        "weights": wvec,
        "fixed_names": np.asarray(sorted(fixed), dtype=str),
        "fixed_values": np.asarray([np.asarray(fixed[k]) for k in sorted(fixed)], dtype=dtype),
    }
    return problem, names, meta


def start_vector(problem: Problem, x0: np.ndarray):
    for i, (n, t) in enumerate(zip(problem.free, problem.transforms)):
        if not t.contains(x0[..., i]):
            raise ValueError(
                f"starting value of {n!r} ({x0[..., i]}) is outside the domain of its transform "
                f"{type(t).__name__}"
            )
    return jax.vmap(problem.unconstrained)(x0) if x0.ndim == 2 else problem.unconstrained(x0)
