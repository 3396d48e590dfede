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
from collections.abc import Sequence

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float

from .._misc import check_count, throw_if_failed
from .._results import RESULTS
from .._solution import Solution
from ._pruning import second_order_parts
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
        eps01, w = monomial_rule(ne)
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


def monomial_rule(ne):
    """The degree-3 monomial rule for ε ~ N(0, I_ne): nodes ±√ne e_j, equal weights (exact
    for polynomials of degree ≤ 3); ne = 0 gives the one node of an empty shock vector."""
    if ne == 0:
        return np.zeros((1, 0)), np.ones(1)
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


# ------------------------------------------------------------------------------------------
# Coefficient matching: the conditions expanded on [1, z, vech(zz')] and σ², σ²z
# ------------------------------------------------------------------------------------------


def taylor_blocks(F, nz: int, dtype):
    """The coefficients of F(z, σ) (a vector function, even in σ) at (0, 0) that the
    Evans–Hnatkovska truncation keeps:

        F(z, σ) ≈ c_0 + c_x z + Σ_{i≤j} c_xx[ij] z_i z_j + σ² (c_σσ + c_σσx z),

    returned as ``(c_0, c_x, c_xx, c_σσ, c_σσx)`` with `c_xx` on vech(zz') in row-major
    upper-triangle order (i ≤ j: ½∂²F/∂z_i² on the diagonal, ∂²F/∂z_i∂z_j off it). Exact
    derivatives (forward mode); σz, σ³ and higher terms are not formed."""
    z0 = jnp.zeros(nz, dtype)
    s0 = jnp.zeros((), dtype)
    c0 = F(z0, s0)
    cx = jax.jacfwd(lambda z: F(z, s0))(z0)
    H = jax.jacfwd(jax.jacfwd(lambda z: F(z, s0)))(z0)
    iu, ju = np.triu_indices(nz)
    cxx = jnp.where(iu == ju, 0.5, 1.0) * H[:, iu, ju]

    css, cssx = sigma2_blocks(F, nz, dtype)
    return c0, cx, cxx, css, cssx


def sigma2_blocks(F, nz: int, dtype):
    """(c_σσ, c_σσx) of [`taylor_blocks`][] only: ½∂²F/∂σ² and its z-slope at (0, 0)."""
    z0 = jnp.zeros(nz, dtype)
    s0 = jnp.zeros((), dtype)

    def half_second(z):
        return 0.5 * jax.jacfwd(jax.jacfwd(lambda s: F(z, s)))(s0)

    return half_second(z0), jax.jacfwd(half_second)(z0)


class Expansion(eqx.Module):
    """Equilibrium conditions expanded on [1, z, vech(zz')] and σ², σ²z
    ([`jaxmacro.expansion_residuals`][]).

    **Fields:** `conditions` (static names: the model's equations, then the covariance
    conditions `cov(a,b)`), `kinds` (static: "equation" or "covariance" per condition), `z`
    (static names of the expansion variables: the states of the previous period, then the
    shocks of the period), `order` (static, the solution's order), and the coefficient blocks
    `const` (n_c,), `x` (n_c, n_z), `xx` (n_c, n_z(n_z+1)/2, on vech(zz')), `sigma2` (n_c,),
    `sigma2_x` (n_c, n_z); `held` (n_c,): the largest |coefficient| of the blocks the
    solution is meant to zero for that condition; `max_residual`: the largest of `held`;
    `result`.

    Which blocks are held: for a model equation, 1, z (and at order 2 vech(zz') and σ²); the
    σ²z block of a model equation needs the third-order term g_σσz, which a second-order
    solution does not have, so it is reported (`sigma2_x`) but not held, unless the terms were
    given (`g_ssz`, static flag `sigma_z`: the Evans–Hnatkovska premia feedback). For a covariance
    condition, σ² and σ²z (its other blocks vanish identically).
    """

    conditions: tuple[str, ...] = eqx.field(static=True)
    kinds: tuple[str, ...] = eqx.field(static=True)
    z: tuple[str, ...] = eqx.field(static=True)
    order: int = eqx.field(static=True)
    sigma_z: bool = eqx.field(static=True)
    const: Float[Array, " n_c"]
    x: Float[Array, "n_c n_z"]
    xx: Float[Array, "n_c n_vech"]
    sigma2: Float[Array, " n_c"]
    sigma2_x: Float[Array, "n_c n_z"]
    held: Float[Array, " n_c"]
    max_residual: Array
    result: RESULTS

    def report(self) -> str:
        """One line per condition: the largest |coefficient| of each block (held blocks
        unmarked, blocks the solution's order does not zero in brackets)."""
        w = max(len(c) for c in self.conditions)
        lines = [
            f"expansion residuals (order {self.order}), largest |coefficient| per block; "
            f"max held: {float(self.max_residual):.2e}",
            f"  {'condition':<{w}} {'1':>10} {'z':>10} {'vech(zz)':>10} {'s2':>10} {'s2 z':>10}",
        ]
        blocks = [self.const[:, None], self.x, self.xx, self.sigma2[:, None], self.sigma2_x]
        big = [np.max(np.abs(np.asarray(b)), axis=1, initial=0.0) for b in blocks]
        for i, (c, kind) in enumerate(zip(self.conditions, self.kinds)):
            held = _held_blocks(kind, self.order, self.sigma_z)
            cells = []
            for b in range(5):
                v = f"{big[b][i]:.2e}"
                cells.append(f"{v:>10}" if held[b] else f"{'(' + v + ')':>10}")
            lines.append(f"  {c:<{w}} " + " ".join(cells))
        return "\n".join(lines)


