"""Evans & Hnatkovska (2005), "International Capital Flows, Returns and World Financial
Integration": the first-order (Stage A/B) and second-order (Stage C) results, reproduced.

What it shows, for the asset menus fa / pi / fi (and fi with λn = 0.75):

* zero-order portfolios (analytic and Devereux–Sutherland) and Σ0;
* Table 5 (return volatilities), the cross-country log-IMRS correlations, Table 8, Table 7
  (fa column), Table 2 (capital flows, % of GDP), Table 4 (flows in levels and their
  return-chasing / rebalancing split) and Table 3 (qualitative), each beside the paper's value
  (paper, ours, difference), from the spec's protocol: `--runs` × `--quarters` quarters, the
  first 100 dropped, one vmapped `lax.scan`, fixed seed;
* the wealth-neighbourhood diagnostics (median / 95th percentile of max |w - ŵ|);
* Figures 5a / 5b: impulse responses to a home traded and a home nontraded productivity shock
  under the three menus (PNG in experiments/out/evans_hnatkovska2005/);
* with `--method eh` (the default), Stage C: the second-order solution with state-dependent
  second moments, fi positions by the Evans–Hnatkovska method (`jaxmacro.evans_hnatkovska`,
  checked against the Devereux–Sutherland 2010 closed form), Table 6 (regression (36), with
  and without the FX regressor), Table 7 (all columns), Tables 2/4 fi flows and Table 3 at
  second order, and how much the first-order numbers move (`--method stage_b` skips it);
* with `--sweep N`: a vmapped sweep over the elasticity (0.5 … 2, N points) of the conditional
  (one-quarter-ahead) volatilities of the Table-5 returns and of the pi bond flow.

Usage:

    python experiments/evans_hnatkovska2005.py [--config {fa,pi,fi,all}] [--runs 100]
        [--quarters 500] [--seed 0] [--elasticity 0.74] [--lambda-n 0.5] [--rho-t 0.78]
        [--rho-n 0.99] [--theta 0.36] [--method {stage_b,eh}] [--json PATH] [--figures DIR]
        [--sweep N]
    python experiments/evans_hnatkovska2005.py --point --config C [parameter flags] --json PATH

Point mode writes, without simulating, exactly: alpha_bar_home, alpha_bar_foreign (shares of
W^c in [h t-equity, f t-equity, h n-equity, f n-equity]; bond = 1 - sum), sigma0 (pi, fi:
quarterly covariance of the first-order innovations of r^t, r^t̂, r^n, r^n̂),
transition_eigenvalues (sorted moduli on the minimal state) and, for fa, dividend_rule and
capital_rule (coefficients of d_t and k_{t+1} on k_t, z^t_t, z^n_t).
"""

import argparse
import json
import os
import sys
import time

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

import jaxmacro.models.evans_hnatkovska2005 as eh  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "out", "evans_hnatkovska2005")
CONFIG_INDEX = {"fa": 0, "pi": 1, "fi": 2}


def _params(args, **over):
    kw = dict(
        elasticity=args.elasticity,
        lambda_n=args.lambda_n,
        rho_t=args.rho_t,
        rho_n=args.rho_n,
        theta=args.theta,
    )
    kw.update(over)
    return eh.EHParams(**kw)


def _f(x):
    return jax.tree_util.tree_map(lambda v: float(v), x)


