"""Gradient-based calibration (jaxmacro._calibration).

Oracles: a model whose truth is known (the RBC model, moments from ``jm.moments`` at θ₀), an
uninterrupted run (for kill-and-resume), individually run starts (for the vmapped multi-start)
and closed-form toy problems. The Zhang (2019) closed-form inversion is in
``test_zhang2019_extended.py``.

Every RBC calibration below uses the same moment function, free parameters and transforms, so
they share one compiled loop (targets are arrays, not static).
"""

import os

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import jaxmacro as jm
from jaxmacro import (
    Bounded,
    CalibrationStatus,
    Identity,
    Positive,
    UnitInterval,
    as_transform,
    calibrate,
    calibrate_multistart,
)

RBC = jm.models.rbc()
IY, II = RBC.variables.index("y"), RBC.variables.index("inv")
FREE = ("rho", "sigma", "delta")
TRANSFORMS = {"rho": "unit", "sigma": "positive", "delta": "unit"}
TRUE = {k: float(v) for k, v in RBC.default_params.items()}
START = dict(TRUE, rho=0.9, sigma=0.015, delta=0.03)


def rbc_moments(p):
    """std(y), first autocorrelation of y (jm.moments) and the steady-state investment share."""
    sol = jm.solve(RBC, p, throw=False)
    mo = jm.moments(sol, throw=False)
    return {
        "std_y": mo.std[IY],
        "ac1_y": mo.autocorr[0, IY],
        "inv_y": sol.steady_state[II] / sol.steady_state[IY],
    }, mo.result


_rbc_moments_jit = jax.jit(rbc_moments)


def targets_at(params):
    m, result = _rbc_moments_jit({k: jnp.asarray(float(v)) for k, v in params.items()})
    assert jm.result_name(result) == "successful"
    return {k: float(v) for k, v in m.items()}


TARGETS = targets_at(TRUE)


# ------------------------------------------------------------------------------------------
# Transforms
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "t, x",
    [
        (Identity(), -3.2),
        (Positive(), 0.01),
        (Positive(lower=1.0), 2.5),
        (UnitInterval(), 0.975),
        (Bounded(0.9, 1.0), 0.9751),
        (as_transform((0.0, 2.0)), 1.999),
    ],
)
def test_transform_roundtrip_and_grad(t, x):
    u = t.inverse(jnp.asarray(x))
    np.testing.assert_allclose(float(t.forward(u)), x, rtol=1e-13)
    assert t.contains(x)
    # d x / d u matches a central difference
    h = 1e-6
    fd = (float(t.forward(u + h)) - float(t.forward(u - h))) / (2 * h)
    np.testing.assert_allclose(float(jax.grad(t.forward)(u)), fd, rtol=1e-7)
    v = jax.vmap(t.forward)(jnp.linspace(-30.0, 30.0, 7))
    assert bool(jnp.all(jnp.isfinite(v)))


def test_as_transform_shorthand():
    assert isinstance(as_transform(None), Identity)
    assert isinstance(as_transform("positive"), Positive)
    assert isinstance(as_transform("unit"), UnitInterval)
    assert isinstance(as_transform((1, 2)), Bounded)
    with pytest.raises(ValueError):
        as_transform("sideways")
    with pytest.raises(ValueError):
        Bounded(1.0, 1.0)
    assert not UnitInterval().contains(1.0)


def test_bad_arguments_raise_early():
    with pytest.raises(ValueError, match="free parameter"):
        calibrate(rbc_moments, TARGETS, START, free=("nope",), progress=False)
    with pytest.raises(ValueError, match="outside the domain"):
        calibrate(
            rbc_moments,
            TARGETS,
            dict(START, rho=1.2),
            free=FREE,
            transforms=TRANSFORMS,
            progress=False,
        )
    with pytest.raises(ValueError, match="transforms given"):
        calibrate(
            rbc_moments, TARGETS, START, free=("rho",), transforms={"beta": "unit"}, progress=False
        )


# ------------------------------------------------------------------------------------------
# Identification: truth known
# ------------------------------------------------------------------------------------------


