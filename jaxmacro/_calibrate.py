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

import functools
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax
from equinox._enum import EnumerationItem
from jaxtyping import Array, Bool, Float, Int

from ._results import RESULTS, result_name
from ._transforms import AbstractTransform, as_transform

__all__ = [
    "Calibration",
    "CalibrationStatus",
    "MultiStartCalibration",
    "calibrate",
    "calibrate_multistart",
    "default_optimizer",
]


class CalibrationStatus(eqx.Enumeration):
    """Why a calibration stopped."""

    running = "The calibration has not finished."
    gtol = "Converged: the gradient norm fell below `gtol`."
    ftol = "Converged: the relative change of the loss in an accepted step fell below `ftol`."
    max_steps = (
        "Stopped at `max_steps` before `gtol` or `ftol` was met. Raise `max_steps` (with the same "
        "`checkpoint` the run resumes where it stopped), or check the history for slow progress."
    )
    stuck = (
        "Stopped: `max_rejections` consecutive steps were rejected because the model failed "
        "(no steady state, Blanchard-Kahn failure, non-finite moments) at every trial point. "
        "The optimiser is pressed against the boundary of the region where the model solves; "
        "use a transform that keeps parameters inside it, or another start."
    )
    start_failed = (
        "The model fails at the starting point (its `result` is not successful or the moments "
        "are not finite), so no step can be taken. Choose another start."
    )


_RUNNING = 0
_GTOL = 1
_FTOL = 2
_MAX_STEPS = 3
_STUCK = 4
_START_FAILED = 5
_STATUS_NAMES = ("running", "gtol", "ftol", "max_steps", "stuck", "start_failed")
assert all(
    int(getattr(CalibrationStatus, n)._value) == i for i, n in enumerate(_STATUS_NAMES)
), "CalibrationStatus order"


def _status_item(code) -> CalibrationStatus:
    return eqx.tree_at(lambda s: s._value, CalibrationStatus.running, jnp.asarray(code, jnp.int32))


@functools.cache
def default_optimizer() -> optax.GradientTransformationExtraArgs:
    """The default optimiser: ``optax.lbfgs()`` (memory 10, zoom line search, 20 trials).

    The line search treats the +∞ loss of a failed model evaluation as a point outside the
    domain and shrinks the step, so L-BFGS needs no extra safeguard. One object is returned for
    the whole session, so repeated calibrations reuse the compiled loop.
    """
    return optax.lbfgs()


# ------------------------------------------------------------------------------------------
# The problem: parameters <-> unconstrained vector, moments, loss
# ------------------------------------------------------------------------------------------


def _is_ok(result):
    """Boolean 'successful' for a RESULTS-like enumeration item, a boolean, or None."""
    if result is None:
        return jnp.asarray(True)
    if isinstance(result, EnumerationItem):
        return result == result._enumeration.successful  # pyright: ignore
    return jnp.asarray(result, dtype=bool)


