r"""Normal-time equilibrium of Kraay–Loayza–Servén–Ventura (2000) given the wealth distribution.

With log utility, portfolios are myopic, so in normal times ($s = 0$) prices and portfolios are
a *static* function of the wealth distribution $(a, a^*)$. Writing $W = a + a^*$,
$k^* = W - k$, $D = k - \lambda e$, $D^* = k^* - \lambda e^*$ (post-crisis wealth):

$$\pi = \theta k^{-\gamma},\quad \pi^* = \theta^* k^{*\,-\gamma},\quad
\rho = \pi - \sigma^2\frac{k-e}{a},\quad \rho^* = \pi^* - \sigma^{*2}\frac{k^*-e^*}{a^*},\quad
r = \rho + \alpha\frac{a}{D},$$

$$v = \frac{\rho + \lambda(r-\rho)}{r},\qquad v^* = \frac{\rho^* + \lambda(r-\rho^*)}{r}.$$

The unknowns $(k, e, e^*)$ solve the nonlinear complementarity problem

$$R_1 = r - \rho^* - \alpha\frac{a^*}{D^*} = 0,\qquad
0 \le e \perp -g_e \ge 0,\qquad 0 \le e^* \perp -g_{e^*} \ge 0,$$

$$g_e = \pi - r v - \sigma^2\frac{e}{a^*} = \sigma^2\frac{k-e}{a} - \lambda(r-\rho) - \sigma^2\frac{e}{a^*},\qquad
g_{e^*} = \sigma^{*2}\frac{k^*-e^*}{a^*} - \lambda(r-\rho^*) - \sigma^{*2}\frac{e^*}{a},$$

and loans follow from the budget identity $l = a - k + v e - v^* e^*$.

The NCP is solved by a globalised semismooth Newton method on the Fischer–Burmeister
reformulation $\phi(p, q) = p + q - \sqrt{p^2 + q^2}$ (backtracking line search on
$\tfrac12\lVert\Phi\rVert^2$), started from the loans-only solution (a monotone one-dimensional
bisection) or from a warm start, whichever has the smaller merit. The active set of the solution
is then frozen and the smooth within-regime system is handed to `jax.lax.custom_root`, so
derivatives are given exactly by the implicit function theorem inside a regime.
"""

from typing import Literal

import equinox as eqx
import jax
import jax.lax as lax
import jax.numpy as jnp
import numpy as np
import optimistix as optx
from jaxtyping import Array, ArrayLike, Bool, Float, Int

from ...internal import dense_solve
from ._params import KraayParams, check_params, params_valid

ThetaMode = Literal["fixed", "avg_return_4pct"]
Selection = Literal["default", "frictionless_if_consistent"]
THETA_MODES = ("fixed", "avg_return_4pct")
_SELECTIONS = ("default", "frictionless_if_consistent")


class RESULTS(optx.RESULTS):  # pyright: ignore[reportGeneralTypeIssues]
    """Result codes of [`jaxmacro.models.kraay2000.equilibrium`][] (extends `optx.RESULTS`)."""

    invalid_input = (
        "Wealth or parameters outside the model's domain: need a > 0, a_star > 0, "
        "0 <= gamma <= 1, sigma >= 0, alpha >= 0, 0 <= lam < 1, theta > 0."
    )
    complementarity_violated = (
        "The Newton iteration stopped at a point that violates the complementarity conditions "
        "of the equilibrium. Try a cold start (`init=None`) or a larger `max_steps`."
    )


# ----------------------------------------------------------------------------------------------
# Model primitives
# ----------------------------------------------------------------------------------------------


class _Point(eqx.Module):
    k: Array
    k_star: Array
    e: Array
    e_star: Array
    theta: Array
    theta_star: Array
    pi: Array
    pi_star: Array
    rho: Array
    rho_star: Array
    r: Array
    D: Array
    D_star: Array
    g_e: Array
    g_e_star: Array
    r1: Array


