"""The batch-safe dense kernels of jaxmacro._linalg._dense against NumPy/LAPACK, and the guarantee they
exist for: a vmapped solve compiles to a program with no batched LAPACK call (jaxlib 0.10's
batched LAPACK kernels can deadlock XLA's CPU thread pool; see jaxmacro/_dense.py)."""

from __future__ import annotations

import collections
import re

import jax
import jax.numpy as jnp
import numpy as np
import optimistix as optx
import pytest
from fixture_models_o2 import fvgq20

import jaxmacro as jm
from jaxmacro._linalg import _dense as D

SIZES = [1, 2, 5, 12, 13, 31]  # both sides of the unrolled/fori_loop switch (12)


def _rand(n, seed):
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((n, n)) + n**0.5 * np.eye(n) * 0.5
    return A, rng


def _lapack_calls(fn, *args):
    txt = jax.jit(fn).lower(*args).compile().as_text()
    return collections.Counter(
        t for t in re.findall(r'custom_call_target="([^"]+)"', txt) if "lapack" in t
    )


@pytest.mark.parametrize("n", SIZES)
def test_solve_matches_numpy_batched_and_not(n):
    A, rng = _rand(n, n)
    B = rng.standard_normal((n, 3))
    Ab = rng.standard_normal((6, n, n)) + np.eye(n)
    Bb = rng.standard_normal((6, n, 3))
    tol = 1e-11 * max(1.0, np.linalg.cond(A))
    np.testing.assert_allclose(D.solve(A, B), np.linalg.solve(A, B), rtol=0, atol=tol)
    np.testing.assert_allclose(D.solve(A, B[:, 0]), np.linalg.solve(A, B[:, 0]), rtol=0, atol=tol)
    ref = np.linalg.solve(Ab, Bb)
    scale = max(1.0, max(np.linalg.cond(a) for a in Ab))
    np.testing.assert_allclose(
        jax.vmap(D.solve)(Ab, Bb), ref, rtol=0, atol=1e-11 * scale * np.abs(ref).max()
    )
    # only the right-hand side batched
    np.testing.assert_allclose(
        jax.vmap(D.solve, (None, 0))(A, Bb), np.linalg.solve(A, Bb), rtol=0, atol=tol
    )
    # transposed solve from the factorisation, batched (pure kernel) and not (LAPACK)
    lu, perm = jax.vmap(D.lu_factor)(Ab)
    xt = jax.vmap(lambda l, p, r: D.lu_solve(l, p, r, 1))(lu, perm, Bb)
    reft = np.linalg.solve(np.swapaxes(Ab, 1, 2), Bb)
    np.testing.assert_allclose(xt, reft, rtol=0, atol=1e-11 * scale * np.abs(reft).max())
    lu1, perm1 = D.lu_factor(A)
    np.testing.assert_allclose(
        D.lu_solve(lu1, perm1, B, 1), np.linalg.solve(A.T, B), rtol=0, atol=tol
    )


def test_pivoting_and_singular():
    # A zero leading entry needs a row swap; a singular matrix gives non-finite numbers, as LAPACK.
    A = np.array([[0.0, 2.0, 1.0], [1.0, 1.0, 0.0], [3.0, 0.0, 1.0]])
    b = np.array([1.0, 2.0, 3.0])
    x = jax.vmap(D.solve)(jnp.stack([A, A]), jnp.stack([b, b]))
    np.testing.assert_allclose(x[0], np.linalg.solve(A, b), rtol=1e-14)
    S = np.array([[1.0, 2.0], [2.0, 4.0]])
    xs = jax.vmap(D.solve)(jnp.stack([S, np.eye(2)]), jnp.ones((2, 2)))
    assert not np.all(np.isfinite(xs[0]))
    np.testing.assert_allclose(xs[1], np.ones(2))  # the neighbour is unaffected


@pytest.mark.parametrize("shape", [(5, 2), (9, 9), (20, 13), (4, 7), (30, 3)])
def test_qr_batched_and_not(shape):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((5,) + shape)
    p, m = shape

    def check(Q, R, X):
        np.testing.assert_allclose(Q @ R, X, atol=1e-13)
        np.testing.assert_allclose(Q.T @ Q, np.eye(p), atol=1e-13)
        assert np.abs(np.tril(R, -1)).max(initial=0.0) < 1e-13

    Qb, Rb = jax.vmap(lambda x: D.qr(x, "complete"))(X)  # pure Householder
    for i in range(5):
        check(np.asarray(Qb[i]), np.asarray(Rb[i]), X[i])
    Q1, R1 = D.qr(X[0], "complete")  # LAPACK
    check(np.asarray(Q1), np.asarray(R1), X[0])
    Qr, Rr = jax.vmap(D.qr)(X)
    k = min(p, m)
    assert Qr.shape == (5, p, k) and Rr.shape == (5, k, m)
    np.testing.assert_allclose(Qr @ Rr, X, atol=1e-13)


