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
from scipy.optimize import brentq, least_squares

from . import meanfield
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
from .validity import condition_23, condition_26, condition_27

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






def _check_T_domain(T, g, lam):
    """Validate ``0 < T < sqrt(g/lam)`` (where ln[g delta_m/(lam Delta)] > 0)."""
    T = check_positive("T", T)
    g = check_positive("g", g)
    lam = check_positive("lam", lam)
    T_max = math.sqrt(g / lam)
    if np.any(np.asarray(T) >= T_max):
        bad = float(np.asarray(T)[np.asarray(T) >= T_max].flat[0])
        raise ValueError(
            f"T must be in (0, sqrt(g/lam)) = (0, {T_max:g}) (units of Delta), where "
            f"ln[g delta_m(T)/(lam Delta)] > 0 and Xi is defined; got {bad!r}"
        )
    return T, g, lam


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
    """
    T = check_positive("T", T)
    T_s = check_positive("T_s", T_s)
    model = check_choice("model", model, S_MODELS)
    x = np.asarray(T, dtype=float) / T_s
    s = np.minimum(x, 1.0) if model == "linear" else np.tanh(x)
    # tanh underflow guard: s must stay > 0 for the solver
    return scalar_or_array(np.maximum(s, np.finfo(float).tiny))


def delta_m_of_T(T):
    """Three-particle level spacing :math:`\\delta_m(T) = \\Delta^3/T^2` in units of :math:`\\Delta`."""
    T = check_positive("T", T)
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
        :math:`\\Xi = 1/[\\ln(g/\\lambda) - 2\\ln T]`, increasing in ``T``.

    Raises
    ------
    ValueError
        If ``T >= sqrt(g/lam)`` (the logarithm is not positive there).
    """
    T, g, lam = _check_T_domain(T, g, lam)
    return scalar_or_array(1.0 / (math.log(g / lam) - 2.0 * np.log(T)))


def T0(*, g, lam, K):
    """Single-dot transition temperature, :math:`\\Xi(T_0)\\ln K = 1` (:math:`\\varepsilon = 0`).

    Closed form: :math:`g/(\\lambda T_0^2) = K`, so :math:`T_0 = \\sqrt{g/(\\lambda K)}`
    (units of :math:`\\Delta`).
    """
    g = check_positive("g", g)
    lam = check_positive("lam", lam)
    K = check_branching("K", K)
    return float(math.sqrt(g / (lam * K)))


def lam_for_T0(T0_value, *, g, K):
    """Interaction :math:`\\lambda/\\Delta = g/(K T_0^2)` that puts the single-dot transition at ``T0_value``."""
    T0_value = check_positive("T0", T0_value)
    g = check_positive("g", g)
    K = check_branching("K", K)
    return float(g / (K * T0_value**2))


def eps_of_T(T, *, g, lam, K):
    """:math:`\\varepsilon(T) = 1 - 1/(\\Xi(T)\\ln K) = 2\\ln(T/T_0)/\\ln K`.

    Parameters
    ----------
    T : float or array_like
        :math:`T/\\Delta` in :math:`(0, \\sqrt{g/\\lambda}) = (0, \\sqrt K T_0)`
        (:math:`\\varepsilon < 1`).
    g, lam, K
        As in :func:`Xi_of_T`; ``K > 1``.
    """
    T, g, lam = _check_T_domain(T, g, lam)
    K = check_branching("K", K)
    return scalar_or_array(1.0 - (math.log(g / lam) - 2.0 * np.log(T)) / math.log(K))


def T_of_eps(eps, *, g, lam, K):
    """Inverse of :func:`eps_of_T`: :math:`T = T_0 K^{\\varepsilon/2}` (``eps < 1``)."""
    eps = check_real("eps", eps, hi=1.0)
    t0 = T0(g=g, lam=lam, K=K)
    return scalar_or_array(t0 * np.exp(0.5 * np.asarray(eps) * math.log(K)))


def footnote51_ratio(*, gamma, g, lam):
    """:math:`g\\gamma/(\\lambda\\Delta)`; footnote 51 requires it :math:`\\ll 1`.

    Since :math:`e^{-1/\\Xi} = \\lambda\\Delta/(g\\delta_m)`, this is exactly
    :math:`(\\gamma/\\delta_m)/e^{-1/\\Xi}`, the first part of Eq. (23), and it
    does not depend on ``T`` when ``gamma`` is fixed in units of :math:`\\Delta`.
    """
    gamma = check_positive("gamma", gamma)
    g = check_positive("g", g)
    lam = check_positive("lam", lam)
    return scalar_or_array(g * np.asarray(gamma) / lam)