def _held_blocks(kind: str, order: int, sigma_z: bool = False) -> tuple[bool, ...]:
    if kind == "covariance":
        return (False, False, False, True, True)
    return (True, True, order >= 2, order >= 2, sigma_z)


def expansion_residuals(
    solution: Solution,
    *,
    covariances: Sequence[tuple[str, str]] = (),
    g_ssz=None,
    throw: bool = True,
) -> Expansion:
    """Verify a solution by coefficient matching: every equilibrium condition expanded on
    [1, z, vech(zz')] and σ², σ²z (the Evans–Hnatkovska truncation; z³, σ²z², σ⁴ dropped).

    For the state z = (ŝ_{t-1}, u_t) and the perturbation scale σ (next period's shocks
    u_{t+1} = σε, ε ~ N(0, Ω), and the constants ½σ²g_σσ of the rule), the conditions are

        F_i(z, σ) = E_t f_i(y_{t-1}, y_t, y_{t+1}, u_t)                 (model equations)
        C_ab(z, σ) = Cov_t(a_{t+1}, b_{t+1}) / Var_0(b_{t+1})            (`covariances`)

    under the solution's rule y(ŝ, u; σ), with E_t by the degree-3 monomial rule
    ε = ±√n_e L e_j (exact for every coefficient formed: they are quadratic in ε). Their Taylor
    coefficients at (0, 0) are taken by forward-mode differentiation. This is independent of
    how the solution was computed: a first-order solution leaves the σ² and vech(zz') blocks of
    the equations non-zero, a portfolio rule off its root leaves the σ²z block of its
    covariance condition non-zero. Covariance conditions are those of two-country portfolio
    problems: a = the SDF differential, b = an excess return (Devereux–Sutherland's and
    Evans–Hnatkovska's conditions Cov_t(D, r̂x) = 0 at σ² and σ²ŝ).

    **Arguments:**

    - `solution`: a [`jaxmacro.Solution`][] (order 1 or 2).
    - `covariances` (keyword-only): pairs (a, b) of model variable names.
    - `g_ssz`: the σ²z terms of the rule, y += ½σ² g_ssz z (n × (n_s + n_e); the
      Evans–Hnatkovska premia feedback, [`jaxmacro.EHSolution`][] `g_ssz`). With them the σ²z
      block of the model equations is held too.
    - `throw`: raise if the solution failed, or report it in `result` (NaN numbers).

    **Returns:** an [`jaxmacro.Expansion`][]; `max_residual` is the largest held coefficient.
    """
    model = solution.model
    pairs = tuple((str(a), str(b)) for a, b in covariances)
    for a, b in pairs:
        for v in (a, b):
            if v not in model.variables:
                raise ValueError(
                    f"unknown variable {v!r} in covariances; declared: {', '.join(model.variables)}"
                )
    idx = tuple((model.variables.index(a), model.variables.index(b)) for a, b in pairs)
    if g_ssz is not None:
        nz = len(model.states) + len(solution.shocks)
        if g_ssz.shape[-2:] != (len(model.variables), nz):
            raise ValueError(
                f"`g_ssz` must be n_variables x (n_states + n_shocks) = "
                f"{len(model.variables)} x {nz}, got {g_ssz.shape}"
            )
    out = _expansion_jit(solution, idx, pairs, g_ssz)
    return throw_if_failed(out, throw)


