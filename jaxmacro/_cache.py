"""The persistent compilation cache: compiled XLA programs kept on disk between processes.

JAX compiles every jitted program the first time it runs in a process (seconds for a solve);
with its on-disk cache a later process that runs the same program on the same machine, JAX
version and shapes loads it instead. The command line turns the cache on for itself; a script
gets the same with one call, before its first solve:

    import jaxmacro as jm
    jm.enable_compilation_cache()          # ~/.cache/jaxmacro/xla (or $XDG_CACHE_HOME/...)

Importing jaxmacro never changes JAX's configuration; this function does, when called.
"""

from __future__ import annotations

import os

ENV_DIR = "JAXMACRO_CACHE_DIR"  # overrides the default directory
ENV_OFF = "JAXMACRO_NO_CACHE"  # set to 1 to keep the command line from using the cache


def default_cache_dir() -> str:
    """``$JAXMACRO_CACHE_DIR``, else ``$XDG_CACHE_HOME/jaxmacro/xla``, else
    ``~/.cache/jaxmacro/xla``."""
    env = os.environ.get(ENV_DIR)
    if env:
        return env
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "jaxmacro", "xla")


def _env_set(name: str) -> bool:
    """True when the environment variable is set to anything but "", "0", "false" or "no"."""
    return os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no")


def cache_disabled_by_environment() -> bool:
    """True when ``$JAXMACRO_NO_CACHE`` is set to anything but "", "0" or "false"."""
    return _env_set(ENV_OFF)


def enable_compilation_cache(path: str | os.PathLike | None = None) -> str:
    """Turn on JAX's persistent compilation cache for this process and return its directory.

    **Arguments:**

    - `path`: the cache directory (created if missing); default [`default_cache_dir`][].

    Every compiled program is cached (JAX's minimum compile time for caching is set to 0: a
    solve is many small programs). Entries are keyed by the program, the JAX/XLA version and
    the device, so a stale entry is never used; delete the directory to reclaim the space.
    """
    import jax

    path = os.fspath(path) if path is not None else default_cache_dir()
    os.makedirs(path, exist_ok=True)
    jax.config.update("jax_compilation_cache_dir", path)
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    return path


# XLA:CPU spends most of a compile optimising and emitting LLVM code; with these two flags a
# solve compiles ~4x faster and runs up to ~2x slower (benchmarks/RESULTS.md, 2026-12-08). Right
# for programs that run once (the command line's solve, the test suite); wrong for sweeps.
FAST_COMPILE_XLA_FLAGS = "--xla_backend_optimization_level=0 --xla_cpu_use_fusion_emitters=false"
ENV_XLA_DEFAULTS = "JAXMACRO_XLA_DEFAULTS"  # set to 1 to keep XLA's default optimisation


def use_fast_compile() -> bool:
    """Add [`FAST_COMPILE_XLA_FLAGS`][] to ``$XLA_FLAGS`` unless ``$JAXMACRO_XLA_DEFAULTS`` is set;
    True if added. Takes effect only before JAX creates its CPU client (the first computation)."""
    if _env_set(ENV_XLA_DEFAULTS):
        return False
    flags = os.environ.get("XLA_FLAGS", "")
    if FAST_COMPILE_XLA_FLAGS not in flags:
        os.environ["XLA_FLAGS"] = f"{flags} {FAST_COMPILE_XLA_FLAGS}".strip()
    return True
