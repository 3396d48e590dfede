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
import math
from collections.abc import Mapping
from pathlib import Path

from . import _ast as A
from ._errors import ModError
from ._lexer import Token, tokenize
from ._macro import preprocess
from ._modfile import (
    Assignment,
    Equation,
    EstimatedParam,
    ModEstimation,
    ModFile,
    ShockStatement,
    Skipped,
)

# Binary operators: token -> (left binding power, node op)
_BINOPS = {
    "==": 10,
    "!=": 10,
    "<": 20,
    ">": 20,
    "<=": 20,
    ">=": 20,
    "+": 30,
    "-": 30,
    "*": 40,
    "/": 40,
    "^": 60,
}
_UNARY_BP = 50

_RESERVED = set(A.FUNCTIONS) | {
    "STEADY_STATE",
    "EXPECTATION",
    "var",
    "varexo",
    "varexo_det",
    "parameters",
    "model",
    "end",
    "initval",
    "endval",
    "histval",
    "shocks",
    "steady_state_model",
    "steady",
    "check",
    "stoch_simul",
    "predetermined_variables",
    "trend_var",
    "log_trend_var",
    "Sigma_e",
}

# Bounds on what a file may ask for (a few bytes must not take minutes or gigabytes).
MAX_LEAD_LAG = 100  # |k| in x(k): Dynare makes |k| - 1 auxiliary variables
MAX_NESTING = 200  # nested parentheses / unary operators / powers in one expression
MAX_TREE_DEPTH = 400  # depth of one expression tree (e.g. terms of a long sum)

# Statements that need features jaxmacro does not have: refused, named in the message.
_REFUSED = {
    "ramsey_model": "optimal policy (Ramsey) is not supported",
    "ramsey_policy": "optimal policy (Ramsey) is not supported",
    "ramsey_constraints": "optimal policy (Ramsey) is not supported",
    "planner_objective": "optimal policy (planner_objective) is not supported",
    "discretionary_policy": "optimal discretionary policy is not supported",
    "evaluate_planner_objective": "optimal policy is not supported",
    "osr": "optimal simple rules (osr) are not supported",
    "osr_params": "optimal simple rules (osr) are not supported",
    "osr_params_bounds": "optimal simple rules (osr) are not supported",
    "change_type": "change_type is not supported",
    "external_function": "external functions (MATLAB code in the model) are not supported",
    "load_params_and_steady_state": "parameters loaded from a file cannot be imported",
    "initval_file": "initial values loaded from a file cannot be imported",
    "model_replace": "model_replace is not supported",
    "model_remove": "model_remove is not supported",
    "var_model": "VAR models (var_model) are not supported",
    "pac_model": "PAC models are not supported",
    "var_expectation_model": "var_expectation_model is not supported",
    "trend_component_model": "trend_component_model is not supported",
    "occbin_constraints": "occasionally binding constraints (occbin) are not supported",
    "occbin_setup": "occasionally binding constraints (occbin) are not supported",
    "occbin_solver": "occasionally binding constraints (occbin) are not supported",
}
# Blocks ending in 'end;' that do not change stoch_simul's decision rules: skipped.
_SKIPPED_BLOCKS = {
    "estimated_params_bounds",
    "estimated_params_remove",
    "observation_trends",
    "optim_weights",
    "moment_calibration",
    "irf_calibration",
    "conditional_forecast_paths",
    "shock_groups",
    "filter_initial_state",
    "histval",
    "endval",
    "mshocks",
    "homotopy_setup",
    "verbatim",
    "matched_moments",
    "generate_irfs",
    "init_plan",
    "filtered_theoretical_moments_grid",
}
# Commands (up to ';') that do not change stoch_simul's decision rules: skipped.
_SKIPPED_COMMANDS = {
    "identification",
    "shock_decomposition",
    "realtime_shock_decomposition",
    "plot_shock_decomposition",
    "initial_condition_decomposition",
    "squeeze_shock_decomposition",
    "forecast",
    "conditional_forecast",
    "plot_conditional_forecast",
    "calib_smoother",
    "dynare_sensitivity",
    "write_latex_dynamic_model",
    "write_latex_static_model",
    "write_latex_original_model",
    "write_latex_parameter_table",
    "write_latex_definitions",
    "write_latex_prior_table",
    "write_latex_steady_state_model",
    "collect_latex_files",
    "model_info",
    "resid",
    "print_bytecode_dynamic_model",
    "print_bytecode_static_model",
    "save_params_and_steady_state",
    "dsample",
    "model_diagnostics",
    "simul",
    "perfect_foresight_setup",
    "perfect_foresight_solver",
    "extended_path",
    "smoother2histval",
    "unit_root_vars",
    "periods",
    "prior_function",
    "posterior_function",
    "generate_trace_plots",
    "bvar_density",
    "bvar_forecast",
    "sbvar",
    "ms_estimation",
    "ms_simulation",
    "ms_compute_mdd",
    "ms_compute_probabilities",
    "ms_irf",
    "ms_forecast",
    "ms_variance_decomposition",
    "markov_switching",
    "svar",
    "svar_identification",
    "method_of_moments",
    "histval_file",
    "model_comparison",
    "trace_plot",
    "prior",
    "shock_decomposition",
    "datafile",
    "occbin_graph",
    "occbin_write_regimes",
    "compilation_setup",
    "model_info",
    "det_cond_forecast",
    "forecast",
    "write_latex_original_model",
    "plot_priors",
    "dynatype",
    "dynasave",
    "prior_posterior_function",
}
_SKIPPED_WHY = "has no effect on the decision rules of stoch_simul"
ESTIMATION_WHY = (
    "read for estimation (jaxmacro.compat.estimation_problem, the loglik and estimate "
    "commands); no effect on the decision rules of stoch_simul"
)
# estimated_params prior shapes: Dynare keyword -> the name jaxmacro stores
PRIOR_SHAPES = {
    "normal_pdf": "normal_pdf",
    "beta_pdf": "beta_pdf",
    "gamma_pdf": "gamma_pdf",
    "inv_gamma_pdf": "inv_gamma_pdf",
    "inv_gamma1_pdf": "inv_gamma_pdf",
    "uniform_pdf": "uniform_pdf",
}
_UNSUPPORTED_SHAPES = {
    "inv_gamma2_pdf": "the type-2 inverse gamma prior (inv_gamma2_pdf) is not supported",
    "weibull_pdf": "the Weibull prior (weibull_pdf) is not supported",
}
_KEYWORDS = (
    _RESERVED
    | set(_REFUSED)
    | _SKIPPED_BLOCKS
    | _SKIPPED_COMMANDS
    | {"model_local_variable", "PARAMETERS"}
    | {"varobs", "estimated_params", "estimated_params_init", "estimation"}
)
# Words that begin a statement or block: met where a name of the model is expected, they mean
# the statement (or block) before them is not finished, and the message says so.
_STATEMENT_WORDS = _KEYWORDS - set(A.FUNCTIONS) - {"STEADY_STATE", "EXPECTATION", "end"}
# stoch_simul options that change nothing in the decision rules (printing, plotting,
# simulation and moments after the solve, or the choice among equivalent algorithms).
_STOCH_SIMUL_IGNORED = {
    "irf",
    "periods",
    "noprint",
    "print",
    "nograph",
    "graph",
    "nodisplay",
    "graph_format",
    "nomoments",
    "nocorr",
    "nofunctions",
    "nodecomposition",
    "ar",
    "hp_filter",
    "hp_ngrid",
    "one_sided_hp_filter",
    "bandpass_filter",
    "drop",
    "replic",
    "simul_replic",
    "irf_shocks",
    "relative_irf",
    "irf_plot_threshold",
    "conditional_variance_decomposition",
    "pruning",
    "k_order_solver",
    "dr",
    "dr_cycle_reduction_tol",
    "dr_logarithmic_reduction_tol",
    "dr_logarithmic_reduction_maxiter",
    "sylvester",
    "sylvester_fixed_point_tol",
    "qz_zero_threshold",
    "solve_algo",
    "tex",
    "contemporaneous_correlation",
    "aim_solver",
    "lyapunov",
    "lyapunov_fixed_point_tol",
    "lyapunov_doubling_tol",
    "nocheck",
    "filtered_theoretical_moments_grid",
    "simul_seed",
    "tolf",
}
_STOCH_SIMUL_HONOURED = {"order", "qz_criterium"}
_MODEL_OPTIONS_IGNORED = {
    "linear",
    "use_dll",
    "no_static",
    "block",
    "bytecode",
    "mfs",
    "cutoff",
    "differentiate_forward_vars",
    "fast",
    "nolinemacro",
    "json",
}


