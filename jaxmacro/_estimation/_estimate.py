"""Maximum likelihood and posterior mode, with standard errors from the Hessian at the mode.

Why not [`jaxmacro.calibrate`][]: its loop minimises a weighted sum of squared moment errors,
½ (m(θ) − m̄)' W (m(θ) − m̄), and reports moment diagnostics; a log posterior is a scalar that
is not a sum of squares, so this module keeps the same design — unconstrained coordinates
through the jaxmacro transforms, optax L-BFGS with its zoom line search, failed points (no
steady state, Blanchard–Kahn, unit root, singular forecast covariance) at +∞ so the line search
backs off from them — in a minimal loop of its own (no checkpointing).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax
from jaxtyping import Array

from .._calibration import (
    as_transform,
    fingerprint,
    load_checkpoint,
    save_checkpoint,
    to_natural,
    to_unconstrained,
    with_free,
)

# --- library-internal imports (one block, for the merge) ---------------------------------
from .._model import Model
from .._perturbation import solve

# ------------------------------------------------------------------------------------------
from ._kalman import LIKELIHOOD_RESULTS, _data_matrix, kalman_filter
from ._priors import AbstractPrior

__all__ = ["Estimate", "Posterior", "estimate", "posterior"]


class Posterior(eqx.Module):
    """Log posterior (or log-likelihood) of a model on data, as a function of a parameter vector.

    Built by [`jaxmacro.posterior`][]. **Fields:** `model`, `names` (estimated parameters,
    static), `priors` (a prior or None per name: None is a flat prior, i.e. ML), `transforms`,
    `fixed` (the other parameters), `data`, `observables`, `measurement_error`. Methods take
    θ in natural units (``log_likelihood``, ``log_prior``, ``log_posterior``) or the
    unconstrained u (``log_density_u``: log posterior + log|dθ/du|, what a sampler needs).
    """

    model: Model = eqx.field(static=True)
    names: tuple[str, ...] = eqx.field(static=True)
    priors: tuple
    transforms: tuple
    fixed: dict
    data: Array
    observables: tuple[str, ...] = eqx.field(static=True)
    measurement_error: tuple = eqx.field(static=True)  # ((obs, value-or-name), ...)
    init: str = eqx.field(static=True)
    presample: int = eqx.field(static=True)

    @property
    def bayesian(self) -> bool:
        return any(p is not None for p in self.priors)

    def natural(self, u):
        return to_natural(self.transforms, u)

    def unconstrained(self, x):
        return to_unconstrained(self.transforms, x)

    def params(self, x) -> dict:
        return with_free(self.fixed, self.names, x)

    def filter(self, x):
        p = self.params(x)
        mp = {k: v for k, v in p.items() if k in self.model.param_names}
        sol = solve(self.model, mp, throw=False)
        me = None
        if self.measurement_error:
            me = {o: (p[v] if isinstance(v, str) else v) for o, v in self.measurement_error}
        return kalman_filter(
            sol,
            self.data,
            self.observables,
            measurement_error=me,
            init=self.init,
            presample=self.presample,
            throw=False,
        )

    def log_likelihood(self, x):
        return self.filter(x).log_likelihood

    def log_prior(self, x):
        lp = jnp.asarray(0.0, x.dtype)
        for i, pr in enumerate(self.priors):
            if pr is not None:
                lp = lp + pr.logpdf(x[i])
        return lp

    def log_posterior(self, x):
        lp = self.log_likelihood(x) + self.log_prior(x)
        return jnp.where(jnp.isnan(lp), -jnp.inf, lp)

    def log_density_u(self, u):
        logjac = sum(
            jnp.log(jnp.abs(jax.grad(t.forward)(u[i]))) for i, t in enumerate(self.transforms)
        )
        return self.log_posterior(self.natural(u)) + logjac


def posterior(
    model: Model,
    data,
    observables: Sequence[str] | str,
    priors: Mapping,
    *,
    fixed: Mapping | None = None,
    measurement_error: Mapping | None = None,
    init: str = "unconditional",
    presample: int = 0,
) -> Posterior:
    """The estimation problem: which parameters, their priors, the data.

    - `priors`: mapping parameter name -> a prior ([`jaxmacro.Normal`][], [`jaxmacro.Beta`][],
      [`jaxmacro.Gamma`][], [`jaxmacro.InvGamma`][], [`jaxmacro.Uniform`][]) or, for maximum
      likelihood, a transform or its shorthand (``None``, ``"positive"``, ``"unit"``,
      ``(lower, upper)``; flat prior). A name may be a model parameter or a measurement-error
      std named in `measurement_error`.
    - `fixed`: values of the other model parameters (default: the model's defaults).
    - `measurement_error`: mapping observable -> std (a number) or the name of an estimated
      parameter (its std).
    - `init`, `presample`: as in [`jaxmacro.log_likelihood`][].
    """
    obs = (observables,) if isinstance(observables, str) else tuple(observables)
    names = tuple(priors)
    me = tuple(
        (o, (v if isinstance(v, str) else float(v))) for o, v in (measurement_error or {}).items()
    )
    extra = {v for _, v in me if isinstance(v, str)}
    unknown = [n for n in names if n not in model.param_names and n not in extra]
    if unknown:
        raise ValueError(
            f"estimated name(s) {unknown} are neither parameters of the model "
            f"{model.param_names} nor measurement-error stds {sorted(extra)}"
        )
    missing = sorted(extra - set(names) - set(fixed or {}))
    if missing:
        raise ValueError(f"measurement-error std name(s) {missing} are neither estimated nor fixed")
    pr, tr = [], []
    for n in names:
        spec = priors[n]
        if isinstance(spec, AbstractPrior):
            pr.append(spec)
            tr.append(spec.transform)
        else:
            pr.append(None)
            tr.append(as_transform(spec))
    defaults = dict(zip(model.param_names, model.param_defaults))
    fx = {k: jnp.asarray(v) for k, v in defaults.items() if k not in names}
    for k, v in (fixed or {}).items():
        if k in names:
            raise ValueError(f"{k!r} is both estimated and fixed")
        fx[k] = jnp.asarray(v)
    Y = _data_matrix(data, obs, jnp.result_type(float))
    return Posterior(
        model=model,
        names=names,
        priors=tuple(pr),
        transforms=tuple(tr),
        fixed=fx,
        data=Y,
        observables=obs,
        measurement_error=me,
        init=init,
        presample=int(presample),
    )


class Estimate(eqx.Module):
    """Result of [`jaxmacro.estimate`][].

    **Fields:** `names`, `mode` (θ̂, natural units), `log_posterior` and `log_likelihood` at
    θ̂, `score` (∂ log posterior / ∂θ at θ̂: zero at an interior mode), `hessian` (of
    −log posterior in θ), `cov` (its inverse: the asymptotic covariance of θ̂), `std_errors`,
    `steps`, `status` ("converged", "max_steps", "stalled", "start_failed"), `result` (the
    filter's result at θ̂), `problem` (the [`jaxmacro.Posterior`][]).
    """

    names: tuple[str, ...] = eqx.field(static=True)
    mode: Array
    log_posterior: Array
    log_likelihood: Array
    score: Array
    hessian: Array
    cov: Array
    std_errors: Array
    steps: int = eqx.field(static=True)
    status: str = eqx.field(static=True)
    result: LIKELIHOOD_RESULTS
    problem: Posterior

    @property
    def params(self) -> dict:
        return {n: float(v) for n, v in zip(self.names, np.asarray(self.mode))}

    @property
    def converged(self) -> bool:
        return self.status == "converged"

    def report(self) -> str:
        kind = "posterior mode" if self.problem.bayesian else "maximum likelihood"
        lines = [
            f"{kind}: {self.status} after {self.steps} steps; log posterior "
            f"{float(self.log_posterior):.6f}, log-likelihood {float(self.log_likelihood):.6f}"
        ]
        w = max(len(n) for n in self.names)
        lines.append(f"  {'':<{w}} {'estimate':>12} {'std. error':>12} {'t-stat':>9}")
        for n, x, s in zip(self.names, np.asarray(self.mode), np.asarray(self.std_errors)):
            lines.append(f"  {n:<{w}} {x:>12.6g} {s:>12.4g} {x / s:>9.2f}")
        return "\n".join(lines)


def _objective(problem: Posterior, u):
    lp = problem.log_posterior(problem.natural(u))
    return jnp.where(jnp.isfinite(lp), -lp, jnp.inf)


@eqx.filter_jit
def _start(problem: Posterior, opt, u0, gtol):
    """The loop state (u, optimiser state, value, gradient, step, code) at the start u0."""
    v0, g0 = jax.value_and_grad(lambda u: _objective(problem, u))(u0)
    ok0 = jnp.isfinite(v0) & jnp.all(jnp.isfinite(g0))
    code0 = jnp.where(ok0, jnp.where(jnp.linalg.norm(g0) <= gtol, 1, 0), 3)
    return (u0, opt.init(u0), v0, jnp.where(ok0, g0, 0.0), jnp.asarray(0), code0)


@eqx.filter_jit
def _steps(problem: Posterior, opt, c, until, gtol):
    """L-BFGS steps from the loop state `c` until step `until`, convergence or a stall (code
    1 converged, 2 stalled: no finite move; 0 still running)."""
    f = lambda u: _objective(problem, u)  # noqa: E731
    get = optax.tree_utils.tree_get

    def cond(c):
        _, _, _, g, k, code = c
        return (code == 0) & (k < until)

    def body(c):
        u, st, v, g, k, _ = c
        upd, st = opt.update(g, st, u, value=v, grad=g, value_fn=f)
        u_new = u + upd
        v_new, g_new = get(st, "value"), get(st, "grad")
        moved = jnp.any(upd != 0) & jnp.isfinite(v_new) & jnp.all(jnp.isfinite(g_new))
        conv = moved & (jnp.linalg.norm(g_new) <= gtol)
        code = jnp.where(conv, 1, jnp.where(moved, 0, 2))
        u = jnp.where(moved, u_new, u)
        v = jnp.where(moved, v_new, v)
        g = jnp.where(moved, g_new, g)
        return u, st, v, g, k + 1, code

    return jax.lax.while_loop(cond, body, c)


def _run(problem: Posterior, opt, u0, max_steps, gtol, checkpoint, every, progress, resume):
    """The mode search in chunks of `every` steps: a progress bar, and the loop state written
    to `checkpoint` after each chunk (resumed from it when it was written by this search)."""
    g = jnp.asarray(gtol, u0.dtype)
    c = _start(problem, opt, u0, g)
    meta = dict(
        u0=np.asarray(u0),
        problem=np.asarray(fingerprint(problem)),
        optimizer=np.asarray(fingerprint(opt)),
        stopping=np.asarray([float(gtol), float(every)]),
    )
    if checkpoint is not None and resume and os.path.exists(os.fspath(checkpoint)):
        c, _ = load_checkpoint(checkpoint, c, meta)
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(
            total=max_steps,
            initial=min(int(c[4]), max_steps),
            desc="estimate",
            leave=False,
            dynamic_ncols=True,
        )
    try:
        while int(c[5]) == 0 and int(c[4]) < max_steps:
            c = _steps(problem, opt, c, jnp.asarray(min(int(c[4]) + every, max_steps)), g)
            if checkpoint is not None:
                save_checkpoint(checkpoint, c, {}, meta)
            if bar is not None:
                bar.update(min(int(c[4]), max_steps) - bar.n)
                bar.set_postfix(logpost=f"{-float(c[2]):.6g}")
        if checkpoint is not None and not os.path.exists(os.fspath(checkpoint)):
            save_checkpoint(checkpoint, c, {}, meta)
    finally:
        if bar is not None:
            bar.close()
    u, _, v, gr, k, code = c
    return u, v, gr, k, code


@eqx.filter_jit
def _grad_natural(problem: Posterior, x):
    return jax.value_and_grad(problem.log_posterior)(x)


@eqx.filter_jit
def likelihood_at(problem: Posterior, x):
    """(log-likelihood, filter result) of `problem` at natural parameter values x (jitted)."""
    kf = problem.filter(x)
    return kf.log_likelihood, kf.result


def estimate(
    model: Model,
    data,
    observables: Sequence[str] | str,
    priors: Mapping,
    *,
    start: Mapping | None = None,
    fixed: Mapping | None = None,
    measurement_error: Mapping | None = None,
    init: str = "unconditional",
    presample: int = 0,
    optimizer: optax.GradientTransformation | None = None,
    max_steps: int = 300,
    gtol: float = 1e-8,
    checkpoint=None,
    checkpoint_every: int = 25,
    progress: bool = False,
    resume: bool = True,
) -> Estimate:
    """Maximum likelihood or posterior mode of `model` on `data`, with exact gradients.

    Arguments as in [`jaxmacro.posterior`][], plus `start` (mapping name -> starting value;
    default the prior mean, or the model default for ML parameters), `optimizer` (default
    ``optax.lbfgs()``), `max_steps` and `gtol` (on the gradient in the unconstrained
    coordinates), and as in [`jaxmacro.calibrate`][]: `checkpoint` (a path: the search state is
    written atomically every `checkpoint_every` steps and resumed from it by the same search;
    a checkpoint of another model, data, priors, start or optimiser is refused with a message
    saying how to start afresh), `progress` (a tqdm bar) and `resume`. The mode is that of the
    posterior density in θ (as Dynare's
    ``mode_compute``), not of u. The Hessian of −log posterior at the mode is computed by
    central differences of the exact gradient (one compiled gradient, 2·n_params calls); its
    inverse gives `cov` and `std_errors`.

    **Returns:** an [`jaxmacro.Estimate`][]. A start where the model fails gives
    ``status="start_failed"``.
    """
    problem = posterior(
        model,
        data,
        observables,
        priors,
        fixed=fixed,
        measurement_error=measurement_error,
        init=init,
        presample=presample,
    )
    defaults = dict(zip(model.param_names, model.param_defaults))
    x0 = []
    for n, pr in zip(problem.names, problem.priors):
        if start is not None and n in start:
            x0.append(float(start[n]))
        elif pr is not None:
            x0.append(float(pr.mean))
        elif n in defaults:
            x0.append(defaults[n])
        else:
            raise ValueError(f"give a start value for {n!r}")
    x0 = jnp.asarray(x0, dtype=jnp.result_type(float))
    for n, t, x in zip(problem.names, problem.transforms, np.asarray(x0)):
        if not t.contains(x):
            raise ValueError(
                f"start value {n} = {x} is outside the domain of its prior/transform {t}"
            )
    u0 = problem.unconstrained(x0)
    opt = optimizer if optimizer is not None else _default_optimizer()
    if max_steps < 0 or checkpoint_every < 1:
        raise ValueError("need max_steps >= 0 and checkpoint_every >= 1")
    u, v, g, k, code = _run(
        problem,
        opt,
        u0,
        int(max_steps),
        float(gtol),
        checkpoint,
        int(checkpoint_every),
        progress,
        resume,
    )
    code, k = int(code), int(k)
    status = {0: "max_steps", 1: "converged", 2: "stalled", 3: "start_failed"}[code]
    x = problem.natural(u)
    lp, score = _grad_natural(problem, x)
    n = x.shape[0]
    H = np.full((n, n), np.nan)
    if np.isfinite(float(lp)):
        xs = np.asarray(x)
        for i in range(n):
            h = 1e-5 * max(abs(xs[i]), 1e-2)
            e = np.zeros(n)
            e[i] = h
            gp = np.asarray(_grad_natural(problem, jnp.asarray(xs + e))[1])
            gm = np.asarray(_grad_natural(problem, jnp.asarray(xs - e))[1])
            H[:, i] = -(gp - gm) / (2 * h)
        H = 0.5 * (H + H.T)
    try:
        cov = np.linalg.inv(H)
    except np.linalg.LinAlgError:
        cov = np.full((n, n), np.nan)
    se = np.sqrt(np.where(np.diag(cov) > 0, np.diag(cov), np.nan))
    ll, result = likelihood_at(problem, x)
    return Estimate(
        names=problem.names,
        mode=x,
        log_posterior=lp,
        log_likelihood=ll,
        score=score,
        hessian=jnp.asarray(H),
        cov=jnp.asarray(cov),
        std_errors=jnp.asarray(se),
        steps=k,
        status=status,
        result=result,
        problem=problem,
    )


_OPT = []


def _default_optimizer():
    if not _OPT:  # one object per session, so repeated estimations reuse the compiled loop
        _OPT.append(optax.lbfgs())
    return _OPT[0]
