"""Gradient-based calibration: fit parameters so that model moments hit targets.

Given a function `moment_fn(params) -> (m(θ), result)` (any differentiable map from parameters to a
vector or dict of model moments, e.g. built from [`jaxmacro.solve`][] and [`jaxmacro.moments`][]
with ``throw=False``), targets m̄ and a positive (semi-)definite weight W, the calibration solves

    min_θ  L(θ) = ½ (m(θ) - m̄)' W (m(θ) - m̄)        over the free parameters θ ⊂ params,

the other parameters held fixed. Each free parameter is optimised in an unconstrained coordinate
u with θ = T(u) ([`jaxmacro.Positive`][], [`jaxmacro.UnitInterval`][], [`jaxmacro.Bounded`][]),
by any optax optimiser (default: L-BFGS with a zoom line search). The loop is built for long runs:

- **Failures are rejected, never propagated.** A point where `result` is not successful (no steady
  state, Blanchard–Kahn failure, unit root) or where the moments are not finite has L = +∞. The
  line search of L-BFGS backs off from such points by itself; for any other optimiser the step is
  rejected (parameters and optimiser state kept) and retried at half the length. NaNs never enter
  the parameters, the optimiser state or the history.
- **Deterministic and resumable.** The whole state (u, the optax state, the loss, the gradient,
  step counters) is a pytree of arrays. It is advanced by one compiled function in chunks of
  `checkpoint_every` steps and written to `checkpoint` (``.npz``, atomically: temporary file and
  ``os.replace``) after every chunk. A run killed at any time and restarted with the same
  arguments resumes from the last checkpoint and ends at bitwise the same parameters as an
  uninterrupted run.
- **Diagnostics, not exceptions.** The result [`jaxmacro.Calibration`][] holds the final distance,
  the moments against the targets (which ones miss), the loss and gradient-norm history and the
  Jacobian ∂m/∂θ at the solution, whose singular values measure local identification.

[`jaxmacro.calibrate_multistart`][] runs many starting points in one vmapped loop.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence

import jax
import jax.numpy as jnp
import numpy as np
import optax

from .._misc import require_float64
from ._loop import drive
from ._problem import prepare, start_vector
from ._result import Calibration, MultiStartCalibration, build_result


def calibrate(
    moment_fn: Callable,
    targets,
    params0: Mapping,
    *,
    free: Sequence[str] | str,
    transforms: Mapping | None = None,
    weights=None,
    optimizer: optax.GradientTransformation | None = None,
    max_steps: int = 500,
    gtol: float = 1e-10,
    ftol: float = 1e-15,
    max_rejections: int = 40,
    checkpoint: str | os.PathLike | None = None,
    checkpoint_every: int = 25,
    resume: bool = True,
    progress: bool = True,
) -> Calibration:
    """Calibrate the `free` parameters so that `moment_fn` hits `targets`.

    Minimises L(θ) = ½ (m(θ) - m̄)' W (m(θ) - m̄) over θ = T(u), u unconstrained, by an optax
    optimiser, rejecting trial points where the model fails (see the module docstring).

    **Main arguments:**

    - `moment_fn`: ``moment_fn(params: dict) -> (moments, result)``. `moments` is a mapping
      name -> scalar (targets by name) or a vector; `result` a [`jaxmacro.RESULTS`][] member
      (or any ``optimistix``-style result, a boolean "ok", or omitted). It must be written with
      JAX (it is jit-compiled, differentiated in reverse mode and, for multi-start, vmapped);
      solve the model with ``throw=False`` inside it. Pass the same function object to repeated
      calls to reuse the compiled loop.
    - `targets`: mapping moment name -> target (a subset of what `moment_fn` returns) or vector.
    - `params0`: every parameter `moment_fn` needs; the free ones give the starting point.
    - `free` (keyword-only): names of the parameters to calibrate.

    **Other arguments (keyword-only):**

    - `transforms`: mapping free name -> transform ([`jaxmacro.Positive`][], ``"unit"``,
      ``(lower, upper)`` ...; see [`jaxmacro.as_transform`][]). Default: unconstrained.
    - `weights`: W as a vector (diagonal), a matrix, or a mapping name -> weight. Default
      W = diag(1/m̄²) (relative distances; 1 for a zero target).
    - `optimizer`: any ``optax.GradientTransformation``. Default [`jaxmacro.default_optimizer`][]
      (L-BFGS with zoom line search). Optimisers that need the objective (line searches) get
      ``value``, ``grad`` and ``value_fn`` as extra arguments.
    - `max_steps`: total step limit (counting steps done before a resume).
    - `gtol`: stop when |∂L/∂u| <= gtol. `ftol`: stop when an accepted step changes L by at
      most ftol·|L|. `max_rejections`: stop after this many consecutive failed steps.
    - `checkpoint`: path of an ``.npz`` file. Written (atomically) every `checkpoint_every` steps
      and at the end; if it exists when the call starts (and `resume`), the run continues from it.
      A checkpoint from a different problem raises ``ValueError`` saying how to start afresh:
      its identity covers the free names, targets, weights, fixed parameters, start,
      transforms, optimiser, stopping rules and a digest of `moment_fn` (its code, closure
      values and the globals it reads, such as the `Model` it solves; the limits of that digest
      are listed in ``jaxmacro/_calibration/_checkpoint.py``). A damaged checkpoint raises
      ``ValueError`` naming the file. `resume=False` starts afresh and overwrites it.
    - `checkpoint_every`: steps per compiled chunk (also the progress-bar refresh). Keep it
      equal between a run and its resumption for bitwise-identical trajectories.
    - `progress`: show a tqdm progress bar with the loss and gradient norm.

    **Returns:** a [`jaxmacro.Calibration`][]. Failures are reported, not raised: a start where
    the model fails gives `status` ``start_failed``; unreachable targets give a converged run
    with a positive loss and the moments that miss listed by `Calibration.missed()`.
    """
    dtype = jnp.result_type(float)
    require_float64(dtype, "calibrate")
    problem, names, meta = prepare(moment_fn, targets, params0, free, transforms, weights, dtype)
    x0 = np.asarray([float(params0[n]) for n in problem.free], dtype=dtype)
    u0 = jnp.asarray(start_vector(problem, x0), dtype=dtype)
    state, hist = drive(
        problem,
        optimizer,
        u0,
        batched=False,
        max_steps=int(max_steps),
        gtol=gtol,
        ftol=ftol,
        max_rejections=max_rejections,
        checkpoint=checkpoint,
        checkpoint_every=checkpoint_every,
        progress=progress,
        resume=resume,
        meta=meta,
        names=names,
    )
    hist = dict(hist, u0=u0)
    return build_result(problem, names, state, hist, False, max_steps)


def calibrate_multistart(
    moment_fn: Callable,
    targets,
    params0: Mapping,
    *,
    free: Sequence[str] | str,
    starts=None,
    n_starts: int | None = None,
    key=None,
    spread: float = 0.5,
    transforms: Mapping | None = None,
    weights=None,
    optimizer: optax.GradientTransformation | None = None,
    max_steps: int = 500,
    gtol: float = 1e-10,
    ftol: float = 1e-15,
    max_rejections: int = 40,
    checkpoint: str | os.PathLike | None = None,
    checkpoint_every: int = 25,
    resume: bool = True,
    progress: bool = True,
) -> MultiStartCalibration:
    """[`jaxmacro.calibrate`][] from many starting points at once, in one vmapped loop.

    **Starting points** (keyword-only), one of:

    - `starts`: a mapping free name -> array of shape (n,) (names not given start at `params0`),
      or an array of shape (n, n_free) in `free` order;
    - `n_starts` and `key` (a ``jax.random`` key): u = T⁻¹(θ₀) + `spread`·N(0, I) in the
      unconstrained coordinates, the first start being θ₀ itself.

    Every start runs until its own stopping rule holds; finished starts are frozen while the
    others continue. Other arguments as in [`jaxmacro.calibrate`][].

    **Returns:** a [`jaxmacro.MultiStartCalibration`][] with all runs, the best one, and the
    spread of the estimates (a wide spread at equal loss signals weak identification).
    """
    dtype = jnp.result_type(float)
    require_float64(dtype, "calibrate_multistart")
    problem, names, meta = prepare(moment_fn, targets, params0, free, transforms, weights, dtype)
    base = np.asarray([float(params0[n]) for n in problem.free], dtype=dtype)
    if starts is not None:
        if isinstance(starts, Mapping):
            unknown = [k for k in starts if k not in problem.free]
            if unknown:
                raise ValueError(f"starts given for {unknown}, which are not free {problem.free}")
            n = {np.size(v) for v in starts.values()}
            if len(n) != 1:
                raise ValueError("all arrays in `starts` must have the same length")
            (n,) = n
            x0 = np.tile(base, (n, 1))
            for k, v in starts.items():
                x0[:, problem.free.index(k)] = np.ravel(np.asarray(v, dtype=dtype))
        else:
            x0 = np.asarray(starts, dtype=dtype)
            if x0.ndim != 2 or x0.shape[1] != len(problem.free):
                raise ValueError(f"starts must have shape (n, {len(problem.free)}), got {x0.shape}")
        u0 = jnp.asarray(start_vector(problem, x0), dtype=dtype)
    else:
        if n_starts is None or key is None:
            raise ValueError("give `starts`, or `n_starts` and a `key`")
        ub = jnp.asarray(start_vector(problem, base), dtype=dtype)
        eps = jax.random.normal(key, (int(n_starts), ub.shape[0]), dtype=dtype)
        eps = eps.at[0].set(0.0)
        u0 = ub[None, :] + spread * eps
    state, hist = drive(
        problem,
        optimizer,
        u0,
        batched=True,
        max_steps=int(max_steps),
        gtol=gtol,
        ftol=ftol,
        max_rejections=max_rejections,
        checkpoint=checkpoint,
        checkpoint_every=checkpoint_every,
        progress=progress,
        resume=resume,
        meta=meta,
        names=names,
    )
    hist = dict(hist, u0=u0)
    runs = build_result(problem, names, state, hist, True, max_steps)
    loss = np.asarray(runs.loss)
    conv = np.asarray(runs.converged)
    cand = np.where(conv, loss, np.inf)
    best = (
        int(np.argmin(cand))
        if np.any(np.isfinite(cand))
        else int(np.nanargmin(np.where(np.isfinite(loss), loss, np.inf)))
    )
    return MultiStartCalibration(runs=runs, best=jnp.asarray(best))
