"""Tests of nblm_helpers.single_dot: Eq. (16) and the Golden-rule sum it approximates (Sec. IV B)."""

import math
import warnings
from contextlib import nullcontext

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from nblm_helpers import single_dot as sd
from nblm_helpers.parameters import ValidityWarning


def golden_rule(gamma, W, a=None):
    """pytest.warns(ValidityWarning) where a call leaves the regime of Eq. (16) / its sum, else a block
    that must not warn: gamma >= W (the Golden rule is the leading order in gamma/W), or, for the Eq. (16)
    helpers (pass ``a`` = Xi ln K), Xi ln K >= 2 (the sum it approximates diverges)."""
    outside = gamma >= np.min(W) or (a is not None and a >= 2)
    return pytest.warns(ValidityWarning) if outside else nullcontext()


def brute_force_rate(W, *, gamma, K, Xi, delta_m=1.0, reading="states", n_max=None):
    """The Golden-rule sum term by term, in plain Python: no closed form, no logs.

    Without ``n_max`` the loop stops once a term no longer changes the total.
    """
    n_c = math.log(delta_m / W) / math.log(K)
    n0 = max(1, math.ceil(n_c - 1e-9))
    stop = n_max if n_max is not None else 10**6
    total = 0.0
    for n in range(n0, stop + 1):
        matrix_element_sq = gamma**2 * math.exp(-2 * n / Xi)     # |M_n|^2
        n_states = W * K**n / delta_m if reading == "states" else 1.0  # final states in the window
        term = matrix_element_sq * n_states / W                  # density of bath states 1/W
        total += term
        if n_max is None and term < 1e-18 * total:
            break
    return total


def xi_of(a, K):
    """Xi for a given Xi ln K."""
    return a / math.log(K)


# -- closed forms against brute force -----------------------------------------------------------


@pytest.mark.parametrize("reading", sd.READINGS)
@pytest.mark.parametrize("W", [0.5, 1 / 3, 0.1, 0.037, 1e-3, 2e-5])
@pytest.mark.parametrize("a", [0.2, 0.5, 0.9, 1.5])
def test_sum_matches_brute_force(reading, W, a):
    K, gamma, delta_m = 3.0, 0.07, 1.0
    Xi = xi_of(a, K)
    with golden_rule(gamma, W):
        got = sd.relaxation_rate_sum(W, gamma=gamma, K=K, Xi=Xi, delta_m=delta_m, reading=reading)
    assert got == pytest.approx(brute_force_rate(W, gamma=gamma, K=K, Xi=Xi, reading=reading), rel=1e-11)


@pytest.mark.parametrize("reading", sd.READINGS)
@pytest.mark.parametrize("a", [0.5, 2.0, 3.0])
def test_finite_sum_matches_brute_force_including_divergent_regime(reading, a):
    K, N = 3.0, 10
    Xi = xi_of(a, K)
    for W in [0.3, 0.01, 3.0**-10 * 1.01, 3.0**-10]:
        with golden_rule(0.1, W):
            got = sd.relaxation_rate_sum(W, gamma=0.1, K=K, Xi=Xi, reading=reading, n_max=N)
        assert got == pytest.approx(brute_force_rate(W, gamma=0.1, K=K, Xi=Xi, reading=reading, n_max=N),
                                    rel=1e-11)
    # below the many-body spacing no final state lies inside the dot
    with pytest.warns(ValidityWarning, match="gamma = 0.1 >= W"):
        assert sd.relaxation_rate_sum(0.9 * 3.0**-10, gamma=0.1, K=K, Xi=Xi, reading=reading, n_max=N) == 0.0
    with pytest.warns(ValidityWarning, match="gamma = 0.1 >= W"):
        assert sd.ln_relaxation_rate_sum(0.9 * 3.0**-10, gamma=0.1, K=K, Xi=Xi, reading=reading,
                                         n_max=N) == -math.inf


