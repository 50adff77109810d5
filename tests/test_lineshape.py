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