def thetas(k, k_star, W, p: KraayParams, theta_mode: str):
    if theta_mode == "fixed":
        return p.theta, p.theta_star
    # Average return to capital held at theta: theta_eff (k^{1-g} + k*^{1-g}) / W = theta.
    scale = W / (k ** (1 - p.gamma) + k_star ** (1 - p.gamma))
    return p.theta * scale, p.theta_star * scale


def _evaluate(x, a, a_star, p: KraayParams, theta_mode: str) -> _Point:
    k, e, e_star = x[0], x[1], x[2]
    W = a + a_star
    k_star = W - k
    theta, theta_star = thetas(k, k_star, W, p, theta_mode)
    pi = theta * k ** (-p.gamma)
    pi_star = theta_star * k_star ** (-p.gamma)
    s2, s2_star = p.sigma**2, p.sigma_star**2
    D = k - p.lam * e
    D_star = k_star - p.lam * e_star
    rho = pi - s2 * (k - e) / a
    rho_star = pi_star - s2_star * (k_star - e_star) / a_star
    r = rho + p.alpha * a / D
    # g = pi - r v - sigma^2 e / a*, with pi - r v = pi - rho - lam (r - rho) (no division by r).
    g_e = s2 * (k - e) / a - p.lam * (r - rho) - s2 * e / a_star
    g_e_star = s2_star * (k_star - e_star) / a_star - p.lam * (r - rho_star) - s2_star * e_star / a
    r1 = r - rho_star - p.alpha * a_star / D_star
    return _Point(
        k, k_star, e, e_star, theta, theta_star, pi, pi_star, rho, rho_star, r, D, D_star,
        g_e, g_e_star, r1,
    )  # fmt: skip


def _scales(a, a_star, p: KraayParams):
    """Constant residual scales putting every equation in units of wealth."""
    W = a + a_star
    inv = 1 / a + 1 / a_star
    s2, s2_star = p.sigma**2, p.sigma_star**2
    c1 = (
        s2 / a
        + s2_star / a_star
        + p.alpha * inv
        + p.gamma * (p.theta + p.theta_star) * W ** (-1 - p.gamma)
    )
    c1 = jnp.where(c1 > 0, c1, 1.0)
    ce = (s2 + p.lam**2 * p.alpha) * inv
    ce_star = (s2_star + p.lam**2 * p.alpha) * inv
    return c1, jnp.where(ce > 0, ce, 1.0), jnp.where(ce_star > 0, ce_star, 1.0)


def _degenerate(p: KraayParams):
    # gamma = sigma = alpha = 0: any k solves R1; use the alpha -> 0 limit k = W/2.
    return (p.gamma == 0) & (p.sigma == 0) & (p.sigma_star == 0) & (p.alpha == 0)


def _fb(x, y):
    """Fischer–Burmeister function with a finite generalised derivative at (0, 0)."""
    n2 = x**2 + y**2
    pos = n2 > 0
    norm = jnp.where(pos, jnp.sqrt(jnp.where(pos, n2, 1.0)), 0.0)
    return x + y - norm


def _residual(x, a, a_star, p: KraayParams, theta_mode: str, active=None):
    """Scaled residual: Fischer–Burmeister form (`active=None`) or the within-regime system."""
    pt = _evaluate(x, a, a_star, p, theta_mode)
    c1, ce, ce_star = _scales(a, a_star, p)
    W = a + a_star
    r1 = jnp.where(_degenerate(p), pt.k - W / 2, pt.r1 / c1)
    q_e = -pt.g_e / ce
    q_e_star = -pt.g_e_star / ce_star
    if active is None:
        r2 = _fb(pt.e, q_e)
        r3 = _fb(pt.e_star, q_e_star)
    else:
        r2 = jnp.where(active[0], q_e, pt.e)
        r3 = jnp.where(active[1], q_e_star, pt.e_star)
    # sigma = 0: equity is (weakly) dominated; set e = 0.
    r2 = jnp.where(p.sigma == 0, pt.e, r2)
    r3 = jnp.where(p.sigma_star == 0, pt.e_star, r3)
    return jnp.stack([r1, r2, r3])