def test_delta_m_sets_the_unit():
    kw = dict(K=4.0, Xi=0.6, reading="states")
    # gamma = 10 W: deliberately outside the Golden-rule premise; the rate only scales as gamma^2
    with pytest.warns(ValidityWarning, match="gamma = 0.1 >= W"):
        base = sd.relaxation_rate_sum(0.01, gamma=0.1, **kw)
    with pytest.warns(ValidityWarning, match="gamma = 0.7 >= W"):
        scaled = sd.relaxation_rate_sum(0.01 * 7, gamma=0.1 * 7, delta_m=7.0, **kw)
    assert scaled == pytest.approx(7 * base, rel=1e-12)
    with pytest.warns(ValidityWarning):
        assert sd.relaxation_rate_eq16(0.07, gamma=0.7, K=4, Xi=0.6, delta_m=7) == pytest.approx(
            7 * sd.relaxation_rate_eq16(0.01, gamma=0.1, K=4, Xi=0.6), rel=1e-12)
    assert sd.fock_distance_threshold(7 / 16, K=4, delta_m=7) == pytest.approx(2.0, rel=1e-14)


def test_eq16_closed_form_and_time():
    W, gamma, K, Xi = 0.01, 0.1, 3.0, 0.4
    a = Xi * math.log(K)
    expected = gamma**2 / W * W ** (2 / a)
    with pytest.warns(ValidityWarning, match="gamma = 0.1 >= W"):   # gamma = 10 W: outside the Golden rule
        assert sd.relaxation_rate_eq16(W, gamma=gamma, K=K, Xi=Xi) == pytest.approx(expected, rel=1e-13)
    with pytest.warns(ValidityWarning, match="gamma = 0.1 >= W"):
        assert sd.relaxation_time_eq16(W, gamma=gamma, K=K, Xi=Xi) == pytest.approx(
            gamma**-2 * W ** (1 - 2 / a), rel=1e-13)


# -- Eq. (16) is the first term at integer n_c --------------------------------------------------


@pytest.mark.parametrize("reading", sd.READINGS)
@pytest.mark.parametrize("n", [1, 2, 5, 12])
def test_integer_nc_gives_the_geometric_prefactor(reading, n):
    K, a = 3.0, 0.7
    Xi = xi_of(a, K)
    W = K**-n
    assert sd.first_shell(W, K=K) == n  # ceil with tolerance: 3**-n is not exact in floating point
    q = sd.geometric_ratio(K=K, Xi=Xi, reading=reading)
    assert sd.ratio_to_eq16(W, K=K, Xi=Xi, reading=reading) == pytest.approx(1 / (1 - q), rel=1e-12)
    first_term = (0.1**2 / W) * math.exp(-2 * n / Xi) * (W * K**n if reading == "states" else 1.0)
    with golden_rule(0.1, W):
        assert first_term == pytest.approx(sd.relaxation_rate_eq16(W, gamma=0.1, K=K, Xi=Xi), rel=1e-12)


def test_typical_prefactor_tends_to_one_as_Xi_to_zero():
    K, W = 3.0, 3.0**-4
    ratios = [sd.ratio_to_eq16(W, K=K, Xi=Xi, reading="typical") for Xi in (1.0, 0.3, 0.1, 0.02)]
    assert ratios[0] > ratios[1] > ratios[2] > 1.0
    assert ratios[2] - 1.0 == pytest.approx(math.exp(-20.0), rel=1e-6)
    assert ratios[3] == pytest.approx(1.0, rel=0, abs=1e-15)
    assert ratios[0] == pytest.approx(1 / (1 - math.exp(-2.0)), rel=1e-12)


def test_geometric_ratios():
    assert sd.geometric_ratio(K=3, Xi=xi_of(0.5, 3), reading="states") == pytest.approx(3.0**-3, rel=1e-13)
    assert sd.geometric_ratio(K=3, Xi=xi_of(0.5, 3), reading="typical") == pytest.approx(3.0**-4, rel=1e-13)
    assert sd.geometric_ratio(K=3, Xi=xi_of(2.0, 3)) == pytest.approx(1.0, rel=1e-13)


