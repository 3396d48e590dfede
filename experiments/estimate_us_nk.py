"""Bayesian estimation of the three-equation New Keynesian model on US data, 1959Q1–2009Q3.

Data: the US macro dataset shipped with statsmodels (`statsmodels.datasets.macrodata`; no
download at run time). Observables, quarterly, in percent:

* output gap ``x_obs``: 100 × the HP cycle (λ = 1600) of log real GDP;
* inflation ``pi_obs``: CPI inflation (``infl``, annualised) / 4, demeaned;
* interest rate ``i_obs``: the 3-month T-bill rate (``tbilrate``, annualised) / 4, demeaned.

Model (log deviations; β fixed at 0.99):

    x_t = E_t x_{t+1} − (1/σ)(i_t − E_t π_{t+1}) + g_t          (IS curve, demand shock g)
    π_t = β E_t π_{t+1} + κ x_t + u_t                            (Phillips curve, cost push u)
    i_t = ρ_i i_{t-1} + (1 − ρ_i)(φ_π π_t + φ_x x_t) + σ_m e_m  (Taylor rule)
    g_t = ρ_g g_{t-1} + σ_g e_g,   u_t = ρ_u u_{t-1} + σ_u e_u

Priors in Dynare's parametrisation (mean, std). The script finds the posterior mode with exact
gradients (`jm.estimate`, L-BFGS, Hessian standard errors), samples the posterior with NUTS
(`jm.sample_posterior`, chains vmapped), prints the mode, the posterior means and R-hat/ESS, and
draws traces and histograms (`experiments/out/estimate_us_nk/posterior.png`) and the smoothed
shocks (`smoothed_shocks.png`). `--quick` (a short chain) is the smoke test.

    python experiments/estimate_us_nk.py [--quick] [--chains 4] [--samples 1000]
        [--warmup 500] [--seed 0] [--json PATH] [--figures DIR]
"""

from __future__ import annotations

import argparse
import json
import pathlib
import time

import jax
import numpy as np

jax.config.update("jax_enable_x64", True)

import jaxmacro as jm  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parent / "out" / "estimate_us_nk"
OBSERVABLES = ("x_obs", "pi_obs", "i_obs")


def nk_model() -> jm.Model:
    def res(lag, cur, lead, sh, p):
        return [
            cur.x - lead.x + (cur.i - lead.pi) / p.sigma - cur.g,
            cur.pi - p.beta * lead.pi - p.kappa * cur.x - cur.u,
            cur.i
            - p.rho_i * lag.i
            - (1 - p.rho_i) * (p.phi_pi * cur.pi + p.phi_x * cur.x)
            - p.sd_m * sh.e_m,
            cur.g - p.rho_g * lag.g - p.sd_g * sh.e_g,
            cur.u - p.rho_u * lag.u - p.sd_u * sh.e_u,
            cur.x_obs - cur.x,
            cur.pi_obs - cur.pi,
            cur.i_obs - cur.i,
        ]

    variables = ("x", "pi", "i", "g", "u", "x_obs", "pi_obs", "i_obs")
    return jm.Model(
        res,
        variables=variables,
        shocks=("e_g", "e_u", "e_m"),
        params=dict(
            beta=0.99,
            sigma=1.5,
            kappa=0.1,
            phi_pi=1.5,
            phi_x=0.25,
            rho_i=0.7,
            rho_g=0.8,
            rho_u=0.7,
            sd_g=0.5,
            sd_u=0.3,
            sd_m=0.2,
        ),
        shock_cov=np.eye(3),
        steady_state=lambda p: {v: 0.0 * p.beta for v in variables},
        name="nk3_us",
    )


PRIORS = {
    "sigma": jm.Gamma(1.5, 0.5),
    "kappa": jm.Gamma(0.1, 0.05),
    "phi_pi": jm.Gamma(1.5, 0.25),
    "phi_x": jm.Gamma(0.25, 0.1),
    "rho_i": jm.Beta(0.7, 0.1),
    "rho_g": jm.Beta(0.7, 0.15),
    "rho_u": jm.Beta(0.7, 0.15),
    "sd_g": jm.InvGamma(0.5, 2.0),
    "sd_u": jm.InvGamma(0.3, 2.0),
    "sd_m": jm.InvGamma(0.2, 2.0),
}


