"""Relaxation of one AGKL quantum dot coupled to a slow bath (Sec. IV A-B, Eqs. 14-16).

Gopalakrishnan & Nandkishore, PRB 90, 224203 (2014); the dot is the model of
Altshuler, Gefen, Kamenev and Levitov (AGKL), Eq. (14).

Model
-----
The Fock space of the dot (an :math:`N`-dimensional hypercube) is modelled
as a Cayley tree with branching :math:`K = g^3/6`.  Configurations at Fock
distance :math:`n` from the initial one have a level spacing
:math:`\\delta_m K^{-n}`, so a bath of bandwidth :math:`W \\ll \\delta_m` finds
on average :math:`W K^n/\\delta_m` final states inside its window at distance
:math:`n`; that number reaches one at

.. math:: n_c = \\ln(\\delta_m/W)/\\ln K .

The matrix element of the bath coupling (15) to a configuration at distance
:math:`n` is :math:`\\gamma e^{-n/\\Xi}` (Fock-space localization length
:math:`\\Xi`), and the flat bath spectrum has density :math:`1/W`.  The paper's
result is

.. math:: \\Gamma(W) = \\frac{\\gamma^2}{W}
          \\left(\\frac{W}{\\delta_m}\\right)^{2/(\\Xi\\ln K)} \\qquad (16)

:func:`relaxation_rate_eq16` implements it.  :func:`relaxation_rate_sum`
implements the Golden-rule sum over Fock distances
:math:`n \\ge n_0 = \\lceil n_c\\rceil` that Eq. (16) approximates, in one of
two readings:

``reading="states"``
    every final state inside the window counts:
    :math:`\\Gamma = \\sum_{n\\ge n_0} \\frac{\\gamma^2 e^{-2n/\\Xi}}{W}
    \\frac{W K^n}{\\delta_m} = \\frac{\\gamma^2}{\\delta_m}\\sum_{n \\ge n_0} q^n`
    with :math:`q = K e^{-2/\\Xi} = K^{1-2/(\\Xi\\ln K)}`.  The series
    converges only for :math:`\\Xi\\ln K < 2`; otherwise give ``n_max``.
``reading="typical"``
    one typical final state per order :math:`n \\ge n_0`:
    :math:`\\Gamma = \\frac{\\gamma^2}{W}\\sum_{n \\ge n_0} e^{-2n/\\Xi}`,
    i.e. :math:`q = e^{-2/\\Xi} = K^{-2/(\\Xi\\ln K)}`; it always converges.

In both readings the :math:`n = n_c` term, were :math:`n_c` an integer, is
Eq. (16) exactly, and

.. math:: \\frac{\\Gamma_{\\rm sum}}{\\Gamma_{(16)}} =
          \\frac{q^{\\,n_0 - n_c}\\,(1 - q^{\\,n_{max}-n_0+1})}{1 - q}

(:func:`ratio_to_eq16`): a geometric prefactor :math:`1/(1-q)` times a
discreteness factor :math:`q^{n_0 - n_c} \\in (q, 1]` that is log-periodic in
:math:`W` with period :math:`\\ln K`.

Units and conventions
---------------------
* Energies and rates are in units of :math:`\\delta_m` unless ``delta_m`` is
  given (then ``W``, ``gamma`` and the results share its unit).
* The bath must be narrow, :math:`0 < W < \\delta_m` (so :math:`n_c > 0`).
* ``ln_*`` functions return natural logarithms and never underflow; an empty
  sum (``n_max < n_0``: no final state inside the dot) gives ``-inf``.
* :math:`n_0 = \\lceil n_c \\rceil`, with :math:`n_c` within ``1e-9`` of an
  integer treated as that integer (``W = 3**-2`` gives ``n_0 = 2``).
* The Golden rule is the leading order in :math:`\\gamma/W`.

Regime of the formulas (Validity)
---------------------------------
One :class:`~nblm_helpers.parameters.ValidityWarning` per call (listing the
failed conditions and at how many points) when

* :math:`\\gamma \\ge W` (:func:`ln_relaxation_rate_eq16`,
  :func:`relaxation_rate_eq16`, :func:`relaxation_time_eq16`,
  :func:`ln_relaxation_rate_sum`, :func:`relaxation_rate_sum`, and
  :func:`eq16_stop_bandwidth` at :math:`W_*`): the Golden rule is the leading
  order in :math:`\\gamma/W` (Sec. IV B); the rates are :math:`\\propto\\gamma^2`,
  so a figure in units of :math:`\\gamma^2/\\delta_m` may set ``gamma = 1`` and
  ignore the warning knowingly;
* :math:`\\Xi\\ln K \\ge 2` (the Eq. 16 helpers and :func:`ratio_to_eq16`):
  the geometric sum that Eq. (16) approximates diverges (``reading="states"``),
  so Eq. (16) -- its :math:`n = n_c` term -- no longer approximates it.

Ranges and resources
--------------------
Every result is a float or an array of floats without NaN; ``-inf`` only
for the logarithm of an empty sum (no final state in the dot).  Inputs
whose result is beyond the float range (e.g. :math:`\\gamma^2` with
``gamma = 1e300``, :math:`2/(\\Xi\\ln K)` with :math:`\\Xi\\ln K < 10^{-308}`)
raise :class:`ValueError` naming the parameters.  ``K``, ``Xi``, ``gamma``,
``delta_m`` are scalars; ``W`` (and ``n``) may be arrays.
"""

