r"""Unconditional moments of a solution, order-aware (one implementation for orders 1 and 2).

**Order 1.** With ŝ_t = A ŝ_{t-1} + B u_t and y_t - ȳ = g_x ŝ_{t-1} + g_u u_t:

    V_s = A V_s A' + B Σ B'                      (discrete Lyapunov equation)
    Var(y) = g_x V_s g_x' + g_u Σ g_u'
    Cov(y_t, y_{t-k}) = g_x A^{k-1} (A V_s g_x' + B Σ g_u'),   k >= 1,

Dynare's theoretical moments (`oo_.var`, `oo_.autocorr`) at order 1.

**Order 2.** The closed-form moments of the pruned system (Andreasen, Fernández-Villaverde and
Rubio-Ramírez 2018), from its linear representation in the augmented state z = (x^f, x^s,
x^f⊗x^f) (see `_pruning.py`): E y includes the second-order risk correction, Var y and the
autocovariances come from a second Lyapunov equation of size 2 n_s + n_s².

**Existence.** Both need a stationary first-order transition. The one rule,
[`jaxmacro._linalg.has_unit_root`][], flags an eigenvalue of A with modulus at or above
2 − qz_criterium = 1 − 1e-6 (Dynare's threshold for theoretical moments), judged exactly from
the trace of a spectral projector; then `result` is `RESULTS.unit_root` and the moments are NaN.

Lyapunov equations are solved with implicit derivatives, so moments are differentiable in the
parameters (forward and reverse mode), vmappable and jit-compiled once per model and order.
"""

from __future__ import annotations

import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array, Float

from .._linalg import has_unit_root, solve as dense_solve, solve_discrete_lyapunov
from .._misc import check_count, throw_if_failed
from .._named import Named
from .._results import RESULTS
from .._solution import Solution
from ._pruning import pruned_state_space, second_order_parts, xi_cov


class Moments(eqx.Module):
    """Population moments of a solution (order 1, or the pruned system at order 2).

    **Fields:** `variables` (static names), `order` (static), `mean` (E y_t in levels: ȳ at order
    1, ȳ plus the risk correction at order 2), `cov` (Var y_t), `std`, `autocorr` (lags × n:
    corr(y_t, y_{t-k}) for k = 1..lags), `autocov` (lags × n × n, `autocov[k-1]` = Cov(y_t,
    y_{t-k})), `state_mean` (E of the state deviations), `state_cov` (their covariance),
    `result` ([`jaxmacro.RESULTS`][]; `unit_root` when the first-order transition is not
    stationary, in which case the moments are NaN).
    """

    variables: tuple[str, ...] = eqx.field(static=True)
    order: int = eqx.field(static=True)
    mean: Float[Array, " n"]
    cov: Float[Array, "n n"]
    std: Float[Array, " n"]
    autocorr: Float[Array, "lags n"]
    autocov: Float[Array, "lags n n"]
    state_mean: Float[Array, " ns"]
    state_cov: Float[Array, "ns ns"]
    result: RESULTS

    def named_mean(self) -> Named:
        return Named(self.variables, self.mean, "variable")

    def named_std(self) -> Named:
        return Named(self.variables, self.std, "variable")


def moments(sol: Solution, *, lags: int = 5, throw: bool = True) -> Moments:
    """Mean, covariance and autocorrelations of y_t under `sol` (order 1 or 2).

    At order 1 the linear moments; at order 2 the closed-form moments of the pruned system
    (see the module docstring). Differentiable in the parameters; jit-compiled once per model,
    order and `lags`; vmappable.

    **Arguments:**

    - `sol`: a [`jaxmacro.Solution`][].
    - `lags` (keyword-only): number of autocovariance lags k = 1..lags.
    - `throw`: raise if the moments do not exist (unit root) or `sol` failed; with False the
      failure is in `result` and the moments are NaN (use False under `vmap`).

    **Returns:** a [`jaxmacro.Moments`][].
    """
    return throw_if_failed(_moments_jit(sol, check_count(lags, "lags")), throw)


