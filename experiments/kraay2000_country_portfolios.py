"""Kraay, Loayza, Servén & Ventura (2000), "Country Portfolios": the model's numbers, reproduced.

What it shows:

* Table 5 (North's net foreign assets f/a, both sigma panels) and Table 6 (the South equity
  price v* and foreign investment in the South e*v*/a*), each from one vmapped call of the
  equilibrium solver, printed next to the paper's values;
* the base case of Sec. II.4 (f/a = 10.5 %, k = 71.5 %, portfolio shares) next to the paper;
* Figures 7 (sovereign-risk parameters alpha, lambda), 8 (technology gamma, sigma) and 9
  (normal-time growth and volatility along the wealth distribution) as PNG files;
* a small simulation of the jump diffusion with Poisson crises, and its data-style panel moments
  (persistence of f/a at 1/5/10-year lags, mean gross positions) next to the paper's Facts 3–4.

Usage:

    python experiments/kraay2000_country_portfolios.py [--quick] [--json PATH] [--figures DIR]
    python experiments/kraay2000_country_portfolios.py --point --gamma 0.2 --sigma 0.05 \\
        --alpha 0.02 --lam 0.2 --delta 0.02 --theta 0.04 --wealth-share 0.8 \\
        [--theta-mode fixed|avg_return_4pct] [--json PATH]

Point mode prints (and with --json writes) one equilibrium at a = X, a* = 1 - X as a JSON object.
"""

import argparse
import json
import os
import sys
import time

import jax

jax.config.update("jax_enable_x64", True)

import jax.random as jr  # noqa: E402
import numpy as np  # noqa: E402

from jaxmacro.models import kraay2000 as km  # noqa: E402

POINT_KEYS = (
    "k", "k_star", "e", "e_star", "l", "r", "rho", "rho_star", "v", "v_star", "f_over_a",
    "f_star_over_a_star",
)  # fmt: skip


def _fmt_table(name, model, paper, rows, cols, skip_first_column=False):
    lines = [name, "  gamma\\alpha " + "".join(f"{c:>15.2f}" for c in cols)]
    for i, r in enumerate(rows):
        cells = []
        for j in range(len(cols)):
            p = "  --  " if (skip_first_column and j == 0) else f"{paper[i, j]:6.3f}"
            cells.append(f"{model[i, j]:7.3f} ({p})")
        lines.append(f"  {r:>11.2f} " + "".join(f"{c:>15}" for c in cells))
    diff = km.max_abs_diff(model, paper, skip_first_column=skip_first_column)
    lines.append(f"  max |model - paper| = {diff:.4f}   (model (paper))")
    return "\n".join(lines), diff


def run_tables():
    t5 = km.table5()
    t6 = km.table6()
    out = {}
    text = []
    for key, paper, label in (
        ("sigma0", km.PAPER_TABLE5_SIGMA0, "Table 5, sigma = 0.00 (Example 2): f/a"),
        (
            "sigma005",
            km.PAPER_TABLE5_SIGMA005,
            "Table 5, sigma = 0.05 (Example 3, lambda = 0.001): f/a",
        ),
    ):
        model = np.asarray(t5[key])
        s, d = _fmt_table(label, model, paper, km.TABLE_GAMMAS, km.TABLE_ALPHAS)
        text.append(s)
        out[f"table5_{key}"] = {"model": model.tolist(), "paper": paper.tolist(), "max_abs_diff": d}
    s, d = _fmt_table(
        "Table 6A, v* (price of South equity)", np.asarray(t6["v_star"]), km.PAPER_TABLE6_V_STAR,
        km.TABLE_GAMMAS, km.TABLE_ALPHAS,
    )  # fmt: skip
    text.append(s)
    out["table6_v_star"] = {
        "model": np.asarray(t6["v_star"]).tolist(),
        "paper": km.PAPER_TABLE6_V_STAR.tolist(),
        "max_abs_diff": d,
    }
    s, d = _fmt_table(
        "Table 6B, e*v*/a* (alpha = 0 column: paper prints 1.5, the definition gives 2.0)",
        np.asarray(t6["ev_over_a_star"]), km.PAPER_TABLE6_EV, km.TABLE_GAMMAS, km.TABLE_ALPHAS,
        skip_first_column=True,
    )  # fmt: skip
    text.append(s)
    out["table6_ev_over_a_star"] = {
        "model": np.asarray(t6["ev_over_a_star"]).tolist(), "paper": km.PAPER_TABLE6_EV.tolist(), "max_abs_diff": d,
    }  # fmt: skip
    ok = bool(np.all(np.asarray(t5["result"]) == 0) and np.all(np.asarray(t6["result"]) == 0))
    out["tables_all_solved"] = ok
    return "\n\n".join(text), out


