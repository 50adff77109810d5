"""Tests of nblm_helpers.population.dots: the distribution of linewidths by population dynamics.

Issue 15, part 2.  Small populations with fixed seeds (each test a few seconds at most).  The
parameters are those of the book's mean-field chapters (gamma = 0.1, K = 3, N = 10, s = 1/2, d = 1),
where Eq. (19) gives ln Gamma = -11.45 (eps = -0.1), -8.66 (0), -5.48 (0.3) and the typical-value
theory's transition is at eps_c = -0.177 (infinite sum) / -0.169 (square sum).
"""

import math
import warnings

import numpy as np
import pytest

from nblm_helpers import meanfield
from nblm_helpers.parameters import ValidityWarning
from nblm_helpers.population import (
    DistributionTransition,
    LinewidthDistribution,
    distribution_transition,
    linearized_growth,
    stationary_linewidths,
    tail_exponent,
)
from nblm_helpers.population import dots

KW = dict(gamma=0.1, K=3, N=10, s=0.5)


# ----------------------------------------------------------------------------- the homogeneous limit


@pytest.mark.parametrize("sum_range", ["infinite", "square"])
@pytest.mark.parametrize("eps", [-0.15, -0.1, 0.0, 0.3, 0.45])
def test_homogeneous_limit_reproduces_eq19(sum_range, eps):
    """No spread, typical detunings: the population stays equal and converges to solve_linewidth
    (from ln Gamma = -40, far from the root: the burn-in's secant steps), to 1e-8 in ln Gamma."""
    ref = meanfield.solve_linewidth(eps=eps, sum_range=sum_range, warn=False, **KW)
    assert ref.status == "root"
    r = stationary_linewidths(eps=eps, sum_range=sum_range, population=10, iterations=3, burn_in=30,
                              ln_Gamma_start=-40.0, **KW)
    assert isinstance(r, LinewidthDistribution)
    assert abs(r.ln_Gamma_typical - ref.ln_Gamma) < 1e-8, (r.ln_Gamma_typical, ref.ln_Gamma, r.trace)
    assert np.all(np.abs(r.ln_Gamma - ref.ln_Gamma) < 1e-8)
    assert r.ln_Gamma_std < 1e-12 and r.stationary and not r.collapsed
    assert r.ln_Gamma_homogeneous == ref.ln_Gamma


@pytest.mark.parametrize("sum_range", ["infinite", "square"])
def test_homogeneous_localized_side_collapses(sum_range):
    """Below the typical theory's eps_c the equal population sinks to the floor and collapses."""
    r = stationary_linewidths(eps=-0.4, sum_range=sum_range, population=10, iterations=3, burn_in=40,
                              ln_Gamma_floor=-100.0, **KW)
    assert r.collapsed and r.localized_fraction == 1.0
    assert r.ln_Gamma_typical == -math.inf and r.Gamma_typical == 0.0 and r.Gamma_mean == 0.0
    assert np.all(np.isneginf(r.ln_Gamma))


# ----------------------------------------------------------------------------- the distribution


@pytest.mark.filterwarnings("ignore::nblm_helpers.parameters.ValidityWarning")  # 4 iterations: not stationary
def test_seeds_reproducible_bit_for_bit():
    kw = dict(eps=-0.3, detuning="random", eps_spread=0.05, population=1000, iterations=4, burn_in=4, **KW)
    a = stationary_linewidths(seed=7, **kw)
    b = stationary_linewidths(seed=7, **kw)
    c = stationary_linewidths(seed=8, **kw)
    assert np.array_equal(a.ln_Gamma, b.ln_Gamma) and np.array_equal(a.trace, b.trace)
    assert a.ln_Gamma_typical == b.ln_Gamma_typical
    assert not np.array_equal(a.ln_Gamma, c.ln_Gamma)


def test_random_detunings_metallic_side_stationary():
    """eps = -0.3 is localized in the typical theory, but metallic with random detunings (the
    distribution's eps_c = -0.929): a stationary, broad P(ln Gamma) with mean >> typical."""
    r = stationary_linewidths(eps=-0.3, detuning="random", population=2000, iterations=20, burn_in=20, seed=1, **KW)
    assert r.stationary and not r.collapsed and r.localized_fraction == 0.0
    assert r.ln_Gamma_homogeneous == -math.inf
    # measured: typical -10.58 +- 0.01, ln mean -8.1, width 1.76
    assert -11.0 < r.ln_Gamma_typical < -10.2
    assert r.ln_Gamma_mean > r.ln_Gamma_typical + 1.5
    assert 1.5 < r.ln_Gamma_std < 2.0
    q = r.quantiles
    assert q[0.01] < q[0.1] < q[0.5] < q[0.9] < q[0.99]