def point(args):
    c = args.config
    if c == "all":
        raise SystemExit("--point needs --config fa, pi or fi")
    p = _params(args)
    es = eh.solve(c, p)
    if c == "fi":
        home, foreign = eh.ds_alpha_vectors(eh.ds_portfolio(p), p)  # the zero-order fixed point
    else:
        home, foreign = es.alpha_home, es.alpha_foreign
    out = dict(
        alpha_bar_home=np.asarray(home).tolist(), alpha_bar_foreign=np.asarray(foreign).tolist()
    )
    if c in ("pi", "fi"):
        out["sigma0"] = np.asarray(es.sigma0).tolist()
    out["transition_eigenvalues"] = [float(x) for x in es.transition_eigenvalues()]
    if c == "fa":
        sol = es.solution
        V, st = sol.model.variables, sol.states
        gx, gu = np.asarray(sol.g_x), np.asarray(sol.g_u)
        for key, v in (("dividend_rule", "d"), ("capital_rule", "k")):
            i = V.index(v)
            out[key] = [float(gx[i, st.index("k")]), float(gu[i, 0]), float(gu[i, 2])]
    text = json.dumps(out, indent=1)
    print(text)
    if args.json:
        with open(args.json, "w") as fh:
            fh.write(text)
    return out


def _portfolio_block(args, results):
    p = _params(args)
    lines = ["Zero-order portfolios (home shares of W^c: h t, f t, h n, f n; bond = 1 - sum)"]
    for c in ("pi", "fi"):
        ah, _ = eh.analytic_alpha(p, c)
        lines.append(f"  {c} analytic: " + " ".join(f"{x:.5f}" for x in np.asarray(ah)))
    pm = eh.ds_portfolio(p)
    dh, _ = eh.ds_alpha_vectors(pm, p)
    lines.append("  fi Devereux-Sutherland: " + " ".join(f"{x:.5f}" for x in np.asarray(dh)))
    p75 = _params(args, lambda_n=0.75)
    d75, _ = eh.ds_alpha_vectors(eh.ds_portfolio(p75), p75)
    lines.append(
        "  fi λn = 0.75 (DS): "
        + " ".join(f"{x:.5f}" for x in np.asarray(d75))
        + "   (paper: t 0.0924 each, n 0.8153)"
    )
    results["alpha"] = dict(
        fi_ds=np.asarray(dh).tolist(),
        fi_lambda075_ds=np.asarray(d75).tolist(),
        pi=np.asarray(eh.analytic_alpha(p, "pi")[0]).tolist(),
    )
    return "\n".join(lines)


