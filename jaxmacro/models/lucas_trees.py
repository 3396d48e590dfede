"""Two-country and N-country Lucas-tree economies: the first stage of Devereux–Sutherland.

The economy (Baxter and Jermann 1997; Devereux and Sutherland 2011, JEEA) has one good and one
tree per country. Country i receives Y_i = e^{y_i}, y_i = ρ_y y_{i,t-1} + e_i; a share θ of Y_i is
paid as dividends on equity i (unit supply), the rest is non-traded labour income. Utility is
CRRA with risk aversion γ and discount factor β. With asset N the numeraire, the complete-markets
(full risk sharing) portfolio in DS normalisation (position relative to full ownership of the own
tree, divided by βȲ) is

    α̃_ii = (1/N - 1)/(1-β),    α̃_ij = 1/(N(1-β))  (j ≠ i, j < N),

so with two countries α̃ = -1/(2(1-β)), independent of γ, θ, ρ_y and Σ (Devereux & Sutherland
2011, Lucas-tree example).

[`lucas_trees_ds`][] is the reference model ``tests/reference/lucas_trees_ds/lucas_trees_ds.mod``
transcribed equation by equation (same variable, shock and parameter names, so its decision rules
compare with the Dynare fixtures); [`lucas_trees_ds_n`][] is its N-country generalisation.
"""

from __future__ import annotations

import functools

import jax.numpy as jnp

from ..internal import Model

__all__ = ["lucas_trees_ds", "lucas_trees_ds_n", "closed_form_alpha_tilde"]


def closed_form_alpha_tilde(beta, n_countries: int = 2):
    """Full-risk-sharing DS position α̃_ii = (1/N - 1)/(1-β) (own tree; -1/(2(1-β)) for N = 2)."""
    return (1.0 / n_countries - 1.0) / (1.0 - beta)


# ------------------------------------------------------------------------------------------
# Two countries: the .mod file, equation by equation
# ------------------------------------------------------------------------------------------


def _residuals2(lag, cur, lead, sh, p):
    e = jnp.exp
    ybar = 1.0  # exp(STEADY_STATE(y1)); y1 = 0 in the steady state for every parameter value
    sdf1 = p.bet * e(-p.gam * (lead.c1 - cur.c1))
    return [
        cur.y1 - p.rhoy * lag.y1 - sh.e1,
        cur.y2 - p.rhoy * lag.y2 - sh.e2,
        e(cur.p1) - sdf1 * (e(lead.p1) + p.theta * e(lead.y1)),
        e(cur.p2) - sdf1 * (e(lead.p2) + p.theta * e(lead.y2)),
        e(cur.r1) - (e(cur.p1) + p.theta * e(cur.y1)) / e(lag.p1),
        e(cur.r2) - (e(cur.p2) + p.theta * e(cur.y2)) / e(lag.p2),
        1.0 - p.bet * e(-p.gam * (lead.c2 - cur.c2)) * e(lead.r2),
        cur.nfa
        - (
            e(cur.r2) * lag.nfa
            + e(cur.y1)
            - e(cur.c1)
            + ybar * (p.bet * p.atil * (e(cur.r1) - e(cur.r2)) + sh.zeta)
        ),
        e(cur.c1) + e(cur.c2) - e(cur.y1) - e(cur.y2),
        cur.cdiff - p.gam * (cur.c1 - cur.c2),
        cur.rx - (cur.r1 - cur.r2),
    ]


def _steady_state2(p):
    zero = 0.0 * p.bet
    p1 = jnp.log(p.bet * p.theta / (1 - p.bet))
    r1 = -jnp.log(p.bet)
    return dict(
        y1=zero,
        y2=zero,
        c1=zero,
        c2=zero,
        p1=p1,
        p2=p1,
        r1=r1,
        r2=r1,
        nfa=zero,
        cdiff=zero,
        rx=zero,
    )


def _cov2(p):
    c12 = p.corr12 * p.sd1 * p.sd2
    z = 0.0 * p.sd1
    return jnp.array([[p.sd1**2, c12, z], [c12, p.sd2**2, z], [z, z, z]])


