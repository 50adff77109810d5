"""The ln F model of Eq. (19) with the sum over m = n + p replaced by an integral (Sec. V A, App. E).

The paper computed Figs. 5-7 and Fig. 8's open circles "by approximating the sum by an integral".
With m continuous and n(m) = n_fast(t = K^m) of Eq. (20) (either reading),

    F(Gamma) = gamma^2 Integral_{m_lo}^{m_hi} dm w(m) K^{2 m eps} n(m) / (1 + (Gamma n(m) K^m)^2),

* ``limits="cell"``: every (n, p) is the unit cell [n - 1/2, n + 1/2] x [p - 1/2, p + 1/2], so the
  length of the line n + p = m inside the quadrant (square) is w(m) = m - 1 on [1, inf)
  (``sum_range="infinite"``) or w(m) = min(m - 1, 2N + 1 - m) on [1, 2N + 1] (``"square"``);
  the sum is then the midpoint rule of the integral (error O(ln^2 K) relative, Euler-Maclaurin);
* ``limits="naive"``: the sum's own weights and limits, w(m) = m - 1 on [2, inf), or
  min(m - 1, 2N + 1 - m) on [2, 2N].

The integrand has kinks (literal reading: a jump) where gamma K^m = 1, where the continuous reading's
n_fast leaves 1, at saturation Gamma K^m = 1 (t = 1/Gamma) and (square) at m = N + 1; the crossover
Gamma n K^m ~ 1 is a smooth peak.  :class:`_IntegralModel` integrates piecewise between these points
with :func:`scipy.integrate.tanhsinh` (``log=True``: the integrand is handled as its logarithm, so
ln Gamma ~ -1e4 is fine), elementwise error control at ``_RTOL`` relative per piece, vectorized over
all (point, piece) pairs; pieces that do not converge are halved and redone.  Closed forms:

* the tail of the unbounded integral beyond the crossover (saturated branch, u = (Gamma n K^m)^2 >=
  1e4): 1/(1 + u) = sum_j (-1)^(j+1) u^-j, each term an elementary integral (error u^-6 <= 1e-24);
* F(0+) for eps < 0 beyond the point M0 where n_fast = s N (a + m ln K)^d (a = ln gamma): with
  tau = m - M0, (m - 1)(a + m ln K)^d is a polynomial in tau with non-negative coefficients and
  Integral_0^inf tau^k e^{-b tau} = k!/b^(k+1) (b = -2 eps ln K): no cancellation.

Derivative bound (for the bracket scan): at fixed m the integrand is the sum's term c n/(1 + u), whose
d ln / dx (x = ln Gamma) lies in [-(2 + delta), max(0, delta - 2)], delta = d / ln(gamma/Gamma)
(package docstring); the integrand is continuous in m across the moving saturation point, so
differentiation under the integral holds and ln F of the integral obeys the same bound.  Hence
:meth:`_Model.exclude` (Eq. 19 branch) applies unchanged, F(Gamma) <= F(0+), and "localized iff
F(0+) <= 1" holds for the integral too.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.integrate import tanhsinh
from scipy.special import gammaln

from ..parameters import check_choice
from ._lnf import _Model
from ._numerics import _BAND_HI, _BAND_LO, _J_TAIL, _slse
from .nfast import _ln_n_unsat

INTEGRAL_LIMITS = ("cell", "naive")
SUMMATIONS = ("sum", "integral")

_RTOL = 1e-12  # tanhsinh relative tolerance per piece (F is a sum of positive pieces)
_N_BAND = 4  # the crossover band [Mlo, Mt] is integrated in this many equal pieces
_LN_NEGLIGIBLE = -1000.0  # ln F below which a point's pieces are accepted as they are
_MAX_SPLITS = 6  # rounds of halving pieces that tanhsinh did not converge on


def _ln_integrand(m, x, a, lnsN, eps, ell, d, literal, N2p1):
    """ln of w(m) K^{2 m eps} n(m) / (1 + (Gamma n K^m)^2) (without gamma^2); x = -inf: Gamma -> 0.

    ``N2p1`` = 2N + 1 for the square range (w = min(m - 1, 2N + 1 - m)), else ``inf``.
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        y = ell * m
        xy = x + y
        # n_fast(K^m): saturated (t >= 1/Gamma) branch at gamma/Gamma, as in the sum
        L = np.where(xy >= 0, a - x, a + y)
        ln_n = _ln_n_unsat(L, lnsN, d, literal)
        w = np.minimum(m - 1.0, N2p1 - m)
        ln_w = np.log(np.where(w > 0, w, 0.0))
        return ln_w + (2.0 * eps) * y + ln_n - np.logaddexp(0.0, 2.0 * (xy + ln_n))


