"""The optimisation loop: one compiled step, chunks of steps, rejection of failing points."""

from __future__ import annotations

import functools
import os

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax
from jaxtyping import Array

from .._results import RESULTS
from ._checkpoint import fingerprint, load_checkpoint, save_checkpoint
from ._problem import RESULT_ITEM, Problem
from ._status import FTOL, GTOL, RUNNING, START_FAILED, STUCK


@functools.cache
def default_optimizer() -> optax.GradientTransformationExtraArgs:
    """The default optimiser: ``optax.lbfgs()`` (memory 10, zoom line search, 20 trials).

    The line search treats the +∞ loss of a failed model evaluation as a point outside the
    domain and shrinks the step, so L-BFGS needs no extra safeguard. One object is returned for
    the whole session, so repeated calibrations reuse the compiled loop.
    """
    return optax.lbfgs()


class LoopState(eqx.Module):
    u: Array
    opt_state: optax.OptState
    loss: Array
    grad: Array
    scale: Array
    step: Array
    n_rejected: Array
    n_fail_run: Array
    status: Array


def value_and_grad(problem: Problem, u):
    f, g = jax.value_and_grad(problem.safe_loss)(u)
    ok = jnp.isfinite(f) & jnp.all(jnp.isfinite(g))
    return jnp.where(ok, f, jnp.inf), jnp.where(ok, g, 0.0), ok


def init_impl(problem: Problem, opt, u0, gtol):
    f, g, ok = value_and_grad(problem, u0)
    status = jnp.where(ok, jnp.where(jnp.linalg.norm(g) <= gtol, GTOL, RUNNING), START_FAILED)
    zero = jnp.asarray(0, jnp.int32)
    return LoopState(
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


def has_linesearch(opt, u) -> bool:
    """Whether the optimiser's state carries the line search's value and gradient (L-BFGS)."""
    st = jax.eval_shape(opt.init, u)
    get = optax.tree_utils.tree_get
    return get(st, "value", None) is not None and get(st, "grad", None) is not None


def step(problem: Problem, opt, st: LoopState, gtol, ftol, max_rejections, linesearch: bool):
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
        f_new, g_new, ok = value_and_grad(problem, u_new)
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
        GTOL,
        jnp.where(
            ok & (df <= ftol * jnp.abs(st.loss)),
            FTOL,
            jnp.where(n_fail_run >= limit, STUCK, RUNNING),
        ),
    )
    new = LoopState(
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


def chunk_impl(problem, opt, state, n, gtol, ftol, max_rejections, chunk):
    linesearch = has_linesearch(opt, state.u)
    dt = state.loss.dtype
    hist = (
        jnp.full((chunk,), jnp.nan, dt),
        jnp.full((chunk,), jnp.nan, dt),
        jnp.zeros((chunk,), bool),
    )

    def cond(c):
        i, st, _ = c
        return (i < n) & (st.status == RUNNING)

    def body(c):
        i, st, h = c
        st, rec = step(problem, opt, st, gtol, ftol, max_rejections, linesearch)
        h = tuple(hh.at[i].set(r) for hh, r in zip(h, rec))
        return i + 1, st, h

    i, state, hist = jax.lax.while_loop(cond, body, (jnp.asarray(0, jnp.int32), state, hist))
    return state, hist, i


@eqx.filter_jit
def init_jit(problem, opt, u0, gtol, batched):
    if batched:
        return jax.vmap(init_impl, in_axes=(None, None, 0, None))(problem, opt, u0, gtol)
    return init_impl(problem, opt, u0, gtol)


@eqx.filter_jit
def chunk_jit(problem, opt, state, n, gtol, ftol, max_rejections, chunk, batched):
    if batched:
        f = jax.vmap(chunk_impl, in_axes=(None, None, 0, None, None, None, None, None))
        return f(problem, opt, state, n, gtol, ftol, max_rejections, chunk)
    return chunk_impl(problem, opt, state, n, gtol, ftol, max_rejections, chunk)


def finalize_impl(problem: Problem, u):
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
    if not isinstance(result, RESULT_ITEM):  # None or a boolean "ok"
        result = RESULTS.where(ok, RESULTS.successful, RESULTS.nonfinite_model)
    loss = jnp.where(ok, loss, jnp.inf)
    return x, m, result, ok, jac, sv, cond, loss, jnp.where(ok, gnorm, jnp.nan)


@eqx.filter_jit
def finalize_jit(problem, u, batched):
    if batched:
        return jax.vmap(finalize_impl, in_axes=(None, 0))(problem, u)
    return finalize_impl(problem, u)


def drive(
    problem,
    opt,
    u0,
    *,
    batched,
    max_steps,
    gtol,
    ftol,
    max_rejections,
    checkpoint,
    checkpoint_every,
    progress,
    resume,
    meta,
    names,
):
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
    # The checkpoint's identity: everything that determines the answer (see _checkpoint.py).
    meta = dict(
        meta,
        u0=np.asarray(u0),
        moment_fn=np.asarray(fingerprint(problem.moment_fn)),
        transforms=np.asarray(fingerprint(problem.transforms)),
        optimizer=np.asarray(fingerprint(opt)),
        stopping=np.asarray([float(gtol), float(ftol), float(max_rejections), chunk]),
    )

    state = init_jit(problem, opt, u0, g, batched)
    hist = {
        "loss": np.asarray(state.loss)[..., None],
        "grad_norm": np.linalg.norm(np.asarray(state.grad), axis=-1)[..., None],
        "accepted": np.ones(np.shape(state.loss) + (1,), bool),
    }
    if checkpoint is not None and resume and os.path.exists(os.fspath(checkpoint)):
        state, hist = load_checkpoint(checkpoint, state, meta)

    def _done(st):
        return bool(np.all(np.asarray(st.status) != RUNNING))

    steps_done = int(np.max(np.asarray(state.step)))
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(
            total=max_steps,
            initial=min(steps_done, max_steps),
            desc="calibrate",
            leave=False,
            dynamic_ncols=True,
        )
    try:
        while steps_done < max_steps and not _done(state):
            n = min(chunk, max_steps - steps_done)
            before = np.asarray(state.step)
            state, h, _ = chunk_jit(
                problem, opt, state, jnp.asarray(n, jnp.int32), g, f, mr, chunk, batched
            )
            # per start, the steps this chunk actually took
            hist = append_history(hist, h, np.asarray(state.step) - before)
            steps_done = int(np.max(np.asarray(state.step)))
            if checkpoint is not None:
                save_checkpoint(checkpoint, state, hist, meta)
            if bar is not None:
                bar.update(min(steps_done, max_steps) - bar.n)
                gn = float(np.min(np.linalg.norm(np.asarray(state.grad), axis=-1)))
                bar.set_postfix(
                    loss=f"{float(np.min(np.asarray(state.loss))):.3e}", gnorm=f"{gn:.2e}"
                )
        if checkpoint is not None and not os.path.exists(os.fspath(checkpoint)):
            save_checkpoint(checkpoint, state, hist, meta)
    finally:
        if bar is not None:
            bar.close()
    return state, hist


def append_history(hist, h, took):
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
