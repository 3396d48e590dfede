"""jaxmacro: JAX-accelerated, differentiable perturbation solver for open-economy DSGE models.

The public surface is this module. Enable float64 in your program
(``jax.config.update("jax_enable_x64", True)``); the library never changes global JAX config.

What a solve needs is imported with the package; the rest of the public surface (calibration,
estimation, portfolios, the `.mod` importer `compat`, the `models` and `internal`) is imported
on first use (module ``__getattr__``), so ``import jaxmacro`` stays cheap. The names and objects
are the same either way.
"""

import importlib as _importlib

from ._batch import vmap_chunked as vmap_chunked
from ._cache import enable_compilation_cache as enable_compilation_cache
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
from ._model import (
    Model as Model,
    Structure as Structure,
    linearize_equations as linearize_equations,
)
from ._named import Named as Named
from ._perturbation import perturb as perturb, solve as solve
from ._results import (
    RESULTS as RESULTS,
    result_message as result_message,
    result_name as result_name,
)
from ._solution import Solution as Solution, SteadyState as SteadyState
from ._steady_state import steady_state as steady_state

PrunedMoments = Moments  # deprecated name: `moments` is order-aware (see the README)

__version__ = "0.1.0"

# Imported on first use: public name -> the private module that defines it.
_LAZY = {
    **dict.fromkeys(
        (
            "AbstractTransform",
            "Bounded",
            "Calibration",
            "CalibrationStatus",
            "Identity",
            "MultiStartCalibration",
            "Positive",
            "UnitInterval",
            "as_transform",
            "calibrate",
            "calibrate_multistart",
            "default_optimizer",
        ),
        "._calibration",
    ),
    **dict.fromkeys(
        (
            "LIKELIHOOD_RESULTS",
            "AbstractPrior",
            "Beta",
            "Estimate",
            "Gamma",
            "InvGamma",
            "KalmanFilter",
            "Normal",
            "Posterior",
            "PosteriorSample",
            "ShockDecomposition",
            "Smoothed",
            "Uniform",
            "estimate",
            "kalman_filter",
            "log_likelihood",
            "plot_posterior",
            "posterior",
            "sample_posterior",
            "shock_decomposition",
            "smooth",
        ),
        "._estimation",
    ),
    **dict.fromkeys(
        (
            "EHSolution",
            "EHStateSpace",
            "PortfolioDynamics",
            "PortfolioSolution",
            "ds_alpha",
            "ds_gamma",
            "eh_state_space",
            "evans_hnatkovska",
            "portfolio",
            "portfolio_dynamics",
            "portfolio_from_solution",
            "premia_feedback",
        ),
        "._portfolio",
    ),
}
_LAZY_SUBMODULES = ("compat", "internal", "models")


def __getattr__(name):
    if name in _LAZY:
        value = getattr(_importlib.import_module(_LAZY[name], __name__), name)
    elif name in _LAZY_SUBMODULES:
        value = _importlib.import_module(f".{name}", __name__)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # later look-ups do not come here
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY) | set(_LAZY_SUBMODULES))


__all__ = sorted(
    {k for k in globals() if not k.startswith("_")} - {"annotations"}
    | set(_LAZY)
    | set(_LAZY_SUBMODULES)
    | {"__version__"}
)
