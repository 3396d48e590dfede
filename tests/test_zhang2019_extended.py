"""Zhang (2019) extended model (jaxmacro.models.zhang2019_extended): spec §4, §8 targets 9-10.

Target 9 (steady state and calibration inversion) is checked through the gradient-based
calibration from perturbed starts against the closed form of spec §4.5. Target 10 (the DS
portfolio and the Table 4 decomposition) is soft: the income specification of the missing
Appendix H is reconstructed with a redistributive-shock loading κ, calibrated here by gradient
descent through the DS portfolio.
"""

import jax.numpy as jnp
import numpy as np
import pytest

import jaxmacro as jm
from jaxmacro import calibrate
from jaxmacro.models import zhang2019_extended as zx

FREE = ("beta", "delta", "delta_star")
TRANSFORMS = {"beta": (0.9, 1.0), "delta": "unit", "delta_star": "unit"}


def targets4(per):
    """The period's targets plus |NFA| (consistent with them): one set of moment names for every
    calibration here, so that all share one compiled loop."""
    t = zx.TARGETS[per]
    return dict(t, nfa_gdp=abs(t["nfa_home"]))


PERTURBED = (
    {"beta": 0.96, "delta": 0.12, "delta_star": 0.08},
    {"beta": 0.985, "delta": 0.09, "delta_star": 0.07},
)


def test_steady_state_closed_forms_and_model_residual():
    p = zx.DEFAULT_PARAMS
    s = zx.steady_state(p["beta"], p["delta"], p["delta_star"], p["n"])
    r, n = float(s["r"]), p["n"]
    dbar = 0.5 * (p["delta"] + p["delta_star"])
    np.testing.assert_allclose(r, (1 + n * dbar) / p["beta"], rtol=1e-14)
    np.testing.assert_allclose(
        float(s["w"]), (dbar - p["delta"]) / ((1 - dbar) * (r - 1)), rtol=1e-13
    )
    np.testing.assert_allclose(
        float(s["z1"] - s["z2"]), 2 * (1 - dbar) * float(-s["w"]), rtol=1e-12
    )
    # spec §4.5 derived quantities
    np.testing.assert_allclose(float(s["c"]), 0.957479, atol=1e-6)
    np.testing.assert_allclose(float(s["c_star"]), 0.967721, atol=1e-6)
    np.testing.assert_allclose(float(s["tau"]), 0.991084, atol=1e-6)
    np.testing.assert_allclose(float(s["K"]), 0.468816, atol=1e-6)
    np.testing.assert_allclose(
        float(s["c"]), (1 - p["beta"]) * r * (1 / (r - 1) + float(s["w"])), rtol=1e-12
    )
    # the analytic steady state solves the nonlinear model (jm.steady_state verifies it)
    model = zx.zhang2019_extended()
    ss = jm.steady_state(model)
    assert float(jnp.max(jnp.abs(ss.residual))) < 1e-13
    sol = jm.solve(model)
    assert sol.ok


SPEC_ROW_INCONSISTENT = pytest.mark.xfail(
    strict=True,
    reason="spec §4.5 table row 2009-2017 (0.979744, 0.094969, 0.084737) is not the inversion of "
    "its own printed targets (2.16, 0.26, 4.16), which gives (0.979736, 0.094967, 0.084745), "
    "8e-6 away; the row corresponds to unrounded targets r = 2.1591 %, NFA = 0.26034, "
    "K/Y = 4.1616 (see test_spec_row_2009_2017_from_unrounded_targets)",
)


@pytest.mark.parametrize(
    "per", [zx.PERIODS[0], zx.PERIODS[1], pytest.param(zx.PERIODS[2], marks=SPEC_ROW_INCONSISTENT)]
)
def test_inversion_matches_spec_table(per):
    inv = zx.invert_targets(**zx.TARGETS[per])
    np.testing.assert_allclose(
        [float(inv[k]) for k in FREE], zx.SPEC_INVERSION[per], atol=1e-6, err_msg=per
    )


