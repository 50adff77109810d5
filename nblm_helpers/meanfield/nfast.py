"""Eq. (20): the number of fast neighbours n_fast(t) and the bath lineshape of Eq. (17).

:func:`_ln_n_unsat` is the one implementation of Eq. (20) (both readings); the ln F model, the
F0 boundary sums and the public :func:`ln_n_fast`, :func:`n_fast` and :func:`bath_lineshape` use it.
"""

from __future__ import annotations

import math

import numpy as np

from ..parameters import (
    check_branching,
    check_broadcast,
    check_choice,
    check_dimension,
    check_positive,
    check_positive_int,
    check_real,
    check_scalar,
    check_unit_interval,
    scalar_or_array,
)
from ._checks import NFAST_READINGS


def _ln_n_unsat(L, lnsN, d, literal):
    """ln n_fast of Eq. (20) below saturation, from ``L = ln(gamma t)``.

    Literal reading: 1 for ``gamma t <= 1`` (the first branch includes the
    tie gamma t = 1), else ``s N ln^d(gamma t)``.  Continuous reading:
    ``max(1, s N ln_+^d(gamma t))``.  ``L`` and ``lnsN`` broadcast.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        v = np.where(L > 0, lnsN + d * np.log(np.where(L > 0, L, 1.0)), -np.inf)
    return np.where(L <= 0, 0.0, v) if literal else np.maximum(0.0, v)


def ln_n_fast(ln_t, *, gamma, ln_Gamma, s, N, d=1, nfast="literal"):
    """:math:`\\ln n_{\\rm fast}(t)` of Eq. (20) from :math:`\\ln t` and :math:`\\ln\\Gamma`.

    Underflow-safe version of :func:`n_fast` (same tie convention: the
    first branch of Eq. 20 includes :math:`\\gamma t = 1`).
    ``ln_t`` and ``ln_Gamma`` broadcast; ``ln_Gamma < ln(gamma)`` is required.

    Validity
    --------
    ``ValueError`` for ``ln_Gamma >= ln(gamma)`` (outside Eq. 20), bad
    parameters or shapes that do not broadcast; never warns.
    """
    nfast = check_choice("nfast", nfast, NFAST_READINGS)
    gamma = float(check_positive("gamma", gamma))
    s = float(check_unit_interval("s", s))
    N = check_positive_int("N", N)
    d = check_dimension(d)
    lt = np.asarray(check_real("ln_t", ln_t), dtype=float)
    lG = np.asarray(check_real("ln_Gamma", ln_Gamma), dtype=float)
    a = math.log(gamma)
    if np.any(lG >= a):
        raise ValueError(
            f"ln_Gamma must be < ln(gamma) = {a:g} (Eq. 20 holds for Gamma < gamma); got {ln_Gamma!r}"
        )
    check_broadcast(ln_t=lt, ln_Gamma=lG)
    lt, lG = np.broadcast_arrays(lt, lG)
    lnsN = math.log(s * N)
    # gamma t below saturation (t < 1/Gamma), gamma/Gamma at and above it
    L = np.where(lt < -lG, a + lt, a - lG)
    out = _ln_n_unsat(L, lnsN, d, nfast == "literal")
    return scalar_or_array(out)


def n_fast(t, *, gamma, Gamma, s, N, d=1, nfast="literal"):
    """Number of fast neighbours :math:`n_{\\rm fast}(t)`, Eq. (20) (:math:`\\delta_m=1`).

    ``nfast="literal"`` (the three printed branches, with ``<<`` read as
    sharp thresholds):

    * :math:`1` for :math:`\\gamma t \\le 1` (the first branch includes the tie
      :math:`\\gamma t = 1`, where the second would give :math:`sN\\ln^d 1 = 0`;
      one convention in every helper and chapter);
    * :math:`s N \\ln^d(\\gamma t)` for :math:`1 < \\gamma t` and :math:`t < 1/\\Gamma`
      (just above :math:`\\gamma t = 1` this is below 1: a jump down);
    * :math:`s N \\ln^d(\\gamma/\\Gamma)` for :math:`t \\ge 1/\\Gamma` (tends to 0 as
      :math:`\\Gamma\\to\\gamma`).

    ``nfast="continuous"``:
    :math:`\\max(1, sN\\,[\\ln(\\gamma\\min(t, 1/\\Gamma))]_+^d)` (the positive part
    keeps even ``d`` from turning :math:`\\gamma t < 1` into a large value).

    Parameters
    ----------
    t : float or array_like
        Time in units of :math:`1/\\delta_m`, ``> 0``.
    gamma : float
        :math:`\\gamma/\\delta_m > 0`.
    Gamma : float or array_like
        Linewidth, ``0 < Gamma < gamma`` (the domain of Eq. 20).
    s, N, d, nfast
        Entropy per level, number of levels, dimension, reading.

    Returns
    -------
    float or numpy.ndarray
        Broadcast over ``t`` and ``Gamma``.

    Validity
    --------
    Eq. (20) is defined for :math:`0 < \\Gamma < \\gamma`; outside it raises
    ``ValueError`` naming ``Gamma`` (and shapes that do not broadcast).  Never
    warns; huge values stay finite (computed via :func:`ln_n_fast`).
    """
    t = check_positive("t", t)
    Gamma = check_positive("Gamma", Gamma)
    check_broadcast(t=t, Gamma=Gamma)
    with np.errstate(divide="ignore"):
        ln_Gamma = np.log(Gamma)
    gamma_v = float(check_positive("gamma", gamma))
    if np.any(np.asarray(Gamma) >= gamma_v):
        raise ValueError(f"Gamma must be < gamma = {gamma_v:g} (Eq. 20's domain); got {Gamma!r}")
    out = np.exp(
        np.asarray(ln_n_fast(np.log(t), gamma=gamma, ln_Gamma=ln_Gamma, s=s, N=N, d=d, nfast=nfast))
    )
    return scalar_or_array(out)


def bath_lineshape(omega, *, Gamma, gamma, s, N, d=1, nfast="literal"):
    """Lineshape :math:`S_\\Gamma(\\omega)` of a typical line of the bath, Eq. (17).

    .. math::
        S_\\Gamma(\\omega) = \\frac{\\Gamma\\, n_{\\rm fast}(1/\\omega)}
        {\\omega^2 + [\\Gamma\\, n_{\\rm fast}(1/\\omega)]^2},

    with :math:`n_{\\rm fast}` of Eq. (20) (:func:`n_fast`).  The Golden rule
    Eq. (18), :math:`\\Gamma = \\gamma^2\\sum_{n,p} S_\\Gamma(\\delta E_{n,p})
    e^{-2(n+p)/\\Xi}` with :math:`\\delta E_{n,p} = \\delta_m K^{-(n+p)}`, is
    Eq. (19); ``tests/test_meanfield.py`` checks that identity against
    :func:`self_consistency_ratio`.

    Parameters
    ----------
    omega : float or array_like
        Detuning :math:`\\omega > 0` in units of :math:`\\delta_m`.
    Gamma : float
        Assumed typical rate, ``0 < Gamma < gamma``.
    gamma, s, N, d, nfast
        As in :func:`n_fast`.

    Returns
    -------
    float or numpy.ndarray
        :math:`S_\\Gamma(\\omega)` in units of :math:`1/\\delta_m`; same shape as
        ``omega``.  With :math:`n_{\\rm fast} = 1` it is the Lorentzian
        :math:`\\Gamma/(\\omega^2+\\Gamma^2)` (half width :math:`\\Gamma`).

    Validity
    --------
    Raises ``ValueError`` for ``omega <= 0`` or outside Eq. (20)'s domain
    (``Gamma >= gamma``); never warns.  Computed in logs; ``inf`` only where
    the value itself exceeds the float range.
    """
    omega = check_real("omega", omega, lo=0.0)
    Gamma = check_scalar(check_positive, "Gamma", Gamma)
    lw = np.log(np.asarray(omega, dtype=float))
    ln_n_fast(-lw, gamma=gamma, ln_Gamma=math.log(Gamma), s=s, N=N, d=d, nfast=nfast)  # validates (Eq. 20's domain)
    with np.errstate(over="ignore", under="ignore"):
        out = np.exp(_ln_lineshape(lw, math.log(Gamma), math.log(float(gamma)), math.log(float(s) * int(N)), int(d),
                                   nfast == "literal"))
    return scalar_or_array(out)


def _ln_lineshape(ln_omega, ln_Gamma, a, lnsN, d, literal):
    """:math:`\\ln S_\\Gamma(\\omega)` of Eq. (17), elementwise; the one implementation of Eq. (17).

    ``ln_omega`` and ``ln_Gamma`` broadcast (``ln_Gamma = -inf``: a line of zero width, ``-inf``);
    ``a = ln gamma``, ``lnsN = ln(s N)``.  :math:`n_{\\rm fast}(1/\\omega)` of Eq. (20) saturates at
    :math:`t = 1/\\omega \\ge 1/\\Gamma`; no domain check (``ln_Gamma >= a`` gives ``n_fast = 1`` in
    both readings).  :func:`bath_lineshape` and :mod:`nblm_helpers.population.dots` use it.
    """
    with np.errstate(invalid="ignore"):
        lt = -ln_omega
        # gamma t below saturation (t < 1/Gamma), gamma/Gamma at and above it (as in ln_n_fast)
        L = np.where(lt < -ln_Gamma, a + lt, a - ln_Gamma)
        # in logs: width = Gamma n_fast(1/omega) and 1/omega may leave the float range
        l_width = ln_Gamma + _ln_n_unsat(L, lnsN, d, literal)
        # width / (omega^2 + width^2) = e^(l_width - 2 hi) / (1 + e^(2 (lo - hi)))
        hi, lo = np.maximum(ln_omega, l_width), np.minimum(ln_omega, l_width)
        return l_width - 2.0 * hi - np.log1p(np.exp(2.0 * (lo - hi)))


def e1_N0(*, gamma, K, N, s, d=1):
    """:math:`N_0` of Eq. (E1): the order :math:`m = n + p` at which :math:`sN\\ln^d(\\gamma K^m) = 1`.

    Eq. (E1) (App. E) takes :math:`n_{\\rm fast} = 1` for :math:`n + p < N_0` and
    :math:`sN\\ln^d(\\gamma K^{n+p})` for :math:`n + p > N_0`; the two forms meet at

    .. math:: N_0 = \\frac{(sN)^{-1/d} + \\ln(1/\\gamma)}{\\ln K},

    which for :math:`d = 1` is the printed :math:`N_0 = (1 + sN\\ln(1/\\gamma))/(sN\\ln K)`
    (energies in units of :math:`\\delta_m`).  Below :math:`N_0` the term of E1 is
    :math:`\\max(1, sN\\ln_+^d(\\gamma K^m)) = 1`, above it :math:`sN\\ln^d(\\gamma K^m) > 1`;
    see :func:`~nblm_helpers.meanfield.solve_linewidth` (``equation="E1"``).

    Parameters
    ----------
    gamma : float or array_like
        :math:`\\gamma/\\delta_m > 0`.
    K : float
        Branching number, ``K > 1``.
    N : int
        Levels per dot, ``>= 1``.
    s : float or array_like
        Entropy per level in ``(0, 1]`` (broadcast against ``gamma``).
    d : int
        Spatial dimension, ``>= 1``.

    Returns
    -------
    float or numpy.ndarray
        :math:`N_0` (may be below 2, or negative for :math:`\\gamma > 1`: then every
        order of E1 has :math:`n_{\\rm fast} > 1`).

    Validity
    --------
    Never warns.  ``ValueError`` for bad parameters or shapes that do not
    broadcast; ``inf`` where :math:`(sN)^{-1/d}` exceeds the float range
    (:math:`sN \\lesssim 10^{-308}`, i.e. :math:`n_{\\rm fast} = 1` at every order).
    """
    g = check_positive("gamma", gamma)
    K = float(check_branching("K", K))
    N = check_positive_int("N", N)
    s = check_unit_interval("s", s)
    d = check_dimension(d)
    check_broadcast(gamma=g, s=s)
    with np.errstate(over="ignore"):
        out = (np.exp(-np.log(np.asarray(s, dtype=float) * N) / d) - np.log(g)) / math.log(K)
    return scalar_or_array(out)
