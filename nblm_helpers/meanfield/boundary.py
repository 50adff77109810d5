"""Phase boundary of Eq. (19): F0(gamma, eps) = 1 (Sec. V A, Fig. 5).

Eq. (19) is localized exactly when F(0+) <= 1 (package docstring), so the phase boundary is the
surface F0(gamma, eps) = 1 with

    F0 = gamma^2 sum_{m>=2} w_m K^{2 m eps} n_m,   n_m = n_fast(K^m) at Gamma -> 0.

* In eps, every term grows (K^{2 m eps}): F0 is strictly increasing.
* In gamma (a = ln gamma), gamma^2 grows and the continuous n_m = max(1, sN ln_+^d(gamma K^m)) is
  non-decreasing: F0 is strictly increasing.  The *literal* n_m of Eq. (20) is 1 up to and including
  gamma K^m = 1 and sN ln^d(gamma K^m) -> 0 just above, so F0 drops just above every a = -m ln K
  (m >= 2) (left-continuous there) and is increasing in between.  Since the literal n_m never
  exceeds the continuous one, F0_literal <= F0_continuous: the continuous value bounds where the
  literal F0 can first exceed 1.

E2/E3 boundaries (:func:`critical_eps` with ``equation="E3"``/``"E2"``) solve F0 = 1 and extend it
over bistable roots found by :func:`~nblm_helpers.meanfield.solve_linewidth`; the E1 boundary
(``equation="E1"``, positive terms, F <= F0) is F0 = 1 alone.
"""

from __future__ import annotations

import math

import numpy as np

from .._deprecate import module_getattr
from .._roots import brentq_or_bisect
from ..parameters import (
    check_branching,
    check_choice,
    check_dimension,
    check_positive,
    check_positive_int,
    check_unit_interval,
    resolve_eps,
    scalar_or_array,
)
from ._checks import EQUATIONS, _max_n_app_solve, _validate_boundary
from ._integral import _check_summation, _ln_F0_integral
from ._numerics import _CHUNK, _MAX_HEAD, _MAX_NODES, _find_root, _ln_unsat_tail, _slse
from .nfast import _ln_n_unsat
from .ratio import ln_F_zero
from .solve import solve_linewidth