def test_spec_row_2009_2017_from_unrounded_targets():
    b, d, ds = zx.SPEC_INVERSION["2009-2017"]
    s = zx.steady_state(b, d, ds)
    r, w, ky = 100 * (float(s["r"]) - 1), float(s["w"]), 0.5 * float(s["z1"] + s["z2"])
    assert (round(r, 2), round(-w, 2), round(ky, 2)) == (2.16, 0.26, 4.16)
    inv = zx.invert_targets(r, w, ky)
    np.testing.assert_allclose([float(inv[k]) for k in FREE], (b, d, ds), rtol=1e-12)


@pytest.mark.parametrize("start", PERTURBED)
def test_gradient_calibration_recovers_inversion(start):
    """§8 target 9: β, δ, δ* to 1e-6 for all three target sets, from perturbed starts."""
    for per in zx.PERIODS:
        cal = calibrate(
            zx.steady_state_moments,
            targets4(per),
            dict(zx.DEFAULT_PARAMS, **start),
            free=FREE,
            transforms=TRANSFORMS,
            progress=False,
        )
        assert bool(cal.converged), cal.report()
        exact = zx.invert_targets(**zx.TARGETS[per])
        for k in FREE:
            np.testing.assert_allclose(cal.estimate[k], float(exact[k]), atol=1e-9, err_msg=per)
            if per != "2009-2017":  # that spec row is inconsistent with its targets (above)
                np.testing.assert_allclose(
                    cal.estimate[k], zx.SPEC_INVERSION[per][FREE.index(k)], atol=1e-6, err_msg=per
                )
        # z1, z2 against the Table 5 model Capital/GDP (±0.01)
        s = zx.steady_state(*(cal.estimate[k] for k in FREE))
        home, foreign = zx.PAPER_TABLE5_MODEL[per]["home"], zx.PAPER_TABLE5_MODEL[per]["foreign"]
        assert abs(float(s["z1"]) - home[4]) <= 0.01 + 1e-9
        assert abs(float(s["z2"]) - foreign[4]) <= 0.01 + 1e-9
        assert float(cal.condition_number) < 1e3


def test_absolute_nfa_target_is_not_identified():
    """|NFA| alone is symmetric in (δ, δ*): from a start with δ < δ* the calibration finds the
    mirror image (home the creditor) — the identification problem multi-start reveals."""
    start = dict(zx.DEFAULT_PARAMS, beta=0.97, delta=0.09, delta_star=0.11)
    cal = calibrate(
        zx.steady_state_moments,
        targets4("1999-2017"),
        start,
        free=FREE,
        transforms=TRANSFORMS,
        weights={"nfa_home": 0.0},
        progress=False,
    )
    assert bool(cal.converged)
    exact = zx.invert_targets(**zx.TARGETS["1999-2017"])
    np.testing.assert_allclose(cal.estimate["delta"], float(exact["delta_star"]), atol=1e-9)
    np.testing.assert_allclose(cal.estimate["delta_star"], float(exact["delta"]), atol=1e-9)


@pytest.fixture(scope="module")
def kappa_fit():
    """κ calibrated by gradient descent through the DS portfolio to the paper's α = -0.85."""
    cal = calibrate(
        zx.portfolio_moments,
        {"alpha": -0.85},
        dict(zx.DEFAULT_PARAMS, kappa=0.6),
        free=("kappa",),
        transforms={"kappa": "positive"},
        weights=[1.0],
        progress=False,
    )
    return cal, zx.extended(dict(zx.DEFAULT_PARAMS, kappa=cal.estimate["kappa"]))