def tables(args, stats, results):
    cfgs = [c for c in ("fa", "pi", "fi") if c in stats]
    out = []
    rs = []
    for row, paper in eh.PAPER_TABLE5.items():
        for c in cfgs:
            rs.append(
                (
                    f"{row} [{c}]",
                    paper[CONFIG_INDEX[c]],
                    stats[c]["table5"][row],
                    stats[c]["table5"][row] - paper[CONFIG_INDEX[c]],
                )
            )
    out.append(eh.format_rows("Table 5: return volatility (400 x std of quarterly log return)", rs))
    rs = [
        (
            f"corr(m, m^) [{c}]",
            eh.PAPER_IMRS[c],
            stats[c]["imrs_corr"],
            stats[c]["imrs_corr"] - eh.PAPER_IMRS[c],
        )
        for c in cfgs
    ]
    if "fi_l075" in stats:
        v = stats["fi_l075"]["imrs_corr"]
        rs.append(("corr(m, m^) [fi, λn=0.75]", 0.562, v, v - 0.562))
    out.append(eh.format_rows("Cross-country correlation of the log IMRS", rs))
    rs = []
    for c in cfgs:
        rs += eh.rows(eh.PAPER_TABLE8[c], stats[c]["table8"], f"{c}.")
    out.append(
        eh.format_rows("Table 8: std(r^t - r^t^) (%, the paper prints basis points) and shares", rs)
    )
    rs = []
    for c in cfgs:
        rs += eh.rows(eh.PAPER_TABLE7[c], stats[c]["table7"], f"{c}.")
    out.append(
        eh.format_rows(
            "Table 7: 100 (ln P^t^ - ln P~t) (quarterly %; pi column is "
            "second order, not reproducible at first order)",
            rs,
        )
    )
    rs = []
    if "pi" in stats:
        rs += eh.rows(eh.PAPER_TABLE2["pi_bonds"], stats["pi"]["table2"]["bonds"], "pi bonds.")
    if "fi" in stats:
        rs += eh.rows(eh.PAPER_TABLE2["fi_bonds"], stats["fi"]["table2"]["bonds"], "fi bonds.")
        rs += eh.rows(eh.PAPER_TABLE2["fi_equity"], stats["fi"]["table2"]["equity"], "fi equity.")
    if rs:
        out.append(
            eh.format_rows("Table 2: capital flows (quarterly, % of GDP_t; min/max pooled)", rs)
        )
    rs = []
    if "pi" in stats:
        rs += eh.rows(eh.PAPER_TABLE4["pi_bonds"], stats["pi"]["table4"]["bonds"], "pi bonds.")
    if "fi" in stats:
        rs += eh.rows(eh.PAPER_TABLE4["fi_equity"], stats["fi"]["table4"]["equity"], "fi equity.")
        rs += eh.rows(eh.PAPER_TABLE4["fi_bonds"], stats["fi"]["table4"]["bonds"], "fi bonds.")
    if rs:
        out.append(eh.format_rows("Table 4: flows in levels (x100) and CV(flow, part)/V(flow)", rs))
    if "fi" in stats:
        t3 = stats["fi"]["table3"]
        rs = eh.rows(eh.PAPER_TABLE3, t3, "fi.")
        out.append(
            eh.format_rows(
                "Table 3 (qualitative only: internally inconsistent in the paper, spec §4.3; CA = "
                "sum of flows, std of the footnote-4 income form in std_ca)",
                rs,
            )
            + f"\n  std of CA as the sum of flows: {t3['std_ca_flows']:.4f} % of GDP"
        )
    lines = ["Wealth neighbourhood: max_t |ln W - ln Ŵ| over runs (%): median, 95th percentile"]
    for c in cfgs:
        w = stats[c]["wealth"]
        lines.append(f"  {c}: {w['median_max_abs_w_rel']:.3f}  {w['p95_max_abs_w_rel']:.3f}")
    out.append("\n".join(lines))
    return "\n\n".join(out)


def figures(args, sols, results):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    os.makedirs(args.figures, exist_ok=True)
    panels = [
        ("var_k", "capital k_{t+1} (%)", 100),
        ("var_qn", "Q^n (%)", 100),
        ("var_qnh", "foreign Q^n (%)", 100),
        ("tb_gdp", "trade balance (% GDP)", 1),
        ("ca_gdp", "current account (% GDP)", 1),
        ("bond_flow_gdp", "bond flow (% GDP)", 1),
        ("equity_flow_gdp", "equity flow P^t ΔA^t (% GDP)", 1),
        ("w_rel", "relative wealth w - ŵ (%)", 100),
    ]
    paths = {}
    for fig_name, shock, title in (
        ("figure5a.png", "et", "home traded productivity shock"),
        ("figure5b.png", "en", "home nontraded productivity shock"),
    ):
        fig, axes = plt.subplots(2, 4, figsize=(15, 6.5))
        for c, es in sols.items():
            r = eh.impulse_responses(es, shock, 40)
            for ax, (key, lab, sc) in zip(axes.ravel(), panels):
                ax.plot(np.arange(40), sc * np.asarray(r[key]), label=c)
                ax.set_title(lab, fontsize=9)
                ax.axhline(0, color="k", lw=0.5)
            paths[f"{shock}_{c}"] = {
                k: (sc * np.asarray(r[k][:12])).tolist() for k, _, sc in panels
            }
        axes[0, 0].legend()
        fig.suptitle(
            f"Figure 5{'a' if shock == 'et' else 'b'}: 1% {title} (first order; flows Stage B)"
        )
        fig.tight_layout()
        path = os.path.join(args.figures, fig_name)
        fig.savefig(path, dpi=90)
        plt.close(fig)
        print(f"wrote {path}")
    results["irf_first_12_quarters"] = paths