from __future__ import annotations

import math
import warnings
from typing import NamedTuple

import numpy as np

from .parameters import ValidityWarning, check_branching, check_positive, check_positive_int, check_real, check_scalar
from .validity import golden_rule_message

__all__ = [
    "READINGS",
    "fock_distance_threshold",
    "first_shell",
    "states_in_window",
    "geometric_ratio",
    "ln_relaxation_rate_eq16",
    "relaxation_rate_eq16",
    "ln_relaxation_rate_sum",
    "relaxation_rate_sum",
    "ratio_to_eq16",
    "RatioStatistics",
    "ratio_statistics",
    "bandwidth_grid",
    "relaxation_time_eq16",
    "ln_many_body_spacing",
    "many_body_spacing",
    "eq16_stop_bandwidth",
]

#: The two readings of the Golden-rule sum behind Eq. (16).
READINGS = ("states", "typical")

_INTEGER_TOL = 1e-9

#: Most samples of ln W that :func:`ratio_statistics` evaluates, and most points
#: (log grid plus shell edges) that :func:`bandwidth_grid` returns: the memory budget.
MAX_GRID_POINTS = 1_000_000

_EDGE_OFFSET = 1e-7   # bandwidth_grid: relative distance of the points either side of a shell edge


_LN_FLOAT_MAX = math.log(np.finfo(float).max)


def _out(arr, scalar):
    return float(arr) if scalar else arr


def _check_W(W, delta_m):
    scalar = np.ndim(W) == 0
    W = check_real("W", W, lo=0.0, hi=delta_m)
    return np.asarray(W, dtype=float), scalar


def _check_common(K, Xi, delta_m):
    K = check_scalar(check_branching, "K", K)
    Xi = check_scalar(check_positive, "Xi", Xi)
    delta_m = check_scalar(check_positive, "delta_m", delta_m)
    return K, Xi, delta_m


def _ln_ratio(delta_m, W):
    """ln(delta_m / W) for an array W in (0, delta_m) (the quotient may overflow: then a difference of logs)."""
    with np.errstate(over="ignore"):
        q = delta_m / W
    if np.all(np.isfinite(q)):
        return np.log(q)
    return np.where(np.isfinite(q), np.log(np.where(np.isfinite(q), q, 1.0)), math.log(delta_m) - np.log(W))


def _xi_ln_k(Xi, K):
    """Xi ln K, which must not underflow to 0 (2/(Xi ln K) is an exponent of Eq. 16)."""
    a = Xi * math.log(K)
    if not a > 0.0 or not math.isfinite(2.0 / a):
        raise ValueError(f"Xi * ln K must be >= {2.0 / np.finfo(float).max:.3g} (2/(Xi ln K) must be a finite "
                         f"float); got Xi = {Xi!r}, K = {K!r}")
    return a


def _finite_ln(out, what, names):
    """``out`` (ln of a rate) must be finite or -inf only where ``allowed``; else ValueError naming ``names``."""
    arr = np.asarray(out, dtype=float)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{names}: {what} is beyond the float range (|ln| > 1.8e308) for these values")
    return out


def _exp_checked(ln_value, what, names):
    """exp(ln_value); ValueError naming ``names`` if it overflows (underflow gives 0)."""
    arr = np.asarray(ln_value, dtype=float)
    if np.any(arr > _LN_FLOAT_MAX):
        raise ValueError(f"{names}: {what} = e^{float(np.max(arr)):.6g} exceeds the float range")
    out = np.exp(arr)
    return float(out) if np.ndim(ln_value) == 0 else out


def _warn(msgs, stacklevel=3):
    if msgs:
        warnings.warn("outside the regime of Eq. (16) and its Golden-rule sum (Sec. IV B): " + "; ".join(msgs),
                      ValidityWarning, stacklevel=stacklevel)


def _golden_rule_msg(gamma, W):
    return golden_rule_message(gamma, W, rates="Eq. (16) and its sum")


def _divergent_msg(a):
    if a >= 2.0:
        return (f"Xi ln K = {a:.4g} >= 2: the geometric sum that Eq. (16) approximates diverges "
                "(reading 'states'), so Eq. (16) no longer approximates it")
    return None


def _check_reading(reading):
    if reading not in READINGS:
        raise ValueError(f"reading must be one of {READINGS}; got {reading!r}")
    return reading


def _check_n_max(n_max):
    return None if n_max is None else check_positive_int("n_max", n_max)


def _n0(nc):
    """ceil(n_c), with n_c within _INTEGER_TOL of an integer taken as that integer."""
    r = np.round(nc)
    return np.where(np.abs(nc - r) <= _INTEGER_TOL * np.maximum(1.0, np.abs(nc)), r, np.ceil(nc))