def test_accounting_is_exact():
    e = zx.extended()
    a, w = float(e.alpha), float(e.w)
    assert float(e.alpha_star) == pytest.approx(a - w, abs=1e-14)
    assert float(e.gl_gdp) == pytest.approx(-a, abs=1e-14)
    assert float(e.ga_gdp) == pytest.approx(w - a, abs=1e-14)
    assert float(e.local_share_home) == pytest.approx((float(e.z1) + a) / float(e.z1), rel=1e-14)
    assert float(e.local_share_foreign) == pytest.approx(
        (float(e.z2) + a - w) / float(e.z2), rel=1e-14
    )
    # spec: α = -0.85 ⇒ GA = 0.65, GL = 0.85, local shares 0.78 / 0.82
    assert round(float(e.ga_gdp), 2) == 0.65 and round(float(e.gl_gdp), 2) == 0.85
    assert round(float(e.local_share_home), 2) == 0.78
    assert round(float(e.local_share_foreign), 2) == 0.82


def test_table4_target10(kappa_fit):
    cal, e = kappa_fit
    assert bool(cal.converged), cal.report()
    assert cal.estimate["kappa"] == pytest.approx(0.4934, abs=5e-4)
    p4 = zx.PAPER_TABLE4
    assert float(e.alpha) == pytest.approx(p4["alpha"], abs=0.03)
    assert float(e.alpha) == pytest.approx(-0.85, abs=1e-8)
    assert float(e.nfi_hedging) == pytest.approx(p4["nfi_hedging"], abs=0.03)
    assert float(e.self_hedging) == pytest.approx(p4["self_hedging"], abs=0.01)
    assert float(e.nfa_hedging_home) == pytest.approx(p4["nfa_hedging_home"], abs=0.005)
    assert float(e.nfa_hedging_foreign) == pytest.approx(p4["nfa_hedging_foreign"], abs=0.005)
    # exact identities of the decomposition
    w = float(e.w)
    assert float(e.nfa_hedging_foreign) - float(e.nfa_hedging_home) == pytest.approx(-w, abs=1e-12)
    assert float(e.alpha_star) == pytest.approx(float(e.alpha) - w, abs=1e-14)
    assert float(e.decomposition_error) < 1e-10
    total_foreign = (
        float(e.self_hedging)
        + float(e.nfi_hedging)
        + float(e.nfa_hedging_foreign)
        + float(e.demographic)
    )
    assert total_foreign == pytest.approx(float(e.alpha_star), abs=1e-10)
    # reconstruction values of spec §4.6
    assert float(e.self_hedging) == pytest.approx(-1.861, abs=1e-3)
    assert float(e.nfi_hedging) == pytest.approx(1.227, abs=1e-3)
    assert float(e.local_share_home) == pytest.approx(0.783, abs=1e-3)
    assert float(e.local_share_foreign) == pytest.approx(0.817, abs=1e-3)


@pytest.mark.xfail(
    strict=True,
    reason="spec §9.6: the reconstruction's NFI/demographic split is "
    "1.227/-0.107, the paper's 1.200/-0.073 (income specification of the missing "
    "Appendix H unknown)",
)
def test_table4_demographic_term_matches_paper():
    e = zx.extended()  # κ = 0.4934, the value test_table4_target10 calibrates
    assert float(e.demographic) == pytest.approx(zx.PAPER_TABLE4["demographic"], abs=0.01)


def test_kappa_sensitivity_matches_spec_table():
    """Spec §4.6: α and the robust terms across κ (reconstruction values)."""
    rows = {
        0.1: (-9.35, -1.866, -8.08, -0.105),
        0.5: (-0.832, -1.861, 1.248, -0.109),
        0.9: (-0.351, -1.861, 1.774, -0.110),
        1.0: (-0.309, -1.861, 1.820, -0.110),
    }
    for kappa, (alpha, self_h, nfi, nfa) in rows.items():
        e = zx.extended({"kappa": kappa})
        assert float(e.alpha) == pytest.approx(alpha, abs=6e-3), kappa
        assert float(e.self_hedging) == pytest.approx(self_h, abs=1e-3), kappa
        assert float(e.nfi_hedging) == pytest.approx(nfi, abs=6e-3), kappa
        assert float(e.nfa_hedging_home) == pytest.approx(nfa, abs=1e-3), kappa
