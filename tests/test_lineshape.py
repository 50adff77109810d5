"""Tests of nblm_helpers.lineshape: n_fast of Eq. (11) and the echo decay of Eq. (10)."""

import math
import time
import warnings
from contextlib import nullcontext

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nblm_helpers.lineshape import echo_decay, nfast_external
from nblm_helpers.parameters import ValidityWarning

FIG2 = dict(Gamma_b=1.0, s_xi_d=4.0, J=1000.0, d=1)


def test_nfast_branches_literal():
    t = np.array([0.0, 0.5e-3, 1e-3, 0.01, 1.0, 50.0])
    n = nfast_external(t, **FIG2)
    # t = 1e-3 is the tie J t = 1: the first branch includes it (it gave s xi^d ln^d 1 = 0 before the fix)
    expected = [1, 1, 1.0, 4 * math.log(10), 4 * math.log(1000), 4 * math.log(1000)]
    np.testing.assert_allclose(n, expected, rtol=1e-14, atol=0)


def premise_expectation(Gamma_b, s_xi_d, J, d, nfast="literal"):
    """pytest.warns(ValidityWarning) where Eqs. (10)-(13) leave their regime, else a block that must not warn.

    The two conditions of the module docstring: J < 10 Gamma_b, or (literal) s xi^d ln^d(J/Gamma_b) < 1.
    """
    outside = J / Gamma_b < 10 or (nfast == "literal" and s_xi_d * math.log(J / Gamma_b) ** d < 1)
    return pytest.warns(ValidityWarning) if outside else nullcontext()


def test_nfast_continuous_is_max_of_branches():
    t = np.array([1e-4, 1e-3, 1.2e-3, 0.01, 5.0])
    n = nfast_external(t, nfast="continuous", **FIG2)
    np.testing.assert_allclose(n, [1, 1, 1, 4 * math.log(10), 4 * math.log(1000)], rtol=1e-14)
    assert nfast_external(2e-3, d=2, **{k: v for k, v in FIG2.items() if k != "d"}) == pytest.approx(
        4 * math.log(2) ** 2)


def test_echo_decay_closed_forms():
    # short times: a single flipper, psi = exp(-Gamma_b t)
    assert echo_decay(1e-4, **FIG2) == pytest.approx(math.exp(-1e-4), rel=1e-14)
    # late times: psi = exp(-Gamma_b s xi^d ln^d(J/Gamma_b) t)
    assert echo_decay(2.0, **FIG2) == pytest.approx(math.exp(-2 * 4 * math.log(1000)), rel=1e-12)
    assert isinstance(echo_decay(2.0, **FIG2), float)
    assert echo_decay(np.array([0.0, 1.0]), **FIG2).shape == (2,)


@settings(max_examples=100, deadline=None)
@given(t=st.floats(0, 1e3), gb=st.floats(1e-3, 10), s=st.floats(0.1, 10), d=st.integers(1, 3))
def test_echo_is_a_decay(t, gb, s, d):
    with premise_expectation(gb, s, 1000.0, d):
        psi = echo_decay(t, Gamma_b=gb, s_xi_d=s, J=1000.0, d=d)
    assert 0.0 <= psi <= 1.0
    n = {}
    for reading in ("literal", "continuous"):
        with premise_expectation(gb, s, 1000.0, d, reading):
            n[reading] = nfast_external(t, Gamma_b=gb, s_xi_d=s, J=1000.0, d=d, nfast=reading)
        assert np.isfinite(n[reading]) and n[reading] >= 0
    # the continuous reading never counts fewer neighbours than the literal one
    assert n["continuous"] >= n["literal"]


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(Gamma_b=0), "^Gamma_b"),
        (dict(s_xi_d=-1), "^s_xi_d"),
        (dict(J=0.5), r"^J must .* \(1, inf\)"),
        (dict(d=0), "^d must"),
        (dict(nfast="smooth"), "^nfast must"),
    ],
)
def test_bad_input(kwargs, match):
    args = dict(FIG2, **kwargs)
    with pytest.raises(ValueError, match=match):
        nfast_external(1.0, **args)
    with pytest.raises(ValueError, match="^t must"):
        echo_decay(-1.0, **FIG2)


