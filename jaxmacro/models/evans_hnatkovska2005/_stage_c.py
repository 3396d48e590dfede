"""Stage C: the second-order solution with state-dependent second moments, Table 6.

The Stage C model of each menu ([`stage_c_model`][]) has exact budgets in levels. Its
second-order solution carries the conditional heteroskedasticity the first-order Stage A/B
solution lacks: for any t+1 variable f, Cov_t(f) = Σ_0 + Σ_x ŝ_t with Σ_x from the ŝ⊗u terms
of the rule ([`jaxmacro.conditional_moments`][]). Under fi the two t-equity positions (shares
of W^c) are α_t = ᾱ + α_x ŝ_t, solved by the Evans–Hnatkovska conditions
Cov_t(m - m̂, r^χ - r) = 0 at σ² and σ²ŝ ([`jaxmacro.evans_hnatkovska`][]); under fa and pi
every share is pinned by market clearing and the model is an ordinary second-order
perturbation.

**Expected excess returns (36)** along a simulated path. With log utility and asset χ held by
the home household, its Euler equation (A6) reads
E_t r^χ - r_t + ½V_t(r^χ) = -CV_t(m, r^χ), so (EH's definition, dependent variable included)

    E_t er^χ = -CV_t(m_{t+1}, r^χ_{t+1})                  χ ∈ {t, n} (home equities)
    E_t er^w = -CV_t(m, r^w) = V_t(r^w)                  (m = -r^w exactly)
    E_t er^ŵ = V_t(r^ŵ) + (r̂_t - r_t)                    (foreign Euler; r̂ = r unless fa)
    E_t er^fx = E_t Δq_{t+1} - r_t + ½V_t(Δq)

with Cov_t at the simulated state ŝ_t to σ²ŝ (σ⁴, σ²ŝ² dropped, the method's truncation) and
E_tΔq_{t+1} from the rule at zero shock. The risk premia are O(σ²) and vary at O(σ²ŝ); the
FX term varies at O(ŝ), so its coefficient is O(σ²) (the paper's α3 = 0.000).
"""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

import jaxmacro as jm

from ._model import (
    CONFIGS,
    STAGE_C_VARIANTS,
    eh_mixed_equations,
    stage_c_gamma_params,
    stage_c_model,
)
from ._params import EHParams
from ._statistics import Simulation, _pool

#: The t+1 quantities whose conditional moments Table 6 needs.
TABLE6_VARIABLES = ("ret_t", "ret_n", "ret_w", "ret_wh", "dq", "m", "mh")
_REAL_SHOCKS = ("et", "eth", "en", "enh")


class StageC(eqx.Module):
    """Stage C solution of one menu.

    **Fields:** `config` (static), `params` ([`EHParams`][]), `solution` (the order-2
    [`jaxmacro.Solution`][] of [`stage_c_model`][]), `eh` (fi: the
    [`jaxmacro.EHSolution`][] with ᾱ, α_x, Σ_0, Σ_x, premia; fa, pi: None), `result`.
    """

    config: str = eqx.field(static=True)
    params: EHParams
    solution: jm.Solution
    eh: jm.EHSolution | None
    result: jm.RESULTS

    @property
    def ok(self):
        return self.result == jm.RESULTS.successful

    def t_equity_positions(self, c):
        """fi: home shares of W^c in (h, f) t-equity chosen at each date, α_t = ᾱ + α_x ŝ_t,
        from the log levels `c` (dict of arrays); ŝ_t is every state's deviation at t."""
        m = self.solution.model
        ybar = self.solution.steady_state
        s = jnp.stack([c[v] - ybar[m.variables.index(v)] for v in m.states], axis=-1)
        a = self.eh.position(s)
        return a[..., 0], a[..., 1]


def _full_params(m: jm.Model, params: EHParams) -> dict:
    out = {k: jnp.asarray(float(v)) for k, v in m.default_params.items()}
    out.update(params.as_dict())
    return out


@eqx.filter_jit
def _solve_plain(m, config, params):
    sol = jm.solve(m, params.as_dict(), order=2, throw=False)
    return StageC(config, params, sol, None, sol.result)