class _Problem(eqx.Module):
    moment_fn: Callable = eqx.field(static=True)
    free: tuple[str, ...] = eqx.field(static=True)
    transforms: tuple[AbstractTransform, ...]
    moment_names: tuple[str, ...] | None = eqx.field(static=True)
    fixed: dict
    targets: Array
    weights: Array

    def natural(self, u):
        return jnp.stack([t.forward(u[i]) for i, t in enumerate(self.transforms)])

    def unconstrained(self, x):
        return jnp.stack([t.inverse(x[i]) for i, t in enumerate(self.transforms)])

    def params(self, x) -> dict:
        p = dict(self.fixed)
        p.update({n: x[i] for i, n in enumerate(self.free)})
        return p

    def evaluate(self, x):
        """Moment vector, raw result and ok flag at natural free values x."""
        out = self.moment_fn(self.params(x))
        if isinstance(out, tuple) and len(out) == 2:
            mom, result = out
        else:
            mom, result = out, None
        if self.moment_names is not None:
            if not isinstance(mom, Mapping):
                raise TypeError(
                    "targets were given by name, so `moment_fn` must return a mapping "
                    f"name -> moment; got {type(mom).__name__}"
                )
            missing = [k for k in self.moment_names if k not in mom]
            if missing:
                raise ValueError(
                    f"moment_fn returns no moment(s) {missing}; it returns {sorted(mom)}"
                )
            dt = self.targets.dtype
            m = jnp.stack([jnp.asarray(mom[k], dtype=dt) for k in self.moment_names])
        else:
            if isinstance(mom, Mapping):
                raise TypeError("`moment_fn` returns a mapping, so give the targets as a mapping")
            m = jnp.ravel(jnp.asarray(mom, dtype=self.targets.dtype))
            if m.shape != self.targets.shape:
                raise ValueError(
                    f"moment_fn returns {m.shape[0]} moments but {self.targets.shape[0]} targets "
                    "were given"
                )
        ok = _is_ok(result) & jnp.all(jnp.isfinite(m))
        return m, result, ok

    def loss_of(self, m):
        e = m - self.targets
        if self.weights.ndim == 1:
            return 0.5 * jnp.sum(self.weights * e**2)
        return 0.5 * e @ self.weights @ e

    def safe_loss(self, u):
        """L(T(u)), or +∞ where the model fails (used by the optimiser and the line search)."""
        m, _, ok = self.evaluate(self.natural(u))
        loss = self.loss_of(m)
        ok = ok & jnp.isfinite(loss)
        return jnp.where(ok, loss, jnp.inf)


class _State(eqx.Module):
    u: Array
    opt_state: optax.OptState
    loss: Array
    grad: Array
    scale: Array
    step: Array
    n_rejected: Array
    n_fail_run: Array
    status: Array


def _value_and_grad(problem: _Problem, u):
    f, g = jax.value_and_grad(problem.safe_loss)(u)
    ok = jnp.isfinite(f) & jnp.all(jnp.isfinite(g))
    return jnp.where(ok, f, jnp.inf), jnp.where(ok, g, 0.0), ok


def _init_impl(problem: _Problem, opt, u0, gtol):
    f, g, ok = _value_and_grad(problem, u0)
    status = jnp.where(ok, jnp.where(jnp.linalg.norm(g) <= gtol, _GTOL, _RUNNING), _START_FAILED)
    zero = jnp.asarray(0, jnp.int32)
    return _State(
        u=u0,
        opt_state=opt.init(u0),
        loss=f,
        grad=g,
        scale=jnp.asarray(1.0, u0.dtype),
        step=zero,
        n_rejected=zero,
        n_fail_run=zero,
        status=jnp.asarray(status, jnp.int32),
    )


def _has_linesearch(opt, u) -> bool:
    """Whether the optimiser's state carries the line search's value and gradient (L-BFGS)."""
    st = jax.eval_shape(opt.init, u)
    get = optax.tree_utils.tree_get
    return get(st, "value", None) is not None and get(st, "grad", None) is not None


def _step(problem: _Problem, opt, st: _State, gtol, ftol, max_rejections, linesearch: bool):
    """One optimiser step with rejection of failed trial points.

    With a line search (`linesearch`), the value and gradient at the accepted point are read from
    the optimiser state, and a step the line search could not make (every trial point failed or
    none decreased the loss: zero update) counts as rejected. Without one, the trial point is
    evaluated here and, if the model fails there, rejected and retried at half the length.
    """
    updates, new_opt_state = opt.update(
        st.grad, st.opt_state, st.u, value=st.loss, grad=st.grad, value_fn=problem.safe_loss
    )
    if linesearch:
        get = optax.tree_utils.tree_get
        u_new = st.u + updates
        f_new, g_new = get(new_opt_state, "value"), get(new_opt_state, "grad")
        ok = jnp.isfinite(f_new) & jnp.all(jnp.isfinite(g_new)) & jnp.any(updates != 0)
        f_new = jnp.where(ok, f_new, jnp.inf)
        g_new = jnp.where(ok, g_new, 0.0)
    else:
        u_new = st.u + st.scale * updates
        f_new, g_new, ok = _value_and_grad(problem, u_new)
    ok = ok & jnp.all(jnp.isfinite(u_new))
    sel = lambda a, b: jax.tree.map(lambda x, y: jnp.where(ok, x, y), a, b)  # noqa: E731
    u = sel(u_new, st.u)
    opt_state = sel(new_opt_state, st.opt_state)
    loss = jnp.where(ok, f_new, st.loss)
    grad = jnp.where(ok, g_new, st.grad)
    scale = jnp.where(ok, jnp.minimum(1.0, 2.0 * st.scale), 0.5 * st.scale)
    n_fail_run = jnp.where(ok, 0, st.n_fail_run + 1)
    # a line search repeats a failed proposal exactly: give up at once
    limit = 1 if linesearch else max_rejections
    gnorm = jnp.linalg.norm(grad)
    df = jnp.abs(st.loss - loss)
    status = jnp.where(
        ok & (gnorm <= gtol),
        _GTOL,
        jnp.where(
            ok & (df <= ftol * jnp.abs(st.loss)),
            _FTOL,
            jnp.where(n_fail_run >= limit, _STUCK, _RUNNING),
        ),
    )
    new = _State(
        u=u,
        opt_state=opt_state,
        loss=loss,
        grad=grad,
        scale=scale,
        step=st.step + 1,
        n_rejected=st.n_rejected + (~ok).astype(jnp.int32),
        n_fail_run=n_fail_run.astype(jnp.int32),
        status=jnp.asarray(status, jnp.int32),
    )
    return new, (loss, gnorm, ok)


