"""The front door of the importer."""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Mapping

from .._model import Model
from ._build import build_model
from ._errors import ModError, ModWarning
from ._modfile import ModFile
from ._parser import ESTIMATION_WHY, parse_mod
from ._source import read_mod


def external_steady_state_files(path: str | os.PathLike) -> list[str]:
    """The ``NAME_steadystate.m`` / ``NAME_steadystate2.m`` files Dynare would call for the
    model file at `path` (those that exist next to it)."""
    path = os.fspath(path)
    stem = os.path.splitext(path)[0]
    return [f for f in (stem + "_steadystate.m", stem + "_steadystate2.m") if os.path.exists(f)]


def load_mod(
    path: str | os.PathLike,
    *,
    defines: Mapping[str, object] | None = None,
    params: Mapping[str, float] | None = None,
    derived_params: str = "fixed",
    steady_state: Callable | None = None,
) -> Model:
    """Import a Dynare `.mod` file as a [`jaxmacro.Model`][].

    The model's variables are the declared endogenous variables followed by Dynare's
    auxiliary variables for leads and lags beyond one period; its shocks are the ``varexo``
    names; its parameters carry the values of the file's parameter block as defaults; Σ comes
    from the ``shocks`` block (a function of the parameters, e.g. ``stderr sigma``); the
    steady state is ``steady_state_model`` when present (checked, not trusted; parameters it
    assigns are updated, as Dynare updates ``M_.params``), else found numerically from
    ``initval`` (0 for variables it does not set, as in Dynare).

    The file is read in any encoding (UTF-8, else Windows-1252/Latin-1) with any line ending.
    MATLAB code in the file is never run: it is skipped with a [`ModWarning`][] naming its
    lines (an error if it sets parameters before ``stoch_simul``), as are Dynare commands
    without effect on the decision rules (plots, LaTeX output, ...). The estimation statements
    (``varobs``, ``estimated_params``, measurement errors, ``estimation``) do not change the
    model either: [`jaxmacro.compat.load_estimation`][] reads them.

    **Arguments:**

    - `path`: the `.mod` file.
    - `defines` (keyword-only): macro variables, as Dynare's ``-DNAME=VALUE``.
    - `params`: parameter values that replace the file's assignments of those names, as if
      the file had been edited (parameters the file derives from them follow).
    - `derived_params`: ``"fixed"`` (default, as Dynare): every declared parameter is a
      parameter of the model and nothing is recomputed when one changes; ``"follow"``:
      parameters the file computes from other parameters are recomputed from the free ones
      inside every model function (and are not parameters of the model), so that they follow
      under `jaxmacro.solve(model, params)`, vmap, grad and calibration.
    - `steady_state`: the hook for files whose steady state Dynare computes with MATLAB code
      (a ``NAME_steadystate.m`` file next to the model): a Python function
      ``steady_state(params) -> {variable: value}`` written with `jax.numpy` (``params``
      gives every declared parameter by name, as `jaxmacro.Model`'s steady-state functions
      do). It replaces ``steady_state_model``/``initval``.

    **Returns:** a [`jaxmacro.Model`][], named after the file.

    **Raises:** [`jaxmacro.compat.ModError`][] (a ``ValueError``) with the line and column of
    anything malformed or unsupported; ``ValueError`` if the model fails the checks of
    [`jaxmacro.Model`][] (e.g. a non-finite residual at the steady state).

    **Warns:** [`jaxmacro.compat.ModWarning`][] for what was skipped or reinterpreted.
    """
    return _import(
        path,
        build_model,
        defines,
        params=params,
        derived_params=derived_params,
        steady_state=steady_state,
    )


def _import(path, build, defines, for_estimation=False, **kw):
    """Parse `path`, ``build(mod, **kw, return_warnings=True)``, issue the warnings of both
    (as ModWarnings attributed to the caller of the public function) and return the result."""
    mod, notes = parse_mod_file(
        path, defines=defines, steady_state=kw.get("steady_state"), for_estimation=for_estimation
    )
    out, more = build(mod, **kw, return_warnings=True)
    for w in notes + more:
        warnings.warn(w, ModWarning, stacklevel=3)
    return out


def load_estimation(
    path: str | os.PathLike,
    data=None,
    *,
    defines: Mapping[str, object] | None = None,
    params: Mapping[str, float] | None = None,
    derived_params: str = "fixed",
    steady_state: Callable | None = None,
):
    """Import a `.mod` file's estimation: ``varobs``, ``estimated_params``, measurement errors
    and ``estimation(datafile=..., first_obs=, nobs=, presample=, lik_init=)``.

    ```python
    problem = load_estimation("rbc_est.mod")     # data from estimation(datafile=...)
    problem.evaluate()["loglik"]                  # log-likelihood at the initial values
    est = problem.estimate()                      # posterior mode (ML without priors)
    ```

    `data` is a CSV path, an array (T x n_obs, ``varobs`` order) or a mapping observable ->
    series (default: the file's ``datafile``, relative to the `.mod` file's folder); the
    other arguments are those of [`jaxmacro.compat.load_mod`][]. Returns a
    [`jaxmacro.compat.EstimationProblem`][] (see [`jaxmacro.compat.estimation_problem`][] for
    the priors, the names of estimated shock moments and what raises).

    **Warns:** [`jaxmacro.compat.ModWarning`][] for what was skipped, and for ``estimation``
    options jaxmacro does not honour that could change the result.
    """
    from ._estimation import estimation_problem

    return _import(
        path,
        lambda mod, **kw: estimation_problem(mod, data, **kw),
        defines,
        for_estimation=True,
        params=params,
        derived_params=derived_params,
        steady_state=steady_state,
    )


def parse_mod_file(
    path, *, defines=None, steady_state=None, for_estimation=False
) -> tuple[ModFile, list[str]]:
    """Read and parse a file: (ModFile, warnings as one-line strings). With `for_estimation`
    the estimation statements are not reported as skipped (they are used)."""
    path = os.fspath(path)
    text = read_mod(path)
    mod = parse_mod(text, defines=defines, filename=path)
    notes = list(mod.warnings)
    skipped = [s for s in mod.skipped if not (for_estimation and s.reason == ESTIMATION_WHY)]
    if skipped:
        notes.append(skipped_summary(mod, skipped=skipped))
    ext = external_steady_state_files(path)
    if ext and steady_state is None:
        how = (
            "its steady_state_model block is used instead"
            if mod.steady_state_model is not None
            else "jaxmacro solves the steady state numerically from initval instead"
        )
        notes.append(
            f"{path}: Dynare would call {os.path.basename(ext[0])} (MATLAB code, not "
            f"run by jaxmacro); {how}; pass steady_state= to load_mod to supply it"
        )
    return mod, notes


def skipped_summary(mod: ModFile, limit: int = 8, skipped=None) -> str:
    skipped = mod.skipped if skipped is None else skipped
    parts = []
    for s in skipped[:limit]:
        a, b = s.lines
        where = f"line {a}" if a == b else f"lines {a}-{b}"
        parts.append(f"{where} ({s.what})")
    more = f" and {len(skipped) - limit} more" if len(skipped) > limit else ""
    return (
        f"{mod.filename}: skipped {len(skipped)} statement(s) that do not change the "
        f"decision rules or are MATLAB code (not run): {'; '.join(parts)}{more}"
    )


__all__ = ["load_mod", "load_estimation", "read_mod", "ModError"]