def test_population_size_convergence():
    """The typical ln Gamma at 2000 and 8000 members agrees within 0.1 (measured: 0.02, errors ~0.01)."""
    kw = dict(eps=-0.3, detuning="random", iterations=20, burn_in=20, seed=0, **KW)
    small = stationary_linewidths(population=2000, **kw)
    big = stationary_linewidths(population=8000, **kw)
    assert abs(small.ln_Gamma_typical - big.ln_Gamma_typical) < 0.1
    assert abs(small.ln_Gamma_std - big.ln_Gamma_std) < 0.1


def test_random_detunings_localized_side_collapses():
    """Below the distribution's eps_c = -0.929 the population collapses."""
    r = stationary_linewidths(eps=-1.2, detuning="random", population=1000, iterations=5, burn_in=40,
                              ln_Gamma_floor=-80.0, seed=2, **KW)
    assert r.collapsed


def test_spread_broadens_and_keeps_the_mean_field_typical_value():
    """A box of eps (sigma = 0.05) widens P(ln Gamma) from 0 to ~0.5, typical close to Eq. (19)."""
    r = stationary_linewidths(eps=0.0, eps_spread=0.05, population=2000, iterations=12, burn_in=12, seed=3, **KW)
    assert 0.3 < r.ln_Gamma_std < 0.8
    assert abs(r.ln_Gamma_typical - r.ln_Gamma_homogeneous) < 0.2


def test_lines_per_order_exact_for_square_sum():
    """lines_per_order >= N: every channel (n, p) its own line (weights 1)."""
    p = dict(sum_range="square", N=3)
    m, lnw = dots._lines(p, 2 * 3 + 1, 8)
    assert np.array_equal(m, [2, 3, 3, 4, 4, 4, 5, 5, 6]) and np.all(lnw == 0.0)
    assert dots._n_lines(p, 7, 8) == m.size
    q = dict(sum_range="infinite", N=3)
    for M in (2, 3, 5, 12, 40):
        assert dots._n_lines(q, M, 4) == dots._lines(q, M, 4)[0].size


def test_progress_is_called():
    calls = []
    stationary_linewidths(eps=0.0, population=10, iterations=3, burn_in=2, progress=lambda d, t: calls.append((d, t)),
                          **KW)
    assert calls and calls[-1] == (5, 5)


# ----------------------------------------------------------------------------- linearized recursion


@pytest.mark.parametrize("sum_range", ["infinite", "square"])
def test_lambda_one_is_ln_F0(sum_range):
    for eps in (-0.5, -0.15):
        F0 = meanfield.solve_linewidth(eps=eps, sum_range=sum_range, warn=False, **KW).F0
        assert linearized_growth(1.0, eps=eps, sum_range=sum_range, **KW) == pytest.approx(math.log(F0), abs=1e-12)


@pytest.mark.parametrize("sum_range", ["infinite", "square"])
def test_transition_typical_detunings_is_F0_equals_one(sum_range):
    r = distribution_transition(sum_range=sum_range, **KW)
    assert isinstance(r, DistributionTransition)
    eps_c = meanfield.critical_eps(sum_range=sum_range, **KW)
    assert abs(r.eps_c - eps_c) < 1e-8 and r.beta == 1.0
    assert abs(r.eps_c_typical - eps_c) < 1e-14
    assert r.Xi_c == pytest.approx(1.0 / ((1.0 - r.eps_c) * math.log(3)), rel=1e-14)


def test_transition_random_detunings_and_spread():
    """Random detunings move eps_c far down (-0.929, beta = 0.374); a spread moves it down a little."""
    r = distribution_transition(detuning="random", **KW)
    assert -0.95 < r.eps_c < -0.9 and 0.3 < r.beta < 0.45
    assert linearized_growth(r.beta, eps=r.eps_c, detuning="random", **KW) == pytest.approx(0.0, abs=1e-6)
    s = distribution_transition(eps_spread=0.05, **KW)
    assert s.eps_c < r.eps_c_typical - 0.01


