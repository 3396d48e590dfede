#!/usr/bin/env python3
"""Run every selected corpus file through ``python -m jaxmacro solve`` (in process) and
write results.json and results.md: per file pass / mismatch / refused / cannot solve, and
why. Needs no Dynare (the references are in ref/).

    PYTHONPATH=. python tests/reference/dynare_testsuite/report.py [--only NAME]
"""
import argparse, contextlib, io, json, os, sys, tempfile, time, warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(os.path.dirname(HERE)))  # tests/
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))  # the checkout


def _cli_in_subprocess(args, err):
    """`python -m jaxmacro ARGS` in a fresh process (its stderr into `err`): its exit status."""
    import subprocess

    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    p = subprocess.run([sys.executable, "-m", "jaxmacro", *args], cwd=ROOT, env=env,
                       capture_output=True, text=True)
    err.write(p.stderr)
    return p.returncode


def run_one(name, orders=(1, 2), subprocess=False):
    """The outcome of one file at each order; `subprocess`: each solve in its own process
    (isolated from the caller's threads and compiled programs, as the slow test runs it)."""
    import modfile_compare
    from jaxmacro.__main__ import main

    ref = json.load(open(os.path.join(HERE, "ref", name + ".json")))
    path = os.path.join(HERE, "mod", name + ".mod")
    out = {}
    for order in orders:
        if order == 2 and ref["order"] < 2:
            continue
        with tempfile.TemporaryDirectory() as d:
            js = os.path.join(d, "dr.json")
            err = io.StringIO()
            t0 = time.time()
            with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()), \
                    warnings.catch_warnings():
                warnings.simplefilter("ignore")
                args = ["solve", path, "--order", str(order), "--json", js]
                status = _cli_in_subprocess(args, err) if subprocess else main(args)
            lines = [ln for ln in err.getvalue().splitlines() if ln.startswith("jaxmacro: error")]
            if status == 0:
                diff = modfile_compare.compare_dr(json.load(open(js)), ref, order)
                res = ("pass", "") if diff is None else ("mismatch", diff)
            else:
                res = ("refused" if status == 2 else "cannot solve",
                       lines[-1][len("jaxmacro: error: "):] if lines else err.getvalue()[-300:])
            why = res[1].replace(ROOT + os.sep, "")  # paths relative to the checkout
            out[f"order{order}"] = {"status": res[0], "why": why,
                                    "seconds": round(time.time() - t0, 1)}
    return out


def main():
    import jax

    jax.config.update("jax_enable_x64", True)
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", action="append", default=[])
    a = ap.parse_args()
    sel = json.load(open(os.path.join(HERE, "selection.json")))
    res_path = os.path.join(HERE, "results.json")
    results = json.load(open(res_path)) if os.path.exists(res_path) and a.only else {}
    names = sorted(n for n, e in sel.items() if e.get("dynare") == "solved")
    for n in names:
        if a.only and n not in a.only and not any(o in n for o in a.only if o not in names):
            continue  # --only: a file's name, or a part of names (that is no file's name)
        results[n] = run_one(n)
        print(n, {k: (v["status"], v["why"][:120]) for k, v in results[n].items()}, flush=True)
        write_json(res_path, results)  # after each file: a long run can be resumed with --only
    write_json(res_path, results)
    write_md(sel, results)


def write_json(path, results):
    with open(path, "w") as f:
        json.dump(dict(sorted(results.items())), f, indent=1)
        f.write("\n")


# A reference is accurate enough for the 1e-6 test when Dynare's steady state solves its static
# model to 1e-8; Dynare accepts steady states up to eps^(1/3) (~6e-6), and a file it solved
# only that loosely is listed and run but not counted (its ys can differ from an exact steady
# state by more than 1e-6, whoever is right).
ACCURATE = 1e-8


def reference_residual(name):
    ref = json.load(open(os.path.join(HERE, "ref", name + ".json")))
    return ref["checks"]["static_residual_max_abs"]


def counts(results):
    """{order1|order2: (passed, total)} over the files with an accurate reference."""
    out = {}
    for k in ("order1", "order2"):
        rows = [r[k] for n, r in results.items() if k in r and reference_residual(n) < ACCURATE]
        out[k] = (sum(x["status"] == "pass" for x in rows), len(rows))
    return out


def write_md(sel, results):
    rows, loose = [], []
    for n, r in sorted(results.items()):
        o2 = r.get("order2", {"status": "-", "why": ""})
        why = r["order1"]["why"] or o2["why"]
        res = reference_residual(n)
        row = (f"| `{sel[n]['source'].split('tests/', 1)[1]}` | {r['order1']['status']} | "
               f"{o2['status']} | {why.replace('|', '/')[:160]} |")
        if res < ACCURATE:
            rows.append(row)
        else:
            loose.append(row[:-1] + f" {res:.1e} |")
    c = counts(results)
    pct = lambda k: (f"{c[k][0]}/{c[k][1]} ({100 * c[k][0] / max(1, c[k][1]):.0f} %)")
    others = [f"| `{e['source'].split('tests/', 1)[1]}` | {e['dynare']} | "
              f"{e.get('why', '').replace('|', '/')[:120]} |"
              for n, e in sorted(sel.items()) if e.get("dynare") != "solved"]
    md = ["# Conformance corpus: Dynare's own test suite", "",
          "Generated by `report.py` (jaxmacro) from the references `regenerate.py` made with "
          "Dynare 5.3. Pass: the decision rules of the declared variables match Dynare's to "
          "1e-6 relative to max(1, |v|). The `.mod` files in `mod/` are copied unedited from "
          "Dynare's `tests/` folder (DynareTeam/dynare, GPL v3 or later; each file's source "
          "is in `selection.json`).", "",
          f"- order 1: {pct('order1')} pass", f"- order 2: {pct('order2')} pass (files Dynare "
          "solved at order >= 2)",
          f"- {len(results)} files selected; {len(loose)} of them are not counted above: "
          "Dynare's steady state solves their static model only to more than 1e-8 (see the "
          "second table)", "",
          "| file | order 1 | order 2 | why (first problem) |", "|---|---|---|---|", *rows, "",
          "## Selected, not counted: Dynare's steady state is not accurate to 1e-8", "",
          "Dynare accepted these steady states (its tolerance is eps^(1/3), about 6e-6); "
          "jaxmacro solves the static model further, so the two steady states, and the rules "
          "around them, can differ by more than the 1e-6 of the test.", "",
          "| file | order 1 | order 2 | why (first problem) | Dynare's static residual |",
          "|---|---|---|---|---|", *loose, "",
          "## Candidates not selected", "",
          "`not solved`: Dynare 5.3 ran the file but its rule fails Dynare's own checks "
          "(Blanchard-Kahn, resol, steady-state residual above eps^(1/3)). `failed`: Dynare "
          "stopped with an error before its stoch_simul finished, ran out of time, or "
          "`regenerate.py` could not collect its rule (the message says which).", "",
          "| file | Dynare | message |", "|---|---|---|", *others, ""]
    with open(os.path.join(HERE, "results.md"), "w") as f:
        f.write("\n".join(md))


if __name__ == "__main__":
    main()
