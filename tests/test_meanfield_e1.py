"""Eq. (E1) of App. E: ``equation="E1"`` and :func:`e1_N0` (issue 13, part 2).

E1 takes n_fast = 1 for n + p < N0 and sN ln^d(gamma K^(n+p)) for n + p > N0 on the square
1 <= n, p <= N, without saturation.  The reference here is the printed double sum over (n, p),
summed term by term in mpmath.
"""

import math
import warnings

import mpmath as mp
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nblm_helpers.meanfield import (
    EQUATIONS,
    MeanFieldModel,
    critical_eps,
    critical_Xi,
    e1_N0,
    ln_F_zero,
    self_consistency_ratio,
    solve_linewidth,
)
from nblm_helpers.parameters import ValidityWarning

FIG8 = dict(gamma=0.1, K=3, N=10, s=0.5, d=1)
CASES = [
    dict(gamma=0.1, K=3, N=10, s=0.5, d=1),  # Fig. 8: N0 = 2.28, only m = 2 below N0
    dict(gamma=0.01, K=2, N=8, s=0.2, d=2),  # N0 = 7.8
    dict(gamma=0.3, K=5, N=6, s=0.9, d=3),  # N0 = 1.37 < 2: every term above N0
    dict(gamma=1e-3, K=1.5, N=5, s=0.05, d=1),  # N0 = 27 > 2N: every term below N0
    dict(gamma=0.05, K=4, N=7, s=1.0, d=2),
]


def _mp_FE1(x, eps, gamma, K, N, s, d=1, boundary="first", N0=None, dps=40):
    """F of Eq. (E1) as the printed double sum over 1 <= n, p <= N, in mpmath.

    ``boundary``: where a term with n + p == N0 goes ("first": n_fast = 1, "second":
    sN ln^d, "drop": in neither sum, the strict inequalities read literally).
    ``N0``: the threshold (default the general-d formula in mpmath).
    """
    with mp.workdps(dps):
        G2 = mp.mpf(0) if x == -math.inf else mp.e ** (2 * mp.mpf(x))
        eps = mp.mpf(eps)
        a = mp.mpf(math.log(gamma))
        ell = mp.mpf(math.log(K))
        sN = mp.mpf(s) * N
        if N0 is None:
            N0 = (sN ** (-mp.mpf(1) / d) - a) / ell
        tot = mp.mpf(0)
        for n in range(1, N + 1):
            for p in range(1, N + 1):
                m = n + p
                K2m = mp.e ** (2 * m * ell)
                first = m < N0 or (m == N0 and boundary == "first")
                second = m > N0 or (m == N0 and boundary == "second")
                if first:
                    tot += K2m**eps / (1 + G2 * K2m)
                elif second:
                    nf = sN * (a + m * ell) ** d
                    tot += K2m**eps * nf / (1 + G2 * K2m * nf**2)
        return mp.mpf(gamma) ** 2 * tot


def _F(x, eps, **kw):
    lnF, sg = self_consistency_ratio(x, eps=eps, equation="E1", **kw)
    return sg * math.exp(lnF)


# ---------------------------------------------------------------- F against the double sum
@pytest.mark.parametrize("kw", CASES, ids=lambda k: "-".join(f"{v}" for v in k.values()))
def test_E1_equals_the_printed_double_sum(kw):
    for eps in (-0.4, -0.05, 0.0, 0.1, 0.5, 0.9):
        for x in (-math.inf, -20.0, -8.0, -3.0, 0.0, 2.0):
            ref = float(_mp_FE1(x, eps, **kw))
            lnF, sg = self_consistency_ratio(x, eps=eps, equation="E1", **kw)
            assert sg == 1.0
            assert lnF == pytest.approx(math.log(ref), abs=1e-12), (eps, x)


def test_E1_arrays_equal_scalars():
    x = np.array([[-9.0], [-4.0], [-math.inf]])
    eps = np.array([[-0.3, 0.2, 0.7]])
    lnF, sg = self_consistency_ratio(x, eps=eps, equation="E1", **FIG8)
    for i in range(3):
        for j in range(3):
            assert (lnF[i, j], sg[i, j]) == self_consistency_ratio(float(x[i, 0]), eps=float(eps[0, j]),
                                                                   equation="E1", **FIG8)


# ---------------------------------------------------------------- N0
def test_e1_N0_general_d_equals_printed_at_d1():
    for gamma, K, N, s in [(0.1, 3, 10, 0.5), (1e-3, 1.5, 5, 0.05), (0.7, 10, 100, 1.0), (2.0, 2, 1, 0.3)]:
        printed = (1 + s * N * math.log(1 / gamma)) / (s * N * math.log(K))
        assert e1_N0(gamma=gamma, K=K, N=N, s=s, d=1) == pytest.approx(printed, rel=1e-14)
    assert e1_N0(**FIG8) == pytest.approx(2.2779511196147517, rel=1e-14)  # "N0 ~ 2" (App. E)


