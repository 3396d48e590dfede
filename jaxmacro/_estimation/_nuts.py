"""Posterior sampling with NUTS (blackjax), chains vmapped, with R-hat / ESS and plots.

Why blackjax: it is a library of samplers that takes any JAX log density `u -> log p(u)` and
returns pure, jit-able, vmappable kernels and a window adaptation (step size and diagonal mass
matrix, Stan's schedule), so the chains are one `jax.vmap` inside one compiled program and
the log density is our own `Posterior.log_density_u`. numpyro would make us rewrite the
likelihood as a numpyro model (sample sites, its own constraint transforms) to use the same NUTS.
"""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array

from ._estimate import Estimate, Posterior

__all__ = ["PosteriorSample", "sample_posterior", "plot_posterior"]


class PosteriorSample(eqx.Module):
    """Draws from [`jaxmacro.sample_posterior`][].

    **Fields:** `names`, `draws` (chains x samples x n_params, natural units), `rhat` and `ess`
    (per parameter, over all chains: split potential scale reduction and effective sample
    size, blackjax's diagnostics), `acceptance_rate` (chains), `divergences` (chains),
    `step_size` (chains, after adaptation), `seconds` (wall time of the compiled run,
    compilation excluded when measured by the caller), `problem`.
    """

    names: tuple[str, ...] = eqx.field(static=True)
    draws: Array
    rhat: Array
    ess: Array
    acceptance_rate: Array
    divergences: Array
    step_size: Array
    problem: Posterior

    def mean(self):
        return dict(zip(self.names, np.asarray(self.draws).reshape(-1, len(self.names)).mean(0)))

    def std(self):
        return dict(zip(self.names, np.asarray(self.draws).reshape(-1, len(self.names)).std(0)))

    def summary(self) -> str:
        d = np.asarray(self.draws).reshape(-1, len(self.names))
        w = max(len(n) for n in self.names)
        lines = [
            f"{self.draws.shape[0]} chains x {self.draws.shape[1]} draws; divergences "
            f"{int(np.sum(self.divergences))}; mean acceptance "
            f"{float(np.mean(self.acceptance_rate)):.3f}",
            f"  {'':<{w}} {'mean':>12} {'std':>11} {'5%':>11} {'95%':>11} {'R-hat':>7} {'ESS':>8}",
        ]
        for i, n in enumerate(self.names):
            q5, q95 = np.quantile(d[:, i], [0.05, 0.95])
            lines.append(
                f"  {n:<{w}} {d[:, i].mean():>12.6g} {d[:, i].std():>11.4g} {q5:>11.5g} "
                f"{q95:>11.5g} {float(self.rhat[i]):>7.3f} {float(self.ess[i]):>8.1f}"
            )
        return "\n".join(lines)


@eqx.filter_jit
def _sample(problem: Posterior, key, u0, num_warmup, num_samples, target):
    import blackjax  # imported when sampling, not with jaxmacro (it pulls in scipy.fft)

    logdensity = problem.log_density_u
    warmup = blackjax.window_adaptation(blackjax.nuts, logdensity, target_acceptance_rate=target)

    def one_chain(key, u_init):
        kw, ks = jax.random.split(key)
        (state, params), _ = warmup.run(kw, u_init, num_steps=num_warmup)
        kernel = blackjax.nuts(logdensity, **params).step

        def body(st, k):
            st, info = kernel(k, st)
            return st, (st.position, info.is_divergent, info.acceptance_rate)

        _, (pos, div, acc) = jax.lax.scan(body, state, jax.random.split(ks, num_samples))
        return pos, jnp.sum(div), jnp.mean(acc), params["step_size"]

    keys = jax.random.split(key, u0.shape[0])
    pos, div, acc, step = jax.vmap(one_chain)(keys, u0)
    draws = jax.vmap(jax.vmap(problem.natural))(pos)
    rhat = blackjax.diagnostics.potential_scale_reduction(draws, chain_axis=0, sample_axis=1)
    ess = blackjax.diagnostics.effective_sample_size(draws, chain_axis=0, sample_axis=1)
    return draws, rhat, ess, acc, div, step


