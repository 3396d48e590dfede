"""The data types of a parsed `.mod` file (no behaviour): what the parser produces and the
builder consumes. Kept apart so that neither of those modules imports the other."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from . import _ast as A


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
    ``var e, f = c;`` ("cov") or ``corr e, f = r;`` ("corr"). In ``ModFile.shocks`` the names
    are shocks; in ``ModEstimation.measurement_errors`` they are observed variables."""

    kind: str
    names: tuple[str, ...]
    expr: object
    line: int
    col: int


@dataclasses.dataclass(frozen=True)
class Skipped:
    """A statement the importer did not use: MATLAB code, or a Dynare command without effect
    on the decision rules. `what` says which; `lines` is (first, last)."""

    what: str
    lines: tuple[int, int]
    reason: str


@dataclasses.dataclass(frozen=True)
class EstimatedParam:
    """One entry of an ``estimated_params`` block, as written (expressions unevaluated).

    `kind` is ``"param"`` (a model parameter, `names` = (name,)), ``"stderr"`` (the standard
    deviation of a shock, or with `measurement` True the measurement error of an observed
    variable; `names` = (name,)) or ``"corr"`` (the correlation of two shocks, `names` =
    (a, b)). The other fields are expression trees or None when the file leaves them empty:
    `init` (starting value; None means the prior mean), `lower`, `upper` (bounds), `prior`
    (``"normal_pdf"``, ``"beta_pdf"``, ``"gamma_pdf"``, ``"inv_gamma_pdf"``,
    ``"uniform_pdf"``, or None for the maximum-likelihood form ``NAME, INIT[, LB, UB];``),
    `mean`, `std`, `p3`, `p4` (the prior's third and fourth parameters: the support's lower
    and upper bounds of the beta and uniform, the shift of the gamma and inverse gamma) and
    `jscale` (Metropolis-Hastings scale, not used).
    """

    kind: str
    names: tuple[str, ...]
    measurement: bool = False
    init: object = None
    lower: object = None
    upper: object = None
    prior: str | None = None
    mean: object = None
    std: object = None
    p3: object = None
    p4: object = None
    jscale: object = None
    line: int = 0
    col: int = 0

    @staticmethod
    def make_label(kind: str, names: tuple[str, ...]) -> str:
        if kind == "param":
            return names[0]
        return f"{kind} {', '.join(names)}"

    @property
    def label(self) -> str:
        """How Dynare prints the entry: ``rho``, ``stderr e``, ``corr e1, e2``."""
        return self.make_label(self.kind, self.names)


@dataclasses.dataclass(frozen=True)
class ModEstimation:
    """What a `.mod` file says about estimation (``ModFile.estimation``); nothing evaluated.

    **Fields:** `observables` (``varobs``, in order), `params` ([`EstimatedParam`][]s of the
    ``estimated_params`` blocks, initial values of ``estimated_params_init`` applied),
    `measurement_errors` (``var y; stderr s;`` / ``var y = v;`` statements of the ``shocks``
    block on observed variables, as [`ShockStatement`][]s), `options` (the options of the
    last ``estimation`` command as text, e.g. ``{"datafile": "'data.csv'", "first_obs":
    "1"}``), `option_at` (their line and column), `varobs_at`, `estimation_line`,
    `use_calibration` (``estimated_params_init(use_calibration)``: start from the file's
    values).

    [`jaxmacro.compat.estimation_problem`][] turns it into the library's estimation objects.
    """

    observables: tuple[str, ...] = ()
    params: tuple[EstimatedParam, ...] = ()
    measurement_errors: tuple[ShockStatement, ...] = ()
    options: Mapping[str, str] = dataclasses.field(default_factory=dict)
    option_at: Mapping[str, tuple[int, int]] = dataclasses.field(default_factory=dict)
    varobs_at: tuple[int, int] | None = None
    estimation_line: int | None = None
    use_calibration: bool = False


@dataclasses.dataclass(frozen=True)
class ModFile:
    """A parsed `.mod` file: everything [`jaxmacro.compat.build_model`][] needs, nothing run.

    **Fields:** `filename`, `name` (the file's stem), `endogenous` / `exogenous` /
    `parameters` (declaration order), `symbol_ids` (Dynare's 0-based symbol numbers, used in
    the names of auxiliary variables), `param_assignments` (in file order, up to the last
    ``stoch_simul``; mod-file local variables included), `local_names` (top-level names
    assigned without a declaration, Dynare's mod-file local variables), `equations`,
    `steady_state_model` (assignments, or None; targets may be parameters),
    `initval`, `shocks`, `stoch_simul` (options of the last ``stoch_simul`` as a dict of text
    values, or None), `stoch_simul_count`, `predetermined` (``predetermined_variables``),
    `skipped` ([`Skipped`][] statements), `macro_variables` (after preprocessing),
    `estimation` (a [`ModEstimation`][]: ``varobs``, ``estimated_params``, measurement
    errors and ``estimation`` options; None if the file has none of them),
    `expectation_aux` (``(name, expr)``: an auxiliary variable ``name = expr`` for each
    ``EXPECTATION(k)(...)``, which the equations use as ``name(k)``), `exogenous_det`
    (``varexo_det``: held at their steady state 0 in the equations, as in stoch_simul's
    ghx/ghu; a non-zero initval for them is refused).
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
    local_names: tuple[str, ...] = ()
    predetermined: tuple[str, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    stoch_simul_count: int = 0
    estimation: ModEstimation | None = None
    warnings: tuple[str, ...] = ()
    expectation_aux: tuple[tuple[str, object], ...] = ()
    exogenous_det: tuple[str, ...] = ()

    @property
    def order(self) -> int | None:
        """Approximation order requested by the last ``stoch_simul`` (Dynare's default 2), or
        None. Orders above 2 are reported as requested; jaxmacro solves them at order 2."""
        if self.stoch_simul is None:
            return None
        return int(float(self.stoch_simul.get("order", "2")))

    @property
    def qz_criterium(self) -> float | None:
        if self.stoch_simul is None or "qz_criterium" not in self.stoch_simul:
            return None
        return float(self.stoch_simul["qz_criterium"])

    @property
    def loglinear(self) -> bool:
        return self.stoch_simul is not None and "loglinear" in self.stoch_simul
