#!/usr/bin/env python3
"""Write the Dynare 5.3 order-3 fixtures of this folder (provenance; tests do not run this).

Usage (needs Dynare 5.3 + Octave, e.g. Debian `apt-get install dynare octave`):

    python3 make_order3.py            # all models below
    python3 make_order3.py rbc        # one model

For each model it copies <model>/<model>.mod to a scratch folder, runs

    octave-cli --no-history --no-gui --norc --eval "dynare <model> nolog noclearall; ..."

then calls o3_collect.m (same Octave session) and writes <model>/dr_order3.json.
It also compares the lower-order blocks with the existing fixtures ../<model>/dr_order{1,2}.json.
"""
import json, os, shutil, subprocess, sys, tempfile, datetime

HERE = os.path.dirname(os.path.abspath(__file__))
REF = os.path.dirname(HERE)
MODELS = {
    "rbc": "Stochastic growth model, log utility (copy of ../rbc/rbc.mod, stoch_simul order=3).",
    "lucas_trees_ds": "Two-country Lucas trees, Devereux-Sutherland first stage, calibration 1 "
                      "(copy of ../lucas_trees_ds/lucas_trees_ds.mod, stoch_simul order=3). Has one unit root.",
}
MAT = ["ghx", "ghu", "ghxx", "ghxu", "ghuu", "ghxxx", "ghxxu", "ghxuu", "ghuuu", "ghxss", "ghuss"]


def lst(v):
    return v if isinstance(v, list) else [v]


def mat(v, nr, nc):
    """Normalise the Octave encoder's output to nr rows of nc floats."""
    v = lst(v)
    if nr == 1 and all(not isinstance(x, list) for x in v):
        out = [list(map(float, v))]
    elif nc == 1 and all(not isinstance(x, list) for x in v):
        out = [[float(x)] for x in v]
    else:
        out = [list(map(float, lst(r))) for r in v]
    assert len(out) == nr and all(len(r) == nc for r in out), (nr, nc)
    return out


def vec(v):
    return [float(r[0]) if isinstance(r, list) else float(r) for r in lst(v)]


def dumps(o, ind=0):
    """JSON with one matrix row (or short list) per line (as ../tools/make_fixture.py)."""
    sp = " " * ind
    if isinstance(o, dict):
        items = [f'{sp} {json.dumps(k)}: {dumps(v, ind + 1).lstrip()}' for k, v in o.items()]
        return sp + "{\n" + ",\n".join(items) + "\n" + sp + "}"
    if isinstance(o, list):
        if all(not isinstance(x, (list, dict)) for x in o):
            return sp + "[" + ", ".join(json.dumps(x) for x in o) + "]"
        return sp + "[\n" + ",\n".join(dumps(x, ind + 1) for x in o) + "\n" + sp + "]"
    return sp + json.dumps(o)


def run_octave(model):
    tmp = tempfile.mkdtemp(prefix=f"o3_{model}_")
    shutil.copy(os.path.join(HERE, model, model + ".mod"), tmp)
    raw = os.path.join(tmp, "raw.json")
    script = (f"addpath('{HERE}'); addpath('{os.path.join(os.path.dirname(HERE), 'tools', 'octave')}'); dynare {model} nolog noclearall; "
              f"X = o3_collect(M_, oo_, options_); fx_write_json(X, '{raw}');")
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    p = subprocess.run(["octave-cli", "--no-history", "--no-gui", "--norc", "--eval", script],
                       cwd=tmp, capture_output=True, text=True, env=env)
    if p.returncode != 0 or not os.path.exists(raw):
        sys.stderr.write(p.stdout[-6000:] + "\n" + p.stderr[-6000:])
        raise SystemExit(f"FAILED {model}")
    X = json.load(open(raw))
    shutil.rmtree(tmp, ignore_errors=True)
    return X, script, raw