def test_rbc_recovers_truth_resumes_bitwise_and_reports_unreachable_targets(tmp_path):
    """One test for three checks that share one compiled loop (so that pytest-xdist does not
    compile it on both workers): identification, kill-and-resume, unreachable targets."""
    # -- identification: moments at θ₀, start perturbed, θ₀ recovered --------------------------
    kw = dict(free=FREE, transforms=TRANSFORMS, checkpoint_every=5, progress=False)
    cal = calibrate(rbc_moments, TARGETS, START, **kw)
    assert bool(cal.converged), cal.report()
    assert jm.result_name(cal.result) == "successful"
    for n in FREE:
        np.testing.assert_allclose(cal.estimate[n], TRUE[n], rtol=1e-6, err_msg=n)
    assert cal.missed(1e-8) == []
    # local identification: three moments pin down three parameters
    sv = np.asarray(cal.singular_values)
    assert sv.shape == (3,) and sv.min() > 1e-3
    assert float(cal.condition_number) < 1e3
    # Jacobian ∂m/∂θ against central differences
    x = np.asarray(cal.values)
    h = 1e-6
    for j, n in enumerate(FREE):
        up = targets_at(dict(TRUE, **{n: x[j] + h}))
        dn = targets_at(dict(TRUE, **{n: x[j] - h}))
        fd = np.array([(up[k] - dn[k]) / (2 * h) for k in cal.moment_names])
        np.testing.assert_allclose(np.asarray(cal.jacobian)[:, j], fd, rtol=1e-5, atol=1e-8)
    # history: finite, starts at the starting loss, ends at the final loss
    hl = np.asarray(cal.history_loss)
    assert hl.shape == (int(cal.steps) + 1,)
    assert np.all(np.isfinite(hl)) and np.all(np.isfinite(np.asarray(cal.history_grad_norm)))
    assert hl[-1] == pytest.approx(float(cal.loss), rel=1e-6, abs=1e-20)
    assert hl[-1] < 1e-12 * hl[0]
    assert "gtol" in cal.report() or "ftol" in cal.report()

    # -- a run killed after 10 steps and resumed ends bitwise where the full run ended ----------
    full = cal
    assert int(full.steps) > 10
    ck = tmp_path / "run.npz"
    killed = calibrate(rbc_moments, TARGETS, START, max_steps=10, checkpoint=ck, **kw)
    assert killed.status_name == "max_steps" and int(killed.steps) == 10
    assert ck.exists()
    resumed = calibrate(rbc_moments, TARGETS, START, checkpoint=ck, **kw)
    assert int(resumed.steps) == int(full.steps)
    np.testing.assert_array_equal(np.asarray(resumed.values), np.asarray(full.values))
    np.testing.assert_array_equal(np.asarray(resumed.history_loss), np.asarray(full.history_loss))
    assert resumed.status_name == full.status_name
    # a checkpoint from another problem is refused, not silently reused
    with pytest.raises(ValueError, match="different calibration"):
        calibrate(rbc_moments, dict(TARGETS, std_y=0.2), START, checkpoint=ck, **kw)

    # -- targets the model cannot reach: a report, not an exception ----------------------------
    # inv/y = αδ/(1/β - 1 + δ) < α = 0.36 for every δ in (0, 1): 0.5 cannot be reached
    bad = calibrate(rbc_moments, dict(TARGETS, inv_y=0.5), START, max_steps=300, **kw)
    assert np.isfinite(float(bad.loss)) and float(bad.loss) > 1e-3
    assert "inv_y" in bad.missed(1e-3)
    rep = bad.report()
    assert "MISS" in rep and "targets not reached" in rep and "inv_y" in rep
    assert np.all(np.isfinite(np.asarray(bad.history_loss)))


# ------------------------------------------------------------------------------------------
# Failures inside the loop
# ------------------------------------------------------------------------------------------


def test_failing_step_is_rejected_not_nan_poisoning():
    """Adam with ρ unconstrained steps past ρ = 1 (explosive: Blanchard-Kahn fails); the step
    is rejected and retried at half length, and nothing becomes NaN."""
    truth = dict(TRUE, rho=0.995)
    targets = targets_at(truth)
    start = dict(truth, rho=0.97)
    cal = calibrate(
        rbc_moments,
        targets,
        start,
        free=FREE,
        transforms={"sigma": "positive", "delta": "unit"},
        optimizer=optax.adam(0.05),
        max_steps=120,
        checkpoint_every=40,
        progress=False,
    )
    acc = np.asarray(cal.history_accepted)
    assert int(cal.n_rejected) >= 1 and not acc[1:].all()
    assert np.all(np.isfinite(np.asarray(cal.history_loss)))
    assert np.all(np.isfinite(np.asarray(cal.history_grad_norm)))
    assert np.all(np.isfinite(np.asarray(cal.values)))
    assert 0 < cal.estimate["rho"] < 1
    assert jm.result_name(cal.result) == "successful"
    assert float(cal.loss) < 0.1 * float(np.asarray(cal.history_loss)[0])


def _toy(p):
    """m = (x² + y, y); the 'model' fails (indeterminate) for x > 1.5."""
    x, y = p["x"], p["y"]
    result = jm.RESULTS.where(x > 1.5, jm.RESULTS.bk_indeterminate, jm.RESULTS.successful)
    return {"a": x**2 + y, "b": y}, result


