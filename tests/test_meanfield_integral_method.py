"""Tests of summation="integral": Eq. (19) with the sum over m = n + p replaced by an integral (Sec. V A).

The kernel (meanfield/_integral.py) against an independent mpmath quadrature of the same integrand
at 40 digits, the sum-integral difference as K -> 1+ (Euler-Maclaurin), monotonicity properties,
the solver's statuses, warnings and residuals, and the validation of the new options.
"""

import math
import warnings

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nblm_helpers import meanfield as mf
from nblm_helpers.parameters import ValidityWarning

FIG8 = dict(gamma=0.1, K=3.0, N=10, s=0.5, d=1)
INT = dict(summation="integral")


def _mp_ln_F(x, eps, gamma, K, N, s, d, sum_range, nfast, limits):
    """ln F of the integral by mpmath quadrature (40 digits), split at every kink and around the crossover."""
    with mp.workdps(40):
        ell, a, sN = mp.log(K), mp.log(gamma), mp.mpf(s) * N
        x = None if x is None else mp.mpf(x)
        eps = mp.mpf(eps)

        def n(m):
            L = a - x if (x is not None and x + ell * m >= 0) else a + ell * m
            if nfast == "literal":
                return mp.mpf(1) if L <= 0 else sN * L**d
            return max(mp.mpf(1), sN * L**d if L > 0 else mp.mpf(0))

        def f(m):
            w = m - 1 if sum_range == "infinite" else min(m - 1, 2 * N + 1 - m)
            nn = n(m)
            den = 1 if x is None else 1 + (mp.exp(x + ell * m) * nn) ** 2
            return w * mp.exp(2 * eps * ell * m) * nn / den

        lo = 1 if limits == "cell" else 2
        hi = mp.inf if sum_range == "infinite" else (2 * N + 1 if limits == "cell" else 2 * N)
        pts = [-a / ell]
        if nfast == "continuous":
            pts.append(((1 / sN) ** (mp.mpf(1) / d) - a) / ell)
        if sum_range == "square":
            pts.append(N + 1)
        if x is not None:
            pts += [-x / ell] + [(c - x) / ell for c in range(-30, 31, 2)]
        pts = sorted({p for p in pts if lo < p < hi} | {mp.mpf(lo)}) + [hi]
        tot = mp.fsum(mp.quad(f, [pts[i], pts[i + 1]]) for i in range(len(pts) - 1))
        return float(mp.log(gamma**2 * tot))


PARAMS = [dict(gamma=0.1, K=3.0, N=10, s=0.5, d=1), dict(gamma=0.05, K=2.5, N=8, s=0.7, d=2),
          dict(gamma=0.2, K=5.0, N=4, s=0.3, d=3)]


@pytest.mark.parametrize("p", PARAMS, ids=["d1", "d2", "d3"])
@pytest.mark.parametrize("sum_range", ["infinite", "square"])
@pytest.mark.parametrize("nfast", ["literal", "continuous"])
@pytest.mark.parametrize("limits", ["cell", "naive"])
def test_kernel_against_mpmath(p, sum_range, nfast, limits):
    opts = dict(sum_range=sum_range, nfast=nfast, summation="integral", integral_limits=limits, **p)
    a = math.log(p["gamma"])
    cases = [(0.3, -6.0), (-0.2, -12.0), (0.7, a - 0.5), (-0.3, None)]
    if sum_range == "square":
        cases.append((0.4, None))
    for eps, x in cases:
        got = (mf.ln_F_zero(eps=eps, **opts) if x is None else mf.self_consistency_ratio(x, eps=eps, **opts))
        assert got[1] == 1.0
        ref = _mp_ln_F(x, eps, p["gamma"], p["K"], p["N"], p["s"], p["d"], sum_range, nfast, limits)
        assert abs(math.expm1(got[0] - ref)) <= 1e-10, (eps, x, got[0], ref)


