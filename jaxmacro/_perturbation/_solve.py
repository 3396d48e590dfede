"""Front doors of the perturbation solution: `solve` (steady state + rule) and `perturb`."""

from __future__ import annotations

import equinox as eqx
import jax.numpy as jnp
import optimistix as optx

from .._misc import (
    check_qz_criterium,
    covariance_ok,
    guess_arrays,
    nan_unless,
    params_array,
    params_vector,
    require_float64,
    throw_if_failed,
)
from .._model import Model
from .._results import RESULTS
from .._solution import Solution, SteadyState
from .._steady_state import steady_state_impl
from ._derivatives import model_jacobian, plain_jacobian
from ._first_order import first_order_rule
from ._second_order import second_order_terms


def solve(
    model: Model,
    params=None,
    *,
    order: int = 1,
    guess=None,
    steady_state_solver: optx.AbstractRootFinder | None = None,
    qz_criterium: float = 1.0 + 1e-6,
    qz_max_steps: int = 80,
    max_steps: int = 100,
    throw: bool = True,
) -> Solution:
    """Steady state and perturbation solution of `model` at `params`: the one front door.

    Computes ȳ (see [`jaxmacro.steady_state`][]), linearises the model by forward-mode
    autodiff, and solves for the decision rule y_t = ȳ + g_x ŝ_{t-1} + g_u u_t (and, at
    ``order=2``, the second-order terms). Jit-compiled once per model and order; vmap over
    parameters; differentiable in the parameters (implicit derivatives throughout).

    **Main arguments:**

    - `model`: a [`jaxmacro.Model`][].
    - `params`: mapping name -> value (missing names use defaults) or parameter vector.
    - `order`: 1 or 2.

    **Other arguments (keyword-only):**

    - `guess`, `steady_state_solver`, `max_steps`: for the numerical steady state (initial
      guess, optimistix root finder, root-finder step limit) — the same options, with the same
      meaning, as `guess`, `solver` and `max_steps` of [`jaxmacro.steady_state`][].
    - `qz_criterium`: eigenvalues with modulus up to this count as stable (Dynare's default
      1 + 1e-6), so unit roots such as relative wealth in portfolio models are allowed. A
      finite number in (0, 2) (`ValueError` otherwise); 1 - 1e-6 counts unit roots explosive.
    - `qz_max_steps`: iteration limit of the spectral divide-and-conquer step that finds the
      stable subspace (the first-order solver's counterpart of Dynare's QZ).
    - `throw`: raise on failure, or report it in `solution.result` (use False under vmap and in
      calibration loops). Numbers of a failed point are NaN.

    **Returns:** a [`jaxmacro.Solution`][].
    """
    if order not in (1, 2):
        raise ValueError(f"order must be 1 or 2, got {order!r}")
    out = _solve_jit(
        model,
        params_array(model, params),
        order,
        guess_arrays(guess),
        steady_state_solver,
        check_qz_criterium(qz_criterium),
        qz_max_steps,
        max_steps,
    )
    return throw_if_failed(out, throw)


@eqx.filter_jit
def _solve_jit(
    model, params, order, guess, steady_state_solver, qz_criterium, qz_max_steps, max_steps
):
    return solve_impl(
        model,
        params_vector(model, params),
        order,
        guess,
        steady_state_solver,
        qz_criterium,
        qz_max_steps,
        max_steps,
    )


def solve_impl(
    model, theta, order, guess, steady_state_solver, qz_criterium, qz_max_steps, max_steps=100
):
    """[`jaxmacro.solve`][] at the parameter vector θ, for use inside a jitted program (never
    raises; failures are in `result`)."""
    ss = steady_state_impl(model, theta, guess, steady_state_solver, 1e-12, max_steps)
    return perturb_impl(model, ss, order, qz_criterium, qz_max_steps)


def perturb_impl(model, ss, order, qz_criterium, qz_max_steps):
    # At order 2 the Jacobian carries a forward-mode derivative rule (see _derivatives.py) and
    # is shared with the second-order solver; at order 1 plain autodiff is used.
    layout = model.structure
    if order == 2:
        J = model_jacobian(model, layout, ss.value, ss.params)
    else:
        J = plain_jacobian(model, layout, ss.value, ss.params)
    g_x, g_u, M, n_stable, residual, result = first_order_rule(model, J, qz_criterium, qz_max_steps)
    result = RESULTS.where(ss.result != RESULTS.successful, ss.result, result)
    cov = model.shock_covariance(ss.params).astype(g_x.dtype)
    result = RESULTS.where(
        (result == RESULTS.successful) & ~covariance_ok(cov),
        RESULTS.invalid_shock_covariance,
        result,
    )
    extra = {}
    if order == 2:
        g2, result2 = second_order_terms(model, ss, g_x, g_u, cov, jacobian=J, M=M)
        so_residual = g2.pop("second_order_residual")  # reported on failure too (not NaN)
        extra = g2
        result = RESULTS.where(result == RESULTS.successful, result2, result)
    ok = result == RESULTS.successful
    nanify = lambda x: nan_unless(ok, x)  # noqa: E731
    sol = Solution(
        model=model,
        order=order,
        params=ss.params,
        steady_state=nanify(ss.value),
        g_x=nanify(g_x),
        g_u=nanify(g_u),
        shock_cov=cov,
        n_stable=n_stable,
        residual=residual,
        steady_state_residual=jnp.max(jnp.abs(ss.residual)),
        result=result,
        **{k: nanify(v) for k, v in extra.items()},
        **({"second_order_residual": so_residual} if order == 2 else {}),
    )
    return sol


def perturb(
    model: Model,
    steady_state: SteadyState,
    *,
    order: int = 1,
    qz_criterium: float = 1.0 + 1e-6,
    qz_max_steps: int = 80,
    throw: bool = True,
) -> Solution:
    """Perturbation solution around a given [`jaxmacro.SteadyState`][] (see [`jaxmacro.solve`][];
    `order`, `qz_criterium`, `qz_max_steps` and `throw` mean what they mean there)."""
    if order not in (1, 2):
        raise ValueError(f"order must be 1 or 2, got {order!r}")
    require_float64(steady_state.value.dtype, "perturb")
    out = _perturb_jit(model, steady_state, order, check_qz_criterium(qz_criterium), qz_max_steps)
    return throw_if_failed(out, throw)


@eqx.filter_jit
def _perturb_jit(model, steady_state, order, qz_criterium, qz_max_steps):
    return perturb_impl(model, steady_state, order, qz_criterium, qz_max_steps)
