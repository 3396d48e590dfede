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
import jax
import jax.numpy as jnp
import numpy as np
import optimistix as optx
from jaxtyping import Array, Float

from .._dynamics import (
    Expansion,
    condition_function,
    conditional_impl,
    expansion_residuals,
    sigma2_blocks,
    sigma_rule,
    taylor_blocks,
    variable_selection,
)
from .._linalg import solve as dense_solve, solve_sylvester
from .._misc import arrays, nan_unless, throw_if_failed
from .._model import Model, linearize_equations
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
    - `g_ssz` (n, n_s + n_e): with `premia_feedback`, the σ²z terms of the rule
      (y += ½σ² g_ssz (ŝ_{t-1}, u_t)) that zero the σ²z block of every equation; zeros
      without it. `risk_adjusted_solution` folds them into g_x, g_u for simulation.
    - methods `verify()` (coefficient matching, [`jaxmacro.expansion_residuals`][]) and
      `state_space()` (the law of motion (27), [`jaxmacro.eh_state_space`][]).
    - static: `premia_feedback`, `states`, `excess_returns`, `mu_differential`,
      `gamma_params`.
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
    g_ssz: Float[Array, "n nz"]
    result: RESULTS
    premia_feedback: bool = eqx.field(static=True)
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

    def verify(self, *, throw: bool = True) -> Expansion:
        """Coefficient-matching check of the solution ([`jaxmacro.expansion_residuals`][]):
        every model equation on [1, z, vech(zz')] and σ², and the portfolio conditions
        Cov_t(D, r̂x_j)/Var_0(r̂x_j) on σ² and σ²z, with z = (ŝ_{t-1}, u_t). Its
        `max_residual` is < 1e-10 at a converged solution; `report()` prints every block."""
        pairs = [(self.mu_differential, r) for r in self.excess_returns]
        g = self.g_ssz if self.premia_feedback else None
        return expansion_residuals(self.solution, covariances=pairs, g_ssz=g, throw=throw)

    @property
    def risk_adjusted_solution(self) -> Solution:
        """With `premia_feedback`: the order-2 solution with the σ²z terms folded into g_x, g_u
        (σ = 1), for simulation and impulse responses with time-varying premia in the
        levels; without it, `solution`."""
        if not self.premia_feedback:
            return self.solution
        return risk_adjusted(self.solution, self.g_ssz)

    def state_space(self, *, throw: bool = True) -> EHStateSpace:
        """The law of motion (27) X_{t+1} = A X_t + U, E[UU'|X] = S(X) of the solution
        ([`jaxmacro.eh_state_space`][])."""
        return eh_state_space(self.solution, throw=throw)


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
    premia_feedback: bool = False,
    first_order_equations: Sequence[str | int] = (),
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
    - `premia_feedback`: also solve the σ²z terms of every equation (EH's premia feedback:
      time-varying premia in prices and quantities; `g_ssz`, `risk_adjusted_solution`). They
      do not move ᾱ, α_x or the conditional moments (those are σ² and σ²z terms of
      covariances, which the σ²z level terms enter only at σ⁴).
    - `first_order_equations`: equations (names or indices) held to first order — the "real"
      equations of EH's mixed-order variant (accumulation, goods clearing, intratemporal
      conditions), the others "financial" at second order ([`jaxmacro.linearize_equations`][];
      needs the model's analytic steady state). Empty (default): every equation at second
      order, EH's `full` variant.
    - `guess`, `steady_state_solver`, `qz_criterium`, `qz_max_steps`, `max_steps`: passed to
      [`jaxmacro.solve`][] (same meaning as there).
    - `throw`: raise on failure, or report it in `result` (`RESULTS.portfolio_not_converged`
      when Newton stops above `tol`; failed points have NaN numbers).

    **Returns:** a [`jaxmacro.EHSolution`][].
    """
    model = linearize_equations(model, first_order_equations)
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
        bool(premia_feedback),
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
def _eh_jit(model, params, rx, mu, xi, eps, alpha_names, gmaps, sdf, scale, tol, steps, fb, opts):
    return eh_impl(
        model, params, rx, mu, xi, eps, alpha_names, gmaps, sdf, scale, tol, steps, fb, opts
    )


def eh_impl(model, params, rx, mu, xi, eps, alpha_names, gmaps, sdf, scale, tol, steps, fb, opts):
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
    nz = ns + len(model.shocks)
    g_ssz = premia_feedback_terms(sol) if fb else jnp.zeros((len(model.variables), nz), g.dtype)
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
        g_ssz=nanify(g_ssz),
        result=result,
        premia_feedback=fb,
        states=states,
        excess_returns=rx,
        mu_differential=mu[0],
        gamma_params=gmaps,
    )


# ------------------------------------------------------------------------------------------
# The law of motion (27): X_{t+1} = A X_t + U_{t+1}, E[UU'|X] = S(X), X = [1, x, vech(xx')]
# ------------------------------------------------------------------------------------------


class EHStateSpace(eqx.Module):
    """Evans & Hnatkovska's law of motion (2005, eq. 27) of X_t = [1, x_t, vech(x_t x_t')]
    ([`jaxmacro.eh_state_space`][]):

        X_{t+1} = A X_t + U_{t+1},   E[U_{t+1} U_{t+1}' | X_t] = S(X_t) = S_0 + Σ_i S_{x,i} x_i,

    with x_t the deviations of the model's states from the deterministic steady state and
    vech(xx') in row-major upper-triangle order (x_i x_j, i ≤ j). Under the method's truncation
    (x³, σ²x², σ⁴ dropped) this is the pruned second-order system: A holds the constants
    ½(H_σσ + H_uu vec Ω) and vech(H_u Ω H_u'), the first-order transition H_x, the quadratic
    terms ½H_xx, the map vech(xx') -> vech(H_x x x'H_x'), and the σ²x terms of E_t[x x'];
    S_0 and S_x hold the conditional covariance of x_{t+1} (the Σ_0, Σ_x of
    [`jaxmacro.conditional_moments`][]) and of x_{t+1} with vech(x_{t+1}x_{t+1}') (its vech
    block is σ²x² and σ⁴: zero at this order).

    **Fields:** `states` (static names), `labels` (static names of X's entries), `A`
    (n_X, n_X), `S0` (n_X, n_X), `Sx` (n_X, n_X, n_s), `result`. Methods `S(x)`, `X(x)`.
    """

    states: tuple[str, ...] = eqx.field(static=True)
    labels: tuple[str, ...] = eqx.field(static=True)
    A: Float[Array, "nX nX"]
    S0: Float[Array, "nX nX"]
    Sx: Float[Array, "nX nX ns"]
    result: RESULTS

    def X(self, x):
        """X = [1, x, vech(xx')] at the state deviation x (n_s,)."""
        iu, ju = np.triu_indices(len(self.states))
        one = jnp.ones((1,), dtype=self.A.dtype)
        return jnp.concatenate([one, x, x[iu] * x[ju]])

    def S(self, x):
        """S(X) = S_0 + Σ_i S_{x,i} x_i."""
        return self.S0 + jnp.einsum("abi,i->ab", self.Sx, x)


def eh_state_space(solution: Solution, *, throw: bool = True) -> EHStateSpace:
    """Evans–Hnatkovska's (27), X_{t+1} = A X_t + U_{t+1} with E[UU'|X] = S(X), of a
    second-order solution (see [`jaxmacro.EHStateSpace`][]).

    The coefficients are the Taylor coefficients of E_t X_{t+1} and Cov_t(X_{t+1}) in (x, σ),
    with the solution's rule and the expectations by the degree-3 monomial rule (exact for the
    coefficients formed), taken by forward-mode differentiation; σ = 1 is then the model's
    shock covariance. Jit-compiled once per solution structure; differentiable.

    **Arguments:** `solution`, an order-2 [`jaxmacro.Solution`][] (at order 1 the σ²x terms
    and ½H_xx are zero); `throw`: raise if the solution failed, or report it (NaN numbers).
    """
    return throw_if_failed(_state_space_jit(solution), throw)


@eqx.filter_jit
def _state_space_jit(sol):
    st = np.asarray(sol.model.structure.states, dtype=int)
    ns = len(st)
    dt = sol.g_x.dtype
    iu, ju = np.triu_indices(ns)
    nv = len(iu)
    rule, eps, w = sigma_rule(sol)
    ybar_s = sol.steady_state[st]

    def nxt(x, sig):  # X_{t+1} without its 1, at each quadrature node
        def one(e):
            x1 = rule(x, sig * e, sig)[st] - ybar_s
            return jnp.concatenate([x1, x1[iu] * x1[ju]])

        return jax.vmap(one)(eps)

    def mean(x, sig):
        return w @ nxt(x, sig)

    def cov(x, sig):
        v = nxt(x, sig)
        m = w @ v
        return (jnp.einsum("k,ka,kb->ab", w, v, v) - jnp.outer(m, m)).reshape(-1)

    c0, cx, cxx, css, cssx = taylor_blocks(mean, ns, dt)
    n = ns + nv
    A = jnp.zeros((1 + n, 1 + n), dt)
    A = A.at[0, 0].set(1.0)
    A = A.at[1:, 0].set(c0 + css)
    A = A.at[1:, 1 : 1 + ns].set(cx + cssx)
    A = A.at[1:, 1 + ns :].set(cxx)
    _, _, _, vss, vssx = taylor_blocks(cov, ns, dt)
    S0 = jnp.zeros((1 + n, 1 + n), dt).at[1:, 1:].set(vss.reshape(n, n))
    Sx = jnp.zeros((1 + n, 1 + n, ns), dt).at[1:, 1:, :].set(vssx.reshape(n, n, ns))
    ok = sol.result == RESULTS.successful
    names = tuple(sol.model.states)
    labels = ("1",) + names + tuple(f"{names[i]}*{names[j]}" for i, j in zip(iu, ju))
    return EHStateSpace(
        states=names,
        labels=labels,
        A=nan_unless(ok, A),
        S0=nan_unless(ok, S0),
        Sx=nan_unless(ok, Sx),
        result=sol.result,
    )


# ------------------------------------------------------------------------------------------
# Premia feedback: the σ²z terms of the rule
# ------------------------------------------------------------------------------------------


def premia_feedback_terms(sol: Solution):
    """The σ²z terms g_ssz of the rule, y += ½σ² g_ssz z with z = (ŝ_{t-1}, u_t), that zero the
    σ²z block of every model equation (Evans–Hnatkovska's "σ²x terms in the Euler
    equations": time-varying premia fed back into prices and quantities; the g_xσσ, g_uσσ of
    a third-order perturbation).

    Given the order-2 rule, the σ²z coefficient of E_t f is affine in G = g_ssz:

        c(G) = c_0 + ½[(f_y + f_+ g_x P) G + f_+ G_s H],   H = [H_x, H_u],

    with f_y, f_+ the Jacobians in y_t and y_{t+1} at the steady state, P the selection of
    the state rows, G_s the state columns of G and H_x, H_u the state rows of g_x, g_u
    (σ²z² and σ³ terms dropped). c_0 comes from [`jaxmacro.expansion_residuals`][]'s
    coefficient matching. With M = f_y + f_+ g_x P (the matrix of the g_σσ step):

        G_s + M⁻¹f_+ G_s H_x = −2M⁻¹c_{0,s}     (a Sylvester equation, Kronecker-solved)
        G_u = M⁻¹(−2c_{0,u} − f_+ G_s H_u).

    Cost O((n n_s)³): meant for models of tens of variables.

    **Relation to a third-order perturbation.** These are not Dynare's third-order ghxss,
    ghuss: with a third-order rule the σ²z block of E_t f also holds the state dependence of
    next period's Jensen term, ½ f_+ g_xuu (ŝ_t ⊗ vec Ω), which needs g_xuu and an order-2
    rule does not have. Tested: Dynare 5.3's ghxss, ghuss leave exactly that term in our
    σ²z block (tests/reference/order3), and where g_xuu = 0 the two coincide.
    """
    model = sol.model
    st = np.asarray(model.structure.states, dtype=int)
    ns, ne, n = len(st), len(sol.shocks), len(model.variables)
    dt = sol.g_x.dtype
    _, c0 = sigma2_blocks(condition_function(sol), ns + ne, dt)
    ybar, u0 = sol.steady_state, jnp.zeros(ne, dt)
    f_y = jax.jacfwd(lambda y: model.evaluate(ybar, y, ybar, u0, sol.params))(ybar)
    f_p = jax.jacfwd(lambda y: model.evaluate(ybar, ybar, y, u0, sol.params))(ybar)
    M = f_y + jnp.zeros((n, n), dt).at[:, st].set(f_p @ sol.g_x)
    Hx, Hu = sol.g_x[st], sol.g_u[st]
    G_s = solve_sylvester(dense_solve(M, f_p), Hx, dense_solve(M, -2.0 * c0[:, :ns]))
    G_u = dense_solve(M, -2.0 * c0[:, ns:] - f_p @ G_s @ Hu)
    return jnp.concatenate([G_s, G_u], axis=1)


def premia_feedback(solution: Solution, *, throw: bool = True):
    """The σ²z terms g_ssz (n × (n_s + n_e)) of an order-2 solution's rule, y += ½σ² g_ssz z
    with z = (ŝ_{t-1}, u_t), that zero the σ²z block of every equation (the Evans–Hnatkovska
    premia feedback; the g_xσσ, g_uσσ of a third-order perturbation). See
    [`premia_feedback_terms`][] for the maths. Jit-compiled once per solution structure,
    vmappable and differentiable; NaN (and `throw`) for a failed solution."""
    if solution.order != 2:
        raise ValueError("premia_feedback needs an order-2 solution (solve(..., order=2))")
    out = _feedback_jit(solution)
    if throw:
        out = solution.result.error_if(out, solution.result != RESULTS.successful)
    return out


@eqx.filter_jit
def _feedback_jit(sol):
    return nan_unless(sol.result == RESULTS.successful, premia_feedback_terms(sol))


def risk_adjusted(sol: Solution, g_ssz) -> Solution:
    """The solution with the σ²z terms folded into its first-order part (σ = 1):
    g_x + ½G_s, g_u + ½G_u. Simulated with pruning it differs from the EH law of motion only
    by σ²x² and smaller terms, which the method drops."""
    ns = sol.g_x.shape[1]
    return eqx.tree_at(
        lambda s: (s.g_x, s.g_u),
        sol,
        (sol.g_x + 0.5 * g_ssz[:, :ns], sol.g_u + 0.5 * g_ssz[:, ns:]),
    )
