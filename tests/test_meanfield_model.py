"""MeanFieldModel: the validated, immutable model object of nblm_helpers.meanfield."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from nblm_helpers import meanfield as mf
from nblm_helpers.meanfield import MeanFieldModel
from nblm_helpers.parameters import ValidityWarning

FIG8 = dict(gamma=0.1, K=3, N=10, s=0.5, d=1)
EPS = np.array([-0.3, -0.05, 0.0, 0.2, 0.5, 0.9])
OPTIONS = [dict(sum_range=sr, nfast=nf) for sr in ("infinite", "square") for nf in ("literal", "continuous")]
OPTIONS += [dict(equation=eq, drop_negative=dn) for eq in ("E3", "E2", "E1") for dn in (False, True)]


def _same(a, b):
    a, b = np.asarray(a), np.asarray(b)
    nan = a.dtype.kind == "f"
    return a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=nan)


def _same_result(r1, r2):
    for f in dataclasses.fields(r1):
        v1, v2 = getattr(r1, f.name), getattr(r2, f.name)
        if f.name == "options":
            assert v1.keys() == v2.keys() and all(_same(v1[k], v2[k]) for k in v1), f.name
        elif f.name == "roots":
            assert v1 == v2
        else:
            assert type(v1) is type(v2) and _same(v1, v2), f.name


@pytest.mark.parametrize("opts", OPTIONS, ids=lambda o: "-".join(map(str, o.values())))
def test_methods_equal_the_keyword_functions_bit_for_bit(opts):
    m = MeanFieldModel(**FIG8, **opts)
    kw = {**FIG8, **opts}
    for eps in (0.3, EPS):
        _same_result(m.solve(eps, warn=False), mf.solve_linewidth(eps=eps, warn=False, **kw))
        assert all(map(_same, m.ln_F0(eps), mf.ln_F_zero(eps=eps, **kw)))
        assert _same(m.F0(eps), mf.F_zero(eps=eps, **kw))
        x = np.array([-np.inf, -30.0, -8.0, -4.0])
        assert all(map(_same, m.ratio(x[:, None], np.atleast_1d(eps)), mf.self_consistency_ratio(
            x[:, None], eps=np.atleast_1d(eps), **kw)))
    _same_result(m.solve(Xi=np.array([0.5, 2.0]), warn=False), mf.solve_linewidth(Xi=np.array([0.5, 2.0]),
                                                                                   warn=False, **kw))
    if opts.get("equation", "19") == "19":
        assert m.critical_eps() == mf.critical_eps(**{k: v for k, v in kw.items() if k != "drop_negative"})


def test_solve_warns_as_the_keyword_function():
    m = MeanFieldModel(**FIG8)
    with pytest.warns(ValidityWarning) as w1:
        m.solve(0.95)
    with pytest.warns(Warning) as w2:
        mf.solve_linewidth(eps=0.95, **FIG8)
    assert [str(x.message) for x in w1] == [str(x.message) for x in w2]
    assert w1[0].filename == __file__  # attributed to the caller


@pytest.mark.parametrize("bad, name", [
    (dict(gamma=-1.0), "gamma"), (dict(gamma=np.array([0.1, 0.2])), "gamma"), (dict(K=1.0), "K"),
    (dict(N=0), "N"), (dict(N=2.5), "N"), (dict(s=1.5), "s"), (dict(s=np.array([0.5])), "s"), (dict(d=0), "d"),
    (dict(d=65), "d"), (dict(equation="E4"), "equation"), (dict(sum_range="x"), "sum_range"),
    (dict(nfast="y"), "nfast"), (dict(drop_negative=1), "drop_negative"),
    (dict(N=30000, sum_range="square"), "N"), (dict(K=1.00001), "K"),
])
def test_construction_refuses_bad_parameters_with_the_keyword_messages(bad, name):
    kw = {**FIG8, **bad}
    with pytest.raises(ValueError, match=name) as e1:
        MeanFieldModel(**kw)
    with pytest.raises(ValueError) as e2:
        mf.self_consistency_ratio(-5.0, eps=0.1, **kw)
    assert str(e1.value) == str(e2.value)


def test_validated_once_methods_do_not_revalidate(monkeypatch):
    from nblm_helpers.meanfield import _checks, model

    m = MeanFieldModel(**FIG8)
    calls = []
    monkeypatch.setattr(model, "_check_params", lambda *a: calls.append(a))
    monkeypatch.setattr(_checks, "_check_params", lambda *a: calls.append(a))
    m.ratio(-6.0, 0.2)
    m.ln_F0(-0.2)
    m.F0(-0.2)
    m.solve(0.2, warn=False)
    m.critical_eps()
    assert calls == []


def test_method_work_limit_of_a_solve_is_per_operation():
    m = MeanFieldModel(gamma=0.1, K=3, N=5000, s=0.5, equation="E3")  # F can be evaluated ...
    assert math.isfinite(m.ln_F0(0.1)[0])
    with pytest.raises(ValueError, match="N must be <= 3695"):  # ... but not solved for
        m.solve(0.1)


def test_immutable_hashable_repr_and_normalized():
    m = MeanFieldModel(gamma=0.1, K=3, N=10, s=0.5)
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.gamma = 0.2
    assert m == MeanFieldModel(gamma=0.1, K=3.0, N=10, s=0.5, d=1)
    assert hash(m) == hash(MeanFieldModel(gamma=0.1, K=3.0, N=10, s=0.5))
    assert len({m, MeanFieldModel(**FIG8), MeanFieldModel(**{**FIG8, "gamma": 0.2})}) == 2
    assert type(m.K) is float and type(m.N) is int and type(m.gamma) is float
    assert repr(m) == ("MeanFieldModel(gamma=0.1, K=3.0, N=10, s=0.5, d=1, equation='19', "
                       "sum_range='infinite', nfast='literal', drop_negative=False, summation='sum', "
                       "integral_limits='cell')")
    assert dataclasses.replace(m, gamma=0.2).gamma == 0.2
    with pytest.raises(ValueError, match="gamma"):
        dataclasses.replace(m, gamma=0.0)  # replace() validates too


def test_closed_form_square_sum_at_gamma_zero():
    # square sum, F(0+) = gamma^2 sum_{m=2}^{2N} min(m-1, 2N+1-m) K^{2 m eps} n_m with n_m = 1 where gamma K^m <= 1
    m = MeanFieldModel(gamma=1e-8, K=3, N=5, s=0.5, sum_range="square")  # gamma K^m < 1 for every m <= 10
    eps = 0.3
    k = np.arange(2, 11)
    want = 1e-16 * np.sum(np.minimum(k - 1, 11 - k) * 3.0 ** (2 * k * eps))
    assert m.F0(eps) == pytest.approx(want, rel=1e-13)
    lnF, sg = m.ratio(-60.0, eps)  # Gamma n K^m ~ e^-50: F = F0 to rounding
    assert sg == 1.0 and lnF == pytest.approx(math.log(want), abs=1e-12)


def test_limit_critical_eps_approaches_the_asymptote():
    # infinite sum: gamma_c ~ (2x)^((d+2)/2) / sqrt(sN ln^d K (d+1)!) as x = -eps ln K -> 0+
    m = MeanFieldModel(gamma=1e-6, K=3, N=10, s=0.5)
    ec = m.critical_eps()
    gc = mf.critical_coupling_asymptote(eps=ec, K=3, N=10, s=0.5)
    assert ec < 0 and gc == pytest.approx(1e-6, rel=2e-2)


def test_from_parameters_is_the_model_of_a_Parameters():
    from nblm_helpers import Parameters

    p = Parameters(gamma=0.1, K=3, N=10, s=0.5, d=1, eps=0.5, W=0.3, xi=2.0)   # extra fields are ignored
    m = mf.MeanFieldModel.from_parameters(p, sum_range="square")
    assert m == mf.MeanFieldModel(gamma=0.1, K=3, N=10, s=0.5, d=1, sum_range="square")
    _same_result(m.solve(p.eps, warn=False), m.solve(Xi=p.Xi, warn=False))
    assert mf.MeanFieldModel.from_parameters(Parameters(gamma=0.1, K=3, N=10, s=0.5)).d == 1
    with pytest.raises(ValueError, match=r"^Parameters lacks N, s, which the mean-field model needs"):
        mf.MeanFieldModel.from_parameters(Parameters(gamma=0.1, K=3))
    with pytest.raises(ValueError, match=r"^p must be a nblm_helpers.Parameters; got dict"):
        mf.MeanFieldModel.from_parameters(dict(gamma=0.1, K=3, N=10, s=0.5))
    with pytest.raises(ValueError, match=r"^unknown option\(s\) \['eps'\]"):
        mf.MeanFieldModel.from_parameters(p, eps=0.5)
