#!/usr/bin/env python3
"""Re-check the order-3 fixtures from the JSON alone (numpy only; no Dynare needed).

1. The rule of README.md, evaluated with the stored arrays, reproduces `simult_point`
   (one step of Dynare's own order-3 simulator) -- and the misreadings do not.
2. ghx/ghu/ghxx/ghxu/ghuu/ghs2 equal the existing fixtures ../<model>/dr_order{1,2}.json.
"""
import json, os
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REF = os.path.dirname(HERE)


def rule(d, x, u, c_sx=0.5):
    A = {k: np.array(d[k]) for k in ("ghx", "ghu", "ghxx", "ghxu", "ghuu", "ghs2",
                                     "ghxxx", "ghxxu", "ghxuu", "ghuuu", "ghxss", "ghuss")}
    xx, xu, uu = np.kron(x, x), np.kron(x, u), np.kron(u, u)
    return (A["ghx"] @ x + A["ghu"] @ u
            + 0.5 * (A["ghxx"] @ xx + 2 * A["ghxu"] @ xu + A["ghuu"] @ uu + A["ghs2"])
            + (A["ghxxx"] @ np.kron(xx, x) + 3 * A["ghxxu"] @ np.kron(xx, u)
               + 3 * A["ghxuu"] @ np.kron(xu, u) + A["ghuuu"] @ np.kron(uu, u)) / 6
            + c_sx * (A["ghxss"] @ x + A["ghuss"] @ u))


def main():
    for m in ("rbc", "lucas_trees_ds"):
        d = json.load(open(os.path.join(HERE, m, "dr_order3.json")))
        ys = np.array(d["ys"]); ov = np.array(d["order_var_index"]) - 1
        sp = d["simult_point"]
        x, u, ynext = np.array(sp["x"]), np.array(sp["u"]), np.array(sp["y_next"])
        for c in (0.5, 1.0, 1 / 6):
            y = ys[ov] + rule(d, x, u, c)
            print(f"{m}: rule with {c:.4g}*(ghxss x + ghuss u) vs simult_: "
                  f"max|diff| = {np.max(np.abs(y - ynext[ov])):.3e}")
        for fn in ("dr_order2.json", "dr_order1.json"):
            p = os.path.join(REF, m, fn)
            if not os.path.exists(p):
                continue
            r = json.load(open(p))
            assert all(r[k] == d[k] for k in ("endo_names", "order_var", "state_var", "exo_names"))
            keys = [k for k in ("ys", "ghx", "ghu", "ghxx", "ghxu", "ghuu", "ghs2") if k in r]
            print(f"{m}: vs ../{m}/{fn}: " + ", ".join(
                f"{k} {np.max(np.abs(np.array(d[k]) - np.array(r[k]))):.2e}" for k in keys))


if __name__ == "__main__":
    main()
