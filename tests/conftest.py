"""Test configuration: float64 everywhere (the library itself never flips global config), and
no on-disk compilation cache for the command line run in process or in subprocesses, so the
suite's compile counts and timings are its own (tests/test_cli_cache.py turns it on).

Cheaper compiles (issue 17). Most of the suite's time is XLA compiling, and most of a CPU
compile is LLVM optimising and emitting code that a test runs once or a few times. The suite
therefore compiles with XLA's backend optimisation off and its classic (non-MLIR) CPU emitters:
measured on tests/test_dynamics.py, 79 s -> 29 s of CPU, every program still compiled (compile
counts and trace-once tests unchanged), the same HLO optimisation passes, IEEE arithmetic (no
fast math). Set JAXMACRO_XLA_DEFAULTS=1 to run the suite with XLA's defaults instead, as a
user's program compiles; an XLA_FLAGS already set is respected and extended.
"""

import gc
import os

from jaxmacro._cache import use_fast_compile  # noqa: E402  (imports no JAX backend)

use_fast_compile()  # before JAX creates its CPU client

import jax  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

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