def build(model, X, script, tmpraw):
    names = lst(X["endo_names"]); exo = lst(X["exo_names"])
    n, ne = len(names), len(exo)
    ov = [int(i) for i in lst(X["order_var"])]
    sv = [int(i) for i in lst(X["state_var"])]
    ns = len(sv)
    cols = {"ghx": ns, "ghu": ne, "ghxx": ns**2, "ghxu": ns * ne, "ghuu": ne**2,
            "ghxxx": ns**3, "ghxxu": ns * ns * ne, "ghxuu": ns * ne * ne, "ghuuu": ne**3,
            "ghxss": ns, "ghuss": ne}
    out = {
        "model": model,
        "description": MODELS[model],
        "dynare_version": X["dynare_version"],
        "octave_version": X["octave_version"],
        "order": int(X["order"]),
        "k_order_solver": bool(X["k_order_solver"]),
        "endo_names": names,
        "orig_endo_nbr": int(X["orig_endo_nbr"]),
        "n_aux_vars": int(X["n_aux_vars"]),
        "exo_names": exo,
        "param_names": lst(X["param_names"]),
        "params": vec(X["params"]),
        "Sigma_e": mat(X["Sigma_e"], ne, ne),
        "ys": vec(X["ys"]),
        "order_var": [names[i - 1] for i in ov],
        "order_var_index": ov,
        "inv_order_var_index": [int(i) for i in lst(X["inv_order_var"])],
        "state_var": [names[i - 1] for i in sv],
        "state_var_index": sv,
        "nstatic": int(X["nstatic"]), "npred": int(X["npred"]), "nboth": int(X["nboth"]),
        "nfwrd": int(X["nfwrd"]), "nspred": int(X["nspred"]), "nsfwrd": int(X["nsfwrd"]),
        "maximum_lag": int(X["maximum_lag"]), "maximum_lead": int(X["maximum_lead"]),
    }
    for k in MAT:
        out[k] = mat(X[k], n, cols[k])
        if k == "ghuu":
            out["ghs2"] = vec(X["ghs2"])
            assert len(out["ghs2"]) == n
    out["rule"] = ("y[order_var] = ys[order_var] + ghx x + ghu u + 1/2 (ghxx x⊗x + 2 ghxu x⊗u + ghuu u⊗u + ghs2)"
                   " + 1/6 (ghxxx x⊗x⊗x + 3 ghxxu x⊗x⊗u + 3 ghxuu x⊗u⊗u + ghuuu u⊗u⊗u)"
                   " + 1/2 (ghxss x + ghuss u);  x = y_{t-1}[state_var] - ys[state_var], sigma = 1")
    sp = X["simult_point"]
    out["simult_point"] = {
        "description": "One step of Dynare's own order-3 simulator (simult_ -> dynare_simul_, no pruning, "
                       "sigma = 1): from y_{t-1} = ys + x on the state_var (x in state_var order) with shock u "
                       "(exo_names order); y_next is y_t in declaration order (levels).",
        "x": vec(sp["x"]), "u": vec(sp["u"]), "y_next": vec(sp["y_next"])}
    out["checks"] = X["checks"]
    out["generated_by"] = (f'octave-cli --no-history --no-gui --norc --eval "{script}" '
                           f'(via tests/reference/order3/make_order3.py, run in a scratch copy, '
                           f'OPENBLAS_NUM_THREADS=1)').replace(HERE, "<order3>").replace(
                               os.path.dirname(tmpraw), "<scratch>")
    out["generated_on"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return out


def maxdiff(a, b):
    import numpy as np
    a, b = np.asarray(a, float), np.asarray(b, float)
    assert a.shape == b.shape, (a.shape, b.shape)
    return float(np.max(np.abs(a - b))) if a.size else 0.0


def compare(model, out):
    """Max abs differences with the existing lower-order fixtures (same names/order required)."""
    res = {}
    for fn, keys in (("dr_order2.json", ["ys", "ghx", "ghu", "ghxx", "ghxu", "ghuu", "ghs2"]),
                     ("dr_order1.json", ["ys", "ghx", "ghu"])):
        p = os.path.join(REF, model, fn)
        if not os.path.exists(p):
            continue
        d = json.load(open(p))
        for k in ("endo_names", "order_var", "state_var", "exo_names"):
            assert d[k] == out[k], (fn, k)
        res[fn] = {k: maxdiff(out[k], d[k]) for k in keys}
    return res


def main():
    models = sys.argv[1:] or list(MODELS)
    report = {}
    for m in models:
        X, script, raw = run_octave(m)
        out = build(m, X, script, raw)
        out["checks"]["existing_fixture_max_abs_diff"] = compare(m, out)
        with open(os.path.join(HERE, m, "dr_order3.json"), "w") as f:
            f.write(dumps(out) + "\n")
        report[m] = out["checks"]
        print(m, json.dumps(out["checks"], indent=1))
    return report


if __name__ == "__main__":
    main()