def _chunk_impl(problem, opt, state, n, gtol, ftol, max_rejections, chunk):
    linesearch = _has_linesearch(opt, state.u)
    dt = state.loss.dtype
    hist = (jnp.full((chunk,), jnp.nan, dt), jnp.full((chunk,), jnp.nan, dt),
            jnp.zeros((chunk,), bool))

    def cond(c):
        i, st, _ = c
        return (i < n) & (st.status == _RUNNING)

    def body(c):
        i, st, h = c
        st, rec = _step(problem, opt, st, gtol, ftol, max_rejections, linesearch)
        h = tuple(hh.at[i].set(r) for hh, r in zip(h, rec))
        return i + 1, st, h

    i, state, hist = jax.lax.while_loop(cond, body, (jnp.asarray(0, jnp.int32), state, hist))
    return state, hist, i


@eqx.filter_jit
def _init_jit(problem, opt, u0, gtol, batched):
    if batched:
        return jax.vmap(_init_impl, in_axes=(None, None, 0, None))(problem, opt, u0, gtol)
    return _init_impl(problem, opt, u0, gtol)


@eqx.filter_jit
def _chunk_jit(problem, opt, state, n, gtol, ftol, max_rejections, chunk, batched):
    if batched:
        f = jax.vmap(_chunk_impl, in_axes=(None, None, 0, None, None, None, None, None))
        return f(problem, opt, state, n, gtol, ftol, max_rejections, chunk)
    return _chunk_impl(problem, opt, state, n, gtol, ftol, max_rejections, chunk)


def _finalize_impl(problem: _Problem, u):
    """Moments, result, Jacobian ∂m/∂θ (forward mode, one trace) and loss gradient at T(u)."""
    x = problem.natural(u)

    def f(xx):
        m, result, ok = problem.evaluate(xx)
        return m, (m, result, ok)

    jac, (m, result, ok) = jax.jacfwd(f, has_aux=True)(x)
    sv = jnp.linalg.svd(jac, compute_uv=False)
    cond = jnp.where(sv[-1] > 0, sv[0] / jnp.where(sv[-1] > 0, sv[-1], 1.0), jnp.inf)
    if jac.shape[0] < jac.shape[1]:  # fewer moments than parameters: not identified
        cond = jnp.asarray(jnp.inf, sv.dtype)
    loss = problem.loss_of(m)
    ok = ok & jnp.isfinite(loss)
    e = m - problem.targets
    We = problem.weights * e if problem.weights.ndim == 1 else problem.weights @ e
    dxdu = jnp.stack([jax.grad(t.forward)(u[i]) for i, t in enumerate(problem.transforms)])
    gnorm = jnp.linalg.norm((jac.T @ We) * dxdu)
    if not isinstance(result, EnumerationItem):  # None or a boolean "ok"
        result = RESULTS.where(ok, RESULTS.successful, RESULTS.nonfinite_model)
    loss = jnp.where(ok, loss, jnp.inf)
    return x, m, result, ok, jac, sv, cond, loss, jnp.where(ok, gnorm, jnp.nan)