def _in_domain(x, a, a_star, p: KraayParams):
    W = a + a_star
    k, e, e_star = x[0], x[1], x[2]
    return (k > 0) & (k < W) & (k - p.lam * e > 0) & (W - k - p.lam * e_star > 0)


def _merit(x, a, a_star, p, theta_mode):
    F = _residual(x, a, a_star, p, theta_mode)
    psi = 0.5 * jnp.sum(F**2)
    ok = _in_domain(x, a, a_star, p) & jnp.isfinite(psi)
    return jnp.where(ok, psi, jnp.inf), F


# ----------------------------------------------------------------------------------------------
# Solver
# ----------------------------------------------------------------------------------------------


def _cold_start(a, a_star, p: KraayParams, theta_mode: str, n_bisect: int = 64):
    """Loans-only allocation: R1(k, 0, 0) is strictly decreasing in k, so bisect on (0, W)."""
    W = a + a_star
    zero = jnp.zeros_like(W)

    def body(_, lohi):
        lo, hi = lohi
        mid = 0.5 * (lo + hi)
        pos = _evaluate(jnp.stack([mid, zero, zero]), a, a_star, p, theta_mode).r1 > 0
        return jnp.where(pos, mid, lo), jnp.where(pos, hi, mid)

    lo, hi = lax.fori_loop(0, n_bisect, body, (zero, W))
    k0 = jnp.where(_degenerate(p), W / 2, 0.5 * (lo + hi))
    return jnp.stack([k0, zero, zero])


_N_BACKTRACK = 31


def _newton_fb(x0, a, a_star, p, theta_mode, max_steps: int, tol):
    """Semismooth Newton on the Fischer–Burmeister system with a backtracking line search."""
    fn = lambda x: _residual(x, a, a_star, p, theta_mode)
    merit = lambda x: _merit(x, a, a_star, p, theta_mode)
    ts = 0.5 ** jnp.arange(_N_BACKTRACK, dtype=x0.dtype)
    psi0, F0 = merit(x0)

    def cond(carry):
        x, F, psi, n, stalled = carry
        return (jnp.max(jnp.abs(F)) > tol) & (n < max_steps) & ~stalled & jnp.isfinite(psi)

    def body(carry):
        x, F, psi, n, _ = carry
        J = jax.jacfwd(fn)(x)
        d = dense_solve(J, -F)
        newton_ok = jnp.all(jnp.isfinite(d))
        d = jnp.where(newton_ok, d, -J.T @ F)
        d = jnp.where(jnp.all(jnp.isfinite(d)), d, 0.0)
        xs = x[None, :] + ts[:, None] * d[None, :]
        psis, Fs = jax.vmap(merit)(xs)
        armijo = psis <= (1 - 1e-4 * ts) * psi
        first = jnp.argmax(armijo)
        best = jnp.argmin(psis)
        idx = jnp.where(jnp.any(armijo), first, best)
        improved = psis[idx] < psi
        x_new = jnp.where(improved, xs[idx], x)
        F_new = jnp.where(improved, Fs[idx], F)
        psi_new = jnp.where(improved, psis[idx], psi)
        return x_new, F_new, psi_new, n + 1, ~improved

    init = (x0, F0, psi0, jnp.array(0), jnp.array(False))
    x, F, psi, n, stalled = lax.while_loop(cond, body, init)
    return x, F, n


def _polish(f, x0):
    def step(x, _):
        J = jax.jacfwd(f)(x)
        x_new = x - dense_solve(J, f(x))
        ok = jnp.all(jnp.isfinite(x_new))
        return jnp.where(ok, x_new, x), None

    x, _ = lax.scan(step, x0, None, length=2)
    return x


def _tangent_solve(g, y):
    return dense_solve(jax.jacobian(g)(y), y)


# ----------------------------------------------------------------------------------------------
# Outputs
# ----------------------------------------------------------------------------------------------