@pytest.mark.parametrize("d", [1, 2, 3, 5])
def test_e1_N0_is_where_n_fast_reaches_one(d):
    gamma, K, N, s = 0.02, 2.5, 7, 0.3
    N0 = e1_N0(gamma=gamma, K=K, N=N, s=s, d=d)
    assert s * N * math.log(gamma * K**N0) ** d == pytest.approx(1.0, rel=1e-12)
    assert math.log(gamma * K**N0) > 0  # the positive root (even d)


def test_e1_N0_arrays_and_extremes():
    out = e1_N0(gamma=np.array([0.1, 0.01]), K=3, N=10, s=np.array([[0.5], [1.0]]), d=2)
    assert out.shape == (2, 2)
    assert out[0, 1] == e1_N0(gamma=0.01, K=3, N=10, s=0.5, d=2)
    assert e1_N0(gamma=1e300, K=3, N=10, s=0.5) < 0  # gamma > 1: every order above N0
    with np.errstate(all="raise"):
        assert e1_N0(gamma=0.1, K=3, N=1, s=5e-324) == math.inf  # (sN)^-1 beyond the float range
    with pytest.raises(ValueError, match="gamma"):
        e1_N0(gamma=0.0, K=3, N=10, s=0.5)
    with pytest.raises(ValueError, match=r"^s must be .* in \(0, 1\]"):
        e1_N0(gamma=0.1, K=3, N=10, s=1.5)
    with pytest.raises(ValueError, match="broadcast"):
        e1_N0(gamma=np.ones(2), K=3, N=10, s=np.ones(3))


def test_E1_terms_switch_at_N0():
    """Orders m < N0 carry n_fast = 1 (numerator K^{2 m eps} only), m > N0 sN ln^d."""
    kw = dict(gamma=0.01, K=2, N=8, s=0.2, d=2)
    N0 = e1_N0(**kw)
    assert 7 < N0 < 8
    x, eps = -3.0, 0.3
    # N = 3: every order (m <= 6) lies below N0
    ref = sum(min(m - 1, 7 - m) * 2.0 ** (2 * m * eps) / (1 + math.exp(2 * x) * 4.0**m) for m in range(2, 7))
    assert _F(x, eps, **{**kw, "N": 3}) == pytest.approx(0.01**2 * ref, rel=1e-13)
    # N = 8: orders 2..7 below, 8..16 above
    ref = 0.0
    for m in range(2, 17):
        nf = 1.0 if m <= 7 else 0.2 * 8 * math.log(0.01 * 2.0**m) ** 2
        ref += min(m - 1, 17 - m) * 2.0 ** (2 * m * eps) * nf / (1 + math.exp(2 * x) * 4.0**m * nf**2)
    assert _F(x, eps, **kw) == pytest.approx(0.01**2 * ref, rel=1e-13)


# ---------------------------------------------------------------- m == N0 exactly
@pytest.mark.parametrize("d,m0", [(1, 3), (2, 5), (3, 4)])
def test_E1_boundary_term(d, m0):
    """A term with m = N0 exactly: both forms are 1, so it counts once whichever sum holds it;
    the literal strict inequalities (in neither sum) would drop it and make F jump."""
    gamma, K, N = 0.5, 2.0, 6
    ell, a = math.log(K), math.log(gamma)
    s = (a + m0 * ell) ** (-d) / N  # s N ln^d(gamma K^m0) = 1, i.e. N0 = m0
    assert 0 < s <= 1
    kw = dict(gamma=gamma, K=K, N=N, s=s, d=d)
    assert e1_N0(**kw) == pytest.approx(m0, rel=1e-14)
    for x, eps in [(-math.inf, 0.2), (-5.0, 0.2), (-2.0, -0.3)]:
        first = float(_mp_FE1(x, eps, **kw, N0=m0, boundary="first"))
        second = float(_mp_FE1(x, eps, **kw, N0=m0, boundary="second"))
        drop = float(_mp_FE1(x, eps, **kw, N0=m0, boundary="drop"))
        assert first == pytest.approx(second, rel=1e-14)
        assert _F(x, eps, **kw) == pytest.approx(first, rel=1e-13)
        assert abs(drop / first - 1) > 1e-3  # the dropped reading is a different (discontinuous) F
        # continuity in s across the boundary (the term moves from one sum to the other)
        for f in (1 - 1e-9, 1 + 1e-9):
            assert _F(x, eps, **{**kw, "s": s * f}) == pytest.approx(first, rel=1e-7)


