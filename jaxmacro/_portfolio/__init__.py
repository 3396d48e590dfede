"""Country portfolios, one home: the shared plumbing (`_common.py`: names, loadings, scaling,
the rank test), the Devereux–Sutherland (2011) zero-order portfolio
(`_devereux_sutherland.py`) and the Devereux–Sutherland (2010) first-order dynamics
(`_ds_dynamics.py`), and the Evans–Hnatkovska state-dependent portfolio
(`_evans_hnatkovska.py`)."""

from ._devereux_sutherland import (
    PortfolioSolution as PortfolioSolution,
    ds_alpha as ds_alpha,
    portfolio as portfolio,
    portfolio_from_solution as portfolio_from_solution,
    portfolio_impl as portfolio_impl,
)
from ._ds_dynamics import (
    PortfolioDynamics as PortfolioDynamics,
    ds_gamma as ds_gamma,
    portfolio_dynamics as portfolio_dynamics,
)
from ._evans_hnatkovska import (
    EHSolution as EHSolution,
    EHStateSpace as EHStateSpace,
    eh_state_space as eh_state_space,
    evans_hnatkovska as evans_hnatkovska,
    premia_feedback as premia_feedback,
)