def _ln_F0_pairs(a, eps, *, K, N, s, d, sum_range, nfast, summation="sum", integral_limits="cell"):
    """ln F(0+) of Eq. (19) at flat arrays ``a`` = ln gamma and ``eps`` (same size).

    ``summation="integral"``: the integral form (:func:`._integral._ln_F0_integral`).

    Closed forms only: for ``"square"`` the finite sum over ``m = n + p``; for
    ``"infinite"`` an explicit head ``2 <= m < M0(a)`` plus the Eulerian
    closed-form tail of :meth:`_Model._ln_unsat_tail` (``+inf`` for eps >= 0).
    """
    a = np.asarray(a, dtype=float).ravel()
    eps = np.asarray(eps, dtype=float).ravel()
    if summation == "integral":
        return _ln_F0_integral(a, eps, K=K, N=N, s=s, d=d, sum_range=sum_range, nfast=nfast,
                               limits=integral_limits)
    ell = math.log(K)
    lnsN = math.log(s * N)
    literal = nfast == "literal"
    out = np.full(a.size, np.inf)

    def ln_n(L):
        return _ln_n_unsat(L, lnsN, d, literal)

    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        if sum_range == "square":
            m = np.arange(2, 2 * N + 1, dtype=float)
            lnw = np.log(np.minimum(m - 1.0, 2 * N + 1.0 - m))
            step = max(1, _CHUNK // m.size)
            for i0 in range(0, a.size, step):
                sl = slice(i0, i0 + step)
                lam = lnw + 2.0 * ell * eps[sl, None] * m + ln_n(a[sl, None] + m * ell)
                out[sl] = _slse(lam, np.ones_like(lam), axis=1)[0] + 2.0 * a[sl]
            return out
        neg = eps < 0
        if not np.any(neg):
            return out
        an, en = a[neg], eps[neg]
        # from M0 on, n_m = sN (a + m ell)^d exactly in both readings
        thr = 0.0 if literal else math.exp(min(-lnsN / d, 700.0))
        M0 = np.maximum(2.0, np.ceil((thr - an) / ell) + 1.0)
        tail = _ln_unsat_tail(M0, en, an, lnsN, d, ell)
        head = np.full(an.size, -np.inf)
        if M0.max() > _MAX_HEAD:  # the head sums 2 <= m < M0 terms explicitly, on every evaluation
            i = int(np.argmax(M0))
            why = ("" if literal else
                   f" and s N = {s * N:.3g} (continuous n_fast stays 1 until ln(gamma K^m) > (sN)^(-1/d))")
            raise ValueError(
                f"gamma={math.exp(an[i]):g} with K={K:g}{why} needs {M0[i]:.3g} terms before n_fast leaves "
                f"its first branch, more than the {_MAX_HEAD} summed explicitly in F0; use "
                f"ln(gamma) >= {thr - (_MAX_HEAD - 3) * ell:.6g} or a larger K"
                + ("" if literal else ", s or N")
            )
        W = int(M0.max()) - 2
        if W > 0:
            order = np.argsort(M0, kind="stable")
            step = max(1, _CHUNK // W)
            for i0 in range(0, an.size, step):
                idx = order[i0 : i0 + step]
                w = int(M0[idx].max()) - 2
                if w <= 0:  # a chunk whose heads are all empty
                    continue
                m = 2.0 + np.arange(w, dtype=float)
                lam = np.log(m - 1.0) + 2.0 * ell * en[idx, None] * m + ln_n(an[idx, None] + m * ell)
                lam = np.where(m[None, :] < M0[idx, None], lam, -np.inf)
                head[idx] = _slse(lam, np.ones_like(lam), axis=1)[0]
        out[neg] = np.logaddexp(head, tail) + 2.0 * an
    return out


def ln_F_zero_table(*, gamma, eps=None, Xi=None, K, N, s, d=1, sum_range="infinite", nfast="literal"):
    """:math:`\\ln F(\\Gamma\\to0^+)` of Eq. (19), broadcast over ``gamma`` *and* ``eps``.

    Same value as :func:`ln_F_zero` (``equation="19"``), whose ``gamma`` is a
    scalar; here ``gamma`` and ``eps`` (or ``Xi``) broadcast against each
    other, so a whole :math:`(\\gamma, \\varepsilon)` phase map is one call:
    the point is metallic iff the result is ``> 0``.  ``+inf`` where the
    infinite sum diverges (``eps >= 0``).  :math:`F(0^+) > 0` always, so no
    sign is returned.

    Parameters
    ----------
    gamma : float or array_like
        :math:`\\gamma/\\delta_m > 0`.
    eps, Xi : float or array_like
        Exactly one of :math:`\\varepsilon < 1` and :math:`\\Xi > 0`.
    K, N, s, d, sum_range, nfast
        As in :func:`solve_linewidth`.

    Returns
    -------
    float or numpy.ndarray
        Broadcast shape of ``gamma`` and ``eps``.

    Validity
    --------
    Never warns (whether a point lies inside Eq. 23 is
    :func:`~nblm_helpers.validity.condition_23`'s question).  ``ValueError``
    for bad parameters, shapes that do not broadcast, square sum
    ``N > 20000``, ``d > 64``, and more than 50000 head terms before
    :math:`n_{\\rm fast}` leaves its first branch (tiny ``gamma`` with ``K``
    near 1; tiny ``s N`` with ``nfast="continuous"``).
    """
    K, N, s, d, sum_range, nfast = _validate_boundary(K, N, s, d, sum_range, nfast)
    g = np.asarray(check_positive("gamma", gamma), dtype=float)
    e = np.asarray(resolve_eps(eps, Xi, K), dtype=float)
    gb, eb = np.broadcast_arrays(g, e)
    shape = gb.shape
    uniq, inv = np.unique(np.stack([np.log(gb.ravel()), eb.ravel()]), axis=1, return_inverse=True)
    vals = _ln_F0_pairs(uniq[0], uniq[1], K=K, N=N, s=s, d=d, sum_range=sum_range, nfast=nfast)
    out = vals[np.ravel(inv)].reshape(shape)
    return scalar_or_array(out)


def _gamma_c_columns(eps, *, K, N, s, d, sum_range, nfast, summation="sum", integral_limits="cell"):
    """ln gamma_c for a flat array of eps values (+inf: none below gamma = 1; -inf: gamma_c = 0)."""
    ell = math.log(K)
    kw = dict(K=K, N=N, s=s, d=d, sum_range=sum_range, summation=summation, integral_limits=integral_limits)
    out = np.full(eps.size, np.nan)
    if sum_range == "infinite":
        out[eps >= 0] = -np.inf
    todo = np.nonzero(np.isnan(out))[0]
    if todo.size == 0:
        return out
    e = eps[todo]
    top = _ln_F0_pairs(np.zeros(e.size), e, nfast=nfast, **kw)  # gamma = 1
    # F0 <= 1 at gamma = 1: no crossing below it if F0 is monotone (continuous reading); the
    # literal F0 is not (it drops where gamma K^m = 1), and may exceed 1 at some gamma < 1 only
    none = (top <= 0) if nfast == "continuous" else np.zeros(e.size, dtype=bool)
    out[todo[none]] = np.inf
    todo, e, top = todo[~none], e[~none], top[~none]
    if todo.size == 0:
        return out
    # lower end where the continuous (upper-bound, monotone) F0 is < 1
    a_lo = np.full(e.size, -5.0)
    for _ in range(80):
        bad = _ln_F0_pairs(a_lo, e, nfast="continuous", **kw) >= 0
        if not np.any(bad):
            break
        a_lo[bad] = 2.0 * a_lo[bad] - 5.0
    else:  # pragma: no cover - F0 -> 0 as gamma -> 0 for every eps handled here
        raise RuntimeError("internal error: no lower bracket for the critical coupling")
    lo = a_lo.copy()
    hi = np.zeros(e.size)
    if nfast == "literal" and summation == "integral":
        # the integral's literal F0 is continuous in a = ln gamma (the jump of n_fast at gamma K^m = 1
        # moves with a) but not monotone: the first crossing is found with a proof that no earlier
        # point has F0 > 1
        return _gamma_c_literal_integral(out, todo, e, a_lo, top, kw)
    if nfast == "literal":
        # F0 is continuous and increasing between the drops at a = -k ell;
        # the first interval whose right-end (left-limit) value exceeds 1
        # holds the smallest gamma with F0 > 1.
        kmax = int(math.ceil(-a_lo.min() / ell)) + 1
        if kmax > _MAX_NODES:
            raise ValueError(
                f"K={K!r} is too close to 1 for nfast='literal' here: F0 drops at every gamma = K^-m, "
                f"{kmax} of them lie above the lower bracket gamma = {math.exp(a_lo.min()):.3g} (at most "
                f"{_MAX_NODES} are examined); use K >= {math.exp(-a_lo.min() / (_MAX_NODES - 1)):.6g} "
                "or nfast='continuous'"
            )
        ks = np.arange(kmax, 1, -1, dtype=float)  # jump points, ascending in a
        nodes = -ks * ell
        # F0 is left-continuous at a node (n_m = 1 there, Eq. 20's first branch): its value at the
        # node is the maximum of the interval that ends there
        A = np.broadcast_to(nodes[None, :], (e.size, nodes.size))
        E = np.broadcast_to(e[:, None], A.shape)
        valid = (A > a_lo[:, None]) & (A < 0)
        vals = np.full(A.shape, -np.inf)
        vals[valid] = _ln_F0_pairs(A[valid], E[valid], nfast=nfast, **kw)
        crossed = vals > 0
        first = np.where(crossed.any(axis=1), crossed.argmax(axis=1), -1)
        has = first >= 0
        hi[has] = nodes[first[has]]
        # interval start: just above the previous jump node (F0 drops there, below its left
        # limit <= 1, and then increases continuously up to hi) or a_lo
        prev = np.where(has, first - 1, nodes.size - 1)
        prev_node = np.where(prev >= 0, nodes[np.maximum(prev, 0)], -np.inf)
        if np.any(~has):  # crossing in the last interval, after the last node below 0
            last = np.where(valid.any(axis=1), nodes.size - 1 - np.argmax(valid[:, ::-1], axis=1), -1)
            prev_node[~has] = np.where(last[~has] >= 0, nodes[np.maximum(last[~has], 0)], -np.inf)
        lo = np.where(prev_node > a_lo, np.nextafter(prev_node, np.inf), a_lo)
        # no node with F0 > 1 and F0 <= 1 at gamma = 1: F0 <= 1 on all of (0, 1]
        none = ~has & (top <= 0)
        if np.any(none):
            out[todo[none]] = np.inf
            todo, e, lo, hi = todo[~none], e[~none], lo[~none], hi[~none]
            if todo.size == 0:
                return out
    out[todo] = _refine_gamma_c(lambda x, ee: _ln_F0_pairs(x, ee, nfast=nfast, **kw), lo, hi, e)
    return out


def _refine_gamma_c(f, lo, hi, e):
    """ln gamma_c in brackets with F0(lo) <= 1 < F0(hi) (ln F0 = ``f(a, eps)``): an end where
    F0 = 1 exactly, else Chandrupatla's root of ln F0 in (lo, hi)."""
    flo, fhi = f(lo, e), f(hi, e)
    ok = (flo < 0) & (fhi > 0)
    res = np.where(flo == 0, lo, np.where(fhi == 0, hi, np.nan))
    if np.any(ok):
        res[ok] = _find_root(
            f, lo[ok], hi[ok], (e[ok],), xatol=1e-14, xrtol=4 * np.finfo(float).eps, fatol=1e-15,
            maxiter=2046,  # scipy's default
        )[0]
    if np.any(np.isnan(res)):  # pragma: no cover - bracket invariants guarantee a sign change
        raise RuntimeError("internal error: critical coupling bracket has no sign change")
    return res


def _ln_excess_literal_integral(a1, a2, e, *, K, N, sum_range, integral_limits):
    """ln of an upper bound of F0(a) - F0(a2) e^(2 (a - a2)) over a in [a1, a2] (literal integral).

    With m*(a) = -a/ln K (where gamma K^m = 1), the literal n_fast is 1 for m < m*(a) and
    sN (a + m ln K)^d (non-decreasing in a) above.  For a in [a1, a2] it is therefore at most
    n_fast(m; a2) + 1 on [m*(a2), m*(a1)] and at most n_fast(m; a2) elsewhere, so
    F0(a) <= F0(a2) + e^(2 a2) Integral_{m*(a2)}^{m*(a1)} w(m) K^(2 m eps) dm, and the integral is
    at most (its length) x max w x max K^(2 m eps) on the piece (inside the range of m).
    """
    ell = math.log(K)
    m_lo = 1.0 if integral_limits == "cell" else 2.0
    if sum_range == "infinite":
        m_hi = np.inf
    else:
        m_hi = 2.0 * N + 1.0 if integral_limits == "cell" else 2.0 * N
    u = np.maximum(-a2 / ell, m_lo)
    v = np.minimum(-a1 / ell, m_hi)
    with np.errstate(divide="ignore", invalid="ignore"):
        wmax = v - 1.0 if sum_range == "infinite" else np.minimum(np.minimum(v - 1.0, 2.0 * N + 1.0 - u), float(N))
        ln_c = 2.0 * e * ell * np.where(e > 0, v, u)
        out = 2.0 * a2 + np.log(v - u) + np.log(wmax) + ln_c
    return np.where((v > u) & (wmax > 0), out, -np.inf)


def _gamma_c_literal_integral(out, todo, e, a_lo, top, kw):
    """ln gamma_c of the literal integral form: the smallest a = ln gamma with F0 > 1, proved.

    F0 is continuous in a but not monotone (:func:`_ln_excess_literal_integral`).  No a <= a_lo
    has F0 > 1 (there the continuous reading's F0, an upper bound, is < 1).  Per column the loop
    keeps p (no point of [a_lo, p] has F0 > 1) and q (F0(q) > 1 once such a point is known; at
    first q = 0, gamma = 1, if F0 > 1 there) and tries t = p + min(step, (q - p)/2) (or
    min(p + step, 0) while no q is known): F0(t) > 1 moves q to t; F0(t) + excess(p, t) < 1 proves
    [p, t] (p = t, and the step doubles); otherwise the step halves.  It ends when q - p <= 1e-14
    (relative), and Chandrupatla refines in (p, q]; or when [a_lo, 0] is proved (no crossing:
    +inf).  A cell narrower than that which cannot be
    proved (F0 touching 1 from below within ~1e-14) counts as proved, as the scan of
    :func:`solve_linewidth` treats such cells.
    """
    f = lambda x, ee: _ln_F0_pairs(x, ee, nfast="literal", **kw)  # noqa: E731
    kx = dict(K=kw["K"], N=kw["N"], sum_range=kw["sum_range"], integral_limits=kw["integral_limits"])
    n = e.size
    p = a_lo.copy()
    q = np.zeros(n)
    known = top > 0  # F0(q) > 1
    step = np.minimum(1.0, -a_lo)
    for _ in range(20000):  # (each round halves q - p, moves p, or halves the step: ~100 rounds)
        tol = 1e-14 * np.maximum(1.0, np.abs(p))
        act = np.nonzero((q - p) > tol)[0]
        if act.size == 0:
            break
        pa, qa = p[act], q[act]
        t = np.where(known[act], pa + np.minimum(step[act], 0.5 * (qa - pa)), np.minimum(pa + step[act], 0.0))
        ft = f(t, e[act])
        pos = ft > 0
        known[act[pos]] = True
        with np.errstate(invalid="ignore"):
            proved = ~pos & (np.logaddexp(ft, _ln_excess_literal_integral(pa, t, e[act], **kx)) < 0)
        proved |= ~pos & ((t - pa) <= tol[act])
        q[act[pos]] = t[pos]
        p[act[proved]] = t[proved]
        step[act[proved]] *= 2.0
        step[act[~pos & ~proved]] *= 0.5
    else:  # pragma: no cover - guard
        raise RuntimeError("internal error: the critical coupling's first crossing could not be isolated")
    out[todo[~known]] = np.inf  # [a_lo, 0] proved: F0 <= 1 for every gamma <= 1
    out[todo[known]] = _refine_gamma_c(f, p[known], q[known], e[known])
    return out


def critical_coupling(*, eps=None, Xi=None, K, N, s, d=1, sum_range="infinite", nfast="literal", summation="sum",
                      integral_limits="cell"):
    """Critical inter-dot coupling :math:`\\gamma_c/\\delta_m` of Eq. (19) (Fig. 5).

    The smallest :math:`\\gamma` for which Eq. (19) has a non-trivial
    solution, i.e. (exactly, see the module docstring) the smallest
    :math:`\\gamma` with :math:`F(0^+) > 1`; it solves
    :math:`F_0(\\gamma_c) = 1`.

    Parameters
    ----------
    eps, Xi : float or array_like
        Exactly one of :math:`\\varepsilon = 1 - 1/(\\Xi\\ln K) < 1` and
        :math:`\\Xi > 0`.  Fig. 5's abscissa is
        :math:`1/\\Xi - \\ln K = -\\varepsilon\\ln K`.
    K, N, s, d, sum_range, nfast
        As in :func:`solve_linewidth` (Eq. 19 only).
    summation, integral_limits
        As in :func:`solve_linewidth`: ``"integral"`` is the boundary of the integral form of
        Eq. (19) (Sec. V A: how the paper drew Fig. 5).  Its :math:`F_0` is continuous in
        :math:`\\gamma`; with ``nfast="literal"`` it is not monotone, and the first crossing is
        found with a proof that :math:`F_0 \\le 1` below it (an upper bound of :math:`F_0` on
        each cell of :math:`\\ln\\gamma`, cells halved until it holds).  With
        ``nfast="literal"`` (sum or integral) :math:`F_0 \\le 1` at :math:`\\gamma = 1` does not
        mean "no metal": :math:`F_0` may exceed 1 at some smaller :math:`\\gamma` and drop again.

    Returns
    -------
    float or numpy.ndarray
        :math:`\\gamma_c/\\delta_m`, same shape as ``eps``.

        * ``0.0`` where every :math:`\\gamma > 0` gives a metal
          (``sum_range="infinite"`` and :math:`\\varepsilon \\ge 0`:
          :math:`F_0 = \\infty`).
        * ``inf`` where :math:`F_0 \\le 1` for every :math:`\\gamma < 1`: no
          metal with a coupling below :math:`\\delta_m` (Eq. 19 assumes
          :math:`\\gamma \\ll \\delta_m`; see also Eq. 23,
          :func:`critical_coupling_eq23_edge`).

    Notes
    -----
    Search in :math:`a = \\ln\\gamma`.  :math:`F_0` is strictly increasing in
    :math:`\\gamma` for ``nfast="continuous"``.  For ``nfast="literal"`` it
    is increasing between the points :math:`\\gamma = K^{-m}` (``m >= 2``),
    where the literal :math:`n_{\\rm fast}` of the ``m``-th term drops from 1
    (at and below the point) to :math:`sN\\ln^d(\\gamma K^m) \\to 0` (just
    above it), so :math:`F_0` drops there; the set
    :math:`\\{F_0 > 1\\}` can then have localized gaps above
    :math:`\\gamma_c` (re-entrance; see :func:`literal_reentrance`).  The
    lower bracket comes from the continuous reading, which bounds the
    literal one from above and is monotone; the first interval between
    drops whose upper end has :math:`F_0 > 1` is refined with Chandrupatla's
    method (vectorized over all ``eps``).  Accuracy about 1e-13 in
    :math:`\\ln\\gamma_c`.

    Raises
    ------
    ValueError
        For out-of-range parameters or unknown options (the message names
        the parameter).

    Validity
    --------
    Never warns: the boundary is a mathematical surface of Eq. (19); where
    :math:`\\gamma_c` violates Eq. (23) is what
    :func:`critical_coupling_eq23_edge` answers.  Work limits as
    :func:`ln_F_zero_table`, plus at most 5000 drop points
    :math:`\\gamma = K^{-m}` for ``nfast="literal"``.
    """
    K, N, s, d, sum_range, nfast = _validate_boundary(K, N, s, d, sum_range, nfast)
    summation, integral_limits = _check_summation(summation, integral_limits)
    e = np.asarray(resolve_eps(eps, Xi, K), dtype=float)
    uniq, inv = np.unique(e.ravel(), return_inverse=True)
    ln_gc = _gamma_c_columns(uniq, K=K, N=N, s=s, d=d, sum_range=sum_range, nfast=nfast, summation=summation,
                             integral_limits=integral_limits)
    with np.errstate(over="ignore", under="ignore"):
        out = np.exp(ln_gc)[np.ravel(inv)].reshape(e.shape)
    return scalar_or_array(out)


def literal_reentrance(*, eps=None, Xi=None, K, N, s, d=1, sum_range="infinite"):
    """Localized windows above :math:`\\gamma_c` in the literal reading of Eq. (20).

    Returns, for scalar ``eps``, a list of the jump points
    :math:`\\gamma = K^{-m} < 1` (``m >= 2``) above :math:`\\gamma_c` just above
    which the literal :math:`F_0` drops from above 1 to at most 1 (each opens a
    window of couplings that is localized again; the point itself still has
    :math:`n_m = 1`, Eq. 20's first branch including :math:`\\gamma K^m = 1`).  Empty when the phase
    boundary is a single point.  For array ``eps`` a list of such lists in
    ``eps.ravel()`` order.  The continuous reading never has such windows.

    Validity
    --------
    Never warns.  ``ValueError`` for bad parameters, the work limits of
    :func:`critical_coupling`, and more than 5000 drop points below
    :math:`\\gamma_c` (``K`` very close to 1).
    """
    K, N, s, d, sum_range, _ = _validate_boundary(K, N, s, d, sum_range, "literal")
    e = np.asarray(resolve_eps(eps, Xi, K), dtype=float)
    gc = np.atleast_1d(critical_coupling(eps=e, K=K, N=N, s=s, d=d, sum_range=sum_range))
    ell = math.log(K)
    res = []
    for ee, g in zip(e.ravel(), gc.ravel()):
        found = []
        if 0.0 < g < 1.0:
            if -math.log(g) / ell > _MAX_NODES:
                raise ValueError(
                    f"K={K!r} is too close to 1: gamma_c = {g:.3g} lies below {-math.log(g) / ell:.3g} "
                    f"drop points gamma = K^-m (at most {_MAX_NODES} are examined); use K >= "
                    f"{math.exp(-math.log(g) / _MAX_NODES):.6g}"
                )
            k = np.arange(2, int(math.floor(-math.log(g) / ell)) + 1, dtype=float)
            nodes = -k * ell
            nodes = nodes[nodes > math.log(g)]
            if nodes.size:
                # F0 is left-continuous at a node (n_m = 1 there) and drops just above it
                step = 1e-13 * np.maximum(1.0, np.abs(nodes))
                kw = dict(K=K, N=N, s=s, d=d, sum_range=sum_range, nfast="literal")
                fl = _ln_F0_pairs(nodes - step, np.full(nodes.size, ee), **kw)
                fr = _ln_F0_pairs(nodes + step, np.full(nodes.size, ee), **kw)
                found = [float(math.exp(x)) for x, l_, r_ in zip(nodes, fl, fr) if l_ > 0 >= r_]
        res.append(sorted(found))
    return res[0] if e.ndim == 0 else res


def _eps_c_19(gammas, *, K, N, s, d, sum_range, nfast, summation="sum", integral_limits="cell"):
    """eps_c (F0 = 1) of Eq. (19) per gamma (flat array); 1.0 means no metal for eps < 1."""
    kw = dict(K=K, N=N, s=s, d=d, sum_range=sum_range, nfast=nfast, summation=summation,
              integral_limits=integral_limits)
    a = np.log(gammas)
    f = lambda ee, aa: _ln_F0_pairs(aa, ee, **kw)  # noqa: E731
    out = np.full(a.size, np.nan)
    if sum_range == "infinite":
        # eps_c < 0 (F0 = inf for eps >= 0).  Near eps = 0, F0 ~ gamma^2 sN ln^d K (d+1)!/(2x)^(d+2)
        # with x = -eps ln K (critical_coupling_asymptote), so |eps_c| ~ gamma^(2/(d+2)): start at
        # half that (in logs: gamma^2 underflows for gamma < 1e-154) and halve until F0 > 1.
        ell = math.log(K)
        ln_x = (2.0 * a + math.log(s * N) + d * math.log(ell) + math.lgamma(d + 2)) / (d + 2) - math.log(2.0)
        hi = np.maximum(-1e-3, -0.5 * np.exp(ln_x) / ell)
        for _ in range(1100):  # down to the smallest subnormal
            bad = f(hi, a) <= 0
            if not np.any(bad):
                break
            hi[bad] *= 0.5
    else:
        hi = np.full(a.size, 1.0)
        none = f(hi, a) <= 0
        out[none] = 1.0
    lo = np.full(a.size, -1.0)
    for _ in range(200):
        bad = f(lo, a) >= 0
        if not np.any(bad):
            break
        lo[bad] = 2.0 * lo[bad] - 1.0
    todo = np.nonzero(np.isnan(out))[0]
    if todo.size:
        lo, hi, a = lo[todo], hi[todo], a[todo]
        # F0 grows with eps: one evaluation at 31 interior points narrows each bracket 32-fold
        grid = lo[:, None] + (hi - lo)[:, None] * (np.arange(1, 32) / 32.0)[None, :]
        vals = f(grid.ravel(), np.repeat(a, 31)).reshape(grid.shape)
        k = np.count_nonzero(vals < 0, axis=1)  # grid points below the root
        r = np.arange(todo.size)
        lo = np.where(k > 0, grid[r, np.maximum(k - 1, 0)], lo)
        hi = np.where(k < 31, grid[r, np.minimum(k, 30)], hi)
        res = np.empty(todo.size)
        # absolute tolerance 1e-15.  Unbounded range, |eps_c| < 1e-3 (gamma -> 0: F0 ~ |eps|^-(d+2)
        # across a bracket such as [-1/32, -1e-200], which Chandrupatla halved ~700 times): the
        # root in t = ln(-eps), to 1e-15 in t (relative in eps), all such columns together.
        # Square range (eps_c of either sign): a tiny eps_c is solved alone with a tolerance
        # relative to its bracket end (tolerances are per call).
        log_t = (np.abs(hi) < 1e-3) & (hi < 0) if sum_range == "infinite" else np.zeros(todo.size, dtype=bool)
        tiny = (np.abs(hi) < 1e-12) & ~log_t
        groups = [(np.nonzero(~tiny & ~log_t)[0], 1e-15)] + [(np.array([i]), 1e-16 * abs(hi[i]))
                                                             for i in np.nonzero(tiny)[0]]
        for sel, xatol in groups:
            if sel.size:
                res[sel] = _find_root(f, lo[sel], hi[sel], (a[sel],), xatol=xatol, xrtol=4 * np.finfo(float).eps,
                                      fatol=1e-15, maxiter=2046)[0]  # maxiter: scipy's default
        sel = np.nonzero(log_t)[0]
        if sel.size:
            ft = lambda t, aa: f(-np.exp(t), aa)  # noqa: E731  (decreasing in t)
            t = _find_root(ft, np.log(-lo[sel]), np.log(-hi[sel]), (a[sel],), xatol=1e-15,
                           xrtol=4 * np.finfo(float).eps, fatol=1e-15, maxiter=2046)[0]
            res[sel] = -np.exp(t)
        out[todo] = res
    return out


def _eps_c_app(gamma, *, K, N, s, d, equation, grid=48):
    """eps_c for E1/E2/E3 at one gamma: F0 = 1, extended down over bistable roots (none for E1)."""
    opts = dict(gamma=gamma, K=K, N=N, s=s, d=d, equation=equation)

    def g(ee):
        lnF, sg = ln_F_zero(eps=ee, **opts)
        # F0 - 1; only its sign and its zero matter, so F0 beyond e^700 is capped there
        return math.expm1(min(lnF, 700.0)) if sg > 0 else -1.0 - (math.exp(min(lnF, 700.0)) if sg < 0 else 0.0)

    top = 1.0 - 1e-12
    if g(top) <= 0:
        return 1.0
    lo = -1.0
    while g(lo) > 0:
        lo = 2.0 * lo - 1.0
    # F0 - 1 is an exponential sum with one sign change in its coefficients:
    # at most one zero in eps (Descartes' rule for Dirichlet polynomials)
    e0 = brentq_or_bisect(g, lo, top, xtol=1e-14, rtol=4 * np.finfo(float).eps)
    if equation == "E1":  # F <= F0 (positive terms, non-increasing in Gamma): no bistable root
        return e0
    # bistable roots (F0 <= 1 but a stable root) below e0: grid + bisection
    below = np.linspace(e0 - 1.0, e0, grid + 1)[:-1]
    r = solve_linewidth(eps=below, warn=False, **opts)
    has = np.asarray(r.status) == "root"
    if not np.any(has):
        return e0
    i = int(np.argmax(has))
    if i == 0:
        return float(below[0])  # the grid does not reach the end of the bistable range
    a_, b_ = float(below[i - 1]), float(below[i])
    for _ in range(50):
        mid = 0.5 * (a_ + b_)
        if solve_linewidth(eps=mid, warn=False, **opts).status == "root":
            b_ = mid
        else:
            a_ = mid
    return b_


def critical_eps(*, gamma, K, N, s, d=1, equation="19", sum_range="infinite", nfast="literal", summation="sum",
                 integral_limits="cell"):
    """:math:`\\varepsilon_c`: where the non-trivial solution disappears at fixed :math:`\\gamma`.

    See :func:`critical_Xi` (this is the same boundary in
    :math:`\\varepsilon = 1 - 1/(\\Xi\\ln K)`); ``1.0`` means no metal for
    any :math:`\\Xi` (i.e. :math:`\\Xi_c = \\infty`).

    Validity
    --------
    Never warns (the boundary is computed as a mathematical surface; see
    :func:`critical_coupling_eq23_edge` for where it leaves Eq. 23).
    ``ValueError`` for bad parameters and the work limits of
    :func:`ln_F_zero_table` (Eq. 19) or :func:`solve_linewidth` (E2/E3).
    Tiny ``gamma`` gives a tiny negative :math:`\\varepsilon_c` (e.g.
    :math:`-10^{-200}` at :math:`\\gamma = 10^{-300}`), never NaN.
    """
    equation = check_choice("equation", equation, EQUATIONS)
    K, N, s, d, sum_range, nfast = _validate_boundary(K, N, s, d, sum_range, nfast)
    summation, integral_limits = _check_summation(summation, integral_limits, equation)
    _check_critical_cost(K, N, equation)
    g = np.asarray(check_positive("gamma", gamma), dtype=float)
    return _critical_eps(g, K=K, N=N, s=s, d=d, equation=equation, sum_range=sum_range, nfast=nfast,
                         summation=summation, integral_limits=integral_limits)


def _check_critical_cost(K, N, equation):
    """critical_eps / critical_Xi with E2/E3 solve ~100 times: a tenth of the solve limit on N."""
    if equation != "19" and N > _max_n_app_solve(K) // 10:
        raise ValueError(
            f"N must be <= {_max_n_app_solve(K) // 10} for critical_eps/critical_Xi with equation {equation!r} "
            f"and K={K:g} (about 100 E2/E3 solves, each summing 2N terms on ~2N ln K/3 scan points); got N={N}"
        )


def _critical_eps(g, *, K, N, s, d, equation, sum_range, nfast, summation="sum", integral_limits="cell"):
    """:func:`critical_eps` for validated parameters (``g``: an array of couplings)."""
    uniq, inv = np.unique(g.ravel(), return_inverse=True)
    if equation == "19":
        vals = _eps_c_19(uniq, K=K, N=N, s=s, d=d, sum_range=sum_range, nfast=nfast, summation=summation,
                         integral_limits=integral_limits)
    else:
        vals = np.array([_eps_c_app(float(gg), K=K, N=N, s=s, d=d, equation=equation) for gg in uniq])
    out = vals[np.ravel(inv)].reshape(g.shape)
    return scalar_or_array(out)


def critical_Xi(*, gamma, K, N, s, d=1, equation="19", sum_range="infinite", nfast="literal", summation="sum",
                integral_limits="cell"):
    """Critical Fock-space localization length :math:`\\Xi_c` at fixed :math:`\\gamma`.

    The metal (a non-trivial solution) exists for :math:`\\Xi > \\Xi_c`.

    * ``equation="19"``: :math:`F_0(\\varepsilon_c) = 1` (exact: localized iff
      :math:`F_0 \\le 1`; :math:`F_0` is strictly increasing in
      :math:`\\varepsilon`).  With ``sum_range="infinite"``
      :math:`F_0 = \\infty` for every :math:`\\varepsilon \\ge 0`, so
      :math:`\\varepsilon_c < 0`, i.e. :math:`\\Xi_c < 1/\\ln K`.
    * ``equation="E3"``/``"E2"``: :math:`F_0 - 1` has at most one zero in
      :math:`\\varepsilon` (an exponential sum whose coefficients change sign
      once); the boundary is that zero, moved down if a bistable root
      (:math:`F_0 \\le 1` with a stable root, see :func:`solve_linewidth`) is
      found on a 48-point grid below it, refined by bisection.
    * ``equation="E1"``: :math:`F_0(\\varepsilon_c) = 1` (all terms positive; :math:`F \\le F_0`,
      so localized iff :math:`F_0 \\le 1`, as for Eq. 19).

    Parameters
    ----------
    gamma : float or array_like
        :math:`\\gamma/\\delta_m > 0`; array input gives array output.
    K, N, s, d, equation, sum_range, nfast, summation, integral_limits
        As in :func:`solve_linewidth` (``summation="integral"``: :math:`F_0` of the integral form,
        strictly increasing in :math:`\\varepsilon` like the sum's).

    Returns
    -------
    float or numpy.ndarray
        :math:`\\Xi_c = 1/((1-\\varepsilon_c)\\ln K)`; ``inf`` where no
        :math:`\\Xi` gives a metal (square sum with :math:`F_0 \\le 1` even at
        :math:`\\varepsilon \\to 1`).

    Validity
    --------
    As :func:`critical_eps`.
    """
    K_ = float(check_branching("K", K))
    ec = np.asarray(critical_eps(gamma=gamma, K=K, N=N, s=s, d=d, equation=equation,
                                 sum_range=sum_range, nfast=nfast, summation=summation,
                                 integral_limits=integral_limits), dtype=float)
    with np.errstate(divide="ignore"):
        out = np.where(ec >= 1.0, np.inf, 1.0 / ((1.0 - np.minimum(ec, 1.0)) * math.log(K_)))
    return scalar_or_array(out)


def critical_coupling_eq23_edge(*, K, N, s, d=1, sum_range="infinite", nfast="literal", z=None):
    """Where the phase boundary leaves the window of Eq. (23).

    Returns :math:`x^* = 1/\\Xi - \\ln K` at which
    :math:`\\gamma_c(x^*) = e^{-1/\\Xi} = e^{-x^*}/K` (with ``z``:
    :math:`\\min(e^{-1/\\Xi}, 1/z)`).  For :math:`x > x^*` the coupling needed
    for a metal violates Eq. (23): the mean field is no longer consistent
    there ("eventually :math:`\\gamma_c` becomes of order :math:`\\delta_m`").
    :math:`\\gamma_c` increases with :math:`x`, so the crossing is unique.
    Returns :math:`-\\ln K` (the end :math:`\\varepsilon \\to 1` of the domain) when
    the boundary lies outside Eq. (23) for every :math:`\\varepsilon < 1`
    (possible for the square sum).  Raises ``ValueError`` for bad parameters
    or the solver's work limits (see the module docstring); never warns.
    """
    K, N, s, d, sum_range, nfast = _validate_boundary(K, N, s, d, sum_range, nfast)
    ell = math.log(K)
    lnz = -math.inf if z is None else math.log(float(check_positive("z", z)))

    def h(x):
        gc = critical_coupling(eps=-x / ell, K=K, N=N, s=s, d=d, sum_range=sum_range, nfast=nfast)
        bound = min(-x - ell, -lnz)
        return (min(math.log(gc), 50.0) if gc > 0 else -1e3) - bound

    lo = -ell * 0.999 if sum_range == "square" else 0.0
    for _ in range(200):  # square sum: boundary may leave the window already at eps > 0
        if h(lo) < 0:
            break
        if lo <= -ell * (1.0 - 1e-12):  # outside Eq. (23) for every eps < 1
            return float(-ell)
        lo = lo - 1.0 if lo - 1.0 > -ell else max(0.5 * (lo - ell), -ell * (1.0 - 1e-12))
    else:
        return float(-ell)
    hi = 0.5
    for _ in range(1100):  # gamma_c grows with x: h > 0 at the latest where gamma_c = inf
        if h(hi) > 0:
            break
        hi *= 2.0
    return float(brentq_or_bisect(h, lo, hi, xtol=1e-13, rtol=4 * np.finfo(float).eps))


def critical_coupling_asymptote(*, eps=None, Xi=None, K, N, s, d=1):
    """Small-:math:`x` asymptote of :math:`\\gamma_c` for the infinite sum.

    With :math:`x = 1/\\Xi - \\ln K = -\\varepsilon\\ln K \\to 0^+` the sum
    :math:`F_0` is dominated by :math:`m \\sim 1/x`, where
    :math:`n_m \\approx sN(m\\ln K)^d`; replacing the sum by an integral,
    :math:`F_0 \\approx \\gamma^2 sN\\ln^dK\\,(d+1)!/(2x)^{d+2}`, so

    .. math:: \\gamma_c \\approx \\frac{(2x)^{(d+2)/2}}{\\sqrt{sN\\ln^dK\\,(d+1)!}}.

    ``0.0`` for :math:`x \\le 0`, where :math:`\\gamma_c = 0` exactly
    (:math:`F_0 = \\infty` for :math:`\\varepsilon \\ge 0`); ``inf`` where the
    formula exceeds the float range (huge :math:`x`, far outside its regime).

    Validity: an asymptote for :math:`x \\to 0^+`; compare with
    :func:`critical_coupling` for the exact boundary.  Raises ``ValueError``
    for out-of-range parameters (named in the message); never warns.
    """
    K = float(check_branching("K", K))
    N = check_positive_int("N", N)
    s = float(check_unit_interval("s", s))
    d = check_dimension(d)
    e = np.asarray(resolve_eps(eps, Xi, K), dtype=float)
    ell = math.log(K)
    x = -e * ell
    # in logs: (2x)^((d+2)/2) / sqrt(sN ln^d K (d+1)!) over- or underflows for extreme parameters
    ln_den = 0.5 * (math.log(s * N) + d * math.log(ell) + math.lgamma(d + 2))
    with np.errstate(divide="ignore", over="ignore", under="ignore"):
        val = np.where(x > 0, np.exp((d + 2) / 2.0 * np.log(2.0 * np.maximum(x, 1e-320)) - ln_den), 0.0)
    return scalar_or_array(val)


# Names before version 0.2 (one spelling per symbol, CHANGELOG.md): still served, with a
# DeprecationWarning.
__getattr__ = module_getattr(__name__, globals(), {'critical_xi': 'critical_Xi'})
