"""Tests of nblm_helpers.relaxation: the three relaxation channels of Sec. II B, Eqs. (6)-(8)."""

import math
import warnings
from contextlib import nullcontext

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import lambertw

from nblm_helpers import relaxation as rx
from nblm_helpers.parameters import ValidityWarning


def premise(gamma, W):
    """pytest.warns(ValidityWarning) where gamma >= W somewhere (outside the Golden-rule premise gamma << W
    of Eqs. 6-8), else a block that must not warn."""
    outside = np.any(np.asarray(gamma) >= np.asarray(W))
    return pytest.warns(ValidityWarning, match=r"gamma( = \S+)? >= W") if outside else nullcontext()

PARS = dict(xi=1.0, Xi=0.5, s=1.0)


# -- closed forms -------------------------------------------------------------------
def test_gamma_a_closed_form():
    # d = 2, W = 1/100: R = 10, ln Gamma_a = 2 ln gamma - ln W - 2 R / xi
    assert rx.hop_range(0.01, d=2) == pytest.approx(10.0, rel=1e-14)
    val = rx.ln_Gamma_a(1e-3, 0.01, xi=2.0, d=2)
    assert val == pytest.approx(2 * math.log(1e-3) + math.log(100) - 10.0, rel=1e-14)
    assert isinstance(val, float)


def test_gamma_b_forms_closed():
    g, W = 1e-4, 1e-3
    u = math.log(1 / W)
    # d = 3: n_hat = (u/s)^(1/3)
    assert rx.rearrangement_size(W, s=0.5, d=3) == pytest.approx((u / 0.5) ** (1 / 3), rel=1e-14)
    pre = 2 * math.log(g) + u
    full = rx.ln_Gamma_b(g, W, Xi=0.5, xi=1.0, s=1.0, d=3)
    assert full == pytest.approx(pre - 2 * u ** (1 / 3) - 2 * u / 0.5, rel=1e-13)
    assert rx.ln_Gamma_b(g, W, d=3, form="derived", **PARS) == pytest.approx(pre - 4 * u, rel=1e-13)
    assert rx.ln_Gamma_b(g, W, d=3, form="printed", **PARS) == pytest.approx(pre - 2 * u, rel=1e-13)
    # the printed exponent is half the derived one
    assert rx.Gamma_b_exponent(Xi=0.7, d=2, form="derived") == pytest.approx(
        2 * rx.Gamma_b_exponent(Xi=0.7, d=2, form="printed"))


def test_d1_effective_length():
    # derived: s xi Xi / (s xi + Xi); printed: xi Xi / (xi + Xi); equal at s = 1
    assert rx.Xi_eff_1d(2.0, 3.0, 0.5) == pytest.approx(1.0 * 3.0 / 4.0, rel=1e-14)
    assert rx.Xi_eff_1d(2.0, 3.0, 0.5, reading="printed") == pytest.approx(6.0 / 5.0, rel=1e-14)
    assert rx.Xi_eff_1d(2.0, 3.0, 1.0) == pytest.approx(rx.Xi_eff_1d(2.0, 3.0, 1.0, reading="printed"))
    # in d = 1 the full form is exactly the derived power law with Xi_1
    W = np.logspace(-9, -1, 9)
    with premise(1e-5, W):   # W = 1e-9 ... 1e-5 lie below gamma: outside gamma << W (gamma only adds 2 ln gamma)
        full = rx.ln_Gamma_b(1e-5, W, Xi=0.8, xi=1.5, s=0.6, d=1)
    with premise(1e-5, W):
        derived = rx.ln_Gamma_b(1e-5, W, Xi=0.8, xi=1.5, s=0.6, d=1, form="derived")
    np.testing.assert_allclose(full, derived, rtol=1e-13)
    x1 = rx.Xi_eff_1d(1.5, 0.8, 0.6)
    np.testing.assert_allclose(full, 2 * math.log(1e-5) - np.log(W) + 2 / x1 * np.log(W), rtol=1e-13)


def test_d1_remark_sympy():
    """Sympy: in d = 1, exponent = ln(Delta/W) (1/Xi + 1/(s xi)); solve for Xi_1."""
    u, s, xi, Xi, X1 = sp.symbols("u s xi Xi Xi_1", positive=True)
    n = u / s
    exponent = sp.expand(n / xi + s * n / Xi)
    sol = sp.solve(sp.Eq(exponent, u / X1), X1)[0]
    assert sp.simplify(sol - s * xi * Xi / (s * xi + Xi)) == 0
    f = sp.lambdify((s, xi, Xi), sol)
    assert f(0.3, 1.7, 0.9) == pytest.approx(rx.Xi_eff_1d(1.7, 0.9, 0.3), rel=1e-14)


