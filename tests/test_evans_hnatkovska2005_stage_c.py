"""Evans & Hnatkovska (2005), Stage C: the second-order solution with state-dependent second
moments, fi positions by the Evans–Hnatkovska method (spec seed_002 §2.7, §5 item 10 as revised;
notes/evans_hnatkovska_method.md §4, §8).

Independent references: the Devereux–Sutherland closed forms on the same model (2011 zero
order `jm.portfolio`, 2010 dynamics `jm.portfolio_dynamics`: a second algorithm), the analytic
symmetric shares, the first-order (Stage A/B) numbers of part 1 on the same shock draws, exact
identities (P̂ = P̃ under fi, the flow decompositions, the log-utility m = -r^w), and the
paper's qualitative Table 6 / Table 3 facts at the spec's tolerances.
"""

import jax
import numpy as np
import pytest

import jaxmacro as jm
import jaxmacro.models.evans_hnatkovska2005 as eh

RUNS, QUARTERS = 40, 500


@pytest.fixture(scope="module")
def stage_c():
    return {c: eh.solve_stage_c(c) for c in eh.CONFIGS}


@pytest.fixture(scope="module")
def sims(stage_c):
    return {c: eh.simulate_stage_c(s, runs=RUNS, quarters=QUARTERS) for c, s in stage_c.items()}


@pytest.fixture(scope="module")
def t6(sims):
    return {c: jax.tree_util.tree_map(float, eh.table6(s)) for c, s in sims.items()}


@pytest.fixture(scope="module")
def stats_c(sims):
    return {c: jax.tree_util.tree_map(float, eh.statistics(s)) for c, s in sims.items()}


@pytest.fixture(scope="module")
def stats_first():
    """Part 1's Stage A/B statistics on the same seeds and protocol."""
    out = {}
    for c in eh.CONFIGS:
        sim = eh.simulate(eh.solve(c), runs=RUNS, quarters=QUARTERS, seed=0)
        out[c] = jax.tree_util.tree_map(float, eh.statistics(sim))
    return out


# ------------------------------------------------------------------ the fi portfolio (item 4)
def test_fi_positions_equal_devereux_sutherland(stage_c):
    """ᾱ equals DS (2011) zero order and α_x equals DS (2010) dynamics on the EH fi model."""
    sc = stage_c["fi"]
    e = sc.eh
    assert jm.result_name(e.result) == "successful"
    assert float(e.residual) < 1e-10 and 1 <= int(e.iterations) <= 5
    chk = eh.portfolio_residual_check(sc)
    assert chk["alpha_x_vs_ds2010"] < 1e-8 * chk["alpha_x_max"]
    assert chk["alpha_bar_vs_ds2011"] < 1e-10
    # symmetric fi: each t-equity is γ/2 = 0.25 of W^c (analytic, spec §5 item 1)
    np.testing.assert_allclose(np.asarray(e.alpha_bar), [0.25, 0.25], atol=1e-10)
    np.testing.assert_allclose(
        np.asarray(e.alpha_bar), np.asarray(eh.ds_portfolio().alpha), atol=1e-12
    )
    # symmetry of the rule: the home loading on own wealth is the same for both t-equities,
    # and the home and foreign t-equity swap their loadings on p and p̂
    st = e.states
    ax = np.asarray(e.alpha_x)
    i_p, i_ph, i_w = st.index("p"), st.index("ph"), st.index("w")
    np.testing.assert_allclose(ax[0, i_w], ax[1, i_w], rtol=1e-8)
    np.testing.assert_allclose(ax[0, i_p], ax[1, i_ph], rtol=1e-8)
    assert abs(ax[0, i_w]) > 1e-2  # the positions do move with the state


def test_fi_condition_holds_on_the_returned_solution(stage_c):
    """Independent of Newton's internals: the σ²ŝ slope of Cov_t(m - m̂, r^χ - r) measured on
    the returned order-2 solution with `jm.conditional_moments` vanishes, and the slope of the
    premium of each t-equity (home SDF) equals the foreign one's (the two Euler equations agree
    to σ²ŝ)."""
    sol = stage_c["fi"].solution
    real = ("et", "eth", "en", "enh")
    cm = jm.conditional_moments(sol, variables=("mud", "rx1", "rx2", "m", "mh"), shocks=real)
    for j in (1, 2):
        var = float(cm.cov0[j, j])
        assert np.max(np.abs(np.asarray(cm.cov_x[0, j]))) < 1e-10 * var
        assert abs(float(cm.cov0[0, j])) < 1e-10 * var
        np.testing.assert_allclose(
            np.asarray(cm.cov_x[3, j]), np.asarray(cm.cov_x[4, j]), atol=1e-10 * var
        )


