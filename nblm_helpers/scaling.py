"""Critical-scaling fits near the localization transition (Sec. V A, Fig. 7, Eq. 22).

Gopalakrishnan & Nandkishore, PRB 90, 224203 (2014), fit the vanishing
linewidth to

.. math:: -\\frac{1}{\\ln\\Gamma} = A\\,(\\Xi - \\Xi_c)^{\\beta},
          \\qquad \\text{claimed } \\beta = 1/3 \\quad \\text{(Eq. 22)}.

:func:`fit_critical_power_law` fits that form with
:func:`scipy.optimize.least_squares`, with :math:`\\Xi_c` free or held fixed
(e.g. at the exact boundary from :func:`nblm_helpers.meanfield.critical_Xi`),
and returns standard errors from the Jacobian at the optimum.
:func:`fit_windows` repeats the fit over several windows of
:math:`\\Xi - \\Xi_c`, and :func:`local_exponent` gives the running slope
:math:`d\\ln y/d\\ln(\\Xi-\\Xi_c)` without any fit.

The residuals are taken in ``space="log"`` (default: :math:`\\ln y -
\\ln\\text{model}`, i.e. relative errors, natural for data spanning decades)
or ``space="linear"`` (:math:`y - \\text{model}`).

This module is generic numerics: it never imports a physics module (only
the validators of :mod:`nblm_helpers.parameters`).

Contract
--------
For any input every public function returns an answer without NaN or raises
:class:`ValueError` naming the offending argument: non-numbers, NaN or
infinite data, ``y <= 0``, mismatched lengths, too few (distinct) points, a
constant ``y`` (a power law cannot be fitted to it), data for which the fit
gives non-finite numbers.  Standard errors and covariances that the data do
not determine are ``inf``, never NaN.
"""

from __future__ import annotations

from dataclasses import dataclass

import math

import numpy as np
from scipy.optimize import least_squares

from .parameters import check_real

# least-squares evaluations per fit: well-posed 2-3 parameter fits converge in < 100; a degenerate
# one (nearly flat y with x_c free) otherwise runs ~20000 evaluations, ~5 s
_MAX_NFEV = 2000

__all__ = ["PowerLawFit", "fit_critical_power_law", "fit_windows", "local_exponent", "critical_model"]


def _scalar(name, value, **bounds):
    value = check_real(name, value, **bounds)
    if np.ndim(value) != 0:
        raise ValueError(f"{name} must be a single real number; got an array of shape {np.shape(value)}")
    return float(value)


def critical_model(x, A, beta, x_c):
    """:math:`A (x - x_c)^\\beta` for :math:`x > x_c`, and 0.0 where :math:`x \\le x_c`.

    0 is the continuation of :math:`y = -1/\\ln\\Gamma` to the localized side
    (:math:`\\Gamma = 0`).  Returns an array (also for scalar ``x``);
    ``±inf`` where the power overflows; never NaN.  Raises
    :class:`ValueError` if ``x``, ``A``, ``beta`` or ``x_c`` is not a finite
    real number (``A``, ``beta``, ``x_c`` scalars).
    """
    x = np.asarray(check_real("x", x), dtype=float)
    A, beta, x_c = _scalar("A", A), _scalar("beta", beta), _scalar("x_c", x_c)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore", under="ignore"):
        dx = x - x_c
        val = A * np.abs(dx) ** beta
        val = np.where(np.isnan(val), 0.0, val)     # only 0 * inf, i.e. A = 0
        return np.where(dx > 0, val, 0.0)


@dataclass(frozen=True)
class PowerLawFit:
    """Result of :func:`fit_critical_power_law`.

    Attributes
    ----------
    A, beta, x_c : float
        Best-fit parameters of :math:`y = A(x - x_c)^\\beta`.
    stderr : dict
        One-sigma standard errors ``{"A", "beta", "x_c"}`` from
        :math:`(J^TJ)^{-1}` scaled by the residual variance (or not scaled,
        with ``absolute_sigma=True``); ``x_c`` has error 0.0 when held fixed.
    residuals : numpy.ndarray
        Residuals at the optimum (in the fit space; unweighted).
    x_c_fixed : bool
        Whether :math:`x_c` was held fixed.
    n, dof : int
        Number of points and degrees of freedom.
    rms : float
        Root-mean-square residual.
    cov : numpy.ndarray
        Covariance matrix of the free parameters (order A, beta[, x_c]).
    success : bool
        ``least_squares`` convergence flag.
    at_bound : bool
        Whether a free :math:`x_c` ended at its bound (just below the
        smallest ``x``): the data do not pin it down.
    space : str
        ``"log"`` or ``"linear"``.
    """

    A: float
    beta: float
    x_c: float
    stderr: dict
    residuals: np.ndarray
    x_c_fixed: bool
    n: int
    dof: int
    rms: float
    cov: np.ndarray
    success: bool
    at_bound: bool
    space: str

    def predict(self, x):
        """The fitted model at ``x``."""
        return critical_model(x, self.A, self.beta, self.x_c)


