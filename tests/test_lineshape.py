"""Tests of nblm_helpers.lineshape: n_fast of Eq. (11) and the echo decay of Eq. (10)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nblm_helpers.lineshape import echo_decay, nfast_external

FIG2 = dict(gamma_b=1.0, s_xi_d=4.0, J=1000.0, d=1)


def test_nfast_branches_literal():
    t = np.array([0.0, 0.5e-3, 1e-3, 0.01, 1.0, 50.0])
    n = nfast_external(t, **FIG2)
    expected = [1, 1, 0.0, 4 * math.log(10), 4 * math.log(1000), 4 * math.log(1000)]
    np.testing.assert_allclose(n, expected, rtol=1e-14, atol=0)


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
    psi = echo_decay(t, gamma_b=gb, s_xi_d=s, J=1000.0, d=d)
    assert 0.0 <= psi <= 1.0
    for reading in ("literal", "continuous"):
        n = nfast_external(t, gamma_b=gb, s_xi_d=s, J=1000.0, d=d, nfast=reading)
        assert np.isfinite(n) and n >= 0
    # the continuous reading never counts fewer neighbours than the literal one
    assert nfast_external(t, gamma_b=gb, s_xi_d=s, J=1000.0, d=d, nfast="continuous") >= nfast_external(
        t, gamma_b=gb, s_xi_d=s, J=1000.0, d=d)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(gamma_b=0), "^gamma_b"),
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
    pars = dict(gamma_b=2.0, s_xi_d=0.1, J=20.0, nfast="continuous")
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
    pars = dict(gamma_b=1.0, s_xi_d=1.0, J=1e4, d=1)
    w = np.geomspace(1e-2, 5e3, 8)
    np.testing.assert_allclose(ls.lineshape(w, **pars), ls.lineshape_gauss(w, **pars), rtol=1e-8, atol=0)


def _mp_lineshape(w, gamma_b, s_xi_d, J, d, nfast):
    """Third method: mpmath tanh-sinh at 30 digits on pieces of at most one period."""
    mpmath.mp.dps = 30
    pcs = ls.echo_pieces(gamma_b=gamma_b, s_xi_d=s_xi_d, J=J, d=d, nfast=nfast)
    w = mpmath.mpf(w)
    a0, b0, g0 = pcs["first"]
    ta, gl = pcs["tail"]
    total = mpmath.quad(lambda t: mpmath.exp(-g0 * t) * mpmath.cos(w * t), [a0, b0])
    a, b = (mpmath.mpf(x) for x in pcs["middle"])
    m = int(mpmath.ceil((b - a) * w / (2 * mpmath.pi))) + 1
    pts = [a * (b / a) ** (mpmath.mpf(k) / 20) for k in range(21)]  # geometric: log(Jt) near t = 1/J
    pts = sorted(set(pts) | {a + (b - a) * k / m for k in range(m + 1)})
    total += mpmath.quad(lambda t: mpmath.exp(-gamma_b * s_xi_d * mpmath.log(J * t) ** d * t) * mpmath.cos(w * t),
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
    pars = dict(gamma_b=gb, s_xi_d=s, J=J, d=d, nfast=nfast)
    g = ls.central_width(**pars)
    g_closed, branch = ls.central_width_closed_form(**pars)
    assert g == pytest.approx(g_closed, rel=1e-10)
    # it solves Eq. (13)
    assert g == pytest.approx(gb * nfast_external(1 / g, **pars), rel=1e-10)
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
    # tiny s xi^d: n_late < 1, the late branch applies
    pars = dict(gamma_b=1.0, s_xi_d=0.1, J=10.0)
    assert ls.central_width_closed_form(**pars) == (pytest.approx(0.1 * math.log(10)), "late")
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
    pars = dict(gamma_b=1.0, s_xi_d=s, J=10 ** logj, d=d, nfast=nfast)
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
        (lambda: ls.central_width(gamma_b=1.0, s_xi_d=4.0, J=0.5), r"^J must .* \(1, inf\)"),
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
