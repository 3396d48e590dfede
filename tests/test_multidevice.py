"""A parameter batch sharded over several devices gives the same rules as one device.

Run in a subprocess with 4 virtual CPU devices (XLA_FLAGS must be set before JAX starts).
"""

import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import jax
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp, numpy as np
    from jax.sharding import NamedSharding, PartitionSpec as P
    import jaxmacro as jm
    assert len(jax.devices()) == 4, jax.devices()
    m = jm.models.two_country_bond()
    f = jax.jit(jax.vmap(lambda b, g: jm.solve(m, {"beta": b, "gam": g}, throw=False).g_x))
    betas = jnp.linspace(0.95, 0.995, 16)
    gams = jnp.linspace(1.0, 8.0, 16)
    ref = np.asarray(f(betas, gams))
    mesh = jax.sharding.Mesh(np.array(jax.devices()), ("batch",))
    sh = NamedSharding(mesh, P("batch"))
    out = f(jax.device_put(betas, sh), jax.device_put(gams, sh))
    assert len(out.sharding.device_set) == 4
    np.testing.assert_allclose(np.asarray(out), ref, rtol=1e-13, atol=1e-14)
    print("OK")
    """
)


def test_sharded_batch_equals_single_device():
    env = dict(
        os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=4", JAX_PLATFORMS="cpu"
    )
    p = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=600
    )
    assert p.returncode == 0 and "OK" in p.stdout, p.stderr[-3000:]
