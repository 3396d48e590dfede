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
import math
from collections.abc import Mapping

import jax.numpy as jnp
import jax.scipy as jsp
import numpy as np

from .._model import Model
from . import _ast as A
from ._errors import ModError
from ._parser import ModFile

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
    "exp": np.exp, "log": np.log, "log10": np.log10, "sqrt": np.sqrt, "cbrt": np.cbrt,
    "abs": np.abs, "sign": np.sign, "sin": np.sin, "cos": np.cos, "tan": np.tan,
    "asin": np.arcsin, "acos": np.arccos, "atan": np.arctan, "sinh": np.sinh, "cosh": np.cosh,
    "tanh": np.tanh, "asinh": np.arcsinh, "acosh": np.arccosh, "atanh": np.arctanh,
    "erf": _safe(math.erf), "erfc": _safe(math.erfc), "min": np.minimum, "max": np.maximum,
    "normcdf": _safe(_np_normcdf), "normpdf": _safe(_np_normpdf),
}
_JNP_FUNCS = {
    "exp": jnp.exp, "log": jnp.log, "log10": jnp.log10, "sqrt": jnp.sqrt, "cbrt": jnp.cbrt,
    "abs": jnp.abs, "sign": jnp.sign, "sin": jnp.sin, "cos": jnp.cos, "tan": jnp.tan,
    "asin": jnp.arcsin, "acos": jnp.arccos, "atan": jnp.arctan, "sinh": jnp.sinh,
    "cosh": jnp.cosh, "tanh": jnp.tanh, "asinh": jnp.arcsinh, "acosh": jnp.arccosh,
    "atanh": jnp.arctanh, "erf": jsp.special.erf, "erfc": jsp.special.erfc,
    "min": jnp.minimum, "max": jnp.maximum,
    "normcdf": lambda x, m=0.0, s=1.0: jsp.stats.norm.cdf(x, m, s),
    "normpdf": lambda x, m=0.0, s=1.0: jsp.stats.norm.pdf(x, m, s),
}


class _Env:
    """Where the leaves of a tree get their values during one evaluation."""

    def __init__(self, funcs, *, endo=None, exo=None, params=None, temps=None, steady=None,
                 numpy=False):
        self.funcs, self.numpy = funcs, numpy
        self.endo, self.exo, self.params, self.temps = endo, exo, params, temps or {}
        self.steady = steady  # callable () -> dict name -> steady-state value
        self.locals: dict[str, object] = {}

    def at_steady_state(self) -> _Env:
        ss = self.steady()
        env = _Env(self.funcs, endo=lambda n, lag: ss[n], exo=lambda n, lag: 0.0,
                   params=self.params, numpy=self.numpy)
        return env


def evaluate(node, env: _Env):
    """Value of an expression tree (NumPy float64 or JAX, depending on `env`)."""
    if isinstance(node, A.Num):
        return np.float64(node.value) if env.numpy else node.value
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
            if isinstance(node.b, A.Num) and node.b.value == int(node.b.value) \
                    and abs(node.b.value) <= 64 and not env.numpy:
                return a ** int(node.b.value)  # integer power: exact, defined for a < 0
            return a**b if env.numpy else jnp.power(a, b)
        cmp = {"<": np.less, ">": np.greater, "<=": np.less_equal, ">=": np.greater_equal,
               "==": np.equal, "!=": np.not_equal}[op] if env.numpy else \
              {"<": jnp.less, ">": jnp.greater, "<=": jnp.less_equal,
               ">=": jnp.greater_equal, "==": jnp.equal, "!=": jnp.not_equal}[op]
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

    FIELDS = ("variables", "shocks", "model_params", "param_program", "equations",
              "steady_program", "aux_sources", "shock_statements")

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
        return self is other or (type(other) is _Spec and self._hash == other._hash
                                 and self._key == other._key)

    def __repr__(self):
        return (f"<{len(self.equations)} equations in {', '.join(self.variables)}; "
                f"shocks {', '.join(self.shocks) or '(none)'}>")

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
    def steady_state(self, P) -> dict:
        env = _Env(_JNP_FUNCS, params=P)
        env.endo = lambda n, lag: values[n]
        env.exo = lambda n, lag: 0.0
        values: dict = {}
        env.temps = values
        for target, expr in self.steady_program:
            env.locals = {}
            values[target] = evaluate(expr, env)
        out = {v: values[v] for v in self.variables if v in values}
        for aux, src in self.aux_sources:
            out[aux] = values[src] if src is not None else 0.0
        return out


def _residual_kernel(spec: _Spec, y_lag, y, y_lead, u, theta):
    P = spec.full_params(theta)
    idx = {v: i for i, v in enumerate(spec.variables)}
    sidx = {s: i for i, s in enumerate(spec.shocks)}
    rows = {-1: y_lag, 0: y, 1: y_lead}
    cache = {}

    def steady():
        if "ss" not in cache:
            cache["ss"] = spec.steady_state(P)
        return cache["ss"]

    env = _Env(_JNP_FUNCS, endo=lambda n, lag: rows[lag][..., idx[n]],
               exo=lambda n, lag: u[..., sidx[n]], params=P, steady=steady)
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
        return _residual_kernel(self.spec, lag.values, cur.values, lead.values, shocks.values,
                             params.values)