class _Parser:
    def __init__(self, toks: list[Token], filename: str, lines: list[str]):
        self.toks, self.i, self.filename, self.lines = toks, 0, filename, lines
        self.endo: list[str] = []
        self.exo: list[str] = []
        self.exo_det: list[str] = []  # varexo_det: held at their steady state (0) here
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
        self.stoch_simul_lines: list[int] = []
        self.native_lines: list[tuple[int, int, Token, str]] = []
        self.native_unknown: dict[str, int] = {}
        self.local_names: dict[str, int] = {}
        self.predetermined: list[str] = []
        # nonstationary models: trend variable -> (growth factor, is it a log trend);
        # deflated variable -> (deflator, is it a log deflator), in declaration order
        self.trends: dict[str, tuple[object, bool]] = {}
        self.deflators: dict[str, tuple[object, bool]] = {}
        self.expect_aux = 0
        self.expect_defs: list[tuple[str, object]] = []  # EXPECTATION(k)(...): (aux, expr)
        self.skipped: list[Skipped] = []
        self.warnings: list[str] = []
        # estimation: varobs, estimated_params(_init), measurement errors, estimation(...)
        self.observables: list[str] = []
        self.varobs_at: tuple[int, int] | None = None
        self.est_params: list[EstimatedParam] = []
        self.est_use_calibration = False
        self.measurement: list[ShockStatement] = []
        self.estimation_opts: dict[str, str] | None = None
        self.estimation_opt_at: dict[str, tuple[int, int]] = {}
        self.estimation_lines: list[int] = []
        self.allow_inf = False
        self.depth = 0
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
        if t.kind == "bad":
            self.bad_token(t)
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
            return self.native(t)
        word = t.value
        nxt = self.peek(1)
        assigns = nxt.kind == "op" and nxt.value == "=" and self.peek(2).value != "="
        if assigns and word not in _KEYWORDS:
            if self.kind.get(word) == "param":
                return self.param_assignment()
            if word in self.kind:
                self.fail(
                    t,
                    f"cannot assign a value to the {self.kind_name(word)} {word!r} "
                    "outside initval or steady_state_model",
                )
            return self.local_assignment(t)
        if word in (
            "var",
            "varexo",
            "varexo_det",
            "parameters",
            "PARAMETERS",
            "trend_var",
            "log_trend_var",
        ):
            return self.declaration()
        if word == "Sigma_e":
            return self.sigma_e_statement()
        if word == "predetermined_variables":
            return self.predetermined_statement()
        if word == "model_local_variable":
            self.next()
            while not self.accept(";"):
                t2 = self.next()
                if t2.kind == "eof":
                    self.fail(t2, "missing ';' after model_local_variable")
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
        if word == "varobs":
            return self.varobs_statement()
        if word in ("estimated_params", "estimated_params_init"):
            return self.estimated_params_block()
        if word == "estimation" and (nxt.value in (";", "(") or nxt.kind == "name"):
            return self.estimation_statement()
        if word in _REFUSED:
            self.fail(t, f"unsupported command {word!r}: {_REFUSED[word]}")
        if word in _SKIPPED_BLOCKS:
            return self.skip_block(t)
        if word in _SKIPPED_COMMANDS and (nxt.value in (";", "(") or nxt.kind == "name"):
            self.next()
            self.skip_to_semicolon()
            self.skip(f"Dynare command {word!r}", t.line, self.toks[self.i - 1].line, _SKIPPED_WHY)
            return
        return self.native(t)

    # ---------------------------------------------------------------- MATLAB code
    def native(self, t: Token):
        """Skip a line of MATLAB code (Dynare passes it to MATLAB; nothing is executed here).

        The statement runs to the end of its line (continued by ``...``). Code that could
        change the model before the last ``stoch_simul`` (``set_param_value``, ``M_.params``,
        ``load``, ``options_``) is recorded and judged once the whole file is read."""
        first = t.line
        last = first
        while True:
            toks_line = []
            while self.peek().kind != "eof" and self.peek().line == last:
                toks_line.append(self.next())
            if (
                len(toks_line) >= 3
                and all(x.value == "." for x in toks_line[-3:])
                and self.peek().kind != "eof"
            ):
                last = self.peek().line
                continue
            break
        text = " ".join(self.lines[i - 1].strip() for i in range(first, last + 1))
        head = text.split("(")[0].split("=")[0].split(";")[0].strip()
        if t.kind == "name" and t.value == "end":
            what = "MATLAB 'end'"
        else:
            what = f"MATLAB code {head[:40]!r}" if head else "MATLAB code"
        self.native_lines.append((first, last, t, text))
        self.skip(what, first, last, "MATLAB code is not run")

    def skip(self, what: str, first: int, last: int, reason: str):
        self.skipped.append(Skipped(what, (first, last), reason))

    def skip_block(self, kw: Token):
        self.next()
        self.block = (kw.value, kw)
        while True:
            t = self.next()
            if t.kind == "eof":
                self.fail(t, f"missing 'end;' of the {kw.value} block opened at line {kw.line}")
            if t.kind == "name" and t.value == "end" and self.peek().value == ";":
                self.next()
                break
        self.skip(f"Dynare block {kw.value!r}", kw.line, self.toks[self.i - 1].line, _SKIPPED_WHY)

    def local_assignment(self, t: Token):
        """``NAME = expr;`` of an undeclared name: a mod-file local variable (Dynare runs
        the line as MATLAB). Kept when `expr` is an expression of the model language;
        otherwise the line is MATLAB code, and a later use of NAME is an error."""
        start = self.i
        self.next()
        self.next()
        self.mode = "param"
        try:
            e = self.expression()
            end = self.peek()
            if end.kind != "op" or end.value != ";":
                raise ModError("no ;", end.line, end.col, self.filename)
            self.next()
        except ModError:
            self.i = start
            self.native_unknown[t.value] = t.line
            return self.native(t)
        self.local_names.setdefault(t.value, t.line)
        self.symbol_ids.setdefault(t.value, len(self.symbol_ids))  # as Dynare numbers them
        self.native_unknown.pop(t.value, None)
        self.assigned_params.add(t.value)
        self.param_assignments.append(Assignment(t.value, e, t.line, t.col))

    def predetermined_statement(self):
        kw = self.next()
        while not self.accept(";"):
            if self.accept(","):
                continue
            nt = self.expect_name("a variable name in predetermined_variables")
            if self.kind.get(nt.value) != "endo":
                self.fail(
                    nt,
                    f"predetermined_variables: {nt.value!r} is not a declared endogenous variable",
                )
            if nt.value not in self.predetermined:
                self.predetermined.append(nt.value)
        if not self.predetermined:
            self.fail(kw, "empty predetermined_variables statement")

    # ---------------------------------------------------------------- estimation
    def varobs_statement(self):
        kw = self.next()
        n = 0
        while not self.accept(";"):
            if self.accept(","):
                continue
            t = self.peek()
            if t.kind == "eof":
                self.fail(t, "missing ';' after varobs")
            if t.kind == "bad":
                self.bad_token(t)
            if t.kind != "name":
                self.fail(t, f"expected an observed variable in varobs, found {self.show(t)}")
            self.next()
            kind = self.kind.get(t.value)
            if kind != "endo":
                what = {"exo": "an exogenous variable", "param": "a parameter"}.get(
                    kind, "not declared"
                )
                self.fail(
                    t,
                    f"varobs: {t.value!r} is {what}; observed variables must be declared "
                    "endogenous variables (var)",
                )
            if t.value in self.observables:
                self.fail(t, f"varobs: {t.value!r} is listed twice")
            self.observables.append(t.value)
            n += 1
        if n == 0:
            self.fail(kw, "empty varobs statement")
        self.varobs_at = self.varobs_at or (kw.line, kw.col)
        self.skip("Dynare command 'varobs'", kw.line, self.toks[self.i - 1].line, ESTIMATION_WHY)

    def estimated_params_block(self):
        """``estimated_params; ... end;`` (one entry a line, ML or Bayesian form, see
        [`EstimatedParam`][]) or ``estimated_params_init; NAME, INIT; ... end;``."""
        kw = self.next()
        init_block = kw.value == "estimated_params_init"
        self.block = (kw.value, kw)
        if self.peek().kind == "op" and self.peek().value == "(":
            for name, (_, tok) in self.options(kw.value).items():
                if not init_block and name == "overwrite":
                    self.est_params.clear()
                elif init_block and name == "use_calibration":
                    self.est_use_calibration = True
                else:
                    self.fail(tok, f"option {name!r} of {kw.value} is not supported")
        self.expect(";", f"after {kw.value}")
        self.mode, self.allow_inf = "param", True
        try:
            while not self.at_end():
                kind, names, head, me = self.estimated_head(kw.value)
                fields = self.estimated_fields()
                if init_block:
                    self.estimated_init(kind, names, head, fields)
                else:
                    self.est_params.append(self.estimated_entry(kind, names, head, me, fields))
        finally:
            self.allow_inf = False
        self.skip(f"Dynare block {kw.value!r}", kw.line, self.toks[self.i - 1].line, ESTIMATION_WHY)

    def estimated_head(self, block: str):
        t = self.peek()
        if t.kind == "name" and t.value in ("stderr", "corr") and self.peek(1).kind == "name":
            self.next()
            if t.value == "stderr":
                name, me = self.shock_name(f"a shock or observed variable after stderr in {block}")
                return "stderr", (name,), t, me
            names, me = self.shock_pair("between the two variables of corr")
            return "corr", names, t, me
        if t.kind == "name" and t.value.lower() == "dsge_prior_weight":
            self.fail(t, "DSGE-VAR estimation (dsge_prior_weight) is not supported")
        nt = self.expect_name(f"a parameter, 'stderr NAME' or 'corr NAME1, NAME2' in {block}")
        kind = self.kind.get(nt.value)
        if kind in ("exo", "endo"):
            self.fail(
                nt,
                f"{nt.value!r} is a variable, not a parameter: write 'stderr {nt.value}' to "
                "estimate its standard deviation",
            )
        if kind != "param":
            self.fail(nt, f"unknown parameter {nt.value!r} in {block}")
        return "param", (nt.value,), nt, False

    def estimated_fields(self) -> list[tuple[Token, object]]:
        """The comma-separated fields after the name, up to ';': (first token, expression,
        None for an empty field, or the prior shape keyword as a Token)."""
        fields: list[tuple[Token, object]] = []
        while not self.accept(";"):
            self.expect(",", "between the fields of an estimated parameter")
            t = self.peek()
            if t.kind == "op" and t.value in ",;":
                fields.append((t, None))
                continue
            nxt = self.peek(1)
            if (
                t.kind == "name"
                and t.value not in self.kind
                and t.value not in self.local_names
                and t.value not in ("inf", "Inf")
                and nxt.kind in ("op", "eof")
                and nxt.value in (",", ";", "")
            ):
                fields.append((t, self.next()))  # a prior shape (checked by the caller)
                continue
            fields.append((t, self.expression()))
        return fields

    def estimated_entry(self, kind, names, head: Token, me: bool, fields) -> EstimatedParam:
        label = EstimatedParam.make_label(kind, names)
        shapes = [(i, t) for i, (t, f) in enumerate(fields) if isinstance(f, Token)]
        for e in self.est_params:
            if e.kind == kind and set(e.names) == set(names):
                self.fail(head, f"{label} is estimated twice (first at line {e.line})")
        if len(shapes) > 1:
            self.fail(shapes[1][1], f"{label}: more than one prior shape")
        values = [f for _, f in fields]
        if not shapes:  # maximum likelihood: NAME, INIT[, LB, UB]
            if len(fields) not in (1, 3):
                self.fail(
                    head,
                    f"{label}: {len(fields)} field(s) after the name; the maximum-likelihood "
                    "form is 'NAME, INITIAL_VALUE[, LOWER_BOUND, UPPER_BOUND];' and the "
                    "Bayesian form needs a prior shape (normal_pdf, beta_pdf, gamma_pdf, "
                    "inv_gamma_pdf, uniform_pdf)",
                )
            if values[0] is None:
                self.fail(fields[0][0], f"{label}: the initial value is required without a prior")
            init, lower, upper = (values + [None, None])[:3]
            return EstimatedParam(kind, names, me, init, lower, upper, line=head.line, col=head.col)
        k, st = shapes[0]
        if st.value in _UNSUPPORTED_SHAPES:
            self.fail(st, f"{label}: {_UNSUPPORTED_SHAPES[st.value]}")
        if st.value not in PRIOR_SHAPES:
            self.fail(
                st,
                f"{label}: unknown prior shape or name {st.value!r} (prior shapes: "
                f"{', '.join(PRIOR_SHAPES)})",
            )
        shape = PRIOR_SHAPES[st.value]
        before, after = values[:k], values[k + 1 :]
        if len(before) not in (0, 1, 3):
            self.fail(
                head,
                f"{label}: {len(before)} field(s) before the prior shape; the Bayesian form "
                "is 'NAME, [INITIAL_VALUE, [LOWER_BOUND, UPPER_BOUND,]] SHAPE, MEAN, STD"
                "[, P3, P4[, JSCALE]];'",
            )
        if not 2 <= len(after) <= 5:
            self.fail(
                st,
                f"{label}: {len(after)} field(s) after {st.value}; expected MEAN, STD"
                "[, P3, P4[, JSCALE]] (2 to 5 fields, empty ones allowed)",
            )
        init, lower, upper = (before + [None, None, None])[:3]
        mean, std, p3, p4, jscale = (after + [None] * 3)[:5]
        if shape == "uniform_pdf":
            given = (mean is not None and std is not None, p3 is not None and p4 is not None)
            if given[0] == given[1]:
                self.fail(
                    st,
                    f"{label}: give a uniform prior either by MEAN, STD or by its bounds P3, "
                    "P4 (uniform_pdf, , , LOWER, UPPER), not "
                    + ("both" if given[0] else "neither"),
                )
        elif mean is None or std is None:
            self.fail(st, f"{label}: the prior {st.value} needs a mean and a standard deviation")
        return EstimatedParam(
            kind,
            names,
            me,
            init,
            lower,
            upper,
            shape,
            mean,
            std,
            p3,
            p4,
            jscale,
            line=head.line,
            col=head.col,
        )

    def estimated_init(self, kind, names, head: Token, fields):
        label = EstimatedParam.make_label(kind, names)
        if len(fields) != 1 or fields[0][1] is None or isinstance(fields[0][1], Token):
            self.fail(head, f"{label}: estimated_params_init takes 'NAME, INITIAL_VALUE;'")
        for i, e in enumerate(self.est_params):
            if e.kind == kind and set(e.names) == set(names):
                self.est_params[i] = dataclasses.replace(e, init=fields[0][1])
                return
        self.fail(head, f"estimated_params_init: {label} is not in an estimated_params block")

    def estimation_statement(self):
        kw = self.next()
        opts = {}
        if self.peek().kind == "op" and self.peek().value == "(":
            opts = self.options("estimation")
        self.variable_list("estimation")
        self.estimation_lines.append(kw.line)
        # options persist from one estimation to the next, as Dynare's options_ does
        self.estimation_opts = {
            **(self.estimation_opts or {}),
            **{k: v for k, (v, _) in opts.items()},
        }
        self.estimation_opt_at.update({k: (tok.line, tok.col) for k, (_, tok) in opts.items()})
        self.skip(
            "Dynare command 'estimation'", kw.line, self.toks[self.i - 1].line, ESTIMATION_WHY
        )

    def estimation_result(self) -> ModEstimation | None:
        """The estimation data of the file, checked against varobs (None if the file has no
        varobs, estimated_params, measurement error or estimation command)."""
        if not (self.observables or self.est_params or self.estimation_lines or self.measurement):
            return None
        obs = set(self.observables)
        for e in self.est_params:
            if e.measurement and e.kind == "corr":
                self.fail_at(
                    e.line, e.col, f"{e.label}: correlated measurement errors are not supported"
                )
            if e.measurement and e.names[0] not in obs:
                self.fail_at(
                    e.line,
                    e.col,
                    f"{e.label}: {e.names[0]!r} is an endogenous variable but not observed "
                    "(varobs), so it has no measurement error",
                )
        for m in self.measurement:
            if m.kind in ("cov", "corr"):
                self.fail_at(
                    m.line, m.col, "correlated measurement errors are not supported (shocks block)"
                )
            if self.observables and m.names[0] not in obs:
                self.fail_at(
                    m.line,
                    m.col,
                    f"measurement error on {m.names[0]!r}, which is not an observed "
                    "variable (varobs)",
                )
        if self.est_params:
            bayes = [e.prior is not None for e in self.est_params]
            if any(bayes) and not all(bayes):
                e = self.est_params[bayes.index(not bayes[0])]
                self.fail_at(
                    e.line,
                    e.col,
                    f"{e.label}: estimated_params mixes entries with and without a prior "
                    "(all or none must have one, as in Dynare)",
                )
        if len(self.estimation_lines) > 1:
            self.warnings.append(
                f"{self.filename}: {len(self.estimation_lines)} estimation statements (lines "
                f"{', '.join(map(str, self.estimation_lines))}): jaxmacro uses the options as "
                "they stand at the last one"
            )
        last = self.estimation_lines[-1] if self.estimation_lines else None
        return ModEstimation(
            observables=tuple(self.observables),
            params=tuple(self.est_params),
            measurement_errors=tuple(self.measurement),
            options=dict(self.estimation_opts or {}),
            option_at=dict(self.estimation_opt_at),
            varobs_at=self.varobs_at,
            estimation_line=last,
            use_calibration=self.est_use_calibration,
        )

    def fail_at(self, line: int, col: int, msg: str):
        src = self.lines[line - 1] if 0 < line <= len(self.lines) else None
        raise ModError(msg, line, col, self.filename, src)

    def skip_to_semicolon(self):
        while True:
            t = self.next()
            if t.kind == "eof":
                self.fail(t, "missing ';' at end of file")
            if t.kind == "op" and t.value == ";":
                return

    def kind_name(self, name: str) -> str:
        return {
            "endo": "endogenous variable",
            "exo": "exogenous variable",
            "exo_det": "deterministic exogenous variable",
            "param": "parameter",
            "trend": "trend variable",
        }[self.kind[name]]

    def declaration(self):
        kw = self.next()
        kind = {
            "var": "endo",
            "varexo": "exo",
            "varexo_det": "exo_det",
            "parameters": "param",
            "PARAMETERS": "param",
            "trend_var": "trend",
            "log_trend_var": "trend",
        }[kw.value]
        trend = deflator = None
        if kw.value in ("trend_var", "log_trend_var"):
            log = kw.value == "log_trend_var"
            key = "log_growth_factor" if log else "growth_factor"
            trend = (self.declaration_option(kw, {key}), log)
        elif self.peek().value == "(" and self.peek().kind == "op":
            if kw.value != "var":
                self.fail(self.peek(), f"options of {kw.value!r} are not supported")
            opt = self.peek(1)
            if opt.value not in ("deflator", "log_deflator"):
                self.fail(opt, f"the option {opt.value!r} of 'var' is not supported")
            deflator = (
                self.declaration_option(kw, {"deflator", "log_deflator"}),
                opt.value == "log_deflator",
            )
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
            if name in _STATEMENT_WORDS and n > 0:
                self.fail(
                    t,
                    f"missing ';' at the end of the {kw.value} statement of line {kw.line} "
                    f"(before {name!r})",
                )
            if name in _RESERVED:
                self.fail(t, f"{name!r} is a reserved word and cannot be declared")
            if self.peek(1).kind == "op" and self.peek(1).value == "=":
                self.fail(self.peek(1), f"missing ';' after the {kw.value} statement")
            if self.kind.get(name) == kind and kind != "trend" and deflator is None:
                # Dynare 5.3 warns ("Symbol NAME declared twice.") and keeps the first
                self.warnings.append(
                    f"{self.filename}, line {t.line}, column {t.col}: {name!r} is declared "
                    f"twice (first at line {self.declared_at[name][0]}); the second "
                    "declaration is ignored, as Dynare does"
                )
                self.next()
                n += 1
                continue
            if name in self.kind:
                self.fail(t, f"{name!r} is already declared as {self.kind_name(name)}")
            if name in self.local_names:
                self.fail(
                    t,
                    f"{name!r} is already a mod-file local variable (assigned at line "
                    f"{self.local_names[name]})",
                )
            self.next()
            self.kind[name] = kind
            self.symbol_ids[name] = len(self.symbol_ids)
            self.declared_at[name] = (t.line, t.col)
            if kind == "trend":
                self.trends[name] = trend
            else:
                {"endo": self.endo, "exo": self.exo, "param": self.params, "exo_det": self.exo_det}[
                    kind
                ].append(name)
            if deflator is not None:
                self.deflators[name] = deflator
            n += 1
        if n == 0:
            self.fail(kw, f"empty {kw.value} statement")

    def declaration_option(self, kw: Token, keys: set[str]):
        """``(KEY = MODEL_EXPRESSION)`` after trend_var / log_trend_var / var: the expression
        (of variables, trend variables and parameters declared before)."""
        self.expect("(", f"after {kw.value}")
        ot = self.expect_name(f"the option {' or '.join(sorted(keys))} of {kw.value!r}")
        if ot.value not in keys:
            self.fail(ot, f"{kw.value} takes the option {' or '.join(sorted(keys))}")
        self.expect("=", f"after {ot.value}")
        self.mode = "model"
        try:
            e = self.expression()
        finally:
            self.mode = "param"
        self.expect(")", f"to close the options of {kw.value}")
        return e

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
            self.fail(
                t,
                f"cannot assign a value to the {self.kind_name(name)} {name!r} outside "
                "initval or steady_state_model",
            )
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
            if name == "loglinear":
                continue
            if name not in _STOCH_SIMUL_HONOURED:
                self.fail(
                    tok,
                    f"stoch_simul option {name!r} is not supported (it changes the "
                    "decision rules or is unknown to jaxmacro)",
                )
            try:
                x = float(value)
            except ValueError:
                self.fail(tok, f"stoch_simul option {name}={value!r} needs a number")
            if name == "order" and (x != int(x) or x < 1):
                self.fail(tok, f"order={value} is not a positive integer")
            if name == "order" and x > 2:
                self.warnings.append(
                    f"{self.filename}, line {tok.line}: stoch_simul(order={value}): jaxmacro "
                    "solves orders 1 and 2; the order-2 rule it computes equals the order-1 "
                    "and order-2 terms of Dynare's higher-order rule"
                )
        self.variable_list("stoch_simul")
        self.stoch_simul_lines.append(kw.line)
        # options persist from one stoch_simul to the next, as Dynare's options_ does
        self.stoch_simul = {**(self.stoch_simul or {}), **{k: v for k, (v, _) in opts.items()}}

    def variable_list(self, command: str):
        """The endogenous variables after a command, up to ';' (they only select what
        Dynare prints or reports)."""
        while not self.accept(";"):
            t = self.peek()
            if t.kind == "eof":
                self.fail(t, f"missing ';' after {command}")
            if t.kind != "name" or self.kind.get(t.value) != "endo":
                self.fail(
                    t,
                    f"expected ';' or an endogenous variable after {command}, found {self.show(t)}",
                )
            self.next()

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
        what, kw = self.block
        inside = {"var"} if what == "shocks" else set()  # shocks: 'var e = ...;' entries
        if t.kind == "name" and t.value in _STATEMENT_WORDS - inside and t.value not in self.kind:
            self.fail(
                t,
                f"missing 'end;' of the {what} block opened at line {kw.line} (before {t.value!r})",
            )
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
                    self.fail(nt, f"model-local variable {nt.value!r} clashes with a declared name")
                if nt.value in self.locals:
                    self.fail(nt, f"model-local variable {nt.value!r} is defined twice")
                self.expect("=", f"after '# {nt.value}'")
                e = self.expression()
                self.expect(";", f"after the definition of {nt.value!r}")
                self.locals[nt.value] = A.Local(nt.value, e, nt.line, nt.col)
                continue
            if t.kind == "op" and t.value == "[":
                tags = self.equation_tags()
                endo = tags.get("endogenous")
                if endo and endo not in self.kind and endo.isidentifier():
                    # Dynare declares the variable an equation is tagged "endogenous" for
                    self.kind[endo] = "endo"
                    self.symbol_ids[endo] = len(self.symbol_ids)
                    self.declared_at[endo] = (t.line, t.col)
                    self.endo.append(endo)
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
                self.fail(
                    t,
                    "multiple assignments [a, b] = f(...) in steady_state_model call "
                    "external functions and are not supported",
                )
            nt = self.expect_name("a variable name")
            kind = self.kind.get(nt.value)
            if kind in ("exo", "exo_det", "trend"):
                self.fail(nt, f"cannot assign the {self.kind_name(nt.value)} {nt.value!r}")
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
            if kind not in ("endo", "exo", "exo_det"):
                what = "a parameter" if kind == "param" else "not a declared variable"
                self.fail(nt, f"initval assigns {nt.value!r}, which is {what}")
            self.expect("=", f"after {nt.value!r}")
            e = self.expression()
            self.expect(";", f"after the value of {nt.value!r}")
            self.known.add(nt.value)
            self.initval.append(Assignment(nt.value, e, nt.line, nt.col))
        self.mode = "param"

    def shock_name(self, what: str = "a shock name") -> tuple[str, bool]:
        """A name in the shocks block (or in stderr/corr of estimated_params): (name, is it
        an endogenous variable, i.e. a measurement error on an observed variable)."""
        nt = self.expect_name(what)
        kind = self.kind.get(nt.value)
        if kind == "exo_det":
            self.fail(
                nt,
                f"{nt.value!r} is a deterministic exogenous variable (varexo_det): it has "
                "no variance; give its path with 'var NAME; periods ...; values ...;'",
            )
        if kind not in ("exo", "endo"):
            self.fail(nt, f"unknown exogenous variable {nt.value!r}")
        return nt.value, kind == "endo"

    def shock_pair(self, context: str) -> tuple[tuple[str, str], bool]:
        t = self.peek()
        a, me_a = self.shock_name()
        self.expect(",", context)
        b, me_b = self.shock_name()
        if me_a != me_b:
            self.fail(t, f"{a!r} and {b!r}: a shock and an observed variable cannot be paired")
        if a == b:
            self.fail(t, f"{a!r} is paired with itself")
        return (a, b), me_a

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
            self.measurement.clear()
        self.mode = "shocks"
        while not self.at_end():
            t = self.next()
            # a statement on endogenous (observed) variables is a measurement error
            if t.kind == "name" and t.value == "var":
                if self.kind.get(self.peek().value) == "exo_det":
                    self.deterministic_shock(t)
                    continue
                if self.peek(1).kind == "op" and self.peek(1).value == ",":
                    names, me = self.shock_pair("in a covariance 'var e1, e2 = value;'")
                    self.expect("=", "in a covariance 'var e1, e2 = value;'")
                    kind = "cov"
                else:
                    name, me = self.shock_name()
                    names = (name,)
                    kind = "var" if self.accept("=") else "stderr"
                    if kind == "stderr":
                        self.expect(";", f"after 'var {name}'")
                        st = self.peek()
                        if st.kind == "name" and st.value in ("periods", "values"):
                            self.fail(st, "deterministic shocks (periods/values) are not supported")
                        if st.kind != "name" or st.value != "stderr":
                            self.fail(
                                st, f"expected 'stderr' after 'var {name};', found {self.show(st)}"
                            )
                        self.next()
            elif t.kind == "name" and t.value == "corr":
                names, me = self.shock_pair("between the two shocks of corr")
                self.expect("=", "in 'corr e1, e2 = value;'")
                kind = "corr"
            else:
                self.fail(
                    t, f"expected 'var', 'corr' or 'end' in the shocks block, found {self.show(t)}"
                )
            e = self.expression()
            self.expect(";", "after stderr" if kind == "stderr" else "")
            (self.measurement if me else self.shocks).append(
                ShockStatement(kind, names, e, t.line, t.col)
            )
        self.mode = "param"

    def deterministic_shock(self, kw: Token):
        """``var X; periods ...; values ...;`` for a deterministic exogenous variable X: its
        path in simulations and forecasts, which does not change stoch_simul's rules
        (skipped, noted)."""
        nt = self.next()
        if not (self.peek().value == ";" and self.peek(1).value == "periods"):
            self.i -= 1
            self.shock_name()  # fails: a deterministic exogenous variable has no variance
        self.expect(";", f"after 'var {nt.value}'")
        for word in ("periods", "values"):
            st = self.peek()
            if st.kind != "name" or st.value != word:
                self.fail(
                    st,
                    f"expected {word!r} after 'var {nt.value};' (a deterministic exogenous "
                    f"variable), found {self.show(st)}",
                )
            self.next()
            if self.peek().kind == "op" and self.peek().value == ";":
                self.fail(self.peek(), f"{word!r} needs at least one entry")
            self.skip_to_semicolon()
        self.skip(
            f"the path of the deterministic exogenous variable {nt.value!r}",
            kw.line,
            self.toks[self.i - 1].line,
            "a deterministic path does not change stoch_simul's decision rules",
        )

    def sigma_e_statement(self):
        """Dynare's old ``Sigma_e = [ ... ];``: the covariance matrix of the shocks (in
        ``varexo`` order) written as a triangle, rows separated by ';', entries by spaces or
        ','. A first row of one entry means the lower triangle (row i has i entries),
        otherwise the last row must have one entry (the upper triangle, row i holds columns
        i..n). It sets the whole matrix, as Dynare's ``M_.Sigma_e = [...]``: every earlier
        shocks entry is replaced, later shocks blocks change it entry by entry."""
        kw = self.next()
        self.expect("=", "after Sigma_e")
        self.expect("[", "after 'Sigma_e ='")
        self.mode = "shocks"
        rows: list[list] = [[]]
        starts = [self.peek()]
        try:
            while True:
                t = self.peek()
                if t.kind == "op" and t.value == "]":
                    self.next()
                    break
                if t.kind == "op" and t.value == ";":
                    if not rows[-1]:
                        self.fail(t, "empty row in Sigma_e")
                    self.next()
                    rows.append([])
                    starts.append(self.peek())
                    continue
                if t.kind == "op" and t.value == "," and rows[-1]:
                    self.next()
                    continue
                if t.kind == "eof":
                    self.fail(kw, "Sigma_e: this '[' is never closed by ']'")
                rows[-1].append(self.expression())
        finally:
            self.mode = "param"
        self.expect(";", "after Sigma_e = [...]")
        if not rows[-1]:
            if len(rows) == 1:
                self.fail(kw, "Sigma_e is empty")
            rows.pop()  # a ';' before ']'
            starts.pop()
        n = len(rows)
        lower = len(rows[0]) == 1
        if not lower and len(rows[-1]) != 1:
            self.fail(
                kw,
                "Sigma_e must be a triangle: a first row of one entry (lower triangle) or a "
                f"last row of one entry (upper triangle); here the rows have "
                f"{', '.join(str(len(r)) for r in rows)} entries",
            )
        for i, r in enumerate(rows):
            want = i + 1 if lower else n - i
            if len(r) != want:
                self.fail(
                    starts[i],
                    f"row {i + 1} of Sigma_e has {len(r)} entries; the "
                    f"{'lower' if lower else 'upper'} triangle needs {want}",
                )
        if n != len(self.exo):
            self.fail(
                kw,
                f"Sigma_e is {n}x{n} but {len(self.exo)} exogenous variable(s) are declared "
                f"({', '.join(self.exo) or 'none'})",
            )
        self.shocks.clear()
        for i in range(n):
            for j in range(i + 1):
                e = rows[i][j] if lower else rows[j][i - j]
                if i == j:
                    st = ShockStatement("var", (self.exo[i],), e, kw.line, kw.col)
                else:
                    st = ShockStatement("cov", (self.exo[j], self.exo[i]), e, kw.line, kw.col)
                self.shocks.append(st)

    # ---------------------------------------------------------------- expressions
    def expression(self, rbp: int = 0):
        self.depth += 1
        try:
            if self.depth > MAX_NESTING:
                self.fail(self.peek(), f"expression nested more than {MAX_NESTING} levels deep")
            return self._expression(rbp)
        finally:
            self.depth -= 1

    def _expression(self, rbp: int):
        left = self.prefix()
        last_pow = False
        while True:
            t = self.peek()
            if t.kind != "op" or t.value not in _BINOPS or _BINOPS[t.value] <= rbp:
                return left
            if t.value == "^" and last_pow:
                self.fail(t, "a^b^c is ambiguous (Dynare's ^ is non-associative): add parentheses")
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
        if t.kind == "bad":
            self.bad_token(t)
        if t.kind == "op" and t.value == ")":
            self.fail(t, "unbalanced parentheses: unexpected ')'")
        if t.kind == "op" and t.value == ";":
            self.fail(t, "missing operand before ';'")
        self.fail(t, f"unexpected {self.show(t)} in an expression")

    def bad_token(self, t: Token):
        ch = t.value
        if ch in "'\"":
            self.fail(
                t,
                "unterminated string (a MATLAB transpose or string cannot appear in a "
                "Dynare statement)",
            )
        if ch == "$":
            self.fail(t, "unterminated LaTeX name ($...$)")
        if ch == "@":
            self.fail(t, "macro syntax here is not supported (a directive must start its line)")
        if ch in "{}":
            self.fail(
                t,
                f"unexpected character {ch!r} (a MATLAB cell array cannot appear in a "
                "Dynare statement)",
            )
        self.fail(t, f"unexpected character {ch!r}")

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
        if len(t.value) > 6 or int(t.value) > MAX_LEAD_LAG:
            self.fail(
                t,
                f"the lead or lag {t.value} of {nt.value!r} is longer than {MAX_LEAD_LAG} periods",
            )
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
        if name in ("STEADY_STATE", "steady_state") and is_call:
            if self.mode != "model":
                self.fail(t, "STEADY_STATE(...) is only allowed in the model block")
            self.expect("(")
            e = self.expression()
            self.expect(")", f"to close {name}(")
            return A.SteadyStateOf(e, t.line, t.col)
        if name in ("EXPECTATION", "expectation") and is_call and self.mode == "model":
            return self.expectation(t)
        if (
            name
            in (
                "EXPECTATION",
                "expectation",
                "diff",
                "adl",
                "var_expectation",
                "pac_expectation",
                "pac_target_nonstationary",
                "sum",
            )
            and is_call
        ):
            self.fail(t, f"the operator {name}(...) is not supported")
        kind = self.kind.get(name)
        if self.allow_inf and kind is None and not is_call and name in ("inf", "Inf"):
            return A.Num(math.inf, t.line, t.col)
        if self.mode == "model" and name in self.locals:
            if is_call:
                self.fail(
                    self.peek(), f"the model-local variable {name!r} cannot have a lead or lag"
                )
            return self.locals[name]
        if self.mode in ("ss", "initval") and name in self.temps:
            return A.Temp(name, t.line, t.col)
        if kind is None and name in self.local_names:
            if is_call:
                self.fail(t, f"the mod-file local variable {name!r} cannot have a lead or lag")
            return A.Param(name, t.line, t.col)
        if kind is None and name in self.native_unknown:
            self.fail(
                t,
                f"{name!r} is set by MATLAB code at line {self.native_unknown[name]}, "
                "which jaxmacro does not run: give it a value the model language can "
                "read (a number or an expression of parameters)",
            )
        if kind is None:
            if name in A.FUNCTIONS or name == "STEADY_STATE":
                self.fail(t, f"the function {name!r} needs its arguments in parentheses")
            if is_call:
                self.fail(t, f"unknown function {name!r}")
            if self.mode == "ss" and name not in self.kind:
                self.fail(
                    t,
                    f"unknown name {name!r} (not a parameter, nor assigned earlier in "
                    "steady_state_model)",
                )
            self.fail(t, f"unknown variable or parameter {name!r}")
        if kind == "param":
            if is_call:
                if self.mode != "model":
                    self.fail(
                        t,
                        f"the parameter {name!r} cannot have a lead or lag here (or is "
                        "used as a function)",
                    )
                self.lead_lag(t)  # a lead or lag on a parameter changes nothing (as in Dynare)
            if self.mode == "param" and name not in self.assigned_params:
                self.fail(t, f"parameter {name!r} is used before it is given a value")
            return A.Param(name, t.line, t.col)
        # variables
        if kind == "trend" and self.mode != "model":
            self.fail(t, f"the trend variable {name!r} can only appear in the model block")
        if self.mode in ("param", "shocks"):
            where = "a parameter value" if self.mode == "param" else "the shocks block"
            self.fail(t, f"the {self.kind_name(name)} {name!r} cannot appear in {where}")
        lag = self.lead_lag(t) if is_call else 0
        if self.mode in ("ss", "initval"):
            if lag:
                self.fail(t, "leads and lags are not allowed outside the model block")
            if kind == "exo":
                return A.Exo(name, 0, t.line, t.col)
            if kind == "exo_det":
                return A.Num(0.0, t.line, t.col)  # its steady state (initval must keep 0)
            if name not in self.known:
                self.fail(t, f"{name!r} is used before it is assigned in this block")
            return A.Endo(name, 0, t.line, t.col)
        if kind == "exo":
            return A.Exo(name, lag, t.line, t.col)
        if kind == "exo_det":
            # stoch_simul's rules hold a deterministic exogenous variable at its steady state
            # at every date (Dynare's ghx, ghu, ghxx, ... do not depend on its path; its
            # effects are the separate ghud terms, which jaxmacro does not compute)
            return A.Num(0.0, t.line, t.col)
        return A.Endo(name, lag, t.line, t.col)

    def expectation(self, t: Token):
        """``EXPECTATION(k)(expr)``: `expr` expected with the information of date t + k.
        As Dynare does, a new endogenous variable ``AUX = expr(-k)`` (every lead and lag of
        `expr` moved back k periods) with its own equation, and ``AUX(k)`` in place of the
        operator."""
        k = self.lead_lag(t)
        self.expect("(", f"after {t.value}({k})")
        e = self.expression()
        self.expect(")", f"to close {t.value}({k})(...")
        self.expect_aux += 1
        # Dynare ends the name with the number of the expression's node; jaxmacro counts
        name = f"AUX_EXPECT_{'LAG' if k < 0 else 'LEAD'}_{abs(k)}_{self.expect_aux}"
        if name in self.kind:
            self.fail(t, f"the auxiliary variable {name} clashes with a declared name")
        self.symbol_ids[name] = len(self.symbol_ids)  # numbers its own lag auxiliaries
        self.expect_defs.append((name, A.shift(e, -k)))
        return A.Endo(name, k, t.line, t.col)

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
                f"the model has {n_eq} equations for {n_var} endogenous variables",
                line,
                col,
                self.filename,
                self.lines[line - 1] if line <= len(self.lines) else None,
            )
        if self.trends or self.deflators:
            self.equations = [self.stationarise(eq) for eq in self.equations]
        used = {
            n.name
            for eq in self.equations
            for side in (eq.lhs, eq.rhs)
            for n in A.walk(side)
            if isinstance(n, (A.Endo, A.Exo))
        }
        for v in self.endo:
            if v not in used:
                line, col = self.declared_at[v]
                raise ModError(
                    f"endogenous variable {v!r} appears in no equation",
                    line,
                    col,
                    self.filename,
                    self.lines[line - 1],
                )
        estimation = self.estimation_result()
        last_ss = self.stoch_simul_lines[-1] if self.stoch_simul_lines else None
        self.judge_native(last_ss)
        assignments = [a for a in self.param_assignments if last_ss is None or a.line < last_ss]
        if last_ss is not None and len(assignments) < len(self.param_assignments):
            late = [a for a in self.param_assignments if a.line > last_ss]
            self.warnings.append(
                f"{self.filename}, line {late[0].line}: {len(late)} parameter assignment(s) "
                f"after the last stoch_simul (line {last_ss}) do not change its decision rules "
                "and are not used"
            )
        if len(self.stoch_simul_lines) > 1:
            self.warnings.append(
                f"{self.filename}: {len(self.stoch_simul_lines)} stoch_simul statements (lines "
                f"{', '.join(map(str, self.stoch_simul_lines))}): jaxmacro imports the model as "
                "it stands at the last one (its parameters and options), which is Dynare's "
                "final oo_.dr"
            )
        return ModFile(
            filename=filename,
            name=Path(filename).stem if filename != "<string>" else "model",
            endogenous=tuple(self.endo),
            exogenous=tuple(self.exo),
            exogenous_det=tuple(self.exo_det),
            parameters=tuple(self.params),
            symbol_ids=dict(self.symbol_ids),
            param_assignments=tuple(assignments),
            equations=tuple(self.equations),
            steady_state_model=None if self.ss_model is None else tuple(self.ss_model),
            initval=tuple(self.initval),
            shocks=tuple(self.shocks),
            stoch_simul=self.stoch_simul,
            macro_variables=dict(macro_vars),
            declared_at=dict(self.declared_at),
            model_at=self.model_at or (0, 0),
            local_names=tuple(self.local_names),
            predetermined=tuple(self.predetermined),
            skipped=tuple(self.skipped),
            stoch_simul_count=len(self.stoch_simul_lines),
            estimation=estimation,
            warnings=tuple(self.warnings),
            expectation_aux=tuple(self.expect_defs),
        )

    def stationarise(self, eq: Equation) -> Equation:
        """An equation of a nonstationary model written in stationary form, as Dynare does.

        1. Each deflated variable ``x(l)`` becomes ``x(l) * D(l)`` (``x(l) + D(l)`` for a
           log deflator), where ``D(l)`` is its deflator moved ``l`` periods; ``x`` is now the
           detrended variable.
        2. Each trend variable at a lead or lag is written through its growth factor ``g``:
           ``A(+l) = A * g(+1) * ... * g(+l)``, ``A(-l) = A / (g * g(-1) * ... * g(-l+1))``
           (sums and differences for a log trend).
        3. ``A`` at date t is then 1 (0 for a log trend): it cancels from a model written
           consistently in nonstationary form."""

        def deflate(node):
            if isinstance(node, A.Endo) and node.name in self.deflators:
                d, log = self.deflators[node.name]
                return A.Bin("+" if log else "*", node, A.shift(d, node.lag), node.line, node.col)
            return None

        def trend_lags(node):
            if not (isinstance(node, A.Endo) and node.name in self.trends) or node.lag == 0:
                return None
            g, log = self.trends[node.name]
            if node.lag > 0:
                steps = [A.shift(g, i) for i in range(1, node.lag + 1)]
            else:
                steps = [A.shift(g, -i) for i in range(0, -node.lag)]
            acc = steps[0]
            for s in steps[1:]:
                acc = A.Bin("+" if log else "*", acc, s)
            op = ("+" if node.lag > 0 else "-") if log else ("*" if node.lag > 0 else "/")
            return A.Bin(op, A.Endo(node.name, 0, node.line, node.col), acc, node.line, node.col)

        def drop_trend(node):
            if isinstance(node, A.Endo) and node.name in self.trends:
                return A.Num(0.0 if self.trends[node.name][1] else 1.0, node.line, node.col)
            return None

        sides = []
        for side in (eq.lhs, eq.rhs):
            for fn in (deflate, trend_lags, drop_trend):
                side = A.transform(side, fn)
            sides.append(side)
        return dataclasses.replace(eq, lhs=sides[0], rhs=sides[1])

    def judge_native(self, last_ss: int | None):
        """MATLAB lines that could change the model (before the last stoch_simul) are an
        error (parameter values) or a loud warning (options, loaded files)."""
        import re

        for first, last, tok, text in self.native_lines:
            before = last_ss is None or first < last_ss
            if not before:
                continue
            src = text.strip()
            m = re.match(r"set_param_value\s*\(\s*'(\w+)'\s*,", src)
            if m or re.match(r"M_\s*\.\s*(params|Sigma_e|H)\b", src):
                what = "set_param_value" if m else "M_." + src.split(".")[1].split("(")[0].strip()
                raise ModError(
                    f"MATLAB code '{what}' changes the model before stoch_simul: jaxmacro does "
                    "not run MATLAB code; write the value as a parameter assignment "
                    "(NAME = VALUE;) or pass it with --param / params=",
                    tok.line,
                    tok.col,
                    self.filename,
                    self.lines[tok.line - 1],
                )
            if re.match(r"(load\b|options_\s*\.|oo_\s*\.|estim_params_)", src):
                self.warnings.append(
                    f"{self.filename}, line {first}: MATLAB code {src[:60]!r} before "
                    "stoch_simul is not run: if it changes options, parameters or the steady "
                    "state, jaxmacro's model differs from Dynare's"
                )


def parse_mod(
    text: str, *, defines: Mapping[str, object] | None = None, filename: str = "<string>"
) -> ModFile:
    """Parse the text of a `.mod` file (macro processing included) into a [`ModFile`][].

    **Arguments:**

    - `text`: the file's contents.
    - `defines` (keyword-only): macro variables, as ``-D NAME=VALUE`` on Dynare's command
      line (values: numbers, strings or booleans).
    - `filename`: used in error messages.

    **Raises:** [`jaxmacro.compat.ModError`][] (a ``ValueError``) with line and column for
    anything malformed or unsupported. Nothing in the file is executed.
    """
    lines, colmaps, env, linemap = preprocess(text, defines, filename)
    src_lines = text.split("\n")
    toks = tokenize(lines, colmaps, filename, linemap, src_lines)
    p = _Parser(toks, filename, src_lines)
    p.parse()
    return p.result(filename, env)