# ---------------------------------------------------------------- E1 vs E2
@pytest.mark.parametrize("kw", [dict(gamma=0.3, K=5, N=6, s=0.9, d=3), dict(gamma=0.5, K=3, N=10, s=0.5, d=1),
                                dict(gamma=2.0, K=2, N=5, s=0.1, d=2)])
def test_E1_is_E2_bit_for_bit_when_N0_below_2(kw):
    """N0 < 2: every order of E1 is in its second sum, which is E2's summand and range."""
    assert e1_N0(**kw) < 2
    eps = np.array([-0.5, 0.0, 0.3, 0.8])
    x = np.array([[-math.inf], [-9.0], [-2.0], [1.0]])
    assert np.array_equal(np.stack(self_consistency_ratio(x, eps=eps, equation="E1", **kw)),
                          np.stack(self_consistency_ratio(x, eps=eps, equation="E2", **kw)))
    r1 = solve_linewidth(eps=eps, equation="E1", warn=False, **kw)
    r2 = solve_linewidth(eps=eps, equation="E2", warn=False, **kw)
    assert np.array_equal(r1.ln_Gamma, r2.ln_Gamma) and r1.roots == r2.roots
    assert np.array_equal(r1.status, r2.status)


def test_E1_vs_E2_at_the_fig8_parameters():
    """App. E: with N0 ~ 2 (2.28 here) E2 'well approximates' E1.  Only m = 2 differs: E1 has
    n_fast = 1 there, E2 sN ln(gamma K^2) = 5 ln 0.9 = -0.53 (a negative term).  So F_E1 > F_E2
    everywhere and the E1 linewidth is larger: over 0.01 <= eps <= 0.85 by 0.0268 (minimum, at
    eps ~ 0.03) to 0.2688 (eps = 0.85) in ln Gamma, i.e. Gamma up to 31% larger."""
    eps = np.linspace(0.01, 0.85, 85)
    r1 = solve_linewidth(eps=eps, equation="E1", warn=False, **FIG8)
    r2 = solve_linewidth(eps=eps, equation="E2", warn=False, **FIG8)
    assert np.all(r1.status == "root") and np.all(r2.status == "root")
    diff = r1.ln_Gamma - r2.ln_Gamma
    assert np.all(diff > 0.0267)
    assert diff[0] == pytest.approx(0.02732, abs=1e-4)
    assert diff.min() == pytest.approx(0.02680, abs=1e-4) and 0.02 < eps[np.argmin(diff)] < 0.04
    assert np.all(np.diff(diff[5:]) > 0)  # from eps = 0.06 on, the gap grows with Gamma
    assert diff[-1] == pytest.approx(0.26877, abs=1e-4) and diff.max() == diff[-1]
    # the phase boundary hardly moves (at Gamma -> 0 the m = 2 term is small next to the rest)
    ec1, ec2 = critical_eps(equation="E1", **FIG8), critical_eps(equation="E2", **FIG8)
    assert ec1 == pytest.approx(-0.16918, abs=1e-4) and abs(ec1 - ec2) < 1e-3


# ---------------------------------------------------------------- solve
def test_E1_roots_satisfy_F_equal_1():
    kw = dict(gamma=0.01, K=2, N=8, s=0.2, d=2)
    eps = np.linspace(-0.3, 0.95, 26)
    r = solve_linewidth(eps=eps, equation="E1", warn=False, **kw)
    assert set(r.status.tolist()) == {"root", "localized"}
    assert not np.any(r.bistable)
    for e, roots, st_, F0 in zip(eps, r.roots, r.status, r.F0):
        assert (st_ == "localized") == (F0 <= 1.0)  # F <= F0 (positive terms)
        assert len(roots) == (st_ == "root")  # F is non-increasing: at most one root
        for x in roots:
            lnF, sg = self_consistency_ratio(x, eps=e, equation="E1", **kw)
            assert sg == 1.0 and abs(lnF) <= 1e-10
    # one root against mpmath
    x0 = float(r.ln_Gamma[20])
    with mp.workdps(30):
        xr = mp.findroot(lambda x: mp.log(_mp_FE1(x, eps[20], **kw, dps=30)), x0)
    assert x0 == pytest.approx(float(xr), abs=1e-10)


def test_E1_per_point_gamma_and_s_equal_scalar_calls():
    eps = np.array([0.2, 0.5, 0.5, 0.8])
    g = np.array([0.1, 0.05, 0.1, 0.1])
    s = np.array([0.5, 0.5, 0.3, 0.5])
    r = solve_linewidth(eps=eps, gamma=g, s=s, K=3, N=10, d=1, equation="E1", warn=False)
    for i in range(4):
        one = solve_linewidth(eps=eps[i], gamma=g[i], s=s[i], K=3, N=10, d=1, equation="E1", warn=False)
        assert one.ln_Gamma == r.ln_Gamma[i] and one.roots == r.roots[i] and one.F0 == r.F0[i]
        assert one.validity.holds == {k: bool(v[i]) for k, v in r.validity.holds.items()}


