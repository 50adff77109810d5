"""Private numerics of the mean-field solver: work limits, signed and cumulative log-sum-exp,
Eulerian numbers and the closed-form tail of the unbounded sum, and the vectorized root finder."""

from __future__ import annotations

import functools
import math

import numpy as np
from scipy.optimize import elementwise as _elementwise
from scipy.special import logsumexp as _logsumexp_scipy



_LN_TAU_LO = math.log(1e-17)  # scan ends: where tau = Gamma n K^m (u = tau^2) is negligible
# Eq. 19 is summed as a prefix table (m < Mlo, where tau < 1e-9: 1/(1+u) = 1 to < 1e-18),
# an explicit band, and a series tail (m >= Mhi, where tau > 1e2: 1/(1+u) expanded in 1/u)
_BAND_LO = math.log(1e-9)
_BAND_HI = math.log(1e2)
_J_TAIL = 5  # terms of the tail series: error <= u^-6 <= 1e-24 relative
_DOMAIN_GAP = 1e-9  # Eq. 19 scan stops at ln Gamma = ln gamma - 1e-9
_CHUNK = 1_500_000  # array elements per evaluation chunk
# Eq. 19 evaluations: term arrays of at most this many elements (~0.3 MB, cache-sized: a scan grid of
# 2500 points x 36 terms is ~40% faster in chunks of this size than as one array; a point's value
# does not depend on the chunk it is evaluated in)
_CHUNK_19 = 40_000
_TABLE_BUDGET = 4_000_000  # prefix-table elements per column chunk
_MAX_ORDER = 10_000_000  # largest rearrangement order m summed explicitly (~80 MB per column)
_ORDER_FLOOR = _MAX_ORDER - 256  # ln Gamma >= -_ORDER_FLOOR ln K keeps every table within _MAX_ORDER
_ROOT_TOL = 1e-10  # |ln F| at an accepted root
# Work limits (a call answers within seconds and bounded memory, or refuses with a ValueError):
_MAX_N_SQUARE = 20_000  # square sum: 2N terms per evaluation and a 2N+1 prefix table per column
_MAX_BAND = 200_000  # Eq. 19: explicit crossover terms per evaluation, ~ln(1e11)/ln K
_MAX_N_APP_RATIO = 1_000_000  # E2/E3: 2N terms per evaluation of F
_APP_SCAN_BUDGET = 2e7  # E2/E3 solve: (2N terms) x (~2N ln K / 3 scan points) per column
_MAX_D = 64  # spatial dimension: the closed-form tail expands (a + m ln K)^d in d + 2 Eulerian terms
_MAX_NODES = 5000  # literal Eq. 20: F0 drops at gamma = K^-m; at most this many are examined
_MAX_HEAD = 50_000  # F0 boundary searches: explicit head terms 2 <= m < M0 per evaluation
_MAX_ORDER_CONTOUR = 200_000  # eps_at_linewidth: deepest order (ln Gamma / ln K) of its target
_MAX_POINTS = 20_000  # distinct (eps, gamma, s) points of one solve_linewidth call (~1-2 s)


