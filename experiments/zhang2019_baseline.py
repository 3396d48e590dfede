"""Zhang (2019), "Country portfolios under global imbalances": the baseline model's Table 2.

What it shows:

* Table 2 of the paper — steady state (τ, τ*, w, r, z, c, c*), the Devereux–Sutherland portfolio
  α and its decomposition α[1] … α[4] (self-hedging, current and future net-portfolio-return
  hedges, demographic term), the covariances, the impact trade / intertemporal terms-of-trade /
  valuation effects and the home-bias ratio — for every β* column, printed in the paper's
  layout next to the paper's printed values. All columns come from ONE vmapped solve.
* Figure 2 (steady-state portfolio decomposition and holdings), Figure 3 (responses of r̂_2,
  Σ^rn and r̂_1 to home and foreign shocks) and Figure 4 (impulse responses to a home shock with
  and without portfolios) as PNG files, at β* = 0.97 (or the first asymmetric column).
* The symmetric column (β = β*, which uses n = 0 as in the paper) has an exact unit root in
  net foreign assets; it is solved like the others (unit roots counted stable) and gives Lucas
  full diversification α = -z/2.

``--newborn-wealth market`` switches to the internally consistent valuation of the new-borns'
endowment (the portfolio is then exactly the market portfolio, α = (w - z/ñ)/2).

Usage:

    python experiments/zhang2019_baseline.py [--beta-star B [B ...]] [--beta 0.96] [--n 0.01]
        [--mu 0.95] [--newborn-wealth {steady_state_rate,market}] [--json PATH]
        [--figures DIR]
"""

import argparse
import json
import math
import pathlib
import sys
import time

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import jaxmacro as jm  # noqa: E402
from jaxmacro.models import zhang2019 as Z  # noqa: E402

ROWS = (  # (key, label, decimals) in the paper's order
    ("tau", "tau", 3),
    ("tau_star", "tau*", 3),
    ("w", "w", 2),
    ("r", "r", 3),
    ("z", "z1, z2", 3),
    ("c", "c", 2),
    ("c_star", "c*", 2),
    ("alpha", "alpha", 3),
    ("alpha_1", "alpha[1] self-hedging", 3),
    ("alpha_2", "alpha[2] current NFA returns", 3),
    ("alpha_3", "alpha[3] future NFA returns", 3),
    ("alpha_4", "alpha[4] demographic", 3),
    ("cov_r2_rx", "cov(r2, rx)", 4),
    ("cov_r1_rxstar", "cov(r1, rx*)", 4),
    ("var_rx", "var(rx)", 4),
    ("trade_effect", "Trade effect (TB)", 3),
    ("tt_effect", "Intertemporal TT effect", 3),
    ("val_effect", "Gross portfolio VAL effect", 3),
    ("home_bias_ratio", "(z+a)/(z+w) home bias", 4),
)


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--beta-star",
        type=float,
        nargs="+",
        default=[0.96, 0.965, 0.97, 0.975, 0.98],
        help="foreign discount factors, one column each (default: the paper's five)",
    )
    ap.add_argument("--beta", type=float, default=0.96, help="home discount factor")
    ap.add_argument(
        "--n",
        type=float,
        default=0.01,
        help="population growth (columns with beta* == beta use n = 0, as the paper)",
    )
    ap.add_argument("--mu", type=float, default=0.95, help="endowment persistence")
    ap.add_argument("--newborn-wealth", choices=Z.NEWBORN_WEALTH, default="steady_state_rate")
    ap.add_argument("--json", type=pathlib.Path, default=None, help="write the columns here")
    ap.add_argument(
        "--figures", type=pathlib.Path, default=pathlib.Path("experiments/out/zhang2019")
    )
    return ap.parse_args(argv)


def paper_column(beta, beta_star, n, mu):
    """Index of the paper's Table 2 column with these parameters, or None."""
    if abs(mu - 0.95) > 1e-12:
        return None
    for j, (b, bs, nn) in enumerate(Z.TABLE2_COLUMNS):
        if abs(b - beta) < 1e-12 and abs(bs - beta_star) < 1e-12 and abs(nn - n) < 1e-12:
            return j
    return None


def symmetric(c):
    return c["beta"] == c["beta_star"] and c["n"] == 0


def fmt(x, d):
    if not math.isfinite(x):
        return "nan"
    s = f"{x:.{d}f}"
    return s.lstrip("-") if float(s) == 0 else s  # no "-0.000"


