r"""Jump-diffusion simulation of the wealth distribution.

State $(a, a^*, s)$, $s \in \{0, 1\}$ (normal, crisis). On a time grid of step $\Delta t$:

* **Normal times** ($s = 0$): the static equilibrium is solved at the current wealth (warm-started
  from the previous step). A crisis starts at the beginning of the step with the exact Poisson
  probability $1 - e^{-\alpha\Delta t}$; at its onset every cross-border position is wiped out,
  $a \to k - \lambda e$, $a^* \to k^* - \lambda e^*$ (an exact, non-Gaussian jump). Otherwise
  wealth follows the log-Euler step of (3)/(3*) with $c = \delta a$:
  $\ln a' = \ln a + (\mu - \tfrac12\lVert b\rVert^2)\Delta t + \sqrt{\Delta t}\, b\cdot z$, with
  $\mu$ the normal-time drift and loadings $b = (\sigma(k-e), \sigma^* e^*)/a$ on $(d\omega, d\omega^*)$
  (South: $b^* = (\sigma e, \sigma^*(k^*-e^*))/a^*$).
* **Crisis** ($s = 1$): autarky, $k = a$: $\ln a' = \ln a + (\theta a^{-\gamma} - \delta -
  \tfrac12\sigma^2)\Delta t + \sigma\sqrt{\Delta t}\,z$. At the end of each crisis step the crisis
  ends with probability $1 - e^{-\beta\Delta t}$; trade restarts at the equilibrium of the
  current wealth without a jump.

Scale: for $\gamma > 0$ the equilibrium depends on $W = a + a^*$ through
$\theta W^{-\gamma}$. `detrended=True` (default, the "balanced growth" reading) solves every
equilibrium at the shares $(a/W, a^*/W)$, i.e. holds $\theta_{\text{eff}} = \theta W^{-\gamma}$ at its
$W = 1$ value; `detrended=False` solves in levels, so NFA positions shrink as the world grows.
"""

import equinox as eqx
import jax
import jax.lax as lax
import jax.numpy as jnp
import jax.random as jr
import numpy as np
from jaxtyping import Array, Bool, Float, Int, PRNGKeyArray

from ._equilibrium import RESULTS, THETA_MODES, solve_point, thetas
from ._params import KraayParams, check_params


class Simulation(eqx.Module):
    r"""Simulated panel of North–South economies.

    Observations are taken at the start of every year, $t = 0, 1, \dots, \text{years} - 1$
    (arrays of shape `(n_paths, years)`). North quantities are unstarred, South starred;
    gross positions are shares of the country's own wealth and are zero in crises (autarky):
    `equity_assets` (foreign equity held), `equity_liabilities` (own equity held by foreigners),
    `lending`, `borrowing` ($\max(\pm l, 0)$ over wealth).

    Counters (shape `(n_paths,)`): `n_crises` (crisis onsets) out of `n_normal_steps` steps that
    started in normal times, `n_exits` out of `n_crisis_steps` crisis steps, and `n_failed`
    normal-time steps whose equilibrium solve failed (those steps use autarky dynamics).

    With `record_steps=True`, `crisis_onset`, `pre_jump` and `post_jump` hold, for every time
    step, whether a crisis started and the wealth $(a, a^*)$ just before and after the jump
    (shapes `(n_paths, n_steps)` and `(n_paths, n_steps, 2)`); otherwise they are `None`.
    """

    t: Float[Array, " n_obs"]
    a: Float[Array, "n_paths n_obs"]
    a_star: Float[Array, "n_paths n_obs"]
    crisis: Bool[Array, "n_paths n_obs"]
    consistent: Bool[Array, "n_paths n_obs"]
    f_over_a: Float[Array, "n_paths n_obs"]
    f_star_over_a_star: Float[Array, "n_paths n_obs"]
    equity_assets: Float[Array, "n_paths n_obs"]
    equity_liabilities: Float[Array, "n_paths n_obs"]
    lending: Float[Array, "n_paths n_obs"]
    borrowing: Float[Array, "n_paths n_obs"]
    equity_assets_star: Float[Array, "n_paths n_obs"]
    equity_liabilities_star: Float[Array, "n_paths n_obs"]
    lending_star: Float[Array, "n_paths n_obs"]
    borrowing_star: Float[Array, "n_paths n_obs"]
    n_crises: Int[Array, " n_paths"]
    n_normal_steps: Int[Array, " n_paths"]
    n_exits: Int[Array, " n_paths"]
    n_crisis_steps: Int[Array, " n_paths"]
    n_failed: Int[Array, " n_paths"]
    crisis_onset: Bool[Array, "n_paths n_steps"] | None
    pre_jump: Float[Array, "n_paths n_steps 2"] | None
    post_jump: Float[Array, "n_paths n_steps 2"] | None
    dt: float = eqx.field(static=True)