def fock_distance_threshold(W, *, K, delta_m=1.0):
    """Smallest Fock distance with a final state inside the bath window (Sec. IV B).

    .. math:: n_c = \\ln(\\delta_m/W)/\\ln K

    is where the level spacing at distance :math:`n`, :math:`\\delta_m
    K^{-n}`, equals :math:`W`.

    Parameters
    ----------
    W : float or array_like
        Bath bandwidth, :math:`0 < W < \\delta_m` (units of ``delta_m``).
    K : float
        Branching of the Fock-space Cayley tree, :math:`K = g^3/6 > 1`.
    delta_m : float
        Accessible level spacing :math:`\\delta_m > 0` (default 1: the unit).

    Returns
    -------
    float or numpy.ndarray
        :math:`n_c > 0` (real, not rounded).

    Validity
    --------
    A definition: never warns.

    Raises
    ------
    ValueError
        If ``W`` is outside :math:`(0, \\delta_m)` or ``K <= 1`` (or ``K``,
        ``delta_m`` are arrays).
    """
    K = check_scalar(check_branching, "K", K)
    delta_m = check_scalar(check_positive, "delta_m", delta_m)
    W, scalar = _check_W(W, delta_m)
    return _out(_ln_ratio(delta_m, W) / math.log(K), scalar)


def first_shell(W, *, K, delta_m=1.0):
    """First Fock distance summed in the Golden rule, :math:`n_0 = \\lceil n_c\\rceil`.

    Parameters are those of :func:`fock_distance_threshold`.

    Returns
    -------
    int or numpy.ndarray of int
        :math:`n_0 \\ge 1`; an :math:`n_c` within ``1e-9`` of an integer counts
        as that integer.

    Validity
    --------
    Never warns.  Raises :class:`ValueError` as :func:`fock_distance_threshold`.
    """
    nc = fock_distance_threshold(W, K=K, delta_m=delta_m)
    n0 = _n0(np.asarray(nc))
    return int(n0) if np.ndim(nc) == 0 else n0.astype(np.int64)


def states_in_window(n, W, *, K, delta_m=1.0):
    """Mean number of configurations at Fock distance ``n`` within the window ``W``.

    .. math:: \\mathcal N_n = W K^n/\\delta_m = K^{\\,n - n_c}

    Parameters
    ----------
    n : float or array_like
        Fock distance(s), :math:`n \\ge 0`.
    W, K, delta_m
        As in :func:`fock_distance_threshold`; ``W`` must be a scalar if ``n``
        is an array (and vice versa, or broadcastable shapes).

    Returns
    -------
    float or numpy.ndarray
        :math:`\\mathcal N_n`; it is :math:`\\ge 1` exactly for :math:`n \\ge n_c`
        (0 where it underflows).

    Validity
    --------
    Never warns.

    Raises
    ------
    ValueError
        As :func:`fock_distance_threshold`; if ``n`` and ``W`` do not
        broadcast; or if :math:`K^{n-n_c}` overflows (the message gives the
        largest ``n``).
    """
    n = check_real("n", n, lo=0.0, lo_open=False)
    nc = fock_distance_threshold(W, K=K, delta_m=delta_m)
    try:
        np.broadcast_shapes(np.shape(n), np.shape(nc))
    except ValueError:
        raise ValueError(f"n and W must broadcast together; got shapes {np.shape(n)} and {np.shape(nc)}") from None
    ln_k = math.log(float(K))
    with np.errstate(over="ignore"):
        x = (np.asarray(n) - np.asarray(nc)) * ln_k
    if np.any(x > _LN_FLOAT_MAX):
        raise ValueError(
            f"n: K**(n - n_c) exceeds the float range; n must be <= n_c + {_LN_FLOAT_MAX / ln_k:.6g} "
            f"(n_c = {float(np.min(nc)):.6g} here); got n = {float(np.max(n))!r}")
    out = np.exp(x)
    return float(out) if out.ndim == 0 else out


def geometric_ratio(*, K, Xi, reading="states"):
    """Ratio :math:`q` of consecutive terms of the Golden-rule sum over Fock distances.

    Parameters
    ----------
    K : float
        Branching :math:`K > 1`.
    Xi : float
        Fock-space localization length :math:`\\Xi > 0` (in hops).
    reading : {"states", "typical"}
        ``"states"``: :math:`q = K e^{-2/\\Xi} = K^{1-2/(\\Xi\\ln K)}` (all
        states in the window count); ``"typical"``: :math:`q = e^{-2/\\Xi}`
        (one state per order).

    Returns
    -------
    float
        :math:`q \\ge 0` (0 where it underflows, e.g. :math:`\\Xi \\to 0`).
        The infinite sum converges iff :math:`q < 1`.

    Validity
    --------
    Never warns (:math:`q \\ge 1` is a property, not an error).

    Raises
    ------
    ValueError
        For ``K <= 1``, ``Xi <= 0``, arrays, an unknown ``reading``, or
        :math:`q` beyond the float range.
    """
    K, Xi, _ = _check_common(K, Xi, 1.0)
    _check_reading(reading)
    return _exp_checked(_ln_q(K, Xi, reading), "q", "K, Xi")


def _ln_q(K, Xi, reading):
    return (math.log(K) if reading == "states" else 0.0) - 2.0 / Xi


