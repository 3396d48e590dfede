"""Dynamics of a solution, one home, every function order-aware: moments (`_moments.py`),
conditional moments given the state (`_conditional.py`), accuracy (Euler-equation errors,
`_accuracy.py`), simulation and impulse responses
(`_simulate.py`), the pruned state space and the risky steady state (`_pruning.py`), and the
shock bookkeeping they share (`_shocks.py`)."""

from ._accuracy import (
    EulerErrors as EulerErrors,
    Expansion as Expansion,
    condition_function as condition_function,
    euler_errors as euler_errors,
    expansion_residuals as expansion_residuals,
    monomial_rule as monomial_rule,
    sigma2_blocks as sigma2_blocks,
    sigma_rule as sigma_rule,
    taylor_blocks as taylor_blocks,
)
from ._conditional import (
    ConditionalMoments as ConditionalMoments,
    conditional_impl as conditional_impl,
    conditional_moments as conditional_moments,
    variable_selection as variable_selection,
)
from ._moments import Moments as Moments, moments as moments, pruned_moments as pruned_moments
from ._pruning import (
    StochasticSteadyState as StochasticSteadyState,
    pruned_state_space as pruned_state_space,
    second_order_parts as second_order_parts,
    stochastic_steady_state as stochastic_steady_state,
)
from ._shocks import (
    impulse_vector as impulse_vector,
    shock_factor as shock_factor,
    shock_index as shock_index,
)
from ._simulate import (
    girf as girf,
    impulse_response as impulse_response,
    simulate as simulate,
    simulate_pruned as simulate_pruned,
)