def _check_data(x, y, sigma):
    x = np.asarray(check_real("x", x), dtype=float)
    y = np.asarray(check_real("y", y), dtype=float)      # NaN/inf: "... must be a finite real number ..."
    if x.ndim != 1 or y.shape != x.shape:
        raise ValueError(f"x and y must be 1-d arrays of equal length; got shapes {x.shape} and {y.shape}")
    if np.any(y <= 0):
        raise ValueError("y must be > 0 (a power law of a positive quantity)")
    if sigma is not None:
        sigma = check_real("sigma", sigma, lo=0.0)
        try:
            sigma = np.broadcast_to(np.asarray(sigma, dtype=float), x.shape)
        except ValueError:
            raise ValueError(f"sigma must be a number or an array of the length of x ({x.size}); "
                             f"got shape {np.shape(sigma)}") from None
    return x, y, sigma


def fit_critical_power_law(x, y, *, x_c=None, x_c_guess=None, beta_guess=0.5, sigma=None,
                           absolute_sigma=False, space="log"):
    """Fit :math:`y = A (x - x_c)^\\beta` by least squares.

    Parameters
    ----------
    x, y : array_like
        Data, 1-d, ``y > 0``; e.g. ``x`` = :math:`\\Xi`, ``y`` =
        :math:`-1/\\ln\\Gamma`.
    x_c : float, optional
        Hold :math:`x_c` fixed at this value (must be ``< min(x)``).  If
        omitted, :math:`x_c` is fitted, bounded above by ``min(x)`` minus
        1e-9 of the data range.
    x_c_guess : float, optional
        Starting value of a free :math:`x_c` (default: ``min(x)`` minus 5 %
        of the range).
    beta_guess : float
        Starting exponent (> 0).
    sigma : float or array_like, optional
        One-sigma errors of the residuals (in the fit space); the residuals
        are divided by them.
    absolute_sigma : bool
        If true, ``sigma`` is absolute and the covariance is not rescaled by
        the reduced chi-square.
    space : {"log", "linear"}
        Residuals :math:`\\ln y - \\ln(\\text{model})` or
        :math:`y - \\text{model}`.

    Returns
    -------
    PowerLawFit

    Raises
    ------
    ValueError
        Bad data shapes or values, ``x_c >= min(x)``, too few points
        (need more points than free parameters), bad ``space``.
    """
    if not isinstance(space, str) or space not in ("log", "linear"):
        raise ValueError(f"space must be 'log' or 'linear'; got {space!r}")
    x, y, sigma = _check_data(x, y, sigma)
    fixed = x_c is not None
    npar = 2 if fixed else 3
    if x.size <= npar:
        raise ValueError(f"x and y need more than {npar} points for {npar} parameters; got {x.size}")
    with np.errstate(over="ignore"):
        xmin, span = float(x.min()), float(np.ptp(x))
    if span <= 0:
        raise ValueError("x must not be constant")
    if not math.isfinite(span):
        raise ValueError(f"x must span less than the float range; got min {xmin!r}, max {float(x.max())!r}")
    if np.unique(x).size < npar:
        raise ValueError(f"x must take at least {npar} distinct values for {npar} parameters; "
                         f"got {np.unique(x).size}")
    if float(np.ptp(y)) == 0.0:
        raise ValueError(f"y is constant (= {float(y[0])!r}): a power law A (x - x_c)^beta with beta > 0 "
                         "cannot be fitted to it (beta and x_c are undetermined)")
    if fixed:
        x_c = _scalar("x_c", x_c)
        if x_c >= xmin:
            raise ValueError(f"x_c must be a finite number < min(x) = {xmin!r}; got {x_c!r}")
    beta_guess = _scalar("beta_guess", beta_guess)
    if not beta_guess > 0:
        raise ValueError(f"beta_guess must be > 0; got {beta_guess!r}")
    if x_c_guess is not None:
        x_c_guess = _scalar("x_c_guess", x_c_guess)
    with np.errstate(all="ignore"):
        try:
            return _fit_power_law(x, y, sigma, fixed, npar, xmin, span, x_c, x_c_guess, beta_guess,
                                  bool(absolute_sigma), space)
        except ValueError as exc:
            raise ValueError(f"the power-law fit to (x, y) failed: {exc}") from None


