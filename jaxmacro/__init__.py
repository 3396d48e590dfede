"""jaxmacro: JAX-accelerated, differentiable perturbation solver for open-economy DSGE models.

The public surface is this module. Enable float64 in your program
(``jax.config.update("jax_enable_x64", True)``); the library never changes global JAX config.
"""

from . import compat as compat, internal as internal, models as models
from ._cache import enable_compilation_cache as enable_compilation_cache
from ._calibration import (
    AbstractTransform as AbstractTransform,
    Bounded as Bounded,
    Calibration as Calibration,
    CalibrationStatus as CalibrationStatus,
    Identity as Identity,
    MultiStartCalibration as MultiStartCalibration,
    Positive as Positive,
    UnitInterval as UnitInterval,
    as_transform as as_transform,
    calibrate as calibrate,
    calibrate_multistart as calibrate_multistart,
    default_optimizer as default_optimizer,
)
from ._dynamics import (
    ConditionalMoments as ConditionalMoments,
    EulerErrors as EulerErrors,
    Expansion as Expansion,
    Moments as Moments,
    StochasticSteadyState as StochasticSteadyState,
    conditional_moments as conditional_moments,
    euler_errors as euler_errors,
    expansion_residuals as expansion_residuals,
    girf as girf,
    impulse_response as impulse_response,
    moments as moments,
    pruned_moments as pruned_moments,
    simulate as simulate,
    simulate_pruned as simulate_pruned,
    stochastic_steady_state as stochastic_steady_state,
)
from ._estimation import (
    LIKELIHOOD_RESULTS as LIKELIHOOD_RESULTS,
    AbstractPrior as AbstractPrior,
    Beta as Beta,
    Estimate as Estimate,
    Gamma as Gamma,
    InvGamma as InvGamma,
    KalmanFilter as KalmanFilter,
    Normal as Normal,
    Posterior as Posterior,
    PosteriorSample as PosteriorSample,
    ShockDecomposition as ShockDecomposition,
    Smoothed as Smoothed,
    Uniform as Uniform,
    estimate as estimate,
    kalman_filter as kalman_filter,
    log_likelihood as log_likelihood,
    plot_posterior as plot_posterior,
    posterior as posterior,
    sample_posterior as sample_posterior,
    shock_decomposition as shock_decomposition,
    smooth as smooth,
)
from ._model import (
    Model as Model,
    Structure as Structure,
    linearize_equations as linearize_equations,
)
from ._named import Named as Named
from ._perturbation import perturb as perturb, solve as solve
from ._portfolio import (
    EHSolution as EHSolution,
    EHStateSpace as EHStateSpace,
    PortfolioDynamics as PortfolioDynamics,
    PortfolioSolution as PortfolioSolution,
    ds_alpha as ds_alpha,
    ds_gamma as ds_gamma,
    eh_state_space as eh_state_space,
    evans_hnatkovska as evans_hnatkovska,
    portfolio as portfolio,
    portfolio_dynamics as portfolio_dynamics,
    portfolio_from_solution as portfolio_from_solution,
    premia_feedback as premia_feedback,
)
from ._results import (
    RESULTS as RESULTS,
    result_message as result_message,
    result_name as result_name,
)
from ._solution import Solution as Solution, SteadyState as SteadyState
from ._steady_state import steady_state as steady_state

PrunedMoments = Moments  # deprecated name: `moments` is order-aware (see the README)

__version__ = "0.1.0"
