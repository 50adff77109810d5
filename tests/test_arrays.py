"""Tests of nblm_helpers.arrays: inhomogeneous arrays of dots (issue 16, part 1).

The homogeneous limit (every dot = meanfield.solve_linewidth, both sum ranges, chain and square
lattice), the bond kernel against Eq. (19) and against the double sum over (n, p) of Eq. (18),
seeds, statuses, the residual, the periodic clusters and the validation.
"""

import math
import warnings

import numpy as np
import pytest

from nblm_helpers import arrays, meanfield
from nblm_helpers.arrays import _kernel
from nblm_helpers.arrays.solve import MAX_DOTS
from nblm_helpers.parameters import ValidityWarning

KW = dict(gamma=0.1, K=3.0, N=10, s=0.5)


def _homogeneous(eps, d, sum_range="infinite", nfast="literal", **kw):
    p = {**KW, **kw}
    return meanfield.solve_linewidth(eps=eps, d=d, sum_range=sum_range, nfast=nfast, warn=False, **p)


# ----------------------------------------------------------------------------- the bond kernel


@pytest.mark.parametrize("sum_range", ["infinite", "square"])
@pytest.mark.parametrize("nfast", ["literal", "continuous"])
def test_kernel_equals_eq19_for_equal_eps(sum_range, nfast):
    eps = np.array([-0.3, -0.05, 0.0, 0.2, 0.6])
    opts = dict(**KW, d=2, sum_range=sum_range, nfast=nfast)
    k = _kernel.BondKernel(eps_sys=eps, eps_bath=eps, **opts)
    for x in (-2.31, -3.0, -8.0, -15.0, -40.0, -200.0):
        lnF, _ = k.evaluate(np.full(eps.size, x))
        ref = meanfield.self_consistency_ratio(x, eps=eps, **opts)[0]
        np.testing.assert_allclose(lnF, ref, rtol=0, atol=1e-13)


@pytest.mark.parametrize("sum_range", ["infinite", "square"])
def test_kernel_derivative_matches_finite_difference(sum_range):
    es, eb = np.array([-0.2, 0.1, 0.3]), np.array([0.05, -0.4, 0.3])
    k = _kernel.BondKernel(eps_sys=es, eps_bath=eb, **KW, d=1, sum_range=sum_range, nfast="continuous")
    for x in (-4.0, -9.0, -20.0):
        _, d = k.evaluate(np.full(3, x))
        h = 1e-6
        fd = (k.evaluate(np.full(3, x + h))[0] - k.evaluate(np.full(3, x - h))[0]) / (2 * h)
        np.testing.assert_allclose(d, fd, rtol=0, atol=1e-7)


@pytest.mark.parametrize("sum_range", ["infinite", "square"])
def test_kernel_is_the_double_sum_of_eq18(sum_range):
    """F_IJ against the literal sum over n, p of S_{Gamma_J}(K^-(n+p)) e^{-2n/Xi_I} e^{-2p/Xi_J} / Gamma_J."""
    gamma, K, N, s, d = 0.2, 2.0, 12, 0.5, 1
    eI, eJ = -0.15, 0.35
    XiI, XiJ = 1 / ((1 - eI) * math.log(K)), 1 / ((1 - eJ) * math.log(K))
    k = _kernel.BondKernel(eps_sys=[eI], eps_bath=[eJ], gamma=gamma, K=K, N=N, s=s, d=d, sum_range=sum_range,
                           nfast="literal")
    nmax = N if sum_range == "square" else 400
    n = np.arange(1, nmax + 1, dtype=float)
    for x in (-3.0, -7.0, -12.0):
        Gam = math.exp(x)
        omega = K ** -(n[:, None] + n[None, :])
        S = meanfield.bath_lineshape(omega, Gamma=Gam, gamma=gamma, s=s, N=N, d=d)
        tot = gamma**2 * np.sum(S * np.exp(-2 * n[:, None] / XiI - 2 * n[None, :] / XiJ)) / Gam
        lnF, _ = k.evaluate(np.array([x]))
        assert lnF[0] == pytest.approx(math.log(tot), abs=1e-12)