def fmt_paper(key, k):
    values, decimals = Z.PAPER_TABLE2[key]
    d = decimals[k] if isinstance(decimals, tuple) else decimals
    return "-" if values[k] is None else f"{values[k]:.{d}f}"


def print_table(cols, res, newborn_wealth):
    print(
        f"\nTable 2 (Zhang 2019), newborn_wealth = {newborn_wealth!r}; "
        "cells: model [paper's printed value]"
    )
    names = [f"beta*={c['beta_star']:g}" + (" (sym)" if symmetric(c) else "") for c in cols]
    head = "".join(f"{h:>24}" for h in names)
    print(f"{'':30}{head}")
    for key, label, d in ROWS:
        cells = []
        for j, c in enumerate(cols):
            v = float(res[key][j])
            if key in ("tau", "tau_star") and symmetric(c):
                s = "(1)"
            else:
                s = fmt(v, d + 1 if key.startswith("alpha") or key == "home_bias_ratio" else d)
            k = c["paper"]
            if k is not None:
                s += f" [{fmt_paper(key, k)}]"
            cells.append(f"{s:>24}")
        print(f"{label:30}" + "".join(cells))
    status = [jm.result_name(r) for r in res["_result"]]
    if any(s != "successful" for s in status):
        print(
            "\nfailed columns: "
            + ", ".join(
                f"beta*={c['beta_star']:g}: {s}" for c, s in zip(cols, status) if s != "successful"
            )
        )
    print(
        "Known misprints (spec): c* in column 4 is 1.3579 (printed 1.35); alpha[4] in column 5 "
        "is 0.20346 (printed 0.204)."
    )