@pytest.mark.parametrize("case", [
    # points next to a kink where the adaptive tanhsinh path (now only the fallback) was off by
    # 5e-10 and 1.7e-9: the fast rule (table + Gauss-Legendre panels) is within ~1e-13 there
    (dict(gamma=0.1, K=3.0, N=10, s=0.5, d=1, sum_range="infinite", nfast="literal", integral_limits="cell"),
     -2.304788757883784, 0.8052709833840797),
    (dict(gamma=0.5, K=30.0, N=10, s=0.5, d=2, sum_range="square", nfast="literal", integral_limits="naive"),
     -0.6933056816808436, -0.6406304481666593),
    (dict(gamma=0.2, K=5.0, N=4, s=0.3, d=3, sum_range="infinite", nfast="continuous", integral_limits="cell"),
     -18.555212002925554, 0.8405011312740294),
])
def test_kernel_near_kinks_against_mpmath(case):
    kw, x, eps = case
    got = mf.self_consistency_ratio(x, eps=eps, summation="integral", **kw)
    ref = _mp_ln_F(x, eps, kw["gamma"], kw["K"], kw["N"], kw["s"], kw["d"], kw["sum_range"], kw["nfast"],
                   kw["integral_limits"])
    assert got[1] == 1.0 and abs(math.expm1(got[0] - ref)) <= 1e-12, (got[0], ref)


def test_vectorized_equals_scalar():
    x = np.array([-20.0, -8.0, -4.0, -2.4])
    e = np.array([0.5, -0.1, 0.2, 0.05])
    vec = mf.self_consistency_ratio(x, eps=e, **FIG8, **INT)[0]
    for xi, ei, v in zip(x, e, vec):
        assert mf.self_consistency_ratio(xi, eps=ei, **FIG8, **INT)[0] == v


def test_sum_minus_integral_smooth_case_is_third_order():
    # gamma = 1, d = 1, literal reading: n_fast(K^m) = s N m ln K on all of m >= 1 (Gamma -> 0), so the
    # summand h(m) = H(m ln K) is smooth with H(0) = 0.  The 2D midpoint rule over the unit cells
    # (Euler-Maclaurin in n and p) gives  sum - integral = -h(1)/12 + ..., and with
    # integral ~ s N / (4 |eps|^3 ln^2 K):   ln F_sum - ln F_int -> -(|eps|^3/3) ln^3 K  as K -> 1+.
    eps = -0.3
    for K in (1.05, 1.02, 1.01):
        kw = dict(gamma=1.0, K=K, N=10, s=0.5, d=1, nfast="literal")
        diff = mf.ln_F_zero(eps=eps, **kw)[0] - mf.ln_F_zero(eps=eps, **kw, **INT)[0]
        assert diff / math.log(K) ** 3 == pytest.approx(-abs(eps) ** 3 / 3.0, rel=0.1)


def test_sum_minus_integral_general_orders():
    # With n_fast = 1 near m = 1 (H(0+) != 0) the cell integral differs from the sum by
    # O(ln^2 K) relative (kinks of n_fast in m add bounded, oscillating O(ln^2 K) terms);
    # the literal reading's jump of n_fast at gamma K^m = 1 adds an O(ln K) term.
    for K in (1.2, 1.1, 1.05, 1.02):
        ell = math.log(K)
        kw = dict(gamma=0.1, K=K, N=10, s=0.5, d=1)
        for nfast, order, bound in (("continuous", 2, 0.01), ("literal", 1, 0.01)):
            diff = (mf.ln_F_zero(eps=-0.3, nfast=nfast, **kw)[0]
                    - mf.ln_F_zero(eps=-0.3, nfast=nfast, **kw, **INT)[0])
            assert abs(diff) <= bound * ell**order, (K, nfast, diff)
        # and at a finite linewidth (crossover inside the range), continuous reading
        x = -12.0  # the integrand depends on m only through m ln K at fixed Gamma
        diff = (mf.self_consistency_ratio(x, eps=0.3, nfast="continuous", **kw)[0]
                - mf.self_consistency_ratio(x, eps=0.3, nfast="continuous", **kw, **INT)[0])
        assert abs(diff) <= 0.05 * ell**2, (K, diff)


