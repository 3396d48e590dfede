"""Order-2 timings: second-order solve, and solve + gradient of all second-order terms.

    python benchmarks/_order2.py [--quick]

`records(quick)` is collected by ``benchmarks/bench.py``. For rbc, two_country_bond and
fvgq20 (the hand-written models of ``tests/fixture_models_o2.py``) it times, after jit and with
`block_until_ready` (minimum over repeats):

- ``order2_solve``: steady state + first- and second-order rule (``jm.solve(order=2)``);
- ``order2_solve_grad``: the same plus the gradient, with respect to every parameter, of a
  scalar function of all second-order coefficients (a fixed random weighting of g_xx, g_xu,
  g_uu and g_σσ), by reverse mode through the implicit derivatives.

The peer is Dynare 5.3's recorded `resol` time at order 2 on this machine type (the fixture's
``timing_ms.resol.min``), which includes the steady state and the order-2 solve but no
derivatives. The fvgq20 records also carry ``compile_seconds`` (trace + compile of the jitted
function, first call minus a warm call).
"""

from __future__ import annotations

import importlib.util
import json
import pathlib
import time

import jax
import jax.numpy as jnp
import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
REF = ROOT / "tests" / "reference"
MODELS = ("rbc", "two_country_bond", "fvgq20")


def _fixture_models():
    spec = importlib.util.spec_from_file_location("fixture_models_o2", ROOT / "tests" / "fixture_models_o2.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _peer_seconds(model: str):
    f = REF / model / "dr_order2.json"
    return json.loads(f.read_text())["timing_ms"]["resol"]["min"] / 1e3


def _timed_first_call(fn, *args):
    t = time.perf_counter()
    jax.block_until_ready(fn(*args))
    return time.perf_counter() - t


def _best(fn, *args, repeats, inner):
    best = np.inf
    for _ in range(repeats):
        t = time.perf_counter()
        for _ in range(inner):
            out = fn(*args)
        jax.block_until_ready(out)
        best = min(best, (time.perf_counter() - t) / inner)
    return best


def _record(name, model, seconds, **extra):
    peer_s = _peer_seconds(model)
    r = dict(name=name, model=model, order=2, batch=1, seconds_per_solve=seconds,
             solves_per_second=1.0 / seconds, peer="dynare", peer_seconds_per_solve=peer_s)
    r.update(extra)
    return r


def records(quick: bool) -> list[dict]:
    if not jax.config.jax_enable_x64:  # benchmarks, not library code: float64 as in the tests
        jax.config.update("jax_enable_x64", True)
    import jaxmacro as jm

    fm = _fixture_models()
    repeats, inner = (3, 3) if quick else (10, 10)
    recs = []
    for name in MODELS:
        model = fm.MODELS[name]()
        theta0 = model.param_vector()
        probe = jm.solve(model, theta0, order=2, throw=False)
        rng = np.random.default_rng(0)
        weights = {k: jnp.asarray(rng.standard_normal(getattr(probe, k).shape))
                   for k in ("g_xx", "g_xu", "g_uu", "g_ss")}

        def solve(theta, model=model):
            sol = jm.solve(model, theta, order=2, throw=False)
            return sol.g_xx, sol.g_xu, sol.g_uu, sol.g_ss, sol.result._value

        def scalar(theta, model=model, weights=weights):
            sol = jm.solve(model, theta, order=2, throw=False)
            return sum(jnp.sum(weights[k] * getattr(sol, k)) for k in weights)

        f_solve = jax.jit(solve)
        f_grad = jax.jit(jax.value_and_grad(scalar))
        extra_s, extra_g = {}, {}
        t_first = _timed_first_call(f_solve, theta0)
        t_first_g = _timed_first_call(f_grad, theta0)
        t_solve = _best(f_solve, theta0, repeats=repeats, inner=inner)
        t_grad = _best(f_grad, theta0, repeats=repeats, inner=inner)
        if name == "fvgq20":
            extra_s["compile_seconds"] = t_first - t_solve
            extra_g["compile_seconds"] = t_first_g - t_grad
        g = f_grad(theta0)[1]
        extra_g["gradient_finite"] = bool(jnp.all(jnp.isfinite(g)))
        extra_s["result"] = jm.result_name(probe.result)
        recs.append(_record("order2_solve", name, t_solve, **extra_s))
        recs.append(_record("order2_solve_grad", name, t_grad, n_params=int(theta0.shape[0]), **extra_g))
    return recs


if __name__ == "__main__":
    import argparse

    jax.config.update("jax_enable_x64", True)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    for r in records(args.quick):
        print(json.dumps(r))
