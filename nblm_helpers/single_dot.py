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
* The Golden rule is the leading order in :math:`\\gamma/W`; the functions do
  not check :math:`\\gamma \\ll W` (the chapter discusses it).
"""

from __future__ import annotations

import math

import numpy as np

from .parameters import check_branching, check_positive, check_positive_int, check_real

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
    "relaxation_time_eq16",
    "ln_many_body_spacing",
    "many_body_spacing",
    "eq16_stop_bandwidth",
]

#: The two readings of the Golden-rule sum behind Eq. (16).
READINGS = ("states", "typical")

_INTEGER_TOL = 1e-9


def _out(arr, scalar):
    return float(arr) if scalar else arr


def _check_W(W, delta_m):
    scalar = np.ndim(W) == 0
    W = check_real("W", W, lo=0.0, hi=delta_m)
    return np.asarray(W, dtype=float), scalar


def _check_common(K, Xi, delta_m):
    K = float(check_branching("K", K))
    Xi = float(check_positive("Xi", Xi))
    delta_m = float(check_positive("delta_m", delta_m))
    return K, Xi, delta_m


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

    Raises
    ------
    ValueError
        If ``W`` is outside :math:`(0, \\delta_m)` or ``K <= 1``.
    """
    K = float(check_branching("K", K))
    delta_m = float(check_positive("delta_m", delta_m))
    W, scalar = _check_W(W, delta_m)
    return _out(np.log(delta_m / W) / math.log(K), scalar)


def first_shell(W, *, K, delta_m=1.0):
    """First Fock distance summed in the Golden rule, :math:`n_0 = \\lceil n_c\\rceil`.

    Parameters are those of :func:`fock_distance_threshold`.

    Returns
    -------
    int or numpy.ndarray of int
        :math:`n_0 \\ge 1`; an :math:`n_c` within ``1e-9`` of an integer counts
        as that integer.
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
        :math:`\\mathcal N_n`; it is :math:`\\ge 1` exactly for :math:`n \\ge n_c`.
    """
    n = check_real("n", n, lo=0.0, lo_open=False)
    nc = fock_distance_threshold(W, K=K, delta_m=delta_m)
    out = np.exp((np.asarray(n) - np.asarray(nc)) * math.log(float(K)))
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
        :math:`q > 0`.  The infinite sum converges iff :math:`q < 1`.
    """
    K, Xi, _ = _check_common(K, Xi, 1.0)
    _check_reading(reading)
    return math.exp(_ln_q(K, Xi, reading))


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
    """
    K, Xi, delta_m = _check_common(K, Xi, delta_m)
    gamma = float(check_positive("gamma", gamma))
    W, scalar = _check_W(W, delta_m)
    a = Xi * math.log(K)
    lnW = np.log(W)
    return _out(2.0 * math.log(gamma) - lnW + (2.0 / a) * (lnW - math.log(delta_m)), scalar)


def relaxation_rate_eq16(W, *, gamma, K, Xi, delta_m=1.0):
    """Eq. (16): :math:`\\Gamma(W) = (\\gamma^2/W)(W/\\delta_m)^{2/(\\Xi\\ln K)}`.

    Parameters and units as in :func:`ln_relaxation_rate_eq16` (this is its
    exponential; it underflows to 0 for very small ``W``: use the log).
    """
    return _exp(ln_relaxation_rate_eq16(W, gamma=gamma, K=K, Xi=Xi, delta_m=delta_m))


def _exp(x):
    out = np.exp(x)
    return float(out) if np.ndim(x) == 0 else out


