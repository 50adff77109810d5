"""Tests of nblm_helpers.bath_spectra: Gaussian and Lorentzian baths, Appendix A (Eqs. A1-A5)."""

import math
import warnings
from contextlib import nullcontext

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from nblm_helpers import bath_spectra as bs
from nblm_helpers.parameters import ValidityWarning


def premise(gamma, W):
    """pytest.warns(ValidityWarning) where gamma >= W somewhere (outside the Golden-rule premise of (A1),
    (A3)), else a block that must not warn.  The tests use gamma only as a prefactor."""
    outside = np.any(np.asarray(gamma) >= np.asarray(W))
    return pytest.warns(ValidityWarning, match=r"gamma( = \S+)? >= W") if outside else nullcontext()


# -- the spectra and Eqs. (A1), (A3) as printed ------------------------------------------
def test_dos_closed_forms():
    W = 0.1
    assert bs.ln_bath_dos(0.03, W, spectrum="box") == pytest.approx(math.log(10))
    assert bs.ln_bath_dos(0.06, W, spectrum="box") == -math.inf
    assert bs.ln_bath_dos(0.2, W, spectrum="gaussian") == pytest.approx(-4 + math.log(10), rel=1e-14)
    assert bs.ln_bath_dos(0.2, W, spectrum="lorentzian") == pytest.approx(math.log(0.1 / 0.05), rel=1e-14)
    assert bs.ln_bath_dos(0.0, W, spectrum="lorentzian") == pytest.approx(math.log(10), rel=1e-14)
    assert bs.ln_bath_dos(0.5, W, spectrum="lorentzian", cutoff=0.3) == -math.inf


def test_a1_as_printed():
    g, W, Xi, s, d, n = 1e-3, 1e-2, 0.7, 0.6, 2, 1.8
    expected = math.log(g**2 / W) - 2 * n**d / Xi - (1 / W) ** 2 * math.exp(-2 * s * n**d)
    assert bs.ln_rate_gaussian(n, g, W, Xi=Xi, s=s, d=d) == pytest.approx(expected, rel=1e-13)
    eq7 = math.log(g**2 / W) - 2 * s * n**d / Xi - (1 / W) ** 2 * math.exp(-2 * s * n**d)
    assert bs.ln_rate_gaussian(n, g, W, Xi=Xi, s=s, d=d, convention="eq7") == pytest.approx(eq7, rel=1e-13)


def test_a3_as_printed():
    g, W, Xi, K, n = 1e-3, 1e-2, 1.3, 3.0, 2.5
    expected = math.log(g**2 / W * math.exp(-2 * n / Xi) / ((1 / W) ** 2 * math.exp(-2 * n * math.log(K)) + 1))
    assert bs.ln_rate_lorentzian(n, g, W, Xi=Xi, K=K) == pytest.approx(expected, rel=1e-13)
    n0 = bs.lowest_order(K=K, cutoff=0.05)
    assert n0 == pytest.approx(math.log(20) / math.log(3))
    assert bs.ln_rate_lorentzian(n0 * 0.99, g, W, Xi=Xi, K=K, cutoff=0.05) == -math.inf
    assert bs.ln_rate_lorentzian(n0 * 1.01, g, W, Xi=Xi, K=K, cutoff=0.05) > -math.inf


# -- steepest descent: SymPy, closed forms, numerical maximisation -------------------------
def test_a2_sympy_derivation_differs_from_print_by_two():
    x, s, Xi, W = sp.symbols("x s Xi W", positive=True)
    f = -2 * x / Xi - (1 / W) ** 2 * sp.exp(-2 * s * x)      # (A1) without ln(gamma^2/W), x = n^d
    sol = sp.solve(sp.diff(f, x), x)
    assert len(sol) == 1
    derived = sp.lambdify((s, Xi, W), sol[0])
    assert sp.simplify(sp.diff(f, x, 2)) .is_negative  # concave: a maximum
    for pars in [(1.0, 0.5, 1e-3), (0.4, 2.0, 1e-6)]:
        s_, Xi_, W_ = pars
        assert derived(*pars) == pytest.approx(bs.gaussian_optimal_volume(W_, Xi=Xi_, s=s_), rel=1e-12)
        printed = bs.gaussian_optimal_volume(W_, Xi=Xi_, s=s_, form="printed")
        assert derived(*pars) - printed == pytest.approx(math.log(2) / (2 * s_), rel=1e-12)


