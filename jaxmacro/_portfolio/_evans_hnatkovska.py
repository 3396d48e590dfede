"""Evans–Hnatkovska portfolio method: state-dependent portfolios by solving the portfolio
conditions on the state-dependent second moments of the second-order solution.

**The conditions.** Two countries, k risky assets with log excess returns r̂x_{t+1} over a
numeraire asset, and D_{t+1} the home-minus-foreign log marginal-utility (SDF) differential. The
difference of the two countries' Euler equations for each asset j,
E_t[(M_{t+1} − M*_{t+1})(R_{j,t+1} − R_{b,t+1})] = 0, is identically O(σ²) once goods and asset
markets clear; to the order kept by the method (σ², σ²ŝ; ŝ³, σ²ŝ², σ⁴ dropped) it reads

    Cov_t(D_{t+1}, r̂x_{j,t+1}) = 0,   Cov_t = C_0 + Σ_a C_{x,a} ŝ_a,

with the conditional moments of [`jaxmacro.conditional_moments`][] of the order-2 solution.
Matching on 1 gives the zero-order portfolio ᾱ (Devereux–Sutherland 2011, computed by
[`jaxmacro.portfolio`][] from the first-order solution); matching on each state ŝ_a gives the
state loadings α_x of the position α_t = ᾱ + α_x ŝ_t:

    r(α_x)_{j,a} = C_{x,a}[D, r̂x_j](ᾱ, α_x) / Var_0(r̂x_j) = 0.

The position enters the model's budget constraint through parameters (ᾱ through `alpha_param`,
each α_x entry through a parameter of `gamma_params`), so the second-order solution — its
wealth dynamics and hence C_x — depends on α_x, and r is solved by Newton's method (optimistix)
on the σ-scaled residuals to `tol` (default 1e-10). Derivatives with respect to the parameters
are implicit (through the root). Because r is affine in α_x, Newton converges in one step up to
rounding; its root equals the Devereux–Sutherland (2010) closed form
γ' = −(R2ΣR2'D1)⁻¹(R2ΣD5' + D2ΣR5') ([`jaxmacro.portfolio_dynamics`][]), which is the
independent check of this file.

**Premia.** With `sdf` the home agent's log SDF m_{t+1}, the Jensen-adjusted risk premium of
asset j over the numeraire is E_t r̂x_j + ½(V_t r_j − V_t r_b) = −Cov_t(m_{t+1}, r̂x_{j,t+1}) =
π_0 + π_x ŝ_t, reported from the same conditional moments.

**Returned objects** ([`jaxmacro.EHSolution`][]): ᾱ, α_x, the conditional covariance of the
excess returns Σ_0 + Σ_x ŝ, premia, the order-2 solution at the EH positions, the Newton
iterations and the final residual.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import equinox as eqx
import jax.numpy as jnp
import numpy as np
import optimistix as optx
from jaxtyping import Array, Float

from .._dynamics import conditional_impl, variable_selection
from .._misc import arrays, nan_unless, throw_if_failed
from .._model import Model
from .._perturbation import solve
from .._results import RESULTS
from .._solution import Solution
from ._common import (
    check,
    position_params,
    scale_value,
    set_params,
    solver_options,
    two_countries_only,
)
from ._devereux_sutherland import PortfolioSolution, portfolio_impl


class EHSolution(eqx.Module):
    """Evans–Hnatkovska state-dependent portfolio ([`jaxmacro.evans_hnatkovska`][]).

    **Fields:**

    - `alpha_bar` (k,): the zero-order position ᾱ (DS units, = `portfolio.alpha_tilde`);
      `alpha_x` (k, n_s): its state loadings, position α_t = ᾱ + α_x ŝ_t (entries without a
      `gamma_params` parameter are 0); `alpha`, `alpha_x_scaled`: the same times `scale`.
    - `sigma0` (k, k), `sigma_x` (k, k, n_s): Cov_t(r̂x_{t+1}) = Σ_0 + Σ_a Σ_{x,a} ŝ_a.
    - `premia0` (k,), `premia_x` (k, n_s): −Cov_t(m_{t+1}, r̂x_{t+1}) = π_0 + π_x ŝ (NaN without
      `sdf`).
    - `residual`: the largest |σ-scaled portfolio-condition residual| at the solution;
      `iterations`: Newton steps.
    - `solution`: the order-2 [`jaxmacro.Solution`][] at the EH positions; `portfolio`: the
      stage-1 [`jaxmacro.PortfolioSolution`][]; `result`.
    - static: `states`, `excess_returns`, `mu_differential`, `gamma_params`.
    """

    alpha_bar: Float[Array, " k"]
    alpha_x: Float[Array, "k ns"]
    alpha: Float[Array, " k"]
    alpha_x_scaled: Float[Array, "k ns"]
    scale: Array
    sigma0: Float[Array, "k k"]
    sigma_x: Float[Array, "k k ns"]
    premia0: Float[Array, " k"]
    premia_x: Float[Array, "k ns"]
    residual: Array
    iterations: Array
    solution: Solution
    portfolio: PortfolioSolution
    result: RESULTS
    states: tuple[str, ...] = eqx.field(static=True)
    excess_returns: tuple[str, ...] = eqx.field(static=True)
    mu_differential: str = eqx.field(static=True)
    gamma_params: tuple = eqx.field(static=True)

    @property
    def ok(self):
        return self.result == RESULTS.successful

    def position(self, state):
        """α_t = ᾱ + α_x ŝ_t (DS units) at the state ŝ (leading batch dimensions allowed)."""
        return self.alpha_bar + jnp.einsum("ja,...a->...j", self.alpha_x, state)


def evans_hnatkovska(
    model: Model,
    params=None,
    *,
    excess_returns: Sequence[str] | str = ("rx",),
    mu_differential: str = "cdiff",
    xi_shocks: Sequence[str] | str = ("zeta",),
    alpha_param: Sequence[str] | str = "atil",
    gamma_params: Mapping[str, str] | Sequence[Mapping[str, str]],
    sdf: str | None = None,
    scale: float | Callable | None = None,
    tol: float = 1e-10,
    newton_steps: int = 20,
    guess=None,
    steady_state_solver=None,
    qz_criterium: float = 1.0 + 1e-6,
    qz_max_steps: int = 80,
    max_steps: int = 100,
    throw: bool = True,
) -> EHSolution:
    """Evans–Hnatkovska state-dependent country portfolio α_t = ᾱ + α_x ŝ_t of `model`.

    Solves the σ² portfolio condition for ᾱ (Devereux–Sutherland zero order) and the σ²ŝ
    conditions Cov_{x,a}(D, r̂x_j) = 0 for α_x by Newton's method on the order-2 solution (see
    the module docstring). Jit-compiled once per model; vmappable over parameters (a failing
    point is flagged, its neighbours unaffected); differentiable in `params`.

    **Main arguments:**

    - `model`: a two-country [`jaxmacro.Model`][] whose home budget constraint carries the
      exact portfolio income of the position ᾱ + α_x ŝ_{t-1} held from t−1 to t, with ᾱ the
      parameter(s) `alpha_param` and each α_x entry a parameter named in `gamma_params`, plus
      the zero-variance input ξ (`xi_shocks`), as for [`jaxmacro.portfolio_dynamics`][].
    - `params`: mapping name -> value or parameter vector; the values of `alpha_param` and of
      the `gamma_params` in it are ignored.

    **Other arguments (keyword-only):**

    - `excess_returns`, `mu_differential`, `xi_shocks`, `alpha_param`, `scale`: as in
      [`jaxmacro.portfolio_dynamics`][].
    - `gamma_params`: for each excess return (one mapping, or a sequence of k mappings), state
      name -> the parameter holding that entry of α_x. States left out keep a zero loading.
    - `sdf`: the home agent's log SDF m_{t+1} (a model variable), for the premia.
    - `tol`: largest σ-scaled residual accepted (float64: 1e-10); `newton_steps`: Newton limit.
    - `guess`, `steady_state_solver`, `qz_criterium`, `qz_max_steps`, `max_steps`: passed to
      [`jaxmacro.solve`][] (same meaning as there).
    - `throw`: raise on failure, or report it in `result` (`RESULTS.portfolio_not_converged`
      when Newton stops above `tol`; failed points have NaN numbers).

    **Returns:** a [`jaxmacro.EHSolution`][].
    """
    rx, mu, xi, eps = check(model, excess_returns, mu_differential, xi_shocks)
    two_countries_only(mu, xi, "evans_hnatkovska")
    alpha_names = position_params(model, alpha_param, rx)
    gmaps = _gamma_maps(model, gamma_params, rx, alpha_names)
    if sdf is not None and sdf not in model.variables:
        raise ValueError(f"unknown variable {sdf!r} (sdf); declared: {', '.join(model.variables)}")
    if not (tol > 0 and newton_steps >= 1):
        raise ValueError(f"need tol > 0 and newton_steps >= 1, got {tol!r}, {newton_steps!r}")
    out = _eh_jit(
        model,
        arrays(params),
        rx,
        mu,
        xi,
        eps,
        alpha_names,
        gmaps,
        sdf,
        arrays(scale),
        float(tol),
        int(newton_steps),
        solver_options(guess, steady_state_solver, qz_criterium, qz_max_steps, max_steps),
    )
    return throw_if_failed(out, throw)


def _gamma_maps(model, gamma_params, rx, alpha_names) -> tuple:
    maps = (gamma_params,) if isinstance(gamma_params, Mapping) else tuple(gamma_params)
    if len(maps) != len(rx):
        raise ValueError(
            f"`gamma_params` needs one mapping state -> parameter per excess return ({len(rx)}),"
            f" got {len(maps)}"
        )
    seen = set(alpha_names)
    out = []
    for j, m in enumerate(maps):
        entries = []
        for s, pname in m.items():
            if s not in model.states:
                raise ValueError(
                    f"gamma_params[{j}]: {s!r} is not a state; states: {', '.join(model.states)}"
                )
            if pname not in model.param_names:
                raise ValueError(f"gamma_params[{j}]: unknown parameter {pname!r} (state {s!r})")
            if pname in seen:
                raise ValueError(f"gamma_params: parameter {pname!r} is used twice")
            seen.add(pname)
            entries.append((s, pname))
        out.append(tuple(entries))
    if not any(out):
        raise ValueError("`gamma_params` names no parameter: there is no α_x to solve for")
    return tuple(out)


@eqx.filter_jit
def _eh_jit(model, params, rx, mu, xi, eps, alpha_names, gmaps, sdf, scale, tol, steps, opts):
    return eh_impl(model, params, rx, mu, xi, eps, alpha_names, gmaps, sdf, scale, tol, steps, opts)


def eh_impl(model, params, rx, mu, xi, eps, alpha_names, gmaps, sdf, scale, tol, steps, opts):
    """[`jaxmacro.evans_hnatkovska`][] inside a traced program (names validated)."""
    pi = {p: i for i, p in enumerate(model.param_names)}
    states = tuple(model.states)
    k, ns = len(rx), len(states)
    ia = np.asarray([pi[a] for a in alpha_names])
    free = [(j, states.index(s), pi[p]) for j, m in enumerate(gmaps) for s, p in m]
    fj = np.asarray([f[0] for f in free])
    fa = np.asarray([f[1] for f in free])
    fp = np.asarray([f[2] for f in free])
    # Stage 1 (σ²): the zero-order position from the first-order solution, positions at 0.
    theta1 = set_params(model, params, np.concatenate([ia, fp]), jnp.zeros(k + len(free)))
    sol1 = solve(model, theta1, order=1, **opts, throw=False)
    scale_v = scale_value(scale, sol1)
    ps = portfolio_impl(sol1, rx, mu, xi, eps, scale_v, True)
    abar = jnp.where(ps.result == RESULTS.successful, ps.alpha_tilde, 0.0)
    theta2 = theta1.at[ia].set(abar)
    rows = variable_selection(model, rx + mu + ((sdf,) if sdf else ()))

    def moments(g, theta):
        sol = solve(model, theta.at[fp].set(g), order=2, **opts, throw=False)
        return sol, conditional_impl(sol, rows, eps)

    def scaled(cm):
        # the σ²ŝ conditions Cov_{x,a}(D, r̂x_j) over Var_0(r̂x_j), for the free (j, a)
        return cm.cov_x[k, :k, :][fj, fa] / jnp.diagonal(cm.cov0)[:k][fj]

    def residual(g, theta):
        return scaled(moments(g, theta)[1])

    g0 = jnp.zeros(len(free), dtype=theta2.dtype)
    newton = optx.Newton(rtol=0.1 * tol, atol=0.1 * tol)
    root = optx.root_find(residual, newton, g0, args=theta2, max_steps=steps, throw=False)
    g = root.value
    sol, cm = moments(g, theta2)
    res_max = jnp.max(jnp.abs(scaled(cm)))
    result = RESULTS.where(ps.result != RESULTS.successful, ps.result, sol.result)
    result = RESULTS.where(
        (result == RESULTS.successful) & ~(res_max <= tol), RESULTS.portfolio_not_converged, result
    )
    ok = result == RESULTS.successful
    nanify = lambda x: nan_unless(ok, x)  # noqa: E731
    alpha_x = jnp.zeros((k, ns), dtype=g.dtype).at[fj, fa].set(g)
    if sdf:
        premia0, premia_x = -cm.cov0[k + 1, :k], -cm.cov_x[k + 1, :k, :]
    else:
        premia0 = jnp.full((k,), jnp.nan, dtype=g.dtype)
        premia_x = jnp.full((k, ns), jnp.nan, dtype=g.dtype)
    abar, alpha_x = nanify(ps.alpha_tilde), nanify(alpha_x)
    return EHSolution(
        alpha_bar=abar,
        alpha_x=alpha_x,
        alpha=scale_v * abar,
        alpha_x_scaled=scale_v * alpha_x,
        scale=scale_v,
        sigma0=nanify(cm.cov0[:k, :k]),
        sigma_x=nanify(cm.cov_x[:k, :k, :]),
        premia0=nanify(premia0),
        premia_x=nanify(premia_x),
        residual=res_max,
        iterations=root.stats["num_steps"],
        solution=sol,
        portfolio=ps,
        result=result,
        states=states,
        excess_returns=rx,
        mu_differential=mu[0],
        gamma_params=gmaps,
    )