def figure2(b, path):
    z, alpha, w = float(b.z), float(b.alpha), float(b.w)
    parts = [float(b.alpha_1), float(b.alpha_2), float(b.alpha_3), float(b.alpha_4)]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4.5))
    labels = [
        "alpha[1]\nself-hedging",
        "alpha[2]\ncurrent NFA",
        "alpha[3]\nfuture NFA",
        "alpha[4]\ndemographic",
        "alpha",
    ]
    vals = parts + [alpha]
    colors = ["tab:blue", "tab:red", "tab:orange", "tab:green", "k"]
    ax1.bar(range(5), vals, color=colors)
    for i, v in enumerate(vals):
        ax1.text(i, v, f"{v:.3f}", ha="center", va="bottom" if v > 0 else "top", fontsize=8)
    ax1.axhline(0, color="k", lw=0.5)
    ax1.axhline(-z / 2, color="gray", ls="--", lw=0.8, label="-z/2 (Lucas)")
    ax1.set_xticks(range(5), labels, fontsize=8)
    ax1.set_title(f"(a) decomposition of alpha, beta*={float(b.beta_star):g}")
    ax1.legend(fontsize=8)
    # holdings: asset 1 (home equity) and asset 2 (foreign equity), stacked home / foreign
    home = [z + alpha, w - alpha]
    foreign = [-alpha, z - w + alpha]
    x = np.arange(2)
    ax2.bar(x, home, color="tab:blue", label="held by home")
    ax2.bar(x, foreign, bottom=home, color="tab:gray", label="held by foreign")
    for i in range(2):
        ax2.text(i, home[i] / 2, f"{home[i]:.3f}", ha="center", color="w")
        ax2.text(i, home[i] + foreign[i] / 2, f"{foreign[i]:.3f}", ha="center", color="w")
    ax2.axhline(z / 2, color="k", ls="--", lw=0.8, label="full diversification z/2")
    ax2.set_xticks(x, ["asset 1 (home)", "asset 2 (foreign)"])
    ax2.set_title("(b) steady-state holdings (columns sum to z)")
    ax2.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def figure3(b, path, periods=20):
    home = Z.impulse_responses(b, periods, shock=0)
    foreign = Z.impulse_responses(b, periods, shock=1)
    t = np.arange(periods)
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.8))
    axes[0].plot(t, home["r2"], "-", label="home shock")
    axes[0].plot(t, foreign["r2"], "--", label="foreign shock")
    axes[0].set_title("(a) r2 (foreign-equity return)")
    zs = np.asarray(b.zeta_srn)
    axes[1].bar([0, 1], zs, color=["tab:blue", "tab:orange"])
    axes[1].set_xticks([0, 1], ["home shock", "foreign shock"])
    for i, v in enumerate(zs):
        axes[1].text(i, v, f"{v:.5f}", ha="center", va="top", fontsize=8)
    axes[1].set_title("(b) impact on sum of future rates")
    axes[2].plot(t, home["r1"], "-", label="home shock")
    axes[2].plot(t, foreign["r1"], "--", label="foreign shock")
    axes[2].set_title("(c) r1 (home-equity return)")
    for ax in (axes[0], axes[2]):
        ax.axhline(0, color="k", lw=0.5)
        ax.legend(fontsize=8)
        ax.set_xlabel("years")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def figure4(b, path, periods=30):
    w = Z.impulse_responses(b, periods, with_portfolio=True)
    wo = Z.impulse_responses(b, periods, with_portfolio=False)
    panels = [
        ("cd", "(a) c^D"),
        ("w", "(b) w (NFA, end of period)"),
        ("c", "(c) c"),
        ("c_star", "(d) c*"),
        ("tb", "(e) TB"),
        ("tt", "(f) TT"),
        ("val", "(g) VAL"),
        ("shock", "(h) epsilon"),
    ]
    t = np.arange(periods)
    fig, axes = plt.subplots(2, 4, figsize=(14, 6))
    for ax, (k, title) in zip(axes.flat, panels):
        ax.plot(t, np.asarray(w[k]), "-", label="with portfolios")
        if k != "shock":
            ax.plot(t, np.asarray(wo[k]), "--", label="without (alpha = 0)")
        ax.axhline(0, color="k", lw=0.5)
        ax.set_title(title)
    axes.flat[0].legend(fontsize=8)
    fig.suptitle(f"Responses to a home endowment shock, beta*={float(b.beta_star):g}")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv=None):
    args = parse_args(argv)
    t0 = time.perf_counter()
    cols = []
    for bs in args.beta_star:
        n = 0.0 if bs == args.beta else args.n
        cols.append(
            dict(
                beta=args.beta,
                beta_star=bs,
                n=n,
                mu=args.mu,
                paper=paper_column(args.beta, bs, n, args.mu),
            )
        )
    params = {
        k: jnp.asarray([c[k] for c in cols], dtype=jnp.float64)
        for k in ("beta", "beta_star", "n", "mu")
    }
    # one vmapped solve for every column
    solve = jax.vmap(lambda p: Z.baseline(p, newborn_wealth=args.newborn_wealth, throw=False))
    batch = solve(params)
    jax.block_until_ready(batch.alpha)
    t_solve = time.perf_counter() - t0
    res = {k: np.asarray(getattr(batch, k), dtype=float) for k in Z.Baseline.JSON_KEYS}
    res["_result"] = [
        jax.tree_util.tree_map(lambda x: x[j], batch.result) for j in range(len(cols))
    ]
    for j, c in enumerate(cols):
        if jm.result_name(res["_result"][j]) != "successful":
            continue
        # symmetric column: a unit root, solved and checked (no NaN, the Lucas value)
        if symmetric(c):
            assert abs(res["alpha"][j] + res["z"][j] / 2) < 1e-8, "symmetric column is not -z/2"
    print_table(cols, res, args.newborn_wealth)
    print(
        "\nconsistent home share (z/n~+a)/(z/n~+w): "
        + ", ".join(fmt(float(x), 4) for x in np.asarray(batch.home_bias_consistent))
    )
    print(f"solved {len(cols)} column(s) in one vmapped call: {t_solve:.2f} s (incl. compilation)")

    if args.json is not None:
        out = []
        for j in range(len(cols)):
            row = {}
            for k in Z.Baseline.JSON_KEYS:
                v = float(res[k][j])
                row[k] = v + 0.0 if math.isfinite(v) else None
            out.append(row)
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(out, indent=1))
        print(f"wrote {args.json}")

    # figures at beta* = 0.97 if present, else the first successful asymmetric column
    ok = [j for j in range(len(cols)) if jm.result_name(res["_result"][j]) == "successful"]
    asym = [j for j in ok if cols[j]["beta"] != cols[j]["beta_star"]]
    pick = [j for j in asym if abs(cols[j]["beta_star"] - 0.97) < 1e-12] or asym or ok
    if pick:
        j = pick[0]
        b = jax.tree_util.tree_map(lambda x: x[j], batch)
        args.figures.mkdir(parents=True, exist_ok=True)
        figure2(b, args.figures / "figure2_portfolio.png")
        figure3(b, args.figures / "figure3_returns.png")
        figure4(b, args.figures / "figure4_irf.png")
        print(f"figures (beta* = {cols[j]['beta_star']:g}) in {args.figures}")
    print(f"total {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
