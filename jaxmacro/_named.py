"""Named access to vectors of model quantities.

A user's residual function receives its arguments as [`jaxmacro.Named`][] views: ``y.c`` or
``y["c"]`` is the scalar for variable ``c``. Names are static (hashable Python data); values are
JAX arrays, so a `Named` is a pytree and passes through ``jit``/``vmap``/``grad``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import jax
import jax.numpy as jnp


class UnknownNameError(KeyError, AttributeError):
    """Raised when a residual function refers to a name the model does not declare."""

    def __str__(self):  # KeyError quotes its message; keep it readable.
        return str(self.args[0]) if self.args else ""


@jax.tree_util.register_pytree_node_class
class Named:
    """A vector of scalars addressed by name: ``v.beta``, ``v["beta"]``, ``v.values``.

    **Arguments:**

    - `names`: tuple of names (static).
    - `values`: array whose last axis is indexed by `names`.
    - `what`: what the names are ("variable at t+1", "parameter", ...), used in error messages.
    """

    __slots__ = ("_names", "_index", "_values", "_what")

    def __init__(self, names: tuple[str, ...], values, what: str = "name"):
        object.__setattr__(self, "_names", tuple(names))
        object.__setattr__(self, "_index", {n: i for i, n in enumerate(names)})
        object.__setattr__(self, "_values", values)
        object.__setattr__(self, "_what", what)

    # pytree -----------------------------------------------------------------
    def tree_flatten(self):
        return (self._values,), (self._names, self._what)

    @classmethod
    def tree_unflatten(cls, aux, children):
        return cls(aux[0], children[0], aux[1])

    # access -----------------------------------------------------------------
    @property
    def names(self) -> tuple[str, ...]:
        return self._names

    @property
    def values(self):
        return self._values

    def _lookup(self, name: str):
        try:
            i = self._index[name]
        except KeyError:
            raise UnknownNameError(
                f"unknown {self._what} {name!r}; declared: {', '.join(self._names) or '(none)'}"
            ) from None
        return self._values[..., i]

    def __getattr__(self, name: str):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return self._lookup(name)

    def __getitem__(self, name: str):
        return self._lookup(name)

    def __setattr__(self, name, value):
        raise AttributeError("Named is immutable")

    def __contains__(self, name: str) -> bool:
        return name in self._index

    def __iter__(self):
        return iter(self._names)

    def __len__(self):
        return len(self._names)

    def keys(self):
        return self._names

    def items(self):
        return [(n, self._values[..., i]) for i, n in enumerate(self._names)]

    def as_dict(self) -> dict:
        return dict(self.items())

    def __repr__(self):
        try:
            vals = ", ".join(f"{n}={float(v):.6g}" for n, v in self.items())
        except Exception:  # traced or batched values
            vals = ", ".join(self._names)
        return f"Named({vals})"


def to_vector(names: tuple[str, ...], values, what: str, *, fill: Mapping | None = None, xp=jnp):
    """Turn a mapping (or a `Named`, or an array in `names` order) into an array in `names` order.

    Missing names are taken from `fill` if given; unknown names raise a ``ValueError``. `xp` is
    the array module (`numpy` builds the vector on the host, for concrete values).
    """
    if isinstance(values, Named):
        values = values.as_dict()
    if isinstance(values, Mapping):
        unknown = [k for k in values if k not in names]
        if unknown:
            raise ValueError(
                f"unknown {what} name(s) {', '.join(map(repr, unknown))}; declared: {', '.join(names)}"
            )
        out = []
        for n in names:
            if n in values:
                out.append(xp.asarray(values[n]))
            elif fill is not None and n in fill:
                out.append(xp.asarray(fill[n]))
            else:
                raise ValueError(f"no value given for {what} {n!r}")
        out = xp.broadcast_arrays(*out) if out else out
        return xp.stack(out, axis=-1) if out else xp.zeros((0,))
    arr = xp.asarray(values)
    if arr.shape[-1:] != (len(names),):
        raise ValueError(
            f"expected {len(names)} {what} values (for {', '.join(names)}), got shape {arr.shape}"
        )
    return arr


def check_names(names: Iterable[str], what: str) -> tuple[str, ...]:
    names = tuple(names)
    seen = set()
    for n in names:
        if not isinstance(n, str) or not n.isidentifier():
            raise ValueError(f"{what} name {n!r} is not a valid identifier")
        if n in seen:
            raise ValueError(f"duplicate {what} name {n!r}")
        seen.add(n)
    return names