@dataclasses.dataclass(frozen=True)
class ModSteadyState:
    """Analytic steady state from the file's ``steady_state_model`` block."""

    spec: _Spec

    def __call__(self, p):
        return self.spec.steady_state(self.spec.full_params(p.values))


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


def _parameter_values(mod: ModFile, overrides: Mapping[str, float]) -> dict[str, float]:
    values: dict[str, np.float64] = {}
    for k, v in overrides.items():
        values[k] = np.float64(v)
    with np.errstate(all="ignore"):
        for a in mod.param_assignments:
            if a.target in overrides:
                continue
            env = _Env(_NP_FUNCS, params=values, numpy=True)
            values[a.target] = np.float64(evaluate(a.expr, env))
    for name in mod.parameters:
        if name not in values:
            line, col = mod.declared_at[name]
            _fail(mod, f"parameter {name!r} is never given a value (assign it in the file or "
                       "override it)", line, col)
    for a in mod.param_assignments:
        if a.target not in overrides and not np.isfinite(values[a.target]):
            _fail(mod, f"parameter {a.target!r} evaluates to {values[a.target]} (only the "
                       "final value counts)", a.line, a.col)
    return {k: float(values[k]) for k in mod.parameters}


def _derived(mod: ModFile, overrides) -> set[str]:
    out = set()
    for a in mod.param_assignments:
        if a.target not in overrides and any(isinstance(n, A.Param) for n in A.walk(a.expr)):
            out.add(a.target)
    return out


class _AuxBuilder:
    def __init__(self, mod: ModFile):
        self.mod = mod
        self.names: list[str] = []
        self.sources: list[tuple[str, str | None]] = []
        self.equations: list[object] = []
        self.eq_names: list[str] = []
        self.made: set[str] = set()

    def _make(self, name, source, definition, what):
        if name in self.made:
            return
        if name in self.mod.symbol_ids:
            _fail(self.mod, f"the auxiliary variable {name} clashes with a declared name", 1, 1)
        self.made.add(name)
        self.names.append(name)
        self.sources.append((name, source))
        self.equations.append(A.Bin("-", A.Endo(name, 0), definition))
        self.eq_names.append(f"auxiliary {name} = {what}")

    def lead(self, node):
        if isinstance(node, A.Endo) and node.lag >= 2:
            sid = self.mod.symbol_ids[node.name]
            nm = lambda j: f"AUX_ENDO_LEAD_{sid}_{j}"  # noqa: E731
            for j in range(1, node.lag):
                prev = A.Endo(node.name, 1) if j == 1 else A.Endo(nm(j - 1), 1)
                self._make(nm(j), node.name, prev, f"{node.name}(+{j})")
            return A.Endo(nm(node.lag - 1), 1, node.line, node.col)
        return None

    def lag(self, node):
        if isinstance(node, A.Endo) and node.lag <= -2:
            sid = self.mod.symbol_ids[node.name]
            nm = lambda j: f"AUX_ENDO_LAG_{sid}_{j}"  # noqa: E731
            for j in range(1, -node.lag):
                prev = A.Endo(node.name, -1) if j == 1 else A.Endo(nm(j - 1), -1)
                self._make(nm(j), node.name, prev, f"{node.name}(-{j})")
            return A.Endo(nm(-node.lag - 1), -1, node.line, node.col)
        if isinstance(node, A.Exo) and node.lag <= -1:
            sid = self.mod.symbol_ids[node.name]
            nm = lambda j: f"AUX_EXO_LAG_{sid}_{j}"  # noqa: E731
            for j in range(0, -node.lag):
                prev = A.Exo(node.name, 0) if j == 0 else A.Endo(nm(j - 1), -1)
                self._make(nm(j), None, prev, f"{node.name}(-{j})")
            return A.Endo(nm(-node.lag - 1), -1, node.line, node.col)
        return None


def _zero_lags(node):
    def f(n):
        if isinstance(n, (A.Endo, A.Exo)) and n.lag != 0:
            return dataclasses.replace(n, lag=0)
        return None
    return A.transform(node, f)


