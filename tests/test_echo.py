"""Tests of nblm_helpers.echo: exact Hahn echo of a qubit coupled to telegraph fluctuators."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nblm_helpers import echo
from nblm_helpers.lineshape import nfast_external

T = np.array([0.0, 0.05, 0.3, 1.0, 2.5, 7.0, 20.0])


@pytest.mark.parametrize("v", [0.0, 0.01, 0.5, 0.999, 1.0, 1.001, 3.0, 40.0])
def test_closed_form_matches_transfer_matrix(v):
    np.testing.assert_allclose(echo.telegraph_echo(T, v=v, Gamma=1.0), echo.telegraph_echo_expm(T, v=v, Gamma=1.0),
                               rtol=1e-11, atol=1e-300)


def test_closed_form_literature_shape():
    # psi = e^{-g t}[g^2/mu^2 cosh(mu t) + g/mu sinh(mu t) - v^2/mu^2], mu = sqrt(g^2 - v^2), written out
    g, v, t = 1.3, 0.7, 2.2
    mu = math.sqrt(g * g - v * v)
    ref = math.exp(-g * t) * (g * g / mu ** 2 * math.cosh(mu * t) + g / mu * math.sinh(mu * t) - v * v / mu ** 2)
    assert echo.telegraph_echo(t, v=v, Gamma=g) == pytest.approx(ref, rel=1e-13)
    g, v = 1.0, 5.0  # v > g: nu = sqrt(v^2 - g^2), cosh -> cos, sinh/mu -> sin/nu
    nu = math.sqrt(v * v - g * g)
    ref = math.exp(-g * t) * (-g * g / nu ** 2 * math.cos(nu * t) + g / nu * math.sin(nu * t) + v * v / nu ** 2)
    assert echo.telegraph_echo(t, v=v, Gamma=g) == pytest.approx(ref, rel=1e-13)
    # v = g exactly: e^{-g t}(1 + g t + (g t)^2/2)
    assert echo.telegraph_echo(t, v=1.0, Gamma=1.0) == pytest.approx(math.exp(-t) * (1 + t + t * t / 2), rel=1e-14)


@pytest.mark.parametrize("v, seed", [(3.0, 1), (0.4, 2)])
def test_monte_carlo_within_four_sigma(v, seed):
    t = np.array([0.3, 1.0, 2.0, 4.0])
    mean, err = echo.telegraph_echo_mc(t, v=v, Gamma=1.0, n_samples=20000, seed=seed)
    z = (mean - echo.telegraph_echo(t, v=v, Gamma=1.0)) / err
    assert np.all(np.abs(z) < 4), z
    # the test has power: the echo with the rate halved (each state left at gamma/2) is rejected
    if v == 3.0:
        z_wrong = (mean - echo.telegraph_echo(t, v=v, Gamma=0.5)) / err
        assert np.max(np.abs(z_wrong)) > 10


def test_monte_carlo_is_reproducible_and_shaped():
    a = echo.telegraph_echo_mc(1.0, v=2.0, Gamma=1.0, n_samples=500, seed=7)
    b = echo.telegraph_echo_mc(1.0, v=2.0, Gamma=1.0, n_samples=500, seed=7)
    assert a[0] == b[0] and np.shape(a[0]) == ()
    with pytest.raises(ValueError, match="max_flips"):
        echo.telegraph_echo_mc(50.0, v=2.0, Gamma=1.0, n_samples=100, seed=0, max_flips=5)


def test_strong_coupling_decays_at_the_flip_rate():
    # v >> gamma, t >> 1/gamma: psi -> e^{-gamma t}[1 + (gamma/v) sin(v t)]: rate gamma per fast neighbour
    g, v = 1.0, 1e3
    t = np.array([2.0, 5.0, 10.0])
    ratio = echo.telegraph_echo(t, v=v, Gamma=g) * np.exp(g * t)
    np.testing.assert_allclose(ratio, 1 + g / v * np.sin(np.sqrt(v * v - g * g) * t), atol=3 * (g / v) ** 2)
    assert echo.telegraph_late_rate(v=v, Gamma=g) == g


def test_weak_coupling_motional_narrowing():
    g, v = 1.0, 0.01
    t = np.array([10.0, 100.0, 1000.0])
    np.testing.assert_allclose(echo.telegraph_echo(t, v=v, Gamma=g), np.exp(-v * v * t / (2 * g)), rtol=1e-4)
    assert echo.telegraph_late_rate(v=v, Gamma=g) == pytest.approx(v * v / (2 * g), rel=1e-4)


@settings(max_examples=50, deadline=None)
@given(v=st.floats(0, 50), g=st.floats(0.01, 10), t=st.floats(0, 30))
def test_echo_properties(v, g, t):
    psi = echo.telegraph_echo(t, v=v, Gamma=g)
    assert 0.0 <= psi <= 1.0 + 1e-15
    assert psi == pytest.approx(echo.telegraph_echo_expm(t, v=v, Gamma=g), rel=1e-9, abs=1e-250)
    # continuity where the evaluation switches from the Taylor series to cosh/cos (|mu t| = 1)
    if t > 0 and g * t > 1.01:
        for sign in (1.0, -1.0):          # mu^2 = +-1/t^2: v = sqrt(g^2 -+ 1/t^2)
            v_edge = [math.sqrt(g * g - sign * (1 + e) / t ** 2) for e in (1e-10, -1e-10)]
            a, b = (echo.telegraph_echo(t, v=ve, Gamma=g) for ve in v_edge)
            assert a == pytest.approx(b, rel=1e-8, abs=1e-300)


LAT = dict(J=1000.0, xi=4.0, Gamma_b=1.0)


def test_lattice_late_limit_and_sides():
    late = echo.lattice_nfast_late(**LAT)
    # every neighbour with v_r >= Gamma_b counts 1: r <= xi ln(J/Gamma_b) = 27.6 -> 27 of them, plus weak ones
    assert 27 < late < 27 + 2
    assert echo.lattice_nfast(200.0, **LAT) == pytest.approx(late, rel=2e-2)
    assert echo.lattice_nfast_late(sides=2, **LAT) == pytest.approx(2 * late, rel=1e-14)
    t = np.geomspace(1e-4, 10, 9)
    np.testing.assert_allclose(echo.lattice_nfast(t, sides=2, **LAT), 2 * echo.lattice_nfast(t, **LAT), rtol=1e-12)
    assert np.all(np.diff(echo.lattice_nfast(t, **LAT)) > 0)
    assert echo.lattice_echo(1.0, **LAT) == pytest.approx(math.exp(-echo.lattice_nfast(1.0, **LAT)), rel=1e-12)


def test_lattice_middle_times_follow_eq11_one_side():
    # 1/J << t << 1/Gamma_b: the exact one-sided count grows like xi ln(J t) up to an O(1) offset
    t = np.array([0.03, 0.1, 0.3])
    exact = echo.lattice_nfast(t, **LAT)
    eq11 = nfast_external(t, Gamma_b=1.0, s_xi_d=4.0, J=1000.0)
    np.testing.assert_allclose(np.diff(exact), np.diff(eq11), rtol=0.1)
    assert np.all(np.abs(exact - eq11) < 3)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: echo.telegraph_echo(1.0, v=-1.0, Gamma=1.0), "^v must"),
        (lambda: echo.telegraph_echo(1.0, v=1.0, Gamma=0.0), "^Gamma must"),
        (lambda: echo.telegraph_echo(-1.0, v=1.0, Gamma=1.0), "^t must"),
        (lambda: echo.telegraph_echo_expm(np.inf, v=1.0, Gamma=1.0), "^t must"),
        (lambda: echo.telegraph_echo_mc(1.0, v=1.0, Gamma=1.0, n_samples=1), "^n_samples must"),
        (lambda: echo.lattice_echo(1.0, sides=3, **LAT), "^sides must"),
        (lambda: echo.lattice_nfast(0.0, **LAT), "^t must"),
        (lambda: echo.lattice_couplings(J=1000.0, xi=0.0, Gamma_b=1.0), "^xi must"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ---------------------------------------------------------------------------
# Hardening (regression tests): resource bounds, extreme inputs, no warnings
# ---------------------------------------------------------------------------

import time  # noqa: E402
import warnings  # noqa: E402


def _loop_log_echo(t, J, xi, Gamma_b, sides=1, cutoff=1e-12):
    """ln psi of the chain as the helper used to compute it: one telegraph factor per distinct coupling."""
    v = echo.lattice_couplings(J=J, xi=xi, Gamma_b=Gamma_b, sides=sides, cutoff=cutoff)
    values, counts = np.unique(v, return_counts=True)
    out = np.zeros_like(np.asarray(t, dtype=float))
    for vr, c in zip(values, counts):
        out += c * echo._log_echo(np.asarray(t, dtype=float), float(vr), Gamma_b)   # ln of telegraph_echo
    return out


def test_regression_lattice_echo_huge_xi():
    # was: xi = 1e4 took 18 s (a Python loop over 2.8e5 couplings), xi = 1e6 hung, xi = 1e9 tried 257 GiB
    t0 = time.perf_counter()
    psi = echo.lattice_echo(1.0, J=1.0, xi=1e4, Gamma_b=1.0)
    assert time.perf_counter() - t0 < 2.0
    assert 0.0 < psi < 1e-150
    for xi in (1e6, 1e9, 1e300):
        with pytest.raises(ValueError, match=r"^xi = .* the largest xi that works .* is 144765"):
            echo.lattice_echo(1.0, J=1.0, xi=xi, Gamma_b=1.0)
    # many times: the bound is on couplings x times, and names the largest xi for those times
    with pytest.raises(ValueError, match=r"^xi = 1000.0 with 300 time\(s\) .* largest xi"):
        echo.lattice_nfast(np.geomspace(1e-3, 10, 300), J=1.0, xi=1e3, Gamma_b=1.0)
    # the vectorised sum is the loop over couplings, bit for bit
    t = np.geomspace(1e-4, 50.0, 23)
    for pars in (LAT, dict(J=30.0, xi=60.0, Gamma_b=0.5, sides=2)):
        np.testing.assert_array_equal(echo._lattice_log_echo(t, pars['J'], pars['xi'], pars['Gamma_b'],
                                                            pars.get('sides', 1), 1e-12), _loop_log_echo(t, **pars))
        np.testing.assert_array_equal(echo.lattice_echo(t, **pars), np.exp(_loop_log_echo(t, **pars)))


def test_regression_lattice_extreme_parameters():
    # was: OverflowError (J/(cutoff Gamma_b) overflowing to inf), ZeroDivisionError (cutoff*Gamma_b = 0),
    # NaN at t = 1e300 (sin/cos of inf) and RuntimeWarnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert echo.lattice_couplings(J=1e300, xi=1.0, Gamma_b=1.0).size == 718   # floor(xi ln(1e312))
        assert echo.lattice_couplings(J=1.0, xi=1.0, Gamma_b=5e-324).size == 772   # the last ones underflow to 0
        assert echo.lattice_couplings(J=1.0, xi=5e-324, Gamma_b=1.0).tolist() == [0.0]
        assert echo.lattice_echo(1e300, **LAT) == 0.0
        assert echo.lattice_nfast(1e300, **LAT) == echo.lattice_nfast_late(**LAT)
        assert echo.lattice_nfast(1.7e308, **LAT) == echo.lattice_nfast_late(**LAT)
        assert echo.lattice_nfast(1e-300, **LAT) == 0.0
        n = echo.lattice_nfast(np.array([1e-3, 1.0]), J=1e300, xi=1.0, Gamma_b=1e300)
        assert np.all(np.isfinite(n)) and np.all(n >= 0)
    for bad in (0, 3, 1.5, "1", True, np.array([1, 2])):
        with pytest.raises(ValueError, match="^sides must be 1"):
            echo.lattice_couplings(sides=bad, **LAT)
    for name in ("J", "xi", "Gamma_b"):
        with pytest.raises(ValueError, match=rf"^{name} must be a single real number"):
            echo.lattice_echo(1.0, **dict(LAT, **{name: [1.0, 2.0]}))


def test_regression_telegraph_echo_mc_huge_n_samples():
    # was: 29 GiB for n_samples = 1e8; now a ValueError naming the largest n_samples that runs (~1.5 s)
    t0 = time.perf_counter()
    for n in (10**8, 10**9, 10**400 // 10**390):
        with pytest.raises(ValueError, match=r"^n_samples = .* the largest n_samples that works here is 500000"):
            echo.telegraph_echo_mc(1.0, v=1.0, Gamma=1.0, n_samples=n)
    with pytest.raises(ValueError, match=r"^t and Gamma: Gamma \* max\(t\) = 1e\+08"):
        echo.telegraph_echo_mc(1e8, v=1.0, Gamma=1.0, n_samples=2)
    with pytest.raises(ValueError, match="^max_flips = 1000000000"):
        echo.telegraph_echo_mc(1.0, v=1.0, Gamma=1.0, max_flips=10**9)
    with pytest.raises(ValueError, match=r"^v \* max\(t\) must be <= 1e300"):
        echo.telegraph_echo_mc(1e10, v=1e300, Gamma=1e-20, n_samples=2)
    with pytest.raises(ValueError, match="^Gamma must be >= "):
        echo.telegraph_echo_mc(1.0, v=1.0, Gamma=5e-324)
    assert time.perf_counter() - t0 < 0.5


def test_regression_telegraph_echo_mc_streams_in_blocks(monkeypatch):
    # more samples than one block: the same draws, pooled mean and standard error
    t = np.array([0.5, 2.0])
    one = echo.telegraph_echo_mc(t, v=3.0, Gamma=1.0, n_samples=5000, seed=11)
    monkeypatch.setattr(echo, "_MC_CHUNK", 7 * 38)          # 7 samples per block (38 waiting times each)
    blocks = echo.telegraph_echo_mc(t, v=3.0, Gamma=1.0, n_samples=5000, seed=11)
    np.testing.assert_allclose(blocks[0], one[0], rtol=1e-13)
    np.testing.assert_allclose(blocks[1], one[1], rtol=1e-10)


def test_regression_telegraph_echo_extreme_values():
    # was: NaN for t = 1e300 (cosh/cos of (mu t)^2 = inf), v or gamma = 1e300, and overflow warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert echo.telegraph_echo(1e300, v=1.0, Gamma=1.0) == 0.0
        assert echo.telegraph_echo(np.array([1e-300, 1e300]), v=1e300, Gamma=1.0).tolist() == [1.0, 0.0]
        assert echo.telegraph_echo(1.0, v=1.0, Gamma=1e300) == 1.0          # motional narrowing: v^2/gamma -> 0
        assert echo.telegraph_echo(1.7e308, v=1.7e308, Gamma=1.7e308) == 0.0
        # motional narrowing far outside the plain range: psi = exp(-v^2 t/(2 gamma))
        assert echo.telegraph_echo(1e300, v=1e-100, Gamma=1e100) == pytest.approx(math.exp(-0.5), rel=1e-12)
        assert echo.telegraph_echo(1e250, v=2e-250, Gamma=1e-250) == pytest.approx(
            echo.telegraph_echo(1.0, v=2.0, Gamma=1.0), rel=1e-12)      # psi depends on v/gamma, gamma t only
        assert echo.telegraph_late_rate(v=np.array([0.5, 1e300]), Gamma=1.0).tolist() == pytest.approx(
            [1 - math.sqrt(0.75), 1.0])
        assert echo.telegraph_late_rate(v=1e299, Gamma=1e300) == pytest.approx(1e300 * 0.01 / (1 + math.sqrt(0.99)))
        assert echo.telegraph_late_rate(v=1.0, Gamma=5e-324) == 5e-324
    # v = 0: no coupling, no dephasing (exactly 1)
    assert echo.telegraph_echo(np.array([0.0, 3.0, 1e300]), v=0.0, Gamma=2.0).tolist() == [1.0, 1.0, 1.0]
    with pytest.raises(ValueError, match="^v must be a single real number"):
        echo.telegraph_echo(1.0, v=[1.0, 2.0], Gamma=1.0)
    with pytest.raises(ValueError, match="^t must have at most MAX_TIMES"):
        echo.telegraph_echo(np.zeros(echo.MAX_TIMES + 1), v=1.0, Gamma=1.0)


def test_regression_telegraph_echo_expm_limits():
    # was: NaN from scipy's expm for (gamma + v) t ~ 1e300; now refused beyond 1e6, with the largest t
    with pytest.raises(ValueError, match=r"^t must satisfy \(Gamma \+ v\) \* max\(t\) <= 1e\+06.* largest t .* 500000"):
        echo.telegraph_echo_expm(1e300, v=1.0, Gamma=1.0)
    with pytest.raises(ValueError, match="^t must have at most MAX_EXPM_TIMES"):
        echo.telegraph_echo_expm(np.zeros(echo.MAX_EXPM_TIMES + 1), v=1.0, Gamma=1.0)
    assert echo.telegraph_echo_expm(2e5, v=2.0, Gamma=1.0) == 0.0


def test_lattice_nfast_has_no_tie_at_Jt_equal_1():
    # the exact count is smooth through t = 1/J (Eq. 11's tie convention concerns only the piecewise formula)
    t = 1e-3 * np.array([1 - 1e-9, 1.0, 1 + 1e-9])
    n = echo.lattice_nfast(t, **LAT)
    assert np.all(np.diff(n) > 0) and n[2] - n[0] < 1e-6 * n[1]