def sweep(args, results):
    """vmapped sweep over the elasticity of conditional volatilities (Table-5 returns, pi bond
    flow = trade balance, % of GDP_ss), and the fi conditional log-IMRS correlation."""
    n = args.sweep
    el = jnp.linspace(0.5, 2.0, n)
    base = jax.tree_util.tree_map(lambda x: jnp.broadcast_to(x, (n,)), _params(args))
    import equinox as eqx

    batch = eqx.tree_at(lambda q: q.elasticity, base, el)

    def vols(p, config):
        es = eh.solve(config, p, throw=False)
        sol = es.solution
        V = sol.model.variables
        G = sol.g_u
        cov = sol.shock_cov

        def sd(i):
            return 400 * jnp.sqrt(G[i] @ cov @ G[i])

        out = {
            r: sd(V.index(v))
            for r, v in (
                ("r_t", "ret_t"),
                ("r_n", "ret_n"),
                ("r_w", "ret_w"),
                ("fx", "dq"),
                ("r_adr", "ret_adr"),
            )
        }
        s = eh.steady_state(p)
        i, j = V.index("d"), V.index("ct")
        tb = s["D"] * (G[i] - G[j]) / s["gdp"] * 100
        out["pi_bond_flow"] = jnp.sqrt(tb @ cov @ tb)
        out["ok"] = es.ok
        return out

    for c in ("fa", "pi", "fi"):
        eh.model(c)  # build (and check) the models outside the traced sweep
    t0 = time.time()
    res = {c: jax.jit(jax.vmap(lambda p, c=c: vols(p, c)))(batch) for c in ("fa", "pi", "fi")}
    jax.block_until_ready(res)
    print(f"sweep: {n} points x 3 menus in {time.time() - t0:.1f} s (incl. compile)")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(14, 4))
    for c, r in res.items():
        for k in ("r_t", "r_n", "r_w"):
            axes[0].plot(el, r[k], label=f"{k} {c}")
        axes[1].plot(el, r["fx"], label=f"fx {c}")
    axes[2].plot(el, res["pi"]["pi_bond_flow"], label="pi bond flow (innovation, % GDP)")
    for ax, t in zip(
        axes,
        (
            "conditional return volatility (400 x std)",
            "FX volatility",
            "pi bond-flow innovation std",
        ),
    ):
        ax.set_xlabel("elasticity 1/(1-φ)")
        ax.set_title(t, fontsize=9)
        ax.legend(fontsize=6)
    fig.tight_layout()
    os.makedirs(args.figures, exist_ok=True)
    path = os.path.join(args.figures, "sweep_elasticity.png")
    fig.savefig(path, dpi=90)
    plt.close(fig)
    print(f"wrote {path}")
    results["sweep"] = {
        c: {k: np.asarray(v).tolist() for k, v in r.items()} for c, r in res.items()
    }
    results["sweep"]["elasticity"] = np.asarray(el).tolist()


