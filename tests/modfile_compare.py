"""Comparison of jaxmacro's Dynare-layout rules with a Dynare fixture, for imported files
(shared by the importer tests and the conformance corpus)."""

import re

import numpy as np


def _canonical(name: str) -> str:
    """A state's name without the part Dynare takes from its internal expression numbering:
    ``AUX_EXPECT_LAG_2_20`` (20: the node of the expression) is ``AUX_EXPECT_LAG_2``."""
    return re.sub(r"^(AUX_EXPECT_(?:LAG|LEAD)_\d+)_\d+$", r"\1", name)


def compare_dr(dr: dict, ref: dict, order: int, tol: float = 1e-6) -> str | None:
    """None when `dr` (to_json_dict / CLI output) matches `ref` (a Dynare fixture) to `tol`
    relative to max(1, |v|), else a one-line description of the first difference.

    Rows: the declared variables; columns: the states matched by name (Dynare names lead
    auxiliaries after internal node numbers, but those are never states; the auxiliaries of
    EXPECTATION(k)(...) are matched without that number, and two of them with the same k
    among the states are refused as ambiguous)."""
    n_decl = ref["orig_endo_nbr"]
    decl = ref["endo_names"][:n_decl]
    dr_states = [_canonical(v) for v in dr["state_var"]]
    sv = [_canonical(v) for v in ref["state_var"]]
    if len(set(sv)) < len(sv) or len(set(dr_states)) < len(dr_states):
        return f"ambiguous auxiliary state names: {dr['state_var']} vs Dynare {ref['state_var']}"
    if sorted(dr_states) != sorted(sv):
        return f"states differ: {dr['state_var']} vs Dynare {ref['state_var']}"
    ro = {v: i for i, v in enumerate(dr["order_var"])}
    rr = {v: i for i, v in enumerate(ref["order_var"])}
    oc = [dr_states.index(s) for s in sv]
    ri = [ro[v] for v in decl]
    rf = [rr[v] for v in decl]

    def close(name, a, b):
        a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
        if a.shape != b.shape:
            return f"{name}: shape {a.shape} vs Dynare {b.shape}"
        err = np.abs(a - b) / np.maximum(1.0, np.abs(b))
        if err.size and not np.all(err <= tol):
            i = np.unravel_index(np.argmax(np.where(np.isfinite(err), err, np.inf)), err.shape)
            return f"{name}{list(map(int, i))}: {a[i]!r} vs Dynare {b[i]!r}"
        return None

    ys = dict(zip(dr["endo_names"], dr["ys"]))
    checks = [
        ("ys", [ys[v] for v in decl], ref["ys"][:n_decl]),
        (
            "ghx",
            np.asarray(dr["ghx"]).reshape(len(dr["order_var"]), -1)[ri][:, oc]
            if sv
            else np.zeros((len(ri), 0)),
            np.asarray(ref["ghx"]).reshape(len(ref["order_var"]), -1)[rf]
            if sv
            else np.zeros((len(rf), 0)),
        ),
        ("ghu", np.asarray(dr["ghu"])[ri], np.asarray(ref["ghu"])[rf]),
    ]
    if order >= 2:
        ns, ne = len(sv), len(ref["exo_names"])
        pxx = [a * ns + b for a in oc for b in oc]
        pxu = [a * ne + k for a in oc for k in range(ne)]
        checks += [
            (
                "ghxx",
                np.asarray(dr["ghxx"]).reshape(len(ri and dr["order_var"]), -1)[ri][:, pxx],
                np.asarray(ref["ghxx"]).reshape(len(ref["order_var"]), -1)[rf],
            ),
            (
                "ghxu",
                np.asarray(dr["ghxu"]).reshape(len(dr["order_var"]), -1)[ri][:, pxu],
                np.asarray(ref["ghxu"]).reshape(len(ref["order_var"]), -1)[rf],
            ),
            (
                "ghuu",
                np.asarray(dr["ghuu"]).reshape(len(dr["order_var"]), -1)[ri],
                np.asarray(ref["ghuu"]).reshape(len(ref["order_var"]), -1)[rf],
            ),
            ("ghs2", np.asarray(dr["ghs2"])[ri], np.asarray(ref["ghs2"])[rf]),
        ]
    for name, a, b in checks:
        msg = close(name, a, b)
        if msg:
            return msg
    return None
