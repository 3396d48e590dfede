r"""The pruned second-order state space and the risky steady state (used by moments, simulation
and impulse responses, which live beside this module and are order-aware).

**The pruned state space** (Kim, Kim, Schaumburg and Sims 2008; Andreasen, Fernández-Villaverde
and Rubio-Ramírez 2018, "AFR"), in Dynare's timing. With (A, B) the state rows of (g_x, g_u)
and H_xx, H_xu, H_uu, H_σσ the state rows of g_xx, g_xu, g_uu, g_σσ, the state deviations are
split into a first-order part x^f and a second-order part x^s:

    x^f_t = A x^f_{t-1} + B u_t
    x^s_t = A x^s_{t-1} + ½ H_xx (x^f_{t-1}⊗x^f_{t-1}) + H_xu (x^f_{t-1}⊗u_t) + ½ H_uu (u_t⊗u_t) + ½ H_σσ
    y_t   = ȳ + g_x (x^f_{t-1} + x^s_{t-1}) + g_u u_t
              + ½ g_xx (x^f_{t-1}⊗x^f_{t-1}) + g_xu (x^f_{t-1}⊗u_t) + ½ g_uu (u_t⊗u_t) + ½ g_σσ.

Only products of first-order terms enter the second-order part, so the system stays stable
whenever the first-order one is (the unpruned rule can explode). This is what Dynare's
`pruning` option simulates.

**Linear representation** (AFR, section 3). The augmented state z_t = (x^f_t, x^s_t,
x^f_t⊗x^f_t) follows a linear system driven by a martingale difference ξ_t:

    z_t = c + Ã z_{t-1} + B̃ ξ_t,      y_t = ȳ + d + C̃ z_{t-1} + D̃ ξ_t,
    ξ_t = (u_t, u_t⊗u_t - vec Σ, x^f_{t-1}⊗u_t),

    Ã = [[A, 0, 0], [0, A, ½H_xx], [0, 0, A⊗A]],
    B̃ = [[B, 0, 0], [0, ½H_uu, H_xu], [0, B⊗B, (I + P)(A⊗B)]],     c = (0, ½H_uu vecΣ + ½H_σσ, (B⊗B) vecΣ),
    C̃ = [g_x, g_x, ½g_xx],  D̃ = [g_u, ½g_uu, g_xu],                 d = ½ g_uu vecΣ + ½ g_σσ,

with P the commutation matrix (u⊗x^f = P (x^f⊗u), so the (B⊗A)(u⊗x^f) term is folded into
the x^f⊗u column). For Gaussian shocks ξ is serially uncorrelated, uncorrelated with z_{t-1},
and Var ξ is block diagonal:

    Var u = Σ,   Var(u⊗u) = (I + P)(Σ⊗Σ),   Var(x^f⊗u) = V_f ⊗ Σ,

with V_f = Var x^f = A V_f A' + B Σ B'. Hence, in closed form,

    E z = (0, (I - A)⁻¹ ½(H_xx vec V_f + H_uu vec Σ + H_σσ), vec V_f),
    Var z = V_z,  V_z = Ã V_z Ã' + B̃ Var(ξ) B̃'          (a discrete Lyapunov equation),
    E y = ȳ + g_x E x^s + ½(g_xx vec V_f + g_uu vec Σ + g_σσ),
    Var y = C̃ V_z C̃' + D̃ Var(ξ) D̃',
    Cov(y_t, y_{t-k}) = C̃ Ã^k V_z C̃' + C̃ Ã^{k-1} B̃ Var(ξ) D̃',   k ≥ 1.

**Derivatives.** Both Lyapunov equations are solved by [`jaxmacro._linalg.solve_discrete_lyapunov`][]
(Kronecker for small, doubling for large systems, inside `jax.lax.custom_linear_solve`), so
moments are differentiable in forward and reverse mode by the implicit function theorem, never
through the iterations; the second-order coefficients carry their own implicit derivatives
([`jaxmacro._perturbation._second_order`][]). Everything is pure JAX and works under jit and vmap.

**Generalised impulse responses** (Koop, Pesaran and Potter 1996): GIRF_h = E[y_h | u_0 = δ,
x^f_{-1}, x^s_{-1}] − E[y_h | x^f_{-1}, x^s_{-1}]. For the pruned system this is exact and
closed form: the shock changes ξ_0 by (δ, δ⊗δ − vec Σ, x^f_{-1}⊗δ), after which the expected
augmented state propagates with Ã. It does not depend on x^s_{-1}; its average over the
ergodic distribution equals the response at x^f_{-1} = 0.
"""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

from .._linalg import has_unit_root, solve as dense_solve
from .._misc import throw_if_failed
from .._named import Named
from .._results import RESULTS
from .._solution import Solution


def second_order_parts(sol: Solution):
    """g_xx, g_xu, g_uu, g_σσ (zeros at order 1)."""
    n, ns, ne = sol.g_x.shape[0], sol.g_x.shape[1], sol.g_u.shape[1]
    dt = sol.g_x.dtype
    if sol.order >= 2:
        return sol.g_xx, sol.g_xu, sol.g_uu, sol.g_ss
    return (
        jnp.zeros((n, ns * ns), dt),
        jnp.zeros((n, ns * ne), dt),
        jnp.zeros((n, ne * ne), dt),
        jnp.zeros((n,), dt),
    )


