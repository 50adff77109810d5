"""The self-consistency ratio F(Gamma) of Eq. (19) / (E1) / (E2) / (E3) and its Gamma -> 0+ limit F0."""

from __future__ import annotations

import math

import numpy as np

from ..parameters import check_branching, check_ln_rate, resolve_eps, scalar_or_array
from ._checks import _validate
from ._integral import _check_summation, _make_model
from ._numerics import _MAX_ORDER, _ORDER_FLOOR


def self_consistency_ratio(
    ln_Gamma,
    *,
    eps=None,
    Xi=None,
    gamma,
    K,
    N,
    s,
    d=1,
    equation="19",
    sum_range="infinite",
    nfast="literal",
    drop_negative=False,
    summation="sum",
    integral_limits="cell",
):
    """:math:`F(\\Gamma)` of Eq. (19) / (E1) / (E2) / (E3) as ``(ln|F|, sign F)``.

    Parameters
    ----------
    ln_Gamma : float or array_like
        :math:`x = \\ln(\\Gamma/\\delta_m)`; ``-inf`` gives :math:`F(0^+)`.
        For ``equation="19"`` every finite value must be ``< ln(gamma)``
        (Eq. 20's domain).
    eps, Xi, gamma, K, N, s, d, equation, sum_range, nfast
        As in :func:`solve_linewidth`.  ``ln_Gamma`` and ``eps`` broadcast;
        ``gamma`` and ``s`` must be scalars here (``ValueError`` otherwise).
    drop_negative : bool
        E2/E3: drop the negative terms (:math:`\\ln(\\gamma K^m) < 0`, odd ``d``).
    summation : {"sum", "integral"}
        ``"sum"``: Eq. (19) as printed.  ``"integral"``: the sum over :math:`m = n + p` replaced
        by an integral, as the paper computed Figs. 5-7 (Sec. V A); Eq. (19) only.
    integral_limits : {"cell", "naive"}
        With ``summation="integral"``: ``"cell"`` integrates every :math:`(n, p)` over its unit
        cell, :math:`w(m) = m - 1` on :math:`[1, \\infty)` (square: :math:`\\min(m-1, 2N+1-m)` on
        :math:`[1, 2N+1]`); ``"naive"`` keeps the sum's weights and limits (:math:`m \\ge 2`,
        square :math:`m \\le 2N`).  Validated and ignored for ``"sum"``.

    Returns
    -------
    ln_abs_F : float or numpy.ndarray
        :math:`\\ln|F|` (``+inf`` for a divergent :math:`F(0^+)`; ``-inf`` if
        :math:`F = 0`).
    sign : float or numpy.ndarray
        ``+1``, ``-1`` or ``0``.

    Validity
    --------
    Evaluates :math:`F` as a mathematical function; never warns.  Raises
    ``ValueError`` for bad parameters, ``ln_Gamma >= ln(gamma)`` (Eq. 19),
    ``ln_Gamma < -1e7 ln K`` (unbounded sum) and the work limits of the
    module docstring (square sum ``N <= 20000``, ``K >= 1.00013``, E1/E2/E3
    ``N <= 10**6``, ``d <= 64``, tiny ``s N`` with ``nfast="continuous"``).
    """
    eps, gamma, K, N, s, d, equation, sum_range, nfast, drop_negative = _validate(
        eps, Xi, gamma, K, N, s, d, equation, sum_range, nfast, drop_negative
    )
    summation, integral_limits = _check_summation(summation, integral_limits, equation)
    return _ratio(ln_Gamma, eps, gamma, K, N, s, d, equation, sum_range, nfast, drop_negative, summation,
                  integral_limits)


