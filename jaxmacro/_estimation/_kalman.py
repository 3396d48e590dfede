"""Kalman filter log-likelihood, smoother and historical shock decomposition of order-1 solutions.

The state-space form is Dynare's: the state vector α_t is the deviation from the steady state
of the union of the state variables and the observed variables (declaration order),

    α_t = T α_{t-1} + R u_t,        u_t ~ N(0, Σ)
    d_t = Z α_t + ε_t,              ε_t ~ N(0, H)        (d_t = data_t - ȳ_obs)

with T = g_x[α rows] on the state columns (zero elsewhere), R = g_u[α rows], Z a selection.
The filter starts at a_{1|0} = 0 and P_{1|0} = the unconditional covariance of α (Dynare's
``lik_init=1``), computed from the Lyapunov equation of the states only. It is the exact
filter at every period (no switch to a steady-state gain), with the Joseph-form update and
symmetrised covariances. Missing observations (NaN) drop out of that period's innovation,
determinant and constant, as in Dynare's ``missing_observations_kalman_filter``.

Every kernel is pure JAX (a small unrolled Cholesky and triangular solves, no LAPACK), so the
filter is jit-compiled once, vmaps over parameter draws and is differentiated by ordinary
reverse-mode autodiff through ``lax.scan``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array

# --- library-internal imports (one block, for the merge) ---------------------------------
from .._linalg import has_unit_root, solve_discrete_lyapunov
from .._misc import arrays, throw_if_failed
from .._results import RESULTS as _CORE_RESULTS
from .._solution import Solution

# ------------------------------------------------------------------------------------------

__all__ = [
    "LIKELIHOOD_RESULTS",
    "KalmanFilter",
    "Smoothed",
    "ShockDecomposition",
    "kalman_filter",
    "log_likelihood",
    "smooth",
    "shock_decomposition",
]

_LOG2PI = math.log(2.0 * math.pi)


class LIKELIHOOD_RESULTS(_CORE_RESULTS):  # pyright: ignore
    """[`jaxmacro.RESULTS`][] plus the failures specific to the Kalman filter."""

    singular_forecast_covariance = (
        "The forecast-error covariance F_t = Z P_t Z' + H of the observables is singular (not "
        "positive definite) in some period: the observables are linearly dependent given the "
        "shocks (stochastic singularity). Observe fewer variables, or add measurement error."
    )
    unit_root_initialisation = (
        "The state transition has an eigenvalue on the unit circle, so the unconditional "
        "initialisation of the Kalman filter (Dynare's lik_init=1) does not exist. Pass "
        "init='harvey' (Dynare's lik_init=2: P_{1|0} = 10·I) or an explicit covariance "
        "init=P0 (an m x m array over `KalmanFilter.state_names`)."
    )


# ------------------------------------------------------------------------------------------
# Small pure-JAX dense kernels (no LAPACK: safe and fast under vmap for a few observables)
# ------------------------------------------------------------------------------------------


def _cholesky(F):
    """Lower Cholesky factor of a small SPD matrix (unrolled); NaN diagonal if not SPD."""
    p = F.shape[0]
    L = jnp.zeros_like(F)
    for j in range(p):
        s = F[j, j] - jnp.sum(L[j, :j] ** 2)
        d = jnp.sqrt(jnp.where(s > 0, s, jnp.nan))
        L = L.at[j, j].set(d)
        if j + 1 < p:
            L = L.at[j + 1 :, j].set((F[j + 1 :, j] - L[j + 1 :, :j] @ L[j, :j]) / d)
    return L


def _forward(L, B):
    """Solve L X = B (L lower triangular), B of shape (p,) or (p, k)."""
    p = L.shape[0]
    rows = []
    for i in range(p):
        acc = B[i]
        for j, r in enumerate(rows):
            acc = acc - L[i, j] * r
        rows.append(acc / L[i, i])
    return jnp.stack(rows) if p else B


def _backward(L, B):
    """Solve L' X = B (L lower triangular)."""
    p = L.shape[0]
    rows = [None] * p
    for i in reversed(range(p)):
        acc = B[i]
        for j in range(i + 1, p):
            acc = acc - L[j, i] * rows[j]
        rows[i] = acc / L[i, i]
    return jnp.stack(rows) if p else B


def _spd_solve(L, B):
    return _backward(L, _forward(L, B))


