"""Command line: ``python -m jaxmacro solve MODEL.mod --order {1,2} [--json OUT.json] ...``,
``check``, ``portfolio``, and for a file with ``varobs``/``estimated_params``/``estimation``
``loglik MODEL.mod [--data FILE.csv] [--json OUT]`` (log-likelihood at the initial values,
JSON key ``loglik``) and ``estimate MODEL.mod [...]`` (posterior mode or maximum likelihood,
JSON keys ``estimates`` and ``std_errors``).

Imports a Dynare `.mod` file (see [`jaxmacro.compat.load_mod`][]), solves it, prints a
readable summary (steady state, Blanchard-Kahn check, decision rules) and optionally writes
the decision rules as JSON in Dynare's layout: the keys ``ys``, ``order_var``,
``state_var``, ``ghx``, ``ghu`` (and at order 2 ``ghxx``, ``ghxu``, ``ghuu``, ``ghs2``),
``endo_names`` and ``exo_names``.

Exit status: 0 on success; 1 when the model cannot be solved (no steady state, Blanchard-Kahn
failure, ...); 2 for usage errors and files that cannot be imported (parse errors). The reason
is one line on standard error.

This is a program, not the library: it turns on float64 for itself
(``jax_enable_x64``), as Dynare computes in double precision, and JAX's on-disk compilation
cache (``~/.cache/jaxmacro/xla``; ``$JAXMACRO_CACHE_DIR`` moves it, ``--no-cache`` or
``JAXMACRO_NO_CACHE=1`` turns it off), so a second run of the same model skips compilation.
Except for ``estimate``, which runs its programs many times, it also compiles with XLA's backend
optimisation off (``jaxmacro._cache.FAST_COMPILE_XLA_FLAGS``: ~4x cheaper compiles, code up to
~2x slower); ``JAXMACRO_XLA_DEFAULTS=1`` keeps XLA's defaults.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np

EXIT_UNSOLVED = 1
EXIT_INPUT = 2


class _Failure(Exception):
    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


def _model_arguments(sp, params_help="replace the file's value of a parameter (repeatable)"):
    """The arguments every subcommand shares: the file, -D and --param."""
    sp.add_argument("model", metavar="MODEL.mod", help="the Dynare model file")
    sp.add_argument(
        "-D",
        dest="defines",
        metavar="NAME=VALUE",
        action="append",
        default=[],
        help="define a macro variable, as Dynare's -D (repeatable)",
    )
    sp.add_argument(
        "--param",
        dest="params",
        metavar="NAME=VALUE",
        action="append",
        default=[],
        help=params_help,
    )
    sp.add_argument(
        "--no-cache",
        action="store_true",
        help="do not use the on-disk compilation cache (also: JAXMACRO_NO_CACHE=1)",
    )


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="jaxmacro",
        description="JAX-accelerated, differentiable perturbation solver for DSGE models.",
    )
    sub = ap.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sp = sub.add_parser(
        "solve",
        help="import a Dynare .mod file, solve it and print (or write) the decision rules",
        description="Import a Dynare .mod file, solve it by perturbation and print the "
        "steady state, the Blanchard-Kahn check and the decision rules.",
    )
    _model_arguments(
        sp,
        "replace the file's value of a parameter (repeatable); "
        "parameters the file derives from it follow",
    )
    sp.add_argument(
        "--order",
        type=int,
        choices=(1, 2),
        default=None,
        help="approximation order (default: the order of the file's last "
        "stoch_simul, 2 if it gives none, as in Dynare; 1 without stoch_simul; "
        "orders above 2 are solved at order 2)",
    )
    sp.add_argument(
        "--json",
        metavar="OUT.json",
        default=None,
        help="write the decision rules in Dynare's layout to this file",
    )
    sp.add_argument("--quiet", "-q", action="store_true", help="print nothing on success")
    cp = sub.add_parser(
        "check",
        help="report what was imported from a .mod file, what was skipped and why, the "
        "steady-state residuals and the Blanchard-Kahn check",
        description="Import a Dynare .mod file and report: the statements parsed and skipped "
        "(and why), the steady state and its residuals, and the Blanchard-Kahn condition.",
    )
    _model_arguments(cp)
    cp.add_argument("--quiet", "-q", action="store_true", help=argparse.SUPPRESS)
    pp = sub.add_parser(
        "portfolio",
        help="Devereux-Sutherland zero-order portfolio of a first-stage DS .mod file",
        description="Solve the model at order 1 and print the Devereux-Sutherland portfolio "
        "alpha_tilde = (R2 S D2' R1' - R2 S R2' D1)^-1 R2 S D2' with R1, R2, D1, D2.",
    )
    _model_arguments(pp, "override a parameter value")
    pp.add_argument(
        "--excess-returns", nargs="+", required=True, metavar="RX", help="excess-return variable(s)"
    )
    pp.add_argument(
        "--differential",
        required=True,
        metavar="D",
        help="marginal-utility (consumption) differential variable",
    )
    pp.add_argument(
        "--xi", required=True, metavar="ZETA", help="zero-variance portfolio-income shock"
    )
    pp.add_argument(
        "--json", metavar="OUT.json", default=None, help="write alpha_tilde, R1, R2, D1, D2 as JSON"
    )
    pp.add_argument("--quiet", "-q", action="store_true", help="print nothing on success")
    lp = sub.add_parser(
        "loglik",
        help="log-likelihood of the data at the initial values of estimated_params",
        description="Import a .mod file with varobs, estimated_params and estimation(...), "
        "and evaluate the Kalman-filter log-likelihood (and log prior) at the initial values "
        "of the estimated parameters.",
    )
    ep = sub.add_parser(
        "estimate",
        help="posterior mode (maximum likelihood without priors) of a .mod file's estimation",
        description="Import a .mod file with varobs, estimated_params and estimation(...), "
        "and find the posterior mode (maximum likelihood when estimated_params gives no "
        "priors) with standard errors from the Hessian at the mode.",
    )
    for p in (lp, ep):
        _model_arguments(p)
        p.add_argument(
            "--data",
            metavar="FILE.csv",
            default=None,
            help="the data (a CSV file with a header row of observed variable names; "
            "default: estimation(datafile=...), relative to the .mod file's folder)",
        )
        p.add_argument("--json", metavar="OUT.json", default=None, help="write the results as JSON")
        p.add_argument("--quiet", "-q", action="store_true", help="print nothing on success")
    ep.add_argument(
        "--max-steps",
        type=int,
        default=300,
        help="iterations of the L-BFGS optimiser (default 300)",
    )
    return ap


def _parse_params(items) -> dict[str, float]:
    out = {}
    for item in items:
        name, eq, value = item.partition("=")
        if not eq:
            raise _Failure(f"--param {item}: expected NAME=VALUE", EXIT_INPUT)
        try:
            v = float(value)
        except ValueError:
            raise _Failure(f"--param {item}: {value!r} is not a number", EXIT_INPUT) from None
        if not np.isfinite(v):
            raise _Failure(f"--param {item}: the value must be finite", EXIT_INPUT)
        out[name.strip()] = v
    return out


def _fmt_table(row_names, col_names, M, width=12, prec=6) -> list[str]:
    w = max([len(r) for r in row_names] + [4])
    lines = [" " * (w + 2) + "".join(f"{c:>{width}}" for c in col_names)]
    for r, row in zip(row_names, M):
        lines.append(f"  {r:<{w}}" + "".join(f"{x:>{width}.{prec}f}" for x in row))
    return lines


def summary(solution, dr: dict) -> str:
    """Readable report: steady state, Blanchard-Kahn check and the decision rules.

    The table follows Dynare's "POLICY AND TRANSITION FUNCTIONS": one column per variable,
    one row per term of the rule y_t = ys + ghx x + ghu u (+ order-2 terms, printed as the
    coefficients of the polynomial: ½·ghxx on squares, ghxx on cross products, ½·ghs2 in the
    constant).
    """
    model = solution.model
    names = dr["endo_names"]
    ov = dr["order_var"]
    sv = dr["state_var"]
    ex = dr["exo_names"]
    lines = [
        f"MODEL {model.name}: {len(names)} endogenous variables "
        f"({sum(n.startswith('AUX_') for n in names)} auxiliary), "
        f"{len(sv)} states, {len(ex)} shocks, order {solution.order}",
        "",
        "STEADY STATE",
    ]
    w = max(len(n) for n in names)
    for n, v in zip(names, dr["ys"]):
        lines.append(f"  {n:<{w}}  {v: .10g}")
    n_stable = int(solution.n_stable)
    ns, nf = len(sv), solution.n_forward
    ok = n_stable == ns
    lines += [
        "",
        "BLANCHARD-KAHN",
        f"  {n_stable} eigenvalue(s) with modulus <= qz_criterium for {ns} state "
        f"variable(s); {nf} forward-looking variable(s): "
        + ("rank condition verified" if ok else "condition FAILS"),
    ]
    ev = solution.eigenvalues()
    if ev.size:
        lines.append("  moduli of the stable eigenvalues: " + " ".join(f"{abs(e):.6f}" for e in ev))
    # decision-rule table, columns in declaration order
    row_of = {v: i for i, v in enumerate(ov)}
    cols = names
    pick = [row_of[c] for c in cols]
    ys = np.asarray(dr["ys"])
    const = ys.copy()
    if solution.order >= 2:
        const = ys + 0.5 * np.asarray(dr["ghs2"])[pick]
    rows, data = ["constant"], [const]
    ghx, ghu = np.asarray(dr["ghx"])[pick], np.asarray(dr["ghu"])[pick]
    for j, s in enumerate(sv):
        rows.append(f"{s}(-1)")
        data.append(ghx[:, j])
    for k, e in enumerate(ex):
        rows.append(e)
        data.append(ghu[:, k])
    if solution.order >= 2:
        ghxx = np.asarray(dr["ghxx"])[pick]
        ghxu = np.asarray(dr["ghxu"])[pick]
        ghuu = np.asarray(dr["ghuu"])[pick]
        n_s, n_e = len(sv), len(ex)
        for i in range(n_s):
            for j in range(i, n_s):
                c = 0.5 * ghxx[:, i * n_s + j] if i == j else ghxx[:, i * n_s + j]
                rows.append(f"{sv[i]}(-1),{sv[j]}(-1)")
                data.append(c)
        for i in range(n_s):
            for k in range(n_e):
                rows.append(f"{sv[i]}(-1),{ex[k]}")
                data.append(ghxu[:, i * n_e + k])
        for k in range(n_e):
            for m in range(k, n_e):
                c = 0.5 * ghuu[:, k * n_e + m] if k == m else ghuu[:, k * n_e + m]
                rows.append(f"{ex[k]},{ex[m]}")
                data.append(c)
    lines += [
        "",
        "POLICY AND TRANSITION FUNCTIONS (levels; states are deviations from the "
        "steady state at t-1)",
    ]
    width = max(12, max(len(c) for c in cols) + 2)
    per = max(1, 96 // width)
    D = np.stack(data)  # rows x variables
    D = np.where(np.abs(D) < 5e-7, 0.0, D)  # no "-0.000000"
    for start in range(0, len(cols), per):
        sl = slice(start, start + per)
        lines += _fmt_table(rows, cols[sl], D[:, sl], width=width)
        lines.append("")
    return "\n".join(lines).rstrip()


def _warn(args, messages):
    if getattr(args, "quiet", False):
        return
    for m in messages:
        print(f"jaxmacro: warning: {_one_line(m)}", file=sys.stderr)


def _parse(args, for_estimation=False):
    """Parse the file named on the command line: (ModFile, parameter overrides, warnings)."""
    from jaxmacro.compat import ModError
    from jaxmacro.compat._load import parse_mod_file
    from jaxmacro.compat._macro import parse_define

    defines = {}
    for item in args.defines:
        try:
            k, v = parse_define(item)
        except ValueError as e:
            raise _Failure(str(e), EXIT_INPUT) from None
        defines[k] = v
    params = _parse_params(args.params)
    try:
        mod, notes = parse_mod_file(args.model, defines=defines, for_estimation=for_estimation)
    except OSError as e:
        raise _Failure(f"cannot read {args.model}: {e.strerror or e}", EXIT_INPUT) from None
    except ModError as e:
        raise _Failure(f"parse error: {e}", EXIT_INPUT) from None
    unknown = [k for k in params if k not in mod.parameters]
    if unknown:
        raise _Failure(
            f"--param: unknown parameter {unknown[0]!r} (declared: {', '.join(mod.parameters)})",
            EXIT_INPUT,
        )
    return mod, params, notes


def _load(args, keep_notes=None):
    """Parse and build the model named on the command line: (ModFile, Model). Warnings go to
    standard error (or into the list `keep_notes`)."""
    from jaxmacro.compat import ModError, build_model

    mod, params, notes = _parse(args)
    try:
        model, more = build_model(mod, params, return_warnings=True)
    except ModError as e:
        raise _Failure(f"parse error: {e}", EXIT_INPUT) from None
    except ValueError as e:
        raise _Failure(f"cannot build the model: {_one_line(e)}", EXIT_UNSOLVED) from None
    if keep_notes is not None:
        keep_notes.extend(notes + more)
    else:
        _warn(args, notes + more)
    return mod, model


def _portfolio(args) -> int:
    import jax

    jax.config.update("jax_enable_x64", True)
    import jaxmacro as jm

    mod, model = _load(args)
    kw = _qz_option(args, mod)
    try:
        ps = jm.portfolio(
            model,
            excess_returns=tuple(args.excess_returns),
            mu_differential=args.differential,
            xi_shocks=(args.xi,),
            throw=False,
            **kw,
        )
    except ValueError as e:
        raise _Failure(_one_line(e), EXIT_INPUT) from None
    if not bool(ps.ok):
        raise _Failure(
            f"model {model.name!r}: no portfolio: {_one_line(jm.result_message(ps.result))}",
            EXIT_UNSOLVED,
        )
    out = {
        k: np.asarray(getattr(ps, k), dtype=float).tolist()
        for k in ("alpha_tilde", "R1", "R2", "D1", "D2")
    }
    if not args.quiet:
        print(f"Devereux-Sutherland portfolio of {model.name!r}")
        print(
            f"  excess returns: {', '.join(ps.excess_returns)}; differential: "
            f"{', '.join(ps.mu_differentials)}; xi: {', '.join(ps.xi_shocks)}; "
            f"fundamental shocks: {', '.join(ps.fundamental_shocks)}"
        )
        for k, v in out.items():
            print(f"  {k:<12} {np.array2string(np.asarray(v), precision=10)}")
    if args.json:
        _write_json(args.json, out)
    return 0


def _write_json(path, data):
    try:
        with open(path, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=1)
            f.write("\n")
    except OSError as e:
        raise _Failure(f"cannot write {path}: {e.strerror or e}", EXIT_INPUT) from None


def _solve(args) -> int:
    import jax

    jax.config.update("jax_enable_x64", True)
    import jaxmacro as jm
    from jaxmacro.compat import to_json_dict

    mod, model = _load(args)
    order = args.order or mod.order or 1
    if order > 2:
        order = 2  # the order-2 rule is the order-1 and order-2 part of Dynare's (warned)
    if mod.loglinear and order != 1:
        raise _Failure(
            "stoch_simul(loglinear) is only available at order 1 (as in Dynare)", EXIT_INPUT
        )
    kw = _qz_option(args, mod)
    try:
        sol = jm.solve(model, order=order, throw=False, **kw)
    except ImportError as e:
        raise _Failure(
            f"order {order} is not available in this installation ({e})", EXIT_UNSOLVED
        ) from None
    except Exception as e:  # a program reports, in one line, rather than a traceback
        raise _Failure(
            f"model {model.name!r} cannot be solved: {type(e).__name__}: {_one_line(e)}",
            EXIT_UNSOLVED,
        ) from None
    if not bool(sol.ok):
        raise _Failure(
            f"model {model.name!r} cannot be solved: {_one_line(jm.result_message(sol.result))}",
            EXIT_UNSOLVED,
        )
    dr = to_json_dict(sol)
    if mod.loglinear:
        from jaxmacro.compat._layout import loglinear

        try:
            dr = loglinear(dr)
        except ValueError as e:
            raise _Failure(f"model {model.name!r}: {e}", EXIT_UNSOLVED) from None
    for key in ("ghx", "ghu", "ghxx", "ghxu", "ghuu", "ghs2"):
        if key in dr and not np.all(np.isfinite(np.asarray(dr[key], dtype=float))):
            raise _Failure(f"model {model.name!r}: non-finite {key}", EXIT_UNSOLVED)
    if not args.quiet:
        print(summary(sol, dr))
    if args.json:
        _write_json(args.json, dr)
        if not args.quiet:
            print(f"\ndecision rules written to {os.path.abspath(args.json)}")
    return 0


def _estimation(args):
    """Parse the file, read its data and build the estimation problem (exit 2 for bad input:
    no varobs, a malformed block, a missing data file or column; 1 if the model cannot be
    built)."""
    import jax

    jax.config.update("jax_enable_x64", True)
    from jaxmacro.compat import ModError, estimation_data, estimation_problem

    mod, params, notes = _parse(args, for_estimation=True)
    try:
        data = estimation_data(mod, args.data)
    except ModError as e:
        raise _Failure(f"estimation: {e}", EXIT_INPUT) from None
    except OSError as e:
        name = e.filename or args.data
        raise _Failure(f"cannot read the data file {name}: {e.strerror or e}", EXIT_INPUT) from None
    except ValueError as e:
        raise _Failure(_one_line(e), EXIT_INPUT) from None
    try:
        problem, more = estimation_problem(mod, data, params=params, return_warnings=True)
    except ModError as e:
        raise _Failure(f"estimation: {e}", EXIT_INPUT) from None
    except ValueError as e:
        raise _Failure(f"cannot build the model: {_one_line(e)}", EXIT_UNSOLVED) from None
    _warn(args, notes + more)
    return mod, problem


def _finite_or_none(x):
    x = float(x)
    return x if np.isfinite(x) else None


def _loglik(args) -> int:
    """``jaxmacro loglik``: the log-likelihood at the initial values of estimated_params."""
    import jaxmacro as jm

    mod, problem = _estimation(args)
    try:
        r = problem.evaluate()
    except ValueError as e:
        raise _Failure(_one_line(e), EXIT_INPUT) from None
    L = jm.LIKELIHOOD_RESULTS
    if not bool(r["result"] == L.successful) or not np.isfinite(r["loglik"]):
        why = "non-finite log-likelihood"
        if not bool(r["result"] == L.successful):
            why = L[r["result"]]
        raise _Failure(
            f"model {problem.model.name!r}: no likelihood at the initial values: {why}",
            EXIT_UNSOLVED,
        )
    out = {
        "loglik": r["loglik"],
        "log_prior": r["log_prior"] if problem.bayesian else None,
        "log_posterior": r["log_posterior"] if problem.bayesian else None,
        "params": {lab: problem.start[n] for n, lab in zip(problem.names, problem.labels)},
        "observables": list(problem.observables),
        "nobs": int(problem.data.shape[0]),
        "presample": problem.presample,
        "lik_init": problem.init,
    }
    if not args.quiet:
        print(f"log-likelihood {r['loglik']:.12g}")
        if problem.bayesian:
            print(f"log prior {r['log_prior']:.12g}; log posterior {r['log_posterior']:.12g}")
        print(
            f"  {len(problem.observables)} observed ({', '.join(problem.observables)}), "
            f"{problem.data.shape[0]} periods; at "
            + ", ".join(f"{k} = {v:g}" for k, v in out["params"].items())
        )
    if args.json:
        _write_json(args.json, out)
    return 0


def _estimate(args) -> int:
    """``jaxmacro estimate``: posterior mode (ML without priors), standard errors."""
    if args.max_steps < 0:
        raise _Failure("--max-steps must be >= 0", EXIT_INPUT)
    mod, problem = _estimation(args)
    try:
        est = problem.estimate(max_steps=args.max_steps)
    except ValueError as e:
        raise _Failure(_one_line(e), EXIT_INPUT) from None
    if est.status == "start_failed":
        raise _Failure(
            f"model {problem.model.name!r}: the likelihood cannot be evaluated at the initial "
            "values (no steady state, Blanchard-Kahn or filter failure there)",
            EXIT_UNSOLVED,
        )
    mode = np.asarray(est.mode, dtype=float)
    se = np.asarray(est.std_errors, dtype=float)
    out = {
        "method": "posterior_mode" if problem.bayesian else "maximum_likelihood",
        "status": est.status,
        "steps": est.steps,
        "log_likelihood": _finite_or_none(est.log_likelihood),
        "log_posterior": _finite_or_none(est.log_posterior),
        "estimates": {lab: float(x) for lab, x in zip(problem.labels, mode)},
        "std_errors": {lab: _finite_or_none(s) for lab, s in zip(problem.labels, se)},
        "names": dict(zip(problem.labels, problem.names)),
        "observables": list(problem.observables),
        "nobs": int(problem.data.shape[0]),
    }
    if not args.quiet:
        print(est.report())
        if est.status != "converged":
            print(f"jaxmacro: warning: the optimiser stopped: {est.status}", file=sys.stderr)
    if args.json:
        _write_json(args.json, out)
    return 0


def _qz_option(args, mod) -> dict:
    """The file's stoch_simul(qz_criterium=...) as solver options, validated (bad input: 2)."""
    if mod.qz_criterium is None:
        return {}
    from jaxmacro._misc import check_qz_criterium

    try:
        return {"qz_criterium": check_qz_criterium(mod.qz_criterium)}
    except (TypeError, ValueError) as e:
        raise _Failure(f"{args.model}: stoch_simul option {_one_line(e)}", EXIT_INPUT) from None