OPTS = st.fixed_dictionaries(dict(sum_range=st.sampled_from(["infinite", "square"]),
                                  nfast=st.sampled_from(["literal", "continuous"]),
                                  integral_limits=st.sampled_from(["cell", "naive"])))


@settings(max_examples=25, deadline=None)
@given(o=OPTS, eps=st.floats(-0.8, 0.9), dx=st.floats(0.05, 30.0), de=st.floats(0.01, 0.5),
       d=st.integers(1, 3))
def test_properties(o, eps, dx, de, d):
    kw = dict(gamma=0.1, K=3.0, N=10, s=0.5, d=d, summation="integral", **o)
    a = math.log(0.1)
    x = a - d / 2.0 - dx  # the region where the sum's F is non-increasing in Gamma
    l1, s1 = mf.self_consistency_ratio(x, eps=eps, **kw)
    assert s1 == 1.0 and np.isfinite(l1)  # F > 0
    # increasing in eps
    assert mf.self_consistency_ratio(x, eps=min(eps + de, 0.99), **kw)[0] >= l1 - 1e-12
    # non-increasing in Gamma there, and bounded by F(0+)
    assert mf.self_consistency_ratio(x + 0.5 * dx, eps=eps, **kw)[0] <= l1 + 1e-12
    assert l1 <= mf.ln_F_zero(eps=eps, **kw)[0] + 1e-12


@settings(max_examples=10, deadline=None)
@given(o=OPTS, eps=st.lists(st.floats(-0.5, 0.95), min_size=1, max_size=6), d=st.integers(1, 3))
def test_solve_roots_and_statuses(o, eps, d):
    kw = dict(gamma=0.1, K=3.0, N=10, s=0.5, d=d, summation="integral", **o)
    e = np.array(eps)
    r = mf.solve_linewidth(eps=e, warn=False, **kw)
    st_ = np.asarray(r.status)
    lnF0 = np.asarray(mf.ln_F_zero(eps=e, **kw)[0])
    assert np.array_equal(np.asarray(r.ln_F0), lnF0)
    # localized iff F(0+) <= 1
    assert np.array_equal(st_ == "localized", lnF0 <= 0)
    for i in np.nonzero(st_ == "root")[0]:
        lg = float(np.asarray(r.ln_Gamma)[i])
        assert abs(mf.self_consistency_ratio(lg, eps=e[i], **kw)[0]) <= 1e-10
        # the first crossing coming from Gamma -> 0: F > 1 just below it
        assert mf.self_consistency_ratio(lg - 1e-6, eps=e[i], **kw)[0] > 0
        assert lg == r.roots[i][0] or all(rr > lg for rr in r.roots[i] if rr != lg)
    ab = st_ == "above_gamma"
    assert np.all(np.asarray(r.ln_Gamma)[ab] == math.log(0.1))
    assert r.options["summation"] == "integral" and r.options["integral_limits"] == o["integral_limits"]


def test_solve_close_to_sum_and_array_equals_scalar():
    e = np.array([-0.05, 0.1, 0.3, 0.5])
    rs = mf.solve_linewidth(eps=e, warn=False, **FIG8)
    ri = mf.solve_linewidth(eps=e, warn=False, **FIG8, **INT)
    assert list(ri.status) == ["root"] * 4
    assert np.all(np.abs(np.asarray(ri.ln_Gamma) - np.asarray(rs.ln_Gamma)) < 0.05)
    for k, ek in enumerate(e):
        assert mf.solve_linewidth(eps=ek, warn=False, **FIG8, **INT).ln_Gamma == ri.ln_Gamma[k]
    m = mf.MeanFieldModel(**FIG8, summation="integral", integral_limits="naive")
    rm = m.solve(e, warn=False)
    rk = mf.solve_linewidth(eps=e, warn=False, **FIG8, summation="integral", integral_limits="naive")
    assert np.array_equal(rm.ln_Gamma, rk.ln_Gamma)
    assert m.ratio(-6.0, 0.3) == mf.self_consistency_ratio(-6.0, eps=0.3, **FIG8, summation="integral",
                                                           integral_limits="naive")
    assert m.F0(-0.2) == mf.F_zero(eps=-0.2, **FIG8, summation="integral", integral_limits="naive")


