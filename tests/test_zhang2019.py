"""Zhang (2019) baseline model: reproduction targets of spec seed_000 §8 (Table 2 and friends).

"P" is the paper's specification (newborn_wealth="steady_state_rate"), "C" the consistent one
("market"). Every Table 2 number comes from one vmapped call per specification.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxmacro as jm
from jaxmacro.models import zhang2019 as Z

COLS = np.array(Z.TABLE2_COLUMNS)  # (beta, beta_star, n) per column
MU = 0.95


def _vmapped(newborn_wealth, beta, beta_star, n, mu):
    params = dict(
        beta=jnp.asarray(beta),
        beta_star=jnp.asarray(beta_star),
        n=jnp.asarray(n),
        mu=jnp.asarray(mu),
    )
    return jax.vmap(lambda p: Z.baseline(p, newborn_wealth=newborn_wealth, throw=False))(params)


def _table(newborn_wealth):
    return _vmapped(newborn_wealth, COLS[:, 0], COLS[:, 1], COLS[:, 2], np.full(5, MU))


@pytest.fixture(scope="module")
def table_p():
    return _table("steady_state_rate")


@pytest.fixture(scope="module")
def table_c():
    return _table("market")


def col(b, name):
    return np.asarray(getattr(b, name), dtype=float)


# §7.1 high-precision spec-P values (regression targets; tolerance 1e-5)
HIGH_P = {
    "alpha": [-12.000000, -16.105928, -20.772464, -26.145578, -33.011738],
    "alpha_1": [-12.000000, -13.053908, -14.706901, -17.091970, -20.549530],
    "alpha_2": [0, -3.183426, -6.220666, -9.247393, -12.719851],
    "alpha_3": [0, 0.002160, 0.009490, 0.024558, 0.054182],
    "alpha_4": [0, 0.129247, 0.145613, 0.169227, 0.203461],
    "cov_r2_rx": [-0.206612, -0.187968, -0.163408, -0.135571, -0.106178],
    "cov_r1_rxstar": [-0.206612, -0.188338, -0.164229, -0.136918, -0.108121],
    "var_rx": [0.413223, 0.376306, 0.327637, 0.272489, 0.214299],
    "trade_effect": [0.500000, 0.574583, 0.625323, 0.644730, 0.637117],
    "tt_effect": [0, -1.653407, -3.349026, -5.171972, -7.378403],
    "val_effect": [-5.681818, -7.181974, -8.607319, -9.834644, -10.959305],
    "home_bias_ratio": [0.5, 0.506818, 0.510077, 0.515370, 0.524248],
    "home_bias_consistent": [0.5, 0.500272, 0.501508, 0.504621, 0.511358],
}
# §7.1 spec C
HIGH_C = {
    "alpha": [-12, -16.111223, -20.797575, -26.216085, -33.182333],
    "cov_r2_rx": [-0.206612, -0.188279, -0.164065, -0.136600, -0.107596],
    "cov_r1_rxstar": [-0.206612, -0.188027, -0.163572, -0.135888, -0.106703],
    "trade_effect": [0.5, 0.582158, 0.641022, 0.669968, 0.674916],
    "tt_effect": [0, -1.853949, -3.796490, -5.965682, -8.739233],
    "val_effect": [-5.681818, -7.184335, -8.617724, -9.861165, -11.015939],
    "home_bias_ratio": [0.5, 0.506549, 0.508595, 0.510850, 0.513189],
}


# ------------------------------------------------------------------------------------------
# §8.1-8.2 steady state and var(rx)
# ------------------------------------------------------------------------------------------


def test_steady_state_closed_forms():
    s = Z.steady_state(0.96, 0.97, 0.01)
    target = dict(
        r=1.0339976,
        w=-12.472573,
        z=29.413802,
        tau=0.982810,
        tau_star=0.993047,
        c=0.700688,
        c_star=1.299312,
    )
    for k, v in target.items():
        np.testing.assert_allclose(float(s[k]), v, rtol=1e-6, err_msg=k)
    # every column of the §1.3 table
    table = dict(
        r=[1.041667, 1.038303, 1.033998, 1.029254, 1.024331],
        w=[0, -6.373124, -12.472573, -18.586685, -25.672527],
        z=[24, 26.107815, 29.413802, 34.183941, 41.099059],
        tau=[1, 0.986902, 0.982810, 0.978300, 0.973622],
        tau_star=[1, 0.992042, 0.993047, 0.993586, 0.993906],
        c=[1, 0.819623, 0.700688, 0.642141, 0.632075],
        c_star=[1, 1.180377, 1.299312, 1.357859, 1.367925],
        phi=[0.08, 0.079340, 0.081336, 0.082203, 0.079708],
    )
    s = Z.steady_state(COLS[:, 0], COLS[:, 1], COLS[:, 2])
    for k, v in table.items():
        np.testing.assert_allclose(np.asarray(s[k]), v, rtol=0, atol=1.5e-6, err_msg=k)
    # w + w* = 0 with w* from its own formula (spec Eq. 8)
    r, b, bs, nt = s["r"][1:], COLS[1:, 0], COLS[1:, 1], 1 + COLS[1:, 2]
    w_star = (r * bs - 1) / ((nt - r * bs) * (r - 1))
    assert np.max(np.abs(np.asarray(s["w"][1:] + w_star))) < 1e-10
    # 1/β* < r < 1/β in the asymmetric columns
    assert np.all((1 / bs < np.asarray(r)) & (np.asarray(r) < 1 / b))


def test_var_rx(table_p, table_c):
    r, mu = Z.steady_state(COLS[:, 0], COLS[:, 1], COLS[:, 2])["r"], MU
    exact = 2 * ((r - 1) / (r - mu)) ** 2
    for t in (table_p, table_c):
        np.testing.assert_allclose(col(t, "var_rx"), np.asarray(exact), rtol=1e-10)
    np.testing.assert_allclose(col(table_p, "var_rx")[[0, 2]], [0.413223, 0.327637], atol=1e-6)


# ------------------------------------------------------------------------------------------
# §8.3 symmetric column (unit root), both specs
# ------------------------------------------------------------------------------------------


def test_symmetric_column_unit_root(table_p, table_c):
    for t in (table_p, table_c):
        assert int(t.result._value[0]) == int(jm.RESULTS.successful._value)
        assert int(t.portfolio.solution.n_stable[0]) == 5  # the unit root counted as stable
        np.testing.assert_allclose(col(t, "alpha")[0], -12.0, atol=1e-9)
        np.testing.assert_allclose(col(t, "alpha")[0], -col(t, "z")[0] / 2, atol=1e-9)
        np.testing.assert_allclose(col(t, "cov_r2_rx")[0], -0.206612, atol=1e-6)
        np.testing.assert_allclose(col(t, "cov_r2_rx")[0], -col(t, "var_rx")[0] / 2, atol=1e-12)
        np.testing.assert_allclose(col(t, "trade_effect")[0], 0.5, atol=1e-9)
        np.testing.assert_allclose(col(t, "tt_effect")[0], 0.0, atol=1e-9)
        np.testing.assert_allclose(col(t, "val_effect")[0], -5.681818, atol=1e-6)
        np.testing.assert_allclose(col(t, "val_effect")[0], -12.5 * 5 / 11, rtol=1e-9)
        # the unit root is there: one eigenvalue of the state transition on the unit circle
        A = np.asarray(t.portfolio.solution.g_x[0])[list(t.portfolio.model.structure.states)]
        ev = np.sort(np.abs(np.linalg.eigvals(A)))
        np.testing.assert_allclose(ev[-1], 1.0, atol=1e-9)
    # DS loadings of the symmetric check (§3.4)
    ps = table_p.portfolio
    np.testing.assert_allclose(np.asarray(ps.R2[0, 0]), [0.454545, -0.454545], atol=1e-6)
    np.testing.assert_allclose(float(ps.D1[0, 0, 0]), 0.08, atol=1e-10)
    np.testing.assert_allclose(np.asarray(ps.D2[0, 0]), [0.454545, -0.454545], atol=1e-6)
    np.testing.assert_allclose(float(ps.alpha_tilde[0, 0]), -12.5, atol=1e-9)


def test_symmetric_continuity_in_n():
    """β = β*, n > 0 has no unit root and gives α = -z/(2ñ); it tends to -z/2 as n -> 0."""
    n = np.array([0.01, 1e-3, 1e-5, 0.0, 0.02])
    b = _vmapped("steady_state_rate", np.full(5, 0.96), np.full(5, 0.96), n, np.full(5, MU))
    z = 0.96 / 0.04
    np.testing.assert_allclose(col(b, "alpha"), -z / (2 * (1 + n)), rtol=1e-9)
    np.testing.assert_allclose(col(b, "w"), 0.0, atol=1e-9)


# ------------------------------------------------------------------------------------------
# §8.4 Table 2 under spec P, every printed row and column
# ------------------------------------------------------------------------------------------


def test_table2_printed_values(table_p):
    for row, (values, decimals) in Z.PAPER_TABLE2.items():
        model = col(table_p, row)
        decs = decimals if isinstance(decimals, tuple) else (decimals,) * 5
        for j, (paper, d) in enumerate(zip(values, decs)):
            if paper is None:  # printed "-": τ = τ* = 1 in the symmetric column
                np.testing.assert_allclose(model[j], 1.0, atol=1e-12)
                continue
            unit = 10.0**-d
            # ±1 unit in the last printed digit (the spec allows ±2 for c* in column 4 and
            # α[4] in column 5, two known misprints: 1.3579 printed 1.35, 0.20346 printed 0.204)
            assert abs(model[j] - paper) <= unit * (1 + 1e-9), (row, j, model[j], paper)


def test_table2_high_precision(table_p, table_c):
    for k, v in HIGH_P.items():
        np.testing.assert_allclose(col(table_p, k), v, rtol=0, atol=1e-5, err_msg=k)
    for k, v in HIGH_C.items():
        np.testing.assert_allclose(col(table_c, k), v, rtol=0, atol=1e-5, err_msg=k)
    # §3.4 test values at β* = 0.97
    ps = table_p.portfolio
    np.testing.assert_allclose(float(ps.D1[2, 0, 0]), 0.0802124, atol=1e-7)
    np.testing.assert_allclose(np.asarray(ps.D2[2, 0]), [0.735749, -0.658887], atol=1e-6)
    np.testing.assert_allclose(np.asarray(ps.R2[2, 0]), [0.404745, -0.404745], atol=1e-6)
    assert abs(float(ps.R1[2, 0, 0])) < 1e-14
    np.testing.assert_allclose(float(ps.alpha_tilde[2, 0]), -21.47868, atol=1e-5)
    pc = table_c.portfolio
    np.testing.assert_allclose(float(pc.D1[2, 0, 0]), float(table_c.phi[2]), rtol=1e-10)
    np.testing.assert_allclose(np.asarray(pc.D2[2, 0]), [0.707941, -0.707941], atol=1e-6)
    # ζ values of Figure 3
    np.testing.assert_allclose(np.asarray(table_p.zeta_r2[2]), [0.2623, 0.6660], atol=1e-4)
    np.testing.assert_allclose(np.asarray(table_p.zeta_r1[2]), [0.6670, 0.2613], atol=1e-4)
    np.testing.assert_allclose(np.asarray(table_p.zeta_srn[2]), [-0.30518, -0.30582], atol=1e-5)


# ------------------------------------------------------------------------------------------
# §8.5 analytic result under spec C; §8.6 closed-form decomposition; §8.7 signs
# ------------------------------------------------------------------------------------------


def test_spec_c_is_the_market_portfolio(table_c):
    w, z, n = col(table_c, "w"), col(table_c, "z"), col(table_c, "n")
    np.testing.assert_allclose(col(table_c, "alpha"), (w - z / (1 + n)) / 2, rtol=1e-8)
    # old cohorts' consumption innovations are identical: no innovation in ĉ^D
    assert np.max(np.abs(np.asarray(table_c.zeta_cd))) < 1e-9
    np.testing.assert_allclose(col(table_c, "home_bias_consistent"), 0.5, rtol=1e-8)


def test_closed_form_decomposition(table_p, table_c):
    t = table_p
    z, n, r, phi = col(t, "z"), col(t, "n"), col(t, "r"), col(t, "phi")
    tau, tau_s = col(t, "tau"), col(t, "tau_star")
    np.testing.assert_allclose(col(t, "alpha_1"), -z / 2, rtol=1e-8)
    a4 = ((1 - tau) / tau + (1 - tau_s) / tau_s) / (2 * r * phi)
    np.testing.assert_allclose(col(t, "alpha_4"), a4, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(col(t, "alpha_4"), n * z / (2 * (1 + n)), rtol=1e-8, atol=1e-12)
    for tt in (table_p, table_c):  # the four terms sum to α in both specifications
        total = sum(col(tt, f"alpha_{i}") for i in range(1, 5))
        np.testing.assert_allclose(total, col(tt, "alpha"), rtol=1e-10)
    # foreign portfolio: α* = α - w, α*[2] - α[2] = -w, cov identity of §3.6
    np.testing.assert_allclose(col(t, "alpha_star"), col(t, "alpha") - col(t, "w"), rtol=1e-12)
    np.testing.assert_allclose(col(t, "alpha_star_2") - col(t, "alpha_2"), -col(t, "w"), atol=1e-10)
    np.testing.assert_allclose(
        col(t, "cov_r1_rxstar") + col(t, "cov_r2_rx"), -col(t, "var_rx"), atol=1e-12
    )
    # α[2] from the ζ's: -(r-µ)(ζ_r2e1 - ζ_r2e2) w / (2(r-1))
    zr2 = np.asarray(t.zeta_r2)
    a2 = -(r - MU) * (zr2[:, 0] - zr2[:, 1]) * col(t, "w") / (2 * (r - 1))
    np.testing.assert_allclose(col(t, "alpha_2"), a2, rtol=1e-8, atol=1e-12)


def test_signs_and_orderings(table_p):
    t = table_p
    a, a2, a3, a4 = (col(t, k)[1:] for k in ("alpha", "alpha_2", "alpha_3", "alpha_4"))
    assert np.all(a < 0)
    assert np.all(a2 < 0) and np.all(col(t, "alpha_star_2")[1:] > 0)
    assert np.all((0 < a3) & (a3 < 0.01 * np.abs(a2)))
    assert np.all(a4 > 0)
    zr2, zs = np.asarray(t.zeta_r2)[1:], np.asarray(t.zeta_srn)[1:]
    assert np.all(zr2[:, 0] < zr2[:, 1])
    assert np.all((0 > zs[:, 0]) & (zs[:, 0] > zs[:, 1]))
    assert np.all(np.diff(np.abs(col(t, "alpha"))) > 0)
    assert np.all(np.diff(np.abs(col(t, "val_effect"))) > 0)
    assert np.all(col(t, "tt_effect")[1:] < 0)
    # home bias under the paper's measure, and its condition cov(r1 + r2, rx) > 0 (§3.6)
    assert np.all(col(t, "home_bias_ratio")[1:] > 0.5)
    zr1 = np.asarray(t.zeta_r1)[1:]
    assert np.all(zr1[:, 0] + zr2[:, 0] > zr1[:, 1] + zr2[:, 1])


# ------------------------------------------------------------------------------------------
# §8.8 Figure 4 magnitudes and §7.4 later periods
# ------------------------------------------------------------------------------------------


def test_figure4_impulse_responses(table_p):
    b = jax.tree_util.tree_map(lambda x: x[2], table_p)  # β* = 0.97
    w = Z.impulse_responses(b, 6, with_portfolio=True)
    wo = Z.impulse_responses(b, 6, with_portfolio=False)
    assert abs(float(w["c"][0]) - 0.53) <= 0.01
    assert abs(float(w["c_star"][0]) - 0.49) <= 0.01
    assert abs(float(wo["c"][0] - wo["c_star"][0]) - 0.73) <= 0.01
    np.testing.assert_allclose(
        [float(w["c"][0]), float(w["c_star"][0])], [0.5258, 0.4861], atol=1e-4
    )
    np.testing.assert_allclose(
        [float(wo["c"][0]), float(wo["c_star"][0])], [0.9726, 0.2451], atol=1e-4
    )
    np.testing.assert_allclose([float(w["w"][0]), float(wo["w"][0])], [-11.331, -2.599], atol=1e-3)
    np.testing.assert_allclose([float(w["tb"][0]), float(wo["tb"][0])], [0.6253, 0.3153], atol=1e-4)
    np.testing.assert_allclose([float(w["tt"][0]), float(wo["tt"][0])], [-3.349, -2.915], atol=1e-3)
    np.testing.assert_allclose([float(w["val"][0]), float(wo["val"][0])], [-8.607, 0.0], atol=1e-3)
    np.testing.assert_allclose(
        np.asarray(w["tt"][1:]), [0.283, 0.269, 0.256, 0.243, 0.230], atol=1e-3
    )
    np.testing.assert_allclose(np.asarray(w["val"][1:]), 0.0, atol=1e-12)
    np.testing.assert_allclose(
        np.asarray(w["tb"][1:]), [0.593, 0.562, 0.532, 0.504, 0.478], atol=1e-3
    )
    np.testing.assert_allclose(
        np.asarray(w["w"][1:]), [-10.72, -10.15, -9.60, -9.08, -8.59], atol=1e-2
    )
    np.testing.assert_allclose(np.asarray(w["r2"][1:4]), [-0.0222, -0.0211, -0.0200], atol=1e-4)


# ------------------------------------------------------------------------------------------
# gradient targets of §8 (jax.grad through steady state, first-order solution, DS formula)
# ------------------------------------------------------------------------------------------

GRAD_TARGETS = {
    "steady_state_rate": {"beta_star": -984.96, "mu": 0.29895, "n": 546.11},
    "market": {"beta_star": -990.93, "mu": 0.0, "n": 543.55},
}
BENCH = dict(beta=0.96, beta_star=0.97, n=0.01, mu=MU)


def _check_targets(newborn_wealth, g):
    for k, v in GRAD_TARGETS[newborn_wealth].items():
        if v == 0.0:
            assert abs(float(g[k])) < 1e-6, (k, g[k])
        else:
            np.testing.assert_allclose(float(g[k]), v, rtol=1e-3, err_msg=k)


def _grad(newborn_wealth):
    p = {k: jnp.asarray(v) for k, v in Z.DEFAULT_PARAMS.items()}
    return jax.grad(lambda q: Z.baseline(q, newborn_wealth=newborn_wealth).alpha)(p)


def _central_differences(newborn_wealth, h=1e-6):
    """dα/d(β*, µ, n) by central differences, evaluated by the (already compiled) vmapped
    Table 2 function: two batches of five points."""
    keys = ("beta_star", "mu", "n")
    pts = []
    for k in keys:
        for sgn in (1, -1):
            pts.append({**BENCH, k: BENCH[k] + sgn * h})
    pts += [BENCH] * 4
    arr = {k: np.array([q[k] for q in pts]) for k in BENCH}
    a = np.concatenate(
        [
            col(
                _vmapped(newborn_wealth, *(arr[k][sl] for k in ("beta", "beta_star", "n", "mu"))),
                "alpha",
            )
            for sl in (slice(0, 5), slice(5, 10))
        ]
    )
    return {k: (a[2 * i] - a[2 * i + 1]) / (2 * h) for i, k in enumerate(keys)}


def test_gradient_targets_paper_spec():
    g = _grad("steady_state_rate")
    _check_targets("steady_state_rate", g)
    assert abs(float(g["sigma"])) < 1e-8  # the portfolio is invariant to σ
    fd = _central_differences("steady_state_rate")
    for k, v in fd.items():
        np.testing.assert_allclose(float(g[k]), v, rtol=1e-5, err_msg=k)
    p = {k: jnp.asarray(v) for k, v in Z.DEFAULT_PARAMS.items()}
    gr = jax.grad(lambda q: Z.steady_state(q["beta"], q["beta_star"], q["n"])["r"])(p)
    np.testing.assert_allclose(float(gr["beta_star"]), -0.917444, rtol=1e-5)


def test_gradient_targets_market_spec_finite_differences():
    """Spec C targets by central differences (jax.grad in the slow test below)."""
    fd = _central_differences("market")
    for k, v in GRAD_TARGETS["market"].items():
        if v == 0.0:
            assert abs(fd[k]) < 1e-6, (k, fd[k])
        else:
            np.testing.assert_allclose(fd[k], v, rtol=1e-3, err_msg=k)


@pytest.mark.slow
def test_gradient_targets_market_spec():
    g = _grad("market")
    _check_targets("market", g)
    fd = _central_differences("market")
    for k in ("beta_star", "n"):
        np.testing.assert_allclose(float(g[k]), fd[k], rtol=1e-5, err_msg=k)


# ------------------------------------------------------------------------------------------
# failures under vmap are flagged, not fatal
# ------------------------------------------------------------------------------------------


def test_vmap_flags_failed_points(table_p):
    # β* = 0.995: r < ñ, indeterminate; β* = 1: no valid steady state (c* <= 0);
    # µ = 1.01: explosive endowment, no stable solution.
    bs = np.array([0.965, 0.995, 0.97, 1.0, 0.97])
    mu = np.array([MU, MU, 1.01, MU, MU])
    b = _vmapped("steady_state_rate", np.full(5, 0.96), bs, np.full(5, 0.01), mu)
    codes = np.asarray(b.result._value)
    R = jm.RESULTS
    assert codes[1] == int(R.bk_indeterminate._value)
    assert codes[2] == int(R.bk_no_stable_solution._value)
    assert codes[3] not in (int(R.successful._value),)
    assert codes[0] == codes[4] == int(R.successful._value)
    alpha = col(b, "alpha")
    assert np.all(np.isnan(alpha[1:4]))
    np.testing.assert_allclose(alpha[[0, 4]], col(table_p, "alpha")[[1, 2]], rtol=1e-12)
    # with throw=True the failure raises (here inside vmap: the compiled core is reused)
    with pytest.raises(Exception, match="Blanchard-Kahn"):
        jax.vmap(lambda q: Z.baseline(q))(
            dict(
                beta=jnp.full(5, 0.96),
                beta_star=jnp.asarray(bs),
                n=jnp.full(5, 0.01),
                mu=jnp.asarray(mu),
            )
        )
