"""From a `.mod` file's estimation statements to the library's estimation objects.

A file declares an estimation with ``varobs`` (the observed variables), ``estimated_params``
(what is estimated, with priors or, without them, for maximum likelihood), measurement errors
(``var y; stderr s;`` on an observed ``y`` in the ``shocks`` block) and ``estimation(...)``
(the data file and sample). The parser keeps them as a [`ModEstimation`][]
(``ModFile.estimation``); [`estimation_problem`][] evaluates them and returns an
[`EstimationProblem`][]: the model, the priors (or transforms), the start values, the
measurement errors and the data, ready for [`jaxmacro.posterior`][] and
[`jaxmacro.estimate`][]. There is one likelihood, the library's Kalman filter
([`jaxmacro.log_likelihood`][]).

**Estimated shock moments.** ``stderr e`` and ``corr e1, e2`` are not parameters of the file,
so the model is built with one extra parameter each, named ``stderr_e`` and ``corr_e1_e2``
(with trailing underscores if the file already uses the name): the shock covariance is then

    Σ_ee = stderr_e²,        Σ_ef = corr_e_f · √(Σ_ee Σ_ff),

as Dynare rebuilds ``Sigma_e`` from the estimated standard deviations and correlations, and
the ``shocks`` block gives every entry that is not estimated. ``stderr y`` on an observed
``y`` is the standard deviation of its measurement error, named ``stderr_y`` (not a model
parameter: [`jaxmacro.posterior`][]'s ``measurement_error`` names it).

**Priors** (Dynare's parametrisation, by mean and standard deviation): ``normal_pdf`` is
[`jaxmacro.Normal`][]; ``beta_pdf`` is [`jaxmacro.Beta`][] on [P3, P4] (default [0, 1]);
``gamma_pdf`` and ``inv_gamma_pdf`` (= ``inv_gamma1_pdf``) are [`jaxmacro.Gamma`][] and
[`jaxmacro.InvGamma`][] shifted by P3 (default 0); ``uniform_pdf`` is [`jaxmacro.Uniform`][]
on [P3, P4], or on [mean − √3·std, mean + √3·std] when given by mean and std. The start value
is ``INITIAL_VALUE``, else the prior mean (Dynare's default). In the maximum-likelihood form
the bounds give the optimiser's domain (a logistic transform onto (LB, UB), a shifted log for
a lower bound alone); the standard deviations default to (0, ∞) and correlations to (−1, 1).
With priors, the optimiser works on the prior's support; tighter bounds are reported, not
enforced.
"""

from __future__ import annotations

import csv
import dataclasses
import math
import os
from collections.abc import Mapping

import numpy as np

from .._calibration import Bounded, Positive
from .._estimation import (
    AbstractPrior,
    Beta,
    Gamma,
    InvGamma,
    Normal,
    Uniform,
    estimate as _estimate,
    posterior as _posterior,
)
from .._model import Model
from . import _ast as A
from ._build import _NP_FUNCS, _Env, _parameter_values, build_model, evaluate
from ._errors import ModError
from ._modfile import Assignment, EstimatedParam, ModEstimation, ModFile, ShockStatement

__all__ = ["EstimationProblem", "estimation_problem", "estimation_data", "read_data_csv"]