@eqx.filter_jit
def _finalize_jit(problem, u, batched):
    if batched:
        return jax.vmap(_finalize_impl, in_axes=(None, 0))(problem, u)
    return _finalize_impl(problem, u)


# ------------------------------------------------------------------------------------------
# Result objects
# ------------------------------------------------------------------------------------------


class Calibration(eqx.Module):
    """Result of [`jaxmacro.calibrate`][].

    **Fields:**

    - `free`, `moment_names` (static): names of the free parameters and of the moments
      (``m0, m1, ...`` when the targets were a vector).
    - `params`: every parameter (dict name -> value), the free ones at the estimate.
    - `values`, `start`: the free parameters at the estimate and at the start.
    - `loss`: L at the estimate, ½(m - m̄)'W(m - m̄); `grad_norm`: |∂L/∂u| (unconstrained u).
    - `moments`, `targets`, `weights`: m(θ̂), m̄ and W (a vector for a diagonal W).
    - `jacobian`: ∂m/∂θ at θ̂ (n_moments x n_free, natural units).
    - `singular_values`, `condition_number`: of the Jacobian. A (near-)zero singular value means
      the moments do not pin down some direction of θ locally (weak or no identification);
      `condition_number` is ∞ with fewer moments than parameters.
    - `history_loss`, `history_grad_norm`: L and |∂L/∂u| after each step (entry 0: the start);
      `history_accepted`: whether each step was accepted (rejected: the trial point failed).
    - `steps`, `n_rejected`: steps taken, steps rejected.
    - `status`: [`jaxmacro.CalibrationStatus`][]; `result`: the model's result code at θ̂.

    Under [`jaxmacro.calibrate_multistart`][] every array field has a leading "start" axis.
    """

    free: tuple[str, ...] = eqx.field(static=True)
    moment_names: tuple[str, ...] = eqx.field(static=True)
    params: dict
    values: Float[Array, "*batch n_free"]
    start: Float[Array, "*batch n_free"]
    loss: Float[Array, "*batch"]
    grad_norm: Float[Array, "*batch"]
    moments: Float[Array, "*batch n_moments"]
    targets: Float[Array, "*batch n_moments"]
    weights: Array
    jacobian: Float[Array, "*batch n_moments n_free"]
    singular_values: Float[Array, "*batch k"]
    condition_number: Float[Array, "*batch"]
    history_loss: Float[Array, "*batch steps1"]
    history_grad_norm: Float[Array, "*batch steps1"]
    history_accepted: Bool[Array, "*batch steps1"]
    steps: Int[Array, "*batch"]
    n_rejected: Int[Array, "*batch"]
    status: CalibrationStatus
    result: EnumerationItem

    # -------------------------------------------------------------- convenience
    @property
    def converged(self):
        """True when stopped on `gtol` or `ftol`."""
        v = jnp.asarray(self.status._value)
        return (v == _GTOL) | (v == _FTOL)

    @property
    def status_name(self) -> str:
        return _STATUS_NAMES[int(self.status._value)]

    @property
    def result_name(self) -> str:
        return result_name(self.result) if isinstance(self.result, RESULTS) else str(self.result)

    @property
    def estimate(self) -> dict:
        """The free parameters at the estimate, name -> float."""
        v = np.asarray(self.values)
        return {n: float(v[i]) for i, n in enumerate(self.free)}

    @property
    def miss(self):
        """m(θ̂) - m̄."""
        return self.moments - self.targets

    @property
    def relative_miss(self):
        """(m(θ̂) - m̄)/|m̄| (absolute miss where the target is 0)."""
        t = jnp.abs(self.targets)
        return self.miss / jnp.where(t > 0, t, 1.0)

    def missed(self, rtol: float = 1e-6) -> list[str]:
        """Names of the moments whose relative miss exceeds `rtol`."""
        rel = np.abs(np.asarray(self.relative_miss))
        return [n for n, r in zip(self.moment_names, rel) if not r <= rtol]

    def report(self, rtol: float = 1e-6) -> str:
        """A readable report: stop reason, estimates, moments against targets, identification."""
        lines = [
            f"calibration: {self.status_name} after {int(self.steps)} step(s) "
            f"({int(self.n_rejected)} rejected); loss {float(self.loss):.6g}, "
            f"|grad| {float(self.grad_norm):.3g}; model result: {self.result_name}",
            f"  {CalibrationStatus[self.status]}",
        ]
        w = max([len(n) for n in self.free + self.moment_names] + [9])
        lines.append(f"  {'parameter':<{w}} {'start':>14} {'estimate':>14}")
        s, v = np.asarray(self.start), np.asarray(self.values)
        for i, n in enumerate(self.free):
            lines.append(f"  {n:<{w}} {s[i]:>14.8g} {v[i]:>14.8g}")
        lines.append(
            f"  {'moment':<{w}} {'target':>14} {'model':>14} {'miss':>12} {'rel. miss':>10}"
        )
        t, m = np.asarray(self.targets), np.asarray(self.moments)
        rel = np.asarray(self.relative_miss)
        for i, n in enumerate(self.moment_names):
            flag = "  MISS" if not abs(rel[i]) <= rtol else ""
            lines.append(
                f"  {n:<{w}} {t[i]:>14.8g} {m[i]:>14.8g} {m[i] - t[i]:>12.3e} {rel[i]:>10.2e}{flag}"
            )

        missed = self.missed(rtol)
        if missed:
            lines.append(
                f"  targets not reached (relative miss > {rtol:g}): {', '.join(missed)}; "
                f"final distance sqrt(2 loss) = {float(np.sqrt(2 * max(float(self.loss), 0))):.6g}"
            )
        sv = np.asarray(self.singular_values)
        lines.append(
            "  local identification: singular values of dm/dθ "
            + " ".join(f"{x:.4g}" for x in sv)
            + f"; condition number {float(self.condition_number):.4g}"
        )
        return "\n".join(lines)


