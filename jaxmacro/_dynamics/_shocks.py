"""Shock bookkeeping shared by every consumer of a solution: indices, impulses, draws."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np


def shock_index(sol, shock) -> int:
    """Position of `shock` (a name or an integer index) in `sol.shocks`, validated.

    Raises `ValueError` for an unknown name or an index outside ``0 .. n_shocks - 1`` (JAX would
    silently clamp it to the last shock inside an indexing operation).
    """
    names = sol.shocks
    if isinstance(shock, str):
        if shock not in names:
            raise ValueError(f"unknown shock {shock!r}; declared: {', '.join(names)}")
        return names.index(shock)
    if isinstance(shock, bool) or not isinstance(shock, (int, np.integer)):
        raise TypeError(f"`shock` must be a shock name or an integer index, got {shock!r}")
    if not 0 <= shock < len(names):
        raise ValueError(
            f"shock index {shock} is out of range: the model has {len(names)} shock(s) "
            f"({', '.join(names)}), indices 0..{len(names) - 1}"
        )
    return int(shock)


def _semidefinite_cholesky(cov):
    """Lower-triangular L with L L' = Σ for any positive-semidefinite Σ, column by column
    (unrolled: shocks are few). A pivot at rounding level relative to the shock's own variance
    gives a zero column, as for a shock that is a combination of the ones before it; for a
    positive-definite Σ this is the Cholesky factor."""
    n = cov.shape[0]
    eps = 100 * n * jnp.finfo(cov.dtype).eps
    L = jnp.zeros_like(cov)
    for j in range(n):
        d = cov[j, j] - L[j, :j] @ L[j, :j]
        pos = d > eps * cov[j, j]  # relative to the shock's own variance
        root = jnp.sqrt(jnp.where(pos, d, 1.0))
        col = (cov[j + 1 :, j] - L[j + 1 :, :j] @ L[j, :j]) / root
        L = L.at[j, j].set(jnp.where(pos, root, 0.0))
        L = L.at[j + 1 :, j].set(jnp.where(pos, col, 0.0))
    return L


def shock_factor(cov):
    """A lower-triangular factor L with L L' = Σ for any positive-semidefinite Σ.

    The Cholesky factor of Σ when Σ is positive definite (`jnp.linalg.cholesky(Σ)` to rounding);
    when Σ is singular (a zero-variance shock such as the Devereux–Sutherland ξ input, or two
    perfectly correlated shocks) the semidefinite Cholesky factor, in which a shock that adds
    no new variance has a zero column. Impulses and draws are then finite, never NaN: a
    zero-variance shock has a zero impulse, a perfectly correlated one moves with the shocks
    before it. (Σ itself is validated when the model is built and inside jit.)
    """
    n = cov.shape[0]
    if n == 0:
        return cov
    return _semidefinite_cholesky(cov)


def impulse_vector(sol, shock, size=None, orthogonalize: bool = True):
    """The impulse δ for `shock`: a name or index, or a vector of raw shock values.

    For a name or index, δ is that column of the lower Cholesky factor of Σ (Dynare's
    convention: correlated shocks move together), or √Σ_kk on the shock alone with
    ``orthogonalize=False``; `size` multiplies it.
    """
    cov = sol.shock_cov
    ne = cov.shape[0]
    if isinstance(shock, (str, int, np.integer)):
        k = shock_index(sol, shock)
        if orthogonalize:
            v = shock_factor(cov)[:, k]
        else:
            v = jnp.zeros(ne, cov.dtype).at[k].set(jnp.sqrt(cov[k, k]))
    else:
        v = jnp.asarray(shock, cov.dtype)
        if v.shape != (ne,):
            raise ValueError(
                f"`shock` must be a shock name, an index or a vector of {ne} shock values, "
                f"got shape {v.shape}"
            )
    return v if size is None else v * size


def draw_shocks(sol, key, periods: int):
    """(periods, n_shocks) draws u_t ~ N(0, Σ) (zero-variance shocks give zeros)."""
    ne = len(sol.shocks)
    dtype = sol.g_x.dtype
    if ne == 0:
        return jnp.zeros((periods, 0), dtype)
    z = jax.random.normal(key, (periods, ne), dtype=dtype)
    return z @ shock_factor(sol.shock_cov).T