def lucas_trees_ds(**params) -> Model:
    """The reference model ``lucas_trees_ds.mod`` (two countries, two equities, DS first stage).

    Variables (logs except `nfa`): y1 y2 c1 c2 p1 p2 r1 r2 nfa cdiff rx; shocks e1 e2 zeta
    (`zeta` has zero variance: it is the DS portfolio-income input ξ); parameters
    bet gam theta rhoy sd1 sd2 corr12 atil. Equations:

        y_i = ρ_y y_i(-1) + e_i
        e^{p_i} = β e^{-γ(c1(+1) - c1)} (e^{p_i(+1)} + θ e^{y_i(+1)})        (home prices both)
        e^{r_i} = (e^{p_i} + θ e^{y_i}) / e^{p_i(-1)}
        1 = β e^{-γ(c2(+1) - c2)} e^{r2(+1)}                                  (foreign, numeraire)
        nfa = e^{r2} nfa(-1) + e^{y1} - e^{c1} + Ȳ(β α̃ (e^{r1} - e^{r2}) + ζ),   Ȳ = 1
        e^{c1} + e^{c2} = e^{y1} + e^{y2};  cdiff = γ(c1 - c2);  rx = r1 - r2

    Defaults are calibration 1 of the fixture (β = 0.96, γ = 2, θ = 1/3, ρ_y = 0.9, sd 0.01,
    0.01, corr 0, α̃ = 0). The model has one unit root (nfa). With
    [`jaxmacro.portfolio`][] (``excess_returns=("rx",)``, ``mu_differential="cdiff"``,
    ``xi_shocks=("zeta",)``) the DS position is α̃ = -1/(2(1-β)); in units of the good
    α = α̃ β Ȳ.
    """
    defaults = dict(
        bet=0.96, gam=2.0, theta=1 / 3, rhoy=0.9, sd1=0.01, sd2=0.01, corr12=0.0, atil=0.0
    )
    unknown = sorted(set(params) - set(defaults))
    if unknown:
        raise ValueError(f"unknown parameter(s) {unknown}; known: {sorted(defaults)}")
    defaults.update(params)
    return Model(
        _residuals2,
        variables=("y1", "y2", "c1", "c2", "p1", "p2", "r1", "r2", "nfa", "cdiff", "rx"),
        shocks=("e1", "e2", "zeta"),
        params=defaults,
        shock_cov=_cov2,
        steady_state=_steady_state2,
        equations=(
            "endowment1",
            "endowment2",
            "price1",
            "price2",
            "return1",
            "return2",
            "euler_foreign",
            "budget_home",
            "resources",
            "cdiff",
            "rx",
        ),
        name="lucas_trees_ds",
    )


# ------------------------------------------------------------------------------------------
# N countries
# ------------------------------------------------------------------------------------------