# estimation(...) options: used by jaxmacro, or without effect on the likelihood and the mode
_OPTIONS_USED = {"datafile", "first_obs", "nobs", "presample", "lik_init"}
_OPTIONS_SILENT = {
    "mode_compute",
    "mode_check",
    "mode_check_neighbourhood_size",
    "mode_check_symmetric_plots",
    "mode_check_number_of_points",
    "nograph",
    "graph",
    "nodisplay",
    "graph_format",
    "plot_priors",
    "posterior_nograph",
    "posterior_graph",
    "noprint",
    "print",
    "tex",
    "silent_optimizer",
    "optim",
    "analytic_derivation",
    "cova_compute",
    "mh_replic",
    "mh_nblocks",
    "mh_jscale",
    "mh_drop",
    "mh_init_scale",
    "mh_init_scale_factor",
    "mh_recover",
    "mh_mode",
    "mh_conf_sig",
    "mh_tune_jscale",
    "mh_posterior_mode_estimation",
    "mcmc_jumping_covariance",
    "posterior_sampling_method",
    "posterior_sampler_options",
    "load_mh_file",
    "load_results_after_load_mh",
    "sub_draws",
    "taper_steps",
    "geweke_interval",
    "raftery_lewis_qrs",
    "raftery_lewis_diagnostics",
    "nodiagnostic",
    "conf_sig",
    "smoother",
    "forecast",
    "bayesian_irf",
    "irf",
    "irf_shocks",
    "irf_plot_threshold",
    "moments_varendo",
    "contemporaneous_correlation",
    "filtered_vars",
    "filter_step_ahead",
    "filter_covariance",
    "smoothed_state_uncertainty",
    "consider_all_endogenous",
    "consider_all_endogenous_and_auxiliary",
    "consider_only_observed",
    "conditional_variance_decomposition",
    "selected_variables_only",
    "use_univariate_filter",
    "kalman_tol",
    "riccati_tol",
    "diffuse_kalman_tol",
    "aim_solver",
    "dr",
    "dr_cycle_reduction_tol",
    "dr_logarithmic_reduction_tol",
    "dr_logarithmic_reduction_maxiter",
    "solve_algo",
    "sylvester",
    "sylvester_fixed_point_tol",
    "lyapunov",
    "lyapunov_fixed_point_tol",
    "lyapunov_doubling_tol",
    "qz_zero_threshold",
    "huge_number",
    "use_penalized_objective_for_hessian",
    "number_of_particles",
    "trace_plot",
    "keep_kalman_algo_if_singularity_is_detected",
}
_LIK_INIT = {1: "unconditional", 2: "harvey"}


@dataclasses.dataclass(frozen=True)
class EstimationProblem:
    """An estimation read from a `.mod` file, in the library's terms.

    **Fields:**

    - `model`: the [`jaxmacro.Model`][] (with the parameters ``stderr_e``/``corr_e_f`` of
      estimated shock moments, see the module docstring).
    - `estimation`: the file's [`ModEstimation`][].
    - `names`: the estimated quantities as [`jaxmacro.posterior`][] names them (model
      parameters and measurement-error stds), in file order; `labels`: the same as Dynare
      prints them (``rho``, ``stderr e``, ``corr e1, e2``, ``stderr y_obs``).
    - `priors`: name -> prior ([`jaxmacro.Normal`][], ...) or, for maximum likelihood, a
      transform onto the bounds; `bayesian`: whether there are priors.
    - `start`: name -> start value (``INITIAL_VALUE``, ``estimated_params_init``, else the
      prior mean).
    - `measurement_error`: observable -> std (a number, or the name of an estimated std).
    - `data` (T x n_obs, columns in `observables` order, NaN = missing), `observables`,
      `init` (``"unconditional"`` for ``lik_init=1``, ``"harvey"`` for 2), `presample`.
    - `warnings`: one-line strings (options not honoured, bounds not enforced).
    """

    model: Model
    estimation: ModEstimation
    names: tuple[str, ...]
    labels: tuple[str, ...]
    priors: Mapping[str, object]
    start: Mapping[str, float]
    measurement_error: Mapping[str, float | str]
    data: np.ndarray
    observables: tuple[str, ...]
    init: str = "unconditional"
    presample: int = 0
    warnings: tuple[str, ...] = ()

    @property
    def bayesian(self) -> bool:
        return any(isinstance(p, AbstractPrior) for p in self.priors.values())

    def _kwargs(self) -> dict:
        return dict(
            measurement_error=dict(self.measurement_error) or None,
            init=self.init,
            presample=self.presample,
        )

    def posterior(self):
        """The [`jaxmacro.Posterior`][] of the problem (a log-likelihood when there are no
        priors)."""
        return _posterior(
            self.model, self.data, self.observables, dict(self.priors), **self._kwargs()
        )

    def start_vector(self):
        import jax.numpy as jnp

        return jnp.asarray([self.start[n] for n in self.names], dtype=jnp.result_type(float))

    def evaluate(self, values: Mapping[str, float] | None = None) -> dict:
        """Log-likelihood, log prior and log posterior at `values` (default: `start`), as
        ``{"loglik", "log_prior", "log_posterior", "result"}`` (`result` the
        [`jaxmacro.LIKELIHOOD_RESULTS`][] of the filter; a failed point has loglik −∞ or
        NaN)."""
        import jax.numpy as jnp

        from .._estimation import likelihood_at

        post = self.posterior()
        x = self.start_vector()
        if values:
            unknown = [k for k in values if k not in self.names]
            if unknown:
                raise ValueError(f"not estimated: {unknown}; estimated: {self.names}")
            x = jnp.asarray([values.get(n, self.start[n]) for n in self.names], dtype=x.dtype)
        ll, result = likelihood_at(post, x)
        lp = post.log_prior(x)
        return {
            "loglik": float(ll),
            "log_prior": float(lp),
            "log_posterior": float(ll + lp),
            "result": result,
        }

    def estimate(self, **kw):
        """[`jaxmacro.estimate`][] on the problem, from `start` (keywords: `optimizer`,
        `max_steps`, `gtol`). Returns a [`jaxmacro.Estimate`][]."""
        return _estimate(
            self.model,
            self.data,
            self.observables,
            dict(self.priors),
            start=dict(self.start),
            **self._kwargs(),
            **kw,
        )


