"""Tests of nblm_helpers.validity (Eqs. 23-27, C6, C7 of Gopalakrishnan & Nandkishore 2014)."""

import math

import numpy as np
import pytest

from nblm_helpers import validity
from nblm_helpers.validity import (
    CONDITIONS,
    classify,
    condition_23,
    condition_24,
    condition_25,
    condition_26,
    condition_27,
    condition_C6,
    condition_C6_coupling,
    condition_C7,
    ln_Gamma_floor_27,
    mean_field_violations,
)

FIG8 = dict(gamma=0.1, K=3, N=10, s=0.5, d=1)


def test_eq23_hand_values():
    # exp(-1/Xi) = K^-(1-eps) = 3^-0.5 = 0.577
    assert condition_23(gamma=0.1, K=3, eps=0.5) is True
    assert condition_23(gamma=0.6, K=3, eps=0.5) is False
    assert condition_23(gamma=0.57, K=3, eps=0.5) is True
    assert condition_23(gamma=0.1, K=3, Xi=1.0) is True  # e^-1 = 0.368
    assert condition_23(gamma=0.4, K=3, Xi=1.0) is False
    # optional 1/z part
    assert condition_23(gamma=0.1, K=3, eps=0.5, z=20) is False
    assert condition_23(gamma=0.1, K=3, eps=0.5, z=5) is True
    out = condition_23(gamma=np.array([0.1, 0.6]), K=3, eps=0.5)
    assert out.dtype == bool and list(out) == [True, False]


def test_eq24_and_25_hand_values():
    # N K^-N = 10 / 3^10 = 1.69e-4
    assert condition_24(gamma=0.1, K=3, N=10) is True
    assert condition_24(gamma=1e-4, K=3, N=10) is False
    assert condition_24(gamma=2e-4, K=3, N=10) is True
    assert condition_24(gamma=0.1, K=3, N=1) is False  # 1/3 > 0.1
    assert condition_24(gamma=0.1, K=3, N=10, z=1e8) is False  # sqrt(z) N K^-N = 1.69
    assert condition_25(gamma=0.1, K=3, N=10, eps=0.5) is True
    assert condition_25(gamma=0.1, K=3, N=1, eps=0.5) is False
    assert condition_25(gamma=0.6, K=3, N=10, eps=0.5) is False


def test_eq26_hand_values():
    # d = 1: y^2 e^-y <= 4/e^2 < 1 for all y > 0
    lnG = np.log(0.1) - np.array([1e-6, 0.5, 2.0, 10.0, 500.0])
    assert np.all(condition_26(gamma=0.1, d=1, ln_Gamma=lnG))
    assert condition_26(gamma=0.1, d=1, Gamma=0.1) is False  # Gamma = gamma
    assert condition_26(gamma=0.1, d=1, Gamma=0.2) is False
    # d = 2, y = ln(gamma/Gamma) = 4: 4^4 e^-4 = 4.69 > 1;  y = 20: 20^4 e^-20 = 3.3e-4 < 1
    assert condition_26(gamma=1.0, d=2, ln_Gamma=-4.0) is False
    assert condition_26(gamma=1.0, d=2, ln_Gamma=-20.0) is True
    assert condition_26(gamma=1.0, d=2, ln_Gamma=-1.0) is True  # 1 * e^-1 < 1
    assert condition_26(gamma=1.0, d=2, ln_Gamma=-np.inf) is True
    # deep underflow handled in logs
    assert condition_26(gamma=1.0, d=3, ln_Gamma=-1e5) is True


def test_eq27_hand_values():
    # ln(N K^-N) = ln 10 - 10 ln 3 = -8.6835
    assert condition_27(gamma=0.1, K=3, N=10, ln_Gamma=-5.0) is True
    assert condition_27(gamma=0.1, K=3, N=10, ln_Gamma=-8.7) is False
    assert condition_27(gamma=0.1, K=3, N=10, ln_Gamma=-8.68) is True
    assert condition_27(gamma=0.1, K=3, N=10, Gamma=0.1) is False
    assert condition_27(gamma=0.1, K=3, N=10, Gamma=0.05) is True
    out = condition_27(gamma=0.1, K=3, N=10, ln_Gamma=np.array([[-1e4, -3.0]]))
    assert out.shape == (1, 2) and list(out[0]) == [False, True]