def test_E1_validity_warning_and_options():
    with pytest.warns(ValidityWarning, match="Eq. 27"):
        r = solve_linewidth(eps=0.5, equation="E1", gamma=0.01, K=2, N=8, s=0.2, d=2)
    assert r.status == "root" and r.validity.holds["27"] is False
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = solve_linewidth(eps=0.5, equation="E1", **FIG8)  # inside the window: no warning
    assert r.validity.holds == {"23": True, "26": True, "27": True}
    assert r.options["equation"] == "E1"
    # sum_range, nfast and drop_negative are validated but ignored
    for opt in (dict(sum_range="square"), dict(nfast="continuous"), dict(drop_negative=True)):
        assert solve_linewidth(eps=0.5, equation="E1", **FIG8, **opt).roots == r.roots
    with pytest.raises(ValueError, match="nfast"):
        solve_linewidth(eps=0.5, equation="E1", nfast="bogus", **FIG8)
    assert "E1" in EQUATIONS


def test_E1_work_limits_name_N():
    with pytest.raises(ValueError, match="N must be <= "):
        solve_linewidth(eps=0.5, equation="E1", gamma=0.1, K=3, N=10**6, s=0.5)
    with pytest.raises(ValueError, match="N must be <= "):
        self_consistency_ratio(-3.0, eps=0.5, equation="E1", gamma=0.1, K=3, N=2 * 10**6, s=0.5)
    with pytest.raises(ValueError, match="N must be <= "):
        critical_eps(equation="E1", gamma=0.1, K=3, N=1000, s=0.5)


def test_E1_model_and_critical_eps():
    m = MeanFieldModel(equation="E1", **FIG8)
    assert m.solve(0.4).ln_Gamma == solve_linewidth(eps=0.4, equation="E1", **FIG8).ln_Gamma
    ec = m.critical_eps()
    assert ec == critical_eps(equation="E1", **FIG8)
    assert ln_F_zero(eps=ec, equation="E1", **FIG8)[0] == pytest.approx(0.0, abs=1e-12)
    lo, hi = solve_linewidth(eps=[ec - 1e-6, ec + 1e-6], equation="E1", warn=False, **FIG8).status
    assert (lo, hi) == ("localized", "root")
    assert critical_Xi(equation="E1", **FIG8) == pytest.approx(1 / ((1 - ec) * math.log(3)), rel=1e-14)


# ---------------------------------------------------------------- properties
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    gamma=st.floats(1e-4, 2.0),
    K=st.floats(1.3, 8.0),
    N=st.integers(1, 12),
    s=st.floats(0.01, 1.0),
    d=st.integers(1, 3),
    eps=st.lists(st.floats(-0.9, 0.95), min_size=1, max_size=4),
)
def test_property_E1(gamma, K, N, s, d, eps):
    kw = dict(gamma=gamma, K=K, N=N, s=s, d=d)
    N0 = e1_N0(**kw)
    # numpy double sum (float) against the package at three Gamma
    nn, pp = np.meshgrid(np.arange(1, N + 1), np.arange(1, N + 1))
    m = (nn + pp).ravel().astype(float)
    L = np.log(gamma) + m * np.log(K)
    with np.errstate(invalid="ignore"):
        nf = np.where(m < N0, 1.0, s * N * np.abs(L) ** d)
    arr = solve_linewidth(eps=np.array(eps), warn=False, equation="E1", **kw)
    for i, e in enumerate(eps):
        for x in (-math.inf, -6.0, -1.0):
            G2 = 0.0 if x == -math.inf else math.exp(2 * x)
            ref = gamma**2 * np.sum(K ** (2 * m * e) * nf / (1 + G2 * K ** (2 * m) * nf**2))
            lnF, sg = self_consistency_ratio(x, eps=e, equation="E1", **kw)
            assert sg == 1.0 and lnF == pytest.approx(math.log(ref), abs=1e-11)
        # F is non-increasing in Gamma
        xs = np.linspace(-15.0, 3.0, 19)
        assert np.all(np.diff(self_consistency_ratio(xs, eps=e, equation="E1", **kw)[0]) <= 1e-12)
        one = solve_linewidth(eps=e, warn=False, equation="E1", **kw)
        assert one.ln_Gamma == arr.ln_Gamma[i] and one.roots == arr.roots[i]
        assert one.localized == (one.F0 <= 1.0) and not one.bistable and one.n_roots <= 1
        for x in one.roots:
            lnF, sg = self_consistency_ratio(x, eps=e, equation="E1", **kw)
            assert sg == 1.0 and abs(lnF) <= 1e-10
