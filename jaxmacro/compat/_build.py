"""From a parsed [`ModFile`][] to an ordinary [`jaxmacro.Model`][].

The residual function, the analytic steady state and the shock covariance are small
callable objects that walk the expression trees with `jax.numpy`: they trace, jit, vmap and
differentiate like hand-written model code. They compare and hash by value, so importing the
same file twice gives equal models that share compiled code.

**Auxiliary variables** (as Dynare's preprocessor): a lead x(+k), k ≥ 2, uses
``AUX_ENDO_LEAD_<id>_<j>`` = x(+j) (j = 1..k-1, defined by AUX_1 = x(+1), AUX_j = AUX_{j-1}(+1))
and becomes AUX_{k-1}(+1); a lag x(-k), k ≥ 2, uses ``AUX_ENDO_LAG_<id>_<j>`` = x(-j)
(AUX_1 = x(-1), AUX_j = AUX_{j-1}(-1)) and becomes AUX_{k-1}(-1); a lagged shock e(-k) uses
``AUX_EXO_LAG_<id>_<j>`` = e(-j), j = 0..k-1, and becomes AUX_{k-1}(-1). ``<id>`` is Dynare's
0-based symbol number of x (declaration order over ``var``, ``varexo`` and ``parameters``
statements). Leads are substituted first, then lags; auxiliary variables and their equations
follow the declared ones, in order of creation. (Dynare names lead auxiliaries after an
internal node number instead; the decision rules of the declared variables are the same.)

**Parameters.** The parameter block is evaluated once, in file order, in float64 NumPy.
With ``derived_params="fixed"`` (the default, as Dynare) every declared parameter is an
ordinary parameter of the model whose default is the value the block computed; changing
``beta`` later does not recompute a ``psi`` the file derived from it. With
``derived_params="follow"`` the parameters whose value the file computes from other
parameters are not parameters of the model: the block is re-run (in JAX) from the free ones
each time, so derived values follow under calibration, vmap and grad. Overrides given at
import (``params=``, the command line's ``--param``) replace every assignment of the name in
the block, as if the file had been edited, so derived values follow them in both modes.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Mapping

import jax
import jax.numpy as jnp
import jax.scipy as jsp
import numpy as np

from .._model import Model
from . import _ast as A
from ._errors import ModError, ModWarning
from ._modfile import ModFile
from ._parser import MAX_TREE_DEPTH

# ---------------------------------------------------------------------------- operations

_SQRT2 = math.sqrt(2.0)


def _np_normcdf(x, m=0.0, s=1.0):
    return 0.5 * math.erfc(-(float(x) - float(m)) / (float(s) * _SQRT2))


def _np_normpdf(x, m=0.0, s=1.0):
    z = (float(x) - float(m)) / float(s)
    return math.exp(-0.5 * z * z) / (float(s) * math.sqrt(2 * math.pi))


def _safe(f):
    def g(*a):
        try:
            return np.float64(f(*(float(x) for x in a)))
        except (ValueError, OverflowError, ZeroDivisionError):
            return np.float64(np.nan)

    return g


_NP_FUNCS = {
    "exp": np.exp,
    "log": np.log,
    "log10": np.log10,
    "sqrt": np.sqrt,
    "cbrt": np.cbrt,
    "abs": np.abs,
    "sign": np.sign,
    "sin": np.sin,
    "cos": np.cos,
    "tan": np.tan,
    "asin": np.arcsin,
    "acos": np.arccos,
    "atan": np.arctan,
    "sinh": np.sinh,
    "cosh": np.cosh,
    "tanh": np.tanh,
    "asinh": np.arcsinh,
    "acosh": np.arccosh,
    "atanh": np.arctanh,
    "erf": _safe(math.erf),
    "erfc": _safe(math.erfc),
    "min": np.minimum,
    "max": np.maximum,
    "normcdf": _safe(_np_normcdf),
    "normpdf": _safe(_np_normpdf),
}
_JNP_FUNCS = {
    "exp": jnp.exp,
    "log": jnp.log,
    "log10": jnp.log10,
    "sqrt": jnp.sqrt,
    "cbrt": jnp.cbrt,
    "abs": jnp.abs,
    "sign": jnp.sign,
    "sin": jnp.sin,
    "cos": jnp.cos,
    "tan": jnp.tan,
    "asin": jnp.arcsin,
    "acos": jnp.arccos,
    "atan": jnp.arctan,
    "sinh": jnp.sinh,
    "cosh": jnp.cosh,
    "tanh": jnp.tanh,
    "asinh": jnp.arcsinh,
    "acosh": jnp.arccosh,
    "atanh": jnp.arctanh,
    "erf": jsp.special.erf,
    "erfc": jsp.special.erfc,
    "min": jnp.minimum,
    "max": jnp.maximum,
    "normcdf": lambda x, m=0.0, s=1.0: jsp.stats.norm.cdf(x, m, s),
    "normpdf": lambda x, m=0.0, s=1.0: jsp.stats.norm.pdf(x, m, s),
}


class _Env:
    """Where the leaves of a tree get their values during one evaluation."""

    def __init__(
        self, funcs, *, endo=None, exo=None, params=None, temps=None, steady=None, numpy=False
    ):
        self.funcs, self.numpy = funcs, numpy
        self.endo, self.exo, self.params, self.temps = endo, exo, params, temps or {}
        self.steady = steady  # callable () -> dict name -> steady-state value
        self.locals: dict[str, object] = {}

    def at_steady_state(self) -> _Env:
        ss = self.steady()
        env = _Env(
            self.funcs,
            endo=lambda n, lag: ss[n],
            exo=lambda n, lag: 0.0,
            params=self.params,
            numpy=self.numpy,
        )
        return env


def evaluate(node, env: _Env):
    """Value of an expression tree (NumPy float64 or JAX, depending on `env`)."""
    if isinstance(node, A.Num):
        return np.float64(node.value)
    if isinstance(node, A.Bin):
        a, b = evaluate(node.a, env), evaluate(node.b, env)
        op = node.op
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if op == "/":
            return a / b
        if op == "^":
            if (
                isinstance(node.b, A.Num)
                and node.b.value == int(node.b.value)
                and abs(node.b.value) <= 64
                and not env.numpy
            ):
                return a ** int(node.b.value)  # integer power: exact, defined for a < 0
            return a**b if env.numpy else jnp.power(a, b)
        cmp = (
            {
                "<": np.less,
                ">": np.greater,
                "<=": np.less_equal,
                ">=": np.greater_equal,
                "==": np.equal,
                "!=": np.not_equal,
            }[op]
            if env.numpy
            else {
                "<": jnp.less,
                ">": jnp.greater,
                "<=": jnp.less_equal,
                ">=": jnp.greater_equal,
                "==": jnp.equal,
                "!=": jnp.not_equal,
            }[op]
        )
        r = cmp(a, b)
        return np.float64(r) if env.numpy else jnp.where(r, 1.0, 0.0)
    if isinstance(node, A.Neg):
        return -evaluate(node.x, env)
    if isinstance(node, A.Param):
        return env.params[node.name]
    if isinstance(node, A.Endo):
        return env.endo(node.name, node.lag)
    if isinstance(node, A.Exo):
        return env.exo(node.name, node.lag)
    if isinstance(node, A.Temp):
        return env.temps[node.name]
    if isinstance(node, A.Local):
        if node.name not in env.locals:
            env.locals[node.name] = evaluate(node.expr, env)
        return env.locals[node.name]
    if isinstance(node, A.Call):
        return env.funcs[node.fn](*(evaluate(a, env) for a in node.args))
    if isinstance(node, A.SteadyStateOf):
        return evaluate(node.x, env.at_steady_state())
    raise TypeError(f"unknown node {node!r}")


# ---------------------------------------------------------------------------- the spec


class _Spec:
    """Everything numeric code needs, as hashable static data (compared by value).

    Fields: `variables` (declared + auxiliary), `shocks`, `model_params` (the parameters of
    the jaxmacro Model), `param_program` (follow mode: assignments of derived parameters),
    `equations` (residual trees: declared, then auxiliary equations), `steady_program`
    (``steady_state_model`` assignments or None), `aux_sources` (auxiliary name -> declared
    source, None for a shock), `shock_statements` ((kind, shock indices, expression)).
    """

    FIELDS = (
        "variables",
        "shocks",
        "model_params",
        "param_program",
        "equations",
        "steady_program",
        "aux_sources",
        "shock_statements",
        "steady_params",
        "numeric_steady",
    )

    def __init__(self, **kw):
        if set(kw) != set(self.FIELDS):
            raise TypeError(f"_Spec needs exactly {self.FIELDS}")
        for k in self.FIELDS:
            object.__setattr__(self, k, kw[k])
        object.__setattr__(self, "_key", tuple(kw[k] for k in self.FIELDS))
        object.__setattr__(self, "_hash", hash(self._key))

    def __setattr__(self, name, value):
        raise AttributeError("_Spec is immutable")

    def __hash__(self):
        return self._hash

    def __eq__(self, other):
        return self is other or (
            type(other) is _Spec and self._hash == other._hash and self._key == other._key
        )

    def __repr__(self):
        return (
            f"<{len(self.equations)} equations in {', '.join(self.variables)}; "
            f"shocks {', '.join(self.shocks) or '(none)'}>"
        )

    # -- parameters -------------------------------------------------------------------
    def full_params(self, theta) -> dict:
        """All declared parameters (a dict of scalars) from the model's parameter vector."""
        P = {n: theta[..., i] for i, n in enumerate(self.model_params)}
        if self.param_program:
            env = _Env(_JNP_FUNCS, params=P)
            for target, expr in self.param_program:
                env.locals = {}
                P[target] = evaluate(expr, env)
        return P

    # -- steady state -----------------------------------------------------------------
    def run_steady_program(self, P) -> tuple[dict, dict]:
        """``steady_state_model`` in file order: (steady state of every variable, the
        parameters updated by the block, as Dynare updates ``M_.params``)."""
        P = dict(P)
        env = _Env(_JNP_FUNCS, params=P)
        env.endo = lambda n, lag: values.get(n, 0.0)
        env.exo = lambda n, lag: 0.0
        values: dict = {}
        env.temps = values
        for target, expr in self.steady_program:
            env.locals = {}
            v = evaluate(expr, env)
            if target in self.steady_params:
                P[target] = v
            else:
                values[target] = v
        out = {v: values.get(v, 0.0) for v in self.variables if v not in self.aux_names}
        return self.with_aux(out, P), P

    @property
    def aux_names(self):
        return {a for a, _ in self.aux_sources}

    def with_aux(self, out: dict, P) -> dict:
        env = _Env(_JNP_FUNCS, params=P, endo=lambda n, lag: out[n], exo=lambda n, lag: 0.0)
        out = dict(out)
        for aux, src in self.aux_sources:
            env.locals = {}
            out[aux] = evaluate(src, env)
        return out

    def steady_state(self, P, theta=None) -> dict:
        if self.steady_program is not None:
            return self.run_steady_program(P)[0]
        # numerical steady state (STEADY_STATE(...) without steady_state_model)
        y = self.numeric_steady(theta)
        return {v: y[..., i] for i, v in enumerate(self.variables)}

    def effective_params(self, P) -> dict:
        """Parameters as the dynamic model sees them (after steady_state_model)."""
        if self.steady_params:
            return self.run_steady_program(P)[1]
        return P


