"""Unconditional moments of first-order solutions (differentiable, implicit Lyapunov derivative)."""

from __future__ import annotations

import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array, Float

from ._linalg import solve_discrete_lyapunov
from ._named import Named
from ._results import RESULTS
from ._solution import Solution


class Moments(eqx.Module):
    """Population moments of the first-order solution.

    **Fields:** `variables` (static names), `mean` (= the steady state at order 1), `cov`
    (covariance of y_t), `std`, `autocorr` (lags x n_vars: corr(y_t, y_{t-k}) for k = 1..lags),
    `state_cov` (covariance of the state vector), `result` (RESULTS.unit_root when the state
    transition has an eigenvalue of modulus >= 1 - 1e-10, in which case moments are NaN).
    """

    variables: tuple[str, ...] = eqx.field(static=True)
    mean: Float[Array, " n"]
    cov: Float[Array, "n n"]
    std: Float[Array, " n"]
    autocorr: Float[Array, "lags n"]
    autocov: Float[Array, "lags n n"]
    state_cov: Float[Array, "ns ns"]
    result: RESULTS

    def named_std(self) -> Named:
        return Named(self.variables, self.std, "variable")


def moments(sol: Solution, *, lags: int = 5) -> Moments:
    """Mean, covariance and autocorrelations of y_t under the first-order solution.

    With ŝ_t = A ŝ_{t-1} + B u_t and y_t - ȳ = g_x ŝ_{t-1} + g_u u_t:

        V_s = A V_s A' + B Σ B'                      (discrete Lyapunov equation)
        Var(y) = g_x V_s g_x' + g_u Σ g_u'
        Cov(y_t, y_{t-k}) = g_x A^{k-1} (A V_s g_x' + B Σ g_u'),   k >= 1.

    The Lyapunov equation is solved with an implicit derivative (see
    [`jaxmacro._linalg.solve_discrete_lyapunov`][]), so moments are differentiable in the
    parameters. These equal Dynare's theoretical moments (`oo_.var`) at order 1.
    """
    A, B = sol.transition
    S = sol.shock_cov
    ns = A.shape[0]
    if ns:
        # spectral radius check without eig (GPU-friendly): ||A^(2^k)|| growth
        Ak = A
        for _ in range(12):
            Ak = Ak @ Ak
            Ak = Ak / jnp.maximum(1.0, jnp.max(jnp.abs(Ak)))
        # if radius < 1, A^(4096) is tiny; a unit root keeps it O(1)
        unit = jnp.max(jnp.abs(Ak)) > 1e-6
        A_safe = jnp.where(unit, 0.0 * A, A)
        Vs = solve_discrete_lyapunov(A_safe, B @ S @ B.T)
    else:
        unit = jnp.asarray(False)
        Vs = jnp.zeros((0, 0), sol.g_x.dtype)
    gx, gu = sol.g_x, sol.g_u
    V = gx @ Vs @ gx.T + gu @ S @ gu.T
    C1 = A @ Vs @ gx.T + B @ S @ gu.T  # Cov(s_t, y_t)
    autocov = []
    M = C1
    for _ in range(lags):
        autocov.append(gx @ M)
        M = A @ M
    autocov = jnp.stack(autocov) if lags else jnp.zeros((0,) + V.shape, V.dtype)
    var = jnp.diagonal(V)
    std = jnp.sqrt(jnp.maximum(var, 0.0))
    denom = jnp.where(var > 0, var, jnp.inf)
    autocorr = jnp.diagonal(autocov, axis1=1, axis2=2) / denom
    result = RESULTS.where(unit, RESULTS.unit_root, sol.result)
    bad = result != RESULTS.successful
    nan = lambda x: jnp.where(bad, jnp.nan, x)  # noqa: E731
    return Moments(
        sol.variables, sol.steady_state, nan(V), nan(std), nan(autocorr), nan(autocov), nan(Vs), result
    )
