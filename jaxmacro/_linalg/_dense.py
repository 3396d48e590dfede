"""Dense linear algebra that never calls batched LAPACK: LU solves and Householder QR.

Why this module exists. On CPU, jaxlib 0.10 runs a *batched* LAPACK call (what `vmap` turns
`jnp.linalg.solve`, `qr` or `solve_triangular` into) by splitting the batch over XLA's intra-op
thread pool and blocking the calling pool thread until the pieces finish. When the XLA
executor runs as many such calls concurrently as the pool has threads (2 on a 2-core machine:
two independent solves in the same program are enough), every pool thread is blocked waiting
for work that no thread is left to run, and the program hangs for ever in
`block_until_ready`. We reproduced this with `jaxmacro.solve` vmapped over 10,000 points
(a stack of the hang shows both pool threads in `jax::ParallelBatchMap` under
`lapack_dtrsm_ffi`); later jaxlib releases remove that code path from open-source builds.

The cure here is to decide *by batching* which kernel runs, with
`jax.custom_batching.custom_vmap`:

- unbatched (a single solve, inside or outside `jit`): LAPACK, as `jnp.linalg` does;
- batched (`vmap`, `lax.map(batch_size=...)`, vmapped gradients): the pure-JAX kernels below,
  which are ordinary element-wise XLA operations over the batch. They do not hang, and for the
  small matrices of perturbation models they are also faster than a batch of LAPACK calls.

The kernels:

- `lu_factor`: LU with partial pivoting, ``A[perm] = L U`` (L unit lower, U upper, stored in
  one matrix). Loops are unrolled for n <= 12 and a `fori_loop` with masks above.
- `lu_solve`: ``A x = b`` or ``A' x = b`` by forward and back substitution.
- `solve(A, B)`: drop-in for `jnp.linalg.solve` with 2-D `A` and 1-D or 2-D `B`, wrapped in
  `lax.custom_linear_solve`, so derivatives in A and B are implicit:
  ``dX = A^{-1} (dB - dA X)`` in forward mode and a transposed solve in reverse mode.
- `qr(X)`: Householder QR, complete (Q is p x p) or reduced.
- `DenseLU`: a lineax solver built on these, for optimistix's Newton steps and the implicit
  adjoint of the steady state.

A singular matrix gives non-finite numbers, as LAPACK does; callers check finiteness.
"""

from __future__ import annotations

import math
from typing import Any

import equinox.internal as eqxi
import jax
import jax.numpy as jnp
import lineax as lx
from jax import lax
from jax.custom_batching import custom_vmap
from jax.flatten_util import ravel_pytree

_UNROLL = 12  # unroll the loops of matrices up to this size; fori_loop above


# --------------------------------------------------------------------------------------------
# Pure-JAX kernels (one matrix; vmap turns them into element-wise batch operations)
# --------------------------------------------------------------------------------------------


def _swap_rows(M, i, j):
    ri, rj = M[i], M[j]
    return M.at[i].set(rj).at[j].set(ri)


def _lu_pure(A):
    """(lu, perm) with A[perm] = L U; partial pivoting on the largest modulus in the column."""
    n = A.shape[-1]
    perm = jnp.arange(n, dtype=jnp.int32)
    if n <= _UNROLL:
        for k in range(n - 1):
            p = k + jnp.argmax(jnp.abs(A[k:, k]))
            A = _swap_rows(A, k, p)
            perm = _swap_rows(perm, k, p)
            l = A[k + 1 :, k] / A[k, k]
            A = A.at[k + 1 :, k].set(l)
            A = A.at[k + 1 :, k + 1 :].add(-jnp.outer(l, A[k, k + 1 :]))
        return A, perm
    idx = jnp.arange(n)

    def body(k, state):
        A, perm = state
        p = jnp.argmax(jnp.where(idx >= k, jnp.abs(A[:, k]), -1.0))
        A = _swap_rows(A, k, p)
        perm = _swap_rows(perm, k, p)
        below = idx > k
        l = jnp.where(below, A[:, k] / A[k, k], 0.0)
        u = jnp.where(idx > k, A[k], 0.0)
        A = A - jnp.outer(l, u)
        A = A.at[:, k].set(jnp.where(below, l, A[:, k]))
        return A, perm

    return lax.fori_loop(0, n - 1, body, (A, perm))