def test_fi_verify_on_the_paper_model(stage_c):
    """Coefficient matching on the paper's fi model (37 equations, 17 states): every equation
    on [1, z, vech(zz')] and σ², both portfolio conditions on σ² and σ²z, by quadrature of the
    returned rule (not through Newton or conditional_moments)."""
    ex = stage_c["fi"].eh.verify()
    assert float(ex.max_residual) < 1e-10
    assert ex.conditions[-2:] == ("cov(mud,rx1)", "cov(mud,rx2)")


@pytest.mark.slow  # a second fi compile (minutes); linearize_equations is tested fast elsewhere
def test_fi_eh_mixed_variant():
    """EH's mixed-order variant on the paper's fi model: the real equations at first order,
    the positions still solve the portfolio conditions (= DS 2010 on that model), verify holds."""
    sc = eh.solve_stage_c("fi", variant="eh_mixed")
    chk = eh.portfolio_residual_check(sc)
    assert chk["residual"] < 1e-10
    assert chk["alpha_x_vs_ds2010"] < 1e-8 * chk["alpha_x_max"]
    assert float(sc.eh.verify().max_residual) < 1e-10
    with pytest.raises(ValueError, match="variant"):
        eh.solve_stage_c("fi", variant="mixed")


# ------------------------------------------------------------------ Table 6 (spec §5 item 10)
def test_table6_fx_and_fa_coefficients(t6):
    for c in eh.CONFIGS:
        for chi in ("t", "n"):
            assert abs(t6[c][chi]["alpha3"]) < 0.01, (c, chi)
    for chi in ("t", "n"):
        assert abs(t6["fa"][chi]["alpha2"]) < 0.01
        assert abs(t6["fa"][chi + "_no_fx"]["alpha2"]) < 0.01
        assert abs(t6["fa"][chi]["alpha1_restricted"] - 1.0) < 0.01
        assert abs(t6["fa"][chi + "_no_fx"]["alpha1_restricted"] - 1.0) < 0.01


def test_table6_t_equity_r2_falls_from_fa_to_fi(t6):
    for v in ("t", "t_no_fx"):
        assert t6["fi"][v]["r2"] < t6["fa"][v]["r2"]


def test_table6_fi_t_equity_global_risk_share(t6):
    """Restricted α1 for the fi t-equity ≈ 0.5 (±0.15): global risk ≈ half. Our regression
    without the O(x) FX regressor gives it (and the paper's R² 0.657); with it the FX term is
    a proxy for the state (README, Table 6)."""
    assert abs(t6["fi"]["t_no_fx"]["alpha1_restricted"] - 0.5) <= 0.15
    assert abs(t6["fi"]["t_no_fx"]["r2"] - 0.657) <= 0.05


@pytest.mark.xfail(
    strict=True,
    reason="documented discrepancy (README, Table 6): in our σ²-consistent second-order fa "
    "solution the home n-equity premium is collinear with V_t(r^w) (R² = 1.000), so the paper's "
    "rise of the n-equity R² from fa (0.273) to fi (0.987) is not reproduced",
)
def test_table6_n_equity_r2_rises_from_fa_to_fi(t6):
    assert t6["fi"]["n"]["r2"] > t6["fa"]["n"]["r2"]


def test_table6_premia_are_conditional_covariances(stage_c, sims):
    """E_t er^w = V_t(r^w) (log utility: m = -r^w exactly) and the premia are O(σ²) with
    O(σ²ŝ) variation, the FX term O(ŝ)."""
    sc, sim = stage_c["pi"], sims["pi"]
    d = eh.expected_excess_returns(sc, sim.paths[0])
    cm = jm.conditional_moments(
        sc.solution, variables=("ret_w",), shocks=("et", "eth", "en", "enh")
    )
    assert abs(float(np.mean(d["w"])) / float(cm.cov0[0, 0]) - 1) < 0.05
    sd = {k: float(np.std(v)) for k, v in d.items()}
    sig2 = 0.01**2
    assert sd["t"] < 0.01 * sig2 and sd["w"] < 0.01 * sig2  # σ²ŝ: ŝ ≈ 1e-2
    assert sd["fx"] > 100 * sd["t"]


