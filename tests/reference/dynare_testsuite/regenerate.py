#!/usr/bin/env python3
"""Regenerate the Dynare 5.3 reference rules of the conformance corpus (needs Octave and
Dynare; `make test` never runs this).

    python tests/reference/dynare_testsuite/regenerate.py DYNARE_SOURCE/tests [--only NAME]

1. Candidates: every ``.mod`` under Dynare's ``tests/`` that calls ``stoch_simul`` and none
   of the commands that need data, MATLAB helper files or other solvers (see EXCLUDE).
2. Each candidate runs under Dynare (in a copy of its own folder, so helper files it needs
   are there); the files Dynare solves (resol_info 0, Blanchard-Kahn satisfied, static
   residual below Dynare's tolerance eps^(1/3)) are
   *selected*: the ``.mod`` is copied to ``mod/`` and Dynare's final ``oo_.dr`` (the last
   stoch_simul) written to ``ref/`` with the fixture tools of ``tests/reference/tools``.
3. ``selection.json`` lists every candidate with Dynare's verdict.

The file's own MATLAB code after its stoch_simul may fail (it compares with another test's
results, loads a file, ...): the error is caught and recorded (matlab_error_after_stoch_simul),
and the rule is kept only when the file has a single stoch_simul. `--resume --retry-failed`
runs again the candidates not solved before (after a fix of the collection tools).
"""
import argparse, json, os, re, shutil, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOOLS = os.path.join(os.path.dirname(HERE), "tools")
sys.path.insert(0, TOOLS)
import make_fixture  # noqa: E402

EXCLUDE = re.compile(
    r"\b(estimation|identification|dynare_sensitivity|ms_estimation|ms_simulation|sbvar|svar|"
    r"bvar_density|bvar_forecast|ramsey_model|ramsey_policy|planner_objective|osr|"
    r"discretionary_policy|occbin_\w+|method_of_moments|perfect_foresight_\w+|simul|"
    r"calib_smoother|shock_decomposition|realtime_shock_decomposition|"
    r"extended_path|var_model|pac_model|var_expectation_model|trend_component_model|"
    r"external_function|model_replace|model_remove|smoother2histval|"
    r"initval_file|histval_file|load_params_and_steady_state|datafile)\b")
# Dynare's own test of a steady state (options_.solve_tolf, eps^(1/3)): a file whose `steady`
# Dynare accepted is solved, even if its residual is above 1e-8.
DYNARE_TOLF = 2.220446049250313e-16 ** (1 / 3)
STOCH = re.compile(r"^\s*stoch_simul\b", re.M)


def strip_comments(t):
    t = re.sub(r"/\*.*?\*/", "", t, flags=re.S)
    return re.sub(r"(//|%).*", "", t)


def candidates(root):
    out = []
    for d, _, fs in os.walk(root):
        for f in sorted(fs):
            if not f.endswith(".mod"):
                continue
            p = os.path.join(d, f)
            try:
                t = strip_comments(open(p, "rb").read().decode("latin-1"))
            except OSError:
                continue
            if STOCH.search(t) and not EXCLUDE.search(t) and "@#include" not in t:
                out.append(os.path.relpath(p, root))
    return sorted(out)


def run_dynare(root, rel, timeout):
    src_dir = os.path.dirname(os.path.join(root, rel))
    tmp = tempfile.mkdtemp(prefix="dyn_corpus_")
    work = os.path.join(tmp, "w")
    shutil.copytree(src_dir, work, ignore=shutil.ignore_patterns("*.mat", "+*", "*.log"))
    model = os.path.splitext(os.path.basename(rel))[0]
    raw = os.path.join(tmp, "raw.json")
    oct_dir = os.path.join(TOOLS, "octave")
    # The file's own MATLAB code after stoch_simul sometimes fails (it compares with the
    # results of another test, plots, ...): the error is caught and recorded, and oo_.dr is
    # kept if the file has a single stoch_simul (then it is that one's rule).
    script = (f"addpath('{oct_dir}'); dyn_err = ''; try; dynare {model} nolog noclearall "
              "nograph; catch e; dyn_err = e.message; end; "
              "if ~isempty(dyn_err) && ~(exist('oo_', 'var') && isfield(oo_, 'dr') && "
              "isfield(oo_.dr, 'ghx')); error(['dynare: ' dyn_err]); end; "
              "if ~exist('var_list_', 'var'); var_list_ = {}; end; "
              f"X = fx_collect(M_, oo_, options_, var_list_, 0, 0); X.dynare_error = dyn_err; "
              f"fx_write_json(X, '{raw}');")
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    try:
        p = subprocess.run(["octave-cli", "--no-history", "--no-gui", "--norc", "--eval", script],
                           cwd=work, capture_output=True, text=True, env=env, timeout=timeout)
        ok = p.returncode == 0 and os.path.exists(raw)
        why = "" if ok else (p.stderr.strip().splitlines() or ["octave failed"])[-1][:200]
        X = json.load(open(raw)) if ok else None
    except subprocess.TimeoutExpired:
        X, why = None, f"timeout {timeout}s"
    shutil.rmtree(tmp, ignore_errors=True)
    if X is not None and X.get("dynare_error"):
        n_stoch = len(STOCH.findall(strip_comments(open(os.path.join(root, rel), "rb").read()
                                                   .decode("latin-1"))))
        if n_stoch != 1:
            X, why = None, f"error after stoch_simul ({n_stoch} in file): {X['dynare_error']}"
    return X, why