def ln_relaxation_rate_eq16(W, *, gamma, K, Xi, delta_m=1.0):
    """Natural log of Eq. (16), :math:`\\ln\\Gamma(W)`.

    .. math:: \\ln\\Gamma = 2\\ln\\gamma - \\ln W
              + \\frac{2}{\\Xi\\ln K}\\ln\\frac{W}{\\delta_m}

    Parameters
    ----------
    W : float or array_like
        Bath bandwidth, :math:`0 < W < \\delta_m`.
    gamma : float
        System-bath coupling :math:`\\gamma > 0` of Eq. (15).
    K : float
        Branching :math:`K = g^3/6 > 1`.
    Xi : float
        Fock-space localization length :math:`\\Xi > 0`.
    delta_m : float
        Accessible level spacing (default 1: the unit of ``W`` and ``gamma``).

    Returns
    -------
    float or numpy.ndarray
        :math:`\\ln\\Gamma`, :math:`\\Gamma` in the unit of ``delta_m``.

    Validity
    --------
    Warns when :math:`\\gamma \\ge W` (Golden rule) or :math:`\\Xi\\ln K \\ge 2`
    (the sum behind Eq. 16 diverges); see the module docstring.

    Raises
    ------
    ValueError
        For out-of-range or non-scalar ``gamma, K, Xi, delta_m``, ``W``
        outside :math:`(0, \\delta_m)`, or :math:`\\ln\\Gamma` beyond the float
        range (:math:`\\Xi\\ln K` below ~1e-308).
    """
    K, Xi, delta_m = _check_common(K, Xi, delta_m)
    gamma = check_scalar(check_positive, "gamma", gamma)
    W, scalar = _check_W(W, delta_m)
    out = _ln_eq16(W, scalar, gamma, K, Xi, delta_m)
    _warn([m for m in (_golden_rule_msg(gamma, W), _divergent_msg(Xi * math.log(K))) if m])
    return out


def _ln_eq16(W, scalar, gamma, K, Xi, delta_m):
    a = _xi_ln_k(Xi, K)
    lnW = np.log(W)
    with np.errstate(over="ignore"):
        out = 2.0 * math.log(gamma) - lnW + (2.0 / a) * (lnW - math.log(delta_m))
    return _out(_finite_ln(out, "ln Gamma of Eq. (16) = 2 ln gamma - ln W + (2/(Xi ln K)) ln(W/delta_m)",
                           "Xi, K, W"), scalar)


def relaxation_rate_eq16(W, *, gamma, K, Xi, delta_m=1.0):
    """Eq. (16): :math:`\\Gamma(W) = (\\gamma^2/W)(W/\\delta_m)^{2/(\\Xi\\ln K)}`.

    Parameters and units as in :func:`ln_relaxation_rate_eq16` (this is its
    exponential; it underflows to 0 for very small ``W``: use the log).

    Validity
    --------
    As :func:`ln_relaxation_rate_eq16`.

    Raises
    ------
    ValueError
        As :func:`ln_relaxation_rate_eq16`, and if :math:`\\Gamma` overflows.
    """
    K, Xi, delta_m = _check_common(K, Xi, delta_m)
    gamma = check_scalar(check_positive, "gamma", gamma)
    W, scalar = _check_W(W, delta_m)
    out = _exp_checked(_ln_eq16(W, scalar, gamma, K, Xi, delta_m), "Gamma of Eq. (16)", "gamma, W")
    _warn([m for m in (_golden_rule_msg(gamma, W), _divergent_msg(Xi * math.log(K))) if m])
    return out


def _ln_geometric_factor(ln_q, length):
    """ln[(1 - q**L)/(1 - q)] for arrays of L >= 1 (L = inf needs q < 1); stable near q = 1."""
    if ln_q == 0.0:
        return np.log(length)  # q = 1: a sum of L ones
    with np.errstate(over="ignore", invalid="ignore"):
        x = length * ln_q  # -inf for an unbounded convergent sum
    big = x > 700.0  # expm1 would overflow: ln(q^L - 1) = x + ln(1 - q^-L) ~= x
    with np.errstate(over="ignore"):
        num = np.log(np.abs(np.expm1(np.where(big, 1.0, x))))
    denom = math.log(abs(math.expm1(ln_q))) if ln_q < 709.0 else ln_q   # ln|q - 1| ~ ln q for huge q
    return np.where(big, x, num) - denom


def _ln_sum(W, scalar, gamma, K, Xi, delta_m, reading, n_max):
    ln_q = _ln_q(K, Xi, reading)
    if n_max is None and ln_q >= 0.0:
        raise ValueError(
            f"Xi ln K must be < 2 for the unbounded sum with reading='states' (it diverges); "
            f"got Xi ln K = {Xi * math.log(K):g}: pass n_max (e.g. the dot size N)")
    n0 = _n0(_ln_ratio(delta_m, W) / math.log(K))
    ln_A = 2.0 * math.log(gamma) - (math.log(delta_m) if reading == "states" else np.log(W))
    if n_max is None:
        length = np.full(n0.shape, np.inf)
    else:
        length = n_max - n0 + 1.0
    empty = length < 1
    geo = _ln_geometric_factor(ln_q, np.where(empty, 1.0, length))
    with np.errstate(over="ignore", invalid="ignore"):
        full = ln_A + n0 * ln_q + geo
    if not np.all(np.isfinite(np.where(empty, 0.0, full))):
        raise ValueError(
            f"Xi, K, W: ln Gamma of the Golden-rule sum (n_0 ln q with n_0 up to {float(np.max(n0)):.4g}, "
            f"ln q = {ln_q:.4g}) is beyond the float range")
    out = np.where(empty, -np.inf, full)
    return _out(out, scalar)