def _sym(P):
    return 0.5 * (P + P.T)


# ------------------------------------------------------------------------------------------
# State space
# ------------------------------------------------------------------------------------------


def _observable_index(sol: Solution, observables) -> tuple[int, ...]:
    if isinstance(observables, str):
        observables = (observables,)
    names = sol.model.variables
    out = []
    for o in observables:
        if o not in names:
            raise ValueError(f"observable {o!r} is not a variable of the model; variables: {names}")
        out.append(names.index(o))
    if len(set(out)) != len(out):
        raise ValueError(f"observables {tuple(observables)} name a variable twice")
    if not out:
        raise ValueError("give at least one observable")
    return tuple(out)


def _data_matrix(data, observables, dtype):
    if isinstance(data, Mapping):
        missing = [o for o in observables if o not in data]
        if missing:
            raise ValueError(f"data has no series for observable(s) {missing}")
        Y = jnp.stack([jnp.asarray(data[o], dtype=dtype) for o in observables], axis=-1)
    else:
        Y = jnp.asarray(data, dtype=dtype)
        if Y.ndim == 1 and len(observables) == 1:
            Y = Y[:, None]
    if Y.ndim != 2 or Y.shape[1] != len(observables):
        raise ValueError(
            f"data must be T x n_obs = T x {len(observables)} (columns in `observables` order "
            f"{tuple(observables)}), got shape {Y.shape}"
        )
    return Y


def _measurement_cov(measurement_error, observables, dtype):
    p = len(observables)
    if measurement_error is None:
        return jnp.zeros((p, p), dtype), False
    if isinstance(measurement_error, Mapping):
        unknown = [k for k in measurement_error if k not in observables]
        if unknown:
            raise ValueError(
                f"measurement_error names {unknown}, which are not observables {tuple(observables)}"
            )
        sd = jnp.stack(
            [jnp.asarray(measurement_error.get(o, 0.0), dtype=dtype) for o in observables]
        )
        return jnp.diag(sd**2), True
    me = jnp.asarray(measurement_error, dtype=dtype)
    if me.ndim == 0:
        return jnp.eye(p, dtype=dtype) * me**2, True
    if me.ndim == 1 and me.shape[0] == p:
        return jnp.diag(me**2), True
    if me.shape == (p, p):
        return _sym(me), True
    raise ValueError(
        "measurement_error: a mapping observable -> std, a vector of std (n_obs), a scalar std, "
        f"or an n_obs x n_obs covariance; got shape {me.shape}"
    )


class _StateSpace(eqx.Module):
    names: tuple[str, ...] = eqx.field(static=True)
    obs_pos: tuple[int, ...] = eqx.field(static=True)  # rows of α observed
    T: Array
    R: Array
    Q: Array
    H: Array
    P0: Array
    mean: Array  # steady state of the observables
    A: Array  # state transition (for the smoother's t = 0 state)
    result: _CORE_RESULTS


def _unit_root(A):
    # the library's one unit-root rule (Dynare's 2 - qz_criterium); no derivative flows through it
    return has_unit_root(jax.lax.stop_gradient(A))