def _residual_kernel(spec: _Spec, y_lag, y, y_lead, u, theta):
    P0 = spec.full_params(theta)
    P = spec.effective_params(P0)
    idx = {v: i for i, v in enumerate(spec.variables)}
    sidx = {s: i for i, s in enumerate(spec.shocks)}
    rows = {-1: y_lag, 0: y, 1: y_lead}
    cache = {}

    def steady():
        if "ss" not in cache:
            cache["ss"] = spec.steady_state(P0, theta)
        return cache["ss"]

    env = _Env(
        _JNP_FUNCS,
        endo=lambda n, lag: rows[lag][..., idx[n]],
        exo=lambda n, lag: u[..., sidx[n]],
        params=P,
        steady=steady,
    )
    dtype = jnp.result_type(y.dtype, theta.dtype, float)
    out = []
    for eq in spec.equations:
        env.locals = {}
        out.append(jnp.asarray(evaluate(eq, env), dtype=dtype))
    return jnp.stack(out, axis=-1)


@dataclasses.dataclass(frozen=True)
class ModResiduals:
    """Residual function of an imported model: ``residuals(lag, cur, lead, shocks, params)``.

    Walks the model's expression trees with `jax.numpy`. Equal (and equally hashed) for equal
    files, so jitted front doors compile once per model, not once per import.
    """

    spec: _Spec

    def __call__(self, lag, cur, lead, shocks, params):
        return _residual_kernel(
            self.spec, lag.values, cur.values, lead.values, shocks.values, params.values
        )