def stage_c(args, stats):
    """Stage C (the Evans–Hnatkovska method): order-2 solutions with exact budgets, fi
    positions α_t = ᾱ + α_x ŝ_t from the σ² and σ²ŝ portfolio conditions, the same simulation
    protocol (pruned), Table 6, Table 7 (all columns), Tables 2/4 flows and Table 3."""
    cfgs = [c for c in ("fa", "pi", "fi") if c in stats]
    p = _params(args)
    out, t6, st, timing = {}, {}, {}, {}
    for c in cfgs:
        t0 = time.time()
        sc = eh.solve_stage_c(c, p, variant=args.variant)
        timing[c] = time.time() - t0
        if c == "fi":
            out["fi_portfolio"] = eh.portfolio_residual_check(sc)
            out["fi_alpha_bar"] = np.asarray(sc.eh.alpha_bar).tolist()
            out["fi_alpha_x"] = {
                s: np.asarray(sc.eh.alpha_x[:, i]).tolist() for i, s in enumerate(sc.eh.states)
            }
            t1 = time.time()
            jax.block_until_ready(eh.solve_stage_c(c, p, variant=args.variant))
            timing["fi_warm"] = time.time() - t1
            out["fi_verify"] = float(sc.eh.verify().max_residual)
        sim = eh.simulate_stage_c(sc, runs=args.runs, quarters=args.quarters, seed=args.seed)
        t6[c] = _f(eh.table6(sim))
        st[c] = _f(eh.statistics(sim))
    out.update(table6=t6, statistics=st, solve_seconds=timing)
    lines = [
        f"Stage C (Evans–Hnatkovska method, {args.variant} variant, second order, pruned "
        "simulation; "
        + ", ".join(f"{c} solve {timing[c]:.1f} s" for c in cfgs)
        + (f", fi warm {timing['fi_warm'] * 1e3:.0f} ms" if "fi_warm" in timing else "")
        + ")"
    ]
    if "fi_portfolio" in out:
        q = out["fi_portfolio"]
        lines.append(
            f"  fi portfolio: σ-scaled residual {q['residual']:.1e} after {q['iterations']} "
            f"Newton steps; |α_x - DS 2010| {q['alpha_x_vs_ds2010']:.1e} "
            f"(max |α_x| {q['alpha_x_max']:.3f}); |ᾱ - DS 2011| {q['alpha_bar_vs_ds2011']:.1e}"
        )
        lines.append(
            f"  fi verify (every equation on [1, z, vech(zz')], σ²; portfolio conditions on σ², "
            f"σ²z): largest coefficient {out['fi_verify']:.1e}"
        )
    text = ["\n".join(lines)]
    rs, rs2 = [], []
    for c in cfgs:
        for chi in ("t", "n"):
            paper = eh.PAPER_TABLE6[(c, chi)]
            rs += eh.rows(paper, t6[c][chi], f"{c} {chi}.")
            rs2 += eh.rows(paper, t6[c][chi + "_no_fx"], f"{c} {chi}.")
    text.append(
        eh.format_rows("Table 6: regression (36) on E_t er (as written, with E_t er^fx)", rs)
    )
    text.append(
        eh.format_rows(
            "Table 6 without the E_t er^fx regressor (it varies at O(x), the premia at O(σ²x): "
            "a state proxy; README)",
            rs2,
        )
    )
    rs = []
    for c in cfgs:
        rs += eh.rows(eh.PAPER_TABLE7[c], st[c]["table7"], f"{c}.")
    text.append(
        eh.format_rows(
            "Table 7 (Stage C): 100 (ln P^t^ - ln P~t) (quarterly %; the pi column is not "
            "reproducible by a σ²-consistent solution, README)",
            rs,
        )
    )
    if "fi" in st:
        rs = eh.rows(eh.PAPER_TABLE2["fi_equity"], st["fi"]["table2"]["equity"], "fi equity.")
        rs += eh.rows(eh.PAPER_TABLE2["fi_bonds"], st["fi"]["table2"]["bonds"], "fi bonds.")
        rs += eh.rows(eh.PAPER_TABLE4["fi_equity"], st["fi"]["table4"]["equity"], "T4 fi equity.")
        rs += eh.rows(eh.PAPER_TABLE4["fi_bonds"], st["fi"]["table4"]["bonds"], "T4 fi bonds.")
        text.append(eh.format_rows("Tables 2 and 4 (Stage C): fi flows", rs))
        t3 = st["fi"]["table3"]
        text.append(
            eh.format_rows(
                "Table 3 (Stage C; qualitative only)", eh.rows(eh.PAPER_TABLE3, t3, "fi.")
            )
            + f"\n  std of CA as the sum of flows: {t3['std_ca_flows']:.4f} % of GDP"
        )
    rs = []
    for c in cfgs:
        for row in eh.PAPER_TABLE5:
            a, b = stats[c]["table5"][row], st[c]["table5"][row]
            rs.append((f"T5 {row} [{c}]", a, b, 100 * (b / a - 1)))
        a, b = stats[c]["imrs_corr"], st[c]["imrs_corr"]
        rs.append((f"corr(m, m^) [{c}]", a, b, b - a))
    text.append(
        eh.format_rows(
            "First-order numbers under Stage C (columns: first order, Stage C, % change; "
            "corr: difference)",
            rs,
        ).replace("paper", "1st order")
    )
    print("\n\n".join(text))
    return out


