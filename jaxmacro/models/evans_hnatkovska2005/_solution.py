"""First-order (Stage A) solution, zero-order portfolios and Σ0 of the FA / PI / FI model."""

from __future__ import annotations

import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array, Float

import jaxmacro as jm

from ._model import CONFIGS, model
from ._params import EHParams, analytic_alpha, steady_state

RETURNS = ("ret_t", "ret_th", "ret_n", "ret_nh")
#: Minimal state of the first-order transition: its size per configuration.
N_MINIMAL_STATE = {"fa": 3, "pi": 7, "fi": 7}


def _rows(m: jm.Model, names):
    return jnp.asarray([m.variables.index(v) for v in names])


class EHSolution(eqx.Module):
    """Stage A: the first-order solution at the zero-order portfolio.

    **Fields:**

    - `config` (static): ``"fa"``, ``"pi"`` or ``"fi"``.
    - `params`: the [`EHParams`][].
    - `solution`: the [`jaxmacro.Solution`][] (Dynare timing; relative wealth is the unit root
      of the home wealth state ``w``, foreign wealth being pinned by world wealth).
    - `alpha_home`, `alpha_foreign`: zero-order shares of W^c in [h t-equity, f t-equity, h
      n-equity, f n-equity] (bond = 1 - sum).
    - `sigma0`: 4 x 4 covariance of the first-order innovations of (r^t, r^t̂, r^n, r^n̂).
    - `return_loadings`: their innovation loadings Γ0 (4 x 4 shocks), Σ0 = Γ0 Ω Γ0'.
    - `result`: [`jaxmacro.RESULTS`][]; a failed point has NaN numbers.
    """

    config: str = eqx.field(static=True)
    params: EHParams
    solution: jm.Solution
    alpha_home: Float[Array, " 4"]
    alpha_foreign: Float[Array, " 4"]
    sigma0: Float[Array, "4 4"]
    return_loadings: Float[Array, "4 4"]
    result: jm.RESULTS

    @property
    def steady_state(self) -> dict[str, Array]:
        return steady_state(self.params)

    @property
    def ok(self):
        return self.result == jm.RESULTS.successful

    def transition_eigenvalues(self):
        """Sorted moduli of the eigenvalues of the transition on the minimal state (numpy).

        The Dynare-timing state also carries lagged prices, expenditure and the real exchange
        rate used by the return definitions; they are linear functions of the minimal state
        (k, k̂, z^t, ẑ^t, z^n, ẑ^n, relative wealth), so the full transition has the minimal
        transition's eigenvalues plus zeros. Under fa the two countries are independent and
        the one-country transition (k, z^t, z^n) is its home block.
        """
        import numpy as np

        sol = self.solution
        if self.config == "fa":
            m = sol.model
            st = sol.states
            ik = m.variables.index("k")
            gx, gu = np.asarray(sol.g_x), np.asarray(sol.g_u)
            p = self.params
            H = np.array(
                [
                    [gx[ik, st.index("k")], gu[ik, 0], gu[ik, 2]],
                    [0.0, float(p.rho_t), 0.0],
                    [0.0, 0.0, float(p.rho_n)],
                ]
            )
            return np.sort(np.abs(np.linalg.eigvals(H)))
        ev = np.sort(np.abs(sol.eigenvalues()))
        return ev[-N_MINIMAL_STATE[self.config] :]


def _check_config(config):
    if config not in CONFIGS:
        raise ValueError(f"config must be one of {CONFIGS}, got {config!r}")


@eqx.filter_jit
def _solve_jit(m, config, params):
    sol = jm.solve(m, params.as_dict(), throw=False)
    G = sol.g_u[_rows(m, RETURNS)]
    S0 = G @ sol.shock_cov @ G.T
    ah, af = analytic_alpha(params, config)
    return EHSolution(config, params, sol, ah, af, S0, G, sol.result)


def solve(config: str, params: EHParams | None = None, *, throw: bool = True) -> EHSolution:
    """Stage A first-order solution of `config` at `params` (default: the paper's Table 1).

    Jit-compiled once per configuration; vmap over a batch of [`EHParams`][] (use
    ``throw=False``: each point then carries its own [`jaxmacro.RESULTS`][] code);
    differentiable in the parameters. When calling it inside your own `jit`/`vmap`, build the
    model first (``model(config)``; it is cached): building checks it numerically.
    """
    _check_config(config)
    out = _solve_jit(model(config), config, EHParams() if params is None else params)
    if throw:
        out = out.result.error_if(out, out.result != jm.RESULTS.successful)
    return out


def ds_portfolio(params: EHParams | None = None, *, throw: bool = True) -> jm.PortfolioSolution:
    """Devereux–Sutherland zero-order fi portfolio from [`jaxmacro.portfolio`][].

    The fi model with the t-equity portfolio income replaced by the zero-variance input ξ
    (`model("fi_ds")`); `alpha` = (home share of W^c in h t-equity, in f t-equity). This is
    the zero-order fixed point ᾱ → Σ0(ᾱ) → Euler difference → ᾱ: it needs no
    symmetry.
    """
    params = EHParams() if params is None else params
    return jm.portfolio(
        model("fi_ds"),
        params.as_dict(),
        excess_returns=("rx1", "rx2"),
        mu_differential="mud",
        xi_shocks="xi",
        throw=throw,
    )


def ds_alpha_vectors(pm: jm.PortfolioSolution, params: EHParams):
    """Home and foreign zero-order share vectors (4,) from a DS solution (clearing for f)."""
    g = steady_state(params)["gamma"]
    a = pm.alpha
    home = jnp.stack([a[0], a[1], 1.0 - g, 0.0 * g])
    # world supply of each t-equity is γ of one country's W^c (equal wealth)
    foreign = jnp.stack([g - a[0], g - a[1], 0.0 * g, 1.0 - g])
    return home, foreign


def euler_difference(sigma0, alpha_home, alpha_foreign):
    """Zero-order fi portfolio condition Σ^{TT}(α_T - α̂_T) + Σ^{Tn}α^n - Σ^{Tn̂}α̂^n̂ (2,).

    Equivalently Cov(r^w - r̂^w, r^χ) for χ = t, t̂ (log utility: m = -r^w).
    """
    return sigma0[:2] @ (alpha_home - alpha_foreign)


__all__ = [
    "EHSolution",
    "solve",
    "ds_portfolio",
    "ds_alpha_vectors",
    "euler_difference",
    "RETURNS",
    "N_MINIMAL_STATE",
]