def _state_space(sol: Solution, observables, shock_cov, measurement_error, init) -> _StateSpace:
    if sol.order != 1:
        raise ValueError(
            f"the Kalman filter needs an order-1 solution; this one is order {sol.order}. Solve with "
            "order=1 for log_likelihood / kalman_filter / smooth / shock_decomposition (an order-2 "
            "likelihood is not Gaussian and needs a particle filter, which jaxmacro does not have yet)."
        )
    obs = _observable_index(sol, observables)
    n_shocks = len(sol.model.shocks)
    if measurement_error is None and len(obs) > n_shocks:
        raise ValueError(
            f"{len(obs)} observables but only {n_shocks} shock(s) and no measurement error: the "
            "likelihood is degenerate (stochastic singularity). Observe at most as many "
            "variables as there are shocks, or pass measurement_error."
        )
    states = tuple(int(i) for i in sol.model.structure.states)
    idx = tuple(sorted(set(states) | set(obs)))
    names = tuple(sol.model.variables[i] for i in idx)
    dtype = sol.g_x.dtype
    ok = sol.result == _CORE_RESULTS.successful
    gx = jnp.where(ok, sol.g_x, 0.0)
    gu = jnp.where(ok, sol.g_u, 0.0)
    Q = sol.shock_cov if shock_cov is None else jnp.asarray(shock_cov, dtype)
    Q = _sym(jnp.where(ok, Q, 0.0))
    m = len(idx)
    col = [idx.index(s) for s in states]
    G = gx[jnp.asarray(idx, dtype=int)]  # m x ns, on s_{t-1}
    T = jnp.zeros((m, m), dtype)
    if states:
        T = T.at[:, jnp.asarray(col, dtype=int)].set(G)
    R = gu[jnp.asarray(idx, dtype=int)]
    A = gx[jnp.asarray(states, dtype=int)] if states else jnp.zeros((0, 0), dtype)
    B = gu[jnp.asarray(states, dtype=int)] if states else jnp.zeros((0, n_shocks), dtype)
    result = sol.result
    if isinstance(init, str) and init in ("unconditional", "stationary"):
        unit = _unit_root(A)
        A_safe = jnp.where(unit, 0.0, A)
        Vs = (
            solve_discrete_lyapunov(A_safe, _sym(B @ Q @ B.T))
            if states
            else jnp.zeros((0, 0), dtype)
        )
        P0 = _sym(G @ Vs @ G.T + R @ Q @ R.T)
        result = LIKELIHOOD_RESULTS.promote(result)
        unit = unit | ~jnp.all(jnp.isfinite(P0))
        P0 = jnp.where(unit, jnp.eye(m, dtype=dtype), P0)
        result = LIKELIHOOD_RESULTS.where(
            (result == LIKELIHOOD_RESULTS.successful) & unit,
            LIKELIHOOD_RESULTS.unit_root_initialisation,
            result,
        )
    elif isinstance(init, str) and init == "harvey":
        P0 = 10.0 * jnp.eye(m, dtype=dtype)
        result = LIKELIHOOD_RESULTS.promote(result)
    elif isinstance(init, str):
        raise ValueError(
            f"init must be 'unconditional', 'harvey' or an {m} x {m} array, got {init!r}"
        )
    else:
        P0 = jnp.asarray(init, dtype)
        if P0.shape != (m, m):
            raise ValueError(
                f"init covariance must be {m} x {m} over the states {names}, got {P0.shape}"
            )
        P0 = _sym(P0)
        result = LIKELIHOOD_RESULTS.promote(result)
    H, _ = _measurement_cov(measurement_error, [sol.model.variables[i] for i in obs], dtype)
    return _StateSpace(
        names=names,
        obs_pos=tuple(idx.index(i) for i in obs),
        T=T,
        R=R,
        Q=Q,
        H=H,
        P0=P0,
        mean=sol.steady_state[jnp.asarray(obs, dtype=int)],
        A=A,
        result=result,
    )


# ------------------------------------------------------------------------------------------
# Filter
# ------------------------------------------------------------------------------------------


class KalmanFilter(eqx.Module):
    """Output of [`jaxmacro.kalman_filter`][].

    **Fields:** `observables`, `state_names` (static: the variables in α, declaration order),
    `log_likelihood` (scalar, −∞ on failure), `contributions` (T: per-period log density),
    `n_observed` (T), `predicted_state` a_{t|t-1} (T x m), `predicted_cov` P_{t|t-1}
    (T x m x m), `filtered_state` a_{t|t} (T x m), `filtered_cov` (T x m x m), `innovation`
    v_t (T x p; 0 where missing), `innovation_cov` F_t (T x p x p), `result`
    ([`jaxmacro.LIKELIHOOD_RESULTS`][], a superset of [`jaxmacro.RESULTS`][]).
    All states are deviations from the steady state.
    """

    observables: tuple[str, ...] = eqx.field(static=True)
    state_names: tuple[str, ...] = eqx.field(static=True)
    log_likelihood: Array
    contributions: Array
    n_observed: Array
    predicted_state: Array
    predicted_cov: Array
    filtered_state: Array
    filtered_cov: Array
    innovation: Array
    innovation_cov: Array
    result: LIKELIHOOD_RESULTS
    # for the smoother (innovation-form pieces)
    _Finv_v: Array
    _K: Array  # filter gain K_t = P Z' F^{-1} (m x p), zero columns where missing
    _mask: Array

    @property
    def ok(self):
        return self.result == LIKELIHOOD_RESULTS.successful