def _forward_unit_lower(L, b):
    """Solve L y = b, L unit lower triangular (the strict lower part of `L` is used)."""
    n = L.shape[-1]
    if n <= _UNROLL:
        y = b
        for i in range(1, n):
            y = y.at[i].add(-L[i, :i] @ y[:i])
        return y
    idx = jnp.arange(n)

    def body(i, y):
        row = jnp.where(idx < i, L[i], 0.0)
        return y.at[i].add(-row @ y)

    return lax.fori_loop(1, n, body, b)


def _back_upper(U, b):
    """Solve U x = b, U upper triangular (the upper part of `U`, diagonal included, is used)."""
    n = U.shape[-1]
    if n <= _UNROLL:
        x = b
        for i in reversed(range(n)):
            x = x.at[i].set((x[i] - U[i, i + 1 :] @ x[i + 1 :]) / U[i, i])
        return x
    idx = jnp.arange(n)

    def body(j, x):
        i = n - 1 - j
        row = jnp.where(idx > i, U[i], 0.0)
        return x.at[i].set((x[i] - row @ x) / U[i, i])

    return lax.fori_loop(0, n, body, b)


def _lu_solve_pure(lu, perm, b, trans):
    if trans == 0:  # L U x = b[perm]
        return _back_upper(lu, _forward_unit_lower(lu, b[perm]))
    # A' = U' L' P: U' z = b (lower, non-unit), L' w = z (upper, unit), x[perm] = w. Reversing
    # rows and columns turns lower into upper triangular: F = flip(lu') has U' in its upper part
    # (reversed) and L' in its strict lower part.
    F = jnp.flip(lu.T, (0, 1))
    z = _back_upper(F, jnp.flip(b, 0))[::-1]
    w = _forward_unit_lower(F, jnp.flip(z, 0))[::-1]
    return jnp.zeros_like(w).at[perm].set(w)


def householder(X):
    """Full Householder QR of X (p x m): Q (p x p) orthogonal and R (p x m) upper triangular."""
    p, m = X.shape
    k_max = min(p - 1, m)
    Q = jnp.eye(p, dtype=X.dtype)
    R = X

    def reflect(v, Q, R):
        vv = jnp.dot(v, v)
        beta = jnp.where(vv > 0, 2.0 / jnp.where(vv > 0, vv, 1.0), 0.0)
        R = R - beta * jnp.outer(v, v @ R)
        Q = Q - beta * jnp.outer(Q @ v, v)
        return Q, R

    if m <= _UNROLL:
        for j in range(k_max):
            x = jnp.zeros(p, X.dtype).at[j:].set(R[j:, j])
            sign = jnp.where(x[j] >= 0, 1.0, -1.0)
            v = x.at[j].add(sign * jnp.linalg.norm(x))
            Q, R = reflect(v, Q, R)
        return Q, R
    idx = jnp.arange(p)

    def body(j, state):
        Q, R = state
        x = jnp.where(idx >= j, R[:, j], 0.0)
        sign = jnp.where(x[j] >= 0, 1.0, -1.0)
        v = x.at[j].add(sign * jnp.linalg.norm(x))
        return reflect(v, Q, R)

    return lax.fori_loop(0, k_max, body, (Q, R))


# --------------------------------------------------------------------------------------------
# Dispatch on batching: LAPACK for one matrix, pure JAX for a batch
# --------------------------------------------------------------------------------------------


def _broadcast(axis_size, in_batched, args):
    return [
        a if b else jnp.broadcast_to(a, (axis_size,) + a.shape) for a, b in zip(args, in_batched)
    ]


@custom_vmap
def lu_factor(A):
    """LU with partial pivoting of a square matrix: `(lu, perm)` with ``A[perm] = L U``."""
    lu, _, perm = lax.linalg.lu(A)
    return lu, perm.astype(jnp.int32)


@lu_factor.def_vmap
def _lu_factor_vmap(axis_size, in_batched, A):
    if not in_batched[0]:
        return lu_factor(A), (False, False)
    return jax.vmap(_lu_pure)(A), (True, True)


def _lapack_lu_solve(lu, perm, b, trans):
    vec = b.ndim == 1
    B = b[:, None] if vec else b
    tri = lax.linalg.triangular_solve
    if trans == 0:
        y = tri(lu, B[perm], left_side=True, lower=True, unit_diagonal=True)
        x = tri(lu, y, left_side=True, lower=False)
    else:
        z = tri(lu, B, left_side=True, lower=False, transpose_a=True)
        w = tri(lu, z, left_side=True, lower=True, unit_diagonal=True, transpose_a=True)
        x = jnp.zeros_like(w).at[perm].set(w)
    return x[:, 0] if vec else x


