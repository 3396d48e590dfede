"""Front doors: steady state and perturbation solution."""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
import optimistix as optx

from ._dense import DenseLU, solve as dense_solve
from ._derivatives import model_jacobian, plain_jacobian, split_v
from ._first_order import make_layout, quadratic_residual, solve_gx
from ._model import Model
from ._results import RESULTS
from ._solution import Solution, SteadyState


def _params_vector(model: Model, params):
    theta = model.param_vector(params)
    return jnp.asarray(theta, dtype=jnp.result_type(theta.dtype, float))


def _steady_state_impl(model, theta, guess, solver, tol, max_steps):
    finite_theta = jnp.all(jnp.isfinite(theta))
    if model.steady_state_fn is not None:
        value = model.analytic_steady_state(theta).astype(theta.dtype)
        steps = jnp.asarray(0)
        result = RESULTS.successful
    else:
        if guess is None:
            y0 = jnp.asarray(model.guess, dtype=theta.dtype)
        else:
            y0 = model_vector(model, guess, theta.dtype)

        def fn(y, th):
            return model.static_residual(y, th)

        def run(slv):
            return optx.root_find(
                fn, slv, y0, args=theta, throw=False, max_steps=max_steps,
                adjoint=optx.ImplicitAdjoint(linear_solver=DenseLU()),
            )

        if solver is not None:
            sol = run(solver)
            value, steps, ok = sol.value, sol.stats["num_steps"], sol.result == optx.RESULTS.successful
        else:
            # Newton is fast from a good guess; a trust-region method (Dogleg) is the fallback
            # when Newton leaves the domain (NaN) or fails from a poor guess.
            s1 = run(optx.Newton(rtol=tol, atol=tol, linear_solver=DenseLU()))
            ok1 = (s1.result == optx.RESULTS.successful) & jnp.all(jnp.isfinite(s1.value))

            def fallback():
                s2 = run(optx.Dogleg(rtol=tol, atol=tol, linear_solver=DenseLU()))
                return s2.value, s1.stats["num_steps"] + s2.stats["num_steps"], s2.result == optx.RESULTS.successful

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


def model_vector(model, values, dtype):
    from ._named import to_vector

    return jnp.asarray(to_vector(model.variables, values, "variable"), dtype=dtype)


def _arrays(params):
    """Python scalars would be static under filter_jit (one compile per value): make them arrays."""
    if params is None:
        return None
    if isinstance(params, dict):
        return {k: jnp.asarray(v) for k, v in params.items()}
    return jnp.asarray(params)


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
    guess = None if guess is None else {k: jnp.asarray(v) for k, v in dict(guess).items()}
    return _steady_state_jit(model, _arrays(params), guess, solver, tol, max_steps, throw)


@eqx.filter_jit
def _steady_state_jit(model, params, guess, solver, tol, max_steps, throw):
    theta = _params_vector(model, params)
    ss = _steady_state_impl(model, theta, guess, solver, tol, max_steps)
    if throw:
        ss = ss.result.error_if(ss, ss.result != RESULTS.successful)
    return ss


def _first_order(model, qz_criterium, max_steps, J):
    """First-order rule from the Jacobian J = ∂f/∂(ŝ, y, y^f', u) at the steady state."""
    n, ne = model.n_vars, model.n_shocks
    layout = make_layout(model.structure, n)
    s = jnp.asarray(layout.states, dtype=int)
    f = jnp.asarray(layout.forward, dtype=int)
    sl_s, sl_c, sl_f, sl_u = split_v(layout, ne)
    finite = jnp.all(jnp.isfinite(J))
    J = jnp.where(finite, J, jnp.zeros_like(J))
    F_m, F_0, F_p, F_u = J[:, sl_s], J[:, sl_c], J[:, sl_f], J[:, sl_u]
    F_0 = jnp.where(finite, F_0, jnp.eye(n, dtype=F_0.dtype))
    g_x, info, _ = solve_gx(F_m, F_0, F_p, layout, qz_criterium, max_steps)
    n_stable = info[0].astype(int)
    converged = info[1] > 0.5
    z1_ok = info[2] > 0.5
    M = F_0.at[:, s].add(F_p @ g_x[f])
    g_u = -dense_solve(M, F_u)
    R = quadratic_residual(F_m, F_0, F_p, g_x, layout)
    scale = 1.0 + jnp.max(jnp.abs(F_0)) * (1.0 + jnp.max(jnp.abs(g_x)) ** 2)
    residual = jnp.max(jnp.abs(R)) if R.size else jnp.asarray(0.0, F_0.dtype)
    ns = len(layout.states)
    result = RESULTS.successful
    result = RESULTS.where(~(residual <= 1e-8 * scale), RESULTS.perturbation_not_converged, result)
    result = RESULTS.where(~converged, RESULTS.perturbation_not_converged, result)
    result = RESULTS.where(~z1_ok, RESULTS.bk_rank_failure, result)
    result = RESULTS.where(n_stable > ns, RESULTS.bk_indeterminate, result)
    result = RESULTS.where(n_stable < ns, RESULTS.bk_no_stable_solution, result)
    result = RESULTS.where(~finite, RESULTS.nonfinite_model, result)
    return g_x, g_u, n_stable, residual, result


