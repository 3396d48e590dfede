"""Sweeps whose batch size does not force a new compile: `vmap_chunked`.

`jax.jit(jax.vmap(f))` compiles once per batch size, and for a solver the compile (seconds) is
most of a sweep's cost. `vmap_chunked(f, xs, chunk_size=k)` compiles one vmapped block of `k`
points and runs it over the sweep in chunks, padding the last chunk with copies of the last
point, so every batch size reuses the same program. The chunks are dispatched from Python and
assembled on the host, so no other program is compiled either.
"""

from __future__ import annotations

from collections.abc import Callable

import equinox as eqx
import jax
import numpy as np


@eqx.filter_jit
def _block(fn, xs):
    return jax.vmap(fn)(xs)


def vmap_chunked(fn: Callable, xs, *, chunk_size: int = 256):
    """``jax.vmap(fn)(xs)`` computed in fixed-size blocks: one compile for every batch size.

    **Arguments:**

    - `fn`: a function of one point (a pytree of arrays), e.g.
      ``lambda b: jm.solve(model, {"beta": b}, throw=False).g_x``. The same function object must
      be passed again to reuse the compiled block (a new ``lambda`` is a new function).
    - `xs`: the points, a pytree of arrays with a common leading axis of any length N ≥ 1.
    - `chunk_size`: points per compiled block. The block is compiled once per `fn`,
      `chunk_size` and point shape; a sweep of N points runs it ceil(N / chunk_size) times.

    **Returns:** what ``jax.vmap(fn)(xs)`` returns (leading axis N), with arrays as JAX arrays.
    For concrete inputs at the top level of a script (inside `jit` or `grad` use `jax.vmap` or
    `jax.lax.map`).
    """
    chunk_size = int(chunk_size)
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be a positive integer, got {chunk_size}")
    leaves = jax.tree_util.tree_leaves(xs)
    if not leaves:
        raise ValueError("xs has no arrays to sweep over")
    if any(isinstance(x, jax.core.Tracer) for x in leaves):
        raise TypeError("vmap_chunked needs concrete inputs; inside jit use jax.vmap or lax.map")
    sizes = {np.shape(x)[0] if np.ndim(x) else None for x in leaves}
    if len(sizes) != 1 or None in sizes or 0 in sizes:
        raise ValueError(f"the leaves of xs need one common, non-zero leading axis; got {sizes}")
    (n,) = sizes
    xs = jax.tree_util.tree_map(np.asarray, xs)
    pad = -n % chunk_size
    if pad:
        xs = jax.tree_util.tree_map(
            lambda x: np.concatenate([x, np.repeat(x[-1:], pad, axis=0)]), xs
        )
    outs = [
        jax.tree_util.tree_map(
            np.asarray, _block(fn, jax.tree_util.tree_map(lambda x: x[i : i + chunk_size], xs))
        )
        for i in range(0, n + pad, chunk_size)
    ]
    # device_put, not jnp.asarray: the latter compiles a small copy program per shape.
    return jax.tree_util.tree_map(lambda *parts: jax.device_put(np.concatenate(parts)[:n]), *outs)