class MultiStartCalibration(eqx.Module):
    """Result of [`jaxmacro.calibrate_multistart`][].

    **Fields:** `runs` (a [`jaxmacro.Calibration`][] whose array fields have a leading start
    axis), `best` (index of the converged run with the lowest loss, or of the lowest loss if none
    converged).

    A large `spread` among runs that converged to the same loss is a sign of weak
    identification: different parameters fit the targets equally well.
    """

    runs: Calibration
    best: Int[Array, ""]

    @property
    def n_starts(self) -> int:
        return int(np.asarray(self.runs.loss).shape[0])

    def run(self, i: int) -> Calibration:
        """The i-th run as an unbatched [`jaxmacro.Calibration`][]."""
        return jax.tree.map(lambda x: x[i], self.runs)

    @property
    def best_run(self) -> Calibration:
        return self.run(int(self.best))

    def spread(self, *, rtol: float = 1e-6) -> dict:
        """Per free parameter, (min, max) over converged runs whose loss is within `rtol`
        (relative, plus 1e-20 absolute) of the best loss."""
        loss = np.asarray(self.runs.loss)
        conv = np.asarray(self.runs.converged)
        best = loss[int(self.best)]
        keep = conv & (loss <= best + rtol * abs(best) + 1e-20)
        v = np.asarray(self.runs.values)[keep]
        if v.size == 0:
            return {n: (np.nan, np.nan) for n in self.runs.free}
        return {n: (float(v[:, i].min()), float(v[:, i].max()))
                for i, n in enumerate(self.runs.free)}

    def report(self, rtol: float = 1e-6) -> str:
        loss = np.asarray(self.runs.loss)
        status = [_STATUS_NAMES[int(s)] for s in np.asarray(self.runs.status._value)]
        lines = [f"multi-start calibration: {self.n_starts} starts; best run {int(self.best)}"]
        for i in range(self.n_starts):
            lines.append(f"  start {i}: {status[i]:<12} loss {loss[i]:.6g}")
        sp = self.spread(rtol=rtol)
        lines.append("  spread of estimates among runs at the best loss:")
        for n, (lo, hi) in sp.items():
            lines.append(f"    {n}: [{lo:.10g}, {hi:.10g}] (range {hi - lo:.3g})")
        lines.append("best run:")
        lines.append(self.best_run.report(rtol))
        return "\n".join(lines)


