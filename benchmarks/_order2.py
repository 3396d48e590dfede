"""Order-2 timings: second-order solve, and solve + gradient of all second-order terms.

    python benchmarks/_order2.py [--quick]

`records(quick)` is collected by ``benchmarks/bench.py``. For rbc, two_country_bond and
fvgq20 (the hand-written models of ``tests/fixture_models_o2.py``) it times, after jit and with
`block_until_ready` (minimum over repeats):

- ``order2_solve``: steady state + first- and second-order rule (``jm.solve(order=2)``);
- ``order2_solve_grad``: the same plus the gradient, with respect to every parameter, of a
  scalar function of all second-order coefficients (a fixed random weighting of g_xx, g_xu,
  g_uu and g_σσ), by reverse mode through the implicit derivatives.

The peer is Dynare 5.3's order-2 `resol` (steady state + order-2 solve, no derivatives), run
in the same script through Octave when it is installed (`bench.py` otherwise prints the
fixture's recorded time, marked *). It includes no
derivatives. The fvgq20 records also carry ``compile_seconds`` (trace + compile of the jitted
function, first call minus a warm call).
"""

from __future__ import annotations

import importlib.util
import json
import pathlib
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from common import REF, best_time, dynare_available, dynare_resol_seconds, record  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
MODELS = ("rbc", "two_country_bond", "fvgq20")


def _fixture_models():
    spec = importlib.util.spec_from_file_location(
        "fixture_models_o2", ROOT / "tests" / "fixture_models_o2.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _timed_first_call(fn, *args):
    t = time.perf_counter()
    jax.block_until_ready(fn(*args))
    return time.perf_counter() - t


def records(quick: bool, use_dynare: bool = False) -> list[dict]:
    if not jax.config.jax_enable_x64:  # benchmarks, not library code: float64 as in the tests
        jax.config.update("jax_enable_x64", True)
    import jaxmacro as jm

    fm = _fixture_models()
    peers = {}
    for name in MODELS:  # Dynare first, before jax compiles anything
        sec = (
            dynare_resol_seconds(REF / name / f"{name}.mod", 2, 20 if quick else 100)
            if use_dynare
            else None
        )
        peers[name] = ("dynare 5.3 (octave, this run)", sec) if sec else (None, None)
    repeats, inner = (3, 3) if quick else (10, 10)
    recs = []
    for name in MODELS:
        model = fm.MODELS[name]()
        theta0 = model.param_vector()
        probe = jm.solve(model, theta0, order=2, throw=False)
        rng = np.random.default_rng(0)
        weights = {
            k: jnp.asarray(rng.standard_normal(getattr(probe, k).shape))
            for k in ("g_xx", "g_xu", "g_uu", "g_ss")
        }

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
        t_solve = best_time(f_solve, theta0, repeats=repeats, inner=inner)
        t_grad = best_time(f_grad, theta0, repeats=repeats, inner=inner)
        if name == "fvgq20":
            extra_s["compile_seconds"] = t_first - t_solve
            extra_g["compile_seconds"] = t_first_g - t_grad
        g = f_grad(theta0)[1]
        extra_g["gradient_finite"] = bool(jnp.all(jnp.isfinite(g)))
        extra_s["result"] = jm.result_name(probe.result)
        peer, peer_s = peers[name]
        recs.append(record("order2_solve", name, 2, 1, t_solve, peer, peer_s, **extra_s))
        recs.append(
            record(
                "order2_solve_grad",
                name,
                2,
                1,
                t_grad,
                peer,
                peer_s,
                n_params=int(theta0.shape[0]),
                **extra_g,
            )
        )
    return recs


if __name__ == "__main__":
    import argparse

    jax.config.update("jax_enable_x64", True)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    for r in records(args.quick, use_dynare=dynare_available()):
        print(json.dumps(r))