# ---------------------------------------------------------------------------- data


def read_data_csv(path: str | os.PathLike, observables) -> np.ndarray:
    """The columns `observables` of a CSV file with a header row of names (T x n_obs).

    Empty cells and ``NaN``/``NA`` are missing observations (NaN). A first column without a
    name, or of dates such as ``1990Q1``, is ignored. ``OSError`` if the file cannot be read;
    ``ValueError`` naming the file if a column is missing or a cell is not a number.
    """
    path = os.fspath(path)
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = [r for r in csv.reader(f) if any(c.strip() for c in r)]
    if not rows:
        raise ValueError(f"{path}: empty data file (expected a header row of variable names)")
    header = [h.strip().strip('"').strip("'") for h in rows[0]]
    missing = [o for o in observables if o not in header]
    if missing:
        raise ValueError(
            f"{path}: no column for the observed variable(s) {', '.join(missing)} "
            f"(header: {', '.join(h for h in header if h) or 'empty'})"
        )
    cols = [header.index(o) for o in observables]
    out = np.full((len(rows) - 1, len(cols)), np.nan)
    for t, row in enumerate(rows[1:]):
        for j, c in enumerate(cols):
            cell = row[c].strip() if c < len(row) else ""
            if cell.lower() in ("", "nan", "na", "n/a", "."):
                continue
            try:
                out[t, j] = float(cell)
            except ValueError:
                raise ValueError(
                    f"{path}, row {t + 2}: {observables[j]} = {cell!r} is not a number"
                ) from None
    if out.shape[0] == 0:
        raise ValueError(f"{path}: no observations after the header row")
    return out


def estimation_data(mod: ModFile, path: str | os.PathLike | None = None) -> np.ndarray:
    """The data of the file's estimation: the CSV file `path` (default: the ``datafile``
    option of ``estimation``, relative to the `.mod` file's folder), observed variables in
    ``varobs`` order, rows ``first_obs`` to ``first_obs + nobs - 1`` (1-based, as Dynare).

    **Raises:** [`ModError`][] if the file has no ``varobs`` or a malformed option; ``OSError``
    if the data file cannot be read; ``ValueError`` for a data file without the observed
    variables, or a sample outside it.
    """
    est = _require(mod)
    opts = est.options
    if path is None:
        if "datafile" not in opts:
            raise ValueError(
                f"{mod.filename}: no data file: give one (--data FILE.csv, or data=) or "
                "write estimation(datafile='FILE.csv', ...)"
            )
        name = opts["datafile"].strip().strip("'\"")
        base = os.path.dirname(os.path.abspath(mod.filename))
        path = os.path.join(base, name)
        if not os.path.splitext(name)[1]:
            path += ".csv"
    path = os.fspath(path)
    ext = os.path.splitext(path)[1].lower()
    if ext != ".csv":
        raise ValueError(
            f"{path}: jaxmacro reads CSV data files (a header row of names, one row per "
            f"period), not {ext or 'files without an extension'}"
        )
    Y = read_data_csv(path, est.observables)
    first = _int_option(mod, "first_obs", 1, minimum=1)
    nobs = _int_option(mod, "nobs", Y.shape[0] - first + 1, minimum=1)
    if first - 1 + nobs > Y.shape[0]:
        raise ValueError(
            f"{path}: {Y.shape[0]} observations, but the sample asks for rows {first} to "
            f"{first + nobs - 1} (first_obs={first}, nobs={nobs})"
        )
    return Y[first - 1 : first - 1 + nobs]


def _require(mod: ModFile) -> ModEstimation:
    est = mod.estimation
    if est is None or not est.observables:
        line = est.estimation_line if est is not None and est.estimation_line else 1
        raise ModError(
            "no varobs statement: declare the observed variables (varobs NAME ...;) to "
            "estimate the model",
            line,
            1,
            mod.filename,
        )
    return est