def test_kernel_weights_symmetric_and_near_equal_eps_continuous():
    """W_m is symmetric in (eps_I, eps_J) and continuous at eps_I = eps_J (no cancellation)."""
    e = 0.1
    k = _kernel.BondKernel(eps_sys=[e, e + 1e-9, e - 1e-9, e + 0.2], eps_bath=[e, e - 1e-9, e + 1e-9, e],
                           **KW, d=1, sum_range="infinite", nfast="literal")
    k2 = _kernel.BondKernel(eps_sys=[e], eps_bath=[e + 0.2], **KW, d=1, sum_range="infinite", nfast="literal")
    for x in (-3.0, -10.0):
        v, _ = k.evaluate(np.full(4, x))
        assert abs(v[1] - v[0]) < 1e-8 and v[1] == v[2]
        assert v[3] == pytest.approx(k2.evaluate(np.array([x]))[0][0], abs=1e-14)


# ----------------------------------------------------------------------------- homogeneous limit


@pytest.mark.parametrize("sum_range", ["infinite", "square"])
@pytest.mark.parametrize("shape", [(12,), (6, 6)])
def test_homogeneous_limit_equals_solve_linewidth(sum_range, shape):
    for eps in (-0.05, 0.0, 0.2):
        ref = _homogeneous(eps, len(shape), sum_range)
        assert ref.status == "root" and ref.ln_Gamma > -KW["N"] * math.log(KW["K"])
        r = arrays.solve_dot_array(shape=shape, eps=eps, sum_range=sum_range, **KW)
        assert r.converged and np.all(r.status == "metallic")
        assert np.max(np.abs(r.ln_Gamma - ref.ln_Gamma)) <= 1e-8
        # from a perturbed start the Newton iteration comes back to the same solution
        start = ref.ln_Gamma + 0.3 + np.random.default_rng(1).normal(0, 0.5, shape)
        r2 = arrays.solve_dot_array(shape=shape, eps=eps, sum_range=sum_range, start=start, **KW)
        assert r2.converged and r2.iterations >= 2
        assert np.max(np.abs(r2.ln_Gamma - ref.ln_Gamma)) <= 1e-8


def test_homogeneous_limit_continuous_reading_and_deeper_floor():
    for eps in (-0.2, -0.15):
        ref = _homogeneous(eps, 2, nfast="continuous")
        r = arrays.solve_dot_array(shape=(5, 5), eps=eps, nfast="continuous", ln_Gamma_floor=-60.0, **KW)
        assert np.max(np.abs(r.ln_Gamma - ref.ln_Gamma)) <= 1e-8


def test_homogeneous_localized_and_below_floor():
    eps_c = meanfield.critical_eps(**KW, d=1)
    r = arrays.solve_dot_array(shape=(10,), eps=eps_c - 0.05, ln_Gamma_floor=-200.0, **KW)
    assert _homogeneous(eps_c - 0.05, 1).status == "localized"
    assert np.all(r.status == "localized") and np.all(r.ln_Gamma == -np.inf) and r.converged
    # a homogeneous root below the default floor -N ln K: every dot localized (Sec. IV B)
    ref = _homogeneous(-0.1, 1)
    assert ref.status == "root" and ref.ln_Gamma < -KW["N"] * math.log(KW["K"])
    r = arrays.solve_dot_array(shape=(10,), eps=-0.1, **KW)
    assert np.all(r.status == "localized")


def test_coupling_below_level_spacing_localizes_everything():
    r = arrays.solve_dot_array(shape=(4, 4), eps=0.3, gamma=1e-6, K=3.0, N=10, s=0.5)
    assert np.all(r.status == "localized") and r.converged and r.iterations == 0


# ----------------------------------------------------------------------------- inhomogeneous


def test_seeds_reproducible_and_different():
    a = arrays.solve_dot_array(shape=(16, 16), eps=-0.1, eps_spread=0.3, seed=3, **KW)
    b = arrays.solve_dot_array(shape=(16, 16), eps=-0.1, eps_spread=0.3, seed=3, **KW)
    c = arrays.solve_dot_array(shape=(16, 16), eps=-0.1, eps_spread=0.3, seed=4, **KW)
    assert np.array_equal(a.eps, b.eps) and np.array_equal(a.ln_Gamma, b.ln_Gamma)
    assert not np.array_equal(a.eps, c.eps)
    assert np.array_equal(a.eps, arrays.draw_eps(shape=(16, 16), eps=-0.1, eps_spread=0.3, seed=3))
    assert a.eps.min() >= -0.4 and a.eps.max() <= 0.2


