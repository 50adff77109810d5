"""Spin-echo decay and spectral lineshape of an l-bit on a slow bath (Sec. II C).

Equations (10)-(11) of the paper: an l-bit flips at rate :math:`\\Gamma_b`, and
the flips of the :math:`n_{fast}(t)` neighbours whose coupling
:math:`J e^{-r/\\xi}` exceeds :math:`1/t` dephase it, so the echo decays as

.. math:: \\psi(t) = \\exp[-\\Gamma_b\\, n_{fast}(t)\\, t]  \\qquad (10)

with the piecewise count of Eq. (11).  Times are in units of
:math:`1/\\Gamma_b` when ``gamma_b = 1``; all rates share one unit.

Reading of Eq. (11)
-------------------
The paper writes the three regimes with "much less than" signs and leaves
the behaviour at the crossovers open.  ``nfast="literal"`` switches branch
exactly at :math:`t = 1/J` and :math:`t = 1/\\Gamma_b` (so :math:`n_{fast}`
jumps from 1 to :math:`s\\xi^d\\ln^d(1) = 0` at :math:`t = 1/J`);
``nfast="continuous"`` uses :math:`\\max[1, s\\xi^d\\ln^d(J\\min(t,
1/\\Gamma_b))]`, which is continuous.  See the errata page.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.integrate import quad
from scipy.optimize import brentq
from scipy.special import lambertw

from .parameters import check_dimension, check_positive, check_positive_int, check_real

__all__ = [
    "NFAST_READINGS",
    "nfast_external",
    "echo_decay",
    "nfast_late",
    "echo_pieces",
    "exponential_piece_ft",
    "lineshape",
    "lineshape_gauss",
    "lineshape_eq12",
    "lorentzian",
    "central_width",
    "central_width_closed_form",
    "central_width_leading",
    "lorentzian_crossings",
    "lineshape_zeros",
    "tunnelling_dos",
]

#: The two readings of the piecewise n_fast of Eqs. (11) and (20).
NFAST_READINGS = ("literal", "continuous")


def _check_external(gamma_b, s_xi_d, J, d, nfast):
    gamma_b = float(check_positive("gamma_b", gamma_b))
    s_xi_d = float(check_positive("s_xi_d", s_xi_d))
    J = float(check_real("J", J, lo=gamma_b))
    d = check_dimension(d)
    if nfast not in NFAST_READINGS:
        raise ValueError(f"nfast must be one of {NFAST_READINGS}; got {nfast!r}")
    return gamma_b, s_xi_d, J, d


def nfast_external(t, *, gamma_b, s_xi_d, J, d=1, nfast="literal"):
    """Number of fast-flipping neighbours that dephase an l-bit, Eq. (11).

    Parameters
    ----------
    t : float or array_like
        Time(s), :math:`t \\ge 0`, in the inverse unit of ``gamma_b`` and ``J``.
    gamma_b : float
        Flip rate :math:`\\Gamma_b > 0` of Eq. (7).
    s_xi_d : float
        :math:`s(T)\\xi^d > 0`: entropy per l-bit times the localization volume.
    J : float
        Nearest-neighbour interaction, :math:`J > \\Gamma_b`.
    d : int
        Spatial dimension (the power of the logarithm).
    nfast : {"literal", "continuous"}
        Reading of the piecewise Eq. (11); see the module docstring.

    Returns
    -------
    float or numpy.ndarray
        :math:`n_{fast}(t)`, same shape as ``t``.
    """
    gamma_b, s_xi_d, J, d = _check_external(gamma_b, s_xi_d, J, d, nfast)
    t = check_real("t", t, lo=0.0, lo_open=False)
    ta = np.asarray(t, dtype=float)
    with np.errstate(divide="ignore"):
        log_jt = np.log(J * np.minimum(ta, 1.0 / gamma_b))
    middle = s_xi_d * np.where(log_jt > 0, log_jt, 0.0) ** d
    if nfast == "literal":
        out = np.where(ta < 1.0 / J, 1.0, middle)
    else:
        out = np.maximum(1.0, middle)
    return float(out) if np.ndim(t) == 0 else out


def echo_decay(t, *, gamma_b, s_xi_d, J, d=1, nfast="literal"):
    """Spin-echo decay :math:`\\psi(t) = \\exp[-\\Gamma_b n_{fast}(t) t]`, Eq. (10).

    Parameters are those of :func:`nfast_external`.

    Returns
    -------
    float or numpy.ndarray
        :math:`\\psi(t) \\in (0, 1]`, same shape as ``t``.
    """
    n = nfast_external(t, gamma_b=gamma_b, s_xi_d=s_xi_d, J=J, d=d, nfast=nfast)
    psi = np.exp(-float(gamma_b) * n * np.asarray(t, dtype=float))
    return float(psi) if np.ndim(t) == 0 else psi


# ---------------------------------------------------------------------------
# The lineshape: cosine transform of the echo decay (Eq. 10) and Eqs. (12)-(13)
# ---------------------------------------------------------------------------

def _nfast_raw(t, gamma_b, s_xi_d, J, d, nfast):
    """Eq. (11) without validation (t: float array, may contain inf)."""
    t = np.asarray(t, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_jt = np.log(J * np.minimum(t, 1.0 / gamma_b))
    middle = s_xi_d * np.where(log_jt > 0, log_jt, 0.0) ** d
    if nfast == "literal":
        return np.where(t < 1.0 / J, 1.0, middle)
    return np.maximum(1.0, middle)


def nfast_late(*, gamma_b, s_xi_d, J, d=1, nfast="literal"):
    """Saturated count :math:`n_{fast}(t \\gg 1/\\Gamma_b)`, third branch of Eq. (11).

    Returns :math:`s\\xi^d\\ln^d(J/\\Gamma_b)` (``"literal"``) or
    :math:`\\max[1, s\\xi^d\\ln^d(J/\\Gamma_b)]` (``"continuous"``), a float.
    The late-time echo rate is :math:`\\Gamma_b` times this number.
    """
    gamma_b, s_xi_d, J, d = _check_external(gamma_b, s_xi_d, J, d, nfast)
    n = s_xi_d * math.log(J / gamma_b) ** d
    return float(n if nfast == "literal" else max(1.0, n))


def echo_pieces(*, gamma_b, s_xi_d, J, d=1, nfast="literal"):
    """Split :math:`[0, \\infty)` where :math:`\\psi(t)` of Eq. (10) changes form.

    :math:`\\psi(t)` is a pure exponential :math:`e^{-G t}` on the first
    piece (:math:`n_{fast} = 1`, :math:`G = \\Gamma_b`) and on the last one
    (:math:`t \\ge 1/\\Gamma_b`, :math:`G = \\Gamma_b n_{fast}^{late}`); in
    between it is :math:`\\exp[-\\Gamma_b s\\xi^d\\ln^d(Jt)\\,t]`, smooth
    (analytic) inside but with a kink (``"continuous"``) or a jump
    (``"literal"``, at :math:`t = 1/J`) at the ends.

    Returns
    -------
    dict
        ``"first"``: ``(a, b, G)`` exponential piece on ``[a, b]`` (``None``
        if empty); ``"middle"``: ``(a, b)`` of the logarithmic branch
        (``None`` if empty); ``"tail"``: ``(a, G)``, exponential on
        ``[a, inf)``.  For ``"literal"`` the first piece ends at
        :math:`1/J`; for ``"continuous"`` at
        :math:`t_* = e^{(s\\xi^d)^{-1/d}}/J` (where the middle branch reaches 1),
        clipped to :math:`1/\\Gamma_b`.
    """
    gamma_b, s_xi_d, J, d = _check_external(gamma_b, s_xi_d, J, d, nfast)
    t_end = 1.0 / gamma_b
    if nfast == "literal":
        t1 = 1.0 / J
    else:
        t1 = min(math.exp(s_xi_d ** (-1.0 / d)) / J, t_end)
    g_late = gamma_b * nfast_late(gamma_b=gamma_b, s_xi_d=s_xi_d, J=J, d=d, nfast=nfast)
    return {
        "first": (0.0, t1, gamma_b),
        "middle": (t1, t_end) if t1 < t_end else None,
        "tail": (t_end, g_late),
    }


def exponential_piece_ft(omega, *, rate, a=0.0, b=math.inf):
    """Closed-form :math:`\\int_a^b e^{-G t}\\cos(\\omega t)\\,dt` (G = ``rate``).

    .. math::
        \\int_a^b e^{-Gt}\\cos\\omega t\\,dt = \\left[\\frac{e^{-Gt}
        (\\omega\\sin\\omega t - G\\cos\\omega t)}{G^2 + \\omega^2}\\right]_a^b ,

    so a pure exponential (:math:`a = 0, b = \\infty`) gives the Lorentzian
    :math:`G/(\\omega^2 + G^2)`.

    Parameters
    ----------
    omega : float or array_like
        Frequency :math:`\\omega \\ge 0` (same unit as ``rate``).
    rate : float
        Decay rate :math:`G > 0`.
    a, b : float
        Limits, :math:`0 \\le a \\le b \\le \\infty`.
    """
    rate = float(check_positive("rate", rate))
    a = float(check_real("a", a, lo=0.0, lo_open=False))
    if not (b == math.inf or (isinstance(b, (int, float)) and a <= b < math.inf)):
        raise ValueError(f"b must be a real number in [a, inf] = [{a:g}, inf]; got {b!r}")
    w = check_real("omega", omega, lo=0.0, lo_open=False)
    return _exp_ft(np.asarray(w, dtype=float), rate, a, float(b), scalar=np.ndim(w) == 0)


def _exp_ft(w, G, a, b, scalar=False):
    def prim(t):
        if t == math.inf:
            return 0.0
        return math.exp(-G * t) * (w * np.sin(w * t) - G * np.cos(w * t))
    out = (prim(b) - prim(a)) / (G * G + w * w)
    return float(out) if scalar else out


def _middle_integrand(gamma_b, s_xi_d, J, d):
    """psi(t) on the logarithmic middle branch of Eq. (11), for arrays ``t`` (Gauss-Legendre)."""
    def f(t):
        return np.exp(-gamma_b * s_xi_d * np.log(J * t) ** d * t)
    return f


def _middle_integrand_scalar(gamma_b, s_xi_d, J, d):
    """The same function for one float ``t`` at a time, as QUADPACK calls it.

    Built on :mod:`math` instead of NumPy ufuncs: the values agree with
    :func:`_middle_integrand` to rounding (tests), but a call costs about
    half as much, and :func:`lineshape` makes ~10^4 of them per call.
    """
    exp, log = math.exp, math.log
    d = int(d)
    c = -gamma_b * s_xi_d          # also the first product in _middle_integrand: same rounding

    if d == 1:                     # x**1 is x exactly
        def f(t):
            return exp(c * log(J * t) * t)
    else:                          # keep x**d: x*x can differ from pow(x, 2) in the last bit
        def f(t):
            return exp(c * log(J * t) ** d * t)
    return f


def _check_omega(omega):
    w = check_real("omega", omega, lo=0.0, lo_open=False)
    return np.atleast_1d(np.asarray(w, dtype=float)), np.ndim(w) == 0


def lineshape(omega, *, gamma_b, s_xi_d, J, d=1, nfast="literal", epsrel=1e-12):
    """Spectral lineshape :math:`S(\\omega) = \\int_0^\\infty \\psi(t)\\cos(\\omega t)\\,dt`.

    The cosine transform of the echo decay of Eq. (10) with :math:`n_{fast}`
    of Eq. (11) -- the "numerical Fourier transform" of the paper's Fig. 2.
    With this normalisation a pure exponential :math:`e^{-Gt}` gives
    :math:`G/(\\omega^2 + G^2)` and :math:`\\int_0^\\infty S\\,d\\omega = \\pi/2`.

    Method: the integral is split where :math:`\\psi` changes form
    (:func:`echo_pieces`); the two exponential pieces (first and
    semi-infinite last) use the closed form of :func:`exponential_piece_ft`;
    the logarithmic middle piece, further split at
    :math:`t = 10^k/J`, uses QUADPACK's QAWO
    (:func:`scipy.integrate.quad` with ``weight="cos"``).  Compared with the
    independent :func:`lineshape_gauss` the relative difference is below
    :math:`10^{-8}` for :math:`\\omega \\le J/2` (tests).

    Parameters
    ----------
    omega : float or array_like
        Angular frequency :math:`\\omega \\ge 0`, same unit as ``gamma_b``.
    gamma_b, s_xi_d, J, d, nfast
        As in :func:`nfast_external`.
    epsrel : float
        Relative tolerance requested from QAWO on each sub-piece (the
        absolute tolerance is ``epsrel`` times the piece's
        :math:`\\int |\\psi|`-scale, :math:`\\epsilon/\\Gamma_b`-ish).

    Returns
    -------
    float or numpy.ndarray
        :math:`S(\\omega)` in units of 1/``gamma_b``; same shape as ``omega``.
    """
    w, scalar = _check_omega(omega)
    pieces = echo_pieces(gamma_b=gamma_b, s_xi_d=s_xi_d, J=J, d=d, nfast=nfast)
    gamma_b, s_xi_d, J = float(gamma_b), float(s_xi_d), float(J)
    a0, b0, g0 = pieces["first"]
    ta, g_late = pieces["tail"]
    out = _exp_ft(w, g0, a0, b0) + _exp_ft(w, g_late, ta, math.inf)
    if pieces["middle"] is not None:
        a, b = pieces["middle"]
        cuts = [a]
        k = 1
        while a * 10.0 ** k < b:
            cuts.append(a * 10.0 ** k)
            k += 1
        cuts.append(b)
        f = _middle_integrand_scalar(gamma_b, s_xi_d, J, int(d))
        epsrel = float(check_real("epsrel", epsrel, lo=0.0, hi=1e-3))
        # absolute tolerance: epsrel times a lower estimate of |S(omega)| ~ Gamma_b/(omega^2 + G_late^2)
        scale = gamma_b / (w ** 2 + g_late ** 2)
        for i, wi in enumerate(w):
            total = 0.0
            for lo, hi in zip(cuts[:-1], cuts[1:]):
                # full_output: QUADPACK reports (e.g. "roundoff detected") in the return value
                # instead of a warning; the accuracy is checked against lineshape_gauss in the tests.
                res = quad(f, lo, hi, weight="cos", wvar=wi, epsabs=epsrel * scale[i], epsrel=epsrel,
                           limit=400, full_output=1)
                total += res[0]
            out[i] += total
    return float(out[0]) if scalar else out


def _gl_panels(a, b, omega, *, grade_from_zero=False, per_period=4.0):
    """Panel edges on [a, b]: geometric from ``a`` (ratio 2) if ``grade_from_zero``,
    each panel then cut so that it spans at most 1/per_period of an oscillation."""
    edges = [a]
    if grade_from_zero:
        x = a
        while 2 * x < b:
            x *= 2
            edges.append(x)
    edges.append(b)
    edges = np.asarray(edges)
    if omega > 0:
        max_len = 2 * np.pi / omega / per_period
        pieces = []
        for lo, hi in zip(edges[:-1], edges[1:]):
            m = max(1, int(np.ceil((hi - lo) / max_len)))
            pieces.append(np.linspace(lo, hi, m + 1)[:-1])
        edges = np.append(np.concatenate(pieces), b)
    return edges


def _gl_integrate(f, edges, omega, nodes, weights):
    # Nodes and phases in extended precision: at omega*t ~ 1e3-1e4 the rounding of a double
    # product omega*t (~1e-13 rad) would limit the sum over thousands of panels to ~1e-7
    # relative accuracy where S(omega) is small. psi itself is smooth, so f(t) in double is fine.
    ld = np.longdouble
    lo = edges[:-1, None].astype(ld)
    half = (edges[1:, None].astype(ld) - lo) / 2
    t = lo + half * (1 + nodes[None, :].astype(ld))
    phase = np.cos(ld(omega) * t).astype(float)
    return float(np.sum(half.astype(float) * weights[None, :] * f(t.astype(float)) * phase))


def lineshape_gauss(omega, *, gamma_b, s_xi_d, J, d=1, nfast="literal", order=24, tail_decades=40.0):
    """Second, independent evaluation of :func:`lineshape` (for cross-checks).

    Composite Gauss-Legendre quadrature of order ``order`` on every piece,
    with panels graded geometrically away from :math:`t = 0` on the
    logarithmic middle piece (where :math:`\\ln(Jt)` is singular at
    :math:`t=0`) and cut so that each spans at most a quarter of the period
    :math:`2\\pi/\\omega`.  The first exponential piece and the tail are
    integrated numerically too (no closed form is used), the tail up to
    :math:`t = 1/\\Gamma_b + \\texttt{tail\\_decades}/G`; only the remainder
    beyond, of relative size :math:`e^{-\\texttt{tail\\_decades}}`, is added
    in closed form.  Cost grows like :math:`\\omega`; meant for tests and
    checks, not for plots.

    Parameters and return value as in :func:`lineshape`.
    """
    w, scalar = _check_omega(omega)
    order = check_positive_int("order", order, minimum=4)
    tail_decades = float(check_positive("tail_decades", tail_decades))
    pieces = echo_pieces(gamma_b=gamma_b, s_xi_d=s_xi_d, J=J, d=d, nfast=nfast)
    gamma_b, s_xi_d, J = float(gamma_b), float(s_xi_d), float(J)
    nodes, weights = np.polynomial.legendre.leggauss(order)
    a0, b0, g0 = pieces["first"]
    ta, g_late = pieces["tail"]
    t_cut = ta + tail_decades / g_late
    f_mid = _middle_integrand(gamma_b, s_xi_d, J, int(d))
    out = np.empty_like(w)
    for i, wi in enumerate(w):
        total = _gl_integrate(lambda t: np.exp(-g0 * t), _gl_panels(a0, b0, wi), wi, nodes, weights)
        if pieces["middle"] is not None:
            a, b = pieces["middle"]
            total += _gl_integrate(f_mid, _gl_panels(a, b, wi, grade_from_zero=True), wi, nodes, weights)
        total += _gl_integrate(lambda t: np.exp(-g_late * t), _gl_panels(ta, t_cut, wi), wi, nodes, weights)
        total += float(_exp_ft(np.asarray(wi), g_late, t_cut, math.inf))
        out[i] = total
    return float(out[0]) if scalar else out


def lorentzian(omega, *, width):
    """Lorentzian :math:`\\Gamma/(\\omega^2 + \\Gamma^2)`, the transform of :math:`e^{-\\Gamma t}`.

    Parameters
    ----------
    omega : float or array_like
        Frequency :math:`\\omega \\ge 0`.
    width : float
        Half width at half maximum :math:`\\Gamma > 0` (same unit).
    """
    width = float(check_positive("width", width))
    w = check_real("omega", omega, lo=0.0, lo_open=False)
    out = width / (np.asarray(w, dtype=float) ** 2 + width ** 2)
    return float(out) if np.ndim(w) == 0 else out


def lineshape_eq12(omega, *, gamma_b, s_xi_d, J, d=1, nfast="literal"):
    """Analytic approximation of Eq. (12): a Lorentzian with a running width.

    .. math::
        S(\\omega) \\simeq \\frac{\\Gamma_b n_{fast}(1/\\omega)}
        {\\omega^2 + [\\Gamma_b n_{fast}(1/\\omega)]^2}  \\qquad (12)

    At :math:`\\omega = 0` the late-time count :func:`nfast_late` is used.
    With ``nfast="literal"``, :math:`n_{fast}(1/\\omega) \\to 0` as
    :math:`\\omega \\to J^-`, so Eq. (12) dips to zero just below
    :math:`\\omega = J`.

    Parameters and return value as in :func:`lineshape`.
    """
    w, scalar = _check_omega(omega)
    gamma_b, s_xi_d, J, d = _check_external(gamma_b, s_xi_d, J, d, nfast)
    with np.errstate(divide="ignore"):
        t = np.where(w > 0, 1.0 / np.where(w > 0, w, 1.0), np.inf)
    g = gamma_b * _nfast_raw(t, gamma_b, s_xi_d, J, d, nfast)
    with np.errstate(invalid="ignore"):
        out = np.where(g > 0, g / (w ** 2 + g ** 2), 0.0)
    return float(out[0]) if scalar else out


def central_width(*, gamma_b, s_xi_d, J, d=1, nfast="literal"):
    """Width :math:`\\tilde\\Gamma` of the central peak, Eq. (13), solved numerically.

    Solves :math:`\\tilde\\Gamma = \\Gamma_b\\, n_{fast}(1/\\tilde\\Gamma)`
    with :func:`scipy.optimize.brentq` in :math:`u = \\ln\\tilde\\Gamma`.  The
    function :math:`x - \\Gamma_b n_{fast}(1/x)` increases with :math:`x`
    except for a downward step of :math:`\\Gamma_b` at :math:`x = J` that
    keeps it positive, so the root is unique.  See
    :func:`central_width_closed_form` for the same number via Lambert W.

    Returns
    -------
    float
        :math:`\\tilde\\Gamma`, same unit as ``gamma_b``.
    """
    gamma_b, s_xi_d, J, d = _check_external(gamma_b, s_xi_d, J, d, nfast)
    n_late = nfast_late(gamma_b=gamma_b, s_xi_d=s_xi_d, J=J, d=d, nfast=nfast)

    def h(u):
        x = math.exp(u)
        return 1.0 - gamma_b * float(_nfast_raw(1.0 / x, gamma_b, s_xi_d, J, d, nfast)) / x

    lo = math.log(0.5 * gamma_b * min(1.0, n_late))
    hi = math.log(2.0 * J)
    u = brentq(h, lo, hi, xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=200)
    return float(math.exp(u))


def central_width_closed_form(*, gamma_b, s_xi_d, J, d=1, nfast="literal"):
    """Closed form of Eq. (13) via the Lambert W function.

    In the middle branch of Eq. (11) (:math:`\\Gamma_b \\le \\tilde\\Gamma
    \\le J`), :math:`x = a\\ln^d(J/x)` with :math:`a = \\Gamma_b s\\xi^d` has
    the solution

    .. math::
        x_m = J\\exp[-d\\, W_0((J/a)^{1/d}/d)] = a\\, d^d\\, W_0((J/a)^{1/d}/d)^d ,

    which for :math:`d = 1` is :math:`x_m = \\Gamma_b s\\xi\\, W_0(J/(\\Gamma_b s\\xi))`.
    It is the answer when :math:`x_m \\ge \\Gamma_b`; otherwise the late
    branch applies and :math:`\\tilde\\Gamma = \\Gamma_b n_{fast}^{late}`
    (``"literal"``: :math:`\\Gamma_b s\\xi^d\\ln^d(J/\\Gamma_b) < \\Gamma_b`;
    ``"continuous"``: :math:`\\Gamma_b`).

    Returns
    -------
    (float, str)
        :math:`\\tilde\\Gamma` and the branch of Eq. (11) used,
        ``"middle"`` or ``"late"``.
    """
    gamma_b, s_xi_d, J, d = _check_external(gamma_b, s_xi_d, J, d, nfast)
    a = gamma_b * s_xi_d
    arg = (J / a) ** (1.0 / d) / d
    x_m = float(J * math.exp(-d * lambertw(arg, 0).real))
    if x_m >= gamma_b:
        return x_m, "middle"
    return gamma_b * nfast_late(gamma_b=gamma_b, s_xi_d=s_xi_d, J=J, d=d, nfast=nfast), "late"


def central_width_leading(*, gamma_b, s_xi_d, J, d=1):
    """Leading-order width :math:`\\Gamma_b s\\xi^d\\ln^d(J/\\Gamma_b)` (remark after Eq. 13).

    This is :math:`\\Gamma_b n_{fast}` at late times; it exceeds the
    self-consistent :func:`central_width` by a factor
    :math:`[\\ln(J/\\Gamma_b)/\\ln(J/\\tilde\\Gamma)]^d`, which tends to 1 only
    logarithmically as :math:`\\Gamma_b \\to 0`.
    """
    gamma_b, s_xi_d, J, d = _check_external(gamma_b, s_xi_d, J, d, "literal")
    return float(gamma_b * s_xi_d * math.log(J / gamma_b) ** d)


def lorentzian_crossings(*, gamma_b, s_xi_d, J, d=1, nfast="literal", omega_min=None, omega_max=None,
                         n_grid=200):
    """Frequencies where :math:`S(\\omega)` equals the Lorentzian of width :math:`\\tilde\\Gamma`.

    Scans :math:`\\ln S - \\ln L` on a logarithmic grid of ``n_grid`` points
    in ``[omega_min, omega_max]`` (default :math:`[\\Gamma_b/10, J/2]`) and
    refines each sign change with :func:`scipy.optimize.brentq`.  Above the
    last crossing the Lorentzian :math:`L(\\omega) =
    \\tilde\\Gamma/(\\omega^2 + \\tilde\\Gamma^2)` lies above :math:`S`, i.e.
    it overestimates the weight in the tails.

    Returns
    -------
    numpy.ndarray
        The crossing frequencies, increasing.
    """
    pars = dict(gamma_b=gamma_b, s_xi_d=s_xi_d, J=J, d=d, nfast=nfast)
    width = central_width(**pars)
    lo = float(check_positive("omega_min", 0.1 * float(gamma_b) if omega_min is None else omega_min))
    hi = float(check_real("omega_max", 0.5 * float(J) if omega_max is None else omega_max, lo=lo))
    n_grid = check_positive_int("n_grid", n_grid, minimum=3)

    def diff(w):
        return lineshape(w, **pars) - lorentzian(w, width=width)

    grid = np.geomspace(lo, hi, n_grid)
    vals = diff(grid)
    roots = []
    for i in np.nonzero(np.sign(vals[:-1]) * np.sign(vals[1:]) < 0)[0]:
        roots.append(brentq(lambda u: float(diff(math.exp(u))), math.log(grid[i]), math.log(grid[i + 1]),
                            xtol=1e-13))
    return np.exp(np.asarray(roots, dtype=float))


def tunnelling_dos(delta_omega, *, gamma, W):
    """Pure-dephasing side feature of the tunnelling density of states (end of Sec. II C).

    With a diagonal coupling :math:`\\sigma^z(b^\\dagger + b)`, absorption at
    detuning :math:`\\delta\\omega` proceeds through a virtual state and
    borrows :math:`\\delta\\omega` from the bath (spectral density
    :math:`1/W`), giving

    .. math:: \\nu(\\delta\\omega) = \\frac{\\gamma^2}{\\delta\\omega^2 W}
       \\quad (\\delta\\omega < W), \\qquad 0 \\quad (\\delta\\omega \\ge W),

    an order-of-magnitude estimate valid for :math:`\\gamma \\ll \\delta\\omega`
    (perturbative virtual state).

    Parameters
    ----------
    delta_omega : float or array_like
        Detuning :math:`\\delta\\omega > 0`.
    gamma : float
        System-bath coupling :math:`\\gamma > 0` (Eq. 4).
    W : float
        Bath bandwidth :math:`W > 0`.

    Returns
    -------
    float or numpy.ndarray
        :math:`\\nu` in units of 1/energy.
    """
    gamma = float(check_positive("gamma", gamma))
    W = float(check_positive("W", W))
    dw = check_positive("delta_omega", delta_omega)
    x = np.asarray(dw, dtype=float)
    out = np.where(x < W, gamma ** 2 / (x ** 2 * W), 0.0)
    return float(out) if np.ndim(dw) == 0 else out


def lineshape_zeros(*, gamma_b, s_xi_d, J, d=1, nfast="literal", omega_min, omega_max, n_grid=100):
    """Frequencies in ``[omega_min, omega_max]`` where :math:`S(\\omega)` of :func:`lineshape` changes sign.

    :math:`S` is scanned on a linear grid of ``n_grid`` points and each sign
    change is refined with :func:`scipy.optimize.brentq`.  For the Fig. 2
    parameters the first zero lies just above :math:`\\omega = J`: the
    sudden steepening of :math:`\\psi` at :math:`t \\approx 1/J` makes the
    transform of Eq. (10) negative there.

    Returns
    -------
    numpy.ndarray
        The zeros, increasing (empty if there is none on the grid).
    """
    pars = dict(gamma_b=gamma_b, s_xi_d=s_xi_d, J=J, d=d, nfast=nfast)
    lo = float(check_positive("omega_min", omega_min))
    hi = float(check_real("omega_max", omega_max, lo=lo))
    n_grid = check_positive_int("n_grid", n_grid, minimum=3)
    grid = np.linspace(lo, hi, n_grid)
    vals = lineshape(grid, **pars)
    roots = [brentq(lambda w: lineshape(w, **pars), grid[i], grid[i + 1], xtol=1e-12)
             for i in np.nonzero(np.sign(vals[:-1]) * np.sign(vals[1:]) < 0)[0]]
    return np.asarray(roots, dtype=float)
