r"""Second-order perturbation: g_xx, g_xu, g_uu, g_σσ (Dynare's ghxx, ghxu, ghuu, ghs2).

The decision rule around the deterministic steady state ȳ, with ŝ the states (`model.states`,
Dynare's `state_var`) at t-1 in deviations and u_t the shocks, is

    y_t - ȳ = g_x ŝ + g_u u + ½ [g_xx (ŝ⊗ŝ) + 2 g_xu (ŝ⊗u) + g_uu (u⊗u) + g_σσ].

**The equations.** Write z = (ŝ, u) and h_z = [A, B] for the state rows of [g_x, g_u], so the
states at t are ŝ' = A ŝ + B u (first order). Substituting the rule into
f(y_{t-1}, y_t, y_{t+1}, u_t) and differentiating twice in z (σ = 0) gives

    M g_zz + F_+ g_xx (h_z ⊗ h_z) = -φ_zz,     M = F_0 + F_+ g_x S_s,

where F_0 = ∂f/∂y_t, F_+ = ∂f/∂y_{t+1} (nonzero only in the forward-looking columns f),
S_s selects the state rows and φ_zz is the second derivative of the *composite* map

    φ(ŝ, u, u') = f(ȳ + S_s'ŝ,  ȳ + g_x ŝ + g_u u,  ȳ + g_x (A ŝ + B u) + g_u u',  u)

(first-order rule substituted; u' are the shocks at t+1). The map ζ = (ŝ, u, u') ↦ (y_{t-1},
y_t, y_{t+1}, u_t) is linear, so φ_ζζ = T' (∂²f_i) T for each equation i; it is computed
exactly by nested forward-mode autodiff of the user's residual function in the n_ζ directions
of T (no finite differences, no symbolic derivatives, no n_v × n_v Hessian), and F_0, F_+ are
the first-order solver's Jacobian. Both carry forward-mode derivative rules in (ȳ, θ) (see
[`jaxmacro._perturbation._derivatives`][]), which keep the compiled reverse-mode gradient small.

- The (ŝ, ŝ) block is a generalised Sylvester equation for g_xx. Reduced to the forward rows
  with K = (M⁻¹F_+)_f and D = (M⁻¹(-φ_xx))_f it reads

      X + K X (A ⊗ A) = D,       X = (g_xx)_f   (n_f × n_s²),

  and g_xx = M⁻¹(-φ_xx) - M⁻¹F_+ X (A⊗A).
- With g_xx known, the (ŝ, u) and (u, u) blocks are plain linear solves with M:
  g_xu = M⁻¹(-φ_xu) - M⁻¹F_+ X (A⊗B),  g_uu = M⁻¹(-φ_uu) - M⁻¹F_+ X (B⊗B).
- Differentiating twice in σ (u' = σ ε', E ε'ε'' = Σ) and taking expectations:

      (M + F_+) g_σσ = -(F_+ g_uu vec Σ + Σ_kl Σ_kl ∂²φ/∂u'_k∂u'_l),

  so g_σσ is Dynare's ghs2 and already contains Σ (certainty equivalence: g_σσ = 0 when
  Σ = 0, and nothing else depends on Σ).

**Solving the Sylvester equation without an n_s²·n_f square matrix.** Two algorithms:

- `"kron"`: the Kronecker system (I + K ⊗ (A⊗A)') vec_r X = vec_r D, O((n_f n_s²)³); used
  when n_f n_s² ≤ 400 (tiny models), where it is the fastest and most robust.
- `"doubling"`: the Smith doubling iteration for the convergent series
  X = Σ_k (-K)^k D (A⊗A)^k,

      X ← X + K_j X (A_j ⊗ A_j),   K_{j+1} = K_j²,   A_{j+1} = A_j²,     (K_0 = -K)

  which sums 2^j terms after j steps. (A_j⊗A_j) is never formed: X (P⊗P) is applied row by row
  as P' X_r P with X_r the n_s × n_s matrix of row r, so a step costs O(n_f² n_s² + n_f n_s³)
  flops and O(n_f n_s²) memory. The series converges because the nonzero eigenvalues of -K
  are the reciprocals of the unstable generalised eigenvalues of the first-order pencil
  (modulus > 1 under Blanchard–Kahn) and those of A are the stable ones (modulus ≤ 1), so
  ρ(K) ρ(A)² < 1; the error after j steps is O((ρ(K)ρ(A)²)^{2^j}), i.e. about
  log2(37 / (1 - ρ(K)ρ(A)²)) steps (10 for fvgq20; ~30 for an eigenvalue pair 1e-6 from the
  unit circle). We chose doubling over a Bartels–Stewart / Kamenik solve on a Schur form
  because JAX has no Schur/QZ decomposition on all backends (and none that is batched or
  differentiable), while doubling uses only matrix products: it is pure JAX, vmaps (a batched
  `while_loop` stops when every point has converged), runs on GPU, and its cost for the 40-
  equation/15-state size is a few milliseconds. The accuracy is that of the series (a few ulps
  times the condition number); the Sylvester residual is checked and reported.

**Derivatives** (implicit): both Sylvester solvers are wrapped in `jax.lax.custom_linear_solve`
with the operator L(X) = X + K X (A⊗A) as `matvec`, so JAX differentiates the linear equation,
dX = L⁻¹(dD - dK X (A⊗A) - K X (dA⊗A + A⊗dA)), and never the iterations. Reverse mode uses the
transposed operator L'(Y) = Y + K' Y (A'⊗A'), solved by the same doubling iteration. The other
solves are `jaxmacro._linalg.solve` (implicit derivatives as well); the first-order g_x has an
implicit JVP ([`jaxmacro._perturbation._first_order.solve_gx`][]). So every second-order coefficient is
differentiable in the parameters in forward and reverse mode, at the cost of one more
Sylvester solve per tangent (or cotangent).
"""

