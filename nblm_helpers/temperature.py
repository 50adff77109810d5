"""Temperature dependence of the linewidth and the conductivity (Sec. V C).

Gopalakrishnan & Nandkishore, PRB 90, 224203 (2014), Eqs. (1), (2), (28)-(30),
with the saddle-point result (C5) and its window (C7).

Units and conventions
---------------------
* Temperatures and energies are in units of the single-particle level
  spacing :math:`\\Delta` (set :math:`\\Delta = 1`): ``T`` is :math:`T/\\Delta`,
  ``lam`` is the interaction strength :math:`\\lambda/\\Delta`, ``gamma`` is the
  inter-dot coupling :math:`\\gamma/\\Delta` (**fixed in absolute units**, so
  :math:`\\gamma/\\delta_m(T) = \\gamma T^2` grows with ``T``), ``T_s`` is the
  temperature :math:`T_s/\\Delta` at which the entropy saturates, and the
  linewidth is returned as :math:`\\ln(\\Gamma/\\Delta)`.
* ``g`` is the dimensionless conductance of a dot; ``K`` the Fock-space
  branching number (the paper's :math:`K = g^3/6`; here ``K`` is an
  independent parameter so that the two can be varied separately).
* The conductivity is :math:`\\sigma \\propto \\Gamma` (Sec. V C, Ref. 26); we
  report :math:`\\ln\\sigma = \\ln(\\Gamma/\\Delta)`, i.e. up to an additive
  constant.
* Everything is computed in logarithms.

Contract
--------
For any input every public function returns an answer without NaN, or
raises :class:`ValueError` naming the parameter (e.g. a temperature outside
:math:`(0, \\sqrt{g/\\lambda})`, or one at which :math:`\\gamma T^2`
under- or overflows).  ``inf``/``-inf`` occur only where a docstring says so
(``-inf``: :math:`\\Gamma = 0` or :math:`\\sigma = 0`).  The saddle-point
formulas warn (:class:`~nblm_helpers.parameters.ValidityWarning`) outside
their window (C6)/(C7) = Eq. (29); :func:`ln_conductivity` and
:func:`T0_prime` outside the window of the mean-field equations.

How T enters (Sec. V C)
-----------------------
* entropy per level :math:`s(T)`, "propto T at low T, constant at high T";
  model ``"linear"`` (default) :math:`s = \\min(T/T_s, 1)`, or ``"tanh"``
  :math:`s = \\tanh(T/T_s)`.  With :math:`T_s = N\\Delta` (thermally active
  levels :math:`\\sim T/\\Delta` out of :math:`N`) one has :math:`sN = T/\\Delta`;
* three-particle level spacing :math:`\\delta_m(T) = \\Delta^3/T^2`;
* Fock-space localization length :math:`\\Xi = 1/\\ln[g\\delta_m(T)/(\\lambda\\Delta)]
  = 1/\\ln[g/(\\lambda T^2)]`, defined while the logarithm is positive,
  :math:`T < \\sqrt{g/\\lambda}`.

Then :math:`\\Xi(T_0)\\ln K = 1` gives :math:`T_0 = \\sqrt{g/(\\lambda K)}` and
:math:`\\varepsilon(T) = 1 - 1/(\\Xi\\ln K) = 2\\ln(T/T_0)/\\ln K` exactly; the
domain :math:`\\varepsilon < 1` is :math:`T < \\sqrt K\\,T_0`.

This module imports no plotting or widget code.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
from scipy.optimize import least_squares

from . import meanfield
from ._deprecate import renamed_attributes
from ._roots import brentq_or_bisect
from .meanfield.ratio import _ln_F0_19
from .parameters import (
    ValidityWarning,
    check_branching,
    check_choice,
    check_dimension,
    check_positive,
    check_positive_int,
    check_real,
    scalar_or_array,
)
from .validity import _c6_mask, _c7_mask

__all__ = [
    "S_MODELS",
    "EQ28_FORMS",
    "s_of_T",
    "delta_m_of_T",
    "Xi_of_T",
    "T0",
    "lam_for_T0",
    "eps_of_T",
    "T_of_eps",
    "footnote51_ratio",
    "ln_saddle_base_of_T",
    "ln_linewidth_C5_of_T",
    "ln_linewidth_eq28",
    "exponent_C5",
    "exponent_eq28",
    "condition_29",
    "T0_prime",
    "ConductivityResult",
    "ln_conductivity",
    "FitResult",
    "vogel_fulcher",
    "near_critical",
    "power_law",
    "fit_vogel_fulcher",
    "fit_near_critical",
    "fit_power_law",
]

S_MODELS = ("linear", "tanh")
EQ28_FORMS = ("printed", "linearised")






_TINY = float(np.finfo(float).tiny)
_ONE_MINUS = float(np.nextafter(1.0, 0.0))
_MAX_TEMPERATURES = 10_000


def _ln_ratio(g, lam):
    """``ln(g/lam)``: the log of the quotient where it is a normal float (as always), else a difference of logs."""
    q = g / lam                      # Python floats: overflow gives inf, underflow 0.0, no exception
    if _TINY <= q < math.inf:
        return math.log(q)
    return math.log(g) - math.log(lam)


def _T_max(g, lam, ln_q):
    """``sqrt(g/lam)``, the upper end of the T domain (``ln_q = _ln_ratio(g, lam)``)."""
    q = g / lam
    if _TINY <= q < math.inf:
        return math.sqrt(q)
    return math.exp(min(0.5 * ln_q, 709.0)) if 0.5 * ln_q > -745.0 else 0.0


def _check_T_domain(T, g, lam):
    """Validate ``0 < T < sqrt(g/lam)`` (where ln[g delta_m/(lam Delta)] > 0).

    Returns ``(T, g, lam)``.  The test is made on the denominator of Xi,
    ``ln(g/lam) - 2 ln T > 0``, so that Xi is finite and positive wherever T is
    accepted, also when ``g/lam`` over- or underflows.
    """
    T = check_positive("T", T)
    g = check_positive("g", g)
    lam = check_positive("lam", lam)
    ln_q = _ln_ratio(g, lam)
    D = ln_q - 2.0 * np.log(T)
    T_max = _T_max(g, lam, ln_q)
    bad = (np.asarray(T) >= T_max) | (np.asarray(D) <= 0)
    if np.any(bad):
        first = float(np.broadcast_to(T, bad.shape)[bad].flat[0])
        raise ValueError(
            f"T must be in (0, sqrt(g/lam)) = (0, {T_max:g}) (units of Delta), where "
            f"ln[g delta_m(T)/(lam Delta)] > 0 and Xi is defined; got {first!r}"
        )
    return T, g, lam


def _log(x):
    """``math.log`` for a Python float, ``np.log`` for an array."""
    return math.log(x) if isinstance(x, float) else np.log(x)


# --------------------------------------------------------------------------
# how T enters
# --------------------------------------------------------------------------


def s_of_T(T, *, T_s, model="linear"):
    """Entropy per level :math:`s(T) \\in (0, 1]` (Sec. V C).

    Parameters
    ----------
    T : float or array_like
        Temperature :math:`T/\\Delta > 0`.
    T_s : float
        Saturation temperature :math:`T_s/\\Delta > 0`.
    model : {"linear", "tanh"}
        ``"linear"``: :math:`s = \\min(T/T_s, 1)` (exactly :math:`\\propto T` below
        :math:`T_s`, used for Eq. 28); ``"tanh"``: :math:`s = \\tanh(T/T_s)`.

    Returns
    -------
    float or numpy.ndarray
        In :math:`[2.2\\times10^{-308}, 1]`: where :math:`T/T_s` underflows,
        the smallest normal float (``s`` must stay > 0 for the solver).

    Raises
    ------
    ValueError
        For a bad ``T``, ``T_s`` or ``model``.
    """
    T = check_positive("T", T)
    T_s = check_positive("T_s", T_s)
    model = check_choice("model", model, S_MODELS)
    return scalar_or_array(_s_unchecked(T, T_s, model))


def _s_unchecked(T, T_s, model):
    """:func:`s_of_T` for validated arguments (an array, or a NumPy scalar for scalar ``T``)."""
    with np.errstate(over="ignore", under="ignore"):
        x = np.asarray(T, dtype=float) / T_s
        s = np.minimum(x, 1.0) if model == "linear" else np.tanh(x)
    # tanh underflow guard: s must stay > 0 for the solver
    return np.maximum(s, np.finfo(float).tiny)


def delta_m_of_T(T):
    """Three-particle level spacing :math:`\\delta_m(T) = \\Delta^3/T^2` in units of :math:`\\Delta`.

    Returns ``inf`` where :math:`1/T^2` overflows (:math:`T \\lesssim 10^{-154}`)
    and 0.0 where it underflows; raises :class:`ValueError` for a bad ``T``.
    """
    T = check_positive("T", T)
    with np.errstate(over="ignore", under="ignore", divide="ignore"):
        return scalar_or_array(1.0 / np.asarray(T, dtype=float) ** 2)


def Xi_of_T(T, *, g, lam):
    """Fock-space localization length :math:`\\Xi = 1/\\ln[g\\delta_m(T)/(\\lambda\\Delta)]` (Sec. V C).

    Parameters
    ----------
    T : float or array_like
        :math:`T/\\Delta`, in :math:`(0, \\sqrt{g/\\lambda})`.
    g : float
        Dimensionless conductance of a dot, > 0.
    lam : float
        Interaction strength :math:`\\lambda/\\Delta > 0`.

    Returns
    -------
    float or numpy.ndarray
        :math:`\\Xi = 1/[\\ln(g/\\lambda) - 2\\ln T]`, increasing in ``T``;
        finite and > 0 (computed in logarithms).

    Raises
    ------
    ValueError
        If ``T >= sqrt(g/lam)`` (the logarithm is not positive there), or for
        a bad ``T``, ``g`` or ``lam``.
    """
    T, g, lam = _check_T_domain(T, g, lam)
    return scalar_or_array(1.0 / (_ln_ratio(g, lam) - 2.0 * np.log(T)))


def _ln_T0(g, lam, K):
    """``ln T0 = (ln g - ln lam - ln K)/2`` of validated scalars."""
    return 0.5 * (math.log(g) - math.log(lam) - math.log(K))


def T0(*, g, lam, K):
    """Single-dot transition temperature, :math:`\\Xi(T_0)\\ln K = 1` (:math:`\\varepsilon = 0`).

    Closed form: :math:`g/(\\lambda T_0^2) = K`, so :math:`T_0 = \\sqrt{g/(\\lambda K)}`
    (units of :math:`\\Delta`).

    Raises
    ------
    ValueError
        For a bad ``g``, ``lam`` or ``K`` (scalars), or if :math:`T_0` is
        outside the float range (over- or underflows); the message gives the
        value of :math:`\\ln T_0`.
    """
    g = check_positive("g", g)
    lam = check_positive("lam", lam)
    K = check_branching("K", K)
    for name, v in (("g", g), ("lam", lam), ("K", K)):
        if np.ndim(v) != 0:
            raise ValueError(f"{name} must be a single number; got an array of shape {np.shape(v)}")
    q = g / (lam * K)
    if _TINY <= q < math.inf:
        return float(math.sqrt(q))
    ln_t0 = _ln_T0(g, lam, K)
    if not -708.0 < ln_t0 < 709.0:
        raise ValueError(
            f"g, lam, K must give T0 = sqrt(g/(lam K)) inside the float range; got g={g!r}, lam={lam!r}, "
            f"K={K!r}, i.e. ln T0 = {ln_t0:.6g} (allowed: -708 < ln T0 < 709)"
        )
    return float(math.exp(ln_t0))


def lam_for_T0(T0_value, *, g, K):
    """Interaction :math:`\\lambda/\\Delta = g/(K T_0^2)` that puts the single-dot transition at ``T0_value``.

    Raises :class:`ValueError` for bad input or if :math:`\\lambda` would be
    outside the float range (the message gives :math:`\\ln\\lambda`).
    """
    T0_value = check_positive("T0_value", T0_value)
    g = check_positive("g", g)
    K = check_branching("K", K)
    for name, v in (("T0_value", T0_value), ("g", g), ("K", K)):
        if np.ndim(v) != 0:
            raise ValueError(f"{name} must be a single number; got an array of shape {np.shape(v)}")
    try:
        lam = g / (K * T0_value**2)
    except (OverflowError, ZeroDivisionError):   # T0**2 beyond the float range, or underflowing to 0
        lam = math.nan
    if _TINY <= lam < math.inf:
        return float(lam)
    ln_lam = math.log(g) - math.log(K) - 2.0 * math.log(T0_value)
    if -708.0 < ln_lam < 709.0:
        return float(math.exp(ln_lam))
    raise ValueError(
        f"T0_value must give lam = g/(K T0^2) inside the float range; got T0_value={T0_value!r} with g={g!r}, "
        f"K={K!r}, "
        f"i.e. ln lam = {ln_lam:.6g} (allowed: -708 < ln lam < 709)"
    )


def eps_of_T(T, *, g, lam, K):
    """:math:`\\varepsilon(T) = 1 - 1/(\\Xi(T)\\ln K) = 2\\ln(T/T_0)/\\ln K`.

    Parameters
    ----------
    T : float or array_like
        :math:`T/\\Delta` in :math:`(0, \\sqrt{g/\\lambda}) = (0, \\sqrt K T_0)`
        (:math:`\\varepsilon < 1`).
    g, lam, K
        As in :func:`Xi_of_T`; ``K > 1``.

    Returns a finite float (array) < 1: where :math:`1 - 1/(\\Xi\\ln K)` would
    round to 1 (``T`` within an ulp-scale distance of :math:`\\sqrt{g/\\lambda}`
    with a large ``K``) the largest float below 1 is returned.  Raises
    :class:`ValueError` as :func:`Xi_of_T` and for a bad ``K``.
    """
    T, g, lam = _check_T_domain(T, g, lam)
    K = check_branching("K", K)
    return scalar_or_array(_eps_unchecked(T, _ln_ratio(g, lam), _log(K)))


def _eps_unchecked(T, ln_q, ln_K):
    """:func:`eps_of_T` for a ``T`` in the domain, ``ln_q = ln(g/lam)`` and ``ln_K = ln K``."""
    return np.minimum(1.0 - (ln_q - 2.0 * np.log(T)) / ln_K, _ONE_MINUS)


def T_of_eps(eps, *, g, lam, K):
    """Inverse of :func:`eps_of_T`: :math:`T = T_0 K^{\\varepsilon/2}` (``eps < 1``).

    Returns 0.0 where :math:`T` underflows (``eps`` below about
    :math:`-1490/\\ln K`); raises :class:`ValueError` for bad input.
    """
    eps = check_real("eps", eps, hi=1.0)
    t0 = T0(g=g, lam=lam, K=K)
    with np.errstate(under="ignore", over="ignore"):
        return scalar_or_array(t0 * np.exp(0.5 * np.asarray(eps) * math.log(K)))


def footnote51_ratio(*, gamma, g, lam):
    """:math:`g\\gamma/(\\lambda\\Delta)`; footnote 51 requires it :math:`\\ll 1`.

    Since :math:`e^{-1/\\Xi} = \\lambda\\Delta/(g\\delta_m)`, this is exactly
    :math:`(\\gamma/\\delta_m)/e^{-1/\\Xi}`, the first part of Eq. (23), and it
    does not depend on ``T`` when ``gamma`` is fixed in units of :math:`\\Delta`.

    Returns ``inf`` where the ratio overflows (0.0 where it underflows);
    raises :class:`ValueError` for bad input.
    """
    gamma = check_positive("gamma", gamma)
    g = check_positive("g", g)
    lam = check_positive("lam", lam)
    with np.errstate(over="ignore", under="ignore"):
        return scalar_or_array(g * np.asarray(gamma) / lam)


# --------------------------------------------------------------------------
# saddle point in temperature: C5 exactly, Eq. 28 (linearised), Eq. 29
# --------------------------------------------------------------------------


def _check_scalars(**values):
    """Parameters that must be single numbers here (only the temperatures T may be an array)."""
    for name, v in values.items():
        if np.ndim(v) != 0:
            raise ValueError(f"{name} must be a single number (the temperatures T may be an array); "
                             f"got an array of shape {np.shape(v)}")


def _common(T, gamma, g, lam, K, N, T_s, d, s_model):
    T, g, lam = _check_T_domain(T, g, lam)
    gamma = check_positive("gamma", gamma)
    K = check_branching("K", K)
    N = check_positive_int("N", N)
    T_s = check_positive("T_s", T_s)
    d = _check_d(d)
    s_model = check_choice("s_model", s_model, S_MODELS)
    _check_scalars(gamma=gamma, K=K, T_s=T_s)
    return np.asarray(T, dtype=float), gamma, g, lam, K, N, T_s, d, s_model


def _check_d(d):
    """The dimension ``d`` (integer >= 1), at most 2**53 so that ``d ln d`` is a finite float."""
    check_dimension(d)
    return check_positive_int("d", d, maximum=2**53)


def _ln_nd(N, d):
    """``ln(N d^d)``, as ``log(N * d**d)`` where that is a float, else ``ln N + d ln d``."""
    if d * math.log(d) + math.log(N) < 700.0:
        return None
    return math.log(N) + d * math.log(d)


def _warn_T(what, T, t0, parts_masks, stacklevel=3):
    """One ValidityWarning for a temperature sweep: ``parts_masks`` is [(text, failing mask), ...]."""
    T = np.atleast_1d(np.asarray(T, dtype=float))
    masks = [(text, np.broadcast_to(m, T.shape)) for text, m in parts_masks]
    bad = np.zeros(T.shape, dtype=bool)
    for _, m in masks:
        bad |= m
    if not np.any(bad):
        return
    n, nb = T.size, int(np.count_nonzero(bad))
    if n == 1:
        head = f"{what} at T = {float(T.flat[0]):.6g} (T/T0 = {float(T.flat[0]) / t0:.6g}) is outside its window"
        parts = [text for text, m in masks if m.flat[0]]
    else:
        head = f"{what} outside its window at {nb} of {n} temperatures"
        parts = [f"{text} at {int(np.count_nonzero(m))}" for text, m in masks if np.any(m)]
    warnings.warn(head + ": " + "; ".join(parts), ValidityWarning, stacklevel=stacklevel)


def exponent_C5(T, *, g, lam, K):
    """Exact exponent of C5 in temperature, :math:`1/\\varepsilon(T) = \\ln K/(2\\ln(T/T_0))`.

    Returns ``inf`` at :math:`T = T_0` (and ``±inf`` where :math:`1/\\varepsilon`
    overflows, :math:`|\\varepsilon| < 5.6\\times10^{-309}`), and a negative
    number below it (where C5 does not apply).  A pure map of ``T``: it does
    not warn (:func:`ln_linewidth_C5_of_T` does).  Raises :class:`ValueError`
    as :func:`eps_of_T`.
    """
    eps = np.asarray(eps_of_T(T, g=g, lam=lam, K=K))
    with np.errstate(divide="ignore", over="ignore"):
        return scalar_or_array(1.0 / eps)


def exponent_eq28(T, *, g, lam, K):
    """Linearised exponent of Eq. (28), :math:`T_0\\ln K/[2(T - T_0)]`.

    ``inf`` at :math:`T = T_0`, negative below (a pure map of ``T``; no
    warning).  Raises :class:`ValueError` as :func:`eps_of_T`.
    """
    T, g, lam = _check_T_domain(T, g, lam)
    t0 = T0(g=g, lam=lam, K=K)
    with np.errstate(divide="ignore", over="ignore"):
        return scalar_or_array(t0 * math.log(K) / (2.0 * (np.asarray(T) - t0)))


def _ln_C5_base(T, gamma, N, T_s, d, s_model):
    """s(T), ln delta_m = -2 ln T, ln n_c = ln(s N d^d) and the base ln(gamma sqrt(n_c)/delta_m) of (C5)."""
    s = np.asarray(s_of_T(T, T_s=T_s, model=s_model))
    ln_dm = -2.0 * np.log(T)
    ln_nd = _ln_nd(N, d)
    ln_nc = np.log(s * N * float(d**d)) if ln_nd is None else np.log(s) + ln_nd
    return s, ln_dm, ln_nc, np.log(gamma) - ln_dm + 0.5 * ln_nc


def ln_saddle_base_of_T(T, *, gamma, N, T_s, d=1, s_model="linear"):
    """:math:`\\ln(\\gamma\\sqrt{n_c}/\\delta_m)` at temperature ``T``: the base of (C5) and Eq. (28).

    (C5) is :math:`\\Gamma = (\\delta_m/n_c)(\\gamma\\sqrt{n_c}/\\delta_m)^{1/\\varepsilon}`
    with :math:`\\delta_m = T^{-2}`, :math:`n_c = s(T)Nd^d`; the linearised Eq. (28)
    drops a factor :math:`(\\gamma\\sqrt{n_c}/\\delta_m)^{\\ln K/4}` of it as
    :math:`T\\to T_0` (see the temperature chapter).

    Parameters
    ----------
    T : float or array_like
        :math:`T/\\Delta > 0`.
    gamma, N, T_s, d, s_model
        As in :func:`ln_linewidth_C5_of_T`.

    Returns
    -------
    float or numpy.ndarray

    Raises
    ------
    ValueError
        For a bad parameter (``gamma``, ``T_s`` scalars).
    """
    T = np.asarray(check_positive("T", T), dtype=float)
    gamma = check_positive("gamma", gamma)
    N = check_positive_int("N", N)
    T_s = check_positive("T_s", T_s)
    d = _check_d(d)
    s_model = check_choice("s_model", s_model, S_MODELS)
    _check_scalars(gamma=gamma, T_s=T_s)
    with np.errstate(over="ignore"):
        return scalar_or_array(_ln_C5_base(T, gamma, N, T_s, d, s_model)[3])


def ln_linewidth_C5_of_T(T, *, gamma, g, lam, K, N, T_s, d=1, s_model="linear", warn=True):
    """:math:`\\ln(\\Gamma/\\Delta)` of the saddle point (C5) with ``T`` substituted, no linearisation.

    .. math::
        \\Gamma = \\frac{\\delta_m}{n_c}
        \\left(\\frac{\\gamma\\sqrt{n_c}}{\\delta_m}\\right)^{1/\\varepsilon(T)},
        \\quad \\delta_m = T^{-2},\\ n_c = s(T) N d^d,\\
        \\varepsilon(T) = \\frac{2\\ln(T/T_0)}{\\ln K}.

    Parameters
    ----------
    T : float or array_like
        :math:`T/\\Delta \\in (0, \\sqrt K T_0)`.
    gamma : float
        Inter-dot coupling :math:`\\gamma/\\Delta > 0` (absolute units).
    g, lam, K
        Conductance, :math:`\\lambda/\\Delta`, branching (see :func:`eps_of_T`).
    N : int
        Levels per dot.
    T_s : float
        Entropy saturation temperature (see :func:`s_of_T`).
    d : int
        Dimension.
    s_model : {"linear", "tanh"}
        Model of :math:`s(T)`.
    warn : bool
        Issue a :class:`~nblm_helpers.parameters.ValidityWarning` at
        temperatures outside the saddle point's window: (C7), which in
        temperature is Eq. (29) in its exact form
        :math:`e^{1/4} < T/T_0 < \\sqrt K` (see :func:`condition_29`), and (C6)
        with :math:`\\gamma/\\delta_m = \\gamma T^2` and :math:`s(T)`.  This
        includes every :math:`T \\le T_0`.

    Returns
    -------
    float or numpy.ndarray
        :math:`\\ln(\\Gamma/\\Delta)`; ``-inf`` for :math:`T \\le T_0` (C5 has no
        solution for :math:`\\varepsilon \\le 0`; with the warning), and
        ``±inf`` where :math:`1/\\varepsilon` overflows (:math:`T` within
        ~1e-308 of :math:`T_0`).  Equals
        :math:`\\ln\\delta_m(T)` + :func:`~nblm_helpers.saddle_point.saddle_point_ln_linewidth`
        at the mapped :math:`\\varepsilon, \\gamma/\\delta_m, s`.

    Raises
    ------
    ValueError
        For a bad parameter (``gamma``, ``K``, ``T_s`` scalars; ``T`` in the
        domain of :func:`eps_of_T`).
    """
    T, gamma, g, lam, K, N, T_s, d, s_model = _common(T, gamma, g, lam, K, N, T_s, d, s_model)
    eps = np.asarray(eps_of_T(T, g=g, lam=lam, K=K))
    s, ln_dm, ln_nc, ln_base = _ln_C5_base(T, gamma, N, T_s, d, s_model)
    pos = eps > 0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        val = ln_dm - ln_nc + ln_base / np.where(pos, eps, 1.0)
    out = np.where(pos, val, -np.inf)
    if warn:
        t0 = T0(g=g, lam=lam, K=K)
        ln_g = np.log(gamma) - ln_dm                      # ln(gamma/delta_m) = ln(gamma T^2)
        ln_sN = np.log(s) + math.log(N)
        c6 = _c6_mask(ln_g, ln_sN, ln_g + ln_sN, N, d, math.log(K), eps)
        c7 = _c7_mask(math.log(K), eps)
        _warn_T("(C5) in temperature", T, t0, [
            ("(C7) = Eq. (29) exactly, e^(1/4) < T/T0 < sqrt(K), fails", ~c7),
            ("(C6) with gamma/delta_m = gamma T^2 and s(T) fails", ~c6),
            ("T <= T0 (eps <= 0: no saddle point; -inf returned)", ~pos),
        ])
    return scalar_or_array(out)


def ln_linewidth_eq28(T, *, gamma, g, lam, K, N=None, T_s=None, d=1, form="printed", warn=True):
    """:math:`\\ln\\Gamma` of Eq. (28), linearised in :math:`T - T_0`.

    Parameters
    ----------
    T : float or array_like
        :math:`T/\\Delta` in :math:`(T_0, \\sqrt K T_0)`.
    gamma, g, lam, K
        As in :func:`ln_linewidth_C5_of_T`.
    N, T_s, d
        Needed for ``form="linearised"`` only (:math:`s = T/T_s` is assumed).
    form : {"printed", "linearised"}
        ``"printed"``: Eq. (28) as printed, with :math:`\\Delta = 1`,

        .. math:: \\ln\\Gamma = \\frac{T_0\\ln K}{2(T-T_0)}\\,
                  \\ln\\frac{\\gamma T^{5/2}}{\\Delta^3}.

        ``"linearised"``: C5 with :math:`s = T/T_s` and only
        :math:`1/\\varepsilon \\to T_0\\ln K/[2(T-T_0)]` replaced (prefactor
        :math:`\\delta_m/n_c` and the constant :math:`\\sqrt{Nd^d/T_s}` in the base
        kept):

        .. math:: \\ln\\Gamma = \\ln\\frac{T_s}{N d^d T^3}
                  + \\frac{T_0\\ln K}{2(T-T_0)}
                    \\ln\\Big(\\gamma T^{5/2}\\sqrt{N d^d/T_s}\\Big).

        The two agree up to :math:`\\ln(T_s/(Nd^dT^3))` when
        :math:`T_s = N d^d\\,\\Delta`.
    warn : bool
        Issue a :class:`~nblm_helpers.parameters.ValidityWarning` where Eq. (29)
        as printed, :math:`(T - T_0)/T_0 > 1/4`, fails (the paper's window for
        Eq. 28), which includes every :math:`T \\le T_0`.  (C6) is checked by
        :func:`ln_linewidth_C5_of_T`, not here.

    Returns
    -------
    float or numpy.ndarray
        :math:`\\ln(\\Gamma/\\Delta)` (``form="printed"``: up to the dropped
        prefactor); ``-inf`` for :math:`T \\le T_0`, where the linearised
        exponent is negative or infinite and Eq. (28), like C5, has no
        solution (with the warning).

    Raises
    ------
    ValueError
        For a bad parameter, or ``form="linearised"`` without ``N`` and ``T_s``.
    """
    form = check_choice("form", form, EQ28_FORMS)
    T, g, lam = _check_T_domain(T, g, lam)
    gamma = check_positive("gamma", gamma)
    K = check_branching("K", K)
    if np.ndim(gamma) != 0:
        raise ValueError(f"gamma must be a single number; got an array of shape {np.shape(gamma)}")
    if form == "linearised" and (N is None or T_s is None):
        raise ValueError("form='linearised' needs N (integer >= 1) and T_s (> 0)")
    # validated also where the printed form does not use them: a bad value is an error, not ignored
    N = None if N is None else check_positive_int("N", N)
    T_s = None if T_s is None else check_positive("T_s", T_s)
    d = _check_d(d)
    if np.ndim(T_s) != 0:
        raise ValueError(f"T_s must be a single number; got an array of shape {np.shape(T_s)}")
    T = np.asarray(T, dtype=float)
    t0 = T0(g=g, lam=lam, K=K)
    above = T > t0
    expo = np.where(above, np.asarray(exponent_eq28(T, g=g, lam=lam, K=K)), 1.0)
    if form == "printed":
        val = expo * (np.log(gamma) + 2.5 * np.log(T))
    else:
        ln_nd = _ln_nd(N, d)
        if ln_nd is None:
            c = N * d**d / T_s                     # as always; in logs where it leaves the float range
            ln_c = np.log(c) if _TINY <= c < math.inf else math.log(N * d**d) - math.log(T_s)
        else:
            ln_c = ln_nd - math.log(T_s)
        val = -3.0 * np.log(T) - ln_c + expo * (np.log(gamma) + 2.5 * np.log(T) + 0.5 * ln_c)
    out = np.where(above, val, -np.inf)
    if warn:
        with np.errstate(over="ignore", under="ignore"):
            eq29 = (T / t0 - 1.0) > 0.25
        _warn_T("Eq. (28)", T, t0, [
            ("Eq. (29) as printed, (T - T0)/T0 > 1/4, fails", ~eq29),
            ("T <= T0 (no solution; -inf returned)", ~above),
        ])
    return scalar_or_array(out)


def condition_29(T, *, g, lam, K, form="printed"):
    """Eq. (29), the saddle-point window (C7) in temperature.

    Parameters
    ----------
    T : float or array_like
        :math:`T/\\Delta > 0`.
    g, lam, K
        As in :func:`eps_of_T`.
    form : {"printed", "exact"}
        ``"printed"``: :math:`(T - T_0)/T_0 > 1/4` (Eq. 29).
        ``"exact"``: (C7), :math:`1/(2\\ln K) < \\varepsilon(T) < 1`, i.e.
        :math:`e^{1/4} < T/T_0 < \\sqrt K`.  The lower bound is independent of
        ``K`` and of :math:`s(T)`; it comes from :math:`\\delta_m\\propto T^{-2}`.

    Returns
    -------
    bool or numpy.ndarray of bool
        Never NaN-dependent: :math:`T/T_0` is formed with over/underflow
        allowed (``inf``/0 give the obvious answer).  Raises
        :class:`ValueError` for bad input.
    """
    form = check_choice("form", form, ("printed", "exact"))
    T = check_positive("T", T)
    t0 = T0(g=g, lam=lam, K=K)
    with np.errstate(over="ignore", under="ignore", divide="ignore"):
        x = np.asarray(T, dtype=float) / t0
        if form == "printed":
            ok = (x - 1.0) > 0.25
        else:
            ok = (np.log(x) > 0.25) & (x < math.sqrt(K))
    return bool(ok) if ok.ndim == 0 else ok


# --------------------------------------------------------------------------
# full numerical solution
# --------------------------------------------------------------------------


def _gamma_T2(gamma, T):
    """``gamma * T**2`` in Python floats (``inf`` where ``T**2`` overflows)."""
    try:
        return gamma * T**2
    except OverflowError:
        return math.inf


def T0_prime(*, gamma, g, lam, K, N, T_s, d=1, s_model="linear", sum_range="infinite", nfast="literal",
             warn=True):
    """Mean-field transition temperature :math:`T_0'`: :math:`F(\\Gamma\\to0^+) = 1` of Eq. (19).

    For Eq. (19) a point is a metal iff :math:`F(0^+) > 1` (see
    :mod:`nblm_helpers.meanfield`).  :math:`\\ln F(0^+)` is evaluated along
    :math:`\\varepsilon(T), \\gamma/\\delta_m = \\gamma T^2, s(T)` and its zero is
    found with :func:`scipy.optimize.brentq` in :math:`\\ln T`.  With the
    unbounded sum :math:`F(0^+) = \\infty` for :math:`T \\ge T_0`, so
    :math:`T_0' < T_0`: the coupled dots conduct below the single-dot
    transition.

    Parameters
    ----------
    gamma, g, lam, K, N, T_s, d, s_model
        As in :func:`ln_conductivity`.
    sum_range, nfast
        Passed to :func:`~nblm_helpers.meanfield.ln_F_zero`.
    warn : bool
        Issue a :class:`~nblm_helpers.parameters.ValidityWarning` if the
        mean-field equations do not apply at :math:`T_0'`: Eq. (23)
        (:math:`g\\gamma/\\lambda < 1`, see :func:`footnote51_ratio`) or Eq. (24)
        (:math:`\\gamma T_0'^2 > N K^{-N}`) fails.

    Returns
    -------
    float
        :math:`T_0'/\\Delta`.  For the unbounded sum and a coupling so weak
        that :math:`T_0'` lies within :math:`10^{-12}` (relative) of
        :math:`T_0`, the root is found in :math:`\\varepsilon` instead and is
        :math:`T_0` to float precision.

    Raises
    ------
    ValueError
        For a bad parameter; with ``sum_range="square"``, if :math:`F(0^+) \\le 1`
        in the whole domain :math:`T < \\sqrt K T_0` (no metal: ``gamma`` too
        small), naming ``gamma``.  (Towards :math:`T \\to 0`,
        :math:`\\gamma/\\delta_m = \\gamma T^2 \\to 0` always localizes, so a
        transition is always found below.)
    """
    gamma = check_positive("gamma", gamma)
    t0 = T0(g=g, lam=lam, K=K)
    K = check_branching("K", K)
    N = check_positive_int("N", N)
    T_s = check_positive("T_s", T_s)
    d = check_dimension(d)
    s_model = check_choice("s_model", s_model, S_MODELS)
    if np.ndim(gamma) != 0 or np.ndim(T_s) != 0:
        raise ValueError("gamma and T_s must be single numbers")
    ln_K = math.log(K)
    ln_t0 = math.log(t0)
    # validated once (the checks and messages of meanfield.ln_F_zero); at every evaluation below
    # gamma/delta_m, s and eps are in range by construction
    mf = meanfield.MeanFieldModel(gamma=1.0, K=K, N=N, s=1.0, d=d, sum_range=sum_range, nfast=nfast)
    g_v, lam_v = check_positive("g", g), check_positive("lam", lam)
    ln_q, lnK_eps = _ln_ratio(g_v, lam_v), _log(K)
    T_max = _T_max(g_v, lam_v, ln_q)

    def lnF0_at(T, eps):
        gdm = _gamma_T2(gamma, T)
        if not gdm >= _TINY:          # gamma/delta_m underflows: F(0+) ~ (gamma/delta_m)^2 -> 0, localized
            return -1e3
        if gdm == math.inf:           # overflows: F(0+) -> inf, a metal
            return 1e3
        lnF0, sg = _ln_F0_19(float(eps), float(gdm), float(_s_unchecked(T, T_s, s_model)), K=mf.K, N=mf.N,
                             d=mf.d, sum_range=mf.sum_range, nfast=mf.nfast)
        if sg <= 0:
            return -1e3
        return float(min(lnF0, 1e3))

    def f(lnT):
        T = math.exp(lnT)
        if not (0.0 < T < T_max and ln_q - 2.0 * np.log(T) > 0):   # outside eps_of_T's domain: its error
            return lnF0_at(T, float(eps_of_T(T, g=g, lam=lam, K=K)))
        return lnF0_at(T, float(_eps_unchecked(T, ln_q, lnK_eps)))

    hi = ln_t0 if sum_range == "infinite" else ln_t0 + 0.5 * ln_K
    hi -= 1e-12
    if f(hi) <= 0:
        if sum_range != "infinite":
            raise ValueError(
                f"gamma = {gamma!r} is too weak for a transition: F(0+) <= 1 at every T < sqrt(K) T0 "
                f"= {t0 * math.sqrt(K):.6g} (the square sum stays localized); give a larger gamma"
            )
        # T0' in (T0 e^-1e-12, T0]: resolve it in u = ln(-eps), where floats still have digits
        def g_u(u):
            e = -math.exp(u)
            return lnF0_at(t0 * math.exp(0.5 * e * ln_K), e)

        u_hi = math.log(-2.0 * (hi - ln_t0) / ln_K)     # f <= 0 there (just found)
        u_lo = -744.0                                    # eps = -1e-323: F(0+) of the infinite sum ~ 1/eps^2
        if g_u(u_lo) <= 0:
            t0p = t0                                     # T0' = T0 to float precision
        elif g_u(u_hi) > 0:                              # rounding between the two parametrisations
            t0p = float(math.exp(hi))
        else:
            u_c = brentq_or_bisect(g_u, u_lo, u_hi, xtol=1e-12, rtol=4 * np.finfo(float).eps, maxiter=500)
            t0p = float(t0 * math.exp(-0.5 * math.exp(u_c) * ln_K))
    else:
        lo = ln_t0 - 0.1
        step = 0.5
        while f(lo) > 0:
            lo -= step
            if lo < ln_t0 - 50:
                step *= 2.0       # far below T0: gamma T^2 -> 0 localizes, reached in a few doublings
            if lo < -744.0:       # T would underflow (cannot happen: gamma T^2 underflows first)
                raise ValueError(f"no transition found for gamma = {gamma!r}: F(0+) > 1 down to T = 1e-323")
        t0p = float(math.exp(brentq_or_bisect(f, lo, hi, xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=500)))
    if warn:
        msgs = []
        ratio = float(footnote51_ratio(gamma=gamma, g=g, lam=lam))
        if not ratio < 1.0:
            msgs.append(f"Eq. (23) fails: g gamma/lam = {ratio:.3g} >= 1 (gamma/delta_m >= exp(-1/Xi) at every T)")
        ln_gdm = math.log(gamma) + 2.0 * math.log(t0p)
        floor24 = math.log(N) - N * ln_K
        if not ln_gdm > floor24:
            msgs.append(f"Eq. (24) fails at T0': gamma T0'^2 = exp({ln_gdm:.4g}) <= N K^-N = exp({floor24:.4g})")
        if msgs:
            warnings.warn(f"T0' = {t0p:.6g} from mean-field equations that do not apply: " + "; ".join(msgs),
                          ValidityWarning, stacklevel=2)
    return t0p


@renamed_attributes(ln_gamma_dm="ln_Gamma_dm")
@dataclass(frozen=True)
class ConductivityResult:
    """Full numerical :math:`\\ln\\sigma(T)` (returned by :func:`ln_conductivity`).

    Attributes
    ----------
    T : numpy.ndarray
        Temperatures :math:`T/\\Delta`.
    ln_sigma : numpy.ndarray
        :math:`\\ln\\sigma = \\ln(\\Gamma/\\Delta)`; ``-inf`` where localized;
        where ``status == "above_gamma"`` (no root below :math:`\\gamma`) the
        bound :math:`\\ln(\\gamma/\\Delta)` that the solver returns (not a root,
        and never NaN).
    ln_Gamma_dm : numpy.ndarray
        :math:`\\ln(\\Gamma/\\delta_m(T))` as the solver returns it.
    status : numpy.ndarray of str
        ``"root"``, ``"localized"`` or ``"above_gamma"`` per point.
    valid : numpy.ndarray of bool
        ``status == "root"`` and Eqs. (23), (26), (27) hold at the point.
    violations : dict
        ``{"Eq. 23"|"Eq. 26"|"Eq. 27"|"above_gamma": number of points}`` (non-zero only).
    eps, gamma_dm, s : numpy.ndarray
        The mapped :math:`\\varepsilon(T)`, :math:`\\gamma/\\delta_m(T)`, :math:`s(T)`.
    """

    T: Any
    ln_sigma: Any
    ln_Gamma_dm: Any
    status: Any
    valid: Any
    violations: dict
    eps: Any
    gamma_dm: Any
    s: Any


def ln_conductivity(T, *, gamma, g, lam, K, N, T_s, d=1, s_model="linear", equation="19",
                    sum_range="infinite", nfast="literal", progress: Callable | None = None, warn=True):
    """:math:`\\ln\\sigma(T) = \\ln\\Gamma(T)` from the full mean-field solution (Eq. 19).

    Each temperature is mapped to :math:`\\varepsilon(T)`,
    :math:`\\gamma/\\delta_m = \\gamma T^2` (``gamma`` fixed in units of
    :math:`\\Delta`) and :math:`s(T)`, and all temperatures are solved in ONE
    call of :func:`nblm_helpers.meanfield.solve_linewidth` with these three as
    per-point arrays (one column per temperature; a column's result is
    exactly that of a call with its scalar values, so the result equals a
    loop over temperatures bit for bit).  Then
    :math:`\\ln(\\Gamma/\\Delta) = \\ln(\\Gamma/\\delta_m) - 2\\ln T`.

    Parameters
    ----------
    T : float or array_like
        :math:`T/\\Delta \\in (0, \\sqrt K T_0)`, any shape (flattened).
    gamma, g, lam, K, N, T_s, d, s_model
        As in :func:`ln_linewidth_C5_of_T`.
    equation, sum_range, nfast
        Passed to :func:`~nblm_helpers.meanfield.solve_linewidth`.
    progress : callable, optional
        ``progress(done, total)`` once per temperature, ``done = 1 .. total``,
        as the results are collected.  All temperatures are solved together,
        so the calls come in quick succession after the solve (a progress bar
        jumps from empty to full); the sequence of calls is the same as when
        the temperatures were solved one by one.
    warn : bool
        Issue one :class:`~nblm_helpers.parameters.ValidityWarning` listing
        the violated conditions (Eqs. 23, 26, 27; "above_gamma") and counts.

    Returns
    -------
    ConductivityResult
        Arrays of length ``T.size`` (``T`` flattened); no NaN (see
        :class:`ConductivityResult` for ``-inf`` and the ``above_gamma`` bound).

    Raises
    ------
    ValueError
        For a bad parameter, more than 10 000 temperatures, or a temperature
        at which :math:`\\gamma/\\delta_m = \\gamma T^2` over- or underflows
        (the message gives the range of ``T`` that works for this ``gamma``);
        errors of :func:`~nblm_helpers.meanfield.solve_linewidth` propagate.
    """
    T, gamma, g, lam, K, N, T_s, d, s_model = _common(T, gamma, g, lam, K, N, T_s, d, s_model)
    T = np.atleast_1d(T).ravel()
    if T.size > _MAX_TEMPERATURES:
        raise ValueError(f"T has {T.size} temperatures; at most {_MAX_TEMPERATURES} are solved per call "
                         "(each is one column of the mean-field solver, ~0.1 ms)")
    eps = np.atleast_1d(eps_of_T(T, g=g, lam=lam, K=K))
    n = T.size
    # per temperature in Python floats (as the solver's scalar inputs were): gamma T^2 with Python's **
    gdm = np.array([_gamma_T2(gamma, t) for t in T.tolist()], dtype=float)
    bad = ~((gdm >= _TINY) & (gdm < math.inf))
    if np.any(bad):
        t_lo = math.sqrt(_TINY) / math.sqrt(gamma)          # Python floats: no overflow warning
        t_hi = math.sqrt(float(np.finfo(float).max)) / math.sqrt(gamma)
        raise ValueError(
            f"T must be in ({t_lo:.3g}, {t_hi:.3g}) for gamma = {gamma!r}, where gamma/delta_m(T) = gamma T^2 "
            f"is a normal float; got {float(T[bad][0])!r}"
        )
    s_arr = np.asarray(np.atleast_1d(s_of_T(T, T_s=T_s, model=s_model)), dtype=float)
    r = meanfield.solve_linewidth(eps=eps, gamma=gdm, s=s_arr, K=K, N=N, d=d, equation=equation,
                                  sum_range=sum_range, nfast=nfast, warn=False)
    lnG = np.atleast_1d(np.asarray(r.ln_Gamma, dtype=float)).copy()
    status = np.atleast_1d(np.asarray(r.status)).astype(str)
    root = status == "root"
    # Eqs. 23, 26, 27 as the solver classified them (validity.classify); counted at roots only
    fails = {f"Eq. {name}": np.atleast_1d(~np.asarray(ok)) for name, ok in r.validity.holds.items()}
    counts = {k: int(np.count_nonzero(root & v)) for k, v in fails.items()}
    counts["above_gamma"] = int(np.count_nonzero(status == "above_gamma"))
    ok = root & ~(fails["Eq. 23"] | fails["Eq. 26"] | fails["Eq. 27"])
    if progress is not None:
        for i in range(n):
            progress(i + 1, n)
    # above_gamma: the solver's bound ln(gamma/delta_m), i.e. ln(gamma/Delta) here (not NaN)
    ln_sigma = lnG - 2.0 * np.log(T)
    violations = {k: v for k, v in counts.items() if v}
    if warn and violations:
        warnings.warn(
            "temperature sweep outside the mean-field validity window: "
            + "; ".join(f"{k} at {v} of {n} temperature(s)" for k, v in violations.items()),
            ValidityWarning,
            stacklevel=2,
        )
    return ConductivityResult(T=T, ln_sigma=ln_sigma, ln_Gamma_dm=lnG, status=status,
                              valid=ok, violations=violations, eps=eps, gamma_dm=gdm, s=s_arr)


# --------------------------------------------------------------------------
# fits: Eq. (1), Eq. (2)/(30), and a power law
# --------------------------------------------------------------------------


def _model_args(T, **params):
    """Validated ``T`` (array) and scalar real model parameters (ValueError naming them)."""
    T = np.asarray(check_positive("T", T), dtype=float)
    out = []
    for name, v in params.items():
        v = check_real(name, v)
        if np.ndim(v) != 0:
            raise ValueError(f"{name} must be a single real number; got an array of shape {np.shape(v)}")
        out.append(float(v))
    return T, out


def _model_value(T, Tc, a, const, law, safe):
    """``law(dT)`` for ``T > Tc``, ``-inf`` for ``T <= Tc``.  Where ``law`` (the formula as always
    evaluated) is not finite -- NaN from inf/inf or 0*inf, or an intermediate overflow such as
    ``a * T0`` -- ``safe(dT)`` (an overflow-free arrangement), or ``const`` for ``a == 0``."""
    above = T > Tc
    with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
        dT = np.where(above, T - Tc, 1.0)
        val = law(dT)
        odd = ~np.isfinite(val)
        if np.any(odd):
            val = np.where(odd, const if a == 0.0 else safe(dT), val)
            val = np.where(np.isnan(val), const, val)        # pragma: no cover - safe() gives no NaN
    return scalar_or_array(np.where(above, val, -np.inf))


def vogel_fulcher(T, *, ln_sigma0, a, T0):
    """Eq. (1): :math:`\\ln\\sigma = \\ln\\sigma_0 - a' T_0/(T - T_0)`.

    Validity
    --------
    ``-inf`` (:math:`\\sigma = 0`) for :math:`T \\le T_0`, where the law has
    no value (it describes a conductivity that vanishes at :math:`T_0`);
    ``±inf`` where the value overflows (:math:`T` just above :math:`T_0`).
    No NaN.  Raises :class:`ValueError` for a bad ``T`` or a parameter that
    is not a finite real number.
    """
    T, (ln_sigma0, a, T0) = _model_args(T, ln_sigma0=ln_sigma0, a=a, T0=T0)
    return _model_value(T, T0, a, ln_sigma0, lambda dT: ln_sigma0 - a * T0 / dT,
                        lambda dT: ln_sigma0 - a * (T0 / dT))


def near_critical(T, *, ln_sigma0, a, T0p, nu=1.0 / 3.0):
    """Eq. (30) [Eq. (2) with :math:`T_0'`]: :math:`\\ln\\sigma = \\ln\\sigma_0 - a''/(T - T_0')^{\\nu}`, :math:`\\nu = 1/3`.

    Validity
    --------
    As :func:`vogel_fulcher`, with :math:`T_0'` in place of :math:`T_0`;
    ``nu`` must be > 0.
    """
    T, (ln_sigma0, a, T0p) = _model_args(T, ln_sigma0=ln_sigma0, a=a, T0p=T0p)
    nu = check_positive("nu", nu)
    if np.ndim(nu) != 0:
        raise ValueError(f"nu must be a single number > 0; got an array of shape {np.shape(nu)}")
    return _model_value(T, T0p, a, ln_sigma0, lambda dT: ln_sigma0 - a / np.abs(dT) ** nu,
                        lambda dT: ln_sigma0 - a / np.abs(dT) ** nu)


def power_law(T, *, ln_sigma0, a, T0p):
    """Power law :math:`\\ln\\sigma = \\ln\\sigma_0 + a\\ln(T - T_0')`, i.e. :math:`\\sigma \\propto (T-T_0')^a`.

    Validity
    --------
    As :func:`vogel_fulcher` (``-inf`` for :math:`T \\le T_0'`).
    """
    T, (ln_sigma0, a, T0p) = _model_args(T, ln_sigma0=ln_sigma0, a=a, T0p=T0p)
    return _model_value(T, T0p, a, ln_sigma0, lambda dT: ln_sigma0 + a * np.log(np.abs(dT)),
                        lambda dT: ln_sigma0 + a * np.log(np.abs(dT)))


@dataclass(frozen=True)
class FitResult:
    """A least-squares fit of :math:`\\ln\\sigma(T)`.

    Attributes
    ----------
    form : str
        ``"vogel_fulcher"`` (Eq. 1), ``"near_critical"`` (Eq. 2/30) or ``"power_law"``.
    params : dict
        Best-fit parameters (Python floats), keyed as in the model function.
    stderr : dict
        Standard errors from the Jacobian, :math:`\\sqrt{\\mathrm{diag}[(J^TJ)^{-1}]\\,s^2}`
        with :math:`s^2 = \\sum r^2/(n - p)` (0.0 for fixed parameters;
        ``inf`` if :math:`n = p`, where no degree of freedom is left to
        estimate them, or if :math:`J` is singular; never NaN).
    residuals : numpy.ndarray
        Data minus model, in :math:`\\ln\\sigma`.
    rms, max_abs : float
        Root-mean-square and largest absolute residual.
    n, dof : int
        Number of points and degrees of freedom :math:`n - p`.
    success : bool
        ``scipy.optimize.least_squares`` convergence flag.
    """

    form: str
    params: dict
    stderr: dict
    residuals: Any
    rms: float
    max_abs: float
    n: int
    dof: int
    success: bool

    def __call__(self, T):
        """Evaluate the fitted model at ``T`` (see the model function for the values below the transition)."""
        return _MODELS[self.form][0](T, **self.params)


def _basis(form, T, Tc, nu):
    """Columns (1, b(T; Tc)) of the model linear in (ln_sigma0, a) at fixed Tc."""
    dT = T - Tc
    if form == "vogel_fulcher":
        b = -Tc / dT
    elif form == "near_critical":
        b = -dT ** (-nu)
    else:
        b = np.log(dT)
    return b


def _jac(form, T, p, nu):
    """Analytic Jacobian of the model w.r.t. (ln_sigma0, a, Tc)."""
    c, a, Tc = p
    dT = T - Tc
    one = np.ones_like(T)
    if form == "vogel_fulcher":
        return np.column_stack([one, -Tc / dT, -a * T / dT**2])
    if form == "near_critical":
        return np.column_stack([one, -dT ** (-nu), -a * nu * dT ** (-nu - 1.0)])
    return np.column_stack([one, np.log(dT), -a / dT])


def _linear_fit(form, T, y, Tc, nu):
    b = _basis(form, T, Tc, nu)
    if not np.all(np.isfinite(b)):               # Tc so close to min(T) that the basis overflows
        return np.array([np.nan, np.nan]), math.inf
    A = np.column_stack([np.ones_like(T), b])
    try:
        coef, *_ = np.linalg.lstsq(A, y, rcond=None)
    except np.linalg.LinAlgError:                # pragma: no cover - finite A always converges
        return np.array([np.nan, np.nan]), math.inf
    r = y - A @ coef
    rr = float(r @ r)
    return coef, (rr if math.isfinite(rr) else math.inf)


def _rms(r):
    """Root-mean-square of ``r``, as ``sqrt(mean(r**2))`` (as always), scaled where ``r**2`` would overflow."""
    big = float(np.max(np.abs(r)))
    if big < 1e150:
        return float(np.sqrt(np.mean(r**2)))
    return float(big * np.sqrt(np.mean((r / big) ** 2)))


_FORM_NAMES = {"vogel_fulcher": "Eq. (1)", "near_critical": "Eq. (30)", "power_law": "the power law"}


def _fit(form, T, ln_sigma, *, Tc=None, Tc_bounds=None, nu=1.0 / 3.0, name_Tc):
    T = np.asarray(check_positive("T", T), dtype=float).ravel()
    y = np.asarray(check_real("ln_sigma", ln_sigma), dtype=float).ravel()
    if T.size != y.size:
        raise ValueError(f"T and ln_sigma must have the same length; got {T.size} and {y.size}")
    Tmin = float(T.min())
    fixed = Tc is not None
    npar = 2 if fixed else 3
    if fixed and Tc_bounds is not None:
        raise ValueError(f"give {name_Tc} (held fixed) or {name_Tc}_bounds (its search interval), not both; "
                         f"got {name_Tc}={Tc!r}, {name_Tc}_bounds={Tc_bounds!r}")
    if T.size < npar:
        raise ValueError(f"T and ln_sigma need at least {npar} points for this fit; got {T.size}")
    if np.unique(T).size < npar:
        raise ValueError(f"T must take at least {npar} distinct values for this fit; got {np.unique(T).size}")
    if float(np.ptp(y)) == 0.0:
        raise ValueError(
            f"ln_sigma is constant (= {float(y[0])!r}): it carries no information on the parameters of "
            f"{_FORM_NAMES[form]} (a = 0 and {name_Tc} undetermined); give data that vary with T"
        )
    with np.errstate(all="ignore"):
        try:
            p, sol = _fit_core(form, T, y, Tmin, fixed, Tc, Tc_bounds, nu, name_Tc)
        except ValueError as exc:
            if str(exc).startswith(name_Tc):        # our own messages about Tc and its bounds
                raise
            raise ValueError(f"the fit of {_FORM_NAMES[form]} to (T, ln_sigma) failed: {exc}") from None
        keys = ("ln_sigma0", "a", name_Tc)
        r = y - (p[0] + p[1] * _basis(form, T, p[2], nu))
        dof = T.size - npar
        J = _jac(form, T, p, nu)[:, :npar]
        stderr = np.full(3, np.inf)
        if dof > 0:
            s2 = float(r @ r) / dof
            try:
                cov = np.linalg.inv(J.T @ J) * s2
                stderr[:npar] = np.sqrt(np.clip(np.diag(cov), 0.0, None))
            except np.linalg.LinAlgError:
                pass
        stderr[~np.isfinite(stderr)] = np.inf
    if not (np.all(np.isfinite(p)) and np.all(np.isfinite(r))):
        raise ValueError(
            f"the fit of {_FORM_NAMES[form]} to (T, ln_sigma) did not give finite parameters and residuals "
            f"(parameters {[float(v) for v in p]}); the data are outside what the model can represent "
            "(e.g. T spanning hundreds of decades, or |ln_sigma| near the float range)"
        )
    if fixed:
        stderr[2] = 0.0
    params = {k: float(v) for k, v in zip(keys, p)}
    if form == "near_critical":
        params["nu"] = float(nu)
    return FitResult(
        form=form,
        params=params,
        stderr={k: float(v) for k, v in zip(keys, stderr)},
        residuals=r,
        rms=_rms(r),
        max_abs=float(np.max(np.abs(r))),
        n=int(T.size),
        dof=int(dof),
        success=bool(sol.success),
    )


def _fit_core(form, T, y, Tmin, fixed, Tc, Tc_bounds, nu, name_Tc):
    """The least-squares fit proper; returns ``(p, sol)`` with ``p = (ln_sigma0, a, Tc)``."""
    if fixed:
        Tc = check_real(name_Tc, Tc, hi=Tmin)
        if np.ndim(Tc) != 0:
            raise ValueError(f"{name_Tc} must be a single number; got an array of shape {np.shape(Tc)}")
        coef, rr = _linear_fit(form, T, y, Tc, nu)
        if not math.isfinite(rr):
            raise ValueError(f"{name_Tc} = {Tc!r} is so close to min(T) = {Tmin!r} that the model overflows")
        p0 = np.array([coef[0], coef[1]])

        def resid(p):
            return y - (p[0] + p[1] * _basis(form, T, Tc, nu))

        def jac(p):
            return -_jac(form, T, np.array([p[0], p[1], Tc]), nu)[:, :2]

        sol = least_squares(resid, p0, jac=jac, method="lm", xtol=1e-15, ftol=1e-15, gtol=1e-15)
        return np.array([sol.x[0], sol.x[1], Tc]), sol
    span = float(T.max() - Tmin)
    if Tc_bounds is None:
        lo, hi = max(Tmin - 10.0 * span, Tmin - 1e308), Tmin     # (the clip only for T spanning ~1e307)
    else:
        try:
            lo, hi = Tc_bounds
        except (TypeError, ValueError):
            raise ValueError(f"{name_Tc} bounds must be a pair (lower, upper); got {Tc_bounds!r}") from None
    lo = check_real(f"{name_Tc} lower bound", lo)
    hi = check_real(f"{name_Tc} upper bound", hi)
    if np.ndim(lo) != 0 or np.ndim(hi) != 0 or not lo < hi <= Tmin:
        raise ValueError(f"{name_Tc} bounds must satisfy lower < upper <= min(T) = {Tmin!r}; got ({lo!r}, {hi!r})")
    if not math.isfinite(Tmin - lo):
        raise ValueError(f"{name_Tc} lower bound must be > min(T) - 1.8e308; got {lo!r}")
    # profile the separable problem on a grid of Tc (geometric in Tmin - Tc), then refine all three
    gap = np.geomspace(max(Tmin - hi, 1e-9 * max(span, 1e-300)), Tmin - lo, 200)
    grid = Tmin - gap
    best = min(grid, key=lambda tc: _linear_fit(form, T, y, tc, nu)[1])
    coef, rr = _linear_fit(form, T, y, best, nu)
    if not math.isfinite(rr):
        raise ValueError(f"the model overflows for every {name_Tc} in ({lo!r}, {hi!r})")
    # parametrise Tc = Tmin - exp(u) so that Tc < Tmin always
    lo_u = math.log(max(Tmin - hi, 1e-300))
    hi_u = math.log(Tmin - lo)
    u0 = float(np.clip(math.log(Tmin - best), lo_u, hi_u))

    def resid(q):
        tc = Tmin - _exp(q[2])
        return y - (q[0] + q[1] * _basis(form, T, tc, nu))

    def jac(q):
        tc = Tmin - _exp(q[2])
        J = _jac(form, T, np.array([q[0], q[1], tc]), nu)
        J[:, 2] *= -_exp(q[2])
        return -J

    eps_u = 1e-12
    sol = least_squares(resid, np.array([coef[0], coef[1], u0]), jac=jac, method="trf",
                        bounds=([-np.inf, -np.inf, lo_u - eps_u], [np.inf, np.inf, hi_u + eps_u]),
                        xtol=1e-15, ftol=1e-15, gtol=1e-15, max_nfev=2000)
    return np.array([sol.x[0], sol.x[1], Tmin - _exp(sol.x[2])]), sol


def _exp(x):
    """``math.exp`` (as the fit always used), ``inf`` instead of OverflowError."""
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def fit_vogel_fulcher(T, ln_sigma, *, T0=None, T0_bounds=None):
    """Fit Eq. (1), :math:`\\ln\\sigma = \\ln\\sigma_0 - a'T_0/(T - T_0)`, by least squares.

    Parameters
    ----------
    T : array_like
        Temperatures :math:`T/\\Delta > 0` (at least 3 points, 2 if ``T0`` is fixed).
    ln_sigma : array_like
        :math:`\\ln\\sigma` at ``T`` (finite).
    T0 : float, optional
        Fix :math:`T_0` (< min T) and fit only :math:`\\ln\\sigma_0, a'`.
        Default: :math:`T_0` is free.
    T0_bounds : (float, float), optional
        Search interval for a free :math:`T_0`, with upper bound <= min T.
        Default ``(min T - 10 (max T - min T), min T)``.

    Returns
    -------
    FitResult
        ``params`` keys ``ln_sigma0``, ``a`` (:math:`a'`), ``T0``.

    Raises
    ------
    ValueError
        For non-finite or non-positive ``T``, non-finite ``ln_sigma``,
        mismatched lengths, fewer points (or distinct temperatures) than
        parameters, a constant ``ln_sigma`` (it determines neither
        :math:`a'` nor :math:`T_0`), a fixed ``T0 >= min T``, bad bounds, or
        data for which the fit gives non-finite numbers.  Never NaN: standard
        errors that cannot be estimated are ``inf`` (see :class:`FitResult`).

    Notes
    -----
    The model is linear in :math:`(\\ln\\sigma_0, a')` at fixed :math:`T_0`:
    the starting point is the best :math:`T_0` on a 200-point grid of the
    profiled (variable-projection) residual, then
    :func:`scipy.optimize.least_squares` refines all parameters with
    :math:`T_0 = \\min T - e^u`.  Standard errors use the analytic Jacobian.
    """
    return _fit("vogel_fulcher", T, ln_sigma, Tc=T0, Tc_bounds=T0_bounds, name_Tc="T0")


def fit_near_critical(T, ln_sigma, *, T0p=None, T0p_bounds=None, nu=1.0 / 3.0):
    """Fit Eq. (30), :math:`\\ln\\sigma = \\ln\\sigma_0 - a''/(T - T_0')^{\\nu}` (:math:`\\nu = 1/3`).

    Parameters as in :func:`fit_vogel_fulcher`, with ``T0p`` (:math:`T_0'`) in
    place of ``T0``; ``nu`` (> 0) is the fixed exponent.

    Returns
    -------
    FitResult
        ``params`` keys ``ln_sigma0``, ``a`` (:math:`a''`), ``T0p``, ``nu``.

    Raises
    ------
    ValueError
        As :func:`fit_vogel_fulcher`, and for ``nu <= 0``.
    """
    nu = check_positive("nu", nu)
    if np.ndim(nu) != 0:
        raise ValueError(f"nu must be a single number > 0; got an array of shape {np.shape(nu)}")
    return _fit("near_critical", T, ln_sigma, Tc=T0p, Tc_bounds=T0p_bounds, nu=nu, name_Tc="T0p")


def fit_power_law(T, ln_sigma, *, T0p=None, T0p_bounds=None):
    """Fit :math:`\\ln\\sigma = \\ln\\sigma_0 + a\\ln(T - T_0')` (a power law that vanishes at :math:`T_0'`).

    Parameters, return value and errors as in :func:`fit_near_critical` (no ``nu``).
    """
    return _fit("power_law", T, ln_sigma, Tc=T0p, Tc_bounds=T0p_bounds, name_Tc="T0p")


_MODELS = {
    "vogel_fulcher": (vogel_fulcher,),
    "near_critical": (near_critical,),
    "power_law": (power_law,),
}