def _one_line(x) -> str:
    return " ".join(str(x).split())


def main(argv=None) -> int:
    """Entry point of ``python -m jaxmacro`` and the ``jaxmacro`` console script."""
    args = _parser().parse_args(argv)
    if args.command != "estimate":  # one-shot programs: cheap compiles beat fast code
        from jaxmacro._cache import use_fast_compile

        use_fast_compile()
    try:
        _compilation_cache(args)
        if args.command == "solve":
            return _solve(args)
        if args.command == "check":
            return _check(args)
        if args.command == "portfolio":
            return _portfolio(args)
        if args.command == "loglik":
            return _loglik(args)
        if args.command == "estimate":
            return _estimate(args)
    except _Failure as e:
        print(f"jaxmacro: error: {_one_line(e)}", file=sys.stderr)
        return e.status
    except (KeyboardInterrupt, SystemExit):
        raise
    except RecursionError:
        print("jaxmacro: error: the model is nested too deeply to import", file=sys.stderr)
        return EXIT_INPUT
    except MemoryError:
        print("jaxmacro: error: out of memory", file=sys.stderr)
        return EXIT_UNSOLVED
    except Exception as e:  # a program reports, in one line, rather than a traceback
        print(f"jaxmacro: error: {type(e).__name__}: {_one_line(e)}", file=sys.stderr)
        return EXIT_UNSOLVED
    return EXIT_INPUT