def lucas_trees_ds_n(n_countries: int, **params) -> Model:
    """N-country generalisation of [`lucas_trees_ds`][] (N trees, N-1 excess returns).

    Country 1 prices all N equities with its Euler equation; countries 2..N have the Euler
    equation of the numeraire asset N; countries 1..N-1 have a budget constraint with their own
    DS input ζ_i (country N's follows from the world resource constraint):

        nfa_i = e^{r_N} nfa_i(-1) + e^{y_i} - e^{c_i} + ζ_i,
        cdiff_i = γ (c_i - c_N),   rx_j = r_j - r_N        (i, j = 1..N-1).

    Names: y1..yN, c1..cN, p1..pN, r1..rN, nfa1.., cdiff1.., rx1..; shocks e1..eN, zeta1..;
    parameters bet, gam, theta, rhoy, sd (common standard deviation) and corr (common pairwise
    correlation of the e_i). The DS portfolio (excess returns rx1.., differentials cdiff1..,
    inputs zeta1..) is α̃_ij = (δ_ij - 1/N)·(-1/(1-β)): column i is country i's position in the
    N-1 non-numeraire equities relative to full ownership of its own tree, divided by β.
    """
    N = int(n_countries)
    if N < 2:
        raise ValueError(f"n_countries must be at least 2, got {n_countries}")
    defaults = dict(bet=1 / 1.04, gam=1.0, theta=1 / 3, rhoy=0.91, sd=0.06**0.5, corr=0.0)
    unknown = sorted(set(params) - set(defaults))
    if unknown:
        raise ValueError(f"unknown parameter(s) {unknown}; known: {sorted(defaults)}")
    defaults.update(params)
    ii = range(1, N + 1)
    jj = range(1, N)
    variables = (
        tuple(f"y{i}" for i in ii)
        + tuple(f"c{i}" for i in ii)
        + tuple(f"p{i}" for i in ii)
        + tuple(f"r{i}" for i in ii)
        + tuple(f"nfa{i}" for i in jj)
        + tuple(f"cdiff{i}" for i in jj)
        + tuple(f"rx{i}" for i in jj)
    )
    shocks = tuple(f"e{i}" for i in ii) + tuple(f"zeta{i}" for i in jj)

    residuals, steady_state, cov = _n_country_functions(N)
    return Model(
        residuals,
        variables=variables,
        shocks=shocks,
        params=defaults,
        shock_cov=cov,
        steady_state=steady_state,
        name=f"lucas_trees_ds_{N}",
    )


@functools.cache
def _n_country_functions(N: int):
    """The residual, steady-state and covariance functions of the N-country model, built once
    per N, so that the same model built twice is the same compiled program."""
    ii = range(1, N + 1)
    jj = range(1, N)

    def residuals(lag, cur, lead, sh, p):
        e = jnp.exp
        sdf1 = p.bet * e(-p.gam * (lead["c1"] - cur["c1"]))
        out = [cur[f"y{i}"] - p.rhoy * lag[f"y{i}"] - sh[f"e{i}"] for i in ii]
        out += [
            e(cur[f"p{i}"]) - sdf1 * (e(lead[f"p{i}"]) + p.theta * e(lead[f"y{i}"])) for i in ii
        ]
        out += [
            e(cur[f"r{i}"]) - (e(cur[f"p{i}"]) + p.theta * e(cur[f"y{i}"])) / e(lag[f"p{i}"])
            for i in ii
        ]
        out += [
            1.0 - p.bet * e(-p.gam * (lead[f"c{i}"] - cur[f"c{i}"])) * e(lead[f"r{N}"])
            for i in range(2, N + 1)
        ]
        out += [
            cur[f"nfa{i}"]
            - (
                e(cur[f"r{N}"]) * lag[f"nfa{i}"]
                + e(cur[f"y{i}"])
                - e(cur[f"c{i}"])
                + sh[f"zeta{i}"]
            )
            for i in jj
        ]
        out += [sum(e(cur[f"c{i}"]) for i in ii) - sum(e(cur[f"y{i}"]) for i in ii)]
        out += [cur[f"cdiff{i}"] - p.gam * (cur[f"c{i}"] - cur[f"c{N}"]) for i in jj]
        out += [cur[f"rx{i}"] - (cur[f"r{i}"] - cur[f"r{N}"]) for i in jj]
        return out

    def steady_state(p):
        zero = 0.0 * p.bet
        pp = jnp.log(p.bet * p.theta / (1 - p.bet))
        rr = -jnp.log(p.bet)
        ss = {}
        for i in ii:
            ss.update({f"y{i}": zero, f"c{i}": zero, f"p{i}": pp, f"r{i}": rr})
        for i in jj:
            ss.update({f"nfa{i}": zero, f"cdiff{i}": zero, f"rx{i}": zero})
        return ss

    def cov(p):
        c = p.sd**2 * ((1 - p.corr) * jnp.eye(N) + p.corr * jnp.ones((N, N)))
        return jnp.zeros((2 * N - 1, 2 * N - 1)).at[:N, :N].set(c)

    return residuals, steady_state, cov