def _path(
    key,
    a0,
    a_star0,
    s0,
    p,
    *,
    years,
    steps_per_year,
    detrended,
    theta_mode,
    max_steps,
    record_steps,
):
    dt = 1.0 / steps_per_year
    p_crisis = -jnp.expm1(-p.alpha * dt)
    p_exit = -jnp.expm1(-p.beta * dt)
    dtype = jnp.result_type(a0, a_star0, p.theta)
    zero = jnp.zeros((), dtype)

    def step(carry, key):
        a, a_star, s, x_warm, counts = carry
        W = a + a_star
        scale = W if detrended else jnp.ones_like(W)
        eq = solve_point(a / scale, a_star / scale, p, x_warm, theta_mode, "default", max_steps)
        ok = eq.result == RESULTS.successful
        k_u, k_z = jr.split(key)
        u = jr.uniform(k_u, (2,), dtype)
        z = jr.normal(k_z, (4,), dtype)
        normal = s == 0
        onset = normal & (u[0] < p_crisis)
        # Crisis onset: cross-border positions are wiped out (exact jump).
        a_post = scale * (eq.k - p.lam * eq.e)
        a_star_post = scale * (eq.k_star - p.lam * eq.e_star)
        a1 = jnp.where(onset, a_post, a)
        a_star1 = jnp.where(onset, a_star_post, a_star)
        crisis = ~normal | onset
        trade = ~crisis & ok
        # Normal times: log-Euler step of the budget constraints (3), (3*).
        b = jnp.stack([p.sigma * (eq.k - eq.e), p.sigma_star * eq.e_star]) / eq.a
        b_star = jnp.stack([p.sigma * eq.e, p.sigma_star * (eq.k_star - eq.e_star)]) / eq.a_star
        dw = jnp.sqrt(dt) * z[:2]
        g_n = (eq.growth.drift - 0.5 * jnp.sum(b**2)) * dt + b @ dw
        g_n_star = (eq.growth_star.drift - 0.5 * jnp.sum(b_star**2)) * dt + b_star @ dw
        # Crisis (autarky, k = a): own technology only.
        W1 = a1 + a_star1
        scale1 = W1 if detrended else jnp.ones_like(W1)
        an, asn = a1 / scale1, a_star1 / scale1
        th, th_star = thetas(an, asn, an + asn, p, theta_mode)
        pi = th * an ** (-p.gamma)
        pi_star = th_star * asn ** (-p.gamma)
        g_a = (pi - p.delta - 0.5 * p.sigma**2) * dt + p.sigma * jnp.sqrt(dt) * z[2]
        g_a_star = (pi_star - p.delta - 0.5 * p.sigma_star**2) * dt + p.sigma_star * jnp.sqrt(
            dt
        ) * z[3]
        a2 = a1 * jnp.exp(jnp.where(trade, g_n, g_a))
        a_star2 = a_star1 * jnp.exp(jnp.where(trade, g_n_star, g_a_star))
        # Crisis exit at the end of the step.
        exit_ = crisis & (u[1] < p_exit)
        s2 = jnp.where(crisis & ~exit_, 1, 0).astype(jnp.int32)
        x_warm2 = jnp.where(normal & ok, eq.x, x_warm)
        n_crises, n_normal, n_exits, n_crisis_steps, n_failed = counts
        i32 = lambda b: b.astype(jnp.int32)
        counts2 = (
            n_crises + i32(onset),
            n_normal + i32(normal),
            n_exits + i32(exit_),
            n_crisis_steps + i32(crisis),
            n_failed + i32(normal & ~onset & ~ok),
        )
        on = normal
        pos = lambda y: jnp.where(on, y, zero)
        obs = dict(
            a=a,
            a_star=a_star,
            crisis=~normal,
            consistent=eq.consistent | ~normal,
            f_over_a=pos(eq.f_over_a),
            f_star_over_a_star=pos(eq.f_star_over_a_star),
            equity_assets=pos(eq.portfolio.foreign_equity),
            equity_liabilities=pos(eq.portfolio.equity_sold),
            lending=pos(jnp.maximum(eq.l, 0) / eq.a),
            borrowing=pos(jnp.maximum(-eq.l, 0) / eq.a),
            equity_assets_star=pos(eq.portfolio_star.foreign_equity),
            equity_liabilities_star=pos(eq.portfolio_star.equity_sold),
            lending_star=pos(jnp.maximum(-eq.l, 0) / eq.a_star),
            borrowing_star=pos(jnp.maximum(eq.l, 0) / eq.a_star),
        )
        rec = (onset, jnp.stack([a, a_star]), jnp.stack([a1, a_star1])) if record_steps else None
        return (a2, a_star2, s2, x_warm2, counts2), (obs, rec)

    def year(carry, key):
        carry, (obs, rec) = lax.scan(step, carry, jr.split(key, steps_per_year))
        first = jax.tree_util.tree_map(lambda y: y[0], obs)
        return carry, (first, rec)

    izero = jnp.zeros((), jnp.int32)
    x_warm0 = jnp.full((3,), jnp.nan, dtype)  # no warm start on the first step (cold start wins)
    carry0 = (
        jnp.asarray(a0, dtype),
        jnp.asarray(a_star0, dtype),
        jnp.asarray(s0, jnp.int32),
        x_warm0,
        (izero,) * 5,
    )
    carry, (obs, rec) = lax.scan(year, carry0, jr.split(key, years))
    if record_steps:
        rec = jax.tree_util.tree_map(lambda y: y.reshape((-1,) + y.shape[2:]), rec)
    return carry[4], obs, rec


