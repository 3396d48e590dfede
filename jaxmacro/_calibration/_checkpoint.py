"""Checkpoints: the loop state written atomically to `.npz` and read back, with its identity.

A checkpoint is resumed only by the calibration that wrote it. Its identity (the `meta` arrays
stored beside the state) covers the targets, weights, free names, fixed parameters and start,
and a digest ([`fingerprint`][]) of everything else that determines the answer: the moment
function (its code, the values it closes over and the globals it reads, e.g. the `Model` it
solves and that model's default parameters and equations), the transforms, the optimiser (its
hyperparameters live in the closures of its `init`/`update`) and the stopping rules. On any
difference the call refuses to resume and says how to start afresh.

**Limits of the digest** (what it cannot see, so changing it does not invalidate a checkpoint):
data a function reads at call time from files or the environment; objects reached only
through attribute lookups on a module (``mymodule.model``: only the module's name is hashed);
the code of functions of installed libraries (jax, numpy, jaxmacro, ...: their closures are
hashed, not their code); objects without fields (C extensions); and anything beyond a depth of
12 or 20,000 visited objects. After changing such things, delete the checkpoint or pass
``resume=False``.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import os
import tempfile
import types

import jax
import jax.numpy as jnp
import numpy as np

_LIBRARIES = (
    "jax",
    "jaxlib",
    "jaxmacro",
    "numpy",
    "equinox",
    "optax",
    "optimistix",
    "lineax",
    "scipy",
    "builtins",
    "functools",
)
_MAX_DEPTH = 12
_MAX_NODES = 20_000


def _is_library(module: str | None) -> bool:
    return bool(module) and module.split(".")[0] in _LIBRARIES


def fingerprint(obj) -> str:
    """A digest (hex SHA-256) of `obj` that is stable across processes: no memory addresses.

    Numbers, strings and arrays by value; containers, `functools.partial`, dataclasses and
    `equinox.Module`s (every field, static or not) by their parts; functions by qualified
    name and, when defined outside the installed libraries, their byte code and constants,
    defaults, closure values and the non-module globals they name (libraries' functions by
    name and closure values only). See the module docstring for what it cannot see.
    """
    h = hashlib.sha256()
    seen: dict[int, object] = {}  # id -> object: kept alive, so no id is reused meanwhile
    budget = [_MAX_NODES]

    def put(tag: str, data: bytes = b"") -> None:
        h.update(tag.encode() + b"\0" + data + b"\1")

    def visit(x, depth: int) -> None:
        budget[0] -= 1
        if depth > _MAX_DEPTH or budget[0] < 0:
            put("cut")
            return
        if x is None or isinstance(x, (bool, int, float, complex, str, bytes)):
            put(type(x).__name__, repr(x).encode())
            return
        if isinstance(x, (np.ndarray, np.generic, jax.Array)):
            try:
                a = np.asarray(x)
            except Exception:  # a tracer: no value to hash
                put("abstract", str(getattr(x, "aval", type(x))).encode())
                return
            put("array", f"{a.dtype}{a.shape}".encode() + np.ascontiguousarray(a).tobytes())
            return
        if isinstance(x, types.ModuleType):
            put("module", x.__name__.encode())
            return
        if isinstance(x, type):
            put("type", f"{x.__module__}.{x.__qualname__}".encode())
            return
        if id(x) in seen:
            put("seen")
            return
        seen[id(x)] = x
        if isinstance(x, (tuple, list, set, frozenset)):
            items = sorted(x, key=repr) if isinstance(x, (set, frozenset)) else x
            put(type(x).__name__, str(len(items)).encode())
            for v in items:
                visit(v, depth + 1)
            return
        if isinstance(x, dict):
            put("dict", str(len(x)).encode())
            for k in sorted(x, key=repr):
                visit(k, depth + 1)
                visit(x[k], depth + 1)
            return
        if isinstance(x, functools.partial):
            put("partial")
            visit(x.func, depth + 1)
            visit(x.args, depth + 1)
            visit(x.keywords, depth + 1)
            return
        if isinstance(x, types.MethodType):
            put("method")
            visit(x.__func__, depth + 1)
            visit(x.__self__, depth + 1)
            return
        if isinstance(x, types.CodeType):
            put("code", x.co_code)
            visit(x.co_consts, depth + 1)
            visit(x.co_names, depth + 1)
            return
        if isinstance(x, types.FunctionType):
            put("function", f"{x.__module__}.{x.__qualname__}".encode())
            cells = [c.cell_contents for c in (x.__closure__ or ()) if _has_contents(c)]
            visit(cells, depth + 1)
            visit(x.__defaults__, depth + 1)
            visit(x.__kwdefaults__, depth + 1)
            if not _is_library(x.__module__):
                visit(x.__code__, depth + 1)
                names = _global_names(x.__code__)
                g = x.__globals__
                visit({n: g[n] for n in names if n in g}, depth + 1)
            return
        if dataclasses.is_dataclass(x):  # equinox Modules included (static fields too)
            put("dataclass", f"{type(x).__module__}.{type(x).__qualname__}".encode())
            for f in dataclasses.fields(x):
                put("field", f.name.encode())
                visit(getattr(x, f.name, None), depth + 1)
            return
        if callable(x) and hasattr(x, "__wrapped__"):  # jax.jit, functools.wraps
            put("wrapped", type(x).__qualname__.encode())
            visit(x.__wrapped__, depth + 1)
            return
        put("object", f"{type(x).__module__}.{type(x).__qualname__}".encode())
        fields = getattr(x, "__dict__", None)
        if isinstance(fields, dict):
            visit(fields, depth + 1)

    visit(obj, 0)
    return h.hexdigest()


def _has_contents(cell) -> bool:
    try:
        cell.cell_contents  # noqa: B018
    except ValueError:  # an empty cell (a name assigned after the function was defined)
        return False
    return True


def _global_names(code: types.CodeType) -> list[str]:
    """Names a function (and the functions nested in it) may read as globals."""
    names = list(code.co_names)
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            names += _global_names(c)
    return sorted(set(names))


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


_FRESH = "delete it, pass another `checkpoint` path, or pass resume=False"

# What each identity entry means, for the refusal message.
_WHAT = {
    "free": "free parameter names",
    "targets": "targets",
    "weights": "weights",
    "fixed_names": "fixed parameter names",
    "fixed_values": "fixed parameter values",
    "u0": "starting point",
    "moment_fn": "moment function (its code, or the model or values it uses)",
    "transforms": "transforms",
    "optimizer": "optimiser or its settings",
    "stopping": "stopping rules (gtol, ftol, max_rejections) or checkpoint_every",
    "problem": "estimation problem (model, data, observables, priors, fixed values)",
}


class CheckpointError(ValueError):
    """A checkpoint that cannot be resumed by this call (the message says why and what to do)."""


def load_checkpoint(path, like, meta: dict):
    """The state and history stored at `path`, if it was written by this calibration (`meta`).

    Raises [`CheckpointError`][] (a `ValueError`) naming the file and the fix when it belongs to
    another calibration or cannot be read. Pickled content is never loaded.
    """
    name = os.fspath(path)
    try:
        return _load(name, like, meta)
    except CheckpointError:
        raise
    except Exception as e:  # damaged archive, missing entries, object arrays (pickles), ...
        # The underlying message is not repeated: numpy's may suggest allow_pickle=True.
        raise CheckpointError(
            f"checkpoint {name!r} cannot be read: it is damaged (e.g. truncated) or not a "
            f"jaxmacro checkpoint ({type(e).__name__}). To start afresh, {_FRESH}."
        ) from None


def _load(name, like, meta):
    z = np.load(name, allow_pickle=False)
    if not isinstance(z, np.lib.npyio.NpzFile):
        raise CheckpointError(
            f"checkpoint {name!r} is not a jaxmacro checkpoint (an .npz archive). To start "
            f"afresh, {_FRESH}."
        )
    with z:
        differ = []
        for k, v in meta.items():
            saved = z.get(f"meta_{k}")
            v = np.asarray(v)
            if saved is None or saved.shape != v.shape or not np.array_equal(saved, v):
                differ.append(_WHAT.get(k, repr(k)))
        if differ:
            raise CheckpointError(
                f"checkpoint {name!r} belongs to a different calibration (or estimation): its "
                f"{'; '.join(differ)} differ from this call's, so resuming would report the "
                f"old run's answer. To start afresh, {_FRESH}; to resume it, call with the "
                "same arguments (and model) as the run that wrote it."
            )
        leaves, treedef = jax.tree.flatten(like)
        n = int(z["n_state_leaves"])
        if n != len(leaves):
            raise CheckpointError(
                f"checkpoint {name!r} has {n} state arrays, this optimiser needs "
                f"{len(leaves)}: it was written with another optimiser. To start afresh, "
                f"{_FRESH}."
            )
        new = []
        for i, ref in enumerate(leaves):
            a = z[f"state_{i}"]
            ref = np.asarray(ref)
            if a.shape != ref.shape:
                raise CheckpointError(
                    f"checkpoint {name!r}: state array {i} has shape {a.shape}, expected "
                    f"{ref.shape} (another optimiser or number of starts). To start afresh, "
                    f"{_FRESH}."
                )
            new.append(jnp.asarray(a, dtype=ref.dtype))
        hist = {k[5:]: np.asarray(z[k]) for k in z.files if k.startswith("hist_")}
    return jax.tree.unflatten(treedef, new), hist