@dataclasses.dataclass(frozen=True)
class ModSteadyState:
    """Analytic steady state from the file's ``steady_state_model`` block."""

    spec: _Spec

    def __call__(self, p):
        return self.spec.steady_state(self.spec.full_params(p.values), p.values)


@dataclasses.dataclass(frozen=True)
class ModShockCov:
    """Σ from the ``shocks`` block (Dynare's ``Sigma_e``), a function of the parameters.

    Variances (``stderr s`` gives s², ``var e = v`` gives v) and covariances
    (``var e, f = c``) are set in file order, then correlations (``corr e, f = r`` gives
    r·σ_e·σ_f). Shocks the block does not mention have variance 0, as in Dynare.
    """

    spec: _Spec

    def __call__(self, p):
        spec = self.spec
        P = spec.full_params(p.values)
        env = _Env(_JNP_FUNCS, params=P)
        ne = len(spec.shocks)
        dtype = jnp.result_type(p.values.dtype, float)
        S = jnp.zeros((ne, ne), dtype=dtype)
        corr = []
        for kind, ij, expr in spec.shock_statements:
            env.locals = {}
            v = jnp.asarray(evaluate(expr, env), dtype=dtype)
            if kind == "stderr":
                S = S.at[ij[0], ij[0]].set(v * v)
            elif kind == "var":
                S = S.at[ij[0], ij[0]].set(v)
            elif kind == "cov":
                S = S.at[ij[0], ij[1]].set(v).at[ij[1], ij[0]].set(v)
            else:
                corr.append((ij, v))
        for (i, j), r in corr:
            c = r * jnp.sqrt(S[i, i] * S[j, j])
            S = S.at[i, j].set(c).at[j, i].set(c)
        return S