def test_q_equal_one_with_cutoff():
    # Xi ln K = 2 exactly: q = 1, and the sum counts n_max - n0 + 1 equal terms
    K = math.e
    Xi = 2.0
    W = math.exp(-3.5)  # n_c = 3.5, n0 = 4
    with pytest.warns(ValidityWarning, match="gamma = 1 >= W"):   # gamma = 1 is the unit here
        got = sd.relaxation_rate_sum(W, gamma=1.0, K=K, Xi=Xi, n_max=10)
    assert got == pytest.approx(7.0, rel=1e-12)


# -- SymPy derivations against the helper ------------------------------------------------------


def _sympy_closed_forms():
    g, W, d, K, Xi, q = sp.symbols("gamma W delta_m K Xi q", positive=True)
    n, n0, nmax = sp.symbols("n n_0 n_max", integer=True, positive=True)
    states = (g**2 / W) * sp.exp(-2 * n / Xi) * (W * K**n / d)
    typical = (g**2 / W) * sp.exp(-2 * n / Xi)
    # both summands are A q^n; SymPy sums the geometric series
    assert sp.simplify(states - g**2 / d * (K * sp.exp(-2 / Xi)) ** n) == 0
    assert sp.simplify(typical - g**2 / W * sp.exp(-2 / Xi) ** n) == 0
    geo = sp.summation(q**n, (n, n0, sp.oo))
    geo = geo.args[0].expr if isinstance(geo, sp.Piecewise) else geo  # branch q < 1
    geo_fin = sp.summation(q**n, (n, n0, nmax))
    geo_fin = geo_fin.args[1].expr  # branch q != 1
    out = {
        "states": (g**2 / d * geo).subs(q, K * sp.exp(-2 / Xi)),
        "typical": (g**2 / W * geo).subs(q, sp.exp(-2 / Xi)),
        "states_fin": (g**2 / d * geo_fin).subs(q, K * sp.exp(-2 / Xi)),
    }
    return (g, W, d, K, Xi, n0, nmax), out


def test_sympy_sum_equals_helper():
    (g, W, d, K, Xi, n0, nmax), forms = _sympy_closed_forms()
    for reading in sd.READINGS:
        f = sp.lambdify((g, W, d, K, Xi, n0), forms[reading])
        for Wv, Kv, Xiv, dv in [(0.01, 3.0, 0.5, 1.0), (0.2, 5.0, 0.3, 2.0), (1e-4, 2.5, 1.0, 1.0)]:
            n0v = sd.first_shell(Wv, K=Kv, delta_m=dv)
            with golden_rule(0.1, Wv):
                assert sd.relaxation_rate_sum(Wv, gamma=0.1, K=Kv, Xi=Xiv, delta_m=dv, reading=reading) == \
                    pytest.approx(f(0.1, Wv, dv, Kv, Xiv, n0v), rel=1e-12)
    f = sp.lambdify((g, W, d, K, Xi, n0, nmax), forms["states_fin"])
    n0v = sd.first_shell(0.01, K=3)
    with golden_rule(0.1, 0.01):
        assert sd.relaxation_rate_sum(0.01, gamma=0.1, K=3, Xi=4.0, n_max=10) == pytest.approx(
            f(0.1, 0.01, 1.0, 3.0, 4.0, n0v, 10), rel=1e-12)


def test_sympy_ratio_to_eq16():
    (g, W, d, K, Xi, n0, nmax), forms = _sympy_closed_forms()
    a, frac = sp.symbols("a f", positive=True)
    eq16 = g**2 / W * (W / d) ** (2 / (Xi * sp.log(K)))
    nc = sp.log(d / W) / sp.log(K)
    ratio = (forms["states"] / eq16).subs(n0, nc + frac).subs(Xi, a / sp.log(K))
    q = K ** (1 - 2 / a)
    # at W = delta_m K^-m (any real m) the ratio is q^f / (1 - q): no W left
    m = sp.Symbol("m", positive=True)
    diff = sp.simplify(ratio.subs(W, d * K ** (-m)) - q**frac / (1 - q))
    assert diff == 0
    fr = sp.lambdify((K, a, frac), q**frac / (1 - q))
    Wv, Kv, av = 0.02, 3.0, 0.8
    fv = sd.first_shell(Wv, K=Kv) - sd.fock_distance_threshold(Wv, K=Kv)
    assert sd.ratio_to_eq16(Wv, K=Kv, Xi=av / math.log(Kv)) == pytest.approx(fr(Kv, av, fv), rel=1e-12)