def _ln_geometric_factor(ln_q, length):
    """ln[(1 - q**L)/(1 - q)] for arrays of L >= 1 (L = inf needs q < 1); stable near q = 1."""
    if ln_q == 0.0:
        return np.log(length)  # q = 1: a sum of L ones
    x = length * ln_q  # -inf for an unbounded convergent sum
    big = x > 700.0  # expm1 would overflow: ln(q^L - 1) = x + ln(1 - q^-L) ~= x
    with np.errstate(over="ignore"):
        num = np.log(np.abs(np.expm1(np.where(big, 1.0, x))))
    return np.where(big, x, num) - math.log(abs(math.expm1(ln_q)))


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
        state inside the dot).

    Raises
    ------
    ValueError
        For out-of-range parameters, an unknown ``reading``, or
        ``reading="states"`` with :math:`\\Xi\\ln K \\ge 2` and no ``n_max``
        (the series diverges).
    """
    K, Xi, delta_m = _check_common(K, Xi, delta_m)
    gamma = float(check_positive("gamma", gamma))
    _check_reading(reading)
    n_max = _check_n_max(n_max)
    W, scalar = _check_W(W, delta_m)
    ln_q = _ln_q(K, Xi, reading)
    if n_max is None and ln_q >= 0.0:
        raise ValueError(
            f"Xi ln K must be < 2 for the unbounded sum with reading='states' (it diverges); "
            f"got Xi ln K = {Xi * math.log(K):g}: pass n_max (e.g. the dot size N)")
    n0 = _n0(np.log(delta_m / W) / math.log(K))
    ln_A = 2.0 * math.log(gamma) - (math.log(delta_m) if reading == "states" else np.log(W))
    if n_max is None:
        length = np.full(n0.shape, np.inf)
    else:
        length = n_max - n0 + 1.0
    empty = length < 1
    geo = _ln_geometric_factor(ln_q, np.where(empty, 1.0, length))
    out = np.where(empty, -np.inf, ln_A + n0 * ln_q + geo)
    return _out(out, scalar)


def relaxation_rate_sum(W, *, gamma, K, Xi, delta_m=1.0, reading="states", n_max=None):
    """The Golden-rule sum over Fock distances, :math:`\\Gamma` (exponential of :func:`ln_relaxation_rate_sum`).

    Same parameters; returns :math:`\\Gamma` in the unit of ``delta_m`` (0
    where no final state lies inside the dot).
    """
    return _exp(ln_relaxation_rate_sum(W, gamma=gamma, K=K, Xi=Xi, delta_m=delta_m, reading=reading,
                                       n_max=n_max))


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
    """
    ln_sum = ln_relaxation_rate_sum(W, gamma=1.0, K=K, Xi=Xi, delta_m=delta_m, reading=reading, n_max=n_max)
    ln_16 = ln_relaxation_rate_eq16(W, gamma=1.0, K=K, Xi=Xi, delta_m=delta_m)
    return _exp(np.asarray(ln_sum) - np.asarray(ln_16))


def relaxation_time_eq16(W, *, gamma, K, Xi, delta_m=1.0):
    """Relaxation time :math:`t_{relax} = 1/\\Gamma(W) = \\gamma^{-2} W^{1-2/(\\Xi\\ln K)}\\delta_m^{2/(\\Xi\\ln K)}`.

    The text after Eq. (16) (with :math:`\\delta_m = 1`).  Parameters as in
    :func:`ln_relaxation_rate_eq16`; the time is in units of
    :math:`1/\\delta_m` (``hbar = 1``).  It diverges as :math:`W \\to 0` when
    :math:`\\Xi\\ln K < 2`.
    """
    return _exp(-np.asarray(ln_relaxation_rate_eq16(W, gamma=gamma, K=K, Xi=Xi, delta_m=delta_m)))


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
    """
    K = float(check_branching("K", K))
    N = check_positive_int("N", N)
    delta_m = float(check_positive("delta_m", delta_m))
    return math.log(delta_m) - N * math.log(K)


def many_body_spacing(*, K, N, delta_m=1.0):
    """Many-body level spacing of the dot, :math:`\\delta_m K^{-N}` (Sec. IV B; cf. Eq. 27).

    Parameters as in :func:`ln_many_body_spacing`.  Sec. V B uses
    :math:`N\\delta_m K^{-N}`; the factor :math:`N` does not change the
    exponential scale.
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
        narrow bath.

    Raises
    ------
    ValueError
        For bad parameters, or :math:`\\Xi\\ln K \\ge 2`.
    """
    K, Xi, delta_m = _check_common(K, Xi, delta_m)
    gamma = float(check_positive("gamma", gamma))
    a = Xi * math.log(K)
    if a >= 2.0:
        raise ValueError(f"Xi ln K must be < 2 for Eq. (16) to decrease as W -> 0; got Xi ln K = {a:g}")
    ln_mb = ln_many_body_spacing(K=K, N=N, delta_m=delta_m)
    ln_w = (a / (2.0 - a)) * (ln_mb + math.log(delta_m) - 2.0 * math.log(gamma))
    return delta_m * math.exp(ln_w)