def _make_lu_solve(trans):
    @custom_vmap
    def f(lu, perm, b):
        return _lapack_lu_solve(lu, perm, b, trans)

    @f.def_vmap
    def _rule(axis_size, in_batched, lu, perm, b):
        if not any(in_batched):
            return f(lu, perm, b), False
        lu, perm, b = _broadcast(axis_size, in_batched, (lu, perm, b))
        return jax.vmap(lambda l, p, r: _lu_solve_pure(l, p, r, trans))(lu, perm, b), True

    return f


_lu_solve_n = _make_lu_solve(0)
_lu_solve_t = _make_lu_solve(1)


def lu_solve(lu, perm, b, trans: int = 0):
    """Solve ``A x = b`` (trans=0) or ``A' x = b`` (trans=1) from `lu_factor(A)`; b 1-D or 2-D."""
    if lu.shape[-1] == 0:
        return b
    return (_lu_solve_t if trans else _lu_solve_n)(lu, perm, b)


def solve(A, B):
    """``A^{-1} B`` for square A (n x n) and B (n,) or (n, k): `jnp.linalg.solve` without batched LAPACK.

    Differentiable in A and B through `lax.custom_linear_solve` (the factorisation is not
    differentiated): ``dX = A^{-1}(dB - dA X)``; reverse mode solves with A'.
    """
    if A.ndim != 2 or A.shape[0] != A.shape[1] or B.shape[0] != A.shape[0] or B.ndim > 2:
        raise ValueError(
            f"solve expects A (n, n) and B (n,) or (n, k); got {A.shape} and {B.shape}"
        )
    if A.shape[0] == 0:
        return B
    dtype = jnp.result_type(A, B)
    A = A.astype(dtype)
    B = B.astype(dtype)
    lu, perm = lu_factor(lax.stop_gradient(A))
    return lax.custom_linear_solve(
        lambda x: A @ x,
        B,
        solve=lambda _, r: lu_solve(lu, perm, r, 0),
        transpose_solve=lambda _, r: lu_solve(lu, perm, r, 1),
    )


@custom_vmap
def _qr_full(X):
    Q, R = jnp.linalg.qr(X, mode="complete")
    return Q, R


@_qr_full.def_vmap
def _qr_full_vmap(axis_size, in_batched, X):
    if not in_batched[0]:
        return _qr_full(X), (False, False)
    return jax.vmap(householder)(X), (True, True)


def qr(X, mode: str = "reduced"):
    """QR of X (p x m): ``mode="complete"`` gives Q (p x p), R (p x m); "reduced" Q (p x k), R (k x m)
    with k = min(p, m). Not differentiable (used on primal quantities only)."""
    p, m = X.shape
    Q, R = _qr_full(lax.stop_gradient(X))
    if mode == "complete":
        return Q, R
    k = min(p, m)
    return Q[:, :k], R[:k]


# --------------------------------------------------------------------------------------------
# lineax solver for optimistix
# --------------------------------------------------------------------------------------------


class DenseLU(lx.AbstractLinearSolver):
    """lineax LU solver on `lu_factor` / `lu_solve` (no batched LAPACK under `vmap`)."""

    def init(self, operator, options: dict[str, Any]):
        del options
        if operator.in_size() != operator.out_size():
            raise ValueError("DenseLU needs a square operator")
        A = operator.as_matrix()
        return lu_factor(A), operator.in_structure(), operator.out_structure(), eqxi.Static(False)

    def compute(self, state, vector, options):
        del options
        # After `transpose`, in_struct is the input structure of A' (the output one of A).
        (lu, perm), in_struct, _, transposed = state
        flat, _ = ravel_pytree(vector)
        x = lu_solve(lu, perm, flat, 1 if transposed.value else 0)
        leaves, treedef = jax.tree_util.tree_flatten(in_struct)
        parts, start = [], 0
        for leaf in leaves:
            size = math.prod(leaf.shape)
            parts.append(x[start : start + size].reshape(leaf.shape).astype(leaf.dtype))
            start += size
        return jax.tree_util.tree_unflatten(treedef, parts), lx.RESULTS.successful, {}

    def transpose(self, state, options):
        (lu, perm), in_struct, out_struct, transposed = state
        return ((lu, perm), out_struct, in_struct, eqxi.Static(not transposed.value)), {}

    def conj(self, state, options):
        return state, {}

    def assume_full_rank(self):
        return True

    def allow_dependent_columns(self, operator):  # lineax < 0.1 API
        return False

    def allow_dependent_rows(self, operator):  # lineax < 0.1 API
        return False