# ---------------------------------------------------------------------------- building


def _fail(mod: ModFile, msg: str, line: int, col: int):
    raise ModError(msg, line, col, mod.filename)


def _parameter_values(
    mod: ModFile, overrides: Mapping[str, float], notes: list[str]
) -> tuple[dict[str, float], dict[str, float]]:
    """(declared parameters, mod-file local variables): values after the file's top-level
    assignments (up to the last stoch_simul)."""
    values: dict[str, np.float64] = {}
    for k, v in overrides.items():
        values[k] = np.float64(v)
    with np.errstate(all="ignore"):
        for a in mod.param_assignments:
            if a.target in overrides:
                continue
            env = _Env(_NP_FUNCS, params=values, numpy=True)
            try:
                values[a.target] = np.float64(evaluate(a.expr, env))
            except KeyError as e:  # a parameter given its value only after this line
                _fail(mod, f"{a.target!r} uses {e.args[0]!r} before it has a value", a.line, a.col)
    ss_params = {a.target for a in (mod.steady_state_model or ()) if a.target in mod.parameters}
    used = _used_names(mod)
    for name in mod.parameters:
        if name not in values:
            if name in ss_params:
                values[name] = np.float64(0.0)  # set by steady_state_model before any use
                continue
            if name not in used:
                notes.append(
                    f"{mod.filename}, line {mod.declared_at[name][0]}: parameter "
                    f"{name!r} has no value and is not used (set to 0; Dynare: NaN)"
                )
                values[name] = np.float64(0.0)
                continue
            line, col = mod.declared_at[name]
            _fail(
                mod,
                f"parameter {name!r} is never given a value (assign it in the file or override it)",
                line,
                col,
            )
    for a in mod.param_assignments:
        if (
            a.target not in overrides
            and not np.isfinite(values[a.target])
            and (a.target in used or a.target in mod.local_names)
        ):
            _fail(
                mod,
                f"{'mod-file local variable' if a.target in mod.local_names else 'parameter'}"
                f" {a.target!r} evaluates to {values[a.target]} (only the "
                "final value counts)",
                a.line,
                a.col,
            )
    return (
        {k: float(values[k]) for k in mod.parameters},
        {k: float(values[k]) for k in mod.local_names if k in values},
    )


def _used_names(mod: ModFile) -> set[str]:
    """Parameter names that appear in the model, steady_state_model, initval, shocks or the
    value of a parameter or local variable that does."""
    trees = [eq.lhs for eq in mod.equations] + [eq.rhs for eq in mod.equations]
    trees += [d for _, d in mod.expectation_aux]
    trees += [a.expr for a in (mod.steady_state_model or ())] + [a.expr for a in mod.initval]
    trees += [s.expr for s in mod.shocks]
    used = {n.name for t in trees for n in A.walk(t) if isinstance(n, A.Param)}
    for a in reversed(mod.param_assignments):
        if a.target in used:
            used |= {n.name for n in A.walk(a.expr) if isinstance(n, A.Param)}
    return used


def _subst_locals(node, local_values):
    if not local_values:
        return node
    return A.transform(
        node,
        lambda n: (
            A.Num(local_values[n.name], n.line, n.col)
            if isinstance(n, A.Param) and n.name in local_values
            else None
        ),
    )


def _derived(mod: ModFile, overrides) -> set[str]:
    out = set()
    for a in mod.param_assignments:
        if a.target not in overrides and any(isinstance(n, A.Param) for n in A.walk(a.expr)):
            out.add(a.target)
    return out


def _max_lead(node, cls) -> int:
    """Largest lead (> 0) of a variable of type `cls` in a tree (model-local variables
    expanded, STEADY_STATE(...) excluded); 0 if none."""
    m, stack = 0, [node]
    while stack:
        n = stack.pop()
        if isinstance(n, cls):
            m = max(m, n.lag)
        elif not isinstance(n, A.SteadyStateOf):
            stack.extend(A.children(n))
    return m