def _ratio(ln_Gamma, eps, gamma, K, N, s, d, equation, sum_range, nfast, drop_negative, summation="sum",
           integral_limits="cell"):
    """:func:`self_consistency_ratio` for validated parameters (``ln_Gamma`` as given)."""
    x = np.asarray(check_ln_rate("ln_Gamma", ln_Gamma))
    x_min = -_ORDER_FLOOR * math.log(K)
    if equation == "19" and sum_range == "infinite" and np.any((x < x_min) & np.isfinite(x)):
        raise ValueError(
            f"ln_Gamma must be >= {x_min:.6g} (= -{_MAX_ORDER:.0e} ln K: the unbounded sum of Eq. 19 is "
            f"evaluated explicitly up to that order) or -inf (Gamma -> 0); got {ln_Gamma!r}"
        )
    if equation == "19" and np.any(x >= math.log(gamma)):
        raise ValueError(
            f"ln_Gamma must be < ln(gamma) = {math.log(gamma):g} for equation '19' "
            "(Eq. 20 is defined for Gamma < gamma)"
        )
    e = np.asarray(eps, dtype=float)
    xb, eb = np.broadcast_arrays(x, e)
    shape = xb.shape
    xf, ef = xb.ravel(), eb.ravel()
    uniq, inv = np.unique(ef, return_inverse=True)
    model = _make_model(
        summation=summation,
        integral_limits=integral_limits,
        eps=uniq,
        gamma=gamma,
        K=K,
        N=N,
        s=s,
        d=d,
        equation=equation,
        sum_range=sum_range,
        nfast=nfast,
        drop_negative=drop_negative,
    )
    lnF = np.empty(xf.size)
    sg = np.empty(xf.size)
    fin = np.isfinite(xf)
    if np.any(~fin):
        l0, s0 = model.lnF0()
        lnF[~fin], sg[~fin] = l0[inv[~fin]], s0[inv[~fin]]
    if np.any(fin):
        l1, s1 = model.lnF(xf[fin], inv[fin])
        lnF[fin], sg[fin] = l1, s1
    if len(shape) == 0:
        return float(lnF[0]), float(sg[0])
    return lnF.reshape(shape), sg.reshape(shape)


def ln_F_zero(
    *,
    eps=None,
    Xi=None,
    gamma,
    K,
    N,
    s,
    d=1,
    equation="19",
    sum_range="infinite",
    nfast="literal",
    drop_negative=False,
    summation="sum",
    integral_limits="cell",
):
    """:math:`F(\\Gamma\\to0^+)` as ``(ln|F0|, sign)``.

    For the infinite sum of Eq. (19), :math:`F(0^+) = +\\infty` for
    :math:`\\varepsilon \\ge 0` (returned as ``(inf, 1.0)``); for
    :math:`\\varepsilon < 0` it is finite and computed with a closed-form
    tail (non-negative expansion in Eulerian numbers).  For Eq. (19)
    :math:`F(\\Gamma) \\le F(0^+)` for all :math:`\\Gamma`, so the point is
    localized iff :math:`F(0^+) \\le 1`.  ``summation="integral"`` (with ``integral_limits``, see
    :func:`self_consistency_ratio`): the integral form, whose unbounded tail for
    :math:`\\varepsilon < 0` is a closed form too; the same bound holds for it.

    Validity
    --------
    As :func:`self_consistency_ratio` at :math:`\\Gamma \\to 0^+`: never warns;
    ``ValueError`` for bad parameters and the module's work limits.
    """
    return self_consistency_ratio(
        -np.inf * np.ones_like(np.asarray(resolve_eps(eps, Xi, check_branching("K", K)), dtype=float)),
        eps=eps,
        Xi=Xi,
        gamma=gamma,
        K=K,
        N=N,
        s=s,
        d=d,
        equation=equation,
        sum_range=sum_range,
        nfast=nfast,
        drop_negative=drop_negative,
        summation=summation,
        integral_limits=integral_limits,
    )


def _ln_F0_19(eps, gamma, s, *, K, N, d, sum_range, nfast):
    """:func:`ln_F_zero` of Eq. (19) at one point, for parameters the caller has validated.

    ``K, N, d, sum_range, nfast`` as returned by the checks of :func:`ln_F_zero`
    (e.g. a :class:`~nblm_helpers.meanfield.MeanFieldModel` built once), and
    ``eps < 1``, ``gamma > 0``, ``0 < s <= 1`` floats; the value is
    :func:`ln_F_zero`'s, bit for bit, without validating on every call (a root
    search in T, :func:`nblm_helpers.temperature.T0_prime`, makes ~15 calls).
    """
    return _ratio(-np.inf * np.ones_like(np.asarray(eps, dtype=float)), eps, gamma, K, N, s, d, "19", sum_range,
                  nfast, False)


def F_zero(**kwargs):
    """:math:`F(\\Gamma\\to0^+)` as a number (``inf`` where divergent); see :func:`ln_F_zero`.

    Validity
    --------
    As :func:`ln_F_zero`; ``inf`` where the unbounded sum diverges or
    :math:`F_0` exceeds the float range.
    """
    return _F_value(*ln_F_zero(**kwargs))


def _F_value(lnF, sg):
    """``sign * exp(ln|F|)`` (0 where the sign is 0, ``inf`` beyond the float range)."""
    with np.errstate(over="ignore"):
        val = np.where(np.asarray(sg) == 0, 0.0, np.asarray(sg) * np.exp(lnF))
    return scalar_or_array(val)
