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
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq, minimize_scalar
from scipy.special import expit

from .parameters import (
    check_branching,
    check_choice,
    check_dimension,
    check_positive,
    check_real,
    check_unit_interval,
    scalar_or_array,
)

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




def _check_W(W):
    return check_real("W", W, lo=0.0, hi=1.0)


def _check_gamma(gamma):
    return check_real("gamma", gamma, lo=0.0, hi=1.0)


def _check_order(name, m):
    return check_real(name, m, lo=0.0, lo_open=False)


def _check_cutoff(cutoff):
    if cutoff is None:
        return None
    return check_real("cutoff", cutoff, lo=0.0, hi=1.0)




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
        :math:`\\ln N(E)`; ``-inf`` where :math:`N = 0`.
    """
    check_choice("spectrum", spectrum, SPECTRA)
    E = np.abs(np.asarray(check_real("E", E), dtype=float))
    W = np.asarray(_check_W(W), dtype=float)
    cutoff = _check_cutoff(cutoff)
    with np.errstate(over="ignore"):
        if spectrum == "box":
            out = np.where(E <= W / 2, -np.log(W), -np.inf)
        elif spectrum == "gaussian":
            out = -((E / W) ** 2) - np.log(W)
        else:  # W/(E^2 + W^2) = (1/W) / ((E/W)^2 + 1)
            out = -np.log(W) - np.logaddexp(2 * np.log(np.maximum(E, 1e-300) / W), 0.0)
    if cutoff is not None:
        out = np.where(E <= cutoff, out, -np.inf)
    return scalar_or_array(out)


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
        :math:`\\ln(\\Gamma_m/\\Delta)`, broadcast over ``m``, ``gamma``, ``W``.
    """
    m = np.asarray(_check_order("m", m), dtype=float)
    gamma = _check_gamma(gamma)
    Xi = check_positive("Xi", Xi)
    kappa = check_positive("kappa", kappa)
    E = np.exp(-kappa * m)
    return scalar_or_array(2 * np.log(gamma) - 2 * m / Xi + ln_bath_dos(E, W, spectrum=spectrum, cutoff=cutoff))


def d_ln_rate_order(m, W, *, Xi, kappa, spectrum):
    """:math:`\\partial_m \\ln\\Gamma_m` for the smooth spectra (Gaussian, Lorentzian), no cutoff.

    Gaussian: :math:`-2/\\Xi + 2\\kappa y`; Lorentzian: :math:`-2/\\Xi + 2\\kappa\\,y/(1+y)`;
    with :math:`y = (\\Delta/W)^2 e^{-2\\kappa m}`.  Its zero is the steepest-descent order.

    Returns
    -------
    float or numpy.ndarray
    """
    check_choice("spectrum", spectrum, ("gaussian", "lorentzian"))
    m = np.asarray(_check_order("m", m), dtype=float)
    W = _check_W(W)
    Xi = check_positive("Xi", Xi)
    kappa = check_positive("kappa", kappa)
    ln_y = -2 * np.log(W) - 2 * kappa * m
    with np.errstate(over="ignore"):
        tail = np.exp(ln_y) if spectrum == "gaussian" else expit(ln_y)
    return scalar_or_array(-2 / Xi + 2 * kappa * tail)


# -- Gaussian bath, Eqs. (A1)-(A2) -------------------------------------------------
def _xi_fock(Xi, s, convention):
    check_choice("convention", convention, CONVENTIONS)
    Xi = check_positive("Xi", Xi)
    s = check_unit_interval("s", s)
    return Xi if convention == "A1" else Xi / s


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
    """
    n = _check_order("n", n)
    d = check_dimension(d)
    xi_f = _xi_fock(Xi, s, convention)
    return ln_rate_order(np.asarray(n) ** d, gamma, W, Xi=xi_f, kappa=s, spectrum="gaussian")


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
    """
    check_choice("form", form, GAUSSIAN_FORMS)
    W = _check_W(W)
    xi_f = _xi_fock(Xi, s, convention)
    s = check_unit_interval("s", s)
    c = 1.0 if form == "derived" else 2.0
    return scalar_or_array((np.log(xi_f * s / c) - 2 * np.log(W)) / (2 * s))


def gaussian_optimal_size(W, *, Xi, s, d, form="derived", convention="A1"):
    """:math:`\\hat n = \\hat m^{1/d}` of :func:`gaussian_optimal_volume` (``nan`` if :math:`\\hat m < 0`)."""
    d = check_dimension(d)
    m = np.asarray(gaussian_optimal_volume(W, Xi=Xi, s=s, form=form, convention=convention))
    with np.errstate(invalid="ignore"):
        return scalar_or_array(np.where(m >= 0, np.abs(m) ** (1.0 / d), np.nan))