def _option_error(mod: ModFile, name: str, msg: str):
    line, col = mod.estimation.option_at.get(name, (mod.estimation.estimation_line or 1, 1))
    raise ModError(msg, line, col, mod.filename)


def _int_option(mod: ModFile, name: str, default: int, minimum: int = 0) -> int:
    text = mod.estimation.options.get(name)
    if text is None:
        return default
    try:
        x = float(text)
    except ValueError:
        if "[" in text:
            _option_error(
                mod,
                name,
                f"estimation option {name}={text}: several values "
                "(recursive estimation) are not supported",
            )
        _option_error(mod, name, f"estimation option {name}={text!r} needs an integer")
    if x != int(x) or x < minimum:
        _option_error(mod, name, f"estimation option {name}={text} must be an integer >= {minimum}")
    return int(x)


# ---------------------------------------------------------------------------- the problem


def _unique(name: str, taken: set[str]) -> str:
    while name in taken:
        name += "_"
    taken.add(name)
    return name


def estimation_problem(
    mod: ModFile,
    data=None,
    *,
    params: Mapping[str, float] | None = None,
    derived_params: str = "fixed",
    steady_state=None,
    return_warnings: bool = False,
):
    """The estimation a parsed `.mod` file describes, as an [`EstimationProblem`][].

    **Arguments:**

    - `mod`: a parsed file ([`jaxmacro.compat.parse_mod`][]) with a ``varobs`` statement.
    - `data`: a T x n_obs array (columns in ``varobs`` order) or a mapping observable ->
      series, used as given; a CSV file path, or None for the ``datafile`` option, read with
      [`estimation_data`][] (``first_obs``/``nobs`` applied).
    - `params`, `derived_params`, `steady_state` (keyword-only): as in
      [`jaxmacro.compat.load_mod`][].
    - `return_warnings`: return ``(problem, warnings)``, else warnings are issued as
      [`ModWarning`][]s (they are also in ``problem.warnings``).

    **Raises:** [`ModError`][] (with line and column) for an estimation the library cannot
    run: no ``varobs``, an estimated name that is derived from other parameters, a prior
    whose mean and std no distribution of its shape has, a start value outside the prior's
    support or the bounds, an unsupported ``lik_init``; ``ValueError`` if the model cannot be
    built; ``OSError`` if the data file cannot be read.
    """
    est = _require(mod)
    notes: list[str] = []
    overrides = dict(params or {})
    values, local_values = _parameter_values(mod, overrides, [])
    env_values = {**values, **local_values}

    def ev(node, default=None):
        if node is None:
            return default
        env = _Env(_NP_FUNCS, params=env_values, numpy=True)
        try:
            with np.errstate(all="ignore"):
                return float(evaluate(node, env))
        except KeyError as err:
            raise ModError(
                f"{err.args[0]!r} has no value where the estimation uses it",
                node.line,
                node.col,
                mod.filename,
            ) from None

    def fail(e: EstimatedParam | ShockStatement, msg: str):
        raise ModError(msg, e.line, e.col, mod.filename)

    # -- what is estimated: names, priors or transforms, start values -------------------
    taken = set(mod.endogenous) | set(mod.exogenous) | set(mod.parameters) | set(mod.local_names)
    names, labels, priors, start = [], [], {}, {}
    new_params: dict[str, tuple[EstimatedParam, float]] = {}  # stderr_e / corr_e_f
    me_estimated: dict[str, str] = {}
    sigma_at_defaults = None
    for e in est.params:
        if e.kind == "param":
            name = e.names[0]
        else:
            name = _unique(f"{e.kind}_{'_'.join(e.names)}", taken)
        if e.prior is not None:
            try:
                spec = _prior(e, ev)
            except ValueError as err:
                fail(e, f"{e.label}: {err}")
            lo, hi = _support(spec)
            lb, ub = ev(e.lower, -math.inf), ev(e.upper, math.inf)
            if lb > lo or ub < hi:
                notes.append(
                    f"{mod.filename}, line {e.line}: the bounds [{lb:g}, {ub:g}] of {e.label} "
                    f"are not enforced (jaxmacro keeps the prior's support [{lo:g}, {hi:g}]); "
                    "the mode differs from Dynare's only if it lies outside them"
                )
            x0 = ev(e.init, float(spec.mean))
        else:
            default_lb = {"param": -math.inf, "stderr": 0.0, "corr": -1.0}[e.kind]
            default_ub = {"param": math.inf, "stderr": math.inf, "corr": 1.0}[e.kind]
            lo, hi = ev(e.lower, default_lb), ev(e.upper, default_ub)
            if not lo < hi:
                fail(e, f"{e.label}: the lower bound {lo:g} is not below the upper bound {hi:g}")
            if np.isfinite(lo) and np.isfinite(hi):
                spec = Bounded(lo, hi)
            elif np.isfinite(lo):
                spec = Positive(lo)
            else:
                spec = None
                if np.isfinite(hi):
                    notes.append(
                        f"{mod.filename}, line {e.line}: the upper bound {hi:g} of {e.label} "
                        "alone is not enforced"
                    )
            x0 = ev(e.init)
        if est.use_calibration and e.kind == "param":
            x0 = values[name]
        elif est.use_calibration and e.measurement:
            x0 = next(
                (_me_std(m, ev) for m in est.measurement_errors if m.names[0] == e.names[0]), 0.0
            )
        elif est.use_calibration:
            if sigma_at_defaults is None:
                sigma_at_defaults = _sigma(mod, overrides)
            i = mod.exogenous.index(e.names[0])
            if e.kind == "stderr":
                x0 = math.sqrt(max(sigma_at_defaults[i, i], 0.0))
            else:
                j = mod.exogenous.index(e.names[1])
                d = sigma_at_defaults[i, i] * sigma_at_defaults[j, j]
                x0 = sigma_at_defaults[i, j] / math.sqrt(d) if d > 0 else 0.0
        if not (np.isfinite(x0) and lo < x0 < hi):
            where = "the prior's support" if e.prior is not None else "the bounds"
            fail(e, f"{e.label}: the start value {x0:g} is outside {where} ({lo:g}, {hi:g})")
        names.append(name)
        labels.append(e.label)
        priors[name] = spec
        start[name] = float(x0)
        if e.kind != "param" and e.measurement:
            me_estimated[e.names[0]] = name
        elif e.kind != "param":
            new_params[name] = (e, float(x0))

    # -- the model: estimated shock moments become parameters --------------------------
    build_from = _with_shock_moments(mod, new_params) if new_params else mod
    model, more = build_model(
        build_from,
        params,
        derived_params=derived_params,
        steady_state=steady_state,
        return_warnings=True,
    )
    notes += more
    for e, name in zip(est.params, names):
        if e.kind == "param" and name not in model.param_names:
            fail(
                e,
                f"{e.label} is computed from other parameters in the file, so it cannot be "
                "estimated with derived_params='follow' (use 'fixed')",
            )

    # -- measurement errors ------------------------------------------------------------
    me: dict[str, float | str] = {}
    estimated = set(names)
    for m in est.measurement_errors:
        y = m.names[0]
        if y in me_estimated:
            continue
        refs = {n.name for n in A.walk(m.expr) if isinstance(n, A.Param)}
        if m.kind == "stderr" and isinstance(m.expr, A.Param) and m.expr.name in estimated:
            me[y] = m.expr.name
            continue
        if refs & estimated:
            fail(
                m,
                f"the measurement error of {y!r} depends on estimated parameters "
                f"({', '.join(sorted(refs & estimated))}) through an expression: write "
                "'var y; stderr PARAM;' or estimate 'stderr y' instead",
            )
        sd = _me_std(m, ev)
        if not (np.isfinite(sd) and sd >= 0):
            fail(m, f"the measurement error of {y!r} is not a finite non-negative std ({sd:g})")
        me[y] = sd
    me.update(me_estimated)

    # -- sample, initialisation, options --------------------------------------------------
    opts = est.options
    lik_init = _int_option(mod, "lik_init", 1, minimum=1)
    if lik_init not in _LIK_INIT:
        _option_error(
            mod,
            "lik_init",
            f"lik_init={lik_init} (diffuse filter) is not supported: jaxmacro's filter starts "
            "from the unconditional covariance (lik_init=1) or 10·I (lik_init=2)",
        )
    presample = _int_option(mod, "presample", 0)
    for k, v in opts.items():
        if k not in _OPTIONS_USED and k not in _OPTIONS_SILENT:
            line = est.option_at.get(k, (est.estimation_line or 0, 0))[0]
            notes.append(
                f"{mod.filename}, line {line}: estimation option {k}"
                + (f"={v}" if v else "")
                + " is not honoured by jaxmacro (order-1 Kalman filter on the data as given, "
                "exact at every period): results may differ from Dynare's"
            )
    if data is None or isinstance(data, (str, os.PathLike)):
        Y = estimation_data(mod, data)
    elif isinstance(data, Mapping):
        missing = [o for o in est.observables if o not in data]
        if missing:
            raise ValueError(f"data has no series for the observed variable(s) {missing}")
        Y = np.stack([np.asarray(data[o], dtype=float) for o in est.observables], axis=-1)
    else:
        Y = np.asarray(data, dtype=float)
        if Y.ndim == 1 and len(est.observables) == 1:
            Y = Y[:, None]
    if not 0 <= presample < Y.shape[0]:
        _option_error(
            mod, "presample", f"presample={presample} leaves no observation of {Y.shape[0]}"
        )
    problem = EstimationProblem(
        model=model,
        estimation=est,
        names=tuple(names),
        labels=tuple(labels),
        priors=priors,
        start=start,
        measurement_error=me,
        data=Y,
        observables=est.observables,
        init=_LIK_INIT[lik_init],
        presample=presample,
        warnings=tuple(notes),
    )
    if return_warnings:
        return problem, notes
    import warnings

    from ._errors import ModWarning

    for w in notes:
        warnings.warn(w, ModWarning, stacklevel=2)
    return problem


