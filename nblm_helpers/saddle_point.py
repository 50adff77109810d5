"""Saddle-point treatment of the mean-field equations (App. C and D).

Gopalakrishnan & Nandkishore, PRB 90, 224203 (2014).

Units and conventions
---------------------
* Energies in units of :math:`\\delta_m` (:math:`\\delta_m = 1`): ``gamma``
  is :math:`\\gamma/\\delta_m`, ``Gamma`` the linewidth :math:`\\Gamma/\\delta_m`.
* :math:`\\varepsilon = 1 - 1/(\\Xi\\ln K)`; the keyword ``xi`` is the
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
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq
from scipy.special import lambertw

from .parameters import (
    check_branching,
    check_dimension,
    check_positive,
    check_positive_int,
    check_unit_interval,
    resolve_eps,
    resolve_ln_rate,
    scalar_or_array,
)

__all__ = [
    "n_c",
    "lambertw_exp",
    "Nc_lambert",
    "Nc_numeric",
    "Nc_asymptotic",
    "saddle_point_ln_linewidth",
    "saddle_point_linewidth",
    "saddle_point_ln_linewidth_C4",
]






def n_c(*, s, N, d=1):
    """Saturated number of fast neighbours at the cutoff, :math:`n_c = s N d^d`.

    Defined after Eq. (C3) and used in Eq. (C5).  For the Fig. 8 parameters
    (``s=0.5, N=10, d=1``) :math:`n_c = 5`.
    """
    s = check_unit_interval("s", s)
    N = check_positive_int("N", N)
    d = check_dimension(d)
    return float(s * N * d**d)


def lambertw_exp(L):
    """Principal-branch :math:`W(e^L)` for real ``L``, without overflow.

    For ``L <= 700`` this is ``scipy.special.lambertw(exp(L), 0).real``; the
    imaginary part is checked to vanish (``|Im W| <= 1e-12 (1 + |Re W|)``).
    For larger ``L`` (where ``exp(L)`` overflows) ``w + ln w = L`` is solved
    by Newton's method from ``w0 = L - ln L``.

    Raises
    ------
    RuntimeError
        If the principal branch returns a complex value (cannot happen for a
        positive argument; kept as a guard).
    """
    L = np.asarray(L, dtype=float)
    out = np.empty_like(L)
    small = L <= 700.0
    if np.any(small):
        w = lambertw(np.exp(L[small]), 0)
        if np.any(np.abs(w.imag) > 1e-12 * (1.0 + np.abs(w.real))):
            raise RuntimeError("lambertw returned a complex value for a positive argument")
        out[small] = w.real
    if np.any(~small):
        Lb = L[~small]
        w = Lb - np.log(Lb)
        for _ in range(50):
            step = (w + np.log(w) - Lb) / (1.0 + 1.0 / w)
            w = w - step
            if np.all(np.abs(step) <= 1e-15 * w):
                break
        out[~small] = w
    return scalar_or_array(out)


def Nc_lambert(Gamma=None, *, ln_Gamma=None, gamma, K, N, s, d=1):
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

    Returns
    -------
    float or numpy.ndarray
        :math:`N_c` (a real number, not rounded to an integer).
    """
    lnG = np.asarray(resolve_ln_rate(Gamma, ln_Gamma, allow_zero_rate=False), dtype=float)
    gamma, K, N, s, d = _check_model(gamma, K, N, s, d)
    a = np.log(gamma)
    lnz = (a - lnG - math.log(s * N)) / d - math.log(d)
    y = d * np.asarray(lambertw_exp(lnz))
    return scalar_or_array((-a + y) / math.log(K))


def Nc_numeric(Gamma=None, *, ln_Gamma=None, gamma, K, N, s, d=1):
    """:math:`N_c` as a direct numerical root of Eq. (D3) (independent of W).

    Eq. (D3), :math:`N_c\\ln K = \\ln[1/(\\Gamma s N \\ln^d(\\gamma K^{N_c}))]`,
    is solved with :func:`scipy.optimize.brentq` in the variable
    :math:`w = \\ln\\ln(\\gamma K^{N_c})`, where it reads
    :math:`e^w + d\\,w = \\ln(\\gamma/(\\Gamma s N))` (monotone in ``w``; the
    bracket is expanded until it changes sign).  Then
    :math:`N_c = (e^w - \\ln\\gamma)/\\ln K`.  Loops over array input.
    """
    lnG = np.asarray(resolve_ln_rate(Gamma, ln_Gamma, allow_zero_rate=False), dtype=float)
    gamma, K, N, s, d = _check_model(gamma, K, N, s, d)
    a = math.log(gamma)
    out = np.empty(lnG.shape)
    for idx, lg in np.ndenumerate(lnG):
        rhs = a - float(lg) - math.log(s * N)

        def g(w, rhs=rhs):
            return math.exp(w) + d * w - rhs

        lo, hi = -1.0, 1.0
        while g(lo) > 0:
            lo = 2.0 * lo - 1.0
        while g(hi) < 0:
            hi = 2.0 * hi + 1.0
        w = brentq(g, lo, hi, xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=500)
        out[idx] = (math.exp(w) - a) / math.log(K)
    return scalar_or_array(out)


