"""Cold start: wall time of `python -m jaxmacro solve MODEL.mod` in a fresh process (import,
`.mod` import, compile, solve, print), without the compilation cache, with an empty cache (the
first run that fills it) and with a filled cache — beside Dynare 5.3's time to its first
decision rule (`octave-cli --eval "dynare MODEL"`, stoch_simul with irf=0 as in the fixture
files) in the same run when Dynare is installed.

    python benchmarks/bench_cold.py [--reps 3] [--json OUT]
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

from common import REF, dynare_available

MODELS = ("rbc", "two_country_bond", "sgu2003_soe", "fvgq20")


def _wall(cmd, cwd, env):
    t = time.perf_counter()
    p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    dt = time.perf_counter() - t
    if p.returncode != 0:
        sys.stderr.write(p.stderr[-400:])
        return None
    return dt


def jaxmacro_times(mod: pathlib.Path, reps: int) -> dict:
    base = dict(os.environ, JAX_PLATFORMS="cpu")
    base.pop("JAXMACRO_NO_CACHE", None)
    cmd = [sys.executable, "-m", "jaxmacro", "solve", str(mod), "-D", "ORDER=1"]
    with tempfile.TemporaryDirectory() as tmp:
        off = min(_wall(cmd + ["--no-cache"], tmp, base) or float("inf") for _ in range(reps))
        cache = pathlib.Path(tmp) / "xla"
        env = dict(base, JAXMACRO_CACHE_DIR=str(cache))
        filling = _wall(cmd, tmp, env)
        warm = min(_wall(cmd, tmp, env) or float("inf") for _ in range(reps))
    return dict(no_cache=off, cache_first_run=filling, cache_warm=warm)


def dynare_time(mod: pathlib.Path, reps: int) -> float | None:
    if not dynare_available():
        return None
    dyn = next(
        p
        for p in ("/usr/share/dynare/matlab", "/usr/lib/dynare/matlab")
        if pathlib.Path(p).exists()
    )
    best = float("inf")
    for _ in range(reps):
        tmp = tempfile.mkdtemp(prefix="bench_cold_")
        try:
            shutil.copy(mod, tmp)
            script = f"addpath('{dyn}'); dynare {mod.stem} nolog noclearall -DORDER=1;"
            env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
            cmd = ["octave-cli", "--no-history", "--no-gui", "--norc", "--eval", script]
            t = _wall(cmd, tmp, env)
            if t is not None:
                best = min(best, t)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return best if best < float("inf") else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    rows = []
    for name in MODELS:
        mod = REF / name / f"{name}.mod"
        r = dict(model=name, **jaxmacro_times(mod, args.reps), dynare=dynare_time(mod, args.reps))
        rows.append(r)
        d = r["dynare"]
        ratio = f"{r['cache_warm'] / d:.2f}" if d else "—"
        print(
            f"{name:18s} no cache {r['no_cache']:.2f} s | first run (fills cache) "
            f"{r['cache_first_run']:.2f} s | cached {r['cache_warm']:.2f} s | Dynare "
            f"{d if d is None else round(d, 2)} s | cached/Dynare {ratio}",
            flush=True,
        )
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
