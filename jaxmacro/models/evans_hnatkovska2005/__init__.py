"""Evans & Hnatkovska (2005), "International Capital Flows, Returns and World Financial
Integration" (NBER WP 11701): the FA / PI / FI model at first order (Stages A, B) and at
second order with state-dependent second moments (Stage C).

Two countries, traded (capital, Y = Z K^θ) and nontraded (endowment κZ^n) sectors, log
utility over a CES basket, four AR(1) productivities; asset menus fa (own equities), pi (+ a
real bond) and fi (+ the foreign traded equity). The equilibrium conditions are written in
levels ([`model`][]) and linearised by autodiff ([`solve`][], Stage A); zero-order portfolios
analytically and by Devereux–Sutherland ([`ds_portfolio`][]); Stage B portfolio dynamics,
capital flows and the paper's statistics in [`derived`][], [`simulate`][], [`statistics`][].
Stage C ([`solve_stage_c`][], [`simulate_stage_c`][], [`table6`][]): the exact-budget models of
[`stage_c_model`][] at order 2, fi positions by [`jaxmacro.evans_hnatkovska`][].
"""

from ._model import (
    CONFIGS as CONFIGS,
    DEFAULTS as DEFAULTS,
    STAGE_C_VARIANTS as STAGE_C_VARIANTS,
    eh_mixed_equations as eh_mixed_equations,
    model as model,
    stage_c_gamma_params as stage_c_gamma_params,
    stage_c_model as stage_c_model,
)
from ._params import (
    PARAM_NAMES as PARAM_NAMES,
    EHParams as EHParams,
    analytic_alpha as analytic_alpha,
    steady_state as steady_state,
)
from ._solution import (
    N_MINIMAL_STATE as N_MINIMAL_STATE,
    RETURNS as RETURNS,
    EHSolution as EHSolution,
    ds_alpha_vectors as ds_alpha_vectors,
    ds_portfolio as ds_portfolio,
    euler_difference as euler_difference,
    solve as solve,
)
from ._stage_c import (
    TABLE6_VARIABLES as TABLE6_VARIABLES,
    StageC as StageC,
    expected_excess_returns as expected_excess_returns,
    portfolio_residual_check as portfolio_residual_check,
    simulate_stage_c as simulate_stage_c,
    solve_stage_c as solve_stage_c,
    table6 as table6,
)
from ._statistics import (
    Simulation as Simulation,
    derived as derived,
    impulse_responses as impulse_responses,
    linear_response as linear_response,
    shares as shares,
    simulate as simulate,
    statistics as statistics,
)
from ._tables import (
    PAPER_ALPHA as PAPER_ALPHA,
    PAPER_IMRS as PAPER_IMRS,
    PAPER_TABLE2 as PAPER_TABLE2,
    PAPER_TABLE3 as PAPER_TABLE3,
    PAPER_TABLE4 as PAPER_TABLE4,
    PAPER_TABLE5 as PAPER_TABLE5,
    PAPER_TABLE6 as PAPER_TABLE6,
    PAPER_TABLE7 as PAPER_TABLE7,
    PAPER_TABLE8 as PAPER_TABLE8,
    format_rows as format_rows,
    rows as rows,
)
