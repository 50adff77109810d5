"""The saddle-point chapter's trapezoid for the integral approximation of Eq. (19).

Gopalakrishnan & Nandkishore, PRB 90, 224203 (2014), Sec. V A: the open circles of the paper's
Fig. 8 are "an integral approximation" to Eq. (19), which "agrees well with [...] directly
evaluating the sum".  :func:`ln_F_integral` is the fixed-node trapezoid rule written for the
exercise of ``book/saddle_point.ipynb`` (unbounded sum, weight :math:`m - 1`, lower end ``m_lo``,
default 1.5); it is kept as it is so that the chapter's glued values do not change.  The
error-controlled integral (``<= 1e-10`` relative, both sum ranges, closed-form tails, used by
the solver and the phase boundary) is ``summation="integral"`` of
:func:`~nblm_helpers.meanfield.self_consistency_ratio`, :func:`~nblm_helpers.meanfield.solve_linewidth`
and :func:`~nblm_helpers.meanfield.critical_coupling` (``meanfield/_integral.py``); with
``integral_limits="naive"`` (lower end 2) or ``"cell"`` (lower end 1) it is the limit
``n_m -> inf`` of this trapezoid with ``m_lo`` = 2 or 1.  Energies in units of :math:`\\delta_m`.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import logsumexp

from ..parameters import check_ln_rate, check_positive_int, check_real, check_scalar
from ._checks import _check_params
from .nfast import ln_n_fast

__all__ = ["ln_F_integral"]

#: ln of the factor by which the last term is suppressed: (Gamma n K^m)^2 >= e^400 at the upper end.
_LN_CUTOFF = 200.0
#: The integrand is evaluated on at most this many points.
_MAX_NODES = 10**6


def ln_F_integral(ln_Gamma, *, eps, gamma, K, N, s, d=1, nfast="literal", m_lo=1.5, n_m=4001):
    """:math:`\\ln F(\\Gamma)` of Eq. (19) with the sum over :math:`m = n + p` replaced by an integral.

    .. math::
        F(\\Gamma) \\approx \\gamma^2 \\int_{m_{lo}}^{m_{hi}} dm\\,
        \\frac{(m-1)\\,K^{2m\\varepsilon}\\, n_{\\rm fast}(K^m)}{1 + (\\Gamma\\, n_{\\rm fast}(K^m) K^m)^2},

    by the trapezoidal rule on ``n_m`` equally spaced nodes, in logarithms (log-sum-exp).  The
    upper end :math:`m_{hi} = (200 - \\ln\\Gamma)/\\ln K` is where :math:`\\Gamma K^m = e^{200}`: the
    denominator has cut the integrand off by :math:`e^{-400}` relative to its peak (for
    :math:`\\varepsilon < 1`).  The default lower end 1.5 is the sum's first order :math:`m = 2`
    less half a unit (midpoint rule); the integral has no :math:`\\Gamma \\to 0` limit for
    :math:`\\varepsilon \\ge 0`, like the sum.  A non-trivial solution of Eq. (19) has
    :math:`\\ln F = 0`.

    Parameters
    ----------
    ln_Gamma : float
        :math:`\\ln(\\Gamma/\\delta_m)`, with :math:`-10^4 \\le \\ln\\Gamma < \\ln\\gamma` (Eq. 20
        needs :math:`\\Gamma < \\gamma`).
    eps : float
        :math:`\\varepsilon = 1 - 1/(\\Xi\\ln K) < 1`.
    gamma, K, N, s, d, nfast
        As in :func:`~.solve.solve_linewidth` (scalars).
    m_lo : float
        Lower end of the integral, in [1, 100).
    n_m : int
        Number of nodes, 3 to 10**6.

    Returns
    -------
    float
        :math:`\\ln F` of the integral (finite).

    Raises
    ------
    ValueError
        For a bad parameter (named, with its value and range).  Never warns.
    """
    gamma, K, N, s, d, _, _, nfast, _ = _check_params(gamma, K, N, s, d, "19", "infinite", nfast, False)
    for name, v in (("gamma", gamma), ("s", s)):
        if np.ndim(v) != 0:
            raise ValueError(f"{name} must be a single real number here; got an array of shape {np.shape(v)}")
    lnG = check_ln_rate("ln_Gamma", ln_Gamma, allow_zero_rate=False)
    if np.ndim(lnG) != 0:
        raise ValueError(f"ln_Gamma must be a single real number here; got an array of shape {np.shape(lnG)}")
    ln_g = math.log(gamma)
    if not -1e4 <= lnG < ln_g:
        raise ValueError(f"ln_Gamma must be in [-1e4, ln(gamma)) = [-1e4, {ln_g:.6g}) (Gamma < gamma, Eq. 20); "
                         f"got {lnG!r}")
    eps = check_scalar(check_real, "eps", eps, hi=1.0)
    if eps < -1e4:
        raise ValueError(f"eps must be in [-1e4, 1); got {eps!r}")
    m_lo = check_scalar(check_real, "m_lo", m_lo, lo=1.0, hi=100.0, lo_open=False)
    n_m = check_positive_int("n_m", n_m, minimum=3, maximum=_MAX_NODES)
    ln_K = math.log(K)
    m_hi = (_LN_CUTOFF - lnG) / ln_K
    if not m_hi > m_lo:
        raise ValueError(f"m_lo must be below the upper end (200 - ln_Gamma)/ln K = {m_hi:.6g}; got {m_lo!r}")
    m = np.linspace(m_lo, m_hi, n_m)
    ln_n = ln_n_fast(m * ln_K, gamma=gamma, ln_Gamma=lnG, s=s, N=N, d=d, nfast=nfast)
    with np.errstate(divide="ignore", over="ignore"):
        ln_f = (2 * ln_g + np.log(m - 1) + 2 * m * eps * ln_K + ln_n
                - np.logaddexp(0.0, 2 * (lnG + ln_n + m * ln_K)))
    w = np.full(m.size, m[1] - m[0])
    w[[0, -1]] /= 2                                          # trapezoid weights
    return float(logsumexp(ln_f, b=w))
