"""Dynare bridge: import `.mod` files as [`jaxmacro.Model`][]s and write decision rules in
Dynare's layout.

```python
from jaxmacro.compat import load_mod, to_dynare
model = load_mod("rbc.mod", defines={"ORDER": 1})
dr = to_dynare(jm.solve(model))          # ys, order_var, state_var, ghx, ghu, ...
```

The importer reads the subset of the Dynare language that ordinary stochastic models use
(declarations, parameter block, model block with model-local variables and leads/lags of
any length, ``steady_state_model``, ``initval``, ``shocks``, ``steady``, ``check``,
``stoch_simul`` options, comments and the common macro directives). It tokenizes and parses
the file itself and evaluates the expression trees with `jax.numpy`; nothing in a file is
ever executed. Anything outside the subset is a [`ModError`][] naming the line and column.

Estimation statements (``varobs``, ``estimated_params``, ``estimated_params_init``,
measurement errors in ``shocks``, ``estimation(datafile=, first_obs=, nobs=, presample=,
lik_init=)``) are parsed into ``ModFile.estimation`` ([`ModEstimation`][]);
[`load_estimation`][] / [`estimation_problem`][] turn them into the library's priors,
[`jaxmacro.Posterior`][] and [`jaxmacro.estimate`][]:

```python
problem = load_estimation("rbc_est.mod")   # data from estimation(datafile=...)
problem.evaluate()["loglik"]; est = problem.estimate()
```
"""

from ._build import build_model as build_model
from ._errors import ModError as ModError, ModWarning as ModWarning
from ._estimation import (
    EstimationProblem as EstimationProblem,
    estimation_data as estimation_data,
    estimation_problem as estimation_problem,
    read_data_csv as read_data_csv,
)
from ._layout import to_dynare as to_dynare, to_json_dict as to_json_dict
from ._load import (
    load_estimation as load_estimation,
    load_mod as load_mod,
    read_mod as read_mod,
)
from ._modfile import (
    EstimatedParam as EstimatedParam,
    ModEstimation as ModEstimation,
    ModFile as ModFile,
    Skipped as Skipped,
)
from ._parser import parse_mod as parse_mod
