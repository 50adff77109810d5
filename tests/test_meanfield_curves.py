"""Tests of nblm_helpers.meanfield.curves (Figs. 6 and 8 of Gopalakrishnan & Nandkishore 2014)."""

import math
import warnings

import numpy as np
import pytest

from nblm_helpers import meanfield, validity
from nblm_helpers.meanfield import eps_no_root_below_gamma, linewidth_curve, saddle_point_curves
from nblm_helpers.parameters import ValidityWarning
from nblm_helpers.saddle_point import saddle_point_ln_linewidth

P3 = dict(K=3, N=10, s=0.5, d=1)
FIG8 = dict(gamma=0.1, K=3, N=10, s=0.5, d=1)


def _old_phase_diagram_curve(gamma, sum_range, n=56, X_max=1.0):
    """The chapter's former linewidth_curve (phase_diagram.ipynb), the reference of the cross-checks."""
    pars = dict(gamma=gamma, K=3, N=10, s=0.5, d=1, sum_range=sum_range, nfast="literal")
    eps_c = meanfield.critical_eps(**pars)
    X = np.linspace(-0.1, X_max, n)
    e = X / (1 + X)
    keep = e > (eps_c * 0.5 if eps_c < 0 else eps_c + 0.02 * (1 - eps_c))
    r = meanfield.solve_linewidth(eps=e[keep], warn=False, **pars)
    root = r.status == "root"
    violated = {f"Eq. {name}": int(np.count_nonzero(root & ~ok))
                for name, ok in r.validity.holds.items() if np.any(root & ~ok)}
    if np.any(r.status == "above_gamma"):
        violated["above_gamma"] = int(np.count_nonzero(r.status == "above_gamma"))
    y = np.where(root, -1.0 / r.ln_Gamma, np.nan)
    X_c = eps_c / (1 - eps_c) if eps_c < 1 else np.nan
    return dict(X=np.concatenate([[X_c], X[keep]]), y=np.concatenate([[0.0], y]), violated=violated)


@pytest.mark.parametrize("gamma", [1e-4, 1e-2])
@pytest.mark.parametrize("sum_range", ["infinite", "square"])
def test_linewidth_curve_matches_former_chapter_code(gamma, sum_range):
    X = np.linspace(-0.1, 1.0, 56)
    c = linewidth_curve(X / (1 + X), gamma=gamma, sum_range=sum_range, margin=0.02, relative_margin=True, **P3)
    old = _old_phase_diagram_curve(gamma, sum_range)
    np.testing.assert_array_equal(np.r_[c.X_c, X[c.keep]], old["X"])
    np.testing.assert_array_equal(np.r_[0.0, c.y], old["y"])
    assert c.violated == old["violated"]


def test_linewidth_curve_known_counts_and_window():
    # Fig. 6 at gamma = 1e-2 (unbounded sum): 38 roots below N K^-N (the chapter's glued count)
    X = np.linspace(-0.1, 1.0, 56)
    c = linewidth_curve(X / (1 + X), gamma=1e-2, margin=0.02, relative_margin=True, **P3)
    assert c.violated == {"Eq. 27": 38}
    # the validity-window chapter: eps in [0.4347..., 0.7406...] on its grid, 29 of 62 points below Eq. 27
    eps_axis = np.concatenate([np.linspace(-0.2, -0.01, 20), np.linspace(0.0, 0.95, 60)])
    w = linewidth_curve(eps_axis, gamma=1e-2, **P3)
    assert w.eps.size == 62 and w.violated["Eq. 27"] == 29
    assert w.window == pytest.approx((0.4347457627118644, 0.7406779661016949), abs=1e-15)
    # inside the window every root satisfies Eqs. 23-27 (classify, independently)
    v = validity.classify(gamma=1e-2, **{k: P3[k] for k in ("K", "N", "d")}, eps=w.eps[w.inside],
                          ln_Gamma=w.ln_Gamma[w.inside])
    assert np.all(v.ok)


def test_linewidth_curve_no_warning_and_warns_iff_violated():
    eps = np.linspace(0.0, 0.95, 30)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        c = linewidth_curve(eps, gamma=1e-2, **P3)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ValidityWarning)
        meanfield.solve_linewidth(eps=c.eps, gamma=1e-2, **P3)
    assert len(caught) == int(bool(c.violated)) == 1