@pytest.mark.parametrize("W", [1e-1, 1e-3, 1e-8])
@pytest.mark.parametrize("Xi, s", [(0.5, 1.0), (2.0, 0.3)])
def test_gaussian_optimum_is_numerical_maximum(W, Xi, s):
    m_hat = bs.gaussian_optimal_volume(W, Xi=Xi, s=s)
    for method in ("minimize", "brentq"):
        m_num = bs.numerical_optimal_order(W, Xi=Xi, kappa=s, spectrum="gaussian", method=method)
        assert m_num == pytest.approx(m_hat, rel=1e-7, abs=1e-7)
    # the closed-form optimal rate
    n_hat = bs.gaussian_optimal_size(W, Xi=Xi, s=s, d=2)
    with premise(1e-4, W):
        assert bs.ln_rate_gaussian(n_hat, 1e-4, W, Xi=Xi, s=s, d=2) == pytest.approx(
            bs.ln_rate_gaussian_optimum(1e-4, W, Xi=Xi, s=s), rel=1e-12)
    # the printed optimum loses (ln 2 - 1)/(s Xi) in ln Gamma
    m_p = bs.gaussian_optimal_volume(W, Xi=Xi, s=s, form="printed")
    with premise(0.1, W):
        loss = bs.ln_rate_order(m_p, 0.1, W, Xi=Xi, kappa=s, spectrum="gaussian") - bs.ln_rate_order(
            m_hat, 0.1, W, Xi=Xi, kappa=s, spectrum="gaussian")
    assert loss == pytest.approx((math.log(2) - 1) / (s * Xi), rel=1e-9)


def test_gaussian_eq7_convention_gives_derived_eq7_exponent():
    # with matrix element exp(-s n^d / Xi) the optimum rate is (gamma^2/W) (W/Delta)^(2/Xi) x const
    Xi, s = 0.6, 0.4
    W1, W2 = 1e-4, 1e-6
    with premise(1e-5, W2):
        r = [bs.ln_rate_gaussian_optimum(1e-5, W, Xi=Xi, s=s, convention="eq7") for W in (W1, W2)]
    slope = (r[0] - r[1]) / math.log(W1 / W2)
    assert slope == pytest.approx(2 / Xi - 1, rel=1e-12)
    assert bs.gaussian_optimal_volume(W1, Xi=Xi, s=s, convention="eq7") == pytest.approx(
        math.log(Xi / W1**2) / (2 * s), rel=1e-13)


def test_a4_a5_sympy_and_numerics():
    n, L, Xi, W = sp.symbols("n L Xi W", positive=True)
    f = -2 * n / Xi - sp.log((1 / W) ** 2 * sp.exp(-2 * n * L) + 1)   # (A3), L = ln K
    y = sp.symbols("y", positive=True)                                 # y = e^{-2 n L}
    cond = sp.solve(sp.diff(f, n).subs(sp.exp(-2 * n * L), y), y)
    assert len(cond) == 1
    assert sp.simplify(cond[0] - W**2 * (1 / Xi) / (L - 1 / Xi)) == 0          # (A4) as printed
    n_hat = sp.solve(sp.Eq(sp.exp(-2 * n * L), cond[0]), n)[0]
    a5 = (sp.log(1 / W) + sp.log(Xi * L - 1) / 2) / L                           # (A5) as printed
    fn = sp.lambdify((L, Xi, W), n_hat - a5)
    assert fn(math.log(3.0), 2.0, 1e-4) == pytest.approx(0.0, abs=1e-12)
    for K, Xi_, W_ in [(3.0, 2.0, 1e-4), (math.e, 3.0, 1e-2), (10.0, 0.5, 1e-6)]:
        a = Xi_ * math.log(K)
        assert a > 1
        ref = bs.lorentzian_optimal_order(W_, Xi=Xi_, K=K)
        assert ref == pytest.approx((math.log(1 / W_) + 0.5 * math.log(a - 1)) / math.log(K), rel=1e-13)
        assert math.exp(-2 * ref * math.log(K)) == pytest.approx(bs.lorentzian_condition(W_, Xi=Xi_, K=K),
                                                                 rel=1e-12)
        for method in ("minimize", "brentq"):
            num = bs.numerical_optimal_order(W_, Xi=Xi_, kappa=math.log(K), spectrum="lorentzian", method=method)
            assert num == pytest.approx(ref, rel=1e-7)
        with premise(1e-3, W_):
            assert bs.ln_rate_lorentzian(ref, 1e-3, W_, Xi=Xi_, K=K) == pytest.approx(
                bs.ln_rate_lorentzian_optimum(1e-3, W_, Xi=Xi_, K=K), rel=1e-12)


