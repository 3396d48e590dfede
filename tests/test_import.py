"""`import jaxmacro` imports what a solve needs and nothing else (issue 17, item 1); the rest of
the public surface is imported on first use and is the same objects as before."""

import subprocess
import sys

import jaxmacro as jm

# Not needed to build, solve, simulate or take moments of a model.
NOT_AT_IMPORT = (
    "matplotlib",
    "tqdm",
    "optax",
    "blackjax",
    "scipy",
    "jaxmacro.compat",
    "jaxmacro.models",
    "jaxmacro.internal",
    "jaxmacro._calibration",
    "jaxmacro._estimation",
    "jaxmacro._portfolio",
)
# jaxlib imports scipy itself when it lowers a LAPACK call, so a solve may bring it in.
NOT_FOR_A_SOLVE = tuple(m for m in NOT_AT_IMPORT if m != "scipy")


def _fresh(code):
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_import_is_lazy():
    out = _fresh(
        f"import sys, jaxmacro\nprint(' '.join(m for m in {NOT_AT_IMPORT!r} if m in sys.modules))"
    )
    assert out.split() == []


def test_solve_imports_no_extras():
    out = _fresh(
        "import sys, jax, jaxmacro as jm\n"
        "jax.config.update('jax_enable_x64', True)\n"
        "m = jm.Model(lambda l, c, f, u, p: [c.x - p.r * l.x - u.e], variables=['x'],\n"
        "             shocks=['e'], params={'r': 0.5}, guess={'x': 0.0})\n"
        "jm.moments(jm.solve(m))\n"
        f"print(' '.join(m for m in {NOT_FOR_A_SOLVE!r} if m in sys.modules))"
    )
    assert out.split() == []


def test_lazy_names_resolve_to_their_modules():
    from jaxmacro import compat, models
    from jaxmacro._calibration import calibrate
    from jaxmacro._estimation import estimate
    from jaxmacro._portfolio import portfolio

    assert jm.calibrate is calibrate and jm.estimate is estimate and jm.portfolio is portfolio
    assert jm.compat is compat and jm.models is models and callable(jm.models.rbc)
    assert set(jm.__all__) <= set(dir(jm))
    assert all(getattr(jm, name) is not None for name in jm.__all__)
    try:
        jm.no_such_name  # noqa: B018
    except AttributeError as e:
        assert "no_such_name" in str(e)
    else:
        raise AssertionError("unknown attribute did not raise")
