"""Helpers shared by the benchmark suites: timing and Dynare 5.3 (Octave) in the same run."""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

import jax
import numpy as np

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
    r = dict(
        name=name,
        model=model,
        order=order,
        batch=batch,
        seconds_per_solve=per,
        solves_per_second=1.0 / per,
        peer=peer,
        peer_seconds_per_solve=peer_seconds,
    )
    r.update(extra)
    return r


# ------------------------------------------------------------------------- Dynare
def dynare_available() -> bool:
    if shutil.which("octave-cli") is None:
        return False
    return any(
        pathlib.Path(p).exists() for p in ("/usr/share/dynare/matlab", "/usr/lib/dynare/matlab")
    )


def dynare_resol_seconds(mod: pathlib.Path, order: int, reps: int) -> float | None:
    """Min wall time of Dynare's resol(0, ...) (steady state + perturbation) over `reps` calls."""
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="bench_dynare_"))
    try:
        shutil.copy(mod, tmp)
        name = mod.stem
        dyn = next(
            p
            for p in ("/usr/share/dynare/matlab", "/usr/lib/dynare/matlab")
            if pathlib.Path(p).exists()
        )
        script = (
            f"addpath('{dyn}'); dynare {name} nolog noclearall -DORDER={order}; "
            f"t = inf; for i = 1:{reps + 1}; tic; [dr, info] = resol(0, M_, options_, oo_); "
            f"e = toc; if i > 1, t = min(t, e); end; end; printf('RESOL_SECONDS %.9g\\n', t);"
        )
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
        p = subprocess.run(
            ["octave-cli", "--no-history", "--no-gui", "--norc", "--eval", script],
            cwd=tmp,
            capture_output=True,
            text=True,
            env=env,
            timeout=600,
        )
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
