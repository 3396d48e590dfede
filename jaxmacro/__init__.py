"""jaxmacro: JAX-accelerated, differentiable perturbation solver for open-economy DSGE models.

The public surface is this module. Enable float64 in your program
(``jax.config.update("jax_enable_x64", True)``); the library never changes global JAX config.
"""

from . import compat as compat, models as models
from ._calibrate import (
    Calibration as Calibration,
    CalibrationStatus as CalibrationStatus,
    MultiStartCalibration as MultiStartCalibration,
    calibrate as calibrate,
    calibrate_multistart as calibrate_multistart,
    default_optimizer as default_optimizer,
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
from ._model import Model as Model, Structure as Structure
from ._moments import Moments as Moments, moments as moments
from ._named import Named as Named
from ._portfolio import (
    PortfolioSolution as PortfolioSolution,
    ds_alpha as ds_alpha,
    portfolio as portfolio,
    portfolio_from_solution as portfolio_from_solution,
)
from ._portfolio_dynamics import (
    PortfolioDynamics as PortfolioDynamics,
    ds_gamma as ds_gamma,
    portfolio_dynamics as portfolio_dynamics,
)
from ._pruning import (
    PrunedMoments as PrunedMoments,
    StochasticSteadyState as StochasticSteadyState,
    girf as girf,
    pruned_moments as pruned_moments,
    simulate_pruned as simulate_pruned,
    stochastic_steady_state as stochastic_steady_state,
)
from ._results import (
    RESULTS as RESULTS,
    result_message as result_message,
    result_name as result_name,
)
from ._simulate import impulse_response as impulse_response, simulate as simulate
from ._solution import Solution as Solution, SteadyState as SteadyState
from ._solve import perturb as perturb, solve as solve, steady_state as steady_state
from ._transforms import (
    AbstractTransform as AbstractTransform,
    Bounded as Bounded,
    Identity as Identity,
    Positive as Positive,
    UnitInterval as UnitInterval,
    as_transform as as_transform,
)

__version__ = "0.1.0"
