"""The public solve API: :func:`solve_linewidth` and its :class:`LinewidthResult`, the Eq. (21)
scaling form and the linewidth contour :func:`eps_at_linewidth`."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._deprecate import renamed_attributes
from .._roots import brentq_or_bisect
from ..parameters import ValidityWarning, check_branching, check_positive, check_real, resolve_eps, scalar_or_array
from ..validity import Validity, classify
from ._checks import _validate, _validate_boundary
from ._integral import _check_summation, _make_model
from ._numerics import _MAX_ORDER_CONTOUR, _MAX_POINTS
from .ratio import self_consistency_ratio
from .roots import _scan_19, _scan_app


@renamed_attributes(ln_gamma="ln_Gamma", gamma="Gamma")
@dataclass(frozen=True)
class LinewidthResult:
    """Solution of the mean-field self-consistency (returned by :func:`solve_linewidth`).

    Attributes
    ----------
    ln_Gamma : float or numpy.ndarray
        :math:`\\ln(\\Gamma/\\delta_m)` of the physical solution; ``-inf`` where
        localized; ``ln(gamma)`` where ``status == "above_gamma"`` (a bound,
        not a root).  Shape: the broadcast shape of ``eps``, ``gamma`` and
        ``s`` (a float when all three are scalars); every array attribute
        below has this shape.
    Gamma : float or numpy.ndarray
        ``exp(ln_Gamma)`` (0.0 where localized or where it underflows; ``inf``
        where it overflows, ``ln_Gamma > 709``, possible only far outside
        Eq. 23, which then warns).
    localized : bool or numpy.ndarray of bool
        ``status == "localized"``.
    status : str or numpy.ndarray of str
        ``"root"`` (a non-trivial solution), ``"localized"`` (only
        :math:`\\Gamma = 0`), ``"above_gamma"`` (Eq. 19 only: :math:`F > 1` up to
        the end of Eq. 20's domain :math:`\\Gamma = \\gamma`; no root invented).
    roots : tuple
        Scalar ``eps``: a tuple of every non-trivial root :math:`\\ln\\Gamma`
        found, ascending (including unstable / non-physical ones, e.g. those
        the literal :math:`n_{\\rm fast}` creates just below
        :math:`\\Gamma = \\gamma`).  Array input: a tuple with one such tuple
        per point of the broadcast shape in C (row-major, ``ravel()``) order.
    n_roots : int or numpy.ndarray of int
        Number of roots per point.
    F0 : float or numpy.ndarray
        :math:`F(\\Gamma\\to 0^+)`; ``inf`` where the infinite sum diverges
        (``eps >= 0``); may be negative for E3.  ``F0 > 1`` means metal when
        ``F`` is monotone.
    ln_F0 : float or numpy.ndarray
        :math:`\\ln|F(0^+)|`.
    bistable : bool or numpy.ndarray of bool
        E2/E3 only: a stable non-trivial root exists although
        :math:`F(0^+) \\le 1` (both :math:`\\Gamma = 0` and the root are stable).
    eps : float or numpy.ndarray
        The :math:`\\varepsilon` values used (broadcast to the result's shape).
    options : dict
        ``equation``, ``sum_range``, ``nfast``, ``drop_negative``,
        ``summation``, ``integral_limits`` and the model parameters ``gamma``, ``K``, ``N``, ``s``, ``d``.  ``gamma`` and
        ``s`` are floats if they were given as scalars, else arrays of the
        result's shape.
    validity : nblm_helpers.validity.Validity
        Which conditions hold at each point, from :func:`nblm_helpers.validity.classify`:
        ``validity["23"]``, ``["26"]``, ``["27"]`` (bools, or boolean arrays of
        the result's shape); Eqs. 26-27 are checked only where
        ``status == "root"`` (they hold trivially elsewhere).  ``validity.ok``
        is all three.  The ValidityWarning (``warn=True``) reports the same
        conditions at the roots; test them here instead of parsing its text.

    The names before version 0.2, ``ln_gamma`` and ``gamma`` (for
    :math:`\\ln\\Gamma` and :math:`\\Gamma`), still read these fields, with a
    ``DeprecationWarning``.
    """

    ln_Gamma: Any
    Gamma: Any
    localized: Any
    status: Any
    roots: tuple
    n_roots: Any
    F0: Any
    ln_F0: Any
    bistable: Any
    eps: Any
    options: dict
    validity: Validity = None


def _solve_columns(opts, eps_cols, gamma, s, summation="sum", integral_limits="cell"):
    """Solve for every column. Returns dict of arrays (lists for the roots).

    ``eps_cols`` are the columns' eps values; ``gamma`` and ``s`` are scalars
    or one value per column.  Eq. 19 solves all columns together; E2/E3
    solve the columns of each distinct (gamma, s) together.
    """
    if opts["equation"] != "19" and (np.ndim(gamma) or np.ndim(s)):
        gs = np.stack(np.broadcast_arrays(np.asarray(gamma, float), np.asarray(s, float)), axis=1)
        pairs, ginv = np.unique(gs, axis=0, return_inverse=True)
        ginv = np.ravel(ginv)
        ncol = eps_cols.size
        out = dict(ln_Gamma=np.empty(ncol), status=np.empty(ncol, dtype="<U11"), roots=[None] * ncol,
                   resid=[None] * ncol, lnF0=np.empty(ncol), sF0=np.empty(ncol), bistable=np.empty(ncol, bool))
        for k, (g, sv) in enumerate(pairs.tolist()):
            sel = np.nonzero(ginv == k)[0]
            part = _solve_columns(opts, eps_cols[sel], g, sv)
            for key, v in part.items():
                if isinstance(v, list):
                    for i, c in enumerate(sel):
                        out[key][c] = v[i]
                else:
                    out[key][sel] = v
        return out
    model = _make_model(eps=eps_cols, gamma=gamma, s=s, summation=summation, integral_limits=integral_limits, **opts)
    ncol = eps_cols.size
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        lnF0, sF0 = model.lnF0()
    F0_gt1 = (sF0 > 0) & (lnF0 > 0)
    ln_Gamma = np.full(ncol, -np.inf)
    status = np.full(ncol, "localized", dtype="<U11")
    roots = [[] for _ in range(ncol)]
    bistable = np.zeros(ncol, dtype=bool)

    if model.kind == "app":
        need = F0_gt1 if not model.has_neg else np.full(ncol, model.has_terms)
    else:
        need = F0_gt1
    idx = np.nonzero(need)[0]
    if idx.size:
        if model.kind == "app":
            _scan_app(opts, model, idx, roots)
        else:
            _scan_19(opts, model, idx, roots)
    for c in range(ncol):
        down = [r[0] for r in roots[c] if r[1]]
        if down:
            ln_Gamma[c] = down[0]
            status[c] = "root"
            bistable[c] = model.kind == "app" and not F0_gt1[c]
        elif model.kind != "app" and F0_gt1[c]:
            ln_Gamma[c] = model.a[c]
            status[c] = "above_gamma"
    return dict(
        ln_Gamma=ln_Gamma,
        status=status,
        roots=[tuple(r[0] for r in lst) for lst in roots],
        resid=[tuple(r[2] for r in lst) for lst in roots],
        lnF0=lnF0,
        sF0=sF0,
        bistable=bistable,
    )


def solve_linewidth(
    *,
    eps=None,
    Xi=None,
    gamma,
    K,
    N,
    s,
    d=1,
    equation="19",
    sum_range="infinite",
    nfast="literal",
    drop_negative=False,
    warn=True,
    summation="sum",
    integral_limits="cell",
):
    """Self-consistent linewidth :math:`\\Gamma` of Eq. (19) or App. E (E1)-(E3).

    Finds *every* non-trivial root of :math:`F(\\Gamma) = 1` (see the module
    docstring for :math:`F`) by a bracket scan in :math:`x = \\ln\\Gamma` whose
    cells are discarded only when a derivative bound proves them root-free,
    followed by Chandrupatla refinement (the algorithm of
    ``scipy.optimize.elementwise.find_root``, bit for bit, vectorized over all brackets).  The physical root is the first crossing
    of :math:`F = 1` from above met coming from :math:`\\Gamma\\to0`.  The
    value of :math:`F` at a point does not depend on the other points
    evaluated with it, so array input gives, point by point, exactly
    (bit for bit) the result of one call per point with scalar values.

    ``eps`` (or ``Xi``), ``gamma`` and ``s`` broadcast against each other
    (NumPy rules); each distinct point :math:`(\\varepsilon, \\gamma, s)` is a
    "column".  For Eq. (19) all columns are solved together (one bracket
    scan and one ``find_root`` call), so e.g. a temperature sweep in which
    all three change (:func:`nblm_helpers.temperature.ln_conductivity`)
    costs about as much as one point.  For E2/E3 the columns sharing one
    :math:`(\\gamma, s)` are solved together, one group after another.

    Parameters
    ----------
    eps : float or array_like, optional
        :math:`\\varepsilon = 1 - 1/(\\Xi\\ln K) < 1`.  Arrays are solved
        vectorized (duplicate points solved once).
    Xi : float or array_like, optional
        Fock-space localization length :math:`\\Xi > 0` instead of ``eps``.
    gamma : float or array_like
        Inter-dot coupling :math:`\\gamma/\\delta_m > 0` (every element);
        an array gives one value per point (broadcast against ``eps``).
    K : float
        Cayley-tree branching number, ``K > 1``.
    N : int
        Single-particle levels per dot, integer ``>= 1``.
    s : float or array_like
        Entropy per level :math:`s(T) \\in (0, 1]` (every element); an array
        gives one value per point (broadcast against ``eps`` and ``gamma``).
    d : int
        Spatial dimension, integer ``>= 1``.
    equation : {"19", "E3", "E2", "E1"}
        Eq. (19) with Eq. (20), App. E's Eq. (E3) literally, Eq. (E2), or Eq. (E1)
        (:math:`n_{\\rm fast} = 1` below :func:`e1_N0`; package docstring).
    sum_range : {"infinite", "square"}
        Range of ``n, p`` in Eq. (19); ignored for E1/E2/E3 (validated only).
    nfast : {"literal", "continuous"}
        Reading of Eq. (20) (see :func:`n_fast`); ignored for E1/E2/E3.
    drop_negative : bool
        E2/E3 only: drop the terms with :math:`\\ln(\\gamma K^m) < 0` (odd ``d``);
        E1 has no negative terms (validated, ignored).
    warn : bool
        Issue one :class:`~nblm_helpers.parameters.ValidityWarning` per call
        when a physical root violates Eq. (23), (26) or (27), or a point has
        status ``"above_gamma"`` (counts over all points, each checked with
        its own ``gamma``).
    summation : {"sum", "integral"}
        Eq. (19)'s sum over :math:`m = n + p` (default) or, as the paper computed Figs. 5-7,
        that sum replaced by an integral (:func:`self_consistency_ratio`); ``"integral"`` needs
        ``equation="19"``.  The same scan, refinement, statuses and warnings apply.
    integral_limits : {"cell", "naive"}
        Limits and weights of the integral (:func:`self_consistency_ratio`); ignored for ``"sum"``.

    Returns
    -------
    LinewidthResult
        Frozen dataclass (see :class:`LinewidthResult`); scalars if ``eps``,
        ``gamma`` and ``s`` are all scalars, else arrays of their broadcast
        shape.

    Raises
    ------
    ValueError
        For out-of-range parameters (the message names the parameter and its
        allowed range; for arrays, any element out of range), both or neither
        of ``eps``/``Xi``, unknown options, or ``gamma``/``s`` whose shape does
        not broadcast against ``eps`` (the message names the parameter).

    Notes
    -----
    * Status ``"localized"``: for Eq. (19) and E1 exactly when :math:`F(0^+) \\le 1`
      (every term is bounded by its :math:`\\Gamma\\to0` value).  ``ln_Gamma``
      is ``-inf`` and ``gamma`` is 0.0.
    * Status ``"above_gamma"`` (Eq. 19): :math:`F > 1` up to
      :math:`\\ln\\Gamma = \\ln\\gamma - 10^{-9}`; ``ln_Gamma = ln(gamma)`` is
      reported as a bound.
    * E2/E3 with negative terms can have :math:`F(0^+) \\le 1` and still a
      stable root (``bistable``); that root is reported with status ``"root"``.
    * Accuracy: :math:`|\\ln F| \\le 10^{-10}` at every reported root; ``F``
      itself is evaluated to ~1e-13 relative (prefix tables, explicit
      crossover band, closed-form arithmetico-geometric tail).
    """
    eps, gamma, K, N, s, d, equation, sum_range, nfast, drop_negative = _validate(
        eps, Xi, gamma, K, N, s, d, equation, sum_range, nfast, drop_negative, arrays=True
    )
    summation, integral_limits = _check_summation(summation, integral_limits, equation)
    return _solve(eps, "eps" if Xi is None else "Xi", gamma, K, N, s, d, equation, sum_range, nfast, drop_negative,
                  warn, summation, integral_limits)


def _solve(eps, ename, gamma, K, N, s, d, equation, sum_range, nfast, drop_negative, warn, summation="sum",
           integral_limits="cell"):
    """:func:`solve_linewidth` for validated parameters (``ename``: the name of the eps argument)."""
    opts = dict(
        K=K,
        N=N,
        d=d,
        equation=equation,
        sum_range=sum_range,
        nfast=nfast,
        drop_negative=drop_negative,
    )
    per_point = np.ndim(gamma) > 0 or np.ndim(s) > 0
    if per_point:
        eps_arr, g_arr, s_arr = np.broadcast_arrays(np.asarray(eps, dtype=float), np.asarray(gamma, dtype=float),
                                                    np.asarray(s, dtype=float))
    else:
        eps_arr = np.asarray(eps, dtype=float)
    scalar = eps_arr.ndim == 0
    flat = eps_arr.ravel()
    if per_point:
        # one column per distinct (eps, gamma, s); a column's result does not depend on the others
        g_flat, s_flat = g_arr.ravel(), s_arr.ravel()
        keys, inv = np.unique(np.stack([flat, g_flat, s_flat], axis=1), axis=0, return_inverse=True)
        inv = np.ravel(inv)
        cols = (keys[:, 0].copy(), keys[:, 1].copy(), keys[:, 2].copy())
    else:
        uniq, inv = np.unique(flat, return_inverse=True)
        cols = (uniq, gamma, s)
    ncols = np.size(cols[0])
    if ncols > _MAX_POINTS:
        raise ValueError(
            f"{ename} (with gamma and s) has {ncols} distinct points; one solve_linewidth call takes at most "
            f"{_MAX_POINTS} (about 1-2 s): split {ename} into chunks of at most {_MAX_POINTS}"
        )
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        sol = _solve_columns(opts, *cols, summation=summation, integral_limits=integral_limits)
    ln_Gamma = sol["ln_Gamma"][inv]
    status = sol["status"][inv]
    lnF0 = sol["lnF0"][inv]
    sF0 = sol["sF0"][inv]
    with np.errstate(over="ignore", under="ignore"):
        F0 = np.where(sF0 == 0, 0.0, sF0 * np.exp(lnF0))
        G = np.exp(ln_Gamma)
    roots = tuple(sol["roots"][i] for i in inv)
    n_roots = np.array([len(r) for r in roots])
    bistable = sol["bistable"][inv]
    localized = status == "localized"

    # the one classification (validity.classify): Eqs. 23, 26, 27 at every point; the
    # linewidth conditions only where a root was found (-inf: nothing to check)
    with np.errstate(invalid="ignore"):
        holds = classify(gamma=g_flat if per_point else gamma, K=K, N=N, d=d, eps=flat,
                         ln_Gamma=np.where(status == "root", ln_Gamma, -np.inf),
                         conditions=("23", "26", "27")).holds
    if warn:
        _warn_validity(holds, status)

    shape = eps_arr.shape

    def shp(v):
        v = np.asarray(v).reshape(shape)
        return v.item() if scalar else v

    return LinewidthResult(
        ln_Gamma=float(ln_Gamma[0]) if scalar else ln_Gamma.reshape(shape),
        Gamma=float(G[0]) if scalar else G.reshape(shape),
        localized=bool(localized[0]) if scalar else localized.reshape(shape),
        status=str(status[0]) if scalar else status.reshape(shape),
        roots=roots[0] if scalar else roots,
        n_roots=int(n_roots[0]) if scalar else n_roots.reshape(shape),
        F0=float(F0[0]) if scalar else F0.reshape(shape),
        ln_F0=float(lnF0[0]) if scalar else lnF0.reshape(shape),
        bistable=bool(bistable[0]) if scalar else bistable.reshape(shape),
        eps=float(flat[0]) if scalar else flat.reshape(shape),
        options=dict(gamma=g_arr.copy() if per_point else gamma, K=K, N=N, s=s_arr.copy() if per_point else s,
                     **{k: opts[k] for k in ("d", "equation", "sum_range", "nfast", "drop_negative")},
                     summation=summation, integral_limits=integral_limits),
        validity=Validity({name: (bool(np.broadcast_to(ok, flat.shape)[0]) if scalar
                                  else np.broadcast_to(ok, flat.shape).reshape(shape).copy())
                           for name, ok in holds.items()}),
    )


def _warn_validity(holds, status):
    """One ValidityWarning naming the conditions (from :func:`validity.classify`) that roots violate."""
    msgs = []
    is_root = status == "root"
    n = status.size
    if np.any(is_root):
        for name, ok in holds.items():
            nbad = int(np.count_nonzero(is_root & ~np.asarray(ok)))
            if nbad:
                msgs.append(f"Eq. {name} violated at {nbad} of {n} point(s)")
    nab = int(np.count_nonzero(status == "above_gamma"))
    if nab:
        msgs.append(
            f"F > 1 up to Gamma = gamma (status 'above_gamma') at {nab} of {n} point(s); "
            "ln_Gamma = ln(gamma) is a bound, not a root"
        )
    if msgs:
        warnings.warn(
            "mean-field linewidth outside the validity window: " + "; ".join(msgs),
            ValidityWarning,
            stacklevel=4,  # solve_linewidth or MeanFieldModel.solve -> _solve -> here
        )


def eq21_ln_linewidth(*, eps=None, Xi=None, gamma, K, warn=True):
    """:math:`\\ln\\Gamma` of Eq. (21) read as single-dot scaling, :math:`\\Gamma = \\gamma^{1/\\varepsilon}`.

    The printed Eq. (21) lost its exponent (book errata, ``errata-eq21``):
    :math:`\\Gamma = \\gamma^{\\Xi\\ln K/(\\Xi\\ln K-1)}`, i.e.
    :math:`\\ln\\Gamma = \\ln\\gamma/\\varepsilon` (units of :math:`\\delta_m`),
    the :math:`\\gamma\\to0` limit of the saddle point (C5).  ``-inf`` for
    :math:`\\varepsilon \\le 0`.

    Validity
    --------
    Eq. (21) is single-dot scaling for :math:`\\varepsilon > 0`; where
    :math:`\\varepsilon \\le 0` it returns ``-inf`` (no metal) with a
    :class:`~nblm_helpers.parameters.ValidityWarning` unless ``warn=False``.
    ``ValueError`` for bad parameters.
    """
    gamma = float(check_positive("gamma", gamma))
    K = float(check_branching("K", K))
    e = np.asarray(resolve_eps(eps, Xi, K), dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        val = np.where(e > 0, math.log(gamma) / np.where(e > 0, e, 1.0), -np.inf)
    nbad = int(np.count_nonzero(e <= 0))
    if warn and nbad:
        warnings.warn(
            f"Eq. (21) is single-dot scaling for eps > 0; eps <= 0 at {nbad} of {e.size} point(s), "
            "where -inf (no metal) is returned", ValidityWarning, stacklevel=2)
    return scalar_or_array(val)


def eps_at_linewidth(*, ln_Gamma, gamma, K, N, s, d=1, sum_range="infinite", nfast="literal"):
    """:math:`\\varepsilon` at which the physical linewidth of Eq. (19) equals :math:`e^{\\ln\\Gamma}`.

    Used to draw contours such as Eq. (27)'s :math:`\\Gamma = NK^{-N}` without
    solving for :math:`\\Gamma` on a grid.  For
    :math:`\\ln\\Gamma \\le \\ln\\gamma - d/2`, :math:`F` is non-increasing on
    :math:`(0, \\Gamma]` (module docstring), so the physical root exceeds
    :math:`\\Gamma` iff :math:`F(\\Gamma) > 1`; :math:`F(\\Gamma)` grows
    strictly with :math:`\\varepsilon`, so the contour is the unique root of
    :math:`\\ln F(\\Gamma; \\varepsilon) = 0` (Brent's method).

    Parameters
    ----------
    ln_Gamma : float
        Target :math:`\\ln(\\Gamma/\\delta_m)`, ``<= ln(gamma) - d/2``.
    gamma : float or array_like
        :math:`\\gamma/\\delta_m`; array input gives array output.
    K, N, s, d, sum_range, nfast
        As in :func:`solve_linewidth`.

    Returns
    -------
    float or numpy.ndarray
        :math:`\\varepsilon^*`: the linewidth exceeds the target for
        :math:`\\varepsilon > \\varepsilon^*`.  ``1.0`` if it never reaches it
        for :math:`\\varepsilon < 1`.

    Raises
    ------
    ValueError
        Bad parameters, or ``ln_Gamma > ln(gamma) - d/2`` (the name
        ``ln_Gamma`` is in the message).

    Validity
    --------
    Never warns.  ``ValueError`` as listed above, and for
    ``ln_Gamma < -2e5 ln K`` with the unbounded sum (each of its ~50
    evaluations of :math:`F` sums that many orders).
    """
    K, N, s, d, sum_range, nfast = _validate_boundary(K, N, s, d, sum_range, nfast)
    g = np.asarray(check_positive("gamma", gamma), dtype=float)
    lnG = float(check_real("ln_Gamma", ln_Gamma))
    if np.any(lnG > np.log(g) - d / 2.0):
        raise ValueError(f"ln_Gamma must be <= ln(gamma) - d/2 (monotone region of F); got {ln_Gamma!r}")
    x_min = -_MAX_ORDER_CONTOUR * math.log(K)
    if sum_range == "infinite" and lnG < x_min:
        raise ValueError(
            f"ln_Gamma must be >= {x_min:.6g} (= -{_MAX_ORDER_CONTOUR:.0e} ln K: each of the ~50 evaluations "
            f"of F sums that many orders) for sum_range='infinite'; got {ln_Gamma!r}"
        )
    out = np.empty(g.size)
    for i, gg in enumerate(g.ravel()):
        kw = dict(gamma=float(gg), K=K, N=N, s=s, d=d, sum_range=sum_range, nfast=nfast)

        def f(e):
            return self_consistency_ratio(lnG, eps=e, **kw)[0]

        top = 1.0 - 1e-12
        if f(top) <= 0:
            out[i] = 1.0
            continue
        lo = -1.0
        while f(lo) >= 0:
            lo = 2.0 * lo - 1.0
        out[i] = brentq_or_bisect(f, lo, top, xtol=1e-13, rtol=4 * np.finfo(float).eps)
    out = out.reshape(g.shape)
    return scalar_or_array(out)
