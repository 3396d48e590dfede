"""Kalman-filter likelihood, smoother and shock decomposition against independent computations."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.linalg

import jaxmacro as jm
from jaxmacro._estimation import (
    LIKELIHOOD_RESULTS,
    kalman_filter,
    log_likelihood,
    shock_decomposition,
    smooth,
)


# ---------------------------------------------------------------- independent reference
def stacked_loglik(sol, Y, observables, H=None):
    """log N(vec(Y - ȳ); 0, Ω) with Ω the stacked T·p x T·p covariance (no recursion)."""
    gx, gu, S = (np.asarray(a) for a in (sol.g_x, sol.g_u, sol.shock_cov))
    names = sol.model.variables
    st = list(sol.model.structure.states)
    o = [names.index(v) for v in observables]
    A, B = gx[st], gu[st]
    Vs = scipy.linalg.solve_discrete_lyapunov(A, B @ S @ B.T)
    Go, Uo = gx[o], gu[o]
    T, p = Y.shape
    gam = [Go @ Vs @ Go.T + Uo @ S @ Uo.T]
    C1 = A @ Vs @ Go.T + B @ S @ Uo.T  # Cov(s_t, y_t)
    M = C1
    for _ in range(1, T):
        gam.append(Go @ M)  # Cov(y_t, y_{t-k})
        M = A @ M
    Om = np.zeros((T * p, T * p))
    for t in range(T):
        for s in range(T):
            blk = gam[t - s] if t >= s else gam[s - t].T
            Om[t * p : (t + 1) * p, s * p : (s + 1) * p] = blk
        if H is not None:
            Om[t * p : (t + 1) * p, t * p : (t + 1) * p] += H
    d = (Y - np.asarray(sol.steady_state)[o]).ravel()
    keep = np.isfinite(d)
    d, Om = d[keep], Om[np.ix_(keep, keep)]
    # Cholesky, not scipy.stats.multivariate_normal: its eigendecomposition loses ~4e-9 here
    # (the two-country model's state covariance has condition number 4e19)
    c = scipy.linalg.cho_factor(Om, lower=True)
    logdet = 2.0 * np.sum(np.log(np.diag(c[0])))
    return -0.5 * (d.size * np.log(2 * np.pi) + logdet + d @ scipy.linalg.cho_solve(c, d))


def simulate_data(sol, observables, T, seed, me_std=None):
    sim = jm.simulate(sol, jax.random.PRNGKey(seed), periods=T, burn=200)
    Y = np.stack([np.asarray(sim[v]) for v in observables], axis=1)
    if me_std is not None:
        Y = Y + np.random.default_rng(seed).normal(size=Y.shape) * np.asarray(me_std)
    return Y


@pytest.fixture(scope="module")
def rbc():
    m = jm.models.rbc()
    return m, jm.solve(m)


@pytest.fixture(scope="module")
def tcb():
    m = jm.models.two_country_bond()
    return m, jm.solve(m)


# ---------------------------------------------------------------- likelihood = stacked density
def test_one_observable(rbc):
    _, sol = rbc
    Y = simulate_data(sol, ["y"], 60, 1)
    ll = float(log_likelihood(sol, Y, ["y"]))
    ref = stacked_loglik(sol, Y, ["y"])
    assert abs(ll - ref) < 1e-9, (ll, ref)


def test_correlated_shocks_two_observables(tcb):
    _, sol = tcb
    obs = ["y1", "c2"]
    assert abs(float(sol.shock_cov[0, 1])) > 0  # correlated shocks
    Y = simulate_data(sol, obs, 60, 2)
    ll = float(log_likelihood(sol, Y, obs))
    ref = stacked_loglik(sol, Y, obs)
    assert abs(ll - ref) < 1e-9, (ll, ref)


def test_measurement_error_and_missing(tcb):
    _, sol = tcb
    obs = ["y1", "c2", "nx1", "inv1"]  # 4 observables, 2 shocks: needs measurement error
    me = {"y1": 0.002, "c2": 0.001, "nx1": 0.003, "inv1": 0.0015}
    sd = np.array([me[o] for o in obs])
    Y = simulate_data(sol, obs, 50, 3, me_std=sd)
    Y[5, 0] = np.nan
    Y[6, :] = np.nan  # a period with nothing observed
    Y[10:14, 2] = np.nan
    Y[30, 1:3] = np.nan
    ll = float(log_likelihood(sol, Y, obs, measurement_error=me))
    ref = stacked_loglik(sol, Y, obs, H=np.diag(sd**2))
    assert abs(ll - ref) < 1e-9, (ll, ref)
    # a full covariance of measurement errors (correlated), same answer as the stacked density
    Hm = np.diag(sd**2)
    Hm[0, 1] = Hm[1, 0] = 0.3 * sd[0] * sd[1]
    ll2 = float(log_likelihood(sol, Y, obs, measurement_error=Hm))
    assert abs(ll2 - stacked_loglik(sol, Y, obs, H=Hm)) < 1e-9
    # the constant counts observed values only
    kf = kalman_filter(sol, Y, obs, measurement_error=me)
    assert int(np.sum(kf.n_observed)) == int(np.isfinite(Y).sum())
    assert float(kf.contributions[6]) == 0.0


def test_stochastic_singularity_is_an_error(tcb):
    _, sol = tcb
    Y = np.zeros((10, 3))
    with pytest.raises(ValueError, match="stochastic singularity"):
        log_likelihood(sol, Y, ["y1", "c2", "nx1"])


def test_presample_and_mapping_data(rbc):
    _, sol = rbc
    Y = simulate_data(sol, ["y", "c"], 40, 4, me_std=[0.001, 0.001])
    kf = kalman_filter(
        sol, {"c": Y[:, 1], "y": Y[:, 0]}, ["y", "c"], measurement_error=[0.001, 0.001]
    )
    kp = kalman_filter(sol, Y, ["y", "c"], measurement_error=[0.001, 0.001], presample=4)
    np.testing.assert_allclose(
        float(kp.log_likelihood), float(np.sum(kf.contributions[4:])), rtol=0, atol=1e-10
    )


# ---------------------------------------------------------------- gradients, vmap, jit
def _rbc_ll(model, Y):
    def f(theta):
        p = {"alpha": theta[0], "rho": theta[1], "sigma": theta[2], "beta": theta[3]}
        sol = jm.solve(model, p, throw=False)
        return log_likelihood(
            sol, Y, ["y", "c"], measurement_error={"y": theta[4], "c": 0.002}, throw=False
        )

    return f


def test_grad_equals_finite_differences_and_jit_traces_once(rbc):
    model, sol = rbc
    Y = simulate_data(sol, ["y", "c"], 60, 5, me_std=[0.003, 0.002])
    f = _rbc_ll(model, Y)
    theta = jnp.array([0.34, 0.93, 0.011, 0.985, 0.0035])
    g = np.asarray(jax.jit(jax.grad(f))(theta))
    fj = jax.jit(eqx.debug.assert_max_traces(f, max_traces=1))  # 21 calls, one trace
    for i in range(theta.shape[0]):
        h = 1e-5 * max(abs(float(theta[i])), 1e-2)
        e = jnp.zeros_like(theta).at[i].set(h)
        # 4th-order central difference
        fd = (-fj(theta + 2 * e) + 8 * fj(theta + e) - 8 * fj(theta - e) + fj(theta - 2 * e)) / (
            12 * h
        )
        assert abs(g[i] - float(fd)) <= 1e-6 * max(1.0, abs(float(fd))), (i, g[i], float(fd))
    assert np.isfinite(float(fj(theta)))


def test_grad_in_shock_correlation_and_std(tcb):
    _, sol = tcb
    obs = ["y1", "c2"]
    Y = simulate_data(sol, obs, 40, 6)

    @jax.jit
    def f(x):
        c, sd = x
        cov = sd**2 * jnp.array([[1.0, c], [c, 1.0]])
        return log_likelihood(sol, Y, obs, shock_cov=cov)

    x = jnp.array([0.25, 0.011])
    g = np.asarray(jax.grad(f)(x))
    for i, h in enumerate((1e-5, 1e-8)):
        e = jnp.zeros(2).at[i].set(h)
        fd = (-f(x + 2 * e) + 8 * f(x + e) - 8 * f(x - e) + f(x - 2 * e)) / (12 * h)
        assert abs(g[i] - float(fd)) <= 1e-6 * max(1.0, abs(float(fd))), (i, g[i], float(fd))


def test_vmap_equals_loop_and_failing_point(rbc):
    model, _ = rbc
    sols = [jm.solve(model, {"rho": r}, throw=False) for r in (0.9, 0.93, 1.2, 0.95, 0.97)]
    assert not sols[2].ok  # rho = 1.2: no stable solution
    Y = simulate_data(sols[1], ["y", "c"], 40, 7, me_std=[0.003, 0.002])
    me = jnp.array([0.003, 0.002])

    def f(s):
        return log_likelihood(s, Y, ["y", "c"], measurement_error=me, throw=False)

    batch = jax.tree.map(lambda *xs: jnp.stack(xs), *sols)
    lv = np.asarray(jax.jit(jax.vmap(f))(batch))
    loop = np.array([float(f(s)) for s in sols])
    assert lv[2] == -np.inf and loop[2] == -np.inf
    ok = np.arange(5) != 2
    assert np.all(np.isfinite(lv[ok]))
    np.testing.assert_allclose(lv[ok], loop[ok], rtol=1e-13, atol=0)
    kf = kalman_filter(sols[2], Y, ["y", "c"], measurement_error=me, throw=False)
    assert kf.result == LIKELIHOOD_RESULTS.bk_no_stable_solution
    assert float(kf.log_likelihood) == -np.inf


def test_unit_root_initialisation():
    m = jm.models.rbc(rho=1.0)
    sol = jm.solve(m, throw=False)
    assert sol.ok
    Y = np.full((10, 1), float(sol.steady_state[2]))
    kf = kalman_filter(sol, Y, ["y"], throw=False)
    assert kf.result == LIKELIHOOD_RESULTS.unit_root_initialisation
    assert float(kf.log_likelihood) == -np.inf
    with pytest.raises(Exception, match="init='harvey'"):
        log_likelihood(sol, Y, ["y"])
    assert np.isfinite(float(log_likelihood(sol, Y, ["y"], init="harvey")))


# ---------------------------------------------------------------- smoother, decomposition
def _brute_smoother(sol, Y, observables, H):
    """E[y_{1..T}, u_{1..T} | data] by Gaussian conditioning on the stacked system."""
    gx, gu, S = (np.asarray(a) for a in (sol.g_x, sol.g_u, sol.shock_cov))
    st = list(sol.model.structure.states)
    n, ne = gx.shape[0], gu.shape[1]
    A, B = gx[st], gu[st]
    Vs = scipy.linalg.solve_discrete_lyapunov(A, B @ S @ B.T)
    T, p = Y.shape
    o = [sol.model.variables.index(v) for v in observables]
    # latent x = (s_0, u_1..u_T, eps_1..eps_T): y_t = g_x s_{t-1} + g_u u_t
    nx = len(st) + T * ne + T * p
    prior = scipy.linalg.block_diag(Vs, *[S] * T, *[H] * T)
    Ymap = np.zeros((T * n, nx))
    Ob = np.zeros((T * p, nx))
    Mst = np.zeros((len(st), nx))
    Mst[:, : len(st)] = np.eye(len(st))
    for t in range(T):
        Ut = np.zeros((ne, nx))
        Ut[:, len(st) + t * ne : len(st) + (t + 1) * ne] = np.eye(ne)
        Yt = gx @ Mst + gu @ Ut
        Ymap[t * n : (t + 1) * n] = Yt
        Et = np.zeros((p, nx))
        Et[:, len(st) + T * ne + t * p : len(st) + T * ne + (t + 1) * p] = np.eye(p)
        Ob[t * p : (t + 1) * p] = Yt[o] + Et
        Mst = Yt[st]
    d = (Y - np.asarray(sol.steady_state)[o]).ravel()
    keep = np.isfinite(d)
    Obk = Ob[keep]
    xhat = prior @ Obk.T @ np.linalg.solve(Obk @ prior @ Obk.T, d[keep])
    ydev = (Ymap @ xhat).reshape(T, n)
    u = xhat[len(st) : len(st) + T * ne].reshape(T, ne)
    eps = xhat[len(st) + T * ne :].reshape(T, p)
    return ydev, u, eps, xhat[: len(st)]


def test_smoother_equals_conditional_expectation(tcb):
    _, sol = tcb
    obs = ["y1", "c2", "nx1"]
    sd = np.array([0.002, 0.001, 0.003])
    Y = simulate_data(sol, obs, 30, 9, me_std=sd)
    Y[4, 1] = np.nan
    Y[7, :] = np.nan
    sm = smooth(sol, Y, obs, measurement_error=sd)
    ydev, u, eps, s0 = _brute_smoother(sol, Y, obs, np.diag(sd**2))
    np.testing.assert_allclose(np.asarray(sm.deviations), ydev, rtol=0, atol=1e-10)
    np.testing.assert_allclose(np.asarray(sm.shock_values), u, rtol=0, atol=1e-10)
    np.testing.assert_allclose(np.asarray(sm.measurement_errors), eps, rtol=0, atol=1e-10)
    np.testing.assert_allclose(np.asarray(sm.initial_state), s0, rtol=0, atol=1e-10)
    np.testing.assert_allclose(
        np.asarray(sm.levels), ydev + np.asarray(sol.steady_state), atol=1e-10
    )


def test_shock_decomposition_adds_up(tcb):
    _, sol = tcb
    obs = ["y1", "c2", "nx1"]
    sd = np.array([0.002, 0.001, 0.003])
    Y = simulate_data(sol, obs, 30, 10, me_std=sd)
    dec = shock_decomposition(sol, Y, obs, measurement_error=sd)
    tot = np.asarray(dec.contributions).sum(-1) + np.asarray(dec.initial)
    np.testing.assert_allclose(tot, np.asarray(dec.total), rtol=0, atol=1e-12)
    o = [sol.model.variables.index(v) for v in obs]
    data_dev = Y - np.asarray(sol.steady_state)[o]
    np.testing.assert_allclose(
        tot[:, o] + np.asarray(dec.measurement_errors), data_dev, rtol=0, atol=1e-10
    )
