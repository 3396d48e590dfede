"""The real-data estimation example (experiments/estimate_us_nk.py): the shipped US data, the
model, and the whole script in quick mode (slow: the posterior mode and NUTS logic it runs
are covered by tests/test_estimation_mode.py)."""

import importlib.util
import json
import os
import pathlib

import jax
import numpy as np
import pytest

import jaxmacro as jm

PATH = pathlib.Path(__file__).resolve().parents[1] / "experiments" / "estimate_us_nk.py"
spec = importlib.util.spec_from_file_location("estimate_us_nk", PATH)
ex = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ex)


def test_data_and_likelihood():
    Y, labels = ex.us_data()
    assert Y.shape == (203, 3) and labels[0] == "1959Q1" and labels[-1] == "2009Q3"
    assert np.all(np.isfinite(Y))
    np.testing.assert_allclose(Y[:, 1:].mean(axis=0), 0.0, atol=1e-12)  # demeaned
    model = ex.nk_model()
    means = {k: float(p.mean) for k, p in ex.PRIORS.items()}
    ll = jm.log_likelihood(jm.solve(model, means), Y, ex.OBSERVABLES)
    assert np.isfinite(float(ll))
    # passive policy without output response is indeterminate: -inf, not a number
    bad = jm.solve(model, dict(means, phi_pi=0.5, phi_x=0.0), throw=False)
    assert jm.result_name(bad.result) == "bk_indeterminate"
    assert float(jm.log_likelihood(bad, Y, ex.OBSERVABLES, throw=False)) == -np.inf
    g = jax.grad(
        lambda k: jm.log_likelihood(jm.solve(model, dict(means, kappa=k)), Y, ex.OBSERVABLES)
    )(means["kappa"])
    assert np.isfinite(float(g))


@pytest.mark.slow
def test_quick_run(tmp_path):
    out = ex.main(["--quick", "--json", str(tmp_path / "nk.json"), "--figures", str(tmp_path)])
    saved = json.loads((tmp_path / "nk.json").read_text())
    assert saved["status"] == out["status"] == "converged"
    assert set(saved["mode"]) == set(ex.PRIORS)
    assert all(np.isfinite(v) for v in saved["posterior_mean"].values())
    assert os.path.exists(tmp_path / "posterior.png")
    assert os.path.exists(tmp_path / "smoothed_shocks.png")