def test_gamma_b_leading_order_sympy():
    """Squaring gamma exp(-n/xi - s n^d/Xi) at s n^d = u gives exponent 2/Xi at large u (d > 1)."""
    u, s, xi, Xi = sp.symbols("u s xi Xi", positive=True)
    for d in (2, 3):
        n = (u / s) ** sp.Rational(1, d)
        ln_m2 = -2 * (n / xi + s * n**d / Xi)
        assert sp.limit(-ln_m2 / u, u, sp.oo) == 2 / Xi


def test_channel_c_volume_methods_agree():
    W = np.array([0.3, 1e-3, 1e-12, 1e-200])
    for s in (0.3, 1.0):
        lam = rx.rearrangement_volume_c(W, s=s)
        ref = lambertw(s / W).real / s
        np.testing.assert_allclose(lam, ref, rtol=1e-12)
        np.testing.assert_allclose(rx.rearrangement_volume_c(W, s=s, method="brentq"), lam, rtol=1e-10)
        # it solves Delta exp(-s x) = x W
        np.testing.assert_allclose(np.exp(-s * lam), lam * W, rtol=1e-10)
        # and lies below the paper's approximation ln(Delta/W)/s
        assert np.all(lam < rx.rearrangement_volume_c(W, s=s, method="approx"))
    # huge arguments (beyond exp(700)) go through the Newton branch
    x = rx.rearrangement_volume_c(1e-305, s=1e-3)
    assert math.log(1e305) + math.log(1e-3) == pytest.approx(1e-3 * x + math.log(1e-3 * x), rel=1e-13)


def test_channel_c_sympy_lambert():
    x, s, D, W = sp.symbols("x s Delta W", positive=True)
    sol = sp.solve(sp.Eq(D * sp.exp(-s * x), x * W), x)
    assert len(sol) == 1 and sol[0].has(sp.LambertW)
    f = sp.lambdify((s, D, W), sol[0], modules="scipy")
    assert float(np.real(f(0.4, 1.0, 1e-6))) == pytest.approx(rx.rearrangement_volume_c(1e-6, s=0.4), rel=1e-12)


def test_gamma_c_forms():
    g, W, s = 1e-3, 1e-4, 0.5
    x = rx.rearrangement_volume_c(W, s=s)
    with premise(g, W):   # gamma = 10 W: the closed forms regardless, with a ValidityWarning
        assert rx.ln_Gamma_c(g, W, s=s) == pytest.approx(2 * x * math.log(g) - math.log(W), rel=1e-13)
        # eq8b differs from eq8a by (gamma/Delta)^2
        diff = rx.ln_Gamma_c(g, W, s=s, form="eq8b") - rx.ln_Gamma_c(g, W, s=s)
        assert diff == pytest.approx(2 * math.log(g), rel=1e-13)
        # eq8b with the approximate x is the printed (gamma^2/W)(W/Delta)^(2 ln(Delta/gamma)/s)
        printed = 2 * math.log(g) - math.log(W) + 2 * math.log(1 / g) / s * math.log(W)
        assert rx.ln_Gamma_c(g, W, s=s, method="approx", form="eq8b") == pytest.approx(printed, rel=1e-13)


def test_window_a_beats_b():
    # d = 3, printed exponent 1/Xi with Xi = 0.5 -> ln Gamma_a - ln Gamma_b = -2 e^{u/3} + 2u: roots in u
    lo, hi = rx.window_a_beats_b(d=3, form="printed", **PARS)
    for W in (lo, hi):
        u = -math.log(W)
        assert -2 * math.exp(u / 3) + 2 * u == pytest.approx(0.0, abs=1e-9)
    assert (lo, hi) == pytest.approx((0.0107119, 0.1561116), rel=1e-5)
    # inside the window channel a wins, outside b
    mid = math.sqrt(lo * hi)
    assert rx.dominant_channel(1e-6, mid, d=3, Gamma_b_form="printed", **PARS) == 0
    assert rx.dominant_channel(1e-9, lo / 10, d=3, Gamma_b_form="printed", **PARS) == 1
    # d = 2, printed: b always beats a
    assert all(math.isnan(v) for v in rx.window_a_beats_b(d=2, form="printed", **PARS))
    # the full form puts the lower edge lower than the derived leading order
    full = rx.window_a_beats_b(d=3, **PARS)[0]
    derived = rx.window_a_beats_b(d=3, form="derived", **PARS)[0]
    assert full < derived < lo


