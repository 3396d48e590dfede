r"""The paper's Tables 5 and 6, each computed in one vmapped call, with the printed values.

Both tables use $W = a + a^* = 1$, $a/W = 0.8$ and the normalisation "average return to capital
held at 4 %" (`theta_mode="avg_return_4pct"`); rows are $\gamma$, columns $\alpha$. The paper's
"$\lambda \to 0$" is computed at $\lambda = 0.001$.
"""

import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float

from ._equilibrium import equilibrium_grid
from ._params import KraayParams

TABLE_GAMMAS = (0.0, 0.1, 0.2, 0.4, 0.6)
TABLE_ALPHAS = (0.0, 0.01, 0.02, 0.03, 0.04, 0.05)

# Printed values (NBER WP 7795, July 2000), rows gamma, columns alpha.
PAPER_TABLE5_SIGMA0 = np.array(
    [
        [0.375, 0.000, 0.000, 0.000, 0.000, 0.000],
        [0.375, 0.098, 0.054, 0.037, 0.028, 0.023],
        [0.375, 0.161, 0.099, 0.071, 0.055, 0.045],
        [0.375, 0.229, 0.163, 0.126, 0.102, 0.086],
        [0.375, 0.264, 0.203, 0.165, 0.138, 0.119],
    ]
)
PAPER_TABLE5_SIGMA005 = np.array(
    [
        [0.375, 0.030, 0.015, 0.010, 0.008, 0.006],
        [0.375, 0.119, 0.067, 0.046, 0.035, 0.028],
        [0.375, 0.175, 0.110, 0.079, 0.062, 0.050],
        [0.375, 0.236, 0.170, 0.132, 0.107, 0.090],
        [0.375, 0.268, 0.208, 0.169, 0.142, 0.122],
    ]
)
PAPER_TABLE6_V_STAR = np.array(
    [
        [1.000, 0.815, 0.677, 0.578, 0.504, 0.447],
        [1.000, 0.860, 0.730, 0.630, 0.553, 0.492],
        [1.000, 0.879, 0.763, 0.667, 0.591, 0.529],
        [1.000, 0.894, 0.797, 0.713, 0.643, 0.585],
        [1.000, 0.901, 0.814, 0.739, 0.675, 0.621],
    ]
)
# The alpha = 0 column (printed 1.5) is a paper error: by definition it is 2.0.
PAPER_TABLE6_EV = np.array(
    [
        [1.500, 0.728, 0.570, 0.476, 0.409, 0.359],
        [1.500, 1.014, 0.737, 0.592, 0.498, 0.431],
        [1.500, 1.193, 0.875, 0.698, 0.583, 0.502],
        [1.500, 1.389, 1.067, 0.867, 0.729, 0.629],
        [1.500, 1.492, 1.189, 0.987, 0.842, 0.734],
    ]
)


def table5(*, lam_sigma0: float = 0.2, lam_limit: float = 0.001) -> dict[str, Float[Array, "5 6"]]:
    r"""Table 5 (both panels) in one vmapped call: North's $f/a$ for $\sigma = 0$ and $\sigma = 0.05$.

    The $\sigma = 0$ panel (Example 2) does not depend on $\lambda > 0$; the $\sigma = 0.05$ panel
    (Example 3) uses `lam_limit` for "$\lambda \to 0$". Returns `{"sigma0": ..., "sigma005": ...}`
    and the result codes under `"result"`.
    """
    sigma = np.array([0.0, 0.05])[:, None, None]
    lam = np.array([lam_sigma0, lam_limit])[:, None, None]
    gamma = np.asarray(TABLE_GAMMAS)[None, :, None]
    alpha = np.asarray(TABLE_ALPHAS)[None, None, :]
    params = KraayParams(gamma=gamma, sigma=sigma, alpha=alpha, lam=lam)
    eq = equilibrium_grid(0.8, 0.2, params, theta_mode="avg_return_4pct")
    return {"sigma0": eq.f_over_a[0], "sigma005": eq.f_over_a[1], "result": eq.result._value}


def table6(*, lam: float = 0.001) -> dict[str, Float[Array, "5 6"]]:
    r"""Table 6 (both panels) in one vmapped call: the South equity price $v^*$ and $e^* v^*/a^*$.

    Example 3 ($\sigma = 0.05$, "$\lambda \to 0$" as `lam`). Also returns North's price $v$
    (discussed but not shown in the paper) and the result codes.
    """
    gamma, alpha = np.meshgrid(np.asarray(TABLE_GAMMAS), np.asarray(TABLE_ALPHAS), indexing="ij")
    params = KraayParams(gamma=gamma, sigma=0.05, alpha=alpha, lam=lam)
    eq = equilibrium_grid(0.8, 0.2, params, theta_mode="avg_return_4pct")
    return {
        "v_star": eq.v_star,
        "ev_over_a_star": eq.v_star * eq.e_star / eq.a_star,
        "v": eq.v,
        "result": eq.result._value,
    }


def max_abs_diff(model, paper, *, skip_first_column: bool = False) -> float:
    """Largest absolute model–paper difference over a table."""
    diff = jnp.abs(jnp.asarray(model) - jnp.asarray(paper))
    if skip_first_column:
        diff = diff[:, 1:]
    return float(jnp.max(diff))