# ------------------------------------------------------------------------------------------
# Checkpoints
# ------------------------------------------------------------------------------------------


def _save_checkpoint(path, state: _State, hist, meta: dict):
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


def _load_checkpoint(path, like: _State, meta: dict):
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


# ------------------------------------------------------------------------------------------
# Front doors
# ------------------------------------------------------------------------------------------


def _prepare(moment_fn, targets, params0, free, transforms, weights, dtype):
    if not callable(moment_fn):
        raise TypeError("`moment_fn` must be a function params -> (moments, result)")
    if not isinstance(params0, Mapping):
        raise TypeError("`params0` must be a mapping name -> value (every parameter moment_fn "
                        "needs)")
    if free is None:
        raise ValueError("name the free parameters: free=('beta', ...)")
    free = (free,) if isinstance(free, str) else tuple(free)
    if not free:
        raise ValueError("`free` is empty: nothing to calibrate")
    if len(set(free)) != len(free):
        raise ValueError(f"duplicate names in free={free}")
    unknown = [n for n in free if n not in params0]
    if unknown:
        raise ValueError(f"free parameter(s) {unknown} have no value in params0 "
                         f"({sorted(params0)})")
    transforms = dict(transforms or {})
    bad = [n for n in transforms if n not in free]
    if bad:
        raise ValueError(f"transforms given for {bad}, which are not free parameters {free}")
    tr = tuple(as_transform(transforms.get(n)) for n in free)

    if isinstance(targets, Mapping):
        names = tuple(targets)
        tvec = np.asarray([float(targets[k]) for k in names], dtype=dtype)
        moment_names = names
    else:
        tvec = np.ravel(np.asarray(targets, dtype=dtype))
        names = tuple(f"m{i}" for i in range(tvec.size))
        moment_names = None
    if tvec.size == 0:
        raise ValueError("no targets")
    if not np.all(np.isfinite(tvec)):
        raise ValueError("targets must be finite")
    if weights is None:
        wvec = 1.0 / np.where(tvec != 0, tvec, 1.0) ** 2
    elif isinstance(weights, Mapping):
        if moment_names is None:
            raise ValueError("weights by name need targets by name")
        unknown = [k for k in weights if k not in names]
        if unknown:
            raise ValueError(f"weights for unknown moment(s) {unknown}")
        default = 1.0 / np.where(tvec != 0, tvec, 1.0) ** 2
        wvec = np.asarray([float(weights.get(k, default[i])) for i, k in enumerate(names)], dtype)
    else:
        wvec = np.asarray(weights, dtype=dtype)
        if wvec.ndim == 0:
            wvec = np.full(tvec.shape, float(wvec), dtype)
        if wvec.shape not in (tvec.shape, (tvec.size, tvec.size)):
            raise ValueError(
                f"weights must have shape ({tvec.size},) or ({tvec.size}, {tvec.size}), got "
                f"{wvec.shape}"
            )
    if not np.all(np.isfinite(wvec)) or (wvec.ndim == 1 and np.any(wvec < 0)):
        raise ValueError("weights must be finite and non-negative")

    fixed = {k: jnp.asarray(v, dtype=dtype) for k, v in params0.items() if k not in free}
    problem = _Problem(
        moment_fn=moment_fn,
        free=free,
        transforms=tr,
        moment_names=moment_names,
        fixed=fixed,
        targets=jnp.asarray(tvec),
        weights=jnp.asarray(wvec),
    )
    meta = {
        "free": np.asarray(free),
        "targets": tvec,
        "weights": wvec,
        "fixed_names": np.asarray(sorted(fixed), dtype=str),
        "fixed_values": np.asarray([np.asarray(fixed[k]) for k in sorted(fixed)], dtype=dtype),
    }
    return problem, names, meta


