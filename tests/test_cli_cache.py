"""The command line keeps compiled programs on disk (JAX's persistent compilation cache), so a
second run of the same model skips compilation; `--no-cache` and JAXMACRO_NO_CACHE=1 turn it
off; importing the library changes no JAX configuration. (Timings are in benchmarks/.)"""

import json
import os
import subprocess
import sys

import numpy as np
from helpers import REFERENCE

RBC = REFERENCE / "rbc" / "rbc.mod"


def _run(tmp_path, *args, **env):
    e = {k: v for k, v in os.environ.items() if k != "JAXMACRO_NO_CACHE"}
    e.update(JAX_PLATFORMS="cpu", **env)
    return subprocess.run(
        [sys.executable, "-m", "jaxmacro", *map(str, args)],
        capture_output=True,
        text=True,
        env=e,
        timeout=300,
        cwd=tmp_path,
    )


def test_cache_written_then_reused_with_same_rules(tmp_path):
    cache = tmp_path / "xla"
    first = _run(tmp_path, "solve", RBC, "--json", "a.json", JAXMACRO_CACHE_DIR=str(cache))
    assert first.returncode == 0, first.stderr
    entries = sorted(os.listdir(cache))
    assert entries, "the first run wrote no compiled program"
    second = _run(tmp_path, "solve", RBC, "--json", "b.json", JAXMACRO_CACHE_DIR=str(cache))
    assert second.returncode == 0, second.stderr
    assert sorted(os.listdir(cache)) == entries  # nothing new to compile: every program reused
    a = json.loads((tmp_path / "a.json").read_text())
    b = json.loads((tmp_path / "b.json").read_text())
    assert a == b


def test_cache_off_by_flag_and_environment(tmp_path):
    cache = tmp_path / "xla"
    r = _run(tmp_path, "solve", RBC, "--no-cache", JAXMACRO_CACHE_DIR=str(cache))
    assert r.returncode == 0, r.stderr
    assert not cache.exists()
    r = _run(tmp_path, "check", RBC, JAXMACRO_CACHE_DIR=str(cache), JAXMACRO_NO_CACHE="1")
    assert r.returncode == 0, r.stderr
    assert not cache.exists()


def test_unwritable_cache_is_a_warning_not_an_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    r = _run(tmp_path, "solve", RBC, JAXMACRO_CACHE_DIR=str(blocker / "xla"))
    assert r.returncode == 0, r.stderr
    assert "warning: no compilation cache" in r.stderr


def test_import_changes_no_jax_config():
    code = (
        "import jax; before = jax.config.jax_compilation_cache_dir; import jaxmacro; "
        "assert jax.config.jax_compilation_cache_dir == before; "
        "assert not jax.config.jax_enable_x64"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr


def test_fast_compile_gives_the_same_rules(tmp_path):
    """The command line compiles with XLA's backend optimisation off (cheap compiles for a
    one-shot solve); the rules equal those compiled with XLA's defaults."""
    fast = _run(tmp_path, "solve", RBC, "--json", "f.json", JAXMACRO_NO_CACHE="1", XLA_FLAGS="")
    full = _run(
        tmp_path,
        "solve",
        RBC,
        "--json",
        "d.json",
        JAXMACRO_NO_CACHE="1",
        XLA_FLAGS="",
        JAXMACRO_XLA_DEFAULTS="1",
    )
    assert fast.returncode == 0 and full.returncode == 0, fast.stderr + full.stderr
    a = json.loads((tmp_path / "f.json").read_text())
    b = json.loads((tmp_path / "d.json").read_text())
    for key in ("ys", "ghx", "ghu"):
        np.testing.assert_allclose(a[key], b[key], rtol=1e-12, atol=1e-14)
