"""Likelihood benchmarks: one evaluation, value + gradient, 1,000 draws vmapped; Dynare's
`dsge_likelihood` on the same model and data in the same run (if octave-cli is installed);
NUTS effective samples per second (`--nuts`).

    PYTHONPATH=. python benchmarks/bench_likelihood.py [--nuts] [--no-dynare] [--json OUT]

Model: fvgq20 (31 equations, 11 states, 6 shocks) with 5 observables (ob_Pi ob_R ob_dw ob_dy
ob_l), 200 simulated periods, no measurement error, lik_init=1; the timed function is
parameters -> steady state -> first-order solution -> Kalman filter.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

import jax
import jax.numpy as jnp
import numpy as np

jax.config.update("jax_enable_x64", True)
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from common import REF, best_time  # noqa: E402

import jaxmacro as jm  # noqa: E402
from jaxmacro.compat import load_mod  # noqa: E402

OBS = ["ob_Pi", "ob_R", "ob_dw", "ob_dy", "ob_l"]
PERTURBED = ["gammaR", "gammay", "gammaPi", "rhod", "rhophi", "rhog", "sig_A", "sig_d", "sig_phi"]
PERTURBED += ["sig_mu", "sig_m", "sig_g"]
T = 200


def data(model):
    sol = jm.solve(model)
    sim = jm.simulate(sol, jax.random.PRNGKey(2026), periods=T, burn=200)
    return np.stack([np.asarray(sim[v]) for v in OBS], axis=1)


def bench_jaxmacro(model, Y):
    theta0 = jnp.asarray(model.param_defaults)
    ll = jax.jit(
        lambda th: jm.log_likelihood(jm.solve(model, th, throw=False), Y, OBS, throw=False)
    )
    vg = jax.jit(
        jax.value_and_grad(
            lambda th: jm.log_likelihood(jm.solve(model, th, throw=False), Y, OBS, throw=False)
        )
    )
    t0 = time.perf_counter()
    value = float(ll(theta0))
    c_ll = time.perf_counter() - t0
    t0 = time.perf_counter()
    jax.block_until_ready(vg(theta0))
    c_vg = time.perf_counter() - t0
    out = {"loglik": value, "compile_loglik_s": c_ll, "compile_value_and_grad_s": c_vg}
    out["loglik_ms"] = 1e3 * best_time(ll, theta0, repeats=20)
    out["value_and_grad_ms"] = 1e3 * best_time(vg, theta0, repeats=20)
    out["n_params_differentiated"] = int(theta0.shape[0])
    n = 1000
    # ±1 % draws of the policy-rule and shock parameters (the others include steady-state
    # values set as parameters in the file, which a draw would make inconsistent)
    idx = np.asarray([model.param_names.index(k) for k in PERTURBED])
    scale = 1.0 + 0.01 * jax.random.uniform(
        jax.random.PRNGKey(1), (n, len(idx)), minval=-1, maxval=1
    )
    draws = jnp.broadcast_to(theta0, (n, theta0.shape[0])).at[:, idx].multiply(scale)
    vl = jax.jit(jax.vmap(ll))
    t0 = time.perf_counter()
    vals = np.asarray(vl(draws))
    out["compile_vmap1000_s"] = time.perf_counter() - t0
    out["vmap1000_ms_total"] = 1e3 * best_time(vl, draws, repeats=3)
    out["vmap1000_ms_per_draw"] = out["vmap1000_ms_total"] / n
    out["vmap1000_finite"] = int(np.isfinite(vals).sum())
    return out


def bench_dynare(gammaR, reps=50):
    if shutil.which("octave-cli") is None:
        return None
    mod = (REF / "fvgq20" / "fvgq20.mod").read_text()
    est = (
        f"varobs {' '.join(OBS)};\nestimated_params;\n  gammaR, {gammaR!r};\nend;\n"
        "options_.riccati_tol = -1;  // exact filter, as jaxmacro\n"
        "estimation(datafile='fvgq20_data.csv', mode_compute=0, lik_init=1, nograph, plot_priors=0);\n"
    )
    head, sep, _ = mod.partition("stoch_simul(")
    assert sep
    with tempfile.TemporaryDirectory() as tmp:
        (pathlib.Path(tmp) / "fvgq20_est.mod").write_text(head + est)
        shutil.copy(DATA_CSV, tmp)
        script = (
            "dynare fvgq20_est nolog noclearall -DORDER=1; "
            "var_list_ = char(); "
            "[dataset_, dataset_info, xparam1, hh, M_, options_, oo_, estim_params_, bayestopt_, bounds] = "
            "dynare_estimation_init(var_list_, M_.fname, [], M_, options_, oo_, estim_params_, bayestopt_); "
            "f = dsge_likelihood(xparam1, dataset_, dataset_info, options_, M_, estim_params_, bayestopt_, bounds, oo_); "
            f"best = inf; for i = 1:{reps}, t = tic; f = dsge_likelihood(xparam1, dataset_, dataset_info, options_, M_, "
            "estim_params_, bayestopt_, bounds, oo_); best = min(best, toc(t)); end; "
            "printf('LOGLIK %.17g\\nBEST %.17g\\n', -f, best);"
        )
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
        p = subprocess.run(
            ["octave-cli", "--no-history", "--no-gui", "--norc", "--eval", script],
            cwd=tmp,
            env=env,
            capture_output=True,
            text=True,
            timeout=1200,
        )
    vals = dict(
        line.split() for line in p.stdout.splitlines() if line.startswith(("LOGLIK ", "BEST "))
    )
    if "BEST" not in vals:
        print(p.stdout[-2000:], p.stderr[-2000:], file=sys.stderr)
        return None
    return {
        "loglik": float(vals["LOGLIK"]),
        "dsge_likelihood_ms": 1e3 * float(vals["BEST"]),
        "reps": reps,
    }


def bench_nuts():
    m = jm.models.rbc()
    sim = jm.simulate(jm.solve(m), jax.random.PRNGKey(3), periods=100, burn=200)
    Y = np.asarray(sim["y"])[:, None]
    post = jm.posterior(m, Y, ["y"], {"rho": jm.Beta(0.8, 0.1), "sigma": jm.InvGamma(0.01, np.inf)})
    kw = dict(num_chains=4, num_samples=500, num_warmup=300, start=np.array([0.93, 0.01]))
    t0 = time.perf_counter()
    jax.block_until_ready(jm.sample_posterior(post, jax.random.PRNGKey(0), **kw).draws)
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    s = jm.sample_posterior(post, jax.random.PRNGKey(1), **kw)
    jax.block_until_ready(s.draws)
    sec = time.perf_counter() - t0
    ess = np.asarray(s.ess)
    return {
        "model": "rbc, 1 observable, 100 periods, 2 parameters",
        "chains": 4,
        "draws": 500,
        "warmup": 300,
        "seconds_run": sec,
        "seconds_first_call": first,
        "min_ess": float(ess.min()),
        "ess_per_second": float(ess.min() / sec),
        "rhat_max": float(np.max(np.asarray(s.rhat))),
    }


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--nuts", action="store_true")
    ap.add_argument("--no-dynare", action="store_true")
    ap.add_argument("--json")
    a = ap.parse_args()
    model = load_mod(REF / "fvgq20" / "fvgq20.mod", defines={"ORDER": 1})
    Y = data(model)
    tmpdir = tempfile.mkdtemp()
    DATA_CSV = pathlib.Path(tmpdir) / "fvgq20_data.csv"
    with open(DATA_CSV, "w") as f:
        f.write(",".join(OBS) + "\n")
        for row in Y:
            f.write(",".join(repr(float(x)) for x in row) + "\n")
    res = {"jaxmacro": bench_jaxmacro(model, Y)}
    if not a.no_dynare:
        gammaR = float(model.param_defaults[model.param_names.index("gammaR")])
        res["dynare"] = bench_dynare(gammaR)  # evaluated at the same point as jaxmacro
        if res["dynare"]:
            a_, b_ = res["jaxmacro"]["loglik"], res["dynare"]["loglik"]
            res["loglik_relative_difference"] = abs(a_ - b_) / max(1.0, abs(b_))
    if a.nuts:
        res["nuts"] = bench_nuts()
    print(json.dumps(res, indent=2))
    if a.json:
        pathlib.Path(a.json).write_text(json.dumps(res, indent=2) + "\n")