@eqx.filter_jit
def _simulate_jit(
    key,
    a0,
    a_star0,
    s0,
    params,
    n_paths,
    years,
    steps_per_year,
    detrended,
    theta_mode,
    max_steps,
    record_steps,
):
    keys = jr.split(key, n_paths)
    run = lambda k: _path(
        k, a0, a_star0, s0, params, years=years, steps_per_year=steps_per_year, detrended=detrended,
        theta_mode=theta_mode, max_steps=max_steps, record_steps=record_steps,
    )  # fmt: skip
    return jax.vmap(run)(keys)


def simulate(
    params: KraayParams,
    key: PRNGKeyArray,
    *,
    n_paths: int = 100,
    years: int = 32,
    steps_per_year: int = 12,
    a0: float = 0.8,
    a_star0: float = 0.2,
    crisis0: bool = False,
    detrended: bool = True,
    theta_mode: str = "fixed",
    record_steps: bool = False,
    max_steps: int = 50,
) -> Simulation:
    r"""Simulate `n_paths` independent North–South economies (`lax.scan` over time, `vmap` over paths).

    **Main arguments:**

    - `params`: a [`jaxmacro.models.kraay2000.KraayParams`][] (scalar leaves; `beta` is the
      crisis exit rate).
    - `key`: a JAX PRNG key.

    **Other arguments (keyword only):**

    - `n_paths`, `years`, `steps_per_year`: panel size and time step $\Delta t = 1/\text{steps\_per\_year}$.
    - `a0`, `a_star0`, `crisis0`: initial wealth and regime (default: the base case, normal times).
    - `detrended`: hold $\theta W^{-\gamma}$ fixed (solve at wealth shares) or simulate in levels.
    - `theta_mode`: as in [`jaxmacro.models.kraay2000.equilibrium`][].
    - `record_steps`: also return per-step crisis onsets and pre/post-jump wealth.
    - `max_steps`: Newton steps per equilibrium solve.

    **Returns:** a [`jaxmacro.models.kraay2000.Simulation`][].
    """
    if theta_mode not in THETA_MODES:
        raise ValueError(f"theta_mode must be one of {THETA_MODES}, got {theta_mode!r}.")
    for name, v in (("n_paths", n_paths), ("years", years), ("steps_per_year", steps_per_year)):
        if not isinstance(v, int) or v < 1:
            raise ValueError(f"{name} must be a positive int, got {v!r}.")
    if any(jnp.shape(x) != () for x in jax.tree_util.tree_leaves(params)):
        raise ValueError(
            "simulate needs scalar KraayParams leaves; vmap over simulate for batches."
        )
    check_params(params)
    if not (np.asarray(a0) > 0 and np.asarray(a_star0) > 0):
        raise ValueError("Initial wealth a0 and a_star0 must be positive.")
    counts, obs, rec = _simulate_jit(
        key, a0, a_star0, int(bool(crisis0)), params, n_paths, years, steps_per_year, detrended,
        theta_mode, max_steps, record_steps,
    )  # fmt: skip
    n_crises, n_normal, n_exits, n_crisis_steps, n_failed = counts
    onset, pre, post = rec if record_steps else (None, None, None)
    return Simulation(
        t=jnp.arange(years, dtype=obs["a"].dtype),
        n_crises=n_crises,
        n_normal_steps=n_normal,
        n_exits=n_exits,
        n_crisis_steps=n_crisis_steps,
        n_failed=n_failed,
        crisis_onset=onset,
        pre_jump=pre,
        post_jump=post,
        dt=1.0 / steps_per_year,
        **obs,
    )