def _slse(a, b, axis=-1):
    """Signed log-sum-exp: ``(ln|sum b e^a|, sign)`` along ``axis``.

    Same result as ``scipy.special.logsumexp(a, b=b, return_sign=True)``
    (max-shifted, so no overflow), but several times faster on the small
    trailing axes used here.  Rows that are all ``-inf`` give ``(-inf, 0)``.
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        mx = np.max(a, axis=axis, keepdims=True)
        mx = np.where(np.isfinite(mx), mx, 0.0)
        tot = np.sum(b * np.exp(a - mx), axis=axis)
        out = np.squeeze(mx, axis=axis) + np.log(np.abs(tot))
    return out, np.sign(tot)


def logsumexp(a, axis):
    """``scipy.special.logsumexp(a, axis=axis)`` for a real float array ``a`` and an int ``axis``.

    SciPy's algorithm (as of SciPy 1.17: the maxima are taken out of the sum,
    ``ln(m) + log1p(sum of the rest / m) + max`` with ``m`` the number of
    maxima, and SciPy's direct ``ln(sum(exp(a)))`` where that is not finite),
    the same NumPy reductions in the same order, without SciPy's array-API
    layer (~0.1 ms per call, most of the closed-form tail's cost).  Bit-identical to
    SciPy (tested in ``tests/test_meanfield_numerics.py``).
    """
    a = np.asarray(a, dtype=float)
    if a.ndim == 0:
        a = a.reshape(1)
    if a.size == 0:
        return _logsumexp_scipy(a, axis=axis)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        a_max = a.max(axis=axis, keepdims=True)
        i_max = a == a_max
        m = i_max.sum(axis=axis, keepdims=True, dtype=float)  # number of maxima (>= 0)
        s = np.exp(np.where(i_max, -np.inf, a) - a_max).sum(axis=axis, keepdims=True)
        s = np.where(s == 0, s, s / m)
        # (SciPy's sign bookkeeping for weights b < 0 is the identity here: s >= 0 or NaN, m >= 0)
        out = np.squeeze(np.log1p(s) + np.log(m) + a_max, axis=axis)
        fin = np.isfinite(out)
        if not fin.all():
            out_inf = np.squeeze(np.log(np.sum(np.exp(a), axis=axis, keepdims=True)), axis=axis)
            out = np.where(fin, out, out_inf)
    return out[()] if out.ndim == 0 else out


def _find_root(func, a, b, args=(), *, xatol, xrtol, fatol, maxiter):
    """SciPy's vectorized Chandrupatla, ``scipy.optimize.elementwise.find_root`` (``frtol=0``).

    ``func(x, *args)`` is elementwise; ``a``, ``b`` and ``args`` are 1-D arrays
    of one length.  Returns ``(x, f_x, xl, xr, fl, fr, status)``: the iterate
    of smallest ``|f|``, the final bracket and its values, SciPy's status.

    This is SciPy's algorithm (``scipy.optimize._chandrupatla``, as of SciPy
    1.17, the same floating-point operations in the same order, active
    elements compressed after every termination check), written for 1-D
    NumPy float arrays without SciPy's array-API layer: that layer costs
    ~0.3 ms per iteration, ~3 ms per call, most of a widget frame's solve.
    The results are bit-identical to ``find_root`` (tested against it in
    ``tests/test_meanfield_numerics.py``); :func:`_find_root_scipy` is the
    SciPy call itself.
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        return _chandrupatla(func, a, b, args, xatol, xrtol, fatol, maxiter)


def _find_root_scipy(func, a, b, args=(), *, xatol, xrtol, fatol, maxiter):
    """:func:`_find_root` through ``scipy.optimize.elementwise.find_root`` itself (the reference)."""
    res = _elementwise.find_root(
        func, (np.asarray(a, float), np.asarray(b, float)), args=tuple(args),
        tolerances=dict(xatol=xatol, xrtol=xrtol, fatol=fatol, frtol=0.0), maxiter=maxiter,
    )
    return (np.asarray(res.x, float), np.asarray(res.f_x, float), res.bracket[0], res.bracket[1],
            res.f_bracket[0], res.f_bracket[1], res.status)