def ln_relaxation_rate_sum(W, *, gamma, K, Xi, delta_m=1.0, reading="states", n_max=None):
    """Natural log of the Golden-rule sum over Fock distances that Eq. (16) approximates.

    .. math::
        \\Gamma = \\frac{\\gamma^2}{W}\\sum_{n=n_0}^{n_{max}} e^{-2n/\\Xi}\\,\\mathcal N_n,
        \\qquad n_0 = \\lceil n_c \\rceil,

    with :math:`\\mathcal N_n = W K^n/\\delta_m` (``reading="states"``) or
    :math:`\\mathcal N_n = 1` (``reading="typical"``), summed in closed form:
    :math:`\\Gamma = A\\, q^{n_0}(1-q^{n_{max}-n_0+1})/(1-q)` with
    :math:`A = \\gamma^2/\\delta_m` and :math:`q = Ke^{-2/\\Xi}` (states) or
    :math:`A = \\gamma^2/W` and :math:`q = e^{-2/\\Xi}` (typical).

    Parameters
    ----------
    W : float or array_like
        Bath bandwidth, :math:`0 < W < \\delta_m`.
    gamma : float
        System-bath coupling :math:`\\gamma > 0` (Eq. 15).
    K : float
        Branching :math:`K > 1`.
    Xi : float
        Fock-space localization length :math:`\\Xi > 0`.
    delta_m : float
        Accessible level spacing (default 1: the unit).
    reading : {"states", "typical"}
        See the module docstring.
    n_max : int, optional
        Largest Fock distance (e.g. the dot size :math:`N`).  ``None``: no
        cut-off, which for ``reading="states"`` needs :math:`\\Xi\\ln K < 2`.

    Returns
    -------
    float or numpy.ndarray
        :math:`\\ln\\Gamma`; ``-inf`` where :math:`n_0 > n_{max}` (no final
        state inside the dot, an empty sum).

    Validity
    --------
    Warns when :math:`\\gamma \\ge W` (the Golden rule is the leading order in
    :math:`\\gamma/W`).

    Raises
    ------
    ValueError
        For out-of-range parameters, an unknown ``reading``, or
        ``reading="states"`` with :math:`\\Xi\\ln K \\ge 2` and no ``n_max``
        (the series diverges); or if :math:`\\ln\\Gamma` is beyond the float
        range (e.g. :math:`n_0\\ln q` with :math:`\\Xi \\to 0`).
    """
    K, Xi, delta_m = _check_common(K, Xi, delta_m)
    gamma = check_scalar(check_positive, "gamma", gamma)
    _check_reading(reading)
    n_max = _check_n_max(n_max)
    W, scalar = _check_W(W, delta_m)
    out = _ln_sum(W, scalar, gamma, K, Xi, delta_m, reading, n_max)
    _warn([m for m in (_golden_rule_msg(gamma, W),) if m])
    return out


def relaxation_rate_sum(W, *, gamma, K, Xi, delta_m=1.0, reading="states", n_max=None):
    """The Golden-rule sum over Fock distances, :math:`\\Gamma` (exponential of :func:`ln_relaxation_rate_sum`).

    Same parameters; returns :math:`\\Gamma` in the unit of ``delta_m`` (0
    where no final state lies inside the dot, or where it underflows).

    Validity
    --------
    As :func:`ln_relaxation_rate_sum`.

    Raises
    ------
    ValueError
        As :func:`ln_relaxation_rate_sum`, and if :math:`\\Gamma` overflows.
    """
    K, Xi, delta_m = _check_common(K, Xi, delta_m)
    gamma = check_scalar(check_positive, "gamma", gamma)
    _check_reading(reading)
    n_max = _check_n_max(n_max)
    W, scalar = _check_W(W, delta_m)
    out = _exp_checked(_ln_sum(W, scalar, gamma, K, Xi, delta_m, reading, n_max), "Gamma of the sum",
                       "gamma, W, n_max")
    _warn([m for m in (_golden_rule_msg(gamma, W),) if m])
    return out