def run_base_case():
    eq = km.equilibrium(0.8, 0.2, km.KraayParams())
    n, s = eq.portfolio, eq.portfolio_star
    rows = [
        ("North NFA f/a (%)", 100 * eq.f_over_a, 10.5),
        ("South NFA f*/a* (%)", 100 * eq.f_star_over_a_star, -42.0),
        ("k/W (%)", 100 * eq.k, 71.5),
        ("capital flow (a-k)/W (%)", 100 * (eq.a - eq.k), 8.5),
        ("North: k/a (%)", 100 * n.capital, 89.5),
        ("North: loans l/a (%)", 100 * n.lending, 6.25),
        ("North: South equity v*e*/a (%)", 100 * n.foreign_equity, 4.25),
        ("South: k*/a* (%)", 100 * s.capital, 142.0),
        ("South: loans owed l/a* (%)", -100 * s.lending, 25.0),
        ("South: equity sold v*e*/a* (%)", 100 * s.equity_sold, 17.0),
        ("Fig. 9 drift North (%)", 100 * eq.growth.drift, 2.5),
        ("Fig. 9 drift South (%)", 100 * eq.growth_star.drift, 2.7),
        ("Fig. 9 s.d. North, exact (%)", 100 * eq.growth.sd, 4.7),
        ("Fig. 9 s.d. North, 'sum' form (%)", 100 * eq.growth.sd_sum, 4.7),
        ("Fig. 9 s.d. South (%)", 100 * eq.growth_star.sd, 6.0),
    ]
    lines = [
        "Base case (gamma=0.2, sigma=0.05, alpha=0.02, lambda=0.2, delta=0.02, theta=0.04, a/W=0.8)"
    ]
    lines += [f"  {name:<36s} model {float(m):8.3f}   paper {p:7.2f}" for name, m, p in rows]
    lines.append(
        f"  regime [e>0, e*>0] = {eq.regime.tolist()}   default-consistent = {bool(eq.consistent)}"
    )
    lines.append(
        f"  crisis jumps: North {100 * float(eq.growth.jump):.1f} %, South {100 * float(eq.growth_star.jump):.1f} %"
    )
    out = {name: float(m) for name, m, _ in rows}
    out["regime"] = eq.regime.tolist()
    return "\n".join(lines), out


def _south_panel(ax, x, eq, xlabel):
    s = eq.portfolio_star
    ax.plot(x, s.foreign_equity, label="ev/a*")
    ax.plot(x, s.equity_sold, label="e*v*/a*")
    ax.plot(x, s.lending, label="-l/a* (South net lending)")
    ax.set_xlabel(xlabel)
    ax.legend(fontsize=7)


def _nfa_panel(ax, x, eq, xlabel, extra=None):
    ax.plot(x, eq.f_over_a, label="f/a (North)")
    ax.plot(x, eq.f_star_over_a_star, label="f*/a* (South)")
    if extra is not None:
        ax.plot(x, extra, "--", label="f/a, theta normalised")
    ax.axhline(0, color="k", lw=0.5)
    ax.set_xlabel(xlabel)
    ax.legend(fontsize=7)