def _start_vector(problem: _Problem, x0: np.ndarray):
    for i, (n, t) in enumerate(zip(problem.free, problem.transforms)):
        if not t.contains(x0[..., i]):
            raise ValueError(
                f"starting value of {n!r} ({x0[..., i]}) is outside the domain of its transform "
                f"{type(t).__name__}"
            )
    return jax.vmap(problem.unconstrained)(x0) if x0.ndim == 2 else problem.unconstrained(x0)


def _drive(problem, opt, u0, *, batched, max_steps, gtol, ftol, max_rejections, checkpoint,
           checkpoint_every, progress, resume, meta, names):
    if max_steps < 0:
        raise ValueError("max_steps must be >= 0")
    if opt is None:
        opt = default_optimizer()
    if not isinstance(opt, optax.GradientTransformationExtraArgs):
        opt = optax.with_extra_args_support(opt)
    chunk = int(checkpoint_every)
    if chunk < 1:
        raise ValueError("checkpoint_every must be >= 1")
    dt = u0.dtype
    g = jnp.asarray(gtol, dt)
    f = jnp.asarray(ftol, dt)
    mr = jnp.asarray(max_rejections, jnp.int32)
    meta = dict(meta, u0=np.asarray(u0))

    state = _init_jit(problem, opt, u0, g, batched)
    hist = {
        "loss": np.asarray(state.loss)[..., None],
        "grad_norm": np.linalg.norm(np.asarray(state.grad), axis=-1)[..., None],
        "accepted": np.ones(np.shape(state.loss) + (1,), bool),
    }
    if checkpoint is not None and resume and os.path.exists(os.fspath(checkpoint)):
        state, hist = _load_checkpoint(checkpoint, state, meta)

    def _done(st):
        return bool(np.all(np.asarray(st.status) != _RUNNING))

    steps_done = int(np.max(np.asarray(state.step)))
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=max_steps, initial=min(steps_done, max_steps), desc="calibrate",
                   leave=False, dynamic_ncols=True)
    try:
        while steps_done < max_steps and not _done(state):
            n = min(chunk, max_steps - steps_done)
            before = np.asarray(state.step)
            state, h, _ = _chunk_jit(problem, opt, state, jnp.asarray(n, jnp.int32), g, f, mr,
                                     chunk, batched)
            # per start, the steps this chunk actually took
            hist = _append_history(hist, h, np.asarray(state.step) - before)
            steps_done = int(np.max(np.asarray(state.step)))
            if checkpoint is not None:
                _save_checkpoint(checkpoint, state, hist, meta)
            if bar is not None:
                bar.update(min(steps_done, max_steps) - bar.n)
                gn = float(np.min(np.linalg.norm(np.asarray(state.grad), axis=-1)))
                bar.set_postfix(loss=f"{float(np.min(np.asarray(state.loss))):.3e}",
                                gnorm=f"{gn:.2e}")
        if checkpoint is not None and not os.path.exists(os.fspath(checkpoint)):
            _save_checkpoint(checkpoint, state, hist, meta)
    finally:
        if bar is not None:
            bar.close()
    return state, hist


def _append_history(hist, h, took):
    """Append each start's new entries. Batched: a start that stopped earlier than others is
    padded with its final loss and gradient norm (and `accepted` False)."""
    loss, gn, acc = (np.asarray(x) for x in h)
    if loss.ndim == 1:
        k = int(took)
        return {
            "loss": np.concatenate([hist["loss"], loss[:k]]),
            "grad_norm": np.concatenate([hist["grad_norm"], gn[:k]]),
            "accepted": np.concatenate([hist["accepted"], acc[:k]]),
        }
    kmax = int(np.max(took))
    out = {k: [] for k in hist}
    for b in range(loss.shape[0]):
        k = int(took[b])
        for key, new in (("loss", loss[b]), ("grad_norm", gn[b]), ("accepted", acc[b])):
            seq = np.concatenate([hist[key][b], new[:k]])
            pad = np.zeros(kmax - k, bool) if key == "accepted" else np.full(kmax - k, seq[-1])
            out[key].append(np.concatenate([seq, pad]))
    return {k: np.stack(v) for k, v in out.items()}


