"""Tests of the phase boundary of Eq. (19): critical_coupling, critical_Xi and helpers."""

import math

import numpy as np
import pytest

from nblm_helpers import meanfield as mf
from nblm_helpers.parameters import ValidityWarning  # noqa: F401  (warnings are errors in pytest)

READINGS = [(sr, nf) for sr in mf.SUM_RANGES for nf in mf.NFAST_READINGS]
P3 = dict(K=3, N=10, s=0.5, d=1)


def _status(eps, gamma, sr, nf, pars):
    return mf.solve_linewidth(eps=eps, gamma=gamma, sum_range=sr, nfast=nf, warn=False, **pars).status


@pytest.mark.parametrize("sr,nf", READINGS)
def test_ln_F_zero_table_matches_ln_F_zero(sr, nf):
    rng = np.random.default_rng(7)
    g = np.exp(rng.uniform(-25, 0, 30))
    e = rng.uniform(-1.5, 0.9, 30)
    tab = mf.ln_F_zero_table(gamma=g, eps=e, sum_range=sr, nfast=nf, **P3)
    ref = np.array([mf.ln_F_zero(gamma=gg, eps=ee, sum_range=sr, nfast=nf, **P3)[0] for gg, ee in zip(g, e)])
    fin = np.isfinite(ref)
    np.testing.assert_allclose(tab[fin], ref[fin], rtol=0, atol=1e-12)
    assert np.all(np.isposinf(tab[~fin]))
    # broadcasting: (gamma column) x (eps row)
    grid = mf.ln_F_zero_table(gamma=g[:4, None], eps=e[None, :5], sum_range=sr, nfast=nf, **P3)
    assert grid.shape == (4, 5)


@pytest.mark.parametrize("sr,nf", READINGS)
@pytest.mark.parametrize(
    "pars", [P3, dict(K=10, N=10, s=0.5, d=1), dict(K=1.7, N=6, s=0.3, d=2), dict(K=5, N=3, s=0.1, d=1)]
)
def test_critical_coupling_brackets_the_solver(sr, nf, pars):
    ell = math.log(pars["K"])
    for x in (0.02, 0.15, 0.4):
        eps = -x / ell
        gc = mf.critical_coupling(eps=eps, sum_range=sr, nfast=nf, **pars)
        if not 0.0 < gc < 0.999:
            continue
        assert _status(eps, gc * (1 + 1e-7), sr, nf, pars) != "localized"
        assert _status(eps, gc * (1 - 1e-7), sr, nf, pars) == "localized"
        # and every smaller coupling is localized (gamma_c is the smallest)
        below = gc * np.logspace(-6, -1e-4, 25)
        assert np.all(mf.ln_F_zero_table(gamma=below, eps=eps, sum_range=sr, nfast=nf, **pars) <= 0)


def test_critical_coupling_special_values():
    ell = math.log(3)
    # infinite sum, eps >= 0: any coupling gives a metal
    assert mf.critical_coupling(eps=0.0, **P3) == 0.0
    assert mf.critical_coupling(eps=0.3, nfast="continuous", **P3) == 0.0
    # square sum at eps >= 0: finite
    assert 0.0 < mf.critical_coupling(eps=0.0, sum_range="square", **P3) < 1.0
    # far on the localized side: no coupling below delta_m suffices
    assert mf.critical_coupling(eps=-2.0 / ell, **P3) == math.inf


@pytest.mark.parametrize("sr,nf", READINGS)
def test_critical_coupling_array_equals_scalar(sr, nf):
    ell = math.log(3)
    x = np.array([[-0.3, 0.0, 0.01], [0.1, 0.5, 1.5]])
    arr = mf.critical_coupling(eps=-x / ell, sum_range=sr, nfast=nf, **P3)
    assert arr.shape == x.shape
    for idx in np.ndindex(x.shape):
        sc = mf.critical_coupling(eps=float(-x[idx] / ell), sum_range=sr, nfast=nf, **P3)
        assert isinstance(sc, float)
        assert sc == arr[idx] or abs(math.log(sc) - math.log(arr[idx])) < 1e-12
    # xi instead of eps
    xi = 1.0 / ((1.0 + x / ell) * ell)
    np.testing.assert_allclose(mf.critical_coupling(Xi=xi, sum_range=sr, nfast=nf, **P3), arr, rtol=1e-10)


def test_critical_coupling_increases_with_distance_and_matches_asymptote():
    ell = math.log(3)
    x = np.linspace(0.001, 0.3, 60)
    gc = mf.critical_coupling(eps=-x / ell, nfast="continuous", **P3)
    assert np.all(np.diff(gc) > 0)
    asym = mf.critical_coupling_asymptote(eps=-1e-4 / ell, **P3)
    exact = mf.critical_coupling(eps=-1e-4 / ell, **P3)
    assert abs(math.log(exact / asym)) < 0.01


def test_literal_reentrance_is_detected_and_real():
    # small s N makes the literal drops of F0 large enough to re-localize
    pars = dict(K=3, N=2, s=0.1, d=1)
    ell = math.log(3)
    xs = np.linspace(0.001, 1.0, 400)
    found = [(x, r) for x, r in zip(xs, mf.literal_reentrance(eps=-xs / ell, **pars)) if r]
    assert found, "expected a re-entrant window for these parameters"
    x, r = found[0]
    g = r[0]
    eps = -x / ell
    assert mf.critical_coupling(eps=eps, **pars) < g
    assert _status(eps, g * (1 - 1e-9), "infinite", "literal", pars) != "localized"
    # gamma = K^-m itself still has n_m = 1 (Eq. 20's first branch includes gamma t = 1):
    # the localized window opens just above it
    assert _status(eps, g, "infinite", "literal", pars) != "localized"
    assert _status(eps, g * (1 + 1e-9), "infinite", "literal", pars) == "localized"
    assert mf.literal_reentrance(eps=eps, **pars) == r
    assert mf.literal_reentrance(eps=-0.1 / ell, **P3) == []


