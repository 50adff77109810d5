"""Tests of nblm_helpers.meanfield (Eqs. 19-20, App. E of Gopalakrishnan & Nandkishore 2014)."""

import math
import warnings

import mpmath as mp
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nblm_helpers.meanfield import (
    F_zero,
    LinewidthResult,
    ln_F_zero,
    ln_n_fast,
    n_fast,
    saddle_point_ln_linewidth,
    self_consistency_ratio,
    solve_linewidth,
)
from nblm_helpers.parameters import ValidityWarning

FIG8 = dict(gamma=0.1, K=3, N=10, s=0.5, d=1)


# ---------------------------------------------------------------- brute force
def _mp_F19(x, eps, gamma, K, N, s, d=1, sum_range="infinite", literal=True, dps=40):
    """F of Eq. 19 by direct summation in mpmath (a, ln K rounded as in float)."""
    with mp.workdps(dps):
        x = mp.mpf(x)
        eps = mp.mpf(eps)
        a = mp.mpf(math.log(gamma))
        ell = mp.mpf(math.log(K))
        sN = mp.mpf(s) * N
        G = mp.e**x
        tot = mp.mpf(0)
        m = 2
        while True:
            if sum_range == "square":
                if m > 2 * N:
                    break
                w = min(m - 1, 2 * N + 1 - m)
            else:
                w = m - 1
            L = a + m * ell
            if m * ell + x >= 0:
                nf = sN * (a - x) ** d
                if not literal:
                    nf = max(mp.mpf(1), nf)
            elif literal:
                nf = mp.mpf(1) if L < 0 else sN * L**d
            else:
                nf = max(mp.mpf(1), sN * max(L, 0) ** d)
            u = (G * nf * mp.e ** (m * ell)) ** 2
            term = w * mp.e ** (2 * m * eps * ell) * nf / (1 + u)
            tot += term
            if sum_range != "square" and m * ell + x > 0 and u > 1e6:
                r = mp.e ** (2 * ell * (eps - 1))
                if term * (m / (1 - r) + 1 / (1 - r) ** 2) < tot * mp.mpf(10) ** -30:
                    break
            m += 1
        return gamma**2 * tot


def _mp_FE3(x, eps, gamma, K, N, s, d=1, drop_negative=False, dps=40):
    with mp.workdps(dps):
        x = mp.mpf(x)
        eps = mp.mpf(eps)
        a = mp.mpf(math.log(gamma))
        ell = mp.mpf(math.log(K))
        sN = mp.mpf(s) * N
        tot = mp.mpf(0)
        for m in range(2, 2 * N + 1):
            L = a + m * ell
            if drop_negative and L**d < 0:
                continue
            tot += (m - 1) * sN * mp.e ** (2 * m * eps * ell) * L**d / (
                1 + mp.e ** (2 * x + 2 * m * ell) * sN**2 * L ** (2 * d)
            )
        return gamma**2 * tot


def _is_root(x, eps, kw):
    """|ln F| <= 1e-10, or (ill-conditioned roots just below Gamma = gamma,
    where d ln F/dx ~ d/ln(gamma/Gamma) is huge) a sign change of ln F within
    4 ulps of x."""
    if abs(self_consistency_ratio(x, eps=eps, **kw)[0]) <= 1e-10:
        return True
    lo, hi = x, x
    for _ in range(4):
        lo, hi = np.nextafter(lo, -np.inf), np.nextafter(hi, np.inf)
    flo = self_consistency_ratio(lo, eps=eps, **kw)[0]
    fhi = self_consistency_ratio(min(hi, np.nextafter(math.log(kw["gamma"]), -np.inf)), eps=eps, **kw)[0]
    return flo * fhi <= 0


# ---------------------------------------------------------------- F accuracy
@pytest.mark.parametrize("sum_range", ["infinite", "square"])
@pytest.mark.parametrize("nfast", ["literal", "continuous"])
@pytest.mark.parametrize(
    "params",
    [
        dict(gamma=0.1, K=3.0, N=10, s=0.5, d=1, eps=0.5),
        dict(gamma=1e-3, K=1.6, N=25, s=0.3, d=2, eps=0.2),
        dict(gamma=0.02, K=9.0, N=4, s=1.0, d=3, eps=-0.3),
    ],
)
def test_F19_matches_mpmath_bruteforce(params, sum_range, nfast):
    p = dict(params)
    eps = p.pop("eps")
    a = math.log(p["gamma"])
    xs = np.array([a - 1e-6, a - 0.3, a - 3.0, a - 25.0, a - 120.0])
    lnF, sg = self_consistency_ratio(xs, eps=eps, sum_range=sum_range, nfast=nfast, **p)
    assert np.all(sg == 1.0)
    for x, val in zip(xs, lnF):
        ref = float(mp.log(_mp_F19(x, eps, sum_range=sum_range, literal=nfast == "literal", **p)))
        assert val == pytest.approx(ref, rel=0, abs=1e-12 * max(1.0, abs(ref)))