def build_model(mod: ModFile, *, params: Mapping[str, float] | None = None,
                derived_params: str = "fixed") -> Model:
    """The [`jaxmacro.Model`][] of a parsed file (see [`jaxmacro.compat.load_mod`][])."""
    if derived_params not in ("fixed", "follow"):
        raise ValueError(f"derived_params must be 'fixed' or 'follow', got {derived_params!r}")
    overrides = dict(params or {})
    unknown = [k for k in overrides if k not in mod.parameters]
    if unknown:
        raise ValueError(f"{mod.filename}: unknown parameter(s) {', '.join(map(repr, unknown))}; "
                         f"declared: {', '.join(mod.parameters)}")
    for k, v in overrides.items():
        if not np.isfinite(float(v)):
            raise ValueError(f"parameter override {k}={v} is not finite")
    values = _parameter_values(mod, overrides)

    # -- equations, STEADY_STATE, auxiliary variables ----------------------------------
    eqs = []
    for eq in mod.equations:
        r = A.transform(eq.residual, lambda n: A.SteadyStateOf(_zero_lags(n.x), n.line, n.col)
                        if isinstance(n, A.SteadyStateOf) else None)
        if mod.steady_state_model is None:
            for n in A.walk(r):
                if isinstance(n, A.SteadyStateOf):
                    _fail(mod, "STEADY_STATE(...) needs a steady_state_model block (jaxmacro "
                               "does not support it with a numerical steady state)", n.line, n.col)
        eqs.append(r)
    aux = _AuxBuilder(mod)
    eqs = [A.transform(r, aux.lead) for r in eqs]
    eqs = [A.transform(r, aux.lag) for r in eqs]
    # auxiliary definitions may themselves need lag substitution (shock lags): already
    # expressed with one-period lags by construction.
    variables = mod.endogenous + tuple(aux.names)
    equations = tuple(eqs) + tuple(aux.equations)
    eq_names = tuple(e.name for e in mod.equations) + tuple(aux.eq_names)

    # -- parameters -------------------------------------------------------------------
    if derived_params == "follow":
        derived = _derived(mod, overrides)
        model_params = tuple(p for p in mod.parameters if p not in derived)
        program = tuple((a.target, a.expr) for a in mod.param_assignments
                        if a.target in derived)
    else:
        model_params, program = mod.parameters, ()

    # -- steady state -----------------------------------------------------------------
    steady_program = None
    if mod.steady_state_model is not None:
        steady_program = tuple((a.target, a.expr) for a in mod.steady_state_model)
        assigned = {a.target for a in mod.steady_state_model}
        missing = [v for v in mod.endogenous if v not in assigned]
        if missing:
            line, col = mod.declared_at[missing[0]]
            _fail(mod, f"steady_state_model gives no value for {', '.join(missing)}", line, col)

    shock_idx = {s: i for i, s in enumerate(mod.exogenous)}
    shock_statements = tuple(
        (s.kind, tuple(shock_idx[n] for n in s.names), s.expr) for s in mod.shocks
    )
    spec = _Spec(
        variables=variables,
        shocks=mod.exogenous,
        model_params=model_params,
        param_program=program,
        equations=equations,
        steady_program=steady_program,
        aux_sources=tuple(aux.sources),
        shock_statements=shock_statements,
    )
    defaults = {p: values[p] for p in model_params}
    if program:  # follow mode must reproduce the file's values
        theta = np.array([defaults[p] for p in model_params], dtype=np.float64)
        full = _np_full_params(spec, theta)
        for p in mod.parameters:
            if not np.isclose(full[p], values[p], rtol=1e-13, atol=0.0, equal_nan=False):
                raise ValueError(
                    f"{mod.filename}: derived_params='follow' cannot reproduce parameter {p!r} "
                    f"({full[p]!r} vs {values[p]!r}): a parameter is reassigned after another "
                    "one used it; use derived_params='fixed'")

    guess = None
    if steady_program is None:
        guess = _initval_guess(mod, values, variables, aux.sources)
    try:
        return Model(
            ModResiduals(spec),
            variables=variables,
            shocks=mod.exogenous,
            params=defaults,
            shock_cov=ModShockCov(spec),
            steady_state=ModSteadyState(spec) if steady_program is not None else None,
            guess=guess,
            equations=eq_names,
            name=mod.name,
        )
    except ValueError as e:
        raise ValueError(f"{mod.filename}: {e}") from None


def _np_full_params(spec: _Spec, theta) -> dict:
    P = {n: np.float64(theta[i]) for i, n in enumerate(spec.model_params)}
    with np.errstate(all="ignore"):
        for target, expr in spec.param_program:
            P[target] = np.float64(evaluate(expr, _Env(_NP_FUNCS, params=P, numpy=True)))
    return P


def _initval_guess(mod: ModFile, values, variables, aux_sources) -> dict[str, float]:
    """Initial guess for the numerical steady state: ``initval`` (0 where not given, as Dynare)."""
    vals: dict[str, np.float64] = {}
    with np.errstate(all="ignore"):
        for a in mod.initval:
            env = _Env(_NP_FUNCS, params={k: np.float64(v) for k, v in values.items()},
                       endo=lambda n, lag: vals[n], exo=lambda n, lag: vals.get(n, 0.0),
                       numpy=True)
            v = np.float64(evaluate(a.expr, env))
            if a.target in mod.exogenous:
                if v != 0.0:
                    _fail(mod, f"a non-zero steady state for the shock {a.target!r} is not "
                               "supported", a.line, a.col)
            elif not np.isfinite(v):
                _fail(mod, f"initval for {a.target!r} is {v}", a.line, a.col)
            vals[a.target] = v
    guess = {v: float(vals.get(v, 0.0)) for v in mod.endogenous}
    for aux, src in aux_sources:
        guess[aux] = guess[src] if src is not None else 0.0
    return {v: guess[v] for v in variables}