class Portfolio(eqx.Module):
    r"""One country's balance sheet as shares of its wealth.

    For the North (wealth $a$): `capital` $= k/a$, `lending` $= l/a$,
    `foreign_equity` $= v^* e^*/a$, `equity_sold` $= v e/a$. For the South (wealth $a^*$):
    `capital` $= k^*/a^*$, `lending` $= -l/a^*$ (negative = borrowing),
    `foreign_equity` $= v e/a^*$, `equity_sold` $= v^* e^*/a^*$.
    The budget identity (4) reads `capital + lending + foreign_equity - equity_sold == 1`.
    """

    capital: Float[Array, ""]
    lending: Float[Array, ""]
    foreign_equity: Float[Array, ""]
    equity_sold: Float[Array, ""]

    @property
    def capital_net(self):
        """Net holding of domestic capital, $(k - v e)/a$."""
        return self.capital - self.equity_sold


class Growth(eqx.Module):
    r"""Normal-time growth moments of one country's wealth.

    - `drift`: $E[da/a \mid \text{no crisis}]/dt = [\pi(k-e) + \pi^* e^* + r l]/a - \delta$
      (the quantity in the paper's Figure 9).
    - `sd`: exact diffusion s.d., $\sqrt{(\sigma(k-e))^2 + (\sigma^* e^*)^2}/a$ (library default).
    - `sd_sum`: the paper's Figure-9 form $(\sigma(k-e) + \sigma^* e^*)/a$ (loadings added as if
      the two shocks were perfectly correlated).
    - `jump`: relative jump at the onset of a crisis, $(k - \lambda e - a)/a$.
    - `expected`: unconditional expected growth, `drift + alpha * jump`.
    - `sd_with_jumps`: $\sqrt{\mathrm{sd}^2 + \alpha\,\mathrm{jump}^2}$.
    """

    drift: Float[Array, ""]
    sd: Float[Array, ""]
    sd_sum: Float[Array, ""]
    jump: Float[Array, ""]
    expected: Float[Array, ""]
    sd_with_jumps: Float[Array, ""]


class Equilibrium(eqx.Module):
    r"""Normal-time equilibrium at a wealth distribution $(a, a^*)$.

    Fields follow the paper's notation (North unstarred, South starred): allocations
    `k, k_star, e, e_star, l`; rates `r, rho, rho_star, pi, pi_star`; equity prices
    `v, v_star`; the effective productivities `theta_eff, theta_eff_star`; net foreign asset
    shares `f_over_a` $= (a-k)/a$ and `f_star_over_a_star` $= (a^*-k^*)/a^*$; excess returns
    `g_e, g_e_star` (zero where the market is open, $\le 0$ where it is closed); `regime` $=
    [e > 0, e^* > 0]$ as the solver's active set; `portfolio`, `portfolio_star`
    ([`jaxmacro.models.kraay2000.Portfolio`][]); `growth`, `growth_star`
    ([`jaxmacro.models.kraay2000.Growth`][]).

    Diagnostics: `consistent` is the default-consistency flag — the debtor weakly
    prefers to default at a crisis, $\max_i (k_i - \lambda e_i - a_i) \ge 0$ (for the usual
    North-creditor case this is $k^* - \lambda e^* \ge a^*$); `frictionless_consistent` is
    $a_{\min} > a_{\max}(1-\lambda)$, where the no-default (frictionless) equilibrium would also
    be self-consistent; `result` is a [`jaxmacro.models.kraay2000.RESULTS`][] member;
    `num_steps` the number of Newton steps and `residual` the max-norm of the scaled residual.
    """

    a: Float[Array, ""]
    a_star: Float[Array, ""]
    k: Float[Array, ""]
    k_star: Float[Array, ""]
    e: Float[Array, ""]
    e_star: Float[Array, ""]
    l: Float[Array, ""]
    r: Float[Array, ""]
    rho: Float[Array, ""]
    rho_star: Float[Array, ""]
    v: Float[Array, ""]
    v_star: Float[Array, ""]
    pi: Float[Array, ""]
    pi_star: Float[Array, ""]
    theta_eff: Float[Array, ""]
    theta_eff_star: Float[Array, ""]
    f_over_a: Float[Array, ""]
    f_star_over_a_star: Float[Array, ""]
    g_e: Float[Array, ""]
    g_e_star: Float[Array, ""]
    regime: Bool[Array, "2"]
    portfolio: Portfolio
    portfolio_star: Portfolio
    growth: Growth
    growth_star: Growth
    consistent: Bool[Array, ""]
    frictionless_consistent: Bool[Array, ""]
    result: RESULTS
    num_steps: Int[Array, ""]
    residual: Float[Array, ""]

    @property
    def x(self) -> Float[Array, "... 3"]:
        """The unknowns $(k, e, e^*)$, e.g. to warm-start another solve via `init=`."""
        return jnp.stack([self.k, self.e, self.e_star], axis=-1)