def _filter(ss: _StateSpace, Y, presample: int):
    m = ss.T.shape[0]
    p = len(ss.obs_pos)
    dtype = ss.T.dtype
    Z = jnp.zeros((p, m), dtype).at[jnp.arange(p), jnp.asarray(ss.obs_pos, dtype=int)].set(1.0)
    RQR = _sym(ss.R @ ss.Q @ ss.R.T)
    D = Y - ss.mean
    mask = jnp.isfinite(Y)
    D = jnp.where(mask, D, 0.0)
    eye_m = jnp.eye(m, dtype=dtype)
    eye_p = jnp.eye(p, dtype=dtype)
    tt = jnp.arange(Y.shape[0])

    def step(carry, x):
        a, P = carry
        d, w, t = x
        wf = w.astype(dtype)
        W = wf[:, None] * wf[None, :]
        Zw = wf[:, None] * Z
        v = wf * (d - Z @ a)
        F = W * (Z @ P @ Z.T + ss.H) + jnp.diag(1.0 - wf)
        F = _sym(F)
        L = _cholesky(F)
        good = jnp.all(jnp.isfinite(jnp.diagonal(L))) & jnp.all(jnp.diagonal(L) > 0)
        L = jnp.where(good, L, eye_p)
        Finv_v = _spd_solve(L, v)
        PZt = P @ Zw.T  # m x p
        K = _spd_solve(L, PZt.T).T  # m x p
        n_t = jnp.sum(wf)
        logdet = 2.0 * jnp.sum(jnp.log(jnp.diagonal(L)))
        ll = -0.5 * (n_t * _LOG2PI + logdet + v @ Finv_v)
        ll = jnp.where(t >= presample, ll, 0.0)
        a_f = a + K @ v
        IKZ = eye_m - K @ Zw
        P_f = _sym(IKZ @ P @ IKZ.T + K @ (W * ss.H) @ K.T)
        a_n = ss.T @ a_f
        P_n = _sym(ss.T @ P_f @ ss.T.T + RQR)
        out = (ll, n_t, a, P, a_f, P_f, v, F, Finv_v, K, good)
        return (a_n, P_n), out

    a0 = jnp.zeros((m,), dtype)
    _, outs = jax.lax.scan(step, (a0, ss.P0), (D, mask, tt))
    return outs, mask


def _filter_impl(sol, data, observables, measurement_error, shock_cov, init, presample):
    if isinstance(observables, str):
        observables = (observables,)
    observables = tuple(observables)
    ss = _state_space(sol, observables, shock_cov, measurement_error, init)
    Y = _data_matrix(data, observables, sol.g_x.dtype)
    if not 0 <= int(presample) < Y.shape[0]:
        raise ValueError(f"presample must be in [0, {Y.shape[0]}), got {presample}")
    (ll, n_t, a, P, a_f, P_f, v, F, Finv_v, K, good), mask = _filter(ss, Y, int(presample))
    result = ss.result
    result = LIKELIHOOD_RESULTS.where(
        (result == LIKELIHOOD_RESULTS.successful) & ~jnp.all(good),
        LIKELIHOOD_RESULTS.singular_forecast_covariance,
        result,
    )
    total = jnp.sum(ll)
    ok = (result == LIKELIHOOD_RESULTS.successful) & jnp.isfinite(total)
    result = LIKELIHOOD_RESULTS.where(
        (result == LIKELIHOOD_RESULTS.successful) & ~ok, LIKELIHOOD_RESULTS.nonfinite_model, result
    )
    total = jnp.where(ok, total, -jnp.inf)
    return KalmanFilter(
        observables=observables,
        state_names=ss.names,
        log_likelihood=total,
        contributions=ll,
        n_observed=n_t,
        predicted_state=a,
        predicted_cov=P,
        filtered_state=a_f,
        filtered_cov=P_f,
        innovation=v,
        innovation_cov=F,
        result=result,
        _Finv_v=Finv_v,
        _K=K,
        _mask=mask,
    ), ss


@eqx.filter_jit
def _kalman_filter_jit(sol, data, observables, measurement_error, shock_cov, init, presample):
    kf, _ = _filter_impl(sol, data, observables, measurement_error, shock_cov, init, presample)
    return kf


