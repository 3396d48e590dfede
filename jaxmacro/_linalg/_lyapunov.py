"""The discrete Lyapunov equation V = A V A' + Q, with implicit derivatives (one solver)."""

from __future__ import annotations

import jax.numpy as jnp
from jax import lax

from ._dense import solve as dense_solve

KRON_MAX = 20  # A of size up to this uses the Kronecker system; larger ones doubling


def _lyap_kron(A, Q):
    n = A.shape[-1]
    K = jnp.eye(n * n, dtype=A.dtype) - jnp.kron(A, A)
    v = dense_solve(K, Q.reshape(-1))
    return v.reshape(n, n)


def _lyap_doubling(A, Q, max_steps):
    """Σ_j A^j Q A'^j by doubling: V ← V + A_k V A_k', A_k ← A_k² (2^k terms after k steps).

    Stops when the next block of terms no longer changes V (relative to its size, 4 ulps), when
    V stops being finite, or after `max_steps` doublings.
    """
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


def solve_discrete_lyapunov(A, Q, *, method: str = "auto", max_steps: int = 64):
    """Solve ``V = A V A' + Q`` for V (A stable, Q symmetric), with implicit derivatives.

    Two algorithms, chosen by `method`:

    - ``"kron"``: the Kronecker system ``(I - A ⊗ A) vec V = vec Q`` (one dense LU solve of size
      n², O(n⁶)): exact and the fastest for the small state vectors of first-order models;
    - ``"doubling"``: the Smith doubling iteration ``V ← V + A_k V A_k'``, ``A_k ← A_k²``,
      which sums the series Σ_j A^j Q A'^j with matrix products only (2^k terms after k steps;
      a root of modulus ρ needs about log2(37 / (1 - ρ)) steps, 19 for ρ = 0.9999);
    - ``"auto"`` (default): Kronecker for n ≤ 20, doubling above.

    Either is wrapped in `jax.lax.custom_linear_solve` with the operator V ↦ V - A V A', so the
    derivative is another Lyapunov equation, ``dV = A dV A' + (dA V A' + A V dA' + dQ)``, in
    forward mode and its transpose (solved with A') in reverse mode; the iterations are never
    differentiated. The solution is symmetrised. The caller is responsible for A being stable
    (see [`jaxmacro._linalg.has_unit_root`][]); with a unit root the result is meaningless.
    """
    n = A.shape[-1]
    if n == 0:
        return Q
    if method == "auto":
        method = "kron" if n <= KRON_MAX else "doubling"
    if method == "kron":
        fwd = lambda b: _lyap_kron(A, b)  # noqa: E731
        bwd = lambda b: _lyap_kron(A.T, b)  # noqa: E731
    elif method == "doubling":
        fwd = lambda b: _lyap_doubling(A, b, max_steps)  # noqa: E731
        bwd = lambda b: _lyap_doubling(A.T, b, max_steps)  # noqa: E731
    else:
        raise ValueError(f"unknown Lyapunov method {method!r}; use 'auto', 'kron' or 'doubling'")

    def matvec(V):
        return V - A @ V @ A.T

    V = lax.custom_linear_solve(matvec, Q, lambda _, b: fwd(b), lambda _, b: bwd(b))
    return 0.5 * (V + V.T)