class _AuxBuilder:
    """Dynare's auxiliary variables (ModFile::transformPass for stochastic models).

    Leads: ``substituteEndoLeadGreaterThanTwo`` then ``substituteExoLead``. A subexpression
    E with a lead of 2 or more (of an exogenous variable: 1 or more) is replaced as a whole,
    except through sums, differences, unary minus and products or quotients by a factor
    without leads, which are entered: so E_t of the original equation is kept (the law of
    iterated expectations), which matters at order 2 (``x(+2)*y`` needs one auxiliary for
    the product, not one for x). Each auxiliary is ``AUX = E(-j)`` shifted to a lead of at
    most one. Lags: each variable separately (``substituteEndoLagGreaterThanTwo``,
    ``substituteExoLag``).
    """

    def __init__(self, mod: ModFile):
        self.mod = mod
        self.names: list[str] = []
        self.sources: list[tuple[str, object]] = []  # aux -> its value at the steady state
        self.equations: list[object] = []
        self.eq_names: list[str] = []
        self.made: set[str] = set()
        self.table: dict[object, object] = {}
        self.count = 0

    def _make(self, name, steady, definition, what):
        if name in self.made:
            return
        if name in self.mod.symbol_ids:
            _fail(self.mod, f"the auxiliary variable {name} clashes with a declared name", 1, 1)
        if len(self.names) >= 20 * MAX_AUX_PER_VARIABLE:
            _fail(
                self.mod,
                f"more than {20 * MAX_AUX_PER_VARIABLE} auxiliary variables",
                *self.mod.model_at,
            )
        self.made.add(name)
        self.names.append(name)
        self.sources.append((name, steady))
        self.equations.append(A.Bin("-", A.Endo(name, 0), definition))
        self.eq_names.append(f"auxiliary {name} = {what}")

    # -- leads ------------------------------------------------------------------------
    def _aux_for(self, expr, exo: bool):
        """Dynare's create{Endo,Exo}LeadAuxiliaryVarForMyself."""
        n = _max_lead(expr, A.Exo if exo else A.Endo)
        key = (exo, _strip(expr))
        if key in self.table:
            return self.table[key]
        first = n if exo else n - 1
        subst = A.shift(expr, -first)
        for lag in range(first - 1, -1, -1):
            orig = _strip(A.shift(expr, -lag))
            k = (exo, orig)
            if k in self.table:
                subst = self.table[k]
                continue
            if isinstance(orig, A.Endo) and not exo:
                name = f"AUX_ENDO_LEAD_{self.mod.symbol_ids[orig.name]}_{orig.lag - 1}"
            else:
                self.count += 1
                name = f"AUX_{'EXO' if exo else 'ENDO'}_LEAD_E{self.count}"
            self._make(
                name, _zero_lags(A.shift(orig, -1)), subst, f"{A.to_source(A.shift(orig, -1))}"
            )
            subst = A.Endo(name, 1)
            self.table[k] = subst
        return subst

    def leads(self, node, exo: bool):
        cls = A.Exo if exo else A.Endo
        lim = 1 if exo else 2
        ml = lambda x: _max_lead(x, cls)  # noqa: E731
        if ml(node) < lim:
            return node
        if isinstance(node, A.Local):
            return self.leads(node.expr, exo)
        if isinstance(node, A.Neg):
            return dataclasses.replace(node, x=self.leads(node.x, exo))
        if isinstance(node, A.Bin):
            a, b = node.a, node.b
            if node.op in ("+", "-"):
                return dataclasses.replace(node, a=self.leads(a, exo), b=self.leads(b, exo))
            if node.op in ("*", "/"):
                free = lambda x: _max_lead(x, A.Endo) == 0 and _max_lead(x, A.Exo) == 0  # noqa
                if ml(a) >= lim and free(b):
                    return dataclasses.replace(node, a=self.leads(a, exo))
                if node.op == "*" and free(a) and ml(b) >= lim:
                    return dataclasses.replace(node, b=self.leads(b, exo))
        return self._aux_for(node, exo)

    # -- lags -------------------------------------------------------------------------
    def lag(self, node):
        if isinstance(node, A.Endo) and node.lag <= -2:
            sid = self.mod.symbol_ids.get(node.name)
            if sid is None:  # an auxiliary variable lagged twice: not produced by the leads
                _fail(self.mod, f"internal: lag of auxiliary {node.name}", 1, 1)
            nm = lambda j: f"AUX_ENDO_LAG_{sid}_{j}"  # noqa: E731
            for j in range(1, -node.lag):
                prev = A.Endo(node.name, -1) if j == 1 else A.Endo(nm(j - 1), -1)
                self._make(nm(j), A.Endo(node.name, 0), prev, f"{node.name}(-{j})")
            return A.Endo(nm(-node.lag - 1), -1, node.line, node.col)
        if isinstance(node, A.Exo) and node.lag <= -1:
            sid = self.mod.symbol_ids[node.name]
            nm = lambda j: f"AUX_EXO_LAG_{sid}_{j}"  # noqa: E731
            for j in range(0, -node.lag):
                prev = A.Exo(node.name, 0) if j == 0 else A.Endo(nm(j - 1), -1)
                self._make(nm(j), A.Num(0.0), prev, f"{node.name}(-{j})")
            return A.Endo(nm(-node.lag - 1), -1, node.line, node.col)
        return None


MAX_AUX_PER_VARIABLE = 100