def solve(
    model: Model,
    params=None,
    *,
    order: int = 1,
    guess=None,
    steady_state_solver: optx.AbstractRootFinder | None = None,
    qz_criterium: float = 1.0 + 1e-6,
    max_steps: int = 80,
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

    - `guess`, `steady_state_solver`: for the numerical steady state.
    - `qz_criterium`: eigenvalues with modulus up to this count as stable (Dynare's default
      1 + 1e-6), so unit roots such as relative wealth in portfolio models are allowed.
    - `max_steps`: iterations of the spectral divide-and-conquer step.
    - `throw`: raise on failure, or report it in `solution.result` (use False under vmap and in
      calibration loops). Numbers of a failed point are NaN.

    **Returns:** a [`jaxmacro.Solution`][].
    """
    if order not in (1, 2):
        raise ValueError(f"order must be 1 or 2, got {order!r}")
    guess = None if guess is None else {k: jnp.asarray(v) for k, v in dict(guess).items()}
    return _solve_jit(
        model, _arrays(params), order, guess, steady_state_solver, qz_criterium, max_steps, throw
    )


@eqx.filter_jit
def _solve_jit(model, params, order, guess, steady_state_solver, qz_criterium, max_steps, throw):
    theta = _params_vector(model, params)
    ss = _steady_state_impl(model, theta, guess, steady_state_solver, 1e-12, 100)
    return _perturb_impl(model, ss, order, qz_criterium, max_steps, throw)


def _perturb_impl(model, ss, order, qz_criterium, max_steps, throw):
    # At order 2 the Jacobian carries a forward-mode derivative rule (see _derivatives.py) and
    # is shared with the second-order solver; at order 1 plain autodiff is used.
    layout = make_layout(model.structure, model.n_vars)
    if order == 2:
        J = model_jacobian(model, layout, ss.value, ss.params)
    else:
        J = plain_jacobian(model, layout, ss.value, ss.params)
    g_x, g_u, n_stable, residual, result = _first_order(model, qz_criterium, max_steps, J)
    result = RESULTS.where(ss.result != RESULTS.successful, ss.result, result)
    cov = model.shock_covariance(ss.params).astype(g_x.dtype)
    extra = {}
    if order == 2:
        from ._second_order import second_order_terms

        g2, result2 = second_order_terms(model, ss, g_x, g_u, cov, jacobian=J)
        extra = g2
        result = RESULTS.where(result == RESULTS.successful, result2, result)
    ok = result == RESULTS.successful
    nanify = lambda x: jnp.where(ok, x, jnp.nan)  # noqa: E731
    sol = Solution(
        model=model,
        order=order,
        params=ss.params,
        steady_state=ss.value,
        g_x=nanify(g_x),
        g_u=nanify(g_u),
        shock_cov=cov,
        n_stable=n_stable,
        residual=residual,
        steady_state_residual=jnp.max(jnp.abs(ss.residual)),
        result=result,
        **{k: nanify(v) for k, v in extra.items()},
    )
    if throw:
        sol = result.error_if(sol, result != RESULTS.successful)
    return sol


def perturb(
    model: Model,
    steady_state: SteadyState,
    *,
    order: int = 1,
    qz_criterium: float = 1.0 + 1e-6,
    max_steps: int = 80,
    throw: bool = True,
) -> Solution:
    """Perturbation solution around a given [`jaxmacro.SteadyState`][] (see [`jaxmacro.solve`][])."""
    if order not in (1, 2):
        raise ValueError(f"order must be 1 or 2, got {order!r}")
    return _perturb_jit(model, steady_state, order, qz_criterium, max_steps, throw)


@eqx.filter_jit
def _perturb_jit(model, steady_state, order, qz_criterium, max_steps, throw):
    return _perturb_impl(model, steady_state, order, qz_criterium, max_steps, throw)