def sample_posterior(
    target: Estimate | Posterior,
    key,
    *,
    num_chains: int = 4,
    num_samples: int = 1000,
    num_warmup: int = 500,
    start=None,
    spread: float = 1.0,
    target_acceptance_rate: float = 0.8,
) -> PosteriorSample:
    """Sample the posterior with NUTS: `num_chains` chains in one vmapped, compiled program.

    - `target`: an [`jaxmacro.Estimate`][] (chains start around its mode, dispersed by `spread`
      times its standard errors mapped to the unconstrained coordinates) or a
      [`jaxmacro.Posterior`][] (start at `start`, a vector in `names` order, or the prior means).
    - Each chain adapts its own step size and diagonal mass matrix (blackjax's Stan-style
      window adaptation, `num_warmup` steps), then draws `num_samples`. Sampling is in the
      unconstrained coordinates u with the log-Jacobian of the transforms added; draws are
      returned in natural units. Failed parameter points have log density −∞ and are rejected.
    """
    if isinstance(target, Estimate):
        problem = target.problem
        x0 = target.mode
        u_mode = problem.unconstrained(x0)
        dxdu = jnp.stack([jax.grad(t.forward)(u_mode[i]) for i, t in enumerate(problem.transforms)])
        se_u = jnp.where(jnp.isfinite(target.std_errors), target.std_errors / jnp.abs(dxdu), 0.1)
    else:
        problem = target
        if start is None:
            x0 = jnp.asarray([p.mean for p in problem.priors])
        else:
            x0 = jnp.asarray(start, dtype=jnp.result_type(float))
        u_mode = problem.unconstrained(x0)
        se_u = jnp.full_like(u_mode, 0.1)
    kinit, ksample = jax.random.split(key)
    eps = jax.random.normal(kinit, (num_chains, u_mode.shape[0]), dtype=u_mode.dtype)
    u0 = u_mode[None, :] + spread * se_u[None, :] * eps
    draws, rhat, ess, acc, div, step = _sample(
        problem, ksample, u0, int(num_warmup), int(num_samples), float(target_acceptance_rate)
    )
    return PosteriorSample(
        names=problem.names,
        draws=draws,
        rhat=rhat,
        ess=ess,
        acceptance_rate=acc,
        divergences=div,
        step_size=step,
        problem=problem,
    )


def plot_posterior(sample: PosteriorSample, path=None, *, true_values=None, mode=None):
    """Trace plots (left) and posterior histograms with the prior density (right) per parameter.

    Saves to `path` if given; returns the matplotlib figure.
    """
    import matplotlib

    if path is not None:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = sample.names
    draws = np.asarray(sample.draws)
    n = len(names)
    fig, axes = plt.subplots(n, 2, figsize=(10, 2.4 * n), squeeze=False)
    for i, name in enumerate(names):
        ax = axes[i, 0]
        for c in range(draws.shape[0]):
            ax.plot(draws[c, :, i], lw=0.5, alpha=0.8)
        ax.set_ylabel(name)
        ax.set_title(
            f"trace: R-hat {float(sample.rhat[i]):.3f}, ESS {float(sample.ess[i]):.0f}", fontsize=9
        )
        ax = axes[i, 1]
        flat = draws[:, :, i].ravel()
        ax.hist(flat, bins=40, density=True, alpha=0.6, label="posterior")
        pr = sample.problem.priors[i]
        if pr is not None:
            lo, hi = np.quantile(flat, [0.001, 0.999])
            w = hi - lo
            grid = np.linspace(lo - w, hi + w, 300)
            ax.plot(
                grid,
                np.exp(np.asarray(jax.vmap(pr.logpdf)(jnp.asarray(grid)))),
                "k--",
                lw=1,
                label="prior",
            )
            ax.set_xlim(lo - 0.3 * w, hi + 0.3 * w)
        if mode is not None:
            ax.axvline(float(np.asarray(mode)[i]), color="C3", lw=1, label="mode")
        if true_values is not None and name in true_values:
            ax.axvline(float(true_values[name]), color="k", lw=1, label="true")
        ax.legend(fontsize=7)
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=110)
    return fig