def _strip(node):
    """The tree without source positions and with model-local variables expanded (a key)."""
    if isinstance(node, A.Local):
        return _strip(node.expr)
    if isinstance(node, A.Num):
        return A.Num(node.value)
    if isinstance(node, (A.Endo, A.Exo)):
        return type(node)(node.name, node.lag)
    if isinstance(node, (A.Param, A.Temp)):
        return type(node)(node.name)
    if isinstance(node, A.Neg):
        return A.Neg(_strip(node.x))
    if isinstance(node, A.Bin):
        return A.Bin(node.op, _strip(node.a), _strip(node.b))
    if isinstance(node, A.Call):
        return A.Call(node.fn, tuple(_strip(x) for x in node.args))
    if isinstance(node, A.SteadyStateOf):
        return A.SteadyStateOf(_strip(node.x))
    return node


def _zero_lags(node):
    def f(n):
        if isinstance(n, (A.Endo, A.Exo)) and n.lag != 0:
            return dataclasses.replace(n, lag=0)
        return None

    return A.transform(node, f)


def build_model(
    mod: ModFile,
    params: Mapping[str, float] | None = None,
    *,
    derived_params: str = "fixed",
    steady_state=None,
    return_warnings: bool = False,
):
    """The [`jaxmacro.Model`][] of a parsed file (see [`jaxmacro.compat.load_mod`][]).

    With ``return_warnings=True`` returns ``(model, warnings)`` (one-line strings) instead
    of issuing them as [`ModWarning`][]s."""
    notes: list[str] = []
    try:
        model = _build_model(mod, params, derived_params, steady_state, notes)
    except RecursionError:
        raise ModError(
            "an expression is nested too deeply to import", *mod.model_at, mod.filename
        ) from None
    if return_warnings:
        return model, notes
    import warnings

    for w in notes:
        warnings.warn(w, ModWarning, stacklevel=2)
    return model


def _tree_depth(node) -> int:
    depth, stack = 0, [(node, 1)]
    while stack:
        n, d = stack.pop()
        depth = max(depth, d)
        stack.extend((c, d + 1) for c in A.children(n))
    return depth