# -- properties ---------------------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(lnW=st.floats(-40, -0.01), K=st.floats(1.2, 50), a=st.floats(0.05, 1.95), gamma=st.floats(1e-6, 1))
def test_properties(lnW, K, a, gamma):
    W = math.exp(lnW)
    Xi = a / math.log(K)
    kw = dict(K=K, Xi=Xi)
    with golden_rule(gamma, W):
        states = sd.ln_relaxation_rate_sum(W, gamma=gamma, reading="states", **kw)
    with golden_rule(gamma, W):
        typical = sd.ln_relaxation_rate_sum(W, gamma=gamma, reading="typical", **kw)
    with golden_rule(gamma, W, a=Xi * math.log(K)):
        eq16 = sd.ln_relaxation_rate_eq16(W, gamma=gamma, **kw)
    assert np.isfinite([states, typical, eq16]).all()
    # counting every state in the window never gives less than one state per order
    assert states >= typical - 1e-9
    # the ratio stays inside (q/(1-q), 1/(1-q)]
    for reading, ln_rate in (("states", states), ("typical", typical)):
        q = sd.geometric_ratio(reading=reading, **kw)
        r = ln_rate - eq16
        assert math.log(q) - math.log1p(-q) - 1e-9 <= r <= -math.log1p(-q) + 1e-9
        assert sd.ratio_to_eq16(W, reading=reading, **kw) == pytest.approx(math.exp(r), rel=1e-9)
    # a cut-off can only lower the rate
    n0 = sd.first_shell(W, K=K)
    with golden_rule(gamma, W):
        assert sd.ln_relaxation_rate_sum(W, gamma=gamma, reading="states", n_max=n0 + 3, **kw) <= states + 1e-12
    # the number of states in the window at n_c is one
    assert sd.states_in_window(sd.fock_distance_threshold(W, K=K), W, K=K) == pytest.approx(1.0, rel=1e-9)


@settings(max_examples=50, deadline=None)
@given(a=st.floats(0.05, 1.9), K=st.floats(1.5, 20))
def test_rate_vectorizes_and_is_monotone_at_shell_edges(a, K):
    Xi = a / math.log(K)
    n = np.arange(1, 30)
    W = K ** (-n.astype(float))
    W = W[W < 1]
    for reading in sd.READINGS:
        with warnings.catch_warnings():   # gamma = 1 is the unit of the rates here (all W < gamma)
            warnings.simplefilter("ignore", ValidityWarning)
            r = sd.relaxation_rate_sum(W, gamma=1.0, K=K, Xi=Xi, reading=reading)
            one_by_one = [sd.relaxation_rate_sum(float(w), gamma=1.0, K=K, Xi=Xi, reading=reading) for w in W]
        assert r.shape == W.shape
        # at W = K^-n (all at the top of a step) the rate falls as W falls when Xi ln K < 2
        assert np.all(np.diff(np.log(r[r > 0])) < 0)
        np.testing.assert_allclose(r, one_by_one, rtol=1e-14)


def test_log_variants_do_not_underflow():
    with pytest.warns(ValidityWarning, match="gamma = 0.001 >= W"):
        ln_rate = sd.ln_relaxation_rate_sum(1e-300, gamma=1e-3, K=3, Xi=0.2)
    assert np.isfinite(ln_rate) and ln_rate < -5000
    with pytest.warns(ValidityWarning):
        assert sd.relaxation_rate_sum(1e-300, gamma=1e-3, K=3, Xi=0.2) == 0.0
    with pytest.warns(ValidityWarning):
        assert np.isfinite(sd.ln_relaxation_rate_eq16(1e-300, gamma=1e-3, K=3, Xi=0.2))
    # q >> 1 with a cut-off: no overflow in the log
    with pytest.warns(ValidityWarning, match="gamma = 1 >= W"):
        assert np.isfinite(sd.ln_relaxation_rate_sum(1e-300, gamma=1.0, K=3, Xi=50, n_max=5000))