def pruned_moments(sol: Solution, *, lags: int = 1, throw: bool = True) -> Moments:
    """[`jaxmacro.moments`][] with one lag by default (kept for its name: `moments` is order-aware)."""
    return moments(sol, lags=lags, throw=throw)


@eqx.filter_jit
def _moments_jit(sol: Solution, lags: int) -> Moments:
    g_x, g_u = sol.g_x, sol.g_u
    A, B = sol.transition
    ns = A.shape[0]
    n = g_x.shape[0]
    dt = g_x.dtype
    Sigma = sol.shock_cov.astype(dt)
    unit = has_unit_root(A)
    ok_in = sol.result == RESULTS.successful
    good = ok_in & ~unit
    # Sanitise inputs of failed points so the solves stay finite (results are NaN'd below).
    A_ = jnp.where(good, A, 0.0)
    Vf = solve_discrete_lyapunov(A_, B @ Sigma @ B.T) if ns else jnp.zeros((0, 0), dt)

    if sol.order == 1:
        mean = sol.steady_state
        V = g_x @ Vf @ g_x.T + g_u @ Sigma @ g_u.T
        M = A @ Vf @ g_x.T + B @ Sigma @ g_u.T  # Cov(ŝ_t, y_t)
        acov = []
        for _ in range(lags):
            acov.append(g_x @ M)
            M = A @ M
        state_mean = jnp.zeros(ns, dt)
        state_cov = Vf
    else:
        g_xx, _, g_uu, g_ss = second_order_parts(sol)
        c, At, Bt, Ct, Dt, d = pruned_state_space(sol)
        At_ = jnp.where(good, At, 0.0)
        s = sol.state_index
        H_xx, H_uu, H_ss = g_xx[s], g_uu[s], g_ss[s]
        rhs = 0.5 * (H_xx @ Vf.reshape(-1) + H_uu @ Sigma.reshape(-1) + H_ss)
        Exs = dense_solve(jnp.eye(ns, dtype=dt) - A_, rhs) if ns else rhs
        Ez = jnp.concatenate([jnp.zeros(ns, dt), Exs, Vf.reshape(-1)])
        mean = sol.steady_state + d + Ct @ Ez
        Sxi = xi_cov(Sigma, Vf)
        Vz = solve_discrete_lyapunov(At_, Bt @ Sxi @ Bt.T)
        V = Ct @ Vz @ Ct.T + Dt @ Sxi @ Dt.T
        V = 0.5 * (V + V.T)
        acov = []
        Pz = At @ Vz  # Ã^k V_z
        Pxi = Bt @ Sxi  # Ã^{k-1} B̃ Var ξ
        for _ in range(lags):
            acov.append(Ct @ Pz @ Ct.T + Ct @ Pxi @ Dt.T)
            Pz = At @ Pz
            Pxi = At @ Pxi
        state_mean = Exs
        # x = x^f + x^s: Var = V_ff + V_ss + V_fs + V_sf
        Vxx = Vz[: 2 * ns, : 2 * ns]
        state_cov = Vxx[:ns, :ns] + Vxx[ns:, ns:] + Vxx[:ns, ns:] + Vxx[ns:, :ns]
    autocov = jnp.stack(acov) if lags else jnp.zeros((0, n, n), dt)
    var = jnp.diagonal(V)
    std = jnp.sqrt(jnp.maximum(var, 0.0))
    denom = jnp.where(var > 0, var, jnp.inf)
    autocorr = jnp.diagonal(autocov, axis1=1, axis2=2) / denom if lags else jnp.zeros((0, n), dt)
    result = RESULTS.where(ok_in & unit, RESULTS.unit_root, sol.result)
    bad = result != RESULTS.successful
    nan = lambda x: jnp.where(bad, jnp.nan, x)  # noqa: E731
    return Moments(
        variables=sol.variables,
        order=sol.order,
        mean=nan(mean),
        cov=nan(V),
        std=nan(std),
        autocorr=nan(autocorr),
        autocov=nan(autocov),
        state_mean=nan(state_mean),
        state_cov=nan(state_cov),
        result=result,
    )
