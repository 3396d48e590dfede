"""Test configuration: float64 everywhere (the library itself never flips global config), and
no on-disk compilation cache for the command line run in process or in subprocesses, so the
suite's compile counts and timings are its own (tests/test_cli_cache.py turns it on)."""

import gc
import os

import jax
import numpy as np
import pytest

jax.config.update("jax_enable_x64", True)
os.environ["JAXMACRO_NO_CACHE"] = "1"

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


@pytest.fixture(autouse=True, scope="module")
def _release_compiled_programs():
    """Free compiled programs after each test module.

    Each program XLA:CPU compiles keeps memory mappings for its code (two test modules of this
    suite leave ~22,000). A pytest worker that compiles half the suite would pass Linux's
    `vm.max_map_count` (65,530), and the next compilation would segfault inside XLA. Measured
    in this suite: workers crashed that way until the caches were cleared per module.
    """
    yield
    jax.clear_caches()
    gc.collect()