def run_figures(n, outdir):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    os.makedirs(outdir, exist_ok=True)
    out = {}
    # Figure 7: sovereign-risk parameters (one vmapped call for both sweeps).
    alphas = np.linspace(0.0, 0.06, n)
    lams = np.linspace(0.0, 0.6, n)
    p = km.KraayParams(
        alpha=np.concatenate([alphas, np.full(n, 0.02)]),
        lam=np.concatenate([np.full(n, 0.2), lams]),
    )
    eq = km.equilibrium_grid(0.8, 0.2, p)
    ea = jax.tree_util.tree_map(lambda y: y[:n], eq)
    el = jax.tree_util.tree_map(lambda y: y[n:], eq)
    fig, axes = plt.subplots(2, 2, figsize=(10, 7))
    _nfa_panel(axes[0, 0], alphas, ea, "alpha")
    _south_panel(axes[0, 1], alphas, ea, "alpha")
    _nfa_panel(axes[1, 0], lams, el, "lambda")
    _south_panel(axes[1, 1], lams, el, "lambda")
    fig.suptitle("Figure 7: sovereign risk (base case otherwise; theta = 0.04)")
    fig.tight_layout()
    fig.savefig(os.path.join(outdir, "figure7.png"), dpi=110)
    plt.close(fig)
    out["figure7_all_solved"] = bool(np.all(np.asarray(eq.result._value) == 0))
    # Figure 8: technology parameters.
    gammas = np.linspace(0.0, 0.8, n)
    sigmas = np.linspace(0.0, 0.12, n)
    p = km.KraayParams(
        gamma=np.concatenate([gammas, np.full(n, 0.2)]),
        sigma=np.concatenate([np.full(n, 0.05), sigmas]),
    )
    eq = km.equilibrium_grid(0.8, 0.2, p)
    norm = km.equilibrium_grid(0.8, 0.2, km.KraayParams(gamma=gammas), theta_mode="avg_return_4pct")
    eg = jax.tree_util.tree_map(lambda y: y[:n], eq)
    es = jax.tree_util.tree_map(lambda y: y[n:], eq)
    fig, axes = plt.subplots(2, 2, figsize=(10, 7))
    _nfa_panel(axes[0, 0], gammas, eg, "gamma", extra=norm.f_over_a)
    _south_panel(axes[0, 1], gammas, eg, "gamma")
    _nfa_panel(axes[1, 0], sigmas, es, "sigma")
    _south_panel(axes[1, 1], sigmas, es, "sigma")
    fig.suptitle(
        "Figure 8: technology (base case otherwise; theta = 0.04, dashed: normalised theta)"
    )
    fig.tight_layout()
    fig.savefig(os.path.join(outdir, "figure8.png"), dpi=110)
    plt.close(fig)
    i06 = int(np.argmin(np.abs(gammas - 0.6)))
    out["figure8_gamma06_normalised"] = [
        float(norm.f_over_a[i06]),
        float(norm.f_star_over_a_star[i06]),
    ]
    # Figure 9: growth along the wealth distribution.
    xs = np.linspace(0.5, 0.995, n)
    eq = km.equilibrium_grid(xs, 1 - xs, km.KraayParams())
    fig, axes = plt.subplots(2, 1, figsize=(7, 8), sharex=True)
    axes[0].plot(xs, eq.growth.drift, label="E[da/a] (North)")
    axes[0].plot(xs, eq.growth_star.drift, label="E[da*/a*] (South)")
    axes[0].set_ylim(0, 0.04)
    axes[0].set_title("normal-time drift (conditional on no crisis)")
    axes[0].legend(fontsize=8)
    axes[1].plot(xs, eq.growth.sd, label="SD[da/a] exact")
    axes[1].plot(xs, eq.growth.sd_sum, "--", label="SD[da/a] paper's 'sum' form")
    axes[1].plot(xs, eq.growth_star.sd, label="SD[da*/a*]")
    axes[1].set_ylim(0, 0.08)
    axes[1].set_xlabel("a / (a + a*)")
    axes[1].legend(fontsize=8)
    fig.suptitle("Figure 9: implications for persistence")
    fig.tight_layout()
    fig.savefig(os.path.join(outdir, "figure9.png"), dpi=110)
    plt.close(fig)
    gap = np.abs(np.asarray(eq.growth.drift - eq.growth_star.drift))[xs <= 0.9]
    out["figure9_max_growth_gap_upto_0.9"] = float(gap.max())
    lines = [
        f"Figures 7-9 written to {outdir}",
        f"  Fig. 8: gamma=0.6 with normalised theta: f/a = {100 * out['figure8_gamma06_normalised'][0]:.2f} %, "
        f"f*/a* = {100 * out['figure8_gamma06_normalised'][1]:.1f} %   (paper: 20.5 / -82)",
        f"  Fig. 9: max |growth gap| for a/W <= 0.9: {100 * out['figure9_max_growth_gap_upto_0.9']:.3f} pp "
        "(paper: growth rates nearly equal)",
    ]
    return "\n".join(lines), out