def test_C6_C7_hand_values():
    # C6: gamma^2 s N d^d = 0.05 < 1; lower bound ln(1/(0.1*5))/(10 ln 3) = 0.0631
    assert condition_C6(eps=0.1, **FIG8) is True
    assert condition_C6(eps=0.06, **FIG8) is False
    assert condition_C6(eps=0.5, gamma=0.5, K=3, N=10, s=0.5) is False  # 0.25 * 5 > 1
    # C7: 1/(2 ln 3) = 0.4551
    assert condition_C7(K=3, eps=0.45) is False
    assert condition_C7(K=3, eps=0.46) is True
    assert condition_C7(K=3, eps=1 / (2 * math.log(3))) is False
    assert list(condition_C7(K=3, eps=np.array([0.3, 0.6, 0.9]))) == [False, True, True]
    assert condition_C7(K=3, Xi=1 / ((1 - 0.6) * math.log(3))) is True


def test_mean_field_violations():
    assert mean_field_violations(eps=0.5, **FIG8) == []
    assert mean_field_violations(eps=0.5, ln_Gamma=-10.0, **FIG8) == ["27"]
    assert mean_field_violations(eps=0.3, ln_Gamma=-5.0, saddle_point=True, **FIG8) == ["C7"]
    assert mean_field_violations(eps=0.5, Gamma=0.2, **FIG8) == ["26", "27"]
    # N = 1: N K^-N = 1/3 > gamma, so Eq. 24 and (for any Gamma < gamma) Eq. 27 fail
    assert mean_field_violations(eps=0.5, gamma=0.1, K=3, N=1, ln_Gamma=-5.0) == ["24", "27"]
    counts = mean_field_violations(
        eps=np.array([0.3, 0.5, 0.7]), ln_Gamma=np.array([-10.0, -np.inf, -3.0]), counts=True, **FIG8
    )
    assert counts == {"27": 1}  # -inf (localized) is not checked against Eqs. 26-27
    assert set(CONDITIONS) == {"23", "24", "25", "26", "27", "C6", "C7"}


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: condition_23(gamma=0.0, K=3, eps=0.5), "gamma"),
        (lambda: condition_23(gamma=0.1, K=1.0, eps=0.5), "K"),
        (lambda: condition_23(gamma=0.1, K=3), "eps"),
        (lambda: condition_24(gamma=0.1, K=3, N=2.5), "N"),
        (lambda: condition_24(gamma=0.1, K=3, N=10, z=0.0), "z"),
        (lambda: condition_26(gamma=0.1, d=0, ln_Gamma=-3.0), "d"),
        (lambda: condition_26(gamma=0.1, ln_Gamma=float("nan")), "ln_Gamma"),
        (lambda: condition_27(gamma=0.1, K=3, N=10), "Gamma"),
        (lambda: condition_C6(gamma=0.1, K=3, N=10, s=0.0, eps=0.5), "s"),
        (lambda: condition_C6_coupling(gamma=-1.0, N=10, s=0.5), "gamma"),
        (lambda: ln_Gamma_floor_27(K=3, N=0), "N"),
        (lambda: ln_Gamma_floor_27(K=0.5, N=10), "K"),
        (lambda: mean_field_violations(eps=0.5, saddle_point=True, gamma=0.1, K=3, N=10), "s"),
    ],
)
def test_bad_input(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_eq27_floor_and_C6_coupling_closed_forms():
    assert ln_Gamma_floor_27(K=3, N=10) == pytest.approx(math.log(10 * 3.0**-10), rel=1e-15)
    assert ln_Gamma_floor_27(K=10, N=40) == pytest.approx(math.log(40) - 40 * math.log(10), rel=1e-15)
    assert isinstance(ln_Gamma_floor_27(K=3, N=10), float)
    lo = ln_Gamma_floor_27(K=3, N=10)             # the edge itself is outside the open interval
    assert condition_27(gamma=0.1, K=3, N=10, ln_Gamma=lo) is False
    assert condition_27(gamma=0.1, K=3, N=10, ln_Gamma=lo + 1e-12) is True
    # gamma^2 s N d^d < 1: 0.01 * 5 = 0.05; 0.25 * 5 = 1.25; d = 2: 0.09 * 5 * 4 = 1.8
    assert condition_C6_coupling(gamma=0.1, N=10, s=0.5) is True
    assert condition_C6_coupling(gamma=0.5, N=10, s=0.5) is False
    assert condition_C6_coupling(gamma=0.3, N=10, s=0.5, d=1) is True
    assert condition_C6_coupling(gamma=0.3, N=10, s=0.5, d=2) is False
    g = np.logspace(-3, 0, 7)
    np.testing.assert_array_equal(condition_C6_coupling(gamma=g, N=10, s=0.5), g**2 * 5 < 1)
    # C6 holds only where its coupling part does
    e = np.linspace(0.05, 0.95, 19)
    for gg in (0.1, 0.3, 0.5):
        full = condition_C6(gamma=gg, K=3, N=10, s=0.5, eps=e)
        assert not np.any(full & np.logical_not(condition_C6_coupling(gamma=gg, N=10, s=0.5)))


# ---------------------------------------------------------------- regressions of the "Hardening" issue

EXTREME = [
    dict(gamma=1e-300, K=1 + 1e-9, N=10**9, s=1e-300, d=1, eps=0.5, ln_Gamma=-1e300),
    dict(gamma=1e-300, K=1e6, N=1e9, s=1.0, d=3, eps=-1e300, ln_Gamma=-np.inf),
    dict(gamma=1e300, K=1e300, N=1e300, s=1.0, d=10**6, eps=1 - 1e-16, ln_Gamma=1e300),
    dict(gamma=np.array([1e-300, 0.1, 1e300]), K=3, N=10, s=np.array([1e-300, 0.5, 1.0]), d=1,
         eps=np.array([[-1e300], [0.5]]), ln_Gamma=np.array([-1e300, -5.0, 1e300])),
]


@pytest.mark.parametrize("p", EXTREME)
def test_regression_conditions_survive_extremes(p):
    # gamma * s * N underflowed (log(0): RuntimeWarning), (1 - eps) ln K and N ln K overflowed
    # (RuntimeWarning); warnings are errors here, so each call below would fail on one
    g, K, N, s, d, e, lg = (p[k] for k in ("gamma", "K", "N", "s", "d", "eps", "ln_Gamma"))
    outs = [
        condition_23(gamma=g, K=K, eps=e), condition_24(gamma=g, K=K, N=N), condition_25(gamma=g, K=K, N=N, eps=e),
        condition_26(gamma=g, d=d, ln_Gamma=lg), condition_27(gamma=g, K=K, N=N, ln_Gamma=lg),
        condition_C6(gamma=g, K=K, N=N, s=s, d=d, eps=e), condition_C6_coupling(gamma=g, N=N, s=s, d=d),
        condition_C7(K=K, eps=e),
    ]
    for o in outs:
        assert isinstance(o, bool) or o.dtype == bool
    mean_field_violations(gamma=g, K=K, N=N, s=s, d=d, eps=e, ln_Gamma=lg, saddle_point=True, counts=True)


def test_regression_C6_gamma_s_underflow_decided_in_logs():
    # gamma s N = 1e-599 underflowed to 0: lower bound +inf with a RuntimeWarning
    assert condition_C6(gamma=1e-300, K=3, N=10, s=1e-300, eps=0.5) is False
    # with K = 1e300, N = 1000 the lower bound is (1381.6 - 6.9)/(1000 * 690.8) = 0.002 < eps
    assert condition_C6(gamma=1e-300, K=1e300, N=1000, s=1e-300, eps=0.5) is True


def test_regression_eq23_eq24_overflow():
    assert condition_23(gamma=0.1, K=1e300, eps=-1e308) is False       # (1 - eps) ln K overflowed
    assert condition_24(gamma=1e-300, K=1e300, N=1e300) is True        # N ln K overflowed
    assert ln_Gamma_floor_27(K=1e300, N=1e308) == -math.inf


def test_regression_broadcast_errors_are_ValueErrors_naming_the_arguments():
    # a column and a row of 10^5 points allocated 9.3 GiB (MemoryError)
    with pytest.raises(ValueError, match=r"gamma \(100000, 1\).*eps \(1, 100000\).*MAX_ARRAY_SIZE"):
        condition_23(gamma=np.full((100000, 1), 0.1), K=3, eps=np.full((1, 100000), 0.5))
    with pytest.raises(ValueError, match=r"the shapes of gamma \(3,\), K \(\), eps \(4,\) do not broadcast"):
        condition_25(gamma=np.full(3, 0.1), K=3, N=10, eps=np.full(4, 0.5))
    with pytest.raises(ValueError, match="^N must be an integer"):
        condition_24(gamma=0.1, K=3, N=10**400)                        # OverflowError in float(N)


def test_regression_mean_field_violations_validates_s_when_given():
    # s = nan was accepted silently when saddle_point=False
    with pytest.raises(ValueError, match="^s must be"):
        mean_field_violations(gamma=0.1, K=3, N=10, s=math.nan, eps=0.5)


def test_condition_golden_rule_is_gamma_below_w():
    from nblm_helpers.validity import condition_golden_rule

    assert condition_golden_rule(gamma=0.1, W=1.0)
    assert not condition_golden_rule(gamma=1.0, W=1.0)
    np.testing.assert_array_equal(condition_golden_rule(gamma=np.array([1e-300, 2.0]), W=1.0), [True, False])
    with pytest.raises(ValueError, match="W"):
        condition_golden_rule(gamma=0.1, W=-1.0)


# ---------------------------------------------------------------- classify: the one classification
def test_classify_agrees_with_every_condition_and_with_the_violation_list():
    eps = np.linspace(-0.2, 0.95, 24)
    lnG = np.linspace(-40.0, -1.0, 24)
    kw = dict(gamma=0.05, K=3, N=10, s=0.5, d=1, eps=eps, ln_Gamma=lnG, saddle_point=True)
    v = classify(**kw)
    assert list(v.holds) == ["23", "24", "26", "27", "C6", "C7"]
    np.testing.assert_array_equal(v["23"], condition_23(gamma=0.05, K=3, eps=eps))
    np.testing.assert_array_equal(v["27"], condition_27(gamma=0.05, K=3, N=10, ln_Gamma=lnG))
    np.testing.assert_array_equal(v["C7"], condition_C7(K=3, eps=eps))
    np.testing.assert_array_equal(v.ok, np.logical_and.reduce(np.broadcast_arrays(*v.holds.values())))
    assert v.violated() == mean_field_violations(**kw)
    assert v.counts() == mean_field_violations(**kw, counts=True)
    assert v.violated(), "this sweep crosses conditions: the check can fail"


def test_classify_scalars_subsets_and_refusals():
    v = classify(gamma=1e-3, K=3, N=10, eps=0.5, ln_Gamma=-8.0)
    assert all(type(x) is bool for x in v.holds.values()) and v.ok is True and v.violated() == []
    assert list(classify(gamma=1e-3, K=3, N=10, eps=0.5, conditions=("23",)).holds) == ["23"]
    assert classify(gamma=1e-3, K=3, N=10, eps=0.5, ln_Gamma=-np.inf)["27"] is True   # localized: nothing to check
    with pytest.raises(ValueError, match="conditions must be among"):
        classify(gamma=1e-3, K=3, N=10, eps=0.5, conditions=("25",))
    with pytest.raises(ValueError, match="need the linewidth"):
        classify(gamma=1e-3, K=3, N=10, eps=0.5, conditions=("27",))
    with pytest.raises(ValueError, match="s .entropy"):
        classify(gamma=1e-3, K=3, N=10, eps=0.5, saddle_point=True)


# ---------------------------------------------------------------- eps_edge


def test_eps_edge_closed_forms_fig8():
    from nblm_helpers.validity import eps_edge
    # (C6): ln(1/(gamma s N))/(N ln K) = ln 2/(10 ln 3); (C7): 1/(2 ln 3); (23): 1 + ln 0.1/ln 3
    assert eps_edge("C6", **FIG8) == pytest.approx(math.log(2) / (10 * math.log(3)), rel=1e-14)
    assert eps_edge("C7", K=3) == pytest.approx(1 / (2 * math.log(3)), rel=1e-15)
    assert eps_edge("23", gamma=0.1, K=3) == pytest.approx(1 + math.log(0.1) / math.log(3), rel=1e-15)
    # the chapter's former bisections (tolerance 1e-12) agree
    assert eps_edge("C6", **FIG8) == pytest.approx(0.0630929753568405, abs=1e-12)
    assert eps_edge("C7", K=3) == pytest.approx(0.4551196133133695, abs=1e-12)
    assert eps_edge("23", gamma=0.1, K=3) == pytest.approx(-1.095903274289125, abs=1e-12)


@pytest.mark.parametrize("gamma", [1e-6, 1e-3, 0.05, 0.1, 0.3])
@pytest.mark.parametrize("K", [1.5, 3.0, 10.0])
def test_eps_edge_is_where_classify_changes(gamma, K):
    from nblm_helpers.validity import eps_edge
    pars = dict(gamma=gamma, K=K, N=10, s=0.5, d=1)
    for name in ("23", "C6", "C7"):
        e = eps_edge(name, **pars)
        if e >= 1.0:        # holds nowhere below 1
            grid = np.linspace(-5, 1 - 1e-9, 200)
            assert not np.any(classify(**pars, eps=grid, conditions=(name,)).holds[name])
            continue
        above, below = e + 1e-9 * max(1.0, abs(e)), e - 1e-9 * max(1.0, abs(e))
        assert classify(**pars, eps=above, conditions=(name,)).holds[name] is True, (name, e)
        assert classify(**pars, eps=below, conditions=(name,)).holds[name] is False, (name, e)


def test_eps_edge_holds_nowhere_and_arrays():
    from nblm_helpers.validity import eps_edge
    # gamma^2 s N >= 1: (C6) holds nowhere; z: gamma >= 1/z, Eq. 23 nowhere; K <= sqrt(e): (C7) nowhere
    assert eps_edge("C6", gamma=0.9, K=3, N=10, s=0.5) == 1.0
    assert eps_edge("23", gamma=0.2, K=3, z=6) == 1.0
    assert eps_edge("C7", K=1.5) == 1.0
    g = np.array([1e-3, 0.1, 0.9])
    out = eps_edge("C6", gamma=g, K=3, N=10, s=0.5)
    assert out.shape == (3,) and out[2] == 1.0
    assert out[1] == eps_edge("C6", gamma=0.1, K=3, N=10, s=0.5)


@pytest.mark.parametrize("kw, name", [(dict(condition="27", K=3), "condition"),
                                      (dict(condition="23", K=3), "gamma"),
                                      (dict(condition="C6", K=3, gamma=0.1, s=0.5), "N"),
                                      (dict(condition="C6", K=3, gamma=0.1, N=10), "s"),
                                      (dict(condition="C7", K=1.0), "K"),
                                      (dict(condition="23", K=3, gamma=0.1, z=-1), "z")])
def test_eps_edge_validation(kw, name):
    from nblm_helpers.validity import eps_edge
    with pytest.raises(ValueError, match=name):
        eps_edge(**kw)


def test_golden_rule_message_counts_the_points_and_names_the_rates():
    assert validity.golden_rule_message(0.1, [0.5, 1.0], rates="Eqs. (6)-(8)") is None
    msg = validity.golden_rule_message(0.1, [0.05, 0.1, 0.5], rates="Eqs. (6)-(8)")
    assert msg.startswith("gamma = 0.1 >= W at 2 of 3 point(s): Eqs. (6)-(8) are Golden-rule rates")
    assert validity.golden_rule_message([0.1, 0.2], 0.15, rates="(A1)").startswith("gamma >= W at 1 of 2 point(s)")
    # a W that underflowed to 0 is a positive W below the smallest float: the premise fails there
    assert validity.golden_rule_message(1e-300, 0.0, rates="Eq. (16)").startswith("gamma = 1e-300 >= W at 1 of 1")
    with pytest.raises(ValueError, match="^W must be"):
        validity.golden_rule_message(0.1, -1.0, rates="Eq. (16)")
    with pytest.raises(ValueError, match="^rates must be a string"):
        validity.golden_rule_message(0.1, 1.0, rates=None)


def test_eq23_ceiling_and_eq24_floor_are_the_edges_of_their_conditions():
    K, N = 3.0, 10
    # Eq. (24), z = 1: N K^-N, the same number as the floor of Eq. (27)
    assert validity.ln_gamma_floor_24(K=K, N=N) == validity.ln_Gamma_floor_27(K=K, N=N)
    assert math.exp(validity.ln_gamma_floor_24(K=K, N=N)) == pytest.approx(10 * 3.0**-10, rel=1e-14)
    assert validity.ln_gamma_floor_24(K=K, N=N, z=6.0) == pytest.approx(0.5 * math.log(6) + math.log(10) - 10 * math.log(3))
    for z in (1.0, 6.0):
        edge = math.exp(validity.ln_gamma_floor_24(K=K, N=N, z=z))
        assert not condition_24(gamma=edge * (1 - 1e-12), K=K, N=N, z=z)
        assert condition_24(gamma=edge * (1 + 1e-12), K=K, N=N, z=z)
    # Eq. (23): e^{-1/Xi} = K^{-(1-eps)}, and 1/z if given
    eps = np.array([-0.5, 0.0, 0.4])
    np.testing.assert_allclose(np.exp(validity.ln_gamma_ceiling_23(K=K, eps=eps)), K ** -(1 - eps), rtol=1e-14)
    np.testing.assert_allclose(validity.ln_gamma_ceiling_23(K=K, eps=eps, z=4.0),
                               np.minimum(-(1 - eps) * math.log(K), -math.log(4.0)), rtol=1e-15)
    for e in eps:
        edge = math.exp(validity.ln_gamma_ceiling_23(K=K, eps=e, z=4.0))
        assert condition_23(gamma=edge * (1 - 1e-12), K=K, eps=e, z=4.0)
        assert not condition_23(gamma=edge * (1 + 1e-12), K=K, eps=e, z=4.0)
    assert validity.ln_gamma_ceiling_23(K=K, Xi=2.0) == pytest.approx(-0.5)