def sigma_rule(sol, g_ssz=None):
    """The solution's rule as a function of the perturbation scale σ, and the quadrature for
    next period's shocks: ``(rule, eps, w)`` with rule(ŝ, u, σ) = y(ŝ, u) without its constant
    + ½σ²(g_σσ + g_ssz (ŝ, u)) and (eps, w) the degree-3 monomial nodes for u ~ N(0, Ω)
    (scale them by σ). Shared by the coefficient-matching reports."""
    dt = sol.g_x.dtype
    g_ss = second_order_parts(sol)[3]
    eps01, w = monomial_rule(len(sol.shocks))
    eps = jnp.asarray(eps01, dt) @ shock_factor(sol.shock_cov).T

    def rule(s, u, sig):
        y = sol.rule(s, u, constant=False) + 0.5 * sig**2 * g_ss
        if g_ssz is not None:
            y = y + 0.5 * sig**2 * (g_ssz @ jnp.concatenate([s, u]))
        return y

    return rule, eps, jnp.asarray(w, dt)


def condition_function(sol, idx=(), g_ssz=None):
    """F(z, σ) of [`jaxmacro.expansion_residuals`][]: the model's conditions E_t f and, for each
    pair (a, b) of variable indices in `idx`, Cov_t(a, b) and then Var_t(b), at z = (ŝ_{t-1},
    u_t) and scale σ, under the solution's rule plus the σ²z terms ½σ² g_ssz z (if given)."""
    model = sol.model
    st = np.asarray(model.structure.states, dtype=int)
    ns = len(st)
    ybar = sol.steady_state
    rule, eps, w = sigma_rule(sol, g_ssz)

    def F(z, sig):
        s_lag, u_t = z[:ns], z[ns:]
        y_lag = ybar.at[st].add(s_lag)
        y_t = rule(s_lag, u_t, sig)
        leads = jax.vmap(lambda e: rule(y_t[st] - ybar[st], sig * e, sig))(eps)
        f = jax.vmap(lambda yl: jnp.asarray(model.evaluate(y_lag, y_t, yl, u_t, sol.params)))(leads)
        out = [w @ f]
        if idx:
            a = leads[:, np.asarray([i for i, _ in idx])]
            b = leads[:, np.asarray([j for _, j in idx])]
            ma, mb = w @ a, w @ b
            out += [w @ (a * b) - ma * mb, w @ (b * b) - mb * mb]
        return jnp.concatenate(out)

    return F


@eqx.filter_jit
def _expansion_jit(sol, idx, pairs, g_ssz):
    model = sol.model
    ns, ne = len(model.states), len(sol.shocks)
    dt = sol.g_x.dtype
    F = condition_function(sol, idx, g_ssz)
    c0, cx, cxx, css, cssx = taylor_blocks(F, ns + ne, dt)
    neq, nc = len(model.equations), len(idx)
    if nc:
        var0 = css[neq + nc :]  # σ² coefficient of Var_t(b)
        cut = lambda a: a[: neq + nc]  # noqa: E731
        c0, cx, cxx, css, cssx = map(cut, (c0, cx, cxx, css, cssx))
        css = css.at[neq:].divide(var0)
        cssx = cssx.at[neq:].divide(var0[:, None])
    kinds = ("equation",) * neq + ("covariance",) * nc
    blocks = [c0[:, None], cx, cxx, css[:, None], cssx]
    biggest = jnp.stack([jnp.max(jnp.abs(b), axis=1, initial=0.0) for b in blocks], axis=1)
    mask = np.array([_held_blocks(k, sol.order, g_ssz is not None) for k in kinds])
    held = jnp.max(jnp.where(mask, biggest, 0.0), axis=1)
    ok = sol.result == RESULTS.successful
    nan = lambda a: jnp.where(ok, a, jnp.nan)  # noqa: E731
    z_names = tuple(f"{v}(-1)" for v in model.states) + tuple(sol.shocks)
    return Expansion(
        conditions=tuple(model.equations) + tuple(f"cov({a},{b})" for a, b in pairs),
        kinds=kinds,
        z=z_names,
        order=int(sol.order),
        sigma_z=g_ssz is not None,
        const=nan(c0),
        x=nan(cx),
        xx=nan(cxx),
        sigma2=nan(css),
        sigma2_x=nan(cssx),
        held=nan(held),
        max_residual=nan(jnp.max(held)),
        result=sol.result,
    )
