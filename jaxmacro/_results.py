"""Result codes: every failure that can happen inside ``jit`` is a member of [`jaxmacro.RESULTS`][].

Front doors take ``throw=True|False``. With ``throw=True`` a failure raises an error carrying the
message below; with ``throw=False`` the failure is reported in ``solution.result`` and the
numbers of a failed point are NaN, so nothing silently wrong leaves the library. Under ``vmap``
each point carries its own code.
"""

import optimistix as optx


class RESULTS(optx.RESULTS):  # pyright: ignore
    """Outcome of a jaxmacro computation (extends ``optimistix.RESULTS``)."""

    steady_state_failed = (
        "The steady-state root finder did not converge. Supply a better `guess`, an analytic "
        "`steady_state` function, a larger `max_steps`, or another root finder (`solver` of "
        "steady_state, `steady_state_solver` elsewhere; e.g. optimistix.LevenbergMarquardt)."
    )
    steady_state_residual = (
        "The steady state does not solve the static model: the largest residual exceeds the "
        "tolerance. If it came from an analytic `steady_state`, that function is wrong for "
        "these parameters; see `SteadyState.residual` for the worst equation."
    )
    nonfinite_model = (
        "Non-finite (NaN or inf) parameters, steady state or model derivatives. Check the "
        "parameter values and that every equation is defined at the steady state."
    )
    bk_no_stable_solution = (
        "Blanchard-Kahn: no stable solution. There are more explosive eigenvalues (modulus "
        "> qz_criterium) than forward-looking variables; the parameterisation makes the model "
        "explosive (e.g. a Taylor rule that violates the Taylor principle is indeterminate, one "
        "with too strong feedback may be explosive)."
    )
    bk_indeterminate = (
        "Blanchard-Kahn: indeterminacy. There are fewer explosive eigenvalues (modulus > "
        "qz_criterium) than forward-looking variables, so the stable solution is not unique "
        "(e.g. a Taylor rule with inflation coefficient below one)."
    )
    bk_rank_failure = (
        "Blanchard-Kahn rank condition fails: the stable eigenvalues are the right number but "
        "the forward-looking block cannot be expressed in terms of the states (singular Z11), "
        "or the model is singular (det(A0 + A1 z + A2 z^2) = 0 for all z). Check for "
        "redundant equations or variables that appear nowhere."
    )
    perturbation_not_converged = (
        "The first-order solver did not converge to a solution of the matrix quadratic "
        "A0 + A1 P + A2 P^2 = 0 (residual above tolerance). Eigenvalues may lie very close "
        "to the unit circle; try a larger `qz_max_steps` or check the model."
    )
    second_order_failed = (
        "The second-order perturbation could not be computed: either the g_xx Sylvester "
        "equation was not solved to its threshold (`solution.second_order_residual` is the "
        "residual over the threshold, which scales with the problem's conditioning; above 1 "
        "fails), or the second-order terms are not finite (singular systems for g_xx or g_ss, "
        "e.g. a unit root that enters them)."
    )
    unit_root = (
        "The first-order solution has an eigenvalue on the unit circle, so unconditional "
        "moments do not exist (infinite variance). Use conditional moments, or simulate."
    )
    invalid_shock_covariance = (
        "The shock covariance at these parameters is not a covariance matrix: a negative "
        "variance, a correlation outside [-1, 1], an asymmetric or a non-finite entry. Check "
        "the parameters that `shock_cov` depends on (standard deviations must be >= 0, "
        "correlations in [-1, 1])."
    )
    portfolio_not_converged = (
        "The Evans-Hnatkovska portfolio conditions were not solved: Newton stopped with a "
        "sigma-scaled residual above `tol`. Raise `newton_steps`, or check that each "
        "`gamma_params` parameter enters the budget constraint as the position's loading on "
        "its state."
    )
    portfolio_singular = (
        "The Devereux-Sutherland portfolio matrix (R2 Sigma D2' R1' - R2 Sigma R2' D1) is "
        "singular: the assets do not span distinct risks, or a shock covariance is degenerate."
    )


def result_name(result) -> str:
    """Name of a (concrete, unbatched) RESULTS member, e.g. ``'bk_indeterminate'``."""
    value = int(result._value)
    for name, item in RESULTS._name_to_item.items():  # pyright: ignore
        if int(item._value) == value:
            return name
    return f"<unknown result {value}>"


def result_message(result) -> str:
    name = result_name(result)
    return "successful" if name == "successful" else f"{name}: {RESULTS[result]}"
