"""Saddle-point treatment of the mean-field equations (App. C and D).

Gopalakrishnan & Nandkishore, PRB 90, 224203 (2014).

Units and conventions
---------------------
* Energies in units of :math:`\\delta_m` (:math:`\\delta_m = 1`): ``gamma``
  is :math:`\\gamma/\\delta_m`, ``Gamma`` the linewidth :math:`\\Gamma/\\delta_m`.
* :math:`\\varepsilon = 1 - 1/(\\Xi\\ln K)`; the keyword ``Xi`` is the
  Fock-space localization length :math:`\\Xi`, so that
  :math:`\\Xi\\ln K/(\\Xi\\ln K - 1) = 1/\\varepsilon`.
* Functions of the linewidth accept either ``Gamma`` or (underflow-safe)
  ``ln_Gamma`` = :math:`\\ln\\Gamma`, exactly one of them.

Contents
--------
:func:`n_c`                       :math:`n_c = s N d^d` (App. C, Eq. C5).
:func:`Nc_lambert`                Eq. (D4) = Eq. (C2), Lambert-W solution of (D3).
:func:`Nc_numeric`                direct bracketing root of Eq. (D3) (independent check).
:func:`Nc_asymptotic`             Eq. (C3), the :math:`\\Gamma\\to0` asymptote.
:func:`saddle_point_ln_linewidth` :math:`\\ln\\Gamma` of the closed form Eq. (C5).
:func:`saddle_point_ln_linewidth_C4`  :math:`\\ln\\Gamma` from Eq. (C4) with
                                  :math:`N_c` from Eq. (C2), solved numerically
                                  (the step before the C3 asymptotics).

This module must not import :mod:`nblm_helpers.meanfield` (the reverse is
allowed).

Validity warnings
-----------------
Each formula is returned wherever it can be evaluated, with a
:class:`~nblm_helpers.parameters.ValidityWarning` (``warn=True``, the default)
at points outside the regime in which the paper derives it:

* (C5) and (C4), :func:`saddle_point_ln_linewidth`,
  :func:`saddle_point_linewidth`, :func:`saddle_point_ln_linewidth_C4`: where
  (C7) :math:`1/(2\\ln K) < \\varepsilon < 1` or (C6) fails
  (:mod:`nblm_helpers.validity`).  This includes :math:`\\varepsilon \\le 0`,
  where the saddle point does not exist (App. C 2 needs a summand that grows
  with :math:`n + p`); there ``-inf`` (:math:`\\Gamma = 0`, the localized
  reading of App. C 1) is returned *with* the warning, so that a sweep of
  :math:`\\varepsilon` through 0 still gives an array.
* (D3)/(D4), :func:`Nc_lambert`, :func:`Nc_numeric`: where
  :math:`\\Gamma \\ge \\gamma` (the middle branch of Eq. 20, on which (D3)
  rests, needs :math:`\\Gamma < \\gamma`).
* (C3), :func:`Nc_asymptotic`: where :math:`\\Gamma sN \\ge \\gamma` (App. D:
  "strictly the limit :math:`\\Gamma s N \\ll \\gamma`") or
  :math:`\\Gamma n_c \\ge 1` (then :math:`N_c \\le 0`).

``warn=False`` skips the check (for callers that mark the window themselves).

Contract
--------
For any input every public function returns an answer without NaN, possibly
with the warning above, or raises :class:`ValueError` naming the parameter.
``-inf``/``+inf`` occur only where a docstring says so.  The functions that
loop over points in Python refuse more than a fixed number of points
(:func:`Nc_numeric`: 20 000; :func:`saddle_point_ln_linewidth_C4`: 1 000) and
the Lambert-W functions more than 2**21 points, so that each call ends within
a few seconds.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from ._roots import brentq_or_bisect
from ._special import lambertw_exp as _lambertw_exp
from .parameters import (
    ValidityWarning,
    check_branching,
    check_broadcast,
    check_dimension,
    check_ln_rate,
    check_positive,
    check_positive_int,
    check_unit_interval,
    resolve_eps,
    resolve_ln_rate,
    scalar_or_array,
)
from .validity import _c6_mask, _c7_mask, _ln_gsN, _log

#: Largest dimension d in the formulas (d ln d and d ln W stay far inside the float range).
_MAX_D = 2**53

#: Largest number of points of the functions that loop in Python, and of the Lambert-W ones.
_MAX_NUMERIC_POINTS = 20_000
_MAX_C4_POINTS = 1_000
_MAX_LAMBERTW_POINTS = 2**21

__all__ = [
    "n_c",
    "lambertw_exp",
    "Nc_lambert",
    "Nc_numeric",
    "Nc_asymptotic",
    "saddle_point_ln_linewidth",
    "saddle_point_linewidth",
    "saddle_point_ln_linewidth_C4",
    "saddle_point_eps_at_linewidth",
    "fig8_ordinate",
]




def _check_points(name, size, limit, hint):
    if size > limit:
        raise ValueError(f"{name} has {size} points; at most {limit} are accepted here ({hint})")


def _ln_n_c(s, N, d):
    """:math:`\\ln(sNd^d)`: the log of the product where it is a float (as always), else a sum of logs."""
    if d * math.log(d) + math.log(N) < 700.0:
        return _log(s * N * float(d**d))
    return _log(s) + math.log(N) + d * math.log(d)


def _warn(message, stacklevel):
    warnings.warn(message, ValidityWarning, stacklevel=stacklevel + 1)


def _first(values, mask):
    return float(np.broadcast_to(values, mask.shape)[mask].flat[0])


def _warn_saddle(what, eps, gamma, K, N, s, d, stacklevel):
    """One ValidityWarning listing where (C7), (C6) and eps > 0 fail (nothing if all hold)."""
    ln_K = _log(K)
    eps = np.asarray(eps, dtype=float)
    shape = np.broadcast_shapes(np.shape(eps), np.shape(gamma), np.shape(K), np.shape(s))
    nonpos = np.broadcast_to(eps <= 0, shape)
    c7 = np.broadcast_to(_c7_mask(ln_K, eps), shape)
    c6 = np.broadcast_to(_c6_mask(np.log(gamma), np.log(s * N), _ln_gsN(gamma, s, N), N, d, ln_K, eps), shape)
    bad = ~(c6 & c7)
    if not np.any(bad):
        return
    n, nb = bad.size, int(np.count_nonzero(bad))
    lo = 1.0 / (2.0 * np.asarray(ln_K, dtype=float))
    c7_text = f"{float(lo):.4g} < eps < 1" if np.ndim(lo) == 0 else "1/(2 ln K) < eps < 1"
    c6_text = "gamma^2 s N d^d < 1 and ln(1/(gamma s N))/(N ln K) < eps < 1"
    no_sp = "no saddle point exists for eps <= 0 (App. C 2 needs eps > 0); -inf (Gamma = 0) returned"
    if n == 1:
        parts = ([f"(C7) needs {c7_text}"] if not c7.flat[0] else []) + \
                ([f"(C6) needs {c6_text}"] if not c6.flat[0] else []) + ([no_sp] if nonpos.flat[0] else [])
        head = f"{what} at eps = {float(eps.flat[0]):.6g} is outside the saddle-point window"
    else:
        parts = []
        if np.any(~c7):
            parts.append(f"(C7) {c7_text} fails at {int(np.count_nonzero(~c7))} (smallest eps "
                         f"{float(np.min(np.broadcast_to(eps, shape)[~c7])):.6g})")
        if np.any(~c6):
            parts.append(f"(C6) {c6_text} fails at {int(np.count_nonzero(~c6))}")
        if np.any(nonpos):
            parts.append(f"{int(np.count_nonzero(nonpos))} of them have eps <= 0: {no_sp}")
        head = f"{what} outside the saddle-point window at {nb} of {n} points"
    _warn(head + ": " + "; ".join(parts), stacklevel + 1)


def n_c(*, s, N, d=1):
    """Saturated number of fast neighbours at the cutoff, :math:`n_c = s N d^d`.

    Defined after Eq. (C3) and used in Eq. (C5).  For the Fig. 8 parameters
    (``s=0.5, N=10, d=1``) :math:`n_c = 5`.

    Validity
    --------
    A float (an array for array ``s``); ``inf`` where :math:`sNd^d` exceeds
    the float range (e.g. ``d >= 144``; the other functions work with
    :math:`\\ln n_c` and are not affected).  Raises :class:`ValueError` for a
    bad ``s``, ``N`` or ``d``.
    """
    s = check_unit_interval("s", s)
    N = check_positive_int("N", N)
    d = check_dimension(d)
    if d * math.log(d) + math.log(N) < 700.0:
        return scalar_or_array(s * N * float(d**d))
    with np.errstate(over="ignore"):
        return scalar_or_array(np.exp(np.log(s) + math.log(N) + d * math.log(d)))


def lambertw_exp(L):
    """Principal-branch :math:`W(e^L)` for real ``L``, without overflow.

    For ``L <= 700`` this is ``scipy.special.lambertw(exp(L), 0).real``.
    For larger ``L`` (where ``exp(L)`` overflows) ``w + ln w = L`` is solved
    by Newton's method from ``w0 = L - ln L``.  The kernel
    (``nblm_helpers._special``) is shared with Eq. (8) and Eq. (13).

    Validity
    --------
    ``L`` may be any real number or ``-inf`` (:math:`W(0) = 0`); the result is
    finite and >= 0.  Raises :class:`ValueError` for NaN, ``+inf``,
    non-numbers, or more than 2**21 points.  (W of a positive real on the
    principal branch is real; the real part is returned.)
    """
    L = np.asarray(check_ln_rate("L", L), dtype=float)
    _check_points("L", L.size, _MAX_LAMBERTW_POINTS, "scipy's lambertw takes ~0.5 us per point")
    return scalar_or_array(_lambertw_exp(L))


def Nc_lambert(Gamma=None, *, ln_Gamma=None, gamma, K, N, s, d=1, warn=True):
    """Saddle-point cutoff :math:`N_c` from the Lambert-W formula, Eq. (D4) = (C2).

    .. math::
        N_c \\ln K = \\ln(1/\\gamma)
        + d\\,\\mathcal W\\!\\left(\\frac{(\\gamma/(\\Gamma s N))^{1/d}}{d}\\right)

    (:math:`\\delta_m = 1`).  This is the exact solution of Eq. (D3) for the
    unique root with :math:`\\ln(\\gamma K^{N_c}) > 0`.  The argument of W is
    formed in logarithms (:func:`lambertw_exp`), so tiny ``Gamma`` is fine.

    Parameters
    ----------
    Gamma : float or array_like, optional
        Linewidth :math:`\\Gamma/\\delta_m > 0`.
    ln_Gamma : float or array_like, optional
        :math:`\\ln\\Gamma` instead of ``Gamma`` (give exactly one).
    gamma, K, N, s, d
        Inter-dot coupling (> 0), branching (> 1), number of levels (integer
        >= 1), entropy per level (in (0, 1]), dimension (integer >= 1).

    warn : bool
        Issue a :class:`~nblm_helpers.parameters.ValidityWarning` where
        :math:`\\Gamma \\ge \\gamma` (outside the middle branch of Eq. 20 on
        which (D3) rests).

    Returns
    -------
    float or numpy.ndarray
        :math:`N_c` (a real number, not rounded to an integer); ``+inf`` where
        it exceeds the float range (``ln_Gamma`` near ``-1e308`` with ``K``
        near 1).

    Raises
    ------
    ValueError
        For a bad parameter, arrays that do not broadcast, or more than 2**21
        points.
    """
    lnG = np.asarray(resolve_ln_rate(Gamma, ln_Gamma, allow_zero_rate=False), dtype=float)
    gamma, K, N, s, d = _check_model(gamma, K, N, s, d)
    shape = check_broadcast(ln_Gamma=lnG, gamma=gamma, K=K, s=s)
    _check_points("ln_Gamma", math.prod(shape), _MAX_LAMBERTW_POINTS, "scipy's lambertw takes ~0.5 us per point")
    a = np.log(gamma)
    lnz = (a - lnG - _log(s * N)) / d - math.log(d)
    y = d * np.asarray(lambertw_exp(lnz))
    with np.errstate(over="ignore"):
        out = (-a + y) / _log(K)
    if warn:
        _warn_D3("Nc_lambert", lnG, a)
    return scalar_or_array(out)


def _warn_D3(what, lnG, ln_g):
    bad = np.broadcast_to(np.asarray(lnG) >= ln_g, np.broadcast_shapes(np.shape(lnG), np.shape(ln_g)))
    if np.any(bad):
        _warn(f"{what}: Gamma >= gamma at {int(np.count_nonzero(bad))} of {bad.size} point(s) (e.g. ln Gamma = "
              f"{_first(lnG, bad):.6g}, ln gamma = {_first(ln_g, bad):.6g}); (D3) uses the middle branch of "
              "Eq. (20), which needs Gamma < gamma", 3)


def Nc_numeric(Gamma=None, *, ln_Gamma=None, gamma, K, N, s, d=1, warn=True):
    """:math:`N_c` as a direct numerical root of Eq. (D3) (independent of W).

    Eq. (D3), :math:`N_c\\ln K = \\ln[1/(\\Gamma s N \\ln^d(\\gamma K^{N_c}))]`,
    is solved with :func:`scipy.optimize.brentq` in the variable
    :math:`w = \\ln\\ln(\\gamma K^{N_c})`, where it reads
    :math:`e^w + d\\,w = \\ln(\\gamma/(\\Gamma s N))` (monotone in ``w``; the
    bracket is expanded until it changes sign).  Then
    :math:`N_c = (e^w - \\ln\\gamma)/\\ln K`.  Loops over array input.

    Validity
    --------
    As :func:`Nc_lambert` (same warning, ``warn``, ``+inf`` on overflow).
    Raises :class:`ValueError` for bad input or more than 20 000 points (the
    loop costs ~50 us per point; use :func:`Nc_lambert` for large arrays).
    Where the right side exceeds ~1e200 in magnitude the bracket is built
    analytically instead of by doubling, so no ``exp`` overflows.
    """
    lnG = np.asarray(resolve_ln_rate(Gamma, ln_Gamma, allow_zero_rate=False), dtype=float)
    gamma, K, N, s, d = _check_model(gamma, K, N, s, d)
    shape = check_broadcast(ln_Gamma=lnG, gamma=gamma, K=K, s=s)
    _check_points("ln_Gamma", math.prod(shape), _MAX_NUMERIC_POINTS,
                  "it loops in Python, ~50 us per point; Nc_lambert is vectorized")
    lnG_b, g_b, K_b, s_b = (np.broadcast_to(v, shape) for v in (lnG, gamma, K, s))
    out = np.empty(shape)
    for idx in np.ndindex(shape):
        a = math.log(float(g_b[idx]))
        rhs = a - float(lnG_b[idx]) - math.log(float(s_b[idx]) * N)
        out[idx] = _Nc_numeric_one(rhs, a, d, math.log(float(K_b[idx])))
    if warn:
        _warn_D3("Nc_numeric", lnG, np.log(gamma))
    return scalar_or_array(out)


def _Nc_numeric_one(rhs, a, d, ell):
    """Root of ``e^w + d w = rhs`` by brentq, then ``N_c = (e^w - a)/ell`` (inf on overflow)."""
    if abs(rhs) < 1e200:
        def g(w):
            return math.exp(w) + d * w - rhs

        lo, hi = -1.0, 1.0
        while g(lo) > 0:
            lo = 2.0 * lo - 1.0
        while g(hi) < 0:   # stops by hi = 511: exp(511) > 1e222 > rhs
            hi = 2.0 * hi + 1.0
        w = brentq_or_bisect(g, lo, hi, xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=500)
    else:
        # |rhs| >= 1e200: scale by S = |rhs| and bracket analytically (no exp overflow)
        S = abs(rhs)

        def g(w):
            return math.exp(min(w - math.log(S), 700.0)) + (d / S) * w - rhs / S

        if rhs > 0:   # e^w* <= rhs: w* <= ln rhs; at ln rhs + 1, e^w > rhs
            lo, hi = -1.0, math.log(rhs) + 1.0
        else:         # w* < rhs/d: at w = rhs/d (1 + 2^-20) - 1, d w - rhs < -2^-20 |rhs| and e^w < 1
            lo, hi = max(rhs / d * (1.0 + 2.0**-20) - 1.0, -np.finfo(float).max), 1.0
        w = brentq_or_bisect(g, lo, hi, xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=500)
    try:
        return (math.exp(w) - a) / ell
    except OverflowError:
        return math.inf


def Nc_asymptotic(Gamma=None, *, ln_Gamma=None, K, N, s, d=1, gamma=None, warn=True):
    """:math:`\\Gamma \\to 0` asymptote of :math:`N_c`, Eq. (C3).

    .. math:: N_c \\ln K \\approx \\ln(1/(\\Gamma s N d^d))

    ``gamma`` does not enter the formula; when it is given, it is used for the
    validity check below.

    Validity
    --------
    With ``warn=True`` a :class:`~nblm_helpers.parameters.ValidityWarning` is
    issued where :math:`\\Gamma sN \\ge \\gamma` (App. D: (C3) is "strictly
    the limit :math:`\\Gamma sN \\ll \\gamma`"; only if ``gamma`` is given)
    or where :math:`\\Gamma n_c \\ge 1` (then :math:`N_c \\le 0`).  Returns
    ``+inf`` where :math:`N_c` exceeds the float range.  Raises
    :class:`ValueError` for bad input.
    """
    lnG = np.asarray(resolve_ln_rate(Gamma, ln_Gamma, allow_zero_rate=False), dtype=float)
    if gamma is not None:
        gamma = check_positive("gamma", gamma)
    K = check_branching("K", K)
    s = check_unit_interval("s", s)
    N = check_positive_int("N", N)
    d = _check_d(d)
    check_broadcast(ln_Gamma=lnG, K=K, s=s, **({} if gamma is None else {"gamma": gamma}))
    ln_nc = _ln_n_c(s, N, d)
    with np.errstate(over="ignore"):
        out = (-lnG - ln_nc) / _log(K)
    if warn:
        over_nc = np.asarray(lnG + ln_nc >= 0)
        msgs = []
        if np.any(over_nc):
            msgs.append(f"Gamma n_c >= 1 at {int(np.count_nonzero(over_nc))} (N_c <= 0)")
        if gamma is not None:
            over_g = np.asarray(lnG + _log(s * N) >= np.log(gamma))
            if np.any(over_g):
                msgs.append(f"Gamma s N >= gamma at {int(np.count_nonzero(over_g))} ((C3) is the limit "
                            "Gamma s N << gamma, App. D)")
        if msgs:
            n = int(np.size(out))
            _warn(f"Nc_asymptotic outside the regime of (C3) ({n} point(s)): " + "; ".join(msgs), 2)
    return scalar_or_array(out)


def saddle_point_ln_linewidth(*, eps=None, Xi=None, gamma, K, N, s, d=1, warn=True):
    """:math:`\\ln\\Gamma` of the saddle-point closed form, Eq. (C5).

    .. math::
        \\Gamma = \\frac{1}{n_c}\\left(\\gamma\\sqrt{n_c}\\right)^{1/\\varepsilon},
        \\qquad n_c = s N d^d,

    since :math:`\\Xi\\ln K/(\\Xi\\ln K - 1) = 1/\\varepsilon`; in logs
    :math:`\\ln\\Gamma = -\\ln n_c + (\\ln\\gamma + \\tfrac12\\ln n_c)/\\varepsilon`.

    Parameters
    ----------
    eps, Xi : float or array_like
        Exactly one of :math:`\\varepsilon` (< 1) and :math:`\\Xi` (> 0).
    gamma, K, N, s, d
        As in :func:`Nc_lambert` (``gamma``, ``K``, ``s`` may be arrays that
        broadcast with ``eps``).
    warn : bool
        Issue a :class:`~nblm_helpers.parameters.ValidityWarning` at points
        outside the saddle point's window, (C7) and (C6) of
        :mod:`nblm_helpers.validity`, which includes every
        :math:`\\varepsilon \\le 0` (default ``True``).

    Returns
    -------
    float or numpy.ndarray
        :math:`\\ln(\\Gamma/\\delta_m)`; ``-inf`` where
        :math:`\\varepsilon \\le 0` (:math:`1/\\Xi \\ge \\ln K`), with the
        warning: App. C 2 assumes the summand of Eq. (19) grows with ``n + p``,
        and without that the saddle point has no solution (App. C 1: localized,
        :math:`\\Gamma=0`).  Also ``+inf``/``-inf`` where
        :math:`|\\ln(\\gamma\\sqrt{n_c})|/\\varepsilon` exceeds the float range
        (:math:`0 < \\varepsilon \\lesssim 10^{-306}`, far outside (C7)).

    Raises
    ------
    ValueError
        For a bad parameter or arrays that do not broadcast.

    Notes
    -----
    Why ``-inf`` with a warning rather than a ``ValueError`` for
    :math:`\\varepsilon \\le 0`: the chapters and
    :func:`nblm_helpers.meanfield.saddle_point_ln_linewidth` (re-exported)
    draw (C5) next to the full solution over sweeps of :math:`\\varepsilon`
    through 0, where :math:`-1/\\ln\\Gamma = 0` is the natural continuation;
    the warning says that it is not a saddle-point result there.
    """
    gamma = check_positive("gamma", gamma)
    K = check_branching("K", K)
    eps = np.asarray(resolve_eps(eps, Xi, K), dtype=float)
    s = check_unit_interval("s", s)
    N = check_positive_int("N", N)
    d = _check_d(d)
    check_broadcast(eps=eps, gamma=gamma, K=K, s=s)
    ln_nc = _ln_n_c(s, N, d)
    pos = eps > 0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        val = -ln_nc + (_log(gamma) + 0.5 * ln_nc) / np.where(pos, eps, 1.0)
    out = np.where(pos, val, -np.inf)
    if warn:
        _warn_saddle("(C5)", eps, gamma, K, N, s, d, 2)
    return scalar_or_array(out)


def saddle_point_eps_at_linewidth(*, ln_Gamma, gamma, N, s, d=1):
    """The :math:`\\varepsilon` at which the saddle point (C5) gives the linewidth :math:`\\Gamma`.

    The inverse of :func:`saddle_point_ln_linewidth` in :math:`\\varepsilon`: from
    :math:`\\ln\\Gamma = -\\ln n_c + (\\ln\\gamma + \\tfrac12\\ln n_c)/\\varepsilon` (Eq. C5),

    .. math::
        \\varepsilon = \\frac{\\ln\\gamma + \\tfrac12\\ln n_c}{\\ln\\Gamma + \\ln n_c},
        \\qquad n_c = sNd^d.

    With ``ln_Gamma`` the floor :math:`\\ln(NK^{-N})` of Eq. (27)
    (:func:`nblm_helpers.validity.ln_Gamma_floor_27`) it is where (C5) enters the window of
    Eq. (27); for :math:`\\gamma\\sqrt{n_c} < 1` (C6) the (C5) linewidth grows with
    :math:`\\varepsilon`, so (C5) is above the floor for larger :math:`\\varepsilon`.

    Parameters
    ----------
    ln_Gamma : float or array_like
        :math:`\\ln(\\Gamma/\\delta_m)`, finite.
    gamma : float or array_like
        :math:`\\gamma/\\delta_m > 0`.
    N, s, d
        Levels per dot, entropy per degree of freedom in (0, 1], dimension (:math:`n_c = sNd^d`).

    Returns
    -------
    float or numpy.ndarray
        :math:`\\varepsilon \\in (0, 1)`; NaN where (C5) does not reach :math:`\\Gamma` for any
        :math:`0 < \\varepsilon < 1` (the formula's value lies outside (0, 1), e.g.
        :math:`\\ln\\Gamma \\ge \\ln\\gamma - \\tfrac12\\ln n_c` when :math:`\\gamma\\sqrt{n_c} < 1`).

    Raises
    ------
    ValueError
        For a bad parameter (named, with its value and range) or arrays that do not broadcast.
        Never warns.
    """
    lnG = check_ln_rate("ln_Gamma", ln_Gamma, allow_zero_rate=False)
    gamma = check_positive("gamma", gamma)
    N = check_positive_int("N", N)
    s = check_unit_interval("s", s)
    d = _check_d(d)
    check_broadcast(ln_Gamma=lnG, gamma=gamma, s=s)
    ln_nc = _ln_n_c(s, N, d)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        eps = (_log(gamma) + 0.5 * ln_nc) / (lnG + ln_nc)
        out = np.where((eps > 0) & (eps < 1), eps, np.nan)
    return scalar_or_array(out)


def fig8_ordinate(ln_Gamma, *, s, N, d=1):
    """The ordinate of the paper's Fig. 8, :math:`-1/\\ln(n_c\\Gamma/\\delta_m)` with :math:`n_c = sNd^d`.

    In this variable (C5) is a straight line through the origin,
    :math:`-1/\\ln(n_c\\Gamma) = \\varepsilon/\\ln(1/(\\gamma\\sqrt{n_c}))` (App. E).

    Parameters
    ----------
    ln_Gamma : float or array_like
        :math:`\\ln(\\Gamma/\\delta_m)`; ``-inf`` (:math:`\\Gamma = 0`) gives 0; an empty
        array gives an empty array.
    s, N, d
        As in :func:`n_c`.

    Returns
    -------
    float or numpy.ndarray
        :math:`-1/\\ln(n_c\\Gamma)`, positive; NaN where :math:`n_c\\Gamma \\ge 1` (outside the
        figure: no saddle point there).

    Raises
    ------
    ValueError
        For a bad parameter (named, with its value and range).  Never warns.
    """
    s = check_unit_interval("s", s)
    N = check_positive_int("N", N)
    d = _check_d(d)
    if isinstance(ln_Gamma, np.ndarray) and ln_Gamma.size == 0:    # no points: nothing to draw
        return np.zeros(ln_Gamma.shape)
    lnG = check_ln_rate("ln_Gamma", ln_Gamma)
    if np.ndim(s) != 0:
        raise ValueError(f"s must be a single real number in (0, 1] here; got an array of shape {np.shape(s)}")
    z = np.asarray(lnG, dtype=float) + _ln_n_c(s, N, d)
    with np.errstate(divide="ignore", invalid="ignore"):
        return scalar_or_array(np.where(z < 0, -1.0 / z, np.nan))


def saddle_point_linewidth(*, eps=None, Xi=None, gamma, K, N, s, d=1, warn=True):
    """:math:`\\Gamma/\\delta_m` of Eq. (C5) (``exp`` of
    :func:`saddle_point_ln_linewidth`; 0.0 where it is ``-inf`` or underflows).

    Validity
    --------
    As :func:`saddle_point_ln_linewidth` (same warning and ``warn``); ``inf``
    where :math:`\\Gamma` exceeds the float range (only outside (C6), where
    :math:`\\gamma\\sqrt{n_c} > 1`).
    """
    gamma = check_positive("gamma", gamma)
    ln_Gamma = saddle_point_ln_linewidth(eps=eps, Xi=Xi, gamma=gamma, K=K, N=N, s=s, d=d, warn=False)
    if warn:
        K = check_branching("K", K)
        _warn_saddle("(C5)", resolve_eps(eps, Xi, K), gamma, K, check_positive_int("N", N),
                     check_unit_interval("s", s), _check_d(d), 2)
    with np.errstate(over="ignore", under="ignore"):
        return scalar_or_array(np.exp(ln_Gamma))


def saddle_point_ln_linewidth_C4(*, eps=None, Xi=None, gamma, K, N, s, d=1, warn=True):
    """:math:`\\ln\\Gamma` from Eq. (C4) with the full :math:`N_c` of Eq. (C2).

    Eq. (C4), :math:`\\Gamma = \\gamma^2 N_c K^{N_c} e^{-2N_c/\\Xi}`, becomes with
    :math:`1/\\Xi = (1-\\varepsilon)\\ln K`

    .. math:: \\ln\\Gamma = 2\\ln\\gamma + \\ln N_c(\\Gamma)
              + (2\\varepsilon - 1)\\ln K\\,N_c(\\Gamma),

    with :math:`N_c(\\Gamma)` from :func:`Nc_lambert`.  This is the
    saddle-point result *before* the asymptotic step (C3) and before dropping
    :math:`\\ln N_c`; C5 follows from it with those two approximations.  For
    :math:`\\varepsilon > 0` the difference of the two sides is strictly
    increasing in :math:`\\ln\\Gamma`, so the root is unique; it is found with
    :func:`scipy.optimize.brentq` (bracket expanded as needed).

    Parameters
    ----------
    eps, Xi, gamma, K, N, s, d
        As in :func:`saddle_point_ln_linewidth`, with scalar ``gamma``, ``K``,
        ``s`` and ``0 < gamma < 1``.
    warn : bool
        As in :func:`saddle_point_ln_linewidth`: the same (C6)/(C7) window.

    Returns
    -------
    float or numpy.ndarray
        ``-inf`` where :math:`\\varepsilon \\le 0` (as for Eq. C5, with the
        warning), and where the root lies below :math:`\\ln\\Gamma = -4.5\\times10^{307}`
        (:math:`\\Gamma = 0` to any float precision; :math:`\\varepsilon` within
        ~1e-305 of 0).

    Raises
    ------
    ValueError
        If ``gamma >= 1`` (the saddle point assumes :math:`\\gamma < \\delta_m`,
        and :math:`N_c` could then be <= 0), for any other bad parameter, or for
        more than 1 000 values of ``eps`` (a root search per point, ~1 ms each).
    """
    gamma = _check_gamma_below_one(gamma)
    K = check_branching("K", K)
    N = check_positive_int("N", N)
    s = check_unit_interval("s", s)
    d = _check_d(d)
    for name, v in (("gamma", gamma), ("K", K), ("s", s)):
        if np.ndim(v) != 0:
            raise ValueError(f"{name} must be a single number for Eq. C4 (the root search is per eps); "
                             f"got an array of shape {np.shape(v)}")
    eps = np.asarray(resolve_eps(eps, Xi, K), dtype=float)
    _check_points("eps", eps.size, _MAX_C4_POINTS, "one root search per point, ~1 ms each")
    a, ell = math.log(gamma), math.log(K)
    lnsN = math.log(s * N)
    big = np.finfo(float).max / 4     # |ln Gamma| searched up to 4.5e307: ell N_c ~ -ln Gamma stays finite

    def W(x):
        return float(lambertw_exp((a - x - lnsN) / d - math.log(d)))

    out = np.full(eps.shape, -np.inf)
    for idx, e in np.ndenumerate(eps):
        e = float(e)
        if e <= 0:
            continue

        def G(x, e=e):
            w = W(x)
            y = d * w - a                     # ell N_c = ln(gamma K^N_c) - ln gamma > 0
            n = y / ell
            if x > -1e12 and math.isfinite(n):     # the formula as it always was
                return x - 2 * a - math.log(n) - (2 * e - 1) * ell * n
            # far below, x + y cancels: use w + ln w = L, i.e. x + y = -ln(sN) - d ln d - d ln w
            # (w >= L/2 > 0 there), and ln N_c = ln y - ln ell
            return (-lnsN - d * (math.log(d) + math.log(w)) - 2 * a - (math.log(y) - math.log(ell))
                    - 2 * e * y)

        hi = max(a, 0.0) + 1.0
        while G(hi) <= 0 and hi < big:
            hi = min(2 * hi + 1, big)
        lo = max(min(-1.0, 2 * a / e - 10.0), -big)
        while G(lo) >= 0 and lo > -big:
            lo = max(2 * lo - 1, -big)
        if G(lo) >= 0:                        # root below -4.5e307: Gamma = 0 to any precision
            continue
        out[idx] = brentq_or_bisect(G, lo, hi, xtol=1e-13, rtol=4 * np.finfo(float).eps, maxiter=500)
    if warn:
        _warn_saddle("(C4) with (D4)", eps, gamma, K, N, s, d, 2)
    return scalar_or_array(out)


def _check_model(gamma, K, N, s, d):
    """Validated ``(gamma, K, N, s, d)`` of the coupled-dot model (ValueError naming the parameter)."""
    return (check_positive("gamma", gamma), check_branching("K", K), check_positive_int("N", N),
            check_unit_interval("s", s), _check_d(d))


def _check_d(d):
    """The dimension ``d`` (integer >= 1), at most 2**53 so that ``d ln d`` is a finite float."""
    check_dimension(d)
    return check_positive_int("d", d, maximum=_MAX_D)


def _check_gamma_below_one(gamma):
    """Validate ``0 < gamma < 1`` (coupling below :math:`\\delta_m`)."""
    gamma = check_positive("gamma", gamma)
    if np.any(np.asarray(gamma) >= 1.0):
        raise ValueError(f"gamma must be in (0, 1) (units of delta_m) for Eq. C4; got {gamma!r}")
    return gamma