class _IntegralModel:
    """ln F of the integral form of Eq. (19) for points (x, column): the interface of :class:`_Model`
    that the bracket scan and its refinement use (``lnF``, ``lnF0``, ``scan_values``, ``root_fn``,
    ``exclude``, ``sub``, ``ln_nfU``, ``x_lo_inf``)."""

    # the derivative bound of Eq. 19 holds for the integral (module docstring)
    exclude = _Model.exclude
    fatol = 1e-13  # |ln F| the refinement may stop at (the quadrature is accurate to ~1e-13)

    def __init__(self, *, gamma, K, N, s, d, sum_range, nfast, limits, eps):
        self.K, self.N, self.d = K, N, d
        self.ell = math.log(K)
        self.equation = "19"
        self.eps = np.atleast_1d(np.asarray(eps, dtype=float))
        self.ncol = self.eps.size
        self.gamma = np.broadcast_to(np.asarray(gamma, dtype=float), self.eps.shape).copy()
        self.s = np.broadcast_to(np.asarray(s, dtype=float), self.eps.shape).copy()
        self.a = np.array([math.log(v) for v in self.gamma.tolist()])
        self.lnsN = np.array([math.log(v * N) for v in self.s.tolist()])
        self.kind = "inf" if sum_range == "infinite" else "sq"
        self.literal = nfast == "literal"
        self.limits = limits
        self._opts = dict(K=K, N=N, d=d, sum_range=sum_range, nfast=nfast, limits=limits)
        self.m_lo = 1.0 if limits == "cell" else 2.0
        if self.kind == "inf":
            self.m_hi, self.N2p1 = math.inf, math.inf
        else:
            self.m_hi = 2.0 * N + 1.0 if limits == "cell" else 2.0 * N
            self.N2p1 = 2.0 * N + 1.0
        # largest order the scan's flat-region estimate of the square range must cover
        self.m_top = self.m_hi if self.kind == "sq" else None
        self._sum = None

    def sub(self, cols):
        cols = np.asarray(cols, dtype=np.int64)
        return _IntegralModel(eps=self.eps[cols], gamma=self.gamma[cols], s=self.s[cols], **self._opts)

    def ln_nfU(self, m, a, lnsN):
        """ln n_fast(K^m) for Gamma -> 0 (Eq. 20), as :meth:`_Model.ln_nfU`."""
        return _ln_n_unsat(a + m * self.ell, lnsN, self.d, self.literal)

    # ---------------- quadrature ----------------
    def _kinks(self, a, lnsN):
        """Gamma-independent break points: gamma K^m = 1, n_fast leaving 1 (continuous), m = N + 1."""
        k = [-a / self.ell]
        if not self.literal:
            thr = np.exp(np.minimum(-lnsN / self.d, 700.0))
            k.append((thr - a) / self.ell)
        if self.kind == "sq":
            k.append(np.full(a.shape, self.N + 1.0))
        return k

    def _integrate(self, lo, hi, x, a, lnsN, eps):
        """ln of the integral over each piece [lo, hi] (arrays of shape (pieces, points)); -inf where hi <= lo.

        Error control relative to each point's total: a rough first pass (tanhsinh up to level 3)
        estimates the total c of every point; the second pass integrates e^(g - c) with
        ``atol = _RTOL`` and ``rtol = _RTOL`` (so a piece negligible next to its point's total, e.g.
        a very short piece next to a kink whose nodes' rounding keeps the estimate from converging,
        stops early).  A piece is accepted when it converged or its error estimate is below
        ``_RTOL`` times the point's total; other pieces are halved and redone.  Points with
        F < e^-1000 accept every piece (F is 0.0 in floating point; such ln F are only compared
        with 0).
        """
        npc, npt = lo.shape
        out = np.full(lo.size, -np.inf)
        owner = np.broadcast_to(np.arange(npt), (npc, npt)).ravel()
        rep = lambda v: np.broadcast_to(v, (npc, npt)).ravel()  # noqa: E731
        x, a, lnsN, eps = rep(x), rep(a), rep(lnsN), rep(eps)
        lo, hi = lo.ravel(), hi.ravel()
        todo = np.nonzero(hi > lo)[0]  # element (piece) indices still open
        lo, hi = lo[todo], hi[todo]
        ell, d, literal, N2p1 = self.ell, self.d, self.literal, self.N2p1

        def f(m, x_, a_, lnsN_, eps_, c_):
            return _ln_integrand(m, x_, a_, lnsN_, eps_, ell, d, literal, N2p1) - c_

        # first pass: the scale c of every point's total
        c = np.full(npt, -np.inf)
        if todo.size:
            res = tanhsinh(f, lo, hi, args=(x[todo], a[todo], lnsN[todo], eps[todo], np.zeros(todo.size)),
                           log=True, maxlevel=3)
            with np.errstate(invalid="ignore", divide="ignore"):
                np.logaddexp.at(c, owner[todo], np.asarray(res.integral))
        c = np.where(np.isfinite(c), c, 0.0)
        lnt = math.log(_RTOL)
        for _round in range(_MAX_SPLITS + 1):
            if todo.size == 0:
                break
            ct = c[owner[todo]]
            res = tanhsinh(f, lo, hi, args=(x[todo], a[todo], lnsN[todo], eps[todo], ct), log=True,
                           rtol=lnt, atol=lnt)
            val, err = np.asarray(res.integral) + ct, np.asarray(res.error) + ct
            with np.errstate(invalid="ignore", divide="ignore"):
                tot = np.full(npt, -np.inf)  # per point: accepted pieces + this round's estimates
                np.logaddexp.at(tot, owner, out)
                np.logaddexp.at(tot, owner[todo], val)
                ok = (res.status == 0) | (err - tot[owner[todo]] <= lnt) | ~np.isfinite(val)
                ok |= tot[owner[todo]] + 2.0 * a[todo] < _LN_NEGLIGIBLE
            if _round == _MAX_SPLITS and not np.all(ok):  # pragma: no cover - guard
                raise RuntimeError("internal error: the integral of Eq. 19 did not converge")
            np.logaddexp.at(out, todo[ok], val[ok])
            bad = ~ok
            mid = 0.5 * (lo[bad] + hi[bad])
            todo = np.concatenate([todo[bad], todo[bad]])
            lo, hi = np.concatenate([lo[bad], mid]), np.concatenate([mid, hi[bad]])
        return out.reshape(npc, npt)

    def _pieces(self, x, col):
        """Break points (rows) per point (columns), and the start of the closed-form tail (inf range)."""
        a, lnsN = self.a[col], self.lnsN[col]
        ell = self.ell
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            A = a - x
            ln_c = _ln_n_unsat(A, lnsN, self.d, self.literal)  # ln n_fast on the saturated branch
            ms = -x / ell
            Mlo = np.minimum((_BAND_LO - x - np.maximum(0.0, ln_c)) / ell, ms)
            # tail start: saturated and u >= e^(2 _BAND_HI) = 1e4
            Mt = np.maximum(ms, (_BAND_HI - x - ln_c) / ell)
        m_lo = self.m_lo
        end = Mt if self.kind == "inf" else np.full(x.shape, self.m_hi)
        end = np.maximum(end, m_lo)
        pts = self._kinks(a, lnsN) + [ms]
        Mlo_c = np.clip(Mlo, m_lo, end)
        band = [Mlo_c + (end - Mlo_c) * (k / _N_BAND) for k in range(1, _N_BAND)]
        pts = pts + [Mlo_c] + band
        P = np.sort(np.clip(np.stack(pts), m_lo, end), axis=0)
        P = np.concatenate([np.full((1, x.size), m_lo), P, end[None, :]], axis=0)
        return P, end, ln_c

    def _ln_tail(self, M, x, ln_c, eps):
        """ln of Integral_M^inf (m-1) n_s K^{2 m eps}/(1+u) dm on the saturated branch (u >= 1e4 at M)."""
        ell = self.ell
        j = np.arange(1, _J_TAIL + 1, dtype=float)[:, None]
        lam = 2.0 * ell * (j - eps)
        with np.errstate(divide="ignore", invalid="ignore"):
            lnI = -lam * M + np.logaddexp(np.log(M - 1.0) - np.log(lam), -2.0 * np.log(lam))
        terms = (1.0 - 2.0 * j) * ln_c - 2.0 * j * x + lnI
        sgn = np.where(j % 2 == 1, 1.0, -1.0) * np.ones_like(terms)
        val, _ = _slse(terms, sgn, axis=0)
        return val

    def lnF(self, x, col, parts=False):
        """(ln F, sign) at flat arrays x (finite, < ln gamma) and col (int)."""
        x = np.asarray(x, dtype=float).ravel()
        col = np.asarray(col, dtype=np.int64).ravel()
        n = x.size
        P, end, ln_c = self._pieces(x, col)
        lnI = self._integrate(P[:-1], P[1:], x, self.a[col], self.lnsN[col], self.eps[col])
        with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
            tot = np.logaddexp.reduce(lnI, axis=0)
            if self.kind == "inf":
                tot = np.logaddexp(tot, self._ln_tail(end, x, ln_c, self.eps[col]))
            out = tot + 2.0 * self.a[col]
        s = np.where(np.isfinite(out) | (out > 0), 1.0, 0.0)
        if parts:
            return out, s, out, np.full(n, -np.inf)
        return out, s

    def lnF0(self):
        """(ln F(0+), sign) per column; +inf where the unbounded integral diverges (eps >= 0)."""
        ncol = self.ncol
        a, lnsN, eps = self.a, self.lnsN, self.eps
        out = np.full(ncol, np.inf)
        x = np.full(ncol, -np.inf)
        if self.kind == "sq":
            end = np.full(ncol, self.m_hi)
            sel = np.arange(ncol)
        else:
            sel = np.nonzero(eps < 0)[0]
            # from M0 on, n_fast = s N (a + m ln K)^d exactly (both readings)
            k = self._kinks(a, lnsN)
            end = np.maximum(self.m_lo, k[0] if self.literal else k[1])
        if sel.size == 0:
            return out, np.ones(ncol)
        P = np.sort(np.clip(np.stack(self._kinks(a[sel], lnsN[sel])), self.m_lo, end[sel]), axis=0)
        P = np.concatenate([np.full((1, sel.size), self.m_lo), P, end[sel][None, :]], axis=0)
        lnI = self._integrate(P[:-1], P[1:], x[sel], a[sel], lnsN[sel], eps[sel])
        with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
            tot = np.logaddexp.reduce(lnI, axis=0)
            if self.kind == "inf":
                tot = np.logaddexp(tot, _ln_poly_exp_tail(end[sel], eps[sel], a[sel], lnsN[sel], self.d,
                                                          self.ell))
        out[sel] = tot + 2.0 * a[sel]
        return out, np.ones(ncol)

    # ---------------- scan support ----------------
    def scan_values(self, x, col):
        lnF, _ = self.lnF(x, col)
        return lnF, None

    def root_fn(self, x, col):
        return self.scan_values(x, np.asarray(col).astype(np.int64))[0]

    def x_lo_inf(self, cols):
        """Lower scan end (unbounded range): the exact sum's (F(x_lo) > 1 is checked by the scan)."""
        from .roots import _x_lo_inf

        if self._sum is None:
            self._sum = _Model(eps=self.eps, gamma=self.gamma, s=self.s, K=self.K, N=self.N, d=self.d,
                               equation="19", sum_range="infinite", nfast="literal" if self.literal else "continuous",
                               drop_negative=False)
            self._sum.lnF0()  # builds the prefix tables _x_lo_inf reads
        return _x_lo_inf(self._sum, np.asarray(cols, dtype=np.int64))


