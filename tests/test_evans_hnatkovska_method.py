"""`jm.evans_hnatkovska`: state-dependent portfolios from the σ²ŝ portfolio conditions solved by
Newton on the order-2 solution, checked against a second algorithm (the Devereux–Sutherland
2010 closed form, `jm.portfolio_dynamics`), the complete-markets closed form, and the defining
property (the conditional covariance of D and r̂x has no state slope at the solution, and a
clear one away from it)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from helpers import RTOL_FD, central_difference
from test_portfolio_dynamics import (
    DYN,
    DYN_CALIB,
    DYN_STATES,
    closed_form_gamma,
    dyn_pd,
    full,
)

import jaxmacro as jm

GAMMAS = {s: f"g_{s}" for s in DYN_STATES}
TRACES = []


def _count(p, ybar):
    TRACES.append(1)
    return 1.0 + 0.0 * p.bet


def eh(**over):
    return jm.evans_hnatkovska(
        DYN, full(DYN, **over), gamma_params=GAMMAS, sdf="cdiff", scale=_count, throw=False
    )


@pytest.mark.parametrize("complete", [False, True], ids=["incomplete", "complete"])
def test_equals_ds_dynamics_and_closed_form(complete):
    over = dict(DYN_CALIB, sdt=0.0, corr13=0.0) if complete else DYN_CALIB
    out, pd = eh(**over), dyn_pd(**over)
    assert jm.result_name(out.result) == "successful"
    assert float(out.residual) < 1e-10 and 1 <= int(out.iterations) <= 5
    big = np.max(np.abs(np.asarray(pd.gamma)))
    np.testing.assert_allclose(np.asarray(out.alpha_x), np.asarray(pd.gamma), atol=1e-8 * big)
    np.testing.assert_allclose(np.asarray(out.alpha_bar), np.asarray(pd.alpha_tilde), rtol=1e-10)
    if complete:
        states = ("nfa", "y1", "y2", "p1", "p2")
        exact = np.asarray(closed_form_gamma(over["bet"], states))
        got = np.asarray([out.alpha_x[0, DYN.states.index(s)] for s in states])
        np.testing.assert_allclose(got, exact, atol=1e-9 * np.max(np.abs(exact)))
    # Σ_x of the excess return and the premia are those of the order-2 solution it returns
    cm = jm.conditional_moments(out.solution, variables=("rx", "cdiff"), shocks=("e1", "e2", "e3"))
    np.testing.assert_allclose(np.asarray(out.sigma_x[0, 0]), np.asarray(cm.cov_x[0, 0]))
    np.testing.assert_allclose(float(out.premia0[0]), -float(cm.cov0[1, 0]))


def test_condition_holds_at_the_solution_and_fails_away_from_it():
    """Independent of the Newton internals: put α_x into the model's parameters, solve at
    order 2 and measure the state slope of Cov_t(D, r̂x) with `jm.conditional_moments`."""
    out = eh(**DYN_CALIB)
    shocks = ("e1", "e2", "e3")

    def slope(alpha_x):
        g = {f"g_{s}": float(alpha_x[i]) for i, s in enumerate(DYN.states)}
        p = full(DYN, **DYN_CALIB, atil=float(out.alpha_bar[0]), **g)
        sol = jm.solve(DYN, p, order=2)
        cm = jm.conditional_moments(sol, variables=("cdiff", "rx"), shocks=shocks)
        return np.asarray(cm.cov_x[0, 1]) / float(cm.cov0[1, 1])

    at = np.asarray(out.alpha_x[0])
    assert np.max(np.abs(slope(at))) < 1e-10
    off = at.copy()
    off[0] += 0.05
    assert np.max(np.abs(slope(off))) > 1e-4


def test_vmap_equals_loop_failed_point_and_jit_once():
    bets = [0.95, 0.97, 0.97]
    rhoy = [0.8, 0.8, 1.5]  # the last point is explosive
    stacked = {
        k: jnp.stack([full(DYN, **dict(DYN_CALIB, bet=b, rhoy=r))[k] for b, r in zip(bets, rhoy)])
        for k in DYN.param_names
    }
    TRACES.clear()
    batch = jax.vmap(
        lambda q: jm.evans_hnatkovska(DYN, q, gamma_params=GAMMAS, scale=_count, throw=False)
    )(stacked)
    assert len(TRACES) == 1
    names = [jm.result_name(jax.tree.map(lambda x: x[i], batch.result)) for i in range(3)]
    assert names == ["successful", "successful", "bk_no_stable_solution"]
    assert np.all(np.isnan(np.asarray(batch.alpha_x[2])))
    for i in range(2):
        one = eh(**dict(DYN_CALIB, bet=bets[i], rhoy=rhoy[i]))
        np.testing.assert_allclose(
            np.asarray(batch.alpha_x[i]), np.asarray(one.alpha_x), rtol=1e-10
        )
    TRACES.clear()
    for b in (0.955, 0.965):
        eh(**dict(DYN_CALIB, bet=b))
    assert len(TRACES) == 0  # same structure: compiled once, no retrace


def test_grad_equals_finite_differences():
    base = full(DYN, **DYN_CALIB)

    def f(b):
        q = dict(base, bet=b)
        return jm.evans_hnatkovska(DYN, q, gamma_params=GAMMAS).alpha_x[0, 0]

    b0 = jnp.asarray(DYN_CALIB["bet"])
    g = float(jax.grad(f)(b0))
    np.testing.assert_allclose(g, float(central_difference(f, b0, 1e-5)), rtol=RTOL_FD)


def test_errors():
    p = full(DYN, **DYN_CALIB)
    with pytest.raises(ValueError, match="'c1' is not a state"):
        jm.evans_hnatkovska(DYN, p, gamma_params={"c1": "g_nfa"})
    with pytest.raises(ValueError, match="unknown parameter 'g_zz'"):
        jm.evans_hnatkovska(DYN, p, gamma_params={"nfa": "g_zz"})
    with pytest.raises(ValueError, match="used twice"):
        jm.evans_hnatkovska(DYN, p, gamma_params={"nfa": "g_nfa", "y1": "g_nfa"})
    with pytest.raises(ValueError, match="unknown variable 'm'"):
        jm.evans_hnatkovska(DYN, p, gamma_params=GAMMAS, sdf="m")
    with pytest.raises(ValueError, match="one mapping"):
        jm.evans_hnatkovska(DYN, p, gamma_params=[GAMMAS, GAMMAS])
