"""Differentiable matrix-equation kernels in pure JAX (jit/vmap-able, CPU and GPU).

- [`stable_deflating_subspace`][]: an orthonormal basis of the deflating subspace of a pencil
  belonging to the eigenvalues inside a disk, by inverse-free spectral divide and conquer
  (Malyshev 1989; Bai, Demmel and Gu 1997). It replaces the QZ decomposition, which JAX lacks.
- [`solve_discrete_lyapunov`][]: V = A V A' + Q, with an implicit (custom JVP) derivative.
- [`solve_sylvester_kron`][]: A X + B X C = D through a Kronecker system, for small problems.
"""

from __future__ import annotations

import jax.numpy as jnp
from jax import lax

from ._dense import _householder, qr as dense_qr, solve as dense_solve


def _complete_q(X):
    """Full orthogonal factor of X = Q R. Unrolled Householder for narrow X (faster than LAPACK
    for the tiny pencils of small models, batched or not); `_dense.qr` otherwise."""
    if X.shape[1] <= 8:
        return _householder(X)[0]
    return dense_qr(X, mode="complete")[0]


def stable_deflating_subspace(E, D, radius, *, max_steps: int = 80, rtol: float | None = None):
    """Deflating subspace of the pencil ``E - λ D`` for the eigenvalues with ``|λ| < radius``.

    The eigenvalues μ = λ / radius of the scaled pair ``(A, B) = (E / radius, D)`` are squared at
    each step of the inverse-free iteration

        [B_j; -A_j] = Q R,   A_{j+1} = Q_{12}' A_j,   B_{j+1} = Q_{22}' B_j,

    (the blocks of the orthogonal factor Q of size 2m x 2m), since
    ``B_{j+1}^{-1} A_{j+1} = (B_j^{-1} A_j)^2``. Eigenvalues inside the disk are driven to zero,
    those outside (including infinite ones, D singular) to infinity, so
    ``(A_j + B_j)^{-1} B_j`` converges to the spectral projector onto the stable right
    deflating subspace. Its rank is the number of stable eigenvalues (the Blanchard-Kahn count)
    and its leading left singular vectors are an orthonormal basis. Only QR, one solve and one
    SVD are used. An eigenvalue at distance d from the circle needs about log2(35 / d) steps
    (25 for a unit root with Dynare's qz_criterium = 1 + 1e-6).

    **Returns:** `(P, converged, steps)`: the spectral projector P (m x m) onto the stable right
    deflating subspace. Its range is the subspace and its trace is its dimension (the number of
    eigenvalues with modulus below `radius`).
    """
    m = E.shape[-1]
    dtype = jnp.result_type(E, D)
    if rtol is None:
        rtol = 1e4 * jnp.finfo(dtype).eps
    A0 = E / radius
    B0 = D

    def normalise(A, B):
        s = jnp.maximum(jnp.max(jnp.abs(A)), jnp.max(jnp.abs(B)))
        s = jnp.where(s > 0, s, 1.0)
        return A / s, B / s

    def step(A, B):
        Q = _complete_q(jnp.concatenate([B, -A], axis=0))
        A_new = Q[:m, m:].T @ A
        B_new = Q[m:, m:].T @ B
        A_new, B_new = normalise(A_new, B_new)
        return A_new, B_new, dense_solve(A_new + B_new, B_new)

    # The pair (A_j, B_j) is defined only up to a left factor, so convergence is judged on the
    # projector (A_j + B_j)^{-1} B_j, which is invariant to it.
    # Stop when the projector has settled to rtol; `converged` (returned) only asks for
    # sqrt(rtol): callers polish the subspace and check the residual of their own equation.
    def cond(state):
        _, _, _, k, diff, scale = state
        return (k < max_steps) & (diff > rtol * scale)

    def body(state):
        A, B, P_old, k, _, _ = state
        A, B, P = step(A, B)
        diff = jnp.max(jnp.abs(P - P_old))
        return A, B, P, k + 1, diff, jnp.maximum(jnp.max(jnp.abs(P)), 1.0)

    A0, B0 = normalise(A0, B0)
    A1, B1, P1 = step(A0, B0)
    inf = jnp.asarray(jnp.inf, dtype)
    A, B, P, steps, diff, scale = lax.while_loop(
        cond, body, (A1, B1, P1, jnp.asarray(1), inf, jnp.asarray(1.0, dtype))
    )
    converged = diff <= jnp.sqrt(rtol) * scale
    return P, converged, steps


# --------------------------------------------------------------------------------------------
# Discrete Lyapunov equation
# --------------------------------------------------------------------------------------------


def _lyap_kron(A, Q):
    n = A.shape[-1]
    K = jnp.eye(n * n, dtype=A.dtype) - jnp.kron(A, A)
    v = dense_solve(K, Q.reshape(-1))
    return v.reshape(n, n)


def _lyap_doubling(A, Q, max_steps=64):
    def cond(state):
        Ak, _, k = state
        return (k < max_steps) & (jnp.max(jnp.abs(Ak)) > 1e-18)

    def body(state):
        Ak, Vk, k = state
        Vk = Vk + Ak @ Vk @ Ak.T
        return Ak @ Ak, Vk, k + 1

    _, V, _ = lax.while_loop(cond, body, (A, Q, jnp.asarray(0)))
    return V


def solve_discrete_lyapunov(A, Q):
    """Solve ``V = A V A' + Q`` for V (A stable, Q symmetric), with implicit derivatives.

    Small systems (n <= 20) use the Kronecker form ``(I - A ⊗ A) vec V = vec Q``; larger ones
    the doubling algorithm ``V ← V + A V A'``, ``A ← A²`` (matrix products only). Either is
    wrapped in `jax.lax.custom_linear_solve` with the operator V ↦ V - A V A', so the derivative
    is another Lyapunov equation, ``dV = A dV A' + (dA V A' + A V dA' + dQ)``, in forward mode,
    and its transpose (solved with A') in reverse mode; iterations are never differentiated.
    """
    if A.shape[-1] == 0:
        return Q
    small = A.shape[-1] <= 20

    def matvec(V):
        return V - A @ V @ A.T

    def solve(_, b):
        return _lyap_kron(A, b) if small else _lyap_doubling(A, b)

    def transpose_solve(_, b):
        return _lyap_kron(A.T, b) if small else _lyap_doubling(A.T, b)

    V = lax.custom_linear_solve(matvec, Q, solve, transpose_solve)
    return 0.5 * (V + V.T)


# --------------------------------------------------------------------------------------------
# Generalised Sylvester equation
# --------------------------------------------------------------------------------------------


def solve_sylvester_kron(A, B, C, D):
    """Solve ``A X + B X C = D`` for X (n x m) through ``(I ⊗ A + C' ⊗ B) vec X = vec D``.

    vec is column-major. Cost O((nm)^3): meant for the modest sizes of first-order tangents.
    """
    n, m = D.shape
    K = jnp.kron(jnp.eye(m, dtype=A.dtype), A) + jnp.kron(C.T, B)
    x = dense_solve(K, D.T.reshape(-1))
    return x.reshape(m, n).T

