r"""Country portfolio dynamics: the Devereux–Sutherland (2010) first-order portfolio.

The zero-order portfolio α̃ ([`jaxmacro.portfolio`][]) is the steady-state position. Devereux
and Sutherland (2010, JEDC 34(7), "Country portfolio dynamics"; IMF WP/07/283) obtain the
first-order behaviour of the position,

    α_t = α̃ + γ' x_{t+1},

by taking the portfolio condition to **third** order and the rest of the model to **second**
order. Here x_{t+1} is the state vector *known at t* on which the position chosen at t (held
from t to t+1) depends.

**The augmented model.** The user's model carries the exact (nonlinear) portfolio income with a
parameter for the position, e.g. Ȳ(β·atil·(e^{r1} - e^{r2}) + ξ), plus the zero-variance input
ξ. With ``atil = 0`` it is the DS first stage ([`jaxmacro.portfolio`][] gives α̃); with
``atil = α̃`` ("the α̃-augmented model") the remaining input ξ_t is the portfolio income of the
*deviation* of the position from α̃. With α_{t-1} = α̃ + γ'x_t that deviation income is, to
second order (in DS units, in which α̃'r̂x is exactly the income ξ the stage-1 formula assumes),

    ξ_t = (γ' x_t)' r̂x_t        — a product of a state and an innovation: second order.

The exact nonlinear income of α̃ must be in the model (not only α̃'r̂x): its second-order terms,
e.g. α̃ r̂_2 r̂x, enter the cross terms below.

**Timing / state vector (jaxmacro and Dynare).** The order-2 rule of the augmented model is

    y_{t+1} - ȳ = g_x ŝ + g_u u + ½[g_xx (ŝ⊗ŝ) + 2 g_xu (ŝ⊗u) + g_uu (u⊗u) + g_σσ],

with ŝ = y_t[states] - ȳ[states] (``model.states``, Dynare's ``state_var``: the state argument
of the period-(t+1) rule is dated t) and u = u_{t+1} = (ε_{t+1}, ξ_{t+1}). So x_{t+1} ≡ ŝ: the
position chosen at t is α̃ + γ'ŝ with ŝ the values *at t* of the state variables. Equivalently,
the position multiplying r̂x_t in the period-t budget is α̃ + γ'(y_{t-1}[states] - ȳ[states]).

**The loadings (mapping onto g_xu).** For the excess returns r̂x (k of them) and the
marginal-utility differential D of the augmented model,

    r̂x_{t+1} = R1 ξ_{t+1} + R2 ε_{t+1} + ŝ' R5_j ε_{t+1} (row j) + [terms in ŝ⊗ŝ, ε⊗ε, σ²]
    D_{t+1}  = g_x[D] ŝ + D1 ξ_{t+1} + D2 ε_{t+1} + ŝ' D5 ε_{t+1} + [idem]

with R1 = g_u[rx, ξ], R2 = g_u[rx, ε], D1 = g_u[D, ξ], D2 = g_u[D, ε] (the *augmented* model's
impact loadings, so D2ΣR2' = 0 is the zero-order condition) and the DS cross coefficients

    R5_j[a, b] = g_xu[rx_j, a·n_u + b],     D5[a, b] = g_xu[D, a·n_u + b]      (b ∈ ε only)

i.e. ``g_xu[row].reshape(n_s, n_u)[:, ε]``: the factor 2 of ``2 g_xu (ŝ⊗u)`` cancels the ½, so
the coefficient of ŝ_a ε_b in the rule is exactly g_xu[·, a n_u + b] (Dynare's ghxu with
columns kron(ŝ, u)). Columns for ξ are dropped: ŝ⊗ξ is third order because ξ is second order.
R5 and D5 are the state loadings Γ_i of [`jaxmacro.conditional_moments`][] for these rows.
(In r̂x the ŝ-term vanishes at first order because E_t r̂x_{t+1} = O(σ²).)

**The third-order portfolio condition.** The difference of the home and foreign Euler equations
for the excess return is E_t[(e^{n} - e^{n*})(e^{r̂x} - 1)] = 0, with n, n* the logs of the home
and foreign SDFs times the numeraire's gross return, so that u ≡ n - n* = -(D_{t+1} - D_t) for
D the log marginal-utility differential. Expanding, to third order,

    E_t[u r̂x] + ½ E_t[u r̂x (n + n*)] + ½ E_t[u r̂x²] = 0.

At first order u = -D2 ε_{t+1} and r̂x = R2 ε_{t+1} carry no state (both are martingale
innovations). Hence the cubic terms contribute at order ŝσ² only through E[(D2ε)(R2ε)] = 0 (the
zero-order condition) or third moments of ε (zero for symmetric shocks), and the ŝσ²-terms of
the condition are those of E_t[(D - E_t D)(r̂x - E_t r̂x)] = Cov_t(D_{t+1}, r̂x_{t+1}): with
ξ_{t+1} = (γ'ŝ)' R2 ε_{t+1},

    Cov_t(D, r̂x_j) = D2ΣR2_j' + D1 (γ'ŝ)'R2ΣR2_j' + R1_j D2ΣR2'(γ'ŝ)
                     + ŝ'D5ΣR2_j' + ŝ'R5_jΣD2' + O(ŝ², σ⁴)

(γ' is k × n_s; the R1 term is zero since D2ΣR2' = 0). Setting the ŝ-coefficient to zero for
every state:

    D1 (R2ΣR2') γ' = -(R2ΣD5' + D2ΣR5'),

    γ' = -(R2 Σ R2' D1)⁻¹ (R2 Σ D5' + D2 Σ R5'),     (R2ΣD5')_{ja} = R2_j Σ D5[a]',
                                                      (D2ΣR5')_{ja} = D2 Σ R5_j[a]',

DS (2010)'s formula, here a k × n_s matrix (``gamma``; row j: asset j, column a: state a).
This is exactly the defining property tested in ``tests/test_portfolio_dynamics.py``: with the
portfolio α̃ + γ'ŝ written into the model, the state-linear part of the conditional covariance
of D and r̂x (computed by quadrature of the order-2 rule) vanishes.

**Sources.** The formula for γ is Devereux and Sutherland (2010, "Country portfolio dynamics",
JEDC 34); the paper's own text was not available to us, so the stacking of R5, D5, the mapping onto g_xu and
the derivation above are ours. They are verified numerically, independently of the formula:
(i) in the two-country Lucas-tree economy the exact equilibrium position is
α_t = (λ_t - 1)P1_t/θ with λ_t = (θ nfa_t + P1_t)/(P1_t + P2_t), whose linearisation
γ = (nfa: 1/(2β), y_i: 0, p_i: α̃/2) the function reproduces for every β, γ, θ, ρ_y, Σ — the
position is not constant: constant shares, moving prices and wealth; (ii) with α̃ + γ'ŝ written
into the budget constraint, the state derivative of Cov_t(D_{t+1}, r̂x_{t+1}) is zero to
rounding (and not with γ = 0), also with incomplete markets.

**Differentiability.** α̃ is a closed-form function of the stage-1 solution; the stage-2
(order-2) solution has implicit derivatives ([`jaxmacro._second_order`][]); γ is a closed form
of both. So γ is differentiable in the parameters (forward and reverse mode) and vmappable.
Only two countries (one differential D, one ξ) are supported.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array, Float

from .._dynamics import conditional_impl, variable_selection
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
    position_params,
    rcond,
    scale_value,
    set_params,
    solver_options,
    two_countries_only,
)
from ._devereux_sutherland import PortfolioSolution, portfolio_impl


class PortfolioDynamics(eqx.Module):
    """Devereux–Sutherland (2010) portfolio dynamics α_t = α̃ + γ'ŝ (two countries, k assets).

    **Fields:**

    - `alpha_tilde`: α̃, shape (k,): the zero-order position (DS units, as in
      [`jaxmacro.portfolio`][]).
    - `gamma`: γ', shape (k, n_s): ``gamma[j, a]`` is the response of position j to state a
      (``states[a]``), so the position chosen at t is ``alpha_tilde + gamma @ ŝ`` with
      ŝ = y_t[states] - ȳ[states] (the state argument of the period-(t+1) rule).
    - `alpha`, `gamma_scaled`: ``scale * alpha_tilde`` and ``scale * gamma`` (model units).
    - `scale`: the factor used.
    - `states`, `excess_returns`, `mu_differential`, `xi_shock`, `alpha_params`,
      `fundamental_shocks` (static): names.
    - `solution`: the order-2 [`jaxmacro.Solution`][] of the α̃-augmented model (``alpha_param``
      set to α̃); its g_xu gives R5, D5.
    - `portfolio`: the stage-1 [`jaxmacro.PortfolioSolution`][] (``alpha_param`` set to 0).
    - `R1` (k,1), `R2` (k,n_ε), `D1` (1,1), `D2` (1,n_ε): impact loadings of the augmented model.
    - `R5` (k, n_s, n_ε), `D5` (1, n_s, n_ε): the cross coefficients (see the module docstring).
    - `sigma`: Σ of the fundamental shocks.
    - `rx_mu_cov`: R2ΣD2' of the augmented model (zero at α̃: a diagnostic of stage 2).
    - `result`: [`jaxmacro.RESULTS`][].
    """

    alpha_tilde: Float[Array, " k"]
    gamma: Float[Array, "k ns"]
    alpha: Float[Array, " k"]
    gamma_scaled: Float[Array, "k ns"]
    scale: Array
    solution: Solution
    portfolio: PortfolioSolution
    R1: Float[Array, "k 1"]
    R2: Float[Array, "k ne"]
    D1: Float[Array, "1 1"]
    D2: Float[Array, "1 ne"]
    R5: Float[Array, "k ns ne"]
    D5: Float[Array, "1 ns ne"]
    sigma: Float[Array, "ne ne"]
    rx_mu_cov: Float[Array, "k 1"]
    result: RESULTS
    states: tuple[str, ...] = eqx.field(static=True)
    excess_returns: tuple[str, ...] = eqx.field(static=True)
    mu_differential: str = eqx.field(static=True)
    xi_shock: str = eqx.field(static=True)
    alpha_params: tuple[str, ...] = eqx.field(static=True)
    fundamental_shocks: tuple[str, ...] = eqx.field(static=True)

    @property
    def ok(self):
        return self.result == RESULTS.successful

    @property
    def model(self) -> Model:
        return self.solution.model

    def gamma_by_state(self) -> dict[str, Array]:
        """{state name: γ column (k,)}: the response of every position to that state."""
        return {s: self.gamma[..., :, i] for i, s in enumerate(self.states)}

    def position(self, s_hat):
        """α̃ + γ'ŝ for state deviations ŝ (shape (n_s,) in `states` order), DS units."""
        return self.alpha_tilde + self.gamma @ s_hat