def test_gamma_star_c():
    assert rx.gamma_star_c(Xi=0.5, d=2) == pytest.approx(math.exp(-2.0))
    assert rx.gamma_star_c(Xi=0.5, d=2, form="printed") == pytest.approx(math.exp(-1.0))
    assert rx.gamma_star_c(Xi=0.5, xi=1.0, s=1.0, d=1) == pytest.approx(math.exp(-3.0))
    # check against the rates: above gamma_* channel c wins at tiny W, below it b wins
    gs = rx.gamma_star_c(Xi=0.5, d=2)
    W = 1e-250
    kw = dict(d=2, Gamma_b_form="derived", **PARS)
    with premise(gs, W):   # the asymptotic comparison at fixed gamma as W -> 0 leaves gamma << W by design
        assert rx.dominant_channel(gs * 1.3, W, **kw) == 2
        assert rx.dominant_channel(gs / 1.3, W, **kw) == 1


def test_paper_claim_b_leads_as_everything_vanishes():
    # along gamma = W^2 (so gamma << W), below the a/b window channel b leads in d = 1, 2, 3
    W = np.logspace(-30, -6, 25)
    for d in (1, 2, 3):
        lo = rx.window_a_beats_b(d=d, **PARS)[0]
        sel = W < (lo if not math.isnan(lo) else 1.0)
        assert np.all(rx.dominant_channel(W[sel] ** 2, W[sel], d=d, **PARS) == 1)


def test_broadcasting_and_shapes():
    g = np.logspace(-8, -2, 4)[:, None]
    W = np.logspace(-6, -1, 5)[None, :]
    with pytest.warns(ValidityWarning, match=r"gamma( = \S+)? >= W at 7 of 20 point\(s\)"):
        out = rx.ln_rates(g, W, d=2, **PARS)
    assert out.shape == (3, 4, 5)
    with pytest.warns(ValidityWarning, match=r"gamma( = \S+)? >= W at 7 of 20 point\(s\)"):
        assert rx.dominant_channel(g, W, d=2, **PARS).shape == (4, 5)
    assert rx.premise_holds(g, W).shape == (4, 5)
    assert rx.premise_holds(1e-3, 1e-2) is True and rx.premise_holds(1e-2, 1e-3) is False


def test_sec3_scales():
    # 52.04 MHz nm^3 (textbook), 1/r^3
    assert rx.electron_dipolar_coupling_hz(1.0) == pytest.approx(52.04e6, rel=1e-3)
    assert rx.electron_dipolar_coupling_hz(10.0) == pytest.approx(rx.electron_dipolar_coupling_hz(1.0) / 1e3)
    assert rx.resonator_linewidth_hz(5e9, 1e6) == pytest.approx(5e3)
    assert rx.power_law_bandwidth(10.0, alpha=3) == pytest.approx(1e-3)


@settings(max_examples=100, deadline=None)
@given(g=st.floats(1e-12, 0.5), W=st.floats(1e-12, 0.5), d=st.integers(1, 3),
       Xi=st.floats(0.1, 3), xi=st.floats(0.2, 3), s=st.floats(0.05, 1.0))
def test_properties(g, W, d, Xi, xi, s):
    # the properties hold for any gamma; where gamma >= W (or >= W/10, the narrower bath below) rates warn
    with premise(g, W / 10):
        _check_properties(g, W, d, Xi, xi, s)