def _build_model(mod, params, derived_params, steady_state, notes) -> Model:
    if derived_params not in ("fixed", "follow"):
        raise ValueError(f"derived_params must be 'fixed' or 'follow', got {derived_params!r}")
    overrides = dict(params or {})
    unknown = [k for k in overrides if k not in mod.parameters]
    if unknown:
        raise ValueError(
            f"{mod.filename}: unknown parameter(s) {', '.join(map(repr, unknown))}; "
            f"declared: {', '.join(mod.parameters)}"
        )
    for k, v in overrides.items():
        if not np.isfinite(float(v)):
            raise ValueError(f"parameter override {k}={v} is not finite")
    values, local_values = _parameter_values(mod, overrides, notes)
    L = lambda t: _subst_locals(t, local_values)  # noqa: E731
    for eq in mod.equations:
        if _tree_depth(eq.residual) > MAX_TREE_DEPTH:
            _fail(
                mod,
                f"equation {eq.name!r} is nested more than {MAX_TREE_DEPTH} levels deep "
                "(split it with model-local variables)",
                eq.line,
                eq.col,
            )

    # -- equations, STEADY_STATE, predetermined variables, auxiliary variables -----------
    pre = set(mod.predetermined)
    numeric_ss_needed = False
    eqs = []
    expect = tuple(name for name, _ in mod.expectation_aux)
    residuals = [eq.residual for eq in mod.equations] + [
        A.Bin("-", A.Endo(name, 0), d) for name, d in mod.expectation_aux
    ]
    for res in residuals:
        r = L(res)
        if pre:  # Dynare: a predetermined k in the file's timing is k(-1) in the standard one
            r = A.transform(
                r,
                lambda n: (
                    dataclasses.replace(n, lag=n.lag - 1)
                    if isinstance(n, A.Endo) and n.name in pre
                    else None
                ),
            )
        r = A.transform(
            r,
            lambda n: (
                A.SteadyStateOf(_zero_lags(n.x), n.line, n.col)
                if isinstance(n, A.SteadyStateOf)
                else None
            ),
        )
        if mod.steady_state_model is None and steady_state is None:
            if any(isinstance(n, A.SteadyStateOf) for n in A.walk(r)):
                numeric_ss_needed = True
        eqs.append(r)
    aux = _AuxBuilder(mod)
    eqs = [aux.leads(r, False) for r in eqs]
    eqs += aux.equations
    n_lead = len(aux.equations)
    eqs = [aux.leads(r, True) for r in eqs]
    eqs += aux.equations[n_lead:]
    eqs = [A.transform(r, aux.lag) for r in eqs]
    n_before_lags = len(eqs)
    eqs += aux.equations[n_before_lags - len(residuals) :]
    variables = mod.endogenous + expect + tuple(aux.names)
    equations = tuple(eqs)
    eq_names = (
        tuple(e.name for e in mod.equations)
        + tuple(f"auxiliary {name} = {A.to_source(d)}" for name, d in mod.expectation_aux)
        + tuple(aux.eq_names)
    )
    # EXPECTATION(k)(...) auxiliaries first: the lead and lag auxiliaries may refer to them
    aux_sources = tuple((name, _zero_lags(L(d))) for name, d in mod.expectation_aux) + tuple(
        aux.sources
    )
    assert len(equations) == len(variables) == len(eq_names)

    # -- parameters -------------------------------------------------------------------
    if derived_params == "follow":
        derived = _derived(mod, overrides)
        model_params = tuple(p for p in mod.parameters if p not in derived)
        program = tuple((a.target, L(a.expr)) for a in mod.param_assignments if a.target in derived)
    else:
        model_params, program = mod.parameters, ()

    # -- steady state -----------------------------------------------------------------
    steady_program = None
    steady_params: tuple[str, ...] = ()
    if mod.steady_state_model is not None and steady_state is None:
        steady_program = tuple((a.target, L(a.expr)) for a in mod.steady_state_model)
        steady_params = tuple(
            dict.fromkeys(a.target for a in mod.steady_state_model if a.target in mod.parameters)
        )
        assigned = {a.target for a in mod.steady_state_model}
        missing = [v for v in mod.endogenous if v not in assigned]
        if missing:
            line, _ = mod.declared_at[missing[0]]
            notes.append(
                f"{mod.filename}, line {line}: steady_state_model gives no value for "
                f"{', '.join(missing)}: 0 is used, as in Dynare (the steady state is "
                "checked)"
            )

    shock_idx = {s: i for i, s in enumerate(mod.exogenous)}
    shock_statements = tuple(
        (s.kind, tuple(shock_idx[n] for n in s.names), L(s.expr)) for s in mod.shocks
    )
    base = dict(
        variables=variables,
        shocks=mod.exogenous,
        model_params=model_params,
        param_program=program,
        steady_program=steady_program,
        aux_sources=aux_sources,
        shock_statements=shock_statements,
        steady_params=steady_params,
    )
    defaults = {p: values[p] for p in model_params}
    guess = None
    if steady_program is None and steady_state is None:
        guess = _initval_guess(mod, values, local_values, variables, aux_sources)
    numeric = None
    if guess is not None and (
        numeric_ss_needed or _guess_solves_singular(mod, base, equations, defaults, guess)
    ):
        static_eqs = tuple(
            A.transform(r, lambda n: n.x if isinstance(n, A.SteadyStateOf) else None)
            for r in equations
        )
        inner = _Spec(**base, equations=static_eqs, numeric_steady=None)
        numeric = _NumericSteady(
            inner,
            tuple(guess[v] for v in variables),
            tuple(sorted(defaults.items())),
            eq_names,
            mod.name,
        )
    spec = _Spec(**base, equations=equations, numeric_steady=numeric)
    if program:  # follow mode must reproduce the file's values
        theta = np.array([defaults[p] for p in model_params], dtype=np.float64)
        full = _np_full_params(spec, theta)
        for p in mod.parameters:
            if not np.isclose(full[p], values[p], rtol=1e-13, atol=0.0, equal_nan=False):
                raise ValueError(
                    f"{mod.filename}: derived_params='follow' cannot reproduce parameter {p!r} "
                    f"({full[p]!r} vs {values[p]!r}): a parameter is reassigned after another "
                    "one used it; use derived_params='fixed'"
                )

    if steady_state is not None:
        ss_fn = _UserSteadyState(spec, steady_state)
    elif steady_program is not None or numeric is not None:
        ss_fn = ModSteadyState(spec)
    else:
        ss_fn = None
    try:
        return Model(
            ModResiduals(spec),
            variables=variables,
            shocks=mod.exogenous,
            params=defaults,
            shock_cov=ModShockCov(spec),
            steady_state=ss_fn,
            guess=guess if ss_fn is None else None,
            equations=eq_names,
            name=mod.name,
        )
    except ValueError as e:
        raise ValueError(f"{mod.filename}: {e}") from None


@dataclasses.dataclass(frozen=True)
class _UserSteadyState:
    """The user's steady-state hook (``load_mod(..., steady_state=f)``): f gets every
    declared parameter by name and returns the declared variables; auxiliary variables
    follow from them."""

    spec: _Spec
    fn: object

    def __call__(self, p):
        P = self.spec.full_params(p.values)
        from .._named import Named

        names = tuple(P)
        vec = jnp.stack([jnp.asarray(P[n], dtype=p.values.dtype) for n in names])
        out = dict(self.fn(Named(names, vec, "parameter")))
        missing = [v for v in self.spec.variables if v not in self.spec.aux_names and v not in out]
        if missing:
            raise ValueError(f"the steady_state hook gives no value for {', '.join(missing)}")
        return self.spec.with_aux(
            {k: out[k] for k in self.spec.variables if k not in self.spec.aux_names}, P
        )


