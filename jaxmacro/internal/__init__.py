"""Lower-level entry points for power users and for the paper models in `jaxmacro.models`.

No stability promise: these names may change between releases. Each runs inside a jitted
program and never raises (failures are in the returned `result`).

- `params_vector(model, params)`: θ as a float vector in `model.param_names` order.
- `steady_state_impl(model, θ, guess, solver, tol, max_steps)`: the steady state at θ.
- `solve_impl(model, θ, order, guess, steady_state_solver, qz_criterium, qz_max_steps,
  max_steps=100)`: what [`jaxmacro.solve`][] computes, at θ (`max_steps`: root-finder steps).
- `perturb_impl(model, steady_state, order, qz_criterium, qz_max_steps)`: the rule around a
  given steady state.
- `portfolio_impl(solution, rx, mu, xi, eps, scale, two_country)`: the DS zero-order portfolio
  of a first-order solution (names validated by the caller).
- `dense_solve(A, B)`: the library's linear solve (LAPACK for one matrix, pure JAX under vmap,
  implicit derivatives).
- `has_unit_root(A, qz_criterium)`: the library's unit-root rule.
- `nan_unless(ok, x)`: x where ok, NaN elsewhere.

The public classes the paper models build on (`Model`, `RESULTS`, `PortfolioSolution`,
`portfolio`) are re-exported here too, so that every module of `jaxmacro.models` imports the
library from this one namespace.
"""

from .._linalg import has_unit_root as has_unit_root, solve as _solve
from .._misc import nan_unless as nan_unless, params_vector as params_vector
from .._model import Model as Model
from .._perturbation import perturb_impl as perturb_impl, solve_impl as solve_impl
from .._portfolio import (
    PortfolioSolution as PortfolioSolution,
    portfolio as portfolio,
    portfolio_impl as portfolio_impl,
)
from .._results import RESULTS as RESULTS
from .._steady_state import steady_state_impl as steady_state_impl

dense_solve = _solve
