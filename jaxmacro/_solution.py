"""Solution objects: small pytrees that carry their model (names) statically."""

from __future__ import annotations

import equinox as eqx
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float

from ._model import Model
from ._named import Named
from ._results import RESULTS, result_message


class SteadyState(eqx.Module):
    """Deterministic steady state ȳ with f(ȳ, ȳ, ȳ, 0, θ) = 0.

    **Fields:** `model` (static), `params` (θ as a vector in `model.param_names` order),
    `value` (ȳ in declaration order), `residual` (static residual at ȳ), `result`
    ([`jaxmacro.RESULTS`][]), `steps` (root-finder steps; 0 for an analytic steady state).
    """

    model: Model = eqx.field(static=True)
    params: Float[Array, " n_params"]
    value: Float[Array, " n_vars"]
    residual: Float[Array, " n_vars"]
    result: RESULTS
    steps: Array

    @property
    def named(self) -> Named:
        return Named(self.model.variables, self.value, "variable")

    def __getitem__(self, name):
        return self.named[name]

    def worst_equation(self) -> tuple[str, float]:
        """(name, residual) of the equation with the largest absolute static residual."""
        r = np.asarray(self.residual)
        i = int(np.nanargmax(np.abs(r)))
        return self.model.equations[i], float(r[i])


class Solution(eqx.Module):
    """Perturbation solution around the deterministic steady state.

    The decision rule, in deviations from the steady state ȳ, with s the state variables
    (`states`, Dynare's `state_var`) at t-1 and u_t the shocks (covariance Σ), is

        y_t - ȳ = g_x ŝ_{t-1} + g_u u_t
                  + ½ [g_xx (ŝ⊗ŝ) + 2 g_xu (ŝ⊗u) + g_uu (u⊗u) + g_σσ]     (order 2)

    Rows are in declaration order (`model.variables`); columns of g_x in `states` order;
    g_xx, g_xu, g_uu use Kronecker columns like Dynare's ghxx, ghxu, ghuu. Use
    [`jaxmacro.compat.to_dynare`][] for Dynare's DR-ordered layout.

    **Fields:** `model` (static), `order` (static), `params`, `steady_state`, `g_x`, `g_u`,
    `shock_cov` (Σ), `g_xx`, `g_xu`, `g_uu`, `g_ss` (None at order 1), `n_stable`
    (stable eigenvalues counted, modulus <= qz_criterium), `n_forward` (static, nsfwrd),
    `residual` (max abs residual of the first-order matrix equation), `steady_state_residual`,
    `second_order_residual` (order 2: the g_xx Sylvester residual over its threshold, at most
    1 on success), `result`.
    """

    model: Model = eqx.field(static=True)
    order: int = eqx.field(static=True)
    params: Float[Array, " n_params"]
    steady_state: Float[Array, " n_vars"]
    g_x: Float[Array, "n_vars n_states"]
    g_u: Float[Array, "n_vars n_shocks"]
    shock_cov: Float[Array, "n_shocks n_shocks"]
    n_stable: Array
    residual: Array
    steady_state_residual: Array
    result: RESULTS
    g_xx: Float[Array, "n_vars n_states2"] | None = None
    g_xu: Float[Array, "n_vars n_states_shocks"] | None = None
    g_uu: Float[Array, "n_vars n_shocks2"] | None = None
    g_ss: Float[Array, " n_vars"] | None = None
    second_order_residual: Array | None = None

    # ---------------------------------------------------------------- names
    @property
    def variables(self) -> tuple[str, ...]:
        return self.model.variables

    @property
    def states(self) -> tuple[str, ...]:
        return self.model.states

    @property
    def shocks(self) -> tuple[str, ...]:
        return self.model.shocks

    @property
    def n_forward(self) -> int:
        return len(self.model.structure.forward)

    @property
    def state_index(self):
        return jnp.asarray(self.model.structure.states, dtype=int)

    # ---------------------------------------------------------------- state space
    @property
    def transition(self):
        """(A, B) of the state equation ŝ_t = A ŝ_{t-1} + B u_t (order-1 part)."""
        s = self.state_index
        return self.g_x[s], self.g_u[s]

    def rule(self, s, u, *, constant: bool = True):
        """y(ŝ, u) = ȳ + g_x ŝ + g_u u [+ ½ g_xx(ŝ⊗ŝ) + g_xu(ŝ⊗u) + ½ g_uu(u⊗u) + ½ g_σσ]: the
        unpruned decision rule at the state deviation ŝ (previous period) and shocks u; at
        order 2 without the constant ½ g_σσ if ``constant=False``."""
        y = self.steady_state + self.g_x @ s + self.g_u @ u
        if self.order == 2:
            y = (
                y
                + 0.5 * self.g_xx @ jnp.kron(s, s)
                + self.g_xu @ jnp.kron(s, u)
                + 0.5 * self.g_uu @ jnp.kron(u, u)
            )
            if constant:
                y = y + 0.5 * self.g_ss
        return y

    @property
    def ok(self):
        return self.result == RESULTS.successful

    def eigenvalues(self):
        """Eigenvalues of the state transition A (numpy, outside jit), sorted by modulus."""
        A = np.asarray(self.transition[0])
        if A.ndim != 2:
            raise ValueError("eigenvalues() works on a single (not batched) solution")
        ev = np.linalg.eigvals(A) if A.size else np.zeros(0)
        return ev[np.argsort(np.abs(ev))]

    def param(self, name):
        return Named(self.model.param_names, self.params, "parameter")[name]

    def summary(self) -> str:
        """Readable summary: steady state, Blanchard-Kahn count, decision rules."""
        lines = [
            f"model {self.model.name!r}: {len(self.variables)} variables, "
            f"{len(self.states)} states, {len(self.shocks)} shocks, order {self.order}"
        ]
        lines.append(f"result: {result_message(self.result)}")
        lines.append(
            f"Blanchard-Kahn: {int(self.n_stable)} stable eigenvalue(s) (modulus <= 1+1e-6) for "
            f"{len(self.states)} state(s); {self.n_forward} forward-looking variable(s)"
        )
        ev = self.eigenvalues()
        if ev.size:
            lines.append(
                "moduli of the state-transition eigenvalues: "
                + " ".join(f"{abs(e):.6f}" for e in ev)
            )
        w = max(len(v) for v in self.variables)
        lines.append("steady state:")
        for v, x in zip(self.variables, np.asarray(self.steady_state)):
            lines.append(f"  {v:<{w}} {x: .8g}")
        cols = [f"{s}(-1)" for s in self.states] + list(self.shocks)
        cw = max(10, max(len(c) for c in cols) + 1)
        lines.append("first-order decision rules (deviations from steady state):")
        lines.append(" " * (w + 2) + "".join(f"{c:>{cw}}" for c in cols))
        G = np.concatenate([np.asarray(self.g_x), np.asarray(self.g_u)], axis=1)
        for v, row in zip(self.variables, G):
            lines.append(f"  {v:<{w}}" + "".join(f"{x:>{cw}.5f}" for x in row))
        return "\n".join(lines)
