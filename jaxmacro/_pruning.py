r"""Pruned second-order dynamics: simulation, generalised IRFs, closed-form moments, risky steady state.

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

**Derivatives.** Both Lyapunov equations are solved by the doubling iteration wrapped in
`jax.lax.custom_linear_solve` (operator V ↦ V - Ã V Ã', transpose V ↦ V - Ã' V Ã), so moments
are differentiable in forward and reverse mode by the implicit function theorem, never through
the iterations; the second-order coefficients carry their own implicit derivatives
([`jaxmacro._second_order`][]). Everything is pure JAX and works under jit and vmap.

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
from jax import lax
from jaxtyping import Array, Float

from ._dense import solve as dense_solve
from ._named import Named
from ._results import RESULTS
from ._solution import Solution

# ---------------------------------------------------------------------------------------------
# Differentiable discrete Lyapunov equation (doubling + custom_linear_solve)
# ---------------------------------------------------------------------------------------------


def _lyap_doubling(A, Q, max_steps):
    eps = jnp.finfo(Q.dtype).eps

    def cond(state):
        _, _, k, done = state
        return (k < max_steps) & ~done

    def body(state):
        Ak, V, k, _ = state
        inc = Ak @ V @ Ak.T
        Vn = V + inc
        size = jnp.max(jnp.abs(Vn))
        done = (jnp.max(jnp.abs(inc)) <= 4 * eps * size) | ~jnp.isfinite(size)
        return Ak @ Ak, Vn, k + 1, done

    _, V, _, _ = lax.while_loop(cond, body, (A, Q, jnp.asarray(0), jnp.asarray(False)))
    return V


def lyapunov(A, Q, *, max_steps: int = 64):
    """Solve ``V = A V A' + Q`` (A stable) by doubling, with implicit derivatives.

    The doubling iteration V ← V + A_k V A_k', A_k ← A_k² sums the series Σ A^j Q A'^j,
    2^k terms after k steps, using matrix products only. It is wrapped in
    `jax.lax.custom_linear_solve` with the operator V ↦ V − A V A', so the derivative is the
    Lyapunov equation dV = A dV A' + dA V A' + A V dA' + dQ in forward mode and its transpose
    (solved with A') in reverse mode; the iterations themselves are never differentiated.
    """
    if A.shape[-1] == 0:
        return Q

    def matvec(V):
        return V - A @ V @ A.T

    def solve(_, b):
        return _lyap_doubling(A, b, max_steps)

    def transpose_solve(_, b):
        return _lyap_doubling(A.T, b, max_steps)

    V = lax.custom_linear_solve(matvec, Q, solve, transpose_solve)
    return 0.5 * (V + V.T)


def spectral_radius_bound(A, *, squarings: int = 40):
    """Estimate ρ(A) as ‖A^(2^k)‖^(1/2^k) by repeated normalised squaring (no eigenvalues).

    Exact in the limit (Gelfand's formula); with k = 40 the estimate of a stable matrix is
    within ~1e-11 of ρ(A) for any reasonably conditioned A. Not differentiated.
    """
    A = lax.stop_gradient(A)
    if A.shape[-1] == 0:
        return jnp.asarray(0.0, A.dtype)
    s0 = jnp.max(jnp.abs(A))
    P = jnp.where(s0 > 0, A / jnp.where(s0 > 0, s0, 1.0), A)
    logn = jnp.where(s0 > 0, jnp.log(jnp.where(s0 > 0, s0, 1.0)), -jnp.inf)

    def step(carry, _):
        P, logn = carry
        P = P @ P
        s = jnp.max(jnp.abs(P))
        pos = s > 0
        P = jnp.where(pos, P / jnp.where(pos, s, 1.0), P)
        logn = jnp.where(pos, 2 * logn + jnp.log(jnp.where(pos, s, 1.0)), -jnp.inf)
        return (P, logn), None

    (_, logn), _ = lax.scan(step, (P, logn), None, length=squarings)
    return jnp.exp(logn / 2.0**squarings)


# ---------------------------------------------------------------------------------------------
# Pieces of the pruned state space
# ---------------------------------------------------------------------------------------------


def _second_order_parts(sol: Solution):
    """g_xx, g_xu, g_uu, g_σσ (zeros at order 1)."""
    n, ns, ne = sol.g_x.shape[0], sol.g_x.shape[1], sol.g_u.shape[1]
    dt = sol.g_x.dtype
    if sol.order >= 2:
        return sol.g_xx, sol.g_xu, sol.g_uu, sol.g_ss
    return (jnp.zeros((n, ns * ns), dt), jnp.zeros((n, ns * ne), dt), jnp.zeros((n, ne * ne), dt),
            jnp.zeros((n,), dt))


def _quad(G, a, b):
    """G (a⊗b) for G with Kronecker columns."""
    return jnp.einsum("rij,i,j->r", G.reshape(G.shape[0], a.shape[-1], b.shape[-1]), a, b)


def _unit_root(A):
    return spectral_radius_bound(A) >= 1.0 - 1e-9


# ---------------------------------------------------------------------------------------------
# Simulation
# ---------------------------------------------------------------------------------------------


def simulate_pruned(sol: Solution, shocks, *, initial=None, burn: int = 0, components: bool = False):
    """Simulate the pruned second-order rule (see the module docstring) with given shocks.

    **Arguments:**

    - `sol`: a [`jaxmacro.Solution`][] of order 2 (order 1 gives the linear simulation).
    - `shocks`: (T, n_shocks) array of raw shocks u_t (covariance Σ, as Dynare's `ghu` expects;
      draw them as ``z @ cholesky(Σ).T`` from standard normals z).
    - `initial` (keyword-only): state deviations at t = -1: None (the deterministic steady
      state), an array x^f (x^s = 0), or a pair (x^f, x^s).
    - `burn`: number of leading periods to drop from the output.
    - `components`: also return the first- and second-order parts.

    **Returns:** a [`jaxmacro.Named`][] of levels y_t with shape (T - burn, n_vars); with
    `components=True`, the tuple (levels, first-order part, second-order part), the parts as
    deviations from ȳ. Uses `lax.scan`; vmap over solutions and/or shock paths.
    """
    g_xx, g_xu, g_uu, g_ss = _second_order_parts(sol)
    g_x, g_u = sol.g_x, sol.g_u
    s = sol.state_index
    ns = g_x.shape[1]
    dt = g_x.dtype
    shocks = jnp.asarray(shocks, dt)
    if initial is None:
        xf0, xs0 = jnp.zeros(ns, dt), jnp.zeros(ns, dt)
    elif isinstance(initial, (tuple, list)):
        xf0, xs0 = (jnp.asarray(v, dt) for v in initial)
    else:
        xf0, xs0 = jnp.asarray(initial, dt), jnp.zeros(ns, dt)

    def step(carry, u):
        xf, xs = carry
        yf = g_x @ xf + g_u @ u
        ys = g_x @ xs + 0.5 * _quad(g_xx, xf, xf) + _quad(g_xu, xf, u) + 0.5 * _quad(g_uu, u, u) + 0.5 * g_ss
        return (yf[s], ys[s]), (yf, ys)

    _, (yf, ys) = lax.scan(step, (xf0, xs0), shocks)
    yf, ys = yf[burn:], ys[burn:]
    levels = Named(sol.variables, sol.steady_state + yf + ys, "variable")
    if components:
        return levels, Named(sol.variables, yf, "variable"), Named(sol.variables, ys, "variable")
    return levels


# ---------------------------------------------------------------------------------------------
# Generalised impulse responses
# ---------------------------------------------------------------------------------------------


def _impulse(sol: Solution, shock, size, orthogonalize):
    cov = sol.shock_cov
    ne = cov.shape[0]
    if isinstance(shock, str) or (isinstance(shock, int) and not isinstance(shock, bool)):
        if isinstance(shock, str):
            if shock not in sol.shocks:
                raise ValueError(f"unknown shock {shock!r}; declared: {', '.join(sol.shocks)}")
            k = sol.shocks.index(shock)
        else:
            k = shock
        if orthogonalize:
            v = jnp.linalg.cholesky(cov)[:, k]
        else:
            v = jnp.zeros(ne, cov.dtype).at[k].set(jnp.sqrt(cov[k, k]))
        return v if size is None else v * size
    v = jnp.asarray(shock, cov.dtype)
    if v.shape != (ne,):
        raise ValueError(f"`shock` must be a shock name or a vector of {ne} shock values, got shape {v.shape}")
    return v if size is None else v * size


def girf(sol: Solution, shock, periods: int = 40, *, size=None, orthogonalize: bool = True, initial=None) -> Named:
    """Generalised impulse response of the pruned system, exact and in closed form.

    GIRF_h = E[y_h | u_0 = δ, x^f_{-1}] − E[y_h | x^f_{-1}] for h = 0, …, periods−1 (see the
    module docstring): Δy_0 = g_u δ + ½ g_uu (δ⊗δ − vec Σ) + g_xu (x^f_{-1}⊗δ); the augmented
    state moves by B̃ Δξ_0 and then propagates with Ã. At order 1 this is the usual IRF.

    **Arguments:**

    - `sol`: a [`jaxmacro.Solution`][].
    - `shock`: a shock name (the impulse is that column of the lower Cholesky factor of Σ, as
      in Dynare, or √Σ_kk on the shock alone with `orthogonalize=False`) or a vector δ of raw
      shock values.
    - `periods`: number of periods.
    - `size` (keyword-only): multiply the impulse by this (e.g. −1, or 2 for a two-s.d. shock;
      responses are not linear in the size at order 2).
    - `initial`: first-order state deviation x^f_{-1} (default 0). (x^s_{-1} does not matter.)

    **Returns:** a [`jaxmacro.Named`][] of deviations, shape (periods, n_vars).
    """
    delta = _impulse(sol, shock, size, orthogonalize)
    g_xx, g_xu, g_uu, g_ss = _second_order_parts(sol)
    g_x, g_u = sol.g_x, sol.g_u
    s = sol.state_index
    A, B = g_x[s], g_u[s]
    ns = A.shape[0]
    dt = g_x.dtype
    Sigma = sol.shock_cov
    xf = jnp.zeros(ns, dt) if initial is None else jnp.asarray(initial, dt)
    dd = jnp.outer(delta, delta) - Sigma  # δδ' − Σ
    H_xx, H_xu, H_uu = g_xx[s], g_xu[s], g_uu[s]
    y0 = g_u @ delta + 0.5 * g_uu @ dd.reshape(-1) + _quad(g_xu, xf, delta)
    a0 = B @ delta
    b0 = 0.5 * H_uu @ dd.reshape(-1) + _quad(H_xu, xf, delta)
    Axf, Bd = A @ xf, B @ delta
    C0 = B @ dd @ B.T + jnp.outer(Axf, Bd) + jnp.outer(Bd, Axf)

    def step(carry, _):
        a, b, C = carry
        y = g_x @ (a + b) + 0.5 * g_xx @ C.reshape(-1)
        new = (A @ a, A @ b + 0.5 * H_xx @ C.reshape(-1), A @ C @ A.T)
        return new, y

    _, ys = lax.scan(step, (a0, b0, C0), None, length=periods - 1)
    return Named(sol.variables, jnp.concatenate([y0[None], ys], axis=0), "variable")


# ---------------------------------------------------------------------------------------------
# Closed-form moments
# ---------------------------------------------------------------------------------------------


class PrunedMoments(eqx.Module):
    """Population moments of the pruned second-order system (or of an order-1 solution).

    **Fields:** `variables` (static names), `mean` (E y_t, levels: ȳ plus the second-order
    risk correction), `cov` (Var y_t), `std`, `autocov` (lags × n × n, `autocov[k-1]` =
    Cov(y_t, y_{t-k})), `autocorr` (lags × n, corr(y_t, y_{t-k})), `state_mean` (E of the
    state deviations x^f + x^s), `state_cov` (Var of x^f + x^s), `result`
    ([`jaxmacro.RESULTS`][]; `unit_root` if the first-order transition has an eigenvalue of
    modulus ≥ 1 − 1e-9, in which case the moments are NaN).
    """

    variables: tuple[str, ...] = eqx.field(static=True)
    mean: Float[Array, " n"]
    cov: Float[Array, "n n"]
    std: Float[Array, " n"]
    autocov: Float[Array, "lags n n"]
    autocorr: Float[Array, "lags n"]
    state_mean: Float[Array, " ns"]
    state_cov: Float[Array, "ns ns"]
    result: RESULTS

    def named_mean(self) -> Named:
        return Named(self.variables, self.mean, "variable")

    def named_std(self) -> Named:
        return Named(self.variables, self.std, "variable")


def _xi_cov(Sigma, Vf):
    """Var ξ for ξ = (u, u⊗u − vec Σ, x^f⊗u): block diagonal."""
    ne = Sigma.shape[0]
    S4 = jnp.einsum("ik,jl->ijkl", Sigma, Sigma) + jnp.einsum("il,jk->ijkl", Sigma, Sigma)
    blocks = [Sigma, S4.reshape(ne * ne, ne * ne), jnp.kron(Vf, Sigma)]
    return jax.scipy.linalg.block_diag(*blocks)


def pruned_state_space(sol: Solution):
    """(c, Ã, B̃, C̃, D̃, d) of the linear representation in the module docstring (dense)."""
    g_xx, g_xu, g_uu, g_ss = _second_order_parts(sol)
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
    At = jnp.block([[A, Z(ns, ns), Z(ns, ns * ns)],
                    [Z(ns, ns), A, 0.5 * H_xx],
                    [Z(ns * ns, ns), Z(ns * ns, ns), AA]])
    Bt = jnp.block([[B, Z(ns, ne * ne), Z(ns, ns * ne)],
                    [Z(ns, ne), 0.5 * H_uu, H_xu],
                    [Z(ns * ns, ne), BB, AB_sym]])
    c = jnp.concatenate([jnp.zeros(ns, dt), 0.5 * (H_uu @ vS + H_ss), BB @ vS])
    Ct = jnp.concatenate([g_x, g_x, 0.5 * g_xx], axis=1)
    Dt = jnp.concatenate([g_u, 0.5 * g_uu, g_xu], axis=1)
    d = 0.5 * (g_uu @ vS + g_ss)
    return c, At, Bt, Ct, Dt, d


def pruned_moments(sol: Solution, *, lags: int = 1, throw: bool = True) -> PrunedMoments:
    """Closed-form unconditional moments of the pruned second-order system (AFR 2018).

    Mean, covariance and autocovariances of y_t from the formulas in the module docstring:
    two discrete Lyapunov equations (first-order states, then the augmented state of dimension
    2 n_s + n_s²), solved by doubling with implicit derivatives. For an order-1 solution the
    same function returns the linear moments (mean ȳ, Var y = g_x V g_x' + g_u Σ g_u').
    Differentiable in the parameters (forward and reverse mode); jit- and vmap-friendly.

    **Arguments:**

    - `sol`: a [`jaxmacro.Solution`][] (order 1 or 2).
    - `lags` (keyword-only): number of autocovariance lags k = 1..lags.
    - `throw`: raise if the moments do not exist (unit root) or `sol` failed; with False the
      failure is in `result` and the moments are NaN.

    **Returns:** a [`jaxmacro.PrunedMoments`][] (pruned moments module).
    """
    g_xx, g_xu, g_uu, g_ss = _second_order_parts(sol)
    g_x, g_u = sol.g_x, sol.g_u
    s = sol.state_index
    A, B = g_x[s], g_u[s]
    ns, ne = B.shape
    n = g_x.shape[0]
    dt = g_x.dtype
    Sigma = sol.shock_cov.astype(dt)
    unit = _unit_root(A)
    ok_in = sol.result == RESULTS.successful
    good = ok_in & ~unit
    # Sanitise inputs of failed points so the iterations stay finite (results are NaN'd below).
    A_ = jnp.where(good, A, 0.0)
    Vf = lyapunov(A_, B @ Sigma @ B.T)

    if sol.order == 1:
        mean = sol.steady_state
        V = g_x @ Vf @ g_x.T + g_u @ Sigma @ g_u.T
        M = A @ Vf @ g_x.T + B @ Sigma @ g_u.T  # Cov(x_t, y_t)
        acov = []
        for _ in range(lags):
            acov.append(g_x @ M)
            M = A @ M
        state_mean = jnp.zeros(ns, dt)
        state_cov = Vf
    else:
        c, At, Bt, Ct, Dt, d = pruned_state_space(sol)
        At_ = jnp.where(good, At, 0.0)
        H_xx, H_uu, H_ss = g_xx[s], g_uu[s], g_ss[s]
        vS = Sigma.reshape(-1)
        rhs = 0.5 * (H_xx @ Vf.reshape(-1) + H_uu @ vS + H_ss)
        I_A = jnp.eye(ns, dtype=dt) - A_
        Exs = dense_solve(I_A, rhs) if ns else rhs
        Ez = jnp.concatenate([jnp.zeros(ns, dt), Exs, Vf.reshape(-1)])
        mean = sol.steady_state + d + Ct @ Ez
        Sxi = _xi_cov(Sigma, Vf)
        Vz = lyapunov(At_, Bt @ Sxi @ Bt.T)
        V = Ct @ Vz @ Ct.T + Dt @ Sxi @ Dt.T
        V = 0.5 * (V + V.T)
        acov = []
        Pz = At @ Vz  # Ã^k V_z
        Pxi = Bt @ Sxi  # Ã^{k-1} B̃ Var ξ
        for _ in range(lags):
            acov.append(Ct @ Pz @ Ct.T + Ct @ Pxi @ Dt.T)
            Pz = At @ Pz
            Pxi = At @ Pxi
        state_mean = Exs
        # x = x^f + x^s: Var = V_ff + V_ss + V_fs + V_sf
        Vxx = Vz[: 2 * ns, : 2 * ns]
        state_cov = Vxx[:ns, :ns] + Vxx[ns:, ns:] + Vxx[:ns, ns:] + Vxx[ns:, :ns]
    autocov = jnp.stack(acov) if lags else jnp.zeros((0, n, n), dt)
    var = jnp.diagonal(V)
    std = jnp.sqrt(jnp.maximum(var, 0.0))
    denom = jnp.where(var > 0, var, jnp.inf)
    autocorr = jnp.diagonal(autocov, axis1=1, axis2=2) / denom if lags else jnp.zeros((0, n), dt)
    result = RESULTS.where(ok_in & unit, RESULTS.unit_root, sol.result)
    bad = result != RESULTS.successful
    nanify = lambda x: jnp.where(bad, jnp.nan, x)  # noqa: E731
    out = PrunedMoments(
        variables=sol.variables,
        mean=nanify(mean),
        cov=nanify(V),
        std=nanify(std),
        autocov=nanify(autocov),
        autocorr=nanify(autocorr),
        state_mean=nanify(state_mean),
        state_cov=nanify(state_cov),
        result=result,
    )
    if throw:
        out = result.error_if(out, bad)
    return out


# ---------------------------------------------------------------------------------------------
# Stochastic steady state
# ---------------------------------------------------------------------------------------------


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
    `unit_root` if I − A is singular (a unit root in the first-order transition).
    """
    _, _, _, g_ss = _second_order_parts(sol)
    s = sol.state_index
    A = sol.g_x[s]
    ns = A.shape[0]
    dt = A.dtype
    unit = _unit_root(A)
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
    if throw:
        out = result.error_if(out, bad)
    return out

