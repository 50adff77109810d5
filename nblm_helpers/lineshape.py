"""Spin-echo decay and spectral lineshape of an l-bit on a slow bath (Sec. II C).

Equations (10)-(11) of the paper: an l-bit flips at rate :math:`\\Gamma_b`, and
the flips of the :math:`n_{fast}(t)` neighbours whose coupling
:math:`J e^{-r/\\xi}` exceeds :math:`1/t` dephase it, so the echo decays as

.. math:: \\psi(t) = \\exp[-\\Gamma_b\\, n_{fast}(t)\\, t]  \\qquad (10)

with the piecewise count of Eq. (11).  Times are in units of
:math:`1/\\Gamma_b` when ``Gamma_b = 1``; all rates share one unit.

Reading of Eq. (11)
-------------------
The paper writes the three regimes with "much less than" signs and leaves
the behaviour at the crossovers open.  ``nfast="literal"`` switches branch
exactly at :math:`t = 1/J` and :math:`t = 1/\\Gamma_b`: :math:`n_{fast} = 1`
for :math:`Jt \\le 1` (the first branch includes the tie :math:`Jt = 1`, the
convention of the errata page, also used for :math:`\\gamma t \\le 1` in
Eq. 20), and just after :math:`t = 1/J` it drops to
:math:`s\\xi^d\\ln^d(Jt) \\to 0^+`, so the literal :math:`n_{fast}` is
left-continuous and never exactly 0 from the tie;
``nfast="continuous"`` uses :math:`\\max[1, s\\xi^d\\ln^d(J\\min(t,
1/\\Gamma_b))]`, which is continuous.  Integrals over :math:`t` (the
lineshape) do not see the tie.  See the errata page.

Regime of the formulas (Validity)
---------------------------------
Eqs. (10)-(13) assume :math:`\\Gamma_b \\ll J` (three separated time
regimes) and count at least the l-bit's own flip.  Every helper built on
them issues one :class:`~nblm_helpers.parameters.ValidityWarning` per call
when

* :math:`J < 10\\,\\Gamma_b` (:data:`MIN_J_RATIO`): the premise
  :math:`\\Gamma_b \\ll J` fails;
* ``nfast="literal"`` and :math:`s\\xi^d\\ln^d(J/\\Gamma_b) < 1`: the literal
  late branch counts fewer than one fast neighbour, i.e. fewer than the
  l-bit's own flip at short times (the continuous reading does not have
  this problem).

:func:`tunnelling_dos` warns when :math:`\\gamma \\ge \\delta\\omega`
(its perturbative premise).  :func:`lorentzian` and
:func:`exponential_piece_ft` are plain functions and never warn.

Ranges and resources
--------------------
:math:`J \\le \\Gamma_b` is refused (Eq. 11 then counts negative
neighbours).  Inputs whose results cannot be represented raise
:class:`ValueError` naming the parameter and the largest (smallest) value
that works: :math:`J/\\Gamma_b \\le 10^{300}` (:data:`MAX_J_RATIO`),
:math:`1/\\Gamma_b` finite, :math:`s\\xi^d\\ln^d(J/\\Gamma_b) \\le 10^{300}`.
The transforms work in units of :math:`\\Gamma_b` (exact when
:math:`\\Gamma_b = 1`) and bound their work: :func:`lineshape` at most
:data:`MAX_QUAD` QAWO integrals per call, :func:`lineshape_gauss` at most
:data:`MAX_GL_NODES` quadrature nodes and ``order`` :math:`\\le`
:data:`MAX_GL_ORDER`; the root finders at most :data:`MAX_GRID` grid points.
"""

from __future__ import annotations

import contextvars
import functools
import math
import warnings

import numpy as np
from scipy.integrate import quad
from scipy.special import lambertw

from ._roots import brentq_or_bisect
from ._special import lambertw_exp as _lambertw_exp
from .parameters import (
    ValidityWarning,
    check_dimension,
    check_positive,
    check_positive_int,
    check_real,
    check_scalar,
)

