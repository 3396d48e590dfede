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
import shutil
import subprocess
import sys
import tempfile
import time

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

import jaxmacro as jm  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
REF = ROOT / "tests" / "reference"


def best_time(fn, *args, repeats=20, inner=1):
    jax.block_until_ready(fn(*args))  # compile + warm up
    best = np.inf
    for _ in range(repeats):
        t = time.perf_counter()
        for _ in range(inner):
            out = fn(*args)
        jax.block_until_ready(out)
        best = min(best, (time.perf_counter() - t) / inner)
    return best


def record(name, model, order, batch, seconds, peer=None, peer_seconds=None, **extra):
    per = seconds / batch
    r = dict(name=name, model=model, order=order, batch=batch, seconds_per_solve=per,
             solves_per_second=1.0 / per, peer=peer, peer_seconds_per_solve=peer_seconds)
    r.update(extra)
    return r


# ------------------------------------------------------------------------- Dynare
def dynare_available() -> bool:
    if shutil.which("octave-cli") is None:
        return False
    return any(pathlib.Path(p).exists() for p in ("/usr/share/dynare/matlab", "/usr/lib/dynare/matlab"))


def dynare_resol_seconds(mod: pathlib.Path, order: int, reps: int) -> float | None:
    """Min wall time of Dynare's resol(0, ...) (steady state + perturbation) over `reps` calls."""
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="bench_dynare_"))
    try:
        shutil.copy(mod, tmp)
        name = mod.stem
        dyn = next(p for p in ("/usr/share/dynare/matlab", "/usr/lib/dynare/matlab") if pathlib.Path(p).exists())
        script = (
            f"addpath('{dyn}'); dynare {name} nolog noclearall -DORDER={order}; "
            f"t = inf; for i = 1:{reps + 1}; tic; [dr, info] = resol(0, M_, options_, oo_); "
            f"e = toc; if i > 1, t = min(t, e); end; end; printf('RESOL_SECONDS %.9g\\n', t);"
        )
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
        p = subprocess.run(["octave-cli", "--no-history", "--no-gui", "--norc", "--eval", script],
                           cwd=tmp, capture_output=True, text=True, env=env, timeout=600)
        for line in p.stdout.splitlines():
            if line.startswith("RESOL_SECONDS"):
                return float(line.split()[1])
        sys.stderr.write(f"dynare run failed for {name}: {p.stderr[-500:]}\n")
        return None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def fixture_peer(model: str, order: int):
    """Dynare's recorded resol min (ms) from the fixture, used when Dynare is not installed."""
    f = REF / model / f"dr_order{order}.json"
    if not f.exists():
        return None
    return json.loads(f.read_text())["timing_ms"]["resol"]["min"] / 1e3


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
            return jm.moments(jm.solve(m, theta, throw=False)).std[0]

        theta0 = model.param_vector()
        fg = jax.jit(jax.grad(moment))
        t = best_time(fg, theta0, repeats=reps, inner=10)
        recs.append(record("order1_grad_moment", mname, 1, 1, t, peer, peer_s))
        fm = jax.jit(moment)
        t = best_time(fm, theta0, repeats=reps, inner=10)
        recs.append(record("order1_moment", mname, 1, 1, t, peer, peer_s))
    return recs


def extra_suites(quick: bool) -> list[dict]:
    """Suites contributed by other modules of benchmarks/ (order 2, portfolios, ...)."""
    recs = []
    for path in sorted(pathlib.Path(__file__).parent.glob("_*.py")):
        spec = importlib.util.spec_from_file_location(path.stem, path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        if hasattr(mod, "records"):
            try:
                recs += mod.records(quick)
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
    print(f"# jaxmacro benchmarks, {time.strftime('%Y-%m-%d')}, {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cpus, jax {jax.__version__}, devices {jax.devices()}; dynare: "
          f"{'running in this script' if use_dynare else 'not installed (fixture times shown for reference)'}")
    recs = order1_records(args.quick, use_dynare)
    if not args.only_order1:
        recs += extra_suites(args.quick)
    hdr = f"{'name':<26}{'model':<18}{'ord':>4}{'batch':>7}{'ms/solve':>12}{'solves/s':>12}{'peer ms':>10}{'ratio':>9}"
    print(hdr)
    for r in recs:
        peer_s = r["peer_seconds_per_solve"]
        shown = peer_s if peer_s else fixture_peer(r["model"], r["order"])
        ratio = f"{shown / r['seconds_per_solve']:8.1f}x" if shown else ""
        mark = "" if peer_s else ("*" if shown else "")
        print(f"{r['name']:<26}{r['model']:<18}{r['order']:>4}{r['batch']:>7}"
              f"{1e3 * r['seconds_per_solve']:>12.4f}{r['solves_per_second']:>12.0f}"
              f"{(1e3 * shown if shown else float('nan')):>9.3f}{mark:1}{ratio}")
    print("ratio = peer time / jaxmacro time per solve (>1: jaxmacro faster); * = Dynare time from the "
          "fixture file (same machine type), not this run")
    if args.json:
        args.json.write_text(json.dumps(recs, indent=1))
    return recs


if __name__ == "__main__":
    main()