def test_types_and_shapes():
    with pytest.warns(ValidityWarning):   # gamma = 1 as the unit: outside gamma << W
        assert isinstance(sd.relaxation_rate_sum(0.1, gamma=1, K=3, Xi=1), float)
    with pytest.warns(ValidityWarning):
        assert isinstance(sd.relaxation_rate_eq16(0.1, gamma=1, K=3, Xi=1), float)
    assert isinstance(sd.first_shell(0.1, K=3), int)
    assert isinstance(sd.many_body_spacing(K=3, N=10), float)
    assert sd.first_shell(np.array([0.5, 0.1]), K=3).tolist() == [1, 3]
    with pytest.warns(ValidityWarning):
        assert sd.relaxation_rate_eq16([0.1, 0.01], gamma=1, K=3, Xi=1).shape == (2,)


def test_many_body_spacing_and_stop_bandwidth():
    assert sd.many_body_spacing(K=3, N=10) == pytest.approx(3.0**-10, rel=1e-14)
    assert sd.ln_many_body_spacing(K=3, N=10, delta_m=2.0) == pytest.approx(math.log(2 * 3.0**-10))
    K, N, gamma, Xi = 3.0, 10, 0.01, 0.9 / math.log(3)
    W_star = sd.eq16_stop_bandwidth(gamma=gamma, K=K, Xi=Xi, N=N)
    assert sd.relaxation_rate_eq16(W_star, gamma=gamma, K=K, Xi=Xi) == pytest.approx(
        sd.many_body_spacing(K=K, N=N), rel=1e-10)


# -- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(W=0.0), r"^W must .* \(0, 1\)"),
        (dict(W=1.0), r"^W must .* \(0, 1\)"),
        (dict(W=[0.1, 2.0]), r"^W must"),
        (dict(W=float("nan")), r"^W must"),
        (dict(gamma=0.0), r"^gamma must .* \(0, inf\)"),
        (dict(K=1.0), r"^K must .* \(1, inf\)"),
        (dict(Xi=-1.0), r"^Xi must"),
        (dict(delta_m=0.0), r"^delta_m must"),
        (dict(reading="mean"), r"^reading must be one of"),
        (dict(n_max=0), r"^n_max must be an integer >= 1"),
        (dict(n_max=2.5), r"^n_max must be an integer"),
        (dict(Xi=3.0), r"^Xi ln K must be < 2"),
        (dict(W=True), r"^W must"),
    ],
)
def test_bad_input(kwargs, match):
    base = dict(W=0.1, gamma=0.1, K=3.0, Xi=0.5)
    base.update(kwargs)
    W = base.pop("W")
    with pytest.raises(ValueError, match=match):
        sd.relaxation_rate_sum(W, **base)


def test_bad_input_other_functions():
    with pytest.raises(ValueError, match=r"^W must .* \(0, 2\)"):
        sd.fock_distance_threshold(3.0, K=3, delta_m=2.0)
    with pytest.raises(ValueError, match="^K must"):
        sd.relaxation_rate_eq16(0.1, gamma=0.1, K=0.5, Xi=1)
    with pytest.raises(ValueError, match="^N must be an integer"):
        sd.many_body_spacing(K=3, N=0)
    with pytest.raises(ValueError, match="^Xi ln K must be < 2"):
        sd.eq16_stop_bandwidth(gamma=0.1, K=3, Xi=5, N=10)
    with pytest.raises(ValueError, match="^reading must"):
        sd.geometric_ratio(K=3, Xi=1, reading="all")
    with pytest.raises(ValueError, match="^n must"):
        sd.states_in_window(-1, 0.1, K=3)


# -- hardening: regime warnings and extreme inputs (regression tests) --------------------------


