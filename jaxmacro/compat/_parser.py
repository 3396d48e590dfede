"""Recursive-descent parser for the Dynare model language (the subset of ordinary stochastic
models), producing a [`ModFile`][]: declarations, parameter assignments, model equations,
``steady_state_model``, ``initval``, ``shocks`` and the ``stoch_simul`` options, with every
name resolved and every expression a tree of [`jaxmacro.compat._ast`][] nodes.

Expressions follow Dynare's grammar (``DynareBison.yy``): from loosest to tightest,
``== !=``, ``< > <= >=``, ``+ -``, ``* /`` (all left-associative), unary ``-``/``+``, then
``^``, which is non-associative (``a^b^c`` is an error, as in Dynare; ``-x^2`` is ``-(x^2)``).
Nothing in the file is ever executed: the parser only builds trees.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path

from . import _ast as A
from ._errors import ModError
from ._lexer import Token, tokenize
from ._macro import preprocess

# Binary operators: token -> (left binding power, node op)
_BINOPS = {
    "==": 10, "!=": 10,
    "<": 20, ">": 20, "<=": 20, ">=": 20,
    "+": 30, "-": 30,
    "*": 40, "/": 40,
    "^": 60,
}
_UNARY_BP = 50

_RESERVED = set(A.FUNCTIONS) | {
    "STEADY_STATE", "EXPECTATION", "var", "varexo", "varexo_det", "parameters", "model", "end",
    "initval", "endval", "histval", "shocks", "steady_state_model", "steady", "check",
    "stoch_simul",
}

# Statements that need features jaxmacro does not have; named in the error message.
_UNSUPPORTED_DYNARE = {
    "varexo_det", "predetermined_variables", "trend_var", "log_trend_var", "endval", "histval",
    "initval_file", "histval_file", "simul", "perfect_foresight_setup",
    "perfect_foresight_solver", "estimation", "estimated_params", "estimated_params_init",
    "estimated_params_bounds", "varobs", "observation_trends", "ramsey_model", "ramsey_policy",
    "discretionary_policy", "planner_objective", "osr", "osr_params", "optim_weights",
    "identification", "shock_decomposition", "forecast", "conditional_forecast", "mshocks",
    "Sigma_e", "change_type", "external_function", "load_params_and_steady_state",
    "save_params_and_steady_state", "verbatim", "calib_smoother", "dynare_sensitivity",
    "occbin_constraints", "occbin_setup", "occbin_solver", "model_replace", "model_remove",
    "var_model", "pac_model", "var_expectation_model", "set_param_value", "steady_state",
    "homotopy_setup", "extended_path", "method_of_moments", "irf_calibration",
    "moment_calibration", "model_diagnostics", "unit_root_vars", "periods", "dsample",
}
# Commands accepted and ignored (they only print or write files).
_IGNORED_COMMANDS = {
    "write_latex_dynamic_model", "write_latex_static_model", "write_latex_original_model",
    "write_latex_parameter_table", "write_latex_definitions", "write_latex_prior_table",
    "model_info", "resid", "print_bytecode_dynamic_model", "print_bytecode_static_model",
}
# stoch_simul options that change nothing in the decision rules (printing, plotting,
# simulation and moments after the solve, or the choice among equivalent algorithms).
_STOCH_SIMUL_IGNORED = {
    "irf", "periods", "noprint", "print", "nograph", "graph", "nodisplay", "graph_format",
    "nomoments", "nocorr", "nofunctions", "nodecomposition", "ar", "hp_filter", "hp_ngrid",
    "one_sided_hp_filter", "bandpass_filter", "drop", "replic", "simul_replic", "irf_shocks",
    "relative_irf", "irf_plot_threshold", "conditional_variance_decomposition", "pruning",
    "k_order_solver", "dr", "dr_cycle_reduction_tol", "dr_logarithmic_reduction_tol",
    "dr_logarithmic_reduction_maxiter", "sylvester", "sylvester_fixed_point_tol",
    "qz_zero_threshold", "solve_algo", "tex", "contemporaneous_correlation", "aim_solver",
    "lyapunov", "lyapunov_fixed_point_tol", "lyapunov_doubling_tol", "nocheck",
    "filtered_theoretical_moments_grid", "simul_seed", "tolf",
}
_STOCH_SIMUL_HONOURED = {"order", "qz_criterium"}
_MODEL_OPTIONS_IGNORED = {"linear", "use_dll", "no_static", "block", "bytecode", "mfs",
                          "cutoff", "differentiate_forward_vars", "fast", "nolinemacro", "json"}


@dataclasses.dataclass(frozen=True)
class Equation:
    """One model equation ``lhs = rhs`` (``rhs`` is ``0`` when the file wrote ``expr;``)."""

    lhs: object
    rhs: object
    name: str
    line: int
    col: int

    @property
    def residual(self):
        if isinstance(self.rhs, A.Num) and self.rhs.value == 0.0:
            return self.lhs
        return A.Bin("-", self.lhs, self.rhs, self.line, self.col)


@dataclasses.dataclass(frozen=True)
class Assignment:
    target: str
    expr: object
    line: int
    col: int


@dataclasses.dataclass(frozen=True)
class ShockStatement:
    """``var e; stderr s;`` (kind "stderr"), ``var e = v;`` ("var"),
    ``var e, f = c;`` ("cov") or ``corr e, f = r;`` ("corr")."""

    kind: str
    names: tuple[str, ...]
    expr: object
    line: int
    col: int


@dataclasses.dataclass(frozen=True)
class ModFile:
    """A parsed `.mod` file: everything [`jaxmacro.compat.load_mod`][] needs, nothing run.

    **Fields:** `filename`, `name` (the file's stem), `endogenous` / `exogenous` /
    `parameters` (declaration order), `symbol_ids` (Dynare's 0-based symbol numbers, used in
    the names of auxiliary variables), `param_assignments` (in file order), `equations`,
    `steady_state_model` (assignments, or None), `initval`, `shocks`, `stoch_simul`
    (options as a dict of text values, or None), `macro_variables` (after preprocessing).

    Use [`ModFile.model`][] to build the [`jaxmacro.Model`][].
    """

    filename: str
    name: str
    endogenous: tuple[str, ...]
    exogenous: tuple[str, ...]
    parameters: tuple[str, ...]
    symbol_ids: Mapping[str, int]
    param_assignments: tuple[Assignment, ...]
    equations: tuple[Equation, ...]
    steady_state_model: tuple[Assignment, ...] | None
    initval: tuple[Assignment, ...]
    shocks: tuple[ShockStatement, ...]
    stoch_simul: Mapping[str, str] | None
    macro_variables: Mapping[str, object]
    declared_at: Mapping[str, tuple[int, int]]
    model_at: tuple[int, int]

    @property
    def order(self) -> int | None:
        """Approximation order requested by ``stoch_simul`` (Dynare's default 2), or None."""
        if self.stoch_simul is None:
            return None
        return int(float(self.stoch_simul.get("order", "2")))

    @property
    def qz_criterium(self) -> float | None:
        if self.stoch_simul is None or "qz_criterium" not in self.stoch_simul:
            return None
        return float(self.stoch_simul["qz_criterium"])

    def model(self, params: Mapping[str, float] | None = None, *, derived_params: str = "fixed"):
        """Build the [`jaxmacro.Model`][]; see [`jaxmacro.compat.load_mod`][] for the arguments."""
        from ._build import build_model

        return build_model(self, params=params, derived_params=derived_params)


class _Parser:
    def __init__(self, toks: list[Token], filename: str, lines: list[str]):
        self.toks, self.i, self.filename, self.lines = toks, 0, filename, lines
        self.endo: list[str] = []
        self.exo: list[str] = []
        self.params: list[str] = []
        self.kind: dict[str, str] = {}
        self.symbol_ids: dict[str, int] = {}
        self.declared_at: dict[str, tuple[int, int]] = {}
        self.assigned_params: set[str] = set()
        self.param_assignments: list[Assignment] = []
        self.equations: list[Equation] = []
        self.locals: dict[str, A.Local] = {}
        self.ss_model: list[Assignment] | None = None
        self.initval: list[Assignment] = []
        self.shocks: list[ShockStatement] = []
        self.stoch_simul: dict[str, str] | None = None
        self.model_at: tuple[int, int] | None = None
        self.block: tuple[str, Token] = ("", Token("eof", "", 0, 0))
        # expression context
        self.mode = "param"
        self.known: set[str] = set()  # names assigned earlier in ss / initval blocks
        self.temps: set[str] = set()

    # ---------------------------------------------------------------- tokens
    def peek(self, k: int = 0) -> Token:
        return self.toks[min(self.i + k, len(self.toks) - 1)]

    def next(self) -> Token:
        t = self.peek()
        self.i += 1
        return t

    def fail(self, tok: Token, msg: str):
        src = self.lines[tok.line - 1] if 0 < tok.line <= len(self.lines) else None
        raise ModError(msg, tok.line, tok.col, self.filename, src)

    @staticmethod
    def show(tok: Token) -> str:
        return "end of file" if tok.kind == "eof" else repr(tok.value)

    def expect(self, value: str, context: str = "") -> Token:
        t = self.peek()
        if t.kind in ("op", "name") and t.value == value:
            return self.next()
        where = f" {context}" if context else ""
        if value == ";":
            self.fail(t, f"missing ';'{where} (found {self.show(t)})")
        if value == ")":
            self.fail(t, f"expected ')'{where} (found {self.show(t)}): unbalanced parentheses")
        self.fail(t, f"expected {value!r}{where}, found {self.show(t)}")

    def accept(self, value: str) -> bool:
        t = self.peek()
        if t.kind in ("op", "name") and t.value == value:
            self.i += 1
            return True
        return False

    def expect_name(self, what: str) -> Token:
        t = self.peek()
        if t.kind != "name":
            self.fail(t, f"expected {what}, found {self.show(t)}")
        return self.next()

    # ---------------------------------------------------------------- statements
    def parse(self) -> None:
        while self.peek().kind != "eof":
            self.statement()

    def statement(self):
        t = self.peek()
        if t.kind == "op" and t.value == ";":
            self.next()
            return
        if t.kind != "name":
            self.fail(t, f"expected a statement, found {self.show(t)}")
        word = t.value
        nxt = self.peek(1)
        if nxt.kind == "op" and nxt.value == "=" and word not in _RESERVED:
            return self.param_assignment()
        if word in ("var", "varexo", "parameters"):
            return self.declaration()
        if word == "model_local_variable":
            self.next()
            while not self.accept(";"):
                self.expect_name("a name")
            return
        if word == "model":
            return self.model_block()
        if word == "steady_state_model":
            return self.steady_state_block()
        if word == "initval":
            return self.initval_block()
        if word == "shocks":
            return self.shocks_block()
        if word in ("steady", "check"):
            self.next()
            if self.peek().value == "(":
                self.skip_options(word)
            self.expect(";", f"after {word}")
            return
        if word == "stoch_simul":
            return self.stoch_simul_statement()
        if word in _IGNORED_COMMANDS:
            self.next()
            self.skip_to_semicolon()
            return
        if word == "end":
            self.fail(t, "'end' without a block to close")
        if word in _UNSUPPORTED_DYNARE:
            self.fail(t, f"unsupported command {word!r}: jaxmacro imports declarations, parameter "
                         "values, model, steady_state_model, initval, shocks, steady, check and "
                         "stoch_simul")
        if nxt.kind == "op" and nxt.value == "=":
            self.fail(t, f"cannot assign to {word!r} here")
        if word in self.kind:
            self.fail(t, f"expected a statement, found the {self.kind_name(word)} {word!r}")
        self.fail(t, f"unsupported command {word!r} (not part of the Dynare subset jaxmacro "
                     "imports)")

    def skip_to_semicolon(self):
        while True:
            t = self.next()
            if t.kind == "eof":
                self.fail(t, "missing ';' at end of file")
            if t.kind == "op" and t.value == ";":
                return

    def kind_name(self, name: str) -> str:
        return {"endo": "endogenous variable", "exo": "exogenous variable",
                "param": "parameter"}[self.kind[name]]

    def declaration(self):
        kw = self.next()
        kind = {"var": "endo", "varexo": "exo", "parameters": "param"}[kw.value]
        if self.peek().value == "(" and self.peek().kind == "op":
            self.fail(self.peek(), f"options of {kw.value!r} (such as deflator or log) are not "
                                   "supported")
        n = 0
        while True:
            t = self.peek()
            if t.kind == "op" and t.value == ";":
                self.next()
                break
            if t.kind == "op" and t.value == ",":
                self.next()
                continue
            if t.kind == "tex":
                self.next()
                continue
            if t.kind == "op" and t.value == "(":  # (long_name='...', ...)
                self.skip_balanced()
                continue
            if t.kind == "eof":
                self.fail(t, f"missing ';' at the end of the {kw.value} statement")
            if t.kind != "name":
                self.fail(t, f"expected a name in the {kw.value} statement, found {self.show(t)}")
            name = t.value
            if name in _RESERVED:
                self.fail(t, f"{name!r} is a reserved word and cannot be declared")
            if name in self.kind:
                self.fail(t, f"{name!r} is already declared as {self.kind_name(name)}")
            if self.peek(1).kind == "op" and self.peek(1).value == "=":
                self.fail(self.peek(1), f"missing ';' after the {kw.value} statement")
            self.next()
            self.kind[name] = kind
            self.symbol_ids[name] = len(self.symbol_ids)
            self.declared_at[name] = (t.line, t.col)
            {"endo": self.endo, "exo": self.exo, "param": self.params}[kind].append(name)
            n += 1
        if n == 0:
            self.fail(kw, f"empty {kw.value} statement")

    def skip_balanced(self):
        open_tok = self.next()
        depth = 1
        while depth:
            t = self.next()
            if t.kind == "eof":
                self.fail(open_tok, "unbalanced parentheses: this '(' is never closed")
            if t.kind == "op" and t.value in "([":
                depth += 1
            elif t.kind == "op" and t.value in ")]":
                depth -= 1

    def param_assignment(self):
        t = self.next()
        name = t.value
        if name not in self.kind:
            self.fail(t, f"undefined parameter {name!r} (declare it in a parameters statement)")
        if self.kind[name] != "param":
            self.fail(t, f"cannot assign a value to the {self.kind_name(name)} {name!r} outside "
                         "initval or steady_state_model")
        self.expect("=")
        self.mode = "param"
        e = self.expression()
        self.expect(";", f"after the value of {name!r}")
        self.assigned_params.add(name)
        self.param_assignments.append(Assignment(name, e, t.line, t.col))

    def options(self, what: str) -> dict[str, tuple[str, Token]]:
        """``(name [= value], ...)``: values kept as text."""
        self.expect("(")
        out: dict[str, tuple[str, Token]] = {}
        if self.accept(")"):
            return out
        while True:
            nt = self.expect_name(f"an option of {what}")
            value = ""
            if self.accept("="):
                start = self.peek()
                parts = []
                depth = 0
                while True:
                    t = self.peek()
                    if t.kind == "eof":
                        self.fail(start, f"unbalanced parentheses in the options of {what}")
                    if depth == 0 and t.kind == "op" and t.value in ",)":
                        break
                    if t.kind == "op" and t.value in "([":
                        depth += 1
                    if t.kind == "op" and t.value in ")]":
                        depth -= 1
                    parts.append(t.value)
                    self.next()
                if not parts:
                    self.fail(start, f"option {nt.value!r} of {what} needs a value")
                value = "".join(parts)
            out[nt.value] = (value, nt)
            if self.accept(")"):
                return out
            self.expect(",", f"between options of {what}")

    def skip_options(self, what: str):
        self.options(what)

    def stoch_simul_statement(self):
        kw = self.next()
        opts = {}
        if self.peek().kind == "op" and self.peek().value == "(":
            opts = self.options("stoch_simul")
        for name, (value, tok) in opts.items():
            if name in _STOCH_SIMUL_IGNORED:
                continue
            if name not in _STOCH_SIMUL_HONOURED:
                self.fail(tok, f"stoch_simul option {name!r} is not supported (it changes the "
                               "decision rules or is unknown to jaxmacro)")
            try:
                x = float(value)
            except ValueError:
                self.fail(tok, f"stoch_simul option {name}={value!r} needs a number")
            if name == "order" and x not in (1.0, 2.0):
                self.fail(tok, f"order={value} is not supported: jaxmacro solves orders 1 and 2")
        while not self.accept(";"):  # variable list: only selects what Dynare prints
            t = self.peek()
            if t.kind == "eof":
                self.fail(t, "missing ';' after stoch_simul")
            if t.kind != "name" or self.kind.get(t.value) != "endo":
                self.fail(t, f"expected ';' or an endogenous variable after stoch_simul, found "
                             f"{self.show(t)}")
            self.next()
        if self.stoch_simul is not None:
            self.fail(kw, "more than one stoch_simul statement")
        self.stoch_simul = {k: v for k, (v, _) in opts.items()}

    # ---------------------------------------------------------------- blocks
    def block_open(self, what: str, allowed: set[str] = frozenset()):
        kw = self.next()
        self.block = (what, kw)
        if self.peek().kind == "op" and self.peek().value == "(":
            for name, (_, tok) in self.options(what).items():
                if name not in allowed:
                    self.fail(tok, f"option {name!r} of {what} is not supported")
        self.expect(";", f"after {what}")
        return kw

    def at_end(self) -> bool:
        t = self.peek()
        if t.kind == "eof":
            what, kw = self.block
            self.fail(t, f"missing 'end;' of the {what} block opened at line {kw.line}")
        if t.kind == "name" and t.value == "end":
            self.next()
            self.expect(";", "after end")
            return True
        return False

    def model_block(self):
        kw = self.block_open("model", _MODEL_OPTIONS_IGNORED)
        if self.model_at is None:
            self.model_at = (kw.line, kw.col)
        self.mode = "model"
        tags: dict[str, str] = {}
        while not self.at_end():
            t = self.peek()
            if t.kind == "op" and t.value == "#":
                self.next()
                nt = self.expect_name("a model-local variable name after '#'")
                if nt.value in self.kind or nt.value in _RESERVED:
                    self.fail(nt, f"model-local variable {nt.value!r} clashes with a declared "
                                  "name")
                if nt.value in self.locals:
                    self.fail(nt, f"model-local variable {nt.value!r} is defined twice")
                self.expect("=", f"after '# {nt.value}'")
                e = self.expression()
                self.expect(";", f"after the definition of {nt.value!r}")
                self.locals[nt.value] = A.Local(nt.value, e, nt.line, nt.col)
                continue
            if t.kind == "op" and t.value == "[":
                tags = self.equation_tags()
                continue
            lhs = self.expression()
            if self.accept("="):
                rhs = self.expression()
            else:
                rhs = A.Num(0.0, t.line, t.col)
            self.expect(";", "at the end of the equation")
            k = len(self.equations) + 1
            name = tags.get("name", f"equation {k} (line {t.line})")
            self.equations.append(Equation(lhs, rhs, name, t.line, t.col))
            tags = {}

    def equation_tags(self) -> dict[str, str]:
        self.expect("[")
        tags = {}
        while True:
            nt = self.expect_name("an equation tag")
            if nt.value in ("static", "dynamic", "mcp"):
                self.fail(nt, f"equation tag {nt.value!r} is not supported")
            value = ""
            if self.accept("="):
                vt = self.next()
                if vt.kind != "str":
                    self.fail(vt, "an equation tag value must be a quoted string")
                value = vt.value[1:-1]
            tags[nt.value] = value
            if self.accept("]"):
                return tags
            self.expect(",", "between equation tags")

    def steady_state_block(self):
        self.block_open("steady_state_model")
        if self.ss_model is not None:
            self.fail(self.peek(), "more than one steady_state_model block")
        self.mode = "ss"
        self.known, self.temps = set(), set()
        out: list[Assignment] = []
        while not self.at_end():
            t = self.peek()
            if t.kind == "op" and t.value == "[":
                self.fail(t, "multiple assignments [a, b] = f(...) in steady_state_model call "
                             "external functions and are not supported")
            nt = self.expect_name("a variable name")
            kind = self.kind.get(nt.value)
            if kind == "param":
                self.fail(nt, f"assigning parameter {nt.value!r} in steady_state_model is not "
                              "supported")
            if kind == "exo":
                self.fail(nt, f"cannot assign the exogenous variable {nt.value!r}")
            if nt.value in _RESERVED:
                self.fail(nt, f"{nt.value!r} is a reserved word")
            self.expect("=", f"after {nt.value!r}")
            e = self.expression()
            self.expect(";", f"after the value of {nt.value!r}")
            if kind is None:
                self.temps.add(nt.value)
            self.known.add(nt.value)
            out.append(Assignment(nt.value, e, nt.line, nt.col))
        self.ss_model = out
        self.mode = "param"

    def initval_block(self):
        self.block_open("initval")
        self.mode = "initval"
        self.known = {a.target for a in self.initval}
        self.temps = set()
        while not self.at_end():
            nt = self.expect_name("a variable name")
            kind = self.kind.get(nt.value)
            if kind not in ("endo", "exo"):
                what = "a parameter" if kind == "param" else "not a declared variable"
                self.fail(nt, f"initval assigns {nt.value!r}, which is {what}")
            self.expect("=", f"after {nt.value!r}")
            e = self.expression()
            self.expect(";", f"after the value of {nt.value!r}")
            self.known.add(nt.value)
            self.initval.append(Assignment(nt.value, e, nt.line, nt.col))
        self.mode = "param"

    def shock_name(self) -> str:
        nt = self.expect_name("a shock name")
        kind = self.kind.get(nt.value)
        if kind == "endo":
            self.fail(nt, f"{nt.value!r} is endogenous: measurement errors in shocks are not "
                          "supported")
        if kind != "exo":
            self.fail(nt, f"unknown exogenous variable {nt.value!r}")
        return nt.value

    def shocks_block(self):
        kw = self.next()
        self.block = ("shocks", kw)
        overwrite = False
        if self.peek().kind == "op" and self.peek().value == "(":
            for name, (_, tok) in self.options("shocks").items():
                if name != "overwrite":
                    self.fail(tok, f"option {name!r} of shocks is not supported")
                overwrite = True
        self.expect(";", "after shocks")
        if overwrite:
            self.shocks.clear()
        self.mode = "shocks"
        while not self.at_end():
            t = self.next()
            if t.kind == "name" and t.value == "var":
                names = [self.shock_name()]
                if self.accept(","):
                    names.append(self.shock_name())
                    self.expect("=", "in a covariance 'var e1, e2 = value;'")
                    e = self.expression()
                    self.expect(";")
                    self.shocks.append(ShockStatement("cov", tuple(names), e, t.line, t.col))
                    continue
                if self.accept("="):
                    e = self.expression()
                    self.expect(";")
                    self.shocks.append(ShockStatement("var", tuple(names), e, t.line, t.col))
                    continue
                self.expect(";", f"after 'var {names[0]}'")
                st = self.peek()
                if st.kind == "name" and st.value == "stderr":
                    self.next()
                    e = self.expression()
                    self.expect(";", "after stderr")
                    self.shocks.append(ShockStatement("stderr", tuple(names), e, t.line, t.col))
                    continue
                if st.kind == "name" and st.value in ("periods", "values"):
                    self.fail(st, "deterministic shocks (periods/values) are not supported")
                self.fail(st, f"expected 'stderr' after 'var {names[0]};', found {self.show(st)}")
            elif t.kind == "name" and t.value == "corr":
                names = [self.shock_name()]
                self.expect(",", "between the two shocks of corr")
                names.append(self.shock_name())
                self.expect("=", "in 'corr e1, e2 = value;'")
                e = self.expression()
                self.expect(";")
                self.shocks.append(ShockStatement("corr", tuple(names), e, t.line, t.col))
            else:
                self.fail(t, f"expected 'var', 'corr' or 'end' in the shocks block, found "
                             f"{self.show(t)}")
        self.mode = "param"

    # ---------------------------------------------------------------- expressions
    def expression(self, rbp: int = 0):
        left = self.prefix()
        last_pow = False
        while True:
            t = self.peek()
            if t.kind != "op" or t.value not in _BINOPS or _BINOPS[t.value] <= rbp:
                return left
            if t.value == "^" and last_pow:
                self.fail(t, "a^b^c is ambiguous (Dynare's ^ is non-associative): add "
                             "parentheses")
            self.next()
            bp = _BINOPS[t.value]
            right = self.expression(bp)
            left = A.Bin(t.value, left, right, t.line, t.col)
            last_pow = t.value == "^"

    def prefix(self):
        t = self.next()
        if t.kind == "num":
            return A.Num(float(t.value), t.line, t.col)
        if t.kind == "op" and t.value == "(":
            e = self.expression()
            self.expect(")", f"to close the parenthesis opened at line {t.line}, column {t.col}")
            return e
        if t.kind == "op" and t.value == "-":
            return A.Neg(self.expression(_UNARY_BP), t.line, t.col)
        if t.kind == "op" and t.value == "+":
            return self.expression(_UNARY_BP)
        if t.kind == "name":
            return self.name(t)
        if t.kind == "eof":
            self.fail(t, "the expression ends too early (missing operand or ';')")
        if t.kind == "str":
            self.fail(t, f"a string {t.value} cannot appear in an expression")
        if t.kind == "op" and t.value == ")":
            self.fail(t, "unbalanced parentheses: unexpected ')'")
        if t.kind == "op" and t.value == ";":
            self.fail(t, "missing operand before ';'")
        self.fail(t, f"unexpected {self.show(t)} in an expression")

    def call_args(self, name: Token) -> tuple:
        self.expect("(", f"after {name.value}")
        args = [self.expression()]
        while self.accept(","):
            args.append(self.expression())
        self.expect(")", f"to close the call of {name.value}")
        return tuple(args)

    def lead_lag(self, nt: Token) -> int:
        self.expect("(")
        sign = 1
        t = self.next()
        if t.kind == "op" and t.value in "+-":
            sign = -1 if t.value == "-" else 1
            t = self.next()
        if t.kind != "num" or not t.value.isdigit():
            self.fail(t, f"the lead or lag of {nt.value!r} must be an integer such as (-1) or (+1)")
        self.expect(")", f"after the lead or lag of {nt.value!r}")
        return sign * int(t.value)

    def name(self, t: Token):
        name = t.value
        is_call = self.peek().kind == "op" and self.peek().value == "("
        if name in A.FUNCTIONS and is_call:
            args = self.call_args(t)
            if len(args) not in A.FUNCTIONS[name]:
                n = " or ".join(map(str, A.FUNCTIONS[name]))
                self.fail(t, f"{name} takes {n} argument(s), got {len(args)}")
            return A.Call("log" if name == "ln" else name, args, t.line, t.col)
        if name == "STEADY_STATE" and is_call:
            if self.mode != "model":
                self.fail(t, "STEADY_STATE(...) is only allowed in the model block")
            self.expect("(")
            e = self.expression()
            self.expect(")", "to close STEADY_STATE(")
            return A.SteadyStateOf(e, t.line, t.col)
        if name in ("EXPECTATION", "diff", "adl", "var_expectation", "pac_expectation",
                    "pac_target_nonstationary", "sum") and is_call:
            self.fail(t, f"the operator {name}(...) is not supported")
        kind = self.kind.get(name)
        if self.mode == "model" and name in self.locals:
            if is_call:
                self.fail(self.peek(), f"the model-local variable {name!r} cannot have a lead "
                                       "or lag")
            return self.locals[name]
        if self.mode in ("ss", "initval") and name in self.temps:
            return A.Temp(name, t.line, t.col)
        if kind is None:
            if name in A.FUNCTIONS or name == "STEADY_STATE":
                self.fail(t, f"the function {name!r} needs its arguments in parentheses")
            if is_call:
                self.fail(t, f"unknown function {name!r}")
            if self.mode == "ss" and name not in self.kind:
                self.fail(t, f"unknown name {name!r} (not a parameter, nor assigned earlier in "
                             "steady_state_model)")
            self.fail(t, f"unknown variable or parameter {name!r}")
        if kind == "param":
            if is_call:
                self.fail(t, f"the parameter {name!r} cannot have a lead or lag (or is used as a "
                             "function)")
            if self.mode == "param" and name not in self.assigned_params:
                self.fail(t, f"parameter {name!r} is used before it is given a value")
            return A.Param(name, t.line, t.col)
        # variables
        if self.mode in ("param", "shocks"):
            where = "a parameter value" if self.mode == "param" else "the shocks block"
            self.fail(t, f"the {self.kind_name(name)} {name!r} cannot appear in {where}")
        lag = self.lead_lag(t) if is_call else 0
        if self.mode in ("ss", "initval"):
            if lag:
                self.fail(t, "leads and lags are not allowed outside the model block")
            if kind == "exo":
                return A.Exo(name, 0, t.line, t.col)
            if name not in self.known:
                self.fail(t, f"{name!r} is used before it is assigned in this block")
            return A.Endo(name, 0, t.line, t.col)
        if kind == "exo":
            if lag > 0:
                self.fail(t, f"lead on the exogenous variable {name!r} is not supported")
            return A.Exo(name, lag, t.line, t.col)
        return A.Endo(name, lag, t.line, t.col)

    # ---------------------------------------------------------------- result
    def result(self, filename: str, macro_vars) -> ModFile:
        eof = self.peek()
        if not self.endo:
            self.fail(eof, "no endogenous variables declared (var statement)")
        if not self.equations:
            self.fail(eof, "no model block")
        n_eq, n_var = len(self.equations), len(self.endo)
        if n_eq != n_var:
            line, col = self.model_at or (eof.line, eof.col)
            raise ModError(
                f"the model has {n_eq} equations for {n_var} endogenous variables", line, col,
                self.filename, self.lines[line - 1] if line <= len(self.lines) else None)
        used = {n.name for eq in self.equations for side in (eq.lhs, eq.rhs)
                for n in A.walk(side) if isinstance(n, (A.Endo, A.Exo))}
        for v in self.endo:
            if v not in used:
                line, col = self.declared_at[v]
                raise ModError(f"endogenous variable {v!r} appears in no equation", line, col,
                               self.filename, self.lines[line - 1])
        return ModFile(
            filename=filename,
            name=Path(filename).stem if filename != "<string>" else "model",
            endogenous=tuple(self.endo),
            exogenous=tuple(self.exo),
            parameters=tuple(self.params),
            symbol_ids=dict(self.symbol_ids),
            param_assignments=tuple(self.param_assignments),
            equations=tuple(self.equations),
            steady_state_model=None if self.ss_model is None else tuple(self.ss_model),
            initval=tuple(self.initval),
            shocks=tuple(self.shocks),
            stoch_simul=self.stoch_simul,
            macro_variables=dict(macro_vars),
            declared_at=dict(self.declared_at),
            model_at=self.model_at or (0, 0),
        )


def parse_mod(text: str, *, defines: Mapping[str, object] | None = None,
              filename: str = "<string>") -> ModFile:
    """Parse the text of a `.mod` file (macro processing included) into a [`ModFile`][].

    **Arguments:**

    - `text`: the file's contents.
    - `defines` (keyword-only): macro variables, as ``-D NAME=VALUE`` on Dynare's command
      line (values: numbers, strings or booleans).
    - `filename`: used in error messages.

    **Raises:** [`jaxmacro.compat.ModError`][] (a ``ValueError``) with line and column for
    anything malformed or unsupported. Nothing in the file is executed.
    """
    lines, colmaps, env = preprocess(text, defines, filename)
    toks = tokenize(lines, colmaps, filename)
    p = _Parser(toks, filename, lines)
    p.parse()
    return p.result(filename, env)
