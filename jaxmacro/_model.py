"""Model definition: equilibrium conditions as one pure JAX function of named variables.

A model is the function

    f(y_{t-1}, y_t, y_{t+1}, u_t, θ) = 0,    E_t applied over u_{t+1},

with Dynare's timing: any endogenous variable may appear at t-1, t and t+1, shocks at t. The
shocks u_t are i.i.d. with mean zero and covariance Σ (which may depend on θ). Everything about
the model that does not depend on numbers — names, incidence, the static / predetermined /
mixed / forward-looking classification — is static data fixed when the model is built, so a
[`jaxmacro.Model`][] is a hashable object that can be closed over or passed to jitted functions.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from ._named import Named, UnknownNameError, check_names, to_vector


def _FLOAT():
    return jnp.result_type(float)


@dataclasses.dataclass(frozen=True)
class Structure:
    """Static lead/lag structure of a model, in Dynare's terms.

    Variables are classified from the incidence of the dynamic model (which variables appear at
    t-1 and which at t+1 in any equation):

    - **static**: only at t;
    - **predetermined** (`pred`): at t-1, never at t+1;
    - **mixed** (`both`): at t-1 and t+1;
    - **forward-looking** (`fwrd`): at t+1, never at t-1.

    All index tuples are 0-based positions in declaration order. `states` are the predetermined
    then the mixed variables (Dynare's `state_var`); `forward` are the mixed then the
    forward-looking ones. `order_var` is Dynare's DR order: static, pred, both, fwrd.

    It is hashable (tuples only), so the perturbation solvers take it as a static argument:
    it is the one description of the problem's layout that orders 1 and 2 share.
    """

    static: tuple[int, ...]
    pred: tuple[int, ...]
    both: tuple[int, ...]
    fwrd: tuple[int, ...]
    lag_incidence: tuple[tuple[bool, ...], ...]  # equation x variable
    cur_incidence: tuple[tuple[bool, ...], ...]
    lead_incidence: tuple[tuple[bool, ...], ...]

    @property
    def states(self) -> tuple[int, ...]:
        return self.pred + self.both

    @property
    def forward(self) -> tuple[int, ...]:
        return self.both + self.fwrd

    @property
    def order_var(self) -> tuple[int, ...]:
        return self.static + self.pred + self.both + self.fwrd

    @property
    def n_states(self) -> int:
        return len(self.pred) + len(self.both)

    @property
    def n_vars(self) -> int:
        return len(self.static) + len(self.pred) + len(self.both) + len(self.fwrd)


def check_covariance(cov, shocks: tuple[str, ...], where: str = "shock_cov") -> None:
    """Raise a `ValueError` naming the shock unless `cov` is a valid covariance matrix:
    finite, symmetric, non-negative variances, correlations in [-1, 1] and positive
    semidefinite (zero-variance shocks are allowed: the Devereux–Sutherland ξ input)."""
    cov = np.asarray(cov, dtype=float)
    ne = len(shocks)
    if cov.shape != (ne, ne):
        raise ValueError(f"{where} must be {ne}x{ne} (shocks {shocks}), got {cov.shape}")
    if not np.all(np.isfinite(cov)):
        raise ValueError(f"{where} has non-finite entries")
    scale = max(1.0, float(np.abs(cov).max())) if cov.size else 1.0
    if not np.allclose(cov, cov.T, rtol=0, atol=1e-14 * scale):
        i, j = np.unravel_index(np.argmax(np.abs(cov - cov.T)), cov.shape)
        raise ValueError(
            f"{where} must be symmetric: entry ({shocks[i]}, {shocks[j]}) is "
            f"{cov[i, j]:g} but ({shocks[j]}, {shocks[i]}) is {cov[j, i]:g}"
        )
    d = np.diagonal(cov)
    for i, s in enumerate(shocks):
        if d[i] < 0:
            raise ValueError(f"{where}: the variance of shock {s!r} is negative ({d[i]:g})")
    for i in range(ne):
        for j in range(i):
            if cov[i, j] ** 2 > d[i] * d[j] * (1 + 1e-12) + 1e-300:
                corr = cov[i, j] / np.sqrt(d[i] * d[j]) if d[i] * d[j] > 0 else np.inf
                raise ValueError(
                    f"{where}: the correlation of shocks {shocks[j]!r} and "
                    f"{shocks[i]!r} is {corr:g}, outside [-1, 1]"
                )
    if ne:
        lam = np.linalg.eigvalsh(0.5 * (cov + cov.T))
        if lam.min() < -1e-12 * scale:
            raise ValueError(
                f"{where} is not positive semidefinite (smallest eigenvalue "
                f"{lam.min():g}): the shock correlations are inconsistent"
            )


def _as_tuple_matrix(a) -> tuple[tuple[float, ...], ...]:
    a = np.asarray(a, dtype=float)
    return tuple(tuple(float(x) for x in row) for row in a)


class Model(eqx.Module):
    """A dynamic stochastic model written as one pure JAX function.

    The residual function has the signature

        residuals(lag, cur, lead, shocks, params) -> sequence of n scalars (or an array)

    where `lag`, `cur`, `lead` give the endogenous variables at t-1, t and t+1, `shocks` the
    shocks at t, and `params` the parameters, each as a [`jaxmacro.Named`][] view (``cur.c``
    or ``cur["c"]``). It must return one residual per endogenous variable; a solution makes all
    of them zero (in expectation over the shocks at t+1).

    **Arguments:**

    - `residuals`: the function above. It must be pure and written with `jax.numpy`.
    - `variables`: names of the endogenous variables (declaration order).
    - `shocks`: names of the exogenous shocks.
    - `params`: default parameter values, a mapping name -> float.
    - `shock_cov`: covariance Σ of the shocks: an array (n_e x n_e), or a callable
        `shock_cov(params: Named) -> array` when it depends on parameters, or a mapping
        `{shock: std}` for independent shocks. Default: the identity.
    - `steady_state`: optional analytic steady state, `steady_state(params: Named) -> mapping
        name -> value` (all variables). It is verified, not trusted: the residual is checked.
    - `guess`: optional initial guess (mapping name -> value) for a numerical steady state.
        Missing names default to 1.
    - `equations`: optional names of the equations, used in messages.
    - `name`: a name for the model.

    Build-time checks raise ``ValueError`` naming the culprit: duplicate or clashing names,
    unknown names used in `residuals`, the number of equations differing from the number of
    variables, non-finite parameters, and non-finite residuals at the steady state (or guess).
    """

    residuals: Callable = eqx.field(static=True)
    variables: tuple[str, ...] = eqx.field(static=True)
    shocks: tuple[str, ...] = eqx.field(static=True)
    param_names: tuple[str, ...] = eqx.field(static=True)
    param_defaults: tuple[float, ...] = eqx.field(static=True)
    shock_cov_fn: Callable | None = eqx.field(static=True)
    shock_cov_value: tuple[tuple[float, ...], ...] | None = eqx.field(static=True)
    steady_state_fn: Callable | None = eqx.field(static=True)
    guess: tuple[float, ...] = eqx.field(static=True)
    equations: tuple[str, ...] = eqx.field(static=True)
    name: str = eqx.field(static=True)
    structure: Structure = eqx.field(static=True)

    def __init__(
        self,
        residuals: Callable,
        *,
        variables: Sequence[str],
        shocks: Sequence[str],
        params: Mapping[str, float],
        shock_cov=None,
        steady_state: Callable | None = None,
        guess: Mapping[str, float] | None = None,
        equations: Sequence[str] | None = None,
        name: str = "model",
    ):
        if not callable(residuals):
            raise TypeError(
                "`residuals` must be a function residuals(lag, cur, lead, shocks, params)"
            )
        self.residuals = residuals
        self.variables = check_names(variables, "variable")
        self.shocks = check_names(shocks, "shock")
        if not isinstance(params, Mapping):
            raise TypeError("`params` must be a mapping name -> default value")
        self.param_names = check_names(params.keys(), "parameter")
        defaults = []
        for k, v in params.items():
            try:
                fv = float(v)
            except (TypeError, ValueError):
                raise ValueError(f"parameter {k!r} has non-numeric default {v!r}") from None
            if not np.isfinite(fv):
                raise ValueError(f"parameter {k!r} has non-finite default value {fv}")
            defaults.append(fv)
        self.param_defaults = tuple(defaults)
        self.name = str(name)
        for a, b, wa, wb in (
            (self.variables, self.shocks, "variable", "shock"),
            (self.variables, self.param_names, "variable", "parameter"),
            (self.shocks, self.param_names, "shock", "parameter"),
        ):
            clash = sorted(set(a) & set(b))
            if clash:
                raise ValueError(
                    f"name(s) {', '.join(map(repr, clash))} declared both as {wa} and {wb}"
                )
        if len(self.variables) == 0:
            raise ValueError("a model needs at least one variable")

        # shock covariance ---------------------------------------------------------------
        ne = len(self.shocks)
        self.shock_cov_fn = None
        self.shock_cov_value = None
        if shock_cov is None:
            self.shock_cov_value = _as_tuple_matrix(np.eye(ne))
        elif callable(shock_cov):
            self.shock_cov_fn = shock_cov
        elif isinstance(shock_cov, Mapping):
            unknown = [k for k in shock_cov if k not in self.shocks]
            if unknown:
                raise ValueError(
                    f"shock_cov names unknown shock(s) {unknown}; declared: {self.shocks}"
                )
            sd = np.array([float(shock_cov.get(s, 0.0)) for s in self.shocks])
            for s, v in zip(self.shocks, sd):
                if not np.isfinite(v) or v < 0:
                    raise ValueError(
                        f"shock_cov: the standard deviation of shock {s!r} must be "
                        f"finite and non-negative, got {v:g}"
                    )
            self.shock_cov_value = _as_tuple_matrix(np.diag(sd**2))
        else:
            cov = np.asarray(shock_cov, dtype=float)
            check_covariance(cov, self.shocks)
            self.shock_cov_value = _as_tuple_matrix(cov)

        self.steady_state_fn = steady_state
        self.equations = (
            tuple(f"eq{i}" for i in range(len(self.variables)))
            if equations is None
            else tuple(str(e) for e in equations)
        )
        if len(self.equations) != len(self.variables):
            raise ValueError(
                f"{len(self.equations)} equation names given for {len(self.variables)} variables"
            )
        g = {} if guess is None else dict(guess)
        unknown = [k for k in g if k not in self.variables]
        if unknown:
            raise ValueError(
                f"guess names unknown variable(s) {unknown}; declared: {self.variables}"
            )
        self.guess = tuple(float(g.get(v, 1.0)) for v in self.variables)
        self.structure = self._analyse()
        if self.shock_cov_fn is not None:
            with jax.ensure_compile_time_eval():
                cov0 = np.asarray(self.shock_covariance(jnp.asarray(self.param_defaults)))
            check_covariance(cov0, self.shocks, "shock_cov(params) at the default parameters")

    # ------------------------------------------------------------------------------------
    @property
    def n_vars(self) -> int:
        return len(self.variables)

    @property
    def n_shocks(self) -> int:
        return len(self.shocks)

    @property
    def default_params(self) -> dict[str, float]:
        return dict(zip(self.param_names, self.param_defaults))

    @property
    def states(self) -> tuple[str, ...]:
        """State variables (Dynare's `state_var`: predetermined then mixed)."""
        return tuple(self.variables[i] for i in self.structure.states)

    def param_vector(self, params=None):
        """Parameters as an array in `param_names` order; missing names take their defaults."""
        if params is None:
            return jnp.asarray(self.param_defaults)
        return to_vector(self.param_names, params, "parameter", fill=self.default_params)

    def params_named(self, theta) -> Named:
        return Named(self.param_names, theta, "parameter")

    def shock_covariance(self, theta):
        """Σ at the parameter vector `theta`."""
        if self.shock_cov_fn is not None:
            cov = jnp.asarray(self.shock_cov_fn(self.params_named(theta)))
            ne = self.n_shocks
            if cov.shape[-2:] != (ne, ne):
                raise ValueError(
                    f"shock_cov(params) must return a {ne}x{ne} matrix, got {cov.shape}"
                )
            return cov
        ne = self.n_shocks  # reshape: a model without shocks stores Σ as an empty tuple
        return jnp.asarray(self.shock_cov_value, dtype=theta.dtype).reshape(ne, ne)

    def evaluate(self, y_lag, y, y_lead, u, theta):
        """Residual vector f(y_{t-1}, y_t, y_{t+1}, u_t, θ) from plain arrays."""
        v = self.variables
        out = self.residuals(
            Named(v, y_lag, "variable (at t-1)"),
            Named(v, y, "variable (at t)"),
            Named(v, y_lead, "variable (at t+1)"),
            Named(self.shocks, u, "shock"),
            self.params_named(theta),
        )
        if isinstance(out, (list, tuple)):
            out = jnp.stack([jnp.asarray(o, dtype=jnp.result_type(float)) for o in out])
        return jnp.asarray(out)

    def static_residual(self, y, theta):
        return self.evaluate(y, y, y, jnp.zeros(self.n_shocks, dtype=y.dtype), theta)

    def analytic_steady_state(self, theta):
        out = self.steady_state_fn(self.params_named(theta))
        if isinstance(out, Named):
            out = out.as_dict()
        if not isinstance(out, Mapping):
            return to_vector(self.variables, out, "variable")
        missing = [v for v in self.variables if v not in out]
        if missing:
            raise ValueError(
                f"steady_state function of model {self.name!r} gives no value for {missing}"
            )
        return to_vector(self.variables, out, "variable (in steady_state)")

    # ------------------------------------------------------------------------------------
    def _analyse(self) -> Structure:
        """Evaluate once at the steady state (or guess): shapes, finiteness, incidence."""
        n, ne = self.n_vars, self.n_shocks
        theta = np.asarray(self.param_defaults, dtype=np.float64)
        try:
            return self._analyse_at(theta, n, ne)
        except UnknownNameError as e:
            raise ValueError(f"model {self.name!r}: residuals refer to an {e}") from None

    def _analyse_at(self, theta, n, ne) -> Structure:
        theta = jnp.asarray(theta, dtype=_FLOAT())
        if self.steady_state_fn is not None:
            y0 = self.analytic_steady_state(theta)
            where = "analytic steady state"
        else:
            y0 = jnp.asarray(self.guess, dtype=_FLOAT())
            where = "initial guess"
        y0 = jnp.asarray(y0, dtype=_FLOAT())
        if y0.shape != (n,):
            raise ValueError(f"steady state has shape {y0.shape}, expected ({n},)")
        cov = self.shock_covariance(theta)
        if not bool(jnp.all(jnp.isfinite(cov))):
            raise ValueError(
                f"model {self.name!r}: shock covariance is not finite at the default parameters"
            )
        u0 = jnp.zeros(ne, dtype=_FLOAT())
        res = self.evaluate(y0, y0, y0, u0, theta)
        if res.ndim != 1:
            raise ValueError(f"residuals must return a vector of scalars, got shape {res.shape}")
        if res.shape[0] != n:
            raise ValueError(
                f"model {self.name!r} has {n} variables ({', '.join(self.variables)}) "
                f"but residuals returns {res.shape[0]} equations"
            )
        bad = np.flatnonzero(~np.isfinite(np.asarray(res)))
        if bad.size:
            i = int(bad[0])
            raise ValueError(
                f"model {self.name!r}: equation {i} ({self.equations[i]}) has non-finite residual "
                f"{float(res[i])} at the {where}"
            )

        # Incidence from Jacobians at the point and at two nearby random points: a structural
        # zero is zero everywhere, an accidental zero is not zero at a random point.
        def jac(yl, y, yp, u, th):
            return jax.jacfwd(self.evaluate, argnums=(0, 1, 2, 3))(yl, y, yp, u, th)

        rng = np.random.default_rng(0)
        pats = [np.zeros((n, n), bool) for _ in range(4)]
        pats[3] = np.zeros((n, ne), bool)
        points = [(y0, y0, y0, u0, theta)]
        for _ in range(2):

            def jitter(x, s=1e-3):
                x = np.asarray(x)
                return jnp.asarray(
                    x * (1 + s * rng.standard_normal(x.shape)) + s * rng.standard_normal(x.shape)
                )

            points.append((jitter(y0), jitter(y0), jitter(y0), jitter(u0), jitter(theta, 1e-4)))
        for k, pt in enumerate(points):
            J = [np.asarray(j) for j in jac(*pt)]
            if not all(np.all(np.isfinite(j)) for j in J):
                if k == 0:
                    bad = [i for i in range(n) if not all(np.all(np.isfinite(j[i])) for j in J)]
                    i = bad[0]
                    raise ValueError(
                        f"model {self.name!r}: derivative of equation {i} ({self.equations[i]}) "
                        f"is not finite at the {where}"
                    )
                continue
            for p, j in zip(pats, J):
                p |= j != 0
        lag, cur, lead = pats[0], pats[1], pats[2]
        has_lag = lag.any(axis=0)
        has_lead = lead.any(axis=0)
        static = tuple(i for i in range(n) if not has_lag[i] and not has_lead[i])
        pred = tuple(i for i in range(n) if has_lag[i] and not has_lead[i])
        both = tuple(i for i in range(n) if has_lag[i] and has_lead[i])
        fwrd = tuple(i for i in range(n) if not has_lag[i] and has_lead[i])
        never = [
            self.variables[i]
            for i in range(n)
            if not (lag[:, i].any() or cur[:, i].any() or lead[:, i].any())
        ]
        if never:
            raise ValueError(f"model {self.name!r}: variable(s) {never} appear in no equation")
        empty = [i for i in range(n) if not (lag[i].any() or cur[i].any() or lead[i].any())]
        if empty:
            raise ValueError(
                f"model {self.name!r}: equation {empty[0]} ({self.equations[empty[0]]}) "
                "depends on no endogenous variable"
            )
        tb = lambda a: tuple(tuple(bool(x) for x in row) for row in a)  # noqa: E731
        return Structure(static, pred, both, fwrd, tb(lag), tb(cur), tb(lead))


# ------------------------------------------------------------------------------------------
# Mixed-order models: some equations held to first order
# ------------------------------------------------------------------------------------------


class _LinearizedResiduals(eqx.Module):
    """residuals(...) of `model` with the rows `rows` replaced by their first-order Taylor
    expansion at the deterministic steady state (hashable by value: one compile per model
    and selection)."""

    model: Model = eqx.field(static=True)
    rows: tuple[int, ...] = eqx.field(static=True)

    def __call__(self, lag, cur, lead, sh, p):
        m, theta = self.model, p.values
        ybar = m.analytic_steady_state(theta)
        u0 = jnp.zeros(m.n_shocks, dtype=ybar.dtype)
        args = (lag.values, cur.values, lead.values, sh.values)

        def f(yl, yc, yf, u):
            return m.evaluate(yl, yc, yf, u, theta)

        f0, df = jax.jvp(
            f, (ybar, ybar, ybar, u0), tuple(a - b for a, b in zip(args, (ybar,) * 3 + (u0,)))
        )
        mask = np.zeros(len(m.variables), dtype=bool)
        mask[list(self.rows)] = True
        return jnp.where(mask, f0 + df, f(*args))


def linearize_equations(model: Model, equations: Sequence[str | int]) -> Model:
    """The model with `equations` held to first order: each is replaced by its first-order
    Taylor expansion at the deterministic steady state,
    f_i(v) → f_i(v̄) + ∇f_i(v̄)(v − v̄), v = (y_{t-1}, y_t, y_{t+1}, u_t),
    so its second derivatives vanish. The steady state and the first-order solution are those of
    `model`; at order 2 the linearised equations contribute no curvature (the "real"
    equations of Evans and Hnatkovska's mixed-order method, the others "financial").

    **Arguments:** `model`, with an analytic steady state (`steady_state=...`: the expansion
    point must be known inside the residual function); `equations`, names (as in
    `model.equations`) or indices.

    **Returns:** a [`jaxmacro.Model`][] with the same names, parameters and shocks.
    """
    if model.steady_state_fn is None:
        raise ValueError(
            f"linearize_equations needs model {model.name!r} to have an analytic steady state "
            "(Model(..., steady_state=...)): the expansion point must be known inside the "
            "residual function"
        )
    eqs = (equations,) if isinstance(equations, (str, int)) else tuple(equations)
    rows = []
    for e in eqs:
        if isinstance(e, str):
            if e not in model.equations:
                raise ValueError(f"unknown equation {e!r}; equations: {', '.join(model.equations)}")
            rows.append(model.equations.index(e))
        else:
            i = int(e)
            if not 0 <= i < len(model.equations):
                raise ValueError(
                    f"equation index {i} out of range (the model has {len(model.equations)})"
                )
            rows.append(i)
    if len(set(rows)) != len(rows):
        raise ValueError(f"an equation is named twice in {eqs!r}")
    if not rows:
        return model
    cov = model.shock_cov_fn
    if cov is None and model.shock_cov_value is not None:
        cov = np.asarray(model.shock_cov_value, dtype=float).reshape(model.n_shocks, -1)
    return Model(
        _LinearizedResiduals(model, tuple(sorted(rows))),
        variables=model.variables,
        shocks=model.shocks,
        params=model.default_params,
        shock_cov=cov,
        steady_state=model.steady_state_fn,
        guess=dict(zip(model.variables, model.guess)),
        equations=model.equations,
        name=f"{model.name} (mixed order)",
    )
