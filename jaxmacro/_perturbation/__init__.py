"""Perturbation, one home: front doors (`_solve.py`) separate from the algorithms.

- `_derivatives.py`: the model's Jacobian and composite Hessian at the steady state, with
  forward-mode derivative rules in (ȳ, θ);
- `_first_order.py`: the first-order solver (static elimination, spectral divide and conquer,
  Newton polish, implicit tangent) and the result codes it reports;
- `_second_order.py`: g_xx, g_xu, g_uu, g_σσ from the same Jacobian and M.

The layout of the problem is the model's static [`jaxmacro.Structure`][].
"""

from ._derivatives import (
    composite_hessian as composite_hessian,
    model_jacobian as model_jacobian,
    plain_jacobian as plain_jacobian,
    split_v as split_v,
)
from ._first_order import first_order_rule as first_order_rule, solve_gx as solve_gx
from ._second_order import second_order_terms as second_order_terms
from ._solve import (
    perturb as perturb,
    perturb_impl as perturb_impl,
    solve as solve,
    solve_impl as solve_impl,
)
