"""Estimation on data: Kalman-filter likelihood, smoother, priors, posterior mode and NUTS."""

from ._estimate import (
    Estimate as Estimate,
    Posterior as Posterior,
    estimate as estimate,
    likelihood_at as likelihood_at,
    posterior as posterior,
)
from ._kalman import (
    LIKELIHOOD_RESULTS as LIKELIHOOD_RESULTS,
    KalmanFilter as KalmanFilter,
    ShockDecomposition as ShockDecomposition,
    Smoothed as Smoothed,
    kalman_filter as kalman_filter,
    log_likelihood as log_likelihood,
    shock_decomposition as shock_decomposition,
    smooth as smooth,
)
from ._nuts import (
    PosteriorSample as PosteriorSample,
    plot_posterior as plot_posterior,
    sample_posterior as sample_posterior,
)
from ._priors import (
    AbstractPrior as AbstractPrior,
    Beta as Beta,
    Gamma as Gamma,
    InvGamma as InvGamma,
    Normal as Normal,
    Uniform as Uniform,
)
