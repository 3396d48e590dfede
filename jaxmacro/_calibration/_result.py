"""Result objects of a calibration: `Calibration` and `MultiStartCalibration`."""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Bool, Float, Int

from .._results import RESULTS, result_name
from ._loop import finalize_jit
from ._status import (
    FTOL,
    GTOL,
    MAX_STEPS,
    RUNNING,
    STATUS_NAMES,
    CalibrationStatus,
    status_item,
)

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
    result: RESULTS

    # -------------------------------------------------------------- convenience
    @property
    def converged(self):
        """True when stopped on `gtol` or `ftol`."""
        v = jnp.asarray(self.status._value)
        return (v == GTOL) | (v == FTOL)

    @property
    def status_name(self) -> str:
        return STATUS_NAMES[int(self.status._value)]

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
        return {
            n: (float(v[:, i].min()), float(v[:, i].max())) for i, n in enumerate(self.runs.free)
        }

    def report(self, rtol: float = 1e-6) -> str:
        loss = np.asarray(self.runs.loss)
        status = [STATUS_NAMES[int(s)] for s in np.asarray(self.runs.status._value)]
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


def build_result(problem, names, state, hist, batched, max_steps):
    x, m, result, ok, jac, sv, cond, f, gn = finalize_jit(problem, state.u, batched)
    status = np.asarray(state.status)
    status = np.where(status == RUNNING, MAX_STEPS, status)
    x0 = np.asarray(
        jax.vmap(problem.natural)(jnp.asarray(hist["u0"]))
        if batched
        else problem.natural(jnp.asarray(hist["u0"]))
    )
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
        status=status_item(status),
        result=result,
    )