def kalman_filter(
    solution: Solution,
    data,
    observables: Sequence[str] | str,
    *,
    measurement_error=None,
    shock_cov=None,
    init="unconditional",
    presample: int = 0,
    throw: bool = True,
) -> KalmanFilter:
    """Kalman filter of an order-1 solution on `data`; see [`jaxmacro.log_likelihood`][]."""
    kf = _kalman_filter_jit(
        solution,
        data,
        tuple(_as_names(observables)),
        arrays(measurement_error),
        arrays(shock_cov),
        _static_init(init),
        int(presample),
    )
    return throw_if_failed(kf, throw, LIKELIHOOD_RESULTS)


def _as_names(observables):
    return (observables,) if isinstance(observables, str) else tuple(observables)


def _static_init(init):
    return init if isinstance(init, str) else jnp.asarray(init)


def log_likelihood(
    solution: Solution,
    data,
    observables: Sequence[str] | str,
    *,
    measurement_error=None,
    shock_cov=None,
    init="unconditional",
    presample: int = 0,
    throw: bool = True,
):
    """Gaussian log-likelihood of `data` under the order-1 `solution` (Dynare's conventions).

        log L = Σ_t −½ (n_t log 2π + log det F_t + v_t' F_t⁻¹ v_t)

    with v_t, F_t the innovations of the exact Kalman filter (see the module docstring), n_t
    the number of variables observed at t.

    **Arguments:**

    - `solution`: an order-1 [`jaxmacro.Solution`][] (an order-2 one is refused: its
      likelihood is not Gaussian). Solve with ``throw=False``
      inside estimation loops: a failed solution gives −∞.
    - `data`: T x n_obs array of levels in `observables` order (NaN = missing; the steady state
      of each observable is subtracted, Dynare's ``prefilter=0``), or a mapping name -> series.
    - `observables`: names of the observed model variables (Dynare's ``varobs``).
    - `measurement_error`: None, a mapping observable -> std, a vector of std, or an
      n_obs x n_obs covariance (Dynare's ``stderr`` / ``corr`` on observed variables).
    - `shock_cov`: override of the shock covariance Σ (default `solution.shock_cov`; a model
      whose ``shock_cov`` is a function of parameters makes the stds estimable directly).
    - `init`: ``"unconditional"`` (Dynare's ``lik_init=1``; a unit root gives
      ``unit_root_initialisation``), ``"harvey"`` (``lik_init=2``, P = 10·I) or an m x m
      covariance of α_{1|0} over `KalmanFilter.state_names`.
    - `presample`: periods filtered but left out of the likelihood (Dynare's ``presample``).
    - `throw`: raise on failure; with False a failure gives −∞ (see
      [`jaxmacro.kalman_filter`][] for the result code).

    **Returns:** a scalar. Differentiable in everything the solution depends on, jit-compiled
    once per model, observables and data shape, and vmappable over parameter draws.
    """
    return kalman_filter(
        solution,
        data,
        observables,
        measurement_error=measurement_error,
        shock_cov=shock_cov,
        init=init,
        presample=presample,
        throw=throw,
    ).log_likelihood


# ------------------------------------------------------------------------------------------
# Smoother and shock decomposition
# ------------------------------------------------------------------------------------------


class Smoothed(eqx.Module):
    """Output of [`jaxmacro.smooth`][]: E[· | all data] under the order-1 solution.

    **Fields:** `variables`, `shocks`, `observables` (static names), `levels` (T x n_vars:
    smoothed endogenous variables, steady state added, like Dynare's
    ``oo_.SmoothedVariables``), `deviations` (T x n_vars), `shock_values` (T x n_shocks, like
    ``oo_.SmoothedShocks``), `measurement_errors` (T x n_obs), `initial_state` (E[ŝ_0 | data],
    deviations of the states at t = 0), `state_cov` (T x m x m: Var(α_t | data)),
    `log_likelihood`, `result`.
    """

    variables: tuple[str, ...] = eqx.field(static=True)
    shocks: tuple[str, ...] = eqx.field(static=True)
    observables: tuple[str, ...] = eqx.field(static=True)
    levels: Array
    deviations: Array
    shock_values: Array
    measurement_errors: Array
    initial_state: Array
    state_cov: Array
    log_likelihood: Array
    result: LIKELIHOOD_RESULTS

    def __getitem__(self, name):
        if name in self.variables:
            return self.levels[..., self.variables.index(name)]
        if name in self.shocks:
            return self.shock_values[..., self.shocks.index(name)]
        raise KeyError(f"{name!r} is neither a variable {self.variables} nor a shock {self.shocks}")