# ---------------------------------------------------------------------------
# The lineshape S(omega), Eq. (12), Eq. (13)
# ---------------------------------------------------------------------------

import mpmath  # noqa: E402
from scipy.integrate import quad  # noqa: E402
from scipy.special import lambertw  # noqa: E402

from nblm_helpers import lineshape as ls  # noqa: E402

READINGS = ("literal", "continuous")


def test_exponential_piece_closed_form():
    w = np.array([0.0, 0.3, 2.0, 50.0])
    np.testing.assert_allclose(ls.exponential_piece_ft(w, rate=1.7), 1.7 / (w ** 2 + 1.7 ** 2), rtol=1e-14)
    whole = ls.exponential_piece_ft(w, rate=1.7, a=0.4) + ls.exponential_piece_ft(w, rate=1.7, a=0.0, b=0.4)
    np.testing.assert_allclose(whole, 1.7 / (w ** 2 + 1.7 ** 2), rtol=1e-13)
    for wi in w:
        ref = quad(lambda t: math.exp(-1.7 * t) * math.cos(wi * t), 0.2, 3.0, epsabs=1e-14, epsrel=1e-12, limit=200)[0]
        assert ls.exponential_piece_ft(wi, rate=1.7, a=0.2, b=3.0) == pytest.approx(ref, rel=1e-11, abs=1e-15)
    assert ls.lorentzian(2.0, width=1.7) == pytest.approx(ls.exponential_piece_ft(2.0, rate=1.7), rel=1e-15)


def test_lineshape_of_a_pure_exponential_is_a_lorentzian():
    # continuous reading with s xi^d ln(J/Gamma_b) < 1: n_fast = 1 at all times, psi = exp(-Gamma_b t)
    pars = dict(Gamma_b=2.0, s_xi_d=0.1, J=20.0, nfast="continuous")
    assert ls.echo_pieces(**pars)["middle"] is None
    w = np.geomspace(1e-3, 1e3, 13)
    np.testing.assert_allclose(ls.lineshape(w, **pars), ls.lorentzian(w, width=2.0), rtol=1e-13)
    np.testing.assert_allclose(ls.lineshape_gauss(w[:8], **pars), ls.lorentzian(w[:8], width=2.0), rtol=1e-11)


@pytest.mark.parametrize("nfast", READINGS)
@pytest.mark.parametrize("d", [1, 2])
def test_two_fourier_methods_agree(nfast, d):
    pars = dict(FIG2, d=d, nfast=nfast)
    w = np.concatenate([[0.0], np.geomspace(1e-3, pars["J"] / 2, 24)])
    a = ls.lineshape(w, **pars)
    b = ls.lineshape_gauss(w, **pars)
    np.testing.assert_allclose(a, b, rtol=1e-8, atol=0)


def test_two_methods_agree_for_larger_J():
    pars = dict(Gamma_b=1.0, s_xi_d=1.0, J=1e4, d=1)
    w = np.geomspace(1e-2, 5e3, 8)
    np.testing.assert_allclose(ls.lineshape(w, **pars), ls.lineshape_gauss(w, **pars), rtol=1e-8, atol=0)


def _mp_lineshape(w, Gamma_b, s_xi_d, J, d, nfast):
    """Third method: mpmath tanh-sinh at 30 digits on pieces of at most one period."""
    mpmath.mp.dps = 30
    pcs = ls.echo_pieces(Gamma_b=Gamma_b, s_xi_d=s_xi_d, J=J, d=d, nfast=nfast)
    w = mpmath.mpf(w)
    a0, b0, g0 = pcs["first"]
    ta, gl = pcs["tail"]
    total = mpmath.quad(lambda t: mpmath.exp(-g0 * t) * mpmath.cos(w * t), [a0, b0])
    a, b = (mpmath.mpf(x) for x in pcs["middle"])
    m = int(mpmath.ceil((b - a) * w / (2 * mpmath.pi))) + 1
    pts = [a * (b / a) ** (mpmath.mpf(k) / 20) for k in range(21)]  # geometric: log(Jt) near t = 1/J
    pts = sorted(set(pts) | {a + (b - a) * k / m for k in range(m + 1)})
    total += mpmath.quad(lambda t: mpmath.exp(-Gamma_b * s_xi_d * mpmath.log(J * t) ** d * t) * mpmath.cos(w * t),
                         pts)
    gl = mpmath.mpf(gl)
    total += mpmath.exp(-gl * ta) * (gl * mpmath.cos(w * ta) - w * mpmath.sin(w * ta)) / (gl ** 2 + w ** 2)
    return float(total)