def test_warnings_as_for_the_sum():
    with pytest.warns(ValidityWarning, match="above_gamma"):
        mf.solve_linewidth(eps=0.9, **FIG8, **INT)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = mf.solve_linewidth(eps=0.9, warn=False, **FIG8, **INT)
    assert r.status == "above_gamma"
    rs = mf.solve_linewidth(eps=np.array([0.3, 0.5]), warn=False, **FIG8)
    ri = mf.solve_linewidth(eps=np.array([0.3, 0.5]), warn=False, **FIG8, **INT)
    assert list(ri.validity.holds) == list(rs.validity.holds)  # the same conditions, from validity.classify


def test_critical_boundary_integral():
    kw = dict(K=3.0, N=10, s=0.5)
    for sr in ("infinite", "square"):
        for nf in ("literal", "continuous"):
            g = np.array([0.02, 0.1])
            ec = mf.critical_eps(gamma=g, sum_range=sr, nfast=nf, **kw, **INT)
            for gg, ee in zip(g, ec):
                assert abs(mf.ln_F_zero(eps=ee, gamma=gg, sum_range=sr, nfast=nf, **kw, **INT)[0]) < 1e-9
            xc = mf.critical_Xi(gamma=g, sum_range=sr, nfast=nf, **kw, **INT)
            assert np.allclose(xc, 1.0 / ((1.0 - ec) * math.log(3.0)), rtol=1e-14)
            gc = mf.critical_coupling(eps=np.array([-0.5, -0.1]), sum_range=sr, nfast=nf, **kw, **INT)
            for ee, gg in zip((-0.5, -0.1), gc):
                assert abs(mf.ln_F_zero(eps=ee, gamma=gg, sum_range=sr, nfast=nf, **kw, **INT)[0]) < 1e-9
            # close to the sum's boundary
            gs = mf.critical_coupling(eps=np.array([-0.5, -0.1]), sum_range=sr, nfast=nf, **kw)
            assert np.allclose(gc, gs, rtol=0.02)


@pytest.mark.parametrize("summation", ["sum", "integral"])
def test_critical_eps_tiny_gamma_few_evaluations(summation, monkeypatch):
    """gamma -> 0: eps_c ~ -gamma^(2/(d+2)) is found in ln(-eps) (it took ~670 evaluations of F(0+)
    in eps itself: 4 s per gamma with the integral), and agrees with ln F(0+) = 0 to its resolution."""
    from nblm_helpers.meanfield import boundary

    calls = []
    orig = boundary._ln_F0_pairs
    monkeypatch.setattr(boundary, "_ln_F0_pairs", lambda *a, **k: calls.append(1) or orig(*a, **k))
    kw = dict(K=3.0, N=10, s=0.5, d=1, summation=summation)
    g = np.array([1e-300, 1e-200, 1e-40, 1e-13])
    ec = mf.critical_eps(gamma=g, **kw)
    assert len(calls) <= 60, len(calls)
    for gg, ee in zip(g, ec):
        assert ee < 0
        # ln F(0+) ~ 2 ln gamma + ...: its rounding step is ~1e-13 at gamma = 1e-300
        assert abs(mf.ln_F_zero(eps=ee, gamma=gg, **kw)[0]) <= 1e-12
        assert mf.ln_F_zero(eps=ee * (1 + 1e-9), gamma=gg, **kw)[0] < 0 < mf.ln_F_zero(eps=ee * (1 - 1e-9), gamma=gg, **kw)[0]


