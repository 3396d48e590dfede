"""Plumbing shared by the portfolio methods: name checks, loadings, scaling, the rank test."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from .._misc import check_qz_criterium, guess_arrays, params_vector
from .._model import Model
from .._named import Named
from .._solution import Solution

SINGULAR_RTOL = 1e-12  # reciprocal condition number below which a portfolio matrix is singular


def solver_options(guess, steady_state_solver, qz_criterium, qz_max_steps, max_steps) -> dict:
    """The options of [`jaxmacro.solve`][] a portfolio front door passes on (same names, same
    meaning in every front door)."""
    return dict(
        guess=guess_arrays(guess),
        steady_state_solver=steady_state_solver,
        qz_criterium=check_qz_criterium(qz_criterium),
        qz_max_steps=qz_max_steps,
        max_steps=max_steps,
    )


def rcond(X):
    """Reciprocal condition number (smallest over largest singular value) of X; 0 if X = 0.

    The rank test of every portfolio matrix inverted (not differentiated).
    """
    s = jnp.linalg.svd(jax.lax.stop_gradient(X), compute_uv=False)
    return jnp.where(s[0] > 0, s[-1] / jnp.where(s[0] > 0, s[0], 1.0), 0.0)


def names(x, what) -> tuple[str, ...]:
    """A name or a non-empty sequence of names as a tuple (`what` names the argument)."""
    if isinstance(x, str):
        return (x,)
    x = tuple(x)
    if not x or not all(isinstance(v, str) for v in x):
        raise ValueError(f"`{what}` must be a name or a non-empty sequence of names, got {x!r}")
    return x


def check(model: Model, excess_returns, mu_differential, xi_shocks):
    """Validate the names a portfolio method is given; returns (rx, mu, xi, eps) as tuples,
    eps being the fundamental shocks (all shocks except ξ)."""
    rx = names(excess_returns, "excess_returns")
    mu = names(mu_differential, "mu_differential")
    xi = names(xi_shocks, "xi_shocks")
    for v in rx + mu:
        if v not in model.variables:
            raise ValueError(f"unknown variable {v!r}; declared: {', '.join(model.variables)}")
    for s in xi:
        if s not in model.shocks:
            raise ValueError(f"unknown shock {s!r}; declared: {', '.join(model.shocks)}")
    if len(mu) != len(xi):
        raise ValueError(
            f"one marginal-utility differential per ξ shock (country 1..N-1) is needed: got "
            f"{len(mu)} differential(s) {mu} and {len(xi)} ξ shock(s) {xi}"
        )
    if len(set(rx)) != len(rx) or len(set(mu)) != len(mu) or len(set(xi)) != len(xi):
        raise ValueError("duplicate names in excess_returns, mu_differential or xi_shocks")
    eps = tuple(s for s in model.shocks if s not in xi)
    if not eps:
        raise ValueError("the model has no shocks other than the ξ shocks: no risk to hedge")
    return rx, mu, xi, eps


def two_countries_only(mu, xi, method: str):
    """Refuse N > 2 countries for a method that supports two (one differential, one ξ)."""
    if len(mu) != 1:
        raise NotImplementedError(
            f"{method} supports two countries (one marginal-utility differential and one ξ "
            f"shock); got differentials {mu} and ξ shocks {xi}"
        )


def position_params(model: Model, alpha_param, rx) -> tuple[str, ...]:
    """Validate the position parameter(s) of an α̃-augmented model: one distinct declared
    parameter per excess return."""
    alpha_names = names(alpha_param, "alpha_param")
    for a in alpha_names:
        if a not in model.param_names:
            raise ValueError(
                f"unknown position parameter {a!r}; declared: {', '.join(model.param_names)}. "
                "Portfolio dynamics need the α̃-augmented model: write the exact portfolio "
                "income with a position parameter (e.g. Ȳ(β·atil·(e^{r1} - e^{r2}) + ξ)) and "
                "pass its name as `alpha_param`."
            )
    if len(alpha_names) != len(rx) or len(set(alpha_names)) != len(alpha_names):
        raise ValueError(
            f"one distinct position parameter per excess return is needed: got {alpha_names} "
            f"for {rx}"
        )
    return alpha_names


def set_params(model: Model, params, idx, values):
    """θ (the vector of `params`) with the entries at `idx` set to `values`."""
    theta = params_vector(model, params)
    return theta.at[idx].set(jnp.asarray(values, dtype=theta.dtype))


class Indices:
    """Positions of the portfolio names in a model (static ints, as index arrays)."""

    def __init__(self, model: Model, rx, mu, xi, eps):
        vi = {v: i for i, v in enumerate(model.variables)}
        si = {s: i for i, s in enumerate(model.shocks)}
        self.rx = jnp.asarray([vi[v] for v in rx])
        self.mu = jnp.asarray([vi[v] for v in mu])
        self.xi = jnp.asarray([si[s] for s in xi])
        self.eps = jnp.asarray([si[s] for s in eps])


def impact_loadings(sol: Solution, idx: Indices):
    """(R1, R2, D1, D2, Σ): the impact loadings of the excess returns (R) and of the
    marginal-utility differentials (D) on ξ (1) and on the fundamental shocks (2), read off g_u,
    and the covariance Σ of the fundamental shocks."""
    g_u = sol.g_u
    R1, R2 = g_u[idx.rx][:, idx.xi], g_u[idx.rx][:, idx.eps]
    D1, D2 = g_u[idx.mu][:, idx.xi], g_u[idx.mu][:, idx.eps]
    sigma = sol.shock_cov[idx.eps][:, idx.eps]
    return R1, R2, D1, D2, sigma


def scale_value(scale, sol: Solution):
    """`scale` (None = 1, a number, or scale(params, steady_state)) at the solution."""
    if scale is None:
        return jnp.asarray(1.0, dtype=sol.g_u.dtype)
    if callable(scale):
        p = Named(sol.model.param_names, sol.params, "parameter")
        ybar = Named(sol.model.variables, sol.steady_state, "variable")
        return jnp.asarray(scale(p, ybar), dtype=sol.g_u.dtype)
    return jnp.asarray(scale, dtype=sol.g_u.dtype)