def _ln_F0_integral(a, eps, *, K, N, s, d, sum_range, nfast, limits):
    """ln F(0+) of the integral at flat arrays ``a`` = ln gamma and ``eps`` (one column per pair)."""
    a = np.asarray(a, dtype=float).ravel()
    model = _IntegralModel(gamma=np.ones(a.size), K=K, N=N, s=s, d=d, sum_range=sum_range, nfast=nfast,
                           limits=limits, eps=np.asarray(eps, dtype=float).ravel())
    model.a = a.copy()
    model.gamma = np.exp(a)
    return model.lnF0()[0]


def _ln_poly_exp_tail(M, eps, a, lnsN, d, ell):
    """ln Integral_M^inf (m - 1) s N (a + m ln K)^d K^{2 m eps} dm for eps < 0, M >= 1, a + M ln K >= 0.

    With tau = m - M: (M - 1 + tau) sum_k C(d, k) L^(d-k) ln^k K tau^k (L = a + M ln K >= 0), all
    coefficients non-negative, and Integral_0^inf tau^p e^{-b tau} d tau = p!/b^(p+1), b = -2 eps ln K.
    """
    M = np.asarray(M, dtype=float)[None, :]
    b = (-2.0 * ell * np.asarray(eps, dtype=float))[None, :]
    L = np.maximum(np.asarray(a, dtype=float)[None, :] + M * ell, 0.0)  # (M = -a/ln K may round below 0)
    k = np.arange(d + 1, dtype=float)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        lnb = np.log(b)
        lnL = np.log(L)
        # ln[C(d,k) L^(d-k) ln^k K]; L^0 = 1 also for L = 0
        lnco = gammaln(d + 1.0) - gammaln(k + 1.0) - gammaln(d - k + 1.0) + np.where(k == d, 0.0, (d - k) * lnL) \
            + k * math.log(ell)
        t1 = lnco + np.log(M - 1.0) + gammaln(k + 1.0) - (k + 1.0) * lnb   # (M - 1) tau^k
        t2 = lnco + gammaln(k + 2.0) - (k + 2.0) * lnb                     # tau^(k+1)
        tot = np.logaddexp.reduce(np.concatenate([t1, t2], axis=0), axis=0)
    return np.asarray(lnsN, dtype=float) + 2.0 * ell * np.asarray(eps, dtype=float) * M[0] + tot


def _check_summation(summation, integral_limits, equation="19"):
    """Validated ``summation`` and ``integral_limits``; ``"integral"`` needs Eq. (19)."""
    summation = check_choice("summation", summation, SUMMATIONS)
    integral_limits = check_choice("integral_limits", integral_limits, INTEGRAL_LIMITS)
    if summation == "integral" and equation != "19":
        raise ValueError(
            f"summation='integral' needs equation='19' (it replaces Eq. 19's sum over m = n + p by an integral); "
            f"got equation={equation!r}"
        )
    return summation, integral_limits


def _make_model(*, summation="sum", integral_limits="cell", equation="19", drop_negative=False, **kw):
    """The ln F model of the chosen summation: :class:`_Model` (the sum) or :class:`_IntegralModel`."""
    if summation == "sum":
        return _Model(equation=equation, drop_negative=drop_negative, **kw)
    return _IntegralModel(limits=integral_limits, **kw)
