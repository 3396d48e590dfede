"""Test configuration: float64 everywhere (the library itself never flips global config)."""

import jax
import numpy as np
import pytest

jax.config.update("jax_enable_x64", True)

REFERENCE = __import__("pathlib").Path(__file__).resolve().parent / "reference"


@pytest.fixture
def getkey():
    """Fresh PRNG keys, deterministic per test."""
    state = {"key": jax.random.PRNGKey(0)}

    def _getkey():
        state["key"], sub = jax.random.split(state["key"])
        return sub

    return _getkey


@pytest.fixture
def rng():
    return np.random.default_rng(12345)