@pytest.mark.parametrize("omega", [0.5, 30.0, 300.0])
def test_lineshape_against_mpmath(omega):
    for nfast in READINGS:
        ref = _mp_lineshape(omega, 1.0, 4.0, 1000.0, 1, nfast)
        assert ls.lineshape(omega, nfast=nfast, **FIG2) == pytest.approx(ref, rel=1e-10)


def test_zero_frequency_is_the_time_integral():
    for nfast in READINGS:
        integral = sum(quad(lambda t: echo_decay(t, nfast=nfast, **FIG2), lo, hi, epsabs=1e-15, epsrel=1e-13)[0]
                       for lo, hi in [(0, 1e-3), (1e-3, 1e-2), (1e-2, 1.0), (1.0, 5.0), (5.0, np.inf)])
        assert ls.lineshape(0.0, nfast=nfast, **FIG2) == pytest.approx(integral, rel=1e-10)


def test_lineshape_shape_and_type():
    assert isinstance(ls.lineshape(1.0, **FIG2), float)
    assert ls.lineshape([1.0, 2.0], **FIG2).shape == (2,)
    assert isinstance(ls.lineshape_eq12(1.0, **FIG2), float)


def test_eq12_limits():
    late = ls.nfast_late(**FIG2)
    assert late == pytest.approx(4 * math.log(1000))
    # omega -> 0: a Lorentzian of the late-time width, S(0) = 1/(Gamma_b n_late)
    assert ls.lineshape_eq12(0.0, **FIG2) == pytest.approx(1 / late, rel=1e-14)
    assert ls.lineshape_eq12(0.5, **FIG2) == pytest.approx(late / (0.25 + late ** 2), rel=1e-14)
    # omega > J: single flipper, Gamma_b/(omega^2 + Gamma_b^2)
    assert ls.lineshape_eq12(5000.0, **FIG2) == pytest.approx(1 / (5000.0 ** 2 + 1), rel=1e-14)
    # middle: Gamma_b s xi ln(J/omega)
    g = 4 * math.log(1000 / 50.0)
    assert ls.lineshape_eq12(50.0, **FIG2) == pytest.approx(g / (2500 + g * g), rel=1e-13)
    # literal reading: n_fast(1/omega) -> 0 as omega -> J from below
    assert ls.lineshape_eq12(999.999, **FIG2) < 1e-10


@settings(max_examples=50, deadline=None)
@given(gb=st.floats(1e-3, 10), s=st.floats(0.05, 20), logj=st.floats(0.05, 6), d=st.integers(1, 3),
       nfast=st.sampled_from(READINGS))
def test_central_width_closed_form_matches_brentq(gb, s, logj, d, nfast):
    J = gb * 10 ** logj
    pars = dict(Gamma_b=gb, s_xi_d=s, J=J, d=d, nfast=nfast)
    with premise_expectation(gb, s, J, d, nfast):   # J < 10 Gamma_b or a literal late count < 1 warn
        g = ls.central_width(**pars)
        g_closed, branch = ls.central_width_closed_form(**pars)
        n_at_g = nfast_external(1 / g, **pars)
    assert g == pytest.approx(g_closed, rel=1e-10)
    # it solves Eq. (13)
    assert g == pytest.approx(gb * n_at_g, rel=1e-10)
    if branch == "middle":
        assert gb <= g * (1 + 1e-12) and g <= J
        if d == 1:
            a = gb * s
            assert g == pytest.approx(a * lambertw(J / a).real, rel=1e-12)


