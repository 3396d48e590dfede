r"""Derivatives of the model's residual function at the steady state, and their derivatives.

With the variables that enter the linearisation stacked as

    v = (ŝ_{t-1}, y_t, y^f_{t+1}, u_t)     (n_v = n_s + n + n_f + n_e),

(states at t-1 in Dynare's `state_var` order, all variables at t, the forward-looking ones at
t+1, the shocks):

- [`model_jacobian`][] is J = ∂f/∂v (n × n_v) at the steady state ȳ: the blocks F_-, F_0, F_+,
  F_u of the first-order problem;
- [`composite_hessian`][] is the Hessian of the composite map ζ ↦ f(v = T ζ), i.e.
  ``Hζ_i = T' (∂²f_i/∂v∂v) T`` (n × n_ζ × n_ζ), for a given linear map T (n_v × n_ζ). The
  second-order solver uses ζ = (ŝ, u, u') and the T built from the first-order rule.

Both are computed by forward-mode autodiff of the user's residual function (nested `jacfwd`
for the Hessian, in the n_ζ directions only; the full n_v × n_v Hessian is never formed).

**Their derivatives in x = (ȳ, θ) are computed by forward mode, also under reverse-mode
`grad`.** Both functions carry a `custom_jvp` whose rule computes D = ∂ output/∂x by `jacfwd`
(one directional derivative per component of x) and returns the tangent D·dx, a contraction
that is linear in dx. Reverse mode transposes that contraction instead of the nested `jacfwd`.
Left to JAX, reverse mode through a nested `jacfwd` (third derivatives of f) gives a program
that XLA compiles slowly. For the 31-equation fvgq20, the order-2 solve plus its full
parameter gradient took ~52 s to compile that way; `benchmarks/RESULTS.md` records the time
with this rule. The cost of D grows with n + n_θ, which is modest for the models that
perturbation methods are used for. The T-part of the tangent needs the mixed derivatives
``(∂²f_i/∂v∂v) T`` (n_v · n_ζ directions), also by forward mode. Forward mode (`jvp`,
`jacfwd`) works as usual.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp


def split_v(layout, ne):
    """Slices of v = (ŝ, y, y^f', u) for a [`jaxmacro.Structure`][]: (states, current, lead, shocks)."""
    n, ns, nf = layout.n_vars, len(layout.states), len(layout.forward)
    return (
        slice(0, ns),
        slice(ns, ns + n),
        slice(ns + n, ns + n + nf),
        slice(ns + n + nf, ns + n + nf + ne),
    )


def _f_of_v(model, layout, ybar, theta):
    """v ↦ f(ȳ + S_s'v_s, ȳ + v_y, ȳ + S_f'v_f, v_u; θ)."""
    s = jnp.asarray(layout.states, dtype=int)
    f = jnp.asarray(layout.forward, dtype=int)
    sl_s, sl_c, sl_f, sl_u = split_v(layout, model.n_shocks)

    def f_of(v):
        y_lag = ybar.at[s].add(v[sl_s])
        y_cur = ybar + v[sl_c]
        y_lead = ybar.at[f].add(v[sl_f])
        return model.evaluate(y_lag, y_cur, y_lead, v[sl_u], theta)

    return f_of


def _n_v(model, layout):
    return split_v(layout, model.n_shocks)[3].stop


def plain_jacobian(model, layout, ybar, theta):
    """J = ∂f/∂v with JAX's own derivative rules (used at order 1)."""
    return jax.jacfwd(_f_of_v(model, layout, ybar, theta))(
        jnp.zeros(_n_v(model, layout), ybar.dtype)
    )


def _hessian_zeta(model, layout, ybar, theta, T):
    f_of = _f_of_v(model, layout, ybar, theta)
    z0 = jnp.zeros(T.shape[1], dtype=T.dtype)
    return jax.jacfwd(jax.jacfwd(lambda z: f_of(T @ z)))(z0)


def _with_x_jacobian(fn, ybar, theta):
    """(value, D) with D = ∂ value / ∂x, x = (ȳ, θ), by forward mode: one JVP per component of x."""
    ny = ybar.shape[0]
    x = jnp.concatenate([ybar, theta.astype(ybar.dtype)])

    def g(x):
        out = fn(x[:ny], x[ny:].astype(theta.dtype))
        return out, out

    D, value = jax.jacfwd(g, has_aux=True)(x)
    return value, D


def _x_tangent(D, dy, dth):
    dx = jnp.concatenate([dy, dth.astype(dy.dtype)])
    return jnp.tensordot(D, dx, axes=1)


@functools.partial(jax.custom_jvp, nondiff_argnums=(0, 1))
def model_jacobian(model, layout, ybar, theta):
    """J = ∂f/∂v at the steady state (n × n_v; see the module docstring)."""
    return plain_jacobian(model, layout, ybar, theta)


@model_jacobian.defjvp
def _model_jacobian_jvp(model, layout, primals, tangents):
    ybar, theta = primals
    dy, dth = tangents
    J, D = _with_x_jacobian(lambda y, th: plain_jacobian(model, layout, y, th), ybar, theta)
    return J, _x_tangent(D, dy, dth)


@functools.partial(jax.custom_jvp, nondiff_argnums=(0, 1))
def composite_hessian(model, layout, ybar, theta, T):
    """Hζ with ``Hζ_i = T' (∂²f_i/∂v∂v) T`` (n × n_ζ × n_ζ) for T of shape (n_v, n_ζ)."""
    return _hessian_zeta(model, layout, ybar, theta, T)


@composite_hessian.defjvp
def _composite_hessian_jvp(model, layout, primals, tangents):
    ybar, theta, T = primals
    dy, dth, dT = tangents
    Hz, D = _with_x_jacobian(lambda y, th: _hessian_zeta(model, layout, y, th, T), ybar, theta)
    # The T-part: d(T' H_i T) = dT' (H_i T) + (H_i T)' dT, with H_i T from the mixed derivatives
    # ∂_v ∂_ζ f(v + T ζ) (n × n_ζ × n_v).
    f_of = _f_of_v(model, layout, ybar, theta)
    nv, nz = T.shape
    HT = jax.jacfwd(lambda v: jax.jacfwd(lambda z: f_of(v + T @ z))(jnp.zeros(nz, T.dtype)))(
        jnp.zeros(nv, T.dtype)
    )
    dT_part = jnp.einsum("az,iwa->izw", dT, HT)
    dHz = _x_tangent(D, dy, dth) + dT_part + jnp.swapaxes(dT_part, 1, 2)
    return Hz, dHz