def ratio_to_eq16(W, *, K, Xi, delta_m=1.0, reading="states", n_max=None):
    """Ratio of the Golden-rule sum to Eq. (16), :math:`\\Gamma_{\\rm sum}/\\Gamma_{(16)}`.

    .. math:: \\frac{\\Gamma_{\\rm sum}}{\\Gamma_{(16)}} =
              \\frac{q^{\\,n_0-n_c}\\,(1-q^{\\,n_{max}-n_0+1})}{1-q}

    independent of :math:`\\gamma`.  Without cut-off it lies in
    :math:`(q/(1-q),\\ 1/(1-q)]`, the upper end reached at integer
    :math:`n_c` (i.e. :math:`W = \\delta_m K^{-n}`).

    Parameters
    ----------
    W, K, Xi, delta_m, reading, n_max
        As in :func:`ln_relaxation_rate_sum`.

    Returns
    -------
    float or numpy.ndarray
        The ratio (0 where the sum is empty).

    Validity
    --------
    Warns when :math:`\\Xi\\ln K \\ge 2` (Eq. 16 approximates a divergent sum;
    with ``n_max`` the ratio is still computed).

    Raises
    ------
    ValueError
        As :func:`ln_relaxation_rate_sum`, and if the ratio overflows.
    """
    K, Xi, delta_m = _check_common(K, Xi, delta_m)
    _check_reading(reading)
    n_max = _check_n_max(n_max)
    W, scalar = _check_W(W, delta_m)
    ln_sum = _ln_sum(W, scalar, 1.0, K, Xi, delta_m, reading, n_max)
    ln_16 = _ln_eq16(W, scalar, 1.0, K, Xi, delta_m)
    with np.errstate(invalid="ignore"):
        diff = np.asarray(ln_sum) - np.asarray(ln_16)
    out = _exp_checked(_out(diff, scalar), "Gamma_sum / Gamma_(16)", "Xi, K, n_max")
    _warn([m for m in (_divergent_msg(Xi * math.log(K)),) if m])
    return out


class RatioStatistics(NamedTuple):
    """Statistics of :math:`\\Gamma_{\\rm sum}/\\Gamma_{(16)}` over whole periods of :math:`\\ln W` (:func:`ratio_statistics`)."""

    #: Largest sampled ratio; tends to :math:`1/(1-q)` (integer :math:`n_c`).
    largest: float
    #: Smallest sampled ratio; tends to :math:`q/(1-q)` (just above an integer :math:`n_c`).
    smallest: float
    #: Mean over :math:`\\ln W`, :math:`1/\\ln(1/q)` for an unbounded sum.
    arithmetic_mean: float
    #: :math:`\\exp` of the mean of :math:`\\ln` ratio, :math:`q^{1/2}/(1-q)` for an unbounded sum.
    geometric_mean: float


def ratio_statistics(*, K, Xi, reading="states", periods=6, points_per_period=3000, n_start=3.0):
    """Largest, smallest and mean ratio of the Golden-rule sum to Eq. (16) over periods of :math:`\\ln W`.

    The ratio :math:`\\Gamma_{\\rm sum}/\\Gamma_{(16)} = q^{\\,n_0-n_c}/(1-q)`
    (:func:`ratio_to_eq16`, Eq. 16 of the paper) is log-periodic in :math:`W`
    with period :math:`\\ln K`: as :math:`n_c = \\ln(\\delta_m/W)/\\ln K`
    runs over one unit, :math:`f = n_0 - n_c` runs over :math:`[0, 1)`.  This
    samples :math:`n_c` evenly on ``[n_start, n_start + periods)`` with
    ``points_per_period`` points per period (``endpoint=False``), i.e.
    :math:`W = \\delta_m K^{-n_c}`, and summarises the ratio.  For the
    unbounded sum the exact values are :math:`\\max = 1/(1-q)`,
    :math:`\\inf = q/(1-q)` (approached, not reached),
    :math:`\\overline{r} = 1/\\ln(1/q)` and
    :math:`\\exp\\overline{\\ln r} = q^{1/2}/(1-q)`; the sampled values
    approach them as ``points_per_period`` grows.

    Parameters
    ----------
    K : float
        Branching :math:`K > 1`.
    Xi : float
        Fock-space localization length :math:`\\Xi > 0`; the unbounded sum
        needs :math:`\\Xi\\ln K < 2` for ``reading="states"``.
    reading : {"states", "typical"}
        As in :func:`ln_relaxation_rate_sum`.
    periods : int
        Number of whole periods of :math:`\\ln W`, :math:`\\ge 1`.
    points_per_period : int
        Samples per period, :math:`\\ge 1`; ``periods * points_per_period``
        at most :data:`MAX_GRID_POINTS`.
    n_start : float
        First sampled :math:`n_c`, :math:`\\ge 1` (at least one Fock step),
        with :math:`(n_{start} + periods)\\ln K \\le 700` (so that every
        sampled :math:`W/\\delta_m \\ge e^{-700}` is a normal float).

    Returns
    -------
    RatioStatistics
        ``(largest, smallest, arithmetic_mean, geometric_mean)``, floats; the
        ratio is independent of :math:`\\gamma` and of the unit :math:`\\delta_m`.

    Validity
    --------
    Warns (via :func:`ratio_to_eq16`) when :math:`\\Xi\\ln K \\ge 2`.

    Raises
    ------
    ValueError
        For ``K <= 1``, ``Xi <= 0``, an unknown ``reading``, counts out of
        range, ``n_start < 1``, a grid beyond :math:`W/\\delta_m = e^{-700}`,
        ``reading="states"`` with :math:`\\Xi\\ln K \\ge 2` (the unbounded sum
        diverges), or a ratio beyond the float range.
    """
    K, Xi, _ = _check_common(K, Xi, 1.0)
    _check_reading(reading)
    periods = check_positive_int("periods", periods, maximum=MAX_GRID_POINTS)
    points_per_period = check_positive_int("points_per_period", points_per_period, maximum=MAX_GRID_POINTS)
    n_start = check_scalar(check_real, "n_start", n_start, lo=1.0, lo_open=False)
    if periods * points_per_period > MAX_GRID_POINTS:
        raise ValueError(f"periods * points_per_period must be <= MAX_GRID_POINTS = {MAX_GRID_POINTS}; got "
                         f"periods = {periods}, points_per_period = {points_per_period}")
    ln_k = math.log(K)
    if not (n_start + periods) * ln_k <= 700.0:
        raise ValueError(f"n_start, periods, K: the grid must stay above W/delta_m = e^-700, i.e. "
                         f"(n_start + periods) ln K <= 700; got n_start = {n_start!r}, periods = {periods}, "
                         f"K = {K!r}")
    n_c = np.linspace(n_start, n_start + periods, points_per_period * periods, endpoint=False)
    W = np.exp(-ln_k * n_c)
    r = ratio_to_eq16(W, K=K, Xi=Xi, reading=reading)
    if np.all(r > 0.0):
        ln_r = np.log(r)
    else:   # some ratios underflow (q -> 0): their logarithms directly
        ln_r = np.asarray(_ln_sum(W, False, 1.0, K, Xi, 1.0, reading, None)) - np.asarray(
            _ln_eq16(W, False, 1.0, K, Xi, 1.0))
    return RatioStatistics(float(r.max()), float(r.min()), float(r.mean()), float(np.exp(np.mean(ln_r))))


