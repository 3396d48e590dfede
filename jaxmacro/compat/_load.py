"""The front door of the importer."""

from __future__ import annotations

import os
from collections.abc import Mapping

from .._model import Model
from ._parser import parse_mod


def load_mod(
    path: str | os.PathLike,
    *,
    defines: Mapping[str, object] | None = None,
    params: Mapping[str, float] | None = None,
    derived_params: str = "fixed",
) -> Model:
    """Import a Dynare `.mod` file as a [`jaxmacro.Model`][].

    The model's variables are the declared endogenous variables followed by Dynare's
    auxiliary variables for leads and lags beyond one period; its shocks are the ``varexo``
    names; its parameters carry the values of the file's parameter block as defaults; Σ comes
    from the ``shocks`` block (a function of the parameters, e.g. ``stderr sigma``); the
    steady state is ``steady_state_model`` when present (checked, not trusted), else found
    numerically from ``initval`` (0 for variables it does not set, as in Dynare).

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

    **Returns:** a [`jaxmacro.Model`][], named after the file.

    **Raises:** [`jaxmacro.compat.ModError`][] (a ``ValueError``) with the line and column of
    anything malformed or unsupported; ``ValueError`` if the model fails the checks of
    [`jaxmacro.Model`][] (e.g. a non-finite residual at the steady state).
    """
    path = os.fspath(path)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    mod = parse_mod(text, defines=defines, filename=path)
    return mod.model(params, derived_params=derived_params)