def test_inhomogeneous_solution_is_self_consistent():
    """Every metallic dot satisfies Gamma_I = (1/z) sum_J Gamma_J F_IJ(Gamma_J), checked independently."""
    shape = (10, 10)
    r = arrays.solve_dot_array(shape=shape, eps=-0.12, eps_spread=0.3, seed=7, **KW)
    assert r.converged and r.residual <= 1e-10
    st = set(np.unique(r.status))
    assert st == {"metallic", "localized"}
    nbr = arrays.neighbours(shape)
    e, x = r.eps.ravel(), r.ln_Gamma.ravel()
    floor = r.options["ln_Gamma_floor"]
    assert floor == -KW["N"] * math.log(KW["K"])
    for i in range(e.size):
        terms = []
        for j in nbr[i]:
            if np.isfinite(x[j]):
                lnF = _kernel.BondKernel(eps_sys=[e[i]], eps_bath=[e[j]], **KW, d=2, sum_range="infinite",
                                         nfast="literal").evaluate(np.array([x[j]]))[0][0]
                terms.append(x[j] + lnF)
        T = np.logaddexp.reduce(terms) - math.log(4) if terms else -np.inf
        if np.isfinite(x[i]):
            assert abs(x[i] - T) <= 1e-9
            assert x[i] >= floor
        else:
            assert T < floor


def test_result_fields_and_options():
    r = arrays.solve_dot_array(shape=8, eps=0.0, eps_spread=0.1, seed=1, **KW)
    assert r.ln_Gamma.shape == r.status.shape == r.eps.shape == (8,)
    assert r.options["d"] == 1 and r.options["shape"] == (8,) and r.options["eps_spread"] == 0.1
    assert isinstance(r.iterations, int) and isinstance(r.residual, float)
    r2 = arrays.solve_dot_array(shape=(4, 4), eps=0.0, **KW)
    assert r2.options["d"] == 2


def test_above_gamma_warns():
    with pytest.warns(ValidityWarning, match="above_gamma"):
        r = arrays.solve_dot_array(shape=(4,), eps=0.9, gamma=0.5, K=3.0, N=10, s=1.0)
    assert np.all(r.status == "above_gamma") and np.all(np.isfinite(r.ln_Gamma))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        arrays.solve_dot_array(shape=(4,), eps=0.9, gamma=0.5, K=3.0, N=10, s=1.0, warn=False)


def test_non_convergence_is_reported():
    with pytest.warns(ValidityWarning, match="no convergence"):
        r = arrays.solve_dot_array(shape=(16, 16), eps=-0.1, eps_spread=0.5, max_iter=1, **KW)
    assert not r.converged and r.iterations == 1 and r.residual > r.options["tol"]


# ----------------------------------------------------------------------------- clusters


def test_clusters_wrap_periodically():
    m = np.zeros((6, 6), bool)
    m[0, 0] = m[5, 0] = m[0, 5] = True  # one cluster across both boundaries
    m[2, 2] = m[2, 3] = True
    m[4, 3] = True
    c = arrays.metallic_clusters(m)
    assert list(c.sizes) == [3, 2, 1]
    assert c.labels[0, 0] == c.labels[5, 0] == c.labels[0, 5] == 1
    assert c.labels[4, 4] == 0
    size, count = c.size_distribution()
    assert list(size) == [1, 2, 3] and list(count) == [1, 1, 1]
    chain = np.array([True, False, True, True, False, True])
    cc = arrays.metallic_clusters(chain)
    assert list(cc.sizes) == [2, 2] and cc.labels[0] == cc.labels[5]
    full = arrays.metallic_clusters(np.ones((3, 3), bool))
    assert list(full.sizes) == [9]
    assert list(arrays.metallic_clusters(np.zeros(4, bool)).sizes) == []


def test_clusters_and_fraction_of_a_solution():
    r = arrays.solve_dot_array(shape=(16, 16), eps=-0.2, eps_spread=0.3, seed=2, **KW)
    c = arrays.metallic_clusters(r)
    assert c.sizes.sum() == np.count_nonzero(r.metallic)
    assert arrays.metallic_fraction(r) == pytest.approx(c.sizes.sum() / 256)
    assert 0 < arrays.metallic_fraction(r) < 1