def bandwidth_grid(W_min, *, K, W_max=0.999, points=1200):
    """Bath bandwidths :math:`W/\\delta_m` for plots of the Golden-rule sum: a log grid plus its steps.

    The sum that Eq. (16) approximates jumps wherever the first shell
    :math:`n_0 = \\lceil n_c\\rceil` changes, i.e. at
    :math:`W = \\delta_m K^{-n}` (Sec. IV B).  The grid is ``points``
    log-spaced values from ``W_min`` to ``W_max`` plus, for every such edge
    with :math:`K^{-n} \\ge` ``W_min``, the two points
    :math:`K^{-n}(1 \\mp 10^{-7})`, so a line plot shows each step as a
    vertical jump.  Only points strictly inside ``(W_min, W_max)`` are kept
    (the two ends themselves are not), sorted.

    Parameters
    ----------
    W_min : float
        Lower end, :math:`0 < W_{min} <` ``W_max`` (units of :math:`\\delta_m`).
    K : float
        Branching :math:`K > 1`.
    W_max : float
        Upper end, :math:`0 < W_{max} \\le 1` (default 0.999).
    points : int
        Number of log-spaced points, :math:`\\ge 2`; with the
        :math:`2\\ln(1/W_{min})/\\ln K` edge points at most
        :data:`MAX_GRID_POINTS`.

    Returns
    -------
    numpy.ndarray
        Increasing bandwidths in :math:`(W_{min}, W_{max})`.

    Validity
    --------
    A sampling grid: never warns.

    Raises
    ------
    ValueError
        For ``W_min`` outside ``(0, W_max)``, ``W_max`` outside ``(0, 1]``,
        ``K <= 1``, ``points`` out of range, or more edges than the budget
        (``K`` too close to 1 for ``W_min``).
    """
    W_max = check_scalar(check_real, "W_max", W_max, lo=0.0, hi=1.0, hi_open=False)
    W_min = check_scalar(check_real, "W_min", W_min, lo=0.0, hi=W_max)
    K = check_scalar(check_branching, "K", K)
    points = check_positive_int("points", points, minimum=2, maximum=MAX_GRID_POINTS)
    lo = math.log10(W_min)
    n_edges = int(-lo * math.log(10) / math.log(K))
    if points + 2 * n_edges > MAX_GRID_POINTS:
        raise ValueError(f"K, W_min: {n_edges} shell edges K^-n >= W_min (plus points = {points}) exceed "
                         f"MAX_GRID_POINTS = {MAX_GRID_POINTS}; got K = {K!r}, W_min = {W_min!r}")
    base = np.logspace(lo, math.log10(W_max), points)
    edges = K ** (-np.arange(1, n_edges + 1).astype(float))
    pts = np.concatenate([base, edges * (1 - _EDGE_OFFSET), edges * (1 + _EDGE_OFFSET)])
    return np.sort(pts[(pts > W_min) & (pts < W_max)])


