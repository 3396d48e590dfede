"""Order-1 decision rules of every Dynare 5.3 fixture in tests/reference, to 1e-9.

The models are hand-written JAX transcriptions of the .mod files (tests/fixture_models_o2.py
and jaxmacro.models.lucas_trees); the .mod importer is tested separately (test_modfile.py).
"""

import numpy as np
import pytest
from fixture_models_o2 import MODELS
from helpers import dynare_layout, load_fixture

import jaxmacro as jm
from jaxmacro.models.lucas_trees import lucas_trees_ds

CASES = [(name, "dr_order1.json", build, {}) for name, build in MODELS.items()]
CASES += [
    ("lucas_trees_ds", "dr_order1.json", lucas_trees_ds, {}),
    (
        "lucas_trees_ds",
        "dr_order1_calib2.json",
        lucas_trees_ds,
        dict(bet=0.99, gam=5.0, theta=0.2, rhoy=0.5, sd1=0.02, sd2=0.01, corr12=0.3),
    ),
]


@pytest.mark.parametrize("name,fname,build,params", CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_order1_matches_dynare(name, fname, build, params):
    fx = load_fixture(name, fname)
    m = build()
    sol = jm.solve(m, params or None)
    assert [m.variables[i] for i in m.structure.order_var] == fx["order_var"]
    assert list(m.states) == fx["state_var"]
    assert len(m.structure.static) == fx["nstatic"]
    assert len(m.structure.forward) == fx["nsfwrd"]
    # parameters as in the fixture
    theta = dict(zip(m.param_names, np.asarray(sol.params)))
    for k, v in zip(fx["param_names"], fx["params"]):
        if k in theta:
            assert np.isclose(theta[k], v, rtol=1e-12, atol=1e-15), k
    ys = dict(zip(fx["endo_names"], fx["ys"]))
    np.testing.assert_allclose(
        np.asarray(sol.steady_state), [ys[v] for v in m.variables], rtol=1e-12, atol=1e-12
    )
    gx, gu = dynare_layout(sol, fx)
    tol = 1e-9 * np.maximum(1.0, np.abs(fx["ghx"]))
    assert np.all(np.abs(gx - np.array(fx["ghx"])) <= tol), np.abs(gx - np.array(fx["ghx"])).max()
    tol = 1e-9 * np.maximum(1.0, np.abs(fx["ghu"]))
    assert np.all(np.abs(gu - np.array(fx["ghu"])) <= tol), np.abs(gu - np.array(fx["ghu"])).max()
    # Blanchard-Kahn count as Dynare: unit roots (lucas_trees_ds) counted stable
    assert int(sol.n_stable) == fx["nspred"]
    n_unit = fx["checks"].get("n_unit_roots", 0)
    if n_unit:
        ev = np.abs(sol.eigenvalues())
        assert np.sum(np.abs(ev - 1) < 1e-6) == n_unit
