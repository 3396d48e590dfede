"""Dynare's macro language, the subset ordinary model files use.

Supported directives (each on its own line, ``@#`` first on the line):

- ``@#define NAME = EXPR`` (macro variables hold numbers, strings, booleans or arrays);
- ``@#if EXPR`` / ``@#ifdef NAME`` / ``@#ifndef NAME``, ``@#elseif EXPR``, ``@#else``, ``@#endif``;
- ``@#for NAME in EXPR`` ... ``@#endfor`` over an array (``[1, 2]``, ``["a", "b"]``) or a
  range (``1:N``);
- ``@#error "message"`` (stops the import with the message), ``@#echo "message"`` (ignored);
- ``@{EXPR}`` anywhere in an active line is replaced by the value of EXPR.

Macro expressions have numbers, double-quoted strings, ``true``/``false``, arrays, ranges
``a:b``, macro variables, ``defined(NAME)``, ``+ - * / ^``, comparisons ``== != < > <= >=``
and ``! && ||``. Anything else (``@#include``, macro functions) is a [`ModError`][] naming
the line and column. Command-line definitions (``-D NAME=VALUE``) are made before the first
line, exactly as Dynare does: an ``@#define`` in the file overrides them, ``@#ifndef`` guards
keep them. What a file can ask for is bounded (value sizes, output size, ``@#if`` nesting,
loop iterations, expression depth): beyond, a [`ModError`][] names the line.

Each output line remembers its original line (loops repeat lines), so line numbers in later
error messages refer to the original file; for lines with a substitution a column map sends
columns back to the original text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from ._errors import ModError

_TOKEN = re.compile(
    r"\s*(?:(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
    r"|(?P<str>\"[^\"]*\")"
    r"|(?P<name>[A-Za-z_]\w*)"
    r"|(?P<op>&&|\|\||==|!=|<=|>=|[-+*/^()!<>,:\[\]]))"
)


def _range(a, b):
    if isinstance(a, (str, list)) or isinstance(b, (str, list)):
        raise TypeError("a range a:b needs numbers")
    if float(b) - float(a) > MAX_LOOP_ITERATIONS:
        raise TypeError(f"range longer than {MAX_LOOP_ITERATIONS}")
    return [float(x) for x in range(int(a), int(b) + 1)]


_BINARY = {  # operator: (binding power, function)
    ":": (5, _range),
    "||": (10, lambda a, b: _truth(a) or _truth(b)),
    "&&": (20, lambda a, b: _truth(a) and _truth(b)),
    "==": (30, lambda a, b: a == b),
    "!=": (30, lambda a, b: a != b),
    "<": (40, lambda a, b: a < b),
    ">": (40, lambda a, b: a > b),
    "<=": (40, lambda a, b: a <= b),
    ">=": (40, lambda a, b: a >= b),
    "+": (50, lambda a, b: a + b),
    "-": (50, lambda a, b: a - b),
    "*": (60, lambda a, b: a * b),
    "/": (60, lambda a, b: a / b),
    "^": (80, lambda a, b: a**b),
}


def _truth(v) -> bool:
    if isinstance(v, str):
        raise TypeError("a string is not a truth value")
    return bool(v)


def macro_str(v) -> str:
    """How a macro value is written into the model text by ``@{...}``."""
    if isinstance(v, list):
        return "[" + ", ".join(macro_str(x) for x in v) + "]"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        if math.isfinite(v) and v == int(v) and abs(v) < 1e15:
            return str(int(v))
        return repr(v)
    return str(v)


class _MacroExpr:
    """Pratt parser and evaluator for one macro expression."""

    def __init__(self, text: str, env: Mapping, line: int, col0: int, filename: str, src: str):
        self.text, self.env, self.line, self.col0 = text, env, line, col0
        self.filename, self.src = filename, src
        self.toks: list[tuple[str, str, int]] = []
        pos = 0
        while pos < len(text):
            if not text[pos:].strip():
                break
            m = _TOKEN.match(text, pos)
            if not m or m.end() == pos:
                bad = pos + (len(text[pos:]) - len(text[pos:].lstrip()))
                self.fail(f"unexpected character {text[bad]!r} in macro expression", bad)
            kind = m.lastgroup
            self.toks.append((kind, m.group(kind), m.start(kind)))
            pos = m.end()
        self.i = 0

    def fail(self, msg, offset=None):
        col = self.col0 + (offset if offset is not None else len(self.text))
        raise ModError(msg, self.line, col + 1, self.filename, self.src)

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else ("end", "", len(self.text))

    def take(self):
        t = self.peek()
        self.i += 1
        return t

    def evaluate(self):
        if not self.toks:
            self.fail("empty macro expression")
        if len(self.toks) > 10_000:
            self.fail("macro expression too long")
        try:
            v = self.expr(0)
        except RecursionError:
            self.fail("macro expression nested too deeply")
        if isinstance(v, str) and len(v) > MAX_MACRO_STRING:
            self.fail(f"macro value longer than {MAX_MACRO_STRING} characters")
        kind, val, off = self.peek()
        if kind != "end":
            self.fail(f"unexpected {val!r} in macro expression", off)
        return v

    def expr(self, rbp):
        self.depth = getattr(self, "depth", 0) + 1
        try:
            if self.depth > 100:
                self.fail("macro expression nested too deeply (more than 100 levels)")
            return self._expr(rbp)
        finally:
            self.depth -= 1

    def _expr(self, rbp):
        left = self.prefix()
        while True:
            kind, val, off = self.peek()
            if kind != "op" or val not in _BINARY or _BINARY[val][0] <= rbp:
                return left
            self.take()
            bp, fn = _BINARY[val]
            right = self.expr(bp if val != "^" else bp - 1)
            if (
                val == "+"
                and isinstance(left, str)
                and isinstance(right, str)
                and len(left) + len(right) > MAX_MACRO_STRING
            ):
                self.fail(f"macro value longer than {MAX_MACRO_STRING} characters", off)
            if (
                val in ("*", "^")
                and not isinstance(left, str)
                and not isinstance(right, str)
                and isinstance(left, (int, float))
                and isinstance(right, (int, float))
                and val == "^"
                and abs(float(right)) > 10_000
            ):
                self.fail("exponent too large in macro expression", off)
            try:
                left = fn(left, right)
                if isinstance(left, (int, float)) and not isinstance(left, bool):
                    left = float(left)
            except (TypeError, ZeroDivisionError, OverflowError) as e:
                self.fail(f"cannot apply {val!r} in macro expression: {e}", off)

    def prefix(self):
        kind, val, off = self.take()
        if kind == "num":
            return float(val)
        if kind == "str":
            return val[1:-1]
        if kind == "name":
            if val == "true":
                return True
            if val == "false":
                return False
            if val == "defined":
                if self.take()[1] != "(":
                    self.fail("expected '(' after defined", off)
                k2, name, off2 = self.take()
                if k2 != "name":
                    self.fail("expected a macro variable name in defined(...)", off2)
                if self.take()[1] != ")":
                    self.fail("expected ')'", off2)
                return name in self.env
            if self.peek()[1] == "(":
                self.fail(f"macro functions such as {val}(...) are not supported", off)
            if val not in self.env:
                self.fail(f"unknown macro variable {val!r}", off)
            return self.env[val]
        if kind == "op" and val == "[":
            items = []
            if self.peek()[1] == "]":
                self.take()
                return items
            while True:
                items.append(self.expr(0))
                k2, v2, off2 = self.take()
                if v2 == "]":
                    return items
                if v2 != ",":
                    self.fail("expected ',' or ']' in a macro array", off2)
        if kind == "op" and val == "(":
            v = self.expr(0)
            k2, v2, off2 = self.take()
            if v2 != ")":
                self.fail("expected ')' in macro expression", off2)
            return v
        if kind == "op" and val == "-":
            v = self.expr(70)
            if isinstance(v, str) or isinstance(v, bool):
                self.fail("unary minus needs a number", off)
            return -v
        if kind == "op" and val == "+":
            return self.expr(70)
        if kind == "op" and val == "!":
            try:
                return not _truth(self.expr(70))
            except TypeError as e:
                self.fail(str(e), off)
        if kind == "end":
            self.fail("macro expression ends too early")
        self.fail(f"unexpected {val!r} in macro expression", off)


def eval_macro(text, env, *, line=0, col0=0, filename="<command line>", src=None):
    """Evaluate a macro expression (also used for ``-D NAME=VALUE`` values)."""
    return _MacroExpr(text, env, line, col0, filename, src or text).evaluate()


def parse_define(item: str):
    """``NAME=VALUE`` or ``NAME`` (value true) from the command line -> (name, value)."""
    name, eq, value = item.partition("=")
    name = name.strip()
    if not re.fullmatch(r"[A-Za-z_]\w*", name):
        raise ValueError(f"-D{item}: {name!r} is not a valid macro variable name")
    if not eq:
        return name, True
    value = value.strip()
    try:
        return name, eval_macro(value, {})
    except ModError:
        return name, value  # a bare word: a string, as Dynare reads -DNAME=word


MAX_MACRO_STRING = 100_000  # characters of one macro value
MAX_OUTPUT = 20_000_000  # characters of the file after macro expansion
MAX_IF_DEPTH = 100  # nested @#if
MAX_LOOP_ITERATIONS = 100_000  # iterations of all @#for loops

_DIRECTIVE = re.compile(r"^(\s*)@#\s*([A-Za-z_]\w*)")
_SUBST = re.compile(r"@\{")


def preprocess(text: str, defines: Mapping | None = None, filename: str = "<string>"):
    """Run the macro processor. Returns (lines, column maps, final macro variables).

    `column maps` is a dict ``line number -> list`` giving, for each character of a line that
    had a substitution, its 0-based column in the original line.
    """
    env = dict(defines or {})
    src_lines = text.split("\n")
    out: list[str] = []
    linemap: list[int] = []  # original line of each output line

    def emit(t):
        out.append(t)
        linemap.append(lineno)

    colmaps: dict[int, list[int]] = {}
    # stack of [active_here, branch_taken, parent_active, else_seen, line, col]
    stack: list[list] = []
    active = True

    def fail(msg, lineno, col, src):
        raise ModError(msg, lineno, col, filename, src)

    lineno, raw = 0, ""

    def ev(expr_text, offset):
        return eval_macro(expr_text, env, line=lineno, col0=offset, filename=filename, src=raw)

    total = 0

    def process(lo, hi):
        nonlocal active, total, lineno, raw
        idx = lo
        while idx < hi:
            lineno, raw = idx + 1, src_lines[idx]
            idx += 1
            m = _DIRECTIVE.match(raw)
            if m:
                emit("")
                word = m.group(2)
                dcol = len(m.group(1)) + 1
                rest_start = m.end()
                rest = raw[rest_start:]
                # strip a trailing // comment from the directive
                cut = rest.find("//")
                if cut >= 0 and rest[:cut].count('"') % 2 == 0:
                    rest = rest[:cut]

                if word in ("if", "ifdef", "ifndef"):
                    parent = active
                    if not parent:
                        cond = False
                    elif word == "if":
                        try:
                            cond = _truth(ev(rest, rest_start))
                        except TypeError:
                            fail("@#if needs a number or boolean, not a string", lineno, dcol, raw)
                    else:
                        name = rest.strip()
                        if not re.fullmatch(r"[A-Za-z_]\w*", name):
                            fail(f"@#{word} needs one macro variable name", lineno, dcol, raw)
                        cond = (name in env) == (word == "ifdef")
                    if len(stack) >= MAX_IF_DEPTH:
                        fail(f"@#if nested more than {MAX_IF_DEPTH} levels deep", lineno, dcol, raw)
                    stack.append([cond, cond, parent, False, lineno, dcol])
                    active = parent and cond
                elif word in ("elseif", "else"):
                    if not stack:
                        fail(f"@#{word} without @#if", lineno, dcol, raw)
                    top = stack[-1]
                    if top[3]:
                        fail(f"@#{word} after @#else", lineno, dcol, raw)
                    if word == "else":
                        top[3] = True
                        cond = not top[1]
                    else:
                        cond = False
                        if top[2] and not top[1]:
                            try:
                                cond = _truth(ev(rest, rest_start))
                            except TypeError:
                                fail("@#elseif needs a number or boolean", lineno, dcol, raw)
                    top[0] = cond
                    top[1] = top[1] or cond
                    active = top[2] and cond
                elif word == "endif":
                    if not stack:
                        fail("@#endif without @#if", lineno, dcol, raw)
                    active = stack.pop()[2]
                elif not active:
                    continue
                elif word == "for":
                    fm = re.match(r"\s*([A-Za-z_]\w*)\s+in\s+(.*)$", rest)
                    if not fm:
                        fail(
                            "@#for needs NAME in EXPR (tuples of names are not supported)",
                            lineno,
                            dcol,
                            raw,
                        )
                    depth, end = 1, None
                    for j in range(idx, hi):
                        dm2 = _DIRECTIVE.match(src_lines[j])
                        if dm2 and dm2.group(2) == "for":
                            depth += 1
                        elif dm2 and dm2.group(2) == "endfor":
                            depth -= 1
                            if depth == 0:
                                end = j
                                break
                    if end is None:
                        fail("@#for without matching @#endfor", lineno, dcol, raw)
                    values = ev(fm.group(2), rest_start + fm.start(2))
                    if not isinstance(values, list):
                        fail("@#for needs an array or a range such as 1:3", lineno, dcol, raw)
                    nonlocal_loops[0] += len(values)
                    if nonlocal_loops[0] > MAX_LOOP_ITERATIONS:
                        fail(
                            f"@#for loops run more than {MAX_LOOP_ITERATIONS} times in all",
                            lineno,
                            dcol,
                            raw,
                        )
                    var, here = fm.group(1), (lineno, raw)
                    for v in values:
                        env[var] = v
                        process(idx, end)
                    lineno, raw = here
                    idx = end + 1
                elif word == "endfor":
                    fail("@#endfor without @#for", lineno, dcol, raw)
                elif word == "define":
                    dm = re.match(r"\s*([A-Za-z_]\w*)\s*(\(|=)?", rest)
                    if not dm:
                        fail("@#define needs NAME = VALUE", lineno, dcol, raw)
                    if dm.group(2) == "(":
                        fail(
                            "macro functions (@#define f(x) = ...) are not supported",
                            lineno,
                            dcol,
                            raw,
                        )
                    if dm.group(2) != "=":
                        fail("@#define needs NAME = VALUE", lineno, dcol, raw)
                    env[dm.group(1)] = ev(rest[dm.end() :], rest_start + dm.end())
                elif word == "error":
                    msg = rest.strip().strip('"')
                    fail(f"@#error: {msg}", lineno, dcol, raw)
                elif word in ("echo", "echomacrovars"):
                    pass
                else:
                    fail(
                        f"unsupported macro directive @#{word} (jaxmacro supports @#define, @#if, "
                        "@#ifdef, @#ifndef, @#elseif, @#else, @#endif, @#error and @{...})",
                        lineno,
                        dcol,
                        raw,
                    )
                continue
            if not active:
                emit("")
                continue
            total += len(raw) + 1
            if total > MAX_OUTPUT:
                fail(
                    f"the file is longer than {MAX_OUTPUT} characters after macro expansion",
                    lineno,
                    1,
                    raw,
                )
            if "@{" not in raw:
                # '@#' elsewhere on a line (in a comment, in MATLAB code) is left to the lexer:
                # comments vanish, MATLAB lines are skipped, a Dynare statement reports it.
                emit(raw)
                continue
            # substitute @{EXPR}
            pieces, cmap, pos = [], [], 0
            while True:
                s = raw.find("@{", pos)
                if s < 0:
                    pieces.append(raw[pos:])
                    cmap.extend(range(pos, len(raw)))
                    break
                e = raw.find("}", s + 2)
                if e < 0:
                    fail("'@{' without closing '}'", lineno, s + 1, raw)
                pieces.append(raw[pos:s])
                cmap.extend(range(pos, s))
                val = macro_str(ev(raw[s + 2 : e], s + 2))
                total += len(val)
                if total > MAX_OUTPUT:
                    fail(
                        f"the file is longer than {MAX_OUTPUT} characters after macro expansion",
                        lineno,
                        s + 1,
                        raw,
                    )
                pieces.append(val)
                cmap.extend([s] * len(val))
                pos = e + 1
            emit("".join(pieces))
            colmaps[len(out)] = cmap

    nonlocal_loops = [0]
    process(0, len(src_lines))
    if stack:
        _, _, _, _, l0, c0 = stack[-1]
        fail("@#if/@#ifdef/@#ifndef without matching @#endif", l0, c0, src_lines[l0 - 1])
    return out, colmaps, env, linemap
