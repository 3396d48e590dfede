"""Checkpoints: the loop state written atomically to `.npz` and read back, with its identity."""

from __future__ import annotations

import os
import tempfile

import jax
import jax.numpy as jnp
import numpy as np

# ------------------------------------------------------------------------------------------
# Checkpoints
# ------------------------------------------------------------------------------------------


def save_checkpoint(path, state, hist, meta: dict):
    leaves = jax.tree.leaves(state)
    data = {f"state_{i}": np.asarray(x) for i, x in enumerate(leaves)}
    data["n_state_leaves"] = np.asarray(len(leaves))
    for k, v in hist.items():
        data[f"hist_{k}"] = np.asarray(v)
    for k, v in meta.items():
        data[f"meta_{k}"] = np.asarray(v)
    path = os.fspath(path)
    d = os.path.dirname(os.path.abspath(path))
    os.makedirs(d, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".ckpt-", suffix=".npz", dir=d)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def load_checkpoint(path, like, meta: dict):
    with np.load(os.fspath(path), allow_pickle=False) as z:
        for k, v in meta.items():
            saved = z.get(f"meta_{k}")
            v = np.asarray(v)
            if saved is None or saved.shape != v.shape or not np.array_equal(saved, v):
                raise ValueError(
                    f"checkpoint {os.fspath(path)!r} belongs to a different calibration (its "
                    f"{k!r} differs from this call's). Delete it, pass another `checkpoint` path, "
                    "or call with the same arguments as the run that wrote it."
                )
        leaves, treedef = jax.tree.flatten(like)
        n = int(z["n_state_leaves"])
        if n != len(leaves):
            raise ValueError(
                f"checkpoint {os.fspath(path)!r} has {n} state arrays, this optimiser needs "
                f"{len(leaves)}: it was written with another optimiser"
            )
        new = []
        for i, ref in enumerate(leaves):
            a = z[f"state_{i}"]
            ref = np.asarray(ref)
            if a.shape != ref.shape:
                raise ValueError(
                    f"checkpoint {os.fspath(path)!r}: state array {i} has shape {a.shape}, "
                    f"expected {ref.shape} (another optimiser or number of starts)"
                )
            new.append(jnp.asarray(a, dtype=ref.dtype))
        hist = {k[5:]: np.asarray(z[k]) for k in z.files if k.startswith("hist_")}
    return jax.tree.unflatten(treedef, new), hist