# --------------------------------------------------------------------------
# saddle point in temperature: C5 exactly, Eq. 28 (linearised), Eq. 29
# --------------------------------------------------------------------------


def _common(T, gamma, g, lam, K, N, T_s, d, s_model):
    T, g, lam = _check_T_domain(T, g, lam)
    gamma = check_positive("gamma", gamma)
    K = check_branching("K", K)
    N = check_positive_int("N", N)
    T_s = check_positive("T_s", T_s)
    d = check_dimension(d)
    s_model = check_choice("s_model", s_model, S_MODELS)
    return np.asarray(T, dtype=float), gamma, g, lam, K, N, T_s, d, s_model


def exponent_C5(T, *, g, lam, K):
    """Exact exponent of C5 in temperature, :math:`1/\\varepsilon(T) = \\ln K/(2\\ln(T/T_0))`.

    Returns ``inf`` at :math:`T = T_0` and a negative number below it (where
    C5 does not apply).
    """
    eps = np.asarray(eps_of_T(T, g=g, lam=lam, K=K))
    with np.errstate(divide="ignore"):
        return scalar_or_array(1.0 / eps)


def exponent_eq28(T, *, g, lam, K):
    """Linearised exponent of Eq. (28), :math:`T_0\\ln K/[2(T - T_0)]`."""
    T, g, lam = _check_T_domain(T, g, lam)
    t0 = T0(g=g, lam=lam, K=K)
    with np.errstate(divide="ignore"):
        return scalar_or_array(t0 * math.log(K) / (2.0 * (np.asarray(T) - t0)))