def _smooth_impl(sol, data, observables, measurement_error, shock_cov, init):
    kf, ss = _filter_impl(sol, data, observables, measurement_error, shock_cov, init, 0)
    T_ = ss.T
    p = len(ss.obs_pos)
    m = T_.shape[0]
    dtype = T_.dtype
    Z = jnp.zeros((p, m), dtype).at[jnp.arange(p), jnp.asarray(ss.obs_pos, dtype=int)].set(1.0)
    QRt = ss.Q @ ss.R.T  # n_e x m

    # Backward recursion in the filtered form: with a_{t|t} = a_t + K_t v_t and
    # a_{t+1} = T a_{t|t}:  r_{t-1} = Z_t' F_t^{-1} v_t + L_t' r_t,  L_t = T (I - K_t Z_t),
    # N_{t-1} = Z_t' F_t^{-1} Z_t + L_t' N_t L_t;  α̂_t = a_t + P_t r_{t-1},
    # V_t = P_t - P_t N_{t-1} P_t;  û_t = Q R' r_{t-1};  ε̂_t = H (F_t^{-1} v_t - K_t' T' r_t).
    def back(carry, x):
        r, N = carry
        Finv_v, K, w, F = x
        wf = w.astype(dtype)
        Zw = wf[:, None] * Z
        L_t = T_ @ (jnp.eye(m, dtype=dtype) - K @ Zw)
        Lc = _cholesky(_sym(F))
        Lc = jnp.where(jnp.all(jnp.isfinite(Lc)), Lc, jnp.eye(p, dtype=dtype))
        Finv_Z = _spd_solve(Lc, Zw)
        eps = wf * ((wf[:, None] * ss.H * wf[None, :]) @ (Finv_v - K.T @ T_.T @ r))
        r_prev = Zw.T @ Finv_v + L_t.T @ r
        N_prev = _sym(Zw.T @ Finv_Z + L_t.T @ N @ L_t)
        return (r_prev, N_prev), (r_prev, N_prev, eps)

    r0 = jnp.zeros((m,), dtype)
    N0 = jnp.zeros((m, m), dtype)
    _, (r_prev, N_prev, eps) = jax.lax.scan(
        back, (r0, N0), (kf._Finv_v, kf._K, kf._mask, kf.innovation_cov), reverse=True
    )
    P = kf.predicted_cov
    V = P - jnp.einsum("tij,tjk,tkl->til", P, N_prev, P)
    u = r_prev @ QRt.T  # T x n_e
    # E[ŝ_0 | data]: Cov(ŝ_0, α_1) = V_s G' where P_{1|0} = G V_s G' + R Q R'; with the
    # unconditional start, V_s is the state covariance (otherwise treat s_0 as at its mean).
    states = tuple(int(i) for i in sol.model.structure.states)
    ok = sol.result == _CORE_RESULTS.successful
    gx = jnp.where(ok, sol.g_x, 0.0)
    gu = jnp.where(ok, sol.g_u, 0.0)
    if states and isinstance(init, str) and init in ("unconditional", "stationary"):
        A = ss.A
        B = gu[jnp.asarray(states, dtype=int)]
        Vs = solve_discrete_lyapunov(jnp.where(_unit_root(A), 0.0, A), _sym(B @ ss.Q @ B.T))
        idx = [sol.model.variables.index(nm) for nm in ss.names]
        G = gx[jnp.asarray(idx, dtype=int)]
        s0 = Vs @ G.T @ r_prev[0]
    else:
        s0 = jnp.zeros((len(states),), dtype)
    dev = _simulate_dev(gx, gu, states, s0, u)
    levels = sol.steady_state + dev
    bad = kf.result != LIKELIHOOD_RESULTS.successful
    nan = lambda x: jnp.where(bad, jnp.nan, x)  # noqa: E731
    return Smoothed(
        variables=sol.model.variables,
        shocks=sol.model.shocks,
        observables=kf.observables,
        levels=nan(levels),
        deviations=nan(dev),
        shock_values=nan(u),
        measurement_errors=nan(eps),
        initial_state=nan(s0),
        state_cov=nan(V),
        log_likelihood=kf.log_likelihood,
        result=kf.result,
    )