def test_central_width_fig2_and_late_branch():
    g = ls.central_width(**FIG2)
    assert g == pytest.approx(4 * lambertw(250.0).real, rel=1e-13)
    assert 1.0 < g < 1000.0
    assert ls.central_width_leading(**FIG2) == pytest.approx(4 * math.log(1000))
    # tiny s xi^d: n_late < 1, the late branch applies -- outside the regime of the literal Eq. (11)
    pars = dict(Gamma_b=1.0, s_xi_d=0.1, J=10.0)
    with pytest.warns(ValidityWarning, match="literal third branch"):
        assert ls.central_width_closed_form(**pars) == (pytest.approx(0.1 * math.log(10)), "late")
    with pytest.warns(ValidityWarning, match="literal third branch"):
        assert ls.central_width(**pars) == pytest.approx(0.1 * math.log(10), rel=1e-12)
    assert ls.central_width(nfast="continuous", **pars) == pytest.approx(1.0, rel=1e-12)


def test_lorentzian_crossings_fig2():
    roots = ls.lorentzian_crossings(**FIG2, n_grid=60)
    assert roots.size == 2
    width = ls.central_width(**FIG2)
    above = np.geomspace(roots[-1] * 1.01, 500, 7)
    assert np.all(ls.lorentzian(above, width=width) > ls.lineshape(above, **FIG2))
    between = np.geomspace(roots[0] * 1.05, roots[1] * 0.95, 5)
    assert np.all(ls.lorentzian(between, width=width) < ls.lineshape(between, **FIG2))


@settings(max_examples=12, deadline=None)
@given(s=st.floats(0.5, 10), logj=st.floats(1, 3.5), d=st.integers(1, 2), nfast=st.sampled_from(READINGS),
       x=st.floats(0, 1))
def test_lineshape_properties(s, logj, d, nfast, x):
    pars = dict(Gamma_b=1.0, s_xi_d=s, J=10 ** logj, d=d, nfast=nfast)
    w = 10 ** (-2 + x * (logj - math.log10(2) + 2))   # in [0.01, J/2]
    a = ls.lineshape(w, **pars)
    assert a == pytest.approx(ls.lineshape_gauss(w, **pars), rel=1e-8)
    # |S(omega)| <= S(0) = int psi, since psi > 0
    assert abs(a) <= ls.lineshape(0.0, **pars)


def test_tunnelling_dos():
    assert ls.tunnelling_dos(0.5, gamma=0.1, W=2.0) == pytest.approx(0.01 / (0.25 * 2.0))
    out = ls.tunnelling_dos(np.array([0.5, 1.0, 3.0]), gamma=0.1, W=2.0)
    np.testing.assert_allclose(out, [0.02, 0.005, 0.0])


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: ls.lineshape(-1.0, **FIG2), "^omega must"),
        (lambda: ls.lineshape(1.0, nfast="smooth", **FIG2), "^nfast must"),
        (lambda: ls.lineshape(1.0, epsrel=0.5, **FIG2), "^epsrel must"),
        (lambda: ls.lineshape_gauss(1.0, order=2, **FIG2), "^order must"),
        (lambda: ls.lineshape_eq12(np.nan, **FIG2), "^omega must"),
        (lambda: ls.central_width(Gamma_b=1.0, s_xi_d=4.0, J=0.5), r"^J must .* \(1, inf\)"),
        (lambda: ls.lorentzian(1.0, width=0.0), "^width must"),
        (lambda: ls.exponential_piece_ft(1.0, rate=1.0, a=2.0, b=1.0), "^b must"),
        (lambda: ls.tunnelling_dos(0.0, gamma=0.1, W=1.0), "^delta_omega must"),
        (lambda: ls.tunnelling_dos(0.5, gamma=-0.1, W=1.0), "^gamma must"),
    ],
)
def test_lineshape_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_lineshape_turns_negative_just_above_J():
    for nfast in READINGS:
        zeros = ls.lineshape_zeros(**FIG2, nfast=nfast, omega_min=100.0, omega_max=2000.0, n_grid=20)
        assert zeros.size == 1 and 1000.0 < zeros[0] < 1200.0
        assert abs(ls.lineshape(zeros[0], **FIG2, nfast=nfast)) < 1e-15
        assert ls.lineshape(zeros[0] + 50, **FIG2, nfast=nfast) < 0 < ls.lineshape(zeros[0] - 50, **FIG2, nfast=nfast)
    assert ls.lineshape_zeros(**FIG2, omega_min=0.01, omega_max=500.0, n_grid=30).size == 0


