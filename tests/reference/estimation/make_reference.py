"""Write the estimation reference: simulated data (CSV) and Dynare 5.3's log-likelihood (JSON).

    PYTHONPATH=. python tests/reference/estimation/make_reference.py [--data] [--dynare]

--data simulates the two data sets with jaxmacro (fixed seeds) and writes the CSV files;
--dynare runs each .mod under Dynare (octave-cli) twice — with Dynare's default Kalman filter
(riccati_tol = 1e-6: switches to the steady-state gain once it has converged) and with the
exact filter (riccati_tol = -1: never switches) — and writes loglik.json with
oo_.likelihood_at_initial_parameters (minus the log-likelihood, ML form, lik_init=1).
The tests read only the committed CSV and JSON files; they never run Dynare.
"""

import argparse
import json
import os
import pathlib
import shutil
import subprocess
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
CASES = {
    # name: (mod file, observables, measurement-error std (None: none), periods, seed, missing)
    "rbc": ("rbc_est.mod", ["y"], None, 120, 11, []),
    "two_country_bond": ("two_country_bond_est.mod", ["y1", "c2", "nx1", "inv1"],
                         [0.002, 0.001, 0.003, 0.0015], 150, 12,
                         [(5, 0), (6, 0), (6, 1), (6, 2), (6, 3), (40, 2), (41, 2), (90, 1)]),
}


def write_data():
    import jax
    import numpy as np

    jax.config.update("jax_enable_x64", True)
    import jaxmacro as jm

    models = {"rbc": jm.models.rbc(), "two_country_bond": jm.models.two_country_bond()}
    for name, (_, obs, me, T, seed, missing) in CASES.items():
        sol = jm.solve(models[name])
        sim = jm.simulate(sol, jax.random.PRNGKey(seed), periods=T, burn=200)
        Y = np.stack([np.asarray(sim[v]) for v in obs], axis=1)
        if me is not None:
            Y = Y + np.random.default_rng(seed).normal(size=Y.shape) * np.asarray(me)
        for t, j in missing:
            Y[t, j] = np.nan
        with open(HERE / f"{name}.csv", "w") as f:
            f.write(",".join(obs) + "\n")
            for row in Y:
                f.write(",".join("NaN" if not np.isfinite(x) else repr(float(x)) for x in row) + "\n")


def run_dynare(mod: str, riccati: str) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        for f in HERE.iterdir():
            if f.suffix in (".mod", ".csv"):
                shutil.copy(f, tmp)
        model = mod.removesuffix(".mod")
        script = (f"dynare {model} nolog noclearall -DRICCATI={riccati}; "
                  "printf('LOGLIK %.17g\\n', -oo_.likelihood_at_initial_parameters);")
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
        p = subprocess.run(["octave-cli", "--no-history", "--no-gui", "--norc", "--eval", script],
                           cwd=tmp, env=env, capture_output=True, text=True, timeout=600)
        for line in p.stdout.splitlines():
            if line.startswith("LOGLIK "):
                return float(line.split()[1])
        raise RuntimeError(f"Dynare failed on {mod}:\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}")


def write_loglik():
    out = {}
    for name, (mod, obs, me, T, seed, missing) in CASES.items():
        out[name] = {
            "mod": mod, "data": f"{name}.csv", "observables": obs, "measurement_error_std": me,
            "loglik_exact_filter": run_dynare(mod, "-1"),
            "loglik_dynare_default": run_dynare(mod, "1e-6"),
            "generated_by": "Dynare 5.3 (Debian dynare 5.3-1), Octave, estimation(mode_compute=0, "
                            "lik_init=1), oo_.likelihood_at_initial_parameters; riccati_tol -1 "
                            "(exact filter) and 1e-6 (Dynare's default)",
        }
    (HERE / "loglik.json").write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", action="store_true")
    ap.add_argument("--dynare", action="store_true")
    a = ap.parse_args()
    if a.data:
        write_data()
    if a.dynare:
        write_loglik()