def quad(G, a, b):
    """G (a⊗b) for G with Kronecker columns."""
    return jnp.einsum("rij,i,j->r", G.reshape(G.shape[0], a.shape[-1], b.shape[-1]), a, b)


def xi_cov(Sigma, Vf):
    """Var ξ for ξ = (u, u⊗u − vec Σ, x^f⊗u): block diagonal."""
    ne = Sigma.shape[0]
    S4 = jnp.einsum("ik,jl->ijkl", Sigma, Sigma) + jnp.einsum("il,jk->ijkl", Sigma, Sigma)
    blocks = [Sigma, S4.reshape(ne * ne, ne * ne), jnp.kron(Vf, Sigma)]
    return jax.scipy.linalg.block_diag(*blocks)


def pruned_state_space(sol: Solution):
    """(c, Ã, B̃, C̃, D̃, d) of the linear representation in the module docstring (dense)."""
    g_xx, g_xu, g_uu, g_ss = second_order_parts(sol)
    g_x, g_u = sol.g_x, sol.g_u
    s = sol.state_index
    A, B = g_x[s], g_u[s]
    ns, ne = B.shape
    dt = g_x.dtype
    Sigma = sol.shock_cov
    vS = Sigma.reshape(-1)
    H_xx, H_xu, H_uu, H_ss = g_xx[s], g_xu[s], g_uu[s], g_ss[s]
    Z = lambda r, c: jnp.zeros((r, c), dt)  # noqa: E731
    AA = jnp.kron(A, A)
    BB = jnp.kron(B, B)
    AB = jnp.einsum("ia,jk->ijak", A, B)
    AB_sym = (AB + jnp.swapaxes(AB, 0, 1)).reshape(ns * ns, ns * ne)
    At = jnp.block(
        [
            [A, Z(ns, ns), Z(ns, ns * ns)],
            [Z(ns, ns), A, 0.5 * H_xx],
            [Z(ns * ns, ns), Z(ns * ns, ns), AA],
        ]
    )
    Bt = jnp.block(
        [
            [B, Z(ns, ne * ne), Z(ns, ns * ne)],
            [Z(ns, ne), 0.5 * H_uu, H_xu],
            [Z(ns * ns, ne), BB, AB_sym],
        ]
    )
    c = jnp.concatenate([jnp.zeros(ns, dt), 0.5 * (H_uu @ vS + H_ss), BB @ vS])
    Ct = jnp.concatenate([g_x, g_x, 0.5 * g_xx], axis=1)
    Dt = jnp.concatenate([g_u, 0.5 * g_uu, g_xu], axis=1)
    d = 0.5 * (g_uu @ vS + g_ss)
    return c, At, Bt, Ct, Dt, d


class StochasticSteadyState(eqx.Module):
    """Risky steady state of the pruned second-order system.

    **Fields:** `variables` (static), `value` (levels y*, declaration order), `states`
    (x* = x^s*, the state deviations from ȳ), `result`.
    """

    variables: tuple[str, ...] = eqx.field(static=True)
    value: Float[Array, " n"]
    states: Float[Array, " ns"]
    result: RESULTS

    @property
    def named(self) -> Named:
        return Named(self.variables, self.value, "variable")

    def __getitem__(self, name):
        return self.named[name]


def stochastic_steady_state(sol: Solution, *, throw: bool = True) -> StochasticSteadyState:
    """The risky (stochastic) steady state: where the pruned system rests when shocks are zero.

    Agents expect shocks with covariance Σ but none realise. In the pruned system the
    first-order part then decays to x^f = 0, so the quadratic terms vanish and the fixed point
    solves x^s = A x^s + ½ H_σσ:

        x* = (I − A)⁻¹ ½ H_σσ,      y* = ȳ + g_x x* + ½ g_σσ.

    It is the limit of [`jaxmacro.simulate_pruned`][] with zero shocks, differentiable and
    vmap-able; with an order-1 solution it is ȳ (certainty equivalence). `result` is
    `unit_root` if the first-order transition has a unit root
    ([`jaxmacro._linalg.has_unit_root`][]), when I − A is singular or nearly so.
    """
    return throw_if_failed(_stochastic_steady_state_jit(sol), throw)


@eqx.filter_jit
def _stochastic_steady_state_jit(sol: Solution) -> StochasticSteadyState:
    _, _, _, g_ss = second_order_parts(sol)
    s = sol.state_index
    A = sol.g_x[s]
    ns = A.shape[0]
    dt = A.dtype
    unit = has_unit_root(A)
    ok_in = sol.result == RESULTS.successful
    good = ok_in & ~unit
    I_A = jnp.eye(ns, dtype=dt) - jnp.where(good, A, 0.0)
    xs = dense_solve(I_A, 0.5 * g_ss[s]) if ns else jnp.zeros(0, dt)
    value = sol.steady_state + sol.g_x @ xs + 0.5 * g_ss
    result = RESULTS.where(ok_in & unit, RESULTS.unit_root, sol.result)
    bad = result != RESULTS.successful
    out = StochasticSteadyState(
        sol.variables, jnp.where(bad, jnp.nan, value), jnp.where(bad, jnp.nan, xs), result
    )
    return out
