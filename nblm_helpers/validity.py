"""Regime-of-validity conditions of the mean-field theory (Sec. V B, App. C 3).

Gopalakrishnan & Nandkishore, PRB 90, 224203 (2014).  Every condition is
written with the paper's "much less than" (``<<``) read as a strict ``<``;
nothing here decides how much smaller is "much" smaller.

Units and conventions
---------------------
* Energies are in units of the accessible level spacing :math:`\\delta_m`
  (so ``gamma`` means :math:`\\gamma/\\delta_m` and the linewidth
  :math:`\\Gamma` means :math:`\\Gamma/\\delta_m`).
* :math:`\\varepsilon = 1 - 1/(\\Xi\\ln K)`; the keyword ``Xi`` is the
  Fock-space localization length :math:`\\Xi` (give ``eps`` or ``Xi``).
* The linewidth may be given as ``Gamma`` or, underflow-safe, as its
  logarithm ``ln_Gamma`` (:math:`\\ln\\Gamma`, ``-inf`` allowed for a
  localized point).  All comparisons are made in logarithms.
* Every function returns a Python ``bool`` for scalar input and a boolean
  array (NumPy broadcasting over all array arguments) otherwise.

Contract (all functions here)
-----------------------------
For any input the functions either return booleans or raise
:class:`ValueError` naming the offending parameter: bad values (see
:mod:`nblm_helpers.parameters`), array arguments that do not broadcast
together, or a broadcast result of more than
:data:`~nblm_helpers.parameters.MAX_ARRAY_SIZE` points.  Every comparison is
made in logarithms, so extreme inputs (``gamma = 1e-300``, ``K = 1 + 1e-9``
or ``1e300``, ``N = 1e9``, ``ln_Gamma = -1e300``, ``eps = -1e300``) give a
definite answer with no NaN and no NumPy RuntimeWarning.  They never warn:
they are the tests from which the other modules build their
:class:`~nblm_helpers.parameters.ValidityWarning` s.

Conditions
----------
``"23"``  :math:`\\gamma < \\min(e^{-1/\\Xi}, 1/z)` (Eq. 23; without ``z`` only
          the :math:`e^{-1/\\Xi}` part, i.e. :math:`\\gamma < K^{-(1-\\varepsilon)}`).
``"24"``  :math:`\\gamma > \\sqrt{z N^2} K^{-N}` (Eq. 24; ``z`` defaults to 1).
``"25"``  Eq. 23 and Eq. 24 together (Eq. 25).
``"26"``  :math:`(\\Gamma/\\gamma)\\ln^{2d}(\\gamma/\\Gamma) < 1` and
          :math:`\\Gamma < \\gamma` (Eq. 26; for ``d = 1`` the first part holds
          for every :math:`\\Gamma < \\gamma`, because
          :math:`\\max_y y^2 e^{-y} = 4/e^2 < 1`).
``"27"``  :math:`N K^{-N} < \\Gamma < \\gamma` (Eq. 27).
``"C6"``  :math:`\\gamma^2 s N d^d < 1` and
          :math:`\\ln(1/(\\gamma s N))/(N\\ln K) < \\varepsilon < 1` (Eq. C6).
``"C7"``  :math:`1/(2\\ln K) < \\varepsilon < 1` (Eq. C7).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping

import numpy as np

from ._deprecate import module_getattr
from .parameters import (
    check_broadcast,
    check_branching,
    check_dimension,
    check_positive,
    check_positive_int,
    check_real,
    check_unit_interval,
    resolve_eps,
    resolve_ln_rate,
    scalar_or_array,
)

__all__ = [
    "CONDITIONS",
    "Validity",
    "classify",
    "condition_golden_rule",
    "golden_rule_message",
    "condition_23",
    "ln_gamma_ceiling_23",
    "condition_24",
    "ln_gamma_floor_24",
    "condition_25",
    "condition_26",
    "condition_27",
    "condition_C6",
    "condition_C6_coupling",
    "condition_C7",
    "eps_edge",
    "ln_Gamma_floor_27",
    "mean_field_violations",
]

#: Human-readable statement of every condition, by name.
CONDITIONS = {
    "23": "gamma < min(exp(-1/Xi), 1/z)  [Eq. 23]",
    "24": "gamma > sqrt(z N^2) K^-N  [Eq. 24]",
    "25": "sqrt(z N^2) K^-N < gamma < min(exp(-1/Xi), 1/z)  [Eq. 25]",
    "26": "(Gamma/gamma) ln^2d(gamma/Gamma) < 1 with Gamma < gamma  [Eq. 26]",
    "27": "N K^-N < Gamma < gamma  [Eq. 27]",
    "C6": "gamma^2 s N d^d < 1 and ln(1/(gamma s N))/(N ln K) < eps < 1  [Eq. C6]",
    "C7": "1/(2 ln K) < eps < 1  [Eq. C7]",
}


def _out(arr):
    arr = np.asarray(arr, dtype=bool)
    return bool(arr) if arr.ndim == 0 else arr


def _log(x):
    """``math.log`` for a Python float (as the formulas always used), ``np.log`` for an array."""
    return math.log(x) if isinstance(x, float) else np.log(x)


def _ln_gsN(gamma, s, N):
    """``ln(gamma s N)``: the log of the product where it is a normal float, else the sum of logs."""
    with np.errstate(under="ignore"):
        prod = gamma * s * N
    tiny = np.finfo(float).tiny
    if np.ndim(prod) == 0:
        return np.log(prod) if prod >= tiny else np.log(gamma) + np.log(s) + math.log(N)
    return np.where(prod >= tiny, np.log(np.maximum(prod, tiny)), np.log(gamma) + np.log(s) + math.log(N))


def _c6_mask(ln_g, ln_sN, ln_gsN, N, d, ln_K, eps):
    """(C6) from logarithms: ``2 ln g + ln(sN) + d ln d < 0`` and
    ``-ln(g s N)/(N ln K) < eps < 1`` (shared with :mod:`~nblm_helpers.temperature`)."""
    first = 2 * ln_g + ln_sN + d * math.log(d) < 0
    with np.errstate(over="ignore", under="ignore"):
        lower = -ln_gsN / (N * ln_K)      # N ln K may be inf: lower -> 0, no NaN
    return first & (lower < eps) & (eps < 1.0)


def _c7_mask(ln_K, eps):
    """(C7): ``1/(2 ln K) < eps < 1``."""
    return (1.0 / (2.0 * ln_K) < eps) & (eps < 1.0)




def condition_23(*, gamma, K, eps=None, Xi=None, z=None):
    """Eq. (23): weak inter-dot coupling, :math:`\\gamma < \\min(e^{-1/\\Xi}, 1/z)`.

    Parameters
    ----------
    gamma : float or array_like
        :math:`\\gamma/\\delta_m > 0`.
    K : float
        Cayley-tree branching number, ``K > 1`` (needed to turn ``eps`` into Xi).
    eps, Xi : float or array_like
        Exactly one of :math:`\\varepsilon` and the Fock-space localization
        length :math:`\\Xi`.  :math:`e^{-1/\\Xi} = K^{-(1-\\varepsilon)}`.
    z : float, optional
        Coordination number of the dot array.  ``None`` (default): only the
        :math:`e^{-1/\\Xi}` part of the condition is checked.

    Returns
    -------
    bool or numpy.ndarray of bool

    Raises
    ------
    ValueError
        Bad ``gamma``, ``K``, ``eps``/``Xi`` or ``z``; arrays that do not
        broadcast (see the module's contract).
    """
    gamma = check_positive("gamma", gamma)
    K = check_branching("K", K)
    eps = resolve_eps(eps, Xi, K)
    if z is not None:
        z = check_positive("z", z)
    check_broadcast(gamma=gamma, K=K, eps=eps, **({} if z is None else {"z": z}))
    return _out(np.log(gamma) < _ln_gamma_ceiling_23(K, eps, z))


def ln_gamma_ceiling_23(*, K, eps=None, Xi=None, z=None):
    """Upper edge of Eq. (23) in logarithms: :math:`\\ln\\min(e^{-1/\\Xi}, 1/z)`.

    :math:`-1/\\Xi = -(1-\\varepsilon)\\ln K`; with ``z=None`` only that part.
    :func:`condition_23` is ``ln(gamma) < ln_gamma_ceiling_23(...)``.  ``-inf``
    where :math:`(1-\\varepsilon)\\ln K` overflows (no coupling is weak enough).

    Raises :class:`ValueError` for bad input (see the module's contract).
    """
    K = check_branching("K", K)
    eps = resolve_eps(eps, Xi, K)
    if z is not None:
        z = check_positive("z", z)
    check_broadcast(K=K, eps=eps, **({} if z is None else {"z": z}))
    return scalar_or_array(_ln_gamma_ceiling_23(K, eps, z))


def _ln_gamma_ceiling_23(K, eps, z):
    """:func:`ln_gamma_ceiling_23` for validated ``K``, ``eps``, ``z`` (an array or numpy float)."""
    with np.errstate(over="ignore"):                   # (1 - eps) ln K -> inf: the edge is -inf
        edge = -(1.0 - np.asarray(eps)) * _log(K)
    if z is not None:
        edge = np.minimum(edge, -np.log(z))
    return edge


def condition_golden_rule(*, gamma, W):
    """The Golden-rule premise of Secs. II A and IV B, :math:`\\gamma < W`.

    The rates of Eqs. (6)-(8), (16) and App. A are the leading order in
    :math:`\\gamma/W \\ll 1` (a Markovian bath); the physics modules warn
    where this fails.  ``gamma`` and ``W`` broadcast.

    Raises :class:`ValueError` for bad input (see the module's contract).
    """
    gamma = check_positive("gamma", gamma)
    W = check_positive("W", W)
    check_broadcast(gamma=gamma, W=W)
    return _out(np.asarray(gamma) < np.asarray(W))


def golden_rule_message(gamma, W, *, rates):
    """The warning text where the Golden-rule premise :math:`\\gamma < W` fails, else ``None``.

    ``rates`` names what assumes it (e.g. ``"Eqs. (6)-(8)"``); the text counts
    the points where :func:`condition_golden_rule` is false.  The physics modules
    warn with it, so the premise is classified and worded here only.  A ``W``
    that underflowed to 0 stands for a positive ``W`` below the smallest float.

    Raises :class:`ValueError` for bad input (see the module's contract).
    """
    if not isinstance(rates, str):
        raise ValueError(f"rates must be a string naming the rates that assume gamma << W; got {rates!r}")
    W = np.maximum(np.asarray(check_real("W", W, lo=0.0, lo_open=False), dtype=float),
                   np.finfo(float).smallest_subnormal)
    ok = np.asarray(condition_golden_rule(gamma=gamma, W=W))
    bad = int(np.count_nonzero(~ok))
    if bad:
        g = f"gamma = {float(gamma):.4g}" if np.ndim(gamma) == 0 else "gamma"
        return (f"{g} >= W at {bad} of {ok.size} point(s): {rates} are Golden-rule rates, the leading order in "
                "gamma/W << 1 (a Markovian bath, Sec. II A)")
    return None


def condition_24(*, gamma, K, N, z=1.0):
    """Eq. (24): Golden-rule validity, :math:`\\gamma > \\sqrt{z N^2}K^{-N}`.

    ``z`` (coordination number) defaults to 1, i.e. the weakest reading
    :math:`\\gamma > N K^{-N}`.  Evaluated as
    :math:`\\ln\\gamma > \\tfrac12\\ln z + \\ln N - N\\ln K`.

    Raises :class:`ValueError` for bad input (see the module's contract).
    """
    gamma = check_positive("gamma", gamma)
    K = check_branching("K", K)
    N = check_positive_int("N", N)
    z = check_positive("z", z)
    check_broadcast(gamma=gamma, K=K, z=z)
    return _out(np.log(gamma) > _ln_gamma_floor_24(K, N, z))


def ln_gamma_floor_24(*, K, N, z=1.0):
    """Lower edge of Eq. (24) in logarithms: :math:`\\ln(\\sqrt{z}NK^{-N}) = \\tfrac12\\ln z + \\ln N - N\\ln K`.

    :func:`condition_24` is ``ln(gamma) > ln_gamma_floor_24(...)``.  For
    ``z = 1`` it equals :func:`ln_Gamma_floor_27` (the same :math:`NK^{-N}`
    bounds the coupling in Eq. 24 and the linewidth in Eq. 27).  ``-inf``
    where :math:`N\\ln K` overflows.

    Raises :class:`ValueError` for bad input (see the module's contract).
    """
    K = check_branching("K", K)
    N = check_positive_int("N", N)
    z = check_positive("z", z)
    check_broadcast(K=K, z=z)
    return scalar_or_array(_ln_gamma_floor_24(K, N, z))


def _ln_gamma_floor_24(K, N, z):
    """:func:`ln_gamma_floor_24` for validated ``K``, ``N``, ``z``."""
    with np.errstate(over="ignore"):                   # N ln K -> inf: the bound is 0
        return 0.5 * np.log(z) + math.log(N) - N * _log(K)


def condition_25(*, gamma, K, N, eps=None, Xi=None, z=None):
    """Eq. (25): Eq. (23) and Eq. (24) together (``z=None`` means ``z = 1``
    in Eq. 24 and no :math:`1/z` bound in Eq. 23).

    Raises :class:`ValueError` for bad input (see the module's contract).
    """
    c23 = np.asarray(condition_23(gamma=gamma, K=K, eps=eps, Xi=Xi, z=z))
    c24 = np.asarray(condition_24(gamma=gamma, K=K, N=N, z=1.0 if z is None else z))
    check_broadcast(**{"Eq. 23": c23, "Eq. 24": c24})
    return _out(c23 & c24)


def condition_26(*, gamma, d=1, ln_Gamma=None, Gamma=None):
    """Eq. (26): typical-spectrum validity,
    :math:`(\\Gamma/\\gamma)\\ln^{2d}(\\gamma/\\Gamma) < 1`.

    Evaluated with :math:`y = \\ln(\\gamma/\\Gamma)` as
    :math:`-y + 2d\\ln y < 0`; :math:`\\Gamma \\ge \\gamma` (``y <= 0``) counts
    as a violation, :math:`\\Gamma = 0` (``ln_Gamma = -inf``) as satisfied.
    For ``d = 1`` the condition holds for every :math:`\\Gamma<\\gamma`.

    Raises :class:`ValueError` for bad input (see the module's contract).
    """
    gamma = check_positive("gamma", gamma)
    d = check_dimension(d)
    lnG = resolve_ln_rate(Gamma, ln_Gamma, ln_name="ln_Gamma")
    check_broadcast(gamma=gamma, ln_Gamma=lnG)
    y = np.log(gamma) - np.asarray(lnG, dtype=float)
    pos = y > 0
    finite = np.isfinite(y)
    y_safe = np.where(pos & finite, y, 1.0)
    ln_y = np.log(y_safe)
    with np.errstate(over="ignore"):                # 2 d ln y may overflow to +-inf (d up to 1.8e308)
        val = -y_safe + np.where(ln_y == 0.0, 0.0, (2.0 * d) * ln_y)   # no NaN: never inf * 0
    ok = pos & (~finite | (val < 0))
    return _out(ok)


def ln_Gamma_floor_27(*, K, N):
    """Lower edge of Eq. (27) in logarithms: :math:`\\ln(N K^{-N}) = \\ln N - N\\ln K`.

    The linewidth of a dot must exceed the level spacing of its
    :math:`K^N` states (in units of :math:`\\delta_m`, times :math:`N`) for the
    mean field to hold.  Returns a float; ``-inf`` if :math:`N\\ln K`
    overflows (``N`` and ``K`` both astronomically large).

    Raises :class:`ValueError` for bad input (``K`` must be a scalar here).
    """
    K = check_branching("K", K)
    if np.ndim(K) != 0:
        raise ValueError(f"K must be a single real number > 1 here; got an array of shape {np.shape(K)}")
    N = check_positive_int("N", N)
    return float(math.log(N) - N * math.log(K))     # Python floats: overflow gives -inf, no warning


def condition_27(*, gamma, K, N, ln_Gamma=None, Gamma=None):
    """Eq. (27): :math:`N K^{-N} < \\Gamma < \\gamma`, compared in logarithms.

    Raises :class:`ValueError` for bad input (see the module's contract).
    """
    gamma = check_positive("gamma", gamma)
    lnG = np.asarray(resolve_ln_rate(Gamma, ln_Gamma, ln_name="ln_Gamma"), dtype=float)
    K = check_branching("K", K)
    N = check_positive_int("N", N)
    check_broadcast(gamma=gamma, K=K, ln_Gamma=lnG)
    with np.errstate(over="ignore"):
        floor = math.log(N) - N * _log(K)
    return _out((lnG > floor) & (lnG < np.log(gamma)))


def condition_C6(*, gamma, K, N, s, d=1, eps=None, Xi=None):
    """Eq. (C6): :math:`\\gamma^2 sNd^d < 1` and
    :math:`\\ln(1/(\\gamma sN))/(N\\ln K) < \\varepsilon < 1`.

    These make the saddle-point solution (C5) satisfy Eq. (27) "up to log
    corrections"; the exact requirement from C5 would have
    :math:`\\gamma\\sqrt{n_c}` in place of :math:`\\gamma s N` (see the
    solver notes).  Evaluated in logarithms (``gamma * s`` may underflow).

    Raises :class:`ValueError` for bad input (see the module's contract).
    """
    gamma = check_positive("gamma", gamma)
    K = check_branching("K", K)
    N = check_positive_int("N", N)
    s = check_unit_interval("s", s)
    d = check_dimension(d)
    eps = np.asarray(resolve_eps(eps, Xi, K), dtype=float)
    check_broadcast(gamma=gamma, K=K, s=s, eps=eps)
    return _out(_c6_mask(np.log(gamma), np.log(s * N), _ln_gsN(gamma, s, N), N, d, _log(K), eps))


def condition_C6_coupling(*, gamma, N, s, d=1):
    """The coupling part of Eq. (C6): :math:`\\gamma^2 sNd^d < 1`, compared in logarithms.

    Independent of :math:`\\varepsilon`; :func:`condition_C6` adds the window in
    :math:`\\varepsilon`.

    Raises :class:`ValueError` for bad input (see the module's contract).
    """
    gamma = check_positive("gamma", gamma)
    N = check_positive_int("N", N)
    s = check_unit_interval("s", s)
    d = check_dimension(d)
    check_broadcast(gamma=gamma, s=s)
    return _out(2 * np.log(gamma) + np.log(s * N) + d * math.log(d) < 0)


def condition_C7(*, K, eps=None, Xi=None):
    """Eq. (C7): saddle-point control, :math:`1/(2\\ln K) < \\varepsilon < 1`
    (i.e. :math:`\\ln K - 1/\\Xi > 1/2`).

    Raises :class:`ValueError` for bad input (see the module's contract).
    """
    K = check_branching("K", K)
    eps = np.asarray(resolve_eps(eps, Xi, K), dtype=float)
    check_broadcast(K=K, eps=eps)
    return _out(_c7_mask(_log(K), eps))


def eps_edge(condition, *, K, gamma=None, N=None, s=None, d=1, z=None):
    """Lower edge in :math:`\\varepsilon` of a validity condition: it holds for :math:`\\varepsilon^* < \\varepsilon < 1`.

    The conditions of this module that depend on :math:`\\varepsilon` are windows
    :math:`\\varepsilon^* < \\varepsilon` (< 1); this is their edge in closed form, the value at
    which :func:`classify` (and the ``condition_*`` functions) change from failing to holding:

    ``"23"``  :math:`\\gamma < K^{-(1-\\varepsilon)}`:
              :math:`\\varepsilon^* = 1 + \\ln\\gamma/\\ln K` (Eq. 23; with ``z`` also
              :math:`\\gamma < 1/z`, else it holds nowhere).
    ``"C6"``  :math:`\\varepsilon^* = \\ln(1/(\\gamma sN))/(N\\ln K)` if
              :math:`\\gamma^2 sNd^d < 1`, else it holds nowhere (Eq. C6).
    ``"C7"``  :math:`\\varepsilon^* = 1/(2\\ln K)` (Eq. C7).

    Parameters
    ----------
    condition : {"23", "C6", "C7"}
        The condition (keys of :data:`CONDITIONS`).
    K : float
        Cayley-tree branching number, ``K > 1``.
    gamma : float or array_like, optional
        :math:`\\gamma/\\delta_m > 0`; needed for ``"23"`` and ``"C6"``.
    N, s, d : optional
        Levels per dot, entropy per degree of freedom in (0, 1] and dimension; needed for ``"C6"``.
    z : float, optional
        Coordination number for ``"23"`` (as in :func:`condition_23`).

    Returns
    -------
    float or numpy.ndarray
        :math:`\\varepsilon^*` (may be very negative: the condition then holds for every
        :math:`\\varepsilon` of interest); ``1.0`` where the condition holds for no
        :math:`\\varepsilon < 1`.  An array for array ``gamma``.

    Raises
    ------
    ValueError
        For an unknown ``condition``, a missing or bad parameter (named, with its value and
        range).  Never warns.
    """
    if not isinstance(condition, str) or condition not in ("23", "C6", "C7"):
        raise ValueError(f"condition must be one of '23', 'C6', 'C7' (the conditions that depend on eps); "
                         f"got {condition!r}")
    K = check_branching("K", K)
    if np.ndim(K) != 0:
        raise ValueError(f"K must be a single real number > 1 here; got an array of shape {np.shape(K)}")
    ln_K = math.log(K)
    if condition == "C7":
        return min(1.0 / (2.0 * ln_K), 1.0)
    if gamma is None:
        raise ValueError(f"gamma (> 0) is needed for condition {condition!r}")
    gamma = check_positive("gamma", gamma)
    ln_g = np.log(gamma)
    if condition == "23":
        if z is not None:
            z = check_positive("z", z)
            if np.ndim(z) != 0:
                raise ValueError(f"z must be a single real number > 0 here; got an array of shape {np.shape(z)}")
        with np.errstate(over="ignore"):
            edge = 1.0 + ln_g / ln_K
        ok = ln_g < -math.log(z) if z is not None else True
        return scalar_or_array(np.where(ok, np.minimum(edge, 1.0), 1.0))
    for name, v in (("N", N), ("s", s)):
        if v is None:
            raise ValueError(f"{name} is needed for condition 'C6'")
    N = check_positive_int("N", N)
    s = check_unit_interval("s", s)
    d = check_dimension(d)
    check_broadcast(gamma=gamma, s=s)
    first = 2 * ln_g + np.log(s * N) + d * math.log(d) < 0
    with np.errstate(over="ignore", under="ignore"):
        lower = -_ln_gsN(gamma, s, N) / (N * ln_K)
    return scalar_or_array(np.where(first, np.minimum(lower, 1.0), 1.0))


@dataclass(frozen=True, eq=False)
class Validity:
    """Which validity conditions hold, point by point: the one classification of the package.

    Returned by :func:`classify` and carried by the results of the solvers,
    so that callers test conditions by name instead of parsing warning text.

    Attributes
    ----------
    holds : mapping of str to bool or ndarray of bool
        For each condition checked (keys of :data:`CONDITIONS`, in the order
        ``23, 24, 26, 27, C6, C7``), ``True`` where it holds.  Python bools
        for scalar input, boolean arrays (the broadcast shape) otherwise.
    """

    holds: Mapping[str, object]

    def __post_init__(self):
        object.__setattr__(self, "holds", dict(self.holds))

    def __getitem__(self, name):
        return self.holds[name]

    def __eq__(self, other):
        if not isinstance(other, Validity):
            return NotImplemented
        return list(self.holds) == list(other.holds) and all(
            np.array_equal(self.holds[k], other.holds[k]) for k in self.holds)

    __hash__ = None

    def __contains__(self, name):
        return name in self.holds

    @property
    def ok(self):
        """True where every checked condition holds (bool or boolean array)."""
        if not self.holds:
            return True
        arr = np.logical_and.reduce(np.broadcast_arrays(*[np.asarray(v) for v in self.holds.values()]))
        return bool(arr) if arr.ndim == 0 else arr

    def counts(self):
        """``{name: number of points where it fails}`` for the conditions that fail somewhere."""
        bad = {name: int(np.count_nonzero(~np.asarray(ok))) for name, ok in self.holds.items()}
        return {k: v for k, v in bad.items() if v}

    def violated(self):
        """Names of the conditions that fail at some point, in the order of :data:`CONDITIONS`."""
        return list(self.counts())


def classify(
    *,
    gamma,
    K,
    N,
    s=None,
    d=1,
    eps=None,
    Xi=None,
    ln_Gamma=None,
    Gamma=None,
    z=None,
    saddle_point=False,
    conditions=None,
):
    """Which validity conditions of the mean-field theory hold: a :class:`Validity`.

    Parameters
    ----------
    gamma, K, N, d, eps, Xi, z
        As in the individual ``condition_*`` functions (energies in units of
        :math:`\\delta_m`).
    s : float, optional
        Entropy per degree of freedom; needed only for ``"C6"``.
    ln_Gamma, Gamma : float or array_like, optional
        The linewidth (at most one of them).  Without it the linewidth
        conditions ``"26"`` and ``"27"`` are not checked.  A non-finite
        ``ln_Gamma`` (``-inf``: a localized point) counts as holding them
        (nothing to check).
    saddle_point : bool
        Also check ``"C6"`` and ``"C7"`` (validity of the saddle-point
        solution C5, not of the mean-field equations themselves).
    conditions : sequence of str, optional
        Check only these (a subset of ``23, 24, 26, 27, C6, C7``); by
        default ``23`` and ``24``, ``26`` and ``27`` when a linewidth is
        given, and ``C6``, ``C7`` with ``saddle_point``.

    Returns
    -------
    Validity
        ``.holds[name]`` per condition, ``.ok``, ``.violated()``, ``.counts()``.

    Raises :class:`ValueError` for bad input (see the module's contract;
    ``s`` is validated whenever it is given).
    """
    has_width = ln_Gamma is not None or Gamma is not None
    default = ["23", "24"] + (["26", "27"] if has_width else []) + (["C6", "C7"] if saddle_point else [])
    wanted = list(default if conditions is None else conditions)
    unknown = [c for c in wanted if c not in ("23", "24", "26", "27", "C6", "C7")]
    if unknown:
        raise ValueError(f"conditions must be among '23', '24', '26', '27', 'C6', 'C7'; got {unknown}")
    if s is not None:
        check_unit_interval("s", s)
    holds = {}
    if "23" in wanted:
        holds["23"] = condition_23(gamma=gamma, K=K, eps=eps, Xi=Xi, z=z)
    if "24" in wanted:
        holds["24"] = condition_24(gamma=gamma, K=K, N=N, z=1.0 if z is None else z)
    if "26" in wanted or "27" in wanted:
        if not has_width:
            raise ValueError("conditions 26 and 27 need the linewidth: give ln_Gamma or Gamma")
        lnG = np.asarray(resolve_ln_rate(Gamma, ln_Gamma, ln_name="ln_Gamma"), dtype=float)
        finite = np.isfinite(lnG)
        lnG_safe = np.where(finite, lnG, 0.0)
        for name, cond in (("26", lambda: condition_26(gamma=gamma, d=d, ln_Gamma=lnG_safe)),
                           ("27", lambda: condition_27(gamma=gamma, K=K, N=N, ln_Gamma=lnG_safe))):
            if name in wanted:
                val = np.asarray(cond()) | ~finite
                holds[name] = bool(val) if val.ndim == 0 else val
    if "C6" in wanted:
        if s is None:
            raise ValueError("s (entropy per degree of freedom, in (0, 1]) is needed for C6")
        holds["C6"] = condition_C6(gamma=gamma, K=K, N=N, s=s, d=d, eps=eps, Xi=Xi)
    if "C7" in wanted:
        holds["C7"] = condition_C7(K=K, eps=eps, Xi=Xi)
    return Validity(holds)


def mean_field_violations(
    *,
    gamma,
    K,
    N,
    s=None,
    d=1,
    eps=None,
    Xi=None,
    ln_Gamma=None,
    Gamma=None,
    z=None,
    saddle_point=False,
    counts=False,
):
    """Names of the validity conditions that fail.

    Parameters
    ----------
    gamma, K, N, d, eps, Xi, z
        As in the individual ``condition_*`` functions (energies in units of
        :math:`\\delta_m`).
    s : float, optional
        Entropy per degree of freedom; needed only with ``saddle_point=True``.
    ln_Gamma, Gamma : float or array_like, optional
        The linewidth (at most one of them).  Without it only the parameter
        conditions ``"23"`` and ``"24"`` are checked.  ``ln_Gamma = -inf``
        (a localized point) is not checked against Eqs. 26-27.
    saddle_point : bool
        Also check ``"C6"`` and ``"C7"`` (validity of the saddle-point
        solution C5, not of the mean-field equations themselves).
    counts : bool
        Return ``{name: number of violating points}`` instead of a list.

    Returns
    -------
    list of str or dict
        Condition names (keys of :data:`CONDITIONS`) in the order
        ``23, 24, 26, 27, C6, C7``; for array input a condition is listed if
        it fails at any point.

    Raises :class:`ValueError` for bad input (see the module's contract;
    ``s`` is validated whenever it is given).
    """
    v = classify(gamma=gamma, K=K, N=N, s=s, d=d, eps=eps, Xi=Xi, ln_Gamma=ln_Gamma, Gamma=Gamma,
                 z=z, saddle_point=saddle_point)
    return v.counts() if counts else v.violated()


# Names before version 0.2 (one spelling per symbol, CHANGELOG.md): still served, with a
# DeprecationWarning.
__getattr__ = module_getattr(__name__, globals(), {'ln_gamma_floor_27': 'ln_Gamma_floor_27'})
