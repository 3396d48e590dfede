"""`jm.vmap_chunked`: a sweep of any batch size runs one compiled block (issue 17, item 4)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from helpers import count_compiles

import jaxmacro as jm
from jaxmacro.models import rbc

MODEL = rbc()


def _gx(beta):
    s = jm.solve(MODEL, {"beta": beta}, throw=False)
    return {"g_x": s.g_x, "ok": s.result == jm.RESULTS.successful}


def test_equals_a_loop_and_compiles_once_for_every_batch_size():
    betas = np.linspace(0.95, 0.995, 7)
    out = jm.vmap_chunked(_gx, betas, chunk_size=4)  # 7 points: two blocks, the last padded
    assert out["g_x"].shape == (7, 5, 2)
    for b, g in zip(betas, out["g_x"]):
        np.testing.assert_allclose(g, jm.solve(MODEL, {"beta": b}).g_x, rtol=1e-12, atol=1e-14)
    assert np.all(np.asarray(out["ok"]))
    with count_compiles() as n:
        for size in (1, 3, 4, 5, 9):
            out = jm.vmap_chunked(
                _gx, betas[:size] if size <= 7 else np.resize(betas, size), chunk_size=4
            )
            assert out["g_x"].shape == (size, 5, 2)
    assert n[0] == 0


def test_failed_point_is_its_own():
    """A failing point (β > 1: no steady state with positive capital) is flagged; its neighbours
    in the same block are unaffected."""
    betas = np.array([0.99, 1.05, 0.98])
    out = jm.vmap_chunked(_gx, betas, chunk_size=4)
    assert np.asarray(out["ok"]).tolist() == [True, False, True]
    assert np.all(np.isnan(np.asarray(out["g_x"][1])))
    np.testing.assert_allclose(out["g_x"][2], jm.solve(MODEL, {"beta": 0.98}).g_x, rtol=1e-12)


def test_pytree_inputs_and_errors():
    xs = {"beta": jnp.asarray([0.98, 0.99]), "rho": jnp.asarray([0.9, 0.8])}
    out = jm.vmap_chunked(lambda p: jm.solve(MODEL, p).g_x, xs, chunk_size=2)
    np.testing.assert_allclose(
        out[1], jm.solve(MODEL, {"beta": 0.99, "rho": 0.8}).g_x, rtol=1e-12, atol=1e-14
    )
    with pytest.raises(ValueError, match="chunk_size"):
        jm.vmap_chunked(_gx, np.ones(3), chunk_size=0)
    with pytest.raises(ValueError, match="leading axis"):
        jm.vmap_chunked(lambda p: p, {"a": np.ones(3), "b": np.ones(2)})
    with pytest.raises(TypeError, match="concrete"):
        jax.jit(lambda b: jm.vmap_chunked(_gx, b))(np.ones(3))