def test_random_detuning_quadrature_against_a_fine_grid():
    """E[n^beta r^-2beta] by Gauss-Laguerre against the trapezoid rule on ln E (continuous n_fast)."""
    beta = 0.3
    kw = dict(eps=-0.5, detuning="random", nfast="continuous", **KW)
    lam = linearized_growth(beta, **kw)
    # the same sum with a fine trapezoid over y = ln E (density e^(y - e^y))
    y = np.linspace(-60.0, 4.5, 200_001)
    ln_r = dots._EULER + y
    ln_dens = y - np.exp(y)
    a, ell, lnsN = math.log(0.1), math.log(3.0), math.log(5.0)
    tot = 0.0
    for m in range(2, 400):
        ln_n = dots._ln_n_unsat(a + ell * m - ln_r, lnsN, 1, False)
        f = np.exp(ln_dens + beta * (ln_n - 2.0 * ln_r))
        inner = np.trapezoid(f, y)
        tot += (m - 1) * math.exp(beta * (2.0 * a + 2.0 * ell * m * -0.5)) * inner
    assert lam == pytest.approx(math.log(tot), abs=1e-4)


def test_lambda_infinite_where_it_diverges():
    assert linearized_growth(0.5, eps=-0.5, detuning="random", **KW) == math.inf
    assert linearized_growth(0.3, eps=0.1, **KW) == math.inf
    assert linearized_growth(0.3, eps=-0.05, eps_spread=0.05, **KW) == math.inf


# ----------------------------------------------------------------------------- the tail


def test_tail_exponent_on_a_pareto_sample():
    rng = np.random.default_rng(0)
    for alpha in (0.5, 1.0, 2.0):
        ln_x = -np.log(rng.random(200_000)) / alpha  # P(X > x) = x^-alpha, x >= 1
        a, err, k = tail_exponent(ln_x, fraction=0.05)
        assert k == 10_000
        assert abs(a - alpha) < 3 * err, (a, alpha, err)
        assert err == pytest.approx(a / 100.0)
    # -inf (X = 0) is ignored; equal values give inf
    a1 = tail_exponent(np.concatenate([ln_x, [-np.inf] * 10]))
    assert a1 == tail_exponent(ln_x)
    assert tail_exponent(np.zeros(100))[0] == math.inf


def test_tail_exponent_refuses():
    with pytest.raises(ValueError, match="fraction"):
        tail_exponent(np.zeros(100), fraction=0.0)
    with pytest.raises(ValueError, match="needs at least"):
        tail_exponent(np.zeros(5), fraction=0.05)
    with pytest.raises(ValueError, match="NaN"):
        tail_exponent(np.array([np.nan] * 100))


# ----------------------------------------------------------------------------- validation, warnings


@pytest.mark.parametrize("bad, name", [
    (dict(eps_spread=1.0), "eps_spread"),
    (dict(eps_spread=-0.1), "eps_spread"),
    (dict(detuning="poisson"), "detuning"),
    (dict(population=5), "population"),
    (dict(iterations=1), "iterations"),
    (dict(lines_per_order=0), "lines_per_order"),
    (dict(ln_Gamma_floor=0.0), "ln_Gamma_floor"),
    (dict(ln_Gamma_start=5.0), "ln_Gamma_start"),
    (dict(seed=-1), "seed"),
    (dict(progress=3), "progress"),
    (dict(population=200_000, iterations=10_000), "MAX_WORK"),
])
def test_stationary_linewidths_refuses_by_name(bad, name):
    kw = dict(eps=0.0, population=10, iterations=2, burn_in=0, **KW)
    kw.update(bad)
    with pytest.raises(ValueError, match=name):
        stationary_linewidths(**kw)


def test_small_population_warns():
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        stationary_linewidths(eps=-0.3, detuning="random", population=100, iterations=4, burn_in=4, **KW)
    assert any(issubclass(w.category, ValidityWarning) and "too small" in str(w.message) for w in rec)


def test_not_stationary_warns():
    """Just below eps_c (typical theory) the equal population sinks steadily: a drift, no plateau."""
    with pytest.warns(ValidityWarning, match="not stationary"):
        r = stationary_linewidths(eps=-0.2, population=10, iterations=12, burn_in=0, **KW)
    assert not r.stationary and r.drift < 0 and not r.collapsed


def test_no_warning_in_the_homogeneous_metal():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        stationary_linewidths(eps=0.0, population=10, iterations=2, burn_in=0, **KW)