def test_linesearch_backs_off_failed_region():
    # truth x = 1.4 lies next to the failing region; the first L-BFGS trial overshoots into it
    targets = {"a": 1.4**2 + 0.3, "b": 0.3}
    cal = calibrate(
        _toy, targets, {"x": 0.2, "y": 0.0}, free=("x", "y"), weights=[1.0, 1.0], progress=False
    )
    assert bool(cal.converged), cal.report()
    np.testing.assert_allclose(cal.estimate["x"], 1.4, rtol=1e-8)
    np.testing.assert_allclose(cal.estimate["y"], 0.3, rtol=1e-8, atol=1e-10)
    assert np.all(np.isfinite(np.asarray(cal.history_loss)))


def test_start_in_failing_region_is_reported():
    cal = calibrate(
        _toy, {"a": 1.0, "b": 0.0}, {"x": 2.0, "y": 0.0}, free=("x", "y"), progress=False
    )
    assert cal.status_name == "start_failed"
    assert cal.status == CalibrationStatus.start_failed
    assert int(cal.steps) == 0
    assert "fails at the starting point" in cal.report()


# ------------------------------------------------------------------------------------------
# Multi-start
# ------------------------------------------------------------------------------------------


def test_multistart_equals_individual_runs():
    targets = {"a": 1.4**2 + 0.3, "b": 0.3}
    xs = np.array([0.2, 0.9, 1.45, -0.7])  # -0.7 converges to the mirror solution x = -1.4
    ys = np.array([0.0, 1.0, -0.5, 0.2])
    kw = dict(free=("x", "y"), weights=[1.0, 1.0], progress=False)
    ms = calibrate_multistart(_toy, targets, {"x": 0.0, "y": 0.0}, starts={"x": xs, "y": ys}, **kw)
    assert ms.n_starts == 4
    for i in range(4):
        one = calibrate(_toy, targets, {"x": xs[i], "y": ys[i]}, **kw)
        run = ms.run(i)
        np.testing.assert_allclose(
            np.asarray(run.values), np.asarray(one.values), rtol=1e-10, atol=1e-12
        )
        assert run.status_name == one.status_name
        assert int(run.steps) == int(one.steps)
    # the spread flags the two observationally equivalent solutions x = ±1.4
    lo, hi = ms.spread()["x"]
    assert lo == pytest.approx(-1.4, rel=1e-8) and hi == pytest.approx(1.4, rel=1e-8)
    assert "spread" in ms.report()


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get("JAXMACRO_SLOW"),
    reason="~75 s compile; set JAXMACRO_SLOW=1 (covered by test_multistart_equals_individual_runs)",
)
def test_multistart_random_starts_rbc():
    """Random starts around θ₀ in one vmapped run of jm.solve: every start recovers θ₀."""
    ms = calibrate_multistart(
        rbc_moments,
        TARGETS,
        START,
        free=FREE,
        transforms=TRANSFORMS,
        n_starts=3,
        key=jax.random.PRNGKey(1),
        spread=0.3,
        checkpoint_every=5,
        progress=False,
    )
    assert bool(np.all(np.asarray(ms.runs.converged))), ms.report()
    for n, (lo, hi) in ms.spread().items():
        np.testing.assert_allclose([lo, hi], TRUE[n], rtol=1e-6, err_msg=n)
    best = ms.best_run
    assert float(best.loss) == pytest.approx(float(np.min(np.asarray(ms.runs.loss))))


# ------------------------------------------------------------------------------------------
# Checkpoint identity: a checkpoint is resumed only by the calibration that wrote it
# ------------------------------------------------------------------------------------------


def _scale_model(k):
    """A one-variable model used only for its default parameter k (a cheap 'model')."""
    return jm.Model(
        lambda lag, cur, lead, sh, p: [cur.a - p.k * sh.e],
        variables=("a",),
        shocks=("e",),
        params=dict(k=k),
        steady_state=lambda p: {"a": 0.0 * p.k},
        name="scale",
    )


_MODEL = _scale_model(1.0)


def _model_moments(p):
    """Reads the module-level `_MODEL`, as a script's moment function reads its model."""
    return {"m": p["x"] * _MODEL.default_params["k"]}, True