def test_F19_far_below_root_and_eps_near_one():
    """ln Gamma down to -2000 (thousands of terms) and slowly decaying tails."""
    for eps, xs in [(0.01, [-800.0, -2000.0]), (0.99, [-50.0, -300.0])]:
        lnF, _ = self_consistency_ratio(np.array(xs), eps=eps, **FIG8)
        for x, val in zip(xs, lnF):
            ref = float(mp.log(_mp_F19(x, eps, **FIG8)))
            assert abs(val - ref) <= 1e-12 * max(1.0, abs(ref))


@pytest.mark.parametrize("drop_negative", [False, True])
def test_FE3_matches_mpmath(drop_negative):
    xs = np.array([-40.0, -10.0, -4.0, -2.0, 0.0])
    for eps in (-0.4, 0.1, 0.5, 0.85):
        lnF, sg = self_consistency_ratio(
            xs, eps=eps, equation="E3", drop_negative=drop_negative, **FIG8
        )
        for x, val, s in zip(xs, lnF, sg):
            ref = _mp_FE3(x, eps, drop_negative=drop_negative, **FIG8)
            assert s == float(mp.sign(ref))
            assert val == pytest.approx(float(mp.log(abs(ref))), abs=1e-12)


def test_E3_negative_term_is_kept_and_dropping_removes_exactly_it():
    # gamma = 0.1, K = 3: L_2 = ln(0.9) < 0 is the only negative term (d = 1)
    eps, x = 0.3, -6.0
    lnF, s = self_consistency_ratio(x, eps=eps, equation="E3", **FIG8)
    lnD, sD = self_consistency_ratio(x, eps=eps, equation="E3", drop_negative=True, **FIG8)
    L2 = math.log(0.9)
    term2 = 0.01 * 1 * 5 * 3 ** (2 * 2 * eps) * L2 / (1 + math.exp(2 * x) * 81 * 25 * L2**2)
    assert term2 < 0
    assert s == sD == 1.0
    assert math.exp(lnF) - math.exp(lnD) == pytest.approx(term2, rel=1e-10)
    # d = 2: ln^2 > 0, nothing is negative, drop_negative changes nothing
    p2 = dict(FIG8, d=2)
    assert self_consistency_ratio(x, eps=eps, equation="E3", **p2) == self_consistency_ratio(
        x, eps=eps, equation="E3", drop_negative=True, **p2
    )


def test_E2_multiplicity_differs_from_E3():
    x, eps = -8.0, 0.4
    l3, _ = self_consistency_ratio(x, eps=eps, equation="E3", **FIG8)
    l2, _ = self_consistency_ratio(x, eps=eps, equation="E2", **FIG8)
    # direct sums with the two multiplicities
    a, ell, sN = math.log(0.1), math.log(3.0), 5.0

    def summ(w):
        tot = 0.0
        for m in range(2, 21):
            L = a + m * ell
            tot += w(m) * sN * 3 ** (2 * m * eps) * L / (1 + math.exp(2 * x) * 9**m * sN**2 * L**2)
        return 0.01 * tot

    assert math.exp(l3) == pytest.approx(summ(lambda m: m - 1), rel=1e-12)
    assert math.exp(l2) == pytest.approx(summ(lambda m: min(m - 1, 21 - m)), rel=1e-12)
    assert l3 > l2


# ---------------------------------------------------------------- F(0+)
def test_F0_closed_form_against_bruteforce():
    for p, eps, nfast in [
        (FIG8, -0.05, "literal"),
        (FIG8, -0.5, "continuous"),
        (dict(gamma=1e-3, K=1.3, N=20, s=0.2, d=2), -0.02, "literal"),
        (dict(gamma=1e-3, K=1.3, N=20, s=0.2, d=2), -0.02, "continuous"),
        (dict(gamma=0.3, K=10.0, N=3, s=1.0, d=3), -0.3, "literal"),
    ]:
        lnF0, sg = ln_F_zero(eps=eps, nfast=nfast, **p)
        with mp.workdps(30):
            a, ell, sN = mp.mpf(math.log(p["gamma"])), mp.mpf(math.log(p["K"])), mp.mpf(p["s"]) * p["N"]
            q = mp.e ** (2 * mp.mpf(eps) * ell)
            tot, m = mp.mpf(0), 2
            while True:
                L = a + m * ell
                if nfast == "literal":
                    nf = mp.mpf(1) if L < 0 else sN * L ** p["d"]
                else:
                    nf = max(mp.mpf(1), sN * max(L, 0) ** p["d"])
                t = (m - 1) * q**m * nf
                tot += t
                if m > 10 and m * (1 - q) > 5 and t < tot * mp.mpf(10) ** -22:
                    break
                m += 1
            ref = float(mp.log(p["gamma"] ** 2 * tot))
        assert sg == 1.0
        assert lnF0 == pytest.approx(ref, abs=1e-12)


def test_F0_divergent_for_nonnegative_eps_and_finite_for_square():
    assert F_zero(eps=0.0, **FIG8) == math.inf
    assert F_zero(eps=0.3, **FIG8) == math.inf
    val = F_zero(eps=0.3, sum_range="square", **FIG8)
    assert math.isfinite(val) and val > 1
    # ln_Gamma = -inf in self_consistency_ratio is the same limit
    assert self_consistency_ratio(-np.inf, eps=0.3, sum_range="square", **FIG8)[0] == pytest.approx(
        math.log(val), abs=1e-13
    )
    # and F really is flat (all denominators 1) far below K^-2N
    assert self_consistency_ratio(-200.0, eps=0.3, sum_range="square", **FIG8)[0] == pytest.approx(
        math.log(val), abs=1e-13
    )


