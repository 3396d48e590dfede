"""Why a calibration stopped: the `CalibrationStatus` enumeration and its integer codes."""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp


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


RUNNING = 0
GTOL = 1
FTOL = 2
MAX_STEPS = 3
STUCK = 4
START_FAILED = 5
STATUS_NAMES = ("running", "gtol", "ftol", "max_steps", "stuck", "start_failed")
assert all(int(getattr(CalibrationStatus, n)._value) == i for i, n in enumerate(STATUS_NAMES)), (
    "CalibrationStatus order"
)


def status_item(code) -> CalibrationStatus:
    """The `CalibrationStatus` member for an integer code array (any shape), by public `where`."""
    code = jnp.asarray(code)

    def one(c):
        item = CalibrationStatus.running
        for i, name in enumerate(STATUS_NAMES):
            item = CalibrationStatus.where(c == i, getattr(CalibrationStatus, name), item)
        return item

    if code.ndim == 0:
        return one(code)
    items = jax.vmap(one)(code.reshape(-1))
    return jax.tree.map(lambda x: x.reshape(code.shape), items)
