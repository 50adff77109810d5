"""Eq. (19) along a line of :math:`\\varepsilon`: the curves of the paper's Figs. 6 and 8.

Gopalakrishnan & Nandkishore, PRB 90, 224203 (2014), Sec. V A-B and App. E.
Energies in units of :math:`\\delta_m`; :math:`\\varepsilon = 1 - 1/(\\Xi\\ln K)`.

* :func:`linewidth_curve` -- :math:`\\ln\\Gamma(\\varepsilon)` of Eq. (19) on the metallic side of
  :math:`\\varepsilon_c` (Fig. 6), with which validity conditions (Eqs. 23, 26, 27, read from the
  solver's :class:`~nblm_helpers.validity.Validity`) each root violates.
* :func:`saddle_point_curves` -- the data of the paper's Fig. 8: the roots of (E3) and of Eq. (19)
  with Eq. (27) marked, and the saddle point (C5) with its window (C6)-(C7).
* :func:`eps_no_root_below_gamma` -- the :math:`\\varepsilon` above which Eq. (19) has no root
  below :math:`\\Gamma = \\gamma` (status ``"above_gamma"``).

The functions only combine the solver (:func:`~.solve.solve_linewidth`), the boundary
(:func:`~.boundary.critical_eps`), the saddle point (:mod:`nblm_helpers.saddle_point`) and the
one classification of validity (:func:`nblm_helpers.validity.classify`); they type no formula.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import bisect

from ..parameters import check_real, check_scalar
from ..saddle_point import n_c, saddle_point_ln_linewidth
from ..validity import Validity, classify
from ._integral import _check_summation
from .boundary import critical_eps
from .solve import LinewidthResult, solve_linewidth

__all__ = ["LinewidthCurve", "linewidth_curve", "SaddlePointCurves", "saddle_point_curves",
           "eps_no_root_below_gamma"]

#: At most this many points per curve (one :func:`solve_linewidth` call each).
_MAX_CURVE_POINTS = 10_000


def _eps_line(name, eps):
    """A 1-d float array of eps values (a scalar becomes one point), validated eps < 1."""
    arr = np.atleast_1d(check_real(name, eps, hi=1.0))
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a scalar or a 1-d array; got an array of shape {arr.shape}")
    if arr.size > _MAX_CURVE_POINTS:
        raise ValueError(f"{name} has {arr.size} points; at most {_MAX_CURVE_POINTS} are accepted here")
    return arr


def _check_flag(name, value):
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False; got {value!r}")
    return bool(value)


@dataclass(frozen=True, eq=False)
class LinewidthCurve:
    """Eq. (19) solved on the metallic side of :math:`\\varepsilon_c` (:func:`linewidth_curve`).

    Attributes
    ----------
    keep : ndarray of bool
        Which of the requested :math:`\\varepsilon` were solved (those above the margin).
    eps : ndarray
        The solved :math:`\\varepsilon` (``eps[keep]`` of the request).
    ln_Gamma : ndarray
        The solver's ``ln_Gamma`` there: :math:`\\ln(\\Gamma/\\delta_m)` of the root, ``-inf`` if
        localized, :math:`\\ln\\gamma` (a bound) where the status is ``"above_gamma"``.
    status : ndarray of str
        The solver's status per point (``"root"``, ``"localized"``, ``"above_gamma"``).
    eps_c : float
        :math:`\\varepsilon_c` of :func:`~.boundary.critical_eps` (``1.0``: no metal).
    validity : Validity
        The solver's classification (Eqs. 23, 26, 27) at the solved points.
    violated : dict
        ``{"Eq. 23": n, "Eq. 26": n, "Eq. 27": n}``: roots at which each condition fails (only
        the conditions that fail somewhere), and ``"above_gamma"``: the number of points without a
        root below :math:`\\gamma`.  :func:`solve_linewidth` warns exactly when it is not empty.
    """

    keep: Any
    eps: Any
    ln_Gamma: Any
    status: Any
    eps_c: float
    validity: Validity
    violated: dict

    @property
    def root(self):
        """True where Eq. (19) has a root below :math:`\\gamma`."""
        return self.status == "root"

    @property
    def ln_Gamma_root(self):
        """:math:`\\ln\\Gamma` at the roots, NaN elsewhere (for plotting)."""
        return np.where(self.root, self.ln_Gamma, np.nan)

    @property
    def y(self):
        """The ordinate of Fig. 6, :math:`-1/\\ln(\\Gamma/\\delta_m)`, at the roots; NaN elsewhere."""
        return np.where(self.root, -1.0 / self.ln_Gamma, np.nan)

    @property
    def X_c(self):
        """:math:`\\Xi_c\\ln K - 1 = \\varepsilon_c/(1 - \\varepsilon_c)`; NaN if there is no metal."""
        return self.eps_c / (1 - self.eps_c) if self.eps_c < 1 else np.nan

    @property
    def inside(self):
        """Roots inside the window of Eqs. (23) and (27) (the conditions that bound it for d = 1)."""
        return self.root & np.asarray(self.validity["27"]) & np.asarray(self.validity["23"])

    @property
    def window(self):
        """``(lowest, highest)`` :math:`\\varepsilon` of :attr:`inside`; ``(nan, nan)`` if empty."""
        e = self.eps[self.inside]
        return (e.min(), e.max()) if e.size else (np.nan, np.nan)


def linewidth_curve(eps, *, gamma, K, N, s, d=1, sum_range="infinite", nfast="literal", margin=0.01,
                    relative_margin=False):
    """:math:`\\ln\\Gamma(\\varepsilon)` of Eq. (19) on the metallic side of :math:`\\varepsilon_c`.

    The curves of the paper's Fig. 6 (there in the variable :math:`\\Xi\\ln K - 1 =
    \\varepsilon/(1-\\varepsilon)`, ordinate :math:`-1/\\ln\\Gamma`) and of the validity-window
    chapter.  Points too close to the transition, where :math:`\\ln\\Gamma \\to -\\infty`, are
    left out: only :math:`\\varepsilon > \\varepsilon_c/2` (if :math:`\\varepsilon_c < 0`) or
    :math:`\\varepsilon > \\varepsilon_c + \\mathrm{margin}` (times :math:`1 - \\varepsilon_c` with
    ``relative_margin``) are solved.  Which validity conditions (Eqs. 23, 26, 27) the roots
    violate is read from the solver's result (:func:`nblm_helpers.validity.classify`).

    Parameters
    ----------
    eps : float or 1-d array_like
        :math:`\\varepsilon = 1 - 1/(\\Xi\\ln K) < 1`, at most 10000 points.
    gamma : float
        :math:`\\gamma/\\delta_m > 0` (a scalar).
    K, N, s, d, sum_range, nfast
        As in :func:`~.solve.solve_linewidth` (Eqs. 19-20).
    margin : float
        Distance kept from :math:`\\varepsilon_c` when :math:`\\varepsilon_c \\ge 0`, in [0, 1).
    relative_margin : bool
        Measure ``margin`` in units of :math:`1 - \\varepsilon_c`.

    Returns
    -------
    LinewidthCurve
        ``keep``, ``eps``, ``ln_Gamma``, ``status``, ``eps_c``, ``validity``, ``violated``; the
        properties ``y`` (Fig. 6), ``X_c``, ``inside`` and ``window`` (Eqs. 23 and 27).

    Raises
    ------
    ValueError
        For a bad parameter (named, with its value and range), and beyond the work limits of
        :func:`~.boundary.critical_eps` and :func:`~.solve.solve_linewidth`.  Never warns (the
        validity is in the result).
    """
    e_all = _eps_line("eps", eps)
    gamma = check_scalar(check_real, "gamma", gamma, lo=0.0)
    margin = check_scalar(check_real, "margin", margin, lo=0.0, hi=1.0, lo_open=False)
    relative_margin = _check_flag("relative_margin", relative_margin)
    pars = dict(gamma=gamma, K=K, N=N, s=s, d=d, sum_range=sum_range, nfast=nfast)
    eps_c = float(critical_eps(**pars))
    if eps_c < 0:
        floor = eps_c * 0.5
    else:
        floor = eps_c + margin * (1 - eps_c) if relative_margin else eps_c + margin
    keep = e_all > floor
    e = e_all[keep]
    if e.size == 0:
        empty = np.zeros(0)
        return LinewidthCurve(keep=keep, eps=e, ln_Gamma=empty, status=np.zeros(0, dtype="<U11"),
                              eps_c=eps_c, validity=Validity({k: np.zeros(0, bool) for k in ("23", "26", "27")}),
                              violated={})
    r = solve_linewidth(eps=e, warn=False, **pars)
    root = r.status == "root"
    violated = {f"Eq. {name}": int(np.count_nonzero(root & ~ok))
                for name, ok in r.validity.holds.items() if np.any(root & ~ok)}
    n_above = int(np.count_nonzero(r.status == "above_gamma"))
    if n_above:      # F > 1 up to Gamma = gamma: no root below gamma
        violated["above_gamma"] = n_above
    return LinewidthCurve(keep=keep, eps=e, ln_Gamma=r.ln_Gamma, status=r.status, eps_c=eps_c,
                          validity=r.validity, violated=violated)


@dataclass(frozen=True, eq=False)
class SaddlePointCurves:
    """The data of the paper's Fig. 8 for one coupling (:func:`saddle_point_curves`).

    Attributes
    ----------
    e3, e19 : LinewidthResult
        The roots of (E3) and of Eq. (19) on the points ``eps`` (solved with ``warn=False``; their
        ``validity`` says which conditions fail).
    ln_Gamma_C5 : ndarray
        :math:`\\ln(\\Gamma/\\delta_m)` of the saddle point (C5) on ``eps_line`` (``-inf`` for
        :math:`\\varepsilon \\le 0`).
    C5_window : ndarray of bool
        Where (C6) and (C7) hold on ``eps_line`` (the saddle point is controlled).
    n_c : float
        :math:`n_c = sNd^d`, the scale of the ordinate :math:`-1/\\ln(n_c\\Gamma)` of Fig. 8.
    """

    e3: LinewidthResult
    e19: LinewidthResult
    ln_Gamma_C5: Any
    C5_window: Any
    n_c: float

    @property
    def e3_root(self):
        return self.e3.status == "root"

    @property
    def e19_root(self):
        return self.e19.status == "root"

    @property
    def e3_valid(self):
        """(E3) roots inside Eq. (27), :math:`NK^{-N} < \\Gamma < \\gamma`."""
        return self.e3_root & np.asarray(self.e3.validity["27"])

    @property
    def e19_valid(self):
        """Eq. (19) roots inside Eq. (27)."""
        return self.e19_root & np.asarray(self.e19.validity["27"])


def saddle_point_curves(eps, *, eps_line, gamma, K, N, s, d=1, summation="sum", integral_limits="cell"):
    """The data of the paper's Fig. 8: (E3), Eq. (19) and the saddle point (C5) against :math:`\\varepsilon`.

    (E3) and Eq. (19) (unbounded sum, literal :math:`n_{\\rm fast}`) are solved on ``eps``; their
    roots inside Eq. (27) are marked by the solver's validity.  (C5) is evaluated on
    ``eps_line`` together with its window, (C6) and (C7) (:func:`nblm_helpers.validity.classify`).

    Parameters
    ----------
    eps : float or 1-d array_like
        :math:`\\varepsilon < 1` of the roots (at most 10000 points).
    eps_line : float or 1-d array_like
        :math:`\\varepsilon < 1` of the (C5) line (at most 10000 points).
    gamma, K, N, s, d
        As in :func:`~.solve.solve_linewidth` (App. E: :math:`\\gamma = 0.1`, :math:`K = 3`,
        :math:`N = 10`, :math:`s = 0.5`, :math:`d = 1`).
    summation, integral_limits
        As in :func:`~.solve.solve_linewidth`, for the Eq. (19) roots only: ``summation="integral"``
        solves Eq. (19) with its sum over :math:`m = n + p` replaced by the integral (Sec. V A, how
        the paper drew Fig. 8's open circles); (E3) is always its own sum.

    Returns
    -------
    SaddlePointCurves

    Raises
    ------
    ValueError
        For a bad parameter (named), and beyond the work limits of the solver.  Never warns.
    """
    e = _eps_line("eps", eps)
    line = _eps_line("eps_line", eps_line)
    gamma = check_scalar(check_real, "gamma", gamma, lo=0.0)
    summation, integral_limits = _check_summation(summation, integral_limits)
    pars = dict(gamma=gamma, K=K, N=N, s=s, d=d)
    e3 = solve_linewidth(eps=e, equation="E3", warn=False, **pars)
    e19 = solve_linewidth(eps=e, equation="19", warn=False, summation=summation, integral_limits=integral_limits,
                          **pars)
    # (C5) on the whole line; its window (C6)-(C7) says where it is controlled
    ln_c5 = saddle_point_ln_linewidth(eps=line, **pars, warn=False)
    window = classify(**pars, eps=line, conditions=("C6", "C7")).ok
    return SaddlePointCurves(e3=e3, e19=e19, ln_Gamma_C5=ln_c5, C5_window=np.asarray(window),
                             n_c=float(n_c(s=s, N=N, d=d)))


def eps_no_root_below_gamma(*, gamma, K, N, s, d=1, sum_range="infinite", nfast="literal", eps_lo, eps_hi,
                            xtol=1e-10, summation="sum", integral_limits="cell"):
    """The :math:`\\varepsilon` above which Eq. (19) has no root below :math:`\\Gamma = \\gamma`.

    As :math:`\\varepsilon` grows the physical root of Eq. (19) rises towards :math:`\\gamma`,
    where Eq. (20) ends; it disappears (the solver's status ``"above_gamma"``: :math:`F > 1` for
    every :math:`\\Gamma < \\gamma`) when it merges with a second root or reaches :math:`\\gamma`.
    That is a jump, not a zero of a smooth function, so the edge is found by SciPy's bisection
    (:func:`scipy.optimize.bisect`) on the sign ``+1`` (no root) / ``-1`` (a root) of
    :func:`~.solve.solve_linewidth` between ``eps_lo`` and ``eps_hi``.

    Parameters
    ----------
    gamma, K, N, s, d, sum_range, nfast
        As in :func:`~.solve.solve_linewidth` (Eqs. 19-20; ``gamma`` a scalar).
    eps_lo, eps_hi : float
        A bracket, :math:`\\varepsilon_{lo} < \\varepsilon_{hi} < 1`: a root below :math:`\\gamma`
        at ``eps_lo``, none at ``eps_hi``.
    xtol : float
        Absolute tolerance in :math:`\\varepsilon`, in [1e-14, 0.1] (each step is one solve).
    summation, integral_limits
        As in :func:`~.solve.solve_linewidth`: ``summation="integral"`` is the edge of the integral
        form of Eq. (19) (Sec. V A).

    Returns
    -------
    float
        The edge :math:`\\varepsilon^*` (within ``xtol``).

    Raises
    ------
    ValueError
        For a bad parameter (named), a bracket without the change of status, or beyond the work
        limits of the solver.  Never warns.
    """
    eps_lo = check_scalar(check_real, "eps_lo", eps_lo, hi=1.0)
    eps_hi = check_scalar(check_real, "eps_hi", eps_hi, hi=1.0)
    if not eps_lo < eps_hi:
        raise ValueError(f"eps_lo must be < eps_hi; got eps_lo={eps_lo!r}, eps_hi={eps_hi!r}")
    xtol = check_scalar(check_real, "xtol", xtol, lo=1e-14, hi=0.1, lo_open=False, hi_open=False)
    gamma = check_scalar(check_real, "gamma", gamma, lo=0.0)
    summation, integral_limits = _check_summation(summation, integral_limits)
    pars = dict(gamma=gamma, K=K, N=N, s=s, d=d, sum_range=sum_range, nfast=nfast, summation=summation,
                integral_limits=integral_limits)

    def status(e):
        return str(solve_linewidth(eps=e, warn=False, **pars).status)

    def sign(e):
        return 1.0 if status(e) == "above_gamma" else -1.0

    st_lo, st_hi = status(eps_lo), status(eps_hi)
    if st_lo != "root" or st_hi != "above_gamma":
        raise ValueError(
            f"eps_lo={eps_lo!r} must have a root below gamma (status 'root') and eps_hi={eps_hi!r} none "
            f"(status 'above_gamma'); got {st_lo!r} at eps_lo and {st_hi!r} at eps_hi")
    n_iter = int(math.ceil(math.log2((eps_hi - eps_lo) / xtol))) + 2
    return float(bisect(sign, eps_lo, eps_hi, xtol=xtol, maxiter=max(n_iter, 10)))
