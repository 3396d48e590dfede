"""Small helpers shared by the front doors (one copy each)."""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping

import jax
import jax.numpy as jnp
import numpy as np

from ._named import to_vector


def arrays(x):
    """Python numbers would be static under `eqx.filter_jit` (one compile per value): make them
    arrays. Dicts are converted value by value; None and callables pass through."""
    if x is None or callable(x):
        return x
    if isinstance(x, Mapping):
        return {k: jnp.asarray(v) for k, v in x.items()}
    return jnp.asarray(x)


ENABLE_X64 = 'jax.config.update("jax_enable_x64", True)'


def require_float64(dtype, where: str) -> None:
    """Refuse to compute in single (or half) precision, with the one line that enables float64.

    Perturbation solvers, the spectral Blanchard–Kahn count and the steady-state tolerances are
    designed for float64; in float32 correct models fail with misleading diagnoses (a root
    finder that "did not converge", an analytic steady state that "is wrong"). The library
    never changes JAX's global configuration itself, so the user's program must.
    """
    dtype = np.dtype(dtype)
    if not np.issubdtype(dtype, np.floating) or dtype.itemsize >= 8:
        return
    if not jax.config.read("jax_enable_x64"):
        raise TypeError(
            f"{where}: JAX is computing in {dtype} because float64 is disabled; jaxmacro needs "
            f"float64. Enable it once at the start of your program, before any JAX array is "
            f"created: {ENABLE_X64}"
        )
    raise TypeError(
        f"{where}: the parameters are {dtype} arrays; jaxmacro needs float64. Pass float64 (or "
        f"Python float) values."
    )


def check_qz_criterium(qz_criterium) -> float:
    """`qz_criterium` as a float, validated: a finite number in (0, 2).

    Eigenvalues with modulus up to it count as stable (Blanchard–Kahn) and those from
    2 − qz_criterium as unit roots (moments). Dynare's default is 1 + 1e-6 (unit roots
    stable); 1 − 1e-6 (Dynare's default when estimating with ``lik_init=1``) counts them
    explosive. Zero, negative or non-finite values, or values of 2 and more (every root a unit
    root), mean nothing: `ValueError` naming the option.
    """
    if isinstance(qz_criterium, (bool, str)) or not isinstance(
        qz_criterium, (numbers.Real, np.floating, np.integer)
    ):
        raise TypeError(
            f"qz_criterium must be a number in (0, 2) (default 1 + 1e-6), got {qz_criterium!r}"
        )
    value = float(qz_criterium)
    if not (math.isfinite(value) and 0.0 < value < 2.0):
        raise ValueError(
            f"qz_criterium must be a finite number in (0, 2) (Dynare's default is 1 + 1e-6: "
            f"eigenvalues with modulus up to it count as stable), got {qz_criterium!r}"
        )
    return value


def check_count(value, name: str, minimum: int = 0) -> int:
    """A static integer option (periods, lags, burn-in) as an int, validated: an integer >=
    `minimum`, else `TypeError`/`ValueError` naming the option (JAX would fail deep inside the
    compiler on a negative length)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"`{name}` must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"`{name}` must be an integer >= {minimum}, got {value}")
    return int(value)


def params_vector(model, params):
    """θ in `model.param_names` order from a mapping (defaults filled) or a vector, as floats
    (float64 required: see [`require_float64`][])."""
    theta = model.param_vector(params)
    theta = jnp.asarray(theta, dtype=jnp.result_type(theta.dtype, float))
    require_float64(theta.dtype, f"model {model.name!r}")
    return theta


def params_array(model, params):
    """`params` as one vector in `model.param_names` order (missing names take their defaults),
    made before a jitted core is entered, so that the core compiles once per model whatever form
    `params` takes: None, any subset of names, Python, NumPy or JAX numbers, or a vector.

    Concrete numbers are assembled on the host with NumPy (no device dispatch); traced ones (the
    caller's `jit`, `vmap` or `grad`) with `jax.numpy`. Float64 is checked in the core.
    """
    if params is None:
        return np.asarray(model.param_defaults, dtype=np.float64)
    if isinstance(params, Mapping) and not any(
        isinstance(v, jax.core.Tracer) for v in params.values()
    ):
        fill = model.default_params
        return to_vector(model.param_names, params, "parameter", fill=fill, xp=np)
    return arrays(params)


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
