"""Collective relaxation on Gaussian and Lorentzian baths (Appendix A, Eqs. A1-A5).

Gopalakrishnan & Nandkishore, PRB 90, 224203 (2014), Appendix A.  A
rearrangement at Fock-space order :math:`m` (:math:`m = n^d` l-bits in
Sec. II, :math:`m = n` steps on the Cayley tree of Sec. IV) has

* a squared matrix element :math:`\\gamma^2 e^{-2m/\\Xi}`,
* a typical detuning :math:`\\delta E_m = \\Delta e^{-\\kappa m}` with
  :math:`\\kappa = s(T)` (Eq. A1) or :math:`\\kappa = \\ln K` (Eq. A3),

and the Golden rule gives :math:`\\Gamma_m = \\gamma^2 e^{-2m/\\Xi}\\,N(\\delta E_m)`
for a bath density of states :math:`N(E)`.  The paper's spectra (without
normalisation constants, as printed) are

============  ==========================================  ==========
``spectrum``  :math:`N(E)`                                 equation
============  ==========================================  ==========
"box"         :math:`1/W` for :math:`|E| \\le W/2`, else 0  Sec. II B
"gaussian"    :math:`e^{-(E/W)^2}/W`                       (A1)
"lorentzian"  :math:`W/(E^2 + W^2)`                        (A3)
============  ==========================================  ==========

and a Lorentzian may be cut off hard at :math:`|E| = \\Lambda` (end of App. A).

Units and conventions
---------------------
* Energies in units of :math:`\\Delta` (:math:`\\delta_m` for the Cayley
  tree): ``W`` means :math:`W/\\Delta \\in (0, 1)`, ``gamma`` means
  :math:`\\gamma/\\Delta \\in (0, 1)`, ``cutoff`` means :math:`\\Lambda/\\Delta \\in (0, 1)`.
* ``m`` (or ``n``) is a continuous order :math:`\\ge 0`; the steepest-descent
  results are continuous too.  :func:`optimal_integer_order` maximises over
  integers.
* Rates underflow: every function returns :math:`\\ln(\\Gamma/\\Delta)`, with
  ``-inf`` where the bath has no weight (box edge, hard cutoff).

Readings (see the errata page)
------------------------------
``form`` of :func:`gaussian_optimal_volume`: ``"derived"`` is the stationary
point of (A1), :math:`\\hat m = \\frac{1}{2\\kappa}\\ln\\frac{\\Xi\\kappa}{W^2}`;
``"printed"`` is Eq. (A2), with :math:`\\Xi\\kappa/2` in the logarithm.

``convention`` of the Gaussian functions: ``"A1"`` takes the matrix element
as printed in (A1), :math:`e^{-n^d/\\Xi}`; ``"eq7"`` takes it from the text
above Eq. (7), :math:`e^{-s n^d/\\Xi}` (i.e. :math:`\\Xi \\to \\Xi/s`).  They
agree at :math:`s = 1`.

Regime of the formulas (Validity)
---------------------------------
One :class:`~nblm_helpers.parameters.ValidityWarning` per call when

* :math:`\\gamma \\ge W` (the rate helpers :func:`ln_rate_order`,
  :func:`ln_rate_gaussian`, :func:`ln_rate_lorentzian`,
  :func:`ln_rate_gaussian_optimum`, :func:`ln_rate_lorentzian_optimum`):
  Eqs. (A1), (A3) are Golden-rule rates, which Sec. II A assumes by
  :math:`\\gamma \\ll W`;
* the stationary point of (A1) is negative, :math:`\\hat m < 0`
  (:func:`gaussian_optimal_volume`, :func:`gaussian_optimal_size`,
  :func:`ln_rate_gaussian_optimum`): the rate then falls from :math:`m = 0`
  on and Eq. (A2) is not an optimum (:func:`gaussian_optimal_size` returns the
  constrained optimum :math:`\\hat n = 0` there).

(A4)-(A5) need :math:`\\Xi\\ln K > 1` and raise :class:`ValueError`
otherwise, as before.

Ranges and resources
--------------------
No result contains NaN or ``+inf``; ``-inf`` only where the bath has no
weight (box edge, hard cutoff).  A logarithm beyond the float range (e.g. a
Gaussian tail :math:`-(E/W)^2` with :math:`|E|/W > 10^{154}`, or
:math:`2m/\\Xi` with :math:`\\Xi \\to 0`) raises :class:`ValueError` naming
the parameters; array arguments must broadcast to at most :data:`~nblm_helpers.parameters.MAX_ARRAY_SIZE`
points, and :func:`optimal_integer_order` evaluates at most that many
(order, ``W``) pairs.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import expit

from ._roots import brentq_or_bisect
from .parameters import (
    ValidityWarning,
    check_branching,
    check_broadcast,
    check_choice,
    check_dimension,
    check_open_unit,
    check_positive,
    check_real,
    check_scalar,
    check_unit_interval,
    scalar_or_array,
)
from .validity import golden_rule_message

__all__ = [
    "SPECTRA",
    "GAUSSIAN_FORMS",
    "CONVENTIONS",
    "ln_bath_dos",
    "ln_rate_order",
    "d_ln_rate_order",
    "ln_rate_gaussian",
    "gaussian_optimal_volume",
    "gaussian_optimal_size",
    "ln_rate_gaussian_optimum",
    "ln_rate_lorentzian",
    "lorentzian_condition",
    "lorentzian_optimal_order",
    "ln_rate_lorentzian_optimum",
    "lowest_order",
    "optimal_order",
    "numerical_optimal_order",
    "optimal_integer_order",
]

#: The bath spectra of Sec. II B and Appendix A.
SPECTRA = ("box", "gaussian", "lorentzian")
#: Readings of Eq. (A2).
GAUSSIAN_FORMS = ("derived", "printed")
#: Matrix-element conventions for the Gaussian bath.
CONVENTIONS = ("A1", "eq7")





def _check_order(name, m):
    return check_real(name, m, lo=0.0, lo_open=False)


def _check_cutoff(cutoff):
    if cutoff is None:
        return None
    return check_real("cutoff", cutoff, lo=0.0, hi=1.0)




def _no_overflow(out, what, names, allow_neg_inf=None):
    """``out`` must be finite, except -inf where ``allow_neg_inf`` (a mask) is True; else ValueError."""
    arr = np.asarray(out, dtype=float)
    bad = ~np.isfinite(arr)
    if allow_neg_inf is not None:
        bad &= ~(np.broadcast_to(allow_neg_inf, arr.shape) & (arr == -np.inf))
    if np.any(bad):
        raise ValueError(f"{names}: {what} is beyond the float range for these values")
    return out


def _warn(msgs, stacklevel=3):
    msgs = [m for m in msgs if m]
    if msgs:
        warnings.warn("outside the regime of App. A: " + "; ".join(msgs), ValidityWarning, stacklevel=stacklevel)


def _premise_msg(gamma, W):
    return golden_rule_message(gamma, W, rates="(A1)/(A3)")


def _negative_optimum_msg(m_hat):
    bad = int(np.count_nonzero(np.asarray(m_hat) < 0))
    if bad:
        return (f"the stationary point of (A1) is negative (m_hat < 0) at {bad} of {np.size(m_hat)} point(s): the "
                "rate falls from m = 0 on (Xi s < W^2), so (A2) is not an optimum there")
    return None

def ln_bath_dos(E, W, *, spectrum, cutoff=None):
    """:math:`\\ln N(E)` of the bath spectra of Sec. II B and App. A (units of :math:`1/\\Delta`).

    Parameters
    ----------
    E : float or array_like
        Energy transferred to the bath, any real number (units of :math:`\\Delta`).
    W : float or array_like
        Bandwidth :math:`W/\\Delta \\in (0, 1)`.
    spectrum : {"box", "gaussian", "lorentzian"}
        See the module docstring.
    cutoff : float, optional
        Hard cutoff :math:`\\Lambda/\\Delta \\in (0, 1)` of the spectrum
        (any spectrum; the paper uses it for the Lorentzian).

    Returns
    -------
    float or numpy.ndarray
        :math:`\\ln N(E)`; ``-inf`` where :math:`N = 0` (box edge, beyond the
        cutoff) and nowhere else.

    Validity
    --------
    A definition: never warns.

    Raises
    ------
    ValueError
        For out-of-range parameters, shapes that do not broadcast, or a
        Gaussian tail :math:`-(E/W)^2` beyond the float range
        (:math:`|E|/W > 1.3\\times 10^{154}`).
    """
    check_choice("spectrum", spectrum, SPECTRA)
    E = np.abs(np.asarray(check_real("E", E), dtype=float))
    W = np.asarray(check_open_unit("W", W), dtype=float)
    cutoff = _check_cutoff(cutoff)
    check_broadcast(E=E, W=W, cutoff=0.0 if cutoff is None else cutoff)
    return scalar_or_array(_ln_bath_dos(E, W, spectrum, cutoff))


def _ln_bath_dos(E, W, spectrum, cutoff):
    with np.errstate(over="ignore"):
        if spectrum == "box":
            out = np.where(E <= W / 2, -np.log(W), -np.inf)
        elif spectrum == "gaussian":
            out = -((E / W) ** 2) - np.log(W)
            _no_overflow(out, "the Gaussian tail ln N = -(E/W)^2 - ln W", "E, W")
        else:  # W/(E^2 + W^2) = (1/W) / ((E/W)^2 + 1)
            ratio = np.maximum(E, 1e-300) / W
            if np.all(np.isfinite(ratio)):
                out = -np.log(W) - np.logaddexp(2 * np.log(ratio), 0.0)
            else:   # E/W beyond the float range: its logarithm as a difference
                out = -np.log(W) - np.logaddexp(2 * (np.log(np.maximum(E, 1e-300)) - np.log(W)), 0.0)
    if cutoff is not None:
        out = np.where(E <= cutoff, out, -np.inf)
    return out


def ln_rate_order(m, gamma, W, *, Xi, kappa, spectrum, cutoff=None):
    """:math:`\\ln\\Gamma_m = \\ln[\\gamma^2 e^{-2m/\\Xi} N(\\Delta e^{-\\kappa m})]`, the rate of order ``m``.

    With ``spectrum="gaussian"`` and :math:`\\kappa = s` this is Eq. (A1) for
    :math:`m = n^d`; with ``"lorentzian"`` and :math:`\\kappa = \\ln K` it is
    Eq. (A3) for :math:`m = n`.

    Parameters
    ----------
    m : float or array_like
        Order of the process (number of l-bits flipped / Fock-space steps), :math:`\\ge 0`.
    gamma : float or array_like
        :math:`\\gamma/\\Delta \\in (0, 1)`.
    W : float or array_like
        :math:`W/\\Delta \\in (0, 1)`.
    Xi : float
        Fock-space localization length :math:`\\Xi > 0` (per unit of ``m``).
    kappa : float
        Decay rate of the detuning with the order, :math:`\\kappa > 0`.
    spectrum : {"box", "gaussian", "lorentzian"}
    cutoff : float, optional
        Hard cutoff :math:`\\Lambda/\\Delta` of the bath spectrum.

    Returns
    -------
    float or numpy.ndarray
        :math:`\\ln(\\Gamma_m/\\Delta)`, broadcast over ``m``, ``gamma``, ``W``;
        ``-inf`` only where the bath has no weight.

    Validity
    --------
    Warns where :math:`\\gamma \\ge W` (module docstring).

    Raises
    ------
    ValueError
        As :func:`ln_bath_dos`; for shapes that do not broadcast; or if
        :math:`2m/\\Xi` (or the Gaussian tail) is beyond the float range.
    """
    check_choice("spectrum", spectrum, SPECTRA)
    m = np.asarray(_check_order("m", m), dtype=float)
    gamma = check_open_unit("gamma", gamma)
    W = check_open_unit("W", W)
    Xi = check_positive("Xi", Xi)
    kappa = check_positive("kappa", kappa)
    cutoff = _check_cutoff(cutoff)
    check_broadcast(m=m, gamma=gamma, W=W, Xi=Xi, kappa=kappa, cutoff=0.0 if cutoff is None else cutoff)
    out = _ln_rate_order(m, gamma, W, Xi, kappa, spectrum, cutoff)
    _warn([_premise_msg(gamma, W)])
    return scalar_or_array(out)


def _ln_rate_order(m, gamma, W, Xi, kappa, spectrum, cutoff):
    with np.errstate(over="ignore"):
        E = np.exp(-kappa * m)
        dos = _ln_bath_dos(E, np.asarray(W, dtype=float), spectrum, cutoff)
        term = 2 * m / Xi
        if not np.all(np.isfinite(term)):          # 2 m alone may overflow where 2 m/Xi does not
            term = np.where(np.isfinite(term), term, 2 * (m / Xi))
        out = 2 * np.log(gamma) - term + dos
    return _no_overflow(out, "ln Gamma_m = ln gamma^2 - 2m/Xi + ln N", "m, Xi", allow_neg_inf=dos == -np.inf)


def d_ln_rate_order(m, W, *, Xi, kappa, spectrum):
    """:math:`\\partial_m \\ln\\Gamma_m` for the smooth spectra (Gaussian, Lorentzian), no cutoff.

    Gaussian: :math:`-2/\\Xi + 2\\kappa y`; Lorentzian: :math:`-2/\\Xi + 2\\kappa\\,y/(1+y)`;
    with :math:`y = (\\Delta/W)^2 e^{-2\\kappa m}`.  Its zero is the steepest-descent order.

    Returns
    -------
    float or numpy.ndarray

    Validity
    --------
    Never warns.  Raises :class:`ValueError` for out-of-range parameters,
    shapes that do not broadcast, or a derivative beyond the float range.
    """
    check_choice("spectrum", spectrum, ("gaussian", "lorentzian"))
    m = np.asarray(_check_order("m", m), dtype=float)
    W = check_open_unit("W", W)
    Xi = check_positive("Xi", Xi)
    kappa = check_positive("kappa", kappa)
    check_broadcast(m=m, W=W, Xi=Xi, kappa=kappa)
    return scalar_or_array(_d_ln_rate_order(m, W, Xi, kappa, spectrum))


def _d_ln_rate_order(m, W, Xi, kappa, spectrum):
    with np.errstate(over="ignore", invalid="ignore"):
        ln_y = -2 * np.log(W) - 2 * kappa * m
        tail = np.exp(ln_y) if spectrum == "gaussian" else expit(ln_y)
        out = -2 / Xi + 2 * kappa * tail
    return _no_overflow(out, "d ln Gamma_m/dm = -2/Xi + 2 kappa y", "m, W, Xi, kappa")


# -- Gaussian bath, Eqs. (A1)-(A2) -------------------------------------------------
def _xi_fock(Xi, s, convention):
    check_choice("convention", convention, CONVENTIONS)
    Xi = check_positive("Xi", Xi)
    s = check_unit_interval("s", s)
    with np.errstate(over="ignore"):
        out = Xi if convention == "A1" else Xi / s
    return _no_overflow(out, "Xi/s (convention 'eq7')", "Xi, s")


def ln_rate_gaussian(n, gamma, W, *, Xi, s, d, convention="A1"):
    """Eq. (A1): :math:`\\ln\\Gamma_n = \\ln(\\gamma^2/W) - 2n^d/\\Xi - (\\Delta/W)^2 e^{-2s n^d}`.

    Parameters
    ----------
    n : float or array_like
        Linear size of the rearranged block, :math:`n \\ge 0`.
    gamma, W : float or array_like
        :math:`\\gamma/\\Delta`, :math:`W/\\Delta` in :math:`(0, 1)`.
    Xi : float
        Fock-space localization length.
    s : float
        Entropy per l-bit :math:`(0, 1]`.
    d : int
        Spatial dimension.
    convention : {"A1", "eq7"}
        Matrix element :math:`e^{-n^d/\\Xi}` (A1) or :math:`e^{-sn^d/\\Xi}` (Eq. 7).

    Returns
    -------
    float or numpy.ndarray

    Validity
    --------
    Warns where :math:`\\gamma \\ge W` (module docstring).

    Raises
    ------
    ValueError
        As :func:`ln_rate_order`, and if :math:`n^d` is beyond the float range.
    """
    n = _check_order("n", n)
    d = check_dimension(d)
    xi_f = _xi_fock(Xi, s, convention)
    with np.errstate(over="ignore"):
        m = np.asarray(n) ** d
    _no_overflow(m, "the volume n^d", "n, d")
    return _checked_rate(m, gamma, W, xi_f, s, "gaussian")


def _ln_xs(xi_f, s, c):
    """ln(xi_f s / c), also where the product leaves the float range."""
    with np.errstate(over="ignore", under="ignore"):
        prod = xi_f * s / c
    if np.all((np.asarray(prod) > 0) & np.isfinite(prod)):
        return np.log(prod)
    return np.log(xi_f) + np.log(s) - math.log(c)


def _optimal_volume(W, xi_f, s, c):
    with np.errstate(over="ignore"):
        out = (_ln_xs(xi_f, s, c) - 2 * np.log(W)) / (2 * s)
    return _no_overflow(out, "the optimal volume (A2) (ln(Xi s/W^2)/(2s))", "s, W, Xi")


def gaussian_optimal_volume(W, *, Xi, s, form="derived", convention="A1"):
    """Steepest-descent order :math:`\\hat m = \\hat n^d` of the Gaussian bath, Eq. (A2).

    ``"derived"``: :math:`\\hat m = \\frac{1}{2s}\\ln\\frac{\\Delta^2\\,\\Xi s}{W^2}`
    (the zero of :func:`d_ln_rate_order`); ``"printed"``: Eq. (A2),
    :math:`\\frac{1}{2s}\\ln\\big(\\frac{\\Delta^2}{W^2}\\frac{\\Xi s}{2}\\big)`.
    With ``convention="eq7"``, :math:`\\Xi \\to \\Xi/s`.

    Returns
    -------
    float or numpy.ndarray
        :math:`\\hat m`; it is a maximum of (A1) (which is concave in :math:`m`)
        and lies in :math:`m > 0` when :math:`\\Xi s > W^2` (``derived``).

    Validity
    --------
    Warns where :math:`\\hat m < 0` (no optimum at :math:`m > 0`).

    Raises
    ------
    ValueError
        For out-of-range parameters, shapes that do not broadcast, or
        :math:`\\hat m` beyond the float range (``s`` near 5e-324).
    """
    check_choice("form", form, GAUSSIAN_FORMS)
    W = check_open_unit("W", W)
    xi_f = _xi_fock(Xi, s, convention)
    s = check_unit_interval("s", s)
    check_broadcast(W=W, Xi=Xi, s=s)
    c = 1.0 if form == "derived" else 2.0
    out = _optimal_volume(W, xi_f, s, c)
    _warn([_negative_optimum_msg(out)])
    return scalar_or_array(out)


def gaussian_optimal_size(W, *, Xi, s, d, form="derived", convention="A1"):
    """:math:`\\hat n = \\hat m^{1/d}` of :func:`gaussian_optimal_volume`, or 0 where :math:`\\hat m < 0`.

    Where the stationary point is negative the rate (A1) decreases from
    :math:`m = 0` on, so the optimum over :math:`n \\ge 0` is :math:`\\hat n = 0`
    (this helper returned ``nan`` there before).

    Validity
    --------
    Warns where :math:`\\hat m < 0` (the value 0 is the constrained optimum,
    not Eq. A2).

    Raises
    ------
    ValueError
        As :func:`gaussian_optimal_volume`.
    """
    d = check_dimension(d)
    check_choice("form", form, GAUSSIAN_FORMS)
    W = check_open_unit("W", W)
    xi_f = _xi_fock(Xi, s, convention)
    s = check_unit_interval("s", s)
    check_broadcast(W=W, Xi=Xi, s=s)
    m = np.asarray(_optimal_volume(W, xi_f, s, 1.0 if form == "derived" else 2.0))
    out = np.where(m >= 0, np.abs(m) ** (1.0 / d), 0.0)
    _warn([_negative_optimum_msg(m)])
    return scalar_or_array(out)


def ln_rate_gaussian_optimum(gamma, W, *, Xi, s, convention="A1"):
    """Closed form of (A1) at the derived optimum (A2).

    .. math:: \\ln\\Gamma = \\ln\\frac{\\gamma^2}{W} + \\frac{2}{s\\Xi'}\\ln\\frac{W}{\\Delta}
              - \\frac{1 + \\ln(s\\Xi')}{s\\Xi'}

    with :math:`\\Xi' = \\Xi` (A1) or :math:`\\Xi/s` (eq7): a power law
    :math:`(W/\\Delta)^{2/(s\\Xi')}` times a constant.  The formula assumes
    :math:`\\hat m \\ge 0`.

    Validity
    --------
    Warns where :math:`\\gamma \\ge W` or :math:`\\hat m < 0` (module docstring).

    Raises
    ------
    ValueError
        For out-of-range parameters, shapes that do not broadcast, or
        :math:`\\ln\\Gamma` beyond the float range (:math:`s\\Xi' \\to 0`).
    """
    gamma = check_open_unit("gamma", gamma)
    W = check_open_unit("W", W)
    xi_f = _xi_fock(Xi, s, convention)
    s = check_unit_interval("s", s)
    check_broadcast(gamma=gamma, W=W, Xi=Xi, s=s)
    with np.errstate(over="ignore", under="ignore"):
        a = s * xi_f
    ln_a = np.log(a) if np.all(np.asarray(a) > 0) else np.log(s) + np.log(xi_f)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        out = 2 * np.log(gamma) - np.log(W) + 2 * np.log(W) / a - (1 + ln_a) / a
    _no_overflow(out, "ln Gamma at the optimum (terms 1/(s Xi'))", "s, Xi")
    m_hat = _optimal_volume(W, xi_f, s, 1.0)
    _warn([_premise_msg(gamma, W), _negative_optimum_msg(m_hat)])
    return scalar_or_array(out)


# -- Lorentzian bath, Eqs. (A3)-(A5) ------------------------------------------------
def ln_rate_lorentzian(n, gamma, W, *, Xi, K, cutoff=None):
    """Eq. (A3): :math:`\\ln\\Gamma_n = \\ln(\\gamma^2/W) - 2n/\\Xi - \\ln[(\\Delta/W)^2 K^{-2n} + 1]`.

    Parameters
    ----------
    n : float or array_like
        Fock-space order, :math:`n \\ge 0`.
    gamma, W : float or array_like
        :math:`\\gamma/\\Delta`, :math:`W/\\Delta` in :math:`(0, 1)`.
    Xi : float
        Fock-space localization length.
    K : float
        Cayley-tree branching :math:`K > 1` (a scalar).
    cutoff : float, optional
        Hard cutoff :math:`\\Lambda/\\Delta` of the Lorentzian wings (``-inf``
        for orders :math:`n < n_0`, :func:`lowest_order`).

    Returns
    -------
    float or numpy.ndarray

    Validity
    --------
    Warns where :math:`\\gamma \\ge W` (module docstring).

    Raises
    ------
    ValueError
        As :func:`ln_rate_order`.
    """
    n = _check_order("n", n)
    K = check_scalar(check_branching, "K", K)
    return _checked_rate(n, gamma, W, Xi, math.log(K), "lorentzian", cutoff)


def _checked_rate(m, gamma, W, Xi, kappa, spectrum, cutoff=None, stacklevel=4):
    """:func:`ln_rate_order` for the wrappers (the warning points at their caller)."""
    m = np.asarray(_check_order("m", m), dtype=float)
    gamma = check_open_unit("gamma", gamma)
    W = check_open_unit("W", W)
    Xi = check_positive("Xi", Xi)
    kappa = check_positive("kappa", kappa)
    cutoff = _check_cutoff(cutoff)
    check_broadcast(m=m, gamma=gamma, W=W, Xi=Xi, kappa=kappa, cutoff=0.0 if cutoff is None else cutoff)
    out = _ln_rate_order(m, gamma, W, Xi, kappa, spectrum, cutoff)
    _warn([_premise_msg(gamma, W)], stacklevel=stacklevel)
    return scalar_or_array(out)


def _check_xi_lnk(Xi, K):
    Xi = check_scalar(check_positive, "Xi", Xi)
    K = check_scalar(check_branching, "K", K)
    return Xi, K, Xi * math.log(K)


def lorentzian_condition(W, *, Xi, K):
    """Right-hand side of Eq. (A4), :math:`e^{-2\\hat n\\ln K} = \\frac{W^2}{\\Delta^2}\\frac{1/\\Xi}{\\ln K - 1/\\Xi}`.

    Validity
    --------
    Never warns (0.0 where :math:`W^2` underflows).

    Raises
    ------
    ValueError
        If :math:`\\Xi\\ln K \\le 1` (no stationary point: the rate falls with ``n``),
        or for out-of-range or non-scalar ``Xi``, ``K``.
    """
    W = check_open_unit("W", W)
    Xi, K, a = _check_xi_lnk(Xi, K)
    if a <= 1:
        raise ValueError(f"Xi*ln(K) must be in (1, inf) for a stationary point; got {a!r}")
    return scalar_or_array(np.asarray(W) ** 2 * (1 / Xi) / (math.log(K) - 1 / Xi))


def _lorentzian_optimal_order(W, Xi, K):
    cond = np.asarray(np.asarray(W) ** 2 * (1 / Xi) / (math.log(K) - 1 / Xi))
    if np.all(cond > 0):
        return -np.log(cond) / (2 * math.log(float(K)))
    # W^2 underflows: ln cond = 2 ln W - ln Xi - ln(ln K - 1/Xi)
    ln_cond = 2 * np.log(W) - math.log(Xi) - math.log(math.log(K) - 1 / Xi)
    return -ln_cond / (2 * math.log(float(K)))


def lorentzian_optimal_order(W, *, Xi, K):
    """Eq. (A5): :math:`\\hat n = \\frac{1}{\\ln K}[\\ln(\\Delta/W) + \\tfrac12\\ln(\\Xi\\ln K - 1)]`.

    The maximum of (A3) over real :math:`n` (it may be negative when
    :math:`\\Xi\\ln K` is close to 1; see :func:`optimal_order`).

    Validity
    --------
    Never warns.

    Raises
    ------
    ValueError
        If :math:`\\Xi\\ln K \\le 1`, or for out-of-range or non-scalar parameters.
    """
    W = check_open_unit("W", W)
    Xi, K, a = _check_xi_lnk(Xi, K)
    if a <= 1:
        raise ValueError(f"Xi*ln(K) must be in (1, inf) for a stationary point; got {a!r}")
    return scalar_or_array(_lorentzian_optimal_order(W, Xi, K))


def ln_rate_lorentzian_optimum(gamma, W, *, Xi, K):
    """Closed form of (A3) at (A5), for :math:`\\Xi\\ln K > 1`.

    .. math:: \\ln\\Gamma = \\ln\\frac{\\gamma^2}{W} - \\frac{2\\hat n}{\\Xi}
              - \\ln\\frac{\\Xi\\ln K}{\\Xi\\ln K - 1}

    Validity
    --------
    Warns where :math:`\\gamma \\ge W` (module docstring).

    Raises
    ------
    ValueError
        As :func:`lorentzian_optimal_order`, or for shapes that do not broadcast.
    """
    gamma = check_open_unit("gamma", gamma)
    n = np.asarray(lorentzian_optimal_order(W, Xi=Xi, K=K))
    Xi, K, a = _check_xi_lnk(Xi, K)
    W = check_open_unit("W", W)
    check_broadcast(gamma=gamma, W=W)
    ratio = a / (a - 1) if math.isfinite(a) else 1.0        # Xi ln K beyond the float range: ln(a/(a-1)) = 0
    out = 2 * np.log(gamma) - np.log(W) - 2 * n / Xi - (math.log(ratio) if math.isfinite(ratio) else
                                                          -math.log1p(-1.0 / a))
    _warn([_premise_msg(gamma, W)])
    return scalar_or_array(out)


def lowest_order(*, K, cutoff):
    """Lowest order a hard-cut Lorentzian can mediate, :math:`n_0 = \\ln(\\Delta/\\Lambda)/\\ln K` (end of App. A).

    Validity
    --------
    Never warns.  Raises :class:`ValueError` for ``K <= 1`` (or an array
    ``K``) or ``cutoff`` outside (0, 1) (``None`` included).
    """
    K = check_scalar(check_branching, "K", K)
    if cutoff is None:
        raise ValueError("cutoff must be a real number in (0, 1) (the hard cutoff Lambda/Delta); got None")
    cutoff = _check_cutoff(cutoff)
    return scalar_or_array(-np.log(cutoff) / math.log(K))


def optimal_order(W, *, Xi, K, cutoff=None, n_min=1.0):
    """The order that maximises (A3) over real :math:`n \\ge \\max(n_{min}, n_0)`.

    * :math:`\\Xi\\ln K > 1`: :math:`\\max(\\hat n, n_{min}, n_0)` with
      :math:`\\hat n` of (A5) (the rate is unimodal in :math:`n`);
    * :math:`\\Xi\\ln K \\le 1`: the rate decreases with :math:`n`, so the lowest
      allowed order :math:`\\max(n_{min}, n_0)` wins, independent of :math:`W`.

    Parameters
    ----------
    W : float or array_like
        :math:`W/\\Delta \\in (0, 1)`.
    Xi, K : float
        As in :func:`ln_rate_lorentzian`.
    cutoff : float, optional
        :math:`\\Lambda/\\Delta` (a scalar); without it :math:`n_0 = 0`.
    n_min : float
        Lowest order of a process, default 1 (a nearest-neighbour move).

    Returns
    -------
    float or numpy.ndarray

    Validity
    --------
    Never warns.  Raises :class:`ValueError` for out-of-range or non-scalar
    parameters.
    """
    W = check_open_unit("W", W)
    Xi, K, a = _check_xi_lnk(Xi, K)
    n_min = check_scalar(_check_order, "n_min", n_min)
    if cutoff is not None:
        cutoff = check_scalar(check_real, "cutoff", cutoff, lo=0.0, hi=1.0)
    floor = n_min if cutoff is None else max(n_min, float(lowest_order(K=K, cutoff=cutoff)))
    if a <= 1:
        return scalar_or_array(np.full(np.shape(W), floor))
    return scalar_or_array(np.maximum(_lorentzian_optimal_order(W, Xi, K), floor))


def numerical_optimal_order(W, *, Xi, kappa, spectrum, method="minimize", m_max=None):
    """Maximise :func:`ln_rate_order` over real :math:`m \\in [0, m_{max}]` numerically (scalar ``W``).

    Parameters
    ----------
    W : float
        :math:`W/\\Delta \\in (0, 1)`.
    Xi, kappa : float
        As in :func:`ln_rate_order`.
    spectrum : {"gaussian", "lorentzian"}
    method : {"minimize", "brentq"}
        ``"minimize"``: :func:`scipy.optimize.minimize_scalar` (bounded) on
        :math:`-\\ln\\Gamma_m`; ``"brentq"``: :func:`scipy.optimize.brentq` on
        :func:`d_ln_rate_order`.
    m_max : float, optional
        Upper end of the search, default :math:`4\\ln(\\Delta/W)/\\kappa + 10`.

    Returns
    -------
    float
        The maximising :math:`m` (``0.0`` if the rate falls from :math:`m = 0`
        on; ``m_max`` if it still rises there).

    Validity
    --------
    Never warns (:math:`\\gamma` drops out of the optimum).

    Raises
    ------
    ValueError
        For out-of-range or non-scalar parameters, or a default ``m_max``
        beyond the float range.
    """
    check_choice("spectrum", spectrum, ("gaussian", "lorentzian"))
    check_choice("method", method, ("minimize", "brentq"))
    W = check_scalar(_check_W_scalar, "W", W)
    kappa = check_scalar(check_positive, "kappa", kappa)
    Xi = check_scalar(check_positive, "Xi", Xi)
    if m_max is None:
        hi = 4 * math.log(1 / W) / kappa + 10
        if not math.isfinite(hi):
            raise ValueError(f"kappa = {kappa!r}: the default m_max = 4 ln(Delta/W)/kappa + 10 overflows; pass m_max")
    else:
        hi = check_scalar(check_positive, "m_max", m_max)

    def deriv(m):
        return float(_d_raw(m, W, Xi, kappa, spectrum))

    if method == "brentq":
        if deriv(0.0) <= 0:
            return 0.0
        if deriv(hi) >= 0:       # still rising at the end of the search interval
            return float(hi)
        with np.errstate(all="ignore"):
            return float(brentq_or_bisect(deriv, 0.0, hi, xtol=1e-13, rtol=1e-13))

    def neg_rate(m):
        with np.errstate(all="ignore"):
            return -float(_ln_rate_order_raw(m, 0.5, W, Xi, kappa, spectrum))

    with np.errstate(all="ignore"):
        res = minimize_scalar(neg_rate, bounds=(0.0, hi), method="bounded", options={"xatol": 1e-10})
    x = float(res.x)
    if not math.isfinite(x):   # the optimiser's arithmetic left the float range (search interval ~1e308)
        raise ValueError(f"kappa = {kappa!r}, m_max: the search interval [0, {hi:.4g}] is too wide for the "
                         "optimiser; pass a smaller m_max")
    return min(max(x, 0.0), hi)


def _check_W_scalar(name, W):
    return check_real(name, W, lo=0.0, hi=1.0)


def _d_raw(m, W, Xi, kappa, spectrum):
    """d ln Gamma_m/dm without the overflow check (+-inf allowed) for the root finder."""
    with np.errstate(over="ignore", invalid="ignore"):
        ln_y = -2 * np.log(W) - 2 * kappa * m
        tail = np.exp(ln_y) if spectrum == "gaussian" else expit(ln_y)
        return -2 / Xi + 2 * kappa * tail


def _ln_rate_order_raw(m, gamma, W, Xi, kappa, spectrum, cutoff=None):
    """ln Gamma_m without validation or overflow check (-inf allowed), for the optimisers."""
    with np.errstate(over="ignore", invalid="ignore"):
        E = np.exp(-kappa * np.asarray(m, dtype=float))
        Wa = np.asarray(W, dtype=float)
        if spectrum == "gaussian":
            dos = -((E / Wa) ** 2) - np.log(Wa)
        elif spectrum == "lorentzian":
            dos = _ln_bath_dos(E, Wa, "lorentzian", None)
        else:
            dos = _ln_bath_dos(E, Wa, "box", None)
        if cutoff is not None:
            dos = np.where(E <= cutoff, dos, -np.inf)
        return 2 * np.log(gamma) - 2 * np.asarray(m, dtype=float) / Xi + dos


#: Largest number of (order, W) pairs optimal_integer_order evaluates.
MAX_ORDERS = 1 << 22


def optimal_integer_order(W, *, Xi, K, cutoff=None, n_min=1, n_max=200):
    """The integer order :math:`n \\in [n_{min}, n_{max}]` with the largest rate (A3), by brute force.

    Returns
    -------
    int or numpy.ndarray of int
        Broadcast over ``W``.

    Validity
    --------
    Never warns (:math:`\\gamma` drops out).

    Raises
    ------
    ValueError
        For out-of-range parameters, orders beyond :math:`2^{53}`, or more than
        :data:`MAX_ORDERS` (:math:`2^{22}`) (order, ``W``) pairs: the message
        gives the largest ``n_max`` that works.
    """
    W = np.asarray(check_open_unit("W", W), dtype=float)
    Xi = check_scalar(check_positive, "Xi", Xi)
    K = check_scalar(check_branching, "K", K)
    if cutoff is not None:
        cutoff = check_scalar(check_real, "cutoff", cutoff, lo=0.0, hi=1.0)
    n_min = int(check_scalar(check_real, "n_min", n_min, lo=0.0, hi=2.0**53, lo_open=False, hi_open=False))
    n_max = int(check_scalar(check_real, "n_max", n_max, lo=n_min, hi=2.0**53, lo_open=False, hi_open=False))
    count = (n_max - n_min + 1) * max(1, W.size)
    if count > MAX_ORDERS:
        raise ValueError(
            f"n_max = {n_max}: {n_max - n_min + 1} orders x {max(1, W.size)} bandwidths exceed MAX_ORDERS = "
            f"{MAX_ORDERS}; the largest n_max that works here is {n_min + MAX_ORDERS // max(1, W.size) - 1}")
    n = np.arange(n_min, n_max + 1, dtype=float).reshape((-1,) + (1,) * W.ndim)
    ln_r = _ln_rate_order_raw(n, 0.5, W, Xi, math.log(K), "lorentzian", cutoff)
    idx = n_min + np.argmax(ln_r, axis=0)
    return int(idx) if np.ndim(idx) == 0 else idx