def test_linewidth_curve_margin_and_limits():
    eps = np.linspace(-0.2, 0.95, 40)
    c = linewidth_curve(eps, gamma=1e-2, **P3)
    assert c.eps_c < 0
    np.testing.assert_array_equal(c.keep, eps > c.eps_c / 2)
    # square sum: eps_c > 0, points within margin of eps_c dropped
    sq = linewidth_curve(eps, gamma=1e-4, sum_range="square", margin=0.1, **P3)
    assert sq.eps_c > 0 and np.all(sq.eps > sq.eps_c + 0.1)
    # y = -1/ln Gamma is in (0, 1/|ln gamma|) at roots, NaN elsewhere
    assert np.all((c.y[c.root] > 0) & (c.y[c.root] < -1 / math.log(1e-2)))
    assert np.all(np.isnan(c.y[~c.root]))
    # nothing kept: an empty curve, no solve
    e = linewidth_curve(-0.5, gamma=1e-2, **P3)
    assert e.eps.size == 0 and e.violated == {} and np.isnan(e.window[0])


@pytest.mark.parametrize("kw, name", [(dict(margin=1.0), "margin"), (dict(margin=-0.1), "margin"),
                                      (dict(relative_margin=1), "relative_margin"),
                                      (dict(gamma=np.array([0.1, 0.2])), "gamma"),
                                      (dict(eps=np.ones((2, 2)) * 0.5), "eps"), (dict(eps=1.0), "eps"),
                                      (dict(K=1.0), "K"), (dict(N=0), "N"), (dict(s=2.0), "s")])
def test_linewidth_curve_validation(kw, name):
    args = dict(eps=np.array([0.3, 0.5]), gamma=1e-2, **P3)
    args.update(kw)
    with pytest.raises(ValueError, match=name):
        linewidth_curve(**args)


def test_saddle_point_curves_matches_former_chapter_code():
    eps8 = np.round(np.arange(0.01, 0.8501, 0.02), 10)
    line = np.linspace(0.004, 0.87, 50)
    d = saddle_point_curves(eps8, eps_line=line, **FIG8)
    # the former fig8_data of saddle_point.ipynb
    e3 = meanfield.solve_linewidth(eps=eps8, equation="E3", warn=False, **FIG8)
    e19 = meanfield.solve_linewidth(eps=eps8, equation="19", warn=False, **FIG8)
    for res, mine_root, mine_valid in ((e3, d.e3_root, d.e3_valid), (e19, d.e19_root, d.e19_valid)):
        root = res.status == "root"
        valid = root & np.asarray(validity.condition_27(gamma=0.1, K=3, N=10,
                                                        ln_Gamma=np.where(root, res.ln_Gamma, 0.0)))
        np.testing.assert_array_equal(mine_root, root)
        np.testing.assert_array_equal(mine_valid, valid)
    np.testing.assert_array_equal(d.e3.ln_Gamma, e3.ln_Gamma)
    np.testing.assert_array_equal(d.ln_Gamma_C5, saddle_point_ln_linewidth(eps=line, **FIG8, warn=False))
    np.testing.assert_array_equal(d.C5_window, np.asarray(validity.condition_C6(eps=line, **FIG8))
                                  & np.asarray(validity.condition_C7(K=3, eps=line)))
    assert d.n_c == 5.0
    # Fig. 8: every (E3) root satisfies Eq. 27; Eq. (19) has no root below gamma from eps = 0.69
    assert np.all(d.e3_valid)
    assert np.array_equal(~d.e19_root, eps8 >= 0.69)


def test_saddle_point_curves_validation():
    with pytest.raises(ValueError, match="eps_line"):
        saddle_point_curves([0.3], eps_line=[1.5], **FIG8)
    with pytest.raises(ValueError, match="gamma"):
        saddle_point_curves([0.3], eps_line=[0.5], **{**FIG8, "gamma": -1.0})


def test_eps_no_root_below_gamma_fig8():
    edge = eps_no_root_below_gamma(**FIG8, eps_lo=0.5, eps_hi=0.85)
    # the chapter's former bisection (tolerance 1e-6) gave 0.6896435260772705
    assert edge == pytest.approx(0.6896435260772705, abs=2e-6)
    assert meanfield.solve_linewidth(eps=edge - 1e-9, warn=False, **FIG8).status == "root"
    assert meanfield.solve_linewidth(eps=edge + 1e-9, warn=False, **FIG8).status == "above_gamma"
    # the root disappears by merging with a second root below gamma (a saddle-node), not at gamma
    r = meanfield.solve_linewidth(eps=edge - 1e-9, warn=False, **FIG8)
    assert r.n_roots == 2 and r.roots[-1] < math.log(0.1) - 0.1


@pytest.mark.parametrize("kw, name", [(dict(eps_lo=0.7, eps_hi=0.6), "eps_lo"),
                                      (dict(eps_lo=0.1, eps_hi=0.3), "eps_lo"),
                                      (dict(eps_lo=0.5, eps_hi=1.2), "eps_hi"),
                                      (dict(eps_lo=0.5, eps_hi=0.85, xtol=0.0), "xtol")])
def test_eps_no_root_below_gamma_validation(kw, name):
    with pytest.raises(ValueError, match=name):
        eps_no_root_below_gamma(**FIG8, **kw)