@pytest.mark.parametrize("d", [1, 2, 3])
def test_scalar_middle_integrand_matches_array_one(d):
    # lineshape (QAWO) calls the math-based scalar integrand, lineshape_gauss the NumPy one
    t = np.geomspace(1e-3, 1.0, 41)
    f_arr = ls._middle_integrand(1.0, 4.0, 1000.0, d)
    f_sc = ls._middle_integrand_scalar(1.0, 4.0, 1000.0, d)
    vals = np.array([f_sc(float(x)) for x in t])
    assert all(isinstance(f_sc(float(x)), float) for x in t[:3])
    np.testing.assert_allclose(vals, f_arr(t), rtol=1e-15, atol=0)


# ---------------------------------------------------------------------------
# Hardening: the tie J t = 1, the regime warnings, extreme inputs (regression tests)
# ---------------------------------------------------------------------------


def test_regression_nfast_tie_at_Jt_equal_1():
    # Eq. (11) read literally: the first branch includes J t = 1 (n_fast = 1, not s xi^d ln^d 1 = 0),
    # the convention of Eq. (20) (gamma t <= 1) and of the errata page
    for J in (1000.0, 70.0, 3.3e5):
        pars = dict(Gamma_b=1.0, s_xi_d=4.0, J=J, d=1)
        t_tie = 1.0 / J
        assert nfast_external(t_tie, **pars) == 1.0
        assert echo_decay(t_tie, **pars) == pytest.approx(math.exp(-t_tie), rel=1e-15)
        assert ls._nfast_raw(np.array([t_tie]), 1.0, 4.0, J, 1, "literal")[0] == 1.0
        # Eq. (12) at omega = J evaluates n_fast at the tie: the single-flipper Lorentzian
        assert ls.lineshape_eq12(J, **pars) == pytest.approx(1.0 / (J * J + 1.0), rel=1e-15)
        # just after the tie the literal count drops to ~0 and grows from there (left-continuous)
        t_after = np.nextafter(t_tie, 1.0) * (1 + 1e-12)
        assert 0.0 < nfast_external(t_after, **pars) < 1e-9
        assert nfast_external(t_tie, nfast="continuous", **pars) == 1.0
    # the first piece of the literal echo is the closed interval [0, 1/J]
    assert ls.echo_pieces(**FIG2)["first"] == (0.0, 1e-3, 1.0)
    # integrals over t do not see the tie: S(omega) as before the fix (FIG2 values of the lineshape chapter)
    assert ls.lineshape(0.0, **FIG2) == 0.05748825220314334
    assert ls.lineshape(100.0, **FIG2) == 0.001229094972522929


def test_validity_warning_J_not_much_larger_than_gamma_b():
    pars = dict(Gamma_b=1.0, s_xi_d=4.0, J=9.9, d=1)
    for call in (lambda: nfast_external(0.5, **pars), lambda: echo_decay(0.5, **pars), lambda: ls.nfast_late(**pars),
                 lambda: ls.echo_pieces(**pars), lambda: ls.lineshape(1.0, **pars),
                 lambda: ls.lineshape_eq12(1.0, **pars), lambda: ls.central_width(**pars),
                 lambda: ls.central_width_closed_form(**pars), lambda: ls.central_width_leading(**pars)):
        with pytest.warns(ValidityWarning, match=r"J/Gamma_b = 9.9 < 10"):
            call()
    # one warning per call, also for the root finders that evaluate the lineshape many times
    with pytest.warns(ValidityWarning) as rec:
        ls.lineshape_zeros(**pars, omega_min=1.0, omega_max=20.0, n_grid=5)
    assert len(rec) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nfast_external(0.5, **dict(pars, J=10.0))   # J = 10 Gamma_b is inside


