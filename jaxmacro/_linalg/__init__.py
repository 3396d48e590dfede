"""Numerical kernels, one home each: dense solves and QR, the spectral projector and the unit-root
rule, the Lyapunov solver and the Sylvester family. Pure JAX, jit/vmap-able, with implicit
derivatives; nothing here knows about models."""

from ._dense import (
    DenseLU as DenseLU,
    householder as householder,
    lu_factor as lu_factor,
    lu_solve as lu_solve,
    qr as qr,
    solve as solve,
)
from ._lyapunov import solve_discrete_lyapunov as solve_discrete_lyapunov
from ._spectral import (
    count_inside as count_inside,
    has_unit_root as has_unit_root,
    stable_deflating_subspace as stable_deflating_subspace,
    unit_root_radius as unit_root_radius,
)
from ._sylvester import (
    kron_apply as kron_apply,
    solve_sylvester as solve_sylvester,
    solve_sylvester_kron_power as solve_sylvester_kron_power,
)
