"""Kraay, Loayza, Servén and Ventura (2000), "Country Portfolios" (NBER WP 7795, July 2000).

North–South, log-utility, continuous-time model of country portfolios with sovereign risk:
the normal-time equilibrium is a static complementarity problem in the wealth distribution
([`equilibrium`][]), and wealth follows a jump diffusion with Poisson crises ([`simulate`][]).
"""

from ._equilibrium import (
    RESULTS as RESULTS,
    Equilibrium as Equilibrium,
    Growth as Growth,
    Portfolio as Portfolio,
    equilibrium as equilibrium,
    equilibrium_grid as equilibrium_grid,
)
from ._params import KraayParams as KraayParams
from ._simulate import (
    PanelMoments as PanelMoments,
    Simulation as Simulation,
    panel_moments as panel_moments,
    simulate as simulate,
)
from ._tables import (
    PAPER_TABLE5_SIGMA0 as PAPER_TABLE5_SIGMA0,
    PAPER_TABLE5_SIGMA005 as PAPER_TABLE5_SIGMA005,
    PAPER_TABLE6_EV as PAPER_TABLE6_EV,
    PAPER_TABLE6_V_STAR as PAPER_TABLE6_V_STAR,
    TABLE_ALPHAS as TABLE_ALPHAS,
    TABLE_GAMMAS as TABLE_GAMMAS,
    max_abs_diff as max_abs_diff,
    table5 as table5,
    table6 as table6,
)