def us_data():
    """T x 3 array (x_obs, pi_obs, i_obs) and the quarter labels, from statsmodels' dataset."""
    from statsmodels.datasets import macrodata
    from statsmodels.tsa.filters.hp_filter import hpfilter

    d = macrodata.load_pandas().data
    cycle, _ = hpfilter(np.log(d["realgdp"].to_numpy()), lamb=1600)
    x = 100 * np.asarray(cycle)
    infl = d["infl"].to_numpy() / 4
    rate = d["tbilrate"].to_numpy() / 4
    Y = np.column_stack([x, infl - infl.mean(), rate - rate.mean()])
    labels = [f"{int(y)}Q{int(q)}" for y, q in zip(d["year"], d["quarter"])]
    return Y, labels


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="short chains (smoke test)")
    ap.add_argument("--chains", type=int, default=4)
    ap.add_argument("--samples", type=int, default=1000)
    ap.add_argument("--warmup", type=int, default=500)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", default=None, help="write the results as JSON to this path")
    ap.add_argument("--figures", default=str(OUT), help="directory for the PNG figures")
    args = ap.parse_args(argv)
    if args.quick:
        args.chains, args.samples, args.warmup = 2, 60, 60
    t0 = time.time()
    Y, labels = us_data()
    model = nk_model()
    print(f"US data {labels[0]}–{labels[-1]}: {Y.shape[0]} quarters, observables {OBSERVABLES}")
    est = jm.estimate(model, Y, OBSERVABLES, PRIORS, max_steps=60 if args.quick else 300)
    print(est.report())
    draws = jm.sample_posterior(
        est,
        jax.random.PRNGKey(args.seed),
        num_chains=args.chains,
        num_samples=args.samples,
        num_warmup=args.warmup,
    )
    print(draws.summary())
    figs = pathlib.Path(args.figures)
    figs.mkdir(parents=True, exist_ok=True)
    jm.plot_posterior(draws, figs / "posterior.png", mode=np.asarray(est.mode))
    mode = dict(zip(est.names, np.asarray(est.mode, dtype=float)))
    sol = jm.solve(model, mode)
    sm = jm.smooth(sol, Y, OBSERVABLES)
    _plot_shocks(sm, labels, figs / "smoothed_shocks.png")
    post = np.asarray(draws.draws).reshape(-1, len(est.names))
    out = {
        "quarters": [labels[0], labels[-1]],
        "n_obs": int(Y.shape[0]),
        "status": est.status,
        "log_posterior_at_mode": float(est.log_posterior),
        "log_likelihood_at_mode": float(est.log_likelihood),
        "mode": mode,
        "std_errors": dict(zip(est.names, np.asarray(est.std_errors, dtype=float).tolist())),
        "posterior_mean": dict(zip(est.names, post.mean(axis=0).tolist())),
        "posterior_std": dict(zip(est.names, post.std(axis=0).tolist())),
        "rhat": dict(zip(est.names, np.asarray(draws.rhat, dtype=float).tolist())),
        "ess": dict(zip(est.names, np.asarray(draws.ess, dtype=float).tolist())),
        "chains": args.chains,
        "samples": args.samples,
        "warmup": args.warmup,
        "runtime_seconds": time.time() - t0,
    }
    print(f"figures in {figs}; done in {out['runtime_seconds']:.1f} s")
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(out, indent=2))
    return out


def _plot_shocks(sm, labels, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shocks = np.asarray(sm.shock_values)
    fig, axes = plt.subplots(shocks.shape[1], 1, figsize=(9, 6), sharex=True)
    t = np.arange(shocks.shape[0])
    for k, ax in enumerate(axes):
        ax.plot(t, shocks[:, k], lw=0.9)
        ax.axhline(0.0, color="grey", lw=0.5)
        ax.set_ylabel(("demand e_g", "cost push e_u", "policy e_m")[k])
    step = max(1, len(labels) // 8)
    axes[-1].set_xticks(t[::step])
    axes[-1].set_xticklabels(labels[::step])
    fig.suptitle("Smoothed shocks at the posterior mode (US, 1959–2009)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    main()