def _build_result(problem, names, state, hist, batched, max_steps):
    x, m, result, ok, jac, sv, cond, f, gn = _finalize_jit(problem, state.u, batched)
    status = np.asarray(state.status)
    status = np.where(status == _RUNNING, _MAX_STEPS, status)
    x0 = np.asarray(jax.vmap(problem.natural)(jnp.asarray(hist["u0"])) if batched
                    else problem.natural(jnp.asarray(hist["u0"])))
    targets, weights = problem.targets, problem.weights
    if batched:
        nb = x.shape[:1]
        params = {k: jnp.broadcast_to(v, nb + jnp.shape(v)) for k, v in problem.fixed.items()}
        targets = jnp.broadcast_to(targets, nb + targets.shape)
        weights = jnp.broadcast_to(weights, nb + weights.shape)
    else:
        params = dict(problem.fixed)
    params.update({n: x[..., i] for i, n in enumerate(problem.free)})
    return Calibration(
        free=problem.free,
        moment_names=names,
        params=params,
        values=x,
        start=jnp.asarray(x0),
        loss=f,
        grad_norm=gn,
        moments=m,
        targets=targets,
        weights=weights,
        jacobian=jac,
        singular_values=sv,
        condition_number=cond,
        history_loss=jnp.asarray(hist["loss"]),
        history_grad_norm=jnp.asarray(hist["grad_norm"]),
        history_accepted=jnp.asarray(hist["accepted"]),
        steps=state.step,
        n_rejected=state.n_rejected,
        status=_status_item(status),
        result=result,
    )


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
      A checkpoint from a different problem (free names, targets, weights, fixed parameters or
      start) raises ``ValueError``.
    - `checkpoint_every`: steps per compiled chunk (also the progress-bar refresh). Keep it
      equal between a run and its resumption for bitwise-identical trajectories.
    - `progress`: show a tqdm progress bar with the loss and gradient norm.

    **Returns:** a [`jaxmacro.Calibration`][]. Failures are reported, not raised: a start where
    the model fails gives `status` ``start_failed``; unreachable targets give a converged run
    with a positive loss and the moments that miss listed by `Calibration.missed()`.
    """
    dtype = jnp.result_type(float)
    problem, names, meta = _prepare(moment_fn, targets, params0, free, transforms, weights, dtype)
    x0 = np.asarray([float(params0[n]) for n in problem.free], dtype=dtype)
    u0 = jnp.asarray(_start_vector(problem, x0), dtype=dtype)
    state, hist = _drive(
        problem, optimizer, u0, batched=False, max_steps=int(max_steps), gtol=gtol, ftol=ftol,
        max_rejections=max_rejections, checkpoint=checkpoint, checkpoint_every=checkpoint_every,
        progress=progress, resume=resume, meta=meta, names=names,
    )
    hist = dict(hist, u0=u0)
    return _build_result(problem, names, state, hist, False, max_steps)


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
    problem, names, meta = _prepare(moment_fn, targets, params0, free, transforms, weights, dtype)
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
        u0 = jnp.asarray(_start_vector(problem, x0), dtype=dtype)
    else:
        if n_starts is None or key is None:
            raise ValueError("give `starts`, or `n_starts` and a `key`")
        ub = jnp.asarray(_start_vector(problem, base), dtype=dtype)
        eps = jax.random.normal(key, (int(n_starts), ub.shape[0]), dtype=dtype)
        eps = eps.at[0].set(0.0)
        u0 = ub[None, :] + spread * eps
    state, hist = _drive(
        problem, optimizer, u0, batched=True, max_steps=int(max_steps), gtol=gtol, ftol=ftol,
        max_rejections=max_rejections, checkpoint=checkpoint, checkpoint_every=checkpoint_every,
        progress=progress, resume=resume, meta=meta, names=names,
    )
    hist = dict(hist, u0=u0)
    runs = _build_result(problem, names, state, hist, True, max_steps)
    loss = np.asarray(runs.loss)
    conv = np.asarray(runs.converged)
    cand = np.where(conv, loss, np.inf)
    best = int(np.argmin(cand)) if np.any(np.isfinite(cand)) else int(np.nanargmin(
        np.where(np.isfinite(loss), loss, np.inf)))
    return MultiStartCalibration(runs=runs, best=jnp.asarray(best))

