"""Impulse responses and simulation of first-order solutions (``lax.scan``; jit/vmap/grad)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax import lax

from ._named import Named
from ._solution import Solution


def _shock_index(sol: Solution, shock) -> int:
    if isinstance(shock, str):
        if shock not in sol.shocks:
            raise ValueError(f"unknown shock {shock!r}; declared: {', '.join(sol.shocks)}")
        return sol.shocks.index(shock)
    return int(shock)


def impulse_response(
    sol: Solution, shock, *, periods: int = 40, size=None, orthogonalize: bool = True
) -> Named:
    """Impulse response of every variable to a one-standard-deviation shock at t = 0.

    For the first-order rule y_t = ȳ + g_x ŝ_{t-1} + g_u u_t, the response to an impulse
    u_0 = v (and u_t = 0 after) is g_u v at t = 0 and g_x A^{t-1} B v after, with (A, B) the
    state rows of (g_x, g_u). As in Dynare's `stoch_simul`, the impulse is the column of the
    lower Cholesky factor of Σ for `shock` (`orthogonalize=True`), so correlated shocks move
    together; with `orthogonalize=False` it is sqrt(Σ_ii) on `shock` alone.

    **Arguments:**

    - `sol`: a first-order [`jaxmacro.Solution`][].
    - `shock`: shock name (or index).
    - `periods` (keyword-only): number of periods.
    - `size`: override the impulse size (in shock units, before orthogonalisation scaling: the
      impulse becomes `size` times the unit-s.d. impulse).

    **Returns:** a [`jaxmacro.Named`][] of deviations from the steady state with shape
    (periods, n_vars): ``irf.c`` is the path of c.
    """
    k = _shock_index(sol, shock)
    cov = sol.shock_cov
    if orthogonalize:
        L = jnp.linalg.cholesky(cov + 0.0 * jnp.eye(cov.shape[0], dtype=cov.dtype))
        v = L[:, k]
    else:
        v = jnp.zeros(cov.shape[0], cov.dtype).at[k].set(jnp.sqrt(cov[k, k]))
    if size is not None:
        v = v * size
    A, B = sol.transition

    def step(s_prev, _):
        y = sol.g_x @ s_prev
        return A @ s_prev, y

    y0 = sol.g_u @ v
    s0 = B @ v
    _, ys = lax.scan(step, s0, None, length=periods - 1)
    path = jnp.concatenate([y0[None], ys], axis=0)
    return Named(sol.variables, path, "variable")


def simulate(sol: Solution, key, *, periods: int = 200, burn: int = 0, shocks=None, initial=None) -> Named:
    """Simulate the first-order rule: levels y_t = ȳ + g_x ŝ_{t-1} + g_u u_t, u_t ~ N(0, Σ).

    **Arguments:**

    - `sol`: a [`jaxmacro.Solution`][].
    - `key`: a JAX PRNG key (ignored if `shocks` is given).
    - `periods` (keyword-only): number of periods returned.
    - `burn`: periods simulated and dropped first.
    - `shocks`: optional (burn + periods, n_shocks) array of shocks to use instead of draws.
    - `initial`: optional state deviations ŝ_{-1} (default zero, the steady state).

    **Returns:** a [`jaxmacro.Named`][] of levels, shape (periods, n_vars).
    """
    T = burn + periods
    ne = len(sol.shocks)
    if shocks is None:
        cov = sol.shock_cov
        L = jnp.linalg.cholesky(cov) if ne else jnp.zeros((0, 0))
        z = jax.random.normal(key, (T, ne), dtype=sol.g_x.dtype)
        shocks = z @ L.T
    shocks = jnp.asarray(shocks)
    A, B = sol.transition
    s0 = jnp.zeros(A.shape[0], sol.g_x.dtype) if initial is None else jnp.asarray(initial)

    def step(s_prev, u):
        y = sol.g_x @ s_prev + sol.g_u @ u
        return A @ s_prev + B @ u, y

    _, ys = lax.scan(step, s0, shocks)
    return Named(sol.variables, sol.steady_state + ys[burn:], "variable")
