r"""Simulation and impulse responses of a solution, order-aware (one implementation each).

At order 1 the rule is linear: ŝ_t = A ŝ_{t-1} + B u_t, y_t = ȳ + g_x ŝ_{t-1} + g_u u_t.
At order 2 the pruned system of Kim, Kim, Schaumburg and Sims (2008) is used (see `_pruning.py`):
the state is split into a first-order part x^f and a second-order part x^s, and only products
of first-order terms enter x^s, so the simulation is stable whenever the first-order one is
(Dynare's `pruning` option). Impulse responses at order 2 are generalised impulse responses
(Koop, Pesaran and Potter 1996), exact and in closed form for the pruned system:

    GIRF_h = E[y_h | u_0 = δ, x^f_{-1}] − E[y_h | x^f_{-1}],

Δy_0 = g_u δ + ½ g_uu (δ⊗δ − vec Σ) + g_xu (x^f_{-1}⊗δ); after it the augmented state's
expectation propagates linearly. At order 1 this is the usual impulse response g_x A^{h-1} B δ.
All functions use `lax.scan`, are jit-compiled once per model, order and length, and vmap.
"""

from __future__ import annotations

import equinox as eqx
import jax.numpy as jnp
from jax import lax

from .._misc import check_count
from .._named import Named
from .._solution import Solution
from ._pruning import quad, second_order_parts
from ._shocks import draw_shocks, impulse_vector


def _initial_state(initial, ns, dt):
    """(x^f, x^s) at t = -1 from None, an array x^f, or a pair (x^f, x^s)."""
    if initial is None:
        return jnp.zeros(ns, dt), jnp.zeros(ns, dt)
    if isinstance(initial, (tuple, list)):
        xf, xs = (jnp.asarray(v, dt) for v in initial)
        return xf, xs
    return jnp.asarray(initial, dt), jnp.zeros(ns, dt)


@eqx.filter_jit
def _paths(sol: Solution, shocks, xf0, xs0):
    """First- and second-order parts (deviations) of y_t along `shocks`; the second is zero at
    order 1."""
    g_x, g_u = sol.g_x, sol.g_u
    A, B = sol.transition
    if sol.order == 1:

        def step(s_prev, u):
            y = g_x @ s_prev + g_u @ u
            return A @ s_prev + B @ u, y

        _, yf = lax.scan(step, xf0, shocks)
        return yf, jnp.zeros_like(yf)
    g_xx, g_xu, g_uu, g_ss = second_order_parts(sol)
    s = sol.state_index

    def step2(carry, u):
        xf, xs = carry
        yf = g_x @ xf + g_u @ u
        ys = g_x @ xs + 0.5 * quad(g_xx, xf, xf) + quad(g_xu, xf, u) + 0.5 * quad(g_uu, u, u)
        ys = ys + 0.5 * g_ss
        return (yf[s], ys[s]), (yf, ys)

    _, (yf, ys) = lax.scan(step2, (xf0, xs0), shocks)
    return yf, ys


def simulate(
    sol: Solution, key, *, periods: int = 200, burn: int = 0, shocks=None, initial=None
) -> Named:
    """Simulate the rule in levels: linear at order 1, pruned at order 2 (module docstring).

    **Arguments:**

    - `sol`: a [`jaxmacro.Solution`][] (order 1 or 2).
    - `key`: a JAX PRNG key (ignored if `shocks` is given).
    - `periods` (keyword-only): number of periods returned.
    - `burn`: periods simulated and dropped first.
    - `shocks`: optional (burn + periods, n_shocks) array of raw shocks u_t (covariance Σ)
      instead of draws.
    - `initial`: optional state deviations at t = -1: an array ŝ_{-1} (= x^f; default zero,
      the deterministic steady state) or a pair (x^f, x^s) at order 2.

    **Returns:** a [`jaxmacro.Named`][] of levels, shape (periods, n_vars).
    """
    T = check_count(burn, "burn") + check_count(periods, "periods")
    dt = sol.g_x.dtype
    shocks = draw_shocks(sol, key, T) if shocks is None else jnp.asarray(shocks, dt)
    if shocks.shape[-1] != len(sol.shocks):
        raise ValueError(
            f"`shocks` must have {len(sol.shocks)} columns ({', '.join(sol.shocks)}), "
            f"got shape {shocks.shape}"
        )
    xf0, xs0 = _initial_state(initial, len(sol.states), dt)
    yf, ys = _paths(sol, shocks, xf0, xs0)
    levels = (
        sol.steady_state + yf[burn:] if sol.order == 1 else sol.steady_state + yf[burn:] + ys[burn:]
    )
    return Named(sol.variables, levels, "variable")


