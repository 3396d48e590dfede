"""Test helpers: the tolerance policy, one finite-difference helper, an independent SciPy QZ
solver, fixture loading and a compile counter."""

import contextlib
import json
import pathlib

import numpy as np
import scipy.linalg

REFERENCE = pathlib.Path(__file__).resolve().parent / "reference"

# Tolerance policy (float64). Primal solves against an independent reference (Dynare fixtures,
# SciPy, closed forms) are tight; derivatives against central differences are loose, because
# the difference quotient itself carries an O(h²) truncation and an O(eps/h) rounding error.
RTOL_SOLVE = 1e-10  # kernels against SciPy / closed forms
ATOL_DYNARE = 1e-9  # decision rules against Dynare 5.3 fixtures (relative to max(1, |v|))
RTOL_FD = 1e-5  # gradients against central finite differences (relative step ~1e-5)


@contextlib.contextmanager
def count_compiles():
    """Count the XLA compilations inside the block: ``with count_compiles() as n: ...; n[0]``."""
    import jax.monitoring

    n = [0]

    def listener(event, duration, **kwargs):
        if event == "/jax/core/compile/backend_compile_duration":
            n[0] += 1

    jax.monitoring.register_event_duration_secs_listener(listener)
    try:
        yield n
    finally:
        jax.monitoring.unregister_event_duration_listener(listener)


def central_difference(f, x, h):
    """(f(x + h) - f(x - h)) / (2h): the one finite-difference helper of the suite (scalar x)."""
    return (f(x + h) - f(x - h)) / (2 * h)


def load_fixture(model: str, name: str = "dr_order1.json") -> dict:
    return json.loads((REFERENCE / model / name).read_text())


def qz_first_order(A0, A1, A2, qz_criterium=1.0 + 1e-6):
    """Reference solution of A0 x_{t-1} + A1 x_t + A2 E x_{t+1} = 0 by SciPy's ordqz.

    Companion pencil with z_t = (x_{t-1}, x_t):  L z_{t+1} = M z_t,
    L = [[I, 0], [0, A2]], M = [[0, I], [-A0, -A1]]. Stable generalized eigenvalues
    (|α| <= qz_criterium |β|) are ordered first; P = Z21 Z11^{-1}. Returns (P, n_stable).
    """
    n = A0.shape[0]
    I, Z = np.eye(n), np.zeros((n, n))
    L = np.block([[I, Z], [Z, A2]])
    M = np.block([[Z, I], [-A0, -A1]])
    AA, BB, alpha, beta, Q, Zs = scipy.linalg.ordqz(
        M, L, sort=lambda a, b: np.abs(a) <= qz_criterium * np.abs(b), output="complex"
    )
    stable = np.abs(alpha) <= qz_criterium * np.abs(beta)
    n_stable = int(stable.sum())
    Z11, Z21 = Zs[:n, :n], Zs[n:, :n]
    P = np.real(Z21 @ np.linalg.inv(Z11))
    return P, n_stable


def dynare_layout(sol, fixture):
    """(ghx, ghu) of a jaxmacro Solution with rows in the fixture's order_var, columns state_var."""
    names = list(sol.variables)
    states = list(sol.states)
    rows = [names.index(v) for v in fixture["order_var"]]
    cols = [states.index(v) for v in fixture["state_var"]]
    gx = np.asarray(sol.g_x)[rows][:, cols]
    gu = np.asarray(sol.g_u)[rows]
    return gx, gu


def ar1_model(sigma: float = 0.01):
    """x_t = ρ x_{t-1} + σ e_t (ρ = 0.9 by default): the closed-form reference of the suite."""
    import jaxmacro as jm

    def res(lag, cur, lead, sh, p):
        return [cur.x - p.rho * lag.x - p.sigma * sh.e]

    return jm.Model(
        res,
        variables=("x",),
        shocks=("e",),
        params=dict(rho=0.9, sigma=sigma),
        steady_state=lambda p: {"x": 0.0 * p.rho},
        name="ar1",
    )
