"""Test helpers: an independent SciPy QZ solver and fixture loading."""

import json
import pathlib

import numpy as np
import scipy.linalg

REFERENCE = pathlib.Path(__file__).resolve().parent / "reference"


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