def test_validity_warning_eq16_where_its_sum_diverges():
    K = 3.0
    Xi = xi_of(2.5, K)                       # Xi ln K = 2.5: sum_n (K e^{-2/Xi})^n diverges
    for f in (sd.ln_relaxation_rate_eq16, sd.relaxation_rate_eq16, sd.relaxation_time_eq16):
        with pytest.warns(ValidityWarning, match=r"Xi ln K = 2.5 >= 2: the geometric sum .* diverges"):
            f(0.01, gamma=1e-4, K=K, Xi=Xi)
    with pytest.warns(ValidityWarning, match="Xi ln K = 2.5 >= 2"):
        sd.ratio_to_eq16(0.01, K=K, Xi=Xi, n_max=10)
    # the finite sum itself is not an approximation: no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sd.relaxation_rate_sum(0.01, gamma=1e-4, K=K, Xi=Xi, n_max=10)
        sd.relaxation_rate_eq16(0.01, gamma=1e-4, K=K, Xi=xi_of(1.9, K))


def test_validity_warning_golden_rule_premise():
    with pytest.warns(ValidityWarning, match=r"gamma = 0.05 >= W at 2 of 3 point\(s\)"):
        sd.relaxation_rate_sum(np.array([0.5, 0.05, 0.01]), gamma=0.05, K=3.0, Xi=0.4)
    # at the stop bandwidth of the chapter's example gamma/W_* = 0.84 < 1: no warning; a larger gamma warns
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sd.eq16_stop_bandwidth(gamma=0.1, K=3.0, Xi=xi_of(0.5, 3.0), N=10)
    with pytest.warns(ValidityWarning, match="gamma = 0.3 >= W"):
        sd.eq16_stop_bandwidth(gamma=0.3, K=3.0, Xi=xi_of(0.5, 3.0), N=10)


def test_regression_single_dot_scalar_parameters_reject_arrays():
    # was: TypeError ("only 0-dimensional arrays can be converted to Python scalars")
    for name, value in (("gamma", [0.1, 0.2]), ("Xi", np.array([0.5, 1.0])), ("K", [3.0, 4.0])):
        kw = dict(gamma=1e-3, K=3.0, Xi=0.5)
        kw[name] = value
        with pytest.raises(ValueError, match=rf"^{name} must be a single real number"):
            sd.ln_relaxation_rate_sum(0.1, **kw)
    with pytest.raises(ValueError, match="^n and W must broadcast"):
        sd.states_in_window(np.arange(3.0), np.array([0.1, 0.2]), K=3.0)


def test_regression_single_dot_extreme_values():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # W subnormal: delta_m/W overflowed (RuntimeWarning, inf), first_shell raised OverflowError
        assert sd.fock_distance_threshold(5e-324, K=3.0) == pytest.approx(744.44007 / math.log(3.0), rel=1e-6)
        assert sd.first_shell(5e-324, K=3.0) == 678
        # K^(n - n_c) at n = 0 is W/delta_m; overflow is refused naming n
        assert sd.states_in_window(0.0, 1e-300, K=1e6) == pytest.approx(1e-300, rel=1e-12)   # = W/delta_m
    with pytest.raises(ValueError, match=r"^n: K\*\*\(n - n_c\) exceeds the float range"):
        sd.states_in_window(1e9, 0.01, K=3.0)
    # gamma^2 overflowed to inf (RuntimeWarning) -- now refused, naming the parameters
    with pytest.raises(ValueError, match="^gamma, W: Gamma of Eq. .16. = e"):
        sd.relaxation_rate_eq16(0.01, gamma=1e300, K=3.0, Xi=0.5)
    with pytest.raises(ValueError, match="^gamma, W, n_max: Gamma of the sum"):
        sd.relaxation_rate_sum(0.01, gamma=1e300, K=3.0, Xi=0.5)
    # 2/(Xi ln K) overflowed to inf (-inf ln rates)
    with pytest.raises(ValueError, match=r"^Xi \* ln K must be >= "):
        sd.ln_relaxation_rate_eq16(0.01, gamma=1e-3, K=3.0, Xi=5e-324)
    with pytest.raises(ValueError, match="^Xi, K, W: ln Gamma of the Golden-rule sum"):
        sd.ln_relaxation_rate_sum(0.01, gamma=1e-3, K=1 + 1e-9, Xi=1e-300)   # n_0 ln q = -9e309
    # an empty sum is the one -inf (no final state inside the dot)
    assert sd.ln_relaxation_rate_sum(1e-300, gamma=1e-301, K=1 + 1e-9, Xi=1e-300, n_max=10**9) == -math.inf
    with pytest.raises(ValueError, match="^N must be <= "):
        sd.ln_many_body_spacing(K=3.0, N=1.7e308)
    with pytest.raises(ValueError, match="^gamma, K, Xi, N: W_"):
        sd.eq16_stop_bandwidth(gamma=1e-300, K=3.0, Xi=xi_of(1.999999, 3.0), N=10)