def ds_gamma(R2, D1, D2, R5, D5, sigma):
    """DS (2010) first-order portfolio coefficients from the loadings: ``(gamma, rcond)``.

    γ' = -(R2 Σ R2' D1)⁻¹ (R2 Σ D5' + D2 Σ R5'), shape (k, n_s), with R2 (k, n_ε), D1 (1, 1),
    D2 (1, n_ε), R5 (k, n_s, n_ε), D5 (1, n_s, n_ε) taken from the α̃-augmented model (see the
    module docstring). `rcond` is the reciprocal condition number of R2ΣR2'D1.
    """
    M = (R2 @ sigma @ R2.T) * D1[0, 0]  # k x k
    rhs = jnp.einsum("jb,bc,ac->ja", R2, sigma, D5[0]) + jnp.einsum(
        "b,bc,jac->ja", D2[0], sigma, R5
    )
    rc = rcond(M)
    Ms = jnp.where(rc > SINGULAR_RTOL, M, jnp.eye(M.shape[0], dtype=M.dtype))
    return -dense_solve(Ms, rhs), rc


def _dynamics_impl(model, params, rx, mu, xi, eps, alpha_names, scale, opts):
    pi = {p: i for i, p in enumerate(model.param_names)}
    ia = jnp.asarray([pi[a] for a in alpha_names])
    k = len(rx)
    # Stage 1: first order with the position parameter(s) at zero -> α̃ (DS 2011).
    theta1 = set_params(model, params, ia, jnp.zeros(k))
    sol1 = solve(model, theta1, order=1, **opts, throw=False)
    scale_v = scale_value(scale, sol1)
    ps = portfolio_impl(sol1, rx, mu, xi, eps, scale_v, True)
    at = jnp.where(ps.result == RESULTS.successful, ps.alpha_tilde, 0.0)
    # Stage 2: the α̃-augmented model at second order.
    theta2 = theta1.at[ia].set(at)
    sol2 = solve(model, theta2, order=2, **opts, throw=False)
    idx = Indices(model, rx, mu, xi, eps)
    R1, R2, D1, D2, sigma = impact_loadings(sol2, idx)
    # the state-dependent loadings Γ_i of the excess returns and of the differential on ε
    cm = conditional_impl(sol2, variable_selection(model, rx + mu), eps)
    R5, D5 = cm.loading_x[:k], cm.loading_x[k:]
    gamma, rc = ds_gamma(R2, D1, D2, R5, D5, sigma)
    result = RESULTS.where(ps.result != RESULTS.successful, ps.result, sol2.result)
    result = RESULTS.where(
        (result == RESULTS.successful) & ~(rc > SINGULAR_RTOL), RESULTS.portfolio_singular, result
    )
    ok = result == RESULTS.successful
    nanify = lambda x: nan_unless(ok, x)  # noqa: E731
    alpha_tilde = nanify(ps.alpha_tilde)
    gamma = nanify(gamma)
    return PortfolioDynamics(
        alpha_tilde=alpha_tilde,
        gamma=gamma,
        alpha=scale_v * alpha_tilde,
        gamma_scaled=scale_v * gamma,
        scale=scale_v,
        solution=sol2,
        portfolio=ps,
        R1=R1,
        R2=R2,
        D1=D1,
        D2=D2,
        R5=R5,
        D5=D5,
        sigma=sigma,
        rx_mu_cov=R2 @ sigma @ D2.T,
        result=result,
        states=model.states,
        excess_returns=rx,
        mu_differential=mu[0],
        xi_shock=xi[0],
        alpha_params=alpha_names,
        fundamental_shocks=eps,
    )