def main(args):
    if args.point:
        return point(args)
    t0 = time.time()
    cfgs = ("fa", "pi", "fi") if args.config == "all" else (args.config,)
    p = _params(args)
    results = {"settings": vars(args).copy()}
    sols, stats = {}, {}
    for c in cfgs:
        sols[c] = eh.solve(c, p)
        sim = eh.simulate(sols[c], runs=args.runs, quarters=args.quarters, seed=args.seed)
        stats[c] = _f(eh.statistics(sim))
    if "fi" in cfgs:
        p75 = _params(args, lambda_n=0.75)
        es75 = eh.solve("fi", p75)
        stats["fi_l075"] = _f(
            eh.statistics(eh.simulate(es75, runs=args.runs, quarters=args.quarters, seed=args.seed))
        )
    results["statistics"] = stats
    results["sigma0"] = {c: np.asarray(s.sigma0).tolist() for c, s in sols.items() if c != "fa"}
    print(
        f"Evans & Hnatkovska (2005), first order: {args.runs} runs x {args.quarters} quarters "
        f"(first 100 dropped), seed {args.seed}\n"
    )
    if "fi" in cfgs:
        print(_portfolio_block(args, results) + "\n")
    print(tables(args, stats, results))
    if "fi_l075" in stats:
        s75 = stats["fi_l075"]
        print(
            "\nApp. B, λn = 0.75 (flows in levels x100; spec §6.4): "
            f"fi bonds {s75['table4']['bonds']['std']:.2f}, fi equity "
            f"{s75['table4']['equity']['std']:.2f}; % of Q^n-weighted GDP: bonds "
            f"{s75['table2']['bonds']['std']:.3f}, equity {s75['table2']['equity']['std']:.3f}"
        )
    if args.method == "eh":
        print()
        results["stage_c"] = stage_c(args, stats)
    if args.figures != "none":
        figures(args, sols, results)
    if args.sweep:
        sweep(args, results)
    results["seconds"] = time.time() - t0
    print(f"\ndone in {results['seconds']:.1f} s")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(results, fh, indent=1)
    return results


def parse(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--config", choices=("fa", "pi", "fi", "all"), default="all")
    ap.add_argument("--elasticity", type=float, default=0.74)
    ap.add_argument("--lambda-n", type=float, default=0.5)
    ap.add_argument("--rho-t", type=float, default=0.78)
    ap.add_argument("--rho-n", type=float, default=0.99)
    ap.add_argument("--theta", type=float, default=0.36)
    ap.add_argument("--runs", type=int, default=100)
    ap.add_argument("--quarters", type=int, default=500)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", default=None)
    ap.add_argument("--point", action="store_true")
    ap.add_argument(
        "--method",
        choices=("stage_b", "eh"),
        default="eh",
        help="stage_b: first order only (Stages A/B); eh: also Stage C, the Evans-Hnatkovska "
        "method (Tables 6, 7, 3 and the fi flows at second order)",
    )
    ap.add_argument(
        "--variant",
        choices=eh.STAGE_C_VARIANTS,
        default="full",
        help="Stage C: every equation at second order (full) or EH's mixed order (eh_mixed: "
        "accumulation, goods clearing, intratemporal conditions at first order)",
    )
    ap.add_argument("--figures", default=OUT, help="directory for PNGs, or 'none'")
    ap.add_argument("--sweep", type=int, default=0, help="points of the elasticity sweep")
    return ap.parse_args(argv)


if __name__ == "__main__":
    main(parse(sys.argv[1:]))