# ---------------------------------------------------------------- the solver
def test_fig8_E3_root_and_independent_mpmath_root():
    res = solve_linewidth(eps=0.5, equation="E3", **FIG8)
    assert isinstance(res, LinewidthResult)
    assert res.status == "root" and not res.localized
    assert res.roots == (res.ln_Gamma,)
    lnF, s = self_consistency_ratio(res.ln_Gamma, eps=0.5, equation="E3", **FIG8)
    assert s == 1.0 and abs(lnF) <= 1e-10
    # independent: bisection in mpmath on the brute-force sum
    with mp.workdps(30):
        f = lambda x: mp.log(_mp_FE3(x, 0.5, **FIG8, dps=30))  # noqa: E731
        ref = mp.findroot(f, (-6, -3), solver="bisect", tol=1e-25)
    assert res.ln_Gamma == pytest.approx(float(ref), abs=1e-11)
    assert res.Gamma == pytest.approx(math.exp(float(ref)), rel=1e-10)
    # pinned value (regression): ln Gamma(eps = 0.5) for Fig. 8
    assert res.ln_Gamma == pytest.approx(-4.3953353165, abs=1e-9)


@pytest.mark.parametrize("sum_range", ["infinite", "square"])
def test_eq19_root_independent_mpmath_bisection(sum_range):
    eps = 0.3
    res = solve_linewidth(eps=eps, sum_range=sum_range, **FIG8)
    assert res.status == "root"
    with mp.workdps(30):
        f = lambda x: mp.log(_mp_F19(x, eps, sum_range=sum_range, **FIG8, dps=30))  # noqa: E731
        ref = mp.findroot(f, (-12, -3), solver="bisect", tol=1e-25)
    assert res.ln_Gamma == pytest.approx(float(ref), abs=1e-11)


def test_literal_nfast_creates_extra_root_below_gamma():
    res = solve_linewidth(eps=0.5, nfast="literal", **FIG8)
    cont = solve_linewidth(eps=0.5, nfast="continuous", **FIG8)
    a = math.log(0.1)
    assert res.n_roots == 2
    assert res.roots[0] == res.ln_Gamma  # physical = first crossing from Gamma -> 0
    assert a - 1e-2 < res.roots[1] < a  # the artefact just below Gamma = gamma
    assert cont.roots == pytest.approx((res.ln_Gamma,), abs=1e-9)
    for x in res.roots:
        assert abs(self_consistency_ratio(x, eps=0.5, **FIG8)[0]) <= 1e-10


def test_above_gamma_status_warns_and_reports_bound():
    with pytest.warns(ValidityWarning, match="above_gamma"):
        res = solve_linewidth(eps=0.85, **FIG8)
    assert res.status == "above_gamma"
    assert res.ln_Gamma == math.log(0.1)
    assert res.roots == ()
    # F > 1 just below Gamma = gamma
    assert self_consistency_ratio(math.log(0.1) - 1e-6, eps=0.85, **FIG8)[0] > 0


def test_localized_point():
    res = solve_linewidth(eps=-0.5, **FIG8)
    assert res.status == "localized" and res.localized
    assert res.ln_Gamma == -math.inf and res.Gamma == 0.0 and res.roots == ()
    assert 0 < res.F0 <= 1
    assert res.F0 == pytest.approx(F_zero(eps=-0.5, **FIG8), rel=1e-14)


