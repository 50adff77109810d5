"""Bandwidth-limited relaxation of an l-bit system on a narrow bath (Sec. II B, Eqs. 6-8).

Gopalakrishnan & Nandkishore, PRB 90, 224203 (2014), Sec. II.  The system is
the l-bit Hamiltonian (3) on a :math:`d`-dimensional lattice, coupled by
Eq. (4) to a bosonic bath whose spectrum is flat on :math:`[-W/2, W/2]`.  A
single l-bit flip costs :math:`\\sim\\Delta \\gg W`, so the bath cannot put it
on shell; three channels can:

(a) a long-range single hop over a distance :math:`R` with
    :math:`\\Delta R^{-d} \\sim W`, matrix element :math:`\\gamma e^{-R/\\xi}`
    (Eq. 6);
(b) a collective rearrangement of the :math:`\\hat n^d` l-bits of a block of
    linear size :math:`\\hat n`, with :math:`\\Delta e^{-s\\hat n^d} \\sim W`
    and matrix element :math:`\\gamma e^{-\\hat n/\\xi - s\\hat n^d/\\Xi}`
    (Eq. 7);
(c) a rearrangement at order :math:`\\hat n^d` in the coupling, with
    :math:`\\Delta e^{-s\\hat n^d} \\sim \\hat n^d W` and every virtual state
    off shell by :math:`\\Delta` (Eq. 8).

Every rate is a Golden-rule rate :math:`|M|^2/W`.

Units and conventions
---------------------
* Energies and rates are in units of :math:`\\Delta`: ``W`` means
  :math:`W/\\Delta` and must lie in :math:`(0, 1)`; ``gamma`` means
  :math:`\\gamma/\\Delta` in :math:`(0, 1)`.  The paper's premise
  :math:`\\gamma \\ll W \\ll \\Delta` is *not* enforced (maps cross it);
  :func:`premise_holds` tests it.
* Lengths (:math:`R, \\hat n, \\xi`) are in lattice spacings; :math:`\\Xi` is
  a Fock-space length (in l-bit flips).
* The rates underflow for small ``W``; the ``ln_*`` functions return
  :math:`\\ln(\\Gamma/\\Delta)` and are what the chapter compares.
* All functions broadcast over array arguments and return a Python ``float``
  for scalar input.

Regime of the formulas (Validity)
---------------------------------
Eqs. (6)-(8) are Golden-rule rates for a Markovian bath, which Sec. II A
assumes by :math:`\\gamma \\ll W` (Sec. II D: for :math:`W \\ll \\gamma` "our
Golden Rule arguments cannot be used directly").  :func:`ln_Gamma_a`,
:func:`ln_Gamma_b`, :func:`ln_Gamma_c`, :func:`ln_rates` and
:func:`dominant_channel` issue one
:class:`~nblm_helpers.parameters.ValidityWarning` per call when
:math:`\\gamma \\ge W` at some point (the message counts them); a map that
crosses the premise on purpose (the chapter greys that region out) catches it.
:func:`power_law_bandwidth` warns for :math:`R_0 \\le 1` (a network that is
not sparse: :math:`W \\ge V_0`, not a narrow bath).  The other helpers never
warn.

Ranges and resources
--------------------
No result contains NaN except the documented ``(nan, nan)`` of
:func:`window_a_beats_b`, and no ``inf``: where a rate's logarithm, a length
(:math:`R`, :math:`\\hat n`) or a Hz value leaves the float range (e.g.
:math:`2R/\\xi` with :math:`W = \\xi = 10^{-300}`), a :class:`ValueError`
names the parameters.  Array arguments must broadcast to at most
:data:`~nblm_helpers.parameters.MAX_ARRAY_SIZE` points.

Readings (see the errata page)
------------------------------
``form`` of :func:`ln_Gamma_b`:

``"full"``
    :math:`\\ln\\Gamma_b = \\ln(\\gamma^2/W) - 2\\hat n/\\xi - 2s\\hat n^d/\\Xi`
    with :math:`s\\hat n^d = \\ln(\\Delta/W)`: the square of the printed matrix
    element, nothing dropped.
``"derived"``
    its leading power law, :math:`\\Gamma_b = (\\gamma^2/W)(W/\\Delta)^{2/\\Xi}`
    for :math:`d > 1` and :math:`(\\gamma^2/W)(W/\\Delta)^{2/\\Xi_1}` with
    :math:`\\Xi_1 = s\\xi\\Xi/(s\\xi + \\Xi)` for :math:`d = 1` (exact there).
``"printed"``
    Eq. (7) as printed, :math:`(\\gamma^2/W)(W/\\Delta)^{1/\\Xi}`, and for
    :math:`d = 1` the printed replacement :math:`\\Xi \\to \\xi\\Xi/(\\xi+\\Xi)`.

``method`` of :func:`rearrangement_volume_c` (the number of l-bits
:math:`x = \\hat n^d` of channel c): ``"lambert"`` solves
:math:`\\Delta e^{-sx} = xW` exactly, :math:`x = \\mathcal W_0(s\\Delta/W)/s`;
``"brentq"`` solves it by root finding; ``"approx"`` is the paper's
:math:`x = \\ln(\\Delta/W)/s`.

``form`` of :func:`ln_Gamma_c`: ``"eq8a"`` is the first expression of Eq. (8),
:math:`\\gamma^{2x}/(W\\Delta^{2x-2})`; ``"eq8b"`` is
:math:`(\\gamma^2/W)(\\gamma/\\Delta)^{2x}`, which with ``method="approx"``
is the second printed expression
:math:`(\\gamma^2/W)(W/\\Delta)^{2\\ln(\\Delta/\\gamma)/s}` (smaller than
``"eq8a"`` by :math:`(\\gamma/\\Delta)^2`).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import scipy.constants as const
from scipy.optimize import minimize_scalar

from ._deprecate import module_getattr
from ._roots import brentq_or_bisect
from ._special import lambertw_exp as _lambertw_exp
from .parameters import (
    ValidityWarning,
    check_broadcast,
    check_choice,
    check_dimension,
    check_open_unit,
    check_positive,
    check_positive_int,
    check_real,
    check_scalar,
    check_unit_interval,
    scalar_or_array,
)
from .validity import golden_rule_message

__all__ = [
    "CHANNELS",
    "GAMMA_B_FORMS",
    "XI_EFF_READINGS",
    "NHAT_C_METHODS",
    "GAMMA_C_FORMS",
    "p_single_flip_on_shell",
    "hop_range",
    "ln_Gamma_a",
    "rearrangement_size",
    "Xi_eff_1d",
    "Gamma_b_exponent",
    "ln_Gamma_b",
    "rearrangement_volume_c",
    "rearrangement_size_c",
    "ln_Gamma_c",
    "ln_rates",
    "dominant_channel",
    "premise_holds",
    "window_a_beats_b",
    "gamma_star_c",
    "electron_dipolar_coupling_hz",
    "resonator_linewidth_hz",
    "power_law_bandwidth",
]

#: Labels of the three channels, in the order :func:`ln_rates` stacks them.
CHANNELS = ("a", "b", "c")
#: Readings of Eq. (7); see the module docstring.
GAMMA_B_FORMS = ("full", "derived", "printed")
#: Readings of the d = 1 replacement of Xi under Eq. (7).
XI_EFF_READINGS = ("derived", "printed")
#: Ways to solve the on-shell condition of channel c.
NHAT_C_METHODS = ("lambert", "brentq", "approx")
#: The two expressions of Eq. (8).
GAMMA_C_FORMS = ("eq8a", "eq8b")



def _finite(out, what, names):
    """``out`` must be finite (no overflow to +-inf); else ValueError naming ``names``."""
    if not np.all(np.isfinite(out)):
        raise ValueError(f"{names}: {what} is beyond the float range for these values")
    return out


def _premise_msg(gamma, W):
    return golden_rule_message(gamma, W, rates="Eqs. (6)-(8)")


def _warn(msg, stacklevel=3):
    if msg:
        warnings.warn(msg, ValidityWarning, stacklevel=stacklevel)

# -- why a single flip is off shell (Sec. II B) --------------------------------
def p_single_flip_on_shell(W, *, z):
    """Probability that at least one of ``z`` nearest-neighbour hops is on shell to within ``W``.

    Model (an estimate, not from the paper): the energy cost of each hop is
    spread uniformly over a window of width :math:`\\Delta`, independently for
    the ``z`` neighbours, and the flat bath absorbs :math:`|E| \\le W/2`; so
    :math:`P = 1 - (1 - W/\\Delta)^z \\approx zW/\\Delta` for :math:`W \\ll \\Delta/z`.

    Parameters
    ----------
    W : float or array_like
        :math:`W/\\Delta \\in (0, 1)`.
    z : int
        Coordination number, :math:`\\ge 1`.

    Returns
    -------
    float or numpy.ndarray

    Validity
    --------
    An estimate, not from the paper: never warns.  Raises :class:`ValueError`
    for ``W`` outside (0, 1) or a bad ``z``.
    """
    W = check_open_unit("W", W)
    z = check_positive_int("z", z)
    return scalar_or_array(-np.expm1(z * np.log1p(-np.asarray(W))))


# -- channel a: long-range single hop, Eq. (6) ---------------------------------
def hop_range(W, *, d):
    """Distance :math:`R` of the on-shell single hop, :math:`\\Delta R^{-d} = W` (Sec. II B 1).

    Parameters
    ----------
    W : float or array_like
        Bath bandwidth :math:`W/\\Delta \\in (0, 1)`.
    d : int
        Spatial dimension.

    Returns
    -------
    float or numpy.ndarray
        :math:`R = (\\Delta/W)^{1/d}` in lattice spacings.

    Validity
    --------
    Never warns.  Raises :class:`ValueError` for ``W`` outside (0, 1), a bad
    ``d``, or :math:`R` beyond the float range (``d = 1`` and ``W`` below
    ~5.6e-309).
    """
    W = check_open_unit("W", W)
    d = check_dimension(d)
    return scalar_or_array(_hop_range(W, d))


def _hop_range(W, d):
    with np.errstate(over="ignore"):
        R = np.exp(-np.log(W) / d)
    return _finite(R, "the hop range R = (Delta/W)^(1/d)", "W, d")


def ln_Gamma_a(gamma, W, *, xi, d):
    """:math:`\\ln\\Gamma_a`, long-range single l-bit hop, Eq. (6).

    .. math:: \\Gamma_a = \\frac{\\gamma^2}{W}\\exp[-2(\\Delta/W)^{1/d}/\\xi]

    Parameters
    ----------
    gamma : float or array_like
        System-bath coupling :math:`\\gamma/\\Delta \\in (0, 1)`.
    W : float or array_like
        Bath bandwidth :math:`W/\\Delta \\in (0, 1)`.
    xi : float
        Real-space localization length :math:`\\xi > 0` (lattice spacings).
    d : int
        Spatial dimension.

    Returns
    -------
    float or numpy.ndarray
        :math:`\\ln(\\Gamma_a/\\Delta)`, broadcast over ``gamma``, ``W`` and ``xi``.

    Validity
    --------
    Warns where :math:`\\gamma \\ge W` (module docstring).

    Raises
    ------
    ValueError
        For out-of-range parameters, shapes that do not broadcast, or
        :math:`\\ln\\Gamma_a` beyond the float range (:math:`2R/\\xi` overflows,
        e.g. :math:`W = \\xi = 10^{-300}`, :math:`d = 1`).
    """
    gamma = check_open_unit("gamma", gamma)
    xi = check_positive("xi", xi)
    d = check_dimension(d)
    W = check_open_unit("W", W)
    check_broadcast(gamma=gamma, W=W, xi=xi)
    out = _ln_gamma_a(gamma, W, xi, d)
    _warn(_premise_msg(gamma, W))
    return scalar_or_array(out)


def _ln_gamma_a(gamma, W, xi, d):
    R = _hop_range(W, d)
    with np.errstate(over="ignore"):
        out = 2 * np.log(gamma) - np.log(W) - 2 * np.asarray(R) / xi
    return _finite(out, "ln Gamma_a = ln(gamma^2/W) - 2 R/xi", "xi, W")


# -- channel b: collective rearrangement, Eq. (7) ------------------------------
def rearrangement_size(W, *, s, d):
    """Linear size :math:`\\hat n` of the rearranged block, :math:`\\Delta e^{-s\\hat n^d} = W`.

    Parameters
    ----------
    W : float or array_like
        :math:`W/\\Delta \\in (0, 1)`.
    s : float
        Entropy per l-bit :math:`s(T) \\in (0, 1]`.
    d : int
        Spatial dimension.

    Returns
    -------
    float or numpy.ndarray
        :math:`\\hat n = [\\ln(\\Delta/W)/s]^{1/d}` (lattice spacings).

    Validity
    --------
    Never warns.  Raises :class:`ValueError` for out-of-range parameters or
    :math:`\\hat n` beyond the float range (``s`` below ~1e-306).
    """
    W = check_open_unit("W", W)
    s = check_unit_interval("s", s)
    d = check_dimension(d)
    check_broadcast(W=W, s=s)
    return scalar_or_array(_rearrangement_size(W, s, d))


def _rearrangement_size(W, s, d):
    with np.errstate(over="ignore"):
        n = (-np.log(W) / s) ** (1.0 / d)
    return _finite(n, "the block size n = (ln(Delta/W)/s)^(1/d)", "s, W")


def Xi_eff_1d(xi, Xi, s=1.0, *, reading="derived"):
    """Effective Fock-space length of channel b in :math:`d = 1` (remark under Eq. 7).

    In :math:`d = 1` both terms of the exponent of the matrix element are
    linear in :math:`\\hat n = \\ln(\\Delta/W)/s`:
    :math:`\\hat n/\\xi + s\\hat n/\\Xi = \\ln(\\Delta/W)\\,[1/\\Xi + 1/(s\\xi)]`.

    Parameters
    ----------
    xi, Xi : float or array_like
        Real- and Fock-space localization lengths, both :math:`> 0`.
    s : float
        Entropy per l-bit, :math:`(0, 1]`.
    reading : {"derived", "printed"}
        ``"derived"``: :math:`\\Xi_1 = s\\xi\\Xi/(s\\xi + \\Xi)`;
        ``"printed"``: the paper's :math:`\\xi\\Xi/(\\xi+\\Xi)` (equal at :math:`s = 1`).

    Returns
    -------
    float or numpy.ndarray

    Validity
    --------
    Never warns.  Raises :class:`ValueError` for out-of-range parameters or
    shapes that do not broadcast.
    """
    xi = check_positive("xi", xi)
    Xi = check_positive("Xi", Xi)
    s = check_unit_interval("s", s)
    check_choice("reading", reading, XI_EFF_READINGS)
    check_broadcast(xi=xi, Xi=Xi, s=s)
    return scalar_or_array(_xi_eff_1d(xi, Xi, s, reading))


def _xi_eff_1d(xi, Xi, s, reading):
    sx = s * np.asarray(xi) if reading == "derived" else np.asarray(xi)
    # x Xi/(x + Xi) = 1/(1/x + 1/Xi): the sum may overflow (both ~1e308); then the harmonic form
    with np.errstate(over="ignore", invalid="ignore"):
        out = sx * Xi / (sx + Xi)
    if not np.all(np.isfinite(out)):
        with np.errstate(over="ignore", under="ignore"):
            out = np.where(np.isfinite(out), out, 1.0 / (1.0 / sx + 1.0 / np.asarray(Xi)))
    return out


def Gamma_b_exponent(*, Xi, xi=1.0, s=1.0, d, form="derived"):
    """Power :math:`p` in :math:`\\Gamma_b = (\\gamma^2/W)(W/\\Delta)^p` (Eq. 7).

    Parameters
    ----------
    Xi, xi : float
        Fock- and real-space localization lengths (:math:`\\xi` enters only in :math:`d = 1`).
    s : float
        Entropy per l-bit (enters only in :math:`d = 1`, ``form="derived"``).
    d : int
        Spatial dimension.
    form : {"derived", "printed"}
        ``"derived"``: :math:`2/\\Xi` (:math:`d > 1`) or :math:`2/\\Xi_1` (:math:`d = 1`);
        ``"printed"``: :math:`1/\\Xi` or :math:`(\\xi+\\Xi)/(\\xi\\Xi)`.

    Returns
    -------
    float

    Validity
    --------
    Never warns.  Raises :class:`ValueError` for out-of-range or non-scalar
    parameters, or an exponent beyond the float range (``Xi`` ~ 1e-308).
    """
    Xi = check_scalar(check_positive, "Xi", Xi)
    xi = check_scalar(check_positive, "xi", xi)
    s = check_scalar(check_unit_interval, "s", s)
    d = check_dimension(d)
    check_choice("form", form, ("derived", "printed"))
    p = _Gamma_b_exponent(Xi, xi, s, d, form)
    if not math.isfinite(p):
        raise ValueError(f"Xi (and xi, s): the exponent of Eq. (7) = {p} is beyond the float range; Xi = {Xi!r}")
    return p


def _Gamma_b_exponent(Xi, xi, s, d, form):
    """The exponent p for validated scalars (inf where it overflows)."""
    factor = 2.0 if form == "derived" else 1.0
    with np.errstate(over="ignore", divide="ignore"):
        if d == 1:
            return float(np.float64(factor) / np.float64(_xi_eff_1d(xi, Xi, s, form)))
        return float(np.float64(factor) / np.float64(Xi))


def ln_Gamma_b(gamma, W, *, Xi, xi, s, d, form="full"):
    """:math:`\\ln\\Gamma_b`, collective rearrangement of :math:`\\hat n^d` l-bits, Eq. (7).

    Parameters
    ----------
    gamma, W : float or array_like
        :math:`\\gamma/\\Delta` and :math:`W/\\Delta`, both in :math:`(0, 1)`.
    Xi : float
        Fock-space localization length :math:`\\Xi > 0`.
    xi : float
        Real-space localization length :math:`\\xi > 0`.
    s : float
        Entropy per l-bit :math:`s(T) \\in (0, 1]`.
    d : int
        Spatial dimension.
    form : {"full", "derived", "printed"}
        See the module docstring.

    Returns
    -------
    float or numpy.ndarray
        :math:`\\ln(\\Gamma_b/\\Delta)`.

    Validity
    --------
    Warns where :math:`\\gamma \\ge W` (module docstring).

    Raises
    ------
    ValueError
        For out-of-range parameters (``Xi, xi, s`` must be scalars for the
        ``"derived"`` and ``"printed"`` forms), shapes that do not broadcast,
        or :math:`\\ln\\Gamma_b` beyond the float range.
    """
    check_choice("form", form, GAMMA_B_FORMS)
    gamma = check_open_unit("gamma", gamma)
    W = check_open_unit("W", W)
    s = check_unit_interval("s", s)
    d = check_dimension(d)
    xi = check_positive("xi", xi)
    Xi = check_positive("Xi", Xi)
    check_broadcast(gamma=gamma, W=W, xi=xi, Xi=Xi, s=s)
    if form != "full":
        Xi, xi, s = (check_scalar(check_real, n, v) for n, v in (("Xi", Xi), ("xi", xi), ("s", s)))
    out = _ln_gamma_b(gamma, W, Xi, xi, s, d, form)
    _warn(_premise_msg(gamma, W))
    return scalar_or_array(out)


def _ln_gamma_b(gamma, W, Xi, xi, s, d, form, check=True):
    if check:
        n_hat = _rearrangement_size(W, s, d)
    else:
        with np.errstate(over="ignore"):
            n_hat = (-np.log(W) / s) ** (1.0 / d)
    prefactor = 2 * np.log(gamma) - np.log(W)
    with np.errstate(over="ignore", invalid="ignore"):
        if form == "full":
            # s n^d = ln(Delta/W) exactly
            out = prefactor - 2 * np.asarray(n_hat) / xi + 2 * np.log(W) / Xi
        else:
            p = _Gamma_b_exponent(float(Xi), float(xi), float(s), d, form)
            out = prefactor + p * np.log(W)
    if check:
        _finite(out, "ln Gamma_b = ln(gamma^2/W) - 2 n/xi - 2 s n^d/Xi", "xi, Xi, s, W")
    return out


# -- channel c: high order in the coupling, Eq. (8) ------------------------------
def rearrangement_volume_c(W, *, s, method="lambert"):
    """Number of l-bits :math:`x = \\hat n^d` of channel c, from :math:`\\Delta e^{-sx} = xW` (Eq. 8).

    Parameters
    ----------
    W : float or array_like
        :math:`W/\\Delta \\in (0, 1)`.
    s : float
        Entropy per l-bit :math:`(0, 1]`.
    method : {"lambert", "brentq", "approx"}
        ``"lambert"``: :math:`x = \\mathcal W_0(s\\Delta/W)/s` (exact, via
        :func:`scipy.special.lambertw`); ``"brentq"``: root of
        :math:`\\ln(\\Delta/W) - sx - \\ln x` by :func:`scipy.optimize.brentq`;
        ``"approx"``: the paper's :math:`x = \\ln(\\Delta/W)/s`.

    Returns
    -------
    float or numpy.ndarray
        :math:`x > 0`.  The exact solution lies below the approximation by
        :math:`\\ln x/s` to leading order.

    Validity
    --------
    Never warns.

    Raises
    ------
    ValueError
        For out-of-range parameters, :math:`x` beyond the float range (``s``
        near 5e-324), or more than :data:`MAX_BRENTQ` points with
        ``method="brentq"`` (``s`` must then be a scalar).
    """
    W = check_open_unit("W", W)
    s = check_unit_interval("s", s)
    check_choice("method", method, NHAT_C_METHODS)
    if method == "brentq":
        s = check_scalar(check_real, "s", s)
        if np.size(W) > MAX_BRENTQ:
            raise ValueError(f"W must have at most MAX_BRENTQ = {MAX_BRENTQ} elements with method='brentq' (one "
                             f"root finding per point, ~1 s); got {np.size(W)}: use method='lambert'")
    check_broadcast(W=W, s=s)
    return scalar_or_array(_volume_c(W, s, method))


#: Largest number of points rearrangement_volume_c solves one by one with method="brentq".
MAX_BRENTQ = 20_000


def _volume_c(W, s, method):
    L = -np.log(np.asarray(W, dtype=float))
    with np.errstate(over="ignore"):
        if method == "approx":
            out = L / s
        elif method == "lambert":
            out = _lambertw_exp(np.log(s) + L) / s
        else:
            if not math.isfinite(float(np.max(L)) / s):
                raise ValueError(f"s = {s!r}: ln(Delta/W)/s overflows; use method='lambert' or 'approx'")

            def root(Lv):
                hi = max(Lv / s, 1.0) + 1.0
                return brentq_or_bisect(lambda x: Lv - s * x - math.log(x), 1e-300, hi, xtol=1e-14, rtol=1e-14)

            out = np.vectorize(root, otypes=[float])(L)
    return _finite(out, "the number of l-bits x of channel c", "s, W")


def rearrangement_size_c(W, *, s, d, method="lambert"):
    """Linear size :math:`\\hat n = x^{1/d}` of the block of channel c (Eq. 8).

    Validity
    --------
    Never warns.  Raises :class:`ValueError` as :func:`rearrangement_volume_c`.
    """
    d = check_dimension(d)
    return scalar_or_array(np.asarray(rearrangement_volume_c(W, s=s, method=method)) ** (1.0 / d))


def ln_Gamma_c(gamma, W, *, s, method="lambert", form="eq8a"):
    """:math:`\\ln\\Gamma_c`, rearrangement at order :math:`x = \\hat n^d` in the coupling, Eq. (8).

    .. math:: \\Gamma_c \\sim \\frac{\\gamma^{2x}}{W\\Delta^{2x-2}}
              \\quad(\\text{eq8a}), \\qquad
              \\frac{\\gamma^2}{W}\\Big(\\frac{\\gamma}{\\Delta}\\Big)^{2x}
              \\quad(\\text{eq8b})

    The rate does not depend on :math:`d` except through :math:`x`, which
    does not either.

    Parameters
    ----------
    gamma, W : float or array_like
        :math:`\\gamma/\\Delta` and :math:`W/\\Delta`, in :math:`(0, 1)`.
    s : float
        Entropy per l-bit :math:`(0, 1]`.
    method : {"lambert", "brentq", "approx"}
        How :math:`x` is found (:func:`rearrangement_volume_c`).
    form : {"eq8a", "eq8b"}
        Which expression of Eq. (8).

    Returns
    -------
    float or numpy.ndarray
        :math:`\\ln(\\Gamma_c/\\Delta)`.

    Validity
    --------
    Warns where :math:`\\gamma \\ge W` (module docstring).

    Raises
    ------
    ValueError
        As :func:`rearrangement_volume_c`, for shapes that do not broadcast,
        or :math:`\\ln\\Gamma_c = 2x\\ln\\gamma - \\ldots` beyond the float range.
    """
    check_choice("form", form, GAMMA_C_FORMS)
    gamma = check_open_unit("gamma", gamma)
    x = np.asarray(rearrangement_volume_c(W, s=s, method=method))
    W = check_open_unit("W", W)
    check_broadcast(gamma=gamma, W=W, s=s)
    out = _ln_gamma_c(gamma, W, x, form)
    _warn(_premise_msg(gamma, W))
    return scalar_or_array(out)


def _ln_gamma_c(gamma, W, x, form):
    ln_g = np.log(gamma)
    with np.errstate(over="ignore"):
        if form == "eq8a":
            out = 2 * x * ln_g - np.log(W)
        else:
            out = 2 * ln_g - np.log(W) + 2 * x * ln_g
    return _finite(out, "ln Gamma_c = 2 x ln gamma - ...", "s, gamma, W")


# -- comparison ---------------------------------------------------------------------
def ln_rates(gamma, W, *, xi, Xi, s, d, Gamma_b_form="full", method_c="lambert", Gamma_c_form="eq8a"):
    """The three :math:`\\ln\\Gamma`'s stacked along a new first axis (order :data:`CHANNELS`).

    Parameters are those of :func:`ln_Gamma_a`, :func:`ln_Gamma_b` (``form=Gamma_b_form``)
    and :func:`ln_Gamma_c` (``method=method_c``, ``form=Gamma_c_form``).

    Returns
    -------
    numpy.ndarray
        Shape ``(3,) + broadcast(gamma, W).shape``.

    Validity
    --------
    Warns (once) where :math:`\\gamma \\ge W` (module docstring).

    Raises
    ------
    ValueError
        As :func:`ln_Gamma_a`, :func:`ln_Gamma_b`, :func:`ln_Gamma_c`.
    """
    out = _ln_rates(gamma, W, xi=xi, Xi=Xi, s=s, d=d, Gamma_b_form=Gamma_b_form, method_c=method_c,
                    Gamma_c_form=Gamma_c_form)
    _warn(_premise_msg(gamma, W))
    return out


def _ln_rates(gamma, W, *, xi, Xi, s, d, Gamma_b_form="full", method_c="lambert", Gamma_c_form="eq8a"):
    check_choice("Gamma_b_form", Gamma_b_form, GAMMA_B_FORMS)
    check_choice("method_c", method_c, NHAT_C_METHODS)
    check_choice("Gamma_c_form", Gamma_c_form, GAMMA_C_FORMS)
    with warnings.catch_warnings():   # the premise is warned about once by the caller
        warnings.simplefilter("ignore", ValidityWarning)
        a = ln_Gamma_a(gamma, W, xi=xi, d=d)
        b = ln_Gamma_b(gamma, W, Xi=Xi, xi=xi, s=s, d=d, form=Gamma_b_form)
        c = ln_Gamma_c(gamma, W, s=s, method=method_c, form=Gamma_c_form)
    return np.stack(np.broadcast_arrays(a, b, c))


def dominant_channel(gamma, W, **kwargs):
    """Index (0, 1, 2 for a, b, c) of the largest rate; keywords as in :func:`ln_rates`.

    Returns
    -------
    int or numpy.ndarray of int

    Validity
    --------
    Warns (once) where :math:`\\gamma \\ge W` (module docstring).

    Raises
    ------
    ValueError
        As :func:`ln_rates` (also for an unknown keyword).
    """
    try:
        rates = _ln_rates(gamma, W, **kwargs)
    except TypeError as exc:  # an unknown or missing keyword
        raise ValueError(f"dominant_channel takes the keywords of ln_rates (xi, Xi, s, d, Gamma_b_form, method_c, "
                         f"Gamma_c_form); got {sorted(kwargs)}: {exc}") from None
    idx = np.argmax(rates, axis=0)
    _warn(_premise_msg(gamma, W))
    return int(idx) if np.ndim(idx) == 0 else idx


def premise_holds(gamma, W):
    """Whether :math:`\\gamma < W < \\Delta` (the ordering behind Sec. II B; ``W`` in units of Δ).

    Validity
    --------
    Never warns (it is the test).  Raises :class:`ValueError` for
    non-positive or non-finite values, or shapes that do not broadcast.
    """
    gamma = check_positive("gamma", gamma)
    W = check_positive("W", W)
    check_broadcast(gamma=gamma, W=W)
    res = (np.asarray(gamma) < np.asarray(W)) & (np.asarray(W) < 1.0)
    return bool(res) if res.ndim == 0 else res


def window_a_beats_b(*, xi, Xi, s, d, form="full"):
    """The bandwidths where the long hop (a) beats the collective rearrangement (b).

    With :math:`u = \\ln(\\Delta/W)`, :math:`\\ln\\Gamma_a - \\ln\\Gamma_b` is a
    concave function of :math:`u` (it does not depend on :math:`\\gamma`), negative
    at :math:`u \\to 0` and :math:`u \\to \\infty`; so channel a wins in at most one
    window :math:`W_{lo} < W < W_{hi}`, found by :func:`scipy.optimize.brentq`.

    Parameters
    ----------
    xi, Xi, s, d, form
        As in :func:`ln_Gamma_b` (``form`` in ``GAMMA_B_FORMS``).

    Returns
    -------
    tuple of float
        ``(W_lo, W_hi)`` in units of :math:`\\Delta`, or ``(nan, nan)`` if
        channel b wins at every :math:`W < \\Delta` (the one documented NaN of
        the module).  Below ``W_lo`` channel b beats a for all smaller :math:`W`.

    Validity
    --------
    Never warns (:math:`\\gamma` drops out of the comparison).

    Raises
    ------
    ValueError
        For out-of-range or non-scalar parameters, if no crossover lies above
        :math:`W = e^{-700}`, or if both rates leave the float range.
    """
    check_choice("form", form, GAMMA_B_FORMS)
    d = check_dimension(d)
    xi_f = check_scalar(check_positive, "xi", xi)
    Xi_f = check_scalar(check_positive, "Xi", Xi)
    s_f = check_scalar(check_unit_interval, "s", s)

    def diff(u):
        W = math.exp(-u)
        with np.errstate(over="ignore", invalid="ignore"):
            return float((2 * math.log(0.5) - math.log(W) - 2 * math.exp(u / d) / xi_f)
                         - _ln_gamma_b(0.5, W, Xi_f, xi_f, s_f, d, form, check=False))

    u_hi = 2.0
    # diff is concave: once it is negative and decreasing, its maximum lies below u_hi
    while not (diff(u_hi) < 0 and diff(u_hi) < diff(0.9 * u_hi)):
        u_hi *= 2.0
        if u_hi > 700:
            raise ValueError("no crossover found below W = exp(-700); check xi, Xi")
    tiny = 1e-12
    with np.errstate(all="ignore"):
        res = minimize_scalar(lambda u: -diff(u), bounds=(tiny, u_hi), method="bounded",
                              options={"xatol": 1e-12})
    u_star = float(res.x)
    d_star = diff(u_star)
    if math.isnan(d_star):
        raise ValueError(f"xi = {xi_f!r}, Xi = {Xi_f!r}: ln Gamma_a and ln Gamma_b both leave the float range, "
                         "the window cannot be resolved")
    if d_star <= 0:
        return (math.nan, math.nan)
    u_low = brentq_or_bisect(diff, tiny, u_star, xtol=1e-13) if diff(tiny) < 0 else tiny
    u_high = brentq_or_bisect(diff, u_star, u_hi, xtol=1e-13)
    return (math.exp(-u_high), math.exp(-u_low))


def gamma_star_c(*, Xi, xi=1.0, s=1.0, d, form="derived"):
    """The coupling below which :math:`\\Gamma_b` beats :math:`\\Gamma_c` as :math:`W \\to 0`.

    For large :math:`u = \\ln(\\Delta/W)`, :math:`\\ln\\Gamma_c - \\ln(\\gamma^2/W)
    \\simeq -(2u/s)\\ln(\\Delta/\\gamma)` while
    :math:`\\ln\\Gamma_b - \\ln(\\gamma^2/W) \\simeq -p\\,u` with :math:`p` of
    :func:`Gamma_b_exponent`; so b wins asymptotically iff
    :math:`\\gamma/\\Delta < \\gamma_* = e^{-sp/2}`.

    Returns
    -------
    float
        :math:`\\gamma_*/\\Delta` (0.0 where it underflows).

    Validity
    --------
    Never warns.  Raises :class:`ValueError` for out-of-range or non-scalar
    parameters.
    """
    Xi = check_scalar(check_positive, "Xi", Xi)
    xi = check_scalar(check_positive, "xi", xi)
    s_f = check_scalar(check_unit_interval, "s", s)
    d = check_dimension(d)
    check_choice("form", form, ("derived", "printed"))
    p = _Gamma_b_exponent(Xi, xi, s_f, d, form)
    return math.exp(-s_f * p / 2)


# -- Sec. III: scales of the experimental settings ------------------------------------
def electron_dipolar_coupling_hz(r_nm):
    """Dipolar coupling of two electron spins (g = 2) at distance ``r_nm`` nanometres, in Hz.

    Textbook :math:`J(r) = \\mu_0 \\hbar \\gamma_e^2/(4\\pi r^3)/(2\\pi)`, with
    :math:`\\gamma_e` the free-electron gyromagnetic ratio (CODATA values from
    :mod:`scipy.constants`); about 52 MHz at 1 nm.  Not from the paper: an
    order-of-magnitude scale for :math:`\\Delta` in dipolar spin systems (Sec. III).

    Validity
    --------
    Never warns (0.0 where the coupling underflows, e.g. ``r_nm = 1e300``).
    Raises :class:`ValueError` for non-positive ``r_nm`` or one so small that
    the coupling overflows (below ~1e-100 nm).
    """
    r_nm = check_positive("r_nm", r_nm)
    r = r_nm * 1e-9
    gamma_e = const.physical_constants["electron gyromag. ratio"][0]  # rad s^-1 T^-1
    ra = np.asarray(r_nm, dtype=float)
    if np.all((ra >= 1e-90) & (ra <= 1e90)):
        j_rad = const.mu_0 * const.hbar * gamma_e**2 / (4 * const.pi * np.asarray(r) ** 3)
        return scalar_or_array(j_rad / (2 * const.pi))
    ln_c = math.log(const.mu_0 * const.hbar * gamma_e**2 / (4 * const.pi) / (2 * const.pi))
    ln_j = ln_c - 3 * (np.log(ra) + math.log(1e-9))
    if np.any(ln_j > 709.0):
        raise ValueError(f"r_nm must be >= {math.exp((ln_c - 709.0) / 3) / 1e-9:.4g} (the coupling must be a "
                         f"finite float); got {float(np.min(ra))!r}")
    with np.errstate(under="ignore"):
        return scalar_or_array(np.exp(ln_j))


def resonator_linewidth_hz(f_hz, Q):
    """Linewidth :math:`f/Q` (Hz) of a resonator mode: the bath bandwidth of Sec. III's high-Q cavity.

    Validity
    --------
    Never warns.  Raises :class:`ValueError` for non-positive values, shapes
    that do not broadcast, or :math:`f/Q` beyond the float range.
    """
    f = check_positive("f_hz", f_hz)
    Q = check_positive("Q", Q)
    check_broadcast(f_hz=f, Q=Q)
    with np.errstate(over="ignore", under="ignore"):
        out = np.asarray(f) / np.asarray(Q)
    return scalar_or_array(_finite(out, "f_hz/Q", "f_hz, Q"))


def power_law_bandwidth(R0, *, alpha):
    """Bandwidth :math:`W/V_0 = R_0^{-\\alpha}` of the resonant network at scale :math:`R_0` (Sec. III).

    Parameters
    ----------
    R0 : float or array_like
        Spacing of the resonant network in lattice units, :math:`R_0 > 0`.
    alpha : float
        Power of the interaction :math:`V(R) = V_0 R^{-\\alpha}`, :math:`\\alpha > 0`.

    Validity
    --------
    Warns for :math:`R_0 \\le 1`: the network is then not sparse and its
    bandwidth :math:`W \\ge V_0` is not narrow (Sec. III assumes the
    strong-disorder limit, :math:`R_0 \\gg 1`).

    Raises
    ------
    ValueError
        For non-positive values, shapes that do not broadcast, or
        :math:`R_0^{-\\alpha}` beyond the float range.
    """
    R0 = check_positive("R0", R0)
    alpha = check_positive("alpha", alpha)
    check_broadcast(R0=R0, alpha=alpha)
    with np.errstate(over="ignore", under="ignore"):
        out = np.asarray(R0, dtype=float) ** (-alpha)
    _finite(out, "W/V_0 = R0**(-alpha)", "R0, alpha")
    n_dense = int(np.count_nonzero(np.broadcast_to(np.asarray(R0), np.shape(out)) <= 1.0))
    if n_dense:
        _warn(f"R0 <= 1 at {n_dense} point(s): the resonant network is not sparse, W/V_0 = R0^-alpha >= 1 is "
              "not a narrow bandwidth (Sec. III assumes R0 >> 1)")
    return scalar_or_array(out)


# Names before version 0.2 (one spelling per symbol, CHANGELOG.md): still served, with a
# DeprecationWarning.
__getattr__ = module_getattr(__name__, globals(), {'ln_gamma_a': 'ln_Gamma_a', 'ln_gamma_b': 'ln_Gamma_b', 'ln_gamma_c': 'ln_Gamma_c', 'gamma_b_exponent': 'Gamma_b_exponent', 'xi_eff_1d': 'Xi_eff_1d'})
