"""Decision rules in Dynare's layout (``oo_.dr``).

Conventions (see ``tests/reference/README.md`` §1, checked there against Dynare 5.3):

- ``ys``: the steady state in declaration order (``endo_names``: declared variables, then
  auxiliary ones).
- ``order_var``: Dynare's DR order, four blocks each in declaration order: static (only at
  t), purely predetermined (at t-1, never t+1), mixed (at t-1 and t+1), purely forward-looking.
  This is `model.structure.order_var`.
- ``state_var``: the predetermined and mixed blocks of ``order_var``, i.e.
  `model.states` -- the columns of jaxmacro's `g_x` are already in this order.
- ``ghx`` (n x ns), ``ghu`` (n x ne): rows in DR order; columns state_var at t-1 and the raw
  shocks (covariance Σ = ``Sigma_e``), so only the rows are permuted here.
- ``ghxx`` (n x ns²), ``ghxu`` (n x ns·ne), ``ghuu`` (n x ne²): full second derivatives with
  Kronecker columns ``kron(x, x)``, ``kron(x, u)``, ``kron(u, u)``, and ``ghs2`` (n), which
  contains Σ: jaxmacro's `g_xx`, `g_xu`, `g_uu`, `g_ss` use the same convention, so again
  only the rows move. The rule is
  ``y[ov] = ys[ov] + ghx x + ghu u + ½(ghxx x⊗x + 2 ghxu x⊗u + ghuu u⊗u + ghs2)``.
"""

from __future__ import annotations

import numpy as np

ORDER1_KEYS = ("ys", "order_var", "state_var", "ghx", "ghu")
ORDER2_KEYS = ("ghxx", "ghxu", "ghuu", "ghs2")
NAME_KEYS = ("endo_names", "exo_names")


def to_dynare(solution) -> dict:
    """A [`jaxmacro.Solution`][] in Dynare's ``oo_.dr`` layout.

    **Arguments:**

    - `solution`: a single (not batched) solution of order 1 or 2.

    **Returns:** a dict with the keys ``ys``, ``order_var``, ``state_var``, ``ghx``,
    ``ghu`` (and at order 2 ``ghxx``, ``ghxu``, ``ghuu``, ``ghs2``), ``endo_names`` and
    ``exo_names``: NumPy float64 arrays and lists of names, rows in DR order as described in
    this module's docstring.
    """
    model = solution.model
    g_x = np.asarray(solution.g_x, dtype=np.float64)
    if g_x.ndim != 2:
        raise ValueError(
            f"to_dynare needs a single solution, got g_x of shape {g_x.shape} "
            "(index a batched solution first)"
        )
    ov = list(model.structure.order_var)
    out = {
        "ys": np.asarray(solution.steady_state, dtype=np.float64),
        "order_var": [model.variables[i] for i in ov],
        "state_var": list(model.states),
        "ghx": g_x[ov],
        "ghu": np.asarray(solution.g_u, dtype=np.float64)[ov],
    }
    if solution.order >= 2:
        for key, field in zip(ORDER2_KEYS, ("g_xx", "g_xu", "g_uu", "g_ss")):
            out[key] = np.asarray(getattr(solution, field), dtype=np.float64)[ov]
    out["endo_names"] = list(model.variables)
    out["exo_names"] = list(model.shocks)
    return out


def to_json_dict(solution) -> dict:
    """[`to_dynare`][] with nested lists of floats: what the command line writes as JSON."""
    d = to_dynare(solution)
    return {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in d.items()}


def loglinear(dr: dict) -> dict:
    """Order-1 rules in logs, as ``stoch_simul(loglinear)``: ghx[i, j] · ys[state j] / ys[i],
    ghu[i, k] / ys[i], and ys replaced by log(ys). Needs a positive steady state."""
    names = list(dr["endo_names"])
    ys = np.asarray(dr["ys"], dtype=float)
    if np.any(ys <= 0):
        bad = [n for n, v in zip(names, ys) if v <= 0]
        raise ValueError(f"loglinear needs a positive steady state; not for {', '.join(bad)}")
    pos = {n: i for i, n in enumerate(names)}
    rows = ys[[pos[v] for v in dr["order_var"]]]
    cols = ys[[pos[v] for v in dr["state_var"]]]
    out = dict(dr)
    out["ghx"] = (np.asarray(dr["ghx"], dtype=float) / rows[:, None] * cols[None, :]).tolist()
    out["ghu"] = (np.asarray(dr["ghu"], dtype=float) / rows[:, None]).tolist()
    out["ys"] = np.log(ys).tolist()
    return out