__all__ = [
    "NFAST_READINGS",
    "MIN_J_RATIO",
    "MAX_J_RATIO",
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
#: Below J = MIN_J_RATIO * Gamma_b the premise Gamma_b << J of Eqs. (10)-(13) fails (ValidityWarning).
MIN_J_RATIO = 10.0
#: Largest J / Gamma_b accepted (ValueError beyond).
MAX_J_RATIO = 1e300
#: Largest s xi^d ln^d(J/Gamma_b) (the late n_fast) accepted.
MAX_NFAST = 1e300
#: Largest omega / Gamma_b of lineshape (phases omega t, t <= 1/Gamma_b, keep a few digits mod 2 pi).
MAX_OMEGA = 1e15
#: Largest number of QAWO integrals (frequencies x pieces of the middle branch) per lineshape call.
MAX_QUAD = 20_000
#: Largest number of integrand evaluations (panels x order, all frequencies) per lineshape_gauss call.
MAX_GL_NODES = 4_000_000
#: Largest Gauss-Legendre order of lineshape_gauss (numpy's leggauss costs O(order^3)).
MAX_GL_ORDER = 256
#: Largest n_grid of lorentzian_crossings / lineshape_zeros.
MAX_GRID = 5_000

_LN_MAX = math.log(1e300)
_TINY_RATE = 1.0 / np.finfo(float).max   # below this, 1/rate overflows


def _check_external(Gamma_b, s_xi_d, J, d, nfast, *, warn=True, stacklevel=3):
    """Validate the parameters of Eqs. (10)-(13) and issue the ValidityWarnings (see the module docstring)."""
    Gamma_b = check_scalar(check_positive, "Gamma_b", Gamma_b)
    s_xi_d = check_scalar(check_positive, "s_xi_d", s_xi_d)
    J = check_scalar(check_real, "J", J, lo=Gamma_b)
    d = check_dimension(d)
    if nfast not in NFAST_READINGS:
        raise ValueError(f"nfast must be one of {NFAST_READINGS}; got {nfast!r}")
    if Gamma_b < _TINY_RATE:
        raise ValueError(f"Gamma_b must be >= {_TINY_RATE:.4g} (1/Gamma_b, the end of the middle branch, must be a "
                         f"finite float); got {Gamma_b!r}")
    ratio = J / Gamma_b
    if not ratio <= MAX_J_RATIO:
        raise ValueError(f"J must be <= {MAX_J_RATIO:g} * Gamma_b = {MAX_J_RATIO * Gamma_b:.6g} (J/Gamma_b beyond "
                         f"{MAX_J_RATIO:g} is not supported); got J = {J!r} with Gamma_b = {Gamma_b!r}")
    ln_n = _ln_nfast_late(s_xi_d, J / Gamma_b, d)
    if ln_n > _LN_MAX:
        ln_l = math.log(math.log(J / Gamma_b))
        hints = []
        if ln_l > 0 and _LN_MAX - math.log(s_xi_d) >= ln_l:
            hints.append(f"the largest d that works here is {int((_LN_MAX - math.log(s_xi_d)) / ln_l)}")
        s_max = _LN_MAX - d * ln_l
        if s_max > math.log(1e-300):
            hints.append(f"the largest s_xi_d is {math.exp(s_max):.6g}")
        raise ValueError(
            f"s_xi_d * ln(J/Gamma_b)**d = e^{ln_n:.6g} exceeds {MAX_NFAST:g} (the late n_fast must be a float); "
            f"got s_xi_d = {s_xi_d!r}, d = {d}" + (": " + ", ".join(hints) if hints else ""))
    if warn:
        msgs = []
        if ratio < MIN_J_RATIO:
            msgs.append(f"J/Gamma_b = {ratio:.4g} < {MIN_J_RATIO:g}: Eqs. (10)-(13) assume Gamma_b << J "
                        "(separated regimes t << 1/J << 1/Gamma_b)")
        n_late = _nfast_late_value(Gamma_b, s_xi_d, J, d, "literal")
        if nfast == "literal" and n_late < 1.0:
            msgs.append(f"the literal third branch of Eq. (11) counts s xi^d ln^d(J/Gamma_b) = {n_late:.4g} "
                        "< 1 fast neighbours, fewer than the l-bit's own flip (n_fast = 1 at Jt <= 1); "
                        "nfast='continuous' counts max(1, ...)")
        if msgs:
            _emit("outside the regime of Eqs. (10)-(13): " + "; ".join(msgs), stacklevel=stacklevel)
    return Gamma_b, s_xi_d, J, d


#: messages collected during a public call, issued as one warning when it returns (not when it raises)
_PENDING = contextvars.ContextVar("nblm_lineshape_pending", default=None)


def _emit(message, stacklevel=3):
    pending = _PENDING.get()
    if pending is not None:
        if message not in pending:
            pending.append(message)
    else:
        warnings.warn(message, ValidityWarning, stacklevel=stacklevel)


def _warns_on_return(fn):
    """Issue the ValidityWarnings collected during a call of ``fn`` once, after it has returned."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        pending = []
        token = _PENDING.set(pending)
        try:
            out = fn(*args, **kwargs)
        finally:
            _PENDING.reset(token)
        if pending:
            warnings.warn("; ".join(pending), ValidityWarning, stacklevel=2)
        return out
    return wrapper


def _ln_nfast_late(s_xi_d, ratio, d):
    """ln[s ln^d(ratio)] (-inf if ln(ratio) <= 0)."""
    lr = math.log(ratio) if ratio > 0 else -math.inf
    if not lr > 0:
        return -math.inf
    return math.log(s_xi_d) + d * math.log(lr)


def _pow_log(L, d, s_xi_d, ln_ratio):
    """s_xi_d * L**d for an array 0 <= L <= ln_ratio = ln(J/Gamma_b), without overflow in L**d.

    (Validated: s L^d <= 1e300.)  The plain product wherever ln_ratio**d is a finite float.
    """
    if d == 1 or ln_ratio <= 1.0 or d * math.log(ln_ratio) <= 690.0:
        return s_xi_d * L ** d
    with np.errstate(divide="ignore"):
        return np.exp(math.log(s_xi_d) + d * np.log(L))


def _nfast_values(t, Gamma_b, s_xi_d, J, d, nfast):
    """Eq. (11) for a float array t >= 0 (may contain inf), validated parameters.

    The first branch applies for Jt <= 1 (the tie Jt = 1 included), i.e. wherever
    ln(J min(t, 1/Gamma_b)) <= 0 or t < 1/J.
    """
    t = np.asarray(t, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        jt = J * np.minimum(t, 1.0 / Gamma_b)
        log_jt = np.log(jt)
    middle = _pow_log(np.where(log_jt > 0, log_jt, 0.0), d, s_xi_d, math.log(J / Gamma_b))
    if nfast == "literal":
        return np.where((t < 1.0 / J) | (jt <= 1.0), 1.0, middle)
    return np.maximum(1.0, middle)


@_warns_on_return
def nfast_external(t, *, Gamma_b, s_xi_d, J, d=1, nfast="literal"):
    """Number of fast-flipping neighbours that dephase an l-bit, Eq. (11).

    .. math::
        n_{fast}(t) = \\begin{cases} 1 & Jt \\le 1 \\\\
        s\\xi^d\\ln^d(Jt) & 1 < Jt,\\ t < 1/\\Gamma_b \\\\
        s\\xi^d\\ln^d(J/\\Gamma_b) & t \\ge 1/\\Gamma_b \\end{cases}

    (``"literal"``; the tie :math:`Jt = 1` belongs to the first branch) or
    :math:`\\max[1, s\\xi^d\\ln^d(J\\min(t, 1/\\Gamma_b))]` (``"continuous"``).

    Parameters
    ----------
    t : float or array_like
        Time(s), :math:`t \\ge 0`, in the inverse unit of ``Gamma_b`` and ``J``.
    Gamma_b : float
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

    Validity
    --------
    Warns (:class:`~nblm_helpers.parameters.ValidityWarning`) when
    :math:`J < 10\\,\\Gamma_b`, or with ``"literal"`` when
    :math:`s\\xi^d\\ln^d(J/\\Gamma_b) < 1` (module docstring).

    Raises
    ------
    ValueError
        For out-of-range parameters (``J <= Gamma_b`` included), arrays where
        scalars are expected, :math:`J/\\Gamma_b > 10^{300}`, :math:`1/\\Gamma_b`
        not finite, or a late count :math:`s\\xi^d\\ln^d(J/\\Gamma_b) > 10^{300}`
        (the message gives the largest ``d`` and ``s_xi_d`` that work).
    """
    Gamma_b, s_xi_d, J, d = _check_external(Gamma_b, s_xi_d, J, d, nfast)
    t = check_real("t", t, lo=0.0, lo_open=False)
    out = _nfast_values(t, Gamma_b, s_xi_d, J, d, nfast)
    return float(out) if np.ndim(t) == 0 else out


@_warns_on_return
def echo_decay(t, *, Gamma_b, s_xi_d, J, d=1, nfast="literal"):
    """Spin-echo decay :math:`\\psi(t) = \\exp[-\\Gamma_b n_{fast}(t) t]`, Eq. (10).

    Parameters are those of :func:`nfast_external` (same tie convention:
    :math:`n_{fast} = 1` for :math:`Jt \\le 1`).

    Returns
    -------
    float or numpy.ndarray
        :math:`\\psi(t) \\in [0, 1]`, same shape as ``t`` (0 where it underflows).

    Validity
    --------
    As :func:`nfast_external`: the same ValidityWarnings.

    Raises
    ------
    ValueError
        As :func:`nfast_external`.
    """
    Gamma_b, s_xi_d, J, d = _check_external(Gamma_b, s_xi_d, J, d, nfast)
    t = check_real("t", t, lo=0.0, lo_open=False)
    n = _nfast_values(t, Gamma_b, s_xi_d, J, d, nfast)
    with np.errstate(over="ignore"):   # a rate times t beyond the float range: psi = 0
        psi = np.exp(-float(Gamma_b) * n * np.asarray(t, dtype=float))
    return float(psi) if np.ndim(t) == 0 else psi


# ---------------------------------------------------------------------------
# The lineshape: cosine transform of the echo decay (Eq. 10) and Eqs. (12)-(13)
# ---------------------------------------------------------------------------

def _nfast_raw(t, Gamma_b, s_xi_d, J, d, nfast):
    """Eq. (11) without validation (t: float array, may contain inf); the tie Jt = 1 gives 1."""
    return _nfast_values(t, Gamma_b, s_xi_d, J, d, nfast)


def _nfast_late_value(Gamma_b, s_xi_d, J, d, nfast):
    """s xi^d ln^d(J/Gamma_b) (literal) or max(1, ...) for validated parameters."""
    lr = math.log(J / Gamma_b)
    if lr <= 0.0 or d * math.log(lr) <= 690.0:   # lr**d is a finite float: as Eq. (11) reads
        n = s_xi_d * lr ** d
    else:                                         # validated: s lr^d <= 1e300, but lr^d alone may overflow
        n = math.exp(math.log(s_xi_d) + d * math.log(lr))
    return float(n if nfast == "literal" else max(1.0, n))


@_warns_on_return
def nfast_late(*, Gamma_b, s_xi_d, J, d=1, nfast="literal"):
    """Saturated count :math:`n_{fast}(t \\gg 1/\\Gamma_b)`, third branch of Eq. (11).

    Returns :math:`s\\xi^d\\ln^d(J/\\Gamma_b)` (``"literal"``) or
    :math:`\\max[1, s\\xi^d\\ln^d(J/\\Gamma_b)]` (``"continuous"``), a float.
    The late-time echo rate is :math:`\\Gamma_b` times this number.

    Validity
    --------
    As :func:`nfast_external` (the literal value below 1 is one of the warnings).

    Raises
    ------
    ValueError
        As :func:`nfast_external`.
    """
    Gamma_b, s_xi_d, J, d = _check_external(Gamma_b, s_xi_d, J, d, nfast)
    return _nfast_late_value(Gamma_b, s_xi_d, J, d, nfast)


def _check_rate(name, rate, what):
    """A rate (e.g. Gamma_b n_late) must be a float of at most 1e300."""
    if not rate <= 1e300:
        raise ValueError(f"{name}: the {what} = {rate:.6g} exceeds 1e300 (not representable with margin); "
                         f"lower {name}")
    return rate


def _pieces(Gamma_b, s_xi_d, J, d, nfast):
    t_end = 1.0 / Gamma_b
    if nfast == "literal":
        t1 = 1.0 / J
    else:
        e = s_xi_d ** (-1.0 / d)
        # exp(e)/J >= 1/Gamma_b once e >= ln(J/Gamma_b) (<= 691): then t1 = t_end
        t1 = min(math.exp(e) / J, t_end) if e <= 700.0 else t_end
    with np.errstate(over="ignore"):
        g_late = Gamma_b * _nfast_late_value(Gamma_b, s_xi_d, J, d, nfast)
    return {
        "first": (0.0, t1, Gamma_b),
        "middle": (t1, t_end) if t1 < t_end else None,
        "tail": (t_end, g_late),
    }


@_warns_on_return
def echo_pieces(*, Gamma_b, s_xi_d, J, d=1, nfast="literal"):
    """Split :math:`[0, \\infty)` where :math:`\\psi(t)` of Eq. (10) changes form.

    :math:`\\psi(t)` is a pure exponential :math:`e^{-G t}` on the first
    piece (:math:`n_{fast} = 1`, :math:`G = \\Gamma_b`) and on the last one
    (:math:`t \\ge 1/\\Gamma_b`, :math:`G = \\Gamma_b n_{fast}^{late}`); in
    between it is :math:`\\exp[-\\Gamma_b s\\xi^d\\ln^d(Jt)\\,t]`, smooth
    (analytic) inside but with a kink (``"continuous"``) or a jump
    (``"literal"``, just after :math:`t = 1/J`) at the ends.

    Returns
    -------
    dict
        ``"first"``: ``(a, b, G)`` exponential piece on ``[a, b]`` (``None``
        if empty); ``"middle"``: ``(a, b)`` of the logarithmic branch
        (``None`` if empty); ``"tail"``: ``(a, G)``, exponential on
        ``[a, inf)``.  For ``"literal"`` the first piece ends at
        :math:`1/J` (closed: the tie :math:`Jt = 1` is in the first branch);
        for ``"continuous"`` at :math:`t_* = e^{(s\\xi^d)^{-1/d}}/J` (where the
        middle branch reaches 1), clipped to :math:`1/\\Gamma_b`.

    Validity
    --------
    As :func:`nfast_external`.

    Raises
    ------
    ValueError
        As :func:`nfast_external`; also if the late rate
        :math:`\\Gamma_b n_{fast}^{late}` exceeds :math:`10^{300}`.
    """
    Gamma_b, s_xi_d, J, d = _check_external(Gamma_b, s_xi_d, J, d, nfast)
    p = _pieces(Gamma_b, s_xi_d, J, d, nfast)
    _check_rate("Gamma_b", p["tail"][1], "late echo rate Gamma_b n_fast^late")
    return p


def exponential_piece_ft(omega, *, rate, a=0.0, b=math.inf):
    """Closed-form :math:`\\int_a^b e^{-G t}\\cos(\\omega t)\\,dt` (G = ``rate``).

    .. math::
        \\int_a^b e^{-Gt}\\cos\\omega t\\,dt = \\left[\\frac{e^{-Gt}
        (\\omega\\sin\\omega t - G\\cos\\omega t)}{G^2 + \\omega^2}\\right]_a^b ,

    so a pure exponential (:math:`a = 0, b = \\infty`) gives the Lorentzian
    :math:`G/(\\omega^2 + G^2)`.  Where :math:`\\omega`, :math:`G` or the
    limits exceed :math:`10^{150}` the bracket is evaluated with
    :math:`h = \\sqrt{G^2 + \\omega^2}` factored out (no overflow), a term with
    :math:`e^{-Gt} = 0` is 0, and the oscillating factors of a limit where
    :math:`\\omega t` overflows are dropped (their phase is not representable).

    Parameters
    ----------
    omega : float or array_like
        Frequency :math:`\\omega \\ge 0` (same unit as ``rate``).
    rate : float
        Decay rate :math:`G > 0`, with :math:`1/G` a finite float.
    a, b : float
        Limits, :math:`0 \\le a \\le b \\le \\infty`.

    Validity
    --------
    Exact: never warns.

    Raises
    ------
    ValueError
        For out-of-range or non-scalar ``rate``, ``a``, ``b``, or if the
        result overflows (:math:`1/\\sqrt{G^2+\\omega^2}` beyond the float range).
    """
    rate = check_scalar(check_positive, "rate", rate)
    a = check_scalar(check_real, "a", a, lo=0.0, lo_open=False)
    if not (isinstance(b, (float, np.floating)) and b == math.inf):
        b = check_scalar(check_real, "b", b, lo=a, lo_open=False)
    w = check_real("omega", omega, lo=0.0, lo_open=False)
    out = _exp_ft(np.asarray(w, dtype=float), rate, a, float(b), scalar=np.ndim(w) == 0)
    if not np.all(np.isfinite(out)):
        raise ValueError(f"rate: the integral overflows for rate = {rate!r} and the smallest omega (it is about "
                         "1/rate); rate must be >= 5.6e-309")
    return out


_BIG = 1e150


def _exp_ft(w, G, a, b, scalar=False):
    w = np.asarray(w, dtype=float)
    wmax = float(np.max(w)) if w.size else 0.0
    if G <= _BIG and wmax <= _BIG and a <= _BIG and (b == math.inf or b <= _BIG) and G >= 1e-150:
        def prim(t):
            if t == math.inf:
                return 0.0
            return math.exp(-G * t) * (w * np.sin(w * t) - G * np.cos(w * t))
        out = (prim(b) - prim(a)) / (G * G + w * w)
        return float(out) if scalar else out
    w_inf = ~np.isfinite(w)            # omega = inf (omega/Gamma_b overflowed): the transform is 0 there
    if np.any(w_inf):
        w = np.where(w_inf, 0.0, w)
    h = np.hypot(G, w)
    wh, Gh = w / h, G / h

    def prim_safe(t):
        if t == math.inf:
            return np.zeros(w.shape)
        e = math.exp(-G * t)            # G t may be inf: e = 0
        if e == 0.0:
            return np.zeros(w.shape)
        with np.errstate(over="ignore"):
            wt = w * t
        fin = np.isfinite(wt)
        val = np.zeros(w.shape)
        val[fin] = e * (wh[fin] * np.sin(wt[fin]) - Gh[fin] * np.cos(wt[fin]))
        return val
    with np.errstate(over="ignore"):
        out = (prim_safe(b) - prim_safe(a)) / h
    if np.any(w_inf):
        out = np.where(w_inf, 0.0, out)
    return float(out) if scalar else out


def _middle_integrand(Gamma_b, s_xi_d, J, d):
    """psi(t) on the logarithmic middle branch of Eq. (11), for arrays ``t`` (Gauss-Legendre)."""
    lj = math.log(J)
    if d * math.log(max(lj, 1e-300)) <= 690.0 or lj <= 0:
        if Gamma_b * s_xi_d <= 1e6:
            def f(t):
                return np.exp(-Gamma_b * s_xi_d * np.log(J * t) ** d * t)
        else:                      # keep the exponent <= 0 where ln(Jt) rounds below 0
            def f(t):
                with np.errstate(over="ignore"):
                    return np.exp(-Gamma_b * s_xi_d * np.maximum(np.log(J * t), 0.0) ** d * t)
        return f
    c = math.log(Gamma_b * s_xi_d)

    def f_log(t):                       # ln^d(Jt) would overflow: exp(-exp(ln(Gb s) + d ln ln(Jt) + ln t))
        L = np.log(J * t)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            e = np.exp(c + d * np.log(np.where(L > 0, L, 0.0)) + np.log(t))
            return np.where(L > 0, np.exp(-e), 1.0)
    return f_log


def _middle_integrand_scalar(Gamma_b, s_xi_d, J, d):
    """The same function for one float ``t`` at a time, as QUADPACK calls it.

    Built on :mod:`math` instead of NumPy ufuncs: the values agree with
    :func:`_middle_integrand` to rounding (tests), but a call costs about
    half as much, and :func:`lineshape` makes ~10^4 of them per call.
    """
    exp, log = math.exp, math.log
    d = int(d)
    c = -Gamma_b * s_xi_d          # also the first product in _middle_integrand: same rounding
    lj = log(J)

    if lj > 0 and d * log(lj) > 690.0:   # ln^d(Jt) could overflow a float: through logarithms
        lc = log(-c)                    # (never for d = 1: ln J <= 710)

        def f(t):
            L = log(J * t)
            if L <= 0.0:
                return 1.0
            e = lc + d * log(L) + log(t)
            return 0.0 if e > 709.0 else exp(-exp(e))
    elif s_xi_d * Gamma_b > 1e6:   # ln(Jt) can round to -1e-16 at t = 1/J: keep the exponent <= 0
        def f(t):
            L = log(J * t)
            return 1.0 if L <= 0.0 else exp(c * L ** d * t)
    elif d == 1:                   # x**1 is x exactly
        def f(t):
            return exp(c * log(J * t) * t)
    else:                          # keep x**d: x*x can differ from pow(x, 2) in the last bit
        def f(t):
            return exp(c * log(J * t) ** d * t)
    return f


def _check_omega(omega):
    """Validated frequencies as a flat float array, and their shape (``()`` for a scalar)."""
    w = check_real("omega", omega, lo=0.0, lo_open=False)
    return np.atleast_1d(np.asarray(w, dtype=float)).ravel(), np.shape(w)


def _shaped(out, shape):
    return float(out[0]) if shape == () else out.reshape(shape)


def _middle_cuts(a, b):
    cuts = [a]
    k = 1
    while a * 10.0 ** k < b:
        cuts.append(a * 10.0 ** k)
        k += 1
    cuts.append(b)
    return cuts


def _unit_pars(Gamma_b, s_xi_d, J):
    """Parameters in units of Gamma_b (exact when Gamma_b = 1): (1, s_xi_d, J/Gamma_b)."""
    return 1.0, s_xi_d, J / Gamma_b


def _check_transformable(g_late, s_xi_d):
    """The transforms need 1/G_late finite (G_late in units of Gamma_b): S(0) ~ 1/G_late."""
    if not g_late >= _TINY_RATE:
        raise ValueError(
            f"s_xi_d = {s_xi_d!r}: the late count s_xi_d * ln(J/Gamma_b)**d = {g_late:.4g} is below {_TINY_RATE:.3g}, "
            "so S(0) ~ 1/(Gamma_b n_fast) is beyond the float range; a larger s_xi_d (or J/Gamma_b) is needed")


def _in_rate_units(S, Gamma_b, what="S(omega)"):
    """A transform computed in units of Gamma_b, back in units of 1/Gamma_b (ValueError on overflow)."""
    with np.errstate(over="ignore"):
        out = S / Gamma_b
    if not np.all(np.isfinite(out)):
        raise ValueError(f"Gamma_b = {Gamma_b!r}: {what} (~ 1/(Gamma_b n_fast)) exceeds the float range; "
                         "a larger Gamma_b (or s_xi_d) is needed")
    return out


@_warns_on_return
def lineshape(omega, *, Gamma_b, s_xi_d, J, d=1, nfast="literal", epsrel=1e-12):
    """Spectral lineshape :math:`S(\\omega) = \\int_0^\\infty \\psi(t)\\cos(\\omega t)\\,dt`.

    The cosine transform of the echo decay of Eq. (10) with :math:`n_{fast}`
    of Eq. (11) -- the "numerical Fourier transform" of the paper's Fig. 2.
    With this normalisation a pure exponential :math:`e^{-Gt}` gives
    :math:`G/(\\omega^2 + G^2)` and :math:`\\int_0^\\infty S\\,d\\omega = \\pi/2`.

    Method: in units of :math:`\\Gamma_b` (:math:`S = \\tilde S(\\omega/\\Gamma_b)
    /\\Gamma_b`, exact for ``Gamma_b = 1``) the integral is split where
    :math:`\\psi` changes form (:func:`echo_pieces`); the two exponential
    pieces (first and semi-infinite last) use the closed form of
    :func:`exponential_piece_ft`; the logarithmic middle piece, further split
    at :math:`t = 10^k/J`, uses QUADPACK's QAWO
    (:func:`scipy.integrate.quad` with ``weight="cos"``).  Compared with the
    independent :func:`lineshape_gauss` the relative difference is below
    :math:`10^{-8}` for :math:`\\omega \\le J/2` (tests).

    Parameters
    ----------
    omega : float or array_like
        Angular frequency :math:`\\omega \\ge 0`, same unit as ``Gamma_b``.
    Gamma_b, s_xi_d, J, d, nfast
        As in :func:`nfast_external`.
    epsrel : float
        Relative tolerance requested from QAWO on each sub-piece, in
        :math:`(0, 10^{-3})` (the absolute tolerance is ``epsrel`` times the
        piece's :math:`\\int |\\psi|`-scale, :math:`\\epsilon/\\Gamma_b`-ish).

    Returns
    -------
    float or numpy.ndarray
        :math:`S(\\omega)` in units of 1/``Gamma_b``; same shape as ``omega``.

    Validity
    --------
    As :func:`nfast_external` (one ValidityWarning per call).

    Raises
    ------
    ValueError
        As :func:`nfast_external`; for ``epsrel`` outside :math:`(0,
        10^{-3})`; if (number of frequencies) x (decades of the middle
        branch) exceeds :data:`MAX_QUAD` (the message gives the most
        frequencies that work); if :math:`\\omega > 10^{15}\\Gamma_b`
        (:data:`MAX_OMEGA`: the phases :math:`\\omega t` on the middle branch
        have no significant digits left); or if :math:`S` overflows (tiny
        ``Gamma_b`` with a tiny late count).
    """
    w, shape = _check_omega(omega)
    Gamma_b, s_xi_d, J, d = _check_external(Gamma_b, s_xi_d, J, d, nfast)
    epsrel = check_scalar(check_real, "epsrel", epsrel, lo=0.0, hi=1e-3)
    gb, s, Jt = _unit_pars(Gamma_b, s_xi_d, J)
    with np.errstate(over="ignore"):   # omega/Gamma_b beyond the float range: S = 0 there
        wt = w / Gamma_b if Gamma_b != 1.0 else w
    pieces = _pieces(gb, s, Jt, d, nfast)
    a0, b0, g0 = pieces["first"]
    ta, g_late = pieces["tail"]
    _check_transformable(g_late, s_xi_d)
    out = _exp_ft(wt, g0, a0, b0) + _exp_ft(wt, g_late, ta, math.inf)
    if pieces["middle"] is not None:
        if wt.size and not float(np.max(wt)) <= MAX_OMEGA:
            raise ValueError(
                f"omega must be <= {MAX_OMEGA:g} * Gamma_b = {MAX_OMEGA * Gamma_b:.6g} for lineshape: beyond, the "
                f"phases omega*t on the middle branch (t up to 1/Gamma_b) have no significant digits left in double "
                f"precision; got max(omega) = {float(np.max(w))!r}")
        a, b = pieces["middle"]
        cuts = _middle_cuts(a, b)
        n_quad = wt.size * (len(cuts) - 1)
        if n_quad > MAX_QUAD:
            raise ValueError(
                f"omega has {wt.size} frequencies and the middle branch of Eq. (11) spans {len(cuts) - 1} decades "
                f"(J/Gamma_b = {Jt:.3g}): {n_quad} QAWO integrals exceed MAX_QUAD = {MAX_QUAD}; omega must have "
                f"at most {MAX_QUAD // (len(cuts) - 1)} frequencies per call here")
        f = _middle_integrand_scalar(gb, s, Jt, int(d))
        # absolute tolerance: epsrel times a lower estimate of |S(omega)| ~ Gamma_b/(omega^2 + G_late^2)
        if 1e-150 <= g_late <= _BIG:
            scale = gb / (wt ** 2 + g_late ** 2)
        else:  # (the middle piece itself is at most 1/Gamma_b; G_late^2 would over/underflow)
            with np.errstate(under="ignore"):
                scale = gb / (wt ** 2 + min(max(g_late, 1.0), _BIG) ** 2)
        for i, wi in enumerate(wt):
            if not math.isfinite(wi):
                continue
            total = 0.0
            for lo, hi in zip(cuts[:-1], cuts[1:]):
                # full_output: QUADPACK reports (e.g. "roundoff detected") in the return value
                # instead of a warning; the accuracy is checked against lineshape_gauss in the tests.
                res = quad(f, lo, hi, weight="cos", wvar=wi, epsabs=epsrel * scale[i], epsrel=epsrel,
                           limit=400, full_output=1)
                total += res[0]
            out[i] += total
    if Gamma_b != 1.0:
        out = _in_rate_units(out, Gamma_b)
    return _shaped(out, shape)


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
    with np.errstate(over="ignore"):
        max_len = 2 * np.pi / omega / per_period if omega > 0 else np.inf
    if max_len < np.inf:
        pieces = []
        for lo, hi in zip(edges[:-1], edges[1:]):
            m = max(1, int(np.ceil((hi - lo) / max_len)))
            pieces.append(np.linspace(lo, hi, m + 1)[:-1])
        edges = np.append(np.concatenate(pieces), b)
    return edges


def _gl_count(a, b, omega, *, grade_from_zero=False, per_period=4.0):
    """Number of panels :func:`_gl_panels` would make (float; inf if beyond any budget), without making them."""
    if grade_from_zero and a > 0:
        n_grade = max(1, int(math.floor(math.log2(b / a))) + 1) if b > 2 * a else 1
    else:
        n_grade = 1
    if omega <= 0:
        return float(n_grade)
    with np.errstate(over="ignore"):
        per = (b - a) * omega * per_period / (2 * np.pi)
    return float(n_grade) + float(per)


def _gl_integrate(f, edges, omega, nodes, weights):
    # Nodes and phases in extended precision: at omega*t ~ 1e3-1e4 the rounding of a double
    # product omega*t (~1e-13 rad) would limit the sum over thousands of panels to ~1e-7
    # relative accuracy where S(omega) is small. psi itself is smooth, so f(t) in double is fine.
    ld = np.longdouble
    lo = edges[:-1, None].astype(ld)
    half = (edges[1:, None].astype(ld) - lo) / 2
    t = lo + half * (1 + nodes[None, :].astype(ld))
    phase = np.cos(ld(omega) * t).astype(float)
    with np.errstate(under="ignore"):
        return float(np.sum(half.astype(float) * weights[None, :] * f(t.astype(float)) * phase))


@_warns_on_return
def lineshape_gauss(omega, *, Gamma_b, s_xi_d, J, d=1, nfast="literal", order=24, tail_decades=40.0):
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
    checks, not for plots.  Computed in units of :math:`\\Gamma_b` like
    :func:`lineshape`.

    Parameters and return value as in :func:`lineshape`; ``order`` in
    ``[4, 256]``, ``tail_decades > 0``.

    Validity
    --------
    As :func:`nfast_external`.

    Raises
    ------
    ValueError
        As :func:`lineshape`; for ``order`` outside ``[4, MAX_GL_ORDER]``;
        and if the quadrature needs more than :data:`MAX_GL_NODES`
        integrand values (panels x order over all frequencies, e.g. for
        :math:`\\omega/\\Gamma_b` beyond :math:`\\sim 10^5` or a huge
        ``tail_decades``): the message gives the largest ``omega``.
    """
    w, shape = _check_omega(omega)
    order = check_positive_int("order", order, minimum=4)
    if order > MAX_GL_ORDER:
        raise ValueError(f"order must be an integer in [4, {MAX_GL_ORDER}] (numpy's leggauss costs order^3); "
                         f"got {order}")
    tail_decades = check_scalar(check_positive, "tail_decades", tail_decades)
    Gamma_b, s_xi_d, J, d = _check_external(Gamma_b, s_xi_d, J, d, nfast)
    gb, s, Jt = _unit_pars(Gamma_b, s_xi_d, J)
    with np.errstate(over="ignore"):   # omega/Gamma_b beyond the float range: S = 0 there
        wt = w / Gamma_b if Gamma_b != 1.0 else w
    pieces = _pieces(gb, s, Jt, d, nfast)
    a0, b0, g0 = pieces["first"]
    ta, g_late = pieces["tail"]
    _check_transformable(g_late, s_xi_d)
    with np.errstate(over="ignore"):
        t_cut = ta + tail_decades / g_late
    if not math.isfinite(t_cut):
        raise ValueError(f"tail_decades must be <= {1e300 * g_late:.6g} here: the tail quadrature ends at "
                         f"t = 1/Gamma_b + tail_decades/(Gamma_b n_fast), beyond the float range; got {tail_decades!r}")
    # the work, before any array is made
    total = 0.0
    for wi in wt:
        if not math.isfinite(wi):
            continue
        total += _gl_count(a0, b0, wi) + _gl_count(ta, t_cut, wi)
        if pieces["middle"] is not None:
            total += _gl_count(*pieces["middle"], wi, grade_from_zero=True)
    if not total * order <= MAX_GL_NODES:
        mid = 0.0 if pieces["middle"] is None else pieces["middle"][1] - pieces["middle"][0]
        span = (b0 - a0) + (t_cut - ta) + mid
        w_max = MAX_GL_NODES / order / max(1, wt.size) * 2 * np.pi / 4.0 / span * Gamma_b
        raise ValueError(
            f"omega (and tail_decades = {tail_decades!r}) need {total * order:.3g} Gauss-Legendre nodes (panels of a "
            f"quarter period over t up to {t_cut / Gamma_b:.3g}), more than MAX_GL_NODES = {MAX_GL_NODES}; with "
            f"{wt.size} frequencies omega must be <= about {w_max:.4g} here (use lineshape for large omega)")
    nodes, weights = np.polynomial.legendre.leggauss(order)
    f_mid = _middle_integrand(gb, s, Jt, int(d))
    out = np.empty_like(wt)
    for i, wi in enumerate(wt):
        if not math.isfinite(wi):
            out[i] = 0.0
            continue
        total = _gl_integrate(lambda t: np.exp(-g0 * t), _gl_panels(a0, b0, wi), wi, nodes, weights)
        if pieces["middle"] is not None:
            a, b = pieces["middle"]
            total += _gl_integrate(f_mid, _gl_panels(a, b, wi, grade_from_zero=True), wi, nodes, weights)
        total += _gl_integrate(lambda t: np.exp(-g_late * t), _gl_panels(ta, t_cut, wi), wi, nodes, weights)
        total += float(_exp_ft(np.asarray(wi), g_late, t_cut, math.inf))
        out[i] = total
    if Gamma_b != 1.0:
        out = _in_rate_units(out, Gamma_b)
    return _shaped(out, shape)


def _lorentz(g, w):
    """g/(w^2 + g^2) for arrays (g >= 0, w >= 0), without overflow (plain form where it is safe)."""
    g = np.asarray(g, dtype=float)
    w = np.asarray(w, dtype=float)
    m = np.maximum(g, w)
    safe = (m <= _BIG) & (m >= 1e-150)
    if np.all(safe):
        return g / (w ** 2 + g ** 2)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        plain = g / (w ** 2 + g ** 2)
        gm, wm = g / m, w / m            # m = max: ratios <= 1
        robust = gm / (m * (wm ** 2 + gm ** 2))
    return np.where(safe, plain, np.where(m == np.inf, 0.0, robust))


def lorentzian(omega, *, width):
    """Lorentzian :math:`\\Gamma/(\\omega^2 + \\Gamma^2)`, the transform of :math:`e^{-\\Gamma t}`.

    Parameters
    ----------
    omega : float or array_like
        Frequency :math:`\\omega \\ge 0`.
    width : float
        Half width at half maximum :math:`\\Gamma > 0` (same unit).

    Validity
    --------
    A plain function: never warns.

    Raises
    ------
    ValueError
        For a negative or non-finite ``omega``, a non-positive or array
        ``width``, or a peak :math:`1/\\Gamma` beyond the float range
        (``width`` below about 5.6e-309).
    """
    width = check_scalar(check_positive, "width", width)
    w = check_real("omega", omega, lo=0.0, lo_open=False)
    wa = np.asarray(w, dtype=float)
    if 1e-150 <= width <= _BIG and float(np.max(wa)) <= _BIG:
        out = width / (wa ** 2 + width ** 2)
    else:
        out = _lorentz(width, wa)
    if not np.all(np.isfinite(out)):
        raise ValueError(f"width must be >= {_TINY_RATE:.4g} (the peak 1/width must be a finite float); "
                         f"got {width!r}")
    return float(out) if np.ndim(w) == 0 else out


@_warns_on_return
def lineshape_eq12(omega, *, Gamma_b, s_xi_d, J, d=1, nfast="literal"):
    """Analytic approximation of Eq. (12): a Lorentzian with a running width.

    .. math::
        S(\\omega) \\simeq \\frac{\\Gamma_b n_{fast}(1/\\omega)}
        {\\omega^2 + [\\Gamma_b n_{fast}(1/\\omega)]^2}  \\qquad (12)

    At :math:`\\omega = 0` the late-time count :func:`nfast_late` is used.
    With ``nfast="literal"``, :math:`n_{fast}(1/\\omega) \\to 0` as
    :math:`\\omega \\to J^-`, so Eq. (12) dips to zero just below
    :math:`\\omega = J`; at :math:`\\omega = J` itself the tie
    :math:`Jt = 1` gives :math:`n_{fast} = 1`.

    Parameters and return value as in :func:`lineshape`.

    Validity
    --------
    As :func:`nfast_external`.

    Raises
    ------
    ValueError
        As :func:`nfast_external`, or if :math:`S` overflows.
    """
    w, shape = _check_omega(omega)
    Gamma_b, s_xi_d, J, d = _check_external(Gamma_b, s_xi_d, J, d, nfast)
    with np.errstate(divide="ignore", over="ignore"):
        t = np.where(w > 0, 1.0 / np.where(w > 0, w, 1.0), np.inf)
    with np.errstate(over="ignore"):
        g = Gamma_b * _nfast_raw(t, Gamma_b, s_xi_d, J, d, nfast)
    with np.errstate(invalid="ignore"):
        out = np.where(g > 0, _lorentz(g, w), 0.0)
    if not np.all(np.isfinite(out)):
        raise ValueError(f"Gamma_b = {Gamma_b!r}: S(omega) of Eq. (12) ~ 1/(Gamma_b n_fast) exceeds the float range")
    return _shaped(out, shape)


@_warns_on_return
def central_width(*, Gamma_b, s_xi_d, J, d=1, nfast="literal"):
    """Width :math:`\\tilde\\Gamma` of the central peak, Eq. (13), solved numerically.

    Solves :math:`\\tilde\\Gamma = \\Gamma_b\\, n_{fast}(1/\\tilde\\Gamma)`
    with :func:`scipy.optimize.brentq` in :math:`u = \\ln(\\tilde\\Gamma/\\Gamma_b)`.
    The function :math:`x - \\Gamma_b n_{fast}(1/x)` increases with :math:`x`
    except for a downward step of :math:`\\Gamma_b` at :math:`x = J` that
    keeps it positive, so the root is unique.  See
    :func:`central_width_closed_form` for the same number via Lambert W.

    Returns
    -------
    float
        :math:`\\tilde\\Gamma`, same unit as ``Gamma_b`` (0.0 where it underflows:
        a literal late count :math:`\\ll 10^{-280}`).

    Validity
    --------
    As :func:`nfast_external`.

    Raises
    ------
    ValueError
        As :func:`nfast_external`.
    """
    Gamma_b, s_xi_d, J, d = _check_external(Gamma_b, s_xi_d, J, d, nfast)
    gb, s, Jt = _unit_pars(Gamma_b, s_xi_d, J)
    n_late = _nfast_late_value(gb, s, Jt, d, nfast)

    def h(u):
        x = math.exp(u)
        return 1.0 - gb * float(_nfast_raw(1.0 / x, gb, s, Jt, d, nfast)) / x

    if n_late < 1e-280:
        # only the literal reading with s xi^d ln^d(J/Gamma_b) << 1: the root is on the late branch, x = n_late
        return float(Gamma_b * n_late)
    lo = math.log(0.5 * gb * min(1.0, n_late))
    hi = math.log(2.0 * Jt)
    u = brentq_or_bisect(h, lo, hi, xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=200)
    return float(Gamma_b * math.exp(u))


def _lambertw_exp_scalar(L):
    """W_0(e^L) for a real L, without overflow (the shared kernel of :mod:`nblm_helpers._special`)."""
    return float(_lambertw_exp(L))


@_warns_on_return
def central_width_closed_form(*, Gamma_b, s_xi_d, J, d=1, nfast="literal"):
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
    ``"continuous"``: :math:`\\Gamma_b`).  The argument of :math:`W_0` is
    formed from logarithms where :math:`J/a` would overflow.

    Returns
    -------
    (float, str)
        :math:`\\tilde\\Gamma` and the branch of Eq. (11) used,
        ``"middle"`` or ``"late"``.

    Validity
    --------
    As :func:`nfast_external` (the literal late branch is the case
    :math:`s\\xi^d\\ln^d(J/\\Gamma_b) < 1` that warns).

    Raises
    ------
    ValueError
        As :func:`nfast_external`.
    """
    Gamma_b, s_xi_d, J, d = _check_external(Gamma_b, s_xi_d, J, d, nfast)
    gb, s, Jt = _unit_pars(Gamma_b, s_xi_d, J)
    a = gb * s
    q = Jt / a
    if q < 1e300:
        arg = q ** (1.0 / d) / d
        W = lambertw(arg, 0).real
    else:  # ln arg = ln(J/a)/d - ln d
        W = _lambertw_exp_scalar((math.log(Jt) - math.log(a)) / d - math.log(d))
    with np.errstate(under="ignore"):
        x_m = float(Jt * math.exp(-d * W))
    if x_m >= gb:
        return float(Gamma_b * x_m), "middle"
    return float(Gamma_b * _nfast_late_value(gb, s, Jt, d, nfast)), "late"


@_warns_on_return
def central_width_leading(*, Gamma_b, s_xi_d, J, d=1):
    """Leading-order width :math:`\\Gamma_b s\\xi^d\\ln^d(J/\\Gamma_b)` (remark after Eq. 13).

    This is :math:`\\Gamma_b n_{fast}` at late times; it exceeds the
    self-consistent :func:`central_width` by a factor
    :math:`[\\ln(J/\\Gamma_b)/\\ln(J/\\tilde\\Gamma)]^d`, which tends to 1 only
    logarithmically as :math:`\\Gamma_b \\to 0`.

    Validity
    --------
    As :func:`nfast_external` with the literal count (a leading-order
    width below :math:`\\Gamma_b` warns).

    Raises
    ------
    ValueError
        As :func:`nfast_external`; also if the width exceeds :math:`10^{300}`.
    """
    Gamma_b, s_xi_d, J, d = _check_external(Gamma_b, s_xi_d, J, d, "literal")
    with np.errstate(over="ignore"):
        out = float(Gamma_b * _nfast_late_value(Gamma_b, s_xi_d, J, d, "literal"))
    return _check_rate("Gamma_b", out, "leading-order width Gamma_b s xi^d ln^d(J/Gamma_b)")


def _check_grid(n_grid):
    n_grid = check_positive_int("n_grid", n_grid, minimum=3)
    if n_grid > MAX_GRID:
        raise ValueError(f"n_grid must be an integer in [3, {MAX_GRID}] (one lineshape evaluation per point); "
                         f"got {n_grid}")
    return n_grid


def _refine(g, a, b, **kw):
    """The root of ``g`` in [a, b], or None if ``g`` evaluated at a and b shows no sign change.

    The scan found one, but near the float resolution of S (e.g. noise-level values at huge omega) a
    second evaluation need not agree; such a candidate is dropped instead of failing.
    """
    fa, fb = g(a), g(b)
    if fa == 0.0:
        return a
    if fb == 0.0:
        return b
    if not (fa < 0.0) != (fb < 0.0) or not (math.isfinite(fa) and math.isfinite(fb)):
        return None
    return brentq_or_bisect(g, a, b, **kw)


def _check_omega_max(hi, Gamma_b, s_xi_d, J, d, nfast):
    """omega_max within the range of :func:`lineshape` (MAX_OMEGA * Gamma_b when there is a middle branch)."""
    if _pieces(1.0, s_xi_d, J / Gamma_b, d, nfast)["middle"] is not None and not hi <= MAX_OMEGA * Gamma_b:
        raise ValueError(f"omega_max must be <= {MAX_OMEGA:g} * Gamma_b = {MAX_OMEGA * Gamma_b:.6g} (the range of "
                         f"lineshape: beyond, the phases omega*t have no significant digits); got {hi!r}")


def _budgeted(fn, limit, what):
    """Wrap fn so that more than ``limit`` calls raise ValueError (bounded root refinement)."""
    count = [0]

    def g(x):
        count[0] += 1
        if count[0] > limit:
            raise ValueError(what)
        return fn(x)
    return g


@_warns_on_return
def lorentzian_crossings(*, Gamma_b, s_xi_d, J, d=1, nfast="literal", omega_min=None, omega_max=None,
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

    Validity
    --------
    As :func:`nfast_external` (one warning per call).

    Raises
    ------
    ValueError
        As :func:`lineshape`; ``omega_min > 0``, ``omega_max > omega_min``
        scalars; ``n_grid`` in ``[3, MAX_GRID]``; and if the refinement needs
        more than ``50 n_grid`` lineshape evaluations (very many crossings).
    """
    Gamma_b, s_xi_d, J, d = _check_external(Gamma_b, s_xi_d, J, d, nfast)
    pars = dict(Gamma_b=Gamma_b, s_xi_d=s_xi_d, J=J, d=d, nfast=nfast)
    lo = check_scalar(check_positive, "omega_min", 0.1 * Gamma_b if omega_min is None else omega_min)
    hi = check_scalar(check_real, "omega_max", 0.5 * J if omega_max is None else omega_max, lo=lo)
    n_grid = _check_grid(n_grid)
    _check_omega_max(hi, Gamma_b, s_xi_d, J, d, nfast)
    with warnings.catch_warnings():   # the premises were checked (and warned about) once above
        warnings.simplefilter("ignore", ValidityWarning)
        width = central_width(**pars)
        if not width >= _TINY_RATE:
            raise ValueError(f"Gamma_b = {Gamma_b!r}, s_xi_d = {s_xi_d!r}: the central width of Eq. (13) = {width!r} "
                             "(Gamma_b times a tiny late count) leaves the float range; no Lorentzian to compare with")

        def diff(w):
            return lineshape(w, **pars) - lorentzian(w, width=width)

        grid = np.geomspace(lo, hi, n_grid)
        vals = diff(grid)
        roots = []
        g = _budgeted(lambda u: float(diff(math.exp(u))), 50 * n_grid,
                      f"n_grid = {n_grid}: refining the crossings needs more than {50 * n_grid} lineshape "
                      "evaluations (very many crossings); narrow [omega_min, omega_max]")
        for i in np.nonzero(np.sign(vals[:-1]) * np.sign(vals[1:]) < 0)[0]:
            root = _refine(g, math.log(grid[i]), math.log(grid[i + 1]), xtol=1e-13)
            if root is not None:
                roots.append(root)
    return np.exp(np.asarray(roots, dtype=float))


@_warns_on_return
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

    Validity
    --------
    Warns (:class:`~nblm_helpers.parameters.ValidityWarning`) where
    :math:`\\gamma \\ge \\delta\\omega < W`: the virtual state is not
    perturbative there.

    Raises
    ------
    ValueError
        For non-positive or non-finite inputs, array ``gamma``/``W``, or a
        density :math:`\\gamma^2/(\\delta\\omega^2 W)` beyond the float range
        (the message names the parameters).
    """
    gamma = check_scalar(check_positive, "gamma", gamma)
    W = check_scalar(check_positive, "W", W)
    dw = check_positive("delta_omega", delta_omega)
    x = np.asarray(dw, dtype=float)
    inside = x < W
    if np.all((x >= 1e-75) & (x <= 1e75)) and 1e-75 <= gamma <= 1e75 and 1e-75 <= W <= 1e75:
        out = np.where(inside, gamma ** 2 / (x ** 2 * W), 0.0)
    else:
        ln_nu = 2 * math.log(gamma) - 2 * np.log(x) - math.log(W)
        if np.any(inside & (ln_nu > 709.0)):
            raise ValueError(
                f"delta_omega, gamma, W: gamma^2/(delta_omega^2 W) exceeds the float range (ln = "
                f"{float(np.max(np.where(inside, ln_nu, -np.inf))):.6g}); got gamma = {gamma!r}, W = {W!r}, "
                f"min(delta_omega) = {float(np.min(x))!r}")
        with np.errstate(under="ignore"):
            out = np.where(inside, np.exp(np.minimum(ln_nu, 709.0)), 0.0)
    if np.any(inside & (gamma >= x)):
        _emit(f"tunnelling_dos: gamma = {gamma:.4g} >= delta_omega at {int(np.count_nonzero(inside & (gamma >= x)))} "
              "point(s): the estimate assumes gamma << delta_omega (perturbative virtual state)")
    return float(out) if np.ndim(dw) == 0 else out


@_warns_on_return
def lineshape_zeros(*, Gamma_b, s_xi_d, J, d=1, nfast="literal", omega_min, omega_max, n_grid=100):
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

    Validity
    --------
    As :func:`nfast_external` (one warning per call).

    Raises
    ------
    ValueError
        As :func:`lorentzian_crossings`.
    """
    Gamma_b, s_xi_d, J, d = _check_external(Gamma_b, s_xi_d, J, d, nfast)
    pars = dict(Gamma_b=Gamma_b, s_xi_d=s_xi_d, J=J, d=d, nfast=nfast)
    lo = check_scalar(check_positive, "omega_min", omega_min)
    hi = check_scalar(check_real, "omega_max", omega_max, lo=lo)
    n_grid = _check_grid(n_grid)
    _check_omega_max(hi, Gamma_b, s_xi_d, J, d, nfast)
    with warnings.catch_warnings():   # the premises were checked (and warned about) once above
        warnings.simplefilter("ignore", ValidityWarning)
        grid = np.linspace(lo, hi, n_grid)
        vals = lineshape(grid, **pars)
        g = _budgeted(lambda w: lineshape(w, **pars), 50 * n_grid,
                      f"n_grid = {n_grid}: refining the zeros needs more than {50 * n_grid} lineshape evaluations "
                      "(very many zeros); narrow [omega_min, omega_max]")
        roots = [_refine(g, grid[i], grid[i + 1], xtol=1e-12)
                 for i in np.nonzero(np.sign(vals[:-1]) * np.sign(vals[1:]) < 0)[0]]
        roots = [r for r in roots if r is not None]
    return np.asarray(roots, dtype=float)
