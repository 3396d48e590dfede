"""The log-likelihood against Dynare 5.3 (committed reference; Dynare is not needed to run it)."""

import json

import numpy as np
import pytest
from conftest import REFERENCE

import jaxmacro as jm
from jaxmacro._estimation import log_likelihood

REF = REFERENCE / "estimation"
LOGLIK = json.loads((REF / "loglik.json").read_text())


def _data(name):
    with open(REF / LOGLIK[name]["data"]) as f:
        header = f.readline().strip().split(",")
    return header, np.genfromtxt(REF / LOGLIK[name]["data"], delimiter=",", skip_header=1, ndmin=2)


@pytest.mark.parametrize("name", ["rbc", "two_country_bond"])
def test_loglik_equals_dynare(name):
    model = {"rbc": jm.models.rbc, "two_country_bond": jm.models.two_country_bond}[name]()
    obs, Y = _data(name)
    assert obs == LOGLIK[name]["observables"]
    me = LOGLIK[name]["measurement_error_std"]
    ll = float(log_likelihood(jm.solve(model), Y, obs, measurement_error=me))
    ref = LOGLIK[name]
    # Dynare's filter run exactly (riccati_tol = -1: no steady-state switch), as ours
    assert abs(ll - ref["loglik_exact_filter"]) < 1e-9 * max(1.0, abs(ll)), (ll, ref)
    # Dynare's default (switches to the steady-state gain): the 1e-6
    assert abs(ll - ref["loglik_dynare_default"]) < 1e-6