def test_lorentzian_sign_of_the_log_correction():
    # Xi ln K < 2: optimum below n_c = ln(Delta/W)/ln K (uses the tails); > 2: above; = 2: equal
    K, W = math.e, 1e-3
    n_c = math.log(1 / W)
    assert bs.lorentzian_optimal_order(W, Xi=1.5, K=K) < n_c
    assert bs.lorentzian_optimal_order(W, Xi=2.0, K=K) == pytest.approx(n_c, rel=1e-14)
    assert bs.lorentzian_optimal_order(W, Xi=4.0, K=K) > n_c


def test_localized_lorentzian_prefers_lowest_order():
    # Xi ln K < 1: the rate decreases with n everywhere; the numerical optimum is the edge n = 0
    for W in (1e-2, 1e-6):
        assert bs.numerical_optimal_order(W, Xi=0.7, kappa=1.0, spectrum="lorentzian", method="brentq") == 0.0
        m = np.linspace(0, 30, 301)
        with premise(0.1, W):
            assert np.all(np.diff(bs.ln_rate_order(m, 0.1, W, Xi=0.7, kappa=1.0, spectrum="lorentzian")) < 0)
    assert bs.optimal_order(1e-5, Xi=0.7, K=math.e) == 1.0
    with pytest.raises(ValueError, match=r"Xi\*ln\(K\) must be in \(1, inf\)"):
        bs.lorentzian_optimal_order(1e-3, Xi=0.7, K=math.e)


def test_hard_cutoff_order_independent_of_w():
    W = np.logspace(-10, -2, 9)
    cutoff = 0.03
    n0 = bs.lowest_order(K=3.0, cutoff=cutoff)
    best = bs.optimal_integer_order(W, Xi=0.5, K=3.0, cutoff=cutoff)
    assert np.all(best == math.ceil(n0))
    np.testing.assert_allclose(bs.optimal_order(W, Xi=0.5, K=3.0, cutoff=cutoff), n0)
    # when Xi ln K > 1 the optimal order moves with W (and never goes below n0)
    best2 = bs.optimal_integer_order(W, Xi=3.0, K=3.0, cutoff=cutoff)
    assert len(set(best2.tolist())) > 3 and np.all(best2 >= math.ceil(n0))
    cont = bs.optimal_order(W, Xi=3.0, K=3.0, cutoff=cutoff)
    assert np.all(np.abs(best2 - cont) <= 1.0)


@settings(max_examples=100, deadline=None)
@given(W=st.floats(1e-9, 0.3), Xi=st.floats(0.2, 5.0), kappa=st.floats(0.2, 3.0))
def test_steepest_descent_is_a_maximum(W, Xi, kappa):
    # gamma = 0.1 is only the prefactor here (warns where gamma >= W); a negative stationary point of (A1)
    # (Xi s < W^2, then clipped to m = 0 below) warns too
    outside = 0.1 >= W or Xi * min(kappa, 1.0) < W**2
    with pytest.warns(ValidityWarning) if outside else nullcontext():
        _check_steepest_descent(W, Xi, kappa)