def _fit_power_law(x, y, sigma, fixed, npar, xmin, span, x_c, x_c_guess, beta_guess, absolute_sigma, space):
    """The least-squares fit of :func:`fit_critical_power_law` (validated input)."""
    w = 1.0 if sigma is None else 1.0 / sigma
    ub_xc = xmin - 1e-9 * span

    def unpack(p):
        lnA, beta = p[0], p[1]
        return lnA, beta, (x_c if fixed else p[2])

    def resid(p):
        lnA, beta, xc = unpack(p)
        lndx = np.log(x - xc)
        if space == "log":
            r = np.log(y) - (lnA + beta * lndx)
        else:
            r = y - np.exp(lnA + beta * lndx)
        return r * w

    def jac(p):
        lnA, beta, xc = unpack(p)
        dx = x - xc
        lndx = np.log(dx)
        if space == "log":
            cols = [-np.ones_like(x), -lndx] + ([] if fixed else [beta / dx])
        else:
            m = np.exp(lnA + beta * lndx)
            cols = [-m, -m * lndx] + ([] if fixed else [m * beta / dx])
        return np.column_stack(cols) * (w if np.ndim(w) == 0 else w[:, None])

    xc0 = x_c if fixed else (xmin - 0.05 * span if x_c_guess is None else min(float(x_c_guess), ub_xc))
    if not math.isfinite(xc0) or not np.all(np.isfinite(np.log(x - xc0))):
        raise ValueError(f"the starting x_c = {xc0!r} puts x - x_c outside the float range")
    lnA0 = float(np.mean(np.log(y) - beta_guess * np.log(x - xc0)))
    p0 = [lnA0, beta_guess] + ([] if fixed else [xc0])
    if fixed:
        bounds = ([-np.inf, 1e-6], [np.inf, 50.0])
    else:
        bounds = ([-np.inf, 1e-6, -np.inf], [np.inf, 50.0, ub_xc])
    sol = least_squares(resid, p0, jac=jac, bounds=bounds, method="trf", x_scale="jac",
                        xtol=1e-14, ftol=1e-14, gtol=1e-14, max_nfev=_MAX_NFEV)
    lnA, beta, xc = unpack(sol.x)
    r = sol.fun
    dof = x.size - npar
    J = sol.jac
    with np.errstate(divide="ignore", invalid="ignore"):
        try:
            cov_p = np.linalg.pinv(J.T @ J)
        except np.linalg.LinAlgError:  # pragma: no cover
            cov_p = np.full((npar, npar), np.inf)
    if not absolute_sigma:
        cov_p = cov_p * (float(r @ r) / dof)
    # A = exp(lnA): propagate the error of lnA
    Jt = np.eye(npar)
    Jt[0, 0] = np.exp(lnA)
    cov = Jt @ cov_p @ Jt.T
    cov = np.where(np.isfinite(cov), cov, np.inf)          # undetermined: inf, never NaN
    se = np.sqrt(np.maximum(np.diag(cov), 0.0))
    stderr = {"A": float(se[0]), "beta": float(se[1]), "x_c": 0.0 if fixed else float(se[2])}
    raw = r / w if sigma is not None else r
    if not (np.all(np.isfinite(sol.x)) and np.all(np.isfinite(raw)) and lnA < 709.78):
        raise ValueError(f"non-finite parameters or residuals (ln A, beta, x_c = {list(map(float, sol.x))})")
    return PowerLawFit(
        A=float(np.exp(lnA)), beta=float(beta), x_c=float(xc), stderr=stderr,
        residuals=np.asarray(raw, dtype=float), x_c_fixed=fixed, n=int(x.size), dof=int(dof),
        rms=_rms(np.asarray(raw, dtype=float)), cov=cov, success=bool(sol.success),
        at_bound=(not fixed) and bool(xc >= ub_xc - 1e-12 * max(1.0, abs(ub_xc))), space=space,
    )