def test_fraction_curve_rises_and_brackets_the_homogeneous_transition():
    eps = np.linspace(-0.3, 0.0, 7)
    fc = arrays.metallic_fraction_curve(eps=eps, seeds=[0, 1], shape=(8, 8), eps_spread=0.0, **KW)
    assert fc.fraction.shape == (2, 7) and fc.converged.all()
    assert fc.eps_c == pytest.approx(meanfield.critical_eps(**KW, d=2))
    assert fc.Xi_c == pytest.approx(meanfield.critical_Xi(**KW, d=2), rel=1e-12)
    # spread 0: the array switches where the homogeneous linewidth crosses the floor
    assert np.all(fc.fraction[:, eps < fc.eps_floor] == 0) and np.all(fc.fraction[:, eps > fc.eps_floor] == 1)
    fs = arrays.metallic_fraction_curve(eps=eps, seeds=[0, 1], shape=(8, 8), eps_spread=0.3, **KW)
    assert np.all(np.diff(fs.fraction.mean(axis=0)) >= -0.05)
    # with disorder, metallic dots below the homogeneous transition
    assert fs.fraction[:, eps < fc.eps_floor].max() > 0
    one = arrays.metallic_fraction_curve(eps=eps[2], seeds=1, shape=(8, 8), eps_spread=0.3, **KW)
    assert one.fraction[0, 0] == fs.fraction[1, 2]


# ----------------------------------------------------------------------------- validation


@pytest.mark.parametrize("kw, name", [
    (dict(shape=(4, 5)), "shape"),
    (dict(shape=(2, 2, 2)), "shape"),
    (dict(shape=(0,)), "shape"),
    (dict(shape=(1024, 1024)), "shape"),
    (dict(eps=1.0), "eps"),
    (dict(eps=0.5, eps_spread=0.6), "eps_spread"),
    (dict(eps_spread=-0.1), "eps_spread"),
    (dict(seed=-1), "seed"),
    (dict(gamma=0.0), "gamma"),
    (dict(K=1.0), "K"),
    (dict(N=0), "N"),
    (dict(s=1.5), "s"),
    (dict(sum_range="all"), "sum_range"),
    (dict(nfast="x"), "nfast"),
    (dict(sum_range="square", N=5000), "N"),
    (dict(N=10**6), "ln_Gamma_floor"),
    (dict(ln_Gamma_floor=-1e5), "ln_Gamma_floor"),
    (dict(tol=0.0), "tol"),
    (dict(max_iter=0), "max_iter"),
    (dict(start=np.zeros(3)), "start"),
    (dict(start=np.full((4,), np.nan)), "start"),
    (dict(warn="yes"), "warn"),
])
def test_validation(kw, name):
    args = dict(shape=(4,), eps=0.0, **KW)
    args.update(kw)
    with pytest.raises(ValueError, match=name):
        arrays.solve_dot_array(**args)


def test_validation_helpers():
    with pytest.raises(ValueError, match="metallic"):
        arrays.metallic_fraction(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="metallic"):
        arrays.metallic_clusters([[True], [False, True]])
    with pytest.raises(ValueError, match="seeds"):
        arrays.metallic_fraction_curve(eps=[0.0], seeds=[-1], shape=(4,), **KW)
    with pytest.raises(ValueError, match="eps"):
        arrays.metallic_fraction_curve(eps=np.zeros(20000), seeds=[0], shape=(4,), **KW)
    assert MAX_DOTS == 512 * 512


def test_seed_range_exact():
    """Seeds are integers in [0, 2**63), checked exactly (not through a float)."""
    a = arrays.draw_eps(shape=(3,), eps=0.0, eps_spread=0.1, seed=2**63 - 1)
    b = arrays.draw_eps(shape=(3,), eps=0.0, eps_spread=0.1, seed=2**63 - 2)
    assert not np.array_equal(a, b)
    assert np.array_equal(arrays.draw_eps(shape=(3,), eps=0.0, eps_spread=0.1, seed=5.0),
                          arrays.draw_eps(shape=(3,), eps=0.0, eps_spread=0.1, seed=np.int64(5)))
    for bad in (2**63, -1, 1.5, True, "3", float(2**60)):
        with pytest.raises(ValueError, match="seed"):
            arrays.draw_eps(shape=(3,), eps=0.0, eps_spread=0.1, seed=bad)