def run_simulation(n_paths, years, seed):
    params = km.KraayParams()
    sim = km.simulate(params, jr.PRNGKey(seed), n_paths=n_paths, years=years)
    m = km.panel_moments(sim)
    mn = km.panel_moments(sim, pool_countries=False)
    lines = [
        f"Simulation: {n_paths} paths x {years} years from a/W = 0.8 (beta = 0.1, dt = 1/12, detrended)"
    ]
    lines.append("  persistence of f/a, pooled N+S:  lag  slope  intercept  R^2     paper (Fig. 4)")
    paper = {1: (0.98, -0.00, 0.93), 5: (0.84, -0.03, 0.58), 10: (0.64, -0.06, 0.30)}
    for i, h in enumerate(m.lags):
        ps = paper[h]
        lines.append(
            f"    {h:>33d}  {float(m.slope[i]):5.2f}  {float(m.intercept[i]):8.3f}  {float(m.r2[i]):5.2f}"
            f"    {ps[0]:.2f} / {ps[1]:.2f} / {ps[2]:.2f}"
        )
    lines.append("  North only: slopes " + ", ".join(f"{float(b):.2f}" for b in mn.slope))
    g, gs = np.asarray(m.gross), np.asarray(m.gross_star)
    lines.append("  mean gross positions / wealth   eq.assets eq.liab lending borrowing")
    lines.append(
        f"    North (model)                 {g[0]:8.3f} {g[1]:7.3f} {g[2]:7.3f} {g[3]:8.3f}"
    )
    lines.append("    industrial (paper, Table 4)      0.039   0.033   0.112    0.114")
    lines.append(
        f"    South (model)                 {gs[0]:8.3f} {gs[1]:7.3f} {gs[2]:7.3f} {gs[3]:8.3f}"
    )
    lines.append("    developing (paper, Table 4)      0.003   0.028   0.045    0.088")
    lines.append(
        f"  crisis rate {float(m.crisis_rate):.4f}/yr (alpha = 0.02), share of years in crisis "
        f"{float(m.fraction_in_crisis):.3f}, failed solves {int(sim.n_failed.sum())}"
    )
    out = {
        "lags": list(m.lags),
        "slope": np.asarray(m.slope).tolist(),
        "intercept": np.asarray(m.intercept).tolist(),
        "r2": np.asarray(m.r2).tolist(),
        "slope_north_only": np.asarray(mn.slope).tolist(),
        "gross_north": g.tolist(),
        "gross_south": gs.tolist(),
        "crisis_rate": float(m.crisis_rate),
        "fraction_in_crisis": float(m.fraction_in_crisis),
        "n_failed": int(sim.n_failed.sum()),
    }
    return "\n".join(lines), out


def run_point(args):
    params = km.KraayParams(
        gamma=args.gamma,
        sigma=args.sigma,
        alpha=args.alpha,
        lam=args.lam,
        delta=args.delta,
        theta=args.theta,
    )
    x = args.wealth_share
    if not 0 < x < 1:
        raise SystemExit("--wealth-share must lie in (0, 1).")
    eq = km.equilibrium(x, 1 - x, params, theta_mode=args.theta_mode, throw=False)
    if eq.result != km.RESULTS.successful:
        print(f"warning: equilibrium solve failed: {eq.result}", file=sys.stderr)
    out = {key: float(getattr(eq, key)) for key in POINT_KEYS}
    out["regime"] = [bool(b) for b in np.asarray(eq.regime)]
    return out


def main(args):
    if args.point:
        out = run_point(args)
        print(json.dumps(out, indent=2))
        if args.json:
            with open(args.json, "w") as f:
                json.dump(out, f, indent=2)
        return out
    t0 = time.time()
    n = 41 if args.quick else 121  # (n - 1) divisible by 4 puts gamma = 0.6 on the grid
    n_paths, years = (50, 20) if args.quick else (400, 32)
    results = {"quick": bool(args.quick)}
    for name, fn in (
        ("tables", run_tables),
        ("base_case", run_base_case),
        ("figures", lambda: run_figures(n, args.figures)),
        ("simulation", lambda: run_simulation(n_paths, years, args.seed)),
    ):
        text, out = fn()
        print(text, end="\n\n", flush=True)
        results[name] = out
    results["runtime_seconds"] = time.time() - t0
    print(f"done in {results['runtime_seconds']:.1f} s")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)
    return results


def _parser():
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--quick", action="store_true", help="small grids and simulation (smoke run)")
    p.add_argument("--json", metavar="PATH", help="write the results as JSON")
    p.add_argument(
        "--figures",
        metavar="DIR",
        default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "out", "kraay2000"),
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--point", action="store_true", help="solve one equilibrium and print it as JSON"
    )
    p.add_argument("--gamma", type=float, default=0.2)
    p.add_argument("--sigma", type=float, default=0.05)
    p.add_argument("--alpha", type=float, default=0.02)
    p.add_argument("--lam", type=float, default=0.2)
    p.add_argument("--delta", type=float, default=0.02)
    p.add_argument("--theta", type=float, default=0.04)
    p.add_argument("--wealth-share", type=float, default=0.8, help="a/(a+a*), with a + a* = 1")
    p.add_argument("--theta-mode", choices=["fixed", "avg_return_4pct"], default="fixed")
    return p


if __name__ == "__main__":
    main(_parser().parse_args())
