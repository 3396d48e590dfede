"""The paper's reported numbers  and tables of ours beside them."""

from __future__ import annotations

#: Table 5 (400 × std of quarterly log returns, "annual %"): row -> (fa, pi, fi).
PAPER_TABLE5 = {
    "r_f": (0.15, 0.11, 0.11),
    "r_t": (0.57, 0.44, 0.44),
    "r_n": (1.09, 0.94, 0.92),
    "r_w": (0.80, 0.64, 0.61),
    "fx": (3.75, 3.56, 3.55),
    "r_adr": (0.44, 0.44, 0.44),
}
#: Cross-country correlation of the log IMRS (Sec. 4.2, App. B); "fi_lambda075": λn = 0.75.
PAPER_IMRS = {"fa": 0.0, "pi": 0.52, "fi": 0.669, "fi_lambda075": 0.562}
#: Table 2 (quarterly, % of GDP): column -> std, min, max, mean_abs.
PAPER_TABLE2 = {
    "pi_bonds": dict(std=6.06, min=-29.23, max=30.99, mean_abs=4.83),
    "fi_bonds": dict(std=1.64, min=-6.26, max=6.10, mean_abs=1.30),
    "fi_equity": dict(std=0.88, min=-4.02, max=4.23, mean_abs=0.70),
}
#: Table 4 (flows in levels × 100): std, return-chasing and rebalancing shares.
PAPER_TABLE4 = {
    "pi_bonds": dict(std=43.09, return_chasing=0.993, rebalancing=0.007),
    "fi_equity": dict(std=6.26, return_chasing=2.38, rebalancing=-1.38),
    "fi_bonds": dict(std=11.63, return_chasing=0.991, rebalancing=0.009),
}
#: Table 8: std(r^t - r̂^t) printed in basis points (81.06 = 0.8106 %), shares.
PAPER_TABLE8 = {
    "fa": dict(std=0.8106, dividends=0.357, imrs=0.643),
    "pi": dict(std=0.3264, dividends=0.997, imrs=0.003),
    "fi": dict(std=0.3264, dividends=0.998, imrs=0.002),
}
#: Table 6, regression (36): column (menu, equity) -> α1, α2, α3, R², α1 under α1 = 1 - α2.
PAPER_TABLE6 = {
    ("fa", "t"): dict(alpha1=2.675, alpha2=0.0, alpha3=0.0, r2=0.818, alpha1_restricted=1.0),
    ("fa", "n"): dict(alpha1=-0.341, alpha2=0.0, alpha3=0.0, r2=0.273, alpha1_restricted=1.0),
    ("pi", "t"): dict(alpha1=0.257, alpha2=-0.149, alpha3=0.0, r2=0.420, alpha1_restricted=2.390),
    ("pi", "n"): dict(alpha1=0.767, alpha2=0.120, alpha3=0.0, r2=0.823, alpha1_restricted=0.865),
    ("fi", "t"): dict(alpha1=0.067, alpha2=0.068, alpha3=0.0, r2=0.657, alpha1_restricted=0.496),
    ("fi", "n"): dict(alpha1=0.934, alpha2=-0.069, alpha3=0.0, r2=0.987, alpha1_restricted=1.079),
}
#: Table 7 (quarterly %, 100 (ln P̂^t - ln P̃^t)).
PAPER_TABLE7 = {
    "fa": dict(mean=0.06, std=1.25, min=-4.87, max=4.72, mean_abs=0.99),
    "pi": dict(mean=0.00, std=0.12, min=-0.67, max=1.96, mean_abs=0.05),
    "fi": dict(mean=0.0, std=0.0, min=0.0, max=0.0, mean_abs=0.0),
}
#: Table 3 (fi): std of the CA (% of GDP) and CV(flow, CA)/V(CA) (internally inconsistent in
#: the paper: qualitative only).
PAPER_TABLE3 = dict(std_ca=0.293, bonds=18.3711, equity_assets=-8.6783, equity_liabilities=-8.6875)
#: Zero-order portfolios (paper App. B): home shares [t, t̂, n], bond = 1 - sum.
PAPER_ALPHA = {
    "pi": (0.5, 0.0, 0.5),
    "fi": (0.25, 0.25, 0.5),
    "fi_lambda075": (0.0924, 0.0924, 0.8153),
}


def rows(paper: dict, ours: dict, label: str = ""):
    """[(label.key, paper, ours, ours - paper)] for the keys both have (NaN-safe floats)."""
    out = []
    for k, pv in paper.items():
        if k in ours and pv is not None:
            ov = float(ours[k])
            out.append((f"{label}{k}", float(pv), ov, ov - float(pv)))
    return out


def format_rows(title: str, rs) -> str:
    lines = [title, f"  {'':<28}{'paper':>10}{'ours':>12}{'diff':>11}"]
    for name, pv, ov, dv in rs:
        lines.append(f"  {name:<28}{pv:>10.4f}{ov:>12.4f}{dv:>+11.4f}")
    return "\n".join(lines)