def test_checkpoint_refused_after_the_model_changed(tmp_path, monkeypatch):
    ck = tmp_path / "cal.npz"
    kw = dict(free="x", checkpoint=ck, progress=False)
    first = calibrate(_model_moments, {"m": 2.0}, {"x": 0.5}, **kw)
    assert bool(first.converged)
    np.testing.assert_allclose(first.estimate["x"], 2.0, rtol=1e-8)
    # the same call resumes (nothing left to do: the same answer)
    again = calibrate(_model_moments, {"m": 2.0}, {"x": 0.5}, **kw)
    assert again.estimate["x"] == first.estimate["x"]
    # the model changes (k = 1 -> 4): the old estimate must not be reported
    monkeypatch.setattr(__import__(__name__), "_MODEL", _scale_model(4.0))
    with pytest.raises(ValueError, match="moment function") as e:
        calibrate(_model_moments, {"m": 2.0}, {"x": 0.5}, **kw)
    assert str(ck) in str(e.value) and "resume=False" in str(e.value)
    # (a global read while tracing is baked into the compiled loop, so within one process the
    # fresh run below uses a closure; a script rerun is a new process)
    make = lambda k: lambda p: ({"m": p["x"] * k}, True)  # noqa: E731
    fresh = calibrate(make(4.0), {"m": 2.0}, {"x": 0.5}, **dict(kw, resume=False))
    np.testing.assert_allclose(fresh.estimate["x"], 0.5, rtol=1e-8)
    # a model in a closure, and other settings that determine the answer
    calibrate(make(1.0), {"m": 2.0}, {"x": 0.5}, **dict(kw, resume=False))
    calibrate(make(1.0), {"m": 2.0}, {"x": 0.5}, **kw)  # an equal closure resumes
    changed = [
        ("moment function", dict(fn=make(3.0))),
        ("transforms", dict(transforms={"x": "positive"})),
        ("optimiser", dict(optimizer=optax.adam(0.1))),
        ("stopping rules", dict(gtol=1e-6)),
    ]
    for what, change in changed:
        fn = change.pop("fn", make(1.0))
        with pytest.raises(ValueError, match=what):
            calibrate(fn, {"m": 2.0}, {"x": 0.5}, **dict(kw, **change))


def test_damaged_checkpoint_names_the_file_and_the_fix(tmp_path):
    ck = tmp_path / "cal.npz"
    kw = dict(free="x", checkpoint=ck, progress=False)
    calibrate(_toy_line, {"m": 2.0}, {"x": 0.5}, **kw)
    good = ck.read_bytes()
    damaged = {
        "garbage": b"not a checkpoint at all",
        "truncated": good[: len(good) // 2],
        "empty": b"",
    }
    for why, data in damaged.items():
        ck.write_bytes(data)
        with pytest.raises(ValueError, match="cannot be read|not a jaxmacro checkpoint") as e:
            calibrate(_toy_line, {"m": 2.0}, {"x": 0.5}, **kw)
        msg = str(e.value)
        assert str(ck) in msg and "resume=False" in msg, why
        assert "pickle" not in msg.lower(), why
    # an archive holding an object array (loading it would need pickles): refused, not loaded
    np.savez(ck, n_state_leaves=np.array([object()], dtype=object))
    with pytest.raises(ValueError) as e:
        calibrate(_toy_line, {"m": 2.0}, {"x": 0.5}, **kw)
    assert "pickle" not in str(e.value).lower() and str(ck) in str(e.value)
    # resume=False starts afresh over a damaged file
    fresh = calibrate(_toy_line, {"m": 2.0}, {"x": 0.5}, **dict(kw, resume=False))
    np.testing.assert_allclose(fresh.estimate["x"], 2.0, rtol=1e-8)


def _toy_line(p):
    return {"m": p["x"]}, True


def test_fingerprint_sees_values_not_addresses():
    from jaxmacro._calibration._checkpoint import fingerprint

    # equal models built twice (distinct objects, distinct lambdas): one digest
    assert fingerprint(_scale_model(1.0)) == fingerprint(_scale_model(1.0))
    assert fingerprint(_scale_model(1.0)) != fingerprint(_scale_model(1.5))
    assert fingerprint(jm.models.rbc()) != fingerprint(jm.models.rbc(gamma=3.0))
    # closures, partials, equinox modules and arrays by value
    assert fingerprint(lambda p: p * 2.0) != fingerprint(lambda p: p * 3.0)
    f = lambda p, a: p * a  # noqa: E731
    import functools

    assert fingerprint(functools.partial(f, a=jnp.ones(2))) != fingerprint(
        functools.partial(f, a=jnp.zeros(2))
    )
    assert fingerprint(Bounded(0.0, 1.0)) != fingerprint(Bounded(0.0, 2.0))
    assert fingerprint(optax.adam(0.1)) != fingerprint(optax.adam(0.2))
    assert fingerprint(jm.default_optimizer()) == fingerprint(jm.default_optimizer())