# ------------------------------------------------------------------ Table 7, 3 and flows
def test_table7_columns(stats_c, stats_first):
    t7 = {c: stats_c[c]["table7"] for c in eh.CONFIGS}
    # fi: P̂ ≡ P̃ — the foreign t-firm prices with the foreign IMRS, the ADR with the home one:
    # they agree because the portfolio conditions hold (the strong check)
    assert max(abs(t7["fi"][k]) for k in ("mean", "std", "min", "max")) < 1e-10
    # pi: the σ²-consistent diagnostic (notes §8): |mean| < 0.01 %, std far below fa's
    assert abs(t7["pi"]["mean"]) < 0.01 and t7["pi"]["std"] < 0.01 * t7["fa"]["std"]
    # fa: first-order std unchanged to 1 %, a second-order (nonzero) mean
    assert abs(t7["fa"]["std"] / stats_first["fa"]["table7"]["std"] - 1) < 0.01
    assert t7["fa"]["mean"] != 0.0


def test_first_order_numbers_move_less_than_half_a_percent(stats_c, stats_first):
    for c in eh.CONFIGS:
        for row in eh.PAPER_TABLE5:
            a, b = stats_first[c]["table5"][row], stats_c[c]["table5"][row]
            assert abs(b / a - 1) < 0.005, (c, row, a, b)
        assert abs(stats_c[c]["table8"]["std"] / stats_first[c]["table8"]["std"] - 1) < 0.005
        assert abs(stats_c[c]["imrs_corr"] - stats_first[c]["imrs_corr"]) < 0.005


def test_fi_stage_c_flows_and_table3(stats_c, stats_first):
    s, f = stats_c["fi"], stats_first["fi"]
    for b in ("bonds", "equity"):
        t4 = s["table4"][b]
        assert abs(t4["return_chasing"] + t4["rebalancing"] - 1) < 1e-10  # (28), (29) exact
    e = s["table4"]["equity"]
    assert e["return_chasing"] > 1 and e["rebalancing"] < 0
    assert 0 < s["table2"]["equity"]["std"] < s["table2"]["bonds"]["std"]
    # Stage C moves the fi flows by a few per cent only (the fi positions change at O(x))
    assert abs(s["table2"]["bonds"]["std"] / f["table2"]["bonds"]["std"] - 1) < 0.05
    assert abs(s["table2"]["equity"]["std"] / f["table2"]["equity"]["std"] - 1) < 0.1
    t3 = s["table3"]
    assert t3["bonds"] > 0 and t3["equity_assets"] < 0 and t3["equity_liabilities"] < 0
    assert abs(t3["equity_assets"] / t3["equity_liabilities"] - 1) < 0.05
    assert abs(t3["bonds"] + t3["equity_assets"] + t3["equity_liabilities"] - 1) < 0.05


def test_experiment_stage_c_block(stage_c, tmp_path, capsys):
    """The experiment's `--method eh` block on the fa menu (in-process: reuses this module's
    compiled Stage C programs)."""
    import importlib.util
    import json
    import pathlib

    path = (
        pathlib.Path(__file__).resolve().parent.parent / "experiments" / "evans_hnatkovska2005.py"
    )
    spec = importlib.util.spec_from_file_location("eh_experiment_c", path)
    exp = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(exp)
    out = tmp_path / "c.json"
    args = ["--config", "fa", "--runs", str(RUNS), "--figures", "none", "--json", str(out)]
    exp.main(exp.parse(args))
    text = capsys.readouterr().out
    assert "Table 6: regression (36)" in text and "Table 7 (Stage C)" in text
    res = json.loads(out.read_text())
    assert res["settings"]["method"] == "eh"
    t6 = res["stage_c"]["table6"]["fa"]
    assert abs(t6["t"]["alpha1_restricted"] - 1) < 0.01