def solve_stage_c(
    config: str, params: EHParams | None = None, *, variant: str = "full", throw: bool = True
) -> StageC:
    """Stage C of `config` at `params` (default: Table 1): order 2, and under fi the
    Evans–Hnatkovska positions (σ-scaled portfolio residual < 1e-10). Jit-compiled once per
    menu and variant; the fi solve is [`jaxmacro.evans_hnatkovska`][] on
    [`stage_c_model`][]``("fi")``. `variant`: "full" (every equation at second order) or
    "eh_mixed" (the real equations of [`eh_mixed_equations`][] at first order,
    [`jaxmacro.linearize_equations`][])."""
    if config not in CONFIGS:
        raise ValueError(f"config must be one of {CONFIGS}, got {config!r}")
    if variant not in STAGE_C_VARIANTS:
        raise ValueError(f"variant must be one of {STAGE_C_VARIANTS}, got {variant!r}")
    params = EHParams() if params is None else params
    m = stage_c_model(config)
    if variant == "eh_mixed":
        m = jm.linearize_equations(m, eh_mixed_equations(config))
    if config != "fi":
        out = _solve_plain(m, config, params)
    else:
        e = jm.evans_hnatkovska(
            m,
            _full_params(m, params),
            excess_returns=("rx1", "rx2"),
            mu_differential="mud",
            xi_shocks="xi",
            alpha_param=("at1", "at2"),
            gamma_params=stage_c_gamma_params(m),
            sdf="m",
            throw=False,
        )
        out = StageC(config, params, e.solution, e, e.result)
    if throw:
        out = out.result.error_if(out, out.result != jm.RESULTS.successful)
    return out


@eqx.filter_jit
def _simulate_jit(sc, keys, quarters):
    sol = sc.solution

    def one(k):
        # the four productivity shocks drawn exactly as for the first-order model (same seed,
        # same paths; the fi DS input ξ has variance 0)
        cov = sol.shock_cov[:4, :4]
        z = jax.random.normal(k, (quarters, 4), dtype=cov.dtype)
        u = z @ jnp.linalg.cholesky(cov).T
        u = jnp.concatenate([u, jnp.zeros((quarters, len(sol.shocks) - 4), u.dtype)], axis=1)
        return jm.simulate(sol, k, periods=quarters, shocks=u).values

    return jax.vmap(one)(keys)


def simulate_stage_c(
    sc: StageC, *, runs: int = 100, quarters: int = 500, burn: int = 100, seed: int = 0
) -> Simulation:
    """The paper's protocol on the pruned second-order solution (as [`simulate`][], with the
    same shock draws for the same seed)."""
    keys = jax.random.split(jax.random.PRNGKey(seed), runs)
    return Simulation(sc, _simulate_jit(sc, keys, quarters), burn)


def expected_excess_returns(sc: StageC, Y):
    """The variables of regression (36) along a path `Y` (T x n_vars log levels), dated
    t = 1 .. T-1 like [`derived`][]: dict with t, n (home equities), w, wh, fx."""
    sol = sc.solution
    m = sol.model
    ybar = sol.steady_state
    idx = m.variables.index
    cm = jm.conditional_moments(sol, variables=TABLE6_VARIABLES, shocks=_REAL_SHOCKS, throw=False)
    iv = {v: i for i, v in enumerate(TABLE6_VARIABLES)}
    S = jnp.stack([Y[:, idx(v)] - ybar[idx(v)] for v in m.states], axis=-1)[1:]
    cov = cm.cov_at(S)  # (T-1, 7, 7)

    def cv(a, b):
        return cov[:, iv[a], iv[b]]

    r = Y[1:, idx("rb")]
    rh = Y[1:, idx("rbh")] if sc.config == "fa" else r
    mean_dq = jax.vmap(lambda s: sol.rule(s, jnp.zeros(len(sol.shocks)), constant=True))(S)
    return dict(
        t=-cv("m", "ret_t"),
        n=-cv("m", "ret_n"),
        w=-cv("m", "ret_w"),
        wh=-cv("mh", "ret_wh") + (rh - r),
        fx=mean_dq[:, idx("dq")] - r + 0.5 * cv("dq", "dq"),
    )


