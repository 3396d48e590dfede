"""The deterministic steady state: front door and the implementation the solvers share."""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
import optimistix as optx

from ._linalg import DenseLU
from ._misc import (
    guess_arrays,
    params_array,
    params_vector,
    throw_if_failed,
    variables_vector,
)
from ._model import Model
from ._results import RESULTS
from ._solution import SteadyState


def steady_state_impl(model, theta, guess, solver, tol, max_steps) -> SteadyState:
    """The steady state at the parameter vector θ, for use inside a jitted program.

    Analytic (evaluated, then verified) when the model has one, else a root find (Newton from
    the guess, Dogleg as the fallback) with implicit derivatives. Never raises: failures are in
    `result`. `guess` is None (the model's guess) or a mapping name -> array.
    """
    finite_theta = jnp.all(jnp.isfinite(theta))
    if model.steady_state_fn is not None:
        value = model.analytic_steady_state(theta).astype(theta.dtype)
        steps = jnp.asarray(0)
        result = RESULTS.successful
    else:
        if guess is None:
            y0 = jnp.asarray(model.guess, dtype=theta.dtype)
        else:
            y0 = variables_vector(model, guess, theta.dtype)

        def fn(y, th):
            return model.static_residual(y, th)

        def run(slv):
            return optx.root_find(
                fn,
                slv,
                y0,
                args=theta,
                throw=False,
                max_steps=max_steps,
                adjoint=optx.ImplicitAdjoint(linear_solver=DenseLU()),
            )

        if solver is not None:
            sol = run(solver)
            value, steps, ok = (
                sol.value,
                sol.stats["num_steps"],
                sol.result == optx.RESULTS.successful,
            )
        else:
            # Newton is fast from a good guess; a trust-region method (Dogleg) is the fallback
            # when Newton leaves the domain (NaN) or fails from a poor guess.
            s1 = run(optx.Newton(rtol=tol, atol=tol, linear_solver=DenseLU()))
            ok1 = (s1.result == optx.RESULTS.successful) & jnp.all(jnp.isfinite(s1.value))

            def fallback():
                s2 = run(optx.Dogleg(rtol=tol, atol=tol, linear_solver=DenseLU()))
                return (
                    s2.value,
                    s1.stats["num_steps"] + s2.stats["num_steps"],
                    s2.result == optx.RESULTS.successful,
                )

            def keep():
                return s1.value, s1.stats["num_steps"], ok1

            value, steps, ok = jax.lax.cond(ok1, keep, fallback)
        result = RESULTS.where(ok, RESULTS.successful, RESULTS.steady_state_failed)
    residual = model.static_residual(value, theta)
    scale = 1.0 + jnp.max(jnp.abs(value))
    bad_res = ~(jnp.max(jnp.abs(residual)) <= jnp.sqrt(tol) * scale * 1e-2)
    result = RESULTS.where(
        (result == RESULTS.successful) & bad_res, RESULTS.steady_state_residual, result
    )
    result = RESULTS.where(~finite_theta, RESULTS.nonfinite_model, result)
    return SteadyState(model, theta, value, residual, result, steps)


def steady_state(
    model: Model,
    params=None,
    *,
    guess=None,
    solver: optx.AbstractRootFinder | None = None,
    tol: float = 1e-12,
    max_steps: int = 100,
    throw: bool = True,
) -> SteadyState:
    """Deterministic steady state ȳ solving f(ȳ, ȳ, ȳ, 0, θ) = 0.

    If the model has an analytic `steady_state`, it is evaluated and verified (the static
    residual must be below tolerance). Otherwise ȳ is found by `optimistix.root_find`
    (default Newton) from `guess` (or the model's guess) and differentiated implicitly
    (`optimistix.ImplicitAdjoint`): ∂ȳ/∂θ = -f_y^{-1} f_θ.

    **Arguments:**

    - `model`: a [`jaxmacro.Model`][].
    - `params`: mapping name -> value (missing names take defaults), or a vector in
      `model.param_names` order. Batched values work under `jax.vmap`.
    - `guess` (keyword-only): initial guess, mapping name -> value.
    - `solver`: an optimistix root finder (default `optx.Newton(rtol=tol, atol=tol)`).
    - `tol`: convergence tolerance of the root finder.
    - `max_steps`: root-finder step limit.
    - `throw`: raise on failure (True) or report it in `result` (False).

    **Returns:** a [`jaxmacro.SteadyState`][].
    """
    out = _steady_state_jit(
        model, params_array(model, params), guess_arrays(guess), solver, tol, max_steps
    )
    return throw_if_failed(out, throw)


@eqx.filter_jit
def _steady_state_jit(model, params, guess, solver, tol, max_steps):
    return steady_state_impl(model, params_vector(model, params), guess, solver, tol, max_steps)