def _chandrupatla(func, a, b, args, xatol, xrtol, fatol, maxiter):
    """The loop of :func:`_find_root` (call inside ``np.errstate(all="ignore")``)."""
    x1, x2, *args = np.broadcast_arrays(np.asarray(a, float), np.asarray(b, float), *map(np.asarray, args))
    x1, x2 = np.array(x1, dtype=float).ravel(), np.array(x2, dtype=float).ravel()
    args = [np.array(v).ravel() for v in args]
    f1 = np.array(func(x1, *args), dtype=float).ravel()
    f2 = np.array(func(x2, *args), dtype=float).ravel()
    n = x1.size
    nfev = 2
    nit = 0
    frtol = 0.0 * np.minimum(np.abs(f1), np.abs(f2))
    status = np.full(n, 1, dtype=np.int32)
    # the result (SciPy's res_work_pairs): status, x = xmin, fun = fmin, nit, nfev, xl = x1, ...
    r_status = np.full(n, 1, dtype=np.int32)
    r_x, r_f, r_xl, r_fl, r_xr, r_fr = (np.zeros(n) for _ in range(6))
    r_nit = np.zeros(n, dtype=np.int32)
    r_nfev = np.zeros(n, dtype=np.int32)
    active = np.arange(n)
    x3 = f3 = None
    t = 0.5
    xmin = fmin = dx = tol = None

    def store(idx, sel):
        r_status[idx] = status[sel]
        r_x[idx], r_f[idx] = xmin[sel], fmin[sel]
        r_nit[idx], r_nfev[idx] = nit, nfev
        r_xl[idx], r_fl[idx], r_xr[idx], r_fr[idx] = x1[sel], f1[sel], x2[sel], f2[sel]

    def check():
        nonlocal xmin, fmin, dx, tol
        i = np.abs(f1) < np.abs(f2)
        xmin = np.where(i, x1, x2)
        fmin = np.where(i, f1, f2)
        stop = np.abs(fmin) <= fatol + frtol
        status[stop] = 0
        i = (np.sign(f1) == np.sign(f2)) & ~stop
        xmin[i], fmin[i], status[i] = np.nan, np.nan, -1
        stop |= i
        i = (~(np.isfinite(x1) & np.isfinite(x2)) | (np.isnan(f1) & np.isnan(f2))) & ~stop
        xmin[i], fmin[i], status[i] = np.nan, np.nan, -3
        stop |= i
        dx = np.abs(x2 - x1)
        tol = np.abs(xmin) * xrtol + xatol
        i = dx < tol
        status[i] = 0
        stop |= i
        return stop

    def compress(stop):
        nonlocal active, x1, f1, x2, f2, x3, f3, t, frtol, status, xmin, fmin, dx, tol, args
        store(active[stop], stop)
        keep = ~stop
        active = active[keep]
        x1, f1, x2, f2 = x1[keep], f1[keep], x2[keep], f2[keep]
        if x3 is not None:
            x3, f3 = x3[keep], f3[keep]
        if np.ndim(t):
            t = t[keep]
        frtol, status, xmin, fmin, dx, tol = (v[keep] for v in (frtol, status, xmin, fmin, dx, tol))
        args = [v[keep] for v in args]

    stop = check()
    if stop.any():
        compress(stop)
    while nit < maxiter and active.size and n:
        x = x1 + t * (x2 - x1)
        f = np.asarray(func(x, *args), dtype=float)
        nfev += 1
        x3, f3 = x2.copy(), f2.copy()
        j = np.sign(f) == np.sign(f1)
        nj = ~j
        x3[j], f3[j] = x1[j], f1[j]
        x2[nj], f2[nj] = x1[nj], f1[nj]
        x1, f1 = x, f
        nit += 1
        stop = check()
        if stop.any():
            compress(stop)
        if active.size == 0:
            break
        xi1 = (x1 - x2) / (x3 - x2)
        phi1 = (f1 - f2) / (f3 - f2)
        alpha = (x3 - x1) / (x2 - x1)
        j = ((1 - np.sqrt(1 - xi1)) < phi1) & (phi1 < np.sqrt(xi1))
        f1j, f2j, f3j, alphaj = f1[j], f2[j], f3[j], alpha[j]
        tt = np.full_like(alpha, 0.5)
        tt[j] = (f1j / (f1j - f2j) * f3j / (f3j - f2j)
                 - alphaj * f1j / (f3j - f1j) * f2j / (f2j - f3j))
        # SciPy's clip (array_api_compat): lower bound, then upper bound, NaN bounds win
        tl = 0.5 * tol / dx
        th = 1 - tl
        ia = (tt < tl) | np.isnan(tl)
        tt[ia] = tl[ia]
        ib = (tt > th) | np.isnan(th)
        tt[ib] = th[ib]
        t = tt
    if active.size:  # not converged in maxiter
        status[:] = -2
        store(active, slice(None))
    swap = ~(r_xl < r_xr)
    xl = np.where(swap, r_xr, r_xl)
    xr = np.where(swap, r_xl, r_xr)
    fl = np.where(swap, r_fr, r_fl)
    fr = np.where(swap, r_fl, r_fr)
    return r_x, r_f, xl, xr, fl, fr, r_status


