"""Golden record of every public result of :mod:`nblm_helpers.meanfield` (refactoring guard).

``python tests/golden_meanfield.py record PATH`` stores every output (values, result fields,
exception types and messages, warning categories and messages) of a fixed set of calls;
``python tests/golden_meanfield.py check PATH`` recomputes them and requires exact equality
(``np.array_equal(..., equal_nan=True)``, identical messages).  Not collected by pytest.
"""

from __future__ import annotations

import dataclasses
import math
import pickle
import sys
import warnings

import numpy as np

from nblm_helpers import meanfield as mf

#: Result fields added after the record was made (not compared): LinewidthResult.validity.
ADDED_FIELDS = {"validity"}
#: Keys of LinewidthResult.options added after the record was made (not compared): issue 13's
#: ``summation`` and ``integral_limits`` (their defaults reproduce the recorded results).
ADDED_OPTION_KEYS = {"summation", "integral_limits"}

BASE = dict(gamma=0.1, K=3, N=10, s=0.5)
EPS_S = [0.5, 0.2, 0.0, -0.05, -0.3, 0.9]
EPS_A = np.array([[-0.3, -0.05, 0.0], [0.2, 0.5, 0.9]])


def _norm(v):
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        return ("dc", type(v).__name__, tuple((f.name, _norm(getattr(v, f.name))) for f in dataclasses.fields(v)
                                               if f.name not in ADDED_FIELDS))
    if isinstance(v, dict):
        return ("dict", tuple((k, _norm(v[k])) for k in v if k not in ADDED_OPTION_KEYS))
    if isinstance(v, (tuple, list)):
        return (type(v).__name__, tuple(_norm(x) for x in v))
    if isinstance(v, np.ndarray):
        return ("nd", v.dtype.str, v.shape, v.copy())
    return ("py", type(v).__name__, v)


def _call(fn, *a, **kw):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        try:
            out = ("ok", _norm(fn(*a, **kw)))
        except Exception as e:  # noqa: BLE001
            out = ("exc", type(e).__name__, str(e))
    return out, tuple((x.category.__name__, str(x.message)) for x in w)