# ---------------------------------------------------------------- ratio_statistics, bandwidth_grid


def _old_ratio_stats(a_value, reading, K_value=3.0, periods=6, points=3000):
    """The single_dot chapter's former notebook code (before ratio_statistics), kept as the reference."""
    n_lo = 3
    W_per = np.exp(-math.log(K_value) * np.linspace(n_lo, n_lo + periods, points * periods, endpoint=False))
    r = sd.ratio_to_eq16(W_per, K=K_value, Xi=a_value / math.log(K_value), reading=reading)
    return float(r.max()), float(r.min()), float(np.exp(np.mean(np.log(r))))


def _old_w_grid(lo_exp, hi=0.999, K_value=3.0, points=1200):
    """The single_dot chapter's former notebook grid (before bandwidth_grid)."""
    base = np.logspace(lo_exp, math.log10(hi), points)
    n_edges = np.arange(1, int(-lo_exp * math.log(10) / math.log(K_value)) + 1)
    edges = K_value ** (-n_edges.astype(float))
    pts = np.concatenate([base, edges * (1 - 1e-7), edges * (1 + 1e-7)])
    return np.sort(pts[(pts > 10.0**lo_exp) & (pts < hi)])


@pytest.mark.parametrize("a", [0.1, 0.5, 0.9, 1.3, 1.9])
@pytest.mark.parametrize("reading", sd.READINGS)
def test_ratio_statistics_equals_the_former_notebook_code(a, reading):
    st_ = sd.ratio_statistics(K=3.0, Xi=a / math.log(3.0), reading=reading)
    assert (st_.largest, st_.smallest, st_.geometric_mean) == _old_ratio_stats(a, reading)


def test_ratio_statistics_known_values_of_the_chapter():
    # glued in book/single_dot.ipynb (max/min/gm_states_main, gm_typical_near, max_typical_edge)
    main = sd.ratio_statistics(K=3.0, Xi=0.5 / math.log(3.0))
    assert main.largest == pytest.approx(1.038461538461539, rel=1e-14)
    assert main.smallest == pytest.approx(0.03850381599939242, rel=1e-14)
    assert main.geometric_mean == pytest.approx(0.19996182635535487, rel=1e-14)
    near = sd.ratio_statistics(K=3.0, Xi=0.9 / math.log(3.0), reading="typical")
    assert near.geometric_mean == pytest.approx(0.3232893112946812, rel=1e-14)
    edge = sd.ratio_statistics(K=3.0, Xi=1.9 / math.log(3.0), reading="typical")
    assert edge.largest == pytest.approx(1.4590149679527142, rel=1e-14)


@pytest.mark.parametrize("K, a, reading", [(3.0, 0.5, "states"), (3.0, 1.5, "typical"), (10.0, 0.8, "states"),
                                           (1.5, 1.9, "states")])
def test_ratio_statistics_tend_to_their_closed_forms(K, a, reading):
    """max 1/(1-q), inf q/(1-q), mean 1/ln(1/q), geometric mean q^(1/2)/(1-q) (exercise 1 of the chapter)."""
    q = sd.geometric_ratio(K=K, Xi=a / math.log(K), reading=reading)
    P = 100_000
    st_ = sd.ratio_statistics(K=K, Xi=a / math.log(K), reading=reading, periods=3, points_per_period=P)
    assert st_.largest == pytest.approx(1 / (1 - q), rel=1e-12)       # integer n_c is sampled
    # sampled f = n_0 - n_c runs over {0, 1/P, ..., (P-1)/P}
    assert st_.smallest == pytest.approx(q ** (1 - 1 / P) / (1 - q), rel=1e-9)
    assert st_.smallest > q / (1 - q)
    mean_f = (P - 1) / (2 * P)
    assert st_.geometric_mean == pytest.approx(q**mean_f / (1 - q), rel=1e-9)
    assert st_.arithmetic_mean == pytest.approx(1 / math.log(1 / q), rel=2 * math.log(1 / q) / P)
    assert st_.smallest < st_.geometric_mean < st_.arithmetic_mean < st_.largest


