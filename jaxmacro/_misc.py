"""Small helpers shared by the front doors (one copy each)."""

from __future__ import annotations

from collections.abc import Mapping

import jax.numpy as jnp

from ._named import to_vector


def arrays(x):
    """Python numbers would be static under `eqx.filter_jit` (one compile per value): make them
    arrays. Dicts are converted value by value; None and callables pass through."""
    if x is None or callable(x):
        return x
    if isinstance(x, Mapping):
        return {k: jnp.asarray(v) for k, v in x.items()}
    return jnp.asarray(x)


def params_vector(model, params):
    """θ in `model.param_names` order from a mapping (defaults filled) or a vector, as floats."""
    theta = model.param_vector(params)
    return jnp.asarray(theta, dtype=jnp.result_type(theta.dtype, float))


def variables_vector(model, values, dtype):
    """A vector in declaration order from a mapping name -> value (every variable needed)."""
    return jnp.asarray(to_vector(model.variables, values, "variable"), dtype=dtype)


def guess_arrays(guess):
    """A user's steady-state guess (mapping) as arrays, or None."""
    return None if guess is None else {k: jnp.asarray(v) for k, v in dict(guess).items()}


def covariance_ok(cov):
    """Inside jit: Σ is finite and symmetric, with non-negative variances and correlations in
    [-1, 1] (every 2 × 2 principal minor non-negative). A full semidefiniteness test is done at
    model build, at the default parameters (`jaxmacro._model.check_covariance`)."""
    if cov.shape[-1] == 0:
        return jnp.asarray(True)
    d = jnp.diagonal(cov)
    scale = jnp.maximum(1.0, jnp.max(jnp.abs(cov)))
    tol = 1e-12 * scale
    finite = jnp.all(jnp.isfinite(cov))
    sym = jnp.all(jnp.abs(cov - cov.T) <= 1e-14 * scale)
    minors = jnp.all(cov**2 <= jnp.outer(d, d) * (1 + 1e-12) + tol * tol)
    return finite & sym & jnp.all(d >= 0) & minors


def nan_unless(ok, x):
    """x where `ok`, NaN elsewhere: the numbers of a failed point are NaN."""
    return jnp.where(ok, x, jnp.nan)


def throw_if_failed(out, throw: bool, results=None):
    """The one `throw` policy: raise the result's message if `throw` and it is not successful.

    Called outside the jitted cores, so ``throw=True`` and ``throw=False`` share one compile.
    `results` is the enumeration `out.result` belongs to (default [`jaxmacro.RESULTS`][]).
    """
    if results is None:
        from ._results import RESULTS as results

    if throw:
        out = out.result.error_if(out, out.result != results.successful)
    return out