def _rms(r):
    """Root-mean-square of ``r``, as ``sqrt(mean(r**2))`` (as always), scaled where ``r**2`` would overflow."""
    big = float(np.max(np.abs(r)))
    if big < 1e150:
        return float(np.sqrt(np.mean(r**2)))
    return float(big * np.sqrt(np.mean((r / big) ** 2)))


def fit_windows(x, y, windows, *, x_ref, x_c=None, **kwargs):
    """Fit :func:`fit_critical_power_law` in several windows of ``x - x_ref``.

    Parameters
    ----------
    x, y : array_like
        All data.
    windows : sequence of (lo, hi)
        Each window keeps the points with ``lo <= x - x_ref <= hi``.
    x_ref : float
        Reference point of the windows (e.g. the exact :math:`\\Xi_c`).
    x_c : float, optional
        Passed on (``None``: :math:`x_c` free in every window).
    **kwargs
        Passed on to :func:`fit_critical_power_law`.

    Returns
    -------
    list of (tuple, PowerLawFit or None)
        ``None`` where a window holds too few points for the fit.

    Raises
    ------
    ValueError
        For bad data (as :func:`fit_critical_power_law`, also within a
        window), a non-finite ``x_ref``, or ``windows`` that is not a sequence
        of ``(lo, hi)`` pairs of real numbers.
    """
    x = np.asarray(check_real("x", x), dtype=float)
    y = np.asarray(check_real("y", y), dtype=float)
    x_ref = _scalar("x_ref", x_ref)
    try:
        pairs = [(float(lo), float(hi)) for lo, hi in windows]
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"windows must be a sequence of (lo, hi) pairs of real numbers; got {windows!r}") from None
    if any(math.isnan(v) for pair in pairs for v in pair):
        raise ValueError(f"windows must not contain NaN; got {pairs!r}")
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(f"x and y must be 1-d arrays of equal length; got shapes {x.shape} and {y.shape}")
    out = []
    for lo, hi in pairs:
        with np.errstate(over="ignore"):
            sel = (x - x_ref >= lo) & (x - x_ref <= hi)
        npar = 2 if x_c is not None else 3
        if np.count_nonzero(sel) <= npar:
            out.append(((lo, hi), None))
            continue
        out.append(((lo, hi), fit_critical_power_law(x[sel], y[sel], x_c=x_c, **kwargs)))
    return out


def local_exponent(x, y, x_c):
    """Running exponent :math:`d\\ln y / d\\ln(x - x_c)` (centred differences).

    A pure power law gives a constant equal to :math:`\\beta`; a logarithmic
    approach :math:`y \\propto 1/|\\ln(x - x_c)|` gives
    :math:`1/|\\ln(x-x_c)|`, drifting to 0.  Returns an array of the same
    length as ``x`` (one-sided differences at the ends); ``x`` must be
    sorted, strictly increasing and ``> x_c``.

    Raises
    ------
    ValueError
        For non-finite or mismatched data, ``x`` not strictly increasing,
        ``x <= x_c``, ``y <= 0``, or points so close that
        :math:`\\ln(x - x_c)` does not separate them (no finite slope).
    """
    x = np.asarray(check_real("x", x), dtype=float)
    y = np.asarray(check_real("y", y), dtype=float)
    x_c = _scalar("x_c", x_c)
    if x.ndim != 1 or y.shape != x.shape or x.size < 2:
        raise ValueError("x and y must be 1-d arrays of equal length >= 2")
    if np.any(np.diff(x) <= 0):
        raise ValueError("x must be strictly increasing")
    if np.any(x <= x_c) or np.any(y <= 0):
        raise ValueError("need x > x_c and y > 0")
    with np.errstate(all="ignore"):
        dx = x - x_c
        out = np.gradient(np.log(y), np.log(dx))
    if not (np.all(np.isfinite(dx)) and np.all(np.isfinite(out))):
        raise ValueError("x - x_c must be separated in ln(x - x_c) (no two points with the same logarithm, "
                         "x - x_c inside the float range) for a finite slope")
    return out