def test_validity_warning_for_root_violating_eq27():
    # gamma = 1e-4, eps = 0.05: Gamma far below the many-body level spacing N K^-N
    p = dict(FIG8, gamma=1e-4)
    with pytest.warns(ValidityWarning, match="Eq. 27"):
        res = solve_linewidth(eps=0.05, **p)
    assert res.status == "root"
    assert res.ln_Gamma < math.log(10) - 10 * math.log(3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        solve_linewidth(eps=0.05, warn=False, **p)
    # Fig. 8 at eps = 0.5 is inside the window: no warning at all
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        solve_linewidth(eps=0.5, equation="E3", **FIG8)


def test_very_small_eps_root_deep_below():
    # weak coupling and eps -> 0+: the root sits near ln Gamma = -6000
    p = dict(FIG8, gamma=1e-8)
    res = solve_linewidth(eps=0.001, warn=False, **p)
    assert res.status == "root"
    assert res.ln_Gamma < -1000
    assert res.Gamma == 0.0  # underflow, documented
    assert abs(self_consistency_ratio(res.ln_Gamma, eps=0.001, **p)[0]) <= 1e-10
    # independent float64 brute force over 40000 terms, in logs
    a, ell, x = math.log(1e-8), math.log(3.0), res.ln_Gamma
    m = np.arange(2, 40000, dtype=float)
    L = a + m * ell
    lnf = np.where(
        m * ell + x >= 0, math.log(5 * (a - x)), np.where(L < 0, 0.0, np.log(5 * np.maximum(L, 1e-300)))
    )
    lt = np.log(m - 1) + 2 * 0.001 * ell * m + lnf - np.logaddexp(0, 2 * (x + m * ell + lnf))
    tot = 2 * a + np.max(lt) + math.log(np.sum(np.exp(lt - np.max(lt))))
    assert abs(tot) < 1e-9


def test_array_input_and_roots_layout():
    eps = np.array([[0.2, 0.5], [-0.5, 0.2]])
    res = solve_linewidth(eps=eps, warn=False, **FIG8)
    assert res.ln_Gamma.shape == (2, 2)
    assert res.status.shape == (2, 2)
    assert len(res.roots) == 4 and res.roots[2] == ()
    assert res.ln_Gamma[0, 0] == res.ln_Gamma[1, 1]
    for e, lg, st_, rts in zip(eps.ravel(), res.ln_Gamma.ravel(), res.status.ravel(), res.roots):
        one = solve_linewidth(eps=float(e), warn=False, **FIG8)
        assert one.ln_Gamma == lg and one.status == st_ and one.roots == rts


def test_xi_keyword_equals_eps():
    xi = 1.0 / ((1 - 0.4) * math.log(3.0))
    r1 = solve_linewidth(Xi=xi, equation="E3", **FIG8)
    r2 = solve_linewidth(eps=0.4, equation="E3", **FIG8)
    assert r1.ln_Gamma == pytest.approx(r2.ln_Gamma, abs=1e-12)


def test_saddle_point_reexport():
    assert saddle_point_ln_linewidth(eps=0.5, **FIG8) == pytest.approx(math.log(0.01), abs=1e-14)


# ---------------------------------------------------------------- n_fast
def test_n_fast_literal_branches():
    g, G, s, N = 0.1, 1e-4, 0.5, 10
    # gamma t < 1
    assert n_fast(5.0, gamma=g, Gamma=G, s=s, N=N) == 1.0
    # middle branch: 1 <= gamma t, t < 1/Gamma
    assert n_fast(100.0, gamma=g, Gamma=G, s=s, N=N) == pytest.approx(5 * math.log(10.0))
    # just above gamma t = 1 the middle branch is < 1 (a jump down); at the tie
    # gamma t = 1 the first branch holds (one convention everywhere): n_fast = 1
    assert n_fast(10.5, gamma=g, Gamma=G, s=s, N=N) < 1.0
    assert n_fast(2.0, gamma=0.5, Gamma=G, s=s, N=N) == 1.0  # 0.5 * 2 == 1 exactly
    assert n_fast(2.0 * (1 + 1e-15), gamma=0.5, Gamma=G, s=s, N=N) < 1e-13
    # saturated for t >= 1/Gamma
    sat = 5 * math.log(0.1 / 1e-4)
    assert n_fast(1e4, gamma=g, Gamma=G, s=s, N=N) == pytest.approx(sat)
    assert n_fast(1e9, gamma=g, Gamma=G, s=s, N=N) == pytest.approx(sat)
    # d = 2
    assert n_fast(100.0, gamma=g, Gamma=G, s=s, N=N, d=2) == pytest.approx(5 * math.log(10.0) ** 2)


def test_n_fast_continuous_and_log_version():
    g, G, s, N = 0.1, 1e-4, 0.5, 10
    assert n_fast(10.5, gamma=g, Gamma=G, s=s, N=N, nfast="continuous") == 1.0
    # even d: gamma t < 1 must not give ln^2 > 0
    assert n_fast(0.01, gamma=g, Gamma=G, s=s, N=N, d=2, nfast="continuous") == 1.0
    t = np.array([1.0, 50.0, 1e3, 1e5])
    for mode in ("literal", "continuous"):
        v = n_fast(t, gamma=g, Gamma=G, s=s, N=N, nfast=mode)
        lv = ln_n_fast(np.log(t), gamma=g, ln_Gamma=math.log(G), s=s, N=N, nfast=mode)
        np.testing.assert_allclose(np.exp(lv), v, rtol=1e-14)
    # deep underflow is fine in the log version
    val = ln_n_fast(3000.0, gamma=g, ln_Gamma=-2000.0, s=s, N=N)
    assert val == pytest.approx(math.log(5 * (math.log(0.1) + 2000.0)))
    with pytest.raises(ValueError, match="Gamma"):
        n_fast(1.0, gamma=0.1, Gamma=0.2, s=s, N=N)


# ---------------------------------------------------------------- bad input
BASE = dict(eps=0.3, gamma=0.1, K=3, N=10, s=0.5, d=1)


@pytest.mark.parametrize(
    "change, name",
    [
        (dict(K=1.0), "K"),
        (dict(K=0.5), "K"),
        (dict(N=0), "N"),
        (dict(N=2.5), "N"),
        (dict(s=0.0), "s"),
        (dict(s=1.5), "s"),
        (dict(d=0), "d"),
        (dict(d=1.5), "d"),
        (dict(gamma=0.0), "gamma"),
        (dict(gamma=-1.0), "gamma"),
        (dict(gamma=float("nan")), "gamma"),
        (dict(K=float("inf")), "K"),
        (dict(eps=float("nan")), "eps"),
        (dict(eps=1.0), "eps"),
        (dict(Xi=2.0), "eps"),  # both eps and xi
        (dict(eps=None), "eps"),  # neither
        (dict(equation="19b"), "equation"),
        (dict(sum_range="triangle"), "sum_range"),
        (dict(nfast="smooth"), "nfast"),
    ],
)
def test_bad_input_raises_with_name(change, name):
    kw = dict(BASE)
    kw.update(change)
    with pytest.raises(ValueError, match=name):
        solve_linewidth(**kw)
    with pytest.raises(ValueError, match=name):
        self_consistency_ratio(-5.0, **kw)


def test_self_consistency_ratio_domain_error():
    with pytest.raises(ValueError, match="ln_Gamma"):
        self_consistency_ratio(math.log(0.1), eps=0.3, **FIG8)
    with pytest.raises(ValueError, match="ln_Gamma"):
        self_consistency_ratio(float("nan"), eps=0.3, **FIG8)
    # no domain limit in E3; at large Gamma the negative m = 2 term (tiny |L_2|,
    # so it is cut off last) dominates and F < 0
    lnF, s = self_consistency_ratio(1.0, eps=0.3, equation="E3", **FIG8)
    ref = _mp_FE3(1.0, 0.3, **FIG8)
    assert ref < 0 and s == -1.0
    assert lnF == pytest.approx(float(mp.log(-ref)), abs=1e-12)


def test_self_consistency_ratio_broadcasts():
    x = np.linspace(-30, -3, 7)[:, None]
    eps = np.array([0.1, 0.5, 0.7])[None, :]
    lnF, s = self_consistency_ratio(x, eps=eps, equation="E3", **FIG8)
    assert lnF.shape == (7, 3) and s.shape == (7, 3)
    for i in range(7):
        for j in range(3):
            assert lnF[i, j] == self_consistency_ratio(float(x[i, 0]), eps=float(eps[0, j]), equation="E3", **FIG8)[0]


# ---------------------------------------------------------------- properties
params = st.fixed_dictionaries(
    dict(
        gamma=st.floats(1e-4, 0.5),
        K=st.floats(1.5, 12.0),
        N=st.integers(1, 30),
        s=st.floats(0.05, 1.0),
        d=st.integers(1, 3),
        eps=st.floats(-0.9, 0.9),
        sum_range=st.sampled_from(["infinite", "square"]),
        nfast=st.sampled_from(["literal", "continuous"]),
    )
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(params)
def test_property_eq19(p):
    res = solve_linewidth(warn=False, **p)
    kw = {k: v for k, v in p.items() if k != "eps"}
    assert not np.isnan(res.ln_Gamma) and not np.isnan(res.Gamma) and not np.isnan(res.F0)
    # localized <=> F(0+) <= 1 (F <= F(0+) for Eq. 19)
    assert res.localized == (res.F0 <= 1.0)
    if res.status == "root":
        assert res.roots[0] == res.ln_Gamma
        assert res.ln_Gamma < math.log(p["gamma"])
    for x in res.roots:
        assert _is_root(x, p["eps"], kw)
    # F really stays > 1 below the physical root / < 1 just above it
    if res.status == "root":
        lo, _ = self_consistency_ratio(res.ln_Gamma - 1e-3, eps=p["eps"], **kw)
        assert lo > 0
    # int-valued floats and ints give identical results
    p2 = dict(p, K=float(p["K"]), N=float(p["N"]), d=float(p["d"]))
    res2 = solve_linewidth(warn=False, **p2)
    assert res2.ln_Gamma == res.ln_Gamma and res2.roots == res.roots


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    gamma=st.floats(1e-3, 0.9),
    K=st.floats(1.5, 8.0),
    N=st.integers(2, 20),
    s=st.floats(0.05, 1.0),
    d=st.integers(1, 3),
    eps=st.lists(st.floats(-0.9, 0.9), min_size=1, max_size=5),
    equation=st.sampled_from(["E3", "E2"]),
)
def test_property_app_array_equals_scalar(gamma, K, N, s, d, eps, equation):
    kw = dict(gamma=gamma, K=K, N=N, s=s, d=d, equation=equation, warn=False)
    arr = solve_linewidth(eps=np.array(eps), **kw)
    for i, e in enumerate(eps):
        one = solve_linewidth(eps=e, **kw)
        assert one.ln_Gamma == arr.ln_Gamma[i] and one.status == arr.status[i]
        assert one.roots == arr.roots[i]
        assert not math.isnan(one.ln_Gamma) and not math.isnan(one.F0)
        for x in one.roots:
            lnF, sg = self_consistency_ratio(x, eps=e, **{k: v for k, v in kw.items() if k != "warn"})
            assert sg == 1.0 and abs(lnF) <= 1e-10
        if not one.bistable:
            assert one.localized == (one.F0 <= 1.0)


def test_int_and_float_inputs_identical():
    r1 = solve_linewidth(eps=0.4, gamma=0.1, K=3, N=10, s=0.5, d=1)
    r2 = solve_linewidth(eps=0.4, gamma=0.1, K=3.0, N=10.0, s=0.5, d=1.0)
    assert r1.ln_Gamma == r2.ln_Gamma and r1.roots == r2.roots


def test_physics_modules_do_not_import_plotting_libraries():
    import subprocess
    import sys

    code = (
        "import sys, nblm_helpers.meanfield, nblm_helpers.saddle_point, nblm_helpers.validity; "
        "bad = [m for m in ('matplotlib', 'ipywidgets') if m in sys.modules]; "
        "sys.exit(1 if bad else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


# ---------------------------------------------------------------------------
# Eq. (17) and the step Eq. (18) -> Eq. (19)
# ---------------------------------------------------------------------------


def test_bath_lineshape_limits():
    from nblm_helpers.meanfield import bath_lineshape

    kw = dict(Gamma=1e-4, gamma=0.1, s=0.5, N=10, d=1)
    # omega >> gamma: t = 1/omega << 1/gamma, n_fast = 1: a Lorentzian of half width Gamma
    assert bath_lineshape(5.0, **kw) == pytest.approx(1e-4 / (25.0 + 1e-8), rel=1e-14)
    # omega << Gamma: saturated n_fast = sN ln(gamma/Gamma)
    nsat = 0.5 * 10 * math.log(0.1 / 1e-4)
    assert bath_lineshape(1e-9, **kw) == pytest.approx(1e-4 * nsat / (1e-18 + (1e-4 * nsat) ** 2), rel=1e-12)
    with pytest.raises(ValueError, match="^omega"):
        bath_lineshape(0.0, **kw)
    with pytest.raises(ValueError, match="Gamma"):
        bath_lineshape(1.0, Gamma=0.2, gamma=0.1, s=0.5, N=10)


@pytest.mark.parametrize("nfast", ["literal", "continuous"])
@pytest.mark.parametrize("ln_G", [-12.0, -7.0, -3.0])
def test_golden_rule_eq18_summed_over_the_square_is_eq19(nfast, ln_G):
    """Eq. (18) with S of Eq. (17) at dE = K^-(n+p), summed by brute force, equals Gamma F."""
    from nblm_helpers.meanfield import bath_lineshape

    gamma, K, N, s, eps = 0.1, 3.0, 6, 0.5, 0.3
    Xi = 1.0 / ((1.0 - eps) * math.log(K))
    G = math.exp(ln_G)
    rhs = sum(gamma**2 * bath_lineshape(K ** -(n + p), Gamma=G, gamma=gamma, s=s, N=N, nfast=nfast)
              * math.exp(-2 * (n + p) / Xi)
              for n in range(1, N + 1) for p in range(1, N + 1))
    lnF, sign = self_consistency_ratio(ln_G, eps=eps, gamma=gamma, K=K, N=N, s=s, sum_range="square",
                                       nfast=nfast)
    assert sign == 1.0
    assert math.log(rhs / G) == pytest.approx(float(lnF), abs=1e-12)


def test_a_root_beyond_the_solver_range_is_a_clear_error_not_a_memory_error():
    # at eps = 0 with the unbounded sum the root moves to ln Gamma ~ -1/gamma: for
    # gamma = 1e-16 that would need ~1e16 terms
    with pytest.raises(ValueError, match=r"gamma=1e-16, K=3, eps in \[0, 0\] .* beyond the solver's range"):
        solve_linewidth(eps=0.0, gamma=1e-16, K=3, N=10, s=0.5, warn=False)
    # deep but reachable roots are still solved
    r = solve_linewidth(eps=0.001, gamma=1e-8, K=3, N=10, s=0.5, warn=False)
    assert r.status == "root" and r.ln_Gamma < -5000


# ---------------------------------------------------------------- solver internals
@pytest.mark.parametrize("sum_range", ["infinite", "square"])
@pytest.mark.parametrize("nfast", ["literal", "continuous"])
def test_eq19_value_at_a_point_does_not_depend_on_the_batch(sum_range, nfast):
    from nblm_helpers.meanfield._lnf import _Model

    eps = np.array([-0.3, -0.01, 0.02, 0.4, 0.9])
    m = _Model(eps=eps, gamma=0.02, K=3.0, N=10, s=0.5, d=1, equation="19", sum_range=sum_range,
               nfast=nfast, drop_negative=False)
    rng = np.random.default_rng(4)
    x = np.concatenate([rng.uniform(-3000, math.log(0.02) - 1e-9, 200), math.log(0.02) - np.logspace(-9, 0, 30)])
    col = rng.integers(0, eps.size, x.size)
    full = m.lnF(x, col)
    for i in range(0, x.size, 23):  # alone, and in other company
        one = m.lnF(x[i : i + 1], col[i : i + 1])
        assert one[0][0] == full[0][i] and one[1][0] == full[1][i]
    sub = m.lnF(x[::7], col[::7])
    np.testing.assert_array_equal(sub[0], full[0][::7])


@pytest.mark.parametrize(
    "p",
    [
        dict(gamma=0.0137, K=3, N=10, s=0.5, d=1, sum_range="infinite"),
        dict(gamma=0.0137, K=3, N=10, s=0.5, d=1, sum_range="square"),
        dict(gamma=1e-3, K=10, N=20, s=1.0, d=2, sum_range="infinite", nfast="continuous"),
        dict(gamma=0.1, K=3, N=10, s=0.5, d=1, sum_range="infinite"),
    ],
)
def test_eq19_array_equals_scalar(p):
    eps = np.array([-0.4, -0.05, 0.0, 0.02, 0.3, 0.7, 0.95])
    arr = solve_linewidth(eps=eps, warn=False, **p)
    for i, e in enumerate(eps):
        one = solve_linewidth(eps=float(e), warn=False, **p)
        assert one.ln_Gamma == arr.ln_Gamma[i] and one.status == arr.status[i] and one.roots == arr.roots[i]
        assert one.F0 == arr.F0[i]


# ---------------------------------------------------------------- per-point gamma and s

_FIELDS = ("ln_Gamma", "Gamma", "status", "roots", "n_roots", "F0", "ln_F0", "localized", "bistable", "eps")


def _assert_point_equals_scalar(arr, i, one):
    """Point ``i`` (ravel order) of an array result is bit-identical to the scalar result ``one``."""
    for f in _FIELDS:
        a = getattr(arr, f)
        v = a[i] if f == "roots" else np.asarray(a).ravel()[i]
        w = getattr(one, f)
        if isinstance(w, float) and math.isnan(w):
            assert math.isnan(v), f
        else:
            assert v == w, (f, i, v, w)


@pytest.mark.parametrize(
    "p",
    [
        dict(K=3, N=10, d=1, sum_range="infinite"),
        dict(K=3, N=10, d=1, sum_range="square"),
        dict(K=10, N=20, d=2, sum_range="infinite", nfast="continuous"),
        dict(K=3, N=10, d=1, sum_range="square", nfast="continuous"),
        dict(K=3, N=10, d=1, equation="E3"),
        dict(K=3, N=10, d=1, equation="E2"),
    ],
)
def test_per_point_gamma_and_s_equal_scalar_calls(p):
    # duplicates, repeated (gamma, s) with other eps, and points that are localized,
    # root, above_gamma (gamma = 0.3, eps = 0.95) in one batch
    eps = np.array([-0.4, -0.05, 0.0, 0.02, 0.3, 0.7, 0.95, 0.3, 0.3])
    gamma = np.array([0.0137, 0.1, 1e-3, 0.0137, 0.05, 0.3, 0.3, 0.05, 0.0137])
    s = np.array([0.5, 0.5, 1.0, 0.2, 0.5, 0.9, 0.9, 0.5, 0.5])
    arr = solve_linewidth(eps=eps, gamma=gamma, s=s, warn=False, **p)
    assert arr.ln_Gamma.shape == eps.shape and len(arr.roots) == eps.size
    np.testing.assert_array_equal(arr.options["gamma"], gamma)
    np.testing.assert_array_equal(arr.options["s"], s)
    for i in range(eps.size):
        one = solve_linewidth(eps=float(eps[i]), gamma=float(gamma[i]), s=float(s[i]), warn=False, **p)
        _assert_point_equals_scalar(arr, i, one)


def test_per_point_gamma_broadcasts_against_eps():
    eps = np.array([-0.1, 0.2, 0.6])[:, None]
    gamma = np.array([1e-3, 0.02, 0.1, 0.25])
    r = solve_linewidth(eps=eps, gamma=gamma, K=3, N=10, s=0.5, warn=False)
    assert r.ln_Gamma.shape == (3, 4) and r.status.shape == (3, 4) and r.eps.shape == (3, 4)
    assert r.options["gamma"].shape == (3, 4) and r.options["s"].shape == (3, 4)
    for i in range(3):
        for j in range(4):
            one = solve_linewidth(eps=float(eps[i, 0]), gamma=float(gamma[j]), K=3, N=10, s=0.5, warn=False)
            _assert_point_equals_scalar(r, 4 * i + j, one)
    # scalar eps, array s
    r2 = solve_linewidth(eps=0.3, gamma=0.02, s=np.array([0.1, 1.0]), K=3, N=10, warn=False)
    assert r2.ln_Gamma.shape == (2,) and r2.ln_Gamma[1] > r2.ln_Gamma[0]
    # a one-element array is an array result
    r3 = solve_linewidth(eps=0.3, gamma=np.array([0.02]), K=3, N=10, s=0.5, warn=False)
    assert r3.ln_Gamma.shape == (1,)
    assert r3.ln_Gamma[0] == solve_linewidth(eps=0.3, gamma=0.02, K=3, N=10, s=0.5, warn=False).ln_Gamma


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    K=st.floats(1.5, 12.0),
    N=st.integers(1, 30),
    d=st.integers(1, 3),
    pts=st.lists(st.tuples(st.floats(-0.9, 0.9), st.floats(1e-4, 0.5), st.floats(0.05, 1.0)),
                 min_size=1, max_size=6),
    sum_range=st.sampled_from(["infinite", "square"]),
    nfast=st.sampled_from(["literal", "continuous"]),
)
def test_property_per_point_eq19_equals_scalar(K, N, d, pts, sum_range, nfast):
    eps, gamma, s = (np.array(v) for v in zip(*pts))
    kw = dict(K=K, N=N, d=d, sum_range=sum_range, nfast=nfast, warn=False)
    arr = solve_linewidth(eps=eps, gamma=gamma, s=s, **kw)
    for i in range(eps.size):
        one = solve_linewidth(eps=float(eps[i]), gamma=float(gamma[i]), s=float(s[i]), **kw)
        _assert_point_equals_scalar(arr, i, one)


def test_per_point_model_values_do_not_depend_on_the_batch():
    from nblm_helpers.meanfield._lnf import _Model

    eps = np.array([-0.3, -0.01, 0.02, 0.4, 0.9])
    gamma = np.array([0.02, 0.005, 0.02, 0.1, 0.001])
    s = np.array([0.5, 1.0, 0.25, 0.5, 0.7])
    kw = dict(K=3.0, N=10, d=1, equation="19", nfast="literal", drop_negative=False)
    for sum_range in ("infinite", "square"):
        m = _Model(eps=eps, gamma=gamma, s=s, sum_range=sum_range, **kw)
        rng = np.random.default_rng(5)
        col = rng.integers(0, eps.size, 200)
        x = np.log(gamma[col]) - np.exp(rng.uniform(-20, 8, col.size))
        full = m.lnF(x, col)
        for c in range(eps.size):  # a model of that column alone
            one = _Model(eps=eps[c], gamma=gamma[c], s=s[c], sum_range=sum_range, **kw)
            sel = col == c
            got = one.lnF(x[sel], np.zeros(sel.sum(), dtype=np.int64))
            np.testing.assert_array_equal(got[0], full[0][sel])
            np.testing.assert_array_equal(got[1], full[1][sel])


def test_per_point_validity_warning_counts_each_point_with_its_gamma():
    # point 0 violates Eq. 27 (tiny linewidth), point 1 does not
    kw = dict(K=3, N=10, d=1)
    lone = [solve_linewidth(eps=e, gamma=g, s=0.5, warn=False, **kw) for e, g in ((0.02, 0.0137), (0.3, 0.1))]
    assert [r.status for r in lone] == ["root", "root"]
    with pytest.warns(ValidityWarning, match=r"Eq\. 27 violated at 1 of 2 point\(s\)"):
        solve_linewidth(eps=np.array([0.02, 0.3]), gamma=np.array([0.0137, 0.1]), s=0.5, **kw)


@pytest.mark.parametrize(
    "change, name",
    [
        (dict(gamma=np.array([0.1, 0.2, 0.3])), "gamma"),  # eps has 2 points
        (dict(s=np.array([0.1, 0.2, 0.3])), "s"),
        (dict(gamma=np.array([0.1, -0.2])), "gamma"),
        (dict(gamma=np.array([0.1, np.nan])), "gamma"),
        (dict(s=np.array([0.5, 1.5])), "s"),
        (dict(s=np.array([0.5, 0.0])), "s"),
        (dict(s=np.array([[0.5], [0.4]]), gamma=np.array([0.1, 0.2, 0.3])), "gamma"),
    ],
)
def test_per_point_bad_input_raises_with_name(change, name):
    kw = dict(eps=np.array([0.2, 0.4]), gamma=0.1, K=3, N=10, s=0.5)
    kw.update(change)
    with pytest.raises(ValueError, match=rf"^{name}\b"):
        solve_linewidth(**kw)


def test_scalar_only_functions_reject_array_gamma_and_s():
    with pytest.raises(ValueError, match=r"^gamma must be a scalar"):
        self_consistency_ratio(-5.0, eps=0.3, gamma=np.array([0.1, 0.2]), K=3, N=10, s=0.5)
    with pytest.raises(ValueError, match=r"^s must be a scalar"):
        ln_F_zero(eps=-0.3, gamma=0.1, K=3, N=10, s=np.array([0.5, 0.4]))


def test_result_carries_the_validity_that_the_warning_reports():
    """LinewidthResult.validity (validity.classify) is the data behind the ValidityWarning's text."""
    from nblm_helpers.validity import condition_23

    eps = np.linspace(0.05, 0.9, 12)
    with pytest.warns(ValidityWarning) as rec:
        r = solve_linewidth(eps=eps, gamma=0.5, K=3, N=10, s=0.5, d=1, equation="E3")
    text = " ".join(str(w.message) for w in rec)
    root = r.status == "root"
    assert list(r.validity.holds) == ["23", "26", "27"]
    reported = 0
    for name in ("23", "26", "27"):
        nbad = int(np.count_nonzero(root & ~r.validity[name]))
        assert (f"Eq. {name} violated at {nbad} of" in text) == (nbad > 0), (name, nbad, text)
        reported += nbad
    assert reported > 0, "the sweep must violate a condition somewhere (the test can fail)"
    np.testing.assert_array_equal(r.validity["23"], condition_23(gamma=0.5, K=3, eps=eps))
    scalar = solve_linewidth(eps=0.5, gamma=1e-3, K=3, N=10, s=0.5, d=1, equation="E3", warn=False)
    assert all(type(v) is bool for v in scalar.validity.holds.values())
    assert scalar.validity.ok is all(scalar.validity.holds.values())