def cases():
    """(key, thunk) pairs."""
    out = []

    def add(name, fn, *a, **kw):
        out.append((f"{name}{a}{sorted(kw.items(), key=lambda t: t[0])!r}", lambda: _call(fn, *a, **kw)))

    opts19 = [dict(sum_range=sr, nfast=nf) for sr in ("infinite", "square") for nf in ("literal", "continuous")]
    # solve_linewidth
    for o in opts19:
        for e in EPS_S:
            add("solve", mf.solve_linewidth, eps=e, **BASE, **o)
        add("solve", mf.solve_linewidth, eps=EPS_A, **BASE, **o)
        add("solve", mf.solve_linewidth, eps=EPS_A, **BASE, **o, warn=False)
        add("solve", mf.solve_linewidth, eps=0.3, gamma=np.array([0.02, 0.1, 0.3]), K=3, N=10,
            s=np.array([[0.2], [0.5]]), **o)
        add("solve", mf.solve_linewidth, eps=0.1, gamma=0.1, K=3, N=10, s=0.5, d=2, **o)
    for eq in ("E3", "E2"):
        for e in EPS_S:
            add("solve", mf.solve_linewidth, eps=e, **BASE, equation=eq)
        add("solve", mf.solve_linewidth, eps=EPS_A, **BASE, equation=eq)
        add("solve", mf.solve_linewidth, eps=EPS_A, **BASE, equation=eq, drop_negative=True)
        add("solve", mf.solve_linewidth, eps=np.array([0.2, 0.4]), gamma=np.array([0.05, 0.1]), K=3, N=10, s=0.5,
            equation=eq, warn=False)
        add("solve", mf.solve_linewidth, eps=0.2, gamma=0.01, K=3, N=10, s=0.5, d=1, equation=eq)
    add("solve", mf.solve_linewidth, Xi=np.array([0.5, 1.0, 2.0]), **BASE)
    add("solve", mf.solve_linewidth, Xi=1.5, **BASE, equation="E3")
    add("solve", mf.solve_linewidth, eps=np.linspace(-0.2, 0.8, 37), gamma=0.05, K=2.5, N=8, s=0.7, d=2)
    add("solve", mf.solve_linewidth, eps=0.0, gamma=1e-9, K=3, N=10, s=0.5)
    add("solve", mf.solve_linewidth, eps=0.0, gamma=0.9, K=3, N=10, s=0.5)
    add("solve", mf.solve_linewidth, eps=0.5, gamma=1.5, K=3, N=10, s=0.5)
    for bad in (dict(eps=1.0), dict(eps=0.1, Xi=1.0), dict(), dict(eps=0.1, equation="E9"), dict(eps=0.1, K=1.0),
                dict(eps=0.1, N=0), dict(eps=0.1, s=1.5), dict(eps=0.1, d=65), dict(eps=0.1, N=30000, sum_range="square"),
                dict(eps=0.1, K=1.00001), dict(eps=0.1, N=5000, equation="E3"), dict(eps=0.1, drop_negative=1),
                dict(eps=np.zeros(3), s=np.ones(2) * 0.5), dict(eps=np.linspace(-0.5, 0.5, 20001)),
                dict(eps=0.1, gamma=-1.0), dict(eps=0.1, nfast="x"), dict(eps=0.1, sum_range="y")):
        kw = {**BASE, **bad}
        add("solve", mf.solve_linewidth, **kw)
    # self_consistency_ratio / ln_F_zero / F_zero
    X = np.array([-np.inf, -40.0, -10.0, -5.0, -3.0])
    for o in opts19:
        for e in (0.3, -0.2, 0.0):
            add("ratio", mf.self_consistency_ratio, -6.0, eps=e, **BASE, **o)
            add("ratio", mf.self_consistency_ratio, X, eps=e, **BASE, **o)
            add("lnF0", mf.ln_F_zero, eps=e, **BASE, **o)
            add("F0", mf.F_zero, eps=e, **BASE, **o)
        add("ratio", mf.self_consistency_ratio, X[:, None], eps=np.array([-0.2, 0.1]), **BASE, **o)
        add("lnF0", mf.ln_F_zero, eps=EPS_A, **BASE, **o)
        add("F0", mf.F_zero, eps=EPS_A, **BASE, **o)
        add("lnF0", mf.ln_F_zero, Xi=np.array([0.3, 0.8]), **BASE, d=3, **o)
    for eq in ("E3", "E2"):
        for dn in (False, True):
            add("ratio", mf.self_consistency_ratio, X, eps=0.2, **BASE, equation=eq, drop_negative=dn)
            add("ratio", mf.self_consistency_ratio, 3.0, eps=0.2, **BASE, equation=eq, drop_negative=dn)
            add("lnF0", mf.ln_F_zero, eps=EPS_A, **BASE, equation=eq, drop_negative=dn)
            add("F0", mf.F_zero, eps=-0.4, **BASE, equation=eq, drop_negative=dn)
    for bad in (dict(ln_Gamma=0.0), dict(ln_Gamma=-1e8), dict(ln_Gamma=math.nan), dict(gamma=np.array([0.1, 0.2])),
                dict(ln_Gamma=-5.0, eps=None), dict(ln_Gamma=-5.0, N=2_000_000, equation="E3")):
        kw = {"eps": 0.1, **BASE, **bad}
        lg = kw.pop("ln_Gamma", -5.0)
        add("ratio", mf.self_consistency_ratio, lg, **kw)
    add("lnF0", mf.ln_F_zero, eps=-0.1, gamma=1e-40, K=1.001, N=10, s=0.5)
    add("lnF0", mf.ln_F_zero, eps=-0.1, gamma=0.1, K=3, N=10, s=1e-9, nfast="continuous")
    add("lnF0", mf.ln_F_zero, eps=0.1, gamma=np.array([0.1]), K=3, N=10, s=0.5)
    # n_fast & co
    for nf in ("literal", "continuous"):
        for d in (1, 2):
            kw = dict(gamma=0.1, s=0.5, N=10, d=d, nfast=nf)
            add("nfast", mf.n_fast, np.array([1.0, 10.0, 100.0, 1e4, 1e8]), Gamma=1e-5, **kw)
            add("nfast", mf.n_fast, 50.0, Gamma=np.array([1e-6, 1e-3, 0.05]), **kw)
            add("nfast", mf.n_fast, 10.0, Gamma=1e-3, **kw)
            add("lnnf", mf.ln_n_fast, np.array([0.0, 2.0, 2.302585092994046, 5.0, 50.0]), ln_Gamma=-20.0, **kw)
            add("lnnf", mf.ln_n_fast, 3.0, ln_Gamma=np.array([-30.0, -5.0]), **kw)
            add("lnnf", mf.ln_n_fast, 3.0, ln_Gamma=-1e4, **kw)
            add("bath", mf.bath_lineshape, np.array([1e-8, 1e-3, 0.1, 1.0, 10.0]), Gamma=1e-4, **kw)
            add("bath", mf.bath_lineshape, 0.01, Gamma=1e-3, **kw)
    add("nfast", mf.n_fast, 2.0, gamma=0.5, Gamma=1e-4, s=0.5, N=10)
    add("nfast", mf.n_fast, 2.0, gamma=0.5, Gamma=0.6, s=0.5, N=10)
    add("lnnf", mf.ln_n_fast, 2.0, gamma=0.5, ln_Gamma=0.0, s=0.5, N=10)
    add("lnnf", mf.ln_n_fast, np.ones(2), gamma=0.5, ln_Gamma=-np.ones(3), s=0.5, N=10)
    add("bath", mf.bath_lineshape, 0.0, Gamma=1e-4, gamma=0.1, s=0.5, N=10)
    add("bath", mf.bath_lineshape, 1.0, Gamma=np.array([1e-4]), gamma=0.1, s=0.5, N=10)
    add("saddle", mf.saddle_point_ln_linewidth, eps=0.3, gamma=0.01, K=3, N=10, s=0.5)
    # boundary
    G = np.array([1e-300, 1e-6, 0.01, 0.1, 0.5])
    for o in opts19:
        kw = dict(K=3, N=10, s=0.5, **o)
        add("tab", mf.ln_F_zero_table, gamma=G[:, None], eps=np.array([-0.5, -0.1, 0.0, 0.4]), **kw)
        add("tab", mf.ln_F_zero_table, gamma=0.05, Xi=0.7, **kw)
        add("gc", mf.critical_coupling, eps=np.array([-1.0, -0.3, -0.05, 0.0, 0.5, 0.99]), **kw)
        add("gc", mf.critical_coupling, Xi=0.6, **kw)
        add("gc", mf.critical_coupling, eps=-0.2, K=2, N=5, s=0.3, d=2, **o)
        add("ec", mf.critical_eps, gamma=np.array([1e-300, 1e-5, 0.02, 0.1, 0.9]), **kw)
        add("ec", mf.critical_eps, gamma=0.05, **kw)
        add("xic", mf.critical_Xi, gamma=np.array([1e-5, 0.05]), **kw)
        add("edge", mf.critical_coupling_eq23_edge, **kw)
        add("edge", mf.critical_coupling_eq23_edge, z=4.0, **kw)
        add("eal", mf.eps_at_linewidth, ln_Gamma=-15.0, gamma=np.array([0.05, 0.1]), **kw)
        add("eal", mf.eps_at_linewidth, ln_Gamma=-8.0, gamma=0.1, **kw)
    for sr in ("infinite", "square"):
        add("re", mf.literal_reentrance, eps=np.array([-0.6, -0.2, -0.05]), K=3, N=10, s=0.5, sum_range=sr)
        add("re", mf.literal_reentrance, eps=-0.3, K=3, N=10, s=0.5, sum_range=sr)
        add("re", mf.literal_reentrance, Xi=0.8, K=1.5, N=40, s=0.9, d=2, sum_range=sr)
    for eq in ("E3", "E2"):
        add("ec", mf.critical_eps, gamma=np.array([0.05, 0.1]), K=3, N=10, s=0.5, equation=eq)
        add("xic", mf.critical_Xi, gamma=0.1, K=3, N=10, s=0.5, equation=eq)
    add("ec", mf.critical_eps, gamma=0.1, K=3, N=1000, s=0.5, equation="E3")
    add("gc", mf.critical_coupling, eps=-0.3, K=1.00001, N=10, s=0.5)
    add("gc", mf.critical_coupling, eps=-0.3, K=3, N=10, s=0.5, sum_range="bad")
    add("tab", mf.ln_F_zero_table, gamma=1e-300, eps=-0.1, K=1.01, N=10, s=0.5)
    add("tab", mf.ln_F_zero_table, gamma=np.ones(2) * 0.1, eps=np.zeros(3) - 0.1, K=3, N=10, s=0.5)
    add("eal", mf.eps_at_linewidth, ln_Gamma=-1.0, gamma=0.1, K=3, N=10, s=0.5)
    add("eal", mf.eps_at_linewidth, ln_Gamma=-1e7, gamma=0.1, K=3, N=10, s=0.5)
    for d in (1, 2, 3):
        add("asym", mf.critical_coupling_asymptote, eps=np.array([-1e6, -0.1, -1e-3, 0.0, 0.5]), K=3, N=10, s=0.5, d=d)
    add("asym", mf.critical_coupling_asymptote, Xi=0.5, K=3, N=10, s=0.5)
    for w in (True, False):
        add("eq21", mf.eq21_ln_linewidth, eps=np.array([-0.2, 0.0, 0.3, 0.9]), gamma=0.1, K=3, warn=w)
        add("eq21", mf.eq21_ln_linewidth, eps=0.3, gamma=0.1, K=3, warn=w)
        add("eq21", mf.eq21_ln_linewidth, Xi=2.0, gamma=0.1, K=3, warn=w)
    add("eq21", mf.eq21_ln_linewidth, eps=0.3, gamma=0.0, K=3)
    add("consts", lambda: (mf.EQUATIONS, mf.SUM_RANGES, mf.NFAST_READINGS, sorted(set(mf.__all__) - {"MeanFieldModel"})))  # the one name added by the split
    add("lwr", lambda: [f.name for f in dataclasses.fields(mf.LinewidthResult)])
    return out


def _eq(a, b):
    if type(a) is not type(b):
        return False
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and a.shape == b.shape and (
            np.array_equal(a, b, equal_nan=True) if a.dtype.kind in "fc" else np.array_equal(a, b))
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(_eq(x, y) for x, y in zip(a, b))
    if isinstance(a, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    return a == b


def main(argv):
    mode, path = argv[1], argv[2]
    got = {}
    for key, thunk in cases():
        assert key not in got, key
        got[key] = thunk()
    if mode == "record":
        with open(path, "wb") as fh:
            pickle.dump(got, fh)
        print(f"recorded {len(got)} calls")
        return 0
    with open(path, "rb") as fh:
        ref = pickle.load(fh)
    bad = [k for k in ref if k not in got or not _eq(ref[k], got[k])]
    extra = [k for k in got if k not in ref]
    print(f"{len(ref)} recorded calls, {len(ref) - len(bad)} identical, {len(bad)} differ, {len(extra)} new")
    for k in bad[:20]:
        print("DIFF", k, "\n  ref", str(ref[k])[:300], "\n  got", str(got.get(k))[:300])
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
