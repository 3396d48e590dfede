"""Expression trees of the model language.

Nodes are frozen dataclasses, hashable and compared by value (source positions are carried
for messages but take no part in equality), so two imports of the same file give equal
models and share compiled code. Names are resolved while parsing: a node knows whether it
is an endogenous variable (with its lead or lag), a shock, a parameter, a model-local
variable (inlined: the node holds its definition) or a temporary of ``steady_state_model``.
"""

from __future__ import annotations

import dataclasses

# function name -> allowed numbers of arguments
FUNCTIONS: dict[str, tuple[int, ...]] = {
    **{
        f: (1,)
        for f in (
            "exp",
            "log",
            "ln",
            "log10",
            "sqrt",
            "cbrt",
            "abs",
            "sign",
            "erf",
            "erfc",
            "sin",
            "cos",
            "tan",
            "asin",
            "acos",
            "atan",
            "sinh",
            "cosh",
            "tanh",
            "asinh",
            "acosh",
            "atanh",
        )
    },
    "min": (2,),
    "max": (2,),
    "normcdf": (1, 3),
    "normpdf": (1, 3),
}


def _pos():
    return dataclasses.field(default=0, compare=False, repr=False)


@dataclasses.dataclass(frozen=True)
class Num:
    value: float
    line: int = _pos()
    col: int = _pos()


@dataclasses.dataclass(frozen=True)
class Endo:
    """Endogenous variable `name` at t + `lag` (lag < 0: past, > 0: future)."""

    name: str
    lag: int = 0
    line: int = _pos()
    col: int = _pos()


@dataclasses.dataclass(frozen=True)
class Exo:
    """Shock `name` at t + `lag` (lag <= 0)."""

    name: str
    lag: int = 0
    line: int = _pos()
    col: int = _pos()


@dataclasses.dataclass(frozen=True)
class Param:
    name: str
    line: int = _pos()
    col: int = _pos()


@dataclasses.dataclass(frozen=True)
class Temp:
    """A temporary of a ``steady_state_model`` block (assigned earlier in the block)."""

    name: str
    line: int = _pos()
    col: int = _pos()


@dataclasses.dataclass(frozen=True)
class Local:
    """A model-local variable (``# name = expr;``): evaluates to its definition."""

    name: str
    expr: object
    line: int = _pos()
    col: int = _pos()


@dataclasses.dataclass(frozen=True)
class Neg:
    x: object
    line: int = _pos()
    col: int = _pos()


@dataclasses.dataclass(frozen=True)
class Bin:
    op: str  # + - * / ^ < > <= >= == !=
    a: object
    b: object
    line: int = _pos()
    col: int = _pos()


@dataclasses.dataclass(frozen=True)
class Call:
    fn: str
    args: tuple
    line: int = _pos()
    col: int = _pos()


@dataclasses.dataclass(frozen=True)
class SteadyStateOf:
    """``STEADY_STATE(expr)``: `expr` with every variable at its deterministic steady state."""

    x: object
    line: int = _pos()
    col: int = _pos()


def children(node) -> tuple:
    if isinstance(node, (Neg, SteadyStateOf)):
        return (node.x,)
    if isinstance(node, Bin):
        return (node.a, node.b)
    if isinstance(node, Call):
        return node.args
    if isinstance(node, Local):
        return (node.expr,)
    return ()


def walk(node):
    """All nodes of a tree, depth first (local definitions included)."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(children(n))


def transform(node, fn):
    """Rebuild a tree bottom-up, replacing each node `n` by ``fn(n)`` (None keeps it)."""
    if isinstance(node, (Neg, SteadyStateOf)):
        node = dataclasses.replace(node, x=transform(node.x, fn))
    elif isinstance(node, Bin):
        node = dataclasses.replace(node, a=transform(node.a, fn), b=transform(node.b, fn))
    elif isinstance(node, Call):
        node = dataclasses.replace(node, args=tuple(transform(a, fn) for a in node.args))
    elif isinstance(node, Local):
        node = dataclasses.replace(node, expr=transform(node.expr, fn))
    new = fn(node)
    return node if new is None else new


def shift(node, k: int):
    """The tree with every endogenous and exogenous variable moved k periods (Dynare's
    decreaseLeadsLags with n = -k), model-local variables expanded."""
    if isinstance(node, (Endo, Exo)):
        return dataclasses.replace(node, lag=node.lag + k)
    if isinstance(node, Local):
        return shift(node.expr, k)
    if isinstance(node, SteadyStateOf):
        return node
    if isinstance(node, Neg):
        return dataclasses.replace(node, x=shift(node.x, k))
    if isinstance(node, Bin):
        return dataclasses.replace(node, a=shift(node.a, k), b=shift(node.b, k))
    if isinstance(node, Call):
        return dataclasses.replace(node, args=tuple(shift(x, k) for x in node.args))
    return node


def to_source(node) -> str:
    """The expression written back in the model language (for messages and ``repr``)."""
    if isinstance(node, Num):
        return repr(node.value)
    if isinstance(node, (Endo, Exo)):
        return node.name if node.lag == 0 else f"{node.name}({node.lag:+d})"
    if isinstance(node, (Param, Temp, Local)):
        return node.name
    if isinstance(node, Neg):
        return f"-({to_source(node.x)})"
    if isinstance(node, Bin):
        return f"({to_source(node.a)} {node.op} {to_source(node.b)})"
    if isinstance(node, Call):
        return f"{node.fn}({', '.join(to_source(a) for a in node.args)})"
    if isinstance(node, SteadyStateOf):
        return f"STEADY_STATE({to_source(node.x)})"
    raise TypeError(node)
