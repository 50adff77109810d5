"""Tests of nblm_helpers.temperature (Sec. V C, Eqs. 1, 2, 28-30 of Gopalakrishnan & Nandkishore 2014)."""

import math
import warnings

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from nblm_helpers import temperature as tp
from nblm_helpers.parameters import ValidityWarning
from nblm_helpers.saddle_point import saddle_point_ln_linewidth
from nblm_helpers.validity import condition_C7

K10 = 10.0
G10 = (6 * K10) ** (1 / 3)          # K = g^3/6
LAM10 = tp.lam_for_T0(4.0, g=G10, K=K10)
P = dict(gamma=1e-3 / 16, g=G10, lam=LAM10, K=K10, N=40, T_s=40.0, d=1)


# ---------------------------------------------------------------- how T enters

def test_T0_solves_Xi_lnK_equal_one():
    t0 = tp.T0(g=G10, lam=LAM10, K=K10)
    assert t0 == pytest.approx(4.0, rel=1e-14)
    assert tp.Xi_of_T(t0, g=G10, lam=LAM10) * math.log(K10) == pytest.approx(1.0, rel=1e-13)
    assert tp.eps_of_T(t0, g=G10, lam=LAM10, K=K10) == pytest.approx(0.0, abs=1e-14)


@given(g=st.floats(0.5, 20), lam=st.floats(1e-3, 1.0), K=st.floats(1.1, 50))
@settings(max_examples=60)
def test_T0_property(g, lam, K):
    t0 = tp.T0(g=g, lam=lam, K=K)
    assert tp.Xi_of_T(t0, g=g, lam=lam) * math.log(K) == pytest.approx(1.0, rel=1e-10)
    # eps(T) = 2 ln(T/T0)/ln K exactly, and T_of_eps inverts it
    T = t0 * K ** np.array([-0.4, -0.05, 0.2, 0.45])
    eps = tp.eps_of_T(T, g=g, lam=lam, K=K)
    np.testing.assert_allclose(eps, 2 * np.log(T / t0) / math.log(K), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(tp.T_of_eps(eps, g=g, lam=lam, K=K), T, rtol=1e-12)


def test_Xi_increases_with_T_sympy_and_numbers():
    T, g, lam = sp.symbols("T g lambda", positive=True)
    Xi = 1 / sp.log(g / (lam * T**2))
    dXi = sp.simplify(sp.diff(Xi, T))
    assert sp.simplify(dXi - 2 / (T * sp.log(g / (lam * T**2)) ** 2)) == 0   # > 0 wherever defined
    Ts = np.linspace(1.0, 12.0, 50)
    assert np.all(np.diff(tp.Xi_of_T(Ts, g=G10, lam=LAM10)) > 0)


def test_s_delta_m_models():
    assert tp.s_of_T(2.0, T_s=4.0) == 0.5
    assert tp.s_of_T(8.0, T_s=4.0) == 1.0
    assert tp.s_of_T(2.0, T_s=4.0, model="tanh") == pytest.approx(math.tanh(0.5))
    assert tp.delta_m_of_T(4.0) == 1 / 16
    assert isinstance(tp.s_of_T(2, T_s=4), float)


def test_footnote51_is_eq23_first_part():
    # g gamma/(lam Delta) = (gamma/delta_m)/exp(-1/Xi), independent of T
    for T in (2.0, 4.0, 9.0):
        ratio = (P["gamma"] / tp.delta_m_of_T(T)) / math.exp(-1 / tp.Xi_of_T(T, g=G10, lam=LAM10))
        assert ratio == pytest.approx(tp.footnote51_ratio(gamma=P["gamma"], g=G10, lam=LAM10), rel=1e-12)


# ---------------------------------------------------------------- C5 in T, Eq. 28, Eq. 29

def test_C5_of_T_matches_saddle_point_module():
    t0 = tp.T0(g=G10, lam=LAM10, K=K10)
    for T in (4.2, 5.0, 7.5, 12.0):
        eps = tp.eps_of_T(T, g=G10, lam=LAM10, K=K10)
        s = tp.s_of_T(T, T_s=40.0)
        inside = bool(tp.condition_29(T, g=G10, lam=LAM10, K=K10, form="exact"))   # (C7) in temperature
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            ref = -2 * math.log(T) + saddle_point_ln_linewidth(eps=eps, gamma=P["gamma"] * T**2, K=K10, N=40,
                                                               s=s, d=1)
            got = tp.ln_linewidth_C5_of_T(T, **P)
        # both warn exactly where (C7)/(C6) fail: 4.2 (T/T0 = 1.05 < e^1/4) and 5.0 (1.25) are outside
        assert len(caught) == (0 if inside else 2), (T, [str(w.message) for w in caught])
        assert all(w.category is ValidityWarning for w in caught)
        assert got == pytest.approx(ref, rel=1e-13)
        assert inside == (T / t0 > math.exp(0.25))
    with pytest.warns(ValidityWarning, match=r"T <= T0 \(eps <= 0: no saddle point; -inf returned\)"):
        assert tp.ln_linewidth_C5_of_T(3.9, **P) == -np.inf
    with pytest.warns(ValidityWarning, match="2 of 2 temperatures"):
        arr = tp.ln_linewidth_C5_of_T(np.array([3.0, 5.0]), **P)
    assert arr[0] == -np.inf and np.isfinite(arr[1])


def _sympy_eq28():
    """Eq. (28) derived from C5 with SymPy: substitute, expand 1/eps to leading order in T - T0."""
    T, T0, K, gam, N, Ts, d = sp.symbols("T T_0 K gamma N T_s d", positive=True)
    dm = T**-2
    nc = (T / Ts) * N * d**d
    eps = 2 * sp.log(T / T0) / sp.log(K)
    lnC5 = sp.log(dm / nc) + sp.log(gam * sp.sqrt(nc) / dm) / eps
    inv_eps_lin = sp.series(1 / eps, T, T0, 1).removeO()            # T0 ln K/(2 (T - T0)) + ln K/4
    lead = sp.limit((T - T0) / eps, T, T0) / (T - T0)                 # leading pole only
    ln28 = sp.log(dm / nc) + sp.expand_log(sp.log(gam * sp.sqrt(nc) / dm), force=True) * lead
    return (T, T0, K, gam, N, Ts, d), lnC5, ln28, inv_eps_lin, lead


def test_sympy_eq28_matches_helpers():
    syms, lnC5, ln28, inv_eps_lin, lead = _sympy_eq28()
    T, T0, K, gam, N, Ts, d = syms
    assert sp.simplify(lead - T0 * sp.log(K) / (2 * (T - T0))) == 0
    assert sp.simplify(inv_eps_lin - lead - sp.log(K) / 4) == 0
    f28 = sp.lambdify(syms, ln28)
    fC5 = sp.lambdify(syms, lnC5)
    t0 = tp.T0(g=G10, lam=LAM10, K=K10)
    for Tv in (4.1, 5.0, 6.5, 9.0, 12.5):
        args = (Tv, t0, K10, P["gamma"], 40, 40.0, 1)
        # 4.1 and 5.0 are below the window e^(1/4) T0 = 5.14 (Eq. 28 and C5 warn there; checked elsewhere)
        assert tp.ln_linewidth_eq28(Tv, **P, form="linearised", warn=False) == pytest.approx(f28(*args), rel=1e-12)
        assert tp.ln_linewidth_C5_of_T(Tv, **P, warn=False) == pytest.approx(fC5(*args), rel=1e-12)
        # the printed Eq. 28 = linearised minus the prefactor ln(T_s/(N d^d T^3)) when T_s = N d^d
        printed = tp.ln_linewidth_eq28(Tv, **P, form="printed", warn=False)
        assert printed == pytest.approx(f28(*args) + 3 * math.log(Tv), rel=1e-12)


def test_eq28_linearisation_error_is_the_exponent():
    T = np.linspace(4.4, 12.0, 9)
    with pytest.warns(ValidityWarning, match=r"\(C5\) in temperature outside its window at 1 of 9"):
        c5 = tp.ln_linewidth_C5_of_T(T, **P)                                 # T = 4.4 < e^(1/4) T0
    with pytest.warns(ValidityWarning, match=r"Eq. \(28\) outside its window at 1 of 9"):
        e28 = tp.ln_linewidth_eq28(T, **P, form="linearised")               # 4.4 < 1.25 T0 = 5
    d = c5 - e28
    base = np.log(P["gamma"] * T**2.5)                                # sqrt(N/T_s) = 1 here
    dexp = tp.exponent_C5(T, g=G10, lam=LAM10, K=K10) - tp.exponent_eq28(T, g=G10, lam=LAM10, K=K10)
    np.testing.assert_allclose(d, dexp * base, rtol=1e-10)
    assert np.all(dexp > 0)                                           # 1/ln(1+x) > 1/x


def test_condition_29():
    t0 = 4.0
    kw = dict(g=G10, lam=LAM10, K=K10)
    assert not tp.condition_29(1.24 * t0, **kw) and tp.condition_29(1.26 * t0, **kw)
    assert not tp.condition_29(1.28 * t0, **kw, form="exact") and tp.condition_29(1.29 * t0, **kw, form="exact")
    T = np.linspace(0.5, 3.1, 200) * t0
    eps = tp.eps_of_T(T, **kw)
    np.testing.assert_array_equal(tp.condition_29(T, **kw, form="exact"), condition_C7(K=K10, eps=eps))
    # the 1/4 does not depend on K
    for K in (1.9, 3.0, 100.0):
        g = 2.0
        lam = tp.lam_for_T0(1.0, g=g, K=K)
        assert not tp.condition_29(math.exp(0.25) - 1e-9, g=g, lam=lam, K=K, form="exact")
        assert tp.condition_29(math.exp(0.25) + 1e-9, g=g, lam=lam, K=K, form="exact")


# ---------------------------------------------------------------- full numerics

def test_T0_prime_below_T0_and_conductivity():
    tpr = tp.T0_prime(**P)
    assert 0.98 * 4.0 < tpr < 4.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = tp.ln_conductivity(np.array([4.2, 6.0]), **P)
    assert np.all(r.status == "root") and np.all(r.valid)
    assert r.ln_sigma[1] > r.ln_sigma[0]
    below = tp.ln_conductivity(0.999 * tpr, **P, warn=False)
    assert below.status[0] == "localized" and below.ln_sigma[0] == -np.inf
    with pytest.warns(ValidityWarning, match="Eq. 27"):
        tp.ln_conductivity(tpr * (1 + 1e-7), **P)
    calls = []
    tp.ln_conductivity(np.array([4.5, 5.0]), **P, progress=lambda i, n: calls.append((i, n)))
    assert calls == [(1, 2), (2, 2)]


def _ln_conductivity_loop(T, *, gamma, g, lam, K, N, T_s, d=1, s_model="linear", **opts):
    """Reference: one scalar solve_linewidth call per temperature (the former implementation)."""
    from nblm_helpers import meanfield
    from nblm_helpers.validity import condition_23, condition_26, condition_27

    T = np.atleast_1d(np.asarray(T, dtype=float)).ravel()
    eps = np.atleast_1d(tp.eps_of_T(T, g=g, lam=lam, K=K))
    lnG, status, ok = np.empty(T.size), [], np.zeros(T.size, dtype=bool)
    counts = {"Eq. 23": 0, "Eq. 26": 0, "Eq. 27": 0, "above_gamma": 0}
    for i, (Ti, ei) in enumerate(zip(T, eps)):
        gdm = float(gamma * float(Ti) ** 2)
        s = float(tp.s_of_T(float(Ti), T_s=T_s, model=s_model))
        r = meanfield.solve_linewidth(eps=float(ei), gamma=gdm, K=K, N=N, s=s, d=d, warn=False, **opts)
        lnG[i] = r.ln_Gamma
        status.append(r.status)
        if r.status == "root":
            c = [condition_23(gamma=gdm, K=K, eps=float(ei)), condition_26(gamma=gdm, d=d, ln_Gamma=r.ln_Gamma),
                 condition_27(gamma=gdm, K=K, N=N, ln_Gamma=r.ln_Gamma)]
            for k, v in zip(("Eq. 23", "Eq. 26", "Eq. 27"), c):
                counts[k] += int(not v)
            ok[i] = all(c)
        elif r.status == "above_gamma":
            counts["above_gamma"] += 1
    return lnG, np.array(status), ok, {k: v for k, v in counts.items() if v}


@pytest.mark.parametrize("opts", [
    {},
    {"sum_range": "square"},
    {"nfast": "continuous"},
    {"s_model": "tanh", "d": 2},
    {"gamma": 7e-3 / 16, "T_s": 10.0},
    {"equation": "E3"},
    {"equation": "E1"},
])
def test_ln_conductivity_equals_per_temperature_loop(opts):
    pars = {**P, **opts}
    t0 = 4.0
    T = np.concatenate([np.linspace(0.9, 1.3, 9), np.linspace(1.4, 3.1, 6), [1.2, 1.2]]) * t0
    kw = {k: pars.pop(k) for k in ("equation", "sum_range", "nfast") if k in pars}
    r = tp.ln_conductivity(T, **pars, **kw, warn=False)
    lnG, status, ok, viol = _ln_conductivity_loop(T, **pars, **kw)
    np.testing.assert_array_equal(r.ln_Gamma_dm, lnG)
    np.testing.assert_array_equal(r.status, status)
    np.testing.assert_array_equal(r.valid, ok)
    assert r.violations == viol
    assert r.T.shape == r.ln_sigma.shape == r.eps.shape == r.gamma_dm.shape == r.s.shape == (T.size,)
    # above_gamma: the solver's bound ln(gamma/delta_m) - 2 ln T = ln(gamma/Delta), not NaN (Hardening fix)
    np.testing.assert_array_equal(r.ln_sigma, lnG - 2 * np.log(T))
    assert not np.any(np.isnan(r.ln_sigma))
    ab = status == "above_gamma"
    np.testing.assert_allclose(r.ln_sigma[ab], math.log(pars["gamma"]), rtol=1e-12)
    np.testing.assert_array_equal(r.gamma_dm, [pars["gamma"] * float(t) ** 2 for t in T])
    assert len({x for x in status}) >= 2  # several statuses in one batch


# ---------------------------------------------------------------- fits

T_SYN = np.linspace(4.5, 12.0, 40)


@pytest.mark.parametrize("noise", [0.0, 0.05])
def test_fit_vogel_fulcher_recovers(noise):
    rng = np.random.default_rng(7)
    true = dict(ln_sigma0=-3.0, a=2.5, T0=3.7)
    y = tp.vogel_fulcher(T_SYN, **true) + noise * rng.standard_normal(T_SYN.size)
    fr = tp.fit_vogel_fulcher(T_SYN, y)
    assert fr.success and fr.dof == T_SYN.size - 3
    for k, v in true.items():
        tol = 1e-7 if noise == 0 else 5 * fr.stderr[k] + 1e-9
        assert abs(fr.params[k] - v) <= tol * (1 if noise else max(1, abs(v))), (k, fr.params[k], v, fr.stderr[k])
    if noise:
        assert fr.rms == pytest.approx(noise, rel=0.35)
    fixed = tp.fit_vogel_fulcher(T_SYN, y, T0=3.7)
    assert fixed.stderr["T0"] == 0.0 and fixed.params["a"] == pytest.approx(2.5, abs=0.2 if noise else 1e-9)


@pytest.mark.parametrize("noise", [0.0, 0.05])
def test_fit_near_critical_recovers(noise):
    rng = np.random.default_rng(11)
    true = dict(ln_sigma0=-1.0, a=8.0, T0p=4.1)
    y = tp.near_critical(T_SYN, **true) + noise * rng.standard_normal(T_SYN.size)
    fr = tp.fit_near_critical(T_SYN, y)
    assert fr.success and fr.params["nu"] == pytest.approx(1 / 3)
    for k, v in true.items():
        tol = 1e-6 * max(1, abs(v)) if noise == 0 else 5 * fr.stderr[k]
        assert abs(fr.params[k] - v) <= tol, (k, fr.params[k], v, fr.stderr[k])
    resid = y - tp.near_critical(T_SYN, **{k: fr.params[k] for k in true})
    np.testing.assert_allclose(fr.residuals, resid, atol=1e-12)


def test_fit_power_law_recovers():
    true = dict(ln_sigma0=2.0, a=3.0, T0p=4.2)
    y = tp.power_law(T_SYN, **true)
    fr = tp.fit_power_law(T_SYN, y)
    for k, v in true.items():
        assert fr.params[k] == pytest.approx(v, rel=1e-7)
    assert fr.rms < 1e-8
    assert fr(5.0) == pytest.approx(tp.power_law(5.0, **true))


# ---------------------------------------------------------------- validation

@pytest.mark.parametrize("call, name", [
    (lambda: tp.Xi_of_T(-1.0, g=2.0, lam=0.1), "T"),
    (lambda: tp.Xi_of_T(10.0, g=2.0, lam=0.1), "T"),            # beyond sqrt(g/lam)
    (lambda: tp.Xi_of_T(1.0, g=0.0, lam=0.1), "g"),
    (lambda: tp.eps_of_T(1.0, g=2.0, lam=0.1, K=1.0), "K"),
    (lambda: tp.s_of_T(1.0, T_s=-2.0), "T_s"),
    (lambda: tp.s_of_T(1.0, T_s=2.0, model="cosh"), "model"),
    (lambda: tp.ln_linewidth_C5_of_T(5.0, **{**P, "gamma": -1.0}), "gamma"),
    (lambda: tp.ln_linewidth_C5_of_T(5.0, **{**P, "N": 2.5}), "N"),
    (lambda: tp.ln_linewidth_eq28(5.0, **P, form="exact"), "form"),
    (lambda: tp.ln_conductivity(5.0, **{**P, "d": 0}), "d"),
    (lambda: tp.fit_vogel_fulcher(T_SYN, np.full(T_SYN.size, np.nan)), "ln_sigma"),
    (lambda: tp.fit_vogel_fulcher(T_SYN, T_SYN, T0=5.0), "T0"),
    (lambda: tp.fit_near_critical(T_SYN, T_SYN, nu=0.0), "nu"),
    (lambda: tp.T0(g=1.0, lam=True, K=3.0), "lam"),
])
def test_bad_input_names_parameter(call, name):
    with pytest.raises(ValueError, match=rf"^{name}\b"):
        call()


def test_fits_need_matching_lengths():
    with pytest.raises(ValueError, match="same length"):
        tp.fit_power_law(T_SYN, T_SYN[:-1])


# ---------------------------------------------------------------- regressions of the "Hardening" issue


def test_regression_T0_prime_extreme_couplings():
    # gamma = 1e-300: "RuntimeError: F(0+) <= 1 up to the end of the domain"; T0' -> T0 as gamma -> 0
    with pytest.warns(ValidityWarning, match=r"Eq. \(24\) fails at T0'"):
        assert tp.T0_prime(**{**P, "gamma": 1e-300}) == pytest.approx(4.0, rel=1e-12)
    # gamma = 1e300: "RuntimeError: F(0+) > 1 down to T0 e^-50"; the search now continues down
    with pytest.warns(ValidityWarning, match=r"Eq. \(23\) fails"):
        t = tp.T0_prime(**{**P, "gamma": 1e300})
    assert 0 < t < 4.0 * math.exp(-50)
    # the square sum can stay localized everywhere: a ValueError naming gamma
    with pytest.raises(ValueError, match=r"^gamma = 1e-300 is too weak"):
        tp.T0_prime(**{**P, "gamma": 1e-300}, sum_range="square")
    with warnings.catch_warnings():
        warnings.simplefilter("error")                   # the chapter's parameters: no warning
        assert tp.T0_prime(**P) == pytest.approx(3.9744003071537697, rel=1e-15)


@pytest.mark.parametrize("fit", [tp.fit_vogel_fulcher, tp.fit_near_critical, tp.fit_power_law])
def test_regression_fits_refuse_degenerate_data(fit):
    # constant ln_sigma returned stderr NaN (and a T0 at the grid's end)
    with pytest.raises(ValueError, match=r"^ln_sigma is constant"):
        fit([1.0, 2.0, 3.0, 4.0], [1.0, 1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="need at least 3 points"):
        fit([1.0, 2.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="^T must be a finite"):
        fit([1.0, 2.0, math.nan], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="^ln_sigma must be a finite"):
        fit([1.0, 2.0, 3.0], [1.0, math.nan, 3.0])
    with pytest.raises(ValueError, match="at least 3 distinct values"):
        fit([1.0, 1.0, 1.0], [1.0, 2.0, 3.0])
    # as many points as parameters: an exact fit whose errors cannot be estimated -> inf, not NaN
    fr = fit([1.0, 2.0, 3.0], [-3.0, -2.0, -1.5])
    assert all(math.isinf(v) for v in fr.stderr.values()) and all(math.isfinite(v) for v in fr.params.values())


def test_regression_models_give_minus_inf_below_the_transition():
    # the three laws returned NaN for T <= T0
    assert tp.vogel_fulcher(3.0, ln_sigma0=0.0, a=1.0, T0=3.5) == -math.inf
    assert tp.near_critical(3.0, ln_sigma0=0.0, a=1.0, T0p=3.5) == -math.inf
    assert tp.power_law(3.0, ln_sigma0=0.0, a=1.0, T0p=3.0) == -math.inf
    # 0 * inf with a = 0 gave NaN
    assert tp.near_critical(2.0, ln_sigma0=1.5, a=0.0, T0p=2.0 - 1e-15, nu=1e3) == 1.5
    assert tp.power_law(1e300, ln_sigma0=1.5, a=0.0, T0p=-1e300) == 1.5
    with pytest.raises(ValueError, match="^ln_sigma0 must be"):
        tp.vogel_fulcher(3.0, ln_sigma0="a", a=1.0, T0=1.0)


def test_regression_conductivity_has_no_nan():
    # ln_sigma was NaN where status == "above_gamma"; now the solver's bound ln(gamma/Delta)
    r = tp.ln_conductivity(np.array([4.0, 12.0]), **{**P, "gamma": 1e-1 / 16}, warn=False)
    assert not np.any(np.isnan(r.ln_sigma))
    ab = r.status == "above_gamma"
    assert np.any(ab)
    np.testing.assert_allclose(r.ln_sigma[ab], math.log(1e-1 / 16), rtol=1e-12)


def test_regression_conductivity_tiny_T_names_T():
    # gamma T^2 underflowed to 0 and the solver complained about "gamma ... got 0.0"
    with pytest.raises(ValueError, match=r"^T must be in \(4.72e-153, 4.24e\+155\) for gamma = 0.001"):
        tp.ln_conductivity(1e-300, gamma=1e-3, g=2, lam=0.1, K=10, N=40, T_s=40.0)
    with pytest.raises(ValueError, match=r"^T has 10001 temperatures; at most 10000"):
        tp.ln_conductivity(np.linspace(1.0, 12.0, 10001), **P)


def test_regression_temperature_maps_in_logs():
    # g/lam underflowing to 0 raised "math domain error"; lam_for_T0 a ZeroDivisionError;
    # delta_m_of_T(1e-300) a RuntimeWarning
    with pytest.raises(ValueError, match=r"^T must be in \(0, sqrt\(g/lam\)\)"):
        tp.Xi_of_T(1e-300, g=1e-300, lam=1e300)
    assert tp.Xi_of_T(1e150, g=1e300, lam=1e-300) == pytest.approx(1 / (1381.5510557964274 - 690.7755278982137 + 0))
    with pytest.raises(ValueError, match="^T0_value must give lam"):
        tp.lam_for_T0(1e-200, g=1e300, K=3)
    assert tp.lam_for_T0(1e200, g=1e300, K=3) == pytest.approx(1e300 / 3 / 1e400)
    with pytest.raises(ValueError, match=r"^g, lam, K must give T0"):
        tp.T0(g=1e-300, lam=1e300, K=1e300)
    assert tp.delta_m_of_T(1e-300) == math.inf
    assert tp.T_of_eps(-1e308, g=2, lam=0.1, K=1e300) == 0.0


def test_regression_saddle_point_in_T_warns_and_has_no_nan():
    t0 = 4.0
    # Eq. (28) returned NaN below T0, silently; C5(T) -inf silently
    with pytest.warns(ValidityWarning, match=r"T <= T0 \(no solution; -inf returned\)"):
        assert tp.ln_linewidth_eq28(3.0, **P, form="linearised") == -math.inf
    with pytest.warns(ValidityWarning, match=r"\(C7\) = Eq. \(29\) exactly"):
        tp.ln_linewidth_C5_of_T(1.1 * t0, **P)
    with warnings.catch_warnings():
        warnings.simplefilter("error")                   # inside the window: no warning
        tp.ln_linewidth_C5_of_T(2.0 * t0, **P)
        tp.ln_linewidth_eq28(2.0 * t0, **P)


def test_regression_unused_arguments_are_still_validated():
    # ln_linewidth_eq28(form="printed") ignored N, T_s and d (T_s = -inf, d = inf accepted silently);
    # a fit with T0p fixed ignored T0p_bounds
    with pytest.raises(ValueError, match="^T_s must be"):
        tp.ln_linewidth_eq28(8.0, **{**P, "T_s": -math.inf})
    with pytest.raises(ValueError, match="^d must be"):
        tp.ln_linewidth_eq28(8.0, **{**P, "d": math.inf})
    with pytest.raises(ValueError, match=r"^T0p \(held fixed\) or T0p_bounds|^give T0p"):
        tp.fit_power_law(T_SYN, tp.power_law(T_SYN, ln_sigma0=2.0, a=3.0, T0p=4.2), T0p=4.0, T0p_bounds=(2.0, 1.0))


def test_ln_saddle_base_of_T_is_the_base_of_C5():
    from nblm_helpers import saddle_point, temperature as tp

    pars = dict(gamma=2e-3, N=10, T_s=10.0, d=1)
    T = np.array([0.5, 1.0, 3.0])
    base = tp.ln_saddle_base_of_T(T, **pars)
    # gamma/delta_m = gamma T^2 and n_c = s(T) N d^d, s = T/T_s (linear): ln(gamma T^2 sqrt(n_c))
    np.testing.assert_allclose(base, np.log(2e-3 * T**2 * np.sqrt(T / 10.0 * 10)), rtol=1e-13)
    # C5 in temperature = ln delta_m + the saddle point at the mapped eps, gamma/delta_m and s
    g, lam, K = 2.0, 0.5, 3.0
    Tv = 1.3 * tp.T0(g=g, lam=lam, K=K)
    eps = tp.eps_of_T(Tv, g=g, lam=lam, K=K)
    s = tp.s_of_T(Tv, T_s=10.0)
    lnG = tp.ln_linewidth_C5_of_T(Tv, g=g, lam=lam, K=K, **pars, warn=False)
    ln_nc = math.log(saddle_point.n_c(s=s, N=10, d=1))
    assert lnG == pytest.approx(-2 * math.log(Tv) - ln_nc + tp.ln_saddle_base_of_T(Tv, **pars) / eps, rel=1e-13)
    with pytest.raises(ValueError, match="^T must be"):
        tp.ln_saddle_base_of_T(-1.0, **pars)
    with pytest.raises(ValueError, match="^gamma must be a single number"):
        tp.ln_saddle_base_of_T(1.0, gamma=[1e-3, 2e-3], N=10, T_s=1.0)
