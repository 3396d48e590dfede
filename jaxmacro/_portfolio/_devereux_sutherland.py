"""Country portfolios: the Devereux–Sutherland (2011) zero-order portfolio.

The steady-state portfolio of a model with several assets is indeterminate at first order. Devereux
and Sutherland (2011, JEEA, "Country portfolios in open economy macro models") pin it down by
taking the portfolio Euler conditions to second order and the rest of the model to first order,
in which portfolio income only enters as α̃'·r̂x. The user writes the model with that income
replaced by an exogenous, zero-variance, i.i.d. input ξ in the home budget constraint
(``... + ξ_t``), and names

- the k = N_assets - 1 excess returns r̂x (each asset over a numeraire asset),
- the marginal-utility differential D (e.g. ρ(ĉ - ĉ*) - q̂; with two countries a single variable),
- the shock ξ.

From the first-order solution (``jm.solve``; unit roots count as stable), the impact responses
(rows of g_u) give

    r̂x = R1 ξ + R2 ε,      D = D1 ξ + D2 ε,                       (ε: the other shocks, cov Σ)

Imposing ξ = α̃'r̂x (so ξ = H ε with H = (1 - α̃'R1)⁻¹α̃'R2) and the second-order portfolio
condition E[D r̂x'] = 0 gives

    α̃ = (R2 Σ D2' R1' - R2 Σ R2' D1)⁻¹ R2 Σ D2'.

**Several countries.** With N countries, country i < N has its own input ξ_i and its own
differential D_i = MU_i - MU_N, so ξ, D are (N-1)-vectors, R1 is k x (N-1), D1 is (N-1) x (N-1)
and the positions form a k x (N-1) matrix A (column i: country i). The same derivation gives,
with M = R2ΣR2' and G = D2ΣR2',

    A = (K'R1' - M)⁻¹ K',      K = D1⁻¹ G,

which for N = 2 is the formula above (multiply through by the scalar D1).

Everything is a closed-form function of the first-order solution, so α̃ is differentiable in the
parameters (through the steady state, the implicit derivative of the first-order solution and
the formula) and vmappable.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array, Float

from .._linalg import solve as dense_solve
from .._misc import arrays, nan_unless, throw_if_failed
from .._model import Model
from .._perturbation import solve
from .._results import RESULTS
from .._solution import Solution
from ._common import (
    SINGULAR_RTOL,
    Indices,
    check,
    impact_loadings,
    rcond,
    scale_value,
    solver_options,
)

__all__ = ["PortfolioSolution", "portfolio", "portfolio_from_solution", "ds_alpha"]


class PortfolioSolution(eqx.Module):
    """Devereux–Sutherland zero-order portfolio and the first-order solution it comes from.

    With k excess returns and N countries (N = 2 unless several differentials are named):

    **Fields:**

    - `solution`: the first-order [`jaxmacro.Solution`][] of the model with ξ as an input.
    - `excess_returns`, `mu_differentials`, `xi_shocks`, `fundamental_shocks` (static): names.
    - `alpha_tilde`: α̃, shape (k,) for two countries, (k, N-1) otherwise (column i: country i).
    - `alpha`: ``scale * alpha_tilde``, the positions in the model's units ("levels").
    - `scale`: the factor used (see [`jaxmacro.portfolio`][]).
    - `R1` (k x (N-1)), `R2` (k x n_ε), `D1` ((N-1) x (N-1)), `D2` ((N-1) x n_ε): impact loadings.
    - `sigma`: Σ, covariance of the fundamental shocks ε (all shocks except ξ).
    - `xi_loading`: H ((N-1) x n_ε), ξ = H ε at the optimal portfolio.
    - `impact`: X0 = g_u[:, ε] + g_u[:, ξ] H (n_vars x n_ε), the impact response of every
      variable to ε at the optimal portfolio (the feedback of portfolio income included).
    - `rx_cov`: cov(r̂x) = R̃ Σ R̃' with R̃ = R2 + R1 H (k x k), the excess-return covariance.
    - `rx_mu_cov`: cov(r̂x, D) = R̃ Σ D̃' (k x (N-1)); zero at the DS solution (a diagnostic).
    - `portfolio_return_var`: var(ξ) = H Σ H', the variance of the portfolio excess income.
    - `result`: [`jaxmacro.RESULTS`][] (the solution's, or `portfolio_singular`).
    """

    solution: Solution
    excess_returns: tuple[str, ...] = eqx.field(static=True)
    mu_differentials: tuple[str, ...] = eqx.field(static=True)
    xi_shocks: tuple[str, ...] = eqx.field(static=True)
    fundamental_shocks: tuple[str, ...] = eqx.field(static=True)
    alpha_tilde: Array
    alpha: Array
    scale: Array
    R1: Float[Array, "k m"]
    R2: Float[Array, "k ne"]
    D1: Float[Array, "m m"]
    D2: Float[Array, "m ne"]
    sigma: Float[Array, "ne ne"]
    xi_loading: Float[Array, "m ne"]
    impact: Float[Array, "n ne"]
    rx_cov: Float[Array, "k k"]
    rx_mu_cov: Float[Array, "k m"]
    portfolio_return_var: Float[Array, "m m"]
    result: RESULTS

    @property
    def model(self) -> Model:
        return self.solution.model

    @property
    def ok(self):
        return self.result == RESULTS.successful


def ds_alpha(R1, R2, D1, D2, sigma):
    """The DS zero-order portfolio from the loadings: ``(alpha_tilde, rcond)``.

    Two countries (R1 of shape (k, 1), D1 of shape (1, 1)):
    α̃ = (R2ΣD2'R1' - R2ΣR2'D1)⁻¹ R2ΣD2', returned with shape (k, 1).
    N countries: A = (K'R1' - R2ΣR2')⁻¹K' with K = D1⁻¹ D2ΣR2' (shape (k, N-1)).
    `rcond` is the reciprocal condition number (smallest over largest singular value) of the
    matrix inverted (the smaller one for N > 2); it is 0 when the portfolio is undetermined.
    """
    M = R2 @ sigma @ R2.T
    G = D2 @ sigma @ R2.T  # (N-1) x k
    m = D1.shape[0]
    if m == 1:
        mat = G.T @ R1.T - M * D1[0, 0]
        rc = rcond(mat)
        mat = jnp.where(rc > SINGULAR_RTOL, mat, jnp.eye(mat.shape[0], dtype=mat.dtype))
        return dense_solve(mat, G.T), rc
    rc1 = rcond(D1)
    D1s = jnp.where(rc1 > SINGULAR_RTOL, D1, jnp.eye(m, dtype=D1.dtype))
    K = dense_solve(D1s, G)
    mat = K.T @ R1.T - M
    rc2 = rcond(mat)
    mat = jnp.where(rc2 > SINGULAR_RTOL, mat, jnp.eye(mat.shape[0], dtype=mat.dtype))
    return dense_solve(mat, K.T), jnp.minimum(rc1, rc2)


def portfolio_impl(sol: Solution, rx, mu, xi, eps, scale, two_country: bool):
    idx = Indices(sol.model, rx, mu, xi, eps)
    R1, R2, D1, D2, sigma = impact_loadings(sol, idx)
    g_u = sol.g_u
    A, rc = ds_alpha(R1, R2, D1, D2, sigma)  # k x m
    m = len(xi)
    Imm = jnp.eye(m, dtype=A.dtype)
    H = dense_solve(Imm - A.T @ R1, A.T @ R2)  # m x n_eps
    X0 = g_u[:, idx.eps] + g_u[:, idx.xi] @ H
    Rt, Dt = R2 + R1 @ H, D2 + D1 @ H
    result = RESULTS.where(
        (sol.result == RESULTS.successful) & ~(rc > SINGULAR_RTOL),
        RESULTS.portfolio_singular,
        sol.result,
    )
    ok = result == RESULTS.successful
    nanify = lambda x: nan_unless(ok, x)  # noqa: E731
    alpha_tilde = A[:, 0] if two_country else A
    return PortfolioSolution(
        solution=sol,
        excess_returns=rx,
        mu_differentials=mu,
        xi_shocks=xi,
        fundamental_shocks=eps,
        alpha_tilde=nanify(alpha_tilde),
        alpha=nanify(scale * alpha_tilde),
        scale=jnp.asarray(scale, dtype=A.dtype),
        R1=R1,
        R2=R2,
        D1=D1,
        D2=D2,
        sigma=sigma,
        xi_loading=nanify(H),
        impact=nanify(X0),
        rx_cov=nanify(Rt @ sigma @ Rt.T),
        rx_mu_cov=nanify(Rt @ sigma @ Dt.T),
        portfolio_return_var=nanify(H @ sigma @ H.T),
        result=result,
    )


@eqx.filter_jit
def _portfolio_jit(model, params, rx, mu, xi, eps, scale, two, solver_options):
    sol = solve(model, params, **solver_options, throw=False)
    return portfolio_impl(sol, rx, mu, xi, eps, scale_value(scale, sol), two)


def portfolio(
    model: Model,
    params=None,
    *,
    excess_returns: Sequence[str] | str = ("rx",),
    mu_differential: Sequence[str] | str = "cdiff",
    xi_shocks: Sequence[str] | str = ("zeta",),
    scale: float | Callable | None = None,
    guess=None,
    steady_state_solver=None,
    qz_criterium: float = 1.0 + 1e-6,
    qz_max_steps: int = 80,
    max_steps: int = 100,
    throw: bool = True,
) -> PortfolioSolution:
    """Devereux–Sutherland (2011) zero-order country portfolio of `model` at `params`.

    Solves the model to first order (as [`jaxmacro.solve`][], unit roots counted stable), reads
    the impact loadings R1, R2, D1, D2 of the excess returns and of the marginal-utility
    differential on ξ and on the other shocks, and returns

        α̃ = (R2 Σ D2' R1' - R2 Σ R2' D1)⁻¹ R2 Σ D2'

    (see the module docstring for N countries), the loadings and the covariances at the
    optimal portfolio. Differentiable in `params` and vmappable; jit-compiled once per model.

    **Main arguments:**

    - `model`: a [`jaxmacro.Model`][] whose home budget constraint carries portfolio income as
      an additive zero-variance shock ξ (the `xi_shocks`).
    - `params`: mapping name -> value (missing names use defaults), or a parameter vector.

    **Other arguments (keyword-only):**

    - `excess_returns`: names of the k excess-return variables (asset j over the numeraire).
    - `mu_differential`: name of the marginal-utility differential (home minus foreign, e.g.
      ρ(ĉ - ĉ*) - q̂), or N-1 names (country i minus country N) for N countries.
    - `xi_shocks`: the ξ shock (or one per country 1..N-1). Its variance is ignored: Σ is the
      covariance of the remaining ("fundamental") shocks.
    - `scale`: how α̃ maps to the model's units: ``alpha = scale * alpha_tilde``. A number, or
      ``scale(params: Named, steady_state: Named)``. E.g. with portfolio income
      Ȳ β α̃ (R1 - R2) the position in goods is α̃βȲ; with income α(r_1 - r_2) around a gross
      return r̄ it is α̃/r̄. Default 1.
    - `guess`, `steady_state_solver`, `qz_criterium`, `qz_max_steps`, `max_steps`: passed to
      [`jaxmacro.solve`][] (same meaning as there).
    - `throw`: raise on failure, or report it in `result` (failed points have NaN α̃). Use
      ``throw=False`` under `vmap`.

    **Returns:** a [`jaxmacro.PortfolioSolution`][]. `result` is `RESULTS.portfolio_singular`
    when the matrix inverted is singular (the assets do not span distinct risks).
    """
    rx, mu, xi, eps = check(model, excess_returns, mu_differential, xi_shocks)
    two = isinstance(mu_differential, str) or len(mu) == 1
    out = _portfolio_jit(
        model,
        arrays(params),
        rx,
        mu,
        xi,
        eps,
        arrays(scale),
        two,
        solver_options(guess, steady_state_solver, qz_criterium, qz_max_steps, max_steps),
    )
    return throw_if_failed(out, throw)


@eqx.filter_jit
def _from_solution_jit(sol, rx, mu, xi, eps, scale, two):
    return portfolio_impl(sol, rx, mu, xi, eps, scale_value(scale, sol), two)


def portfolio_from_solution(
    solution: Solution,
    *,
    excess_returns: Sequence[str] | str = ("rx",),
    mu_differential: Sequence[str] | str = "cdiff",
    xi_shocks: Sequence[str] | str = ("zeta",),
    scale: float | Callable | None = None,
    throw: bool = True,
) -> PortfolioSolution:
    """[`jaxmacro.portfolio`][] from an existing first-order [`jaxmacro.Solution`][]."""
    rx, mu, xi, eps = check(solution.model, excess_returns, mu_differential, xi_shocks)
    two = isinstance(mu_differential, str) or len(mu) == 1
    return throw_if_failed(_from_solution_jit(solution, rx, mu, xi, eps, arrays(scale), two), throw)