def relaxation_time_eq16(W, *, gamma, K, Xi, delta_m=1.0):
    """Relaxation time :math:`t_{relax} = 1/\\Gamma(W) = \\gamma^{-2} W^{1-2/(\\Xi\\ln K)}\\delta_m^{2/(\\Xi\\ln K)}`.

    The text after Eq. (16) (with :math:`\\delta_m = 1`).  Parameters as in
    :func:`ln_relaxation_rate_eq16`; the time is in units of
    :math:`1/\\delta_m` (``hbar = 1``).  It diverges as :math:`W \\to 0` when
    :math:`\\Xi\\ln K < 2`.

    Validity
    --------
    As :func:`ln_relaxation_rate_eq16`.

    Raises
    ------
    ValueError
        As :func:`ln_relaxation_rate_eq16`, and if the time overflows (the
        message names the parameters; use the log of the rate instead).
    """
    K, Xi, delta_m = _check_common(K, Xi, delta_m)
    gamma = check_scalar(check_positive, "gamma", gamma)
    W, scalar = _check_W(W, delta_m)
    ln_rate = _ln_eq16(W, scalar, gamma, K, Xi, delta_m)
    out = _exp_checked(_out(-np.asarray(ln_rate), scalar), "t_relax = 1/Gamma", "gamma, W, Xi")
    _warn([m for m in (_golden_rule_msg(gamma, W), _divergent_msg(Xi * math.log(K))) if m])
    return out


def ln_many_body_spacing(*, K, N, delta_m=1.0):
    """Natural log of the many-body level spacing of the dot, :math:`\\ln(\\delta_m K^{-N})`.

    Parameters
    ----------
    K : float
        Branching :math:`K > 1`.
    N : int
        Number of single-particle levels (the Fock distance across the dot),
        integer :math:`\\ge 1`.
    delta_m : float
        Accessible level spacing (default 1).

    Validity
    --------
    Never warns.  Raises :class:`ValueError` for out-of-range or non-scalar
    parameters, or :math:`N\\ln K` beyond the float range.
    """
    K = check_scalar(check_branching, "K", K)
    N = check_positive_int("N", N)
    delta_m = check_scalar(check_positive, "delta_m", delta_m)
    out = math.log(delta_m) - N * math.log(K)
    if not math.isfinite(out):
        raise ValueError(f"N must be <= {np.finfo(float).max / math.log(K):.6g} for K = {K!r} (N ln K must be a "
                         f"finite float); got N = {N:.6g}")
    return out


def many_body_spacing(*, K, N, delta_m=1.0):
    """Many-body level spacing of the dot, :math:`\\delta_m K^{-N}` (Sec. IV B; cf. Eq. 27).

    Parameters as in :func:`ln_many_body_spacing`.  Sec. V B uses
    :math:`N\\delta_m K^{-N}`; the factor :math:`N` does not change the
    exponential scale.  0.0 where it underflows (use the log).

    Validity
    --------
    Never warns.  Raises :class:`ValueError` as :func:`ln_many_body_spacing`.
    """
    return math.exp(ln_many_body_spacing(K=K, N=N, delta_m=delta_m))


def eq16_stop_bandwidth(*, gamma, K, Xi, N, delta_m=1.0):
    """Bandwidth below which Eq. (16) falls under the many-body level spacing.

    Solving :math:`\\Gamma(W) = \\delta_m K^{-N}` with Eq. (16) gives

    .. math:: W_* = \\delta_m\\left(K^{-N}\\,\\delta_m^2/\\gamma^2\\right)^{\\Xi\\ln K/(2-\\Xi\\ln K)} .

    For :math:`W < W_*` the dot no longer relaxes (Sec. IV B, text after
    Eq. 16).

    Parameters
    ----------
    gamma, K, Xi, delta_m
        As in :func:`ln_relaxation_rate_eq16`; needs :math:`\\Xi\\ln K < 2`
        (otherwise Eq. 16 grows as :math:`W \\to 0`).
    N : int
        Number of levels on the dot.

    Returns
    -------
    float
        :math:`W_*` in the unit of ``delta_m``; it may exceed
        :math:`\\delta_m`, meaning Eq. (16) is below the spacing for every
        narrow bath (0.0 where it underflows).

    Validity
    --------
    Warns when :math:`\\gamma \\ge W_* < \\delta_m` (the Golden rule behind
    Eq. 16 is not valid at :math:`W_*`).

    Raises
    ------
    ValueError
        For bad parameters, :math:`\\Xi\\ln K \\ge 2`, or :math:`W_*` beyond the
        float range.
    """
    K, Xi, delta_m = _check_common(K, Xi, delta_m)
    gamma = check_scalar(check_positive, "gamma", gamma)
    a = _xi_ln_k(Xi, K)
    if a >= 2.0:
        raise ValueError(f"Xi ln K must be < 2 for Eq. (16) to decrease as W -> 0; got Xi ln K = {a:g}")
    ln_mb = ln_many_body_spacing(K=K, N=N, delta_m=delta_m)
    ln_w = (a / (2.0 - a)) * (ln_mb + math.log(delta_m) - 2.0 * math.log(gamma))
    if not ln_w + math.log(delta_m) <= _LN_FLOAT_MAX:
        raise ValueError(f"gamma, K, Xi, N: W_* = delta_m e^{ln_w:.6g} exceeds the float range")
    w_star = delta_m * math.exp(ln_w) if ln_w <= _LN_FLOAT_MAX else math.exp(ln_w + math.log(delta_m))
    if w_star < delta_m:
        _warn([m for m in (_golden_rule_msg(gamma, np.asarray([w_star])),) if m])
    return w_star