from __future__ import annotations

import jax.numpy as jnp

from .._linalg import kron_apply, solve as dense_solve, solve_sylvester_kron_power
from .._results import RESULTS
from ._derivatives import composite_hessian, model_jacobian, split_v


def _symmetrise(G, p):
    """Average the (i, j) and (j, i) Kronecker columns (exact symmetry of a Hessian)."""
    r = G.shape[0]
    Gr = G.reshape(r, p, p)
    return (0.5 * (Gr + jnp.swapaxes(Gr, 1, 2))).reshape(r, p * p)


def second_order_terms(
    model,
    ss,
    g_x,
    g_u,
    cov,
    *,
    sylvester: str = "auto",
    max_steps: int = 64,
    jacobian=None,
    M=None,
):
    """Second-order coefficients of the decision rule (see the module docstring).

    **Arguments:**

    - `model`: a [`jaxmacro.Model`][].
    - `ss`: its [`jaxmacro.SteadyState`][] (uses `ss.value` and `ss.params`).
    - `g_x`, `g_u`: the first-order rule (rows in declaration order, columns `model.states`
      and `model.shocks`).
    - `cov`: the shock covariance Σ.
    - `sylvester` (keyword-only): ``"auto"``, ``"kron"`` or ``"doubling"``, the algorithm for
      the g_xx equation.
    - `max_steps`: doubling steps (each doubles the number of series terms summed).
    - `jacobian`: J = ∂f/∂(ŝ, y, y^f', u) from [`jaxmacro._perturbation._derivatives.model_jacobian`][], if
      already computed (as `solve` does); computed here otherwise.
    - `M`: M = F_0 + F_+ g_f S_s from the first-order solver, if already computed.

    **Returns:** `(terms, result)` where `terms` is a dict with `g_xx` (n × n_s², columns
    kron(ŝ, ŝ)), `g_xu` (n × n_s n_e, kron(ŝ, u)), `g_uu` (n × n_e², kron(u, u)) and `g_ss`
    (n, Dynare's ghs2 including Σ), all full (not halved) second derivatives, and
    `second_order_residual` (the g_xx Sylvester residual divided by its threshold
    [`sylvester_tolerance`][]: at most 1 passes); `result` is `RESULTS.successful` or
    `RESULTS.second_order_failed` (non-finite terms, or the residual above its threshold).
    """
    n, ne = model.n_vars, model.n_shocks
    layout = model.structure
    ns, nf = len(layout.states), len(layout.forward)
    s = jnp.asarray(layout.states, dtype=int)
    f = jnp.asarray(layout.forward, dtype=int)
    ybar, theta = ss.value, ss.params
    dtype = g_x.dtype
    ybar = ybar.astype(dtype)
    cov = jnp.asarray(cov, dtype=dtype)
    A, B = g_x[s], g_u[s]

    # The model's Jacobian J in v = (ŝ, y, y^f', u) (shared with the first-order solver when
    # called from `solve`) and the Hessian of the composite map ζ = (ŝ, u, u') ↦ v = T ζ ↦ f,
    # T' (∂²f_i/∂v∂v) T, by nested forward mode in the n_ζ directions (see _derivatives.py).
    if jacobian is None:
        jacobian = model_jacobian(model, layout, ybar, theta)
    J = jacobian.astype(dtype)
    nz, nzeta = ns + ne, ns + 2 * ne
    sl_s, sl_c, sl_f, sl_u = split_v(layout, ne)
    T = jnp.zeros((sl_u.stop, nzeta), dtype)
    T = T.at[sl_s, :ns].set(jnp.eye(ns, dtype=dtype))
    T = T.at[sl_c, :ns].set(g_x).at[sl_c, ns:nz].set(g_u)
    gxf = g_x[f]
    T = T.at[sl_f, :ns].set(gxf @ A).at[sl_f, ns:nz].set(gxf @ B).at[sl_f, nz:].set(g_u[f])
    T = T.at[sl_u, ns:nz].set(jnp.eye(ne, dtype=dtype))
    Hz = composite_hessian(model, layout, ybar, theta, T).astype(dtype)  # n × nζ × nζ
    H = Hz[:, :nz, :nz]
    H_ww = Hz[:, nz:nzeta, nz:nzeta]
    C_xx = -H[:, :ns, :ns].reshape(n, ns * ns)
    C_xu = -H[:, :ns, ns:].reshape(n, ns * ne)
    C_uu = -H[:, ns:, ns:].reshape(n, ne * ne)
    F_0, F_p = J[:, sl_c], J[:, sl_f]
    if M is None:
        M = F_0.at[:, s].add(F_p @ g_x[f])
    finite_in = jnp.all(jnp.isfinite(M)) & jnp.all(jnp.isfinite(Hz))
    M = jnp.where(finite_in, M, jnp.eye(n, dtype=dtype))

    rhs = jnp.concatenate([C_xx, C_xu, C_uu, F_p], axis=1)
    sol = dense_solve(M, rhs)
    i1, i2, i3 = ns * ns, ns * ns + ns * ne, ns * ns + ns * ne + ne * ne
    MiCxx, MiCxu, MiCuu, MiFp = sol[:, :i1], sol[:, i1:i2], sol[:, i2:i3], sol[:, i3:]

    if nf > 0 and ns > 0:
        K, D = MiFp[f], MiCxx[f]
        safe = jnp.all(jnp.isfinite(K)) & jnp.all(jnp.isfinite(D)) & jnp.all(jnp.isfinite(A))
        K_, A_ = jnp.where(safe, K, 0.0), jnp.where(safe, A, 0.0)
        Xf = solve_sylvester_kron_power(K_, A_, D, method=sylvester, max_steps=max_steps)
        XAA = kron_apply(Xf, A, A)
        resid = Xf + K @ XAA - D
        sylv_ratio = jnp.max(jnp.abs(resid)) / sylvester_tolerance(K, A, D, Xf)
        sylv_ok = safe & (sylv_ratio <= 1.0)
        g_xx = MiCxx - MiFp @ XAA
        g_xu = MiCxu - MiFp @ kron_apply(Xf, A, B)
        g_uu = MiCuu - MiFp @ kron_apply(Xf, B, B)
    else:
        sylv_ok = jnp.asarray(True)
        sylv_ratio = jnp.zeros((), dtype=dtype)
        g_xx, g_xu, g_uu = MiCxx, MiCxu, MiCuu
    g_xx = _symmetrise(g_xx, ns)
    g_uu = _symmetrise(g_uu, ne)

    r_ss = -(F_p @ (g_uu[f] @ cov.reshape(-1)) + jnp.einsum("ikl,kl->i", H_ww, cov))
    M_ss = M.at[:, f].add(F_p)
    g_ss = dense_solve(M_ss, r_ss)

    terms = dict(g_xx=g_xx, g_xu=g_xu, g_uu=g_uu, g_ss=g_ss)
    finite_out = jnp.asarray(True)
    for v in terms.values():
        finite_out = finite_out & jnp.all(jnp.isfinite(v))
    ok = finite_in & finite_out & sylv_ok
    result = RESULTS.where(ok, RESULTS.successful, RESULTS.second_order_failed)
    terms["second_order_residual"] = jnp.where(jnp.isfinite(sylv_ratio), sylv_ratio, jnp.inf)
    return terms, result


def sylvester_tolerance(K, A, D, X):
    """Threshold for the residual of X + K X (A⊗A) = D, relative to the problem's size.

    A backward-stable evaluation of the left-hand side carries rounding of order
    eps (|X| + ‖K‖_∞ |X| ‖A‖_1² + |D|) (|·| the largest entry), which grows with the
    conditioning of the operator; the threshold is 1e4 times that, and never below the
    1e-9 · max(1, |D|, |X|) the library used before (so a well-scaled model is judged as
    before and an ill-conditioned one that converged is not refused for its rounding).
    """
    eps = jnp.finfo(X.dtype).eps
    xm, dm = jnp.max(jnp.abs(X)), jnp.max(jnp.abs(D))
    kn = jnp.max(jnp.sum(jnp.abs(K), axis=1))
    an = jnp.max(jnp.sum(jnp.abs(A), axis=0))
    rounding = 1e4 * eps * (xm + kn * xm * an**2 + dm)
    return jnp.maximum(1e-9 * jnp.maximum(1.0, jnp.maximum(dm, xm)), rounding)