def ln_linewidth_C5_of_T(T, *, gamma, g, lam, K, N, T_s, d=1, s_model="linear"):
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

    Returns
    -------
    float or numpy.ndarray
        :math:`\\ln(\\Gamma/\\Delta)`; ``-inf`` for :math:`T \\le T_0` (C5 has no
        solution for :math:`\\varepsilon \\le 0`).  Equals
        :math:`\\ln\\delta_m(T)` + :func:`~nblm_helpers.saddle_point.saddle_point_ln_linewidth`
        at the mapped :math:`\\varepsilon, \\gamma/\\delta_m, s`.
    """
    T, gamma, g, lam, K, N, T_s, d, s_model = _common(T, gamma, g, lam, K, N, T_s, d, s_model)
    eps = np.asarray(eps_of_T(T, g=g, lam=lam, K=K))
    s = np.asarray(s_of_T(T, T_s=T_s, model=s_model))
    ln_dm = -2.0 * np.log(T)
    ln_nc = np.log(s * N * d**d)
    pos = eps > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        val = ln_dm - ln_nc + (np.log(gamma) - ln_dm + 0.5 * ln_nc) / np.where(pos, eps, 1.0)
    return scalar_or_array(np.where(pos, val, -np.inf))


def ln_linewidth_eq28(T, *, gamma, g, lam, K, N=None, T_s=None, d=1, form="printed"):
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

    Returns
    -------
    float or numpy.ndarray
        :math:`\\ln(\\Gamma/\\Delta)` (``form="printed"``: up to the dropped
        prefactor); ``nan`` for :math:`T \\le T_0`.
    """
    form = check_choice("form", form, EQ28_FORMS)
    T, g, lam = _check_T_domain(T, g, lam)
    gamma = check_positive("gamma", gamma)
    K = check_branching("K", K)
    T = np.asarray(T, dtype=float)
    expo = np.asarray(exponent_eq28(T, g=g, lam=lam, K=K))
    expo = np.where(T > T0(g=g, lam=lam, K=K), expo, np.nan)
    if form == "printed":
        return scalar_or_array(expo * (np.log(gamma) + 2.5 * np.log(T)))
    if N is None or T_s is None:
        raise ValueError("form='linearised' needs N (integer >= 1) and T_s (> 0)")
    N = check_positive_int("N", N)
    T_s = check_positive("T_s", T_s)
    d = check_dimension(d)
    c = N * d**d / T_s
    return scalar_or_array(-3.0 * np.log(T) - np.log(c) + expo * (np.log(gamma) + 2.5 * np.log(T) + 0.5 * np.log(c)))


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
    """
    form = check_choice("form", form, ("printed", "exact"))
    T = check_positive("T", T)
    t0 = T0(g=g, lam=lam, K=K)
    x = np.asarray(T, dtype=float) / t0
    if form == "printed":
        ok = (x - 1.0) > 0.25
    else:
        ok = (np.log(x) > 0.25) & (x < math.sqrt(K))
    return bool(ok) if ok.ndim == 0 else ok


# --------------------------------------------------------------------------
# full numerical solution
# --------------------------------------------------------------------------


def _solver_args(T, gamma, N, T_s, d, s_model):
    s = float(s_of_T(T, T_s=T_s, model=s_model))
    return dict(gamma=float(gamma * T**2), N=N, s=s, d=d)


def T0_prime(*, gamma, g, lam, K, N, T_s, d=1, s_model="linear", sum_range="infinite", nfast="literal"):
    """Mean-field transition temperature :math:`T_0'`: :math:`F(\\Gamma\\to0^+) = 1` of Eq. (19).

    For Eq. (19) a point is a metal iff :math:`F(0^+) > 1` (see
    :mod:`nblm_helpers.meanfield`).  :math:`\\ln F(0^+)` is evaluated along
    :math:`\\varepsilon(T), \\gamma/\\delta_m = \\gamma T^2, s(T)` and its zero is
    found with :func:`scipy.optimize.brentq` in :math:`\\ln T`.  With the
    unbounded sum :math:`F(0^+) = \\infty` for :math:`T \\ge T_0`, so
    :math:`T_0' < T_0`: the coupled dots conduct below the single-dot
    transition.

    Returns
    -------
    float
        :math:`T_0'/\\Delta`.

    Raises
    ------
    RuntimeError
        If no sign change of :math:`\\ln F(0^+) ` is found in :math:`(0, \\sqrt K T_0)`.
    """
    gamma = check_positive("gamma", gamma)
    t0 = T0(g=g, lam=lam, K=K)
    K = check_branching("K", K)
    N = check_positive_int("N", N)
    T_s = check_positive("T_s", T_s)
    d = check_dimension(d)
    s_model = check_choice("s_model", s_model, S_MODELS)

    def f(lnT):
        T = math.exp(lnT)
        eps = float(eps_of_T(T, g=g, lam=lam, K=K))
        lnF0, sg = meanfield.ln_F_zero(eps=eps, K=K, sum_range=sum_range, nfast=nfast,
                                       **_solver_args(T, gamma, N, T_s, d, s_model))
        if sg <= 0:
            return -1e3
        return float(min(lnF0, 1e3))

    hi = math.log(t0) if sum_range == "infinite" else math.log(t0) + 0.5 * math.log(K)
    hi -= 1e-12
    if f(hi) <= 0:
        raise RuntimeError("F(0+) <= 1 up to the end of the domain: no metal for these parameters")
    lo = math.log(t0) - 0.1
    while f(lo) > 0:
        lo -= 0.5
        if lo < math.log(t0) - 50:
            raise RuntimeError("F(0+) > 1 down to T0 e^-50: no transition found")
    return float(math.exp(brentq(f, lo, hi, xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=500)))


@dataclass(frozen=True)
class ConductivityResult:
    """Full numerical :math:`\\ln\\sigma(T)` (returned by :func:`ln_conductivity`).

    Attributes
    ----------
    T : numpy.ndarray
        Temperatures :math:`T/\\Delta`.
    ln_sigma : numpy.ndarray
        :math:`\\ln\\sigma = \\ln(\\Gamma/\\Delta)`; ``-inf`` where localized,
        ``nan`` where ``status == "above_gamma"`` (no root below :math:`\\gamma`).
    ln_gamma_dm : numpy.ndarray
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
    ln_gamma_dm: Any
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
        Arrays of length ``T.size`` (``T`` flattened).
    """
    T, gamma, g, lam, K, N, T_s, d, s_model = _common(T, gamma, g, lam, K, N, T_s, d, s_model)
    T = np.atleast_1d(T).ravel()
    eps = np.atleast_1d(eps_of_T(T, g=g, lam=lam, K=K))
    n = T.size
    status = np.empty(n, dtype=object)
    gdm = np.empty(n)
    s_arr = np.empty(n)
    ok = np.zeros(n, dtype=bool)
    counts = {"Eq. 23": 0, "Eq. 26": 0, "Eq. 27": 0, "above_gamma": 0}
    for i, Ti in enumerate(T):  # per temperature in Python floats (as the solver's scalar inputs were)
        args = _solver_args(float(Ti), gamma, N, T_s, d, s_model)
        gdm[i], s_arr[i] = args["gamma"], args["s"]
    r = meanfield.solve_linewidth(eps=eps, gamma=gdm, s=s_arr, K=K, N=N, d=d, equation=equation,
                                  sum_range=sum_range, nfast=nfast, warn=False)
    lnG = np.asarray(r.ln_gamma, dtype=float).copy()
    for i, (ei, st) in enumerate(zip(eps, r.status)):
        status[i] = str(st)
        if st == "root":
            checks = {
                "Eq. 23": condition_23(gamma=float(gdm[i]), K=K, eps=float(ei)),
                "Eq. 26": condition_26(gamma=float(gdm[i]), d=d, ln_gamma=float(lnG[i])),
                "Eq. 27": condition_27(gamma=float(gdm[i]), K=K, N=N, ln_gamma=float(lnG[i])),
            }
            for k, v in checks.items():
                counts[k] += int(not v)
            ok[i] = all(checks.values())
        elif st == "above_gamma":
            counts["above_gamma"] += 1
        if progress is not None:
            progress(i + 1, n)
    ln_sigma = np.where(status == "above_gamma", np.nan, lnG - 2.0 * np.log(T))
    violations = {k: v for k, v in counts.items() if v}
    if warn and violations:
        warnings.warn(
            "temperature sweep outside the mean-field validity window: "
            + "; ".join(f"{k} at {v} of {n} temperature(s)" for k, v in violations.items()),
            ValidityWarning,
            stacklevel=2,
        )
    return ConductivityResult(T=T, ln_sigma=ln_sigma, ln_gamma_dm=lnG, status=status.astype(str),
                              valid=ok, violations=violations, eps=eps, gamma_dm=gdm, s=s_arr)


# --------------------------------------------------------------------------
# fits: Eq. (1), Eq. (2)/(30), and a power law
# --------------------------------------------------------------------------


def vogel_fulcher(T, *, ln_sigma0, a, T0):
    """Eq. (1): :math:`\\ln\\sigma = \\ln\\sigma_0 - a' T_0/(T - T_0)` (``nan`` for :math:`T \\le T_0`)."""
    T = np.asarray(check_positive("T", T), dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return scalar_or_array(np.where(T > T0, ln_sigma0 - a * T0 / (T - T0), np.nan))


def near_critical(T, *, ln_sigma0, a, T0p, nu=1.0 / 3.0):
    """Eq. (30) [Eq. (2) with :math:`T_0'`]: :math:`\\ln\\sigma = \\ln\\sigma_0 - a''/(T - T_0')^{\\nu}`, :math:`\\nu = 1/3`."""
    T = np.asarray(check_positive("T", T), dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return scalar_or_array(np.where(T > T0p, ln_sigma0 - a / np.abs(T - T0p) ** nu, np.nan))


def power_law(T, *, ln_sigma0, a, T0p):
    """Power law :math:`\\ln\\sigma = \\ln\\sigma_0 + a\\ln(T - T_0')`, i.e. :math:`\\sigma \\propto (T-T_0')^a`."""
    T = np.asarray(check_positive("T", T), dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return scalar_or_array(np.where(T > T0p, ln_sigma0 + a * np.log(np.abs(T - T0p)), np.nan))


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
        ``nan`` if :math:`n = p` or :math:`J` is singular).
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
        """Evaluate the fitted model at ``T``."""
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
    A = np.column_stack([np.ones_like(T), b])
    coef, *_ = np.linalg.lstsq(A, y, rcond=None)
    r = y - A @ coef
    return coef, float(r @ r)


def _fit(form, T, ln_sigma, *, Tc=None, Tc_bounds=None, nu=1.0 / 3.0, name_Tc):
    T = np.asarray(check_positive("T", T), dtype=float).ravel()
    y = np.asarray(check_real("ln_sigma", ln_sigma), dtype=float).ravel()
    if T.size != y.size:
        raise ValueError(f"T and ln_sigma must have the same length; got {T.size} and {y.size}")
    Tmin = float(T.min())
    fixed = Tc is not None
    npar = 2 if fixed else 3
    if T.size < npar:
        raise ValueError(f"need at least {npar} points for this fit; got {T.size}")
    if fixed:
        Tc = check_real(name_Tc, Tc, hi=Tmin)
        coef, _ = _linear_fit(form, T, y, Tc, nu)
        p0 = np.array([coef[0], coef[1]])

        def resid(p):
            return y - (p[0] + p[1] * _basis(form, T, Tc, nu))

        def jac(p):
            return -_jac(form, T, np.array([p[0], p[1], Tc]), nu)[:, :2]

        sol = least_squares(resid, p0, jac=jac, method="lm", xtol=1e-15, ftol=1e-15, gtol=1e-15)
        p = np.array([sol.x[0], sol.x[1], Tc])
    else:
        span = float(T.max() - Tmin)
        lo, hi = (Tmin - 10.0 * span, Tmin) if Tc_bounds is None else Tc_bounds
        lo = check_real(f"{name_Tc} lower bound", lo)
        hi = check_real(f"{name_Tc} upper bound", hi)
        if not lo < hi <= Tmin:
            raise ValueError(f"{name_Tc} bounds must satisfy lower < upper <= min(T) = {Tmin!r}; got ({lo!r}, {hi!r})")
        # profile the separable problem on a grid of Tc (geometric in Tmin - Tc), then refine all three
        gap = np.geomspace(max(Tmin - hi, 1e-9 * max(span, 1e-300)), Tmin - lo, 200)
        grid = Tmin - gap
        best = min(grid, key=lambda tc: _linear_fit(form, T, y, tc, nu)[1])
        coef, _ = _linear_fit(form, T, y, best, nu)
        # parametrise Tc = Tmin - exp(u) so that Tc < Tmin always
        lo_u = math.log(max(Tmin - hi, 1e-300))
        hi_u = math.log(Tmin - lo)
        u0 = float(np.clip(math.log(Tmin - best), lo_u, hi_u))

        def resid(q):
            tc = Tmin - math.exp(q[2])
            return y - (q[0] + q[1] * _basis(form, T, tc, nu))

        def jac(q):
            tc = Tmin - math.exp(q[2])
            J = _jac(form, T, np.array([q[0], q[1], tc]), nu)
            J[:, 2] *= -math.exp(q[2])
            return -J

        eps_u = 1e-12
        sol = least_squares(resid, np.array([coef[0], coef[1], u0]), jac=jac, method="trf",
                            bounds=([-np.inf, -np.inf, lo_u - eps_u], [np.inf, np.inf, hi_u + eps_u]),
                            xtol=1e-15, ftol=1e-15, gtol=1e-15, max_nfev=2000)
        p = np.array([sol.x[0], sol.x[1], Tmin - math.exp(sol.x[2])])
    keys = ("ln_sigma0", "a", name_Tc)
    r = y - (p[0] + p[1] * _basis(form, T, p[2], nu))
    dof = T.size - npar
    J = _jac(form, T, p, nu)[:, :npar]
    stderr = np.full(3, np.nan)
    if dof > 0:
        s2 = float(r @ r) / dof
        try:
            cov = np.linalg.inv(J.T @ J) * s2
            stderr[:npar] = np.sqrt(np.clip(np.diag(cov), 0.0, None))
        except np.linalg.LinAlgError:
            pass
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
        rms=float(np.sqrt(np.mean(r**2))),
        max_abs=float(np.max(np.abs(r))),
        n=int(T.size),
        dof=int(dof),
        success=bool(sol.success),
    )


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
    """
    nu = check_positive("nu", nu)
    return _fit("near_critical", T, ln_sigma, Tc=T0p, Tc_bounds=T0p_bounds, nu=nu, name_Tc="T0p")


def fit_power_law(T, ln_sigma, *, T0p=None, T0p_bounds=None):
    """Fit :math:`\\ln\\sigma = \\ln\\sigma_0 + a\\ln(T - T_0')` (a power law that vanishes at :math:`T_0'`).

    Parameters and return value as in :func:`fit_near_critical` (no ``nu``).
    """
    return _fit("power_law", T, ln_sigma, Tc=T0p, Tc_bounds=T0p_bounds, name_Tc="T0p")


_MODELS = {
    "vogel_fulcher": (vogel_fulcher,),
    "near_critical": (near_critical,),
    "power_law": (power_law,),
}
