"""Tests of nblm_helpers.saddle_point (App. C, D of Gopalakrishnan & Nandkishore 2014)."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from nblm_helpers import meanfield
from nblm_helpers.parameters import ValidityWarning
from nblm_helpers.saddle_point import (
    Nc_asymptotic,
    Nc_lambert,
    Nc_numeric,
    lambertw_exp,
    n_c,
    saddle_point_linewidth,
    saddle_point_ln_linewidth,
    saddle_point_ln_linewidth_C4,
)

FIG8 = dict(gamma=0.1, K=3, N=10, s=0.5, d=1)


def test_n_c_values():
    assert n_c(s=0.5, N=10, d=1) == 5.0  # Fig. 8 caption: "a parameter choice that yields n_c = 5"
    assert n_c(s=0.5, N=10, d=2) == 20.0
    assert n_c(s=1, N=3, d=3) == 81.0


def test_lambertw_exp_large_and_small_arguments():
    for L in (-50.0, -1.0, 0.0, 3.0, 100.0, 699.0, 701.0, 5000.0):
        w = lambertw_exp(L)
        # defining relation w e^w = e^L  <=>  w + ln w = L
        assert w > 0
        if L > -30:
            assert w + math.log(w) == pytest.approx(L, abs=1e-12 * max(1.0, abs(L)))
        else:
            assert w == pytest.approx(math.exp(L), rel=1e-12)
    # continuity across the switch at L = 700
    assert lambertw_exp(700.0) == pytest.approx(lambertw_exp(np.nextafter(700.0, 800.0)), rel=1e-14)


@settings(max_examples=40, deadline=None)
@given(
    ln_Gamma=st.floats(-3000.0, -0.5),
    gamma=st.floats(1e-4, 0.9),
    K=st.floats(1.1, 50.0),
    N=st.integers(1, 100),
    s=st.floats(0.01, 1.0),
    d=st.integers(1, 4),
)
def test_lambert_equals_numeric_root_of_D3(ln_Gamma, gamma, K, N, s, d):
    # (D3) uses the middle branch of Eq. (20), which exists only for Gamma < gamma; beyond
    # it y = ln(gamma K^N_c) -> 0 and the residual below is ill-conditioned (error ~ ulp/y).
    assume(ln_Gamma < math.log(gamma))
    kw = dict(gamma=gamma, K=K, N=N, s=s, d=d)
    a = Nc_lambert(ln_Gamma=ln_Gamma, **kw)
    b = Nc_numeric(ln_Gamma=ln_Gamma, **kw)
    assert a == pytest.approx(b, rel=1e-11, abs=1e-11)
    # and it solves D3: N_c ln K = ln[1 / (Gamma s N ln^d(gamma K^N_c))]
    y = math.log(gamma) + a * math.log(K)
    assert y > 0
    rhs = -(ln_Gamma + math.log(s * N) + d * math.log(y))
    assert a * math.log(K) == pytest.approx(rhs, rel=1e-11, abs=1e-10)


def test_Nc_Gamma_and_lnGamma_inputs_agree_and_vectorize():
    G = np.array([1e-3, 1e-6, 1e-12])
    a = Nc_lambert(G, **FIG8)
    b = Nc_lambert(ln_Gamma=np.log(G), **FIG8)
    np.testing.assert_allclose(a, b, rtol=1e-14)
    np.testing.assert_allclose(Nc_numeric(G, **FIG8), a, rtol=1e-12)
    assert a.shape == (3,)


def test_C3_is_the_small_Gamma_asymptote_of_C2():
    # N_c(C2) - N_c(C3) = -d ln(ln(...))/ln K + ...: relative difference -> 0
    lnG = np.array([-10.0, -100.0, -1e4, -1e6])
    lam = Nc_lambert(ln_Gamma=lnG, **FIG8)
    asy = Nc_asymptotic(ln_Gamma=lnG, **FIG8)
    rel = np.abs(lam - asy) / asy
    assert np.all(np.diff(rel) < 0) and rel[-1] < 2e-5
    # hand value of C3: ln(1/(Gamma s N d^d))/ln K at Gamma = e^-10
    assert asy[0] == pytest.approx((10 - math.log(5)) / math.log(3), rel=1e-14)


def test_C5_closed_form_against_direct_evaluation():
    # Gamma = (delta/n_c) (gamma sqrt(n_c)/delta)^(Xi lnK/(Xi lnK - 1)), with Xi given
    for Xi in (1.0, 2.0, 5.0, 40.0):
        lnK = math.log(3.0)
        expo = Xi * lnK / (Xi * lnK - 1.0)
        direct = (1 / 5) * (0.1 * math.sqrt(5)) ** expo
        # Xi = 1 is eps = 0.09, outside (C7) eps > 1/(2 ln 3): the formula is returned with a warning
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            got = saddle_point_ln_linewidth(Xi=Xi, **FIG8)
            G = saddle_point_linewidth(Xi=Xi, **FIG8)
        assert [w.category for w in caught] == ([ValidityWarning] * 2 if Xi == 1.0 else [])
        assert got == pytest.approx(math.log(direct), rel=1e-13)
        assert G == pytest.approx(direct, rel=1e-12)
    # Fig. 8, eps = 0.5: Gamma = (1/5)(0.1 sqrt 5)^2 = 0.01
    assert saddle_point_ln_linewidth(eps=0.5, **FIG8) == pytest.approx(math.log(0.01), abs=1e-14)


def test_C5_no_solution_for_nonpositive_eps_and_array_shape():
    eps = np.array([-0.5, 0.0, 0.25, 0.5])
    with pytest.warns(ValidityWarning, match=r"3 of 4 points.*2 of them have eps <= 0"):
        out = saddle_point_ln_linewidth(eps=eps, **FIG8)
    assert out.shape == (4,)
    assert out[0] == -math.inf and out[1] == -math.inf
    assert np.all(np.isfinite(out[2:]))
    with pytest.warns(ValidityWarning, match="no saddle point exists for eps <= 0"):
        assert saddle_point_linewidth(eps=-0.5, **FIG8) == 0.0
    assert meanfield.saddle_point_ln_linewidth is saddle_point_ln_linewidth


def test_C4_with_C2_solution_satisfies_C4():
    for eps in (0.2, 0.5, 0.8):
        x = saddle_point_ln_linewidth_C4(eps=eps, warn=False, **FIG8)   # 0.2 is outside (C7): not the point here
        Nc = Nc_lambert(ln_Gamma=x, **FIG8)
        # C4: Gamma = gamma^2 N_c K^N_c exp(-2 N_c / Xi), 1/Xi = (1 - eps) ln K
        lnK = math.log(3.0)
        rhs = 2 * math.log(0.1) + math.log(Nc) + Nc * lnK - 2 * Nc * (1 - eps) * lnK
        assert x == pytest.approx(rhs, abs=1e-10)
    with pytest.warns(ValidityWarning, match="no saddle point exists for eps <= 0"):
        assert saddle_point_ln_linewidth_C4(eps=-0.1, **FIG8) == -math.inf
    with pytest.raises(ValueError, match="gamma"):
        saddle_point_ln_linewidth_C4(eps=0.5, gamma=1.5, K=3, N=10, s=0.5)


def test_C4_approaches_C5_as_coupling_weakens():
    # C5 drops only ln ln(1/Gamma) terms: the relative gap in ln Gamma shrinks as gamma -> 0
    gaps = []
    for g in (1e-2, 1e-6, 1e-20):
        p = dict(FIG8, gamma=g)
        # for gamma = 1e-6 and 1e-20, eps = 0.6 is below the (C6) bound ln(1/(gamma s N))/(N ln K)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            c4 = saddle_point_ln_linewidth_C4(eps=0.6, **p)
            c5 = saddle_point_ln_linewidth(eps=0.6, **p)
        assert len(caught) == (0 if g == 1e-2 else 2) and all("(C6) needs" in str(w.message) for w in caught)
        gaps.append(abs(c4 - c5) / abs(c5))
    assert gaps[0] > gaps[1] > gaps[2]
    assert gaps[2] < 0.05


@pytest.mark.parametrize(
    "kw, name",
    [
        (dict(gamma=0.0), "gamma"),
        (dict(K=1.0), "K"),
        (dict(N=2.5), "N"),
        (dict(s=1.5), "s"),
        (dict(d=0), "d"),
    ],
)
def test_bad_input(kw, name):
    p = dict(FIG8)
    p.update(kw)
    with pytest.raises(ValueError, match=name):
        Nc_lambert(ln_Gamma=-5.0, **p)
    with pytest.raises(ValueError, match=name):
        saddle_point_ln_linewidth(eps=0.5, **p)


def test_bad_linewidth_arguments():
    with pytest.raises(ValueError, match="Gamma"):
        Nc_lambert(**FIG8)
    with pytest.raises(ValueError, match="Gamma"):
        Nc_lambert(1e-3, ln_Gamma=-3.0, **FIG8)
    with pytest.raises(ValueError, match="ln_Gamma"):
        Nc_lambert(ln_Gamma=float("nan"), **FIG8)
    with pytest.raises(ValueError, match="eps"):
        saddle_point_ln_linewidth(eps=0.5, Xi=2.0, **FIG8)


# ---------------------------------------------------------------- regressions of the "Hardening" issue


def test_regression_C5_outside_C7_warns():
    # README promises a ValidityWarning outside the window; eps = 0.2 < 1/(2 ln 3) = 0.455 gave none
    with pytest.warns(ValidityWarning, match=r"\(C7\) needs 0.4551 < eps < 1"):
        got = saddle_point_ln_linewidth(eps=0.2, **FIG8)
    assert got == pytest.approx(-math.log(5) + (math.log(0.1) + 0.5 * math.log(5)) / 0.2, rel=1e-14)
    with warnings.catch_warnings():
        warnings.simplefilter("error")               # inside (C6) and (C7): no warning at all
        saddle_point_ln_linewidth(eps=0.6, **FIG8)
    with pytest.warns(ValidityWarning, match=r"\(C6\) needs"):    # gamma^2 n_c = 1.25 > 1
        saddle_point_ln_linewidth(eps=0.6, gamma=0.5, K=3, N=10, s=0.5)
    # warn=False skips the check (for callers that mark the window themselves)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert saddle_point_ln_linewidth(eps=0.2, **FIG8, warn=False) == got


@pytest.mark.parametrize("func", [saddle_point_ln_linewidth, saddle_point_linewidth, saddle_point_ln_linewidth_C4])
def test_regression_nonpositive_eps_returns_zero_rate_with_warning(func):
    # eps <= 0 used to return -inf (Gamma = 0) silently: there is no saddle point there
    with pytest.warns(ValidityWarning, match="no saddle point exists for eps <= 0"):
        out = func(eps=-0.2, **FIG8)
    assert out == (0.0 if func is saddle_point_linewidth else -math.inf)


def test_regression_C5_tiny_eps_overflows_to_inf_without_runtime_warning():
    # eps = 1e-320 with gamma sqrt(n_c) > 1 overflowed with a numpy RuntimeWarning
    with pytest.warns(ValidityWarning):
        assert saddle_point_ln_linewidth(eps=1e-320, gamma=10, K=3, N=10, s=0.5) == math.inf
    with pytest.warns(ValidityWarning):
        assert saddle_point_ln_linewidth(eps=1e-320, gamma=1e-300, K=3, N=10, s=0.5) == -math.inf


def test_regression_large_dimension_in_logs():
    # s N d^d was formed as a Python int: d = 200 raised OverflowError, d = 10**6 took 6 s first
    assert n_c(s=0.5, N=10, d=200) == math.inf
    with pytest.warns(ValidityWarning, match="C6"):
        got = saddle_point_ln_linewidth(eps=0.5, gamma=0.1, K=3, N=10, s=0.5, d=10**6)
    assert got == pytest.approx(2 * math.log(0.1), rel=1e-9)     # eps = 1/2: ln Gamma = 2 ln gamma exactly
    with pytest.raises(ValueError, match="^N must be an integer"):
        n_c(s=0.5, N=10**400, d=1)


def test_regression_C5_accepts_arrays_of_gamma_and_s():
    # math.log(gamma) raised TypeError for an array gamma
    with pytest.warns(ValidityWarning):
        out = saddle_point_ln_linewidth(eps=0.5, gamma=[0.1, 0.01], K=3, N=10, s=[0.5, 1e-3])
    assert out[0] == pytest.approx(math.log(0.01), abs=1e-14) and out[1] == pytest.approx(math.log(1e-4))
    with pytest.raises(ValueError, match="do not broadcast"):
        saddle_point_ln_linewidth(eps=[0.5, 0.6, 0.7], gamma=[0.1, 0.2], K=3, N=10, s=0.5)


def test_regression_Nc_numeric_extreme_linewidths():
    # ln Gamma = -1e308 raised OverflowError (math.exp in the bracket); +1e308 a bare RuntimeError
    assert math.isfinite(Nc_numeric(ln_Gamma=-1e308, **FIG8))
    with pytest.warns(ValidityWarning, match="Gamma >= gamma"):
        assert math.isfinite(Nc_numeric(ln_Gamma=1e308, **FIG8))
    lnG = np.array([-1e250, -1e150, -50.0])
    np.testing.assert_allclose(Nc_numeric(ln_Gamma=lnG, **FIG8), Nc_lambert(ln_Gamma=lnG, **FIG8), rtol=1e-12)


def test_regression_Nc_numeric_refuses_huge_arrays():
    # 10^6 points looped in Python for minutes
    with pytest.raises(ValueError, match=r"ln_Gamma has 1000000 points; at most 20000"):
        Nc_numeric(ln_Gamma=np.full(10**6, -5.0), **FIG8)
    with pytest.raises(ValueError, match=r"at most 2097152"):
        Nc_lambert(ln_Gamma=np.full(2**22, -5.0), **FIG8)
    with pytest.raises(ValueError, match=r"eps has 1001 points; at most 1000"):
        saddle_point_ln_linewidth_C4(eps=np.linspace(0.1, 0.9, 1001), **FIG8)


def test_regression_Nc_outside_D3_and_C3_warn():
    with pytest.warns(ValidityWarning, match=r"Gamma >= gamma at 1 of 1 point"):
        Nc_lambert(Gamma=0.5, **FIG8)
    with pytest.warns(ValidityWarning, match=r"Gamma s N >= gamma"):
        Nc_asymptotic(Gamma=0.05, **FIG8)                 # Gamma s N = 0.25 > gamma = 0.1
    with pytest.warns(ValidityWarning, match=r"Gamma n_c >= 1"):
        assert Nc_asymptotic(Gamma=0.5, K=3, N=10, s=0.5) < 0


def test_regression_lambertw_exp_validates_its_argument():
    # NaN came back as NaN, a string as numpy's unnamed ValueError
    for bad in (math.nan, math.inf, "a"):
        with pytest.raises(ValueError, match="^L must be"):
            lambertw_exp(bad)
    np.testing.assert_array_equal(lambertw_exp([-math.inf, -1e308]), [0.0, 0.0])
    assert lambertw_exp(1e308) == pytest.approx(1e308 - math.log(1e308), rel=1e-15)


def test_regression_C4_tiny_eps_has_a_root():
    # eps = 1e-300 failed inside brentq ("function value at x=-inf is NaN"); (C4) has a finite root there
    with pytest.warns(ValidityWarning):
        got = saddle_point_ln_linewidth_C4(eps=[1e-300, 1e-10], **FIG8)
    assert np.all(np.isfinite(got)) and got[0] == pytest.approx(got[1], abs=1e-6)
    with pytest.warns(ValidityWarning):
        far = saddle_point_ln_linewidth_C4(eps=[1e-100, 0.5], gamma=1e-300, K=1 + 1e-15, N=1e300, s=1e-300, d=10**6)
    assert np.all(np.isfinite(far))


# ---------------------------------------------------------------- inverse of (C5), Fig. 8 ordinate


def test_saddle_point_eps_at_linewidth_inverts_C5():
    from nblm_helpers.saddle_point import saddle_point_eps_at_linewidth
    from nblm_helpers.validity import ln_Gamma_floor_27
    for pars in (dict(gamma=0.1, N=10, s=0.5, d=1), dict(gamma=0.01, N=20, s=0.3, d=2)):
        eps = np.array([0.05, 0.3, 0.7, 0.95])
        lnG = saddle_point_ln_linewidth(eps=eps, K=3, **pars, warn=False)
        np.testing.assert_allclose(saddle_point_eps_at_linewidth(ln_Gamma=lnG, **pars), eps, rtol=1e-13)
    # Fig. 8: (C5) enters Eq. (27) at eps = 0.2117...; the chapter's former bisection agrees to 1e-12
    e27 = saddle_point_eps_at_linewidth(ln_Gamma=ln_Gamma_floor_27(K=3, N=10), gamma=0.1, N=10, s=0.5)
    assert e27 == pytest.approx(0.21173946677567757, abs=1e-12)
    assert saddle_point_ln_linewidth(eps=e27, gamma=0.1, K=3, N=10, s=0.5, warn=False) == pytest.approx(
        ln_Gamma_floor_27(K=3, N=10), rel=1e-13)
    # above the largest (C5) linewidth (eps -> 1): no eps in (0, 1)
    assert math.isnan(saddle_point_eps_at_linewidth(ln_Gamma=-1.0, gamma=0.1, N=10, s=0.5))


def test_fig8_ordinate():
    from nblm_helpers.saddle_point import fig8_ordinate
    # n_c = 5: -1/ln(5 e^-3)
    assert fig8_ordinate(-3.0, s=0.5, N=10) == pytest.approx(-1 / (math.log(5) - 3), rel=1e-15)
    assert fig8_ordinate(-np.inf, s=0.5, N=10) == 0.0
    out = fig8_ordinate(np.array([-3.0, -math.log(5), 0.0]), s=0.5, N=10)
    assert out[0] > 0 and np.isnan(out[1]) and np.isnan(out[2])
    # (C5) is a line through the origin: y = eps / ln(1/(gamma sqrt(n_c)))
    eps = np.array([0.2, 0.5, 0.8])
    y = fig8_ordinate(saddle_point_ln_linewidth(eps=eps, gamma=0.1, K=3, N=10, s=0.5, warn=False), s=0.5, N=10)
    np.testing.assert_allclose(y, eps / math.log(1 / (0.1 * math.sqrt(5))), rtol=1e-13)
    with pytest.raises(ValueError, match="s"):
        fig8_ordinate(-3.0, s=2.0, N=10)
    with pytest.raises(ValueError, match="ln_Gamma"):
        fig8_ordinate(np.nan, s=0.5, N=10)
