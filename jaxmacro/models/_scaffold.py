"""Scaffolding shared by the paper models: option and parameter checks, cached model builds,
the Devereux–Sutherland portfolio with NaN-on-failure, and present values of innovations."""

from __future__ import annotations

import functools

import equinox as eqx
import jax
import jax.numpy as jnp

from ..internal import RESULTS, Model, dense_solve, nan_unless, portfolio


def check_option(value, allowed: tuple[str, ...], what: str) -> None:
    """Raise a `ValueError` naming the argument `what` unless `value` is one of `allowed`."""
    if value not in allowed:
        raise ValueError(f"{what} must be one of {allowed}, got {value!r}")


def cached_builder(residuals: dict, name: str, **spec):
    """A cached model factory `build(option, params_tuple) -> Model` for a paper model whose
    variants differ by their residual function (`residuals[option]`); `spec` holds the other
    `Model` arguments (variables, shocks, shock_cov, steady_state, equations). One object per
    (option, parameter defaults), so jitted front doors compile once per variant."""

    @functools.cache
    def build(option: str, params: tuple) -> Model:
        return Model(residuals[option], params=dict(params), name=f"{name}_{option}", **spec)

    return build


def check_params(params, defaults: dict) -> None:
    """Raise a `ValueError` listing the parameter names not among the model's `defaults`."""
    unknown = sorted(set(params) - set(defaults))
    if unknown:
        raise ValueError(f"unknown parameter(s) {unknown}; known: {sorted(defaults)}")


def build_params(params: dict, defaults: dict) -> tuple:
    """The hashable (name, float) tuple a cached model builder takes: defaults updated."""
    check_params(params, defaults)
    p = dict(defaults)
    p.update({k: float(v) for k, v in params.items()})
    return tuple(p.items())


def full_params(params, defaults: dict) -> dict:
    """Every parameter as a float array (defaults filled in); values may be traced or batched."""
    p = dict(defaults)
    if params is not None:
        check_params(params, defaults)
        p.update(params)
    return {k: jnp.asarray(v, dtype=jnp.result_type(float)) for k, v in p.items()}


def inverse_rate(p, ybar):
    """α = α̃ / r: the DS input ξ linearises to α r r̂x (the `scale` of the Zhang models)."""
    return jnp.exp(-ybar.r1)


def ds_statistics(model, p, statistics):
    """DS portfolio of a Zhang-type model (excess return rx, differential cd, input ξ, α = α̃/r)
    and `statistics(portfolio_solution, p)`, every inexact array NaN where the point failed."""
    ps = portfolio(
        model,
        p,
        excess_returns=("rx",),
        mu_differential="cd",
        xi_shocks=("xi",),
        scale=inverse_rate,
        throw=False,
    )
    out = statistics(ps, p)
    ok = out.result == RESULTS.successful
    return jax.tree_util.tree_map(
        lambda x: nan_unless(ok, x) if eqx.is_inexact_array(x) else x, out
    )


def discounted_state_sums(sol, X0, q):
    """(I − qA)⁻¹ X0[states]: with it, g_x[v] @ result is Σ_i q^i E_t v_{t+1+i} (the discounted
    sum of expected future values of v after an innovation with impact X0)."""
    s_idx = jnp.asarray(sol.model.structure.states)
    A = sol.g_x[s_idx]
    return dense_solve(jnp.eye(A.shape[0], dtype=A.dtype) - q * A, X0[s_idx])