@pytest.mark.parametrize("fn", [mf.solve_linewidth, mf.ln_F_zero, mf.F_zero, mf.critical_eps, mf.critical_Xi])
def test_integral_needs_eq19(fn):
    kw = dict(gamma=0.1, K=3.0, N=10, s=0.5, equation="E3", summation="integral")
    if fn not in (mf.critical_eps, mf.critical_Xi):
        kw["eps"] = 0.3
    with pytest.raises(ValueError, match="summation"):
        fn(**kw)
    with pytest.raises(ValueError, match="summation"):
        mf.self_consistency_ratio(-5.0, eps=0.3, **{k: v for k, v in kw.items() if k != "eps"})
    with pytest.raises(ValueError, match="summation"):
        mf.MeanFieldModel(gamma=0.1, K=3.0, N=10, s=0.5, equation="E2", summation="integral")


@pytest.mark.parametrize("kw, name", [(dict(summation="integrals"), "summation"),
                                      (dict(integral_limits="half"), "integral_limits"),
                                      (dict(summation=None), "summation")])
def test_option_validation(kw, name):
    with pytest.raises(ValueError, match=name):
        mf.solve_linewidth(eps=0.3, **FIG8, **kw)
    with pytest.raises(ValueError, match=name):
        mf.critical_coupling(eps=-0.3, K=3.0, N=10, s=0.5, **kw)


def test_defaults_unchanged():
    e = np.array([-0.05, 0.3])
    a = mf.solve_linewidth(eps=e, warn=False, **FIG8)
    b = mf.solve_linewidth(eps=e, warn=False, **FIG8, summation="sum", integral_limits="naive")
    assert np.array_equal(a.ln_Gamma, b.ln_Gamma)
    assert a.options["summation"] == "sum"


# ---------------------------------------------------------------- the pass-through of the curve/edge helpers
LIMITS = ["cell", "naive"]


@pytest.mark.parametrize("limits", LIMITS)
def test_eps_no_root_below_gamma_integral(limits):
    """The integral's edge is where the integral solver's status changes, and not the sum's edge."""
    o = dict(summation="integral", integral_limits=limits)
    xtol = 1e-8
    e_sum = mf.eps_no_root_below_gamma(**FIG8, eps_lo=0.6, eps_hi=0.75, xtol=xtol)
    e_int = mf.eps_no_root_below_gamma(**FIG8, eps_lo=0.6, eps_hi=0.75, xtol=xtol, **o)
    assert abs(e_int - e_sum) > 1e-4  # (cell: 2.2e-4, naive: 6.0e-3 on Fig. 8's parameters)

    def status(e, **kw):
        return str(mf.solve_linewidth(eps=e, warn=False, **FIG8, **kw).status)

    assert status(e_int - 2 * xtol, **o) == "root"
    assert status(e_int + 2 * xtol, **o) == "above_gamma"
    # the sum has already lost its root at its own edge + 2 xtol, the integral has not there
    assert status(e_sum + 2 * xtol) == "above_gamma"
    assert status(e_sum + 2 * xtol, **o) == "root"


@pytest.mark.parametrize("limits", LIMITS)
def test_saddle_point_curves_integral(limits):
    """Eq. (19)'s part follows ``summation``; (E3) and (C5) do not."""
    o = dict(summation="integral", integral_limits=limits)
    e, line = np.array([0.1, 0.3, 0.5]), np.array([0.2, 0.4])
    a = mf.saddle_point_curves(e, eps_line=line, **FIG8)
    b = mf.saddle_point_curves(e, eps_line=line, **FIG8, **o)
    ref = mf.solve_linewidth(eps=e, equation="19", warn=False, **FIG8, **o)
    assert np.array_equal(b.e19.ln_Gamma, ref.ln_Gamma) and np.array_equal(b.e19.status, ref.status)
    assert b.e19.options["summation"] == "integral" and b.e19.options["integral_limits"] == limits
    assert np.all(b.e19_root)
    assert np.all(np.abs(b.e19.ln_Gamma - a.e19.ln_Gamma) > 1e-4)
    assert np.array_equal(a.e3.ln_Gamma, b.e3.ln_Gamma) and b.e3.options["summation"] == "sum"
    assert np.array_equal(a.ln_Gamma_C5, b.ln_Gamma_C5) and np.array_equal(a.C5_window, b.C5_window)


