"""Conditional second moments of next-period variables as functions of today's state.

For a solution y_{t+1} = ȳ + g_x ŝ + g_u u + ½[g_xx (ŝ⊗ŝ) + 2 g_xu (ŝ⊗u) + g_uu (u⊗u) + g_σσ]
(ŝ = y_t[states] − ȳ[states], u = u_{t+1}), and next-period quantities f(y_{t+1}) — variables of
the model, or any smooth function of them — the **innovation loading** is

    Γ(ŝ) = ∂ f(y_{t+1}(ŝ, u)) / ∂u |_{u=0} = Γ_0 + Σ_i Γ_i ŝ_i + O(ŝ²),

Γ_0 = f'(ȳ) g_u and Γ_i = ∂Γ/∂ŝ_i at ŝ = 0 (for a model variable, exactly row f of g_xu:
Γ_i[f, b] = g_xu[f, i·n_u + b]; for a nonlinear f also the term f''(ȳ)[g_x e_i, g_u]). The
conditional covariance to the order the loadings carry (the σ² and σ²ŝ terms; σ⁴ and σ²ŝ² are
dropped) is

    Σ_t = Cov_t(f_{t+1}) = Σ_0 + Σ_i Σ_{x,i} ŝ_i,   Σ_0 = Γ_0 Ω Γ_0',
    Σ_{x,i} = Γ_0 Ω Γ_i' + Γ_i Ω Γ_0',

with Ω the shock covariance. These are the objects of state-dependent portfolio methods: the
Devereux–Sutherland (2010) first-order portfolio rule uses the Γ_i of the excess returns and of
the marginal-utility differential; the Evans–Hnatkovska method the Σ_{x,i}.

The loadings are evaluated at the deterministic steady state: the precautionary constant ½g_σσ
is not added to y_{t+1} before differentiating (it would enter Γ at O(σ³)). At order 1 the rule
has no ŝ⊗u term, so Γ_i comes only from the curvature of f (zero for model variables).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float

from .._misc import throw_if_failed
from .._named import Named
from .._results import RESULTS
from .._solution import Solution


class ConditionalMoments(eqx.Module):
    """Innovation loadings and conditional covariances of next-period quantities
    ([`jaxmacro.conditional_moments`][]).

    **Fields:** `variables`, `shocks`, `states` (static names); `loading0` Γ_0 (n_f, n_e);
    `loading_x` (n_f, n_s, n_e) with ``loading_x[:, i, :]`` = Γ_i; `cov0` Σ_0 (n_f, n_f);
    `cov_x` (n_f, n_f, n_s) with ``cov_x[:, :, i]`` = Σ_{x,i}; `shock_cov` Ω (n_e, n_e);
    `state` ŝ (n_s,) at which `loading` = Γ(ŝ) and `cov` = Σ_t were evaluated; `result`.
    Methods `loading_at(ŝ)` and `cov_at(ŝ)` evaluate at other states (ŝ may carry leading
    batch dimensions).
    """

    variables: tuple[str, ...] = eqx.field(static=True)
    shocks: tuple[str, ...] = eqx.field(static=True)
    states: tuple[str, ...] = eqx.field(static=True)
    loading0: Float[Array, "nf ne"]
    loading_x: Float[Array, "nf ns ne"]
    cov0: Float[Array, "nf nf"]
    cov_x: Float[Array, "nf nf ns"]
    shock_cov: Float[Array, "ne ne"]
    state: Float[Array, " ns"]
    loading: Float[Array, "nf ne"]
    cov: Float[Array, "nf nf"]
    result: RESULTS

    def loading_at(self, state):
        """Γ(ŝ) = Γ_0 + Σ_i Γ_i ŝ_i."""
        return self.loading0 + jnp.einsum("fie,...i->...fe", self.loading_x, state)

    def cov_at(self, state):
        """Σ_t(ŝ) = Σ_0 + Σ_i Σ_{x,i} ŝ_i."""
        return self.cov0 + jnp.einsum("fgi,...i->...fg", self.cov_x, state)

    @property
    def std(self):
        """Conditional standard deviations at `state` (square roots of diag Σ_t)."""
        return jnp.sqrt(jnp.diagonal(self.cov))


def conditional_moments(
    solution: Solution,
    state=None,
    *,
    variables: Sequence[str] | str | Callable | None = None,
    names: Sequence[str] | None = None,
    shocks: Sequence[str] | str | None = None,
    throw: bool = True,
) -> ConditionalMoments:
    """Conditional covariance of next-period quantities given today's state, Σ_t = Σ_0 + Σ_x ŝ.

    See the module docstring for the maths: Γ(ŝ) = Γ_0 + Σ_i Γ_i ŝ_i is the loading of
    f(y_{t+1}) on u_{t+1} from the solution's (order-1 or order-2) rule, and
    Σ_t = Γ_0ΩΓ_0' + Σ_i (Γ_0ΩΓ_i' + Γ_iΩΓ_0') ŝ_i. Differentiable in the solution's numbers,
    vmappable over solutions and states; jit-compiled once per solution structure.

    **Arguments:**

    - `solution`: a [`jaxmacro.Solution`][] (order 2 for state-dependent moments of model
      variables; at order 1 Γ_i = 0 for them).
    - `state`: today's state ŝ = y_t[states] − ȳ[states]: a vector in `solution.model.states`
      order, a mapping state name -> deviation (the others 0), or None (ŝ = 0).
    - `variables` (keyword-only): names of model variables (default all), or a function
      ``f(y: Named) -> array`` of next-period levels as the model writes them (e.g. a log
      excess return ``lambda y: y.r1 - y.r2``); with a function, `names` labels its outputs.
    - `shocks`: the shocks u_{t+1} that count (default all; the others are treated as having
      zero variance, e.g. a Devereux–Sutherland ξ input).
    - `throw`: raise if the solution failed, or report it in `result` (NaN numbers).

    **Returns:** a [`jaxmacro.ConditionalMoments`][].
    """
    model = solution.model
    states = tuple(model.states)
    shock_names = _shock_names(solution, shocks)
    if callable(variables):
        f = variables
        out_names = tuple(names) if names is not None else None
    else:
        out_names = _variable_names(model, variables)
        f = _Select([model.variables.index(v) for v in out_names])
    s = _state_vector(model, states, state, solution.g_x.dtype)
    out = _conditional_jit(solution, f, shock_names, out_names, s)
    return throw_if_failed(out, throw)


def variable_selection(model, variables):
    """The quantity f(y) = y[variables] for `conditional_impl` (names validated)."""
    var_names = _variable_names(model, variables)
    return _Select([model.variables.index(v) for v in var_names])


class _Select(eqx.Module):
    """f(y) = y[idx]: the rows of model variables (a static, hashable selection)."""

    idx: tuple[int, ...] = eqx.field(static=True)

    def __init__(self, idx):
        self.idx = tuple(int(i) for i in idx)

    def __call__(self, y: Named):
        return y.values[np.asarray(self.idx)]


def _variable_names(model, variables) -> tuple[str, ...]:
    if variables is None:
        return tuple(model.variables)
    out = (variables,) if isinstance(variables, str) else tuple(variables)
    for v in out:
        if v not in model.variables:
            raise ValueError(f"unknown variable {v!r}; declared: {', '.join(model.variables)}")
    if not out:
        raise ValueError("`variables` is empty")
    return out


def _shock_names(solution, shocks) -> tuple[str, ...]:
    declared = tuple(solution.shocks)
    if shocks is None:
        return declared
    out = (shocks,) if isinstance(shocks, str) else tuple(shocks)
    for e in out:
        if e not in declared:
            raise ValueError(f"unknown shock {e!r}; declared: {', '.join(declared)}")
    return out


def _state_vector(model, states, state, dtype):
    if state is None:
        return jnp.zeros(len(states), dtype=dtype)
    if isinstance(state, Mapping):
        for k in state:
            if k not in states:
                raise ValueError(
                    f"{k!r} is not a state of the model; states: {', '.join(states) or '(none)'}"
                )
        state = [state.get(k, 0.0) for k in states]
    s = jnp.asarray(state, dtype=dtype)
    if s.shape != (len(states),):
        raise ValueError(
            f"`state` must be a vector of {len(states)} entries (the states "
            f"{', '.join(states) or '(none)'}), got shape {s.shape}; vmap over states for a batch"
        )
    return s


@eqx.filter_jit
def _conditional_jit(solution, f, shock_names, out_names, s):
    return conditional_impl(solution, f, shock_names, out_names, s)


def conditional_impl(solution, f, shock_names, out_names=None, s=None):
    """[`jaxmacro.conditional_moments`][] inside a traced program: `f` a quantity function of
    Named next-period variables (e.g. `variable_selection(model, names)`), `shock_names`
    validated, `s` the state vector (None: 0). Never raises on numbers."""
    model = solution.model
    if s is None:
        s = jnp.zeros(len(model.states), dtype=solution.g_x.dtype)
    variables = tuple(model.variables)
    ns, nu = len(model.states), model.n_shocks
    dtype = solution.g_x.dtype
    sel = np.asarray([list(solution.shocks).index(e) for e in shock_names], dtype=int)

    def quantity(y):
        return jnp.atleast_1d(jnp.asarray(f(Named(variables, y, "variable at t+1"))))

    def loading(sv):
        return jax.jacfwd(lambda u: quantity(solution.rule(sv, u, constant=False)))(
            jnp.zeros(nu, dtype)
        )

    G0 = loading(jnp.zeros(ns, dtype))[:, sel]
    if ns:
        Gx = jax.jacfwd(loading)(jnp.zeros(ns, dtype))[:, sel, :]  # (nf, ne, ns)
        Gx = jnp.transpose(Gx, (0, 2, 1))  # (nf, ns, ne)
    else:
        Gx = jnp.zeros((G0.shape[0], 0, G0.shape[1]), dtype)
    Om = solution.shock_cov[np.ix_(sel, sel)]
    S0 = G0 @ Om @ G0.T
    half = jnp.einsum("fe,ed,gid->fgi", G0, Om, Gx)
    Sx = half + jnp.transpose(half, (1, 0, 2))
    nf = G0.shape[0]
    labels = out_names if out_names is not None else tuple(f"f{i}" for i in range(nf))
    if len(labels) != nf:
        raise ValueError(f"`names` has {len(labels)} entries but the function returns {nf}")
    G = G0 + jnp.einsum("fie,i->fe", Gx, s)
    S = S0 + jnp.einsum("fgi,i->fg", Sx, s)
    return ConditionalMoments(
        variables=labels,
        shocks=shock_names,
        states=tuple(model.states),
        loading0=G0,
        loading_x=Gx,
        cov0=S0,
        cov_x=Sx,
        shock_cov=Om,
        state=s,
        loading=G,
        cov=S,
        result=solution.result,
    )
