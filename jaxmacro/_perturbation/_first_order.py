"""First-order perturbation: the pure-JAX solver of the linearised model.

Linearising f(y_{t-1}, y_t, y_{t+1}, u_t) = 0 at the steady state gives, in deviations,

    F_- s_{t-1} + F_0 y_t + F_+ E_t y^f_{t+1} + F_u u_t = 0,

where s are the state variables (predetermined and mixed: Dynare's `state_var`) and y^f the
forward-looking ones (mixed and purely forward). The decision rule is

    y_t = g_x s_{t-1} + g_u u_t,

with g_x the stable solution of the matrix quadratic

    R(g_x) = F_- + F_0 g_x + F_+ (S_f g_x)(S_s g_x) = 0,

(S_s, S_f select the state and forward rows) and ``g_u = -(F_0 + F_+ g_f S_s)^{-1} F_u``.

Algorithm, as in Dynare but with the QZ step replaced by a pure-JAX spectral divide and
conquer (see [`jaxmacro._linalg.stable_deflating_subspace`][]). `layout` below is the
model's static [`jaxmacro.Structure`][]:

1. Static variables (appearing only at t) are eliminated by a QR of their columns of F_0.
2. The remaining equations in w_t = (s_{t-1}, y^f_t) form a pencil ``D w_{t+1} = E w_t`` of
   size n_s + n_f, with identity rows linking the two copies of each mixed variable. Models
   without states (n_s = 0) have g_x with no columns; the count still runs on their forward
   pencil, so an indeterminate one is reported.
3. The deflating subspace of the eigenvalues with modulus below ``qz_criterium``
   (default 1 + 1e-6, as Dynare, so unit roots count as stable) is the range of a spectral
   projector P = [I; g_f] C, so g_f = P_bot P_top^+; the trace of P is its dimension.
   Its dimension is the Blanchard-Kahn count.
4. g_x for all variables follows from one linear solve; the residual of the matrix quadratic
   is checked.

Derivatives are implicit: differentiating R(g_x) = 0 gives the generalised Sylvester equation

    M dg + F_+ (S_f dg) g_s = -(dF_- + dF_0 g_x + dF_+ g_f g_s),   M = F_0 + F_+ g_f S_s,

solved (reduced to the forward rows) by [`jaxmacro._linalg.solve_sylvester`][]; iterations
are never differentiated.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp

from .._linalg import (
    qr as dense_qr,
    solve as dense_solve,
    solve_sylvester,
    stable_deflating_subspace,
)
from .._results import RESULTS
from ._derivatives import split_v


def _quadratic_matrices(F_m, F_0, F_p, g, layout):
    s = jnp.asarray(layout.states, dtype=int)
    f = jnp.asarray(layout.forward, dtype=int)
    g_s = g[s]
    g_f = g[f]
    M = F_0.at[:, s].add(F_p @ g_f)
    return M, g_s, g_f


def quadratic_residual(F_m, F_0, F_p, g, layout):
    """R(g) = F_- + F_0 g + F_+ g_f g_s."""
    _, g_s, g_f = _quadratic_matrices(F_m, F_0, F_p, g, layout)
    return F_m + F_0 @ g + F_p @ g_f @ g_s


def _solve_gx(F_m, F_0, F_p, layout, qz_criterium, max_steps):
    n = layout.n_vars
    ns, nf = len(layout.states), len(layout.forward)
    nstat, npred, nboth = len(layout.static), len(layout.pred), len(layout.both)
    dtype = F_0.dtype
    if ns + nf == 0:  # purely static: y_t = g_u u_t, nothing to count
        return (
            jnp.zeros((n, 0), dtype),
            jnp.zeros(3, dtype).at[1].set(1.0).at[2].set(1.0),
            jnp.zeros((1,), dtype),
        )
    # 1. static elimination
    if nstat > 0:
        Q, _ = dense_qr(F_0[:, jnp.asarray(layout.static)], mode="complete")
        Qd = Q[:, nstat:].T
        Fm_d, F0_d, Fp_d = Qd @ F_m, Qd @ F_0, Qd @ F_p
    else:
        Fm_d, F0_d, Fp_d = F_m, F_0, F_p
    nd = n - nstat
    m = ns + nf
    # 2. pencil D w_{t+1} = E w_t, w_t = (s_{t-1}, y^f_t)
    s_idx = jnp.asarray(layout.states, dtype=int)
    D = jnp.zeros((m, m), dtype)
    E = jnp.zeros((m, m), dtype)
    D = D.at[:nd, :ns].set(F0_d[:, s_idx]).at[:nd, ns:].set(Fp_d)
    E = E.at[:nd, :ns].set(-Fm_d)
    if layout.fwrd:
        E = E.at[:nd, ns + nboth :].set(-F0_d[:, jnp.asarray(layout.fwrd)])
    for i in range(nboth):
        D = D.at[nd + i, npred + i].set(1.0)
        E = E.at[nd + i, ns + i].set(1.0)
    # 3. stable deflating subspace
    P, converged, _ = stable_deflating_subspace(E, D, qz_criterium, max_steps=max_steps)
    # The trace of a projector is its rank: the number of stable eigenvalues (BK count).
    trace = jnp.trace(P)
    n_stable = jnp.round(trace)
    converged = converged & (jnp.abs(trace - n_stable) < 0.1)
    if ns == 0:
        # No states (e.g. the three-equation New Keynesian model): g_x has no columns, and
        # determinacy needs every eigenvalue of the forward pencil explosive (count 0).
        info = jnp.stack([n_stable.astype(dtype), converged.astype(dtype), jnp.ones((), dtype)])
        return jnp.zeros((n, 0), dtype), info, jnp.atleast_1d(trace)
    # On the solution the stable subspace is span[I; g_f], so P = [I; g_f] C with C = P_top
    # (ns x m, rank ns when the BK rank condition holds) and g_f = P_bot P_top^+.
    P_top, P_bot = P[:ns], P[ns:]
    Qt, Rt = dense_qr(P_top.T)  # P_top' = Qt Rt, Rt (ns x ns)
    rdiag = jnp.abs(jnp.diagonal(Rt))
    z1_ok = jnp.min(rdiag) > 1e-10 * jnp.maximum(jnp.max(rdiag), 1e-300)
    Rt_safe = jnp.where(z1_ok, Rt, jnp.eye(ns, dtype=dtype))
    # g_f = P_bot Qt Rt^{-T}, i.e. Rt g_f^T = (P_bot Qt)^T
    g_f = dense_solve(Rt_safe, (P_bot @ Qt).T).T
    # 4. all rows from one linear solve
    M = F_0.at[:, s_idx].add(F_p @ g_f)
    g = -dense_solve(M, F_m)
    # one Newton step on R(g) = 0 polishes the subspace estimate
    g = _newton_polish(F_m, F_0, F_p, g, layout)
    info = jnp.stack([n_stable.astype(dtype), converged.astype(dtype), z1_ok.astype(dtype)])
    return g, info, jnp.atleast_1d(trace)


def _sylvester_tangent(F_m, F_0, F_p, g, C, layout):
    """Solve M X + F_+ (S_f X) g_s = C for X (n x ns), reduced to the forward rows."""
    nf = len(layout.forward)
    f = jnp.asarray(layout.forward, dtype=int)
    M, g_s, _ = _quadratic_matrices(F_m, F_0, F_p, g, layout)
    ok = jnp.all(jnp.isfinite(M))
    M = jnp.where(ok, M, jnp.eye(M.shape[0], dtype=M.dtype))
    MiC = dense_solve(M, C)
    if nf == 0:
        return MiC
    # Two solves, not one on [C, F_p]: C is a tangent (linear) and F_p is not, so they must not
    # share a right-hand side that reverse mode transposes.
    MiFp = dense_solve(M, F_p)
    K = MiFp[f]  # nf x nf
    # X_f + K X_f g_s = (M^{-1} C)_f
    Xf = solve_sylvester(K, g_s, MiC[f])
    return MiC - MiFp @ Xf @ g_s


def _newton_polish(F_m, F_0, F_p, g, layout):
    R = quadratic_residual(F_m, F_0, F_p, g, layout)
    return g + _sylvester_tangent(F_m, F_0, F_p, g, -R, layout)


@functools.partial(jax.custom_jvp, nondiff_argnums=(3, 4, 5))
def solve_gx(F_m, F_0, F_p, layout, qz_criterium=1.000001, max_steps=80):
    """g_x from the Jacobian blocks; returns (g_x, info, trace of the stable projector).

    `info` = (number of stable eigenvalues, converged flag, Z11-invertible flag) as floats.
    """
    return _solve_gx(F_m, F_0, F_p, layout, qz_criterium, max_steps)


@solve_gx.defjvp
def _solve_gx_jvp(layout, qz_criterium, max_steps, primals, tangents):
    F_m, F_0, F_p = primals
    dF_m, dF_0, dF_p = tangents
    g, info, sv = solve_gx(F_m, F_0, F_p, layout, qz_criterium, max_steps)
    if g.shape[1] == 0:
        return (g, info, sv), (jnp.zeros_like(g), jnp.zeros_like(info), jnp.zeros_like(sv))
    _, g_s, g_f = _quadratic_matrices(F_m, F_0, F_p, g, layout)
    C = dF_m + dF_0 @ g + dF_p @ g_f @ g_s
    dg = _sylvester_tangent(F_m, F_0, F_p, g, -C, layout)
    return (g, info, sv), (dg, jnp.zeros_like(info), jnp.zeros_like(sv))


def first_order_rule(model, J, qz_criterium, max_steps):
    """The first-order rule and its result code from the Jacobian J = ∂f/∂(ŝ, y, y^f', u).

    **Returns:** `(g_x, g_u, M, n_stable, residual, result)` with M = F_0 + F_+ g_f S_s (shared
    with the second-order solver), the Blanchard–Kahn count, the max abs residual of the
    matrix quadratic and a [`jaxmacro.RESULTS`][] code (non-finite Jacobian, BK count, rank,
    convergence, residual). g_x and g_u are not NaN'd here: the caller does that.
    """
    n, ne = model.n_vars, model.n_shocks
    layout = model.structure
    s = jnp.asarray(layout.states, dtype=int)
    f = jnp.asarray(layout.forward, dtype=int)
    sl_s, sl_c, sl_f, sl_u = split_v(layout, ne)
    finite = jnp.all(jnp.isfinite(J))
    J = jnp.where(finite, J, jnp.zeros_like(J))
    F_m, F_0, F_p, F_u = J[:, sl_s], J[:, sl_c], J[:, sl_f], J[:, sl_u]
    F_0 = jnp.where(finite, F_0, jnp.eye(n, dtype=F_0.dtype))
    g_x, info, _ = solve_gx(F_m, F_0, F_p, layout, qz_criterium, max_steps)
    n_stable = info[0].astype(int)
    converged = info[1] > 0.5
    z1_ok = info[2] > 0.5
    M = F_0.at[:, s].add(F_p @ g_x[f])
    g_u = -dense_solve(M, F_u)
    R = quadratic_residual(F_m, F_0, F_p, g_x, layout)
    scale = 1.0 + jnp.max(jnp.abs(F_0)) * (1.0 + jnp.max(jnp.abs(g_x), initial=0.0) ** 2)
    residual = jnp.max(jnp.abs(R)) if R.size else jnp.asarray(0.0, F_0.dtype)
    ns = len(layout.states)
    result = RESULTS.successful
    result = RESULTS.where(~(residual <= 1e-8 * scale), RESULTS.perturbation_not_converged, result)
    result = RESULTS.where(~converged, RESULTS.perturbation_not_converged, result)
    result = RESULTS.where(~z1_ok, RESULTS.bk_rank_failure, result)
    # M singular (e.g. a static block with dependent equations): g_u is not finite
    rule_finite = jnp.all(jnp.isfinite(g_u)) & jnp.all(jnp.isfinite(g_x))
    result = RESULTS.where(~rule_finite, RESULTS.bk_rank_failure, result)
    result = RESULTS.where(n_stable > ns, RESULTS.bk_indeterminate, result)
    result = RESULTS.where(n_stable < ns, RESULTS.bk_no_stable_solution, result)
    result = RESULTS.where(~finite, RESULTS.nonfinite_model, result)
    return g_x, g_u, M, n_stable, residual, result