class PanelMoments(eqx.Module):
    r"""Data-style moments of a simulated panel (the paper's Facts 3 and 4).

    - `lags`, `slope`, `intercept`, `r2`: pooled OLS of $f/a(t)$ on $f/a(t-h)$ for each lag $h$
      (years), pooling paths and (by default) both countries, as in the paper's Fig. 4.
    - `mean_f_over_a`, `mean_f_star_over_a_star`: panel means of NFA/wealth.
    - `gross` / `gross_star`: mean `equity_assets`, `equity_liabilities`, `lending`,
      `borrowing` (shares of wealth) for North / South, in that order.
    - `crisis_rate`: crisis onsets per year of normal time; `fraction_in_crisis`: share of
      observations in the crisis regime.
    """

    lags: tuple[int, ...] = eqx.field(static=True)
    slope: Float[Array, " n_lags"]
    intercept: Float[Array, " n_lags"]
    r2: Float[Array, " n_lags"]
    mean_f_over_a: Float[Array, ""]
    mean_f_star_over_a_star: Float[Array, ""]
    gross: Float[Array, "4"]
    gross_star: Float[Array, "4"]
    crisis_rate: Float[Array, ""]
    fraction_in_crisis: Float[Array, ""]


def _ols(x, y):
    xm, ym = jnp.mean(x), jnp.mean(y)
    sxx = jnp.mean((x - xm) ** 2)
    sxy = jnp.mean((x - xm) * (y - ym))
    syy = jnp.mean((y - ym) ** 2)
    slope = sxy / sxx
    return slope, ym - slope * xm, sxy**2 / (sxx * syy)


def panel_moments(
    sim: Simulation, *, lags: tuple[int, ...] = (1, 5, 10), pool_countries: bool = True
) -> PanelMoments:
    """Persistence regressions and mean gross positions of a [`jaxmacro.models.kraay2000.Simulation`][]."""
    n_obs = sim.f_over_a.shape[1]
    if any((not isinstance(h, int)) or h < 1 or h >= n_obs for h in lags):
        raise ValueError(f"lags must be ints in [1, {n_obs - 1}], got {lags!r}.")
    series = [sim.f_over_a, sim.f_star_over_a_star] if pool_countries else [sim.f_over_a]
    slopes, intercepts, r2s = [], [], []
    for h in lags:
        x = jnp.concatenate([s[:, :-h].reshape(-1) for s in series])
        y = jnp.concatenate([s[:, h:].reshape(-1) for s in series])
        b, c, r2 = _ols(x, y)
        slopes.append(b)
        intercepts.append(c)
        r2s.append(r2)
    gross = jnp.stack(
        [
            jnp.mean(g)
            for g in (sim.equity_assets, sim.equity_liabilities, sim.lending, sim.borrowing)
        ]
    )
    gross_star = jnp.stack(
        [
            jnp.mean(g)
            for g in (
                sim.equity_assets_star,
                sim.equity_liabilities_star,
                sim.lending_star,
                sim.borrowing_star,
            )
        ]
    )
    return PanelMoments(
        lags=tuple(lags),
        slope=jnp.stack(slopes),
        intercept=jnp.stack(intercepts),
        r2=jnp.stack(r2s),
        mean_f_over_a=jnp.mean(sim.f_over_a),
        mean_f_star_over_a_star=jnp.mean(sim.f_star_over_a_star),
        gross=gross,
        gross_star=gross_star,
        crisis_rate=jnp.sum(sim.n_crises) / (jnp.sum(sim.n_normal_steps) * sim.dt),
        fraction_in_crisis=jnp.mean(sim.crisis),
    )