@dataclasses.dataclass(frozen=True)
class _NumericSteady:
    """ȳ(θ) for a file without steady_state_model, found as Dynare does: Newton on the
    static model (STEADY_STATE(x) read as x) from initval, differentiable implicitly; a
    guess that already solves the static system is accepted even where the static Jacobian
    is singular (linear models with price levels)."""

    inner: _Spec
    guess: tuple
    defaults: tuple
    eq_names: tuple
    name: str

    def __call__(self, theta):
        import jaxmacro as jm

        m = _inner_model(self)
        ss = jm.steady_state(m, theta, throw=False)
        ok = (ss.result == jm.RESULTS.successful) & jnp.all(jnp.isfinite(ss.value))
        g = jnp.asarray(self.guess, dtype=theta.dtype)
        rg = m.static_residual(g, theta)
        accept = jnp.max(jnp.abs(rg)) <= 1e-10 * (1.0 + jnp.max(jnp.abs(g)))
        return jnp.where(ok, ss.value, jnp.where(accept, g, ss.value))


@functools.lru_cache(maxsize=64)
def _inner_model(ns: _NumericSteady) -> Model:
    return Model(
        ModResiduals(ns.inner),
        variables=ns.inner.variables,
        shocks=ns.inner.shocks,
        params=dict(ns.defaults),
        shock_cov=None,
        guess=dict(zip(ns.inner.variables, ns.guess)),
        equations=ns.eq_names,
        name=ns.name + " (static)",
    )


def _guess_solves_singular(mod, base, equations, defaults, guess) -> bool:
    """Whether the initval guess already solves the static system while the static
    Jacobian there is singular (then the guess is the steady state, as in Dynare)."""
    spec = _Spec(**base, equations=equations, numeric_steady=None)
    theta = jnp.asarray([defaults[p] for p in spec.model_params], dtype=jnp.float64)
    y = jnp.asarray([guess[v] for v in spec.variables], dtype=jnp.float64)
    if theta.dtype != jnp.float64:
        return False
    f = lambda yy: _residual_kernel(
        spec,
        yy,
        yy,
        yy,
        jnp.zeros(len(spec.shocks), y.dtype),  # noqa
        theta,
    )
    try:
        r = np.asarray(f(y))
        if not np.all(np.isfinite(r)) or np.max(np.abs(r), initial=0.0) > 1e-10 * (
            1 + np.max(np.abs(np.asarray(y)))
        ):
            return False
        J = np.asarray(jax.jacfwd(f)(y))
    except Exception:  # evaluated for real by Model's checks below
        return False
    if not np.all(np.isfinite(J)):
        return False
    return np.linalg.matrix_rank(J) < J.shape[0]


def _np_full_params(spec: _Spec, theta) -> dict:
    P = {n: np.float64(theta[i]) for i, n in enumerate(spec.model_params)}
    with np.errstate(all="ignore"):
        for target, expr in spec.param_program:
            P[target] = np.float64(evaluate(expr, _Env(_NP_FUNCS, params=P, numpy=True)))
    return P


def _initval_guess(mod: ModFile, values, local_values, variables, aux_sources) -> dict[str, float]:
    """Initial guess for the numerical steady state: ``initval`` (0 where not given, as Dynare)."""
    vals: dict[str, np.float64] = {}
    allv = {
        **{k: np.float64(v) for k, v in values.items()},
        **{k: np.float64(v) for k, v in local_values.items()},
    }
    with np.errstate(all="ignore"):
        for a in mod.initval:
            env = _Env(
                _NP_FUNCS,
                params=allv,
                endo=lambda n, lag: vals[n],
                exo=lambda n, lag: vals.get(n, 0.0),
                numpy=True,
            )
            v = np.float64(evaluate(a.expr, env))
            if a.target in mod.exogenous or a.target in mod.exogenous_det:
                if v != 0.0:
                    what = "shock" if a.target in mod.exogenous else "deterministic exogenous"
                    _fail(
                        mod,
                        f"a non-zero steady state for the {what} {a.target!r} is not supported",
                        a.line,
                        a.col,
                    )
            elif not np.isfinite(v):
                _fail(mod, f"initval for {a.target!r} is {v}", a.line, a.col)
            vals[a.target] = v
    guess = {v: float(vals.get(v, 0.0)) for v in mod.endogenous}
    with np.errstate(all="ignore"):
        for aux, src in aux_sources:
            env = _Env(
                _NP_FUNCS,
                params=allv,
                endo=lambda n, lag: np.float64(guess[n]),
                exo=lambda n, lag: np.float64(0.0),
                numpy=True,
            )
            g = float(evaluate(src, env))
            guess[aux] = g if np.isfinite(g) else 0.0
    return {v: guess[v] for v in variables}