@pytest.mark.parametrize("n", [3, 13])
def test_solve_derivatives(n):
    A, rng = _rand(n, 7)
    B = rng.standard_normal((n, 2))

    def f(A, B, solver):
        return jnp.sum(jnp.sin(solver(A, B)))

    g = jax.grad(f, (0, 1))(A, B, D.solve)
    gr = jax.grad(f, (0, 1))(A, B, jnp.linalg.solve)
    for a, b in zip(g, gr):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    Ab = np.stack([A, A + 0.1 * np.eye(n)])
    Bb = np.stack([B, 2 * B])
    gv = jax.vmap(jax.grad(f, (0, 1)), (0, 0, None))(Ab, Bb, D.solve)
    gvr = jax.vmap(jax.grad(f, (0, 1)), (0, 0, None))(Ab, Bb, jnp.linalg.solve)
    for a, b in zip(gv, gvr):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-11)
    # forward mode, batched
    jf = jax.vmap(jax.jacfwd(lambda t, A, B: f(A * t, B, D.solve)), (None, 0, 0))(1.1, Ab, Bb)
    jr = jax.vmap(jax.jacfwd(lambda t, A, B: f(A * t, B, jnp.linalg.solve)), (None, 0, 0))(
        1.1, Ab, Bb
    )
    np.testing.assert_allclose(jf, jr, rtol=1e-10)


def test_dense_lu_in_optimistix_newton():
    # Root of y^3 + theta*y - 1 componentwise, with a coupling: vmap equals a loop; the implicit
    # derivative equals the analytic one, dy/dθ = -y / (3y² + θ) in the uncoupled case.
    def fn(y, th):
        return y**3 + th * y - 1.0

    def root(th):
        sol = optx.root_find(
            fn,
            optx.Newton(rtol=1e-12, atol=1e-12, linear_solver=D.DenseLU()),
            jnp.ones(3),
            args=th,
            adjoint=optx.ImplicitAdjoint(linear_solver=D.DenseLU()),
        )
        return sol.value

    ths = jnp.linspace(0.5, 2.0, 4)
    ys = jax.vmap(root)(ths)
    for th, y in zip(ths, ys):
        np.testing.assert_allclose(y, root(th), rtol=1e-14)
        np.testing.assert_allclose(fn(y, th), 0.0, atol=1e-12)
    dy = jax.vmap(jax.jacfwd(root))(ths)
    np.testing.assert_allclose(dy, -ys / (3 * ys**2 + ths[:, None]), rtol=1e-10)
    gy = jax.vmap(jax.grad(lambda t: jnp.sum(root(t))))(ths)
    np.testing.assert_allclose(gy, jnp.sum(-ys / (3 * ys**2 + ths[:, None]), axis=1), rtol=1e-10)


@pytest.mark.parametrize("model", ["rbc", "two_country_bond", "fvgq20"])
def test_vmapped_solve_has_no_batched_lapack(model):
    """The regression test for the deadlock of 10,000-point vmaps: vmapped first-order solves and
    their gradients compile to programs without LAPACK custom calls."""
    m = fvgq20() if model == "fvgq20" else getattr(jm.models, model)()
    P = jnp.stack([m.param_vector()] * 3)
    assert not _lapack_calls(jax.vmap(lambda th: jm.solve(m, th, throw=False).g_x), P)
    if model == "rbc":
        assert not _lapack_calls(
            jax.vmap(
                jax.grad(lambda th: jm.moments(jm.solve(m, th, throw=False), throw=False).std[0])
            ),
            P,
        )
        assert not _lapack_calls(jax.vmap(lambda th: jm.solve(m, th, order=2, throw=False).g_xx), P)
    # a single solve still uses LAPACK (it is faster there and cannot deadlock)
    assert _lapack_calls(lambda th: jm.solve(m, th, throw=False).g_x, P[0])
