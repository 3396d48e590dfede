"""Accuracy of a perturbation solution: equilibrium-condition (Euler-equation) errors by
quadrature along a simulated path.

The model's conditions hold in expectation, E_t f(y_{t-1}, y_t, y_{t+1}, u_t) = 0. For the
solution's rule y(ŝ, u) = ȳ + g_x ŝ + g_u u [+ ½ g_xx(ŝ⊗ŝ) + g_xu(ŝ⊗u) + ½ g_uu(u⊗u) + ½ g_σσ]
(ŝ the deviation of the state variables of the previous period), the error of condition i at
the state ŝ_{t-1} and shocks u_t is

    e_{i,t} = Σ_k w_k f_i(y_{t-1}, y_t, y(ŝ_t, ε_k), u_t),   y_t = y(ŝ_{t-1}, u_t),

with (ε_k, w_k) a quadrature for ε ~ N(0, Σ): the tensor Gauss–Hermite rule with `nodes` points
per shock (exact for polynomials of degree 2·nodes − 1 in each shock), or, when that grid
would exceed `max_points`, the degree-3 monomial rule ε = ±√n_e L e_j (2 n_e points). The
states ŝ_{t-1} are taken along a simulated path of the solution (pruned at order 2), so the
errors are measured where the economy goes. The rule is applied unpruned at each point
(one-period-ahead errors of the decision rule itself). Errors are in the units the model's
equations are written in; equations written in ratios or logs (Euler equations as
1 − β E[...]) give unit-free numbers, the usual log10 accuracy report.
"""

from __future__ import annotations

import itertools

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float

from .._misc import check_count, throw_if_failed
from .._results import RESULTS
from .._solution import Solution
from ._shocks import draw_shocks, shock_factor
from ._simulate import simulate


class EulerErrors(eqx.Module):
    """Equilibrium-condition errors of a solution ([`jaxmacro.euler_errors`][]).

    **Fields:** `equations` (static names), `quadrature` (static: "gauss-hermite N" or
    "monomial"), `errors` (periods x n_equations: e_{i,t}), `log10_mean` and `log10_max`
    (n_equations: log10 of the mean and the largest |e_{i,t}|), `result`.
    """

    equations: tuple[str, ...] = eqx.field(static=True)
    quadrature: str = eqx.field(static=True)
    errors: Float[Array, "periods n_eq"]
    log10_mean: Float[Array, " n_eq"]
    log10_max: Float[Array, " n_eq"]
    result: RESULTS

    def report(self) -> str:
        """One line per equation: log10 mean and max |error|."""
        w = max(len(e) for e in self.equations) if self.equations else 8
        lines = [f"Euler-equation errors ({self.quadrature}), log10 |e|:"]
        lines.append(f"  {'equation':<{w}} {'mean':>8} {'max':>8}")
        for i, e in enumerate(self.equations):
            m, x = float(self.log10_mean[i]), float(self.log10_max[i])
            lines.append(f"  {e:<{w}} {m:8.2f} {x:8.2f}")
        return "\n".join(lines)


def euler_errors(
    solution: Solution,
    key,
    *,
    periods: int = 1000,
    burn: int = 100,
    nodes: int = 3,
    max_points: int = 2000,
    throw: bool = True,
) -> EulerErrors:
    """Errors of every equilibrium condition of the model under the solution's rule, by
    quadrature over next period's shocks along a simulated path (see the module docstring).

    **Arguments:**

    - `solution`: a [`jaxmacro.Solution`][] (order 1 or 2).
    - `key`: a JAX PRNG key for the simulated path.
    - `periods` (keyword-only): points at which the errors are measured; `burn`: periods
      simulated and dropped first.
    - `nodes`: Gauss–Hermite points per shock; `max_points`: the largest tensor grid, beyond
      which the 2 n_e-point monomial rule is used.
    - `throw`: raise if the solution failed, or report it in `result` (NaN errors).

    **Returns:** an [`jaxmacro.EulerErrors`][].
    """
    periods = check_count(periods, "periods", 1)
    burn = check_count(burn, "burn")
    nodes = check_count(nodes, "nodes", 1)
    ne = len(solution.shocks)
    if ne and nodes**ne <= max_points:
        eps01, w = _gauss_hermite(nodes, ne)
        label = f"gauss-hermite {nodes}"
    elif ne:
        eps01, w = _monomial(ne)
        label = "monomial"
    else:
        eps01, w, label = np.zeros((1, 0)), np.ones(1), "none (no shocks)"
    out = _errors_jit(solution, key, periods, burn, jnp.asarray(eps01), jnp.asarray(w), label)
    return throw_if_failed(out, throw)


def _gauss_hermite(nodes, ne):
    z, w = np.polynomial.hermite_e.hermegauss(nodes)
    w = w / w.sum()
    pts = np.array(list(itertools.product(z, repeat=ne)))
    wts = np.prod(np.array(list(itertools.product(w, repeat=ne))), axis=1)
    return pts, wts


def _monomial(ne):
    pts = np.concatenate([np.sqrt(ne) * np.eye(ne), -np.sqrt(ne) * np.eye(ne)])
    return pts, np.full(2 * ne, 1.0 / (2 * ne))


@eqx.filter_jit
def _errors_jit(sol, key, periods, burn, eps01, w, label):
    model = sol.model
    idx = np.asarray(model.structure.states, dtype=int)
    T = burn + periods + 1
    u = draw_shocks(sol, key, T)
    path = simulate(sol, key, periods=T, shocks=u).values  # levels, t = 0 .. T-1
    eps = eps01.astype(sol.g_x.dtype) @ shock_factor(sol.shock_cov).T
    ybar = sol.steady_state

    def one(y_lag, u_t):
        s_lag = y_lag[idx] - ybar[idx]
        y_t = sol.rule(s_lag, u_t)
        s_t = y_t[idx] - ybar[idx]
        leads = jax.vmap(lambda e: sol.rule(s_t, e))(eps)
        f = jax.vmap(lambda yl: model.evaluate(y_lag, y_t, yl, u_t, sol.params))(leads)
        return w @ f

    errs = jax.vmap(one)(path[burn : burn + periods], u[burn + 1 : burn + periods + 1])
    a = jnp.abs(errs)
    tiny = jnp.finfo(a.dtype).tiny
    ok = sol.result == RESULTS.successful
    return EulerErrors(
        equations=tuple(model.equations),
        quadrature=label,
        errors=jnp.where(ok, errs, jnp.nan),
        log10_mean=jnp.where(ok, jnp.log10(jnp.mean(a, axis=0) + tiny), jnp.nan),
        log10_max=jnp.where(ok, jnp.log10(jnp.max(a, axis=0) + tiny), jnp.nan),
        result=sol.result,
    )