def _check_properties(g, W, d, Xi, xi, s):
    kw = dict(Xi=Xi, xi=xi, s=s, d=d)
    full = rx.ln_Gamma_b(g, W, **kw)
    derived = rx.ln_Gamma_b(g, W, form="derived", **kw)
    printed = rx.ln_Gamma_b(g, W, form="printed", **kw)
    assert np.isfinite(full)
    # the full rate never exceeds its leading power law (it keeps the real-space factor)
    assert full <= derived + 1e-9 * abs(derived)
    if d > 1:
        assert printed >= derived  # exponent 1/Xi < 2/Xi and W < 1
    # all rates are below the single-hop ceiling gamma^2/W ... except Gamma_c's eq8a form, which is
    # below (Delta^2/W)(gamma/Delta)^(2x) and so below gamma^2/W once x >= 1
    ceiling = 2 * math.log(g) - math.log(W)
    assert rx.ln_Gamma_a(g, W, xi=xi, d=d) < ceiling
    x = rx.rearrangement_volume_c(W, s=s)
    if x >= 1:
        assert rx.ln_Gamma_c(g, W, s=s) <= ceiling + 1e-9 * abs(ceiling)
    # a tenfold narrower bath: Gamma_b changes by at most 10^(1 - 2/Xi) (the real-space factor only
    # makes it smaller), Gamma_a by less than the 10x of the 1/W prefactor
    W2 = W / 10
    step = rx.ln_Gamma_b(g, W2, **kw) - rx.ln_Gamma_b(g, W, **kw)
    assert step <= (1 - 2 / Xi) * math.log(10) + 1e-9
    assert rx.ln_Gamma_a(g, W2, xi=xi, d=d) - rx.ln_Gamma_a(g, W, xi=xi, d=d) < math.log(10)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: rx.ln_Gamma_a(0.1, 1.5, xi=1, d=1), r"^W must .*\(0, 1\)"),
        (lambda: rx.ln_Gamma_a(0.0, 0.1, xi=1, d=1), r"^gamma must .*\(0, 1\)"),
        (lambda: rx.ln_Gamma_a(0.01, 0.1, xi=-1, d=1), r"^xi must"),
        (lambda: rx.ln_Gamma_a(0.01, 0.1, xi=1, d=0), r"^d must"),
        (lambda: rx.ln_Gamma_b(0.01, 0.1, Xi=0, xi=1, s=1, d=2), r"^Xi must"),
        (lambda: rx.ln_Gamma_b(0.01, 0.1, Xi=1, xi=1, s=1.5, d=2), r"^s must .*\(0, 1\]"),
        (lambda: rx.ln_Gamma_b(0.01, 0.1, Xi=1, xi=1, s=1, d=2, form="half"), r"^form must"),
        (lambda: rx.ln_Gamma_c(0.01, 0.1, s=1, method="guess"), r"^method must"),
        (lambda: rx.ln_Gamma_c(0.01, 0.1, s=1, form="eq9"), r"^form must"),
        (lambda: rx.Xi_eff_1d(1, 1, reading="other"), r"^reading must"),
        (lambda: rx.ln_Gamma_b(0.01, np.array([0.1, np.nan]), Xi=1, xi=1, s=1, d=2), r"^W must"),
        (lambda: rx.electron_dipolar_coupling_hz(0), r"^r_nm must"),
        (lambda: rx.power_law_bandwidth(10, alpha=0), r"^alpha must"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# -- hardening: the premise warning and extreme inputs (regression tests) ---------------------------


def test_validity_warning_gamma_not_below_W():
    for call in (lambda: rx.ln_Gamma_a(0.1, 0.01, xi=1.0, d=2), lambda: rx.ln_Gamma_b(0.1, 0.01, d=2, **PARS),
                 lambda: rx.ln_Gamma_c(0.1, 0.01, s=1.0), lambda: rx.ln_rates(0.1, 0.01, d=2, **PARS),
                 lambda: rx.dominant_channel(0.1, 0.01, d=2, **PARS)):
        with pytest.warns(ValidityWarning, match=r"gamma( = \S+)? >= W at 1 of 1 point\(s\)") as rec:
            call()
        assert len(rec) == 1      # ln_rates / dominant_channel warn once, not once per channel
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rx.ln_rates(1e-4, 1e-2, d=2, **PARS)
        rx.window_a_beats_b(d=3, **PARS)      # gamma drops out: never warns
        rx.premise_holds(0.1, 0.01)


def test_regression_relaxation_overflow_raises_naming_parameters():
    # was: -inf (2 R/xi overflowing) with a RuntimeWarning
    with pytest.raises(ValueError, match="^xi, W: ln Gamma_a"):
        rx.ln_Gamma_a(1e-300, 1e-300, xi=1e-300, d=1)
    with pytest.raises(ValueError, match="^W, d: the hop range"):
        rx.hop_range(5e-324, d=1)
    with pytest.raises(ValueError, match="^s, W: the block size"):
        rx.rearrangement_size(1e-3, s=5e-324, d=2)
    with pytest.raises(ValueError, match="^xi, Xi, s, W: ln Gamma_b"):
        rx.ln_Gamma_b(1e-310, 1e-300, Xi=5e-324, xi=1.0, s=1.0, d=2)
    with pytest.raises(ValueError, match="^Xi .* exponent of Eq. .7."):
        rx.Gamma_b_exponent(Xi=5e-324, d=2)
    with pytest.raises(ValueError, match="^s, W: the number of l-bits x of channel c"):
        rx.ln_Gamma_c(1e-300, 5e-324, s=5e-324)
    # the sum s xi + Xi of two huge lengths overflowed (inf/inf = NaN, RuntimeWarning)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert rx.Xi_eff_1d(1.7e308, 1.7e308, 1.0) == pytest.approx(0.85e308, rel=1e-12)
        assert rx.gamma_star_c(Xi=1.7e308, xi=1.7e308, s=1.0, d=1) == pytest.approx(1.0)


def test_regression_relaxation_scalar_parameters_reject_arrays():
    # was: TypeError ("only 0-dimensional arrays can be converted to Python scalars")
    with pytest.raises(ValueError, match="^Xi must be a single real number"):
        rx.Gamma_b_exponent(Xi=[0.5, 1.0], d=2)
    with pytest.raises(ValueError, match="^xi must be a single real number"):
        rx.window_a_beats_b(xi=[1.0, 2.0], Xi=0.5, s=1.0, d=3)
    with pytest.raises(ValueError, match="^s must be a single real number"):
        rx.gamma_star_c(Xi=0.5, s=[0.5, 1.0], d=2)
    with pytest.raises(ValueError, match="^Xi must be a single real number"):
        rx.ln_Gamma_b(1e-5, 1e-3, Xi=[0.5, 1.0], xi=1.0, s=1.0, d=2, form="derived")
    # the "full" form still broadcasts array lengths
    assert rx.ln_Gamma_b(1e-5, 1e-3, Xi=np.array([0.5, 1.0]), xi=1.0, s=1.0, d=2).shape == (2,)
    with pytest.raises(ValueError, match="do not broadcast"):
        rx.ln_Gamma_a(np.full(3, 1e-5), np.full(2, 1e-3), xi=1.0, d=2)
    with pytest.raises(ValueError, match="MAX_ARRAY_SIZE"):
        rx.premise_holds(np.full((5000, 1), 1e-5), np.full((1, 5000), 1e-3))
    with pytest.raises(ValueError, match="^W must have at most MAX_BRENTQ"):
        rx.rearrangement_volume_c(np.full(rx.MAX_BRENTQ + 1, 1e-3), s=1.0, method="brentq")
    with pytest.raises(ValueError, match="^dominant_channel takes the keywords"):
        rx.dominant_channel(1e-5, 1e-3, d=2, xi=1.0, Xi=0.5, s=1.0, bogus=1)


def test_regression_sec3_scales_extreme_values():
    # was: inf with divide/overflow RuntimeWarnings
    with pytest.raises(ValueError, match="^r_nm must be >= "):
        rx.electron_dipolar_coupling_hz(1e-300)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert rx.electron_dipolar_coupling_hz(1e300) == 0.0                  # underflows, no warning
        assert rx.electron_dipolar_coupling_hz(1e91) == pytest.approx(52.04e6 * 1e-273, rel=1e-3)
        assert rx.power_law_bandwidth(1e300, alpha=2.0) == 0.0
    with pytest.raises(ValueError, match="^f_hz, Q: f_hz/Q"):
        rx.resonator_linewidth_hz(1e300, 1e-300)
    with pytest.raises(ValueError, match="^R0, alpha"):
        rx.power_law_bandwidth(1e-300, alpha=2.0)
    with pytest.warns(ValidityWarning, match=r"R0 <= 1 at 1 point\(s\)"):
        assert rx.power_law_bandwidth(0.5, alpha=3.0) == pytest.approx(8.0)


def test_regression_channel_c_brentq_huge_bracket():
    # was: RuntimeError "Failed to converge after 100 iterations" (bracket [1e-300, ln(Delta/W)/s] with
    # s = 1e-300 spans ~600 decades); now bisection takes over where brentq gives up
    x = rx.rearrangement_volume_c(0.5, s=1e-300, method="brentq")
    assert x == pytest.approx(rx.rearrangement_volume_c(0.5, s=1e-300), rel=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isfinite(rx.ln_rates(0.5, 0.5 + 1e-9, xi=1.0, Xi=1.0, s=1e-300, d=1, method_c="brentq")).all()


def test_regression_ln_rates_names_its_option():
    # was: "form must be one of ..." for ln_rates(..., Gamma_b_form="bogus"), a name the caller never used
    with pytest.raises(ValueError, match="^Gamma_b_form must be one of"):
        rx.ln_rates(0.5, 0.5, xi=1.0, Xi=1.0, s=1.0, d=1, Gamma_b_form="bogus")
    with pytest.raises(ValueError, match="^method_c must be one of"):
        rx.dominant_channel(1e-5, 1e-3, xi=1.0, Xi=1.0, s=1.0, d=1, method_c="newton")