@eqx.filter_jit
def _dynamics_jit(model, params, rx, mu, xi, eps, alpha_names, scale, opts):
    return _dynamics_impl(model, params, rx, mu, xi, eps, alpha_names, scale, opts)


def portfolio_dynamics(
    model: Model,
    params=None,
    *,
    excess_returns: Sequence[str] | str = ("rx",),
    mu_differential: str = "cdiff",
    xi_shocks: Sequence[str] | str = ("zeta",),
    alpha_param: Sequence[str] | str = "atil",
    scale: float | Callable | None = None,
    guess=None,
    steady_state_solver=None,
    qz_criterium: float = 1.0 + 1e-6,
    qz_max_steps: int = 80,
    max_steps: int = 100,
    throw: bool = True,
) -> PortfolioDynamics:
    """Devereux–Sutherland (2010) first-order portfolio dynamics of `model` at `params`.

    Stage 1 solves the model to first order with the position parameter(s) `alpha_param` at 0
    and computes α̃ ([`jaxmacro.portfolio`][]); stage 2 sets `alpha_param` to α̃ and solves the
    model to second order; then

        γ' = -(R2 Σ R2' D1)⁻¹ (R2 Σ D5' + D2 Σ R5'),

    with R5, D5 the g_xu cross coefficients of the excess returns and of the differential (see
    the module docstring for the mapping and the derivation). The position chosen at t is
    α̃ + γ'ŝ, ŝ = y_t[states] - ȳ[states]. Differentiable in `params` and vmappable; jit-compiled
    once per model.

    **Main arguments:**

    - `model`: a two-country [`jaxmacro.Model`][] whose home budget constraint carries the exact
      portfolio income of the position parameter(s) `alpha_param` (in DS units: its linear term
      is ``alpha_param · r̂x``, the income ξ the stage-1 formula assumes) plus the zero-variance
      input ξ (`xi_shocks`).
    - `params`: mapping name -> value (missing names use defaults), or a parameter vector. The
      value of `alpha_param` in it is ignored (stage 1 uses 0, stage 2 α̃).

    **Other arguments (keyword-only):**

    - `excess_returns`: the k excess-return variables (asset j over the numeraire).
    - `mu_differential`: the marginal-utility differential (home minus foreign).
    - `xi_shocks`: the ξ shock (one: two countries).
    - `alpha_param`: the parameter(s) holding the position, one per excess return.
    - `scale`: ``alpha = scale * alpha_tilde``, ``gamma_scaled = scale * gamma`` (a number or
      ``scale(params, steady_state)``, evaluated at the stage-1 solution), as in
      [`jaxmacro.portfolio`][].
    - `guess`, `steady_state_solver`, `qz_criterium`, `qz_max_steps`, `max_steps`: passed to
      [`jaxmacro.solve`][] (same meaning as there).
    - `throw`: raise on failure, or report it in `result` (failed points have NaN α̃, γ). Use
      ``throw=False`` under `vmap`.

    **Returns:** a [`jaxmacro.PortfolioDynamics`][].
    """
    rx, mu, xi, eps = check(model, excess_returns, mu_differential, xi_shocks)
    two_countries_only(mu, xi, "portfolio_dynamics")
    alpha_names = position_params(model, alpha_param, rx)
    out = _dynamics_jit(
        model,
        arrays(params),
        rx,
        mu,
        xi,
        eps,
        alpha_names,
        arrays(scale),
        solver_options(guess, steady_state_solver, qz_criterium, qz_max_steps, max_steps),
    )
    return throw_if_failed(out, throw)
