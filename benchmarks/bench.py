"""jaxmacro benchmark suite: timings after jit, side by side with Dynare 5.3 when installed.

    python benchmarks/bench.py [--quick] [--json OUT.json] [--no-dynare]

Each record: name, model, order, batch, seconds_per_solve, solves_per_second, peer,
peer_seconds_per_solve (peer None when no peer ran). Dynare runs in the same script through
``octave-cli`` (its `resol` = steady state + perturbation, timed inside Octave, min over reps)
when `octave-cli` and Dynare are on the machine; otherwise its rows are skipped.
Times are wall clock on this machine with `block_until_ready`, minimum over repeats.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import pathlib
import platform
import sys
import time

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402

import jaxmacro as jm  # noqa: E402

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from common import (  # noqa: E402
    REF,
    best_time,
    dynare_available,
    dynare_resol_seconds,
    fixture_peer,
    record,
)


# ------------------------------------------------------------------------- order 1
def order1_records(quick: bool, use_dynare: bool) -> list[dict]:
    recs = []
    batch = 1_000 if quick else 10_000
    reps = 5 if quick else 20
    models = {"rbc": jm.models.rbc(), "two_country_bond": jm.models.two_country_bond()}
    for mname, model in models.items():
        peer, peer_s = None, None
        if use_dynare:
            peer_s = dynare_resol_seconds(REF / mname / f"{mname}.mod", 1, 50 if quick else 300)
            peer = "dynare 5.3 (octave, this run)" if peer_s else None
        # (a) one jitted solve (steady state + first-order rule)
        f = jax.jit(lambda beta, m=model: jm.solve(m, {"beta": beta}, throw=False).g_x)
        t = best_time(f, jnp.asarray(0.99), repeats=reps, inner=20)
        recs.append(record("order1_solve", mname, 1, 1, t, peer, peer_s))
        # (b) one vmapped call over the whole batch. Under vmap the dense kernels are pure JAX
        # (jaxmacro/_dense.py): batched LAPACK calls could deadlock XLA's CPU pool in jaxlib 0.10.
        betas = jnp.linspace(0.95, 0.995, batch)
        fv = jax.jit(jax.vmap(lambda beta, m=model: jm.solve(m, {"beta": beta}, throw=False).g_x))
        t = best_time(fv, betas, repeats=max(3, reps // 4))
        recs.append(record("order1_solve_vmap", mname, 1, batch, t, peer, peer_s))

        # (c) gradient of a moment (s.d. of the first variable) w.r.t. all parameters
        def moment(theta, m=model):
            return jm.moments(jm.solve(m, theta, throw=False), throw=False).std[0]

        theta0 = model.param_vector()
        fg = jax.jit(jax.grad(moment))
        t = best_time(fg, theta0, repeats=reps, inner=10)
        recs.append(record("order1_grad_moment", mname, 1, 1, t, peer, peer_s))
        fm = jax.jit(moment)
        t = best_time(fm, theta0, repeats=reps, inner=10)
        recs.append(record("order1_moment", mname, 1, 1, t, peer, peer_s))
    return recs


def extra_suites(quick: bool, use_dynare: bool) -> list[dict]:
    """Suites contributed by other modules of benchmarks/ (order 2, portfolios, ...)."""
    recs = []
    for path in sorted(pathlib.Path(__file__).parent.glob("_*.py")):
        spec = importlib.util.spec_from_file_location(path.stem, path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        if hasattr(mod, "records"):
            try:
                recs += mod.records(quick, use_dynare=use_dynare)
            except Exception as e:  # a broken suite must not hide the others
                sys.stderr.write(f"suite {path.name} failed: {e!r}\n")
    return recs


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="small batches and few repeats")
    ap.add_argument("--json", type=pathlib.Path, default=None)
    ap.add_argument("--no-dynare", action="store_true", help="do not run Dynare even if installed")
    ap.add_argument("--only-order1", action="store_true")
    args = ap.parse_args(argv)
    use_dynare = dynare_available() and not args.no_dynare
    print(
        f"# jaxmacro benchmarks, {time.strftime('%Y-%m-%d')}, {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cpus, jax {jax.__version__}, devices {jax.devices()}; dynare: "
        f"{'running in this script' if use_dynare else 'not installed (fixture times shown for reference)'}"
    )
    recs = order1_records(args.quick, use_dynare)
    if not args.only_order1:
        recs += extra_suites(args.quick, use_dynare)
    hdr = f"{'name':<26}{'model':<18}{'ord':>4}{'batch':>7}{'ms/solve':>12}{'solves/s':>12}{'peer ms':>10}{'ratio':>9}"
    print(hdr)
    for r in recs:
        peer_s = r["peer_seconds_per_solve"]
        shown = peer_s if peer_s else fixture_peer(r["model"], r["order"])
        ratio = f"{shown / r['seconds_per_solve']:8.1f}x" if shown else ""
        mark = "" if peer_s else ("*" if shown else "")
        print(
            f"{r['name']:<26}{r['model']:<18}{r['order']:>4}{r['batch']:>7}"
            f"{1e3 * r['seconds_per_solve']:>12.4f}{r['solves_per_second']:>12.0f}"
            f"{(1e3 * shown if shown else float('nan')):>9.3f}{mark:1}{ratio}"
        )
    print(
        "ratio = peer time / jaxmacro time per solve (>1: jaxmacro faster); * = Dynare time from the "
        "fixture file (same machine type), not this run"
    )
    if args.json:
        args.json.write_text(json.dumps(recs, indent=1))
    return recs


if __name__ == "__main__":
    main()