def _simulate_dev(gx, gu, states, s0, u):
    """ŷ_t = g_x ŝ_{t-1} + g_u u_t from ŝ_0, for shocks u (T x n_e)."""
    sidx = jnp.asarray(states, dtype=int)

    def step(s, ut):
        y = gx @ s + gu @ ut
        return (y[sidx] if states else s), y

    _, Yd = jax.lax.scan(step, s0, u)
    return Yd


@eqx.filter_jit
def _smooth_jit(sol, data, observables, measurement_error, shock_cov, init):
    return _smooth_impl(sol, data, observables, measurement_error, shock_cov, init)


def smooth(
    solution: Solution,
    data,
    observables: Sequence[str] | str,
    *,
    measurement_error=None,
    shock_cov=None,
    init="unconditional",
    throw: bool = True,
) -> Smoothed:
    """Smoothed variables and shocks (Durbin–Koopman state and disturbance smoother).

    Arguments as in [`jaxmacro.log_likelihood`][]. Returns a [`jaxmacro.Smoothed`][]: every
    endogenous variable (not only the filter's states) is rebuilt from the smoothed initial
    state and shocks through the decision rule, so the smoothed observables plus the smoothed
    measurement errors reproduce the data exactly where it is observed. Differentiable and
    vmappable like the likelihood.
    """
    sm = _smooth_jit(
        solution,
        data,
        tuple(_as_names(observables)),
        arrays(measurement_error),
        arrays(shock_cov),
        _static_init(init),
    )
    return throw_if_failed(sm, throw, LIKELIHOOD_RESULTS)


class ShockDecomposition(eqx.Module):
    """Historical shock decomposition ([`jaxmacro.shock_decomposition`][]).

    **Fields:** `variables`, `shocks` (static), `contributions` (T x n_vars x n_shocks: the path
    of each variable driven by each smoothed shock alone, from a zero initial state),
    `initial` (T x n_vars: the effect of the smoothed initial state), `total` (T x n_vars:
    smoothed deviations = contributions summed over shocks + initial),
    `measurement_errors` (T x n_obs), `observables`. For an observable, total plus its
    measurement error is the data minus the steady state (where observed).
    Layout like Dynare's ``oo_.shock_decomposition`` (shocks, initial values, smoothed).
    """

    variables: tuple[str, ...] = eqx.field(static=True)
    shocks: tuple[str, ...] = eqx.field(static=True)
    observables: tuple[str, ...] = eqx.field(static=True)
    contributions: Array
    initial: Array
    total: Array
    measurement_errors: Array


@eqx.filter_jit
def _decompose(sol, sm: Smoothed):
    states = tuple(int(i) for i in sol.model.structure.states)
    ne = len(sol.model.shocks)
    u = sm.shock_values
    zero_s = jnp.zeros((len(states),), u.dtype)
    cols = []
    for j in range(ne):
        uj = jnp.zeros_like(u).at[:, j].set(u[:, j])
        cols.append(_simulate_dev(sol.g_x, sol.g_u, states, zero_s, uj))
    contrib = (
        jnp.stack(cols, axis=-1) if ne else jnp.zeros(u.shape[:1] + (len(sol.model.variables), 0))
    )
    init = _simulate_dev(sol.g_x, sol.g_u, states, sm.initial_state, jnp.zeros_like(u))
    return ShockDecomposition(
        variables=sm.variables,
        shocks=sm.shocks,
        observables=sm.observables,
        contributions=contrib,
        initial=init,
        total=sm.deviations,
        measurement_errors=sm.measurement_errors,
    )


def shock_decomposition(
    solution: Solution,
    data,
    observables: Sequence[str] | str,
    *,
    measurement_error=None,
    shock_cov=None,
    init="unconditional",
    throw: bool = True,
) -> ShockDecomposition:
    """Historical decomposition of every variable into the contributions of the smoothed shocks.

    Arguments as in [`jaxmacro.smooth`][]. Returns a [`jaxmacro.ShockDecomposition`][].
    """
    sm = smooth(
        solution,
        data,
        observables,
        measurement_error=measurement_error,
        shock_cov=shock_cov,
        init=init,
        throw=throw,
    )
    return _decompose(solution, sm)
