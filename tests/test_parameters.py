"""Tests of nblm_helpers.parameters: validation, float casting, eps <-> Xi."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nblm_helpers import Parameters, ValidityWarning
from nblm_helpers.parameters import (
    check_branching,
    check_dimension,
    check_positive,
    check_positive_int,
    check_real,
    check_unit_interval,
    eps_from_Xi,
    resolve_eps,
    Xi_from_eps,
)

finite = st.floats(allow_nan=False, allow_infinity=False, width=64)


def test_validity_warning_is_a_warning_class():
    assert issubclass(ValidityWarning, UserWarning)
    with pytest.warns(ValidityWarning, match="Eq. 27"):
        warnings.warn("outside Eq. 27", ValidityWarning)


@pytest.mark.parametrize(
    "kwargs, name, allowed",
    [
        ({"gamma": 0.0}, "gamma", "(0, inf)"),
        ({"gamma": -1}, "gamma", "(0, inf)"),
        ({"W": float("nan")}, "W", "(0, inf)"),
        ({"Delta": float("inf")}, "Delta", "(0, inf)"),
        ({"K": 1}, "K", "(1, inf)"),
        ({"K": 0.5}, "K", "(1, inf)"),
        ({"s": 0}, "s", "(0, 1]"),
        ({"s": 1.5}, "s", "(0, 1]"),
        ({"N": 0}, "N", ">= 1"),
        ({"N": 2.5}, "N", ">= 1"),
        ({"N": True}, "N", ">= 1"),
        ({"d": 0}, "d", ">= 1"),
        ({"d": 1.5}, "d", ">= 1"),
        ({"Xi": -0.1}, "Xi", "(0, inf)"),
        ({"xi": 0}, "xi", "(0, inf)"),
        ({"delta_m": 0}, "delta_m", "(0, inf)"),
        ({"eps": 1.0, "K": 3}, "eps", "(-inf, 1)"),
    ],
)
def test_bad_values_raise_valueerror_naming_parameter_and_range(kwargs, name, allowed):
    with pytest.raises(ValueError) as err:
        Parameters(**kwargs)
    msg = str(err.value)
    assert msg.startswith(name + " ")
    assert allowed in msg


@pytest.mark.parametrize("bad", ["3", None, 1 + 2j, [1, "a"], True, np.bool_(False), []])
def test_non_numbers_are_rejected(bad):
    with pytest.raises(ValueError, match="^gamma must be"):
        check_positive("gamma", bad)


def test_integers_become_floats_and_do_not_overflow():
    p = Parameters(K=3, gamma=1, N=40, d=1)
    assert type(p.K) is float and type(p.gamma) is float
    assert type(p.N) is int and type(p.d) is int
    # the int64 trap the cast prevents: 3**40 overflows int64 silently in numpy
    assert np.int64(3) ** 40 != 3**40
    assert p.K ** p.N == pytest.approx(3.0**40, rel=1e-15)
    assert isinstance(check_real("x", np.int64(5)), float)
    assert check_real("x", np.array([1, 2])).dtype == np.float64


def test_both_xi_and_eps_rejected_and_eps_needs_K():
    with pytest.raises(ValueError, match="not both"):
        Parameters(Xi=1.0, eps=0.5, K=3)
    with pytest.raises(ValueError, match="needs K"):
        Parameters(eps=0.5)
    with pytest.raises(ValueError, match="exactly one of eps"):
        resolve_eps(None, None, 3)
    with pytest.raises(ValueError, match="exactly one of eps"):
        resolve_eps(0.1, 2.0, 3)


def test_eps_matches_hand_computed_value():
    # K = 3, Xi = 2: eps = 1 - 1/(2 ln 3) = 0.5448806...
    assert eps_from_Xi(2.0, 3) == pytest.approx(1 - 1 / (2 * math.log(3)), rel=1e-15)
    assert Parameters(Xi=2, K=3).eps == pytest.approx(0.5448803867, rel=1e-9)
    # eps = 0 is the single-dot Cayley-tree transition Xi ln K = 1
    assert Xi_from_eps(0.0, math.e) == pytest.approx(1.0)


def test_replace_recomputes_the_derived_localization_length():
    p = Parameters(K=3, N=10, s=0.5, d=1, gamma=0.1, eps=0.5)
    q = p.replace(eps=0.25)
    assert q.eps == 0.25 and q.Xi == pytest.approx(Xi_from_eps(0.25, 3))
    r = p.replace(Xi=1.0)
    assert r.eps == pytest.approx(eps_from_Xi(1.0, 3))
    assert p.replace(K=10).eps == 0.5
    with pytest.raises(ValueError, match="^s "):
        p.replace(s=2)
    assert p.as_dict()["N"] == 10 and "W" not in p.as_dict()


def test_arrays_are_validated_elementwise():
    out = check_unit_interval("s", [0.1, 1.0])
    np.testing.assert_array_equal(out, [0.1, 1.0])
    with pytest.raises(ValueError, match=r"^s must .* got 0\.0"):
        check_unit_interval("s", [0.5, 0.0])
    with pytest.raises(ValueError, match="K"):
        check_branching("K", np.array([2.0, np.nan]))


@settings(max_examples=200, deadline=None)
@given(x=finite)
def test_positive_accepts_exactly_the_positive_reals(x):
    if x > 0:
        assert check_positive("gamma", x) == x
    else:
        with pytest.raises(ValueError, match=r"^gamma must be a finite real number in \(0, inf\)"):
            check_positive("gamma", x)


@settings(max_examples=200, deadline=None)
@given(x=finite)
def test_unit_interval_is_half_open(x):
    if 0 < x <= 1:
        assert check_unit_interval("s", x) == x
    else:
        with pytest.raises(ValueError, match=r"\(0, 1\]"):
            check_unit_interval("s", x)


@settings(max_examples=200, deadline=None)
@given(n=st.one_of(st.integers(-5, 10**6), finite))
def test_positive_int_accepts_integral_values_only(n):
    ok = math.isfinite(float(n)) and float(n) == math.floor(float(n)) and n >= 1
    if ok:
        assert check_positive_int("N", n) == int(n)
        assert check_dimension(n) == int(n)
    else:
        with pytest.raises(ValueError, match=r"^N must be an integer >= 1"):
            check_positive_int("N", n)


@settings(max_examples=200, deadline=None)
@given(xi=st.floats(1e-3, 1e3), K=st.floats(1.01, 1e3))
def test_eps_xi_round_trip(xi, K):
    eps = eps_from_Xi(xi, K)
    assert eps < 1
    assert Xi_from_eps(eps, K) == pytest.approx(xi, rel=1e-9)
    p = Parameters(Xi=xi, K=K)
    assert p.eps == pytest.approx(eps, rel=1e-12, abs=1e-12)


@settings(max_examples=100, deadline=None)
@given(K=st.integers(2, 50), N=st.integers(1, 60), gamma=st.integers(1, 5))
def test_int_and_float_inputs_give_identical_parameters(K, N, gamma):
    a = Parameters(K=K, N=N, gamma=gamma, s=1, d=1, eps=0.25)
    b = Parameters(K=float(K), N=float(N), gamma=float(gamma), s=1.0, d=1.0, eps=0.25)
    assert a == b


def test_ln_rate_validation_shared_by_the_solver_modules():
    from nblm_helpers.parameters import check_ln_rate, resolve_ln_rate

    assert check_ln_rate("ln_Gamma", -math.inf) == -math.inf
    assert resolve_ln_rate(math.e, None) == pytest.approx(1.0)
    np.testing.assert_array_equal(resolve_ln_rate(None, [-1, -2]), [-1.0, -2.0])
    with pytest.raises(ValueError, match=r"^ln_Gamma must be a finite real number; got -inf"):
        resolve_ln_rate(None, -math.inf, allow_zero_rate=False)
    for bad in (math.nan, math.inf, True, "x", []):
        with pytest.raises(ValueError, match="^ln_Gamma must be"):
            check_ln_rate("ln_Gamma", bad)
    with pytest.raises(ValueError, match="exactly one of Gamma"):
        resolve_ln_rate(0.1, -1.0)
    with pytest.raises(ValueError, match="^Gamma must"):
        resolve_ln_rate(-0.1, None)


# ---------------------------------------------------------------- regressions of the "Hardening" issue


def test_regression_huge_integers_are_ValueErrors():
    # float(10**400) raised OverflowError in check_positive_int; repr(10**5000) raises ValueError by itself
    for bad in (10**400, 10**5000):
        with pytest.raises(ValueError, match=r"^N must be an integer >= 1 and <= 1.798e\+308"):
            check_positive_int("N", bad)
        with pytest.raises(ValueError, match="^gamma must be a finite real number .*beyond the float range"):
            check_positive("gamma", bad)
        with pytest.raises(ValueError, match="^N must be"):
            Parameters(N=bad)
    assert check_positive("gamma", 10**20) == 1e20          # a big int that fits a float is fine
    assert check_positive_int("N", 12, maximum=12) == 12
    with pytest.raises(ValueError, match="<= 12"):
        check_positive_int("N", 13, maximum=12)


@pytest.mark.parametrize("bad", [np.array([1.0], dtype=object), [[1], [1, 2]], {1: 2}, np.array(["a"]),
                                 np.array([1 + 2j]), 1 + 2j, None, "1"])
def test_regression_hostile_values_are_ValueErrors(bad):
    with pytest.raises(ValueError, match="^x must be"):
        check_real("x", bad)
    from nblm_helpers.parameters import check_ln_rate

    with pytest.raises(ValueError, match="^x must be"):
        check_ln_rate("x", bad)


def test_regression_long_double_overflow_is_rejected_without_runtime_warning():
    # a long double beyond float64 overflowed in astype with a RuntimeWarning
    if np.finfo(np.longdouble).max <= np.finfo(np.float64).max:
        pytest.skip("long double is float64 on this platform")
    with np.errstate(over="ignore"):
        big = np.longdouble(10) ** 400
    with pytest.raises(ValueError, match="^x must be a finite real number"):
        check_real("x", np.array([big, 1.0]))


def test_regression_arrays_too_large_are_refused():
    from nblm_helpers.parameters import MAX_ARRAY_SIZE, check_broadcast

    with pytest.raises(ValueError, match=f"x must have at most MAX_ARRAY_SIZE = {MAX_ARRAY_SIZE} elements.*got {MAX_ARRAY_SIZE + 1}"):
        check_real("x", np.zeros(MAX_ARRAY_SIZE + 1))
    assert check_broadcast(a=np.zeros((3, 1)), b=np.zeros(4)) == (3, 4)
    with pytest.raises(ValueError, match=r"a \(100000, 1\), b \(100000,\) broadcast to"):
        check_broadcast(a=np.zeros((100000, 1)), b=np.zeros(100000))


def test_regression_Parameters_arrays_are_ValueErrors():
    # float(array of two) raised TypeError; a ragged list numpy's unnamed ValueError
    for bad in ([0.1, 0.2], [[0.1], [0.2, 0.3]], np.array([0.1])):
        with pytest.raises(ValueError, match="^gamma must be a single real number"):
            Parameters(gamma=bad)


def test_regression_replace_keeps_the_derived_localization_length():
    # replace(gamma=...) of a Parameters with K and eps passed both Xi and eps: "give Xi or eps, not both"
    p = Parameters(K=3, eps=0.5)
    q = p.replace(gamma=0.2)
    assert q.eps == 0.5 and q.Xi == p.Xi and q.gamma == 0.2
    assert Parameters(Xi=2.0).replace(K=3).eps == pytest.approx(eps_from_Xi(2.0, 3))
    with pytest.raises(ValueError, match=r"unknown parameter\(s\) \['foo'\]"):
        p.replace(foo=1.0)                          # dataclasses.replace raised TypeError


def test_regression_eps_xi_conversion_overflow_is_ValueError():
    # 1/(Xi ln K) overflowed to eps = -inf (RuntimeWarning); (1 - eps) ln K to Xi = 0 (RuntimeWarning)
    with pytest.raises(ValueError, match=r"^Xi must be > 5.06e-309 for K = 3.0"):
        eps_from_Xi(1e-320, 3)
    with pytest.raises(ValueError, match=r"^eps must be > -2.6e\+305 for K = 1e\+300"):
        Xi_from_eps(-1e308, 1e300)
    with pytest.raises(ValueError, match="^Xi must be"):
        Parameters(K=3, Xi=1e-320)
    with pytest.raises(ValueError, match="do not broadcast"):
        eps_from_Xi(np.ones(3), np.full(4, 3.0))


def test_regression_scalar_or_array_refuses_non_numbers():
    from nblm_helpers.parameters import scalar_or_array

    for bad in (None, 10**400, 1j, "a"):
        with pytest.raises(ValueError, match="expected a number"):
            scalar_or_array(bad)                    # None gave NaN; 10**400 OverflowError; 1j TypeError


def test_regression_resolve_eps_validates_K_even_when_unused():
    # resolve_eps(0.5, None, K) ignored K entirely: K = nan, "0.5" or 1j were accepted silently
    for bad in (math.nan, "0.5", 1j, math.inf, 1.0):
        with pytest.raises(ValueError, match="^K must be"):
            resolve_eps(0.5, None, bad)


def test_regression_eps_from_huge_xi_stays_below_one():
    # 1 - 1/(Xi ln K) rounded to exactly 1.0 for Xi ln K > 2^53; the solver then diverged
    # (eps = 1 makes every term of Eq. 19 grow) and exhausted memory
    from nblm_helpers.parameters import eps_from_Xi

    assert eps_from_Xi(1e100, 3.0) == np.nextafter(1.0, 0.0)
    assert np.all(eps_from_Xi(np.array([1e100, 1e20, 2.0]), 3.0) < 1.0)
    assert eps_from_Xi(2.0, 3.0) == 1.0 - 1.0 / (2.0 * math.log(3.0))