def _compilation_cache(args) -> None:
    """The program keeps compiled solves on disk (see `jaxmacro.enable_compilation_cache`),
    unless ``--no-cache`` or ``JAXMACRO_NO_CACHE=1``; a cache that cannot be created is
    skipped with a warning, never an error."""
    from jaxmacro._cache import cache_disabled_by_environment, enable_compilation_cache

    if getattr(args, "no_cache", False) or cache_disabled_by_environment():
        return
    try:
        enable_compilation_cache()
    except OSError as e:
        print(f"jaxmacro: warning: no compilation cache ({_one_line(e)})", file=sys.stderr)


def _check(args) -> int:
    """``jaxmacro check``: what was parsed and skipped, steady-state residuals, BK."""
    import jax

    jax.config.update("jax_enable_x64", True)
    import jaxmacro as jm

    notes: list[str] = []
    mod, model = _load(args, keep_notes=notes)
    out = [
        f"FILE {mod.filename}",
        f"  parsed: {len(mod.endogenous)} endogenous, {len(mod.exogenous)} shocks, "
        f"{len(mod.parameters)} parameters, {len(mod.equations)} equations"
        + (f", {len(mod.local_names)} mod-file local variable(s)" if mod.local_names else "")
        + (
            f"; predetermined_variables {', '.join(mod.predetermined)}" if mod.predetermined else ""
        ),
        "  steady state: "
        + (
            "steady_state_model"
            if mod.steady_state_model is not None
            else "numerical, from initval"
        ),
        f"  stoch_simul: {mod.stoch_simul_count} statement(s)"
        + (f", options {dict(mod.stoch_simul)}" if mod.stoch_simul else ""),
        f"  model variables: {model.n_vars} ({model.n_vars - len(mod.endogenous)} auxiliary)",
    ]
    est = mod.estimation
    if est is not None:
        out.append(
            f"  estimation: varobs {' '.join(est.observables) or '(none)'}; "
            f"{len(est.params)} estimated ({', '.join(e.label for e in est.params) or 'none'}); "
            f"{len(est.measurement_errors)} measurement error(s)"
            + (f"; datafile {est.options['datafile']}" if "datafile" in est.options else "")
        )
    out.append(f"SKIPPED ({len(mod.skipped)})")
    for s in mod.skipped:
        a, b = s.lines
        where = f"line {a}" if a == b else f"lines {a}-{b}"
        out.append(f"  {where}: {s.what}: {s.reason}")
    out.append(f"WARNINGS ({len(notes)})")
    out += [f"  {_one_line(n)}" for n in notes]
    kw = _qz_option(args, mod)
    ss = jm.steady_state(model, throw=False)
    res = np.asarray(ss.residual, dtype=float)
    val = np.asarray(ss.value, dtype=float)
    out.append(f"STEADY STATE: {jm.result_message(ss.result) or 'found'}")
    w = max(len(v) for v in model.variables)
    for i, v in enumerate(model.variables):
        out.append(f"  {v:<{w}}  {val[i]: .10g}   residual of {model.equations[i]}: {res[i]:.2e}")
    status = 0
    if not bool(ss.result == jm.RESULTS.successful):
        status = EXIT_UNSOLVED
        J = np.asarray(jax.jacfwd(lambda y: model.static_residual(y, ss.params))(ss.value))
        if np.all(np.isfinite(J)):
            u, sv, vt = np.linalg.svd(J)
            tol = sv.max(initial=0.0) * max(J.shape) * 1e-12
            null = [i for i in range(J.shape[0]) if sv[i] <= tol] if sv.size else []
            if null:
                eqs = np.flatnonzero(np.abs(u[:, null]).max(axis=1) > 1e-8)
                out.append(
                    "  the static Jacobian is singular; equations involved: "
                    + ", ".join(model.equations[i] for i in eqs)
                )
    else:
        sol = jm.solve(model, order=1, throw=False, **kw)
        ns = len(model.structure.states)
        n_stable = int(sol.n_stable)
        out.append(
            f"BLANCHARD-KAHN: {n_stable} stable eigenvalue(s) for {ns} state "
            f"variable(s): "
            + ("verified" if bool(sol.ok) else f"FAILS ({jm.result_message(sol.result)})")
        )
        if not bool(sol.ok):
            status = EXIT_UNSOLVED
    print("\n".join(out))
    return status


if __name__ == "__main__":
    sys.exit(main())
