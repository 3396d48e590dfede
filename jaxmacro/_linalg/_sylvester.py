r"""The Sylvester family: the linear matrix equations X + K X P = D of perturbation methods.

Both forms arise from substituting a decision rule into the model's expectation terms, with K
the (forward-row) solve of F_+ and P the state transition (or a Kronecker power of it):

- [`solve_sylvester`][]: ``X + K X P = D`` (m × p) through the Kronecker system
  ``(I + P' ⊗ K) vec X = vec D`` (vec column-major), O((m p)³): the tangent of the first-order
  solution and its Newton polish (P = g_s, m = n_f).
- [`solve_sylvester_kron_power`][]: ``X + K X (A ⊗ A) = D`` (m × n²), the g_xx equation of the
  second-order solution, by a Kronecker system for tiny sizes or by Smith doubling, which
  applies ``X (A ⊗ A)`` row by row ([`kron_apply`][]) and never forms A ⊗ A.

The doubling iteration sums the series X = Σ_k (-K)^k D (A⊗A)^k, which converges when
ρ(K) ρ(A)² < 1 (Blanchard–Kahn: the nonzero eigenvalues of -K are reciprocals of unstable
roots, those of A stable ones). Derivatives are implicit: `solve_sylvester` is one dense LU
solve (itself differentiated implicitly) and `solve_sylvester_kron_power` is wrapped in
`jax.lax.custom_linear_solve` with the operator L(X) = X + K X (A⊗A) and its transpose
L'(Y) = Y + K' Y (A'⊗A'), so the iterations are never differentiated.
"""

from __future__ import annotations

import jax.numpy as jnp
from jax import lax

from ._dense import solve as dense_solve


def solve_sylvester(K, P, D):
    """Solve ``X + K X P = D`` for X (m × p; K m × m, P p × p) by a Kronecker system.

    ``(I + P' ⊗ K) vec X = vec D`` with vec column-major; cost O((m p)³), meant for the sizes of
    first-order tangents (m = n_f forward variables, p = n_s states).
    """
    m, p = D.shape
    if m == 0 or p == 0:
        return D
    L = jnp.eye(m * p, dtype=D.dtype) + jnp.kron(P.T, K)
    return dense_solve(L, D.T.reshape(-1)).reshape(p, m).T


_KRON_MAX = 400  # n_f * n_s**2 at or below which the Kronecker solve is used


def kron_apply(X, P, Q):
    """X (P ⊗ Q) for X with Kronecker columns: rows X_r (p1 × q1 row-major) map to P' X_r Q."""
    r = X.shape[0]
    p1, p2 = P.shape
    q1, q2 = Q.shape
    Xr = X.reshape(r, p1, q1)
    Y = jnp.einsum("rab,bj->raj", Xr, Q)
    Y = jnp.einsum("ai,raj->rij", P, Y)
    return Y.reshape(r, p2 * q2)


def _sylvester_doubling(K, A, D, max_steps):
    """X + K X (A⊗A) = D by the doubling iteration (see the module docstring of `jaxmacro._perturbation._second_order`)."""
    eps = jnp.finfo(D.dtype).eps

    def cond(state):
        _, _, _, k, done = state
        return (k < max_steps) & ~done

    def body(state):
        Kj, Aj, X, k, _ = state
        inc = Kj @ kron_apply(X, Aj, Aj)
        Xn = X + inc
        # Stop when the next block of 2^j terms no longer changes X (or X is not finite).
        size = jnp.max(jnp.abs(Xn))
        done = (jnp.max(jnp.abs(inc)) <= 4 * eps * size) | ~jnp.isfinite(size)
        return Kj @ Kj, Aj @ Aj, Xn, k + 1, done

    state = (-K, A, D, jnp.asarray(0), jnp.asarray(False))
    _, _, X, _, _ = lax.while_loop(cond, body, state)
    return X


def solve_sylvester_kron_power(K, A, D, *, method: str = "auto", max_steps: int = 64):
    """Solve ``X + K X (A⊗A) = D`` for X (m × n²), differentiable in K, A and D.

    (See the module docstring.)

    `method` is ``"kron"`` (dense Kronecker system), ``"doubling"`` (Smith doubling, never
    forming A⊗A) or ``"auto"`` (Kronecker when m n² ≤ 400). Derivatives are implicit via
    `jax.lax.custom_linear_solve` (see the module docstring of `jaxmacro._perturbation._second_order`).
    """
    m, n = K.shape[0], A.shape[0]
    if m == 0 or n == 0:
        return D
    if method == "auto":
        method = "kron" if m * n * n <= _KRON_MAX else "doubling"

    def matvec(X):
        return X + K @ kron_apply(X, A, A)

    if method == "kron":
        AA = jnp.kron(A, A)

        def solve(_, b):
            L = jnp.eye(m * n * n, dtype=b.dtype) + jnp.kron(K, AA.T)
            return dense_solve(L, b.reshape(-1)).reshape(b.shape)

        def transpose_solve(_, b):
            L = jnp.eye(m * n * n, dtype=b.dtype) + jnp.kron(K.T, AA)
            return dense_solve(L, b.reshape(-1)).reshape(b.shape)

    elif method == "doubling":

        def solve(_, b):
            return _sylvester_doubling(K, A, b, max_steps)

        def transpose_solve(_, b):
            return _sylvester_doubling(K.T, A.T, b, max_steps)

    else:
        raise ValueError(f"unknown Sylvester method {method!r}; use 'auto', 'kron' or 'doubling'")
    return lax.custom_linear_solve(matvec, D, solve, transpose_solve)