def _ols(y, X):
    X1 = jnp.concatenate([jnp.ones((X.shape[0], 1), X.dtype), X], axis=1)
    # scale columns: the regressors are O(σ²) ≈ 1e-4 and O(ŝ); lstsq on standardised columns
    sc = jnp.maximum(jnp.std(X1, axis=0), 1e-300).at[0].set(1.0)
    b = jnp.linalg.lstsq(X1 / sc, y)[0] / sc
    e = y - X1 @ b
    r2 = 1.0 - jnp.mean(e * e) / jnp.var(y)
    return b, r2


@eqx.filter_jit
def _table6(sim):
    sc, burn = sim.esol, sim.burn
    d = jax.vmap(lambda Y: expected_excess_returns(sc, Y))(sim.paths)
    pool = {k: _pool(v, burn) for k, v in d.items()}
    w, wh, fx = pool["w"], pool["wh"], pool["fx"]
    out = {}
    for chi in ("t", "n"):
        y = pool[chi]
        b, r2 = _ols(y, jnp.stack([w, wh, fx], axis=1))
        br, _ = _ols(y - wh, jnp.stack([w - wh, fx], axis=1))
        b2, r22 = _ols(y, jnp.stack([w, wh], axis=1))
        br2, _ = _ols(y - wh, (w - wh)[:, None])
        out[chi] = dict(
            alpha0=b[0], alpha1=b[1], alpha2=b[2], alpha3=b[3], r2=r2, alpha1_restricted=br[1]
        )
        out[chi + "_no_fx"] = dict(
            alpha0=b2[0], alpha1=b2[1], alpha2=b2[2], r2=r22, alpha1_restricted=br2[1]
        )
    out["premium_std"] = {k: jnp.std(v) for k, v in pool.items()}
    return out


def table6(sim: Simulation) -> dict:
    """Regression (36) on a Stage C [`Simulation`][] (pooled after `burn`): for χ = t, n the
    OLS coefficients α0..α3 of E_t er^χ on [1, E_t er^w, E_t er^ŵ, E_t er^fx], R², and α1 of
    the restricted regression α1 = 1 - α2 (E_t er^χ - E_t er^ŵ on [1, E_t er^w - E_t er^ŵ,
    E_t er^fx]); `premium_std`: std of each regressand/regressor (quarterly, log units).

    Keys ``t``, ``n``: (36) as written. Keys ``t_no_fx``, ``n_no_fx``: the same without the FX
    regressor. E_t er^fx varies at O(ŝ), the premia at O(σ²ŝ): its coefficient is O(σ²) (prints
    as 0.000, the paper's α3) but its fitted part is of the regressand's size, so with it the
    FX term acts as a proxy for the state and moves α1, α2 and R²; the paper's fi t-equity
    column (R² 0.657, restricted α1 0.496) is matched by the regression without it."""
    if not isinstance(sim.esol, StageC):
        raise TypeError("table6 needs a Stage C simulation (simulate_stage_c)")
    return _table6(sim)


def portfolio_residual_check(sc: StageC) -> dict:
    """fi: the largest σ-scaled Evans–Hnatkovska portfolio residual and the deviation of α_x
    from [`jaxmacro.portfolio_dynamics`][] (the Devereux–Sutherland 2010 closed form) on
    the same model (numpy floats)."""
    if sc.config != "fi":
        raise ValueError("portfolio checks exist only under fi (the other menus pin every share)")
    m = sc.solution.model
    pd = jm.portfolio_dynamics(
        m,
        _full_params(m, sc.params),
        excess_returns=("rx1", "rx2"),
        mu_differential="mud",
        xi_shocks="xi",
        alpha_param=("at1", "at2"),
    )
    ax = np.asarray(sc.eh.alpha_x)
    return dict(
        residual=float(sc.eh.residual),
        iterations=int(sc.eh.iterations),
        alpha_x_vs_ds2010=float(np.max(np.abs(ax - np.asarray(pd.gamma)))),
        alpha_x_max=float(np.max(np.abs(ax))),
        alpha_bar_vs_ds2011=float(
            np.max(np.abs(np.asarray(sc.eh.alpha_bar) - np.asarray(pd.alpha_tilde)))
        ),
    )