def simulate_pruned(
    sol: Solution, shocks, *, initial=None, burn: int = 0, components: bool = False
):
    """[`jaxmacro.simulate`][] with given shocks, optionally returning the two parts.

    **Arguments:** `sol`; `shocks`, a (T, n_shocks) array of raw shocks u_t (covariance Σ);
    `initial` (keyword-only): None, x^f, or a pair (x^f, x^s) at t = -1; `burn`: leading periods
    dropped; `components`: also return the first- and second-order parts.

    **Returns:** a [`jaxmacro.Named`][] of levels y_t, shape (T - burn, n_vars); with
    `components=True`, the tuple (levels, first-order part, second-order part), the parts as
    deviations from ȳ.
    """
    dt = sol.g_x.dtype
    shocks = jnp.asarray(shocks, dt)
    xf0, xs0 = _initial_state(initial, len(sol.states), dt)
    yf, ys = _paths(sol, shocks, xf0, xs0)
    yf, ys = yf[burn:], ys[burn:]
    levels = Named(sol.variables, sol.steady_state + yf + ys, "variable")
    if components:
        return levels, Named(sol.variables, yf, "variable"), Named(sol.variables, ys, "variable")
    return levels


@eqx.filter_jit
def _response(sol: Solution, delta, periods: int, xf):
    g_x, g_u = sol.g_x, sol.g_u
    A, B = sol.transition
    if sol.order == 1:

        def step(s_prev, _):
            return A @ s_prev, g_x @ s_prev

        y0 = g_u @ delta
        _, ys = lax.scan(step, B @ delta, None, length=periods - 1)
        return jnp.concatenate([y0[None], ys], axis=0)
    g_xx, g_xu, g_uu, _ = second_order_parts(sol)
    s = sol.state_index
    dd = jnp.outer(delta, delta) - sol.shock_cov  # δδ' − Σ
    H_xx, H_xu, H_uu = g_xx[s], g_xu[s], g_uu[s]
    y0 = g_u @ delta + 0.5 * g_uu @ dd.reshape(-1) + quad(g_xu, xf, delta)
    a0 = B @ delta
    b0 = 0.5 * H_uu @ dd.reshape(-1) + quad(H_xu, xf, delta)
    Axf, Bd = A @ xf, B @ delta
    C0 = B @ dd @ B.T + jnp.outer(Axf, Bd) + jnp.outer(Bd, Axf)

    def step2(carry, _):
        a, b, C = carry
        y = g_x @ (a + b) + 0.5 * g_xx @ C.reshape(-1)
        new = (A @ a, A @ b + 0.5 * H_xx @ C.reshape(-1), A @ C @ A.T)
        return new, y

    _, ys = lax.scan(step2, (a0, b0, C0), None, length=periods - 1)
    return jnp.concatenate([y0[None], ys], axis=0)


def girf(
    sol: Solution, shock, periods: int = 40, *, size=None, orthogonalize: bool = True, initial=None
) -> Named:
    """Impulse response to `shock` at t = 0: the GIRF at order 2, the usual IRF at order 1.

    **Arguments:**

    - `sol`: a [`jaxmacro.Solution`][].
    - `shock`: a shock name or index (the impulse is that column of the lower Cholesky factor
      of Σ, as in Dynare's `stoch_simul`, or √Σ_kk on the shock alone with
      `orthogonalize=False`), or a vector δ of raw shock values.
    - `periods`: number of periods.
    - `size` (keyword-only): multiply the impulse by this (e.g. −1, or 2 for a two-s.d. shock;
      responses are not linear in the size at order 2).
    - `initial`: first-order state deviation x^f_{-1} (default 0; x^s_{-1} does not matter).

    **Returns:** a [`jaxmacro.Named`][] of deviations from ȳ, shape (periods, n_vars).
    """
    periods = check_count(periods, "periods", 1)
    delta = impulse_vector(sol, shock, size, orthogonalize)
    dt = sol.g_x.dtype
    xf = jnp.zeros(len(sol.states), dt) if initial is None else jnp.asarray(initial, dt)
    return Named(sol.variables, _response(sol, delta, periods, xf), "variable")


def impulse_response(
    sol: Solution, shock, *, periods: int = 40, size=None, orthogonalize: bool = True
) -> Named:
    """Impulse response of every variable to a one-standard-deviation `shock` at t = 0.

    The response from the deterministic steady state: at order 1, g_u δ at t = 0 and
    g_x A^{t-1} B δ after; at order 2, the generalised impulse response of the pruned system
    (see [`jaxmacro.girf`][], which also takes a starting state). As in Dynare's
    `stoch_simul`, the impulse δ is the column of the lower Cholesky factor of Σ for `shock`
    (`orthogonalize=True`), so correlated shocks move together; with `orthogonalize=False` it is
    √Σ_kk on `shock` alone. A shock with variance zero has a zero response.

    **Arguments:**

    - `sol`: a [`jaxmacro.Solution`][].
    - `shock`: shock name or index (validated).
    - `periods` (keyword-only): number of periods.
    - `size`: multiply the impulse by this.

    **Returns:** a [`jaxmacro.Named`][] of deviations from the steady state with shape
    (periods, n_vars): ``irf.c`` is the path of c.
    """
    return girf(sol, shock, periods, size=size, orthogonalize=orthogonalize)
