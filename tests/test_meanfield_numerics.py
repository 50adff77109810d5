"""The private numerics of the mean-field solver against the SciPy code they replace, bit for bit.

``_numerics._find_root`` is SciPy's Chandrupatla (``scipy.optimize.elementwise.find_root``)
without SciPy's array-API layer (the widgets' frames are dominated by that layer's fixed cost);
it must return exactly what SciPy returns, for arbitrary functions and for the solver's own.
"""

from __future__ import annotations

import numpy as np
import pytest

from nblm_helpers import meanfield as mf
from nblm_helpers.meanfield import _numerics, boundary, roots

TOLS = [dict(xatol=1e-15, xrtol=4 * np.finfo(float).eps, fatol=1e-15, maxiter=80),   # the scan's
        dict(xatol=1e-15, xrtol=4 * np.finfo(float).eps, fatol=1e-15, maxiter=2046),  # eps_c's
        dict(xatol=1e-3, xrtol=1e-9, fatol=1e-300, maxiter=7)]                        # stops at maxiter

FUNCS = {
    "cubic": lambda x, c: x**3 - 2 * x - c,
    "flat tanh": lambda x, c: np.tanh(x - c) * 1e-3,
    "exp": lambda x, c: np.exp(x) - c,
    "cusp": lambda x, c: np.sign(x - c) * np.abs(x - c) ** 0.3,
    "step": lambda x, c: np.where(x < c, -1.0, 1.0),
    "plateaus": lambda x, c: np.round((x - c) * 1e12) / 1e12,
    "no sign change": lambda x, c: (x - c) ** 2 - 1e-20,
    "log": lambda x, c: np.log(x) - c,
    "nan": lambda x, c: np.where(x > c + 1, np.nan, x - c),
}


def _same(r1, r2):
    return all(np.asarray(u).dtype == np.asarray(v).dtype and np.array_equal(u, v, equal_nan=True)
               for u, v in zip(r1, r2))


@pytest.mark.parametrize("name", FUNCS)
def test_find_root_equals_scipy_bit_for_bit(name):
    f = FUNCS[name]
    rng = np.random.default_rng(abs(hash(name)) % 2**32)
    for trial in range(25):
        n = int(rng.integers(1, 50))
        c = rng.normal(size=n) * 3
        a = c - rng.uniform(1e-14, 10, n)
        b = c + rng.uniform(1e-14, 10, n)
        if name == "log":
            a = rng.uniform(0.01, 1, n)
            b = a + rng.uniform(0.1, 50, n)
        if trial % 5 == 0:
            a, b = b, a  # reversed brackets
        for tol in TOLS:
            with np.errstate(all="ignore"):
                mine = _numerics._find_root(f, a, b, (c,), **tol)
                ref = _numerics._find_root_scipy(f, a, b, (c,), **tol)
            assert _same(mine, ref), (name, trial, tol)


def test_find_root_equals_scipy_on_the_solvers_own_brackets(monkeypatch):
    """Every refinement the solver and the boundary make, run by both and compared."""
    calls = []

    def both(func, a, b, args=(), **kw):
        mine = _numerics._find_root(func, a, b, args, **kw)
        assert _same(mine, _numerics._find_root_scipy(func, a, b, args, **kw))
        calls.append(np.size(a))
        return mine

    monkeypatch.setattr(roots, "_find_root", both)
    monkeypatch.setattr(boundary, "_find_root", both)
    eps = np.linspace(-0.4, 0.95, 23)
    for sr in ("infinite", "square"):
        for nf in ("literal", "continuous"):
            kw = dict(K=3, N=10, s=0.5, sum_range=sr, nfast=nf)
            mf.solve_linewidth(eps=eps, gamma=0.01, warn=False, **kw)
            mf.critical_eps(gamma=np.array([1e-4, 0.01, 0.3]), **kw)
            mf.critical_coupling(eps=np.array([-0.3, -0.05]), **kw)
    mf.solve_linewidth(eps=np.linspace(0.01, 0.85, 12), gamma=0.05, K=3, N=10, s=0.5, equation="E3", warn=False)
    mf.solve_linewidth(eps=0.3, gamma=np.array([1e-3, 0.02]), K=10, N=40, s=np.array([[0.3], [1.0]]), warn=False)
    assert len(calls) >= 12


def test_logsumexp_equals_scipy_bit_for_bit():
    from scipy.special import logsumexp as ref

    rng = np.random.default_rng(7)
    special = np.array([-np.inf, np.inf, np.nan, 0.0, 700.0, -745.0, 1e308])
    for trial in range(400):
        shape = tuple(int(k) for k in rng.integers(1, 9, size=int(rng.integers(1, 4))))
        a = rng.normal(scale=10.0 ** rng.integers(-3, 4), size=shape)
        if trial % 3 == 0:  # ties of the maximum, infinities, NaN
            flat = a.ravel()
            k = rng.integers(0, flat.size, size=max(1, flat.size // 3))
            flat[k] = rng.choice(special[: 2 + trial % 6], size=k.size) if trial % 2 else flat.max()
        if trial % 7 == 0:
            a[...] = -np.inf if trial % 2 else a.ravel()[0]
        for axis in range(a.ndim):
            with np.errstate(all="ignore"):
                mine, want = _numerics.logsumexp(a, axis=axis), ref(a, axis=axis)
            assert type(mine) is type(want)
            assert np.array_equal(mine, want, equal_nan=True), (trial, axis, a)