def Nc_asymptotic(Gamma=None, *, ln_Gamma=None, K, N, s, d=1, gamma=None):
    """:math:`\\Gamma \\to 0` asymptote of :math:`N_c`, Eq. (C3).

    .. math:: N_c \\ln K \\approx \\ln(1/(\\Gamma s N d^d))

    ``gamma`` is accepted for a uniform call signature but does not enter.
    """
    lnG = np.asarray(resolve_ln_rate(Gamma, ln_Gamma, allow_zero_rate=False), dtype=float)
    if gamma is not None:
        check_positive("gamma", gamma)
    K = check_branching("K", K)
    nc = n_c(s=s, N=N, d=d)
    return scalar_or_array((-lnG - math.log(nc)) / math.log(K))


def saddle_point_ln_linewidth(*, eps=None, xi=None, gamma, K, N, s, d=1):
    """:math:`\\ln\\Gamma` of the saddle-point closed form, Eq. (C5).

    .. math::
        \\Gamma = \\frac{1}{n_c}\\left(\\gamma\\sqrt{n_c}\\right)^{1/\\varepsilon},
        \\qquad n_c = s N d^d,

    since :math:`\\Xi\\ln K/(\\Xi\\ln K - 1) = 1/\\varepsilon`; in logs
    :math:`\\ln\\Gamma = -\\ln n_c + (\\ln\\gamma + \\tfrac12\\ln n_c)/\\varepsilon`.

    Parameters
    ----------
    eps, xi : float or array_like
        Exactly one of :math:`\\varepsilon` (< 1) and :math:`\\Xi` (> 0).
    gamma, K, N, s, d
        As in :func:`Nc_lambert`.

    Returns
    -------
    float or numpy.ndarray
        :math:`\\ln(\\Gamma/\\delta_m)`; ``-inf`` where
        :math:`\\varepsilon \\le 0` (:math:`1/\\Xi \\ge \\ln K`): App. C 2
        assumes the summand of Eq. (19) grows with ``n + p``, and without that
        the saddle point has no solution (App. C 1: localized, :math:`\\Gamma=0`).
        No validity warning is issued; use
        :func:`nblm_helpers.validity.condition_C7` / ``condition_C6``.
    """
    gamma = check_positive("gamma", gamma)
    K = check_branching("K", K)
    eps = np.asarray(resolve_eps(eps, xi, K), dtype=float)
    nc = n_c(s=s, N=N, d=d)
    pos = eps > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        val = -math.log(nc) + (math.log(gamma) + 0.5 * math.log(nc)) / np.where(pos, eps, 1.0)
    return scalar_or_array(np.where(pos, val, -np.inf))


def saddle_point_linewidth(*, eps=None, xi=None, gamma, K, N, s, d=1):
    """:math:`\\Gamma/\\delta_m` of Eq. (C5) (``exp`` of
    :func:`saddle_point_ln_linewidth`; 0.0 where it is ``-inf`` or underflows)."""
    return scalar_or_array(
        np.exp(saddle_point_ln_linewidth(eps=eps, xi=xi, gamma=gamma, K=K, N=N, s=s, d=d))
    )


def saddle_point_ln_linewidth_C4(*, eps=None, xi=None, gamma, K, N, s, d=1):
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

    Returns
    -------
    float or numpy.ndarray
        ``-inf`` where :math:`\\varepsilon \\le 0` (as for Eq. C5).

    Raises
    ------
    ValueError
        If ``gamma >= 1`` (the saddle point assumes :math:`\\gamma < \\delta_m`,
        and :math:`N_c` could then be <= 0).
    """
    gamma = _check_gamma_below_one(gamma)
    K = check_branching("K", K)
    N = check_positive_int("N", N)
    s = check_unit_interval("s", s)
    d = check_dimension(d)
    eps = np.asarray(resolve_eps(eps, xi, K), dtype=float)
    a, ell = math.log(gamma), math.log(K)
    lnsN = math.log(s * N)

    def Nc(x):
        y = d * float(lambertw_exp((a - x - lnsN) / d - math.log(d)))
        return (-a + y) / ell

    out = np.full(eps.shape, -np.inf)
    for idx, e in np.ndenumerate(eps):
        e = float(e)
        if e <= 0:
            continue

        def G(x, e=e):
            n = Nc(x)
            return x - 2 * a - math.log(n) - (2 * e - 1) * ell * n

        hi = max(a, 0.0) + 1.0
        while G(hi) <= 0:
            hi = 2 * hi + 1
        lo = min(-1.0, 2 * a / e - 10.0)
        while G(lo) >= 0:
            lo = 2 * lo - 1
        out[idx] = brentq(G, lo, hi, xtol=1e-13, rtol=4 * np.finfo(float).eps, maxiter=500)
    return scalar_or_array(out)


def _check_model(gamma, K, N, s, d):
    """Validated ``(gamma, K, N, s, d)`` of the coupled-dot model (ValueError naming the parameter)."""
    return (check_positive("gamma", gamma), check_branching("K", K), check_positive_int("N", N),
            check_unit_interval("s", s), check_dimension(d))


def _check_gamma_below_one(gamma):
    """Validate ``0 < gamma < 1`` (coupling below :math:`\\delta_m`)."""
    gamma = check_positive("gamma", gamma)
    if np.any(np.asarray(gamma) >= 1.0):
        raise ValueError(f"gamma must be in (0, 1) (units of delta_m) for Eq. C4; got {gamma!r}")
    return gamma