def _me_std(m: ShockStatement, ev) -> float:
    """The std of a measurement error of the shocks block (``stderr s`` or ``var = v``)."""
    v = ev(m.expr)
    if m.kind == "var":
        return math.sqrt(v) if v >= 0 else math.nan
    return v


def _prior(e: EstimatedParam, ev):
    mean, std, p3, p4 = ev(e.mean), ev(e.std), ev(e.p3), ev(e.p4)
    if e.prior == "normal_pdf":
        return Normal(mean, std)
    if e.prior == "beta_pdf":
        return Beta(mean, std, 0.0 if p3 is None else p3, 1.0 if p4 is None else p4)
    if e.prior == "gamma_pdf":
        return Gamma(mean, std, 0.0 if p3 is None else p3)
    if e.prior == "inv_gamma_pdf":
        return InvGamma(mean, std, 0.0 if p3 is None else p3)
    if e.prior == "uniform_pdf":
        if p3 is not None and p4 is not None:
            return Uniform(p3, p4)
        half = math.sqrt(3.0) * std
        return Uniform(mean - half, mean + half)
    raise AssertionError(e.prior)


def _support(prior) -> tuple[float, float]:
    if isinstance(prior, Normal):
        return -math.inf, math.inf
    if isinstance(prior, (Beta, Uniform)):
        return prior.lower, prior.upper
    return prior.lower, math.inf  # Gamma, InvGamma