def _safe_sqrt(x):
    pos = x > 0
    return jnp.where(pos, jnp.sqrt(jnp.where(pos, x, 1.0)), 0.0)


def _growth(own_k, own_e, foreign_e, pi, pi_f, r, l_in, a, s_own, s_f, lam, alpha, delta, jumps):
    drift = (pi * (own_k - own_e) + pi_f * foreign_e + r * l_in) / a - delta
    sd = _safe_sqrt((s_own * (own_k - own_e)) ** 2 + (s_f * foreign_e) ** 2) / a
    sd_sum = (s_own * jnp.abs(own_k - own_e) + s_f * foreign_e) / a
    jump = jnp.where(jumps, (own_k - lam * own_e - a) / a, 0.0)
    return Growth(
        drift=drift,
        sd=sd,
        sd_sum=sd_sum,
        jump=jump,
        expected=drift + alpha * jump,
        sd_with_jumps=_safe_sqrt(sd**2 + alpha * jump**2),
    )


def _substitute(valid, value, fallback):
    return jnp.where(valid, value, fallback)


def solve_point(a, a_star, p: KraayParams, init, theta_mode: str, selection: str, max_steps: int):
    dtype = jnp.result_type(a, a_star, p.theta)
    a = jnp.asarray(a, dtype)
    a_star = jnp.asarray(a_star, dtype)
    eps = jnp.finfo(dtype).eps
    valid = params_valid(p) & (a > 0) & (a_star > 0) & jnp.isfinite(a) & jnp.isfinite(a_star)
    # Replace invalid inputs by the base case so that nothing below produces NaN or infinity;
    # the outputs of invalid points are set to NaN and flagged at the end.
    base = KraayParams()
    p = jax.tree_util.tree_map(lambda x, b: _substitute(valid, x, b.astype(x.dtype)), p, base)
    a = _substitute(valid, a, 0.8)
    a_star = _substitute(valid, a_star, 0.2)
    W = a + a_star

    frictionless_ok = jnp.minimum(a, a_star) > jnp.maximum(a, a_star) * (1 - p.lam)
    if selection == "frictionless_if_consistent":
        use_frictionless = frictionless_ok
        p = eqx.tree_at(lambda q: q.alpha, p, jnp.where(use_frictionless, 0.0, p.alpha))
    else:
        use_frictionless = jnp.array(False)

    a_ng, a_star_ng, p_ng = lax.stop_gradient((a, a_star, p))
    x_cold = _cold_start(a_ng, a_star_ng, p_ng, theta_mode)
    if init is None:
        x0 = x_cold
    else:
        x_warm = lax.stop_gradient(jnp.asarray(init, dtype).reshape(3))
        psi_cold, _ = _merit(x_cold, a_ng, a_star_ng, p_ng, theta_mode)
        psi_warm, _ = _merit(x_warm, a_ng, a_star_ng, p_ng, theta_mode)
        x0 = jnp.where(psi_warm < psi_cold, x_warm, x_cold)
    tol = 100 * eps * W
    x_fb, _, num_steps = _newton_fb(x0, a_ng, a_star_ng, p_ng, theta_mode, max_steps, tol)

    # Freeze the active set and differentiate the smooth within-regime system implicitly.
    pt_fb = _evaluate(x_fb, a_ng, a_star_ng, p_ng, theta_mode)
    _, ce, ce_star = _scales(a_ng, a_star_ng, p_ng)
    active = lax.stop_gradient(
        jnp.stack(
            [
                (pt_fb.e > -pt_fb.g_e / ce) & (p_ng.sigma > 0),
                (pt_fb.e_star > -pt_fb.g_e_star / ce_star) & (p_ng.sigma_star > 0),
            ]
        )
    )
    f_active = lambda x: _residual(x, a, a_star, p, theta_mode, active=active)
    x = lax.custom_root(f_active, x_fb, _polish, _tangent_solve)
    x = jnp.stack([x[0], jnp.where(active[0], x[1], 0.0), jnp.where(active[1], x[2], 0.0)])

    # Verify the complementarity conditions at the final point.
    pt = _evaluate(x, a, a_star, p, theta_mode)
    c1, ce, ce_star = _scales(a, a_star, p)
    q_e, q_e_star = -pt.g_e / ce, -pt.g_e_star / ce_star
    acc = 10 * eps**0.75 * W
    r1_ok = jnp.where(_degenerate(p), True, jnp.abs(pt.r1 / c1) <= acc)

    def ncp_ok(z, q, sigma):
        interior = (z >= -acc) & (q >= -acc) & (jnp.minimum(z, q) <= acc)
        return jnp.where(sigma == 0, z == 0, interior)

    ok = r1_ok & ncp_ok(pt.e, q_e, p.sigma) & ncp_ok(pt.e_star, q_e_star, p.sigma_star)
    residual = jnp.max(jnp.abs(_residual(x, a, a_star, p, theta_mode, active=active)))
    finite = jnp.all(jnp.isfinite(x)) & _in_domain(x, a, a_star, p)

    result = RESULTS.successful
    result = RESULTS.where(ok, result, RESULTS.complementarity_violated)
    result = RESULTS.where(
        ok | (num_steps < max_steps), result, RESULTS.nonlinear_max_steps_reached
    )
    result = RESULTS.where(finite, result, RESULTS.nonfinite)
    result = RESULTS.where(valid, result, RESULTS.invalid_input)

    k, e, e_star, k_star = pt.k, pt.e, pt.e_star, pt.k_star
    r, rho, rho_star = pt.r, pt.rho, pt.rho_star
    v = (rho + p.lam * (r - rho)) / r
    v_star = (rho_star + p.lam * (r - rho_star)) / r
    l = a - k + v * e - v_star * e_star
    jumps = ~use_frictionless
    s, s_star = p.sigma, p.sigma_star
    growth = _growth(
        k, e, e_star, pt.pi, pt.pi_star, r, l, a, s, s_star, p.lam, p.alpha, p.delta, jumps
    )
    growth_star = _growth(
        k_star,
        e_star,
        e,
        pt.pi_star,
        pt.pi,
        r,
        -l,
        a_star,
        s_star,
        s,
        p.lam,
        p.alpha,
        p.delta,
        jumps,
    )
    slack = jnp.maximum(k - p.lam * e - a, k_star - p.lam * e_star - a_star)
    eq = Equilibrium(
        a=a,
        a_star=a_star,
        k=k,
        k_star=k_star,
        e=e,
        e_star=e_star,
        l=l,
        r=r,
        rho=rho,
        rho_star=rho_star,
        v=v,
        v_star=v_star,
        pi=pt.pi,
        pi_star=pt.pi_star,
        theta_eff=pt.theta,
        theta_eff_star=pt.theta_star,
        f_over_a=(a - k) / a,
        f_star_over_a_star=(a_star - k_star) / a_star,
        g_e=pt.g_e,
        g_e_star=pt.g_e_star,
        regime=active,
        portfolio=Portfolio(k / a, l / a, v_star * e_star / a, v * e / a),
        portfolio_star=Portfolio(
            k_star / a_star, -l / a_star, v * e / a_star, v_star * e_star / a_star
        ),
        growth=growth,
        growth_star=growth_star,
        consistent=use_frictionless | (slack >= -acc),
        frictionless_consistent=frictionless_ok,
        result=result,
        num_steps=num_steps,
        residual=residual,
    )
    nan_if_invalid = lambda y: (
        jnp.where(valid, y, jnp.nan) if jnp.issubdtype(y.dtype, jnp.floating) else y
    )
    eq = jax.tree_util.tree_map(lambda y: nan_if_invalid(y) if eqx.is_array(y) else y, eq)
    return eq


