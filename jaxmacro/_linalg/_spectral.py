"""Spectral kernels in pure JAX (jit/vmap-able, CPU and GPU), without QZ or eigenvalues.

- [`stable_deflating_subspace`][]: the spectral projector onto the deflating subspace of a
  pencil belonging to the eigenvalues inside a disk, by inverse-free spectral divide and
  conquer (Malyshev 1989; Bai, Demmel and Gu 1997). It replaces the QZ decomposition, which
  JAX lacks.
- [`count_inside`][] and [`has_unit_root`][]: the number of eigenvalues of a square matrix
  inside a disk, from the trace of the same projector, and the library's one unit-root rule.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax import lax

from ._dense import householder, qr as dense_qr, solve as dense_solve


def _complete_q(X):
    """Full orthogonal factor of X = Q R. Unrolled Householder for narrow X (faster than LAPACK
    for the tiny pencils of small models, batched or not); `_dense.qr` otherwise."""
    if X.shape[1] <= 8:
        return householder(X)[0]
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
    and its range is the subspace. Only QR factorisations and one linear solve per step are
    used (no SVD). An eigenvalue at distance d from the circle needs about log2(35 / d) steps
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


def unit_root_radius(qz_criterium: float = 1.0 + 1e-6) -> float:
    """The modulus at and above which an eigenvalue counts as a unit root: 2 − qz_criterium.

    This mirrors Dynare's `lyapunov_symm`, which treats the eigenvalues of the state transition
    with modulus above ``2 - qz_criterium`` (1 − 1e-6 by default) as unit roots when it computes
    theoretical moments, while the Blanchard–Kahn count treats those up to ``qz_criterium`` as
    stable. So a root of modulus 0.9999 is stationary (its moments exist and are finite) and a
    root within 1e-6 of the unit circle is a unit root.
    """
    return 2.0 - qz_criterium


def count_inside(A, radius, *, max_steps: int = 80):
    """Number of eigenvalues of the square matrix A with modulus below `radius`.

    The trace of the spectral projector of the pencil ``A - λ I`` for the disk of that radius
    ([`stable_deflating_subspace`][]): an exact test (no eigenvalue solver, no dependence on
    the non-normality of A), correct to the iteration's convergence. An eigenvalue at relative
    distance d from the circle needs about log2(35 / d) squaring steps: 25 for a unit root
    against the default radius 1 − 1e-6, 19 for a root of 0.9999.

    **Returns:** `(count, converged)`: the rounded trace (a float) and whether the iteration
    converged to a projector with an integer trace. Not differentiated (`stop_gradient`).
    """
    A = jax.lax.stop_gradient(A)
    n = A.shape[-1]
    if n == 0:
        return jnp.asarray(0.0, A.dtype), jnp.asarray(True)
    P, converged, _ = stable_deflating_subspace(
        A, jnp.eye(n, dtype=A.dtype), radius, max_steps=max_steps
    )
    trace = jnp.trace(P)
    count = jnp.round(trace)
    converged = converged & (jnp.abs(trace - count) < 0.1) & jnp.isfinite(trace)
    return count, converged


def has_unit_root(A, qz_criterium: float = 1.0 + 1e-6):
    """The library's one unit-root rule for a state transition A (used by every consumer).

    True when A has an eigenvalue of modulus ≥ [`unit_root_radius`][]``(qz_criterium)``
    (= 1 − 1e-6 by default, Dynare's rule for theoretical moments), judged exactly by
    [`count_inside`][], or when that count did not converge (an eigenvalue on the threshold
    itself) or A is not finite: unconditional moments are then not reported.
    """
    n = A.shape[-1]
    if n == 0:
        return jnp.asarray(False)
    finite = jnp.all(jnp.isfinite(A))
    A_ = jnp.where(finite, A, jnp.zeros_like(A))
    count, converged = count_inside(A_, unit_root_radius(qz_criterium))
    return ~finite | ~converged | (count < n)