def _cum_lse(lam, block=64):
    """C[..., k] = ln sum_{i<k} exp(lam[..., i]) for k = 0..n (accurate).

    Blockwise: exact linear cumulative sums inside blocks of ``block``
    entries (scaled by the block maximum), log-space accumulation across
    blocks.  Relative error ~ (block + n/block) * 1e-16.
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        return _cum_lse_impl(lam, block)


def _cum_lse_impl(lam, block):
    lead = lam.shape[:-1]
    n = lam.shape[-1]
    nb = max(1, -(-n // block))
    pad = np.full(lead + (nb * block,), -np.inf)
    pad[..., :n] = lam
    L = pad.reshape(lead + (nb, block))
    mx = L.max(axis=-1)
    mx = np.where(np.isfinite(mx), mx, 0.0)
    cs = np.cumsum(np.exp(L - mx[..., None]), axis=-1)
    lcs = mx[..., None] + np.log(cs)
    tot = lcs[..., -1]
    acc = np.logaddexp.accumulate(tot, axis=-1)
    excl = np.concatenate([np.full(lead + (1,), -np.inf), acc[..., :-1]], axis=-1)
    incl = np.logaddexp(excl[..., None], lcs).reshape(lead + (nb * block,))[..., :n]
    return np.concatenate([np.full(lead + (1,), -np.inf), incl], axis=-1)


def _eulerian(p):
    """Eulerian numbers A(p, i), i = 0..p-1 (p >= 1), as Python ints."""
    row = [1]
    for n in range(2, p + 1):
        new = [0] * n
        for i in range(n):
            left = row[i - 1] if 0 <= i - 1 < len(row) else 0
            here = row[i] if i < len(row) else 0
            new[i] = (i + 1) * here + (n - i) * left
        row = new
    return row


@functools.lru_cache(maxsize=64)
def _tail_constants(d, ell):
    """ln C(d, p), p ln(ell) (p = 0..d+1) and ln A(p, i) (arrays) of :func:`_ln_unsat_tail`, as it computes them."""
    ln_comb = [math.log(math.comb(d, p)) if p <= d else math.nan for p in range(d + 2)]
    p_ln_ell = [p * math.log(ell) for p in range(d + 2)]
    ln_A = [None] + [np.array([math.log(c) for c in _eulerian(p)]) for p in range(1, d + 2)]
    return ln_comb, p_ln_ell, ln_A


def _ln_unsat_tail(M, eps, a, lnsN, d, ell):
    """ln sum_{m >= M} (m-1) e^lnsN (a + m l)^d K^{2 m eps} (l = ln K), eps < 0, a + M l >= 0.

    ``M``, ``eps``, ``a`` (= ln gamma) and ``lnsN`` (= ln s N) broadcast
    elementwise.  Closed form with non-negative coefficients (no
    cancellation): expand in j = m - M and use
    sum_j j^p q^j = q A_p(q)/(1-q)^(p+1).
    """
    b = a + M * ell
    with np.errstate(divide="ignore"):
        lnb = np.log(b)
    lnq = 2.0 * eps * ell
    ln1mq = np.log(-np.expm1(lnq))
    ln_M1 = np.log(M - 1.0)
    ln_comb, p_ln_ell, ln_A = _tail_constants(d, ell)
    terms = []
    for p in range(d + 2):
        pieces = []
        if p <= d:
            e = (d - p) * lnb if d - p > 0 else 0.0
            pieces.append(ln_M1 + ln_comb[p] + e + p_ln_ell[p])
        if p >= 1:
            e = (d - p + 1) * lnb if d - p + 1 > 0 else 0.0
            pieces.append(ln_comb[p - 1] + e + p_ln_ell[p - 1])
        lncp = pieces[0] if len(pieces) == 1 else np.logaddexp(pieces[0], pieces[1])
        if p == 0:
            lnLi = -ln1mq
        else:
            lnAq = ln_A[p][None, :] + np.arange(p)[None, :] * np.atleast_1d(lnq)[:, None]
            # (logsumexp of a single term is that term, exactly)
            lnA = lnAq[:, 0] if p == 1 else logsumexp(lnAq, axis=1)
            lnLi = lnq + lnA - (p + 1) * ln1mq
        terms.append(lncp + lnLi)
    tot = logsumexp(np.stack(np.broadcast_arrays(*terms), axis=0), axis=0)
    return lnsN + M * lnq + tot
