"""Portfolio methods on the Lucas-tree economy with a transfer and a time-varying position
(tests/test_portfolio_dynamics.py, 12 variables, 6 states): first call (trace + compile + run)
and warm time of `jm.portfolio` (DS 2011), `jm.portfolio_dynamics` (DS 2010) and
`jm.evans_hnatkovska` (Newton on the σ²ŝ conditions), and a 1,000-point vmapped sweep of the
EH solve over β.

    python benchmarks/bench_portfolio_methods.py [--paper]

`--paper`: instead, the EH solve on the Evans–Hnatkovska (2005) fi model.
"""

from __future__ import annotations

import pathlib
import sys
import time

import jax
import jax.numpy as jnp

jax.config.update("jax_enable_x64", True)
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "tests"))

from common import best_time  # noqa: E402
from test_portfolio_dynamics import DYN, DYN_CALIB, DYN_STATES, full  # noqa: E402

import jaxmacro as jm  # noqa: E402

GAMMAS = {s: f"g_{s}" for s in DYN_STATES}


def first_and_warm(name, fn, *args, repeats=10):
    t = time.perf_counter()
    jax.block_until_ready(fn(*args))
    first = time.perf_counter() - t
    warm = best_time(fn, *args, repeats=repeats)
    print(f"{name:40s} first call {first:7.2f} s   warm {warm * 1e3:9.2f} ms", flush=True)


def main():
    p = full(DYN, **DYN_CALIB)
    first_and_warm(
        "portfolio (DS 2011)",
        lambda q: jm.portfolio(DYN, q, throw=False).alpha_tilde,
        p,
    )
    first_and_warm(
        "portfolio_dynamics (DS 2010)",
        lambda q: jm.portfolio_dynamics(DYN, q, throw=False).gamma,
        p,
    )
    first_and_warm(
        "evans_hnatkovska",
        lambda q: jm.evans_hnatkovska(DYN, q, gamma_params=GAMMAS, throw=False).alpha_x,
        p,
    )
    n = 1000
    batch = {k: jnp.broadcast_to(v, (n,)) for k, v in p.items()}
    batch["bet"] = jnp.linspace(0.95, 0.99, n)
    sweep = jax.jit(
        jax.vmap(lambda q: jm.evans_hnatkovska(DYN, q, gamma_params=GAMMAS, throw=False).alpha_x)
    )
    first_and_warm(f"evans_hnatkovska vmapped x {n}", sweep, batch, repeats=3)


def paper(n_sweep: int = 16):
    """The Evans–Hnatkovska (2005) fi model (37 variables, 17 states, 34 position
    parameters): one EH solve (first call and warm) and a small vmapped sweep over the
    elasticity (the first call of the sweep compiles its own program)."""
    import jaxmacro.models.evans_hnatkovska2005 as eh

    m = eh.stage_c_model("fi")
    p = {k: jnp.asarray(float(v)) for k, v in m.default_params.items()}
    gp = eh.stage_c_gamma_params(m)
    kw = dict(
        excess_returns=("rx1", "rx2"),
        mu_differential="mud",
        xi_shocks="xi",
        alpha_param=("at1", "at2"),
        gamma_params=gp,
        throw=False,
    )
    first_and_warm(
        "evans_hnatkovska, EH 2005 fi model",
        lambda q: jm.evans_hnatkovska(m, q, **kw).alpha_x,
        p,
        repeats=3,
    )
    batch = {k: jnp.broadcast_to(v, (n_sweep,)) for k, v in p.items()}
    batch["elasticity"] = jnp.linspace(0.6, 1.5, n_sweep)
    sweep = jax.jit(jax.vmap(lambda q: jm.evans_hnatkovska(m, q, **kw).alpha_x))
    first_and_warm(f"  vmapped x {n_sweep}", sweep, batch, repeats=2)


if __name__ == "__main__":
    if "--paper" in sys.argv:
        paper()
    else:
        main()