@eqx.filter_jit
def _equilibrium_jit(a, a_star, params, init, theta_mode, selection, max_steps, throw):
    eq = solve_point(a, a_star, params, init, theta_mode, selection, max_steps)
    if throw:
        eq = eq.result.error_if(eq, eq.result != RESULTS.successful)
    return eq


def _check_static(theta_mode, selection, max_steps):
    if theta_mode not in THETA_MODES:
        raise ValueError(f"theta_mode must be one of {THETA_MODES}, got {theta_mode!r}.")
    if selection not in _SELECTIONS:
        raise ValueError(f"selection must be one of {_SELECTIONS}, got {selection!r}.")
    if not isinstance(max_steps, int) or max_steps < 1:
        raise ValueError(f"max_steps must be a positive int, got {max_steps!r}.")


def equilibrium(
    a: ArrayLike,
    a_star: ArrayLike,
    params: KraayParams,
    *,
    theta_mode: ThetaMode = "fixed",
    selection: Selection = "default",
    init: ArrayLike | Equilibrium | None = None,
    max_steps: int = 100,
    throw: bool = True,
) -> Equilibrium:
    r"""Solve the normal-time equilibrium at wealth $(a, a^*)$ (North, South).

    See the module docstring for the equations. The solve is jit-compiled, can be `jax.vmap`-ed
    over wealth and parameters (or use [`jaxmacro.models.kraay2000.equilibrium_grid`][]), and is
    differentiable in `a`, `a_star` and every field of `params`.

    **Main arguments:**

    - `a`, `a_star`: scalar wealth of North and South (both $> 0$). The paper uses
      $a + a^* = 1$; for $\gamma > 0$ the equilibrium depends on the level $W = a + a^*$ through
      $\theta W^{-\gamma}$.
    - `params`: a [`jaxmacro.models.kraay2000.KraayParams`][] with scalar leaves.

    **Other arguments (keyword only):**

    - `theta_mode`: `"fixed"` (base case, Figs. 7–9) uses $\theta, \theta^*$ as given.
      `"avg_return_4pct"` (Tables 5–6) rescales both productivities by
      $W/(k^{1-\gamma} + k^{*\,1-\gamma})$, so that with $\theta = \theta^*$ the average return
      to capital equals `params.theta` (0.04 in the paper): a fixed point in $k$, solved jointly.
    - `selection`: `"default"` always returns the crisis-default equilibrium;
      `"frictionless_if_consistent"` returns the frictionless (no-default, $\alpha$ set to 0)
      equilibrium wherever it is self-consistent, $a_{\min} > a_{\max}(1-\lambda)$.
    - `init`: warm start, an [`jaxmacro.models.kraay2000.Equilibrium`][] or the vector
      $(k, e, e^*)$. The solver starts from the warm start or from the loans-only allocation,
      whichever has the smaller merit.
    - `max_steps`: maximum number of Newton steps.
    - `throw`: raise (via `equinox.error_if`) if the solve fails. Use `throw=False` under
      `jax.vmap` and inspect `.result`; a failing point is then flagged and the others are
      unaffected.

    **Returns:** an [`jaxmacro.models.kraay2000.Equilibrium`][].

    !!! info "Special cases"
        $\sigma = 0$ sets $e = 0$ ($\sigma^* = 0$ sets $e^* = 0$): equity is dominated if
        $\lambda > 0$ and indeterminate if $\lambda = 0$. If
        $\gamma = \sigma = \alpha = 0$, $k$ is indeterminate and $k = W/2$ (the $\alpha \to 0$
        limit, the convention of Table 5) is returned. $\alpha = 0$ gives the frictionless
        Example-1 equilibrium ($v = v^* = 1$).

    !!! warning "Derivatives at regime boundaries"
        Derivatives are exact inside a regime (implicit function theorem on the active-set
        equations). At a kink, where a market is exactly on the verge of opening ($e = 0$ and
        $g_e = 0$), the market is treated as closed, giving the one-sided derivative from the
        closed side. Second derivatives are not supported across the active-set freeze.
    """
    _check_static(theta_mode, selection, max_steps)
    if not isinstance(params, KraayParams):
        raise TypeError(f"params must be a KraayParams, got {type(params).__name__}.")
    shapes = [jnp.shape(a), jnp.shape(a_star)] + [
        jnp.shape(x) for x in jax.tree_util.tree_leaves(params)
    ]
    if any(s != () for s in shapes):
        raise ValueError(
            "equilibrium solves at one point: a, a_star and every KraayParams field must be "
            "scalars. Use jax.vmap or equilibrium_grid for batches."
        )
    check_params(params)
    for name, value in (("a", a), ("a_star", a_star)):
        if not isinstance(value, jax.core.Tracer) and not np.asarray(value) > 0:
            raise ValueError(f"{name}={value!r} must be positive.")
    if isinstance(init, Equilibrium):
        init = init.x
    # Python floats would be static under `filter_jit` (one compilation per value): make arrays.
    dtype = jnp.result_type(float)
    a, a_star = jnp.asarray(a, dtype), jnp.asarray(a_star, dtype)
    if init is not None:
        init = jnp.asarray(init, dtype)
        if init.shape != (3,):
            raise ValueError(f"init must have shape (3,) = (k, e, e_star), got {init.shape}.")
    return _equilibrium_jit(a, a_star, params, init, theta_mode, selection, max_steps, throw)