@pytest.mark.parametrize("kw, name", [(dict(summation="integrals"), "summation"),
                                      (dict(integral_limits="half"), "integral_limits"),
                                      (dict(summation=None), "summation")])
def test_option_validation_curves(kw, name):
    with pytest.raises(ValueError, match=name):
        mf.eps_no_root_below_gamma(**FIG8, eps_lo=0.6, eps_hi=0.75, **kw)
    with pytest.raises(ValueError, match=name):
        mf.saddle_point_curves([0.3], eps_line=[0.3], **FIG8, **kw)


# literal reading: F0(gamma) is not monotone (it drops where gamma K^m = 1).  Cases found by a random
# search with more than one crossing of F0 = 1 below gamma = 1, some with F0(gamma = 1) <= 1
_MULTI = [
    dict(K=1.0364254092643685, N=2, s=0.10277162986057, d=1, sum_range="square", summation="integral",
         integral_limits="naive", eps=-0.18461392113030106),
    dict(K=1.0707181681324194, N=5, s=0.38127383666273573, d=3, sum_range="square", summation="integral",
         integral_limits="naive", eps=-0.49523742792012415),
    dict(K=1.064334632132566, N=53, s=0.003141907940612534, d=2, sum_range="infinite", summation="integral",
         integral_limits="naive", eps=-1.9550050442117086),
    dict(K=1.069190551613876, N=3, s=0.030460743065867678, d=1, sum_range="square", summation="integral",
         integral_limits="cell", eps=0.45434702734873733),
    dict(K=1.0103781031986137, N=17, s=0.007999667623218671, d=2, sum_range="square", summation="sum",
         eps=-1.2584919543266344),
    dict(K=1.1084934733472018, N=17, s=0.001579921629091143, d=1, sum_range="infinite", summation="sum",
         eps=-0.9000661812013695),
]


@pytest.mark.parametrize("case", _MULTI)
def test_critical_coupling_literal_is_the_first_crossing(case):
    """gamma_c = the smallest gamma with F0 > 1, also where F0 <= 1 at gamma = 1 (it used to be
    reported as "no metal", inf) and where F0 crosses 1 several times (the integral's first crossing
    was bracketed on a grid of 64 points per unit of ln gamma)."""
    kw = dict(case)
    eps = kw.pop("eps")
    gc = mf.critical_coupling(eps=eps, nfast="literal", **kw)
    assert 0 < gc < 1
    a = np.linspace(math.log(gc) - 3.0, 0.0, 3001)
    from nblm_helpers.meanfield.boundary import _ln_F0_pairs  # (ln_F_zero, vectorized over gamma)

    F0 = _ln_F0_pairs(a, np.full(a.size, eps), nfast="literal", **kw)
    assert abs(F0[-1] - mf.ln_F_zero(eps=eps, gamma=1.0, nfast="literal", **kw)[0]) <= 1e-13
    assert np.count_nonzero(np.diff(np.sign(F0)) != 0) >= 1
    below = a < math.log(gc) * (1 + 1e-12)
    assert np.all(F0[below] <= 1e-12)  # dense check: no point below gamma_c has F0 > 1
    assert np.any(F0 > 0)
    # just above gamma_c, F0 > 1
    assert mf.ln_F_zero(eps=eps, gamma=gc * (1 + 1e-9), nfast="literal", **kw)[0] > 0