def test_ratio_statistics_where_ratios_underflow():
    """q^f underflows for large f: the geometric mean comes from the logarithms, still exact."""
    Xi = 0.002                          # typical reading: ln q = -1000
    P = 1000
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        st_ = sd.ratio_statistics(K=3.0, Xi=Xi, reading="typical", periods=2, points_per_period=P)
    assert st_.smallest == 0.0 and st_.largest == pytest.approx(1.0, rel=1e-12)
    assert math.log(st_.geometric_mean) == pytest.approx(-2 / Xi * (P - 1) / (2 * P), rel=1e-9)


def test_ratio_statistics_bad_input():
    with pytest.raises(ValueError, match="reading"):
        sd.ratio_statistics(K=3.0, Xi=0.5, reading="mean")
    with pytest.raises(ValueError, match="n_start"):
        sd.ratio_statistics(K=3.0, Xi=0.5, n_start=0.5)
    with pytest.raises(ValueError, match="periods"):
        sd.ratio_statistics(K=3.0, Xi=0.5, periods=0)
    with pytest.raises(ValueError, match="points_per_period"):
        sd.ratio_statistics(K=3.0, Xi=0.5, periods=1000, points_per_period=10_000)
    with pytest.raises(ValueError, match="n_start, periods, K"):
        sd.ratio_statistics(K=1e6, Xi=0.05, n_start=60)
    with pytest.raises(ValueError, match="Xi ln K must be < 2"):
        sd.ratio_statistics(K=3.0, Xi=2.5 / math.log(3.0))


@pytest.mark.parametrize("lo_exp, points", [(-4, 1200), (-6, 1200), (-9, 500)])
def test_bandwidth_grid_equals_the_former_notebook_grid(lo_exp, points):
    assert np.array_equal(sd.bandwidth_grid(10.0**lo_exp, K=3.0, points=points), _old_w_grid(lo_exp, points=points))


@pytest.mark.parametrize("K, W_min, W_max", [(3.0, 1e-6, 0.999), (2.0, 1e-30, 0.5), (1.01, 1e-3, 1.0)])
def test_bandwidth_grid_brackets_every_shell_edge(K, W_min, W_max):
    grid = sd.bandwidth_grid(W_min, K=K, W_max=W_max, points=300)
    assert np.all(np.diff(grid) >= 0) and grid[0] > W_min and grid[-1] < W_max
    n = np.arange(1, int(math.log(1 / W_min) / math.log(K)) + 1)
    edges = K ** -n.astype(float)
    edges = edges[(edges * (1 - 1e-7) > W_min) & (edges * (1 + 1e-7) < W_max)]
    assert edges.size > 0
    for e in edges:
        below = grid[np.searchsorted(grid, e) - 1]
        above = grid[np.searchsorted(grid, e)]
        assert below == pytest.approx(e * (1 - 1e-7), rel=1e-15) and above == pytest.approx(e * (1 + 1e-7), rel=1e-15)
        # the first shell steps by one across the edge: the grid shows the jump of the sum
        assert sd.first_shell(below, K=K) == sd.first_shell(above, K=K) + 1


def test_bandwidth_grid_bad_input():
    with pytest.raises(ValueError, match="W_min"):
        sd.bandwidth_grid(0.5, K=3.0, W_max=0.1)
    with pytest.raises(ValueError, match="W_max"):
        sd.bandwidth_grid(1e-3, K=3.0, W_max=1.5)
    with pytest.raises(ValueError, match="points"):
        sd.bandwidth_grid(1e-3, K=3.0, points=1)
    with pytest.raises(ValueError, match="K, W_min"):
        sd.bandwidth_grid(1e-300, K=1 + 1e-9)