def ln_rate_gaussian_optimum(gamma, W, *, Xi, s, convention="A1"):
    """Closed form of (A1) at the derived optimum (A2).

    .. math:: \\ln\\Gamma = \\ln\\frac{\\gamma^2}{W} + \\frac{2}{s\\Xi'}\\ln\\frac{W}{\\Delta}
              - \\frac{1 + \\ln(s\\Xi')}{s\\Xi'}

    with :math:`\\Xi' = \\Xi` (A1) or :math:`\\Xi/s` (eq7): a power law
    :math:`(W/\\Delta)^{2/(s\\Xi')}` times a constant.  The formula assumes
    :math:`\\hat m \\ge 0`.
    """
    gamma = _check_gamma(gamma)
    W = _check_W(W)
    xi_f = _xi_fock(Xi, s, convention)
    a = check_unit_interval("s", s) * xi_f
    return scalar_or_array(2 * np.log(gamma) - np.log(W) + 2 * np.log(W) / a - (1 + np.log(a)) / a)


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
        Cayley-tree branching :math:`K > 1`.
    cutoff : float, optional
        Hard cutoff :math:`\\Lambda/\\Delta` of the Lorentzian wings (``-inf``
        for orders :math:`n < n_0`, :func:`lowest_order`).

    Returns
    -------
    float or numpy.ndarray
    """
    K = check_branching("K", K)
    return ln_rate_order(n, gamma, W, Xi=Xi, kappa=math.log(K), spectrum="lorentzian", cutoff=cutoff)


def _check_xi_lnk(Xi, K):
    Xi = check_positive("Xi", Xi)
    K = check_branching("K", K)
    return Xi, K, Xi * math.log(K)


def lorentzian_condition(W, *, Xi, K):
    """Right-hand side of Eq. (A4), :math:`e^{-2\\hat n\\ln K} = \\frac{W^2}{\\Delta^2}\\frac{1/\\Xi}{\\ln K - 1/\\Xi}`.

    Raises
    ------
    ValueError
        If :math:`\\Xi\\ln K \\le 1` (no stationary point: the rate falls with ``n``).
    """
    W = _check_W(W)
    Xi, K, a = _check_xi_lnk(Xi, K)
    if a <= 1:
        raise ValueError(f"Xi*ln(K) must be in (1, inf) for a stationary point; got {a!r}")
    return scalar_or_array(np.asarray(W) ** 2 * (1 / Xi) / (math.log(K) - 1 / Xi))


def lorentzian_optimal_order(W, *, Xi, K):
    """Eq. (A5): :math:`\\hat n = \\frac{1}{\\ln K}[\\ln(\\Delta/W) + \\tfrac12\\ln(\\Xi\\ln K - 1)]`.

    The maximum of (A3) over real :math:`n` (it may be negative when
    :math:`\\Xi\\ln K` is close to 1; see :func:`optimal_order`).

    Raises
    ------
    ValueError
        If :math:`\\Xi\\ln K \\le 1`.
    """
    cond = np.asarray(lorentzian_condition(W, Xi=Xi, K=K))
    return scalar_or_array(-np.log(cond) / (2 * math.log(float(K))))


def ln_rate_lorentzian_optimum(gamma, W, *, Xi, K):
    """Closed form of (A3) at (A5), for :math:`\\Xi\\ln K > 1`.

    .. math:: \\ln\\Gamma = \\ln\\frac{\\gamma^2}{W} - \\frac{2\\hat n}{\\Xi}
              - \\ln\\frac{\\Xi\\ln K}{\\Xi\\ln K - 1}
    """
    gamma = _check_gamma(gamma)
    n = np.asarray(lorentzian_optimal_order(W, Xi=Xi, K=K))
    Xi, K, a = _check_xi_lnk(Xi, K)
    W = _check_W(W)
    return scalar_or_array(2 * np.log(gamma) - np.log(W) - 2 * n / Xi - math.log(a / (a - 1)))


def lowest_order(*, K, cutoff):
    """Lowest order a hard-cut Lorentzian can mediate, :math:`n_0 = \\ln(\\Delta/\\Lambda)/\\ln K` (end of App. A)."""
    K = check_branching("K", K)
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
        :math:`\\Lambda/\\Delta`; without it :math:`n_0 = 0`.
    n_min : float
        Lowest order of a process, default 1 (a nearest-neighbour move).

    Returns
    -------
    float or numpy.ndarray
    """
    W = _check_W(W)
    Xi, K, a = _check_xi_lnk(Xi, K)
    n_min = float(_check_order("n_min", n_min))
    floor = n_min if cutoff is None else max(n_min, float(lowest_order(K=K, cutoff=cutoff)))
    if a <= 1:
        return scalar_or_array(np.full(np.shape(W), floor))
    return scalar_or_array(np.maximum(lorentzian_optimal_order(W, Xi=Xi, K=K), floor))


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
        The maximising :math:`m` (``0.0`` if the rate falls from :math:`m = 0` on).
    """
    check_choice("spectrum", spectrum, ("gaussian", "lorentzian"))
    check_choice("method", method, ("minimize", "brentq"))
    W = float(_check_W(W))
    kappa = float(check_positive("kappa", kappa))
    Xi = float(check_positive("Xi", Xi))
    hi = 4 * math.log(1 / W) / kappa + 10 if m_max is None else float(check_positive("m_max", m_max))
    kw = dict(Xi=Xi, kappa=kappa, spectrum=spectrum)
    if method == "brentq":
        if d_ln_rate_order(0.0, W, **kw) <= 0:
            return 0.0
        return float(brentq(lambda m: d_ln_rate_order(m, W, **kw), 0.0, hi, xtol=1e-13, rtol=1e-13))
    res = minimize_scalar(lambda m: -ln_rate_order(m, 0.5, W, **kw), bounds=(0.0, hi), method="bounded",
                          options={"xatol": 1e-10})
    return float(res.x)


def optimal_integer_order(W, *, Xi, K, cutoff=None, n_min=1, n_max=200):
    """The integer order :math:`n \\in [n_{min}, n_{max}]` with the largest rate (A3), by brute force.

    Returns
    -------
    int or numpy.ndarray of int
        Broadcast over ``W``.
    """
    W = np.asarray(_check_W(W), dtype=float)
    n_min = int(_check_order("n_min", n_min))
    n_max = int(check_real("n_max", n_max, lo=n_min, lo_open=False))
    n = np.arange(n_min, n_max + 1, dtype=float).reshape((-1,) + (1,) * W.ndim)
    ln_r = ln_rate_lorentzian(n, 0.5, W, Xi=Xi, K=K, cutoff=cutoff)
    idx = n_min + np.argmax(ln_r, axis=0)
    return int(idx) if np.ndim(idx) == 0 else idx