def _sigma(mod: ModFile, overrides) -> np.ndarray:
    model = build_model(mod, overrides or None, return_warnings=True)[0]
    return np.asarray(model.shock_covariance(model.param_vector()))


def _with_shock_moments(mod: ModFile, new: Mapping[str, tuple[EstimatedParam, float]]) -> ModFile:
    """The file with one parameter per estimated shock std or correlation (its start value as
    the default), replacing the ``shocks`` block's statements of those moments."""
    std_of = {e.names[0]: n for n, (e, _) in new.items() if e.kind == "stderr"}
    corr_of = {frozenset(e.names): n for n, (e, _) in new.items() if e.kind == "corr"}
    shocks = []
    for s in mod.shocks:
        if s.kind == "cov" and set(s.names) & set(std_of):
            raise ModError(
                f"the covariance 'var {s.names[0]}, {s.names[1]}' cannot be kept while the "
                "standard deviation of one of them is estimated: write it as a correlation "
                f"(corr {s.names[0]}, {s.names[1]} = ...)",
                s.line,
                s.col,
                mod.filename,
            )
        if s.kind in ("stderr", "var") and s.names[0] in std_of:
            continue
        if s.kind in ("corr", "cov") and frozenset(s.names) in corr_of:
            continue
        shocks.append(s)
    extra_assign = []
    for n, (e, x0) in new.items():
        param = A.Param(n, e.line, e.col)
        shocks.append(ShockStatement(e.kind, e.names, param, e.line, e.col))
        extra_assign.append(Assignment(n, A.Num(x0, e.line, e.col), e.line, e.col))
    ids = dict(mod.symbol_ids)
    for n in new:
        ids[n] = len(ids)
    return dataclasses.replace(
        mod,
        parameters=mod.parameters + tuple(new),
        symbol_ids=ids,
        declared_at={**mod.declared_at, **{n: (e.line, e.col) for n, (e, _) in new.items()}},
        param_assignments=mod.param_assignments + tuple(extra_assign),
        shocks=tuple(shocks),
    )
