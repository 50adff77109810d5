"""Tests of nblm_helpers.meanfield.integral (the integral approximation of Eq. 19, Sec. V A)."""

import math

import numpy as np
import pytest
from scipy.special import logsumexp

from nblm_helpers import meanfield
from nblm_helpers.meanfield import ln_F_integral

FIG8 = dict(gamma=0.1, K=3, N=10, s=0.5, d=1)
LN_K = math.log(3)


def _old_chapter_ln_F_integral(lnG, eps_v, m_lo=1.5, n_m=4001):
    """The former ln_F_integral of saddle_point.ipynb (exercise 5)."""
    m = np.linspace(m_lo, (200.0 - lnG) / LN_K, n_m)
    ln_n = meanfield.ln_n_fast(m * LN_K, gamma=0.1, ln_Gamma=lnG, s=0.5, N=10)
    ln_f = (2 * math.log(0.1) + np.log(m - 1) + 2 * m * eps_v * LN_K + ln_n
            - np.logaddexp(0.0, 2 * (lnG + ln_n + m * LN_K)))
    w = np.full(m.size, m[1] - m[0])
    w[[0, -1]] /= 2
    return logsumexp(ln_f, b=w)


@pytest.mark.parametrize("lnG, eps", [(-5.0, 0.3), (-20.0, 0.05), (-3.0, 0.65), (-100.0, 0.5)])
def test_matches_former_chapter_code(lnG, eps):
    assert ln_F_integral(lnG, eps=eps, **FIG8) == _old_chapter_ln_F_integral(lnG, eps)


@pytest.mark.parametrize("eps", [0.15, 0.3, 0.45, 0.55])
def test_root_close_to_the_sum(eps):
    # at the root of the sum (F = 1) the integral is within a few per cent of 1 (Sec. V A)
    r = meanfield.solve_linewidth(eps=eps, warn=False, **FIG8)
    assert r.status == "root"
    assert abs(ln_F_integral(r.ln_Gamma, eps=eps, **FIG8)) < 0.15
    # and it decreases with Gamma there, like the sum: one crossing
    assert ln_F_integral(r.ln_Gamma - 1, eps=eps, **FIG8) > ln_F_integral(r.ln_Gamma + 1, eps=eps, **FIG8)


def test_converged_in_nodes():
    a = ln_F_integral(-8.0, eps=0.3, **FIG8, n_m=4001)
    b = ln_F_integral(-8.0, eps=0.3, **FIG8, n_m=40001)
    assert abs(a - b) < 1e-3


@pytest.mark.parametrize("kw, name", [(dict(ln_Gamma=-1.0), "ln_Gamma"), (dict(ln_Gamma=-1e5), "ln_Gamma"),
                                      (dict(ln_Gamma=np.nan), "ln_Gamma"), (dict(eps=1.0), "eps"),
                                      (dict(m_lo=0.5), "m_lo"), (dict(n_m=2), "n_m"), (dict(gamma=0.0), "gamma"),
                                      (dict(K=1.0), "K"), (dict(nfast="x"), "nfast")])
def test_validation(kw, name):
    args = dict(ln_Gamma=-5.0, eps=0.3, **FIG8)
    args.update(kw)
    with pytest.raises(ValueError, match=name):
        ln_F_integral(**args)