def equilibrium_grid(
    a: ArrayLike,
    a_star: ArrayLike,
    params: KraayParams,
    *,
    theta_mode: ThetaMode = "fixed",
    selection: Selection = "default",
    max_steps: int = 100,
) -> Equilibrium:
    """Solve on a grid in one vmapped call.

    `a`, `a_star` and every leaf of `params` are broadcast against each other; the result is an
    [`jaxmacro.models.kraay2000.Equilibrium`][] whose leaves have the broadcast shape (plus a
    trailing `2` for `regime`). Never raises: inspect `.result` and `.consistent`.
    """
    _check_static(theta_mode, selection, max_steps)
    leaves, treedef = jax.tree_util.tree_flatten(params)
    arrays = jnp.broadcast_arrays(
        jnp.asarray(a), jnp.asarray(a_star), *[jnp.asarray(x) for x in leaves]
    )
    shape = arrays[0].shape
    size = int(np.prod(shape, dtype=int))
    if size == 0:
        raise ValueError("equilibrium_grid needs at least one point.")
    # Pad the flat batch to a size in {64, 256, 1024, ...} so that grids of similar sizes share
    # one compilation; padding repeats the first point and is dropped afterwards.
    padded = 64
    while padded < size:
        padded *= 4
    dtype = jnp.result_type(float)
    flat = [jnp.asarray(x, dtype).reshape(-1) for x in arrays]
    flat = [jnp.concatenate([x, jnp.broadcast_to(x[:1], (padded - size,))]) for x in flat]
    p_flat = jax.tree_util.tree_unflatten(treedef, flat[2:])
    eq = _grid_jit(flat[0], flat[1], p_flat, theta_mode, selection, max_steps)
    return jax.tree_util.tree_map(lambda y: y[:size].reshape(shape + y.shape[1:]), eq)


@eqx.filter_jit
def _grid_jit(a, a_star, params, theta_mode, selection, max_steps):
    solve = lambda a_, as_, p_: solve_point(a_, as_, p_, None, theta_mode, selection, max_steps)
    return jax.vmap(solve)(a, a_star, params)