def flat(rel):
    return rel[:-4].replace(os.sep, "__")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("root", help="Dynare's tests/ folder")
    ap.add_argument("--only", action="append", default=[])
    ap.add_argument("--timeout", type=int, default=120)
    ap.add_argument("--resume", action="store_true", help="skip files already in selection.json")
    ap.add_argument("--retry-failed", action="store_true",
                    help="with --resume: run again the files Dynare did not solve")
    a = ap.parse_args()
    sel_path = os.path.join(HERE, "selection.json")
    sel = json.load(open(sel_path)) if os.path.exists(sel_path) else {}
    os.makedirs(os.path.join(HERE, "mod"), exist_ok=True)
    os.makedirs(os.path.join(HERE, "ref"), exist_ok=True)
    for rel in candidates(a.root):
        if a.only and not any(o in rel for o in a.only):
            continue
        if a.resume and flat(rel) in sel and not (
                a.retry_failed and sel[flat(rel)].get("dynare") != "solved"):
            continue
        X, why = run_dynare(a.root, rel, a.timeout)
        entry = {"source": "DynareTeam/dynare tests/" + rel}
        out = None
        if X is not None:
            order = int(X["order"])
            if order >= 2 and "ghxx" not in X:  # k_order_solver output only (order >= 3)
                X["order"] = 1
            try:
                out = make_fixture.build(X, f"dynare {os.path.basename(rel)[:-4]} nolog "
                                         "noclearall", f"Dynare test suite tests/{rel}: final "
                                         "oo_.dr")
                out["dynare_order"] = order
            except Exception as e:  # noqa: BLE001 - recorded in selection.json
                X, why = None, f"fixture: {type(e).__name__}: {e}"[:200]
        if X is not None and out is not None:
            c = out["checks"]
            ok = c["blanchard_kahn_satisfied"] and c["resol_info"] == 0 \
                and c["static_residual_max_abs"] < DYNARE_TOLF
            entry.update(dynare="solved" if ok else "not solved", order=out["order"])
            if not ok:
                entry["why"] = (f"Blanchard-Kahn {'satisfied' if c['blanchard_kahn_satisfied'] else 'violated'}"
                                f", resol info {c['resol_info']}, static residual "
                                f"{c['static_residual_max_abs']:.1e}")
            if X.get("dynare_error"):
                entry["matlab_error_after_stoch_simul"] = str(X["dynare_error"])[:200]
            if ok:
                shutil.copy(os.path.join(a.root, rel), os.path.join(HERE, "mod", flat(rel) + ".mod"))
                keep = {k: out[k] for k in ("model", "dynare_version", "order", "dynare_order",
                        "endo_names",
                        "orig_endo_nbr", "exo_names", "ys", "order_var", "state_var", "ghx",
                        "ghu", "ghxx", "ghxu", "ghuu", "ghs2", "checks") if k in out}
                with open(os.path.join(HERE, "ref", flat(rel) + ".json"), "w") as f:
                    f.write(make_fixture.dumps(keep) + "\n")
        else:
            entry.update(dynare="failed", why=why)
        sel[flat(rel)] = entry
        print(flat(rel), entry.get("dynare"), entry.get("why", ""), flush=True)
        with open(sel_path, "w") as f:
            json.dump(dict(sorted(sel.items())), f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