def test_validity_warning_literal_late_count_below_one():
    pars = dict(Gamma_b=1.0, s_xi_d=0.1, J=100.0, d=1)       # s xi ln(J/Gamma_b) = 0.46
    with pytest.warns(ValidityWarning, match="literal third branch .* 0.4605"):
        assert ls.nfast_late(**pars) == pytest.approx(0.1 * math.log(100.0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ls.nfast_late(nfast="continuous", **pars) == 1.0   # the continuous reading counts max(1, ...)
        ls.lineshape(1.0, nfast="continuous", **pars)


def test_validity_warning_tunnelling_dos_nonperturbative():
    with pytest.warns(ValidityWarning, match="gamma << delta_omega"):
        ls.tunnelling_dos(np.array([0.05, 0.5]), gamma=0.1, W=1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ls.tunnelling_dos(np.array([0.5, 2.0]), gamma=0.1, W=1.0)   # gamma < delta_omega; 0 above W


def test_regression_nfast_late_huge_d_raises_valueerror():
    # was: OverflowError from ln(J/Gamma_b)**d in Python floats
    for f in (ls.nfast_late, ls.echo_pieces, ls.central_width, ls.central_width_leading):
        with pytest.raises(ValueError, match=r"largest d that works here is 35[56]"):
            f(**dict(FIG2, d=10**6))
    with pytest.raises(ValueError, match="s_xi_d"):
        nfast_external(1.0, **dict(FIG2, s_xi_d=1e300, d=3))
    # a large d that fits is evaluated through logarithms: s ln^d(J t) with ln^d alone beyond the float range
    pars = dict(Gamma_b=1.0, s_xi_d=1e-250, J=1e300, d=100)
    n = ls.nfast_late(**pars)
    assert n == pytest.approx(math.exp(math.log(1e-250) + 100 * math.log(math.log(1e300))), rel=1e-12)
    assert np.isfinite(nfast_external(np.array([0.5, 2.0]), **pars)).all()


def test_regression_scalar_parameters_reject_arrays():
    # was: TypeError ("only 0-dimensional arrays can be converted to Python scalars")
    for name in ("Gamma_b", "s_xi_d", "J"):
        with pytest.raises(ValueError, match=rf"^{name} must be a single real number"):
            nfast_external(1.0, **dict(FIG2, **{name: [2000.0, 3000.0]}))
    with pytest.raises(ValueError, match="^width must be a single"):
        ls.lorentzian(1.0, width=[1.0, 2.0])
    with pytest.raises(ValueError, match="^rate must be a single"):
        ls.exponential_piece_ft(1.0, rate=np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="^b must"):
        ls.exponential_piece_ft(1.0, rate=1.0, b=True)     # was accepted as b = 1
    with pytest.raises(ValueError, match="^omega_min must be a single"):
        ls.lineshape_zeros(**FIG2, omega_min=[1.0, 2.0], omega_max=3.0)


def test_regression_lineshape_huge_omega():
    # was: NaN from QAWO (omega >= ~1e100) and from omega**2 overflowing; now a ValueError naming the limit
    with pytest.raises(ValueError, match=r"^omega must be <= 1e\+15"):
        ls.lineshape(1e150, **FIG2)
    assert abs(ls.lineshape(1e12, **FIG2)) < 1e-11
    # without a middle branch S is closed form for any omega
    pure = dict(Gamma_b=2.0, s_xi_d=0.1, J=20.0, nfast="continuous")
    assert ls.lineshape(1e300, **pure) == pytest.approx(2e-600 if False else 0.0, abs=1e-300)
    # 2-D omega keeps its shape (was: TypeError inside quad)
    w = np.array([[0.0, 1.0], [10.0, 100.0]])
    np.testing.assert_array_equal(ls.lineshape(w, **FIG2), ls.lineshape(w.ravel(), **FIG2).reshape(2, 2))


def test_regression_lineshape_extreme_gamma_b_scaling():
    # was: NaN (Gamma_b = 1e-300), OverflowError (Gamma_b = 5e-324) -- the transforms now work in units of
    # Gamma_b: S(omega; Gamma_b, J) = S(omega/Gamma_b; 1, J/Gamma_b) / Gamma_b
    w = np.array([0.0, 1.0, 30.0, 300.0])
    ref = ls.lineshape(w, **FIG2)
    for gb in (1e-200, 1e-3, 1e100):
        pars = dict(FIG2, Gamma_b=gb, J=1000.0 * gb)
        np.testing.assert_allclose(ls.lineshape(w * gb, **pars) * gb, ref, rtol=1e-12)
        np.testing.assert_allclose(ls.lineshape_eq12(w * gb, **pars) * gb, ls.lineshape_eq12(w, **FIG2), rtol=1e-13)
        assert ls.central_width(**pars) / gb == pytest.approx(ls.central_width(**FIG2), rel=1e-13)
    with pytest.raises(ValueError, match="^Gamma_b must be >= 5.5"):
        ls.lineshape(1.0, Gamma_b=5e-324, s_xi_d=4.0, J=1e-320)
    with pytest.raises(ValueError, match=r"^J must be <= 1e\+300 \* Gamma_b"):
        ls.lineshape(1.0, Gamma_b=1e-300, s_xi_d=4.0, J=1e10)
    # a late count that underflows: S(0) ~ 1/(Gamma_b n_fast) is not a float (was: ZeroDivisionError)
    tiny = dict(Gamma_b=1.0, s_xi_d=1e-300, J=1.000000001, d=10)
    with pytest.raises(ValueError, match="^s_xi_d"):     # (a call that raises issues no ValidityWarning)
        ls.lineshape_gauss(0.0, **tiny)


def test_regression_large_s_xi_d_integrand():
    # was: OverflowError ("math range error") from exp(c ln(Jt) t) where ln(Jt) rounds below 0 at t = 1/J
    pars = dict(Gamma_b=1.0, s_xi_d=2.0**70, J=1000.0)
    S = ls.lineshape(np.array([0.0, 10.0]), **pars)
    # psi is e^{-t} up to 1/J and ~0 after: S(0) = 1 - e^{-1/J} + the (negligible) tail
    assert S[0] == pytest.approx(1 - math.exp(-1e-3), rel=1e-9)
    assert ls.lineshape_gauss(0.0, **pars) == pytest.approx(S[0], rel=1e-9)
    assert np.isfinite(ls.lorentzian_crossings(**pars, n_grid=6)).all()


def test_regression_lineshape_gauss_bounded_work():
    # was: omega = 1e6 ran for minutes, 1e9 needed 1.2 GiB, order = 1e6 an O(order^3) eigenproblem
    t0 = time.perf_counter()
    for omega in (1e6, 1e9, 1e300):
        with pytest.raises(ValueError, match="^omega .* MAX_GL_NODES"):
            ls.lineshape_gauss(omega, **FIG2)
    with pytest.raises(ValueError, match="tail_decades"):
        ls.lineshape_gauss(1.0, tail_decades=1e300, **FIG2)
    with pytest.raises(ValueError, match=r"^order must be an integer in \[4, 256\]"):
        ls.lineshape_gauss(1.0, order=10**6, **FIG2)
    assert time.perf_counter() - t0 < 1.0
    assert ls.lineshape_gauss(5e-324, **FIG2) == pytest.approx(ls.lineshape(0.0, **FIG2), rel=1e-8)  # was a warning


def test_regression_root_finders_bounded_grid():
    # was: n_grid = 1e6 ran for minutes, 1e9 needed 7.5 GiB
    for f in (ls.lorentzian_crossings, ls.lineshape_zeros):
        for n in (10**6, 10**9):
            with pytest.raises(ValueError, match=r"^n_grid must be an integer in \[3, 5000\]"):
                f(**FIG2, omega_min=1.0, omega_max=10.0, n_grid=n)


def test_regression_closed_forms_extreme_values():
    # lorentzian: width**2 raised OverflowError; omega**2 overflowed (RuntimeWarning)
    assert ls.lorentzian(1.0, width=1e300) == pytest.approx(1e-300, rel=1e-12)
    assert ls.lorentzian(1e300, width=1.0) == 0.0
    assert ls.lorentzian(np.array([0.0, 1e200]), width=1e200).tolist() == pytest.approx([1e-200, 0.5e-200])
    with pytest.raises(ValueError, match="^width must be >= "):
        ls.lorentzian(0.0, width=5e-324)
    # exponential_piece_ft: omega*t overflowed in sin/cos
    assert ls.exponential_piece_ft(1e300, rate=1.0, a=0.0, b=1e10) == pytest.approx(1e-300, rel=1e-9)
    assert ls.exponential_piece_ft(np.array([0.0, 1e300]), rate=1e200).tolist() == pytest.approx([1e-200, 1e-400])
    # Eq. (12) at huge omega and a huge late rate (overflow warnings before)
    assert ls.lineshape_eq12(1e300, **FIG2) == 0.0
    big = dict(Gamma_b=1.0, s_xi_d=1e280, J=1000.0)
    assert ls.lineshape_eq12(0.0, **big) == pytest.approx(1 / ls.nfast_late(**big), rel=1e-12)
    # tunnelling_dos: 1/delta_omega^2 overflowed to inf, gamma**2 raised OverflowError
    assert ls.tunnelling_dos(1e300, gamma=1e299, W=1e301) == pytest.approx(1e-303, rel=1e-9)
    with pytest.raises(ValueError, match="delta_omega, gamma, W"):
        ls.tunnelling_dos(1e-300, gamma=1e-3, W=1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert echo_decay(1.7e308, **FIG2) == 0.0       # Gamma_b n t overflowed (RuntimeWarning)


def test_regression_root_refinement_at_noise_level_sign_changes():
    # was: ValueError "f(a) and f(b) must have different signs" (no parameter named) when a sign change of
    # the scan did not survive the re-evaluation at the bracket ends; such candidates are now dropped
    pars = dict(Gamma_b=0.06747037418790441, s_xi_d=1.0, J=67.47037418790441)
    roots = ls.lorentzian_crossings(**pars, omega_max=1e12)
    assert np.all(np.diff(roots) > 0) and roots[0] > 0


def test_regression_lineshape_gauss_omega_over_gamma_b_overflows():
    # was: RuntimeWarning (overflow in omega/Gamma_b); such a frequency gives S = 0
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        warnings.simplefilter("ignore", ValidityWarning)
        assert ls.lineshape_gauss(np.array([1e12, 1e300]), Gamma_b=1e-300, s_xi_d=1.0, J=2e-299).tolist() == [0.0, 0.0]
        assert ls.lineshape(1e300, Gamma_b=1e-300, s_xi_d=0.1, J=2e-299, nfast="continuous") == 0.0  # no middle branch


def test_regression_root_finders_name_omega_max():
    # was: a ValueError from inside lineshape naming "omega" (and RuntimeWarnings) for omega_max = 1e300
    for f in (ls.lorentzian_crossings, ls.lineshape_zeros):
        with pytest.raises(ValueError, match=r"^omega_max must be <= 1e\+15 \* Gamma_b"):
            f(Gamma_b=1e-300, s_xi_d=1.0, J=1e-290, omega_min=1e-300, omega_max=1e300)


def test_regression_lorentzian_crossings_underflowing_width():
    # was: "width must be a finite real number" from the inner lorentzian call (a name the caller never used)
    with pytest.raises(ValueError, match=r"^Gamma_b = 1e-300, s_xi_d = 1e-300: the central width"):
        ls.lorentzian_crossings(Gamma_b=1e-300, s_xi_d=1e-300, J=2e-300)
    with pytest.warns(ValidityWarning):
        assert ls.central_width(Gamma_b=1e-300, s_xi_d=1e-300, J=2e-300) == 0.0   # Gamma_b n_late underflows


def test_regression_lineshape_gauss_tail_beyond_float_range():
    # was: RuntimeWarning (0 * inf in the phases) for a tail quadrature ending at t = inf
    pars = dict(Gamma_b=1e100, s_xi_d=1e-300, J=1e112, order=6, nfast="literal")
    with pytest.raises(ValueError, match="^tail_decades must be <= "):
        ls.lineshape_gauss(1e-300, tail_decades=1e300, **pars)
