"""Priors (against SciPy), posterior mode and standard errors (round trip), NUTS (tiny)."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.integrate
import scipy.stats

import jaxmacro as jm


# ---------------------------------------------------------------- priors
@pytest.mark.parametrize(
    "prior, ref",
    [
        (jm.Normal(0.5, 0.2), scipy.stats.norm(0.5, 0.2)),
        (jm.Beta(0.7, 0.1), None),
        (jm.Beta(1.5, 0.25, lower=1.0, upper=3.0), None),
        (jm.Gamma(2.0, 0.5), scipy.stats.gamma(16.0, scale=0.125)),
        (jm.Gamma(2.0, 0.5, lower=1.0), scipy.stats.gamma(4.0, loc=1.0, scale=0.25)),
        (jm.Uniform(-1.0, 2.0), scipy.stats.uniform(-1.0, 3.0)),
    ],
)
def test_prior_densities(prior, ref):
    if isinstance(prior, jm.Beta):
        ref = scipy.stats.beta(prior.a, prior.b, loc=prior.lower, scale=prior.upper - prior.lower)
    m, s = ref.mean(), ref.std()
    np.testing.assert_allclose([prior.mean, prior.std], [m, s], rtol=1e-12)
    xs = ref.ppf(np.linspace(0.01, 0.99, 7))
    lp = np.asarray(jax.vmap(prior.logpdf)(jnp.asarray(xs)))
    np.testing.assert_allclose(lp, ref.logpdf(xs), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("mean, std", [(0.01, math.inf), (0.5, 0.2), (0.02, 0.005)])
def test_inverse_gamma_type1(mean, std):
    pr = jm.InvGamma(mean, std)
    # x ~ IG1(s, nu) <=> x^2 ~ inverse gamma (shape nu/2, scale s/2)
    ref = scipy.stats.invgamma(pr.nu / 2, scale=pr.s / 2)
    xs = np.array([0.3, 0.7, 1.0, 1.6, 3.0]) * mean
    np.testing.assert_allclose(
        np.asarray(jax.vmap(pr.logpdf)(jnp.asarray(xs))),
        ref.logpdf(xs**2) + np.log(2 * xs),
        rtol=1e-11,
    )
    f = lambda x: math.exp(float(pr.logpdf(x)))  # noqa: E731
    total = scipy.integrate.quad(f, 0, np.inf, limit=200)[0]
    mu = scipy.integrate.quad(lambda x: x * f(x), 0, np.inf, limit=200)[0]
    assert abs(total - 1) < 1e-7 and abs(mu - mean) < 1e-7 * max(1, mean)
    if np.isfinite(std):
        m2 = scipy.integrate.quad(lambda x: x * x * f(x), 0, np.inf, limit=200)[0]
        assert abs(math.sqrt(m2 - mu**2) - std) < 1e-6 * std
    else:
        assert pr.nu == 2.0
    assert float(pr.logpdf(-1.0)) == -np.inf


# ---------------------------------------------------------------- mode, round trip, NUTS
TRUE = {"rho": 0.95, "sigma": 0.01}


@pytest.fixture(scope="module")
def rbc_data():
    m = jm.models.rbc()
    sim = jm.simulate(jm.solve(m), jax.random.PRNGKey(21), periods=200, burn=200)
    Y = np.stack([np.asarray(sim["y"]), np.asarray(sim["c"])], 1)
    Y = Y + np.random.default_rng(21).normal(size=Y.shape) * 0.002
    return m, Y


@pytest.fixture(scope="module")
def ml(rbc_data):
    m, Y = rbc_data
    return jm.estimate(
        m,
        Y,
        ["y", "c"],
        {"rho": "unit", "sigma": "positive"},
        start={"rho": 0.8, "sigma": 0.02},
        measurement_error={"y": 0.002, "c": 0.002},
    )


def test_round_trip_recovers_parameters(ml):
    assert ml.converged, ml.status
    assert ml.result == jm.LIKELIHOOD_RESULTS.successful
    se = np.asarray(ml.std_errors)
    assert np.all(np.isfinite(se)) and np.all(se > 0)
    for i, n in enumerate(ml.names):
        assert abs(ml.params[n] - TRUE[n]) < 3 * se[i], (n, ml.params[n], se[i])
    # the score is zero at the mode: the Newton step is a negligible fraction of a std error
    step = np.linalg.solve(np.asarray(ml.hessian), np.asarray(ml.score))
    assert np.all(np.abs(step) < 1e-6 * se), (step, se)
    # the Hessian is that of -log L: positive definite
    assert np.all(np.linalg.eigvalsh(np.asarray(ml.hessian)) > 0)
    assert "maximum likelihood" in ml.report()


def test_checkpoint_resume_equals_uninterrupted_and_refuses_other_data(ml, rbc_data, tmp_path):
    """A mode search stopped after a few steps and resumed from its checkpoint ends where the
    uninterrupted search ends; a checkpoint of other data is refused, not resumed."""
    m, Y = rbc_data
    kw = dict(
        start={"rho": 0.8, "sigma": 0.02},
        measurement_error={"y": 0.002, "c": 0.002},
        checkpoint=tmp_path / "mode.npz",
        checkpoint_every=3,
    )
    pri = {"rho": "unit", "sigma": "positive"}
    first = jm.estimate(m, Y, ["y", "c"], pri, max_steps=4, progress=True, **kw)
    assert first.status == "max_steps" and first.steps == 4
    resumed = jm.estimate(m, Y, ["y", "c"], pri, **kw)
    assert resumed.converged
    np.testing.assert_allclose(np.asarray(resumed.mode), np.asarray(ml.mode), rtol=1e-10)
    with pytest.raises(ValueError, match="belongs to a different calibration \(or estimation\)"):
        jm.estimate(m, Y * 1.001, ["y", "c"], pri, **kw)


def test_start_outside_domain_is_an_error(rbc_data):
    m, Y = rbc_data
    with pytest.raises(ValueError, match="outside the domain"):
        jm.estimate(
            m,
            Y,
            ["y", "c"],
            {"rho": "unit"},
            start={"rho": 1.5},
            measurement_error={"y": 0.002, "c": 0.002},
        )


def test_nuts_tiny(rbc_data, tmp_path):
    m, Y = rbc_data
    Y = Y[:80, :1]  # output only, 80 periods: a tiny problem
    me = {"y": 0.002}
    post = jm.posterior(
        m,
        Y,
        ["y"],
        {"rho": jm.Beta(0.8, 0.1), "sigma": jm.InvGamma(0.01, np.inf)},
        measurement_error=me,
    )
    # the log posterior is the log-likelihood plus the log priors
    x = jnp.array([0.9, 0.011])
    lp = float(post.log_posterior(x))
    ll = float(
        jm.log_likelihood(jm.solve(m, {"rho": 0.9, "sigma": 0.011}), Y, ["y"], measurement_error=me)
    )
    assert (
        abs(lp - ll - float(post.priors[0].logpdf(0.9)) - float(post.priors[1].logpdf(0.011)))
        < 1e-9
    )
    s = jm.sample_posterior(
        post,
        jax.random.PRNGKey(0),
        num_chains=2,
        num_samples=150,
        num_warmup=100,
        start=np.array([0.93, 0.01]),
    )
    d = np.asarray(s.draws)
    assert d.shape == (2, 150, 2) and np.all(np.isfinite(d))
    assert int(np.sum(s.divergences)) == 0
    assert np.all(np.asarray(s.rhat) < 1.1) and np.all(np.asarray(s.ess) > 50)
    # posterior mean within 4 posterior std of the truth
    mean, std = s.mean(), s.std()
    for n in ("rho", "sigma"):
        assert abs(mean[n] - TRUE[n]) < 4 * std[n]
    jm.plot_posterior(s, tmp_path / "post.png", true_values=TRUE)
    assert (tmp_path / "post.png").stat().st_size > 10_000