@pytest.mark.parametrize("sr,nf", READINGS)
@pytest.mark.parametrize("gamma", [1e-3, 1e-2, 0.1])
def test_critical_xi_brackets_the_solver(sr, nf, gamma):
    pars = dict(K=10, N=10, s=0.5, d=1)
    ec = mf.critical_eps(gamma=gamma, sum_range=sr, nfast=nf, **pars)
    xi_c = mf.critical_Xi(gamma=gamma, sum_range=sr, nfast=nf, **pars)
    assert xi_c == pytest.approx(1.0 / ((1.0 - ec) * math.log(10)), rel=1e-14)
    if sr == "infinite":
        assert ec < 0
    assert _status(ec + 1e-8, gamma, sr, nf, pars) == "root"
    assert _status(ec - 1e-8, gamma, sr, nf, pars) == "localized"


@pytest.mark.parametrize("equation", ["E3", "E2"])
def test_critical_xi_app_e(equation):
    pars = dict(gamma=0.1, K=3, N=10, s=0.5, d=1)
    ec = mf.critical_eps(equation=equation, **pars)
    assert mf.solve_linewidth(eps=ec + 1e-7, equation=equation, warn=False, **pars).status == "root"
    assert mf.solve_linewidth(eps=ec - 1e-7, equation=equation, warn=False, **pars).status == "localized"
    assert -0.2 < ec < -0.15  # solver notes: -0.176 (E3)


def test_critical_xi_array_and_inf():
    pars = dict(K=3, N=10, s=0.5, d=1)
    g = np.array([1e-3, 1e-2, 0.1])
    arr = mf.critical_Xi(gamma=g, **pars)
    assert arr.shape == (3,)
    for gg, v in zip(g, arr):
        assert mf.critical_Xi(gamma=float(gg), **pars) == v
    # square sum, tiny coupling: F0 <= 1 for every eps < 1 -> no metal at any Xi
    assert mf.critical_Xi(gamma=1e-12, sum_range="square", **pars) == math.inf


def test_eq23_edge_is_where_gamma_c_meets_the_bound():
    ell = math.log(3)
    for sr in mf.SUM_RANGES:
        x = mf.critical_coupling_eq23_edge(sum_range=sr, **P3)
        gc = mf.critical_coupling(eps=-x / ell, sum_range=sr, **P3)
        assert math.log(gc) == pytest.approx(-x - ell, abs=1e-8)


def test_eq21_reading():
    assert mf.eq21_ln_linewidth(eps=0.5, gamma=1e-2, K=3) == pytest.approx(2 * math.log(1e-2))
    with pytest.warns(ValidityWarning, match="Eq. \\(21\\).*eps <= 0 at 1 of 1"):
        assert mf.eq21_ln_linewidth(eps=-0.1, gamma=1e-2, K=3) == -math.inf
    assert mf.eq21_ln_linewidth(eps=-0.1, gamma=1e-2, K=3, warn=False) == -math.inf


@pytest.mark.parametrize(
    "call,name",
    [
        (lambda: mf.critical_coupling(eps=0.1, K=1.0, N=10, s=0.5), "K"),
        (lambda: mf.critical_coupling(eps=0.1, K=3, N=0, s=0.5), "N"),
        (lambda: mf.critical_coupling(eps=0.1, K=3, N=10, s=1.5), "s"),
        (lambda: mf.critical_coupling(eps=0.1, K=3, N=10, s=0.5, d=0), "d"),
        (lambda: mf.critical_coupling(eps=1.2, K=3, N=10, s=0.5), "eps"),
        (lambda: mf.critical_coupling(Xi=-1.0, K=3, N=10, s=0.5), "Xi"),
        (lambda: mf.critical_coupling(K=3, N=10, s=0.5), "eps"),
        (lambda: mf.critical_coupling(eps=0.1, K=3, N=10, s=0.5, sum_range="all"), "sum_range"),
        (lambda: mf.critical_coupling(eps=0.1, K=3, N=10, s=0.5, nfast="x"), "nfast"),
        (lambda: mf.critical_Xi(gamma=0.0, K=3, N=10, s=0.5), "gamma"),
        (lambda: mf.critical_Xi(gamma=0.1, K=3, N=10, s=0.5, equation="20"), "equation"),
        (lambda: mf.ln_F_zero_table(gamma=-1.0, eps=0.1, K=3, N=10, s=0.5), "gamma"),
        (lambda: mf.critical_coupling_eq23_edge(K=3, N=10, s=0.5, z=0), "z"),
    ],
)
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(ValueError, match=name):
        call()


@pytest.mark.parametrize("sr", mf.SUM_RANGES)
def test_eps_at_linewidth_matches_solver(sr):
    pars = dict(gamma=0.01, K=3, N=10, s=0.5, d=1, sum_range=sr)
    target = math.log(10 * 3.0**-10)
    e = mf.eps_at_linewidth(ln_Gamma=target, **pars)
    r = mf.solve_linewidth(eps=e, warn=False, **pars)
    assert r.ln_Gamma == pytest.approx(target, abs=1e-8)
    arr = mf.eps_at_linewidth(ln_Gamma=target, **{**pars, "gamma": [0.01, 0.02]})
    assert arr.shape == (2,) and arr[0] == e
    with pytest.raises(ValueError, match="ln_Gamma"):
        mf.eps_at_linewidth(ln_Gamma=math.log(0.01), **pars)