def _check_steepest_descent(W, Xi, kappa):
    # Gaussian: the derived optimum beats every other order, in particular the printed one
    m_hat = max(bs.gaussian_optimal_volume(W, Xi=Xi, s=min(kappa, 1.0)), 0.0)
    s = min(kappa, 1.0)
    r_hat = bs.ln_rate_order(m_hat, 0.1, W, Xi=Xi, kappa=s, spectrum="gaussian")
    for dm in (-0.3, 0.2, 1.0):
        m = max(m_hat + dm, 0.0)
        assert bs.ln_rate_order(m, 0.1, W, Xi=Xi, kappa=s, spectrum="gaussian") <= r_hat + 1e-9 * abs(r_hat)
    # Lorentzian: (A5) when Xi kappa > 1, else the rate decreases from n = 0
    m = np.linspace(0, 4 * math.log(1 / W) / kappa + 5, 200)
    r = bs.ln_rate_order(m, 0.1, W, Xi=Xi, kappa=kappa, spectrum="lorentzian")
    K = math.exp(kappa)
    if Xi * kappa > 1:
        n_hat = bs.optimal_order(W, Xi=Xi, K=K, n_min=0.0)
        r_hat = bs.ln_rate_lorentzian(n_hat, 0.1, W, Xi=Xi, K=K)
        assert np.all(r <= r_hat + 1e-9 * abs(r_hat))
    else:
        assert np.all(np.diff(r) < 0)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: bs.ln_bath_dos(0.1, 0.1, spectrum="cauchy"), r"^spectrum must"),
        (lambda: bs.ln_bath_dos(0.1, 2.0, spectrum="box"), r"^W must .*\(0, 1\)"),
        (lambda: bs.ln_bath_dos(0.1, 0.1, spectrum="box", cutoff=0), r"^cutoff must"),
        (lambda: bs.ln_rate_order(-1, 0.1, 0.1, Xi=1, kappa=1, spectrum="box"), r"^m must .*\[0, inf\)"),
        (lambda: bs.ln_rate_order(1, 0.1, 0.1, Xi=1, kappa=0, spectrum="box"), r"^kappa must"),
        (lambda: bs.ln_rate_gaussian(1, 1.5, 0.1, Xi=1, s=1, d=1), r"^gamma must"),
        (lambda: bs.ln_rate_gaussian(1, 0.1, 0.1, Xi=1, s=0, d=1), r"^s must .*\(0, 1\]"),
        (lambda: bs.ln_rate_gaussian(1, 0.1, 0.1, Xi=1, s=1, d=1.5), r"^d must"),
        (lambda: bs.ln_rate_gaussian(1, 0.1, 0.1, Xi=1, s=1, d=1, convention="B"), r"^convention must"),
        (lambda: bs.gaussian_optimal_volume(0.1, Xi=1, s=1, form="exact"), r"^form must"),
        (lambda: bs.ln_rate_lorentzian(1, 0.1, 0.1, Xi=1, K=1.0), r"^K must .*\(1, inf\)"),
        (lambda: bs.ln_rate_lorentzian(1, 0.1, 0.1, Xi=-1, K=3), r"^Xi must"),
        (lambda: bs.lowest_order(K=3, cutoff=1.5), r"^cutoff must .*\(0, 1\)"),
        (lambda: bs.numerical_optimal_order(0.1, Xi=1, kappa=1, spectrum="box"), r"^spectrum must"),
        (lambda: bs.numerical_optimal_order(0.1, Xi=1, kappa=1, spectrum="gaussian", method="x"),
         r"^method must"),
        (lambda: bs.optimal_integer_order(0.1, Xi=1, K=3, n_max=0), r"^n_max must"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# -- hardening: regime warnings and extreme inputs (regression tests) ---------------------------------


def test_validity_warnings_app_a():
    with pytest.warns(ValidityWarning, match=r"gamma( = \S+)? >= W at 1 of 1 point\(s\)"):
        bs.ln_rate_order(2.0, 0.1, 0.01, Xi=0.5, kappa=1.0, spectrum="gaussian")
    with pytest.warns(ValidityWarning, match="stationary point of .A1. is negative"):
        assert bs.gaussian_optimal_volume(0.5, Xi=0.1, s=1.0) < 0
    # gaussian_optimal_size: the constrained optimum 0 where m_hat < 0 (was NaN)
    with pytest.warns(ValidityWarning, match="stationary point of .A1. is negative"):
        sizes = bs.gaussian_optimal_size(np.array([0.5, 1e-3]), Xi=0.1, s=1.0, d=2)
    assert sizes[0] == 0.0 and sizes[1] == pytest.approx(bs.gaussian_optimal_volume(1e-3, Xi=0.1, s=1.0) ** 0.5)
    with pytest.warns(ValidityWarning, match="m_hat < 0"):
        bs.ln_rate_gaussian_optimum(1e-3, 0.5, Xi=0.1, s=1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        bs.ln_rate_order(2.0, 1e-3, 0.01, Xi=0.5, kappa=1.0, spectrum="lorentzian")
        bs.numerical_optimal_order(1e-3, Xi=0.5, kappa=1.0, spectrum="gaussian")   # gamma drops out
        bs.optimal_integer_order(np.logspace(-8, -2, 5), Xi=3.0, K=3.0)


def test_regression_bath_spectra_extreme_values():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # E/W overflowing in the Lorentzian tail gave -inf: ln N = -ln W - ln((E/W)^2 + 1) in logs
        assert bs.ln_bath_dos(1.7e308, 0.1, spectrum="lorentzian") == pytest.approx(
            math.log(0.1) - 2 * math.log(1.7e308), rel=1e-12)
        assert bs.ln_bath_dos(0.03, 5e-324, spectrum="lorentzian") == pytest.approx(
            -math.log(5e-324) - 2 * (math.log(0.03) - math.log(5e-324)), rel=1e-12)
        # the box edge and the hard cutoff are the only -inf
        assert bs.ln_bath_dos(0.5, 0.1, spectrum="gaussian", cutoff=0.3) == -math.inf
        # kappa m overflowing in exp(-kappa m) (RuntimeWarning): E = 0, the bath centre
        assert np.isfinite(bs.ln_rate_order(1.7e308, 1e-3, 0.5, Xi=1e300, kappa=1.0, spectrum="lorentzian"))
        # W^2 underflowing in (A4): (A5) from logarithms (was inf with a divide-by-zero warning)
        assert bs.lorentzian_optimal_order(1e-300, Xi=3.0, K=math.e) == pytest.approx(
            math.log(1e300) + 0.5 * math.log(2.0), rel=1e-12)
    # a Gaussian tail (E/W)^2 beyond the float range: refused, naming E and W (was -inf + RuntimeWarning)
    with pytest.raises(ValueError, match="^E, W: the Gaussian tail"):
        bs.ln_bath_dos(1e300, 0.1, spectrum="gaussian")
    with pytest.raises(ValueError, match="^m, Xi: ln Gamma_m"):
        bs.ln_rate_order(1e300, 1e-3, 0.01, Xi=1e-300, kappa=1e-300, spectrum="lorentzian")
    with pytest.raises(ValueError, match="^n, d: the volume n"):
        bs.ln_rate_gaussian(1e300, 1e-3, 0.01, Xi=0.5, s=1.0, d=2)
    with pytest.raises(ValueError, match="^s, W, Xi: the optimal volume"):
        bs.gaussian_optimal_volume(1e-3, Xi=0.5, s=5e-324)
    with pytest.raises(ValueError, match="^s, Xi: ln Gamma at the optimum"):
        bs.ln_rate_gaussian_optimum(1e-5, 1e-3, Xi=0.5, s=5e-324)
    with pytest.raises(ValueError, match="^m, W, Xi, kappa: d ln Gamma_m"):
        bs.d_ln_rate_order(1.0, 0.1, Xi=1.0, kappa=1.7e308, spectrum="gaussian")


def test_regression_bath_spectra_bad_shapes_and_options():
    # was: TypeError for arrays where scalars are used (math.log(K), float(...)) and for cutoff=None
    with pytest.raises(ValueError, match="^K must be a single real number"):
        bs.lorentzian_condition(1e-3, Xi=3.0, K=[2.0, 3.0])
    with pytest.raises(ValueError, match="^cutoff must .* got None"):
        bs.lowest_order(K=3.0, cutoff=None)
    with pytest.raises(ValueError, match="^cutoff must be a single real number"):
        bs.optimal_order(1e-3, Xi=3.0, K=3.0, cutoff=[0.1, 0.2])
    with pytest.raises(ValueError, match="^W must be a single real number"):
        bs.numerical_optimal_order([1e-3, 1e-2], Xi=0.5, kappa=1.0, spectrum="gaussian")
    with pytest.raises(ValueError, match="^n must"):          # was named "m" (the internal name)
        bs.ln_rate_lorentzian(-1.0, 1e-3, 0.1, Xi=1.0, K=3.0)
    # the brute-force search was unbounded in memory (n_max = 1e9: 8 GB)
    with pytest.raises(ValueError, match=r"^n_max = 1000000000: .* largest n_max that works here is 4194304"):
        bs.optimal_integer_order(1e-3, Xi=3.0, K=3.0, n_max=10**9)
    with pytest.raises(ValueError, match="^n_max must"):
        bs.optimal_integer_order(1e-3, Xi=3.0, K=3.0, n_max=1e300)
    # the search interval of numerical_optimal_order ends while the rate still rises: its end
    assert bs.numerical_optimal_order(1e-6, Xi=0.5, kappa=1.0, spectrum="gaussian", method="brentq",
                                      m_max=1.0) == 1.0


def test_regression_numerical_optimal_order_brentq_converges():
    # was: RuntimeError "Failed to converge after 100 iterations" (the derivative falls from 2e300 to -2e-300)
    for spec in ("gaussian", "lorentzian"):
        m = bs.numerical_optimal_order(1 - 2.0**-53, Xi=1e300, kappa=1e300, spectrum=spec, method="brentq")
        assert 0.0 <= m <= 1e-12      # the optimum ~7e-298, to the requested xtol
